/*
 * expr/fn_md5.c: md5(text), the MD5 digest (RFC 1321) of a string as 32
 * lower-case hex digits.
 */
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "expr/fmgr.h"

/* Per-round shift amounts and sine-derived constants of RFC 1321. */
static const uint8_t SHIFTS[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static const uint32_t SINES[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* Fold one 64-byte block into the state. */
static void md5_block(uint32_t state[4], const unsigned char *block)
{
    uint32_t m[16], a = state[0], b = state[1], c = state[2], d = state[3];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 | (uint32_t)block[4 * i + 2] << 16 |
               (uint32_t)block[4 * i + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16)
            f = (b & c) | (~b & d), g = i;
        else if (i < 32)
            f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
        else if (i < 48)
            f = b ^ c ^ d, g = (3 * i + 5) % 16;
        else
            f = c ^ (b | ~d), g = (7 * i) % 16;
        uint32_t sum = a + f + SINES[i] + m[g];
        a = d;
        d = c;
        c = b;
        b = b + (sum << SHIFTS[i] | sum >> (32 - SHIFTS[i]));
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
}

/* The 16-byte digest of `len` bytes at `data`. */
static void md5(const unsigned char *data, size_t len, unsigned char digest[16])
{
    uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t full = len / 64 * 64;
    for (size_t i = 0; i < full; i += 64)
        md5_block(state, data + i);
    unsigned char tail[128] = {0};
    size_t rest = len - full, padded = rest < 56 ? 64 : 128;
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[padded - 8 + i] = (unsigned char)(bits >> (8 * i));
    for (size_t i = 0; i < padded; i += 64)
        md5_block(state, tail + i);
    for (int i = 0; i < 16; i++)
        digest[i] = (unsigned char)(state[i / 4] >> (8 * (i % 4)));
}

int sdb_fn_md5_text(SdbFnCall *call)
{
    static const char hex[] = "0123456789abcdef";
    const SdbVarlena *text = sdb_fn_arg_text(call, 0);
    unsigned char digest[16];
    char out[32];
    md5(text->data, text->len, digest);
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    return sdb_fn_return_text(call, out, sizeof out);
}
