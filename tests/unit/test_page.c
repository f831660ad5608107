/*
 * test_page.c: the slotted page (storage/page.h): filling, compaction and
 * slot reuse at every page size, redo-style and sorted insertion, the
 * special area, checksums catching any flipped bit or a wrong block, and the
 * on-read check catching corrupt headers and slots without crashing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "storage/page.h"

static const uint32_t page_sizes[] = {4096, 8192, 16384, 32768};
#define PAGE_SIZE_COUNT (sizeof page_sizes / sizeof page_sizes[0])

static void *new_page(uint32_t size)
{
    void *page = aligned_alloc(8, size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(page);
    return page;
}

/* Item bytes derived from its key, so contents can be checked later. */
static void make_item(unsigned char *buf, uint16_t len, unsigned key)
{
    for (uint16_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(key * 37 + i);
}

static bool item_is(void *page, uint16_t slot, uint16_t len, unsigned key)
{
    unsigned char expected[SDB_PAGE_MAX_SIZE];
    uint16_t got_len = 0;
    unsigned char *item = sdb_page_item(page, slot, &got_len);
    make_item(expected, len, key);
    return item != NULL && got_len == len && memcmp(item, expected, len) == 0 &&
           (uintptr_t)item % SDB_PAGE_ITEM_ALIGN == 0;
}

static bool page_ok(void *page, uint32_t size)
{
    sdb_page_set_checksum(page, size, 7);
    return sdb_page_verify(page, size, 7, "base/1/16384") == SDB_OK;
}

static void test_sizes(void)
{
    CU_ASSERT_EQUAL(SDB_PAGE_HEADER_SIZE, 24);
    for (size_t i = 0; i < PAGE_SIZE_COUNT; i++)
        CU_ASSERT_TRUE(sdb_page_size_valid(page_sizes[i]));
    CU_ASSERT_FALSE(sdb_page_size_valid(2048));
    CU_ASSERT_FALSE(sdb_page_size_valid(65536));
    CU_ASSERT_FALSE(sdb_page_size_valid(12288));
    CU_ASSERT_FALSE(sdb_page_size_valid(0));
}

static void test_fill_compact_reuse(void)
{
    unsigned char item[SDB_PAGE_MAX_SIZE];
    for (size_t s = 0; s < PAGE_SIZE_COUNT; s++) {
        uint32_t size = page_sizes[s];
        void *page = new_page(size);
        uint16_t lens[SDB_PAGE_MAX_SIZE / 12];
        sdb_page_init(page, size, SDB_PAGE_KIND_HEAP, 16);
        CU_ASSERT_FALSE(sdb_page_is_new(page));
        CU_ASSERT_EQUAL(sdb_page_special_size(page, size), 16);
        CU_ASSERT_EQUAL(sdb_page_free_space(page), size - 24 - 16 - 8); /* slot, then aligned down */
        memset(sdb_page_special(page), 0x5A, 16);

        /* Fill with items of varied lengths; free space is always honest. */
        srand(1000 + (unsigned)s);
        uint16_t count = 0;
        for (;;) {
            uint16_t len = (uint16_t)(1 + rand() % 200);
            size_t free_before = sdb_page_free_space(page);
            make_item(item, len, count + 1u);
            int slot = sdb_page_add_item(page, item, len, 0, 0);
            if (slot == SDB_PAGE_NO_ROOM) {
                CU_ASSERT_TRUE(len > free_before);
                break;
            }
            CU_ASSERT_EQUAL(slot, count + 1);
            lens[count++] = len;
        }
        CU_ASSERT_EQUAL(sdb_page_item_count(page), count);
        CU_ASSERT_TRUE(page_ok(page, size));
        for (uint16_t i = 1; i <= count; i++)
            CU_ASSERT_TRUE(item_is(page, i, lens[i - 1], i));

        /* Free every other item, plus the last few; compact. */
        for (uint16_t i = 1; i <= count; i += 2)
            sdb_page_mark_unused(page, i);
        sdb_page_mark_dead(page, 2);
        size_t free_before = sdb_page_free_space(page);
        sdb_page_compact(page);
        CU_ASSERT_TRUE(sdb_page_free_space(page) > free_before);
        CU_ASSERT_TRUE(page_ok(page, size));
        for (uint16_t i = 4; i <= count; i += 2)
            CU_ASSERT_TRUE(item_is(page, i, lens[i - 1], i)); /* same slot numbers */
        CU_ASSERT_EQUAL(sdb_page_slot_state(page, 2), SDB_SLOT_DEAD);
        CU_ASSERT_PTR_NULL(sdb_page_item(page, 2, &lens[0]));
        CU_ASSERT_EQUAL(sdb_page_slot_state(page, 1), SDB_SLOT_UNUSED);

        /* New items reuse UNUSED slots first (1, 3, 5 ...), never the DEAD one. */
        make_item(item, 10, 9999);
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 10, 0, 0), 1);
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 10, 0, 0), 3);
        CU_ASSERT_TRUE(item_is(page, 1, 10, 9999));
        CU_ASSERT_TRUE(page_ok(page, size));

        /* The special area survived everything. */
        unsigned char *special = sdb_page_special(page);
        for (int i = 0; i < 16; i++)
            CU_ASSERT_EQUAL(special[i], 0x5A);

        /* Removing every item and compacting gives an empty page back. */
        for (uint16_t i = 1; i <= sdb_page_item_count(page); i++)
            sdb_page_mark_unused(page, i);
        sdb_page_compact(page);
        CU_ASSERT_EQUAL(sdb_page_item_count(page), 0);
        CU_ASSERT_EQUAL(sdb_page_free_space(page), size - 24 - 16 - 8);
        free(page);
    }
}

static void test_largest_item(void)
{
    for (size_t s = 0; s < PAGE_SIZE_COUNT; s++) {
        uint32_t size = page_sizes[s];
        void *page = new_page(size);
        unsigned char *item = calloc(1, size);
        sdb_page_init(page, size, SDB_PAGE_KIND_HEAP, 0);
        uint16_t biggest = (uint16_t)sdb_page_free_space(page);
        CU_ASSERT_EQUAL(biggest, size - 24 - 4 - 4); /* 8-aligned down */
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, (uint16_t)(biggest + 5), 0, 0), SDB_PAGE_NO_ROOM);
        CU_ASSERT_EQUAL(sdb_page_item_count(page), 0);
        make_item(item, biggest, 3);
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, biggest, 0, 0), 1);
        CU_ASSERT_TRUE(item_is(page, 1, biggest, 3));
        CU_ASSERT_EQUAL(sdb_page_free_space(page), 0);
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 1, 0, 0), SDB_PAGE_NO_ROOM);
        CU_ASSERT_TRUE(page_ok(page, size));
        free(item);
        free(page);
    }
}

static void test_add_at_slot(void)
{
    void *page = new_page(8192);
    unsigned char item[64];
    sdb_page_init(page, 8192, SDB_PAGE_KIND_HEAP, 0);
    make_item(item, 20, 5);
    /* Redo: slot 5 of an empty page; 1..4 become UNUSED. */
    CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 20, 5, 0), 5);
    CU_ASSERT_EQUAL(sdb_page_item_count(page), 5);
    for (uint16_t i = 1; i <= 4; i++)
        CU_ASSERT_EQUAL(sdb_page_slot_state(page, i), SDB_SLOT_UNUSED);
    make_item(item, 30, 2);
    CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 30, 2, 0), 2);
    CU_ASSERT_TRUE(item_is(page, 2, 30, 2));
    CU_ASSERT_TRUE(item_is(page, 5, 20, 5));
    /* An occupied slot or a zero length is refused. */
    CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 30, 2, 0), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    CU_ASSERT_EQUAL(sdb_page_add_item(page, item, 0, 0, 0), SDB_ERROR);
    /* Overwrite in place. */
    make_item(item, 30, 77);
    CU_ASSERT_EQUAL(sdb_page_overwrite_item(page, 2, item, 30), SDB_OK);
    CU_ASSERT_TRUE(item_is(page, 2, 30, 77));
    CU_ASSERT_EQUAL(sdb_page_overwrite_item(page, 2, item, 31), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_page_overwrite_item(page, 3, item, 30), SDB_ERROR);
    CU_ASSERT_TRUE(page_ok(page, 8192));
    /* LSN. */
    CU_ASSERT_EQUAL(sdb_page_lsn(page), 0);
    sdb_page_set_lsn(page, 0x123456789ABCull);
    CU_ASSERT_EQUAL(sdb_page_lsn(page), 0x123456789ABCull);
    free(page);
}

static void test_sorted_insert_and_delete(void)
{
    void *page = new_page(4096);
    sdb_page_init(page, 4096, SDB_PAGE_KIND_BTREE, 16);
    /* Keep keys sorted by inserting each at its position. */
    unsigned keys[] = {50, 10, 40, 20, 30, 60, 5};
    unsigned sorted[16];
    int n = 0;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        int pos = 0;
        while (pos < n && sorted[pos] < keys[k])
            pos++;
        memmove(&sorted[pos + 1], &sorted[pos], (size_t)(n - pos) * sizeof sorted[0]);
        sorted[pos] = keys[k];
        n++;
        unsigned char item[40];
        make_item(item, (uint16_t)(8 + keys[k] % 13), keys[k]);
        CU_ASSERT_EQUAL(sdb_page_add_item(page, item, (uint16_t)(8 + keys[k] % 13), (uint16_t)(pos + 1),
                                          SDB_PAGE_ADD_SHIFT),
                        pos + 1);
    }
    for (int i = 0; i < n; i++)
        CU_ASSERT_TRUE(item_is(page, (uint16_t)(i + 1), (uint16_t)(8 + sorted[i] % 13), sorted[i]));
    CU_ASSERT_EQUAL(sdb_page_add_item(page, "x", 1, (uint16_t)(n + 2), SDB_PAGE_ADD_SHIFT), SDB_ERROR);

    /* Delete the 3rd and the 1st: later slots move down, storage is freed now. */
    size_t free_before = sdb_page_free_space(page);
    sdb_page_delete_item(page, 3);
    sdb_page_delete_item(page, 1);
    memmove(&sorted[2], &sorted[3], (size_t)(n - 3) * sizeof sorted[0]);
    n--;
    memmove(&sorted[0], &sorted[1], (size_t)(n - 1) * sizeof sorted[0]);
    n--;
    CU_ASSERT_EQUAL(sdb_page_item_count(page), n);
    CU_ASSERT_TRUE(sdb_page_free_space(page) >= free_before + 16 + 8);
    for (int i = 0; i < n; i++)
        CU_ASSERT_TRUE(item_is(page, (uint16_t)(i + 1), (uint16_t)(8 + sorted[i] % 13), sorted[i]));
    CU_ASSERT_TRUE(page_ok(page, 4096));
    sdb_page_delete_item(page, 99); /* ignored */
    CU_ASSERT_EQUAL(sdb_page_item_count(page), n);
    free(page);
}

static void test_new_page(void)
{
    for (size_t s = 0; s < PAGE_SIZE_COUNT; s++) {
        uint32_t size = page_sizes[s];
        unsigned char *page = new_page(size);
        memset(page, 0, size);
        CU_ASSERT_TRUE(sdb_page_is_new(page));
        CU_ASSERT_EQUAL(sdb_page_verify(page, size, 3, "base/1/2"), SDB_OK);
        page[size - 1] = 1;
        CU_ASSERT_EQUAL(sdb_page_verify(page, size, 3, "base/1/2"), SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
        free(page);
    }
}

/* Flip bits and check each is caught.  `step` 1 flips every bit. */
static void flip_bits(uint32_t size, uint32_t step)
{
    unsigned char *page = new_page(size);
    unsigned char item[100];
    sdb_page_init(page, size, SDB_PAGE_KIND_HEAP, 8);
    make_item(item, sizeof item, 1);
    while (sdb_page_add_item(page, item, sizeof item, 0, 0) > 0)
        ;
    sdb_page_set_lsn(page, 42);
    sdb_page_set_checksum(page, size, 11);
    CU_ASSERT_EQUAL_FATAL(sdb_page_verify(page, size, 11, "base/1/3"), SDB_OK);
    int missed = 0;
    for (uint32_t bit = 0; bit < size * 8; bit += step) {
        page[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        if (sdb_page_verify(page, size, 11, "base/1/3") == SDB_OK)
            missed++;
        page[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    CU_ASSERT_EQUAL(missed, 0);
    /* The same bytes at another block number fail too (misplaced write). */
    CU_ASSERT_EQUAL(sdb_page_verify(page, size, 12, "base/1/3"), SDB_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "invalid page in block 12 of file \"base/1/3\": checksum mismatch"));
    free(page);
}

static void test_checksum_catches_flipped_bits(void)
{
    bool soak = getenv("SPECDB_SOAK") != NULL;
    for (size_t s = 0; s < PAGE_SIZE_COUNT; s++)
        flip_bits(page_sizes[s], soak || page_sizes[s] == 4096 ? 1 : 61);
}

/* Apply `corrupt` to a valid page, fix the checksum, and expect the check to
 * fail with `reason`. */
static void expect_corrupt(void (*corrupt)(unsigned char *page), const char *reason)
{
    unsigned char *page = new_page(8192);
    unsigned char item[50];
    sdb_page_init(page, 8192, SDB_PAGE_KIND_HEAP, 0);
    make_item(item, sizeof item, 2);
    for (int i = 0; i < 5; i++)
        sdb_page_add_item(page, item, sizeof item, 0, 0);
    corrupt(page);
    sdb_page_set_checksum(page, 8192, 4);
    CU_ASSERT_EQUAL(sdb_page_verify(page, 8192, 4, "base/5/16384"), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    char expected[200];
    snprintf(expected, sizeof expected, "invalid page in block 4 of file \"base/5/16384\": %s", reason);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, expected);
    free(page);
}

static void set_u16(unsigned char *p, uint16_t v)
{
    memcpy(p, &v, 2);
}
static void set_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void bad_kind(unsigned char *p) { p[14] = 99; }
static void bad_version(unsigned char *p) { p[15] = 7; }
static void lower_below_header(unsigned char *p) { set_u16(p + 16, 8); }
static void lower_above_upper(unsigned char *p) { set_u16(p + 16, 8000); }
static void special_beyond_page(unsigned char *p) { set_u16(p + 20, 9000); }
static void upper_unaligned(unsigned char *p) { set_u16(p + 18, (uint16_t)(((SdbPageHeader *)p)->upper - 3)); }
static void slot_beyond_special(unsigned char *p) { set_u32(p + 24, (get_u32(p + 24) & ~0x7FFFu) | 8184u); }
static void slot_below_upper(unsigned char *p) { set_u32(p + 24, (get_u32(p + 24) & ~0x7FFFu) | 1024u); }
static void slot_bad_state(unsigned char *p) { set_u32(p + 28, get_u32(p + 28) | (3u << 15)); }
static void slot_zero_length(unsigned char *p) { set_u32(p + 32, get_u32(p + 32) & 0x1FFFFu); }
static void slot_huge_length(unsigned char *p) { set_u32(p + 32, get_u32(p + 32) | (0x7FFFu << 17)); }
static void slots_overlap(unsigned char *p) { set_u32(p + 28, get_u32(p + 24)); set_u32(p + 32, get_u32(p + 24)); set_u32(p + 36, get_u32(p + 24)); set_u32(p + 40, get_u32(p + 24)); set_u16(p + 18, (uint16_t)(((SdbPageHeader *)p)->upper + 4 * 56)); }

static void test_corrupt_pages_detected(void)
{
    expect_corrupt(bad_kind, "unknown page kind");
    expect_corrupt(bad_version, "unknown page layout version");
    expect_corrupt(lower_below_header, "header bounds out of range");
    expect_corrupt(lower_above_upper, "header bounds out of range");
    expect_corrupt(special_beyond_page, "header bounds out of range");
    expect_corrupt(upper_unaligned, "header bounds out of range");
    expect_corrupt(slot_beyond_special, "item lies outside the item area");
    expect_corrupt(slot_below_upper, "item lies outside the item area");
    expect_corrupt(slot_bad_state, "slot has an invalid state");
    expect_corrupt(slot_zero_length, "item has length 0");
    expect_corrupt(slot_huge_length, "item lies outside the item area");
    expect_corrupt(slots_overlap, "items overlap");
}

/* Random damage to header and slots (checksum fixed up): the check never
 * crashes, and a page it accepts can be used safely (ASan watches). */
static void test_random_damage_is_safe(void)
{
    int iterations = getenv("SPECDB_SOAK") ? 200000 : 5000;
    unsigned char *page = new_page(4096);
    unsigned char item[300];
    srand(77);
    int accepted = 0;
    for (int it = 0; it < iterations; it++) {
        sdb_page_init(page, 4096, SDB_PAGE_KIND_HEAP, 8);
        for (int i = 0; i < 10; i++) {
            uint16_t len = (uint16_t)(1 + rand() % 300);
            make_item(item, len, (unsigned)i);
            sdb_page_add_item(page, item, len, 0, 0);
        }
        int damage = 1 + rand() % 4;
        for (int d = 0; d < damage; d++)
            page[rand() % (24 + 10 * 4)] = (unsigned char)rand();
        sdb_page_set_checksum(page, 4096, 0);
        if (sdb_page_verify(page, 4096, 0, "f") != SDB_OK || sdb_page_is_new(page))
            continue;
        accepted++;
        uint16_t len;
        for (uint16_t s = 1; s <= sdb_page_item_count(page); s++) {
            unsigned char *p = sdb_page_item(page, s, &len);
            if (p != NULL)
                CU_ASSERT_TRUE(p + len <= page + 4096);
        }
        sdb_page_compact(page);
        sdb_page_add_item(page, item, 100, 0, 0);
        sdb_page_delete_item(page, 1);
        sdb_page_set_checksum(page, 4096, 0);
        CU_ASSERT_EQUAL(sdb_page_verify(page, 4096, 0, "f"), SDB_OK);
    }
    CU_ASSERT_TRUE(accepted > 0);
    free(page);
}

static CU_TestInfo tests[] = {
    {"page sizes", test_sizes},
    {"fill, compact, reuse at every page size", test_fill_compact_reuse},
    {"largest item", test_largest_item},
    {"add at a given slot, overwrite, LSN", test_add_at_slot},
    {"sorted insert and delete", test_sorted_insert_and_delete},
    {"all-zero page is new and valid", test_new_page},
    {"checksum catches any flipped bit and a wrong block", test_checksum_catches_flipped_bits},
    {"corrupt header and slots detected", test_corrupt_pages_detected},
    {"random damage never crashes", test_random_damage_is_safe},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"page", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
