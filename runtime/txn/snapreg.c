/*
 * txn/snapreg.c: the registry of live snapshots (PostgreSQL's ProcArray
 * xmin): which xmin each transaction's current snapshot still needs, so
 * vacuum can compute the horizon below which deleted versions are dead to
 * everyone, and a sequence number per snapshot so vacuum can wait until
 * every snapshot (and so every scan) older than a point in time is gone.
 * Process-wide; entries are keyed by transaction manager.
 */
#include "txn/txn.h"

#include <pthread.h>
#include <stdint.h>

#include "common/error.h"
#include "common/memory.h"

typedef struct SnapEntry {
    SdbXactManager *xm; /* NULL: free */
    SdbXid xmin;
    uint64_t seq;
} SnapEntry;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static SnapEntry *entries;
static int nentries;
static uint64_t next_seq = 1;

/* A free entry's index, growing the table when needed; -1 on 53200. */
static int find_free(void)
{
    for (int i = 0; i < nentries; i++)
        if (entries[i].xm == NULL)
            return i;
    int grown = nentries == 0 ? 16 : nentries * 2;
    SnapEntry *e = sdb_realloc(entries, (size_t)grown * sizeof *e);
    if (e == NULL)
        return -1;
    for (int i = nentries; i < grown; i++)
        e[i].xm = NULL;
    entries = e;
    int slot = nentries;
    nentries = grown;
    return slot;
}

int sdb_txn_snapshot_register(SdbTxn *txn)
{
    /* The oldest running xid read now bounds the xmin of the snapshot about
     * to be taken, so a horizon computed in between never passes it. */
    SdbXid bound = sdb_xact_oldest_running(txn->xm);
    pthread_mutex_lock(&reg_lock);
    int slot = txn->snap_slot - 1;
    if (slot < 0) {
        slot = find_free();
        if (slot < 0) {
            pthread_mutex_unlock(&reg_lock);
            return SDB_ERROR;
        }
        txn->snap_slot = slot + 1;
    }
    entries[slot] = (SnapEntry){.xm = txn->xm, .xmin = bound, .seq = next_seq++};
    pthread_mutex_unlock(&reg_lock);
    return SDB_OK;
}

void sdb_txn_snapshot_set_xmin(SdbTxn *txn, SdbXid xmin)
{
    pthread_mutex_lock(&reg_lock);
    if (txn->snap_slot > 0 && xmin > entries[txn->snap_slot - 1].xmin)
        entries[txn->snap_slot - 1].xmin = xmin;
    pthread_mutex_unlock(&reg_lock);
}

void sdb_txn_snapshot_unregister(SdbTxn *txn)
{
    if (txn->snap_slot <= 0)
        return;
    pthread_mutex_lock(&reg_lock);
    entries[txn->snap_slot - 1].xm = NULL;
    pthread_mutex_unlock(&reg_lock);
    txn->snap_slot = 0;
}

SdbXid sdb_txn_vacuum_horizon(SdbXactManager *xm, uint64_t *seq, const SdbTxn *self)
{
    int own = self != NULL ? self->snap_slot - 1 : -1;
    SdbXid horizon = sdb_xact_oldest_running(xm); /* read before the registry: see register */
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < nentries; i++)
        if (i != own && entries[i].xm == xm && entries[i].xmin < horizon)
            horizon = entries[i].xmin;
    if (seq != NULL)
        *seq = next_seq;
    pthread_mutex_unlock(&reg_lock);
    return horizon;
}

bool sdb_txn_snapshots_newer_than(SdbXactManager *xm, uint64_t seq, const SdbTxn *self)
{
    int own = self != NULL ? self->snap_slot - 1 : -1;
    bool newer = true;
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < nentries && newer; i++)
        newer = i == own || entries[i].xm != xm || entries[i].seq >= seq;
    pthread_mutex_unlock(&reg_lock);
    return newer;
}
