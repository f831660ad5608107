/*
 * expr/fn_agg_collect.c: the aggregates that keep input values rather than
 * arithmetic: min and max of every orderable type (the type's comparison of
 * types/typeio.h), bool_and/bool_or/every, string_agg of text and bytea,
 * array_agg, and the ordered-set aggregates percentile_cont and
 * percentile_disc (which collect the non-null values and sort them in the
 * final function, so the executor need not sort their input).
 */
#include "expr/agg_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/typeio.h"

/* --- min, max -------------------------------------------------------- */

/* Keep `value` when the state is empty or `value` compares `direction`
 * (1: greater, -1: less) to the kept one. */
static int keep_extreme(SdbAggCall *call, SdbAggMinMax *s, SdbDatum value, int direction)
{
    const SdbTypeOps *ops = sdb_type_ops(call->argtypes[0]);
    if (s->have && ops->compare(value, s->value.value) * direction <= 0)
        return SDB_OK;
    s->have = true;
    return sdb_agg_keep(call, &s->value, value, call->argtypes[0]);
}

int sdb_agg_max_step(SdbAggCall *call) { return keep_extreme(call, call->state, call->args[0], 1); }
int sdb_agg_min_step(SdbAggCall *call) { return keep_extreme(call, call->state, call->args[0], -1); }

int sdb_agg_max_combine(SdbAggCall *call, const void *other_state)
{
    const SdbAggMinMax *o = other_state;
    return o->have ? keep_extreme(call, call->state, o->value.value, 1) : SDB_OK;
}

int sdb_agg_min_combine(SdbAggCall *call, const void *other_state)
{
    const SdbAggMinMax *o = other_state;
    return o->have ? keep_extreme(call, call->state, o->value.value, -1) : SDB_OK;
}

int sdb_agg_minmax_final(SdbAggCall *call)
{
    const SdbAggMinMax *s = call->state;
    if (!s->have) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_agg_copy(call, s->value.value, call->argtypes[0], &call->result);
}

/* --- bool_and, bool_or, every ---------------------------------------- */

static void fold_bool(SdbAggBool *s, bool value, bool is_and)
{
    s->value = !s->have ? value : is_and ? (s->value && value) : (s->value || value);
    s->have = true;
}

int sdb_agg_bool_and_step(SdbAggCall *call)
{
    fold_bool(call->state, call->args[0] != 0, true);
    return SDB_OK;
}

int sdb_agg_bool_or_step(SdbAggCall *call)
{
    fold_bool(call->state, call->args[0] != 0, false);
    return SDB_OK;
}

int sdb_agg_bool_and_combine(SdbAggCall *call, const void *other_state)
{
    const SdbAggBool *o = other_state;
    if (o->have)
        fold_bool(call->state, o->value, true);
    return SDB_OK;
}

int sdb_agg_bool_or_combine(SdbAggCall *call, const void *other_state)
{
    const SdbAggBool *o = other_state;
    if (o->have)
        fold_bool(call->state, o->value, false);
    return SDB_OK;
}

int sdb_agg_bool_final(SdbAggCall *call)
{
    const SdbAggBool *s = call->state;
    call->result_null = !s->have;
    call->result = s->value ? 1 : 0;
    return SDB_OK;
}

/* --- bit_and, bit_or, bit_xor ----------------------------------------- */

typedef enum BitOp { BIT_AND, BIT_OR, BIT_XOR } BitOp;

static void fold_bits(SdbAggBits *s, int64_t v, BitOp op)
{
    s->value = !s->have ? v : op == BIT_AND ? (s->value & v) : op == BIT_OR ? (s->value | v) : (s->value ^ v);
    s->have = true;
}

int sdb_agg_bit_and_step(SdbAggCall *call)
{
    fold_bits(call->state, sdb_datum_to_int64(call->args[0]), BIT_AND);
    return SDB_OK;
}

int sdb_agg_bit_or_step(SdbAggCall *call)
{
    fold_bits(call->state, sdb_datum_to_int64(call->args[0]), BIT_OR);
    return SDB_OK;
}

int sdb_agg_bit_xor_step(SdbAggCall *call)
{
    fold_bits(call->state, sdb_datum_to_int64(call->args[0]), BIT_XOR);
    return SDB_OK;
}

static int combine_bits(SdbAggCall *call, const void *other_state, BitOp op)
{
    const SdbAggBits *o = other_state;
    if (o->have)
        fold_bits(call->state, o->value, op);
    return SDB_OK;
}

int sdb_agg_bit_and_combine(SdbAggCall *call, const void *other_state) { return combine_bits(call, other_state, BIT_AND); }
int sdb_agg_bit_or_combine(SdbAggCall *call, const void *other_state) { return combine_bits(call, other_state, BIT_OR); }
int sdb_agg_bit_xor_combine(SdbAggCall *call, const void *other_state) { return combine_bits(call, other_state, BIT_XOR); }

int sdb_agg_bits_final(SdbAggCall *call)
{
    const SdbAggBits *s = call->state;
    call->result_null = !s->have;
    call->result = sdb_datum_from_int64(s->value);
    return SDB_OK;
}

/* --- string_agg ------------------------------------------------------ */

/* A NULL value adds nothing; a NULL delimiter is an empty one; the first
 * value's delimiter is kept (so states can be combined) but left out of the
 * result. */
int sdb_agg_string_step(SdbAggCall *call)
{
    SdbAggString *s = call->state;
    if (call->nulls[0])
        return SDB_OK;
    const SdbVarlena *value = sdb_datum_varlena(call->args[0]);
    const SdbVarlena *delimiter = call->nulls[1] ? NULL : sdb_datum_varlena(call->args[1]);
    if (delimiter != NULL && sdb_agg_string_append(call, s, delimiter->data, delimiter->len) != SDB_OK)
        return SDB_ERROR;
    if (!s->have)
        s->skip = s->len;
    s->have = true;
    return sdb_agg_string_append(call, s, value->data, value->len);
}

int sdb_agg_string_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggString *s = call->state;
    const SdbAggString *o = other_state;
    if (!o->have)
        return SDB_OK;
    if (!s->have)
        s->skip = s->len + o->skip;
    s->have = true;
    return sdb_agg_string_append(call, s, o->data, o->len);
}

int sdb_agg_string_final(SdbAggCall *call)
{
    const SdbAggString *s = call->state;
    if (!s->have) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_varlena_make(call->arena, s->data ? s->data + s->skip : "", s->len - s->skip, &call->result);
}

/* --- array_agg ------------------------------------------------------- */

/* Append one value (copied into call->arena) or NULL. */
static int array_push(SdbAggCall *call, SdbAggArray *s, SdbDatum value, bool isnull)
{
    if (sdb_agg_grow(call, s->count, &s->cap, &s->values, &s->nulls) != SDB_OK)
        return SDB_ERROR;
    s->nulls[s->count] = isnull;
    s->values[s->count] = 0;
    if (!isnull && sdb_agg_copy(call, value, call->argtypes[0], &s->values[s->count]) != SDB_OK)
        return SDB_ERROR;
    s->count++;
    return SDB_OK;
}

int sdb_agg_array_step(SdbAggCall *call)
{
    return array_push(call, call->state, call->args[0], call->nulls[0]);
}

int sdb_agg_array_combine(SdbAggCall *call, const void *other_state)
{
    const SdbAggArray *o = other_state;
    for (int64_t i = 0; i < o->count; i++)
        if (array_push(call, call->state, o->values[i], o->nulls[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_agg_array_final(SdbAggCall *call)
{
    const SdbAggArray *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbArray a = {.ndim = 1, .dims = {(int)s->count}, .lbound = {1}, .elemtype = call->argtypes[0],
                  .values = s->values, .nulls = s->nulls};
    return sdb_array_build(call->arena, &a, &call->result);
}

/* --- array_agg(anyarray) --------------------------------------------- */

_Static_assert(SDB_AGG_ARRAY_MAXDIM == SDB_ARRAY_MAXDIM, "agg_state.h copies types/array.h");

/* Whether `a` has the shape of the arrays before it (the first sets it). */
static bool same_shape(SdbAggArrayOfArrays *s, const SdbArray *a)
{
    if (s->count == 0) {
        s->ndim = a->ndim;
        memcpy(s->dims, a->dims, sizeof s->dims);
        memcpy(s->lbound, a->lbound, sizeof s->lbound);
        return true;
    }
    return a->ndim == s->ndim && memcmp(a->dims, s->dims, sizeof(int) * (size_t)a->ndim) == 0 &&
           memcmp(a->lbound, s->lbound, sizeof(int) * (size_t)a->ndim) == 0;
}

int sdb_agg_array_array_step(SdbAggCall *call)
{
    SdbAggArrayOfArrays *s = call->state;
    SdbArray a;
    if (call->nulls[0])
        return sdb_error(SDB_ERR_NULL_VALUE_NOT_ALLOWED, "cannot accumulate null arrays");
    if (sdb_array_deconstruct(call->context->arena, call->args[0], &a) != SDB_OK)
        return SDB_ERROR;
    if (a.ndim == 0)
        return sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR, "cannot accumulate empty arrays");
    if (a.ndim == SDB_ARRAY_MAXDIM)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                         a.ndim + 1, SDB_ARRAY_MAXDIM);
    if (!same_shape(s, &a))
        return sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR, "cannot accumulate arrays of different dimensionality");
    for (int i = 0; i < a.nitems; i++) {
        if (sdb_agg_grow(call, s->nitems, &s->cap, &s->values, &s->nulls) != SDB_OK)
            return SDB_ERROR;
        s->nulls[s->nitems] = a.nulls[i];
        s->values[s->nitems] = 0;
        if (!a.nulls[i] && sdb_agg_copy(call, a.values[i], a.elemtype, &s->values[s->nitems]) != SDB_OK)
            return SDB_ERROR;
        s->nitems++;
    }
    s->count++;
    return SDB_OK;
}

int sdb_agg_array_array_final(SdbAggCall *call)
{
    const SdbAggArrayOfArrays *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbArray a = {.ndim = s->ndim + 1, .dims = {(int)s->count}, .lbound = {1},
                  .elemtype = sdb_type_by_oid(call->argtypes[0])->elem_oid, .values = s->values, .nulls = s->nulls};
    memcpy(a.dims + 1, s->dims, sizeof(int) * (size_t)s->ndim);
    memcpy(a.lbound + 1, s->lbound, sizeof(int) * (size_t)s->ndim);
    return sdb_array_build(call->arena, &a, &call->result);
}

/* --- percentile_cont, percentile_disc -------------------------------- */

/* The last argument is the ordered value; a percentile's args[0] is the
 * fraction (the same on every row). */
int sdb_agg_ordered_set_step(SdbAggCall *call)
{
    SdbAggOrderedSet *s = call->state;
    int last = call->nargs - 1;
    if (!s->have_fraction && last > 0) {
        s->have_fraction = true;
        s->fraction_null = call->nulls[0];
        if (!call->nulls[0] && call->argtypes[0] != SDB_TYPEOID_FLOAT8 &&
            sdb_agg_copy(call, call->args[0], call->argtypes[0], &s->fractions) != SDB_OK)
            return SDB_ERROR;
        s->fraction = call->nulls[0] || call->argtypes[0] != SDB_TYPEOID_FLOAT8 ? 0 : sdb_datum_to_float8(call->args[0]);
    }
    if (call->nulls[last])
        return SDB_OK;
    if (sdb_agg_grow(call, s->count, &s->cap, &s->values, NULL) != SDB_OK ||
        sdb_agg_copy(call, call->args[last], call->argtypes[last], &s->values[s->count]) != SDB_OK)
        return SDB_ERROR;
    s->count++;
    return SDB_OK;
}

/* The order of the WITHIN GROUP key: the type's, reversed when descending. */
typedef struct SortOrder {
    const SdbTypeOps *ops;
    int direction;
} SortOrder;

static int compare_values(const void *a, const void *b, void *order)
{
    const SortOrder *o = order;
    return o->direction * o->ops->compare(*(const SdbDatum *)a, *(const SdbDatum *)b);
}

/* Sort the collected values (of `type`) in the WITHIN GROUP order. */
static void sort_values(SdbAggCall *call, SdbAggOrderedSet *s, SdbOid type)
{
    SortOrder order = {sdb_type_ops(type), call->descending ? -1 : 1};
    qsort_r(s->values, (size_t)s->count, sizeof *s->values, compare_values, &order);
}

static int check_fraction(double fraction)
{
    if (!(fraction >= 0 && fraction <= 1))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "percentile value %g is not between 0 and 1", fraction);
    return SDB_OK;
}

/* lo + (hi - lo) * pct, as PostgreSQL's float8_lerp and interval_lerp. */
static int lerp(SdbAggCall *call, SdbDatum lo, SdbDatum hi, double pct, SdbDatum *out)
{
    if (call->argtypes[1] == SDB_TYPEOID_FLOAT8) {
        double l = sdb_datum_to_float8(lo);
        *out = sdb_datum_from_float8(l + (sdb_datum_to_float8(hi) - l) * pct);
        return SDB_OK;
    }
    SdbAggIntervalValue low = sdb_agg_interval_read(lo), diff, scaled, sum;
    if (sdb_agg_interval_add(sdb_agg_interval_read(hi), low, -1, &diff) != SDB_OK ||
        sdb_agg_interval_scale(diff, pct, false, &scaled) != SDB_OK ||
        sdb_agg_interval_add(scaled, low, 1, &sum) != SDB_OK)
        return SDB_ERROR;
    return sdb_agg_interval_make(call->arena, sum, out);
}

/* The `fraction` percentile of the sorted values: discrete (the first
 * value at or past it) or continuous (interpolated). */
static int percentile(SdbAggCall *call, double fraction, bool continuous, SdbDatum *out)
{
    const SdbAggOrderedSet *s = call->state;
    if (check_fraction(fraction) != SDB_OK)
        return SDB_ERROR;
    if (!continuous) {
        int64_t rownum = (int64_t)ceil(fraction * (double)s->count);
        *out = s->values[rownum > 1 ? rownum - 1 : 0];
        return SDB_OK;
    }
    double position = fraction * (double)(s->count - 1);
    int64_t first = (int64_t)floor(position), second = (int64_t)ceil(position);
    if (first == second) {
        *out = s->values[first];
        return SDB_OK;
    }
    return lerp(call, s->values[first], s->values[second], position - (double)first, out);
}

/* One fraction: NULL without rows or fraction; else the percentile.
 * Several (float8[]): NULL without rows or array, else an array of the
 * same shape with the percentile of each fraction (NULL for NULL). */
static int percentile_final(SdbAggCall *call, bool continuous)
{
    SdbAggOrderedSet *s = call->state;
    bool several = call->argtypes[0] != SDB_TYPEOID_FLOAT8;
    if (!s->have_fraction || s->fraction_null || (several && s->count == 0)) {
        call->result_null = true;
        return SDB_OK;
    }
    if (!several && check_fraction(s->fraction) != SDB_OK)
        return SDB_ERROR;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    sort_values(call, s, call->argtypes[1]);
    if (!several)
        return percentile(call, s->fraction, continuous, &call->result);
    SdbArray a;
    if (sdb_array_deconstruct(call->context->arena, s->fractions, &a) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems; i++)
        if (!a.nulls[i] && percentile(call, sdb_datum_to_float8(a.values[i]), continuous, &a.values[i]) != SDB_OK)
            return SDB_ERROR;
    a.elemtype = call->argtypes[1];
    return sdb_array_build(call->arena, &a, &call->result);
}

int sdb_agg_percentile_disc_final(SdbAggCall *call) { return percentile_final(call, false); }
int sdb_agg_percentile_cont_final(SdbAggCall *call) { return percentile_final(call, true); }

/* The most frequent value (the first in the WITHIN GROUP order among
 * equally frequent ones). */
int sdb_agg_mode_final(SdbAggCall *call)
{
    SdbAggOrderedSet *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    const SdbTypeOps *ops = sdb_type_ops(call->argtypes[0]);
    sort_values(call, s, call->argtypes[0]);
    int64_t best = 0, best_run = 0;
    for (int64_t i = 0, run = 0; i < s->count; i++) {
        run = i > 0 && ops->compare(s->values[i], s->values[i - 1]) == 0 ? run + 1 : 1;
        if (run > best_run) {
            best_run = run;
            best = i;
        }
    }
    call->result = s->values[best];
    return SDB_OK;
}
