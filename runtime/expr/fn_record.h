/*
 * expr/fn_record.h: the row constructor (fn_record.c), a function outside
 * the spec's table: called on any number of values of any types, it gives
 * them as one value of type record.  The analyzer builds calls of it (an
 * SdbBoundFuncExpr whose func is &sdb_row_function, nargs the columns).
 * The field selector sdb_field_function takes a record and a column index
 * (int4 Const, from 0) and gives that column; the call's type is the
 * column's (the function's rettype is only anyelement).
 */
#ifndef SDB_EXPR_FN_RECORD_H
#define SDB_EXPR_FN_RECORD_H

#include "expr/fmgr.h"

extern const SdbFuncInfo sdb_row_function;
extern const SdbFuncInfo sdb_field_function;

#endif /* SDB_EXPR_FN_RECORD_H */
