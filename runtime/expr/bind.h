/*
 * expr/bind.h: the binder: a parse tree expression (sdb_ast.h) -> a bound,
 * typed expression (sdb_expr.h), with PostgreSQL's type resolution rules
 * for operators, functions, literals, casts and the CASE/COALESCE/IN family
 * (https://www.postgresql.org/docs/15/typeconv.html).
 */
#ifndef SDB_EXPR_BIND_H
#define SDB_EXPR_BIND_H

#include "expr/fmgr.h"
#include "sdb_ast.h"
#include "sdb_expr.h"

/* What binding needs besides the expression. */
typedef struct SdbBindContext {
    const SdbExprContext *expr;  /* arena for the tree; TimeZone and transaction start for literals ('now') */
    const char *sql;             /* the statement text, for error positions; NULL: positions count bytes */
    int nparams;
    const SdbOid *param_types;   /* the types of $1..$nparams */
} SdbBindContext;

/* Bind `node` into *out, allocated in bc->expr->arena.  A result still of
 * type unknown (a bare string literal, NULL) becomes text, as PostgreSQL
 * does for a select-list item.  SDB_OK, or SDB_ERROR with PostgreSQL's
 * error (42883 no such operator/function with its hint, 42725 ambiguous,
 * 42804 mismatched CASE/COALESCE branches, 42846 impossible cast, 22P02 a
 * bad literal ...) and its position recorded.  Column references are not
 * bound here yet (0A000): the planner will resolve them. */
int sdb_bind_expr(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);

#endif /* SDB_EXPR_BIND_H */
