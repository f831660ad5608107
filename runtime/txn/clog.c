/*
 * txn/clog.c: the commit log: status and commit time of every xid in pages
 * of the shared relation global/1, see clog.h.
 */
#include "txn/clog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/page.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/wal.h"


/* An entry: status in the top two bits, commit timestamp below. */
#define ENTRY_SIZE 8u
#define ENTRY_STATUS_SHIFT 62
#define ENTRY_TS_MASK ((UINT64_C(1) << ENTRY_STATUS_SHIFT) - 1)

struct SdbClog {
    SdbSmgr *smgr;
    SdbBufPool *pool;
    SdbWal *wal;
    uint32_t page_size;
    uint32_t xids_per_page;
    /* Pages 0 .. ready_pages - 1 exist and are initialised.  Only
     * sdb_clog_extend changes it (its callers serialise). */
    SdbBlockNo ready_pages;
};

SdbRelFileId sdb_clog_rel(void)
{
    return (SdbRelFileId){.db_oid = SDB_CLOG_DB_OID, .rel_number = SDB_CLOG_REL_NUMBER};
}

uint32_t sdb_clog_xids_per_page(uint32_t page_size)
{
    return (page_size - SDB_PAGE_HEADER_SIZE) / ENTRY_SIZE;
}

SdbBlockNo sdb_clog_block_of(SdbXid xid, uint32_t page_size)
{
    return (SdbBlockNo)(xid / sdb_clog_xids_per_page(page_size));
}

static uint32_t entry_index(SdbXid xid, uint32_t page_size)
{
    return (uint32_t)(xid % sdb_clog_xids_per_page(page_size));
}

static uint64_t entry_make(SdbXactStatus status, SdbTimestamp commit_ts)
{
    uint64_t ts = status == SDB_XACT_COMMITTED ? (uint64_t)commit_ts & ENTRY_TS_MASK : 0;
    return ((uint64_t)status << ENTRY_STATUS_SHIFT) | ts;
}

static void init_page(void *page, uint32_t page_size)
{
    sdb_page_init(page, page_size, SDB_PAGE_KIND_CLOG, (uint16_t)(page_size - SDB_PAGE_HEADER_SIZE));
}

/* Check that `page` (block `block`, already checksum-verified by the pool)
 * is an initialised clog page, so its entry array spans the page. */
static int check_page(const void *page, SdbBlockNo block)
{
    const SdbPageHeader *header = (const SdbPageHeader *)page;
    char path[SDB_SMGR_PATH_MAX];

    if (header->kind == SDB_PAGE_KIND_CLOG && header->special == SDB_PAGE_HEADER_SIZE &&
        header->lower == SDB_PAGE_HEADER_SIZE)
        return SDB_OK;
    sdb_smgr_path(sdb_clog_rel(), SDB_FORK_MAIN, path, sizeof path);
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid page in block %u of file \"%s\": %s", block, path,
                     sdb_page_is_new(page) ? "commit log page was never initialised" : "not a commit log page");
}

/* Read / write the entry of `xid` on its (checked) page. */
static uint64_t entry_get(void *page, SdbXid xid, uint32_t page_size)
{
    uint64_t entry;
    memcpy(&entry, (uint8_t *)sdb_page_special(page) + (size_t)entry_index(xid, page_size) * ENTRY_SIZE,
           sizeof entry);
    return entry;
}

static void entry_put(void *page, SdbXid xid, uint32_t page_size, uint64_t entry)
{
    memcpy((uint8_t *)sdb_page_special(page) + (size_t)entry_index(xid, page_size) * ENTRY_SIZE, &entry,
           sizeof entry);
}

/* Creating a page extends the file with a zero block at once, but its
 * ZEROPAGE record may not have reached the WAL before a crash; then recovery
 * has nothing to replay and the last page is still all zeros.  Nothing that
 * depends on it can be durable either, so it is simply created again (by
 * sdb_clog_extend).  Only the last page can be in this state: each page's
 * record precedes every record of the pages after it. */
static int recheck_last_page(SdbClog *clog)
{
    if (clog->ready_pages == 0)
        return SDB_OK;
    SdbBuffer *buf = sdb_buf_read(clog->pool, sdb_clog_rel(), SDB_FORK_MAIN, clog->ready_pages - 1, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_ERROR;
    sdb_buf_lock(buf, SDB_BUF_SHARE);
    bool never_initialised = sdb_page_is_new(sdb_buf_page(buf));
    sdb_buf_unlock_release(buf);
    if (never_initialised)
        clog->ready_pages--;
    return SDB_OK;
}

SdbClog *sdb_clog_open(SdbSmgr *smgr, SdbBufPool *pool, struct SdbWal *wal, SdbXid next_xid)
{
    SdbBlockNo nblocks;
    if (sdb_smgr_create(smgr, sdb_clog_rel(), SDB_FORK_MAIN, true) != SDB_OK ||
        sdb_smgr_nblocks(smgr, sdb_clog_rel(), SDB_FORK_MAIN, &nblocks) != SDB_OK)
        return NULL;

    SdbClog *clog = sdb_malloc(sizeof *clog);
    if (clog == NULL)
        return NULL;
    clog->smgr = smgr;
    clog->pool = pool;
    clog->wal = wal;
    clog->page_size = sdb_bufpool_page_size(pool);
    clog->xids_per_page = sdb_clog_xids_per_page(clog->page_size);
    /* The pages of the xids handed out so far exist (each was created, and
     * WAL-logged, before its first xid was handed out; the engine's
     * checkpoint at open wrote them all).  Pages beyond hold only xids not
     * handed out yet, so they are (re)initialised when needed. */
    SdbBlockNo needed = (SdbBlockNo)((next_xid + clog->xids_per_page - 1) / clog->xids_per_page);
    clog->ready_pages = nblocks < needed ? nblocks : needed;
    if (recheck_last_page(clog) != SDB_OK) {
        sdb_free(clog);
        return NULL;
    }
    return clog;
}

void sdb_clog_close(SdbClog *clog)
{
    sdb_free(clog);
}

/* Create clog page `block`: a zeroed frame, a ZEROPAGE record, then the
 * initialised page with the record's LSN. */
static int create_page(SdbClog *clog, SdbBlockNo block)
{
    SdbBuffer *buf = sdb_buf_read(clog->pool, sdb_clog_rel(), SDB_FORK_MAIN, block, SDB_BUF_ZERO);
    if (buf == NULL)
        return SDB_ERROR;
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    sdb_wal_add_block(&b, sdb_clog_rel(), SDB_FORK_MAIN, block, NULL, SDB_WAL_WILL_INIT);
    SdbLsn lsn = sdb_wal_insert(clog->wal, &b, SDB_RMGR_CLOG, SDB_CLOG_WAL_ZEROPAGE, SDB_INVALID_XID);
    if (lsn == SDB_INVALID_LSN) {
        sdb_buf_unlock_release(buf);
        return SDB_ERROR;
    }
    init_page(sdb_buf_page(buf), clog->page_size);
    sdb_buf_set_lsn(buf, lsn);
    sdb_buf_mark_dirty(buf);
    sdb_buf_unlock_release(buf);
    return SDB_OK;
}

int sdb_clog_extend(SdbClog *clog, SdbXid xid)
{
    SdbBlockNo block = sdb_clog_block_of(xid, clog->page_size);
    while (clog->ready_pages <= block) {
        if (create_page(clog, clog->ready_pages) != SDB_OK)
            return SDB_ERROR;
        clog->ready_pages++;
    }
    return SDB_OK;
}

/* Pin xid's page and latch it; NULL with the error recorded. */
static SdbBuffer *latch_page(SdbClog *clog, SdbXid xid, SdbBufLatch latch)
{
    SdbBlockNo block = sdb_clog_block_of(xid, clog->page_size);
    SdbBuffer *buf = sdb_buf_read(clog->pool, sdb_clog_rel(), SDB_FORK_MAIN, block, SDB_BUF_READ);
    if (buf == NULL)
        return NULL;
    sdb_buf_lock(buf, latch);
    if (check_page(sdb_buf_page(buf), block) != SDB_OK) {
        sdb_buf_unlock_release(buf);
        return NULL;
    }
    return buf;
}

int sdb_clog_get(SdbClog *clog, SdbXid xid, SdbXactStatus *status, SdbTimestamp *commit_ts, SdbLsn *page_lsn)
{
    SdbBuffer *buf = latch_page(clog, xid, SDB_BUF_SHARE);
    if (buf == NULL)
        return SDB_ERROR;
    uint64_t entry = entry_get(sdb_buf_page(buf), xid, clog->page_size);
    if (page_lsn != NULL)
        *page_lsn = sdb_buf_lsn(buf);
    sdb_buf_unlock_release(buf);

    *status = (SdbXactStatus)(entry >> ENTRY_STATUS_SHIFT);
    if (*status != SDB_XACT_IN_PROGRESS && *status != SDB_XACT_COMMITTED && *status != SDB_XACT_ABORTED) {
        char path[SDB_SMGR_PATH_MAX];
        sdb_smgr_path(sdb_clog_rel(), SDB_FORK_MAIN, path, sizeof path);
        return sdb_error(SDB_ERR_DATA_CORRUPTED,
                         "invalid status %u of transaction %" PRIu64 " in block %u of file \"%s\"",
                         (unsigned)*status, xid, sdb_clog_block_of(xid, clog->page_size), path);
    }
    if (commit_ts != NULL)
        *commit_ts = *status == SDB_XACT_COMMITTED ? (SdbTimestamp)(entry & ENTRY_TS_MASK) : 0;
    return SDB_OK;
}

/* Set the entries of ascending `xids` on their latched pages bufs[]. */
static void put_entries(SdbClog *clog, SdbBuffer **bufs, const SdbXid *xids, int nxids, uint64_t entry)
{
    for (int i = 0, k = 0; i < nxids; i++) {
        while (sdb_buf_block(bufs[k]) != sdb_clog_block_of(xids[i], clog->page_size))
            k++;
        entry_put(sdb_buf_page(bufs[k]), xids[i], clog->page_size, entry);
    }
}

int sdb_clog_log_statuses(SdbClog *clog, const SdbXid *xids, int nxids, SdbXactStatus status,
                          SdbTimestamp commit_ts, uint8_t rmgr, uint8_t info, const void *main, uint32_t main_len,
                          SdbLsn *end_lsn)
{
    /* One latched buffer per distinct page, in block order (xids ascend). */
    SdbBuffer *bufs[SDB_WAL_MAX_BLOCKS];
    int nbufs = 0, rc = SDB_ERROR;
    for (int i = 0; i < nxids; i++) {
        if (i > 0 && xids[i] <= xids[i - 1]) {
            sdb_error(SDB_ERR_INTERNAL_ERROR, "transaction ids of one commit log record must ascend");
            goto done;
        }
        SdbBlockNo block = sdb_clog_block_of(xids[i], clog->page_size);
        if (nbufs > 0 && sdb_buf_block(bufs[nbufs - 1]) == block)
            continue;
        if (nbufs == SDB_WAL_MAX_BLOCKS) {
            sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                      "cannot end a transaction whose subtransactions span more than %d commit log pages",
                      SDB_WAL_MAX_BLOCKS);
            goto done;
        }
        if ((bufs[nbufs] = latch_page(clog, xids[i], SDB_BUF_EXCLUSIVE)) == NULL)
            goto done;
        nbufs++;
    }
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    for (int k = 0; k < nbufs; k++)
        sdb_wal_add_block(&b, sdb_clog_rel(), SDB_FORK_MAIN, sdb_buf_block(bufs[k]), sdb_buf_page(bufs[k]), 0);
    /* Entries are set before the insert so that a full-page image holds
     * them; a failed insert puts them back to "in progress" (the xids are
     * running, so that is what they were). */
    put_entries(clog, bufs, xids, nxids, entry_make(status, commit_ts));
    sdb_wal_add_data(&b, main, main_len);
    SdbLsn lsn = sdb_wal_insert(clog->wal, &b, rmgr, info, xids[0]);
    if (lsn == SDB_INVALID_LSN)
        put_entries(clog, bufs, xids, nxids, entry_make(SDB_XACT_IN_PROGRESS, 0));
    if (lsn == SDB_INVALID_LSN)
        goto done;
    for (int k = 0; k < nbufs; k++) {
        sdb_buf_set_lsn(bufs[k], lsn);
        sdb_buf_mark_dirty(bufs[k]);
    }
    *end_lsn = lsn;
    rc = SDB_OK;
done:
    for (int k = 0; k < nbufs; k++)
        sdb_buf_unlock_release(bufs[k]);
    return rc;
}

int sdb_clog_log_status(SdbClog *clog, SdbXid xid, SdbXactStatus status, SdbTimestamp commit_ts,
                        uint8_t rmgr, uint8_t info, const void *main, uint32_t main_len,
                        SdbLsn *end_lsn)
{
    return sdb_clog_log_statuses(clog, &xid, 1, status, commit_ts, rmgr, info, main, main_len, end_lsn);
}

int sdb_clog_redo_statuses(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec, const SdbXid *xids,
                           int nxids, SdbXactStatus status, SdbTimestamp commit_ts)
{
    int i = 0;
    for (int block_index = 0; i < nxids; block_index++) {
        SdbBlockNo block = sdb_clog_block_of(xids[i], ctx->page_size);
        const SdbWalBlockRef *ref = block_index < rec->block_count ? &rec->blocks[block_index] : NULL;
        if (ref == NULL || !sdb_relfile_equal(ref->relfile, sdb_clog_rel()) || ref->fork != SDB_FORK_MAIN ||
            ref->block != block)
            return sdb_error(SDB_ERR_DATA_CORRUPTED,
                             "WAL record of transaction %" PRIu64 " does not refer to its commit log page %u",
                             xids[i], block);
        int first = i;
        while (i < nxids && sdb_clog_block_of(xids[i], ctx->page_size) == block)
            i++;
        SdbBuffer *buf;
        int action = sdb_redo_read_block(ctx, rec, block_index, &buf);
        if (action == SDB_REDO_ERROR)
            return SDB_ERROR;
        if (action != SDB_REDO_NEEDS_REDO)
            continue;
        if (check_page(sdb_buf_page(buf), block) != SDB_OK) {
            sdb_buf_unlock_release(buf);
            return SDB_ERROR;
        }
        for (int j = first; j < i; j++)
            entry_put(sdb_buf_page(buf), xids[j], ctx->page_size, entry_make(status, commit_ts));
        sdb_redo_finish_block(ctx, buf);
    }
    return SDB_OK;
}

int sdb_clog_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec)
{
    if (rec->info != SDB_CLOG_WAL_ZEROPAGE || rec->block_count != 1 ||
        !sdb_relfile_equal(rec->blocks[0].relfile, sdb_clog_rel()))
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid commit log WAL record (info 0x%02X)",
                         (unsigned)rec->info);
    SdbBuffer *buf;
    int action = sdb_redo_read_block(ctx, rec, 0, &buf);
    if (action == SDB_REDO_ERROR)
        return SDB_ERROR;
    if (action == SDB_REDO_NEEDS_REDO) {
        init_page(sdb_buf_page(buf), ctx->page_size);
        sdb_redo_finish_block(ctx, buf);
    }
    return SDB_OK;
}

void sdb_clog_describe(const struct SdbWalRecord *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%s", rec->info == SDB_CLOG_WAL_ZEROPAGE ? "zeropage" : "unknown");
}
