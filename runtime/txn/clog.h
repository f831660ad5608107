/*
 * txn/clog.h: the commit log ("clog"): for every transaction id its status
 * (in progress, committed, aborted) and, when committed, its commit time.
 *
 * Owns the clog relation and its page layout.  The clog is an ordinary
 * shared relation (database 0, relation number SDB_CLOG_REL_NUMBER, so the
 * file is DIR/global/1) read and written through the buffer pool: it is
 * cached, checkpointed, checksummed and protected by full-page images like
 * every other relation.
 *
 * Page layout: the common page header (page.h), then the whole rest of the
 * page is the "special" area holding an array of 8-byte entries (host byte
 * order, like the page header), one per xid.  Entry i of page p is xid p * per_page + i, where
 * per_page = (page_size - SDB_PAGE_HEADER_SIZE) / 8 (1021 for 8 KiB pages).
 * An entry is
 *     bits 63..62  status: 0 in progress, 1 committed, 2 aborted (3 reserved
 *                  for sub-committed subtransactions)
 *     bits 61..0   commit timestamp (SdbTimestamp, microseconds since
 *                  2000-01-01 UTC) when committed, else 0.
 * 62 bits of microseconds last 146,000 years past 2000.  A page of the clog
 * that reads as never initialised (all zero) is reported as corrupt: every
 * page is initialised, WAL-logged, before its first xid is handed out.
 *
 * WAL: every change to a clog page is WAL-logged, so redo is the usual
 * page-LSN-checked, idempotent redo:
 *   - CLOG ZEROPAGE (this module): a new clog page, block reference 0 with
 *     WILL_INIT, no data.  Logged when the first xid of a page is handed out.
 *   - XACT COMMIT / ABORT (xact.h): block references 0, 1, ... are the
 *     clog pages of the record's xids (a transaction and its
 *     subtransactions); redo calls sdb_clog_redo_statuses.  The first change of a clog
 *     page after a checkpoint carries its full image, so a clog page torn by
 *     a crash is rebuilt like any other.
 *
 * Thread-safety: all functions may be called from any thread; page
 * contents are protected by the buffer latches, extension by a mutex.
 */
#ifndef SDB_TXN_CLOG_H
#define SDB_TXN_CLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/bufpool.h"
#include "storage/smgr.h"
#include "storage/types.h"

struct SdbWal;
struct SdbRedoContext;
struct SdbWalRecord;

/* The clog relation: DIR/global/1. */
#define SDB_CLOG_DB_OID 0u
#define SDB_CLOG_REL_NUMBER 1u

/* Record kinds of rmgr CLOG (the record's `info`). */
#define SDB_CLOG_WAL_ZEROPAGE 0x00

/* A transaction's status as the clog records it. */
typedef enum SdbXactStatus {
    SDB_XACT_IN_PROGRESS = 0, /* no commit or abort record (yet) */
    SDB_XACT_COMMITTED = 1,
    SDB_XACT_ABORTED = 2
} SdbXactStatus;

typedef struct SdbClog SdbClog;

/* The clog's relation id {0, SDB_CLOG_REL_NUMBER}. */
SdbRelFileId sdb_clog_rel(void);

/* Number of xids on one clog page of `page_size` bytes. */
uint32_t sdb_clog_xids_per_page(uint32_t page_size);

/* The clog block that holds `xid`'s entry. */
SdbBlockNo sdb_clog_block_of(SdbXid xid, uint32_t page_size);

/* Open the commit log of a data directory whose next xid to hand out is
 * `next_xid`: creates DIR/global/1 if missing (empty) and learns which pages
 * exist.  `smgr`, `pool` and `wal` are borrowed and must outlive the clog.
 * Returns NULL with the error recorded. */
SdbClog *sdb_clog_open(SdbSmgr *smgr, SdbBufPool *pool, struct SdbWal *wal, SdbXid next_xid);

/* Free the handle (no I/O: dirty clog pages stay in the buffer pool).  NULL
 * is ignored. */
void sdb_clog_close(SdbClog *clog);

/* Make sure the page holding `xid` exists, creating (zeroing, initialising
 * and WAL-logging) every missing page up to it.  Called before `xid` is
 * handed out, so a commit or abort of `xid` always finds its page; calls
 * must be serialised (xact.c makes them under its xid lock).  A page at or
 * after the page of the clog's starting next_xid may be re-initialised:
 * it can hold no status, as no record of those xids reached the WAL.
 * Cheap when the page exists.  Errors: WAL insert or file extension failed
 * (e.g. 53100 disk full); the page is then still missing. */
int sdb_clog_extend(SdbClog *clog, SdbXid xid);

/* Read `xid`'s entry: *status and, when committed, *commit_ts (else 0;
 * `commit_ts` may be NULL), and *page_lsn (may be NULL): the LSN of its
 * page, which is at or after the end of the record that set the entry.
 * The page must exist (sdb_clog_extend ran for xid).  Errors: reading the
 * page failed (I/O, XX001 corrupt page naming file and block). */
int sdb_clog_get(SdbClog *clog, SdbXid xid, SdbXactStatus *status, SdbTimestamp *commit_ts, SdbLsn *page_lsn);

/* Change the entries of `xids` (ascending; a top transaction and its
 * subtransactions) to `status` (COMMITTED with `commit_ts` >= 0, or
 * ABORTED) and describe the change with one WAL record of rmgr `rmgr`,
 * kind `info`, transaction xids[0], whose main data is `main` (`main_len`
 * bytes) and whose block references 0, 1, ... are the distinct clog pages
 * of the xids in order: under the pages' exclusive latches (taken in block
 * order) the entries are set, the record inserted (so full-page images
 * include the change), the page LSNs advanced to the record's end and the
 * pages marked dirty.  *end_lsn gets the record's end LSN (to flush).  Used
 * by xact.c for commit and abort records.  Errors: WAL insert or page read
 * failed, or the xids span more than SDB_WAL_MAX_BLOCKS pages (54000); the
 * entries are then unchanged. */
int sdb_clog_log_statuses(SdbClog *clog, const SdbXid *xids, int nxids, SdbXactStatus status,
                          SdbTimestamp commit_ts, uint8_t rmgr, uint8_t info, const void *main, uint32_t main_len,
                          SdbLsn *end_lsn);

/* sdb_clog_log_statuses for one xid. */
int sdb_clog_log_status(SdbClog *clog, SdbXid xid, SdbXactStatus status, SdbTimestamp commit_ts,
                        uint8_t rmgr, uint8_t info, const void *main, uint32_t main_len,
                        SdbLsn *end_lsn);

/* Redo helper for records written by sdb_clog_log_statuses: set the
 * entries of `xids` (ascending, as logged) on the pages of block references
 * 0, 1, ... of `rec` unless a page already has the change (idempotent; a
 * restored full-page image already holds it).  SDB_ERR_DATA_CORRUPTED when
 * the block references are not the xids' clog pages. */
int sdb_clog_redo_statuses(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec, const SdbXid *xids,
                           int nxids, SdbXactStatus status, SdbTimestamp commit_ts);

/* rmgr CLOG (rmgr.c): redo of ZEROPAGE initialises the page; describe
 * prints "zeropage" (the block reference names the page). */
int sdb_clog_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec);
void sdb_clog_describe(const struct SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_TXN_CLOG_H */
