/*
 * storage/recovery.c: crash recovery (the redo loop and the block helpers
 * redo functions use) and the XLOG resource manager (checkpoint records,
 * full-page-image-only records).  See recovery.h.
 */
#include "storage/recovery.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/log.h"
#include "storage/checkpoint.h"
#include "storage/page.h"
#include "storage/rmgr.h"

/* ---- block helpers for redo functions ------------------------------------------------ */

/* Restore the image of `ref` into the page of a fresh frame. */
static int restore_image(SdbRedoContext *ctx, const SdbWalBlockRef *ref)
{
    _Alignas(SDB_PAGE_ITEM_ALIGN) uint8_t image[SDB_PAGE_MAX_SIZE];
    char path[SDB_SMGR_PATH_MAX];

    /* Check the image before it goes near the pool, so a bad one is never
     * cached in place of the block's real contents. */
    sdb_smgr_path(ref->relfile, ref->fork, path, sizeof path);
    if (sdb_wal_restore_image(ref, image, ctx->page_size) != SDB_OK ||
        sdb_page_check_layout(image, ctx->page_size, ref->block, path) != SDB_OK) {
        char lsn[24];
        sdb_error_prefix("full-page image in WAL record at %s", sdb_lsn_format(ctx->record_lsn, lsn));
        return SDB_ERROR;
    }
    SdbBuffer *buf = sdb_buf_read(ctx->pool, ref->relfile, ref->fork, ref->block, SDB_BUF_ZERO);
    if (buf == NULL)
        return SDB_ERROR;
    memcpy(sdb_buf_page(buf), image, ctx->page_size);
    sdb_redo_finish_block(ctx, buf);
    ctx->blocks_restored++;
    return SDB_OK;
}

/* Whether block `ref` exists on disk (its fork file exists and is long
 * enough); a block that does not was dropped or truncated by a later
 * record. */
static int block_exists(SdbRedoContext *ctx, const SdbWalBlockRef *ref, bool *exists)
{
    SdbBlockNo nblocks;
    if (sdb_smgr_exists(ctx->smgr, ref->relfile, ref->fork, exists) != SDB_OK)
        return SDB_ERROR;
    if (!*exists)
        return SDB_OK;
    if (sdb_smgr_nblocks(ctx->smgr, ref->relfile, ref->fork, &nblocks) != SDB_OK)
        return SDB_ERROR;
    *exists = ref->block < nblocks;
    return SDB_OK;
}

int sdb_redo_read_block(SdbRedoContext *ctx, const SdbWalRecord *rec, int block_index, SdbBuffer **out)
{
    *out = NULL;
    if (block_index < 0 || block_index >= rec->block_count) {
        char lsn[24];
        sdb_error(SDB_ERR_DATA_CORRUPTED, "WAL record at %s has no block reference %d",
                  sdb_lsn_format(rec->lsn, lsn), block_index);
        return SDB_REDO_ERROR;
    }
    const SdbWalBlockRef *ref = &rec->blocks[block_index];

    if (ref->flags & SDB_WAL_BLOCK_HAS_IMAGE)
        return restore_image(ctx, ref) == SDB_OK ? SDB_REDO_RESTORED : SDB_REDO_ERROR;

    if (ref->flags & SDB_WAL_BLOCK_WILL_INIT) {
        *out = sdb_buf_read(ctx->pool, ref->relfile, ref->fork, ref->block, SDB_BUF_ZERO);
        if (*out == NULL)
            return SDB_REDO_ERROR;
        ctx->blocks_redone++;
        return SDB_REDO_NEEDS_REDO;
    }

    bool exists;
    if (block_exists(ctx, ref, &exists) != SDB_OK)
        return SDB_REDO_ERROR;
    if (!exists) {
        ctx->blocks_missing++;
        return SDB_REDO_DONE;
    }
    SdbBuffer *buf = sdb_buf_read(ctx->pool, ref->relfile, ref->fork, ref->block, SDB_BUF_READ);
    if (buf == NULL)
        return SDB_REDO_ERROR;
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    if (sdb_page_lsn(sdb_buf_page(buf)) >= ctx->end_lsn) {
        sdb_buf_unlock_release(buf);
        ctx->blocks_skipped++;
        return SDB_REDO_DONE;
    }
    *out = buf;
    ctx->blocks_redone++;
    return SDB_REDO_NEEDS_REDO;
}

void sdb_redo_finish_block(SdbRedoContext *ctx, SdbBuffer *buf)
{
    sdb_buf_mark_dirty(buf);
    sdb_buf_set_lsn(buf, ctx->end_lsn);
    sdb_buf_unlock_release(buf);
}

/* ---- the redo loop --------------------------------------------------------------------- */

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void log_result(const SdbRecoveryResult *r, const char *end_reason)
{
    char from[24], to[24];
    sdb_log(SDB_SEVERITY_LOG, "recovery",
            "redo done: %" PRIu64 " records from %s to %s in %.3f s (%" PRIu64 " page images restored, %" PRIu64
            " blocks redone, %" PRIu64 " already up to date, %" PRIu64 " no longer existing); WAL ends: %s",
            r->records, sdb_lsn_format(r->start_lsn, from), sdb_lsn_format(r->end_lsn, to), r->seconds,
            r->blocks_restored, r->blocks_redone, r->blocks_skipped, r->blocks_missing,
            end_reason[0] != '\0' ? end_reason : "end of WAL");
}

int sdb_recovery_replay(SdbBufPool *pool, SdbSmgr *smgr, const SdbWalConfig *wal_config, SdbLsn redo_lsn,
                        SdbXid next_xid, uint32_t next_oid, SdbRecoveryResult *result)
{
    SdbRedoContext ctx = {
        .pool = pool,
        .smgr = smgr,
        .page_size = sdb_bufpool_page_size(pool),
        .next_xid = next_xid,
        .next_oid = next_oid,
    };
    SdbWalReader *reader = NULL;
    const SdbWalRecord *rec;
    struct timespec start;
    char lsn[24];
    int rc = SDB_ERROR;

    memset(result, 0, sizeof *result);
    result->ran = true;
    result->start_lsn = redo_lsn;
    clock_gettime(CLOCK_MONOTONIC, &start);
    sdb_log(SDB_SEVERITY_LOG, "recovery", "redo starts at %s", sdb_lsn_format(redo_lsn, lsn));

    if (sdb_wal_reader_open(wal_config, redo_lsn, &reader) != SDB_OK)
        goto done;
    for (;;) {
        if (sdb_wal_reader_next(reader, &rec) != SDB_OK)
            goto done;
        if (rec == NULL)
            break;
        ctx.record_lsn = rec->lsn;
        ctx.end_lsn = rec->end_lsn;
        if (rec->xid >= ctx.next_xid)
            ctx.next_xid = rec->xid + 1;
        if (sdb_rmgr_redo(&ctx, rec) != SDB_OK)
            goto done;
        result->records++;
    }
    rc = SDB_OK;
    result->end_lsn = sdb_wal_reader_end_lsn(reader);
    result->last_record_lsn = sdb_wal_reader_last_lsn(reader);
    result->next_xid = ctx.next_xid;
    result->next_oid = ctx.next_oid;
    result->blocks_restored = ctx.blocks_restored;
    result->blocks_redone = ctx.blocks_redone;
    result->blocks_skipped = ctx.blocks_skipped;
    result->blocks_missing = ctx.blocks_missing;
    result->seconds = seconds_since(&start);
    log_result(result, sdb_wal_reader_end_reason(reader));

done:
    if (rc != SDB_OK)
        sdb_error_prefix("recovery failed after %" PRIu64 " records", result->records);
    sdb_wal_reader_close(reader);
    return rc;
}

/* ---- XLOG resource manager ---------------------------------------------------------------- */

int sdb_xlog_log_pages(SdbWal *wal, SdbBuffer *const *bufs, int count, SdbLsn *end_lsn)
{
    SdbWalBuilder b;
    if (count < 1 || count > SDB_WAL_MAX_BLOCKS)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot log %d page images in one record", count);
    sdb_wal_begin(&b);
    for (int i = 0; i < count; i++) {
        sdb_buf_mark_dirty(bufs[i]);
        sdb_wal_add_block(&b, sdb_buf_rel(bufs[i]), sdb_buf_fork(bufs[i]), sdb_buf_block(bufs[i]),
                          sdb_buf_page(bufs[i]), SDB_WAL_FORCE_IMAGE);
    }
    SdbLsn lsn = sdb_wal_insert(wal, &b, SDB_RMGR_XLOG, SDB_XLOG_FPI, SDB_INVALID_XID);
    if (lsn == SDB_INVALID_LSN)
        return SDB_ERROR;
    for (int i = 0; i < count; i++)
        sdb_buf_set_lsn(bufs[i], lsn);
    if (end_lsn != NULL)
        *end_lsn = lsn;
    return SDB_OK;
}

int sdb_xlog_log_hint_image(SdbWal *wal, SdbBuffer *buf, const void *page_copy, SdbLsn *end_lsn)
{
    SdbWalBuilder b;
    sdb_wal_begin(&b);
    sdb_wal_add_block(&b, sdb_buf_rel(buf), sdb_buf_fork(buf), sdb_buf_block(buf), page_copy, 0);
    *end_lsn = sdb_wal_insert(wal, &b, SDB_RMGR_XLOG, SDB_XLOG_FPI_FOR_HINT, SDB_INVALID_XID);
    return *end_lsn == SDB_INVALID_LSN ? SDB_ERROR : SDB_OK;
}

static int redo_checkpoint(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    SdbCheckpointRecord cp;
    if (rec->main_len != sizeof cp) {
        char lsn[24];
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "checkpoint record at %s has %" PRIu32 " bytes of data, not %zu",
                         sdb_lsn_format(rec->lsn, lsn), rec->main_len, sizeof cp);
    }
    memcpy(&cp, rec->main_data, sizeof cp);
    if (cp.next_xid > ctx->next_xid)
        ctx->next_xid = cp.next_xid;
    if (cp.next_oid > ctx->next_oid)
        ctx->next_oid = cp.next_oid;
    return SDB_OK;
}

static int redo_images(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    for (int i = 0; i < rec->block_count; i++) {
        SdbBuffer *unused;
        /* A hint record carries no image when the page had been logged
         * since the checkpoint already: nothing to do then. */
        if (!(rec->blocks[i].flags & SDB_WAL_BLOCK_HAS_IMAGE)) {
            if (rec->info == SDB_XLOG_FPI_FOR_HINT)
                continue;
            char lsn[24];
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "full-page-image record at %s lacks the image of block %d",
                             sdb_lsn_format(rec->lsn, lsn), i);
        }
        if (sdb_redo_read_block(ctx, rec, i, &unused) == SDB_REDO_ERROR)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_xlog_redo(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    switch (rec->info) {
    case SDB_XLOG_CHECKPOINT_SHUTDOWN:
    case SDB_XLOG_CHECKPOINT_ONLINE:
        return redo_checkpoint(ctx, rec);
    case SDB_XLOG_FPI:
    case SDB_XLOG_FPI_FOR_HINT:
        return redo_images(ctx, rec);
    default: {
        char lsn[24];
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "unknown XLOG record kind 0x%02X at %s", (unsigned)rec->info,
                         sdb_lsn_format(rec->lsn, lsn));
    }
    }
}

void sdb_xlog_describe(const SdbWalRecord *rec, char *buf, size_t size)
{
    SdbCheckpointRecord cp;
    char redo[24];
    switch (rec->info) {
    case SDB_XLOG_CHECKPOINT_SHUTDOWN:
    case SDB_XLOG_CHECKPOINT_ONLINE:
        if (rec->main_len != sizeof cp) {
            snprintf(buf, size, "checkpoint (bad length %" PRIu32 ")", rec->main_len);
            return;
        }
        memcpy(&cp, rec->main_data, sizeof cp);
        snprintf(buf, size, "checkpoint %s: redo %s next xid %" PRIu64 " next oid %" PRIu32,
                 rec->info == SDB_XLOG_CHECKPOINT_SHUTDOWN ? "shutdown" : "online", sdb_lsn_format(cp.redo_lsn, redo),
                 cp.next_xid, cp.next_oid);
        return;
    case SDB_XLOG_FPI:
        snprintf(buf, size, "full page images");
        return;
    case SDB_XLOG_FPI_FOR_HINT:
        snprintf(buf, size, "full page image for hint bits");
        return;
    default:
        snprintf(buf, size, "unknown XLOG record kind 0x%02X", (unsigned)rec->info);
        return;
    }
}
