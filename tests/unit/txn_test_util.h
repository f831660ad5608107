/*
 * txn_test_util.h: helpers shared by test_xact.c and test_crash.c: an
 * engine with small settings (so pages are evicted, checkpoints run and WAL
 * segments turn over during short tests) plus its transaction manager.
 * Crashes are simulated with heap_test_in_child (heap_test_util.h): the
 * child ends with _exit(), which leaves the engine unclosed, exactly as a
 * crash would, and skips the harness's cleanup of the temporary folders
 * (the parent's job).
 */
#ifndef SDB_TXN_TEST_UTIL_H
#define SDB_TXN_TEST_UTIL_H

#include <stdio.h>

#include "common/error.h"
#include "config/settings.h"
#include "heap_test_util.h"
#include "storage/engine.h"
#include "txn/xact.h"

typedef struct TxnTestDb {
    SdbEngine *engine;
    SdbXactManager *xm;
} TxnTestDb;

/* Open (creating if needed) the database in `dir` with small settings and
 * checkpoints every `checkpoint_timeout_s` seconds (and every 2 MB of WAL).
 * Prints the error and returns SDB_ERROR on failure. */
static inline int txn_test_open(TxnTestDb *db, const char *dir, int checkpoint_timeout_s)
{
    SdbSettings settings;
    db->engine = NULL;
    db->xm = NULL;
    if (sdb_settings_init(&settings) != SDB_OK)
        return SDB_ERROR;
    settings.block_size = 4096;
    settings.shared_buffers = 128;     /* kB: 32 frames, constant eviction */
    settings.wal_segment_size = 1024;  /* kB */
    settings.max_wal_size = 2;         /* MB: frequent checkpoints */
    settings.min_wal_size = 2;
    settings.checkpoint_timeout = checkpoint_timeout_s;
    settings.bgwriter_delay = 10;      /* ms */
    db->engine = sdb_engine_open(dir, &settings);
    sdb_settings_free(&settings);
    if (db->engine != NULL)
        db->xm = sdb_xact_open(db->engine);
    if (db->xm == NULL) {
        sdb_error_print(stderr);
        sdb_engine_close(db->engine);
        db->engine = NULL;
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* Clean shutdown: transaction manager, then engine (whose shutdown
 * checkpoint still saves the next xid). */
static inline int txn_test_close(TxnTestDb *db)
{
    int rc = sdb_xact_close(db->xm);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    if (sdb_engine_close(db->engine) != SDB_OK) {
        sdb_error_print(stderr);
        rc = SDB_ERROR;
    }
    db->xm = NULL;
    db->engine = NULL;
    return rc;
}

#endif /* SDB_TXN_TEST_UTIL_H */
