/*
 * session/session.h: specdb as a library: open a data directory, open
 * sessions on it, run SQL.  The wire server, `specdb sql` and embedding
 * applications all go through this API.
 *
 *     SdbInstance *db = sdb_instance_open("data", settings);
 *     SdbSession *s = sdb_session_open(db, "postgres", "postgres");
 *     sdb_session_execute(s, "SELECT 1; SELECT 2", &sink);
 *
 * Results reach a sink: describe (columns) -> rows (batches) -> complete
 * (command tag) for each statement; an error stops the rest of the string
 * and leaves it in the error slot (runtime/common/error.h).
 *
 * An instance may be shared by sessions on many threads; one session is
 * used by one thread at a time (sdb_session_cancel excepted).
 */
#ifndef SDB_SESSION_SESSION_H
#define SDB_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/str.h"
#include "config/settings.h"
#include "exec/batch.h"
#include "sdb_plan.h"

typedef struct SdbInstance SdbInstance;
typedef struct SdbSession SdbSession;

/* Open (creating and bootstrapping it when empty) the data directory; runs
 * recovery.  One process at a time: F0001 when another has it open.  NULL
 * with the error recorded. */
SdbInstance *sdb_instance_open(const char *datadir, const SdbSettings *settings);
int sdb_instance_close(SdbInstance *db);

/* A configuration reload (SIGHUP): take the values of the parameters that
 * may change at run time (context reload or session) from `fresh`.  New
 * sessions start with them; a running session picks them up at its next
 * statement, except those it SET itself. */
int sdb_instance_reload(SdbInstance *db, const SdbSettings *fresh);

/* A role as pg_authid has it (catalog/catalog.h). */
typedef struct SdbRole SdbRole;

/* The role called `name`: *found false when there is none (strings in
 * `arena`).  Read in a transaction of its own, without a session: the
 * server authenticates with it. */
int sdb_instance_role(SdbInstance *db, const char *name, SdbArena *arena, SdbRole *out, bool *found);
/* Whether role `role` is `group` or a member of it (pg_auth_members). */
int sdb_instance_role_member(SdbInstance *db, const char *role, const char *group, bool *member);

/* How pg_cancel_backend(pid) reaches another session: the server sets a
 * hook that cancels the statement of the session with that backend PID
 * (true when there is one); NULL when there is no server. */
typedef bool (*SdbCancelBackendFn)(void *arg, int32_t pid);
void sdb_instance_set_cancel_backend(SdbInstance *db, SdbCancelBackendFn fn, void *arg);

/* A session of `user` on database `dbname` (3D000 when it does not exist);
 * is_superuser says whether the role `user` is a superuser. */
SdbSession *sdb_session_open(SdbInstance *db, const char *user, const char *dbname);
void sdb_session_close(SdbSession *s);

/* Where results go.  Any callback may be NULL.  A callback returning
 * SDB_ERROR (error recorded) stops execution. */
typedef struct SdbResultSink {
    void *arg;
    int (*describe)(void *arg, int ncols, const SdbPlanColumn *cols);
    int (*rows)(void *arg, const SdbBatch *batch);
    int (*complete)(void *arg, const char *tag);   /* "SELECT 3", "INSERT 0 1", "CREATE TABLE" */
    /* A notice or warning for the client (PostgreSQL's NoticeResponse);
     * its severity is sdb_notice_severity(sqlstate). */
    void (*notice)(void *arg, const char *sqlstate, const char *message);
    void (*parameter_status)(void *arg, const char *name, const char *value); /* a reported setting changed */
    /* COPY ... FROM STDIN: append the next piece of the client's data
     * (text, CSV or binary, `ncols` columns) to `data`, *done at its end
     * (the "\." line may be left in or out).  Called again until *done
     * (the data is streamed); SDB_ERROR (error recorded, e.g. 57014 for
     * CopyFail) aborts the COPY, possibly before the client's data ended.
     * NULL: COPY FROM STDIN is refused (0A000). */
    int (*copy_in)(void *arg, int ncols, SdbStr *data, bool *done);
    /* COPY ... TO STDOUT: each row's line (newline included; binary: the
     * header, each tuple, the trailer); complete() follows.  NULL: refused
     * (0A000). */
    int (*copy_out)(void *arg, int ncols, const char *data, size_t len);
    /* COPY FROM STDIN / TO STDOUT begins (the CopyInResponse or
     * CopyOutResponse moment): direction, binary or text format, column
     * count; before any copy_in or copy_out.  NULL: nothing to announce
     * (and COPY BINARY FROM STDIN is refused). */
    int (*copy_begin)(void *arg, bool is_from, bool binary, int ncols);
} SdbResultSink;

/* The severity of a notice with `sqlstate`, as PostgreSQL sends it:
 * "WARNING" for class 01 (warning) and 25 (BEGIN in a block, COMMIT
 * outside one ...), "NOTICE" otherwise (IF [NOT] EXISTS skipping: 00000,
 * 42P07 ...). */
const char *sdb_notice_severity(const char *sqlstate);

/* Run every statement of `sql` in order (the simple query protocol). */
int sdb_session_execute(SdbSession *s, const char *sql, const SdbResultSink *sink);

/* Extended protocol: a prepared statement and its bound portals. */
typedef struct SdbPrepared SdbPrepared;
typedef struct SdbPortal SdbPortal;

/* Parse and analyze one statement with `nparams` declared parameter types
 * (0 entries are inferred).  Named ones are kept until closed. */
int sdb_session_prepare(SdbSession *s, const char *name, const char *sql, int nparams, const SdbOid *types,
                        SdbPrepared **out);
/* The prepared statement `name` ("" the unnamed one) made by Parse or SQL
 * PREPARE, or NULL (DEALLOCATE may have dropped it). */
SdbPrepared *sdb_session_find_prepared(SdbSession *s, const char *name);
int sdb_prepared_params(const SdbPrepared *p, int *nparams, const SdbOid **types);
int sdb_prepared_columns(const SdbPrepared *p, int *ncols, const SdbPlanColumn **cols);

/* Bind parameter values (text or binary: formats[i] 0/1, NULL = values[i]
 * NULL) into a portal. */
int sdb_session_bind(SdbSession *s, const char *portal_name, SdbPrepared *p, int nvalues,
                     const char *const *values, const int *lengths, const int16_t *formats, SdbPortal **out);

/* The portal `name`, or NULL (closing its statement closes it). */
SdbPortal *sdb_session_find_portal(SdbSession *s, const char *name);

/* Run a portal for at most max_rows rows (0: all); *suspended tells whether
 * rows remain. */
int sdb_portal_execute(SdbPortal *portal, int64_t max_rows, const SdbResultSink *sink, bool *suspended);
int sdb_session_close_prepared(SdbSession *s, const char *name);
int sdb_session_close_portal(SdbSession *s, const char *name);

/* Sync: outside a BEGIN block, the messages since the last Sync ran in one
 * implicit transaction, committed now (an error in between aborted it). */
int sdb_session_sync(SdbSession *s, const SdbResultSink *sink);

/* Take the values a configuration reload (sdb_instance_reload) changed,
 * except those the session SET itself.  Every statement does this first
 * (without a sink); the server also before each ReadyForQuery, with a sink
 * that gets a parameter_status for each reported setting changed by a
 * reload since the last such call. */
int sdb_session_pick_up_reload(SdbSession *s, const SdbResultSink *sink);

/* Send every setting with `report = true` (spec/settings.toml) to
 * sink->parameter_status, as the server does after authentication. */
void sdb_session_report_all(SdbSession *s, const SdbResultSink *sink);

/* A setting's current value as SHOW prints it, NUL-terminated in `buf`
 * (SDB_ERROR with 42704 for an unknown name). */
int sdb_session_show(SdbSession *s, const char *name, char *buf, size_t size);

/* The process ID pg_backend_pid() reports (the server's BackendKeyData
 * one; the OS process ID until set). */
void sdb_session_set_backend_pid(SdbSession *s, int32_t pid);

/* 'I' idle, 'T' in a transaction block, 'E' in a failed one (ReadyForQuery). */
char sdb_session_status(const SdbSession *s);

/* An error found outside the session (by the wire server: a malformed
 * message, an unknown statement or portal, a bad format code, invalid
 * UTF-8) fails the transaction as a failed statement would: a block becomes
 * failed ('E', 25P02 until ROLLBACK), an implicit transaction is rolled
 * back.  The error slot is kept. */
void sdb_session_fail(SdbSession *s);

/* Ask the running statement to stop (57014); callable from another thread. */
void sdb_session_cancel(SdbSession *s);

/* Whether the running statement was asked to stop (a cancel or its
 * statement_timeout): a sink waiting for the client (COPY FROM STDIN)
 * answers SDB_ERROR with 57014. */
bool sdb_session_cancel_pending(const SdbSession *s);

/* Text form of a value as PostgreSQL prints it (DateStyle ISO, the session
 * TimeZone), appended to `out`; and the binary (send) form. */
int sdb_session_output_text(SdbSession *s, SdbOid type, SdbDatum value, SdbStr *out);
int sdb_session_output_binary(SdbSession *s, SdbOid type, SdbDatum value, SdbStr *out);

#endif /* SDB_SESSION_SESSION_H */
