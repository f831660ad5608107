/*
 * test_functions.c: every example of spec/functions.toml, operators.toml
 * and casts.toml (the generated table sdb_examples.c), run as
 * `SELECT <sql>` through parse -> bind -> evaluate -> output function and
 * compared with the expected text or SQLSTATE.  Every mismatch is listed
 * with its spec line before the test fails.
 */
#include <stdio.h>
#include <string.h>

#include "expr_test_util.h"
#include "harness.h"
#include "sdb_errcodes.h"
#include "sdb_examples.h"

/* Whether example `ex` gives what the spec says; prints why not. */
static bool example_holds(const SdbSpecExample *ex)
{
    char got[512];
    sdb_error_clear();
    int rc = sdb_test_run_expr(NULL, ex->sql, 0, NULL, NULL, got, sizeof got);
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
    {"spec examples", NULL, NULL, NULL, NULL, example_tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
