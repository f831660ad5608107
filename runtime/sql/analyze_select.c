/*
 * sql/analyze_select.c: one SELECT level into the operator chain
 * Scan/Join -> Filter (WHERE) -> Aggregate (GROUP BY, grouping sets,
 * HAVING) -> Window -> [Sort -> Limit] -> Project -> Distinct -> Sort ->
 * Limit; VALUES; UNION/INTERSECT/EXCEPT with PostgreSQL's type
 * unification; ORDER BY/LIMIT over their output.
 */
#include "sql/analyze_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "plan/plan.h"

/* The select list of one level. */
typedef struct Targets {
    int n;
    SdbExpr **exprs;
    const char **names;
    int *locs;       /* where each entry starts in the statement */
} Targets;

/* An ORDER BY / DISTINCT ON item: a select-list entry or an expression. */
typedef struct SortKey {
    int target;      /* index into the select list, or -1 */
    SdbExpr *expr;   /* the expression (the target's when target >= 0) */
    int flags;
} SortKey;

typedef struct Grouping {
    int ngroups;
    SdbExpr **groups;
    int nsets;
    int *sets;
    bool any;        /* GROUP BY, aggregates or HAVING: the level is grouped */
} Grouping;

int an_sort_flags(const SdbSortBy *sb)
{
    bool desc = sb->sortby_dir == SDB_SORT_BY_DIR_DESC;
    if (sb->sortby_dir == SDB_SORT_BY_DIR_USING) {
        const SdbNode *op = sdb_list_nth(sb->use_op, sdb_list_length(sb->use_op) - 1);
        desc = SDB_IS_A(op, STRING) && strcmp(((const SdbString *)op)->sval, ">") == 0;
    }
    bool nulls_first = sb->sortby_nulls == SDB_SORT_BY_NULLS_DEFAULT ? desc : sb->sortby_nulls == SDB_SORT_BY_NULLS_FIRST;
    return (desc ? SDB_SORT_DESC : 0) | (nulls_first ? SDB_SORT_NULLS_FIRST : SDB_SORT_NULLS_LAST);
}

/* ---- select list ---- */

static int push_target(Analyzer *an, Targets *t, SdbExpr *e, const char *name, int location)
{
    int *gl = sdb_arena_realloc(an->arena, t->locs, sizeof(int) * (size_t)t->n, sizeof(int) * (size_t)(t->n + 1));
    if (gl == NULL)
        return SDB_ERROR;
    gl[t->n] = location;
    t->locs = gl;
    SdbExpr **ge = sdb_arena_realloc(an->arena, t->exprs, sizeof(SdbExpr *) * (size_t)t->n,
                                     sizeof(SdbExpr *) * (size_t)(t->n + 1));
    const char **gn = sdb_arena_realloc(an->arena, t->names, sizeof(char *) * (size_t)t->n,
                                        sizeof(char *) * (size_t)(t->n + 1));
    if (ge == NULL || gn == NULL)
        return SDB_ERROR;
    ge[t->n] = e;
    gn[t->n] = name;
    t->exprs = ge;
    t->names = gn;
    t->n++;
    return SDB_OK;
}

static bool is_star(const SdbNode *n)
{
    if (!SDB_IS_A(n, COLUMN_REF))
        return false;
    const SdbList *f = ((const SdbColumnRef *)n)->fields;
    return SDB_IS_A(sdb_list_nth(f, sdb_list_length(f) - 1), A_STAR);
}

static int bind_targets(AnQuery *q, const SdbList *list, bool keep_unknown, Targets *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < sdb_list_length(list); i++) {
        const SdbResTarget *rt = (const SdbResTarget *)sdb_list_nth(list, i);
        if (is_star(rt->val) || an_is_field_star(rt->val)) {
            Targets star = {0};
            int rc = is_star(rt->val) ? an_star(q, (const SdbColumnRef *)rt->val, &star.exprs, &star.names, &star.n)
                                      : an_field_star(q, rt->val, &star.exprs, &star.names, &star.n);
            if (rc != SDB_OK)
                return SDB_ERROR;
            for (int k = 0; k < star.n; k++)
                if (push_target(q->an, t, star.exprs[k], star.names[k], rt->location) != SDB_OK)
                    return SDB_ERROR;
            continue;
        }
        SdbExpr *e;
        int rc = keep_unknown ? an_bind_raw(q, AN_SELECT, rt->val, &e) : an_bind(q, AN_SELECT, rt->val, &e);
        if (rc != SDB_OK || push_target(q->an, t, e, rt->name ? rt->name : an_figure_name(rt->val), an_location(rt->val)) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* ---- ORDER BY, GROUP BY, DISTINCT ON items ---- */

static bool int_const(const SdbNode *n, int *value)
{
    if (!SDB_IS_A(n, A_CONST) || ((const SdbAConst *)n)->kind != SDB_CONST_KIND_INTEGER)
        return false;
    *value = atoi(((const SdbAConst *)n)->val);
    return true;
}

static const char *bare_name(const SdbNode *n)
{
    if (!SDB_IS_A(n, COLUMN_REF) || sdb_list_length(((const SdbColumnRef *)n)->fields) != 1)
        return NULL;
    const SdbNode *f = sdb_list_nth(((const SdbColumnRef *)n)->fields, 0);
    return SDB_IS_A(f, STRING) ? ((const SdbString *)f)->sval : NULL;
}

/* Whether `name` is a column of the level's FROM items. */
static bool input_column(AnQuery *q, const char *name)
{
    for (int i = 0; i < q->nrtes; i++) {
        if (!q->rtes[i]->cols_visible)
            continue;
        for (int c = 0; c < q->rtes[i]->ncols; c++)
            if (strcmp(q->rtes[i]->colnames[c], name) == 0)
                return true;
    }
    return false;
}

/* PostgreSQL's findTargetlistEntry for ORDER BY (output names first),
 * GROUP BY (input columns first) and DISTINCT ON: a select-list index,
 * or a bound expression matched against the select list. */
static int resolve_item(AnQuery *q, const Targets *t, const SdbNode *node, AnExprKind kind, const char *clause,
                        SortKey *key)
{
    int pos;
    const char *name = bare_name(node);
    key->target = -1;
    if (int_const(node, &pos)) {
        if (pos < 1 || pos > t->n) {
            sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "%s position %d is not in select list", clause, pos);
            return an_fail_at(q, an_location(node));
        }
        key->target = pos - 1;
    } else if (name != NULL && !(kind == AN_GROUP_BY && input_column(q, name))) {
        for (int i = 0; i < t->n; i++) {
            if (strcmp(t->names[i], name) != 0)
                continue;
            if (key->target >= 0 && !an_expr_equal(t->exprs[key->target], t->exprs[i])) {
                sdb_error(SDB_ERR_AMBIGUOUS_COLUMN, "%s \"%s\" is ambiguous", clause, name);
                return an_fail_at(q, an_location(node));
            }
            if (key->target < 0)
                key->target = i;
        }
    }
    if (key->target >= 0) {
        key->expr = t->exprs[key->target];
        return SDB_OK;
    }
    if (an_bind(q, kind, node, &key->expr) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < t->n && key->target < 0; i++)
        if (an_expr_equal(key->expr, t->exprs[i]))
            key->target = i;
    return SDB_OK;
}

static int order_by(AnQuery *q, const Targets *t, const SdbList *sort, SortKey **keys)
{
    int n = sdb_list_length(sort);
    *keys = an_alloc(q->an, sizeof(SortKey) * (size_t)(n + 1));
    if (*keys == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        const SdbSortBy *sb = (const SdbSortBy *)sdb_list_nth(sort, i);
        if (resolve_item(q, t, sb->node, AN_ORDER_BY, "ORDER BY", &(*keys)[i]) != SDB_OK)
            return SDB_ERROR;
        (*keys)[i].flags = an_sort_flags(sb);
    }
    return SDB_OK;
}

/* ---- GROUP BY and grouping sets ---- */

static int group_index(AnQuery *q, const Targets *t, const SdbNode *node, Grouping *g, int *index)
{
    SortKey key;
    if (resolve_item(q, t, node, AN_GROUP_BY, "GROUP BY", &key) != SDB_OK)
        return SDB_ERROR;
    if (an_contains(key.expr, SDB_E_AGGREF)) {
        sdb_error(SDB_ERR_GROUPING_ERROR, "aggregate functions are not allowed in GROUP BY");
        return an_fail_at(q, an_location(node));
    }
    if (an_contains(key.expr, SDB_E_WINDOW_FUNC)) {
        sdb_error(SDB_ERR_WINDOWING_ERROR, "window functions are not allowed in GROUP BY");
        return an_fail_at(q, an_location(node));
    }
    for (int i = 0; i < g->ngroups; i++)
        if (an_expr_equal(g->groups[i], key.expr)) {
            *index = i;
            return SDB_OK;
        }
    if (g->ngroups >= 31)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many grouping columns (more than 31)");
    SdbExpr **grown = sdb_arena_realloc(q->an->arena, g->groups, sizeof(SdbExpr *) * (size_t)g->ngroups,
                                        sizeof(SdbExpr *) * (size_t)(g->ngroups + 1));
    if (grown == NULL)
        return SDB_ERROR;
    grown[g->ngroups] = key.expr;
    g->groups = grown;
    *index = g->ngroups++;
    return SDB_OK;
}

/* A list of grouping sets (bitmasks of group indexes). */
typedef struct SetList {
    int n;
    int *masks;
} SetList;

static int set_push(Analyzer *an, SetList *l, int mask)
{
    if (l->n >= 4096)
        return sdb_error(SDB_ERR_STATEMENT_TOO_COMPLEX, "too many grouping sets present (maximum 4096)");
    int *grown = sdb_arena_realloc(an->arena, l->masks, sizeof(int) * (size_t)l->n, sizeof(int) * (size_t)(l->n + 1));
    if (grown == NULL)
        return SDB_ERROR;
    grown[l->n++] = mask;
    l->masks = grown;
    return SDB_OK;
}

/* The mask of one unit: an expression, or a parenthesized list of them. */
static int unit_mask(AnQuery *q, const Targets *t, const SdbNode *node, Grouping *g, int *mask)
{
    *mask = 0;
    const SdbList *items = SDB_IS_A(node, ROW_EXPR) && !((const SdbRowExpr *)node)->explicit_row
                               ? ((const SdbRowExpr *)node)->args
                               : NULL;
    int n = items ? sdb_list_length(items) : 1;
    for (int i = 0; i < n; i++) {
        int index = -1;
        if (group_index(q, t, items ? sdb_list_nth(items, i) : node, g, &index) != SDB_OK)
            return SDB_ERROR;
        *mask |= 1 << index;
    }
    return SDB_OK;
}

static int item_sets(AnQuery *q, const Targets *t, const SdbNode *node, Grouping *g, SetList *out, bool *has_sets);

static int grouping_set(AnQuery *q, const Targets *t, const SdbGroupingSet *gs, Grouping *g, SetList *out,
                        bool *has_sets)
{
    int n = sdb_list_length(gs->content);
    int masks[32];
    *has_sets = true;
    switch (gs->kind) {
    case SDB_GROUPING_SET_KIND_EMPTY: return set_push(q->an, out, 0);
    case SDB_GROUPING_SET_KIND_SETS:
        for (int i = 0; i < n; i++)
            if (item_sets(q, t, sdb_list_nth(gs->content, i), g, out, has_sets) != SDB_OK)
                return SDB_ERROR;
        return SDB_OK;
    case SDB_GROUPING_SET_KIND_ROLLUP:
    case SDB_GROUPING_SET_KIND_CUBE:
    case SDB_GROUPING_SET_KIND_SIMPLE:
        break;
    }
    if (n > 12)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "CUBE is limited to 12 elements");
    for (int i = 0; i < n; i++)
        if (unit_mask(q, t, sdb_list_nth(gs->content, i), g, &masks[i]) != SDB_OK)
            return SDB_ERROR;
    if (gs->kind == SDB_GROUPING_SET_KIND_ROLLUP) {
        for (int k = n; k >= 0; k--) {
            int mask = 0;
            for (int i = 0; i < k; i++)
                mask |= masks[i];
            if (set_push(q->an, out, mask) != SDB_OK)
                return SDB_ERROR;
        }
        return SDB_OK;
    }
    if (gs->kind == SDB_GROUPING_SET_KIND_SIMPLE) {
        int mask = 0;
        for (int i = 0; i < n; i++)
            mask |= masks[i];
        return set_push(q->an, out, mask);
    }
    for (int bits = (1 << n) - 1; bits >= 0; bits--) {
        int mask = 0;
        for (int i = 0; i < n; i++)
            if (bits & (1 << (n - 1 - i)))
                mask |= masks[i];
        if (set_push(q->an, out, mask) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int item_sets(AnQuery *q, const Targets *t, const SdbNode *node, Grouping *g, SetList *out, bool *has_sets)
{
    if (SDB_IS_A(node, GROUPING_SET))
        return grouping_set(q, t, (const SdbGroupingSet *)node, g, out, has_sets);
    int mask;
    if (unit_mask(q, t, node, g, &mask) != SDB_OK)
        return SDB_ERROR;
    return set_push(q->an, out, mask);
}

/* GROUP BY: the group expressions, and with grouping sets the cross
 * product of every item's sets. */
static int group_by(AnQuery *q, const Targets *t, const SdbSelectStmt *s, Grouping *g)
{
    memset(g, 0, sizeof *g);
    SetList product = {0};
    bool has_sets = false;
    if (set_push(q->an, &product, 0) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < sdb_list_length(s->group_clause); i++) {
        SetList item = {0}, next = {0};
        if (item_sets(q, t, sdb_list_nth(s->group_clause, i), g, &item, &has_sets) != SDB_OK)
            return SDB_ERROR;
        for (int a = 0; a < product.n; a++)
            for (int b = 0; b < item.n; b++) {
                int mask = product.masks[a] | item.masks[b];
                bool seen = false;
                for (int k = 0; s->group_distinct && k < next.n; k++)
                    seen |= next.masks[k] == mask;
                if (!seen && set_push(q->an, &next, mask) != SDB_OK)
                    return SDB_ERROR;
            }
        product = next;
    }
    if (has_sets) {
        g->nsets = product.n;
        g->sets = product.masks;
    }
    g->any = sdb_list_length(s->group_clause) > 0 || q->naggs > 0 || s->having_clause != NULL;
    return SDB_OK;
}

/* ---- replacing grouped expressions and aggregates by Vars ---- */

typedef struct AggRewrite {
    AnQuery *q;
    const Grouping *g;
    SdbPlanAggregate *agg;
} AggRewrite;

static int ungrouped(AnQuery *q, const SdbBoundVar *v)
{
    const AnTable *t = an_table(q->an, v->table);
    const char *rel = t ? t->name : NULL;
    const char *col = t && t->colnames && v->column >= 0 ? t->colnames[v->column] : "?";
    if (rel != NULL)
        sdb_error(SDB_ERR_GROUPING_ERROR,
                  "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", rel, col);
    else
        sdb_error(SDB_ERR_GROUPING_ERROR,
                  "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", col);
    return an_fail_at(q, v->location);
}

/* Inside a correlated subquery of a grouped level: its references to the
 * grouped level (levelsup == depth) must be grouped columns, read from
 * the Aggregate (42803 "subquery uses ungrouped column"). */
typedef struct OuterRewrite {
    AggRewrite *r;
    int depth;
} OuterRewrite;

static int outer_rewrite(void *arg, SdbExpr **slot, bool *descend)
{
    OuterRewrite *o = arg;
    SdbExpr *e = *slot;
    if (e->tag == SDB_E_SUB_PLAN) {
        OuterRewrite deeper = {o->r, o->depth + 1};
        if (an_mutate_plan(((SdbBoundSubPlan *)e)->plan, outer_rewrite, &deeper) != SDB_OK)
            return SDB_ERROR;
        return SDB_OK; /* its test is at this depth: descend */
    }
    if (e->tag == SDB_E_AGGREF) { /* an aggregate of the grouped level, called inside the subquery */
        for (int i = 0; i < o->r->q->naggs; i++)
            if (o->r->q->aggs[i] == e) {
                SdbBoundVar *av = an_var(o->r->q->an, &o->r->agg->plan.cols[o->r->g->ngroups + i], o->depth);
                if (av == NULL)
                    return SDB_ERROR;
                *slot = &av->expr;
                break;
            }
        *descend = false;
        return SDB_OK;
    }
    if (e->tag != SDB_E_VAR || ((SdbBoundVar *)e)->levelsup != o->depth)
        return SDB_OK;
    SdbBoundVar *v = (SdbBoundVar *)e;
    const Grouping *g = o->r->g;
    for (int i = 0; i < g->ngroups; i++) {
        const SdbExpr *ge = g->groups[i];
        if (ge->tag == SDB_E_VAR && ((const SdbBoundVar *)ge)->table == v->table &&
            ((const SdbBoundVar *)ge)->column == v->column && ((const SdbBoundVar *)ge)->levelsup == 0) {
            SdbBoundVar *gv = an_var(o->r->q->an, &o->r->agg->plan.cols[i], o->depth);
            if (gv == NULL)
                return SDB_ERROR;
            *slot = &gv->expr;
            *descend = false;
            return SDB_OK;
        }
    }
    const AnTable *t = an_table(o->r->q->an, v->table);
    const char *col = t && t->colnames && v->column >= 0 ? t->colnames[v->column] : "?";
    if (t != NULL && t->name != NULL)
        sdb_error(SDB_ERR_GROUPING_ERROR, "subquery uses ungrouped column \"%s.%s\" from outer query", t->name, col);
    else
        sdb_error(SDB_ERR_GROUPING_ERROR, "subquery uses ungrouped column \"%s\" from outer query", col);
    return an_fail_at(o->r->q, v->location);
}

static int agg_rewrite(void *arg, SdbExpr **slot, bool *descend)
{
    AggRewrite *r = arg;
    SdbExpr *e = *slot;
    for (int i = 0; i < r->g->ngroups; i++) {
        if (an_expr_equal(e, r->g->groups[i])) {
            SdbBoundVar *v = an_var(r->q->an, &r->agg->plan.cols[i], 0);
            if (v == NULL)
                return SDB_ERROR;
            *slot = &v->expr;
            *descend = false;
            return SDB_OK;
        }
    }
    if (e->tag == SDB_E_AGGREF || e->tag == SDB_E_GROUPING_FUNC) {
        for (int i = 0; i < r->q->naggs; i++) {
            if (r->q->aggs[i] != e)
                continue;
            SdbBoundVar *v = an_var(r->q->an, &r->agg->plan.cols[r->g->ngroups + i], 0);
            if (v == NULL)
                return SDB_ERROR;
            *slot = &v->expr;
            break;
        }
        *descend = false;
        return SDB_OK;
    }
    if (e->tag == SDB_E_VAR && ((SdbBoundVar *)e)->levelsup == 0)
        return ungrouped(r->q, (SdbBoundVar *)e);
    if (e->tag == SDB_E_SUB_PLAN && ((SdbBoundSubPlan *)e)->correlated) {
        OuterRewrite o = {r, 1};
        return an_mutate_plan(((SdbBoundSubPlan *)e)->plan, outer_rewrite, &o);
    }
    return SDB_OK;
}

/* GROUPING(args): each argument's group index. */
static int grouping_refs(AnQuery *q, const Grouping *g)
{
    for (int i = 0; i < q->naggs; i++) {
        if (q->aggs[i]->tag != SDB_E_GROUPING_FUNC)
            continue;
        SdbBoundGroupingFunc *gf = (SdbBoundGroupingFunc *)q->aggs[i];
        for (int a = 0; a < gf->nrefs; a++) {
            gf->refs[a] = -1;
            for (int k = 0; k < g->ngroups && gf->refs[a] < 0; k++)
                if (an_expr_equal(q->grouping_args[i][a], g->groups[k]))
                    gf->refs[a] = k;
            if (gf->refs[a] < 0) {
                sdb_error(SDB_ERR_GROUPING_ERROR,
                          "arguments to GROUPING must be grouping expressions of the associated query level");
                return an_fail_at(q, an_expr_location(q->grouping_args[i][a]));
            }
        }
    }
    return SDB_OK;
}

/* Every expression above the grouping, to rewrite with one mutator. */
typedef struct Above {
    Targets *t;
    SortKey *order;
    int norder;
    SortKey *on;
    int non;
    SdbExpr **having;
    int nhaving;
} Above;

static int rewrite_above(const Above *above, AnMutator fn, void *arg)
{
    for (int i = 0; i < above->t->n; i++)
        if (an_mutate(&above->t->exprs[i], fn, arg) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < above->norder; i++)
        if (above->order[i].target < 0 && an_mutate(&above->order[i].expr, fn, arg) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < above->non; i++)
        if (above->on[i].target < 0 && an_mutate(&above->on[i].expr, fn, arg) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < above->nhaving; i++)
        if (an_mutate(&above->having[i], fn, arg) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* Keys that are select-list entries take the entry's (rewritten) expression. */
static void refresh_keys(const Targets *t, SortKey *keys, int n)
{
    for (int i = 0; i < n; i++)
        if (keys[i].target >= 0)
            keys[i].expr = t->exprs[keys[i].target];
}

/* ---- columns functionally dependent on a grouped primary key ---- */

static bool grouped_var(const Grouping *g, int table, int column)
{
    for (int i = 0; i < g->ngroups; i++) {
        const SdbBoundVar *v = (const SdbBoundVar *)g->groups[i];
        if (v->expr.tag == SDB_E_VAR && v->table == table && v->column == column && v->levelsup == 0)
            return true;
    }
    return false;
}

/* Whether every column of `table`'s primary key is grouped (PostgreSQL
 * then allows its other columns ungrouped; not with grouping sets). */
static bool key_grouped(AnQuery *q, const Grouping *g, int table)
{
    const AnTable *t = an_table(q->an, table);
    if (g->nsets > 0 || t == NULL || t->rel == NULL)
        return false;
    for (int c = 0; c < t->rel->nconstraints; c++) {
        const SdbRelConstraint *con = &t->rel->constraints[c];
        if (con->kind != 'p')
            continue;
        for (int k = 0; k < con->nkeys; k++)
            if (!grouped_var(g, table, con->keys[k] - 1))
                return false;
        return true;
    }
    return false;
}

typedef struct DependentScan {
    AnQuery *q;
    Grouping *g;
} DependentScan;

/* Add the Vars above the grouping that depend on a grouped primary key to
 * the group expressions (they do not split any group). */
static int add_dependent(void *arg, SdbExpr **slot, bool *descend)
{
    DependentScan *d = arg;
    SdbExpr *e = *slot;
    if (e->tag == SDB_E_AGGREF || e->tag == SDB_E_GROUPING_FUNC) {
        *descend = false;
        return SDB_OK;
    }
    for (int i = 0; i < d->g->ngroups; i++)
        if (an_expr_equal(e, d->g->groups[i])) {
            *descend = false;
            return SDB_OK;
        }
    const SdbBoundVar *v = (const SdbBoundVar *)e;
    if (e->tag != SDB_E_VAR || v->levelsup != 0 || v->column < 0 || !key_grouped(d->q, d->g, v->table))
        return SDB_OK;
    SdbExpr **grown = sdb_arena_realloc(d->q->an->arena, d->g->groups, sizeof(SdbExpr *) * (size_t)d->g->ngroups,
                                        sizeof(SdbExpr *) * (size_t)(d->g->ngroups + 1));
    if (grown == NULL)
        return SDB_ERROR;
    grown[d->g->ngroups++] = e;
    d->g->groups = grown;
    return SDB_OK;
}

static int aggregate(AnQuery *q, Grouping *g, const Above *above, SdbPlan **plan)
{
    Analyzer *an = q->an;
    DependentScan d = {q, g};
    if (rewrite_above(above, add_dependent, &d) != SDB_OK)
        return SDB_ERROR;
    SdbPlanAggregate *agg = sdb_new_plan_aggregate(an->arena);
    if (agg == NULL || an_set_cols(an, &agg->plan, g->ngroups + q->naggs) != SDB_OK ||
        grouping_refs(q, g) != SDB_OK)
        return SDB_ERROR;
    agg->child = *plan;
    agg->group_table = an_new_table(an, NULL, g->ngroups, NULL);
    agg->agg_table = an_new_table(an, NULL, q->naggs, NULL);
    agg->groups = g->groups;
    agg->ngroups = g->ngroups;
    agg->aggs = q->aggs;
    agg->naggs = q->naggs;
    agg->sets = g->sets;
    agg->nsets = g->nsets;
    for (int i = 0; i < g->ngroups; i++)
        agg->plan.cols[i] = (SdbPlanColumn){agg->group_table, i, g->groups[i]->type, g->groups[i]->typmod, NULL};
    for (int i = 0; i < q->naggs; i++)
        agg->plan.cols[g->ngroups + i] = (SdbPlanColumn){agg->agg_table, i, q->aggs[i]->type, q->aggs[i]->typmod, NULL};
    AggRewrite r = {q, g, agg};
    if (rewrite_above(above, agg_rewrite, &r) != SDB_OK)
        return SDB_ERROR;
    agg->having = above->having;
    agg->nhaving = above->nhaving;
    *plan = &agg->plan;
    return SDB_OK;
}

/* ---- window functions ---- */

typedef struct WinRewrite {
    AnQuery *q;
    SdbPlanWindow *win;
    int base;
} WinRewrite;

static int win_rewrite(void *arg, SdbExpr **slot, bool *descend)
{
    WinRewrite *r = arg;
    if ((*slot)->tag != SDB_E_WINDOW_FUNC)
        return SDB_OK;
    for (int i = 0; i < r->q->nwins; i++) {
        if (r->q->wins[i] != *slot)
            continue;
        SdbBoundVar *v = an_var(r->q->an, &r->win->plan.cols[r->base + i], 0);
        if (v == NULL)
            return SDB_ERROR;
        *slot = &v->expr;
        break;
    }
    *descend = false;
    return SDB_OK;
}

static int window(AnQuery *q, const Above *above, SdbPlan **plan)
{
    Analyzer *an = q->an;
    SdbPlanWindow *win = sdb_new_plan_window(an->arena);
    SdbPlan *child = *plan;
    if (win == NULL || an_set_cols(an, &win->plan, child->ncols + q->nwins) != SDB_OK)
        return SDB_ERROR;
    memcpy(win->plan.cols, child->cols, sizeof(SdbPlanColumn) * (size_t)child->ncols);
    win->child = child;
    win->table = an_new_table(an, NULL, q->nwins, NULL);
    win->funcs = q->wins;
    win->nfuncs = q->nwins;
    for (int i = 0; i < q->nwins; i++)
        win->plan.cols[child->ncols + i] = (SdbPlanColumn){win->table, i, q->wins[i]->type, q->wins[i]->typmod, NULL};
    WinRewrite r = {q, win, child->ncols};
    Above no_having = *above;
    no_having.nhaving = 0;
    if (rewrite_above(&no_having, win_rewrite, &r) != SDB_OK)
        return SDB_ERROR;
    *plan = &win->plan;
    return SDB_OK;
}

/* ---- Sort, Distinct, Limit ---- */

static SdbPlan *sort_node(Analyzer *an, SdbPlan *child, SdbExpr **keys, int *flags, int n)
{
    if (n == 0)
        return child;
    SdbPlanSort *s = sdb_new_plan_sort(an->arena);
    if (s == NULL || an_copy_cols(an, &s->plan, child) != SDB_OK)
        return NULL;
    s->child = child;
    s->keys = keys;
    s->flags = flags;
    s->nkeys = n;
    return &s->plan;
}

static SdbPlan *distinct_node(Analyzer *an, SdbPlan *child, SdbExpr **on, int non)
{
    SdbPlanDistinct *d = sdb_new_plan_distinct(an->arena);
    if (d == NULL || an_copy_cols(an, &d->plan, child) != SDB_OK)
        return NULL;
    d->child = child;
    d->on = on;
    d->non = non;
    return &d->plan;
}

/* A LIMIT or OFFSET value: bigint, no column references. */
static int limit_value(AnQuery *q, const SdbNode *node, AnExprKind kind, SdbExpr **out)
{
    *out = NULL;
    if (node == NULL || (SDB_IS_A(node, A_CONST) && ((const SdbAConst *)node)->kind == SDB_CONST_KIND_NULL))
        return SDB_OK;
    const char *what = kind == AN_LIMIT ? "LIMIT" : "OFFSET";
    SdbExpr *e;
    if (an_bind_raw(q, kind, node, &e) != SDB_OK)
        return SDB_ERROR;
    if (an_contains(e, SDB_E_VAR)) {
        sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "argument of %s must not contain variables", what);
        return an_fail_at(q, an_location(node));
    }
    if (!sdb_bind_can_coerce(e->type, SDB_TYPEOID_INT8, SDB_CAST_IMPLICIT)) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "argument of %s must be type bigint, not type %s", what,
                  sdb_bind_type_name(e->type));
        return an_fail_at(q, an_location(node));
    }
    return sdb_bind_coerce(&q->bc, e, SDB_TYPEOID_INT8, -1, SDB_CAST_IMPLICIT, an_location(node), out);
}

int an_limit(AnQuery *q, const SdbSelectStmt *s, SdbPlan **plan)
{
    if (s->limit_count == NULL && s->limit_offset == NULL)
        return SDB_OK;
    if (s->limit_option == SDB_LIMIT_OPTION_WITH_TIES && s->sort_clause == NULL)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "WITH TIES cannot be specified without ORDER BY clause");
    SdbPlanLimit *l = sdb_new_plan_limit(q->an->arena);
    if (l == NULL || an_copy_cols(q->an, &l->plan, *plan) != SDB_OK ||
        limit_value(q, s->limit_count, AN_LIMIT, &l->limit) != SDB_OK ||
        limit_value(q, s->limit_offset, AN_OFFSET, &l->offset) != SDB_OK)
        return SDB_ERROR;
    l->with_ties = s->limit_option == SDB_LIMIT_OPTION_WITH_TIES;
    l->child = *plan;
    *plan = &l->plan;
    return SDB_OK;
}

/* DISTINCT ON (...) with ORDER BY: the ORDER BY must start with the ON
 * expressions (42P10). */
static int check_distinct_on(AnQuery *q, const SortKey *on, int non, const SortKey *order, int norder,
                             const SdbSelectStmt *s)
{
    int covered = 0;
    for (int i = 0; i < norder && covered < non; i++) {
        bool match = false;
        for (int k = 0; k < non && !match; k++)
            match = an_expr_equal(order[i].expr, on[k].expr);
        if (!match) {
            sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE,
                      "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
            return an_fail_at(q, an_location(sdb_list_nth(s->distinct_on, covered)));
        }
        covered++;
    }
    return SDB_OK;
}

static int distinct_on(AnQuery *q, const Targets *t, const SdbSelectStmt *s, SortKey **on, int *non)
{
    *non = sdb_list_length(s->distinct_on);
    *on = an_alloc(q->an, sizeof(SortKey) * (size_t)(*non + 1));
    if (*on == NULL)
        return SDB_ERROR;
    for (int i = 0; i < *non; i++)
        if (resolve_item(q, t, sdb_list_nth(s->distinct_on, i), AN_DISTINCT_ON, "DISTINCT ON", &(*on)[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* Sort keys as arrays: `keys` (ON keys first when given, then ORDER BY
 * keys not among them), as expressions over the Project's input or as
 * Vars of its output. */
static int sort_arrays(AnQuery *q, const SortKey *on, int non, const SortKey *order, int norder, const SdbPlan *proj,
                       SdbExpr ***keys, int **flags, int *n)
{
    *keys = sdb_bind_exprs(&q->bc, non + norder);
    *flags = an_alloc(q->an, sizeof(int) * (size_t)(non + norder + 1));
    if (*keys == NULL || *flags == NULL)
        return SDB_ERROR;
    *n = 0;
    for (int i = 0; i < non + norder; i++) {
        const SortKey *k = i < non ? &on[i] : &order[i - non];
        int flags_i = k->flags;
        if (i < non) {
            flags_i = SDB_SORT_NULLS_LAST; /* ascending unless ORDER BY says otherwise */
            for (int j = 0; j < norder; j++)
                if (an_expr_equal(order[j].expr, k->expr)) {
                    flags_i = order[j].flags;
                    break;
                }
        } else {
            bool dup = false;
            for (int j = 0; j < non && !dup; j++)
                dup = an_expr_equal(on[j].expr, k->expr);
            if (dup)
                continue;
        }
        if (proj != NULL) {
            SdbBoundVar *v = an_var(q->an, &proj->cols[k->target], 0);
            if (v == NULL)
                return SDB_ERROR;
            (*keys)[*n] = &v->expr;
        } else {
            (*keys)[*n] = k->expr;
        }
        (*flags)[(*n)++] = flags_i;
    }
    return SDB_OK;
}

/* The Project of the select list, its entries' locations remembered. */
static int project(Analyzer *an, const Targets *t, SdbPlan **plan)
{
    if ((*plan = an_project(an, *plan, t->exprs, t->names, t->n)) == NULL)
        return SDB_ERROR;
    an_table(an, ((SdbPlanProject *)*plan)->table)->locations = t->locs;
    return SDB_OK;
}

/* Project, DISTINCT [ON], ORDER BY and LIMIT over `plan` (the grouped,
 * windowed input). */
static int finish(AnQuery *q, const SdbSelectStmt *s, Targets *t, SortKey *order, int norder, SortKey *on, int non,
                  SdbPlan **plan)
{
    Analyzer *an = q->an;
    refresh_keys(t, order, norder);
    refresh_keys(t, on, non);
    bool junk = false;
    for (int i = 0; i < norder; i++)
        junk |= order[i].target < 0;
    SdbExpr **keys;
    int *flags, nkeys;
    if (non > 0 || junk) {
        /* sort (and DISTINCT ON) below the Project, over its input */
        if (sort_arrays(q, on, non, order, norder, NULL, &keys, &flags, &nkeys) != SDB_OK ||
            (*plan = sort_node(an, *plan, keys, flags, nkeys)) == NULL)
            return SDB_ERROR;
        if (non > 0) {
            SdbExpr **onx = sdb_bind_exprs(&q->bc, non);
            if (onx == NULL)
                return SDB_ERROR;
            for (int i = 0; i < non; i++)
                onx[i] = on[i].expr;
            if ((*plan = distinct_node(an, *plan, onx, non)) == NULL)
                return SDB_ERROR;
        }
        if (an_limit(q, s, plan) != SDB_OK)
            return SDB_ERROR;
        return project(an, t, plan);
    }
    if (project(an, t, plan) != SDB_OK)
        return SDB_ERROR;
    if (s->distinct && (*plan = distinct_node(an, *plan, NULL, 0)) == NULL)
        return SDB_ERROR;
    if (sort_arrays(q, NULL, 0, order, norder, *plan, &keys, &flags, &nkeys) != SDB_OK ||
        (*plan = sort_node(an, *plan, keys, flags, nkeys)) == NULL)
        return SDB_ERROR;
    return an_limit(q, s, plan);
}

int an_select_core(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out)
{
    Analyzer *an = q->an;
    bool keep_unknown = an->keep_unknown;
    an->keep_unknown = false;
    q->windows = s->window_clause;
    SdbPlan *plan;
    if (an_from(q, s->from_clause, &plan) != SDB_OK)
        return SDB_ERROR;
    if (s->where_clause != NULL) {
        SdbExpr *cond, **quals = NULL;
        int nquals = 0;
        if (an_bind_bool(q, AN_WHERE, s->where_clause, "WHERE", &cond) != SDB_OK ||
            an_split_and(an, cond, &quals, &nquals) != SDB_OK || (plan = an_filter(an, plan, quals, nquals)) == NULL)
            return SDB_ERROR;
    }
    Targets t;
    if (bind_targets(q, s->target_list, keep_unknown, &t) != SDB_OK)
        return SDB_ERROR;
    Grouping g;
    if (group_by(q, &t, s, &g) != SDB_OK)
        return SDB_ERROR;
    Above above = {.t = &t};
    if (s->having_clause != NULL) {
        SdbExpr *cond;
        if (an_bind_bool(q, AN_HAVING, s->having_clause, "HAVING", &cond) != SDB_OK ||
            an_split_and(an, cond, &above.having, &above.nhaving) != SDB_OK)
            return SDB_ERROR;
        g.any = true;
    }
    if (order_by(q, &t, s->sort_clause, &above.order) != SDB_OK)
        return SDB_ERROR;
    above.norder = sdb_list_length(s->sort_clause);
    if (s->distinct && s->distinct_on == NULL) {
        for (int i = 0; i < above.norder; i++)
            if (above.order[i].target < 0) {
                sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE,
                          "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
                return an_fail_at(q, an_location(((const SdbSortBy *)sdb_list_nth(s->sort_clause, i))->node));
            }
    }
    if (s->distinct_on != NULL &&
        (distinct_on(q, &t, s, &above.on, &above.non) != SDB_OK ||
         check_distinct_on(q, above.on, above.non, above.order, above.norder, s) != SDB_OK))
        return SDB_ERROR;
    g.any |= q->naggs > 0;
    if (g.any && aggregate(q, &g, &above, &plan) != SDB_OK)
        return SDB_ERROR;
    if (q->nwins > 0 && window(q, &above, &plan) != SDB_OK)
        return SDB_ERROR;
    if (an_select_srfs(q, t.exprs, t.n, &plan) != SDB_OK)
        return SDB_ERROR;
    if (finish(q, s, &t, above.order, above.norder, above.on, above.non, &plan) != SDB_OK)
        return SDB_ERROR;
    *out = plan;
    return SDB_OK;
}

/* ---- VALUES ---- */

int an_values(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out)
{
    Analyzer *an = q->an;
    an->keep_unknown = false; /* VALUES resolves its unknown columns itself, also under a set operation */
    int nrows = sdb_list_length(s->values_lists);
    int ncols = sdb_list_length((const SdbList *)sdb_list_nth(s->values_lists, 0));
    SdbPlanValues *v = sdb_new_plan_values(an->arena);
    SdbExpr **rows = sdb_bind_exprs(&q->bc, nrows * ncols), **column = sdb_bind_exprs(&q->bc, nrows);
    int *locs = an_alloc(an, sizeof(int) * (size_t)(nrows + 1));
    const char **names = an_alloc(an, sizeof(char *) * (size_t)(ncols + 1));
    if (v == NULL || rows == NULL || column == NULL || locs == NULL || names == NULL ||
        an_set_cols(an, &v->plan, ncols) != SDB_OK)
        return SDB_ERROR;
    for (int r = 0; r < nrows; r++) {
        const SdbList *row = (const SdbList *)sdb_list_nth(s->values_lists, r);
        if (sdb_list_length(row) != ncols) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "VALUES lists must all be the same length");
            return an_fail_at(q, an_location(sdb_list_nth(row, 0)));
        }
        for (int c = 0; c < ncols; c++)
            if (an_bind_raw(q, AN_VALUES, sdb_list_nth(row, c), &rows[r * ncols + c]) != SDB_OK)
                return SDB_ERROR;
    }
    v->table = an_new_table(an, "*VALUES*", ncols, names);
    for (int c = 0; c < ncols; c++) {
        for (int r = 0; r < nrows; r++) {
            column[r] = rows[r * ncols + c];
            locs[r] = an_location(sdb_list_nth((const SdbList *)sdb_list_nth(s->values_lists, r), c));
        }
        if (sdb_bind_unify(&q->bc, column, nrows, "VALUES", locs) != SDB_OK)
            return SDB_ERROR;
        for (int r = 0; r < nrows; r++)
            rows[r * ncols + c] = column[r];
        names[c] = sdb_arena_sprintf(an->arena, "column%d", c + 1);
        if (names[c] == NULL)
            return SDB_ERROR;
        v->plan.cols[c] = (SdbPlanColumn){v->table, c, column[0]->type, column[0]->typmod, names[c]};
    }
    v->rows = rows;
    v->nrows = nrows;
    *out = &v->plan;
    return SDB_OK;
}

/* ---- set operations ---- */

/* Give column `i` of a set operation input, of type unknown, the type
 * `type`: coerce the literal in the Project or Values that makes it. */
int an_resolve_unknown(AnQuery *q, SdbPlan *plan, int i, SdbOid type)
{
    plan->cols[i].type = type;
    switch (plan->tag) {
    case SDB_P_PROJECT: {
        SdbPlanProject *p = (SdbPlanProject *)plan;
        return sdb_bind_coerce(&q->bc, p->exprs[i], type, -1, SDB_CAST_IMPLICIT, -1, &p->exprs[i]);
    }
    case SDB_P_VALUES: {
        SdbPlanValues *v = (SdbPlanValues *)plan;
        for (int r = 0; r < v->nrows; r++) {
            SdbExpr **slot = &v->rows[r * plan->ncols + i];
            if (sdb_bind_coerce(&q->bc, *slot, type, -1, SDB_CAST_IMPLICIT, -1, slot) != SDB_OK)
                return SDB_ERROR;
        }
        return SDB_OK;
    }
    case SDB_P_SORT:
    case SDB_P_LIMIT:
    case SDB_P_DISTINCT:
    case SDB_P_FILTER: return an_resolve_unknown(q, *sdb_plan_child(plan, 0), i, type);
    default: return sdb_error(SDB_ERR_INTERNAL_ERROR, "unknown-type column under %s", sdb_plan_tag_name(plan->tag));
    }
}

/* A stand-in for a column in type unification: a Var, or an unknown NULL. */
static SdbExpr *stand_in(Analyzer *an, const SdbPlanColumn *col)
{
    if (col->type == SDB_TYPEOID_UNKNOWN) {
        SdbBoundConst *c = sdb_new_bound_const(an->arena, SDB_TYPEOID_UNKNOWN);
        if (c != NULL)
            c->isnull = true;
        return c ? &c->expr : NULL;
    }
    SdbBoundVar *v = an_var(an, col, 0);
    return v ? &v->expr : NULL;
}

/* Coerce the columns of one side to the unified types: unknown ones in
 * place, others through a Project when a cast is needed. */
static int coerce_side(AnQuery *q, SdbPlan **side, const SdbOid *types)
{
    SdbPlan *p = *side;
    SdbExpr **exprs = sdb_bind_exprs(&q->bc, p->ncols);
    const char **names = an_alloc(q->an, sizeof(char *) * (size_t)(p->ncols + 1));
    bool cast = false;
    if (exprs == NULL || names == NULL)
        return SDB_ERROR;
    for (int i = 0; i < p->ncols; i++) {
        names[i] = p->cols[i].name;
        if (p->cols[i].type == SDB_TYPEOID_UNKNOWN && an_resolve_unknown(q, p, i, types[i]) != SDB_OK)
            return SDB_ERROR;
        SdbBoundVar *v = an_var(q->an, &p->cols[i], 0);
        if (v == NULL || sdb_bind_coerce(&q->bc, &v->expr, types[i], -1, SDB_CAST_IMPLICIT, -1, &exprs[i]) != SDB_OK)
            return SDB_ERROR;
        cast |= exprs[i]->tag != SDB_E_VAR;
    }
    if (cast && (*side = an_project(q->an, p, exprs, names, p->ncols)) == NULL)
        return SDB_ERROR;
    return SDB_OK;
}

int an_setop(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out)
{
    static const char *const names[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    const char *what = names[s->op];
    Analyzer *an = q->an;
    SdbPlan *left, *right;
    an->keep_unknown = true;
    if (an_select(q, false, (const SdbNode *)s->larg, &left, NULL) != SDB_OK)
        return SDB_ERROR;
    an->keep_unknown = true;
    if (an_select(q, false, (const SdbNode *)s->rarg, &right, NULL) != SDB_OK)
        return SDB_ERROR;
    an->keep_unknown = false;
    if (left->ncols != right->ncols) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "each %s query must have the same number of columns", what);
        return an_fail_at(q, right->ncols > 0 ? an_column_location(an, &right->cols[0]) : -1);
    }
    SdbOid *types = an_alloc(an, sizeof(SdbOid) * (size_t)(left->ncols + 1));
    if (types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < left->ncols; i++) {
        SdbExpr *pair[2] = {stand_in(an, &left->cols[i]), stand_in(an, &right->cols[i])};
        int locs[2] = {an_column_location(an, &left->cols[i]), an_column_location(an, &right->cols[i])};
        if (pair[0] == NULL || pair[1] == NULL || sdb_bind_unify(&q->bc, pair, 2, what, locs) != SDB_OK)
            return SDB_ERROR;
        types[i] = pair[0]->type;
    }
    if (coerce_side(q, &left, types) != SDB_OK || coerce_side(q, &right, types) != SDB_OK)
        return SDB_ERROR;
    SdbPlanSetOp *op = sdb_new_plan_set_op(an->arena);
    const char **colnames = an_alloc(an, sizeof(char *) * (size_t)(left->ncols + 1));
    if (op == NULL || colnames == NULL || an_set_cols(an, &op->plan, left->ncols) != SDB_OK)
        return SDB_ERROR;
    op->left = left;
    op->right = right;
    op->op = (SdbSetOpKind)(s->op - 1);
    op->all = s->all;
    op->table = an_new_table(an, NULL, left->ncols, colnames);
    for (int i = 0; i < left->ncols; i++) {
        colnames[i] = left->cols[i].name;
        int32_t typmod = left->cols[i].typmod == right->cols[i].typmod ? left->cols[i].typmod : -1;
        op->plan.cols[i] = (SdbPlanColumn){op->table, i, types[i], typmod, colnames[i]};
    }
    *out = &op->plan;
    return an_sort_limit_setop(q, s, out);
}

/* ORDER BY and LIMIT over a VALUES list or a set operation: keys are its
 * output columns only. */
int an_sort_limit_setop(AnQuery *q, const SdbSelectStmt *s, SdbPlan **plan)
{
    int n = sdb_list_length(s->sort_clause);
    if (n > 0) {
        AnRte *rte = an_rte_for_plan(q, NULL, *plan, NULL);
        SdbExpr **keys = sdb_bind_exprs(&q->bc, n);
        int *flags = an_alloc(q->an, sizeof(int) * (size_t)(n + 1));
        if (rte == NULL || keys == NULL || flags == NULL || an_add_rte(q, rte) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < n; i++) {
            const SdbSortBy *sb = (const SdbSortBy *)sdb_list_nth(s->sort_clause, i);
            int pos;
            if (int_const(sb->node, &pos)) {
                if (pos < 1 || pos > (*plan)->ncols) {
                    sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "ORDER BY position %d is not in select list", pos);
                    return an_fail_at(q, an_location(sb->node));
                }
                SdbBoundVar *v = an_var(q->an, &(*plan)->cols[pos - 1], 0);
                if (v == NULL)
                    return SDB_ERROR;
                keys[i] = &v->expr;
            } else if (an_bind(q, AN_ORDER_BY, sb->node, &keys[i]) != SDB_OK) {
                return SDB_ERROR;
            }
            if (s->op != SDB_SET_OPERATION_NONE && keys[i]->tag != SDB_E_VAR) {
                sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
                return an_fail_at(q, an_location(sb->node));
            }
            flags[i] = an_sort_flags(sb);
        }
        if ((*plan = sort_node(q->an, *plan, keys, flags, n)) == NULL)
            return SDB_ERROR;
    }
    return an_limit(q, s, plan);
}
