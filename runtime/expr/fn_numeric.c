/*
 * expr/fn_numeric.c: numeric arithmetic, rounding, and casts between
 * numeric and the integer and float types, on types/numeric.h.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "common/error.h"
#include "expr/fmgr.h"
#include "types/numeric.h"
#include "types/typeio.h"

typedef int (*NumericBinary)(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
typedef int (*NumericUnary)(SdbArena *arena, SdbDatum a, SdbDatum *out);

static int binary(SdbFnCall *call, NumericBinary op)
{
    return op(call->arena, call->args[0], call->args[1], &call->result);
}

static int unary(SdbFnCall *call, NumericUnary op)
{
    return op(call->arena, call->args[0], &call->result);
}

int sdb_fn_numeric_add(SdbFnCall *call) { return binary(call, sdb_numeric_add); }
int sdb_fn_numeric_sub(SdbFnCall *call) { return binary(call, sdb_numeric_sub); }
int sdb_fn_numeric_mul(SdbFnCall *call) { return binary(call, sdb_numeric_mul); }
int sdb_fn_numeric_div(SdbFnCall *call) { return binary(call, sdb_numeric_div); }
int sdb_fn_numeric_mod(SdbFnCall *call) { return binary(call, sdb_numeric_mod); }
int sdb_fn_numeric_abs(SdbFnCall *call) { return unary(call, sdb_numeric_abs); }
int sdb_fn_numeric_uminus(SdbFnCall *call) { return unary(call, sdb_numeric_neg); }

/* The scale argument of round/trunc: the second argument, 0 when absent. */
static int scale_arg(const SdbFnCall *call)
{
    return call->nargs > 1 ? (int)sdb_fn_arg_int(call, 1) : 0;
}

int sdb_fn_numeric_round(SdbFnCall *call)
{
    return sdb_numeric_round(call->arena, call->args[0], scale_arg(call), &call->result);
}

int sdb_fn_numeric_trunc(SdbFnCall *call)
{
    return sdb_numeric_trunc(call->arena, call->args[0], scale_arg(call), &call->result);
}

int sdb_fn_numeric_div_trunc(SdbFnCall *call)
{
    SdbDatum quotient;
    if (sdb_numeric_div(call->arena, call->args[0], call->args[1], &quotient) != SDB_OK)
        return SDB_ERROR;
    return sdb_numeric_trunc(call->arena, quotient, 0, &call->result);
}

int sdb_fn_int_to_numeric(SdbFnCall *call)
{
    return sdb_numeric_from_int64(call->arena, sdb_fn_arg_int(call, 0), &call->result);
}

int sdb_fn_numeric_to_int(SdbFnCall *call)
{
    int64_t v;
    SdbOid type = sdb_fn_rettype(call);
    if (sdb_numeric_to_int64(call->args[0], &v) != SDB_OK)
        return SDB_ERROR;
    if ((type == SDB_TYPEOID_INT2 && (v < INT16_MIN || v > INT16_MAX)) ||
        (type == SDB_TYPEOID_INT4 && (v < INT32_MIN || v > INT32_MAX)))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                         type == SDB_TYPEOID_INT2 ? "smallint" : "integer");
    return sdb_fn_return_int(call, v);
}

int sdb_fn_numeric_to_float(SdbFnCall *call)
{
    double v;
    if (sdb_numeric_to_float8(call->args[0], &v) != SDB_OK)
        return SDB_ERROR;
    if (sdb_fn_rettype(call) == SDB_TYPEOID_FLOAT8) {
        call->result = sdb_datum_from_float8(v);
        return SDB_OK;
    }
    float f = (float)v;
    if (isinf(f) && !isinf(v))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    call->result = sdb_datum_from_float4(f);
    return SDB_OK;
}

/* float -> numeric as PostgreSQL does it: the value printed with the type's
 * significant digits (FLT_DIG or DBL_DIG), read back as numeric. */
int sdb_fn_float_to_numeric(SdbFnCall *call)
{
    bool is4 = sdb_fn_argtype(call, 0) == SDB_TYPEOID_FLOAT4;
    double v = is4 ? sdb_datum_to_float4(call->args[0]) : sdb_datum_to_float8(call->args[0]);
    char text[64];
    if (isnan(v))
        snprintf(text, sizeof text, "NaN");
    else if (isinf(v))
        snprintf(text, sizeof text, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(text, sizeof text, "%.*g", is4 ? FLT_DIG : DBL_DIG, v);
    SdbTypeCtx ctx = {.arena = call->arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    return sdb_type_input(&ctx, text, &call->result);
}

int sdb_fn_numeric(SdbFnCall *call)
{
    return sdb_numeric_apply_typmod(call->arena, call->args[0], (int32_t)sdb_fn_arg_int(call, 1), &call->result);
}

static int numeric_constant(SdbFnCall *call, const char *text)
{
    SdbTypeCtx ctx = {.arena = call->arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    return sdb_type_input(&ctx, text, &call->result);
}

/* -1, 0 or 1; NaN for NaN. */
int sdb_fn_numeric_sign(SdbFnCall *call)
{
    SdbNumericFacts f = sdb_numeric_facts(call->args[0]);
    return numeric_constant(call, f.nan ? "NaN" : f.sign < 0 ? "-1" : f.sign > 0 ? "1" : "0");
}

static int larger_dscale(SdbDatum a, SdbDatum b)
{
    int x = sdb_numeric_facts(a).dscale, y = sdb_numeric_facts(b).dscale;
    return x > y ? x : y;
}

/* gcd of |a| and |b| by Euclid's algorithm on exact remainders, at the
 * larger display scale (PostgreSQL's gcd_var). */
static int numeric_gcd(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out)
{
    int scale = larger_dscale(a, b);
    if (sdb_numeric_abs(arena, a, &a) != SDB_OK || sdb_numeric_abs(arena, b, &b) != SDB_OK)
        return SDB_ERROR;
    while (sdb_numeric_facts(b).sign != 0) {
        SdbDatum r;
        if (sdb_numeric_mod(arena, a, b, &r) != SDB_OK)
            return SDB_ERROR;
        a = b;
        b = r;
    }
    return sdb_numeric_round(arena, a, scale, out);
}

int sdb_fn_numeric_gcd(SdbFnCall *call)
{
    if (sdb_numeric_facts(call->args[0]).special || sdb_numeric_facts(call->args[1]).special)
        return numeric_constant(call, "NaN");
    return numeric_gcd(call->arena, call->args[0], call->args[1], &call->result);
}

/* |a / gcd(a, b) * b| at the larger display scale; 0 when either is 0. */
int sdb_fn_numeric_lcm(SdbFnCall *call)
{
    SdbDatum a = call->args[0], b = call->args[1], g, q, l;
    int scale = larger_dscale(a, b);
    if (sdb_numeric_facts(a).special || sdb_numeric_facts(b).special)
        return numeric_constant(call, "NaN");
    if (sdb_numeric_facts(a).sign == 0 || sdb_numeric_facts(b).sign == 0) {
        if (numeric_constant(call, "0") != SDB_OK)
            return SDB_ERROR;
        return sdb_numeric_round(call->arena, call->result, scale, &call->result);
    }
    if (numeric_gcd(call->arena, a, b, &g) != SDB_OK || sdb_numeric_div(call->arena, a, g, &q) != SDB_OK ||
        sdb_numeric_trunc(call->arena, q, 0, &q) != SDB_OK || sdb_numeric_mul(call->arena, q, b, &l) != SDB_OK ||
        sdb_numeric_abs(call->arena, l, &l) != SDB_OK)
        return SDB_ERROR;
    return sdb_numeric_round(call->arena, l, scale, &call->result);
}
