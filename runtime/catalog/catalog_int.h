/*
 * catalog/catalog_int.h: what the catalog's files share: the SdbCatalog
 * structure (descriptor cache, the pending changes of the one transaction
 * doing DDL), reading and writing catalog rows (catalog_rows.c), building
 * descriptors from them (catalog_load.c), bootstrap (bootstrap.c) and the
 * DDL helpers (ddl*.c).
 */
#ifndef SDB_CATALOG_CATALOG_INT_H
#define SDB_CATALOG_CATALOG_INT_H

#include <pthread.h>

#include "catalog/catalog.h"
#include "common/hash.h"
#include "sdb_catalog.h"
#include "storage/engine.h"
#include "storage/heap.h"
#include "types/datum.h"

/* Largest number of columns a catalog table has (pg_class: 33). */
#define SDB_CAT_MAX_COLUMNS 48

/* One schema (pg_namespace row). */
typedef struct SdbCatNamespace {
    SdbOid oid;
    const char *name;
} SdbCatNamespace;

/* A set of schemas: the committed one, or a DDL transaction's own. */
typedef struct SdbCatNamespaces {
    int count;
    SdbCatNamespace *items;
    SdbArena *arena;
} SdbCatNamespaces;

/* State one engine's catalogs share (OIDs are cluster-wide; one
 * transaction at a time may change catalogs). */
typedef struct SdbCatShared SdbCatShared;

typedef struct SdbCatRetired {
    SdbArena *arena;
    uint64_t generation;
} SdbCatRetired;

typedef struct SdbCatReader {
    const SdbTxn *txn;
    uint64_t generation;
} SdbCatReader;

struct SdbCatalog {
    SdbEngine *engine;
    SdbXactManager *xm;
    SdbOid db_oid;
    SdbCatShared *shared;

    pthread_mutex_t lock;         /* guards everything below */
    SdbArena *arena;              /* hash tables */
    SdbHash *by_oid;              /* committed: oid -> SdbRelation * */
    SdbHash *by_name;             /* committed: (namespace oid, name) -> SdbRelation * */
    SdbCatNamespaces *namespaces; /* committed */

    SdbXid pending_xid;                   /* the transaction with uncommitted DDL, or 0 */
    SdbHash *pending;                     /* its changed relations: oid -> SdbRelation *, NULL = dropped */
    SdbCatNamespaces *pending_namespaces; /* its schemas, or NULL when unchanged */
    SdbArena *pending_arena;

    SdbRelFileId *files; /* files the pending transaction created / dropped */
    bool *file_dropped;  /* per file: dropped (unlink at commit), else created (unlink at abort) */
    size_t nfiles, capfiles;

    /* Replaced descriptors are kept until no transaction can hold them:
     * transactions register (with the generation) at their first lookup
     * and leave at sdb_catalog_end_txn; a descriptor retired in generation
     * r is freed once every registered transaction came after r. */
    uint64_t generation; /* bumped by every published change */
    SdbCatRetired *retired;
    size_t nretired, capretired;
    SdbCatReader *readers;
    size_t nreaders, capreaders;
    bool keep_retired; /* the reader registry failed to grow */
};

/* --- rows of catalog tables (catalog_rows.c) ---------------------------- */

/* A catalog row being built: every column starts as PostgreSQL's "empty"
 * value for NOT NULL columns (0, false, '') and NULL otherwise. */
typedef struct SdbCatTuple {
    const SdbCatalogRel *rel;
    SdbArena *arena;
    SdbDatum values[SDB_CAT_MAX_COLUMNS];
    bool nulls[SDB_CAT_MAX_COLUMNS];
} SdbCatTuple;

void sdb_cat_tuple_init(SdbCatTuple *t, const SdbCatalogRel *rel, SdbArena *arena);
void sdb_cat_set(SdbCatTuple *t, int anum, SdbDatum value);
void sdb_cat_set_null(SdbCatTuple *t, int anum);
int sdb_cat_set_text(SdbCatTuple *t, int anum, const char *text); /* text, name, pg_node_tree */
int sdb_cat_set_int2vector(SdbCatTuple *t, int anum, SdbOid elemtype, int n, const int16_t *items);
int sdb_cat_set_oidvector(SdbCatTuple *t, int anum, int n, const SdbOid *items);

/* A visible catalog row, decoded: values[anum - 1]. */
typedef struct SdbCatRow {
    SdbTid tid;
    SdbDatum *values;
    bool *nulls;
} SdbCatRow;

typedef struct SdbCatRows {
    size_t count;
    SdbCatRow *rows;
} SdbCatRows;

/* The storage of catalog table `rel` in database `db_oid`. */
SdbRelFileId sdb_cat_file(const SdbCatalogRel *rel, SdbOid db_oid);

/* Every row of catalog `rel` that `txn` sees (NULL: committed rows only):
 * catalogs are read as PostgreSQL reads them, with the latest committed
 * state plus the reader's own changes, whatever its snapshot. */
int sdb_cat_scan(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, SdbArena *arena, SdbCatRows *out);

/* Same, only the rows whose oid column key_anum is one of `keys` (oid ->
 * anything; keys NULL: every row). */
int sdb_cat_scan_keys(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, int key_anum, const SdbHash *keys,
                      SdbArena *arena, SdbCatRows *out);

/* Whether a tuple version is visible under that rule (also used to build
 * an index from a table's rows). */
int sdb_cat_row_visible(SdbCatalog *cat, SdbTxn *txn, const SdbHeapTupleHeader *h, bool *visible);

/* Insert / delete / replace catalog rows as transaction `xid`, command cid. */
int sdb_cat_insert(SdbEngine *engine, SdbOid db_oid, SdbXid xid, SdbCid cid, const SdbCatTuple *t);
int sdb_cat_delete(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, SdbTid tid);
int sdb_cat_update(SdbCatalog *cat, SdbTxn *txn, SdbTid tid, const SdbCatTuple *t);

/* Start a row to replace `row` of `rel`: a tuple holding its values. */
void sdb_cat_tuple_from_row(SdbCatTuple *t, const SdbCatalogRel *rel, const SdbCatRow *row, SdbArena *arena);

/* Delete every visible row of `rel` whose column `anum` (an oid) equals
 * `oid`. */
int sdb_cat_delete_where(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, int anum, SdbOid oid, SdbArena *arena);

/* Datum accessors. */
const char *sdb_cat_text(SdbDatum d); /* the NUL-terminated payload */
SdbDatum sdb_cat_oid(SdbOid oid);

/* The transaction's xid, assigned on first use. */
int sdb_cat_xid(SdbTxn *txn, SdbXid *xid);

/* --- planner statistics (stats.c) -------------------------------------- */

/* Delete relation relid's pg_statistic rows (of column attnum; 0: all). */
int sdb_cat_stats_delete(SdbCatalog *cat, SdbTxn *txn, SdbOid relid, int attnum, SdbArena *arena);
/* A descriptor's column statistics from a pg_statistic row (values copied
 * into `arena`). */
int sdb_cat_stats_from_row(SdbArena *arena, SdbArena *scratch, const SdbDatum *values, const bool *nulls,
                           SdbColumnStats *out);

/* --- descriptors (catalog_load.c) ------------------------------------- */

/* Build the descriptors of the relations with the given oids (all when
 * oids is NULL) as `txn` sees the catalogs; each gets its own arena.
 * *out[i] for each found relation (*nout of them), or a relation oid of
 * oids[] that has no visible pg_class row is simply absent. */
int sdb_cat_load(SdbCatalog *cat, SdbTxn *txn, const SdbOid *oids, size_t noids, SdbArena *scratch, SdbRelation ***out,
                 size_t *nout);

/* Load the schemas `txn` sees. */
int sdb_cat_load_namespaces(SdbCatalog *cat, SdbTxn *txn, SdbCatNamespaces **out);
void sdb_cat_namespaces_free(SdbCatNamespaces *ns);

/* The arena a descriptor lives in (its first allocation). */
SdbArena *sdb_cat_relation_arena(const SdbRelation *rel);

/* --- the cache (catalog.c) ------------------------------------------- */

/* The schemas `txn` sees (its own when it changed them). */
const SdbCatNamespaces *sdb_cat_namespaces(SdbCatalog *cat, SdbTxn *txn);
SdbOid sdb_cat_namespace_oid(SdbCatalog *cat, SdbTxn *txn, const char *name);
const char *sdb_cat_namespace_name(SdbCatalog *cat, SdbTxn *txn, SdbOid oid);

/* Take the catalog-change lock for txn (held until sdb_catalog_end_txn),
 * then re-read the descriptors of `oids` (and the schemas when
 * `namespaces`) as txn sees them now, into its pending changes. */
int sdb_cat_begin_change(SdbCatalog *cat, SdbTxn *txn);
/* Remember a file the changing transaction created or dropped: dropped
 * files are removed when it commits, created ones when it aborts. */
int sdb_cat_note_file(SdbCatalog *cat, SdbRelFileId file, bool dropped);

int sdb_cat_refresh(SdbCatalog *cat, SdbTxn *txn, const SdbOid *oids, size_t noids, bool namespaces);

/* Append `ident`, double-quoted when PostgreSQL's quote_identifier would
 * (catalog_names.c). */
int sdb_cat_quote_identifier(SdbStr *out, const char *ident);

/* --- bootstrap (bootstrap.c) ----------------------------------------- */

/* Create and fill the shared catalogs (cluster creation). */
int sdb_cat_bootstrap_shared(SdbEngine *engine);
/* Create and fill the catalogs of database `db_oid`. */
int sdb_cat_bootstrap_database(SdbEngine *engine, SdbOid db_oid);
/* Whether database db_oid's catalogs exist (any part of them: a
 * CREATE DATABASE cut short by a crash leaves some). */
int sdb_cat_database_exists(SdbEngine *engine, SdbOid db_oid, bool *exists);
/* Whether the bootstrap of database db_oid (0: the shared catalogs) was
 * finished: its rows are durable and complete.  The two bootstrap
 * functions first remove what an unfinished one left. */
int sdb_cat_bootstrap_done(SdbEngine *engine, SdbOid db_oid, bool *done);

/* pg_class / pg_attribute rows (shared by bootstrap and DDL). */
typedef struct SdbCatClassInfo {
    SdbOid oid;
    const char *name;
    SdbOid namespace_oid;
    char kind;
    SdbOid relfilenode;
    SdbOid am;
    int natts;
    bool shared;
    bool has_index;
    int16_t checks;
    SdbOid toast; /* pg_class.reltoastrelid: its toast heap's relation number */
} SdbCatClassInfo;
int sdb_cat_class_tuple(SdbCatTuple *t, SdbArena *arena, const SdbCatClassInfo *info);
int sdb_cat_attribute_tuple(SdbCatTuple *t, SdbArena *arena, SdbOid relid, const SdbAttribute *att, bool has_default);

#endif /* SDB_CATALOG_CATALOG_INT_H */
