/*
 * catalog/stats.c: the planner statistics ANALYZE records: pg_class.relpages
 * / reltuples and the pg_statistic rows (sdb_catalog_set_stats), their
 * removal with the table or column (sdb_cat_stats_delete), and the
 * descriptor's SdbColumnStats read back from a pg_statistic row
 * (sdb_cat_stats_from_row, for catalog_load.c).  stavalues hold arrays of
 * the column's own type (anyarray, as PostgreSQL), stanumbers float4[].
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "types/array.h"
#include "types/typefuncs.h"

#define ANUM(name) SDB_ANUM_PG_STATISTIC_##name

static bool type_byval(SdbOid type)
{
    const SdbTypeInfo *t = sdb_type_by_oid(sdb_domain_base_type(type));
    return t != NULL && t->byval;
}

static int copy_datum(SdbArena *arena, SdbOid type, SdbDatum v, SdbDatum *out)
{
    if (type_byval(type)) {
        *out = v;
        return SDB_OK;
    }
    const SdbVarlena *src = sdb_datum_varlena(v);
    return sdb_varlena_make(arena, src->data, src->len, out);
}

/* A one-dimensional array of n non-null items of `elemtype`. */
static int build_array(SdbArena *arena, SdbOid elemtype, int n, const SdbDatum *items, SdbDatum *out)
{
    SdbArray a = {.ndim = n > 0 ? 1 : 0, .elemtype = elemtype};
    a.dims[0] = n;
    a.lbound[0] = 1;
    a.values = (SdbDatum *)items;
    a.nulls = sdb_arena_calloc(arena, (size_t)n + 1, sizeof *a.nulls);
    if (a.nulls == NULL)
        return SDB_ERROR;
    return sdb_array_build(arena, &a, out);
}

/* The pg_statistic row of one column's statistics. */
static int statistic_tuple(SdbCatTuple *t, SdbArena *arena, const SdbRelation *rel, const SdbColumnStats *cs)
{
    sdb_cat_tuple_init(t, sdb_catalog_by_oid(SDB_CATALOG_PG_STATISTIC_OID), arena);
    sdb_cat_set(t, ANUM(STARELID), rel->oid);
    sdb_cat_set(t, ANUM(STAATTNUM), sdb_datum_from_int64(cs->attnum));
    sdb_cat_set(t, ANUM(STAINHERIT), false);
    sdb_cat_set(t, ANUM(STANULLFRAC), sdb_datum_from_float4(cs->nullfrac));
    sdb_cat_set(t, ANUM(STAWIDTH), sdb_datum_from_int64(cs->width));
    sdb_cat_set(t, ANUM(STADISTINCT), sdb_datum_from_float4(cs->ndistinct));
    SdbOid type = rel->attrs[cs->attnum - 1].type;
    for (int k = 0; k < SDB_STATS_SLOTS; k++) {
        const SdbStatsSlot *slot = &cs->slots[k];
        sdb_cat_set(t, ANUM(STAKIND1) + k, sdb_datum_from_int64(slot->kind));
        sdb_cat_set(t, ANUM(STAOP1) + k, slot->op);
        sdb_cat_set(t, ANUM(STACOLL1) + k, slot->coll);
        SdbDatum d;
        if (slot->nnumbers > 0) {
            SdbDatum *numbers = sdb_arena_alloc(arena, sizeof *numbers * (size_t)slot->nnumbers);
            if (numbers == NULL)
                return SDB_ERROR;
            for (int i = 0; i < slot->nnumbers; i++)
                numbers[i] = sdb_datum_from_float4(slot->numbers[i]);
            if (build_array(arena, SDB_TYPEOID_FLOAT4, slot->nnumbers, numbers, &d) != SDB_OK)
                return SDB_ERROR;
            sdb_cat_set(t, ANUM(STANUMBERS1) + k, d);
        }
        if (slot->nvalues > 0) {
            if (build_array(arena, type, slot->nvalues, slot->values, &d) != SDB_OK)
                return SDB_ERROR;
            sdb_cat_set(t, ANUM(STAVALUES1) + k, d);
        }
    }
    return SDB_OK;
}

int sdb_cat_stats_delete(SdbCatalog *cat, SdbTxn *txn, SdbOid relid, int attnum, SdbArena *arena)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_STATISTIC_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(cat, txn, crel, arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        if ((SdbOid)v[ANUM(STARELID) - 1] == relid &&
            (attnum == 0 || sdb_datum_to_int64(v[ANUM(STAATTNUM) - 1]) == attnum) &&
            sdb_cat_delete(cat, txn, crel, rows.rows[i].tid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int set_class_stats(SdbCatalog *cat, SdbTxn *txn, SdbOid relid, int32_t relpages, float reltuples,
                           SdbArena *arena)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(cat, txn, crel, arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        if ((SdbOid)rows.rows[i].values[SDB_ANUM_PG_CLASS_OID - 1] != relid)
            continue;
        SdbCatTuple t;
        sdb_cat_tuple_from_row(&t, crel, &rows.rows[i], arena);
        sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELPAGES, sdb_datum_from_int64(relpages));
        sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELTUPLES, sdb_datum_from_float4(reltuples));
        return sdb_cat_update(cat, txn, rows.rows[i].tid, &t);
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for relation %u", relid);
}

int sdb_catalog_set_stats(SdbCatalog *cat, SdbTxn *txn, const SdbRelation *rel, int32_t relpages, float reltuples,
                          int ncols, const SdbColumnStats *cols, SdbArena *arena)
{
    if (sdb_cat_begin_change(cat, txn) != SDB_OK ||
        set_class_stats(cat, txn, rel->oid, relpages, reltuples, arena) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        SdbCatTuple t;
        if (sdb_cat_stats_delete(cat, txn, rel->oid, cols[i].attnum, arena) != SDB_OK ||
            statistic_tuple(&t, arena, rel, &cols[i]) != SDB_OK ||
            sdb_cat_insert(cat->engine, cat->db_oid, sdb_txn_current_xid(txn), txn->cid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_cat_refresh(cat, txn, &rel->oid, 1, false);
}

/* The items of a float4[] / anyarray datum, copied into `arena`. */
static int slot_numbers(SdbArena *arena, SdbArena *scratch, SdbDatum array, SdbStatsSlot *slot)
{
    SdbArray a;
    if (sdb_array_deconstruct(scratch, array, &a) != SDB_OK)
        return SDB_ERROR;
    float *numbers = sdb_arena_alloc(arena, sizeof *numbers * ((size_t)a.nitems + 1));
    if (numbers == NULL)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems; i++)
        numbers[i] = sdb_datum_to_float4(a.values[i]);
    slot->numbers = numbers;
    slot->nnumbers = a.nitems;
    return SDB_OK;
}

static int slot_values(SdbArena *arena, SdbArena *scratch, SdbDatum array, SdbStatsSlot *slot)
{
    SdbArray a;
    if (sdb_array_deconstruct(scratch, array, &a) != SDB_OK)
        return SDB_ERROR;
    SdbDatum *values = sdb_arena_alloc(arena, sizeof *values * ((size_t)a.nitems + 1));
    if (values == NULL)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems; i++)
        if (copy_datum(arena, a.elemtype, a.values[i], &values[i]) != SDB_OK)
            return SDB_ERROR;
    slot->values = values;
    slot->nvalues = a.nitems;
    return SDB_OK;
}

int sdb_cat_stats_from_row(SdbArena *arena, SdbArena *scratch, const SdbDatum *v, const bool *nulls,
                           SdbColumnStats *out)
{
    memset(out, 0, sizeof *out);
    out->attnum = (int16_t)sdb_datum_to_int64(v[ANUM(STAATTNUM) - 1]);
    out->nullfrac = sdb_datum_to_float4(v[ANUM(STANULLFRAC) - 1]);
    out->width = (int32_t)sdb_datum_to_int64(v[ANUM(STAWIDTH) - 1]);
    out->ndistinct = sdb_datum_to_float4(v[ANUM(STADISTINCT) - 1]);
    for (int k = 0; k < SDB_STATS_SLOTS; k++) {
        SdbStatsSlot *slot = &out->slots[k];
        slot->kind = (int16_t)sdb_datum_to_int64(v[ANUM(STAKIND1) + k - 1]);
        slot->op = (SdbOid)v[ANUM(STAOP1) + k - 1];
        slot->coll = (SdbOid)v[ANUM(STACOLL1) + k - 1];
        if (!nulls[ANUM(STANUMBERS1) + k - 1] &&
            slot_numbers(arena, scratch, v[ANUM(STANUMBERS1) + k - 1], slot) != SDB_OK)
            return SDB_ERROR;
        if (!nulls[ANUM(STAVALUES1) + k - 1] && slot_values(arena, scratch, v[ANUM(STAVALUES1) + k - 1], slot) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_catalog_tables(SdbCatalog *cat, SdbTxn *txn, SdbArena *arena, SdbOid **oids, int *n)
{
    SdbCatRows rows;
    *n = 0;
    if (sdb_cat_scan(cat, txn, sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID), arena, &rows) != SDB_OK ||
        (*oids = sdb_arena_alloc(arena, sizeof **oids * (rows.count + 1))) == NULL)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        SdbOid oid = (SdbOid)v[SDB_ANUM_PG_CLASS_OID - 1];
        if ((char)v[SDB_ANUM_PG_CLASS_RELKIND - 1] == 'r' && oid >= SDB_FIRST_NORMAL_OID)
            (*oids)[(*n)++] = oid;
    }
    return SDB_OK;
}
