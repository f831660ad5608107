/*
 * plan/strategy.c: rules 6 and 8, join and aggregate strategies.  A join
 * with conditions `a = b` where a reads only one side and b only the other
 * (an `=` of one type, or of integers of different widths, both keys then
 * cast to the wider; no volatile calls) is a hash join on those keys
 * (left_keys from the left side), whatever its kind; its other conditions
 * remain in conds and are checked after the key match.  Without such a
 * condition, or when the right side reads the left row (LATERAL), it is a
 * nested loop.  When the right side is a sequential Scan with an index
 * whose leading columns the keys give, and looking each left row up is
 * cheaper than hashing the right side, it is an index nested loop: the
 * right Scan becomes an index scan whose index_eq read the left row (the
 * executor rescans it per left row), the keys it uses leave conds.  Last,
 * a hash join whose right side (the one the executor hashes) is more than
 * twice the left gets its sides swapped (LEFT becoming RIGHT), unless its
 * consumer reads its columns by position.  An Aggregate hashes its groups
 * when it has GROUP BY, and is plain otherwise.
 */
#include <math.h>
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_casts.h"
#include "sdb_operators.h"

static int int_width(SdbOid type)
{
    return type == SDB_TYPEOID_INT2 ? 2 : type == SDB_TYPEOID_INT4 ? 4 : type == SDB_TYPEOID_INT8 ? 8 : 0;
}

/* `key` as a value of the integer type `type` (wider or the same): the
 * implicit cast's function call, or NULL. */
static SdbExpr *widen(Opt *o, SdbExpr *key, SdbOid type)
{
    if (key->type == type)
        return key;
    const SdbCastInfo *cast = sdb_cast_find(key->type, type);
    const SdbFuncInfo *func = cast != NULL && cast->method == SDB_CAST_FUNCTION ? sdb_func_by_oid(cast->func) : NULL;
    if (func == NULL || func->volatility != SDB_VOLATILITY_IMMUTABLE)
        return NULL;
    SdbBoundFuncExpr *call = sdb_new_bound_func_expr(o->arena, type);
    SdbExpr **args = sdb_arena_alloc(o->arena, sizeof(SdbExpr *));
    if (call == NULL || args == NULL)
        return NULL;
    args[0] = key;
    call->func = func;
    call->args = args;
    call->nargs = 1;
    call->location = -1;
    return &call->expr;
}

/* Is `cond` an equality between the two sides?  Its key for each side,
 * of one type (integers of different widths compare as the wider). */
static bool equi_keys(Opt *o, SdbExpr *cond, const OptSet *left, const OptSet *right, SdbExpr **lkey, SdbExpr **rkey)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)cond;
    if (cond->tag != SDB_E_OP_EXPR || op->nargs != 2 || opt_expr_volatile(cond))
        return false;
    SdbOid t0 = op->args[0]->type, t1 = op->args[1]->type;
    bool ints = int_width(t0) > 0 && int_width(t1) > 0;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    if (info == NULL || strcmp(info->name, "=") != 0 || (t0 != t1 && !ints))
        return false;
    OptSet a, b;
    opt_set_clear(&a);
    opt_set_clear(&b);
    opt_expr_tables(op->args[0], &a);
    opt_expr_tables(op->args[1], &b);
    if (opt_set_is_empty(&a) || opt_set_is_empty(&b))
        return false;
    int side;
    if (opt_set_subset(&a, left) && opt_set_subset(&b, right))
        side = 0;
    else if (opt_set_subset(&a, right) && opt_set_subset(&b, left))
        side = 1;
    else
        return false;
    SdbOid type = int_width(t0) >= int_width(t1) ? t0 : t1;
    *lkey = widen(o, op->args[side], type);
    *rkey = widen(o, op->args[1 - side], type);
    return *lkey != NULL && *rkey != NULL;
}

/* The equalities of a join: keys and the conditions they came from. */
typedef struct Keys {
    OptList left, right, conds;
} Keys;

/* How many leading keys of `index` the join keys give, the right key
 * being a column of the Scan; their positions in *which. */
static int index_prefix(const SdbPlanScan *scan, const SdbIndex *index, const Keys *keys, int *which)
{
    int m = 0;
    for (; m < index->nkeys; m++) {
        int found = -1;
        for (int i = 0; i < keys->right.n && found < 0; i++) {
            const SdbBoundVar *var = (const SdbBoundVar *)keys->right.items[i];
            if (var->expr.tag == SDB_E_VAR && var->table == scan->table && var->levelsup == 0 &&
                var->column == index->keys[m] - 1 && !opt_expr_has_subplan(keys->left.items[i]))
                found = i;
        }
        if (found < 0)
            break;
        which[m] = found;
    }
    return m;
}

/* Rule 6b: a nested loop that looks the left row's keys up in an index of
 * the right Scan, when cheaper than hashing the whole right side. */
static int try_index_nested_loop(Opt *o, SdbPlanJoin *join, Keys *keys, OptList *rest, bool *chosen)
{
    *chosen = false;
    SdbPlanScan *scan = (SdbPlanScan *)join->right;
    if (join->kind == SDB_JOIN_KIND_RIGHT || join->kind == SDB_JOIN_KIND_FULL || scan->plan.tag != SDB_P_SCAN ||
        scan->access != SDB_SCAN_ACCESS_SEQ)
        return SDB_OK;
    const SdbRelation *rel = opt_relation(o, scan->rel_oid);
    if (rel == NULL)
        return SDB_OK;
    double pages, rows = opt_table_rows(o, rel, &pages), l = join->left->rows;
    double best = join->right->cost + (l + join->right->rows) * (0.01 + 0.0025 * keys->left.n);
    const SdbIndex *best_index = NULL;
    int best_m = 0;
    int *best_which = NULL;
    for (int i = 0; i < rel->nindexes; i++) {
        const SdbIndex *index = &rel->indexes[i];
        int *mine = sdb_arena_alloc(o->arena, sizeof(int) * (index->nkeys + 1));
        if (mine == NULL)
            return SDB_ERROR;
        int m = index_prefix(scan, index, keys, mine);
        if (m == 0)
            continue;
        SdbExpr **eq = sdb_arena_alloc(o->arena, sizeof(SdbExpr *) * m);
        if (eq == NULL)
            return SDB_ERROR;
        for (int k = 0; k < m; k++)
            eq[k] = keys->left.items[mine[k]];
        double sel = opt_index_selectivity(o, rel, index, eq, m, NULL, false, NULL, false);
        double matched = index->unique && m == index->nkeys ? 1.0 : fmax(1.0, rows * sel);
        double cost = l * (4.0 + 4.0 * opt_index_pages(pages, matched) + 0.015 * matched);
        if (cost < best) {
            best = cost;
            best_index = index;
            best_m = m;
            best_which = mine;
        }
    }
    if (best_index == NULL)
        return SDB_OK;
    SdbExpr **eq = sdb_arena_alloc(o->arena, sizeof(SdbExpr *) * best_m);
    if (eq == NULL)
        return SDB_ERROR;
    for (int k = 0; k < best_m; k++)
        eq[k] = keys->left.items[best_which[k]];
    for (int i = 0; i < keys->conds.n; i++) {
        bool used = false;
        for (int k = 0; k < best_m; k++)
            used |= best_which[k] == i;
        if (!used && opt_list_add(o, rest, keys->conds.items[i]) != SDB_OK)
            return SDB_ERROR;
    }
    scan->access = SDB_SCAN_ACCESS_INDEX;
    scan->index_oid = best_index->oid;
    scan->index_eq = eq;
    scan->neq = best_m;
    opt_index_only(scan, rel);
    opt_estimate(o, &scan->plan);
    join->strategy = SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP;
    join->conds = rest->items;
    join->nconds = rest->n;
    *chosen = true;
    return SDB_OK;
}

static OptWalk find_table_of(SdbExpr **slot, int depth, void *arg)
{
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    return (*slot)->tag == SDB_E_VAR && var->levelsup == depth && opt_set_has(arg, var->table) ? OPT_WALK_STOP
                                                                                               : OPT_WALK_CONTINUE;
}

int opt_join_strategy(Opt *o, SdbPlanJoin *join)
{
    if (join->strategy != SDB_JOIN_STRATEGY_NESTED_LOOP || join->nkeys > 0)
        return SDB_OK; /* chosen already */
    OptSet left, right;
    opt_set_clear(&left);
    opt_set_clear(&right);
    opt_produced(join->left, &left);
    opt_produced(join->right, &right);
    /* LATERAL: the right side reads the left row, so it is run per left row */
    if (join->lateral || opt_walk_plan(join->right, 0, find_table_of, &left) == OPT_WALK_STOP) {
        join->strategy = SDB_JOIN_STRATEGY_NESTED_LOOP;
        return SDB_OK;
    }
    Keys keys = {0};
    OptList rest = {0};
    for (int i = 0; i < join->nconds; i++) {
        SdbExpr *lkey, *rkey;
        if (equi_keys(o, join->conds[i], &left, &right, &lkey, &rkey)) {
            if (opt_list_add(o, &keys.left, lkey) != SDB_OK || opt_list_add(o, &keys.right, rkey) != SDB_OK ||
                opt_list_add(o, &keys.conds, join->conds[i]) != SDB_OK)
                return SDB_ERROR;
        } else if (opt_list_add(o, &rest, join->conds[i]) != SDB_OK) {
            return SDB_ERROR;
        }
    }
    if (keys.left.n == 0) {
        join->strategy = SDB_JOIN_STRATEGY_NESTED_LOOP;
        return SDB_OK;
    }
    bool chosen;
    if (try_index_nested_loop(o, join, &keys, &rest, &chosen) != SDB_OK)
        return SDB_ERROR;
    if (chosen)
        return SDB_OK;
    join->strategy = SDB_JOIN_STRATEGY_HASH;
    join->left_keys = keys.left.items;
    join->right_keys = keys.right.items;
    join->nkeys = keys.left.n;
    join->conds = rest.items;
    join->nconds = rest.n;
    return SDB_OK;
}

/* --- which side a hash join builds --- */

/* The executor builds its hash table from the right side: put the smaller
 * input there, unless the join's column order matters to its consumer. */
static void swap_sides(SdbPlanJoin *join)
{
    static const SdbJoinKind mirrored[] = {
        [SDB_JOIN_KIND_INNER] = SDB_JOIN_KIND_INNER, [SDB_JOIN_KIND_LEFT] = SDB_JOIN_KIND_RIGHT,
        [SDB_JOIN_KIND_RIGHT] = SDB_JOIN_KIND_LEFT, [SDB_JOIN_KIND_FULL] = SDB_JOIN_KIND_FULL};
    SdbPlan *plan = join->left;
    join->left = join->right;
    join->right = plan;
    SdbExpr **keys = join->left_keys;
    join->left_keys = join->right_keys;
    join->right_keys = keys;
    join->kind = mirrored[join->kind];
}

typedef struct Swap {
    Opt *o;
    bool failed;
} Swap;

static int build_sides(Opt *o, SdbPlan *plan, bool positional);

static OptWalk swap_in_subplan(SdbExpr **slot, int depth, void *arg)
{
    Swap *sw = arg;
    (void)depth;
    SdbBoundSubPlan *sp = (SdbBoundSubPlan *)*slot;
    if ((*slot)->tag == SDB_E_SUB_PLAN && sp->plan != NULL && build_sides(sw->o, sp->plan, true) != SDB_OK) {
        sw->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

/* `positional`: the consumer of plan's rows reads its columns by position
 * (the statement's result, a set operation ...), so its order stays. */
static int build_sides(Opt *o, SdbPlan *plan, bool positional)
{
    Swap sw = {o, false};
    opt_walk_node(plan, 0, swap_in_subplan, &sw);
    if (sw.failed)
        return SDB_ERROR;
    bool children_positional = opt_children_positional(plan, positional);
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan *child = *sdb_plan_child(plan, i);
        bool first = true;
        if (child == NULL)
            continue;
        if (plan->tag == SDB_P_CTE_SCAN && opt_first_visit(o, child, &first) != SDB_OK)
            return SDB_ERROR;
        if (first && build_sides(o, child, children_positional) != SDB_OK)
            return SDB_ERROR;
    }
    SdbPlanJoin *join = (SdbPlanJoin *)plan;
    if (plan->tag == SDB_P_JOIN && !positional && join->strategy == SDB_JOIN_STRATEGY_HASH &&
        join->kind != SDB_JOIN_KIND_SEMI && join->kind != SDB_JOIN_KIND_ANTI &&
        join->right->rows > 2 * join->left->rows)
        swap_sides(join);
    return opt_set_header(o, plan);
}

int opt_hash_build_sides(Opt *o, SdbPlan *root) { return build_sides(o, root, true); }

void opt_agg_strategy(SdbPlanAggregate *agg)
{
    agg->strategy = agg->ngroups > 0 || agg->nsets > 0 ? SDB_AGG_STRATEGY_HASH : SDB_AGG_STRATEGY_PLAIN;
}
