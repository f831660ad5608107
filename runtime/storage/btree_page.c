/*
 * storage/btree_page.c: the B+tree's page formats (btree_int.h): metapage
 * and node layout, entry encoding, comparisons, binary searches within a
 * page, and the checks that keep bad on-disk bytes from being trusted.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "storage/btree_int.h"

/* ---- metapage ------------------------------------------------------------ */

BtMeta *bt_meta(void *page)
{
    return (BtMeta *)sdb_page_special(page);
}

void bt_meta_init(void *page, uint32_t page_size, SdbBlockNo root, uint32_t level, bool unique)
{
    sdb_page_init(page, page_size, SDB_PAGE_KIND_BTREE_META, sizeof(BtMeta));
    BtMeta *meta = bt_meta(page);
    meta->magic = BT_META_MAGIC;
    meta->version = BT_META_VERSION;
    meta->root = root;
    meta->level = level;
    meta->flags = unique ? BT_META_UNIQUE : 0;
    meta->free_count = 0;
    meta->free_head = SDB_INVALID_BLOCK;
    meta->free_tail = SDB_INVALID_BLOCK;
}

void bt_meta_free_pop(void *meta_page, SdbBlockNo next)
{
    BtMeta *meta = bt_meta(meta_page);
    meta->free_head = next;
    if (next == SDB_INVALID_BLOCK)
        meta->free_tail = SDB_INVALID_BLOCK;
    if (meta->free_count > 0)
        meta->free_count--;
}

void bt_meta_free_append(void *meta_page, SdbBlockNo block)
{
    BtMeta *meta = bt_meta(meta_page);
    if (meta->free_head == SDB_INVALID_BLOCK)
        meta->free_head = block;
    meta->free_tail = block;
    meta->free_count++;
}

/* ---- node pages ------------------------------------------------------------ */

size_t bt_usable_space(uint32_t page_size)
{
    return page_size - SDB_PAGE_HEADER_SIZE - sizeof(BtOpaque);
}

void bt_page_init(void *page, uint32_t page_size, uint16_t level)
{
    sdb_page_init(page, page_size, SDB_PAGE_KIND_BTREE, sizeof(BtOpaque));
    BtOpaque *op = bt_opaque(page);
    op->left = SDB_INVALID_BLOCK;
    op->right = SDB_INVALID_BLOCK;
    op->level = level;
    op->flags = 0;
    op->next_free = SDB_INVALID_BLOCK;
}

void bt_mark_deleted(void *page)
{
    bt_opaque(page)->flags |= BT_DELETED;
    bt_opaque(page)->next_free = SDB_INVALID_BLOCK;
}

bool bt_is_leaf(void *page)
{
    return bt_opaque(page)->level == 0;
}

bool bt_is_rightmost(void *page)
{
    return bt_opaque(page)->right == SDB_INVALID_BLOCK;
}

uint16_t bt_first_data(void *page)
{
    return bt_is_rightmost(page) ? 1 : 2;
}

uint16_t bt_data_count(void *page)
{
    uint16_t count = sdb_page_item_count(page);
    uint16_t first = bt_first_data(page);
    return count >= first ? (uint16_t)(count - first + 1) : 0;
}

size_t bt_data_space(void *page)
{
    size_t used = 0;
    uint16_t count = sdb_page_item_count(page);
    for (uint16_t s = bt_first_data(page); s <= count; s++) {
        uint16_t len;
        if (sdb_page_item(page, s, &len) != NULL)
            used += bt_item_cost(len);
    }
    return used;
}

size_t bt_used_space(void *page)
{
    size_t used = bt_data_space(page);
    uint16_t len;
    if (!bt_is_rightmost(page) && sdb_page_item(page, 1, &len) != NULL)
        used += bt_item_cost(len);
    return used;
}

void bt_drop_data(void *page)
{
    uint16_t first = bt_first_data(page);
    while (sdb_page_item_count(page) >= first)
        sdb_page_delete_item(page, sdb_page_item_count(page));
}

int bt_corrupted(SdbBtree *bt, SdbBlockNo block, const char *what)
{
    return sdb_error(SDB_ERR_INDEX_CORRUPTED, "index file \"%s\" block %u: %s", bt->path, block, what);
}

int bt_key_too_long(SdbBtree *bt, size_t len)
{
    sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "index row size %zu exceeds btree maximum %zu", len,
              bt->max_key_len);
    sdb_error_hint("Values larger than 1/4 of a buffer page cannot be indexed.");
    return SDB_ERROR;
}

int bt_check_node(SdbBtree *bt, void *page, SdbBlockNo block, int level)
{
    const SdbPageHeader *header = sdb_page_header(page);
    if (sdb_page_is_new(page))
        return bt_corrupted(bt, block, "unexpected all-zero page");
    if (header->kind != SDB_PAGE_KIND_BTREE)
        return bt_corrupted(bt, block, "not a B+tree node page");
    if (sdb_page_special_size(page, bt->page_size) != sizeof(BtOpaque))
        return bt_corrupted(bt, block, "B+tree special area has the wrong size");
    const BtOpaque *op = bt_opaque(page);
    if (op->level >= BT_MAX_LEVELS)
        return bt_corrupted(bt, block, "B+tree level out of range");
    if (level >= 0 && op->level != level) {
        char what[80];
        snprintf(what, sizeof what, "B+tree level %u where level %d was expected", op->level, level);
        return bt_corrupted(bt, block, what);
    }
    return SDB_OK;
}

uint16_t bt_encode(bool leaf, const uint8_t *key, size_t len, SdbTid tid, SdbBlockNo child, uint8_t *out)
{
    size_t at = 0;
    if (!leaf) {
        memcpy(out, &child, sizeof child);
        at = sizeof child;
    }
    memcpy(out + at, &tid.block, sizeof tid.block);
    memcpy(out + at + 4, &tid.slot, sizeof tid.slot);
    if (len > 0)
        memcpy(out + at + BT_LEAF_HEADER, key, len);
    return (uint16_t)(at + BT_LEAF_HEADER + len);
}

int bt_item(SdbBtree *bt, void *page, SdbBlockNo block, uint16_t slot, BtItem *out)
{
    uint16_t len;
    const uint8_t *p = sdb_page_item(page, slot, &len);
    bool leaf = bt_is_leaf(page);
    size_t header = leaf ? BT_LEAF_HEADER : BT_INTERNAL_HEADER;
    if (p == NULL || len < header || len - header > bt->max_key_len)
        return bt_corrupted(bt, block, "B+tree item missing or of a bad length");
    if (leaf) {
        out->child = SDB_INVALID_BLOCK;
    } else {
        memcpy(&out->child, p, sizeof out->child);
        p += sizeof out->child;
    }
    memcpy(&out->tid.block, p, sizeof out->tid.block);
    memcpy(&out->tid.slot, p + 4, sizeof out->tid.slot);
    out->key = p + BT_LEAF_HEADER;
    out->len = len - header;
    return SDB_OK;
}

/* ---- comparisons ---------------------------------------------------------- */

int bt_key_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t common = alen < blen ? alen : blen;
    int c = common > 0 ? memcmp(a, b, common) : 0;
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int bt_tid_compare(SdbTid a, SdbTid b)
{
    if (a.block != b.block)
        return a.block < b.block ? -1 : 1;
    if (a.slot != b.slot)
        return a.slot < b.slot ? -1 : 1;
    return 0;
}

int bt_compare(const BtKey *k, const uint8_t *key, size_t len, SdbTid tid)
{
    if (k->above_all)
        return 1;
    int c = bt_key_compare(k->key, k->len, key, len);
    if (c != 0)
        return c;
    if (k->tid_inf != 0)
        return k->tid_inf;
    return bt_tid_compare(k->tid, tid);
}

int bt_compare_item(const BtKey *k, const BtItem *item)
{
    return bt_compare(k, item->key, item->len, item->tid);
}

/* ---- searches within a page ------------------------------------------------ */

int bt_search_leaf(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k, uint16_t *slot_out)
{
    uint16_t lo = bt_first_data(page);
    uint16_t hi = (uint16_t)(sdb_page_item_count(page) + 1); /* answer in [lo, hi] */
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2);
        BtItem item = {NULL, 0, {0, 0}, 0};
        if (bt_item(bt, page, block, mid, &item) != SDB_OK)
            return SDB_ERROR;
        if (bt_compare_item(k, &item) > 0)
            lo = (uint16_t)(mid + 1);
        else
            hi = mid;
    }
    *slot_out = lo;
    return SDB_OK;
}

int bt_search_internal(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k, uint16_t *slot_out)
{
    uint16_t first = bt_first_data(page);
    uint16_t count = sdb_page_item_count(page);
    if (count < first)
        return bt_corrupted(bt, block, "internal B+tree page has no downlinks");
    /* Find the last slot in [first, count] whose key is <= k; `first` always
     * qualifies (minus infinity). */
    uint16_t lo = first, hi = count;
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo + 1) / 2);
        BtItem item = {NULL, 0, {0, 0}, 0};
        if (bt_item(bt, page, block, mid, &item) != SDB_OK)
            return SDB_ERROR;
        if (bt_compare_item(k, &item) >= 0)
            lo = mid;
        else
            hi = (uint16_t)(mid - 1);
    }
    *slot_out = lo;
    return SDB_OK;
}

int bt_beyond_page(SdbBtree *bt, void *page, SdbBlockNo block, const BtKey *k, bool *beyond)
{
    BtOpaque *op = bt_opaque(page);
    if (op->flags & BT_DELETED) {
        *beyond = true;
        return SDB_OK;
    }
    if (op->right == SDB_INVALID_BLOCK) {
        *beyond = false;
        return SDB_OK;
    }
    BtItem high;
    if (bt_item(bt, page, block, 1, &high) != SDB_OK)
        return SDB_ERROR;
    *beyond = bt_compare_item(k, &high) >= 0;
    return SDB_OK;
}

void bt_keybuf_set(BtKeyBuf *buf, const uint8_t *key, size_t len, SdbTid tid)
{
    if (len > 0)
        memmove(buf->bytes, key, len);
    buf->len = len;
    buf->tid = tid;
}
