/*
 * test_expr.c: the binder and evaluator on expressions beyond single spec
 * examples: PostgreSQL's operator and function resolution (unknown
 * literals, implicit casts, preferred types), its errors with their
 * messages and hints, CASE/COALESCE/NULLIF/GREATEST/IN/BETWEEN/IS DISTINCT
 * FROM, three-valued logic, casts with typmods, LIKE, the SQL-syntax
 * functions, literals typed as PostgreSQL types them, and $n parameters.
 * Every expected value was taken from PostgreSQL 15.
 */
#include <stdio.h>
#include <string.h>

#include "expr_test_util.h"
#include "harness.h"
#include "sdb_errcodes.h"

typedef struct ExprCase {
    const char *sql;
    const char *result;  /* text output; NULL when an error is expected */
    const char *state;   /* SQLSTATE of the error */
    const char *message; /* its message */
    const char *hint;    /* its hint, NULL for none */
} ExprCase;

static const ExprCase cases[] = {
    {"2 + 3", "5", NULL, NULL, NULL},
    {"'2' + 3", "5", NULL, NULL, NULL},
    {"2 + '3'", "5", NULL, NULL, NULL},
    {"1 + 1.5", "2.5", NULL, NULL, NULL},
    {"1::int2 + 1::int8", "2", NULL, NULL, NULL},
    {"'abc' || 'def'", "abcdef", NULL, NULL, NULL},
    {"1 = 1.0", "t", NULL, NULL, NULL},
    {"'1' = 1", "t", NULL, NULL, NULL},
    {"1 + true", NULL, "42883", "operator does not exist: integer + boolean", "No operator matches the given name and argument types. You might need to add explicit type casts."},
    {"- true", NULL, "42883", "operator does not exist: - boolean", "No operator matches the given name and argument type. You might need to add an explicit type cast."},
    {"foo(1)", NULL, "42883", "function foo(integer) does not exist", "No function matches the given name and argument types. You might need to add explicit type casts."},
    {"abs('x')", NULL, "22P02", "invalid input syntax for type double precision: \"x\"", NULL},
    {"'a' + 'b'", NULL, "42725", "operator is not unique: unknown + unknown", "Could not choose a best candidate operator. You might need to add explicit type casts."},
    {"length(1)", NULL, "42883", "function length(integer) does not exist", "No function matches the given name and argument types. You might need to add explicit type casts."},
    {"CASE WHEN 1 = 1 THEN 1 ELSE 2.5 END", "1", NULL, NULL, NULL},
    {"CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "two", NULL, NULL, NULL},
    {"CASE 3 WHEN 1 THEN 'one' END", "NULL", NULL, NULL, NULL},
    {"CASE WHEN true THEN 1 ELSE false END", NULL, "42804", "CASE types boolean and integer cannot be matched", NULL},
    {"CASE WHEN 1 THEN 1 END", NULL, "42804", "argument of CASE/WHEN must be type boolean, not type integer", NULL},
    {"COALESCE(NULL, 2, 3)", "2", NULL, NULL, NULL},
    {"COALESCE(NULL, NULL)", "NULL", NULL, NULL, NULL},
    {"COALESCE(1, 'x')", NULL, "22P02", "invalid input syntax for type integer: \"x\"", NULL},
    {"COALESCE(1, true)", NULL, "42804", "COALESCE types integer and boolean cannot be matched", NULL},
    {"NULLIF(1, 1)", "NULL", NULL, NULL, NULL},
    {"NULLIF(1, 2)", "1", NULL, NULL, NULL},
    {"NULLIF('a', 'b')", "a", NULL, NULL, NULL},
    {"GREATEST(1, 2.5, NULL)", "2.5", NULL, NULL, NULL},
    {"LEAST('b', 'a', 'c')", "a", NULL, NULL, NULL},
    {"GREATEST(NULL, NULL)", "NULL", NULL, NULL, NULL},
    {"3 IN (1, 2, 3)", "t", NULL, NULL, NULL},
    {"3 NOT IN (1, 2)", "t", NULL, NULL, NULL},
    {"3 IN (1, NULL)", "NULL", NULL, NULL, NULL},
    {"3 NOT IN (1, NULL)", "NULL", NULL, NULL, NULL},
    {"'b' IN ('a', 'b')", "t", NULL, NULL, NULL},
    {"2 BETWEEN 1 AND 3", "t", NULL, NULL, NULL},
    {"2 NOT BETWEEN 3 AND 1", "t", NULL, NULL, NULL},
    {"2 BETWEEN SYMMETRIC 3 AND 1", "t", NULL, NULL, NULL},
    {"NULL IS DISTINCT FROM 1", "t", NULL, NULL, NULL},
    {"NULL IS NOT DISTINCT FROM NULL", "t", NULL, NULL, NULL},
    {"1 IS DISTINCT FROM 1", "f", NULL, NULL, NULL},
    {"true AND NULL", "NULL", NULL, NULL, NULL},
    {"false AND NULL", "f", NULL, NULL, NULL},
    {"true OR NULL", "t", NULL, NULL, NULL},
    {"NOT NULL::bool", "NULL", NULL, NULL, NULL},
    {"NULL IS NULL", "t", NULL, NULL, NULL},
    {"1 IS NOT NULL", "t", NULL, NULL, NULL},
    {"NULL::bool IS UNKNOWN", "t", NULL, NULL, NULL},
    {"true IS NOT TRUE", "f", NULL, NULL, NULL},
    {"1 AND true", NULL, "42804", "argument of AND must be type boolean, not type integer", NULL},
    {"'abc'::varchar = 'abc'", "t", NULL, NULL, NULL},
    {"'abc '::bpchar = 'abc'", "t", NULL, NULL, NULL},
    {"'12'::int4 + 1", "13", NULL, NULL, NULL},
    {"'x'::int4", NULL, "22P02", "invalid input syntax for type integer: \"x\"", NULL},
    {"CAST('1.5' AS numeric(3,1)) * 2", "3.0", NULL, NULL, NULL},
    {"CAST(3.14159 AS numeric(4,2))", "3.14", NULL, NULL, NULL},
    {"CAST(1.5 AS int4)", "2", NULL, NULL, NULL},
    {"CAST(true AS text)", "true", NULL, NULL, NULL},
    {"CAST('t' AS bool)", "t", NULL, NULL, NULL},
    {"CAST(12 AS text) || 'x'", "12x", NULL, NULL, NULL},
    {"12::varchar(1)", "1", NULL, NULL, NULL},
    {"'2024-03-01'::date - 1", "2024-02-29", NULL, NULL, NULL},
    {"'2024-03-01'::date + 1", "2024-03-02", NULL, NULL, NULL},
    {"'2024-03-01'::date - '2024-01-01'::date", "60", NULL, NULL, NULL},
    {"'1 day'::interval > '23 hours'::interval", "t", NULL, NULL, NULL},
    {"current_timestamp = now()", "t", NULL, NULL, NULL},
    {"'abc' LIKE 'a%'", "t", NULL, NULL, NULL},
    {"'abc' NOT LIKE 'a%'", "f", NULL, NULL, NULL},
    {"'ABC' ILIKE 'a_c'", "t", NULL, NULL, NULL},
    {"'abc' NOT ILIKE 'A%'", "f", NULL, NULL, NULL},
    {"round(2.5)", "3", NULL, NULL, NULL},
    {"round(2.5::float8)", "2", NULL, NULL, NULL},
    {"substring('hello' FROM 2 FOR 3)", "ell", NULL, NULL, NULL},
    {"substring('hello', 2)", "ello", NULL, NULL, NULL},
    {"position('l' IN 'hello')", "3", NULL, NULL, NULL},
    {"trim('  x  ')", "x", NULL, NULL, NULL},
    {"trim(both 'x' FROM 'xxaxx')", "a", NULL, NULL, NULL},
    {"trim(leading 'x' FROM 'xxaxx')", "axx", NULL, NULL, NULL},
    {"1.5::float4 + 1", "2.5", NULL, NULL, NULL},
    {"1.5::float4 = 1.5::float8", "t", NULL, NULL, NULL},
    {"2147483647 + 1", NULL, "22003", "integer out of range", NULL},
    {"9223372036854775807", "9223372036854775807", NULL, NULL, NULL},
    {"9223372036854775808", "9223372036854775808", NULL, NULL, NULL},
    {"-9223372036854775808", "-9223372036854775808", NULL, NULL, NULL},
    {"10 / 4", "2", NULL, NULL, NULL},
    {"10 / 4.0", "2.5000000000000000", NULL, NULL, NULL},
    {"10 % 3", "1", NULL, NULL, NULL},
    {"- 5", "-5", NULL, NULL, NULL},
    {"1e308 * 10", "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", NULL, NULL, NULL},
    {"'NaN'::float8 > 1", "t", NULL, NULL, NULL},
    {"'2024-01-31'::date + '1 month'::interval", "2024-02-29 00:00:00", NULL, NULL, NULL},
    {"'2024-03-01 10:00'::timestamp - '2024-02-28 12:30'::timestamp", "1 day 21:30:00", NULL, NULL, NULL},
    {"'2024-03-01 10:00+00'::timestamptz - '1 day'::interval", "2024-02-29 10:00:00+00", NULL, NULL, NULL},
    {"'2024-03-01'::date + '12:00'::interval", "2024-03-01 12:00:00", NULL, NULL, NULL},
    {"'2024-03-01'::timestamp = '2024-03-01'::date", "t", NULL, NULL, NULL},
    {"CAST('2024-03-01 10:00+00'::timestamptz AS date)", "2024-03-01", NULL, NULL, NULL},
    {"CAST('2024-03-01 10:00'::timestamp AS timestamptz)", "2024-03-01 10:00:00+00", NULL, NULL, NULL},
    {"'2024-03-01'::date < '2024-03-01 00:00:01'::timestamp", "t", NULL, NULL, NULL},
    {"EXTRACT(year FROM '2024-03-01'::date)", "2024", NULL, NULL, NULL},
    {"@ -5", "5", NULL, NULL, NULL},
    {"2 ^ 10", "1024", NULL, NULL, NULL},
    {"|/ 16", "4", NULL, NULL, NULL},
    {"md5('a')", "0cc175b9c0f1b6a831c399e269772661", NULL, NULL, NULL},
    {"current_date", "2024-03-01", NULL, NULL, NULL}, /* the test transaction starts 2024-03-01 12:00 UTC */
    {"localtimestamp", "2024-03-01 12:00:00", NULL, NULL, NULL},
    {"current_date - 1", "2024-02-29", NULL, NULL, NULL},
};

/* Whether `c` gives what PostgreSQL gives; prints why not. */
static bool case_holds(const ExprCase *c)
{
    char got[512];
    sdb_error_clear();
    int rc = sdb_test_run_expr(NULL, c->sql, 0, NULL, NULL, got, sizeof got);
    const SdbErrorData *err = sdb_error_last();
    if (c->result != NULL && rc == SDB_OK && strcmp(got, c->result) == 0)
        return true;
    if (c->result == NULL && rc != SDB_OK && strcmp(sdb_errcode_info(err->code)->sqlstate, c->state) == 0 &&
        strcmp(err->message, c->message) == 0 && strcmp(err->hint, c->hint ? c->hint : "") == 0)
        return true;
    if (rc == SDB_OK)
        fprintf(stderr, "%s: got %s\n", c->sql, got);
    else
        fprintf(stderr, "%s: got %s %s (hint: %s)\n", c->sql, sdb_errcode_info(err->code)->sqlstate, err->message,
                err->hint);
    return false;
}

static void test_postgres_cases(void)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failed += !case_holds(&cases[i]);
    CU_ASSERT_EQUAL(failed, 0);
}

static void test_error_position(void)
{
    char got[64];
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "1 + true", 0, NULL, NULL, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->position, 10); /* "SELECT 1 + true": the operator */
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "'é' || 'x'::int4", 0, NULL, NULL, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->position, 15); /* characters, not bytes: the literal 'x' */
}

/* Days and months step in local time across a DST change; casts and
 * fields follow the zone (America/New_York springs forward 2024-03-10). */
static void test_time_zone(void)
{
    static const char *const cases[][2] = {
        {"'2024-03-09 12:00-05'::timestamptz + '1 day'::interval", "2024-03-10 12:00:00-04"},
        {"'2024-03-09 12:00-05'::timestamptz + '24 hours'::interval", "2024-03-10 13:00:00-04"},
        {"date_trunc('day', '2024-03-10 12:00-04'::timestamptz)", "2024-03-10 00:00:00-05"},
        {"extract(hour from '2024-03-10 12:00+00'::timestamptz)", "8"},
        {"CAST('2024-03-10'::date AS timestamptz)", "2024-03-10 00:00:00-05"},
        {"CAST('2024-03-10 12:00+00'::timestamptz AS timestamp)", "2024-03-10 08:00:00"},
        {"extract(timezone from '2024-02-29 12:00+00'::timestamptz)", "-18000"},
        {"extract(timezone_hour from '2024-07-01 12:00+00'::timestamptz)", "-4"},
        {"extract(timezone_minute from '2024-07-01 12:00+00'::timestamptz)", "0"},
        {"extract(julian from '2024-03-10 12:00+00'::timestamptz)", "2460380.33333333333333333333"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[64];
        CU_ASSERT_EQUAL(sdb_test_run_expr("America/New_York", cases[i][0], 0, NULL, NULL, got, sizeof got), SDB_OK);
        CU_ASSERT_STRING_EQUAL(got, cases[i][1]);
    }
}

static void test_parameters(void)
{
    char got[64];
    SdbOid types[2] = {SDB_TYPEOID_INT4, SDB_TYPEOID_INT8};
    SdbDatum values[2] = {sdb_datum_from_int64(40), sdb_datum_from_int64(2)};
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "$1 + $2", 2, types, values, got, sizeof got), SDB_OK);
    CU_ASSERT_STRING_EQUAL(got, "42");
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "$1 || 'x'", 2, types, values, got, sizeof got), SDB_OK);
    CU_ASSERT_STRING_EQUAL(got, "40x"); /* anynonarray || text */
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "$1 || true", 2, types, values, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FUNCTION);
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "$3", 2, types, values, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_PARAMETER);
    SdbOid unknown[1] = {SDB_TYPEOID_UNKNOWN};
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "$1", 1, unknown, values, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INDETERMINATE_DATATYPE);
}

static void test_column_reference_is_the_planners(void)
{
    char got[64];
    CU_ASSERT_EQUAL(sdb_test_run_expr(NULL, "x + 1", 0, NULL, NULL, got, sizeof got), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_FEATURE_NOT_SUPPORTED);
}

static CU_TestInfo expr_tests[] = {
    {"expressions give what PostgreSQL 15 gives", test_postgres_cases},
    {"errors point at the offending character", test_error_position},
    {"timestamptz arithmetic, fields and casts in a time zone", test_time_zone},
    {"$n parameters", test_parameters},
    {"column references are left to the planner", test_column_reference_is_the_planners},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"binder and evaluator", NULL, NULL, NULL, NULL, expr_tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
