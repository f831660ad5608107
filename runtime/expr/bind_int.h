/*
 * expr/bind_int.h: what the binder's files share: type facts and names,
 * coercion (bind_coerce.c), operator and function resolution
 * (bind_resolve.c).  Used by runtime/expr and the analyzer (runtime/sql),
 * which binds the rest of a query around the binder.
 */
#ifndef SDB_EXPR_BIND_INT_H
#define SDB_EXPR_BIND_INT_H

#include "expr/bind.h"
#include "sdb_casts.h"
#include "sdb_operators.h"

/* Record the position of `location` (a byte offset, -1 for none) on the
 * last error; returns SDB_ERROR. */
int sdb_bind_fail_at(const SdbBindContext *bc, int location);

/* PostgreSQL's name of a type in messages ("integer", "character varying"). */
const char *sdb_bind_type_name(SdbOid type);

/* typcategory letter and preferred flag of a type ('X', false for unknown ones). */
char sdb_bind_type_category(SdbOid type);
bool sdb_bind_type_preferred(SdbOid type);

/* Whether `type` is a polymorphic pseudo type (anyelement, anynonarray,
 * anyarray, anycompatible, anycompatiblearray), and whether it is an array
 * type (typcategory 'A'). */
bool sdb_bind_type_polymorphic(SdbOid type);
bool sdb_bind_type_is_array(SdbOid type);

/* Whether a value of `source` may become `target` in `context` (unknown
 * literals become anything, anything is taken as "any", a polymorphic
 * target takes the types it stands for as they are). */
bool sdb_bind_can_coerce(SdbOid source, SdbOid target, SdbCastContext context);

/* `expr` converted to `target` (with `typmod`, -1 for none) as allowed in
 * `context`: an unknown literal is read by the target's input function now,
 * others get a RelabelType, FuncExpr or CoerceViaIo.  42846 "cannot cast
 * type X to Y" when there is no such cast. */
int sdb_bind_coerce(const SdbBindContext *bc, SdbExpr *expr, SdbOid target, int32_t typmod, SdbCastContext context,
                    int location, SdbExpr **out);

/* PostgreSQL's select_common_type over `n` types (unknowns left out; text
 * when all are unknown).  *mismatch is -1, or the index of a type of
 * another category than the ones before it (the result is then that of the
 * types before it). */
SdbOid sdb_bind_common_type(const SdbOid *types, int n, int *mismatch);

/* PostgreSQL's select_common_type and the coercion of every expression to
 * it (CASE results, COALESCE, GREATEST, IN lists).  `what` names the
 * construct in errors ("CASE"): 42804 "CASE types integer and boolean
 * cannot be matched". */
int sdb_bind_unify(const SdbBindContext *bc, SdbExpr **exprs, int n, const char *what, const int *locations);

/* `expr` as a boolean condition of `what` ("WHERE", "AND"): 42804 when it
 * is of another type. */
int sdb_bind_coerce_bool(const SdbBindContext *bc, SdbExpr *expr, const char *what, int location, SdbExpr **out);

/* The operator `name` applied to `left` (NULL for prefix) and `right`,
 * resolved and with its operands coerced: an OpExpr in *out. */
int sdb_bind_operator(const SdbBindContext *bc, const char *name, SdbExpr *left, SdbExpr *right, int location,
                      SdbBoundOpExpr **out);

/* The function `name` called with `args`, resolved and with its arguments
 * coerced: a FuncExpr in *out. */
int sdb_bind_function(const SdbBindContext *bc, const char *name, SdbExpr **args, int nargs, int location,
                      SdbBoundFuncExpr **out);

/* An array of `n` expression pointers in the binder's arena. */
SdbExpr **sdb_bind_exprs(const SdbBindContext *bc, int n);

#endif /* SDB_EXPR_BIND_INT_H */
