/*
 * test_catalog.c: the system catalogs (catalog/catalog.h): bootstrap of a
 * new cluster, reopening (persistence of descriptors and OIDs), lookups
 * along a search path, DDL round trips (CREATE/DROP/ALTER of tables,
 * indexes, views, schemas, sequences, databases) with PostgreSQL's error
 * codes, and rollback of DDL.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "sdb_catalog.h"
#include "sql/parser.h"
#include "storage/engine.h"
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

static CU_TestInfo tests[] = {
    {"bootstrap and reopen", test_bootstrap},
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
