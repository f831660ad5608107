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

int sdb_txn_assign_xid(SdbTxn *txn, SdbXid *xid)
{
    if (txn->xid == SDB_INVALID_XID && sdb_xact_begin(txn->xm, &txn->xid) != SDB_OK)
        return SDB_ERROR;
    *xid = txn->xid;
    return SDB_OK;
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
    if (header->xmin != txn->xid || txn->xid == SDB_INVALID_XID) {
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
    if (h->xmax == txn->xid) {
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
        if (h->xmin == txn->xid && txn->xid != SDB_INVALID_XID) {
            /* Our own insert: seen from the next command on. */
            if (sdb_txn_cmin(txn, h) >= txn->cid)
                return SDB_OK;
            if (h->xmax == txn->xid && !(mask & SDB_HEAP_XMAX_LOCK_ONLY))
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

/* Who waits for whom, process-wide, for deadlock detection: each
 * transaction waits for at most one other at a time. */
typedef struct WaitEdge {
    const SdbXactManager *xm;
    SdbXid waiter, holder;
} WaitEdge;

#define MAX_WAITERS 1024
static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static WaitEdge waits[MAX_WAITERS];
static int nwaits;

/* Whom `xid` waits for, or SDB_INVALID_XID (under wait_lock). */
static SdbXid waits_for(const SdbXactManager *xm, SdbXid xid)
{
    for (int i = 0; i < nwaits; i++)
        if (waits[i].xm == xm && waits[i].waiter == xid)
            return waits[i].holder;
    return SDB_INVALID_XID;
}

/* Register waiter -> holder unless it closes a cycle. */
static int add_wait(const SdbXactManager *xm, SdbXid waiter, SdbXid holder)
{
    pthread_mutex_lock(&wait_lock);
    int steps = 0;
    for (SdbXid x = holder; x != SDB_INVALID_XID && steps <= nwaits; x = waits_for(xm, x), steps++) {
        if (x == waiter) {
            pthread_mutex_unlock(&wait_lock);
            sdb_error(SDB_ERR_DEADLOCK_DETECTED, "deadlock detected");
            sdb_error_detail("Transaction %llu waits for transaction %llu, which waits for it.",
                             (unsigned long long)waiter, (unsigned long long)holder);
            sdb_error_hint("See server log for query details.");
            return SDB_ERROR;
        }
    }
    if (nwaits == MAX_WAITERS) {
        pthread_mutex_unlock(&wait_lock);
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "too many transactions waiting");
    }
    waits[nwaits++] = (WaitEdge){.xm = xm, .waiter = waiter, .holder = holder};
    pthread_mutex_unlock(&wait_lock);
    return SDB_OK;
}

static void remove_wait(const SdbXactManager *xm, SdbXid waiter)
{
    pthread_mutex_lock(&wait_lock);
    for (int i = 0; i < nwaits; i++) {
        if (waits[i].xm == xm && waits[i].waiter == waiter) {
            waits[i] = waits[--nwaits];
            break;
        }
    }
    pthread_mutex_unlock(&wait_lock);
}

int sdb_txn_wait(SdbTxn *txn, SdbXid xid)
{
    /* Without an xid nobody can wait for us: no cycle, nothing to register. */
    bool registered = txn->xid != SDB_INVALID_XID;
    if (registered && add_wait(txn->xm, txn->xid, xid) != SDB_OK)
        return SDB_ERROR;
    long delay_us = 50;
    int rc = SDB_OK;
    while (sdb_xact_is_running(txn->xm, xid)) {
        if (txn->cancel != NULL && *txn->cancel) {
            rc = sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
            break;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = delay_us * 1000};
        nanosleep(&ts, NULL);
        if (delay_us < 10000)
            delay_us *= 2;
    }
    if (registered)
        remove_wait(txn->xm, txn->xid);
    return rc;
}

void sdb_txn_release(SdbTxn *txn)
{
    sdb_free(txn->combos);
    txn->combos = NULL;
    txn->ncombos = txn->combos_cap = 0;
    txn->cached_xid = SDB_INVALID_XID;
    sdb_txn_snapshot_unregister(txn);
}
