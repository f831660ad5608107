/*
 * expr/agg.h: the calling convention of aggregates and window functions
 * (spec/aggregates.toml; see README.md "Aggregates and window functions"),
 * and the wrappers the executor calls them through.
 *
 * An aggregate keeps a per-group state of func->agg->state_size bytes that
 * the executor allocates and keeps; its C functions are
 *
 *     int init(SdbAggCall *call);     set up call->state (zeroed before)
 *     int step(SdbAggCall *call);     fold call->args[0..nargs) of one row in
 *     int final(SdbAggCall *call);    call->result / call->result_null
 *     int combine(SdbAggCall *call, const void *other_state);   optional
 *
 * A window function is `int fn(SdbWindowCall *call)`: it computes the value
 * for the current row of a partition, reading argument values at any row of
 * the partition through call->get_arg.
 *
 * All return SDB_OK, or record an error with sdb_error() (PostgreSQL's
 * SQLSTATE and message) and return SDB_ERROR.
 */
#ifndef SDB_EXPR_AGG_H
#define SDB_EXPR_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "expr/fmgr.h"

/* One aggregate call's frame: the executor fills func, context, arena,
 * nargs, argtypes and rettype once, points `state` at each group's state
 * in turn, and sets args/nulls before every step. */
struct SdbAggCall {
    const SdbFuncInfo *func;       /* the aggregate (func->agg: its C functions) */
    const SdbExprContext *context; /* settings; context->arena is scratch: it may be reset between calls */
    SdbArena *arena;               /* lives as long as the states: by-reference state pieces and results */
    void *state;                   /* func->agg->state_size bytes */
    int nargs;                     /* func->nargs (count(*): 0) */
    const SdbOid *argtypes;        /* the arguments' actual types (polymorphic ones resolved) */
    SdbOid rettype;                /* the actual result type (the Aggref's type) */
    bool descending;               /* ordered-set aggregates: WITHIN GROUP (ORDER BY ... DESC) */
    SdbDatum args[SDB_FN_MAX_ARGS];
    bool nulls[SDB_FN_MAX_ARGS];
    SdbDatum result;               /* set by final; by reference: in call->arena */
    bool result_null;
};

/* Zero call->state and run the aggregate's init. */
int sdb_agg_init(SdbAggCall *call);

/* Fold one row (call->args/nulls) into call->state; a strict aggregate
 * skips a row with a NULL argument (count(x) counts non-null x).  DISTINCT,
 * FILTER and ORDER BY inside the call are the executor's: it passes only
 * the rows that survive them, in the wanted order. */
int sdb_agg_step(SdbAggCall *call);

/* The aggregate's value for call->state (NULL over no rows, except count:
 * 0).  The state stays valid: final may run again after more steps (a
 * window frame that grows). */
int sdb_agg_final(SdbAggCall *call);

/* Merge `other_state` (of the same aggregate, same argument types) into
 * call->state: for spilled or parallel partial aggregation.  Only when
 * func->agg->combine is not NULL. */
int sdb_agg_combine(SdbAggCall *call, const void *other_state);

/* One window function call for the current row of a partition.  Rows are
 * numbered 0..partition_rows-1 in window order. */
typedef struct SdbWindowCall SdbWindowCall;

/* The executor's callback: argument `argno` evaluated at partition row
 * `row`.  By-reference values must stay valid until the call returns. */
typedef int (*SdbWindowGetArg)(SdbWindowCall *call, int argno, int64_t row, SdbDatum *value, bool *isnull);

/* The frame's k-th row (0 <= k < frame_rows) when the frame is not one
 * contiguous run (EXCLUDE); the executor's callback. */
typedef int64_t (*SdbWindowFrameRow)(SdbWindowCall *call, int64_t k);

struct SdbWindowCall {
    const SdbFuncInfo *func;       /* the window function (func->window) */
    const SdbExprContext *context; /* settings; context->arena is scratch */
    SdbArena *arena;               /* where by-reference results go */
    int nargs;
    const SdbOid *argtypes;        /* the arguments' actual types */
    SdbOid rettype;                /* the actual result type (the WindowFunc's type) */
    int64_t partition_rows;        /* rows in the partition */
    int64_t row;                   /* the current row */
    int64_t peer_group;            /* 0-based number of the current row's peer group */
    int64_t peer_start, peer_end;  /* first and last row of the current row's peer group */
    int64_t frame_start;           /* first row of the frame */
    int64_t frame_rows;            /* rows in the frame (0: empty) */
    SdbWindowFrameRow frame_row;   /* NULL: the frame is frame_start .. frame_start + frame_rows - 1 */
    SdbWindowGetArg get_arg;
    void *exec_state;              /* the executor's, for its callbacks */
    SdbDatum result;
    bool result_null;
};

/* The frame's k-th row (0 <= k < call->frame_rows). */
static inline int64_t sdb_win_frame_row(SdbWindowCall *call, int64_t k)
{
    return call->frame_row ? call->frame_row(call, k) : call->frame_start + k;
}

/* Run call->func's window function for the current row: result_null reset,
 * then the function. */
int sdb_window_call(SdbWindowCall *call);

#endif /* SDB_EXPR_AGG_H */
