/*
 * plan/columns.c: rule 4, projection pushdown.  A Scan produces only the
 * columns some expression of the statement reads (binding tables are
 * unique per statement, so a Var anywhere, at any level, names its
 * producer), plus those consumed by position: the statement's result, the
 * output of a SubPlan or CTE, the inputs of set operations, DISTINCT and
 * INSERT.
 * Scans of the table an UPDATE or DELETE changes keep every column.  The
 * headers of pass-through operators are then recomputed bottom-up.
 */
#include <stdlib.h>

#include "plan/opt_int.h"

typedef struct Needed {
    Opt *o;
    int64_t *keys; /* (table << 32) | (column + 1), sorted after collection */
    int n, cap;
    bool failed;
} Needed;

static int64_t key_of(int table, int column) { return ((int64_t)table << 32) | (uint32_t)(column + 1); }

static void need(Needed *nd, int table, int column)
{
    if (nd->n == nd->cap) {
        int cap = nd->cap ? nd->cap * 2 : 64;
        int64_t *keys = sdb_arena_realloc(nd->o->arena, nd->keys, sizeof(*keys) * nd->cap, sizeof(*keys) * cap);
        if (keys == NULL) {
            nd->failed = true;
            return;
        }
        nd->keys = keys;
        nd->cap = cap;
    }
    nd->keys[nd->n++] = key_of(table, column);
}

static void need_header(Needed *nd, const SdbPlan *plan)
{
    for (int i = 0; i < plan->ncols; i++)
        need(nd, plan->cols[i].table, plan->cols[i].column);
}

static void need_positional(Needed *nd, SdbPlan *plan);

static OptWalk need_var(SdbExpr **slot, int depth, void *arg)
{
    Needed *nd = arg;
    (void)depth;
    if ((*slot)->tag == SDB_E_VAR)
        need(nd, ((SdbBoundVar *)*slot)->table, ((SdbBoundVar *)*slot)->column);
    if ((*slot)->tag == SDB_E_SUB_PLAN && ((SdbBoundSubPlan *)*slot)->plan != NULL) {
        need_header(nd, ((SdbBoundSubPlan *)*slot)->plan);
        need_positional(nd, ((SdbBoundSubPlan *)*slot)->plan);
    }
    return OPT_WALK_CONTINUE;
}

/* Collect, over the tree, the headers consumed by position and the
 * targets of UPDATE/DELETE (as table, column -2: every column). */
static void need_positional(Needed *nd, SdbPlan *plan)
{
    switch (plan->tag) {
    case SDB_P_SET_OP:
    case SDB_P_RECURSIVE_UNION:
    case SDB_P_DISTINCT: /* compares whole rows */
    case SDB_P_INSERT:
    case SDB_P_CTE_SCAN:
        for (int i = 0; i < sdb_plan_nchildren(plan); i++)
            if (*sdb_plan_child(plan, i) != NULL)
                need_header(nd, *sdb_plan_child(plan, i));
        break;
    case SDB_P_UPDATE: need(nd, ((SdbPlanUpdate *)plan)->table, -2); break;
    case SDB_P_DELETE: need(nd, ((SdbPlanDelete *)plan)->table, -2); break;
    default: break;
    }
    for (int i = 0; i < sdb_plan_nchildren(plan); i++)
        if (*sdb_plan_child(plan, i) != NULL)
            need_positional(nd, *sdb_plan_child(plan, i));
}

static int cmp_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool is_needed(const Needed *nd, int table, int column)
{
    int64_t key = key_of(table, column);
    return nd->n > 0 && bsearch(&key, nd->keys, nd->n, sizeof(key), cmp_key) != NULL;
}

/* Prune the Scans of the tree and recompute headers, bottom-up; SubPlan
 * plans are pruned through their own walk (opt_prune_columns' visitor). */
static int prune(Opt *o, const Needed *nd, SdbPlan *plan)
{
    for (int i = 0; i < sdb_plan_nchildren(plan); i++)
        if (*sdb_plan_child(plan, i) != NULL && prune(o, nd, *sdb_plan_child(plan, i)) != SDB_OK)
            return SDB_ERROR;
    if (plan->tag != SDB_P_SCAN)
        return opt_set_header(o, plan);
    const SdbPlanScan *scan = (const SdbPlanScan *)plan;
    if (is_needed(nd, scan->table, -2))
        return SDB_OK;
    SdbPlanColumn *cols = plan->ncols > 0 ? sdb_arena_alloc(o->arena, sizeof(*cols) * plan->ncols) : NULL;
    if (plan->ncols > 0 && cols == NULL)
        return SDB_ERROR;
    int n = 0;
    for (int i = 0; i < plan->ncols; i++)
        if (is_needed(nd, plan->cols[i].table, plan->cols[i].column))
            cols[n++] = plan->cols[i];
    plan->cols = cols;
    plan->ncols = n;
    return SDB_OK;
}

typedef struct PruneSub {
    Opt *o;
    const Needed *nd;
    bool failed;
} PruneSub;

static OptWalk prune_subplan(SdbExpr **slot, int depth, void *arg)
{
    PruneSub *ps = arg;
    (void)depth;
    if ((*slot)->tag == SDB_E_SUB_PLAN && ((SdbBoundSubPlan *)*slot)->plan != NULL &&
        prune(ps->o, ps->nd, ((SdbBoundSubPlan *)*slot)->plan) != SDB_OK) {
        ps->failed = true;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

int opt_prune_columns(Opt *o, SdbPlan *root)
{
    Needed nd = {.o = o};
    need_header(&nd, root);
    opt_walk_plan(root, 0, need_var, &nd);
    need_positional(&nd, root);
    if (nd.failed)
        return SDB_ERROR;
    if (nd.n > 0)
        qsort(nd.keys, nd.n, sizeof(*nd.keys), cmp_key);
    if (prune(o, &nd, root) != SDB_OK)
        return SDB_ERROR;
    PruneSub ps = {o, &nd, false};
    opt_walk_plan(root, 0, prune_subplan, &ps);
    return ps.failed ? SDB_ERROR : SDB_OK;
}
