/*
 * plan/outerjoin.c: rule 3, outer-join simplification (PostgreSQL's
 * reduce_outer_joins).  Going down the tree we carry the binding tables
 * whose all-NULL rows the conditions above reject (strict conditions of
 * Filters and inner joins); an outer join whose nullable side is among
 * them loses that padding: LEFT/RIGHT become inner, FULL becomes LEFT,
 * RIGHT or inner.  The set is not carried through operators that change
 * which rows reach the conditions (Limit, Aggregate, Project, Window ...).
 *
 * After pushdown, a LEFT (or RIGHT) join under a Filter `v IS NULL`, v a
 * column of the nullable side that the join's conditions are strict in,
 * keeps exactly the rows without a match: when nothing else reads the
 * nullable side, it becomes an anti join and the test goes (PostgreSQL's
 * reduce_outer_joins does the same).
 */
#include "plan/opt_int.h"

static void add_nonnullable(SdbExpr *const *quals, int n, OptSet *set)
{
    for (int i = 0; i < n; i++)
        opt_nonnullable_tables(quals[i], set);
}

static void reduce(SdbPlan *plan, const OptSet *above)
{
    OptSet none;
    opt_set_clear(&none);
    switch (plan->tag) {
    case SDB_P_FILTER: {
        SdbPlanFilter *filter = (SdbPlanFilter *)plan;
        OptSet set = *above;
        add_nonnullable(filter->quals, filter->nquals, &set);
        reduce(filter->child, &set);
        return;
    }
    case SDB_P_SORT: reduce(((SdbPlanSort *)plan)->child, above); return;
    case SDB_P_LOCK_ROWS: reduce(((SdbPlanLockRows *)plan)->child, above); return;
    case SDB_P_JOIN: {
        SdbPlanJoin *join = (SdbPlanJoin *)plan;
        OptSet left, right, local = none;
        opt_set_clear(&left);
        opt_set_clear(&right);
        opt_produced(join->left, &left);
        opt_produced(join->right, &right);
        bool left_rejected = opt_set_overlaps(above, &left), right_rejected = opt_set_overlaps(above, &right);
        switch (join->kind) {
        case SDB_JOIN_KIND_LEFT:
            if (right_rejected)
                join->kind = SDB_JOIN_KIND_INNER;
            break;
        case SDB_JOIN_KIND_RIGHT:
            if (left_rejected)
                join->kind = SDB_JOIN_KIND_INNER;
            break;
        case SDB_JOIN_KIND_FULL:
            if (left_rejected && right_rejected)
                join->kind = SDB_JOIN_KIND_INNER;
            else if (left_rejected)
                join->kind = SDB_JOIN_KIND_LEFT;
            else if (right_rejected)
                join->kind = SDB_JOIN_KIND_RIGHT;
            break;
        default: break;
        }
        add_nonnullable(join->conds, join->nconds, &local);
        OptSet both = *above;
        opt_set_union(&both, &local);
        switch (join->kind) {
        case SDB_JOIN_KIND_INNER:
            reduce(join->left, &both);
            reduce(join->right, &both);
            break;
        case SDB_JOIN_KIND_LEFT:
            reduce(join->left, above);
            reduce(join->right, &local);
            break;
        case SDB_JOIN_KIND_RIGHT:
            reduce(join->left, &local);
            reduce(join->right, above);
            break;
        case SDB_JOIN_KIND_SEMI:
            reduce(join->left, &both);
            reduce(join->right, &local);
            break;
        default:
            reduce(join->left, &none);
            reduce(join->right, &none);
            break;
        }
        return;
    }
    case SDB_P_CTE_SCAN: return;
    default:
        for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
            SdbPlan *child = *sdb_plan_child(plan, i);
            if (child != NULL)
                reduce(child, &none);
        }
        return;
    }
}

void opt_reduce_outer_joins(SdbPlan *plan)
{
    OptSet none;
    opt_set_clear(&none);
    reduce(plan, &none);
}

/* --- LEFT JOIN ... WHERE right.key IS NULL: an anti join --- */

/* Does `e` yield NULL whenever `var` is NULL (strict calls down to it)? */
static bool strict_in(const SdbExpr *e, const SdbBoundVar *var)
{
    const SdbBoundVar *v = (const SdbBoundVar *)e;
    switch (e->tag) {
    case SDB_E_VAR: return v->levelsup == 0 && v->table == var->table && v->column == var->column;
    case SDB_E_OP_EXPR: {
        const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)e;
        for (int i = 0; op->func->strict && i < op->nargs; i++)
            if (strict_in(op->args[i], var))
                return true;
        return false;
    }
    case SDB_E_FUNC_EXPR: {
        const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)e;
        for (int i = 0; f->func->strict && i < f->nargs; i++)
            if (strict_in(f->args[i], var))
                return true;
        return false;
    }
    case SDB_E_RELABEL_TYPE: return strict_in(((const SdbBoundRelabelType *)e)->arg, var);
    case SDB_E_COERCE_VIA_IO: return strict_in(((const SdbBoundCoerceViaIo *)e)->arg, var);
    default: return false;
    }
}

typedef struct Refs {
    const OptSet *tables;
    int n;
} Refs;

static OptWalk count_ref(SdbExpr **slot, int depth, void *arg)
{
    Refs *r = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag == SDB_E_VAR && var->levelsup == depth && opt_set_has(r->tables, var->table))
        r->n++;
    return OPT_WALK_CONTINUE;
}

/* The IS NULL condition of `filter` that makes its LEFT join an anti join:
 * its index, or -1.  The Var must be one the join's conditions are strict
 * in (a matched row has it non-NULL), and nothing else in the statement
 * may read the nullable side (an anti join does not produce it). */
static int anti_condition(Opt *o, SdbPlanFilter *filter, SdbPlanJoin *join)
{
    OptSet nullable;
    opt_set_clear(&nullable);
    opt_produced(join->right, &nullable);
    for (int i = 0; i < filter->nquals; i++) {
        const SdbBoundNullTest *test = (const SdbBoundNullTest *)filter->quals[i];
        const SdbBoundVar *var = (const SdbBoundVar *)test->arg;
        if (test->expr.tag != SDB_E_NULL_TEST || test->nulltesttype != SDB_EXPR_NULL_TEST_IS_NULL ||
            var->expr.tag != SDB_E_VAR || var->levelsup != 0 || !opt_set_has(&nullable, var->table))
            continue;
        bool strict = false;
        for (int c = 0; c < join->nconds && !strict; c++)
            strict = strict_in(join->conds[c], var);
        Refs all = {&nullable, 0}, inside = {&nullable, 0};
        opt_walk_plan(*o->root, 0, count_ref, &all);
        opt_walk_plan(join->right, 0, count_ref, &inside);
        opt_walk_node(&join->plan, 0, count_ref, &inside);
        opt_walk_expr(&filter->quals[i], 0, count_ref, &inside);
        if (strict && all.n == inside.n)
            return i;
    }
    return -1;
}

static int antijoin(Opt *o, SdbPlan **slot, bool positional)
{
    SdbPlan *plan = *slot;
    if (plan->tag == SDB_P_CTE_SCAN)
        return SDB_OK;
    SdbPlanFilter *filter = (SdbPlanFilter *)plan;
    SdbPlanJoin *join = plan->tag == SDB_P_FILTER ? (SdbPlanJoin *)filter->child : NULL;
    if (!positional && join != NULL && join->plan.tag == SDB_P_JOIN &&
        (join->kind == SDB_JOIN_KIND_LEFT || join->kind == SDB_JOIN_KIND_RIGHT)) {
        if (join->kind == SDB_JOIN_KIND_RIGHT) { /* as a LEFT join, to test */
            SdbPlan *left = join->left;
            join->left = join->right;
            join->right = left;
            join->kind = SDB_JOIN_KIND_LEFT;
        }
        int i = anti_condition(o, filter, join);
        if (i >= 0) {
            join->kind = SDB_JOIN_KIND_ANTI;
            filter->quals[i] = filter->quals[--filter->nquals];
        }
        if (opt_set_header(o, &join->plan) != SDB_OK)
            return SDB_ERROR;
    }
    bool children_positional = opt_children_positional(plan, positional);
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan **child = sdb_plan_child(plan, i);
        if (*child != NULL && antijoin(o, child, children_positional) != SDB_OK)
            return SDB_ERROR;
    }
    if (plan->tag == SDB_P_FILTER && filter->nquals == 0)
        *slot = filter->child;
    return opt_set_header(o, *slot);
}

int opt_outer_to_anti_joins(Opt *o, SdbPlan **plan) { return antijoin(o, plan, true); }
