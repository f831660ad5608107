/*
 * plan/opt_util.c: the optimizer's shared helpers: sets of binding tables,
 * lists of conditions, walkers over expressions and plan trees, and
 * properties of expressions (volatility, strictness, referenced tables),
 * substitution and copying.
 */
#include <string.h>

#include "plan/opt_int.h"

/* --- sets --- */

void opt_set_clear(OptSet *s) { memset(s, 0, sizeof(*s)); }

void opt_set_add(OptSet *s, int table)
{
    if (table >= 0 && table < OPT_MAX_TABLES)
        s->w[table / 64] |= UINT64_C(1) << (table % 64);
}

bool opt_set_has(const OptSet *s, int table)
{
    return table >= 0 && table < OPT_MAX_TABLES && (s->w[table / 64] >> (table % 64) & 1);
}

void opt_set_union(OptSet *into, const OptSet *s)
{
    for (int i = 0; i < OPT_MAX_TABLES / 64; i++)
        into->w[i] |= s->w[i];
}

bool opt_set_is_empty(const OptSet *s)
{
    for (int i = 0; i < OPT_MAX_TABLES / 64; i++)
        if (s->w[i] != 0)
            return false;
    return true;
}

bool opt_set_subset(const OptSet *a, const OptSet *b)
{
    for (int i = 0; i < OPT_MAX_TABLES / 64; i++)
        if ((a->w[i] & ~b->w[i]) != 0)
            return false;
    return true;
}

bool opt_set_overlaps(const OptSet *a, const OptSet *b)
{
    for (int i = 0; i < OPT_MAX_TABLES / 64; i++)
        if ((a->w[i] & b->w[i]) != 0)
            return true;
    return false;
}

void opt_produced(const SdbPlan *plan, OptSet *out)
{
    switch (plan->tag) {
    case SDB_P_SCAN: opt_set_add(out, ((const SdbPlanScan *)plan)->table); break;
    case SDB_P_VALUES:
        /* an empty Values standing for a pruned subtree keeps its bindings */
        opt_set_add(out, ((const SdbPlanValues *)plan)->table);
        for (int i = 0; i < plan->ncols; i++)
            opt_set_add(out, plan->cols[i].table);
        break;
    case SDB_P_FUNCTION_SCAN: opt_set_add(out, ((const SdbPlanFunctionScan *)plan)->table); break;
    case SDB_P_FILTER: opt_produced(((const SdbPlanFilter *)plan)->child, out); break;
    case SDB_P_SORT: opt_produced(((const SdbPlanSort *)plan)->child, out); break;
    case SDB_P_LIMIT: opt_produced(((const SdbPlanLimit *)plan)->child, out); break;
    case SDB_P_DISTINCT: opt_produced(((const SdbPlanDistinct *)plan)->child, out); break;
    case SDB_P_PROJECT: opt_set_add(out, ((const SdbPlanProject *)plan)->table); break;
    case SDB_P_JOIN: {
        const SdbPlanJoin *join = (const SdbPlanJoin *)plan;
        opt_produced(join->left, out);
        if (join->kind != SDB_JOIN_KIND_SEMI && join->kind != SDB_JOIN_KIND_ANTI)
            opt_produced(join->right, out);
        break;
    }
    case SDB_P_AGGREGATE:
        opt_set_add(out, ((const SdbPlanAggregate *)plan)->group_table);
        opt_set_add(out, ((const SdbPlanAggregate *)plan)->agg_table);
        break;
    case SDB_P_WINDOW:
        opt_produced(((const SdbPlanWindow *)plan)->child, out);
        opt_set_add(out, ((const SdbPlanWindow *)plan)->table);
        break;
    case SDB_P_SET_OP: opt_set_add(out, ((const SdbPlanSetOp *)plan)->table); break;
    case SDB_P_CTE_SCAN: opt_set_add(out, ((const SdbPlanCteScan *)plan)->table); break;
    case SDB_P_RECURSIVE_UNION: opt_set_add(out, ((const SdbPlanRecursiveUnion *)plan)->table); break;
    case SDB_P_WORK_TABLE_SCAN: opt_set_add(out, ((const SdbPlanWorkTableScan *)plan)->table); break;
    case SDB_P_INSERT: opt_set_add(out, ((const SdbPlanInsert *)plan)->returning_table); break;
    case SDB_P_UPDATE: opt_set_add(out, ((const SdbPlanUpdate *)plan)->returning_table); break;
    case SDB_P_DELETE: opt_set_add(out, ((const SdbPlanDelete *)plan)->returning_table); break;
    default: break;
    }
}

static OptWalk add_var_table(SdbExpr **slot, int depth, void *arg)
{
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag == SDB_E_VAR && var->levelsup == depth)
        opt_set_add(arg, var->table);
    return OPT_WALK_CONTINUE;
}

void opt_expr_tables(SdbExpr *expr, OptSet *out) { opt_walk_expr(&expr, 0, add_var_table, out); }

/* --- lists --- */

int opt_list_add(Opt *o, OptList *l, SdbExpr *e)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        SdbExpr **items = sdb_arena_realloc(o->arena, l->items, sizeof(*items) * l->cap, sizeof(*items) * cap);
        if (items == NULL)
            return SDB_ERROR;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = e;
    return SDB_OK;
}

int opt_list_add_conjuncts(Opt *o, OptList *l, SdbExpr *e)
{
    const SdbBoundBoolExpr *b = (const SdbBoundBoolExpr *)e;
    if (e->tag != SDB_E_BOOL_EXPR || b->boolop != SDB_EXPR_BOOL_OP_AND)
        return opt_list_add(o, l, e);
    for (int i = 0; i < b->nargs; i++)
        if (opt_list_add_conjuncts(o, l, b->args[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int opt_exprs_copy(Opt *o, SdbExpr *const *items, int n, SdbExpr ***out)
{
    *out = NULL;
    if (n == 0)
        return SDB_OK;
    *out = sdb_arena_alloc(o->arena, sizeof(**out) * n);
    if (*out == NULL)
        return SDB_ERROR;
    memcpy(*out, items, sizeof(**out) * n);
    return SDB_OK;
}

/* --- walkers --- */

#define WALK(x)                                                                                                        \
    do {                                                                                                               \
        if (opt_walk_expr((SdbExpr **)&(x), depth, fn, arg) == OPT_WALK_STOP)                                          \
            return OPT_WALK_STOP;                                                                                      \
    } while (0)
#define WALKN(a, n)                                                                                                    \
    do {                                                                                                               \
        for (int i_ = 0; i_ < (n); i_++)                                                                               \
            WALK((a)[i_]);                                                                                             \
    } while (0)

OptWalk opt_walk_expr(SdbExpr **slot, int depth, OptVisit fn, void *arg)
{
    if (*slot == NULL)
        return OPT_WALK_CONTINUE;
    OptWalk w = fn(slot, depth, arg);
    if (w != OPT_WALK_CONTINUE)
        return w == OPT_WALK_STOP ? OPT_WALK_STOP : OPT_WALK_CONTINUE;
    SdbExpr *e = *slot;
    switch (e->tag) {
    case SDB_E_AGGREF: {
        SdbBoundAggref *n = (SdbBoundAggref *)e;
        WALKN(n->args, n->nargs);
        WALK(n->filter);
        WALKN(n->order, n->norder);
        break;
    }
    case SDB_E_WINDOW_FUNC: {
        SdbBoundWindowFunc *n = (SdbBoundWindowFunc *)e;
        WALKN(n->args, n->nargs);
        WALK(n->filter);
        WALKN(n->partition, n->npartition);
        WALKN(n->order, n->norder);
        WALK(n->start_offset);
        WALK(n->end_offset);
        break;
    }
    case SDB_E_SUB_PLAN: {
        SdbBoundSubPlan *n = (SdbBoundSubPlan *)e;
        WALK(n->test);
        if (n->plan != NULL && opt_walk_plan(n->plan, depth + 1, fn, arg) == OPT_WALK_STOP)
            return OPT_WALK_STOP;
        break;
    }
    case SDB_E_ARRAY_EXPR: WALKN(((SdbBoundArrayExpr *)e)->elements, ((SdbBoundArrayExpr *)e)->nelements); break;
    case SDB_E_FUNC_EXPR: WALKN(((SdbBoundFuncExpr *)e)->args, ((SdbBoundFuncExpr *)e)->nargs); break;
    case SDB_E_OP_EXPR: WALKN(((SdbBoundOpExpr *)e)->args, ((SdbBoundOpExpr *)e)->nargs); break;
    case SDB_E_RELABEL_TYPE: WALK(((SdbBoundRelabelType *)e)->arg); break;
    case SDB_E_COERCE_VIA_IO: WALK(((SdbBoundCoerceViaIo *)e)->arg); break;
    case SDB_E_BOOL_EXPR: WALKN(((SdbBoundBoolExpr *)e)->args, ((SdbBoundBoolExpr *)e)->nargs); break;
    case SDB_E_NULL_TEST: WALK(((SdbBoundNullTest *)e)->arg); break;
    case SDB_E_BOOLEAN_TEST: WALK(((SdbBoundBooleanTest *)e)->arg); break;
    case SDB_E_CASE_EXPR: {
        SdbBoundCaseExpr *n = (SdbBoundCaseExpr *)e;
        WALK(n->arg);
        WALKN(n->conds, n->nwhens);
        WALKN(n->results, n->nwhens);
        WALK(n->defresult);
        break;
    }
    case SDB_E_COALESCE_EXPR: WALKN(((SdbBoundCoalesceExpr *)e)->args, ((SdbBoundCoalesceExpr *)e)->nargs); break;
    case SDB_E_NULL_IF_EXPR: WALKN(((SdbBoundNullIfExpr *)e)->args, ((SdbBoundNullIfExpr *)e)->nargs); break;
    case SDB_E_MIN_MAX_EXPR: WALKN(((SdbBoundMinMaxExpr *)e)->args, ((SdbBoundMinMaxExpr *)e)->nargs); break;
    case SDB_E_SCALAR_ARRAY_OP: WALKN(((SdbBoundScalarArrayOp *)e)->args, ((SdbBoundScalarArrayOp *)e)->nargs); break;
    case SDB_E_DISTINCT_EXPR: WALKN(((SdbBoundDistinctExpr *)e)->args, ((SdbBoundDistinctExpr *)e)->nargs); break;
    case SDB_E_SUBSCRIPTING_REF:
        WALKN(((SdbBoundSubscriptingRef *)e)->args, ((SdbBoundSubscriptingRef *)e)->nargs);
        break;
    default: break;
    }
    return OPT_WALK_CONTINUE;
}

OptWalk opt_walk_node(SdbPlan *plan, int depth, OptVisit fn, void *arg)
{
    switch (plan->tag) {
    case SDB_P_SCAN: {
        SdbPlanScan *n = (SdbPlanScan *)plan;
        WALKN(n->filters, n->nfilters);
        WALKN(n->index_eq, n->neq);
        WALK(n->lower);
        WALK(n->upper);
        break;
    }
    case SDB_P_VALUES: WALKN(((SdbPlanValues *)plan)->rows, ((SdbPlanValues *)plan)->nrows * plan->ncols); break;
    case SDB_P_FUNCTION_SCAN: WALK(((SdbPlanFunctionScan *)plan)->call); break;
    case SDB_P_FILTER: WALKN(((SdbPlanFilter *)plan)->quals, ((SdbPlanFilter *)plan)->nquals); break;
    case SDB_P_PROJECT: WALKN(((SdbPlanProject *)plan)->exprs, ((SdbPlanProject *)plan)->nexprs); break;
    case SDB_P_JOIN: {
        SdbPlanJoin *n = (SdbPlanJoin *)plan;
        WALKN(n->conds, n->nconds);
        WALKN(n->left_keys, n->nkeys);
        WALKN(n->right_keys, n->nkeys);
        break;
    }
    case SDB_P_AGGREGATE: {
        SdbPlanAggregate *n = (SdbPlanAggregate *)plan;
        WALKN(n->groups, n->ngroups);
        WALKN(n->aggs, n->naggs);
        WALKN(n->having, n->nhaving);
        break;
    }
    case SDB_P_WINDOW: WALKN(((SdbPlanWindow *)plan)->funcs, ((SdbPlanWindow *)plan)->nfuncs); break;
    case SDB_P_SORT: WALKN(((SdbPlanSort *)plan)->keys, ((SdbPlanSort *)plan)->nkeys); break;
    case SDB_P_LIMIT:
        WALK(((SdbPlanLimit *)plan)->limit);
        WALK(((SdbPlanLimit *)plan)->offset);
        break;
    case SDB_P_DISTINCT: WALKN(((SdbPlanDistinct *)plan)->on, ((SdbPlanDistinct *)plan)->non); break;
    case SDB_P_INSERT: {
        SdbPlanInsert *n = (SdbPlanInsert *)plan;
        WALKN(n->set_values, n->nset);
        WALK(n->conflict_where);
        WALKN(n->checks, n->nchecks);
        WALKN(n->returning, n->nreturning);
        break;
    }
    case SDB_P_UPDATE: {
        SdbPlanUpdate *n = (SdbPlanUpdate *)plan;
        WALKN(n->set_values, n->nset);
        WALKN(n->checks, n->nchecks);
        WALKN(n->returning, n->nreturning);
        break;
    }
    case SDB_P_DELETE: WALKN(((SdbPlanDelete *)plan)->returning, ((SdbPlanDelete *)plan)->nreturning); break;
    default: break;
    }
    return OPT_WALK_CONTINUE;
}

OptWalk opt_walk_plan(SdbPlan *plan, int depth, OptVisit fn, void *arg)
{
    if (opt_walk_node(plan, depth, fn, arg) == OPT_WALK_STOP)
        return OPT_WALK_STOP;
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan *child = *sdb_plan_child(plan, i);
        if (child != NULL && opt_walk_plan(child, depth, fn, arg) == OPT_WALK_STOP)
            return OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

/* --- properties --- */

static OptWalk find_volatile(SdbExpr **slot, int depth, void *arg)
{
    (void)depth;
    (void)arg;
    const SdbFuncInfo *func = NULL;
    switch ((*slot)->tag) {
    case SDB_E_FUNC_EXPR: func = ((SdbBoundFuncExpr *)*slot)->func; break;
    case SDB_E_OP_EXPR: func = ((SdbBoundOpExpr *)*slot)->func; break;
    case SDB_E_NULL_IF_EXPR: func = ((SdbBoundNullIfExpr *)*slot)->func; break;
    case SDB_E_SCALAR_ARRAY_OP: func = ((SdbBoundScalarArrayOp *)*slot)->func; break;
    case SDB_E_DISTINCT_EXPR: func = ((SdbBoundDistinctExpr *)*slot)->func; break;
    case SDB_E_AGGREF:
    case SDB_E_WINDOW_FUNC:
    case SDB_E_GROUPING_FUNC: return OPT_WALK_STOP;
    default: break;
    }
    return func != NULL && func->volatility == SDB_VOLATILITY_VOLATILE ? OPT_WALK_STOP : OPT_WALK_CONTINUE;
}

bool opt_expr_volatile(SdbExpr *expr) { return opt_walk_expr(&expr, 0, find_volatile, NULL) == OPT_WALK_STOP; }

static OptWalk find_subplan(SdbExpr **slot, int depth, void *arg)
{
    (void)depth;
    (void)arg;
    return (*slot)->tag == SDB_E_SUB_PLAN ? OPT_WALK_STOP : OPT_WALK_CONTINUE;
}

bool opt_expr_has_subplan(SdbExpr *expr) { return opt_walk_expr(&expr, 0, find_subplan, NULL) == OPT_WALK_STOP; }

static OptWalk find_local_var(SdbExpr **slot, int depth, void *arg)
{
    (void)arg;
    return (*slot)->tag == SDB_E_VAR && ((SdbBoundVar *)*slot)->levelsup == depth ? OPT_WALK_STOP : OPT_WALK_CONTINUE;
}

bool opt_expr_has_local_vars(SdbExpr *expr) { return opt_walk_expr(&expr, 0, find_local_var, NULL) == OPT_WALK_STOP; }

/* Tables whose columns being NULL make `e` NULL (strict functions over them). */
static void strict_tables(SdbExpr *e, OptSet *out)
{
    switch (e->tag) {
    case SDB_E_VAR:
        if (((SdbBoundVar *)e)->levelsup == 0)
            opt_set_add(out, ((SdbBoundVar *)e)->table);
        break;
    case SDB_E_FUNC_EXPR: {
        SdbBoundFuncExpr *f = (SdbBoundFuncExpr *)e;
        if (f->func->strict)
            for (int i = 0; i < f->nargs; i++)
                strict_tables(f->args[i], out);
        break;
    }
    case SDB_E_OP_EXPR: {
        SdbBoundOpExpr *f = (SdbBoundOpExpr *)e;
        if (f->func->strict)
            for (int i = 0; i < f->nargs; i++)
                strict_tables(f->args[i], out);
        break;
    }
    case SDB_E_RELABEL_TYPE: strict_tables(((SdbBoundRelabelType *)e)->arg, out); break;
    case SDB_E_COERCE_VIA_IO: strict_tables(((SdbBoundCoerceViaIo *)e)->arg, out); break;
    default: break;
    }
}

void opt_nonnullable_tables(SdbExpr *qual, OptSet *out)
{
    switch (qual->tag) {
    case SDB_E_BOOL_EXPR: {
        SdbBoundBoolExpr *b = (SdbBoundBoolExpr *)qual;
        if (b->boolop == SDB_EXPR_BOOL_OP_AND) {
            for (int i = 0; i < b->nargs; i++)
                opt_nonnullable_tables(b->args[i], out);
        } else if (b->boolop == SDB_EXPR_BOOL_OP_OR) {
            OptSet all;
            for (int i = 0; i < b->nargs; i++) {
                OptSet one;
                opt_set_clear(&one);
                opt_nonnullable_tables(b->args[i], &one);
                if (i == 0)
                    all = one;
                for (int j = 0; j < OPT_MAX_TABLES / 64; j++)
                    all.w[j] &= one.w[j];
            }
            if (b->nargs > 0)
                opt_set_union(out, &all);
        } else {
            strict_tables(b->args[0], out);
        }
        break;
    }
    case SDB_E_NULL_TEST:
        if (((SdbBoundNullTest *)qual)->nulltesttype == SDB_EXPR_NULL_TEST_IS_NOT_NULL)
            strict_tables(((SdbBoundNullTest *)qual)->arg, out);
        break;
    case SDB_E_BOOLEAN_TEST: {
        SdbBoundBooleanTest *t = (SdbBoundBooleanTest *)qual;
        if (t->booltesttype == SDB_EXPR_BOOL_TEST_IS_TRUE || t->booltesttype == SDB_EXPR_BOOL_TEST_IS_FALSE)
            strict_tables(t->arg, out);
        break;
    }
    case SDB_E_SCALAR_ARRAY_OP: {
        SdbBoundScalarArrayOp *s = (SdbBoundScalarArrayOp *)qual;
        if (s->func->strict && (s->use_or || !s->array_arg)) /* x op ALL ('{}') is true */
            strict_tables(s->args[0], out);
        break;
    }
    default: strict_tables(qual, out); break;
    }
}

bool opt_expr_is_false(const SdbExpr *expr)
{
    const SdbBoundConst *c = (const SdbBoundConst *)expr;
    return expr->tag == SDB_E_CONST && (c->isnull || c->value == 0);
}

bool opt_expr_is_true(const SdbExpr *expr)
{
    const SdbBoundConst *c = (const SdbBoundConst *)expr;
    return expr->tag == SDB_E_CONST && !c->isnull && c->value != 0;
}

SdbExpr *opt_make_bool(Opt *o, bool value, bool isnull)
{
    SdbBoundConst *c = sdb_new_bound_const(o->arena, SDB_TYPEOID_BOOL);
    if (c == NULL)
        return NULL;
    c->value = value ? 1 : 0;
    c->isnull = isnull;
    c->location = -1;
    return &c->expr;
}

/* --- copying and substitution --- */

/* Copy one node; its expression arrays become fresh arrays (children still
 * shared): the walker then copies each child in turn. */
static OptWalk copy_node(SdbExpr **slot, int depth, void *arg)
{
    Opt *o = arg;
    (void)depth;
    size_t size = sdb_expr_node_size((*slot)->tag);
    SdbExpr *copy = sdb_arena_alloc(o->arena, size);
    if (copy == NULL)
        return OPT_WALK_STOP;
    memcpy(copy, *slot, size);
    *slot = copy;
#define FRESH(a, n)                                                                                                    \
    if (opt_exprs_copy(o, (a), (n), &(a)) != SDB_OK)                                                                   \
    return OPT_WALK_STOP
    switch (copy->tag) {
    case SDB_E_AGGREF: {
        SdbBoundAggref *n = (SdbBoundAggref *)copy;
        FRESH(n->args, n->nargs);
        FRESH(n->order, n->norder);
        break;
    }
    case SDB_E_WINDOW_FUNC: {
        SdbBoundWindowFunc *n = (SdbBoundWindowFunc *)copy;
        FRESH(n->args, n->nargs);
        FRESH(n->partition, n->npartition);
        FRESH(n->order, n->norder);
        break;
    }
    case SDB_E_SUB_PLAN: {
        /* the plan stays shared: copy the test only */
        SdbBoundSubPlan *n = (SdbBoundSubPlan *)copy;
        if (n->test != NULL && opt_copy_expr(o, n->test, &n->test) != SDB_OK)
            return OPT_WALK_STOP;
        return OPT_WALK_SKIP;
    }
    case SDB_E_ARRAY_EXPR: FRESH(((SdbBoundArrayExpr *)copy)->elements, ((SdbBoundArrayExpr *)copy)->nelements); break;
    case SDB_E_FUNC_EXPR: FRESH(((SdbBoundFuncExpr *)copy)->args, ((SdbBoundFuncExpr *)copy)->nargs); break;
    case SDB_E_OP_EXPR: FRESH(((SdbBoundOpExpr *)copy)->args, ((SdbBoundOpExpr *)copy)->nargs); break;
    case SDB_E_BOOL_EXPR: FRESH(((SdbBoundBoolExpr *)copy)->args, ((SdbBoundBoolExpr *)copy)->nargs); break;
    case SDB_E_CASE_EXPR:
        FRESH(((SdbBoundCaseExpr *)copy)->conds, ((SdbBoundCaseExpr *)copy)->nwhens);
        FRESH(((SdbBoundCaseExpr *)copy)->results, ((SdbBoundCaseExpr *)copy)->nwhens);
        break;
    case SDB_E_COALESCE_EXPR: FRESH(((SdbBoundCoalesceExpr *)copy)->args, ((SdbBoundCoalesceExpr *)copy)->nargs); break;
    case SDB_E_NULL_IF_EXPR: FRESH(((SdbBoundNullIfExpr *)copy)->args, ((SdbBoundNullIfExpr *)copy)->nargs); break;
    case SDB_E_MIN_MAX_EXPR: FRESH(((SdbBoundMinMaxExpr *)copy)->args, ((SdbBoundMinMaxExpr *)copy)->nargs); break;
    case SDB_E_SCALAR_ARRAY_OP:
        FRESH(((SdbBoundScalarArrayOp *)copy)->args, ((SdbBoundScalarArrayOp *)copy)->nargs);
        break;
    case SDB_E_DISTINCT_EXPR: FRESH(((SdbBoundDistinctExpr *)copy)->args, ((SdbBoundDistinctExpr *)copy)->nargs); break;
    case SDB_E_SUBSCRIPTING_REF:
        FRESH(((SdbBoundSubscriptingRef *)copy)->args, ((SdbBoundSubscriptingRef *)copy)->nargs);
        break;
    default: break;
    }
#undef FRESH
    return OPT_WALK_CONTINUE;
}

int opt_copy_expr(Opt *o, const SdbExpr *expr, SdbExpr **out)
{
    *out = (SdbExpr *)expr;
    return opt_walk_expr(out, 0, copy_node, o) == OPT_WALK_STOP ? SDB_ERROR : SDB_OK;
}

typedef struct Shift {
    Opt *o;
    int min;     /* Vars with levelsup >= depth + min move */
    int delta;
    bool failed; /* out of memory, recorded */
} Shift;

/* Vars may be shared between expressions: a moved one is a new node. */
static OptWalk shift_var(SdbExpr **slot, int depth, void *arg)
{
    Shift *s = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag != SDB_E_VAR || var->levelsup < depth + s->min)
        return OPT_WALK_CONTINUE;
    SdbBoundVar *copy = sdb_arena_alloc(s->o->arena, sizeof(*copy));
    if (copy == NULL) {
        s->failed = true;
        return OPT_WALK_STOP;
    }
    *copy = *var;
    copy->levelsup += s->delta;
    *slot = &copy->expr;
    return OPT_WALK_CONTINUE;
}

typedef struct Subst {
    Opt *o;
    int table;
    SdbExpr *const *exprs;
    int nexprs;
    bool failed;     /* out of memory, recorded */
    bool bad_column; /* a Var past the substituted expressions */
} Subst;

static OptWalk subst_var(SdbExpr **slot, int depth, void *arg)
{
    Subst *s = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag != SDB_E_VAR || var->table != s->table || var->levelsup != depth)
        return OPT_WALK_CONTINUE;
    if (var->column < 0 || var->column >= s->nexprs) {
        s->bad_column = true;
        return OPT_WALK_STOP;
    }
    if (opt_copy_expr(s->o, s->exprs[var->column], slot) != SDB_OK) {
        s->failed = true;
        return OPT_WALK_STOP;
    }
    /* the copy now sits `depth` SubPlan levels further in */
    Shift shift = {s->o, 0, depth, false};
    if (depth > 0 && opt_walk_expr(slot, 0, shift_var, &shift) == OPT_WALK_STOP) {
        s->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_SKIP;
}

int opt_substitute(Opt *o, SdbExpr **slot, int table, SdbExpr *const *exprs, int nexprs)
{
    Subst s = {o, table, exprs, nexprs, false, false};
    opt_walk_expr(slot, 0, subst_var, &s);
    if (s.bad_column)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "optimizer: a column of binding table %d has no expression", table);
    return s.failed ? SDB_ERROR : SDB_OK;
}

int opt_lower_levels_plan(Opt *o, SdbPlan *plan)
{
    Shift shift = {o, 1, -1, false};
    return opt_walk_plan(plan, 0, shift_var, &shift) == OPT_WALK_STOP ? SDB_ERROR : SDB_OK;
}

int opt_lower_levels_expr(Opt *o, SdbExpr **slot)
{
    Shift shift = {o, 1, -1, false};
    return opt_walk_expr(slot, 0, shift_var, &shift) == OPT_WALK_STOP ? SDB_ERROR : SDB_OK;
}

const SdbRelation *opt_relation(Opt *o, SdbOid rel_oid)
{
    const SdbRelation *rel = NULL;
    int rc = SDB_OK;
    if (o->ctx->relation != NULL)
        rc = o->ctx->relation(o->ctx->relation_arg, rel_oid, &rel);
    else if (o->ctx->catalog != NULL)
        rc = sdb_catalog_relation(o->ctx->catalog, o->ctx->txn, rel_oid, &rel);
    if (rc != SDB_OK) {
        /* the analyzer has read this relation already: without it we only lose choices */
        sdb_error_clear();
        return NULL;
    }
    return rel;
}

/* The columns of `a` then those of `b` (when b is not NULL). */
static int concat_cols(Opt *o, SdbPlan *plan, const SdbPlan *a, const SdbPlanColumn *b, int nb)
{
    int n = a->ncols + nb;
    SdbPlanColumn *cols = n > 0 ? sdb_arena_alloc(o->arena, sizeof(*cols) * n) : NULL;
    if (n > 0 && cols == NULL)
        return SDB_ERROR;
    if (a->ncols > 0)
        memcpy(cols, a->cols, sizeof(*cols) * a->ncols);
    if (nb > 0)
        memcpy(cols + a->ncols, b, sizeof(*cols) * nb);
    plan->cols = cols;
    plan->ncols = n;
    return SDB_OK;
}

int opt_set_header(Opt *o, SdbPlan *plan)
{
    switch (plan->tag) {
    case SDB_P_FILTER:
    case SDB_P_SORT:
    case SDB_P_LIMIT:
    case SDB_P_DISTINCT: {
        const SdbPlan *child = *sdb_plan_child(plan, 0);
        plan->cols = child->cols;
        plan->ncols = child->ncols;
        return SDB_OK;
    }
    case SDB_P_JOIN: {
        const SdbPlanJoin *join = (const SdbPlanJoin *)plan;
        if (join->kind == SDB_JOIN_KIND_SEMI || join->kind == SDB_JOIN_KIND_ANTI)
            return concat_cols(o, plan, join->left, NULL, 0);
        return concat_cols(o, plan, join->left, join->right->cols, join->right->ncols);
    }
    case SDB_P_WINDOW: {
        const SdbPlanWindow *window = (const SdbPlanWindow *)plan;
        int first = 0;
        while (first < plan->ncols && plan->cols[first].table != window->table)
            first++;
        return concat_cols(o, plan, window->child, plan->cols + first, plan->ncols - first);
    }
    default: return SDB_OK;
    }
}

SdbPlan *opt_new_filter(Opt *o, SdbPlan *child, SdbExpr *const *quals, int nquals)
{
    SdbPlanFilter *filter = sdb_new_plan_filter(o->arena);
    if (filter == NULL || opt_exprs_copy(o, quals, nquals, &filter->quals) != SDB_OK)
        return NULL;
    filter->nquals = nquals;
    filter->child = child;
    opt_set_header(o, &filter->plan);
    return &filter->plan;
}

bool opt_children_positional(const SdbPlan *plan, bool positional)
{
    switch (plan->tag) {
    case SDB_P_FILTER:
    case SDB_P_SORT:
    case SDB_P_LIMIT:
    case SDB_P_DISTINCT:
    case SDB_P_WINDOW:
    case SDB_P_JOIN: return positional; /* their columns are their inputs' */
    case SDB_P_SET_OP:
    case SDB_P_RECURSIVE_UNION:
    case SDB_P_INSERT:
    case SDB_P_CTE_SCAN: return true;
    default: return false; /* Project, Aggregate, Update, Delete read their input by binding */
    }
}
