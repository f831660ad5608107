/*
 * exec/explain.c: EXPLAIN [ANALYZE]: PostgreSQL-like text, one line per
 * plan node ("->  " under its parent, six more columns per level) and its
 * details ("Hash Cond: ...", "Filter: ...", "Sort Key: ..."), with
 * estimates "(cost=... rows=... width=...)" and, with ANALYZE, "(actual
 * time=... rows=... loops=...)" from the counters a run of the plan left.
 * Expressions are deparsed with column names from the plan's headers.
 */
#include "exec/exec_int.h"

#include "sdb_casts.h"
#include "sdb_operators.h"

typedef struct Explain {
    SdbExecContext *ctx;
    SdbStr *out;
    bool costs;
    bool analyze;
    ExecShared *sh;
    SdbHash *names;         /* (table, column) -> column name */
    SdbHash *relnames;      /* binding table of a Scan -> its relation's name */
    int nscans;             /* Scans in the plan: more than one qualifies names */
    SdbHash *subnums;       /* SubPlan pointer -> its number (1, 2 ...) */
    int nsubplans;
    int nparams;            /* InitPlan results $0, $1 ... */
    int shift;              /* extra indentation inside SubPlan and CTE sections */
    bool *cte_printed;
    int ncte;
} Explain;

static int deparse(Explain *ex, const SdbExpr *e, SdbStr *s);
static const char *rel_name(Explain *ex, SdbOid oid);
static int subplan_number(Explain *ex, const SdbBoundSubPlan *sp, int *param);
/* SubPlans found in expressions. */
typedef struct SubList {
    const SdbBoundSubPlan *items[64];
    int n;
} SubList;
static void node_subplans(const SdbPlan *p, SubList *list);

/* --- names ---------------------------------------------------------------- */

/* Register (table, column) -> the text of expression e. */
static void add_expr_name(Explain *ex, int table, int column, const SdbExpr *e)
{
    int key[2] = {table, column};
    SdbStr text;
    sdb_str_init(&text, ex->out->arena);
    if (sdb_hash_lookup(ex->names, key, sizeof(key), NULL) || deparse(ex, e, &text) != SDB_OK || text.len == 0)
        return;
    sdb_hash_put(ex->names, key, sizeof(key), text.data);
}

static void add_names(Explain *ex, const SdbPlan *p)
{
    /* children first: an aggregate's text uses their names */
    for (int i = 0; i < sdb_plan_nchildren(p); i++)
        add_names(ex, *sdb_plan_child((SdbPlan *)p, i));
    if (p->tag == SDB_P_AGGREGATE) {
        const SdbPlanAggregate *g = (const SdbPlanAggregate *)p;
        for (int i = 0; i < g->ngroups; i++)
            add_expr_name(ex, g->group_table, i, g->groups[i]);
        for (int i = 0; i < g->naggs; i++)
            add_expr_name(ex, g->agg_table, i, g->aggs[i]);
    }
    if (p->tag == SDB_P_WINDOW) {
        const SdbPlanWindow *w = (const SdbPlanWindow *)p;
        for (int i = 0; i < w->nfuncs; i++)
            add_expr_name(ex, w->table, i, w->funcs[i]);
    }
    for (int i = 0; i < p->ncols; i++) {
        int key[2] = {p->cols[i].table, p->cols[i].column};
        if (p->cols[i].name != NULL && !sdb_hash_lookup(ex->names, key, sizeof(key), NULL))
            sdb_hash_put(ex->names, key, sizeof(key), (void *)p->cols[i].name);
    }
    if (p->tag == SDB_P_SCAN) {
        const SdbPlanScan *s = (const SdbPlanScan *)p;
        ex->nscans++;
        sdb_hash_put(ex->relnames, &s->table, sizeof(s->table), (void *)rel_name(ex, s->rel_oid));
    }
    if (p->tag == SDB_P_CTE_SCAN)
        add_names(ex, ((const SdbPlanCteScan *)p)->cte);
    SubList subs = {.n = 0};
    node_subplans(p, &subs);
    for (int i = 0; i < subs.n; i++)
        add_names(ex, subs.items[i]->plan);
}

static const char *type_name(SdbOid type)
{
    const SdbTypeInfo *t = sdb_type_by_oid(type);
    return t ? t->name : "unknown";
}

/* --- expressions ---------------------------------------------------------- */

static int deparse_list(Explain *ex, SdbExpr *const *args, int n, const char *sep, SdbStr *s)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sdb_str_append_cstr(s, sep);
        if (deparse(ex, args[i], s) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int deparse_const(Explain *ex, const SdbBoundConst *c, SdbStr *s)
{
    if (c->isnull)
        return sdb_str_append_cstr(s, "NULL");
    SdbOid t = c->expr.type;
    bool bare = t == SDB_TYPEOID_INT2 || t == SDB_TYPEOID_INT4 || t == SDB_TYPEOID_INT8 ||
                t == SDB_TYPEOID_NUMERIC || t == SDB_TYPEOID_FLOAT8;
    SdbStr v;
    sdb_str_init(&v, s->arena);
    SdbExprContext ectx = *ex->ctx->expr;
    ectx.arena = s->arena;
    if (sdb_expr_output(&ectx, t, c->value, &v) != SDB_OK)
        return SDB_ERROR;
    if (t == SDB_TYPEOID_BOOL)
        return sdb_str_append_cstr(s, v.data[0] == 't' ? "true" : "false");
    if (bare && v.data[0] != '-')
        return sdb_str_append_cstr(s, v.data);
    sdb_str_append_char(s, '\'');
    for (const char *p = v.data; *p; p++) {
        if (*p == '\'')
            sdb_str_append_char(s, '\'');
        sdb_str_append_char(s, *p);
    }
    return sdb_str_appendf(s, "'::%s", type_name(t));
}

static int deparse_op(Explain *ex, const SdbBoundOpExpr *o, SdbStr *s)
{
    const SdbOperInfo *op = sdb_oper_by_oid(o->opno);
    const char *name = op ? op->name : o->func->name;
    sdb_str_append_char(s, '(');
    if (o->nargs == 1) {
        sdb_str_appendf(s, "%s ", name);
        deparse(ex, o->args[0], s);
    } else {
        deparse(ex, o->args[0], s);
        sdb_str_appendf(s, " %s ", name);
        deparse(ex, o->args[1], s);
    }
    return sdb_str_append_char(s, ')');
}

static int deparse_bool(Explain *ex, const SdbBoundBoolExpr *b, SdbStr *s)
{
    sdb_str_append_char(s, '(');
    if (b->boolop == SDB_EXPR_BOOL_OP_NOT) {
        sdb_str_append_cstr(s, "NOT ");
        deparse(ex, b->args[0], s);
    } else {
        deparse_list(ex, b->args, b->nargs, b->boolop == SDB_EXPR_BOOL_OP_AND ? " AND " : " OR ", s);
    }
    return sdb_str_append_char(s, ')');
}

static int deparse_case(Explain *ex, const SdbBoundCaseExpr *c, SdbStr *s)
{
    sdb_str_append_cstr(s, "CASE");
    if (c->arg) {
        sdb_str_append_char(s, ' ');
        deparse(ex, c->arg, s);
    }
    for (int i = 0; i < c->nwhens; i++) {
        sdb_str_append_cstr(s, " WHEN ");
        deparse(ex, c->conds[i], s);
        sdb_str_append_cstr(s, " THEN ");
        deparse(ex, c->results[i], s);
    }
    if (c->defresult) {
        sdb_str_append_cstr(s, " ELSE ");
        deparse(ex, c->defresult, s);
    }
    return sdb_str_append_cstr(s, " END");
}

static int deparse_call(Explain *ex, const char *name, SdbExpr *const *args, int nargs, SdbStr *s)
{
    sdb_str_appendf(s, "%s(", name);
    deparse_list(ex, args, nargs, ", ", s);
    return sdb_str_append_char(s, ')');
}

static int deparse(Explain *ex, const SdbExpr *e, SdbStr *s)
{
    switch (e->tag) {
    case SDB_E_VAR: {
        const SdbBoundVar *v = (const SdbBoundVar *)e;
        int key[2] = {v->table, v->column};
        void *name, *rel;
        if (ex->nscans > 1 && sdb_hash_lookup(ex->relnames, &v->table, sizeof(v->table), &rel))
            sdb_str_appendf(s, "%s.", (const char *)rel);
        if (sdb_hash_lookup(ex->names, key, sizeof(key), &name))
            return sdb_str_append_cstr(s, name);
        return sdb_str_appendf(s, v->column < 0 ? "ctid" : "col%d_%d", v->table, v->column);
    }
    case SDB_E_CONST:
        return deparse_const(ex, (const SdbBoundConst *)e, s);
    case SDB_E_PARAM:
        return sdb_str_appendf(s, "$%d", ((const SdbBoundParam *)e)->number);
    case SDB_E_OP_EXPR:
        return deparse_op(ex, (const SdbBoundOpExpr *)e, s);
    case SDB_E_FUNC_EXPR: {
        const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)e;
        const SdbCastInfo *cast = f->nargs >= 1 ? sdb_cast_find(f->args[0]->type, e->type) : NULL;
        if (cast != NULL && cast->method == SDB_CAST_FUNCTION && cast->func == f->func->oid) {
            /* a cast: (x)::type as PostgreSQL shows it */
            sdb_str_append_char(s, '(');
            deparse(ex, f->args[0], s);
            return sdb_str_appendf(s, ")::%s", type_name(e->type));
        }
        return deparse_call(ex, f->func->name, f->args, f->nargs, s);
    }
    case SDB_E_AGGREF: {
        const SdbBoundAggref *a = (const SdbBoundAggref *)e;
        if (a->star)
            return sdb_str_appendf(s, "%s(*)", a->func->name);
        return deparse_call(ex, a->func->name, a->args, a->nargs, s);
    }
    case SDB_E_WINDOW_FUNC: {
        const SdbBoundWindowFunc *w = (const SdbBoundWindowFunc *)e;
        if (w->star)
            return sdb_str_appendf(s, "%s(*) OVER (?)", w->func->name);
        deparse_call(ex, w->func->name, w->args, w->nargs, s);
        return sdb_str_append_cstr(s, " OVER (?)");
    }
    case SDB_E_GROUPING_FUNC:
        return sdb_str_append_cstr(s, "GROUPING(...)");
    case SDB_E_RELABEL_TYPE:
        return deparse(ex, ((const SdbBoundRelabelType *)e)->arg, s);
    case SDB_E_COERCE_VIA_IO:
        sdb_str_append_char(s, '(');
        deparse(ex, ((const SdbBoundCoerceViaIo *)e)->arg, s);
        return sdb_str_appendf(s, ")::%s", type_name(e->type));
    case SDB_E_BOOL_EXPR:
        return deparse_bool(ex, (const SdbBoundBoolExpr *)e, s);
    case SDB_E_NULL_TEST: {
        const SdbBoundNullTest *n = (const SdbBoundNullTest *)e;
        sdb_str_append_char(s, '(');
        deparse(ex, n->arg, s);
        return sdb_str_append_cstr(s, n->nulltesttype == SDB_EXPR_NULL_TEST_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
    }
    case SDB_E_BOOLEAN_TEST: {
        static const char *const names[] = {" IS TRUE)", " IS NOT TRUE)", " IS FALSE)", " IS NOT FALSE)",
                                            " IS UNKNOWN)", " IS NOT UNKNOWN)"};
        const SdbBoundBooleanTest *b = (const SdbBoundBooleanTest *)e;
        sdb_str_append_char(s, '(');
        deparse(ex, b->arg, s);
        return sdb_str_append_cstr(s, names[b->booltesttype]);
    }
    case SDB_E_CASE_EXPR:
        return deparse_case(ex, (const SdbBoundCaseExpr *)e, s);
    case SDB_E_CASE_TEST:
        return sdb_str_append_cstr(s, "CASE_TEST");
    case SDB_E_COALESCE_EXPR: {
        const SdbBoundCoalesceExpr *c = (const SdbBoundCoalesceExpr *)e;
        return deparse_call(ex, "COALESCE", c->args, c->nargs, s);
    }
    case SDB_E_NULL_IF_EXPR: {
        const SdbBoundNullIfExpr *c = (const SdbBoundNullIfExpr *)e;
        return deparse_call(ex, "NULLIF", c->args, c->nargs, s);
    }
    case SDB_E_MIN_MAX_EXPR: {
        const SdbBoundMinMaxExpr *m = (const SdbBoundMinMaxExpr *)e;
        return deparse_call(ex, m->op == SDB_EXPR_MIN_MAX_GREATEST ? "GREATEST" : "LEAST", m->args, m->nargs, s);
    }
    case SDB_E_SCALAR_ARRAY_OP: {
        const SdbBoundScalarArrayOp *a = (const SdbBoundScalarArrayOp *)e;
        const SdbOperInfo *op = sdb_oper_by_oid(a->opno);
        sdb_str_append_char(s, '(');
        deparse(ex, a->args[0], s);
        sdb_str_appendf(s, " %s %s (", op ? op->name : a->func->name, a->use_or ? "ANY" : "ALL");
        deparse_list(ex, a->args + 1, a->nargs - 1, ", ", s);
        return sdb_str_append_cstr(s, "))");
    }
    case SDB_E_DISTINCT_EXPR: {
        const SdbBoundDistinctExpr *d = (const SdbBoundDistinctExpr *)e;
        sdb_str_append_char(s, '(');
        deparse(ex, d->args[0], s);
        sdb_str_append_cstr(s, " IS DISTINCT FROM ");
        deparse(ex, d->args[1], s);
        return sdb_str_append_char(s, ')');
    }
    case SDB_E_SUBSCRIPTING_REF: {
        const SdbBoundSubscriptingRef *r = (const SdbBoundSubscriptingRef *)e;
        deparse(ex, r->args[0], s);
        for (int i = 1; i < r->nargs; i++) {
            sdb_str_append_char(s, '[');
            deparse(ex, r->args[i], s);
            sdb_str_append_char(s, ']');
        }
        return SDB_OK;
    }
    case SDB_E_ARRAY_EXPR: {
        const SdbBoundArrayExpr *a = (const SdbBoundArrayExpr *)e;
        sdb_str_append_cstr(s, "ARRAY[");
        deparse_list(ex, a->elements, a->nelements, ", ", s);
        return sdb_str_append_char(s, ']');
    }
    case SDB_E_SUB_PLAN: {
        const SdbBoundSubPlan *sp = (const SdbBoundSubPlan *)e;
        int param, n = subplan_number(ex, sp, &param);
        if (param >= 0)
            return sdb_str_appendf(s, "$%d", param);
        int column;
        const SdbExpr *outer;
        const SdbTypeOps *ops;
        return sdb_str_appendf(s, "(%sSubPlan %d)", exec_subplan_hashable(sp, &column, &outer, &ops) ? "hashed " : "",
                               n);
    }
    case SDB_E_INVALID:
    case SDB_E_COUNT:
        break;
    }
    return sdb_str_append_cstr(s, "?");
}

/* --- SubPlans inside a node's expressions -------------------------------- */


static void find_subplans(const SdbExpr *e, SubList *list);

static void find_in_list(SdbExpr *const *args, int n, SubList *list)
{
    for (int i = 0; i < n; i++)
        if (args[i] != NULL)
            find_subplans(args[i], list);
}

static void find_subplans(const SdbExpr *e, SubList *list)
{
    switch (e->tag) {
    case SDB_E_SUB_PLAN:
        if (list->n < 64)
            list->items[list->n++] = (const SdbBoundSubPlan *)e;
        if (((const SdbBoundSubPlan *)e)->test)
            find_subplans(((const SdbBoundSubPlan *)e)->test, list);
        return;
    case SDB_E_OP_EXPR: find_in_list(((const SdbBoundOpExpr *)e)->args, ((const SdbBoundOpExpr *)e)->nargs, list); return;
    case SDB_E_FUNC_EXPR:
        find_in_list(((const SdbBoundFuncExpr *)e)->args, ((const SdbBoundFuncExpr *)e)->nargs, list);
        return;
    case SDB_E_BOOL_EXPR:
        find_in_list(((const SdbBoundBoolExpr *)e)->args, ((const SdbBoundBoolExpr *)e)->nargs, list);
        return;
    case SDB_E_RELABEL_TYPE: find_subplans(((const SdbBoundRelabelType *)e)->arg, list); return;
    case SDB_E_COERCE_VIA_IO: find_subplans(((const SdbBoundCoerceViaIo *)e)->arg, list); return;
    case SDB_E_NULL_TEST: find_subplans(((const SdbBoundNullTest *)e)->arg, list); return;
    case SDB_E_BOOLEAN_TEST: find_subplans(((const SdbBoundBooleanTest *)e)->arg, list); return;
    case SDB_E_CASE_EXPR: {
        const SdbBoundCaseExpr *c = (const SdbBoundCaseExpr *)e;
        if (c->arg)
            find_subplans(c->arg, list);
        find_in_list(c->conds, c->nwhens, list);
        find_in_list(c->results, c->nwhens, list);
        if (c->defresult)
            find_subplans(c->defresult, list);
        return;
    }
    case SDB_E_COALESCE_EXPR:
        find_in_list(((const SdbBoundCoalesceExpr *)e)->args, ((const SdbBoundCoalesceExpr *)e)->nargs, list);
        return;
    case SDB_E_MIN_MAX_EXPR:
        find_in_list(((const SdbBoundMinMaxExpr *)e)->args, ((const SdbBoundMinMaxExpr *)e)->nargs, list);
        return;
    case SDB_E_SCALAR_ARRAY_OP:
        find_in_list(((const SdbBoundScalarArrayOp *)e)->args, ((const SdbBoundScalarArrayOp *)e)->nargs, list);
        return;
    case SDB_E_SUBSCRIPTING_REF:
        find_in_list(((const SdbBoundSubscriptingRef *)e)->args, ((const SdbBoundSubscriptingRef *)e)->nargs, list);
        return;
    case SDB_E_ARRAY_EXPR:
        find_in_list(((const SdbBoundArrayExpr *)e)->elements, ((const SdbBoundArrayExpr *)e)->nelements, list);
        return;
    case SDB_E_AGGREF:
        find_in_list(((const SdbBoundAggref *)e)->args, ((const SdbBoundAggref *)e)->nargs, list);
        return;
    default:
        return;
    }
}

/* The SubPlans in every expression of plan node p (not its children). */
static void node_subplans(const SdbPlan *p, SubList *list)
{
    switch (p->tag) {
    case SDB_P_SCAN: {
        const SdbPlanScan *s = (const SdbPlanScan *)p;
        find_in_list(s->filters, s->nfilters, list);
        find_in_list(s->index_eq, s->neq, list);
        break;
    }
    case SDB_P_VALUES:
        find_in_list(((const SdbPlanValues *)p)->rows, ((const SdbPlanValues *)p)->nrows * p->ncols, list);
        break;
    case SDB_P_FILTER: find_in_list(((const SdbPlanFilter *)p)->quals, ((const SdbPlanFilter *)p)->nquals, list); break;
    case SDB_P_PROJECT:
        find_in_list(((const SdbPlanProject *)p)->exprs, ((const SdbPlanProject *)p)->nexprs, list);
        break;
    case SDB_P_JOIN: find_in_list(((const SdbPlanJoin *)p)->conds, ((const SdbPlanJoin *)p)->nconds, list); break;
    case SDB_P_AGGREGATE: {
        const SdbPlanAggregate *g = (const SdbPlanAggregate *)p;
        find_in_list(g->groups, g->ngroups, list);
        find_in_list(g->aggs, g->naggs, list);
        find_in_list(g->having, g->nhaving, list);
        break;
    }
    case SDB_P_SORT: find_in_list(((const SdbPlanSort *)p)->keys, ((const SdbPlanSort *)p)->nkeys, list); break;
    case SDB_P_UPDATE: {
        const SdbPlanUpdate *u = (const SdbPlanUpdate *)p;
        find_in_list(u->set_values, u->nset, list);
        find_in_list(u->returning, u->nreturning, list);
        break;
    }
    case SDB_P_INSERT: {
        const SdbPlanInsert *i = (const SdbPlanInsert *)p;
        find_in_list(i->set_values, i->nset, list);
        find_in_list(i->returning, i->nreturning, list);
        break;
    }
    case SDB_P_DELETE:
        find_in_list(((const SdbPlanDelete *)p)->returning, ((const SdbPlanDelete *)p)->nreturning, list);
        break;
    default:
        break;
    }
}

/* A SubPlan's number, given on first sight; an uncorrelated scalar one is
 * an InitPlan whose result is $k (*param). */
static int subplan_number(Explain *ex, const SdbBoundSubPlan *sp, int *param)
{
    void *found;
    if (!sdb_hash_lookup(ex->subnums, &sp, sizeof(sp), &found)) {
        int n = ++ex->nsubplans;
        bool init = !sp->correlated && sp->kind == SDB_SUB_PLAN_KIND_EXPR;
        intptr_t packed = n | (init ? (intptr_t)(ex->nparams++ + 1) << 20 : 0);
        found = (void *)packed;
        sdb_hash_put(ex->subnums, &sp, sizeof(sp), found);
    }
    intptr_t packed = (intptr_t)found;
    *param = (int)(packed >> 20) - 1;
    return (int)(packed & 0xFFFFF);
}

/* --- nodes ---------------------------------------------------------------- */

/* A node's title: depth 0 at the margin, deeper ones "->  " after 2 + 6 *
 * (depth - 1) spaces; its details 2 + 6 * depth spaces in. */
static void indent(Explain *ex, int depth, bool arrow)
{
    int spaces = ex->shift + (arrow ? (depth > 0 ? 2 + 6 * (depth - 1) : 0) : 2 + 6 * depth);
    for (int i = 0; i < spaces; i++)
        sdb_str_append_char(ex->out, ' ');
    if (arrow && depth > 0)
        sdb_str_append_cstr(ex->out, "->  ");
}

static int width_of(const SdbPlan *p)
{
    int w = 0;
    for (int i = 0; i < p->ncols; i++) {
        const SdbTypeInfo *t = sdb_type_by_oid(p->cols[i].type);
        w += t && t->len > 0 ? t->len : 32;
    }
    return w;
}

static void header(Explain *ex, int depth, const char *title, const SdbPlan *stats_of, const SdbPlan *est)
{
    indent(ex, depth, true);
    sdb_str_append_cstr(ex->out, title);
    if (ex->costs)
        sdb_str_appendf(ex->out, "  (cost=0.00..%.2f rows=%.0f width=%d)", est->cost, est->rows, width_of(est));
    if (ex->analyze) {
        void *found = NULL;
        if (stats_of && sdb_hash_lookup(ex->sh->stats, &stats_of, sizeof(stats_of), &found)) {
            NodeStats *ns = found;
            uint64_t loops = ns->loops ? ns->loops : 1;
            sdb_str_appendf(ex->out, " (actual time=%.3f..%.3f rows=%.0f loops=%llu)", ns->first_ms / loops,
                            ns->ms / loops, (double)ns->rows / loops, (unsigned long long)ns->loops);
        } else {
            sdb_str_append_cstr(ex->out, " (never executed)");
        }
    }
    sdb_str_append_char(ex->out, '\n');
}

static NodeStats *node_stats(Explain *ex, const SdbPlan *p)
{
    void *found = NULL;
    if (!ex->analyze || !sdb_hash_lookup(ex->sh->stats, &p, sizeof(p), &found))
        return NULL;
    return found;
}

/* EXPLAIN ANALYZE: "Rows Removed by Filter: n" (per loop). */
static void detail_removed(Explain *ex, int depth, const SdbPlan *p)
{
    NodeStats *ns = node_stats(ex, p);
    if (ns == NULL)
        return;
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "Rows Removed by Filter: %.0f\n", (double)ns->removed / (ns->loops ? ns->loops : 1));
}

/* EXPLAIN ANALYZE of a Sort: "Sort Method: quicksort  Memory: 25kB". */
static void detail_sort(Explain *ex, int depth, const SdbPlan *p)
{
    NodeStats *ns = node_stats(ex, p);
    if (ns == NULL || ns->sort_method == NULL)
        return;
    indent(ex, depth, false);
    bool disk = strcmp(ns->sort_method, "external merge") == 0;
    sdb_str_appendf(ex->out, "Sort Method: %s  %s: %lldkB\n", ns->sort_method, disk ? "Disk" : "Memory",
                    (long long)ns->sort_kb);
}

static void detail_exprs(Explain *ex, int depth, const char *label, SdbExpr *const *exprs, int n, const char *sep)
{
    if (n == 0)
        return;
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "%s: ", label);
    if (n > 1 && strcmp(sep, " AND ") == 0)
        sdb_str_append_char(ex->out, '(');
    deparse_list(ex, exprs, n, sep, ex->out);
    if (n > 1 && strcmp(sep, " AND ") == 0)
        sdb_str_append_char(ex->out, ')');
    sdb_str_append_char(ex->out, '\n');
}

static void detail_keys(Explain *ex, int depth, const char *label, SdbExpr *const *keys, const int *flags, int n)
{
    if (n == 0)
        return;
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "%s: ", label);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sdb_str_append_cstr(ex->out, ", ");
        deparse(ex, keys[i], ex->out);
        int f = flags ? flags[i] : 0;
        if (f & SDB_SORT_DESC)
            sdb_str_append_cstr(ex->out, " DESC");
        if ((f & SDB_SORT_NULLS_FIRST) && !(f & SDB_SORT_DESC))
            sdb_str_append_cstr(ex->out, " NULLS FIRST");
        if ((f & SDB_SORT_NULLS_LAST) && (f & SDB_SORT_DESC))
            sdb_str_append_cstr(ex->out, " NULLS LAST");
    }
    sdb_str_append_char(ex->out, '\n');
}

static int explain_node(Explain *ex, const SdbPlan *p, int depth, const SdbPlan *stats_of);

static const char *rel_name(Explain *ex, SdbOid oid)
{
    const SdbRelation *rel = NULL;
    if (ex->ctx->catalog == NULL || sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, oid, &rel) != SDB_OK ||
        rel == NULL) {
        sdb_error_clear();
        return sdb_arena_sprintf(ex->out->arena, "rel%u", (unsigned)oid);
    }
    return rel->name;
}

static const char *join_title(const SdbPlanJoin *j)
{
    static const char *const kinds[] = {"", " Left", " Right", " Full", " Semi", " Anti"};
    static char buf[64];
    const char *algo = j->strategy == SDB_JOIN_STRATEGY_HASH && j->nkeys > 0    ? "Hash"
                       : j->strategy == SDB_JOIN_STRATEGY_MERGE && j->nkeys > 0 ? "Merge"
                                                                                : "Nested Loop";
    if (j->kind == SDB_JOIN_KIND_INNER)
        snprintf(buf, sizeof(buf), "%s%s", algo, strcmp(algo, "Nested Loop") == 0 ? "" : " Join");
    else
        snprintf(buf, sizeof(buf), "%s%s Join", algo, kinds[j->kind]);
    return buf;
}

/* "a = b" conditions of a hash or merge join. */
static void detail_key_pairs(Explain *ex, int depth, const char *label, const SdbPlanJoin *j)
{
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "%s: ", label);
    if (j->nkeys > 1)
        sdb_str_append_char(ex->out, '(');
    for (int k = 0; k < j->nkeys; k++) {
        if (k > 0)
            sdb_str_append_cstr(ex->out, " AND ");
        sdb_str_append_char(ex->out, '(');
        deparse(ex, j->left_keys[k], ex->out);
        sdb_str_append_cstr(ex->out, " = ");
        deparse(ex, j->right_keys[k], ex->out);
        sdb_str_append_char(ex->out, ')');
    }
    if (j->nkeys > 1)
        sdb_str_append_char(ex->out, ')');
    sdb_str_append_char(ex->out, '\n');
}

static int explain_join(Explain *ex, const SdbPlanJoin *j, int depth, const SdbPlan *stats_of)
{
    header(ex, depth, join_title(j), stats_of, &j->plan);
    bool keyed = (j->strategy == SDB_JOIN_STRATEGY_HASH || j->strategy == SDB_JOIN_STRATEGY_MERGE) && j->nkeys > 0;
    if (keyed)
        detail_key_pairs(ex, depth, j->strategy == SDB_JOIN_STRATEGY_HASH ? "Hash Cond" : "Merge Cond", j);
    detail_exprs(ex, depth, "Join Filter", j->conds, j->nconds, " AND ");
    if (explain_node(ex, j->left, depth + 1, j->left) != SDB_OK)
        return SDB_ERROR;
    if (j->strategy == SDB_JOIN_STRATEGY_HASH && j->nkeys > 0) {
        header(ex, depth + 1, "Hash", j->right, j->right);
        NodeStats *ns = node_stats(ex, &j->plan);
        if (ns != NULL && ns->hash_buckets > 0) {
            indent(ex, depth + 1, false);
            sdb_str_appendf(ex->out, "Buckets: %lld  Batches: %d  Memory Usage: %lldkB\n", (long long)ns->hash_buckets,
                            ns->hash_batches, (long long)ns->hash_kb);
        }
        return explain_node(ex, j->right, depth + 2, j->right);
    }
    return explain_node(ex, j->right, depth + 1, j->right);
}

/* "Index Cond: ((a = 1) AND (b >= 2))" from the index's key columns. */
static void index_cond(Explain *ex, const SdbPlanScan *s, int depth)
{
    const SdbRelation *rel = NULL;
    const SdbIndex *index = NULL;
    if (ex->ctx->catalog && sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, s->rel_oid, &rel) == SDB_OK && rel)
        for (int i = 0; i < rel->nindexes; i++)
            if (rel->indexes[i].oid == s->index_oid)
                index = &rel->indexes[i];
    int n = s->neq + (s->lower != NULL) + (s->upper != NULL);
    if (index == NULL || n == 0)
        return;
    indent(ex, depth, false);
    sdb_str_append_cstr(ex->out, "Index Cond: ");
    if (n > 1)
        sdb_str_append_char(ex->out, '(');
    for (int k = 0; k < n; k++) {
        int keyno = k < s->neq ? k : s->neq;
        const SdbExpr *value = k < s->neq ? s->index_eq[k] : (k == s->neq && s->lower) ? s->lower : s->upper;
        const char *op = k < s->neq                  ? "="
                         : (k == s->neq && s->lower) ? (s->lower_inclusive ? ">=" : ">")
                                                     : (s->upper_inclusive ? "<=" : "<");
        int attno = keyno < index->nkeys ? index->keys[keyno] - 1 : -1;
        if (k > 0)
            sdb_str_append_cstr(ex->out, " AND ");
        sdb_str_appendf(ex->out, "(%s %s ", attno >= 0 && attno < rel->natts ? rel->attrs[attno].name : "?", op);
        deparse(ex, value, ex->out);
        sdb_str_append_char(ex->out, ')');
    }
    if (n > 1)
        sdb_str_append_char(ex->out, ')');
    sdb_str_append_char(ex->out, '\n');
}

static int explain_scan(Explain *ex, const SdbPlanScan *s, int depth, const SdbPlan *stats_of)
{
    const char *rel = rel_name(ex, s->rel_oid);
    char *title;
    if (s->access == SDB_SCAN_ACCESS_SEQ) {
        title = sdb_arena_sprintf(ex->out->arena, "Seq Scan on %s", rel);
    } else {
        const SdbRelation *r = NULL;
        const char *index = NULL;
        if (ex->ctx->catalog && sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, s->rel_oid, &r) == SDB_OK && r)
            for (int i = 0; i < r->nindexes; i++)
                if (r->indexes[i].oid == s->index_oid)
                    index = r->indexes[i].name;
        title = sdb_arena_sprintf(ex->out->arena, "%s%s using %s on %s",
                                  s->access == SDB_SCAN_ACCESS_INDEX_ONLY ? "Index Only Scan" : "Index Scan",
                                  s->backward ? " Backward" : "", index ? index : "?", rel);
    }
    if (title == NULL)
        return SDB_ERROR;
    header(ex, depth, title, stats_of, &s->plan);
    if (s->access != SDB_SCAN_ACCESS_SEQ)
        index_cond(ex, s, depth);
    detail_exprs(ex, depth, "Filter", s->filters, s->nfilters, " AND ");
    if (s->nfilters > 0)
        detail_removed(ex, depth, &s->plan);
    return SDB_OK;
}

static int explain_cte(Explain *ex, int cte_id, const SdbPlan *cte, int depth)
{
    if (cte_id < 0 || cte_id >= ex->ncte || ex->cte_printed[cte_id] || cte == NULL)
        return SDB_OK;
    ex->cte_printed[cte_id] = true;
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "CTE cte%d\n", cte_id);
    ex->shift += 2;
    int rc = explain_node(ex, cte, depth + 1, cte);
    ex->shift -= 2;
    return rc;
}

/* The node's own title and details; children by the caller. */
static int explain_node(Explain *ex, const SdbPlan *p, int depth, const SdbPlan *stats_of)
{
    SdbArena *a = ex->out->arena;
    SubList subs = {.n = 0};
    switch (p->tag) {
    case SDB_P_SCAN: {
        const SdbPlanScan *s = (const SdbPlanScan *)p;
        if (explain_scan(ex, s, depth, stats_of) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_VALUES:
        header(ex, depth, "Values Scan on \"*VALUES*\"", stats_of, p);
        break;
    case SDB_P_ONE_ROW:
        header(ex, depth, "Result", stats_of, p);
        break;
    case SDB_P_FUNCTION_SCAN: {
        const SdbPlanFunctionScan *f = (const SdbPlanFunctionScan *)p;
        const char *name = f->call->tag == SDB_E_FUNC_EXPR ? ((const SdbBoundFuncExpr *)f->call)->func->name : "?";
        header(ex, depth, sdb_arena_sprintf(a, "Function Scan on %s", name), stats_of, p);
        break;
    }
    case SDB_P_FILTER: {
        /* shown as the child's Filter line, PostgreSQL has no such node */
        const SdbPlanFilter *f = (const SdbPlanFilter *)p;
        header(ex, depth, "Result", stats_of, p);
        detail_exprs(ex, depth, "Filter", f->quals, f->nquals, " AND ");
        detail_removed(ex, depth, p);
        if (explain_node(ex, f->child, depth + 1, f->child) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_PROJECT: {
        const SdbPlanProject *pr = (const SdbPlanProject *)p;
        node_subplans(p, &subs);
        if (pr->child->tag == SDB_P_ONE_ROW) {
            header(ex, depth, "Result", stats_of, p);
        } else if (explain_node(ex, pr->child, depth, stats_of) != SDB_OK) {
            return SDB_ERROR;
        }
        break;
    }
    case SDB_P_JOIN: {
        const SdbPlanJoin *j = (const SdbPlanJoin *)p;
        if (explain_join(ex, j, depth, stats_of) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_AGGREGATE: {
        const SdbPlanAggregate *g = (const SdbPlanAggregate *)p;
        const char *title = g->strategy == SDB_AGG_STRATEGY_PLAIN && g->ngroups == 0 ? "Aggregate"
                            : g->nsets > 0                                          ? "MixedAggregate"
                            : g->strategy == SDB_AGG_STRATEGY_SORTED                ? "GroupAggregate"
                                                                                    : "HashAggregate";
        header(ex, depth, title, stats_of, p);
        detail_exprs(ex, depth, "Group Key", g->groups, g->ngroups, ", ");
        detail_exprs(ex, depth, "Filter", g->having, g->nhaving, " AND ");
        if (explain_node(ex, g->child, depth + 1, g->child) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_WINDOW: {
        const SdbPlanWindow *w = (const SdbPlanWindow *)p;
        header(ex, depth, "WindowAgg", stats_of, p);
        if (explain_node(ex, w->child, depth + 1, w->child) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_SORT: {
        const SdbPlanSort *s = (const SdbPlanSort *)p;
        header(ex, depth, "Sort", stats_of, p);
        detail_keys(ex, depth, "Sort Key", s->keys, s->flags, s->nkeys);
        detail_sort(ex, depth, p);
        if (explain_node(ex, s->child, depth + 1, s->child) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_LIMIT:
        header(ex, depth, "Limit", stats_of, p);
        if (explain_node(ex, ((const SdbPlanLimit *)p)->child, depth + 1, ((const SdbPlanLimit *)p)->child) != SDB_OK)
            return SDB_ERROR;
        break;
    case SDB_P_DISTINCT: {
        const SdbPlanDistinct *d = (const SdbPlanDistinct *)p;
        header(ex, depth, d->non > 0 ? "Unique" : "HashAggregate", stats_of, p);
        if (d->non == 0) {
            SdbExpr *keys[d->child->ncols + 1];
            for (int i = 0; i < d->child->ncols; i++) {
                SdbBoundVar *v = sdb_new_bound_var(a, d->child->cols[i].type);
                if (v == NULL)
                    return SDB_ERROR;
                v->table = d->child->cols[i].table;
                v->column = d->child->cols[i].column;
                keys[i] = &v->expr;
            }
            detail_exprs(ex, depth, "Group Key", keys, d->child->ncols, ", ");
        }
        if (explain_node(ex, d->child, depth + 1, d->child) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_SET_OP: {
        const SdbPlanSetOp *s = (const SdbPlanSetOp *)p;
        static const char *const ops[] = {"Union", "Intersect", "Except"};
        bool append_only = s->op == SDB_SET_OP_KIND_UNION && s->all;
        if (append_only) {
            header(ex, depth, "Append", stats_of, p);
        } else {
            header(ex, depth,
                   s->op == SDB_SET_OP_KIND_UNION ? "HashAggregate"
                                                  : sdb_arena_sprintf(a, "HashSetOp %s%s", ops[s->op], s->all ? " All" : ""),
                   stats_of, p);
            header(ex, depth + 1, "Append", NULL, p);
            depth++;
        }
        if (explain_node(ex, s->left, depth + 1, s->left) != SDB_OK ||
            explain_node(ex, s->right, depth + 1, s->right) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_CTE_SCAN: {
        const SdbPlanCteScan *c = (const SdbPlanCteScan *)p;
        header(ex, depth, sdb_arena_sprintf(a, "CTE Scan on cte%d", c->cte_id), stats_of, p);
        if (explain_cte(ex, c->cte_id, c->cte, depth) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_RECURSIVE_UNION: {
        const SdbPlanRecursiveUnion *r = (const SdbPlanRecursiveUnion *)p;
        header(ex, depth, "Recursive Union", stats_of, p);
        if (explain_node(ex, r->anchor, depth + 1, r->anchor) != SDB_OK ||
            explain_node(ex, r->recursive, depth + 1, r->recursive) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_WORK_TABLE_SCAN:
        header(ex, depth, sdb_arena_sprintf(a, "WorkTable Scan on cte%d", ((const SdbPlanWorkTableScan *)p)->cte_id),
               stats_of, p);
        break;
    case SDB_P_INSERT:
    case SDB_P_UPDATE:
    case SDB_P_DELETE: {
        const char *verb = p->tag == SDB_P_INSERT ? "Insert" : p->tag == SDB_P_UPDATE ? "Update" : "Delete";
        SdbOid rel = p->tag == SDB_P_INSERT   ? ((const SdbPlanInsert *)p)->rel_oid
                     : p->tag == SDB_P_UPDATE ? ((const SdbPlanUpdate *)p)->rel_oid
                                              : ((const SdbPlanDelete *)p)->rel_oid;
        header(ex, depth, sdb_arena_sprintf(a, "%s on %s", verb, rel_name(ex, rel)), stats_of, p);
        if (explain_node(ex, *sdb_plan_child((SdbPlan *)p, 0), depth + 1, *sdb_plan_child((SdbPlan *)p, 0)) != SDB_OK)
            return SDB_ERROR;
        break;
    }
    case SDB_P_INVALID:
    case SDB_P_COUNT:
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "unrecognized plan node type: %d", (int)p->tag);
    }
    if (p->tag != SDB_P_PROJECT)
        node_subplans(p, &subs);
    for (int i = 0; i < subs.n; i++) {
        int param, n = subplan_number(ex, subs.items[i], &param);
        indent(ex, depth, false);
        if (param >= 0)
            sdb_str_appendf(ex->out, "InitPlan %d (returns $%d)\n", n, param);
        else
            sdb_str_appendf(ex->out, "SubPlan %d\n", n);
        ex->shift += 2;
        int rc = explain_node(ex, subs.items[i]->plan, depth + 1, subs.items[i]->plan);
        ex->shift -= 2;
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int max_cte_id(const SdbPlan *p)
{
    int m = -1;
    if (p->tag == SDB_P_CTE_SCAN) {
        m = ((const SdbPlanCteScan *)p)->cte_id;
        int inner = max_cte_id(((const SdbPlanCteScan *)p)->cte);
        m = inner > m ? inner : m;
    }
    for (int i = 0; i < sdb_plan_nchildren(p); i++) {
        int c = max_cte_id(*sdb_plan_child((SdbPlan *)p, i));
        m = c > m ? c : m;
    }
    return m;
}

int sdb_explain(SdbExecContext *ctx, SdbPlan *plan, bool analyze, bool costs, SdbStr *lines)
{
    Explain ex = {.ctx = ctx, .out = lines, .costs = costs, .analyze = analyze};
    SdbExecState *es = NULL;
    double ms = 0;
    if (analyze) {
        double start = exec_now_ms();
        es = exec_start(ctx, plan, true);
        if (es == NULL)
            return SDB_ERROR;
        for (;;) {
            SdbBatch *b;
            if (sdb_exec_next(es, &b) != SDB_OK) {
                sdb_exec_end(es);
                return SDB_ERROR;
            }
            if (b == NULL)
                break;
        }
        ms = exec_now_ms() - start;
        ex.sh = es->sh;
    }
    ex.names = sdb_hash_create(lines->arena, 64);
    ex.relnames = sdb_hash_create(lines->arena, 8);
    ex.subnums = sdb_hash_create(lines->arena, 8);
    ex.ncte = max_cte_id(plan) + 1;
    ex.cte_printed = sdb_arena_calloc(lines->arena, ex.ncte + 1, sizeof(bool));
    int rc = ex.names && ex.relnames && ex.subnums && ex.cte_printed ? SDB_OK : SDB_ERROR;
    if (rc == SDB_OK) {
        add_names(&ex, plan);
        rc = explain_node(&ex, plan, 0, plan);
    }
    if (rc == SDB_OK && analyze)
        sdb_str_appendf(lines, "Execution Time: %.3f ms\n", ms);
    if (es != NULL)
        sdb_exec_end(es);
    /* lines separated by '\n': drop the last one */
    if (rc == SDB_OK && lines->len > 0 && lines->data[lines->len - 1] == '\n')
        lines->data[--lines->len] = '\0';
    return rc;
}
