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

typedef struct SdbBindContext SdbBindContext;

/* What the binder leaves to its caller (the analyzer, runtime/sql): it is
 * asked first about every node and binds column references, aggregates,
 * window functions, subqueries and GROUPING() itself, calling back into
 * sdb_bind_node() for their parts.  Returns SDB_OK with *out set,
 * SDB_ERROR, or SDB_BIND_DEFAULT for the binder's own handling. */
#define SDB_BIND_DEFAULT 1
typedef int (*SdbBindHook)(void *arg, const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);

/* What binding needs besides the expression. */
struct SdbBindContext {
    const SdbExprContext *expr;  /* arena for the tree; TimeZone and transaction start for literals ('now') */
    const char *sql;             /* the statement text, for error positions; NULL: positions count bytes */
    int nparams;
    const SdbOid *param_types;   /* the types of $1..$nparams */
    SdbOid *inferred_types;      /* non-NULL: a parameter of type 0/unknown takes the type its context
                                  * coerces it to, written here (PostgreSQL's parameter type inference) */
    SdbBindHook hook;            /* NULL: column references are refused (0A000) */
    void *hook_arg;
};

/* Bind `node` into *out, allocated in bc->expr->arena.  A result still of
 * type unknown (a bare string literal, NULL) becomes text, as PostgreSQL
 * does for a select-list item.  SDB_OK, or SDB_ERROR with PostgreSQL's
 * error (42883 no such operator/function with its hint, 42725 ambiguous,
 * 42804 mismatched CASE/COALESCE branches, 42846 impossible cast, 22P02 a
 * bad literal ...) and its position recorded.  Column references go to
 * bc->hook (0A000 without one). */
int sdb_bind_expr(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);

/* As sdb_bind_expr, but a result of type unknown stays unknown (for a
 * caller that gives it a type from context: INSERT, VALUES, UNION). */
int sdb_bind_node(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);

/* Where a parse tree expression starts (byte offset), or -1. */
int sdb_bind_location(const SdbNode *node);

#endif /* SDB_EXPR_BIND_H */
