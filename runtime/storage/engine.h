/*
 * storage/engine.h: opening and closing a data directory.
 *
 * Owns the life of the storage engine: initializing a new data directory
 * (what `specdb init` does), opening an existing one (refusing incompatible
 * ones, running crash recovery when the last shutdown was not clean),
 * starting and stopping the background writer and the checkpointer, and the
 * clean shutdown (final checkpoint, control file marked shut down).  The
 * layers above (txn, heap, B+tree, catalog) open on top of an SdbEngine and
 * reach the storage pieces through the accessors here.
 *
 * Thread safety: open and close are called once, by one thread; everything
 * else may be called from any thread between them.
 */
#ifndef SDB_ENGINE_H
#define SDB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sdb_settings.h"
#include "storage/bufpool.h"
#include "storage/checkpoint.h"
#include "storage/control.h"
#include "storage/recovery.h"
#include "storage/smgr.h"
#include "storage/types.h"
#include "storage/wal.h"

typedef struct SdbEngine SdbEngine;

/* Open the data directory `datadir` with `settings` (copied where needed;
 * the caller keeps ownership).
 *  - Missing or empty directory (a lone specdb.conf counts as empty):
 *    initialize it (directories global/, base/, wal/; the first WAL
 *    segment; a first checkpoint, which writes the control file with
 *    settings->block_size and wal_segment_size), then open it.  A crash
 *    during initialization leaves no control file, so the directory is
 *    then refused rather than half-used.
 *  - Otherwise read the control file (an incompatible version or page size
 *    fails with SDB_ERR_SYSTEM_ERROR "database files are incompatible with
 *    server"; a non-empty directory without one fails too) and, if the last
 *    shutdown was not clean, run recovery (recovery.h) and an end-of-
 *    recovery checkpoint.
 * Every open ends with a checkpoint (the control file then says "in
 * production"), and the background writer and checkpointer run.  The block size and WAL segment size of an existing
 * directory come from its control file, not from `settings`.
 * Returns NULL with the error recorded on failure (nothing left running). */
SdbEngine *sdb_engine_open(const char *datadir, const SdbSettings *settings);

/* Clean shutdown: stop the checkpointer and background writer, take a
 * shutdown checkpoint (every dirty page written and synced, a
 * CHECKPOINT_SHUTDOWN record flushed), mark the control file shut down,
 * and free everything.  Upper layers must be closed first and hold no
 * pins.  On failure (the checkpoint could not be completed) the error is
 * recorded, the control file is left "in production" so the next open
 * recovers, everything is freed anyway, and SDB_ERROR is returned.  NULL
 * is ignored. */
int sdb_engine_close(SdbEngine *engine);

/* The pieces, owned by the engine, valid until sdb_engine_close. */
SdbSmgr *sdb_engine_smgr(SdbEngine *engine);
SdbWal *sdb_engine_wal(SdbEngine *engine);
SdbBufPool *sdb_engine_bufpool(SdbEngine *engine);
const char *sdb_engine_datadir(const SdbEngine *engine);
uint32_t sdb_engine_page_size(const SdbEngine *engine);

/* A copy of the current control data (it changes at every checkpoint).
 * After open, next_xid / next_oid are where the txn layer starts. */
void sdb_engine_control(SdbEngine *engine, SdbControlData *out);

/* Whether sdb_engine_open created the directory (so the bootstrap catalog
 * must be built) and what recovery did (ran == false if not needed). */
bool sdb_engine_created(const SdbEngine *engine);
const SdbRecoveryResult *sdb_engine_recovery_result(const SdbEngine *engine);

/* Take a checkpoint now (the CHECKPOINT command); returns when it is
 * durable.  Concurrent requests share one checkpoint. */
int sdb_engine_checkpoint(SdbEngine *engine);

/* Let an upper layer take part in checkpoints (see SdbCheckpointHook in
 * checkpoint.h); one hook, replacing any earlier one; NULL removes it. */
void sdb_engine_set_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg);

/* More layers taking part in checkpoints (the catalog's next OID): hooks
 * called after the one above (sdb_checkpointer_add_hook/remove_hook). */
int sdb_engine_add_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg);
void sdb_engine_remove_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg);

/* Remove every fork of relation `rel` for good, on behalf of transaction
 * `xid` after it committed (DROP TABLE, DROP INDEX, the old storage of
 * TRUNCATE): its cached pages are forgotten, an SMGR drop record per fork
 * is made durable, and the files are removed; with checkpoints held off
 * meanwhile, so no checkpoint writes a page of it after its removal and
 * recovery always replays the removal.  Nobody may use `rel` any more. */
int sdb_engine_drop_relation(SdbEngine *engine, SdbRelFileId rel, SdbXid xid);

/* Cut fork `fork` of `rel` to `nblocks` blocks durably (sdb_smgr_truncate_
 * logged), with its cached pages past the cut forgotten and checkpoints
 * held off meanwhile.  The caller has the relation to itself. */
int sdb_engine_truncate_relation(SdbEngine *engine, SdbRelFileId rel, SdbFork fork, SdbBlockNo nblocks,
                                 SdbXid xid);

/* The checkpointer's counters. */
void sdb_engine_checkpoint_stats(SdbEngine *engine, SdbCheckpointStats *out);

#endif /* SDB_ENGINE_H */
