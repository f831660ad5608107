/*
 * bench/bench_util.c: small helpers the storage benchmark's measurements
 * share: the clock, the deterministic rows and keys, relation numbers,
 * dropping a relation between runs, and transactions.
 *
 * Row i of the table has key bench_mix(i) (a bijection on 64 bits, so keys
 * are unique and come in random order), stored big-endian so that memcmp
 * order is numeric order, followed by filler derived from i.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "common/error.h"
#include "storage/bufpool.h"
#include "storage/heap.h"
#include "storage/smgr.h"

/* Relation numbers of benchmark relations start here (database 1). */
#define BENCH_DB_OID 1u

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t bench_mix(uint64_t i)
{
    /* xor-shift and odd multiply are each invertible, so this is a bijection */
    uint64_t x = i + 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return x;
}

void bench_key(uint64_t i, uint8_t key[BENCH_KEY_SIZE])
{
    uint64_t k = bench_mix(i);
    for (unsigned b = 0; b < BENCH_KEY_SIZE; b++)
        key[b] = (uint8_t)(k >> (8 * (BENCH_KEY_SIZE - 1 - b)));
}

void bench_row(uint64_t i, uint8_t row[BENCH_ROW_SIZE])
{
    bench_key(i, row);
    for (unsigned b = BENCH_KEY_SIZE; b < BENCH_ROW_SIZE; b++)
        row[b] = (uint8_t)('a' + (i + b) % 26);
}

uint64_t bench_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

int bench_fail(const char *what)
{
    fprintf(stderr, "storage_bench: %s failed\n", what);
    sdb_error_print(stderr);
    return SDB_ERROR;
}

SdbRelFileId bench_new_rel(BenchCtx *ctx)
{
    SdbRelFileId rel = {.db_oid = BENCH_DB_OID, .rel_number = ctx->next_rel++};
    return rel;
}

int bench_drop_rel(BenchCtx *ctx, SdbRelFileId rel)
{
    SdbBufPool *pool = sdb_engine_bufpool(ctx->engine);
    SdbSmgr *smgr = sdb_engine_smgr(ctx->engine);
    if (sdb_bufpool_drop_rel(pool, rel, SDB_FORK_COUNT, 0) != SDB_OK)
        return bench_fail("dropping a relation's pages");
    for (int fork = 0; fork < SDB_FORK_COUNT; fork++)
        if (sdb_smgr_unlink(smgr, rel, (SdbFork)fork) != SDB_OK)
            return bench_fail("removing a relation's file");
    return SDB_OK;
}

double bench_rel_bytes(BenchCtx *ctx, SdbRelFileId rel)
{
    SdbBlockNo blocks = 0;
    if (sdb_smgr_nblocks(sdb_engine_smgr(ctx->engine), rel, SDB_FORK_MAIN, &blocks) != SDB_OK)
        return 0;
    return (double)blocks * ctx->page_size;
}

int bench_begin(BenchCtx *ctx, SdbXid *xid)
{
    if (sdb_xact_begin(ctx->xm, xid) != SDB_OK)
        return bench_fail("sdb_xact_begin");
    return SDB_OK;
}

int bench_commit(BenchCtx *ctx, SdbXid xid)
{
    if (sdb_xact_commit(ctx->xm, xid, true, NULL) != SDB_OK)
        return bench_fail("sdb_xact_commit");
    return SDB_OK;
}

int bench_timed(BenchCtx *ctx, BenchPassFn pass, void *state, BenchSample *out)
{
    double start = bench_now();
    double elapsed;
    out->ops = 0;
    out->bytes = 0;
    do {
        if (pass(ctx, state, &out->ops, &out->bytes) != SDB_OK)
            return SDB_ERROR;
        elapsed = bench_now() - start;
    } while (elapsed < ctx->opt->seconds);
    out->seconds = elapsed;
    return SDB_OK;
}

int bench_count_pass(BenchCtx *ctx, const char *what, uint64_t seen, SdbRelFileId rel, double *ops,
                     double *bytes)
{
    if (seen != ctx->opt->rows) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "%s returned %llu entries, expected %llu", what,
                  (unsigned long long)seen, (unsigned long long)ctx->opt->rows);
        return bench_fail(what);
    }
    *ops += (double)seen;
    *bytes += bench_rel_bytes(ctx, rel);
    return SDB_OK;
}
