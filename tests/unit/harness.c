/*
 * harness.c: see harness.h.
 */
#include "harness.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEMPDIRS 64

static char *tempdirs[MAX_TEMPDIRS];
static int tempdir_count;

static void remove_tempdirs(void)
{
    for (int i = 0; i < tempdir_count; i++) {
        char command[4200];
        snprintf(command, sizeof command, "rm -rf '%s'", tempdirs[i]);
        if (system(command) != 0)
            fprintf(stderr, "harness: could not remove %s\n", tempdirs[i]);
        free(tempdirs[i]);
    }
    tempdir_count = 0;
}

void sdb_test_tempdir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, size, "%s/specdb-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(buf) == NULL || tempdir_count == MAX_TEMPDIRS) {
        perror("harness: mkdtemp");
        exit(2);
    }
    if (tempdir_count == 0)
        atexit(remove_tempdirs);
    tempdirs[tempdir_count++] = strdup(buf);
}

int sdb_test_run(CU_SuiteInfo *suites)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "harness: %s\n", CU_get_error_msg());
        return 2;
    }
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "harness: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode run = CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned tests_run = CU_get_number_of_tests_run();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned suites_failed = CU_get_number_of_suites_failed();
    if (failures)
        CU_basic_show_failures(CU_get_failure_list());
    CU_cleanup_registry();
    printf("\ntests: %u passed, %u failed\n", tests_run - tests_failed, tests_failed);
    if (run != CUE_SUCCESS || failures || suites_failed || tests_run == 0)
        return 1;
    return 0;
}
