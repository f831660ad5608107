/*
 * exec/exec.h: running an optimized plan (sdb_plan.h) in batches, and
 * EXPLAIN [ANALYZE] output.
 */
#ifndef SDB_EXEC_EXEC_H
#define SDB_EXEC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "common/str.h"
#include "exec/batch.h"
#include "expr/fmgr.h"
#include "sdb_plan.h"
#include "txn/txn.h"

struct SdbEngine;

/* What a running statement needs from its session. */
typedef struct SdbExecContext {
    struct SdbEngine *engine;
    SdbCatalog *catalog;
    SdbTxn *txn;
    SdbArena *arena;             /* statement lifetime */
    const SdbExprContext *expr;  /* settings, transaction start, $n parameter values */
    int64_t work_mem;            /* bytes a sort or hash table may hold before spilling */
    const char *temp_dir;        /* where spill files go */
    volatile int *cancel;        /* non-zero: stop with 57014 at the next batch */
    /* Optional: the session's table access settings (DEFAULT evaluation for
     * SET DEFAULT actions, sequences, relation lookup); NULL: engine,
     * catalog and txn above only.  Its arena is replaced by the executor's. */
    const struct SdbAccessContext *access;
} SdbExecContext;

typedef struct SdbExecState SdbExecState;

/* Prepare `plan` (optimized) to run; NULL with the error recorded. */
SdbExecState *sdb_exec_start(SdbExecContext *ctx, SdbPlan *plan);

/* The next batch of result rows in *out (columns as plan->cols), or *out =
 * NULL at the end.  The batch stays valid until the next call. */
int sdb_exec_next(SdbExecState *st, SdbBatch **out);

/* Rows inserted/updated/deleted by a modifying plan so far (command tags). */
uint64_t sdb_exec_rows_affected(const SdbExecState *st);
/* After an error (40001): whether the failed statement wrote nothing and
 * only met a row updated by a transaction that committed since its
 * snapshot (READ COMMITTED), so it may simply run again on a new one. */
bool sdb_exec_restartable(const SdbExecState *st);

/* Release everything (temp files too); safe after an error. */
void sdb_exec_end(SdbExecState *st);

/* EXPLAIN: PostgreSQL-like text, one line per output row appended to
 * `lines` separated by '\n'.  With `analyze`, runs the plan (discarding
 * its rows) and adds actual rows, loops and times. */
int sdb_explain(SdbExecContext *ctx, SdbPlan *plan, bool analyze, bool costs, SdbStr *lines);

#endif /* SDB_EXEC_EXEC_H */
