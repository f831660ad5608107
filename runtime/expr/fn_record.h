/*
 * expr/fn_record.h: the row constructor (fn_record.c), a function outside
 * the spec's table: called on any number of values of any types, it gives
 * them as one value of type record.  The analyzer builds calls of it (an
 * SdbBoundFuncExpr whose func is &sdb_row_function, nargs the columns).
 */
#ifndef SDB_EXPR_FN_RECORD_H
#define SDB_EXPR_FN_RECORD_H

#include "expr/fmgr.h"

extern const SdbFuncInfo sdb_row_function;

#endif /* SDB_EXPR_FN_RECORD_H */
