/*
 * storage/smgr.h: the storage manager: relation file id + fork -> a file.
 *
 * Owns the naming of relation files in a data directory
 *     DIR/global/<relnumber>[_fsm]          database OID 0 (shared)
 *     DIR/base/<dboid>/<relnumber>[_fsm]    everything else
 * a cache of their open files, whole-block I/O on them (block b lives at
 * byte b * page_size), extension, truncation, unlinking, the set of files
 * written since the last sync (for checkpoints), and the WAL records and redo
 * for creating and truncating a relation fork (smgr_wal.c, the only part that
 * uses the WAL and buffer pool above this layer).
 *
 * Thread-safety: every function may be called from several threads at once.
 * The handle's file table is guarded by a mutex; extension and truncation of
 * one fork are serialised.  The number of open files is capped (see
 * sdb_smgr_set_max_open_files), so any number of relations works within the
 * process's descriptor limit.  The caller (buffer pool, locks) makes sure nobody
 * reads or writes a fork while it is truncated or unlinked.
 */
#ifndef SDB_SMGR_H
#define SDB_SMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/fileio.h"
#include "storage/types.h"

typedef struct SdbSmgr SdbSmgr;

/* Longest relative path of a relation file, "base/4294967295/4294967295_fsm". */
#define SDB_SMGR_PATH_MAX 64

/* Open a storage manager for data directory `datadir` (which must exist)
 * whose pages are `page_size` bytes (from the control file).  With `direct_io`
 * files are opened with O_DIRECT, and buffers passed in must then be
 * SDB_FILE_ALIGNMENT-aligned (sdb_file_alloc_aligned).  Returns a handle
 * owned by the caller (sdb_smgr_close) or NULL after recording the error
 * (a missing directory, or a page size that sdb_page_size_valid refuses). */
SdbSmgr *sdb_smgr_open(const char *datadir, uint32_t page_size, bool direct_io);

/* Close every cached file and free the handle (NULL is a no-op).  Does not
 * sync: call sdb_smgr_sync_all first for durability.  Returns SDB_ERROR if a
 * close failed (everything is freed anyway). */
int sdb_smgr_close(SdbSmgr *smgr);

/* At most this many relation files are kept open (default: half the soft
 * RLIMIT_NOFILE; at least 4).  Past it, the least recently used file not in
 * use is closed (and reopened when needed again; a dirty one stays dirty).
 * Files in use by running operations may briefly exceed it. */
void sdb_smgr_set_max_open_files(SdbSmgr *smgr, size_t max_open_files);

/* How many relation files are open now. */
size_t sdb_smgr_open_files(SdbSmgr *smgr);

uint32_t sdb_smgr_page_size(const SdbSmgr *smgr);
const char *sdb_smgr_datadir(const SdbSmgr *smgr);

/* The relative path of a fork's file, e.g. "base/5/16384_fsm", into `buf`
 * (at least SDB_SMGR_PATH_MAX bytes). */
void sdb_smgr_path(SdbRelFileId rel, SdbFork fork, char *buf, size_t size);

/* Create the fork's file, empty, with its directories (base/<dboid>); the new
 * directory entries are fsynced.  With `exists_ok` (redo) an existing file is
 * kept as it is; otherwise it is SDB_ERR_DUPLICATE_FILE. */
int sdb_smgr_create(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, bool exists_ok);

/* Whether the fork's file exists (errors other than "not found" fail). */
int sdb_smgr_exists(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, bool *exists);

/* Number of whole blocks in the fork (a partial block at the end, left by a
 * crash during extension, is not counted and is overwritten by the next
 * extension).  The file must exist. */
int sdb_smgr_nblocks(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo *nblocks);

/* Read block `block` into `buf` (page_size bytes).  A block at or past the
 * end of the file is an error (SDB_ERR_DATA_CORRUPTED), never zeros.  The
 * page is not verified here (the buffer pool calls sdb_page_verify). */
int sdb_smgr_read(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo block, void *buf);

/* Write `buf` (page_size bytes) to block `block`.  Writing past the end
 * grows the file (blocks in between read as zeros).  The fork is remembered
 * as dirty for sdb_smgr_sync_all.  The caller sets the page checksum. */
int sdb_smgr_write(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo block, const void *buf);

/* Append `count` zero-filled blocks (space allocated on disk, so ENOSPC is
 * reported now rather than at a later write); *first gets the number of the
 * first new block (may be NULL).  On failure the fork keeps its old size. */
int sdb_smgr_extend(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo count, SdbBlockNo *first);

/* Cut the fork to `nblocks` blocks (no-op if it is not longer) and fsync it. */
int sdb_smgr_truncate(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo nblocks);

/* Close and remove the fork's file (a missing file is fine) and fsync its
 * directory.  It is dropped from the dirty set. */
int sdb_smgr_unlink(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork);

/* fsync one fork now (and drop it from the dirty set). */
int sdb_smgr_sync(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork);

/* Whether writing back a data file failed since `smgr` was opened: a failed
 * fsync, or an error reported when an idle file was closed.  The kernel may
 * have dropped those dirty pages and a later fsync would not say so, so from
 * then on no checkpoint may complete (the WAL since the last good checkpoint
 * is the only sure copy); a restart runs recovery from there.  Sticky. */
bool sdb_smgr_writeback_failed(SdbSmgr *smgr);

/* fsync every fork written or extended since it was last synced (for a
 * checkpoint).  A fork whose fsync fails stays dirty and the first error is
 * returned; a checkpoint must then fail (PostgreSQL's lesson: the kernel may
 * have dropped the unwritten pages, so a retried fsync proves nothing). */
int sdb_smgr_sync_all(SdbSmgr *smgr);

/* Close every cached file (they reopen on demand); dirty forks are synced
 * first so no write is forgotten. */
int sdb_smgr_close_all(SdbSmgr *smgr);

/* Add the read/write of one block to `batch` (opening the file if needed).
 * `buf` must stay valid until sdb_smgr_batch_submit.  Mix freely with
 * requests on other forks. */
int sdb_smgr_batch_add_read(SdbSmgr *smgr, SdbIoBatch *batch, SdbRelFileId rel, SdbFork fork,
                            SdbBlockNo block, void *buf);
int sdb_smgr_batch_add_write(SdbSmgr *smgr, SdbIoBatch *batch, SdbRelFileId rel, SdbFork fork,
                             SdbBlockNo block, const void *buf);

/* Submit a batch filled by sdb_smgr_batch_add_* (sdb_io_batch_submit), then
 * mark the forks written by it dirty.  The batch is reset afterwards, also
 * on failure. */
int sdb_smgr_batch_submit(SdbSmgr *smgr, SdbIoBatch *batch);

/* ---- WAL (resource manager SDB_RMGR_SMGR; implemented in smgr_wal.c) ------ */

struct SdbWal;
struct SdbWalRecord;
struct SdbRedoContext;

/* Record kinds (the record's `info`). */
#define SDB_SMGR_WAL_CREATE 0x10   /* main data: SdbSmgrCreateRecord */
#define SDB_SMGR_WAL_TRUNCATE 0x20 /* main data: SdbSmgrTruncateRecord */
#define SDB_SMGR_WAL_DROP 0x30     /* main data: SdbSmgrCreateRecord (which fork to remove) */

/* Payload of "create relation fork": redo creates the file if missing. */
typedef struct SdbSmgrCreateRecord {
    uint32_t db_oid;
    uint32_t rel_number;
    uint32_t fork; /* SdbFork */
} SdbSmgrCreateRecord;

/* Payload of "truncate relation fork to nblocks": redo truncates the file
 * if it is longer (a missing file is created, then left empty). */
typedef struct SdbSmgrTruncateRecord {
    uint32_t db_oid;
    uint32_t rel_number;
    uint32_t fork; /* SdbFork */
    uint32_t nblocks;
} SdbSmgrTruncateRecord;

/* Create a relation fork durably for a transaction: insert an
 * SDB_SMGR_WAL_CREATE record (not flushed: the commit record's flush covers
 * it), then sdb_smgr_create (exists_ok false).  Redo recreates the file after
 * a crash; an aborted creator leaves an empty file behind (DROP removes it). */
int sdb_smgr_create_logged(SdbSmgr *smgr, struct SdbWal *wal, SdbRelFileId rel, SdbFork fork, SdbXid xid);

/* Truncate a relation fork to `nblocks` durably: insert an
 * SDB_SMGR_WAL_TRUNCATE record, flush the WAL up to it (so the cut can never
 * be on disk before the record is), then sdb_smgr_truncate.  The caller has
 * already dropped the fork's cached pages >= nblocks from the buffer pool
 * (sdb_bufpool_drop_rel) and holds the relation exclusively. */
int sdb_smgr_truncate_logged(SdbSmgr *smgr, struct SdbWal *wal, SdbRelFileId rel, SdbFork fork,
                             SdbBlockNo nblocks, SdbXid xid);

/* Remove a relation fork durably: insert an SDB_SMGR_WAL_DROP record, flush
 * the WAL up to it, then sdb_smgr_unlink (a missing file is fine).  The
 * caller has already dropped the fork's cached pages (sdb_bufpool_drop_rel
 * from block 0), holds the relation exclusively, and keeps checkpoints out
 * (see sdb_engine_drop_relation). */
int sdb_smgr_drop_logged(SdbSmgr *smgr, struct SdbWal *wal, SdbRelFileId rel, SdbFork fork, SdbXid xid);

/* Redo of an SMGR record (the SdbRmgr.redo of SDB_RMGR_SMGR): CREATE
 * creates the file if missing; TRUNCATE creates it if missing, drops the
 * pool's pages >= nblocks (ctx->pool, when set) and truncates; DROP drops
 * the pool's pages and removes the file if present.  All are
 * idempotent.  A payload of the wrong size or an unknown info is
 * SDB_ERR_DATA_CORRUPTED. */
int sdb_smgr_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec);

/* One-line description of an SMGR record for sdb_rmgr_describe, e.g.
 * "create rel 5/16384 fork main" or "truncate rel 5/16384 fork fsm to 3
 * blocks" (the SdbRmgr.describe of SDB_RMGR_SMGR). */
void sdb_smgr_describe(const struct SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_SMGR_H */
