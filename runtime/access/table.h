/*
 * access/table.h: rows of tables as the executor sees them: scans that
 * return the versions visible to a transaction, decoded into batches;
 * index scans; and the row changes (insert, update, delete) with index
 * maintenance and the constraints that need no expression evaluation
 * (NOT NULL 23502, UNIQUE/PRIMARY KEY 23505, FOREIGN KEY 23503 with the
 * ON DELETE/UPDATE actions).  CHECK constraints are the executor's (bound
 * by the analyzer).  Also sequences and TRUNCATE.
 */
#ifndef SDB_ACCESS_TABLE_H
#define SDB_ACCESS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "exec/batch.h"
#include "types/datum.h"
#include "txn/lmgr.h"
#include "txn/txn.h"

struct SdbEngine;

/* Per-session sequence state for currval/lastval (zero-initialized by the
 * session, freed with sdb_sequence_session_free). */
typedef struct SdbSeqValue {
    SdbOid seq_oid;
    int64_t value;
} SdbSeqValue;
typedef struct SdbSequenceSession {
    SdbSeqValue *values; /* malloc'd */
    int nvalues, capacity;
    SdbOid last;         /* lastval's sequence, 0 before the first nextval */
} SdbSequenceSession;
void sdb_sequence_session_free(SdbSequenceSession *s);

/* The value of column `attno` (0-based) of `rel`'s DEFAULT (ON DELETE/UPDATE
 * SET DEFAULT): the session evaluates default_sql (or sets *isnull when the
 * column has none). */
typedef int (*SdbAccessDefaultFn)(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull);

/* A relation descriptor by OID (foreign keys' other tables, sequences). */
typedef int (*SdbAccessRelationFn)(void *arg, SdbOid oid, const SdbRelation **out);

typedef struct SdbAccessPrivate SdbAccessPrivate;

/* Zero-initialize, then set the fields; the optional ones may stay 0. */
typedef struct SdbAccessContext {
    struct SdbEngine *engine;
    SdbCatalog *catalog;
    SdbTxn *txn;
    SdbArena *arena;   /* statement lifetime: decoded values live here */
    /* Optional: */
    const SdbTimeZone *timezone;     /* values shown in error details; NULL: UTC */
    SdbAccessDefaultFn eval_default; /* needed by SET DEFAULT actions of columns with a DEFAULT */
    void *default_arg;
    SdbAccessRelationFn relation;    /* NULL: sdb_catalog_relation(catalog, txn, ...) */
    void *relation_arg;
    SdbSequenceSession *sequences;   /* currval/lastval state; NULL: currval always fails (55000) */
    bool statement_checks;           /* the caller calls sdb_access_statement_end after the statement's
                                        last change: foreign keys (new referencing keys, NO ACTION) are
                                        checked there, as PostgreSQL's RI triggers, not at each row */
    /* Private to runtime/access (scratch memory, lazily made in `arena`):
     * set it to NULL whenever `arena` is reset. */
    SdbAccessPrivate *priv;
} SdbAccessContext;

/* --- scans -------------------------------------------------------------- */

typedef struct SdbTableScan SdbTableScan;

/* A scan of `rel` decoding the attributes with 0-based indexes cols[0..ncols)
 * (-1: the ctid, as a tid datum) into batch columns 0..ncols-1. */
SdbTableScan *sdb_table_scan_begin(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, int ncols);

/* An index scan of `index` of `rel`: entries whose first neq key columns
 * equal eq[] (NULLs never match) and whose next column lies within
 * lower/upper (either may be absent: has_lower/has_upper false), in index
 * order (backward: reversed); rows decoded as for a table scan. */
typedef struct SdbIndexRange {
    int neq;
    const SdbDatum *eq;
    bool has_lower, lower_inclusive;
    SdbDatum lower;
    bool has_upper, upper_inclusive;
    SdbDatum upper;
    bool backward;
    bool empty; /* nothing can match (a bound compared with NULL): the scan returns no rows */
} SdbIndexRange;
SdbTableScan *sdb_index_scan_begin(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *index,
                                   const SdbIndexRange *range, const int *cols, int ncols);

/* Fill `out` (ncols columns allocated by the caller, SDB_BATCH_SIZE rows,
 * sel NULL) with the next visible rows; out->nrows = 0 at the end.  The
 * values live until the next call on the scan (or its end). */
int sdb_table_scan_next(SdbTableScan *scan, SdbBatch *out);
void sdb_table_scan_end(SdbTableScan *scan);

/* --- ANALYZE (analyze.c) ---------------------------------------------------- */

/* What one ANALYZE of a table saw (for ANALYZE VERBOSE). */
typedef struct SdbAnalyzeInfo {
    SdbBlockNo pages;   /* the table's pages (all were read) */
    double live_rows;   /* rows visible to the transaction: the new reltuples */
    int sample_rows;    /* rows in the sample (300 * target at most) */
    int ncolumns;       /* columns given statistics (none when the table is empty) */
} SdbAnalyzeInfo;

/* ANALYZE `rel`: sample 300 * target rows of those visible to ac->txn and
 * record relpages, reltuples and the statistics (up to `target` MCVs and
 * histogram bins; default_statistics_target) of the attributes with
 * 0-based indexes cols[0..ncols) (sdb_catalog_set_stats; a catalog change
 * of the transaction). */
int sdb_table_analyze(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, int ncols, int target,
                      SdbAnalyzeInfo *info);

/* --- changes (each checks and maintains indexes and foreign keys) ------- */

/* values/nulls hold rel->natts entries in attnum order. */
int sdb_table_insert(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                     SdbTid *tid);

/* Insert `nrows` rows (row r's values at values[r * rel->natts], nulls
 * likewise) with the outcome and errors of sdb_table_insert called row by
 * row (the first failing row's error; rows before it inserted), but the
 * heap part in page-sized batches (sdb_heap_insert_batch: one WAL record per
 * page): for COPY and INSERT ... SELECT.  tids (may be NULL) gets where each
 * row went. */
int sdb_table_insert_many(SdbAccessContext *ac, const SdbRelation *rel, int nrows, const SdbDatum *values,
                          const bool *nulls, SdbTid *tids);

/* INSERT ... ON CONFLICT: like sdb_table_insert, but when a unique index
 * (`arbiter`, or any when NULL) already holds a live row with the same key,
 * inserts nothing and sets *conflict and *existing (its tid). */
int sdb_table_insert_checked(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *arbiter,
                             const SdbDatum *values, const bool *nulls, SdbTid *tid, bool *conflict,
                             SdbTid *existing);

/* Fetch the values of the row version at `tid` (all attributes, into
 * ac->arena); *found when the version is visible to the snapshot or is a
 * live one (committed, not deleted: what ON CONFLICT found). */
int sdb_table_fetch(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, SdbDatum *values, bool *nulls,
                    bool *found);

/* Update / delete the row version at `tid` (one the transaction sees).  A
 * version this transaction already updated or deleted (in this command or a
 * foreign key action of it) is left alone: update sets new_tid->block to
 * SDB_INVALID_BLOCK, delete does nothing; so is one deleted by a transaction
 * that committed after the snapshot, under READ COMMITTED (else 40001).
 * One updated so: 40001.  Changes in progress by others are waited for
 * (40P01 on a deadlock). */
int sdb_table_update(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbDatum *values,
                     const bool *nulls, SdbTid *new_tid);
int sdb_table_delete(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid);

/* READ COMMITTED re-check (PostgreSQL's EvalPlanQual): as above, but when a
 * transaction that committed after the snapshot updated the row, nothing
 * is done and *newer gets the tid of the new version (else *newer has
 * block SDB_INVALID_BLOCK): the caller fetches it (sdb_table_fetch),
 * re-checks the statement's WHERE on it, recomputes the new values, and
 * calls again with that tid.  Under REPEATABLE READ still 40001.
 * *deleted says whether the delete happened. */
int sdb_table_update_rc(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbDatum *values,
                        const bool *nulls, SdbTid *new_tid, SdbTid *newer);
int sdb_table_delete_rc(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, bool *deleted, SdbTid *newer);

/* SELECT ... FOR KEY SHARE / SHARE / NO KEY UPDATE / UPDATE (mode:
 * txn/lmgr.h's SDB_ROWLOCK_*): lock the row version at `tid` until the
 * (sub)transaction ends (rowlock.c: in the lock manager, any number of
 * compatible lockers), waiting for conflicting lockers and for a writer
 * in progress (lock_timeout, 40P01 after deadlock_timeout).  NOWAIT: 55P03
 * `could not obtain lock on row in relation "t"` instead of waiting; SKIP
 * LOCKED: *locked false.  *locked false also when this transaction
 * already deleted or updated it, or (READ COMMITTED) a transaction that
 * committed after the snapshot deleted it: skip the row.  Updated so, or
 * deleted under REPEATABLE READ: 40001, unless `newer` (may be NULL) is
 * given: then, under READ COMMITTED, as sdb_table_update_rc. */
int sdb_table_lock_row(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, SdbLockWaitPolicy policy,
                       bool *locked, SdbTid *newer);

/* Table lock `mode` (txn/lmgr.h's SDB_LOCK_*) on `rel` until the
 * transaction ends (rowlock.c); NOWAIT: 55P03 `could not obtain lock on
 * relation "t"` when another transaction holds a conflicting mode.
 * `implicit` (a statement's own lock): sdb_lock_implicit, no xid needed. */
int sdb_table_lock_relation(SdbAccessContext *ac, const SdbRelation *rel, int mode, bool nowait, bool implicit);

/* sdb_table_lock_row in mode FOR UPDATE, waiting. */
int sdb_table_lock(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, bool *locked, SdbTid *newer);

/* TRUNCATE: 0A000 when another table references this one; else every
 * visible row is deleted (transactional; the space comes back only with a
 * catalog relfilenode swap, see README). */
int sdb_table_truncate(SdbAccessContext *ac, const SdbRelation *rel);

/* TRUNCATE of several tables at once: references among them are fine
 * (TRUNCATE p, c); one from a table outside the list is 0A000.  (CASCADE:
 * the caller adds the referencing tables, SdbRelation.referencing.) */
int sdb_tables_truncate(SdbAccessContext *ac, const SdbRelation *const *rels, int n);

/* The end of a statement's changes through `ac` (with statement_checks):
 * the deferred foreign key checks run, in the order of the changes: new
 * referencing keys must be present (23503 insert or update ...), keys that
 * went away under NO ACTION must not be referenced unless present again
 * (23503 update or delete ...). */
int sdb_access_statement_end(SdbAccessContext *ac);

/* --- stored rows --------------------------------------------------------- */

/* Decode attributes want[0..nwant) (0-based) of a stored row of `rel` as a
 * heap scan or fetch returns it: row.h's sdb_row_decode_desc, which
 * fetches the wanted out-of-line (TOAST) values from the heap their
 * pointer names.  Anything reading a table's heap directly decodes through
 * it (access's own scans and fetches use the same function with a
 * descriptor made once).  By-reference values are copied into `arena`
 * (NULL: they point into `payload`, except out-of-line values, which then
 * need an arena). */
int sdb_table_decode_tuple(struct SdbEngine *engine, const SdbRelation *rel, const void *payload, size_t len,
                           const int *want, int nwant, SdbArena *arena, SdbDatum *values, bool *nulls);

/* --- sequences ----------------------------------------------------------- */

/* A sequence's state is the one live row of its heap (catalog.h:
 * last_value, log_cnt, is_called).  nextval/setval replace it with a new
 * version written by the bootstrap xid (always committed), so they are not
 * undone by a rollback, as in PostgreSQL; the old versions are pruned.
 * Errors: 42809 not a sequence, 2200H limits, 22003 setval out of bounds. */
int sdb_sequence_nextval(SdbAccessContext *ac, SdbOid seq_oid, int64_t *value);
int sdb_sequence_currval(SdbAccessContext *ac, SdbOid seq_oid, int64_t *value); /* 55000 before nextval */
int sdb_sequence_lastval(SdbAccessContext *ac, int64_t *value);                 /* 55000 before nextval */
int sdb_sequence_setval(SdbAccessContext *ac, SdbOid seq_oid, int64_t value, bool is_called);

#endif /* SDB_ACCESS_TABLE_H */
