/*
 * test_analyze.c: the analyzer (runtime/sql/analyze.h) against the cases
 * of tests/unit/analyze_cases.txt: SQL -> plan outline (operators with
 * their output columns as binding:name:type and their bound expressions)
 * or the error (SQLSTATE, position, message) PostgreSQL reports.
 *
 * analyze_cases.txt: cases separated by blank lines; '#' lines between
 * cases are comments.  A case is SQL (one or more lines) followed by
 *     => LINE          the outline, one line each (parameters inferred for
 *                      $n come first as "=> params: TYPE ...")
 * or by
 *     !! SQLSTATE POSITION MESSAGE
 *
 * Other statements (CREATE TABLE ...) run as DDL in the test's database
 * ("=> CREATE TABLE"), so that later cases see the tables; each case runs in
 * its own transaction.
 *
 * `test_analyze --print` writes the case file back with the results of
 * this build in place of the expectations (to review, then keep).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "common/error.h"
#include "common/str.h"
#include "config/settings.h"
#include "case_file.h"
#include "harness.h"
#include "storage/engine.h"
#include "txn/xact.h"
#include "plan/plan.h"
#include "sql/analyze.h"
#include "sql/parser.h"
#include "types/typeio.h"
#include "sdb_functions.h"
#include "sdb_operators.h"

#define MAX_PARAMS 16


static SdbArena *arena;
static char dir[512];
static SdbEngine *engine;
static SdbXactManager *xm;
static SdbCatalog *catalog;
static const char *const search_path[] = {"$user", "public"};

/* ---- printing plans ---- */

typedef struct Printer {
    SdbStr *out;
    const SdbPlan *subplans[64];
    int nsub;
} Printer;

static void print_expr(Printer *p, const SdbExpr *e);

static const char *type_name(SdbOid type)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info ? info->name : "?";
}

static void print_list(Printer *p, SdbExpr *const *exprs, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sdb_str_append_cstr(p->out, ", ");
        print_expr(p, exprs[i]);
    }
}

static void print_sort(Printer *p, SdbExpr *const *keys, const int *flags, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sdb_str_append_cstr(p->out, ", ");
        print_expr(p, keys[i]);
        if (flags[i] & SDB_SORT_DESC)
            sdb_str_append_cstr(p->out, " DESC");
        if (flags[i] & SDB_SORT_NULLS_FIRST)
            sdb_str_append_cstr(p->out, " NULLS FIRST");
        if (flags[i] & SDB_SORT_NULLS_LAST)
            sdb_str_append_cstr(p->out, " NULLS LAST");
    }
}

static void print_const(Printer *p, const SdbBoundConst *c)
{
    if (c->isnull) {
        sdb_str_appendf(p->out, "NULL::%s", type_name(c->expr.type));
        return;
    }
    SdbTypeCtx tctx = {.arena = arena, .typid = c->expr.type, .typmod = c->expr.typmod};
    SdbStr text;
    sdb_str_init(&text, arena);
    if (sdb_type_output(&tctx, c->value, &text) != SDB_OK)
        sdb_str_append_cstr(&text, "?");
    sdb_str_appendf(p->out, "'%s'::%s", text.data ? text.data : "", type_name(c->expr.type));
}

static void print_window(Printer *p, const SdbBoundWindowFunc *w)
{
    static const char *const modes[] = {"RANGE", "ROWS", "GROUPS"};
    static const char *const bounds[] = {"UNBOUNDED PRECEDING", "PRECEDING", "CURRENT ROW", "FOLLOWING",
                                         "UNBOUNDED FOLLOWING"};
    sdb_str_appendf(p->out, "win:%s(", w->func->name);
    if (w->star)
        sdb_str_append_char(p->out, '*');
    print_list(p, w->args, w->nargs);
    sdb_str_append_cstr(p->out, ") OVER (");
    if (w->npartition > 0) {
        sdb_str_append_cstr(p->out, "PARTITION BY ");
        print_list(p, w->partition, w->npartition);
        sdb_str_append_char(p->out, ' ');
    }
    if (w->norder > 0) {
        sdb_str_append_cstr(p->out, "ORDER BY ");
        print_sort(p, w->order, w->order_flags, w->norder);
        sdb_str_append_char(p->out, ' ');
    }
    sdb_str_appendf(p->out, "%s ", modes[w->frame_mode]);
    if (w->start_offset)
        print_expr(p, w->start_offset), sdb_str_append_char(p->out, ' ');
    sdb_str_appendf(p->out, "%s AND ", bounds[w->frame_start]);
    if (w->end_offset)
        print_expr(p, w->end_offset), sdb_str_append_char(p->out, ' ');
    sdb_str_appendf(p->out, "%s)", bounds[w->frame_end]);
}

static void print_aggref(Printer *p, const SdbBoundAggref *a)
{
    sdb_str_appendf(p->out, "agg:%s(%s", a->func->name, a->distinct ? "DISTINCT " : "");
    if (a->star)
        sdb_str_append_char(p->out, '*');
    print_list(p, a->args, a->nargs);
    if (a->norder > 0) {
        sdb_str_append_cstr(p->out, " ORDER BY ");
        print_sort(p, a->order, a->order_flags, a->norder);
    }
    sdb_str_append_char(p->out, ')');
    if (a->filter) {
        sdb_str_append_cstr(p->out, " FILTER ");
        print_expr(p, a->filter);
    }
}

static void print_subplan(Printer *p, const SdbBoundSubPlan *s)
{
    static const char *const kinds[] = {"expr", "exists", "any", "all", "array"};
    int k = p->nsub < 64 ? p->nsub++ : 63;
    p->subplans[k] = s->plan;
    sdb_str_appendf(p->out, "SubPlan%d:%s%s", k, kinds[s->kind], s->correlated ? ":correlated" : "");
    if (s->test) {
        sdb_str_append_char(p->out, '(');
        print_expr(p, s->test);
        sdb_str_append_char(p->out, ')');
    }
    sdb_str_appendf(p->out, "::%s", type_name(s->expr.type));
}

static void print_expr(Printer *p, const SdbExpr *e)
{
    SdbStr *out = p->out;
    if (e == NULL) {
        sdb_str_append_cstr(out, "-");
        return;
    }
    switch (e->tag) {
    case SDB_E_VAR: {
        const SdbBoundVar *v = (const SdbBoundVar *)e;
        sdb_str_appendf(out, "%d.%d", v->table, v->column);
        if (v->levelsup)
            sdb_str_appendf(out, "^%d", v->levelsup);
        break;
    }
    case SDB_E_CONST: print_const(p, (const SdbBoundConst *)e); break;
    case SDB_E_PARAM: sdb_str_appendf(out, "$%d::%s", ((const SdbBoundParam *)e)->number, type_name(e->type)); break;
    case SDB_E_FUNC_EXPR: {
        const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)e;
        sdb_str_appendf(out, "%s(", f->func->name);
        print_list(p, f->args, f->nargs);
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_E_OP_EXPR: {
        const SdbBoundOpExpr *o = (const SdbBoundOpExpr *)e;
        const SdbOperInfo *info = sdb_oper_by_oid(o->opno);
        sdb_str_append_char(out, '(');
        if (o->nargs == 2)
            print_expr(p, o->args[0]), sdb_str_append_char(out, ' ');
        sdb_str_appendf(out, "%s ", info ? info->name : "?");
        print_expr(p, o->args[o->nargs - 1]);
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_E_RELABEL_TYPE:
        print_expr(p, ((const SdbBoundRelabelType *)e)->arg);
        sdb_str_appendf(out, "::%s", type_name(e->type));
        break;
    case SDB_E_COERCE_VIA_IO:
        sdb_str_append_cstr(out, "io(");
        print_expr(p, ((const SdbBoundCoerceViaIo *)e)->arg);
        sdb_str_appendf(out, ")::%s", type_name(e->type));
        break;
    case SDB_E_BOOL_EXPR: {
        static const char *const ops[] = {" AND ", " OR ", "NOT "};
        const SdbBoundBoolExpr *b = (const SdbBoundBoolExpr *)e;
        sdb_str_append_char(out, '(');
        for (int i = 0; i < b->nargs; i++) {
            if (i > 0 || b->boolop == SDB_EXPR_BOOL_OP_NOT)
                sdb_str_append_cstr(out, ops[b->boolop]);
            print_expr(p, b->args[i]);
        }
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_E_NULL_TEST:
        sdb_str_append_char(out, '(');
        print_expr(p, ((const SdbBoundNullTest *)e)->arg);
        sdb_str_append_cstr(out, ((const SdbBoundNullTest *)e)->nulltesttype ? " IS NOT NULL)" : " IS NULL)");
        break;
    case SDB_E_CASE_EXPR: {
        const SdbBoundCaseExpr *c = (const SdbBoundCaseExpr *)e;
        sdb_str_append_cstr(out, "CASE");
        if (c->arg)
            sdb_str_append_char(out, ' '), print_expr(p, c->arg);
        for (int i = 0; i < c->nwhens; i++) {
            sdb_str_append_cstr(out, " WHEN ");
            print_expr(p, c->conds[i]);
            sdb_str_append_cstr(out, " THEN ");
            print_expr(p, c->results[i]);
        }
        if (c->defresult)
            sdb_str_append_cstr(out, " ELSE "), print_expr(p, c->defresult);
        sdb_str_append_cstr(out, " END");
        break;
    }
    case SDB_E_CASE_TEST: sdb_str_append_cstr(out, "casetest"); break;
    case SDB_E_COALESCE_EXPR:
        sdb_str_append_cstr(out, "COALESCE(");
        print_list(p, ((const SdbBoundCoalesceExpr *)e)->args, ((const SdbBoundCoalesceExpr *)e)->nargs);
        sdb_str_append_char(out, ')');
        break;
    case SDB_E_SCALAR_ARRAY_OP: {
        const SdbBoundScalarArrayOp *s = (const SdbBoundScalarArrayOp *)e;
        sdb_str_appendf(out, "%s %s(", s->func->name, s->use_or ? "ANY" : "ALL");
        print_list(p, s->args, s->nargs);
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_E_AGGREF: print_aggref(p, (const SdbBoundAggref *)e); break;
    case SDB_E_WINDOW_FUNC: print_window(p, (const SdbBoundWindowFunc *)e); break;
    case SDB_E_GROUPING_FUNC: {
        const SdbBoundGroupingFunc *g = (const SdbBoundGroupingFunc *)e;
        sdb_str_append_cstr(out, "GROUPING(");
        for (int i = 0; i < g->nrefs; i++)
            sdb_str_appendf(out, "%s%d", i ? ", " : "", g->refs[i]);
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_E_SUB_PLAN: print_subplan(p, (const SdbBoundSubPlan *)e); break;
    case SDB_E_ARRAY_EXPR:
        sdb_str_append_cstr(out, "ARRAY[");
        print_list(p, ((const SdbBoundArrayExpr *)e)->elements, ((const SdbBoundArrayExpr *)e)->nelements);
        sdb_str_appendf(out, "]::%s", type_name(e->type));
        break;
    default: sdb_str_appendf(out, "%s(...)", sdb_expr_tag_name(e->tag)); break;
    }
}

static void field(Printer *p, const char *name, SdbExpr *const *exprs, int n)
{
    if (n == 0)
        return;
    sdb_str_appendf(p->out, " %s=(", name);
    print_list(p, exprs, n);
    sdb_str_append_char(p->out, ')');
}

static void print_fields(Printer *p, const SdbPlan *plan)
{
    static const char *const joins[] = {"inner", "left", "right", "full", "semi", "anti"};
    static const char *const setops[] = {"union", "intersect", "except"};
    SdbStr *out = p->out;
    switch (plan->tag) {
    case SDB_P_SCAN: sdb_str_appendf(out, " rel=%u", (unsigned)((const SdbPlanScan *)plan)->rel_oid); break;
    case SDB_P_VALUES: {
        const SdbPlanValues *v = (const SdbPlanValues *)plan;
        for (int r = 0; r < v->nrows; r++)
            field(p, "row", v->rows + (size_t)r * (size_t)plan->ncols, plan->ncols);
        break;
    }
    case SDB_P_FUNCTION_SCAN: {
        const SdbPlanFunctionScan *f = (const SdbPlanFunctionScan *)plan;
        sdb_str_append_cstr(out, " call=");
        print_expr(p, f->call);
        break;
    }
    case SDB_P_FILTER: field(p, "quals", ((const SdbPlanFilter *)plan)->quals, ((const SdbPlanFilter *)plan)->nquals); break;
    case SDB_P_PROJECT: field(p, "exprs", ((const SdbPlanProject *)plan)->exprs, ((const SdbPlanProject *)plan)->nexprs); break;
    case SDB_P_JOIN: {
        const SdbPlanJoin *j = (const SdbPlanJoin *)plan;
        sdb_str_appendf(out, " %s%s", joins[j->kind], j->lateral ? " lateral" : "");
        field(p, "conds", j->conds, j->nconds);
        break;
    }
    case SDB_P_AGGREGATE: {
        const SdbPlanAggregate *a = (const SdbPlanAggregate *)plan;
        field(p, "groups", a->groups, a->ngroups);
        field(p, "aggs", a->aggs, a->naggs);
        if (a->nsets > 0) {
            sdb_str_append_cstr(out, " sets=(");
            for (int i = 0; i < a->nsets; i++)
                sdb_str_appendf(out, "%s%x", i ? " " : "", (unsigned)a->sets[i]);
            sdb_str_append_char(out, ')');
        }
        field(p, "having", a->having, a->nhaving);
        break;
    }
    case SDB_P_WINDOW: field(p, "funcs", ((const SdbPlanWindow *)plan)->funcs, ((const SdbPlanWindow *)plan)->nfuncs); break;
    case SDB_P_SORT: {
        const SdbPlanSort *s = (const SdbPlanSort *)plan;
        sdb_str_append_cstr(out, " keys=(");
        print_sort(p, s->keys, s->flags, s->nkeys);
        sdb_str_append_char(out, ')');
        break;
    }
    case SDB_P_LIMIT: {
        const SdbPlanLimit *l = (const SdbPlanLimit *)plan;
        sdb_str_append_cstr(out, " limit=");
        print_expr(p, l->limit);
        sdb_str_append_cstr(out, " offset=");
        print_expr(p, l->offset);
        if (l->with_ties)
            sdb_str_append_cstr(out, " with_ties");
        break;
    }
    case SDB_P_DISTINCT: field(p, "on", ((const SdbPlanDistinct *)plan)->on, ((const SdbPlanDistinct *)plan)->non); break;
    case SDB_P_SET_OP: {
        const SdbPlanSetOp *s = (const SdbPlanSetOp *)plan;
        sdb_str_appendf(out, " %s%s", setops[s->op], s->all ? " all" : "");
        break;
    }
    case SDB_P_CTE_SCAN: sdb_str_appendf(out, " cte=%d", ((const SdbPlanCteScan *)plan)->cte_id); break;
    case SDB_P_RECURSIVE_UNION:
        sdb_str_appendf(out, " cte=%d%s", ((const SdbPlanRecursiveUnion *)plan)->cte_id,
                        ((const SdbPlanRecursiveUnion *)plan)->all ? " all" : "");
        break;
    case SDB_P_WORK_TABLE_SCAN: sdb_str_appendf(out, " cte=%d", ((const SdbPlanWorkTableScan *)plan)->cte_id); break;
    case SDB_P_INSERT: {
        const SdbPlanInsert *i = (const SdbPlanInsert *)plan;
        sdb_str_appendf(out, " table=%d", i->table);
        field(p, "checks", i->checks, i->nchecks);
        if (i->on_conflict != SDB_CONFLICT_ACTION_NONE)
            sdb_str_appendf(out, " on_conflict=%s excluded=%d", i->on_conflict == SDB_CONFLICT_ACTION_NOTHING ? "nothing" : "update",
                            i->excluded_table);
        field(p, "set", i->set_values, i->nset);
        if (i->conflict_where)
            sdb_str_append_cstr(out, " where="), print_expr(p, i->conflict_where);
        field(p, "returning", i->returning, i->nreturning);
        break;
    }
    case SDB_P_UPDATE: {
        const SdbPlanUpdate *u = (const SdbPlanUpdate *)plan;
        sdb_str_appendf(out, " table=%d", u->table);
        field(p, "set", u->set_values, u->nset);
        field(p, "checks", u->checks, u->nchecks);
        field(p, "returning", u->returning, u->nreturning);
        break;
    }
    case SDB_P_DELETE: {
        const SdbPlanDelete *d = (const SdbPlanDelete *)plan;
        sdb_str_appendf(out, " table=%d", d->table);
        field(p, "returning", d->returning, d->nreturning);
        break;
    }
    default: break;
    }
}

static void print_plan(Printer *p, const SdbPlan *plan, int depth)
{
    int first_sub = p->nsub;
    sdb_str_appendf(p->out, "=> %*s%s [", depth * 2, "", sdb_plan_tag_name(plan->tag));
    for (int i = 0; i < plan->ncols; i++) {
        const SdbPlanColumn *c = &plan->cols[i];
        sdb_str_appendf(p->out, "%s%d.%d:%s:%s", i ? " " : "", c->table, c->column, c->name ? c->name : "",
                        type_name(c->type));
        if (c->typmod >= 0)
            sdb_str_appendf(p->out, "(%d)", c->typmod);
    }
    sdb_str_append_char(p->out, ']');
    print_fields(p, plan);
    sdb_str_append_char(p->out, '\n');
    int last_sub = p->nsub;
    for (int s = first_sub; s < last_sub; s++) {
        sdb_str_appendf(p->out, "=> %*sSubPlan%d:\n", depth * 2 + 2, "", s);
        print_plan(p, p->subplans[s], depth + 2);
    }
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        const SdbPlan *child = *sdb_plan_child((SdbPlan *)plan, i);
        if (child != NULL)
            print_plan(p, child, depth + 1);
    }
}

/* ---- running cases ---- */

static int highest_param(const char *sql)
{
    int n = 0;
    for (const char *s = strchr(sql, '$'); s != NULL; s = strchr(s + 1, '$')) {
        int k = atoi(s + 1);
        n = k > n ? k : n;
    }
    return n < MAX_PARAMS ? n : MAX_PARAMS;
}

static void describe_error(SdbStr *out)
{
    const SdbErrorData *e = sdb_error_last();
    sdb_str_appendf(out, "!! %s %d %s\n", sdb_errcode_info(e->code)->sqlstate, e->position, e->message);
    sdb_error_clear();
}

static bool is_query(const SdbNode *stmt)
{
    return SDB_IS_A(stmt, SELECT_STMT) || SDB_IS_A(stmt, INSERT_STMT) || SDB_IS_A(stmt, UPDATE_STMT) ||
           SDB_IS_A(stmt, DELETE_STMT);
}

/* Analyze (or for DDL execute) `stmt` in `txn`, describing it in `out`. */
static int run_stmt(SdbTxn *txn, const char *sql, const SdbNode *stmt, SdbStr *out)
{
    if (!is_query(stmt)) {
        SdbDdlContext ddl = {.catalog = catalog, .txn = txn, .arena = arena, .sql = sql,
                             .search_path = search_path, .npath = 2};
        SdbStr tag;
        sdb_str_init(&tag, arena);
        if (sdb_ddl_execute(&ddl, stmt, &tag) != SDB_OK)
            return SDB_ERROR;
        sdb_str_appendf(out, "=> %s\n", tag.data);
        return SDB_OK;
    }
    SdbExprContext ectx = {.arena = arena};
    SdbOid params[MAX_PARAMS] = {0};
    SdbAnalyzeContext ac = {.catalog = catalog, .txn = txn, .expr = &ectx, .sql = sql, .search_path = search_path,
                            .npath = 2, .nparams = highest_param(sql), .param_types = params};
    SdbPlan *plan;
    if (sdb_analyze(&ac, stmt, &plan) != SDB_OK)
        return SDB_ERROR;
    if (ac.nparams > 0) {
        sdb_str_append_cstr(out, "=> params:");
        for (int i = 0; i < ac.nparams; i++)
            sdb_str_appendf(out, " %s", type_name(params[i]));
        sdb_str_append_char(out, '\n');
    }
    Printer p = {.out = out};
    print_plan(&p, plan, 0);
    return SDB_OK;
}

static void describe(const char *sql, SdbStr *out)
{
    SdbParseResult parsed;
    if (sdb_parse(arena, sql, strlen(sql), &parsed) != SDB_OK) {
        describe_error(out);
        return;
    }
    SdbTxn txn;
    memset(&txn, 0, sizeof txn);
    txn.xm = xm;
    bool ok = run_stmt(&txn, sql, ((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt, out) == SDB_OK;
    if (!ok)
        describe_error(out);
    if (txn.xid != SDB_INVALID_XID) {
        if (ok)
            sdb_xact_commit(xm, txn.xid, true, NULL);
        else
            sdb_xact_abort(xm, txn.xid);
    }
    sdb_catalog_end_txn(catalog, &txn, ok);
    sdb_txn_release(&txn);
}

static bool is_expectation(const char *line)
{
    return case_file_starts_with(line, "=> ") || case_file_starts_with(line, "!! ");
}

static bool read_case(FILE *f, CaseFileCase *c, int *line)
{
    return case_file_read(f, arena, is_expectation, c, line);
}

static FILE *open_cases(void)
{
    FILE *f = fopen(SDB_ANALYZE_CASES, "r");
    if (f == NULL)
        fprintf(stderr, "cannot open %s\n", SDB_ANALYZE_CASES);
    return f;
}

static int setup(void)
{
    SdbSettings settings;
    sdb_test_tempdir(dir, sizeof dir);
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    settings.shared_buffers = 2048; /* kB */
    settings.log_min_messages = SDB_LOG_MIN_MESSAGES_FATAL;
    engine = sdb_engine_open(dir, &settings);
    sdb_settings_free(&settings);
    xm = engine ? sdb_xact_open(engine) : NULL;
    catalog = xm ? sdb_catalog_open(engine, xm, SDB_DATABASE_POSTGRES) : NULL;
    arena = sdb_arena_create(NULL, "test_analyze", 0);
    if (catalog == NULL)
        sdb_error_print(stderr);
    return catalog == NULL || arena == NULL;
}

static int teardown(void)
{
    int rc = sdb_catalog_close(catalog) | sdb_xact_close(xm) | sdb_engine_close(engine);
    sdb_arena_destroy(arena);
    return rc != SDB_OK;
}

static void test_cases(void)
{
    FILE *f = open_cases();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    int line = 0, count = 0, failed = 0;
    CaseFileCase c;
    while (read_case(f, &c, &line)) {
        SdbStr actual;
        sdb_str_init(&actual, arena);
        describe(c.sql.data, &actual);
        const char *want = c.expected.data ? c.expected.data : "";
        const char *got = actual.data ? actual.data : "";
        count++;
        if (strcmp(want, got) != 0) {
            failed++;
            printf("\nline %d: %s\n  expected:\n%s  actual:\n%s", c.line, c.sql.data, want, got);
        }
        sdb_arena_reset(arena);
    }
    fclose(f);
    printf("\n  %d analyzer cases, %d failed\n", count, failed);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_TRUE(count >= 50);
}

/* sdb_analyze_table_expr: a CHECK-like expression over table t (made by
 * the cases) as binding table 7; a missing column is 42703. */
static void test_table_expr(void)
{
    SdbTxn txn;
    memset(&txn, 0, sizeof txn);
    txn.xm = xm;
    const SdbRelation *rel = NULL;
    CU_ASSERT_EQUAL_FATAL(sdb_catalog_lookup(catalog, &txn, NULL, "t", search_path, 2, &rel), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    const char *sql = "SELECT c > 0 AND a < 10";
    SdbParseResult parsed;
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, sql, strlen(sql), &parsed), SDB_OK);
    const SdbSelectStmt *s = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    const SdbNode *expr = ((const SdbResTarget *)sdb_list_nth(s->target_list, 0))->val;
    SdbExprContext ectx = {.arena = arena};
    SdbAnalyzeContext ac = {.catalog = catalog, .txn = &txn, .expr = &ectx, .sql = sql};
    SdbExpr *bound;
    CU_ASSERT_EQUAL_FATAL(sdb_analyze_table_expr(&ac, rel, 7, expr, &bound), SDB_OK);
    SdbStr out;
    sdb_str_init(&out, arena);
    Printer p = {.out = &out};
    print_expr(&p, bound);
    CU_ASSERT_STRING_EQUAL(out.data, "((7.2 > numeric('0'::int4)) AND (7.0 < '10'::int4))");
    const char *bad = "SELECT nope = 1";
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, bad, strlen(bad), &parsed), SDB_OK);
    s = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    ac.sql = bad;
    CU_ASSERT_EQUAL(sdb_analyze_table_expr(&ac, rel, 7, ((const SdbResTarget *)sdb_list_nth(s->target_list, 0))->val,
                                           &bound), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_errcode_info(sdb_error_last()->code)->sqlstate, "42703");
    sdb_error_clear();
    const char *sub = "SELECT a > (SELECT 1)";
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, sub, strlen(sub), &parsed), SDB_OK);
    s = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    ac.sql = sub;
    CU_ASSERT_EQUAL(sdb_analyze_table_expr(&ac, rel, 7, ((const SdbResTarget *)sdb_list_nth(s->target_list, 0))->val,
                                           &bound), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "cannot use subquery in check constraint");
    sdb_error_clear();
    sdb_catalog_end_txn(catalog, &txn, false);
    sdb_txn_release(&txn);
    sdb_arena_reset(arena);
}

static int print_cases(void)
{
    FILE *f = open_cases();
    if (f == NULL || setup() != 0)
        return 1;
    int line = 0;
    CaseFileCase c;
    while (read_case(f, &c, &line)) {
        SdbStr actual;
        sdb_str_init(&actual, arena);
        describe(c.sql.data, &actual);
        printf("%s%s\n%s\n", c.comments.data ? c.comments.data : "", c.sql.data, actual.data ? actual.data : "");
        sdb_arena_reset(arena);
    }
    fclose(f);
    return teardown();
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--print") == 0)
        return print_cases();
    CU_TestInfo tests[] = {
        {"cases", test_cases},
        {"table_expr", test_table_expr},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"analyze", setup, teardown, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return sdb_test_run(suites);
}
