/*
 * access/vacuum.h: VACUUM of one table (vacuum.c): remove the row versions
 * dead to every transaction, their index entries and out-of-line values,
 * so inserts reuse the space (README "Vacuum").
 */
#ifndef SDB_ACCESS_VACUUM_H
#define SDB_ACCESS_VACUUM_H

#include "access/table.h"

/* What one VACUUM of a table did (VACUUM VERBOSE reports it). */
typedef struct SdbVacuumInfo {
    uint32_t pages;          /* heap pages scanned (relpages) */
    uint64_t removed;        /* dead versions removed */
    uint64_t live;           /* live versions left (reltuples) */
    uint64_t dead_left;      /* dead but still needed by a snapshot */
    uint64_t index_removed;  /* index entries removed (all indexes) */
    uint64_t slots_freed;    /* line pointers made reusable */
    uint64_t toast_removed;  /* out-of-line chunks removed */
    SdbXid horizon;          /* versions deleted by committed xids below it were removed */
} SdbVacuumInfo;

/* Vacuum `rel` (a table): versions inserted by aborted transactions or
 * deleted by committed ones older than the horizon (sdb_txn_vacuum_horizon)
 * are pruned from their pages (slots kept DEAD while index entries point at
 * them), their index entries removed by a scan of each index, and the slots
 * freed once no snapshot older than the index cleanup is left (else the
 * next VACUUM frees them); then the same for its toast relation, and
 * pg_class relpages / reltuples are set as a catalog change of ac->txn
 * (when `update_stats`).  Only page latches are taken: readers and writers
 * go on meanwhile.  ac->txn's own snapshot does not hold the horizon back. */
int sdb_table_vacuum(SdbAccessContext *ac, const SdbRelation *rel, bool update_stats, SdbVacuumInfo *info);

#endif /* SDB_ACCESS_VACUUM_H */
