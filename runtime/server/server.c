/*
 * server/server.c: sockets, the event loop, the worker pool and the list of
 * connections.
 *
 * One thread runs an epoll loop over the listening sockets and every idle
 * connection (EPOLLONESHOT): when a connection becomes readable it is queued
 * for a worker, which runs sdb_conn_process() and then re-arms it.  So a
 * connection is handled by at most one thread at a time, and only while it
 * has input.  Workers are started on demand: when work is queued and none is
 * idle, another starts (up to max_connections + a few), so a statement
 * waiting for a lock held by another session never starves that session of
 * a thread.
 *
 * The mutex guards the queue, the connection list, each connection's
 * scheduling state and session pointer (a CancelRequest reads it), and the
 * session count.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "server/auth.h"
#include "server/hba.h"
#include "server/server_int.h"

#define MAX_LISTENERS 16
#define MIN_WORKERS 2

typedef struct Listener {
    PollKind kind; /* POLL_LISTENER */
    int fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* a Unix socket's file, removed at stop; "" for TCP */
} Listener;

typedef struct RetiredTls {
    SSL_CTX *ctx;
    struct RetiredTls *next;
} RetiredTls;

typedef struct Worker {
    pthread_t thread;
    struct Worker *next;
} Worker;

struct SdbServer {
    SdbInstance *db;
    SdbSettings settings;
    SSL_CTX *tls;        /* when ssl is on (mutex); replaced by a reload */
    struct RetiredTls *retired; /* contexts a reload replaced: a handshake may still use one */
    Listener listeners[MAX_LISTENERS];
    int nlisteners;
    int epfd;
    struct {
        PollKind kind; /* POLL_WAKE */
        int fd;
    } wake;
    pthread_t loop;
    bool loop_started;

    pthread_mutex_t mutex;
    pthread_cond_t work;
    SdbConn *queue_head, *queue_tail;
    SdbConn *conns;      /* every connection */
    int nconns;
    int nsessions;       /* connections holding one of max_connections */
    Worker *workers;
    int nworkers, nidle;
    int32_t next_pid;
    atomic_bool stopping;
    SdbHba *hba;         /* the rules of hba_path (mutex); replaced by a reload */
    char hba_path[1024];
    uint8_t mock_key[SDB_SCRAM_KEY_LEN];
};

/* --- for conn.c --------------------------------------------------------------- */

const SdbSettings *sdb_server_settings(const SdbServer *srv)
{
    return &srv->settings;
}

int sdb_server_copy_settings(SdbServer *srv, SdbSettings *dst)
{
    pthread_mutex_lock(&srv->mutex);
    int rc = sdb_settings_copy(dst, &srv->settings);
    pthread_mutex_unlock(&srv->mutex);
    return rc;
}

SdbInstance *sdb_server_instance(const SdbServer *srv)
{
    return srv->db;
}

bool sdb_server_stopping(const SdbServer *srv)
{
    return atomic_load(&srv->stopping);
}

SSL_CTX *sdb_server_tls(SdbServer *srv)
{
    pthread_mutex_lock(&srv->mutex);
    SSL_CTX *tls = srv->tls;
    pthread_mutex_unlock(&srv->mutex);
    return tls;
}

bool sdb_server_admit(SdbServer *srv)
{
    pthread_mutex_lock(&srv->mutex);
    bool ok = srv->nsessions < srv->settings.max_connections;
    if (ok)
        srv->nsessions++;
    pthread_mutex_unlock(&srv->mutex);
    return ok;
}

void sdb_server_release(SdbServer *srv)
{
    pthread_mutex_lock(&srv->mutex);
    srv->nsessions--;
    pthread_mutex_unlock(&srv->mutex);
}

void sdb_server_set_session(SdbServer *srv, SdbConn *c, SdbSession *s)
{
    pthread_mutex_lock(&srv->mutex);
    c->session = s;
    pthread_mutex_unlock(&srv->mutex);
}

void sdb_server_cancel(SdbServer *srv, int32_t pid, int32_t secret)
{
    pthread_mutex_lock(&srv->mutex);
    for (SdbConn *c = srv->conns; c; c = c->next) {
        if (c->pid == pid && c->secret == secret && c->session) {
            sdb_session_cancel(c->session);
            break;
        }
    }
    pthread_mutex_unlock(&srv->mutex);
}

SdbHba *sdb_server_hba(SdbServer *srv)
{
    pthread_mutex_lock(&srv->mutex);
    SdbHba *hba = srv->hba;
    sdb_hba_retain(hba);
    pthread_mutex_unlock(&srv->mutex);
    return hba;
}

const uint8_t *sdb_server_mock_key(const SdbServer *srv)
{
    return srv->mock_key;
}

int sdb_server_role_sessions(SdbServer *srv, const char *user)
{
    int n = 0;
    pthread_mutex_lock(&srv->mutex);
    for (SdbConn *c = srv->conns; c; c = c->next)
        n += c->session != NULL && strcmp(c->user, user) == 0;
    pthread_mutex_unlock(&srv->mutex);
    return n;
}

/* --- pg_hba.conf ------------------------------------------------------------------ */

/* sdb_hba_load, with the file and line of an error (its CONTEXT) in the
 * DETAIL, which the log shows. */
static int hba_load(const char *path, SdbHba **out)
{
    if (sdb_hba_load(path, out) == SDB_OK)
        return SDB_OK;
    char where[SDB_ERROR_CONTEXT_MAX];
    snprintf(where, sizeof where, "%s", sdb_error_last()->context);
    if (where[0] != '\0')
        sdb_error_detail("%s", where);
    return SDB_ERROR;
}

/* Load hba_file (relative to the data directory), writing the default
 * rules first when the file does not exist. */
static int load_hba(SdbServer *srv)
{
    const SdbSettings *s = &srv->settings;
    sdb_hba_path(s, srv->hba_path, sizeof srv->hba_path);
    if (access(srv->hba_path, F_OK) != 0 && errno == ENOENT) {
        sdb_log(SDB_SEVERITY_LOG, "server", "writing the default authentication rules to \"%s\"", srv->hba_path);
        if (sdb_hba_write_default(srv->hba_path) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_auth_mock_key(s->data_directory, srv->mock_key) != SDB_OK)
        return SDB_ERROR;
    return hba_load(srv->hba_path, &srv->hba);
}

/* Read hba_file again; on an error the old rules stay (error recorded). */
static int reload_hba(SdbServer *srv)
{
    SdbHba *fresh;
    if (hba_load(srv->hba_path, &fresh) != SDB_OK)
        return SDB_ERROR;
    pthread_mutex_lock(&srv->mutex);
    SdbHba *old = srv->hba;
    srv->hba = fresh;
    pthread_mutex_unlock(&srv->mutex);
    sdb_hba_release(old);
    return SDB_OK;
}

/* --- connections (mutex held) ---------------------------------------------------- */

static void list_add(SdbServer *srv, SdbConn *c)
{
    c->prev = NULL;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
}

static void list_remove(SdbServer *srv, SdbConn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
}

static void *worker_main(void *arg);

/* Queue `c` for a worker, starting one if none is idle. */
static void enqueue(SdbServer *srv, SdbConn *c)
{
    c->sched = SCHED_QUEUED;
    c->queue_next = NULL;
    if (srv->queue_tail)
        srv->queue_tail->queue_next = c;
    else
        srv->queue_head = c;
    srv->queue_tail = c;
    if (srv->nidle == 0 && srv->nworkers < srv->settings.max_connections + MIN_WORKERS) {
        Worker *w = sdb_malloc(sizeof *w);
        if (w && pthread_create(&w->thread, NULL, worker_main, srv) == 0) {
            w->next = srv->workers;
            srv->workers = w;
            srv->nworkers++;
        } else {
            sdb_free(w);
            sdb_error_clear();
        }
    }
    pthread_cond_signal(&srv->work);
}

static SdbConn *dequeue(SdbServer *srv)
{
    SdbConn *c = srv->queue_head;
    srv->queue_head = c->queue_next;
    if (srv->queue_head == NULL)
        srv->queue_tail = NULL;
    return c;
}

/* --- workers ------------------------------------------------------------------- */

static int64_t monotonic_ms(void);

/* A connection still in startup after authentication_timeout is closed (as
 * PostgreSQL does, silently): by the loop's sweep when it waits for input,
 * by finish_run when it keeps sending (a startup packet trickling in).
 * Mutex held (a reload may change the setting). */
static bool startup_expired(SdbServer *srv, const SdbConn *c, int64_t now)
{
    return c->phase != PHASE_READY && c->accepted_at < now - srv->settings.authentication_timeout * 1000;
}

/* After a worker ran `c`: wait for more input, or end it. */
static void finish_run(SdbServer *srv, SdbConn *c, bool keep)
{
    pthread_mutex_lock(&srv->mutex);
    bool expired = keep && startup_expired(srv, c, monotonic_ms());
    if (expired) {
        sdb_log(SDB_SEVERITY_LOG, "wire", "connection from %s: startup timed out", c->host);
        keep = false;
    }
    bool stopping = atomic_load(&srv->stopping);
    if (keep && !stopping) {
        c->sched = SCHED_ARMED;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = c};
        keep = epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0;
    }
    bool end = !keep || stopping;
    if (end)
        list_remove(srv, c);
    pthread_mutex_unlock(&srv->mutex);
    if (end)
        sdb_conn_destroy(c, keep); /* a healthy connection is told why it ends */
}

static void *worker_main(void *arg)
{
    SdbServer *srv = arg;
    pthread_mutex_lock(&srv->mutex);
    for (;;) {
        while (srv->queue_head == NULL && !atomic_load(&srv->stopping)) {
            srv->nidle++;
            pthread_cond_wait(&srv->work, &srv->mutex);
            srv->nidle--;
        }
        if (srv->queue_head == NULL)
            break;
        SdbConn *c = dequeue(srv);
        c->sched = SCHED_RUNNING;
        bool stopping = atomic_load(&srv->stopping);
        pthread_mutex_unlock(&srv->mutex);
        bool keep = stopping || sdb_conn_process(c);
        sdb_error_clear();
        finish_run(srv, c, keep);
        pthread_mutex_lock(&srv->mutex);
    }
    pthread_mutex_unlock(&srv->mutex);
    return NULL;
}

/* --- the event loop ------------------------------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close connections waiting in startup after authentication_timeout.  Runs
 * in the loop thread between epoll_waits, so no event for them is pending. */
static void expire_startups(SdbServer *srv)
{
    int64_t now = monotonic_ms();
    SdbConn *expired = NULL;
    pthread_mutex_lock(&srv->mutex);
    for (SdbConn *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (c->sched == SCHED_ARMED && startup_expired(srv, c, now)) {
            list_remove(srv, c);
            c->queue_next = expired;
            expired = c;
        }
    }
    pthread_mutex_unlock(&srv->mutex);
    while (expired) {
        SdbConn *next = expired->queue_next;
        sdb_log(SDB_SEVERITY_LOG, "wire", "connection from %s: startup timed out", expired->host);
        sdb_conn_destroy(expired, false);
        expired = next;
    }
}

static void accept_clients(SdbServer *srv, Listener *l)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                sdb_log(SDB_SEVERITY_LOG, "wire", "could not accept new connection: %s", strerror(errno));
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        SdbConn *c = sdb_conn_create(srv, fd, (struct sockaddr *)&peer);
        if (c == NULL) {
            sdb_log_error("wire");
            close(fd);
            continue;
        }
        c->accepted_at = monotonic_ms();
        pthread_mutex_lock(&srv->mutex);
        c->pid = srv->next_pid++;
        list_add(srv, c);
        c->sched = SCHED_ARMED;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = c};
        /* Sessions are limited by max_connections at startup; this only
         * bounds sockets that never get that far. */
        bool ok = srv->nconns <= 2 * srv->settings.max_connections + 16 &&
                  epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
        if (!ok)
            list_remove(srv, c);
        pthread_mutex_unlock(&srv->mutex);
        if (!ok)
            sdb_conn_destroy(c, false);
    }
}

static void *loop_main(void *arg)
{
    SdbServer *srv = arg;
    struct epoll_event events[64];
    int64_t next_sweep = monotonic_ms() + 1000;
    while (!atomic_load(&srv->stopping)) {
        int n = epoll_wait(srv->epfd, events, 64, 1000);
        for (int i = 0; i < n; i++) {
            PollKind kind = *(PollKind *)events[i].data.ptr;
            if (kind == POLL_LISTENER) {
                accept_clients(srv, events[i].data.ptr);
            } else if (kind == POLL_CONN) {
                pthread_mutex_lock(&srv->mutex);
                enqueue(srv, events[i].data.ptr);
                pthread_mutex_unlock(&srv->mutex);
            }
        }
        if (monotonic_ms() >= next_sweep) {
            expire_startups(srv);
            next_sweep = monotonic_ms() + 1000;
        }
    }
    return NULL;
}

/* --- start and stop --------------------------------------------------------------- */

/* Watch a bound socket for connections. */
static int add_listener(SdbServer *srv, int fd, const char *path)
{
    if (srv->nlisteners == MAX_LISTENERS) {
        close(fd);
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many listen addresses (at most %d)", MAX_LISTENERS);
    }
    Listener *l = &srv->listeners[srv->nlisteners++];
    *l = (Listener){.kind = POLL_LISTENER, .fd = fd};
    snprintf(l->path, sizeof l->path, "%s", path);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (listen(fd, 1024) != 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return sdb_error_errno(errno, "could not listen on the server socket");
    return SDB_OK;
}

/* A socket file left by a server that is gone can be replaced; one a server
 * answers on cannot. */
static int remove_stale_socket(const struct sockaddr_un *addr, int port)
{
    struct stat st;
    if (lstat(addr->sun_path, &st) != 0)
        return SDB_OK;
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool alive = probe >= 0 && connect(probe, (const struct sockaddr *)addr, sizeof *addr) == 0;
    if (probe >= 0)
        close(probe);
    if (alive || !S_ISSOCK(st.st_mode)) {
        sdb_error_errno(EADDRINUSE, "could not bind Unix address \"%s\"", addr->sun_path);
        sdb_error_hint("Is another postmaster already running on port %d?", port);
        return SDB_ERROR;
    }
    unlink(addr->sun_path);
    return SDB_OK;
}

/* Listen on DIR/.s.PGSQL.PORT, as PostgreSQL names its socket. */
static int listen_unix(SdbServer *srv, const char *dir, int port)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int len = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/.s.PGSQL.%d", dir, port);
    if (len < 0 || (size_t)len >= sizeof addr.sun_path)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "Unix-domain socket path \"%s/.s.PGSQL.%d\" is too long "
                         "(maximum %d bytes)", dir, port, (int)sizeof addr.sun_path - 1);
    if (remove_stale_socket(&addr, port) != SDB_OK)
        return SDB_ERROR;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return sdb_error_errno(err, "could not bind Unix address \"%s\"", addr.sun_path);
    }
    chmod(addr.sun_path, 0777);
    if (add_listener(srv, fd, addr.sun_path) != SDB_OK)
        return SDB_ERROR;
    sdb_log(SDB_SEVERITY_LOG, "wire", "listening on Unix socket \"%s\"", addr.sun_path);
    return SDB_OK;
}

/* Listen on every address `host` resolves to ("*": all). */
static int listen_on(SdbServer *srv, const char *host, int port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *addrs;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, service, &hints, &addrs);
    if (rc != 0)
        return sdb_error(SDB_ERR_CONNECTION_EXCEPTION, "could not translate host name \"%s\", service \"%s\" to "
                         "address: %s", host, service, gai_strerror(rc));
    int result = SDB_OK;
    for (struct addrinfo *a = addrs; a && result == SDB_OK; a = a->ai_next) {
        const char *family = a->ai_family == AF_INET6 ? "IPv6" : "IPv4";
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        int one = 1;
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (a->ai_family == AF_INET6)
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        }
        if (fd < 0 || bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            result = sdb_error_errno(err, "could not bind %s address \"%s\" port %d", family, host, port);
            if (err == EADDRINUSE)
                sdb_error_hint("Is another postmaster already running on port %d?", port);
            break;
        }
        result = add_listener(srv, fd, "");
        if (result == SDB_OK)
            sdb_log(SDB_SEVERITY_LOG, "wire", "listening on %s address \"%s\", port %d", family, host, port);
    }
    freeaddrinfo(addrs);
    return result;
}

/* Call `fn` for every entry of a comma-separated list. */
static int for_each_item(SdbServer *srv, const char *list, int (*fn)(SdbServer *, const char *, int))
{
    char items[1024];
    snprintf(items, sizeof items, "%s", list);
    char *save = NULL;
    for (char *item = strtok_r(items, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        sdb_str_trim(item);
        if (item[0] != '\0' && fn(srv, item, (int)srv->settings.port) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* listen_addresses, then unix_socket_directories. */
static int listen_all(SdbServer *srv)
{
    if (for_each_item(srv, srv->settings.listen_addresses, listen_on) != SDB_OK ||
        for_each_item(srv, srv->settings.unix_socket_directories, listen_unix) != SDB_OK)
        return SDB_ERROR;
    if (srv->nlisteners == 0)
        return sdb_error(SDB_ERR_CONNECTION_EXCEPTION, "no socket created for listening");
    return SDB_OK;
}

/* Free what sdb_server_start set up; threads must not be running. */
/* pg_cancel_backend(pid): cancel the running statement of the session with
 * that backend PID (the instance's hook while the server exists). */
static bool cancel_backend(void *arg, int32_t pid)
{
    SdbServer *srv = arg;
    bool found = false;
    pthread_mutex_lock(&srv->mutex);
    for (SdbConn *c = srv->conns; c && !found; c = c->next) {
        if (c->pid == pid && c->session) {
            sdb_session_cancel(c->session);
            found = true;
        }
    }
    pthread_mutex_unlock(&srv->mutex);
    return found;
}

static void release(SdbServer *srv)
{
    sdb_instance_set_cancel_backend(srv->db, NULL, NULL);
    for (int i = 0; i < srv->nlisteners; i++) {
        close(srv->listeners[i].fd);
        if (srv->listeners[i].path[0] != '\0')
            unlink(srv->listeners[i].path);
    }
    if (srv->wake.fd >= 0)
        close(srv->wake.fd);
    if (srv->epfd >= 0)
        close(srv->epfd);
    SSL_CTX_free(srv->tls);
    for (RetiredTls *r = srv->retired, *next; r; r = next) {
        next = r->next;
        SSL_CTX_free(r->ctx);
        sdb_free(r);
    }
    sdb_hba_release(srv->hba);
    pthread_cond_destroy(&srv->work);
    pthread_mutex_destroy(&srv->mutex);
    sdb_settings_free(&srv->settings);
    sdb_free(srv);
}

SdbServer *sdb_server_create(SdbInstance *db, const SdbSettings *settings)
{
    SdbServer *srv = sdb_malloc(sizeof *srv);
    if (srv == NULL)
        return NULL;
    memset(srv, 0, sizeof *srv);
    srv->db = db;
    srv->epfd = -1;
    srv->wake.kind = POLL_WAKE;
    srv->wake.fd = -1;
    srv->next_pid = (int32_t)getpid();
    atomic_init(&srv->stopping, false);
    pthread_mutex_init(&srv->mutex, NULL);
    pthread_cond_init(&srv->work, NULL);
    if (sdb_settings_copy(&srv->settings, settings) != SDB_OK) {
        pthread_cond_destroy(&srv->work);
        pthread_mutex_destroy(&srv->mutex);
        sdb_free(srv);
        return NULL;
    }
    if (load_hba(srv) != SDB_OK) {
        release(srv);
        return NULL;
    }
    sdb_instance_set_cancel_backend(db, cancel_backend, srv);
    return srv;
}

void sdb_server_destroy(SdbServer *srv)
{
    release(srv);
}

/* Every client is a socket: allow as many open files as the system lets us. */
static void raise_file_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

SdbServer *sdb_server_start(SdbInstance *db, const SdbSettings *settings)
{
    SdbServer *srv = sdb_server_create(db, settings);
    if (srv == NULL)
        return NULL;
    raise_file_limit();
    srv->epfd = epoll_create1(EPOLL_CLOEXEC);
    srv->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &srv->wake};
    if (srv->epfd < 0 || srv->wake.fd < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->wake.fd, &ev) != 0) {
        sdb_error_errno(errno, "could not create the server's event loop");
        release(srv);
        return NULL;
    }
    if (srv->settings.ssl && (srv->tls = sdb_tls_context(&srv->settings)) == NULL) {
        release(srv);
        return NULL;
    }
    if (listen_all(srv) != SDB_OK) {
        release(srv);
        return NULL;
    }
    if (pthread_create(&srv->loop, NULL, loop_main, srv) != 0) {
        sdb_error(SDB_ERR_OUT_OF_MEMORY, "could not start the server's event loop thread");
        release(srv);
        return NULL;
    }
    srv->loop_started = true;
    return srv;
}

/* --- reload ------------------------------------------------------------------------ */

/* Take the changed values a running server may take from `fresh`. */
static int reload_settings(SdbServer *srv, const SdbSettings *fresh)
{
    int rc = SDB_OK;
    pthread_mutex_lock(&srv->mutex);
    for (int id = 0; rc == SDB_OK && id < SDB_SETTING_COUNT; id++) {
        char before[1024], after[1024];
        sdb_settings_show(&srv->settings, id, before, sizeof before);
        sdb_settings_show(fresh, id, after, sizeof after);
        if (strcmp(before, after) == 0)
            continue;
        const SdbSettingDef *def = &sdb_setting_defs[id];
        if (def->context == SDB_CONTEXT_RELOAD || def->context == SDB_CONTEXT_SESSION) {
            rc = sdb_settings_copy_one(&srv->settings, fresh, id);
            sdb_log(SDB_SEVERITY_LOG, "server", "parameter \"%s\" changed to \"%s\"", def->name, after);
        } else {
            sdb_log(SDB_SEVERITY_LOG, "server", "parameter \"%s\" cannot be changed without restarting the server",
                    def->name);
        }
    }
    pthread_mutex_unlock(&srv->mutex);
    return rc;
}

/* Load the certificate and key again (they may have been renewed under
 * the same names), or stop offering TLS when ssl is now off.  The replaced
 * context is kept until the server stops: a handshake may be using it.
 * On an error the old context stays. */
static void reload_tls(SdbServer *srv)
{
    SSL_CTX *fresh = NULL;
    if (srv->settings.ssl && (fresh = sdb_tls_context(&srv->settings)) == NULL) {
        sdb_log_error("server");
        sdb_log(SDB_SEVERITY_LOG, "server", "SSL configuration was not reloaded");
        return;
    }
    RetiredTls *r = srv->tls ? sdb_malloc(sizeof *r) : NULL;
    if (srv->tls && r == NULL) {
        sdb_log_error("server");
        SSL_CTX_free(fresh);
        return;
    }
    pthread_mutex_lock(&srv->mutex);
    if (r) {
        *r = (RetiredTls){srv->tls, srv->retired};
        srv->retired = r;
    }
    srv->tls = fresh;
    pthread_mutex_unlock(&srv->mutex);
}

int sdb_server_reload(SdbServer *srv, const SdbSettings *fresh)
{
    if (reload_settings(srv, fresh) != SDB_OK)
        return SDB_ERROR;
    pthread_mutex_lock(&srv->mutex);
    int rc = sdb_instance_reload(srv->db, &srv->settings);
    pthread_mutex_unlock(&srv->mutex);
    if (rc != SDB_OK)
        return SDB_ERROR;
    reload_tls(srv);
    if (reload_hba(srv) != SDB_OK) {
        sdb_log_error("server");
        sdb_log(SDB_SEVERITY_LOG, "server", "pg_hba.conf was not reloaded");
    }
    return SDB_OK;
}

void sdb_server_stop(SdbServer *srv)
{
    atomic_store(&srv->stopping, true);
    uint64_t one = 1;
    if (write(srv->wake.fd, &one, sizeof one) < 0)
        sdb_log(SDB_SEVERITY_WARNING, "wire", "could not wake the event loop: %s", strerror(errno));
    pthread_join(srv->loop, NULL);

    /* Idle connections end here; running ones have their statement canceled
     * and end when their worker finishes; queued ones end in a worker. */
    pthread_mutex_lock(&srv->mutex);
    SdbConn *idle = NULL;
    for (SdbConn *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (c->sched == SCHED_ARMED) {
            list_remove(srv, c);
            c->queue_next = idle;
            idle = c;
        } else if (c->session) {
            sdb_session_cancel(c->session);
        }
    }
    pthread_cond_broadcast(&srv->work);
    pthread_mutex_unlock(&srv->mutex);
    while (idle) {
        SdbConn *next = idle->queue_next;
        sdb_conn_destroy(idle, true);
        idle = next;
    }
    /* Workers exit once the queue is empty. */
    for (Worker *w = srv->workers, *next; w; w = next) {
        next = w->next;
        pthread_join(w->thread, NULL);
        sdb_free(w);
    }
    release(srv);
}
