/*
 * test_smgr.c: the storage manager (storage/smgr.h): file naming, create,
 * extend, read, write, truncate, unlink, many relations, dirty tracking for
 * checkpoints, batches, concurrent extension, I/O errors (a removed
 * directory, an injected full disk) reported with file and errno, and the
 * SMGR WAL records replayed after losing the files.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "harness.h"
#include "storage/fileio.h"
#include "storage/page.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

#define PAGE 8192

static const SdbRelFileId shared_rel = {0, 1262};
static const SdbRelFileId user_rel = {5, 16384};

static SdbSmgr *open_smgr(char *dir, size_t size, uint32_t page_size)
{
    sdb_test_tempdir(dir, size);
    SdbSmgr *smgr = sdb_smgr_open(dir, page_size, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(smgr);
    return smgr;
}

static void fill(unsigned char *page, uint32_t size, unsigned seed)
{
    for (uint32_t i = 0; i < size; i++)
        page[i] = (unsigned char)(seed * 29 + i * 3 + 1);
}

static bool is_zero(const unsigned char *page, uint32_t size)
{
    for (uint32_t i = 0; i < size; i++)
        if (page[i] != 0)
            return false;
    return true;
}

/* Whether block `block` of the fork reads back as fill(seed). */
static bool block_holds(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo block, unsigned seed)
{
    unsigned char expected[SDB_PAGE_MAX_SIZE], in[SDB_PAGE_MAX_SIZE];
    uint32_t size = sdb_smgr_page_size(smgr);
    fill(expected, size, seed);
    return sdb_smgr_read(smgr, rel, fork, block, in) == SDB_OK && memcmp(in, expected, size) == 0;
}

static bool message_has(const char *needle)
{
    return strstr(sdb_error_last()->message, needle) != NULL;
}

static void test_paths(void)
{
    char buf[SDB_SMGR_PATH_MAX];
    sdb_smgr_path(shared_rel, SDB_FORK_MAIN, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "global/1262");
    sdb_smgr_path(user_rel, SDB_FORK_FSM, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "base/5/16384_fsm");
    SdbRelFileId biggest = {4294967295u, 4294967295u};
    sdb_smgr_path(biggest, SDB_FORK_FSM, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "base/4294967295/4294967295_fsm");

    CU_ASSERT_PTR_NULL(sdb_smgr_open("/tmp", 1000, false));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_PARAMETER_VALUE);
    CU_ASSERT_PTR_NULL(sdb_smgr_open("/nonexistent/specdb", PAGE, false));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    CU_ASSERT_TRUE(message_has("could not open data directory \"/nonexistent/specdb\""));
}

static void test_lifecycle(void)
{
    char dir[512], path[700];
    unsigned char page[PAGE], in[PAGE];
    SdbBlockNo nblocks = 99, first = 99;
    bool exists = true;
    struct stat st;
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, PAGE);
    CU_ASSERT_EQUAL(sdb_smgr_page_size(smgr), PAGE);
    CU_ASSERT_STRING_EQUAL(sdb_smgr_datadir(smgr), dir);

    CU_ASSERT_EQUAL(sdb_smgr_exists(smgr, user_rel, SDB_FORK_MAIN, &exists), SDB_OK);
    CU_ASSERT_FALSE(exists);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);

    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_FSM, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, shared_rel, SDB_FORK_MAIN, false), SDB_OK);
    snprintf(path, sizeof path, "%s/base/5/16384_fsm", dir);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/global/1262", dir);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DUPLICATE_FILE);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, true), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_exists(smgr, user_rel, SDB_FORK_MAIN, &exists), SDB_OK);
    CU_ASSERT_TRUE(exists);

    /* Extend: zero-filled, numbered from the end. */
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 0);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 1, &first), SDB_OK);
    CU_ASSERT_EQUAL(first, 0);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 10, &first), SDB_OK);
    CU_ASSERT_EQUAL(first, 1);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 11);
    memset(in, 0xEE, sizeof in);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 10, in), SDB_OK);
    CU_ASSERT_TRUE(is_zero(in, PAGE));

    /* Write and read back; forks are separate files. */
    fill(page, PAGE, 3);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, user_rel, SDB_FORK_MAIN, 3, page), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 3, in), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, page, PAGE), 0);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_FSM, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 0);

    /* A block past the end is an error naming the file, not zeros. */
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 11, in), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_TRUE(message_has("base/5/16384\" at offset 90112: read only 0 bytes"));

    /* Truncate (longer is a no-op). */
    CU_ASSERT_EQUAL(sdb_smgr_truncate(smgr, user_rel, SDB_FORK_MAIN, 20), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_truncate(smgr, user_rel, SDB_FORK_MAIN, 4), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 4);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 3, in), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, page, PAGE), 0);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 4, in), SDB_ERROR);

    /* Unlink, twice; then the fork is gone for every operation. */
    CU_ASSERT_EQUAL(sdb_smgr_unlink(smgr, user_rel, SDB_FORK_MAIN), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_unlink(smgr, user_rel, SDB_FORK_MAIN), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_exists(smgr, user_rel, SDB_FORK_MAIN, &exists), SDB_OK);
    CU_ASSERT_FALSE(exists);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 0, in), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    CU_ASSERT_EQUAL(sdb_smgr_exists(smgr, user_rel, SDB_FORK_FSM, &exists), SDB_OK);
    CU_ASSERT_TRUE(exists);

    /* Writing past the end grows the file with a zero gap. */
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, shared_rel, SDB_FORK_MAIN, 2, page), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, shared_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 3);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, shared_rel, SDB_FORK_MAIN, 1, in), SDB_OK);
    CU_ASSERT_TRUE(is_zero(in, PAGE));

    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_close(NULL), SDB_OK);
}

static void test_partial_last_block(void)
{
    char dir[512], path[700];
    SdbBlockNo nblocks, first;
    unsigned char in[4096];
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, 4096);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 2, NULL), SDB_OK);
    /* A crash in the middle of an extension left half a block of junk. */
    snprintf(path, sizeof path, "%s/base/5/16384", dir);
    FILE *f = fopen(path, "ab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 2000; i++)
        fputc(0x77, f);
    fclose(f);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 2);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 1, &first), SDB_OK);
    CU_ASSERT_EQUAL(first, 2);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 2, in), SDB_OK);
    CU_ASSERT_TRUE(is_zero(in, sizeof in));
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_many_relations(void)
{
    enum { RELS = 300 };
    char dir[512];
    unsigned char page[4096];
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, 4096);
    for (uint32_t r = 0; r < RELS; r++) {
        SdbRelFileId rel = {1 + r % 3, 20000 + r};
        for (int fork = 0; fork < SDB_FORK_COUNT; fork++) {
            CU_ASSERT_EQUAL(sdb_smgr_create(smgr, rel, (SdbFork)fork, false), SDB_OK);
            CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, rel, (SdbFork)fork, 2, NULL), SDB_OK);
            fill(page, sizeof page, r * 2 + (unsigned)fork);
            CU_ASSERT_EQUAL(sdb_smgr_write(smgr, rel, (SdbFork)fork, 1, page), SDB_OK);
        }
    }
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_close_all(smgr), SDB_OK); /* files reopen on demand */
    int wrong = 0;
    for (uint32_t r = 0; r < RELS; r++) {
        SdbRelFileId rel = {1 + r % 3, 20000 + r};
        for (int fork = 0; fork < SDB_FORK_COUNT; fork++)
            if (!block_holds(smgr, rel, (SdbFork)fork, 1, r * 2 + (unsigned)fork))
                wrong++;
        if (r % 2 == 0)
            CU_ASSERT_EQUAL(sdb_smgr_unlink(smgr, rel, SDB_FORK_FSM), SDB_OK);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_open_file_cap(void)
{
    enum { RELS = 50 };
    char dir[512];
    unsigned char page[4096], in[4096];
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, 4096);
    sdb_smgr_set_max_open_files(smgr, 4);
    for (uint32_t r = 0; r < RELS; r++) {
        SdbRelFileId rel = {3, 500 + r};
        CU_ASSERT_EQUAL(sdb_smgr_create(smgr, rel, SDB_FORK_MAIN, false), SDB_OK);
        fill(page, sizeof page, r);
        CU_ASSERT_EQUAL(sdb_smgr_write(smgr, rel, SDB_FORK_MAIN, 0, page), SDB_OK);
        CU_ASSERT_TRUE(sdb_smgr_open_files(smgr) <= 4);
    }
    /* Files closed by the cap stay dirty: a checkpoint reopens and syncs
     * them (the fault proves relation 500, long closed, is fsynced). */
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "base/3/500", false);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("base/3/500\": Input/output error"));
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    CU_ASSERT_TRUE(sdb_smgr_open_files(smgr) <= 4);
    int wrong = 0;
    for (uint32_t r = 0; r < RELS; r++)
        if (!block_holds(smgr, (SdbRelFileId){3, 500 + (r * 7) % RELS}, SDB_FORK_MAIN, 0, (r * 7) % RELS))
            wrong++;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_TRUE(sdb_smgr_open_files(smgr) <= 4);
    /* Pinned files may go over the cap; they come back under it when released. */
    SdbIoBatch batch;
    sdb_io_batch_init(&batch);
    for (uint32_t r = 0; r < 10; r++)
        CU_ASSERT_EQUAL(sdb_smgr_batch_add_read(smgr, &batch, (SdbRelFileId){3, 500 + r}, SDB_FORK_MAIN, 0, in),
                        SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_open_files(smgr), 10);
    CU_ASSERT_EQUAL(sdb_smgr_batch_submit(smgr, &batch), SDB_OK);
    sdb_io_batch_free(&batch);
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, (SdbRelFileId){3, 520}, SDB_FORK_MAIN, 0, in), SDB_OK);
    CU_ASSERT_TRUE(sdb_smgr_open_files(smgr) <= 10);
    CU_ASSERT_EQUAL(sdb_smgr_close_all(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_open_files(smgr), 0);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_dirty_tracking(void)
{
    char dir[512];
    unsigned char page[PAGE] = {1};
    SdbRelFileId clean = {5, 1}, dirty = {5, 2};
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, PAGE);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, clean, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, dirty, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, clean, SDB_FORK_MAIN, 0, page), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_sync(smgr, clean, SDB_FORK_MAIN), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, dirty, SDB_FORK_MAIN, 0, page), SDB_OK);

    /* Only the written-since-synced file is fsynced: a fault armed on the
     * clean one is never hit. */
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "base/5/1", true);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fault_hits(), 0);

    /* A failed fsync is reported and the file stays dirty. */
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, dirty, SDB_FORK_MAIN, 1, page), SDB_OK);
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "base/5/2", true);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IO_ERROR);
    CU_ASSERT_TRUE(message_has("could not fsync file"));
    CU_ASSERT_TRUE(message_has("base/5/2\": Input/output error"));
    CU_ASSERT_EQUAL(sdb_smgr_close_all(smgr), SDB_ERROR); /* keeps the dirty file open */
    CU_ASSERT_EQUAL(sdb_fault_hits(), 2);
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, NULL, true);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK); /* nothing dirty any more */
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_removed_directory(void)
{
    char dir[512], command[700];
    unsigned char page[PAGE] = {0};
    SdbRelFileId rel = {7, 16400};
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, PAGE);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, rel, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_close_all(smgr), SDB_OK);
    snprintf(command, sizeof command, "rm -rf '%s/base/7'", dir);
    CU_ASSERT_EQUAL(system(command), 0);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, rel, SDB_FORK_MAIN, 0, page), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    char expected[700];
    snprintf(expected, sizeof expected, "could not open file \"%s/base/7/16400\": No such file or directory", dir);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, expected);
    /* A file in the way of the database directory. */
    snprintf(command, sizeof command, "touch '%s/base/7'", dir);
    CU_ASSERT_EQUAL(system(command), 0);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, rel, SDB_FORK_MAIN, false), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("base/7\": Not a directory"));
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_disk_full_on_extend(void)
{
    char dir[512];
    SdbBlockNo nblocks, first;
    unsigned char page[PAGE];
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, PAGE);
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 3, NULL), SDB_OK);

    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, "base/5/16384", true);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 1, &first), SDB_ERROR);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_TRUE(message_has("base/5/16384\" at offset 24576: No space left on device"));
    CU_ASSERT_STRING_EQUAL(e->hint, "Check free disk space.");
    fill(page, PAGE, 1);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, user_rel, SDB_FORK_MAIN, 1, page), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 3);

    /* Space is back: the same file works again. */
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 1, &first), SDB_OK);
    CU_ASSERT_EQUAL(first, 3);
    CU_ASSERT_EQUAL(sdb_smgr_write(smgr, user_rel, SDB_FORK_MAIN, 3, page), SDB_OK);
    unsigned char in[PAGE];
    CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 3, in), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, page, PAGE), 0);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_batches(void)
{
    enum { BLOCKS = 40 };
    char dir[512];
    SdbRelFileId rels[2] = {{5, 100}, {5, 101}};
    unsigned char *out = malloc((size_t)BLOCKS * PAGE), *in = malloc((size_t)BLOCKS * PAGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, PAGE);
    for (int r = 0; r < 2; r++) {
        CU_ASSERT_EQUAL(sdb_smgr_create(smgr, rels[r], SDB_FORK_MAIN, false), SDB_OK);
        CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, rels[r], SDB_FORK_MAIN, BLOCKS / 2, NULL), SDB_OK);
    }
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    SdbIoBatch batch;
    sdb_io_batch_init(&batch);
    for (int b = 0; b < BLOCKS; b++) {
        fill(out + (size_t)b * PAGE, PAGE, (unsigned)b + 50);
        CU_ASSERT_EQUAL(sdb_smgr_batch_add_write(smgr, &batch, rels[b % 2], SDB_FORK_MAIN, (SdbBlockNo)(b / 2),
                                                 out + (size_t)b * PAGE),
                        SDB_OK);
    }
    CU_ASSERT_EQUAL(sdb_smgr_batch_submit(smgr, &batch), SDB_OK);
    CU_ASSERT_EQUAL(batch.count, 0);
    /* The batch's writes made both files dirty. */
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "base/5/10", true);
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_ERROR);
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    for (int b = 0; b < BLOCKS; b++)
        CU_ASSERT_EQUAL(sdb_smgr_batch_add_read(smgr, &batch, rels[b % 2], SDB_FORK_MAIN, (SdbBlockNo)(b / 2),
                                                in + (size_t)b * PAGE),
                        SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_batch_submit(smgr, &batch), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, (size_t)BLOCKS * PAGE), 0);
    /* Unlinking a file while it sits in a batch is safe (the entry is pinned);
     * the batch then reads the old, unlinked file. */
    CU_ASSERT_EQUAL(sdb_smgr_batch_add_read(smgr, &batch, rels[0], SDB_FORK_MAIN, 0, in), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_unlink(smgr, rels[0], SDB_FORK_MAIN), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_batch_submit(smgr, &batch), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, PAGE), 0);
    /* A failing batch is reported and still releases its files. */
    CU_ASSERT_EQUAL(sdb_smgr_batch_add_read(smgr, &batch, rels[1], SDB_FORK_MAIN, BLOCKS, in), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_batch_submit(smgr, &batch), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_EQUAL(sdb_smgr_batch_add_read(smgr, &batch, rels[0], SDB_FORK_MAIN, 0, in), SDB_ERROR);
    sdb_io_batch_free(&batch);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
    free(out);
    free(in);
}

typedef struct ExtendArg {
    SdbSmgr *smgr;
    SdbBlockNo firsts[100];
    int failures;
} ExtendArg;

static void *extend_thread(void *p)
{
    ExtendArg *arg = p;
    unsigned char page[4096];
    for (int i = 0; i < 100; i++) {
        if (sdb_smgr_extend(arg->smgr, user_rel, SDB_FORK_MAIN, 1, &arg->firsts[i]) != SDB_OK) {
            arg->failures++;
            continue;
        }
        fill(page, sizeof page, arg->firsts[i]);
        if (sdb_smgr_write(arg->smgr, user_rel, SDB_FORK_MAIN, arg->firsts[i], page) != SDB_OK)
            arg->failures++;
        /* Use other files meanwhile, to stir the table and the open-file cap. */
        SdbRelFileId other = {9, (uint32_t)(1000 + arg->firsts[i])};
        SdbRelFileId kept = {9, (uint32_t)(arg->firsts[i] % 8)};
        if (sdb_smgr_create(arg->smgr, other, SDB_FORK_MAIN, false) != SDB_OK ||
            sdb_smgr_write(arg->smgr, kept, SDB_FORK_MAIN, 0, page) != SDB_OK ||
            sdb_smgr_unlink(arg->smgr, other, SDB_FORK_MAIN) != SDB_OK)
            arg->failures++;
        if (i % 10 == 0 && sdb_smgr_sync_all(arg->smgr) != SDB_OK)
            arg->failures++;
    }
    return NULL;
}

static void test_concurrent_extend(void)
{
    enum { THREADS = 4 };
    char dir[512];
    pthread_t threads[THREADS];
    ExtendArg args[THREADS];
    bool seen[THREADS * 100] = {false};
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, 4096);
    sdb_smgr_set_max_open_files(smgr, 4); /* files get closed and reopened under the threads */
    CU_ASSERT_EQUAL(sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false), SDB_OK);
    for (uint32_t k = 0; k < 8; k++)
        CU_ASSERT_EQUAL(sdb_smgr_create(smgr, (SdbRelFileId){9, k}, SDB_FORK_MAIN, false), SDB_OK);
    for (int t = 0; t < THREADS; t++) {
        args[t] = (ExtendArg){.smgr = smgr};
        pthread_create(&threads[t], NULL, extend_thread, &args[t]);
    }
    int duplicates = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CU_ASSERT_EQUAL(args[t].failures, 0);
        for (int i = 0; i < 100; i++) {
            if (args[t].firsts[i] >= THREADS * 100 || seen[args[t].firsts[i]])
                duplicates++;
            else
                seen[args[t].firsts[i]] = true;
        }
    }
    CU_ASSERT_EQUAL(duplicates, 0);
    SdbBlockNo nblocks;
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, THREADS * 100);
    int wrong = 0;
    for (SdbBlockNo b = 0; b < nblocks; b++)
        if (!block_holds(smgr, user_rel, SDB_FORK_MAIN, b, b))
            wrong++;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_direct_io(void)
{
    char dir[512];
    sdb_test_tempdir(dir, sizeof dir);
    SdbSmgr *smgr = sdb_smgr_open(dir, 16384, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(smgr);
    unsigned char *page = sdb_file_alloc_aligned(16384), *in = sdb_file_alloc_aligned(16384);
    CU_ASSERT_PTR_NOT_NULL_FATAL(page);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    if (sdb_smgr_create(smgr, user_rel, SDB_FORK_MAIN, false) != SDB_OK) {
        /* The file system refuses O_DIRECT (tmpfs): reported, not ignored. */
        CU_ASSERT_TRUE(message_has("Invalid argument"));
    } else {
        CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 4, NULL), SDB_OK);
        fill(page, 16384, 8);
        CU_ASSERT_EQUAL(sdb_smgr_write(smgr, user_rel, SDB_FORK_MAIN, 2, page), SDB_OK);
        CU_ASSERT_EQUAL(sdb_smgr_read(smgr, user_rel, SDB_FORK_MAIN, 2, in), SDB_OK);
        CU_ASSERT_EQUAL(memcmp(in, page, 16384), 0);
        CU_ASSERT_EQUAL(sdb_smgr_sync_all(smgr), SDB_OK);
    }
    sdb_file_free_aligned(page);
    sdb_file_free_aligned(in);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}


static bool file_exists(const char *dir, const char *relative)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, relative);
    return stat(path, &st) == 0;
}

/* Logged create and truncate, then a crash (the data directory loses the
 * files): replaying the WAL through the rmgr table brings them back. */
static void test_wal_records_and_redo(void)
{
    char dir[512], wal_dir[600];
    SdbSmgr *smgr = open_smgr(dir, sizeof dir, 4096);
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    SdbWalConfig cfg = {.dir = wal_dir, .system_id = 42, .segment_size = 1 << 20, .block_size = 4096,
                        .buffer_size = 1 << 20, .fsync = true, .full_page_writes = true};
    SdbWal *wal = NULL;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_create_logged(smgr, wal, user_rel, SDB_FORK_MAIN, 7), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_create_logged(smgr, wal, user_rel, SDB_FORK_FSM, 7), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 10, NULL), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_truncate_logged(smgr, wal, user_rel, SDB_FORK_MAIN, 4, 7), SDB_OK);
    SdbBlockNo nblocks;
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 4);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);

    /* Lose the files; make the main fork longer than the truncation. */
    CU_ASSERT_EQUAL(sdb_smgr_unlink(smgr, user_rel, SDB_FORK_FSM), SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_extend(smgr, user_rel, SDB_FORK_MAIN, 5, NULL), SDB_OK);
    CU_ASSERT_FALSE(file_exists(dir, "base/5/16384_fsm"));

    SdbWalReader *reader = NULL;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &reader), SDB_OK);
    SdbRedoContext ctx = {.pool = NULL, .smgr = smgr, .page_size = 4096};
    const SdbWalRecord *rec;
    char line[512];
    int seen = 0;
    /* Replay twice: redo is idempotent. */
    for (int pass = 0; pass < 2; pass++) {
        while (sdb_wal_reader_next(reader, &rec) == SDB_OK && rec != NULL) {
            if (rec->rmgr != SDB_RMGR_SMGR)
                continue;
            seen++;
            ctx.record_lsn = rec->lsn;
            ctx.end_lsn = rec->end_lsn;
            CU_ASSERT_EQUAL(sdb_rmgr_redo(&ctx, rec), SDB_OK);
            sdb_smgr_describe(rec, line, sizeof line);
            if (seen == 1)
                CU_ASSERT_STRING_EQUAL(line, "create rel 5/16384 fork main");
            if (seen == 2)
                CU_ASSERT_STRING_EQUAL(line, "create rel 5/16384 fork fsm");
            if (seen == 3)
                CU_ASSERT_STRING_EQUAL(line, "truncate rel 5/16384 fork main to 4 blocks");
        }
        sdb_wal_reader_close(reader);
        reader = NULL;
        if (pass == 0)
            CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &reader), SDB_OK);
    }
    CU_ASSERT_EQUAL(seen, 6);
    CU_ASSERT_TRUE(file_exists(dir, "base/5/16384_fsm"));
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(smgr, user_rel, SDB_FORK_MAIN, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 4);

    /* Redo of a truncation whose file was dropped later recreates it. */
    SdbSmgrTruncateRecord payload = {.db_oid = 6, .rel_number = 77, .fork = SDB_FORK_MAIN, .nblocks = 0};
    SdbWalRecord fake = {.lsn = 1000, .end_lsn = 1100, .rmgr = SDB_RMGR_SMGR, .info = SDB_SMGR_WAL_TRUNCATE,
                         .main_data = (const uint8_t *)&payload, .main_len = sizeof payload};
    CU_ASSERT_EQUAL(sdb_smgr_redo(&ctx, &fake), SDB_OK);
    CU_ASSERT_TRUE(file_exists(dir, "base/6/77"));

    /* Damaged records are corruption, not crashes. */
    fake.main_len = 5;
    CU_ASSERT_EQUAL(sdb_smgr_redo(&ctx, &fake), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    sdb_smgr_describe(&fake, line, sizeof line);
    CU_ASSERT_STRING_EQUAL(line, "invalid SMGR record (info 0x20, 5 bytes)");
    fake.main_len = sizeof payload;
    payload.fork = 9;
    CU_ASSERT_EQUAL(sdb_smgr_redo(&ctx, &fake), SDB_ERROR);
    fake.info = 0x70;
    CU_ASSERT_EQUAL(sdb_smgr_redo(&ctx, &fake), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("unknown SMGR record info 0x70"));
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"paths and opening", test_paths},
    {"create, extend, read, write, truncate, unlink", test_lifecycle},
    {"partial last block after a crash", test_partial_last_block},
    {"many relations", test_many_relations},
    {"open-file cap", test_open_file_cap},
    {"dirty tracking for checkpoints", test_dirty_tracking},
    {"removed directory reports file and errno", test_removed_directory},
    {"disk full on extend, usable afterwards", test_disk_full_on_extend},
    {"batches", test_batches},
    {"concurrent extension", test_concurrent_extend},
    {"direct I/O", test_direct_io},
    {"WAL records, redo, describe", test_wal_records_and_redo},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"smgr", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
