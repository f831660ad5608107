/*
 * storage/btree.h: the B+tree index (a Lehman-Yao B-link tree).
 *
 * Owns index relations: an ordered map from byte-string keys to heap tids,
 * stored in the main fork of a relation, one node per page, every change
 * WAL-logged under SDB_RMGR_BTREE and replayed by sdb_btree_redo.
 *
 * Keys.  A key is a byte string of 1.. sdb_btree_max_key_len(page_size)
 * bytes (about page_size / 4), ordered by memcmp over the common length,
 * then shorter first.  The SQL layer encodes typed keys into an
 * order-preserving byte format, so the tree needs no type-specific
 * comparators.  A longer key is refused with 54000 program_limit_exceeded
 * ("index row size N exceeds btree maximum M").
 *
 * Entries.  Every entry is (key, tid); the tid is the last part of the
 * entry's sort key, so entries are unique and ordered even when keys repeat
 * (like PostgreSQL 12+).  A unique index differs only in that insert first
 * looks for entries with an equal key (see sdb_btree_insert).
 *
 * Concurrency.  Every page has a high key (upper bound of its keys, except
 * on the rightmost page of a level) and right and left sibling links.
 * Readers hold at most one page latch at a time and move right when a key is
 * beyond a page's high key; writers latch bottom-up on splits.  All
 * functions are thread-safe: one SdbBtree is shared by every thread of the
 * process that uses the index (sdb_btree_open returns the same handle for
 * the same engine and relation).  The protocols are in runtime/storage/README.md
 * ("B+tree").
 *
 * Memory: handles, scans and builds are allocated here and freed by their
 * close/finish/abort function; keys handed in are copied when kept.
 */
#ifndef SDB_BTREE_H
#define SDB_BTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/types.h"

struct SdbEngine;
struct SdbWalRecord;
struct SdbRedoContext;

/* Results besides SDB_OK (0) and SDB_ERROR (-1). */
#define SDB_BTREE_CONFLICT 1  /* unique index: an equal key blocks the insert */
#define SDB_BTREE_NOT_FOUND 2 /* delete: no such (key, tid) entry */
#define SDB_BTREE_END 3       /* scan: no more entries */

/* Default leaf fill factor (percent) of sdb_btree_build_begin. */
#define SDB_BTREE_DEFAULT_FILLFACTOR 90

typedef struct SdbBtree SdbBtree;
typedef struct SdbBtreeScan SdbBtreeScan;
typedef struct SdbBtreeBuild SdbBtreeBuild;

/* Longest key (bytes) an index on pages of `page_size` bytes accepts. */
size_t sdb_btree_max_key_len(uint32_t page_size);

/* ---- creating and opening ------------------------------------------------ */

/* Make an empty index in relation `rel`: creates its main fork file (which
 * must not exist; smgr create record) and writes the metapage (block 0) and
 * an empty root leaf, WAL-logged with `xid` (SDB_INVALID_XID when none).
 * `unique` is recorded in the metapage.  Not flushed: the caller's commit
 * makes it durable. */
int sdb_btree_create(struct SdbEngine *engine, SdbRelFileId rel, bool unique, SdbXid xid);

/* Open the index in `rel` (made by sdb_btree_create or a build).  Reads and
 * checks the metapage (SDB_ERR_INDEX_CORRUPTED when it is not a B+tree
 * metapage of this version).  Returns the process's shared handle for
 * (engine, rel), its reference count raised by one; the engine must outlive
 * it.  NULL with the error recorded. */
SdbBtree *sdb_btree_open(struct SdbEngine *engine, SdbRelFileId rel);

/* Drop one reference; the last frees the handle.  No scan of it may be open
 * any more.  NULL is ignored. */
void sdb_btree_close(SdbBtree *bt);

/* Whether the index was created unique. */
bool sdb_btree_is_unique(const SdbBtree *bt);

/* ---- changing entries ---------------------------------------------------- */

/* Decides whether an existing entry whose key equals the new one blocks an
 * insert into a unique index (the SQL layer: "is that row visible or still
 * in progress?").  Called with an index leaf latched: it may read the heap
 * but must not use this index. */
typedef bool (*SdbBtreeConflictFn)(void *arg, SdbTid existing);

/* Insert (key, tid), WAL-logged with `xid`.  In a unique index, every entry
 * with an equal key is first passed to `is_conflict` (NULL: every such entry
 * conflicts); at the first one for which it returns true nothing is
 * inserted, its tid goes to *conflict (may be NULL) and SDB_BTREE_CONFLICT
 * is returned; the caller raises 23505 or waits and retries.  The check and
 * the insert are atomic with respect to other inserts of the same key.  A
 * non-unique index never calls `is_conflict`.  Inserting an entry that is
 * already present (same key and tid) fails with SDB_ERR_INTERNAL_ERROR.
 * Returns SDB_OK, SDB_BTREE_CONFLICT, or SDB_ERROR (54000 for a too-long
 * key, I/O and corruption errors). */
int sdb_btree_insert(SdbBtree *bt, const void *key, size_t key_len, SdbTid tid, SdbXid xid,
                     SdbBtreeConflictFn is_conflict, void *arg, SdbTid *conflict);

/* Look for entries with a key equal to `key` as a unique insert would,
 * without inserting: SDB_BTREE_CONFLICT (tid in *conflict) or SDB_OK. */
int sdb_btree_check_unique(SdbBtree *bt, const void *key, size_t key_len,
                           SdbBtreeConflictFn is_conflict, void *arg, SdbTid *conflict);

/* Remove the entry (key, tid), WAL-logged with `xid`.  A leaf left empty is
 * taken out of the tree (README: "B+tree deletion") and its page recycled
 * once no scan can still reach it.  Returns SDB_OK, SDB_BTREE_NOT_FOUND or
 * SDB_ERROR. */
int sdb_btree_delete(SdbBtree *bt, const void *key, size_t key_len, SdbTid tid, SdbXid xid);

/* ---- scans --------------------------------------------------------------- */

/* One end of a scan range; key NULL means unbounded on that side. */
typedef struct SdbBtreeBound {
    const void *key;
    size_t key_len;
    bool inclusive;
} SdbBtreeBound;

typedef enum SdbBtreeDirection {
    SDB_BTREE_FORWARD = 0,
    SDB_BTREE_BACKWARD = 1
} SdbBtreeDirection;

/* One entry returned by a scan: `key` points into the scan's memory and
 * stays valid until the scan's next call. */
typedef struct SdbBtreeEntry {
    const uint8_t *key;
    size_t key_len;
    SdbTid tid;
} SdbBtreeEntry;

/* Start a scan of the entries whose keys lie between `lower` and `upper`
 * (either may be NULL: unbounded), in key-then-tid order (FORWARD) or the
 * reverse.  Bounds are copied.  The scan keeps no page latched or pinned
 * between calls and survives concurrent splits and deletions: every entry
 * present for the whole scan is returned exactly once, in order; entries
 * inserted or deleted meanwhile may or may not be.  Owned by one thread;
 * NULL with the error recorded. */
SdbBtreeScan *sdb_btree_scan_open(SdbBtree *bt, const SdbBtreeBound *lower,
                                  const SdbBtreeBound *upper, SdbBtreeDirection dir);

/* The next entry: SDB_OK with *out filled, SDB_BTREE_END, or SDB_ERROR. */
int sdb_btree_scan_next(SdbBtreeScan *scan, SdbBtreeEntry *out);

/* Up to `max` next entries into out[0..*count-1] (keys valid until the next
 * call): SDB_OK with *count >= 1, SDB_BTREE_END with *count == 0, or
 * SDB_ERROR.  Returns at most the rest of one leaf page per call. */
int sdb_btree_scan_batch(SdbBtreeScan *scan, SdbBtreeEntry *out, size_t max, size_t *count);

/* Free the scan.  NULL is ignored. */
void sdb_btree_scan_close(SdbBtreeScan *scan);

/* ---- bulk build (CREATE INDEX) ------------------------------------------- */

/* Start building an index in relation `rel`, creating its main fork file
 * (which must not exist) with `xid`.  Leaves are filled to `fillfactor`
 * percent (10..100; SDB_BTREE_DEFAULT_FILLFACTOR; 22023 otherwise).  Pages
 * are written through the buffer pool and logged as full-page images.  NULL
 * with the error recorded. */
SdbBtreeBuild *sdb_btree_build_begin(struct SdbEngine *engine, SdbRelFileId rel, bool unique,
                                     int fillfactor, SdbXid xid);

/* Add the next entry.  Entries must come in strictly ascending (key, tid)
 * order (SDB_ERR_INTERNAL_ERROR otherwise).  Uniqueness is not checked: the
 * caller sees equal keys next to each other in its sorted input and knows
 * which rows are live.  54000 for a too-long key. */
int sdb_btree_build_add(SdbBtreeBuild *build, const void *key, size_t key_len, SdbTid tid);

/* Write the last pages, the upper levels and the metapage, and free
 * `build`.  The index can then be opened.  On error `build` is freed too and
 * the relation holds a partial index the caller must drop. */
int sdb_btree_build_finish(SdbBtreeBuild *build);

/* Give up a build and free it (the relation holds garbage to drop). */
void sdb_btree_build_abort(SdbBtreeBuild *build);

/* ---- checking ------------------------------------------------------------ */

typedef struct SdbBtreeStats {
    uint32_t levels;         /* 1 for a tree that is one leaf */
    SdbBlockNo root;
    uint64_t entries;        /* leaf entries */
    uint64_t leaf_pages;     /* live leaves */
    uint64_t internal_pages; /* live internal pages */
    uint64_t deleted_pages;  /* taken out of the tree, not reused yet */
    SdbBlockNo blocks;       /* blocks in the relation (metapage included) */
} SdbBtreeStats;

/* Walk the whole tree and check it: every page's header and layout, entries
 * ordered within each page and under its high key, separators in parents
 * equal to their children's low bounds (left sibling's high key), sibling
 * links consistent in both directions, levels decreasing by one from root to
 * leaves, every live page reachable, and the metapage's root.  Needs the
 * index quiescent (no concurrent writers).  Returns SDB_OK and fills *stats
 * (may be NULL), or SDB_ERROR with SDB_ERR_INDEX_CORRUPTED naming the block
 * and what is wrong. */
int sdb_btree_verify(SdbBtree *bt, SdbBtreeStats *stats);

/* ---- WAL (rmgr BTREE) ----------------------------------------------------- */

/* Redo a SDB_RMGR_BTREE record (rmgr.h contract). */
int sdb_btree_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec);

/* Describe a SDB_RMGR_BTREE record on one line (rmgr.h contract). */
void sdb_btree_describe(const struct SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_BTREE_H */
