/*
 * session/vacuum_stmt.c: the VACUUM part of VACUUM [FULL] [VERBOSE]
 * [ANALYZE] [table, ...] / VACUUM (option, ...): which tables (every user
 * table of the database without a list), PostgreSQL's warnings, then
 * sdb_table_vacuum (runtime/access/vacuum.c) per table.  FULL is 0A000.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "access/pgstat.h"
#include "access/vacuum.h"
#include "common/clock.h"
#include "common/error.h"
#include "session/session_int.h"

static int vacuum_relation(SdbStatement *st, const SdbRelation *rel, bool verbose)
{
    SdbSession *s = st->s;
    char message[512];
    if (rel->kind != 'r' || rel->system) {
        snprintf(message, sizeof message,
                 "skipping \"%s\" --- cannot vacuum non-tables or special system tables", rel->name);
        sdb_session_notice(st->sink, "01000", message);
        return SDB_OK;
    }
    SdbAccessContext ac = s->access;
    ac.arena = st->expr.arena;
    ac.priv = NULL;
    ac.timezone = s->timezone;
    SdbVacuumInfo info;
    if (sdb_table_vacuum(&ac, rel, true, &info) != SDB_OK)
        return SDB_ERROR;
    sdb_pgstat_vacuumed(rel->file, false, sdb_clock_now(), info.live, info.dead_left);
    if (verbose) {
        snprintf(message, sizeof message,
                 "finished vacuuming \"%s\": index scans: %d\n"
                 "pages: 0 removed, %" PRIu32 " remain\n"
                 "tuples: %" PRIu64 " removed, %" PRIu64 " remain, %" PRIu64 " are dead but not yet removable\n"
                 "removable cutoff: %" PRIu64 "\n"
                 "index entries removed: %" PRIu64 ", item identifiers freed: %" PRIu64
                 ", toast chunks removed: %" PRIu64,
                 rel->name, info.slots_freed > 0 || info.index_removed > 0 ? 1 : 0, info.pages, info.removed,
                 info.live, info.dead_left, (uint64_t)info.horizon, info.index_removed, info.slots_freed,
                 info.toast_removed);
        sdb_session_notice(st->sink, "00000", message);
    }
    return SDB_OK;
}

int sdb_vacuum_tables(SdbStatement *st, const SdbVacuumStmt *vs, bool full, bool verbose)
{
    SdbSession *s = st->s;
    if (full)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "VACUUM FULL");
    int n = sdb_list_length(vs->rels);
    const SdbRelation **rels = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *rels);
    if (rels == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (sdb_utility_relation(st, ((const SdbVacuumRelation *)sdb_list_nth(vs->rels, i))->relation,
                                 &rels[i]) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (vacuum_relation(st, rels[i], verbose) != SDB_OK)
            return SDB_ERROR;
    if (n > 0)
        return SDB_OK;
    SdbOid *oids;
    int ntables;
    if (sdb_catalog_tables(s->catalog, &s->txn, st->expr.arena, &oids, &ntables) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ntables; i++) {
        const SdbRelation *rel;
        if (sdb_catalog_relation(s->catalog, &s->txn, oids[i], &rel) != SDB_OK ||
            (rel != NULL && vacuum_relation(st, rel, verbose) != SDB_OK))
            return SDB_ERROR;
    }
    return SDB_OK;
}
