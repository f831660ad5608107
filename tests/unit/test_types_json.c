/*
 * test_types_json.c: json validation (RFC 8259, PostgreSQL's error details)
 * and jsonb's canonical form: key order, duplicate keys, number
 * normalisation, escapes, output spacing, the wire format (version byte),
 * and jsonb's ordering (answers taken from PostgreSQL 15).
 */
#include "harness.h"
#include "types_test_util.h"

static const TtCase json_cases[] = {
    {SDB_TYPEOID_JSON, -1, "\"\\ud83d\\ud83d\"", "\"\\ud83d\\ud83d\""},
    {SDB_TYPEOID_JSONB, -1, "\"\\ud83d\"", "ERROR 22P02: invalid input syntax for type json DETAIL: Unicode low surrogate must follow a high surrogate."},
    {SDB_TYPEOID_JSONB, -1, "\"\\ud83d\\ud83d\"", "ERROR 22P02: invalid input syntax for type json DETAIL: Unicode high surrogate must not follow a high surrogate."},
    {SDB_TYPEOID_JSONB, -1, "\"\\ude00\"", "ERROR 22P02: invalid input syntax for type json DETAIL: Unicode low surrogate must follow a high surrogate."},
    {SDB_TYPEOID_JSONB, -1, "\"\\ud83d\\ude00\"", "\"😀\""},
    {SDB_TYPEOID_JSON, -1, "[1.x]", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"1.x\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "[-]", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"-\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "[\"a\\é\"]", "ERROR 22P02: invalid input syntax for type json DETAIL: Escape sequence \"\\é\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1, 2}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected string, but found \"2\"."},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1,\"b\":[1,2]}", "{\"a\":1,\"b\":[1,2]}"},
    {SDB_TYPEOID_JSON, -1, "  {\"a\" : 1 }  ", "  {\"a\" : 1 }  "},
    {SDB_TYPEOID_JSON, -1, "[]", "[]"},
    {SDB_TYPEOID_JSON, -1, "\"str\"", "\"str\""},
    {SDB_TYPEOID_JSON, -1, "123", "123"},
    {SDB_TYPEOID_JSON, -1, "-0.5e+10", "-0.5e+10"},
    {SDB_TYPEOID_JSON, -1, "true", "true"},
    {SDB_TYPEOID_JSON, -1, "null", "null"},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1,}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected string, but found \"}\"."},
    {SDB_TYPEOID_JSON, -1, "[1,2", "ERROR 22P02: invalid input syntax for type json DETAIL: The input string ended unexpectedly."},
    {SDB_TYPEOID_JSON, -1, "{\"a\" 1}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected \":\", but found \"1\"."},
    {SDB_TYPEOID_JSON, -1, "tru", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"tru\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "01", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"01\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "\"a\\qb\"", "ERROR 22P02: invalid input syntax for type json DETAIL: Escape sequence \"\\q\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "", "ERROR 22P02: invalid input syntax for type json DETAIL: The input string ended unexpectedly."},
    {SDB_TYPEOID_JSON, -1, "   ", "ERROR 22P02: invalid input syntax for type json DETAIL: The input string ended unexpectedly."},
    {SDB_TYPEOID_JSON, -1, "[1,]", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected JSON value, but found \"]\"."},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1}}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected end of input, but found \"}\"."},
    {SDB_TYPEOID_JSON, -1, "{1:2}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected string or \"}\", but found \"1\"."},
    {SDB_TYPEOID_JSON, -1, "\"\\u00e9\\ud83d\\ude00\"", "\"\\u00e9\\ud83d\\ude00\""},
    {SDB_TYPEOID_JSON, -1, "\"\\ud83d\"", "\"\\ud83d\""},
    {SDB_TYPEOID_JSON, -1, "\"\\ude00\"", "\"\\ude00\""},
    {SDB_TYPEOID_JSON, -1, "\"\\u12\"", "ERROR 22P02: invalid input syntax for type json DETAIL: \"\\u\" must be followed by four hexadecimal digits."},
    {SDB_TYPEOID_JSON, -1, "1.", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"1.\" is invalid."},
    {SDB_TYPEOID_JSON, -1, ".5", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \".\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "-", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"-\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "1e", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"1e\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "[1 2]", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected \",\" or \"]\", but found \"2\"."},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1 \"b\":2}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected \",\" or \"}\", but found \"\"b\"\"."},
    {SDB_TYPEOID_JSON, -1, "nul", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"nul\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "{\"a\":}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected JSON value, but found \"}\"."},
    {SDB_TYPEOID_JSON, -1, "\"abc", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"\"abc\" is invalid."},
    {SDB_TYPEOID_JSON, -1, "[true, false, null, \"x\", {\"y\": []}]", "[true, false, null, \"x\", {\"y\": []}]"},
    {SDB_TYPEOID_JSON, -1, "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"},
    {SDB_TYPEOID_JSON, -1, "\"\\u0000\"", "\"\\u0000\""},
    {SDB_TYPEOID_JSON, -1, "NaN", "ERROR 22P02: invalid input syntax for type json DETAIL: Token \"NaN\" is invalid."},
    {SDB_TYPEOID_JSONB, -1, "{\"b\":1,\"aa\":2,\"a\":3,\"b\":4}", "{\"a\": 3, \"b\": 4, \"aa\": 2}"},
    {SDB_TYPEOID_JSONB, -1, "{\"c\": {\"x\": [1.50, 1e2, -0, \"\\u00e9\\n\\t\\/\"]}}", "{\"c\": {\"x\": [1.50, 100, 0, \"é\\n\\t/\"]}}"},
    {SDB_TYPEOID_JSONB, -1, "null", "null"},
    {SDB_TYPEOID_JSONB, -1, "[]", "[]"},
    {SDB_TYPEOID_JSONB, -1, "{}", "{}"},
    {SDB_TYPEOID_JSONB, -1, "  [1, \"a\", true, false, null, 2.0, {\"k\": \"v\"}]  ", "[1, \"a\", true, false, null, 2.0, {\"k\": \"v\"}]"},
    {SDB_TYPEOID_JSONB, -1, "\"\\u0000\"", "ERROR 22P05: unsupported Unicode escape sequence DETAIL: \\u0000 cannot be converted to text."},
    {SDB_TYPEOID_JSONB, -1, "\"\\u00e9\"", "\"é\""},
    {SDB_TYPEOID_JSONB, -1, "\"a\\\"b\\\\c\\b\\f\\r\"", "\"a\\\"b\\\\c\\b\\f\\r\""},
    {SDB_TYPEOID_JSONB, -1, "{\"a\":1,}", "ERROR 22P02: invalid input syntax for type json DETAIL: Expected string, but found \"}\"."},
    {SDB_TYPEOID_JSONB, -1, "123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
    {SDB_TYPEOID_JSONB, -1, "1e-5", "0.00001"},
    {SDB_TYPEOID_JSONB, -1, "-1.5E+3", "-1500"},
    {SDB_TYPEOID_JSONB, -1, "{\"aaa\":1,\"b\":2,\"cc\":3,\"a\":4,\"bb\":5}", "{\"a\": 4, \"b\": 2, \"bb\": 5, \"cc\": 3, \"aaa\": 1}"},
    {SDB_TYPEOID_JSONB, -1, "{\"a\": {\"b\": {\"c\": {\"d\": [[[]]]}}}}", "{\"a\": {\"b\": {\"c\": {\"d\": [[[]]]}}}}"},
    {SDB_TYPEOID_JSONB, -1, "\"\\u001f\"", "\"\\u001f\""},
    {SDB_TYPEOID_JSONB, -1, "\"€\"", "\"€\""},
    {SDB_TYPEOID_JSONB, -1, "[[1,2],[3,4]]", "[[1, 2], [3, 4]]"},
    {SDB_TYPEOID_JSONB, -1, "{\"\":1}", "{\"\": 1}"},
};

static void test_json_io(void)
{
    TT_RUN(json_cases);
}

static void test_deep_nesting(void)
{
    static char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_JSON, -1, deep, NULL), "ERROR 54001: stack depth limit exceeded");
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_JSONB, -1, deep, NULL), deep);
}

static void test_wire(void)
{
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_JSONB, "{\"a\":1}"), "017b2261223a20317d");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_JSON, "{\"a\":1}"), "7b2261223a317d");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_JSONB, -1, "\x02{}", 3), "ERROR 22P03: unsupported jsonb version number 2");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_JSONB, -1, "\x01[1,  2]", 8), "[1, 2]");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_JSONB, -1, "", 0), "ERROR 08P01: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_JSON, -1, "[1,", 3),
                           "ERROR 22P02: invalid input syntax for type json DETAIL: The input string ended unexpectedly.");
}

/* PostgreSQL's jsonb order: null < string < number < boolean < array <
 * object; containers by size first; 1.0 = 1. */
static void test_jsonb_order(void)
{
    static const char *const ascending[] = {"[]", "null", "\"\"", "\"a\"", "\"b\"", "-1", "1", "1.5", "false", "true",
                                      "[2]", "[[]]", "[1, 2]", "[1, 3]", "{}", "{\"b\": 1}", "{\"a\": 1, \"b\": 1}",
                                      "{\"a\": 2, \"b\": 1}"};
    tt_check_ascending(SDB_TYPEOID_JSONB, ascending, sizeof ascending / sizeof ascending[0]);
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_JSONB);
    SdbDatum one = tt_in(SDB_TYPEOID_JSONB, "{\"x\": [1]}"), one_zero = tt_in(SDB_TYPEOID_JSONB, "{\"x\": [1.00]}");
    CU_ASSERT_EQUAL(ops->compare(one, one_zero), 0);
    CU_ASSERT_EQUAL(ops->hash(one), ops->hash(one_zero));
    CU_ASSERT_PTR_NULL(sdb_type_ops(SDB_TYPEOID_JSON)->compare);
}

static CU_TestInfo tests[] = {
    {"json and jsonb input/output (PostgreSQL 15 cases)", test_json_io},
    {"nesting depth", test_deep_nesting},
    {"wire format", test_wire},
    {"jsonb order", test_jsonb_order},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_json", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
