/*
 * catalog/catalog.c: opening and closing a database's catalog, the
 * descriptor cache, lookups by name and OID, OIDs, and the transactional
 * publication of catalog changes.
 *
 * Cache: committed descriptors by OID and by (schema, name).  One
 * transaction at a time may change catalogs (the change lock of the
 * engine's shared state, taken at its first DDL, held to its end); its
 * changed descriptors live in `pending` (re-read from the catalog rows it
 * sees after each change) and are seen only by it.  Commit moves them into
 * the cache, abort drops them.  Replaced descriptors stay allocated while
 * a transaction that may hold one runs (readers register at their first
 * lookup and leave at sdb_catalog_end_txn).
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "common/log.h"
#include "txn/xact.h"

/* --- state shared by an engine's catalogs ------------------------------- */

struct SdbCatShared {
    SdbEngine *engine;
    int refs;
    pthread_mutex_t lock;
    pthread_cond_t released;
    uint32_t next_oid; /* next OID to hand out */
    SdbXid changer;    /* transaction holding the change lock, or 0 */
    SdbCatShared *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static SdbCatShared *registry;

/* Checkpoints store the next OID (the control file's next_oid). */
static int oid_checkpoint_hook(void *arg, SdbCheckpointIds *ids)
{
    SdbCatShared *sh = arg;
    pthread_mutex_lock(&sh->lock);
    if (sh->next_oid > ids->next_oid)
        ids->next_oid = sh->next_oid;
    pthread_mutex_unlock(&sh->lock);
    return SDB_OK;
}

static SdbCatShared *shared_acquire(SdbEngine *engine)
{
    pthread_mutex_lock(&registry_lock);
    SdbCatShared *sh = registry;
    while (sh != NULL && sh->engine != engine)
        sh = sh->next;
    if (sh == NULL) {
        sh = sdb_malloc(sizeof *sh);
        if (sh != NULL) {
            memset(sh, 0, sizeof *sh);
            sh->engine = engine;
            pthread_mutex_init(&sh->lock, NULL);
            pthread_cond_init(&sh->released, NULL);
            SdbControlData control;
            sdb_engine_control(engine, &control);
            sh->next_oid = control.next_oid > SDB_FIRST_NORMAL_OID ? control.next_oid : SDB_FIRST_NORMAL_OID;
            if (sdb_engine_add_checkpoint_hook(engine, oid_checkpoint_hook, sh) != SDB_OK) {
                sdb_free(sh);
                sh = NULL;
            } else {
                sh->next = registry;
                registry = sh;
            }
        }
    }
    if (sh != NULL)
        sh->refs++;
    pthread_mutex_unlock(&registry_lock);
    return sh;
}

/* Drop a reference; the last one saves the next OID with a checkpoint. */
static int shared_release(SdbCatShared *sh)
{
    pthread_mutex_lock(&registry_lock);
    int rc = SDB_OK;
    if (--sh->refs == 0) {
        SdbCatShared **p = &registry;
        while (*p != sh)
            p = &(*p)->next;
        *p = sh->next;
        rc = sdb_engine_checkpoint(sh->engine);
        sdb_engine_remove_checkpoint_hook(sh->engine, oid_checkpoint_hook, sh);
        pthread_cond_destroy(&sh->released);
        pthread_mutex_destroy(&sh->lock);
        sdb_free(sh);
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

/* Raise the next OID past `oid`. */
static void note_oid(SdbCatShared *sh, SdbOid oid)
{
    pthread_mutex_lock(&sh->lock);
    if (oid >= sh->next_oid)
        sh->next_oid = oid + 1;
    pthread_mutex_unlock(&sh->lock);
}

int sdb_catalog_new_oid(SdbCatalog *cat, SdbOid *oid)
{
    SdbCatShared *sh = cat->shared;
    pthread_mutex_lock(&sh->lock);
    if (sh->next_oid < SDB_FIRST_NORMAL_OID) /* wrapped around */
        sh->next_oid = SDB_FIRST_NORMAL_OID;
    *oid = sh->next_oid++;
    pthread_mutex_unlock(&sh->lock);
    return SDB_OK;
}

/* --- the cache ---------------------------------------------------------- */

typedef struct NameKey {
    SdbOid namespace_oid;
    char name[64];
} NameKey;

static size_t name_key(NameKey *key, SdbOid namespace_oid, const char *name)
{
    memset(key, 0, sizeof *key);
    key->namespace_oid = namespace_oid;
    size_t len = strlen(name);
    if (len > sizeof key->name - 1)
        len = sizeof key->name - 1;
    memcpy(key->name, name, len);
    return offsetof(NameKey, name) + len;
}

static int retire(SdbCatalog *cat, const SdbRelation *rel)
{
    if (cat->nretired == cat->capretired) {
        size_t ncap = cat->capretired ? cat->capretired * 2 : 16;
        SdbCatRetired *p = sdb_realloc(cat->retired, ncap * sizeof *p);
        if (p == NULL)
            return SDB_ERROR;
        cat->retired = p;
        cat->capretired = ncap;
    }
    cat->retired[cat->nretired++] = (SdbCatRetired){sdb_cat_relation_arena(rel), cat->generation};
    return SDB_OK;
}

/* Note that txn may hold descriptors from now on (cat->lock held).  When
 * the registry cannot grow, nothing retired is freed any more. */
static void register_reader(SdbCatalog *cat, const SdbTxn *txn)
{
    if (txn == NULL)
        return;
    for (size_t i = 0; i < cat->nreaders; i++)
        if (cat->readers[i].txn == txn)
            return;
    if (cat->nreaders == cat->capreaders) {
        size_t ncap = cat->capreaders ? cat->capreaders * 2 : 16;
        SdbCatReader *p = sdb_realloc(cat->readers, ncap * sizeof *p);
        if (p == NULL) {
            cat->keep_retired = true; /* an unknown reader: free nothing any more */
            return;
        }
        cat->readers = p;
        cat->capreaders = ncap;
    }
    cat->readers[cat->nreaders++] = (SdbCatReader){txn, cat->generation};
}

/* txn ended: forget it, and free the descriptors no reader can hold. */
static void release_reader(SdbCatalog *cat, const SdbTxn *txn)
{
    for (size_t i = 0; i < cat->nreaders; i++)
        if (cat->readers[i].txn == txn)
            cat->readers[i] = cat->readers[--cat->nreaders];
    if (cat->keep_retired)
        return;
    uint64_t oldest = cat->generation + 1;
    for (size_t i = 0; i < cat->nreaders; i++)
        if (cat->readers[i].generation < oldest)
            oldest = cat->readers[i].generation;
    size_t kept = 0;
    for (size_t i = 0; i < cat->nretired; i++) {
        if (cat->retired[i].generation < oldest)
            sdb_arena_destroy(cat->retired[i].arena);
        else
            cat->retired[kept++] = cat->retired[i];
    }
    cat->nretired = kept;
}

/* Put `rel` into the committed cache (lock held), retiring what it replaces. */
static int cache_put(SdbCatalog *cat, SdbOid oid, SdbRelation *rel)
{
    void *old = NULL;
    if (sdb_hash_lookup(cat->by_oid, &oid, sizeof oid, &old)) {
        const SdbRelation *o = old;
        NameKey key;
        sdb_hash_remove(cat->by_name, &key, name_key(&key, o->namespace_oid, o->name));
        sdb_hash_remove(cat->by_oid, &oid, sizeof oid);
        if (retire(cat, o) != SDB_OK)
            return SDB_ERROR;
    }
    if (rel == NULL)
        return SDB_OK;
    NameKey key;
    if (sdb_hash_put(cat->by_oid, &oid, sizeof oid, rel) != SDB_OK ||
        sdb_hash_put(cat->by_name, &key, name_key(&key, rel->namespace_oid, rel->name), rel) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static bool owns_pending(const SdbCatalog *cat, const SdbTxn *txn)
{
    return txn != NULL && cat->pending_xid != SDB_INVALID_XID && txn->xid == cat->pending_xid;
}

const SdbCatNamespaces *sdb_cat_namespaces(SdbCatalog *cat, SdbTxn *txn)
{
    if (owns_pending(cat, txn) && cat->pending_namespaces != NULL)
        return cat->pending_namespaces;
    return cat->namespaces;
}

SdbOid sdb_cat_namespace_oid(SdbCatalog *cat, SdbTxn *txn, const char *name)
{
    const SdbCatNamespaces *ns = sdb_cat_namespaces(cat, txn);
    for (int i = 0; i < ns->count; i++)
        if (strcmp(ns->items[i].name, name) == 0)
            return ns->items[i].oid;
    return 0;
}

const char *sdb_cat_namespace_name(SdbCatalog *cat, SdbTxn *txn, SdbOid oid)
{
    const SdbCatNamespaces *ns = sdb_cat_namespaces(cat, txn);
    for (int i = 0; i < ns->count; i++)
        if (ns->items[i].oid == oid)
            return ns->items[i].name;
    return NULL;
}

/* The relation `txn` sees with this OID / name (cat->lock held). */
static const SdbRelation *find_by_oid(SdbCatalog *cat, SdbTxn *txn, SdbOid oid)
{
    void *rel = NULL;
    if (owns_pending(cat, txn) && sdb_hash_lookup(cat->pending, &oid, sizeof oid, &rel))
        return rel;
    return sdb_hash_lookup(cat->by_oid, &oid, sizeof oid, &rel) ? rel : NULL;
}

static const SdbRelation *find_by_name(SdbCatalog *cat, SdbTxn *txn, SdbOid namespace_oid, const char *name)
{
    void *rel = NULL;
    bool pending = owns_pending(cat, txn);
    if (pending) {
        SdbHashIter it;
        const void *key;
        size_t len;
        void *value;
        sdb_hash_iter_init(&it, cat->pending);
        while (sdb_hash_iter_next(&it, &key, &len, &value)) {
            const SdbRelation *r = value;
            if (r != NULL && r->namespace_oid == namespace_oid && strcmp(r->name, name) == 0)
                return r;
        }
    }
    NameKey key;
    if (!sdb_hash_lookup(cat->by_name, &key, name_key(&key, namespace_oid, name), &rel))
        return NULL;
    const SdbRelation *r = rel;
    /* changed or dropped by this transaction: its own version was checked */
    if (pending && sdb_hash_lookup(cat->pending, &r->oid, sizeof r->oid, NULL))
        return NULL;
    return r;
}

int sdb_catalog_relation(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, const SdbRelation **out)
{
    pthread_mutex_lock(&cat->lock);
    register_reader(cat, txn);
    *out = find_by_oid(cat, txn, oid);
    pthread_mutex_unlock(&cat->lock);
    return SDB_OK;
}

/* PostgreSQL's effective search path: pg_catalog first unless listed. */
int sdb_catalog_lookup(SdbCatalog *cat, SdbTxn *txn, const char *schema, const char *name,
                       const char *const *search_path, int npath, const SdbRelation **out)
{
    *out = NULL;
    pthread_mutex_lock(&cat->lock);
    register_reader(cat, txn);
    if (schema != NULL) {
        SdbOid nsp = sdb_cat_namespace_oid(cat, txn, schema);
        if (nsp != 0)
            *out = find_by_name(cat, txn, nsp, name);
        pthread_mutex_unlock(&cat->lock);
        return SDB_OK;
    }
    bool catalog_listed = false;
    for (int i = 0; i < npath; i++)
        if (strcmp(search_path[i], "pg_catalog") == 0)
            catalog_listed = true;
    if (!catalog_listed)
        *out = find_by_name(cat, txn, SDB_NAMESPACE_PG_CATALOG, name);
    for (int i = 0; i < npath && *out == NULL; i++) {
        /* "$user": the schema named like the current role, the only role */
        const char *s = strcmp(search_path[i], "$user") == 0 ? "postgres" : search_path[i];
        SdbOid nsp = sdb_cat_namespace_oid(cat, txn, s);
        if (nsp != 0)
            *out = find_by_name(cat, txn, nsp, name);
    }
    pthread_mutex_unlock(&cat->lock);
    return SDB_OK;
}

/* The schema named `name` (0 when none) / the name of schema `oid` copied
 * into `arena` (NULL when none). */
SdbOid sdb_catalog_namespace_oid(SdbCatalog *cat, SdbTxn *txn, const char *name)
{
    pthread_mutex_lock(&cat->lock);
    register_reader(cat, txn);
    SdbOid oid = sdb_cat_namespace_oid(cat, txn, name);
    pthread_mutex_unlock(&cat->lock);
    return oid;
}

const char *sdb_catalog_namespace_name(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, SdbArena *arena)
{
    pthread_mutex_lock(&cat->lock);
    register_reader(cat, txn);
    const char *name = sdb_cat_namespace_name(cat, txn, oid);
    name = name ? sdb_arena_strdup(arena, name) : NULL;
    pthread_mutex_unlock(&cat->lock);
    return name;
}

/* --- changes ------------------------------------------------------------ */

int sdb_cat_begin_change(SdbCatalog *cat, SdbTxn *txn)
{
    SdbXid xid;
    if (sdb_cat_xid(txn, &xid) != SDB_OK)
        return SDB_ERROR;
    /* The change lock and the pending changes belong to the top
     * transaction (sdb_catalog_end_txn); rows get the current xid. */
    xid = txn->xid;
    SdbCatShared *sh = cat->shared;
    pthread_mutex_lock(&sh->lock);
    while (sh->changer != SDB_INVALID_XID && sh->changer != xid) {
        SdbXid holder = sh->changer;
        if (!sdb_xact_is_running(cat->xm, holder)) {
            /* it ended; its sdb_catalog_end_txn releases the lock */
            pthread_cond_wait(&sh->released, &sh->lock);
            continue;
        }
        /* wait as for a row lock: deadlocks are detected (40P01) */
        pthread_mutex_unlock(&sh->lock);
        if (sdb_txn_wait(txn, holder) != SDB_OK)
            return SDB_ERROR;
        pthread_mutex_lock(&sh->lock);
    }
    sh->changer = xid;
    pthread_mutex_unlock(&sh->lock);
    pthread_mutex_lock(&cat->lock);
    int rc = SDB_OK;
    if (cat->pending_xid != xid) {
        cat->pending_xid = xid;
        cat->pending_arena = sdb_arena_create(NULL, "catalog changes", 0);
        cat->pending = cat->pending_arena ? sdb_hash_create(cat->pending_arena, 16) : NULL;
        if (cat->pending == NULL)
            rc = SDB_ERROR;
    }
    pthread_mutex_unlock(&cat->lock);
    return rc;
}

int sdb_cat_refresh(SdbCatalog *cat, SdbTxn *txn, const SdbOid *oids, size_t noids, bool namespaces)
{
    SdbCatNamespaces *ns = NULL;
    /* the pending set cannot be rolled back to a savepoint yet (savepoints
     * refuse ROLLBACK TO across this) */
    txn->catalog_changes++;
    if (namespaces) {
        if (sdb_cat_load_namespaces(cat, txn, &ns) != SDB_OK)
            return SDB_ERROR;
        pthread_mutex_lock(&cat->lock);
        sdb_cat_namespaces_free(cat->pending_namespaces);
        cat->pending_namespaces = ns;
        pthread_mutex_unlock(&cat->lock);
    }
    if (noids == 0)
        return SDB_OK;
    SdbArena *scratch = sdb_arena_create(NULL, "catalog refresh", 0);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbRelation **rels;
    size_t nrels;
    int rc = sdb_cat_load(cat, txn, oids, noids, scratch, &rels, &nrels);
    if (rc == SDB_OK) {
        pthread_mutex_lock(&cat->lock);
        for (size_t i = 0; i < noids && rc == SDB_OK; i++) {
            SdbRelation *found = NULL;
            for (size_t j = 0; j < nrels; j++)
                if (rels[j]->oid == oids[i])
                    found = rels[j];
            void *old = NULL;
            /* a descriptor this transaction may hold stays allocated */
            if (sdb_hash_lookup(cat->pending, &oids[i], sizeof oids[i], &old) && old != NULL && old != found)
                rc = retire(cat, old);
            if (rc == SDB_OK)
                rc = sdb_hash_put(cat->pending, &oids[i], sizeof oids[i], found);
        }
        pthread_mutex_unlock(&cat->lock);
    }
    sdb_arena_destroy(scratch);
    return rc;
}

int sdb_cat_note_file(SdbCatalog *cat, SdbRelFileId file, bool dropped)
{
    pthread_mutex_lock(&cat->lock);
    int rc = SDB_OK;
    if (cat->nfiles == cat->capfiles) {
        size_t ncap = cat->capfiles ? cat->capfiles * 2 : 8;
        SdbRelFileId *files = sdb_realloc(cat->files, ncap * sizeof *files);
        bool *flags = files ? sdb_realloc(cat->file_dropped, ncap * sizeof *flags) : NULL;
        if (files != NULL)
            cat->files = files;
        if (flags != NULL) {
            cat->file_dropped = flags;
            cat->capfiles = ncap;
        } else {
            rc = SDB_ERROR;
        }
    }
    if (rc == SDB_OK) {
        cat->files[cat->nfiles] = file;
        cat->file_dropped[cat->nfiles++] = dropped;
    }
    pthread_mutex_unlock(&cat->lock);
    return rc;
}

/* Remove the files the ending transaction no longer needs: its dropped
 * relations when it committed, its new ones when it aborted
 * (sdb_engine_drop_relation: durable, replayed by recovery).  A crash
 * before this leaves orphan files, which nothing refers to. */
static void remove_files(SdbCatalog *cat, SdbXid xid, bool committed)
{
    for (size_t i = 0; i < cat->nfiles; i++)
        if (cat->file_dropped[i] == committed && sdb_engine_drop_relation(cat->engine, cat->files[i], xid) != SDB_OK)
            sdb_log(SDB_SEVERITY_WARNING, "catalog", "could not remove relation %u/%u: %s", cat->files[i].db_oid,
                    cat->files[i].rel_number, sdb_error_last()->message);
    cat->nfiles = 0;
}

static void release_change_lock(SdbCatalog *cat, SdbXid xid)
{
    SdbCatShared *sh = cat->shared;
    pthread_mutex_lock(&sh->lock);
    if (sh->changer == xid) {
        sh->changer = SDB_INVALID_XID;
        pthread_cond_broadcast(&sh->released);
    }
    pthread_mutex_unlock(&sh->lock);
}

void sdb_catalog_end_txn(SdbCatalog *cat, SdbTxn *txn, bool committed)
{
    if (txn == NULL)
        return;
    pthread_mutex_lock(&cat->lock);
    if (txn->xid != SDB_INVALID_XID && cat->pending_xid == txn->xid) {
        SdbHashIter it;
        const void *key;
        size_t len;
        void *value;
        sdb_hash_iter_init(&it, cat->pending);
        while (sdb_hash_iter_next(&it, &key, &len, &value)) {
            SdbOid oid;
            memcpy(&oid, key, sizeof oid);
            /* a failure to grow the cache leaves the old entry: the
             * catalog is re-read at the next open */
            if (committed)
                cache_put(cat, oid, value);
            else if (value != NULL)
                retire(cat, value);
        }
        if (committed && cat->pending_namespaces != NULL) {
            sdb_cat_namespaces_free(cat->namespaces);
            cat->namespaces = cat->pending_namespaces;
        } else {
            sdb_cat_namespaces_free(cat->pending_namespaces);
        }
        cat->pending_namespaces = NULL;
        remove_files(cat, txn->xid, committed);
        sdb_arena_destroy(cat->pending_arena);
        cat->pending_arena = NULL;
        cat->pending = NULL;
        cat->pending_xid = SDB_INVALID_XID;
        if (committed)
            cat->generation++;
    }
    release_reader(cat, txn);
    pthread_mutex_unlock(&cat->lock);
    if (txn->xid != SDB_INVALID_XID)
        release_change_lock(cat, txn->xid);
}

/* --- open and close ----------------------------------------------------- */

/* Raise the next OID past every OID the catalogs mention (OIDs handed out
 * after the last checkpoint, before a crash). */
static void note_oids(SdbCatalog *cat, SdbRelation *const *rels, size_t nrels)
{
    for (size_t i = 0; i < nrels; i++) {
        note_oid(cat->shared, rels[i]->oid);
        note_oid(cat->shared, rels[i]->file.rel_number);
        for (int j = 0; j < rels[i]->nconstraints; j++)
            note_oid(cat->shared, rels[i]->constraints[j].oid);
    }
    for (int i = 0; i < cat->namespaces->count; i++)
        note_oid(cat->shared, cat->namespaces->items[i].oid);
}

static int load_all(SdbCatalog *cat)
{
    if (sdb_cat_load_namespaces(cat, NULL, &cat->namespaces) != SDB_OK)
        return SDB_ERROR;
    SdbArena *scratch = sdb_arena_create(NULL, "catalog open", 0);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbRelation **rels;
    size_t nrels;
    int rc = sdb_cat_load(cat, NULL, NULL, 0, scratch, &rels, &nrels);
    for (size_t i = 0; rc == SDB_OK && i < nrels; i++)
        rc = cache_put(cat, rels[i]->oid, rels[i]);
    if (rc == SDB_OK)
        note_oids(cat, rels, nrels);
    sdb_arena_destroy(scratch);
    /* every catalog describes itself, unless bootstrap was cut short */
    for (int i = 0; rc == SDB_OK && i < SDB_CATALOG_REL_COUNT; i++) {
        SdbOid oid = sdb_catalog_rels[i].oid;
        if (!sdb_hash_lookup(cat->by_oid, &oid, sizeof oid, NULL))
            rc = sdb_error(SDB_ERR_DATA_CORRUPTED, "catalog \"%s\" of database %u is missing", sdb_catalog_rels[i].name,
                           cat->db_oid);
    }
    return rc;
}

/* Bootstrap what a cluster created now lacks, or what a crash during its
 * bootstrap left unfinished: the shared catalogs, and template1's and
 * postgres's. */
static int bootstrap_if_new(SdbEngine *engine, SdbOid db_oid)
{
    bool done;
    if (sdb_cat_bootstrap_done(engine, db_oid, &done) != SDB_OK)
        return SDB_ERROR;
    if (done)
        return SDB_OK;
    if (!sdb_engine_created(engine) && db_oid != SDB_DATABASE_TEMPLATE1 && db_oid != SDB_DATABASE_POSTGRES)
        return sdb_error(SDB_ERR_INVALID_CATALOG_NAME, "database %u does not exist", db_oid);
    if (sdb_cat_bootstrap_done(engine, 0, &done) != SDB_OK)
        return SDB_ERROR;
    if (!done && sdb_cat_bootstrap_shared(engine) != SDB_OK)
        return SDB_ERROR;
    return sdb_cat_bootstrap_database(engine, db_oid);
}

SdbCatalog *sdb_catalog_open(SdbEngine *engine, SdbXactManager *xm, SdbOid db_oid)
{
    static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&open_lock);
    int rc = bootstrap_if_new(engine, db_oid);
    pthread_mutex_unlock(&open_lock);
    if (rc != SDB_OK)
        return NULL;
    SdbCatalog *cat = sdb_malloc(sizeof *cat);
    if (cat == NULL)
        return NULL;
    memset(cat, 0, sizeof *cat);
    cat->engine = engine;
    cat->xm = xm;
    cat->db_oid = db_oid;
    pthread_mutex_init(&cat->lock, NULL);
    cat->shared = shared_acquire(engine);
    cat->arena = sdb_arena_create(NULL, "catalog cache", 0);
    if (cat->shared == NULL || cat->arena == NULL || (cat->by_oid = sdb_hash_create(cat->arena, 256)) == NULL ||
        (cat->by_name = sdb_hash_create(cat->arena, 256)) == NULL || load_all(cat) != SDB_OK) {
        sdb_catalog_close(cat);
        return NULL;
    }
    return cat;
}

int sdb_catalog_close(SdbCatalog *cat)
{
    if (cat == NULL)
        return SDB_OK;
    if (cat->by_oid != NULL) {
        SdbHashIter it;
        const void *key;
        size_t len;
        void *value;
        sdb_hash_iter_init(&it, cat->by_oid);
        while (sdb_hash_iter_next(&it, &key, &len, &value))
            sdb_arena_destroy(sdb_cat_relation_arena(value));
    }
    if (cat->pending != NULL) {
        SdbHashIter it;
        const void *key;
        size_t len;
        void *value;
        sdb_hash_iter_init(&it, cat->pending);
        while (sdb_hash_iter_next(&it, &key, &len, &value))
            if (value != NULL)
                sdb_arena_destroy(sdb_cat_relation_arena(value));
        sdb_arena_destroy(cat->pending_arena);
    }
    for (size_t i = 0; i < cat->nretired; i++)
        sdb_arena_destroy(cat->retired[i].arena);
    sdb_free(cat->retired);
    sdb_free(cat->readers);
    sdb_free(cat->files);
    sdb_free(cat->file_dropped);
    sdb_cat_namespaces_free(cat->namespaces);
    sdb_cat_namespaces_free(cat->pending_namespaces);
    sdb_arena_destroy(cat->arena);
    int rc = cat->shared ? shared_release(cat->shared) : SDB_OK;
    pthread_mutex_destroy(&cat->lock);
    sdb_free(cat);
    return rc;
}
