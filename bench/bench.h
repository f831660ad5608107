/*
 * bench/bench.h: what the pieces of the storage benchmark (storage_bench)
 * share: the options, the per-engine context, one measurement's sample, the
 * measurement functions and the report.
 *
 * A measurement is a function that does one run of a workload on a context
 * and fills a BenchSample (operations or bytes done, seconds taken, bytes of
 * data it touched).  bench_measure() runs it BENCH_RUNS times and records the
 * median rate in the report.  Nothing here asserts on a time: the numbers are
 * printed, never checked.
 */
#ifndef SDB_BENCH_H
#define SDB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/engine.h"
#include "storage/types.h"
#include "txn/xact.h"

#define BENCH_RUNS 3
#define BENCH_MAX_SETS 16
#define BENCH_ROW_SIZE 100u  /* heap payload bytes per row: 8-byte key + filler */
#define BENCH_KEY_SIZE 8u    /* B+tree key: the row's key, big-endian */
#define BENCH_BATCH_ROWS 1000u
#define BENCH_COMMIT_ROW_SIZE 64u

/* Command-line options (bench_options_parse). */
typedef struct BenchOptions {
    uint64_t rows;          /* rows in the table / entries in the index */
    double seconds;         /* duration of each timed run */
    int64_t pool_small_kb;  /* 0: data estimate / 4 */
    int64_t pool_large_kb;  /* 0: data estimate * 3 */
    const char *dir;        /* parent of the fresh data directory */
    bool quick;
    bool keep;              /* leave the data directory behind */
    bool busy_cpus;         /* keep the CPUs from idling (bench_spin.c) */
    int threads;            /* committing threads of the group-commit run */
    const char *only;       /* comma-separated: run only metrics whose names contain one */
    const char *sets[BENCH_MAX_SETS]; /* extra "name=value" settings */
    int set_count;
} BenchOptions;

/* One engine (one buffer pool size) and what has been loaded into it. */
typedef struct BenchCtx {
    const BenchOptions *opt;
    const char *label;       /* "large" or "small" */
    int64_t pool_kb;
    char dir[4096];          /* its data directory */
    SdbEngine *engine;
    SdbXactManager *xm;
    uint32_t page_size;
    uint32_t next_rel;       /* next relation number to hand out */
    SdbRelFileId table;      /* the loaded heap (rows 0..rows-1), if have_table */
    SdbTid *tids;            /* tids[i]: where row i is in `table` */
    bool have_table;
    SdbRelFileId index;      /* the built index over `table`, if have_index */
    bool have_index;
    SdbRelFileId commit_rel; /* the small heap the commit runs insert into */
} BenchCtx;

/* What one run did. */
typedef struct BenchSample {
    double ops;        /* rows, entries, lookups, commits, syncs */
    double bytes;      /* bytes read (scans) */
    double seconds;
    double data_bytes; /* size of the relations the run worked on */
    /* engine counters over the run, filled by bench_measure */
    double wal_syncs;   /* fsyncs of WAL segments */
    double pool_reads;  /* pages the buffer pool read from files */
    double checkpoints; /* checkpoints that ran (timed or requested) */
    double cpu_seconds; /* user + system CPU time of the process */
} BenchSample;

typedef int (*BenchRunFn)(BenchCtx *ctx, BenchSample *out);

/* What a workload reads that an earlier one must have made. */
typedef enum BenchNeeds {
    BENCH_NEEDS_NOTHING = 0,
    BENCH_NEEDS_TABLE = 1, /* ctx->table (made by heap_insert_batch) */
    BENCH_NEEDS_INDEX = 2  /* ctx->table and ctx->index (made by btree_build) */
} BenchNeeds;

/* A workload and how its rate is expressed. */
typedef struct BenchMetricDef {
    const char *name;
    const char *unit; /* "MB/s" rates bytes, anything else rates ops */
    BenchRunFn run;
    BenchNeeds needs;
    BenchNeeds makes; /* what it leaves for later ones */
} BenchMetricDef;

/* ---- util (bench_util.c) -------------------------------------------------- */

double bench_now(void);                        /* monotonic seconds */
uint64_t bench_mix(uint64_t i);                /* bijection: row number -> key */
void bench_key(uint64_t i, uint8_t key[BENCH_KEY_SIZE]);
void bench_row(uint64_t i, uint8_t row[BENCH_ROW_SIZE]);
uint64_t bench_rand(uint64_t *state);          /* xorshift64* */
int bench_fail(const char *what);              /* print the recorded error; SDB_ERROR */
SdbRelFileId bench_new_rel(BenchCtx *ctx);
int bench_drop_rel(BenchCtx *ctx, SdbRelFileId rel);
double bench_rel_bytes(BenchCtx *ctx, SdbRelFileId rel);
int bench_begin(BenchCtx *ctx, SdbXid *xid);
int bench_commit(BenchCtx *ctx, SdbXid xid);

/* One pass of a timed workload: adds what it did to *ops and *bytes. */
typedef int (*BenchPassFn)(BenchCtx *ctx, void *state, double *ops, double *bytes);

/* Repeat `pass` until opt->seconds have gone by (at least once) and fill
 * out->ops, out->bytes and out->seconds. */
int bench_timed(BenchCtx *ctx, BenchPassFn pass, void *state, BenchSample *out);

/* End of a full-scan pass over `rel` that returned `seen` entries: fails
 * unless that is opt->rows, else adds them to *ops and rel's size to *bytes. */
int bench_count_pass(BenchCtx *ctx, const char *what, uint64_t seen, SdbRelFileId rel, double *ops,
                     double *bytes);

/* ---- measurements ----------------------------------------------------------- */

int bench_heap_insert_single(BenchCtx *ctx, BenchSample *out);
int bench_heap_insert_batch(BenchCtx *ctx, BenchSample *out); /* keeps the table */
int bench_heap_seqscan(BenchCtx *ctx, BenchSample *out);
int bench_btree_build(BenchCtx *ctx, BenchSample *out);       /* keeps the index */
int bench_btree_insert_random(BenchCtx *ctx, BenchSample *out);
int bench_btree_lookup(BenchCtx *ctx, BenchSample *out);
int bench_btree_rangescan(BenchCtx *ctx, BenchSample *out);
int bench_commit_one(BenchCtx *ctx, BenchSample *out);
int bench_commit_many(BenchCtx *ctx, BenchSample *out);
int bench_raw_fsync(BenchCtx *ctx, BenchSample *out);

/* ---- --busy-cpus (bench_spin.c) ------------------------------------------- */

/* Start one SCHED_IDLE spinning child per CPU; returns how many started. */
int bench_spin_start(void);

/* Kill and reap the spinners. */
void bench_spin_stop(void);

/* ---- report (bench_report.c) ----------------------------------------------- */

/* Run `def` BENCH_RUNS times on ctx and record the median. */
int bench_measure(BenchCtx *ctx, const BenchMetricDef *def);

/* Record a value computed from recorded ones (a ratio), with no runs. */
void bench_record_derived(const char *label, const char *name, const char *unit, double value);

/* The recorded median of (label, name), or 0 when missing. */
double bench_median(const char *label, const char *name);

/* Print the aligned table, then one machine-readable line per metric. */
void bench_report_print(void);

#endif /* SDB_BENCH_H */
