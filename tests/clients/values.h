/*
 * tests/clients/values.h: the SQL values the libpq tests send and receive:
 * at least one of every type in spec/types.toml that a query can return,
 * with the edge cases of their binary formats (numeric scales, NaN and
 * negatives, float specials, infinite dates and timestamps, the jsonb
 * version byte, arrays with NULLs, several dimensions and lower bounds).
 * Every entry without NO_ARRAY is also tried as ARRAY[value, NULL].  The
 * information_schema domains show in RowDescription as their base types.
 */
#ifndef SDB_TEST_CLIENT_VALUES_H
#define SDB_TEST_CLIENT_VALUES_H

enum {
    NO_ARRAY = 1,  /* no array type (or its arrays are tested by hand) */
    NO_PARAM = 2,  /* not accepted as a parameter value (void) */
};

typedef struct TestValue {
    const char *expr;
    int flags;
} TestValue;

static const TestValue test_values[] = {
    {"true", 0},
    {"false", 0},
    {"'\\x00ff41'::bytea", 0},
    {"''::bytea", 0},
    {"'a'::\"char\"", 0},
    {"'abc'::name", 0},
    {"9223372036854775807::int8", 0},
    {"(-1)::int8", 0},
    {"(-32768)::int2", 0},
    {"'1 2 -3'::int2vector", 0},
    {"2147483647", 0},
    {"(-17)::int4", 0},
    {"'now'::regproc", 0},
    {"'héllo wörld'::text", 0},
    {"''::text", 0},
    {"'4294967295'::oid", 0},
    {"'(1,2)'::tid", 0},
    {"'42'::xid", 0},
    {"'1 2 4294967295'::oidvector", 0},
    {"'{\"a\": [1, 2.50, null], \"b\": \"x\"}'::json", 0},
    {"1.5::float4", 0},
    {"'-0'::float4", 0},
    {"'NaN'::float4", 0},
    {"'Infinity'::float4", 0},
    {"3.4028235e38::float4", 0},
    {"0.1::float8", 0},
    {"'-Infinity'::float8", 0},
    {"'NaN'::float8", 0},
    {"1e-300::float8", 0},
    {"'ab'::char(5)", 0},
    {"'ab'::bpchar", 0},
    {"'ab'::varchar(10)", 0},
    {"'ab'::varchar", 0},
    {"'2024-02-29'::date", 0},
    {"'1999-12-31'::date", 0},
    {"'4713-01-01 BC'::date", 0},
    {"'infinity'::date", 0},
    {"'-infinity'::date", 0},
    {"'12:34:56.789'::time", 0},
    {"'23:59:59.999999'::time(6)", 0},
    {"'2000-01-01 00:00:00'::timestamp", 0},
    {"'1970-01-01 00:00:00.000001'::timestamp", 0},
    {"'2024-06-30 12:34:56.5'::timestamp(1)", 0},
    {"'infinity'::timestamp", 0},
    {"'-infinity'::timestamp", 0},
    {"'2024-06-30 12:34:56.123456+02'::timestamptz", 0},
    {"'1900-01-01 00:00:00+00'::timestamptz", 0},
    {"'infinity'::timestamptz", 0},
    {"'1 year 2 mons 3 days 04:05:06.7'::interval", 0},
    {"'-3 days -00:00:01'::interval", 0},
    {"'12:00:00+05:30'::timetz", 0},
    {"'00:00:01-08'::timetz", 0},
    {"0::numeric", 0},
    {"'-0.0001'::numeric", 0},
    {"123456789.123456789::numeric", 0},
    {"'-12.30'::numeric", 0},
    {"1e100::numeric", 0},
    {"'NaN'::numeric", 0},
    {"'Infinity'::numeric", 0},
    {"'-Infinity'::numeric", 0},
    {"10000::numeric", 0},
    {"0.00000001::numeric", 0},
    {"12.345::numeric(10,3)", 0},
    {"(-99999.5)::numeric(7,1)", 0},
    {"'pg_class'::regclass", 0},
    {"'integer'::regtype", 0},
    {"'pg_catalog'::regnamespace", 0},
    {"'postgres'::regrole", 0},
    {"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 0},
    {"'{\"a\": [1, 2.50, null], \"b\": \"x\"}'::jsonb", 0},
    {"'[]'::jsonb", 0},
    {"'\"str\"'::jsonb", 0},
    {"'x'::information_schema.sql_identifier", NO_ARRAY},
    {"3::information_schema.cardinal_number", NO_ARRAY},
    {"'YES'::information_schema.yes_or_no", NO_ARRAY},
    {"'abc'::information_schema.character_data", NO_ARRAY},
    {"pg_sleep(0)", NO_ARRAY | NO_PARAM},
    {"NULL::int4", NO_ARRAY},
    {"NULL::text", NO_ARRAY},
    /* arrays beyond ARRAY[value, NULL] */
    {"'{}'::int4[]", NO_ARRAY},
    {"'{{1,2},{3,4}}'::int8[]", NO_ARRAY},
    {"'{{{1}},{{2}}}'::int2[]", NO_ARRAY},
    {"'[0:1]={1,2}'::int4[]", NO_ARRAY},
    {"'[-2:-1][3:3]={{a},{b}}'::text[]", NO_ARRAY},
    {"'{a,NULL,\"b c\",\"\",NULL}'::text[]", NO_ARRAY},
    {"'{{1.5,NaN},{-0.001,NULL}}'::numeric[]", NO_ARRAY},
    {"'{1.25,2.5}'::numeric(10,2)[]", NO_ARRAY},
    {"'{ab,c}'::varchar(5)[]", NO_ARRAY},
    {"'{ab,c}'::char(3)[]", NO_ARRAY},
    {"ARRAY['2024-01-01 00:00:00'::timestamp, 'infinity']", NO_ARRAY},
    {"ARRAY[NULL::int4]", NO_ARRAY},
    {"ARRAY[NULL::int4, NULL]", NO_ARRAY},
};

#define NTEST_VALUES ((int)(sizeof test_values / sizeof test_values[0]))

#endif /* SDB_TEST_CLIENT_VALUES_H */
