/*
 * storage/btree_wal.c: WAL for the B+tree: logging a change to several
 * pages as one record (with the pages put back if the insert fails), the
 * redo of every BTREE record kind, and their one-line descriptions.  The
 * record formats are in btree_int.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"

/* ---- logging a change ---------------------------------------------------------- */

void bt_change_begin(BtChange *change, SdbBtree *bt)
{
    change->bt = bt;
    change->count = 0;
    change->saved = NULL;
    sdb_wal_begin(&change->builder);
}

int bt_change_add(BtChange *change, SdbBuffer *buf, unsigned flags)
{
    SdbBtree *bt = change->bt;
    if (change->count >= BT_MAX_CHANGED)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "too many pages in one B+tree change");
    uint8_t *saved = sdb_realloc(change->saved, (size_t)bt->page_size * (size_t)(change->count + 1));
    if (saved == NULL)
        return SDB_ERROR;
    change->saved = saved;
    memcpy(change->saved + (size_t)change->count * bt->page_size, sdb_buf_page(buf), bt->page_size);
    change->bufs[change->count] = buf;
    sdb_wal_add_block(&change->builder, bt->rel, SDB_FORK_MAIN, sdb_buf_block(buf), sdb_buf_page(buf), flags);
    return change->count++;
}

void bt_change_abandon(BtChange *change)
{
    for (int i = 0; i < change->count; i++)
        memcpy(sdb_buf_page(change->bufs[i]), change->saved + (size_t)i * change->bt->page_size,
               change->bt->page_size);
    sdb_free(change->saved);
    change->saved = NULL;
    change->count = 0;
}

int bt_change_log(BtChange *change, uint8_t info, SdbXid xid)
{
    SdbLsn lsn = sdb_wal_insert(change->bt->wal, &change->builder, SDB_RMGR_BTREE, info, xid);
    if (lsn == SDB_INVALID_LSN) {
        bt_change_abandon(change);
        return SDB_ERROR;
    }
    for (int i = 0; i < change->count; i++) {
        sdb_buf_set_lsn(change->bufs[i], lsn);
        sdb_buf_mark_dirty(change->bufs[i]);
    }
    sdb_free(change->saved);
    change->saved = NULL;
    change->count = 0;
    return SDB_OK;
}

/* ---- page changes shared by do and redo ------------------------------------------- */

int bt_apply_unlink_parent(void *page, uint16_t slot, SdbBlockNo right)
{
    uint16_t len;
    uint8_t *item = sdb_page_item(page, slot, &len);
    if (item == NULL || len < BT_INTERNAL_HEADER || sdb_page_item_count(page) <= slot)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "B+tree parent page has no downlink pair at slot %u", slot);
    memcpy(item, &right, sizeof right);
    sdb_page_delete_item(page, (uint16_t)(slot + 1));
    return SDB_OK;
}

int bt_apply_merge_items(void *page, const uint8_t *data, size_t len)
{
    uint16_t slot = bt_first_data(page);
    for (size_t pos = 0; pos < len; slot++) {
        uint16_t item_len;
        if (len - pos < sizeof item_len)
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "B+tree merge data is truncated");
        memcpy(&item_len, data + pos, sizeof item_len);
        pos += sizeof item_len;
        if (item_len == 0 || len - pos < item_len)
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "B+tree merge data is truncated");
        if (sdb_page_add_item(page, data + pos, item_len, slot, SDB_PAGE_ADD_SHIFT) != slot)
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "B+tree merged items do not fit in the right page");
        pos += item_len;
    }
    return SDB_OK;
}

/* ---- redo ------------------------------------------------------------------------- */

typedef struct RedoArgs {
    const SdbWalRecord *rec;
    uint32_t page_size;
    int role; /* which of the record's pages, for records that need it */
} RedoArgs;

typedef int (*RedoApply)(void *page, const SdbWalBlockRef *ref, const RedoArgs *args);

static int redo_bad(const SdbWalRecord *rec, const char *what)
{
    char lsn[24];
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid B+tree WAL record at %s: %s", sdb_lsn_format(rec->lsn, lsn),
                     what);
}

/* Redo block `index` of the record with `apply` (told `role`) when it
 * needs it. */
static int redo_block(SdbRedoContext *ctx, const SdbWalRecord *rec, int index, RedoApply apply, int role)
{
    SdbBuffer *buf;
    RedoArgs args = {rec, ctx->page_size, role};
    if (index >= rec->block_count)
        return redo_bad(rec, "block reference missing");
    int action = sdb_redo_read_block(ctx, rec, index, &buf);
    if (action == SDB_REDO_ERROR)
        return SDB_ERROR;
    if (action != SDB_REDO_NEEDS_REDO)
        return SDB_OK;
    if (apply(sdb_buf_page(buf), &rec->blocks[index], &args) != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    sdb_redo_finish_block(ctx, buf);
    return SDB_OK;
}

/* A node page that redo is about to change must be one. */
static int redo_check_node(void *page, const RedoArgs *args)
{
    if (sdb_page_is_new(page) || sdb_page_header(page)->kind != SDB_PAGE_KIND_BTREE ||
        sdb_page_special_size(page, args->page_size) != sizeof(BtOpaque))
        return redo_bad(args->rec, "page to change is not a B+tree node");
    return SDB_OK;
}

static int redo_check_meta(void *page, const RedoArgs *args)
{
    if (sdb_page_is_new(page) || sdb_page_header(page)->kind != SDB_PAGE_KIND_BTREE_META ||
        sdb_page_special_size(page, args->page_size) != sizeof(BtMeta) || bt_meta(page)->magic != BT_META_MAGIC)
        return redo_bad(args->rec, "page to change is not a B+tree metapage");
    return SDB_OK;
}

/* Copy the block's data into `out` if it has exactly `len` bytes. */
static bool block_data(const SdbWalBlockRef *ref, void *out, size_t len)
{
    if (ref->data_len != len)
        return false;
    memcpy(out, ref->data, len);
    return true;
}

static int apply_create_meta(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    if (ref->data_len != 1 || args->rec->block_count != 2)
        return redo_bad(args->rec, "bad create record");
    bt_meta_init(page, args->page_size, args->rec->blocks[1].block, 0, ref->data[0] != 0);
    return SDB_OK;
}

static int apply_create_root(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    (void)ref;
    bt_page_init(page, args->page_size, 0);
    return SDB_OK;
}

static int apply_insert(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    uint16_t slot;
    if (redo_check_node(page, args) != SDB_OK)
        return SDB_ERROR;
    if (ref->data_len <= sizeof slot)
        return redo_bad(args->rec, "insert without an item");
    memcpy(&slot, ref->data, sizeof slot);
    int rc = sdb_page_add_item(page, ref->data + sizeof slot, (uint16_t)(ref->data_len - sizeof slot), slot,
                               SDB_PAGE_ADD_SHIFT);
    if (rc == SDB_ERROR || rc != slot)
        return redo_bad(args->rec, "item does not fit where it was inserted");
    return SDB_OK;
}

static int apply_delete(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    uint16_t slot;
    if (redo_check_node(page, args) != SDB_OK)
        return SDB_ERROR;
    if (!block_data(ref, &slot, sizeof slot))
        return redo_bad(args->rec, "bad delete data");
    if (slot < bt_first_data(page) || slot > sdb_page_item_count(page))
        return redo_bad(args->rec, "deleted slot out of range");
    sdb_page_delete_item(page, slot);
    return SDB_OK;
}

static int apply_clear_incomplete(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    (void)ref;
    if (redo_check_node(page, args) != SDB_OK)
        return SDB_ERROR;
    bt_opaque(page)->flags &= (uint16_t)~BT_INCOMPLETE_SPLIT;
    return SDB_OK;
}

static int apply_set_left(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    SdbBlockNo left;
    if (redo_check_node(page, args) != SDB_OK)
        return SDB_ERROR;
    if (!block_data(ref, &left, sizeof left))
        return redo_bad(args->rec, "bad left link data");
    bt_opaque(page)->left = left;
    return SDB_OK;
}

static int apply_meta_take_free(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    SdbBlockNo next;
    if (redo_check_meta(page, args) != SDB_OK)
        return SDB_ERROR;
    if (!block_data(ref, &next, sizeof next))
        return redo_bad(args->rec, "bad free-list data");
    bt_meta_free_pop(page, next);
    return SDB_OK;
}

static int apply_meta_newroot(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    BtWalNewRoot nr;
    if (redo_check_meta(page, args) != SDB_OK)
        return SDB_ERROR;
    if (!block_data(ref, &nr, sizeof nr))
        return redo_bad(args->rec, "bad new-root data");
    bt_meta(page)->root = nr.root;
    bt_meta(page)->level = nr.level;
    if (nr.from_free)
        bt_meta_free_pop(page, nr.free_head);
    return SDB_OK;
}

static int redo_split(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    BtWalSplit split;
    if (rec->main_len != sizeof split)
        return redo_bad(rec, "bad split record");
    memcpy(&split, rec->main_data, sizeof split);
    /* Left and right carry images: restoring them is all they need. */
    for (int i = 0; i < 2; i++) {
        if (i >= rec->block_count || !(rec->blocks[i].flags & SDB_WAL_BLOCK_HAS_IMAGE))
            return redo_bad(rec, "split without page images");
        if (redo_block(ctx, rec, i, apply_clear_incomplete, 0) != SDB_OK)
            return SDB_ERROR;
    }
    int next = 2;
    if ((split.flags & BT_SPLIT_HAS_SIBLING) && redo_block(ctx, rec, next++, apply_set_left, 0) != SDB_OK)
        return SDB_ERROR;
    if ((split.flags & BT_SPLIT_HAS_CHILD) && redo_block(ctx, rec, next++, apply_clear_incomplete, 0) != SDB_OK)
        return SDB_ERROR;
    if ((split.flags & BT_SPLIT_FROM_FREE) && redo_block(ctx, rec, next++, apply_meta_take_free, 0) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static int redo_newroot(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    if (rec->block_count != 3 || !(rec->blocks[0].flags & SDB_WAL_BLOCK_HAS_IMAGE))
        return redo_bad(rec, "bad new-root record");
    if (redo_block(ctx, rec, 0, apply_clear_incomplete, 0) != SDB_OK ||
        redo_block(ctx, rec, 1, apply_clear_incomplete, 0) != SDB_OK)
        return SDB_ERROR;
    return redo_block(ctx, rec, 2, apply_meta_newroot, 0);
}

/* The pages an UNLINK record changes (RedoArgs.role). */
enum { UNLINK_TARGET, UNLINK_LEFT, UNLINK_RIGHT, UNLINK_PARENT, UNLINK_META, UNLINK_OLD_TAIL };

static int apply_unlink(void *page, const SdbWalBlockRef *ref, const RedoArgs *args)
{
    BtWalUnlink u;
    memcpy(&u, args->rec->main_data, sizeof u);
    if (args->role == UNLINK_META) {
        if (redo_check_meta(page, args) != SDB_OK)
            return SDB_ERROR;
        bt_meta_free_append(page, u.target);
        return SDB_OK;
    }
    if (redo_check_node(page, args) != SDB_OK)
        return SDB_ERROR;
    BtOpaque *op = bt_opaque(page);
    switch (args->role) {
    case UNLINK_TARGET:
        if (u.flags & BT_UNLINK_MERGE)
            bt_drop_data(page);
        bt_mark_deleted(page);
        break;
    case UNLINK_LEFT:
        op->right = u.right;
        break;
    case UNLINK_RIGHT:
        if ((u.flags & BT_UNLINK_MERGE) &&
            (ref->data_len == 0 || bt_apply_merge_items(page, ref->data, ref->data_len) != SDB_OK))
            return redo_bad(args->rec, "merged items do not go into the right page");
        op->left = (u.flags & BT_UNLINK_HAS_LEFT) ? u.left : SDB_INVALID_BLOCK;
        break;
    case UNLINK_PARENT:
        if (bt_apply_unlink_parent(page, u.parent_slot, u.right) != SDB_OK)
            return redo_bad(args->rec, "parent has no downlink pair at the logged slot");
        break;
    default:
        op->next_free = u.target;
        break;
    }
    return SDB_OK;
}

static int redo_unlink(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    BtWalUnlink u;
    if (rec->main_len != sizeof u)
        return redo_bad(rec, "bad unlink record");
    memcpy(&u, rec->main_data, sizeof u);
    int roles[6], count = 0;
    roles[count++] = UNLINK_TARGET;
    if (u.flags & BT_UNLINK_HAS_LEFT)
        roles[count++] = UNLINK_LEFT;
    roles[count++] = UNLINK_RIGHT;
    roles[count++] = UNLINK_PARENT;
    roles[count++] = UNLINK_META;
    if (u.flags & BT_UNLINK_HAS_OLD_TAIL)
        roles[count++] = UNLINK_OLD_TAIL;
    if (rec->block_count != count)
        return redo_bad(rec, "unlink record has the wrong number of blocks");
    for (int i = 0; i < count; i++)
        if (redo_block(ctx, rec, i, apply_unlink, roles[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_btree_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec)
{
    switch (rec->info) {
    case BT_WAL_CREATE:
        if (redo_block(ctx, rec, 0, apply_create_meta, 0) != SDB_OK)
            return SDB_ERROR;
        return redo_block(ctx, rec, 1, apply_create_root, 0);
    case BT_WAL_INSERT_LEAF:
        return redo_block(ctx, rec, 0, apply_insert, 0);
    case BT_WAL_INSERT_UPPER:
        if (redo_block(ctx, rec, 0, apply_insert, 0) != SDB_OK)
            return SDB_ERROR;
        return redo_block(ctx, rec, 1, apply_clear_incomplete, 0);
    case BT_WAL_SPLIT:
        return redo_split(ctx, rec);
    case BT_WAL_NEWROOT:
        return redo_newroot(ctx, rec);
    case BT_WAL_DELETE:
        return redo_block(ctx, rec, 0, apply_delete, 0);
    case BT_WAL_UNLINK:
        return redo_unlink(ctx, rec);
    default:
        return redo_bad(rec, "unknown record kind");
    }
}

/* ---- describe ---------------------------------------------------------------------- */

/* The slot logged in block `index`'s data, or 0. */
static unsigned logged_slot(const SdbWalRecord *rec, int index)
{
    uint16_t slot = 0;
    if (index < rec->block_count && rec->blocks[index].data_len >= sizeof slot)
        memcpy(&slot, rec->blocks[index].data, sizeof slot);
    return slot;
}

static SdbBlockNo block_of(const SdbWalRecord *rec, int index)
{
    return index < rec->block_count ? rec->blocks[index].block : SDB_INVALID_BLOCK;
}

/* How many items the merge data of block `index` carries. */
static unsigned merged_count(const SdbWalRecord *rec, int index)
{
    unsigned n = 0;
    if (index >= rec->block_count)
        return 0;
    const SdbWalBlockRef *ref = &rec->blocks[index];
    for (size_t pos = 0; pos + sizeof(uint16_t) <= ref->data_len; n++) {
        uint16_t len;
        memcpy(&len, ref->data + pos, sizeof len);
        pos += sizeof len + len;
    }
    return n;
}

void sdb_btree_describe(const struct SdbWalRecord *rec, char *buf, size_t size)
{
    BtWalSplit split;
    BtWalUnlink u;
    switch (rec->info) {
    case BT_WAL_CREATE:
        snprintf(buf, size, "create root %" PRIu32, block_of(rec, 1));
        break;
    case BT_WAL_INSERT_LEAF:
        snprintf(buf, size, "insert leaf blk %" PRIu32 " slot %u", block_of(rec, 0), logged_slot(rec, 0));
        break;
    case BT_WAL_INSERT_UPPER:
        snprintf(buf, size, "insert downlink blk %" PRIu32 " slot %u, split of %" PRIu32 " complete",
                 block_of(rec, 0), logged_slot(rec, 0), block_of(rec, 1));
        break;
    case BT_WAL_SPLIT:
        if (rec->main_len == sizeof split) {
            memcpy(&split, rec->main_data, sizeof split);
            snprintf(buf, size, "split level %" PRIu32 " left %" PRIu32 " right %" PRIu32 "%s", split.level,
                     block_of(rec, 0), block_of(rec, 1),
                     (split.flags & BT_SPLIT_FROM_FREE) ? " (reused page)" : "");
        } else {
            snprintf(buf, size, "split (bad main data)");
        }
        break;
    case BT_WAL_NEWROOT:
        snprintf(buf, size, "new root %" PRIu32 " over %" PRIu32, block_of(rec, 0), block_of(rec, 1));
        break;
    case BT_WAL_DELETE:
        snprintf(buf, size, "delete leaf blk %" PRIu32 " slot %u", block_of(rec, 0), logged_slot(rec, 0));
        break;
    case BT_WAL_UNLINK:
        if (rec->main_len == sizeof u) {
            memcpy(&u, rec->main_data, sizeof u);
            char merged[48] = "";
            if (u.flags & BT_UNLINK_MERGE)
                snprintf(merged, sizeof merged, ", %u entries merged into right",
                         merged_count(rec, (u.flags & BT_UNLINK_HAS_LEFT) ? 2 : 1));
            snprintf(buf, size, "unlink page %" PRIu32 " (left %" PRId64 ", right %" PRIu32 ", parent slot %u)%s",
                     u.target, (u.flags & BT_UNLINK_HAS_LEFT) ? (int64_t)u.left : (int64_t)-1, u.right,
                     (unsigned)u.parent_slot, merged);
        } else {
            snprintf(buf, size, "unlink (bad main data)");
        }
        break;
    default:
        snprintf(buf, size, "unknown B+tree record 0x%02X", (unsigned)rec->info);
        break;
    }
}
