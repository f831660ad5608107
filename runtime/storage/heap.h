/*
 * storage/heap.h: heap relations: tuples with MVCC headers in slotted pages.
 *
 * Owns the heap tuple format (README "Tuple header (heap)"), every change to
 * heap pages (insert, delete, update, lock, hint bits, prune, batch insert),
 * their WAL records and redo (resource manager SDB_RMGR_HEAP), and reading
 * tuples back by tid or by sequential scan.  The payload of a tuple is opaque
 * row bytes owned by the SQL layer.  Free space is found through the free
 * space map (fsm.h); large values go out of line through toast.h.
 *
 * A tuple on a page is one item (page.h) of SDB_HEAP_TUPLE_HEADER_SIZE
 * header bytes followed by payload_len payload bytes:
 *
 *   0 u64 xmin | 8 u64 xmax | 16 u32 cid | 20 u16 infomask |
 *   22 u16 payload_len | 24 u32 next.block | 28 u16 next.slot | 30 u16 0
 *
 * Visibility is NOT decided here: the heap stores and returns headers, and
 * the MVCC layer (issue 6) interprets them with the commit log.  The heap's
 * only rule is who may set xmax (see SdbHeapResult): an xmax may be
 * replaced only when it is free (0, hinted aborted, or a lock-only xmax
 * hinted committed) or belongs to the same transaction.  When a change is
 * refused the caller gets the header as found, resolves the xmax's status
 * (commit log), records it with sdb_heap_set_hints and retries, waits, or
 * raises a serialization failure.
 *
 * cid: the tuple has one command id.  Insert stores the inserter's cid;
 * delete, update and lock overwrite it with the deleter's/locker's cid
 * (PostgreSQL's combo cid problem is left to the MVCC layer: only the
 * transaction that inserted AND deleted a tuple ever needs both).
 *
 * Update chains: old.next = tid of the new version (on the same page when it
 * fits).  A tuple that was never updated has next == its own tid.  Pruning
 * may free the new version of an aborted update and the slot may be reused,
 * so whoever follows a chain must check new.xmin == old.xmax.
 *
 * Pages: an all-zero page (block extended, never logged, e.g. after a crash)
 * is an empty page; the first inserter initializes it.  A new page is logged
 * with WILL_INIT, so redo never needs the old contents of a fresh page.
 *
 * Thread safety: every function may be called from several threads at once;
 * each change holds the page's exclusive latch while it changes the page and
 * inserts its WAL record.  Two-page changes (update to another page) latch
 * the lower block number first.  An SdbHeapScan belongs to one thread.
 */
#ifndef SDB_HEAP_H
#define SDB_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/types.h"

struct SdbEngine;
struct SdbRedoContext;
struct SdbWalRecord;

/* ---- tuple header --------------------------------------------------------- */

#define SDB_HEAP_TUPLE_HEADER_SIZE 32u

/* infomask: hint bits (re-derivable from the commit log; set without WAL) */
#define SDB_HEAP_XMIN_COMMITTED 0x0001u
#define SDB_HEAP_XMIN_ABORTED 0x0002u
#define SDB_HEAP_XMAX_COMMITTED 0x0004u
#define SDB_HEAP_XMAX_ABORTED 0x0008u
#define SDB_HEAP_HINT_MASK 0x000Fu
/* infomask: flags (WAL-logged with the change that sets them) */
#define SDB_HEAP_XMAX_LOCK_ONLY 0x0010u /* xmax locked the tuple, did not delete it */
#define SDB_HEAP_HAS_EXTERNAL 0x0020u   /* payload holds toast pointers (caller's flag) */
#define SDB_HEAP_UPDATED 0x0040u        /* this tuple is the new version of an update */

/* Flags a caller may pass when inserting. */
#define SDB_HEAP_INSERT_FLAGS SDB_HEAP_HAS_EXTERNAL

/* The decoded tuple header. */
typedef struct SdbHeapTupleHeader {
    SdbXid xmin;          /* inserting transaction */
    SdbXid xmax;          /* deleting or locking transaction, 0 if none */
    SdbCid cid;           /* command number of the last insert/delete/lock */
    uint16_t infomask;    /* SDB_HEAP_* bits above */
    uint16_t payload_len; /* bytes of payload */
    SdbTid next;          /* newer version, or the tuple's own tid */
} SdbHeapTupleHeader;

/* A tuple as returned by a scan: header, tid and a pointer to its payload
 * (header.payload_len bytes) in memory owned by the scan. */
typedef struct SdbHeapTuple {
    SdbTid tid;
    SdbHeapTupleHeader header;
    const uint8_t *payload;
} SdbHeapTuple;

/* Largest payload a tuple can have with pages of `page_size` bytes (a tuple
 * must fit in one page; bigger values go to toast). */
size_t sdb_heap_max_payload(uint32_t page_size);

/* ---- relations ----------------------------------------------------------------- */

/* Create the files of a new, empty heap relation (main fork; the FSM fork
 * is created on first use) and WAL-log the creation (SMGR create record),
 * so redo recreates the file.  SDB_ERR_DUPLICATE_FILE when it exists. */
int sdb_heap_create(struct SdbEngine *engine, SdbRelFileId rel);

/* Number of blocks of the relation's main fork. */
int sdb_heap_nblocks(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo *nblocks);

/* ---- changes ------------------------------------------------------------------- */

/* Outcome of delete / update / lock (the function itself returns SDB_OK). */
typedef enum SdbHeapResult {
    SDB_HEAP_OK = 0,         /* done */
    SDB_HEAP_NOT_FOUND,      /* no tuple at that tid (never was, or pruned) */
    SDB_HEAP_SELF_MODIFIED,  /* already deleted/updated by this same xid
                                (not just locked): nothing changed */
    SDB_HEAP_CONFLICT        /* xmax is another transaction's and not free
                                (no hint says aborted, or committed lock);
                                nothing changed; see *found */
} SdbHeapResult;

/* Insert a tuple with xmin = xid, xmax = 0, cid, infomask = `flags` (only
 * SDB_HEAP_INSERT_FLAGS), payload of `len` bytes (len <=
 * sdb_heap_max_payload, else SDB_ERR_PROGRAM_LIMIT_EXCEEDED; 0 is fine) into a page
 * with room (free space map, then a new page) and WAL-log it.  *tid gets
 * where it went.  The payload is copied. */
int sdb_heap_insert(struct SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid,
                    const void *payload, size_t len, uint16_t flags, SdbTid *tid);

/* One row for sdb_heap_insert_batch. */
typedef struct SdbHeapRow {
    const void *payload;
    size_t len;
    uint16_t flags; /* SDB_HEAP_INSERT_FLAGS */
} SdbHeapRow;

/* Bulk insert (COPY, INSERT ... SELECT): insert `count` rows, all with xmin
 * = xid and cid, filling one page after another (a page with room from the
 * free space map, else a new page): each page is filled under one latch and
 * logged as one record holding all rows put there; a page that was empty
 * (every new page) is logged WILL_INIT, i.e. the record is the whole page.
 * tids[i] gets row i's tid.  On error, rows before the failing one may have
 * been inserted (they belong to xid, which then aborts). */
int sdb_heap_insert_batch(struct SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid,
                          const SdbHeapRow *rows, size_t count, SdbTid *tids);

/* Delete the tuple at `tid`: set xmax = xid and cid, clear the xmax hint
 * bits and the lock-only flag, WAL-log it.  Allowed when xmax is free or
 * xmax == xid with the lock-only flag (upgrading one's own lock).  *result
 * tells what happened; *found (may be NULL) gets the header as it was
 * before (for CONFLICT: the xmax to resolve). */
int sdb_heap_delete(struct SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid,
                    SdbCid cid, SdbHeapResult *result, SdbHeapTupleHeader *found);

/* Delete whatever the tuple's xmax is (no conflict check; NOT_FOUND still
 * reported).  For toast chunks, whose conflicts were settled on the row
 * owning them. */
int sdb_heap_delete_force(struct SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid,
                          SdbCid cid, SdbHeapResult *result);

/* Update the tuple at `old_tid` (same rule as delete) to a new version with
 * `len` bytes of `payload` and `flags`: the old one gets xmax = xid, cid
 * and next = the new tid; the new one xmin = xid, cid, SDB_HEAP_UPDATED,
 * next = itself.  The new version goes on the same page when it fits,
 * otherwise on another page (both changes in one WAL record).  *new_tid is
 * set only when *result is SDB_HEAP_OK. */
int sdb_heap_update(struct SdbEngine *engine, SdbRelFileId rel, SdbTid old_tid, SdbXid xid,
                    SdbCid cid, const void *payload, size_t len, uint16_t flags,
                    SdbTid *new_tid, SdbHeapResult *result, SdbHeapTupleHeader *found);

/* Lock the tuple (SELECT ... FOR UPDATE): xmax = xid with
 * SDB_HEAP_XMAX_LOCK_ONLY, cid, WAL-logged.  Same rule as delete; locking a
 * tuple one already has locked is SDB_HEAP_OK without a change. */
int sdb_heap_lock(struct SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbCid cid,
                  SdbHeapResult *result, SdbHeapTupleHeader *found);

/* Record hint bits (`bits` within SDB_HEAP_HINT_MASK) on the tuple at
 * `tid` that the caller saw with header `seen`: xmin bits are set only if
 * the tuple still has seen->xmin, xmax bits only if it also still has
 * seen->xmax (so a hint never lands on a different transaction).  Not
 * WAL-logged (the page is dirtied as a hint, bufpool.h).  A missing tuple is
 * not an error. */
int sdb_heap_set_hints(struct SdbEngine *engine, SdbRelFileId rel, SdbTid tid,
                       const SdbHeapTupleHeader *seen, uint16_t bits);

/* ---- reading ------------------------------------------------------------------- */

/* Read the tuple at `tid`: *header gets its header and, when `payload` is
 * not NULL, its payload is copied there (capacity `payload_size` must be at
 * least header->payload_len; sdb_heap_max_payload always suffices, else
 * SDB_ERR_INTERNAL_ERROR).  *found is false (and nothing else set) when
 * there is no tuple at tid; a block beyond the end is "not found" too. */
int sdb_heap_fetch(struct SdbEngine *engine, SdbRelFileId rel, SdbTid tid,
                   SdbHeapTupleHeader *header, void *payload, size_t payload_size, bool *found);

typedef struct SdbHeapScan SdbHeapScan;

/* Start a sequential scan of the blocks the relation has now (tuples added
 * later on new pages are not seen).  Each page is copied under its share
 * latch, so the scan sees each page as it was at one instant and holds no
 * pin between calls.  Returns NULL with the error recorded.  Owned by the
 * caller (sdb_heap_scan_end). */
SdbHeapScan *sdb_heap_scan_begin(struct SdbEngine *engine, SdbRelFileId rel);

/* The next tuple in (block, slot) order: SDB_OK with *found true and *out
 * set (payload valid until the next call on this scan), or *found false at
 * the end.  Every tuple is returned, whatever its header says. */
int sdb_heap_scan_next(SdbHeapScan *scan, SdbHeapTuple *out, bool *found);

/* Vectorized form: fill out[0..max-1] with the next tuples (possibly from
 * several pages); *count gets how many (0 only at the end).  Payload
 * pointers stay valid until the next call on this scan. */
int sdb_heap_scan_batch(SdbHeapScan *scan, SdbHeapTuple *out, size_t max, size_t *count);

/* Free the scan (NULL is ignored). */
void sdb_heap_scan_end(SdbHeapScan *scan);

/* ---- vacuum ------------------------------------------------------------------- */

/* Predicate for sdb_heap_prune: true when the tuple is dead to every
 * transaction.  Called with the page latched exclusively: it must not touch
 * the heap or block. */
typedef bool (*SdbHeapDeadFn)(void *arg, SdbTid tid, const SdbHeapTupleHeader *header,
                              const uint8_t *payload);

/* Remove the tuples of `block` for which is_dead says so, compact the page
 * and WAL-log it, then record the new free space in the FSM.  With
 * `keep_slots` the removed tuples' slots become DEAD (reserved: index
 * entries may still point at them; free them with sdb_heap_free_slots once
 * they are gone), otherwise UNUSED (reusable at once: only for relations no
 * index points into, e.g. toast).  *removed (may be NULL) gets the number of
 * tuples removed.  Nothing is logged when nothing is removed. */
int sdb_heap_prune(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block,
                   SdbHeapDeadFn is_dead, void *arg, bool keep_slots, uint32_t *removed);

/* Make the DEAD slots listed in slots[0..count-1] of `block` UNUSED (after
 * the index entries pointing at them were removed); other slots listed are
 * left alone.  WAL-logged. */
int sdb_heap_free_slots(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block,
                        const uint16_t *slots, size_t count);

/* The DEAD slots of `block` (pruned, not yet freed) into slots[0..*count-1],
 * at most `max` of them. */
int sdb_heap_dead_slots(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, uint16_t *slots,
                        size_t max, size_t *count);

/* ---- WAL (resource manager SDB_RMGR_HEAP) ---------------------------------------- */

/* Record kinds (the record's `info`); block data formats in heap.c. */
#define SDB_HEAP_WAL_INSERT 0x00    /* block 0: tuples added (single or batch insert) */
#define SDB_HEAP_WAL_XMAX 0x10      /* block 0: xmax set (delete or lock) */
#define SDB_HEAP_WAL_UPDATE 0x20    /* block 0: new version; the old one on block 0
                                       too, or on block 1 */
#define SDB_HEAP_WAL_PRUNE 0x30     /* block 0: slots made DEAD/UNUSED, compacted */
#define SDB_HEAP_WAL_INIT_PAGE 0x08 /* flag: block 0 was empty; redo initializes it
                                       (logged WILL_INIT, so without an image) */

/* Redo and describe (the HEAP row of rmgr.c). */
int sdb_heap_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec);
void sdb_heap_describe(const struct SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_HEAP_H */
