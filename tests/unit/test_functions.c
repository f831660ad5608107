/*
 * test_functions.c: every example of spec/functions.toml, operators.toml
 * and casts.toml (the generated table sdb_examples.c), run as
 * `SELECT <sql>` through parse -> bind -> evaluate -> output function and
 * compared with the expected text or SQLSTATE; examples of set-returning
 * functions run as `SELECT * FROM <sql>` through a session, their rows
 * joined by newlines (the columns of a row joined by "|").  Every mismatch is listed with its spec line before
 * the test fails.
 */
#include <stdio.h>
#include <string.h>

#include "common/str.h"
#include "expr_test_util.h"
#include "harness.h"
#include "sdb_errcodes.h"
#include "sdb_examples.h"
#include "session/session.h"

static SdbInstance *db;
static SdbSession *sess;

static int suite_init(void)
{
    static char dir[512];
    sdb_test_tempdir(dir, sizeof(dir));
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    db = sdb_instance_open(dir, &settings);
    sdb_settings_free(&settings);
    if (db == NULL) {
        sdb_error_print(stderr);
        return 1;
    }
    sess = sdb_session_open(db, "postgres", "postgres");
    return sess == NULL;
}

static int suite_clean(void)
{
    sdb_session_close(sess);
    return sdb_instance_close(db) != SDB_OK;
}

/* The rows of a set example: the columns' text joined by "|", one line
 * each. */
typedef struct SetRows {
    SdbStr *out;
    const SdbPlanColumn *cols;
    int ncols;
    int nrows;
} SetRows;

static int set_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    ((SetRows *)arg)->cols = cols;
    ((SetRows *)arg)->ncols = ncols;
    return SDB_OK;
}

static int set_rows(void *arg, const SdbBatch *b)
{
    SetRows *r = arg;
    for (int i = 0; i < sdb_batch_live(b); i++) {
        int row = sdb_batch_row(b, i);
        if (r->nrows++ > 0)
            sdb_str_append_char(r->out, '\n');
        for (int c = 0; c < r->ncols; c++) {
            if (c > 0)
                sdb_str_append_char(r->out, '|');
            if (sdb_vector_is_null(&b->cols[c], row))
                sdb_str_append_cstr(r->out, "NULL");
            else if (sdb_session_output_text(sess, r->cols[c].type, b->cols[c].values[row], r->out) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int set_complete(void *arg, const char *tag)
{
    (void)arg;
    (void)tag;
    return SDB_OK;
}

/* Run `SELECT * FROM <sql>`: its rows' text in `got`. */
static int run_set(const char *sql, char *got, size_t size)
{
    SdbArena *arena = sdb_arena_create(NULL, "set example", 0);
    SdbStr out, query;
    sdb_str_init(&out, arena);
    sdb_str_init(&query, arena);
    sdb_str_append_cstr(&out, "");
    sdb_str_appendf(&query, "SELECT * FROM %s", sql);
    SetRows r = {.out = &out};
    SdbResultSink sink = {.arg = &r, .describe = set_describe, .rows = set_rows, .complete = set_complete};
    int rc = sdb_session_execute(sess, query.data, &sink);
    snprintf(got, size, "%s", out.data);
    sdb_arena_destroy(arena);
    return rc;
}

/* Whether example `ex` gives what the spec says; prints why not. */
static bool example_holds(const SdbSpecExample *ex)
{
    char got[512];
    sdb_error_clear();
    int rc = ex->set ? run_set(ex->sql, got, sizeof got) : sdb_test_run_expr(NULL, ex->sql, 0, NULL, NULL, got, sizeof got);
    const char *state = rc == SDB_OK ? NULL : sdb_errcode_info(sdb_error_last()->code)->sqlstate;
    if (ex->error != NULL && state != NULL && strcmp(state, ex->error) == 0)
        return true;
    if (ex->result != NULL && rc == SDB_OK && strcmp(got, ex->result) == 0)
        return true;
    fprintf(stderr, "%s: %s: %s: expected %s %s, got %s %s\n", ex->where, ex->what, ex->sql,
            ex->error ? "error" : "result", ex->error ? ex->error : ex->result, state ? "error" : "result",
            state ? state : got);
    if (state != NULL)
        fprintf(stderr, "    %s\n", sdb_error_last()->message);
    return false;
}

static void test_every_spec_example(void)
{
    int failed = 0;
    for (int i = 0; i < SDB_SPEC_EXAMPLE_COUNT; i++)
        failed += !example_holds(&sdb_spec_examples[i]);
    fprintf(stderr, "%d of %d spec examples failed\n", failed, SDB_SPEC_EXAMPLE_COUNT);
    CU_ASSERT_EQUAL(failed, 0);
}

static CU_TestInfo example_tests[] = {
    {"every example of the function, operator and cast specs", test_every_spec_example},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"spec examples", suite_init, suite_clean, NULL, NULL, example_tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
