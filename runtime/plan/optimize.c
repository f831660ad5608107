/*
 * plan/optimize.c: sdb_optimize(), the order of the rules (README.md):
 *
 *   1. constant folding over the whole statement (fold.c);
 *   per query level, outermost first (SubPlans and CTEs are levels of
 *   their own, done after the level that contains them):
 *   5. decorrelation of EXISTS / IN conditions into semi/anti joins;
 *   3. outer-join simplification;
 *   2. predicate pushdown; 3. LEFT JOIN ... IS NULL as anti joins;
 *   removal of subtrees without rows;
 *   6. the order of inner joins (joinorder.c);
 *   then over the whole statement: 7. index selection for every Scan
 *   (consuming the filters the index applies) and sort elimination over
 *   index order, 4. projection pushdown into
 *   Scans; and bottom-up over every operator: index-only scans, 6. join
 *   strategy, 8. aggregate strategy, 9. estimates; last, the smaller input
 *   of each hash join goes to the side the executor hashes.
 */
#include "plan/opt_int.h"

typedef int (*PlanFn)(Opt *o, SdbPlan **slot);

static int foreach_plan(Opt *o, SdbPlan **slot, PlanFn fn);

typedef struct SubWalk {
    Opt *o;
    PlanFn fn;
    bool failed;
} SubWalk;

static OptWalk visit_subplan(SdbExpr **slot, int depth, void *arg)
{
    SubWalk *w = arg;
    (void)depth;
    SdbBoundSubPlan *sp = (SdbBoundSubPlan *)*slot;
    if ((*slot)->tag != SDB_E_SUB_PLAN || sp->plan == NULL)
        return OPT_WALK_CONTINUE;
    if ((sp->test != NULL && opt_walk_expr(&sp->test, 0, visit_subplan, arg) == OPT_WALK_STOP) ||
        foreach_plan(w->o, &sp->plan, w->fn) != SDB_OK) {
        w->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_SKIP;
}

int opt_first_visit(Opt *o, SdbPlan *plan, bool *first)
{
    for (int i = 0; i < o->nseen; i++)
        if (o->seen[i] == plan) {
            *first = false;
            return SDB_OK;
        }
    if (o->nseen == o->capseen) {
        int cap = o->capseen ? o->capseen * 2 : 8;
        SdbPlan **seen = sdb_arena_realloc(o->arena, o->seen, sizeof(*seen) * o->capseen, sizeof(*seen) * cap);
        if (seen == NULL)
            return SDB_ERROR;
        o->seen = seen;
        o->capseen = cap;
    }
    o->seen[o->nseen++] = plan;
    *first = true;
    return SDB_OK;
}

/* fn on every operator of the statement, children (and the plans of
 * their SubPlans, and each CTE plan once) before parents. */
static int foreach_plan(Opt *o, SdbPlan **slot, PlanFn fn)
{
    SdbPlan *plan = *slot;
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan **child = sdb_plan_child(plan, i);
        bool first = true;
        if (*child == NULL)
            continue;
        if (plan->tag == SDB_P_CTE_SCAN && opt_first_visit(o, *child, &first) != SDB_OK)
            return SDB_ERROR;
        if (first && foreach_plan(o, child, fn) != SDB_OK)
            return SDB_ERROR;
    }
    SubWalk w = {o, fn, false};
    opt_walk_node(plan, 0, visit_subplan, &w);
    return w.failed ? SDB_ERROR : fn(o, slot);
}

/* --- the statement's size --- */

static OptWalk check_var(SdbExpr **slot, int depth, void *arg)
{
    (void)depth;
    (void)arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    return (*slot)->tag == SDB_E_VAR && (var->table < -1 || var->table >= OPT_MAX_TABLES) ? OPT_WALK_STOP
                                                                                         : OPT_WALK_CONTINUE;
}

static int check_tables(Opt *o, SdbPlan **slot)
{
    const SdbPlan *plan = *slot;
    if (plan->tag == SDB_P_SCAN && opt_note_scan(o, (const SdbPlanScan *)plan) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < plan->ncols; i++)
        if (plan->cols[i].table < -1 || plan->cols[i].table >= OPT_MAX_TABLES)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many range table entries");
    if (opt_walk_node(*slot, 0, check_var, NULL) == OPT_WALK_STOP)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many range table entries");
    return SDB_OK;
}

/* --- one query level --- */

static int optimize_level(Opt *o, SdbPlan **plan);

typedef struct Nested {
    Opt *o;
    bool failed;
} Nested;

static OptWalk nested_subplan(SdbExpr **slot, int depth, void *arg)
{
    Nested *n = arg;
    (void)depth;
    SdbBoundSubPlan *sp = (SdbBoundSubPlan *)*slot;
    if ((*slot)->tag != SDB_E_SUB_PLAN || sp->plan == NULL)
        return OPT_WALK_CONTINUE;
    if ((sp->test != NULL && opt_walk_expr(&sp->test, 0, nested_subplan, arg) == OPT_WALK_STOP) ||
        optimize_level(n->o, &sp->plan) != SDB_OK) {
        n->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_SKIP;
}

/* A CTE's plan got a new root: every CteScan of it follows. */
typedef struct Retarget {
    SdbPlan *from, *to;
} Retarget;

static void retarget(SdbPlan *plan, const Retarget *r);

static OptWalk retarget_subplan(SdbExpr **slot, int depth, void *arg)
{
    (void)depth;
    SdbBoundSubPlan *sp = (SdbBoundSubPlan *)*slot;
    if ((*slot)->tag == SDB_E_SUB_PLAN && sp->plan != NULL)
        retarget(sp->plan, arg);
    return OPT_WALK_CONTINUE;
}

static void retarget(SdbPlan *plan, const Retarget *r)
{
    SdbPlanCteScan *scan = (SdbPlanCteScan *)plan;
    if (plan->tag == SDB_P_CTE_SCAN && scan->cte == r->from)
        scan->cte = r->to;
    opt_walk_node(plan, 0, retarget_subplan, (void *)r);
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan *child = *sdb_plan_child(plan, i);
        if (child != NULL && child != r->to)
            retarget(child, r);
    }
}

static int optimize_cte(Opt *o, SdbPlan **slot)
{
    SdbPlan *before = *slot;
    bool first = false;
    if (opt_first_visit(o, before, &first) != SDB_OK)
        return SDB_ERROR;
    if (!first)
        return SDB_OK;
    if (optimize_level(o, slot) != SDB_OK)
        return SDB_ERROR;
    if (*slot == before)
        return SDB_OK;
    Retarget r = {before, *slot};
    retarget(*o->root, &r);
    return opt_first_visit(o, *slot, &first);
}

/* The queries nested in this level: its SubPlans and CTEs. */
static int optimize_nested(Opt *o, SdbPlan *plan)
{
    Nested n = {o, false};
    opt_walk_node(plan, 0, nested_subplan, &n);
    if (n.failed)
        return SDB_ERROR;
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan **child = sdb_plan_child(plan, i);
        if (*child == NULL)
            continue;
        if (plan->tag == SDB_P_CTE_SCAN) {
            if (optimize_cte(o, child) != SDB_OK)
                return SDB_ERROR;
        } else if (optimize_nested(o, *child) != SDB_OK) {
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int optimize_level(Opt *o, SdbPlan **plan)
{
    if (opt_decorrelate(o, plan) != SDB_OK)
        return SDB_ERROR;
    opt_reduce_outer_joins(*plan);
    if (opt_pushdown(o, plan) != SDB_OK || opt_outer_to_anti_joins(o, plan) != SDB_OK ||
        opt_prune_empty(o, plan) != SDB_OK || opt_reorder_joins(o, plan) != SDB_OK)
        return SDB_ERROR;
    return optimize_nested(o, *plan);
}

/* --- strategies and estimates --- */

static int choose_access(Opt *o, SdbPlan **slot)
{
    for (int i = 0; (*slot)->tag != SDB_P_CTE_SCAN && i < sdb_plan_nchildren(*slot); i++)
        if (opt_sort_elimination(o, *slot, sdb_plan_child(*slot, i)) != SDB_OK)
            return SDB_ERROR;
    if ((*slot)->tag != SDB_P_SCAN)
        return SDB_OK;
    SdbPlanScan *scan = (SdbPlanScan *)*slot;
    const SdbRelation *rel = opt_relation(o, scan->rel_oid);
    double pages;
    double rows = opt_table_rows(o, rel, &pages);
    return opt_choose_index(o, scan, rel, rows, pages);
}

static int choose(Opt *o, SdbPlan **slot)
{
    SdbPlan *plan = *slot;
    if (plan->tag == SDB_P_SCAN) {
        opt_index_only((SdbPlanScan *)plan, opt_relation(o, ((SdbPlanScan *)plan)->rel_oid));
    } else if (plan->tag == SDB_P_JOIN) {
        if (opt_join_strategy(o, (SdbPlanJoin *)plan) != SDB_OK || opt_merge_join(o, (SdbPlanJoin *)plan) != SDB_OK)
            return SDB_ERROR;
    } else if (plan->tag == SDB_P_AGGREGATE) {
        opt_agg_strategy((SdbPlanAggregate *)plan);
    }
    opt_estimate(o, plan);
    return SDB_OK;
}

/* Sorts under *slot that a merge join's order makes useless. */
static int merge_orders(Opt *o, SdbPlan **slot)
{
    for (int i = 0; i < sdb_plan_nchildren(*slot); i++) {
        SdbPlan **child = sdb_plan_child(*slot, i);
        if (*child != NULL && opt_merge_sort_order(o, *slot, child) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_optimize(SdbOptContext *ctx, SdbPlan **plan)
{
    Opt o = {.ctx = ctx, .arena = ctx->arena, .root = plan};
    if (ctx->expr != NULL)
        o.eval = *ctx->expr;
    o.eval.arena = ctx->arena;
    o.eval.exec_hook = NULL;
    o.eval.exec_state = NULL;
    if (foreach_plan(&o, plan, check_tables) != SDB_OK || opt_fold_plan(&o, *plan) != SDB_OK)
        return SDB_ERROR;
    o.nseen = 0;
    if (optimize_level(&o, plan) != SDB_OK)
        return SDB_ERROR;
    o.nseen = 0;
    if (foreach_plan(&o, plan, choose_access) != SDB_OK || opt_sort_elimination(&o, NULL, plan) != SDB_OK ||
        opt_prune_columns(&o, *plan) != SDB_OK)
        return SDB_ERROR;
    o.nseen = 0;
    if (foreach_plan(&o, plan, choose) != SDB_OK)
        return SDB_ERROR;
    o.nseen = 0;
    if (foreach_plan(&o, plan, merge_orders) != SDB_OK || opt_merge_sort_order(&o, NULL, plan) != SDB_OK)
        return SDB_ERROR;
    o.nseen = 0;
    return opt_hash_build_sides(&o, *plan);
}
