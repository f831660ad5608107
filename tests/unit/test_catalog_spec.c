/*
 * test_catalog_spec.c: the generated catalog descriptors (spec/catalog.toml):
 * OIDs and attribute numbers, lookups by OID, by schema and name and by
 * column name, and the invariants every relation keeps.
 */
#include <string.h>

#include "harness.h"
#include "sdb_catalog.h"

static void test_lookup_by_oid(void)
{
    const SdbCatalogRel *rel = sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(SDB_CATALOG_PG_CLASS_OID, 1259);
    CU_ASSERT_STRING_EQUAL(rel->schema, "pg_catalog");
    CU_ASSERT_STRING_EQUAL(rel->name, "pg_class");
    CU_ASSERT_EQUAL(rel->kind, SDB_CATALOG_TABLE);
    CU_ASSERT_FALSE(rel->shared);
    CU_ASSERT_EQUAL(sdb_catalog_by_oid(1262)->shared, true); /* pg_database */
    CU_ASSERT_EQUAL(sdb_catalog_by_oid(1260)->shared, true); /* pg_authid */
    CU_ASSERT_STRING_EQUAL(sdb_catalog_by_oid(2615)->name, "pg_namespace");
    CU_ASSERT_PTR_NULL(sdb_catalog_by_oid(SDB_INVALID_OID));
    CU_ASSERT_PTR_NULL(sdb_catalog_by_oid(4242));
}

static void test_lookup_by_name(void)
{
    const SdbCatalogRel *rel = sdb_catalog_by_name("pg_catalog", "pg_attribute");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->oid, 1249);
    rel = sdb_catalog_by_name("information_schema", "tables");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->oid, SDB_CATALOG_INFORMATION_SCHEMA_TABLES_OID);
    CU_ASSERT_EQUAL(rel->kind, SDB_CATALOG_VIEW);
    CU_ASSERT_EQUAL(sdb_catalog_by_name("pg_catalog", "pg_roles")->kind, SDB_CATALOG_VIEW);
    CU_ASSERT_PTR_NULL(sdb_catalog_by_name("pg_catalog", "tables")); /* the schema counts */
    CU_ASSERT_PTR_NULL(sdb_catalog_by_name("public", "pg_class"));
    CU_ASSERT_PTR_NULL(sdb_catalog_by_name("pg_catalog", "PG_CLASS")); /* names are case-folded already */
    CU_ASSERT_PTR_NULL(sdb_catalog_by_name("pg_catalog", ""));
}

static void test_columns(void)
{
    const SdbCatalogRel *rel = sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(rel->ncolumns, SDB_NATTS_PG_CLASS);
    CU_ASSERT_EQUAL(SDB_ANUM_PG_CLASS_OID, 1);
    CU_ASSERT_EQUAL(SDB_ANUM_PG_CLASS_RELNAME, 2);
    const SdbCatalogColumn *relname = &rel->columns[SDB_ANUM_PG_CLASS_RELNAME - 1];
    CU_ASSERT_STRING_EQUAL(relname->name, "relname");
    CU_ASSERT_EQUAL(relname->type_oid, SDB_TYPEOID_NAME);
    CU_ASSERT_EQUAL(relname->typmod, -1);
    CU_ASSERT_TRUE(relname->not_null);
    CU_ASSERT_PTR_EQUAL(sdb_catalog_column(rel, "relname"), relname);
    CU_ASSERT_EQUAL(sdb_catalog_column(rel, "relacl")->type_oid, SDB_TYPEOID_ACLITEM_ARRAY);
    CU_ASSERT_FALSE(sdb_catalog_column(rel, "relacl")->not_null);
    CU_ASSERT_EQUAL(sdb_catalog_column(rel, "relkind")->type_oid, SDB_TYPEOID_CHAR);
    CU_ASSERT_PTR_NULL(sdb_catalog_column(rel, "attname"));

    const SdbCatalogRel *cols = sdb_catalog_by_name("information_schema", "columns");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cols);
    const SdbCatalogColumn *name = sdb_catalog_column(cols, "column_name");
    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    CU_ASSERT_EQUAL(name->attnum, SDB_ANUM_INFORMATION_SCHEMA_COLUMNS_COLUMN_NAME);
    CU_ASSERT_EQUAL(name->type_oid, SDB_TYPEOID_SQL_IDENTIFIER);
    CU_ASSERT_STRING_EQUAL(sdb_type_by_oid(name->type_oid)->name, "sql_identifier");
}

/* Sorted unique OIDs, every relation found by its own name, attribute
 * numbers 1..n, every column type a known type, no not-null view column. */
static void test_invariants(void)
{
    CU_ASSERT_TRUE(SDB_CATALOG_REL_COUNT >= 25);
    for (int i = 0; i < SDB_CATALOG_REL_COUNT; i++) {
        const SdbCatalogRel *rel = &sdb_catalog_rels[i];
        if (i > 0)
            CU_ASSERT_TRUE(sdb_catalog_rels[i - 1].oid < rel->oid);
        CU_ASSERT_PTR_EQUAL(sdb_catalog_by_oid(rel->oid), rel);
        CU_ASSERT_PTR_EQUAL(sdb_catalog_by_name(rel->schema, rel->name), rel);
        CU_ASSERT_TRUE(rel->ncolumns > 0);
        CU_ASSERT_FALSE(rel->shared && rel->kind == SDB_CATALOG_VIEW);
        for (int j = 0; j < rel->ncolumns; j++) {
            const SdbCatalogColumn *col = &rel->columns[j];
            CU_ASSERT_EQUAL(col->attnum, j + 1);
            CU_ASSERT_PTR_NOT_NULL(sdb_type_by_oid(col->type_oid));
            CU_ASSERT_PTR_EQUAL(sdb_catalog_column(rel, col->name), col);
            if (rel->kind == SDB_CATALOG_VIEW)
                CU_ASSERT_FALSE(col->not_null);
        }
    }
}

static CU_TestInfo tests[] = {
    {"lookup by oid", test_lookup_by_oid},
    {"lookup by name", test_lookup_by_name},
    {"columns", test_columns},
    {"invariants", test_invariants},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"catalog spec", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
