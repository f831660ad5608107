/*
 * test_aggregates.c: every example of spec/aggregates.toml (the generated
 * tables of sdb_agg_examples.c).  An aggregate example's rows go through
 * sdb_agg_init/step/final (the scratch arena is reset after every row, so a
 * state that keeps a pointer into it fails under ASan), and again split in
 * two states merged by the combine function; a window example's partition
 * is handed to the window function row by row.  Results are compared as
 * text (the result type's output function) or SQLSTATE; every mismatch is
 * listed with its spec line before the test fails.  Also: calls resolve as
 * PostgreSQL resolves them (polymorphic types made concrete), and the
 * function table marks aggregates and window functions.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "expr/agg.h"
#include "expr/bind_int.h"
#include "expr_test_util.h"
#include "harness.h"
#include "sdb_agg_examples.h"
#include "sdb_errcodes.h"
#include "types/typeio.h"

/* The text of `value` of `type` ("NULL" for NULL) in `out`. */
static int value_text(SdbArena *arena, SdbOid type, SdbDatum value, bool isnull, char *out, size_t size)
{
    if (isnull) {
        snprintf(out, size, "NULL");
        return SDB_OK;
    }
    SdbTypeCtx tctx = {.arena = arena, .typid = type, .typmod = -1};
    SdbStr text;
    sdb_str_init(&text, arena);
    if (sdb_type_output(&tctx, value, &text) != SDB_OK)
        return SDB_ERROR;
    snprintf(out, size, "%s", text.data);
    return SDB_OK;
}

/* Read cell `text` (NULL: SQL NULL) as `type` in `arena`. */
static int read_cell(SdbArena *arena, SdbOid type, const char *text, SdbDatum *value, bool *isnull)
{
    *isnull = text == NULL;
    *value = 0;
    if (text == NULL)
        return SDB_OK;
    SdbTypeCtx tctx = {.arena = arena, .typid = type, .typmod = -1};
    return sdb_type_input(&tctx, text, value);
}

static const char *last_sqlstate(void)
{
    return sdb_errcode_info(sdb_error_last()->code)->sqlstate;
}

/* Whether the outcome (rc, text) is what the example expects; prints why not. */
static bool outcome_holds(const char *where, const char *what, const char *detail, int rc, const char *got,
                          const char *result, const char *error)
{
    const char *state = rc == SDB_OK ? NULL : last_sqlstate();
    if (error != NULL && state != NULL && strcmp(state, error) == 0)
        return true;
    if (result != NULL && rc == SDB_OK && strcmp(got, result) == 0)
        return true;
    fprintf(stderr, "%s: %s%s: expected %s %s, got %s %s\n", where, what, detail, error ? "error" : "result",
            error ? error : result, state ? "error" : "result", state ? state : got);
    if (state != NULL)
        fprintf(stderr, "    %s\n", sdb_error_last()->message);
    return false;
}

/* --- aggregates ------------------------------------------------------ */

typedef struct AggRun {
    SdbArena *arena;   /* states and results */
    SdbArena *scratch; /* the expression context's: reset after every row */
    SdbExprContext ctx;
    SdbAggCall call;
} AggRun;

static void agg_run_init(AggRun *run, const SdbAggExample *ex, const SdbFuncInfo *func)
{
    memset(run, 0, sizeof *run);
    run->arena = sdb_arena_create(NULL, "agg test", 0);
    run->scratch = sdb_arena_create(NULL, "agg test scratch", 0);
    run->ctx.arena = run->scratch;
    run->call.func = func;
    run->call.context = &run->ctx;
    run->call.arena = run->arena;
    run->call.nargs = ex->nargs;
    run->call.argtypes = ex->argtypes;
    run->call.rettype = ex->rettype;
}

static void agg_run_done(AggRun *run)
{
    sdb_arena_destroy(run->scratch);
    sdb_arena_destroy(run->arena);
}

/* A new state holding rows [from, to) of the example. */
static int agg_fold(AggRun *run, const SdbAggExample *ex, int from, int to, void **state)
{
    *state = sdb_arena_alloc(run->arena, run->call.func->agg->state_size);
    run->call.state = *state;
    if (*state == NULL || sdb_agg_init(&run->call) != SDB_OK)
        return SDB_ERROR;
    for (int r = from; r < to; r++) {
        for (int i = 0; i < ex->nargs; i++)
            if (read_cell(run->scratch, ex->argtypes[i], ex->cells[r * ex->nargs + i], &run->call.args[i],
                          &run->call.nulls[i]) != SDB_OK)
                return SDB_ERROR;
        if (sdb_agg_step(&run->call) != SDB_OK)
            return SDB_ERROR;
        sdb_arena_reset(run->scratch);
    }
    return SDB_OK;
}

static int agg_result(AggRun *run, void *state, char *got, size_t size)
{
    run->call.state = state;
    if (sdb_agg_final(&run->call) != SDB_OK)
        return SDB_ERROR;
    return value_text(run->scratch, run->call.rettype, run->call.result, run->call.result_null, got, size);
}

/* All rows into one state. */
static int agg_whole(AggRun *run, const SdbAggExample *ex, char *got, size_t size)
{
    void *state;
    if (agg_fold(run, ex, 0, ex->nrows, &state) != SDB_OK)
        return SDB_ERROR;
    return agg_result(run, state, got, size);
}

/* The first half and the rest into two states, merged by combine. */
static int agg_combined(AggRun *run, const SdbAggExample *ex, char *got, size_t size)
{
    void *left, *right;
    int half = ex->nrows / 2;
    if (agg_fold(run, ex, 0, half, &left) != SDB_OK || agg_fold(run, ex, half, ex->nrows, &right) != SDB_OK)
        return SDB_ERROR;
    run->call.state = left;
    if (sdb_agg_combine(&run->call, right) != SDB_OK)
        return SDB_ERROR;
    return agg_result(run, left, got, size);
}

static bool agg_example_holds(const SdbAggExample *ex)
{
    const SdbFuncInfo *func = sdb_func_by_oid(ex->func);
    if (func == NULL || func->kind != SDB_FUNC_AGGREGATE || func->agg == NULL) {
        fprintf(stderr, "%s: %s: not an aggregate in the function table\n", ex->where, ex->what);
        return false;
    }
    char got[512] = "";
    AggRun run;
    agg_run_init(&run, ex, func);
    sdb_error_clear();
    bool ok = outcome_holds(ex->where, ex->what, "", agg_whole(&run, ex, got, sizeof got), got, ex->result, ex->error);
    if (ok && func->agg->combine != NULL) {
        sdb_error_clear();
        ok = outcome_holds(ex->where, ex->what, " (combined halves)", agg_combined(&run, ex, got, sizeof got), got,
                           ex->result, ex->error);
    }
    agg_run_done(&run);
    return ok;
}

static void test_every_aggregate_example(void)
{
    int failed = 0;
    for (int i = 0; i < SDB_AGG_EXAMPLE_COUNT; i++)
        failed += !agg_example_holds(&sdb_agg_examples[i]);
    fprintf(stderr, "%d of %d aggregate examples failed\n", failed, SDB_AGG_EXAMPLE_COUNT);
    CU_ASSERT_EQUAL(failed, 0);
}

/* WITHIN GROUP (ORDER BY x DESC): ordered-set aggregates see the values in
 * descending order (PostgreSQL 15's results). */
static void test_descending_ordered_set(void)
{
    static const SdbOid disc_types[] = {SDB_TYPEOID_FLOAT8, SDB_TYPEOID_INT4};
    static const char *const disc_cells[] = {"0.25", "1", "0.25", "2", "0.25", "2", "0.25", "5", "0.25", "5"};
    static const char *const mode_cells[] = {"1", "2", "2", "5", "5"};
    const SdbAggExample cases[] = {
        {"percentile_disc", "", 3972, 2, disc_types, SDB_TYPEOID_INT4, 5, disc_cells, "5", NULL},
        {"mode", "", 3984, 1, disc_types + 1, SDB_TYPEOID_INT4, 5, mode_cells, "5", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[64] = "";
        AggRun run;
        agg_run_init(&run, &cases[i], sdb_func_by_oid(cases[i].func));
        run.call.descending = true;
        CU_ASSERT_EQUAL(agg_whole(&run, &cases[i], got, sizeof got), SDB_OK);
        CU_ASSERT_STRING_EQUAL(got, cases[i].result);
        agg_run_done(&run);
    }
}

/* --- window functions ------------------------------------------------ */

/* The executor's side for one example: the partition's argument values. */
typedef struct Partition {
    const SdbWindowExample *ex;
    SdbDatum *values;
    bool *nulls;
} Partition;

static int partition_get_arg(SdbWindowCall *call, int argno, int64_t row, SdbDatum *value, bool *isnull)
{
    const Partition *p = call->exec_state;
    CU_ASSERT_FATAL(argno >= 0 && argno < p->ex->nargs && row >= 0 && row < p->ex->nrows);
    *value = p->values[row * p->ex->nargs + argno];
    *isnull = p->nulls[row * p->ex->nargs + argno];
    return SDB_OK;
}

/* Position row `r` of the partition in `call`: peer group and frame. */
static void place_row(SdbWindowCall *call, const SdbWindowExample *ex, int r)
{
    int start = r, end = r;
    while (start > 0 && ex->peers[start - 1] == ex->peers[r])
        start--;
    while (end + 1 < ex->nrows && ex->peers[end + 1] == ex->peers[r])
        end++;
    call->row = r;
    call->peer_group = ex->peers[r];
    call->peer_start = start;
    call->peer_end = end;
    call->frame_start = ex->frames ? ex->frames[2 * r] : 0;
    call->frame_rows = ex->frames ? ex->frames[2 * r + 1] - ex->frames[2 * r] + 1 : end + 1;
}

/* Every row's result, '|'-separated, in `got`. */
static int window_results(SdbArena *arena, const SdbWindowExample *ex, const SdbFuncInfo *func, char *got,
                          size_t size)
{
    Partition p = {.ex = ex};
    p.values = sdb_arena_calloc(arena, (size_t)(ex->nrows * ex->nargs + 1), sizeof *p.values);
    p.nulls = sdb_arena_calloc(arena, (size_t)(ex->nrows * ex->nargs + 1), sizeof *p.nulls);
    if (p.values == NULL || p.nulls == NULL)
        return SDB_ERROR;
    for (int k = 0; k < ex->nrows * ex->nargs; k++)
        if (read_cell(arena, ex->argtypes[k % ex->nargs], ex->cells[k], &p.values[k], &p.nulls[k]) != SDB_OK)
            return SDB_ERROR;
    SdbExprContext ctx = {.arena = arena};
    SdbWindowCall call = {.func = func, .context = &ctx, .arena = arena, .nargs = ex->nargs,
                          .argtypes = ex->argtypes, .rettype = ex->rettype, .partition_rows = ex->nrows,
                          .get_arg = partition_get_arg, .exec_state = &p};
    size_t used = 0;
    got[0] = '\0';
    for (int r = 0; r < ex->nrows; r++) {
        char text[256];
        place_row(&call, ex, r);
        if (sdb_window_call(&call) != SDB_OK ||
            value_text(arena, ex->rettype, call.result, call.result_null, text, sizeof text) != SDB_OK)
            return SDB_ERROR;
        used += (size_t)snprintf(got + used, size - used, "%s%s", r ? "|" : "", text);
        if (used >= size)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "results too long for the test buffer");
    }
    return SDB_OK;
}

static bool window_example_holds(const SdbWindowExample *ex)
{
    const SdbFuncInfo *func = sdb_func_by_oid(ex->func);
    if (func == NULL || func->kind != SDB_FUNC_WINDOW || func->window == NULL) {
        fprintf(stderr, "%s: %s: not a window function in the function table\n", ex->where, ex->what);
        return false;
    }
    char got[1024], want[1024] = "";
    size_t used = 0;
    for (int r = 0; ex->results != NULL && r < ex->nrows; r++)
        used += (size_t)snprintf(want + used, sizeof want - used, "%s%s", r ? "|" : "", ex->results[r]);
    SdbArena *arena = sdb_arena_create(NULL, "window test", 0);
    sdb_error_clear();
    int rc = window_results(arena, ex, func, got, sizeof got);
    bool ok = outcome_holds(ex->where, ex->what, "", rc, got, ex->results ? want : NULL, ex->error);
    sdb_arena_destroy(arena);
    return ok;
}

static void test_every_window_example(void)
{
    int failed = 0;
    for (int i = 0; i < SDB_WINDOW_EXAMPLE_COUNT; i++)
        failed += !window_example_holds(&sdb_window_examples[i]);
    fprintf(stderr, "%d of %d window examples failed\n", failed, SDB_WINDOW_EXAMPLE_COUNT);
    CU_ASSERT_EQUAL(failed, 0);
}

/* --- the function table ---------------------------------------------- */

/* Aggregates and window functions are found by name with the scalar
 * functions, and only aggregates have aggregate entry points. */
static void test_function_table_kinds(void)
{
    const SdbFuncInfo *const *sums;
    size_t n = sdb_funcs_by_name("sum", &sums);
    CU_ASSERT(n >= 7);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(sums[i]->kind, SDB_FUNC_AGGREGATE);
        CU_ASSERT_PTR_NOT_NULL(sums[i]->agg);
        CU_ASSERT_PTR_NULL(sums[i]->fn);
        CU_ASSERT_EQUAL(sums[i]->agg->oid, sums[i]->oid);
    }
    const SdbFuncInfo *rank = sdb_func_by_oid(3101);
    CU_ASSERT_FATAL(rank != NULL);
    CU_ASSERT_EQUAL(rank->kind, SDB_FUNC_WINDOW);
    CU_ASSERT_PTR_NOT_NULL(rank->window);
    CU_ASSERT_PTR_NULL(rank->agg);
    const SdbFuncInfo *lower = sdb_func_by_oid(870);
    CU_ASSERT_FATAL(lower != NULL);
    CU_ASSERT_EQUAL(lower->kind, SDB_FUNC_NORMAL);
    CU_ASSERT_PTR_NOT_NULL(lower->fn);
}

/* Resolve the call `sql` ("sum(1::int2)") as the binder resolves any
 * function: the function's OID and the call's (concrete) type, or the
 * SQLSTATE of the error. */
static void resolve_call(const char *sql, SdbOid *oid, SdbOid *type, char *sqlstate)
{
    SdbArena *arena = sdb_arena_create(NULL, "resolve test", 0);
    char *select = sdb_arena_sprintf(arena, "SELECT %s", sql);
    SdbExprContext ctx = {.arena = arena};
    SdbBindContext bc = {.expr = &ctx, .sql = select};
    const SdbFuncCall *call = (const SdbFuncCall *)sdb_test_select_item(arena, select);
    CU_ASSERT_FATAL(call != NULL && SDB_IS_A(call, FUNC_CALL));
    int nargs = sdb_list_length(call->args);
    SdbExpr **args = sdb_arena_calloc(arena, (size_t)nargs + 1, sizeof *args);
    SdbBoundFuncExpr *f = NULL;
    int rc = SDB_OK;
    sdb_error_clear();
    for (int i = 0; i < nargs && rc == SDB_OK; i++) {
        const SdbNode *arg = sdb_list_nth(call->args, i);
        rc = sdb_bind_expr(&bc, arg, &args[i]);
        /* sdb_bind_expr makes a bare string literal text (a select-list
         * item); as a function argument it is still unknown, held the same */
        if (rc == SDB_OK && SDB_IS_A(arg, A_CONST) && ((const SdbAConst *)arg)->kind == SDB_CONST_KIND_STRING)
            args[i]->type = SDB_TYPEOID_UNKNOWN;
    }
    if (rc == SDB_OK)
        rc = sdb_bind_function(&bc, ((const SdbString *)sdb_list_nth(call->funcname, 0))->sval, args, nargs,
                               call->location, &f);
    *oid = rc == SDB_OK ? f->func->oid : 0;
    *type = rc == SDB_OK ? f->expr.type : 0;
    snprintf(sqlstate, 6, "%s", rc == SDB_OK ? "" : last_sqlstate());
    sdb_arena_destroy(arena);
}

/* Aggregates and window functions resolve by PostgreSQL's rules, with
 * polymorphic arguments and results made concrete. */
static void test_resolution(void)
{
    static const struct {
        const char *sql;
        SdbOid oid;      /* 0: an error */
        SdbOid type;
        const char *sqlstate;
    } cases[] = {
        {"sum(1::int2)", 2109, SDB_TYPEOID_INT8, ""},
        {"sum(1)", 2108, SDB_TYPEOID_INT8, ""},
        {"sum(1.5)", 2114, SDB_TYPEOID_NUMERIC, ""},
        {"sum(1.5::float4)", 2110, SDB_TYPEOID_FLOAT4, ""},
        {"sum('1 day'::interval)", 2113, SDB_TYPEOID_INTERVAL, ""},
        {"avg(1::int8)", 2100, SDB_TYPEOID_NUMERIC, ""},
        {"count(1)", 2147, SDB_TYPEOID_INT8, ""},
        {"count()", 2803, SDB_TYPEOID_INT8, ""},
        {"max('a')", 2129, SDB_TYPEOID_TEXT, ""},
        {"max('{1,2}'::int4[])", 2050, 1007, ""},
        {"array_agg(1)", 2335, 1007, ""},
        {"array_agg('x'::text)", 2335, 1009, ""},
        {"array_agg('a')", 0, 0, "42725"},
        {"array_agg('{1}'::int4[])", 4053, 1007, ""},
        {"string_agg('a', ',')", 3538, SDB_TYPEOID_TEXT, ""},
        {"percentile_disc(0.5, 'a'::text)", 3972, SDB_TYPEOID_TEXT, ""},
        {"percentile_disc(0.5, 'a')", 0, 0, "42804"},
        {"lag(1)", 3106, SDB_TYPEOID_INT4, ""},
        {"lag(1, 1, 2.5)", 3108, SDB_TYPEOID_NUMERIC, ""},
        {"lag(1, 1, 'a'::text)", 0, 0, "42883"},
        {"row_number()", 3100, SDB_TYPEOID_INT8, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SdbOid oid, type;
        char sqlstate[6];
        resolve_call(cases[i].sql, &oid, &type, sqlstate);
        if (oid != cases[i].oid || type != cases[i].type || strcmp(sqlstate, cases[i].sqlstate) != 0)
            fprintf(stderr, "%s: expected function %u type %u %s, got function %u type %u %s\n", cases[i].sql,
                    cases[i].oid, cases[i].type, cases[i].sqlstate, oid, type, sqlstate);
        CU_ASSERT_EQUAL(oid, cases[i].oid);
        CU_ASSERT_EQUAL(type, cases[i].type);
        CU_ASSERT_STRING_EQUAL(sqlstate, cases[i].sqlstate);
    }
}

/* As a plain expression (no analyzer around it), a window function call
 * without OVER is PostgreSQL's 42809, an aggregate call not yet bindable. */
static void test_plain_expression_calls(void)
{
    char got[64];
    sdb_error_clear();
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "row_number()", 0, NULL, NULL, got, sizeof got), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(last_sqlstate(), "42809");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "window function row_number requires an OVER clause");
    sdb_error_clear();
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "sum(1)", 0, NULL, NULL, got, sizeof got), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(last_sqlstate(), "0A000");
}

static CU_TestInfo tests[] = {
    {"aggregate and window calls in a plain expression", test_plain_expression_calls},
    {"resolution of aggregate and window calls", test_resolution},
    {"every aggregate example (and its combined halves)", test_every_aggregate_example},
    {"ordered-set aggregates WITHIN GROUP (ORDER BY ... DESC)", test_descending_ordered_set},
    {"every window function example", test_every_window_example},
    {"aggregates and window functions in the function table", test_function_table_kinds},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"aggregate and window function examples", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
