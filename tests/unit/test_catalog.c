/*
 * test_catalog.c: the system catalogs (catalog/catalog.h): bootstrap of a
 * new cluster, reopening (persistence of descriptors and OIDs), lookups
 * along a search path, DDL round trips (CREATE/DROP/ALTER of tables,
 * indexes, views, schemas, sequences, databases) with PostgreSQL's error
 * codes, and rollback of DDL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "heap_test_util.h"
#include "sdb_catalog.h"
#include "sql/parser.h"
#include "storage/engine.h"
#include "storage/smgr.h"
#include "txn/xact.h"

typedef struct Db {
    SdbEngine *engine;
    SdbXactManager *xm;
    SdbCatalog *cat;
    SdbArena *arena;
} Db;

static char dir[512];

static void db_open(Db *db)
{
    SdbSettings settings;
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&settings), SDB_OK);
    settings.shared_buffers = 2048; /* kB */
    db->engine = sdb_engine_open(dir, &settings);
    sdb_settings_free(&settings);
    if (db->engine == NULL)
        sdb_error_print(stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db->engine);
    db->xm = sdb_xact_open(db->engine);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db->xm);
    db->cat = sdb_catalog_open(db->engine, db->xm, SDB_DATABASE_POSTGRES);
    if (db->cat == NULL)
        sdb_error_print(stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db->cat);
    db->arena = sdb_arena_create(NULL, "test", 0);
}

static void db_close(Db *db)
{
    CU_ASSERT_EQUAL(sdb_catalog_close(db->cat), SDB_OK);
    CU_ASSERT_EQUAL(sdb_xact_close(db->xm), SDB_OK);
    CU_ASSERT_EQUAL(sdb_engine_close(db->engine), SDB_OK);
    sdb_arena_destroy(db->arena);
}

static const char *const public_path[] = {"$user", "public"};

static const SdbRelation *lookup(Db *db, SdbTxn *txn, const char *schema, const char *name)
{
    const SdbRelation *rel = NULL;
    CU_ASSERT_EQUAL(sdb_catalog_lookup(db->cat, txn, schema, name, public_path, 2, &rel), SDB_OK);
    return rel;
}

static void test_bootstrap(void)
{
    sdb_test_tempdir(dir, sizeof dir);
    Db db;
    db_open(&db);
    const SdbRelation *rel = lookup(&db, NULL, NULL, "pg_class");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->oid, SDB_CATALOG_PG_CLASS_OID);
    CU_ASSERT_EQUAL(rel->kind, 'r');
    CU_ASSERT_TRUE(rel->system);
    CU_ASSERT_EQUAL(rel->natts, SDB_NATTS_PG_CLASS);
    CU_ASSERT_STRING_EQUAL(rel->attrs[SDB_ANUM_PG_CLASS_RELNAME - 1].name, "relname");
    CU_ASSERT_EQUAL(rel->attrs[SDB_ANUM_PG_CLASS_RELNAME - 1].type, SDB_TYPEOID_NAME);
    CU_ASSERT_TRUE(rel->attrs[SDB_ANUM_PG_CLASS_RELNAME - 1].not_null);
    CU_ASSERT_STRING_EQUAL(rel->namespace_name, "pg_catalog");
    CU_ASSERT_EQUAL(rel->file.db_oid, SDB_DATABASE_POSTGRES);
    CU_ASSERT_EQUAL(rel->file.rel_number, SDB_CATALOG_PG_CLASS_OID);

    rel = lookup(&db, NULL, "pg_catalog", "pg_database");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->file.db_oid, 0);

    rel = lookup(&db, NULL, "information_schema", "tables");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->kind, 'v');
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, NULL, "tables")); /* not on the path */
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, "nosuch", "pg_class"));

    const SdbRelation *by_oid = NULL;
    CU_ASSERT_EQUAL(sdb_catalog_relation(db.cat, NULL, SDB_CATALOG_PG_ATTRIBUTE_OID, &by_oid), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(by_oid);
    CU_ASSERT_STRING_EQUAL(by_oid->name, "pg_attribute");

    SdbOid a, b;
    CU_ASSERT_EQUAL(sdb_catalog_new_oid(db.cat, &a), SDB_OK);
    CU_ASSERT_EQUAL(sdb_catalog_new_oid(db.cat, &b), SDB_OK);
    CU_ASSERT_TRUE(a >= SDB_FIRST_NORMAL_OID);
    CU_ASSERT_EQUAL(b, a + 1);
    db_close(&db);

    /* reopen: descriptors from the heaps, OIDs continue */
    db_open(&db);
    rel = lookup(&db, NULL, NULL, "pg_attribute");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->natts, SDB_NATTS_PG_ATTRIBUTE);
    SdbOid c;
    CU_ASSERT_EQUAL(sdb_catalog_new_oid(db.cat, &c), SDB_OK);
    CU_ASSERT_TRUE(c > b);
    db_close(&db);
}


/* --- running DDL ---------------------------------------------------------- */

static char last_notice[512];

static void on_notice(void *arg, const char *sqlstate, const char *message)
{
    (void)arg;
    snprintf(last_notice, sizeof last_notice, "%s %s", sqlstate, message);
}

static void begin(Db *db, SdbTxn *txn)
{
    memset(txn, 0, sizeof *txn);
    txn->xm = db->xm;
}

static void end(Db *db, SdbTxn *txn, bool commit)
{
    if (txn->xid != SDB_INVALID_XID) {
        if (commit) {
            CU_ASSERT_EQUAL(sdb_xact_commit(db->xm, txn->xid, true, NULL), SDB_OK);
        } else {
            sdb_xact_abort(db->xm, txn->xid);
        }
    }
    sdb_catalog_end_txn(db->cat, txn, commit);
    sdb_txn_release(txn);
}

/* The session's DEFAULT evaluator, for integer constants. */
static bool evaluator_on = true;
static int eval_default(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull)
{
    (void)arg;
    const char *sql = rel->attrs[attno].default_sql;
    *isnull = sql == NULL;
    *value = sdb_datum_from_int64(sql ? atoi(sql) : 0);
    return SDB_OK;
}

/* The session's CHECK validation: fails for "fail" conditions. */
static int check_rows(void *arg, const SdbRelation *rel, const char *name, const char *check_sql)
{
    (void)arg;
    if (strstr(check_sql, "fail") == NULL)
        return SDB_OK;
    return sdb_error(SDB_ERR_CHECK_VIOLATION, "check constraint \"%s\" of relation \"%s\" is violated by some row",
                     name, rel->name);
}

/* Run every statement of sql as DDL in txn; the first failure's code. */
static int run(Db *db, SdbTxn *txn, const char *sql)
{
    SdbParseResult parsed;
    if (sdb_parse(db->arena, sql, strlen(sql), &parsed) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < parsed.count; i++) {
        const SdbRawStmt *raw = (const SdbRawStmt *)sdb_list_nth(parsed.stmts, i);
        SdbDdlContext ctx = {.catalog = db->cat, .txn = txn, .arena = db->arena, .sql = sql,
                             .search_path = public_path, .npath = 2, .notice = on_notice,
                             .eval_default = evaluator_on ? eval_default : NULL,
                             .check_rows = evaluator_on ? check_rows : NULL};
        SdbStr tag;
        sdb_str_init(&tag, db->arena);
        if (sdb_ddl_execute(&ctx, raw->stmt, &tag) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* Run sql in its own transaction, which must commit. */
static void ok(Db *db, const char *sql)
{
    SdbTxn txn;
    begin(db, &txn);
    int rc = run(db, &txn, sql);
    if (rc != SDB_OK) {
        fprintf(stderr, "\n%s\n", sql);
        sdb_error_print(stderr);
    }
    CU_ASSERT_EQUAL(rc, SDB_OK);
    end(db, &txn, rc == SDB_OK);
}

/* Run sql in its own transaction, which must fail with `code` (and the
 * message when not NULL) and is rolled back. */
static void fails(Db *db, const char *sql, SdbErrcode code, const char *message)
{
    SdbTxn txn;
    begin(db, &txn);
    int rc = run(db, &txn, sql);
    CU_ASSERT_EQUAL(rc, SDB_ERROR);
    if (rc == SDB_ERROR) {
        const SdbErrorData *e = sdb_error_last();
        if (e->code != code || (message && strcmp(e->message, message) != 0))
            fprintf(stderr, "\n%s: got %s\n", sql, e->message);
        CU_ASSERT_EQUAL(e->code, code);
        if (message != NULL)
            CU_ASSERT_STRING_EQUAL(e->message, message);
    }
    end(db, &txn, false);
}

static const SdbRelation *rel_named(Db *db, const char *name)
{
    return lookup(db, NULL, NULL, name);
}

/* The OID of the database called `name` (0: none), from pg_database. */
static SdbOid database_oid(Db *db, const char *name)
{
    SdbCatRows rows;
    CU_ASSERT_EQUAL_FATAL(
        sdb_cat_scan(db->cat, NULL, sdb_catalog_by_oid(SDB_CATALOG_PG_DATABASE_OID), db->arena, &rows), SDB_OK);
    for (size_t i = 0; i < rows.count; i++)
        if (strcmp(sdb_cat_text(rows.rows[i].values[SDB_ANUM_PG_DATABASE_DATNAME - 1]), name) == 0)
            return (SdbOid)rows.rows[i].values[SDB_ANUM_PG_DATABASE_OID - 1];
    return 0;
}

static void fresh(Db *db)
{
    sdb_test_tempdir(dir, sizeof dir);
    db_open(db);
}

/* --- tests ----------------------------------------------------------------- */

static void check_t(Db *db)
{
    const SdbRelation *t = rel_named(db, "t");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->kind, 'r');
    CU_ASSERT_FALSE(t->system);
    CU_ASSERT_STRING_EQUAL(t->namespace_name, "public");
    CU_ASSERT_EQUAL_FATAL(t->natts, 4);
    CU_ASSERT_STRING_EQUAL(t->attrs[0].name, "a");
    CU_ASSERT_EQUAL(t->attrs[0].type, SDB_TYPEOID_INT4);
    CU_ASSERT_TRUE(t->attrs[0].not_null);
    CU_ASSERT_EQUAL(t->attrs[1].type, SDB_TYPEOID_VARCHAR);
    CU_ASSERT_EQUAL(t->attrs[1].typmod, 14);
    CU_ASSERT_TRUE(t->attrs[1].not_null);
    CU_ASSERT_STRING_EQUAL(t->attrs[1].default_sql, "'x' || 'y'");
    CU_ASSERT_EQUAL(t->attrs[2].type, SDB_TYPEOID_NUMERIC);
    CU_ASSERT_EQUAL(t->attrs[2].typmod, ((10 << 16) | 2) + 4);
    CU_ASSERT_FALSE(t->attrs[2].not_null);
    CU_ASSERT_PTR_NULL(t->attrs[2].default_sql);
    CU_ASSERT_EQUAL(t->attrs[3].type, SDB_TYPEOID_INT8);
    CU_ASSERT_STRING_EQUAL(t->attrs[3].default_sql, "nextval('t_d_seq'::regclass)");
    CU_ASSERT_NOT_EQUAL(t->attrs[3].sequence_oid, 0);
    CU_ASSERT_EQUAL_FATAL(t->nindexes, 1);
    CU_ASSERT_STRING_EQUAL(t->indexes[0].name, "t_pkey");
    CU_ASSERT_TRUE(t->indexes[0].primary && t->indexes[0].unique);
    CU_ASSERT_EQUAL(t->indexes[0].nkeys, 1);
    CU_ASSERT_EQUAL(t->indexes[0].keys[0], 1);
    CU_ASSERT_EQUAL_FATAL(t->nconstraints, 2);
    const SdbRelation *seq = rel_named(db, "t_d_seq");
    CU_ASSERT_PTR_NOT_NULL_FATAL(seq);
    CU_ASSERT_EQUAL(seq->kind, 'S');
    CU_ASSERT_EQUAL(seq->oid, t->attrs[3].sequence_oid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(seq->sequence);
    CU_ASSERT_EQUAL(seq->sequence->owner_rel, t->oid);
    CU_ASSERT_EQUAL(seq->sequence->owner_attnum, 4);
    CU_ASSERT_EQUAL(seq->sequence->start, 1);
    CU_ASSERT_EQUAL(seq->sequence->max, INT64_MAX);
    const SdbRelation *ix = rel_named(db, "t_pkey");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ix);
    CU_ASSERT_EQUAL(ix->kind, 'i');
    CU_ASSERT_EQUAL(ix->index_table, t->oid);
}

static void test_create_table(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE t (a int PRIMARY KEY, b varchar(10) NOT NULL DEFAULT 'x' || 'y', c numeric(10,2), "
            "d bigserial, CHECK (c > 0))");
    check_t(&db);
    const SdbRelation *t = rel_named(&db, "t");
    bool check_found = false;
    for (int i = 0; i < t->nconstraints; i++)
        if (t->constraints[i].kind == 'c') {
            CU_ASSERT_STRING_EQUAL(t->constraints[i].name, "t_c_check");
            CU_ASSERT_STRING_EQUAL(t->constraints[i].check_sql, "c > 0");
            check_found = true;
        }
    CU_ASSERT_TRUE(check_found);
    db_close(&db);
    db_open(&db); /* persistence */
    check_t(&db);
    /* a default longer than a page goes out of line */
    SdbArena *keep = sdb_arena_create(NULL, "test texts", 0);
    SdbStr sql, expr;
    sdb_str_init(&sql, keep);
    sdb_str_init(&expr, keep);
    sdb_str_append_cstr(&expr, "'");
    for (int i = 0; i < 3000; i++)
        sdb_str_append_cstr(&expr, "ab");
    sdb_str_append_cstr(&expr, "'");
    sdb_str_appendf(&sql, "CREATE TABLE big (x text DEFAULT %s)", expr.data);
    ok(&db, sql.data);
    CU_ASSERT_STRING_EQUAL(rel_named(&db, "big")->attrs[0].default_sql, expr.data);
    db_close(&db);
    db_open(&db);
    CU_ASSERT_STRING_EQUAL(rel_named(&db, "big")->attrs[0].default_sql, expr.data);
    CU_ASSERT_NOT_EQUAL(rel_named(&db, "big")->toast.rel_number, 0);
    db_close(&db);
    sdb_arena_destroy(keep);
}

static void test_errors(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE, c int)");
    fails(&db, "CREATE TABLE t (x int)", SDB_ERR_DUPLICATE_TABLE, "relation \"t\" already exists");
    last_notice[0] = '\0';
    ok(&db, "CREATE TABLE IF NOT EXISTS t (x int)");
    CU_ASSERT_STRING_EQUAL(last_notice, "42P07 relation \"t\" already exists, skipping");
    fails(&db, "CREATE TABLE u (x foo)", SDB_ERR_UNDEFINED_OBJECT, "type \"foo\" does not exist");
    fails(&db, "CREATE TABLE u (x int, x text)", SDB_ERR_DUPLICATE_COLUMN, "column \"x\" specified more than once");
    fails(&db, "CREATE TABLE u (x int PRIMARY KEY, y int PRIMARY KEY)", SDB_ERR_INVALID_TABLE_DEFINITION,
          "multiple primary keys for table \"u\" are not allowed");
    fails(&db, "CREATE TABLE nosuch.u (x int)", SDB_ERR_INVALID_SCHEMA_NAME, "schema \"nosuch\" does not exist");
    fails(&db, "CREATE TABLE u (x int REFERENCES t (c))", SDB_ERR_INVALID_FOREIGN_KEY,
          "there is no unique constraint matching given keys for referenced table \"t\"");
    fails(&db, "CREATE TABLE u (x int REFERENCES nosuch)", SDB_ERR_UNDEFINED_TABLE, "relation \"nosuch\" does not exist");
    fails(&db, "CREATE TABLE u (x int, PRIMARY KEY (y))", SDB_ERR_UNDEFINED_COLUMN,
          "column \"y\" named in key does not exist");
    ok(&db, "CREATE SCHEMA s");
    fails(&db, "CREATE SCHEMA s", SDB_ERR_DUPLICATE_SCHEMA, "schema \"s\" already exists");
    fails(&db, "CREATE SCHEMA pg_x", SDB_ERR_RESERVED_NAME, "unacceptable schema name \"pg_x\"");
    ok(&db, "CREATE TABLE u (x int REFERENCES t, y int REFERENCES t (b) ON DELETE CASCADE)");
    fails(&db, "DROP TABLE t", SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
          "cannot drop table t because other objects depend on it");
    fails(&db, "DROP INDEX t", SDB_ERR_WRONG_OBJECT_TYPE, "\"t\" is not an index");
    fails(&db, "DROP INDEX t_pkey", SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
          "cannot drop index t_pkey because constraint t_pkey on table t requires it");
    fails(&db, "DROP TABLE nosuch", SDB_ERR_UNDEFINED_TABLE, "table \"nosuch\" does not exist");
    fails(&db, "DROP VIEW t", SDB_ERR_WRONG_OBJECT_TYPE, "\"t\" is not a view");
    fails(&db, "DROP TABLE pg_class", SDB_ERR_INSUFFICIENT_PRIVILEGE,
          "permission denied: \"pg_class\" is a system catalog");
    ok(&db, "DROP TABLE IF EXISTS nosuch");
    CU_ASSERT_STRING_EQUAL(last_notice, "00000 table \"nosuch\" does not exist, skipping");
    fails(&db, "DROP SCHEMA nosuch", SDB_ERR_INVALID_SCHEMA_NAME, "schema \"nosuch\" does not exist");
    fails(&db, "DROP DATABASE nosuch", SDB_ERR_INVALID_CATALOG_NAME, "database \"nosuch\" does not exist");
    fails(&db, "DROP DATABASE postgres", SDB_ERR_OBJECT_IN_USE, "cannot drop the currently open database");
    fails(&db, "CREATE DATABASE postgres", SDB_ERR_DUPLICATE_DATABASE, "database \"postgres\" already exists");
    fails(&db, "ALTER TABLE nosuch ADD COLUMN x int", SDB_ERR_UNDEFINED_TABLE, "relation \"nosuch\" does not exist");
    fails(&db, "ALTER TABLE t ADD COLUMN a int", SDB_ERR_DUPLICATE_COLUMN,
          "column \"a\" of relation \"t\" already exists");
    fails(&db, "ALTER TABLE t DROP COLUMN zz", SDB_ERR_UNDEFINED_COLUMN, "column \"zz\" of relation \"t\" does not exist");
    fails(&db, "ALTER TABLE t ADD PRIMARY KEY (c)", SDB_ERR_INVALID_TABLE_DEFINITION,
          "multiple primary keys for table \"t\" are not allowed");
    fails(&db, "ALTER TABLE t ALTER COLUMN a DROP NOT NULL", SDB_ERR_INVALID_TABLE_DEFINITION,
          "column \"a\" is in a primary key");
    fails(&db, "ALTER TABLE t RENAME TO u", SDB_ERR_DUPLICATE_TABLE, "relation \"u\" already exists");
    fails(&db, "CREATE SEQUENCE q INCREMENT 0", SDB_ERR_INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
    fails(&db, "CREATE SEQUENCE q MINVALUE 10 MAXVALUE 5", SDB_ERR_INVALID_PARAMETER_VALUE,
          "MINVALUE (10) must be less than MAXVALUE (5)");
    fails(&db, "CREATE TABLE v (x int GENERATED ALWAYS AS IDENTITY DEFAULT 1)", SDB_ERR_SYNTAX_ERROR, NULL);
    fails(&db, "CREATE TABLE v (x text GENERATED ALWAYS AS IDENTITY)", SDB_ERR_INVALID_PARAMETER_VALUE,
          "identity column type must be smallint, integer, or bigint");
    db_close(&db);
}

static void test_rollback(void)
{
    Db db;
    fresh(&db);
    SdbTxn txn;
    begin(&db, &txn);
    CU_ASSERT_EQUAL_FATAL(run(&db, &txn, "CREATE TABLE r (a int PRIMARY KEY); CREATE SCHEMA rs; "
                                         "CREATE TABLE rs.x (b text)"), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL(lookup(&db, &txn, NULL, "r"));
    CU_ASSERT_PTR_NOT_NULL(lookup(&db, &txn, "rs", "x"));
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, NULL, "r")); /* others do not see it */
    const SdbRelation *r = lookup(&db, &txn, NULL, "r");
    SdbRelFileId file = r->file;
    end(&db, &txn, false);
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, NULL, "r"));
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, NULL, "r_pkey"));
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, "rs", "x"));
    bool exists = true;
    CU_ASSERT_EQUAL(sdb_smgr_exists(sdb_engine_smgr(db.engine), file, SDB_FORK_MAIN, &exists), SDB_OK);
    CU_ASSERT_FALSE(exists);
    ok(&db, "CREATE TABLE r (a int)"); /* the name is free again */
    /* a rolled-back DROP leaves the table */
    begin(&db, &txn);
    CU_ASSERT_EQUAL(run(&db, &txn, "DROP TABLE r"), SDB_OK);
    CU_ASSERT_PTR_NULL(lookup(&db, &txn, NULL, "r"));
    CU_ASSERT_PTR_NOT_NULL(lookup(&db, NULL, NULL, "r"));
    end(&db, &txn, false);
    CU_ASSERT_PTR_NOT_NULL(lookup(&db, NULL, NULL, "r"));
    /* rows an aborted transaction updated or deleted can be changed again */
    ok(&db, "ALTER TABLE r ADD COLUMN b int; DROP TABLE r; CREATE TABLE r (a int)");
    db_close(&db);
    /* aborted rows stay invisible after a restart */
    db_open(&db);
    CU_ASSERT_PTR_NOT_NULL(lookup(&db, NULL, NULL, "r"));
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, "rs", "x"));
    db_close(&db);
}

static void test_alter(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE t (a int, b text)");
    ok(&db, "ALTER TABLE t ADD COLUMN c int DEFAULT 7 NOT NULL, ALTER COLUMN b SET DEFAULT 'q', "
            "ALTER COLUMN a SET NOT NULL");
    const SdbRelation *t = rel_named(&db, "t");
    CU_ASSERT_EQUAL_FATAL(t->natts, 3);
    CU_ASSERT_STRING_EQUAL(t->attrs[2].name, "c");
    CU_ASSERT_STRING_EQUAL(t->attrs[2].default_sql, "7");
    CU_ASSERT_TRUE(t->attrs[2].not_null);
    CU_ASSERT_STRING_EQUAL(t->attrs[1].default_sql, "'q'");
    CU_ASSERT_TRUE(t->attrs[0].not_null);
    ok(&db, "ALTER TABLE t ALTER COLUMN b DROP DEFAULT, ALTER COLUMN a DROP NOT NULL");
    t = rel_named(&db, "t");
    CU_ASSERT_PTR_NULL(t->attrs[1].default_sql);
    CU_ASSERT_FALSE(t->attrs[0].not_null);
    ok(&db, "ALTER TABLE t RENAME COLUMN b TO bb");
    ok(&db, "ALTER TABLE t DROP COLUMN a");
    t = rel_named(&db, "t");
    CU_ASSERT_EQUAL_FATAL(t->natts, 3);
    CU_ASSERT_TRUE(t->attrs[0].dropped);
    CU_ASSERT_STRING_EQUAL(t->attrs[1].name, "bb");
    ok(&db, "ALTER TABLE t ADD CONSTRAINT t_uq UNIQUE (bb, c)");
    t = rel_named(&db, "t");
    CU_ASSERT_EQUAL(t->nindexes, 1);
    CU_ASSERT_EQUAL(t->nconstraints, 1);
    ok(&db, "ALTER TABLE t RENAME CONSTRAINT t_uq TO t_uq2");
    CU_ASSERT_PTR_NOT_NULL(rel_named(&db, "t_uq2"));
    ok(&db, "ALTER TABLE t DROP CONSTRAINT t_uq2");
    t = rel_named(&db, "t");
    CU_ASSERT_EQUAL(t->nindexes, 0);
    CU_ASSERT_EQUAL(t->nconstraints, 0);
    CU_ASSERT_PTR_NULL(rel_named(&db, "t_uq2"));
    ok(&db, "ALTER TABLE t RENAME TO t2");
    CU_ASSERT_PTR_NULL(rel_named(&db, "t"));
    CU_ASSERT_PTR_NOT_NULL(rel_named(&db, "t2"));
    ok(&db, "ALTER TABLE t2 ADD CHECK (c > 1)");
    t = rel_named(&db, "t2");
    CU_ASSERT_EQUAL_FATAL(t->nconstraints, 1);
    CU_ASSERT_STRING_EQUAL(t->constraints[0].name, "t2_c_check");
    CU_ASSERT_STRING_EQUAL(t->constraints[0].check_sql, "c > 1");
    db_close(&db);
}

static void test_indexes_views_sequences(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE t (a int, b int, c text)");
    ok(&db, "CREATE INDEX ON t (a, b DESC)");
    const SdbRelation *t = rel_named(&db, "t");
    CU_ASSERT_EQUAL_FATAL(t->nindexes, 1);
    CU_ASSERT_STRING_EQUAL(t->indexes[0].name, "t_a_b_idx");
    CU_ASSERT_EQUAL(t->indexes[0].nkeys, 2);
    CU_ASSERT_EQUAL(t->indexes[0].key_options[0], 0);
    CU_ASSERT_EQUAL(t->indexes[0].key_options[1], 3);
    CU_ASSERT_FALSE(t->indexes[0].unique);
    ok(&db, "CREATE UNIQUE INDEX tc ON t (c)");
    ok(&db, "CREATE INDEX ON t (a)");
    CU_ASSERT_PTR_NOT_NULL(rel_named(&db, "t_a_idx"));
    ok(&db, "CREATE INDEX ON t (a)");
    CU_ASSERT_PTR_NOT_NULL(rel_named(&db, "t_a_idx1"));
    ok(&db, "DROP INDEX t_a_idx1");
    CU_ASSERT_EQUAL(rel_named(&db, "t")->nindexes, 3);

    ok(&db, "CREATE VIEW v AS SELECT a, b AS bee, 1 FROM t WHERE a > 0;");
    const SdbRelation *v = rel_named(&db, "v");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->kind, 'v');
    CU_ASSERT_STRING_EQUAL(v->view_sql, "SELECT a, b AS bee, 1 FROM t WHERE a > 0");
    CU_ASSERT_EQUAL_FATAL(v->natts, 3);
    CU_ASSERT_STRING_EQUAL(v->attrs[1].name, "bee");
    CU_ASSERT_STRING_EQUAL(v->attrs[2].name, "?column?");
    ok(&db, "CREATE OR REPLACE VIEW v AS SELECT a, b AS bee, 2 AS \"?column?\", c FROM t");
    CU_ASSERT_EQUAL(rel_named(&db, "v")->natts, 4);
    fails(&db, "CREATE VIEW v AS SELECT 1", SDB_ERR_DUPLICATE_TABLE, "relation \"v\" already exists");
    ok(&db, "DROP VIEW v");
    CU_ASSERT_PTR_NULL(rel_named(&db, "v"));

    ok(&db, "CREATE SEQUENCE s INCREMENT BY -2 CACHE 5 CYCLE");
    const SdbRelation *s = rel_named(&db, "s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->sequence);
    CU_ASSERT_EQUAL(s->sequence->increment, -2);
    CU_ASSERT_EQUAL(s->sequence->max, -1);
    CU_ASSERT_EQUAL(s->sequence->start, -1);
    CU_ASSERT_EQUAL(s->sequence->min, INT64_MIN);
    CU_ASSERT_TRUE(s->sequence->cycle);
    CU_ASSERT_EQUAL(s->sequence->cache, 5);
    ok(&db, "CREATE TABLE i (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 10), x serial)");
    const SdbRelation *i = rel_named(&db, "i");
    CU_ASSERT_EQUAL(i->attrs[0].identity, 'd');
    CU_ASSERT_PTR_NULL(i->attrs[0].default_sql);
    const SdbRelation *is = rel_named(&db, "i_id_seq");
    CU_ASSERT_PTR_NOT_NULL_FATAL(is);
    CU_ASSERT_EQUAL(is->sequence->start, 10);
    CU_ASSERT_EQUAL(is->sequence->max, INT32_MAX);
    fails(&db, "DROP SEQUENCE i_x_seq", SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
          "cannot drop sequence i_x_seq because other objects depend on it");
    ok(&db, "DROP TABLE i");
    CU_ASSERT_PTR_NULL(rel_named(&db, "i_id_seq"));
    CU_ASSERT_PTR_NULL(rel_named(&db, "i_x_seq"));
    db_close(&db);
}

static void test_cascade_and_schemas(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p ON DELETE CASCADE)");
    const SdbRelation *p = rel_named(&db, "p");
    CU_ASSERT_EQUAL_FATAL(p->nreferencing, 1);
    CU_ASSERT_STRING_EQUAL(p->referencing[0].constraint->name, "c_pid_fkey");
    CU_ASSERT_EQUAL(p->referencing[0].constraint->on_delete, 'c');
    CU_ASSERT_EQUAL(p->referencing[0].constraint->on_update, 'a');
    const SdbRelation *c = rel_named(&db, "c");
    CU_ASSERT_EQUAL_FATAL(c->nconstraints, 1);
    CU_ASSERT_EQUAL(c->constraints[0].ref_rel_oid, p->oid);
    CU_ASSERT_EQUAL(c->constraints[0].index_oid, p->indexes[0].oid);
    ok(&db, "DROP TABLE p CASCADE");
    CU_ASSERT_STRING_EQUAL(last_notice, "00000 drop cascades to constraint c_pid_fkey on table c");
    CU_ASSERT_PTR_NULL(rel_named(&db, "p"));
    CU_ASSERT_EQUAL(rel_named(&db, "c")->nconstraints, 0);

    ok(&db, "CREATE SCHEMA s; CREATE TABLE s.x (a int); CREATE TABLE s.pg_class (a int)");
    /* pg_catalog comes first unless listed */
    CU_ASSERT_EQUAL(lookup(&db, NULL, NULL, "pg_class")->oid, SDB_CATALOG_PG_CLASS_OID);
    const char *const path[] = {"s", "pg_catalog"};
    const SdbRelation *rel = NULL;
    CU_ASSERT_EQUAL(sdb_catalog_lookup(db.cat, NULL, NULL, "pg_class", path, 2, &rel), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_STRING_EQUAL(rel->namespace_name, "s");
    fails(&db, "DROP SCHEMA s", SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
          "cannot drop schema s because other objects depend on it");
    ok(&db, "ALTER SCHEMA s RENAME TO s2");
    CU_ASSERT_STRING_EQUAL(lookup(&db, NULL, "s2", "x")->namespace_name, "s2");
    ok(&db, "DROP SCHEMA s2 CASCADE");
    CU_ASSERT_PTR_NULL(lookup(&db, NULL, "s2", "x"));

    ok(&db, "CREATE DATABASE other");
    SdbOid other_oid = database_oid(&db, "other");
    CU_ASSERT_NOT_EQUAL_FATAL(other_oid, 0);
    SdbCatalog *other = sdb_catalog_open(db.engine, db.xm, other_oid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    const SdbRelation *oc = NULL;
    CU_ASSERT_EQUAL(sdb_catalog_lookup(other, NULL, NULL, "pg_class", public_path, 2, &oc), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(oc);
    CU_ASSERT_EQUAL(oc->file.db_oid, other_oid);
    CU_ASSERT_EQUAL(sdb_catalog_lookup(other, NULL, NULL, "c", public_path, 2, &oc), SDB_OK);
    CU_ASSERT_PTR_NULL(oc); /* databases have their own catalogs */
    CU_ASSERT_EQUAL(sdb_catalog_close(other), SDB_OK);
    ok(&db, "DROP DATABASE other");
    CU_ASSERT_EQUAL(database_oid(&db, "other"), 0);
    db_close(&db);
}

/* Insert rows (a int, b text; b NULL when NULL) into `table` and commit. */
static void insert_rows(Db *db, const char *table, int n, const int *a, const char *const *b)
{
    SdbTxn txn;
    begin(db, &txn);
    CU_ASSERT_EQUAL_FATAL(sdb_txn_take_snapshot(&txn, db->arena), SDB_OK);
    const SdbRelation *rel = lookup(db, &txn, NULL, table);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    SdbAccessContext ac = {.engine = db->engine, .catalog = db->cat, .txn = &txn, .arena = db->arena};
    for (int i = 0; i < n; i++) {
        SdbDatum values[2] = {sdb_datum_from_int64(a[i]), 0};
        bool nulls[2] = {false, b == NULL || b[i] == NULL};
        if (!nulls[1])
            CU_ASSERT_EQUAL(sdb_varlena_make(db->arena, b[i], strlen(b[i]), &values[1]), SDB_OK);
        SdbTid tid;
        int rc = sdb_table_insert(&ac, rel, values, nulls, &tid);
        if (rc != SDB_OK)
            sdb_error_print(stderr);
        CU_ASSERT_EQUAL(rc, SDB_OK);
    }
    end(db, &txn, true);
}

/* The number of rows of `table` whose first index has key (value). */
static int index_count(Db *db, const char *table, const char *index_name, int value)
{
    SdbTxn txn;
    begin(db, &txn);
    CU_ASSERT_EQUAL_FATAL(sdb_txn_take_snapshot(&txn, db->arena), SDB_OK);
    const SdbRelation *rel = lookup(db, &txn, NULL, table);
    const SdbIndex *index = NULL;
    for (int i = 0; i < rel->nindexes; i++)
        if (strcmp(rel->indexes[i].name, index_name) == 0)
            index = &rel->indexes[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    SdbAccessContext ac = {.engine = db->engine, .catalog = db->cat, .txn = &txn, .arena = db->arena};
    SdbDatum eq = sdb_datum_from_int64(value);
    SdbIndexRange range = {.neq = 1, .eq = &eq};
    int col = 0, count = 0;
    SdbDatum values[SDB_BATCH_SIZE];
    uint64_t nullbits[SDB_BATCH_SIZE / 64];
    SdbVector vec = {.type = SDB_TYPEOID_INT4, .typmod = -1, .values = values, .nulls = nullbits};
    SdbBatch batch = {.ncols = 1, .cols = &vec};
    SdbTableScan *scan = sdb_index_scan_begin(&ac, rel, index, &range, &col, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    while (sdb_table_scan_next(scan, &batch) == SDB_OK && batch.nrows > 0)
        count += batch.nrows;
    sdb_table_scan_end(scan);
    end(db, &txn, true);
    return count;
}

/* DDL over tables with rows: index builds, uniqueness, NOT NULL and
 * foreign key checks of existing rows. */
static void test_existing_rows(void)
{
    Db db;
    fresh(&db);
    ok(&db, "CREATE TABLE t (a int, b text)");
    const int a[] = {1, 1, 2, 3};
    const char *const b[] = {"x", "y", NULL, NULL};
    insert_rows(&db, "t", 4, a, b);
    fails(&db, "CREATE UNIQUE INDEX ON t (a)", SDB_ERR_UNIQUE_VIOLATION, "could not create unique index \"t_a_idx\"");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Key (a)=(1) is duplicated.");
    ok(&db, "CREATE UNIQUE INDEX ON t (b)"); /* NULLs are distinct */
    ok(&db, "CREATE INDEX ON t (a)");
    CU_ASSERT_EQUAL(index_count(&db, "t", "t_a_idx", 1), 2);
    CU_ASSERT_EQUAL(index_count(&db, "t", "t_a_idx", 2), 1);
    CU_ASSERT_EQUAL(index_count(&db, "t", "t_a_idx", 9), 0);
    fails(&db, "ALTER TABLE t ALTER COLUMN b SET NOT NULL", SDB_ERR_NOT_NULL_VIOLATION,
          "column \"b\" of relation \"t\" contains null values");
    fails(&db, "ALTER TABLE t ADD COLUMN c int NOT NULL", SDB_ERR_NOT_NULL_VIOLATION,
          "column \"c\" of relation \"t\" contains null values");
    ok(&db, "ALTER TABLE t ALTER COLUMN a SET NOT NULL");
    ok(&db, "ALTER TABLE t ADD COLUMN d int DEFAULT 5 NOT NULL");
    ok(&db, "CREATE INDEX td ON t (d)");
    CU_ASSERT_EQUAL(index_count(&db, "t", "td", 5), 4);
    fails(&db, "ALTER TABLE t ADD CONSTRAINT c1 CHECK (b <> 'fail')", SDB_ERR_CHECK_VIOLATION,
          "check constraint \"c1\" of relation \"t\" is violated by some row");
    ok(&db, "ALTER TABLE t ADD CONSTRAINT c1 CHECK (a > 0)");
    evaluator_on = false;
    fails(&db, "ALTER TABLE t ADD COLUMN e int DEFAULT 6", SDB_ERR_FEATURE_NOT_SUPPORTED, NULL);
    fails(&db, "ALTER TABLE t ADD CHECK (a > 1)", SDB_ERR_FEATURE_NOT_SUPPORTED, NULL);
    evaluator_on = true;
    fails(&db, "ALTER TABLE t ADD PRIMARY KEY (a)", SDB_ERR_UNIQUE_VIOLATION, "could not create unique index \"t_pkey\"");
    ok(&db, "CREATE TABLE p (id int PRIMARY KEY)");
    const int ids[] = {1, 2};
    insert_rows(&db, "p", 2, ids, NULL);
    fails(&db, "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p", SDB_ERR_FOREIGN_KEY_VIOLATION,
          "insert or update on table \"t\" violates foreign key constraint \"t_a_fkey\"");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Key (a)=(3) is not present in table \"p\".");
    const int more[] = {3};
    insert_rows(&db, "p", 1, more, NULL);
    ok(&db, "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p");
    CU_ASSERT_EQUAL(rel_named(&db, "p")->nreferencing, 1);
    db_close(&db);
}

/* Many tables in one transaction and across many: names stay right. */
static void test_many_tables(void)
{
    Db db;
    fresh(&db);
    char sql[256];
    SdbTxn txn;
    begin(&db, &txn);
    for (int i = 0; i < 50; i++) {
        snprintf(sql, sizeof sql, "CREATE TABLE m%d (a int PRIMARY KEY, b text UNIQUE)", i);
        CU_ASSERT_EQUAL(run(&db, &txn, sql), SDB_OK);
    }
    end(&db, &txn, true);
    for (int i = 0; i < 100; i++) {
        snprintf(sql, sizeof sql, "CREATE TABLE n%d (a serial, b int REFERENCES m%d); DROP TABLE n%d", i, i % 50,
                 i / 2);
        if (i % 2 == 1)
            ok(&db, sql);
        else {
            snprintf(sql, sizeof sql, "CREATE TABLE n%d (a serial, b int REFERENCES m%d)", i, i % 50);
            ok(&db, sql);
        }
    }
    int present = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(sql, sizeof sql, "n%d", i);
        present += rel_named(&db, sql) != NULL;
    }
    CU_ASSERT_EQUAL(present, 50);
    CU_ASSERT_EQUAL(rel_named(&db, "m0")->nreferencing, 1);
    /* replaced descriptors were freed once no transaction could hold them */
    CU_ASSERT_TRUE(db.cat->nretired < 16);
    /* ... but not while one that looked them up runs */
    SdbTxn reader;
    begin(&db, &reader);
    const SdbRelation *held = lookup(&db, &reader, NULL, "m1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);
    ok(&db, "ALTER TABLE m1 ADD COLUMN extra int");
    ok(&db, "ALTER TABLE m1 RENAME COLUMN extra TO extra2");
    CU_ASSERT_STRING_EQUAL(held->name, "m1"); /* still readable (ASan) */
    CU_ASSERT_EQUAL(held->natts, 2);
    CU_ASSERT_EQUAL(lookup(&db, &reader, NULL, "m1")->natts, 3);
    end(&db, &reader, true);
    db_close(&db);
    db_open(&db);
    CU_ASSERT_EQUAL(rel_named(&db, "m0")->nreferencing, 1);
    CU_ASSERT_PTR_NULL(rel_named(&db, "n0"));
    CU_ASSERT_PTR_NOT_NULL(rel_named(&db, "n99"));
    db_close(&db);
}

/* In a child that then dies: commit CREATE TABLE a (with an index), leave
 * CREATE TABLE b uncommitted, flush the WAL. */
static int crash_child(void *arg)
{
    (void)arg;
    Db db;
    db_open(&db);
    ok(&db, "CREATE TABLE a (x int PRIMARY KEY, y text DEFAULT 'd')");
    SdbTxn txn;
    begin(&db, &txn);
    if (run(&db, &txn, "CREATE TABLE b (x int)") != SDB_OK)
        return 1;
    return heap_test_flush_wal(db.engine) == SDB_OK ? 0 : 1;
}

static void test_crash(void)
{
    Db db;
    fresh(&db);
    db_close(&db);
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, NULL), 0);
    db_open(&db);
    const SdbRelation *a = rel_named(&db, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_STRING_EQUAL(a->attrs[1].default_sql, "'d'");
    CU_ASSERT_EQUAL(a->nindexes, 1);
    CU_ASSERT_PTR_NULL(rel_named(&db, "b"));
    SdbOid oid;
    CU_ASSERT_EQUAL(sdb_catalog_new_oid(db.cat, &oid), SDB_OK);
    CU_ASSERT_TRUE(oid > a->indexes[0].oid); /* no OID handed out twice */
    ok(&db, "CREATE TABLE b (x int)");
    db_close(&db);
}

/* Every system view's definition parses, and bootstrap stored it. */
static void test_view_definitions(void)
{
    Db db;
    fresh(&db);
    for (int i = 0; i < SDB_CATALOG_REL_COUNT; i++) {
        const SdbCatalogRel *crel = &sdb_catalog_rels[i];
        if (crel->kind != SDB_CATALOG_VIEW)
            continue;
        SdbParseResult parsed;
        int rc = sdb_parse(db.arena, crel->definition, strlen(crel->definition), &parsed);
        if (rc != SDB_OK) {
            fprintf(stderr, "\n%s.%s: ", crel->schema, crel->name);
            sdb_error_print(stderr);
        }
        CU_ASSERT_EQUAL(rc, SDB_OK);
        const SdbRelation *rel = lookup(&db, NULL, crel->schema, crel->name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
        CU_ASSERT_EQUAL(rel->kind, 'v');
        CU_ASSERT_EQUAL(rel->natts, crel->ncolumns);
        CU_ASSERT_STRING_EQUAL(rel->view_sql, crel->definition);
    }
    db_close(&db);
}

static CU_TestInfo tests[] = {
    {"bootstrap and reopen", test_bootstrap},
    {"create table, reopen", test_create_table},
    {"error codes", test_errors},
    {"rollback", test_rollback},
    {"alter table", test_alter},
    {"indexes, views, sequences", test_indexes_views_sequences},
    {"cascade, schemas", test_cascade_and_schemas},
    {"system view definitions", test_view_definitions},
    {"DDL over existing rows", test_existing_rows},
    {"many tables", test_many_tables},
    {"crash: committed DDL kept, uncommitted gone", test_crash},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"catalog", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
