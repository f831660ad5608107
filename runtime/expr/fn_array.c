/*
 * expr/fn_array.c: functions over arrays (array_position, array_to_string,
 * array_lower/upper/length/ndims, cardinality, array_cat).
 */
#include "common/error.h"
#include "expr/fmgr.h"
#include "types/array.h"
#include "types/typeio.h"

#include <string.h>

/* array_position(array, value [, start]): the subscript of the first element
 * not distinct from `value` (NULL finds a NULL element), searching from
 * subscript `start`; NULL when there is none or the array is NULL. */
int sdb_fn_array_position(SdbFnCall *call)
{
    if (call->nulls[0]) {
        call->result_null = true;
        return SDB_OK;
    }
    if (call->nargs > 2 && call->nulls[2])
        return sdb_error(SDB_ERR_NULL_VALUE_NOT_ALLOWED, "initial position must not be null");
    SdbArray a;
    if (sdb_array_deconstruct(call->arena, call->args[0], &a) != SDB_OK)
        return SDB_ERROR;
    if (a.ndim > 1)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "searching for elements in multidimensional arrays is not supported");
    int lbound = a.ndim == 1 ? a.lbound[0] : 1;
    int64_t start = call->nargs > 2 ? sdb_fn_arg_int(call, 2) : lbound;
    const SdbTypeOps *ops = sdb_type_ops(a.elemtype);
    if (ops == NULL || ops->compare == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an equality operator for type %u",
                         (unsigned)a.elemtype);
    for (int i = 0; i < a.nitems; i++) {
        if (lbound + i < start)
            continue;
        bool found = call->nulls[1] ? a.nulls[i] : !a.nulls[i] && ops->compare(a.values[i], call->args[1]) == 0;
        if (found)
            return sdb_fn_return_int(call, lbound + i);
    }
    call->result_null = true;
    return SDB_OK;
}

/* array_to_string(array, delimiter [, null_string]): the elements' text
 * forms in storage order joined by `delimiter`; NULL elements are left
 * out, or written as `null_string` when it is given and not NULL. */
int sdb_fn_array_to_string(SdbFnCall *call)
{
    if (call->nulls[0] || call->nulls[1]) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbArray a;
    if (sdb_array_deconstruct(call->arena, call->args[0], &a) != SDB_OK)
        return SDB_ERROR;
    const SdbVarlena *delim = sdb_fn_arg_text(call, 1);
    const SdbVarlena *null_string = call->nargs > 2 && !call->nulls[2] ? sdb_fn_arg_text(call, 2) : NULL;
    SdbTypeCtx tctx = {.arena = call->arena, .timezone = call->context->timezone, .now = call->context->xact_start,
                       .typid = a.elemtype, .typmod = -1, .reg = sdb_expr_reg_lookup(call->context)};
    SdbStr out;
    sdb_str_init(&out, call->arena);
    bool first = true;
    for (int i = 0; i < a.nitems; i++) {
        if (a.nulls[i] && null_string == NULL)
            continue;
        if (!first && sdb_str_append(&out, (const char *)delim->data, delim->len) != SDB_OK)
            return SDB_ERROR;
        first = false;
        int rc = a.nulls[i] ? sdb_str_append(&out, (const char *)null_string->data, null_string->len)
                            : sdb_type_output(&tctx, a.values[i], &out);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_fn_return_text(call, out.data, out.len);
}

/* The array argument taken apart, and the dimension `dim` (1-based) of the
 * second argument when `want_dim`; false (result NULL) when the array has
 * no such dimension. */
static int array_dim(SdbFnCall *call, SdbArray *a, bool want_dim, int *dim, bool *exists)
{
    if (sdb_array_deconstruct(call->arena, call->args[0], a) != SDB_OK)
        return SDB_ERROR;
    int64_t d = want_dim ? sdb_fn_arg_int(call, 1) : 1;
    *exists = d >= 1 && d <= a->ndim;
    *dim = (int)d - 1;
    call->result_null = !*exists;
    return SDB_OK;
}

/* array_lower(array, dim), array_upper(array, dim), array_length(array,
 * dim): NULL for a dimension the array does not have. */
int sdb_fn_array_lower(SdbFnCall *call)
{
    SdbArray a;
    int dim;
    bool exists;
    if (array_dim(call, &a, true, &dim, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? sdb_fn_return_int(call, a.lbound[dim]) : SDB_OK;
}

int sdb_fn_array_upper(SdbFnCall *call)
{
    SdbArray a;
    int dim;
    bool exists;
    if (array_dim(call, &a, true, &dim, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? sdb_fn_return_int(call, (int64_t)a.lbound[dim] + a.dims[dim] - 1) : SDB_OK;
}

int sdb_fn_array_length(SdbFnCall *call)
{
    SdbArray a;
    int dim;
    bool exists;
    if (array_dim(call, &a, true, &dim, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? sdb_fn_return_int(call, a.dims[dim]) : SDB_OK;
}

/* array_ndims(array): the number of dimensions, NULL for an empty array. */
int sdb_fn_array_ndims(SdbFnCall *call)
{
    SdbArray a;
    int dim;
    bool exists;
    if (array_dim(call, &a, false, &dim, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? sdb_fn_return_int(call, a.ndim) : SDB_OK;
}

/* cardinality(array): the number of elements (0 for an empty array). */
int sdb_fn_cardinality(SdbFnCall *call)
{
    SdbArray a;
    if (sdb_array_deconstruct(call->arena, call->args[0], &a) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, a.nitems);
}

/* array_cat(a, b) (the || of two arrays): b's elements after a's.  A NULL
 * or empty side gives the other; arrays of the same dimensions join along
 * the first (their other dimensions must agree), and an array of one
 * dimension less becomes one more item of the first dimension of the
 * other, as PostgreSQL's array_cat does. */
int sdb_fn_array_cat(SdbFnCall *call)
{
    if (call->nulls[0] || call->nulls[1]) {
        call->result_null = call->nulls[0] && call->nulls[1];
        call->result = call->args[call->nulls[0] ? 1 : 0];
        return SDB_OK;
    }
    SdbArray a, b;
    if (sdb_array_deconstruct(call->arena, call->args[0], &a) != SDB_OK ||
        sdb_array_deconstruct(call->arena, call->args[1], &b) != SDB_OK)
        return SDB_ERROR;
    if (a.ndim == 0 || b.ndim == 0) {
        call->result = call->args[a.ndim == 0 ? 1 : 0];
        return SDB_OK;
    }
    if (a.ndim != b.ndim && a.ndim != b.ndim + 1 && b.ndim != a.ndim + 1) {
        sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR, "cannot concatenate incompatible arrays");
        sdb_error_detail("Arrays of %d and %d dimensions are not compatible for concatenation.", a.ndim, b.ndim);
        return SDB_ERROR;
    }
    const SdbArray *big = a.ndim >= b.ndim ? &a : &b, *small = a.ndim >= b.ndim ? &b : &a;
    int skip = big->ndim - small->ndim; /* 1: small is one item of big's first dimension */
    for (int d = 1; d < big->ndim; d++)
        if (big->dims[d] != small->dims[d - skip] || big->lbound[d] != small->lbound[d - skip]) {
            sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR, "cannot concatenate incompatible arrays");
            sdb_error_detail(skip ? "Arrays with differing dimensions are not compatible for concatenation."
                                  : "Arrays with differing element dimensions are not compatible for concatenation.");
            return SDB_ERROR;
        }
    SdbArray out = *big; /* the bigger one's bounds (the first's when alike) */
    out.dims[0] = skip ? big->dims[0] + 1 : a.dims[0] + b.dims[0];
    out.nitems = a.nitems + b.nitems;
    out.values = sdb_arena_alloc(call->arena, sizeof(SdbDatum) * (size_t)out.nitems);
    out.nulls = sdb_arena_alloc(call->arena, sizeof(bool) * (size_t)out.nitems);
    if (out.values == NULL || out.nulls == NULL)
        return SDB_ERROR;
    memcpy(out.values, a.values, sizeof(SdbDatum) * (size_t)a.nitems);
    memcpy(out.nulls, a.nulls, sizeof(bool) * (size_t)a.nitems);
    memcpy(out.values + a.nitems, b.values, sizeof(SdbDatum) * (size_t)b.nitems);
    memcpy(out.nulls + a.nitems, b.nulls, sizeof(bool) * (size_t)b.nitems);
    return sdb_array_build(call->arena, &out, &call->result);
}
