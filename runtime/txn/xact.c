/*
 * txn/xact.c: xid allocation, the running-transaction table, commit and
 * abort records and their redo, transaction status, see xact.h.
 */
#include "txn/xact.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/memory.h"
#include "storage/engine.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/wal.h"

/* Seconds from the Unix epoch to 2000-01-01 00:00 UTC. */

/* Why an xid is in the running table. */
typedef enum RunState {
    RUN_ACTIVE,  /* running, or committing until its record is flushed */
    RUN_IN_DOUBT /* its commit record's flush failed: invisible until restart */
} RunState;

typedef struct RunningXact {
    SdbXid xid;
    SdbXid top; /* its top transaction: xid itself, or the parent of a subtransaction */
    RunState state;
} RunningXact;

struct SdbXactManager {
    SdbEngine *engine;
    SdbWal *wal;
    SdbClog *clog;
    /* Guards running[], increments of next_xid and clog extension. */
    pthread_mutex_t lock;
    RunningXact *running;
    size_t running_count;
    size_t running_capacity;
    /* Read without the lock: */
    _Atomic uint64_t next_xid;
    _Atomic uint64_t oldest_running; /* lowest xid in running[], else next_xid */
    _Atomic int64_t last_commit_ts;
};

_Static_assert(sizeof(void *) >= sizeof(SdbXid), "an xid must fit in a pointer (see sdb_xact_close)");

static int save_next_xid(SdbCheckpointIds *ids, SdbXid next)
{
    if (next > ids->next_xid)
        ids->next_xid = next;
    return SDB_OK;
}

/* The checkpoint hook while the manager is open. */
static int checkpoint_hook(void *arg, SdbCheckpointIds *ids)
{
    SdbXactManager *xm = arg;
    return save_next_xid(ids, atomic_load(&xm->next_xid));
}

/* The hook after sdb_xact_close: the final next xid travels in the
 * argument itself, so no freed memory is ever reached. */
static int final_checkpoint_hook(void *arg, SdbCheckpointIds *ids)
{
    return save_next_xid(ids, (SdbXid)(uintptr_t)arg);
}

SdbXactManager *sdb_xact_open(struct SdbEngine *engine)
{
    SdbControlData control;
    sdb_engine_control(engine, &control);
    SdbXid next_xid = control.next_xid < SDB_FIRST_NORMAL_XID ? SDB_FIRST_NORMAL_XID : control.next_xid;

    SdbXactManager *xm = sdb_malloc(sizeof *xm);
    if (xm == NULL)
        return NULL;
    memset(xm, 0, sizeof *xm);
    xm->engine = engine;
    xm->wal = sdb_engine_wal(engine);
    xm->clog = sdb_clog_open(sdb_engine_smgr(engine), sdb_engine_bufpool(engine), xm->wal, next_xid);
    if (xm->clog == NULL) {
        sdb_free(xm);
        return NULL;
    }
    pthread_mutex_init(&xm->lock, NULL);
    atomic_init(&xm->next_xid, next_xid);
    atomic_init(&xm->oldest_running, next_xid);
    /* Commit timestamps keep increasing across a restart as long as the
     * clock is not set back past the last checkpoint. */
    atomic_init(&xm->last_commit_ts, control.checkpoint_time);
    sdb_engine_set_checkpoint_hook(engine, checkpoint_hook, xm);
    return xm;
}

int sdb_xact_close(SdbXactManager *xm)
{
    if (xm == NULL)
        return SDB_OK;
    SdbXid next = atomic_load(&xm->next_xid);
    sdb_engine_set_checkpoint_hook(xm->engine, final_checkpoint_hook, (void *)(uintptr_t)next);
    /* A checkpoint that copied the old hook before the swap may still be
     * calling it; checkpoints are serialised, so once this one is done no
     * one can reach xm any more. */
    int rc = sdb_engine_checkpoint(xm->engine);
    sdb_clog_close(xm->clog);
    pthread_mutex_destroy(&xm->lock);
    sdb_free(xm->running);
    sdb_free(xm);
    return rc;
}

SdbXid sdb_xact_next_xid(SdbXactManager *xm)
{
    return atomic_load(&xm->next_xid);
}

/* ---- the running table (all under xm->lock) ------------------------------- */

static RunningXact *find_running(SdbXactManager *xm, SdbXid xid)
{
    for (size_t i = 0; i < xm->running_count; i++)
        if (xm->running[i].xid == xid)
            return &xm->running[i];
    return NULL;
}

static void update_oldest_running(SdbXactManager *xm)
{
    SdbXid oldest = atomic_load(&xm->next_xid);
    for (size_t i = 0; i < xm->running_count; i++)
        if (xm->running[i].xid < oldest)
            oldest = xm->running[i].xid;
    atomic_store(&xm->oldest_running, oldest);
}

static int add_running(SdbXactManager *xm, SdbXid xid, SdbXid top)
{
    if (xm->running_count == xm->running_capacity) {
        size_t capacity = xm->running_capacity == 0 ? 64 : xm->running_capacity * 2;
        RunningXact *grown = sdb_realloc(xm->running, capacity * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        xm->running = grown;
        xm->running_capacity = capacity;
    }
    xm->running[xm->running_count++] = (RunningXact){.xid = xid, .top = top, .state = RUN_ACTIVE};
    return SDB_OK;
}

/* Takes the lock only when the lock-free bound cannot rule xid out. */
bool sdb_xact_is_running(SdbXactManager *xm, SdbXid xid)
{
    if (xid < atomic_load(&xm->oldest_running))
        return false;
    pthread_mutex_lock(&xm->lock);
    bool running = find_running(xm, xid) != NULL;
    pthread_mutex_unlock(&xm->lock);
    return running;
}

SdbXid sdb_xact_top_of(SdbXactManager *xm, SdbXid xid)
{
    if (xid < atomic_load(&xm->oldest_running))
        return xid;
    pthread_mutex_lock(&xm->lock);
    RunningXact *entry = find_running(xm, xid);
    SdbXid top = entry != NULL ? entry->top : xid;
    pthread_mutex_unlock(&xm->lock);
    return top;
}

static int compare_xids(const void *a, const void *b)
{
    SdbXid x = *(const SdbXid *)a, y = *(const SdbXid *)b;
    return x < y ? -1 : x > y;
}

int sdb_xact_running_xids(SdbXactManager *xm, SdbArena *arena, SdbXid *xmin, SdbXid *xmax, SdbXid **xip,
                          int *nxip)
{
    pthread_mutex_lock(&xm->lock);
    size_t count = xm->running_count;
    SdbXid *copy = sdb_arena_alloc(arena, (count ? count : 1) * sizeof *copy);
    if (copy == NULL) {
        pthread_mutex_unlock(&xm->lock);
        return SDB_ERROR;
    }
    for (size_t i = 0; i < count; i++)
        copy[i] = xm->running[i].xid;
    *xmax = atomic_load(&xm->next_xid);
    pthread_mutex_unlock(&xm->lock);
    qsort(copy, count, sizeof *copy, compare_xids);
    *xmin = count > 0 ? copy[0] : *xmax;
    *xip = copy;
    *nxip = (int)count;
    return SDB_OK;
}

/* Check that xid is an active transaction of this process. */
static int check_active(SdbXactManager *xm, SdbXid xid)
{
    pthread_mutex_lock(&xm->lock);
    RunningXact *entry = find_running(xm, xid);
    bool active = entry != NULL && entry->state == RUN_ACTIVE;
    pthread_mutex_unlock(&xm->lock);
    if (!active)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "transaction %" PRIu64 " is not running", xid);
    return SDB_OK;
}

/* Drop xids[] from the table, all in one step (a transaction and its
 * subtransactions finish together). */
static void drop_running(SdbXactManager *xm, const SdbXid *xids, int nxids)
{
    pthread_mutex_lock(&xm->lock);
    for (int i = 0; i < nxids; i++) {
        RunningXact *entry = find_running(xm, xids[i]);
        if (entry != NULL)
            *entry = xm->running[--xm->running_count];
    }
    update_oldest_running(xm);
    pthread_mutex_unlock(&xm->lock);
}

/* Keep xids[] in the table, invisible, until a restart settles them. */
static void mark_in_doubt(SdbXactManager *xm, const SdbXid *xids, int nxids)
{
    pthread_mutex_lock(&xm->lock);
    for (int i = 0; i < nxids; i++) {
        RunningXact *entry = find_running(xm, xids[i]);
        if (entry != NULL)
            entry->state = RUN_IN_DOUBT;
    }
    pthread_mutex_unlock(&xm->lock);
}

/* ---- begin, commit, abort --------------------------------------------------- */

int sdb_xact_begin(SdbXactManager *xm, SdbXid *xid)
{
    return sdb_xact_begin_sub(xm, SDB_INVALID_XID, xid);
}

int sdb_xact_begin_sub(SdbXactManager *xm, SdbXid top, SdbXid *xid)
{
    int rc = SDB_ERROR;
    pthread_mutex_lock(&xm->lock);
    SdbXid next = atomic_load(&xm->next_xid);
    if (sdb_clog_extend(xm->clog, next) != SDB_OK ||
        add_running(xm, next, top == SDB_INVALID_XID ? next : top) != SDB_OK)
        goto done;
    /* Registered before it is handed out: a reader that sees next_xid past
     * it also sees it running. */
    update_oldest_running(xm);
    atomic_store(&xm->next_xid, next + 1);
    *xid = next;
    rc = SDB_OK;
done:
    pthread_mutex_unlock(&xm->lock);
    return rc;
}

/* A commit timestamp: now, but above every earlier one. */
static SdbTimestamp take_commit_ts(SdbXactManager *xm)
{
    SdbTimestamp now = sdb_clock_now();
    SdbTimestamp last = atomic_load(&xm->last_commit_ts);
    SdbTimestamp ts;
    do {
        ts = now > last ? now : last + 1;
    } while (!atomic_compare_exchange_weak(&xm->last_commit_ts, &last, ts));
    return ts;
}

/* Set the status of xid and its subtransactions subxids[] (ascending,
 * all after xid) with one XACT record of kind `info`; *lsn gets its end. */
static int log_outcome(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids, SdbXactStatus status,
                       SdbTimestamp commit_ts, uint8_t info, SdbLsn *lsn)
{
    size_t len = sizeof(SdbXactRecord) + (size_t)nsubxids * sizeof(SdbXid);
    uint8_t *data = sdb_malloc(len);
    SdbXid *xids = sdb_malloc((size_t)(nsubxids + 1) * sizeof *xids);
    int rc = SDB_ERROR;
    if (data != NULL && xids != NULL) {
        SdbXactRecord rec = {.xid = xid, .commit_ts = commit_ts, .subxact_count = (uint32_t)nsubxids};
        memcpy(data, &rec, sizeof rec);
        if (nsubxids > 0)
            memcpy(data + sizeof rec, subxids, (size_t)nsubxids * sizeof(SdbXid));
        xids[0] = xid;
        if (nsubxids > 0)
            memcpy(xids + 1, subxids, (size_t)nsubxids * sizeof(SdbXid));
        rc = sdb_clog_log_statuses(xm->clog, xids, nsubxids + 1, status, commit_ts, SDB_RMGR_XACT, info, data,
                                   (uint32_t)len, lsn);
    }
    sdb_free(data);
    sdb_free(xids);
    return rc;
}

/* Drop xid and subxids[] from the running table. */
static void drop_tree(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids)
{
    drop_running(xm, &xid, 1);
    if (nsubxids > 0)
        drop_running(xm, subxids, nsubxids);
}

int sdb_xact_commit(SdbXactManager *xm, SdbXid xid, bool synchronous, SdbTimestamp *commit_ts)
{
    return sdb_xact_commit_tree(xm, xid, NULL, 0, synchronous, commit_ts);
}

int sdb_xact_commit_tree(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids, bool synchronous,
                         SdbTimestamp *commit_ts)
{
    if (check_active(xm, xid) != SDB_OK)
        return SDB_ERROR;
    SdbTimestamp ts = take_commit_ts(xm);
    SdbLsn lsn;
    if (log_outcome(xm, xid, subxids, nsubxids, SDB_XACT_COMMITTED, ts, SDB_XACT_WAL_COMMIT, &lsn) != SDB_OK) {
        SdbErrorData saved = *sdb_error_last();
        sdb_xact_abort_tree(xm, xid, subxids, nsubxids);
        *(SdbErrorData *)sdb_error_last() = saved;
        sdb_error_prefix("could not commit transaction %" PRIu64, xid);
        return SDB_ERROR;
    }
    if (synchronous && sdb_wal_flush(xm->wal, lsn) != SDB_OK) {
        /* The subtransactions stay in the table too: their clog entries
         * already say committed. */
        mark_in_doubt(xm, &xid, 1);
        if (nsubxids > 0)
            mark_in_doubt(xm, subxids, nsubxids);
        sdb_error_prefix("could not commit transaction %" PRIu64, xid);
        sdb_error_detail("The commit record could not be flushed; whether the transaction committed will be "
                         "known after a restart.");
        return SDB_ERROR;
    }
    drop_tree(xm, xid, subxids, nsubxids);
    if (commit_ts != NULL)
        *commit_ts = ts;
    return SDB_OK;
}

int sdb_xact_abort(SdbXactManager *xm, SdbXid xid)
{
    return sdb_xact_abort_tree(xm, xid, NULL, 0);
}

int sdb_xact_abort_tree(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids)
{
    if (check_active(xm, xid) != SDB_OK)
        return SDB_ERROR;
    SdbLsn lsn;
    int rc = log_outcome(xm, xid, subxids, nsubxids, SDB_XACT_ABORTED, 0, SDB_XACT_WAL_ABORT, &lsn);
    drop_tree(xm, xid, subxids, nsubxids);
    return rc;
}

/* ---- status ------------------------------------------------------------------ */

int sdb_xact_status(SdbXactManager *xm, SdbXid xid, SdbXactStatus *status, SdbTimestamp *commit_ts,
                    bool *hintable)
{
    SdbTimestamp ts = 0;
    SdbLsn page_lsn = SDB_INVALID_LSN;
    if (xid == SDB_INVALID_XID)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid transaction id 0");
    if (xid >= atomic_load(&xm->next_xid))
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "transaction id %" PRIu64 " is in the future (next is %" PRIu64 ")",
                         xid, atomic_load(&xm->next_xid));
    if (xid == SDB_BOOTSTRAP_XID) {
        *status = SDB_XACT_COMMITTED;
    } else if (sdb_xact_is_running(xm, xid)) {
        *status = SDB_XACT_IN_PROGRESS;
    } else {
        if (sdb_clog_get(xm->clog, xid, status, &ts, &page_lsn) != SDB_OK)
            return SDB_ERROR;
        /* Not running and no outcome recorded: it was running at a crash,
         * or its commit or abort record could not be written. */
        if (*status == SDB_XACT_IN_PROGRESS)
            *status = SDB_XACT_ABORTED;
    }
    if (commit_ts != NULL)
        *commit_ts = ts;
    /* An abort never turns into anything else; a commit is final once its
     * record is flushed, which the clog page's LSN (at or after the
     * record's end) bounds. */
    if (hintable != NULL)
        *hintable = *status == SDB_XACT_ABORTED ||
                    (*status == SDB_XACT_COMMITTED && page_lsn <= sdb_wal_flushed_lsn(xm->wal));
    return SDB_OK;
}

SdbXid sdb_xact_oldest_running(SdbXactManager *xm)
{
    return atomic_load(&xm->oldest_running);
}

/* ---- WAL ----------------------------------------------------------------------- */

/* Decode the main data of an XACT record into *out. */
static int decode_record(const SdbWalRecord *rec, SdbXactRecord *out)
{
    if (rec->main_len < sizeof *out)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "transaction WAL record too short (%" PRIu32 " bytes)",
                         rec->main_len);
    memcpy(out, rec->main_data, sizeof *out);
    if (rec->main_len != sizeof *out + (uint64_t)out->subxact_count * sizeof(SdbXid) || out->xid != rec->xid)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "transaction WAL record of xid %" PRIu64 " is malformed",
                         rec->xid);
    return SDB_OK;
}

int sdb_xact_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec)
{
    SdbXactRecord xrec;
    if (decode_record(rec, &xrec) != SDB_OK)
        return SDB_ERROR;
    if (rec->info != SDB_XACT_WAL_COMMIT && rec->info != SDB_XACT_WAL_ABORT)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "unknown transaction WAL record kind 0x%02X", (unsigned)rec->info);
    int nxids = (int)xrec.subxact_count + 1;
    SdbXid *xids = sdb_malloc((size_t)nxids * sizeof *xids);
    if (xids == NULL)
        return SDB_ERROR;
    xids[0] = xrec.xid;
    memcpy(xids + 1, rec->main_data + sizeof xrec, (size_t)xrec.subxact_count * sizeof(SdbXid));
    /* Subtransaction xids appear in no record header: never hand them out
     * again. */
    if (xids[nxids - 1] >= ctx->next_xid)
        ctx->next_xid = xids[nxids - 1] + 1;
    int rc = rec->info == SDB_XACT_WAL_COMMIT
                 ? sdb_clog_redo_statuses(ctx, rec, xids, nxids, SDB_XACT_COMMITTED, xrec.commit_ts)
                 : sdb_clog_redo_statuses(ctx, rec, xids, nxids, SDB_XACT_ABORTED, 0);
    sdb_free(xids);
    return rc;
}

/* "2026-11-24 05:59:54.123456+00" */
static void format_timestamp(SdbTimestamp ts, char *buf, size_t size)
{
    int64_t seconds = ts / 1000000;
    int64_t micros = ts % 1000000;
    if (micros < 0) {
        micros += 1000000;
        seconds--;
    }
    time_t unix_seconds = (time_t)(seconds + SDB_UNIX_TO_PG_EPOCH_SECONDS);
    struct tm tm;
    char date[32];
    if (gmtime_r(&unix_seconds, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
        snprintf(buf, size, "%" PRId64 " us", ts);
        return;
    }
    snprintf(buf, size, "%s.%06d+00", date, (int)micros);
}

void sdb_xact_describe(const struct SdbWalRecord *rec, char *buf, size_t size)
{
    SdbXactRecord xrec;
    if (rec->main_len < sizeof xrec) {
        snprintf(buf, size, "malformed");
        return;
    }
    memcpy(&xrec, rec->main_data, sizeof xrec);
    if (rec->info == SDB_XACT_WAL_COMMIT) {
        char when[64];
        format_timestamp(xrec.commit_ts, when, sizeof when);
        snprintf(buf, size, "commit xid %" PRIu64 " at %s", xrec.xid, when);
    } else if (rec->info == SDB_XACT_WAL_ABORT) {
        snprintf(buf, size, "abort xid %" PRIu64, xrec.xid);
    } else {
        snprintf(buf, size, "unknown");
        return;
    }
    size_t used = strlen(buf);
    if (xrec.subxact_count > 0 && used < size)
        snprintf(buf + used, size - used, " with %" PRIu32 " subtransactions", xrec.subxact_count);
}
