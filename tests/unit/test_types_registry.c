/*
 * test_types_registry.c: the map from the spec's I/O function names to C
 * functions (every non-pseudo type's input, output, receive and send in the
 * generated sdb_types table resolves, with the right kind), per-type
 * operations, and a text + binary round trip of a sample value of every
 * non-pseudo type, arrays of them included.
 */
#include <stdlib.h>

#include "harness.h"
#include "types/typefuncs.h"
#include "types_test_util.h"

static void test_table_sorted(void)
{
    size_t n;
    const SdbTypeFunc *t = sdb_typefunc_table(&n);
    CU_ASSERT_TRUE(n > 100);
    for (size_t i = 1; i < n; i++)
        CU_ASSERT_TRUE(strcmp(t[i - 1].name, t[i].name) < 0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_PTR_EQUAL(sdb_typefunc_lookup(t[i].name), &t[i]);
    CU_ASSERT_PTR_NULL(sdb_typefunc_lookup("cstring_in"));
    CU_ASSERT_PTR_NULL(sdb_typefunc_lookup(""));
}

static void check_name(const SdbTypeInfo *t, const char *name, SdbTypeFuncKind kind)
{
    const SdbTypeFunc *f = name != NULL ? sdb_typefunc_lookup(name) : NULL;
    if (f == NULL || f->kind != kind)
        printf("\n  type %s: function %s does not resolve\n", t->name, name != NULL ? name : "(none)");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f != NULL)
        CU_ASSERT_EQUAL(f->kind, kind);
}

static void test_every_type_resolves(void)
{
    int checked = 0;
    for (int i = 0; i < SDB_TYPE_COUNT; i++) {
        const SdbTypeInfo *t = &sdb_types[i];
        if (t->kind == SDB_TYPEKIND_PSEUDO)
            continue;
        check_name(t, t->input, SDB_TYPEFUNC_INPUT);
        check_name(t, t->output, SDB_TYPEFUNC_OUTPUT);
        /* aclitem has no binary form, in the spec as in PostgreSQL */
        if (t->oid != SDB_TYPEOID_ACLITEM) {
            check_name(t, t->receive, SDB_TYPEFUNC_RECEIVE);
            check_name(t, t->send, SDB_TYPEFUNC_SEND);
        } else {
            CU_ASSERT_PTR_NULL(t->receive);
            CU_ASSERT_PTR_NULL(t->send);
        }
        CU_ASSERT_PTR_NOT_NULL(sdb_type_ops(t->oid));
        checked++;
    }
    CU_ASSERT_TRUE(checked >= 60);
}

/* A sample literal of each base type. */
static const struct {
    SdbOid type;
    const char *text;
} samples[] = {
    {SDB_TYPEOID_BOOL, "t"},
    {SDB_TYPEOID_BYTEA, "\\x00ff5c22"},
    {SDB_TYPEOID_CHAR, "q"},
    {SDB_TYPEOID_NAME, "pg_class"},
    {SDB_TYPEOID_INT8, "-9223372036854775808"},
    {SDB_TYPEOID_INT2, "-32768"},
    {SDB_TYPEOID_INT2VECTOR, "1 2 3"},
    {SDB_TYPEOID_INT4, "-2147483648"},
    {SDB_TYPEOID_REGPROC, "1242"},
    {SDB_TYPEOID_TEXT, "a \"quoted\" \\ text, {with} braces"},
    {SDB_TYPEOID_OID, "4294967295"},
    {SDB_TYPEOID_TID, "(42,7)"},
    {SDB_TYPEOID_XID, "12345"},
    {SDB_TYPEOID_OIDVECTOR, "23 25"},
    {SDB_TYPEOID_JSON, "{\"a\": [1, 2.50, \"x\"]}"},
    {SDB_TYPEOID_FLOAT4, "-1.5e-07"},
    {SDB_TYPEOID_FLOAT8, "1e+100"},
    {SDB_TYPEOID_BPCHAR, "ab  "},
    {SDB_TYPEOID_VARCHAR, "varying"},
    {SDB_TYPEOID_DATE, "0044-03-15 BC"},
    {SDB_TYPEOID_TIME, "24:00:00"},
    {SDB_TYPEOID_TIMESTAMP, "2026-11-24 05:52:12.123456"},
    {SDB_TYPEOID_TIMESTAMPTZ, "2026-11-24 05:52:12.123456+00"},
    {SDB_TYPEOID_INTERVAL, "1 year 2 mons -3 days +04:05:06.789"},
    {SDB_TYPEOID_TIMETZ, "12:34:56.5-03:30"},
    {SDB_TYPEOID_NUMERIC, "-12345678901234567890.000000000000000000001"},
    {SDB_TYPEOID_REGCLASS, "1259"},
    {SDB_TYPEOID_REGTYPE, "23"},
    {SDB_TYPEOID_UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {SDB_TYPEOID_JSONB, "{\"a\": [1, 2.50, \"x\"], \"bb\": null}"},
    {SDB_TYPEOID_REGNAMESPACE, "11"},
    {SDB_TYPEOID_REGROLE, "10"},
    {SDB_TYPEOID_SQL_IDENTIFIER, "pg_catalog"},
    {SDB_TYPEOID_CARDINAL_NUMBER, "2147483647"},
    {SDB_TYPEOID_CHARACTER_DATA, "some \"data\""},
    {SDB_TYPEOID_YES_OR_NO, "NO"},
};

static const char *sample_of(SdbOid type)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (samples[i].type == type)
            return samples[i].text;
    return NULL;
}

/* "{NULL,"<sample>"}" with the sample quoted for an array literal. */
static const char *array_literal(const char *elem)
{
    SdbStr s;
    sdb_str_init(&s, tt_arena);
    sdb_str_append_cstr(&s, "{NULL,\"");
    for (const char *p = elem; *p; p++) {
        if (*p == '"' || *p == '\\')
            sdb_str_append_char(&s, '\\');
        sdb_str_append_char(&s, *p);
    }
    sdb_str_append_cstr(&s, "\"}");
    return s.data;
}

/* Array output quotes an element the same way, except when it needs none. */
static void test_every_type_round_trips(void)
{
    int checked = 0;
    for (int i = 0; i < SDB_TYPE_COUNT; i++) {
        const SdbTypeInfo *t = &sdb_types[i];
        if (t->kind == SDB_TYPEKIND_PSEUDO)
            continue;
        bool is_array = t->name[0] == '_';
        const char *text = is_array ? sample_of(t->elem_oid) : sample_of(t->oid);
        if (text == NULL) /* arrays of pseudo types (record[], cstring[]) */
            continue;
        if (is_array)
            text = array_literal(text);
        SdbDatum v = 0;
        const char *out = tt_result(t->oid, -1, text, &v);
        if (!is_array) {
            if (strcmp(out, text) != 0)
                printf("\n  %s: '%s' printed as '%s'\n", t->name, text, out);
            CU_ASSERT_STRING_EQUAL(out, text);
        } else {
            CU_ASSERT_EQUAL(strncmp(out, "{NULL,", 6), 0);
            CU_ASSERT_STRING_EQUAL(tt_result(t->oid, -1, out, NULL), out);
        }
        tt_check_binary(t->oid, v, out);
        checked++;
    }
    CU_ASSERT_TRUE(checked >= 60);
}

/* Text in, text out, binary out and in, each allocation failing in turn:
 * every step either works or reports 53200, and nothing crashes or leaks. */
static void test_allocation_failures(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        SdbOid types[2] = {samples[i].type, sdb_type_by_oid(samples[i].type)->array_oid};
        for (int k = 0; k < 2; k++) {
            const char *text = k == 0 ? samples[i].text : array_literal(samples[i].text);
            for (long n = 0; n < 12; n++) {
                SdbArena *arena = sdb_arena_create(tt_arena, "attempt", 0);
                CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
                SdbTypeCtx ctx = {.arena = arena, .typid = types[k], .typmod = -1};
                SdbStr out, wire;
                sdb_str_init(&out, arena);
                sdb_str_init(&wire, arena);
                SdbDatum v, back;
                sdb_memory_fail_after(n);
                int rc = sdb_type_input(&ctx, text, &v);
                if (rc == SDB_OK)
                    rc = sdb_type_output(&ctx, v, &out);
                if (rc == SDB_OK)
                    rc = sdb_type_send(&ctx, v, &wire);
                if (rc == SDB_OK)
                    rc = sdb_type_receive(&ctx, wire.data, wire.len, &back);
                sdb_memory_fail_after(-1);
                if (rc != SDB_OK) {
                    if (sdb_error_last()->code != SDB_ERR_OUT_OF_MEMORY)
                        printf("\n  %s '%s', failing malloc %ld: %s\n", sdb_type_by_oid(types[k])->name, text, n,
                               tt_error_text());
                    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
                    sdb_error_clear();
                }
                sdb_arena_destroy(arena);
            }
        }
    }
}

/* Random garbage never crashes an input function, and whatever is accepted
 * prints as text that reads back as the same value. */
static void test_random_input(void)
{
    static const char alphabet[] = "0123456789-+.:eE{}[]\",\\ \tTZabnul/PYMDHS@\xc3\xa9";
    srand(7);
    char text[24];
    for (int i = 0; i < SDB_TYPE_COUNT; i++) {
        const SdbTypeInfo *t = &sdb_types[i];
        if (t->kind == SDB_TYPEKIND_PSEUDO || sample_of(t->name[0] == '_' ? t->elem_oid : t->oid) == NULL)
            continue;
        for (int k = 0; k < 400; k++) {
            size_t n = (size_t)(rand() % (int)(sizeof text - 1));
            for (size_t c = 0; c < n; c++)
                text[c] = alphabet[rand() % (int)(sizeof alphabet - 1)];
            text[n] = '\0';
            const char *out = tt_result(t->oid, -1, text, NULL);
            if (strncmp(out, "ERROR ", 6) == 0)
                continue;
            const char *again = tt_result(t->oid, -1, out, NULL);
            if (strcmp(again, out) != 0)
                printf("\n  %s: '%s' -> '%s' -> '%s'\n", t->name, text, out, again);
            CU_ASSERT_STRING_EQUAL(again, out);
        }
    }
}

static void test_unknown_and_pseudo_types(void)
{
    SdbTypeCtx ctx = tt_ctx(99999, -1);
    SdbDatum v;
    CU_ASSERT_EQUAL(sdb_type_input(&ctx, "1", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 42704: type with OID 99999 does not exist");
    ctx = tt_ctx(SDB_TYPEOID_ANYELEMENT, -1);
    CU_ASSERT_EQUAL(sdb_type_input(&ctx, "(1)", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 42883: no input function available for type anyelement");
    CU_ASSERT_PTR_NULL(sdb_type_ops(SDB_TYPEOID_ANYELEMENT));
    CU_ASSERT_PTR_NULL(sdb_type_ops(99999));
}

static CU_TestInfo tests[] = {
    {"function table is sorted and searchable", test_table_sorted},
    {"every non-pseudo type's functions resolve", test_every_type_resolves},
    {"every non-pseudo type round-trips (text and binary)", test_every_type_round_trips},
    {"allocation failures", test_allocation_failures},
    {"random input", test_random_input},
    {"unknown and pseudo types", test_unknown_and_pseudo_types},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_registry", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
