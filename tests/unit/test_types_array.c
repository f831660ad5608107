/*
 * test_types_array.c: arrays of every element kind (quoting, escapes, NULL
 * elements, nesting, explicit bounds, errors), int2vector/oidvector, the
 * wire format with its checks, deconstruct/build, and array order (answers
 * taken from PostgreSQL 15).
 */
#include "harness.h"
#include "types/array.h"
#include "types_test_util.h"

static const TtCase array_cases[] = {
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{a{b}", "ERROR 22P02: malformed array literal: \"{a{b}\" DETAIL: Unexpected \"{\" character."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{1,2,3}", "{1,2,3}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{1,2},{3,4}}", "{{1,2},{3,4}}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{}", "{}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{ 1 , 2 }", "{1,2}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{NULL,1,null}", "{NULL,1,NULL}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[2:3]={1,2}", "[2:3]={1,2}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[0:1][1:2]={{1,2},{3,4}}", "[0:1][1:2]={{1,2},{3,4}}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[-3:-1]={7,8,9}", "[-3:-1]={7,8,9}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{{1},{2}},{{3},{4}}}", "{{{1},{2}},{{3},{4}}}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{},{}}", "ERROR 22P02: malformed array literal: \"{{},{}}\" DETAIL: Unexpected \"}\" character."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{1,{2}}", "ERROR 22P02: malformed array literal: \"{1,{2}}\" DETAIL: Unexpected \"{\" character."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{1},2}", "ERROR 22P02: malformed array literal: \"{{1},2}\" DETAIL: Unexpected array element."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{1,2},{3}}", "ERROR 22P02: malformed array literal: \"{{1,2},{3}}\" DETAIL: Multidimensional arrays must have sub-arrays with matching dimensions."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[1:2]={1,2,3}", "ERROR 22P02: malformed array literal: \"[1:2]={1,2,3}\" DETAIL: Specified array dimensions do not match array contents."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{1,2}x", "ERROR 22P02: malformed array literal: \"{1,2}x\" DETAIL: Junk after closing right brace."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "1,2", "ERROR 22P02: malformed array literal: \"1,2\" DETAIL: Array value must start with \"{\" or dimension information."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{1,2", "ERROR 22P02: malformed array literal: \"{1,2\" DETAIL: Unexpected end of input."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[3:2]={}", "ERROR 2202E: upper bound cannot be less than lower bound"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{a}", "ERROR 22P02: invalid input syntax for type integer: \"a\""},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{\"1\"}", "{1}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{1,,2}", "ERROR 22P02: malformed array literal: \"{1,,2}\" DETAIL: Unexpected \",\" character."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{,}", "ERROR 22P02: malformed array literal: \"{,}\" DETAIL: Unexpected \",\" character."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[3]={1,2,3}", "{1,2,3}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[1:2]{1,2}", "ERROR 22P02: malformed array literal: \"[1:2]{1,2}\" DETAIL: Missing \"=\" after array dimensions."},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{{{{{{1}}}}}}}", "ERROR 54000: number of array dimensions (7) exceeds the maximum allowed (6)"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{{{{{{1}}}}}}", "{{{{{{1}}}}}}"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "{9999999999}", "ERROR 22003: value \"9999999999\" is out of range for type integer"},
    {SDB_TYPEOID_INT4_ARRAY, -1, "[1:1]={\"NULL\"}", "ERROR 22P02: invalid input syntax for type integer: \"NULL\""},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{a b,\"c,d\",NULL,\"NULL\",\"\",  x  ,\"\\\"q\\\"\"}", "{\"a b\",\"c,d\",NULL,\"NULL\",\"\",x,\"\\\"q\\\"\"}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{\"a\\\\b\",c\\,d,e\\\"f}", "{\"a\\\\b\",\"c,d\",\"e\\\"f\"}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "[0:1]={a,b}", "[0:1]={a,b}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{\"{}\",\",\",\"\\\\\",ab}", "{\"{}\",\",\",\"\\\\\",ab}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{\"\",\"\"}", "{\"\",\"\"}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{{a,b},{c,NULL}}", "{{a,b},{c,NULL}}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{  \"quoted\"  ,unquoted  }", "{quoted,unquoted}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{a\"b}", "ERROR 22P02: malformed array literal: \"{a\"b}\" DETAIL: Unexpected array element."},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{\"a\"b}", "ERROR 22P02: malformed array literal: \"{\"a\"b}\" DETAIL: Unexpected array element."},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{x\\ ,\\ y}", "{\"x \",\" y\"}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{NULL\\,a}", "{\"NULL,a\"}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{\"null\",Null,nULL}", "{\"null\",NULL,NULL}"},
    {SDB_TYPEOID_TEXT_ARRAY, -1, "{é,ü}", "{é,ü}"},
    {SDB_TYPEOID_BYTEA_ARRAY, -1, "{\"\\\\x01ff\",NULL}", "{\"\\\\x01ff\",NULL}"},
    {SDB_TYPEOID_FLOAT8_ARRAY, -1, "{1.5,NaN,-Infinity,1e100}", "{1.5,NaN,-Infinity,1e+100}"},
    {SDB_TYPEOID_NUMERIC_ARRAY, -1, "{1.50,NaN,-0.001}", "{1.50,NaN,-0.001}"},
    {SDB_TYPEOID_BOOL_ARRAY, -1, "{t,f,yes,NULL}", "{t,f,t,NULL}"},
    {SDB_TYPEOID_DATE_ARRAY, -1, "{2020-01-01,infinity}", "{2020-01-01,infinity}"},
    {SDB_TYPEOID_TIMESTAMPTZ_ARRAY, -1, "{\"2020-01-01 00:00:00+00\"}", "{\"2020-01-01 00:00:00+00\"}"},
    {SDB_TYPEOID_INTERVAL_ARRAY, -1, "{\"1 day\",-00:00:01}", "{\"1 day\",-00:00:01}"},
    {SDB_TYPEOID_JSONB_ARRAY, -1, "{\"{\\\"a\\\": 1}\",\"[1, 2]\"}", "{\"{\\\"a\\\": 1}\",\"[1, 2]\"}"},
    {SDB_TYPEOID_UUID_ARRAY, -1, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"},
    {SDB_TYPEOID_CHAR_ARRAY, -1, "{a,b}", "{a,b}"},
    {SDB_TYPEOID_NAME_ARRAY, -1, "{pg_class}", "{pg_class}"},
    {SDB_TYPEOID_VARCHAR_ARRAY, -1, "{abc,\"a b\"}", "{abc,\"a b\"}"},
    {SDB_TYPEOID_INT2_ARRAY, -1, "{1,-32768}", "{1,-32768}"},
    {SDB_TYPEOID_INT2_ARRAY, -1, "{32768}", "ERROR 22003: value \"32768\" is out of range for type smallint"},
    {SDB_TYPEOID_INT8_ARRAY, -1, "{9223372036854775807}", "{9223372036854775807}"},
    {SDB_TYPEOID_OID_ARRAY, -1, "{4294967295}", "{4294967295}"},
    {SDB_TYPEOID_TID_ARRAY, -1, "{\"(1,2)\"}", "{\"(1,2)\"}"},
    {SDB_TYPEOID_JSON_ARRAY, -1, "{\"{\\\"a\\\":1}\"}", "{\"{\\\"a\\\":1}\"}"},
    {SDB_TYPEOID_TIMETZ_ARRAY, -1, "{\"12:00:00+05\"}", "{12:00:00+05}"},
    {SDB_TYPEOID_BPCHAR_ARRAY, -1, "{\"a  \",b}", "{\"a  \",b}"},
    {SDB_TYPEOID_INT2VECTOR, -1, "1 2 3", "1 2 3"},
    {SDB_TYPEOID_INT2VECTOR, -1, "", ""},
    {SDB_TYPEOID_INT2VECTOR, -1, "  4   5  ", "4 5"},
    {SDB_TYPEOID_INT2VECTOR, -1, "1 x", "ERROR 22P02: invalid input syntax for type smallint: \"x\""},
    {SDB_TYPEOID_INT2VECTOR, -1, "40000", "ERROR 22003: value \"40000\" is out of range for type smallint"},
    {SDB_TYPEOID_OIDVECTOR, -1, "1 2 4294967295", "1 2 4294967295"},
    {SDB_TYPEOID_OIDVECTOR, -1, "", ""},
    {SDB_TYPEOID_VARCHAR_ARRAY, 6, "{ab,abc}", "ERROR 22001: value too long for type character varying(2)"},
    {SDB_TYPEOID_NUMERIC_ARRAY, ((4 << 16) | 1) + 4, "{1.25,-3}", "{1.3,-3.0}"},
};

static void test_array_io(void)
{
    TT_RUN(array_cases);
}

static void test_build_and_deconstruct(void)
{
    SdbArray a;
    CU_ASSERT_EQUAL_FATAL(sdb_array_deconstruct(tt_arena, tt_in(SDB_TYPEOID_TEXT_ARRAY, "[0:1][5:7]={{a,NULL,c},{d,e,\"\"}}"), &a), SDB_OK);
    CU_ASSERT_EQUAL(a.ndim, 2);
    CU_ASSERT_EQUAL(a.dims[0], 2);
    CU_ASSERT_EQUAL(a.dims[1], 3);
    CU_ASSERT_EQUAL(a.lbound[0], 0);
    CU_ASSERT_EQUAL(a.lbound[1], 5);
    CU_ASSERT_EQUAL(a.elemtype, SDB_TYPEOID_TEXT);
    CU_ASSERT_EQUAL(a.nitems, 6);
    CU_ASSERT_TRUE(a.nulls[1]);
    CU_ASSERT_FALSE(a.nulls[5]);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_TEXT, a.values[3]), "d");
    a.values[3] = tt_in(SDB_TYPEOID_TEXT, "x y");
    a.nulls[1] = false;
    a.values[1] = tt_in(SDB_TYPEOID_TEXT, "b");
    SdbDatum built;
    CU_ASSERT_EQUAL_FATAL(sdb_array_build(tt_arena, &a, &built), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_TEXT_ARRAY, built), "[0:1][5:7]={{a,b,c},{\"x y\",e,\"\"}}");
}

static void test_wire(void)
{
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT4_ARRAY, "[0:1]={1,NULL}"),
                           "00000001" "00000001" "00000017" "00000002" "00000000" "00000004" "00000001" "ffffffff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT4_ARRAY, "{}"), "00000000" "00000000" "00000017");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TEXT_ARRAY, "{ab}"),
                           "00000001" "00000000" "00000019" "00000001" "00000001" "00000002" "6162");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT2VECTOR, "1 2"),
                           "00000001" "00000000" "00000015" "00000002" "00000000" "00000002" "0001" "00000002" "0002");
    /* element type int8 where int4 is expected */
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\1\0\0\0\0\0\0\0\x14\0\0\0\1\0\0\0\1", 20),
                           "ERROR 42804: binary data has array element type 20 (int8) instead of expected 23 (int4)");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\7\0\0\0\0\0\0\0\x17", 12),
                           "ERROR 54000: number of array dimensions (7) exceeds the maximum allowed (6)");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\xff\xff\xff\xff\0\0\0\0\0\0\0\x17", 12),
                           "ERROR 22P03: invalid number of dimensions: -1");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\0\0\0\0\2\0\0\0\x17", 12),
                           "ERROR 22P03: invalid array flags");
    /* one int4 element whose length word says 5 bytes */
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\1\0\0\0\0\0\0\0\x17\0\0\0\1\0\0\0\1\0\0\0\5\0\0\0\1\0", 29),
                           "ERROR 22P03: improper binary format in array element 1");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\1\0\0\0\0\0\0\0\x17\0\0\0\1\0\0\0\1\0\0\0\x09\0\0\0\1", 28),
                           "ERROR 22P03: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\1\0\0\0\0\0\0\0\x17\x7f\xff\xff\xff\0\0\0\1", 20),
                           "ERROR 54000: array size exceeds the maximum allowed (134217727)");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4_ARRAY, -1, "\0\0\0\1\0\0\0\0\0\0\0\x17\0\0\x03\xe8\0\0\0\1", 20),
                           "ERROR 08P01: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_OIDVECTOR, -1, "\0\0\0\1\0\0\0\0\0\0\0\x1a\0\0\0\1\0\0\0\1\0\0\0\4\0\0\0\7", 28),
                           "ERROR 22P03: invalid oidvector data");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_OIDVECTOR, -1, "\0\0\0\1\0\0\0\0\0\0\0\x1a\0\0\0\1\0\0\0\0\0\0\0\4\0\0\0\7", 28), "7");
}

/* PostgreSQL's array_cmp: elements first (NULL after values), then more
 * elements, then dimensions, then bounds. */
static void test_array_order(void)
{
    static const char *const ascending[] = {"{}", "{1}", "[0:1]={1,2}", "{1,2}", "{{1,2}}", "{1,2,3}", "{1,3}",
                                      "{1,NULL}", "{2}", "{NULL}"};
    tt_check_ascending(SDB_TYPEOID_INT4_ARRAY, ascending, sizeof ascending / sizeof ascending[0]);
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_INT4_ARRAY);
    CU_ASSERT_EQUAL(ops->compare(tt_in(SDB_TYPEOID_INT4_ARRAY, "{1, 2}"), tt_in(SDB_TYPEOID_INT4_ARRAY, "{1,2}")), 0);
    const SdbTypeOps *vops = sdb_type_ops(SDB_TYPEOID_OIDVECTOR);
    CU_ASSERT_TRUE(vops->compare(tt_in(SDB_TYPEOID_OIDVECTOR, "9"), tt_in(SDB_TYPEOID_OIDVECTOR, "1 1")) < 0);
    SdbStr key;
    sdb_str_init(&key, tt_arena);
    SdbKeyOrder asc = {false, true};
    CU_ASSERT_EQUAL(sdb_key_encode(SDB_TYPEOID_JSON_ARRAY, tt_in(SDB_TYPEOID_JSON_ARRAY, "{1}"), false, asc, &key), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 42883: could not identify a comparison function for type json");
}

static CU_TestInfo tests[] = {
    {"array input/output (PostgreSQL 15 cases)", test_array_io},
    {"build and deconstruct", test_build_and_deconstruct},
    {"wire format and its checks", test_wire},
    {"array order", test_array_order},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_array", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
