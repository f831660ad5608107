/*
 * server/auth.h: client authentication of one connection (auth.c), between
 * the startup packet and AuthenticationOk.  conn.c calls sdb_auth_start()
 * with the startup packet, then sdb_auth_continue() for every 'p' message
 * while the connection is in PHASE_AUTH, and replays the kept startup
 * packet (sdb_auth_startup) once authentication is done.
 */
#ifndef SDB_SERVER_AUTH_H
#define SDB_SERVER_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "server/scram.h"
#include "sdb_wire.h"
#include "server/server_int.h"

typedef enum SdbAuthStep {
    SDB_AUTH_DONE,     /* authenticated and allowed in: open the session */
    SDB_AUTH_CONTINUE, /* a request is in c->out: wait for the client's answer */
    SDB_AUTH_FAILED    /* the error is recorded: send it as FATAL */
} SdbAuthStep;

/* Match pg_hba.conf for c (c->user, `database`) and start its method.
 * A method that asks the client for something keeps a copy of the startup
 * packet body (`startup`, `len`) for sdb_auth_startup(). */
SdbAuthStep sdb_auth_start(SdbConn *c, const char *database, const char *startup, size_t len);

/* The client's PasswordMessage / SASLInitialResponse / SASLResponse. */
SdbAuthStep sdb_auth_continue(SdbConn *c, const SdbWireFrame *f);

/* The startup packet body kept by sdb_auth_start (valid until sdb_auth_free). */
void sdb_auth_startup(const SdbConn *c, const char **body, size_t *len);

/* Free c's authentication state (NULL-safe). */
void sdb_auth_free(SdbConn *c);

/* The server's key for mock SCRAM salts: read from DATADIR/pg_mock_auth_key,
 * made (32 random bytes) on first use, so a role's salt never changes
 * whether or not it exists. */
int sdb_auth_mock_key(const char *datadir, uint8_t key[SDB_SCRAM_KEY_LEN]);

#endif /* SDB_SERVER_AUTH_H */
