/*
 * storage/crc32c.c: CRC-32C, see crc32c.h.
 *
 * Software path: "slicing by 8" (eight 256-entry tables, one 64-bit word per
 * step), tables built once.  Hardware path: the SSE4.2 crc32 instruction, 8
 * bytes at a time after aligning the pointer.  The choice between them is
 * made at the first call and kept in an atomic function pointer.
 */
#include "storage/crc32c.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define CRC32C_POLY_REFLECTED 0x82F63B78u

static uint32_t crc_table[8][256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void build_crc_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1) ? CRC32C_POLY_REFLECTED : 0);
        crc_table[0][i] = crc;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
}

static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint32_t sdb_crc32c_software(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    pthread_once(&crc_table_once, build_crc_table);
    crc = ~crc;
    while (len >= 8) {
        uint64_t word = load_le64(p) ^ crc;
        crc = crc_table[7][word & 0xFF] ^ crc_table[6][(word >> 8) & 0xFF] ^
              crc_table[5][(word >> 16) & 0xFF] ^ crc_table[4][(word >> 24) & 0xFF] ^
              crc_table[3][(word >> 32) & 0xFF] ^ crc_table[2][(word >> 40) & 0xFF] ^
              crc_table[1][(word >> 48) & 0xFF] ^ crc_table[0][word >> 56];
        p += 8;
        len -= 8;
    }
    while (len-- > 0)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xFF];
    return ~crc;
}

#if defined(__x86_64__)

__attribute__((target("sse4.2"))) uint32_t sdb_crc32c_hardware(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t crc64;
    crc = ~crc;
    while (len > 0 && ((uintptr_t)p & 7) != 0) {
        crc = _mm_crc32_u8(crc, *p++);
        len--;
    }
    crc64 = crc;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        crc64 = _mm_crc32_u64(crc64, word);
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)crc64;
    while (len-- > 0)
        crc = _mm_crc32_u8(crc, *p++);
    return ~crc;
}

bool sdb_crc32c_hardware_available(void)
{
    return __builtin_cpu_supports("sse4.2");
}

#else

uint32_t sdb_crc32c_hardware(uint32_t crc, const void *data, size_t len)
{
    return sdb_crc32c_software(crc, data, len);
}

bool sdb_crc32c_hardware_available(void)
{
    return false;
}

#endif

typedef uint32_t (*CrcFunction)(uint32_t crc, const void *data, size_t len);

static uint32_t choose_and_run(uint32_t crc, const void *data, size_t len);

static _Atomic(CrcFunction) crc_impl = choose_and_run;

static CrcFunction chosen_function(void)
{
    return sdb_crc32c_hardware_available() ? sdb_crc32c_hardware : sdb_crc32c_software;
}

static uint32_t choose_and_run(uint32_t crc, const void *data, size_t len)
{
    CrcFunction chosen = chosen_function();
    atomic_store_explicit(&crc_impl, chosen, memory_order_relaxed);
    return chosen(crc, data, len);
}

uint32_t sdb_crc32c(uint32_t crc, const void *data, size_t len)
{
    return atomic_load_explicit(&crc_impl, memory_order_relaxed)(crc, data, len);
}

const char *sdb_crc32c_implementation(void)
{
    return chosen_function() == sdb_crc32c_hardware ? "sse4.2" : "software";
}
