/*
 * txn/lmgr.h: the lock manager: heavyweight locks on relations (LOCK TABLE
 * and the implicit locks of statements, PostgreSQL's eight table lock
 * modes) and row locks (SELECT ... FOR KEY SHARE / SHARE / NO KEY UPDATE /
 * UPDATE, keyed by relation and tid), held by transaction ids until the
 * owner ends; and every wait of one transaction for another (lock waits
 * and sdb_txn_wait's waits for a transaction to end) in one wait-for graph
 * with PostgreSQL's timing: lock_timeout, and the deadlock check after
 * deadlock_timeout of waiting (40P01 for the waiter that finds the cycle).
 *
 * Everything is in memory, process-wide, so a crash or restart releases
 * every lock.  A holder whose xid is no longer running holds nothing (a
 * rolled-back subtransaction's locks go with its xid); sdb_lock_release_all
 * frees the entries at transaction end.
 */
#ifndef SDB_TXN_LMGR_H
#define SDB_TXN_LMGR_H

#include <stdbool.h>
#include <stdint.h>

#include "txn/txn.h"

/* PostgreSQL's table lock modes, its numbering (lockdefs.h). */
enum {
    SDB_LOCK_ACCESS_SHARE = 1,
    SDB_LOCK_ROW_SHARE,
    SDB_LOCK_ROW_EXCLUSIVE,
    SDB_LOCK_SHARE_UPDATE_EXCLUSIVE,
    SDB_LOCK_SHARE,
    SDB_LOCK_SHARE_ROW_EXCLUSIVE,
    SDB_LOCK_EXCLUSIVE,
    SDB_LOCK_ACCESS_EXCLUSIVE,
};

/* Row lock modes, weakest first (PostgreSQL's LockTupleMode + 1). */
enum {
    SDB_ROWLOCK_KEY_SHARE = 1,
    SDB_ROWLOCK_SHARE,
    SDB_ROWLOCK_NO_KEY_UPDATE,
    SDB_ROWLOCK_UPDATE,
};

typedef enum SdbLockTagKind { SDB_LOCKTAG_RELATION, SDB_LOCKTAG_TUPLE } SdbLockTagKind;

/* What is locked: a relation (db, rel) or one row version (db, rel, tid). */
typedef struct SdbLockTag {
    SdbLockTagKind kind;
    uint32_t db;
    uint32_t rel;
    uint32_t block; /* TUPLE only */
    uint16_t slot;  /* TUPLE only */
} SdbLockTag;

/* What to do when the lock is held by another transaction in a
 * conflicting mode. */
typedef enum SdbLockWaitPolicy {
    SDB_LOCK_WAIT,      /* wait (lock_timeout, deadlock check) */
    SDB_LOCK_NOWAIT,    /* *acquired = false at once (the caller's 55P03) */
    SDB_LOCK_SKIP,      /* same; SKIP LOCKED */
} SdbLockWaitPolicy;

/* Take `mode` on `tag` for txn (its xid is assigned if it has none) until
 * it ends.  Waits while another running transaction holds a conflicting
 * mode (a transaction never conflicts with itself).  SDB_OK with
 * *acquired false only under NOWAIT / SKIP.  Errors: 55P03 "canceling
 * statement due to lock timeout" (txn->lock_timeout_ms), 40P01 "deadlock
 * detected" with PostgreSQL's DETAIL, 57014 on cancel. */
int sdb_lock_acquire(SdbTxn *txn, const SdbLockTag *tag, int mode, SdbLockWaitPolicy policy, bool *acquired);

/* A statement's implicit table lock: with an xid, sdb_lock_acquire
 * (waiting); a transaction without one (a reader so far) only waits until
 * no other transaction holds a conflicting mode, taking nothing (so
 * read-only transactions never need an xid; LOCK TABLE ... IN ACCESS
 * EXCLUSIVE MODE still blocks them). */
int sdb_lock_implicit(SdbTxn *txn, const SdbLockTag *tag, int mode);

/* Whether another running transaction holds a mode on `tag` that
 * conflicts with `mode`; *holder gets one such xid (else
 * SDB_INVALID_XID).  For writers that check without taking a lock. */
bool sdb_lock_conflicts(SdbTxn *txn, const SdbLockTag *tag, int mode, SdbXid *holder);

/* Whether txn holds `mode` on `tag`. */
bool sdb_lock_held(SdbTxn *txn, const SdbLockTag *tag, int mode);

/* Give back `mode` on `tag` (a writer's transient row lock). */
void sdb_lock_release(SdbTxn *txn, const SdbLockTag *tag, int mode);

/* Free every lock `xid` holds (transaction end). */
void sdb_lock_release_all(SdbXactManager *xm, SdbXid xid);

/* Wait for transaction `xid` to end, as one edge of the wait-for graph
 * (sdb_txn_wait). */
int sdb_lock_wait_xid(SdbTxn *txn, SdbXid xid);

/* PostgreSQL's name of a mode ("AccessExclusiveLock", "FOR UPDATE"
 * modes as "ExclusiveLock" ...). */
const char *sdb_lock_mode_name(SdbLockTagKind kind, int mode);

/* One row of pg_locks: a held or awaited lock. */
typedef struct SdbLockInfo {
    SdbLockTag tag;
    SdbXid xid;
    int pid;
    int mode;
    bool granted;
} SdbLockInfo;

/* Up to `max` locks of `xm` into out[]; returns how many there are. */
int sdb_lock_list(SdbXactManager *xm, SdbLockInfo *out, int max);

#endif
