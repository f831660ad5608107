/*
 * bench/bench_commit.c: durability measurements of storage_bench.
 *
 *   - durable commits/s with 1 and with opt->threads committing threads: each
 *     commit is sdb_xact_begin, one BENCH_COMMIT_ROW_SIZE-byte heap insert
 *     into ctx->commit_rel, and a synchronous sdb_xact_commit (fsync on), so
 *     concurrent committers can share a WAL fsync (group commit);
 *   - the raw fsync rate of the same disk: a loop of one 4 kB pwrite +
 *     fdatasync on a preallocated file in the data directory (the pattern of
 *     a WAL segment: zero-filled in advance, overwritten in order).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common/error.h"
#include "storage/fileio.h"
#include "storage/heap.h"

#define PROBE_BLOCK 4096u
#define PROBE_FILE_SIZE (16u * 1024u * 1024u)

/* One committing thread. */
typedef struct CommitWorker {
    BenchCtx *ctx;
    double deadline;
    uint64_t commits;
    int rc;
} CommitWorker;

/* One small durable transaction. */
static int commit_one(BenchCtx *ctx, uint64_t n)
{
    uint8_t row[BENCH_ROW_SIZE];
    SdbXid xid;
    SdbTid tid;
    bench_row(n, row);
    if (bench_begin(ctx, &xid) != SDB_OK)
        return SDB_ERROR;
    if (sdb_heap_insert(ctx->engine, ctx->commit_rel, xid, 0, row, BENCH_COMMIT_ROW_SIZE, 0, &tid) != SDB_OK) {
        bench_fail("sdb_heap_insert");
        sdb_xact_abort(ctx->xm, xid);
        return SDB_ERROR;
    }
    return bench_commit(ctx, xid);
}

static void *commit_worker(void *arg)
{
    CommitWorker *w = arg;
    while (w->rc == SDB_OK && bench_now() < w->deadline)
        if ((w->rc = commit_one(w->ctx, w->commits)) == SDB_OK)
            w->commits++;
    return NULL;
}

/* Start `count` workers that commit until their deadline; returns how many
 * were started. */
static int start_workers(CommitWorker *workers, pthread_t *threads, int count)
{
    for (int i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, commit_worker, &workers[i]) != 0)
            return i;
    return count;
}

/* Commit from `nthreads` threads for opt->seconds. */
static int run_commits(BenchCtx *ctx, int nthreads, BenchSample *out)
{
    CommitWorker *workers = calloc((size_t)nthreads, sizeof *workers);
    pthread_t *threads = calloc((size_t)nthreads, sizeof *threads);
    if (workers == NULL || threads == NULL) {
        free(workers);
        free(threads);
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "could not set up %d committing threads", nthreads);
    }
    double begin = bench_now();
    for (int i = 0; i < nthreads; i++)
        workers[i] = (CommitWorker){.ctx = ctx, .deadline = begin + ctx->opt->seconds};
    int started = start_workers(workers, threads, nthreads);
    int rc = started == nthreads ? SDB_OK : sdb_error(SDB_ERR_INTERNAL_ERROR, "pthread_create failed");
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    out->seconds = bench_now() - begin;
    for (int i = 0; i < nthreads; i++) {
        out->ops += (double)workers[i].commits;
        rc = workers[i].rc != SDB_OK ? SDB_ERROR : rc;
    }
    free(workers);
    free(threads);
    out->data_bytes = bench_rel_bytes(ctx, ctx->commit_rel);
    return rc;
}

int bench_commit_one(BenchCtx *ctx, BenchSample *out)
{
    return run_commits(ctx, 1, out);
}

int bench_commit_many(BenchCtx *ctx, BenchSample *out)
{
    return run_commits(ctx, ctx->opt->threads, out);
}

/* The probe file and where the next write goes. */
typedef struct Probe {
    SdbFile *file;
    uint8_t *block;
    uint64_t offset;
} Probe;

static int probe_pass(BenchCtx *ctx, void *state, double *ops, double *bytes)
{
    (void)ctx;
    Probe *p = state;
    p->block[0]++;
    if (sdb_file_write(p->file, p->block, PROBE_BLOCK, p->offset) != SDB_OK ||
        sdb_file_datasync(p->file) != SDB_OK)
        return bench_fail("write + fdatasync of the probe file");
    p->offset = (p->offset + PROBE_BLOCK) % PROBE_FILE_SIZE;
    *ops += 1;
    *bytes += PROBE_BLOCK;
    return SDB_OK;
}

/* Create the probe file zero-filled and synced, like a new WAL segment. */
static int probe_create(const char *path, Probe *p)
{
    p->file = sdb_file_open(path, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    if (p->file == NULL)
        return bench_fail("creating the fsync probe file");
    for (uint64_t off = 0; off < PROBE_FILE_SIZE; off += PROBE_BLOCK)
        if (sdb_file_write(p->file, p->block, PROBE_BLOCK, off) != SDB_OK)
            return bench_fail("filling the fsync probe file");
    if (sdb_file_sync(p->file) != SDB_OK)
        return bench_fail("syncing the fsync probe file");
    return SDB_OK;
}

int bench_raw_fsync(BenchCtx *ctx, BenchSample *out)
{
    char path[4200];
    static uint8_t block[PROBE_BLOCK];
    Probe p = {.file = NULL, .block = block, .offset = 0};
    snprintf(path, sizeof path, "%s/fsync_probe", ctx->dir);
    memset(block, 0, sizeof block);
    int rc = probe_create(path, &p);
    if (rc == SDB_OK)
        rc = bench_timed(ctx, probe_pass, &p, out);
    out->data_bytes = PROBE_FILE_SIZE;
    sdb_file_discard(p.file);
    sdb_file_unlink(path, true);
    return rc;
}
