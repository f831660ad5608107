/*
 * storage/fsm.c: the free space map: one byte per heap page in the FSM fork.
 *
 * An FSM page is a page of kind SDB_PAGE_KIND_FSM whose special area (all
 * of the page after the header) is the byte array; its header's `flags`
 * holds an upper bound of the bytes on the page, so a search skips pages
 * that cannot have what it needs.  The bound is raised by every record and
 * lowered to the true maximum when a search scans the page in vain.
 *
 * Nothing here is WAL-logged: changes are plain dirty pages (LSN 0).  A page
 * that is missing, past the end or fails its checksum reads as all zeros
 * ("no free space known"), and is rebuilt as inserts record free space.
 */
#include "storage/fsm.h"

#include <pthread.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "storage/bufpool.h"
#include "storage/engine.h"
#include "storage/page.h"
#include "storage/smgr.h"

/* ---- last page used, per relation -------------------------------------------- */

#define HINT_SLOTS 256

/* A direct-mapped table: relations that collide just forget each other's
 * hint, which costs a longer search, never a wrong answer (the heap checks
 * every candidate page). */
static struct {
    SdbRelFileId rel;
    SdbBlockNo block;
    bool valid;
} hints[HINT_SLOTS];
static pthread_mutex_t hints_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t hint_index(SdbRelFileId rel)
{
    return (rel.db_oid * 2654435761u ^ rel.rel_number * 40503u) % HINT_SLOTS;
}

static SdbBlockNo hint_get(SdbRelFileId rel)
{
    SdbBlockNo block = SDB_INVALID_BLOCK;
    size_t i = hint_index(rel);
    pthread_mutex_lock(&hints_lock);
    if (hints[i].valid && sdb_relfile_equal(hints[i].rel, rel))
        block = hints[i].block;
    pthread_mutex_unlock(&hints_lock);
    return block;
}

static void hint_set(SdbRelFileId rel, SdbBlockNo block)
{
    size_t i = hint_index(rel);
    pthread_mutex_lock(&hints_lock);
    hints[i].rel = rel;
    hints[i].block = block;
    hints[i].valid = true;
    pthread_mutex_unlock(&hints_lock);
}

void sdb_fsm_forget(SdbRelFileId rel)
{
    size_t i = hint_index(rel);
    pthread_mutex_lock(&hints_lock);
    if (hints[i].valid && sdb_relfile_equal(hints[i].rel, rel))
        hints[i].valid = false;
    pthread_mutex_unlock(&hints_lock);
}

/* ---- map pages ----------------------------------------------------------------- */

uint8_t sdb_fsm_category(size_t free_bytes, uint32_t page_size)
{
    size_t category = free_bytes / (page_size / 256);
    return category > 255 ? 255 : (uint8_t)category;
}

/* The smallest byte promising `needed` bytes (256 when no byte can). */
static unsigned needed_category(size_t needed, uint32_t page_size)
{
    size_t unit = page_size / 256;
    size_t category = (needed + unit - 1) / unit;
    return category > 255 ? 256 : (unsigned)category;
}

/* Heap pages mapped by one FSM page. */
static uint32_t per_page(uint32_t page_size)
{
    return page_size - SDB_PAGE_HEADER_SIZE;
}

static void init_map_page(uint8_t *page, uint32_t page_size)
{
    sdb_page_init(page, page_size, SDB_PAGE_KIND_FSM, (uint16_t)per_page(page_size));
}

/* Pin FSM page `fsm_block` of `rel`, latched exclusively and initialized.
 * A page past the end of the fork (or with no fork yet) is added, zeroed,
 * when `create`; otherwise NULL is returned with no error and *missing set.
 * A page that fails its checks is reset to zeros. */
static SdbBuffer *map_page(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo fsm_block, bool create, bool *missing)
{
    SdbBufPool *pool = sdb_engine_bufpool(engine);
    uint32_t page_size = sdb_engine_page_size(engine);
    SdbBuffer *buf;

    *missing = false;
    buf = sdb_buf_read(pool, rel, SDB_FORK_FSM, fsm_block, SDB_BUF_READ);
    if (buf != NULL) {
        uint8_t *page = sdb_buf_page(buf);
        sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
        if (sdb_page_is_new(page) || sdb_page_header(page)->kind != SDB_PAGE_KIND_FSM ||
            sdb_page_special_size(page, page_size) != per_page(page_size)) {
            init_map_page(page, page_size);
            sdb_buf_mark_dirty(buf);
        }
        return buf;
    }

    SdbErrcode code = sdb_error_last()->code;
    if (code != SDB_ERR_DATA_CORRUPTED && code != SDB_ERR_UNDEFINED_FILE)
        return NULL;
    /* Past the end, no file yet, or a bad page (torn by a crash: the map is
     * not WAL-logged). */
    SdbSmgr *smgr = sdb_engine_smgr(engine);
    SdbBlockNo nblocks = 0;
    bool exists;
    if (sdb_smgr_exists(smgr, rel, SDB_FORK_FSM, &exists) != SDB_OK ||
        (exists && sdb_smgr_nblocks(smgr, rel, SDB_FORK_FSM, &nblocks) != SDB_OK))
        return NULL;
    if (fsm_block < nblocks) {
        sdb_log(SDB_SEVERITY_WARNING, "storage", "resetting free space map page %u of relation %u/%u: %s",
                (unsigned)fsm_block, (unsigned)rel.db_oid, (unsigned)rel.rel_number, sdb_error_last()->message);
    } else if (!create) {
        sdb_error_clear();
        *missing = true;
        return NULL;
    }
    sdb_error_clear();
    buf = sdb_buf_read(pool, rel, SDB_FORK_FSM, fsm_block, SDB_BUF_ZERO);
    if (buf == NULL)
        return NULL;
    init_map_page(sdb_buf_page(buf), page_size);
    sdb_buf_mark_dirty(buf);
    return buf;
}

/* Look through `n` bytes from `from` round to `from` again for one >=
 * need; returns its index or -1, with *max the largest byte seen. */
static long scan_bytes(const uint8_t *bytes, uint32_t n, uint32_t from, unsigned need, unsigned *max)
{
    *max = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = from + k < n ? from + k : from + k - n;
        if (bytes[i] >= need)
            return (long)i;
        if (bytes[i] > *max)
            *max = bytes[i];
    }
    return -1;
}

/* Search map page `fsm_block` from byte `from` on (round to it again) for
 * a byte >= need: *block gets the heap block, or stays SDB_INVALID_BLOCK.
 * *missing when the page is past the end of the map. */
static int search_map_page(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo fsm_block, uint32_t from,
                           unsigned need, SdbBlockNo *block, bool *missing)
{
    uint32_t per = per_page(sdb_engine_page_size(engine));
    SdbBuffer *buf = map_page(engine, rel, fsm_block, false, missing);
    if (buf == NULL)
        return *missing ? SDB_OK : SDB_ERROR;
    uint8_t *page = sdb_buf_page(buf);
    SdbPageHeader *header = sdb_page_header(page);
    if (header->flags >= need) {
        unsigned max;
        long found = scan_bytes(sdb_page_special(page), per, from, need, &max);
        if (found >= 0) {
            *block = fsm_block * per + (SdbBlockNo)found;
        } else if (header->flags != max) {
            header->flags = (uint16_t)max;
            sdb_buf_mark_dirty(buf);
        }
    }
    sdb_buf_unlock_release(buf);
    return SDB_OK;
}

int sdb_fsm_search(SdbEngine *engine, SdbRelFileId rel, size_t needed, SdbBlockNo *block)
{
    uint32_t page_size = sdb_engine_page_size(engine);
    uint32_t per = per_page(page_size);
    unsigned need = needed_category(needed, page_size);
    SdbBlockNo hint = hint_get(rel);
    SdbBlockNo start = hint == SDB_INVALID_BLOCK ? 0 : hint / per;
    uint32_t from = hint == SDB_INVALID_BLOCK ? 0 : hint % per;
    bool missing = false;

    *block = SDB_INVALID_BLOCK;
    if (need > 255)
        return SDB_OK;
    /* From the hint to the end of the map, then from its start to the hint. */
    for (SdbBlockNo fsm_block = start; !missing && *block == SDB_INVALID_BLOCK; fsm_block++)
        if (search_map_page(engine, rel, fsm_block, fsm_block == start ? from : 0, need, block, &missing) != SDB_OK)
            return SDB_ERROR;
    missing = false;
    for (SdbBlockNo fsm_block = 0; fsm_block < start && !missing && *block == SDB_INVALID_BLOCK; fsm_block++)
        if (search_map_page(engine, rel, fsm_block, 0, need, block, &missing) != SDB_OK)
            return SDB_ERROR;
    if (*block != SDB_INVALID_BLOCK)
        hint_set(rel, *block);
    return SDB_OK;
}

int sdb_fsm_record(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, size_t free_bytes)
{
    uint32_t page_size = sdb_engine_page_size(engine);
    uint32_t per = per_page(page_size);
    uint8_t category = sdb_fsm_category(free_bytes, page_size);
    bool missing;

    SdbBuffer *buf = map_page(engine, rel, block / per, true, &missing);
    if (buf == NULL)
        return SDB_ERROR;
    uint8_t *page = sdb_buf_page(buf);
    uint8_t *bytes = sdb_page_special(page);
    SdbPageHeader *header = sdb_page_header(page);
    if (bytes[block % per] != category) {
        bytes[block % per] = category;
        if (category > header->flags)
            header->flags = category;
        sdb_buf_mark_dirty(buf);
    }
    sdb_buf_unlock_release(buf);
    if (category > 0)
        hint_set(rel, block);
    return SDB_OK;
}

int sdb_fsm_get(SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, uint8_t *category)
{
    uint32_t per = per_page(sdb_engine_page_size(engine));
    bool missing;

    *category = 0;
    SdbBuffer *buf = map_page(engine, rel, block / per, false, &missing);
    if (buf == NULL)
        return missing ? SDB_OK : SDB_ERROR;
    *category = ((uint8_t *)sdb_page_special(sdb_buf_page(buf)))[block % per];
    sdb_buf_unlock_release(buf);
    return SDB_OK;
}
