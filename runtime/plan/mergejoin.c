/*
 * plan/mergejoin.c: rule 6 (continued), merge joins.  A join the strategy
 * rule made a hash join becomes a merge join when both inputs already come
 * ordered on its keys (a Sort on the keys, ascending with NULLs last, or an
 * index Scan whose index order gives them), or when sorting the unordered
 * inputs costs less than hashing (cost.c: a build side beyond work_mem
 * spills).  A Sort above an inner/semi/anti join (through a Project) ordering by its
 * left keys goes when the join is (or, counting that Sort's cost, becomes)
 * a merge join, whose output has that order.  Unordered inputs get a Sort on their keys (a key widened to a
 * larger integer type is sorted by the value itself: same order).  The
 * executor (exec/op_mergejoin.c) relies on that order.
 */
#include <string.h>

#include "plan/opt_int.h"
#include "types/typeio.h"

/* The expression a Sort orders by for join key `key`: an integer key
 * widened for the comparison orders as the value it widens. */
static SdbExpr *sort_key(SdbExpr *key)
{
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)key;
    if (key->tag == SDB_E_FUNC_EXPR && f->nargs == 1 &&
        (key->type == SDB_TYPEOID_INT8 || key->type == SDB_TYPEOID_INT4) &&
        (f->args[0]->type == SDB_TYPEOID_INT2 || f->args[0]->type == SDB_TYPEOID_INT4) &&
        f->args[0]->type != key->type)
        return f->args[0];
    return key;
}

static bool same_var(const SdbExpr *a, const SdbExpr *b)
{
    const SdbBoundVar *x = (const SdbBoundVar *)a, *y = (const SdbBoundVar *)b;
    return a->tag == SDB_E_VAR && b->tag == SDB_E_VAR && x->table == y->table && x->column == y->column &&
           x->levelsup == y->levelsup;
}

/* A Sort over `input` by the keys, ascending, NULLs last. */
static SdbPlanSort *make_sort(Opt *o, SdbPlan *input, SdbExpr **keys, int nkeys)
{
    SdbPlanSort *s = sdb_new_plan_sort(o->arena);
    SdbExpr **sk = sdb_arena_alloc(o->arena, (nkeys + 1) * sizeof(SdbExpr *));
    int *flags = sdb_arena_calloc(o->arena, nkeys + 1, sizeof(int));
    if (s == NULL || sk == NULL || flags == NULL)
        return NULL;
    for (int k = 0; k < nkeys; k++)
        sk[k] = sort_key(keys[k]);
    s->child = input;
    s->keys = sk;
    s->flags = flags;
    s->nkeys = nkeys;
    s->plan.ncols = input->ncols;
    s->plan.cols = input->cols;
    return s;
}

/* Does `input` come ordered on the keys (ascending, NULLs last)? */
static int input_ordered(Opt *o, SdbPlan *input, SdbExpr **keys, int nkeys, bool *ordered)
{
    *ordered = false;
    if (input->tag == SDB_P_SORT) {
        const SdbPlanSort *s = (const SdbPlanSort *)input;
        if (s->nkeys < nkeys)
            return SDB_OK;
        for (int k = 0; k < nkeys; k++)
            if (!same_var(s->keys[k], sort_key(keys[k])) || (s->flags[k] & SDB_SORT_DESC) ||
                sdb_sort_nulls_first(s->flags[k]))
                return SDB_OK;
        *ordered = true;
        return SDB_OK;
    }
    SdbPlanScan *scan = (SdbPlanScan *)input;
    if (input->tag != SDB_P_SCAN || scan->access == SDB_SCAN_ACCESS_SEQ || scan->backward)
        return SDB_OK;
    /* ask sort elimination whether the index's order makes such a Sort useless */
    SdbPlanSort *probe = make_sort(o, input, keys, nkeys);
    SdbPlan *slot = &probe->plan;
    if (probe == NULL || opt_sort_elimination(o, NULL, &slot) != SDB_OK)
        return SDB_ERROR;
    if (slot == input && scan->backward) {
        scan->backward = false; /* the reversed order does not do */
        return SDB_OK;
    }
    *ordered = slot == input;
    return SDB_OK;
}

static bool keys_ordered_types(const SdbPlanJoin *join)
{
    for (int k = 0; k < join->nkeys; k++) {
        const SdbTypeOps *ops = sdb_type_ops(join->left_keys[k]->type);
        if (join->left_keys[k]->type != join->right_keys[k]->type || ops == NULL || ops->compare == NULL)
            return false;
    }
    return true;
}

/* Put a Sort on the keys over *side, estimated. */
static int sort_side(Opt *o, SdbPlan **side, SdbExpr **keys, int nkeys)
{
    SdbPlanSort *s = make_sort(o, *side, keys, nkeys);
    if (s == NULL)
        return SDB_ERROR;
    *side = &s->plan;
    opt_estimate(o, *side);
    return SDB_OK;
}

/* Make the hash join a merge join when its inputs are ordered or sorting
 * them costs less than hashing plus `saved` (the cost of a Sort the merge
 * join's order makes useless). */
static int to_merge(Opt *o, SdbPlanJoin *join, double saved, bool *chosen)
{
    *chosen = false;
    if (join->strategy != SDB_JOIN_STRATEGY_HASH || join->nkeys == 0 || !keys_ordered_types(join))
        return SDB_OK;
    bool lo, ro;
    if (input_ordered(o, join->left, join->left_keys, join->nkeys, &lo) != SDB_OK ||
        input_ordered(o, join->right, join->right_keys, join->nkeys, &ro) != SDB_OK)
        return SDB_ERROR;
    double sorts = (lo ? 0 : opt_sort_cost(o, join->left)) + (ro ? 0 : opt_sort_cost(o, join->right));
    if (!(lo && ro) && sorts + opt_merge_cost(join) >= opt_hash_cost(o, join) + saved)
        return SDB_OK;
    if ((!lo && sort_side(o, &join->left, join->left_keys, join->nkeys) != SDB_OK) ||
        (!ro && sort_side(o, &join->right, join->right_keys, join->nkeys) != SDB_OK))
        return SDB_ERROR;
    join->strategy = SDB_JOIN_STRATEGY_MERGE;
    *chosen = true;
    return SDB_OK;
}

int opt_merge_join(Opt *o, SdbPlanJoin *join)
{
    bool chosen;
    return to_merge(o, join, 0, &chosen);
}

/* Does the Sort ask for the order a merge join of `join` produces: its
 * left keys (a prefix of them), ascending, NULLs last?  Inner, semi and
 * anti joins emit in left order; outer joins add padded rows out of it. */
/* Sort key `key` over the join's columns: through a Project between them,
 * the Project's expression for the Var's column. */
static const SdbExpr *through_project(const SdbExpr *key, const SdbPlanProject *proj)
{
    const SdbBoundVar *v = (const SdbBoundVar *)key;
    if (proj == NULL || key->tag != SDB_E_VAR || v->levelsup != 0 || v->table != proj->table || v->column < 0 ||
        v->column >= proj->nexprs)
        return key;
    return proj->exprs[v->column];
}

static bool sort_matches_join(const SdbPlanSort *sort, const SdbPlanProject *proj, const SdbPlanJoin *join)
{
    if (join->kind != SDB_JOIN_KIND_INNER && join->kind != SDB_JOIN_KIND_SEMI && join->kind != SDB_JOIN_KIND_ANTI)
        return false;
    if (sort->nkeys == 0 || sort->nkeys > join->nkeys)
        return false;
    for (int k = 0; k < sort->nkeys; k++)
        if (!same_var(through_project(sort->keys[k], proj), sort_key(join->left_keys[k])) ||
            (sort->flags[k] & SDB_SORT_DESC) ||
            sdb_sort_nulls_first(sort->flags[k]))
            return false;
    return true;
}

int opt_merge_sort_order(Opt *o, SdbPlan *parent, SdbPlan **slot)
{
    SdbPlanSort *sort = (SdbPlanSort *)*slot;
    if ((*slot)->tag != SDB_P_SORT)
        return SDB_OK;
    SdbPlanProject *proj = sort->child->tag == SDB_P_PROJECT ? (SdbPlanProject *)sort->child : NULL;
    SdbPlan *below = proj ? proj->child : sort->child;
    if (below->tag != SDB_P_JOIN)
        return SDB_OK;
    if (parent != NULL && parent->tag == SDB_P_LIMIT && ((const SdbPlanLimit *)parent)->with_ties)
        return SDB_OK; /* the Limit reads the Sort's keys */
    SdbPlanJoin *join = (SdbPlanJoin *)below;
    if (!sort_matches_join(sort, proj, join))
        return SDB_OK;
    bool chosen = join->strategy == SDB_JOIN_STRATEGY_MERGE;
    if (!chosen && to_merge(o, join, sort->plan.cost - join->plan.cost, &chosen) != SDB_OK)
        return SDB_ERROR;
    if (!chosen)
        return SDB_OK;
    opt_estimate(o, &join->plan);
    if (proj != NULL)
        opt_estimate(o, &proj->plan);
    *slot = sort->child;
    return SDB_OK;
}
