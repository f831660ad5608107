/*
 * session/session_int.h: what the files of runtime/session share (not for
 * other folders): the instance, the session with its transaction state,
 * prepared statements and portals, and the statement runners of each file.
 */
#ifndef SDB_SESSION_SESSION_INT_H
#define SDB_SESSION_SESSION_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdbool.h>

#include "access/table.h"
#include "catalog/catalog.h"
#include "common/memory.h"
#include "common/str.h"
#include "exec/exec.h"
#include "expr/fmgr.h"
#include "sdb_ast.h"
#include "session/session.h"
#include "storage/engine.h"
#include "txn/txn.h"
#include "types/timezone.h"

/* One open database: its catalog (shared by all its sessions). */
typedef struct SdbDatabase {
    SdbOid oid;
    SdbCatalog *catalog;
} SdbDatabase;

struct SdbInstance {
    SdbEngine *engine;
    SdbXactManager *xm;
    SdbSettings settings;     /* the server's values: what RESET goes back to (settings_lock) */
    pthread_mutex_t settings_lock;
    atomic_uint settings_generation; /* +1 at every reload (sdb_instance_reload) */
    char *temp_dir;           /* DATADIR/pgsql_tmp: executor spill files */
    SdbCatalog *postgres;     /* the catalog of database "postgres" (also databases[0]) */
    int lock_fd;              /* the data directory, flock'ed while open; -1 when none */
    SdbCancelBackendFn cancel_backend; /* the server's (pg_cancel_backend), set before sessions run */
    void *cancel_backend_arg;
    pthread_mutex_t lock;     /* databases[] */
    SdbDatabase *databases;
    int ndatabases, databases_cap;
};

/* Where a session's transaction is. */
typedef enum SdbXactState {
    SDB_XACT_NONE,     /* no transaction */
    SDB_XACT_IMPLICIT, /* started by a statement outside a block: ends with it (or at the end of the query string / Sync) */
    SDB_XACT_BLOCK,    /* BEGIN ... COMMIT */
    SDB_XACT_FAILED    /* a block whose statement failed: only COMMIT/ROLLBACK are accepted */
} SdbXactState;

/* A setting changed inside the current transaction: what to go back to on
 * rollback (`prior`), and what to keep on commit (`committed`: the value of
 * the last plain SET, or prior when only SET LOCAL touched it). */
typedef struct SdbSettingUndo {
    int id;
    char *prior;
    char *committed;
    unsigned char prior_source;
    struct SdbSettingUndo *next;
} SdbSettingUndo;

struct SdbPrepared {
    char *name;               /* "" for the unnamed statement */
    SdbArena *arena;          /* owns everything below */
    char *sql;                /* the statement's text */
    SdbNode *stmt;            /* its raw tree */
    int nparams;
    SdbOid *param_types;
    int ncols;
    SdbPlanColumn *cols;      /* result columns (none for utility statements) */
    struct SdbPrepared *next;
};

struct SdbPortal {
    SdbSession *session;
    char *name;
    SdbArena *arena;          /* bound values, the plan, the running state */
    SdbPrepared *prepared;
    SdbDatum *params;
    bool *param_nulls;
    SdbExprContext expr;
    SdbExecContext exec;
    SdbExecState *state;      /* a suspended statement, or NULL */
    SdbBatch *pending;        /* rows of the last batch not sent yet, from pending_from */
    int pending_from;
    uint64_t rows_sent;
    bool done;
    struct SdbPortal *next;
};

/* instance.c: the server's settings under their lock (a reload may change
 * them at any time). */
int sdb_instance_settings_copy(SdbInstance *db, SdbSettings *dst, unsigned *generation);
void sdb_instance_setting_show(SdbInstance *db, int id, char *buf, size_t size);

struct SdbSession {
    SdbInstance *db;
    SdbCatalog *catalog;
    SdbOid db_oid;
    char *user, *dbname;
    SdbSettings settings;
    unsigned settings_generation; /* the instance's, when settings last picked up a reload */
    bool reload_unreported[SDB_SETTING_COUNT]; /* reported settings a reload changed, not yet sent */
    SdbArena *arena;          /* session lifetime (names, time zones) */
    SdbArena *txn_arena;      /* reset at transaction end */
    SdbArena *stmt_arena;     /* reset after every statement */
    const SdbTimeZone *timezone;
    char *timezone_name;      /* the TimeZone value the zone was loaded for */
    const char **search_path; /* parsed search_path */
    int npath;
    char *search_path_text;   /* the value it was parsed from */

    SdbXactState xact;
    SdbTxn txn;
    int isolation;            /* SdbSetting_default_transaction_isolation of the running transaction */
    int statements;           /* statements run in the transaction (the next command id) */
    SdbSettingUndo *undo;

    SdbPrepared *prepared;
    SdbPortal *portals;
    SdbSequenceSession sequences; /* currval/lastval */
    SdbAccessContext access;      /* what the executor's table access uses (engine, catalog, txn, TimeZone, defaults) */
    SdbSessionInfo info;          /* what system information functions and reg* names see (SdbExprContext.session) */
    volatile int cancel;          /* 1: sdb_session_cancel, 2: statement_timeout */
    timer_t timeout_timer;        /* statement_timeout, made on first use */
    bool have_timer;
    const SdbResultSink *sink; /* of the request being served (ParameterStatus at transaction end) */
};

/* Everything a statement runs with. */
typedef struct SdbStatement {
    SdbSession *s;
    const char *sql;          /* the whole query string (positions are relative to it) */
    const char *text;         /* this statement's text, NUL-terminated */
    const SdbResultSink *sink;
    int nparams;
    SdbOid *param_types;
    const SdbDatum *params;
    const bool *param_nulls;
    SdbExprContext expr;
} SdbStatement;

/* instance.c */
int sdb_instance_database(SdbInstance *db, SdbTxn *txn, const char *dbname, SdbDatabase *out);

/* session.c */
int sdb_session_begin_statement(SdbSession *s);
void sdb_session_statement_context(SdbStatement *st, SdbSession *s, const char *sql, const char *text,
                                   const SdbResultSink *sink);
void sdb_session_exec_context(SdbStatement *st, SdbExecContext *ec);
int sdb_session_run(SdbStatement *st, const SdbNode *stmt);
int sdb_session_run_plan(SdbStatement *st, const SdbNode *stmt, int64_t max_rows, SdbPortal *portal,
                         bool *suspended);
int sdb_session_end_statement(SdbSession *s, int rc);
bool sdb_statement_is_plannable(const SdbNode *stmt);
int sdb_session_convert(const SdbExprContext *expr, SdbOid from, SdbOid to, SdbDatum *value);
void sdb_session_notice(const SdbResultSink *sink, const char *sqlstate, const char *message);
int sdb_session_timezone(SdbSession *s);

/* SdbSessionInfo.deparse (deparse.c): `sql`, a DEFAULT or CHECK of relation
 * `relid`, printed as PostgreSQL's pg_get_expr prints the stored form. */
int sdb_session_deparse(void *arg, const char *sql, SdbOid relid, bool pretty, SdbStr *out);
int sdb_session_search_path(SdbSession *s);

/* transaction.c */
int sdb_xact_statement(SdbStatement *st, const SdbTransactionStmt *ts);
int sdb_session_xact_start(SdbSession *s, SdbXactState state);
int sdb_session_xact_commit(SdbSession *s);
void sdb_session_xact_abort(SdbSession *s);
int sdb_session_prevent_block(SdbSession *s, const char *what);

/* variables.c: SET, RESET, SHOW and their transaction-scoped undo */
int sdb_set_statement(SdbStatement *st, const SdbVariableSetStmt *vs);
int sdb_show_statement(SdbStatement *st, const SdbVariableShowStmt *vs);
int sdb_session_set(SdbSession *s, const SdbResultSink *sink, const char *name, const char *value, bool local);
void sdb_settings_end_txn(SdbSession *s, bool committed);
int sdb_session_text_rows(SdbStatement *st, int ncols, const char *const *names, int nrows,
                          const char *const *values);

/* utility.c: EXPLAIN, PREPARE/EXECUTE/DEALLOCATE, TRUNCATE, ANALYZE, CHECKPOINT, LOCK */
int sdb_explain_statement(SdbStatement *st, const SdbExplainStmt *es);
int sdb_prepare_statement(SdbStatement *st, const SdbPrepareStmt *ps);
int sdb_execute_statement(SdbStatement *st, const SdbExecuteStmt *es);
int sdb_deallocate_statement(SdbStatement *st, const SdbDeallocateStmt *ds);
int sdb_truncate_statement(SdbStatement *st, const SdbTruncateStmt *ts);
int sdb_vacuum_statement(SdbStatement *st, const SdbVacuumStmt *vs);
/* analyze_stmt.c: the ANALYZE part of ANALYZE / VACUUM ANALYZE */
int sdb_analyze_statement(SdbStatement *st, const SdbVacuumStmt *vs);
int sdb_lock_statement(SdbStatement *st, const SdbLockStmt *ls);
int sdb_utility_relation(SdbStatement *st, const SdbRangeVar *rv, const SdbRelation **out);
int sdb_session_add_prepared(SdbSession *s, const char *name, const char *sql, const SdbNode *stmt,
                             int nparams, const SdbOid *types, SdbPrepared **out);

/* copy.c */
int sdb_copy_statement(SdbStatement *st, const SdbCopyStmt *cs);

#endif /* SDB_SESSION_SESSION_INT_H */
