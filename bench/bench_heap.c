/*
 * bench/bench_heap.c: the heap measurements of storage_bench: bulk insert
 * through the single-row path and through the batch path, and sequential
 * scan throughput.
 *
 * Both inserts put opt->rows rows (BENCH_ROW_SIZE bytes of payload each) into
 * a new heap inside one transaction and include its durable commit.  The
 * single-row runs drop their heap afterwards; the batch path keeps the heap
 * of its last run as the table the later measurements read (ctx->table,
 * ctx->tids), dropping the one it replaces.
 */
#include <stdlib.h>

#include "bench.h"
#include "common/error.h"
#include "storage/heap.h"

/* A new, empty heap relation in *rel. */
static int create_heap(BenchCtx *ctx, SdbRelFileId *rel)
{
    *rel = bench_new_rel(ctx);
    if (sdb_heap_create(ctx->engine, *rel) != SDB_OK)
        return bench_fail("sdb_heap_create");
    return SDB_OK;
}

/* Insert rows 0..rows-1 one sdb_heap_insert call each. */
static int insert_rows_single(BenchCtx *ctx, SdbRelFileId rel, SdbXid xid)
{
    uint8_t row[BENCH_ROW_SIZE];
    SdbTid tid;
    for (uint64_t i = 0; i < ctx->opt->rows; i++) {
        bench_row(i, row);
        if (sdb_heap_insert(ctx->engine, rel, xid, 0, row, sizeof row, 0, &tid) != SDB_OK)
            return bench_fail("sdb_heap_insert");
    }
    return SDB_OK;
}

/* Insert rows 0..rows-1 BENCH_BATCH_ROWS per sdb_heap_insert_batch call,
 * their tids into ctx->tids. */
static int insert_rows_batch(BenchCtx *ctx, SdbRelFileId rel, SdbXid xid)
{
    static uint8_t payload[BENCH_BATCH_ROWS][BENCH_ROW_SIZE];
    SdbHeapRow rows[BENCH_BATCH_ROWS];
    for (uint64_t first = 0; first < ctx->opt->rows; first += BENCH_BATCH_ROWS) {
        size_t count = ctx->opt->rows - first < BENCH_BATCH_ROWS ? ctx->opt->rows - first
                                                                 : BENCH_BATCH_ROWS;
        for (size_t j = 0; j < count; j++) {
            bench_row(first + j, payload[j]);
            rows[j] = (SdbHeapRow){.payload = payload[j], .len = BENCH_ROW_SIZE, .flags = 0};
        }
        if (sdb_heap_insert_batch(ctx->engine, rel, xid, 0, rows, count, ctx->tids + first) != SDB_OK)
            return bench_fail("sdb_heap_insert_batch");
    }
    return SDB_OK;
}

typedef int (*InsertFn)(BenchCtx *ctx, SdbRelFileId rel, SdbXid xid);

/* Time one transaction that inserts every row with `insert` into a new heap
 * (left in *rel) and commits. */
static int timed_load(BenchCtx *ctx, InsertFn insert, SdbRelFileId *rel, BenchSample *out)
{
    SdbXid xid;
    if (create_heap(ctx, rel) != SDB_OK)
        return SDB_ERROR;
    double start = bench_now();
    if (bench_begin(ctx, &xid) != SDB_OK || insert(ctx, *rel, xid) != SDB_OK ||
        bench_commit(ctx, xid) != SDB_OK)
        return SDB_ERROR;
    out->seconds = bench_now() - start;
    out->ops = (double)ctx->opt->rows;
    out->data_bytes = bench_rel_bytes(ctx, *rel);
    return SDB_OK;
}

int bench_heap_insert_single(BenchCtx *ctx, BenchSample *out)
{
    SdbRelFileId rel;
    if (timed_load(ctx, insert_rows_single, &rel, out) != SDB_OK)
        return SDB_ERROR;
    return bench_drop_rel(ctx, rel);
}

int bench_heap_insert_batch(BenchCtx *ctx, BenchSample *out)
{
    SdbRelFileId rel;
    if (timed_load(ctx, insert_rows_batch, &rel, out) != SDB_OK)
        return SDB_ERROR;
    if (ctx->have_table && bench_drop_rel(ctx, ctx->table) != SDB_OK)
        return SDB_ERROR;
    ctx->table = rel;
    ctx->have_table = true;
    return SDB_OK;
}

/* One full sequential scan of the table, checking it returns every row. */
static int seqscan_pass(BenchCtx *ctx, void *state, double *ops, double *bytes)
{
    (void)state;
    SdbHeapTuple tuples[256];
    size_t count;
    uint64_t seen = 0;
    SdbHeapScan *scan = sdb_heap_scan_begin(ctx->engine, ctx->table);
    if (scan == NULL)
        return bench_fail("sdb_heap_scan_begin");
    int rc;
    while ((rc = sdb_heap_scan_batch(scan, tuples, 256, &count)) == SDB_OK && count > 0)
        seen += count;
    sdb_heap_scan_end(scan);
    if (rc != SDB_OK)
        return bench_fail("sdb_heap_scan_batch");
    return bench_count_pass(ctx, "heap sequential scan", seen, ctx->table, ops, bytes);
}

int bench_heap_seqscan(BenchCtx *ctx, BenchSample *out)
{
    out->data_bytes = bench_rel_bytes(ctx, ctx->table);
    return bench_timed(ctx, seqscan_pass, NULL, out);
}
