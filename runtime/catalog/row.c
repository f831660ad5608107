/*
 * catalog/row.c: encoding and decoding of the stored row format (row.h),
 * with out-of-line values through storage/toast.h: which values move out
 * (largest first while the row is too long), fetching the wanted ones
 * while decoding, deleting them with their row.
 */
#include "catalog/row.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "storage/toast.h"

static const unsigned char zeros[8];

/* The smallest value worth moving out of line: a pointer plus its word. */
#define MIN_EXTERNAL (2 * SDB_TOAST_POINTER_SIZE)

static size_t header_size(int natts)
{
    size_t bytes = 2 + ((size_t)natts + 7) / 8;
    return (bytes + 7) & ~(size_t)7;
}

static uint8_t storage_of(SdbOid type)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info == NULL ? SDB_ROW_UNKNOWN_TYPE : info->byval ? SDB_ROW_BYVAL : SDB_ROW_VARLENA;
}

int sdb_row_desc_init(SdbRowDesc *desc, int natts, const SdbOid *types, SdbArena *arena)
{
    uint8_t *storage = sdb_arena_alloc(arena, natts > 0 ? (size_t)natts : 1);
    if (storage == NULL)
        return SDB_ERROR;
    for (int i = 0; i < natts; i++)
        storage[i] = storage_of(types[i]);
    *desc = (SdbRowDesc){.natts = natts, .types = types, .storage = storage};
    return SDB_OK;
}

static int unknown_type(SdbOid type)
{
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for type %u", type);
}

/* ---- encoding ----------------------------------------------------------- */

/* A row being encoded: its values, each non-null attribute's storage, and
 * the attributes moved out of line with their pointers (in attnum order). */
typedef struct RowIn {
    int natts;
    const SdbOid *types;
    const SdbDatum *values;
    const bool *nulls;
    uint8_t storage[SDB_ROW_MAX_ATTS];
    bool moved[SDB_ROW_MAX_ATTS];
    const uint8_t *pointers; /* SDB_TOAST_POINTER_SIZE bytes per moved attribute */
} RowIn;

static int row_in_init(RowIn *r, int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls)
{
    if (natts < 0 || natts > SDB_ROW_MAX_ATTS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "tables can have at most %d columns", SDB_ROW_MAX_ATTS);
    r->natts = natts;
    r->types = types;
    r->values = values;
    r->nulls = nulls;
    r->pointers = NULL;
    memset(r->moved, 0, (size_t)natts);
    for (int i = 0; i < natts; i++) {
        if (nulls[i])
            continue;
        if ((r->storage[i] = storage_of(types[i])) == SDB_ROW_UNKNOWN_TYPE)
            return unknown_type(types[i]);
        if (r->storage[i] == SDB_ROW_VARLENA && sdb_datum_varlena(values[i])->len > SDB_VARLENA_MAX)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "value too long (%u bytes)",
                             sdb_datum_varlena(values[i])->len);
    }
    return SDB_OK;
}

/* The length of the encoded row. */
static size_t row_size(const RowIn *r)
{
    size_t pos = header_size(r->natts);
    for (int i = 0; i < r->natts; i++) {
        if (r->nulls[i])
            continue;
        if (r->storage[i] == SDB_ROW_BYVAL) {
            pos = ((pos + 7) & ~(size_t)7) + 8;
            continue;
        }
        pos = (pos + 3) & ~(size_t)3;
        pos += r->moved[i] ? 4 + SDB_TOAST_POINTER_SIZE : 4 + (size_t)sdb_datum_varlena(r->values[i])->len + 1;
    }
    return pos;
}

/* Pad `out` with zero bytes to a multiple of `align`. */
static int pad_to(SdbStr *out, size_t align)
{
    size_t rem = out->len % align;
    return rem == 0 ? SDB_OK : sdb_str_append(out, zeros, align - rem);
}

static int encode_row(const RowIn *r, SdbStr *out)
{
    uint16_t n = (uint16_t)r->natts;
    unsigned char bitmap[(SDB_ROW_MAX_ATTS + 7) / 8] = {0};
    for (int i = 0; i < r->natts; i++)
        if (r->nulls[i])
            bitmap[i / 8] |= (unsigned char)(1u << (i % 8));
    if (sdb_str_append(out, &n, 2) != SDB_OK || sdb_str_append(out, bitmap, ((size_t)r->natts + 7) / 8) != SDB_OK ||
        pad_to(out, 8) != SDB_OK)
        return SDB_ERROR;
    const uint8_t *pointer = r->pointers;
    for (int i = 0; i < r->natts; i++) {
        if (r->nulls[i])
            continue;
        int rc;
        if (r->storage[i] == SDB_ROW_BYVAL) {
            rc = pad_to(out, 8) == SDB_OK ? sdb_str_append(out, &r->values[i], 8) : SDB_ERROR;
        } else if (r->moved[i]) {
            uint32_t word = SDB_ROW_EXTERNAL | SDB_TOAST_POINTER_SIZE;
            rc = pad_to(out, 4) == SDB_OK && sdb_str_append(out, &word, 4) == SDB_OK
                     ? sdb_str_append(out, pointer, SDB_TOAST_POINTER_SIZE)
                     : SDB_ERROR;
            pointer += SDB_TOAST_POINTER_SIZE;
        } else {
            const SdbVarlena *v = sdb_datum_varlena(r->values[i]);
            rc = pad_to(out, 4) == SDB_OK && sdb_str_append(out, &v->len, 4) == SDB_OK &&
                         sdb_str_append(out, v->data, v->len) == SDB_OK
                     ? sdb_str_append(out, zeros, 1)
                     : SDB_ERROR;
        }
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_row_encode(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out)
{
    static_assert(sizeof(SdbDatum) == 8, "row format stores 8-byte datums");
    RowIn r;
    return row_in_init(&r, natts, types, values, nulls) == SDB_OK ? encode_row(&r, out) : SDB_ERROR;
}

/* The largest in-line by-reference value worth moving, or -1. */
static int largest_inline(const RowIn *r)
{
    int best = -1;
    uint32_t best_len = MIN_EXTERNAL;
    for (int i = 0; i < r->natts; i++) {
        if (r->nulls[i] || r->moved[i] || r->storage[i] != SDB_ROW_VARLENA)
            continue;
        uint32_t len = sdb_datum_varlena(r->values[i])->len;
        if (len > best_len) {
            best = i;
            best_len = len;
        }
    }
    return best;
}

int sdb_row_encode_toast(struct SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid, size_t threshold,
                         int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out,
                         bool *external)
{
    RowIn r;
    if (external != NULL)
        *external = false;
    if (row_in_init(&r, natts, types, values, nulls) != SDB_OK)
        return SDB_ERROR;
    int nmoved = 0;
    for (int att; row_size(&r) > threshold && (att = largest_inline(&r)) >= 0; nmoved++)
        r.moved[att] = true;
    if (nmoved > 0) {
        uint8_t *pointers = sdb_arena_alloc(out->arena, (size_t)nmoved * SDB_TOAST_POINTER_SIZE);
        if (pointers == NULL)
            return SDB_ERROR;
        uint8_t *p = pointers;
        for (int i = 0; i < natts; i++) {
            if (!r.moved[i])
                continue;
            const SdbVarlena *v = sdb_datum_varlena(values[i]);
            if (sdb_toast_store(engine, toast_rel, xid, cid, v->data, v->len, p) != SDB_OK)
                return SDB_ERROR;
            p += SDB_TOAST_POINTER_SIZE;
        }
        r.pointers = pointers;
        if (external != NULL)
            *external = true;
    }
    return encode_row(&r, out);
}

/* ---- decoding ----------------------------------------------------------- */

static int corrupted(const char *what)
{
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid row: %s", what);
}

/* Attribute i's storage: from the descriptor, or looked up. */
static inline uint8_t att_storage(const SdbRowDesc *desc, int i)
{
    return desc->storage != NULL ? desc->storage[i] : storage_of(desc->types[i]);
}

/* Find where each attribute up to `last` starts (offsets[i], or SIZE_MAX
 * for NULL and for attributes the row does not store). */
static int locate(const unsigned char *p, size_t len, const SdbRowDesc *desc, int last, size_t *offsets)
{
    uint16_t stored;
    if (len < 2)
        return corrupted("too short for its header");
    memcpy(&stored, p, 2);
    if (stored > desc->natts)
        return corrupted("more attributes than the relation has");
    size_t pos = header_size(stored);
    if (pos > len)
        return corrupted("too short for its null bitmap");
    for (int i = 0; i <= last; i++) {
        offsets[i] = SIZE_MAX;
        if (i >= stored || (p[2 + i / 8] >> (i % 8)) & 1)
            continue;
        uint8_t storage = att_storage(desc, i);
        if (storage == SDB_ROW_BYVAL) {
            pos = (pos + 7) & ~(size_t)7;
            if (pos > len || len - pos < 8)
                return corrupted("attribute beyond its end");
            offsets[i] = pos;
            pos += 8;
            continue;
        }
        if (storage != SDB_ROW_VARLENA)
            return unknown_type(desc->types[i]);
        pos = (pos + 3) & ~(size_t)3;
        if (pos > len || len - pos < 4)
            return corrupted("attribute beyond its end");
        offsets[i] = pos;
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

/* The highest attribute index in want[0..nwant), checked against natts. */
static int last_wanted(const SdbRowDesc *desc, const int *want, int nwant, int *last)
{
    *last = -1;
    for (int i = 0; i < nwant; i++)
        if (want[i] > *last)
            *last = want[i];
    if (desc->natts > SDB_ROW_MAX_ATTS || *last >= desc->natts)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid attribute number %d", *last + 1);
    return SDB_OK;
}

int sdb_row_decode_desc(struct SdbEngine *engine, const SdbRowDesc *desc, const void *data, size_t len,
                        const int *want, int nwant, bool copy, SdbArena *arena, SdbDatum *values, bool *nulls)
{
    const unsigned char *p = data;
    size_t offsets[SDB_ROW_MAX_ATTS];
    int last;
    if (last_wanted(desc, want, nwant, &last) != SDB_OK || locate(p, len, desc, last, offsets) != SDB_OK)
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
        if (att_storage(desc, a) == SDB_ROW_BYVAL) {
            memcpy(&values[i], at, 8);
        } else if (word & SDB_ROW_EXTERNAL) {
            if (fetch_external(engine, at + 4, arena, &values[i]) != SDB_OK)
                return SDB_ERROR;
        } else if (!copy) {
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
    SdbRowDesc desc = {.natts = natts, .types = types, .storage = NULL};
    return sdb_row_decode_desc(NULL, &desc, data, len, want, nwant, arena != NULL, arena, values, nulls);
}

int sdb_row_delete_external(struct SdbEngine *engine, const SdbRowDesc *desc, const void *data, size_t len,
                            SdbXid xid, SdbCid cid)
{
    const unsigned char *p = data;
    size_t offsets[SDB_ROW_MAX_ATTS];
    if (desc->natts > SDB_ROW_MAX_ATTS || locate(p, len, desc, desc->natts - 1, offsets) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < desc->natts; i++) {
        if (offsets[i] == SIZE_MAX || att_storage(desc, i) != SDB_ROW_VARLENA)
            continue;
        uint32_t word;
        memcpy(&word, p + offsets[i], 4);
        if ((word & SDB_ROW_EXTERNAL) && sdb_toast_delete(engine, p + offsets[i] + 4, xid, cid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
