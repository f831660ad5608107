/*
 * storage/checkpoint.h: fuzzy checkpoints and the checkpointer thread.
 *
 * Owns the checkpoint: note the redo LSN (the WAL insert position, from
 * where recovery must replay), write every dirty buffer and sync the files
 * while inserts go on, write a checkpoint WAL record (redo LSN, next xid,
 * next oid) and flush it, update the control file (checkpoint LSN, redo
 * LSN, ids), then let the WAL recycle segments wholly before the redo LSN.
 * The checkpointer thread takes one every checkpoint_timeout and whenever
 * more than max_wal_size of WAL was written since the last one.
 *
 * Thread safety: every function may be called from any thread; checkpoints
 * are serialized (a request made while one runs waits for the next one to
 * complete, so it covers everything done before the request).
 */
#ifndef SDB_CHECKPOINT_H
#define SDB_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/bufpool.h"
#include "storage/control.h"
#include "storage/types.h"
#include "storage/wal.h"

/* Main data of XLOG CHECKPOINT_ONLINE / CHECKPOINT_SHUTDOWN records. */
typedef struct SdbCheckpointRecord {
    SdbLsn redo_lsn;    /* replay starts here */
    SdbXid next_xid;
    uint32_t next_oid;
    uint32_t reserved;  /* 0 */
    SdbTimestamp time;  /* when the checkpoint started */
} SdbCheckpointRecord;

/* Kinds of checkpoint (flags for sdb_checkpoint_run). */
#define SDB_CHECKPOINT_SHUTDOWN 0x01        /* last one before close: the
                                               WAL must be idle */
#define SDB_CHECKPOINT_END_OF_RECOVERY 0x02 /* right after recovery */
#define SDB_CHECKPOINT_REQUESTED 0x04       /* explicit CHECKPOINT */

/* Ids the checkpoint record and control file carry, filled by the hook. */
typedef struct SdbCheckpointIds {
    SdbXid next_xid;
    uint32_t next_oid;
} SdbCheckpointIds;

/* Called by every checkpoint after the redo LSN is chosen and before the
 * buffers are written: make the layer's own state durable up to now (state
 * kept in buffer-pool pages just needs to be dirty: it is written next),
 * and raise ids->next_xid / next_oid to the next ids it would hand out
 * (they arrive holding the previous checkpoint's values).  Returning
 * SDB_ERROR (error recorded) fails the checkpoint. */
typedef int (*SdbCheckpointHook)(void *arg, SdbCheckpointIds *ids);

typedef struct SdbCheckpointStats {
    uint64_t timed;           /* started by checkpoint_timeout */
    uint64_t requested;       /* explicit, WAL volume, shutdown, recovery */
    uint64_t failed;
    uint64_t buffers_written; /* pages the pool wrote while checkpoints
                                 flushed (includes the bgwriter's) */
    double flush_seconds;     /* total time writing and syncing buffers */
    SdbLsn last_lsn;          /* start of the last checkpoint record */
    SdbLsn last_redo_lsn;
    SdbTimestamp last_time;
} SdbCheckpointStats;

typedef struct SdbCheckpointer SdbCheckpointer;

/* Set up checkpoints for the data directory `datadir` (copied) whose
 * current control data is `control` (copied: the checkpointer owns the
 * control file from now on).  `pool` and `wal` are borrowed.
 * `timeout_s` and `max_wal_bytes` drive the thread (0 = never for that
 * trigger).  No thread runs until sdb_checkpointer_start.  NULL with the
 * error recorded on failure. */
SdbCheckpointer *sdb_checkpointer_create(const char *datadir, const SdbControlData *control,
                                         SdbBufPool *pool, SdbWal *wal, int64_t timeout_s,
                                         uint64_t max_wal_bytes);

/* Start / stop the checkpointer thread (stop waits for a running
 * checkpoint to end).  Start when running is a no-op.  The thread takes
 * a checkpoint when timeout_s passed since the last one (if any WAL was
 * written since), and when the WAL written since the last redo LSN
 * exceeds half of max_wal_bytes (the WAL kept for recovery then stays
 * around max_wal_bytes).  Failures are logged. */
int sdb_checkpointer_start(SdbCheckpointer *cp);
void sdb_checkpointer_stop(SdbCheckpointer *cp);

/* Stop the thread and free (the control file is not touched). */
void sdb_checkpointer_destroy(SdbCheckpointer *cp);

/* Take a checkpoint with `flags` (SDB_CHECKPOINT_*) in the calling thread
 * and return when it is durable and recorded in the control file.
 * Checkpoints are serialized; a caller that had to wait for another one is
 * satisfied by any checkpoint that started after its call and succeeded.
 * On failure nothing is recorded as done: the control file still names
 * the previous checkpoint, which remains a correct starting point. */
int sdb_checkpoint_run(SdbCheckpointer *cp, unsigned flags);

void sdb_checkpointer_set_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg);

/* Further hooks, called after the one set above, in the order added (at
 * most SDB_CHECKPOINT_MAX_HOOKS; 54000 past that).  Removing waits for a
 * running checkpoint to finish, so the hook is not called afterwards. */
#define SDB_CHECKPOINT_MAX_HOOKS 8
int sdb_checkpointer_add_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg);
void sdb_checkpointer_remove_hook(SdbCheckpointer *cp, SdbCheckpointHook hook, void *arg);
/* Keep checkpoints out (waiting for one in progress to finish) until
 * sdb_checkpointer_release: for changes that must not be split by a
 * checkpoint's redo point, such as dropping a relation's buffers, logging
 * the removal and removing the file. */
void sdb_checkpointer_hold(SdbCheckpointer *cp);
void sdb_checkpointer_release(SdbCheckpointer *cp);
void sdb_checkpointer_control(SdbCheckpointer *cp, SdbControlData *out);
void sdb_checkpointer_stats(SdbCheckpointer *cp, SdbCheckpointStats *out);

#endif /* SDB_CHECKPOINT_H */
