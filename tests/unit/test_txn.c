/*
 * test_txn.c: MVCC visibility (runtime/txn/txn.c) with interleaved
 * transactions over a real heap: snapshots taken before and after commits
 * and aborts, a transaction's own inserts and deletes by command id
 * (including combo cids), lock-only xmax, hint bits learned and recorded,
 * deadlock detection between waiting transactions, and subtransactions
 * (savepoints): lazily assigned xids, release, rollback, commit with the top.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "storage/heap.h"
#include "txn/txn.h"
#include "txn_test_util.h"

#define REL ((SdbRelFileId){.db_oid = 5, .rel_number = 16384})

typedef struct Fixture {
    char dir[256];
    TxnTestDb db;
    SdbArena *arena;
} Fixture;

static void fixture_open(Fixture *f)
{
    sdb_test_tempdir(f->dir, sizeof f->dir);
    CU_ASSERT_FATAL(txn_test_open(&f->db, f->dir, 86400) == SDB_OK);
    CU_ASSERT_FATAL(sdb_heap_create(f->db.engine, REL) == SDB_OK);
    f->arena = sdb_arena_create(NULL, "test_txn", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->arena);
}

static void fixture_close(Fixture *f)
{
    sdb_arena_destroy(f->arena);
    CU_ASSERT(txn_test_close(&f->db) == SDB_OK);
}

/* A transaction with an xid and a snapshot at command `cid`. */
static void txn_start(Fixture *f, SdbTxn *t, bool with_xid)
{
    memset(t, 0, sizeof *t);
    t->xm = f->db.xm;
    SdbXid xid;
    if (with_xid)
        CU_ASSERT_FATAL(sdb_txn_assign_xid(t, &xid) == SDB_OK && xid == t->xid);
    CU_ASSERT_FATAL(sdb_txn_take_snapshot(t, f->arena) == SDB_OK);
}

static SdbTid insert(Fixture *f, SdbTxn *t)
{
    SdbTid tid;
    CU_ASSERT_FATAL(sdb_heap_insert(f->db.engine, REL, t->xid, t->cid, "row", 3, 0, &tid) == SDB_OK);
    return tid;
}

static SdbHeapTupleHeader header_of(Fixture *f, SdbTid tid)
{
    SdbHeapTupleHeader h;
    bool found;
    CU_ASSERT_FATAL(sdb_heap_fetch(f->db.engine, REL, tid, &h, NULL, 0, &found) == SDB_OK && found);
    return h;
}

static bool sees(Fixture *f, SdbTxn *t, SdbTid tid)
{
    SdbHeapTupleHeader h = header_of(f, tid);
    bool visible;
    CU_ASSERT_FATAL(sdb_txn_tuple_visible(t, &h, &visible) == SDB_OK);
    return visible;
}

static void delete_row(Fixture *f, SdbTxn *t, SdbTid tid)
{
    SdbHeapTupleHeader h = header_of(f, tid);
    SdbCid cid;
    SdbHeapResult result;
    CU_ASSERT_FATAL(sdb_txn_cid_for_xmax(t, &h, &cid) == SDB_OK);
    CU_ASSERT_FATAL(sdb_heap_delete(f->db.engine, REL, tid, t->xid, cid, &result, NULL) == SDB_OK);
    CU_ASSERT_EQUAL_FATAL(result, SDB_HEAP_OK);
}

static void test_other_transactions(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, b, c, r1, r2;
    txn_start(&f, &a, true);
    SdbTid t1 = insert(&f, &a);
    txn_start(&f, &r1, false); /* a running */
    CU_ASSERT(!sees(&f, &r1, t1));
    CU_ASSERT(sdb_xact_commit(f.db.xm, a.xid, true, NULL) == SDB_OK);
    CU_ASSERT(!sees(&f, &r1, t1)); /* a was running at r1's snapshot */
    txn_start(&f, &r2, false);
    CU_ASSERT(sees(&f, &r2, t1));

    /* A delete: in progress, then committed. */
    txn_start(&f, &b, true);
    delete_row(&f, &b, t1);
    CU_ASSERT(sees(&f, &r2, t1));
    txn_start(&f, &r1, false);
    CU_ASSERT(sees(&f, &r1, t1));
    CU_ASSERT(sdb_xact_commit(f.db.xm, b.xid, true, NULL) == SDB_OK);
    CU_ASSERT(sees(&f, &r1, t1)); /* b was running at r1's snapshot */
    txn_start(&f, &r2, false);
    CU_ASSERT(!sees(&f, &r2, t1));

    /* An aborted insert is never seen; an aborted delete never hides. */
    txn_start(&f, &c, true);
    SdbTid t2 = insert(&f, &c);
    txn_start(&f, &b, true);
    SdbTid t3 = insert(&f, &b);
    CU_ASSERT(sdb_xact_commit(f.db.xm, b.xid, true, NULL) == SDB_OK);
    txn_start(&f, &a, true);
    delete_row(&f, &a, t3);
    CU_ASSERT(sdb_xact_abort(f.db.xm, c.xid) == SDB_OK);
    CU_ASSERT(sdb_xact_abort(f.db.xm, a.xid) == SDB_OK);
    txn_start(&f, &r1, false);
    CU_ASSERT(!sees(&f, &r1, t2));
    CU_ASSERT(sees(&f, &r1, t3));

    /* A transaction that starts after the snapshot is not seen, even
     * committed. */
    txn_start(&f, &r1, false);
    txn_start(&f, &a, true);
    SdbTid t4 = insert(&f, &a);
    CU_ASSERT(sdb_xact_commit(f.db.xm, a.xid, true, NULL) == SDB_OK);
    CU_ASSERT(!sees(&f, &r1, t4));
    fixture_close(&f);
}

static void test_own_changes(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, r;
    txn_start(&f, &a, true);
    a.cid = 0;
    SdbTid t1 = insert(&f, &a);
    CU_ASSERT(!sees(&f, &a, t1)); /* same command */
    a.cid = 1;
    CU_ASSERT(sees(&f, &a, t1));
    txn_start(&f, &r, false);
    CU_ASSERT(!sees(&f, &r, t1));

    /* Delete in command 1 of a row inserted in command 0: a combo cid. */
    delete_row(&f, &a, t1);
    SdbHeapTupleHeader h = header_of(&f, t1);
    CU_ASSERT(h.cid & SDB_TXN_COMBO_CID);
    CU_ASSERT_EQUAL(sdb_txn_cmin(&a, &h), 0);
    CU_ASSERT(sees(&f, &a, t1)); /* the deleting command still sees it */
    a.cid = 2;
    CU_ASSERT(!sees(&f, &a, t1));

    /* Inserted in command 2, deleted in command 3: command 2 sees nothing,
     * command 3 the row, command 4 nothing. */
    SdbTid t2 = insert(&f, &a);
    a.cid = 3;
    delete_row(&f, &a, t2);
    a.cid = 2;
    CU_ASSERT(!sees(&f, &a, t2));
    a.cid = 3;
    CU_ASSERT(sees(&f, &a, t2));
    a.cid = 4;
    CU_ASSERT(!sees(&f, &a, t2));

    /* A committed row deleted by us: plain cid. */
    SdbTxn b;
    txn_start(&f, &b, true);
    SdbTid t3 = insert(&f, &b);
    CU_ASSERT(sdb_xact_commit(f.db.xm, b.xid, true, NULL) == SDB_OK);
    CU_ASSERT(sdb_txn_take_snapshot(&a, f.arena) == SDB_OK);
    CU_ASSERT(sees(&f, &a, t3));
    delete_row(&f, &a, t3);
    CU_ASSERT(!(header_of(&f, t3).cid & SDB_TXN_COMBO_CID));
    CU_ASSERT(sees(&f, &a, t3));
    a.cid = 5;
    CU_ASSERT(!sees(&f, &a, t3));
    CU_ASSERT(sdb_xact_commit(f.db.xm, a.xid, true, NULL) == SDB_OK);
    sdb_txn_release(&a);
    CU_ASSERT_PTR_NULL(a.combos);
    fixture_close(&f);
}

static void test_lock_and_hints(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, b, r;
    txn_start(&f, &a, true);
    SdbTid t1 = insert(&f, &a);
    CU_ASSERT(sdb_xact_commit(f.db.xm, a.xid, true, NULL) == SDB_OK);
    txn_start(&f, &b, true);
    SdbHeapResult result;
    CU_ASSERT(sdb_heap_lock(f.db.engine, REL, t1, b.xid, b.cid, &result, NULL) == SDB_OK &&
              result == SDB_HEAP_OK);
    CU_ASSERT(sdb_xact_commit(f.db.xm, b.xid, true, NULL) == SDB_OK);
    txn_start(&f, &r, false);
    CU_ASSERT(sees(&f, &r, t1)); /* a lock deletes nothing */

    /* Hints: the committed xmin is learned and recorded. */
    SdbHeapTupleHeader h = header_of(&f, t1);
    CU_ASSERT(!(h.infomask & SDB_HEAP_XMIN_COMMITTED));
    bool visible;
    uint16_t hints;
    CU_ASSERT(sdb_txn_tuple_visible_hints(&r, &h, &visible, &hints) == SDB_OK && visible);
    CU_ASSERT(hints & SDB_HEAP_XMIN_COMMITTED);
    CU_ASSERT(sdb_heap_set_hints(f.db.engine, REL, t1, &h, hints) == SDB_OK);
    h = header_of(&f, t1);
    CU_ASSERT(h.infomask & SDB_HEAP_XMIN_COMMITTED);
    CU_ASSERT(sdb_txn_tuple_visible_hints(&r, &h, &visible, &hints) == SDB_OK && visible && hints == 0);

    /* An aborted inserter is hinted aborted. */
    txn_start(&f, &a, true);
    SdbTid t2 = insert(&f, &a);
    CU_ASSERT(sdb_xact_abort(f.db.xm, a.xid) == SDB_OK);
    txn_start(&f, &r, false);
    h = header_of(&f, t2);
    CU_ASSERT(sdb_txn_tuple_visible_hints(&r, &h, &visible, &hints) == SDB_OK && !visible);
    CU_ASSERT_EQUAL(hints, SDB_HEAP_XMIN_ABORTED);
    fixture_close(&f);
}

typedef struct Waiter {
    SdbTxn *txn;
    SdbXid holder;
    int rc;
} Waiter;

static void *wait_thread(void *arg)
{
    Waiter *w = arg;
    w->rc = sdb_txn_wait(w->txn, w->holder);
    return NULL;
}

static void test_wait_and_deadlock(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, b;
    txn_start(&f, &a, true);
    txn_start(&f, &b, true);
    Waiter w = {.txn = &a, .holder = b.xid};
    pthread_t thread;
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, wait_thread, &w) == 0);
    usleep(20000);
    /* b waiting for a closes the cycle. */
    CU_ASSERT(sdb_txn_wait(&b, a.xid) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DEADLOCK_DETECTED);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "deadlock detected");
    CU_ASSERT(sdb_xact_abort(f.db.xm, b.xid) == SDB_OK);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(w.rc, SDB_OK);
    CU_ASSERT(sdb_xact_commit(f.db.xm, a.xid, true, NULL) == SDB_OK);

    /* A cancelled wait stops with 57014. */
    SdbTxn c, d;
    txn_start(&f, &c, true);
    txn_start(&f, &d, true);
    volatile int cancel = 1;
    d.cancel = &cancel;
    CU_ASSERT(sdb_txn_wait(&d, c.xid) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_QUERY_CANCELED);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "canceling statement due to user request");
    /* ... and left no wait behind: c waiting for d is no deadlock. */
    cancel = 0;
    CU_ASSERT(sdb_xact_abort(f.db.xm, d.xid) == SDB_OK);
    CU_ASSERT(sdb_txn_wait(&c, d.xid) == SDB_OK);
    CU_ASSERT(sdb_xact_abort(f.db.xm, c.xid) == SDB_OK);
    fixture_close(&f);
}

/* Insert with the xid writes go under (a subtransaction's). */
static SdbTid insert_current(Fixture *f, SdbTxn *t)
{
    SdbXid xid;
    SdbTid tid;
    CU_ASSERT_FATAL(sdb_txn_assign_xid(t, &xid) == SDB_OK);
    CU_ASSERT_FATAL(sdb_heap_insert(f->db.engine, REL, xid, t->cid, "row", 3, 0, &tid) == SDB_OK);
    return tid;
}

static void test_subtransactions(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, r;
    txn_start(&f, &a, false);
    /* a subtransaction's first write gives its parent an xid first */
    CU_ASSERT(sdb_txn_subxact_begin(&a) == SDB_OK);
    CU_ASSERT(sdb_txn_subxact_begin(&a) == SDB_OK);
    CU_ASSERT_EQUAL(sdb_txn_subxact_depth(&a), 2);
    CU_ASSERT_EQUAL(sdb_txn_current_xid(&a), SDB_INVALID_XID);
    a.cid = 1;
    SdbTid t_inner = insert_current(&f, &a);
    SdbXid top = a.xid, inner = sdb_txn_current_xid(&a);
    CU_ASSERT(top != SDB_INVALID_XID && inner > top + 1); /* the outer level got top + 1 */
    CU_ASSERT(sdb_txn_is_own_xid(&a, top) && sdb_txn_is_own_xid(&a, inner) && sdb_txn_is_own_xid(&a, top + 1));
    CU_ASSERT_EQUAL(sdb_xact_top_of(f.db.xm, inner), top);
    a.cid = 2;
    CU_ASSERT(sees(&f, &a, t_inner));
    /* others: every subxid is running until the top ends */
    txn_start(&f, &r, false);
    CU_ASSERT(!sees(&f, &r, t_inner));
    SdbXactStatus status;
    CU_ASSERT(sdb_xact_status(f.db.xm, inner, &status, NULL, NULL) == SDB_OK && status == SDB_XACT_IN_PROGRESS);
    /* release keeps the change; then delete it at the outer level (combo cid) */
    sdb_txn_subxact_release(&a);
    CU_ASSERT(sdb_txn_is_own_xid(&a, inner));
    delete_row(&f, &a, t_inner);
    a.cid = 3;
    CU_ASSERT(!sees(&f, &a, t_inner));
    /* roll the outer level back: its xid and the released child's are aborted */
    CU_ASSERT(sdb_txn_subxact_rollback(&a) == SDB_OK);
    CU_ASSERT(!sdb_txn_is_own_xid(&a, inner) && !sdb_txn_is_own_xid(&a, top + 1) && sdb_txn_is_own_xid(&a, top));
    CU_ASSERT(sdb_xact_status(f.db.xm, inner, &status, NULL, NULL) == SDB_OK && status == SDB_XACT_ABORTED);
    CU_ASSERT(!sees(&f, &a, t_inner));
    /* a new level, committed with the top: visible to snapshots after it */
    CU_ASSERT(sdb_txn_subxact_begin(&a) == SDB_OK);
    SdbTid t_kept = insert_current(&f, &a);
    SdbXid kept = sdb_txn_current_xid(&a);
    CU_ASSERT(kept > inner);
    sdb_txn_take_snapshot(&r, f.arena);
    CU_ASSERT(!sees(&f, &r, t_kept));
    CU_ASSERT(sdb_txn_commit(&a, true) == SDB_OK);
    CU_ASSERT(!sees(&f, &r, t_kept)); /* r's snapshot still has it running */
    sdb_txn_take_snapshot(&r, f.arena);
    CU_ASSERT(sees(&f, &r, t_kept));
    CU_ASSERT(sdb_xact_status(f.db.xm, kept, &status, NULL, NULL) == SDB_OK && status == SDB_XACT_COMMITTED);
    sdb_txn_release(&a);
    sdb_txn_release(&r);
    fixture_close(&f);
}

/* A wait for another transaction's subtransaction is an edge to its top. */
static void test_subtransaction_deadlock(void)
{
    Fixture f;
    fixture_open(&f);
    SdbTxn a, b;
    txn_start(&f, &a, true);
    txn_start(&f, &b, false);
    CU_ASSERT(sdb_txn_subxact_begin(&b) == SDB_OK);
    SdbXid bsub;
    CU_ASSERT_FATAL(sdb_txn_assign_xid(&b, &bsub) == SDB_OK && bsub != b.xid);
    Waiter w = {.txn = &a, .holder = bsub};
    pthread_t thread;
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, wait_thread, &w) == 0);
    usleep(20000);
    CU_ASSERT(sdb_txn_wait(&b, a.xid) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DEADLOCK_DETECTED);
    /* rolling the subtransaction back ends a's wait */
    CU_ASSERT(sdb_txn_subxact_rollback(&b) == SDB_OK);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(w.rc, SDB_OK);
    CU_ASSERT(sdb_txn_abort(&b) == SDB_OK);
    CU_ASSERT(sdb_txn_commit(&a, true) == SDB_OK);
    sdb_txn_release(&a);
    sdb_txn_release(&b);
    fixture_close(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"other transactions", test_other_transactions},
        {"own changes and combo cids", test_own_changes},
        {"lock-only xmax and hint bits", test_lock_and_hints},
        {"waiting and deadlocks", test_wait_and_deadlock},
        {"subtransactions: xids, visibility, release, rollback, commit", test_subtransactions},
        {"waiting for a subtransaction", test_subtransaction_deadlock},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"txn", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
