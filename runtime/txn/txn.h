/*
 * txn/txn.h: a statement's view of its transaction: the transaction id (given
 * out at the first write), the command counter, and the snapshot that says
 * which tuple versions it sees.  runtime/session begins and ends
 * transactions; runtime/access reads and writes tuples through an SdbTxn.
 *
 * Visibility (sdb_txn_tuple_visible) follows PostgreSQL's MVCC rules for
 * READ COMMITTED / REPEATABLE READ snapshots: a version is visible when its
 * inserter committed before the snapshot (or is this transaction at an
 * earlier command) and its deleter did not.
 */
#ifndef SDB_TXN_TXN_H
#define SDB_TXN_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/heap.h"
#include "storage/types.h"
#include "txn/xact.h"

/* Which transactions a snapshot treats as finished: every xid < xmin that
 * committed; none >= xmax; those in between that committed and are not in
 * xip[] (running when the snapshot was taken). */
typedef struct SdbSnapshot {
    SdbXid xmin;
    SdbXid xmax;
    int nxip;
    SdbXid *xip;
} SdbSnapshot;

typedef struct SdbTxn {
    SdbXactManager *xm;
    SdbXid xid;           /* SDB_INVALID_XID until the first write (sdb_txn_assign_xid) */
    SdbCid cid;           /* current command: versions with cid >= this, written by us, are not seen yet */
    SdbSnapshot snapshot; /* taken per statement (READ COMMITTED) or once (REPEATABLE READ and above) */
    SdbTimestamp start;   /* transaction start, what now() returns */
    bool read_only;
} SdbTxn;

/* This transaction's xid, assigned (sdb_xact_begin) on first use. */
int sdb_txn_assign_xid(SdbTxn *txn, SdbXid *xid);

/* Take a new snapshot into txn->snapshot (xip allocated in `arena`). */
int sdb_txn_take_snapshot(SdbTxn *txn, SdbArena *arena);

/* Whether the tuple version with `header` is visible to txn's snapshot and
 * command; SDB_OK with *visible set, or SDB_ERROR (clog read failed). */
int sdb_txn_tuple_visible(SdbTxn *txn, const SdbHeapTupleHeader *header, bool *visible);

#endif /* SDB_TXN_TXN_H */
