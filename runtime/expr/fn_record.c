/*
 * expr/fn_record.c: the row constructor the analyzer puts where a select
 * list calls a function with OUT columns (`SELECT jsonb_each(j)`): the
 * columns of one row of the set made into a value of type record
 * (types/record.h), printed as PostgreSQL prints it: `(a,1)`; and the
 * field selection `(jsonb_each(j)).key`: one column of such a record.
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

/* Arguments: the record and the column's index (int4, from 0). */
static int field_of(SdbFnCall *call)
{
    return sdb_record_column(call->arena, call->args[0], (int)sdb_fn_arg_int(call, 1), &call->result,
                             &call->result_null);
}

static const SdbOid field_args[] = {SDB_TYPEOID_RECORD, SDB_TYPEOID_INT4};

const SdbFuncInfo sdb_field_function = {
    .oid = 0, .name = "field", .nargs = 2, .argtypes = field_args, .rettype = SDB_TYPEOID_ANYELEMENT,
    .volatility = SDB_VOLATILITY_IMMUTABLE, .strict = true, .kind = SDB_FUNC_NORMAL,
    .fn = field_of, .symbol = "field_of", .description = "a column of a record",
};
