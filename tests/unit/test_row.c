/*
 * test_row.c: the stored row format (catalog/row.h): round trips of by-value
 * and by-reference types with NULLs, decoding subsets in any order, rows
 * shorter than the relation (ADD COLUMN), zero-copy decoding, and garbage
 * bytes rejected with XX001 without reading outside the row.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/row.h"
#include "common/memory.h"
#include "harness.h"

static SdbArena *arena;

static int create_arena(void)
{
    arena = sdb_arena_create(NULL, "test_row", 0);
    return arena == NULL;
}

static int destroy_arena(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

static SdbDatum text_datum(const char *s)
{
    SdbDatum d = 0;
    CU_ASSERT_EQUAL_FATAL(sdb_varlena_make(arena, s, strlen(s), &d), SDB_OK);
    return d;
}

static const SdbOid types5[] = {SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT, SDB_TYPEOID_BOOL, SDB_TYPEOID_FLOAT8,
                                SDB_TYPEOID_NAME};

/* Encode a sample 5-column row into *out. */
static void encode_sample(SdbStr *out, const bool *nulls)
{
    SdbDatum values[5] = {sdb_datum_from_int64(-42), text_datum("hello, world"), 1, sdb_datum_from_float8(2.5),
                          text_datum("")};
    sdb_str_init(out, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_row_encode(5, types5, values, nulls, out), SDB_OK);
}

static void test_round_trip(void)
{
    bool nulls[5] = {false, false, false, false, false};
    SdbStr row;
    encode_sample(&row, nulls);
    int want[5] = {0, 1, 2, 3, 4};
    SdbDatum v[5];
    bool n[5];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 5, arena, v, n), SDB_OK);
    CU_ASSERT_EQUAL(sdb_datum_to_int64(v[0]), -42);
    CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(v[1])->data, "hello, world");
    CU_ASSERT_EQUAL(sdb_datum_varlena(v[1])->len, 12);
    CU_ASSERT_EQUAL(v[2], 1);
    CU_ASSERT_EQUAL(sdb_datum_to_float8(v[3]), 2.5);
    CU_ASSERT_EQUAL(sdb_datum_varlena(v[4])->len, 0);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_FALSE(n[i]);
}

static void test_nulls_and_subsets(void)
{
    bool nulls[5] = {true, false, true, false, true};
    SdbStr row;
    encode_sample(&row, nulls);
    int want[4] = {3, 0, 1, 3};
    SdbDatum v[4];
    bool n[4];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 4, arena, v, n), SDB_OK);
    CU_ASSERT_FALSE(n[0]);
    CU_ASSERT_EQUAL(sdb_datum_to_float8(v[0]), 2.5);
    CU_ASSERT_TRUE(n[1]);
    CU_ASSERT_FALSE(n[2]);
    CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(v[2])->data, "hello, world");
    CU_ASSERT_EQUAL(sdb_datum_to_float8(v[3]), 2.5);
    /* nothing wanted */
    CU_ASSERT_EQUAL(sdb_row_decode(row.data, row.len, types5, 5, want, 0, arena, v, n), SDB_OK);
}

static void test_all_null_and_zero_columns(void)
{
    bool nulls[5] = {true, true, true, true, true};
    SdbStr row;
    encode_sample(&row, nulls);
    CU_ASSERT_EQUAL(row.len, 8);
    int want[2] = {4, 0};
    SdbDatum v[2];
    bool n[2];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 2, arena, v, n), SDB_OK);
    CU_ASSERT_TRUE(n[0] && n[1]);

    SdbStr empty;
    sdb_str_init(&empty, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_row_encode(0, NULL, NULL, NULL, &empty), SDB_OK);
    CU_ASSERT_EQUAL(sdb_row_decode(empty.data, empty.len, types5, 5, want, 2, arena, v, n), SDB_OK);
    CU_ASSERT_TRUE(n[0] && n[1]);
}

/* A row written before ADD COLUMN reads the new columns as NULL. */
static void test_added_columns_read_null(void)
{
    SdbDatum values[2] = {sdb_datum_from_int64(7), text_datum("x")};
    bool nulls[2] = {false, false};
    SdbStr row;
    sdb_str_init(&row, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_row_encode(2, types5, values, nulls, &row), SDB_OK);
    int want[3] = {0, 4, 2};
    SdbDatum v[3];
    bool n[3];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 3, arena, v, n), SDB_OK);
    CU_ASSERT_FALSE(n[0]);
    CU_ASSERT_EQUAL(v[0], 7);
    CU_ASSERT_TRUE(n[1]);
    CU_ASSERT_TRUE(n[2]);
}

/* Without an arena, by-reference values point into the row. */
static void test_zero_copy(void)
{
    bool nulls[5] = {false, false, false, false, false};
    SdbStr row;
    encode_sample(&row, nulls);
    int want[1] = {1};
    SdbDatum v[1];
    bool n[1];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 1, NULL, v, n), SDB_OK);
    const SdbVarlena *t = sdb_datum_varlena(v[0]);
    CU_ASSERT_TRUE((const char *)t >= row.data && (const char *)t < row.data + row.len);
    CU_ASSERT_STRING_EQUAL((const char *)t->data, "hello, world");
}

static void test_wide_row(void)
{
    enum { N = SDB_ROW_MAX_ATTS };
    SdbOid *types = sdb_arena_alloc(arena, N * sizeof *types);
    SdbDatum *values = sdb_arena_alloc(arena, N * sizeof *values);
    bool *nulls = sdb_arena_alloc(arena, N * sizeof *nulls);
    for (int i = 0; i < N; i++) {
        types[i] = i % 2 ? SDB_TYPEOID_INT8 : SDB_TYPEOID_TEXT;
        values[i] = i % 2 ? sdb_datum_from_int64(i) : text_datum("ab");
        nulls[i] = i % 7 == 0;
    }
    SdbStr row;
    sdb_str_init(&row, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_row_encode(N, types, values, nulls, &row), SDB_OK);
    int want[3] = {N - 1, 7, 8};
    SdbDatum v[3];
    bool n[3];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types, N, want, 3, arena, v, n), SDB_OK);
    CU_ASSERT_EQUAL(v[0], (SdbDatum)(N - 1));
    CU_ASSERT_TRUE(n[1]);
    CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(v[2])->data, "ab");

    sdb_str_reset(&row);
    CU_ASSERT_EQUAL(sdb_row_encode(N + 1, types, values, nulls, &row), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_TOO_MANY_COLUMNS);
}

static void expect_corrupt(const void *data, size_t len)
{
    int want[5] = {0, 1, 2, 3, 4};
    SdbDatum v[5];
    bool n[5];
    CU_ASSERT_EQUAL(sdb_row_decode(data, len, types5, 5, want, 5, arena, v, n), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
}

static void test_garbage(void)
{
    bool nulls[5] = {false, false, false, false, false};
    SdbStr row;
    encode_sample(&row, nulls);
    /* every truncation fails cleanly */
    for (size_t len = 0; len < row.len; len++) {
        unsigned char *copy = malloc(len + 1);
        memcpy(copy, row.data, len);
        expect_corrupt(copy, len);
        free(copy);
    }
    /* more attributes than the relation has */
    unsigned char *copy = malloc(row.len);
    memcpy(copy, row.data, row.len);
    uint16_t natts = 9;
    memcpy(copy, &natts, 2);
    expect_corrupt(copy, row.len);
    /* a huge length for the text value (at offset 16 after 8 + 8 bytes) */
    memcpy(copy, row.data, row.len);
    uint32_t huge = 0x7FFFFFF0u;
    memcpy(copy + 16, &huge, 4);
    expect_corrupt(copy, row.len);
    free(copy);
    /* random bytes never crash (ASan checks the reads) */
    srand(12345);
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(rand() % 64);
        unsigned char *junk = malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            junk[i] = (unsigned char)rand();
        int want[5] = {4, 3, 2, 1, 0};
        SdbDatum v[5];
        bool n[5];
        int rc = sdb_row_decode(junk, len, types5, 5, want, 5, arena, v, n);
        if (rc != SDB_OK)
            CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
        free(junk);
    }
}

/* A descriptor made once decodes as the per-row lookups do, copying or
 * not; an unknown type fails only when a value of it is stored. */
static void test_descriptor(void)
{
    bool nulls[5] = {false, false, true, false, false};
    SdbStr row;
    encode_sample(&row, nulls);
    SdbRowDesc desc;
    CU_ASSERT_EQUAL_FATAL(sdb_row_desc_init(&desc, 5, types5, arena), SDB_OK);
    CU_ASSERT_EQUAL(desc.storage[0], SDB_ROW_BYVAL);
    CU_ASSERT_EQUAL(desc.storage[1], SDB_ROW_VARLENA);
    int want[4] = {1, 0, 3, 2};
    SdbDatum v[4], w[4];
    bool n[4], m[4];
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode_desc(NULL, &desc, row.data, row.len, want, 4, false, NULL, v, n), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode(row.data, row.len, types5, 5, want, 4, NULL, w, m), SDB_OK);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(n[i], m[i]);
        CU_ASSERT_EQUAL(v[i], w[i]);
    }
    const char *at = (const char *)sdb_datum_varlena(v[0]);
    CU_ASSERT_TRUE(at > row.data && at < row.data + row.len); /* not copied */
    CU_ASSERT_EQUAL_FATAL(sdb_row_decode_desc(NULL, &desc, row.data, row.len, want, 4, true, arena, v, n), SDB_OK);
    CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(v[0])->data, "hello, world");
    CU_ASSERT_TRUE((const char *)sdb_datum_varlena(v[0]) < row.data ||
                   (const char *)sdb_datum_varlena(v[0]) >= row.data + row.len);
    CU_ASSERT_EQUAL((int64_t)v[1], -42);

    SdbOid odd[2] = {SDB_TYPEOID_INT4, 999999};
    SdbDatum values[2] = {7, 0};
    bool odd_nulls[2] = {false, true};
    SdbStr r2;
    sdb_str_init(&r2, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_row_encode(2, odd, values, odd_nulls, &r2), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_row_desc_init(&desc, 2, odd, arena), SDB_OK);
    CU_ASSERT_EQUAL(desc.storage[1], SDB_ROW_UNKNOWN_TYPE);
    int both[2] = {0, 1};
    CU_ASSERT_EQUAL(sdb_row_decode_desc(NULL, &desc, r2.data, r2.len, both, 2, false, NULL, v, n), SDB_OK);
    CU_ASSERT_TRUE(n[1]);
    odd_nulls[1] = false;
    sdb_str_init(&r2, arena);
    CU_ASSERT_EQUAL(sdb_row_encode(2, odd, values, odd_nulls, &r2), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    sdb_error_clear();
}

/* An out-of-line marker cannot be read without the engine. */
static void test_external_needs_engine(void)
{
    SdbOid types[1] = {SDB_TYPEOID_TEXT};
    unsigned char data[48] = {0};
    uint16_t natts = 1;
    uint32_t word = SDB_ROW_EXTERNAL | 32u;
    memcpy(data, &natts, 2);
    memcpy(data + 8, &word, 4);
    int want = 0;
    SdbDatum v;
    bool n;
    CU_ASSERT_EQUAL(sdb_row_decode(data, 44, types, 1, &want, 1, arena, &v, &n), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    sdb_error_clear();
    CU_ASSERT_EQUAL(sdb_row_decode(data, 40, types, 1, &want, 1, arena, &v, &n), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    sdb_error_clear();
}

static CU_TestInfo tests[] = {
    {"round trip", test_round_trip},
    {"nulls and subsets", test_nulls_and_subsets},
    {"all null, zero columns", test_all_null_and_zero_columns},
    {"added columns read as NULL", test_added_columns_read_null},
    {"zero-copy decode", test_zero_copy},
    {"1600 columns", test_wide_row},
    {"garbage is XX001", test_garbage},
    {"descriptor made once", test_descriptor},
    {"out-of-line value needs the engine", test_external_needs_engine},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"row", create_arena, destroy_arena, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
