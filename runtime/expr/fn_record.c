/*
 * expr/fn_record.c: the row constructor the analyzer puts where a select
 * list calls a function with OUT columns (`SELECT jsonb_each(j)`): the
 * columns of one row of the set made into a value of type record
 * (types/record.h), printed as PostgreSQL prints it: `(a,1)`.
 */
#include "expr/fn_record.h"

#include "types/record.h"

static int row_of(SdbFnCall *call)
{
    return sdb_record_make(call->arena, call->nargs, call->argtypes, call->args, call->nulls, &call->result);
}

static const SdbOid no_args[1];

const SdbFuncInfo sdb_row_function = {
    .oid = 0, .name = "row", .nargs = 0, .argtypes = no_args, .rettype = SDB_TYPEOID_RECORD,
    .volatility = SDB_VOLATILITY_IMMUTABLE, .strict = false, .variadic = true, .kind = SDB_FUNC_NORMAL,
    .fn = row_of, .symbol = "row_of", .description = "a row of values as a record",
};
