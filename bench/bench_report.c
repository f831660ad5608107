/*
 * bench/bench_report.c: running a measurement BENCH_RUNS times, keeping the
 * median, and printing the results: an aligned table for people, then one
 * line per metric for programs:
 *
 *   RESULT pool=large metric=heap_insert_single unit=rows/s median=... runs=a,b,c
 *          data_mb=... pool_mb=... wal_syncs=... ops_per_sync=... pool_reads=...
 *          checkpoints=... cores=...
 *
 * (one line each).  The engine counters shown are those of the median run.
 * Before every run the data directory's file system is synced (syncfs), so
 * writeback left by the previous run does not land in the next one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "common/error.h"
#include "storage/bufpool.h"
#include "storage/wal.h"

#define MAX_RESULTS 64

_Static_assert(BENCH_RUNS == 3, "bench_measure picks the median of three");

typedef struct BenchResult {
    const char *label;
    const char *name;
    const char *unit;
    double runs[BENCH_RUNS];
    int run_count; /* 0 for a derived value */
    double median;
    double pool_bytes;
    BenchSample at_median;
} BenchResult;

static BenchResult results[MAX_RESULTS];
static int result_count;

/* Engine counters that bench_measure reports per run. */
typedef struct Counters {
    double wal_syncs, pool_reads, checkpoints, cpu_seconds;
} Counters;

/* User + system CPU seconds of this process so far. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static Counters read_counters(BenchCtx *ctx)
{
    SdbWalStats wal;
    SdbBufPoolStats pool;
    SdbCheckpointStats cp;
    sdb_wal_stats(sdb_engine_wal(ctx->engine), &wal);
    sdb_bufpool_stats(sdb_engine_bufpool(ctx->engine), &pool);
    sdb_engine_checkpoint_stats(ctx->engine, &cp);
    Counters c = {(double)wal.syncs, (double)pool.reads, (double)(cp.timed + cp.requested), cpu_seconds()};
    return c;
}

static double rate_of(const BenchMetricDef *def, const BenchSample *s)
{
    double amount = strcmp(def->unit, "MB/s") == 0 ? s->bytes / 1e6 : s->ops;
    return s->seconds > 0 ? amount / s->seconds : 0;
}

/* Let the kernel finish writing back what earlier runs left in its page
 * cache (syncfs of the data directory's file system), so that writeback does
 * not compete with this run's I/O and fsyncs. */
static void settle_disk(BenchCtx *ctx)
{
    int fd = open(ctx->dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return;
    syncfs(fd);
    close(fd);
}

/* One run with the counters around it. */
static int run_once(BenchCtx *ctx, const BenchMetricDef *def, BenchSample *s)
{
    memset(s, 0, sizeof *s);
    settle_disk(ctx);
    Counters before = read_counters(ctx);
    if (def->run(ctx, s) != SDB_OK)
        return SDB_ERROR;
    Counters after = read_counters(ctx);
    s->wal_syncs = after.wal_syncs - before.wal_syncs;
    s->pool_reads = after.pool_reads - before.pool_reads;
    s->checkpoints = after.checkpoints - before.checkpoints;
    s->cpu_seconds = after.cpu_seconds - before.cpu_seconds;
    return SDB_OK;
}

static BenchResult *new_result(const char *label, const char *name, const char *unit)
{
    if (result_count == MAX_RESULTS) {
        fprintf(stderr, "storage_bench: too many results\n");
        exit(2);
    }
    BenchResult *r = &results[result_count++];
    memset(r, 0, sizeof *r);
    r->label = label;
    r->name = name;
    r->unit = unit;
    return r;
}

int bench_measure(BenchCtx *ctx, const BenchMetricDef *def)
{
    BenchSample samples[BENCH_RUNS];
    BenchResult *r = new_result(ctx->label, def->name, def->unit);
    r->pool_bytes = (double)ctx->pool_kb * 1024;
    for (int i = 0; i < BENCH_RUNS; i++) {
        if (run_once(ctx, def, &samples[i]) != SDB_OK)
            return SDB_ERROR;
        r->runs[i] = rate_of(def, &samples[i]);
        r->run_count++;
        fprintf(stderr, "  [%s] %-22s run %d: %14.1f %s\n", ctx->label, def->name, i + 1, r->runs[i],
                def->unit);
    }
    int lo = 0, hi = 0;
    for (int i = 1; i < BENCH_RUNS; i++) {
        lo = r->runs[i] < r->runs[lo] ? i : lo;
        hi = r->runs[i] > r->runs[hi] ? i : hi;
    }
    int mid = lo == hi ? 0 : 3 - lo - hi; /* BENCH_RUNS == 3 */
    r->median = r->runs[mid];
    r->at_median = samples[mid];
    return SDB_OK;
}

void bench_record_derived(const char *label, const char *name, const char *unit, double value)
{
    BenchResult *r = new_result(label, name, unit);
    r->median = value;
}

double bench_median(const char *label, const char *name)
{
    for (int i = 0; i < result_count; i++)
        if (strcmp(results[i].label, label) == 0 && strcmp(results[i].name, name) == 0)
            return results[i].median;
    return 0;
}

/* Operations per WAL fsync in a run (0 when it synced nothing). */
static double ops_per_sync(const BenchSample *s)
{
    return s->wal_syncs > 0 ? s->ops / s->wal_syncs : 0;
}

/* CPU cores the process kept busy on average during a run. */
static double cores(const BenchSample *s)
{
    return s->seconds > 0 ? s->cpu_seconds / s->seconds : 0;
}

static void print_table_row(const BenchResult *r)
{
    printf("%-6s %-22s %14.1f %-10s", r->label, r->name, r->median, r->unit);
    if (r->run_count == 0) {
        printf("\n");
        return;
    }
    const BenchSample *s = &r->at_median;
    printf(" %12.1f %12.1f %12.1f %9.1f %6.2f %9.0f %8.2f %10.0f %5.0f %5.2f\n", r->runs[0], r->runs[1],
           r->runs[2], s->data_bytes / 1e6, r->pool_bytes > 0 ? s->data_bytes / r->pool_bytes : 0,
           s->wal_syncs, ops_per_sync(s), s->pool_reads, s->checkpoints, cores(s));
}

static void print_machine_line(const BenchResult *r)
{
    printf("RESULT pool=%s metric=%s unit=%s median=%.3f", r->label, r->name, r->unit, r->median);
    if (r->run_count > 0) {
        const BenchSample *s = &r->at_median;
        printf(" runs=%.3f,%.3f,%.3f data_mb=%.1f pool_mb=%.1f wal_syncs=%.0f ops_per_sync=%.2f "
               "pool_reads=%.0f checkpoints=%.0f cores=%.2f",
               r->runs[0], r->runs[1], r->runs[2], s->data_bytes / 1e6, r->pool_bytes / 1e6,
               s->wal_syncs, ops_per_sync(s), s->pool_reads, s->checkpoints, cores(s));
    }
    printf("\n");
}

void bench_report_print(void)
{
    printf("\n%-6s %-22s %14s %-10s %12s %12s %12s %9s %6s %9s %8s %10s %5s %5s\n", "pool", "metric",
           "median", "unit", "run1", "run2", "run3", "data MB", "d/pool", "WAL sync", "ops/sync",
           "pool reads", "ckpt", "cores");
    for (int i = 0; i < result_count; i++)
        print_table_row(&results[i]);
    printf("\n");
    for (int i = 0; i < result_count; i++)
        print_machine_line(&results[i]);
}
