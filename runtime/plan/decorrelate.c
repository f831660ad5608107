/*
 * plan/decorrelate.c: rule 5, subquery decorrelation.  A Filter condition
 * that is a whole EXISTS / NOT EXISTS / IN (SubPlan exists or any) becomes
 * a semi or anti join of the Filter's input with the subquery's plan:
 *
 *   - the subquery's conditions that read the outer query (levelsup 1) must
 *     sit in Filters or Scan filters reachable from its top through Sorts
 *     and joins that keep those rows (inner joins, the preserved side of
 *     outer joins); they move into the join's conditions;
 *   - nothing else in the subquery may read the outer query;
 *   - EXISTS drops the subquery's select list (and a LIMIT of a positive
 *     constant), IN replaces the subquery's output columns in its test by
 *     their expressions (the Project goes);
 *   - NOT IN becomes an anti join only when its test is `=` over values
 *     proven non-null on both sides (NOT NULL columns not on the nullable
 *     side of an outer join); otherwise the SubPlan stays.
 *
 * The merged subquery's Vars pointing outside it come one level closer;
 * binding tables are unique per statement, so nothing else is renamed.
 */
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"

typedef struct Flatten {
    Opt *o;
    SdbBoundSubPlan *sp;
    SdbJoinKind kind;
    SdbPlan *outer;           /* the Filter's input: the join's left side */
    SdbPlan *body;            /* the join's right side */
    SdbPlanProject *project;  /* the subquery's select list, for IN */
    OptList pulled;           /* its conditions that read the outer query */
    OptSet outer_tables;      /* outer tables they read */
    bool fail;
} Flatten;

/* --- which conditions move --- */

static OptWalk find_parent_ref(SdbExpr **slot, int depth, void *arg)
{
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag == SDB_E_VAR && var->levelsup == depth + 1) {
        if (arg != NULL)
            opt_set_add(arg, var->table);
        return arg != NULL ? OPT_WALK_CONTINUE : OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

static bool has_parent_ref(SdbExpr *e) { return opt_walk_expr(&e, 0, find_parent_ref, NULL) == OPT_WALK_STOP; }

typedef void (*QualsFn)(Flatten *f, SdbExpr ***items, int *n);

/* The condition lists of the subquery whose conditions may move above it. */
static void foreach_movable_quals(Flatten *f, SdbPlan *plan, QualsFn fn)
{
    switch (plan->tag) {
    case SDB_P_FILTER:
        fn(f, &((SdbPlanFilter *)plan)->quals, &((SdbPlanFilter *)plan)->nquals);
        foreach_movable_quals(f, ((SdbPlanFilter *)plan)->child, fn);
        break;
    case SDB_P_SORT: foreach_movable_quals(f, ((SdbPlanSort *)plan)->child, fn); break;
    case SDB_P_SCAN: fn(f, &((SdbPlanScan *)plan)->filters, &((SdbPlanScan *)plan)->nfilters); break;
    case SDB_P_JOIN: {
        SdbPlanJoin *join = (SdbPlanJoin *)plan;
        if (join->kind == SDB_JOIN_KIND_INNER)
            fn(f, &join->conds, &join->nconds);
        if (join->kind != SDB_JOIN_KIND_RIGHT && join->kind != SDB_JOIN_KIND_FULL)
            foreach_movable_quals(f, join->left, fn);
        if (join->kind == SDB_JOIN_KIND_INNER || join->kind == SDB_JOIN_KIND_RIGHT)
            foreach_movable_quals(f, join->right, fn);
        break;
    }
    default: break;
    }
}

static void collect_movable(Flatten *f, SdbExpr ***items, int *n)
{
    for (int i = 0; i < *n; i++) {
        SdbExpr *qual = (*items)[i];
        if (!has_parent_ref(qual))
            continue;
        if (opt_expr_volatile(qual) || opt_list_add(f->o, &f->pulled, qual) != SDB_OK) {
            f->fail = true;
            continue;
        }
        opt_walk_expr(&qual, 0, find_parent_ref, &f->outer_tables);
    }
}

static bool is_pulled(const Flatten *f, const SdbExpr *e)
{
    for (int i = 0; i < f->pulled.n; i++)
        if (f->pulled.items[i] == e)
            return true;
    return false;
}

static void remove_pulled(Flatten *f, SdbExpr ***items, int *n)
{
    int kept = 0;
    for (int i = 0; i < *n; i++)
        if (!is_pulled(f, (*items)[i]))
            (*items)[kept++] = (*items)[i];
    *n = kept;
}

/* Any outer reference outside the conditions that move? */
static OptWalk find_stray_ref(SdbExpr **slot, int depth, void *arg)
{
    if (is_pulled(arg, *slot))
        return OPT_WALK_SKIP;
    return find_parent_ref(slot, depth, NULL);
}

/* Subqueries with their own shared or recursive plans stay SubPlans. */
static bool has_cte(const SdbPlan *plan)
{
    if (plan->tag == SDB_P_CTE_SCAN || plan->tag == SDB_P_RECURSIVE_UNION || plan->tag == SDB_P_WORK_TABLE_SCAN)
        return true;
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        const SdbPlan *child = *sdb_plan_child((SdbPlan *)plan, i);
        if (child != NULL && has_cte(child))
            return true;
    }
    return false;
}

/* --- NOT IN: both sides of `=` proven non-null --- */

static bool not_null_in(Opt *o, SdbPlan *plan, const SdbExpr *e)
{
    while (e->tag == SDB_E_RELABEL_TYPE)
        e = ((const SdbBoundRelabelType *)e)->arg;
    const SdbBoundVar *var = (const SdbBoundVar *)e;
    if (e->tag != SDB_E_VAR || var->levelsup != 0)
        return false;
    switch (plan->tag) {
    case SDB_P_SCAN: {
        const SdbPlanScan *scan = (const SdbPlanScan *)plan;
        if (scan->table != var->table)
            return false;
        if (var->column == -1)
            return true;
        const SdbRelation *rel = opt_relation(o, scan->rel_oid);
        return rel != NULL && var->column >= 0 && var->column < rel->natts && rel->attrs[var->column].not_null;
    }
    case SDB_P_FILTER:
    case SDB_P_SORT:
    case SDB_P_LIMIT:
    case SDB_P_DISTINCT: return not_null_in(o, *sdb_plan_child(plan, 0), e);
    case SDB_P_JOIN: {
        SdbPlanJoin *join = (SdbPlanJoin *)plan;
        OptSet left;
        opt_set_clear(&left);
        opt_produced(join->left, &left);
        if (opt_set_has(&left, var->table))
            return join->kind != SDB_JOIN_KIND_RIGHT && join->kind != SDB_JOIN_KIND_FULL &&
                   not_null_in(o, join->left, e);
        return (join->kind == SDB_JOIN_KIND_INNER || join->kind == SDB_JOIN_KIND_RIGHT) &&
               not_null_in(o, join->right, e);
    }
    default: return false;
    }
}

static bool not_in_is_anti_join(Flatten *f)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)f->sp->test;
    if (f->project == NULL || op == NULL || op->expr.tag != SDB_E_OP_EXPR || op->nargs != 2 || !op->func->strict)
        return false;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    if (info == NULL || strcmp(info->name, "=") != 0)
        return false;
    /* one side reads the subquery's output, the other the outer row */
    for (int side = 0; side < 2; side++) {
        const SdbBoundVar *inner = (const SdbBoundVar *)op->args[side];
        if (inner->expr.tag != SDB_E_VAR || inner->table != f->project->table || inner->levelsup != 0 ||
            inner->column < 0 || inner->column >= f->project->nexprs)
            continue;
        return not_null_in(f->o, f->body, f->project->exprs[inner->column]) &&
               not_null_in(f->o, f->outer, op->args[1 - side]);
    }
    return false;
}

/* --- the rewrite --- */

/* Find the subquery's body and check that it can be merged. */
static bool can_flatten(Flatten *f)
{
    SdbPlan *root = f->sp->plan;
    bool exists = f->sp->kind == SDB_SUB_PLAN_KIND_EXISTS;
    for (;;) {
        if (root->tag == SDB_P_SORT) {
            root = ((SdbPlanSort *)root)->child;
        } else if (root->tag == SDB_P_DISTINCT && ((SdbPlanDistinct *)root)->non == 0) {
            root = ((SdbPlanDistinct *)root)->child;
        } else if (exists && root->tag == SDB_P_LIMIT) {
            const SdbPlanLimit *limit = (const SdbPlanLimit *)root;
            const SdbBoundConst *n = (const SdbBoundConst *)limit->limit;
            if (limit->offset != NULL || limit->with_ties || n == NULL || n->expr.tag != SDB_E_CONST || n->isnull ||
                sdb_datum_to_int64(n->value) <= 0)
                break;
            root = limit->child;
        } else {
            break;
        }
    }
    if (root->tag == SDB_P_PROJECT) {
        f->project = exists ? NULL : (SdbPlanProject *)root;
        root = ((SdbPlanProject *)root)->child;
    }
    f->body = root;
    if (has_cte(root))
        return false;
    if (f->project != NULL)
        for (int i = 0; i < f->project->nexprs; i++)
            if (opt_expr_volatile(f->project->exprs[i]) || opt_expr_has_subplan(f->project->exprs[i]) ||
                has_parent_ref(f->project->exprs[i]))
                return false;
    opt_set_clear(&f->outer_tables);
    foreach_movable_quals(f, root, collect_movable);
    if (f->fail || opt_walk_plan(root, 0, find_stray_ref, f) == OPT_WALK_STOP)
        return false;
    /* IN over something else than a select list: only uncorrelated */
    if (f->sp->kind == SDB_SUB_PLAN_KIND_ANY && f->project == NULL && f->pulled.n > 0)
        return false;
    OptSet outer;
    opt_set_clear(&outer);
    opt_produced(f->outer, &outer);
    if (!opt_set_subset(&f->outer_tables, &outer))
        return false;
    if (f->sp->test != NULL && opt_expr_volatile(f->sp->test))
        return false;
    return f->kind != SDB_JOIN_KIND_ANTI || f->sp->kind == SDB_SUB_PLAN_KIND_EXISTS || not_in_is_anti_join(f);
}

/* Merge the subquery: the join of f->outer with its body, or NULL. */
static SdbPlan *flatten(Flatten *f)
{
    Opt *o = f->o;
    OptList conds = {0};
    foreach_movable_quals(f, f->body, remove_pulled);
    if (opt_lower_levels_plan(o, f->body) != SDB_OK)
        return NULL;
    for (int i = 0; i < f->pulled.n; i++) {
        SdbExpr *cond = f->pulled.items[i];
        if (opt_lower_levels_expr(o, &cond) != SDB_OK || opt_list_add_conjuncts(o, &conds, cond) != SDB_OK)
            return NULL;
    }
    if (f->sp->kind == SDB_SUB_PLAN_KIND_ANY) {
        SdbExpr *test;
        if (opt_copy_expr(o, f->sp->test, &test) != SDB_OK)
            return NULL;
        if (f->project != NULL) {
            for (int i = 0; i < f->project->nexprs; i++)
                if (opt_lower_levels_expr(o, &f->project->exprs[i]) != SDB_OK)
                    return NULL;
            if (opt_substitute(o, &test, f->project->table, f->project->exprs, f->project->nexprs) != SDB_OK)
                return NULL;
        }
        if (opt_list_add_conjuncts(o, &conds, test) != SDB_OK)
            return NULL;
    }
    SdbPlanJoin *join = sdb_new_plan_join(o->arena);
    if (join == NULL)
        return NULL;
    join->kind = f->kind;
    join->left = f->outer;
    join->right = f->body;
    join->conds = conds.items;
    join->nconds = conds.n;
    return opt_set_header(o, &join->plan) == SDB_OK ? &join->plan : NULL;
}

/* A SubPlan condition this rule handles: the SubPlan and the join kind. */
static SdbBoundSubPlan *match(SdbExpr *qual, SdbJoinKind *kind)
{
    *kind = SDB_JOIN_KIND_SEMI;
    if (qual->tag == SDB_E_BOOL_EXPR && ((SdbBoundBoolExpr *)qual)->boolop == SDB_EXPR_BOOL_OP_NOT) {
        *kind = SDB_JOIN_KIND_ANTI;
        qual = ((SdbBoundBoolExpr *)qual)->args[0];
    }
    const SdbBoundSubPlan *sp = (const SdbBoundSubPlan *)qual;
    if (qual->tag != SDB_E_SUB_PLAN || sp->plan == NULL)
        return NULL;
    if (sp->kind == SDB_SUB_PLAN_KIND_EXISTS || (sp->kind == SDB_SUB_PLAN_KIND_ANY && sp->test != NULL))
        return (SdbBoundSubPlan *)sp;
    return NULL;
}

static int decorrelate_filter(Opt *o, SdbPlanFilter *filter)
{
    OptList quals = {0};
    for (int i = 0; i < filter->nquals; i++)
        if (opt_list_add_conjuncts(o, &quals, filter->quals[i]) != SDB_OK)
            return SDB_ERROR;
    filter->quals = quals.items;
    filter->nquals = quals.n;
    int kept = 0;
    for (int i = 0; i < filter->nquals; i++) {
        SdbExpr *qual = filter->quals[i];
        Flatten f = {.o = o, .outer = filter->child};
        f.sp = match(qual, &f.kind);
        if (f.sp != NULL && can_flatten(&f)) {
            SdbPlan *join = flatten(&f);
            if (join == NULL)
                return SDB_ERROR;
            filter->child = join;
            continue;
        }
        filter->quals[kept++] = qual;
    }
    filter->nquals = kept;
    return SDB_OK;
}

int opt_decorrelate(Opt *o, SdbPlan **plan)
{
    SdbPlan *p = *plan;
    if (p->tag == SDB_P_CTE_SCAN)
        return SDB_OK;
    for (int i = 0; i < sdb_plan_nchildren(p); i++) {
        SdbPlan **child = sdb_plan_child(p, i);
        if (*child != NULL && opt_decorrelate(o, child) != SDB_OK)
            return SDB_ERROR;
    }
    if (p->tag != SDB_P_FILTER)
        return SDB_OK;
    if (decorrelate_filter(o, (SdbPlanFilter *)p) != SDB_OK)
        return SDB_ERROR;
    if (((SdbPlanFilter *)p)->nquals == 0)
        *plan = ((SdbPlanFilter *)p)->child;
    return SDB_OK;
}
