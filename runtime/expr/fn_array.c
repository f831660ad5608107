/*
 * expr/fn_array.c: functions over arrays (array_position, array_to_string).
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
