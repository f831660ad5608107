/*
 * session/autovacuum.c: the autovacuum thread of an instance (PostgreSQL's
 * autovacuum launcher and worker in one): every autovacuum_naptime seconds,
 * while autovacuum is on, each user table of each open database whose
 * dead-version count (access/pgstat.h) exceeds autovacuum_vacuum_threshold
 * + 0.2 (PostgreSQL's autovacuum_vacuum_scale_factor default) x its live
 * count is vacuumed (sdb_table_vacuum, without the pg_class update, in a
 * read-only transaction of its own).  Stopped first at instance close; a
 * stop interrupts the run between tables.
 */
#include <stdatomic.h>
#include <string.h>

#include "access/pgstat.h"
#include "access/vacuum.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "session/session_int.h"
#include "storage/periodic.h"

#define VACUUM_SCALE_FACTOR 0.2

struct SdbAutovacuum {
    SdbPeriodic periodic;
    SdbInstance *db;
    atomic_bool stopping;
};

static bool needs_vacuum(const SdbRelation *rel, int64_t threshold)
{
    SdbTableStats st = sdb_pgstat_get(rel->file);
    double live = st.n_live_tup > 0 ? (double)st.n_live_tup : rel->analyzed ? rel->reltuples : 0;
    return (double)st.n_dead_tup > (double)threshold + VACUUM_SCALE_FACTOR * live;
}

/* One pass over the user tables of `cat`. */
static int vacuum_database(SdbAutovacuum *av, SdbCatalog *cat, int64_t threshold)
{
    SdbInstance *db = av->db;
    SdbArena *arena = sdb_arena_create(NULL, "autovacuum", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbTxn txn;
    memset(&txn, 0, sizeof txn);
    txn.xm = db->xm;
    txn.start = sdb_clock_now();
    txn.read_only = true;
    SdbAccessContext ac = {.engine = db->engine, .catalog = cat, .txn = &txn, .arena = arena};
    SdbOid *oids;
    int n = 0;
    int rc = sdb_txn_take_snapshot(&txn, arena) == SDB_OK && sdb_catalog_tables(cat, &txn, arena, &oids, &n) == SDB_OK
                 ? SDB_OK
                 : SDB_ERROR;
    for (int i = 0; i < n && rc == SDB_OK && !atomic_load(&av->stopping); i++) {
        const SdbRelation *rel;
        rc = sdb_catalog_relation(cat, &txn, oids[i], &rel);
        if (rc != SDB_OK || rel == NULL || rel->kind != 'r' || rel->system || !needs_vacuum(rel, threshold))
            continue;
        SdbVacuumInfo info;
        rc = sdb_table_vacuum(&ac, rel, false, &info);
        if (rc == SDB_OK)
            sdb_pgstat_vacuumed(rel->file, true, sdb_clock_now(), info.live, info.dead_left);
    }
    sdb_catalog_end_txn(cat, &txn, false);
    sdb_txn_release(&txn);
    sdb_arena_destroy(arena);
    return rc;
}

static void tick(void *arg)
{
    SdbAutovacuum *av = arg;
    SdbInstance *db = av->db;
    pthread_mutex_lock(&db->settings_lock);
    bool on = db->settings.autovacuum;
    int64_t threshold = db->settings.autovacuum_vacuum_threshold;
    pthread_mutex_unlock(&db->settings_lock);
    if (!on)
        return;
    for (int i = 0; !atomic_load(&av->stopping); i++) {
        pthread_mutex_lock(&db->lock);
        SdbCatalog *cat = i < db->ndatabases ? db->databases[i].catalog : NULL;
        pthread_mutex_unlock(&db->lock);
        if (cat == NULL)
            break;
        if (vacuum_database(av, cat, threshold) != SDB_OK)
            sdb_log_error("autovacuum");
    }
}

int sdb_autovacuum_start(SdbInstance *db)
{
    SdbAutovacuum *av = sdb_malloc(sizeof *av);
    if (av == NULL)
        return SDB_ERROR;
    memset(av, 0, sizeof *av);
    av->db = db;
    atomic_init(&av->stopping, false);
    sdb_periodic_init(&av->periodic);
    uint32_t period_ms = (uint32_t)db->settings.autovacuum_naptime * 1000u;
    if (sdb_periodic_start(&av->periodic, "autovacuum launcher", period_ms, tick, av) != SDB_OK) {
        sdb_periodic_destroy(&av->periodic);
        sdb_free(av);
        return SDB_ERROR;
    }
    db->autovacuum = av;
    return SDB_OK;
}

void sdb_autovacuum_stop(SdbInstance *db)
{
    SdbAutovacuum *av = db->autovacuum;
    if (av == NULL)
        return;
    atomic_store(&av->stopping, true);
    sdb_periodic_destroy(&av->periodic);
    sdb_free(av);
    db->autovacuum = NULL;
}
