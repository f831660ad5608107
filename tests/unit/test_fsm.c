/*
 * test_fsm.c: the free space map (fsm.h): categories, record/get/search
 * across several map pages, the per-relation hint, and a damaged map page
 * being reset instead of failing.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "heap_test_util.h"
#include "storage/fsm.h"
#include "storage/page.h"
#include "storage/smgr.h"

#define PAGE 4096u
#define PER_MAP_PAGE (PAGE - SDB_PAGE_HEADER_SIZE)

static void test_categories(void)
{
    CU_ASSERT_EQUAL(sdb_fsm_category(0, PAGE), 0);
    CU_ASSERT_EQUAL(sdb_fsm_category(15, PAGE), 0);
    CU_ASSERT_EQUAL(sdb_fsm_category(16, PAGE), 1);
    CU_ASSERT_EQUAL(sdb_fsm_category(PAGE - 32, PAGE), 254);
    CU_ASSERT_EQUAL(sdb_fsm_category(PAGE, PAGE), 255);
    CU_ASSERT_EQUAL(sdb_fsm_category(1000000, PAGE), 255);
    CU_ASSERT_EQUAL(sdb_fsm_category(32768 - 64, 32768), 255);
}

static SdbBlockNo search(SdbEngine *e, SdbRelFileId rel, size_t needed)
{
    SdbBlockNo block = 0;
    CU_ASSERT_EQUAL(sdb_fsm_search(e, rel, needed, &block), SDB_OK);
    return block;
}

static void test_record_and_search(void)
{
    char dir[256];
    uint8_t category;
    sdb_test_tempdir(dir, sizeof dir);
    SdbEngine *e = heap_test_open(dir, PAGE, 512);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    SdbRelFileId rel = {.db_oid = 1, .rel_number = 50000};

    /* An empty map knows nothing. */
    CU_ASSERT_EQUAL(search(e, rel, 10), SDB_INVALID_BLOCK);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 7, &category), SDB_OK);
    CU_ASSERT_EQUAL(category, 0);

    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, 5, 1000), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 5, &category), SDB_OK);
    CU_ASSERT_EQUAL(category, 1000 / 16);
    CU_ASSERT_EQUAL(search(e, rel, 992), 5);
    CU_ASSERT_EQUAL(search(e, rel, 993), SDB_INVALID_BLOCK); /* rounded down: never promises too much */

    /* Pages on the third map page, found without the hint too. */
    SdbBlockNo far = 3 * PER_MAP_PAGE + 7;
    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, far, 3000), SDB_OK);
    sdb_fsm_forget(rel);
    CU_ASSERT_EQUAL(search(e, rel, 2000), far);
    CU_ASSERT_EQUAL(search(e, rel, 500), far); /* the hint comes first */
    sdb_fsm_forget(rel);
    CU_ASSERT_EQUAL(search(e, rel, 500), 5);   /* then the map in order */
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 10 * PER_MAP_PAGE, &category), SDB_OK);
    CU_ASSERT_EQUAL(category, 0);

    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, 5, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, far, 0), SDB_OK);
    CU_ASSERT_EQUAL(search(e, rel, 1), SDB_INVALID_BLOCK);

    /* Many pages with random space: whatever search finds has the room;
     * it finds nothing only when nothing has. */
    uint64_t rng = 99;
    static uint8_t recorded[4 * PER_MAP_PAGE];
    for (SdbBlockNo b = 0; b < 4 * PER_MAP_PAGE; b++) {
        recorded[b] = (uint8_t)(heap_test_rand(&rng) % 100);
        CU_ASSERT_EQUAL_FATAL(sdb_fsm_record(e, rel, b, (size_t)recorded[b] * 16), SDB_OK);
    }
    for (int i = 0; i < 200; i++) {
        size_t needed = 1 + (size_t)(heap_test_rand(&rng) % 1700);
        SdbBlockNo b = search(e, rel, needed);
        if (b == SDB_INVALID_BLOCK) {
            CU_ASSERT_TRUE(needed > 99 * 16);
        } else {
            CU_ASSERT_TRUE_FATAL(b < 4 * PER_MAP_PAGE);
            CU_ASSERT_TRUE(recorded[b] * 16u >= needed);
        }
    }
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static void test_damaged_map_page_is_reset(void)
{
    char dir[256], path[600], rel_path[SDB_SMGR_PATH_MAX];
    uint8_t category;
    sdb_test_tempdir(dir, sizeof dir);
    SdbRelFileId rel = {.db_oid = 1, .rel_number = 50001};
    SdbEngine *e = heap_test_open(dir, PAGE, 512);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, 3, 2000), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, PER_MAP_PAGE + 3, 2000), SDB_OK);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);

    /* Scribble over the first map page (as a torn write would). */
    sdb_smgr_path(rel, SDB_FORK_FSM, rel_path, sizeof rel_path);
    snprintf(path, sizeof path, "%s/%s", dir, rel_path);
    int fd = open(path, O_WRONLY);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pwrite(fd, "garbage!", 8, 100), 8);
    close(fd);

    e = heap_test_open(dir, PAGE, 512);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    sdb_fsm_forget(rel);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 3, &category), SDB_OK);
    CU_ASSERT_EQUAL(category, 0); /* forgotten, not an error */
    CU_ASSERT_EQUAL(search(e, rel, 1000), PER_MAP_PAGE + 3);
    CU_ASSERT_EQUAL(sdb_fsm_record(e, rel, 3, 2000), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 3, &category), SDB_OK);
    CU_ASSERT_EQUAL(category, 2000 / 16);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"categories", test_categories},
    {"record and search", test_record_and_search},
    {"damaged map page is reset", test_damaged_map_page_is_reset},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"fsm", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
