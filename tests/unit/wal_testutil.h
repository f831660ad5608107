/*
 * wal_testutil.h: helpers shared by the WAL test programs (test_wal.c,
 * test_wal_flush.c): a small WAL configuration, inserting a record with a
 * recognisable payload, and reading a WAL back.
 */
#ifndef SDB_WAL_TESTUTIL_H
#define SDB_WAL_TESTUTIL_H

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "storage/rmgr.h"
#include "storage/wal.h"

#define TEST_SEGMENT_SIZE (64u * 1024u)
#define TEST_BLOCK_SIZE 4096u
#define TEST_SYSTEM_ID 0x5EC0DB0000000042ull

/* A WAL in a fresh temporary folder: 64 kB segments and a 64 kB buffer, so
 * tests cross segments and fill the buffer quickly.  `dir` receives the
 * folder (at least 4096 bytes) and must outlive the config. */
static inline void wal_test_config(SdbWalConfig *cfg, char *dir, size_t dir_size)
{
    char base[3072];
    sdb_test_tempdir(base, sizeof base);
    snprintf(dir, dir_size, "%s/wal", base);
    memset(cfg, 0, sizeof *cfg);
    cfg->dir = dir;
    cfg->system_id = TEST_SYSTEM_ID;
    cfg->segment_size = TEST_SEGMENT_SIZE;
    cfg->block_size = TEST_BLOCK_SIZE;
    cfg->buffer_size = 64 * 1024;
    cfg->fsync = true;
    cfg->sync_method = SDB_WAL_SYNC_METHOD_FDATASYNC;
    cfg->full_page_writes = true;
    cfg->compression = SDB_WAL_COMPRESSION_OFF;
    cfg->min_wal_size = 4 * TEST_SEGMENT_SIZE;
}

/* Fill `buf` with bytes derived from `seed`. */
static inline void wal_test_pattern(uint8_t *buf, size_t len, uint64_t seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((seed * 131 + i * 7) ^ (i >> 8));
}

/* Insert an XACT record of xid `xid` whose main data is `len` pattern bytes
 * seeded with xid; returns its end LSN (SDB_INVALID_LSN on error). */
static inline SdbLsn wal_test_insert(SdbWal *wal, SdbXid xid, size_t len)
{
    static _Thread_local uint8_t data[256 * 1024];
    SdbWalBuilder b;
    wal_test_pattern(data, len, xid);
    sdb_wal_begin(&b);
    sdb_wal_add_data(&b, data, len);
    return sdb_wal_insert(wal, &b, SDB_RMGR_XACT, 0x10, xid);
}

/* True when `rec` is what wal_test_insert(xid, len) wrote. */
static inline bool wal_test_check(const SdbWalRecord *rec, SdbXid xid, size_t len)
{
    static _Thread_local uint8_t data[256 * 1024];
    wal_test_pattern(data, len, xid);
    return rec->xid == xid && rec->rmgr == SDB_RMGR_XACT && rec->info == 0x10 && rec->block_count == 0 &&
           rec->main_len == len && (len == 0 || memcmp(rec->main_data, data, len) == 0);
}

/* Read the WAL of `cfg` from `start`; returns how many records were valid
 * (-1 on error) and sets *end (may be NULL) to where valid WAL ends.  Each
 * record's xid goes to xids[i] when xids is not NULL (room for max). */
static inline long wal_test_read_all(const SdbWalConfig *cfg, SdbLsn start, SdbLsn *end, SdbXid *xids,
                                     long max)
{
    SdbWalReader *r;
    const SdbWalRecord *rec;
    long n = 0;
    sdb_error_clear();
    if (sdb_wal_reader_open(cfg, start, &r) != SDB_OK)
        return -1;
    while (sdb_wal_reader_next(r, &rec) == SDB_OK && rec != NULL) {
        if (xids != NULL && n < max)
            xids[n] = rec->xid;
        n++;
    }
    if (sdb_error_last()->code != SDB_ERR_SUCCESSFUL_COMPLETION)
        n = -1;
    if (end != NULL)
        *end = sdb_wal_reader_end_lsn(r);
    sdb_wal_reader_close(r);
    return n;
}

#endif /* SDB_WAL_TESTUTIL_H */
