/*
 * catalog/catalog_rows.c: rows of the catalog tables: building them,
 * reading the visible ones, inserting, replacing and deleting them.
 *
 * Catalog rows are read with PostgreSQL's catalog snapshot rule: the latest
 * committed version plus the reader's own changes, whatever the reader's
 * statement snapshot is (as PostgreSQL's syscache does).
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/row.h"
#include "storage/heap.h"
#include "storage/toast.h"
#include "txn/xact.h"
#include "types/array.h"

SdbRelFileId sdb_cat_file(const SdbCatalogRel *rel, SdbOid db_oid)
{
    return (SdbRelFileId){rel->shared ? 0 : db_oid, rel->oid};
}

SdbDatum sdb_cat_oid(SdbOid oid)
{
    return (SdbDatum)oid;
}

const char *sdb_cat_text(SdbDatum d)
{
    return (const char *)sdb_datum_varlena(d)->data;
}

int sdb_cat_xid(SdbTxn *txn, SdbXid *xid)
{
    return sdb_txn_assign_xid(txn, xid);
}

/* --- building rows ------------------------------------------------------ */

static const SdbVarlena empty_varlena;

static bool is_text_like(SdbOid type)
{
    return type == SDB_TYPEOID_TEXT || type == SDB_TYPEOID_NAME || type == SDB_TYPEOID_PG_NODE_TREE;
}

void sdb_cat_tuple_init(SdbCatTuple *t, const SdbCatalogRel *rel, SdbArena *arena)
{
    SdbDatum empty_text = sdb_datum_from_ptr(&empty_varlena);
    t->rel = rel;
    t->arena = arena;
    for (int i = 0; i < rel->ncolumns; i++) {
        const SdbCatalogColumn *c = &rel->columns[i];
        t->nulls[i] = !c->not_null;
        t->values[i] = is_text_like(c->type_oid) && c->not_null ? empty_text : 0;
    }
}

void sdb_cat_set(SdbCatTuple *t, int anum, SdbDatum value)
{
    t->values[anum - 1] = value;
    t->nulls[anum - 1] = false;
}

void sdb_cat_set_null(SdbCatTuple *t, int anum)
{
    t->values[anum - 1] = 0;
    t->nulls[anum - 1] = true;
}

int sdb_cat_set_text(SdbCatTuple *t, int anum, const char *text)
{
    if (text == NULL) {
        sdb_cat_set_null(t, anum);
        return SDB_OK;
    }
    SdbDatum d;
    if (sdb_varlena_make(t->arena, text, strlen(text), &d) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(t, anum, d);
    return SDB_OK;
}

/* A one-dimensional array of n by-value items (lower bound `lbound`). */
static int set_array(SdbCatTuple *t, int anum, SdbOid elemtype, int lbound, int n, const SdbDatum *items)
{
    SdbArray a = {.ndim = n > 0 ? 1 : 0, .elemtype = elemtype};
    a.dims[0] = n;
    a.lbound[0] = lbound;
    bool *nulls = sdb_arena_calloc(t->arena, (size_t)n + 1, sizeof *nulls);
    if (nulls == NULL)
        return SDB_ERROR;
    a.values = (SdbDatum *)items;
    a.nulls = nulls;
    SdbDatum d;
    if (sdb_array_build(t->arena, &a, &d) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(t, anum, d);
    return SDB_OK;
}

int sdb_cat_set_int2vector(SdbCatTuple *t, int anum, SdbOid elemtype, int n, const int16_t *items)
{
    SdbDatum *d = sdb_arena_alloc(t->arena, ((size_t)n + 1) * sizeof *d);
    if (d == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        d[i] = sdb_datum_from_int64(items[i]);
    /* int2vector counts from 0, int2[] (pg_constraint.conkey) from 1 */
    return set_array(t, anum, SDB_TYPEOID_INT2, elemtype == SDB_TYPEOID_INT2VECTOR ? 0 : 1, n, d);
}

int sdb_cat_set_oidvector(SdbCatTuple *t, int anum, int n, const SdbOid *items)
{
    SdbDatum *d = sdb_arena_alloc(t->arena, ((size_t)n + 1) * sizeof *d);
    if (d == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        d[i] = items[i];
    return set_array(t, anum, SDB_TYPEOID_OID, 0, n, d);
}

void sdb_cat_tuple_from_row(SdbCatTuple *t, const SdbCatalogRel *rel, const SdbCatRow *row, SdbArena *arena)
{
    t->rel = rel;
    t->arena = arena;
    memcpy(t->values, row->values, (size_t)rel->ncolumns * sizeof *t->values);
    memcpy(t->nulls, row->nulls, (size_t)rel->ncolumns * sizeof *t->nulls);
}

static int column_types(const SdbCatalogRel *rel, SdbOid *types)
{
    for (int i = 0; i < rel->ncolumns; i++)
        types[i] = rel->columns[i].type_oid;
    return rel->ncolumns;
}

/* The stored form of t, long values going to the catalogs' toast heap. */
static int encode(SdbEngine *engine, SdbOid db_oid, SdbXid xid, SdbCid cid, const SdbCatTuple *t, SdbStr *out)
{
    SdbOid types[SDB_CAT_MAX_COLUMNS];
    int n = column_types(t->rel, types);
    SdbRelFileId toast = {t->rel->shared ? 0 : db_oid, SDB_CATALOG_TOAST_RELNUM};
    sdb_str_init(out, t->arena);
    return sdb_row_encode_toast(engine, toast, xid, cid, sdb_toast_threshold(sdb_engine_page_size(engine)), n, types,
                                t->values, t->nulls, out, NULL);
}

/* --- visibility --------------------------------------------------------- */

/* Whether `xid` is committed, seen from `txn` (its own xid counts). */
static int xid_counts(SdbCatalog *cat, SdbTxn *txn, SdbXid xid, bool *yes)
{
    if (xid == SDB_BOOTSTRAP_XID || (txn != NULL && sdb_txn_is_own_xid(txn, xid))) {
        *yes = true;
        return SDB_OK;
    }
    SdbXactStatus status;
    if (sdb_xact_status(cat->xm, xid, &status, NULL, NULL) != SDB_OK)
        return SDB_ERROR;
    *yes = status == SDB_XACT_COMMITTED;
    return SDB_OK;
}

int sdb_cat_row_visible(SdbCatalog *cat, SdbTxn *txn, const SdbHeapTupleHeader *h, bool *visible)
{
    bool inserted = (h->infomask & SDB_HEAP_XMIN_COMMITTED) != 0;
    *visible = false;
    if (h->infomask & SDB_HEAP_XMIN_ABORTED)
        return SDB_OK;
    if (!inserted && xid_counts(cat, txn, h->xmin, &inserted) != SDB_OK)
        return SDB_ERROR;
    if (!inserted)
        return SDB_OK;
    if (h->xmax == SDB_INVALID_XID || (h->infomask & (SDB_HEAP_XMAX_LOCK_ONLY | SDB_HEAP_XMAX_ABORTED))) {
        *visible = true;
        return SDB_OK;
    }
    bool deleted = (h->infomask & SDB_HEAP_XMAX_COMMITTED) != 0;
    if (!deleted && xid_counts(cat, txn, h->xmax, &deleted) != SDB_OK)
        return SDB_ERROR;
    *visible = !deleted;
    return SDB_OK;
}

/* --- reading ------------------------------------------------------------- */

int sdb_cat_scan(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, SdbArena *arena, SdbCatRows *out)
{
    return sdb_cat_scan_keys(cat, txn, rel, 0, NULL, arena, out);
}

/* Whether the row's oid column key_anum is in `keys` (decoding just it). */
static int row_wanted(const SdbHeapTuple *tup, const SdbRowDesc *desc, int key_anum, const SdbHash *keys,
                      bool *wanted)
{
    int want = key_anum - 1;
    SdbDatum value;
    bool isnull;
    if (sdb_row_decode_desc(NULL, desc, tup->payload, tup->header.payload_len, &want, 1, false, NULL, &value,
                            &isnull) != SDB_OK)
        return SDB_ERROR;
    SdbOid oid = (SdbOid)value;
    *wanted = !isnull && sdb_hash_lookup(keys, &oid, sizeof oid, NULL);
    return SDB_OK;
}

int sdb_cat_scan_keys(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, int key_anum, const SdbHash *keys,
                      SdbArena *arena, SdbCatRows *out)
{
    SdbOid types[SDB_CAT_MAX_COLUMNS];
    int want[SDB_CAT_MAX_COLUMNS];
    int n = column_types(rel, types);
    for (int i = 0; i < n; i++)
        want[i] = i;
    out->count = 0;
    out->rows = NULL;
    size_t cap = 0;
    SdbRowDesc desc;
    if (sdb_row_desc_init(&desc, n, types, arena) != SDB_OK)
        return SDB_ERROR;
    SdbHeapScan *scan = sdb_heap_scan_begin(cat->engine, sdb_cat_file(rel, cat->db_oid));
    if (scan == NULL)
        return SDB_ERROR;
    int rc = SDB_OK;
    for (;;) {
        SdbHeapTuple tup;
        bool found, visible;
        if ((rc = sdb_heap_scan_next(scan, &tup, &found)) != SDB_OK || !found)
            break;
        if ((rc = sdb_cat_row_visible(cat, txn, &tup.header, &visible)) != SDB_OK)
            break;
        if (!visible)
            continue;
        if (keys != NULL && (rc = row_wanted(&tup, &desc, key_anum, keys, &visible)) != SDB_OK)
            break;
        if (!visible)
            continue;
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            SdbCatRow *rows = sdb_arena_realloc(arena, out->rows, cap * sizeof *rows, ncap * sizeof *rows);
            if (rows == NULL) {
                rc = SDB_ERROR;
                break;
            }
            out->rows = rows;
            cap = ncap;
        }
        SdbCatRow *row = &out->rows[out->count];
        row->tid = tup.tid;
        row->values = sdb_arena_alloc(arena, (size_t)n * sizeof *row->values);
        row->nulls = sdb_arena_alloc(arena, (size_t)n * sizeof *row->nulls);
        if (row->values == NULL || row->nulls == NULL) {
            rc = SDB_ERROR;
            break;
        }
        rc = sdb_row_decode_desc(cat->engine, &desc, tup.payload, tup.header.payload_len, want, n, true, arena,
                                 row->values, row->nulls);
        if (rc != SDB_OK)
            break;
        out->count++;
    }
    sdb_heap_scan_end(scan);
    return rc;
}

/* --- writing ------------------------------------------------------------- */

int sdb_cat_insert(SdbEngine *engine, SdbOid db_oid, SdbXid xid, SdbCid cid, const SdbCatTuple *t)
{
    SdbStr row;
    if (encode(engine, db_oid, xid, cid, t, &row) != SDB_OK)
        return SDB_ERROR;
    SdbTid tid;
    return sdb_heap_insert(engine, sdb_cat_file(t->rel, db_oid), xid, cid, row.data, row.len, 0, &tid);
}

/* The cid to store in the xmax of the row at tid (a combo cid when this
 * transaction inserted it). */
static int xmax_cid(SdbCatalog *cat, SdbTxn *txn, SdbRelFileId file, SdbTid tid, SdbCid *cid)
{
    SdbHeapTupleHeader header;
    bool found;
    if (sdb_heap_fetch(cat->engine, file, tid, &header, NULL, 0, &found) != SDB_OK)
        return SDB_ERROR;
    if (!found)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "catalog row (%u,%u) vanished", tid.block, tid.slot);
    return sdb_txn_cid_for_xmax(txn, &header, cid);
}

/* A delete/update found the row's xmax set by `found->xmax`: make the row
 * free again when that transaction aborted (hint) or ended holding only a
 * lock, wait for it while it runs; *retry says whether to try again. */
static int resolve_conflict(SdbCatalog *cat, SdbTxn *txn, SdbRelFileId file, SdbTid tid,
                            const SdbHeapTupleHeader *found, bool *retry)
{
    SdbXactStatus status;
    bool hintable;
    *retry = false;
    if (sdb_xact_status(cat->xm, found->xmax, &status, NULL, &hintable) != SDB_OK)
        return SDB_ERROR;
    if (status == SDB_XACT_IN_PROGRESS) {
        *retry = true;
        return sdb_txn_wait(txn, found->xmax);
    }
    bool lock_only = (found->infomask & SDB_HEAP_XMAX_LOCK_ONLY) != 0;
    if ((status == SDB_XACT_ABORTED || lock_only) && hintable) {
        *retry = true;
        return sdb_heap_set_hints(cat->engine, file, tid, found,
                                  status == SDB_XACT_ABORTED ? SDB_HEAP_XMAX_ABORTED : SDB_HEAP_XMAX_COMMITTED);
    }
    return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "tuple concurrently updated");
}

/* Run a delete (payload NULL) or update of the catalog row at tid. */
static int change_row(SdbCatalog *cat, SdbTxn *txn, SdbRelFileId file, SdbTid tid, const SdbStr *payload)
{
    SdbXid xid;
    if (sdb_cat_xid(txn, &xid) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        SdbCid cid;
        SdbTid new_tid;
        SdbHeapResult result;
        SdbHeapTupleHeader found;
        bool retry;
        if (xmax_cid(cat, txn, file, tid, &cid) != SDB_OK)
            return SDB_ERROR;
        int rc = payload == NULL ? sdb_heap_delete(cat->engine, file, tid, xid, cid, &result, &found)
                                 : sdb_heap_update(cat->engine, file, tid, xid, cid, payload->data, payload->len, 0,
                                                   &new_tid, &result, &found);
        if (rc != SDB_OK)
            return SDB_ERROR;
        if (result == SDB_HEAP_OK)
            return SDB_OK;
        if (result != SDB_HEAP_CONFLICT)
            return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "tuple concurrently updated");
        if (resolve_conflict(cat, txn, file, tid, &found, &retry) != SDB_OK)
            return SDB_ERROR;
        if (!retry)
            return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "tuple concurrently updated");
    }
}

int sdb_cat_delete(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, SdbTid tid)
{
    return change_row(cat, txn, sdb_cat_file(rel, cat->db_oid), tid, NULL);
}

int sdb_cat_update(SdbCatalog *cat, SdbTxn *txn, SdbTid tid, const SdbCatTuple *t)
{
    SdbXid xid;
    SdbStr row;
    if (sdb_cat_xid(txn, &xid) != SDB_OK || encode(cat->engine, cat->db_oid, xid, txn->cid, t, &row) != SDB_OK)
        return SDB_ERROR;
    return change_row(cat, txn, sdb_cat_file(t->rel, cat->db_oid), tid, &row);
}

int sdb_cat_delete_where(SdbCatalog *cat, SdbTxn *txn, const SdbCatalogRel *rel, int anum, SdbOid oid, SdbArena *arena)
{
    SdbCatRows rows;
    if (sdb_cat_scan(cat, txn, rel, arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++)
        if ((SdbOid)rows.rows[i].values[anum - 1] == oid && sdb_cat_delete(cat, txn, rel, rows.rows[i].tid) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}
