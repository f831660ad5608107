/*
 * storage/bufpool.h: the buffer pool, the one cache of data pages.
 *
 * Owns a fixed array of page frames (shared_buffers / page size of them),
 * the table mapping (relation file, fork, block) to a frame, pins, page
 * latches, eviction (CLOCK, LRU-K with K = 2, or ARC, chosen by the
 * buffer_eviction setting), the write-ahead rule, checksums on every read
 * and write, and the background writer thread.
 *
 * Using a page:
 *
 *     SdbBuffer *buf = sdb_buf_read(pool, rel, SDB_FORK_MAIN, block, SDB_BUF_READ);
 *     if (buf == NULL)
 *         return SDB_ERROR;                 // error recorded (I/O, corrupt page, pool full)
 *     sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
 *     ... change sdb_buf_page(buf) ...
 *     sdb_buf_mark_dirty(buf);
 *     lsn = sdb_wal_insert(wal, &b, ...);   // record describing the change
 *     sdb_buf_set_lsn(buf, lsn);            // end LSN of that record
 *     sdb_buf_unlock(buf);
 *     sdb_buf_release(buf);
 *
 * What matters is that the change, the WAL insert, the LSN update and the
 * dirty mark all happen under one holding of the exclusive latch (marking
 * dirty before or after the insert are both fine).  A checkpoint chooses
 * its redo LSN and then writes what is dirty; a page whose record lies
 * before the redo LSN must be written by it, so sdb_bufpool_flush_all
 * waits for pages that are exclusively latched at the time it reaches
 * them, and writes them if they turn out dirty.
 *
 * Pins.  sdb_buf_read returns the frame pinned (reference count + 1); a
 * pinned frame is never evicted, so sdb_buf_page stays valid until
 * sdb_buf_release.  Pins are counted, so one thread may pin a page twice.
 *
 * Latches.  The page bytes are protected by a shared/exclusive latch per
 * frame: read under SHARE, change under EXCLUSIVE.  Latches are not
 * reentrant.  Lock order: the mapping table's partition locks are never
 * held while waiting for a page latch or doing I/O; a thread latching
 * several pages of one relation takes them in the order the structure's
 * own protocol defines (the B+tree: left to right, child before parent on
 * the way up).  No I/O is ever done under a pool-wide lock, so readers of
 * different pages never wait for each other's reads.
 *
 * Reads and writes.  A read checks the page's checksum and header sanity
 * (page.h); a bad page fails with SDB_ERR_DATA_CORRUPTED naming file and
 * block, and the frame is left invalid, so nothing corrupt is cached and a
 * later read tries the disk again.  An all-zero page (a block extended but
 * never written) reads as a new, empty page.  A write flushes the WAL up to
 * the page's LSN first (the write-ahead rule), then writes a checksummed
 * copy of the page, so concurrent hint-bit setters never tear the checksum.
 *
 * Thread safety: every function here may be called from any thread; a
 * SdbBuffer handle is shared (it names the frame), but each pin belongs to
 * whoever took it and must be released exactly once.
 */
#ifndef SDB_BUFPOOL_H
#define SDB_BUFPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/smgr.h"
#include "storage/types.h"
#include "storage/wal.h"

typedef struct SdbBufPool SdbBufPool;
typedef struct SdbBuffer SdbBuffer; /* one frame; valid while pinned */

/* How sdb_buf_read finds the page. */
typedef enum SdbBufMode {
    /* Read `block`, which must exist (block < number of blocks). */
    SDB_BUF_READ = 0,
    /* Append one new zeroed page at the end of the fork (pass
     * SDB_INVALID_BLOCK as the block; sdb_buf_block() tells which block it
     * got).  The file is extended on disk at once, so concurrent extenders
     * get different blocks.  Returned EXCLUSIVELY latched (not dirty: the
     * zeros are on disk already); the caller initializes the page, marks
     * it dirty and logs it.  Until then, others may see it as a new
     * (all-zero) page, as they would after a crash. */
    SDB_BUF_NEW,
    /* A zero-filled page for `block` without reading it, for callers that
     * overwrite the whole page (redo of a full-page image or of a record
     * that initializes the page).  The fork file is created and extended
     * with zero pages up to `block` if it is shorter.  Returned EXCLUSIVELY
     * latched. */
    SDB_BUF_ZERO
} SdbBufMode;

typedef enum SdbBufLatch {
    SDB_BUF_SHARE = 0,
    SDB_BUF_EXCLUSIVE
} SdbBufLatch;

/* Counters since the pool was created (for monitoring). */
typedef struct SdbBufPoolStats {
    uint64_t hits;             /* sdb_buf_read found the page cached */
    uint64_t misses;           /* ... had to read it (or zero it) */
    uint64_t reads;            /* pages read from disk */
    uint64_t writes;           /* pages written, by anyone */
    uint64_t bgwriter_writes;  /* ... of which by the background writer */
    uint64_t evictions;        /* valid pages thrown out to make room */
    uint64_t corrupt_reads;    /* reads refused for a bad checksum/header */
    uint32_t frames;           /* pool size */
    uint32_t dirty;            /* frames dirty right now */
    uint32_t pinned;           /* frames pinned right now */
} SdbBufPoolStats;

/* The pool's shape. */
typedef struct SdbBufPoolConfig {
    uint32_t page_size;    /* bytes, as in the control file */
    uint32_t frames;       /* number of frames; at least 16 */
    int eviction;          /* SdbSetting_buffer_eviction */
    uint32_t bgwriter_delay_ms; /* background writer period; 0 = no thread */
    bool log_hint_images;  /* full_page_writes: sdb_buf_mark_dirty_hint
                              logs images (needs a WAL) */
} SdbBufPoolConfig;

/* Frames for a shared_buffers setting (kB) and page size: at least 16. */
uint32_t sdb_bufpool_frames_for(int64_t shared_buffers_kb, uint32_t page_size);

/* Create a pool over `smgr` (borrowed; must outlive the pool).  `wal`
 * (borrowed) is flushed before dirty pages are written; NULL means the
 * pages served are not WAL-logged (tools and tests), so no flush is done.
 * Starts the background writer when config->bgwriter_delay_ms > 0.
 * Returns NULL with the error recorded (53200 when the frames cannot be
 * allocated, 22023 for a bad config). */
SdbBufPool *sdb_bufpool_create(SdbSmgr *smgr, SdbWal *wal,
                               const SdbBufPoolConfig *config);

/* Attach the WAL once it is open (the engine opens it only after
 * recovery has found its end; during recovery the pool has none and
 * writes pages without flushing WAL, which is already on disk).  Call
 * before other threads use the pool. */
void sdb_bufpool_set_wal(SdbBufPool *pool, SdbWal *wal);

/* Stop the background writer and free the pool WITHOUT writing dirty
 * pages (call sdb_bufpool_flush_all first for a clean shutdown; not doing
 * so is how tests simulate a crash).  No frame may be pinned.  NULL is
 * ignored. */
void sdb_bufpool_destroy(SdbBufPool *pool);

/* Pin the page (rel, fork, block) according to `mode` and return its
 * frame, or NULL with the error recorded: SDB_ERR_DATA_CORRUPTED (bad page,
 * or block beyond the end of the fork for SDB_BUF_READ), an I/O error from
 * smgr, SDB_ERR_INSUFFICIENT_RESOURCES "no unpinned buffers available" when
 * every frame is pinned.  Unlatched for SDB_BUF_READ, exclusively latched
 * for SDB_BUF_NEW and SDB_BUF_ZERO. */
SdbBuffer *sdb_buf_read(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork,
                        SdbBlockNo block, SdbBufMode mode);

/* Take another pin on a frame the caller already has pinned. */
void sdb_buf_pin_again(SdbBuffer *buf);

/* Drop one pin.  The caller must not hold the frame's latch through this
 * pin any more (unlock first, or use sdb_buf_unlock_release). */
void sdb_buf_release(SdbBuffer *buf);

/* Latch the pinned frame's page SHARE or EXCLUSIVE (blocks until granted)
 * and release that latch. */
void sdb_buf_lock(SdbBuffer *buf, SdbBufLatch latch);
void sdb_buf_unlock(SdbBuffer *buf);

/* sdb_buf_unlock then sdb_buf_release. */
void sdb_buf_unlock_release(SdbBuffer *buf);

/* The page bytes (page_size of them) of a pinned frame. */
uint8_t *sdb_buf_page(SdbBuffer *buf);

/* Which page a pinned frame holds. */
SdbBlockNo sdb_buf_block(const SdbBuffer *buf);
SdbRelFileId sdb_buf_rel(const SdbBuffer *buf);
SdbFork sdb_buf_fork(const SdbBuffer *buf);

/* Mark the page changed; it will be written before the frame is reused.
 * Caller holds the EXCLUSIVE latch it changed the page and logged the
 * change under (see the header comment). */
void sdb_buf_mark_dirty(SdbBuffer *buf);

/* Set the page header's LSN (end of the WAL record that changed it).
 * Caller holds the EXCLUSIVE latch. */
void sdb_buf_set_lsn(SdbBuffer *buf, SdbLsn lsn);

/* The page header's LSN; caller holds a latch. */
SdbLsn sdb_buf_lsn(SdbBuffer *buf);

/* Mark the page dirty after a change that needs no WAL record of its own
 * (hint bits), holding only the SHARE latch.  The change may be lost in a
 * crash, so it must be one that can be recomputed.  When the page was
 * clean and config.log_hint_images is set, an XLOG FPI_FOR_HINT record is
 * logged first (recovery.h); the WAL attaches the page's image if this is
 * its first change since the last checkpoint, so a write torn by a crash
 * can be repaired.  Returns SDB_ERROR only if that WAL insert fails (the
 * page is then left clean). */
int sdb_buf_mark_dirty_hint(SdbBuffer *buf);

/* Write every dirty page (each after flushing the WAL to its LSN), then
 * sync all files (smgr).  Used by checkpoints (after choosing the redo
 * LSN) and clean shutdown; other threads keep using the pool meanwhile.
 * So that every change logged before the call is written, it first waits
 * for hint-image logging in progress (see sdb_buf_mark_dirty_hint), and it
 * waits for each clean page that is exclusively latched when it gets there
 * (a change whose dirty mark may still be to come).  Pages dirtied after
 * the call starts may or may not be written. */
int sdb_bufpool_flush_all(SdbBufPool *pool);

/* Forget the pages of (rel, fork) numbered `from_block` and above, dirty
 * or not, without writing them (DROP: from_block 0; TRUNCATE to n blocks:
 * from_block n); call it before removing or truncating the file.  `fork`
 * SDB_FORK_COUNT means every fork.  The caller has the relation to
 * itself, so pins found are transient (a write in progress) and are
 * waited for; a page still pinned after 5 seconds is an error
 * (SDB_ERR_OBJECT_IN_USE), with the pages before it dropped already. */
int sdb_bufpool_drop_rel(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork,
                         SdbBlockNo from_block);

/* Start / stop the background writer.  Every `delay_ms` it writes a few
 * dirty unpinned pages that eviction is about to reach, so foreground
 * reads rarely have to write.  Start when running already is a no-op;
 * stop waits for the thread to end (and is a no-op when not running). */
int sdb_bufpool_start_bgwriter(SdbBufPool *pool, uint32_t delay_ms);
void sdb_bufpool_stop_bgwriter(SdbBufPool *pool);

/* Copy of the counters (consistent enough for monitoring, not atomic). */
void sdb_bufpool_stats(SdbBufPool *pool, SdbBufPoolStats *out);

/* The page size the pool was created with. */
uint32_t sdb_bufpool_page_size(const SdbBufPool *pool);

/* Name of an eviction policy ("clock", "lru_k", "arc"). */
const char *sdb_bufpool_eviction_name(int eviction);

#endif /* SDB_BUFPOOL_H */
