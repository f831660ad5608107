/*
 * plan/outerjoin.c: rule 3, outer-join simplification (PostgreSQL's
 * reduce_outer_joins).  Going down the tree we carry the binding tables
 * whose all-NULL rows the conditions above reject (strict conditions of
 * Filters and inner joins); an outer join whose nullable side is among
 * them loses that padding: LEFT/RIGHT become inner, FULL becomes LEFT,
 * RIGHT or inner.  The set is not carried through operators that change
 * which rows reach the conditions (Limit, Aggregate, Project, Window ...).
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
