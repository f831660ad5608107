/*
 * bench/bench_btree.c: the B+tree measurements of storage_bench over the
 * table loaded by the heap batch insert (ctx->table, ctx->tids):
 *   - bulk build: sort (key, tid) of every row, then sdb_btree_build_*; the
 *     index of the last run is kept (ctx->index) for lookups and scans;
 *   - random inserts: every row's entry into a new empty index, in key-random
 *     order (row order; keys are bench_mix(row)); the index is dropped;
 *   - point lookups: random row -> key -> B+tree -> tid -> heap fetch, each
 *     checked (right tid, payload starts with the key);
 *   - range scan: a full forward scan of the built index, in MB/s of index
 *     pages.
 * Build and inserts run in one transaction each and include its durable
 * commit.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common/error.h"
#include "storage/btree.h"
#include "storage/heap.h"

/* A row number with its key, for sorting. */
typedef struct KeyedRow {
    uint64_t key;
    uint64_t row;
} KeyedRow;

static int compare_keyed(const void *a, const void *b)
{
    uint64_t ka = ((const KeyedRow *)a)->key, kb = ((const KeyedRow *)b)->key;
    return ka < kb ? -1 : ka > kb;
}

/* Every row with its key, sorted by key; NULL when out of memory. */
static KeyedRow *sorted_rows(uint64_t rows)
{
    KeyedRow *sorted = malloc(rows * sizeof *sorted);
    if (sorted == NULL)
        return NULL;
    for (uint64_t i = 0; i < rows; i++)
        sorted[i] = (KeyedRow){.key = bench_mix(i), .row = i};
    qsort(sorted, rows, sizeof *sorted, compare_keyed);
    return sorted;
}

/* Feed every row's entry, in key order, to a bulk build into `rel`. */
static int build_index(BenchCtx *ctx, SdbRelFileId rel, SdbXid xid)
{
    uint8_t key[BENCH_KEY_SIZE];
    KeyedRow *sorted = sorted_rows(ctx->opt->rows);
    if (sorted == NULL)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory sorting %llu keys",
                         (unsigned long long)ctx->opt->rows);
    SdbBtreeBuild *build = sdb_btree_build_begin(ctx->engine, rel, false, SDB_BTREE_DEFAULT_FILLFACTOR, xid);
    int rc = build == NULL ? SDB_ERROR : SDB_OK;
    for (uint64_t i = 0; rc == SDB_OK && i < ctx->opt->rows; i++) {
        bench_key(sorted[i].row, key);
        rc = sdb_btree_build_add(build, key, sizeof key, ctx->tids[sorted[i].row]);
    }
    free(sorted);
    if (rc != SDB_OK) {
        sdb_btree_build_abort(build);
        return bench_fail("B+tree bulk build");
    }
    if (sdb_btree_build_finish(build) != SDB_OK)
        return bench_fail("sdb_btree_build_finish");
    return SDB_OK;
}

int bench_btree_build(BenchCtx *ctx, BenchSample *out)
{
    SdbRelFileId rel = bench_new_rel(ctx);
    SdbXid xid;
    double start = bench_now();
    if (bench_begin(ctx, &xid) != SDB_OK || build_index(ctx, rel, xid) != SDB_OK ||
        bench_commit(ctx, xid) != SDB_OK)
        return SDB_ERROR;
    out->seconds = bench_now() - start;
    out->ops = (double)ctx->opt->rows;
    out->data_bytes = bench_rel_bytes(ctx, rel);
    if (ctx->have_index && bench_drop_rel(ctx, ctx->index) != SDB_OK)
        return SDB_ERROR;
    ctx->index = rel;
    ctx->have_index = true;
    return SDB_OK;
}

/* Insert every row's entry, in row (= random key) order. */
static int insert_entries(BenchCtx *ctx, SdbBtree *bt, SdbXid xid)
{
    uint8_t key[BENCH_KEY_SIZE];
    for (uint64_t i = 0; i < ctx->opt->rows; i++) {
        bench_key(i, key);
        if (sdb_btree_insert(bt, key, sizeof key, ctx->tids[i], xid, NULL, NULL, NULL) != SDB_OK)
            return bench_fail("sdb_btree_insert");
    }
    return SDB_OK;
}

int bench_btree_insert_random(BenchCtx *ctx, BenchSample *out)
{
    SdbRelFileId rel = bench_new_rel(ctx);
    SdbXid xid;
    if (bench_begin(ctx, &xid) != SDB_OK)
        return SDB_ERROR;
    if (sdb_btree_create(ctx->engine, rel, false, xid) != SDB_OK)
        return bench_fail("sdb_btree_create");
    SdbBtree *bt = sdb_btree_open(ctx->engine, rel);
    if (bt == NULL)
        return bench_fail("sdb_btree_open");
    double start = bench_now();
    int rc = insert_entries(ctx, bt, xid);
    if (rc == SDB_OK)
        rc = bench_commit(ctx, xid);
    out->seconds = bench_now() - start;
    out->ops = (double)ctx->opt->rows;
    out->data_bytes = bench_rel_bytes(ctx, rel);
    sdb_btree_close(bt);
    if (rc != SDB_OK)
        return SDB_ERROR;
    return bench_drop_rel(ctx, rel);
}

/* State of the timed index passes. */
typedef struct IndexPass {
    SdbBtree *bt;
    uint64_t rng;
} IndexPass;

/* Whether fetching `tid` from the table gives a row with this key. */
static int check_fetch(BenchCtx *ctx, SdbTid tid, const uint8_t key[BENCH_KEY_SIZE])
{
    uint8_t payload[BENCH_ROW_SIZE];
    SdbHeapTupleHeader header;
    bool found;
    if (sdb_heap_fetch(ctx->engine, ctx->table, tid, &header, payload, sizeof payload, &found) != SDB_OK)
        return bench_fail("sdb_heap_fetch");
    if (!found || header.payload_len != BENCH_ROW_SIZE || memcmp(payload, key, BENCH_KEY_SIZE) != 0) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "tid (%u,%u) does not hold the row looked up", tid.block,
                  (unsigned)tid.slot);
        return bench_fail("point lookup");
    }
    return SDB_OK;
}

/* Look row `row` up through the index and fetch it from the heap. */
static int lookup_row(BenchCtx *ctx, SdbBtree *bt, uint64_t row)
{
    uint8_t key[BENCH_KEY_SIZE];
    SdbBtreeEntry entry;
    bench_key(row, key);
    SdbBtreeBound bound = {.key = key, .key_len = sizeof key, .inclusive = true};
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, &bound, &bound, SDB_BTREE_FORWARD);
    if (scan == NULL)
        return bench_fail("sdb_btree_scan_open");
    int rc = sdb_btree_scan_next(scan, &entry);
    SdbTid tid = entry.tid;
    sdb_btree_scan_close(scan);
    if (rc != SDB_OK || tid.block != ctx->tids[row].block || tid.slot != ctx->tids[row].slot) {
        if (rc != SDB_ERROR)
            sdb_error(SDB_ERR_INTERNAL_ERROR, "the index did not find row %llu", (unsigned long long)row);
        return bench_fail("point lookup");
    }
    return check_fetch(ctx, tid, key);
}

static int lookup_pass(BenchCtx *ctx, void *state, double *ops, double *bytes)
{
    (void)bytes;
    IndexPass *p = state;
    for (int i = 0; i < 256; i++)
        if (lookup_row(ctx, p->bt, bench_rand(&p->rng) % ctx->opt->rows) != SDB_OK)
            return SDB_ERROR;
    *ops += 256;
    return SDB_OK;
}

/* One full forward scan of the index, checking it returns every row. */
static int rangescan_pass(BenchCtx *ctx, void *state, double *ops, double *bytes)
{
    IndexPass *p = state;
    SdbBtreeEntry entries[256];
    size_t count;
    uint64_t seen = 0;
    SdbBtreeScan *scan = sdb_btree_scan_open(p->bt, NULL, NULL, SDB_BTREE_FORWARD);
    if (scan == NULL)
        return bench_fail("sdb_btree_scan_open");
    int rc;
    while ((rc = sdb_btree_scan_batch(scan, entries, 256, &count)) == SDB_OK)
        seen += count;
    sdb_btree_scan_close(scan);
    if (rc != SDB_BTREE_END)
        return bench_fail("sdb_btree_scan_batch");
    return bench_count_pass(ctx, "B+tree range scan", seen, ctx->index, ops, bytes);
}

/* Run `pass` for opt->seconds with the built index open. */
static int timed_on_index(BenchCtx *ctx, BenchPassFn pass, BenchSample *out)
{
    IndexPass p = {.bt = sdb_btree_open(ctx->engine, ctx->index), .rng = 0x5DEECE66Dull};
    if (p.bt == NULL)
        return bench_fail("sdb_btree_open");
    int rc = bench_timed(ctx, pass, &p, out);
    sdb_btree_close(p.bt);
    return rc;
}

int bench_btree_lookup(BenchCtx *ctx, BenchSample *out)
{
    out->data_bytes = bench_rel_bytes(ctx, ctx->table) + bench_rel_bytes(ctx, ctx->index);
    return timed_on_index(ctx, lookup_pass, out);
}

int bench_btree_rangescan(BenchCtx *ctx, BenchSample *out)
{
    out->data_bytes = bench_rel_bytes(ctx, ctx->index);
    return timed_on_index(ctx, rangescan_pass, out);
}
