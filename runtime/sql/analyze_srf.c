/*
 * sql/analyze_srf.c: set-returning functions in the select list
 * (PostgreSQL 10+'s ProjectSet semantics): each call becomes a
 * FunctionScan, several ones zipped by ordinality, LATERAL-joined to the
 * query's grouped, windowed rows; the select list reads their columns.  A
 * row for which every set is empty produces nothing, as in PostgreSQL.
 * The zipped scans also serve unnest(a, b, ...) in FROM (an_srf_scans).
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"

typedef struct SrfTargets {
    AnQuery *q;
    SdbExpr ***slots;        /* where each set-returning call of the select list is */
    int n, cap;
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

/* A FunctionScan of `call` (plus its ordinality when `ordinality`). */
static SdbPlan *srf_scan(Analyzer *an, SdbExpr *call, bool ordinality)
{
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)call;
    SdbPlanFunctionScan *fs = sdb_new_plan_function_scan(an->arena);
    const char **names = an_alloc(an, 2 * sizeof(char *));
    int n = ordinality ? 2 : 1;
    if (fs == NULL || names == NULL || an_set_cols(an, &fs->plan, n) != SDB_OK)
        return NULL;
    names[0] = f->func->name;
    names[1] = "ordinality";
    fs->call = call;
    fs->ordinality = ordinality;
    fs->table = an_new_table(an, f->func->name, n, names);
    fs->plan.cols[0] = (SdbPlanColumn){fs->table, 0, call->type, call->typmod, names[0]};
    if (ordinality)
        fs->plan.cols[1] = (SdbPlanColumn){fs->table, 1, SDB_TYPEOID_INT8, -1, names[1]};
    return &fs->plan;
}

static SdbPlanJoin *join_of(Analyzer *an, SdbPlan *left, SdbPlan *right, SdbJoinKind kind)
{
    SdbPlanJoin *join = sdb_new_plan_join(an->arena);
    if (join == NULL || an_set_cols(an, &join->plan, left->ncols + right->ncols) != SDB_OK)
        return NULL;
    if (left->ncols > 0) /* SELECT without FROM: OneRow has no columns */
        memcpy(join->plan.cols, left->cols, sizeof(SdbPlanColumn) * (size_t)left->ncols);
    memcpy(join->plan.cols + left->ncols, right->cols, sizeof(SdbPlanColumn) * (size_t)right->ncols);
    join->kind = kind;
    join->left = left;
    join->right = right;
    return join;
}

/* Several calls run in lockstep (as PostgreSQL's ProjectSet): their scans
 * WITH ORDINALITY, FULL JOINed on equal ordinals (the first non-NULL one of
 * the scans before), so that the longest set decides the row count and the
 * shorter ones give NULLs. */
static SdbPlan *zip(AnQuery *q, SdbPlan **scans, int n)
{
    Analyzer *an = q->an;
    SdbPlan *zipped = scans[0];
    SdbBoundCoalesceExpr *key = sdb_new_bound_coalesce_expr(an->arena, SDB_TYPEOID_INT8);
    if (key == NULL || (key->args = sdb_bind_exprs(&q->bc, n)) == NULL)
        return NULL;
    key->expr.typmod = -1;
    for (int i = 0; i < n; i++) {
        SdbBoundVar *ord = an_var(an, &scans[i]->cols[1], 0);
        if (ord == NULL)
            return NULL;
        if (i > 0) {
            SdbBoundCoalesceExpr *before = an_alloc(an, sizeof *before);
            SdbPlanJoin *join = join_of(an, zipped, scans[i], SDB_JOIN_KIND_FULL);
            if (before == NULL || join == NULL || (join->conds = sdb_bind_exprs(&q->bc, 1)) == NULL)
                return NULL;
            SdbBoundOpExpr *eq;
            *before = *key;
            if (sdb_bind_operator(&q->bc, "=", &before->expr, &ord->expr, -1, &eq) != SDB_OK)
                return NULL;
            join->conds[0] = &eq->expr;
            join->nconds = 1;
            zipped = &join->plan;
        }
        key->args[key->nargs++] = &ord->expr;
    }
    return zipped;
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
    if (srf_below(f->args, f->nargs) != NULL) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                  "set-returning functions in the arguments of a set-returning function are not supported");
        return an_fail_at(st->q, f->location);
    }
    return an_push(st->q->an, (void ***)&st->slots, &st->n, &st->cap, slot);
}

SdbPlan *an_srf_scans(AnQuery *q, SdbExpr **calls, int n, bool ordinality, SdbExpr **values, SdbExpr **ord)
{
    Analyzer *an = q->an;
    bool zipped = n > 1 || ordinality;
    SdbPlan **scans = an_alloc(an, sizeof(SdbPlan *) * (size_t)n);
    SdbBoundCoalesceExpr *rownum = sdb_new_bound_coalesce_expr(an->arena, SDB_TYPEOID_INT8);
    if (scans == NULL || rownum == NULL || (rownum->args = sdb_bind_exprs(&q->bc, n)) == NULL)
        return NULL;
    rownum->expr.typmod = -1;
    for (int i = 0; i < n; i++) {
        SdbBoundVar *v, *o;
        if ((scans[i] = srf_scan(an, calls[i], zipped)) == NULL || (v = an_var(an, &scans[i]->cols[0], 0)) == NULL)
            return NULL;
        values[i] = &v->expr;
        if (zipped) {
            if ((o = an_var(an, &scans[i]->cols[1], 0)) == NULL)
                return NULL;
            rownum->args[rownum->nargs++] = &o->expr;
        }
    }
    if (ord != NULL)
        *ord = n > 1 ? &rownum->expr : rownum->args[0];
    return n > 1 ? zip(q, scans, n) : scans[0];
}

int an_select_srfs(AnQuery *q, SdbExpr **exprs, int n, SdbPlan **plan)
{
    Analyzer *an = q->an;
    SrfTargets st = {q, NULL, 0, 0};
    for (int i = 0; i < n; i++)
        if (an_mutate(&exprs[i], srf_target, &st) != SDB_OK)
            return SDB_ERROR;
    if (st.n == 0)
        return SDB_OK;
    SdbExpr **calls = sdb_bind_exprs(&q->bc, st.n), **values = sdb_bind_exprs(&q->bc, st.n);
    if (calls == NULL || values == NULL)
        return SDB_ERROR;
    for (int i = 0; i < st.n; i++)
        calls[i] = *st.slots[i];
    SdbPlan *sets = an_srf_scans(q, calls, st.n, false, values, NULL);
    SdbPlanJoin *join = sets != NULL ? join_of(an, *plan, sets, SDB_JOIN_KIND_INNER) : NULL;
    if (join == NULL)
        return SDB_ERROR;
    for (int i = 0; i < st.n; i++)
        *st.slots[i] = values[i];
    join->lateral = true;
    *plan = &join->plan;
    return SDB_OK;
}
