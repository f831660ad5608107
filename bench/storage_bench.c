/*
 * bench/storage_bench.c: the storage engine benchmark (issue 3): main,
 * options, the printed configuration, and the two engines it measures.
 *
 *   storage_bench [--rows N] [--seconds S] [--pool-small SIZE] [--pool-large SIZE]
 *                 [--threads T] [--dir DIR] [--set name=value]... [--only A,B]
 *                 [--quick] [--keep] [--busy-cpus]
 *
 * It creates a fresh data directory under DIR (default $TMPDIR or /tmp) and
 * runs every measurement twice: on an engine whose buffer pool is larger than
 * the data ("large") and on one whose pool is about a quarter of it
 * ("small"), each in its own subdirectory.  Each measurement runs three times;
 * the median is reported (bench_report.c).  See bench/README.md.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/error.h"
#include "config/settings.h"
#include "storage/fileio.h"
#include "storage/heap.h"

/* Bytes the table and its index take per row (measured at 4 kB pages, for
 * sizing the pools before anything exists; the real sizes are printed). */
#define EST_BYTES_PER_ROW 168u

/* Settings printed with the configuration (everything the storage engine
 * and the commit path read). */
static const char *const shown_settings[] = {
    "block_size", "shared_buffers", "buffer_eviction", "bgwriter_delay", "io_method",
    "direct_io", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes",
    "commit_delay", "wal_buffers", "wal_segment_size", "checkpoint_timeout",
    "max_wal_size", "min_wal_size", "wal_compression",
};

/* The measurements, in order (the heap batch insert loads the table the
 * B+tree build indexes; both are read by the later ones). */
static const BenchMetricDef metrics[] = {
    {"heap_insert_single", "rows/s", bench_heap_insert_single, BENCH_NEEDS_NOTHING, BENCH_NEEDS_NOTHING},
    {"heap_insert_batch", "rows/s", bench_heap_insert_batch, BENCH_NEEDS_NOTHING, BENCH_NEEDS_TABLE},
    {"btree_build", "entries/s", bench_btree_build, BENCH_NEEDS_TABLE, BENCH_NEEDS_INDEX},
    {"btree_insert_random", "entries/s", bench_btree_insert_random, BENCH_NEEDS_TABLE, BENCH_NEEDS_NOTHING},
    {"btree_lookup", "lookups/s", bench_btree_lookup, BENCH_NEEDS_INDEX, BENCH_NEEDS_NOTHING},
    {"heap_seqscan", "MB/s", bench_heap_seqscan, BENCH_NEEDS_TABLE, BENCH_NEEDS_NOTHING},
    {"btree_rangescan", "MB/s", bench_btree_rangescan, BENCH_NEEDS_INDEX, BENCH_NEEDS_NOTHING},
    {"raw_fsync_4k", "fsyncs/s", bench_raw_fsync, BENCH_NEEDS_NOTHING, BENCH_NEEDS_NOTHING},
    {"commit_1_thread", "commits/s", bench_commit_one, BENCH_NEEDS_NOTHING, BENCH_NEEDS_NOTHING},
    {"commit_n_threads", "commits/s", bench_commit_many, BENCH_NEEDS_NOTHING, BENCH_NEEDS_NOTHING},
};
#define METRIC_COUNT (sizeof metrics / sizeof metrics[0])

/* ---- options ------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: storage_bench [options]\n"
            "  --rows N           rows in the table and entries in the index (default 1000000)\n"
            "  --seconds S        duration of each timed run (default 3)\n"
            "  --pool-small SIZE  buffer pool smaller than the data (default: data / 4), e.g. 40MB\n"
            "  --pool-large SIZE  buffer pool larger than the data (default: data * 3)\n"
            "  --threads T        committing threads of the group-commit run (default 8)\n"
            "  --dir DIR          where to create the fresh data directory (default $TMPDIR or /tmp)\n"
            "  --set name=value   any setting (specdb.conf name), e.g. --set commit_delay=100\n"
            "  --quick            100000 rows, 0.5 s runs (unless given)\n"
            "  --only A,B         run only the metrics whose names contain A or B (and those they need)\n"
            "  --busy-cpus        keep every CPU from idling with SCHED_IDLE spinners (VMs: see README)\n"
            "  --keep             leave the data directory behind\n");
}

/* SIZE as shared_buffers reads it ("40MB", "65536" = kB), in kB. */
static int parse_pool(const char *text, int64_t *kb)
{
    SdbSettings s;
    if (sdb_settings_init(&s) != SDB_OK)
        return SDB_ERROR;
    int rc = sdb_settings_set(&s, "shared_buffers", text, SDB_SOURCE_INIT);
    *kb = s.shared_buffers;
    sdb_settings_free(&s);
    return rc;
}

/* The value after option argv[*i], advancing *i; NULL (reported) if none. */
static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "storage_bench: %s needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Apply one option with a value; SDB_ERROR on a bad one. */
static int apply_valued(BenchOptions *o, const char *name, const char *value, bool *rows_given,
                        bool *seconds_given)
{
    char *end = NULL;
    if (strcmp(name, "--rows") == 0) {
        o->rows = strtoull(value, &end, 10);
        *rows_given = true;
        return *end == '\0' && o->rows > 0 ? SDB_OK : SDB_ERROR;
    }
    if (strcmp(name, "--seconds") == 0) {
        o->seconds = strtod(value, &end);
        *seconds_given = true;
        return *end == '\0' && o->seconds > 0 ? SDB_OK : SDB_ERROR;
    }
    if (strcmp(name, "--threads") == 0) {
        o->threads = (int)strtol(value, &end, 10);
        return *end == '\0' && o->threads > 0 && o->threads <= 256 ? SDB_OK : SDB_ERROR;
    }
    if (strcmp(name, "--pool-small") == 0)
        return parse_pool(value, &o->pool_small_kb);
    if (strcmp(name, "--pool-large") == 0)
        return parse_pool(value, &o->pool_large_kb);
    if (strcmp(name, "--only") == 0) {
        o->only = value;
        return SDB_OK;
    }
    if (strcmp(name, "--dir") == 0) {
        o->dir = value;
        return SDB_OK;
    }
    if (strcmp(name, "--set") == 0 && o->set_count < BENCH_MAX_SETS) {
        o->sets[o->set_count++] = value;
        return SDB_OK;
    }
    return SDB_ERROR;
}

/* Parse argv into *o; returns 0 to go on, else the exit status. */
static int parse_options(int argc, char **argv, BenchOptions *o)
{
    bool rows_given = false, seconds_given = false;
    const char *tmp = getenv("TMPDIR");
    *o = (BenchOptions){.rows = 1000000, .seconds = 3, .threads = 8,
                        .dir = tmp != NULL && *tmp ? tmp : "/tmp"};
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            usage(stdout);
            return -1;
        }
        bool *flag = strcmp(name, "--quick") == 0       ? &o->quick
                     : strcmp(name, "--keep") == 0      ? &o->keep
                     : strcmp(name, "--busy-cpus") == 0 ? &o->busy_cpus
                                                        : NULL;
        if (flag != NULL) {
            *flag = true;
            continue;
        }
        const char *value = option_value(argc, argv, &i);
        if (value == NULL || apply_valued(o, name, value, &rows_given, &seconds_given) != SDB_OK) {
            fprintf(stderr, "storage_bench: bad option %s %s\n", name, value ? value : "");
            if (sdb_error_last()->code != SDB_ERR_SUCCESSFUL_COMPLETION)
                sdb_error_print(stderr); /* a bad setting says why */
            usage(stderr);
            return 2;
        }
    }
    if (o->quick) {
        o->rows = rows_given ? o->rows : 100000;
        o->seconds = seconds_given ? o->seconds : 0.5;
    }
    uint64_t est_kb = o->rows * EST_BYTES_PER_ROW / 1024;
    o->pool_small_kb = o->pool_small_kb ? o->pool_small_kb : (int64_t)(est_kb / 4 > 128 ? est_kb / 4 : 128);
    o->pool_large_kb = o->pool_large_kb ? o->pool_large_kb : (int64_t)(est_kb * 3 > 1024 ? est_kb * 3 : 1024);
    return 0;
}

/* ---- engine settings ------------------------------------------------------------- */

/* The settings of an engine with a pool of `pool_kb`: defaults, fsync and
 * synchronous commit on, the user's --set values, and last the pool size
 * (so --set shared_buffers cannot blur which pool is measured). */
static int make_settings(const BenchOptions *o, int64_t pool_kb, SdbSettings *s)
{
    char pool[32];
    snprintf(pool, sizeof pool, "%lldkB", (long long)pool_kb);
    if (sdb_settings_init(s) != SDB_OK)
        return SDB_ERROR;
    int rc = sdb_settings_set(s, "fsync", "on", SDB_SOURCE_INIT);
    if (rc == SDB_OK)
        rc = sdb_settings_set(s, "synchronous_commit", "on", SDB_SOURCE_INIT);
    for (int i = 0; rc == SDB_OK && i < o->set_count; i++)
        rc = sdb_settings_set_option(s, o->sets[i], SDB_SOURCE_INIT);
    if (rc == SDB_OK)
        rc = sdb_settings_set(s, "shared_buffers", pool, SDB_SOURCE_INIT);
    if (rc != SDB_OK)
        sdb_settings_free(s);
    return rc;
}

static void print_settings(const SdbSettings *s)
{
    char value[128];
    printf("settings:");
    for (size_t i = 0; i < sizeof shown_settings / sizeof shown_settings[0]; i++) {
        sdb_settings_show(s, sdb_settings_find(shown_settings[i]), value, sizeof value);
        printf("%s %s=%s", i % 6 == 5 ? "\n         " : "", shown_settings[i], value);
    }
    printf("\n");
}

/* ---- contexts --------------------------------------------------------------------- */

/* Open the engine of `ctx` in ctx->dir with its pool size; print its settings. */
static int open_ctx(BenchCtx *ctx)
{
    SdbSettings s;
    if (make_settings(ctx->opt, ctx->pool_kb, &s) != SDB_OK)
        return bench_fail("settings");
    printf("\n[%s] pool %.1f MB, data directory %s\n", ctx->label, (double)ctx->pool_kb * 1024 / 1e6, ctx->dir);
    print_settings(&s);
    fflush(stdout);
    ctx->engine = sdb_engine_open(ctx->dir, &s);
    sdb_settings_free(&s);
    if (ctx->engine == NULL)
        return bench_fail("sdb_engine_open");
    ctx->page_size = sdb_engine_page_size(ctx->engine);
    printf("io_method in use: %s\n", sdb_io_method_name()); /* chosen by the open */
    ctx->xm = sdb_xact_open(ctx->engine);
    if (ctx->xm == NULL)
        return bench_fail("sdb_xact_open");
    ctx->next_rel = 16384;
    ctx->commit_rel = bench_new_rel(ctx);
    if (sdb_heap_create(ctx->engine, ctx->commit_rel) != SDB_OK)
        return bench_fail("sdb_heap_create");
    return SDB_OK;
}

static int close_ctx(BenchCtx *ctx)
{
    int rc = SDB_OK;
    if (ctx->xm != NULL && sdb_xact_close(ctx->xm) != SDB_OK)
        rc = bench_fail("sdb_xact_close");
    if (ctx->engine != NULL && sdb_engine_close(ctx->engine) != SDB_OK)
        rc = bench_fail("sdb_engine_close");
    ctx->xm = NULL;
    ctx->engine = NULL;
    return rc;
}

/* Print the sizes of what was loaded, for reading the data/pool column. */
static void print_loaded(BenchCtx *ctx)
{
    double table = bench_rel_bytes(ctx, ctx->table), index = bench_rel_bytes(ctx, ctx->index);
    double pool = (double)ctx->pool_kb * 1024;
    printf("[%s] table %.1f MB + index %.1f MB = %.2f x the pool\n", ctx->label, table / 1e6,
           index / 1e6, (table + index) / pool);
}

/* Whether `name` contains one of the comma-separated words of `list`. */
static bool name_matches(const char *name, const char *list)
{
    char word[64];
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), p);
        if (len > 0 && strstr(name, word) != NULL)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/* Which metrics to run: all, or those --only names plus the ones that make
 * what they need. */
static void select_metrics(const BenchOptions *o, bool selected[METRIC_COUNT])
{
    BenchNeeds needed = BENCH_NEEDS_NOTHING;
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        selected[i] = o->only == NULL || name_matches(metrics[i].name, o->only);
        if (selected[i] && metrics[i].needs > needed)
            needed = metrics[i].needs;
    }
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (metrics[i].makes != BENCH_NEEDS_NOTHING && metrics[i].makes <= needed)
            selected[i] = true;
}

/* The selected measurements on one engine. */
static int run_ctx(BenchCtx *ctx)
{
    bool selected[METRIC_COUNT];
    select_metrics(ctx->opt, selected);
    int rc = open_ctx(ctx);
    for (size_t i = 0; rc == SDB_OK && i < METRIC_COUNT; i++)
        if (selected[i])
            rc = bench_measure(ctx, &metrics[i]);
    if (rc == SDB_OK && ctx->have_table && ctx->have_index)
        print_loaded(ctx);
    if (close_ctx(ctx) != SDB_OK)
        rc = SDB_ERROR;
    return rc;
}

/* ---- the run ------------------------------------------------------------------------ */

static void print_configuration(const BenchOptions *o, const char *root)
{
    char date[64];
    time_t now = time(NULL);
    struct utsname u;
    double load[3] = {0, 0, 0};
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    uname(&u);
    getloadavg(load, 3);
    printf("storage_bench (specdb %s), %s\n", SPECDB_VERSION, date);
    printf("machine: %s %s %s, %ld cores, load average %.2f %.2f %.2f at start; compiler %s\n",
           u.sysname, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2],
           __VERSION__);
    printf("rows %llu (payload %u B, key %u B), %d runs per measurement (median shown), "
           "timed runs %.2f s, commit threads 1 and %d, heap batch %u rows\n",
           (unsigned long long)o->rows, BENCH_ROW_SIZE, BENCH_KEY_SIZE, BENCH_RUNS, o->seconds,
           o->threads, BENCH_BATCH_ROWS);
    printf("CPUs kept busy by SCHED_IDLE spinners (--busy-cpus): %s\n", o->busy_cpus ? "yes" : "no");
    printf("pools: large %.1f MB, small %.1f MB (MB = 10^6 bytes throughout); data under %s\n",
           (double)o->pool_large_kb * 1024 / 1e6, (double)o->pool_small_kb * 1024 / 1e6, root);
}

/* The group-commit verdict of issue 3: n threads >= 4x one thread. */
static void print_group_commit(const BenchOptions *o, const char *label)
{
    double one = bench_median(label, "commit_1_thread");
    double many = bench_median(label, "commit_n_threads");
    double fsyncs = bench_median(label, "raw_fsync_4k");
    double ratio = one > 0 ? many / one : 0;
    if (one == 0 || many == 0)
        return; /* not measured (--only) */
    bench_record_derived(label, "group_commit_ratio", "x", ratio);
    bench_record_derived(label, "commit_1t_per_fsync", "x", fsyncs > 0 ? one / fsyncs : 0);
    printf("[%s] group commit: %d threads %.0f commits/s = %.2fx 1 thread (%.0f/s); raw fsync %.0f/s: %s\n",
           label, o->threads, many, ratio, one, fsyncs, ratio >= 4 ? "meets >= 4x" : "BELOW 4x");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Make a fresh directory under o->dir (its path in root[size]). */
static int make_root(const BenchOptions *o, char *root, size_t size)
{
    snprintf(root, size, "%s/storage_bench.XXXXXX", o->dir);
    if (mkdtemp(root) != NULL)
        return SDB_OK;
    fprintf(stderr, "storage_bench: could not create a directory in %s: %s\n", o->dir, strerror(errno));
    return SDB_ERROR;
}

int main(int argc, char **argv)
{
    BenchOptions o;
    char root[3968];
    int status = parse_options(argc, argv, &o);
    if (status != 0)
        return status < 0 ? 0 : status;
    if (make_root(&o, root, sizeof root) != SDB_OK)
        return 1;
    if (o.busy_cpus)
        bench_spin_start();
    print_configuration(&o, root);
    SdbTid *tids = calloc(o.rows, sizeof *tids);
    BenchCtx ctxs[2] = {{.opt = &o, .label = "large", .pool_kb = o.pool_large_kb, .tids = tids},
                        {.opt = &o, .label = "small", .pool_kb = o.pool_small_kb, .tids = tids}};
    int rc = tids != NULL ? SDB_OK : sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; rc == SDB_OK && i < 2; i++) {
        snprintf(ctxs[i].dir, sizeof ctxs[i].dir, "%s/%s", root, ctxs[i].label);
        rc = run_ctx(&ctxs[i]);
    }
    if (rc == SDB_OK) {
        printf("\n");
        for (int i = 0; i < 2; i++)
            print_group_commit(&o, ctxs[i].label);
        bench_report_print();
    }
    free(tids);
    bench_spin_stop();
    if (!o.keep)
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc == SDB_OK ? 0 : 1;
}
