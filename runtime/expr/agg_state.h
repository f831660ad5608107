/*
 * expr/agg_state.h: the per-group state structs of the aggregates of
 * spec/aggregates.toml (the spec names one per aggregate; the generated
 * sdb_aggregates.c takes its size), and the helpers the aggregate files
 * share for keeping by-reference values in a state.  Not for use outside
 * runtime/expr: the executor sees a state as func->agg->state_size bytes.
 *
 * A state starts zeroed (sdb_agg_init); by-reference pieces live in
 * call->arena and are reused while they are big enough, so a group's memory
 * grows with its largest value, not with its row count.
 */
#ifndef SDB_EXPR_AGG_STATE_H
#define SDB_EXPR_AGG_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr/agg.h"

/* Most dimensions an array may have (types/array.h SDB_ARRAY_MAXDIM). */
#define SDB_AGG_ARRAY_MAXDIM 6

/* A value kept in a state: by value in `value`, or by reference copied
 * into a buffer of `cap` bytes owned by the state. */
typedef struct SdbAggValue {
    SdbDatum value;
    size_t cap;
} SdbAggValue;

/* count(*), count(x) */
typedef struct SdbAggCount {
    int64_t count;
} SdbAggCount;

/* sum(int2), sum(int4) */
typedef struct SdbAggIntSum {
    bool have;
    int64_t sum;
} SdbAggIntSum;

/* sum(int8), avg(int2/int4/int8): exact in 128 bits */
typedef struct SdbAggInt128 {
    __int128 sum;
    int64_t count;
} SdbAggInt128;

/* sum(numeric), avg(numeric) */
typedef struct SdbAggNumeric {
    int64_t count;
    SdbAggValue sum;
} SdbAggNumeric;

/* sum(float4), sum(float8) */
typedef struct SdbAggFloatSum {
    bool have;
    double sum;
} SdbAggFloatSum;

/* avg, variance and stddev of float4/float8: PostgreSQL's float8_accum
 * (Youngs-Cramer): count, sum, sum of squared differences from the mean. */
typedef struct SdbAggFloatMoments {
    double n, sx, sxx;
} SdbAggFloatMoments;

/* corr, covar_*, regr_* of (Y, X) float8 pairs: PostgreSQL's
 * float8_regr_accum (Youngs-Cramer in two variables). */
typedef struct SdbAggRegression {
    double n, sx, sxx, sy, syy, sxy;
} SdbAggRegression;

/* variance and stddev of int2/int4/int8/numeric: count, sum, sum of squares. */
typedef struct SdbAggNumericMoments {
    int64_t count;
    bool nan;                 /* a NaN or infinite input: the result is NaN */
    SdbAggValue sumx, sumx2;  /* of the finite inputs */
} SdbAggNumericMoments;


/* min, max */
typedef struct SdbAggMinMax {
    bool have;
    SdbAggValue value;
} SdbAggMinMax;

/* bool_and, bool_or, every */
typedef struct SdbAggBool {
    bool have;
    bool value;
} SdbAggBool;

/* bit_and, bit_or, bit_xor of int2/int4/int8 */
typedef struct SdbAggBits {
    bool have;
    int64_t value;
} SdbAggBits;

/* string_agg(text, text), string_agg(bytea, bytea) */
typedef struct SdbAggString {
    bool have;
    char *data;   /* each value after its delimiter (json_agg: the JSON text so far) */
    size_t len, cap;
    size_t skip;  /* string_agg: bytes of the first value's delimiter, left out of the result */
} SdbAggString;

/* array_agg(anynonarray): the values in input order, NULLs included. */
typedef struct SdbAggArray {
    int64_t count, cap;
    SdbDatum *values;
    bool *nulls;
} SdbAggArray;

/* array_agg(anyarray): the input arrays' items one after another, and the
 * shape they all share. */
typedef struct SdbAggArrayOfArrays {
    int64_t count;
    int ndim;
    int dims[SDB_AGG_ARRAY_MAXDIM];
    int lbound[SDB_AGG_ARRAY_MAXDIM];
    int64_t nitems, cap;
    SdbDatum *values;
    bool *nulls;
} SdbAggArrayOfArrays;

/* Ordered-set aggregates: the direct argument (percentile_*'s fraction;
 * mode has none) and the non-null values of the ordered argument (the
 * last), sorted by the final function. */
typedef struct SdbAggOrderedSet {
    bool have_fraction;
    bool fraction_null;
    double fraction;
    SdbDatum fractions;  /* the float8[] of the several-percentile forms */
    int64_t count, cap;
    SdbDatum *values;
} SdbAggOrderedSet;

/* Whether values of `type` are held by value in a datum. */
bool sdb_agg_type_byval(SdbOid type);

/* Copy `value` of `type` into `slot` (reusing its buffer when it fits). */
int sdb_agg_keep(SdbAggCall *call, SdbAggValue *slot, SdbDatum value, SdbOid type);

/* A copy of `value` of `type` in call->arena (by-value ones as they are). */
int sdb_agg_copy(SdbAggCall *call, SdbDatum value, SdbOid type, SdbDatum *out);

/* Append `len` bytes to the text of `s` (its buffer is in call->arena). */
int sdb_agg_string_append(SdbAggCall *call, SdbAggString *s, const void *data, size_t len);

/* Grow the parallel arrays `*values` (and `*nulls` when not NULL) of `*cap`
 * items so that one more fits after `count`. */
int sdb_agg_grow(SdbAggCall *call, int64_t count, int64_t *cap, SdbDatum **values, bool **nulls);

/* Argument `i` (float4 or float8) as a double. */
double sdb_agg_arg_float(const SdbAggCall *call, int i);

/* sum->value + x (x alone when !have), kept in `sum` (fn_agg_sum.c). */
int sdb_agg_numeric_add(SdbAggCall *call, SdbAggValue *sum, bool have, SdbDatum x);

/* A 128-bit integer as a numeric in `arena`. */
int sdb_agg_numeric_from_int128(SdbArena *arena, __int128 v, SdbDatum *out);

/* An interval's fields (types/README.md: int64 µs, int32 days, int32 months). */
typedef struct SdbAggIntervalValue {
    int64_t time;
    int32_t day;
    int32_t month;
} SdbAggIntervalValue;

/* sum(interval), avg(interval) */
typedef struct SdbAggInterval {
    int64_t count;
    SdbAggIntervalValue sum;
} SdbAggInterval;

SdbAggIntervalValue sdb_agg_interval_read(SdbDatum value);
int sdb_agg_interval_make(SdbArena *arena, SdbAggIntervalValue iv, SdbDatum *out);

/* a + b and a - b, 22008 "interval out of range" on overflow. */
int sdb_agg_interval_add(SdbAggIntervalValue a, SdbAggIntervalValue b, int sign, SdbAggIntervalValue *out);

/* PostgreSQL's interval_mul (iv * factor) and interval_div (iv / factor,
 * `divide`): months and days scaled, their fractions cascaded down. */
int sdb_agg_interval_scale(SdbAggIntervalValue iv, double factor, bool divide, SdbAggIntervalValue *out);

#endif /* SDB_EXPR_AGG_STATE_H */
