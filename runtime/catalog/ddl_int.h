/*
 * catalog/ddl_int.h: what the DDL files (ddl*.c) share: the state of one
 * DDL statement, name and type resolution, SQL text cut from the statement,
 * and the pieces of CREATE TABLE reused by ALTER TABLE.
 */
#ifndef SDB_CATALOG_DDL_INT_H
#define SDB_CATALOG_DDL_INT_H

#include "access/table.h"
#include "catalog/catalog_int.h"

/* One DDL statement in progress. */
typedef struct SdbDdl {
    SdbDdlContext *ctx;
    SdbCatalog *cat;
    SdbTxn *txn;
    SdbArena *arena;
    SdbXid xid;
    SdbOid *touched; /* relations whose descriptors changed */
    size_t ntouched, captouched;
    bool namespaces_changed;
    const SdbOid *dropping; /* DROP of several relations: all of them (their */
    int ndropping;          /* dependencies on each other do not block it) */
} SdbDdl;

/* --- ddl.c: common pieces --------------------------------------------- */

/* Note that `oid`'s descriptor changed; sdb_ddl_sync re-reads the touched
 * descriptors so that later steps of the statement see them. */
int sdb_ddl_touch(SdbDdl *d, SdbOid oid);
int sdb_ddl_sync(SdbDdl *d);

/* A new OID whose relation file does not exist (files of transactions cut
 * short by a crash stay behind with OIDs handed out again). */
int sdb_ddl_new_relfile_oid(SdbDdl *d, SdbOid *oid);

/* The relation `rv` names as the transaction sees it, or NULL. */
const SdbRelation *sdb_ddl_find(SdbDdl *d, const SdbRangeVar *rv);
const SdbRelation *sdb_ddl_by_oid(SdbDdl *d, SdbOid oid);

/* The schema a new relation named by `rv` goes into (3F000 when none). */
int sdb_ddl_creation_namespace(SdbDdl *d, const SdbRangeVar *rv, SdbOid *nsp);

/* Send a NOTICE. */
void sdb_ddl_notice(SdbDdl *d, const char *sqlstate, const char *fmt, ...) SDB_PRINTF(3, 4);

/* 42P01 relation "x" does not exist (with the schema when given). */
int sdb_ddl_missing_relation(const SdbRangeVar *rv);

/* 42809 "x" is not a <kind> (kind: "a table", "an index" ...). */
int sdb_ddl_wrong_kind(const char *name, const char *kind);

/* A name not used by any relation or constraint of the schema, built
 * PostgreSQL's way: "<table>_<columns>_<suffix>" cut to
 * 63 bytes, then 1, 2 ... appended until free. */
int sdb_ddl_choose_name(SdbDdl *d, SdbOid nsp, const char *table, const char *columns, const char *suffix,
                        const char **out);

/* Whether a relation called `name` exists in schema nsp. */
int sdb_ddl_name_taken(SdbDdl *d, SdbOid nsp, const char *name, bool *taken);

/* The type and typmod of a type name (42704 when it does not exist). */
int sdb_ddl_type(SdbDdl *d, const SdbTypeName *tn, SdbOid *type, int32_t *typmod);

/* The 1-based attnum of `name` in rel (0 when absent or dropped). */
int sdb_ddl_attnum(const SdbRelation *rel, const char *name);

/* --- SQL text ---------------------------------------------------------- */

/* The expression that starts at offset `start` of the statement and ends
 * before the first top-level ',' or ')' or ';', or at `stop` (-1: none). */
const char *sdb_ddl_expr_text(SdbDdl *d, int start, int stop);
/* The text inside the first parenthesis at or after `start`. */
const char *sdb_ddl_paren_text(SdbDdl *d, int start);
/* The offset just after the n-th (0-based) top-level keyword `kw` at or
 * after `start`, or -1. */
int sdb_ddl_after_keyword(SdbDdl *d, int start, const char *kw, int n);

/* --- ddl_table.c -------------------------------------------------------- */

/* One column being defined (CREATE TABLE, ADD COLUMN). */
typedef struct SdbDdlColumn {
    SdbAttribute att;
    const char *default_sql;
    const SdbColumnDef *def;
    char serial_type; /* 0, or the serial kind: 's' smallserial, 'i' serial, 'b' bigserial */
    const SdbList *identity_options;
} SdbDdlColumn;

/* Resolve one ColumnDef into *col (type, NOT NULL, DEFAULT, identity). */
int sdb_ddl_column(SdbDdl *d, const SdbColumnDef *def, SdbDdlColumn *col);

/* Write a column's rows (pg_attribute, pg_attrdef) and create its owned
 * sequence (serial, identity) for table `rel_oid` in schema `nsp`. */
int sdb_ddl_add_column(SdbDdl *d, SdbOid rel_oid, const char *table, SdbOid nsp, SdbDdlColumn *col);

/* Add a table constraint (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) to
 * `rel` (NOT NULL and DEFAULT are column properties); `column` is the
 * column it was written on, or NULL for a table constraint. */
int sdb_ddl_add_constraint(SdbDdl *d, const SdbRelation *rel, const SdbConstraint *con, const char *column);

/* Create a sequence relation with options (CREATE SEQUENCE, serial). */
int sdb_ddl_create_sequence(SdbDdl *d, SdbOid nsp, const char *name, SdbOid type, const SdbList *options,
                            SdbOid owner_rel, int16_t owner_attnum, char deptype, SdbOid *out);

/* Create an index (CREATE INDEX, PRIMARY KEY, UNIQUE) on rel, filled from
 * its rows; 23505 when `unique` and rows collide. */
int sdb_ddl_create_index(SdbDdl *d, const SdbRelation *rel, const char *name, int nkeys, const int16_t *keys,
                         const int16_t *options, bool unique, bool primary, SdbOid *out);

/* pg_attribute.attnotnull of one column; its default (pg_attrdef, NULL
 * removes it). */
int sdb_ddl_set_not_null(SdbDdl *d, SdbOid relid, int attnum, bool not_null);
int sdb_ddl_set_default(SdbDdl *d, SdbOid rel_oid, int attnum, const char *sql);

/* Add delta to pg_class.relchecks. */
int sdb_ddl_add_checks(SdbDdl *d, SdbOid oid, int delta);

/* pg_class row update: set relnatts/relhasindex/relchecks/relname of rel. */
int sdb_ddl_update_class(SdbDdl *d, SdbOid oid, const char *new_name, int natts, int has_index);

/* A scan of a table's rows as the DDL's transaction sees them
 * (access/table.h), into batch columns 0..ncols-1 (cols as for
 * sdb_table_scan_begin).  End it with sdb_table_scan_end(scan.scan), also
 * after a failed begin (NULL is fine). */
typedef struct SdbDdlScan {
    SdbAccessContext ac;
    SdbTableScan *scan;
    SdbVector *vectors;
    SdbBatch batch;
} SdbDdlScan;
int sdb_ddl_scan_begin(SdbDdl *d, const SdbRelation *rel, const int *cols, int ncols, SdbDdlScan *scan);

/* A ctid column's datum (6 bytes, block then slot, big-endian) as a tid. */
SdbTid sdb_ddl_tid(SdbDatum d);

/* --- ddl_drop.c ------------------------------------------------------- */

/* Drop relation `rel` and what belongs to it (indexes, constraints, owned
 * sequences, defaults); `cascade` also drops other tables' foreign keys
 * pointing at it (2BP01 otherwise). */
int sdb_ddl_drop_relation(SdbDdl *d, const SdbRelation *rel, bool cascade);
/* The views whose query names relation `oid` (pg_depend 'n'). */
int sdb_ddl_dependent_views(SdbDdl *d, SdbOid oid, SdbOid **views, int *n);

/* Drop one constraint of rel (and its index). */
int sdb_ddl_drop_constraint(SdbDdl *d, const SdbRelation *rel, const SdbRelConstraint *con);

/* --- statements ------------------------------------------------------------- */

int sdb_ddl_create_table(SdbDdl *d, const SdbCreateStmt *stmt);
int sdb_ddl_index_stmt(SdbDdl *d, const SdbIndexStmt *stmt);
int sdb_ddl_drop(SdbDdl *d, const SdbDropStmt *stmt);
int sdb_ddl_alter_table(SdbDdl *d, const SdbAlterTableStmt *stmt);
int sdb_ddl_rename(SdbDdl *d, const SdbRenameStmt *stmt);
int sdb_ddl_view(SdbDdl *d, const SdbViewStmt *stmt);
int sdb_ddl_create_schema(SdbDdl *d, const SdbCreateSchemaStmt *stmt);
int sdb_ddl_comment(SdbDdl *d, const SdbCommentStmt *stmt); /* ddl_comment.c */
int sdb_ddl_seq_stmt(SdbDdl *d, const SdbCreateSeqStmt *stmt);
int sdb_ddl_createdb(SdbDdl *d, const SdbCreatedbStmt *stmt);
int sdb_ddl_dropdb(SdbDdl *d, const SdbDropdbStmt *stmt);
/* role.c */
int sdb_ddl_create_role(SdbDdl *d, const SdbCreateRoleStmt *stmt);
int sdb_ddl_alter_role(SdbDdl *d, const SdbAlterRoleStmt *stmt);
int sdb_ddl_rename_role(SdbDdl *d, const char *old_name, const char *new_name);
int sdb_ddl_drop_role(SdbDdl *d, const SdbDropRoleStmt *stmt);

#endif /* SDB_CATALOG_DDL_INT_H */
