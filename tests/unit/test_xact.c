/*
 * test_xact.c: the transaction core (runtime/txn): xid allocation, commit
 * and abort, status lookup, commit timestamps, hintable statuses, the commit
 * log across clean restarts and crashes (including clog pages destroyed on
 * disk, which redo must rebuild, and commit records of subtransactions over
 * several clog pages), ids never reused, and the WAL records' descriptions.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "harness.h"
#include "storage/control.h"
#include "storage/heap.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"
#include "txn/clog.h"
#include "txn/xact.h"
#include "txn_test_util.h"

#define NO_TIMED_CHECKPOINTS 86400
#define CLOG_XIDS_PER_PAGE 509 /* 4 KiB pages */
#define HEAP_REL ((SdbRelFileId){.db_oid = 5, .rel_number = 16384})

/* What one transaction of a workload did. */
typedef struct Outcome {
    SdbXid xid;
    SdbXactStatus status;
    SdbTimestamp commit_ts;
} Outcome;

/* Run `count` transactions, every third one aborted, recording outcomes.
 * Returns SDB_ERROR (error printed) on failure. */
static int run_workload(SdbXactManager *xm, Outcome *out, int count)
{
    for (int i = 0; i < count; i++) {
        SdbXid xid;
        if (sdb_xact_begin(xm, &xid) != SDB_OK)
            goto fail;
        out[i] = (Outcome){.xid = xid, .status = SDB_XACT_ABORTED};
        if (i % 3 == 2) {
            if (sdb_xact_abort(xm, xid) != SDB_OK)
                goto fail;
        } else {
            if (sdb_xact_commit(xm, xid, i % 2 == 0, &out[i].commit_ts) != SDB_OK)
                goto fail;
            out[i].status = SDB_XACT_COMMITTED;
        }
    }
    return SDB_OK;
fail:
    sdb_error_print(stderr);
    return SDB_ERROR;
}

/* Count the outcomes the manager does not report exactly as recorded. */
static int count_mismatches(SdbXactManager *xm, const Outcome *out, int count)
{
    int bad = 0;
    for (int i = 0; i < count; i++) {
        SdbXactStatus status;
        SdbTimestamp ts;
        if (sdb_xact_status(xm, out[i].xid, &status, &ts, NULL) != SDB_OK) {
            if (bad++ < 5)
                fprintf(stderr, "xid %" PRIu64 ": %s\n", out[i].xid, sdb_error_last()->message);
        } else if (status != out[i].status || ts != (status == SDB_XACT_COMMITTED ? out[i].commit_ts : 0)) {
            if (bad++ < 5)
                fprintf(stderr, "xid %" PRIu64 ": status %d ts %" PRId64 ", expected %d ts %" PRId64 "\n",
                        out[i].xid, (int)status, ts, (int)out[i].status, out[i].commit_ts);
        }
    }
    return bad;
}

/* A new database in a fresh folder (its path in dir[size]). */
static int open_new(TxnTestDb *db, char *dir, size_t size)
{
    sdb_test_tempdir(dir, size);
    return txn_test_open(db, dir, NO_TIMED_CHECKPOINTS);
}

static void test_commit_abort_status(void)
{
    char dir[256];
    TxnTestDb db;
    CU_ASSERT_FATAL(open_new(&db, dir, sizeof dir) == SDB_OK);

    SdbXid a, b, c;
    SdbXactStatus status;
    SdbTimestamp ts_a, ts_c, ts;
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &a) == SDB_OK);
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &b) == SDB_OK);
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &c) == SDB_OK);
    CU_ASSERT(a >= SDB_FIRST_NORMAL_XID && b == a + 1 && c == b + 1);
    CU_ASSERT_EQUAL(sdb_xact_next_xid(db.xm), c + 1);
    CU_ASSERT(sdb_xact_is_running(db.xm, b));
    CU_ASSERT(sdb_xact_status(db.xm, b, &status, &ts, NULL) == SDB_OK && status == SDB_XACT_IN_PROGRESS && ts == 0);

    SdbTimestamp before = sdb_clock_now();
    CU_ASSERT(sdb_xact_commit(db.xm, a, true, &ts_a) == SDB_OK);
    CU_ASSERT(ts_a >= before && ts_a <= sdb_clock_now());
    /* 2026 is about 26 years after the epoch. */
    CU_ASSERT(ts_a > INT64_C(20) * 365 * 86400 * 1000000);
    CU_ASSERT(sdb_xact_abort(db.xm, b) == SDB_OK);
    CU_ASSERT(sdb_xact_commit(db.xm, c, false, &ts_c) == SDB_OK);
    CU_ASSERT(ts_c > ts_a);
    CU_ASSERT(!sdb_xact_is_running(db.xm, a));

    CU_ASSERT(sdb_xact_status(db.xm, a, &status, &ts, NULL) == SDB_OK && status == SDB_XACT_COMMITTED && ts == ts_a);
    CU_ASSERT(sdb_xact_status(db.xm, b, &status, &ts, NULL) == SDB_OK && status == SDB_XACT_ABORTED && ts == 0);
    CU_ASSERT(sdb_xact_status(db.xm, c, &status, NULL, NULL) == SDB_OK && status == SDB_XACT_COMMITTED);
    CU_ASSERT(sdb_xact_status(db.xm, SDB_BOOTSTRAP_XID, &status, &ts, NULL) == SDB_OK &&
              status == SDB_XACT_COMMITTED && ts == 0);

    /* Ids that cannot be in a tuple are corruption, not a crash. */
    CU_ASSERT(sdb_xact_status(db.xm, c + 1, &status, &ts, NULL) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT(sdb_xact_status(db.xm, SDB_INVALID_XID, &status, &ts, NULL) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    /* A transaction ends once. */
    CU_ASSERT(sdb_xact_commit(db.xm, a, true, NULL) == SDB_ERROR);
    CU_ASSERT(sdb_xact_abort(db.xm, b) == SDB_ERROR);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

static void test_oldest_running_and_hints(void)
{
    char dir[256];
    TxnTestDb db;
    CU_ASSERT_FATAL(open_new(&db, dir, sizeof dir) == SDB_OK);

    SdbXid a, b, c;
    SdbXactStatus status;
    bool hintable;
    CU_ASSERT_EQUAL(sdb_xact_oldest_running(db.xm), sdb_xact_next_xid(db.xm));
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &a) == SDB_OK && sdb_xact_begin(db.xm, &b) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_oldest_running(db.xm), a);
    CU_ASSERT(sdb_xact_status(db.xm, a, &status, NULL, &hintable) == SDB_OK && !hintable);
    CU_ASSERT(sdb_xact_commit(db.xm, a, true, NULL) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_oldest_running(db.xm), b);
    CU_ASSERT(sdb_xact_status(db.xm, a, &status, NULL, &hintable) == SDB_OK && hintable);
    CU_ASSERT(sdb_xact_abort(db.xm, b) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_oldest_running(db.xm), b + 1);
    CU_ASSERT(sdb_xact_status(db.xm, b, &status, NULL, &hintable) == SDB_OK && hintable);

    /* An asynchronous commit is visible at once, but may be cached in a
     * hint bit only once its record is flushed. */
    SdbWal *wal = sdb_engine_wal(db.engine);
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &c) == SDB_OK);
    CU_ASSERT(sdb_xact_commit(db.xm, c, false, NULL) == SDB_OK);
    SdbLsn commit_end = sdb_wal_insert_lsn(wal);
    CU_ASSERT(sdb_xact_status(db.xm, c, &status, NULL, &hintable) == SDB_OK && status == SDB_XACT_COMMITTED);
    CU_ASSERT(!hintable || sdb_wal_flushed_lsn(wal) >= commit_end);
    CU_ASSERT(sdb_wal_flush(wal, commit_end) == SDB_OK);
    CU_ASSERT(sdb_xact_status(db.xm, c, &status, NULL, &hintable) == SDB_OK && hintable);
    CU_ASSERT_EQUAL(sdb_xact_oldest_running(db.xm), c + 1);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

/* Enough transactions to fill three clog pages and start a fourth. */
#define MANY_XACTS (3 * CLOG_XIDS_PER_PAGE + 17)

static void test_clog_pages_survive_restart(void)
{
    char dir[256];
    TxnTestDb db;
    Outcome *out = calloc(MANY_XACTS, sizeof *out);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_FATAL(open_new(&db, dir, sizeof dir) == SDB_OK);
    CU_ASSERT_FATAL(run_workload(db.xm, out, MANY_XACTS) == SDB_OK);
    CU_ASSERT_EQUAL(count_mismatches(db.xm, out, MANY_XACTS), 0);
    SdbXid next = sdb_xact_next_xid(db.xm);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);

    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_next_xid(db.xm), next);
    CU_ASSERT_EQUAL(count_mismatches(db.xm, out, MANY_XACTS), 0);
    SdbBlockNo nblocks = 0;
    CU_ASSERT(sdb_smgr_nblocks(sdb_engine_smgr(db.engine), sdb_clog_rel(), SDB_FORK_MAIN, &nblocks) == SDB_OK);
    CU_ASSERT_EQUAL(nblocks, sdb_clog_block_of(next - 1, 4096) + 1);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(out);
}

/* ---- crash ------------------------------------------------------------------ */

typedef struct CrashRun {
    char dir[256];
    char results[300]; /* file the child writes its outcomes to */
} CrashRun;

/* Child: run the workload, leave one transaction running that inserted a
 * heap row, flush the WAL (so the asynchronous commits and the aborts are
 * durable too), and "crash"
 * (return without closing).  Outcomes go to run->results, the running xid
 * last with status IN_PROGRESS. */
static int crash_child(void *arg)
{
    CrashRun *run = arg;
    TxnTestDb db;
    Outcome out[MANY_XACTS + 1];
    if (txn_test_open(&db, run->dir, NO_TIMED_CHECKPOINTS) != SDB_OK || run_workload(db.xm, out, MANY_XACTS) != SDB_OK)
        return 1;
    /* The running transaction leaves a trace in the WAL: a heap row. */
    SdbWal *wal = sdb_engine_wal(db.engine);
    SdbTid tid;
    if (sdb_heap_create(db.engine, HEAP_REL) != SDB_OK || sdb_xact_begin(db.xm, &out[MANY_XACTS].xid) != SDB_OK ||
        sdb_heap_insert(db.engine, HEAP_REL, out[MANY_XACTS].xid, 0, "row", 3, 0, &tid) != SDB_OK ||
        sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)) != SDB_OK)
        return 1;
    out[MANY_XACTS].status = SDB_XACT_IN_PROGRESS;
    out[MANY_XACTS].commit_ts = 0;
    FILE *f = fopen(run->results, "wb");
    if (f == NULL || fwrite(out, sizeof out, 1, f) != 1 || fclose(f) != 0)
        return 2;
    return 0;
}

/* Overwrite every block of the clog file with garbage, as a crash in the
 * middle of writing them could leave them. */
static void garble_clog_file(const char *dir)
{
    char path[512];
    char rel_path[SDB_SMGR_PATH_MAX];
    sdb_smgr_path(sdb_clog_rel(), SDB_FORK_MAIN, rel_path, sizeof rel_path);
    snprintf(path, sizeof path, "%s/%s", dir, rel_path);
    struct stat st;
    CU_ASSERT_FATAL(stat(path, &st) == 0);
    int fd = open(path, O_WRONLY);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t garbage[4096];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)(i * 131 + 7);
    for (off_t off = 0; off < st.st_size; off += (off_t)sizeof garbage)
        CU_ASSERT(pwrite(fd, garbage, sizeof garbage, off) == (ssize_t)sizeof garbage);
    close(fd);
}

static void test_crash_recovery(void)
{
    CrashRun run;
    TxnTestDb db;
    Outcome out[MANY_XACTS + 1];
    sdb_test_tempdir(run.dir, sizeof run.dir);
    snprintf(run.results, sizeof run.results, "%s.results", run.dir);
    CU_ASSERT_FATAL(heap_test_in_child(crash_child, &run) == 0);
    FILE *f = fopen(run.results, "rb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_FATAL(fread(out, sizeof out, 1, f) == 1);
    fclose(f);
    unlink(run.results);

    /* With timed checkpoints off, every clog change happened after the
     * last checkpoint, so redo rebuilds every clog page from the WAL
     * whatever the file holds. */
    garble_clog_file(run.dir);
    CU_ASSERT_FATAL(txn_test_open(&db, run.dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    CU_ASSERT(sdb_engine_recovery_result(db.engine)->ran);
    /* The transaction running at the crash is now aborted. */
    out[MANY_XACTS].status = SDB_XACT_ABORTED;
    CU_ASSERT_EQUAL(count_mismatches(db.xm, out, MANY_XACTS + 1), 0);
    /* No xid is handed out twice. */
    SdbXid xid;
    CU_ASSERT(sdb_xact_begin(db.xm, &xid) == SDB_OK);
    CU_ASSERT(xid > out[MANY_XACTS].xid);
    CU_ASSERT(sdb_xact_commit(db.xm, xid, true, NULL) == SDB_OK);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

/* Child: the first transaction of a new database creates clog page 0 (the
 * file grows by a zero block at once), then the process dies before that
 * page's WAL record is flushed. */
static int begin_then_crash(void *arg)
{
    TxnTestDb db;
    SdbXid xid;
    if (txn_test_open(&db, arg, NO_TIMED_CHECKPOINTS) != SDB_OK || sdb_xact_begin(db.xm, &xid) != SDB_OK)
        return 1;
    return 0;
}

/* After that crash the never-initialised page is created again, so
 * transactions commit and their status can be read. */
static void test_crash_before_first_clog_page_is_logged(void)
{
    char dir[4096];
    TxnTestDb db;
    SdbXid xid;
    SdbXactStatus status;
    sdb_test_tempdir(dir, sizeof dir);
    CU_ASSERT_FATAL(heap_test_in_child(begin_then_crash, dir) == 0);
    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_begin(db.xm, &xid), SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_commit(db.xm, xid, true, NULL), SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_status(db.xm, xid, &status, NULL, NULL), SDB_OK);
    CU_ASSERT_EQUAL(status, SDB_XACT_COMMITTED);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

/* ---- subtransactions across a crash ----------------------------------------- */

#define SUBXACTS 2500 /* more than two clog pages of 8 KiB */

typedef struct SubxactRun {
    char dir[256];
    SdbXid top, subxids[SUBXACTS];       /* committed together */
    SdbXid rolled_back[3];               /* aborted by a ROLLBACK TO's abort record */
    SdbXid open_top, open_sub;           /* running at the crash */
} SubxactRun;

/* Child: commit a top with SUBXACTS subtransactions (the record spans clog
 * pages), abort three subtransactions of another top that then commits,
 * leave a third top with one subtransaction running, flush, "crash". */
static int subxact_child(void *arg)
{
    SubxactRun *run = arg;
    TxnTestDb db;
    if (txn_test_open(&db, run->dir, NO_TIMED_CHECKPOINTS) != SDB_OK || sdb_xact_begin(db.xm, &run->top) != SDB_OK)
        return 1;
    for (int i = 0; i < SUBXACTS; i++)
        if (sdb_xact_begin_sub(db.xm, run->top, &run->subxids[i]) != SDB_OK)
            return 1;
    if (sdb_xact_commit_tree(db.xm, run->top, run->subxids, SUBXACTS, true, NULL) != SDB_OK)
        return 1;
    SdbXid top2;
    if (sdb_xact_begin(db.xm, &top2) != SDB_OK)
        return 1;
    for (int i = 0; i < 3; i++)
        if (sdb_xact_begin_sub(db.xm, top2, &run->rolled_back[i]) != SDB_OK)
            return 1;
    if (sdb_xact_abort_tree(db.xm, run->rolled_back[0], run->rolled_back + 1, 2) != SDB_OK ||
        sdb_xact_commit(db.xm, top2, true, NULL) != SDB_OK || sdb_xact_begin(db.xm, &run->open_top) != SDB_OK ||
        sdb_xact_begin_sub(db.xm, run->open_top, &run->open_sub) != SDB_OK)
        return 1;
    SdbWal *wal = sdb_engine_wal(db.engine);
    return sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)) != SDB_OK;
}

static SdbXactStatus status_of(TxnTestDb *db, SdbXid xid)
{
    SdbXactStatus status = SDB_XACT_IN_PROGRESS;
    CU_ASSERT(sdb_xact_status(db->xm, xid, &status, NULL, NULL) == SDB_OK);
    return status;
}

static void test_subxacts_crash(void)
{
    static SubxactRun run; /* filled in the child: only the directory is used here */
    TxnTestDb db;
    sdb_test_tempdir(run.dir, sizeof run.dir);
    CU_ASSERT_FATAL(heap_test_in_child(subxact_child, &run) == 0);
    CU_ASSERT_FATAL(txn_test_open(&db, run.dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    /* The xids were handed out in order from the first normal one: top,
     * its subtransactions, top2, its three, the open top and its sub. */
    SdbXid top = SDB_FIRST_NORMAL_XID;
    for (SdbXid x = top; x <= top + SUBXACTS; x++)
        CU_ASSERT_EQUAL(status_of(&db, x), SDB_XACT_COMMITTED);
    SdbXid top2 = top + SUBXACTS + 1;
    CU_ASSERT_EQUAL(status_of(&db, top2), SDB_XACT_COMMITTED);
    for (SdbXid x = top2 + 1; x <= top2 + 3; x++)
        CU_ASSERT_EQUAL(status_of(&db, x), SDB_XACT_ABORTED);
    /* no xid named in a record is handed out again (the open ones never
     * reached the WAL and may be) */
    CU_ASSERT(sdb_xact_next_xid(db.xm) > top2 + 3);
    if (sdb_xact_next_xid(db.xm) > top2 + 5)
        CU_ASSERT_EQUAL(status_of(&db, top2 + 5), SDB_XACT_ABORTED);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

/* ---- WAL records ---------------------------------------------------------------- */

static void test_describe_records(void)
{
    char dir[256];
    TxnTestDb db;
    SdbXid committed, aborted;
    CU_ASSERT_FATAL(open_new(&db, dir, sizeof dir) == SDB_OK);
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &committed) == SDB_OK && sdb_xact_begin(db.xm, &aborted) == SDB_OK);
    CU_ASSERT(sdb_xact_commit(db.xm, committed, true, NULL) == SDB_OK);
    CU_ASSERT(sdb_xact_abort(db.xm, aborted) == SDB_OK);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);

    SdbControlData control;
    SdbSettings settings;
    SdbWalConfig cfg;
    SdbWalReader *reader;
    char wal_dir[300];
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    CU_ASSERT_FATAL(sdb_control_read(dir, &control) == SDB_OK && sdb_settings_init(&settings) == SDB_OK);
    sdb_wal_config_from_settings(&cfg, &settings, wal_dir, control.system_id);
    cfg.segment_size = control.wal_segment_size;
    cfg.block_size = control.page_size;
    CU_ASSERT_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &reader) == SDB_OK);

    char expect_commit[64], expect_abort[64], line[1024];
    snprintf(expect_commit, sizeof expect_commit, "XACT info 0x00 blkref #0: rel 0/1 fork 0 blk 0");
    snprintf(expect_abort, sizeof expect_abort, "; abort xid %" PRIu64, aborted);
    int commits = 0, aborts = 0, zeropages = 0;
    const SdbWalRecord *rec;
    while (sdb_wal_reader_next(reader, &rec) == SDB_OK && rec != NULL) {
        sdb_rmgr_describe(rec, line, sizeof line);
        if (rec->rmgr == SDB_RMGR_XACT && rec->info == SDB_XACT_WAL_COMMIT) {
            char when[64];
            snprintf(when, sizeof when, "; commit xid %" PRIu64 " at 20", committed);
            commits += strstr(line, expect_commit) != NULL && strstr(line, when) != NULL &&
                       strstr(line, "+00") != NULL;
        } else if (rec->rmgr == SDB_RMGR_XACT) {
            aborts += strstr(line, expect_abort) != NULL;
        } else if (rec->rmgr == SDB_RMGR_CLOG) {
            zeropages += strstr(line, "CLOG info 0x00 blkref #0: rel 0/1 fork 0 blk 0 init; zeropage") != NULL;
        }
    }
    sdb_wal_reader_close(reader);
    sdb_settings_free(&settings);
    CU_ASSERT_EQUAL(commits, 1);
    CU_ASSERT_EQUAL(aborts, 1);
    CU_ASSERT_EQUAL(zeropages, 1);
}

static CU_TestInfo tests[] = {
    {"commit, abort, status, timestamps", test_commit_abort_status},
    {"oldest running xid, hintable statuses", test_oldest_running_and_hints},
    {"clog pages survive a clean restart", test_clog_pages_survive_restart},
    {"crash: recovery rebuilds the clog, ids not reused", test_crash_recovery},
    {"crash before the first clog page is logged", test_crash_before_first_clog_page_is_logged},
    {"subtransactions: commit record over several clog pages, aborts, crash", test_subxacts_crash},
    {"WAL record descriptions", test_describe_records},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"xact", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
