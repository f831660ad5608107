/*
 * test_types_keys.c: the order-preserving key encoding.  For every
 * orderable type, random values (edge cases included) are compared two by
 * two: memcmp of their keys must agree with the type's comparison, equal
 * values must hash equal, descending keys must reverse the order, NULLs
 * must go first or last as asked, and composite keys must sort column by
 * column.  Every generated value also round-trips through send/receive.
 */
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "types_test_util.h"

#define VALUES_PER_TYPE 120

static unsigned rnd(unsigned n)
{
    return (unsigned)rand() % n;
}

static uint64_t rnd64(void)
{
    return ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
}

static const char *pick(const char *const *list, size_t n)
{
    return list[rnd((unsigned)n)];
}

#define PICK(list) pick(list, sizeof(list) / sizeof(list[0]))

/* A random literal of `type` (edge cases about one time in four). */
static const char *random_text(SdbOid type)
{
    static const char *const ints[] = {"0", "-1", "1", "-32768", "32767"};
    static const char *const int8s[] = {"0", "-9223372036854775808", "9223372036854775807", "-1"};
    static const char *const floats[] = {"NaN", "Infinity", "-Infinity", "-0", "0", "1e-40", "-1e-40", "1e-45"};
    static const char *const numerics[] = {"NaN", "Infinity", "-Infinity", "0", "-0.000", "0.0001", "-0.0001",
                                           "10000", "9999.9999", "1e-100", "-1e100"};
    static const char *const strings[] = {"", " ", "a", "a ", "ab", "\xc3\xa9", "z\x01", "\x7f"};
    static const char *const jsons[] = {"null", "true", "false", "0", "-1.5", "\"\"", "\"a\"", "[]", "{}", "[null]",
                                        "[1, [2]]", "{\"a\": 1}", "{\"a\": {\"b\": []}}", "{\"aa\": 1, \"b\": 2}",
                                        "[\"x\", 1, true]", "{\"a\": 1.0}"};
    bool edge = rnd(4) == 0;
    switch (type) {
    case SDB_TYPEOID_BOOL:
        return rnd(2) ? "t" : "f";
    case SDB_TYPEOID_CHAR:
        return sdb_arena_sprintf(tt_arena, "\\%03o", 1 + rnd(255));
    case SDB_TYPEOID_INT2:
        return edge ? PICK(ints) : sdb_arena_sprintf(tt_arena, "%d", (int)rnd(65536) - 32768);
    case SDB_TYPEOID_INT4:
        return edge ? PICK(ints) : sdb_arena_sprintf(tt_arena, "%d", (int32_t)rnd64());
    case SDB_TYPEOID_INT8:
        return edge ? PICK(int8s) : sdb_arena_sprintf(tt_arena, "%lld", (long long)(int64_t)rnd64() >> rnd(60));
    case SDB_TYPEOID_OID:
    case SDB_TYPEOID_XID:
    case SDB_TYPEOID_REGCLASS:
        return sdb_arena_sprintf(tt_arena, "%u", edge ? (rnd(2) ? 0u : UINT32_MAX) : (uint32_t)rnd64());
    case SDB_TYPEOID_FLOAT4:
    case SDB_TYPEOID_FLOAT8: {
        if (edge)
            return PICK(floats);
        uint64_t bits = rnd64() << 2;
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isnan(d) || isinf(d))
            d = (double)(int64_t)rnd64() / 7;
        if (type == SDB_TYPEOID_FLOAT4 && (fabs(d) > 3e38 || fabs(d) < 1e-37))
            d = (double)((int)rnd(2000000) - 1000000) / 64;
        return sdb_arena_sprintf(tt_arena, "%.17g", d);
    }
    case SDB_TYPEOID_NUMERIC: {
        if (edge)
            return PICK(numerics);
        char digits[80];
        int n = (int)rnd(30) + 1;
        for (int i = 0; i < n; i++)
            digits[i] = (char)('0' + rnd(10));
        digits[n] = '\0';
        return sdb_arena_sprintf(tt_arena, "%s%se%d", rnd(2) ? "-" : "", digits, (int)rnd(60) - 40);
    }
    case SDB_TYPEOID_TEXT:
    case SDB_TYPEOID_VARCHAR:
    case SDB_TYPEOID_NAME:
    case SDB_TYPEOID_BPCHAR:
        return sdb_arena_sprintf(tt_arena, "%s%s%s", PICK(strings), PICK(strings), rnd(3) ? "" : "  ");
    case SDB_TYPEOID_BYTEA: {
        SdbStr s;
        sdb_str_init(&s, tt_arena);
        sdb_str_append_cstr(&s, "\\x");
        static const char *const bytes[] = {"00", "01", "ff", "fe", "41", "7f"};
        for (unsigned i = rnd(6); i > 0; i--)
            sdb_str_append_cstr(&s, PICK(bytes));
        return s.data;
    }
    case SDB_TYPEOID_UUID:
        return sdb_arena_sprintf(tt_arena, "%016llx%016llx", (unsigned long long)(rnd(3) ? rnd64() : 0),
                                 (unsigned long long)rnd64());
    case SDB_TYPEOID_TID:
        return sdb_arena_sprintf(tt_arena, "(%u,%u)", rnd(3) ? rnd(5) : (uint32_t)rnd64(), rnd(65536));
    case SDB_TYPEOID_DATE:
        return edge ? (rnd(2) ? "infinity" : "-infinity")
                    : rnd(4) ? sdb_arena_sprintf(tt_arena, "%04u-%02u-%02u", 1 + rnd(9999), 1 + rnd(12), 1 + rnd(28))
                             : sdb_arena_sprintf(tt_arena, "%04u-%02u-%02u BC", 1 + rnd(4700), 1 + rnd(12), 1 + rnd(28));
    case SDB_TYPEOID_TIME:
        return sdb_arena_sprintf(tt_arena, "%02u:%02u:%02u.%06u", rnd(24), rnd(60), rnd(60), rnd(1000000));
    case SDB_TYPEOID_TIMETZ:
        return sdb_arena_sprintf(tt_arena, "%02u:%02u:%02u%+03d:%02u", rnd(24), rnd(60), rnd(60), (int)rnd(29) - 14,
                                 rnd(2) * 30);
    case SDB_TYPEOID_TIMESTAMP:
    case SDB_TYPEOID_TIMESTAMPTZ:
        return edge ? (rnd(2) ? "infinity" : "-infinity")
                    : sdb_arena_sprintf(tt_arena, "%04u-%02u-%02u %02u:%02u:%02u.%u%s%s", 1 + rnd(4700), 1 + rnd(12),
                                        1 + rnd(28), rnd(24), rnd(60), rnd(60), rnd(1000000), rnd(4) ? "" : " BC",
                                        type == SDB_TYPEOID_TIMESTAMPTZ ? "+05:30" : "");
    case SDB_TYPEOID_INTERVAL:
        return sdb_arena_sprintf(tt_arena, "%d mons %d days %lld us", (int)rnd(2001) - 1000, (int)rnd(61) - 30,
                                 (long long)((int64_t)rnd64() >> rnd(40)));
    case SDB_TYPEOID_JSONB:
        return PICK(jsons);
    case SDB_TYPEOID_OIDVECTOR:
        return sdb_arena_sprintf(tt_arena, "%s%u %u", rnd(3) ? "" : "7 ", rnd(3), rnd(3));
    case SDB_TYPEOID_INT4_ARRAY: {
        static const char *const arrays[] = {"{}", "{1}", "{1,2}", "{1,NULL}", "{NULL}", "{{1,2},{3,4}}",
                                             "[0:1]={1,2}", "{2}", "{-1,5,6}", "{{1},{2}}"};
        return PICK(arrays);
    }
    case SDB_TYPEOID_TEXT_ARRAY: {
        static const char *const arrays[] = {"{}", "{a}", "{a,b}", "{\"\"}", "{\"a b\",NULL}", "{ab}", "{\"\",a}"};
        return PICK(arrays);
    }
    default:
        return NULL;
    }
}

static const SdbOid key_types[] = {
    SDB_TYPEOID_BOOL,      SDB_TYPEOID_CHAR,        SDB_TYPEOID_INT2,     SDB_TYPEOID_INT4,
    SDB_TYPEOID_INT8,      SDB_TYPEOID_OID,         SDB_TYPEOID_XID,      SDB_TYPEOID_REGCLASS,
    SDB_TYPEOID_FLOAT4,    SDB_TYPEOID_FLOAT8,      SDB_TYPEOID_NUMERIC,  SDB_TYPEOID_TEXT,
    SDB_TYPEOID_VARCHAR,   SDB_TYPEOID_NAME,        SDB_TYPEOID_BPCHAR,   SDB_TYPEOID_BYTEA,
    SDB_TYPEOID_UUID,      SDB_TYPEOID_TID,         SDB_TYPEOID_DATE,     SDB_TYPEOID_TIME,
    SDB_TYPEOID_TIMETZ,    SDB_TYPEOID_TIMESTAMP,   SDB_TYPEOID_TIMESTAMPTZ, SDB_TYPEOID_INTERVAL,
    SDB_TYPEOID_JSONB,     SDB_TYPEOID_OIDVECTOR,   SDB_TYPEOID_INT4_ARRAY, SDB_TYPEOID_TEXT_ARRAY,
};

static SdbStr key_of(SdbOid type, SdbDatum v, bool isnull, SdbKeyOrder order)
{
    SdbStr k;
    sdb_str_init(&k, tt_arena);
    CU_ASSERT_EQUAL(sdb_key_encode(type, v, isnull, order, &k), SDB_OK);
    return k;
}

static int memcmp_keys(const SdbStr *a, const SdbStr *b)
{
    int c = memcmp(a->data, b->data, a->len < b->len ? a->len : b->len);
    if (c == 0)
        c = (a->len > b->len) - (a->len < b->len);
    return (c > 0) - (c < 0);
}

static void check_type(SdbOid type)
{
    const SdbTypeOps *ops = sdb_type_ops(type);
    SdbDatum values[VALUES_PER_TYPE];
    SdbStr asc[VALUES_PER_TYPE], desc[VALUES_PER_TYPE];
    SdbKeyOrder up = {false, true}, down = {true, false};
    for (int i = 0; i < VALUES_PER_TYPE; i++) {
        values[i] = tt_in(type, random_text(type));
        tt_check_binary(type, values[i], tt_out(type, values[i]));
        asc[i] = key_of(type, values[i], false, up);
        desc[i] = key_of(type, values[i], false, down);
    }
    int failures = 0;
    for (int i = 0; i < VALUES_PER_TYPE; i++)
        for (int j = 0; j < VALUES_PER_TYPE; j++) {
            int c = ops->compare(values[i], values[j]);
            c = (c > 0) - (c < 0);
            bool ok = memcmp_keys(&asc[i], &asc[j]) == c && memcmp_keys(&desc[i], &desc[j]) == -c &&
                      (c != 0 || ops->hash(values[i]) == ops->hash(values[j]));
            if (!ok && failures++ < 3)
                printf("\n  %s: '%s' vs '%s': compare %d, keys disagree\n", sdb_type_by_oid(type)->name,
                       tt_out(type, values[i]), tt_out(type, values[j]), c);
            CU_ASSERT_TRUE(ok);
        }
    /* NULLs first when asked (ascending), last otherwise (descending here). */
    SdbStr null_first = key_of(type, 0, true, up), null_last = key_of(type, 0, true, down);
    for (int i = 0; i < VALUES_PER_TYPE; i++) {
        CU_ASSERT_TRUE(memcmp_keys(&null_first, &asc[i]) < 0);
        CU_ASSERT_TRUE(memcmp_keys(&null_last, &desc[i]) > 0);
    }
}

static void test_key_order_every_type(void)
{
    srand(20261124);
    for (size_t t = 0; t < sizeof key_types / sizeof key_types[0]; t++)
        check_type(key_types[t]);
}

/* Two columns (text, int4): keys concatenate and sort column by column. */
static void test_composite_keys(void)
{
    static const char *texts[] = {"", "a", "a\x01", "ab", "b"};
    static const char *ints[] = {"-5", "0", "7"};
    SdbStr keys[15];
    int idx = 0;
    SdbKeyOrder up = {false, true};
    for (int t = 0; t < 5; t++)
        for (int i = 0; i < 3; i++, idx++) {
            sdb_str_init(&keys[idx], tt_arena);
            CU_ASSERT_EQUAL(sdb_key_encode(SDB_TYPEOID_TEXT, tt_in(SDB_TYPEOID_TEXT, texts[t]), false, up, &keys[idx]), SDB_OK);
            CU_ASSERT_EQUAL(sdb_key_encode(SDB_TYPEOID_INT4, tt_in(SDB_TYPEOID_INT4, ints[i]), false, up, &keys[idx]), SDB_OK);
        }
    for (int k = 1; k < 15; k++)
        CU_ASSERT_TRUE(memcmp_keys(&keys[k - 1], &keys[k]) < 0);
}

static void test_not_orderable(void)
{
    SdbStr k;
    sdb_str_init(&k, tt_arena);
    SdbKeyOrder up = {false, true};
    CU_ASSERT_EQUAL(sdb_key_encode(SDB_TYPEOID_JSON, tt_in(SDB_TYPEOID_JSON, "{}"), false, up, &k), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 42883: could not identify an ordering operator for type json");
}

static CU_TestInfo tests[] = {
    {"key order = SQL order, random values of every orderable type", test_key_order_every_type},
    {"composite keys", test_composite_keys},
    {"json is not orderable", test_not_orderable},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_keys", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
