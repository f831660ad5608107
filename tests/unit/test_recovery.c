/*
 * test_recovery.c: the engine lifecycle (storage/engine.h), checkpoints
 * (checkpoint.h) and crash recovery (recovery.h).  Crashes are simulated by
 * a child process that changes pages, flushes the WAL and _exit()s without
 * writing any data page; the parent then opens the directory again.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "config/settings.h"
#include "harness.h"
#include "storage/engine.h"
#include "storage/page.h"
#include "storage/rmgr.h"

#define PAGE 8192u

static const SdbRelFileId REL = {5, 16384};

static SdbSettings settings;

static int suite_init(void)
{
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    settings.block_size = PAGE;
    settings.shared_buffers = 1024; /* kB: 128 frames */
    settings.wal_segment_size = 1024; /* kB */
    settings.checkpoint_timeout = 3600;
    sdb_log_configure(SDB_SEVERITY_FATAL, SDB_LOG_TEXT, NULL);
    return 0;
}

static int suite_clean(void)
{
    sdb_settings_free(&settings);
    return 0;
}

static void new_datadir(char *dir, size_t size)
{
    char base[400];
    sdb_test_tempdir(base, sizeof base);
    snprintf(dir, size, "%s/data", base);
}

/* ---- page contents ------------------------------------------------------------------- */

typedef struct Item {
    uint32_t block;
    uint32_t version;
    char fill[240];
} Item;

static void fill_item(Item *item, uint32_t block, uint32_t version)
{
    memset(item, 0, sizeof *item);
    item->block = block;
    item->version = version;
    memset(item->fill, (int)('A' + (block * 3 + version) % 26), sizeof item->fill);
}

/* `items` copies of the item for (block, version). */
static void build_page(uint8_t *page, uint32_t block, uint32_t version, int items)
{
    Item item;
    fill_item(&item, block, version);
    sdb_page_init(page, PAGE, SDB_PAGE_KIND_HEAP, 0);
    for (int i = 0; i < items; i++)
        sdb_page_add_item(page, &item, sizeof item, 0, 0);
}

static bool page_has(uint8_t *page, uint32_t block, uint32_t version)
{
    Item expect;
    uint16_t len = 0;
    Item *item = sdb_page_item(page, 1, &len);
    fill_item(&expect, block, version);
    return item != NULL && len == sizeof expect && memcmp(item, &expect, sizeof expect) == 0;
}

/* Log the image of exclusively latched `buf` the other way round from
 * sdb_xlog_log_pages: insert, set the LSN, then mark dirty (as heap and
 * B+tree do); the checkpoint must still catch it. */
static int log_then_dirty(SdbEngine *e, SdbBuffer *buf)
{
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    sdb_wal_add_block(&b, sdb_buf_rel(buf), sdb_buf_fork(buf), sdb_buf_block(buf), sdb_buf_page(buf),
                      SDB_WAL_FORCE_IMAGE);
    SdbLsn lsn = sdb_wal_insert(sdb_engine_wal(e), &b, SDB_RMGR_XLOG, SDB_XLOG_FPI, SDB_INVALID_XID);
    if (lsn == SDB_INVALID_LSN)
        return SDB_ERROR;
    sdb_buf_set_lsn(buf, lsn);
    sched_yield(); /* widen the window a checkpoint could slip into */
    sdb_buf_mark_dirty(buf);
    return SDB_OK;
}

/* Set block `block` (new if `is_new`) to `version` and log its image. */
static int write_logged(SdbEngine *e, uint32_t block, uint32_t version, bool is_new)
{
    SdbBufPool *pool = sdb_engine_bufpool(e);
    SdbBuffer *buf = sdb_buf_read(pool, REL, SDB_FORK_MAIN, is_new ? SDB_INVALID_BLOCK : block,
                                  is_new ? SDB_BUF_NEW : SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    if (!is_new)
        sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    if (sdb_buf_block(buf) != block) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    build_page(sdb_buf_page(buf), block, version, 1);
    int rc = version % 2 == 1 ? sdb_xlog_log_pages(sdb_engine_wal(e), &buf, 1, NULL) : log_then_dirty(e, buf);
    sdb_buf_unlock_release(buf);
    return rc;
}

static bool engine_page_has(SdbEngine *e, uint32_t block, uint32_t version)
{
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), REL, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return false;
    sdb_buf_lock(buf, SDB_BUF_SHARE);
    bool ok = page_has(sdb_buf_page(buf), block, version);
    sdb_buf_unlock_release(buf);
    return ok;
}

static void read_raw_block(const char *datadir, uint32_t block, uint8_t *page)
{
    char rel[SDB_SMGR_PATH_MAX], path[600];
    sdb_smgr_path(REL, SDB_FORK_MAIN, rel, sizeof rel);
    snprintf(path, sizeof path, "%s/%s", datadir, rel);
    int fd = open(path, O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pread(fd, page, PAGE, (off_t)block * PAGE), (ssize_t)PAGE);
    close(fd);
}

/* ---- crashing ------------------------------------------------------------------------------ */

typedef void (*ChildWork)(SdbEngine *e);

#define CHILD_CHECK(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "child: check failed at line %d: %s\n", __LINE__, #cond);                        \
            sdb_error_print(stderr);                                                                         \
            _exit(1);                                                                                        \
        }                                                                                                    \
    } while (0)

/* In a child process: open `datadir`, run `work`, flush the WAL and die
 * without closing (no data page written, control file not updated). */
static void crash_after(const char *datadir, ChildWork work)
{
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        SdbEngine *e = sdb_engine_open(datadir, &settings);
        CHILD_CHECK(e != NULL);
        work(e);
        SdbWal *wal = sdb_engine_wal(e);
        CHILD_CHECK(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)) == SDB_OK);
        _exit(0);
    }
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A new data directory in `dir`, changed by `work` in a process that then
 * crashes, opened again here: returns the engine after checking that
 * recovery ran (NULL after a failed assertion). */
static SdbEngine *crash_and_reopen(char *dir, size_t size, ChildWork work)
{
    new_datadir(dir, size);
    crash_after(dir, work);
    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL(e);
    if (e != NULL)
        CU_ASSERT_TRUE(sdb_engine_recovery_result(e)->ran);
    return e;
}

static void create_relation(SdbEngine *e)
{
    CHILD_CHECK(sdb_smgr_create(sdb_engine_smgr(e), REL, SDB_FORK_MAIN, false) == SDB_OK);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_init_open_close(void)
{
    char dir[500];
    SdbControlData control;
    new_datadir(dir, sizeof dir);

    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(sdb_engine_created(e));
    CU_ASSERT_FALSE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_EQUAL(sdb_engine_page_size(e), PAGE);
    CU_ASSERT_STRING_EQUAL(sdb_engine_datadir(e), dir);
    CU_ASSERT_PTR_NOT_NULL(sdb_engine_smgr(e));
    sdb_engine_control(e, &control);
    CU_ASSERT_EQUAL(control.state, SDB_DB_IN_PRODUCTION);
    CU_ASSERT_TRUE(control.checkpoint_lsn >= SDB_WAL_FIRST_LSN);
    CU_ASSERT_EQUAL(control.wal_segment_size, 1024u * 1024u);
    CU_ASSERT_EQUAL(control.next_xid, SDB_FIRST_NORMAL_XID);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);

    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_OK);
    CU_ASSERT_EQUAL(control.state, SDB_DB_SHUT_DOWN);

    /* Reopen: no recovery; the page size comes from the control file. */
    SdbSettings other;
    CU_ASSERT_EQUAL_FATAL(sdb_settings_copy(&other, &settings), SDB_OK);
    other.block_size = 16384;
    other.buffer_eviction = SDB_BUFFER_EVICTION_ARC;
    e = sdb_engine_open(dir, &other);
    sdb_settings_free(&other);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_FALSE(sdb_engine_created(e));
    CU_ASSERT_FALSE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_EQUAL(sdb_engine_page_size(e), PAGE);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
    CU_ASSERT_EQUAL(sdb_engine_close(NULL), SDB_OK);
}

static void test_refuses_foreign_directories(void)
{
    char dir[500], path[600];
    SdbControlData control;
    new_datadir(dir, sizeof dir);
    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);

    CU_ASSERT_EQUAL_FATAL(sdb_control_read(dir, &control), SDB_OK);
    control.version = SDB_CONTROL_VERSION + 1;
    CU_ASSERT_EQUAL_FATAL(sdb_control_update(dir, &control), SDB_OK);
    sdb_error_clear();
    CU_ASSERT_PTR_NULL(sdb_engine_open(dir, &settings));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SYSTEM_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "incompatible"));

    /* A non-empty directory that is not a data directory. */
    new_datadir(dir, sizeof dir);
    CU_ASSERT_EQUAL(sdb_file_make_dir(dir), SDB_OK);
    snprintf(path, sizeof path, "%s/precious.txt", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    sdb_error_clear();
    CU_ASSERT_PTR_NULL(sdb_engine_open(dir, &settings));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SYSTEM_ERROR);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    sdb_error_clear();
}

static void work_one_image(SdbEngine *e)
{
    create_relation(e);
    CHILD_CHECK(write_logged(e, 0, 1, true) == SDB_OK);
}

static void test_crash_recovers_logged_page(void)
{
    char dir[500];
    uint8_t raw[PAGE];
    SdbControlData control;
    new_datadir(dir, sizeof dir);
    crash_after(dir, work_one_image);

    /* The page never reached the data file (it is the zeros of extension). */
    read_raw_block(dir, 0, raw);
    CU_ASSERT_TRUE(sdb_page_is_new(raw));
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_OK);
    CU_ASSERT_EQUAL(control.state, SDB_DB_IN_PRODUCTION);

    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    const SdbRecoveryResult *r = sdb_engine_recovery_result(e);
    CU_ASSERT_TRUE(r->ran);
    CU_ASSERT_TRUE(r->records >= 1);
    CU_ASSERT_EQUAL(r->blocks_restored, 1);
    CU_ASSERT_EQUAL(r->start_lsn, control.checkpoint_redo_lsn);
    CU_ASSERT_TRUE(r->end_lsn > r->start_lsn);
    CU_ASSERT_TRUE(engine_page_has(e, 0, 1));
    /* The WAL goes on after the recovered end. */
    CU_ASSERT_TRUE(sdb_wal_insert_lsn(sdb_engine_wal(e)) > r->end_lsn);
    CU_ASSERT_EQUAL(write_logged(e, 0, 2, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);

    e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_FALSE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_TRUE(engine_page_has(e, 0, 2));
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

/* Pages 0, 1 at version 1, checkpoint, then page 0 at version 2 and a new
 * page 2: only what follows the checkpoint's redo LSN is replayed. */
static void work_checkpoint_then_more(SdbEngine *e)
{
    create_relation(e);
    CHILD_CHECK(write_logged(e, 0, 1, true) == SDB_OK);
    CHILD_CHECK(write_logged(e, 1, 1, true) == SDB_OK);
    CHILD_CHECK(sdb_engine_checkpoint(e) == SDB_OK);
    CHILD_CHECK(write_logged(e, 0, 2, false) == SDB_OK);
    CHILD_CHECK(write_logged(e, 2, 1, true) == SDB_OK);
}

/* Replay the WAL of `dir` from its control file's redo LSN through a
 * fresh pool, write the pages, and return what recovery did. */
static void replay_directly(const char *dir, SdbRecoveryResult *result)
{
    SdbControlData control;
    SdbWalConfig cfg;
    char wal_dir[600];
    CU_ASSERT_EQUAL_FATAL(sdb_control_read(dir, &control), SDB_OK);
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    sdb_wal_config_from_settings(&cfg, &settings, wal_dir, control.system_id);
    cfg.segment_size = control.wal_segment_size;
    cfg.block_size = control.page_size;
    SdbSmgr *smgr = sdb_smgr_open(dir, PAGE, false);
    SdbBufPoolConfig pool_config = {.page_size = PAGE, .frames = 16, .eviction = SDB_BUFFER_EVICTION_CLOCK};
    SdbBufPool *pool = sdb_bufpool_create(smgr, NULL, &pool_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    CU_ASSERT_EQUAL(sdb_recovery_replay(pool, smgr, &cfg, control.checkpoint_redo_lsn, control.next_xid,
                                        control.next_oid, result),
                    SDB_OK);
    CU_ASSERT_EQUAL(sdb_bufpool_flush_all(pool), SDB_OK);
    sdb_bufpool_destroy(pool);
    CU_ASSERT_EQUAL(sdb_smgr_close(smgr), SDB_OK);
}

static void test_recovery_from_checkpoint_is_idempotent(void)
{
    char dir[500];
    uint8_t first[3][PAGE], second[PAGE];
    SdbRecoveryResult r1, r2;
    new_datadir(dir, sizeof dir);
    crash_after(dir, work_checkpoint_then_more);

    /* Recovery that crashes after writing pages (before its checkpoint),
     * then runs again: the same pages, byte for byte. */
    replay_directly(dir, &r1);
    CU_ASSERT_EQUAL(r1.blocks_restored, 2); /* page 0 v2 and page 2 */
    for (uint32_t b = 0; b < 3; b++)
        read_raw_block(dir, b, first[b]);
    CU_ASSERT_TRUE(page_has(first[0], 0, 2));
    CU_ASSERT_TRUE(page_has(first[1], 1, 1)); /* from the checkpoint */
    CU_ASSERT_TRUE(page_has(first[2], 2, 1));
    replay_directly(dir, &r2);
    CU_ASSERT_EQUAL(r2.records, r1.records);
    CU_ASSERT_EQUAL(r2.end_lsn, r1.end_lsn);
    for (uint32_t b = 0; b < 3; b++) {
        read_raw_block(dir, b, second);
        CU_ASSERT_EQUAL(memcmp(first[b], second, PAGE), 0);
    }

    /* The control file still asks for recovery: the engine runs it a third
     * time, then takes its end-of-recovery checkpoint. */
    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_EQUAL(sdb_engine_recovery_result(e)->records, r1.records);
    CU_ASSERT_TRUE(engine_page_has(e, 0, 2));
    CU_ASSERT_TRUE(engine_page_has(e, 1, 1));
    CU_ASSERT_TRUE(engine_page_has(e, 2, 1));
    SdbCheckpointStats st;
    sdb_engine_checkpoint_stats(e, &st);
    CU_ASSERT_EQUAL(st.requested, 1);
    CU_ASSERT_TRUE(st.last_redo_lsn >= r1.end_lsn);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

/* Hint bits: a clean page changed under a share latch logs its image. */
static void work_hint(SdbEngine *e)
{
    SdbWalStats before, after;
    create_relation(e);
    CHILD_CHECK(write_logged(e, 0, 1, true) == SDB_OK);
    CHILD_CHECK(sdb_engine_checkpoint(e) == SDB_OK);

    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    CHILD_CHECK(buf != NULL);
    sdb_buf_lock(buf, SDB_BUF_SHARE);
    uint16_t len;
    Item *item = sdb_page_item(sdb_buf_page(buf), 1, &len);
    CHILD_CHECK(item != NULL);
    sdb_wal_stats(sdb_engine_wal(e), &before);
    item->fill[0] = '#';
    CHILD_CHECK(sdb_buf_mark_dirty_hint(buf) == SDB_OK);
    sdb_wal_stats(sdb_engine_wal(e), &after);
    CHILD_CHECK(after.fpi == before.fpi + 1);
    SdbControlData control;
    sdb_engine_control(e, &control);
    CHILD_CHECK(sdb_buf_lsn(buf) > control.checkpoint_redo_lsn);
    /* Already dirty: nothing more is logged. */
    item->fill[1] = '#';
    CHILD_CHECK(sdb_buf_mark_dirty_hint(buf) == SDB_OK);
    sdb_wal_stats(sdb_engine_wal(e), &before);
    CHILD_CHECK(before.records == after.records);
    sdb_buf_unlock_release(buf);
}

static void test_hint_image_survives_crash(void)
{
    char dir[500];
    SdbEngine *e = crash_and_reopen(dir, sizeof dir, work_hint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(sdb_engine_recovery_result(e)->blocks_restored, 1);
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    uint16_t len;
    Item *item = sdb_page_item(sdb_buf_page(buf), 1, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    CU_ASSERT_EQUAL(item->fill[0], '#'); /* in the image */
    sdb_buf_release(buf);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Writers change pages while checkpoints run back to back; the last
 * checkpoint overlaps the last changes, then the process crashes.  Every
 * page must come back with its last logged version, whether that change
 * lies before or after the last redo LSN.  Each writer owns a range of
 * pages and rewrites all of them once per version. */
#define WRITERS 2

typedef struct Writer {
    SdbEngine *e;
    uint32_t first, count;
    _Atomic int *running;
    int rc;
} Writer;

static uint32_t soak_pages(void)
{
    return getenv("SPECDB_SOAK") != NULL ? 600 : 200; /* the pool has 128 frames */
}

static uint32_t soak_versions(void)
{
    return getenv("SPECDB_SOAK") != NULL ? 400 : 40;
}

static void *writer_main(void *arg)
{
    Writer *w = arg;
    for (uint32_t v = 2; v <= soak_versions() && w->rc == SDB_OK; v++) {
        for (uint32_t b = w->first; b < w->first + w->count && w->rc == SDB_OK; b++)
            w->rc = write_logged(w->e, b, v, false);
        sleep_ms(1); /* a few MB of WAL per checkpoint is plenty */
    }
    atomic_fetch_sub(w->running, 1);
    return NULL;
}

static void work_concurrent_checkpoints(SdbEngine *e)
{
    pthread_t threads[WRITERS];
    Writer writers[WRITERS];
    _Atomic int running = WRITERS;
    uint32_t pages = soak_pages();
    create_relation(e);
    for (uint32_t b = 0; b < pages; b++)
        CHILD_CHECK(write_logged(e, b, 1, true) == SDB_OK);
    for (int t = 0; t < WRITERS; t++) {
        writers[t] = (Writer){e, pages / WRITERS * (uint32_t)t, pages / WRITERS, &running, SDB_OK};
        CHILD_CHECK(pthread_create(&threads[t], NULL, writer_main, &writers[t]) == 0);
    }
    int checkpoints = 0;
    for (; atomic_load(&running) > 0; checkpoints++)
        CHILD_CHECK(sdb_engine_checkpoint(e) == SDB_OK);
    for (int t = 0; t < WRITERS; t++) {
        pthread_join(threads[t], NULL);
        CHILD_CHECK(writers[t].rc == SDB_OK);
    }
    CHILD_CHECK(checkpoints >= 2);
}

static void test_crash_during_concurrent_checkpoints(void)
{
    char dir[500];
    SdbEngine *e = crash_and_reopen(dir, sizeof dir, work_concurrent_checkpoints);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    uint32_t wrong = 0, pages = soak_pages() / WRITERS * WRITERS;
    for (uint32_t b = 0; b < pages; b++)
        wrong += !engine_page_has(e, b, soak_versions());
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

/* ---- checkpoints ------------------------------------------------------------------------------ */

/* Bytes left in the current WAL segment. */
static uint64_t segment_room(SdbEngine *e)
{
    uint32_t seg = 1024u * 1024u;
    return seg - sdb_wal_insert_lsn(sdb_engine_wal(e)) % seg;
}

/* Bring the WAL to a point where the next checkpoint record (64 bytes)
 * continues into the next segment, take that checkpoint and crash: the
 * control file's checkpoint LSN (computed from the record's end) must
 * still name it. */
static void work_checkpoint_across_segments(SdbEngine *e)
{
    create_relation(e);
    CHILD_CHECK(write_logged(e, 0, 1, true) == SDB_OK);
    for (uint32_t v = 2; segment_room(e) > 1000; v++)
        CHILD_CHECK(write_logged(e, 0, v, false) == SDB_OK);
    if (segment_room(e) % 64 == 0) {
        /* A hint record without image (the page was logged since the
         * checkpoint) moves the position by a size that is not 64. */
        SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
        CHILD_CHECK(buf != NULL);
        SdbLsn lsn;
        sdb_buf_lock(buf, SDB_BUF_SHARE);
        CHILD_CHECK(sdb_xlog_log_hint_image(sdb_engine_wal(e), buf, sdb_buf_page(buf), &lsn) == SDB_OK);
        sdb_buf_unlock_release(buf);
        CHILD_CHECK(segment_room(e) % 64 != 0);
    }
    while (segment_room(e) >= 64)
        CHILD_CHECK(sdb_engine_checkpoint(e) == SDB_OK);
    CHILD_CHECK(sdb_engine_checkpoint(e) == SDB_OK);
    SdbControlData control;
    sdb_engine_control(e, &control);
    uint32_t seg = control.wal_segment_size;
    CHILD_CHECK(control.checkpoint_lsn / seg + 1 == sdb_wal_insert_lsn(sdb_engine_wal(e)) / seg);
}

static void test_checkpoint_record_across_segments(void)
{
    char dir[500];
    SdbEngine *e = crash_and_reopen(dir, sizeof dir, work_checkpoint_across_segments);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

static int hook_calls;

static int hook_ids(void *arg, SdbCheckpointIds *ids)
{
    hook_calls++;
    ids->next_xid = *(SdbXid *)arg;
    ids->next_oid = 20000;
    return SDB_OK;
}

static int hook_fails(void *arg, SdbCheckpointIds *ids)
{
    (void)arg;
    (void)ids;
    return sdb_error(SDB_ERR_IO_ERROR, "commit log could not be written");
}

static void test_checkpoint_hook_and_stats(void)
{
    char dir[500];
    SdbControlData before, after;
    SdbCheckpointStats st;
    SdbXid next = 1000;
    new_datadir(dir, sizeof dir);
    SdbEngine *e = sdb_engine_open(dir, &settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);

    sdb_engine_set_checkpoint_hook(e, hook_ids, &next);
    hook_calls = 0;
    CU_ASSERT_EQUAL(sdb_engine_checkpoint(e), SDB_OK);
    CU_ASSERT_EQUAL(hook_calls, 1);
    sdb_engine_control(e, &before);
    CU_ASSERT_EQUAL(before.next_xid, 1000);
    CU_ASSERT_EQUAL(before.next_oid, 20000);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &after), SDB_OK);
    CU_ASSERT_EQUAL(after.next_xid, 1000);
    CU_ASSERT_EQUAL(after.checkpoint_lsn, before.checkpoint_lsn);

    /* The checkpoint record is where the control file says. */
    SdbWalConfig cfg;
    SdbWalReader *reader;
    const SdbWalRecord *rec;
    char wal_dir[600], line[256];
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    sdb_wal_config_from_settings(&cfg, &settings, wal_dir, before.system_id);
    cfg.segment_size = before.wal_segment_size;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, before.checkpoint_lsn, &reader), SDB_OK);
    CU_ASSERT_EQUAL(sdb_wal_reader_next(reader, &rec), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sdb_rmgr_describe(rec, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "checkpoint online"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "next xid 1000"));
    sdb_wal_reader_close(reader);

    sdb_engine_set_checkpoint_hook(e, hook_fails, NULL);
    CU_ASSERT_EQUAL(sdb_engine_checkpoint(e), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IO_ERROR);
    sdb_error_clear();
    sdb_engine_control(e, &after);
    CU_ASSERT_EQUAL(after.checkpoint_lsn, before.checkpoint_lsn);
    sdb_engine_checkpoint_stats(e, &st);
    CU_ASSERT_EQUAL(st.failed, 1);
    CU_ASSERT_EQUAL(st.requested, 3); /* startup and two explicit */

    sdb_engine_set_checkpoint_hook(e, NULL, NULL);
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &after), SDB_OK);
    CU_ASSERT_EQUAL(after.next_xid, 1000); /* kept without a hook */
}

/* Wait up to 10 s for the checkpointer to have done `timed` timed and
 * `requested` requested checkpoints. */
static bool wait_for_checkpoints(SdbEngine *e, uint64_t timed, uint64_t requested)
{
    SdbCheckpointStats st;
    for (int waited = 0; waited < 10000; waited += 20) {
        sdb_engine_checkpoint_stats(e, &st);
        if (st.timed >= timed && st.requested >= requested)
            return true;
        sleep_ms(20);
    }
    return false;
}

static void test_checkpointer_thread(void)
{
    char dir[500];
    SdbSettings s;
    new_datadir(dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_settings_copy(&s, &settings), SDB_OK);
    s.max_wal_size = 2; /* MB: a checkpoint every 1 MB of WAL */
    s.checkpoint_timeout = 1;
    SdbEngine *e = sdb_engine_open(dir, &s);
    sdb_settings_free(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL_FATAL(sdb_smgr_create(sdb_engine_smgr(e), REL, SDB_FORK_MAIN, false), SDB_OK);

    /* Timed: some WAL, then a second passes. */
    CU_ASSERT_EQUAL(write_logged(e, 0, 1, true), SDB_OK);
    CU_ASSERT_TRUE(wait_for_checkpoints(e, 1, 0));

    /* WAL volume: 200 full 8 kB page images are more than 1 MB. */
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), REL, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    build_page(sdb_buf_page(buf), 0, 3, 30);
    SdbCheckpointStats st;
    sdb_engine_checkpoint_stats(e, &st);
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(sdb_xlog_log_pages(sdb_engine_wal(e), &buf, 1, NULL), SDB_OK);
    sdb_buf_unlock_release(buf);
    CU_ASSERT_TRUE(wait_for_checkpoints(e, 0, st.requested + 1));
    CU_ASSERT_TRUE(engine_page_has(e, 0, 3));
    CU_ASSERT_EQUAL(sdb_engine_close(e), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"init, open, close, reopen", test_init_open_close},
    {"incompatible and foreign directories are refused", test_refuses_foreign_directories},
    {"crash: a logged page comes back", test_crash_recovers_logged_page},
    {"recovery from a checkpoint, run twice", test_recovery_from_checkpoint_is_idempotent},
    {"crash: hint-bit image", test_hint_image_survives_crash},
    {"crash while writers and checkpoints run", test_crash_during_concurrent_checkpoints},
    {"checkpoint record across a segment boundary", test_checkpoint_record_across_segments},
    {"checkpoint hook and counters", test_checkpoint_hook_and_stats},
    {"checkpointer thread: timeout and WAL volume", test_checkpointer_thread},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"recovery", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
