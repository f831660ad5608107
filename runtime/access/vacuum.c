/*
 * access/vacuum.c: VACUUM of one table (vacuum.h), PostgreSQL's lazy
 * vacuum without a visibility map: find the dead versions with a heap
 * scan, prune them from their pages (PRUNE record, slots kept DEAD), bulk
 * delete the index entries pointing at DEAD slots by scanning each index,
 * wait briefly until no scan that may still hold such a tid is running,
 * then free the slots; the toast relation is pruned the same way (no index
 * points into it, so its slots are freed at once).
 */
#include "access/vacuum.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access_int.h"
#include "common/error.h"
#include "common/memory.h"
#include "storage/btree.h"
#include "storage/heap.h"
#include "storage/page.h"

#define FREE_WAIT_MS 1000

/* One VACUUM at a time in the process: two could otherwise free a slot,
 * see it reused, and delete the new version's index entry. */
static pthread_mutex_t vacuum_lock = PTHREAD_MUTEX_INITIALIZER; /* longest wait for older scans before leaving slots DEAD */

/* A dead version found by the scan, with the header fields it had then. */
typedef struct DeadTuple {
    SdbTid tid;
    SdbXid xmin, xmax;
} DeadTuple;

/* A growing array of T in an arena. */
typedef struct TidList {
    SdbTid *tids;
    size_t n, cap;
} TidList;

typedef struct DeadList {
    DeadTuple *items;
    size_t n, cap;
} DeadList;

static int grow(SdbArena *arena, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return SDB_OK;
    size_t grown = *cap == 0 ? 256 : *cap * 2;
    void *p = sdb_arena_realloc(arena, *items, *cap * size, grown * size);
    if (p == NULL)
        return SDB_ERROR;
    *items = p;
    *cap = grown;
    return SDB_OK;
}

/* Whether xid finished as `want` (hint bit `hint` short-cuts the clog). */
static int xid_is(SdbXactManager *xm, SdbXid xid, uint16_t infomask, uint16_t hint, SdbXactStatus want, bool *is)
{
    if (infomask & hint) {
        *is = true;
        return SDB_OK;
    }
    SdbXactStatus status;
    if (sdb_xact_status(xm, xid, &status, NULL, NULL) != SDB_OK)
        return SDB_ERROR;
    *is = status == want;
    return SDB_OK;
}

/* Whether the version is dead to every transaction: inserted by an aborted
 * one, or deleted (not just locked) by one that committed below `horizon`.
 * *live: it is visible to snapshots from now on (counted as reltuples). */
static int version_dead(SdbXactManager *xm, const SdbHeapTupleHeader *h, SdbXid horizon, bool *dead, bool *live)
{
    bool aborted, committed;
    *dead = *live = false;
    if (xid_is(xm, h->xmin, h->infomask, SDB_HEAP_XMIN_ABORTED, SDB_XACT_ABORTED, &aborted) != SDB_OK)
        return SDB_ERROR;
    if (aborted) {
        *dead = true;
        return SDB_OK;
    }
    bool deleter = h->xmax != SDB_INVALID_XID && !(h->infomask & (SDB_HEAP_XMAX_LOCK_ONLY | SDB_HEAP_XMAX_ABORTED));
    if (deleter && xid_is(xm, h->xmax, h->infomask, SDB_HEAP_XMAX_COMMITTED, SDB_XACT_COMMITTED, &committed) != SDB_OK)
        return SDB_ERROR;
    if (!deleter || !committed) {
        *live = true;
        return SDB_OK;
    }
    *dead = h->xmax < horizon;
    return SDB_OK;
}

/* The scan: every dead version of `file`, in tid order. */
static int find_dead(SdbAccessContext *ac, SdbRelFileId file, SdbXid horizon, SdbArena *arena, DeadList *dead,
                     SdbVacuumInfo *info)
{
    SdbHeapScan *scan = sdb_heap_scan_begin(ac->engine, file);
    if (scan == NULL)
        return SDB_ERROR;
    SdbHeapTuple batch[64];
    size_t count;
    int rc;
    while ((rc = sdb_heap_scan_batch(scan, batch, 64, &count)) == SDB_OK && count > 0) {
        for (size_t i = 0; i < count && rc == SDB_OK; i++) {
            bool is_dead, live;
            rc = version_dead(ac->txn->xm, &batch[i].header, horizon, &is_dead, &live);
            if (rc != SDB_OK)
                break;
            if (live)
                info->live++;
            else if (!is_dead)
                info->dead_left++;
            if (!is_dead)
                continue;
            rc = grow(arena, (void **)&dead->items, &dead->cap, dead->n, sizeof(DeadTuple));
            if (rc == SDB_OK)
                dead->items[dead->n++] =
                    (DeadTuple){.tid = batch[i].tid, .xmin = batch[i].header.xmin, .xmax = batch[i].header.xmax};
        }
        if (rc != SDB_OK)
            break;
    }
    sdb_heap_scan_end(scan);
    return rc;
}

/* sdb_heap_prune's predicate: the version is one the scan found dead on
 * this block and still has the same inserter and deleter. */
typedef struct BlockDead {
    const DeadTuple *items;
    size_t n;
} BlockDead;

static bool listed_dead(void *arg, SdbTid tid, const SdbHeapTupleHeader *header, const uint8_t *payload)
{
    (void)payload;
    const BlockDead *bd = arg;
    for (size_t i = 0; i < bd->n; i++)
        if (bd->items[i].tid.slot == tid.slot)
            return bd->items[i].xmin == header->xmin && bd->items[i].xmax == header->xmax;
    return false;
}

/* Prune every block of `file` (dead versions from `dead`); with
 * `keep_slots`, collect every DEAD slot (also ones left by an earlier
 * VACUUM) into `slots`. */
static int prune_all(SdbAccessContext *ac, SdbRelFileId file, const DeadList *dead, bool keep_slots,
                     SdbArena *arena, TidList *slots, uint64_t *removed)
{
    SdbBlockNo nblocks;
    if (sdb_heap_nblocks(ac->engine, file, &nblocks) != SDB_OK)
        return SDB_ERROR;
    uint16_t found[SDB_PAGE_MAX_SIZE / SDB_PAGE_SLOT_SIZE];
    size_t next = 0;
    for (SdbBlockNo block = 0; block < nblocks; block++) {
        BlockDead bd = {.items = dead->items + next, .n = 0};
        while (next < dead->n && dead->items[next].tid.block == block) {
            next++;
            bd.n++;
        }
        uint32_t n = 0;
        if (bd.n > 0 && sdb_heap_prune(ac->engine, file, block, listed_dead, &bd, keep_slots, &n) != SDB_OK)
            return SDB_ERROR;
        *removed += n;
        if (!keep_slots)
            continue;
        size_t nfound;
        if (sdb_heap_dead_slots(ac->engine, file, block, found, sizeof found / sizeof found[0], &nfound) != SDB_OK)
            return SDB_ERROR;
        for (size_t i = 0; i < nfound; i++) {
            if (grow(arena, (void **)&slots->tids, &slots->cap, slots->n, sizeof(SdbTid)) != SDB_OK)
                return SDB_ERROR;
            slots->tids[slots->n++] = (SdbTid){.block = block, .slot = found[i]};
        }
    }
    return SDB_OK;
}

static int tid_cmp(const void *a, const void *b)
{
    const SdbTid *x = a, *y = b;
    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

/* An index entry to delete (key copied). */
typedef struct IndexEntry {
    uint8_t *key;
    size_t key_len;
    SdbTid tid;
} IndexEntry;

/* Remove the entries of `index` that point at a tid of `slots` (sorted). */
static int bulk_delete(SdbAccessContext *ac, SdbRelFileId index, const TidList *slots, SdbArena *arena,
                       uint64_t *removed)
{
    SdbBtree *bt = sdb_btree_open(ac->engine, index);
    if (bt == NULL)
        return SDB_ERROR;
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, NULL, NULL, SDB_BTREE_FORWARD);
    if (scan == NULL) {
        sdb_btree_close(bt);
        return SDB_ERROR;
    }
    IndexEntry *doomed = NULL;
    size_t n = 0, cap = 0;
    SdbBtreeEntry e;
    int rc;
    while ((rc = sdb_btree_scan_next(scan, &e)) == SDB_OK) {
        if (bsearch(&e.tid, slots->tids, slots->n, sizeof(SdbTid), tid_cmp) == NULL)
            continue;
        uint8_t *key = sdb_arena_alloc(arena, e.key_len > 0 ? e.key_len : 1);
        if (key == NULL || grow(arena, (void **)&doomed, &cap, n, sizeof(IndexEntry)) != SDB_OK) {
            rc = SDB_ERROR;
            break;
        }
        memcpy(key, e.key, e.key_len);
        doomed[n++] = (IndexEntry){.key = key, .key_len = e.key_len, .tid = e.tid};
    }
    sdb_btree_scan_close(scan);
    if (rc == SDB_BTREE_END)
        rc = SDB_OK;
    for (size_t i = 0; i < n && rc == SDB_OK; i++) {
        rc = sdb_btree_delete(bt, doomed[i].key, doomed[i].key_len, doomed[i].tid, SDB_INVALID_XID);
        if (rc == SDB_OK)
            (*removed)++;
        else if (rc == SDB_BTREE_NOT_FOUND)
            rc = SDB_OK;
    }
    sdb_btree_close(bt);
    return rc;
}

/* Wait until every snapshot registered before `seq` (but ac->txn's) is gone,
 * at most FREE_WAIT_MS; false when some is still there. */
static bool older_scans_gone(SdbAccessContext *ac, uint64_t seq)
{
    for (int ms = 0; ms < FREE_WAIT_MS; ms++) {
        if (sdb_txn_snapshots_newer_than(ac->txn->xm, seq, ac->txn))
            return true;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* Make the DEAD slots of `slots` (sorted) reusable, block by block. */
static int free_slots(SdbAccessContext *ac, SdbRelFileId file, const TidList *slots, uint64_t *freed)
{
    uint16_t batch[SDB_PAGE_MAX_SIZE / SDB_PAGE_SLOT_SIZE];
    size_t i = 0;
    while (i < slots->n) {
        SdbBlockNo block = slots->tids[i].block;
        size_t n = 0;
        while (i < slots->n && slots->tids[i].block == block)
            batch[n++] = slots->tids[i++].slot;
        if (sdb_heap_free_slots(ac->engine, file, block, batch, n) != SDB_OK)
            return SDB_ERROR;
        *freed += n;
    }
    return SDB_OK;
}

/* Vacuum the main heap of `rel` and its indexes. */
static int vacuum_heap(SdbAccessContext *ac, const SdbRelation *rel, SdbArena *arena, SdbVacuumInfo *info)
{
    DeadList dead = {0};
    TidList slots = {0};
    bool indexed = rel->nindexes > 0;
    if (find_dead(ac, rel->file, info->horizon, arena, &dead, info) != SDB_OK ||
        prune_all(ac, rel->file, &dead, indexed, arena, &slots, &info->removed) != SDB_OK)
        return SDB_ERROR;
    if (slots.n == 0)
        return SDB_OK;
    qsort(slots.tids, slots.n, sizeof(SdbTid), tid_cmp);
    for (int i = 0; i < rel->nindexes; i++)
        if (bulk_delete(ac, rel->indexes[i].file, &slots, arena, &info->index_removed) != SDB_OK)
            return SDB_ERROR;
    /* A scan that read one of those entries before it went may still
     * fetch its tid: free the slots only when every such scan is over
     * (their snapshots were all registered before this point). */
    uint64_t seq;
    (void)sdb_txn_vacuum_horizon(ac->txn->xm, &seq, ac->txn);
    if (!older_scans_gone(ac, seq))
        return SDB_OK;
    return free_slots(ac, rel->file, &slots, &info->slots_freed);
}

/* Vacuum the toast relation of `rel`: dead chunks' slots are freed at once. */
static int vacuum_toast(SdbAccessContext *ac, const SdbRelation *rel, SdbArena *arena, SdbVacuumInfo *info)
{
    if (rel->toast.rel_number == 0)
        return SDB_OK;
    DeadList dead = {0};
    SdbVacuumInfo toast = {.horizon = info->horizon};
    if (find_dead(ac, rel->toast, info->horizon, arena, &dead, &toast) != SDB_OK)
        return SDB_ERROR;
    return prune_all(ac, rel->toast, &dead, false, arena, NULL, &info->toast_removed);
}

int sdb_table_vacuum(SdbAccessContext *ac, const SdbRelation *rel, bool update_stats, SdbVacuumInfo *info)
{
    memset(info, 0, sizeof *info);
    SdbArena *arena = sdb_arena_create(NULL, "vacuum", 0);
    if (arena == NULL)
        return SDB_ERROR;
    pthread_mutex_lock(&vacuum_lock);
    info->horizon = sdb_txn_vacuum_horizon(ac->txn->xm, NULL, ac->txn);
    SdbBlockNo nblocks = 0;
    int rc = vacuum_heap(ac, rel, arena, info) == SDB_OK && vacuum_toast(ac, rel, arena, info) == SDB_OK &&
                     sdb_heap_nblocks(ac->engine, rel->file, &nblocks) == SDB_OK
                 ? SDB_OK
                 : SDB_ERROR;
    pthread_mutex_unlock(&vacuum_lock);
    info->pages = nblocks;
    if (rc == SDB_OK && update_stats)
        rc = sdb_catalog_set_stats(ac->catalog, ac->txn, rel, (int32_t)nblocks, (float)info->live, 0, NULL, arena);
    sdb_arena_destroy(arena);
    return rc;
}
