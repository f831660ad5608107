/*
 * storage/btree_build.c: building a B+tree bottom-up from sorted entries
 * (CREATE INDEX).  Each level has one page being filled in private memory;
 * a full page gets its high key (the first entry of the next page), is
 * written through the buffer pool and logged as a full-page image (XLOG
 * FPI), and its downlink goes into the level above, which fills the same
 * way.  Block numbers are handed out when a page is started, so a page's
 * right link is known when it is written.  No latches are needed: nobody
 * can open the index before the metapage, written last, exists.
 */
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"
#include "storage/engine.h"
#include "storage/recovery.h"

/* Internal pages of a build are filled like PostgreSQL's (70%), leaving
 * room for later splits below them. */
#define BT_BUILD_INTERNAL_FILL 70

typedef struct BuildLevel {
    uint8_t *page;    /* private page being filled (items from slot 1) */
    SdbBlockNo block; /* its block number */
    SdbBlockNo left;  /* previous page of this level, or INVALID */
    BtKeyBuf low;     /* its low bound (unused on the leftmost page) */
    uint8_t *moved;   /* scratch: an item moved on to the next page */
} BuildLevel;

struct SdbBtreeBuild {
    SdbBtree bt; /* pool, wal, rel, sizes, path: no registry, no latches */
    SdbXid xid;
    int fillfactor;
    int levels;
    BuildLevel level[BT_MAX_LEVELS];
    SdbBlockNo next_block;
    BtKeyBuf last; /* last entry added */
    bool has_last;
    uint8_t *item;  /* scratch: one encoded item */
    uint8_t *image; /* scratch: the page as written */
};

SdbBtreeBuild *sdb_btree_build_begin(SdbEngine *engine, SdbRelFileId rel, bool unique, int fillfactor, SdbXid xid)
{
    if (fillfactor < 10 || fillfactor > 100) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "value %d out of bounds for option \"fillfactor\"", fillfactor);
        sdb_error_detail("Valid values are between \"10\" and \"100\".");
        return NULL;
    }
    SdbBtreeBuild *build = sdb_malloc(sizeof *build);
    if (build == NULL)
        return NULL;
    memset(build, 0, sizeof *build);
    SdbBtree *bt = &build->bt;
    bt_handle_init(bt, sdb_engine_bufpool(engine), sdb_engine_wal(engine), rel);
    bt->unique = unique;
    build->xid = xid;
    build->fillfactor = fillfactor;
    build->next_block = BT_META_BLOCK + 1;
    size_t item_room = bt->max_key_len + BT_INTERNAL_HEADER;
    build->item = sdb_malloc(item_room);
    build->image = sdb_malloc(bt->page_size);
    build->last.bytes = sdb_malloc(bt->max_key_len + 1);
    if (build->item == NULL || build->image == NULL || build->last.bytes == NULL ||
        bt_create_file(engine, rel, xid) != SDB_OK) {
        sdb_btree_build_abort(build);
        return NULL;
    }
    return build;
}

void sdb_btree_build_abort(SdbBtreeBuild *build)
{
    if (build == NULL)
        return;
    for (int l = 0; l < build->levels; l++) {
        sdb_free(build->level[l].page);
        sdb_free(build->level[l].low.bytes);
        sdb_free(build->level[l].moved);
    }
    sdb_free(build->item);
    sdb_free(build->image);
    sdb_free(build->last.bytes);
    sdb_free(build);
}

/* Start level `l` (its leftmost page). */
static int level_start(SdbBtreeBuild *build, int l)
{
    SdbBtree *bt = &build->bt;
    if (l >= BT_MAX_LEVELS)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "B+tree would have more than %d levels", BT_MAX_LEVELS);
    BuildLevel *lv = &build->level[l];
    lv->page = sdb_malloc(bt->page_size);
    lv->low.bytes = sdb_malloc(bt->max_key_len + 1);
    lv->moved = sdb_malloc(bt->max_key_len + BT_INTERNAL_HEADER);
    build->levels = l + 1;
    if (lv->page == NULL || lv->low.bytes == NULL || lv->moved == NULL)
        return SDB_ERROR;
    bt_page_init(lv->page, bt->page_size, (uint16_t)l);
    lv->block = build->next_block++;
    lv->left = SDB_INVALID_BLOCK;
    return SDB_OK;
}

/* Write `image` to its block through the pool, logged as a full image. */
static int write_page(SdbBtreeBuild *build, SdbBlockNo block, const uint8_t *image)
{
    SdbBtree *bt = &build->bt;
    SdbBuffer *buf = sdb_buf_read(bt->pool, bt->rel, SDB_FORK_MAIN, block, SDB_BUF_ZERO);
    if (buf == NULL)
        return SDB_ERROR;
    memcpy(sdb_buf_page(buf), image, bt->page_size);
    int rc = sdb_xlog_log_pages(bt->wal, &buf, 1, NULL);
    if (rc != SDB_OK)
        memset(sdb_buf_page(buf), 0, bt->page_size);
    sdb_buf_unlock_release(buf);
    return rc;
}

static int level_add(SdbBtreeBuild *build, int l, const uint8_t *item, uint16_t len, const uint8_t *key,
                     size_t key_len, SdbTid tid);

/* Write the current page of level `l` with high key `high` (NULL on the
 * rightmost page) and right link `right`, and add its downlink above
 * unless it is the root. */
static int level_finish(SdbBtreeBuild *build, int l, const BtItem *high, SdbBlockNo right, bool root)
{
    SdbBtree *bt = &build->bt;
    BuildLevel *lv = &build->level[l];
    uint8_t *image = build->image;
    bool leaf = l == 0;
    bt_page_init(image, bt->page_size, (uint16_t)l);
    bt_opaque(image)->left = lv->left;
    bt_opaque(image)->right = right;
    if (high != NULL) {
        uint16_t len = bt_encode(leaf, high->key, high->len, high->tid, SDB_INVALID_BLOCK, build->item);
        if (sdb_page_add_item(image, build->item, len, 0, 0) != 1)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree build: high key does not fit");
    }
    uint16_t count = sdb_page_item_count(lv->page);
    for (uint16_t s = 1; s <= count; s++) {
        uint16_t len;
        const void *item = sdb_page_item(lv->page, s, &len);
        if (sdb_page_add_item(image, item, len, 0, 0) <= 0)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree build: page overflowed");
    }
    if (write_page(build, lv->block, image) != SDB_OK)
        return SDB_ERROR;
    if (root)
        return SDB_OK;
    /* The downlink: the page's low bound, minus infinity on the leftmost. */
    SdbTid zero = {0, 0};
    bool leftmost = lv->left == SDB_INVALID_BLOCK;
    const uint8_t *key = leftmost ? NULL : lv->low.bytes;
    size_t key_len = leftmost ? 0 : lv->low.len;
    SdbTid tid = leftmost ? zero : lv->low.tid;
    uint8_t *downlink = sdb_malloc(bt->max_key_len + BT_INTERNAL_HEADER);
    if (downlink == NULL)
        return SDB_ERROR;
    uint16_t len = bt_encode(false, key, key_len, tid, lv->block, downlink);
    if (l + 1 >= build->levels && level_start(build, l + 1) != SDB_OK) {
        sdb_free(downlink);
        return SDB_ERROR;
    }
    int rc = level_add(build, l + 1, downlink, len, key, key_len, tid);
    sdb_free(downlink);
    return rc;
}

/* Append an encoded item (entry key/tid given for high keys and low
 * bounds) to level `l`, finishing its page first when it is full. */
static int level_add(SdbBtreeBuild *build, int l, const uint8_t *item, uint16_t len, const uint8_t *key,
                     size_t key_len, SdbTid tid)
{
    SdbBtree *bt = &build->bt;
    BuildLevel *lv = &build->level[l];
    size_t usable = bt_usable_space(bt->page_size);
    size_t limit = usable * (size_t)(l == 0 ? build->fillfactor : BT_BUILD_INTERNAL_FILL) / 100;
    size_t used = usable - (sdb_page_header(lv->page)->upper - sdb_page_header(lv->page)->lower);
    uint16_t count = sdb_page_item_count(lv->page);
    if (count > 0 && used + bt_item_cost(len) > limit) {
        /* The page is full: `item` starts the next one and is the high key,
         * unless that does not fit; then the last item moves over too. */
        BtItem high = {key, key_len, tid, SDB_INVALID_BLOCK};
        uint16_t moved_len = 0;
        if (used + bt_item_cost(len) > usable) {
            BtItem last;
            if (bt_item(bt, lv->page, lv->block, count, &last) != SDB_OK)
                return SDB_ERROR;
            const void *raw = sdb_page_item(lv->page, count, &moved_len);
            memcpy(lv->moved, raw, moved_len);
            size_t header = l == 0 ? BT_LEAF_HEADER : BT_INTERNAL_HEADER;
            high = (BtItem){lv->moved + header, last.len, last.tid, SDB_INVALID_BLOCK};
            sdb_page_delete_item(lv->page, count);
        }
        SdbBlockNo next = build->next_block++;
        if (level_finish(build, l, &high, next, false) != SDB_OK)
            return SDB_ERROR;
        lv = &build->level[l];
        bt_page_init(lv->page, bt->page_size, (uint16_t)l);
        lv->left = lv->block;
        lv->block = next;
        bt_keybuf_set(&lv->low, high.key, high.len, high.tid);
        if (moved_len > 0 && sdb_page_add_item(lv->page, lv->moved, moved_len, 0, 0) != 1)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree build: page overflowed");
    }
    if (sdb_page_add_item(lv->page, item, len, 0, 0) <= 0)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree build: page overflowed");
    return SDB_OK;
}

int sdb_btree_build_add(SdbBtreeBuild *build, const void *key, size_t key_len, SdbTid tid)
{
    SdbBtree *bt = &build->bt;
    if (key_len > bt->max_key_len)
        return bt_key_too_long(bt, key_len);
    if (build->has_last) {
        BtKey last = bt_key_of_buf(&build->last);
        if (bt_compare(&last, key, key_len, tid) >= 0)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "B+tree build input is not in ascending (key, tid) order");
    }
    if (build->levels == 0 && level_start(build, 0) != SDB_OK)
        return SDB_ERROR;
    uint8_t *item = sdb_malloc(key_len + BT_LEAF_HEADER);
    if (item == NULL)
        return SDB_ERROR;
    uint16_t len = bt_encode(true, key, key_len, tid, SDB_INVALID_BLOCK, item);
    int rc = level_add(build, 0, item, len, key, key_len, tid);
    sdb_free(item);
    if (rc == SDB_OK) {
        bt_keybuf_set(&build->last, key, key_len, tid);
        build->has_last = true;
    }
    return rc;
}

int sdb_btree_build_finish(SdbBtreeBuild *build)
{
    SdbBtree *bt = &build->bt;
    int rc = SDB_OK;
    if (build->levels == 0)
        rc = level_start(build, 0);
    /* Close each level's last page; the first level with a single page is
     * the root. */
    int l = 0;
    for (; rc == SDB_OK; l++) {
        bool root = build->level[l].left == SDB_INVALID_BLOCK && l == build->levels - 1;
        rc = level_finish(build, l, NULL, SDB_INVALID_BLOCK, root);
        if (root)
            break;
    }
    if (rc == SDB_OK) {
        bt_meta_init(build->image, bt->page_size, build->level[l].block, (uint32_t)l, bt->unique);
        rc = write_page(build, BT_META_BLOCK, build->image);
    }
    sdb_btree_build_abort(build);
    return rc;
}
