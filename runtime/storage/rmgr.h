/*
 * storage/rmgr.h: resource managers, the owners of WAL record kinds.
 *
 * Every WAL record names the resource manager that wrote it (SdbWalRecord
 * .rmgr); the rmgr interprets the record's `info` byte, its block references
 * and its main data.  Recovery (and later a replication follower) replays a
 * record by calling its rmgr's redo function; debugging tools and the
 * recovery log print it with the describe function.
 *
 * The table sdb_rmgrs[] lives in rmgr.c, one row per SdbRmgrId.  Each row
 * belongs to the module named next to its id below: that module's owner
 * replaces the NULL redo/describe of its own row with its functions (and
 * includes its header in rmgr.c); nobody edits another module's row.  A
 * record whose rmgr has no redo function makes recovery fail with a clear
 * error (sdb_rmgr_redo).
 */
#ifndef SDB_RMGR_H
#define SDB_RMGR_H

#include <stddef.h>
#include <stdint.h>

#include "storage/wal.h"

/* Resource manager ids: stored in every record, so never renumber them. */
typedef enum SdbRmgrId {
    SDB_RMGR_XLOG = 0,  /* checkpoints, full-page-image-only records (bufpool/recovery) */
    SDB_RMGR_SMGR = 1,  /* relation file create / truncate (smgr, base) */
    SDB_RMGR_XACT = 2,  /* commit / abort (runtime/txn) */
    SDB_RMGR_CLOG = 3,  /* commit log page initialisation (runtime/txn) */
    SDB_RMGR_HEAP = 4,  /* heap tuples (heap) */
    SDB_RMGR_BTREE = 5, /* B+tree pages (btree) */
    SDB_RMGR_COUNT
} SdbRmgrId;

/* Defined by recovery (recovery.h): what a redo routine needs to reach the
 * pages it changes (the buffer pool, the storage manager, the record's LSN
 * ...).  Opaque here. */
struct SdbRedoContext;

typedef struct SdbRmgr {
    const char *name; /* "XLOG", "HEAP" ... */

    /* Apply `rec` (already decoded and CRC-checked) to the pages and files it
     * changes, reaching them through `ctx`.  Must be idempotent: apply a
     * change to a block only when the page LSN is older than rec->end_lsn, or
     * restore the block's image (sdb_wal_restore_image).  Returns SDB_OK, or
     * SDB_ERROR after recording the error (which stops recovery). */
    int (*redo)(struct SdbRedoContext *ctx, const SdbWalRecord *rec);

    /* Write a one-line description of the rmgr-specific content of `rec`
     * (what kind of record, its main fields; not the header, which
     * sdb_rmgr_describe prints) into `buf` of `size` bytes, NUL-terminated,
     * truncating if needed.  Must not fail on any record that decodes. */
    void (*describe)(const SdbWalRecord *rec, char *buf, size_t size);
} SdbRmgr;

/* One row per SdbRmgrId (see the header comment). */
extern const SdbRmgr sdb_rmgrs[SDB_RMGR_COUNT];

/* The row of `id`, or NULL when id >= SDB_RMGR_COUNT. */
const SdbRmgr *sdb_rmgr_get(uint8_t id);

/* Name of rmgr `id` ("HEAP"), or "unknown". */
const char *sdb_rmgr_name(uint8_t id);

/* Replay `rec` through its rmgr's redo function.  A record whose rmgr is
 * unknown or has no redo function fails with SDB_ERR_INTERNAL_ERROR naming
 * the rmgr, the info byte and the LSN ("no redo routine for WAL record of
 * resource manager HEAP (info 0x10) at 0/1A2B38").  When redo fails, the
 * error gets the record's description as context. */
int sdb_rmgr_redo(struct SdbRedoContext *ctx, const SdbWalRecord *rec);

/* Describe `rec` on one line into `buf` (NUL-terminated, truncated to
 * `size`): "lsn 0/1A2B38 len 120 prev 0/1A2AF0 xid 42 HEAP info 0x10
 * blkref #0: rel 1/16384 fork 0 blk 3 image 812 bytes; <rmgr description>".
 * Returns buf. */
char *sdb_rmgr_describe(const SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_RMGR_H */
