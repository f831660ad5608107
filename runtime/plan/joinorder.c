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
    int *conds;               /* the conditions reading it (indexes into Cluster.cond) */
    int nconds;
    bool used;
} Input;

/* A condition of the cluster with what the greedy search asks of it,
 * computed once, so that a whole search costs O(inputs x (inputs +
 * conditions)) bitmap steps. */
typedef struct Cond {
    SdbExpr *expr;
    uint64_t *reads;          /* the inputs it reads: bits over input indexes */
    bool outside;             /* reads a table no input produces (LATERAL above) */
    bool equality;            /* an `=`: selectivity from the two sides' rows */
    double selectivity;       /* otherwise */
    bool placed;
} Cond;

typedef struct Cluster {
    Input *inputs;
    int n, cap;
    OptList conds;
    Cond *cond;               /* conds.items, prepared */
    int words;                /* of an input bitmap */
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

/* The tables of the cluster's inputs other than one's own. */
typedef struct Others {
    OptSet all;
    const OptSet *own;
} Others;

static OptWalk reads_other(SdbExpr **slot, int depth, void *arg)
{
    const Others *others = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    return (*slot)->tag == SDB_E_VAR && var->levelsup == depth && opt_set_has(&others->all, var->table) &&
                   !opt_set_has(others->own, var->table)
               ? OPT_WALK_STOP
               : OPT_WALK_CONTINUE;
}

/* Does an input read a row of another (LATERAL)?  Its own tables (its
 * filters) do not count. */
static bool lateral(const Cluster *c)
{
    Others others;
    opt_set_clear(&others.all);
    for (int i = 0; i < c->n; i++)
        opt_set_union(&others.all, &c->inputs[i].tables);
    for (int i = 0; i < c->n; i++) {
        others.own = &c->inputs[i].tables;
        if (opt_walk_plan(c->inputs[i].plan, 0, reads_other, &others) == OPT_WALK_STOP)
            return true;
    }
    return false;
}

/* --- bitmaps over the cluster's inputs --- */

static bool bit_has(const uint64_t *bits, int i) { return bits[i / 64] >> (i % 64) & 1; }

static void bit_add(uint64_t *bits, int i) { bits[i / 64] |= UINT64_C(1) << (i % 64); }

/* Is `a` within `have` plus input `extra` (-1: none)? */
static bool bits_within(const uint64_t *a, const uint64_t *have, int extra, int words)
{
    for (int w = 0; w < words; w++) {
        uint64_t more = extra >= 0 && extra / 64 == w ? UINT64_C(1) << (extra % 64) : 0;
        if ((a[w] & ~(have[w] | more)) != 0)
            return false;
    }
    return true;
}

static bool bits_overlap(const uint64_t *a, const uint64_t *b, int words)
{
    for (int w = 0; w < words; w++)
        if ((a[w] & b[w]) != 0)
            return true;
    return false;
}

/* The input producing binding table t, or -1. */
static int input_of(const Cluster *c, int t)
{
    for (int i = 0; i < c->n; i++)
        if (opt_set_has(&c->inputs[i].tables, t))
            return i;
    return -1;
}

/* Each condition's inputs and selectivity, each input's conditions. */
static int prepare(Opt *o, Cluster *c)
{
    c->words = (c->n + 63) / 64;
    c->cond = sdb_arena_calloc(o->arena, c->conds.n + 1, sizeof(Cond));
    int *degree = sdb_arena_calloc(o->arena, c->n, sizeof(int));
    if (c->cond == NULL || degree == NULL)
        return SDB_ERROR;
    for (int k = 0; k < c->conds.n; k++) {
        Cond *cd = &c->cond[k];
        cd->expr = c->conds.items[k];
        cd->reads = sdb_arena_calloc(o->arena, c->words, sizeof(uint64_t));
        if (cd->reads == NULL)
            return SDB_ERROR;
        OptSet t;
        opt_set_clear(&t);
        opt_expr_tables(cd->expr, &t);
        for (int w = 0; w < OPT_MAX_TABLES / 64; w++)
            for (uint64_t bits = t.w[w]; bits != 0; bits &= bits - 1) {
                int i = input_of(c, w * 64 + __builtin_ctzll(bits));
                if (i < 0)
                    cd->outside = true;
                else if (!bit_has(cd->reads, i)) {
                    bit_add(cd->reads, i);
                    degree[i]++;
                }
            }
        const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)cd->expr;
        const SdbOperInfo *info = op->expr.tag == SDB_E_OP_EXPR ? sdb_oper_by_oid(op->opno) : NULL;
        cd->equality = info != NULL && strcmp(info->name, "=") == 0;
        cd->selectivity = opt_selectivity(o, cd->expr);
    }
    for (int i = 0; i < c->n; i++)
        if ((c->inputs[i].conds = sdb_arena_alloc(o->arena, sizeof(int) * (degree[i] + 1))) == NULL)
            return SDB_ERROR;
    for (int k = 0; k < c->conds.n; k++)
        for (int i = 0; i < c->n; i++)
            if (bit_has(c->cond[k].reads, i))
                c->inputs[i].conds[c->inputs[i].nconds++] = k;
    return SDB_OK;
}

/* Rows of joining `rows` rows of the inputs `have` with input i under the
 * conditions that become checkable; *connected when one of them links the two. */
static double join_rows(const Cluster *c, const uint64_t *have, double rows, int i, bool *connected)
{
    const Input *in = &c->inputs[i];
    double r = in->plan->rows, out = rows * r;
    *connected = false;
    for (int j = 0; j < in->nconds; j++) {
        const Cond *cd = &c->cond[in->conds[j]];
        if (cd->outside || !bits_within(cd->reads, have, i, c->words) || !bits_overlap(cd->reads, have, c->words))
            continue;
        *connected = true;
        out *= cd->equality ? 1.0 / fmax(1.0, fmin(rows, r)) : cd->selectivity;
    }
    return out;
}

static int take_cond(Opt *o, Cond *cd, const uint64_t *have, int words, OptList *conds)
{
    if (cd->placed || cd->outside || !bits_within(cd->reads, have, -1, words))
        return SDB_OK;
    cd->placed = true;
    return opt_list_add(o, conds, cd->expr);
}

/* The conditions checkable over `have` once input i joined and not placed
 * yet: at the first join every condition is a candidate (one reading only
 * the first input, or no input), later only those reading input i. */
static int take_conds(Opt *o, Cluster *c, const uint64_t *have, int i, bool first, SdbPlanJoin *join)
{
    OptList conds = {0};
    const Input *in = &c->inputs[i];
    for (int j = 0; j < (first ? c->conds.n : in->nconds); j++)
        if (take_cond(o, &c->cond[first ? j : in->conds[j]], have, c->words, &conds) != SDB_OK)
            return SDB_ERROR;
    join->conds = conds.items;
    join->nconds = conds.n;
    return SDB_OK;
}

/* The next input: connected to `have` by a condition if any is, then the
 * fewest rows. */
static int next_input(const Cluster *c, const uint64_t *have, double rows, double *best_rows)
{
    int best = -1;
    bool best_connected = false;
    for (int i = 0; i < c->n; i++) {
        bool connected;
        if (c->inputs[i].used)
            continue;
        double r = join_rows(c, have, rows, i, &connected);
        if (best < 0 || (connected && !best_connected) || (connected == best_connected && r < *best_rows)) {
            best = i;
            best_connected = connected;
            *best_rows = r;
        }
    }
    return best;
}

static int rebuild(Opt *o, Cluster *c, SdbPlan **slot)
{
    if (prepare(o, c) != SDB_OK)
        return SDB_ERROR;
    uint64_t *have = sdb_arena_calloc(o->arena, c->words, sizeof(uint64_t));
    if (have == NULL)
        return SDB_ERROR;
    int first = 0;
    for (int i = 1; i < c->n; i++)
        if (c->inputs[i].plan->rows < c->inputs[first].plan->rows)
            first = i;
    c->inputs[first].used = true;
    bit_add(have, first);
    SdbPlan *tree = c->inputs[first].plan;
    double rows = tree->rows;
    for (int step = 1; step < c->n; step++) {
        double best_rows = 0;
        int best = next_input(c, have, rows, &best_rows);
        Input *in = &c->inputs[best];
        in->used = true;
        bit_add(have, best);
        SdbPlanJoin *join = sdb_new_plan_join(o->arena);
        if (join == NULL)
            return SDB_ERROR;
        join->kind = SDB_JOIN_KIND_INNER;
        join->left = tree;
        join->right = in->plan;
        if (take_conds(o, c, have, best, step == 1, join) != SDB_OK || opt_set_header(o, &join->plan) != SDB_OK)
            return SDB_ERROR;
        join->plan.rows = rows = fmax(1.0, best_rows);
        tree = &join->plan;
    }
    /* a condition reading a row from outside the tree (LATERAL above): at the top */
    SdbPlanJoin *top = (SdbPlanJoin *)tree;
    for (int k = 0; k < c->conds.n; k++) {
        if (c->cond[k].placed)
            continue;
        SdbExpr **conds = sdb_arena_alloc(o->arena, sizeof(SdbExpr *) * (top->nconds + 1));
        if (conds == NULL)
            return SDB_ERROR;
        if (top->nconds > 0)
            memcpy(conds, top->conds, sizeof(SdbExpr *) * top->nconds);
        conds[top->nconds++] = c->cond[k].expr;
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
