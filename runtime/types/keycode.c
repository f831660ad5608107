/*
 * types/keycode.c: order-preserving encodings of integers, byte strings and
 * floats (see keycode.h), and sdb_key_encode, which adds the NULL marker and
 * descending inversion around a type's key function.
 */
#include "types/keycode.h"

#include <math.h>
#include <string.h>

#include "common/hash.h"
#include "types/typeio.h"

int sdb_key_int(SdbStr *out, int64_t v, int bytes)
{
    uint64_t u = (uint64_t)v ^ (UINT64_C(1) << (8 * bytes - 1));
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(u >> (8 * (bytes - 1 - i)));
    return sdb_str_append(out, b, (size_t)bytes);
}

int sdb_key_bytes(SdbStr *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0)
            continue;
        if (sdb_str_append(out, p + start, i + 1 - start) != SDB_OK || sdb_str_append_char(out, (char)0xFF) != SDB_OK)
            return SDB_ERROR;
        start = i + 1;
    }
    if (sdb_str_append(out, p + start, len - start) != SDB_OK)
        return SDB_ERROR;
    return sdb_str_append(out, "\x00\x01", 2);
}

int sdb_key_float8(SdbStr *out, double v)
{
    if (isnan(v))
        v = NAN;
    else if (v == 0)
        v = 0; /* -0 encodes as 0 */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits = (bits & (UINT64_C(1) << 63)) ? ~bits : bits ^ (UINT64_C(1) << 63);
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(bits >> (56 - 8 * i));
    return sdb_str_append(out, b, 8);
}

int sdb_compare_by_key(int (*key)(SdbDatum, SdbStr *), SdbDatum a, SdbDatum b)
{
    SdbArena *scratch = sdb_arena_create(NULL, "key compare", 0);
    if (scratch == NULL)
        return 0;
    SdbStr x, y;
    sdb_str_init(&x, scratch);
    sdb_str_init(&y, scratch);
    int c = 0;
    if (key(a, &x) == SDB_OK && key(b, &y) == SDB_OK) {
        c = memcmp(x.data, y.data, x.len < y.len ? x.len : y.len);
        c = c != 0 ? (c > 0) - (c < 0) : (x.len > y.len) - (x.len < y.len);
    }
    sdb_arena_destroy(scratch);
    return c;
}

uint64_t sdb_hash_by_key(int (*key)(SdbDatum, SdbStr *), SdbDatum v)
{
    SdbArena *scratch = sdb_arena_create(NULL, "key hash", 0);
    if (scratch == NULL)
        return 0;
    SdbStr x;
    sdb_str_init(&x, scratch);
    uint64_t h = key(v, &x) == SDB_OK ? sdb_hash_bytes(x.data, x.len, 0) : 0;
    sdb_arena_destroy(scratch);
    return h;
}

/* NULL markers: the value marker sits between the two NULL positions. */
#define KEY_NULL_FIRST 0x00
#define KEY_VALUE 0x01
#define KEY_NULL_LAST 0xFF

int sdb_key_encode(SdbOid typid, SdbDatum value, bool isnull, SdbKeyOrder order, SdbStr *out)
{
    const SdbTypeOps *ops = sdb_type_ops(typid);
    if (ops == NULL || ops->key == NULL) {
        const SdbTypeInfo *t = sdb_type_by_oid(typid);
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an ordering operator for type %s",
                         t != NULL ? t->name : "unknown");
    }
    if (isnull)
        return sdb_str_append_char(out, (char)(order.nulls_first ? KEY_NULL_FIRST : KEY_NULL_LAST));
    if (sdb_str_append_char(out, KEY_VALUE) != SDB_OK)
        return SDB_ERROR;
    size_t start = out->len;
    if (ops->key(value, out) != SDB_OK)
        return SDB_ERROR;
    if (order.descending)
        for (size_t i = start; i < out->len; i++)
            out->data[i] = (char)~(unsigned char)out->data[i];
    return SDB_OK;
}
