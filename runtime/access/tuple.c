/*
 * access/tuple.c: the stored form of a table row in a heap tuple: the row
 * format of catalog/row.h, whose largest values move out of line into the
 * table's toast heap (SdbRelation.toast, made and dropped by the catalog
 * with the table) while the row is longer than sdb_toast_threshold (a
 * quarter page), as PostgreSQL's TOAST does.  A tuple holding toast
 * pointers has SDB_HEAP_HAS_EXTERNAL, so only those are looked at when
 * their row goes.
 */
#include "access/access_int.h"

#include "storage/engine.h"
#include "storage/toast.h"

int acc_row_desc(const SdbRelation *rel, SdbArena *arena, SdbRowDesc *desc)
{
    SdbOid *types = sdb_arena_alloc(arena, (size_t)(rel->natts > 0 ? rel->natts : 1) * sizeof *types);
    if (types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < rel->natts; i++)
        types[i] = rel->attrs[i].type;
    return sdb_row_desc_init(desc, rel->natts, types, arena);
}

int acc_form_tuple(SdbAccessContext *ac, const SdbRelation *rel, const SdbRowDesc *desc, const SdbDatum *values,
                   const bool *nulls, SdbStr *out, uint16_t *flags)
{
    *flags = 0;
    if (rel->toast.rel_number == 0)
        return sdb_row_encode(desc->natts, desc->types, values, nulls, out);
    SdbXid xid;
    bool external;
    if (sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK ||
        sdb_row_encode_toast(ac->engine, rel->toast, xid, ac->txn->cid,
                             sdb_toast_threshold(sdb_engine_page_size(ac->engine)), desc->natts, desc->types, values,
                             nulls, out, &external) != SDB_OK)
        return SDB_ERROR;
    if (external)
        *flags = SDB_HEAP_HAS_EXTERNAL;
    return SDB_OK;
}

int acc_delete_external(SdbAccessContext *ac, const SdbRowDesc *desc, const uint8_t *payload, size_t len,
                        uint16_t infomask)
{
    if (!(infomask & SDB_HEAP_HAS_EXTERNAL))
        return SDB_OK;
    return sdb_row_delete_external(ac->engine, desc, payload, len, sdb_txn_current_xid(ac->txn), ac->txn->cid);
}

int sdb_table_decode_tuple(SdbEngine *engine, const SdbRelation *rel, const void *payload, size_t len,
                           const int *want, int nwant, SdbArena *arena, SdbDatum *values, bool *nulls)
{
    SdbOid types[SDB_ROW_MAX_ATTS];
    if (rel->natts > SDB_ROW_MAX_ATTS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "tables can have at most %d columns", SDB_ROW_MAX_ATTS);
    for (int i = 0; i < rel->natts; i++)
        types[i] = rel->attrs[i].type;
    SdbRowDesc desc = {.natts = rel->natts, .types = types, .storage = NULL};
    return sdb_row_decode_desc(engine, &desc, payload, len, want, nwant, arena != NULL, arena, values, nulls);
}
