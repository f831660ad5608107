/*
 * test_rowlocks.c: the lock manager (runtime/txn/lmgr.c) and LOCK TABLE:
 * PostgreSQL's table lock conflict matrix between two sessions, waiting
 * until the holder ends, NOWAIT, lock_timeout, a deadlock (40P01 with
 * PostgreSQL's DETAIL), and the row lock modes' conflict table.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sql_test_util.h"
#include "txn/lmgr.h"
#include "txn_test_util.h"

static SdbSession *other;

/* Run `sql` on session `s`, results ignored: SDB_OK or SDB_ERROR. */
static int on_describe_none(void *arg, int ncols, const SdbPlanColumn *cols)
{
    (void)arg, (void)ncols, (void)cols;
    return SDB_OK;
}

static int on_rows_none(void *arg, const SdbBatch *b)
{
    (void)arg, (void)b;
    return SDB_OK;
}

static int on_complete_none(void *arg, const char *tag)
{
    (void)arg, (void)tag;
    return SDB_OK;
}

static int exec_on(SdbSession *s, const char *sql)
{
    SdbResultSink sink = {.describe = on_describe_none, .rows = on_rows_none, .complete = on_complete_none};
    return sdb_session_execute(s, sql, &sink);
}

/* The first column (int4) of a query's rows, as "1,2,3". */
typedef struct Ints {
    char text[256];
} Ints;

static int on_rows_ints(void *arg, const SdbBatch *b)
{
    Ints *out = arg;
    for (int i = 0; i < sdb_batch_live(b); i++) {
        size_t len = strlen(out->text);
        snprintf(out->text + len, sizeof out->text - len, "%s%d", len ? "," : "",
                 (int)(int32_t)b->cols[0].values[sdb_batch_row(b, i)]);
    }
    return SDB_OK;
}

static int ints_on(SdbSession *s, const char *sql, Ints *out)
{
    out->text[0] = '\0';
    SdbResultSink sink = {.arg = out, .describe = on_describe_none, .rows = on_rows_ints, .complete = on_complete_none};
    return sdb_session_execute(s, sql, &sink);
}

/* A statement run on another thread (the blocking side). */
typedef struct Background {
    SdbSession *s;
    const char *sql;
    pthread_t thread;
    volatile int done;
    int rc;
    Ints rows;
    SdbErrorData error;
} Background;

static void *background_main(void *arg)
{
    Background *b = arg;
    b->rc = ints_on(b->s, b->sql, &b->rows);
    if (b->rc != SDB_OK)
        b->error = *sdb_error_last();
    b->done = 1;
    return NULL;
}

static void background_start(Background *b, SdbSession *s, const char *sql)
{
    *b = (Background){.s = s, .sql = sql};
    CU_ASSERT_FATAL(pthread_create(&b->thread, NULL, background_main, b) == 0);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static int suite_init_two(void)
{
    if (suite_init() != 0)
        return 1;
    other = sdb_session_open(db, "postgres", "postgres");
    return other == NULL || exec_on(sess, "CREATE TABLE t (id int PRIMARY KEY, v int); CREATE TABLE u (id int)");
}

static int suite_clean_two(void)
{
    sdb_session_close(other);
    return suite_clean();
}

static const char *const table_modes[8] = {
    "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
    "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
};

/* PostgreSQL's documented table (explicit-locking.html, "Conflicting Lock
 * Modes"): row = requested, column = held, 'X' = conflict. */
static const char *const table_matrix[8] = {
    ".......X", "......XX", "....XXXX", "...XXXXX", "..XX.XXX", "..XXXXXX", ".XXXXXXX", "XXXXXXXX",
};

static void test_lock_outside_block(void)
{
    EXPECT_ERROR("LOCK TABLE t", SDB_ERR_NO_ACTIVE_SQL_TRANSACTION, "LOCK TABLE can only be used in transaction blocks");
    EXPECT("BEGIN; LOCK t IN SHARE MODE; LOCK TABLE t, u; COMMIT", "[BEGIN]\n[LOCK TABLE]\n[LOCK TABLE]\n[COMMIT]");
}

static void test_table_lock_matrix(void)
{
    char sql[128];
    for (int held = 0; held < 8; held++) {
        for (int req = 0; req < 8; req++) {
            snprintf(sql, sizeof sql, "BEGIN; LOCK t IN %s MODE", table_modes[held]);
            CU_ASSERT_FATAL(exec_on(sess, sql) == SDB_OK);
            snprintf(sql, sizeof sql, "BEGIN; LOCK t IN %s MODE NOWAIT", table_modes[req]);
            int rc = exec_on(other, sql);
            bool conflict = table_matrix[req][held] == 'X';
            if ((rc != SDB_OK) != conflict)
                fprintf(stderr, "\nheld %s, requested %s: rc %d\n", table_modes[held], table_modes[req], rc);
            CU_ASSERT_EQUAL(rc != SDB_OK, conflict);
            if (conflict) {
                CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_LOCK_NOT_AVAILABLE);
                CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "could not obtain lock on relation \"t\"");
            }
            CU_ASSERT(exec_on(other, "ROLLBACK") == SDB_OK);
            CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
        }
    }
}

static void test_wait_for_holder(void)
{
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK t IN ACCESS EXCLUSIVE MODE") == SDB_OK);
    CU_ASSERT_FATAL(exec_on(other, "BEGIN") == SDB_OK);
    Background b;
    background_start(&b, other, "LOCK t IN ROW SHARE MODE");
    sleep_ms(100);
    CU_ASSERT_EQUAL(b.done, 0); /* waits while the holder runs */
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);
    /* `other` holds ROW SHARE until it ends */
    CU_ASSERT(exec_on(sess, "BEGIN; LOCK t IN EXCLUSIVE MODE NOWAIT") == SDB_ERROR);
    CU_ASSERT(exec_on(sess, "ROLLBACK") == SDB_OK);
    CU_ASSERT(exec_on(other, "COMMIT") == SDB_OK);
    CU_ASSERT(exec_on(sess, "BEGIN; LOCK t IN EXCLUSIVE MODE NOWAIT; COMMIT") == SDB_OK);
}

/* A statement's implicit locks: LOCK TABLE ... ACCESS EXCLUSIVE blocks a
 * SELECT elsewhere; EXCLUSIVE blocks an UPDATE but not a SELECT; TRUNCATE
 * waits for ACCESS SHARE. */
static void test_implicit_locks(void)
{
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK t IN ACCESS EXCLUSIVE MODE") == SDB_OK);
    Background b;
    background_start(&b, other, "SELECT id FROM t WHERE id = 1");
    sleep_ms(100);
    CU_ASSERT_EQUAL(b.done, 0);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK t IN EXCLUSIVE MODE") == SDB_OK);
    Ints got;
    CU_ASSERT(ints_on(other, "SELECT count(*)::int FROM u", &got) == SDB_OK);
    CU_ASSERT(exec_on(other, "SET lock_timeout = 30") == SDB_OK);
    CU_ASSERT(exec_on(other, "SELECT id FROM t") == SDB_OK);
    CU_ASSERT(exec_on(other, "UPDATE t SET v = v WHERE id = 1") == SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "canceling statement due to lock timeout");
    CU_ASSERT(exec_on(other, "RESET lock_timeout") == SDB_OK);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    /* TRUNCATE takes ACCESS EXCLUSIVE: it waits for a reader's lock */
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK u IN ACCESS SHARE MODE") == SDB_OK);
    background_start(&b, other, "TRUNCATE u");
    sleep_ms(100);
    CU_ASSERT_EQUAL(b.done, 0);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);
}

static void test_lock_timeout(void)
{
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK t") == SDB_OK);
    CU_ASSERT_FATAL(exec_on(other, "SET lock_timeout = 50; BEGIN") == SDB_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT(exec_on(other, "LOCK t IN ROW SHARE MODE") == SDB_ERROR);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_LOCK_NOT_AVAILABLE);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "canceling statement due to lock timeout");
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CU_ASSERT(ms >= 50);
    CU_ASSERT(exec_on(other, "ROLLBACK; RESET lock_timeout") == SDB_OK);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
}

static void test_deadlock(void)
{
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; LOCK t") == SDB_OK);
    CU_ASSERT_FATAL(exec_on(other, "BEGIN; LOCK u") == SDB_OK);
    Background b;
    background_start(&b, other, "LOCK t");
    sleep_ms(100);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = exec_on(sess, "LOCK u"); /* closes the cycle */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(b.thread, NULL);
    /* exactly one victim: the one whose deadlock_timeout (1 s) ran out
     * first, i.e. the background session, which started waiting first */
    CU_ASSERT_EQUAL(rc, SDB_OK);
    CU_ASSERT_EQUAL(b.rc, SDB_ERROR);
    CU_ASSERT_EQUAL(b.error.code, SDB_ERR_DEADLOCK_DETECTED);
    CU_ASSERT_STRING_EQUAL(b.error.message, "deadlock detected");
    CU_ASSERT(strncmp(b.error.detail, "Process ", 8) == 0);
    CU_ASSERT(strstr(b.error.detail, "waits for AccessExclusiveLock on relation ") != NULL);
    CU_ASSERT(strchr(b.error.detail, '\n') != NULL); /* one line per transaction of the cycle */
    CU_ASSERT_STRING_EQUAL(b.error.hint, "See server log for query details.");
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CU_ASSERT(ms >= 500); /* not at once: after deadlock_timeout */
    CU_ASSERT(exec_on(other, "ROLLBACK") == SDB_OK);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
}

static void test_select_for_update_errors(void)
{
    EXPECT("INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 4) g", "[INSERT 0 4]");
    EXPECT("SELECT id, v FROM t WHERE id <= 2 ORDER BY id FOR UPDATE", "1|10\n2|20\n[SELECT 2]");
    EXPECT("SELECT t.id FROM t JOIN u ON u.id = t.id FOR SHARE OF t NOWAIT", "[SELECT 0]");
    EXPECT("SELECT id FROM t ORDER BY id LIMIT 1 FOR KEY SHARE SKIP LOCKED", "1\n[SELECT 1]");
    EXPECT("EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY id LIMIT 1 FOR UPDATE",
           "Limit\n  ->  LockRows\n        ->  Sort\n              Sort Key: id\n              ->  Seq Scan on t\n[EXPLAIN]");
    EXPECT_ERROR("SELECT count(*) FROM t FOR UPDATE", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "FOR UPDATE is not allowed with aggregate functions");
    EXPECT_ERROR("SELECT DISTINCT v FROM t FOR SHARE", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "FOR SHARE is not allowed with DISTINCT clause");
    EXPECT_ERROR("SELECT v FROM t GROUP BY v FOR NO KEY UPDATE", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "FOR NO KEY UPDATE is not allowed with GROUP BY clause");
    EXPECT_ERROR("SELECT id FROM t UNION SELECT id FROM u FOR KEY SHARE", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "FOR KEY SHARE is not allowed with UNION/INTERSECT/EXCEPT");
    EXPECT_ERROR("SELECT rank() OVER () FROM t FOR UPDATE", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "FOR UPDATE is not allowed with window functions");
}

static void test_select_for_update_sessions(void)
{
    Ints got;
    /* FOR NO KEY UPDATE held: FOR KEY SHARE goes, FOR SHARE NOWAIT fails,
     * SKIP LOCKED skips the row. */
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; SELECT id FROM t WHERE id = 1 FOR NO KEY UPDATE") == SDB_OK);
    CU_ASSERT(ints_on(other, "BEGIN; SELECT id FROM t WHERE id = 1 FOR KEY SHARE", &got) == SDB_OK);
    CU_ASSERT_STRING_EQUAL(got.text, "1");
    CU_ASSERT(exec_on(other, "SELECT id FROM t WHERE id = 1 FOR SHARE NOWAIT") == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_LOCK_NOT_AVAILABLE);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "could not obtain lock on row in relation \"t\"");
    CU_ASSERT(exec_on(other, "ROLLBACK") == SDB_OK);
    CU_ASSERT(ints_on(other, "SELECT id FROM t ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED", &got) == SDB_OK);
    CU_ASSERT_STRING_EQUAL(got.text, "2,3");
    /* an UPDATE elsewhere waits for the lock; the locker commits */
    Background b;
    background_start(&b, other, "UPDATE t SET v = 11 WHERE id = 1");
    sleep_ms(100);
    CU_ASSERT_EQUAL(b.done, 0);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);

    /* READ COMMITTED: a locker waiting for an updater sees the committed
     * new version (the WHERE is checked again on it). */
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; UPDATE t SET v = 12 WHERE id = 1") == SDB_OK);
    background_start(&b, other, "SELECT v FROM t WHERE id = 1 FOR UPDATE");
    sleep_ms(100);
    CU_ASSERT_EQUAL(b.done, 0);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);
    CU_ASSERT_STRING_EQUAL(b.rows.text, "12");
    CU_ASSERT_FATAL(exec_on(sess, "BEGIN; UPDATE t SET v = 13 WHERE id = 1") == SDB_OK);
    background_start(&b, other, "SELECT v FROM t WHERE v = 12 FOR UPDATE");
    sleep_ms(100);
    CU_ASSERT(exec_on(sess, "COMMIT") == SDB_OK);
    pthread_join(b.thread, NULL);
    CU_ASSERT_EQUAL(b.rc, SDB_OK);
    CU_ASSERT_STRING_EQUAL(b.rows.text, ""); /* no longer matches */

    /* REPEATABLE READ: 40001 */
    CU_ASSERT_FATAL(exec_on(other, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1") == SDB_OK);
    CU_ASSERT_FATAL(exec_on(sess, "UPDATE t SET v = 14 WHERE id = 1") == SDB_OK);
    CU_ASSERT(exec_on(other, "SELECT v FROM t WHERE id = 1 FOR SHARE") == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SERIALIZATION_FAILURE);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "could not serialize access due to concurrent update");
    CU_ASSERT(exec_on(other, "ROLLBACK") == SDB_OK);
}

/* Row lock modes through the lock manager: PostgreSQL's tuple conflict
 * table (FOR KEY SHARE only conflicts with FOR UPDATE ...). */
static void test_row_lock_modes(void)
{
    char dir[512];
    sdb_test_tempdir(dir, sizeof dir);
    TxnTestDb tdb;
    CU_ASSERT_FATAL(txn_test_open(&tdb, dir, 300) == SDB_OK);
    static const char *const matrix[4] = {"...X", "..XX", ".XXX", "XXXX"};
    SdbLockTag tag = {.kind = SDB_LOCKTAG_TUPLE, .db = 5, .rel = 16384, .block = 0, .slot = 1};
    for (int held = 1; held <= 4; held++) {
        for (int req = 1; req <= 4; req++) {
            SdbTxn a = {.xm = tdb.xm}, b = {.xm = tdb.xm};
            bool got;
            CU_ASSERT(sdb_lock_acquire(&a, &tag, held, SDB_LOCK_WAIT, &got) == SDB_OK && got);
            /* a transaction never conflicts with itself */
            CU_ASSERT(sdb_lock_acquire(&a, &tag, held, SDB_LOCK_NOWAIT, &got) == SDB_OK && got);
            CU_ASSERT(sdb_lock_acquire(&b, &tag, req, SDB_LOCK_SKIP, &got) == SDB_OK);
            CU_ASSERT_EQUAL(!got, matrix[req - 1][held - 1] == 'X');
            SdbXid holder;
            CU_ASSERT_EQUAL(sdb_lock_conflicts(&b, &tag, req, &holder), matrix[req - 1][held - 1] == 'X');
            CU_ASSERT(sdb_xact_commit(tdb.xm, a.xid, true, NULL) == SDB_OK);
            /* a holder that ended holds nothing, even before release_all */
            CU_ASSERT(sdb_lock_acquire(&b, &tag, SDB_ROWLOCK_UPDATE, SDB_LOCK_NOWAIT, &got) == SDB_OK && got);
            sdb_lock_release_all(tdb.xm, a.xid);
            CU_ASSERT(sdb_xact_commit(tdb.xm, b.xid, true, NULL) == SDB_OK);
            sdb_lock_release_all(tdb.xm, b.xid);
            sdb_txn_release(&a);
            sdb_txn_release(&b);
        }
    }
    SdbLockInfo info[4];
    CU_ASSERT_EQUAL(sdb_lock_list(tdb.xm, info, 4), 0);
    CU_ASSERT(txn_test_close(&tdb) == SDB_OK);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"LOCK outside a block", test_lock_outside_block},
        {"table lock conflict matrix", test_table_lock_matrix},
        {"waiting for the holder", test_wait_for_holder},
        {"implicit table locks of statements", test_implicit_locks},
        {"lock_timeout", test_lock_timeout},
        {"deadlock after deadlock_timeout", test_deadlock},
        {"row lock modes", test_row_lock_modes},
        {"SELECT ... FOR UPDATE: plans and errors", test_select_for_update_errors},
        {"SELECT ... FOR UPDATE between sessions", test_select_for_update_sessions},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"rowlocks", suite_init_two, suite_clean_two, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
