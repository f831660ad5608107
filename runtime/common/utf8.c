/* utf8.c: UTF-8 validation, encoding and character counting. */
#include "common/utf8.h"

#include "common/error.h"

/* Length of the UTF-8 character starting with byte `c`, 0 if `c` cannot
 * start one. */
static int sequence_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* Whether the `n`-byte sequence at `s` is a valid UTF-8 character. */
static int sequence_valid(const unsigned char *s, int n)
{
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F)))
        return 0; /* overlong, or a surrogate */
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)))
        return 0; /* overlong, or above U+10FFFF */
    return 1;
}

size_t sdb_utf8_invalid_offset(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        int n = sequence_length(s[i]);
        if (s[i] == 0 || n == 0 || (size_t)n > len - i || !sequence_valid(s + i, n))
            return i;
        i += (size_t)n;
    }
    return len;
}

int sdb_utf8_report_invalid(const char *bad, size_t avail)
{
    const unsigned char *s = (const unsigned char *)bad;
    char hex[8 * 5 + 1];
    size_t n = (size_t)sequence_length(s[0]);
    if (n == 0)
        n = 1;
    if (n > avail)
        n = avail;
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(hex + used, sizeof hex - used, i ? " 0x%02x" : "0x%02x", s[i]);
    return sdb_error(SDB_ERR_CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

int sdb_utf8_verify(const void *buf, size_t len)
{
    size_t bad = sdb_utf8_invalid_offset(buf, len);
    if (bad < len)
        return sdb_utf8_report_invalid((const char *)buf + bad, len - bad);
    return SDB_OK;
}

size_t sdb_utf8_prefix_bytes(const char *buf, size_t len, size_t chars)
{
    size_t i = 0;
    for (size_t c = 0; c < chars && i < len; c++) {
        int n = sequence_length((unsigned char)buf[i]);
        i += n > 0 ? (size_t)n : 1;
    }
    return i < len ? i : len;
}

int sdb_utf8_char_bytes(const char *p)
{
    if (*p == '\0')
        return 0;
    int n = sequence_length((unsigned char)*p);
    if (n == 0)
        return 1;
    for (int i = 1; i < n; i++)
        if (p[i] == '\0')
            return i;
    return n;
}

int sdb_utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int sdb_utf8_char_count(const char *buf, size_t bytes)
{
    int count = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)buf[i] & 0xC0) != 0x80)
            count++;
    return count;
}
