/*
 * harness_selfcheck.c: proves a failed CUnit assertion fails the test run.
 *
 * One test passes and one fails on purpose; ctest runs this program with
 * WILL_FAIL, so the suite is green only if the harness exits non-zero here.
 */
#include "harness.h"

static void test_passes(void)
{
    CU_ASSERT_EQUAL(2 + 2, 4);
}

static void test_fails_on_purpose(void)
{
    CU_ASSERT_EQUAL(2 + 2, 5);
}

static CU_TestInfo tests[] = {
    {"passes", test_passes},
    {"fails on purpose", test_fails_on_purpose},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"harness selfcheck", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
