/*
 * sql/analyze_srf.c: set-returning functions in the select list
 * (PostgreSQL 10+'s ProjectSet semantics for one such call): the call
 * becomes a FunctionScan LATERAL-joined to the query's grouped, windowed
 * rows, and the select list reads its column.  A row for which the set is
 * empty produces nothing, as in PostgreSQL.
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"

typedef struct SrfTargets {
    AnQuery *q;
    SdbPlan **plan;
    int found;
} SrfTargets;

static bool is_srf(const SdbExpr *e)
{
    return e->tag == SDB_E_FUNC_EXPR && ((const SdbBoundFuncExpr *)e)->func->retset;
}

/* The first set-returning call below an expression, or NULL. */
static int find_srf(void *arg, SdbExpr **slot, bool *descend)
{
    const SdbExpr **found = arg;
    if (*found == NULL && is_srf(*slot))
        *found = *slot;
    *descend = *found == NULL;
    return SDB_OK;
}

static const SdbExpr *srf_below(SdbExpr *const *exprs, int n)
{
    const SdbExpr *found = NULL;
    for (int i = 0; i < n && found == NULL; i++) {
        SdbExpr *e = exprs[i];
        an_mutate(&e, find_srf, &found);
    }
    return found;
}

/* CASE and COALESCE may not evaluate every argument: no set there (0A000). */
static int conditional(AnQuery *q, SdbExpr *e)
{
    const SdbExpr *srf = NULL;
    const char *what = e->tag == SDB_E_CASE_EXPR ? "CASE" : "COALESCE";
    if (e->tag == SDB_E_CASE_EXPR || e->tag == SDB_E_COALESCE_EXPR)
        srf = srf_below(&e, 1);
    if (srf == NULL)
        return SDB_OK;
    sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning functions are not allowed in %s", what);
    sdb_error_hint("You might be able to move the set-returning function into a LATERAL FROM item.");
    return an_fail_at(q, ((const SdbBoundFuncExpr *)srf)->location);
}

/* The lateral join of `left` with a FunctionScan of `call`. */
static SdbPlan *srf_join(Analyzer *an, SdbPlan *left, SdbExpr *call)
{
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)call;
    SdbPlanFunctionScan *fs = sdb_new_plan_function_scan(an->arena);
    SdbPlanJoin *join = sdb_new_plan_join(an->arena);
    const char **names = an_alloc(an, sizeof(char *));
    if (fs == NULL || join == NULL || names == NULL || an_set_cols(an, &fs->plan, 1) != SDB_OK)
        return NULL;
    names[0] = f->func->name;
    fs->call = call;
    fs->table = an_new_table(an, f->func->name, 1, names);
    fs->plan.cols[0] = (SdbPlanColumn){fs->table, 0, call->type, call->typmod, names[0]};
    if (an_set_cols(an, &join->plan, left->ncols + 1) != SDB_OK)
        return NULL;
    if (left->ncols > 0) /* SELECT without FROM: OneRow has no columns */
        memcpy(join->plan.cols, left->cols, sizeof(SdbPlanColumn) * (size_t)left->ncols);
    join->plan.cols[left->ncols] = fs->plan.cols[0];
    join->kind = SDB_JOIN_KIND_INNER;
    join->left = left;
    join->right = &fs->plan;
    join->lateral = true;
    return &join->plan;
}

static int srf_target(void *arg, SdbExpr **slot, bool *descend)
{
    SrfTargets *st = arg;
    if (conditional(st->q, *slot) != SDB_OK)
        return SDB_ERROR;
    if (!is_srf(*slot))
        return SDB_OK;
    *descend = false;
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)*slot;
    bool nested = srf_below(f->args, f->nargs) != NULL;
    if (nested || st->found++ > 0) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                  nested ? "set-returning functions in the arguments of a set-returning function are not supported"
                         : "more than one set-returning function in the select list is not supported");
        return an_fail_at(st->q, f->location);
    }
    Analyzer *an = st->q->an;
    SdbPlan *join = srf_join(an, *st->plan, *slot);
    SdbBoundVar *v = join != NULL ? an_var(an, &join->cols[join->ncols - 1], 0) : NULL;
    if (v == NULL)
        return SDB_ERROR;
    *st->plan = join;
    *slot = &v->expr;
    return SDB_OK;
}

int an_select_srfs(AnQuery *q, SdbExpr **exprs, int n, SdbPlan **plan)
{
    SrfTargets st = {q, plan, 0};
    for (int i = 0; i < n; i++)
        if (an_mutate(&exprs[i], srf_target, &st) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}
