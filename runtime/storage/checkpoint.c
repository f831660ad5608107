/*
 * storage/checkpoint.c: fuzzy checkpoints and the checkpointer thread (see
 * checkpoint.h).
 */
#include "storage/checkpoint.h"

#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"
#include "storage/periodic.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"

#define POLL_MS 200 /* how often the thread looks at the WAL volume */

struct SdbCheckpointer {
    char *datadir;
    SdbBufPool *pool;
    SdbWal *wal;
    uint32_t wal_segment_size;
    int64_t timeout_s;
    uint64_t max_wal_bytes;

    pthread_mutex_t run_lock; /* held for a whole checkpoint */
    SdbPeriodic thread;
    pthread_mutex_t lock;     /* guards everything below */
    SdbControlData control;
    SdbCheckpointHook hook;
    void *hook_arg;
    int nextra;                /* further hooks (sdb_checkpointer_add_hook) */
    SdbCheckpointHook extra[SDB_CHECKPOINT_MAX_HOOKS];
    void *extra_arg[SDB_CHECKPOINT_MAX_HOOKS];
    SdbCheckpointStats stats;
    uint64_t started;          /* checkpoints started so far */
    uint64_t last_success;     /* number of the last one that succeeded */
    SdbLsn last_end;           /* end of the last checkpoint record */
    struct timespec last_done; /* CLOCK_MONOTONIC, for checkpoint_timeout */
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The start LSN of a record of `len` bytes (a multiple of SDB_WAL_ALIGN)
 * that ends at `end`: walk back over the bytes, skipping the segment
 * headers a record continues over (wal.h: stream layout). */
static SdbLsn record_start(SdbLsn end, uint64_t len, uint32_t segment_size)
{
    SdbLsn pos = end;
    for (;;) {
        SdbLsn seg_begin = sdb_wal_segment_start(sdb_wal_segment_of(pos - 1, segment_size), segment_size);
        SdbLsn first = seg_begin + SDB_WAL_SEGMENT_HEADER_SIZE;
        if (pos - first >= len)
            return pos - len;
        len -= pos - first;
        pos = seg_begin;
    }
}

/* Insert and flush the checkpoint record; *start and *end get its LSNs. */
static int write_checkpoint_record(SdbCheckpointer *cp, const SdbCheckpointRecord *rec, bool shutdown,
                                   SdbLsn *start, SdbLsn *end)
{
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    sdb_wal_add_data(&b, rec, sizeof *rec);
    *end = sdb_wal_insert(cp->wal, &b, SDB_RMGR_XLOG,
                          shutdown ? SDB_XLOG_CHECKPOINT_SHUTDOWN : SDB_XLOG_CHECKPOINT_ONLINE, SDB_INVALID_XID);
    if (*end == SDB_INVALID_LSN || sdb_wal_flush(cp->wal, *end) != SDB_OK)
        return SDB_ERROR;
    uint64_t len = SDB_WAL_RECORD_HEADER_SIZE + sizeof *rec;
    *start = record_start(*end, (len + SDB_WAL_ALIGN - 1) / SDB_WAL_ALIGN * SDB_WAL_ALIGN, cp->wal_segment_size);
    return SDB_OK;
}

static void recycle_wal(SdbCheckpointer *cp, SdbLsn redo_lsn)
{
    SdbWalRemoveResult removed;
    if (sdb_wal_remove_old(cp->wal, redo_lsn, &removed) != SDB_OK) {
        /* The checkpoint itself is complete; old segments are retried at
         * the next one. */
        sdb_error_prefix("could not remove old WAL segments");
        sdb_log_error("checkpointer");
        sdb_error_clear();
    }
}

/* One checkpoint; the caller holds run_lock. */
static int run_checkpoint(SdbCheckpointer *cp, unsigned flags)
{
    bool shutdown = (flags & SDB_CHECKPOINT_SHUTDOWN) != 0;
    SdbCheckpointRecord rec = {.time = sdb_clock_now()};
    SdbBufPoolStats before, after;
    struct timespec t0, t1;
    SdbLsn start, end;

    rec.redo_lsn = sdb_wal_begin_redo_point(cp->wal);

    pthread_mutex_lock(&cp->lock);
    SdbCheckpointIds ids = {cp->control.next_xid, cp->control.next_oid};
    SdbCheckpointHook hooks[SDB_CHECKPOINT_MAX_HOOKS + 1];
    void *hook_args[SDB_CHECKPOINT_MAX_HOOKS + 1];
    int nhooks = 0;
    if (cp->hook != NULL) {
        hooks[nhooks] = cp->hook;
        hook_args[nhooks++] = cp->hook_arg;
    }
    for (int i = 0; i < cp->nextra; i++) {
        hooks[nhooks] = cp->extra[i];
        hook_args[nhooks++] = cp->extra_arg[i];
    }
    pthread_mutex_unlock(&cp->lock);
    for (int i = 0; i < nhooks; i++)
        if (hooks[i](hook_args[i], &ids) != SDB_OK)
            return SDB_ERROR;
    rec.next_xid = ids.next_xid;
    rec.next_oid = ids.next_oid;

    sdb_bufpool_stats(cp->pool, &before);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (sdb_bufpool_flush_all(cp->pool) != SDB_OK)
        return SDB_ERROR;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sdb_bufpool_stats(cp->pool, &after);

    if (write_checkpoint_record(cp, &rec, shutdown, &start, &end) != SDB_OK)
        return SDB_ERROR;

    pthread_mutex_lock(&cp->lock);
    SdbControlData control = cp->control;
    control.state = shutdown ? SDB_DB_SHUT_DOWN : SDB_DB_IN_PRODUCTION;
    control.checkpoint_lsn = start;
    control.checkpoint_redo_lsn = rec.redo_lsn;
    control.next_xid = rec.next_xid;
    control.next_oid = rec.next_oid;
    control.checkpoint_time = rec.time;
    pthread_mutex_unlock(&cp->lock);
    if (sdb_control_update(cp->datadir, &control) != SDB_OK)
        return SDB_ERROR;

    pthread_mutex_lock(&cp->lock);
    cp->control = control;
    cp->last_end = end;
    cp->last_done = t1;
    cp->stats.buffers_written += after.writes - before.writes;
    cp->stats.flush_seconds += seconds_between(&t0, &t1);
    cp->stats.last_lsn = start;
    cp->stats.last_redo_lsn = rec.redo_lsn;
    cp->stats.last_time = rec.time;
    pthread_mutex_unlock(&cp->lock);

    if (!shutdown)
        recycle_wal(cp, rec.redo_lsn);

    char redo_text[24], lsn_text[24];
    sdb_log(SDB_SEVERITY_LOG, "checkpointer",
            "checkpoint complete%s: wrote %" PRIu64 " buffers in %.3f s; redo %s, checkpoint %s",
            shutdown ? " (shutdown)" : (flags & SDB_CHECKPOINT_END_OF_RECOVERY) ? " (end of recovery)" : "",
            after.writes - before.writes, seconds_between(&t0, &t1), sdb_lsn_format(rec.redo_lsn, redo_text),
            sdb_lsn_format(start, lsn_text));
    return SDB_OK;
}

void sdb_checkpointer_hold(SdbCheckpointer *cp)
{
    pthread_mutex_lock(&cp->run_lock);
}

void sdb_checkpointer_release(SdbCheckpointer *cp)
{
    pthread_mutex_unlock(&cp->run_lock);
}

int sdb_checkpoint_run(SdbCheckpointer *cp, unsigned flags)
{
    pthread_mutex_lock(&cp->lock);
    uint64_t wanted = cp->started + 1; /* any checkpoint from the next one on covers us */
    pthread_mutex_unlock(&cp->lock);

    pthread_mutex_lock(&cp->run_lock);
    pthread_mutex_lock(&cp->lock);
    bool covered = cp->last_success >= wanted && !(flags & SDB_CHECKPOINT_SHUTDOWN);
    uint64_t number = covered ? 0 : ++cp->started;
    if (!covered) {
        if (flags & (SDB_CHECKPOINT_SHUTDOWN | SDB_CHECKPOINT_END_OF_RECOVERY | SDB_CHECKPOINT_REQUESTED))
            cp->stats.requested++;
        else
            cp->stats.timed++;
    }
    pthread_mutex_unlock(&cp->lock);

    int rc = covered ? SDB_OK : run_checkpoint(cp, flags);

    pthread_mutex_lock(&cp->lock);
    if (!covered && rc == SDB_OK)
        cp->last_success = number;
    else if (rc != SDB_OK)
        cp->stats.failed++;
    pthread_mutex_unlock(&cp->lock);
    pthread_mutex_unlock(&cp->run_lock);
    if (rc != SDB_OK)
        sdb_error_prefix("checkpoint failed");
    return rc;
}

/* ---- the thread --------------------------------------------------------------------- */

/* Why the thread should checkpoint now: 0 not yet, else SDB_CHECKPOINT_*
 * flags (TIMED_CHECKPOINT alone for a timed one).  Caller holds cp->lock. */
#define TIMED_CHECKPOINT 0x100u

static unsigned checkpoint_due(SdbCheckpointer *cp)
{
    SdbLsn insert = sdb_wal_insert_lsn(cp->wal);
    if (cp->max_wal_bytes > 0 && insert - cp->control.checkpoint_redo_lsn > cp->max_wal_bytes / 2)
        return SDB_CHECKPOINT_REQUESTED;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (cp->timeout_s > 0 && seconds_between(&cp->last_done, &now) >= (double)cp->timeout_s) {
        if (insert == cp->last_end) { /* nothing happened: wait another period */
            cp->last_done = now;
            return 0;
        }
        return TIMED_CHECKPOINT;
    }
    return 0;
}

static void checkpointer_tick(void *arg)
{
    SdbCheckpointer *cp = arg;
    pthread_mutex_lock(&cp->lock);
    unsigned due = checkpoint_due(cp);
    pthread_mutex_unlock(&cp->lock);
    if (due != 0 && sdb_checkpoint_run(cp, due & ~TIMED_CHECKPOINT) != SDB_OK) {
        sdb_log_error("checkpointer");
        sdb_error_clear();
    }
}

int sdb_checkpointer_start(SdbCheckpointer *cp)
{
    return sdb_periodic_start(&cp->thread, "checkpointer", POLL_MS, checkpointer_tick, cp);
}

void sdb_checkpointer_stop(SdbCheckpointer *cp)
{
    sdb_periodic_stop(&cp->thread);
}

/* ---- setup ---------------------------------------------------------------------------- */

SdbCheckpointer *sdb_checkpointer_create(const char *datadir, const SdbControlData *control, SdbBufPool *pool,
                                         SdbWal *wal, int64_t timeout_s, uint64_t max_wal_bytes)
{
    SdbCheckpointer *cp = sdb_malloc(sizeof *cp);
    if (cp == NULL)
        return NULL;
    memset(cp, 0, sizeof *cp);
    cp->datadir = sdb_malloc(strlen(datadir) + 1);
    if (cp->datadir == NULL) {
        sdb_free(cp);
        return NULL;
    }
    strcpy(cp->datadir, datadir);
    cp->control = *control;
    cp->pool = pool;
    cp->wal = wal;
    cp->wal_segment_size = control->wal_segment_size;
    cp->timeout_s = timeout_s;
    cp->max_wal_bytes = max_wal_bytes;
    cp->last_end = sdb_wal_insert_lsn(wal);
    clock_gettime(CLOCK_MONOTONIC, &cp->last_done);
    pthread_mutex_init(&cp->run_lock, NULL);
    pthread_mutex_init(&cp->lock, NULL);
    sdb_periodic_init(&cp->thread);
    return cp;
}

void sdb_checkpointer_destroy(SdbCheckpointer *cp)
{
    if (cp == NULL)
        return;
    sdb_periodic_destroy(&cp->thread);
    pthread_mutex_destroy(&cp->run_lock);
    pthread_mutex_destroy(&cp->lock);
    sdb_free(cp->datadir);
    sdb_free(cp);
}

void sdb_checkpointer_set_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg)
{
    pthread_mutex_lock(&cp->lock);
    cp->hook = hook;
    cp->hook_arg = arg;
    pthread_mutex_unlock(&cp->lock);
}

int sdb_checkpointer_add_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg)
{
    pthread_mutex_lock(&cp->lock);
    int rc = SDB_OK;
    if (cp->nextra == SDB_CHECKPOINT_MAX_HOOKS) {
        rc = sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many checkpoint hooks (at most %d)",
                       SDB_CHECKPOINT_MAX_HOOKS);
    } else {
        cp->extra[cp->nextra] = hook;
        cp->extra_arg[cp->nextra++] = arg;
    }
    pthread_mutex_unlock(&cp->lock);
    return rc;
}

void sdb_checkpointer_remove_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg)
{
    /* run_lock: no checkpoint is calling the hook once this returns */
    pthread_mutex_lock(&cp->run_lock);
    pthread_mutex_lock(&cp->lock);
    for (int i = 0; i < cp->nextra; i++) {
        if (cp->extra[i] != hook || cp->extra_arg[i] != arg)
            continue;
        memmove(&cp->extra[i], &cp->extra[i + 1], (size_t)(cp->nextra - i - 1) * sizeof cp->extra[0]);
        memmove(&cp->extra_arg[i], &cp->extra_arg[i + 1], (size_t)(cp->nextra - i - 1) * sizeof cp->extra_arg[0]);
        cp->nextra--;
        break;
    }
    pthread_mutex_unlock(&cp->lock);
    pthread_mutex_unlock(&cp->run_lock);
}

void sdb_checkpointer_control(SdbCheckpointer *cp, SdbControlData *out)
{
    pthread_mutex_lock(&cp->lock);
    *out = cp->control;
    pthread_mutex_unlock(&cp->lock);
}

void sdb_checkpointer_stats(SdbCheckpointer *cp, SdbCheckpointStats *out)
{
    pthread_mutex_lock(&cp->lock);
    *out = cp->stats;
    pthread_mutex_unlock(&cp->lock);
}
