/*
 * test_toast.c: out-of-line values (toast.h): round trips of many sizes,
 * compressible and not, for small and large pages; 50 MB values (1 GB with
 * SPECDB_SOAK=1); delete; detection of damaged pointers and chunks; values
 * surviving a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "common/memory.h"
#include "harness.h"
#include "heap_test_util.h"
#include "storage/bufpool.h"
#include "storage/heap.h"
#include "storage/page.h"
#include "storage/toast.h"

/* Value bytes per chunk (toast.c: a chunk with its 20-byte header fills a page). */
static size_t chunk_size(uint32_t page_size)
{
    return sdb_heap_max_payload(page_size) - 20;
}

/* Store `len` bytes made from `seed`, check the pointer, read it back. */
static void round_trip(SdbEngine *e, SdbRelFileId toast, size_t len, int compressible, uint64_t seed)
{
    uint8_t *value = malloc(len), *back = NULL;
    uint8_t pointer[SDB_TOAST_POINTER_SIZE];
    SdbToastPointer p;
    size_t back_len = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    heap_test_fill(value, len, seed, compressible);
    int rc = sdb_toast_store(e, toast, 50, 1, value, len, pointer);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_pointer_decode(pointer, &p), SDB_OK);
    CU_ASSERT_EQUAL(p.raw_len, len);
    CU_ASSERT_TRUE(sdb_relfile_equal(p.toast_rel, toast));
    if (compressible && len >= 1000)
        CU_ASSERT_TRUE(p.flags & SDB_TOAST_COMPRESSED_ZSTD);
    if (!compressible)
        CU_ASSERT_FALSE(p.flags & SDB_TOAST_COMPRESSED_ZSTD);
    rc = sdb_toast_fetch_alloc(e, pointer, &back, &back_len);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    CU_ASSERT_EQUAL(back_len, len);
    CU_ASSERT_EQUAL(memcmp(back, value, len), 0);
    sdb_free(back);
    free(value);
}

static void round_trips(int page_size)
{
    char dir[256];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, page_size, 2048);
    SdbRelFileId toast = heap_test_create(e, 40000);
    size_t chunk = chunk_size((uint32_t)page_size);
    size_t sizes[] = {1, 2, 100, sdb_toast_threshold((uint32_t)page_size), chunk - 1, chunk, chunk + 1,
                      2 * chunk, 3 * chunk + 17, 100000, 1000003};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        round_trip(e, toast, sizes[i], 0, i + 1);
        round_trip(e, toast, sizes[i], 1, i + 1);
    }
    CU_ASSERT_EQUAL(sdb_toast_threshold((uint32_t)page_size), (size_t)page_size / 4);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static void test_round_trips_4k(void)
{
    round_trips(4096);
}

static void test_round_trips_32k(void)
{
    round_trips(32768);
}

static void test_huge_values(void)
{
    char dir[256];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 8192, 8192);
    SdbRelFileId toast = heap_test_create(e, 40001);
    size_t len = heap_test_soak() ? SDB_TOAST_MAX_VALUE : (size_t)50 << 20;
    round_trip(e, toast, len, 1, 77);
    round_trip(e, toast, len, 0, 78);
    uint8_t pointer[SDB_TOAST_POINTER_SIZE];
    uint8_t one = 0;
    CU_ASSERT_EQUAL(sdb_toast_store(e, toast, 50, 1, &one, SDB_TOAST_MAX_VALUE + 1, pointer), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROGRAM_LIMIT_EXCEEDED);
    CU_ASSERT_EQUAL(sdb_toast_store(e, toast, 50, 1, &one, 0, pointer), SDB_ERROR);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

/* ---- delete ---------------------------------------------------------------------- */

static void test_delete(void)
{
    char dir[256];
    enum { LEN = 30000 };
    static uint8_t value[LEN], back[LEN];
    uint8_t keep[SDB_TOAST_POINTER_SIZE], gone[SDB_TOAST_POINTER_SIZE];
    SdbToastPointer p;

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 4096, 1024);
    SdbRelFileId toast = heap_test_create(e, 40002);
    heap_test_fill(value, LEN, 5, 0);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_store(e, toast, 50, 1, value, LEN, keep), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_store(e, toast, 51, 1, value, LEN, gone), SDB_OK);
    CU_ASSERT_EQUAL(sdb_toast_delete(e, gone, 60, 2), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_pointer_decode(gone, &p), SDB_OK);

    /* Every chunk of the deleted value has xmax 60, the others none. */
    SdbHeapScan *scan = sdb_heap_scan_begin(e, toast);
    SdbHeapTuple t;
    bool found;
    int deleted = 0, kept = 0;
    while (sdb_heap_scan_next(scan, &t, &found) == SDB_OK && found) {
        CU_ASSERT_EQUAL(t.header.xmax, t.header.xmin == 51 ? 60 : 0);
        if (t.header.xmin == 51)
            deleted++;
        else
            kept++;
    }
    sdb_heap_scan_end(scan);
    CU_ASSERT_EQUAL(deleted, kept);
    CU_ASSERT_EQUAL(deleted, (LEN + (int)chunk_size(4096) - 1) / (int)chunk_size(4096));
    /* Older snapshots may still read a deleted value. */
    CU_ASSERT_EQUAL(sdb_toast_fetch(e, gone, back, LEN), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(back, value, LEN), 0);
    CU_ASSERT_EQUAL(sdb_toast_fetch(e, keep, back, LEN - 1), SDB_ERROR);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

/* ---- corruption ----------------------------------------------------------------- */

static void expect_corrupted(SdbEngine *e, const uint8_t *pointer, size_t len)
{
    uint8_t *back = malloc(len + 1);
    CU_ASSERT_EQUAL(sdb_toast_fetch(e, pointer, back, len + 1), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    free(back);
}

/* Change one byte of a stored pointer field and expect the fetch to fail. */
static void tamper_pointer(SdbEngine *e, const uint8_t *pointer, size_t len, size_t offset, uint8_t delta)
{
    uint8_t bad[SDB_TOAST_POINTER_SIZE];
    memcpy(bad, pointer, sizeof bad);
    bad[offset] = (uint8_t)(bad[offset] + delta);
    expect_corrupted(e, bad, len);
}

/* Damage byte `offset` of chunk `tid`'s payload in the buffer pool. */
static void tamper_chunk(SdbEngine *e, SdbRelFileId toast, SdbTid tid, size_t offset)
{
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(e), toast, SDB_FORK_MAIN, tid.block, SDB_BUF_READ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    uint16_t len;
    uint8_t *item = sdb_page_item(sdb_buf_page(buf), tid.slot, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    item[SDB_HEAP_TUPLE_HEADER_SIZE + offset] ^= 0x5A;
    sdb_buf_mark_dirty(buf);
    sdb_buf_unlock_release(buf);
}

/* The tid of chunk `n` of `pointer`'s value: walk the chain. */
static SdbTid chunk_tid(SdbEngine *e, const uint8_t *pointer, uint32_t n)
{
    SdbToastPointer p;
    uint8_t *payload = malloc(sdb_heap_max_payload(sdb_engine_page_size(e)));
    CU_ASSERT_EQUAL_FATAL(sdb_toast_pointer_decode(pointer, &p), SDB_OK);
    SdbTid tid = p.first;
    for (uint32_t k = 0; k < n; k++) {
        SdbHeapTupleHeader h;
        bool found;
        CU_ASSERT_EQUAL_FATAL(sdb_heap_fetch(e, p.toast_rel, tid, &h, payload,
                                             sdb_heap_max_payload(sdb_engine_page_size(e)), &found),
                              SDB_OK);
        CU_ASSERT_TRUE_FATAL(found);
        memcpy(&tid.block, payload + 12, 4);
        memcpy(&tid.slot, payload + 16, 2);
    }
    free(payload);
    return tid;
}

typedef struct PruneOne {
    SdbTid tid;
} PruneOne;

static bool is_that_chunk(void *arg, SdbTid tid, const SdbHeapTupleHeader *header, const uint8_t *payload)
{
    PruneOne *one = arg;
    (void)header;
    (void)payload;
    return tid.block == one->tid.block && tid.slot == one->tid.slot;
}

static void test_corruption_detected(void)
{
    char dir[256];
    enum { LEN = 20000 };
    static uint8_t value[LEN], back[LEN];
    uint8_t raw[SDB_TOAST_POINTER_SIZE], packed[SDB_TOAST_POINTER_SIZE], other[SDB_TOAST_POINTER_SIZE];

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 4096, 1024);
    SdbRelFileId toast = heap_test_create(e, 40003);
    heap_test_fill(value, LEN, 11, 0);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_store(e, toast, 50, 1, value, LEN, raw), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_store(e, toast, 50, 1, value, LEN, other), SDB_OK);
    heap_test_fill(value, LEN, 12, 1);
    CU_ASSERT_EQUAL_FATAL(sdb_toast_store(e, toast, 50, 1, value, LEN, packed), SDB_OK);
    CU_ASSERT_EQUAL(sdb_toast_fetch(e, packed, back, LEN), SDB_OK);

    /* Damaged pointers: version, flags, raw and stored lengths, value id,
     * first chunk. */
    tamper_pointer(e, raw, LEN, 0, 1);
    tamper_pointer(e, raw, LEN, 1, 2);
    tamper_pointer(e, raw, LEN, 16, 1);                   /* raw_len != stored_len */
    tamper_pointer(e, packed, LEN, 16, 1);                /* decompresses to fewer bytes */
    tamper_pointer(e, raw, LEN, 24, 1);                   /* value id */
    tamper_pointer(e, raw, LEN, 2, 1);                    /* first slot: another chunk */
    uint8_t longer[SDB_TOAST_POINTER_SIZE];
    memcpy(longer, raw, sizeof longer);
    uint32_t len = LEN + (uint32_t)chunk_size(4096);
    memcpy(longer + 16, &len, 4);
    memcpy(longer + 20, &len, 4);
    expect_corrupted(e, longer, len); /* the chain ends early */
    len = LEN - (uint32_t)chunk_size(4096);
    memcpy(longer + 16, &len, 4);
    memcpy(longer + 20, &len, 4);
    expect_corrupted(e, longer, len); /* the chain goes on */
    /* Another value's chunks: pointer of `other` with raw's value id. */
    memcpy(longer, other, sizeof longer);
    memcpy(longer + 24, raw + 24, 8);
    expect_corrupted(e, longer, LEN);

    /* Damaged chunks: a byte of compressed data (zstd's checksum), a chunk
     * number, a chunk removed. */
    SdbToastPointer p;
    CU_ASSERT_EQUAL_FATAL(sdb_toast_pointer_decode(packed, &p), SDB_OK);
    tamper_chunk(e, toast, chunk_tid(e, packed, 0), 20 + p.stored_len / 2);
    expect_corrupted(e, packed, LEN);
    tamper_chunk(e, toast, chunk_tid(e, raw, 2), 8);
    expect_corrupted(e, raw, LEN);
    PruneOne one = {.tid = chunk_tid(e, other, 3)};
    uint32_t removed;
    CU_ASSERT_EQUAL(sdb_heap_prune(e, toast, one.tid.block, is_that_chunk, &one, false, &removed), SDB_OK);
    CU_ASSERT_EQUAL(removed, 1);
    expect_corrupted(e, other, LEN);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

/* ---- crash ----------------------------------------------------------------------- */

typedef struct CrashToast {
    char dir[256];
    char pointers[300];
} CrashToast;

static int crash_child(void *arg)
{
    CrashToast *c = arg;
    SdbEngine *e = heap_test_open(c->dir, 4096, 256);
    if (e == NULL)
        return 1;
    SdbRelFileId toast = {.db_oid = 1, .rel_number = 40004};
    if (sdb_heap_create(e, toast) != SDB_OK)
        return 2;
    FILE *f = fopen(c->pointers, "wb");
    if (f == NULL)
        return 3;
    for (int i = 0; i < 8; i++) {
        size_t len = 5000 + (size_t)i * 40000;
        uint8_t *value = malloc(len);
        uint8_t pointer[SDB_TOAST_POINTER_SIZE];
        heap_test_fill(value, len, (uint64_t)i + 100, i % 2);
        if (sdb_toast_store(e, toast, 70, 1, value, len, pointer) != SDB_OK)
            return 4;
        fwrite(pointer, sizeof pointer, 1, f);
        free(value);
    }
    if (heap_test_flush_wal(e) != SDB_OK)
        return 5;
    return fclose(f) == 0 ? 0 : 6;
}

static void test_values_survive_crash(void)
{
    CrashToast c;
    sdb_test_tempdir(c.dir, sizeof c.dir);
    snprintf(c.pointers, sizeof c.pointers, "%s.pointers", c.dir);
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, &c), 0);

    SdbEngine *e = heap_test_open(c.dir, 4096, 256);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(sdb_engine_recovery_result(e)->ran);
    FILE *f = fopen(c.pointers, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 8; i++) {
        size_t len = 5000 + (size_t)i * 40000;
        uint8_t pointer[SDB_TOAST_POINTER_SIZE];
        uint8_t *value = malloc(len), *back = malloc(len);
        CU_ASSERT_EQUAL_FATAL(fread(pointer, sizeof pointer, 1, f), 1);
        heap_test_fill(value, len, (uint64_t)i + 100, i % 2);
        CU_ASSERT_EQUAL(sdb_toast_fetch(e, pointer, back, len), SDB_OK);
        CU_ASSERT_EQUAL(memcmp(back, value, len), 0);
        free(value);
        free(back);
    }
    fclose(f);
    remove(c.pointers);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"round trips, 4 kB pages", test_round_trips_4k},
    {"round trips, 32 kB pages", test_round_trips_32k},
    {"huge values", test_huge_values},
    {"delete", test_delete},
    {"corruption is detected", test_corruption_detected},
    {"values survive a crash", test_values_survive_crash},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"toast", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
