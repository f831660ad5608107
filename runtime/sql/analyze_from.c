/*
 * sql/analyze_from.c: the FROM clause and WITH: tables (Scan), views
 * (their SELECT analyzed in place), derived tables, functions
 * (FunctionScan), WITH queries (CteScan, RecursiveUnion + WorkTableScan),
 * joins (ON, USING and NATURAL with merged columns), each made visible to
 * names as a range table entry (AnRte).
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"
#include "sql/parser.h"

static int from_item(AnQuery *q, const SdbNode *node, SdbPlan **out);

static const char *str_of(const SdbNode *n)
{
    return SDB_IS_A(n, STRING) ? ((const SdbString *)n)->sval : NULL;
}

int an_add_rte(AnQuery *q, AnRte *rte)
{
    if (rte->rel_visible && rte->name != NULL) {
        for (int i = 0; i < q->nrtes; i++) {
            const AnRte *other = q->rtes[i];
            if (other->rel_visible && other->name != NULL && strcmp(other->name, rte->name) == 0) {
                return sdb_error(SDB_ERR_DUPLICATE_ALIAS, "table name \"%s\" specified more than once", rte->name);
            }
        }
    }
    return an_push(q->an, (void ***)&q->rtes, &q->nrtes, &q->caprtes, rte);
}

/* Column names of `n` columns: `alias` column names first, then `names`.
 * 42P10 when the alias names more columns than there are. */
static int alias_names(AnQuery *q, const char *relname, const SdbAlias *alias, int n, const char **names,
                       const char ***out)
{
    int na = alias ? sdb_list_length(alias->colnames) : 0;
    if (na > n)
        return sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "table \"%s\" has %d columns available but %d columns specified",
                         relname, n, na);
    const char **result = an_alloc(q->an, sizeof(char *) * (size_t)(n > 0 ? n : 1));
    if (result == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        result[i] = i < na ? str_of(sdb_list_nth(alias->colnames, i)) : names[i];
    *out = result;
    return SDB_OK;
}

/* An entry over the columns `plan` produces, named `name` (or the alias). */
AnRte *an_rte_for_plan(AnQuery *q, const char *name, const SdbPlan *plan, const SdbAlias *alias)
{
    Analyzer *an = q->an;
    AnRte *rte = an_alloc(an, sizeof *rte);
    const char **names = an_alloc(an, sizeof(char *) * (size_t)(plan->ncols > 0 ? plan->ncols : 1));
    if (rte == NULL || names == NULL)
        return NULL;
    for (int i = 0; i < plan->ncols; i++)
        names[i] = plan->cols[i].name;
    rte->name = alias != NULL ? alias->aliasname : name;
    rte->ncols = plan->ncols;
    if (alias_names(q, rte->name, alias, plan->ncols, names, &rte->colnames) != SDB_OK)
        return NULL;
    rte->exprs = sdb_bind_exprs(&q->bc, plan->ncols);
    if (rte->exprs == NULL)
        return NULL;
    for (int i = 0; i < plan->ncols; i++) {
        SdbBoundVar *v = an_var(an, &plan->cols[i], 0);
        if (v == NULL)
            return NULL;
        rte->exprs[i] = &v->expr;
        AnTable *t = an_table(an, plan->cols[i].table);
        if (t != NULL && plan->cols[i].column >= 0) {
            t->name = rte->name;
            t->colnames = rte->colnames;
        }
    }
    rte->rel_visible = rte->name != NULL;
    rte->cols_visible = true;
    return rte;
}

int an_table_scan(AnQuery *q, const SdbRelation *rel, const char *alias, bool ctid, SdbPlan **out, AnRte **rte_out)
{
    Analyzer *an = q->an;
    SdbPlanScan *scan = sdb_new_plan_scan(an->arena);
    AnRte *rte = an_alloc(an, sizeof *rte);
    const char **attnames = an_alloc(an, sizeof(char *) * (size_t)(rel->natts > 0 ? rel->natts : 1));
    if (scan == NULL || rte == NULL || attnames == NULL)
        return SDB_ERROR;
    int live = 0;
    for (int i = 0; i < rel->natts; i++) {
        attnames[i] = rel->attrs[i].name;
        live += !rel->attrs[i].dropped;
    }
    rte->name = alias != NULL ? alias : rel->name;
    rte->schema = rel->namespace_name;
    scan->rel_oid = rel->oid;
    scan->alias = alias != NULL && strcmp(alias, rel->name) != 0 ? alias : NULL;
    scan->table = an_new_table(an, rte->name, rel->natts, attnames);
    if (scan->table >= 0)
        an_table(an, scan->table)->rel = rel;
    rte->colnames = an_alloc(an, sizeof(char *) * (size_t)(live > 0 ? live : 1));
    rte->exprs = sdb_bind_exprs(&q->bc, live);
    if (scan->table < 0 || rte->colnames == NULL || rte->exprs == NULL ||
        an_set_cols(an, &scan->plan, live + (ctid ? 1 : 0)) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < rel->natts; i++) {
        const SdbAttribute *att = &rel->attrs[i];
        if (att->dropped)
            continue;
        SdbPlanColumn *col = &scan->plan.cols[rte->ncols];
        *col = (SdbPlanColumn){scan->table, att->attnum - 1, att->type, att->typmod, att->name};
        SdbBoundVar *v = an_var(an, col, 0);
        if (v == NULL)
            return SDB_ERROR;
        rte->colnames[rte->ncols] = att->name;
        rte->exprs[rte->ncols++] = &v->expr;
    }
    if (ctid)
        scan->plan.cols[live] = (SdbPlanColumn){scan->table, -1, SDB_TYPEOID_TID, -1, "ctid"};
    rte->rel_visible = rte->cols_visible = true;
    *out = &scan->plan;
    *rte_out = rte;
    return SDB_OK;
}

/* A view: its stored SELECT analyzed as a derived table that sees no
 * outer query. */
static int view_scan(AnQuery *q, const SdbRelation *rel, const SdbRangeVar *rv, SdbPlan **out)
{
    SdbParseResult parsed;
    if (sdb_parse(q->an->arena, rel->view_sql, strlen(rel->view_sql), &parsed) != SDB_OK)
        return SDB_ERROR;
    if (parsed.count != 1)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "view \"%s\" has no single query", rel->name);
    AnQuery *root = an_query_new(q->an, NULL, false);
    if (root == NULL)
        return SDB_ERROR;
    root->depth = q->depth;
    const SdbRawStmt *raw = (const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0);
    if (an_select(root, false, raw->stmt, out, NULL) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < (*out)->ncols && i < rel->natts; i++) /* CREATE VIEW v (x, y) names */
        (*out)->cols[i].name = rel->attrs[i].name;
    AnRte *rte = an_rte_for_plan(q, rel->name, *out, rv->alias);
    if (rte == NULL)
        return SDB_ERROR;
    rte->schema = rel->namespace_name;
    return an_add_rte(q, rte);
}

/* A reference to WITH query `cte`: a CteScan, or in its own recursive
 * part the WorkTableScan. */
static int cte_scan(AnQuery *q, AnCte *cte, const SdbRangeVar *rv, SdbPlan **out)
{
    Analyzer *an = q->an;
    if (cte->in_anchor) {
        sdb_error(SDB_ERR_INVALID_RECURSION,
                  "recursive reference to query \"%s\" must not appear within its non-recursive term", cte->name);
        return an_fail_at(q, rv->location);
    }
    SdbPlan *plan;
    int table = an_new_table(an, cte->name, cte->ncols, cte->colnames);
    if (table < 0)
        return SDB_ERROR;
    if (cte->recursive_self) {
        SdbPlanWorkTableScan *w = sdb_new_plan_work_table_scan(an->arena);
        if (w == NULL)
            return SDB_ERROR;
        if (cte->nrefs++ > 0) {
            sdb_error(SDB_ERR_INVALID_RECURSION, "recursive reference to query \"%s\" must not appear more than once",
                      cte->name);
            return an_fail_at(q, rv->location);
        }
        w->cte_id = cte->cte_id;
        w->table = table;
        w->name = cte->name;
        w->alias = rv->alias != NULL && strcmp(rv->alias->aliasname, cte->name) != 0 ? rv->alias->aliasname : NULL;
        plan = &w->plan;
    } else {
        SdbPlanCteScan *c = sdb_new_plan_cte_scan(an->arena);
        if (c == NULL)
            return SDB_ERROR;
        c->cte = cte->plan;
        c->cte_id = cte->cte_id;
        c->table = table;
        c->name = cte->name;
        c->alias = rv->alias != NULL && strcmp(rv->alias->aliasname, cte->name) != 0 ? rv->alias->aliasname : NULL;
        plan = &c->plan;
    }
    if (an_set_cols(an, plan, cte->ncols) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < cte->ncols; i++)
        plan->cols[i] = (SdbPlanColumn){table, i, cte->cols[i].type, cte->cols[i].typmod, cte->colnames[i]};
    AnRte *rte = an_rte_for_plan(q, cte->name, plan, rv->alias);
    if (rte == NULL)
        return SDB_ERROR;
    *out = plan;
    return an_add_rte(q, rte);
}

static AnCte *find_cte(AnQuery *q, const char *name)
{
    for (AnCte *c = q->ctes; c != NULL; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static int range_var(AnQuery *q, const SdbRangeVar *rv, SdbPlan **out)
{
    if (rv->schemaname == NULL) {
        AnCte *cte = find_cte(q, rv->relname);
        if (cte != NULL)
            return cte_scan(q, cte, rv, out);
    }
    SdbAnalyzeContext *ac = q->an->ac;
    const SdbRelation *rel = NULL;
    if (ac->catalog != NULL && sdb_catalog_lookup(ac->catalog, ac->txn, rv->schemaname, rv->relname, ac->search_path,
                                                  ac->npath, &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL) {
        if (rv->schemaname != NULL)
            sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s.%s\" does not exist", rv->schemaname, rv->relname);
        else
            sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->relname);
        return an_fail_at(q, rv->location);
    }
    if (rel->kind == 'v')
        return view_scan(q, rel, rv, out);
    if (rel->kind != 'r') {
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot read from \"%s\"", rel->name);
        return an_fail_at(q, rv->location);
    }
    AnRte *rte;
    int lock_mode, lock_policy;
    bool lock = an_lock_wanted(q, rv->alias ? rv->alias->aliasname : rv->relname, &lock_mode, &lock_policy);
    if (an_table_scan(q, rel, rv->alias ? rv->alias->aliasname : NULL, lock, out, &rte) != SDB_OK ||
        (lock && an_lock_add(q, ((SdbPlanScan *)*out)->table, rel->oid, lock_mode, lock_policy) != SDB_OK))
        return SDB_ERROR;
    if (rv->alias != NULL && alias_names(q, rte->name, rv->alias, rte->ncols, rte->colnames, &rte->colnames) != SDB_OK)
        return SDB_ERROR;
    return an_add_rte(q, rte);
}

/* A subquery in FROM; a LATERAL one sees the FROM items before it. */
static int range_subselect(AnQuery *q, const SdbRangeSubselect *rs, SdbPlan **out)
{
    if (rs->alias == NULL) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "subquery in FROM must have an alias");
        return an_fail_at(q, an_location(rs->subquery));
    }
    bool hidden = q->hidden;
    q->hidden = !rs->lateral;
    int rc = an_select(q, false, rs->subquery, out, NULL);
    q->hidden = hidden;
    if (rc != SDB_OK)
        return SDB_ERROR;
    AnRte *rte = an_rte_for_plan(q, NULL, *out, rs->alias);
    return rte == NULL ? SDB_ERROR : an_add_rte(q, rte);
}

/* Whether a FROM function is unnest with several arguments: PostgreSQL
 * runs it as ROWS FROM (unnest(a), unnest(b), ...). */
static bool multi_unnest(const SdbNode *node)
{
    if (!SDB_IS_A(node, FUNC_CALL))
        return false;
    const SdbFuncCall *fc = (const SdbFuncCall *)node;
    const char *name = str_of(sdb_list_nth(fc->funcname, sdb_list_length(fc->funcname) - 1));
    return sdb_list_length(fc->funcname) == 1 && name != NULL && strcmp(name, "unnest") == 0 &&
           sdb_list_length(fc->args) > 1 && !fc->agg_star && !fc->agg_distinct && fc->over == NULL;
}

/* unnest(a, b, ...) in FROM: one column per array (named unnest), the
 * arrays' elements side by side, NULL past a shorter one's end. */
static int range_unnest(AnQuery *q, const SdbRangeFunction *rf, SdbPlan **out)
{
    Analyzer *an = q->an;
    const SdbFuncCall *fc = (const SdbFuncCall *)rf->function;
    int n = sdb_list_length(fc->args), ncols = n + (rf->ordinality ? 1 : 0);
    SdbExpr **calls = sdb_bind_exprs(&q->bc, n), **values = sdb_bind_exprs(&q->bc, ncols);
    const char **names = an_alloc(an, sizeof(char *) * (size_t)ncols);
    AnRte *rte = an_alloc(an, sizeof *rte);
    if (calls == NULL || values == NULL || names == NULL || rte == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        SdbExpr **arg = sdb_bind_exprs(&q->bc, 1); /* the call keeps the array */
        SdbBoundFuncExpr *f;
        names[i] = "unnest";
        if (arg == NULL || an_bind(q, AN_FROM_FUNCTION, sdb_list_nth(fc->args, i), &arg[0]) != SDB_OK ||
            sdb_bind_function(&q->bc, "unnest", arg, 1, fc->location, &f) != SDB_OK)
            return SDB_ERROR;
        calls[i] = &f->expr;
    }
    if (rf->ordinality)
        names[n] = "ordinality";
    if ((*out = an_srf_scans(q, calls, n, rf->ordinality, values, rf->ordinality ? &values[n] : NULL)) == NULL)
        return SDB_ERROR;
    rte->name = rf->alias != NULL ? rf->alias->aliasname : "unnest";
    rte->ncols = ncols;
    rte->exprs = values;
    rte->rel_visible = rte->cols_visible = true;
    if (alias_names(q, rte->name, rf->alias, ncols, names, &rte->colnames) != SDB_OK)
        return SDB_ERROR;
    return an_add_rte(q, rte);
}

/* A function in FROM: a FunctionScan of one column (named by the alias's
 * column, else the function's result name (an OUT parameter's), else the
 * alias, else the function), or of one column per OUT column of a
 * function returning record (named by the alias's columns, else the OUT
 * columns'), plus ordinality.  Functions in FROM are always LATERAL (they
 * see the FROM items before them), as in PostgreSQL.  A function that
 * does not return a set gives one row. */
static int range_function(AnQuery *q, const SdbRangeFunction *rf, SdbPlan **out)
{
    if (multi_unnest(rf->function))
        return range_unnest(q, rf, out);
    Analyzer *an = q->an;
    SdbExpr *call;
    const SdbNode *srf = q->srf_call;
    q->srf_call = rf->function;
    int rc = an_bind(q, AN_FROM_FUNCTION, rf->function, &call);
    q->srf_call = srf;
    if (rc != SDB_OK)
        return SDB_ERROR;
    if (call->tag != SDB_E_FUNC_EXPR) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "only function calls are supported in FROM");
        return an_fail_at(q, an_location(rf->function));
    }
    const SdbFuncInfo *func = ((const SdbBoundFuncExpr *)call)->func;
    const char *fname = an_figure_name(rf->function);
    const char *name = rf->alias != NULL ? rf->alias->aliasname : fname;
    int nvalues = an_function_nvalues(call), n = nvalues + (rf->ordinality ? 1 : 0);
    const char **names = an_function_colnames(an, call, func->result_name != NULL ? func->result_name : name,
                                              rf->ordinality);
    const char **colnames;
    SdbPlanFunctionScan *fs;
    if (names == NULL || alias_names(q, name, rf->alias, n, names, &colnames) != SDB_OK ||
        (fs = an_function_scan(an, call, name, colnames, rf->ordinality)) == NULL)
        return SDB_ERROR;
    fs->alias = strcmp(name, fname) != 0 ? name : NULL;
    AnRte *rte = an_rte_for_plan(q, name, &fs->plan, NULL);
    if (rte == NULL)
        return SDB_ERROR;
    rte->colnames = colnames;
    rte->scalar_function = !rf->ordinality && func->nout == 0;
    rte->function_row = !rte->scalar_function;
    *out = &fs->plan;
    return an_add_rte(q, rte);
}

/* ---- joins ---- */

/* Whether a plan reads a binding table of the join's left side (at the
 * join's query level): the join is then LATERAL. */
typedef struct LateralRefs {
    const SdbPlan *left;
    int levelsup;            /* Vars of the join's level, seen from where the walk is */
    int table;               /* the first left table read, or -1 */
    int location;
} LateralRefs;

static bool produced_by(const SdbPlan *plan, int table)
{
    for (int i = 0; i < plan->ncols; i++)
        if (plan->cols[i].table == table)
            return true;
    return false;
}

static int lateral_ref(void *arg, SdbExpr **slot, bool *descend)
{
    LateralRefs *refs = arg;
    *descend = refs->table < 0;
    if ((*slot)->tag == SDB_E_VAR) {
        const SdbBoundVar *v = (const SdbBoundVar *)*slot;
        if (v->levelsup == refs->levelsup && produced_by(refs->left, v->table)) {
            refs->table = v->table;
            refs->location = v->location;
        }
    } else if ((*slot)->tag == SDB_E_SUB_PLAN && ((const SdbBoundSubPlan *)*slot)->correlated) {
        refs->levelsup++;
        int rc = an_mutate_plan(((SdbBoundSubPlan *)*slot)->plan, lateral_ref, refs);
        refs->levelsup--;
        return rc;
    }
    return SDB_OK;
}

/* Mark `join` LATERAL when its right side reads its left side's columns;
 * only INNER and LEFT joins may (42P10). */
static int mark_lateral(AnQuery *q, SdbPlanJoin *join)
{
    LateralRefs refs = {join->left, 0, -1, -1};
    if (an_mutate_plan(join->right, lateral_ref, &refs) != SDB_OK)
        return SDB_ERROR;
    if (refs.table < 0)
        return SDB_OK;
    if (join->kind != SDB_JOIN_KIND_INNER && join->kind != SDB_JOIN_KIND_LEFT) {
        const AnTable *t = an_table(q->an, refs.table);
        sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "invalid reference to FROM-clause entry for table \"%s\"",
                  t != NULL && t->name != NULL ? t->name : "?");
        sdb_error_detail("The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
        return an_fail_at(q, refs.location);
    }
    join->lateral = true;
    return SDB_OK;
}

/* The column-visible columns of rtes[from..to). */
typedef struct JoinSide {
    int n;
    const char **names;
    SdbExpr **exprs;
    bool *used;
} JoinSide;

static int join_side(AnQuery *q, int from, int to, JoinSide *side)
{
    side->n = 0;
    for (int i = from; i < to; i++)
        if (q->rtes[i]->cols_visible)
            side->n += q->rtes[i]->ncols;
    side->names = an_alloc(q->an, sizeof(char *) * (size_t)(side->n + 1));
    side->exprs = sdb_bind_exprs(&q->bc, side->n);
    side->used = an_alloc(q->an, sizeof(bool) * (size_t)(side->n + 1));
    if (side->names == NULL || side->exprs == NULL || side->used == NULL)
        return SDB_ERROR;
    int k = 0;
    for (int i = from; i < to; i++) {
        const AnRte *rte = q->rtes[i];
        if (!rte->cols_visible)
            continue;
        for (int c = 0; c < rte->ncols; c++, k++) {
            side->names[k] = rte->colnames[c];
            side->exprs[k] = rte->exprs[c];
        }
    }
    return SDB_OK;
}

/* The one column `name` of a join side: 42703 when none, 42702 when several. */
static int using_column(const JoinSide *side, const char *name, const char *which, int *out)
{
    *out = -1;
    for (int i = 0; i < side->n; i++) {
        if (strcmp(side->names[i], name) != 0)
            continue;
        if (*out >= 0)
            return sdb_error(SDB_ERR_AMBIGUOUS_COLUMN, "common column name \"%s\" appears more than once in %s table",
                             name, which);
        *out = i;
    }
    if (*out < 0)
        return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" specified in USING clause does not exist in %s table",
                         name, which);
    return SDB_OK;
}

/* The names NATURAL joins on: left columns that the right side has too. */
static int natural_names(AnQuery *q, const JoinSide *l, const JoinSide *r, SdbList **out)
{
    *out = NULL;
    for (int i = 0; i < l->n; i++) {
        for (int j = 0; j < r->n; j++) {
            if (strcmp(l->names[i], r->names[j]) != 0)
                continue;
            SdbString *s = sdb_new_string(q->an->arena);
            if (s == NULL)
                return SDB_ERROR;
            s->sval = (char *)l->names[i];
            *out = sdb_list_append(q->an->arena, *out, (SdbNode *)s);
            break;
        }
    }
    return SDB_OK;
}

/* A USING column: l = r (both of their common type) and the merged
 * column's expression (COALESCE for FULL JOIN). */
static int merge_column(AnQuery *q, SdbJoinType type, SdbExpr *l, SdbExpr *r, SdbExpr **cond, SdbExpr **merged)
{
    SdbExpr *pair[2];
    int locs[2] = {-1, -1};
    if ((pair[0] = an_copy(q->an, l, 0)) == NULL || (pair[1] = an_copy(q->an, r, 0)) == NULL ||
        sdb_bind_unify(&q->bc, pair, 2, "JOIN/USING", locs) != SDB_OK)
        return SDB_ERROR;
    SdbBoundOpExpr *eq;
    if (sdb_bind_operator(&q->bc, "=", pair[0], pair[1], -1, &eq) != SDB_OK)
        return SDB_ERROR;
    *cond = &eq->expr;
    if (type == SDB_JOIN_TYPE_FULL) {
        SdbBoundCoalesceExpr *c = sdb_new_bound_coalesce_expr(q->an->arena, pair[0]->type);
        SdbExpr **args = sdb_bind_exprs(&q->bc, 2);
        if (c == NULL || args == NULL)
            return SDB_ERROR;
        args[0] = an_copy(q->an, pair[0], 0);
        args[1] = an_copy(q->an, pair[1], 0);
        c->args = args;
        c->nargs = 2;
        *merged = &c->expr;
    } else {
        *merged = an_copy(q->an, type == SDB_JOIN_TYPE_RIGHT ? pair[1] : pair[0], 0);
    }
    return *merged == NULL ? SDB_ERROR : SDB_OK;
}

static int append_col(AnQuery *q, AnRte *rte, const char *name, SdbExpr *e)
{
    (void)q;
    rte->colnames[rte->ncols] = name;
    rte->exprs[rte->ncols++] = e;
    return SDB_OK;
}

static int join_expr(AnQuery *q, const SdbJoinExpr *j, SdbPlan **out)
{
    Analyzer *an = q->an;
    int start = q->nrtes;
    SdbPlan *left, *right;
    if (from_item(q, j->larg, &left) != SDB_OK)
        return SDB_ERROR;
    int mid = q->nrtes;
    if (from_item(q, j->rarg, &right) != SDB_OK)
        return SDB_ERROR;
    int end = q->nrtes;
    JoinSide l, r;
    if (join_side(q, start, mid, &l) != SDB_OK || join_side(q, mid, end, &r) != SDB_OK)
        return SDB_ERROR;
    SdbList *using = j->using_clause;
    if (j->is_natural && natural_names(q, &l, &r, &using) != SDB_OK)
        return SDB_ERROR;
    int nusing = sdb_list_length(using);
    AnRte *rte = an_alloc(an, sizeof *rte);
    SdbExpr **conds = NULL;
    int nconds = 0;
    if (rte == NULL || (rte->colnames = an_alloc(an, sizeof(char *) * (size_t)(l.n + r.n + 1))) == NULL ||
        (rte->exprs = sdb_bind_exprs(&q->bc, l.n + r.n)) == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nusing; i++) {
        const char *name = str_of(sdb_list_nth(using, i));
        int li, ri;
        SdbExpr *cond, *merged;
        if (using_column(&l, name, "left", &li) != SDB_OK || using_column(&r, name, "right", &ri) != SDB_OK ||
            merge_column(q, j->jointype, l.exprs[li], r.exprs[ri], &cond, &merged) != SDB_OK ||
            an_split_and(an, cond, &conds, &nconds) != SDB_OK)
            return SDB_ERROR;
        l.used[li] = r.used[ri] = true;
        append_col(q, rte, name, merged);
    }
    for (int i = 0; i < l.n; i++)
        if (!l.used[i])
            append_col(q, rte, l.names[i], l.exprs[i]);
    for (int i = 0; i < r.n; i++)
        if (!r.used[i])
            append_col(q, rte, r.names[i], r.exprs[i]);
    if (j->quals != NULL) {
        SdbExpr *on;
        if (an_bind_bool(q, AN_JOIN_ON, j->quals, "JOIN/ON", &on) != SDB_OK ||
            an_split_and(an, on, &conds, &nconds) != SDB_OK)
            return SDB_ERROR;
    }
    for (int i = start; i < end; i++) {
        q->rtes[i]->cols_visible = false;
        if (j->alias != NULL)
            q->rtes[i]->rel_visible = false;
        if (j->jointype == SDB_JOIN_TYPE_FULL || (j->jointype == SDB_JOIN_TYPE_LEFT && i >= mid) ||
            (j->jointype == SDB_JOIN_TYPE_RIGHT && i < mid))
            q->rtes[i]->nullable = true;
    }
    rte->cols_visible = true;
    if (j->alias != NULL) {
        rte->name = j->alias->aliasname;
        rte->rel_visible = true;
        if (alias_names(q, rte->name, j->alias, rte->ncols, rte->colnames, &rte->colnames) != SDB_OK)
            return SDB_ERROR;
    }
    SdbPlanJoin *join = sdb_new_plan_join(an->arena);
    if (join == NULL || an_set_cols(an, &join->plan, left->ncols + right->ncols) != SDB_OK)
        return SDB_ERROR;
    memcpy(join->plan.cols, left->cols, sizeof(SdbPlanColumn) * (size_t)left->ncols);
    memcpy(join->plan.cols + left->ncols, right->cols, sizeof(SdbPlanColumn) * (size_t)right->ncols);
    static const SdbJoinKind kinds[] = {SDB_JOIN_KIND_INNER, SDB_JOIN_KIND_LEFT, SDB_JOIN_KIND_FULL, SDB_JOIN_KIND_RIGHT};
    join->kind = kinds[j->jointype];
    join->left = left;
    join->right = right;
    join->conds = conds;
    join->nconds = nconds;
    *out = &join->plan;
    if (mark_lateral(q, join) != SDB_OK)
        return SDB_ERROR;
    return an_add_rte(q, rte);
}

static int from_item(AnQuery *q, const SdbNode *node, SdbPlan **out)
{
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_RANGE_VAR: return range_var(q, (const SdbRangeVar *)node, out);
    case SDB_T_RANGE_SUBSELECT: return range_subselect(q, (const SdbRangeSubselect *)node, out);
    case SDB_T_RANGE_FUNCTION: return range_function(q, (const SdbRangeFunction *)node, out);
    case SDB_T_JOIN_EXPR: return join_expr(q, (const SdbJoinExpr *)node, out);
    default: break;
    }
    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not supported in FROM", sdb_node_tag_name(SDB_NODE_TAG(node)));
}

/* Two FROM items side by side: a cross join (LATERAL when the right one
 * reads the left one). */
static SdbPlan *cross_join(AnQuery *q, SdbPlan *left, SdbPlan *right)
{
    Analyzer *an = q->an;
    SdbPlanJoin *join = sdb_new_plan_join(an->arena);
    if (join == NULL || an_set_cols(an, &join->plan, left->ncols + right->ncols) != SDB_OK)
        return NULL;
    memcpy(join->plan.cols, left->cols, sizeof(SdbPlanColumn) * (size_t)left->ncols);
    memcpy(join->plan.cols + left->ncols, right->cols, sizeof(SdbPlanColumn) * (size_t)right->ncols);
    join->kind = SDB_JOIN_KIND_INNER;
    join->left = left;
    join->right = right;
    return mark_lateral(q, join) == SDB_OK ? &join->plan : NULL;
}

int an_from(AnQuery *q, const SdbList *from, SdbPlan **out)
{
    *out = NULL;
    for (int i = 0; i < sdb_list_length(from); i++) {
        SdbPlan *item;
        if (from_item(q, sdb_list_nth(from, i), &item) != SDB_OK)
            return SDB_ERROR;
        *out = *out == NULL ? item : cross_join(q, *out, item);
        if (*out == NULL)
            return SDB_ERROR;
    }
    if (*out == NULL) {
        SdbPlanOneRow *one = sdb_new_plan_one_row(q->an->arena);
        if (one == NULL)
            return SDB_ERROR;
        *out = &one->plan;
    }
    return SDB_OK;
}

/* ---- WITH ---- */

static AnCte *new_cte(AnQuery *q, const SdbCommonTableExpr *c, const SdbPlan *plan)
{
    AnCte *cte = an_alloc(q->an, sizeof *cte);
    if (cte == NULL)
        return NULL;
    const char **names = an_alloc(q->an, sizeof(char *) * (size_t)(plan->ncols + 1));
    if (names == NULL)
        return NULL;
    for (int i = 0; i < plan->ncols; i++)
        names[i] = plan->cols[i].name;
    SdbAlias alias = {.tag = SDB_T_ALIAS, .aliasname = c->ctename, .colnames = c->aliascolnames};
    if (alias_names(q, c->ctename, &alias, plan->ncols, names, &cte->colnames) != SDB_OK)
        return NULL;
    cte->name = c->ctename;
    cte->cte_id = q->an->next_cte_id++;
    cte->ncols = plan->ncols;
    cte->cols = plan->cols;
    return cte;
}

/* The recursive part's columns, each of the anchor's type: 42804 when
 * their common type is another. */
static int recursive_types(AnQuery *q, const char *name, const SdbPlan *anchor, SdbPlan **recursive)
{
    SdbPlan *r = *recursive;
    if (r->ncols != anchor->ncols) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "each UNION query must have the same number of columns");
        return an_fail_at(q, r->ncols > 0 ? an_column_location(q->an, &r->cols[0]) : -1);
    }
    SdbExpr **exprs = sdb_bind_exprs(&q->bc, r->ncols);
    const char **names = an_alloc(q->an, sizeof(char *) * (size_t)(r->ncols + 1));
    if (exprs == NULL || names == NULL)
        return SDB_ERROR;
    bool cast = false;
    for (int i = 0; i < r->ncols; i++) {
        SdbBoundVar *av = an_var(q->an, &anchor->cols[i], 0), *rv = an_var(q->an, &r->cols[i], 0);
        if (av == NULL || rv == NULL)
            return SDB_ERROR;
        SdbExpr *pair[2] = {&av->expr, &rv->expr};
        int locs[2] = {-1, -1};
        if (sdb_bind_unify(&q->bc, pair, 2, "UNION", locs) != SDB_OK)
            return SDB_ERROR;
        if (pair[0]->type != anchor->cols[i].type) {
            sdb_error(SDB_ERR_DATATYPE_MISMATCH,
                      "recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall", name,
                      i + 1, sdb_bind_type_name(anchor->cols[i].type), sdb_bind_type_name(pair[0]->type));
            sdb_error_hint("Cast the output of the non-recursive term to the correct type.");
            return an_fail_at(q, an_column_location(q->an, &anchor->cols[i]));
        }
        cast |= pair[1]->tag != SDB_E_VAR;
        exprs[i] = pair[1];
        names[i] = r->cols[i].name;
    }
    if (cast && (*recursive = an_project(q->an, r, exprs, names, r->ncols)) == NULL)
        return SDB_ERROR;
    return SDB_OK;
}

/* WITH RECURSIVE name AS (anchor UNION [ALL] recursive part). */
static int recursive_cte(AnQuery *q, const SdbCommonTableExpr *c, AnCte **out)
{
    const SdbSelectStmt *s = (const SdbSelectStmt *)c->ctequery;
    SdbPlan *anchor, *recursive;
    AnCte placeholder = {.next = q->ctes, .name = c->ctename, .in_anchor = true};
    q->ctes = &placeholder;
    int rc = an_select(q, false, (const SdbNode *)s->larg, &anchor, NULL);
    q->ctes = placeholder.next;
    if (rc != SDB_OK)
        return SDB_ERROR;
    AnCte *cte = new_cte(q, c, anchor);
    if (cte == NULL)
        return SDB_ERROR;
    cte->recursive_self = true;
    cte->next = q->ctes;
    q->ctes = cte;
    rc = an_select(q, false, (const SdbNode *)s->rarg, &recursive, NULL);
    q->ctes = cte->next;
    cte->recursive_self = false;
    if (rc != SDB_OK)
        return SDB_ERROR;
    if (cte->nrefs == 0) {
        *out = NULL; /* not self-referencing: an ordinary WITH query */
        return SDB_OK;
    }
    if (recursive_types(q, c->ctename, anchor, &recursive) != SDB_OK)
        return SDB_ERROR;
    SdbPlanRecursiveUnion *ru = sdb_new_plan_recursive_union(q->an->arena);
    if (ru == NULL || an_set_cols(q->an, &ru->plan, anchor->ncols) != SDB_OK)
        return SDB_ERROR;
    ru->anchor = anchor;
    ru->recursive = recursive;
    ru->cte_id = cte->cte_id;
    ru->all = s->all;
    ru->table = an_new_table(q->an, c->ctename, anchor->ncols, cte->colnames);
    for (int i = 0; i < anchor->ncols; i++)
        ru->plan.cols[i] = (SdbPlanColumn){ru->table, i, anchor->cols[i].type, anchor->cols[i].typmod, cte->colnames[i]};
    cte->plan = &ru->plan;
    cte->cols = ru->plan.cols;
    *out = cte;
    return SDB_OK;
}

int an_with(AnQuery *q, const SdbWithClause *with)
{
    for (int i = 0; i < sdb_list_length(with->ctes); i++) {
        const SdbCommonTableExpr *c = (const SdbCommonTableExpr *)sdb_list_nth(with->ctes, i);
        for (int k = 0; k < i; k++)
            if (strcmp(((const SdbCommonTableExpr *)sdb_list_nth(with->ctes, k))->ctename, c->ctename) == 0) {
                sdb_error(SDB_ERR_DUPLICATE_ALIAS, "WITH query name \"%s\" specified more than once", c->ctename);
                return an_fail_at(q, c->location);
            }
        AnCte *cte = NULL;
        const SdbSelectStmt *s = SDB_IS_A(c->ctequery, SELECT_STMT) ? (const SdbSelectStmt *)c->ctequery : NULL;
        if (with->recursive && s != NULL && s->op == SDB_SET_OPERATION_UNION && recursive_cte(q, c, &cte) != SDB_OK)
            return SDB_ERROR;
        if (cte == NULL) {
            SdbPlan *plan;
            if (an_select(q, false, c->ctequery, &plan, NULL) != SDB_OK || (cte = new_cte(q, c, plan)) == NULL)
                return SDB_ERROR;
            cte->plan = plan;
        }
        cte->next = q->ctes;
        q->ctes = cte;
    }
    return SDB_OK;
}
