/*
 * storage/btree_verify.c: sdb_btree_verify, the structural check of a whole
 * B+tree (like PostgreSQL's amcheck bt_index_parent_check).  Walks every
 * level left to right from the root down, checking each page against its
 * left sibling and against the downlinks collected from the level above.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"

/* A downlink seen on the level above, expected on this level. */
typedef struct Downlink {
    SdbBlockNo child;
    size_t offset; /* key bytes in the owning list's bytes */
    size_t len;
    SdbTid tid;
} Downlink;

typedef struct DownlinkList {
    Downlink *items;
    size_t count, capacity;
    uint8_t *bytes;
    size_t used, room;
} DownlinkList;

typedef struct Verify {
    SdbBtree *bt;
    SdbBtreeStats stats;
    DownlinkList above, below; /* downlinks into this level, into the next */
    BtKeyBuf low;              /* low bound of the page being checked */
    bool low_is_min;           /* ... minus infinity (leftmost page) */
} Verify;

static void list_free(DownlinkList *list)
{
    sdb_free(list->items);
    sdb_free(list->bytes);
    memset(list, 0, sizeof *list);
}

static int list_add(DownlinkList *list, const BtItem *item)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 64 : 2 * list->capacity;
        Downlink *items = sdb_realloc(list->items, capacity * sizeof *items);
        if (items == NULL)
            return SDB_ERROR;
        list->items = items;
        list->capacity = capacity;
    }
    if (list->used + item->len > list->room) {
        size_t room = list->room == 0 ? 4096 : 2 * list->room;
        while (room < list->used + item->len)
            room *= 2;
        uint8_t *bytes = sdb_realloc(list->bytes, room);
        if (bytes == NULL)
            return SDB_ERROR;
        list->bytes = bytes;
        list->room = room;
    }
    if (item->len > 0)
        memcpy(list->bytes + list->used, item->key, item->len);
    list->items[list->count++] = (Downlink){item->child, list->used, item->len, item->tid};
    list->used += item->len;
    return SDB_OK;
}

static int fail(Verify *v, SdbBlockNo block, const char *what)
{
    return bt_corrupted(v->bt, block, what);
}

/* Is item equal to the low bound (or the minus-infinity marker)? */
static bool equals_low(const Verify *v, const BtItem *item)
{
    if (v->low_is_min)
        return item->len == 0 && item->tid.block == 0 && item->tid.slot == 0;
    BtKey low = bt_key_of_buf(&v->low);
    return bt_compare_item(&low, item) == 0;
}

/* Check the items of one latched page; collect downlinks; set the next
 * page's low bound. */
static int check_items(Verify *v, void *page, SdbBlockNo block)
{
    SdbBtree *bt = v->bt;
    bool leaf = bt_is_leaf(page);
    uint16_t first = bt_first_data(page), count = sdb_page_item_count(page);
    BtItem high = {NULL, 0, {0, 0}, 0}, prev = high, item = high;
    if (!bt_is_rightmost(page) && bt_item(bt, page, block, 1, &high) != SDB_OK)
        return SDB_ERROR;
    if (!leaf && count < first)
        return fail(v, block, "internal page has no downlinks");
    for (uint16_t s = first; s <= count; s++) {
        if (bt_item(bt, page, block, s, &item) != SDB_OK)
            return SDB_ERROR;
        BtKey k = bt_key_of_item(&item);
        if (!leaf && s == first) {
            if (!equals_low(v, &item))
                return fail(v, block, "first downlink differs from the page's low bound");
        } else if (s > first) {
            BtKey p = bt_key_of_item(&prev);
            if (bt_compare_item(&p, &item) >= 0)
                return fail(v, block, "entries out of order within the page");
        } else if (!v->low_is_min) {
            BtKey low = bt_key_of_buf(&v->low);
            if (bt_compare_item(&low, &item) > 0)
                return fail(v, block, "entry below the page's low bound (left sibling's high key)");
        }
        if (!bt_is_rightmost(page) && bt_compare_item(&k, &high) >= 0)
            return fail(v, block, "entry not below the page's high key");
        if (!leaf) {
            if (item.child == SDB_INVALID_BLOCK || item.child == BT_META_BLOCK)
                return fail(v, block, "downlink to an invalid block");
            if (list_add(&v->below, &item) != SDB_OK)
                return SDB_ERROR;
        }
        prev = item;
    }
    if (leaf)
        v->stats.entries += (uint64_t)(count >= first ? count - first + 1 : 0);
    if (!bt_is_rightmost(page)) {
        bt_keybuf_set(&v->low, high.key, high.len, high.tid);
        v->low_is_min = false;
    }
    return SDB_OK;
}

/* Walk level `level` from `leftmost`, matching downlinks from above
 * (unless it is the root level). */
static int check_level(Verify *v, int level, SdbBlockNo leftmost, bool is_root_level)
{
    SdbBtree *bt = v->bt;
    SdbBlockNo block = leftmost, prev_block = SDB_INVALID_BLOCK;
    bool prev_incomplete = false;
    size_t next_downlink = 0;
    v->low_is_min = true;
    while (block != SDB_INVALID_BLOCK) {
        SdbBuffer *buf;
        if (bt_read(bt, block, SDB_BUF_SHARE, level, &buf) != SDB_OK)
            return SDB_ERROR;
        void *page = sdb_buf_page(buf);
        BtOpaque op = *bt_opaque(page);
        int rc = SDB_OK;
        if (op.flags & BT_DELETED)
            rc = fail(v, block, "deleted page is still linked into its level");
        else if (op.left != prev_block)
            rc = fail(v, block, "left link does not point at the left sibling");
        else if (is_root_level && prev_block != SDB_INVALID_BLOCK && !prev_incomplete)
            rc = fail(v, block, "root level has a second page");
        if (rc == SDB_OK && !is_root_level && !prev_incomplete) {
            /* This page must be the next downlink, with its low bound. */
            if (next_downlink >= v->above.count || v->above.items[next_downlink].child != block) {
                rc = fail(v, block, "page has no downlink in the level above (or in the wrong place)");
            } else {
                const Downlink *d = &v->above.items[next_downlink++];
                BtItem as_item = {v->above.bytes + d->offset, d->len, d->tid, d->child};
                if (!equals_low(v, &as_item))
                    rc = fail(v, block, "downlink key differs from the page's low bound");
            }
        }
        if (rc == SDB_OK)
            rc = check_items(v, page, block);
        sdb_buf_unlock_release(buf);
        if (rc != SDB_OK)
            return SDB_ERROR;
        if (level == 0)
            v->stats.leaf_pages++;
        else
            v->stats.internal_pages++;
        prev_incomplete = (op.flags & BT_INCOMPLETE_SPLIT) != 0;
        prev_block = block;
        block = op.right;
    }
    if (!is_root_level && next_downlink != v->above.count)
        return fail(v, v->above.items[next_downlink].child, "downlink to a page that is not in its level");
    return SDB_OK;
}

/* The free list: deleted pages, chained from head to tail, as many as the
 * metapage counts. */
static int check_free_list(Verify *v, const BtMeta *meta)
{
    SdbBlockNo block = meta->free_head, last = SDB_INVALID_BLOCK;
    uint64_t count = 0;
    while (block != SDB_INVALID_BLOCK) {
        SdbBuffer *buf;
        if (++count > meta->free_count)
            return fail(v, BT_META_BLOCK, "free list longer than its count (or a cycle)");
        if (bt_read(v->bt, block, SDB_BUF_SHARE, -1, &buf) != SDB_OK)
            return SDB_ERROR;
        BtOpaque op = *bt_opaque(sdb_buf_page(buf));
        sdb_buf_unlock_release(buf);
        if (!(op.flags & BT_DELETED))
            return fail(v, block, "page in the free list is not deleted");
        last = block;
        block = op.next_free;
    }
    if (count != meta->free_count || last != meta->free_tail)
        return fail(v, BT_META_BLOCK, "free list count or tail is wrong");
    v->stats.deleted_pages = count;
    return SDB_OK;
}

int sdb_btree_verify(SdbBtree *bt, SdbBtreeStats *stats)
{
    Verify v;
    SdbBuffer *meta_buf;
    memset(&v, 0, sizeof v);
    v.bt = bt;
    v.low.bytes = sdb_malloc(bt->max_key_len + 1);
    if (v.low.bytes == NULL)
        return SDB_ERROR;
    int rc = bt_read_meta(bt, SDB_BUF_SHARE, &meta_buf);
    if (rc == SDB_OK) {
        const BtMeta *meta = bt_meta(sdb_buf_page(meta_buf));
        v.stats.root = meta->root;
        v.stats.levels = meta->level + 1;
        rc = check_free_list(&v, meta);
        sdb_buf_unlock_release(meta_buf);
    }
    SdbBlockNo leftmost = v.stats.root;
    for (int level = (int)v.stats.levels - 1; rc == SDB_OK && level >= 0; level--) {
        rc = check_level(&v, level, leftmost, level == (int)v.stats.levels - 1);
        list_free(&v.above);
        v.above = v.below;
        memset(&v.below, 0, sizeof v.below);
        if (rc == SDB_OK && level > 0) {
            if (v.above.count == 0)
                rc = fail(&v, leftmost, "internal level without downlinks");
            else
                leftmost = v.above.items[0].child;
        }
    }
    list_free(&v.above);
    list_free(&v.below);
    sdb_free(v.low.bytes);
    if (rc == SDB_OK && stats != NULL)
        *stats = v.stats;
    return rc;
}
