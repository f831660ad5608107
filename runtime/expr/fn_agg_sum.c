/*
 * expr/fn_agg_sum.c: sum and avg of every numeric type and of intervals:
 * int2/int4 sums in int8, int8 sums and integer averages exact in 128 bits
 * with a numeric result, numeric sums in numeric, float sums in the input's
 * width (22003 on overflow), interval sums (22008 "interval out of range")
 * and averages (PostgreSQL's interval_div).
 */
#include "expr/agg_state.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "types/numeric.h"
#include "types/typeio.h"

/* --- sum(int2), sum(int4) ------------------------------------------- */

int sdb_agg_sum_int_step(SdbAggCall *call)
{
    SdbAggIntSum *s = call->state;
    if (__builtin_add_overflow(s->sum, sdb_datum_to_int64(call->args[0]), &s->sum))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    s->have = true;
    return SDB_OK;
}

int sdb_agg_sum_int_final(SdbAggCall *call)
{
    const SdbAggIntSum *s = call->state;
    call->result_null = !s->have;
    call->result = sdb_datum_from_int64(s->sum);
    return SDB_OK;
}

int sdb_agg_sum_int_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggIntSum *s = call->state;
    const SdbAggIntSum *o = other_state;
    if (!o->have)
        return SDB_OK;
    if (__builtin_add_overflow(s->sum, o->sum, &s->sum))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    s->have = true;
    return SDB_OK;
}

/* --- sum(int8), avg(int2/int4/int8) --------------------------------- */

int sdb_agg_int128_step(SdbAggCall *call)
{
    SdbAggInt128 *s = call->state;
    s->sum += sdb_datum_to_int64(call->args[0]);
    s->count++;
    return SDB_OK;
}

int sdb_agg_int128_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggInt128 *s = call->state;
    const SdbAggInt128 *o = other_state;
    s->sum += o->sum;
    s->count += o->count;
    return SDB_OK;
}

int sdb_agg_numeric_from_int128(SdbArena *arena, __int128 v, SdbDatum *out)
{
    char digits[48];
    int n = (int)sizeof digits;
    digits[--n] = '\0';
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        digits[--n] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    if (v < 0)
        digits[--n] = '-';
    SdbTypeCtx tctx = {.arena = arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    return sdb_type_input(&tctx, digits + n, out);
}

int sdb_agg_int128_sum_final(SdbAggCall *call)
{
    const SdbAggInt128 *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_agg_numeric_from_int128(call->arena, s->sum, &call->result);
}

int sdb_agg_int128_avg_final(SdbAggCall *call)
{
    const SdbAggInt128 *s = call->state;
    SdbDatum sum, count;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbArena *scratch = call->context->arena;
    if (sdb_agg_numeric_from_int128(scratch, s->sum, &sum) != SDB_OK ||
        sdb_numeric_from_int64(scratch, s->count, &count) != SDB_OK)
        return SDB_ERROR;
    return sdb_numeric_div(call->arena, sum, count, &call->result);
}

/* --- sum(numeric), avg(numeric) ------------------------------------- */

int sdb_agg_numeric_add(SdbAggCall *call, SdbAggValue *sum, bool have, SdbDatum x)
{
    if (have && sdb_numeric_add(call->context->arena, sum->value, x, &x) != SDB_OK)
        return SDB_ERROR;
    return sdb_agg_keep(call, sum, x, SDB_TYPEOID_NUMERIC);
}

int sdb_agg_numeric_step(SdbAggCall *call)
{
    SdbAggNumeric *s = call->state;
    if (sdb_agg_numeric_add(call, &s->sum, s->count > 0, call->args[0]) != SDB_OK)
        return SDB_ERROR;
    s->count++;
    return SDB_OK;
}

int sdb_agg_numeric_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggNumeric *s = call->state;
    const SdbAggNumeric *o = other_state;
    if (o->count == 0)
        return SDB_OK;
    if (sdb_agg_numeric_add(call, &s->sum, s->count > 0, o->sum.value) != SDB_OK)
        return SDB_ERROR;
    s->count += o->count;
    return SDB_OK;
}

int sdb_agg_numeric_sum_final(SdbAggCall *call)
{
    const SdbAggNumeric *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_agg_copy(call, s->sum.value, SDB_TYPEOID_NUMERIC, &call->result);
}

int sdb_agg_numeric_avg_final(SdbAggCall *call)
{
    const SdbAggNumeric *s = call->state;
    SdbDatum count;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    if (sdb_numeric_from_int64(call->context->arena, s->count, &count) != SDB_OK)
        return SDB_ERROR;
    return sdb_numeric_div(call->arena, s->sum.value, count, &call->result);
}

/* --- sum(float4), sum(float8) --------------------------------------- */

/* a + b in the result type's width, 22003 when only the addition overflowed. */
static int float_add(const SdbAggCall *call, double a, double b, double *out)
{
    double r = call->rettype == SDB_TYPEOID_FLOAT4 ? (double)((float)a + (float)b) : a + b;
    if (isinf(r) && !isinf(a) && !isinf(b))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    *out = r;
    return SDB_OK;
}

int sdb_agg_sum_float_step(SdbAggCall *call)
{
    SdbAggFloatSum *s = call->state;
    double x = sdb_agg_arg_float(call, 0);
    if (!s->have) {
        s->sum = x;
        s->have = true;
        return SDB_OK;
    }
    return float_add(call, s->sum, x, &s->sum);
}

int sdb_agg_sum_float_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggFloatSum *s = call->state;
    const SdbAggFloatSum *o = other_state;
    if (!o->have)
        return SDB_OK;
    if (!s->have) {
        *s = *o;
        return SDB_OK;
    }
    return float_add(call, s->sum, o->sum, &s->sum);
}

int sdb_agg_sum_float_final(SdbAggCall *call)
{
    const SdbAggFloatSum *s = call->state;
    call->result_null = !s->have;
    call->result = call->rettype == SDB_TYPEOID_FLOAT4 ? sdb_datum_from_float4((float)s->sum)
                                                       : sdb_datum_from_float8(s->sum);
    return SDB_OK;
}

/* --- sum(interval), avg(interval) ----------------------------------- */

int sdb_agg_interval_step(SdbAggCall *call)
{
    SdbAggInterval *s = call->state;
    if (sdb_agg_interval_add(s->sum, sdb_agg_interval_read(call->args[0]), 1, &s->sum) != SDB_OK)
        return SDB_ERROR;
    s->count++;
    return SDB_OK;
}

int sdb_agg_interval_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggInterval *s = call->state;
    const SdbAggInterval *o = other_state;
    if (sdb_agg_interval_add(s->sum, o->sum, 1, &s->sum) != SDB_OK)
        return SDB_ERROR;
    s->count += o->count;
    return SDB_OK;
}

int sdb_agg_interval_sum_final(SdbAggCall *call)
{
    const SdbAggInterval *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_agg_interval_make(call->arena, s->sum, &call->result);
}

int sdb_agg_interval_avg_final(SdbAggCall *call)
{
    const SdbAggInterval *s = call->state;
    if (s->count == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbAggIntervalValue avg = {0, 0, 0};
    if (sdb_agg_interval_scale(s->sum, (double)s->count, true, &avg) != SDB_OK)
        return SDB_ERROR;
    return sdb_agg_interval_make(call->arena, avg, &call->result);
}

/* --- what the float and interval aggregates share -------------------- */

double sdb_agg_arg_float(const SdbAggCall *call, int i)
{
    if (call->argtypes[i] == SDB_TYPEOID_FLOAT4)
        return sdb_datum_to_float4(call->args[i]);
    return sdb_datum_to_float8(call->args[i]);
}

SdbAggIntervalValue sdb_agg_interval_read(SdbDatum value)
{
    const SdbVarlena *v = sdb_datum_varlena(value);
    SdbAggIntervalValue iv;
    memcpy(&iv.time, v->data, 8);
    memcpy(&iv.day, v->data + 8, 4);
    memcpy(&iv.month, v->data + 12, 4);
    return iv;
}

int sdb_agg_interval_make(SdbArena *arena, SdbAggIntervalValue iv, SdbDatum *out)
{
    unsigned char buf[16];
    memcpy(buf, &iv.time, 8);
    memcpy(buf + 8, &iv.day, 4);
    memcpy(buf + 12, &iv.month, 4);
    return sdb_varlena_make(arena, buf, sizeof buf, out);
}

int sdb_agg_interval_add(SdbAggIntervalValue a, SdbAggIntervalValue b, int sign, SdbAggIntervalValue *out)
{
    bool overflow = sign > 0 ? (int)__builtin_add_overflow(a.month, b.month, &out->month) |
                                   (int)__builtin_add_overflow(a.day, b.day, &out->day) |
                                   (int)__builtin_add_overflow(a.time, b.time, &out->time)
                             : (int)__builtin_sub_overflow(a.month, b.month, &out->month) |
                                   (int)__builtin_sub_overflow(a.day, b.day, &out->day) |
                                   (int)__builtin_sub_overflow(a.time, b.time, &out->time);
    if (overflow)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "interval out of range");
    return SDB_OK;
}

/* PostgreSQL's TSROUND: to microsecond precision. */
static double ts_round(double v)
{
    return rint(v * 1000000.0) / 1000000.0;
}

static bool fits_int32(double v)
{
    return !isnan(v) && v >= INT32_MIN && v <= INT32_MAX;
}

int sdb_agg_interval_scale(SdbAggIntervalValue iv, double factor, bool divide, SdbAggIntervalValue *out)
{
    double month = divide ? iv.month / factor : iv.month * factor;
    double day = divide ? iv.day / factor : iv.day * factor;
    if (!fits_int32(month) || !fits_int32(day))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "interval out of range");
    out->month = (int32_t)month;
    out->day = (int32_t)day;
    double month_remainder_days = ts_round((month - out->month) * 30);
    double sec_remainder = ts_round((day - out->day + month_remainder_days - (int)month_remainder_days) * 86400);
    if (fabs(sec_remainder) >= 86400) {
        out->day += (int)(sec_remainder / 86400);
        sec_remainder -= (int)(sec_remainder / 86400) * 86400;
    }
    out->day += (int32_t)month_remainder_days;
    double time = rint((divide ? iv.time / factor : iv.time * factor) + sec_remainder * 1000000.0);
    if (isnan(time) || time < -9223372036854775808.0 || time >= 9223372036854775808.0)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "interval out of range");
    out->time = (int64_t)time;
    return SDB_OK;
}
