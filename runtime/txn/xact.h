/*
 * txn/xact.h: transaction ids, commit and abort.
 *
 * Owns the xid counter, the table of transactions running in this process,
 * the XACT WAL records (commit, abort) and their redo, and the status
 * lookup every visibility check uses.
 *
 * Transaction ids are 64-bit (storage/types.h), never reused, and handed
 * out by an atomic counter (incremented under the running-table lock so that
 * handing out and registering an xid are one step; read without a lock).
 * The next xid is saved in every checkpoint record and the control file
 * (through the engine's checkpoint hook), and recovery raises it past the
 * xid of every WAL record it replays, so an xid that reached the WAL before
 * a crash is never handed out again.  An xid that never reached the WAL may
 * be handed out again after a crash: nothing on disk mentions it (pages
 * reach disk only after their WAL records).  There is no wraparound
 * handling and no freezing: at a million transactions a second, 64 bits
 * last 584,000 years.
 *
 * Commit (sdb_xact_commit):
 *   1. take the commit timestamp (unique and increasing within a process);
 *   2. set the clog entry COMMITTED and insert the commit record (rmgr
 *      XACT, SDB_XACT_WAL_COMMIT, main data SdbXactRecord, block reference 0
 *      = the clog page) under the clog page latch (clog.h: the standard WAL
 *      protocol, page LSN = record end, so checkpoints and torn pages need
 *      nothing special);
 *   3. synchronous commit: sdb_wal_flush(record end), where concurrent
 *      committers share one fsync (group commit).  synchronous_commit=off
 *      skips this step;
 *   4. only now drop the xid from the running table, which makes the
 *      commit visible: sdb_xact_status reports a running xid IN_PROGRESS
 *      whatever the clog page says.  So nobody sees a synchronous commit
 *      before it is durable (an asynchronous one is visible at once, but
 *      not "hintable" until flushed).
 * The caller acknowledges the commit to its client only after success.
 *
 * Abort (sdb_xact_abort) inserts an abort record and sets ABORTED the same
 * way, without flushing (a lost abort record means the same as an abort).
 *
 * After a crash, an xid that has neither record stays "in progress" in the
 * clog forever; sdb_xact_status reports every xid below the next xid at
 * open time that the clog calls in progress as ABORTED (it was running at
 * the crash), so recovery has nothing to rewrite.
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef SDB_TXN_XACT_H
#define SDB_TXN_XACT_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/types.h"
#include "txn/clog.h"

struct SdbArena;
struct SdbEngine;
struct SdbRedoContext;
struct SdbWalRecord;

/* Record kinds of rmgr XACT (the record's `info`). */
#define SDB_XACT_WAL_COMMIT 0x00
#define SDB_XACT_WAL_ABORT 0x10

/* Main data of a commit or abort record (host byte order), followed by
 * `subxact_count` u64 subtransaction xids (ascending, all above `xid`)
 * sharing the outcome.  The record header's xid is `xid`; block references
 * 0, 1, ... are the distinct clog pages of xid and the subtransaction xids
 * in order.  An abort record of ROLLBACK TO SAVEPOINT has the first aborted
 * subtransaction as `xid` and the rest as the list. */
typedef struct SdbXactRecord {
    uint64_t xid;
    int64_t commit_ts; /* SdbTimestamp; 0 in an abort record */
    uint32_t subxact_count;
    uint32_t reserved; /* 0 */
} SdbXactRecord;

typedef struct SdbXactManager SdbXactManager;

/* Start the transaction layer on an open engine (after its recovery): the
 * xid counter starts at the engine's control data next_xid, the clog is
 * opened, and a checkpoint hook is installed on the engine that saves the
 * next xid in every checkpoint (sdb_engine_set_checkpoint_hook: the
 * engine's only hook).  The engine is borrowed and must outlive the
 * manager.  Returns NULL with the error recorded. */
SdbXactManager *sdb_xact_open(struct SdbEngine *engine);

/* Stop the transaction layer before the engine closes: no transaction may
 * be running (in-doubt ones are forgotten: the next open's recovery settles
 * them).  The engine's checkpoint hook is replaced by one that still saves
 * the final next xid (so the shutdown checkpoint does), then a checkpoint
 * is taken, which also guarantees that no checkpoint still runs the old
 * hook, and the manager is freed.  Returns that checkpoint's result; the
 * manager is freed either way (a failed checkpoint leaves the last good one
 * in place: recovery raises the next xid past every xid it replays).  NULL
 * is ignored. */
int sdb_xact_close(SdbXactManager *xm);

/* The next xid to hand out. */
SdbXid sdb_xact_next_xid(SdbXactManager *xm);

/* Start a transaction: hand out a new xid (making sure its clog page
 * exists) and register it as running.  Errors: the clog page could not be
 * created (WAL failed, disk full 53100); no xid is then registered. */
int sdb_xact_begin(SdbXactManager *xm, SdbXid *xid);

/* Start a subtransaction of running transaction `top`: a new xid
 * (after every xid handed out before, so after top's) registered as running
 * with `top` as its top transaction (sdb_xact_top_of).  It stays running,
 * seen by everybody as in progress, until it is aborted
 * (sdb_xact_abort_tree) or its top commits or aborts with it in the list.
 * `top` SDB_INVALID_XID is sdb_xact_begin. */
int sdb_xact_begin_sub(SdbXactManager *xm, SdbXid top, SdbXid *xid);

/* The top transaction of running xid (a subtransaction's parent), or xid
 * itself when it is a top transaction or no longer running. */
SdbXid sdb_xact_top_of(SdbXactManager *xm, SdbXid xid);

/* Commit running transaction `xid` as described above; *commit_ts (may be
 * NULL) gets its commit timestamp.  `synchronous` false is
 * synchronous_commit=off: return after the insert, the commit becomes
 * durable with a later flush (a crash may lose it).  On success the
 * transaction is committed and, if synchronous, durable.  On failure the
 * error is recorded with SQLSTATE from the WAL's error (53100 disk full,
 * 58030 I/O error ...) and the commit must not be acknowledged: if the
 * insert failed the transaction is aborted; if the flush failed the WAL is
 * failed (wal.h: no more writes until the engine is reopened), the record
 * may or may not be on disk, and the xid stays "in doubt": reported
 * IN_PROGRESS (invisible) until a restart, where recovery settles it. */
int sdb_xact_commit(SdbXactManager *xm, SdbXid xid, bool synchronous, SdbTimestamp *commit_ts);

/* sdb_xact_commit of `xid` together with its committed subtransactions
 * subxids[] (ascending): one commit record lists them, their clog entries
 * are set under it with the same commit timestamp, and they leave the
 * running table with xid (or stay with it in doubt). */
int sdb_xact_commit_tree(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids, bool synchronous,
                         SdbTimestamp *commit_ts);

/* Abort running transaction `xid`: abort record, clog ABORTED, xid no
 * longer running.  If the WAL insert fails the error is recorded and
 * SDB_ERROR returned, yet the transaction is aborted all the same (an xid
 * without commit record is reported ABORTED once it no longer runs). */
int sdb_xact_abort(SdbXactManager *xm, SdbXid xid);

/* sdb_xact_abort of `xid` and subxids[] (ascending, above xid) with one
 * abort record.  Also ROLLBACK TO SAVEPOINT's abort of subtransactions
 * (xid the first of them). */
int sdb_xact_abort_tree(SdbXactManager *xm, SdbXid xid, const SdbXid *subxids, int nsubxids);

/* The status of `xid` as other transactions must see it: IN_PROGRESS while
 * it runs (also while its commit is flushed, or is in doubt), COMMITTED
 * with *commit_ts (`commit_ts` may be NULL; it gets 0 unless committed), or
 * ABORTED (including xids that were running at a crash).  *hintable (may
 * be NULL) says whether the status is final and durable, so the heap may
 * cache it in a tuple's hint bits: always for ABORTED, for COMMITTED once
 * the commit record is flushed (an asynchronous commit may not be yet;
 * judged by the clog page's LSN, which is conservative).  The bootstrap xid
 * is always committed with commit_ts 0.  Errors: xid 0 or an xid not handed
 * out yet (SDB_ERR_DATA_CORRUPTED: only a damaged tuple has one), or the
 * clog page could not be read (I/O, XX001). */
int sdb_xact_status(SdbXactManager *xm, SdbXid xid, SdbXactStatus *status, SdbTimestamp *commit_ts,
                    bool *hintable);

/* The oldest xid still running in this process (running, committing or in
 * doubt), or the next xid when none is: every xid below it has finished.
 * Lock-free. */
SdbXid sdb_xact_oldest_running(SdbXactManager *xm);

/* Whether `xid` is in this process's running table right now (running,
 * committing, or in doubt). */
bool sdb_xact_is_running(SdbXactManager *xm, SdbXid xid);

/* The running table at one instant, for an MVCC snapshot: *xmax gets the
 * next xid, *xip an array (allocated in `arena`) of the *nxip xids in the
 * running table (running, committing or in doubt), ascending, and *xmin the
 * lowest of them, or *xmax when there is none.  53200 when the arena is
 * exhausted. */
int sdb_xact_running_xids(SdbXactManager *xm, struct SdbArena *arena, SdbXid *xmin, SdbXid *xmax, SdbXid **xip,
                          int *nxip);

/* rmgr XACT (rmgr.c): redo sets the clog entries of the record's xids
 * (idempotent); describe prints "commit xid 42 at 2026-11-24
 * 05:59:54.123456+00" or "abort xid 42". */
int sdb_xact_redo(struct SdbRedoContext *ctx, const struct SdbWalRecord *rec);
void sdb_xact_describe(const struct SdbWalRecord *rec, char *buf, size_t size);

#endif /* SDB_TXN_XACT_H */
