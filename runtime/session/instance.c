/*
 * session/instance.c: an open data directory: the storage engine, the
 * transaction manager, the server's settings, and the catalog of every
 * database some session has opened (opened on first use, kept until the
 * instance closes).  databases[] is guarded by the instance lock; the rest
 * is set at open and read-only afterwards.
 *
 * One process at a time: the instance holds an flock on the data directory
 * (released by the kernel when the process dies, so a kill -9 leaves
 * nothing to clean up); a second opener gets F0001.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "access/table.h"
#include "sdb_catalog.h"
#include "common/clock.h"
#include "common/error.h"
#include "session/session_int.h"
#include "txn/xact.h"

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return sdb_error_errno(errno, "could not create directory \"%s\"", path);
    return SDB_OK;
}

static int add_database(SdbInstance *db, SdbOid oid, SdbCatalog *cat)
{
    if (db->ndatabases == db->databases_cap) {
        int cap = db->databases_cap ? db->databases_cap * 2 : 4;
        SdbDatabase *grown = sdb_realloc(db->databases, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        db->databases = grown;
        db->databases_cap = cap;
    }
    db->databases[db->ndatabases].oid = oid;
    db->databases[db->ndatabases].catalog = cat;
    db->ndatabases++;
    return SDB_OK;
}

/* Hold an flock on the data directory itself (no file is created in it,
 * so an empty directory still looks empty to the engine). */
static int lock_datadir(SdbInstance *db, const char *datadir)
{
    int fd = open(datadir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sdb_error_errno(errno, "could not open directory \"%s\"", datadir);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        close(fd);
        if (saved != EWOULDBLOCK)
            return sdb_error_errno(saved, "could not lock data directory \"%s\"", datadir);
        sdb_error(SDB_ERR_LOCK_FILE_EXISTS, "data directory \"%s\" is in use by another specdb process", datadir);
        sdb_error_hint("Stop the other specdb (a server or a specdb sql) first.");
        return SDB_ERROR;
    }
    db->lock_fd = fd;
    return SDB_OK;
}

static void unlock_datadir(SdbInstance *db)
{
    if (db->lock_fd >= 0)
        close(db->lock_fd);
}

SdbInstance *sdb_instance_open(const char *datadir, const SdbSettings *settings)
{
    if (make_dir(datadir) != SDB_OK)
        return NULL;
    SdbInstance *db = sdb_malloc(sizeof *db);
    if (db == NULL)
        return NULL;
    memset(db, 0, sizeof *db);
    db->lock_fd = -1;
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->settings_lock, NULL);
    atomic_init(&db->settings_generation, 0);
    if (lock_datadir(db, datadir) != SDB_OK) {
        unlock_datadir(db);
        pthread_mutex_destroy(&db->lock);
        pthread_mutex_destroy(&db->settings_lock);
        sdb_free(db);
        return NULL;
    }
    if (sdb_settings_copy(&db->settings, settings) != SDB_OK) {
        unlock_datadir(db);
        pthread_mutex_destroy(&db->lock);
        pthread_mutex_destroy(&db->settings_lock);
        sdb_free(db);
        return NULL;
    }
    size_t n = strlen(datadir) + sizeof "/pgsql_tmp";
    db->temp_dir = sdb_malloc(n);
    if (db->temp_dir == NULL)
        goto fail;
    snprintf(db->temp_dir, n, "%s/pgsql_tmp", datadir);
    db->engine = sdb_engine_open(datadir, settings);
    if (db->engine == NULL || make_dir(db->temp_dir) != SDB_OK)
        goto fail;
    db->xm = sdb_xact_open(db->engine);
    if (db->xm == NULL)
        goto fail;
    SdbCatalog *cat = sdb_catalog_open(db->engine, db->xm, SDB_DATABASE_POSTGRES);
    if (cat == NULL)
        goto fail;
    if (add_database(db, SDB_DATABASE_POSTGRES, cat) != SDB_OK) {
        sdb_catalog_close(cat);
        goto fail;
    }
    db->postgres = cat;
    return db;
fail:
    sdb_instance_close(db);
    return NULL;
}

void sdb_instance_set_cancel_backend(SdbInstance *db, SdbCancelBackendFn fn, void *arg)
{
    db->cancel_backend = fn;
    db->cancel_backend_arg = arg;
}

int sdb_instance_close(SdbInstance *db)
{
    if (db == NULL)
        return SDB_OK;
    int rc = SDB_OK;
    for (int i = 0; i < db->ndatabases; i++)
        if (sdb_catalog_close(db->databases[i].catalog) != SDB_OK)
            rc = SDB_ERROR;
    sdb_free(db->databases);
    if (db->xm && sdb_xact_close(db->xm) != SDB_OK)
        rc = SDB_ERROR;
    if (db->engine && sdb_engine_close(db->engine) != SDB_OK)
        rc = SDB_ERROR;
    sdb_free(db->temp_dir);
    sdb_settings_free(&db->settings);
    unlock_datadir(db);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->settings_lock);
    sdb_free(db);
    return rc;
}

/* The OID of database `dbname` from pg_database (read in `txn` through the
 * postgres database's catalog); 0 when there is none.  55000 for one that
 * takes no connections (datallowconn false: template0). */
static int find_database_oid(SdbInstance *db, SdbCatalog *cat, SdbTxn *txn, SdbArena *arena, const char *dbname,
                             SdbOid *oid)
{
    const SdbRelation *rel;
    *oid = 0;
    if (sdb_catalog_lookup(cat, txn, "pg_catalog", "pg_database", NULL, 0, &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"pg_database\" does not exist");
    int cols[3] = {SDB_ANUM_PG_DATABASE_OID - 1, SDB_ANUM_PG_DATABASE_DATNAME - 1,
                   SDB_ANUM_PG_DATABASE_DATALLOWCONN - 1};
    SdbAccessContext ac = {.engine = db->engine, .catalog = cat, .txn = txn, .arena = arena};
    SdbTableScan *scan = sdb_table_scan_begin(&ac, rel, cols, 3);
    if (scan == NULL)
        return SDB_ERROR;
    SdbVector vecs[3];
    SdbBatch batch = {.ncols = 3, .cols = vecs};
    bool allowconn = true;
    for (int c = 0; c < 3; c++) {
        vecs[c].values = sdb_arena_calloc(arena, SDB_BATCH_SIZE, sizeof(SdbDatum));
        vecs[c].nulls = sdb_arena_calloc(arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
        if (vecs[c].values == NULL || vecs[c].nulls == NULL) {
            sdb_table_scan_end(scan);
            return SDB_ERROR;
        }
    }
    int rc;
    while ((rc = sdb_table_scan_next(scan, &batch)) == SDB_OK && batch.nrows > 0 && *oid == 0) {
        for (int r = 0; r < batch.nrows; r++) {
            const SdbVarlena *name = sdb_datum_varlena(vecs[1].values[r]);
            if (name->len == strlen(dbname) && memcmp(name->data, dbname, name->len) == 0) {
                *oid = (SdbOid)vecs[0].values[r];
                allowconn = vecs[2].values[r] != 0;
            }
        }
    }
    sdb_table_scan_end(scan);
    if (rc == SDB_OK && *oid != 0 && !allowconn)
        return sdb_error(SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "database \"%s\" is not currently accepting connections", dbname);
    return rc;
}

/* The catalog of database `dbname`, opened on first use (3D000 when there
 * is no such database).  `txn` is a transaction of the caller's. */
int sdb_instance_database(SdbInstance *db, SdbTxn *txn, const char *dbname, SdbDatabase *out)
{
    SdbCatalog *postgres = db->postgres;
    SdbOid oid = SDB_DATABASE_POSTGRES;
    if (strcmp(dbname, "postgres") != 0) {
        SdbArena *arena = sdb_arena_create(NULL, "database lookup", 0);
        if (arena == NULL)
            return SDB_ERROR;
        int rc = sdb_txn_take_snapshot(txn, arena) == SDB_OK
                     ? find_database_oid(db, postgres, txn, arena, dbname, &oid)
                     : SDB_ERROR;
        sdb_arena_destroy(arena);
        if (rc != SDB_OK)
            return SDB_ERROR;
        if (oid == 0)
            return sdb_error(SDB_ERR_INVALID_CATALOG_NAME, "database \"%s\" does not exist", dbname);
    }
    pthread_mutex_lock(&db->lock);
    int rc = SDB_OK;
    for (int i = 0; i < db->ndatabases; i++)
        if (db->databases[i].oid == oid) {
            *out = db->databases[i];
            pthread_mutex_unlock(&db->lock);
            return SDB_OK;
        }
    SdbCatalog *cat = sdb_catalog_open(db->engine, db->xm, oid);
    if (cat == NULL || add_database(db, oid, cat) != SDB_OK) {
        if (cat)
            sdb_catalog_close(cat);
        rc = SDB_ERROR;
    } else {
        out->oid = oid;
        out->catalog = cat;
    }
    pthread_mutex_unlock(&db->lock);
    return rc;
}

static bool changes_at_run_time(int id)
{
    SdbSettingContext context = sdb_setting_defs[id].context;
    return context == SDB_CONTEXT_RELOAD || context == SDB_CONTEXT_SESSION;
}

int sdb_instance_reload(SdbInstance *db, const SdbSettings *fresh)
{
    int rc = SDB_OK;
    pthread_mutex_lock(&db->settings_lock);
    for (int id = 0; rc == SDB_OK && id < SDB_SETTING_COUNT; id++)
        if (changes_at_run_time(id))
            rc = sdb_settings_copy_one(&db->settings, fresh, id);
    atomic_fetch_add(&db->settings_generation, 1);
    pthread_mutex_unlock(&db->settings_lock);
    return rc;
}

int sdb_instance_settings_copy(SdbInstance *db, SdbSettings *dst, unsigned *generation)
{
    pthread_mutex_lock(&db->settings_lock);
    *generation = atomic_load(&db->settings_generation);
    int rc = sdb_settings_copy(dst, &db->settings);
    pthread_mutex_unlock(&db->settings_lock);
    return rc;
}

void sdb_instance_setting_show(SdbInstance *db, int id, char *buf, size_t size)
{
    pthread_mutex_lock(&db->settings_lock);
    sdb_settings_show(&db->settings, id, buf, size);
    pthread_mutex_unlock(&db->settings_lock);
}

/* Copy setting `id` from the instance; a reported one that changed is to
 * be sent to the client. */
static int pick_up_one(SdbSession *s, int id)
{
    char before[1024], after[1024];
    sdb_settings_show(&s->settings, id, before, sizeof before);
    if (sdb_settings_copy_one(&s->settings, &s->db->settings, id) != SDB_OK)
        return SDB_ERROR;
    sdb_settings_show(&s->settings, id, after, sizeof after);
    if (sdb_setting_defs[id].report && strcmp(before, after) != 0)
        s->reload_unreported[id] = true;
    return SDB_OK;
}

int sdb_session_pick_up_reload(SdbSession *s, const SdbResultSink *sink)
{
    int rc = SDB_OK;
    if (atomic_load(&s->db->settings_generation) != s->settings_generation) {
        pthread_mutex_lock(&s->db->settings_lock);
        for (int id = 0; rc == SDB_OK && id < SDB_SETTING_COUNT; id++)
            if (changes_at_run_time(id) && s->settings.source[id] != SDB_SOURCE_SESSION)
                rc = pick_up_one(s, id);
        s->settings_generation = atomic_load(&s->db->settings_generation);
        pthread_mutex_unlock(&s->db->settings_lock);
    }
    if (sink == NULL || sink->parameter_status == NULL)
        return rc;
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        if (!s->reload_unreported[id])
            continue;
        char value[1024];
        sdb_settings_show(&s->settings, id, value, sizeof value);
        sink->parameter_status(sink->arg, sdb_setting_defs[id].name, value);
        s->reload_unreported[id] = false;
    }
    return rc;
}

/* --- roles ------------------------------------------------------------------------ */

/* Run `fn` in a read-only transaction of its own on the postgres catalog
 * (pg_authid and pg_auth_members are shared). */
static int with_catalog_txn(SdbInstance *db, SdbArena *arena, int (*fn)(SdbCatalog *, SdbTxn *, void *), void *arg)
{
    SdbTxn txn;
    memset(&txn, 0, sizeof txn);
    txn.xm = db->xm;
    txn.xid = SDB_INVALID_XID;
    txn.start = sdb_clock_now();
    txn.read_only = true;
    int rc = sdb_txn_take_snapshot(&txn, arena) == SDB_OK ? fn(db->postgres, &txn, arg) : SDB_ERROR;
    sdb_catalog_end_txn(db->postgres, &txn, false);
    sdb_txn_release(&txn);
    return rc;
}

typedef struct RoleLookup {
    const char *name, *group;
    SdbArena *arena;
    SdbRole *role;
    bool *found;
} RoleLookup;

static int lookup_role(SdbCatalog *cat, SdbTxn *txn, void *arg)
{
    RoleLookup *l = arg;
    return sdb_catalog_role(cat, txn, l->name, l->arena, l->role, l->found);
}

static int lookup_member(SdbCatalog *cat, SdbTxn *txn, void *arg)
{
    RoleLookup *l = arg;
    return sdb_catalog_role_member(cat, txn, l->name, l->group, l->arena, l->found);
}

int sdb_instance_role(SdbInstance *db, const char *name, SdbArena *arena, SdbRole *out, bool *found)
{
    RoleLookup l = {.name = name, .arena = arena, .role = out, .found = found};
    return with_catalog_txn(db, arena, lookup_role, &l);
}

int sdb_instance_role_member(SdbInstance *db, const char *role, const char *group, bool *member)
{
    SdbArena *arena = sdb_arena_create(NULL, "role membership", 0);
    if (arena == NULL)
        return SDB_ERROR;
    RoleLookup l = {.name = role, .group = group, .arena = arena, .found = member};
    int rc = with_catalog_txn(db, arena, lookup_member, &l);
    sdb_arena_destroy(arena);
    return rc;
}
