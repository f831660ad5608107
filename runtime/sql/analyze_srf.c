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
#include "expr/fn_record.h"

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

int an_function_nvalues(const SdbExpr *call)
{
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)call;
    return call->tag == SDB_E_FUNC_EXPR && f->func->nout > 0 ? f->func->nout : 1;
}

const char **an_function_colnames(Analyzer *an, const SdbExpr *call, const char *name, bool ordinality)
{
    const SdbFuncInfo *func = ((const SdbBoundFuncExpr *)call)->func;
    int n = an_function_nvalues(call);
    const char **names = an_alloc(an, sizeof(char *) * (size_t)(n + 1));
    if (names == NULL)
        return NULL;
    for (int i = 0; i < n; i++)
        names[i] = func->nout > 0 ? func->out_names[i] : name;
    if (ordinality)
        names[n] = "ordinality";
    return names;
}

SdbPlanFunctionScan *an_function_scan(Analyzer *an, SdbExpr *call, const char *name, const char **colnames,
                                      bool ordinality)
{
    const SdbFuncInfo *func = ((const SdbBoundFuncExpr *)call)->func;
    int nvalues = an_function_nvalues(call), n = nvalues + (ordinality ? 1 : 0);
    SdbPlanFunctionScan *fs = sdb_new_plan_function_scan(an->arena);
    if (fs == NULL || an_set_cols(an, &fs->plan, n) != SDB_OK)
        return NULL;
    fs->call = call;
    fs->ordinality = ordinality;
    fs->table = an_new_table(an, name, n, colnames);
    for (int i = 0; i < nvalues; i++)
        fs->plan.cols[i] = func->nout > 0 ? (SdbPlanColumn){fs->table, i, func->out_types[i], -1, colnames[i]}
                                          : (SdbPlanColumn){fs->table, i, call->type, call->typmod, colnames[i]};
    if (ordinality)
        fs->plan.cols[nvalues] = (SdbPlanColumn){fs->table, nvalues, SDB_TYPEOID_INT8, -1, colnames[nvalues]};
    return fs;
}

SdbExpr *an_record_of(AnQuery *q, SdbExpr **values, int n, int location)
{
    SdbBoundFuncExpr *row = sdb_new_bound_func_expr(q->an->arena, SDB_TYPEOID_RECORD);
    if (row == NULL)
        return NULL;
    row->expr.typmod = -1;
    row->func = &sdb_row_function;
    row->args = values;
    row->nargs = n;
    row->location = location;
    return &row->expr;
}

/* The record of a scan's first `nvalues` columns (its OUT columns). */
static SdbExpr *scan_record(AnQuery *q, const SdbPlan *scan, int nvalues, int location)
{
    SdbExpr **vars = sdb_bind_exprs(&q->bc, nvalues);
    if (vars == NULL)
        return NULL;
    for (int i = 0; i < nvalues; i++) {
        SdbBoundVar *v = an_var(q->an, &scan->cols[i], 0);
        if (v == NULL)
            return NULL;
        vars[i] = &v->expr;
    }
    return an_record_of(q, vars, nvalues, location);
}

/* The record of a zipped scan's OUT columns, NULL (not a record of
 * NULLs) past the end of its set: CASE WHEN ordinality IS NOT NULL THEN
 * row(...) END. */
static SdbExpr *present_record(AnQuery *q, const SdbPlan *scan, int nvalues, int location)
{
    SdbExpr *row = scan_record(q, scan, nvalues, location);
    SdbBoundVar *ord = an_var(q->an, &scan->cols[nvalues], 0);
    SdbBoundNullTest *present = sdb_new_bound_null_test(q->an->arena, SDB_TYPEOID_BOOL);
    SdbBoundCaseExpr *when = sdb_new_bound_case_expr(q->an->arena, SDB_TYPEOID_RECORD);
    if (row == NULL || ord == NULL || present == NULL || when == NULL ||
        (when->conds = sdb_bind_exprs(&q->bc, 1)) == NULL || (when->results = sdb_bind_exprs(&q->bc, 1)) == NULL)
        return NULL;
    present->expr.typmod = -1;
    present->arg = &ord->expr;
    present->nulltesttype = SDB_EXPR_NULL_TEST_IS_NOT_NULL;
    when->expr.typmod = -1;
    when->conds[0] = &present->expr;
    when->results[0] = row;
    when->nwhens = 1;
    return &when->expr;
}

/* A FunctionScan of `call` (plus its ordinality when `ordinality`) and the
 * value a select list reads: its column, or its OUT columns as a record. */
static SdbPlan *srf_scan(AnQuery *q, SdbExpr *call, bool ordinality, SdbExpr **value)
{
    const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)call;
    const char **names = an_function_colnames(q->an, call, f->func->name, ordinality);
    SdbPlanFunctionScan *fs = names != NULL ? an_function_scan(q->an, call, f->func->name, names, ordinality) : NULL;
    if (fs == NULL)
        return NULL;
    if (f->func->nout > 0)
        *value = ordinality ? present_record(q, &fs->plan, f->func->nout, f->location)
                            : scan_record(q, &fs->plan, f->func->nout, f->location);
    else {
        SdbBoundVar *v = an_var(q->an, &fs->plan.cols[0], 0);
        *value = v != NULL ? &v->expr : NULL;
    }
    return *value != NULL ? &fs->plan : NULL;
}

/* The ordinality column of a scan (its last). */
static const SdbPlanColumn *ordinality_col(const SdbPlan *scan)
{
    return &scan->cols[scan->ncols - 1];
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
        SdbBoundVar *ord = an_var(an, ordinality_col(scans[i]), 0);
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
        SdbBoundVar *o;
        if ((scans[i] = srf_scan(q, calls[i], zipped, &values[i])) == NULL)
            return NULL;
        if (zipped) {
            if ((o = an_var(an, ordinality_col(scans[i]), 0)) == NULL)
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
