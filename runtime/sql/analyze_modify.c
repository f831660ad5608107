/*
 * sql/analyze_modify.c: INSERT (target columns, VALUES with DEFAULT,
 * INSERT ... SELECT, DEFAULT VALUES, assignment casts, identity columns,
 * ON CONFLICT), UPDATE (SET, FROM, WHERE) and DELETE (USING, WHERE) into
 * Insert/Update/Delete operators, with CHECK constraints bound from the
 * table's descriptor and RETURNING lists.
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"
#include "sql/parser.h"

/* The target table: a plain table (42P01 missing, 42809 others). */
static int target_relation(AnQuery *q, const SdbRangeVar *rv, const char *verb, const SdbRelation **out)
{
    SdbAnalyzeContext *ac = q->an->ac;
    *out = NULL;
    if (ac->catalog != NULL && sdb_catalog_lookup(ac->catalog, ac->txn, rv->schemaname, rv->relname, ac->search_path,
                                                  ac->npath, out) != SDB_OK)
        return SDB_ERROR;
    if (*out == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->relname);
        return an_fail_at(q, rv->location);
    }
    if ((*out)->kind != 'r') {
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot %s \"%s\"", verb, (*out)->name);
        return an_fail_at(q, rv->location);
    }
    return SDB_OK;
}

/* The expression of SQL text `sql` (a DEFAULT or CHECK), bound at level q. */
static int bind_text(AnQuery *q, const char *sql, AnExprKind kind, SdbExpr **out)
{
    Analyzer *an = q->an;
    char *text = sdb_arena_sprintf(an->arena, "SELECT %s", sql);
    SdbParseResult parsed;
    if (text == NULL || sdb_parse(an->arena, text, strlen(text), &parsed) != SDB_OK)
        return SDB_ERROR;
    const SdbSelectStmt *s = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(s->target_list, 0);
    const char *saved = q->bc.sql;
    q->bc.sql = text;
    int rc = an_bind_raw(q, kind, rt->val, out);
    q->bc.sql = saved;
    return rc;
}

/* `e` assigned to column `att`: 42804 when no assignment cast exists. */
static int assign(AnQuery *q, const SdbAttribute *att, SdbExpr *e, int location, SdbExpr **out)
{
    if (!sdb_bind_can_coerce(e->type, att->type, SDB_CAST_ASSIGNMENT)) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "column \"%s\" is of type %s but expression is of type %s", att->name,
                  sdb_bind_type_name(att->type), sdb_bind_type_name(e->type));
        sdb_error_hint("You will need to rewrite or cast the expression.");
        return an_fail_at(q, location);
    }
    return sdb_bind_coerce(&q->bc, e, att->type, att->typmod, SDB_CAST_ASSIGNMENT, location, out);
}

/* Column `att`'s default: its DEFAULT expression, else a typed NULL. */
static int column_default(AnQuery *q, const SdbAttribute *att, SdbExpr **out)
{
    if (att->default_sql != NULL && !att->dropped) {
        SdbExpr *e;
        AnQuery *empty = an_query_new(q->an, NULL, false);
        if (empty == NULL || bind_text(empty, att->default_sql, AN_DEFAULT, &e) != SDB_OK)
            return SDB_ERROR;
        return assign(q, att, e, -1, out);
    }
    SdbBoundConst *c = sdb_new_bound_const(q->an->arena, att->type);
    if (c == NULL)
        return SDB_ERROR;
    c->expr.typmod = att->typmod;
    c->isnull = true;
    c->location = -1;
    *out = &c->expr;
    return SDB_OK;
}

/* The attribute named `name` (not dropped): 42703 when none. */
static int find_attr(AnQuery *q, const SdbRelation *rel, const char *name, int location, int *index)
{
    for (int i = 0; i < rel->natts; i++)
        if (!rel->attrs[i].dropped && strcmp(rel->attrs[i].name, name) == 0) {
            *index = i;
            return SDB_OK;
        }
    sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", name, rel->name);
    return an_fail_at(q, location);
}

/* CHECK constraints of `rel` bound over binding table `table`. */
static int bind_checks(AnQuery *q, const SdbRelation *rel, int table, SdbExpr ***checks, const char ***names, int *n)
{
    Analyzer *an = q->an;
    *n = 0;
    *checks = sdb_bind_exprs(&q->bc, rel->nconstraints);
    *names = an_alloc(an, sizeof(char *) * (size_t)(rel->nconstraints + 1));
    if (*checks == NULL || *names == NULL)
        return SDB_ERROR;
    for (int i = 0; i < rel->nconstraints; i++) {
        const SdbRelConstraint *con = &rel->constraints[i];
        if (con->kind != 'c')
            continue;
        SdbParseResult parsed;
        char *text = sdb_arena_sprintf(an->arena, "SELECT %s", con->check_sql);
        if (text == NULL || sdb_parse(an->arena, text, strlen(text), &parsed) != SDB_OK)
            return SDB_ERROR;
        const SdbSelectStmt *s = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
        const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(s->target_list, 0);
        SdbAnalyzeContext sub = *an->ac;
        sub.sql = text;
        if (sdb_analyze_table_expr(&sub, rel, table, rt->val, &(*checks)[*n]) != SDB_OK)
            return SDB_ERROR;
        (*names)[(*n)++] = con->name;
    }
    return SDB_OK;
}

/* A level whose only FROM item is the target table, its columns Vars of
 * `table` named `name`. */
static AnRte *table_rte(AnQuery *q, const SdbRelation *rel, const char *name, int table)
{
    Analyzer *an = q->an;
    AnRte *rte = an_alloc(an, sizeof *rte);
    if (rte == NULL || (rte->colnames = an_alloc(an, sizeof(char *) * (size_t)(rel->natts + 1))) == NULL ||
        (rte->exprs = sdb_bind_exprs(&q->bc, rel->natts)) == NULL)
        return NULL;
    rte->name = name;
    rte->schema = rel->namespace_name;
    for (int i = 0; i < rel->natts; i++) {
        const SdbAttribute *att = &rel->attrs[i];
        if (att->dropped)
            continue;
        SdbPlanColumn col = {table, att->attnum - 1, att->type, att->typmod, att->name};
        SdbBoundVar *v = an_var(an, &col, 0);
        if (v == NULL)
            return NULL;
        rte->colnames[rte->ncols] = att->name;
        rte->exprs[rte->ncols++] = &v->expr;
    }
    rte->rel_visible = rte->cols_visible = true;
    return rte;
}

/* RETURNING: bound at level q; its binding table and header columns. */
static int returning(AnQuery *q, const SdbList *list, SdbPlan *plan, SdbExpr ***exprs, int *n, int *table)
{
    *n = 0;
    *table = -1;
    if (list == NULL)
        return SDB_OK;
    SdbExpr **all = NULL;
    const char **names = NULL;
    for (int i = 0; i < sdb_list_length(list); i++) {
        const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(list, i);
        const SdbNode *val = rt->val;
        const SdbList *f = SDB_IS_A(val, COLUMN_REF) ? ((const SdbColumnRef *)val)->fields : NULL;
        if (f != NULL && SDB_IS_A(sdb_list_nth(f, sdb_list_length(f) - 1), A_STAR)) {
            if (an_star(q, (const SdbColumnRef *)val, &all, &names, n) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        SdbExpr *e;
        if (an_bind(q, AN_RETURNING, val, &e) != SDB_OK)
            return SDB_ERROR;
        SdbExpr **ge = sdb_arena_realloc(q->an->arena, all, sizeof(SdbExpr *) * (size_t)*n,
                                         sizeof(SdbExpr *) * (size_t)(*n + 1));
        const char **gn = sdb_arena_realloc(q->an->arena, names, sizeof(char *) * (size_t)*n,
                                            sizeof(char *) * (size_t)(*n + 1));
        if (ge == NULL || gn == NULL)
            return SDB_ERROR;
        ge[*n] = e;
        gn[*n] = rt->name ? rt->name : an_figure_name(val);
        all = ge;
        names = gn;
        (*n)++;
    }
    *table = an_new_table(q->an, NULL, *n, names);
    if (an_set_cols(q->an, plan, *n) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < *n; i++)
        plan->cols[i] = (SdbPlanColumn){*table, i, all[i]->type, all[i]->typmod, names[i]};
    *exprs = all;
    return SDB_OK;
}

/* ---- INSERT ---- */

typedef struct InsertTarget {
    const SdbRelation *rel;
    int n;           /* target columns */
    int *attr;       /* their attribute indexes */
    int *location;
} InsertTarget;

static int insert_targets(AnQuery *q, const SdbInsertStmt *s, InsertTarget *it)
{
    const SdbRelation *rel = it->rel;
    int n = s->cols ? sdb_list_length(s->cols) : 0;
    if (n == 0)
        for (int i = 0; i < rel->natts; i++)
            n += !rel->attrs[i].dropped;
    it->attr = an_alloc(q->an, sizeof(int) * (size_t)(n + 1));
    it->location = an_alloc(q->an, sizeof(int) * (size_t)(n + 1));
    if (it->attr == NULL || it->location == NULL)
        return SDB_ERROR;
    it->n = 0;
    if (s->cols == NULL) {
        for (int i = 0; i < rel->natts; i++)
            if (!rel->attrs[i].dropped) {
                it->location[it->n] = -1;
                it->attr[it->n++] = i;
            }
        return SDB_OK;
    }
    for (int i = 0; i < n; i++) {
        const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(s->cols, i);
        int index = -1;
        if (find_attr(q, rel, rt->name, rt->location, &index) != SDB_OK)
            return SDB_ERROR;
        for (int k = 0; k < it->n; k++)
            if (it->attr[k] == index) {
                sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" specified more than once", rt->name);
                return an_fail_at(q, rt->location);
            }
        it->location[it->n] = rt->location;
        it->attr[it->n++] = index;
    }
    return SDB_OK;
}

/* A value given for an identity column GENERATED ALWAYS: 428C9. */
static int identity_check(AnQuery *q, const SdbAttribute *att, int location)
{
    if (att->identity != 'a')
        return SDB_OK;
    sdb_error(SDB_ERR_GENERATED_ALWAYS, "cannot insert a non-DEFAULT value into column \"%s\"", att->name);
    sdb_error_detail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", att->name);
    sdb_error_hint("Use OVERRIDING SYSTEM VALUE to override.");
    return an_fail_at(q, location);
}

/* One full row (every column in attnum order) from the target columns'
 * values `given` (NULL entry: DEFAULT). */
static int full_row(AnQuery *q, const InsertTarget *it, SdbExpr **given, const int *locs, SdbExpr **row)
{
    const SdbRelation *rel = it->rel;
    for (int i = 0; i < rel->natts; i++)
        row[i] = NULL;
    for (int k = 0; k < it->n; k++) {
        const SdbAttribute *att = &rel->attrs[it->attr[k]];
        if (given[k] == NULL)
            continue;
        if (identity_check(q, att, locs[k]) != SDB_OK || assign(q, att, given[k], locs[k], &row[it->attr[k]]) != SDB_OK)
            return SDB_ERROR;
    }
    for (int i = 0; i < rel->natts; i++)
        if (row[i] == NULL && column_default(q, &rel->attrs[i], &row[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int count_check(int given, int targets)
{
    if (given > targets)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "INSERT has more expressions than target columns");
    if (given < targets)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "INSERT has more target columns than expressions");
    return SDB_OK;
}

static SdbPlan *values_plan(AnQuery *q, const SdbRelation *rel, SdbExpr **rows, int nrows)
{
    Analyzer *an = q->an;
    SdbPlanValues *v = sdb_new_plan_values(an->arena);
    if (v == NULL || an_set_cols(an, &v->plan, rel->natts) != SDB_OK)
        return NULL;
    v->table = an_new_table(an, "*VALUES*", rel->natts, NULL);
    v->rows = rows;
    v->nrows = nrows;
    for (int i = 0; i < rel->natts; i++)
        v->plan.cols[i] = (SdbPlanColumn){v->table, i, rows[i]->type, rows[i]->typmod, rel->attrs[i].name};
    return &v->plan;
}

/* INSERT ... VALUES (...), ... and DEFAULT VALUES: a Values of full rows. */
static int insert_values(AnQuery *q, const InsertTarget *it, const SdbList *lists, SdbPlan **out)
{
    int nrows = lists ? sdb_list_length(lists) : 1, natts = it->rel->natts;
    SdbExpr **rows = sdb_bind_exprs(&q->bc, nrows * natts), **given = sdb_bind_exprs(&q->bc, it->n);
    int *locs = an_alloc(q->an, sizeof(int) * (size_t)(it->n + 1));
    if (rows == NULL || given == NULL || locs == NULL)
        return SDB_ERROR;
    for (int r = 0; r < nrows; r++) {
        const SdbList *row = lists ? (const SdbList *)sdb_list_nth(lists, r) : NULL;
        if (lists != NULL && count_check(sdb_list_length(row), it->n) != SDB_OK)
            return an_fail_at(q, an_location(sdb_list_nth(row, 0)));
        for (int k = 0; k < it->n; k++) {
            const SdbNode *item = row ? sdb_list_nth(row, k) : NULL;
            given[k] = NULL;
            locs[k] = an_location(item);
            if (item != NULL && !SDB_IS_A(item, SET_TO_DEFAULT) &&
                an_bind_raw(q, AN_INSERT_VALUES, item, &given[k]) != SDB_OK)
                return SDB_ERROR;
        }
        if (full_row(q, it, given, locs, rows + (size_t)r * (size_t)natts) != SDB_OK)
            return SDB_ERROR;
    }
    *out = values_plan(q, it->rel, rows, nrows);
    return *out == NULL ? SDB_ERROR : SDB_OK;
}

/* INSERT ... SELECT: a Project of full rows over the query. */
static int insert_select(AnQuery *q, const InsertTarget *it, const SdbNode *select, SdbPlan **out)
{
    SdbPlan *plan;
    q->an->keep_unknown = true;
    if (an_select(q, false, select, &plan, NULL) != SDB_OK)
        return SDB_ERROR;
    q->an->keep_unknown = false;
    if (count_check(plan->ncols, it->n) != SDB_OK)
        return SDB_ERROR;
    SdbExpr **given = sdb_bind_exprs(&q->bc, it->n), **row = sdb_bind_exprs(&q->bc, it->rel->natts);
    const char **names = an_alloc(q->an, sizeof(char *) * (size_t)(it->rel->natts + 1));
    if (given == NULL || row == NULL || names == NULL)
        return SDB_ERROR;
    for (int k = 0; k < it->n; k++) {
        if (plan->cols[k].type == SDB_TYPEOID_UNKNOWN &&
            an_resolve_unknown(q, plan, k, it->rel->attrs[it->attr[k]].type) != SDB_OK)
            return SDB_ERROR;
        SdbBoundVar *v = an_var(q->an, &plan->cols[k], 0);
        if (v == NULL)
            return SDB_ERROR;
        given[k] = &v->expr;
    }
    if (full_row(q, it, given, it->location, row) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < it->rel->natts; i++)
        names[i] = it->rel->attrs[i].name;
    *out = an_project(q->an, plan, row, names, it->rel->natts);
    return *out == NULL ? SDB_ERROR : SDB_OK;
}

/* The unique index ON CONFLICT (cols) / ON CONSTRAINT name names. */
static int arbiter(AnQuery *q, const SdbRelation *rel, const SdbInferClause *infer, SdbOid *out)
{
    *out = SDB_INVALID_OID;
    if (infer == NULL)
        return SDB_OK;
    if (infer->conname != NULL) {
        for (int i = 0; i < rel->nconstraints; i++)
            if (strcmp(rel->constraints[i].name, infer->conname) == 0 && rel->constraints[i].index_oid != 0) {
                *out = rel->constraints[i].index_oid;
                return SDB_OK;
            }
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "constraint \"%s\" for table \"%s\" does not exist", infer->conname,
                  rel->name);
        return an_fail_at(q, infer->location);
    }
    int n = sdb_list_length(infer->index_elems);
    for (int x = 0; x < rel->nindexes; x++) {
        const SdbIndex *idx = &rel->indexes[x];
        if (!idx->unique || idx->nkeys != n)
            continue;
        bool match = true;
        for (int i = 0; i < n && match; i++) {
            const SdbIndexElem *e = (const SdbIndexElem *)sdb_list_nth(infer->index_elems, i);
            bool in = false;
            for (int k = 0; k < n && !in; k++)
                in = e->name != NULL && strcmp(rel->attrs[idx->keys[k] - 1].name, e->name) == 0;
            match = in;
        }
        if (match) {
            *out = idx->oid;
            return SDB_OK;
        }
    }
    sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE,
              "there is no unique or exclusion constraint matching the ON CONFLICT specification");
    return an_fail_at(q, infer->location);
}

/* SET col = expr, ... : one entry per table column (NULL: unchanged). */
static int set_clause(AnQuery *q, const SdbRelation *rel, const SdbList *list, SdbExpr ***out, int *n)
{
    *n = rel->natts;
    *out = sdb_bind_exprs(&q->bc, rel->natts);
    if (*out == NULL)
        return SDB_ERROR;
    for (int i = 0; i < sdb_list_length(list); i++) {
        const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(list, i);
        int index = -1;
        if (find_attr(q, rel, rt->name, rt->location, &index) != SDB_OK)
            return SDB_ERROR;
        const SdbAttribute *att = &rel->attrs[index];
        if ((*out)[index] != NULL) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "multiple assignments to same column \"%s\"", rt->name);
            return an_fail_at(q, rt->location);
        }
        if (SDB_IS_A(rt->val, SET_TO_DEFAULT)) {
            if (column_default(q, att, &(*out)[index]) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        if (att->identity == 'a') {
            sdb_error(SDB_ERR_GENERATED_ALWAYS, "column \"%s\" can only be updated to DEFAULT", att->name);
            sdb_error_detail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", att->name);
            return an_fail_at(q, rt->location);
        }
        SdbExpr *e;
        if (an_bind_raw(q, AN_UPDATE_SET, rt->val, &e) != SDB_OK ||
            assign(q, att, e, an_location(rt->val), &(*out)[index]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int on_conflict(AnQuery *q, const SdbInsertStmt *s, const SdbRelation *rel, const char *name,
                       SdbPlanInsert *ins)
{
    const SdbOnConflictClause *oc = s->on_conflict;
    ins->on_conflict = oc->action == SDB_ON_CONFLICT_ACTION_NOTHING ? SDB_CONFLICT_ACTION_NOTHING
                                                                    : SDB_CONFLICT_ACTION_UPDATE;
    if (ins->on_conflict == SDB_CONFLICT_ACTION_UPDATE && oc->infer == NULL) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "ON CONFLICT DO UPDATE requires inference specification or constraint name");
        sdb_error_hint("For example, ON CONFLICT (column_name).");
        return an_fail_at(q, oc->location);
    }
    if (arbiter(q, rel, oc->infer, &ins->arbiter_index) != SDB_OK)
        return SDB_ERROR;
    if (ins->on_conflict != SDB_CONFLICT_ACTION_UPDATE)
        return SDB_OK;
    AnQuery *u = an_query_new(q->an, NULL, false);
    if (u == NULL)
        return SDB_ERROR;
    ins->excluded_table = an_new_table(q->an, "excluded", 0, NULL);
    AnRte *target = table_rte(u, rel, name, ins->table), *excluded = table_rte(u, rel, "excluded", ins->excluded_table);
    if (target == NULL || excluded == NULL || an_add_rte(u, target) != SDB_OK || an_add_rte(u, excluded) != SDB_OK ||
        set_clause(u, rel, oc->target_list, &ins->set_values, &ins->nset) != SDB_OK)
        return SDB_ERROR;
    if (oc->where_clause != NULL &&
        an_bind_bool(u, AN_CONFLICT_WHERE, oc->where_clause, "WHERE", &ins->conflict_where) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

int an_insert(AnQuery *q, const SdbInsertStmt *s, SdbPlan **out)
{
    if (s->with_clause != NULL && an_with(q, s->with_clause) != SDB_OK)
        return SDB_ERROR;
    InsertTarget it = {0};
    if (target_relation(q, s->relation, "insert into", &it.rel) != SDB_OK || insert_targets(q, s, &it) != SDB_OK)
        return SDB_ERROR;
    const SdbRelation *rel = it.rel;
    const char *name = s->relation->alias ? s->relation->alias->aliasname : rel->name;
    SdbPlanInsert *ins = sdb_new_plan_insert(q->an->arena);
    if (ins == NULL)
        return SDB_ERROR;
    ins->rel_oid = rel->oid;
    const char **attnames = an_alloc(q->an, sizeof(char *) * (size_t)(rel->natts + 1));
    if (attnames == NULL)
        return SDB_ERROR;
    for (int i = 0; i < rel->natts; i++)
        attnames[i] = rel->attrs[i].name;
    ins->table = an_new_table(q->an, name, rel->natts, attnames);
    const SdbSelectStmt *sel = (const SdbSelectStmt *)s->select_stmt;
    bool plain_values = sel != NULL && sel->values_lists != NULL && sel->sort_clause == NULL &&
                        sel->limit_count == NULL && sel->limit_offset == NULL && sel->with_clause == NULL;
    int rc = sel == NULL       ? insert_values(q, &it, NULL, &ins->child)
             : plain_values    ? insert_values(q, &it, sel->values_lists, &ins->child)
                               : insert_select(q, &it, s->select_stmt, &ins->child);
    if (rc != SDB_OK || bind_checks(q, rel, ins->table, &ins->checks, &ins->check_names, &ins->nchecks) != SDB_OK)
        return SDB_ERROR;
    if (s->on_conflict != NULL && on_conflict(q, s, rel, name, ins) != SDB_OK)
        return SDB_ERROR;
    AnQuery *r = an_query_new(q->an, NULL, false);
    AnRte *rte = r ? table_rte(r, rel, name, ins->table) : NULL;
    if (rte == NULL || an_add_rte(r, rte) != SDB_OK ||
        returning(r, s->returning_list, &ins->plan, &ins->returning, &ins->nreturning, &ins->returning_table) != SDB_OK)
        return SDB_ERROR;
    *out = &ins->plan;
    return SDB_OK;
}

/* ---- UPDATE, DELETE ---- */

/* The rows to change: the target table (with ctid) joined with the FROM /
 * USING items, filtered by WHERE. */
static int modify_source(AnQuery *q, const SdbRelation *rel, const SdbRangeVar *rv, const SdbList *from,
                         const SdbNode *where, SdbPlan **out, int *table)
{
    AnRte *rte;
    SdbPlan *scan, *rest;
    if (an_table_scan(q, rel, rv->alias ? rv->alias->aliasname : NULL, true, &scan, &rte) != SDB_OK ||
        an_add_rte(q, rte) != SDB_OK)
        return SDB_ERROR;
    *table = ((SdbPlanScan *)scan)->table;
    *out = scan;
    if (from != NULL) {
        if (an_from(q, from, &rest) != SDB_OK)
            return SDB_ERROR;
        SdbPlanJoin *join = sdb_new_plan_join(q->an->arena);
        if (join == NULL || an_set_cols(q->an, &join->plan, scan->ncols + rest->ncols) != SDB_OK)
            return SDB_ERROR;
        memcpy(join->plan.cols, scan->cols, sizeof(SdbPlanColumn) * (size_t)scan->ncols);
        memcpy(join->plan.cols + scan->ncols, rest->cols, sizeof(SdbPlanColumn) * (size_t)rest->ncols);
        join->kind = SDB_JOIN_KIND_INNER;
        join->left = scan;
        join->right = rest;
        *out = &join->plan;
    }
    if (where != NULL) {
        SdbExpr *cond, **quals = NULL;
        int nquals = 0;
        if (an_bind_bool(q, AN_WHERE, where, "WHERE", &cond) != SDB_OK ||
            an_split_and(q->an, cond, &quals, &nquals) != SDB_OK ||
            (*out = an_filter(q->an, *out, quals, nquals)) == NULL)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int an_update(AnQuery *q, const SdbUpdateStmt *s, SdbPlan **out)
{
    const SdbRelation *rel;
    if ((s->with_clause != NULL && an_with(q, s->with_clause) != SDB_OK) ||
        target_relation(q, s->relation, "update", &rel) != SDB_OK)
        return SDB_ERROR;
    SdbPlanUpdate *up = sdb_new_plan_update(q->an->arena);
    if (up == NULL ||
        modify_source(q, rel, s->relation, s->from_clause, s->where_clause, &up->child, &up->table) != SDB_OK ||
        set_clause(q, rel, s->target_list, &up->set_values, &up->nset) != SDB_OK ||
        bind_checks(q, rel, up->table, &up->checks, &up->check_names, &up->nchecks) != SDB_OK ||
        returning(q, s->returning_list, &up->plan, &up->returning, &up->nreturning, &up->returning_table) != SDB_OK)
        return SDB_ERROR;
    up->rel_oid = rel->oid;
    *out = &up->plan;
    return SDB_OK;
}

int an_delete(AnQuery *q, const SdbDeleteStmt *s, SdbPlan **out)
{
    const SdbRelation *rel;
    if ((s->with_clause != NULL && an_with(q, s->with_clause) != SDB_OK) ||
        target_relation(q, s->relation, "delete from", &rel) != SDB_OK)
        return SDB_ERROR;
    SdbPlanDelete *del = sdb_new_plan_delete(q->an->arena);
    if (del == NULL ||
        modify_source(q, rel, s->relation, s->using_clause, s->where_clause, &del->child, &del->table) != SDB_OK ||
        returning(q, s->returning_list, &del->plan, &del->returning, &del->nreturning, &del->returning_table) != SDB_OK)
        return SDB_ERROR;
    del->rel_oid = rel->oid;
    *out = &del->plan;
    return SDB_OK;
}
