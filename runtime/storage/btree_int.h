/*
 * storage/btree_int.h: what the btree_*.c files share and nobody else uses:
 * the page and metapage formats, entry encoding and comparison, the shared
 * handle, descents, the registry of operations in progress (for safe page
 * recycling), the WAL record formats, and the entry points between the
 * files (insert/split, delete/unlink, scan, build, verify, redo).
 *
 * Formats (host byte order, like page.h):
 *
 *   metapage (block 0, kind BTREE_META): BtMeta in the special area: the
 *   root, its level, and the free list, pages taken out of the tree in the
 *   order they were (oldest at the head), chained through their
 *   BtOpaque.next_free.
 *
 *   node page (kind BTREE): page.h slotted layout, special area = BtOpaque.
 *   When the page has a right sibling, slot 1 is its high key; data items
 *   follow in (key, tid) order.
 *     leaf item:      u32 tid.block | u16 tid.slot | key bytes
 *     internal item:  u32 child | u32 tid.block | u16 tid.slot | key bytes
 *   A high key has its page's item format (child SDB_INVALID_BLOCK on
 *   internal pages).  The first data item of an internal page is the
 *   downlink for the page's own low bound and compares as minus infinity;
 *   on the leftmost page of a level its key is empty with tid (0, 0).
 */
#ifndef SDB_BTREE_INT_H
#define SDB_BTREE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/btree.h"
#include "storage/bufpool.h"
#include "storage/page.h"
#include "storage/types.h"
#include "storage/wal.h"

#define BT_META_MAGIC 0x52544253u /* "SBTR" little-endian */
#define BT_META_VERSION 1u
#define BT_META_BLOCK ((SdbBlockNo)0)
#define BT_MAX_LEVELS 32

/* BtMeta.flags */
#define BT_META_UNIQUE 0x0001u

/* BtOpaque.flags */
#define BT_INCOMPLETE_SPLIT 0x0001u /* right sibling has no downlink yet */
#define BT_DELETED 0x0002u          /* out of the tree, waiting for reuse */

#define BT_LEAF_HEADER 6u     /* tid */
#define BT_INTERNAL_HEADER 10u /* child + tid */

typedef struct BtMeta {
    uint32_t magic;
    uint32_t version;
    SdbBlockNo root;
    uint32_t level; /* of the root; 0 when the root is a leaf */
    uint32_t flags; /* BT_META_* */
    uint32_t free_count;
    SdbBlockNo free_head; /* oldest deleted page, or INVALID */
    SdbBlockNo free_tail; /* newest deleted page, or INVALID */
} BtMeta;

typedef struct BtOpaque {
    SdbBlockNo left;  /* SDB_INVALID_BLOCK on the leftmost page of a level */
    SdbBlockNo right; /* SDB_INVALID_BLOCK on the rightmost page */
    uint16_t level;   /* 0 for leaves */
    uint16_t flags;   /* BT_INCOMPLETE_SPLIT, BT_DELETED */
    SdbBlockNo next_free; /* deleted pages: next in the free list, or INVALID */
} BtOpaque;

/* ---- keys ------------------------------------------------------------------ */

/* A search key: a key and a tid, where the tid may be replaced by minus or
 * plus infinity (bounds on the key alone), or the whole key by plus
 * infinity (above every entry). */
typedef struct BtKey {
    const uint8_t *key;
    size_t len;
    SdbTid tid;
    int8_t tid_inf;  /* -1: below every tid, 0: tid, +1: above every tid */
    bool above_all;  /* greater than every entry */
} BtKey;

/* An entry decoded from a page (pointers into the page). */
typedef struct BtItem {
    const uint8_t *key;
    size_t len;
    SdbTid tid;
    SdbBlockNo child; /* internal pages only */
} BtItem;

/* A key owned by whoever holds it (scan positions, separators). */
typedef struct BtKeyBuf {
    uint8_t *bytes; /* capacity: the handle's max key length */
    size_t len;
    SdbTid tid;
} BtKeyBuf;

/* ---- the shared handle and operations in progress ------------------------ */

/* One descent, insert, delete or open scan.  Registered for its whole life so
 * a page unlinked after it started is not reused while it may still reach
 * it (README: "B+tree deletion"). */
typedef struct BtOp {
    SdbLsn start;
    struct BtOp *prev, *next;
} BtOp;

struct SdbBtree {
    SdbBufPool *pool;
    struct SdbWal *wal;
    SdbRelFileId rel;
    uint32_t page_size;
    size_t max_key_len;
    bool unique;
    char path[64];             /* relative file path, for messages */
    int refcount;              /* guarded by the global handle list lock */
    struct SdbBtree *next_open;
    pthread_mutex_t ops_lock;
    BtOp *ops;                 /* operations in progress */
};

/* Parents visited by a descent: blocks[level] for 1 <= level <= top. */
typedef struct BtStack {
    SdbBlockNo blocks[BT_MAX_LEVELS];
    int top; /* highest level recorded; 0 = none */
} BtStack;

/* Fill the fixed fields of a handle (no registry, no metapage read). */
void bt_handle_init(SdbBtree *bt, SdbBufPool *pool, struct SdbWal *wal, SdbRelFileId rel);
/* Create the main fork file of a new index (smgr, WAL-logged). */
int bt_create_file(struct SdbEngine *engine, SdbRelFileId rel, SdbXid xid);

/* Register `op` (caller's memory, e.g. on its stack) as started now, at the
 * WAL's insert position; unregister it when done.  Thread-safe. */
void bt_op_begin(SdbBtree *bt, BtOp *op);
void bt_op_end(SdbBtree *bt, BtOp *op);
/* True when every registered operation started at or after `lsn` (so none
 * can still reach a page unlinked by a record ending at or before it). */
bool bt_op_none_before(SdbBtree *bt, SdbLsn lsn);

/* ---- page access (btree_page.c) ------------------------------------------- */

/* The BtMeta of a metapage, and making a fresh metapage (empty free list). */
BtMeta *bt_meta(void *page);
void bt_meta_init(void *page, uint32_t page_size, SdbBlockNo root, uint32_t level, bool unique);
/* Free list changes, shared by do and redo: take the head off (`next`, its
 * successor, becomes the head); append `block` at the tail (the caller
 * links the old tail, bt_meta(page)->free_tail before the call, to it). */
void bt_meta_free_pop(void *meta_page, SdbBlockNo next);
void bt_meta_free_append(void *meta_page, SdbBlockNo block);
/* Mark a node page deleted, last in the free list. */
void bt_mark_deleted(void *page);

static inline BtOpaque *bt_opaque(void *page)
{
    return (BtOpaque *)sdb_page_special(page);
}

/* Make `page` an empty node at `level` without siblings. */
void bt_page_init(void *page, uint32_t page_size, uint16_t level);
bool bt_is_leaf(void *page);
/* No right sibling: no high key either. */
bool bt_is_rightmost(void *page);
/* First slot holding a data item (2 when slot 1 is a high key). */
uint16_t bt_first_data(void *page);
/* Number of data items. */
uint16_t bt_data_count(void *page);

/* Storage (bt_item_cost) taken by the data items of a node page, and by all
 * its items (high key included). */
size_t bt_data_space(void *page);
size_t bt_used_space(void *page);
/* Remove every data item of a node page, keeping its high key. */
void bt_drop_data(void *page);

/* Decode the item in `slot` into *out; SDB_ERROR (data corrupted, naming
 * the block) when the slot is missing or too short for the page's kind. */
int bt_item(SdbBtree *bt, void *page, SdbBlockNo block, uint16_t slot, BtItem *out);

/* Encode an entry as a page item of a leaf (child ignored) or internal page
 * into `out` (room for max_key_len + BT_INTERNAL_HEADER); returns length. */
uint16_t bt_encode(bool leaf, const uint8_t *key, size_t len, SdbTid tid, SdbBlockNo child,
                   uint8_t *out);

/* Storage an item of `len` bytes costs in a page (slot included). */
static inline size_t bt_item_cost(size_t len)
{
    return ((len + SDB_PAGE_ITEM_ALIGN - 1) & ~(size_t)(SDB_PAGE_ITEM_ALIGN - 1)) + SDB_PAGE_SLOT_SIZE;
}

/* Bytes of a node page available to slots and items. */
size_t bt_usable_space(uint32_t page_size);

/* Three-way comparisons (< 0, 0, > 0): search key `k` with an entry (key
 * bytes + tid, or a decoded item); two tids (block, then slot); two keys
 * (memcmp over the common length, then shorter first). */
int bt_compare(const BtKey *k, const uint8_t *key, size_t len, SdbTid tid);
int bt_compare_item(const BtKey *k, const BtItem *item);
int bt_tid_compare(SdbTid a, SdbTid b);
int bt_key_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

static inline BtKey bt_key_of_item(const BtItem *item)
{
    BtKey k = {item->key, item->len, item->tid, 0, false};
    return k;
}

/* Check the page just latched is a live-format B+tree node (kind, special
 * size, level when `level` >= 0); SDB_ERROR naming file and block if not. */
int bt_check_node(SdbBtree *bt, void *page, SdbBlockNo block, int level);

/* Binary searches over the data items of a latched page (*slot_out).
 * Leaf: first data slot whose entry is >= k (count + first when none).
 * Internal: the last downlink whose key is <= k (the first data item counts
 * as minus infinity).  SDB_ERROR on a corrupted item. */
int bt_search_leaf(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k, uint16_t *slot_out);
int bt_search_internal(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k,
                       uint16_t *slot_out);

/* True when `k` belongs to a page to the right: the page is deleted, or k is
 * >= its high key.  SDB_ERROR on a corrupted high key. */
int bt_beyond_page(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k, bool *beyond);

/* Copy an entry into `buf` (len at most its capacity; may overlap). */
void bt_keybuf_set(BtKeyBuf *buf, const uint8_t *key, size_t len, SdbTid tid);
static inline BtKey bt_key_of_buf(const BtKeyBuf *buf)
{
    BtKey k = {buf->bytes, buf->len, buf->tid, 0, false};
    return k;
}

/* Record an error and return SDB_ERROR: XX002 naming the index file and
 * block; 54000 for a key of `len` bytes over the limit. */
int bt_corrupted(SdbBtree *bt, SdbBlockNo block, const char *what);
int bt_key_too_long(SdbBtree *bt, size_t len);

/* ---- buffers and descents (btree.c) --------------------------------------- */

/* Pin and latch a node page and check it (bt_check_node with `level`). */
int bt_read(SdbBtree *bt, SdbBlockNo block, SdbBufLatch latch, int level, SdbBuffer **out);
/* Unlatch and unpin `buf` unless it is NULL. */
static inline void bt_release(SdbBuffer *buf)
{
    if (buf != NULL)
        sdb_buf_unlock_release(buf);
}
/* Walk right from `start`, latching one page at a time with `latch`, to the
 * page whose right link is `target`, looking at no more than `max_pages`
 * pages.  *out is that page, latched; NULL when a deleted page, the end of
 * the level or the limit comes first. */
int bt_find_left_of(SdbBtree *bt, SdbBlockNo start, SdbBlockNo target, SdbBufLatch latch, int max_pages,
                    SdbBuffer **out);
/* Read the metapage (latched SHARE, released): root and level. */
int bt_read_root(SdbBtree *bt, SdbBlockNo *root, uint32_t *level);
/* Pin and latch the metapage and check it. */
int bt_read_meta(SdbBtree *bt, SdbBufLatch latch, SdbBuffer **out);

/* Move right from the latched page *buf at `level` while `k` is beyond it,
 * latching each next page with `latch` (releasing the previous one). */
int bt_move_right(SdbBtree *bt, SdbBuffer **buf, SdbBufLatch latch, int level, const BtKey *k);

/* Descend from the root to the page at `level` covering `k`, filling
 * `stack` with the internal pages passed above it; the page is returned
 * latched `latch` in *out.  With `finish_splits` (writers), incomplete
 * splits met on the way are completed first, logged with `xid`. */
int bt_descend(SdbBtree *bt, const BtKey *k, int level, SdbBufLatch latch, bool finish_splits, SdbXid xid,
               BtStack *stack, SdbBuffer **out);

/* ---- changes and WAL (btree_wal.c) ------------------------------------------ */

/* WAL record kinds (`info`). */
#define BT_WAL_CREATE 0x00       /* meta + empty root leaf: both WILL_INIT */
#define BT_WAL_INSERT_LEAF 0x10  /* block 0: leaf; data u16 slot + item */
#define BT_WAL_INSERT_UPPER 0x20 /* block 0: internal page (data u16 slot + item),
                                    block 1: child whose split is completed */
#define BT_WAL_SPLIT 0x30        /* BtWalSplit; see btree_wal.c */
#define BT_WAL_NEWROOT 0x40      /* BtWalNewRoot */
#define BT_WAL_DELETE 0x50       /* block 0: leaf; data u16 slot */
#define BT_WAL_UNLINK 0x60       /* BtWalUnlink */

/* SPLIT: blocks left (image), right (image), then in this order when their
 * flag is set: right sibling (data: new left link), completed child (no
 * data), metapage (data: the new free-list head; the right page was the
 * old head). */
#define BT_SPLIT_HAS_SIBLING 0x01u
#define BT_SPLIT_HAS_CHILD 0x02u
#define BT_SPLIT_FROM_FREE 0x04u
typedef struct BtWalSplit {
    uint32_t level;
    uint32_t flags;
} BtWalSplit;

/* NEWROOT: block 0 new root (image), block 1 left child (split completed),
 * block 2 metapage (data: BtWalNewRoot). */
typedef struct BtWalNewRoot {
    SdbBlockNo root;
    uint32_t level;
    uint32_t from_free;   /* 1 when the root page was the free-list head */
    SdbBlockNo free_head; /* ... then the new head */
} BtWalNewRoot;

/* UNLINK: blocks target (marked deleted), [left sibling (right link =
 * right)], right sibling (left link = left), parent (downlink of target
 * at `parent_slot` now points at right; the right sibling's downlink,
 * the next slot, is removed), metapage (target appended to the free list),
 * [old free-list tail (next_free = target)].  With BT_UNLINK_MERGE the
 * target was an under-full leaf: its data items move to the front of the
 * right sibling (that block's data: the items in order, each u16 length +
 * item bytes) and are removed from the target. */
#define BT_UNLINK_HAS_LEFT 0x01u
#define BT_UNLINK_HAS_OLD_TAIL 0x02u
#define BT_UNLINK_MERGE 0x04u
typedef struct BtWalUnlink {
    SdbBlockNo target, left, right;
    uint16_t parent_slot;
    uint16_t flags;
} BtWalUnlink;

/* Up to this many buffers change in one record. */
#define BT_MAX_CHANGED 6

/* Pages changed by one record: their contents before the change are kept so
 * a failed WAL insert can put them back (the pages never disagree with the
 * WAL). */
typedef struct BtChange {
    SdbBtree *bt;
    int count;
    SdbBuffer *bufs[BT_MAX_CHANGED];
    uint8_t *saved; /* count pages, grown as buffers are added */
    SdbWalBuilder builder;
} BtChange;

/* Start a change (no allocation yet). */
void bt_change_begin(BtChange *change, SdbBtree *bt);
/* Add latched (EXCLUSIVE) `buf` to the record with WAL block `flags`,
 * remembering its contents before the caller changes it; returns its block
 * index in the record, or -1 with the error recorded. */
int bt_change_add(BtChange *change, SdbBuffer *buf, unsigned flags);
/* Insert the record from change->builder, stamp every added buffer with its
 * LSN and mark it dirty; on failure put every page back.  Frees the saved
 * copies either way. */
int bt_change_log(BtChange *change, uint8_t info, SdbXid xid);
/* Put every added page back as it was and forget the change (error paths;
 * harmless after bt_change_log). */
void bt_change_abandon(BtChange *change);

/* ---- the operations (btree_insert.c, btree_delete.c) ---------------------- */

/* Complete the split of the latched (EXCLUSIVE) page `buf` whose
 * BT_INCOMPLETE_SPLIT flag is set: insert its right sibling's downlink into
 * the parent.  Releases `buf`. */
int bt_finish_split(SdbBtree *bt, BtStack *stack, SdbBuffer *buf, SdbXid xid);

/* ---- redo helpers (btree_wal.c) ---------------------------------------------- */

/* In parent `page`, point the downlink at `slot` to `right` and remove the
 * downlink after it (page deletion, done and redone alike). */
int bt_apply_unlink_parent(void *page, uint16_t slot, SdbBlockNo right);
/* Put the items logged for a merge (BT_UNLINK_MERGE: `len` bytes at
 * `data`) in front of the data items of `page`; SDB_ERROR when the data is
 * malformed or an item does not fit (the page may then be half changed). */
int bt_apply_merge_items(void *page, const uint8_t *data, size_t len);

#endif /* SDB_BTREE_INT_H */
