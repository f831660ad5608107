/*
 * harness.h: running CUnit suites so that a failure fails the program.
 *
 * CU_basic_run_tests() returns CUE_SUCCESS even when assertions fail, so
 * sdb_test_run() counts failures itself and returns the exit status.  Each
 * test program's main() is one line:
 *
 *     int main(void) { return sdb_test_run(suites); }
 */
#ifndef SDB_TEST_HARNESS_H
#define SDB_TEST_HARNESS_H

#include <CUnit/CUnit.h>

/* Register `suites` (terminated by CU_SUITE_INFO_NULL), run them verbosely,
 * print CUnit's summary, and return 0 only if every assertion passed. */
int sdb_test_run(CU_SuiteInfo *suites);

/* A fresh empty folder for a test (under $TMPDIR or /tmp), NUL-terminated in
 * `buf`; the harness removes it, recursively, when the program exits. */
void sdb_test_tempdir(char *buf, size_t size);

#endif /* SDB_TEST_HARNESS_H */
