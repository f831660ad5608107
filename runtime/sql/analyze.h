/*
 * sql/analyze.h: semantic analysis: a parsed statement (sdb_ast.h) ->
 * a plan tree (sdb_plan.h) of bound expressions (sdb_expr.h), with names
 * resolved in the catalog and PostgreSQL's errors (42P01, 42703, 42702,
 * 42803, 42P10 ...).  Handles SELECT (and VALUES), INSERT, UPDATE, DELETE;
 * other statements are utility statements (runtime/session).
 */
#ifndef SDB_SQL_ANALYZE_H
#define SDB_SQL_ANALYZE_H

#include "catalog/catalog.h"
#include "expr/fmgr.h"
#include "sdb_ast.h"
#include "sdb_plan.h"
#include "txn/txn.h"

typedef struct SdbAnalyzeContext {
    SdbCatalog *catalog;
    SdbTxn *txn;
    const SdbExprContext *expr;      /* arena, TimeZone, transaction start */
    const char *sql;                 /* statement text, for error positions and view bodies */
    const char *const *search_path;
    int npath;
    int nparams;
    SdbOid *param_types;             /* $1..$n; an entry of 0 is inferred and written back */
} SdbAnalyzeContext;

/* Analyze `stmt` into *out.  The root's columns are the statement's result
 * columns (named as PostgreSQL names them: ?column?, count, ...). */
int sdb_analyze(SdbAnalyzeContext *ac, const SdbNode *stmt, SdbPlan **out);

/* Bind an expression over the columns of table `rel` (binding table
 * `table`): CHECK constraints, DEFAULT expressions, index predicates. */
int sdb_analyze_table_expr(SdbAnalyzeContext *ac, const SdbRelation *rel, int table,
                           const SdbNode *expr, SdbExpr **out);

#endif /* SDB_SQL_ANALYZE_H */
