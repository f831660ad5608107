/*
 * test_wal_flush.c: WAL durability (wal.h): group commit shares fsyncs
 * between concurrent committers and loses none of them; the sync methods and
 * fsync = off; injected write and fsync failures (fileio's fault hook) reach
 * every committer with the file and errno, and afterwards no call claims
 * durability any more.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/fileio.h"
#include "wal_testutil.h"

enum { THREADS = 8, COMMITS = 200 };

typedef struct Committer {
    SdbWal *wal;
    int id;
    int commits;      /* how many to try */
    bool varied;      /* records of 100..8000 bytes (else 24), flushing every 4th */
    int acked;        /* flush returned SDB_OK */
    int failed;       /* insert or flush failed */
    bool ok_after_failure; /* an SDB_OK came after a failure: must not happen */
    SdbLsn max_acked; /* highest LSN acknowledged durable */
    bool flushed_behind; /* flushed_lsn < an acknowledged LSN: must not happen */
    SdbErrcode last_error;
    char message[SDB_ERROR_MESSAGE_MAX];
} Committer;

static SdbXid committer_xid(int id, int i)
{
    return (SdbXid)id * 100000 + (SdbXid)i + 1;
}

/* Length of the record of `xid`. */
static size_t record_len(SdbXid xid, bool varied)
{
    return varied ? 100 + (size_t)(xid * 7919) % 7900 : 24;
}

static void *commit_loop(void *arg)
{
    Committer *c = arg;
    for (int i = 0; i < c->commits; i++) {
        SdbXid xid = committer_xid(c->id, i);
        SdbLsn lsn = wal_test_insert(c->wal, xid, record_len(xid, c->varied));
        if (c->varied && i % 4 != 3 && lsn != SDB_INVALID_LSN)
            continue;
        if (lsn == SDB_INVALID_LSN || sdb_wal_flush(c->wal, lsn) != SDB_OK) {
            c->failed++;
            c->last_error = sdb_error_last()->code;
            snprintf(c->message, sizeof c->message, "%s", sdb_error_last()->message);
            continue;
        }
        c->acked++;
        c->ok_after_failure |= c->failed > 0;
        c->flushed_behind |= sdb_wal_flushed_lsn(c->wal) < lsn;
        if (lsn > c->max_acked)
            c->max_acked = lsn;
    }
    return NULL;
}

/* Run `nthreads` committers of `commits` commits each on `wal`. */
static void run_committers(SdbWal *wal, Committer *cs, int nthreads, int commits, bool varied)
{
    pthread_t threads[THREADS];
    for (int t = 0; t < nthreads; t++) {
        cs[t] = (Committer){.wal = wal, .id = t, .commits = commits, .varied = varied};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, commit_loop, &cs[t]), 0);
    }
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_group_commit(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    Committer cs[THREADS];
    SdbWalStats stats;
    static SdbXid xids[THREADS * COMMITS + 1];
    static bool seen[THREADS][COMMITS];
    SdbWal *wal;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    double start = now_seconds();
    run_committers(wal, cs, THREADS, COMMITS, false);
    double elapsed = now_seconds() - start;
    sdb_wal_stats(wal, &stats);
    for (int t = 0; t < THREADS; t++) {
        CU_ASSERT_EQUAL(cs[t].acked, COMMITS);
        CU_ASSERT_FALSE(cs[t].flushed_behind);
    }
    CU_ASSERT_EQUAL(stats.records, THREADS * COMMITS);
    CU_ASSERT_EQUAL(stats.flush_requests, THREADS * COMMITS);
    CU_ASSERT(stats.syncs > 0);
    CU_ASSERT(stats.syncs < THREADS * COMMITS);
    printf("\n    group commit: %d commits in %.3f s (%.0f/s), %" PRIu64 " syncs (%.1f commits per sync), "
           "%" PRIu64 " adaptive waits (%" PRIu64 " timed out)\n",
           THREADS * COMMITS, elapsed, THREADS * COMMITS / elapsed, stats.syncs,
           (double)THREADS * COMMITS / (double)stats.syncs, stats.flush_gathers,
           stats.flush_gather_timeouts);
    /* The adaptive wait lets a sync cover more than half of the committers
     * on average (without it: about half, as two groups take turns).  Only
     * where a sync takes long enough for the others to arrive meanwhile (a
     * real disk: about 130-250 us per sync here; on tmpfs a sync takes 1 us
     * and every committer is alone). */
    if (elapsed / (double)stats.syncs >= 100e-6)
        CU_ASSERT(stats.syncs * (THREADS / 2) < THREADS * COMMITS);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);

    /* Every commit is in the WAL, exactly once. */
    long n = wal_test_read_all(&cfg, SDB_WAL_FIRST_LSN, NULL, xids, THREADS * COMMITS + 1);
    CU_ASSERT_EQUAL_FATAL(n, THREADS * COMMITS);
    for (long i = 0; i < n; i++) {
        int t = (int)(xids[i] / 100000), k = (int)(xids[i] % 100000) - 1;
        CU_ASSERT_FATAL(t >= 0 && t < THREADS && k >= 0 && k < COMMITS);
        CU_ASSERT_FALSE(seen[t][k]);
        seen[t][k] = true;
    }
}

/* One committer alone: the adaptive group-commit wait never delays it, and
 * every commit needs its own sync.  Then, right after 8 threads (whose
 * syncs covered several commits each), a lone committer is delayed at most
 * once: the first sync it does alone shows it is alone. */
static void test_lone_committer_never_waits(void)
{
    enum { LONE = 300 };
    char dir[4096];
    SdbWalConfig cfg;
    Committer cs[THREADS];
    SdbWalStats before, after;
    SdbWal *wal;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    run_committers(wal, cs, 1, LONE, false);
    CU_ASSERT_EQUAL(cs[0].acked, LONE);
    sdb_wal_stats(wal, &after);
    CU_ASSERT_EQUAL(after.flush_gathers, 0);
    CU_ASSERT(after.syncs >= LONE);

    run_committers(wal, cs, THREADS, COMMITS, false);
    sdb_wal_stats(wal, &before);
    run_committers(wal, cs, 1, LONE, false);
    CU_ASSERT_EQUAL(cs[0].acked, LONE);
    sdb_wal_stats(wal, &after);
    CU_ASSERT(after.flush_gathers - before.flush_gathers <= 1);
    CU_ASSERT(after.syncs - before.syncs >= LONE);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* With commit_delay set, every flusher sleeps that long instead: no adaptive
 * wait, and the commits still share syncs. */
static void test_commit_delay_replaces_adaptive_wait(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    Committer cs[THREADS];
    SdbWalStats stats;
    SdbWal *wal;

    wal_test_config(&cfg, dir, sizeof dir);
    cfg.commit_delay_us = 50;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    run_committers(wal, cs, THREADS, 50, false);
    sdb_wal_stats(wal, &stats);
    for (int t = 0; t < THREADS; t++)
        CU_ASSERT_EQUAL(cs[t].acked, 50);
    CU_ASSERT_EQUAL(stats.flush_gathers, 0);
    CU_ASSERT(stats.syncs < THREADS * 50);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* Records written alone before the threads start: record_len gives xids
 * 800001.. lengths of 519, 538, ... 2400 bytes, about 150 kB in all. */
#define PRELUDE_RECORDS 100

/* Many threads inserting records of up to 8 kB into a 64 kB buffer: the
 * buffer wraps and fills while flushes run; every record reads back intact.
 * SPECDB_SOAK=1 runs 50 times longer. */
static void test_concurrent_inserts_wrap_the_buffer(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    Committer cs[THREADS];
    SdbWalStats stats;
    SdbWal *wal;
    int per_thread = getenv("SPECDB_SOAK") ? 10000 : 200;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    /* First one writer alone, never flushing, inserts far more than the
     * buffer holds: the buffer must be written out to make room. */
    for (int i = 0; i < PRELUDE_RECORDS; i++) {
        SdbXid xid = committer_xid(THREADS, i);
        CU_ASSERT_NOT_EQUAL(wal_test_insert(wal, xid, record_len(xid, true)), SDB_INVALID_LSN);
    }
    sdb_wal_stats(wal, &stats);
    CU_ASSERT(stats.buffer_full_writes > 0);
    run_committers(wal, cs, THREADS, per_thread, true);
    for (int t = 0; t < THREADS; t++)
        CU_ASSERT_EQUAL(cs[t].failed, 0);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);

    SdbWalReader *r;
    const SdbWalRecord *rec;
    int n = 0, bad = 0;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    while (sdb_wal_reader_next(r, &rec) == SDB_OK && rec != NULL) {
        bad += !wal_test_check(rec, rec->xid, record_len(rec->xid, true));
        n++;
    }
    sdb_wal_reader_close(r);
    CU_ASSERT_EQUAL(n, THREADS * per_thread + PRELUDE_RECORDS);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_sync_methods_and_fsync_off(void)
{
    static const SdbSetting_wal_sync_method methods[] = {
        SDB_WAL_SYNC_METHOD_FDATASYNC, SDB_WAL_SYNC_METHOD_FSYNC, SDB_WAL_SYNC_METHOD_OPEN_DATASYNC};
    char dir[4096];
    SdbWalConfig cfg;
    SdbWalStats stats;
    SdbWal *wal;

    for (int m = 0; m <= 3; m++) { /* m == 3: fsync off */
        wal_test_config(&cfg, dir, sizeof dir);
        cfg.fsync = m < 3;
        cfg.sync_method = methods[m % 3];
        CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
        for (int i = 0; i < 5; i++) {
            SdbLsn lsn = wal_test_insert(wal, (SdbXid)i + 1, 100);
            CU_ASSERT_EQUAL(sdb_wal_flush(wal, lsn), SDB_OK);
            CU_ASSERT_EQUAL(sdb_wal_flushed_lsn(wal), lsn);
        }
        sdb_wal_stats(wal, &stats);
        CU_ASSERT_EQUAL(stats.syncs > 0, cfg.fsync);
        CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
        CU_ASSERT_EQUAL(wal_test_read_all(&cfg, SDB_WAL_FIRST_LSN, NULL, NULL, 0), 5);
    }
}

/* After a failure: inserts and flushes keep failing with the original error
 * in the message, even with the fault gone, and close reports it. */
static void expect_failed_for_good(SdbWal *wal, SdbLsn durable, const char *original)
{
    CU_ASSERT_TRUE(sdb_wal_failed(wal));
    sdb_fault_clear();
    CU_ASSERT_EQUAL(wal_test_insert(wal, 99, 10), SDB_INVALID_LSN);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "WAL is unusable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, original));
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, durable), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_wal_flushed_lsn(wal), durable);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_ERROR);
}

static void fail_one_flush(unsigned ops, int errnum, SdbErrcode code, const char *what)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbWal *wal;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    SdbLsn durable = wal_test_insert(wal, 1, 100);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, durable), SDB_OK);

    sdb_fault_inject(ops, 0, errnum, dir, false); /* one failure only */
    SdbLsn lsn = wal_test_insert(wal, 2, 100);
    CU_ASSERT_NOT_EQUAL(lsn, SDB_INVALID_LSN);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, lsn), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_fault_hits(), 1);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, what));
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, dir));
    char original[256];
    snprintf(original, sizeof original, "%s", strerror(errnum));
    expect_failed_for_good(wal, durable, original);
}

static void test_fsync_failure(void)
{
    fail_one_flush(SDB_FAULT_FSYNC, EIO, SDB_ERR_IO_ERROR, "sync file");
}

static void test_write_failure(void)
{
    fail_one_flush(SDB_FAULT_WRITE, ENOSPC, SDB_ERR_DISK_FULL, "could not write");
}

/* A full disk while the WAL buffer is full: the inserter that must write
 * gets the error. */
static void test_write_failure_on_full_buffer(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbWal *wal;
    SdbLsn lsn = SDB_WAL_FIRST_LSN;
    int inserted = 0;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, dir, true);
    for (SdbLsn got; (got = wal_test_insert(wal, (SdbXid)inserted + 1, 1000)) != SDB_INVALID_LSN;) {
        lsn = got;
        inserted++;
        CU_ASSERT_FATAL(inserted < 1000);
    }
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT(inserted > 30 && inserted < 70); /* about one 64 kB buffer */
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, lsn), SDB_ERROR);
    expect_failed_for_good(wal, SDB_WAL_FIRST_LSN, strerror(ENOSPC));
}

/* Committers running while an fsync fails: those waiting for that flush
 * and every later one get the error; nothing acknowledged is lost. */
static void test_failure_reaches_every_committer(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    Committer cs[THREADS];
    static SdbXid xids[THREADS * COMMITS];
    SdbWal *wal;
    int failed = 0, acked = 0;
    SdbLsn max_acked = 0;

    wal_test_config(&cfg, dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(&cfg, &wal), SDB_OK);
    sdb_fault_inject(SDB_FAULT_FSYNC, 10, EIO, dir, false);
    run_committers(wal, cs, 4, 100, false);
    CU_ASSERT_EQUAL(sdb_fault_hits(), 1);
    for (int t = 0; t < 4; t++) {
        CU_ASSERT_FALSE(cs[t].ok_after_failure);
        CU_ASSERT_FALSE(cs[t].flushed_behind);
        CU_ASSERT(cs[t].failed > 0);
        CU_ASSERT_EQUAL(cs[t].last_error, SDB_ERR_IO_ERROR);
        CU_ASSERT_PTR_NOT_NULL(strstr(cs[t].message, "sync file"));
        failed += cs[t].failed;
        acked += cs[t].acked;
        if (cs[t].max_acked > max_acked)
            max_acked = cs[t].max_acked;
    }
    CU_ASSERT_EQUAL(failed + acked, 400);
    CU_ASSERT(acked > 0);
    CU_ASSERT(sdb_wal_flushed_lsn(wal) >= max_acked);
    SdbLsn durable = sdb_wal_flushed_lsn(wal);
    expect_failed_for_good(wal, durable, strerror(EIO));
    /* Every acknowledged commit is in the WAL. */
    long n = wal_test_read_all(&cfg, SDB_WAL_FIRST_LSN, NULL, xids, THREADS * COMMITS);
    CU_ASSERT(n >= acked);
}

static CU_TestInfo flush_tests[] = {
    {"group commit: 8 threads x 200 commits share fsyncs", test_group_commit},
    {"group commit: a lone committer is never delayed", test_lone_committer_never_waits},
    {"group commit: commit_delay instead of the adaptive wait", test_commit_delay_replaces_adaptive_wait},
    {"concurrent inserts wrap the WAL buffer", test_concurrent_inserts_wrap_the_buffer},
    {"sync methods and fsync = off", test_sync_methods_and_fsync_off},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo failure_tests[] = {
    {"failed fsync: clear error, never durable again", test_fsync_failure},
    {"failed write (ENOSPC): clear error, never durable again", test_write_failure},
    {"failed write while the WAL buffer is full", test_write_failure_on_full_buffer},
    {"a failed fsync reaches every committer", test_failure_reaches_every_committer},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"wal flush", NULL, NULL, NULL, NULL, flush_tests},
    {"wal failures", NULL, NULL, NULL, NULL, failure_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
