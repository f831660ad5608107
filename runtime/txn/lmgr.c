/*
 * txn/lmgr.c: the lock manager (see lmgr.h and README.md): a process-wide
 * hash table of locked objects with their holders, the table of waiting
 * transactions (the wait-for graph), the wait loop with lock_timeout and
 * deadlock_timeout, and the deadlock check.
 */
#include "txn/lmgr.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/memory.h"

typedef struct Holder {
    SdbXid xid;
    int pid;
    uint16_t modes; /* bit 1 << mode for each mode held */
} Holder;

typedef struct Lock {
    struct Lock *next;
    SdbXactManager *xm;
    SdbLockTag tag;
    Holder *holders;
    int nholders, cap;
} Lock;

/* A waiting transaction: for another transaction to end (lock_kind < 0)
 * or for `mode` on `tag`. */
typedef struct Waiter {
    SdbXactManager *xm;
    SdbXid xid;
    int pid;
    SdbXid holder; /* xid wait */
    int lock_kind; /* -1: xid wait; else the SdbLockTagKind of tag */
    SdbLockTag tag;
    int mode;
} Waiter;

#define NBUCKETS 4096
#define MAX_WAITERS 1024

static pthread_mutex_t lmgr_lock = PTHREAD_MUTEX_INITIALIZER;
static Lock *buckets[NBUCKETS];
static int nlocks; /* lock objects in buckets */
static Waiter waiters[MAX_WAITERS];
static int nwaiters;

/* PostgreSQL's conflict tables: conflicts[mode] = modes it conflicts with. */
#define B(m) (1u << (m))
static const uint16_t table_conflicts[9] = {
    0,
    B(8),
    B(7) | B(8),
    B(5) | B(6) | B(7) | B(8),
    B(4) | B(5) | B(6) | B(7) | B(8),
    B(3) | B(4) | B(6) | B(7) | B(8),
    B(3) | B(4) | B(5) | B(6) | B(7) | B(8),
    B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8),
    B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8),
};
static const uint16_t row_conflicts[5] = {
    0,
    B(4),
    B(3) | B(4),
    B(2) | B(3) | B(4),
    B(1) | B(2) | B(3) | B(4),
};

static uint16_t conflicts_of(SdbLockTagKind kind, int mode)
{
    return kind == SDB_LOCKTAG_RELATION ? table_conflicts[mode] : row_conflicts[mode];
}

const char *sdb_lock_mode_name(SdbLockTagKind kind, int mode)
{
    static const char *const table_names[9] = {"",
                                               "AccessShareLock",
                                               "RowShareLock",
                                               "RowExclusiveLock",
                                               "ShareUpdateExclusiveLock",
                                               "ShareLock",
                                               "ShareRowExclusiveLock",
                                               "ExclusiveLock",
                                               "AccessExclusiveLock"};
    static const char *const row_names[5] = {"", "ForKeyShare", "ForShare", "ForNoKeyUpdate", "ForUpdate"};
    return kind == SDB_LOCKTAG_RELATION ? table_names[mode] : row_names[mode];
}

static bool tag_equal(const SdbLockTag *a, const SdbLockTag *b)
{
    return a->kind == b->kind && a->db == b->db && a->rel == b->rel && a->block == b->block && a->slot == b->slot;
}

static unsigned tag_hash(const SdbLockTag *t)
{
    uint64_t h = ((uint64_t)t->kind * 0x9E3779B97F4A7C15u) ^ ((uint64_t)t->db << 32 | t->rel);
    h = h * 0x9E3779B97F4A7C15u ^ ((uint64_t)t->block << 16 | t->slot);
    h *= 0x9E3779B97F4A7C15u;
    return (unsigned)(h >> 40) % NBUCKETS;
}

/* The lock object for `tag` (under lmgr_lock), made when `create`. */
static Lock *find_lock(SdbXactManager *xm, const SdbLockTag *tag, bool create)
{
    Lock **b = &buckets[tag_hash(tag)];
    for (Lock *l = *b; l != NULL; l = l->next)
        if (l->xm == xm && tag_equal(&l->tag, tag))
            return l;
    if (!create)
        return NULL;
    Lock *l = sdb_malloc(sizeof *l);
    if (l == NULL)
        return NULL;
    *l = (Lock){.next = *b, .xm = xm, .tag = *tag};
    *b = l;
    nlocks++;
    return l;
}

/* A running transaction other than `self` holding a mode of `l` in
 * `conflicts` (under lmgr_lock), or SDB_INVALID_XID. */
static SdbXid conflicting_holder(const Lock *l, SdbXid self, uint16_t conflicts)
{
    if (l == NULL)
        return SDB_INVALID_XID;
    for (int i = 0; i < l->nholders; i++) {
        const Holder *h = &l->holders[i];
        if (h->xid == self || !(h->modes & conflicts))
            continue;
        if (sdb_xact_is_running(l->xm, h->xid))
            return h->xid;
    }
    return SDB_INVALID_XID;
}

static int grant(Lock *l, SdbTxn *txn, int mode)
{
    for (int i = 0; i < l->nholders; i++) {
        if (l->holders[i].xid == txn->xid) {
            l->holders[i].modes |= (uint16_t)B(mode);
            return SDB_OK;
        }
    }
    if (l->nholders == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        Holder *h = sdb_realloc(l->holders, (size_t)cap * sizeof *h);
        if (h == NULL)
            return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of shared memory");
        l->holders = h;
        l->cap = cap;
    }
    l->holders[l->nholders++] = (Holder){.xid = txn->xid, .pid = txn->pid, .modes = (uint16_t)B(mode)};
    return SDB_OK;
}

/* ---- the wait-for graph ------------------------------------------------ */

static Waiter *find_waiter(const SdbXactManager *xm, SdbXid xid)
{
    for (int i = 0; i < nwaiters; i++)
        if (waiters[i].xm == xm && waiters[i].xid == xid)
            return &waiters[i];
    return NULL;
}

/* The idx-th transaction `w` waits for (under lmgr_lock), or
 * SDB_INVALID_XID when there are no more. */
static SdbXid blocker(const Waiter *w, int idx)
{
    if (w->lock_kind < 0)
        return idx == 0 ? w->holder : SDB_INVALID_XID;
    const Lock *l = find_lock(w->xm, &w->tag, false);
    uint16_t conflicts = conflicts_of(w->tag.kind, w->mode);
    int seen = 0;
    for (int i = 0; l != NULL && i < l->nholders; i++) {
        const Holder *h = &l->holders[i];
        if (h->xid == w->xid || !(h->modes & conflicts) || !sdb_xact_is_running(w->xm, h->xid))
            continue;
        if (seen++ == idx)
            return h->xid;
    }
    return SDB_INVALID_XID;
}

/* Depth-first search for a path from `x` back to `target`; path[] gets
 * the transactions on it (under lmgr_lock). */
static bool find_cycle(const SdbXactManager *xm, SdbXid x, SdbXid target, SdbXid *path, int depth, int *len)
{
    if (depth >= MAX_WAITERS)
        return false;
    for (int d = 0; d < depth; d++)
        if (path[d] == x)
            return false;
    path[depth] = x;
    const Waiter *w = find_waiter(xm, x);
    if (w == NULL)
        return false;
    for (int i = 0;; i++) {
        SdbXid next = blocker(w, i);
        if (next == SDB_INVALID_XID)
            return false;
        if (next == target) {
            *len = depth + 1;
            return true;
        }
        if (find_cycle(xm, next, target, path, depth + 1, len))
            return true;
    }
}

/* One DETAIL line: what path[i] waits for, blocked by `next`. */
static void describe_wait(const Waiter *w, SdbXid next, int next_pid, char *buf, size_t size)
{
    if (w->lock_kind == SDB_LOCKTAG_RELATION)
        snprintf(buf, size, "Process %d waits for %s on relation %u of database %u; blocked by process %d.", w->pid,
                 sdb_lock_mode_name(SDB_LOCKTAG_RELATION, w->mode), w->tag.rel, w->tag.db, next_pid);
    else
        snprintf(buf, size, "Process %d waits for ShareLock on transaction %llu; blocked by process %d.", w->pid,
                 (unsigned long long)next, next_pid);
}

/* 40P01 when `self` waits, through others, for itself (under lmgr_lock). */
static int deadlock_check(const SdbXactManager *xm, SdbXid self)
{
    static SdbXid path[MAX_WAITERS];
    int len = 0;
    if (!find_cycle(xm, self, self, path, 0, &len))
        return SDB_OK;
    char detail[2048];
    size_t used = 0;
    detail[0] = '\0';
    for (int i = 0; i < len; i++) {
        const Waiter *w = find_waiter(xm, path[i]);
        SdbXid next = path[(i + 1) % len];
        const Waiter *nw = find_waiter(xm, next);
        char line[256];
        describe_wait(w, next, nw != NULL ? nw->pid : 0, line, sizeof line);
        int n = snprintf(detail + used, sizeof detail - used, "%s%s", i ? "\n" : "", line);
        if (n < 0 || (size_t)n >= sizeof detail - used)
            break;
        used += (size_t)n;
    }
    sdb_error(SDB_ERR_DEADLOCK_DETECTED, "deadlock detected");
    sdb_error_detail("%s", detail);
    sdb_error_hint("See server log for query details.");
    return SDB_ERROR;
}

static int add_waiter(const Waiter *w)
{
    if (nwaiters == MAX_WAITERS)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of shared memory");
    waiters[nwaiters++] = *w;
    return SDB_OK;
}

static void remove_waiter(const SdbXactManager *xm, SdbXid xid)
{
    pthread_mutex_lock(&lmgr_lock);
    Waiter *w = find_waiter(xm, xid);
    if (w != NULL)
        *w = waiters[--nwaiters];
    pthread_mutex_unlock(&lmgr_lock);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Between two tries of a wait: sleep, then the cancel flag, lock_timeout
 * and (once, after deadlock_timeout) the deadlock check. */
typedef struct WaitClock {
    int64_t start;
    long delay_us;
    bool checked;
} WaitClock;

static int wait_step(SdbTxn *txn, WaitClock *c)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = c->delay_us * 1000};
    nanosleep(&ts, NULL);
    if (c->delay_us < 10000)
        c->delay_us *= 2;
    if (txn->cancel != NULL && *txn->cancel)
        return sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
    int64_t waited = monotonic_ms() - c->start;
    if (txn->lock_timeout_ms > 0 && waited >= txn->lock_timeout_ms)
        return sdb_error(SDB_ERR_LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout");
    if (!c->checked && txn->xid != SDB_INVALID_XID && waited >= txn->deadlock_timeout_ms) {
        c->checked = true;
        pthread_mutex_lock(&lmgr_lock);
        int rc = deadlock_check(txn->xm, txn->xid);
        pthread_mutex_unlock(&lmgr_lock);
        return rc;
    }
    return SDB_OK;
}

int sdb_lock_wait_xid(SdbTxn *txn, SdbXid xid)
{
    /* Without an xid nobody can wait for us: no cycle, nothing to register. */
    bool registered = txn->xid != SDB_INVALID_XID;
    if (registered) {
        /* the edge goes to the holder's top transaction: a subtransaction's
         * waiters are registered under their top xid too */
        Waiter w = {.xm = txn->xm, .xid = txn->xid, .pid = txn->pid, .holder = sdb_xact_top_of(txn->xm, xid),
                    .lock_kind = -1};
        pthread_mutex_lock(&lmgr_lock);
        int rc = add_waiter(&w);
        pthread_mutex_unlock(&lmgr_lock);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    WaitClock c = {.start = monotonic_ms(), .delay_us = 50};
    int rc = SDB_OK;
    while (rc == SDB_OK && sdb_xact_is_running(txn->xm, xid))
        rc = wait_step(txn, &c);
    if (registered)
        remove_waiter(txn->xm, txn->xid);
    return rc;
}

/* One try at the lock (under lmgr_lock): granted, or whom it waits for. */
static int try_lock(SdbTxn *txn, const SdbLockTag *tag, int mode, bool *granted)
{
    Lock *l = find_lock(txn->xm, tag, true);
    if (l == NULL)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of shared memory");
    *granted = conflicting_holder(l, txn->xid, conflicts_of(tag->kind, mode)) == SDB_INVALID_XID;
    return *granted ? grant(l, txn, mode) : SDB_OK;
}

int sdb_lock_acquire(SdbTxn *txn, const SdbLockTag *tag, int mode, SdbLockWaitPolicy policy, bool *acquired)
{
    SdbXid xid;
    if (sdb_txn_assign_xid(txn, &xid) != SDB_OK)
        return SDB_ERROR;
    pthread_mutex_lock(&lmgr_lock);
    int rc = try_lock(txn, tag, mode, acquired);
    if (rc == SDB_OK && !*acquired && policy == SDB_LOCK_WAIT) {
        Waiter w = {.xm = txn->xm, .xid = xid, .pid = txn->pid, .lock_kind = (int)tag->kind, .tag = *tag,
                    .mode = mode};
        rc = add_waiter(&w);
    }
    pthread_mutex_unlock(&lmgr_lock);
    if (rc != SDB_OK || *acquired || policy != SDB_LOCK_WAIT)
        return rc;
    WaitClock c = {.start = monotonic_ms(), .delay_us = 50};
    while (rc == SDB_OK && !*acquired) {
        rc = wait_step(txn, &c);
        if (rc == SDB_OK) {
            pthread_mutex_lock(&lmgr_lock);
            rc = try_lock(txn, tag, mode, acquired);
            pthread_mutex_unlock(&lmgr_lock);
        }
    }
    remove_waiter(txn->xm, xid);
    return rc;
}

int sdb_lock_implicit(SdbTxn *txn, const SdbLockTag *tag, int mode)
{
    bool acquired;
    if (txn->xid != SDB_INVALID_XID)
        return sdb_lock_acquire(txn, tag, mode, SDB_LOCK_WAIT, &acquired);
    WaitClock c = {.start = monotonic_ms(), .delay_us = 50};
    SdbXid holder;
    int rc = SDB_OK;
    while (rc == SDB_OK && sdb_lock_conflicts(txn, tag, mode, &holder))
        rc = wait_step(txn, &c);
    return rc;
}

bool sdb_lock_conflicts(SdbTxn *txn, const SdbLockTag *tag, int mode, SdbXid *holder)
{
    pthread_mutex_lock(&lmgr_lock);
    *holder = conflicting_holder(find_lock(txn->xm, tag, false), txn->xid, conflicts_of(tag->kind, mode));
    pthread_mutex_unlock(&lmgr_lock);
    return *holder != SDB_INVALID_XID;
}

bool sdb_lock_held(SdbTxn *txn, const SdbLockTag *tag, int mode)
{
    bool held = false;
    pthread_mutex_lock(&lmgr_lock);
    const Lock *l = find_lock(txn->xm, tag, false);
    for (int i = 0; l != NULL && i < l->nholders; i++)
        held |= l->holders[i].xid == txn->xid && (l->holders[i].modes & B(mode));
    pthread_mutex_unlock(&lmgr_lock);
    return held;
}

/* Unlink `l` from its bucket and free it (under lmgr_lock). */
static void drop_lock(Lock **p)
{
    Lock *l = *p;
    *p = l->next;
    sdb_free(l->holders);
    sdb_free(l);
    nlocks--;
}

void sdb_lock_release(SdbTxn *txn, const SdbLockTag *tag, int mode)
{
    pthread_mutex_lock(&lmgr_lock);
    for (Lock **p = &buckets[tag_hash(tag)]; *p != NULL; p = &(*p)->next) {
        Lock *l = *p;
        if (l->xm != txn->xm || !tag_equal(&l->tag, tag))
            continue;
        for (int i = 0; i < l->nholders; i++) {
            if (l->holders[i].xid == txn->xid) {
                l->holders[i].modes &= (uint16_t)~B(mode);
                if (l->holders[i].modes == 0)
                    l->holders[i] = l->holders[--l->nholders];
                break;
            }
        }
        if (l->nholders == 0)
            drop_lock(p);
        break;
    }
    pthread_mutex_unlock(&lmgr_lock);
}

void sdb_lock_release_all(SdbXactManager *xm, SdbXid xid)
{
    if (xid == SDB_INVALID_XID)
        return;
    pthread_mutex_lock(&lmgr_lock);
    for (int b = 0; nlocks > 0 && b < NBUCKETS; b++) {
        Lock **p = &buckets[b];
        while (*p != NULL) {
            Lock *l = *p;
            if (l->xm == xm) {
                for (int i = 0; i < l->nholders; i++)
                    if (l->holders[i].xid == xid)
                        l->holders[i--] = l->holders[--l->nholders];
            }
            if (l->nholders == 0) {
                drop_lock(p);
            } else {
                p = &l->next;
            }
        }
    }
    pthread_mutex_unlock(&lmgr_lock);
}

int sdb_lock_list(SdbXactManager *xm, SdbLockInfo *out, int max)
{
    int n = 0;
    pthread_mutex_lock(&lmgr_lock);
    for (int b = 0; b < NBUCKETS; b++) {
        for (const Lock *l = buckets[b]; l != NULL; l = l->next) {
            for (int i = 0; l->xm == xm && i < l->nholders; i++) {
                for (int m = 1; m <= 8; m++) {
                    if (!(l->holders[i].modes & B(m)) || !sdb_xact_is_running(xm, l->holders[i].xid))
                        continue;
                    if (n < max)
                        out[n] = (SdbLockInfo){.tag = l->tag, .xid = l->holders[i].xid, .pid = l->holders[i].pid,
                                               .mode = m, .granted = true};
                    n++;
                }
            }
        }
    }
    for (int i = 0; i < nwaiters; i++) {
        const Waiter *w = &waiters[i];
        if (w->xm != xm || w->lock_kind < 0)
            continue;
        if (n < max)
            out[n] = (SdbLockInfo){.tag = w->tag, .xid = w->xid, .pid = w->pid, .mode = w->mode, .granted = false};
        n++;
    }
    pthread_mutex_unlock(&lmgr_lock);
    return n;
}
