/*
 * test_memory.c: arenas and the checked malloc wrappers (memory.h), including
 * every allocation failure path, found by failing each malloc in turn.
 */
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "common/memory.h"
#include "harness.h"

static bool is_aligned(const void *p)
{
    return (uintptr_t)p % _Alignof(max_align_t) == 0;
}

/* The recorded error is 53200 and its detail mentions `needle`. */
static void assert_out_of_memory(const char *needle)
{
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_OUT_OF_MEMORY);
    CU_ASSERT_STRING_EQUAL(e->message, "out of memory");
    CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, needle));
    sdb_error_clear();
}

static void test_alignment_and_no_overlap(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "align", 0);
    unsigned char *ptrs[2000];
    for (size_t i = 0; i < 2000; i++) {
        size_t size = i % 100;
        ptrs[i] = sdb_arena_alloc(arena, size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ptrs[i]);
        CU_ASSERT_TRUE(is_aligned(ptrs[i]));
        memset(ptrs[i], (int)(i & 0xff), size);
    }
    for (size_t i = 0; i < 2000; i++) {
        for (size_t j = 0; j < i % 100; j++)
            CU_ASSERT_EQUAL_FATAL(ptrs[i][j], i & 0xff);
    }
    /* Zero-size requests still get distinct pointers. */
    CU_ASSERT_PTR_NOT_EQUAL(sdb_arena_alloc(arena, 0), sdb_arena_alloc(arena, 0));
    sdb_arena_destroy(arena);
}

static void test_blocks_grow_and_big_requests_stand_alone(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "grow", 0);
    size_t before = sdb_arena_bytes(arena);
    CU_ASSERT_TRUE(before >= 8192 && before < 9000);
    /* A big request that does not fit gets a block of just its size. */
    void *big = sdb_arena_alloc(arena, 100000);
    CU_ASSERT_PTR_NOT_NULL(big);
    CU_ASSERT_TRUE(is_aligned(big));
    CU_ASSERT_TRUE(sdb_arena_bytes(arena) - before >= 100000);
    CU_ASSERT_TRUE(sdb_arena_bytes(arena) - before < 100100);
    /* Small ones fill the first block, then blocks of 16, 32, 64 KiB... */
    before = sdb_arena_bytes(arena);
    int blocks = 0;
    while (blocks < 5) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(sdb_arena_alloc(arena, 1000));
        size_t now = sdb_arena_bytes(arena);
        if (now != before) {
            CU_ASSERT_EQUAL(now - before, (size_t)16384 << blocks);
            blocks++;
            before = now;
        }
    }
    sdb_arena_destroy(arena);
}

static void test_block_size_stops_at_one_mebibyte(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "cap", 0);
    size_t before = sdb_arena_bytes(arena);
    size_t largest = 0;
    for (int i = 0; i < 1000; i++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(sdb_arena_alloc(arena, 4000));
        size_t now = sdb_arena_bytes(arena);
        if (now - before > largest)
            largest = now - before;
        before = now;
    }
    CU_ASSERT_EQUAL(largest, 1024 * 1024);
    sdb_arena_destroy(arena);
}

static void test_calloc_zeroes_and_checks_overflow(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "calloc", 0);
    unsigned char *p = sdb_arena_alloc(arena, 64);
    memset(p, 0xAB, 64);
    sdb_arena_reset(arena); /* the next allocation reuses dirty memory */
    unsigned char *z = sdb_arena_calloc(arena, 16, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    for (int i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(z[i], 0);
    CU_ASSERT_PTR_NULL(sdb_arena_calloc(arena, SIZE_MAX / 2, 4));
    assert_out_of_memory("\"calloc\"");
    sdb_arena_destroy(arena);
}

static void test_realloc_in_place_and_by_copy(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "realloc", 0);
    char *p = sdb_arena_realloc(arena, NULL, 0, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, "0123456789", 10);
    /* The latest allocation grows and shrinks where it is. */
    CU_ASSERT_PTR_EQUAL(sdb_arena_realloc(arena, p, 10, 1000), p);
    CU_ASSERT_PTR_EQUAL(sdb_arena_realloc(arena, p, 1000, 20), p);
    char *next = sdb_arena_alloc(arena, 16);
    CU_ASSERT_TRUE(next >= p + 20 && next < p + 48);
    /* No longer the latest: a grow copies, a shrink keeps the pointer. */
    char *moved = sdb_arena_realloc(arena, p, 20, 40);
    CU_ASSERT_PTR_NOT_EQUAL(moved, p);
    CU_ASSERT_EQUAL(memcmp(moved, "0123456789", 10), 0);
    CU_ASSERT_PTR_EQUAL(sdb_arena_realloc(arena, p, 20, 5), p);
    /* Growing past the block's end copies into a new block. */
    char *grown = sdb_arena_realloc(arena, moved, 40, 6000);
    CU_ASSERT_PTR_EQUAL(grown, moved);
    char *copied = sdb_arena_realloc(arena, grown, 6000, 60000);
    CU_ASSERT_PTR_NOT_EQUAL(copied, grown);
    CU_ASSERT_EQUAL(memcmp(copied, "0123456789", 10), 0);
    sdb_arena_destroy(arena);
}

static void test_strings(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "strings", 0);
    CU_ASSERT_STRING_EQUAL(sdb_arena_strdup(arena, "hello"), "hello");
    CU_ASSERT_STRING_EQUAL(sdb_arena_strndup(arena, "hello", 3), "hel");
    CU_ASSERT_STRING_EQUAL(sdb_arena_strndup(arena, "hi", 10), "hi");
    CU_ASSERT_STRING_EQUAL(sdb_arena_sprintf(arena, "%s=%d", "x", 42), "x=42");
    char big[20000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *s = sdb_arena_sprintf(arena, "<%s>", big);
    CU_ASSERT_EQUAL(strlen(s), sizeof big + 1);
    CU_ASSERT_EQUAL(s[sizeof big], '>');
    /* vsnprintf itself failing (an unencodable wide character). */
    static const wchar_t bad[] = {(wchar_t)0xD800, 0};
    CU_ASSERT_PTR_NULL(sdb_arena_sprintf(arena, "%ls", bad));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    sdb_error_clear();
    sdb_arena_destroy(arena);
}

static void test_limit(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "limited", 64 * 1024);
    size_t total = 0;
    void *p;
    while ((p = sdb_arena_alloc(arena, 1000)) != NULL) {
        total += 1000;
        CU_ASSERT_TRUE(sdb_arena_bytes(arena) <= 64 * 1024);
    }
    assert_out_of_memory("request of size 1000 in memory context \"limited\": "
                         "memory context \"limited\" is limited to 65536 bytes");
    /* The last block is cut down to fit, so most of the limit is usable. */
    CU_ASSERT_TRUE(total >= 60 * 1000);
    /* A big request over the limit fails the same way. */
    sdb_arena_reset(arena);
    CU_ASSERT_PTR_NULL(sdb_arena_alloc(arena, 100000));
    assert_out_of_memory("limited to 65536 bytes");
    CU_ASSERT_PTR_NOT_NULL(sdb_arena_alloc(arena, 1000));
    sdb_arena_destroy(arena);
    /* A limit below the first block fails at creation. */
    CU_ASSERT_PTR_NULL(sdb_arena_create(NULL, "tiny", 1000));
    assert_out_of_memory("\"tiny\" is limited to 1000 bytes");
}

static void test_limit_counts_descendants(void)
{
    SdbArena *parent = sdb_arena_create(NULL, "query", 100 * 1024);
    SdbArena *child = sdb_arena_create(parent, "sort", 0);
    CU_ASSERT_EQUAL(sdb_arena_bytes(parent), 2 * sdb_arena_bytes(child));
    while (sdb_arena_alloc(child, 2000) != NULL)
        CU_ASSERT_TRUE(sdb_arena_bytes(parent) <= 100 * 1024);
    assert_out_of_memory("in memory context \"sort\": memory context \"query\" is limited to 102400 bytes");
    CU_ASSERT_PTR_NULL(sdb_arena_create(parent, "another", 0));
    assert_out_of_memory("\"another\"");
    /* Destroying the child gives its bytes back to the parent. */
    size_t child_bytes = sdb_arena_bytes(child);
    size_t parent_bytes = sdb_arena_bytes(parent);
    sdb_arena_destroy(child);
    CU_ASSERT_EQUAL(sdb_arena_bytes(parent), parent_bytes - child_bytes);
    CU_ASSERT_PTR_NOT_NULL(sdb_arena_alloc(parent, 2000));
    sdb_arena_destroy(parent);
}

static void test_reset_keeps_first_block_and_destroys_children(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "reset", 0);
    size_t fresh = sdb_arena_bytes(arena);
    char *first = sdb_arena_alloc(arena, 100);
    for (int i = 0; i < 100; i++)
        sdb_arena_alloc(arena, 1000);
    SdbArena *child = sdb_arena_create(arena, "child", 0);
    SdbArena *grandchild = sdb_arena_create(child, "grandchild", 0);
    sdb_arena_alloc(grandchild, 50000);
    CU_ASSERT_TRUE(sdb_arena_bytes(arena) > fresh + 150000);
    sdb_arena_reset(arena);
    CU_ASSERT_EQUAL(sdb_arena_bytes(arena), fresh);
    /* The first block is reused from its start, without a new malloc. */
    sdb_memory_fail_after(0);
    CU_ASSERT_PTR_EQUAL(sdb_arena_alloc(arena, 100), first);
    sdb_memory_fail_after(-1);
    /* After a reset the arena grows from 16 KiB blocks again. */
    while (sdb_arena_bytes(arena) == fresh)
        sdb_arena_alloc(arena, 1000);
    CU_ASSERT_EQUAL(sdb_arena_bytes(arena), fresh + 16384);
    sdb_arena_destroy(arena);
}

static void test_destroy_tree(void)
{
    SdbArena *root = sdb_arena_create(NULL, "root", 0);
    size_t fresh = sdb_arena_bytes(root);
    SdbArena *kids[5];
    for (int i = 0; i < 5; i++) {
        kids[i] = sdb_arena_create(root, "kid", 0);
        sdb_arena_alloc(kids[i], 20000);
        sdb_arena_create(kids[i], "grandkid", 0);
    }
    /* Unlink from the middle, the head and the tail of the child list. */
    size_t before = sdb_arena_bytes(root);
    size_t kid = sdb_arena_bytes(kids[2]);
    sdb_arena_destroy(kids[2]);
    CU_ASSERT_EQUAL(sdb_arena_bytes(root), before - kid);
    sdb_arena_destroy(kids[4]);
    sdb_arena_destroy(kids[0]);
    sdb_arena_destroy(kids[1]);
    sdb_arena_destroy(kids[3]);
    CU_ASSERT_EQUAL(sdb_arena_bytes(root), fresh);
    sdb_arena_create(root, "left for destroy", 0);
    sdb_arena_destroy(root);
    sdb_arena_destroy(NULL);
}

static void test_huge_requests_fail_cleanly(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "huge", 0);
    CU_ASSERT_PTR_NULL(sdb_arena_alloc(arena, SIZE_MAX));
    assert_out_of_memory("request of size 18446744073709551615 in memory context \"huge\"");
    char *p = sdb_arena_alloc(arena, 8);
    CU_ASSERT_PTR_NULL(sdb_arena_realloc(arena, p, 8, SIZE_MAX));
    assert_out_of_memory("\"huge\"");
    CU_ASSERT_PTR_NULL(sdb_malloc(SIZE_MAX));
    assert_out_of_memory("Failed on request of size 18446744073709551615.");
    sdb_arena_destroy(arena);
}

/* A sequence touching every way the arena code allocates; SDB_ERROR when an
 * allocation fails.  Everything is under `root`, so destroying it frees all. */
static int allocation_sequence(SdbArena **root)
{
    *root = sdb_arena_create(NULL, "seq", 0);
    if (!*root)
        return SDB_ERROR;
    SdbArena *child = sdb_arena_create(*root, "seq child", 0);
    if (!child)
        return SDB_ERROR;
    for (int i = 0; i < 40; i++) {
        if (!sdb_arena_alloc(child, 1000))
            return SDB_ERROR;
    }
    char *s = sdb_arena_sprintf(*root, "%0*d", 9000, 7);
    if (!s)
        return SDB_ERROR;
    if (!sdb_arena_realloc(*root, s, 9001, 30000) || !sdb_arena_strdup(*root, s))
        return SDB_ERROR;
    sdb_arena_reset(child);
    if (!sdb_arena_calloc(child, 100, 100))
        return SDB_ERROR;
    return SDB_OK;
}

static void test_every_malloc_failure_is_reported(void)
{
    int failures = 0;
    for (long n = 0;; n++) {
        SdbArena *root = NULL;
        sdb_memory_fail_after(n);
        int rc = allocation_sequence(&root);
        sdb_memory_fail_after(-1);
        sdb_arena_destroy(root);
        if (rc == SDB_OK)
            break;
        assert_out_of_memory("Failed on request of size");
        failures++;
    }
    /* create x2, child blocks 16+32 KiB, sprintf, realloc, strdup, calloc. */
    CU_ASSERT_EQUAL(failures, 8);
}

static void test_malloc_wrappers(void)
{
    char *p = sdb_malloc(16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    strcpy(p, "kept");
    sdb_memory_fail_after(0);
    CU_ASSERT_PTR_NULL(sdb_realloc(p, 1 << 20));
    assert_out_of_memory("Failed on request of size 1048576.");
    CU_ASSERT_STRING_EQUAL(p, "kept");
    p = sdb_realloc(p, 1 << 20);
    CU_ASSERT_STRING_EQUAL(p, "kept");
    sdb_free(p);
    sdb_memory_fail_after(1);
    void *ok = sdb_malloc(0);
    CU_ASSERT_PTR_NOT_NULL(ok);
    CU_ASSERT_PTR_NULL(sdb_malloc(10));
    assert_out_of_memory("Failed on request of size 10.");
    /* The hook disarmed itself after firing. */
    void *again = sdb_malloc(10);
    CU_ASSERT_PTR_NOT_NULL(again);
    sdb_free(again);
    sdb_free(ok);
    sdb_free(NULL);
}

static CU_TestInfo tests[] = {
    {"alignment, no overlap", test_alignment_and_no_overlap},
    {"geometric blocks, big requests alone", test_blocks_grow_and_big_requests_stand_alone},
    {"block size capped at 1 MiB", test_block_size_stops_at_one_mebibyte},
    {"calloc", test_calloc_zeroes_and_checks_overflow},
    {"realloc in place and by copy", test_realloc_in_place_and_by_copy},
    {"strdup, strndup, sprintf", test_strings},
    {"limit", test_limit},
    {"limit counts descendants", test_limit_counts_descendants},
    {"reset", test_reset_keeps_first_block_and_destroys_children},
    {"destroy tree", test_destroy_tree},
    {"huge requests", test_huge_requests_fail_cleanly},
    {"every malloc failure reported", test_every_malloc_failure_is_reported},
    {"malloc wrappers", test_malloc_wrappers},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"memory", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
