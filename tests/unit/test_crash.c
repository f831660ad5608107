/*
 * test_crash.c: the storage crash test and its companions.
 *
 * Crash loop.  The parent forks a worker that opens the engine on one data
 * directory and runs transactions from two threads (each inserts 1-4 heap
 * rows carrying (transaction number, row number, row count, xid, CRC of
 * the row), then commits, or 1 time in 8 aborts), reporting every
 * acknowledged commit and every abort to the parent over a pipe.  The
 * parent SIGKILLs the worker after a random delay, then a checker process
 * recovers the directory, scans the heap and checks, strictly:
 *   - every row is intact (CRC, layout, its xid equals the tuple's xmin, no
 *     xmax: the workload never deletes);
 *   - a transaction's rows share one xmin and are all-or-nothing: visible
 *     (xmin committed in the clog) means every row exactly once;
 *   - every acknowledged commit is visible; no aborted one is; a visible
 *     unacknowledged one can only be the one in flight at the kill (the
 *     next after its thread's last report);
 *   - nothing is in progress after recovery; no xid belongs to two
 *     transactions (ids never reused); commit timestamps increase along
 *     each thread's transactions.
 * The checker then closes cleanly or "crashes" (at random), so workers
 * start from both.  Kills land during recovery, checkpoints (every second
 * and every 2 MB of WAL, plus explicit ones), evictions (32 frames) and
 * group commits.  30 cycles normally, 500 with SPECDB_SOAK=1; the seed is
 * printed and SPECDB_CRASH_SEED=<n> repeats a run's random choices.
 *
 * Checker self-test: three copies of the final directory are damaged
 * through the engine (one row of an acknowledged commit removed; an
 * aborted transaction marked committed in the clog; one byte of a
 * committed row changed on its page) and the checker must fail on each.
 *
 * Disk full: ENOSPC injected (fileio.h) on WAL writes, on WAL fsync, on
 * heap file extension and on clog extension: the failing operation returns
 * SQLSTATE 53100, nothing acknowledged is lost, and afterwards the engine
 * works again: at once for data and clog files; after a restart for the WAL,
 * which refuses every write after a failed write or fsync (PostgreSQL's
 * fsyncgate rule).
 *
 * Corruption: bytes flipped in a heap page of a closed database give XX001
 * naming file and block when read; a WAL cut in the middle of the last
 * commit record recovers to the last whole record with every earlier commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "harness.h"
#include "storage/bufpool.h"
#include "storage/crc32c.h"
#include "storage/fileio.h"
#include "storage/heap.h"
#include "storage/page.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"
#include "txn/clog.h"
#include "txn/xact.h"
#include "txn_test_util.h"

#define HEAP_REL ((SdbRelFileId){.db_oid = 5, .rel_number = 16384})
#define ROW_MAGIC 0x48535243u /* "CRSH" */
#define MAX_FILLER 200u
#define MAX_ROWS_PER_TXN 4u
#define NO_TIMED_CHECKPOINTS 86400

/* Transaction numbers: cycle (32 bits) | stream (4 bits) | sequence (28). */
#define STREAM_SHIFT 28
#define SEQ_MASK ((UINT64_C(1) << STREAM_SHIFT) - 1)
#define ABORT_FLAG (UINT64_C(1) << 63) /* in a report: an abort, not a commit */

static uint64_t txn_number(uint64_t cycle, unsigned stream, uint64_t seq)
{
    return cycle << 32 | (uint64_t)stream << STREAM_SHIFT | seq;
}

/* ---- random numbers (splitmix64) ------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static uint64_t next_random(uint64_t *state)
{
    *state += UINT64_C(0x9E3779B97F4A7C15);
    return mix64(*state);
}

/* ---- rows ------------------------------------------------------------------------ */

typedef struct RowHeader {
    uint32_t magic;
    uint32_t row_no;
    uint32_t row_count;
    uint32_t filler_len;
    uint64_t txn_no;
    uint64_t xid;      /* the inserting xid, as the worker saw it */
    uint32_t checksum; /* CRC-32C of the row with this field 0 */
    uint32_t reserved;
} RowHeader;

#define MAX_ROW (sizeof(RowHeader) + MAX_FILLER)

static uint32_t row_checksum(const RowHeader *header, const uint8_t *filler)
{
    RowHeader zeroed = *header;
    zeroed.checksum = 0;
    return sdb_crc32c(sdb_crc32c(0, &zeroed, sizeof zeroed), filler, header->filler_len);
}

/* Build row `row_no` of `row_count` of transaction `txn_no` in buf[MAX_ROW];
 * returns its length. */
static size_t make_row(uint8_t *buf, uint64_t txn_no, uint32_t row_no, uint32_t row_count, SdbXid xid,
                       uint32_t filler_len)
{
    RowHeader header = {.magic = ROW_MAGIC, .row_no = row_no, .row_count = row_count,
                        .filler_len = filler_len, .txn_no = txn_no, .xid = xid};
    uint8_t *filler = buf + sizeof header;
    for (uint32_t i = 0; i < filler_len; i++)
        filler[i] = (uint8_t)mix64(txn_no * 1000003u + row_no * 7919u + i);
    header.checksum = row_checksum(&header, filler);
    memcpy(buf, &header, sizeof header);
    return sizeof header + filler_len;
}

/* Parse and verify a row; false when anything about it is wrong. */
static bool decode_row(const uint8_t *payload, size_t len, RowHeader *header)
{
    if (len < sizeof *header)
        return false;
    memcpy(header, payload, sizeof *header);
    return header->magic == ROW_MAGIC && sizeof *header + header->filler_len == len &&
           header->row_no < header->row_count && header->row_count <= MAX_ROWS_PER_TXN &&
           row_checksum(header, payload + sizeof *header) == header->checksum;
}

/* Insert `count` rows of transaction txn_no as xid (filler lengths from
 * *rng).  Error recorded on failure. */
static int insert_rows(SdbEngine *engine, SdbXid xid, uint64_t txn_no, uint32_t count, uint64_t *rng)
{
    uint8_t row[MAX_ROW];
    for (uint32_t r = 0; r < count; r++) {
        size_t len = make_row(row, txn_no, r, count, xid, (uint32_t)(next_random(rng) % (MAX_FILLER + 1)));
        SdbTid tid;
        if (sdb_heap_insert(engine, HEAP_REL, xid, 0, row, len, 0, &tid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* One transaction inserting `count` rows, committed synchronously. */
static int commit_rows(TxnTestDb *db, uint64_t txn_no, uint32_t count, uint64_t *rng)
{
    SdbXid xid;
    if (sdb_xact_begin(db->xm, &xid) != SDB_OK)
        return SDB_ERROR;
    if (insert_rows(db->engine, xid, txn_no, count, rng) != SDB_OK) {
        sdb_xact_abort(db->xm, xid);
        return SDB_ERROR;
    }
    return sdb_xact_commit(db->xm, xid, true, NULL);
}

static int ensure_heap(SdbEngine *engine)
{
    bool exists;
    if (sdb_smgr_exists(sdb_engine_smgr(engine), HEAP_REL, SDB_FORK_MAIN, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? SDB_OK : sdb_heap_create(engine, HEAP_REL);
}

/* ---- what the parent knows: acknowledged commits and aborts ------------------------ */

typedef enum Reported { REPORTED_COMMIT = 1, REPORTED_ABORT = 2 } Reported;

typedef struct Expect {
    uint64_t txn_no;
    Reported outcome;
} Expect;

typedef struct Expectations {
    Expect *items; /* sorted by txn_no (expect_sort) before checking */
    size_t count;
    size_t capacity;
} Expectations;

static void expect_add(Expectations *e, uint64_t txn_no, Reported outcome)
{
    if (e->count == e->capacity) {
        e->capacity = e->capacity ? e->capacity * 2 : 1024;
        e->items = realloc(e->items, e->capacity * sizeof *e->items);
        if (e->items == NULL) {
            perror("crash test: realloc");
            abort();
        }
    }
    e->items[e->count++] = (Expect){.txn_no = txn_no, .outcome = outcome};
}

static int compare_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int compare_expect(const void *a, const void *b)
{
    return compare_u64(((const Expect *)a)->txn_no, ((const Expect *)b)->txn_no);
}

static void expect_sort(Expectations *e)
{
    qsort(e->items, e->count, sizeof *e->items, compare_expect);
}

/* Index of the first item with txn_no >= `txn_no`. */
static size_t expect_lower_bound(const Expectations *e, uint64_t txn_no)
{
    size_t lo = 0, hi = e->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->items[mid].txn_no < txn_no)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const Expect *expect_find(const Expectations *e, uint64_t txn_no)
{
    size_t i = expect_lower_bound(e, txn_no);
    return i < e->count && e->items[i].txn_no == txn_no ? &e->items[i] : NULL;
}

/* Whether unreported txn_no may have committed: it must be the transaction
 * its stream was running when the worker died, i.e. the next after the
 * stream's last report, with nothing reported after it. */
static bool in_flight(const Expectations *e, uint64_t txn_no)
{
    uint64_t stream = txn_no >> STREAM_SHIFT;
    size_t i = expect_lower_bound(e, txn_no);
    if (i < e->count && e->items[i].txn_no >> STREAM_SHIFT == stream)
        return false;
    bool has_earlier = i > 0 && e->items[i - 1].txn_no >> STREAM_SHIFT == stream;
    if ((txn_no & SEQ_MASK) == 0)
        return !has_earlier;
    return has_earlier && e->items[i - 1].txn_no == txn_no - 1;
}

/* ---- the checker ------------------------------------------------------------------- */

typedef struct Seen {
    uint64_t txn_no;
    uint32_t row_no;
    uint32_t row_count;
    SdbXid xmin;
    SdbXactStatus status;
    SdbTimestamp commit_ts;
    SdbTid tid;
} Seen;

typedef struct Checker {
    const Expectations *expect;
    int problems;
    Seen *seen;
    size_t seen_count;
    size_t seen_capacity;
    size_t rows_checked;
} Checker;

static void problem(Checker *c, const char *fmt, ...) SDB_PRINTF(2, 3);

static void problem(Checker *c, const char *fmt, ...)
{
    if (c->problems++ < 20) {
        va_list args;
        va_start(args, fmt);
        fprintf(stderr, "crash check: ");
        vfprintf(stderr, fmt, args);
        fprintf(stderr, "\n");
        va_end(args);
    }
}

static void seen_add(Checker *c, Seen s)
{
    if (c->seen_count == c->seen_capacity) {
        c->seen_capacity = c->seen_capacity ? c->seen_capacity * 2 : 4096;
        c->seen = realloc(c->seen, c->seen_capacity * sizeof *c->seen);
        if (c->seen == NULL) {
            perror("crash test: realloc");
            abort();
        }
    }
    c->seen[c->seen_count++] = s;
}

static int compare_seen(const void *a, const void *b)
{
    const Seen *x = a, *y = b;
    int by_txn = compare_u64(x->txn_no, y->txn_no);
    return by_txn != 0 ? by_txn : compare_u64(x->row_no, y->row_no);
}

static int compare_seen_xmin(const void *a, const void *b)
{
    return compare_u64(((const Seen *)a)->xmin, ((const Seen *)b)->xmin);
}

/* Read every tuple of the heap into c->seen, checking each on its own. */
static void collect_rows(Checker *c, TxnTestDb *db)
{
    SdbHeapScan *scan = sdb_heap_scan_begin(db->engine, HEAP_REL);
    if (scan == NULL) {
        problem(c, "cannot scan the heap: %s", sdb_error_last()->message);
        return;
    }
    for (;;) {
        SdbHeapTuple tuple;
        bool found;
        if (sdb_heap_scan_next(scan, &tuple, &found) != SDB_OK) {
            problem(c, "heap scan failed: %s", sdb_error_last()->message);
            break;
        }
        if (!found)
            break;
        c->rows_checked++;
        RowHeader row;
        if (!decode_row(tuple.payload, tuple.header.payload_len, &row) || row.xid != tuple.header.xmin ||
            tuple.header.xmax != 0) {
            problem(c, "tuple (%u,%u) with xmin %" PRIu64 " xmax %" PRIu64 " is damaged", tuple.tid.block,
                    tuple.tid.slot, tuple.header.xmin, tuple.header.xmax);
            continue;
        }
        Seen s = {.txn_no = row.txn_no, .row_no = row.row_no, .row_count = row.row_count,
                  .xmin = tuple.header.xmin, .tid = tuple.tid};
        if (sdb_xact_status(db->xm, s.xmin, &s.status, &s.commit_ts, NULL) != SDB_OK) {
            problem(c, "status of xid %" PRIu64 " (tuple (%u,%u)): %s", s.xmin, s.tid.block, s.tid.slot,
                    sdb_error_last()->message);
            continue;
        }
        if (s.status == SDB_XACT_IN_PROGRESS)
            problem(c, "xid %" PRIu64 " is in progress after recovery", s.xmin);
        seen_add(c, s);
    }
    sdb_heap_scan_end(scan);
}

/* Check the rows of one transaction, c->seen[from, to). */
static void check_transaction(Checker *c, size_t from, size_t to, const Seen **last_visible)
{
    const Seen *first = &c->seen[from];
    bool visible = first->status == SDB_XACT_COMMITTED;
    bool complete = to - from == first->row_count;
    for (size_t i = from; i < to; i++) {
        const Seen *s = &c->seen[i];
        if (s->xmin != first->xmin || s->row_count != first->row_count)
            problem(c, "transaction %" PRIx64 " has rows of xids %" PRIu64 " and %" PRIu64, first->txn_no,
                    first->xmin, s->xmin);
        if (s->row_no != i - from)
            complete = false;
        if (i > from && s->row_no == c->seen[i - 1].row_no)
            problem(c, "transaction %" PRIx64 " has row %u twice", first->txn_no, s->row_no);
    }
    const Expect *e = expect_find(c->expect, first->txn_no);
    if (!visible) {
        if (e != NULL && e->outcome == REPORTED_COMMIT)
            problem(c, "acknowledged transaction %" PRIx64 " (xid %" PRIu64 ") is not committed", first->txn_no,
                    first->xmin);
        return;
    }
    if (!complete)
        problem(c, "committed transaction %" PRIx64 " has %zu rows, not rows 0..%u", first->txn_no, to - from,
                first->row_count - 1);
    if (e != NULL && e->outcome == REPORTED_ABORT)
        problem(c, "aborted transaction %" PRIx64 " (xid %" PRIu64 ") is visible", first->txn_no, first->xmin);
    if (e == NULL && !in_flight(c->expect, first->txn_no))
        problem(c, "transaction %" PRIx64 " was never acknowledged nor in flight, yet it is visible",
                first->txn_no);
    const Seen *prev = *last_visible;
    if (prev != NULL && prev->txn_no >> STREAM_SHIFT == first->txn_no >> STREAM_SHIFT &&
        prev->commit_ts >= first->commit_ts)
        problem(c, "commit timestamps out of order: transaction %" PRIx64 " at %" PRId64 ", %" PRIx64 " at %" PRId64,
                prev->txn_no, prev->commit_ts, first->txn_no, first->commit_ts);
    *last_visible = first;
}

/* Every acknowledged commit must have been seen committed. */
static void check_acknowledged_present(Checker *c)
{
    size_t g = 0;
    for (size_t i = 0; i < c->expect->count; i++) {
        const Expect *e = &c->expect->items[i];
        if (e->outcome != REPORTED_COMMIT)
            continue;
        while (g < c->seen_count && c->seen[g].txn_no < e->txn_no)
            g++;
        if (g == c->seen_count || c->seen[g].txn_no != e->txn_no)
            problem(c, "acknowledged transaction %" PRIx64 " has no rows", e->txn_no);
    }
}

/* No xid may belong to two transactions. */
static void check_xids_unique(Checker *c)
{
    qsort(c->seen, c->seen_count, sizeof *c->seen, compare_seen_xmin);
    for (size_t i = 1; i < c->seen_count; i++)
        if (c->seen[i].xmin == c->seen[i - 1].xmin && c->seen[i].txn_no != c->seen[i - 1].txn_no)
            problem(c, "xid %" PRIu64 " used by transactions %" PRIx64 " and %" PRIx64, c->seen[i].xmin,
                    c->seen[i - 1].txn_no, c->seen[i].txn_no);
}

/* Check the open database against `expect` (sorted); returns the number
 * of problems found (each printed, the first 20). */
static int check_database(TxnTestDb *db, const Expectations *expect, size_t *rows_checked)
{
    Checker c = {.expect = expect};
    bool exists = false;
    if (sdb_smgr_exists(sdb_engine_smgr(db->engine), HEAP_REL, SDB_FORK_MAIN, &exists) != SDB_OK)
        problem(&c, "cannot look for the heap: %s", sdb_error_last()->message);
    if (exists)
        collect_rows(&c, db);
    qsort(c.seen, c.seen_count, sizeof *c.seen, compare_seen);
    const Seen *last_visible = NULL;
    for (size_t from = 0, to; from < c.seen_count; from = to) {
        for (to = from + 1; to < c.seen_count && c.seen[to].txn_no == c.seen[from].txn_no; to++)
            ;
        check_transaction(&c, from, to, &last_visible);
    }
    check_acknowledged_present(&c);
    check_xids_unique(&c);
    if (rows_checked != NULL)
        *rows_checked = c.rows_checked;
    free(c.seen);
    return c.problems;
}

typedef struct CheckRun {
    const char *dir;
    const Expectations *expect;
    bool close_cleanly;
    int rows_pipe; /* where to write the number of rows checked, or -1 */
} CheckRun;

/* Child: recover, check, then close or crash.  Exit 0 when all is well. */
static int checker_child(void *arg)
{
    CheckRun *run = arg;
    TxnTestDb db;
    size_t rows = 0;
    if (txn_test_open(&db, run->dir, 1) != SDB_OK)
        return 2;
    int problems = check_database(&db, run->expect, &rows);
    if (run->rows_pipe >= 0 && write(run->rows_pipe, &rows, sizeof rows) != (ssize_t)sizeof rows)
        return 3;
    if (run->close_cleanly && txn_test_close(&db) != SDB_OK)
        return 4;
    return problems == 0 ? 0 : 1;
}

/* ---- the worker ---------------------------------------------------------------------- */

typedef struct Worker {
    TxnTestDb *db;
    uint64_t cycle;
    unsigned stream;
    uint64_t rng;
    int report_fd;
} Worker;

static void worker_fail(const char *what)
{
    fprintf(stderr, "crash worker: %s: ", what);
    sdb_error_print(stderr);
    _exit(4);
}

/* Run transactions until killed. */
static void *worker_thread(void *arg)
{
    Worker *w = arg;
    for (uint64_t seq = 0;; seq++) {
        uint64_t txn_no = txn_number(w->cycle, w->stream, seq);
        uint32_t rows = 1 + (uint32_t)(next_random(&w->rng) % MAX_ROWS_PER_TXN);
        bool abort_it = next_random(&w->rng) % 8 == 0;
        SdbXid xid;
        if (sdb_xact_begin(w->db->xm, &xid) != SDB_OK)
            worker_fail("begin");
        if (insert_rows(w->db->engine, xid, txn_no, rows, &w->rng) != SDB_OK)
            worker_fail("insert");
        int rc = abort_it ? sdb_xact_abort(w->db->xm, xid) : sdb_xact_commit(w->db->xm, xid, true, NULL);
        if (rc != SDB_OK)
            worker_fail(abort_it ? "abort" : "commit");
        uint64_t report = txn_no | (abort_it ? ABORT_FLAG : 0);
        if (write(w->report_fd, &report, sizeof report) != (ssize_t)sizeof report)
            _exit(3);
        if (next_random(&w->rng) % 64 == 0 && sdb_engine_checkpoint(w->db->engine) != SDB_OK)
            worker_fail("checkpoint");
    }
    return NULL;
}

#define WORKER_THREADS 2

static int run_worker(const char *dir, uint64_t cycle, uint64_t seed, int report_fd)
{
    TxnTestDb db;
    if (txn_test_open(&db, dir, 1) != SDB_OK)
        return 2;
    if (ensure_heap(db.engine) != SDB_OK)
        worker_fail("create heap");
    Worker workers[WORKER_THREADS];
    pthread_t threads[WORKER_THREADS];
    for (unsigned i = 0; i < WORKER_THREADS; i++) {
        workers[i] = (Worker){.db = &db, .cycle = cycle, .stream = i, .rng = mix64(seed ^ (cycle << 8) ^ i),
                              .report_fd = report_fd};
        if (pthread_create(&threads[i], NULL, worker_thread, &workers[i]) != 0)
            return 5;
    }
    for (unsigned i = 0; i < WORKER_THREADS; i++)
        pthread_join(threads[i], NULL);
    return 0;
}

/* ---- the parent ------------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Reads reports (8-byte messages) from the worker's pipe. */
typedef struct ReportReader {
    int fd;
    uint8_t partial[8];
    size_t partial_len;
    bool eof;
} ReportReader;

/* Read what is available (blocking once) and record it. */
static void read_reports(ReportReader *r, Expectations *e, uint64_t *commits, uint64_t *aborts)
{
    uint8_t buf[4096 + 8];
    memcpy(buf, r->partial, r->partial_len);
    ssize_t n = read(r->fd, buf + r->partial_len, 4096);
    if (n <= 0) {
        if (n == 0 || errno != EINTR)
            r->eof = true;
        return;
    }
    size_t total = r->partial_len + (size_t)n, used = 0;
    for (; used + 8 <= total; used += 8) {
        uint64_t report;
        memcpy(&report, buf + used, sizeof report);
        bool aborted = (report & ABORT_FLAG) != 0;
        expect_add(e, report & ~ABORT_FLAG, aborted ? REPORTED_ABORT : REPORTED_COMMIT);
        ++*(aborted ? aborts : commits);
    }
    r->partial_len = total - used;
    memcpy(r->partial, buf + used, r->partial_len);
}

/* State the crash loop leaves for the checker self-test. */
static char crash_dir[256];
static Expectations crash_expect;
static bool crash_loop_passed;

/* Run one worker and kill it after `delay_ms`; false (reported) if it
 * died any other way. */
static bool crash_cycle(uint64_t cycle, uint64_t seed, double delay_ms, uint64_t *commits, uint64_t *aborts)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        _exit(run_worker(crash_dir, cycle, seed, fds[1]));
    }
    close(fds[1]);
    ReportReader reader = {.fd = fds[0]};
    double deadline = now_ms() + delay_ms;
    while (!reader.eof) {
        double left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        if (poll(&pfd, 1, (int)left + 1) > 0)
            read_reports(&reader, &crash_expect, commits, aborts);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    while (!reader.eof)
        read_reports(&reader, &crash_expect, commits, aborts);
    close(fds[0]);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        return true;
    fprintf(stderr, "crash test: worker of cycle %" PRIu64 " ended by itself (status 0x%x)\n", cycle, status);
    return false;
}

/* Run the checker in a child; returns its exit status (0 = all good). */
static int run_checker(const char *dir, const Expectations *expect, bool close_cleanly, size_t *rows)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    CheckRun run = {.dir = dir, .expect = expect, .close_cleanly = close_cleanly, .rows_pipe = fds[1]};
    int status = heap_test_in_child(checker_child, &run);
    close(fds[1]);
    if (read(fds[0], rows, sizeof *rows) != (ssize_t)sizeof *rows)
        *rows = 0;
    close(fds[0]);
    return status;
}

static void test_crash_loop(void)
{
    const char *seed_text = getenv("SPECDB_CRASH_SEED");
    uint64_t seed = seed_text != NULL ? strtoull(seed_text, NULL, 10)
                                      : mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
    int cycles = heap_test_soak() ? 500 : 30;
    uint64_t rng = seed, commits = 0, aborts = 0;
    size_t rows = 0;
    printf("\ncrash test: seed %" PRIu64 " (SPECDB_CRASH_SEED=%" PRIu64 " repeats it), %d cycles\n", seed, seed,
           cycles);
    sdb_test_tempdir(crash_dir, sizeof crash_dir);
    double started = now_ms();
    for (int cycle = 0; cycle < cycles; cycle++) {
        /* The first open creates the directory, which takes longer. */
        double delay = (double)(20 + next_random(&rng) % 330) + (cycle == 0 ? 300 : 0);
        if (!crash_cycle((uint64_t)cycle, seed, delay, &commits, &aborts)) {
            CU_FAIL("worker died before it was killed");
            return;
        }
        expect_sort(&crash_expect);
        int status = run_checker(crash_dir, &crash_expect, next_random(&rng) % 2 == 0, &rows);
        if (status != 0) {
            fprintf(stderr, "crash test: check after cycle %d failed (exit %d); seed %" PRIu64 "\n", cycle, status,
                    seed);
            CU_FAIL("crash check failed");
            return;
        }
    }
    printf("crash test: %d kills in %.1f s, %" PRIu64 " commits acknowledged, %" PRIu64 " aborts, %zu rows "
           "checked at the end\n",
           cycles, (now_ms() - started) / 1000.0, commits, aborts, rows);
    CU_ASSERT(commits > (uint64_t)cycles);
    CU_ASSERT(aborts > 0);
    crash_loop_passed = true;
}

/* ---- checker self-test -------------------------------------------------------------------- */

typedef struct Tamper {
    const char *dir;
    const Expectations *expect;
} Tamper;

static bool has_outcome(const Expectations *e, Reported outcome)
{
    for (size_t i = 0; i < e->count; i++)
        if (e->items[i].outcome == outcome)
            return true;
    return false;
}

/* Find row 0 of the first transaction (in heap order) reported with
 * `outcome`; false if there is none. */
static bool find_row(TxnTestDb *db, const Expectations *e, Reported outcome, SdbTid *tid, SdbXid *xmin)
{
    SdbHeapScan *scan = sdb_heap_scan_begin(db->engine, HEAP_REL);
    bool found = false, more;
    SdbHeapTuple tuple;
    while (scan != NULL && !found && sdb_heap_scan_next(scan, &tuple, &more) == SDB_OK && more) {
        RowHeader row;
        const Expect *expect;
        if (decode_row(tuple.payload, tuple.header.payload_len, &row) && row.row_no == 0 &&
            (expect = expect_find(e, row.txn_no)) != NULL && expect->outcome == outcome) {
            *tid = tuple.tid;
            *xmin = tuple.header.xmin;
            found = true;
        }
    }
    sdb_heap_scan_end(scan);
    return found;
}

static bool is_target_row(void *arg, SdbTid tid, const SdbHeapTupleHeader *header, const uint8_t *payload)
{
    const SdbTid *target = arg;
    (void)header;
    (void)payload;
    return tid.block == target->block && tid.slot == target->slot;
}

/* Damage 1: prune away row 0 of an acknowledged commit. */
static int remove_acknowledged_row(TxnTestDb *db, const Expectations *e)
{
    SdbTid tid;
    SdbXid xmin;
    uint32_t removed = 0;
    if (!find_row(db, e, REPORTED_COMMIT, &tid, &xmin) ||
        sdb_heap_prune(db->engine, HEAP_REL, tid.block, is_target_row, &tid, true, &removed) != SDB_OK)
        return SDB_ERROR;
    return removed == 1 ? SDB_OK : SDB_ERROR;
}

/* Damage 2: mark an aborted transaction committed in the clog. */
static int commit_aborted_transaction(TxnTestDb *db, const Expectations *e)
{
    SdbTid tid;
    SdbXid xid;
    if (!find_row(db, e, REPORTED_ABORT, &tid, &xid))
        return SDB_ERROR;
    SdbClog *clog = sdb_clog_open(sdb_engine_smgr(db->engine), sdb_engine_bufpool(db->engine),
                                  sdb_engine_wal(db->engine), sdb_xact_next_xid(db->xm));
    SdbXactRecord rec = {.xid = xid, .commit_ts = sdb_clock_now()};
    SdbLsn lsn;
    int rc = clog == NULL ? SDB_ERROR
                          : sdb_clog_log_status(clog, xid, SDB_XACT_COMMITTED, rec.commit_ts, SDB_RMGR_XACT,
                                                SDB_XACT_WAL_COMMIT, &rec, sizeof rec, &lsn);
    sdb_clog_close(clog);
    return rc;
}

/* Damage 3: change one payload byte of row 0 of an acknowledged commit
 * directly in its page (no WAL: as a buggy redo would). */
static int damage_acknowledged_row(TxnTestDb *db, const Expectations *e)
{
    SdbTid tid;
    SdbXid xmin;
    if (!find_row(db, e, REPORTED_COMMIT, &tid, &xmin))
        return SDB_ERROR;
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(db->engine), HEAP_REL, SDB_FORK_MAIN, tid.block, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    uint16_t len;
    uint8_t *item = sdb_page_item(sdb_buf_page(buf), tid.slot, &len);
    if (item != NULL)
        item[SDB_HEAP_TUPLE_HEADER_SIZE + offsetof(RowHeader, txn_no)] ^= 0x01;
    sdb_buf_mark_dirty(buf);
    sdb_buf_unlock_release(buf);
    return item != NULL ? SDB_OK : SDB_ERROR;
}

typedef int (*DamageFn)(TxnTestDb *db, const Expectations *e);

typedef struct DamageRun {
    const char *dir;
    const Expectations *expect;
    DamageFn damage;
} DamageRun;

static int damage_child(void *arg)
{
    DamageRun *run = arg;
    TxnTestDb db;
    if (txn_test_open(&db, run->dir, NO_TIMED_CHECKPOINTS) != SDB_OK)
        return 2;
    if (run->damage(&db, run->expect) != SDB_OK) {
        sdb_error_print(stderr);
        return 1;
    }
    return txn_test_close(&db) == SDB_OK ? 0 : 3;
}

static void expect_checker_to_fail(DamageFn damage, const char *what)
{
    char copy_parent[256], copy[300];
    sdb_test_tempdir(copy_parent, sizeof copy_parent);
    snprintf(copy, sizeof copy, "%s/db", copy_parent);
    CU_ASSERT_FATAL(heap_test_shell("cp -a '%s' '%s'", crash_dir, copy) == 0);
    DamageRun run = {.dir = copy, .expect = &crash_expect, .damage = damage};
    CU_ASSERT_FATAL(heap_test_in_child(damage_child, &run) == 0);
    size_t rows;
    fprintf(stderr, "checker self-test, %s (problems expected):\n", what);
    CU_ASSERT_EQUAL(run_checker(copy, &crash_expect, true, &rows), 1);
}

static void test_checker_detects_damage(void)
{
    CU_ASSERT_FATAL(crash_loop_passed);
    CU_ASSERT_FATAL(has_outcome(&crash_expect, REPORTED_COMMIT) && has_outcome(&crash_expect, REPORTED_ABORT));
    expect_checker_to_fail(remove_acknowledged_row, "row of an acknowledged commit removed");
    expect_checker_to_fail(commit_aborted_transaction, "aborted transaction marked committed");
    expect_checker_to_fail(damage_acknowledged_row, "byte of a committed row changed");
    free(crash_expect.items);
    crash_expect = (Expectations){0};
}

/* ---- disk full --------------------------------------------------------------------------- */

/* Open a new database with a heap and `count` acknowledged commits in
 * stream 0 (numbers 0..count-1), recorded in *e. */
static void open_with_commits(TxnTestDb *db, char *dir, size_t dir_size, Expectations *e, uint64_t count)
{
    uint64_t rng = 42;
    sdb_test_tempdir(dir, dir_size);
    CU_ASSERT_FATAL(txn_test_open(db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    CU_ASSERT_FATAL(ensure_heap(db->engine) == SDB_OK);
    for (uint64_t t = 0; t < count; t++) {
        CU_ASSERT_FATAL(commit_rows(db, txn_number(0, 0, t), 3, &rng) == SDB_OK);
        expect_add(e, txn_number(0, 0, t), REPORTED_COMMIT);
    }
}

static void assert_database_ok(TxnTestDb *db, Expectations *e)
{
    expect_sort(e);
    CU_ASSERT_EQUAL(check_database(db, e, NULL), 0);
}

/* ENOSPC on the WAL (`ops`: write or fsync) during a commit. */
static void disk_full_on_wal(unsigned ops)
{
    char dir[256];
    TxnTestDb db;
    Expectations e = {0};
    uint64_t rng = 7;
    open_with_commits(&db, dir, sizeof dir, &e, 5);

    sdb_fault_inject(ops, 0, ENOSPC, "/wal/", true);
    SdbXid xid;
    CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &xid) == SDB_OK);
    CU_ASSERT_FATAL(insert_rows(db.engine, xid, txn_number(0, 0, 5), 2, &rng) == SDB_OK);
    CU_ASSERT(sdb_xact_commit(db.xm, xid, true, NULL) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "No space left on device"));
    /* In doubt: invisible until a restart settles it. */
    SdbXactStatus status;
    CU_ASSERT(sdb_xact_status(db.xm, xid, &status, NULL, NULL) == SDB_OK && status == SDB_XACT_IN_PROGRESS);

    /* The WAL refuses further writes, even once the disk has room again. */
    sdb_fault_clear();
    CU_ASSERT(commit_rows(&db, txn_number(0, 1, 0), 1, &rng) == SDB_ERROR);
    expect_add(&e, txn_number(0, 1, 0), REPORTED_ABORT);
    txn_test_close(&db); /* its shutdown checkpoint fails: the WAL is failed */

    /* After a restart everything acknowledged is there and writes work. */
    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    assert_database_ok(&db, &e);
    CU_ASSERT(commit_rows(&db, txn_number(0, 2, 0), 2, &rng) == SDB_OK);
    expect_add(&e, txn_number(0, 2, 0), REPORTED_COMMIT);
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

static void test_disk_full_wal_write(void)
{
    disk_full_on_wal(SDB_FAULT_WRITE);
}

static void test_disk_full_wal_fsync(void)
{
    disk_full_on_wal(SDB_FAULT_FSYNC);
}

static void test_disk_full_heap_extension(void)
{
    char dir[256];
    TxnTestDb db;
    Expectations e = {0};
    uint64_t rng = 9;
    open_with_commits(&db, dir, sizeof dir, &e, 3);

    /* Commit until the heap must grow and cannot: that transaction fails
     * with disk full (and is aborted), the ones before are acknowledged. */
    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, "/base/", true);
    uint64_t t = 3;
    while (t < 3000 && commit_rows(&db, txn_number(0, 0, t), MAX_ROWS_PER_TXN, &rng) == SDB_OK)
        expect_add(&e, txn_number(0, 0, t++), REPORTED_COMMIT);
    CU_ASSERT_FATAL(t < 3000);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    printf("\n  heap extension: %s\n", sdb_error_last()->message);
    expect_add(&e, txn_number(0, 0, t), REPORTED_ABORT);

    /* With room again, the engine goes on without a restart. */
    sdb_fault_clear();
    for (uint64_t more = 0; more < 3; more++) {
        CU_ASSERT(commit_rows(&db, txn_number(0, 1, more), 3, &rng) == SDB_OK);
        expect_add(&e, txn_number(0, 1, more), REPORTED_COMMIT);
    }
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

/* A failed fsync of a data file: the kernel may have dropped those pages and
 * a later fsync would not say so, so no checkpoint may complete afterwards,
 * not even once the disk is fine, and the WAL is kept; after a restart,
 * recovery from the last completed checkpoint brings back every commit. */
static void test_failed_data_fsync_stops_checkpoints(void)
{
    char dir[256];
    TxnTestDb db;
    Expectations e = {0};
    uint64_t rng = 11;
    open_with_commits(&db, dir, sizeof dir, &e, 3);
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "/base/", true);
    CU_ASSERT_EQUAL(sdb_engine_checkpoint(db.engine), SDB_ERROR);
    sdb_fault_clear();
    for (uint64_t more = 0; more < 3; more++) {
        CU_ASSERT(commit_rows(&db, txn_number(0, 1, more), 3, &rng) == SDB_OK);
        expect_add(&e, txn_number(0, 1, more), REPORTED_COMMIT);
    }
    CU_ASSERT_EQUAL(sdb_engine_checkpoint(db.engine), SDB_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "writing back a data file failed earlier"));
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_ERROR); /* the shutdown checkpoint cannot complete either */
    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    CU_ASSERT(sdb_engine_recovery_result(db.engine)->ran);
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

static void test_disk_full_clog_extension(void)
{
    char dir[256];
    TxnTestDb db;
    Expectations e = {0};
    open_with_commits(&db, dir, sizeof dir, &e, 1);
    /* Use up xids until the next one needs a new clog page. */
    uint32_t per_page = sdb_clog_xids_per_page(sdb_engine_page_size(db.engine));
    while (sdb_xact_next_xid(db.xm) % per_page != 0) {
        SdbXid xid;
        CU_ASSERT_FATAL(sdb_xact_begin(db.xm, &xid) == SDB_OK && sdb_xact_commit(db.xm, xid, true, NULL) == SDB_OK);
    }
    SdbXid next = sdb_xact_next_xid(db.xm), xid;
    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, "global/1", true);
    CU_ASSERT(sdb_xact_begin(db.xm, &xid) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_EQUAL(sdb_xact_next_xid(db.xm), next);
    sdb_fault_clear();
    CU_ASSERT(sdb_xact_begin(db.xm, &xid) == SDB_OK && xid == next);
    CU_ASSERT(sdb_xact_commit(db.xm, xid, true, NULL) == SDB_OK);
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

/* ---- corruption --------------------------------------------------------------------------- */

static void test_flipped_bytes_in_heap_page(void)
{
    char dir[256], path[400], rel_path[SDB_SMGR_PATH_MAX];
    TxnTestDb db;
    Expectations e = {0};
    open_with_commits(&db, dir, sizeof dir, &e, 2);
    CU_ASSERT_FATAL(txn_test_close(&db) == SDB_OK);

    sdb_smgr_path(HEAP_REL, SDB_FORK_MAIN, rel_path, sizeof rel_path);
    snprintf(path, sizeof path, "%s/%s", dir, rel_path);
    int fd = open(path, O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t bytes[4];
    CU_ASSERT_FATAL(pread(fd, bytes, sizeof bytes, 3000) == (ssize_t)sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] ^= 0x5A;
    CU_ASSERT_FATAL(pwrite(fd, bytes, sizeof bytes, 3000) == (ssize_t)sizeof bytes);
    close(fd);

    CU_ASSERT_FATAL(txn_test_open(&db, dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    SdbHeapScan *scan = sdb_heap_scan_begin(db.engine, HEAP_REL);
    SdbHeapTuple tuple;
    bool found;
    int rc = scan == NULL ? SDB_ERROR : sdb_heap_scan_next(scan, &tuple, &found);
    sdb_heap_scan_end(scan);
    CU_ASSERT_EQUAL(rc, SDB_ERROR);
    const SdbErrorData *err = sdb_error_last();
    CU_ASSERT_EQUAL(err->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "block 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, rel_path));
    printf("\n  read of the damaged page: %s\n", err->message);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

#define CUT_XACTS 20

typedef struct CutRun {
    char dir[256];
    char lsn_file[300];
} CutRun;

/* Child: commit CUT_XACTS transactions, write the WAL insert position
 * after the last commit to run->lsn_file, and crash. */
static int cut_child(void *arg)
{
    CutRun *run = arg;
    TxnTestDb db;
    uint64_t rng = 11;
    if (txn_test_open(&db, run->dir, NO_TIMED_CHECKPOINTS) != SDB_OK || ensure_heap(db.engine) != SDB_OK)
        return 2;
    for (uint64_t t = 0; t < CUT_XACTS; t++)
        if (commit_rows(&db, txn_number(0, 0, t), 2, &rng) != SDB_OK)
            return 3;
    SdbLsn end = sdb_wal_insert_lsn(sdb_engine_wal(db.engine));
    FILE *f = fopen(run->lsn_file, "wb");
    return f != NULL && fwrite(&end, sizeof end, 1, f) == 1 && fclose(f) == 0 ? 0 : 4;
}

static void test_wal_cut_mid_record(void)
{
    CutRun run;
    sdb_test_tempdir(run.dir, sizeof run.dir);
    snprintf(run.lsn_file, sizeof run.lsn_file, "%s.lsn", run.dir);
    CU_ASSERT_FATAL(heap_test_in_child(cut_child, &run) == 0);
    SdbLsn end;
    FILE *f = fopen(run.lsn_file, "rb");
    CU_ASSERT_FATAL(f != NULL && fread(&end, sizeof end, 1, f) == 1);
    fclose(f);
    unlink(run.lsn_file);

    /* The last record is the last commit record (80 bytes or more): cut
     * its last 20 bytes off, and everything after. */
    SdbLsn cut = end - 20;
    uint32_t segment_size = 1024 * 1024;
    char name[SDB_WAL_SEGMENT_NAME_LEN + 1], path[400];
    sdb_wal_segment_name(sdb_wal_segment_of(cut, segment_size), name);
    snprintf(path, sizeof path, "%s/wal/%s", run.dir, name);
    CU_ASSERT_FATAL(truncate(path, (off_t)(cut % segment_size)) == 0);

    TxnTestDb db;
    CU_ASSERT_FATAL(txn_test_open(&db, run.dir, NO_TIMED_CHECKPOINTS) == SDB_OK);
    const SdbRecoveryResult *result = sdb_engine_recovery_result(db.engine);
    CU_ASSERT(result->ran);
    CU_ASSERT(result->end_lsn <= cut);
    Expectations e = {0};
    for (uint64_t t = 0; t + 1 < CUT_XACTS; t++)
        expect_add(&e, txn_number(0, 0, t), REPORTED_COMMIT);
    expect_add(&e, txn_number(0, 0, CUT_XACTS - 1), REPORTED_ABORT); /* its commit record is cut */
    assert_database_ok(&db, &e);
    uint64_t rng = 12;
    CU_ASSERT(commit_rows(&db, txn_number(0, 1, 0), 2, &rng) == SDB_OK);
    expect_add(&e, txn_number(0, 1, 0), REPORTED_COMMIT);
    assert_database_ok(&db, &e);
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
    free(e.items);
}

static CU_TestInfo crash_tests[] = {
    {"SIGKILL loop with strict checker", test_crash_loop},
    {"checker detects damage", test_checker_detects_damage},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo disk_full_tests[] = {
    {"ENOSPC on WAL write", test_disk_full_wal_write},
    {"ENOSPC on WAL fsync", test_disk_full_wal_fsync},
    {"ENOSPC on heap extension", test_disk_full_heap_extension},
    {"ENOSPC on clog extension", test_disk_full_clog_extension},
    {"failed data-file fsync: no checkpoint completes, recovery after restart", test_failed_data_fsync_stops_checkpoints},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo corruption_tests[] = {
    {"flipped bytes in a heap page", test_flipped_bytes_in_heap_page},
    {"WAL cut in the middle of a record", test_wal_cut_mid_record},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"crash", NULL, NULL, NULL, NULL, crash_tests},
    {"disk full", NULL, NULL, NULL, NULL, disk_full_tests},
    {"corruption", NULL, NULL, NULL, NULL, corruption_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
