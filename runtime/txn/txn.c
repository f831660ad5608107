/*
 * txn/txn.c: a statement's view of its transaction (txn.h): xid assignment,
 * snapshots, MVCC visibility of heap tuple versions (PostgreSQL's
 * HeapTupleSatisfiesMVCC), combo command ids, and waiting for another
 * transaction with deadlock detection.
 */
#include "txn/txn.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "common/error.h"
#include "common/memory.h"
#include "txn/lmgr.h"

/* Make room for one more element in a malloc'd array. */
static int grow(void **array, uint32_t count, uint32_t *cap, size_t elem)
{
    if (count < *cap)
        return SDB_OK;
    uint32_t n = *cap ? *cap * 2 : 8;
    void *grown = sdb_realloc(*array, n * elem);
    if (grown == NULL)
        return SDB_ERROR;
    *array = grown;
    *cap = n;
    return SDB_OK;
}

int sdb_txn_assign_xid(SdbTxn *txn, SdbXid *xid)
{
    if (txn->xid == SDB_INVALID_XID && sdb_xact_begin(txn->xm, &txn->xid) != SDB_OK)
        return SDB_ERROR;
    for (uint32_t i = 0; i < txn->nlevels; i++) {
        if (txn->levels[i] != SDB_INVALID_XID)
            continue;
        SdbXid sub;
        if (grow((void **)&txn->subxids, txn->nsubxids, &txn->subxids_cap, sizeof *txn->subxids) != SDB_OK ||
            sdb_xact_begin_sub(txn->xm, txn->xid, &sub) != SDB_OK)
            return SDB_ERROR;
        txn->levels[i] = sub;
        txn->subxids[txn->nsubxids++] = sub;
    }
    *xid = sdb_txn_current_xid(txn);
    return SDB_OK;
}

SdbXid sdb_txn_current_xid(const SdbTxn *txn)
{
    return txn->nlevels > 0 ? txn->levels[txn->nlevels - 1] : txn->xid;
}

/* Where xid is (or would go) in the ascending subxids[]. */
static uint32_t subxid_position(const SdbTxn *txn, SdbXid xid)
{
    uint32_t lo = 0, hi = txn->nsubxids;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (txn->subxids[mid] < xid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool sdb_txn_is_own_xid(const SdbTxn *txn, SdbXid xid)
{
    if (xid == SDB_INVALID_XID)
        return false;
    if (xid == txn->xid)
        return true;
    if (txn->nsubxids == 0 || xid < txn->subxids[0])
        return false;
    uint32_t i = subxid_position(txn, xid);
    return i < txn->nsubxids && txn->subxids[i] == xid;
}

int sdb_txn_subxact_begin(SdbTxn *txn)
{
    if (grow((void **)&txn->levels, txn->nlevels, &txn->levels_cap, sizeof *txn->levels) != SDB_OK)
        return SDB_ERROR;
    txn->levels[txn->nlevels++] = SDB_INVALID_XID;
    return SDB_OK;
}

void sdb_txn_subxact_release(SdbTxn *txn)
{
    if (txn->nlevels > 0)
        txn->nlevels--;
}

int sdb_txn_subxact_rollback(SdbTxn *txn)
{
    if (txn->nlevels == 0)
        return SDB_OK;
    SdbXid xid = txn->levels[--txn->nlevels];
    if (xid == SDB_INVALID_XID)
        return SDB_OK;
    /* Parents get their xids before their children, so the xids of this
     * subtransaction and its children are xid and everything after it. */
    uint32_t first = subxid_position(txn, xid);
    uint32_t n = txn->nsubxids - first;
    txn->nsubxids = first;
    txn->cached_xid = SDB_INVALID_XID;
    int rc = sdb_xact_abort_tree(txn->xm, xid, txn->subxids + first + 1, (int)n - 1);
    for (uint32_t i = first; i < first + n; i++) /* their locks go with them */
        sdb_lock_release_all(txn->xm, txn->subxids[i]);
    return rc;
}

uint32_t sdb_txn_subxact_depth(const SdbTxn *txn)
{
    return txn->nlevels;
}

/* The transaction has ended: the locks of its xid and its subtransactions'
 * go (lmgr.c). */
static void release_locks(SdbTxn *txn)
{
    sdb_lock_release_all(txn->xm, txn->xid);
    for (uint32_t i = 0; i < txn->nsubxids; i++)
        sdb_lock_release_all(txn->xm, txn->subxids[i]);
}

int sdb_txn_commit(SdbTxn *txn, bool synchronous)
{
    if (txn->xid == SDB_INVALID_XID)
        return SDB_OK;
    int rc = sdb_xact_commit_tree(txn->xm, txn->xid, txn->subxids, (int)txn->nsubxids, synchronous, NULL);
    release_locks(txn);
    return rc;
}

int sdb_txn_abort(SdbTxn *txn)
{
    if (txn->xid == SDB_INVALID_XID)
        return SDB_OK;
    int rc = sdb_xact_abort_tree(txn->xm, txn->xid, txn->subxids, (int)txn->nsubxids);
    release_locks(txn);
    return rc;
}

int sdb_txn_take_snapshot(SdbTxn *txn, SdbArena *arena)
{
    SdbSnapshot *s = &txn->snapshot;
    if (sdb_txn_snapshot_register(txn) != SDB_OK ||
        sdb_xact_running_xids(txn->xm, arena, &s->xmin, &s->xmax, &s->xip, &s->nxip) != SDB_OK)
        return SDB_ERROR;
    sdb_txn_snapshot_set_xmin(txn, s->xmin);
    return SDB_OK;
}

/* Whether `xid` was running (or not started) when the snapshot was taken,
 * i.e. its outcome is not seen even if it committed since. */
static bool xid_in_snapshot(const SdbSnapshot *s, SdbXid xid)
{
    if (xid < s->xmin)
        return false;
    if (xid >= s->xmax)
        return true;
    int lo = 0, hi = s->nxip - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->xip[mid] == xid)
            return true;
        if (s->xip[mid] < xid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

int sdb_txn_xid_status(SdbTxn *txn, SdbXid xid, SdbXactStatus *status, bool *hintable)
{
    if (xid == txn->cached_xid && xid != SDB_INVALID_XID) {
        *status = txn->cached_status;
        if (hintable != NULL)
            *hintable = true;
        return SDB_OK;
    }
    bool final;
    if (sdb_xact_status(txn->xm, xid, status, NULL, &final) != SDB_OK)
        return SDB_ERROR;
    if (final) {
        txn->cached_xid = xid;
        txn->cached_status = *status;
    }
    if (hintable != NULL)
        *hintable = final;
    return SDB_OK;
}

SdbCid sdb_txn_cmin(const SdbTxn *txn, const SdbHeapTupleHeader *header)
{
    if ((header->cid & SDB_TXN_COMBO_CID) && (header->cid & ~SDB_TXN_COMBO_CID) < txn->ncombos)
        return txn->combos[header->cid & ~SDB_TXN_COMBO_CID].cmin;
    return header->cid;
}

/* The deleting command of a tuple whose xmax is this transaction. */
static SdbCid txn_cmax(const SdbTxn *txn, const SdbHeapTupleHeader *header)
{
    if ((header->cid & SDB_TXN_COMBO_CID) && (header->cid & ~SDB_TXN_COMBO_CID) < txn->ncombos)
        return txn->combos[header->cid & ~SDB_TXN_COMBO_CID].cmax;
    return header->cid;
}

int sdb_txn_cid_for_xmax(SdbTxn *txn, const SdbHeapTupleHeader *header, SdbCid *cid)
{
    if (!sdb_txn_is_own_xid(txn, header->xmin)) {
        *cid = txn->cid;
        return SDB_OK;
    }
    SdbComboCid combo = {.cmin = sdb_txn_cmin(txn, header), .cmax = txn->cid};
    /* Rows changed by one statement mostly share their pair: look at the
     * last few before adding one (duplicates are harmless). */
    for (uint32_t i = txn->ncombos, seen = 0; i > 0 && seen < 8; i--, seen++) {
        if (txn->combos[i - 1].cmin == combo.cmin && txn->combos[i - 1].cmax == combo.cmax) {
            *cid = SDB_TXN_COMBO_CID | (i - 1);
            return SDB_OK;
        }
    }
    if (txn->ncombos == txn->combos_cap) {
        if (txn->combos_cap >= SDB_TXN_COMBO_CID / 2)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "cannot have more than 2^31 combo command ids");
        uint32_t cap = txn->combos_cap ? txn->combos_cap * 2 : 16;
        SdbComboCid *grown = sdb_realloc(txn->combos, cap * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        txn->combos = grown;
        txn->combos_cap = cap;
    }
    txn->combos[txn->ncombos] = combo;
    *cid = SDB_TXN_COMBO_CID | txn->ncombos++;
    return SDB_OK;
}

/* The deleting side of a tuple whose insert is visible: whether the tuple
 * is still visible (its deletion is not). */
static int xmax_visible(SdbTxn *txn, const SdbHeapTupleHeader *h, bool *visible, uint16_t *hints)
{
    uint16_t mask = h->infomask;
    if (h->xmax == SDB_INVALID_XID || (mask & (SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY))) {
        *visible = true;
        return SDB_OK;
    }
    if (sdb_txn_is_own_xid(txn, h->xmax)) {
        *visible = txn_cmax(txn, h) >= txn->cid;
        return SDB_OK;
    }
    if (!(mask & SDB_HEAP_XMAX_COMMITTED)) {
        SdbXactStatus status;
        bool hintable;
        if (sdb_txn_xid_status(txn, h->xmax, &status, &hintable) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_IN_PROGRESS) {
            *visible = true;
            return SDB_OK;
        }
        if (status == SDB_XACT_ABORTED) {
            *hints |= SDB_HEAP_XMAX_ABORTED;
            *visible = true;
            return SDB_OK;
        }
        if (hintable)
            *hints |= SDB_HEAP_XMAX_COMMITTED;
    }
    /* The deleter committed: the deletion counts unless it was running
     * when the snapshot was taken. */
    *visible = xid_in_snapshot(&txn->snapshot, h->xmax);
    return SDB_OK;
}

int sdb_txn_tuple_visible_hints(SdbTxn *txn, const SdbHeapTupleHeader *h, bool *visible, uint16_t *hints)
{
    uint16_t mask = h->infomask;
    *hints = 0;
    *visible = false;
    if (mask & SDB_HEAP_XMIN_ABORTED)
        return SDB_OK;
    if (!(mask & SDB_HEAP_XMIN_COMMITTED)) {
        if (sdb_txn_is_own_xid(txn, h->xmin)) {
            /* Our own insert: seen from the next command on. */
            if (sdb_txn_cmin(txn, h) >= txn->cid)
                return SDB_OK;
            if (sdb_txn_is_own_xid(txn, h->xmax) && !(mask & SDB_HEAP_XMAX_LOCK_ONLY))
                *visible = txn_cmax(txn, h) >= txn->cid;
            else
                *visible = true; /* nobody else can delete a row only we see */
            return SDB_OK;
        }
        if (xid_in_snapshot(&txn->snapshot, h->xmin))
            return SDB_OK;
        SdbXactStatus status;
        bool hintable;
        if (sdb_txn_xid_status(txn, h->xmin, &status, &hintable) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_IN_PROGRESS)
            return SDB_OK; /* in doubt: finished after the snapshot per the table, not per the clog */
        if (status == SDB_XACT_ABORTED) {
            *hints = SDB_HEAP_XMIN_ABORTED;
            return SDB_OK;
        }
        if (hintable)
            *hints = SDB_HEAP_XMIN_COMMITTED;
    } else if (xid_in_snapshot(&txn->snapshot, h->xmin)) {
        return SDB_OK;
    }
    return xmax_visible(txn, h, visible, hints);
}

int sdb_txn_tuple_visible(SdbTxn *txn, const SdbHeapTupleHeader *header, bool *visible)
{
    uint16_t hints;
    return sdb_txn_tuple_visible_hints(txn, header, visible, &hints);
}

/* ---- waiting ------------------------------------------------------------- */

/* The wait-for graph, lock_timeout and deadlock_timeout are the lock
 * manager's (lmgr.c). */
int sdb_txn_wait(SdbTxn *txn, SdbXid xid)
{
    return sdb_lock_wait_xid(txn, xid);
}

void sdb_txn_release(SdbTxn *txn)
{
    sdb_free(txn->combos);
    txn->combos = NULL;
    txn->ncombos = txn->combos_cap = 0;
    sdb_free(txn->subxids);
    txn->subxids = NULL;
    txn->nsubxids = txn->subxids_cap = 0;
    sdb_free(txn->levels);
    txn->levels = NULL;
    txn->nlevels = txn->levels_cap = 0;
    txn->cached_xid = SDB_INVALID_XID;
    sdb_txn_snapshot_unregister(txn);
}
