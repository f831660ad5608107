/*
 * test_bufpool.c: the buffer pool (storage/bufpool.h): pins, latches under
 * threads, eviction under each policy with a pool smaller than the data,
 * the all-pinned error, the write-ahead rule, corrupt pages on disk,
 * dropping a relation's pages, extension modes and the background writer.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "storage/bufpool.h"
#include "storage/page.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

#define PAGE 8192u
#define FRAMES 16u

static const SdbRelFileId REL = {5, 16384};

typedef struct Fixture {
    char dir[512];
    SdbSmgr *smgr;
    SdbBufPool *pool;
} Fixture;

static SdbBufPool *make_pool(SdbSmgr *smgr, SdbWal *wal, int eviction, uint32_t bgwriter_ms)
{
    SdbBufPoolConfig config = {.page_size = PAGE, .frames = FRAMES, .eviction = eviction,
                               .bgwriter_delay_ms = bgwriter_ms};
    return sdb_bufpool_create(smgr, wal, &config);
}

static void setup(Fixture *f, int eviction)
{
    sdb_test_tempdir(f->dir, sizeof f->dir);
    f->smgr = sdb_smgr_open(f->dir, PAGE, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->smgr);
    CU_ASSERT_EQUAL_FATAL(sdb_smgr_create(f->smgr, REL, SDB_FORK_MAIN, false), SDB_OK);
    f->pool = make_pool(f->smgr, NULL, eviction, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->pool);
}

static void teardown(Fixture *f)
{
    SdbBufPoolStats st;
    sdb_bufpool_stats(f->pool, &st);
    CU_ASSERT_EQUAL(st.pinned, 0);
    sdb_bufpool_destroy(f->pool);
    CU_ASSERT_EQUAL(sdb_smgr_close(f->smgr), SDB_OK);
}

/* The test content of block `block` at version `version`: one item. */
typedef struct Item {
    uint32_t block;
    uint32_t version;
    uint64_t a, b; /* a == b always (checked by readers) */
    char fill[200];
} Item;

static void fill_item(Item *item, uint32_t block, uint32_t version)
{
    memset(item, 0, sizeof *item);
    item->block = block;
    item->version = version;
    memset(item->fill, (int)('a' + (block + version) % 26), sizeof item->fill);
}

static void init_page(uint8_t *page, uint32_t block, uint32_t version)
{
    Item item;
    fill_item(&item, block, version);
    sdb_page_init(page, PAGE, SDB_PAGE_KIND_HEAP, 0);
    CU_ASSERT_EQUAL(sdb_page_add_item(page, &item, sizeof item, 0, 0), 1);
}

static Item *page_item(uint8_t *page)
{
    uint16_t len = 0;
    Item *item = sdb_page_item(page, 1, &len);
    return len == sizeof(Item) ? item : NULL;
}

static bool page_has(uint8_t *page, uint32_t block, uint32_t version)
{
    Item expect;
    Item *item = page_item(page);
    fill_item(&expect, block, version);
    return item != NULL && memcmp(item, &expect, sizeof expect) == 0;
}

/* Append `n` pages (block i holds version `version`), dirty, unpinned. */
static void append_pages(SdbBufPool *pool, uint32_t n, uint32_t version)
{
    for (uint32_t i = 0; i < n; i++) {
        SdbBuffer *buf = sdb_buf_read(pool, REL, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        init_page(sdb_buf_page(buf), sdb_buf_block(buf), version);
        sdb_buf_mark_dirty(buf);
        sdb_buf_unlock_release(buf);
    }
}

static bool read_back(SdbBufPool *pool, uint32_t block, uint32_t version)
{
    SdbBuffer *buf = sdb_buf_read(pool, REL, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return false;
    sdb_buf_lock(buf, SDB_BUF_SHARE);
    bool ok = page_has(sdb_buf_page(buf), block, version);
    sdb_buf_unlock_release(buf);
    return ok;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_pin_unpin(void)
{
    Fixture f;
    SdbBufPoolStats st;
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);

    SdbBuffer *buf = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_EQUAL(sdb_buf_block(buf), 0);
    CU_ASSERT_TRUE(sdb_relfile_equal(sdb_buf_rel(buf), REL));
    CU_ASSERT_EQUAL(sdb_buf_fork(buf), SDB_FORK_MAIN);
    CU_ASSERT_TRUE(sdb_page_is_new(sdb_buf_page(buf)));
    init_page(sdb_buf_page(buf), 0, 1);
    sdb_buf_mark_dirty(buf);
    sdb_buf_set_lsn(buf, 1234);
    CU_ASSERT_EQUAL(sdb_buf_lsn(buf), 1234);
    sdb_buf_unlock(buf);

    sdb_buf_pin_again(buf);
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_EQUAL(st.pinned, 1);
    CU_ASSERT_EQUAL(st.dirty, 1);
    sdb_buf_release(buf);
    sdb_buf_release(buf);

    sdb_bufpool_stats(f.pool, &st);
    uint64_t hits = st.hits;
    SdbBuffer *again = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    CU_ASSERT_PTR_EQUAL(again, buf);
    sdb_buf_lock(again, SDB_BUF_SHARE);
    CU_ASSERT_TRUE(page_has(sdb_buf_page(again), 0, 1));
    sdb_buf_unlock_release(again);
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_EQUAL(st.hits, hits + 1);

    /* A block past the end of the file is an error, not a page of zeros. */
    CU_ASSERT_PTR_NULL(sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 7, SDB_BUF_READ));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    sdb_error_clear();
    teardown(&f);
}

/* Write 4x the pool's worth of pages, read them back in two orders, then
 * again from a fresh pool (from disk). */
static void eviction_round_trip(int eviction)
{
    Fixture f;
    SdbBufPoolStats st;
    const uint32_t n = FRAMES * 4;
    setup(&f, eviction);

    append_pages(f.pool, n, 1);
    for (uint32_t i = 0; i < n; i++)
        CU_ASSERT_TRUE(read_back(f.pool, i, 1));
    /* A hot set read often, with cold pages streaming by. */
    for (uint32_t round = 0; round < 8; round++) {
        for (uint32_t hot = 0; hot < 4; hot++)
            CU_ASSERT_TRUE(read_back(f.pool, hot, 1));
        for (uint32_t k = 0; k < FRAMES; k++) {
            uint32_t cold = 4 + (round * 7 + k * 13) % (n - 4);
            CU_ASSERT_TRUE(read_back(f.pool, cold, 1));
        }
    }
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_TRUE(st.evictions > 0);
    CU_ASSERT_TRUE(st.writes >= n - FRAMES);
    CU_ASSERT_TRUE(st.reads > 0);
    CU_ASSERT_TRUE(st.hits > 0);
    CU_ASSERT_EQUAL(st.frames, FRAMES);

    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_EQUAL(st.dirty, 0);
    sdb_bufpool_destroy(f.pool);
    f.pool = make_pool(f.smgr, NULL, eviction, 0);
    for (uint32_t i = n; i-- > 0;)
        CU_ASSERT_TRUE(read_back(f.pool, i, 1));
    teardown(&f);
}

static void test_eviction_clock(void)
{
    eviction_round_trip(SDB_BUFFER_EVICTION_CLOCK);
}

static void test_eviction_lru_k(void)
{
    eviction_round_trip(SDB_BUFFER_EVICTION_LRU_K);
}

static void test_eviction_arc(void)
{
    eviction_round_trip(SDB_BUFFER_EVICTION_ARC);
}

/* LRU-K and ARC keep a page read twice over pages read once. */
static void test_scan_resistance(void)
{
    int policies[] = {SDB_BUFFER_EVICTION_LRU_K, SDB_BUFFER_EVICTION_ARC};
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        Fixture f;
        SdbBufPoolStats before, after;
        setup(&f, policies[p]);
        append_pages(f.pool, FRAMES * 3, 1);
        CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
        sdb_bufpool_destroy(f.pool);
        f.pool = make_pool(f.smgr, NULL, policies[p], 0);
        /* block 0 read twice, then a scan of more than the pool */
        CU_ASSERT_TRUE(read_back(f.pool, 0, 1));
        CU_ASSERT_TRUE(read_back(f.pool, 0, 1));
        for (uint32_t i = FRAMES; i < FRAMES * 3; i++)
            CU_ASSERT_TRUE(read_back(f.pool, i, 1));
        sdb_bufpool_stats(f.pool, &before);
        CU_ASSERT_TRUE(read_back(f.pool, 0, 1));
        sdb_bufpool_stats(f.pool, &after);
        CU_ASSERT_EQUAL_FATAL(after.hits, before.hits + 1);
        teardown(&f);
    }
}

static void test_all_pinned(void)
{
    Fixture f;
    SdbBuffer *pinned[FRAMES];
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    append_pages(f.pool, FRAMES + 1, 1);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    for (int eviction = 0; eviction < 3; eviction++) {
        sdb_bufpool_destroy(f.pool);
        f.pool = make_pool(f.smgr, NULL, eviction, 0);
        for (uint32_t i = 0; i < FRAMES; i++) {
            pinned[i] = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, i, SDB_BUF_READ);
            CU_ASSERT_PTR_NOT_NULL_FATAL(pinned[i]);
        }
        sdb_error_clear();
        CU_ASSERT_PTR_NULL(sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, FRAMES, SDB_BUF_READ));
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INSUFFICIENT_RESOURCES);
        CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "no unpinned buffers available"));
        /* Pages already pinned are still found. */
        SdbBuffer *again = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 3, SDB_BUF_READ);
        CU_ASSERT_PTR_EQUAL(again, pinned[3]);
        sdb_buf_release(again);
        sdb_buf_release(pinned[0]);
        CU_ASSERT_TRUE(read_back(f.pool, FRAMES, 1));
        for (uint32_t i = 1; i < FRAMES; i++)
            sdb_buf_release(pinned[i]);
    }
    teardown(&f);
}

/* Threads change random pages of a relation twice the pool's size under
 * exclusive latches (a and b together) and check a == b under share
 * latches; the sum of the counters must match what was done. */
#define THREADS 4
#define PAGES (FRAMES * 2)

typedef struct Worker {
    SdbBufPool *pool;
    unsigned seed;
    int ops;
    int increments;
    int errors;
} Worker;

static void *worker_main(void *arg)
{
    Worker *w = arg;
    for (int i = 0; i < w->ops; i++) {
        uint32_t block = (uint32_t)rand_r(&w->seed) % PAGES;
        bool write = rand_r(&w->seed) % 3 == 0;
        SdbBuffer *buf = sdb_buf_read(w->pool, REL, SDB_FORK_MAIN, block, SDB_BUF_READ);
        if (buf == NULL) {
            /* Transiently every frame may be pinned by the other threads. */
            if (sdb_error_last()->code != SDB_ERR_INSUFFICIENT_RESOURCES)
                w->errors++;
            sdb_error_clear();
            continue;
        }
        sdb_buf_lock(buf, write ? SDB_BUF_EXCLUSIVE : SDB_BUF_SHARE);
        Item *item = page_item(sdb_buf_page(buf));
        if (item == NULL || item->block != block || item->a != item->b) {
            w->errors++;
        } else if (write) {
            item->a++;
            sched_yield();
            item->b++;
            sdb_buf_mark_dirty(buf);
            w->increments++;
        }
        sdb_buf_unlock_release(buf);
    }
    return NULL;
}

static void test_latches_under_threads(void)
{
    Fixture f;
    pthread_t threads[THREADS];
    Worker workers[THREADS];
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    append_pages(f.pool, PAGES, 1);

    int total = 0;
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (Worker){.pool = f.pool, .seed = (unsigned)t * 7919u + 1,
                              .ops = getenv("SPECDB_SOAK") != NULL ? 300000 : 3000};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, worker_main, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CU_ASSERT_EQUAL(workers[t].errors, 0);
        total += workers[t].increments;
    }
    uint64_t sum = 0;
    for (uint32_t block = 0; block < PAGES; block++) {
        SdbBuffer *buf = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, block, SDB_BUF_READ);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        sdb_buf_lock(buf, SDB_BUF_SHARE);
        sum += page_item(sdb_buf_page(buf))->a;
        sdb_buf_unlock_release(buf);
    }
    CU_ASSERT_EQUAL(sum, (uint64_t)total);
    CU_ASSERT_TRUE(total > 0);
    teardown(&f);
}

/* ---- write-ahead rule ------------------------------------------------------------------- */

static SdbWal *make_wal(const char *dir, SdbWalConfig *cfg, char *wal_dir, size_t size)
{
    SdbSettings settings;
    SdbWal *wal = NULL;
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&settings), SDB_OK);
    snprintf(wal_dir, size, "%s/wal", dir);
    sdb_wal_config_from_settings(cfg, &settings, wal_dir, 42);
    cfg->segment_size = 1024 * 1024;
    cfg->block_size = PAGE;
    CU_ASSERT_EQUAL(sdb_wal_create(cfg, &wal), SDB_OK);
    sdb_settings_free(&settings);
    return wal;
}

static void test_wal_rule(void)
{
    Fixture f;
    SdbWalConfig cfg;
    char wal_dir[600];
    SdbLsn lsn;
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    SdbWal *wal = make_wal(f.dir, &cfg, wal_dir, sizeof wal_dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wal);
    sdb_bufpool_set_wal(f.pool, wal);

    SdbBuffer *buf = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    init_page(sdb_buf_page(buf), 0, 1);
    CU_ASSERT_EQUAL(sdb_xlog_log_pages(wal, &buf, 1, &lsn), SDB_OK);
    CU_ASSERT_EQUAL(sdb_buf_lsn(buf), lsn);
    sdb_buf_unlock_release(buf);
    CU_ASSERT_TRUE(sdb_wal_flushed_lsn(wal) < lsn);

    /* Push block 0 out of the pool: writing it must flush the WAL first. */
    append_pages(f.pool, FRAMES * 2, 2);
    SdbBufPoolStats st;
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_TRUE(st.evictions > 0);
    CU_ASSERT_TRUE(sdb_wal_flushed_lsn(wal) >= lsn);

    /* On disk: block 0 with our LSN, a valid checksum, the data. */
    uint8_t disk[PAGE];
    CU_ASSERT_EQUAL(sdb_smgr_read(f.smgr, REL, SDB_FORK_MAIN, 0, disk), SDB_OK);
    CU_ASSERT_EQUAL(sdb_page_verify(disk, PAGE, 0, "test"), SDB_OK);
    CU_ASSERT_EQUAL(sdb_page_lsn(disk), lsn);
    CU_ASSERT_TRUE(page_has(disk, 0, 1));

    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    teardown(&f);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* A change whose WAL record is inserted before a checkpoint's flush starts
 * but whose dirty mark comes later (insert, set LSN, mark dirty, all under
 * the exclusive latch): flush_all must wait for it and write the page. */
typedef struct Changer {
    SdbBufPool *pool;
    SdbWal *wal;
    _Atomic bool inserted;
    int rc;
} Changer;

static void *change_slowly(void *arg)
{
    Changer *c = arg;
    SdbWalBuilder b;
    SdbBuffer *buf = sdb_buf_read(c->pool, REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    if (buf == NULL)
        return NULL;
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    init_page(sdb_buf_page(buf), 0, 2);
    sdb_wal_begin(&b);
    sdb_wal_add_block(&b, REL, SDB_FORK_MAIN, 0, sdb_buf_page(buf), SDB_WAL_FORCE_IMAGE);
    SdbLsn lsn = sdb_wal_insert(c->wal, &b, SDB_RMGR_XLOG, SDB_XLOG_FPI, SDB_INVALID_XID);
    sdb_buf_set_lsn(buf, lsn);
    c->rc = lsn == SDB_INVALID_LSN ? SDB_ERROR : SDB_OK;
    atomic_store(&c->inserted, true);
    sleep_ms(100);
    sdb_buf_mark_dirty(buf);
    sdb_buf_unlock_release(buf);
    return NULL;
}

static void test_flush_all_waits_for_changes(void)
{
    Fixture f;
    SdbWalConfig cfg;
    char wal_dir[600];
    uint8_t disk[PAGE];
    pthread_t changer;
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    SdbWal *wal = make_wal(f.dir, &cfg, wal_dir, sizeof wal_dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wal);
    sdb_bufpool_set_wal(f.pool, wal);
    append_pages(f.pool, 1, 1);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);

    Changer c = {.pool = f.pool, .wal = wal, .rc = SDB_ERROR};
    atomic_init(&c.inserted, false);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&changer, NULL, change_slowly, &c), 0);
    while (!atomic_load(&c.inserted))
        sleep_ms(1);
    sdb_wal_begin_redo_point(wal); /* a checkpoint starts after the insert */
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    pthread_join(changer, NULL);
    CU_ASSERT_EQUAL(c.rc, SDB_OK);
    CU_ASSERT_EQUAL(sdb_smgr_read(f.smgr, REL, SDB_FORK_MAIN, 0, disk), SDB_OK);
    CU_ASSERT_TRUE(page_has(disk, 0, 2));
    teardown(&f);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* ---- corruption ------------------------------------------------------------------------------ */

static void flip_byte(const char *dir, uint32_t block, uint32_t offset)
{
    char path[700], rel[SDB_SMGR_PATH_MAX];
    uint8_t byte;
    sdb_smgr_path(REL, SDB_FORK_MAIN, rel, sizeof rel);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int fd = open(path, O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    off_t pos = (off_t)block * PAGE + offset;
    CU_ASSERT_EQUAL(pread(fd, &byte, 1, pos), 1);
    byte ^= 0x10;
    CU_ASSERT_EQUAL(pwrite(fd, &byte, 1, pos), 1);
    close(fd);
}

static void test_corrupt_page(void)
{
    Fixture f;
    SdbBufPoolStats st;
    char rel[SDB_SMGR_PATH_MAX];
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    append_pages(f.pool, 3, 1);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    /* Forget the cached copies, then damage block 1 on disk. */
    CU_ASSERT_EQUAL(sdb_bufpool_drop_rel(f.pool, REL, SDB_FORK_MAIN, 0), SDB_OK);
    flip_byte(f.dir, 1, PAGE - 100);

    sdb_smgr_path(REL, SDB_FORK_MAIN, rel, sizeof rel);
    for (int attempt = 0; attempt < 2; attempt++) {
        sdb_error_clear();
        CU_ASSERT_PTR_NULL(sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 1, SDB_BUF_READ));
        const SdbErrorData *e = sdb_error_last();
        CU_ASSERT_EQUAL(e->code, SDB_ERR_DATA_CORRUPTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(e->message, rel));
        CU_ASSERT_PTR_NOT_NULL(strstr(e->message, "block 1"));
    }
    sdb_bufpool_stats(f.pool, &st);
    CU_ASSERT_EQUAL(st.corrupt_reads, 2);
    CU_ASSERT_TRUE(read_back(f.pool, 0, 1));
    CU_ASSERT_TRUE(read_back(f.pool, 2, 1));

    /* Repaired on disk: the next read succeeds (nothing bad was cached). */
    flip_byte(f.dir, 1, PAGE - 100);
    CU_ASSERT_TRUE(read_back(f.pool, 1, 1));
    sdb_error_clear();
    teardown(&f);
}

/* ---- dropping, zero mode, background writer ----------------------------------------------- */

static void *release_later(void *buf)
{
    sleep_ms(50);
    sdb_buf_release(buf);
    return NULL;
}

static void test_drop_rel(void)
{
    Fixture f;
    setup(&f, SDB_BUFFER_EVICTION_ARC);
    append_pages(f.pool, 4, 1);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);

    /* Version 2 in the pool only, then dropped from block 2 on. */
    for (uint32_t block = 0; block < 4; block++) {
        SdbBuffer *buf = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, block, SDB_BUF_READ);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
        init_page(sdb_buf_page(buf), block, 2);
        sdb_buf_mark_dirty(buf);
        sdb_buf_unlock_release(buf);
    }
    /* A transient pin (a write in progress, say) is waited for. */
    pthread_t releaser;
    SdbBuffer *pinned = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 3, SDB_BUF_READ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pinned);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&releaser, NULL, release_later, pinned), 0);
    CU_ASSERT_EQUAL(sdb_bufpool_drop_rel(f.pool, REL, SDB_FORK_COUNT, 2), SDB_OK);
    pthread_join(releaser, NULL);

    CU_ASSERT_TRUE(read_back(f.pool, 0, 2));
    CU_ASSERT_TRUE(read_back(f.pool, 1, 2));
    CU_ASSERT_TRUE(read_back(f.pool, 2, 1)); /* the dirty version 2 was discarded */
    CU_ASSERT_TRUE(read_back(f.pool, 3, 1));
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    teardown(&f);
}

static void test_zero_mode(void)
{
    Fixture f;
    SdbBlockNo nblocks = 0;
    const SdbRelFileId other = {5, 20000};
    setup(&f, SDB_BUFFER_EVICTION_CLOCK);
    /* Block 5 of a fork whose file does not exist yet. */
    SdbBuffer *buf = sdb_buf_read(f.pool, other, SDB_FORK_FSM, 5, SDB_BUF_ZERO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_TRUE(sdb_page_is_new(sdb_buf_page(buf)));
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(f.smgr, other, SDB_FORK_FSM, &nblocks), SDB_OK);
    CU_ASSERT_EQUAL(nblocks, 6);
    sdb_buf_unlock_release(buf);
    /* A cached page is zeroed too. */
    append_pages(f.pool, 1, 1);
    buf = sdb_buf_read(f.pool, REL, SDB_FORK_MAIN, 0, SDB_BUF_ZERO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_TRUE(sdb_page_is_new(sdb_buf_page(buf)));
    sdb_buf_unlock_release(buf);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(f.pool), SDB_OK);
    teardown(&f);
}

static void test_bgwriter(void)
{
    Fixture f;
    SdbBufPoolStats st;
    setup(&f, SDB_BUFFER_EVICTION_ARC);
    append_pages(f.pool, FRAMES / 2, 1);
    CU_ASSERT_EQUAL(sdb_bufpool_start_bgwriter(f.pool, 5), SDB_OK);
    CU_ASSERT_EQUAL(sdb_bufpool_start_bgwriter(f.pool, 5), SDB_OK); /* no-op */
    for (int waited = 0; waited < 5000; waited += 10) {
        sdb_bufpool_stats(f.pool, &st);
        if (st.dirty == 0)
            break;
        sleep_ms(10);
    }
    CU_ASSERT_EQUAL(st.dirty, 0);
    CU_ASSERT_TRUE(st.bgwriter_writes >= FRAMES / 2);
    sdb_bufpool_stop_bgwriter(f.pool);
    sdb_bufpool_stop_bgwriter(f.pool); /* no-op */

    /* Written by the background writer means readable from disk. */
    CU_ASSERT_EQUAL(sdb_bufpool_drop_rel(f.pool, REL, SDB_FORK_MAIN, 0), SDB_OK);
    for (uint32_t i = 0; i < FRAMES / 2; i++)
        CU_ASSERT_TRUE(read_back(f.pool, i, 1));
    /* Destroy with the thread running stops it. */
    CU_ASSERT_EQUAL(sdb_bufpool_start_bgwriter(f.pool, 1), SDB_OK);
    teardown(&f);
}

static void test_bad_config(void)
{
    SdbBufPoolConfig config = {.page_size = 1000, .frames = FRAMES, .eviction = 0};
    CU_ASSERT_PTR_NULL(sdb_bufpool_create(NULL, NULL, &config));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_PARAMETER_VALUE);
    CU_ASSERT_EQUAL(sdb_bufpool_frames_for(128 * 1024, 8192), 16384);
    CU_ASSERT_EQUAL(sdb_bufpool_frames_for(8, 8192), 16);
    CU_ASSERT_STRING_EQUAL(sdb_bufpool_eviction_name(SDB_BUFFER_EVICTION_ARC), "arc");
    sdb_error_clear();
}

static CU_TestInfo tests[] = {
    {"pin and unpin", test_pin_unpin},
    {"eviction round trip: clock", test_eviction_clock},
    {"eviction round trip: lru_k", test_eviction_lru_k},
    {"eviction round trip: arc", test_eviction_arc},
    {"lru_k and arc resist a scan", test_scan_resistance},
    {"every frame pinned is an error", test_all_pinned},
    {"latches under threads", test_latches_under_threads},
    {"write-ahead rule", test_wal_rule},
    {"flush_all waits for a change in progress", test_flush_all_waits_for_changes},
    {"corrupt page on disk", test_corrupt_page},
    {"drop a relation's pages", test_drop_rel},
    {"zero mode", test_zero_mode},
    {"background writer", test_bgwriter},
    {"bad configuration", test_bad_config},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"bufpool", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
