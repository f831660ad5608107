/*
 * storage/btree_insert.c: inserting entries into the B+tree: unique checks,
 * page splits, downlink insertion into parents (bottom-up, Lehman-Yao),
 * completing splits left incomplete by a crash or an error, new roots, and
 * allocating pages (from the metapage's free queue or by extending the file).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"

/* Rightmost splits of an ascending insert fill the left page this much
 * (percent): leaves as a default-built index, internal pages as PostgreSQL. */
#define BT_SPLIT_LEAF_FILL 90
#define BT_SPLIT_INTERNAL_FILL 70

static int insert_on_page(SdbBtree *bt, BtStack *stack, SdbBuffer *buf, const BtKey *k, const uint8_t *item,
                          uint16_t item_len, SdbBuffer *child, SdbXid xid);

/* ---- page allocation ------------------------------------------------------------ */

/* A page for a new node, EXCLUSIVE-latched in *out; its contents are to be
 * overwritten.  The head of the free list is reused when every operation
 * in progress started after the page's last change (its unlinking): then
 * the metapage stays latched in *meta_io, for the caller to log the
 * removal, *from_free is set and *next_free is the new head.  Otherwise
 * the file is extended.  *meta_io on entry is the metapage if the caller
 * already holds it EXCLUSIVE, else NULL. */
static int alloc_page(SdbBtree *bt, SdbBuffer **meta_io, SdbBuffer **out, bool *from_free, SdbBlockNo *next_free)
{
    SdbBuffer *meta = *meta_io;
    bool own_meta = meta == NULL;
    *from_free = false;
    *next_free = SDB_INVALID_BLOCK;
    if (own_meta && bt_read_meta(bt, SDB_BUF_EXCLUSIVE, &meta) != SDB_OK)
        return SDB_ERROR;
    SdbBlockNo head = bt_meta(sdb_buf_page(meta))->free_head;
    if (head != SDB_INVALID_BLOCK) {
        SdbBuffer *buf;
        if (bt_read(bt, head, SDB_BUF_EXCLUSIVE, -1, &buf) != SDB_OK)
            goto fail;
        if (!(bt_opaque(sdb_buf_page(buf))->flags & BT_DELETED)) {
            sdb_buf_unlock_release(buf);
            bt_corrupted(bt, head, "page in the B+tree free list is not deleted");
            goto fail;
        }
        if (bt_op_none_before(bt, sdb_buf_lsn(buf))) {
            *meta_io = meta;
            *from_free = true;
            *next_free = bt_opaque(sdb_buf_page(buf))->next_free;
            *out = buf;
            return SDB_OK;
        }
        sdb_buf_unlock_release(buf);
    }
    if (own_meta) {
        sdb_buf_unlock_release(meta);
        *meta_io = NULL;
    }
    *out = sdb_buf_read(bt->pool, bt->rel, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    return *out == NULL ? SDB_ERROR : SDB_OK;
fail:
    if (own_meta)
        sdb_buf_unlock_release(meta);
    return SDB_ERROR;
}

/* ---- finding the parent ------------------------------------------------------------ */

/* The page at `level` that covers `k`, EXCLUSIVE-latched, starting from the
 * stack when it reaches that level, else from a new descent (the root split
 * since).  *is_root instead when the child (`child_block`, one level down)
 * is the root: then *out is NULL. */
static int find_parent(SdbBtree *bt, BtStack *stack, SdbBlockNo child_block, int level, const BtKey *k,
                       SdbBuffer **out, bool *is_root)
{
    *out = NULL;
    *is_root = false;
    if (stack->top < level) {
        SdbBlockNo root;
        uint32_t root_level;
        if (bt_read_root(bt, &root, &root_level) != SDB_OK)
            return SDB_ERROR;
        if ((int)root_level < level) {
            if (root == child_block) {
                *is_root = true;
                return SDB_OK;
            }
            return bt_corrupted(bt, child_block, "B+tree page at the top level is not the root");
        }
        BtStack upper;
        if (bt_descend(bt, k, level, SDB_BUF_EXCLUSIVE, false, SDB_INVALID_XID, &upper, out) != SDB_OK)
            return SDB_ERROR;
        for (int l = level + 1; l <= upper.top; l++)
            stack->blocks[l] = upper.blocks[l];
        stack->top = upper.top;
        return SDB_OK;
    }
    if (bt_read(bt, stack->blocks[level], SDB_BUF_EXCLUSIVE, level, out) != SDB_OK)
        return SDB_ERROR;
    return bt_move_right(bt, out, SDB_BUF_EXCLUSIVE, level, k);
}

/* ---- new root ------------------------------------------------------------------------ */

/* `left` (EXCLUSIVE, the root, just split with right sibling `right`,
 * separator `sep`) gets a new root above it.  Releases `left`. */
static int new_root(SdbBtree *bt, SdbBuffer *left, const BtKeyBuf *sep, SdbBlockNo right, SdbXid xid)
{
    SdbBuffer *meta = NULL, *root = NULL;
    bool from_free = false;
    SdbBlockNo next_free = SDB_INVALID_BLOCK;
    uint8_t *items = NULL;
    BtChange change;
    int rc = SDB_ERROR;
    uint16_t level = (uint16_t)(bt_opaque(sdb_buf_page(left))->level + 1);

    bt_change_begin(&change, bt);
    if (bt_read_meta(bt, SDB_BUF_EXCLUSIVE, &meta) != SDB_OK)
        goto done;
    if (bt_meta(sdb_buf_page(meta))->root != sdb_buf_block(left)) {
        bt_corrupted(bt, sdb_buf_block(left), "split B+tree page is neither the root nor has a parent");
        goto done;
    }
    if (alloc_page(bt, &meta, &root, &from_free, &next_free) != SDB_OK)
        goto done;
    items = sdb_malloc(2 * (bt->max_key_len + BT_INTERNAL_HEADER));
    if (items == NULL)
        goto done;
    int root_index = bt_change_add(&change, root, SDB_WAL_FORCE_IMAGE);
    int left_index = bt_change_add(&change, left, 0);
    int meta_index = bt_change_add(&change, meta, 0);
    if (root_index < 0 || left_index < 0 || meta_index < 0)
        goto done;

    void *page = sdb_buf_page(root);
    SdbTid zero = {0, 0};
    uint8_t *second = items + bt->max_key_len + BT_INTERNAL_HEADER;
    uint16_t first_len = bt_encode(false, NULL, 0, zero, sdb_buf_block(left), items);
    uint16_t second_len = bt_encode(false, sep->bytes, sep->len, sep->tid, right, second);
    bt_page_init(page, bt->page_size, level);
    if (sdb_page_add_item(page, items, first_len, 0, 0) != 1 || sdb_page_add_item(page, second, second_len, 0, 0) != 2) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "new B+tree root page overflowed");
        goto done;
    }
    bt_opaque(sdb_buf_page(left))->flags &= (uint16_t)~BT_INCOMPLETE_SPLIT;
    BtWalNewRoot nr = {sdb_buf_block(root), level, from_free, next_free};
    BtMeta *m = bt_meta(sdb_buf_page(meta));
    m->root = nr.root;
    m->level = nr.level;
    if (from_free)
        bt_meta_free_pop(sdb_buf_page(meta), next_free);
    sdb_wal_add_block_data(&change.builder, meta_index, &nr, sizeof nr);
    rc = bt_change_log(&change, BT_WAL_NEWROOT, xid);
done:
    if (rc != SDB_OK)
        bt_change_abandon(&change);
    sdb_free(items);
    bt_release(root);
    bt_release(meta);
    sdb_buf_unlock_release(left);
    return rc;
}

/* ---- downlinks ------------------------------------------------------------------------ */

/* After `left` (EXCLUSIVE, BT_INCOMPLETE_SPLIT set) split off `right` with
 * separator `sep`: insert the downlink (sep, right) into the parent, which
 * clears the flag.  Releases `left`. */
static int insert_downlink(SdbBtree *bt, BtStack *stack, SdbBuffer *left, const BtKeyBuf *sep, SdbBlockNo right,
                           SdbXid xid)
{
    int level = bt_opaque(sdb_buf_page(left))->level + 1;
    BtKey k = bt_key_of_buf(sep);
    uint8_t *item = sdb_malloc(bt->max_key_len + BT_INTERNAL_HEADER);
    if (item == NULL) {
        sdb_buf_unlock_release(left);
        return SDB_ERROR;
    }
    uint16_t item_len = bt_encode(false, sep->bytes, sep->len, sep->tid, right, item);
    int rc;
    for (;;) {
        SdbBuffer *parent;
        bool is_root;
        if (find_parent(bt, stack, sdb_buf_block(left), level, &k, &parent, &is_root) != SDB_OK) {
            sdb_buf_unlock_release(left);
            rc = SDB_ERROR;
            break;
        }
        if (is_root) {
            rc = new_root(bt, left, sep, right, xid);
            break;
        }
        if (bt_opaque(sdb_buf_page(parent))->flags & BT_INCOMPLETE_SPLIT) {
            if (bt_finish_split(bt, stack, parent, xid) != SDB_OK) {
                sdb_buf_unlock_release(left);
                rc = SDB_ERROR;
                break;
            }
            continue;
        }
        rc = insert_on_page(bt, stack, parent, &k, item, item_len, left, xid);
        break;
    }
    sdb_free(item);
    return rc;
}

int bt_finish_split(SdbBtree *bt, BtStack *stack, SdbBuffer *buf, SdbXid xid)
{
    void *page = sdb_buf_page(buf);
    SdbBlockNo block = sdb_buf_block(buf);
    BtItem high;
    BtKeyBuf sep = {NULL, 0, {0, 0}};
    int rc = SDB_ERROR;
    if (bt_is_rightmost(page)) {
        bt_corrupted(bt, block, "B+tree page with an incomplete split has no right sibling");
    } else if (bt_item(bt, page, block, 1, &high) == SDB_OK &&
               (sep.bytes = sdb_malloc(high.len > 0 ? high.len : 1)) != NULL) {
        bt_keybuf_set(&sep, high.key, high.len, high.tid);
        /* insert_downlink releases buf */
        rc = insert_downlink(bt, stack, buf, &sep, bt_opaque(page)->right, xid);
        sdb_free(sep.bytes);
        return rc;
    }
    sdb_free(sep.bytes);
    sdb_buf_unlock_release(buf);
    return rc;
}

/* ---- splits ----------------------------------------------------------------------------- */

typedef struct SplitItem {
    const uint8_t *data;
    uint16_t len;
} SplitItem;

/* Where to split `n` items (the new one included): items [0, m) go left
 * (plus a high key as long as item m), [m, n) right (plus `right_extra`
 * bytes of high key).  Balanced, or filling the left page to `fill_percent`
 * when that is > 0 (appending at the right end of a level). */
static int choose_split(SdbBtree *bt, const SplitItem *items, int n, size_t right_extra, int fill_percent,
                        int *m_out)
{
    size_t usable = bt_usable_space(bt->page_size);
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += bt_item_cost(items[i].len);
    size_t target = usable * (size_t)fill_percent / 100;
    size_t left = 0, best_score = (size_t)-1;
    int best = -1;
    for (int m = 1; m < n; m++) {
        left += bt_item_cost(items[m - 1].len);
        size_t left_total = left + bt_item_cost(items[m].len);
        size_t right_total = total - left + right_extra;
        if (left_total > usable || right_total > usable)
            continue;
        size_t other = fill_percent > 0 ? target : right_total;
        size_t score = left_total > other ? left_total - other : other - left_total;
        if (score < best_score) {
            best_score = score;
            best = m;
        }
    }
    if (best < 0)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "no split point for a B+tree page of %d items", n);
    *m_out = best;
    return SDB_OK;
}

/* Add items [from, to) to `page`. */
static int fill_page(void *page, const SplitItem *items, int from, int to)
{
    for (int i = from; i < to; i++)
        if (sdb_page_add_item(page, items[i].data, items[i].len, 0, 0) <= 0)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree split page overflowed");
    return SDB_OK;
}

/* Split `buf` (EXCLUSIVE, no incomplete split) inserting `item` at `slot`,
 * then insert the new right page's downlink into the parent.  `child` (may
 * be NULL) is the lower page whose split `item` completes.  Releases buf
 * and child. */
static int split_page(SdbBtree *bt, BtStack *stack, SdbBuffer *buf, uint16_t slot, const uint8_t *item,
                      uint16_t item_len, SdbBuffer *child, SdbXid xid)
{
    void *page = sdb_buf_page(buf);
    BtOpaque old = *bt_opaque(page);
    bool leaf = old.level == 0;
    uint16_t first = bt_first_data(page), count = sdb_page_item_count(page);
    int n = count - first + 2;
    SdbBuffer *sibling = NULL, *right = NULL, *meta = NULL;
    bool from_free = false;
    SdbBlockNo next_free = SDB_INVALID_BLOCK;
    BtChange change;
    BtKeyBuf sep = {NULL, 0, {0, 0}};
    int rc = SDB_ERROR;

    bt_change_begin(&change, bt);
    size_t key_room = bt->max_key_len + BT_INTERNAL_HEADER;
    uint8_t *mem = sdb_malloc(2 * (size_t)bt->page_size + (size_t)n * sizeof(SplitItem) + 2 * key_room);
    if (mem == NULL)
        goto fail;
    uint8_t *left_image = mem, *right_image = mem + bt->page_size;
    SplitItem *items = (SplitItem *)(mem + 2 * (size_t)bt->page_size);
    uint8_t *high_key = (uint8_t *)(items + n);
    sep.bytes = high_key + key_room;

    if (old.flags & (BT_INCOMPLETE_SPLIT | BT_DELETED)) {
        bt_corrupted(bt, sdb_buf_block(buf), "B+tree page to split is deleted or has an incomplete split");
        goto fail;
    }
    for (int i = 0, s = first; s <= count + 1; s++) {
        if (s == slot)
            items[i++] = (SplitItem){item, item_len};
        if (s <= count) {
            uint16_t len;
            items[i].data = sdb_page_item(page, (uint16_t)s, &len);
            items[i++].len = len;
        }
    }
    size_t old_high_cost = 0;
    uint16_t old_high_len = 0;
    const uint8_t *old_high = NULL;
    if (!bt_is_rightmost(page)) {
        old_high = sdb_page_item(page, 1, &old_high_len);
        old_high_cost = bt_item_cost(old_high_len);
    }
    int fill = bt_is_rightmost(page) && slot == count + 1 ? (leaf ? BT_SPLIT_LEAF_FILL : BT_SPLIT_INTERNAL_FILL) : 0;
    int m;
    if (choose_split(bt, items, n, old_high_cost, fill, &m) != SDB_OK)
        goto fail;

    /* The separator: item m's key and tid, which becomes the left page's
     * high key (internal: without its downlink). */
    BtItem sep_item;
    {
        const uint8_t *p = items[m].data + (leaf ? 0 : sizeof(SdbBlockNo));
        memcpy(&sep_item.tid.block, p, sizeof sep_item.tid.block);
        memcpy(&sep_item.tid.slot, p + 4, sizeof sep_item.tid.slot);
        sep_item.key = p + BT_LEAF_HEADER;
        sep_item.len = items[m].len - (leaf ? BT_LEAF_HEADER : BT_INTERNAL_HEADER);
        bt_keybuf_set(&sep, sep_item.key, sep_item.len, sep_item.tid);
    }
    uint16_t high_len = bt_encode(leaf, sep.bytes, sep.len, sep.tid, SDB_INVALID_BLOCK, high_key);

    if (old.right != SDB_INVALID_BLOCK && bt_read(bt, old.right, SDB_BUF_EXCLUSIVE, old.level, &sibling) != SDB_OK)
        goto fail;
    if (alloc_page(bt, &meta, &right, &from_free, &next_free) != SDB_OK)
        goto fail;
    SdbBlockNo right_block = sdb_buf_block(right);

    bt_page_init(left_image, bt->page_size, old.level);
    *bt_opaque(left_image) = old;
    bt_opaque(left_image)->right = right_block;
    bt_opaque(left_image)->flags = BT_INCOMPLETE_SPLIT;
    bt_page_init(right_image, bt->page_size, old.level);
    bt_opaque(right_image)->left = sdb_buf_block(buf);
    bt_opaque(right_image)->right = old.right;
    if (sdb_page_add_item(left_image, high_key, high_len, 0, 0) != 1 || fill_page(left_image, items, 0, m) != SDB_OK ||
        (old_high != NULL && sdb_page_add_item(right_image, old_high, old_high_len, 0, 0) != 1) ||
        fill_page(right_image, items, m, n) != SDB_OK) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree split page overflowed");
        goto fail;
    }

    BtWalSplit rec = {old.level, 0};
    SdbBlockNo sibling_left = right_block;
    if (bt_change_add(&change, buf, SDB_WAL_FORCE_IMAGE) < 0 || bt_change_add(&change, right, SDB_WAL_FORCE_IMAGE) < 0)
        goto fail;
    if (sibling != NULL) {
        int i = bt_change_add(&change, sibling, 0);
        if (i < 0)
            goto fail;
        sdb_wal_add_block_data(&change.builder, i, &sibling_left, sizeof sibling_left);
        rec.flags |= BT_SPLIT_HAS_SIBLING;
    }
    if (child != NULL) {
        if (bt_change_add(&change, child, 0) < 0)
            goto fail;
        rec.flags |= BT_SPLIT_HAS_CHILD;
    }
    if (from_free) {
        int i = bt_change_add(&change, meta, 0);
        if (i < 0)
            goto fail;
        sdb_wal_add_block_data(&change.builder, i, &next_free, sizeof next_free);
        rec.flags |= BT_SPLIT_FROM_FREE;
    }
    sdb_wal_add_data(&change.builder, &rec, sizeof rec);

    /* Item pointers point into the old page: images are complete now. */
    memcpy(page, left_image, bt->page_size);
    memcpy(sdb_buf_page(right), right_image, bt->page_size);
    if (sibling != NULL)
        bt_opaque(sdb_buf_page(sibling))->left = right_block;
    if (child != NULL)
        bt_opaque(sdb_buf_page(child))->flags &= (uint16_t)~BT_INCOMPLETE_SPLIT;
    if (from_free)
        bt_meta_free_pop(sdb_buf_page(meta), next_free);
    if (bt_change_log(&change, BT_WAL_SPLIT, xid) != SDB_OK)
        goto fail;

    bt_release(sibling);
    bt_release(meta);
    sdb_buf_unlock_release(right);
    bt_release(child);
    rc = insert_downlink(bt, stack, buf, &sep, right_block, xid);
    sdb_free(mem);
    return rc;

fail:
    bt_change_abandon(&change);
    bt_release(sibling);
    bt_release(meta);
    bt_release(right);
    bt_release(child);
    sdb_buf_unlock_release(buf);
    sdb_free(mem);
    return rc;
}

/* ---- inserting into one page ------------------------------------------------------------- */

/* Insert `item` (encoded for the page's kind; ordered by `k`) into `buf`
 * (EXCLUSIVE, no incomplete split), splitting it when full.  `child`: see
 * split_page.  Releases buf and child. */
static int insert_on_page(SdbBtree *bt, BtStack *stack, SdbBuffer *buf, const BtKey *k, const uint8_t *item,
                          uint16_t item_len, SdbBuffer *child, SdbXid xid)
{
    void *page = sdb_buf_page(buf);
    SdbBlockNo block = sdb_buf_block(buf);
    bool leaf = bt_is_leaf(page);
    uint16_t slot;
    int rc = SDB_ERROR;

    if (leaf) {
        BtItem found;
        if (bt_search_leaf(bt, page, block, k, &slot) != SDB_OK)
            goto done;
        if (slot <= sdb_page_item_count(page)) {
            if (bt_item(bt, page, block, slot, &found) != SDB_OK)
                goto done;
            if (bt_compare_item(k, &found) == 0) {
                sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree entry with tid (%u,%u) is already in index \"%s\"",
                          k->tid.block, k->tid.slot, bt->path);
                goto done;
            }
        }
    } else {
        if (bt_search_internal(bt, page, block, k, &slot) != SDB_OK)
            goto done;
        slot++;
    }
    if (sdb_page_free_space(page) < item_len)
        return split_page(bt, stack, buf, slot, item, item_len, child, xid);

    BtChange change;
    bt_change_begin(&change, bt);
    int index = bt_change_add(&change, buf, 0);
    if (index < 0 || (child != NULL && bt_change_add(&change, child, 0) < 0)) {
        bt_change_abandon(&change);
        goto done;
    }
    if (sdb_page_add_item(page, item, item_len, slot, SDB_PAGE_ADD_SHIFT) != slot) {
        bt_change_abandon(&change);
        sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree item did not fit after all");
        goto done;
    }
    if (child != NULL)
        bt_opaque(sdb_buf_page(child))->flags &= (uint16_t)~BT_INCOMPLETE_SPLIT;
    sdb_wal_add_block_data(&change.builder, index, &slot, sizeof slot);
    sdb_wal_add_block_data(&change.builder, index, item, item_len);
    rc = bt_change_log(&change, leaf ? BT_WAL_INSERT_LEAF : BT_WAL_INSERT_UPPER, xid);
done:
    bt_release(child);
    sdb_buf_unlock_release(buf);
    return rc;
}

/* ---- unique checks ---------------------------------------------------------------------- */

/* Look at every entry with key `key` from the latched leaf `first` (which
 * covers (key, minus infinity)) rightwards, holding `first` and latching
 * the pages to its right SHARE one at a time.  `first` stays latched. */
static int check_unique_from(SdbBtree *bt, SdbBuffer *first, const uint8_t *key, size_t key_len,
                             SdbBtreeConflictFn is_conflict, void *arg, SdbTid *conflict)
{
    BtKey start = {key, key_len, {0, 0}, -1, false};
    SdbBuffer *cur = first;
    uint16_t slot;
    int rc = SDB_OK;
    if (bt_search_leaf(bt, sdb_buf_page(cur), sdb_buf_block(cur), &start, &slot) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        void *page = sdb_buf_page(cur);
        SdbBlockNo block = sdb_buf_block(cur);
        bool deleted = (bt_opaque(page)->flags & BT_DELETED) != 0;
        uint16_t count = sdb_page_item_count(page);
        bool run_ended = false;
        for (; !deleted && slot <= count; slot++) {
            BtItem item;
            if (bt_item(bt, page, block, slot, &item) != SDB_OK) {
                rc = SDB_ERROR;
                goto done;
            }
            if (bt_key_compare(item.key, item.len, key, key_len) != 0) {
                run_ended = true;
                break;
            }
            if (is_conflict == NULL || is_conflict(arg, item.tid)) {
                if (conflict != NULL)
                    *conflict = item.tid;
                rc = SDB_BTREE_CONFLICT;
                goto done;
            }
        }
        if (run_ended || bt_is_rightmost(page))
            break;
        if (!deleted) {
            BtItem high;
            if (bt_item(bt, page, block, 1, &high) != SDB_OK) {
                rc = SDB_ERROR;
                goto done;
            }
            if (bt_key_compare(high.key, high.len, key, key_len) != 0)
                break;
        }
        SdbBuffer *next;
        if (bt_read(bt, bt_opaque(page)->right, SDB_BUF_SHARE, 0, &next) != SDB_OK) {
            rc = SDB_ERROR;
            goto done;
        }
        if (cur != first)
            sdb_buf_unlock_release(cur);
        cur = next;
        slot = bt_first_data(sdb_buf_page(cur));
    }
done:
    if (cur != first)
        sdb_buf_unlock_release(cur);
    return rc;
}

int sdb_btree_check_unique(SdbBtree *bt, const void *key, size_t key_len, SdbBtreeConflictFn is_conflict,
                           void *arg, SdbTid *conflict)
{
    BtKey start = {key, key_len, {0, 0}, -1, false};
    BtStack stack;
    BtOp op;
    SdbBuffer *first;
    if (key_len > bt->max_key_len)
        return bt_key_too_long(bt, key_len);
    bt_op_begin(bt, &op);
    int rc = bt_descend(bt, &start, 0, SDB_BUF_SHARE, false, SDB_INVALID_XID, &stack, &first);
    if (rc == SDB_OK) {
        rc = check_unique_from(bt, first, key, key_len, is_conflict, arg, conflict);
        sdb_buf_unlock_release(first);
    }
    bt_op_end(bt, &op);
    return rc;
}

/* ---- insert ------------------------------------------------------------------------------ */

/* One attempt at inserting; *retry when an incomplete split had to be
 * completed first. */
static int insert_once(SdbBtree *bt, const BtKey *entry, const uint8_t *item, uint16_t item_len, SdbXid xid,
                       SdbBtreeConflictFn is_conflict, void *arg, SdbTid *conflict, bool *retry)
{
    BtKey start = *entry;
    BtStack stack;
    SdbBuffer *first, *target;
    *retry = false;
    if (bt->unique)
        start.tid_inf = -1;
    if (bt_descend(bt, &start, 0, SDB_BUF_EXCLUSIVE, true, xid, &stack, &first) != SDB_OK)
        return SDB_ERROR;
    if (bt->unique) {
        int rc = check_unique_from(bt, first, entry->key, entry->len, is_conflict, arg, conflict);
        if (rc != SDB_OK) {
            sdb_buf_unlock_release(first);
            return rc;
        }
    }
    /* Walk right to the page for (key, tid), keeping `first` latched so no
     * other insert of this key can pass the unique check meanwhile. */
    target = first;
    for (;;) {
        bool beyond;
        if (bt_beyond_page(bt, sdb_buf_page(target), sdb_buf_block(target), entry, &beyond) != SDB_OK)
            goto fail;
        if (!beyond)
            break;
        SdbBuffer *next;
        if (bt_read(bt, bt_opaque(sdb_buf_page(target))->right, SDB_BUF_EXCLUSIVE, 0, &next) != SDB_OK)
            goto fail;
        if (target != first)
            sdb_buf_unlock_release(target);
        target = next;
    }
    if (bt_opaque(sdb_buf_page(target))->flags & BT_INCOMPLETE_SPLIT) {
        /* Only a page right of `first` can get here (the descent completed
         * first's split). */
        sdb_buf_unlock_release(first);
        *retry = true;
        return bt_finish_split(bt, &stack, target, xid);
    }
    int rc = insert_on_page(bt, &stack, target, entry, item, item_len, NULL, xid);
    if (target != first)
        sdb_buf_unlock_release(first);
    return rc;
fail:
    if (target != first)
        sdb_buf_unlock_release(target);
    sdb_buf_unlock_release(first);
    return SDB_ERROR;
}

int sdb_btree_insert(SdbBtree *bt, const void *key, size_t key_len, SdbTid tid, SdbXid xid,
                     SdbBtreeConflictFn is_conflict, void *arg, SdbTid *conflict)
{
    if (key_len > bt->max_key_len)
        return bt_key_too_long(bt, key_len);
    uint8_t *item = sdb_malloc(key_len + BT_LEAF_HEADER);
    if (item == NULL)
        return SDB_ERROR;
    uint16_t item_len = bt_encode(true, key, key_len, tid, SDB_INVALID_BLOCK, item);
    BtKey entry = {key, key_len, tid, 0, false};
    BtOp op;
    bool retry;
    int rc;
    bt_op_begin(bt, &op);
    do
        rc = insert_once(bt, &entry, item, item_len, xid, is_conflict, arg, conflict, &retry);
    while (rc == SDB_OK && retry);
    bt_op_end(bt, &op);
    sdb_free(item);
    return rc;
}
