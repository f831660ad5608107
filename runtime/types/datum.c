/*
 * types/datum.c: datum conversions, varlena allocation, network byte order
 * send/receive, and the input error texts shared by every type module.
 */
#include "types/datum.h"

#include <string.h>

SdbDatum sdb_datum_from_float8(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

double sdb_datum_to_float8(SdbDatum d)
{
    double v;
    memcpy(&v, &d, sizeof v);
    return v;
}

SdbDatum sdb_datum_from_float4(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

float sdb_datum_to_float4(SdbDatum d)
{
    uint32_t bits = (uint32_t)d;
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

SdbVarlena *sdb_varlena_alloc(SdbArena *arena, size_t len)
{
    if (len > SDB_VARLENA_MAX) {
        sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "value too large: %zu bytes", len);
        sdb_error_detail("Values are limited to %u bytes.", (unsigned)SDB_VARLENA_MAX);
        return NULL;
    }
    SdbVarlena *v = sdb_arena_alloc(arena, sizeof(SdbVarlena) + len + 1);
    if (v == NULL)
        return NULL;
    v->len = (uint32_t)len;
    v->data[len] = '\0';
    return v;
}

int sdb_varlena_make(SdbArena *arena, const void *data, size_t len, SdbDatum *out)
{
    SdbVarlena *v = sdb_varlena_alloc(arena, len);
    if (v == NULL)
        return SDB_ERROR;
    if (len > 0)
        memcpy(v->data, data, len);
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

int sdb_send_be(SdbStr *out, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    return sdb_str_append(out, b, (size_t)bytes);
}

int sdb_send_u8(SdbStr *out, uint8_t v) { return sdb_send_be(out, v, 1); }
int sdb_send_u16(SdbStr *out, uint16_t v) { return sdb_send_be(out, v, 2); }
int sdb_send_u32(SdbStr *out, uint32_t v) { return sdb_send_be(out, v, 4); }
int sdb_send_u64(SdbStr *out, uint64_t v) { return sdb_send_be(out, v, 8); }

int sdb_recv_bytes(SdbRecvBuf *buf, size_t n, const unsigned char **p)
{
    *p = NULL;
    if (buf->len - buf->pos < n)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "insufficient data left in message");
    *p = buf->data + buf->pos;
    buf->pos += n;
    return SDB_OK;
}

int sdb_recv_be(SdbRecvBuf *buf, int bytes, uint64_t *v)
{
    const unsigned char *p;
    *v = 0;
    if (sdb_recv_bytes(buf, (size_t)bytes, &p) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < bytes; i++)
        *v = (*v << 8) | p[i];
    return SDB_OK;
}

/* sdb_recv_u8, sdb_recv_u16, sdb_recv_u32: sdb_recv_be narrowed. */
#define RECV_UINT(bits)                                                                                                \
    int sdb_recv_u##bits(SdbRecvBuf *buf, uint##bits##_t *v)                                                           \
    {                                                                                                                  \
        uint64_t r;                                                                                                    \
        int rc = sdb_recv_be(buf, (bits) / 8, &r);                                                                     \
        *v = (uint##bits##_t)r;                                                                                        \
        return rc;                                                                                                     \
    }

RECV_UINT(8)
RECV_UINT(16)
RECV_UINT(32)

int sdb_recv_u64(SdbRecvBuf *buf, uint64_t *v)
{
    return sdb_recv_be(buf, 8, v);
}

int sdb_err_syntax(const char *type, const char *text)
{
    return sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, SDB_ERRMSG_INVALID_TEXT_REPRESENTATION, type, text);
}

int sdb_err_range(const char *type, const char *text)
{
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value \"%s\" is out of range for type %s", text, type);
}

int sdb_err_binary(void)
{
    return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "incorrect binary data format");
}

bool sdb_isspace(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t sdb_trimmed(const char *s, const char **start)
{
    while (sdb_isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && sdb_isspace((unsigned char)s[n - 1]))
        n--;
    *start = s;
    return n;
}
