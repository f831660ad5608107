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

#include "common/memory.h"
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

/* Combo command ids (PostgreSQL's combocid).  A tuple has room for one
 * cid; when this transaction deletes, updates or locks a tuple it inserted
 * itself, both command ids matter, so the tuple gets
 * SDB_TXN_COMBO_CID | i, i indexing combos[] below.  Commands are
 * therefore limited to 2^31 per transaction. */
#define SDB_TXN_COMBO_CID 0x80000000u
typedef struct SdbComboCid {
    SdbCid cmin; /* inserting command */
    SdbCid cmax; /* deleting (or locking) command */
} SdbComboCid;

/* Zero-initialize, then set xm, cid (0 for the first command), snapshot
 * and start.  Call sdb_txn_release when the transaction ends. */
typedef struct SdbTxn {
    SdbXactManager *xm;
    SdbXid xid;           /* SDB_INVALID_XID until the first write (sdb_txn_assign_xid) */
    SdbCid cid;           /* current command: versions with cid >= this, written by us, are not seen yet */
    SdbSnapshot snapshot; /* taken per statement (READ COMMITTED) or once (REPEATABLE READ and above) */
    SdbTimestamp start;   /* transaction start, what now() returns */
    bool read_only;
    bool xact_snapshot;   /* REPEATABLE READ or SERIALIZABLE (one snapshot); false: READ COMMITTED */
    volatile int *cancel; /* optional: non-zero stops sdb_txn_wait with 57014 (the session's cancel flag) */
    uint32_t catalog_changes; /* changes of the catalog cache's pending set (sdb_cat_refresh counts
                                 them): savepoints cannot roll those back yet */
    int pid;                 /* the session's process id (deadlock DETAIL, pg_locks); 0 if none */
    int64_t lock_timeout_ms;     /* lock_timeout: 0 = wait without limit */
    int64_t deadlock_timeout_ms; /* deadlock_timeout: 0 = check for a deadlock at once */
    /* Private to txn.c: */
    SdbComboCid *combos;  /* malloc'd; freed by sdb_txn_release */
    uint32_t ncombos, combos_cap;
    SdbXid cached_xid;    /* one-entry cache of a final (hintable) status */
    SdbXactStatus cached_status;
    /* Subtransactions (savepoints), private to txn.c, malloc'd: */
    SdbXid *subxids;      /* this transaction's live (not rolled back) subtransaction xids, ascending */
    uint32_t nsubxids, subxids_cap;
    SdbXid *levels;       /* xid of each open subtransaction, outermost first (SDB_INVALID_XID before its first write) */
    uint32_t nlevels, levels_cap;
    int snap_slot;        /* snapreg.c: 1 + the registry entry of the current snapshot, 0 when none */
} SdbTxn;

/* The xid writes go under, assigned on first use: the top transaction's
 * (txn->xid, sdb_xact_begin) outside subtransactions, else the innermost
 * open subtransaction's (sdb_xact_begin_sub; its parents get theirs first,
 * so a child's xid is always above its parent's). */
int sdb_txn_assign_xid(SdbTxn *txn, SdbXid *xid);

/* The xid writes go under now (see sdb_txn_assign_xid) or SDB_INVALID_XID
 * when it has not been assigned yet. */
SdbXid sdb_txn_current_xid(const SdbTxn *txn);

/* Whether `xid` is this transaction's: its top xid or the xid of one of its
 * subtransactions that was not rolled back.  Every "is this mine?" test
 * (visibility of own changes, updating own rows, combo cids) uses it. */
bool sdb_txn_is_own_xid(const SdbTxn *txn, SdbXid xid);

/* Subtransactions (PostgreSQL's SAVEPOINT machinery).  Begin opens a new
 * innermost one (its xid comes with its first write).  Release ends the
 * innermost one keeping its changes: its xids (and its released children's)
 * stay this transaction's and commit or abort with the top.  Rollback ends
 * the innermost one undoing its changes: its xids and its children's are
 * aborted with one abort record (no flush) and are no longer this
 * transaction's, so rows they locked are free and rows they wrote are dead;
 * on a WAL error the xids are aborted all the same and the error returned.
 * Depth is the number of open subtransactions. */
int sdb_txn_subxact_begin(SdbTxn *txn);
void sdb_txn_subxact_release(SdbTxn *txn);
int sdb_txn_subxact_rollback(SdbTxn *txn);
uint32_t sdb_txn_subxact_depth(const SdbTxn *txn);

/* End the transaction with its live subtransactions (open ones included):
 * commit (sdb_xact_commit_tree, synchronous as there) or abort
 * (sdb_xact_abort_tree).  Nothing to do when no xid was assigned. */
int sdb_txn_commit(SdbTxn *txn, bool synchronous);
int sdb_txn_abort(SdbTxn *txn);

/* Take a new snapshot into txn->snapshot (xip allocated in `arena`). */
int sdb_txn_take_snapshot(SdbTxn *txn, SdbArena *arena);

/* Whether the tuple version with `header` is visible to txn's snapshot and
 * command; SDB_OK with *visible set, or SDB_ERROR (clog read failed). */
int sdb_txn_tuple_visible(SdbTxn *txn, const SdbHeapTupleHeader *header, bool *visible);

/* Same, and *hints gets the hint bits (SDB_HEAP_HINT_MASK) learned from the
 * commit log that the header lacks: the caller records them with
 * sdb_heap_set_hints (0: nothing to record). */
int sdb_txn_tuple_visible_hints(SdbTxn *txn, const SdbHeapTupleHeader *header, bool *visible, uint16_t *hints);

/* The status of `xid` (through the one-entry cache); *hintable as in
 * sdb_xact_status (may be NULL). */
int sdb_txn_xid_status(SdbTxn *txn, SdbXid xid, SdbXactStatus *status, bool *hintable);

/* The inserting command of a tuple this transaction inserted (decoding a
 * combo cid). */
SdbCid sdb_txn_cmin(const SdbTxn *txn, const SdbHeapTupleHeader *header);

/* The cid to store when this transaction, at its current command, sets
 * the xmax of a tuple with `header` (delete, update, lock): txn->cid, or a
 * combo cid when the tuple was inserted by this transaction.  53200. */
int sdb_txn_cid_for_xmax(SdbTxn *txn, const SdbHeapTupleHeader *header, SdbCid *cid);

/* Wait until transaction `xid` (another one, found in a tuple) is no longer
 * running (a subtransaction: until it is rolled back or its top ends).  The
 * wait-for graph has top transactions only.  40P01 "deadlock detected" when xid waits, directly or through
 * others, for this transaction; 57014 when *txn->cancel becomes non-zero. */
int sdb_txn_wait(SdbTxn *txn, SdbXid xid);

/* ---- snapshot registry (snapreg.c) --------------------------------------
 * sdb_txn_take_snapshot registers the snapshot's xmin; sdb_txn_release
 * unregisters it.  Vacuum reads the horizon: the lowest xmin any
 * registered snapshot or running transaction may still need (a version
 * deleted by a committed xid below it is dead to everyone), and a sequence
 * number: sdb_txn_snapshots_newer_than(xm, seq) is true once every snapshot
 * registered (or retaken) before the horizon call has gone, so no scan that
 * started before then is still running.  `self` (may be NULL): a
 * transaction whose own snapshot is left out (VACUUM's). */
int sdb_txn_snapshot_register(SdbTxn *txn);
void sdb_txn_snapshot_set_xmin(SdbTxn *txn, SdbXid xmin);
void sdb_txn_snapshot_unregister(SdbTxn *txn);
SdbXid sdb_txn_vacuum_horizon(SdbXactManager *xm, uint64_t *seq, const SdbTxn *self);
bool sdb_txn_snapshots_newer_than(SdbXactManager *xm, uint64_t seq, const SdbTxn *self);

/* Free what the transaction holds (combo cids, subtransaction lists,
 * its snapshot's registry entry); call at its end.  The
 * struct may then be reused after zeroing. */
void sdb_txn_release(SdbTxn *txn);

#endif /* SDB_TXN_TXN_H */
