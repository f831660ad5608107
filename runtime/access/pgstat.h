/*
 * access/pgstat.h: per-table activity counters (PostgreSQL's
 * pg_stat_user_tables n_tup_ins / n_tup_upd / n_tup_del / n_dead_tup /
 * n_live_tup, vacuum counts), process-wide, kept in memory only (reset at
 * restart, as after a crash in PostgreSQL).  runtime/access counts row
 * changes at statement time (also of transactions that later abort);
 * vacuum resets n_dead_tup; autovacuum reads them to pick tables.
 */
#ifndef SDB_ACCESS_PGSTAT_H
#define SDB_ACCESS_PGSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/types.h"

typedef struct SdbTableStats {
    uint64_t n_tup_ins, n_tup_upd, n_tup_del;
    int64_t n_live_tup, n_dead_tup;
    uint64_t vacuum_count, autovacuum_count;
    int64_t last_vacuum, last_autovacuum; /* SdbTimestamp, 0: never */
} SdbTableStats;

/* Count row changes of table `file`. */
void sdb_pgstat_count(SdbRelFileId file, uint64_t inserted, uint64_t updated, uint64_t deleted);

/* A VACUUM of `file` finished at `when`: `live` live versions, `dead_left`
 * dead ones still needed by some snapshot. */
void sdb_pgstat_vacuumed(SdbRelFileId file, bool autovacuum, int64_t when, uint64_t live, uint64_t dead_left);

/* The counters of `file` (zero when never counted). */
SdbTableStats sdb_pgstat_get(SdbRelFileId file);

#endif /* SDB_ACCESS_PGSTAT_H */
