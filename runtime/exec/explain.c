/*
 * exec/explain.c: EXPLAIN [ANALYZE]'s driver.  What each operator prints
 * (title, detail lines, children under "Hash"/"Append" lines, CTE
 * sections) is declared in spec/plan.toml and generated into
 * sdb_plan_explain(), which calls back the SdbPlanExplainer here: it
 * places every line ("->  " under its parent, six more columns per level),
 * adds the estimates "(cost=... rows=... width=...)" and, with ANALYZE,
 * "(actual time=... rows=... loops=...)" and the counter lines of a run of
 * the plan, prints InitPlans/SubPlans as sections, and deparses
 * expressions with column names from the plan's headers, as PostgreSQL 15.
 */
#include "exec/exec_int.h"

#include "expr/deparse.h"
#include "sdb_casts.h"
#include "sdb_operators.h"

typedef struct Explain {
    SdbExecContext *ctx;
    SdbStr *out;
    bool costs;
    bool analyze;
    ExecShared *sh;
    SdbHash *names;         /* (table, column) -> column name */
    SdbHash *computed;      /* (table, column) of the names that are expressions */
    SdbHash *relnames;      /* binding table of a Scan -> its relation's name */
    int nscans;             /* scans in the plan (range_name): more than one qualifies names */
    SdbHash *subnums;       /* SubPlan pointer -> its number (1, 2 ...) */
    int nsubplans;
    int nparams;            /* InitPlan results $0, $1 ... */
    int shift;              /* extra indentation inside SubPlan and CTE sections */
    SdbHash *sections;      /* plans printed as a section (a CTE's, once) */
    /* the node sdb_plan_explain() is printing */
    const SdbPlan *node;
    const SdbPlan *stats_of; /* whose actual counts its title shows */
    int depth;
    int own[2];             /* its own binding tables: a scan's columns go unqualified, an
                             * Aggregate's or WindowAgg's without parentheses, as in PostgreSQL */
    bool init_done;         /* its InitPlans are printed */
    SdbStr title;           /* its title, in pieces */
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
    if (e->tag != SDB_E_VAR)
        sdb_hash_put(ex->computed, key, sizeof(key), (void *)e);
}

/* The columns of relation `oid` as binding table `table`, qualified by `name`. */
static void add_rel_names(Explain *ex, int table, SdbOid oid, const char *name)
{
    const SdbRelation *rel = NULL;
    if (ex->ctx->catalog == NULL || sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, oid, &rel) != SDB_OK ||
        rel == NULL) {
        sdb_error_clear();
        return;
    }
    for (int i = 0; i < rel->natts; i++) {
        int key[2] = {table, rel->attrs[i].attnum - 1};
        if (!sdb_hash_lookup(ex->names, key, sizeof(key), NULL))
            sdb_hash_put(ex->names, key, sizeof(key), (void *)rel->attrs[i].name);
    }
    ex->nscans++;
    sdb_hash_put(ex->relnames, &table, sizeof(table), (void *)name);
}

/* The name EXPLAIN qualifies the columns of a scan with (its alias, else
 * what it reads), and their binding table; NULL for other operators. */
static const char *range_name(Explain *ex, const SdbPlan *p, int *table)
{
    switch (p->tag) {
    case SDB_P_SCAN: {
        const SdbPlanScan *s = (const SdbPlanScan *)p;
        *table = s->table;
        return s->alias != NULL ? s->alias : rel_name(ex, s->rel_oid);
    }
    case SDB_P_FUNCTION_SCAN: {
        const SdbPlanFunctionScan *f = (const SdbPlanFunctionScan *)p;
        *table = f->table;
        return f->alias != NULL                 ? f->alias
               : f->call->tag == SDB_E_FUNC_EXPR ? ((const SdbBoundFuncExpr *)f->call)->func->name
                                                 : NULL;
    }
    case SDB_P_CTE_SCAN: {
        const SdbPlanCteScan *c = (const SdbPlanCteScan *)p;
        *table = c->table;
        return c->alias != NULL ? c->alias : c->name;
    }
    case SDB_P_WORK_TABLE_SCAN: {
        const SdbPlanWorkTableScan *w = (const SdbPlanWorkTableScan *)p;
        *table = w->table;
        return w->alias != NULL ? w->alias : w->name;
    }
    default:
        return NULL;
    }
}

/* First pass: the names that qualify columns (scans, INSERT's target and
 * "excluded"), counted before any expression is deparsed. */
static void add_range_names(Explain *ex, const SdbPlan *p)
{
    int table;
    const char *range = range_name(ex, p, &table);
    if (range != NULL) {
        ex->nscans++;
        sdb_hash_put(ex->relnames, &table, sizeof(table), (void *)range);
    }
    if (p->tag == SDB_P_INSERT) {
        const SdbPlanInsert *ins = (const SdbPlanInsert *)p;
        add_rel_names(ex, ins->table, ins->rel_oid, rel_name(ex, ins->rel_oid));
        if (ins->on_conflict != SDB_CONFLICT_ACTION_NONE)
            add_rel_names(ex, ins->excluded_table, ins->rel_oid, "excluded");
    }
}

/* Second pass: (table, column) -> the text of the column. */
static void add_column_names(Explain *ex, const SdbPlan *p)
{
    if (p->tag == SDB_P_AGGREGATE) {
        const SdbPlanAggregate *g = (const SdbPlanAggregate *)p;
        for (int i = 0; i < g->ngroups; i++)
            add_expr_name(ex, g->group_table, i, g->groups[i]);
        for (int i = 0; i < g->naggs; i++)
            add_expr_name(ex, g->agg_table, i, g->aggs[i]);
    }
    if (p->tag == SDB_P_PROJECT) {
        /* as PostgreSQL shows a pulled-up subquery's columns: what computes them */
        const SdbPlanProject *pr = (const SdbPlanProject *)p;
        for (int i = 0; i < pr->nexprs; i++)
            add_expr_name(ex, pr->table, i, pr->exprs[i]);
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
}

/* `add` on every node of the plan, children first (an aggregate's text
 * uses their names), CTE plans (children of their scans) and SubPlan
 * plans included. */
/* The binding tables node p makes itself (-1: none). */
static void own_tables(Explain *ex, const SdbPlan *p, int own[2])
{
    own[0] = own[1] = -1;
    if (p->tag == SDB_P_AGGREGATE) {
        own[0] = ((const SdbPlanAggregate *)p)->group_table;
        own[1] = ((const SdbPlanAggregate *)p)->agg_table;
    } else if (p->tag == SDB_P_WINDOW) {
        own[0] = ((const SdbPlanWindow *)p)->table;
    } else {
        range_name(ex, p, &own[0]);
    }
}

static void add_names(Explain *ex, const SdbPlan *p, void (*add)(Explain *, const SdbPlan *))
{
    for (int i = 0; i < sdb_plan_nchildren(p); i++) {
        const SdbPlan *child = *sdb_plan_child((SdbPlan *)p, i);
        if (child != NULL)
            add_names(ex, child, add);
    }
    add(ex, p);
    SubList subs = {.n = 0};
    node_subplans(p, &subs);
    for (int i = 0; i < subs.n; i++)
        add_names(ex, subs.items[i]->plan, add);
}

/* "::type" with PostgreSQL's name of the type ("integer"). */
static int type_label(SdbStr *s, SdbOid type)
{
    sdb_str_append_cstr(s, "::");
    return sdb_format_type(s, type, -1, false);
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
    sdb_str_append_char(s, '\'');
    return type_label(s, t);
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
        /* a column an operator below computes: in parentheses, as
         * PostgreSQL prints a reference to a subplan's expression */
        const SdbBoundVar *v = (const SdbBoundVar *)e;
        int key[2] = {v->table, v->column};
        void *name, *rel;
        bool own = v->table == ex->own[0] || v->table == ex->own[1];
        if (ex->nscans > 1 && !own && sdb_hash_lookup(ex->relnames, &v->table, sizeof(v->table), &rel))
            sdb_str_appendf(s, "%s.", (const char *)rel);
        if (!sdb_hash_lookup(ex->names, key, sizeof(key), &name))
            return sdb_str_appendf(s, v->column < 0 ? "ctid" : "col%d_%d", v->table, v->column);
        if (!own && sdb_hash_lookup(ex->computed, key, sizeof(key), NULL))
            return sdb_str_appendf(s, "(%s)", (const char *)name);
        return sdb_str_append_cstr(s, name);
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
            sdb_str_append_char(s, ')');
            return type_label(s, e->type);
        }
        return deparse_call(ex, f->func->name, f->args, f->nargs, s);
    }
    case SDB_E_AGGREF: {
        const SdbBoundAggref *a = (const SdbBoundAggref *)e;
        if (a->star) {
            sdb_str_appendf(s, "%s(*)", a->func->name);
        } else {
            sdb_str_appendf(s, "%s(%s", a->func->name, a->distinct ? "DISTINCT " : "");
            deparse_list(ex, a->args, a->nargs, ", ", s);
            sdb_str_append_char(s, ')');
        }
        if (a->filter == NULL)
            return SDB_OK;
        sdb_str_append_cstr(s, " FILTER (WHERE ");
        deparse(ex, a->filter, s);
        return sdb_str_append_char(s, ')');
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
        sdb_str_append_char(s, ')');
        return type_label(s, e->type);
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
        for (int i = 0; i < list->n; i++)
            if (list->items[i] == (const SdbBoundSubPlan *)e)
                return; /* an expression two fields share */
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

static void collect_subplans(void *arg, SdbExpr *e)
{
    find_subplans(e, arg);
}

/* The SubPlans in every expression of plan node p (not its children). */
static void node_subplans(const SdbPlan *p, SubList *list)
{
    sdb_plan_walk_exprs(p, collect_subplans, list);
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

static NodeStats *node_stats(Explain *ex, const SdbPlan *p)
{
    void *found = NULL;
    if (!ex->analyze || p == NULL || !sdb_hash_lookup(ex->sh->stats, &p, sizeof(p), &found))
        return NULL;
    return found;
}

/* A title line: estimates of `est`, with ANALYZE the actual counts of
 * `stats_of` (none when NULL). */
static void header(Explain *ex, int depth, const char *title, const SdbPlan *stats_of, const SdbPlan *est)
{
    indent(ex, depth, true);
    sdb_str_append_cstr(ex->out, title);
    if (ex->costs)
        sdb_str_appendf(ex->out, "  (cost=0.00..%.2f rows=%.0f width=%d)", est->cost, est->rows, width_of(est));
    if (ex->analyze && stats_of != NULL) {
        NodeStats *ns = node_stats(ex, stats_of);
        if (ns != NULL) {
            uint64_t loops = ns->loops ? ns->loops : 1;
            sdb_str_appendf(ex->out, " (actual time=%.3f..%.3f rows=%.0f loops=%llu)", ns->first_ms / loops,
                            ns->ms / loops, (double)ns->rows / loops, (unsigned long long)ns->loops);
        } else {
            sdb_str_append_cstr(ex->out, " (never executed)");
        }
    }
    sdb_str_append_char(ex->out, '\n');
}

/* The start of a detail line of the current node: "Title: ". */
static void detail_start(Explain *ex, int depth, const char *title)
{
    indent(ex, depth, false);
    sdb_str_appendf(ex->out, "%s: ", title);
}

/* EXPLAIN ANALYZE lines from the counters of node `p`, printed at `depth`. */
static int counter_line(Explain *ex, int depth, const SdbPlan *p, SdbPlanExplainCounter counter)
{
    NodeStats *ns = node_stats(ex, p);
    if (ns == NULL)
        return SDB_OK;
    switch (counter) {
    case SDB_PLAN_EXPLAIN_REMOVED:
        detail_start(ex, depth, "Rows Removed by Filter");
        return sdb_str_appendf(ex->out, "%.0f\n", (double)ns->removed / (ns->loops ? ns->loops : 1));
    case SDB_PLAN_EXPLAIN_SORT:
        if (ns->sort_method == NULL)
            return SDB_OK;
        detail_start(ex, depth, "Sort Method");
        return sdb_str_appendf(ex->out, "%s  %s: %lldkB\n", ns->sort_method,
                               strcmp(ns->sort_method, "external merge") == 0 ? "Disk" : "Memory",
                               (long long)ns->sort_kb);
    case SDB_PLAN_EXPLAIN_HASH:
        if (ns->hash_buckets <= 0)
            return SDB_OK;
        indent(ex, depth, false);
        return sdb_str_appendf(ex->out, "Buckets: %lld  Batches: %d  Memory Usage: %lldkB\n",
                               (long long)ns->hash_buckets, ns->hash_batches, (long long)ns->hash_kb);
    case SDB_PLAN_EXPLAIN_NONE:
        break;
    }
    return SDB_OK;
}

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

static int explain_node(Explain *ex, const SdbPlan *p, int depth, const SdbPlan *stats_of);
static int section(Explain *ex, const char *title, const SdbPlan *plan);
static int x_children_start(void *arg);

/* --- the SdbPlanExplainer the generated sdb_plan_explain() drives -------- */

static void x_text(void *arg, const char *text)
{
    sdb_str_append_cstr(&((Explain *)arg)->title, text);
}

static void x_number(void *arg, long long value)
{
    sdb_str_appendf(&((Explain *)arg)->title, "%lld", value);
}

static void x_relation(void *arg, SdbOid oid)
{
    Explain *ex = arg;
    sdb_str_append_cstr(&ex->title, rel_name(ex, oid));
}

static void x_function(void *arg, const SdbExpr *call)
{
    x_text(arg, call->tag == SDB_E_FUNC_EXPR ? ((const SdbBoundFuncExpr *)call)->func->name : "?");
}

static void x_alias(void *arg, const char *alias)
{
    if (alias != NULL)
        sdb_str_appendf(&((Explain *)arg)->title, " %s", alias);
}

static int x_title(void *arg)
{
    Explain *ex = arg;
    header(ex, ex->depth, ex->title.data, ex->stats_of, ex->node);
    sdb_str_init(&ex->title, ex->out->arena);
    return SDB_OK;
}

static int x_exprs(void *arg, const char *title, SdbExpr *const *exprs, int n, const char *sep)
{
    Explain *ex = arg;
    if (n == 0)
        return SDB_OK;
    bool parens = n > 1 && strcmp(sep, " AND ") == 0;
    detail_start(ex, ex->depth, title);
    if (parens)
        sdb_str_append_char(ex->out, '(');
    if (deparse_list(ex, exprs, n, sep, ex->out) != SDB_OK)
        return SDB_ERROR;
    if (parens)
        sdb_str_append_char(ex->out, ')');
    return sdb_str_append_char(ex->out, '\n');
}

static int x_sort_keys(void *arg, const char *title, SdbExpr *const *keys, const int *flags, int n)
{
    Explain *ex = arg;
    if (n == 0)
        return SDB_OK;
    detail_start(ex, ex->depth, title);
    for (int i = 0; i < n; i++) {
        /* a key computed for the sort: in parentheses, as PostgreSQL shows it */
        bool computed = keys[i]->tag != SDB_E_VAR;
        if (i > 0)
            sdb_str_append_cstr(ex->out, ", ");
        if (computed)
            sdb_str_append_char(ex->out, '(');
        if (deparse(ex, keys[i], ex->out) != SDB_OK)
            return SDB_ERROR;
        if (computed)
            sdb_str_append_char(ex->out, ')');
        int f = flags ? flags[i] : 0;
        if (f & SDB_SORT_DESC)
            sdb_str_append_cstr(ex->out, " DESC");
        if ((f & SDB_SORT_NULLS_FIRST) && !(f & SDB_SORT_DESC))
            sdb_str_append_cstr(ex->out, " NULLS FIRST");
        if ((f & SDB_SORT_NULLS_LAST) && (f & SDB_SORT_DESC))
            sdb_str_append_cstr(ex->out, " NULLS LAST");
    }
    return sdb_str_append_char(ex->out, '\n');
}

/* "(l1 = r1)", or "((l1 = r1) AND (l2 = r2))". */
static int x_key_pairs(void *arg, const char *title, SdbExpr *const *left, SdbExpr *const *right, int n)
{
    Explain *ex = arg;
    if (n == 0)
        return SDB_OK;
    detail_start(ex, ex->depth, title);
    if (n > 1)
        sdb_str_append_char(ex->out, '(');
    for (int k = 0; k < n; k++) {
        sdb_str_append_cstr(ex->out, k > 0 ? " AND (" : "(");
        if (deparse(ex, left[k], ex->out) != SDB_OK)
            return SDB_ERROR;
        sdb_str_append_cstr(ex->out, " = ");
        if (deparse(ex, right[k], ex->out) != SDB_OK)
            return SDB_ERROR;
        sdb_str_append_char(ex->out, ')');
    }
    if (n > 1)
        sdb_str_append_char(ex->out, ')');
    return sdb_str_append_char(ex->out, '\n');
}

/* The output columns of `of`, as Vars; a Project's (which EXPLAIN does not
 * show) as the expressions computing them. */
static int x_columns(void *arg, const char *title, const SdbPlan *of)
{
    Explain *ex = arg;
    if (of->tag == SDB_P_PROJECT)
        return x_exprs(arg, title, ((const SdbPlanProject *)of)->exprs, ((const SdbPlanProject *)of)->nexprs, ", ");
    SdbExpr **vars = sdb_arena_calloc(ex->out->arena, (size_t)of->ncols + 1, sizeof(SdbExpr *));
    if (vars == NULL)
        return SDB_ERROR;
    for (int i = 0; i < of->ncols; i++) {
        SdbBoundVar *v = sdb_new_bound_var(ex->out->arena, of->cols[i].type);
        if (v == NULL)
            return SDB_ERROR;
        v->table = of->cols[i].table;
        v->column = of->cols[i].column;
        vars[i] = &v->expr;
    }
    return x_exprs(arg, title, vars, of->ncols, ", ");
}

/* One line per non-empty grouping set: its group expressions. */
static int x_sets(void *arg, const char *title, const int *sets, int nsets, SdbExpr *const *groups, int ngroups)
{
    Explain *ex = arg;
    for (int s = 0; s < nsets; s++) {
        if (sets[s] == 0)
            continue;
        detail_start(ex, ex->depth, title);
        bool first = true;
        for (int g = 0; g < ngroups && g < 31; g++) {
            if (!(sets[s] & (1 << g)))
                continue;
            if (!first)
                sdb_str_append_cstr(ex->out, ", ");
            first = false;
            if (deparse(ex, groups[g], ex->out) != SDB_OK)
                return SDB_ERROR;
        }
        sdb_str_append_char(ex->out, '\n');
    }
    return SDB_OK;
}

static int x_relation_line(void *arg, const char *title, SdbOid oid)
{
    Explain *ex = arg;
    detail_start(ex, ex->depth, title);
    return sdb_str_appendf(ex->out, "%s\n", rel_name(ex, oid));
}

static int x_line(void *arg, const char *title, const char *text)
{
    Explain *ex = arg;
    detail_start(ex, ex->depth, title);
    return sdb_str_appendf(ex->out, "%s\n", text);
}

/* "(a = 1)", "((a = 1) AND (b >= 2))": the index's key columns compared
 * with the values the scan looks up. */
static int x_index_cond(void *arg, const char *title, SdbOid index_oid, SdbExpr *const *eq, int neq,
                        const SdbExpr *lower, bool lower_inclusive, const SdbExpr *upper, bool upper_inclusive)
{
    Explain *ex = arg;
    const SdbRelation *irel = NULL, *rel = NULL;
    const SdbIndex *index = NULL;
    if (ex->ctx->catalog && sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, index_oid, &irel) == SDB_OK &&
        irel && sdb_catalog_relation(ex->ctx->catalog, ex->ctx->txn, irel->index_table, &rel) == SDB_OK && rel)
        for (int i = 0; i < rel->nindexes; i++)
            if (rel->indexes[i].oid == index_oid)
                index = &rel->indexes[i];
    sdb_error_clear();
    int n = neq + (lower != NULL) + (upper != NULL);
    if (index == NULL || n == 0)
        return SDB_OK;
    detail_start(ex, ex->depth, title);
    if (n > 1)
        sdb_str_append_char(ex->out, '(');
    for (int k = 0; k < n; k++) {
        int keyno = k < neq ? k : neq;
        const SdbExpr *value = k < neq ? eq[k] : (k == neq && lower) ? lower : upper;
        const char *op = k < neq                  ? "="
                         : (k == neq && lower) ? (lower_inclusive ? ">=" : ">")
                                                  : (upper_inclusive ? "<=" : "<");
        int attno = keyno < index->nkeys ? index->keys[keyno] - 1 : -1;
        if (k > 0)
            sdb_str_append_cstr(ex->out, " AND ");
        sdb_str_appendf(ex->out, "(%s %s ", attno >= 0 && attno < rel->natts ? rel->attrs[attno].name : "?", op);
        if (deparse(ex, value, ex->out) != SDB_OK)
            return SDB_ERROR;
        sdb_str_append_char(ex->out, ')');
    }
    if (n > 1)
        sdb_str_append_char(ex->out, ')');
    return sdb_str_append_char(ex->out, '\n');
}

static int x_analyze(void *arg, SdbPlanExplainCounter counter)
{
    Explain *ex = arg;
    return counter_line(ex, ex->depth, ex->node, counter);
}

/* A line of no operator of ours ("Hash", "Append"): the estimates and
 * actual counts of `stats_of` (NULL: the current node's estimates, no
 * actual counts), the counter of the current node. */
static int x_wrapper(void *arg, const char *label, int level, const SdbPlan *stats_of, SdbPlanExplainCounter counter)
{
    Explain *ex = arg;
    header(ex, ex->depth + level, label, stats_of, stats_of != NULL ? stats_of : ex->node);
    return counter_line(ex, ex->depth + level, ex->node, counter);
}

static int x_child(void *arg, const SdbPlan *child, int level)
{
    Explain *ex = arg;
    if (child == NULL)
        return SDB_OK;
    int depth = ex->depth, own[2] = {ex->own[0], ex->own[1]};
    bool init_done = ex->init_done;
    const SdbPlan *node = ex->node, *stats_of = ex->stats_of;
    int rc = explain_node(ex, child, depth + level, level == 0 ? stats_of : child);
    ex->depth = depth;
    ex->own[0] = own[0];
    ex->own[1] = own[1];
    ex->init_done = init_done;
    ex->node = node;
    ex->stats_of = stats_of;
    return rc;
}

/* A section under the current node ("CTE q", "SubPlan 1"): `plan` one level
 * down, two columns further in. */
static int section(Explain *ex, const char *title, const SdbPlan *plan)
{
    indent(ex, ex->depth, false);
    sdb_str_appendf(ex->out, "%s\n", title);
    ex->shift += 2;
    int rc = x_child(ex, plan, 1);
    ex->shift -= 2;
    return rc;
}

static int x_section(void *arg, const SdbPlan *plan)
{
    Explain *ex = arg;
    const char *title = ex->title.data;
    sdb_str_init(&ex->title, ex->out->arena);
    if (plan == NULL || sdb_hash_lookup(ex->sections, &plan, sizeof(plan), NULL))
        return SDB_OK;
    sdb_hash_put(ex->sections, &plan, sizeof(plan), (void *)plan);
    return section(ex, title, plan);
}

static const SdbPlanExplainer explainer = {
    .text = x_text,
    .number = x_number,
    .relation = x_relation,
    .function = x_function,
    .alias = x_alias,
    .title = x_title,
    .exprs = x_exprs,
    .sort_keys = x_sort_keys,
    .key_pairs = x_key_pairs,
    .columns = x_columns,
    .sets = x_sets,
    .relation_line = x_relation_line,
    .line = x_line,
    .index_cond = x_index_cond,
    .analyze = x_analyze,
    .wrapper = x_wrapper,
    .children_start = x_children_start,
    .child = x_child,
    .section = x_section,
};

/* The SubPlans of node p's expressions as sections: the InitPlans (`init`)
 * or the others. */
static int subplan_sections(Explain *ex, const SdbPlan *p, bool init)
{
    SubList subs = {.n = 0};
    node_subplans(p, &subs);
    for (int i = 0; i < subs.n; i++) {
        int param, n = subplan_number(ex, subs.items[i], &param);
        if ((param >= 0) != init)
            continue;
        const char *title = init ? sdb_arena_sprintf(ex->out->arena, "InitPlan %d (returns $%d)", n, param)
                                 : sdb_arena_sprintf(ex->out->arena, "SubPlan %d", n);
        if (title == NULL || section(ex, title, subs.items[i]->plan) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* After the detail lines, before the children: InitPlans, as PostgreSQL
 * prints them. */
static int x_children_start(void *arg)
{
    Explain *ex = arg;
    ex->init_done = true;
    return subplan_sections(ex, ex->node, true);
}

/* Node p at `depth` (its actual counts from stats_of): its InitPlans
 * before its children, its other SubPlans after them. */
static int explain_node(Explain *ex, const SdbPlan *p, int depth, const SdbPlan *stats_of)
{
    if (p->tag <= SDB_P_INVALID || p->tag >= SDB_P_COUNT)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "unrecognized plan node type: %d", (int)p->tag);
    SdbPlanExplainer x = explainer;
    x.arg = ex;
    own_tables(ex, p, ex->own);
    ex->depth = depth;
    ex->node = p;
    ex->stats_of = stats_of;
    ex->init_done = false;
    if (sdb_plan_explain(p, &x) != SDB_OK)
        return SDB_ERROR;
    if (!ex->init_done && subplan_sections(ex, p, true) != SDB_OK)
        return SDB_ERROR;
    return subplan_sections(ex, p, false);
}

int sdb_explain(SdbExecContext *ctx, SdbPlan *plan, bool analyze, bool costs, SdbStr *lines)
{
    Explain ex = {.ctx = ctx, .out = lines, .costs = costs, .analyze = analyze, .own = {-1, -1}};
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
    ex.computed = sdb_hash_create(lines->arena, 16);
    ex.relnames = sdb_hash_create(lines->arena, 8);
    ex.subnums = sdb_hash_create(lines->arena, 8);
    ex.sections = sdb_hash_create(lines->arena, 8);
    sdb_str_init(&ex.title, lines->arena);
    int rc = ex.names && ex.computed && ex.relnames && ex.subnums && ex.sections ? SDB_OK : SDB_ERROR;
    if (rc == SDB_OK) {
        add_names(&ex, plan, add_range_names);
        add_names(&ex, plan, add_column_names);
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
