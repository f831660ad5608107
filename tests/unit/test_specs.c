/*
 * test_specs.c: the generated type and key word tables (spec/types.toml,
 * spec/keywords.toml) and their lookups.
 */
#include <string.h>

#include "harness.h"
#include "sdb_keywords.h"
#include "sdb_types.h"

static void test_type_lookup(void)
{
    const SdbTypeInfo *t = sdb_type_by_name("int4");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->oid, 23);
    CU_ASSERT_EQUAL(t->array_oid, 1007);
    CU_ASSERT_EQUAL(t->len, 4);
    CU_ASSERT_TRUE(t->byval);
    CU_ASSERT_EQUAL(t->category, 'N');
    CU_ASSERT_PTR_EQUAL(sdb_type_by_oid(SDB_TYPEOID_INT4), t);
    CU_ASSERT_PTR_NULL(sdb_type_by_oid(4242));
    CU_ASSERT_PTR_NULL(sdb_type_by_name("integer")); /* SQL spellings are the parser's job */
    CU_ASSERT_EQUAL(SDB_TYPEOID_TEXT, 25);
    CU_ASSERT_EQUAL(SDB_TYPEOID_TIMESTAMPTZ, 1184);
    CU_ASSERT_EQUAL(SDB_TYPEOID_JSONB_ARRAY, 3807);
    CU_ASSERT_TRUE(sdb_type_by_name("text")->preferred);
}

static void test_array_types(void)
{
    const SdbTypeInfo *a = sdb_type_by_name("_int8");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->oid, 1016);
    CU_ASSERT_EQUAL(a->elem_oid, SDB_TYPEOID_INT8);
    CU_ASSERT_EQUAL(a->category, 'A');
    CU_ASSERT_EQUAL(a->len, -1);
    CU_ASSERT_EQUAL(a->align, 'd');
    CU_ASSERT_STRING_EQUAL(a->input, "array_in");
    /* name is a fixed-length array of "char", as in PostgreSQL. */
    CU_ASSERT_EQUAL(sdb_type_by_name("name")->elem_oid, SDB_TYPEOID_CHAR);
    CU_ASSERT_EQUAL(sdb_type_by_name("oidvector")->elem_oid, SDB_TYPEOID_OID);
    /* Every base type with an array has a matching array entry. */
    for (int i = 0; i < SDB_TYPE_COUNT; i++) {
        const SdbTypeInfo *t = &sdb_types[i];
        if (i > 0)
            CU_ASSERT_TRUE(sdb_types[i - 1].oid < t->oid); /* sorted, unique */
        if (t->array_oid) {
            const SdbTypeInfo *arr = sdb_type_by_oid(t->array_oid);
            CU_ASSERT_PTR_NOT_NULL_FATAL(arr);
            CU_ASSERT_EQUAL(arr->elem_oid, t->oid);
            CU_ASSERT_EQUAL(arr->name[0], '_');
            CU_ASSERT_STRING_EQUAL(arr->name + 1, t->name);
        }
        CU_ASSERT_PTR_EQUAL(sdb_type_by_name(t->name), t);
    }
}

static void test_keyword_lookup(void)
{
    int select = sdb_keyword_lookup("select", 6);
    CU_ASSERT_EQUAL(select, SDB_KEYWORD_SELECT);
    CU_ASSERT_EQUAL(sdb_keywords[select].category, SDB_KW_RESERVED);
    CU_ASSERT_EQUAL(sdb_keyword_lookup("SeLeCt", 6), SDB_KEYWORD_SELECT);
    CU_ASSERT_EQUAL(sdb_keyword_lookup("selection", 6), SDB_KEYWORD_SELECT); /* only len bytes count */
    CU_ASSERT_EQUAL(sdb_keyword_lookup("selec", 5), -1);
    CU_ASSERT_EQUAL(sdb_keyword_lookup("", 0), -1);
    CU_ASSERT_EQUAL(sdb_keyword_lookup("a_very_long_identifier_that_is_no_keyword", 41), -1);
    CU_ASSERT_EQUAL(sdb_keywords[sdb_keyword_lookup("abort", 5)].category, SDB_KW_UNRESERVED);
    CU_ASSERT_EQUAL(sdb_keywords[sdb_keyword_lookup("between", 7)].category, SDB_KW_COL_NAME);
    CU_ASSERT_EQUAL(sdb_keywords[sdb_keyword_lookup("join", 4)].category, SDB_KW_TYPE_FUNC_NAME);
    CU_ASSERT_FALSE(sdb_keywords[sdb_keyword_lookup("from", 4)].bare_label);
    CU_ASSERT_TRUE(sdb_keywords[sdb_keyword_lookup("abort", 5)].bare_label);
    /* Every key word finds itself, in upper case too. */
    for (int i = 0; i < SDB_KEYWORD_COUNT; i++) {
        char upper[64];
        size_t len = strlen(sdb_keywords[i].name);
        for (size_t j = 0; j <= len; j++)
            upper[j] = (char)((sdb_keywords[i].name[j] >= 'a' && sdb_keywords[i].name[j] <= 'z')
                                  ? sdb_keywords[i].name[j] - 32
                                  : sdb_keywords[i].name[j]);
        CU_ASSERT_EQUAL(sdb_keyword_lookup(upper, len), i);
        if (i > 0)
            CU_ASSERT_TRUE(strcmp(sdb_keywords[i - 1].name, sdb_keywords[i].name) < 0);
    }
    CU_ASSERT_TRUE(SDB_KEYWORD_COUNT >= 450);
}

static CU_TestInfo tests[] = {
    {"type lookup", test_type_lookup},
    {"array types", test_array_types},
    {"keyword lookup", test_keyword_lookup},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"specs", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
