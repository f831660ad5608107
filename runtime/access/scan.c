/*
 * access/scan.c: table scans and index scans (table.h): the versions
 * visible to the transaction, decoded column by column into batches.
 *
 * A table scan reads the heap a batch of tuples at a time
 * (sdb_heap_scan_batch: page copies taken under a share latch), checks
 * each version's visibility, records hint bits it learns, and decodes only
 * the requested attributes, pointing by-reference values straight into the
 * page copies (valid until the next batch).  An index scan turns the range
 * into B+tree bounds over the order-preserving key encoding, walks the
 * entries, fetches each heap version by tid and keeps the visible ones.
 */
#include "access/access_int.h"

#include <string.h>

#include "storage/engine.h"
#include "types/typeio.h"

struct SdbTableScan {
    SdbAccessContext *ac;
    const SdbRelation *rel;
    SdbOid *types;
    int ncols;
    int nwant;        /* attributes to decode ... */
    int *want;        /* ... their indexes */
    int *want_col;    /* ... and batch columns */
    SdbDatum *values; /* one row's decoded attributes */
    bool *nulls;
    SdbArena *root_arena; /* the scan's arrays (child of the statement arena) */
    SdbArena *arena;      /* this batch's values not in page copies (child of root_arena) */
    bool done;
    /* table scan */
    SdbHeapScan *heap;
    SdbHeapTuple *tuples;
    /* index scan */
    SdbBtree *bt;
    SdbBtreeScan *bscan;
    SdbBtreeEntry *entries;
    uint8_t *payload;
    size_t payload_size;
};

/* The parts both kinds of scan share. */
static SdbTableScan *scan_new(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, int ncols)
{
    SdbTableScan *scan = sdb_malloc(sizeof *scan);
    if (scan == NULL)
        return NULL;
    memset(scan, 0, sizeof *scan);
    scan->ac = ac;
    scan->rel = rel;
    scan->ncols = ncols;
    scan->root_arena = sdb_arena_create(ac->arena, "table scan", 0);
    if (scan->root_arena == NULL) {
        sdb_free(scan);
        return NULL;
    }
    size_t n = (size_t)(ncols > 0 ? ncols : 1);
    SdbArena *a = scan->root_arena;
    scan->types = sdb_arena_alloc(a, (size_t)(rel->natts > 0 ? rel->natts : 1) * sizeof *scan->types);
    scan->want = sdb_arena_alloc(a, n * sizeof *scan->want);
    scan->want_col = sdb_arena_alloc(a, n * sizeof *scan->want_col);
    scan->values = sdb_arena_alloc(a, n * sizeof *scan->values);
    scan->nulls = sdb_arena_alloc(a, n * sizeof *scan->nulls);
    if (scan->types == NULL || scan->want == NULL || scan->want_col == NULL || scan->values == NULL ||
        scan->nulls == NULL) {
        sdb_table_scan_end(scan);
        return NULL;
    }
    for (int i = 0; i < rel->natts; i++)
        scan->types[i] = rel->attrs[i].type;
    for (int c = 0; c < ncols; c++) {
        if (cols[c] == -1)
            continue;
        if (cols[c] < 0 || cols[c] >= rel->natts) {
            sdb_error(SDB_ERR_INTERNAL_ERROR, "scan of \"%s\" asks for attribute %d of %d", rel->name, cols[c],
                      rel->natts);
            sdb_table_scan_end(scan);
            return NULL;
        }
        scan->want[scan->nwant] = cols[c];
        scan->want_col[scan->nwant++] = c;
    }
    scan->arena = sdb_arena_create(a, "table scan batch", 0);
    if (scan->arena == NULL) {
        sdb_table_scan_end(scan);
        return NULL;
    }
    return scan;
}

SdbTableScan *sdb_table_scan_begin(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, int ncols)
{
    SdbTableScan *scan = scan_new(ac, rel, cols, ncols);
    if (scan == NULL)
        return NULL;
    scan->tuples = sdb_malloc(SDB_BATCH_SIZE * sizeof *scan->tuples);
    if (scan->tuples == NULL || (scan->heap = sdb_heap_scan_begin(ac->engine, rel->file)) == NULL) {
        sdb_table_scan_end(scan);
        return NULL;
    }
    return scan;
}

/* ---- index ranges ------------------------------------------------------------- */

/* One side of a range on key column `k` in byte order. */
typedef struct ByteBound {
    bool present, inclusive;
    SdbDatum value;
} ByteBound;

/* B+tree bounds for `range`: *empty when nothing can match. */
static int range_bounds(const SdbRelation *rel, const SdbIndex *index, const SdbIndexRange *range, SdbStr *lo,
                        bool *has_lo, bool *lo_incl, SdbStr *hi, bool *has_hi, bool *hi_incl, bool *empty)
{
    *empty = false;
    *has_lo = *has_hi = false;
    *lo_incl = true;
    *hi_incl = false;
    bool bounded = range->has_lower || range->has_upper;
    if (range->neq > index->nkeys || (bounded && range->neq >= index->nkeys))
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "index range on %d columns of index \"%s\" with %d keys",
                         range->neq + (bounded ? 1 : 0), index->name, index->nkeys);
    for (int k = 0; k < range->neq; k++)
        if (acc_key_column(rel, index, k, range->eq[k], false, lo) != SDB_OK)
            return SDB_ERROR;
    if (!bounded) {
        if (range->neq == 0)
            return SDB_OK;
        *has_lo = true;
        if (sdb_str_append(hi, lo->data, lo->len) != SDB_OK)
            return SDB_ERROR;
        *has_hi = acc_key_successor(hi);
        return SDB_OK;
    }
    int k = range->neq;
    bool desc = index->key_options != NULL && (index->key_options[k] & 1);
    ByteBound blo = {range->has_lower, range->lower_inclusive, range->lower};
    ByteBound bhi = {range->has_upper, range->upper_inclusive, range->upper};
    if (desc) {
        ByteBound t = blo;
        blo = bhi;
        bhi = t;
    }
    if (sdb_str_append(hi, lo->data, lo->len) != SDB_OK)
        return SDB_ERROR;
    *has_lo = *has_hi = true;
    /* Lower end: the value's key (or just past all keys starting with it),
     * else the first non-NULL value (marker 0x01). */
    if (blo.present) {
        if (acc_key_column(rel, index, k, blo.value, false, lo) != SDB_OK)
            return SDB_ERROR;
        if (!blo.inclusive && !acc_key_successor(lo))
            *empty = true;
    } else if (sdb_str_append_char(lo, 0x01) != SDB_OK) {
        return SDB_ERROR;
    }
    /* Upper end: past every key starting with the value's key (inclusive)
     * or before it, else before the NULLs-last marker. */
    if (bhi.present) {
        if (acc_key_column(rel, index, k, bhi.value, false, hi) != SDB_OK)
            return SDB_ERROR;
        if (bhi.inclusive && !acc_key_successor(hi))
            *has_hi = false;
    } else if (sdb_str_append_char(hi, 0x02) != SDB_OK) {
        return SDB_ERROR;
    }
    return SDB_OK;
}

SdbTableScan *sdb_index_scan_begin(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *index,
                                   const SdbIndexRange *range, const int *cols, int ncols)
{
    SdbTableScan *scan = scan_new(ac, rel, cols, ncols);
    if (scan == NULL)
        return NULL;
    SdbStr lo, hi;
    sdb_str_init(&lo, scan->root_arena);
    sdb_str_init(&hi, scan->root_arena);
    bool has_lo, lo_incl, has_hi, hi_incl, empty;
    if (range_bounds(rel, index, range, &lo, &has_lo, &lo_incl, &hi, &has_hi, &hi_incl, &empty) != SDB_OK)
        goto fail;
    if (empty) {
        scan->done = true;
        return scan;
    }
    scan->payload_size = sdb_heap_max_payload(sdb_engine_page_size(ac->engine));
    scan->payload = sdb_malloc(scan->payload_size);
    scan->entries = sdb_malloc(SDB_BATCH_SIZE * sizeof *scan->entries);
    if (scan->payload == NULL || scan->entries == NULL || (scan->bt = sdb_btree_open(ac->engine, index->file)) == NULL)
        goto fail;
    SdbBtreeBound lower = {.key = lo.data, .key_len = lo.len, .inclusive = lo_incl};
    SdbBtreeBound upper = {.key = hi.data, .key_len = hi.len, .inclusive = hi_incl};
    scan->bscan = sdb_btree_scan_open(scan->bt, has_lo ? &lower : NULL, has_hi ? &upper : NULL,
                                      range->backward ? SDB_BTREE_BACKWARD : SDB_BTREE_FORWARD);
    if (scan->bscan == NULL)
        goto fail;
    return scan;
fail:
    sdb_table_scan_end(scan);
    return NULL;
}

/* ---- producing batches ---------------------------------------------------- */

int acc_set_hints(SdbAccessContext *ac, SdbRelFileId file, SdbTid tid, const SdbHeapTupleHeader *h, uint16_t hints)
{
    if (hints == 0)
        return SDB_OK;
    return sdb_heap_set_hints(ac->engine, file, tid, h, hints);
}

/* Whether the version is visible, recording hints learned. */
static int visible(SdbTableScan *scan, SdbTid tid, const SdbHeapTupleHeader *h, bool *vis)
{
    uint16_t hints;
    if (sdb_txn_tuple_visible_hints(scan->ac->txn, h, vis, &hints) != SDB_OK)
        return SDB_ERROR;
    return acc_set_hints(scan->ac, scan->rel->file, tid, h, hints);
}

/* Decode one visible version into row `row` of `out`. */
static int emit_row(SdbTableScan *scan, SdbTid tid, const SdbHeapTupleHeader *h, const uint8_t *payload, bool copy,
                    SdbBatch *out)
{
    int row = out->nrows;
    if (acc_decode(scan->ac->engine, scan->rel, scan->types, payload, h->payload_len, h->infomask, scan->want, scan->nwant,
                   copy, scan->arena, scan->values, scan->nulls) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < scan->nwant; i++) {
        SdbVector *v = &out->cols[scan->want_col[i]];
        v->values[row] = scan->values[i];
        if (scan->nulls[i])
            sdb_vector_set_null(v, row, true);
    }
    if (scan->nwant < scan->ncols) {
        SdbVarlena *t = sdb_varlena_alloc(scan->arena, 6);
        if (t == NULL)
            return SDB_ERROR;
        uint8_t *b = t->data;
        b[0] = (uint8_t)(tid.block >> 24);
        b[1] = (uint8_t)(tid.block >> 16);
        b[2] = (uint8_t)(tid.block >> 8);
        b[3] = (uint8_t)tid.block;
        b[4] = (uint8_t)(tid.slot >> 8);
        b[5] = (uint8_t)tid.slot;
        for (int c = 0, w = 0; c < scan->ncols; c++) {
            if (w < scan->nwant && scan->want_col[w] == c)
                w++;
            else
                out->cols[c].values[row] = sdb_datum_from_ptr(t);
        }
    }
    out->nrows++;
    return SDB_OK;
}

static int heap_next(SdbTableScan *scan, SdbBatch *out)
{
    while (out->nrows == 0) {
        size_t n;
        if (sdb_heap_scan_batch(scan->heap, scan->tuples, SDB_BATCH_SIZE, &n) != SDB_OK)
            return SDB_ERROR;
        if (n == 0) {
            scan->done = true;
            return SDB_OK;
        }
        for (size_t i = 0; i < n; i++) {
            const SdbHeapTuple *t = &scan->tuples[i];
            bool vis;
            if (visible(scan, t->tid, &t->header, &vis) != SDB_OK)
                return SDB_ERROR;
            if (vis && emit_row(scan, t->tid, &t->header, t->payload, false, out) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int index_next(SdbTableScan *scan, SdbBatch *out)
{
    while (out->nrows < SDB_BATCH_SIZE && !scan->done) {
        size_t n;
        int rc = sdb_btree_scan_batch(scan->bscan, scan->entries, (size_t)(SDB_BATCH_SIZE - out->nrows), &n);
        if (rc == SDB_ERROR)
            return SDB_ERROR;
        if (rc == SDB_BTREE_END) {
            scan->done = true;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            SdbTid tid = scan->entries[i].tid;
            SdbHeapTupleHeader h;
            bool found, vis;
            if (sdb_heap_fetch(scan->ac->engine, scan->rel->file, tid, &h, scan->payload, scan->payload_size,
                               &found) != SDB_OK)
                return SDB_ERROR;
            if (!found)
                continue;
            if (visible(scan, tid, &h, &vis) != SDB_OK)
                return SDB_ERROR;
            if (vis && emit_row(scan, tid, &h, scan->payload, true, out) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

int sdb_table_scan_next(SdbTableScan *scan, SdbBatch *out)
{
    out->nrows = 0;
    out->sel = NULL;
    out->nsel = 0;
    sdb_arena_reset(scan->arena);
    for (int c = 0; c < scan->ncols; c++)
        memset(out->cols[c].nulls, 0, SDB_BATCH_SIZE / 8);
    if (scan->done)
        return SDB_OK;
    return scan->heap != NULL ? heap_next(scan, out) : index_next(scan, out);
}

void sdb_table_scan_end(SdbTableScan *scan)
{
    if (scan == NULL)
        return;
    sdb_heap_scan_end(scan->heap);
    sdb_btree_scan_close(scan->bscan);
    sdb_btree_close(scan->bt);
    sdb_free(scan->tuples);
    sdb_free(scan->entries);
    sdb_free(scan->payload);
    sdb_arena_destroy(scan->root_arena);
    sdb_free(scan);
}
