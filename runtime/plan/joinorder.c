/*
 * plan/joinorder.c: join order of inner joins.  A tree of inner joins
 * (after pushdown, each condition sits at the lowest join that produces
 * what it reads) is a set of inputs plus conditions; it is rebuilt left-deep
 * greedily: start from the smallest input, then join the input that a
 * condition connects to what is joined so far and gives the fewest rows,
 * a cross join only when no condition connects any.  Each condition goes
 * to the first join that produces every binding it reads.  So FROM a, c, b
 * WHERE a.x = b.x AND b.y = c.y never multiplies a by c.
 *
 * Trees whose column order is read by position (the statement's result, a
 * set operation's input ...) and trees where an input reads another's row
 * (LATERAL) keep their order.  Row counts are rough estimates (cost.c)
 * computed for the purpose; the final ones come later.
 */
#include <math.h>
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"

typedef struct Input {
    SdbPlan **slot;           /* where it hangs in the original tree */
    SdbPlan *plan;
    OptSet tables;
    bool used;
} Input;

typedef struct Cluster {
    Input *inputs;
    int n, cap;
    OptList conds;
} Cluster;

static void estimate_tree(Opt *o, SdbPlan *plan)
{
    for (int i = 0; plan->tag != SDB_P_CTE_SCAN && i < sdb_plan_nchildren(plan); i++)
        if (*sdb_plan_child(plan, i) != NULL)
            estimate_tree(o, *sdb_plan_child(plan, i));
    opt_estimate(o, plan);
}

static bool is_inner_join(const SdbPlan *plan)
{
    return plan->tag == SDB_P_JOIN && ((const SdbPlanJoin *)plan)->kind == SDB_JOIN_KIND_INNER;
}

static int collect(Opt *o, SdbPlan **slot, Cluster *c)
{
    SdbPlan *plan = *slot;
    if (is_inner_join(plan)) {
        SdbPlanJoin *join = (SdbPlanJoin *)plan;
        for (int i = 0; i < join->nconds; i++)
            if (opt_list_add(o, &c->conds, join->conds[i]) != SDB_OK)
                return SDB_ERROR;
        return collect(o, &join->left, c) == SDB_OK ? collect(o, &join->right, c) : SDB_ERROR;
    }
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        Input *inputs = sdb_arena_realloc(o->arena, c->inputs, sizeof(*inputs) * c->cap, sizeof(*inputs) * cap);
        if (inputs == NULL)
            return SDB_ERROR;
        c->inputs = inputs;
        c->cap = cap;
    }
    Input *in = &c->inputs[c->n++];
    memset(in, 0, sizeof(*in));
    in->slot = slot;
    return SDB_OK;
}

/* The headers of a tree of inner joins whose inputs changed. */
static int refresh_headers(Opt *o, SdbPlan *plan)
{
    if (!is_inner_join(plan))
        return SDB_OK;
    SdbPlanJoin *join = (SdbPlanJoin *)plan;
    if (refresh_headers(o, join->left) != SDB_OK || refresh_headers(o, join->right) != SDB_OK)
        return SDB_ERROR;
    return opt_set_header(o, plan);
}

static OptWalk reads_table(SdbExpr **slot, int depth, void *arg)
{
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    return (*slot)->tag == SDB_E_VAR && var->levelsup == depth && opt_set_has(arg, var->table) ? OPT_WALK_STOP
                                                                                               : OPT_WALK_CONTINUE;
}

/* Does an input read a row of another (LATERAL)? */
static bool lateral(const Cluster *c)
{
    OptSet all;
    opt_set_clear(&all);
    for (int i = 0; i < c->n; i++)
        opt_set_union(&all, &c->inputs[i].tables);
    for (int i = 0; i < c->n; i++)
        if (opt_walk_plan(c->inputs[i].plan, 0, reads_table, &all) == OPT_WALK_STOP)
            return true;
    return false;
}

/* Rows of joining `rows` rows of `have` with input `in` under the
 * conditions that become checkable; *connected when one of them links the two. */
static double join_rows(const Cluster *c, const OptSet *have, double rows, const Input *in, bool *connected)
{
    OptSet both = *have;
    opt_set_union(&both, &in->tables);
    double r = in->plan->rows, out = rows * r;
    *connected = false;
    for (int i = 0; i < c->conds.n; i++) {
        OptSet t;
        opt_set_clear(&t);
        opt_expr_tables(c->conds.items[i], &t);
        if (!opt_set_subset(&t, &both) || opt_set_subset(&t, have) || !opt_set_overlaps(&t, have))
            continue;
        *connected = true;
        const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)c->conds.items[i];
        const SdbOperInfo *info = op->expr.tag == SDB_E_OP_EXPR ? sdb_oper_by_oid(op->opno) : NULL;
        out *= info != NULL && strcmp(info->name, "=") == 0 ? 1.0 / fmax(1.0, fmin(rows, r))
                                                            : opt_selectivity(c->conds.items[i]);
    }
    return out;
}

/* The conditions checkable over `tables` and not placed yet. */
static int take_conds(Opt *o, Cluster *c, const OptSet *tables, bool *placed, SdbPlanJoin *join)
{
    OptList conds = {0};
    for (int i = 0; i < c->conds.n; i++) {
        OptSet t;
        opt_set_clear(&t);
        opt_expr_tables(c->conds.items[i], &t);
        if (placed[i] || !opt_set_subset(&t, tables))
            continue;
        placed[i] = true;
        if (opt_list_add(o, &conds, c->conds.items[i]) != SDB_OK)
            return SDB_ERROR;
    }
    join->conds = conds.items;
    join->nconds = conds.n;
    return SDB_OK;
}

static int rebuild(Opt *o, Cluster *c, SdbPlan **slot)
{
    bool *placed = sdb_arena_calloc(o->arena, c->conds.n + 1, sizeof(bool));
    if (placed == NULL)
        return SDB_ERROR;
    int first = 0;
    for (int i = 1; i < c->n; i++)
        if (c->inputs[i].plan->rows < c->inputs[first].plan->rows)
            first = i;
    c->inputs[first].used = true;
    SdbPlan *tree = c->inputs[first].plan;
    OptSet have = c->inputs[first].tables;
    double rows = tree->rows;
    for (int step = 1; step < c->n; step++) {
        int best = -1;
        bool best_connected = false;
        double best_rows = 0;
        for (int i = 0; i < c->n; i++) {
            bool connected;
            if (c->inputs[i].used)
                continue;
            double r = join_rows(c, &have, rows, &c->inputs[i], &connected);
            if (best < 0 || (connected && !best_connected) || (connected == best_connected && r < best_rows)) {
                best = i;
                best_connected = connected;
                best_rows = r;
            }
        }
        Input *in = &c->inputs[best];
        in->used = true;
        opt_set_union(&have, &in->tables);
        SdbPlanJoin *join = sdb_new_plan_join(o->arena);
        if (join == NULL)
            return SDB_ERROR;
        join->kind = SDB_JOIN_KIND_INNER;
        join->left = tree;
        join->right = in->plan;
        if (take_conds(o, c, &have, placed, join) != SDB_OK || opt_set_header(o, &join->plan) != SDB_OK)
            return SDB_ERROR;
        join->plan.rows = rows = fmax(1.0, best_rows);
        tree = &join->plan;
    }
    /* a condition reading a row from outside the tree (LATERAL above): at the top */
    SdbPlanJoin *top = (SdbPlanJoin *)tree;
    for (int i = 0; i < c->conds.n; i++) {
        if (placed[i])
            continue;
        SdbExpr **conds = sdb_arena_alloc(o->arena, sizeof(SdbExpr *) * (top->nconds + 1));
        if (conds == NULL)
            return SDB_ERROR;
        if (top->nconds > 0)
            memcpy(conds, top->conds, sizeof(SdbExpr *) * top->nconds);
        conds[top->nconds++] = c->conds.items[i];
        top->conds = conds;
    }
    *slot = tree;
    return SDB_OK;
}

/* `positional`: the consumer reads plan's columns by position. */
static int reorder(Opt *o, SdbPlan **slot, bool positional)
{
    SdbPlan *plan = *slot;
    if (plan->tag == SDB_P_CTE_SCAN)
        return SDB_OK;
    if (is_inner_join(plan)) {
        Cluster c = {0};
        if (collect(o, slot, &c) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < c.n; i++) {
            Input *in = &c.inputs[i];
            if (reorder(o, in->slot, positional) != SDB_OK)
                return SDB_ERROR;
            in->plan = *in->slot;
            opt_produced(in->plan, &in->tables);
        }
        if (c.n < 3 || positional || lateral(&c))
            return refresh_headers(o, plan);
        for (int i = 0; i < c.n; i++)
            estimate_tree(o, c.inputs[i].plan);
        return rebuild(o, &c, slot);
    }
    bool children_positional = opt_children_positional(plan, positional);
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan **child = sdb_plan_child(plan, i);
        if (*child != NULL && reorder(o, child, children_positional) != SDB_OK)
            return SDB_ERROR;
    }
    return opt_set_header(o, plan);
}

int opt_reorder_joins(Opt *o, SdbPlan **plan) { return reorder(o, plan, true); }
