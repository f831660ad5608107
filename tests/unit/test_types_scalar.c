/*
 * test_types_scalar.c: text and binary I/O of the scalar types in
 * runtime/types: bool, integers, oid/xid/reg*, "char", tid, floats, the
 * character types with their typmods, bytea and uuid.  Expected outputs and
 * errors were taken from PostgreSQL 15 (reg* print numbers: names need the
 * catalog).
 */
#include "harness.h"
#include "types_test_util.h"

#define VARCHAR(n) ((n) + 4)

/* input -> output (or error), PostgreSQL 15's answers */
static const TtCase scalar_cases[] = {
    {SDB_TYPEOID_BOOL, -1, "\tt\t", "t"},
    {SDB_TYPEOID_BOOL, -1, "TrUe", "t"},
    {SDB_TYPEOID_BOOL, -1, "yES", "t"},
    {SDB_TYPEOID_BOOL, -1, "nO", "f"},
    {SDB_TYPEOID_INT4, -1, "\t12\t", "12"},
    {SDB_TYPEOID_INT4, -1, "--1", "ERROR 22P02: invalid input syntax for type integer: \"--1\""},
    {SDB_TYPEOID_INT4, -1, "+-1", "ERROR 22P02: invalid input syntax for type integer: \"+-1\""},
    {SDB_TYPEOID_INT4, -1, "1_000", "ERROR 22P02: invalid input syntax for type integer: \"1_000\""},
    {SDB_TYPEOID_INT8, -1, " 0x10", "ERROR 22P02: invalid input syntax for type bigint: \" 0x10\""},
    {SDB_TYPEOID_INT2, -1, "-0", "0"},
    {SDB_TYPEOID_OID, -1, " 12 ", "12"},
    {SDB_TYPEOID_OID, -1, "+4294967295", "4294967295"},
    {SDB_TYPEOID_BYTEA, -1, "\\x", "\\x"},
    {SDB_TYPEOID_BYTEA, -1, "\\", "ERROR 22P02: invalid input syntax for type bytea"},
    {SDB_TYPEOID_BYTEA, -1, "\\\\", "\\x5c"},
    {SDB_TYPEOID_BYTEA, -1, "\\123", "\\x53"},
    {SDB_TYPEOID_BYTEA, -1, "\\x0", "ERROR 22023: invalid hexadecimal data: odd number of digits"},
    {SDB_TYPEOID_BYTEA, -1, "\\xG0", "ERROR 22023: invalid hexadecimal digit: \"G\""},
    {SDB_TYPEOID_BYTEA, -1, "\\x 0 1", "ERROR 22023: invalid hexadecimal digit: \" \""},
    {SDB_TYPEOID_BYTEA, -1, "\\X01", "ERROR 22P02: invalid input syntax for type bytea"},
    {SDB_TYPEOID_BYTEA, -1, "abc\\", "ERROR 22P02: invalid input syntax for type bytea"},
    {SDB_TYPEOID_BYTEA, -1, "\\x0 1", "ERROR 22023: invalid hexadecimal digit: \" \""},
    {SDB_TYPEOID_BYTEA, -1, "\\x\t01 ", "\\x01"},
    {SDB_TYPEOID_UUID, -1, "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "a0eebc999c0b4ef8bb6d6bb9bd380a1-1", "ERROR 22P02: invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a1-1\""},
    {SDB_TYPEOID_NAME, -1, "", ""},
    {SDB_TYPEOID_CHAR, -1, "\\1", "\\"},
    {SDB_TYPEOID_CHAR, -1, "\\0001", "\\"},
    {SDB_TYPEOID_FLOAT8, -1, "0x1p3", "8"},
    {SDB_TYPEOID_FLOAT8, -1, "1e", "ERROR 22P02: invalid input syntax for type double precision: \"1e\""},
    {SDB_TYPEOID_FLOAT8, -1, ".", "ERROR 22P02: invalid input syntax for type double precision: \".\""},
    {SDB_TYPEOID_FLOAT8, -1, "-.5", "-0.5"},
    {SDB_TYPEOID_FLOAT8, -1, "+.5e-3", "0.0005"},
    {SDB_TYPEOID_FLOAT8, -1, "infinity ", "Infinity"},
    {SDB_TYPEOID_FLOAT8, -1, " nan", "NaN"},
    {SDB_TYPEOID_FLOAT8, -1, "+nan", "NaN"},
    {SDB_TYPEOID_FLOAT4, -1, "3.4028236e38", "ERROR 22003: \"3.4028236e38\" is out of range for type real"},
    {SDB_TYPEOID_FLOAT4, -1, "1e-45", "1e-45"},
    {SDB_TYPEOID_FLOAT4, -1, "7e-46", "ERROR 22003: \"7e-46\" is out of range for type real"},
    {SDB_TYPEOID_NUMERIC, -1, "1e1000", "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
    {SDB_TYPEOID_NUMERIC, -1, "1e-1000", "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"},
    {SDB_TYPEOID_NUMERIC, -1, "+NaN", "ERROR 22P02: invalid input syntax for type numeric: \"+NaN\""},
    {SDB_TYPEOID_NUMERIC, -1, "-NaN", "ERROR 22P02: invalid input syntax for type numeric: \"-NaN\""},
    {SDB_TYPEOID_NUMERIC, -1, "0e10", "0"},
    {SDB_TYPEOID_NUMERIC, -1, "-0e-3", "0.000"},
    {SDB_TYPEOID_NUMERIC, -1, "1.e5", "100000"},
    {SDB_TYPEOID_NUMERIC, -1, ".e5", "ERROR 22P02: invalid input syntax for type numeric: \".e5\""},
    {SDB_TYPEOID_NUMERIC, -1, "1e+", "ERROR 22P02: invalid input syntax for type numeric: \"1e+\""},
    {SDB_TYPEOID_NUMERIC, -1, "1e 5", "100000"},
    {SDB_TYPEOID_NUMERIC, -1, " Infinity ", "Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "1e2147483647", "ERROR 22003: value overflows numeric format"},
    {SDB_TYPEOID_TID, -1, "(0,0)", "(0,0)"},
    {SDB_TYPEOID_TID, -1, "(-1,0)", "(4294967295,0)"},
    {SDB_TYPEOID_TID, -1, "(1,-1)", "ERROR 22P02: invalid input syntax for type tid: \"(1,-1)\""},
    {SDB_TYPEOID_TID, -1, "(01,02)", "(1,2)"},
    {SDB_TYPEOID_XID, -1, "-1", "4294967295"},
    {SDB_TYPEOID_BOOL, -1, "t", "t"},
    {SDB_TYPEOID_BOOL, -1, "  TRUE  ", "t"},
    {SDB_TYPEOID_BOOL, -1, "yes", "t"},
    {SDB_TYPEOID_BOOL, -1, "on", "t"},
    {SDB_TYPEOID_BOOL, -1, "1", "t"},
    {SDB_TYPEOID_BOOL, -1, "f", "f"},
    {SDB_TYPEOID_BOOL, -1, "No", "f"},
    {SDB_TYPEOID_BOOL, -1, "off", "f"},
    {SDB_TYPEOID_BOOL, -1, "of", "f"},
    {SDB_TYPEOID_BOOL, -1, "0", "f"},
    {SDB_TYPEOID_BOOL, -1, "tru", "t"},
    {SDB_TYPEOID_BOOL, -1, "o", "ERROR 22P02: invalid input syntax for type boolean: \"o\""},
    {SDB_TYPEOID_BOOL, -1, "", "ERROR 22P02: invalid input syntax for type boolean: \"\""},
    {SDB_TYPEOID_BOOL, -1, "truex", "ERROR 22P02: invalid input syntax for type boolean: \"truex\""},
    {SDB_TYPEOID_BOOL, -1, "2", "ERROR 22P02: invalid input syntax for type boolean: \"2\""},
    {SDB_TYPEOID_INT2, -1, "32767", "32767"},
    {SDB_TYPEOID_INT2, -1, "-32768", "-32768"},
    {SDB_TYPEOID_INT2, -1, "32768", "ERROR 22003: value \"32768\" is out of range for type smallint"},
    {SDB_TYPEOID_INT2, -1, "  -12  ", "-12"},
    {SDB_TYPEOID_INT2, -1, "+5", "5"},
    {SDB_TYPEOID_INT2, -1, "1.5", "ERROR 22P02: invalid input syntax for type smallint: \"1.5\""},
    {SDB_TYPEOID_INT4, -1, "42", "42"},
    {SDB_TYPEOID_INT4, -1, " -2147483648", "-2147483648"},
    {SDB_TYPEOID_INT4, -1, "2147483647", "2147483647"},
    {SDB_TYPEOID_INT4, -1, "2147483648", "ERROR 22003: value \"2147483648\" is out of range for type integer"},
    {SDB_TYPEOID_INT4, -1, "-2147483649", "ERROR 22003: value \"-2147483649\" is out of range for type integer"},
    {SDB_TYPEOID_INT4, -1, "99999999999", "ERROR 22003: value \"99999999999\" is out of range for type integer"},
    {SDB_TYPEOID_INT4, -1, "abc", "ERROR 22P02: invalid input syntax for type integer: \"abc\""},
    {SDB_TYPEOID_INT4, -1, "", "ERROR 22P02: invalid input syntax for type integer: \"\""},
    {SDB_TYPEOID_INT4, -1, "  ", "ERROR 22P02: invalid input syntax for type integer: \"  \""},
    {SDB_TYPEOID_INT4, -1, "12 34", "ERROR 22P02: invalid input syntax for type integer: \"12 34\""},
    {SDB_TYPEOID_INT4, -1, "0x10", "ERROR 22P02: invalid input syntax for type integer: \"0x10\""},
    {SDB_TYPEOID_INT4, -1, "-", "ERROR 22P02: invalid input syntax for type integer: \"-\""},
    {SDB_TYPEOID_INT4, -1, "007", "7"},
    {SDB_TYPEOID_INT4, -1, "1e3", "ERROR 22P02: invalid input syntax for type integer: \"1e3\""},
    {SDB_TYPEOID_INT8, -1, "9223372036854775807", "9223372036854775807"},
    {SDB_TYPEOID_INT8, -1, "-9223372036854775808", "-9223372036854775808"},
    {SDB_TYPEOID_INT8, -1, "9223372036854775808", "ERROR 22003: value \"9223372036854775808\" is out of range for type bigint"},
    {SDB_TYPEOID_INT8, -1, "-9223372036854775809", "ERROR 22003: value \"-9223372036854775809\" is out of range for type bigint"},
    {SDB_TYPEOID_INT8, -1, "123456789012345678901234567890", "ERROR 22003: value \"123456789012345678901234567890\" is out of range for type bigint"},
    {SDB_TYPEOID_INT8, -1, "  -0  ", "0"},
    {SDB_TYPEOID_OID, -1, "4294967295", "4294967295"},
    {SDB_TYPEOID_OID, -1, "4294967296", "ERROR 22003: value \"4294967296\" is out of range for type oid"},
    {SDB_TYPEOID_OID, -1, "-1", "4294967295"},
    {SDB_TYPEOID_OID, -1, "-2147483648", "2147483648"},
    {SDB_TYPEOID_OID, -1, "-2147483649", "ERROR 22003: value \"-2147483649\" is out of range for type oid"},
    {SDB_TYPEOID_OID, -1, "x", "ERROR 22P02: invalid input syntax for type oid: \"x\""},
    {SDB_TYPEOID_OID, -1, "0", "0"},
    {SDB_TYPEOID_XID, -1, "4294967295", "4294967295"},
    {SDB_TYPEOID_XID, -1, "12", "12"},
    {SDB_TYPEOID_XID, -1, "-5", "4294967291"},
    {SDB_TYPEOID_REGCLASS, -1, "1259", "1259"},
    {SDB_TYPEOID_REGCLASS, -1, "-", "-"},
    {SDB_TYPEOID_REGTYPE, -1, "23", "23"},
    {SDB_TYPEOID_REGPROC, -1, "0", "-"},
    {SDB_TYPEOID_REGNAMESPACE, -1, "11", "11"},
    {SDB_TYPEOID_REGROLE, -1, "10", "10"},
    {SDB_TYPEOID_CHAR, -1, "a", "a"},
    {SDB_TYPEOID_CHAR, -1, "abc", "a"},
    {SDB_TYPEOID_CHAR, -1, "", ""},
    {SDB_TYPEOID_CHAR, -1, "\\101", "A"},
    {SDB_TYPEOID_CHAR, -1, "\\377", "\\377"},
    {SDB_TYPEOID_TID, -1, "(0,1)", "(0,1)"},
    {SDB_TYPEOID_TID, -1, "(4294967295,65535)", "(4294967295,65535)"},
    {SDB_TYPEOID_TID, -1, " ( 1 , 2 ) ", "ERROR 22P02: invalid input syntax for type tid: \" ( 1 , 2 ) \""},
    {SDB_TYPEOID_TID, -1, "(1,65536)", "ERROR 22P02: invalid input syntax for type tid: \"(1,65536)\""},
    {SDB_TYPEOID_TID, -1, "(1,2", "ERROR 22P02: invalid input syntax for type tid: \"(1,2\""},
    {SDB_TYPEOID_TID, -1, "1,2", "ERROR 22P02: invalid input syntax for type tid: \"1,2\""},
    {SDB_TYPEOID_FLOAT8, -1, "0.1", "0.1"},
    {SDB_TYPEOID_FLOAT8, -1, "1e100", "1e+100"},
    {SDB_TYPEOID_FLOAT8, -1, "1.5e-7", "1.5e-07"},
    {SDB_TYPEOID_FLOAT8, -1, "-0", "-0"},
    {SDB_TYPEOID_FLOAT8, -1, "1e-300", "1e-300"},
    {SDB_TYPEOID_FLOAT8, -1, "1e-320", "1e-320"},
    {SDB_TYPEOID_FLOAT8, -1, "1e-400", "ERROR 22003: \"1e-400\" is out of range for type double precision"},
    {SDB_TYPEOID_FLOAT8, -1, "1e400", "ERROR 22003: \"1e400\" is out of range for type double precision"},
    {SDB_TYPEOID_FLOAT8, -1, "NaN", "NaN"},
    {SDB_TYPEOID_FLOAT8, -1, "nan", "NaN"},
    {SDB_TYPEOID_FLOAT8, -1, "Infinity", "Infinity"},
    {SDB_TYPEOID_FLOAT8, -1, "-Infinity", "-Infinity"},
    {SDB_TYPEOID_FLOAT8, -1, "  inf  ", "Infinity"},
    {SDB_TYPEOID_FLOAT8, -1, "-INF", "-Infinity"},
    {SDB_TYPEOID_FLOAT8, -1, "123456789012345", "123456789012345"},
    {SDB_TYPEOID_FLOAT8, -1, "1234567890123456", "1.234567890123456e+15"},
    {SDB_TYPEOID_FLOAT8, -1, "12345678901234567890", "1.2345678901234567e+19"},
    {SDB_TYPEOID_FLOAT8, -1, "0.0001", "0.0001"},
    {SDB_TYPEOID_FLOAT8, -1, "0.00001", "1e-05"},
    {SDB_TYPEOID_FLOAT8, -1, "3.141592653589793", "3.141592653589793"},
    {SDB_TYPEOID_FLOAT8, -1, "1.7976931348623157e308", "1.7976931348623157e+308"},
    {SDB_TYPEOID_FLOAT8, -1, "2.2250738585072014e-308", "2.2250738585072014e-308"},
    {SDB_TYPEOID_FLOAT8, -1, "5e-324", "5e-324"},
    {SDB_TYPEOID_FLOAT8, -1, "100", "100"},
    {SDB_TYPEOID_FLOAT8, -1, "-1.25", "-1.25"},
    {SDB_TYPEOID_FLOAT8, -1, "", "ERROR 22P02: invalid input syntax for type double precision: \"\""},
    {SDB_TYPEOID_FLOAT8, -1, "abc", "ERROR 22P02: invalid input syntax for type double precision: \"abc\""},
    {SDB_TYPEOID_FLOAT8, -1, "1.5x", "ERROR 22P02: invalid input syntax for type double precision: \"1.5x\""},
    {SDB_TYPEOID_FLOAT8, -1, " 12.5 ", "12.5"},
    {SDB_TYPEOID_FLOAT8, -1, "0.30000000000000004", "0.30000000000000004"},
    {SDB_TYPEOID_FLOAT4, -1, "0.1", "0.1"},
    {SDB_TYPEOID_FLOAT4, -1, "100000", "100000"},
    {SDB_TYPEOID_FLOAT4, -1, "1000000", "1e+06"},
    {SDB_TYPEOID_FLOAT4, -1, "1234567", "1.234567e+06"},
    {SDB_TYPEOID_FLOAT4, -1, "3.4028235e38", "3.4028235e+38"},
    {SDB_TYPEOID_FLOAT4, -1, "1e39", "ERROR 22003: \"1e39\" is out of range for type real"},
    {SDB_TYPEOID_FLOAT4, -1, "1e-46", "ERROR 22003: \"1e-46\" is out of range for type real"},
    {SDB_TYPEOID_FLOAT4, -1, "1.17549435e-38", "1.1754944e-38"},
    {SDB_TYPEOID_FLOAT4, -1, "-0", "-0"},
    {SDB_TYPEOID_FLOAT4, -1, "NaN", "NaN"},
    {SDB_TYPEOID_FLOAT4, -1, "-Infinity", "-Infinity"},
    {SDB_TYPEOID_FLOAT4, -1, "1.1", "1.1"},
    {SDB_TYPEOID_FLOAT4, -1, "16777217", "1.6777216e+07"},
    {SDB_TYPEOID_FLOAT4, -1, "abc", "ERROR 22P02: invalid input syntax for type real: \"abc\""},
    {SDB_TYPEOID_TEXT, -1, "hello world", "hello world"},
    {SDB_TYPEOID_TEXT, -1, "", ""},
    {SDB_TYPEOID_TEXT, -1, "  spaces  ", "  spaces  "},
    {SDB_TYPEOID_TEXT, -1, "ünïcödé", "ünïcödé"},
    {SDB_TYPEOID_VARCHAR, -1, "abc", "abc"},
    {SDB_TYPEOID_BPCHAR, -1, "abc  ", "abc  "},
    {SDB_TYPEOID_NAME, -1, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"},
    {SDB_TYPEOID_BYTEA, -1, "\\x", "\\x"},
    {SDB_TYPEOID_BYTEA, -1, "\\x0102ff", "\\x0102ff"},
    {SDB_TYPEOID_BYTEA, -1, "\\xDEADbeef", "\\xdeadbeef"},
    {SDB_TYPEOID_BYTEA, -1, "\\x de ad ", "\\xdead"},
    {SDB_TYPEOID_BYTEA, -1, "\\x1", "ERROR 22023: invalid hexadecimal data: odd number of digits"},
    {SDB_TYPEOID_BYTEA, -1, "\\x1g", "ERROR 22023: invalid hexadecimal digit: \"g\""},
    {SDB_TYPEOID_BYTEA, -1, "\\xzz", "ERROR 22023: invalid hexadecimal digit: \"z\""},
    {SDB_TYPEOID_BYTEA, -1, "abc", "\\x616263"},
    {SDB_TYPEOID_BYTEA, -1, "a\\\\b", "\\x615c62"},
    {SDB_TYPEOID_BYTEA, -1, "\\001\\377", "\\x01ff"},
    {SDB_TYPEOID_BYTEA, -1, "a\\b", "ERROR 22P02: invalid input syntax for type bytea"},
    {SDB_TYPEOID_BYTEA, -1, "\\400", "ERROR 22P02: invalid input syntax for type bytea"},
    {SDB_TYPEOID_BYTEA, -1, "", "\\x"},
    {SDB_TYPEOID_UUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_UUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "ERROR 22P02: invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""},
    {SDB_TYPEOID_UUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11x", "ERROR 22P02: invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11x\""},
    {SDB_TYPEOID_UUID, -1, " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "ERROR 22P02: invalid input syntax for type uuid: \" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {SDB_TYPEOID_UUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "ERROR 22P02: invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g\""},
    {SDB_TYPEOID_UUID, -1, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "ERROR 22P02: invalid input syntax for type uuid: \"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {SDB_TYPEOID_UUID, -1, "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", "ERROR 22P02: invalid input syntax for type uuid: \"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11\""},
};

static const TtCase typmod_cases[] = {
    {SDB_TYPEOID_VARCHAR, VARCHAR(3), "abc", "abc"},
    {SDB_TYPEOID_VARCHAR, VARCHAR(3), "abcd", "ERROR 22001: value too long for type character varying(3)"},
    {SDB_TYPEOID_VARCHAR, VARCHAR(3), "ab   ", "ab "},
    {SDB_TYPEOID_VARCHAR, VARCHAR(3), "äöü", "äöü"},
    {SDB_TYPEOID_VARCHAR, VARCHAR(3), "äöüß", "ERROR 22001: value too long for type character varying(3)"},
    {SDB_TYPEOID_BPCHAR, VARCHAR(5), "ab", "ab   "},
    {SDB_TYPEOID_BPCHAR, VARCHAR(5), "äb", "äb   "},
    {SDB_TYPEOID_BPCHAR, VARCHAR(2), "abc", "ERROR 22001: value too long for type character(2)"},
    {SDB_TYPEOID_BPCHAR, VARCHAR(2), "ab    ", "ab"},
    {SDB_TYPEOID_BPCHAR, VARCHAR(1), "", " "},
    {SDB_TYPEOID_TEXT, -1, "\xff", "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xff"},
    {SDB_TYPEOID_TEXT, -1, "a\xc3\x28", "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xc3 0x28"},
    {SDB_TYPEOID_TEXT, -1, "\xed\xa0\x80", "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80"},
    {SDB_TYPEOID_NAME, -1, "ééééééééééééééééééééééééééééééééééé",
     "ééééééééééééééééééééééééééééééé"}, /* 63 bytes would split a character: 62 kept */
};

static void test_scalar_io(void)
{
    TT_RUN(scalar_cases);
}

static void test_typmods(void)
{
    TT_RUN(typmod_cases);
}

/* Exact wire bytes, as PostgreSQL sends them. */
static void test_wire_bytes(void)
{
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_BOOL, "t"), "01");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT2, "-2"), "fffe");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT4, "258"), "00000102");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INT8, "-1"), "ffffffffffffffff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_OID, "4294967295"), "ffffffff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_FLOAT4, "1.5"), "3fc00000");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_FLOAT8, "-2"), "c000000000000000");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TEXT, "hé"), "68c3a9");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_BYTEA, "\\x00ff"), "00ff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_CHAR, "A"), "41");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TID, "(1,2)"), "000000010002");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                           "a0eebc999c0b4ef8bb6d6bb9bd380a11");
}

static void test_receive_errors(void)
{
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4, -1, "\x00\x01", 2),
                           "ERROR 08P01: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT4, -1, "\x00\x00\x00\x01\x00", 5),
                           "ERROR 22P03: incorrect binary data format");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INT2, -1, "\x80\x00", 2), "-32768");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_BOOL, -1, "\x07", 1), "t");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_UUID, -1, "\x01\x02", 2),
                           "ERROR 08P01: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_TEXT, -1, "a\x00" "b", 3),
                           "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0x00");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_VARCHAR, VARCHAR(2), "abc", 3),
                           "ERROR 22001: value too long for type character varying(2)");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_BPCHAR, VARCHAR(4), "ab", 2), "ab  ");
    char longname[70];
    memset(longname, 'x', sizeof longname);
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NAME, -1, longname, sizeof longname),
                           "ERROR 42622: identifier too long DETAIL: Identifier must be less than 64 characters.");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_BYTEA, -1, "", 0), "\\x");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_FLOAT8, -1, "\x7f\xf8\x00\x00\x00\x00\x00\x00", 8), "NaN");
}

static void test_reg_names_need_catalog(void)
{
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_REGCLASS, -1, "pg_class", NULL),
                           "ERROR 0A000: regclass input by name is not supported");
}

/* bpchar compares without trailing blanks; text is byte order. */
static void test_string_order(void)
{
    const SdbTypeOps *bp = sdb_type_ops(SDB_TYPEOID_BPCHAR), *tx = sdb_type_ops(SDB_TYPEOID_TEXT);
    CU_ASSERT_EQUAL(bp->compare(tt_in(SDB_TYPEOID_BPCHAR, "ab  "), tt_in(SDB_TYPEOID_BPCHAR, "ab")), 0);
    CU_ASSERT_EQUAL(bp->hash(tt_in(SDB_TYPEOID_BPCHAR, "ab  ")), bp->hash(tt_in(SDB_TYPEOID_BPCHAR, "ab")));
    CU_ASSERT_TRUE(tx->compare(tt_in(SDB_TYPEOID_TEXT, "ab "), tt_in(SDB_TYPEOID_TEXT, "ab")) > 0);
    CU_ASSERT_TRUE(tx->compare(tt_in(SDB_TYPEOID_TEXT, "B"), tt_in(SDB_TYPEOID_TEXT, "a")) < 0);
    const SdbTypeOps *f8 = sdb_type_ops(SDB_TYPEOID_FLOAT8);
    CU_ASSERT_EQUAL(f8->compare(tt_in(SDB_TYPEOID_FLOAT8, "-0"), tt_in(SDB_TYPEOID_FLOAT8, "0")), 0);
    CU_ASSERT_EQUAL(f8->hash(tt_in(SDB_TYPEOID_FLOAT8, "-0")), f8->hash(tt_in(SDB_TYPEOID_FLOAT8, "0")));
    CU_ASSERT_EQUAL(f8->compare(tt_in(SDB_TYPEOID_FLOAT8, "NaN"), tt_in(SDB_TYPEOID_FLOAT8, "nan")), 0);
    CU_ASSERT_TRUE(f8->compare(tt_in(SDB_TYPEOID_FLOAT8, "NaN"), tt_in(SDB_TYPEOID_FLOAT8, "Infinity")) > 0);
}

static CU_TestInfo tests[] = {
    {"scalar input/output (PostgreSQL 15 cases)", test_scalar_io},
    {"varchar/bpchar/name typmods and UTF-8", test_typmods},
    {"wire bytes", test_wire_bytes},
    {"binary receive errors", test_receive_errors},
    {"reg* names need the catalog", test_reg_names_need_catalog},
    {"string and float comparison", test_string_order},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_scalar", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
