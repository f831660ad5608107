/*
 * sql/analyze.c: the analyzer's entry points (sdb_analyze,
 * sdb_analyze_table_expr), query levels, binding tables, and the plan
 * header helpers every part uses (columns, Filter, Project, Var).
 * FROM is analyze_from.c, expressions analyze_expr.c, SELECT
 * analyze_select.c, INSERT/UPDATE/DELETE analyze_modify.c.
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"

void *an_alloc(Analyzer *an, size_t size)
{
    return sdb_arena_calloc(an->arena, 1, size > 0 ? size : 1);
}

int an_push(Analyzer *an, void ***items, int *n, int *cap, void *item)
{
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        void **grown = sdb_arena_realloc(an->arena, *items, sizeof(void *) * (size_t)*cap, sizeof(void *) * (size_t)ncap);
        if (grown == NULL)
            return SDB_ERROR;
        *items = grown;
        *cap = ncap;
    }
    (*items)[(*n)++] = item;
    return SDB_OK;
}

int an_fail_at(AnQuery *q, int location)
{
    return sdb_bind_fail_at(&q->bc, location);
}

AnQuery *an_query_new(Analyzer *an, AnQuery *parent, bool subplan)
{
    AnQuery *q = an_alloc(an, sizeof *q);
    if (q == NULL)
        return NULL;
    SdbAnalyzeContext *ac = an->ac;
    q->parent = parent;
    q->an = an;
    q->depth = parent == NULL ? 0 : parent->depth + (subplan ? 1 : 0);
    q->bc.expr = ac->expr;
    q->bc.sql = ac->sql;
    q->bc.nparams = ac->nparams;
    q->bc.param_types = ac->param_types;
    q->bc.inferred_types = ac->param_types;
    q->bc.hook = an_hook;
    q->bc.hook_arg = q;
    return q;
}

int an_new_table(Analyzer *an, const char *name, int ncols, const char **colnames)
{
    int table = an->next_table++;
    (void)ncols;
    if (table >= an->ntables) {
        int ncap = table * 2 + 16;
        AnTable *grown = sdb_arena_realloc(an->arena, an->tables, sizeof(AnTable) * (size_t)an->ntables,
                                           sizeof(AnTable) * (size_t)ncap);
        if (grown == NULL)
            return -1;
        memset(grown + an->ntables, 0, sizeof(AnTable) * (size_t)(ncap - an->ntables));
        an->tables = grown;
        an->ntables = ncap;
    }
    an->tables[table] = (AnTable){name, colnames, NULL};
    return table;
}

AnTable *an_table(Analyzer *an, int table)
{
    return table >= 0 && table < an->ntables ? &an->tables[table] : NULL;
}

int an_column_location(Analyzer *an, const SdbPlanColumn *col)
{
    const AnTable *t = an_table(an, col->table);
    return t != NULL && t->locations != NULL && col->column >= 0 ? t->locations[col->column] : -1;
}

int an_set_cols(Analyzer *an, SdbPlan *plan, int n)
{
    plan->ncols = n;
    plan->cols = an_alloc(an, sizeof(SdbPlanColumn) * (size_t)n);
    return plan->cols == NULL ? SDB_ERROR : SDB_OK;
}

int an_copy_cols(Analyzer *an, SdbPlan *plan, const SdbPlan *child)
{
    if (an_set_cols(an, plan, child->ncols) != SDB_OK)
        return SDB_ERROR;
    memcpy(plan->cols, child->cols, sizeof(SdbPlanColumn) * (size_t)child->ncols);
    return SDB_OK;
}

SdbPlan *an_filter(Analyzer *an, SdbPlan *child, SdbExpr **quals, int nquals)
{
    if (nquals == 0)
        return child;
    SdbPlanFilter *f = sdb_new_plan_filter(an->arena);
    if (f == NULL || an_copy_cols(an, &f->plan, child) != SDB_OK)
        return NULL;
    f->child = child;
    f->quals = quals;
    f->nquals = nquals;
    return &f->plan;
}

SdbPlan *an_project(Analyzer *an, SdbPlan *child, SdbExpr **exprs, const char **names, int n)
{
    SdbPlanProject *p = sdb_new_plan_project(an->arena);
    if (p == NULL || an_set_cols(an, &p->plan, n) != SDB_OK)
        return NULL;
    p->table = an_new_table(an, NULL, n, names);
    if (p->table < 0)
        return NULL;
    p->child = child;
    p->exprs = exprs;
    p->nexprs = n;
    for (int i = 0; i < n; i++)
        p->plan.cols[i] = (SdbPlanColumn){p->table, i, exprs[i]->type, exprs[i]->typmod, names[i]};
    return &p->plan;
}

SdbBoundVar *an_var(Analyzer *an, const SdbPlanColumn *col, int levelsup)
{
    SdbBoundVar *v = sdb_new_bound_var(an->arena, col->type);
    if (v == NULL)
        return NULL;
    v->expr.typmod = col->typmod;
    v->table = col->table;
    v->column = col->column;
    v->levelsup = levelsup;
    v->location = -1;
    return v;
}

/* A query (SELECT, VALUES, set operation) with its WITH clause, as a
 * new level under `parent` (one SubPlan deeper when `subplan`). */
int an_select(AnQuery *parent, bool subplan, const SdbNode *stmt, SdbPlan **out, bool *correlated)
{
    if (!SDB_IS_A(stmt, SELECT_STMT)) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not supported as a query here",
                  sdb_node_tag_name(SDB_NODE_TAG(stmt)));
        return SDB_ERROR;
    }
    const SdbSelectStmt *s = (const SdbSelectStmt *)stmt;
    AnQuery *q = an_query_new(parent->an, parent, subplan);
    if (q == NULL)
        return SDB_ERROR;
    q->ctes = parent->ctes;
    bool keep_unknown = q->an->keep_unknown;
    q->an->keep_unknown = false;
    if (s->with_clause != NULL && an_with(q, s->with_clause) != SDB_OK)
        return SDB_ERROR;
    q->an->keep_unknown = keep_unknown;
    int rc;
    if (s->op != SDB_SET_OPERATION_NONE)
        rc = an_setop(q, s, out);
    else if (s->values_lists != NULL)
        rc = an_values(q, s, out) == SDB_OK ? an_sort_limit_setop(q, s, out) : SDB_ERROR;
    else
        rc = an_select_core(q, s, out);
    if (correlated != NULL)
        *correlated = q->correlated;
    return rc;
}

/* Parameters still of unknown type after analysis: 42P18. */
static int check_params(SdbAnalyzeContext *ac)
{
    for (int i = 0; i < ac->nparams; i++) {
        if (ac->param_types[i] == SDB_INVALID_OID || ac->param_types[i] == SDB_TYPEOID_UNKNOWN)
            return sdb_error(SDB_ERR_INDETERMINATE_DATATYPE, "could not determine data type of parameter $%d", i + 1);
    }
    return SDB_OK;
}

static void analyzer_init(Analyzer *an, SdbAnalyzeContext *ac)
{
    memset(an, 0, sizeof *an);
    an->ac = ac;
    an->arena = ac->expr->arena;
}

int sdb_analyze(SdbAnalyzeContext *ac, const SdbNode *stmt, SdbPlan **out)
{
    Analyzer an;
    analyzer_init(&an, ac);
    AnQuery *top = an_query_new(&an, NULL, false);
    if (top == NULL)
        return SDB_ERROR;
    int rc;
    switch (SDB_NODE_TAG(stmt)) {
    case SDB_T_SELECT_STMT: rc = an_select(top, false, stmt, out, NULL); break;
    case SDB_T_INSERT_STMT: rc = an_insert(top, (const SdbInsertStmt *)stmt, out); break;
    case SDB_T_UPDATE_STMT: rc = an_update(top, (const SdbUpdateStmt *)stmt, out); break;
    case SDB_T_DELETE_STMT: rc = an_delete(top, (const SdbDeleteStmt *)stmt, out); break;
    default:
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is a utility statement, not a query",
                         sdb_node_tag_name(SDB_NODE_TAG(stmt)));
    }
    if (rc != SDB_OK)
        return SDB_ERROR;
    return check_params(ac);
}

int sdb_analyze_table_expr(SdbAnalyzeContext *ac, const SdbRelation *rel, int table, const SdbNode *expr,
                           SdbExpr **out)
{
    Analyzer an;
    analyzer_init(&an, ac);
    an.next_table = table + 1;
    AnQuery *q = an_query_new(&an, NULL, false);
    if (q == NULL)
        return SDB_ERROR;
    AnRte *rte = an_alloc(&an, sizeof *rte);
    if (rte == NULL)
        return SDB_ERROR;
    rte->name = rel->name;
    rte->schema = rel->namespace_name;
    rte->colnames = an_alloc(&an, sizeof(char *) * (size_t)rel->natts);
    rte->exprs = an_alloc(&an, sizeof(SdbExpr *) * (size_t)rel->natts);
    if (rte->colnames == NULL || rte->exprs == NULL)
        return SDB_ERROR;
    for (int i = 0; i < rel->natts; i++) {
        const SdbAttribute *att = &rel->attrs[i];
        if (att->dropped)
            continue;
        SdbPlanColumn col = {table, att->attnum - 1, att->type, att->typmod, att->name};
        SdbBoundVar *v = an_var(&an, &col, 0);
        if (v == NULL)
            return SDB_ERROR;
        rte->colnames[rte->ncols] = att->name;
        rte->exprs[rte->ncols++] = &v->expr;
    }
    rte->rel_visible = rte->cols_visible = true;
    if (an_add_rte(q, rte) != SDB_OK)
        return SDB_ERROR;
    return an_bind(q, AN_CHECK, expr, out);
}
