/*
 * storage/heap.c: heap tuples in slotted pages, their WAL records and redo.
 *
 * Every change follows the same pattern: pin and latch the page exclusively,
 * change it, insert the WAL record describing the change, set the page LSN,
 * mark it dirty, unlatch.  Redo adds each inserted item at the slot the
 * original got and applies xmax changes and prunes with the same functions
 * as the original (apply_xmax, apply_prune), so the pages agree.
 *
 * Block data formats (all host byte order):
 *   INSERT  block 0: n x (HeapItemHead, item bytes)
 *   XMAX    block 0: HeapXmaxData
 *   UPDATE  block 0: HeapItemHead + item bytes of the new version, followed
 *           by HeapXmaxData of the old one when it is on the same page;
 *           block 1 (old version on another page): HeapXmaxData
 *   PRUNE   block 0: HeapPruneHead, ndead slot numbers, nunused slot numbers
 * INIT_PAGE in info: block 0 had no slots and is rebuilt from scratch
 * (WILL_INIT: no image, redo starts from an empty page).
 *
 * If inserting a WAL record fails after the page was changed, the change
 * stays in memory unlogged.  That is harmless: the WAL then refuses every
 * later record (so no later record can depend on it) and the transaction
 * cannot commit, so its tuples and xmaxes count as aborted.
 */
#include "storage/heap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/bufpool.h"
#include "storage/engine.h"
#include "storage/fsm.h"
#include "storage/page.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

/* A tuple as stored: the first SDB_HEAP_TUPLE_HEADER_SIZE bytes of an item
 * (items are SDB_PAGE_ITEM_ALIGN-aligned, so it can be used in place). */
typedef struct HeapTupleDisk {
    uint64_t xmin;
    uint64_t xmax;
    uint32_t cid;
    uint16_t infomask;
    uint16_t payload_len;
    uint32_t next_block;
    uint16_t next_slot;
    uint16_t reserved;
} HeapTupleDisk;

_Static_assert(sizeof(HeapTupleDisk) == SDB_HEAP_TUPLE_HEADER_SIZE, "heap tuple header is 32 bytes");

#define HDR SDB_HEAP_TUPLE_HEADER_SIZE

/* WAL: one added item (followed by `len` item bytes). */
typedef struct HeapItemHead {
    uint16_t slot;
    uint16_t len;
} HeapItemHead;

/* WAL: the new xmax state of one tuple (delete, lock, old version of an update). */
typedef struct HeapXmaxData {
    uint64_t xmax;
    uint32_t cid;
    uint16_t slot;
    uint16_t lock_only; /* 1: SDB_HEAP_XMAX_LOCK_ONLY */
    uint32_t next_block;
    uint16_t next_slot;
    uint16_t reserved;
} HeapXmaxData;

/* WAL: slots removed by a prune (followed by the slot numbers). */
typedef struct HeapPruneHead {
    uint16_t ndead;
    uint16_t nunused;
} HeapPruneHead;

/* Most slots a page can have. */
#define MAX_SLOTS (SDB_PAGE_MAX_SIZE / SDB_PAGE_SLOT_SIZE)

/* WAL data of one single-row insert or update: item head plus the largest
 * item plus the old version's xmax data. */
#define ONE_ROW_WAL_SIZE (SDB_PAGE_MAX_SIZE + sizeof(HeapItemHead) + sizeof(HeapXmaxData))

/* ---- helpers ------------------------------------------------------------------ */

size_t sdb_heap_max_payload(uint32_t page_size)
{
    size_t empty = (page_size - SDB_PAGE_HEADER_SIZE - SDB_PAGE_SLOT_SIZE) & ~(size_t)(SDB_PAGE_ITEM_ALIGN - 1);
    return empty - HDR;
}

static int heap_corrupt(SdbRelFileId rel, SdbBlockNo block, const char *fmt, ...) SDB_PRINTF(3, 4);

/* Record SDB_ERR_DATA_CORRUPTED about block `block` of rel's main fork. */
static int heap_corrupt(SdbRelFileId rel, SdbBlockNo block, const char *fmt, ...)
{
    char path[SDB_SMGR_PATH_MAX];
    char what[256];
    va_list ap;

    sdb_smgr_path(rel, SDB_FORK_MAIN, path, sizeof path);
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid heap page in block %" PRIu32 " of file \"%s\": %s", block,
                     path, what);
}

static int wal_corrupt(const char *what)
{
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid heap WAL record: %s", what);
}

/* A page that is not new must be a heap page. */
static int check_heap_page(const void *page, SdbRelFileId rel, SdbBlockNo block)
{
    uint8_t kind = ((const SdbPageHeader *)page)->kind;
    if (sdb_page_is_new(page) || kind == SDB_PAGE_KIND_HEAP)
        return SDB_OK;
    return heap_corrupt(rel, block, "page kind %u is not a heap page", (unsigned)kind);
}

/* The tuple in `slot` of `page`: SDB_OK with *out NULL when the slot holds
 * no item; SDB_ERR_DATA_CORRUPTED when the item cannot be a tuple. */
static int page_tuple(void *page, SdbRelFileId rel, SdbBlockNo block, uint16_t slot, HeapTupleDisk **out)
{
    uint16_t len;
    HeapTupleDisk *t;

    *out = NULL;
    if (sdb_page_is_new(page))
        return SDB_OK;
    t = sdb_page_item(page, slot, &len);
    if (t == NULL)
        return SDB_OK;
    if (len < HDR || len - HDR != t->payload_len)
        return heap_corrupt(rel, block, "item %u of %u bytes is not a tuple", (unsigned)slot, (unsigned)len);
    *out = t;
    return SDB_OK;
}

static void decode_header(const HeapTupleDisk *t, SdbHeapTupleHeader *h)
{
    h->xmin = t->xmin;
    h->xmax = t->xmax;
    h->cid = t->cid;
    h->infomask = t->infomask;
    h->payload_len = t->payload_len;
    h->next.block = t->next_block;
    h->next.slot = t->next_slot;
}

/* Pin block `block` of rel's main fork (unlatched).  A block that does not
 * exist gives NULL with no error recorded and *missing set. */
static SdbBuffer *read_block(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, bool *missing)
{
    SdbBlockNo nblocks;
    SdbBuffer *buf;

    *missing = false;
    if (block == SDB_INVALID_BLOCK) {
        *missing = true;
        return NULL;
    }
    buf = sdb_buf_read(sdb_engine_bufpool(engine), rel, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf != NULL || sdb_error_last()->code != SDB_ERR_DATA_CORRUPTED)
        return buf;
    /* Corrupt, or past the end: only the second is "not there". */
    if (sdb_smgr_nblocks(sdb_engine_smgr(engine), rel, SDB_FORK_MAIN, &nblocks) != SDB_OK)
        return NULL;
    if (block >= nblocks) {
        sdb_error_clear();
        *missing = true;
    }
    return NULL;
}

/* Pin and latch exclusively a page with room for an item of `need` bytes:
 * the free space map's candidate when it really has the room (an all-zero
 * page is initialized), else a new page at the end. */
static SdbBuffer *page_for_insert(SdbEngine *engine, SdbRelFileId rel, size_t need)
{
    uint32_t page_size = sdb_engine_page_size(engine);
    SdbBuffer *buf;

    for (;;) {
        SdbBlockNo block;
        bool missing;

        if (sdb_fsm_search(engine, rel, need, &block) != SDB_OK)
            return NULL;
        if (block == SDB_INVALID_BLOCK)
            break;
        buf = read_block(engine, rel, block, &missing);
        if (buf == NULL && !missing)
            return NULL;
        size_t free_space = 0;
        if (buf != NULL) {
            uint8_t *page = sdb_buf_page(buf);
            sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
            if (check_heap_page(page, rel, block) != SDB_OK) {
                sdb_buf_unlock_release(buf);
                return NULL;
            }
            if (sdb_page_is_new(page))
                sdb_page_init(page, page_size, SDB_PAGE_KIND_HEAP, 0);
            free_space = sdb_page_free_space(page);
            if (free_space >= need)
                return buf;
            sdb_buf_unlock_release(buf);
        }
        /* The map was stale: correct it and look again. */
        if (sdb_fsm_record(engine, rel, block, free_space) != SDB_OK)
            return NULL;
    }
    buf = sdb_buf_read(sdb_engine_bufpool(engine), rel, SDB_FORK_MAIN, SDB_INVALID_BLOCK, SDB_BUF_NEW);
    if (buf != NULL)
        sdb_page_init(sdb_buf_page(buf), page_size, SDB_PAGE_KIND_HEAP, 0);
    return buf;
}

static int check_row(const SdbHeapRow *row, uint32_t page_size)
{
    if (row->len > sdb_heap_max_payload(page_size))
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "row is too big: size %zu, maximum size %zu", row->len,
                         sdb_heap_max_payload(page_size));
    if (row->flags & ~SDB_HEAP_INSERT_FLAGS)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "heap insert flags 0x%x not allowed", (unsigned)row->flags);
    return SDB_OK;
}

/* ---- applying changes (shared by the original operation and redo) ----------- */

/* Add the items of WAL data `data` (n x (HeapItemHead, item)) to `page` at
 * their slots.  Stops after `max_items` items; *used gets the bytes read. */
static int apply_items(void *page, const uint8_t *data, size_t len, size_t max_items, size_t *used)
{
    size_t pos = 0;
    for (size_t n = 0; n < max_items && pos < len; n++) {
        HeapItemHead head;
        if (len - pos < sizeof head)
            return wal_corrupt("truncated item head");
        memcpy(&head, data + pos, sizeof head);
        pos += sizeof head;
        if (head.len < HDR || head.len > len - pos)
            return wal_corrupt("bad item length");
        int slot = sdb_page_add_item(page, data + pos, head.len, head.slot, 0);
        if (slot != head.slot)
            return wal_corrupt("item does not fit its slot");
        pos += head.len;
    }
    *used = pos;
    return SDB_OK;
}

/* Add as many of rows[0..count-1] as fit to `page` (block `block`): each
 * becomes a tuple of xid/cid with infomask row flags | extra, next = itself.
 * The WAL data (HeapItemHead + item per row) is appended at wal + *wal_len,
 * and tids[i] set.  Returns how many rows were added. */
static size_t fill_page(void *page, SdbBlockNo block, SdbXid xid, SdbCid cid, const SdbHeapRow *rows,
                        size_t count, uint16_t extra, SdbTid *tids, uint8_t *wal, size_t *wal_len)
{
    size_t n = 0;

    while (n < count && sdb_page_free_space(page) >= HDR + rows[n].len) {
        const SdbHeapRow *row = &rows[n];
        HeapItemHead head = {.len = (uint16_t)(HDR + row->len)};
        HeapTupleDisk t = {
            .xmin = xid,
            .cid = cid,
            .infomask = (uint16_t)(row->flags | extra),
            .payload_len = (uint16_t)row->len,
            .next_block = block,
        };
        uint8_t *at = wal + *wal_len;
        uint8_t *item = at + sizeof head;
        memcpy(item, &t, HDR);
        if (row->len > 0)
            memcpy(item + HDR, row->payload, row->len);
        /* Fits: the free space was checked, and the item length is valid. */
        head.slot = (uint16_t)sdb_page_add_item(page, item, head.len, 0, 0);
        t.next_slot = head.slot;
        memcpy(at, &head, sizeof head);
        memcpy(item, &t, HDR);
        uint16_t stored_len;
        memcpy(sdb_page_item(page, head.slot, &stored_len), &t, HDR);
        *wal_len += sizeof head + head.len;
        tids[n].block = block;
        tids[n].slot = head.slot;
        n++;
    }
    return n;
}

static void apply_xmax(HeapTupleDisk *t, const HeapXmaxData *d)
{
    t->xmax = d->xmax;
    t->cid = d->cid;
    t->infomask &= (uint16_t)~(SDB_HEAP_XMAX_COMMITTED | SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY);
    if (d->lock_only)
        t->infomask |= SDB_HEAP_XMAX_LOCK_ONLY;
    t->next_block = d->next_block;
    t->next_slot = d->next_slot;
}

/* Mark dead[] DEAD and unused[] UNUSED, then compact the page. */
static void apply_prune(void *page, const uint16_t *dead, size_t ndead, const uint16_t *unused, size_t nunused)
{
    for (size_t i = 0; i < ndead; i++)
        sdb_page_mark_dead(page, dead[i]);
    for (size_t i = 0; i < nunused; i++)
        sdb_page_mark_unused(page, unused[i]);
    sdb_page_compact(page);
}

/* ---- logging ------------------------------------------------------------------ */

/* Insert a record with `nblocks` (1 or 2) blocks: block i is bufs[i] with
 * data[i] of len[i] bytes; block 0 is WILL_INIT when `init`.  Sets each
 * page's LSN and marks it dirty. */
static int log_change(SdbEngine *engine, SdbRelFileId rel, uint8_t info, SdbXid xid, bool init, int nblocks,
                      SdbBuffer *const *bufs, const void *const *data, const size_t *len)
{
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    for (int i = 0; i < nblocks; i++) {
        unsigned flags = (i == 0 && init) ? SDB_WAL_WILL_INIT : 0;
        sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, sdb_buf_block(bufs[i]), sdb_buf_page(bufs[i]), flags);
        sdb_wal_add_block_data(&b, i, data[i], len[i]);
    }
    if (init)
        info |= SDB_HEAP_WAL_INIT_PAGE;
    SdbLsn lsn = sdb_wal_insert(sdb_engine_wal(engine), &b, SDB_RMGR_HEAP, info, xid);
    if (lsn == SDB_INVALID_LSN)
        return SDB_ERROR;
    for (int i = 0; i < nblocks; i++) {
        sdb_buf_set_lsn(bufs[i], lsn);
        sdb_buf_mark_dirty(bufs[i]);
    }
    return SDB_OK;
}

static int log_one(SdbEngine *engine, SdbRelFileId rel, uint8_t info, SdbXid xid, bool init, SdbBuffer *buf,
                   const void *data, size_t len)
{
    return log_change(engine, rel, info, xid, init, 1, &buf, &data, &len);
}

/* ---- relations ------------------------------------------------------------------ */

int sdb_heap_create(SdbEngine *engine, SdbRelFileId rel)
{
    SdbSmgrCreateRecord xlrec = {.db_oid = rel.db_oid, .rel_number = rel.rel_number, .fork = SDB_FORK_MAIN};
    SdbWalBuilder b;

    if (sdb_smgr_create(sdb_engine_smgr(engine), rel, SDB_FORK_MAIN, false) != SDB_OK)
        return SDB_ERROR;
    sdb_fsm_forget(rel);
    sdb_wal_begin(&b);
    sdb_wal_add_data(&b, &xlrec, sizeof xlrec);
    if (sdb_wal_insert(sdb_engine_wal(engine), &b, SDB_RMGR_SMGR, SDB_SMGR_WAL_CREATE, SDB_INVALID_XID) ==
        SDB_INVALID_LSN)
        return SDB_ERROR;
    return SDB_OK;
}

int sdb_heap_nblocks(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo *nblocks)
{
    return sdb_smgr_nblocks(sdb_engine_smgr(engine), rel, SDB_FORK_MAIN, nblocks);
}

/* ---- insert ------------------------------------------------------------------- */

/* Insert rows[0..count-1] page by page; `wal` is scratch space for one
 * page's WAL data (2 * page_size bytes, or ONE_ROW_WAL_SIZE for one row). */
static int insert_rows(SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid, const SdbHeapRow *rows,
                       size_t count, SdbTid *tids, uint8_t *wal)
{
    uint32_t page_size = sdb_engine_page_size(engine);

    for (size_t i = 0; i < count; i++)
        if (check_row(&rows[i], page_size) != SDB_OK)
            return SDB_ERROR;
    for (size_t done = 0; done < count;) {
        SdbBuffer *buf = page_for_insert(engine, rel, HDR + rows[done].len);
        if (buf == NULL)
            return SDB_ERROR;
        uint8_t *page = sdb_buf_page(buf);
        SdbBlockNo block = sdb_buf_block(buf);
        bool init = sdb_page_item_count(page) == 0;
        size_t wal_len = 0;
        size_t n = fill_page(page, block, xid, cid, rows + done, count - done, 0, tids + done, wal, &wal_len);
        if (log_one(engine, rel, SDB_HEAP_WAL_INSERT, xid, init, buf, wal, wal_len) != SDB_OK) {
            sdb_buf_unlock_release(buf);
            return SDB_ERROR;
        }
        size_t free_space = sdb_page_free_space(page);
        sdb_buf_unlock_release(buf);
        if (sdb_fsm_record(engine, rel, block, free_space) != SDB_OK)
            return SDB_ERROR;
        done += n;
    }
    return SDB_OK;
}

int sdb_heap_insert(SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid, const void *payload, size_t len,
                    uint16_t flags, SdbTid *tid)
{
    _Alignas(8) uint8_t wal[ONE_ROW_WAL_SIZE];
    SdbHeapRow row = {.payload = payload, .len = len, .flags = flags};
    return insert_rows(engine, rel, xid, cid, &row, 1, tid, wal);
}

int sdb_heap_insert_batch(SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid, const SdbHeapRow *rows,
                          size_t count, SdbTid *tids)
{
    uint8_t *wal = sdb_malloc(2 * (size_t)sdb_engine_page_size(engine));
    if (wal == NULL)
        return SDB_ERROR;
    int rc = insert_rows(engine, rel, xid, cid, rows, count, tids, wal);
    sdb_free(wal);
    return rc;
}

/* ---- delete, lock, update --------------------------------------------------------- */

/* Whether xid may set the xmax of `t` (see heap.h). */
static SdbHeapResult xmax_check(const HeapTupleDisk *t, SdbXid xid)
{
    uint16_t mask = t->infomask;
    if (t->xmax == SDB_INVALID_XID || (mask & SDB_HEAP_XMAX_ABORTED) ||
        ((mask & SDB_HEAP_XMAX_LOCK_ONLY) && (mask & SDB_HEAP_XMAX_COMMITTED)))
        return SDB_HEAP_OK;
    if (t->xmax == xid)
        return (mask & SDB_HEAP_XMAX_LOCK_ONLY) ? SDB_HEAP_OK : SDB_HEAP_SELF_MODIFIED;
    return SDB_HEAP_CONFLICT;
}

typedef enum XmaxMode {
    XMAX_DELETE,
    XMAX_DELETE_FORCE,
    XMAX_LOCK
} XmaxMode;

/* Pin the page of `tid`, latch it `latch` and find the tuple: SDB_OK with
 * *buf and *t set, SDB_OK with *buf NULL when there is no tuple at tid
 * (or no such block), or SDB_ERROR. */
static int latch_tuple(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbBufLatch latch, SdbBuffer **buf,
                       HeapTupleDisk **t)
{
    bool missing;

    *buf = read_block(engine, rel, tid.block, &missing);
    if (*buf == NULL)
        return missing ? SDB_OK : SDB_ERROR;
    sdb_buf_lock(*buf, latch);
    uint8_t *page = sdb_buf_page(*buf);
    int rc = check_heap_page(page, rel, tid.block);
    if (rc == SDB_OK)
        rc = page_tuple(page, rel, tid.block, tid.slot, t);
    if (rc != SDB_OK || *t == NULL) {
        sdb_buf_unlock_release(*buf);
        *buf = NULL;
    }
    return rc;
}

/* latch_tuple (exclusive) for a change of the tuple's xmax: *result is
 * SDB_HEAP_NOT_FOUND (and *buf NULL) or what xmax_check says, *found (may
 * be NULL) the header as it is. */
static int latch_for_xmax(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbBuffer **buf,
                          HeapTupleDisk **t, SdbHeapResult *result, SdbHeapTupleHeader *found)
{
    if (latch_tuple(engine, rel, tid, SDB_BUF_EXCLUSIVE, buf, t) != SDB_OK)
        return SDB_ERROR;
    *result = SDB_HEAP_NOT_FOUND;
    if (*buf == NULL)
        return SDB_OK;
    if (found != NULL)
        decode_header(*t, found);
    *result = xmax_check(*t, xid);
    return SDB_OK;
}

static int set_xmax(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbCid cid, XmaxMode mode,
                    SdbHeapResult *result, SdbHeapTupleHeader *found)
{
    SdbBuffer *buf;
    HeapTupleDisk *t;

    if (latch_for_xmax(engine, rel, tid, xid, &buf, &t, result, found) != SDB_OK)
        return SDB_ERROR;
    if (buf == NULL)
        return SDB_OK;
    if (mode == XMAX_DELETE_FORCE)
        *result = SDB_HEAP_OK;
    bool already_locked = mode == XMAX_LOCK && t->xmax == xid && (t->infomask & SDB_HEAP_XMAX_LOCK_ONLY);
    int rc = SDB_OK;
    if (*result == SDB_HEAP_OK && !already_locked) {
        HeapXmaxData d = {
            .xmax = xid,
            .cid = cid,
            .slot = tid.slot,
            .lock_only = mode == XMAX_LOCK,
            .next_block = t->next_block,
            .next_slot = t->next_slot,
        };
        apply_xmax(t, &d);
        rc = log_one(engine, rel, SDB_HEAP_WAL_XMAX, xid, false, buf, &d, sizeof d);
    }
    sdb_buf_unlock_release(buf);
    return rc;
}

int sdb_heap_delete(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbCid cid,
                    SdbHeapResult *result, SdbHeapTupleHeader *found)
{
    return set_xmax(engine, rel, tid, xid, cid, XMAX_DELETE, result, found);
}

int sdb_heap_delete_force(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbCid cid,
                          SdbHeapResult *result)
{
    return set_xmax(engine, rel, tid, xid, cid, XMAX_DELETE_FORCE, result, NULL);
}

int sdb_heap_lock(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbCid cid, SdbHeapResult *result,
                  SdbHeapTupleHeader *found)
{
    return set_xmax(engine, rel, tid, xid, cid, XMAX_LOCK, result, found);
}

/* Put the new version `row` on new_buf's page, point the old tuple `t` (slot
 * `old_slot` of old_buf's page, which may be the same buffer) at it, and
 * log both in one record.  Both pages are latched exclusively. */
static int link_new_version(SdbEngine *engine, SdbRelFileId rel, SdbXid xid, SdbCid cid, const SdbHeapRow *row,
                            SdbBuffer *new_buf, SdbBuffer *old_buf, HeapTupleDisk *t, uint16_t old_slot,
                            SdbTid *new_tid, uint8_t *wal)
{
    uint8_t *new_page = sdb_buf_page(new_buf);
    bool init = sdb_page_item_count(new_page) == 0;
    size_t wal_len = 0;

    fill_page(new_page, sdb_buf_block(new_buf), xid, cid, row, 1, SDB_HEAP_UPDATED, new_tid, wal, &wal_len);
    HeapXmaxData d = {
        .xmax = xid,
        .cid = cid,
        .slot = old_slot,
        .next_block = new_tid->block,
        .next_slot = new_tid->slot,
    };
    apply_xmax(t, &d);
    if (old_buf == new_buf) {
        memcpy(wal + wal_len, &d, sizeof d);
        return log_one(engine, rel, SDB_HEAP_WAL_UPDATE, xid, false, new_buf, wal, wal_len + sizeof d);
    }
    SdbBuffer *bufs[2] = {new_buf, old_buf};
    const void *data[2] = {wal, &d};
    size_t lens[2] = {wal_len, sizeof d};
    return log_change(engine, rel, SDB_HEAP_WAL_UPDATE, xid, init, 2, bufs, data, lens);
}

/* The update's second half when the new version goes to another page:
 * old_buf is pinned (unlatched), new_buf pinned and latched.  Latches both
 * in block order, checks the old tuple again (it was unlatched) and the new
 * page's room, and links.  *retry is set when the new page filled up
 * meanwhile.  Unlatches and releases both. */
static int update_across_pages(SdbEngine *engine, SdbRelFileId rel, SdbTid old_tid, SdbXid xid, SdbCid cid,
                               const SdbHeapRow *row, SdbBuffer *old_buf, SdbBuffer *new_buf, SdbTid *new_tid,
                               SdbHeapResult *result, SdbHeapTupleHeader *found, uint8_t *wal, bool *retry)
{
    uint8_t *new_page = sdb_buf_page(new_buf);
    SdbBlockNo new_block = sdb_buf_block(new_buf);
    HeapTupleDisk *t;

    *retry = false;
    if (new_block > old_tid.block) {
        sdb_buf_unlock(new_buf);
        sdb_buf_lock(old_buf, SDB_BUF_EXCLUSIVE);
        sdb_buf_lock(new_buf, SDB_BUF_EXCLUSIVE);
    } else {
        sdb_buf_lock(old_buf, SDB_BUF_EXCLUSIVE);
    }
    int rc = page_tuple(sdb_buf_page(old_buf), rel, old_tid.block, old_tid.slot, &t);
    if (rc == SDB_OK) {
        *result = t == NULL ? SDB_HEAP_NOT_FOUND : xmax_check(t, xid);
        if (t != NULL && found != NULL)
            decode_header(t, found);
        *retry = *result == SDB_HEAP_OK && sdb_page_free_space(new_page) < HDR + row->len;
        if (*result == SDB_HEAP_OK && !*retry)
            rc = link_new_version(engine, rel, xid, cid, row, new_buf, old_buf, t, old_tid.slot, new_tid, wal);
    }
    size_t new_free = sdb_page_free_space(new_page);
    sdb_buf_unlock_release(old_buf);
    sdb_buf_unlock_release(new_buf);
    if (sdb_fsm_record(engine, rel, new_block, new_free) != SDB_OK)
        rc = SDB_ERROR;
    return rc;
}

int sdb_heap_update(SdbEngine *engine, SdbRelFileId rel, SdbTid old_tid, SdbXid xid, SdbCid cid,
                    const void *payload, size_t len, uint16_t flags, SdbTid *new_tid, SdbHeapResult *result,
                    SdbHeapTupleHeader *found)
{
    _Alignas(8) uint8_t wal[ONE_ROW_WAL_SIZE];
    SdbHeapRow row = {.payload = payload, .len = len, .flags = flags};

    if (check_row(&row, sdb_engine_page_size(engine)) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        SdbBuffer *old_buf;
        HeapTupleDisk *t;
        bool retry;

        if (latch_for_xmax(engine, rel, old_tid, xid, &old_buf, &t, result, found) != SDB_OK)
            return SDB_ERROR;
        if (old_buf == NULL)
            return SDB_OK;
        uint8_t *old_page = sdb_buf_page(old_buf);
        if (*result != SDB_HEAP_OK || sdb_page_free_space(old_page) >= HDR + len) {
            int rc = SDB_OK;
            if (*result == SDB_HEAP_OK)
                rc = link_new_version(engine, rel, xid, cid, &row, old_buf, old_buf, t, old_tid.slot, new_tid, wal);
            size_t free_space = sdb_page_free_space(old_page);
            sdb_buf_unlock_release(old_buf);
            if (rc == SDB_OK && *result == SDB_HEAP_OK)
                rc = sdb_fsm_record(engine, rel, old_tid.block, free_space);
            return rc;
        }
        /* Another page: find it with no latch held, then take both in order. */
        size_t old_free = sdb_page_free_space(old_page);
        sdb_buf_unlock(old_buf);
        SdbBuffer *new_buf = NULL;
        if (sdb_fsm_record(engine, rel, old_tid.block, old_free) == SDB_OK)
            new_buf = page_for_insert(engine, rel, HDR + len);
        if (new_buf == NULL) {
            sdb_buf_release(old_buf);
            return SDB_ERROR;
        }
        if (sdb_buf_block(new_buf) == old_tid.block) {
            /* The old page got room meanwhile: start over. */
            sdb_buf_unlock_release(new_buf);
            sdb_buf_release(old_buf);
            continue;
        }
        if (update_across_pages(engine, rel, old_tid, xid, cid, &row, old_buf, new_buf, new_tid, result, found, wal,
                                &retry) != SDB_OK)
            return SDB_ERROR;
        if (!retry)
            return SDB_OK;
    }
}

/* ---- hint bits ------------------------------------------------------------------ */

int sdb_heap_set_hints(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, const SdbHeapTupleHeader *seen,
                       uint16_t bits)
{
    SdbBuffer *buf;
    HeapTupleDisk *t;
    int rc = SDB_OK;

    if (bits & ~SDB_HEAP_HINT_MASK)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "0x%x are not heap hint bits", (unsigned)bits);
    if (latch_tuple(engine, rel, tid, SDB_BUF_SHARE, &buf, &t) != SDB_OK)
        return SDB_ERROR;
    if (buf == NULL || t->xmin != seen->xmin) {
        if (buf != NULL)
            sdb_buf_unlock_release(buf);
        return SDB_OK;
    }
    uint16_t set = bits & (SDB_HEAP_XMIN_COMMITTED | SDB_HEAP_XMIN_ABORTED);
    if (t->xmax == seen->xmax)
        set |= bits & (SDB_HEAP_XMAX_COMMITTED | SDB_HEAP_XMAX_ABORTED);
    /* Other hint setters hold the share latch too: set bits atomically. */
    if ((__atomic_load_n(&t->infomask, __ATOMIC_RELAXED) & set) != set) {
        __atomic_fetch_or(&t->infomask, set, __ATOMIC_RELAXED);
        rc = sdb_buf_mark_dirty_hint(buf);
    }
    sdb_buf_unlock_release(buf);
    return rc;
}

/* ---- reading ------------------------------------------------------------------ */

int sdb_heap_fetch(SdbEngine *engine, SdbRelFileId rel, SdbTid tid, SdbHeapTupleHeader *header, void *payload,
                   size_t payload_size, bool *found)
{
    SdbBuffer *buf;
    HeapTupleDisk *t;
    int rc = SDB_OK;

    *found = false;
    if (latch_tuple(engine, rel, tid, SDB_BUF_SHARE, &buf, &t) != SDB_OK)
        return SDB_ERROR;
    if (buf == NULL)
        return SDB_OK;
    if (payload != NULL && payload_size < t->payload_len) {
        rc = sdb_error(SDB_ERR_INTERNAL_ERROR, "buffer of %zu bytes too small for a payload of %u bytes",
                       payload_size, (unsigned)t->payload_len);
    } else {
        decode_header(t, header);
        if (payload != NULL)
            memcpy(payload, (uint8_t *)t + HDR, t->payload_len);
        *found = true;
    }
    sdb_buf_unlock_release(buf);
    return rc;
}

/* Page copies one scan call may hold (a batch spanning more pages stops early). */
#define SCAN_MAX_PAGES 8

struct SdbHeapScan {
    SdbEngine *engine;
    SdbRelFileId rel;
    uint32_t page_size;
    SdbBlockNo nblocks;      /* blocks to scan */
    SdbBlockNo next_block;   /* next block to copy */
    uint8_t *pages[SCAN_MAX_PAGES];
    int used;                /* copies in use; pages[used - 1] is the current page */
    SdbBlockNo block;        /* block of the current page */
    uint16_t slot;           /* last slot looked at in the current page */
    uint16_t nslots;         /* slots of the current page */
    bool returned;           /* the current page gave a tuple in this call */
};

SdbHeapScan *sdb_heap_scan_begin(SdbEngine *engine, SdbRelFileId rel)
{
    SdbHeapScan *scan = sdb_malloc(sizeof *scan);
    if (scan == NULL)
        return NULL;
    memset(scan, 0, sizeof *scan);
    scan->engine = engine;
    scan->rel = rel;
    scan->page_size = sdb_engine_page_size(engine);
    if (sdb_heap_nblocks(engine, rel, &scan->nblocks) != SDB_OK) {
        sdb_free(scan);
        return NULL;
    }
    return scan;
}

void sdb_heap_scan_end(SdbHeapScan *scan)
{
    if (scan == NULL)
        return;
    for (int i = 0; i < SCAN_MAX_PAGES; i++)
        sdb_free(scan->pages[i]);
    sdb_free(scan);
}

/* A new call: tuples returned before are released, except that the current
 * page's copy is kept (moved to pages[0]). */
static void scan_new_call(SdbHeapScan *scan)
{
    if (scan->used > 1) {
        uint8_t *current = scan->pages[scan->used - 1];
        scan->pages[scan->used - 1] = scan->pages[0];
        scan->pages[0] = current;
        scan->used = 1;
    }
    scan->returned = false;
}

/* Copy the next block into a free page copy (the current one when it gave
 * no tuple in this call).  *full when every copy holds returned tuples. */
static int scan_load_page(SdbHeapScan *scan, bool *full)
{
    *full = false;
    if (scan->used == 0 || scan->returned) {
        if (scan->used == SCAN_MAX_PAGES) {
            *full = true;
            return SDB_OK;
        }
        if (scan->pages[scan->used] == NULL) {
            scan->pages[scan->used] = sdb_malloc(scan->page_size);
            if (scan->pages[scan->used] == NULL)
                return SDB_ERROR;
        }
        scan->used++;
    }
    uint8_t *copy = scan->pages[scan->used - 1];
    SdbBlockNo block = scan->next_block;
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(scan->engine), scan->rel, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    sdb_buf_lock(buf, SDB_BUF_SHARE);
    memcpy(copy, sdb_buf_page(buf), scan->page_size);
    sdb_buf_unlock_release(buf);
    if (check_heap_page(copy, scan->rel, block) != SDB_OK)
        return SDB_ERROR;
    scan->block = block;
    scan->next_block++;
    scan->slot = 0;
    scan->nslots = sdb_page_is_new(copy) ? 0 : sdb_page_item_count(copy);
    scan->returned = false;
    return SDB_OK;
}

/* The next tuple of the scan into *out; *found false at the end, or when
 * the page copies are all in use (batch full). */
static int scan_step(SdbHeapScan *scan, SdbHeapTuple *out, bool *found)
{
    *found = false;
    for (;;) {
        while (scan->used > 0 && scan->slot < scan->nslots) {
            HeapTupleDisk *t;
            scan->slot++;
            if (page_tuple(scan->pages[scan->used - 1], scan->rel, scan->block, scan->slot, &t) != SDB_OK)
                return SDB_ERROR;
            if (t != NULL) {
                out->tid.block = scan->block;
                out->tid.slot = scan->slot;
                decode_header(t, &out->header);
                out->payload = (const uint8_t *)t + HDR;
                scan->returned = true;
                *found = true;
                return SDB_OK;
            }
        }
        bool full;
        if (scan->next_block >= scan->nblocks)
            return SDB_OK;
        if (scan_load_page(scan, &full) != SDB_OK)
            return SDB_ERROR;
        if (full)
            return SDB_OK;
    }
}

int sdb_heap_scan_next(SdbHeapScan *scan, SdbHeapTuple *out, bool *found)
{
    scan_new_call(scan);
    return scan_step(scan, out, found);
}

int sdb_heap_scan_batch(SdbHeapScan *scan, SdbHeapTuple *out, size_t max, size_t *count)
{
    bool found = true;

    scan_new_call(scan);
    *count = 0;
    while (*count < max && found) {
        if (scan_step(scan, &out[*count], &found) != SDB_OK)
            return SDB_ERROR;
        if (found)
            (*count)++;
    }
    return SDB_OK;
}

/* ---- vacuum ------------------------------------------------------------------- */

/* Apply a prune to the latched page of `buf` and log it. */
static int prune_and_log(SdbEngine *engine, SdbRelFileId rel, SdbBuffer *buf, const uint16_t *dead, size_t ndead,
                         const uint16_t *unused, size_t nunused)
{
    uint16_t data[2 + MAX_SLOTS];
    HeapPruneHead head = {.ndead = (uint16_t)ndead, .nunused = (uint16_t)nunused};

    apply_prune(sdb_buf_page(buf), dead, ndead, unused, nunused);
    memcpy(data, &head, sizeof head);
    if (ndead > 0)
        memcpy(data + 2, dead, ndead * sizeof *dead);
    if (nunused > 0)
        memcpy(data + 2 + ndead, unused, nunused * sizeof *unused);
    return log_one(engine, rel, SDB_HEAP_WAL_PRUNE, SDB_INVALID_XID, false, buf, data,
                   sizeof head + (ndead + nunused) * sizeof(uint16_t));
}

/* Pin block `block` and latch it exclusively; it must be a heap page. */
static SdbBuffer *latch_page(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block)
{
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(engine), rel, SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return NULL;
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    if (check_heap_page(sdb_buf_page(buf), rel, block) != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return NULL;
    }
    return buf;
}

/* Unlatch and release `buf`; when `changed`, record its free space. */
static int unlatch_page(SdbEngine *engine, SdbRelFileId rel, SdbBuffer *buf, bool changed, int rc)
{
    SdbBlockNo block = sdb_buf_block(buf);
    size_t free_space = sdb_page_free_space(sdb_buf_page(buf));
    sdb_buf_unlock_release(buf);
    if (rc == SDB_OK && changed)
        rc = sdb_fsm_record(engine, rel, block, free_space);
    return rc;
}

int sdb_heap_prune(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, SdbHeapDeadFn is_dead, void *arg,
                   bool keep_slots, uint32_t *removed)
{
    uint16_t slots[MAX_SLOTS];
    size_t n = 0;
    int rc = SDB_OK;

    if (removed != NULL)
        *removed = 0;
    SdbBuffer *buf = latch_page(engine, rel, block);
    if (buf == NULL)
        return SDB_ERROR;
    uint8_t *page = sdb_buf_page(buf);
    uint16_t count = sdb_page_is_new(page) ? 0 : sdb_page_item_count(page);
    for (uint16_t slot = 1; slot <= count && rc == SDB_OK; slot++) {
        HeapTupleDisk *t;
        rc = page_tuple(page, rel, block, slot, &t);
        if (rc != SDB_OK || t == NULL)
            continue;
        SdbHeapTupleHeader header;
        SdbTid tid = {.block = block, .slot = slot};
        decode_header(t, &header);
        if (is_dead(arg, tid, &header, (const uint8_t *)t + HDR))
            slots[n++] = slot;
    }
    if (rc == SDB_OK && n > 0)
        rc = keep_slots ? prune_and_log(engine, rel, buf, slots, n, NULL, 0)
                        : prune_and_log(engine, rel, buf, NULL, 0, slots, n);
    if (rc == SDB_OK && removed != NULL)
        *removed = (uint32_t)n;
    return unlatch_page(engine, rel, buf, n > 0, rc);
}

int sdb_heap_free_slots(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, const uint16_t *slots,
                        size_t count)
{
    uint16_t dead[MAX_SLOTS];
    size_t n = 0;
    int rc = SDB_OK;

    SdbBuffer *buf = latch_page(engine, rel, block);
    if (buf == NULL)
        return SDB_ERROR;
    uint8_t *page = sdb_buf_page(buf);
    for (size_t i = 0; i < count && n < MAX_SLOTS; i++) {
        bool listed = false;
        for (size_t j = 0; j < n && !listed; j++)
            listed = dead[j] == slots[i];
        if (!listed && sdb_page_slot_state(page, slots[i]) == SDB_SLOT_DEAD)
            dead[n++] = slots[i];
    }
    if (n > 0)
        rc = prune_and_log(engine, rel, buf, NULL, 0, dead, n);
    return unlatch_page(engine, rel, buf, n > 0, rc);
}

int sdb_heap_dead_slots(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, uint16_t *slots, size_t max,
                        size_t *count)
{
    *count = 0;
    SdbBuffer *buf = latch_page(engine, rel, block);
    if (buf == NULL)
        return SDB_ERROR;
    uint8_t *page = sdb_buf_page(buf);
    uint16_t n = sdb_page_is_new(page) ? 0 : sdb_page_item_count(page);
    for (uint16_t slot = 1; slot <= n && *count < max; slot++)
        if (sdb_page_slot_state(page, slot) == SDB_SLOT_DEAD)
            slots[(*count)++] = slot;
    return unlatch_page(engine, rel, buf, false, SDB_OK);
}

/* ---- redo --------------------------------------------------------------------- */

/* Apply block `index` of `rec` to `page` (a heap page). */
typedef int (*RedoApplyFn)(void *page, const SdbWalRecord *rec, int index);

static int redo_block(SdbRedoContext *ctx, const SdbWalRecord *rec, int index, RedoApplyFn apply)
{
    SdbBuffer *buf;
    int action;

    if (index >= rec->block_count)
        return wal_corrupt("missing block reference");
    action = sdb_redo_read_block(ctx, rec, index, &buf);
    if (action == SDB_REDO_ERROR)
        return SDB_ERROR;
    if (action != SDB_REDO_NEEDS_REDO)
        return SDB_OK;
    uint8_t *page = sdb_buf_page(buf);
    int rc;
    if (rec->blocks[index].flags & SDB_WAL_BLOCK_WILL_INIT)
        sdb_page_init(page, ctx->page_size, SDB_PAGE_KIND_HEAP, 0);
    if (sdb_page_is_new(page) || ((SdbPageHeader *)page)->kind != SDB_PAGE_KIND_HEAP)
        rc = wal_corrupt("block is not an initialized heap page");
    else
        rc = apply(page, rec, index);
    if (rc != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    sdb_redo_finish_block(ctx, buf);
    return SDB_OK;
}

static int redo_xmax_data(void *page, const uint8_t *data, size_t len)
{
    HeapXmaxData d;
    uint16_t item_len;

    if (len != sizeof d)
        return wal_corrupt("bad xmax data length");
    memcpy(&d, data, sizeof d);
    HeapTupleDisk *t = sdb_page_item(page, d.slot, &item_len);
    if (t == NULL || item_len < HDR)
        return wal_corrupt("xmax change of a missing tuple");
    apply_xmax(t, &d);
    return SDB_OK;
}

static int redo_insert(void *page, const SdbWalRecord *rec, int index)
{
    const SdbWalBlockRef *ref = &rec->blocks[index];
    size_t used;
    if (apply_items(page, ref->data, ref->data_len, SIZE_MAX, &used) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static int redo_xmax(void *page, const SdbWalRecord *rec, int index)
{
    return redo_xmax_data(page, rec->blocks[index].data, rec->blocks[index].data_len);
}

/* UPDATE block 0: the new version, then the old one's xmax when on the same page. */
static int redo_update_new(void *page, const SdbWalRecord *rec, int index)
{
    const SdbWalBlockRef *ref = &rec->blocks[index];
    size_t used;

    if (apply_items(page, ref->data, ref->data_len, 1, &used) != SDB_OK)
        return SDB_ERROR;
    if (rec->block_count == 1)
        return redo_xmax_data(page, ref->data + used, ref->data_len - used);
    return used == ref->data_len ? SDB_OK : wal_corrupt("trailing bytes after the new version");
}

static int redo_prune(void *page, const SdbWalRecord *rec, int index)
{
    const SdbWalBlockRef *ref = &rec->blocks[index];
    uint16_t slots[MAX_SLOTS];
    HeapPruneHead head;

    if (ref->data_len < sizeof head)
        return wal_corrupt("truncated prune data");
    memcpy(&head, ref->data, sizeof head);
    size_t n = (size_t)head.ndead + head.nunused;
    if (n > MAX_SLOTS || ref->data_len != sizeof head + n * sizeof(uint16_t))
        return wal_corrupt("bad prune data length");
    memcpy(slots, ref->data + sizeof head, n * sizeof(uint16_t));
    apply_prune(page, slots, head.ndead, slots + head.ndead, head.nunused);
    return SDB_OK;
}

int sdb_heap_redo(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    switch (rec->info & ~SDB_HEAP_WAL_INIT_PAGE) {
    case SDB_HEAP_WAL_INSERT:
        return redo_block(ctx, rec, 0, redo_insert);
    case SDB_HEAP_WAL_XMAX:
        return redo_block(ctx, rec, 0, redo_xmax);
    case SDB_HEAP_WAL_UPDATE:
        if (redo_block(ctx, rec, 0, redo_update_new) != SDB_OK)
            return SDB_ERROR;
        return rec->block_count == 1 ? SDB_OK : redo_block(ctx, rec, 1, redo_xmax);
    case SDB_HEAP_WAL_PRUNE:
        return redo_block(ctx, rec, 0, redo_prune);
    default:
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "unknown heap WAL record kind 0x%02X", (unsigned)rec->info);
    }
}

/* ---- describe ------------------------------------------------------------------ */

/* Number of whole items in INSERT block data. */
static size_t count_items(const uint8_t *data, size_t len)
{
    size_t n = 0;
    size_t pos = 0;
    while (len - pos >= sizeof(HeapItemHead)) {
        HeapItemHead head;
        memcpy(&head, data + pos, sizeof head);
        if (head.len > len - pos - sizeof head)
            break;
        pos += sizeof head + head.len;
        n++;
    }
    return n;
}

/* The HeapXmaxData at the end of block `index`'s data, if there is one. */
static bool tail_xmax(const SdbWalRecord *rec, int index, HeapXmaxData *d)
{
    if (index < 0 || index >= rec->block_count || rec->blocks[index].data_len < sizeof *d)
        return false;
    memcpy(d, rec->blocks[index].data + rec->blocks[index].data_len - sizeof *d, sizeof *d);
    return true;
}

void sdb_heap_describe(const SdbWalRecord *rec, char *buf, size_t size)
{
    const SdbWalBlockRef *b0 = rec->block_count > 0 ? &rec->blocks[0] : NULL;
    const char *init = (rec->info & SDB_HEAP_WAL_INIT_PAGE) ? " (init page)" : "";
    HeapXmaxData d;
    HeapPruneHead prune;

    switch (rec->info & ~SDB_HEAP_WAL_INIT_PAGE) {
    case SDB_HEAP_WAL_INSERT:
        snprintf(buf, size, "INSERT %zu tuples%s", b0 != NULL ? count_items(b0->data, b0->data_len) : 0, init);
        return;
    case SDB_HEAP_WAL_XMAX:
        if (tail_xmax(rec, 0, &d)) {
            snprintf(buf, size, "%s slot %u xmax %" PRIu64 " cid %" PRIu32, d.lock_only ? "LOCK" : "DELETE",
                     (unsigned)d.slot, d.xmax, d.cid);
            return;
        }
        break;
    case SDB_HEAP_WAL_UPDATE:
        if (tail_xmax(rec, rec->block_count - 1, &d)) {
            snprintf(buf, size, "UPDATE old slot %u -> new (%" PRIu32 ",%u) xmax %" PRIu64 "%s", (unsigned)d.slot,
                     d.next_block, (unsigned)d.next_slot, d.xmax, init);
            return;
        }
        break;
    case SDB_HEAP_WAL_PRUNE:
        if (b0 != NULL && b0->data_len >= sizeof prune) {
            memcpy(&prune, b0->data, sizeof prune);
            snprintf(buf, size, "PRUNE dead %u unused %u", (unsigned)prune.ndead, (unsigned)prune.nunused);
            return;
        }
        break;
    default:
        snprintf(buf, size, "unknown heap record 0x%02X", (unsigned)rec->info);
        return;
    }
    snprintf(buf, size, "malformed heap record 0x%02X", (unsigned)rec->info);
}
