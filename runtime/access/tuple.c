/*
 * access/tuple.c: the stored form of a table row in a heap tuple: the row
 * format of catalog/row.h, with values too big for a page moved out of
 * line into the table's toast relation (storage/toast.h).
 *
 * A tuple with SDB_HEAP_HAS_EXTERNAL starts with a map of its out-of-line
 * attributes (u16 count, u16 attribute indexes, zero padding to 8 bytes);
 * each of those attributes holds a toast pointer as its varlena bytes.
 * Values move out of line, largest first, while the row is bigger than
 * sdb_toast_threshold (a quarter page), as PostgreSQL's TOAST does.
 */
#include "access/access_int.h"

#include <string.h>

#include "storage/engine.h"
#include "storage/smgr.h"
#include "storage/toast.h"

#define ACC_TOAST_BIT 0x80000000u

SdbRelFileId sdb_table_toast_file(const SdbRelation *rel)
{
    return (SdbRelFileId){.db_oid = rel->file.db_oid, .rel_number = rel->file.rel_number | ACC_TOAST_BIT};
}

/* Create the toast relation on first use. */
static int ensure_toast(SdbEngine *engine, SdbRelFileId toast)
{
    SdbSmgr *smgr = sdb_engine_smgr(engine);
    bool exists;
    if (sdb_smgr_exists(smgr, toast, SDB_FORK_MAIN, &exists) != SDB_OK)
        return SDB_ERROR;
    if (exists)
        return SDB_OK;
    if (sdb_heap_create(engine, toast) == SDB_OK)
        return SDB_OK;
    /* Another thread may have created it meanwhile. */
    if (sdb_smgr_exists(smgr, toast, SDB_FORK_MAIN, &exists) == SDB_OK && exists) {
        sdb_error_clear();
        return SDB_OK;
    }
    return SDB_ERROR;
}

/* The largest by-reference value not yet moved out of line and worth
 * moving, or -1. */
static int largest_inline(const SdbRelation *rel, const SdbDatum *values, const bool *nulls, const bool *moved)
{
    int best = -1;
    uint32_t best_len = 2 * SDB_TOAST_POINTER_SIZE;
    for (int i = 0; i < rel->natts; i++) {
        if (nulls[i] || moved[i] || sdb_type_by_oid(rel->attrs[i].type) == NULL ||
            sdb_type_by_oid(rel->attrs[i].type)->byval)
            continue;
        uint32_t len = sdb_datum_varlena(values[i])->len;
        if (len > best_len) {
            best = i;
            best_len = len;
        }
    }
    return best;
}

/* Move the largest values of a too-big row out of line, then encode it
 * with its map. */
static int form_external(SdbAccessContext *ac, const SdbRelation *rel, const SdbOid *types,
                         const SdbDatum *values, const bool *nulls, SdbArena *arena, SdbStr *out)
{
    size_t threshold = sdb_toast_threshold(sdb_engine_page_size(ac->engine));
    SdbDatum *vals = sdb_arena_alloc(arena, (size_t)rel->natts * sizeof *vals);
    bool *moved = sdb_arena_calloc(arena, (size_t)rel->natts, sizeof *moved);
    uint16_t *map = sdb_arena_alloc(arena, (size_t)rel->natts * sizeof *map);
    if (vals == NULL || moved == NULL || map == NULL)
        return SDB_ERROR;
    memcpy(vals, values, (size_t)rel->natts * sizeof *vals);
    SdbRelFileId toast = sdb_table_toast_file(rel);
    if (ensure_toast(ac->engine, toast) != SDB_OK)
        return SDB_ERROR;
    SdbXid xid;
    if (sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK)
        return SDB_ERROR;
    uint16_t count = 0;
    for (;;) {
        int att = largest_inline(rel, vals, nulls, moved);
        if (att < 0)
            break;
        const SdbVarlena *v = sdb_datum_varlena(vals[att]);
        uint8_t pointer[SDB_TOAST_POINTER_SIZE];
        if (sdb_toast_store(ac->engine, toast, xid, ac->txn->cid, v->data, v->len, pointer) != SDB_OK ||
            sdb_varlena_make(arena, pointer, sizeof pointer, &vals[att]) != SDB_OK)
            return SDB_ERROR;
        moved[att] = true;
        map[count++] = (uint16_t)att;
        sdb_str_reset(out);
        if (sdb_row_encode(rel->natts, types, vals, nulls, out) != SDB_OK)
            return SDB_ERROR;
        if (out->len + 2 + 2 * (size_t)count <= threshold)
            break;
    }
    SdbStr row = *out;
    SdbStr head;
    sdb_str_init(&head, arena);
    static const uint8_t zeros[8] = {0};
    if (sdb_str_append(&head, &count, 2) != SDB_OK || sdb_str_append(&head, map, 2 * (size_t)count) != SDB_OK ||
        sdb_str_append(&head, zeros, (8 - head.len % 8) % 8) != SDB_OK ||
        sdb_str_append(&head, row.data, row.len) != SDB_OK)
        return SDB_ERROR;
    *out = head;
    return SDB_OK;
}

int acc_form_tuple(SdbAccessContext *ac, const SdbRelation *rel, const SdbOid *types, const SdbDatum *values,
                   const bool *nulls, SdbArena *arena, SdbStr *out, uint16_t *flags)
{
    *flags = 0;
    if (sdb_row_encode(rel->natts, types, values, nulls, out) != SDB_OK)
        return SDB_ERROR;
    if (out->len <= sdb_toast_threshold(sdb_engine_page_size(ac->engine)))
        return SDB_OK;
    if (form_external(ac, rel, types, values, nulls, arena, out) != SDB_OK)
        return SDB_ERROR;
    *flags = SDB_HEAP_HAS_EXTERNAL;
    return SDB_OK;
}

/* The map of an external tuple: *count entries at *map, row at *row_off. */
static int external_map(const uint8_t *payload, size_t len, uint16_t *count, const uint8_t **map, size_t *row_off)
{
    if (len < 2)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "tuple too short for its out-of-line value map");
    memcpy(count, payload, 2);
    size_t head = 2 + 2 * (size_t)*count;
    head += (8 - head % 8) % 8;
    if (head > len)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "out-of-line value map of %u entries exceeds the tuple", *count);
    *map = payload + 2;
    *row_off = head;
    return SDB_OK;
}

/* Replace a toast pointer datum by the value it points to. */
static int fetch_external(SdbEngine *engine, SdbArena *arena, SdbDatum *value)
{
    const SdbVarlena *p = sdb_datum_varlena(*value);
    SdbToastPointer tp;
    if (arena == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "out-of-line value decoded without an arena");
    if (p->len != SDB_TOAST_POINTER_SIZE)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "out-of-line value pointer of %u bytes", p->len);
    if (sdb_toast_pointer_decode(p->data, &tp) != SDB_OK)
        return SDB_ERROR;
    SdbVarlena *v = sdb_varlena_alloc(arena, tp.raw_len);
    if (v == NULL || sdb_toast_fetch(engine, p->data, v->data, tp.raw_len) != SDB_OK)
        return SDB_ERROR;
    *value = sdb_datum_from_ptr(v);
    return SDB_OK;
}

int acc_decode(SdbEngine *engine, const SdbRelation *rel, const SdbOid *types, const uint8_t *payload,
               size_t len, uint16_t infomask, const int *want, int nwant, bool copy, SdbArena *arena,
               SdbDatum *values, bool *nulls)
{
    if (!(infomask & SDB_HEAP_HAS_EXTERNAL))
        return sdb_row_decode(payload, len, types, rel->natts, want, nwant, copy ? arena : NULL, values, nulls);
    uint16_t count = 0;
    const uint8_t *map = NULL;
    size_t off = 0;
    if (external_map(payload, len, &count, &map, &off) != SDB_OK ||
        sdb_row_decode(payload + off, len - off, types, rel->natts, want, nwant, copy ? arena : NULL, values,
                       nulls) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < nwant; i++) {
        if (nulls[i])
            continue;
        for (uint16_t e = 0; e < count; e++) {
            uint16_t att;
            memcpy(&att, map + 2 * e, 2);
            if (att == want[i] && fetch_external(engine, arena, &values[i]) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

int acc_delete_external(SdbAccessContext *ac, const SdbRelation *rel, const SdbOid *types, const uint8_t *payload,
                        size_t len, uint16_t infomask, SdbArena *arena)
{
    if (!(infomask & SDB_HEAP_HAS_EXTERNAL))
        return SDB_OK;
    uint16_t count = 0;
    const uint8_t *map = NULL;
    size_t off = 0;
    if (external_map(payload, len, &count, &map, &off) != SDB_OK)
        return SDB_ERROR;
    int *want = sdb_arena_alloc(arena, (count ? count : 1) * sizeof *want);
    SdbDatum *ptrs = sdb_arena_alloc(arena, (count ? count : 1) * sizeof *ptrs);
    bool *nulls = sdb_arena_alloc(arena, (count ? count : 1) * sizeof *nulls);
    if (want == NULL || ptrs == NULL || nulls == NULL)
        return SDB_ERROR;
    for (uint16_t e = 0; e < count; e++) {
        uint16_t att;
        memcpy(&att, map + 2 * e, 2);
        if (att >= rel->natts)
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "out-of-line value map names attribute %u of %d", att,
                             rel->natts);
        want[e] = att;
    }
    if (sdb_row_decode(payload + off, len - off, types, rel->natts, want, count, NULL, ptrs, nulls) != SDB_OK)
        return SDB_ERROR;
    for (uint16_t e = 0; e < count; e++) {
        const SdbVarlena *p = sdb_datum_varlena(ptrs[e]);
        if (nulls[e] || p->len != SDB_TOAST_POINTER_SIZE)
            return sdb_error(SDB_ERR_DATA_CORRUPTED, "out-of-line value pointer missing");
        if (sdb_toast_delete(ac->engine, p->data, ac->txn->xid, ac->txn->cid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_table_decode_tuple(SdbEngine *engine, const SdbRelation *rel, const void *payload, size_t len,
                           uint16_t infomask, const int *want, int nwant, SdbArena *arena, SdbDatum *values,
                           bool *nulls)
{
    SdbOid tbuf[ACC_STACK_ATTS];
    SdbOid *types = acc_types(rel, tbuf, arena);
    if (types == NULL)
        return SDB_ERROR;
    return acc_decode(engine, rel, types, payload, len, infomask, want, nwant, arena != NULL, arena, values, nulls);
}
