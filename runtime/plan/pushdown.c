/*
 * plan/pushdown.c: rule 2, predicate pushdown, and the removal of subtrees
 * that produce no rows.
 *
 * Pushdown collects the conditions of Filters (split at AND) and carries
 * them down to the lowest operator that produces every binding they read:
 * into Scan.filters, to one side of a join, into a join's conditions (an
 * inner join without conditions thus becomes an equi-join), below Sorts,
 * below a Project or an Aggregate by replacing Vars of its binding table by
 * the expressions they name (an Aggregate only for conditions on its group
 * columns, with GROUP BY and no grouping sets), into both inputs of a set
 * operation (its Vars replaced by each input's columns).  Outer joins: conditions
 * above go only to the preserved side; a join condition reading only the
 * nullable side goes into that side.  Below a Window go only conditions
 * on columns every window function partitions by.  Conditions stop above
 * Limit, DISTINCT ON and CTEs, and volatile conditions do not move
 * at all; where they stop a Filter holds them.  Across an inner join's
 * `a = b`, a condition `a = constant` on one side gives `b = constant` on
 * the other.
 *
 * Empty results: a Filter or Scan with a constant false/NULL condition, an
 * inner or semi join with one, and operators that keep no row of an empty
 * input become a Values of no rows with the same header (bindings).
 */
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"

static int push(Opt *o, SdbPlan **slot, OptList *pending);

/* Wrap *slot in a Filter of `quals` (when there are any). */
static int place(Opt *o, SdbPlan **slot, const OptList *quals)
{
    if (quals->n == 0)
        return SDB_OK;
    SdbPlan *filter = opt_new_filter(o, *slot, quals->items, quals->n);
    if (filter == NULL)
        return SDB_ERROR;
    *slot = filter;
    return SDB_OK;
}

static int add_quals(Opt *o, OptList *l, SdbExpr *const *quals, int n)
{
    for (int i = 0; i < n; i++)
        if (!opt_expr_is_true(quals[i]) && opt_list_add_conjuncts(o, l, quals[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static void tables_of(SdbExpr *e, OptSet *out)
{
    opt_set_clear(out);
    opt_expr_tables(e, out);
}

/* Every child with an empty list of conditions. */
static int push_children(Opt *o, SdbPlan *plan)
{
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan **child = sdb_plan_child(plan, i);
        OptList none = {0};
        if (*child != NULL && push(o, child, &none) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* Could `qual` move below an operator that computes binding table `table`
 * as `exprs`?  Only when every column it reads there is a stable,
 * SubPlan-free expression. */
typedef struct Movable {
    int table;
    SdbExpr *const *exprs;
    int nexprs;
    bool ok;
} Movable;

static OptWalk check_movable(SdbExpr **slot, int depth, void *arg)
{
    Movable *m = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag != SDB_E_VAR || var->table != m->table || var->levelsup != depth)
        return OPT_WALK_CONTINUE;
    if (var->column < 0 || var->column >= m->nexprs || opt_expr_volatile(m->exprs[var->column]) ||
        opt_expr_has_subplan(m->exprs[var->column])) {
        m->ok = false;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

/* Move the conditions of `from` that read only binding table `table`
 * (computed as exprs) into `below`, rewritten over the operator's input;
 * the others into `stay`. */
static int split_through(Opt *o, const OptList *from, int table, SdbExpr *const *exprs, int nexprs, OptList *below,
                         OptList *stay)
{
    OptSet only;
    opt_set_clear(&only);
    opt_set_add(&only, table);
    for (int i = 0; i < from->n; i++) {
        SdbExpr *qual = from->items[i];
        OptSet t;
        tables_of(qual, &t);
        Movable m = {table, exprs, nexprs, true};
        opt_walk_expr(&qual, 0, check_movable, &m);
        if (!m.ok || !opt_set_subset(&t, &only) || opt_expr_volatile(qual)) {
            if (opt_list_add(o, stay, qual) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        if (opt_copy_expr(o, qual, &qual) != SDB_OK || opt_substitute(o, &qual, table, exprs, nexprs) != SDB_OK ||
            opt_list_add(o, below, qual) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* `a = b` of two Vars of the same type: the two Vars. */
static bool var_equality(SdbExpr *e, SdbBoundVar **a, SdbBoundVar **b)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)e;
    if (e->tag != SDB_E_OP_EXPR || op->nargs != 2 || op->args[0]->tag != SDB_E_VAR || op->args[1]->tag != SDB_E_VAR ||
        op->args[0]->type != op->args[1]->type)
        return false;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    if (info == NULL || strcmp(info->name, "=") != 0)
        return false;
    *a = (SdbBoundVar *)op->args[0];
    *b = (SdbBoundVar *)op->args[1];
    return (*a)->levelsup == 0 && (*b)->levelsup == 0;
}

static bool same_var(const SdbExpr *e, const SdbBoundVar *v)
{
    const SdbBoundVar *w = (const SdbBoundVar *)e;
    return e->tag == SDB_E_VAR && w->table == v->table && w->column == v->column && w->levelsup == 0;
}

/* `v = c` with c pseudo-constant (no Var of this level, stable, no
 * SubPlan): the side of v (0 or 1), or -1. */
static int const_equality(SdbExpr *e)
{
    const SdbBoundOpExpr *eq = (const SdbBoundOpExpr *)e;
    SdbBoundVar *a, *b;
    if (e->tag != SDB_E_OP_EXPR || eq->nargs != 2 || var_equality(e, &a, &b))
        return -1;
    const SdbOperInfo *info = sdb_oper_by_oid(eq->opno);
    int side = eq->args[0]->tag == SDB_E_VAR ? 0 : eq->args[1]->tag == SDB_E_VAR ? 1 : -1;
    if (info == NULL || strcmp(info->name, "=") != 0 || side < 0 ||
        ((const SdbBoundVar *)eq->args[side])->levelsup != 0 || opt_expr_has_local_vars(eq->args[1 - side]) ||
        opt_expr_volatile(eq->args[1 - side]) || opt_expr_has_subplan(eq->args[1 - side]))
        return -1;
    return side;
}

/* Columns made equal by `a = b` conditions (PostgreSQL's equivalence
 * classes), as a union-find over the Vars met. */
typedef struct Classes {
    const SdbBoundVar **vars;
    int *parent;
    int n, cap;
} Classes;

static int class_of(Opt *o, Classes *c, const SdbBoundVar *v)
{
    for (int i = 0; i < c->n; i++)
        if (same_var(&c->vars[i]->expr, v)) {
            int r = i;
            while (c->parent[r] != r)
                r = c->parent[r];
            return r;
        }
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        const SdbBoundVar **vars = sdb_arena_realloc(o->arena, c->vars, sizeof(*vars) * c->cap, sizeof(*vars) * cap);
        int *parent = vars ? sdb_arena_realloc(o->arena, c->parent, sizeof(int) * c->cap, sizeof(int) * cap) : NULL;
        if (parent == NULL)
            return -1;
        c->vars = vars;
        c->parent = parent;
        c->cap = cap;
    }
    c->vars[c->n] = v;
    c->parent[c->n] = c->n;
    return c->n++;
}

static int add_equalities(Opt *o, Classes *c, const OptList *quals)
{
    for (int i = 0; i < quals->n; i++) {
        SdbBoundVar *a, *b;
        if (!var_equality(quals->items[i], &a, &b))
            continue;
        int x = class_of(o, c, a), y = class_of(o, c, b);
        if (x < 0 || y < 0)
            return SDB_ERROR;
        c->parent[x] = y;
    }
    return SDB_OK;
}

/* Has a condition of `quals` (the first n) already fixed `v` to a constant? */
static bool has_const(const OptList *quals, int n, const SdbBoundVar *v)
{
    for (int i = 0; i < n; i++) {
        int side = const_equality(quals->items[i]);
        if (side >= 0 && same_var(((SdbBoundOpExpr *)quals->items[i])->args[side], v))
            return true;
    }
    return false;
}

/* Inner join: every column equal (through `a = b` conditions here) to one
 * a condition `a = c` fixes gets `b = c` on its side, so that it filters
 * early and may use an index, as PostgreSQL's equivalence classes do. */
static int derive_equalities(Opt *o, const OptList *conds, const OptSet *left, OptList *lq, OptList *rq)
{
    Classes c = {0};
    if (add_equalities(o, &c, lq) != SDB_OK || add_equalities(o, &c, rq) != SDB_OK ||
        add_equalities(o, &c, conds) != SDB_OK)
        return SDB_ERROR;
    int nl = lq->n, nr = rq->n; /* derived conditions derive nothing more */
    for (int side = 0; side < 2; side++) {
        const OptList *from = side == 0 ? lq : rq;
        for (int j = 0; j < (side == 0 ? nl : nr); j++) {
            int var_side = const_equality(from->items[j]);
            if (var_side < 0)
                continue;
            const SdbBoundOpExpr *eq = (const SdbBoundOpExpr *)from->items[j];
            const SdbBoundVar *known = (const SdbBoundVar *)eq->args[var_side];
            int k = class_of(o, &c, known);
            if (k < 0)
                return SDB_ERROR;
            for (int m = 0; m < c.n; m++) {
                const SdbBoundVar *other = c.vars[m];
                int root = m;
                while (c.parent[root] != root)
                    root = c.parent[root];
                bool on_left = opt_set_has(left, other->table);
                OptList *to = on_left ? lq : rq;
                if (root != k || same_var(&other->expr, known) || other->expr.type != known->expr.type ||
                    has_const(to, to->n, other))
                    continue;
                SdbExpr *derived;
                if (opt_copy_expr(o, &eq->expr, &derived) != SDB_OK)
                    return SDB_ERROR;
                ((SdbBoundOpExpr *)derived)->args[var_side] = (SdbExpr *)other;
                if (opt_list_add(o, to, derived) != SDB_OK)
                    return SDB_ERROR;
            }
        }
    }
    return SDB_OK;
}

static int push_join(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlanJoin *join = (SdbPlanJoin *)*slot;
    OptSet left, right;
    opt_set_clear(&left);
    opt_set_clear(&right);
    opt_produced(join->left, &left);
    opt_produced(join->right, &right);
    OptList lq = {0}, rq = {0}, conds = {0}, above = {0};
    SdbJoinKind kind = join->kind;
    /* conditions from above: any side for inner joins, the preserved side only otherwise */
    for (int i = 0; i < pending->n; i++) {
        SdbExpr *qual = pending->items[i];
        OptSet t;
        tables_of(qual, &t);
        bool movable = !opt_expr_volatile(qual);
        OptList *to = &above;
        if (movable && kind == SDB_JOIN_KIND_INNER)
            to = opt_set_subset(&t, &left) ? &lq : opt_set_subset(&t, &right) ? &rq : &conds;
        else if (movable && (kind == SDB_JOIN_KIND_LEFT || kind == SDB_JOIN_KIND_SEMI || kind == SDB_JOIN_KIND_ANTI))
            to = opt_set_subset(&t, &left) ? &lq : &above;
        else if (movable && kind == SDB_JOIN_KIND_RIGHT)
            to = opt_set_subset(&t, &right) ? &rq : &above;
        if (opt_list_add(o, to, qual) != SDB_OK)
            return SDB_ERROR;
    }
    /* the join's own conditions: into a side whose rows they only filter */
    OptList own = {0};
    if (add_quals(o, &own, join->conds, join->nconds) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < own.n; i++) {
        SdbExpr *cond = own.items[i];
        OptSet t;
        tables_of(cond, &t);
        bool l = opt_set_subset(&t, &left), r = opt_set_subset(&t, &right);
        bool movable = !opt_expr_volatile(cond);
        OptList *to = &conds;
        if (movable && (kind == SDB_JOIN_KIND_INNER || kind == SDB_JOIN_KIND_SEMI))
            to = l ? &lq : r ? &rq : &conds;
        else if (movable && (kind == SDB_JOIN_KIND_LEFT || kind == SDB_JOIN_KIND_ANTI))
            to = r ? &rq : &conds;
        else if (movable && kind == SDB_JOIN_KIND_RIGHT)
            to = l ? &lq : &conds;
        if (opt_list_add(o, to, cond) != SDB_OK)
            return SDB_ERROR;
    }
    if (kind == SDB_JOIN_KIND_INNER && derive_equalities(o, &conds, &left, &lq, &rq) != SDB_OK)
        return SDB_ERROR;
    join->conds = conds.items;
    join->nconds = conds.n;
    if (push(o, &join->left, &lq) != SDB_OK || push(o, &join->right, &rq) != SDB_OK ||
        opt_set_header(o, &join->plan) != SDB_OK)
        return SDB_ERROR;
    return place(o, slot, &above);
}

static int push_project(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlanProject *project = (SdbPlanProject *)*slot;
    OptList below = {0}, above = {0};
    if (split_through(o, pending, project->table, project->exprs, project->nexprs, &below, &above) != SDB_OK ||
        push(o, &project->child, &below) != SDB_OK)
        return SDB_ERROR;
    return place(o, slot, &above);
}

static int push_aggregate(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlanAggregate *agg = (SdbPlanAggregate *)*slot;
    OptList below = {0}, above = {0}, having = {0}, stay = {0};
    if (agg->ngroups == 0 || agg->nsets > 0) {
        if (push_children(o, *slot) != SDB_OK)
            return SDB_ERROR;
        return add_quals(o, &above, pending->items, pending->n) != SDB_OK ? SDB_ERROR : place(o, slot, &above);
    }
    if (add_quals(o, &having, agg->having, agg->nhaving) != SDB_OK ||
        split_through(o, pending, agg->group_table, agg->groups, agg->ngroups, &below, &above) != SDB_OK ||
        split_through(o, &having, agg->group_table, agg->groups, agg->ngroups, &below, &stay) != SDB_OK)
        return SDB_ERROR;
    agg->having = stay.items;
    agg->nhaving = stay.n;
    if (push(o, &agg->child, &below) != SDB_OK)
        return SDB_ERROR;
    return place(o, slot, &above);
}

/* Is every Var of this level that `qual` reads a PARTITION BY key of
 * every window function?  Then it keeps or drops whole partitions. */
typedef struct Partitioned {
    const SdbPlanWindow *window;
    bool ok;
} Partitioned;

static bool partitions_by(const SdbBoundWindowFunc *f, const SdbBoundVar *var)
{
    for (int i = 0; i < f->npartition; i++) {
        const SdbBoundVar *key = (const SdbBoundVar *)f->partition[i];
        if (key->expr.tag == SDB_E_VAR && key->table == var->table && key->column == var->column && key->levelsup == 0)
            return true;
    }
    return false;
}

static OptWalk check_partitioned(SdbExpr **slot, int depth, void *arg)
{
    Partitioned *p = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag != SDB_E_VAR || var->levelsup != depth)
        return OPT_WALK_CONTINUE;
    for (int i = 0; i < p->window->nfuncs && p->ok; i++)
        p->ok = p->window->funcs[i]->tag == SDB_E_WINDOW_FUNC &&
                partitions_by((const SdbBoundWindowFunc *)p->window->funcs[i], var);
    return p->ok ? OPT_WALK_CONTINUE : OPT_WALK_STOP;
}

/* Conditions on partition keys go below a Window, others stay above. */
static int push_window(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlanWindow *window = (SdbPlanWindow *)*slot;
    OptList below = {0}, above = {0};
    for (int i = 0; i < pending->n; i++) {
        SdbExpr *qual = pending->items[i];
        Partitioned p = {window, true};
        opt_walk_expr(&qual, 0, check_partitioned, &p);
        if (opt_list_add(o, p.ok && !opt_expr_volatile(qual) ? &below : &above, qual) != SDB_OK)
            return SDB_ERROR;
    }
    if (push(o, &window->child, &below) != SDB_OK)
        return SDB_ERROR;
    return place(o, slot, &above);
}

/* The columns of a set operation's input, as Vars. */
static SdbExpr **header_vars(Opt *o, const SdbPlan *input)
{
    SdbExpr **vars = sdb_arena_alloc(o->arena, sizeof(SdbExpr *) * (input->ncols + 1));
    for (int i = 0; vars != NULL && i < input->ncols; i++) {
        SdbBoundVar *var = sdb_new_bound_var(o->arena, input->cols[i].type);
        if (var == NULL)
            return NULL;
        var->expr.typmod = input->cols[i].typmod;
        var->table = input->cols[i].table;
        var->column = input->cols[i].column;
        var->location = -1;
        vars[i] = &var->expr;
    }
    return vars;
}

/* A condition on a set operation's columns holds for each input's rows. */
static int push_set_op(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlanSetOp *setop = (SdbPlanSetOp *)*slot;
    SdbPlan **inputs[2] = {&setop->left, &setop->right};
    OptList below[2] = {{0}, {0}}, above = {0}, copied = {0}, unused = {0};
    /* each input gets a copy: a SubPlan (one plan per SubPlan) stays above */
    for (int i = 0; i < pending->n; i++)
        if (opt_list_add(o, opt_expr_has_subplan(pending->items[i]) ? &above : &copied, pending->items[i]) != SDB_OK)
            return SDB_ERROR;
    for (int side = 0; side < 2; side++) {
        SdbExpr **vars = header_vars(o, *inputs[side]);
        if (vars == NULL || split_through(o, &copied, setop->table, vars, (*inputs[side])->ncols, &below[side],
                                          side == 0 ? &above : &unused) != SDB_OK)
            return SDB_ERROR;
    }
    for (int side = 0; side < 2; side++)
        if (push(o, inputs[side], &below[side]) != SDB_OK)
            return SDB_ERROR;
    return place(o, slot, &above);
}

static int push(Opt *o, SdbPlan **slot, OptList *pending)
{
    SdbPlan *plan = *slot;
    switch (plan->tag) {
    case SDB_P_FILTER: {
        SdbPlanFilter *filter = (SdbPlanFilter *)plan;
        OptList all = *pending, stay = {0};
        /* volatile conditions stay where they were, above what is pushed */
        for (int i = 0; i < filter->nquals; i++) {
            OptList *to = opt_expr_volatile(filter->quals[i]) ? &stay : &all;
            if (add_quals(o, to, &filter->quals[i], 1) != SDB_OK)
                return SDB_ERROR;
        }
        *slot = filter->child;
        if (push(o, slot, &all) != SDB_OK)
            return SDB_ERROR;
        return place(o, slot, &stay);
    }
    case SDB_P_SCAN: {
        SdbPlanScan *scan = (SdbPlanScan *)plan;
        OptList filters = {0};
        if (add_quals(o, &filters, scan->filters, scan->nfilters) != SDB_OK ||
            add_quals(o, &filters, pending->items, pending->n) != SDB_OK)
            return SDB_ERROR;
        scan->filters = filters.items;
        scan->nfilters = filters.n;
        return SDB_OK;
    }
    case SDB_P_JOIN: return push_join(o, slot, pending);
    case SDB_P_PROJECT: return push_project(o, slot, pending);
    case SDB_P_AGGREGATE: return push_aggregate(o, slot, pending);
    case SDB_P_SORT: return push(o, &((SdbPlanSort *)plan)->child, pending);
    case SDB_P_LOCK_ROWS: return push(o, &((SdbPlanLockRows *)plan)->child, pending);
    case SDB_P_DISTINCT:
        if (((SdbPlanDistinct *)plan)->non == 0)
            return push(o, &((SdbPlanDistinct *)plan)->child, pending);
        break;
    case SDB_P_SET_OP: return push_set_op(o, slot, pending);
    case SDB_P_WINDOW: return push_window(o, slot, pending);
    case SDB_P_CTE_SCAN: return place(o, slot, pending); /* its plan is a query of its own */
    default: break;
    }
    if (push_children(o, plan) != SDB_OK)
        return SDB_ERROR;
    return place(o, slot, pending);
}

int opt_pushdown(Opt *o, SdbPlan **plan)
{
    OptList none = {0};
    return push(o, plan, &none);
}

/* --- empty results --- */

static bool any_false(SdbExpr *const *quals, int n)
{
    for (int i = 0; i < n; i++)
        if (opt_expr_is_false(quals[i]))
            return true;
    return false;
}

static bool is_empty(const SdbPlan *plan)
{
    return plan->tag == SDB_P_VALUES && ((const SdbPlanValues *)plan)->nrows == 0;
}

/* Does `plan` (its children already pruned) produce no rows? */
static bool yields_nothing(const SdbPlan *plan)
{
    switch (plan->tag) {
    case SDB_P_FILTER:
        return any_false(((const SdbPlanFilter *)plan)->quals, ((const SdbPlanFilter *)plan)->nquals) ||
               is_empty(((const SdbPlanFilter *)plan)->child);
    case SDB_P_SCAN: return any_false(((const SdbPlanScan *)plan)->filters, ((const SdbPlanScan *)plan)->nfilters);
    case SDB_P_JOIN: {
        const SdbPlanJoin *join = (const SdbPlanJoin *)plan;
        bool left = is_empty(join->left), right = is_empty(join->right);
        switch (join->kind) {
        case SDB_JOIN_KIND_INNER:
        case SDB_JOIN_KIND_SEMI: return left || right || any_false(join->conds, join->nconds);
        case SDB_JOIN_KIND_LEFT:
        case SDB_JOIN_KIND_ANTI: return left;
        case SDB_JOIN_KIND_RIGHT: return right;
        default: return left && right;
        }
    }
    case SDB_P_PROJECT:
    case SDB_P_SORT:
    case SDB_P_LIMIT:
    case SDB_P_LOCK_ROWS:
    case SDB_P_DISTINCT:
    case SDB_P_WINDOW: return is_empty(*sdb_plan_child((SdbPlan *)plan, 0));
    case SDB_P_AGGREGATE:
        return ((const SdbPlanAggregate *)plan)->ngroups > 0 && ((const SdbPlanAggregate *)plan)->nsets == 0 &&
               is_empty(((const SdbPlanAggregate *)plan)->child);
    default: return false;
    }
}

int opt_prune_empty(Opt *o, SdbPlan **plan)
{
    SdbPlan *p = *plan;
    if (p->tag == SDB_P_CTE_SCAN)
        return SDB_OK;
    for (int i = 0; i < sdb_plan_nchildren(p); i++) {
        SdbPlan **child = sdb_plan_child(p, i);
        if (*child != NULL && opt_prune_empty(o, child) != SDB_OK)
            return SDB_ERROR;
    }
    if (!yields_nothing(p))
        return SDB_OK;
    SdbPlanValues *values = sdb_new_plan_values(o->arena);
    if (values == NULL)
        return SDB_ERROR;
    values->plan.ncols = p->ncols;
    values->plan.cols = p->cols;
    values->table = p->ncols > 0 ? p->cols[0].table : -1;
    *plan = &values->plan;
    return SDB_OK;
}
