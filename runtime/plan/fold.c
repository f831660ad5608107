/*
 * plan/fold.c: rule 1, constant folding.  Immutable function and operator
 * calls over constants are evaluated now (sdb_expr_eval without an
 * executor), strict calls with a NULL constant argument become NULL, and
 * AND/OR/NOT/CASE/COALESCE with constant arguments are simplified.
 *
 * Errors: folding raises them as PostgreSQL's planner does (SELECT 1/0
 * FROM t WHERE false fails, and so does x > 0 AND 1/0 = 1; an AND/OR
 * stops at its first absorbing constant, so false AND 1/0 = 1 is false),
 * except where the value might never be needed: a CASE result, a WHEN
 * condition after the first, a COALESCE argument after the first are left
 * unfolded when folding them fails, for execution to raise the error only
 * if it evaluates them.  CASE WHEN false THEN 1/0 END never errors.
 */
#include <string.h>

#include "expr/eval.h"
#include "plan/opt_int.h"

static int fold_list(Opt *o, SdbExpr **items, int n, bool may_raise)
{
    for (int i = 0; i < n; i++)
        if (opt_fold_expr(o, &items[i], may_raise) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static bool all_const(SdbExpr *const *items, int n)
{
    for (int i = 0; i < n; i++)
        if (items[i]->tag != SDB_E_CONST)
            return false;
    return true;
}

static bool any_null_const(SdbExpr *const *items, int n)
{
    for (int i = 0; i < n; i++)
        if (items[i]->tag == SDB_E_CONST && ((SdbBoundConst *)items[i])->isnull)
            return true;
    return false;
}

static SdbExpr *make_const(Opt *o, const SdbExpr *like, SdbDatum value, bool isnull)
{
    SdbBoundConst *c = sdb_new_bound_const(o->arena, like->type);
    if (c == NULL)
        return NULL;
    c->expr.typmod = like->typmod;
    c->value = isnull ? 0 : value;
    c->isnull = isnull;
    c->location = -1;
    return &c->expr;
}

/* Replace *slot by its value; an error is raised only when may_raise. */
static int fold_eval(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbDatum value = 0;
    bool isnull = false;
    if (sdb_expr_eval(*slot, &o->eval, &value, &isnull) != SDB_OK) {
        if (may_raise)
            return SDB_ERROR;
        sdb_error_clear();
        return SDB_OK;
    }
    SdbExpr *c = make_const(o, *slot, value, isnull);
    if (c == NULL)
        return SDB_ERROR;
    *slot = c;
    return SDB_OK;
}

/* A call of `func` over args: evaluated when immutable over constants,
 * NULL when strict over a NULL constant. */
static int fold_call(Opt *o, SdbExpr **slot, const SdbFuncInfo *func, SdbExpr **args, int nargs, bool may_raise)
{
    if (fold_list(o, args, nargs, may_raise) != SDB_OK)
        return SDB_ERROR;
    if (func->volatility != SDB_VOLATILITY_IMMUTABLE)
        return SDB_OK;
    if (all_const(args, nargs))
        return fold_eval(o, slot, may_raise);
    if (func->strict && any_null_const(args, nargs)) {
        SdbExpr *c = make_const(o, *slot, 0, true);
        if (c == NULL)
            return SDB_ERROR;
        *slot = c;
    }
    return SDB_OK;
}

/* A node calling `func` that is not strict as a whole (NULLIF, IS
 * DISTINCT FROM): folded only when every argument is constant. */
static int fold_nonstrict(Opt *o, SdbExpr **slot, const SdbFuncInfo *func, SdbExpr **args, int nargs,
                          bool may_raise)
{
    if (fold_list(o, args, nargs, may_raise) != SDB_OK)
        return SDB_ERROR;
    return func->volatility == SDB_VOLATILITY_IMMUTABLE && all_const(args, nargs) ? fold_eval(o, slot, may_raise)
                                                                                   : SDB_OK;
}

/* AND / OR: flatten, drop the neutral constant, stop at the absorbing one,
 * keep one NULL. */
static int fold_and_or(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbBoundBoolExpr *b = (SdbBoundBoolExpr *)*slot;
    bool is_and = b->boolop == SDB_EXPR_BOOL_OP_AND;
    OptList args = {0};
    bool seen_null = false;
    for (int i = 0; i < b->nargs; i++) {
        if (opt_fold_expr(o, &b->args[i], may_raise) != SDB_OK)
            return SDB_ERROR;
        SdbExpr *arg = b->args[i];
        SdbBoundBoolExpr *inner = (SdbBoundBoolExpr *)arg;
        if (arg->tag == SDB_E_BOOL_EXPR && inner->boolop == b->boolop) {
            for (int j = 0; j < inner->nargs; j++)
                if (opt_list_add(o, &args, inner->args[j]) != SDB_OK)
                    return SDB_ERROR;
            continue;
        }
        if (arg->tag == SDB_E_CONST) {
            const SdbBoundConst *c = (const SdbBoundConst *)arg;
            if (c->isnull) {
                seen_null = true;
                continue;
            }
            if ((c->value != 0) == is_and)
                continue; /* neutral */
            *slot = arg;  /* absorbing: false for AND, true for OR */
            return SDB_OK;
        }
        if (opt_list_add(o, &args, arg) != SDB_OK)
            return SDB_ERROR;
    }
    if (seen_null) {
        SdbExpr *null = opt_make_bool(o, false, true);
        if (null == NULL || opt_list_add(o, &args, null) != SDB_OK)
            return SDB_ERROR;
    }
    if (args.n == 0) {
        *slot = opt_make_bool(o, is_and, false);
        return *slot != NULL ? SDB_OK : SDB_ERROR;
    }
    if (args.n == 1) {
        *slot = args.items[0];
        return SDB_OK;
    }
    b->args = args.items;
    b->nargs = args.n;
    return SDB_OK;
}

static int fold_not(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbBoundBoolExpr *b = (SdbBoundBoolExpr *)*slot;
    if (opt_fold_expr(o, &b->args[0], may_raise) != SDB_OK)
        return SDB_ERROR;
    SdbExpr *arg = b->args[0];
    if (arg->tag == SDB_E_CONST) {
        const SdbBoundConst *c = (const SdbBoundConst *)arg;
        *slot = opt_make_bool(o, !c->isnull && c->value == 0, c->isnull);
        return *slot != NULL ? SDB_OK : SDB_ERROR;
    }
    const SdbBoundBoolExpr *inner = (const SdbBoundBoolExpr *)arg;
    if (arg->tag == SDB_E_BOOL_EXPR && inner->boolop == SDB_EXPR_BOOL_OP_NOT)
        *slot = inner->args[0];
    return SDB_OK;
}

/* CASE: WHEN branches with a constant false/NULL condition go (their result
 * unfolded), a constant true condition ends the CASE; results are folded
 * only where errors can wait for execution. */
static int fold_case(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbBoundCaseExpr *c = (SdbBoundCaseExpr *)*slot;
    if (opt_fold_expr(o, &c->arg, may_raise) != SDB_OK)
        return SDB_ERROR;
    int kept = 0;
    for (int i = 0; i < c->nwhens; i++) {
        if (opt_fold_expr(o, &c->conds[i], may_raise && kept == 0) != SDB_OK)
            return SDB_ERROR;
        if (c->arg == NULL && opt_expr_is_false(c->conds[i]))
            continue;
        if (c->arg == NULL && opt_expr_is_true(c->conds[i])) {
            c->defresult = c->results[i];
            break;
        }
        if (opt_fold_expr(o, &c->results[i], false) != SDB_OK)
            return SDB_ERROR;
        c->conds[kept] = c->conds[i];
        c->results[kept] = c->results[i];
        kept++;
    }
    c->nwhens = kept;
    if (opt_fold_expr(o, &c->defresult, may_raise && kept == 0) != SDB_OK)
        return SDB_ERROR;
    if (kept > 0)
        return SDB_OK;
    if (c->defresult != NULL) {
        *slot = c->defresult;
        return SDB_OK;
    }
    *slot = make_const(o, *slot, 0, true);
    return *slot != NULL ? SDB_OK : SDB_ERROR;
}

/* COALESCE: NULL constants go, a non-NULL constant ends the list. */
static int fold_coalesce(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbBoundCoalesceExpr *c = (SdbBoundCoalesceExpr *)*slot;
    int kept = 0;
    for (int i = 0; i < c->nargs; i++) {
        if (opt_fold_expr(o, &c->args[i], may_raise && kept == 0) != SDB_OK)
            return SDB_ERROR;
        SdbExpr *arg = c->args[i];
        if (arg->tag == SDB_E_CONST && ((SdbBoundConst *)arg)->isnull)
            continue;
        c->args[kept++] = arg;
        if (arg->tag == SDB_E_CONST)
            break;
    }
    c->nargs = kept;
    if (kept == 0) {
        *slot = make_const(o, *slot, 0, true);
        return *slot != NULL ? SDB_OK : SDB_ERROR;
    }
    if (kept == 1 && c->args[0]->type == c->expr.type)
        *slot = c->args[0];
    return SDB_OK;
}

/* A cast through text whose input function may read the TimeZone or the
 * clock ('now', 'today') stays for execution. */
static bool io_cast_immutable(const SdbExpr *from, const SdbExpr *to)
{
    const SdbTypeInfo *a = sdb_type_by_oid(from->type), *b = sdb_type_by_oid(to->type);
    return a != NULL && b != NULL && a->category != 'D' && b->category != 'D';
}

/* A node of no function but the type's comparison (NULL test, boolean
 * test, GREATEST/LEAST) over constants. */
static int fold_simple(Opt *o, SdbExpr **slot, SdbExpr **args, int nargs, bool may_raise)
{
    if (fold_list(o, args, nargs, may_raise) != SDB_OK)
        return SDB_ERROR;
    return all_const(args, nargs) ? fold_eval(o, slot, may_raise) : SDB_OK;
}

int opt_fold_expr(Opt *o, SdbExpr **slot, bool may_raise)
{
    SdbExpr *e = *slot;
    if (e == NULL)
        return SDB_OK;
    switch (e->tag) {
    case SDB_E_FUNC_EXPR: {
        SdbBoundFuncExpr *f = (SdbBoundFuncExpr *)e;
        return fold_call(o, slot, f->func, f->args, f->nargs, may_raise);
    }
    case SDB_E_OP_EXPR: {
        SdbBoundOpExpr *f = (SdbBoundOpExpr *)e;
        return fold_call(o, slot, f->func, f->args, f->nargs, may_raise);
    }
    case SDB_E_NULL_IF_EXPR: { /* not strict: NULLIF(x, NULL) is x */
        SdbBoundNullIfExpr *f = (SdbBoundNullIfExpr *)e;
        return fold_nonstrict(o, slot, f->func, f->args, f->nargs, may_raise);
    }
    case SDB_E_DISTINCT_EXPR: {
        SdbBoundDistinctExpr *f = (SdbBoundDistinctExpr *)e;
        return fold_nonstrict(o, slot, f->func, f->args, f->nargs, may_raise);
    }
    case SDB_E_SCALAR_ARRAY_OP: {
        SdbBoundScalarArrayOp *f = (SdbBoundScalarArrayOp *)e;
        if (fold_list(o, f->args, f->nargs, may_raise) != SDB_OK)
            return SDB_ERROR;
        return f->func->volatility == SDB_VOLATILITY_IMMUTABLE && all_const(f->args, f->nargs)
                   ? fold_eval(o, slot, may_raise)
                   : SDB_OK;
    }
    case SDB_E_RELABEL_TYPE: {
        SdbBoundRelabelType *r = (SdbBoundRelabelType *)e;
        if (opt_fold_expr(o, &r->arg, may_raise) != SDB_OK)
            return SDB_ERROR;
        if (r->arg->tag != SDB_E_CONST)
            return SDB_OK;
        *slot = make_const(o, e, ((SdbBoundConst *)r->arg)->value, ((SdbBoundConst *)r->arg)->isnull);
        return *slot != NULL ? SDB_OK : SDB_ERROR;
    }
    case SDB_E_COERCE_VIA_IO: {
        SdbBoundCoerceViaIo *c = (SdbBoundCoerceViaIo *)e;
        if (opt_fold_expr(o, &c->arg, may_raise) != SDB_OK)
            return SDB_ERROR;
        return c->arg->tag == SDB_E_CONST && io_cast_immutable(c->arg, e) ? fold_eval(o, slot, may_raise) : SDB_OK;
    }
    case SDB_E_BOOL_EXPR:
        return ((SdbBoundBoolExpr *)e)->boolop == SDB_EXPR_BOOL_OP_NOT ? fold_not(o, slot, may_raise)
                                                                        : fold_and_or(o, slot, may_raise);
    case SDB_E_NULL_TEST: return fold_simple(o, slot, &((SdbBoundNullTest *)e)->arg, 1, may_raise);
    case SDB_E_BOOLEAN_TEST: return fold_simple(o, slot, &((SdbBoundBooleanTest *)e)->arg, 1, may_raise);
    case SDB_E_MIN_MAX_EXPR:
        return fold_simple(o, slot, ((SdbBoundMinMaxExpr *)e)->args, ((SdbBoundMinMaxExpr *)e)->nargs, may_raise);
    case SDB_E_SUBSCRIPTING_REF:
        return fold_simple(o, slot, ((SdbBoundSubscriptingRef *)e)->args, ((SdbBoundSubscriptingRef *)e)->nargs,
                           may_raise);
    case SDB_E_CASE_EXPR: return fold_case(o, slot, may_raise);
    case SDB_E_COALESCE_EXPR: return fold_coalesce(o, slot, may_raise);
    case SDB_E_ARRAY_EXPR:
        return fold_list(o, ((SdbBoundArrayExpr *)e)->elements, ((SdbBoundArrayExpr *)e)->nelements, may_raise);
    case SDB_E_AGGREF: {
        /* over no rows the arguments are never evaluated */
        SdbBoundAggref *a = (SdbBoundAggref *)e;
        if (fold_list(o, a->args, a->nargs, false) != SDB_OK || opt_fold_expr(o, &a->filter, false) != SDB_OK)
            return SDB_ERROR;
        return fold_list(o, a->order, a->norder, false);
    }
    case SDB_E_WINDOW_FUNC: {
        SdbBoundWindowFunc *w = (SdbBoundWindowFunc *)e;
        if (fold_list(o, w->args, w->nargs, false) != SDB_OK || opt_fold_expr(o, &w->filter, false) != SDB_OK ||
            fold_list(o, w->partition, w->npartition, false) != SDB_OK ||
            fold_list(o, w->order, w->norder, false) != SDB_OK)
            return SDB_ERROR;
        return SDB_OK;
    }
    case SDB_E_SUB_PLAN: {
        SdbBoundSubPlan *s = (SdbBoundSubPlan *)e;
        if (opt_fold_expr(o, &s->test, false) != SDB_OK)
            return SDB_ERROR;
        return s->plan != NULL ? opt_fold_plan(o, s->plan) : SDB_OK;
    }
    default: return SDB_OK;
    }
}

typedef struct FoldWalk {
    Opt *o;
    bool failed;
} FoldWalk;

static OptWalk fold_top(SdbExpr **slot, int depth, void *arg)
{
    FoldWalk *f = arg;
    (void)depth;
    if (opt_fold_expr(f->o, slot, true) != SDB_OK) {
        f->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_SKIP;
}

int opt_fold_plan(Opt *o, SdbPlan *plan)
{
    FoldWalk f = {o, false};
    SdbExpr *call = plan->tag == SDB_P_FUNCTION_SCAN ? ((SdbPlanFunctionScan *)plan)->call : NULL;
    if (call != NULL && call->tag == SDB_E_FUNC_EXPR) {
        /* a set-returning call: only its arguments are values */
        if (fold_list(o, ((SdbBoundFuncExpr *)call)->args, ((SdbBoundFuncExpr *)call)->nargs, true) != SDB_OK)
            return SDB_ERROR;
    } else if (opt_walk_node(plan, 0, fold_top, &f) == OPT_WALK_STOP || f.failed) {
        return SDB_ERROR;
    }
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan *child = *sdb_plan_child(plan, i);
        if (child != NULL && opt_fold_plan(o, child) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
