/*
 * storage/btree.c: B+tree handles (shared per pool and relation), the
 * registry of operations in progress, creating an empty index, reading the
 * metapage, and descending from the root (btree.h, btree_int.h).
 */
#include "storage/btree.h"

#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/btree_int.h"
#include "storage/engine.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

/* Open handles, shared by every thread of the process. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static SdbBtree *open_list;

size_t sdb_btree_max_key_len(uint32_t page_size)
{
    /* Four largest items must fit in a page: a split then always leaves
     * both halves room for their high keys (README "B+tree"). */
    size_t largest = (bt_usable_space(page_size) / 4 - SDB_PAGE_SLOT_SIZE) & ~(size_t)(SDB_PAGE_ITEM_ALIGN - 1);
    return largest - BT_INTERNAL_HEADER;
}

/* ---- operations in progress -------------------------------------------------- */

void bt_op_begin(SdbBtree *bt, BtOp *op)
{
    pthread_mutex_lock(&bt->ops_lock);
    op->start = sdb_wal_insert_lsn(bt->wal);
    op->prev = NULL;
    op->next = bt->ops;
    if (bt->ops != NULL)
        bt->ops->prev = op;
    bt->ops = op;
    pthread_mutex_unlock(&bt->ops_lock);
}

void bt_op_end(SdbBtree *bt, BtOp *op)
{
    pthread_mutex_lock(&bt->ops_lock);
    if (op->prev != NULL)
        op->prev->next = op->next;
    else
        bt->ops = op->next;
    if (op->next != NULL)
        op->next->prev = op->prev;
    pthread_mutex_unlock(&bt->ops_lock);
}

bool bt_op_none_before(SdbBtree *bt, SdbLsn lsn)
{
    bool none = true;
    pthread_mutex_lock(&bt->ops_lock);
    for (BtOp *op = bt->ops; op != NULL && none; op = op->next)
        none = op->start >= lsn;
    pthread_mutex_unlock(&bt->ops_lock);
    return none;
}

/* ---- buffers ------------------------------------------------------------------ */

int bt_read(SdbBtree *bt, SdbBlockNo block, SdbBufLatch latch, int level, SdbBuffer **out)
{
    SdbBuffer *buf = sdb_buf_read(bt->pool, bt->rel, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    sdb_buf_lock(buf, latch);
    if (bt_check_node(bt, sdb_buf_page(buf), block, level) != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    *out = buf;
    return SDB_OK;
}

/* Check a metapage; SDB_ERROR naming the file when it is not ours. */
static int check_meta(SdbBtree *bt, void *page)
{
    const SdbPageHeader *header = sdb_page_header(page);
    if (sdb_page_is_new(page) || header->kind != SDB_PAGE_KIND_BTREE_META ||
        sdb_page_special_size(page, bt->page_size) != sizeof(BtMeta))
        return bt_corrupted(bt, BT_META_BLOCK, "not a B+tree metapage");
    const BtMeta *meta = bt_meta(page);
    if (meta->magic != BT_META_MAGIC || meta->version != BT_META_VERSION)
        return bt_corrupted(bt, BT_META_BLOCK, "B+tree metapage has a wrong magic number or version");
    if (meta->level >= BT_MAX_LEVELS || meta->root == BT_META_BLOCK || meta->free_head == BT_META_BLOCK ||
        meta->free_tail == BT_META_BLOCK || (meta->free_head == SDB_INVALID_BLOCK) != (meta->free_tail == SDB_INVALID_BLOCK))
        return bt_corrupted(bt, BT_META_BLOCK, "B+tree metapage fields out of range");
    return SDB_OK;
}

int bt_read_meta(SdbBtree *bt, SdbBufLatch latch, SdbBuffer **out)
{
    SdbBuffer *buf = sdb_buf_read(bt->pool, bt->rel, SDB_FORK_MAIN, BT_META_BLOCK, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    sdb_buf_lock(buf, latch);
    if (check_meta(bt, sdb_buf_page(buf)) != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    *out = buf;
    return SDB_OK;
}

int bt_read_root(SdbBtree *bt, SdbBlockNo *root, uint32_t *level)
{
    SdbBuffer *meta_buf;
    if (bt_read_meta(bt, SDB_BUF_SHARE, &meta_buf) != SDB_OK)
        return SDB_ERROR;
    const BtMeta *meta = bt_meta(sdb_buf_page(meta_buf));
    *root = meta->root;
    *level = meta->level;
    sdb_buf_unlock_release(meta_buf);
    return SDB_OK;
}

/* Step from the latched page *buf to its right sibling. */
static int step_right(SdbBtree *bt, SdbBuffer **buf, SdbBufLatch latch, int level)
{
    SdbBlockNo block = sdb_buf_block(*buf);
    SdbBlockNo right = bt_opaque(sdb_buf_page(*buf))->right;
    sdb_buf_unlock_release(*buf);
    *buf = NULL;
    if (right == SDB_INVALID_BLOCK)
        return bt_corrupted(bt, block, "deleted B+tree page has no right sibling");
    return bt_read(bt, right, latch, level, buf);
}

int bt_move_right(SdbBtree *bt, SdbBuffer **buf, SdbBufLatch latch, int level, const BtKey *k)
{
    for (;;) {
        bool beyond;
        if (bt_beyond_page(bt, sdb_buf_page(*buf), sdb_buf_block(*buf), k, &beyond) != SDB_OK) {
            sdb_buf_unlock_release(*buf);
            *buf = NULL;
            return SDB_ERROR;
        }
        if (!beyond)
            return SDB_OK;
        if (step_right(bt, buf, latch, level) != SDB_OK)
            return SDB_ERROR;
    }
}

int bt_find_left_of(SdbBtree *bt, SdbBlockNo start, SdbBlockNo target, SdbBufLatch latch, int max_pages,
                    SdbBuffer **out)
{
    SdbBuffer *buf;
    *out = NULL;
    if (bt_read(bt, start, latch, -1, &buf) != SDB_OK)
        return SDB_ERROR;
    int level = bt_opaque(sdb_buf_page(buf))->level;
    for (int pages = 1;; pages++) {
        BtOpaque *op = bt_opaque(sdb_buf_page(buf));
        if (op->flags & BT_DELETED)
            break;
        if (op->right == target) {
            *out = buf;
            return SDB_OK;
        }
        if (op->right == SDB_INVALID_BLOCK || pages >= max_pages)
            break;
        if (step_right(bt, &buf, latch, level) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_buf_unlock_release(buf);
    return SDB_OK;
}

/* If the latched page has an incomplete split, complete it (releasing the
 * page) and set *finished.  The page is re-latched EXCLUSIVE first when it
 * was only SHARE-latched. */
static int finish_split_if_needed(SdbBtree *bt, BtStack *stack, SdbBuffer **buf, SdbBufLatch latch,
                                  SdbXid xid, bool *finished)
{
    *finished = false;
    if (!(bt_opaque(sdb_buf_page(*buf))->flags & BT_INCOMPLETE_SPLIT))
        return SDB_OK;
    if (latch != SDB_BUF_EXCLUSIVE) {
        sdb_buf_unlock(*buf);
        sdb_buf_lock(*buf, SDB_BUF_EXCLUSIVE);
        if (!(bt_opaque(sdb_buf_page(*buf))->flags & BT_INCOMPLETE_SPLIT)) {
            sdb_buf_unlock(*buf);
            sdb_buf_lock(*buf, latch);
            return SDB_OK;
        }
    }
    *finished = true;
    SdbBuffer *page = *buf;
    *buf = NULL;
    return bt_finish_split(bt, stack, page, xid);
}

int bt_descend(SdbBtree *bt, const BtKey *k, int level, SdbBufLatch latch, bool finish_splits, SdbXid xid,
               BtStack *stack, SdbBuffer **out)
{
    for (;;) {
        SdbBlockNo block;
        uint32_t root_level;
        bool restart = false;
        if (bt_read_root(bt, &block, &root_level) != SDB_OK)
            return SDB_ERROR;
        if ((int)root_level < level)
            return bt_corrupted(bt, BT_META_BLOCK, "B+tree is lower than the level looked for");
        stack->top = (int)root_level;
        for (int lvl = (int)root_level; !restart; lvl--) {
            SdbBufLatch this_latch = lvl == level ? latch : SDB_BUF_SHARE;
            SdbBuffer *buf;
            if (bt_read(bt, block, this_latch, lvl, &buf) != SDB_OK)
                return SDB_ERROR;
            for (;;) {
                bool beyond, finished = false;
                if (finish_splits &&
                    finish_split_if_needed(bt, stack, &buf, this_latch, xid, &finished) != SDB_OK)
                    return SDB_ERROR;
                if (finished) {
                    restart = true;
                    break;
                }
                if (bt_beyond_page(bt, sdb_buf_page(buf), sdb_buf_block(buf), k, &beyond) != SDB_OK) {
                    sdb_buf_unlock_release(buf);
                    return SDB_ERROR;
                }
                if (!beyond)
                    break;
                if (step_right(bt, &buf, this_latch, lvl) != SDB_OK)
                    return SDB_ERROR;
            }
            if (restart)
                break;
            if (lvl == level) {
                *out = buf;
                return SDB_OK;
            }
            uint16_t slot;
            BtItem item;
            void *page = sdb_buf_page(buf);
            stack->blocks[lvl] = sdb_buf_block(buf);
            if (bt_search_internal(bt, page, sdb_buf_block(buf), k, &slot) != SDB_OK ||
                bt_item(bt, page, sdb_buf_block(buf), slot, &item) != SDB_OK) {
                sdb_buf_unlock_release(buf);
                return SDB_ERROR;
            }
            block = item.child;
            sdb_buf_unlock_release(buf);
        }
    }
}

/* ---- handles ------------------------------------------------------------------- */

bool sdb_btree_is_unique(const SdbBtree *bt)
{
    return bt->unique;
}

void bt_handle_init(SdbBtree *bt, SdbBufPool *pool, struct SdbWal *wal, SdbRelFileId rel)
{
    memset(bt, 0, sizeof *bt);
    bt->pool = pool;
    bt->wal = wal;
    bt->rel = rel;
    bt->page_size = sdb_bufpool_page_size(pool);
    bt->max_key_len = sdb_btree_max_key_len(bt->page_size);
    sdb_smgr_path(rel, SDB_FORK_MAIN, bt->path, sizeof bt->path);
}

/* A new handle for (pool, wal, rel), metapage not read yet. */
static SdbBtree *handle_new(SdbBufPool *pool, struct SdbWal *wal, SdbRelFileId rel)
{
    SdbBtree *bt = sdb_malloc(sizeof *bt);
    if (bt == NULL)
        return NULL;
    bt_handle_init(bt, pool, wal, rel);
    bt->refcount = 1;
    pthread_mutex_init(&bt->ops_lock, NULL);
    return bt;
}

static void handle_free(SdbBtree *bt)
{
    pthread_mutex_destroy(&bt->ops_lock);
    sdb_free(bt);
}

SdbBtree *sdb_btree_open(SdbEngine *engine, SdbRelFileId rel)
{
    SdbBufPool *pool = sdb_engine_bufpool(engine);
    pthread_mutex_lock(&open_lock);
    for (SdbBtree *bt = open_list; bt != NULL; bt = bt->next_open) {
        if (bt->pool == pool && sdb_relfile_equal(bt->rel, rel)) {
            bt->refcount++;
            pthread_mutex_unlock(&open_lock);
            return bt;
        }
    }
    SdbBtree *bt = handle_new(pool, sdb_engine_wal(engine), rel);
    SdbBuffer *meta_buf = NULL;
    if (bt == NULL || bt_read_meta(bt, SDB_BUF_SHARE, &meta_buf) != SDB_OK) {
        if (bt != NULL)
            handle_free(bt);
        pthread_mutex_unlock(&open_lock);
        return NULL;
    }
    bt->unique = (bt_meta(sdb_buf_page(meta_buf))->flags & BT_META_UNIQUE) != 0;
    sdb_buf_unlock_release(meta_buf);
    bt->next_open = open_list;
    open_list = bt;
    pthread_mutex_unlock(&open_lock);
    return bt;
}

void sdb_btree_close(SdbBtree *bt)
{
    if (bt == NULL)
        return;
    pthread_mutex_lock(&open_lock);
    if (--bt->refcount > 0) {
        pthread_mutex_unlock(&open_lock);
        return;
    }
    for (SdbBtree **link = &open_list; *link != NULL; link = &(*link)->next_open) {
        if (*link == bt) {
            *link = bt->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&open_lock);
    handle_free(bt);
}

/* ---- creating an empty index ----------------------------------------------------- */

int bt_create_file(SdbEngine *engine, SdbRelFileId rel, SdbXid xid)
{
    return sdb_smgr_create_logged(sdb_engine_smgr(engine), sdb_engine_wal(engine), rel, SDB_FORK_MAIN, xid);
}

int sdb_btree_create(SdbEngine *engine, SdbRelFileId rel, bool unique, SdbXid xid)
{
    SdbBufPool *pool = sdb_engine_bufpool(engine);
    struct SdbWal *wal = sdb_engine_wal(engine);
    uint32_t page_size = sdb_bufpool_page_size(pool);
    if (bt_create_file(engine, rel, xid) != SDB_OK)
        return SDB_ERROR;
    SdbBuffer *meta_buf = sdb_buf_read(pool, rel, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    if (meta_buf == NULL)
        return SDB_ERROR;
    SdbBuffer *root_buf = sdb_buf_read(pool, rel, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    if (root_buf == NULL) {
        sdb_buf_unlock_release(meta_buf);
        return SDB_ERROR;
    }
    int rc = SDB_OK;
    if (sdb_buf_block(meta_buf) != BT_META_BLOCK) {
        char path[SDB_SMGR_PATH_MAX];
        sdb_smgr_path(rel, SDB_FORK_MAIN, path, sizeof path);
        rc = sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot create a B+tree in \"%s\": the file is not empty", path);
    } else {
        SdbBlockNo root = sdb_buf_block(root_buf);
        bt_meta_init(sdb_buf_page(meta_buf), page_size, root, 0, unique);
        bt_page_init(sdb_buf_page(root_buf), page_size, 0);
        uint8_t flags = unique ? 1 : 0;
        SdbWalBuilder b;
        sdb_wal_begin(&b);
        sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, BT_META_BLOCK, NULL, SDB_WAL_WILL_INIT);
        sdb_wal_add_block_data(&b, 0, &flags, sizeof flags);
        sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, root, NULL, SDB_WAL_WILL_INIT);
        SdbLsn lsn = sdb_wal_insert(wal, &b, SDB_RMGR_BTREE, BT_WAL_CREATE, xid);
        if (lsn == SDB_INVALID_LSN) {
            rc = SDB_ERROR;
        } else {
            sdb_buf_set_lsn(meta_buf, lsn);
            sdb_buf_set_lsn(root_buf, lsn);
        }
    }
    if (rc != SDB_OK) {
        /* Leave the pages new (all zero) rather than unlogged. */
        memset(sdb_buf_page(meta_buf), 0, page_size);
        memset(sdb_buf_page(root_buf), 0, page_size);
    }
    sdb_buf_mark_dirty(meta_buf);
    sdb_buf_mark_dirty(root_buf);
    sdb_buf_unlock_release(root_buf);
    sdb_buf_unlock_release(meta_buf);
    return rc;
}
