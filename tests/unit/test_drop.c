/*
 * test_drop.c: removing and cutting relations through the engine
 * (sdb_engine_drop_relation, sdb_engine_truncate_relation): files and
 * cached pages go, the removal survives a crash whatever came before it in
 * the WAL, and checkpoints running meanwhile never bring a page back.
 */
#include <pthread.h>
#include <string.h>

#include "heap_test_util.h"
#include "storage/smgr.h"

#define BLOCK 8192
#define POOL_KB 1024

static bool fork_exists(SdbEngine *e, SdbRelFileId rel, SdbFork fork)
{
    bool exists = true;
    CU_ASSERT_EQUAL(sdb_smgr_exists(sdb_engine_smgr(e), rel, fork, &exists), SDB_OK);
    return exists;
}

/* Insert `n` rows of 200 bytes with xid 1 (always committed). */
static int fill(SdbEngine *e, SdbRelFileId rel, int n)
{
    char row[200];
    for (int i = 0; i < n; i++) {
        SdbTid tid;
        memset(row, 'a' + i % 26, sizeof row);
        if (sdb_heap_insert(e, rel, SDB_BOOTSTRAP_XID, 0, row, sizeof row, 0, &tid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static void test_drop_removes_files_and_pages(void)
{
    char dir[512];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, BLOCK, POOL_KB);
    SdbRelFileId rel = heap_test_create(e, 500);
    CU_ASSERT_EQUAL_FATAL(fill(e, rel, 400), SDB_OK);
    CU_ASSERT_TRUE(fork_exists(e, rel, SDB_FORK_MAIN));

    CU_ASSERT_EQUAL(sdb_engine_drop_relation(e, rel, SDB_BOOTSTRAP_XID), SDB_OK);
    CU_ASSERT_FALSE(fork_exists(e, rel, SDB_FORK_MAIN));
    CU_ASSERT_FALSE(fork_exists(e, rel, SDB_FORK_FSM));
    /* A checkpoint after the drop must not write any of its (dirty) pages back. */
    CU_ASSERT_EQUAL(sdb_engine_checkpoint(e), SDB_OK);
    CU_ASSERT_FALSE(fork_exists(e, rel, SDB_FORK_MAIN));
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

typedef struct CrashArgs {
    const char *dir;
    SdbRelFileId rel;
} CrashArgs;

/* Child: create, fill, drop, then crash with the WAL flushed but no
 * checkpoint since the creation. */
static int create_fill_drop(void *arg)
{
    const CrashArgs *args = arg;
    SdbEngine *e = heap_test_open(args->dir, BLOCK, POOL_KB);
    if (e == NULL || sdb_heap_create(e, args->rel) != SDB_OK || fill(e, args->rel, 300) != SDB_OK ||
        sdb_engine_drop_relation(e, args->rel, SDB_BOOTSTRAP_XID) != SDB_OK || heap_test_flush_wal(e) != SDB_OK)
        return 1;
    return 0;
}

static void test_drop_is_replayed_after_crash(void)
{
    char dir[512];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, BLOCK, POOL_KB);
    CU_ASSERT_EQUAL_FATAL(heap_test_close(e), SDB_OK);
    CrashArgs args = {.dir = dir, .rel = {.db_oid = 1, .rel_number = 501}};
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(create_fill_drop, &args), 0);

    /* Recovery replays the creation and the inserts (which recreate the
     * file), then the drop, which must leave no file behind. */
    e = heap_test_open(dir, BLOCK, POOL_KB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_FALSE(fork_exists(e, args.rel, SDB_FORK_MAIN));
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

typedef struct CheckpointLoop {
    SdbEngine *engine;
    volatile int stop;
    int failures;
} CheckpointLoop;

static void *checkpoint_loop(void *arg)
{
    CheckpointLoop *loop = arg;
    while (!loop->stop)
        if (sdb_engine_checkpoint(loop->engine) != SDB_OK)
            loop->failures++;
    return NULL;
}

static void test_drop_and_truncate_under_checkpoints(void)
{
    char dir[512];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, BLOCK, POOL_KB);
    CheckpointLoop loop = {.engine = e};
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, checkpoint_loop, &loop), 0);
    for (uint32_t i = 0; i < 20; i++) {
        SdbRelFileId rel = heap_test_create(e, 600 + i);
        CU_ASSERT_EQUAL(fill(e, rel, 200), SDB_OK);
        CU_ASSERT_EQUAL(sdb_engine_truncate_relation(e, rel, SDB_FORK_MAIN, 1, SDB_BOOTSTRAP_XID), SDB_OK);
        SdbBlockNo nblocks = 0;
        CU_ASSERT_EQUAL(sdb_heap_nblocks(e, rel, &nblocks), SDB_OK);
        CU_ASSERT_EQUAL(nblocks, 1);
        CU_ASSERT_EQUAL(sdb_engine_drop_relation(e, rel, SDB_BOOTSTRAP_XID), SDB_OK);
        CU_ASSERT_FALSE(fork_exists(e, rel, SDB_FORK_MAIN));
    }
    loop.stop = 1;
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(loop.failures, 0);
    for (uint32_t i = 0; i < 20; i++)
        CU_ASSERT_FALSE(fork_exists(e, (SdbRelFileId){.db_oid = 1, .rel_number = 600 + i}, SDB_FORK_MAIN));
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"drop removes files and cached pages", test_drop_removes_files_and_pages},
    {"drop is replayed after a crash", test_drop_is_replayed_after_crash},
    {"drop and truncate while checkpoints run", test_drop_and_truncate_under_checkpoints},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"drop", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
