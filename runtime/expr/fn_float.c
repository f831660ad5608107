/*
 * expr/fn_float.c: float4/float8 arithmetic (same-type and cross-type
 * float48/float84: the result type of the function decides the width), the
 * float8 math functions, and casts between floats and integers, with
 * PostgreSQL's overflow, underflow and domain errors.
 */
#include <math.h>
#include <stdint.h>

#include "common/error.h"
#include "expr/fmgr.h"

/* Argument `i` as a double, whichever float type it is. */
static double arg_float(const SdbFnCall *call, int i)
{
    if (sdb_fn_argtype(call, i) == SDB_TYPEOID_FLOAT4)
        return sdb_datum_to_float4(call->args[i]);
    return sdb_datum_to_float8(call->args[i]);
}

static int overflow(void)
{
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
}

static int underflow(void)
{
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
}

/* Set `v` as the result in the result type's width: 22003 when it became
 * infinite (or zero) only by the operation, which `inf_ok`/`zero_ok` say
 * the inputs allow. */
static int float_result(SdbFnCall *call, double v, bool inf_ok, bool zero_ok)
{
    if (sdb_fn_rettype(call) == SDB_TYPEOID_FLOAT4) {
        float f = (float)v;
        if (isinf(f) && !inf_ok)
            return overflow();
        if (f == 0.0f && !zero_ok)
            return underflow();
        call->result = sdb_datum_from_float4(f);
        return SDB_OK;
    }
    if (isinf(v) && !inf_ok)
        return overflow();
    if (v == 0.0 && !zero_ok)
        return underflow();
    call->result = sdb_datum_from_float8(v);
    return SDB_OK;
}

int sdb_fn_float_pl(SdbFnCall *call)
{
    double a = arg_float(call, 0), b = arg_float(call, 1);
    return float_result(call, a + b, isinf(a) || isinf(b), true);
}

int sdb_fn_float_mi(SdbFnCall *call)
{
    double a = arg_float(call, 0), b = arg_float(call, 1);
    return float_result(call, a - b, isinf(a) || isinf(b), true);
}

int sdb_fn_float_mul(SdbFnCall *call)
{
    double a = arg_float(call, 0), b = arg_float(call, 1);
    return float_result(call, a * b, isinf(a) || isinf(b), a == 0.0 || b == 0.0);
}

int sdb_fn_float_div(SdbFnCall *call)
{
    double a = arg_float(call, 0), b = arg_float(call, 1);
    if (b == 0.0 && !isnan(a))
        return sdb_error(SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    return float_result(call, a / b, isinf(a), a == 0.0 || isinf(b));
}

int sdb_fn_float_um(SdbFnCall *call)
{
    return float_result(call, -arg_float(call, 0), true, true);
}

int sdb_fn_float_abs(SdbFnCall *call)
{
    return float_result(call, fabs(arg_float(call, 0)), true, true);
}

int sdb_fn_dsqrt(SdbFnCall *call)
{
    double a = arg_float(call, 0);
    if (a < 0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number");
    return float_result(call, sqrt(a), isinf(a), a == 0.0);
}

int sdb_fn_dexp(SdbFnCall *call)
{
    double a = arg_float(call, 0);
    return float_result(call, exp(a), isinf(a) || isnan(a), isinf(a) && a < 0);
}

int sdb_fn_dlog1(SdbFnCall *call)
{
    double a = arg_float(call, 0);
    if (a == 0.0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of zero");
    if (a < 0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of a negative number");
    return float_result(call, log(a), isinf(a), a == 1.0);
}

int sdb_fn_dpow(SdbFnCall *call)
{
    double a = arg_float(call, 0), b = arg_float(call, 1);
    if (a == 0.0 && b < 0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
    if (a < 0 && floor(b) != b && !isinf(b))
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "a negative number raised to a non-integer power yields a complex result");
    double r = pow(a, b);
    return float_result(call, r, isinf(a) || isinf(b), true);
}

int sdb_fn_dround(SdbFnCall *call)
{
    return float_result(call, rint(arg_float(call, 0)), true, true);
}

int sdb_fn_dtrunc(SdbFnCall *call)
{
    return float_result(call, trunc(arg_float(call, 0)), true, true);
}

int sdb_fn_dceil(SdbFnCall *call)
{
    return float_result(call, ceil(arg_float(call, 0)), true, true);
}

int sdb_fn_dfloor(SdbFnCall *call)
{
    return float_result(call, floor(arg_float(call, 0)), true, true);
}

int sdb_fn_float_to_float(SdbFnCall *call)
{
    double a = arg_float(call, 0);
    return float_result(call, a, isinf(a), a == 0.0);
}

int sdb_fn_int_to_float(SdbFnCall *call)
{
    return float_result(call, (double)sdb_fn_arg_int(call, 0), true, true);
}

int sdb_fn_float_to_int(SdbFnCall *call)
{
    double a = rint(arg_float(call, 0));
    SdbOid type = sdb_fn_rettype(call);
    double lo = type == SDB_TYPEOID_INT2 ? INT16_MIN : type == SDB_TYPEOID_INT4 ? INT32_MIN : (double)INT64_MIN;
    const char *name = type == SDB_TYPEOID_INT2 ? "smallint" : type == SDB_TYPEOID_INT4 ? "integer" : "bigint";
    /* -lo is exactly representable; the valid range is [lo, -lo). */
    if (isnan(a) || a < lo || a >= -lo)
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", name);
    return sdb_fn_return_int(call, (int64_t)a);
}

/* sign(float8): -1, 0 or 1 (0 for NaN, as PostgreSQL). */
int sdb_fn_float_sign(SdbFnCall *call)
{
    double v = arg_float(call, 0);
    call->result = sdb_datum_from_float8(v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
    return SDB_OK;
}
