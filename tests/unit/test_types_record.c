/*
 * test_types_record.c: anonymous records (types/record.h): built from
 * columns of any types, printed as PostgreSQL's record_out prints them
 * (quoting, NULL columns), sent in record_send's binary format, ordered
 * column by column with NULL last, and refused as input (0A000) as
 * PostgreSQL does.
 */
#include <string.h>

#include "harness.h"
#include "types/record.h"
#include "types_test_util.h"

static SdbDatum text_datum(const char *s)
{
    SdbDatum d;
    CU_ASSERT_EQUAL_FATAL(sdb_varlena_make(tt_arena, s, strlen(s), &d), SDB_OK);
    return d;
}

static const char *record_text(int n, const SdbOid *types, const SdbDatum *values, const bool *nulls)
{
    SdbDatum rec;
    CU_ASSERT_EQUAL_FATAL(sdb_record_make(tt_arena, n, types, values, nulls, &rec), SDB_OK);
    return tt_out(SDB_TYPEOID_RECORD, rec);
}

static void test_output_quotes_as_postgres(void)
{
    SdbOid types[] = {SDB_TYPEOID_TEXT, SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT, SDB_TYPEOID_TEXT, SDB_TYPEOID_BOOL};
    SdbDatum values[] = {text_datum("a"), 42, text_datum(""), text_datum("x \"y\\(,)"), 1};
    bool nulls[] = {false, false, false, false, false};
    CU_ASSERT_STRING_EQUAL(record_text(5, types, values, nulls), "(a,42,\"\",\"x \"\"y\\\\(,)\",t)");
    bool some_null[] = {true, false, false, true, true};
    CU_ASSERT_STRING_EQUAL(record_text(5, types, values, some_null), "(,42,\"\",,)");
    CU_ASSERT_STRING_EQUAL(record_text(0, types, values, nulls), "()");
}

static void test_send_format(void)
{
    SdbOid types[] = {SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT};
    SdbDatum values[] = {7, 0};
    bool nulls[] = {false, true};
    SdbDatum rec;
    CU_ASSERT_EQUAL_FATAL(sdb_record_make(tt_arena, 2, types, values, nulls, &rec), SDB_OK);
    SdbTypeCtx ctx = tt_ctx(SDB_TYPEOID_RECORD, -1);
    SdbStr out;
    sdb_str_init(&out, tt_arena);
    CU_ASSERT_EQUAL_FATAL(sdb_type_send(&ctx, rec, &out), SDB_OK);
    static const unsigned char want[] = {0, 0, 0, 2, 0, 0, 0, 23, 0, 0, 0, 4, 0, 0, 0, 7,
                                         0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff};
    CU_ASSERT_EQUAL_FATAL(out.len, sizeof want);
    CU_ASSERT_EQUAL(memcmp(out.data, want, sizeof want), 0);
}

static SdbDatum pair(const char *key, int32_t value, bool value_null)
{
    SdbOid types[] = {SDB_TYPEOID_TEXT, SDB_TYPEOID_INT4};
    SdbDatum values[] = {text_datum(key), (SdbDatum)value};
    bool nulls[] = {false, value_null};
    SdbDatum rec;
    CU_ASSERT_EQUAL_FATAL(sdb_record_make(tt_arena, 2, types, values, nulls, &rec), SDB_OK);
    return rec;
}

static void test_order(void)
{
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_RECORD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_TRUE(ops->compare(pair("a", 2, false), pair("b", 1, false)) < 0);
    CU_ASSERT_TRUE(ops->compare(pair("a", 2, false), pair("a", 10, false)) < 0);
    CU_ASSERT_TRUE(ops->compare(pair("a", 2, true), pair("a", 10, false)) > 0);
    CU_ASSERT_EQUAL(ops->compare(pair("a", 2, true), pair("a", 2, true)), 0);
    CU_ASSERT_EQUAL(ops->hash(pair("a", 2, false)), ops->hash(pair("a", 2, false)));
}

static void test_input_refused(void)
{
    SdbTypeCtx ctx = tt_ctx(SDB_TYPEOID_RECORD, -1);
    SdbDatum v;
    CU_ASSERT_EQUAL(sdb_type_input(&ctx, "(1)", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 0A000: input of anonymous composite types is not implemented");
    CU_ASSERT_EQUAL(sdb_type_receive(&ctx, "\0\0\0\0", 4, &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 0A000: input of anonymous composite types is not implemented");
}

static CU_TestInfo tests[] = {
    {"record_out quotes and leaves NULL columns empty", test_output_quotes_as_postgres},
    {"record_send format", test_send_format},
    {"record order: column by column, NULL last", test_order},
    {"record input is refused", test_input_refused},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_record", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
