/*
 * server/server_int.h: what the server's two halves share.  server.c owns
 * sockets, the event loop, the worker pool and the connection list;
 * conn.c owns one connection's protocol state machine.
 */
#ifndef SDB_SERVER_SERVER_INT_H
#define SDB_SERVER_SERVER_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "common/memory.h"
#include "common/str.h"
#include "server/server.h"

/* What an epoll registration points at: a listening socket, the wake-up
 * eventfd or a connection (each struct starts with this). */
typedef enum PollKind {
    POLL_LISTENER,
    POLL_WAKE,
    POLL_CONN
} PollKind;

/* Where a connection is in the scheduling cycle (server mutex). */
typedef enum ConnSched {
    SCHED_ARMED,   /* waiting in epoll for input */
    SCHED_QUEUED,  /* input arrived; waiting for a worker */
    SCHED_RUNNING  /* a worker is processing it */
} ConnSched;

typedef enum ConnPhase {
    PHASE_STARTUP, /* expecting an untyped startup packet */
    PHASE_AUTH,    /* authentication asked the client for something (auth.c) */
    PHASE_READY    /* session open: typed messages */
} ConnPhase;

typedef struct Statement Statement; /* a named or unnamed prepared statement (conn.c) */
typedef struct Portal Portal;
typedef struct SdbAuth SdbAuth;       /* authentication in progress (auth.c) */

typedef struct SdbConn {
    PollKind kind; /* POLL_CONN */
    SdbServer *server;
    int fd;
    SSL *ssl;           /* after an accepted SSLRequest; NULL: plain */
    char host[64];      /* peer address as text */
    struct sockaddr_storage peer; /* AF_UNIX for Unix-domain sockets */
    int32_t pid, secret; /* the BackendKeyData key */
    int64_t accepted_at; /* monotonic ms; a startup must finish within authentication_timeout */

    /* Scheduling (server mutex). */
    ConnSched sched;
    struct SdbConn *queue_next;
    struct SdbConn *prev, *next; /* the server's list of connections */

    /* Protocol state (only the worker running it touches these). */
    ConnPhase phase;
    bool counted;         /* holds one of max_connections */
    SdbSession *session;
    char *user;
    SdbAuth *auth;        /* PHASE_AUTH, and the replayed startup after it */
    bool authenticated;
    char *in;             /* received bytes not yet processed */
    size_t in_len, in_cap;
    size_t need;          /* size of the message being received, once known */
    SdbArena *out_arena;  /* holds only `out` */
    SdbStr out;           /* bytes to send */
    SdbArena *msg_arena;  /* reset after every message */
    SdbArena *row_arena;  /* one result batch's text forms */
    bool ignore_till_sync;
    bool broken;          /* sending failed: drop the connection */
    Statement *statements;
    Portal *portals;
    /* COPY FROM STDIN (copy_wire.c): while a message is handled, where the
     * next one starts in `in`; messages received during the COPY. */
    size_t in_next;
    char *copy_buf;
    size_t copy_len, copy_pos, copy_cap;
} SdbConn;

/* Send buffered output once it is this large, even mid-result. */
#define SDB_CONN_FLUSH_AT (256 * 1024)

/* server.c: a server that listens nowhere and runs no thread (settings and
 * pg_hba.conf only), for driving connections directly (tests/fuzz):
 * sdb_conn_create on one end of a socketpair, then sdb_conn_process. */
SdbServer *sdb_server_create(SdbInstance *db, const SdbSettings *settings);
void sdb_server_destroy(SdbServer *srv);

/* server.c, for conn.c */
/* The server's settings.  A reload may change them: read only numbers
 * here; copy the whole set with sdb_server_copy_settings. */
const SdbSettings *sdb_server_settings(const SdbServer *srv);
int sdb_server_copy_settings(SdbServer *srv, SdbSettings *dst);
SdbInstance *sdb_server_instance(const SdbServer *srv);
bool sdb_server_stopping(const SdbServer *srv);
/* The TLS context when ssl is on, else NULL (valid until the server stops,
 * even after a reload replaced it). */
SSL_CTX *sdb_server_tls(SdbServer *srv);
/* Take one of max_connections for a new session (false: all in use). */
bool sdb_server_admit(SdbServer *srv);
void sdb_server_release(SdbServer *srv);
/* Attach/detach a session under the server mutex (so a cancel never sees a
 * freed one). */
void sdb_server_set_session(SdbServer *srv, SdbConn *c, SdbSession *s);
/* Cancel the statement of the session with this key, if any. */
void sdb_server_cancel(SdbServer *srv, int32_t pid, int32_t secret);
/* The current pg_hba.conf rules, with a reference for the caller to
 * release (sdb_hba_release): a reload may replace them meanwhile. */
struct SdbHba *sdb_server_hba(SdbServer *srv);
/* The key for mock SCRAM salts (auth.h). */
const uint8_t *sdb_server_mock_key(const SdbServer *srv);
/* How many sessions of role `user` are open (CONNECTION LIMIT). */
int sdb_server_role_sessions(SdbServer *srv, const char *user);

/* conn.c, for server.c */
SdbConn *sdb_conn_create(SdbServer *srv, int fd, const struct sockaddr *peer);
/* Read what the client sent and answer every complete message.  false:
 * the connection is finished (client left, fatal error, Terminate). */
bool sdb_conn_process(SdbConn *c);
/* Close the connection (after FATAL 57P01 when `shutdown`) and free it. */
void sdb_conn_destroy(SdbConn *c, bool shutdown);
/* Send all buffered output (waiting while the socket is full). */
int sdb_conn_flush(SdbConn *c);
/* Send the recorded error as FATAL and mark the connection for closing. */
void sdb_conn_fatal(SdbConn *c);

/* copy_wire.c, for conn.c: the COPY sub-protocol behind the session sink's
 * copy_begin (CopyInResponse flushed / CopyOutResponse), copy_in (the
 * client's CopyData until CopyDone; CopyFail is 57014) and copy_out (one
 * CopyData).  After each message conn.c calls sdb_copy_wire_restore, which
 * sets *pos to where the next unhandled message starts in c->in (putting
 * back what a COPY received and left unread). */
int sdb_copy_wire_begin(SdbConn *c, bool is_from, bool binary, int ncols);
int sdb_copy_wire_in(SdbConn *c, SdbStr *data, bool *done);
int sdb_copy_wire_out(SdbConn *c, const char *data, size_t len);
int sdb_copy_wire_restore(SdbConn *c, size_t *pos);

/* tls.c */
/* The server's TLS context from ssl_cert_file and ssl_key_file (relative to
 * the data directory); NULL with F0000 recorded. */
SSL_CTX *sdb_tls_context(const SdbSettings *s);
/* The TLS handshake on c->fd, waiting at most timeout_ms; sets c->ssl. */
int sdb_tls_accept(SdbConn *c, SSL_CTX *ctx, int64_t timeout_ms);
/* recv/send through TLS when it is on: bytes moved; 0 (recv) when the peer
 * closed; -1 with errno EAGAIN when it would block (*wait_for: the poll
 * event to wait for) or another errno when the connection failed. */
ssize_t sdb_conn_recv(SdbConn *c, void *buf, size_t len);
ssize_t sdb_conn_send(SdbConn *c, const void *buf, size_t len, short *wait_for);
/* End TLS on the connection, if on. */
void sdb_tls_close(SdbConn *c);

#endif /* SDB_SERVER_SERVER_INT_H */
