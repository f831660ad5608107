/*
 * sql/analyze_expr.c: the analyzer's part of expression binding (the
 * binder's hook, expr/bind.h): column references resolved through the
 * query levels' FROM items to Vars (42703, 42702, 42P01), aggregate calls
 * to Aggref (42803), window calls to WindowFunc (42P20), GROUPING() to
 * GroupingFunc, subqueries to SubPlan; * expansion; select-list names as
 * PostgreSQL figures them.
 */
#include "sql/analyze_int.h"

#include <string.h>

#include "common/error.h"
#include "expr/fn_record.h"

/* The clause names of PostgreSQL's "... are not allowed in %s". */
static const char *kind_name(AnExprKind kind)
{
    switch (kind) {
    case AN_WHERE: return "WHERE";
    case AN_JOIN_ON: return "JOIN conditions";
    case AN_GROUP_BY: return "GROUP BY";
    case AN_HAVING: return "HAVING";
    case AN_LIMIT: return "LIMIT";
    case AN_OFFSET: return "OFFSET";
    case AN_VALUES:
    case AN_INSERT_VALUES: return "VALUES";
    case AN_FROM_FUNCTION: return "functions in FROM";
    case AN_WINDOW_PARTITION: return "window PARTITION BY";
    case AN_WINDOW_ORDER: return "window ORDER BY";
    case AN_WINDOW_FRAME: return "window ROWS";
    case AN_DISTINCT_ON: return "DISTINCT ON";
    case AN_RETURNING: return "RETURNING";
    case AN_UPDATE_SET: return "UPDATE";
    case AN_CONFLICT_WHERE: return "WHERE";
    case AN_CHECK: return "check constraints";
    case AN_DEFAULT: return "DEFAULT expressions";
    default: return "this context";
    }
}

static bool aggs_allowed(AnExprKind kind)
{
    return kind == AN_SELECT || kind == AN_ORDER_BY || kind == AN_HAVING || kind == AN_WINDOW_PARTITION ||
           kind == AN_WINDOW_ORDER || kind == AN_DISTINCT_ON;
}

static bool windows_allowed(AnExprKind kind)
{
    return kind == AN_SELECT || kind == AN_ORDER_BY || kind == AN_DISTINCT_ON;
}

static const char *str_of(const SdbNode *n)
{
    return SDB_IS_A(n, STRING) ? ((const SdbString *)n)->sval : NULL;
}

static const char *last_name(const SdbList *names)
{
    return str_of(sdb_list_nth(names, sdb_list_length(names) - 1));
}

/* ---- column references ---- */

/* The column `name` among the column-visible FROM items of level p:
 * *out NULL when none; 42702 when several. */
static int find_unqualified(AnQuery *q, AnQuery *p, const char *name, int location, const SdbExpr **out)
{
    *out = NULL;
    for (int i = 0; i < p->nrtes; i++) {
        const AnRte *rte = p->rtes[i];
        if (!rte->cols_visible)
            continue;
        for (int c = 0; c < rte->ncols; c++) {
            if (strcmp(rte->colnames[c], name) != 0)
                continue;
            if (*out != NULL) {
                sdb_error(SDB_ERR_AMBIGUOUS_COLUMN, "column reference \"%s\" is ambiguous", name);
                return an_fail_at(q, location);
            }
            *out = rte->exprs[c];
        }
    }
    return SDB_OK;
}

/* The relation-visible FROM item `name` (in `schema` when given) of level p. */
static const AnRte *find_rel(AnQuery *p, const char *schema, const char *name)
{
    for (int i = 0; i < p->nrtes; i++) {
        const AnRte *rte = p->rtes[i];
        if (rte->rel_visible && rte->name != NULL && strcmp(rte->name, name) == 0 &&
            (schema == NULL || (rte->schema != NULL && strcmp(rte->schema, schema) == 0)))
            return rte;
    }
    return NULL;
}

/* A column found at level p for a reference made at level q: a copy of
 * its expression with levelsup set; levels in between become correlated. */
static int found(AnQuery *q, AnQuery *p, const SdbExpr *expr, int location, SdbExpr **out)
{
    int levelsup = q->depth - p->depth;
    for (AnQuery *r = q; r != p; r = r->parent)
        if (r->depth > p->depth)
            r->correlated = true;
    SdbExpr *copy = an_copy(q->an, expr, levelsup);
    if (copy == NULL)
        return SDB_ERROR;
    if (copy->tag == SDB_E_VAR)
        ((SdbBoundVar *)copy)->location = location;
    *out = copy;
    return SDB_OK;
}

static bool rtes_visible(AnQuery *q, AnQuery *p)
{
    return p == q || !p->hidden;
}

/* 42P01 for table `rel`: "invalid reference" when a FROM item of that
 * name exists but is hidden here (by a join alias), else "missing". */
static void missing_table(AnQuery *q, const char *rel)
{
    for (AnQuery *p = q; p != NULL; p = p->parent)
        for (int i = 0; i < p->nrtes; i++)
            if (p->rtes[i]->name != NULL && strcmp(p->rtes[i]->name, rel) == 0) {
                sdb_error(SDB_ERR_UNDEFINED_TABLE, "invalid reference to FROM-clause entry for table \"%s\"", rel);
                sdb_error_hint("There is an entry for table \"%s\", but it cannot be referenced from this part of the "
                               "query.", rel);
                return;
            }
    sdb_error(SDB_ERR_UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", rel);
}

/* PostgreSQL's hint when column `name` exists in a FROM item this part of
 * the query cannot see (a non-LATERAL subquery in FROM). */
static void hidden_column_hint(AnQuery *q, const char *name)
{
    for (AnQuery *p = q; p != NULL; p = p->parent) {
        if (rtes_visible(q, p))
            continue;
        for (int i = 0; i < p->nrtes; i++) {
            const AnRte *rte = p->rtes[i];
            for (int c = 0; rte->name != NULL && c < rte->ncols; c++)
                if (strcmp(rte->colnames[c], name) == 0) {
                    sdb_error_hint("There is a column named \"%s\" in table \"%s\", but it cannot be referenced "
                                   "from this part of the query.", name, rte->name);
                    return;
                }
        }
    }
}

static int column_ref(AnQuery *q, const SdbColumnRef *ref, SdbExpr **out)
{
    int n = sdb_list_length(ref->fields);
    const char *col = str_of(sdb_list_nth(ref->fields, n - 1));
    if (col == NULL) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "row expansion via \"*\" is not supported here");
        return an_fail_at(q, ref->location);
    }
    if (n == 1) {
        for (AnQuery *p = q; p != NULL; p = p->parent) {
            const SdbExpr *e;
            if (!rtes_visible(q, p))
                continue;
            if (find_unqualified(q, p, col, ref->location, &e) != SDB_OK)
                return SDB_ERROR;
            if (e == NULL) { /* the whole row of a function: its value, or a record of its columns */
                const AnRte *rte = find_rel(p, NULL, col);
                e = rte != NULL && rte->scalar_function ? rte->exprs[0]
                    : rte != NULL && rte->function_row  ? an_record_of(q, rte->exprs, rte->ncols, ref->location)
                                                        : NULL;
                if (rte != NULL && rte->function_row && e == NULL)
                    return SDB_ERROR;
            }
            if (e != NULL)
                return found(q, p, e, ref->location, out);
        }
        sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" does not exist", col);
        hidden_column_hint(q, col);
        return an_fail_at(q, ref->location);
    }
    const char *rel = str_of(sdb_list_nth(ref->fields, n - 2));
    const char *schema = n >= 3 ? str_of(sdb_list_nth(ref->fields, n - 3)) : NULL;
    for (AnQuery *p = q; p != NULL; p = p->parent) {
        const AnRte *rte = rtes_visible(q, p) ? find_rel(p, schema, rel) : NULL;
        if (rte == NULL)
            continue;
        const SdbExpr *e = NULL;
        for (int c = 0; c < rte->ncols; c++) {
            if (strcmp(rte->colnames[c], col) != 0)
                continue;
            if (e != NULL) {
                sdb_error(SDB_ERR_AMBIGUOUS_COLUMN, "column reference \"%s\" is ambiguous", col);
                return an_fail_at(q, ref->location);
            }
            e = rte->exprs[c];
        }
        if (e == NULL) {
            sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column %s.%s does not exist", rel, col);
            return an_fail_at(q, ref->location);
        }
        return found(q, p, e, ref->location, out);
    }
    missing_table(q, rel);
    return an_fail_at(q, ref->location);
}

/* Whether a column `name` is visible to a reference at level q. */
static bool column_visible(AnQuery *q, const char *name)
{
    for (AnQuery *p = q; p != NULL; p = p->parent)
        for (int i = 0; rtes_visible(q, p) && i < p->nrtes; i++)
            for (int c = 0; p->rtes[i]->cols_visible && c < p->rtes[i]->ncols; c++)
                if (strcmp(p->rtes[i]->colnames[c], name) == 0)
                    return true;
    return false;
}

/* The FROM item a whole-row reference names (t.*, schema.t.*, or a bare t
 * that is no column) and its level; NULL when `node` is none. */
static const AnRte *whole_row_rte(AnQuery *q, const SdbNode *node, AnQuery **level)
{
    if (!SDB_IS_A(node, COLUMN_REF))
        return NULL;
    const SdbList *fields = ((const SdbColumnRef *)node)->fields;
    int n = sdb_list_length(fields);
    const char *last = str_of(sdb_list_nth(fields, n - 1));
    if (last != NULL ? n != 1 || column_visible(q, last) : n < 2 || n > 3)
        return NULL;
    const char *rel = last != NULL ? last : str_of(sdb_list_nth(fields, n - 2));
    const char *schema = last == NULL && n == 3 ? str_of(sdb_list_nth(fields, 0)) : NULL;
    for (AnQuery *p = q; p != NULL; p = p->parent) {
        const AnRte *rte = rtes_visible(q, p) ? find_rel(p, schema, rel) : NULL;
        if (rte != NULL) {
            *level = p;
            return rte;
        }
    }
    return NULL;
}

/* t.* IS [NOT] NULL (t IS NULL): whether every column of t is (not) NULL,
 * as PostgreSQL tests a row value; a null-extended row's columns are all
 * NULL, as its whole-row value is NULL. */
static int whole_row_null_test(AnQuery *q, const SdbNullTest *node, SdbExpr **out)
{
    AnQuery *p;
    const AnRte *rte = whole_row_rte(q, node->arg, &p);
    if (rte == NULL || rte->ncols == 0)
        return SDB_BIND_DEFAULT;
    SdbBoundBoolExpr *all = sdb_new_bound_bool_expr(q->an->arena, SDB_TYPEOID_BOOL);
    SdbExpr **tests = sdb_bind_exprs(&q->bc, rte->ncols);
    if (all == NULL || tests == NULL)
        return SDB_ERROR;
    for (int c = 0; c < rte->ncols; c++) {
        SdbBoundNullTest *t = sdb_new_bound_null_test(q->an->arena, SDB_TYPEOID_BOOL);
        if (t == NULL || found(q, p, rte->exprs[c], an_location(node->arg), &t->arg) != SDB_OK)
            return SDB_ERROR;
        t->nulltesttype = (SdbExprNullTest)node->nulltesttype;
        tests[c] = &t->expr;
    }
    all->boolop = SDB_EXPR_BOOL_OP_AND;
    all->args = tests;
    all->nargs = rte->ncols;
    *out = rte->ncols == 1 ? tests[0] : &all->expr;
    return SDB_OK;
}

/* Append the columns of `rte` to the expansion. */
static int expand_rte(AnQuery *q, const AnRte *rte, int location, SdbExpr ***exprs, const char ***names, int *n)
{
    for (int c = 0; c < rte->ncols; c++) {
        SdbExpr *e = an_copy(q->an, rte->exprs[c], 0);
        SdbExpr **ge = sdb_arena_realloc(q->an->arena, *exprs, sizeof(SdbExpr *) * (size_t)*n,
                                         sizeof(SdbExpr *) * (size_t)(*n + 1));
        const char **gn = sdb_arena_realloc(q->an->arena, *names, sizeof(char *) * (size_t)*n,
                                            sizeof(char *) * (size_t)(*n + 1));
        if (e == NULL || ge == NULL || gn == NULL)
            return SDB_ERROR;
        if (e->tag == SDB_E_VAR)
            ((SdbBoundVar *)e)->location = location;
        ge[*n] = e;
        gn[*n] = rte->colnames[c];
        (*n)++;
        *exprs = ge;
        *names = gn;
    }
    return SDB_OK;
}

int an_star(AnQuery *q, const SdbColumnRef *ref, SdbExpr ***exprs, const char ***names, int *n)
{
    int nf = sdb_list_length(ref->fields);
    if (nf == 1) {
        if (q->nrtes == 0) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
            return an_fail_at(q, ref->location);
        }
        for (int i = 0; i < q->nrtes; i++)
            if (q->rtes[i]->cols_visible && expand_rte(q, q->rtes[i], ref->location, exprs, names, n) != SDB_OK)
                return SDB_ERROR;
        return SDB_OK;
    }
    const char *rel = str_of(sdb_list_nth(ref->fields, nf - 2));
    const char *schema = nf >= 3 ? str_of(sdb_list_nth(ref->fields, nf - 3)) : NULL;
    const AnRte *rte = find_rel(q, schema, rel);
    if (rte == NULL) {
        missing_table(q, rel);
        return an_fail_at(q, ref->location);
    }
    return expand_rte(q, rte, ref->location, exprs, names, n);
}

/* ---- aggregates and window functions ---- */

/* The kind of the functions called `name` (all overloads share it);
 * SDB_FUNC_NORMAL when there is none. */
static SdbFuncKind func_kind(const char *name)
{
    const SdbFuncInfo *const *funcs;
    return sdb_funcs_by_name(name, &funcs) > 0 ? funcs[0]->kind : SDB_FUNC_NORMAL;
}

/* Bind a list of parse nodes at level q in clause `kind`. */
static int bind_list(AnQuery *q, AnExprKind kind, const SdbList *list, SdbExpr ***out, int *n)
{
    *n = sdb_list_length(list);
    *out = sdb_bind_exprs(&q->bc, *n);
    if (*out == NULL)
        return SDB_ERROR;
    for (int i = 0; i < *n; i++)
        if (an_bind(q, kind, sdb_list_nth(list, i), &(*out)[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* ORDER BY items (SortBy) -> keys and SDB_SORT_* flags. */
static int bind_sort(AnQuery *q, AnExprKind kind, const SdbList *list, SdbExpr ***keys, int **flags, int *n)
{
    *n = sdb_list_length(list);
    *keys = sdb_bind_exprs(&q->bc, *n);
    *flags = an_alloc(q->an, sizeof(int) * (size_t)(*n > 0 ? *n : 1));
    if (*keys == NULL || *flags == NULL)
        return SDB_ERROR;
    for (int i = 0; i < *n; i++) {
        const SdbSortBy *sb = (const SdbSortBy *)sdb_list_nth(list, i);
        (*flags)[i] = an_sort_flags(sb);
        if (an_bind(q, kind, sb->node, &(*keys)[i]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* The function `name` resolved for `args`: its entry and coerced arguments. */
static int resolve(AnQuery *q, const SdbFuncCall *fc, SdbExpr **args, int nargs, SdbBoundFuncExpr **f)
{
    return sdb_bind_function(&q->bc, last_name(fc->funcname), args, nargs, fc->location, f);
}

static int not_allowed(AnQuery *q, SdbErrcode code, const char *what, int location)
{
    sdb_error(code, "%s are not allowed in %s", what, kind_name(q->kind));
    return an_fail_at(q, location);
}

/* Record an Aggref or GroupingFunc (with its bound arguments) of level q. */
static int push_agg(AnQuery *q, SdbExpr *agg, SdbExpr **grouping_args)
{
    int n = q->naggs;
    SdbExpr ***grown = sdb_arena_realloc(q->an->arena, q->grouping_args, sizeof(SdbExpr **) * (size_t)n,
                                         sizeof(SdbExpr **) * (size_t)(n + 1));
    if (grown == NULL || an_push(q->an, (void ***)&q->aggs, &q->naggs, &q->capaggs, agg) != SDB_OK)
        return SDB_ERROR;
    grown[n] = grouping_args;
    q->grouping_args = grown;
    return SDB_OK;
}

/* An ordered-set call: its direct arguments then the WITHIN GROUP
 * expression, resolved together; the last one becomes the Aggref's
 * `order`. */
static int within_group(AnQuery *q, const SdbFuncCall *fc, SdbBoundAggref *a)
{
    SdbExpr **direct, **keys, **all;
    int ndirect, nkeys, *flags;
    SdbBoundFuncExpr *f;
    if (bind_list(q, AN_AGG_ARGS, fc->args, &direct, &ndirect) != SDB_OK ||
        bind_sort(q, AN_AGG_ARGS, fc->agg_order, &keys, &flags, &nkeys) != SDB_OK ||
        (all = sdb_bind_exprs(&q->bc, ndirect + nkeys)) == NULL)
        return SDB_ERROR;
    memcpy(all, direct, sizeof(SdbExpr *) * (size_t)ndirect);
    memcpy(all + ndirect, keys, sizeof(SdbExpr *) * (size_t)nkeys);
    if (resolve(q, fc, all, ndirect + nkeys, &f) != SDB_OK)
        return SDB_ERROR;
    a->func = f->func;
    a->expr.type = f->expr.type;
    a->args = f->args;
    a->nargs = f->nargs - nkeys;
    a->order = f->args + a->nargs;
    a->order_flags = flags;
    a->norder = nkeys;
    return SDB_OK;
}

/* The arguments, ORDER BY and FILTER of an ordinary aggregate call. */
static int plain_aggregate(AnQuery *q, const SdbFuncCall *fc, SdbBoundAggref *a)
{
    SdbExpr **args;
    int nargs;
    SdbBoundFuncExpr *f;
    if (bind_list(q, AN_AGG_ARGS, fc->args, &args, &nargs) != SDB_OK || resolve(q, fc, args, nargs, &f) != SDB_OK)
        return SDB_ERROR;
    a->func = f->func;
    a->expr.type = f->expr.type;
    a->args = f->args;
    a->nargs = f->nargs;
    if (fc->agg_order == NULL)
        return SDB_OK;
    if (bind_sort(q, AN_AGG_ARGS, fc->agg_order, &a->order, &a->order_flags, &a->norder) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; fc->agg_distinct && i < a->norder; i++) {
        bool found = false;
        for (int k = 0; k < nargs && !found; k++)
            found = an_expr_equal(a->order[i], args[k]);
        if (!found) {
            sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE,
                      "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list");
            return an_fail_at(q, an_location(((const SdbSortBy *)sdb_list_nth(fc->agg_order, i))->node));
        }
    }
    return SDB_OK;
}

/* The level an aggregate belongs to: the one its arguments' Vars point
 * at (PostgreSQL: an aggregate over only outer columns is the outer
 * query's), as a copy with the Vars seen from there. */
static int aggregate_level(AnQuery *q, SdbBoundAggref **a, AnQuery **level)
{
    int up = an_min_levelsup(&(*a)->expr);
    *level = q;
    if (up <= 0)
        return SDB_OK;
    AnQuery *p = q;
    while (p != NULL && p->depth > q->depth - up)
        p = p->parent;
    SdbExpr *copy = p ? an_copy(q->an, &(*a)->expr, -up) : NULL;
    if (copy == NULL)
        return SDB_ERROR;
    *a = (SdbBoundAggref *)copy;
    *level = p;
    return SDB_OK;
}

static int aggregate(AnQuery *q, const SdbFuncCall *fc, SdbExpr **out)
{
    if (q->kind == AN_AGG_ARGS) {
        sdb_error(SDB_ERR_GROUPING_ERROR, "aggregate function calls cannot be nested");
        return an_fail_at(q, fc->location);
    }
    SdbBoundAggref *a = sdb_new_bound_aggref(q->an->arena, SDB_TYPEOID_UNKNOWN);
    if (a == NULL)
        return SDB_ERROR;
    a->star = fc->agg_star;
    a->distinct = fc->agg_distinct;
    a->within_group = fc->agg_within_group;
    a->location = fc->location;
    AnExprKind saved = q->kind;
    q->kind = AN_AGG_ARGS;
    int rc = fc->agg_within_group ? within_group(q, fc, a) : plain_aggregate(q, fc, a);
    if (rc == SDB_OK && fc->agg_filter != NULL)
        rc = an_bind_bool(q, AN_AGG_ARGS, fc->agg_filter, "FILTER", &a->filter);
    q->kind = saved;
    AnQuery *level;
    if (rc != SDB_OK || aggregate_level(q, &a, &level) != SDB_OK)
        return SDB_ERROR;
    if (!aggs_allowed(level->kind))
        return not_allowed(level, SDB_ERR_GROUPING_ERROR, "aggregate functions", fc->location);
    for (int i = 0; i < level->naggs; i++) /* the same aggregate twice is computed once */
        if (an_expr_equal(level->aggs[i], &a->expr)) {
            *out = level->aggs[i];
            return SDB_OK;
        }
    if (push_agg(level, &a->expr, NULL) != SDB_OK)
        return SDB_ERROR;
    *out = &a->expr;
    return SDB_OK;
}

/* The WindowDef a call's OVER means: a WINDOW clause entry by name, or
 * its own definition over a referenced one. */
static int window_def(AnQuery *q, const SdbWindowDef *over, const SdbWindowDef **base)
{
    const char *ref = over->refname != NULL ? over->refname : NULL;
    if (ref == NULL && over->name != NULL && over->partition_clause == NULL && over->order_clause == NULL &&
        over->frame_mode == SDB_FRAME_MODE_DEFAULT)
        ref = over->name;
    *base = NULL;
    if (ref == NULL)
        return SDB_OK;
    for (int i = 0; i < sdb_list_length(q->windows); i++) {
        const SdbWindowDef *w = (const SdbWindowDef *)sdb_list_nth(q->windows, i);
        if (w->name != NULL && strcmp(w->name, ref) == 0) {
            *base = w;
            return SDB_OK;
        }
    }
    sdb_error(SDB_ERR_UNDEFINED_OBJECT, "window \"%s\" does not exist", ref);
    return an_fail_at(q, over->location);
}

static int frame_offset(AnQuery *q, const SdbNode *node, SdbWinFrameMode mode, SdbExpr **out)
{
    *out = NULL;
    if (node == NULL)
        return SDB_OK;
    SdbExpr *e;
    if (an_bind_raw(q, AN_WINDOW_FRAME, node, &e) != SDB_OK)
        return SDB_ERROR;
    SdbOid type = mode == SDB_WIN_FRAME_MODE_RANGE && e->type != SDB_TYPEOID_UNKNOWN ? e->type : SDB_TYPEOID_INT8;
    return sdb_bind_coerce(&q->bc, e, type, -1, SDB_CAST_IMPLICIT, sdb_bind_location(node), out);
}

static int window_frame(AnQuery *q, const SdbWindowDef *def, SdbBoundWindowFunc *w)
{
    w->frame_mode = def->frame_mode == SDB_FRAME_MODE_DEFAULT ? SDB_WIN_FRAME_MODE_RANGE
                                                              : (SdbWinFrameMode)(def->frame_mode - 1);
    w->frame_start = def->start_bound == SDB_FRAME_BOUND_DEFAULT ? SDB_WIN_FRAME_BOUND_UNBOUNDED_PRECEDING
                                                                 : (SdbWinFrameBound)(def->start_bound - 1);
    w->frame_end = def->end_bound == SDB_FRAME_BOUND_DEFAULT ? SDB_WIN_FRAME_BOUND_CURRENT_ROW
                                                             : (SdbWinFrameBound)(def->end_bound - 1);
    w->frame_exclusion = (SdbWinFrameExclusion)def->exclusion;
    if (frame_offset(q, def->start_offset, w->frame_mode, &w->start_offset) != SDB_OK)
        return SDB_ERROR;
    return frame_offset(q, def->end_offset, w->frame_mode, &w->end_offset);
}

static int window_call(AnQuery *q, const SdbFuncCall *fc, SdbExpr **out)
{
    const char *name = last_name(fc->funcname);
    if (q->kind == AN_AGG_ARGS) {
        sdb_error(SDB_ERR_GROUPING_ERROR, "aggregate function calls cannot contain window function calls");
        return an_fail_at(q, fc->location);
    }
    if (q->kind == AN_WINDOW_PARTITION || q->kind == AN_WINDOW_ORDER || q->kind == AN_WINDOW_FRAME) {
        sdb_error(SDB_ERR_WINDOWING_ERROR, "window functions are not allowed in window definitions");
        return an_fail_at(q, fc->location);
    }
    if (!windows_allowed(q->kind))
        return not_allowed(q, SDB_ERR_WINDOWING_ERROR, "window functions", fc->location);
    if (func_kind(name) == SDB_FUNC_NORMAL) {
        const SdbFuncInfo *const *funcs;
        if (sdb_funcs_by_name(name, &funcs) > 0) {
            sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "OVER specified, but %s is not a window function nor an aggregate function",
                      name);
            return an_fail_at(q, fc->location);
        }
    }
    const SdbWindowDef *base;
    if (window_def(q, fc->over, &base) != SDB_OK)
        return SDB_ERROR;
    AnExprKind saved = q->kind;
    SdbExpr **args;
    int nargs;
    SdbBoundFuncExpr *f;
    q->kind = AN_WINDOW_PARTITION; /* arguments may hold aggregates, not window functions */
    int rc = bind_list(q, AN_WINDOW_PARTITION, fc->args, &args, &nargs);
    q->kind = saved;
    if (rc != SDB_OK || resolve(q, fc, args, nargs, &f) != SDB_OK)
        return SDB_ERROR;
    SdbBoundWindowFunc *w = sdb_new_bound_window_func(q->an->arena, f->expr.type);
    if (w == NULL)
        return SDB_ERROR;
    w->func = f->func;
    w->args = f->args;
    w->nargs = f->nargs;
    w->star = fc->agg_star;
    w->location = fc->location;
    const SdbWindowDef *own = fc->over;
    const SdbList *partition = base != NULL ? base->partition_clause : own->partition_clause;
    const SdbList *order = own->order_clause != NULL || base == NULL ? own->order_clause : base->order_clause;
    const SdbWindowDef *frame = base != NULL && own->frame_mode == SDB_FRAME_MODE_DEFAULT ? base : own;
    if (fc->agg_filter != NULL && an_bind_bool(q, AN_WINDOW_PARTITION, fc->agg_filter, "FILTER", &w->filter) != SDB_OK)
        return SDB_ERROR;
    q->kind = AN_WINDOW_PARTITION;
    rc = bind_list(q, AN_WINDOW_PARTITION, partition, &w->partition, &w->npartition);
    if (rc == SDB_OK)
        rc = bind_sort(q, AN_WINDOW_ORDER, order, &w->order, &w->order_flags, &w->norder);
    if (rc == SDB_OK)
        rc = window_frame(q, frame, w);
    q->kind = saved;
    if (rc != SDB_OK || an_push(q->an, (void ***)&q->wins, &q->nwins, &q->capwins, w) != SDB_OK)
        return SDB_ERROR;
    *out = &w->expr;
    return SDB_OK;
}

/* A plain function called with aggregate decorations: 42809. */
static int not_aggregate(AnQuery *q, const SdbFuncCall *fc)
{
    const char *name = last_name(fc->funcname);
    if (fc->agg_star)
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "%s(*) specified, but %s is not an aggregate function", name, name);
    else if (fc->agg_distinct)
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "DISTINCT specified, but %s is not an aggregate function", name);
    else if (fc->agg_order != NULL)
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "ORDER BY specified, but %s is not an aggregate function", name);
    else
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "FILTER specified, but %s is not an aggregate function", name);
    return an_fail_at(q, fc->location);
}

/* Whether some function called `name` returns a set. */
static bool returns_set(const char *name)
{
    const SdbFuncInfo *const *funcs;
    size_t n = sdb_funcs_by_name(name, &funcs);
    for (size_t i = 0; i < n; i++)
        if (funcs[i]->retset)
            return true;
    return false;
}

/* A call of a function that may return a set: only a FROM item's own
 * function may (not its arguments), and the select list (analyze_srf.c). */
static int srf_call(AnQuery *q, const SdbFuncCall *fc, SdbExpr **out)
{
    int nargs = sdb_list_length(fc->args);
    SdbExpr **args = sdb_bind_exprs(&q->bc, nargs);
    SdbBoundFuncExpr *f;
    const SdbNode *top = q->srf_call;
    q->srf_call = NULL;
    int rc = args == NULL ? SDB_ERROR : SDB_OK;
    for (int i = 0; rc == SDB_OK && i < nargs; i++) /* unknown literals stay unknown for resolution */
        rc = an_bind_raw(q, q->kind, sdb_list_nth(fc->args, i), &args[i]);
    q->srf_call = top;
    if (rc != SDB_OK || resolve(q, fc, args, nargs, &f) != SDB_OK)
        return SDB_ERROR;
    if (f->func->retset && (const SdbNode *)fc != top && q->kind != AN_SELECT) {
        if (q->kind == AN_FROM_FUNCTION)
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning functions must appear at top level of FROM");
        else if (q->kind == AN_AGG_ARGS || q->kind == AN_WINDOW_PARTITION) {
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s function calls cannot contain set-returning function calls",
                      q->kind == AN_AGG_ARGS ? "aggregate" : "window");
            sdb_error_hint("You might be able to move the set-returning function into a LATERAL FROM item.");
        }
        else if (q->kind == AN_ORDER_BY)
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning functions in ORDER BY are not supported");
        else
            return not_allowed(q, SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning functions", fc->location);
        return an_fail_at(q, fc->location);
    }
    *out = &f->expr;
    return SDB_OK;
}

/* count(t.*) (or count(t)) of a FROM item of this level that no outer
 * join null-extends is count(*): t's row value is never NULL there, as
 * PostgreSQL counts it.  *star gets that call; false for any other call. */
static bool count_whole_row(AnQuery *q, const SdbFuncCall *fc, SdbFuncCall *star)
{
    AnQuery *p;
    const AnRte *rte;
    if (fc->agg_star || fc->agg_distinct || sdb_list_length(fc->args) != 1 ||
        strcmp(last_name(fc->funcname), "count") != 0 ||
        (rte = whole_row_rte(q, sdb_list_nth(fc->args, 0), &p)) == NULL || p != q || rte->nullable)
        return false;
    *star = *fc;
    star->args = NULL;
    star->agg_star = true;
    return true;
}

static int func_call(AnQuery *q, const SdbFuncCall *fc, SdbExpr **out)
{
    SdbFuncCall star;
    if (count_whole_row(q, fc, &star))
        fc = &star;
    const char *name = last_name(fc->funcname);
    if (fc->over != NULL)
        return window_call(q, fc, out);
    SdbFuncKind kind = func_kind(name);
    if (kind == SDB_FUNC_AGGREGATE)
        return aggregate(q, fc, out);
    if (kind == SDB_FUNC_WINDOW) {
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "window function %s requires an OVER clause", name);
        return an_fail_at(q, fc->location);
    }
    bool plain = !fc->agg_star && !fc->agg_distinct && fc->agg_order == NULL && fc->agg_filter == NULL;
    if (plain && returns_set(name))
        return srf_call(q, fc, out);
    if (plain)
        return SDB_BIND_DEFAULT;
    SdbExpr **args; /* a function that does not exist is reported as such first */
    int nargs;
    SdbBoundFuncExpr *f;
    if (bind_list(q, q->kind, fc->args, &args, &nargs) != SDB_OK || resolve(q, fc, args, nargs, &f) != SDB_OK)
        return SDB_ERROR;
    return not_aggregate(q, fc);
}

static int grouping_func(AnQuery *q, const SdbGroupingFunc *g, SdbExpr **out)
{
    if (q->kind == AN_AGG_ARGS) {
        sdb_error(SDB_ERR_GROUPING_ERROR, "aggregate function calls cannot be nested");
        return an_fail_at(q, g->location);
    }
    if (!aggs_allowed(q->kind))
        return not_allowed(q, SDB_ERR_GROUPING_ERROR, "grouping operations", g->location);
    SdbBoundGroupingFunc *gf = sdb_new_bound_grouping_func(q->an->arena, SDB_TYPEOID_INT4);
    SdbExpr **args;
    int nargs;
    if (gf == NULL || bind_list(q, q->kind, g->args, &args, &nargs) != SDB_OK)
        return SDB_ERROR;
    gf->nrefs = nargs;
    gf->refs = an_alloc(q->an, sizeof(int) * (size_t)(nargs > 0 ? nargs : 1));
    gf->location = g->location;
    if (gf->refs == NULL || push_agg(q, &gf->expr, args) != SDB_OK)
        return SDB_ERROR;
    *out = &gf->expr;
    return SDB_OK;
}

/* ---- subqueries ---- */

/* `left op right` for ANY/ALL, or the AND of it over a row's columns. */
static int sublink_test(AnQuery *q, const SdbSubLink *sl, const SdbPlan *plan, SdbExpr **out)
{
    const SdbNode *test = sl->testexpr;
    const SdbList *lefts = SDB_IS_A(test, ROW_EXPR) ? ((const SdbRowExpr *)test)->args : NULL;
    int n = lefts ? sdb_list_length(lefts) : 1;
    if (plan->ncols != n) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, plan->ncols > n ? "subquery has too many columns" : "subquery has too few columns");
        return an_fail_at(q, sl->location);
    }
    const char *op = sl->oper_name != NULL ? last_name(sl->oper_name) : "=";
    SdbExpr *result = NULL;
    for (int i = 0; i < n; i++) {
        SdbExpr *left;
        SdbBoundOpExpr *cmp;
        SdbBoundVar *right = an_var(q->an, &plan->cols[i], 0);
        /* raw: an untyped literal on the left takes the subquery column's type */
        if (right == NULL || an_bind_raw(q, q->kind, lefts ? sdb_list_nth(lefts, i) : test, &left) != SDB_OK ||
            sdb_bind_operator(&q->bc, op, left, &right->expr, sl->location, &cmp) != SDB_OK)
            return SDB_ERROR;
        if (cmp->expr.type != SDB_TYPEOID_BOOL) {
            sdb_error(SDB_ERR_DATATYPE_MISMATCH, "operator %s must return type boolean, not type %s", op,
                      sdb_bind_type_name(cmp->expr.type));
            return an_fail_at(q, sl->location);
        }
        if (result == NULL) {
            result = &cmp->expr;
            continue;
        }
        SdbBoundBoolExpr *b = sdb_new_bound_bool_expr(q->an->arena, SDB_TYPEOID_BOOL);
        SdbExpr **args = sdb_bind_exprs(&q->bc, 2);
        if (b == NULL || args == NULL)
            return SDB_ERROR;
        args[0] = result;
        args[1] = &cmp->expr;
        b->boolop = strcmp(op, "<>") == 0 ? SDB_EXPR_BOOL_OP_OR : SDB_EXPR_BOOL_OP_AND;
        b->args = args;
        b->nargs = 2;
        result = &b->expr;
    }
    *out = result;
    return SDB_OK;
}

static int sublink(AnQuery *q, const SdbSubLink *sl, SdbExpr **out)
{
    if (q->kind == AN_CHECK || q->kind == AN_DEFAULT) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot use subquery in %s",
                  q->kind == AN_CHECK ? "check constraint" : "DEFAULT expression");
        return an_fail_at(q, sl->location);
    }
    SdbPlan *plan;
    bool correlated;
    AnExprKind saved = q->kind;
    int rc = an_select(q, true, sl->subselect, &plan, &correlated);
    q->kind = saved;
    if (rc != SDB_OK)
        return SDB_ERROR;
    SdbBoundSubPlan *sp = sdb_new_bound_sub_plan(q->an->arena, SDB_TYPEOID_BOOL);
    if (sp == NULL)
        return SDB_ERROR;
    sp->plan = plan;
    sp->correlated = correlated;
    sp->location = sl->location;
    switch (sl->sub_link_type) {
    case SDB_SUB_LINK_TYPE_EXISTS: sp->kind = SDB_SUB_PLAN_KIND_EXISTS; break;
    case SDB_SUB_LINK_TYPE_ANY:
    case SDB_SUB_LINK_TYPE_ALL:
        sp->kind = sl->sub_link_type == SDB_SUB_LINK_TYPE_ANY ? SDB_SUB_PLAN_KIND_ANY : SDB_SUB_PLAN_KIND_ALL;
        if (sublink_test(q, sl, plan, &sp->test) != SDB_OK)
            return SDB_ERROR;
        break;
    case SDB_SUB_LINK_TYPE_EXPR:
    case SDB_SUB_LINK_TYPE_ARRAY:
        if (plan->ncols != 1) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "subquery must return only one column");
            return an_fail_at(q, sl->location);
        }
        sp->kind = sl->sub_link_type == SDB_SUB_LINK_TYPE_EXPR ? SDB_SUB_PLAN_KIND_EXPR : SDB_SUB_PLAN_KIND_ARRAY;
        sp->expr.type = plan->cols[0].type;
        sp->expr.typmod = plan->cols[0].typmod;
        if (sp->kind == SDB_SUB_PLAN_KIND_ARRAY) {
            const SdbTypeInfo *info = sdb_type_by_oid(plan->cols[0].type);
            if (info == NULL || info->array_oid == SDB_INVALID_OID) {
                sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not find array type for data type %s",
                          sdb_bind_type_name(plan->cols[0].type));
                return an_fail_at(q, sl->location);
            }
            sp->expr.type = info->array_oid;
            sp->expr.typmod = -1;
        }
        break;
    }
    *out = &sp->expr;
    return SDB_OK;
}

/* ---- field selection ---- */

/* The function with OUT columns `arg` calls (42809 when it is not one). */
static const SdbFuncInfo *record_function(AnQuery *q, const SdbExpr *arg, const char *field, int location)
{
    const SdbFuncInfo *func = arg->tag == SDB_E_FUNC_EXPR ? ((const SdbBoundFuncExpr *)arg)->func : NULL;
    if (func != NULL && func->nout > 0)
        return func;
    if (field != NULL)
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "column notation .%s applied to type %s, which is not a composite type",
                  field, sdb_bind_type_name(arg->type));
    else
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "type %s is not composite", sdb_bind_type_name(arg->type));
    an_fail_at(q, location);
    return NULL;
}

/* Column `col` of the record `arg` (a call of a function with OUT
 * columns): a call of sdb_field_function. */
static SdbExpr *field_of(AnQuery *q, SdbExpr *arg, int col, int location)
{
    const SdbFuncInfo *func = ((const SdbBoundFuncExpr *)arg)->func;
    SdbBoundFuncExpr *f = sdb_new_bound_func_expr(q->an->arena, func->out_types[col]);
    SdbBoundConst *index = sdb_new_bound_const(q->an->arena, SDB_TYPEOID_INT4);
    if (f == NULL || index == NULL || (f->args = sdb_bind_exprs(&q->bc, 2)) == NULL)
        return NULL;
    index->expr.typmod = -1;
    index->value = sdb_datum_from_int64(col);
    index->location = -1;
    f->expr.typmod = -1;
    f->func = &sdb_field_function;
    f->args[0] = arg;
    f->args[1] = &index->expr;
    f->nargs = 2;
    f->location = location;
    return &f->expr;
}

/* `(f(x)).col` of a function with OUT columns: that column of its record
 * (the call stays a set-returning one in a select list).  Other
 * indirections (subscripts) are the binder's. */
static int field_select(AnQuery *q, const SdbAIndirection *ind, SdbExpr **out)
{
    const char *field = sdb_list_length(ind->indirection) == 1 ? str_of(sdb_list_nth(ind->indirection, 0)) : NULL;
    if (field == NULL || !SDB_IS_A(ind->arg, FUNC_CALL))
        return SDB_BIND_DEFAULT;
    SdbExpr *arg;
    int location = an_location(ind->arg);
    const SdbFuncInfo *func;
    if (an_bind(q, q->kind, ind->arg, &arg) != SDB_OK || (func = record_function(q, arg, field, location)) == NULL)
        return SDB_ERROR;
    int col = 0;
    while (col < func->nout && strcmp(func->out_names[col], field) != 0)
        col++;
    if (col == func->nout) {
        sdb_error(SDB_ERR_UNDEFINED_COLUMN, "could not identify column \"%s\" in record data type", field);
        return an_fail_at(q, location);
    }
    return (*out = field_of(q, arg, col, location)) != NULL ? SDB_OK : SDB_ERROR;
}

bool an_is_field_star(const SdbNode *node)
{
    if (!SDB_IS_A(node, A_INDIRECTION))
        return false;
    const SdbAIndirection *ind = (const SdbAIndirection *)node;
    return sdb_list_length(ind->indirection) == 1 && SDB_IS_A(sdb_list_nth(ind->indirection, 0), A_STAR) &&
           SDB_IS_A(ind->arg, FUNC_CALL);
}

int an_field_star(AnQuery *q, const SdbNode *node, SdbExpr ***exprs, const char ***names, int *n)
{
    const SdbAIndirection *ind = (const SdbAIndirection *)node;
    SdbExpr *arg;
    int location = an_location(ind->arg);
    const SdbFuncInfo *func;
    if (an_bind(q, AN_SELECT, ind->arg, &arg) != SDB_OK || (func = record_function(q, arg, NULL, location)) == NULL)
        return SDB_ERROR;
    *n = func->nout;
    *names = (const char **)func->out_names;
    if ((*exprs = sdb_bind_exprs(&q->bc, func->nout)) == NULL)
        return SDB_ERROR;
    for (int i = 0; i < func->nout; i++) { /* each column calls the function, as in PostgreSQL */
        SdbExpr *call = i == 0 ? arg : an_copy(q->an, arg, 0);
        if (call == NULL || ((*exprs)[i] = field_of(q, call, i, location)) == NULL)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* ---- the hook and entry points ---- */

int an_hook(void *arg, const SdbBindContext *bc, const SdbNode *node, SdbExpr **out)
{
    AnQuery *q = arg;
    (void)bc;
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_COLUMN_REF: return column_ref(q, (const SdbColumnRef *)node, out);
    case SDB_T_FUNC_CALL: return func_call(q, (const SdbFuncCall *)node, out);
    case SDB_T_GROUPING_FUNC: return grouping_func(q, (const SdbGroupingFunc *)node, out);
    case SDB_T_SUB_LINK: return sublink(q, (const SdbSubLink *)node, out);
    case SDB_T_NULL_TEST: return whole_row_null_test(q, (const SdbNullTest *)node, out);
    case SDB_T_A_INDIRECTION: return field_select(q, (const SdbAIndirection *)node, out);
    case SDB_T_SET_TO_DEFAULT:
        sdb_error(SDB_ERR_SYNTAX_ERROR, "DEFAULT is not allowed in this context");
        return an_fail_at(q, ((const SdbSetToDefault *)node)->location);
    default: return SDB_BIND_DEFAULT;
    }
}

int an_bind_raw(AnQuery *q, AnExprKind kind, const SdbNode *node, SdbExpr **out)
{
    AnExprKind saved = q->kind;
    q->kind = kind;
    int rc = sdb_bind_node(&q->bc, node, out);
    q->kind = saved;
    return rc;
}

int an_bind(AnQuery *q, AnExprKind kind, const SdbNode *node, SdbExpr **out)
{
    AnExprKind saved = q->kind;
    q->kind = kind;
    int rc = sdb_bind_expr(&q->bc, node, out);
    q->kind = saved;
    return rc;
}

int an_bind_bool(AnQuery *q, AnExprKind kind, const SdbNode *node, const char *what, SdbExpr **out)
{
    SdbExpr *e;
    if (an_bind_raw(q, kind, node, &e) != SDB_OK)
        return SDB_ERROR;
    return sdb_bind_coerce_bool(&q->bc, e, what, sdb_bind_location(node), out);
}

/* PostgreSQL's exprLocation of a parse node: where its leftmost part starts. */
int an_location(const SdbNode *node)
{
    int own = sdb_bind_location(node), inner = -1;
    if (node == NULL)
        return -1;
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_A_EXPR: inner = an_location(((const SdbAExpr *)node)->lexpr); break;
    case SDB_T_TYPE_CAST: inner = an_location(((const SdbTypeCast *)node)->arg); break;
    case SDB_T_BOOL_EXPR: inner = an_location(sdb_list_nth(((const SdbBoolExpr *)node)->args, 0)); break;
    case SDB_T_NULL_TEST: inner = an_location(((const SdbNullTest *)node)->arg); break;
    case SDB_T_BOOLEAN_TEST: inner = an_location(((const SdbBooleanTest *)node)->arg); break;
    case SDB_T_SUB_LINK: inner = an_location(((const SdbSubLink *)node)->testexpr); break;
    default: break;
    }
    return inner >= 0 && (own < 0 || inner < own) ? inner : own;
}

/* ---- select-list names (PostgreSQL's FigureColname) ---- */

static const char *sql_value_name(SdbSqlValueOp op)
{
    static const char *const names[] = {"current_date", "current_time", "current_timestamp", "localtime",
                                        "localtimestamp", "current_role", "current_user", "user",
                                        "session_user", "current_catalog", "current_schema"};
    return names[op];
}

/* The name and its strength: 2 a real name, 1 a fallback (type name,
 * "case"), 0 none. */
static int figure(const SdbNode *node, const char **name)
{
    if (node == NULL)
        return 0;
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_COLUMN_REF: {
        const char *last = str_of(sdb_list_nth(((const SdbColumnRef *)node)->fields,
                                               sdb_list_length(((const SdbColumnRef *)node)->fields) - 1));
        if (last == NULL)
            return 0;
        *name = last;
        return 2;
    }
    case SDB_T_A_INDIRECTION: {
        const SdbAIndirection *ind = (const SdbAIndirection *)node;
        for (int i = sdb_list_length(ind->indirection) - 1; i >= 0; i--) {
            const char *s = str_of(sdb_list_nth(ind->indirection, i));
            if (s != NULL) {
                *name = s;
                return 2;
            }
        }
        return figure(ind->arg, name);
    }
    case SDB_T_FUNC_CALL: *name = last_name(((const SdbFuncCall *)node)->funcname); return 2;
    case SDB_T_A_EXPR:
        if (((const SdbAExpr *)node)->kind == SDB_A_EXPR_KIND_NULLIF) {
            *name = "nullif";
            return 2;
        }
        return 0;
    case SDB_T_TYPE_CAST: {
        const SdbTypeCast *tc = (const SdbTypeCast *)node;
        int strength = figure(tc->arg, name);
        if (strength <= 1) {
            *name = last_name(tc->type_name->names);
            return 1;
        }
        return strength;
    }
    case SDB_T_COLLATE_CLAUSE: return figure(((const SdbCollateClause *)node)->arg, name);
    case SDB_T_GROUPING_FUNC: *name = "grouping"; return 2;
    case SDB_T_SUB_LINK: {
        const SdbSubLink *sl = (const SdbSubLink *)node;
        if (sl->sub_link_type == SDB_SUB_LINK_TYPE_EXISTS) {
            *name = "exists";
            return 2;
        }
        if (sl->sub_link_type == SDB_SUB_LINK_TYPE_ARRAY) {
            *name = "array";
            return 2;
        }
        if (sl->sub_link_type == SDB_SUB_LINK_TYPE_EXPR && SDB_IS_A(sl->subselect, SELECT_STMT)) {
            const SdbSelectStmt *s = (const SdbSelectStmt *)sl->subselect;
            while (s->op != SDB_SET_OPERATION_NONE)
                s = s->larg;
            if (sdb_list_length(s->target_list) > 0) {
                const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(s->target_list, 0);
                if (rt->name != NULL) {
                    *name = rt->name;
                    return 2;
                }
                return figure(rt->val, name);
            }
        }
        return 0;
    }
    case SDB_T_CASE_EXPR: *name = "case"; return 1;
    case SDB_T_A_ARRAY_EXPR: *name = "array"; return 2;
    case SDB_T_ROW_EXPR: *name = "row"; return 2;
    case SDB_T_COALESCE_EXPR: *name = "coalesce"; return 2;
    case SDB_T_MIN_MAX_EXPR:
        *name = ((const SdbMinMaxExpr *)node)->op == SDB_MIN_MAX_OP_GREATEST ? "greatest" : "least";
        return 2;
    case SDB_T_SQL_VALUE_FUNCTION: *name = sql_value_name(((const SdbSqlValueFunction *)node)->op); return 2;
    default: return 0;
    }
}

const char *an_figure_name(const SdbNode *node)
{
    const char *name = "?column?";
    figure(node, &name);
    return name;
}
