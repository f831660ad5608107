/*
 * expr/fmgr.h: the calling convention of every scalar function of
 * spec/functions.toml (see README.md), the evaluation context functions and
 * the evaluator share, and helpers for reading arguments and setting results.
 *
 * A function is `int fn(SdbFnCall *call)`: it reads call->args[0..nargs)
 * (of the types call->argtypes), sets call->result (or call->result_null)
 * and returns SDB_OK, or records an error with sdb_error() and returns
 * SDB_ERROR.  A strict function is never called with a NULL argument.
 * By-reference results are allocated in call->arena.
 */
#ifndef SDB_EXPR_FMGR_H
#define SDB_EXPR_FMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdb_functions.h"
#include "sdb_expr.h"
#include "types/datum.h"

/* Most arguments a function call may pass (PostgreSQL's FUNC_MAX_ARGS). */
#define SDB_FN_MAX_ARGS 100

typedef struct SdbExprContext SdbExprContext;

/* The executor's part of evaluation: the value of a node only it can
 * compute (a Var of the current row, an Aggref/WindowFunc/GroupingFunc read
 * above its operator, a SubPlan, an ArrayExpr), given the same context. */
typedef int (*SdbExecHook)(const SdbExprContext *ctx, const SdbExpr *expr, SdbDatum *value, bool *isnull);

struct SdbCatalog;
struct SdbTxn;

/* What the system information functions (fn_system.c: version(),
 * current_user, current_setting, has_table_privilege, pg_get_indexdef ...)
 * and the reg* types' names need from the session.  The session owns it,
 * fills it with sdb_session_info_init and keeps catalog/txn/search_path
 * current; SdbExprContext.session points at it. */
typedef struct SdbSessionInfo {
    SdbRegLookup reg;                /* reg* names (set by sdb_session_info_init), handed to type I/O */
    const char *user;                /* current_user = session_user */
    const char *database;            /* current_database() */
    int32_t backend_pid;             /* pg_backend_pid() */
    struct SdbCatalog *catalog;      /* the database's catalog */
    struct SdbTxn *txn;              /* the running transaction (catalog lookups) */
    const char *const *search_path;  /* the parsed search_path ("$user" as written) */
    int npath;
    const struct SdbSettings *settings; /* the session's current values (pg_settings) */
    const struct SdbSettings *reset_settings; /* what RESET returns to (pg_settings.reset_val); NULL: settings */
    void *arg;                       /* the session, for show and set */
    /* A setting's value as SHOW prints it: SDB_OK, or 42704 recorded. */
    int (*show)(void *arg, const char *name, char *buf, size_t size);
    /* SET [LOCAL] name = value (set_config): SDB_OK or the error recorded. */
    int (*set)(void *arg, const char *name, const char *value, bool local);
    volatile int *cancel;            /* non-zero: the statement is canceled (pg_sleep polls it); may be NULL */
    /* pg_cancel_backend: cancel the statement of the session with this
     * backend PID (arg as for show); false when there is none. */
    bool (*cancel_backend)(void *arg, int32_t pid);
    /* pg_get_expr, pg_get_constraintdef: `sql` (a DEFAULT or CHECK the
     * catalog keeps as text) of relation `relid`, printed to `out` as
     * PostgreSQL prints the stored expression (expr/deparse.h; pretty:
     * parentheses only where needed).  SDB_OK or the error recorded. */
    int (*deparse)(void *arg, const char *sql, SdbOid relid, bool pretty, struct SdbStr *out);
} SdbSessionInfo;

/* Point info->reg at the catalog lookups of fn_system.c (arg = info). */
void sdb_session_info_init(SdbSessionInfo *info);

/* The reg* lookups of the context's session (NULL outside a session), for
 * an SdbTypeCtx. */
const SdbRegLookup *sdb_expr_reg_lookup(const SdbExprContext *ctx);

/* What evaluating expressions needs from outside: where results go, the
 * session settings functions see, the values of $n parameters, and the
 * executor's hook and state for the current row. */
struct SdbExprContext {
    SdbArena *arena;             /* results (and scratch) of evaluation */
    const SdbTimeZone *timezone; /* the TimeZone setting; NULL means UTC */
    int64_t xact_start;          /* transaction start (timestamptz microseconds): now() */
    int nparams;
    const SdbDatum *params;      /* $1..$nparams, typed as bound */
    const bool *param_nulls;
    SdbExecHook exec_hook;       /* NULL outside the executor */
    void *exec_state;            /* the executor's, for exec_hook */
    struct SdbAccessContext *access; /* tables and sequences (nextval ...); NULL outside a session */
    const SdbSessionInfo *session;   /* session and catalog facts (fn_system.c); NULL outside a session */
};

struct SdbFnCall {
    const SdbFuncInfo *func;        /* the function called (declared argument types, result type) */
    const SdbExprContext *context;  /* settings, transaction start */
    SdbArena *arena;                /* = context->arena: where results go */
    int nargs;                      /* more than func->nargs for a variadic function */
    const SdbOid *argtypes;         /* the arguments' actual types ("any" arguments keep their own) */
    SdbDatum args[SDB_FN_MAX_ARGS];
    bool nulls[SDB_FN_MAX_ARGS];    /* all false for a strict function */
    SdbDatum result;
    bool result_null;
};

/* A set-returning function (spec `returns_set = true`) is
 * `int fn(SdbSrfCall *call)`, called once per row of the set: it sets
 * call->result (or result_null) and returns SDB_OK, or sets call->done when
 * the set is over (then result is not read), or records an error.  The first
 * call finds call->state NULL: the function checks its arguments there and
 * keeps what it needs between calls in call->state, allocated in
 * call->state_arena (which lives as long as the set).  A row's by-reference
 * result goes in call->arena, which the caller may reset after reading it.
 * The arguments stay valid until the set ends.  A strict function is not
 * called when an argument is NULL: its set is empty.  Drive it with
 * sdb_srf_begin/sdb_srf_next.  A function with OUT columns (spec `out`,
 * func->nout > 0, result record) sets each row's outs[0..nout) and
 * out_nulls (cleared before every call) instead of result. */
struct SdbSrfCall {
    const SdbFuncInfo *func;        /* the function called */
    const SdbExprContext *context;  /* settings, transaction start */
    SdbArena *arena;                /* = context->arena: each row's result */
    SdbArena *state_arena;          /* call->state and what it points to */
    int nargs;
    const SdbOid *argtypes;         /* the arguments' actual types */
    SdbOid rettype;                 /* the concrete result type (polymorphic ones resolved) */
    const SdbDatum *args;           /* valid until the set ends */
    const bool *nulls;
    void *state;                    /* the function's, NULL before the first call */
    SdbDatum result;
    bool result_null;
    bool done;                      /* set by the function: no more rows */
    SdbDatum outs[SDB_FN_MAX_ARGS]; /* func->nout > 0: the row's OUT column values */
    bool out_nulls[SDB_FN_MAX_ARGS];
};

/* Start the set of `func` (retset) over `nargs` arguments that stay valid
 * until the set ends; strict with a NULL argument: an empty set. */
void sdb_srf_begin(SdbSrfCall *call, const SdbFuncInfo *func, const SdbExprContext *ctx, SdbArena *state_arena,
                   int nargs, const SdbOid *argtypes, SdbOid rettype, const SdbDatum *args, const bool *nulls);

/* The next row of the set into call->result / result_null; *done (and no
 * row) when the set is over. */
int sdb_srf_next(SdbSrfCall *call, bool *done);

/* Argument `i`'s type and the result type. */
static inline SdbOid sdb_fn_argtype(const SdbFnCall *call, int i) { return call->argtypes[i]; }
static inline SdbOid sdb_fn_rettype(const SdbFnCall *call) { return call->func->rettype; }

/* Argument `i` as a C value. */
static inline int64_t sdb_fn_arg_int(const SdbFnCall *call, int i) { return sdb_datum_to_int64(call->args[i]); }
static inline bool sdb_fn_arg_bool(const SdbFnCall *call, int i) { return call->args[i] != 0; }
static inline const SdbVarlena *sdb_fn_arg_text(const SdbFnCall *call, int i) { return sdb_datum_varlena(call->args[i]); }

/* Set the result from a C value; SDB_OK. */
static inline int sdb_fn_return_int(SdbFnCall *call, int64_t v) { call->result = sdb_datum_from_int64(v); return SDB_OK; }
static inline int sdb_fn_return_bool(SdbFnCall *call, bool v) { call->result = v ? 1 : 0; return SDB_OK; }

/* Set a text (or varchar, bytea ...) result holding a copy of `len` bytes:
 * SDB_OK, or SDB_ERROR with 53200 recorded. */
int sdb_fn_return_text(SdbFnCall *call, const void *data, size_t len);

/* Call `func` on `nargs` arguments of types `argtypes` (NULL flags in
 * `nulls`), honouring strictness: the result in *result / *isnull. */
int sdb_fn_invoke(const SdbFuncInfo *func, const SdbExprContext *ctx, int nargs, const SdbOid *argtypes,
                  const SdbDatum *args, const bool *nulls, SdbDatum *result, bool *isnull);

#endif /* SDB_EXPR_FMGR_H */
