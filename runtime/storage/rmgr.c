/*
 * storage/rmgr.c: the resource manager table and the generic redo and
 * describe entry points (see rmgr.h).
 *
 * Each row of sdb_rmgrs[] belongs to the module named in rmgr.h: its owner
 * puts its own redo and describe functions there (including its header
 * above) and touches no other row.
 */
#include "storage/rmgr.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "storage/btree.h"
#include "storage/heap.h"
#include "storage/recovery.h"
#include "storage/smgr.h"
#include "txn/clog.h"
#include "txn/xact.h"

const SdbRmgr sdb_rmgrs[SDB_RMGR_COUNT] = {
    [SDB_RMGR_XLOG] = {"XLOG", sdb_xlog_redo, sdb_xlog_describe},
    [SDB_RMGR_SMGR] = {"SMGR", sdb_smgr_redo, sdb_smgr_describe},
    [SDB_RMGR_XACT] = {"XACT", sdb_xact_redo, sdb_xact_describe},
    [SDB_RMGR_CLOG] = {"CLOG", sdb_clog_redo, sdb_clog_describe},
    [SDB_RMGR_HEAP] = {"HEAP", sdb_heap_redo, sdb_heap_describe},
    [SDB_RMGR_BTREE] = {"BTREE", sdb_btree_redo, sdb_btree_describe},
};

const SdbRmgr *sdb_rmgr_get(uint8_t id)
{
    return id < SDB_RMGR_COUNT ? &sdb_rmgrs[id] : NULL;
}

const char *sdb_rmgr_name(uint8_t id)
{
    const SdbRmgr *rmgr = sdb_rmgr_get(id);
    return rmgr != NULL ? rmgr->name : "unknown";
}

int sdb_rmgr_redo(struct SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    const SdbRmgr *rmgr = sdb_rmgr_get(rec->rmgr);
    char lsn[24];

    if (rmgr == NULL || rmgr->redo == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR,
                         "no redo routine for WAL record of resource manager %s (id %u, info 0x%02X) at %s",
                         sdb_rmgr_name(rec->rmgr), (unsigned)rec->rmgr, (unsigned)rec->info,
                         sdb_lsn_format(rec->lsn, lsn));
    if (rmgr->redo(ctx, rec) != SDB_OK) {
        char line[512];
        sdb_error_prefix("redo of %s", sdb_rmgr_describe(rec, line, sizeof line));
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* Append printf output to the NUL-terminated string in buf[size], keeping
 * *used in step; stops silently when full. */
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...) SDB_PRINTF(4, 5);

static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

char *sdb_rmgr_describe(const SdbWalRecord *rec, char *buf, size_t size)
{
    char lsn[24], prev[24];
    size_t used = 0;

    if (size == 0)
        return buf;
    buf[0] = '\0';
    append(buf, size, &used, "lsn %s len %" PRIu32 " prev %s xid %" PRIu64 " %s info 0x%02X",
           sdb_lsn_format(rec->lsn, lsn), rec->total_len, sdb_lsn_format(rec->prev_lsn, prev),
           rec->xid, sdb_rmgr_name(rec->rmgr), (unsigned)rec->info);
    for (int i = 0; i < rec->block_count; i++) {
        const SdbWalBlockRef *b = &rec->blocks[i];
        append(buf, size, &used, " blkref #%d: rel %" PRIu32 "/%" PRIu32 " fork %d blk %" PRIu32, i,
               b->relfile.db_oid, b->relfile.rel_number, (int)b->fork, b->block);
        if (b->flags & SDB_WAL_BLOCK_HAS_IMAGE)
            append(buf, size, &used, " image %u bytes%s", (unsigned)b->image_len,
                   (b->flags & SDB_WAL_BLOCK_IMAGE_ZSTD) ? " zstd" : "");
        if (b->flags & SDB_WAL_BLOCK_WILL_INIT)
            append(buf, size, &used, " init");
        if (b->data_len > 0)
            append(buf, size, &used, " data %u bytes", (unsigned)b->data_len);
    }
    const SdbRmgr *rmgr = sdb_rmgr_get(rec->rmgr);
    if (rmgr != NULL && rmgr->describe != NULL && used + 3 < size) {
        append(buf, size, &used, "; ");
        rmgr->describe(rec, buf + used, size - used);
    }
    return buf;
}
