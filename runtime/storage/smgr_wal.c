/*
 * storage/smgr_wal.c: the SMGR resource manager: WAL records for creating,
 * truncating and removing a relation fork, their redo and their description (see
 * smgr.h).  Kept apart from smgr.c because it calls the WAL and the buffer
 * pool, which sit above the storage manager.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "storage/bufpool.h"
#include "storage/recovery.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

static const char *fork_name(uint32_t fork)
{
    return fork == SDB_FORK_MAIN ? "main" : fork == SDB_FORK_FSM ? "fsm" : "unknown";
}

/* Insert an SMGR record with main data `payload`; *lsn gets its end. */
static int log_record(SdbWal *wal, uint8_t info, const void *payload, size_t len, SdbXid xid, SdbLsn *lsn)
{
    SdbWalBuilder builder;
    sdb_wal_begin(&builder);
    sdb_wal_add_data(&builder, payload, len);
    *lsn = sdb_wal_insert(wal, &builder, SDB_RMGR_SMGR, info, xid);
    return *lsn == SDB_INVALID_LSN ? SDB_ERROR : SDB_OK;
}

int sdb_smgr_create_logged(SdbSmgr *smgr, SdbWal *wal, SdbRelFileId rel, SdbFork fork, SdbXid xid)
{
    SdbSmgrCreateRecord record = {.db_oid = rel.db_oid, .rel_number = rel.rel_number, .fork = (uint32_t)fork};
    SdbLsn lsn;
    if (log_record(wal, SDB_SMGR_WAL_CREATE, &record, sizeof record, xid, &lsn) != SDB_OK)
        return SDB_ERROR;
    return sdb_smgr_create(smgr, rel, fork, false);
}

int sdb_smgr_truncate_logged(SdbSmgr *smgr, SdbWal *wal, SdbRelFileId rel, SdbFork fork, SdbBlockNo nblocks,
                             SdbXid xid)
{
    SdbSmgrTruncateRecord record = {
        .db_oid = rel.db_oid, .rel_number = rel.rel_number, .fork = (uint32_t)fork, .nblocks = nblocks};
    SdbLsn lsn;
    if (log_record(wal, SDB_SMGR_WAL_TRUNCATE, &record, sizeof record, xid, &lsn) != SDB_OK ||
        sdb_wal_flush(wal, lsn) != SDB_OK)
        return SDB_ERROR;
    return sdb_smgr_truncate(smgr, rel, fork, nblocks);
}

int sdb_smgr_drop_logged(SdbSmgr *smgr, SdbWal *wal, SdbRelFileId rel, SdbFork fork, SdbXid xid)
{
    SdbSmgrCreateRecord record = {.db_oid = rel.db_oid, .rel_number = rel.rel_number, .fork = (uint32_t)fork};
    SdbLsn lsn;
    if (log_record(wal, SDB_SMGR_WAL_DROP, &record, sizeof record, xid, &lsn) != SDB_OK ||
        sdb_wal_flush(wal, lsn) != SDB_OK)
        return SDB_ERROR;
    return sdb_smgr_unlink(smgr, rel, fork);
}

/* Copy the record's main data into `payload` if it has exactly `len` bytes
 * and a valid fork (the fork field is at the same place in both payloads). */
static int decode_payload(const SdbWalRecord *rec, void *payload, size_t len)
{
    char lsn[24];
    SdbSmgrCreateRecord head;
    if (rec->main_len == len) {
        memcpy(payload, rec->main_data, len);
        memcpy(&head, payload, sizeof head);
        if (head.fork < SDB_FORK_COUNT)
            return SDB_OK;
    }
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid SMGR record (info 0x%02X, %" PRIu32 " bytes) at %s",
                     (unsigned)rec->info, rec->main_len, sdb_lsn_format(rec->lsn, lsn));
}

static int redo_create(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    SdbSmgrCreateRecord record;
    if (decode_payload(rec, &record, sizeof record) != SDB_OK)
        return SDB_ERROR;
    SdbRelFileId rel = {.db_oid = record.db_oid, .rel_number = record.rel_number};
    return sdb_smgr_create(ctx->smgr, rel, (SdbFork)record.fork, true);
}

static int redo_truncate(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    SdbSmgrTruncateRecord record;
    if (decode_payload(rec, &record, sizeof record) != SDB_OK)
        return SDB_ERROR;
    SdbRelFileId rel = {.db_oid = record.db_oid, .rel_number = record.rel_number};
    SdbFork fork = (SdbFork)record.fork;
    /* The relation may have been dropped later in the WAL: recreate it so
     * the records in between can be replayed; the drop removes it again. */
    if (sdb_smgr_create(ctx->smgr, rel, fork, true) != SDB_OK)
        return SDB_ERROR;
    if (ctx->pool != NULL && sdb_bufpool_drop_rel(ctx->pool, rel, fork, record.nblocks) != SDB_OK)
        return SDB_ERROR;
    return sdb_smgr_truncate(ctx->smgr, rel, fork, record.nblocks);
}

static int redo_drop(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    SdbSmgrCreateRecord record;
    if (decode_payload(rec, &record, sizeof record) != SDB_OK)
        return SDB_ERROR;
    SdbRelFileId rel = {.db_oid = record.db_oid, .rel_number = record.rel_number};
    SdbFork fork = (SdbFork)record.fork;
    if (ctx->pool != NULL && sdb_bufpool_drop_rel(ctx->pool, rel, fork, 0) != SDB_OK)
        return SDB_ERROR;
    return sdb_smgr_unlink(ctx->smgr, rel, fork);
}

int sdb_smgr_redo(SdbRedoContext *ctx, const SdbWalRecord *rec)
{
    switch (rec->info) {
    case SDB_SMGR_WAL_CREATE:
        return redo_create(ctx, rec);
    case SDB_SMGR_WAL_TRUNCATE:
        return redo_truncate(ctx, rec);
    case SDB_SMGR_WAL_DROP:
        return redo_drop(ctx, rec);
    default: {
        char lsn[24];
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "unknown SMGR record info 0x%02X at %s", (unsigned)rec->info,
                         sdb_lsn_format(rec->lsn, lsn));
    }
    }
}

void sdb_smgr_describe(const SdbWalRecord *rec, char *buf, size_t size)
{
    SdbSmgrTruncateRecord record = {0};
    size_t expected = rec->info == SDB_SMGR_WAL_TRUNCATE ? sizeof(SdbSmgrTruncateRecord)
                                                         : sizeof(SdbSmgrCreateRecord);
    if (rec->main_len != expected ||
        (rec->info != SDB_SMGR_WAL_CREATE && rec->info != SDB_SMGR_WAL_TRUNCATE && rec->info != SDB_SMGR_WAL_DROP)) {
        snprintf(buf, size, "invalid SMGR record (info 0x%02X, %" PRIu32 " bytes)", (unsigned)rec->info,
                 rec->main_len);
        return;
    }
    memcpy(&record, rec->main_data, expected);
    if (rec->info != SDB_SMGR_WAL_TRUNCATE)
        snprintf(buf, size, "%s rel %" PRIu32 "/%" PRIu32 " fork %s", rec->info == SDB_SMGR_WAL_DROP ? "drop" : "create",
                 record.db_oid, record.rel_number, fork_name(record.fork));
    else
        snprintf(buf, size, "truncate rel %" PRIu32 "/%" PRIu32 " fork %s to %" PRIu32 " blocks", record.db_oid,
                 record.rel_number, fork_name(record.fork), record.nblocks);
}
