/*
 * expr/fn_int.c: int2/int4/int8 arithmetic (same-type and PostgreSQL's
 * cross-type int24, int48 ... variants: the result type of the function
 * decides the range), integer casts, bool <-> int4.  Integers are held
 * sign-extended in a datum, so every width is read the same way.
 */
#include <limits.h>
#include <stdint.h>

#include "common/error.h"
#include "expr/fmgr.h"

/* 22003 "<type> out of range" for the result type of `call`. */
static int out_of_range(const SdbFnCall *call)
{
    SdbOid type = sdb_fn_rettype(call);
    const char *name = type == SDB_TYPEOID_INT2 ? "smallint" : type == SDB_TYPEOID_INT4 ? "integer" : "bigint";
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", name);
}

/* Set `v` as the result, 22003 when it does not fit the result type. */
static int int_result(SdbFnCall *call, int64_t v)
{
    SdbOid type = sdb_fn_rettype(call);
    if ((type == SDB_TYPEOID_INT2 && (v < INT16_MIN || v > INT16_MAX)) ||
        (type == SDB_TYPEOID_INT4 && (v < INT32_MIN || v > INT32_MAX)))
        return out_of_range(call);
    return sdb_fn_return_int(call, v);
}

int sdb_fn_int_pl(SdbFnCall *call)
{
    int64_t r;
    if (__builtin_add_overflow(sdb_fn_arg_int(call, 0), sdb_fn_arg_int(call, 1), &r))
        return out_of_range(call);
    return int_result(call, r);
}

int sdb_fn_int_mi(SdbFnCall *call)
{
    int64_t r;
    if (__builtin_sub_overflow(sdb_fn_arg_int(call, 0), sdb_fn_arg_int(call, 1), &r))
        return out_of_range(call);
    return int_result(call, r);
}

int sdb_fn_int_mul(SdbFnCall *call)
{
    int64_t r;
    if (__builtin_mul_overflow(sdb_fn_arg_int(call, 0), sdb_fn_arg_int(call, 1), &r))
        return out_of_range(call);
    return int_result(call, r);
}

int sdb_fn_int_div(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1);
    if (b == 0)
        return sdb_error(SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    if (b == -1) /* INT64_MIN / -1 overflows in C */
        return a == INT64_MIN ? out_of_range(call) : int_result(call, -a);
    return int_result(call, a / b);
}

int sdb_fn_int_mod(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1);
    if (b == 0)
        return sdb_error(SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    return int_result(call, b == -1 ? 0 : a % b);
}

/* Unary plus of every numeric type (int2up ... numeric_uplus): the
 * argument itself. */
int sdb_fn_uplus(SdbFnCall *call)
{
    call->result = call->args[0];
    return SDB_OK;
}

int sdb_fn_int_um(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0);
    return a == INT64_MIN ? out_of_range(call) : int_result(call, -a);
}

int sdb_fn_int_abs(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0);
    if (a >= 0)
        return int_result(call, a);
    return a == INT64_MIN ? out_of_range(call) : int_result(call, -a);
}

int sdb_fn_int_cast(SdbFnCall *call)
{
    return int_result(call, sdb_fn_arg_int(call, 0));
}

int sdb_fn_bool_int4(SdbFnCall *call)
{
    return sdb_fn_return_int(call, sdb_fn_arg_bool(call, 0) ? 1 : 0);
}

int sdb_fn_int4_bool(SdbFnCall *call)
{
    return sdb_fn_return_bool(call, sdb_fn_arg_int(call, 0) != 0);
}

/* The greatest common divisor of |a| and |b| (0 for two zeros). */
static uint64_t gcd_u64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? -(uint64_t)a : (uint64_t)a, y = b < 0 ? -(uint64_t)b : (uint64_t)b;
    while (y != 0) {
        uint64_t r = x % y;
        x = y;
        y = r;
    }
    return x;
}

/* gcd(int4/int8): 22003 when the result does not fit (gcd(INT_MIN, 0)). */
int sdb_fn_int_gcd(SdbFnCall *call)
{
    uint64_t g = gcd_u64(sdb_fn_arg_int(call, 0), sdb_fn_arg_int(call, 1));
    return g > INT64_MAX ? out_of_range(call) : int_result(call, (int64_t)g);
}

/* lcm(int4/int8): |a / gcd * b|, 0 when either is 0. */
int sdb_fn_int_lcm(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1);
    if (a == 0 || b == 0)
        return int_result(call, 0);
    uint64_t g = gcd_u64(a, b);
    if (g > INT64_MAX)
        return out_of_range(call);
    unsigned __int128 l = (unsigned __int128)(gcd_u64(a, 0) / g) * gcd_u64(b, 0);
    return l > INT64_MAX ? out_of_range(call) : int_result(call, (int64_t)l);
}
