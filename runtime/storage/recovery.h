/*
 * storage/recovery.h: crash recovery (redo) and the XLOG resource manager.
 *
 * Owns the recovery driver (read the control file's last checkpoint, replay
 * every WAL record from its redo LSN to the end of valid WAL through the
 * resource managers' redo functions), the helpers every redo function uses
 * to get at a block (sdb_redo_read_block / sdb_redo_finish_block), and the
 * XLOG resource manager: checkpoint records (format in checkpoint.h) and
 * "full page image only" records (FPI), which log whole pages for changes
 * that have no record of their own (bulk builds, hint bits).
 *
 * A redo function looks like this:
 *
 *     SdbBuffer *buf;
 *     int action = sdb_redo_read_block(ctx, rec, 0, &buf);
 *     if (action == SDB_REDO_ERROR)
 *         return SDB_ERROR;
 *     if (action == SDB_REDO_NEEDS_REDO) {
 *         ... apply the change to sdb_buf_page(buf) ...
 *         sdb_redo_finish_block(ctx, buf);
 *     }
 *     (SDB_REDO_RESTORED and SDB_REDO_DONE: nothing to do, no buffer)
 *
 * Redo is idempotent: a block is changed only when its page LSN is older
 * than the record, and a full-page image is always safe to restore.
 * Recovery writes no WAL until it has finished (then it writes the
 * end-of-recovery checkpoint), so a crash during recovery just means it
 * runs again from the same checkpoint.
 *
 * Thread safety: recovery runs in one thread, before the engine is handed
 * to anyone; redo functions must act only through the context (buffer pool,
 * smgr), never through state of layers opened later.
 */
#ifndef SDB_RECOVERY_H
#define SDB_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/bufpool.h"
#include "storage/smgr.h"
#include "storage/types.h"
#include "storage/wal.h"

/* What redo functions receive alongside the record. */
typedef struct SdbRedoContext {
    SdbBufPool *pool;      /* pages are read and changed through it */
    SdbSmgr *smgr;  /* for records about files (create, truncate) */
    uint32_t page_size;
    SdbLsn record_lsn;     /* start of the record being replayed */
    SdbLsn end_lsn;        /* its end: the LSN changed pages get */
    /* Ids to hand out after recovery.  The driver raises next_xid past
     * every record's xid; redo functions that learn of ids (checkpoint
     * records, OID records) raise them too, never lower them. */
    SdbXid next_xid;
    uint32_t next_oid;
    /* Counters, for the recovery log line. */
    uint64_t blocks_restored; /* full-page images applied */
    uint64_t blocks_redone;   /* NEEDS_REDO handed out */
    uint64_t blocks_skipped;  /* already up to date */
    uint64_t blocks_missing;  /* block or file gone (dropped later): skipped */
} SdbRedoContext;

/* Outcome of sdb_redo_read_block. */
typedef enum SdbRedoAction {
    SDB_REDO_ERROR = -1,     /* error recorded (SDB_ERROR) */
    SDB_REDO_NEEDS_REDO = 0, /* *out pinned + EXCLUSIVE latched; apply the
                                record, then sdb_redo_finish_block */
    SDB_REDO_RESTORED = 1,   /* the record's full-page image was restored
                                (page LSN set, dirty); *out = NULL */
    SDB_REDO_DONE = 2        /* the page already has the change, or the
                                block no longer exists (its relation was
                                dropped or truncated later); *out = NULL */
} SdbRedoAction;

/* Get block reference `block_index` of `rec` ready for redo:
 *  - it carries an image: restore it (hole zero-filled), set page LSN to
 *    ctx->end_lsn, mark dirty -> RESTORED;
 *  - it is flagged WILL_INIT: a zeroed page (file created/extended if
 *    needed) -> NEEDS_REDO;
 *  - else read the page; LSN >= ctx->end_lsn -> DONE, otherwise
 *    NEEDS_REDO.  A block past the end of its file, or a missing file,
 *    is DONE (counted in blocks_missing; it was dropped or truncated by a
 *    later record).
 * *out is set (pinned, exclusively latched) only for NEEDS_REDO. */
int sdb_redo_read_block(SdbRedoContext *ctx, const SdbWalRecord *rec, int block_index,
                        SdbBuffer **out);

/* After applying a record to a NEEDS_REDO block: set the page LSN to
 * ctx->end_lsn, mark it dirty, unlatch and release it. */
void sdb_redo_finish_block(SdbRedoContext *ctx, SdbBuffer *buf);

/* What a recovery run did. */
typedef struct SdbRecoveryResult {
    bool ran;               /* false when the last shutdown was clean */
    SdbLsn start_lsn;       /* redo LSN of the checkpoint started from */
    SdbLsn end_lsn;         /* end of valid WAL: inserts resume here */
    SdbLsn last_record_lsn; /* start of the last valid record */
    uint64_t records;       /* records replayed */
    double seconds;
    SdbXid next_xid;        /* ids for the end-of-recovery checkpoint */
    uint32_t next_oid;
    uint64_t blocks_restored, blocks_redone, blocks_skipped, blocks_missing;
} SdbRecoveryResult;

/* Replay the WAL described by `wal_config` (its folder, segment and block
 * size, system id) from `redo_lsn` to the end of valid WAL (the first
 * record that is missing, torn or fails its CRC), dispatching each record
 * to its rmgr's redo (sdb_rmgr_redo), with ids starting at next_xid /
 * next_oid (the checkpoint's).  The pages go through `pool`, which must
 * have no WAL attached yet (the WAL cannot be opened for insertion before
 * its end is known; replayed WAL is already on disk).  Logs one line when
 * done.  Writes no WAL and leaves the replayed pages dirty in the pool:
 * the caller (the engine) then opens the WAL at result->end_lsn /
 * last_record_lsn and takes the end-of-recovery checkpoint.  Fails on an
 * I/O error, a redo error or a record of an unknown resource manager. */
int sdb_recovery_replay(SdbBufPool *pool, SdbSmgr *smgr, const SdbWalConfig *wal_config,
                        SdbLsn redo_lsn, SdbXid next_xid, uint32_t next_oid,
                        SdbRecoveryResult *result);

/* ---- XLOG resource manager (SDB_RMGR_XLOG) ------------------------------ */

/* Record kinds (the record's `info`). */
#define SDB_XLOG_CHECKPOINT_SHUTDOWN 0x00 /* main data: SdbCheckpointRecord */
#define SDB_XLOG_CHECKPOINT_ONLINE 0x10   /* main data: SdbCheckpointRecord */
#define SDB_XLOG_FPI 0x20                 /* full images of 1..n blocks, no data */
#define SDB_XLOG_FPI_FOR_HINT 0x30        /* full image of a page whose hint
                                             bits changed, no data */

/* Log full images of `count` pinned pages, each latched EXCLUSIVE by the
 * caller (at most the WAL's block-reference limit per record), in one
 * record; set each page's LSN to the record's end and mark it dirty.  For
 * changes made without WAL (bulk index builds).  *end_lsn (may be NULL)
 * gets the record's end.  The record is inserted, not flushed. */
int sdb_xlog_log_pages(SdbWal *wal, SdbBuffer *const *bufs, int count, SdbLsn *end_lsn);

/* Log an FPI_FOR_HINT record for pinned page `buf`, latched SHARE, whose
 * hint bits changed (used by sdb_buf_mark_dirty_hint).  `page_copy` is a
 * private copy of the page taken by the caller: others may set hint bits
 * meanwhile, and the WAL must checksum exactly the bytes it stores.  The
 * WAL attaches the image only if the page was not logged since the last
 * checkpoint.  Sets *end_lsn; the caller stores it as the page LSN. */
int sdb_xlog_log_hint_image(SdbWal *wal, SdbBuffer *buf, const void *page_copy, SdbLsn *end_lsn);

/* XLOG redo: FPI records restore their images; checkpoint records raise
 * ctx->next_oid / next_xid. */
int sdb_xlog_redo(SdbRedoContext *ctx, const SdbWalRecord *rec);

/* One line describing an XLOG record's contents (rmgr describe hook). */
void sdb_xlog_describe(const SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_RECOVERY_H */
