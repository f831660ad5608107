/*
 * catalog/row.c: encoding and decoding of the stored row format (row.h),
 * with out-of-line values through storage/toast.h.
 */
#include "catalog/row.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "storage/toast.h"

static const unsigned char zeros[8];

/* Where out-of-line values go while encoding (NULL: nowhere). */
typedef struct ToastTarget {
    struct SdbEngine *engine;
    SdbRelFileId rel;
    SdbXid xid;
    SdbCid cid;
    size_t threshold;
    bool stored;
} ToastTarget;

static size_t header_size(int natts)
{
    size_t bytes = 2 + ((size_t)natts + 7) / 8;
    return (bytes + 7) & ~(size_t)7;
}

static bool type_byval(SdbOid type, bool *byval)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    if (info == NULL)
        return false;
    *byval = info->byval;
    return true;
}

/* Pad `out` with zero bytes to a multiple of `align`. */
static int pad_to(SdbStr *out, size_t align)
{
    size_t rem = out->len % align;
    return rem == 0 ? SDB_OK : sdb_str_append(out, zeros, align - rem);
}

static int encode_varlena(const SdbVarlena *v, ToastTarget *toast, SdbStr *out)
{
    if (v->len > SDB_VARLENA_MAX)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "value too long (%u bytes)", v->len);
    if (pad_to(out, 4) != SDB_OK)
        return SDB_ERROR;
    if (toast != NULL && v->len > toast->threshold) {
        uint8_t pointer[SDB_TOAST_POINTER_SIZE];
        uint32_t word = SDB_ROW_EXTERNAL | SDB_TOAST_POINTER_SIZE;
        if (sdb_toast_store(toast->engine, toast->rel, toast->xid, toast->cid, v->data, v->len, pointer) != SDB_OK)
            return SDB_ERROR;
        toast->stored = true;
        return sdb_str_append(out, &word, 4) == SDB_OK ? sdb_str_append(out, pointer, sizeof pointer) : SDB_ERROR;
    }
    if (sdb_str_append(out, &v->len, 4) != SDB_OK || sdb_str_append(out, v->data, v->len) != SDB_OK)
        return SDB_ERROR;
    return sdb_str_append(out, zeros, 1);
}

static int encode_row(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, ToastTarget *toast,
                      SdbStr *out)
{
    if (natts < 0 || natts > SDB_ROW_MAX_ATTS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "tables can have at most %d columns", SDB_ROW_MAX_ATTS);
    uint16_t n = (uint16_t)natts;
    unsigned char bitmap[(SDB_ROW_MAX_ATTS + 7) / 8] = {0};
    for (int i = 0; i < natts; i++)
        if (nulls[i])
            bitmap[i / 8] |= (unsigned char)(1u << (i % 8));
    if (sdb_str_append(out, &n, 2) != SDB_OK || sdb_str_append(out, bitmap, ((size_t)natts + 7) / 8) != SDB_OK ||
        pad_to(out, 8) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < natts; i++) {
        if (nulls[i])
            continue;
        bool byval;
        if (!type_byval(types[i], &byval))
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for type %u", types[i]);
        int rc = byval ? (pad_to(out, 8) == SDB_OK ? sdb_str_append(out, &values[i], 8) : SDB_ERROR)
                       : encode_varlena(sdb_datum_varlena(values[i]), toast, out);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_row_encode(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out)
{
    return encode_row(natts, types, values, nulls, NULL, out);
}

int sdb_row_encode_toast(struct SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid, size_t threshold,
                         int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out,
                         bool *external)
{
    ToastTarget toast = {engine, toast_rel, xid, cid, threshold, false};
    int rc = encode_row(natts, types, values, nulls, &toast, out);
    if (external != NULL)
        *external = toast.stored;
    return rc;
}

static int corrupted(const char *what)
{
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid row: %s", what);
}

/* Find where each attribute up to `last` starts (offsets[i], or SIZE_MAX
 * for NULL and for attributes the row does not store). */
static int locate(const unsigned char *p, size_t len, const SdbOid *types, int natts, int last, size_t *offsets)
{
    uint16_t stored;
    if (len < 2)
        return corrupted("too short for its header");
    memcpy(&stored, p, 2);
    if (stored > natts)
        return corrupted("more attributes than the relation has");
    size_t pos = header_size(stored);
    if (pos > len)
        return corrupted("too short for its null bitmap");
    for (int i = 0; i <= last; i++) {
        offsets[i] = SIZE_MAX;
        if (i >= stored || (p[2 + i / 8] >> (i % 8)) & 1)
            continue;
        bool byval;
        if (!type_byval(types[i], &byval))
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for type %u", types[i]);
        size_t align = byval ? 8 : 4;
        pos = (pos + align - 1) & ~(align - 1);
        if (pos > len || len - pos < (byval ? 8 : 4))
            return corrupted("attribute beyond its end");
        offsets[i] = pos;
        if (byval) {
            pos += 8;
            continue;
        }
        uint32_t word;
        memcpy(&word, p + pos, 4);
        if (word == (SDB_ROW_EXTERNAL | SDB_TOAST_POINTER_SIZE)) {
            if (len - pos - 4 < SDB_TOAST_POINTER_SIZE)
                return corrupted("toast pointer beyond its end");
            pos += 4 + SDB_TOAST_POINTER_SIZE;
            continue;
        }
        if (word > SDB_VARLENA_MAX || len - pos - 4 < (size_t)word + 1 || p[pos + 4 + word] != 0)
            return corrupted("value length beyond its end");
        pos += 4 + (size_t)word + 1;
    }
    return SDB_OK;
}

/* An out-of-line value into a varlena in `arena`. */
static int fetch_external(struct SdbEngine *engine, const unsigned char *pointer, SdbArena *arena, SdbDatum *out)
{
    if (engine == NULL || arena == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "out-of-line value read without the storage engine");
    SdbToastPointer tp;
    if (sdb_toast_pointer_decode(pointer, &tp) != SDB_OK)
        return SDB_ERROR;
    SdbVarlena *v = sdb_varlena_alloc(arena, tp.raw_len);
    if (v == NULL || sdb_toast_fetch(engine, pointer, v->data, tp.raw_len) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

static int decode_row(struct SdbEngine *engine, const void *data, size_t len, const SdbOid *types, int natts,
                      const int *want, int nwant, SdbArena *arena, SdbDatum *values, bool *nulls)
{
    static_assert(sizeof(SdbDatum) == 8, "row format stores 8-byte datums");
    const unsigned char *p = data;
    size_t offsets[SDB_ROW_MAX_ATTS];
    int last = -1;
    for (int i = 0; i < nwant; i++)
        if (want[i] > last)
            last = want[i];
    if (natts > SDB_ROW_MAX_ATTS || last >= natts)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid attribute number %d", last + 1);
    if (locate(p, len, types, natts, last, offsets) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < nwant; i++) {
        int a = want[i];
        nulls[i] = offsets[a] == SIZE_MAX;
        values[i] = 0;
        if (nulls[i])
            continue;
        const unsigned char *at = p + offsets[a];
        uint32_t word;
        memcpy(&word, at, 4);
        if (sdb_type_by_oid(types[a])->byval) {
            memcpy(&values[i], at, 8);
        } else if (word & SDB_ROW_EXTERNAL) {
            if (fetch_external(engine, at + 4, arena, &values[i]) != SDB_OK)
                return SDB_ERROR;
        } else if (arena == NULL) {
            values[i] = sdb_datum_from_ptr(at);
        } else if (sdb_varlena_make(arena, at + 4, word, &values[i]) != SDB_OK) {
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

int sdb_row_decode(const void *data, size_t len, const SdbOid *types, int natts, const int *want, int nwant,
                   SdbArena *arena, SdbDatum *values, bool *nulls)
{
    return decode_row(NULL, data, len, types, natts, want, nwant, arena, values, nulls);
}

int sdb_row_decode_toast(struct SdbEngine *engine, const void *data, size_t len, const SdbOid *types, int natts,
                         const int *want, int nwant, SdbArena *arena, SdbDatum *values, bool *nulls)
{
    return decode_row(engine, data, len, types, natts, want, nwant, arena, values, nulls);
}
