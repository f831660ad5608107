/*
 * expr/eval.c: the row-at-a-time evaluator: one case per bound expression
 * node, recursing into the arguments.  Functions are called through
 * sdb_fn_invoke (strict functions see no NULLs).  Column references will be
 * one more case here, reading the current row the planner puts into the
 * context (see README.md).
 */
#include "expr/eval.h"

#include "common/error.h"
#include "types/array.h"
#include "types/typeio.h"

/* What evaluation carries down the tree: the context and the operand of
 * the innermost simple CASE (read by CaseTest). */
typedef struct EvalState {
    const SdbExprContext *ctx;
    SdbDatum case_value;
    bool case_null;
} EvalState;

static int eval(EvalState *st, const SdbExpr *expr, SdbDatum *value, bool *isnull);

static int set_bool(SdbDatum *value, bool *isnull, bool v)
{
    *value = v ? 1 : 0;
    *isnull = false;
    return SDB_OK;
}

static int set_null(SdbDatum *value, bool *isnull)
{
    *value = 0;
    *isnull = true;
    return SDB_OK;
}

/* Evaluate `nargs` arguments into values/nulls (at most SDB_FN_MAX_ARGS). */
static int eval_args(EvalState *st, SdbExpr *const *args, int nargs, SdbDatum *values, bool *nulls)
{
    for (int i = 0; i < nargs; i++)
        if (eval(st, args[i], &values[i], &nulls[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int eval_call(EvalState *st, const SdbFuncInfo *func, SdbExpr *const *args, int nargs, SdbDatum *value,
                     bool *isnull)
{
    SdbDatum values[SDB_FN_MAX_ARGS];
    bool nulls[SDB_FN_MAX_ARGS];
    SdbOid types[SDB_FN_MAX_ARGS];
    for (int i = 0; i < nargs; i++)
        types[i] = args[i]->type;
    if (eval_args(st, args, nargs, values, nulls) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_invoke(func, st->ctx, nargs, types, values, nulls, value, isnull);
}

static int eval_param(EvalState *st, const SdbBoundParam *param, SdbDatum *value, bool *isnull)
{
    const SdbExprContext *ctx = st->ctx;
    if (param->number < 1 || param->number > ctx->nparams)
        return sdb_error(SDB_ERR_UNDEFINED_PARAMETER, "there is no parameter $%d", param->number);
    *value = ctx->params[param->number - 1];
    *isnull = ctx->param_nulls != NULL && ctx->param_nulls[param->number - 1];
    return SDB_OK;
}

/* Cast through text: the argument's output function, the result type's
 * input function with the result typmod. */
static int eval_coerce_via_io(EvalState *st, const SdbBoundCoerceViaIo *node, SdbDatum *value, bool *isnull)
{
    SdbDatum arg;
    if (eval(st, node->arg, &arg, isnull) != SDB_OK || *isnull)
        return *isnull ? set_null(value, isnull) : SDB_ERROR;
    SdbStr text;
    sdb_str_init(&text, st->ctx->arena);
    if (sdb_expr_output(st->ctx, node->arg->type, arg, &text) != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx tctx = {.arena = st->ctx->arena, .timezone = st->ctx->timezone, .now = st->ctx->xact_start,
                       .typid = node->expr.type, .typmod = node->expr.typmod, .reg = sdb_expr_reg_lookup(st->ctx)};
    return sdb_type_input(&tctx, text.len ? text.data : "", value);
}

/* AND/OR with three-valued logic: a deciding value wins over NULL. */
static int eval_and_or(EvalState *st, const SdbBoundBoolExpr *node, SdbDatum *value, bool *isnull)
{
    bool deciding = node->boolop == SDB_EXPR_BOOL_OP_OR, saw_null = false;
    for (int i = 0; i < node->nargs; i++) {
        SdbDatum v;
        bool n;
        if (eval(st, node->args[i], &v, &n) != SDB_OK)
            return SDB_ERROR;
        if (n)
            saw_null = true;
        else if ((v != 0) == deciding)
            return set_bool(value, isnull, deciding);
    }
    return saw_null ? set_null(value, isnull) : set_bool(value, isnull, !deciding);
}

static int eval_bool_expr(EvalState *st, const SdbBoundBoolExpr *node, SdbDatum *value, bool *isnull)
{
    if (node->boolop != SDB_EXPR_BOOL_OP_NOT)
        return eval_and_or(st, node, value, isnull);
    if (eval(st, node->args[0], value, isnull) != SDB_OK)
        return SDB_ERROR;
    return *isnull ? SDB_OK : set_bool(value, isnull, *value == 0);
}

static int eval_null_test(EvalState *st, const SdbBoundNullTest *node, SdbDatum *value, bool *isnull)
{
    SdbDatum v;
    bool n;
    if (eval(st, node->arg, &v, &n) != SDB_OK)
        return SDB_ERROR;
    return set_bool(value, isnull, n == (node->nulltesttype == SDB_EXPR_NULL_TEST_IS_NULL));
}

static int eval_boolean_test(EvalState *st, const SdbBoundBooleanTest *node, SdbDatum *value, bool *isnull)
{
    SdbDatum v;
    bool n;
    if (eval(st, node->arg, &v, &n) != SDB_OK)
        return SDB_ERROR;
    switch (node->booltesttype) {
    case SDB_EXPR_BOOL_TEST_IS_TRUE: return set_bool(value, isnull, !n && v);
    case SDB_EXPR_BOOL_TEST_IS_NOT_TRUE: return set_bool(value, isnull, n || !v);
    case SDB_EXPR_BOOL_TEST_IS_FALSE: return set_bool(value, isnull, !n && !v);
    case SDB_EXPR_BOOL_TEST_IS_NOT_FALSE: return set_bool(value, isnull, n || v);
    case SDB_EXPR_BOOL_TEST_IS_UNKNOWN: return set_bool(value, isnull, n);
    case SDB_EXPR_BOOL_TEST_IS_NOT_UNKNOWN: return set_bool(value, isnull, !n);
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "unknown boolean test %d", (int)node->booltesttype);
}

static int eval_case(EvalState *st, const SdbBoundCaseExpr *node, SdbDatum *value, bool *isnull)
{
    EvalState inner = *st;
    if (node->arg != NULL && eval(st, node->arg, &inner.case_value, &inner.case_null) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < node->nwhens; i++) {
        SdbDatum cond;
        bool n;
        if (eval(&inner, node->conds[i], &cond, &n) != SDB_OK)
            return SDB_ERROR;
        if (!n && cond)
            return eval(st, node->results[i], value, isnull);
    }
    if (node->defresult == NULL)
        return set_null(value, isnull);
    return eval(st, node->defresult, value, isnull);
}

static int eval_coalesce(EvalState *st, const SdbBoundCoalesceExpr *node, SdbDatum *value, bool *isnull)
{
    for (int i = 0; i < node->nargs; i++) {
        if (eval(st, node->args[i], value, isnull) != SDB_OK)
            return SDB_ERROR;
        if (!*isnull)
            return SDB_OK;
    }
    return set_null(value, isnull);
}

/* Call a boolean function on two values, NULL-ness honoured: *result. */
static int call_bool(EvalState *st, const SdbFuncInfo *func, const SdbDatum *values, const bool *nulls,
                     SdbDatum *result, bool *isnull)
{
    return sdb_fn_invoke(func, st->ctx, 2, func->argtypes, values, nulls, result, isnull);
}

static int eval_nullif(EvalState *st, const SdbBoundNullIfExpr *node, SdbDatum *value, bool *isnull)
{
    SdbDatum values[2], eq;
    bool nulls[2], eq_null;
    if (eval_args(st, node->args, 2, values, nulls) != SDB_OK)
        return SDB_ERROR;
    if (!nulls[0] && !nulls[1]) {
        if (call_bool(st, node->func, values, nulls, &eq, &eq_null) != SDB_OK)
            return SDB_ERROR;
        if (!eq_null && eq)
            return set_null(value, isnull);
    }
    *value = values[0];
    *isnull = nulls[0];
    return SDB_OK;
}

/* array[i][j]...: NULL for a NULL array or subscript, a subscript out of
 * range, or as many subscripts as the array has not dimensions. */
static int eval_subscript(EvalState *st, const SdbBoundSubscriptingRef *node, SdbDatum *value, bool *isnull)
{
    SdbDatum values[SDB_ARRAY_MAXDIM + 1];
    bool nulls[SDB_ARRAY_MAXDIM + 1];
    if (eval_args(st, node->args, node->nargs, values, nulls) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < node->nargs; i++)
        if (nulls[i])
            return set_null(value, isnull);
    SdbArray a;
    if (sdb_array_deconstruct(st->ctx->arena, values[0], &a) != SDB_OK)
        return SDB_ERROR;
    int nsubs = node->nargs - 1;
    if (nsubs != a.ndim)
        return set_null(value, isnull);
    int64_t offset = 0;
    for (int d = 0; d < nsubs; d++) {
        int64_t sub = sdb_datum_to_int64(values[d + 1]) - a.lbound[d];
        if (sub < 0 || sub >= a.dims[d])
            return set_null(value, isnull);
        offset = offset * a.dims[d] + sub;
    }
    *value = a.values[offset];
    *isnull = a.nulls[offset];
    return SDB_OK;
}

static int eval_distinct(EvalState *st, const SdbBoundDistinctExpr *node, SdbDatum *value, bool *isnull)
{
    SdbDatum values[2], eq;
    bool nulls[2], eq_null;
    if (eval_args(st, node->args, 2, values, nulls) != SDB_OK)
        return SDB_ERROR;
    if (nulls[0] || nulls[1])
        return set_bool(value, isnull, nulls[0] != nulls[1]);
    if (call_bool(st, node->func, values, nulls, &eq, &eq_null) != SDB_OK)
        return SDB_ERROR;
    return set_bool(value, isnull, !eq);
}

static int eval_min_max(EvalState *st, const SdbBoundMinMaxExpr *node, SdbDatum *value, bool *isnull)
{
    const SdbTypeOps *ops = sdb_type_ops(node->expr.type);
    bool greatest = node->op == SDB_EXPR_MIN_MAX_GREATEST;
    set_null(value, isnull);
    for (int i = 0; i < node->nargs; i++) {
        SdbDatum v;
        bool n;
        if (eval(st, node->args[i], &v, &n) != SDB_OK)
            return SDB_ERROR;
        if (n)
            continue;
        if (*isnull || (greatest ? ops->compare(v, *value) > 0 : ops->compare(v, *value) < 0)) {
            *value = v;
            *isnull = false;
        }
    }
    return SDB_OK;
}

/* One item of x op ANY/ALL: *decided when x op item settles the result
 * (true for ANY, false for ALL); a NULL comparison is remembered. */
static int scalar_array_item(EvalState *st, const SdbBoundScalarArrayOp *node, const SdbDatum *pair,
                             const bool *nulls, bool *saw_null, bool *decided)
{
    SdbDatum r;
    bool rn;
    if (call_bool(st, node->func, pair, nulls, &r, &rn) != SDB_OK)
        return SDB_ERROR;
    if (rn)
        *saw_null = true;
    else if ((r != 0) == node->use_or)
        *decided = true;
    return SDB_OK;
}

/* x op ANY/ALL (array value): a NULL array gives NULL, an empty one false
 * (ANY) or true (ALL) whatever x is, as PostgreSQL. */
static int scalar_array_items(EvalState *st, const SdbBoundScalarArrayOp *node, SdbDatum *pair, bool *nulls,
                              bool *saw_null, bool *decided, bool *array_null)
{
    SdbArray a;
    if (eval(st, node->args[1], &pair[1], array_null) != SDB_OK)
        return SDB_ERROR;
    if (*array_null)
        return SDB_OK;
    if (sdb_array_deconstruct(st->ctx->arena, pair[1], &a) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems && !*decided; i++) {
        pair[1] = a.values[i];
        nulls[1] = a.nulls[i];
        if (scalar_array_item(st, node, pair, nulls, saw_null, decided) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* x op ANY/ALL (list or array): OR/AND of x op item, with SQL's NULL rules. */
static int eval_scalar_array_op(EvalState *st, const SdbBoundScalarArrayOp *node, SdbDatum *value, bool *isnull)
{
    SdbDatum pair[2];
    bool nulls[2], saw_null = false, decided = false, array_null = false;
    if (eval(st, node->args[0], &pair[0], &nulls[0]) != SDB_OK)
        return SDB_ERROR;
    if (node->array_arg && scalar_array_items(st, node, pair, nulls, &saw_null, &decided, &array_null) != SDB_OK)
        return SDB_ERROR;
    for (int i = 1; i < node->nargs && !node->array_arg && !decided; i++)
        if (eval(st, node->args[i], &pair[1], &nulls[1]) != SDB_OK ||
            scalar_array_item(st, node, pair, nulls, &saw_null, &decided) != SDB_OK)
            return SDB_ERROR;
    if (decided)
        return set_bool(value, isnull, node->use_or);
    return saw_null || array_null ? set_null(value, isnull) : set_bool(value, isnull, !node->use_or);
}

static int eval(EvalState *st, const SdbExpr *expr, SdbDatum *value, bool *isnull)
{
    switch (expr->tag) {
    case SDB_E_CONST: {
        const SdbBoundConst *c = (const SdbBoundConst *)expr;
        *value = c->value;
        *isnull = c->isnull;
        return SDB_OK;
    }
    case SDB_E_PARAM:
        return eval_param(st, (const SdbBoundParam *)expr, value, isnull);
    case SDB_E_FUNC_EXPR: {
        const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)expr;
        return eval_call(st, f->func, f->args, f->nargs, value, isnull);
    }
    case SDB_E_OP_EXPR: {
        const SdbBoundOpExpr *o = (const SdbBoundOpExpr *)expr;
        return eval_call(st, o->func, o->args, o->nargs, value, isnull);
    }
    case SDB_E_RELABEL_TYPE:
        return eval(st, ((const SdbBoundRelabelType *)expr)->arg, value, isnull);
    case SDB_E_COERCE_VIA_IO:
        return eval_coerce_via_io(st, (const SdbBoundCoerceViaIo *)expr, value, isnull);
    case SDB_E_BOOL_EXPR:
        return eval_bool_expr(st, (const SdbBoundBoolExpr *)expr, value, isnull);
    case SDB_E_NULL_TEST:
        return eval_null_test(st, (const SdbBoundNullTest *)expr, value, isnull);
    case SDB_E_BOOLEAN_TEST:
        return eval_boolean_test(st, (const SdbBoundBooleanTest *)expr, value, isnull);
    case SDB_E_CASE_EXPR:
        return eval_case(st, (const SdbBoundCaseExpr *)expr, value, isnull);
    case SDB_E_CASE_TEST:
        *value = st->case_value;
        *isnull = st->case_null;
        return SDB_OK;
    case SDB_E_COALESCE_EXPR:
        return eval_coalesce(st, (const SdbBoundCoalesceExpr *)expr, value, isnull);
    case SDB_E_NULL_IF_EXPR:
        return eval_nullif(st, (const SdbBoundNullIfExpr *)expr, value, isnull);
    case SDB_E_MIN_MAX_EXPR:
        return eval_min_max(st, (const SdbBoundMinMaxExpr *)expr, value, isnull);
    case SDB_E_SCALAR_ARRAY_OP:
        return eval_scalar_array_op(st, (const SdbBoundScalarArrayOp *)expr, value, isnull);
    case SDB_E_DISTINCT_EXPR:
        return eval_distinct(st, (const SdbBoundDistinctExpr *)expr, value, isnull);
    case SDB_E_SUBSCRIPTING_REF:
        return eval_subscript(st, (const SdbBoundSubscriptingRef *)expr, value, isnull);
    case SDB_E_VAR:
    case SDB_E_AGGREF:
    case SDB_E_WINDOW_FUNC:
    case SDB_E_GROUPING_FUNC:
    case SDB_E_SUB_PLAN:
    case SDB_E_ARRAY_EXPR:
        if (st->ctx->exec_hook != NULL)
            return st->ctx->exec_hook(st->ctx, expr, value, isnull);
        break;
    case SDB_E_INVALID:
    case SDB_E_COUNT:
        break;
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot evaluate expression node %s", sdb_expr_tag_name(expr->tag));
}

int sdb_expr_eval(const SdbExpr *expr, const SdbExprContext *ctx, SdbDatum *value, bool *isnull)
{
    EvalState st = {.ctx = ctx, .case_null = true};
    return eval(&st, expr, value, isnull);
}

int sdb_expr_output(const SdbExprContext *ctx, SdbOid type, SdbDatum value, SdbStr *out)
{
    SdbTypeCtx tctx = {.arena = ctx->arena, .timezone = ctx->timezone, .now = ctx->xact_start, .typid = type,
                       .typmod = -1, .reg = sdb_expr_reg_lookup(ctx)};
    return sdb_type_output(&tctx, value, out);
}
