/*
 * storage/btree_scan.c: range scans over the B+tree, forward and backward.
 *
 * A scan copies the matching entries of one leaf at a time into its own
 * memory under a SHARE latch, then returns them without holding anything.
 * It remembers the last entry returned and the sibling link it read with
 * the page; the next page must hold entries strictly beyond that entry, so
 * entries are never returned twice or out of order.  Forward: follow the
 * right link (splits and merges move entries only rightwards; a deleted
 * page is empty and keeps its right link).  Backward: take the remembered
 * left link and check that page still links back to ours (PostgreSQL's
 * check); if it split, walk right to the page that does; if that fails,
 * re-read our page's left link; as a last resort descend again from the
 * root to the entry last returned.  Before the left page is read, our page
 * is looked at again (the left page still latched): entries before our
 * position there came from a page merged into it since, and are read first.  The scan is registered as an operation
 * in progress for its whole life, so no page it may still visit is reused.
 */
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"

/* Walk at most this many pages right looking for the left sibling. */
#define BT_WALK_LEFT_STEPS 8
/* Re-reads of our own page's left link before descending again. */
#define BT_WALK_LEFT_ATTEMPTS 4
/* Consecutive descents without finding a page to the left: corrupted. */
#define BT_WALK_LEFT_DESCENTS 64

typedef struct ScanEntry {
    size_t offset; /* of the key in keys */
    size_t len;
    SdbTid tid;
} ScanEntry;

struct SdbBtreeScan {
    SdbBtree *bt;
    BtOp op;
    bool registered; /* op is in the handle's registry */
    SdbBtreeDirection dir;
    bool has_lower, has_upper;
    BtKey lower, upper; /* tid_inf encodes inclusive / exclusive */
    BtKeyBuf resume;    /* last entry returned, when has_resume */
    bool has_resume;
    bool started;
    bool exhausted;   /* no page left to read */
    SdbBlockNo cur;   /* page the batch came from */
    SdbBlockNo next;  /* its right (forward) or left (backward) link then */
    ScanEntry *entries;
    size_t count, pos, capacity;
    uint8_t *keys;
};

/* A bound as a search key, copied into *storage: tid infinity so that no
 * entry equals it (inclusive lower: minus infinity ...).  False when out of
 * memory; an absent bound leaves *storage NULL. */
static bool bound_key(const SdbBtreeBound *bound, bool lower, BtKey *out, uint8_t **storage)
{
    if (bound == NULL || bound->key == NULL)
        return true;
    *storage = sdb_malloc(bound->key_len > 0 ? bound->key_len : 1);
    if (*storage == NULL)
        return false;
    if (bound->key_len > 0)
        memcpy(*storage, bound->key, bound->key_len);
    int8_t inf = (int8_t)(lower == bound->inclusive ? -1 : 1);
    *out = (BtKey){*storage, bound->key_len, {0, 0}, inf, false};
    return true;
}

SdbBtreeScan *sdb_btree_scan_open(SdbBtree *bt, const SdbBtreeBound *lower, const SdbBtreeBound *upper,
                                  SdbBtreeDirection dir)
{
    SdbBtreeScan *scan = sdb_malloc(sizeof *scan);
    if (scan == NULL)
        return NULL;
    memset(scan, 0, sizeof *scan);
    scan->bt = bt;
    scan->dir = dir;
    scan->capacity = bt->page_size / (SDB_PAGE_SLOT_SIZE + SDB_PAGE_ITEM_ALIGN) + 1;
    scan->entries = sdb_malloc(scan->capacity * sizeof(ScanEntry));
    scan->keys = sdb_malloc(bt->page_size);
    scan->resume.bytes = sdb_malloc(bt->max_key_len + 1);
    uint8_t *lower_bytes = NULL, *upper_bytes = NULL;
    bool ok = scan->entries != NULL && scan->keys != NULL && scan->resume.bytes != NULL &&
              bound_key(lower, true, &scan->lower, &lower_bytes) && bound_key(upper, false, &scan->upper, &upper_bytes);
    scan->has_lower = lower_bytes != NULL;
    scan->has_upper = upper_bytes != NULL;
    if (!ok) {
        sdb_free(lower_bytes);
        sdb_free(upper_bytes);
        scan->has_lower = scan->has_upper = false;
        sdb_btree_scan_close(scan);
        return NULL;
    }
    /* An empty range returns nothing. */
    if (scan->has_lower && scan->has_upper) {
        int c = bt_key_compare(scan->lower.key, scan->lower.len, scan->upper.key, scan->upper.len);
        if (c > 0 || (c == 0 && (scan->lower.tid_inf > 0 || scan->upper.tid_inf < 0)))
            scan->exhausted = true;
    }
    bt_op_begin(bt, &scan->op);
    scan->registered = true;
    return scan;
}

void sdb_btree_scan_close(SdbBtreeScan *scan)
{
    if (scan == NULL)
        return;
    if (scan->registered)
        bt_op_end(scan->bt, &scan->op);
    if (scan->has_lower)
        sdb_free((void *)scan->lower.key);
    if (scan->has_upper)
        sdb_free((void *)scan->upper.key);
    sdb_free(scan->resume.bytes);
    sdb_free(scan->keys);
    sdb_free(scan->entries);
    sdb_free(scan);
}

/* Where the scan starts: its first bound in scan order, or the end. */
static BtKey start_key(const SdbBtreeScan *scan)
{
    if (scan->dir == SDB_BTREE_FORWARD)
        return scan->has_lower ? scan->lower : (BtKey){(const uint8_t *)"", 0, {0, 0}, -1, false};
    return scan->has_upper ? scan->upper : (BtKey){NULL, 0, {0, 0}, 0, true};
}

/* Entries must lie strictly beyond this key in scan order. */
static BtKey position_key(const SdbBtreeScan *scan)
{
    return scan->has_resume ? bt_key_of_buf(&scan->resume) : start_key(scan);
}

static void batch_add(SdbBtreeScan *scan, const BtItem *item)
{
    size_t offset = scan->count == 0 ? 0 : scan->entries[scan->count - 1].offset + scan->entries[scan->count - 1].len;
    if (item->len > 0)
        memcpy(scan->keys + offset, item->key, item->len);
    scan->entries[scan->count++] = (ScanEntry){offset, item->len, item->tid};
}

/* Copy the entries of the latched leaf `buf` that come next into the batch,
 * and remember the page and its link onwards. */
static int read_leaf(SdbBtreeScan *scan, SdbBuffer *buf)
{
    SdbBtree *bt = scan->bt;
    void *page = sdb_buf_page(buf);
    SdbBlockNo block = sdb_buf_block(buf);
    BtKey from = position_key(scan);
    uint16_t first = bt_first_data(page), count = sdb_page_item_count(page), slot = first;
    BtItem item;
    bool forward = scan->dir == SDB_BTREE_FORWARD;

    scan->count = scan->pos = 0;
    scan->cur = block;
    scan->next = forward ? bt_opaque(page)->right : bt_opaque(page)->left;
    if (bt_opaque(page)->flags & BT_DELETED)
        count = 0;
    else if (bt_search_leaf(bt, page, block, &from, &slot) != SDB_OK)
        return SDB_ERROR;
    if (forward) {
        for (uint16_t s = slot; s <= count; s++) {
            if (bt_item(bt, page, block, s, &item) != SDB_OK)
                return SDB_ERROR;
            if (bt_compare_item(&from, &item) == 0)
                continue; /* the entry last returned */
            if (scan->has_upper && bt_compare_item(&scan->upper, &item) < 0) {
                scan->exhausted = true;
                return SDB_OK;
            }
            batch_add(scan, &item);
        }
    } else {
        for (uint16_t s = count > 0 ? (uint16_t)(slot - 1) : 0; s >= first && s > 0; s--) {
            if (bt_item(bt, page, block, s, &item) != SDB_OK)
                return SDB_ERROR;
            if (scan->has_lower && bt_compare_item(&scan->lower, &item) > 0) {
                scan->exhausted = true;
                return SDB_OK;
            }
            batch_add(scan, &item);
        }
    }
    if (scan->next == SDB_INVALID_BLOCK)
        scan->exhausted = true;
    return SDB_OK;
}

/* Whether the latched leaf `buf` holds an entry before the scan's position
 * (a backward scan). */
static int entries_before(SdbBtreeScan *scan, SdbBuffer *buf, bool *before)
{
    void *page = sdb_buf_page(buf);
    BtKey at = position_key(scan);
    BtItem first;
    *before = false;
    if (bt_data_count(page) == 0)
        return SDB_OK;
    if (bt_item(scan->bt, page, sdb_buf_block(buf), bt_first_data(page), &first) != SDB_OK)
        return SDB_ERROR;
    *before = bt_compare_item(&at, &first) > 0;
    return SDB_OK;
}

/* *out is the page left of scan->cur, latched, linking to it.  A page
 * merged into ours since we read it left entries before our position there:
 * then our page, latched while the left one is still held (left to right,
 * so no merge can come in between), replaces *out, to be read again. */
static int reread_if_merged(SdbBtreeScan *scan, SdbBuffer **out)
{
    SdbBuffer *cur = NULL;
    bool before = false;
    if (bt_read(scan->bt, scan->cur, SDB_BUF_SHARE, 0, &cur) != SDB_OK ||
        entries_before(scan, cur, &before) != SDB_OK) {
        bt_release(cur);
        sdb_buf_unlock_release(*out);
        *out = NULL;
        return SDB_ERROR;
    }
    sdb_buf_unlock_release(before ? *out : cur);
    if (before)
        *out = cur;
    return SDB_OK;
}

/* The page left of scan->cur, SHARE-latched in *out, found through the
 * remembered left link (see the file comment); NULL and scan->exhausted when
 * there is none. */
static int step_left(SdbBtreeScan *scan, SdbBuffer **out)
{
    SdbBtree *bt = scan->bt;
    *out = NULL;
    for (int attempt = 0; attempt < BT_WALK_LEFT_ATTEMPTS; attempt++) {
        SdbBuffer *buf;
        if (scan->next == SDB_INVALID_BLOCK) {
            scan->exhausted = true;
            return SDB_OK;
        }
        if (bt_find_left_of(bt, scan->next, scan->cur, SDB_BUF_SHARE, BT_WALK_LEFT_STEPS, out) != SDB_OK)
            return SDB_ERROR;
        if (*out != NULL)
            return reread_if_merged(scan, out);
        /* Our page's left sibling changed: read the link again. */
        if (bt_read(bt, scan->cur, SDB_BUF_SHARE, 0, &buf) != SDB_OK)
            return SDB_ERROR;
        bool deleted = (bt_opaque(sdb_buf_page(buf))->flags & BT_DELETED) != 0;
        scan->next = bt_opaque(sdb_buf_page(buf))->left;
        sdb_buf_unlock_release(buf);
        if (deleted)
            break;
    }
    /* Descend again to the page holding the entries just before ours. */
    BtKey at = position_key(scan);
    BtStack stack;
    return bt_descend(bt, &at, 0, SDB_BUF_SHARE, false, SDB_INVALID_XID, &stack, out);
}

/* Refill the batch with the next leaf's entries (skipping leaves without
 * any); leaves it empty when the scan is over. */
static int fetch(SdbBtreeScan *scan)
{
    SdbBtree *bt = scan->bt;
    int descents = 0;
    if (scan->count > 0) {
        const ScanEntry *last = &scan->entries[scan->count - 1];
        bt_keybuf_set(&scan->resume, scan->keys + last->offset, last->len, last->tid);
        scan->has_resume = true;
    }
    scan->count = scan->pos = 0;
    while (scan->count == 0 && !scan->exhausted) {
        SdbBuffer *buf;
        int rc;
        if (!scan->started) {
            BtKey start = start_key(scan);
            BtStack stack;
            scan->started = true;
            rc = bt_descend(bt, &start, 0, SDB_BUF_SHARE, false, SDB_INVALID_XID, &stack, &buf);
        } else if (scan->dir == SDB_BTREE_FORWARD) {
            rc = bt_read(bt, scan->next, SDB_BUF_SHARE, 0, &buf);
        } else {
            SdbBlockNo before = scan->cur;
            rc = step_left(scan, &buf);
            if (rc == SDB_OK && buf != NULL && sdb_buf_block(buf) == before &&
                ++descents > BT_WALK_LEFT_DESCENTS) {
                sdb_buf_unlock_release(buf);
                return bt_corrupted(bt, before, "backward scan cannot find the left sibling");
            }
        }
        if (rc != SDB_OK)
            return SDB_ERROR;
        if (buf == NULL)
            break;
        rc = read_leaf(scan, buf);
        sdb_buf_unlock_release(buf);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static void entry_out(const SdbBtreeScan *scan, size_t i, SdbBtreeEntry *out)
{
    const ScanEntry *e = &scan->entries[i];
    out->key = scan->keys + e->offset;
    out->key_len = e->len;
    out->tid = e->tid;
}

int sdb_btree_scan_batch(SdbBtreeScan *scan, SdbBtreeEntry *out, size_t max, size_t *count)
{
    *count = 0;
    if (scan->pos == scan->count && fetch(scan) != SDB_OK)
        return SDB_ERROR;
    if (scan->pos == scan->count)
        return SDB_BTREE_END;
    while (*count < max && scan->pos < scan->count)
        entry_out(scan, scan->pos++, &out[(*count)++]);
    return SDB_OK;
}

int sdb_btree_scan_next(SdbBtreeScan *scan, SdbBtreeEntry *out)
{
    size_t count;
    return sdb_btree_scan_batch(scan, out, 1, &count);
}
