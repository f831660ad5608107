/*
 * catalog/catalog.h: the system catalogs of one database: what relations,
 * columns, indexes, constraints, schemas, sequences and views exist.
 *
 * The catalogs (spec/catalog.toml: pg_namespace, pg_class, pg_attribute,
 * pg_index, pg_constraint, ...) are ordinary heap tables in the storage
 * engine, created and filled by bootstrap code generated from the spec on
 * a new cluster, queryable with SQL, changed only through this module
 * (transactionally: a rolled-back CREATE TABLE leaves nothing behind).
 * Lookups return descriptors (SdbRelation) built from them and cached.
 *
 * Descriptor lifetime: a descriptor returned to a transaction stays valid
 * and unchanged until that transaction ends (sdb_catalog_end_txn, which
 * must be called for every transaction that looked anything up, read-only
 * ones included); DDL builds new descriptors instead of editing shared
 * ones.  One looked up with txn NULL stays valid until the next catalog
 * change is published.
 */
#ifndef SDB_CATALOG_CATALOG_H
#define SDB_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/memory.h"
#include "common/str.h"
#include "sdb_ast.h"
#include "sdb_types.h"
#include "storage/control.h"
#include "storage/types.h"
#include "txn/txn.h"
#include "types/datum.h"

struct SdbEngine;

/* One column (pg_attribute + pg_attrdef). attrs[i].attnum == i + 1. */
typedef struct SdbAttribute {
    const char *name;
    int16_t attnum;
    SdbOid type;
    int32_t typmod;
    bool not_null;
    bool dropped;            /* dropped column: keeps its slot, invisible to SQL */
    const char *default_sql; /* DEFAULT expression as SQL text, or NULL */
    char identity;           /* '\0', 'a' (ALWAYS) or 'd' (BY DEFAULT) */
    SdbOid sequence_oid;     /* serial / identity sequence, or 0 */
} SdbAttribute;

/* One index (pg_class + pg_index).  Keys are column attnums; key_options
 * has PostgreSQL's indoption bits per key (1 DESC, 2 NULLS FIRST). */
typedef struct SdbIndex {
    SdbOid oid;
    const char *name;
    SdbRelFileId file;
    bool unique;
    bool primary;
    int nkeys;
    const int16_t *keys;
    const int16_t *key_options;
} SdbIndex;

/* One constraint (pg_constraint), PostgreSQL's contype letters. */
typedef struct SdbRelConstraint {
    SdbOid oid;
    const char *name;
    char kind;               /* 'c' check, 'f' foreign key, 'p' primary key, 'u' unique */
    const char *check_sql;   /* 'c': the condition as SQL text */
    int nkeys;
    const int16_t *keys;     /* 'p' 'u' 'f': the constrained columns */
    SdbOid index_oid;        /* 'p' 'u': the index enforcing it; 'f': the referenced unique index */
    SdbOid ref_rel_oid;      /* 'f': the referenced table */
    const int16_t *ref_keys; /* 'f': its columns, nkeys of them */
    char on_delete;          /* 'f': confdeltype: 'a' no action, 'r' restrict, 'c' cascade, 'n' set null, 'd' set default */
    char on_update;          /* 'f': confupdtype, same letters */
} SdbRelConstraint;

/* A foreign key of another table that points at this one (for ON DELETE /
 * ON UPDATE actions and RESTRICT checks). */
typedef struct SdbReferencingKey {
    SdbOid rel_oid;                 /* the referencing table */
    const SdbRelConstraint *constraint; /* a copy of that table's constraint */
} SdbReferencingKey;

/* A sequence's options (pg_sequence).  Its state is the one row of its own
 * heap (SdbRelation.file): the columns last_value int8, log_cnt int8,
 * is_called bool (PostgreSQL's sequence relation), in the row format of
 * row.h; CREATE SEQUENCE writes it (last_value = start, is_called false)
 * and nextval (runtime/access) updates it. */
typedef struct SdbSequence {
    SdbOid type;        /* int2, int4 or int8 */
    int64_t start;
    int64_t increment;
    int64_t max;
    int64_t min;
    int64_t cache;
    bool cycle;
    SdbOid owner_rel;   /* OWNED BY table (serial, identity), or 0 */
    int16_t owner_attnum;
} SdbSequence;

/* Attribute numbers of a sequence relation's row. */
#define SDB_SEQ_ANUM_LAST_VALUE 1
#define SDB_SEQ_ANUM_LOG_CNT 2
#define SDB_SEQ_ANUM_IS_CALLED 3

/* OIDs fixed at bootstrap (PostgreSQL's where it has fixed ones). */
#define SDB_NAMESPACE_PG_CATALOG 11
#define SDB_NAMESPACE_PUBLIC 2200
#define SDB_NAMESPACE_INFORMATION_SCHEMA 12000
#define SDB_ROLE_POSTGRES 10
#define SDB_ROLE_PG_DATABASE_OWNER 6171 /* owns schema public */
#define SDB_DATABASE_TEMPLATE1 1
#define SDB_DATABASE_TEMPLATE0 4 /* a pg_database row only: takes no connections */
#define SDB_DATABASE_POSTGRES 5
/* Relation number of the toast heap of the catalogs (storage/toast.h), in
 * each database and in global/ for the shared catalogs. */
#define SDB_CATALOG_TOAST_RELNUM 12999
#define SDB_AM_HEAP 2
#define SDB_AM_BTREE 403

/* Planner statistics of one column (a pg_statistic row, written by
 * ANALYZE), with PostgreSQL's meanings: stadistinct > 0 a number of
 * distinct values, < 0 minus a fraction of the rows, 0 unknown; slots of
 * kind SDB_STATS_KIND_MCV (values and their frequencies, most common
 * first), _HISTOGRAM (bounds of equal-count bins, values only) and
 * _CORRELATION (one number).  Values are of the column's type. */
#define SDB_STATS_SLOTS 5
#define SDB_STATS_KIND_MCV 1
#define SDB_STATS_KIND_HISTOGRAM 2
#define SDB_STATS_KIND_CORRELATION 3
typedef struct SdbStatsSlot {
    int16_t kind;  /* 0: unused */
    SdbOid op;     /* staop: the = (MCV) or < (histogram, correlation) operator */
    SdbOid coll;   /* stacoll */
    int nnumbers;
    const float *numbers;
    int nvalues;
    const SdbDatum *values;
} SdbStatsSlot;

typedef struct SdbColumnStats {
    int16_t attnum; /* 0: the column has no statistics */
    float nullfrac;
    int32_t width;
    float ndistinct;
    SdbStatsSlot slots[SDB_STATS_SLOTS];
} SdbColumnStats;

/* A relation: table, index, view or sequence (pg_class relkind letters).
 * System catalogs look like any table (kind 'r', attrs from the spec) with
 * system = true; their storage is relation number = OID, in database 0
 * for the shared ones (pg_database, pg_authid). */
typedef struct SdbRelation {
    SdbOid oid;
    const char *name;
    SdbOid namespace_oid;
    const char *namespace_name;
    char kind;                /* 'r' table, 'i' index, 'v' view, 'S' sequence */
    SdbRelFileId file;        /* 'r' 'i' 'S': its storage */
    SdbRelFileId toast;       /* 'r': the heap for its out-of-line values (row.h
                                 sdb_row_encode_toast); rel_number 0 when none */
    bool system;              /* a system catalog: DML by users is refused */
    int natts;
    const SdbAttribute *attrs;
    int nindexes;
    const SdbIndex *indexes;
    int nconstraints;
    const SdbRelConstraint *constraints;
    int nreferencing;
    const SdbReferencingKey *referencing;
    const char *view_sql;     /* 'v': the view's SELECT as SQL text */
    const SdbSequence *sequence; /* 'S': its options, else NULL */
    SdbOid index_table;       /* 'i': the table it indexes, else 0 */
    bool analyzed;            /* pg_class.reltuples >= 0 (-1: never analyzed); when set, */
    int32_t relpages;         /* relpages and reltuples are what the last ANALYZE */
    float reltuples;          /* found (a zeroed descriptor reads as never analyzed) */
    const SdbColumnStats *stats; /* natts entries (attnum 0: none), or NULL when no column has any */
} SdbRelation;

typedef struct SdbCatalog SdbCatalog;

/* The catalog of database `db_oid` in `engine`; bootstraps the catalogs on
 * a cluster created just now.  NULL with the error recorded. */
SdbCatalog *sdb_catalog_open(struct SdbEngine *engine, SdbXactManager *xm, SdbOid db_oid);
int sdb_catalog_close(SdbCatalog *cat);

/* Look up a relation by name: in `schema`, or when schema is NULL along
 * `search_path` (schema names, "$user" and pg_catalog handled as
 * PostgreSQL does).  *out = NULL when there is none (not an error: the
 * caller reports 42P01 with its own wording). */
int sdb_catalog_lookup(SdbCatalog *cat, SdbTxn *txn, const char *schema, const char *name,
                       const char *const *search_path, int npath, const SdbRelation **out);

/* The schema named `name`, or 0; the name of schema `oid` copied into
 * `arena`, or NULL when there is none. */
SdbOid sdb_catalog_namespace_oid(SdbCatalog *cat, SdbTxn *txn, const char *name);
const char *sdb_catalog_namespace_name(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, SdbArena *arena);

/* regclass input: the relation a name in text form denotes ("t",
 * "s.t", "\"Mixed Case\""; unquoted parts down-cased), looked up as
 * sdb_catalog_lookup does.  42P01 relation "..." does not exist, 42602
 * invalid name syntax.  Scratch memory from `arena`. */
int sdb_catalog_regclass_in(SdbCatalog *cat, SdbTxn *txn, SdbArena *arena, const char *text,
                            const char *const *search_path, int npath, SdbOid *oid);

/* regclass output: the relation's name, schema-qualified when the search
 * path would not find it, quoted as needed; the number when no relation
 * has that OID. */
int sdb_catalog_regclass_out(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, const char *const *search_path, int npath,
                             SdbStr *out);

/* The relation with `oid`, or *out = NULL. */
int sdb_catalog_relation(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, const SdbRelation **out);

/* Execute a DDL statement (CreateStmt, IndexStmt, DropStmt, AlterTableStmt,
 * RenameStmt, ViewStmt, CreateSchemaStmt, CreateSeqStmt, CreatedbStmt,
 * DropdbStmt ...) in `txn`; `sql` is the statement's text (DEFAULT and
 * CHECK expressions and view bodies are kept as text cut from it).  Sets
 * `tag` to PostgreSQL's command tag ("CREATE TABLE").  Errors as PostgreSQL
 * (42P07 exists, 42P01 missing, 2BP01 dependent objects ...). */
typedef struct SdbDdlContext {
    SdbCatalog *catalog;
    SdbTxn *txn;
    SdbArena *arena;          /* statement lifetime */
    const char *sql;          /* the text the statement was parsed from (locations index it) */
    const char *const *search_path;
    int npath;
    /* NOTICEs (IF NOT EXISTS skipping, DROP ... CASCADE); may be NULL */
    void (*notice)(void *arg, const char *sqlstate, const char *message);
    void *notice_arg;
    /* ALTER TABLE ADD COLUMN on a table with rows: the value of column
     * `attno` (0-based) of `rel` for one existing row (its DEFAULT, or the
     * next sequence value of a serial/identity column), evaluated by the
     * session; without it such an ADD COLUMN fails (0A000). */
    int (*eval_default)(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull);
    void *eval_arg;           /* the `arg` of eval_default and check_rows */
    /* ALTER TABLE ADD CHECK on a table with rows: check every row against
     * `check_sql` (the session evaluates it; 23514 "check constraint
     * \"name\" of relation \"t\" is violated by some row" when one fails);
     * without it such an ADD CHECK fails (0A000). */
    int (*check_rows)(void *arg, const SdbRelation *rel, const char *name, const char *check_sql);
    /* CREATE VIEW: the output columns of the view's query as the analyzer
     * found them (names, types, typmods may be NULL: -1).  When view_names
     * is NULL, names come from the SELECT list and types are unknown. */
    int view_ncolumns;
    const char *const *view_names;
    const SdbOid *view_types;
    const int32_t *view_typmods;
    /* CREATE/ALTER/DROP ROLE: the session's role (NULL: an all-powerful
     * embedded caller), whether password_encryption is md5 (else
     * scram-sha-256), and the TimeZone that VALID UNTIL is read in. */
    const char *current_user;
    bool password_md5;
    const SdbTimeZone *timezone;
} SdbDdlContext;
int sdb_ddl_execute(SdbDdlContext *ddl, const SdbNode *stmt, SdbStr *tag);

/* The B+tree key of a row for `index` of `rel` (values/nulls indexed by
 * attnum - 1): for each key column sdb_key_encode(type, value, null,
 * {descending = option & 1, nulls_first = option & 2}), concatenated.
 * *has_null (may be NULL) says whether a key column is NULL (such keys
 * never conflict in a unique index).  Used by CREATE INDEX and by every
 * index insert and lookup (runtime/access). */
int sdb_index_key(const SdbRelation *rel, const SdbIndex *index, const SdbDatum *values, const bool *nulls,
                  SdbStr *out, bool *has_null);

/* ANALYZE's result for `rel` (runtime/catalog/stats.c): pg_class.relpages
 * and reltuples, and the pg_statistic rows of cols[0..ncols) (each
 * replacing that column's previous row; values of stavalues are built as
 * arrays of the column's type).  Taken as a catalog change of txn (the
 * catalog-change lock, as DDL), so the new descriptor is the transaction's
 * until it commits.  Scratch memory from `arena`. */
int sdb_catalog_set_stats(SdbCatalog *cat, SdbTxn *txn, const SdbRelation *rel, int32_t relpages, float reltuples,
                          int ncols, const SdbColumnStats *cols, SdbArena *arena);

/* The OIDs of the user tables (relkind 'r', not system catalogs) txn
 * sees, in `arena` (ANALYZE without a table list). */
int sdb_catalog_tables(SdbCatalog *cat, SdbTxn *txn, SdbArena *arena, SdbOid **oids, int *n);

/* One role (pg_authid), strings in the caller's arena. */
typedef struct SdbRole {
    SdbOid oid;
    const char *name;
    bool superuser, inherit, createrole, createdb, canlogin, replication, bypassrls;
    int32_t connlimit;        /* -1: no limit */
    const char *password;     /* stored form (SCRAM-SHA-256$... or md5...), or NULL */
    bool has_valid_until;
    int64_t valid_until;      /* timestamptz (microseconds since 2000-01-01 UTC) */
} SdbRole;

/* The role called `name` as txn sees it: *found false when there is none. */
int sdb_catalog_role(SdbCatalog *cat, SdbTxn *txn, const char *name, SdbArena *arena, SdbRole *out, bool *found);

/* The role with OID `oid` as txn sees it: *found false when there is none. */
int sdb_catalog_role_by_oid(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, SdbArena *arena, SdbRole *out, bool *found);

/* Whether role `role` is a member of role `group` (directly or through
 * other groups; pg_auth_members); false when either does not exist. */
int sdb_catalog_role_member(SdbCatalog *cat, SdbTxn *txn, const char *role, const char *group, SdbArena *arena,
                            bool *member);

/* Hand out a new OID (durable through checkpoints and the WAL). */
int sdb_catalog_new_oid(SdbCatalog *cat, SdbOid *oid);

/* Transaction end (every transaction, also read-only ones): publish
 * (commit) or forget (abort) txn's catalog changes in the cache, and let
 * go of the descriptors it was handed. */
void sdb_catalog_end_txn(SdbCatalog *cat, SdbTxn *txn, bool committed);

#endif /* SDB_CATALOG_CATALOG_H */
