/*
 * access/analyze.c: ANALYZE of one table (sdb_table_analyze), as
 * PostgreSQL's commands/analyze.c does it: a reservoir sample (Vitter's
 * algorithm R) of 300 * default_statistics_target rows over a table scan with the
 * transaction's snapshot, put back in physical order; per column the null
 * fraction, average width, number of distinct values (Haas and Stokes'
 * estimator, negative when it scales with the table), the most common
 * values with their frequencies, a histogram of the other values and the
 * correlation of value order with physical order (compute_scalar_stats);
 * for types without an ordering only the first three with n_distinct
 * unknown (compute_trivial_stats).  The result goes to the catalog with
 * sdb_catalog_set_stats (pg_class.relpages / reltuples, pg_statistic).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "sdb_operators.h"
#include "storage/heap.h"
#include "types/typefuncs.h"
#include "types/typeio.h"

#define WIDTH_THRESHOLD 1024 /* wider values are left out of the value statistics */

/* The sample: rows[i] of ncols values, and where the row was in the scan;
 * malloc'd, grown as rows come up to `capacity` (300 * target). */
typedef struct Sample {
    int ncols, capacity, count, allocated;
    SdbDatum *values; /* allocated * ncols */
    bool *nulls;
    int64_t *pos;
    void **mem;       /* per row: the malloc'd copies of its by-reference values */
    const bool *byref; /* per column */
} Sample;

static void sample_free(Sample *s)
{
    for (int i = 0; s->mem != NULL && i < s->count; i++)
        free(s->mem[i]);
    free(s->values);
    free(s->nulls);
    free(s->pos);
    free(s->mem);
}

static int sample_grow(Sample *s)
{
    int n = s->allocated == 0 ? 1024 : s->allocated * 2;
    if (n > s->capacity)
        n = s->capacity;
    size_t cells = (size_t)n * (size_t)(s->ncols > 0 ? s->ncols : 1);
    SdbDatum *values = realloc(s->values, sizeof *values * cells);
    if (values != NULL)
        s->values = values;
    bool *nulls = values != NULL ? realloc(s->nulls, sizeof *nulls * cells) : NULL;
    if (nulls != NULL)
        s->nulls = nulls;
    int64_t *pos = nulls != NULL ? realloc(s->pos, sizeof *pos * (size_t)n) : NULL;
    if (pos != NULL)
        s->pos = pos;
    void **mem = pos != NULL ? realloc(s->mem, sizeof *mem * (size_t)n) : NULL;
    if (mem == NULL)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
    s->mem = mem;
    s->allocated = n;
    return SDB_OK;
}

static bool type_byval(SdbOid type)
{
    const SdbTypeInfo *t = sdb_type_by_oid(sdb_domain_base_type(type));
    return t != NULL && t->byval;
}

/* Store row r of the batch in sample slot `slot` (its by-reference values
 * copied into one block). */
static int sample_store(Sample *s, int slot, const SdbBatch *b, int r, int64_t pos)
{
    size_t bytes = 0;
    for (int c = 0; c < s->ncols; c++)
        if (s->byref[c] && !sdb_vector_is_null(&b->cols[c], r))
            bytes += (sizeof(SdbVarlena) + sdb_datum_varlena(b->cols[c].values[r])->len + 1 + 7) & ~(size_t)7;
    char *mem = bytes > 0 ? malloc(bytes) : NULL;
    if (bytes > 0 && mem == NULL)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
    if (slot < s->count)
        free(s->mem[slot]);
    s->mem[slot] = mem;
    s->pos[slot] = pos;
    size_t off = 0;
    for (int c = 0; c < s->ncols; c++) {
        bool null = sdb_vector_is_null(&b->cols[c], r);
        SdbDatum v = b->cols[c].values[r];
        s->nulls[slot * s->ncols + c] = null;
        if (!null && s->byref[c]) {
            const SdbVarlena *src = sdb_datum_varlena(v);
            SdbVarlena *dst = (SdbVarlena *)(mem + off);
            dst->len = src->len;
            memcpy(dst->data, src->data, src->len);
            dst->data[src->len] = 0;
            off += (sizeof(SdbVarlena) + src->len + 1 + 7) & ~(size_t)7;
            v = sdb_datum_from_ptr(dst);
        }
        s->values[slot * s->ncols + c] = null ? 0 : v;
    }
    return SDB_OK;
}

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: the sample only needs to be uniform */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

/* Reservoir sampling over a scan of the columns; *liverows counts them all. */
static int acquire_sample(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, Sample *s, double *liverows)
{
    SdbVector *vectors = sdb_arena_calloc(ac->arena, (size_t)s->ncols + 1, sizeof *vectors);
    if (vectors == NULL)
        return SDB_ERROR;
    for (int c = 0; c < s->ncols; c++) {
        vectors[c].values = sdb_arena_alloc(ac->arena, sizeof(SdbDatum) * SDB_BATCH_SIZE);
        vectors[c].nulls = sdb_arena_alloc(ac->arena, SDB_BATCH_SIZE / 8);
        if (vectors[c].values == NULL || vectors[c].nulls == NULL)
            return SDB_ERROR;
    }
    SdbBatch batch = {.ncols = s->ncols, .cols = vectors};
    SdbTableScan *scan = sdb_table_scan_begin(ac, rel, cols, s->ncols);
    if (scan == NULL)
        return SDB_ERROR;
    uint64_t seed = 0x9E3779B97F4A7C15ULL ^ rel->oid;
    int64_t seen = 0;
    int rc = SDB_OK;
    while (rc == SDB_OK && (rc = sdb_table_scan_next(scan, &batch)) == SDB_OK && batch.nrows > 0) {
        for (int i = 0; rc == SDB_OK && i < sdb_batch_live(&batch); i++, seen++) {
            int r = sdb_batch_row(&batch, i);
            if (s->count < s->capacity) {
                if (s->count == s->allocated && (rc = sample_grow(s)) != SDB_OK)
                    break;
                rc = sample_store(s, s->count, &batch, r, seen);
                s->count += rc == SDB_OK;
                continue;
            }
            uint64_t k = next_random(&seed) % (uint64_t)(seen + 1);
            if (k < (uint64_t)s->capacity)
                rc = sample_store(s, (int)k, &batch, r, seen);
        }
    }
    sdb_table_scan_end(scan);
    *liverows = (double)seen;
    return rc;
}

/* --- sample rows in physical order ---------------------------------------- */

static int compare_pos(const void *a, const void *b, void *arg)
{
    const int64_t *pos = arg;
    int64_t x = pos[*(const int *)a], y = pos[*(const int *)b];
    return x < y ? -1 : x > y;
}

/* --- per-column statistics ------------------------------------------------ */

typedef struct ScalarItem {
    SdbDatum value;
    int tupno;
} ScalarItem;

static int compare_items(const void *a, const void *b, void *arg)
{
    const ScalarItem *x = a, *y = b;
    int c = ((SdbTypeCompareFn)arg)(x->value, y->value);
    if (c != 0)
        return c;
    return x->tupno - y->tupno;
}

typedef struct ColumnInput {
    const SdbAttribute *att;
    const SdbTypeInfo *type; /* of the base type */
    const SdbDatum *values;  /* samplerows values, stride `stride`, in physical order */
    const bool *nulls;
    const int *order;        /* sample slot of physical row i */
    int stride, col;
    int samplerows;
    double totalrows;
    int target;              /* the statistics target: most MCVs, histogram bins */
    SdbArena *arena;
} ColumnInput;

static SdbDatum input_value(const ColumnInput *in, int i, bool *null)
{
    int slot = in->order[i];
    *null = in->nulls[slot * in->stride + in->col];
    return in->values[slot * in->stride + in->col];
}

/* The bytes PostgreSQL counts for a value (VARSIZE_ANY: 1-byte header up to 127 bytes). */
static double value_width(const ColumnInput *in, SdbDatum v)
{
    if (in->type->len > 0)
        return in->type->len;
    size_t len = sdb_datum_varlena(v)->len;
    if (in->type->len == -2)
        return (double)len + 1;
    return len + 1 <= 127 ? (double)len + 1 : (double)len + 4;
}

/* The operator `name` (=, <) on two values of `type`, or 0. */
static SdbOid type_operator(SdbOid type, const char *name)
{
    const SdbTypeInfo *t = sdb_type_by_oid(type);
    SdbOid want = t != NULL && t->elem_oid != 0 && t->category == 'A' ? SDB_TYPEOID_ANYARRAY : type;
    for (int i = 0; i < SDB_OPERATOR_COUNT; i++)
        if (sdb_operators[i].left == want && sdb_operators[i].right == want && strcmp(sdb_operators[i].name, name) == 0)
            return sdb_operators[i].oid;
    return 0;
}

static SdbOid type_collation(const SdbTypeInfo *t)
{
    if (t->oid == SDB_TYPEOID_NAME)
        return 950;
    return t->category == 'S' ? 100 : 0;
}

/* How many of the candidate MCVs (counts, most common first) are
 * significantly more common than the other values (analyze_mcv_list). */
static int analyze_mcv_list(const int *counts, int num_mcv, double stadistinct, double stanullfrac, int samplerows,
                            double totalrows)
{
    if (samplerows == totalrows || totalrows <= 1.0)
        return num_mcv;
    double ndistinct_table = stadistinct < 0 ? -stadistinct * totalrows : stadistinct;
    double sumcount = 0.0;
    for (int i = 0; i < num_mcv - 1; i++)
        sumcount += counts[i];
    while (num_mcv > 0) {
        double selec = fmin(1.0, fmax(0.0, 1.0 - sumcount / samplerows - stanullfrac));
        double otherdistinct = ndistinct_table - (num_mcv - 1);
        if (otherdistinct > 1)
            selec /= otherdistinct;
        double N = totalrows, n = samplerows, K = N * counts[num_mcv - 1] / n;
        double variance = n * K * (N - K) * (N - n) / (N * N * (N - 1));
        if (counts[num_mcv - 1] > selec * samplerows + 2 * sqrt(variance) + 0.5)
            break;
        num_mcv--;
        if (num_mcv == 0)
            break;
        sumcount -= counts[num_mcv - 1];
    }
    return num_mcv;
}

typedef struct Track {
    int count;
    int first; /* index in the sorted items */
} Track;

static int compare_track_first(const void *a, const void *b)
{
    return ((const Track *)a)->first - ((const Track *)b)->first;
}

static int copy_value(const ColumnInput *in, SdbDatum v, SdbDatum *out)
{
    if (in->type->byval) {
        *out = v;
        return SDB_OK;
    }
    const SdbVarlena *src = sdb_datum_varlena(v);
    return sdb_varlena_make(in->arena, src->data, src->len, out);
}

static SdbStatsSlot *next_slot(SdbColumnStats *cs)
{
    for (int k = 0; k < SDB_STATS_SLOTS; k++)
        if (cs->slots[k].kind == 0)
            return &cs->slots[k];
    return NULL;
}

static int mcv_slot(const ColumnInput *in, SdbColumnStats *cs, const ScalarItem *items, const Track *track, int num_mcv)
{
    SdbStatsSlot *slot = next_slot(cs);
    float *freqs = sdb_arena_alloc(in->arena, sizeof *freqs * (size_t)num_mcv);
    SdbDatum *values = sdb_arena_alloc(in->arena, sizeof *values * (size_t)num_mcv);
    if (freqs == NULL || values == NULL)
        return SDB_ERROR;
    for (int i = 0; i < num_mcv; i++) {
        freqs[i] = (float)((double)track[i].count / (double)in->samplerows);
        if (copy_value(in, items[track[i].first].value, &values[i]) != SDB_OK)
            return SDB_ERROR;
    }
    *slot = (SdbStatsSlot){.kind = SDB_STATS_KIND_MCV, .op = type_operator(in->type->oid, "="),
                           .coll = type_collation(in->type), .nnumbers = num_mcv, .numbers = freqs,
                           .nvalues = num_mcv, .values = values};
    return SDB_OK;
}

/* The histogram of the values outside the MCV list: the first, the last
 * and evenly spaced ones between. */
static int histogram_slot(const ColumnInput *in, SdbColumnStats *cs, const ScalarItem *items, int values_cnt,
                          Track *track, int num_mcv, int num_hist)
{
    qsort(track, (size_t)num_mcv, sizeof *track, compare_track_first);
    const ScalarItem **rest = sdb_arena_alloc(in->arena, sizeof *rest * ((size_t)values_cnt + 1));
    SdbDatum *hist = sdb_arena_alloc(in->arena, sizeof *hist * (size_t)num_hist);
    if (rest == NULL || hist == NULL)
        return SDB_ERROR;
    int nvals = 0;
    for (int i = 0, t = 0; i < values_cnt; i++) {
        if (t < num_mcv && i >= track[t].first) {
            i = track[t].first + track[t].count - 1;
            t++;
            continue;
        }
        rest[nvals++] = &items[i];
    }
    int delta = (nvals - 1) / (num_hist - 1), deltafrac = (nvals - 1) % (num_hist - 1);
    int pos = 0, posfrac = 0;
    for (int i = 0; i < num_hist; i++) {
        if (copy_value(in, rest[pos]->value, &hist[i]) != SDB_OK)
            return SDB_ERROR;
        pos += delta;
        posfrac += deltafrac;
        if (posfrac >= num_hist - 1) {
            pos++;
            posfrac -= num_hist - 1;
        }
    }
    *next_slot(cs) = (SdbStatsSlot){.kind = SDB_STATS_KIND_HISTOGRAM, .op = type_operator(in->type->oid, "<"),
                                    .coll = type_collation(in->type), .nvalues = num_hist, .values = hist};
    return SDB_OK;
}

static int correlation_slot(const ColumnInput *in, SdbColumnStats *cs, int values_cnt, double corr_xysum)
{
    float *corr = sdb_arena_alloc(in->arena, sizeof *corr);
    if (corr == NULL)
        return SDB_ERROR;
    double n = values_cnt;
    double xsum = (n - 1) * n / 2.0, x2sum = (n - 1) * n * (2 * n - 1) / 6.0;
    *corr = (float)((n * corr_xysum - xsum * xsum) / (n * x2sum - xsum * xsum));
    *next_slot(cs) = (SdbStatsSlot){.kind = SDB_STATS_KIND_CORRELATION, .op = type_operator(in->type->oid, "<"),
                                    .coll = type_collation(in->type), .nnumbers = 1, .numbers = corr};
    return SDB_OK;
}

/* n_distinct from the sample: every value seen once -> unique; every
 * value repeated -> those are all; else Haas and Stokes' Duj1. */
static double estimate_distinct(int ndistinct, int nmultiple, int toowide_cnt, int samplerows, int null_cnt,
                                double nullfrac, double totalrows)
{
    double stadistinct;
    if (nmultiple == 0)
        stadistinct = -1.0 * (1.0 - nullfrac);
    else if (toowide_cnt == 0 && nmultiple == ndistinct)
        stadistinct = ndistinct;
    else {
        int f1 = ndistinct - nmultiple + toowide_cnt, d = f1 + nmultiple;
        double n = samplerows - null_cnt, N = totalrows * (1.0 - nullfrac);
        double est = N > 0 ? (n * d) / ((n - f1) + f1 * n / N) : 0;
        est = fmin(fmax(est, d), N);
        stadistinct = floor(est + 0.5);
    }
    if (stadistinct > 0.1 * totalrows)
        stadistinct = -(stadistinct / totalrows);
    return stadistinct;
}

static int compute_scalar_stats(const ColumnInput *in, SdbTypeCompareFn compare, SdbColumnStats *cs)
{
    bool varwidth = in->type->len < 0;
    ScalarItem *items = sdb_arena_alloc(in->arena, sizeof *items * ((size_t)in->samplerows + 1));
    Track *track = sdb_arena_alloc(in->arena, sizeof *track * ((size_t)in->target + 1));
    int *counts = sdb_arena_alloc(in->arena, sizeof *counts * ((size_t)in->target + 1));
    if (items == NULL || track == NULL || counts == NULL)
        return SDB_ERROR;
    int null_cnt = 0, nonnull_cnt = 0, toowide_cnt = 0, values_cnt = 0;
    double total_width = 0;
    for (int i = 0; i < in->samplerows; i++) {
        bool null;
        SdbDatum v = input_value(in, i, &null);
        if (null) {
            null_cnt++;
            continue;
        }
        nonnull_cnt++;
        if (varwidth) {
            double w = value_width(in, v);
            total_width += w;
            if (w > WIDTH_THRESHOLD) {
                toowide_cnt++;
                continue;
            }
        }
        items[values_cnt] = (ScalarItem){v, values_cnt};
        values_cnt++;
    }
    cs->nullfrac = (float)((double)null_cnt / in->samplerows);
    if (values_cnt == 0) {
        if (nonnull_cnt == 0) { /* only NULLs: the column is assumed all NULL */
            cs->width = varwidth ? 0 : in->type->len;
            cs->ndistinct = 0;
        } else {
            cs->width = (int32_t)(total_width / nonnull_cnt);
            cs->ndistinct = (float)(-1.0 * (1.0 - cs->nullfrac));
        }
        return SDB_OK;
    }
    cs->width = varwidth ? (int32_t)(total_width / nonnull_cnt) : in->type->len;
    qsort_r(items, (size_t)values_cnt, sizeof *items, compare_items, (void *)compare);
    int ndistinct = 0, nmultiple = 0, track_cnt = 0, dups_cnt = 0;
    double corr_xysum = 0;
    for (int i = 0; i < values_cnt; i++) {
        corr_xysum += (double)i * (double)items[i].tupno;
        dups_cnt++;
        if (i + 1 < values_cnt && compare(items[i].value, items[i + 1].value) == 0)
            continue;
        ndistinct++;
        if (dups_cnt > 1) {
            nmultiple++;
            if (track_cnt < in->target || dups_cnt > track[track_cnt - 1].count) {
                if (track_cnt < in->target)
                    track_cnt++;
                int j = track_cnt - 1;
                for (; j > 0 && dups_cnt > track[j - 1].count; j--)
                    track[j] = track[j - 1];
                track[j] = (Track){dups_cnt, i + 1 - dups_cnt};
            }
        }
        dups_cnt = 0;
    }
    double stadistinct = estimate_distinct(ndistinct, nmultiple, toowide_cnt, in->samplerows, null_cnt, cs->nullfrac,
                                           in->totalrows);
    cs->ndistinct = (float)stadistinct;
    int num_mcv = in->target;
    if (track_cnt == ndistinct && toowide_cnt == 0 && stadistinct > 0 && track_cnt <= num_mcv)
        num_mcv = track_cnt;
    else {
        num_mcv = num_mcv > track_cnt ? track_cnt : num_mcv;
        for (int i = 0; i < num_mcv; i++)
            counts[i] = track[i].count;
        if (num_mcv > 0)
            num_mcv = analyze_mcv_list(counts, num_mcv, stadistinct, cs->nullfrac, in->samplerows, in->totalrows);
    }
    if (num_mcv > 0 && mcv_slot(in, cs, items, track, num_mcv) != SDB_OK)
        return SDB_ERROR;
    int num_hist = ndistinct - num_mcv;
    if (num_hist > in->target)
        num_hist = in->target + 1;
    if (num_hist >= 2 && histogram_slot(in, cs, items, values_cnt, track, num_mcv, num_hist) != SDB_OK)
        return SDB_ERROR;
    if (values_cnt > 1 && correlation_slot(in, cs, values_cnt, corr_xysum) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

/* Types without an ordering: null fraction and width only. */
static void compute_trivial_stats(const ColumnInput *in, SdbColumnStats *cs)
{
    int null_cnt = 0, nonnull_cnt = 0;
    double total_width = 0;
    for (int i = 0; i < in->samplerows; i++) {
        bool null;
        SdbDatum v = input_value(in, i, &null);
        if (null) {
            null_cnt++;
            continue;
        }
        nonnull_cnt++;
        if (in->type->len < 0)
            total_width += value_width(in, v);
    }
    cs->nullfrac = (float)((double)null_cnt / in->samplerows);
    cs->width = in->type->len > 0 ? in->type->len : nonnull_cnt > 0 ? (int32_t)(total_width / nonnull_cnt) : 0;
    cs->ndistinct = 0;
}

static int compute_column(const ColumnInput *in, SdbColumnStats *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->attnum = in->att->attnum;
    const SdbTypeOps *ops = sdb_type_ops(in->att->type);
    if (ops == NULL || ops->compare == NULL) {
        compute_trivial_stats(in, cs);
        return SDB_OK;
    }
    return compute_scalar_stats(in, ops->compare, cs);
}

/* --- the entry point -------------------------------------------------------- */

int sdb_table_analyze(SdbAccessContext *ac, const SdbRelation *rel, const int *cols, int ncols, int target,
                      SdbAnalyzeInfo *info)
{
    memset(info, 0, sizeof *info);
    SdbBlockNo nblocks = 0;
    if (sdb_heap_nblocks(ac->engine, rel->file, &nblocks) != SDB_OK)
        return SDB_ERROR;
    int capacity = 300 * target;
    bool *byref = sdb_arena_calloc(ac->arena, (size_t)ncols + 1, sizeof *byref);
    Sample s = {.ncols = ncols, .capacity = capacity, .byref = byref};
    if (byref == NULL)
        return SDB_ERROR;
    for (int c = 0; c < ncols; c++)
        byref[c] = !type_byval(rel->attrs[cols[c]].type);
    double liverows = 0;
    int rc = acquire_sample(ac, rel, cols, &s, &liverows);
    int *order = sdb_arena_alloc(ac->arena, sizeof *order * ((size_t)s.count + 1));
    SdbColumnStats *stats = sdb_arena_calloc(ac->arena, (size_t)ncols + 1, sizeof *stats);
    if (rc == SDB_OK && (order == NULL || stats == NULL))
        rc = SDB_ERROR;
    if (rc == SDB_OK) {
        for (int i = 0; i < s.count; i++)
            order[i] = i;
        qsort_r(order, (size_t)s.count, sizeof *order, compare_pos, s.pos);
        for (int c = 0; rc == SDB_OK && s.count > 0 && c < ncols; c++) {
            const SdbAttribute *att = &rel->attrs[cols[c]];
            const SdbTypeInfo *type = sdb_type_by_oid(sdb_domain_base_type(att->type));
            if (type == NULL)
                continue;
            ColumnInput in = {.att = att, .type = type, .values = s.values, .nulls = s.nulls, .order = order,
                              .stride = ncols, .col = c, .samplerows = s.count, .totalrows = liverows, .target = target,
                              .arena = ac->arena};
            rc = compute_column(&in, &stats[info->ncolumns]);
            info->ncolumns += rc == SDB_OK;
        }
    }
    if (rc == SDB_OK) {
        info->pages = nblocks;
        info->live_rows = liverows;
        info->sample_rows = s.count;
        rc = sdb_catalog_set_stats(ac->catalog, ac->txn, rel, (int32_t)nblocks, (float)liverows, info->ncolumns,
                                   stats, ac->arena);
    }
    sample_free(&s);
    return rc;
}
