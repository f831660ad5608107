/*
 * server/server.h: the PostgreSQL wire protocol server.
 *
 * Listens on listen_addresses:port, accepts clients (over TLS too when ssl
 * is on), speaks protocol 3.0 (spec/wire.toml) and runs each client's statements in its own session
 * (session/session.h) on a pool of worker threads.
 *
 *     SdbServer *srv = sdb_server_start(db, &settings);
 *     ... wait for SIGTERM ...
 *     sdb_server_stop(srv);
 */
#ifndef SDB_SERVER_SERVER_H
#define SDB_SERVER_SERVER_H

#include "config/settings.h"
#include "session/session.h"

typedef struct SdbServer SdbServer;

/* Bind every address of settings->listen_addresses on settings->port and
 * start serving.  The settings are copied.  NULL with the error recorded
 * (e.g. 'could not bind IPv4 address "127.0.0.1": Address already in use'). */
SdbServer *sdb_server_start(SdbInstance *db, const SdbSettings *settings);

/* Reload the configuration (SIGHUP): `fresh` holds the values just read
 * from the configuration file (and the command line).  Parameters that may
 * change at run time (context reload or session) take the new values, for
 * the server, new sessions and, at their next statement, running sessions
 * (except what a session SET itself); each change is logged as PostgreSQL
 * does ('parameter "work_mem" changed to "8MB"'), a changed startup-only one
 * as 'parameter "port" cannot be changed without restarting the server'.
 * The TLS certificate and key are loaded again when ssl is on (on an error
 * the old ones stay: "SSL configuration was not reloaded").
 * Then hba_file is read again: new connections match the new rules; on an
 * error the old rules stay and "pg_hba.conf was not reloaded" is logged.
 * The one place a reload happens: whatever else a reload re-reads hooks in
 * here.  SDB_ERROR (recorded) when the settings could not be applied. */
int sdb_server_reload(SdbServer *srv, const SdbSettings *fresh);

/* Stop: no new connections; running statements are canceled; every client
 * gets FATAL 57P01 "terminating connection due to administrator command"
 * and is disconnected; then the threads are joined and everything freed.
 * The instance stays open. */
void sdb_server_stop(SdbServer *srv);

#endif /* SDB_SERVER_SERVER_H */
