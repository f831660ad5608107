/*
 * expr/fn_compare.c: the comparison operators = <> < <= > >= of every
 * orderable type.  Same-type comparisons use the type's comparison of
 * types/typeio.h; the cross-type integer variants (int24eq ...) can too,
 * every integer width being sign-extended in its datum; float4 against
 * float8 compares as double with PostgreSQL's NaN order (NaN above all).
 */
#include <math.h>

#include "common/error.h"
#include "expr/fmgr.h"
#include "types/typeio.h"

static bool is_float(SdbOid type)
{
    return type == SDB_TYPEOID_FLOAT4 || type == SDB_TYPEOID_FLOAT8;
}

static double float_value(SdbOid type, SdbDatum d)
{
    return type == SDB_TYPEOID_FLOAT4 ? sdb_datum_to_float4(d) : sdb_datum_to_float8(d);
}

static int compare_doubles(double a, double b)
{
    if (isnan(a))
        return isnan(b) ? 0 : 1;
    if (isnan(b))
        return -1;
    return (a > b) - (a < b);
}

/* <0, 0 or >0 as the arguments compare; SDB_OK or SDB_ERROR. */
static int compare_args(const SdbFnCall *call, int *cmp)
{
    SdbOid left = sdb_fn_argtype(call, 0), right = sdb_fn_argtype(call, 1);
    if (left != right && is_float(left) && is_float(right)) {
        *cmp = compare_doubles(float_value(left, call->args[0]), float_value(right, call->args[1]));
        return SDB_OK;
    }
    const SdbTypeOps *ops = sdb_type_ops(left);
    if (ops == NULL || ops->compare == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify a comparison function for type %u", left);
    *cmp = ops->compare(call->args[0], call->args[1]);
    return SDB_OK;
}

#define SDB_DEFINE_COMPARISON(name, test)              \
    int sdb_fn_cmp_##name(SdbFnCall *call)              \
    {                                                   \
        int cmp = 0;                                    \
        if (compare_args(call, &cmp) != SDB_OK)         \
            return SDB_ERROR;                           \
        return sdb_fn_return_bool(call, cmp test 0);    \
    }

SDB_DEFINE_COMPARISON(eq, ==)
SDB_DEFINE_COMPARISON(ne, !=)
SDB_DEFINE_COMPARISON(lt, <)
SDB_DEFINE_COMPARISON(le, <=)
SDB_DEFINE_COMPARISON(gt, >)
SDB_DEFINE_COMPARISON(ge, >=)
