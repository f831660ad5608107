/*
 * expr/eval.h: row-at-a-time evaluation of bound expressions (sdb_expr.h)
 * and output of a value as text.
 */
#ifndef SDB_EXPR_EVAL_H
#define SDB_EXPR_EVAL_H

#include <stdbool.h>

#include "common/str.h"
#include "expr/fmgr.h"
#include "sdb_expr.h"

/* Evaluate `expr` in `ctx`: its value in *value, or *isnull true.  By
 * reference results are allocated in ctx->arena.  SDB_OK, or SDB_ERROR with
 * the error of the function that failed. */
int sdb_expr_eval(const SdbExpr *expr, const SdbExprContext *ctx, SdbDatum *value, bool *isnull);

/* Append the text form of a value of `type` (as its output function writes
 * it, with ctx's TimeZone) to `out`. */
int sdb_expr_output(const SdbExprContext *ctx, SdbOid type, SdbDatum value, SdbStr *out);

#endif /* SDB_EXPR_EVAL_H */
