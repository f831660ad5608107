/*
 * expr/fn_agg_stats.c: avg, variance and standard deviation, and the
 * two-variable statistics (corr, covar_*, regr_*).  Floats follow
 * PostgreSQL's float8_accum/float8_combine and float8_regr_accum/combine
 * (Youngs-Cramer: count, sums and sums of squared differences from the
 * means; 22003 when finite inputs overflow).  Integers and numerics follow numeric_stddev_internal: exact
 * sums of x and x*x, then (N*sum(x*x) - sum(x)^2) / (N*(N-1)) (or N*N) at
 * numeric division's scale, and the square root at that same scale; any
 * NaN or infinite input gives NaN.
 */
#include "expr/agg_state.h"

#include <math.h>
#include <string.h>

#include "types/numeric.h"
#include "types/typeio.h"

/* --- floats -------------------------------------------------------- */

static int float_overflow(void)
{
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
}

int sdb_agg_float_accum_step(SdbAggCall *call)
{
    SdbAggFloatMoments *s = call->state;
    double x = sdb_agg_arg_float(call, 0);
    double n = s->n + 1.0, sx = s->sx + x, sxx = s->sxx;
    if (s->n > 0.0) {
        double tmp = x * n - sx;
        sxx += tmp * tmp / (n * s->n);
        if (isinf(sx) || isinf(sxx)) {
            if (!isinf(s->sx) && !isinf(x))
                return float_overflow();
            sxx = NAN;
        }
    } else if (isnan(x) || isinf(x)) {
        sxx = NAN;
    }
    s->n = n;
    s->sx = sx;
    s->sxx = sxx;
    return SDB_OK;
}

int sdb_agg_float_accum_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggFloatMoments *s = call->state;
    const SdbAggFloatMoments *o = other_state;
    if (o->n == 0.0)
        return SDB_OK;
    if (s->n == 0.0) {
        *s = *o;
        return SDB_OK;
    }
    double n = s->n + o->n, sx = s->sx + o->sx;
    if (isinf(sx) && !isinf(s->sx) && !isinf(o->sx))
        return float_overflow();
    double tmp = s->sx / s->n - o->sx / o->n;
    double sxx = s->sxx + o->sxx + s->n * o->n * tmp * tmp / n;
    if (isinf(sxx) && !isinf(s->sxx) && !isinf(o->sxx))
        return float_overflow();
    s->n = n;
    s->sx = sx;
    s->sxx = sxx;
    return SDB_OK;
}

/* Set a float8 result, NULL when the state has fewer than `min_rows` rows. */
static int float_result(SdbAggCall *call, double min_rows, double v)
{
    const SdbAggFloatMoments *s = call->state;
    call->result_null = s->n < min_rows;
    call->result = sdb_datum_from_float8(v);
    return SDB_OK;
}

int sdb_agg_float_avg_final(SdbAggCall *call)
{
    const SdbAggFloatMoments *s = call->state;
    return float_result(call, 1, s->sx / s->n);
}

int sdb_agg_float_var_pop_final(SdbAggCall *call)
{
    const SdbAggFloatMoments *s = call->state;
    return float_result(call, 1, s->sxx / s->n);
}

int sdb_agg_float_var_samp_final(SdbAggCall *call)
{
    const SdbAggFloatMoments *s = call->state;
    return float_result(call, 2, s->sxx / (s->n - 1.0));
}

int sdb_agg_float_stddev_pop_final(SdbAggCall *call)
{
    const SdbAggFloatMoments *s = call->state;
    return float_result(call, 1, sqrt(s->sxx / s->n));
}

int sdb_agg_float_stddev_samp_final(SdbAggCall *call)
{
    const SdbAggFloatMoments *s = call->state;
    return float_result(call, 2, sqrt(s->sxx / (s->n - 1.0)));
}

/* --- corr, covar_pop, covar_samp, regr_* ------------------------------ */

/* One (Y, X) pair: PostgreSQL's float8_regr_accum. */
int sdb_agg_regr_accum_step(SdbAggCall *call)
{
    SdbAggRegression *s = call->state;
    double y = sdb_datum_to_float8(call->args[0]), x = sdb_datum_to_float8(call->args[1]);
    SdbAggRegression r = *s;
    r.n += 1.0;
    r.sx += x;
    r.sy += y;
    if (s->n > 0.0) {
        double tx = x * r.n - r.sx, ty = y * r.n - r.sy, scale = 1.0 / (r.n * s->n);
        r.sxx += tx * tx * scale;
        r.syy += ty * ty * scale;
        r.sxy += tx * ty * scale;
        if (isinf(r.sx) || isinf(r.sxx) || isinf(r.sy) || isinf(r.syy) || isinf(r.sxy)) {
            if (((isinf(r.sx) || isinf(r.sxx)) && !isinf(s->sx) && !isinf(x)) ||
                ((isinf(r.sy) || isinf(r.syy)) && !isinf(s->sy) && !isinf(y)) ||
                (isinf(r.sxy) && !isinf(s->sx) && !isinf(x) && !isinf(s->sy) && !isinf(y)))
                return float_overflow();
            r.sxx = isinf(r.sxx) ? NAN : r.sxx;
            r.syy = isinf(r.syy) ? NAN : r.syy;
            r.sxy = isinf(r.sxy) ? NAN : r.sxy;
        }
    } else {
        if (isnan(x) || isinf(x))
            r.sxx = r.sxy = NAN;
        if (isnan(y) || isinf(y))
            r.syy = r.sxy = NAN;
    }
    *s = r;
    return SDB_OK;
}

/* a + b, 22003 when only the addition overflowed (float8_pl). */
static int add_checked(double a, double b, double *out)
{
    *out = a + b;
    return isinf(*out) && !isinf(a) && !isinf(b) ? float_overflow() : SDB_OK;
}

/* `s1 + s2 + n1 * n2 * d1 * d2 / n`, 22003 when only that overflowed. */
static int merge_sum(double s1, double s2, double n1, double n2, double d1, double d2, double *out)
{
    *out = s1 + s2 + n1 * n2 * d1 * d2 / (n1 + n2);
    return isinf(*out) && !isinf(s1) && !isinf(s2) ? float_overflow() : SDB_OK;
}

int sdb_agg_regr_accum_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggRegression *s = call->state;
    const SdbAggRegression *o = other_state;
    if (o->n == 0.0)
        return SDB_OK;
    if (s->n == 0.0) {
        *s = *o;
        return SDB_OK;
    }
    SdbAggRegression r = {.n = s->n + o->n};
    double dx = s->sx / s->n - o->sx / o->n, dy = s->sy / s->n - o->sy / o->n;
    if (add_checked(s->sx, o->sx, &r.sx) != SDB_OK || merge_sum(s->sxx, o->sxx, s->n, o->n, dx, dx, &r.sxx) != SDB_OK ||
        add_checked(s->sy, o->sy, &r.sy) != SDB_OK || merge_sum(s->syy, o->syy, s->n, o->n, dy, dy, &r.syy) != SDB_OK ||
        merge_sum(s->sxy, o->sxy, s->n, o->n, dx, dy, &r.sxy) != SDB_OK)
        return SDB_ERROR;
    *s = r;
    return SDB_OK;
}

/* The two-variable results: NULL below one row (covar_samp: two), and
 * where PostgreSQL's float8_regr_* finals give NULL (a zero Sxx or Syy). */
typedef enum RegrResult {
    REGR_SXX, REGR_SYY, REGR_SXY, REGR_AVGX, REGR_AVGY, REGR_COVAR_POP, REGR_COVAR_SAMP, REGR_CORR, REGR_R2,
    REGR_SLOPE, REGR_INTERCEPT
} RegrResult;

static int regr_final(SdbAggCall *call, RegrResult what)
{
    const SdbAggRegression *r = call->state;
    double v = 0;
    bool isnull = r->n < (what == REGR_COVAR_SAMP ? 2 : 1);
    switch (what) {
    case REGR_SXX: v = r->sxx; break;
    case REGR_SYY: v = r->syy; break;
    case REGR_SXY: v = r->sxy; break;
    case REGR_AVGX: v = r->sx / r->n; break;
    case REGR_AVGY: v = r->sy / r->n; break;
    case REGR_COVAR_POP: v = r->sxy / r->n; break;
    case REGR_COVAR_SAMP: v = r->sxy / (r->n - 1.0); break;
    case REGR_CORR:
        isnull = isnull || r->sxx == 0 || r->syy == 0;
        v = r->sxy / sqrt(r->sxx * r->syy);
        break;
    case REGR_R2:
        isnull = isnull || r->sxx == 0;
        v = r->syy == 0 ? 1.0 : (r->sxy * r->sxy) / (r->sxx * r->syy);
        break;
    case REGR_SLOPE:
        isnull = isnull || r->sxx == 0;
        v = r->sxy / r->sxx;
        break;
    case REGR_INTERCEPT:
        isnull = isnull || r->sxx == 0;
        v = (r->sy - r->sx * r->sxy / r->sxx) / r->n;
        break;
    }
    call->result_null = isnull;
    call->result = sdb_datum_from_float8(v);
    return SDB_OK;
}

int sdb_agg_regr_sxx_final(SdbAggCall *call) { return regr_final(call, REGR_SXX); }
int sdb_agg_regr_syy_final(SdbAggCall *call) { return regr_final(call, REGR_SYY); }
int sdb_agg_regr_sxy_final(SdbAggCall *call) { return regr_final(call, REGR_SXY); }
int sdb_agg_regr_avgx_final(SdbAggCall *call) { return regr_final(call, REGR_AVGX); }
int sdb_agg_regr_avgy_final(SdbAggCall *call) { return regr_final(call, REGR_AVGY); }
int sdb_agg_covar_pop_final(SdbAggCall *call) { return regr_final(call, REGR_COVAR_POP); }
int sdb_agg_covar_samp_final(SdbAggCall *call) { return regr_final(call, REGR_COVAR_SAMP); }
int sdb_agg_corr_final(SdbAggCall *call) { return regr_final(call, REGR_CORR); }
int sdb_agg_regr_r2_final(SdbAggCall *call) { return regr_final(call, REGR_R2); }
int sdb_agg_regr_slope_final(SdbAggCall *call) { return regr_final(call, REGR_SLOPE); }
int sdb_agg_regr_intercept_final(SdbAggCall *call) { return regr_final(call, REGR_INTERCEPT); }

/* --- integers and numerics ------------------------------------------ */

int sdb_agg_numeric_accum_step(SdbAggCall *call)
{
    SdbAggNumericMoments *s = call->state;
    SdbArena *scratch = call->context->arena;
    SdbDatum x = call->args[0], x2;
    if (call->argtypes[0] != SDB_TYPEOID_NUMERIC && sdb_numeric_from_int64(scratch, sdb_datum_to_int64(x), &x) != SDB_OK)
        return SDB_ERROR;
    s->count++;
    if (s->nan || sdb_numeric_facts(x).special) {
        s->nan = true;
        return SDB_OK;
    }
    bool have = s->sumx.value != 0;
    if (sdb_numeric_mul(scratch, x, x, &x2) != SDB_OK || sdb_agg_numeric_add(call, &s->sumx, have, x) != SDB_OK ||
        sdb_agg_numeric_add(call, &s->sumx2, have, x2) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

int sdb_agg_numeric_accum_combine(SdbAggCall *call, const void *other_state)
{
    SdbAggNumericMoments *s = call->state;
    const SdbAggNumericMoments *o = other_state;
    s->count += o->count;
    s->nan |= o->nan;
    if (s->nan || o->sumx.value == 0)
        return SDB_OK;
    bool have = s->sumx.value != 0;
    if (sdb_agg_numeric_add(call, &s->sumx, have, o->sumx.value) != SDB_OK ||
        sdb_agg_numeric_add(call, &s->sumx2, have, o->sumx2.value) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static int numeric_from_text(SdbArena *arena, const char *text, SdbDatum *out)
{
    SdbTypeCtx tctx = {.arena = arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    return sdb_type_input(&tctx, text, out);
}

/* floor(sqrt(n)) of a non-negative integer given as decimal digits, by the
 * digit-by-digit method: for each pair of digits, the largest y with
 * (20 * root + y) * y <= remainder. */
static int isqrt_digits(SdbArena *arena, const char *digits, SdbDatum *out)
{
    size_t len = strlen(digits), pos = len % 2 ? 1 : 2;
    SdbDatum root, rem, hundred, twenty;
    if (numeric_from_text(arena, "0", &root) != SDB_OK || numeric_from_text(arena, "0", &rem) != SDB_OK ||
        numeric_from_text(arena, "100", &hundred) != SDB_OK || numeric_from_text(arena, "20", &twenty) != SDB_OK)
        return SDB_ERROR;
    for (size_t start = 0; start < len; start = pos, pos += 2) {
        char pair[3] = {digits[start], pos - start == 2 ? digits[start + 1] : '\0', '\0'};
        SdbDatum d, base, trial = 0, y = 0, ten;
        if (numeric_from_text(arena, pair, &d) != SDB_OK || sdb_numeric_mul(arena, rem, hundred, &rem) != SDB_OK ||
            sdb_numeric_add(arena, rem, d, &rem) != SDB_OK || sdb_numeric_mul(arena, root, twenty, &base) != SDB_OK)
            return SDB_ERROR;
        for (int digit = 9; digit >= 0; digit--) {
            char text[2] = {(char)('0' + digit), '\0'};
            SdbDatum sum;
            if (numeric_from_text(arena, text, &y) != SDB_OK || sdb_numeric_add(arena, base, y, &sum) != SDB_OK ||
                sdb_numeric_mul(arena, sum, y, &trial) != SDB_OK)
                return SDB_ERROR;
            if (sdb_numeric_compare(trial, rem) <= 0)
                break;
        }
        if (sdb_numeric_sub(arena, rem, trial, &rem) != SDB_OK || numeric_from_text(arena, "10", &ten) != SDB_OK ||
            sdb_numeric_mul(arena, root, ten, &root) != SDB_OK || sdb_numeric_add(arena, root, y, &root) != SDB_OK)
            return SDB_ERROR;
    }
    *out = root;
    return SDB_OK;
}

/* The square root of non-negative finite `x` rounded to `rscale` digits:
 * floor(sqrt(x * 10^(2 * rscale + 2))) then rounded at the last digit. */
static int numeric_sqrt(SdbAggCall *call, SdbDatum x, int rscale, SdbDatum *out)
{
    SdbArena *scratch = call->context->arena;
    SdbTypeCtx tctx = {.arena = scratch, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    SdbStr text, scaled;
    sdb_str_init(&text, scratch);
    sdb_str_init(&scaled, scratch);
    if (sdb_type_output(&tctx, x, &text) != SDB_OK)
        return SDB_ERROR;
    /* x's digits without the point, padded to 2 * rscale + 2 decimals */
    const char *point = strchr(text.data, '.');
    size_t int_len = point ? (size_t)(point - text.data) : text.len;
    size_t frac_len = point ? strlen(point + 1) : 0, want = 2 * (size_t)rscale + 2;
    char *digits = sdb_arena_alloc(scratch, int_len + (frac_len > want ? frac_len : want) + 1);
    if (digits == NULL)
        return SDB_ERROR;
    memcpy(digits, text.data, int_len);
    memcpy(digits + int_len, point ? point + 1 : "", frac_len);
    memset(digits + int_len + frac_len, '0', want > frac_len ? want - frac_len : 0);
    digits[int_len + (frac_len > want ? frac_len : want)] = '\0';
    SdbDatum root, unrounded;
    if (isqrt_digits(scratch, digits, &root) != SDB_OK || sdb_type_output(&tctx, root, &scaled) != SDB_OK)
        return SDB_ERROR;
    /* root / 10^(rscale + 1) */
    int shift = rscale + 1, len = (int)scaled.len;
    const char *fixed = len >= shift ? sdb_arena_sprintf(scratch, "%.*s.%s", len - shift, scaled.data, scaled.data + len - shift)
                                    : sdb_arena_sprintf(scratch, "0.%0*d%s", shift - len, 0, scaled.data);
    if (fixed == NULL || numeric_from_text(scratch, fixed, &unrounded) != SDB_OK)
        return SDB_ERROR;
    return sdb_numeric_round(call->arena, unrounded, rscale, out);
}

/* numeric_stddev_internal: NULL below `min_rows` rows; the variance, or its
 * square root when `root`. */
static int numeric_moments_final(SdbAggCall *call, int64_t min_rows, bool sample, bool root)
{
    const SdbAggNumericMoments *s = call->state;
    SdbArena *scratch = call->context->arena;
    if (s->count < min_rows) {
        call->result_null = true;
        return SDB_OK;
    }
    if (s->nan)
        return numeric_from_text(call->arena, "NaN", &call->result);
    SdbDatum n, n1, sq, nsx2, num, den, var;
    if (sdb_numeric_from_int64(scratch, s->count, &n) != SDB_OK ||
        sdb_numeric_from_int64(scratch, sample ? s->count - 1 : s->count, &n1) != SDB_OK ||
        sdb_numeric_mul(scratch, s->sumx.value, s->sumx.value, &sq) != SDB_OK ||
        sdb_numeric_mul(scratch, n, s->sumx2.value, &nsx2) != SDB_OK || sdb_numeric_sub(scratch, nsx2, sq, &num) != SDB_OK)
        return SDB_ERROR;
    SdbDatum zero;
    if (numeric_from_text(scratch, "0", &zero) != SDB_OK)
        return SDB_ERROR;
    if (sdb_numeric_compare(num, zero) <= 0) /* roundoff cannot make it negative, but PostgreSQL checks */
        return numeric_from_text(call->arena, "0", &call->result);
    if (sdb_numeric_mul(scratch, n, n1, &den) != SDB_OK ||
        sdb_numeric_div(root ? scratch : call->arena, num, den, &var) != SDB_OK)
        return SDB_ERROR;
    if (!root) {
        call->result = var;
        return SDB_OK;
    }
    return numeric_sqrt(call, var, sdb_numeric_facts(var).dscale, &call->result);
}

int sdb_agg_numeric_var_pop_final(SdbAggCall *call) { return numeric_moments_final(call, 1, false, false); }
int sdb_agg_numeric_var_samp_final(SdbAggCall *call) { return numeric_moments_final(call, 2, true, false); }
int sdb_agg_numeric_stddev_pop_final(SdbAggCall *call) { return numeric_moments_final(call, 1, false, true); }
int sdb_agg_numeric_stddev_samp_final(SdbAggCall *call) { return numeric_moments_final(call, 2, true, true); }
