/*
 * access/rowlock.c: row locks (SELECT ... FOR KEY SHARE / SHARE / NO KEY
 * UPDATE / UPDATE) and the row lock a writer takes while it sets a
 * version's xmax.
 *
 * Table locks (LOCK TABLE, a statement's implicit lock) are the lock
 * manager's relation locks, keyed by database and relation OID.
 *
 * Row locks live in the lock manager (txn/lmgr.h), keyed by the version's
 * relation file and tid, held by the locking (sub)transaction's xid until
 * it ends: any number of lockers in compatible modes (PostgreSQL's
 * MultiXact), all gone on a crash.  They never touch the heap.  A writer
 * (update, delete) takes its mode (FOR UPDATE for a delete or a change of
 * a unique index's column, else FOR NO KEY UPDATE) before it sets the
 * xmax and gives it back after, unless it held it already: so of a locker
 * and a writer racing for one version, one always sees the other (in the
 * lock table, or the writer's xmax, which lockers check after taking
 * their lock).
 */
#include "access/access_int.h"
#include "access/table.h"
#include "common/error.h"
#include "txn/lmgr.h"

static SdbLockTag row_tag(const SdbRelation *rel, SdbTid tid)
{
    return (SdbLockTag){.kind = SDB_LOCKTAG_TUPLE,
                        .db = rel->file.db_oid,
                        .rel = rel->file.rel_number,
                        .block = tid.block,
                        .slot = (uint16_t)tid.slot};
}

static int not_available(const SdbRelation *rel)
{
    return sdb_error(SDB_ERR_LOCK_NOT_AVAILABLE, "could not obtain lock on row in relation \"%s\"", rel->name);
}

int acc_row_write_begin(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, bool *transient)
{
    SdbLockTag tag = row_tag(rel, tid);
    bool acquired;
    SdbXid xid;
    if (sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK)
        return SDB_ERROR;
    *transient = !sdb_lock_held(ac->txn, &tag, mode);
    return sdb_lock_acquire(ac->txn, &tag, mode, SDB_LOCK_WAIT, &acquired);
}

void acc_row_write_end(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, bool transient)
{
    SdbLockTag tag = row_tag(rel, tid);
    if (transient)
        sdb_lock_release(ac->txn, &tag, mode);
}

int sdb_table_lock_row(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, SdbLockWaitPolicy policy,
                       bool *locked, SdbTid *newer)
{
    SdbLockTag tag = row_tag(rel, tid);
    *locked = false;
    if (newer != NULL)
        *newer = (SdbTid){.block = SDB_INVALID_BLOCK, .slot = 0};
    bool acquired;
    if (sdb_lock_acquire(ac->txn, &tag, mode, policy, &acquired) != SDB_OK)
        return SDB_ERROR;
    if (!acquired)
        return policy == SDB_LOCK_NOWAIT ? not_available(rel) : SDB_OK;
    /* Locked against other lockers; now a writer's xmax. */
    for (;;) {
        SdbHeapTupleHeader h;
        bool found;
        if (sdb_heap_fetch(ac->engine, rel->file, tid, &h, NULL, 0, &found) != SDB_OK)
            return SDB_ERROR;
        if (!found)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "tuple (%u,%u) of \"%s\" to lock is gone", tid.block, tid.slot,
                             rel->name);
        if (h.xmax == SDB_INVALID_XID || (h.infomask & (SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY))) {
            *locked = true;
            return SDB_OK;
        }
        if (h.xmax == ac->txn->xid)
            return SDB_OK; /* deleted or updated by this transaction: skip */
        SdbXactStatus status;
        if (sdb_txn_xid_status(ac->txn, h.xmax, &status, NULL) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_ABORTED) {
            *locked = true;
            return SDB_OK;
        }
        if (status == SDB_XACT_IN_PROGRESS) {
            if (policy == SDB_LOCK_NOWAIT)
                return not_available(rel);
            if (policy == SDB_LOCK_SKIP)
                return SDB_OK;
            if (sdb_txn_wait(ac->txn, h.xmax) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        /* Committed after the snapshot: deleted, or updated (READ
         * COMMITTED: the caller re-checks the newer version). */
        bool deleted = h.next.block == tid.block && h.next.slot == tid.slot;
        if (!ac->txn->xact_snapshot && (deleted || newer != NULL)) {
            if (!deleted)
                *newer = h.next;
            return SDB_OK;
        }
        return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "could not serialize access due to concurrent %s",
                         deleted ? "delete" : "update");
    }
}

int sdb_table_lock_relation(SdbAccessContext *ac, const SdbRelation *rel, int mode, bool nowait, bool implicit)
{
    SdbLockTag tag = {.kind = SDB_LOCKTAG_RELATION, .db = rel->file.db_oid, .rel = rel->oid};
    if (implicit)
        return sdb_lock_implicit(ac->txn, &tag, mode);
    bool acquired;
    if (sdb_lock_acquire(ac->txn, &tag, mode, nowait ? SDB_LOCK_NOWAIT : SDB_LOCK_WAIT, &acquired) != SDB_OK)
        return SDB_ERROR;
    if (!acquired)
        return sdb_error(SDB_ERR_LOCK_NOT_AVAILABLE, "could not obtain lock on relation \"%s\"", rel->name);
    return SDB_OK;
}

int sdb_table_lock(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, bool *locked, SdbTid *newer)
{
    return sdb_table_lock_row(ac, rel, tid, SDB_ROWLOCK_UPDATE, SDB_LOCK_WAIT, locked, newer);
}
