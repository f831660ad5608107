/*
 * storage/btree_delete.c: removing entries from the B+tree, and taking a
 * leaf that became empty or under-full out of the tree: its entries, if
 * any, move to its right sibling, and it is unlinked from its siblings and
 * its parent in one WAL record and queued in the metapage for reuse once no
 * operation that started before can still reach it (README: "B+tree
 * deletion").
 */
#include <limits.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"

/* How often the left sibling may change under us before we give up on
 * deleting a page (it stays; a later delete may retry). */
#define BT_UNLINK_ATTEMPTS 3

/* A leaf whose entries take at most this share of the usable space merges
 * into its right sibling, if that sibling then takes at most the second
 * (far enough apart that a merged page does not split again soon). */
#define BT_MERGE_BELOW_PERCENT 30
#define BT_MERGE_UPTO_PERCENT 70

/* The latches an unlink holds, released together. */
typedef struct Unlink {
    SdbBuffer *left, *target, *right, *parent, *meta, *old_tail;
} Unlink;

static void unlink_release(Unlink *u)
{
    SdbBuffer **all[] = {&u->old_tail, &u->meta, &u->parent, &u->right, &u->target, &u->left};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        bt_release(*all[i]);
        *all[i] = NULL;
    }
}

/* Whether a latched leaf may be taken out of the tree: it is empty, or
 * under-full and its entries may move right. */
static bool deletable(SdbBtree *bt, void *page)
{
    const BtOpaque *op = bt_opaque(page);
    return op->level == 0 && !(op->flags & (BT_DELETED | BT_INCOMPLETE_SPLIT)) && !bt_is_rightmost(page) &&
           bt_data_space(page) * 100 <= bt_usable_space(bt->page_size) * BT_MERGE_BELOW_PERCENT;
}

/* Whether the latched leaf `page`, still in the tree, could take the
 * entries of an under-full left sibling. */
static bool takes_left(SdbBtree *bt, void *page)
{
    const BtOpaque *op = bt_opaque(page);
    return op->level == 0 && !(op->flags & BT_DELETED) && op->left != SDB_INVALID_BLOCK &&
           bt_used_space(page) * 100 <=
               bt_usable_space(bt->page_size) * (BT_MERGE_UPTO_PERCENT - BT_MERGE_BELOW_PERCENT);
}

/* Whether the latched right sibling can take the target's entries.  An
 * empty target always goes; entries do not go into a page whose split is
 * incomplete (nothing inserts there, README "B+tree concurrency"). */
static bool absorbs(SdbBtree *bt, void *target, void *right)
{
    size_t moved = bt_data_space(target), limit = bt_usable_space(bt->page_size) * BT_MERGE_UPTO_PERCENT;
    return moved == 0 ||
           (!(bt_opaque(right)->flags & BT_INCOMPLETE_SPLIT) && (bt_used_space(right) + moved) * 100 <= limit);
}

/* Latch the parent holding the downlink to u->target, whose low bound is
 * `low`; *slot is that downlink's slot.  *found false (parent not latched)
 * when the downlink is not there or is its page's last one, or the next
 * downlink does not point at the right sibling. */
static int latch_parent(SdbBtree *bt, BtStack *stack, const BtKey *low, Unlink *u, uint16_t *slot, bool *found)
{
    SdbBlockNo target = sdb_buf_block(u->target), right = sdb_buf_block(u->right);
    *found = false;
    if (stack->top >= 1) {
        if (bt_read(bt, stack->blocks[1], SDB_BUF_EXCLUSIVE, 1, &u->parent) != SDB_OK ||
            bt_move_right(bt, &u->parent, SDB_BUF_EXCLUSIVE, 1, low) != SDB_OK)
            return SDB_ERROR;
    } else {
        BtStack upper;
        if (bt_descend(bt, low, 1, SDB_BUF_EXCLUSIVE, false, SDB_INVALID_XID, &upper, &u->parent) != SDB_OK)
            return SDB_ERROR;
    }
    void *page = sdb_buf_page(u->parent);
    SdbBlockNo block = sdb_buf_block(u->parent);
    uint16_t count = sdb_page_item_count(page);
    for (uint16_t s = bt_first_data(page); s <= count; s++) {
        BtItem item, next;
        if (bt_item(bt, page, block, s, &item) != SDB_OK)
            return SDB_ERROR;
        if (item.child != target)
            continue;
        if (s == count)
            return SDB_OK;
        if (bt_item(bt, page, block, (uint16_t)(s + 1), &next) != SDB_OK)
            return SDB_ERROR;
        *found = next.child == right;
        *slot = s;
        return SDB_OK;
    }
    return SDB_OK;
}

/* A cheap look (SHARE latches, target then right sibling) at whether
 * `target` looks like it can go; *left is its left link. */
static int probe(SdbBtree *bt, SdbBlockNo target, bool *candidate, SdbBlockNo *left)
{
    SdbBuffer *buf, *right = NULL;
    if (bt_read(bt, target, SDB_BUF_SHARE, 0, &buf) != SDB_OK)
        return SDB_ERROR;
    void *page = sdb_buf_page(buf);
    *candidate = deletable(bt, page);
    *left = bt_opaque(page)->left;
    if (*candidate && bt_data_count(page) > 0) {
        if (bt_read(bt, bt_opaque(page)->right, SDB_BUF_SHARE, 0, &right) != SDB_OK) {
            sdb_buf_unlock_release(buf);
            return SDB_ERROR;
        }
        *candidate = absorbs(bt, page, sdb_buf_page(right));
        sdb_buf_unlock_release(right);
    }
    sdb_buf_unlock_release(buf);
    return SDB_OK;
}

/* Latch left sibling, target, right sibling, parent, metapage and the
 * free list's tail, in that order, checking that the target can still go.
 * *ready false (nothing latched) when it cannot. */
static int latch_for_unlink(SdbBtree *bt, BtStack *stack, SdbBlockNo target, Unlink *u, uint16_t *parent_slot,
                            bool *ready)
{
    *ready = false;
    for (int attempt = 0; attempt < BT_UNLINK_ATTEMPTS; attempt++) {
        bool candidate;
        SdbBlockNo left;
        if (probe(bt, target, &candidate, &left) != SDB_OK)
            return SDB_ERROR;
        if (!candidate)
            return SDB_OK;

        if (left != SDB_INVALID_BLOCK) {
            if (bt_find_left_of(bt, left, target, SDB_BUF_EXCLUSIVE, INT_MAX, &u->left) != SDB_OK)
                return SDB_ERROR;
            if (u->left == NULL)
                continue;
        }
        SdbBlockNo left_block = u->left != NULL ? sdb_buf_block(u->left) : SDB_INVALID_BLOCK;
        bool found;
        if (bt_read(bt, target, SDB_BUF_EXCLUSIVE, 0, &u->target) != SDB_OK)
            goto fail;
        void *page = sdb_buf_page(u->target);
        if (!deletable(bt, page)) {
            unlink_release(u);
            return SDB_OK;
        }
        if (bt_opaque(page)->left != left_block) {
            unlink_release(u);
            continue;
        }
        SdbBlockNo right = bt_opaque(page)->right;
        if (bt_read(bt, right, SDB_BUF_EXCLUSIVE, 0, &u->right) != SDB_OK)
            goto fail;
        if (bt_opaque(sdb_buf_page(u->right))->left != target ||
            (bt_opaque(sdb_buf_page(u->right))->flags & BT_DELETED)) {
            unlink_release(u);
            return bt_corrupted(bt, right, "B+tree sibling links disagree");
        }
        if (!absorbs(bt, page, sdb_buf_page(u->right))) {
            unlink_release(u);
            return SDB_OK;
        }

        /* The target's low bound: the left sibling's high key. */
        BtKey low = {(const uint8_t *)"", 0, {0, 0}, -1, false};
        if (u->left != NULL) {
            BtItem high;
            if (bt_item(bt, sdb_buf_page(u->left), left_block, 1, &high) != SDB_OK)
                goto fail;
            low = bt_key_of_item(&high);
        }
        if (latch_parent(bt, stack, &low, u, parent_slot, &found) != SDB_OK)
            goto fail;
        if (!found) {
            unlink_release(u);
            return SDB_OK;
        }
        if (bt_read_meta(bt, SDB_BUF_EXCLUSIVE, &u->meta) != SDB_OK)
            goto fail;
        /* Nobody can be waiting for the tail: it is out of the tree. */
        SdbBlockNo tail = bt_meta(sdb_buf_page(u->meta))->free_tail;
        if (tail != SDB_INVALID_BLOCK && bt_read(bt, tail, SDB_BUF_EXCLUSIVE, -1, &u->old_tail) != SDB_OK)
            goto fail;
        *ready = true;
        return SDB_OK;
    }
    return SDB_OK;
fail:
    unlink_release(u);
    return SDB_ERROR;
}

/* The data items of the latched leaf `page` as merge data (btree_int.h:
 * BT_UNLINK_MERGE), in *out (allocated; NULL and 0 when there are none). */
static int merge_data(SdbBtree *bt, void *page, SdbBlockNo block, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    uint16_t first = bt_first_data(page), count = sdb_page_item_count(page);
    if (count < first)
        return SDB_OK;
    uint8_t *data = sdb_malloc(bt->page_size);
    if (data == NULL)
        return SDB_ERROR;
    for (uint16_t s = first; s <= count; s++) {
        uint16_t item_len;
        const void *item = sdb_page_item(page, s, &item_len);
        if (item == NULL) {
            sdb_free(data);
            return bt_corrupted(bt, block, "B+tree leaf has an empty slot");
        }
        memcpy(data + *len, &item_len, sizeof item_len);
        memcpy(data + *len + sizeof item_len, item, item_len);
        *len += sizeof item_len + item_len;
    }
    *out = data;
    return SDB_OK;
}

/* Take the empty or under-full leaf `target` out of the tree if it still
 * may go, its entries moving to the right sibling. */
static int unlink_page(SdbBtree *bt, BtStack *stack, SdbBlockNo target, SdbXid xid)
{
    Unlink u = {NULL, NULL, NULL, NULL, NULL, NULL};
    uint16_t parent_slot = 0;
    bool ready;
    if (latch_for_unlink(bt, stack, target, &u, &parent_slot, &ready) != SDB_OK)
        return SDB_ERROR;
    if (!ready)
        return SDB_OK;

    BtWalUnlink rec = {
        .target = target,
        .left = u.left != NULL ? sdb_buf_block(u.left) : SDB_INVALID_BLOCK,
        .right = sdb_buf_block(u.right),
        .parent_slot = parent_slot,
        .flags = (uint16_t)((u.left != NULL ? BT_UNLINK_HAS_LEFT : 0) | (u.old_tail != NULL ? BT_UNLINK_HAS_OLD_TAIL : 0)),
    };
    BtChange change;
    bt_change_begin(&change, bt);
    int rc = SDB_ERROR, right_index = -1;
    uint8_t *moved = NULL;
    size_t moved_len;
    if (merge_data(bt, sdb_buf_page(u.target), target, &moved, &moved_len) != SDB_OK)
        goto done;
    if (moved != NULL)
        rec.flags |= BT_UNLINK_MERGE;
    if (bt_change_add(&change, u.target, 0) < 0 || (u.left != NULL && bt_change_add(&change, u.left, 0) < 0) ||
        (right_index = bt_change_add(&change, u.right, 0)) < 0 || bt_change_add(&change, u.parent, 0) < 0 ||
        bt_change_add(&change, u.meta, 0) < 0 || (u.old_tail != NULL && bt_change_add(&change, u.old_tail, 0) < 0))
        goto done;
    sdb_wal_add_data(&change.builder, &rec, sizeof rec);
    if (moved != NULL) {
        sdb_wal_add_block_data(&change.builder, right_index, moved, moved_len);
        if (bt_apply_merge_items(sdb_buf_page(u.right), moved, moved_len) != SDB_OK)
            goto done;
        bt_drop_data(sdb_buf_page(u.target));
    }
    bt_mark_deleted(sdb_buf_page(u.target));
    if (u.left != NULL)
        bt_opaque(sdb_buf_page(u.left))->right = rec.right;
    bt_opaque(sdb_buf_page(u.right))->left = rec.left;
    if (bt_apply_unlink_parent(sdb_buf_page(u.parent), parent_slot, rec.right) != SDB_OK)
        goto done;
    if (u.old_tail != NULL)
        bt_opaque(sdb_buf_page(u.old_tail))->next_free = target;
    bt_meta_free_append(sdb_buf_page(u.meta), target);
    rc = bt_change_log(&change, BT_WAL_UNLINK, xid);
done:
    if (rc != SDB_OK)
        bt_change_abandon(&change);
    unlink_release(&u);
    sdb_free(moved);
    return rc;
}

int sdb_btree_delete(SdbBtree *bt, const void *key, size_t key_len, SdbTid tid, SdbXid xid)
{
    BtKey entry = {key, key_len, tid, 0, false};
    BtStack stack;
    BtOp op;
    SdbBuffer *buf;
    uint16_t slot;
    int rc;
    if (key_len > bt->max_key_len)
        return bt_key_too_long(bt, key_len);
    bt_op_begin(bt, &op);
    rc = bt_descend(bt, &entry, 0, SDB_BUF_EXCLUSIVE, false, xid, &stack, &buf);
    if (rc != SDB_OK)
        goto done;
    void *page = sdb_buf_page(buf);
    SdbBlockNo block = sdb_buf_block(buf);
    rc = bt_search_leaf(bt, page, block, &entry, &slot);
    BtItem item;
    if (rc == SDB_OK && slot <= sdb_page_item_count(page))
        rc = bt_item(bt, page, block, slot, &item);
    if (rc != SDB_OK || slot > sdb_page_item_count(page) || bt_compare_item(&entry, &item) != 0) {
        sdb_buf_unlock_release(buf);
        rc = rc != SDB_OK ? rc : SDB_BTREE_NOT_FOUND;
        goto done;
    }
    BtChange change;
    bt_change_begin(&change, bt);
    int index = bt_change_add(&change, buf, 0);
    if (index < 0) {
        sdb_buf_unlock_release(buf);
        rc = SDB_ERROR;
        goto done;
    }
    sdb_page_delete_item(page, slot);
    sdb_wal_add_block_data(&change.builder, index, &slot, sizeof slot);
    rc = bt_change_log(&change, BT_WAL_DELETE, xid);
    /* An under-full page merges into its right sibling; a page with room
     * takes in an under-full left sibling (deletes in key order empty the
     * left one first, while this one is still full). */
    bool sparse = rc == SDB_OK && deletable(bt, page);
    SdbBlockNo left = rc == SDB_OK && !sparse && takes_left(bt, page) ? bt_opaque(page)->left : SDB_INVALID_BLOCK;
    sdb_buf_unlock_release(buf);
    if (sparse)
        rc = unlink_page(bt, &stack, block, xid);
    if (rc == SDB_OK && left != SDB_INVALID_BLOCK)
        rc = unlink_page(bt, &stack, left, xid);
done:
    bt_op_end(bt, &op);
    return rc;
}
