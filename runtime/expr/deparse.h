/*
 * expr/deparse.h: bound expressions printed back as SQL text the way
 * PostgreSQL's ruleutils.c prints stored expressions (pg_get_expr,
 * pg_get_constraintdef): constants with their ::type labels, explicit casts
 * shown and implicit ones hidden at the top, operators parenthesized
 * (every one, or only where needed when pretty).
 */
#ifndef SDB_EXPR_DEPARSE_H
#define SDB_EXPR_DEPARSE_H

#include "common/str.h"
#include "expr/fmgr.h"
#include "sdb_expr.h"

typedef struct SdbDeparse {
    SdbStr *out;
    bool pretty;                   /* PostgreSQL's PRETTYFLAG_PAREN: parentheses only where needed */
    const SdbExprContext *context; /* type output of constants (TimeZone, reg* names) */
    /* The name of the column a Var stands for (printed quoted as needed). */
    const char *(*var_name)(void *arg, const SdbBoundVar *var);
    void *arg;
} SdbDeparse;

/* Append `e` to dp->out; 0A000 for a node it cannot print. */
int sdb_deparse_expr(const SdbDeparse *dp, const SdbExpr *e);

/* PostgreSQL's format_type: a type's SQL name with its typmod
 * ("character varying(10)", "numeric(10,2)"); typmod_given false prints
 * bpchar as "bpchar" (format_type(oid, NULL)). */
int sdb_format_type(SdbStr *out, SdbOid type, int32_t typmod, bool typmod_given);

/* PostgreSQL's quote_identifier: `name`, double-quoted when needed. */
int sdb_append_ident(SdbStr *out, const char *name);

#endif /* SDB_EXPR_DEPARSE_H */
