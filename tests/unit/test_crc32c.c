/*
 * test_crc32c.c: CRC-32C (storage/crc32c.h): the standard check value,
 * chaining, and the SSE4.2 and software paths agreeing on every length and
 * alignment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "storage/crc32c.h"

static void test_check_value(void)
{
    CU_ASSERT_EQUAL(sdb_crc32c(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(sdb_crc32c_software(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(sdb_crc32c(0, NULL, 0), 0u);
    /* RFC 3720 (iSCSI) B.4 test vectors: 32 bytes of zeros, of 0xFF, and 0..31. */
    unsigned char buf[32];
    memset(buf, 0, sizeof buf);
    CU_ASSERT_EQUAL(sdb_crc32c(0, buf, sizeof buf), 0x8A9136AAu);
    memset(buf, 0xFF, sizeof buf);
    CU_ASSERT_EQUAL(sdb_crc32c(0, buf, sizeof buf), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (unsigned char)i;
    CU_ASSERT_EQUAL(sdb_crc32c(0, buf, sizeof buf), 0x46DD794Eu);
}

static void test_chaining(void)
{
    const char *text = "The quick brown fox jumps over the lazy dog";
    size_t len = strlen(text);
    uint32_t whole = sdb_crc32c(0, text, len);
    for (size_t cut = 0; cut <= len; cut++) {
        CU_ASSERT_EQUAL(sdb_crc32c(sdb_crc32c(0, text, cut), text + cut, len - cut), whole);
        CU_ASSERT_EQUAL(sdb_crc32c_software(sdb_crc32c_software(0, text, cut), text + cut, len - cut), whole);
    }
    CU_ASSERT_EQUAL(whole, 0x22620404u);
}

static void test_hardware_matches_software(void)
{
    enum { MAX_LEN = 300, MAX_SHIFT = 16 };
    unsigned char *buf = malloc(MAX_LEN + MAX_SHIFT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    srand(12345);
    for (size_t i = 0; i < MAX_LEN + MAX_SHIFT; i++)
        buf[i] = (unsigned char)rand();
    bool hardware = sdb_crc32c_hardware_available();
    CU_ASSERT_STRING_EQUAL(sdb_crc32c_implementation(), hardware ? "sse4.2" : "software");
    for (size_t shift = 0; shift < MAX_SHIFT; shift++) {
        for (size_t len = 0; len <= MAX_LEN; len++) {
            uint32_t soft = sdb_crc32c_software(0x12345678u, buf + shift, len);
            CU_ASSERT_EQUAL(sdb_crc32c(0x12345678u, buf + shift, len), soft);
            if (hardware)
                CU_ASSERT_EQUAL(sdb_crc32c_hardware(0x12345678u, buf + shift, len), soft);
        }
    }
    free(buf);
}

static void test_large_buffer(void)
{
    enum { SIZE = 1 << 20 };
    unsigned char *buf = malloc(SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (size_t i = 0; i < SIZE; i++)
        buf[i] = (unsigned char)(i * 31 + 7);
    CU_ASSERT_EQUAL(sdb_crc32c(0, buf, SIZE), sdb_crc32c_software(0, buf, SIZE));
    /* A flipped bit anywhere changes the CRC. */
    uint32_t before = sdb_crc32c(0, buf, SIZE);
    buf[SIZE / 3] ^= 0x10;
    CU_ASSERT_NOT_EQUAL(sdb_crc32c(0, buf, SIZE), before);
    free(buf);
}

static CU_TestInfo tests[] = {
    {"check value and RFC 3720 vectors", test_check_value},
    {"chaining", test_chaining},
    {"hardware == software, lengths 0..300, unaligned", test_hardware_matches_software},
    {"1 MiB buffer", test_large_buffer},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"crc32c", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
