/*
 * expr_test_util.h: running one SQL expression as `SELECT <expression>`
 * through parse -> bind -> evaluate -> output function, for test_functions
 * and test_expr.
 */
#ifndef SDB_EXPR_TEST_UTIL_H
#define SDB_EXPR_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "expr/bind.h"
#include "expr/eval.h"
#include "sql/parser.h"
#include "types/timezone.h"

/* The transaction start the tests evaluate at: 2024-03-01 12:00:00 UTC. */
#define SDB_TEST_XACT_START INT64_C(762609600000000)

/* The first select-list item of `sql` ("SELECT ..."), or NULL. */
static inline const SdbNode *sdb_test_select_item(SdbArena *arena, const char *sql)
{
    SdbParseResult parsed;
    if (sdb_parse(arena, sql, strlen(sql), &parsed) != SDB_OK || parsed.count != 1)
        return NULL;
    const SdbRawStmt *raw = (const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0);
    if (!SDB_IS_A(raw->stmt, SELECT_STMT))
        return NULL;
    const SdbResTarget *target = (const SdbResTarget *)sdb_list_nth(((const SdbSelectStmt *)raw->stmt)->target_list, 0);
    return target ? target->val : NULL;
}

/* Run `SELECT <expr>` in TimeZone `timezone` (NULL: UTC) with parameters
 * of `param_types` (values `params`): its text output ("NULL" for NULL) in
 * `out`, or SDB_ERROR with the error recorded. */
static inline int sdb_test_run_expr(const char *timezone, const char *expr, int nparams, const SdbOid *param_types,
                                    const SdbDatum *params, char *out, size_t size)
{
    SdbArena *arena = sdb_arena_create(NULL, "expr test", 0);
    char *sql = sdb_arena_sprintf(arena, "SELECT %s", expr);
    SdbExprContext ctx = {.arena = arena, .xact_start = SDB_TEST_XACT_START, .nparams = nparams, .params = params,
                          .timezone = timezone ? sdb_timezone_load(arena, timezone) : NULL};
    SdbBindContext bc = {.expr = &ctx, .sql = sql, .nparams = nparams, .param_types = param_types};
    const SdbNode *node = sdb_test_select_item(arena, sql);
    SdbExpr *bound;
    SdbDatum value;
    bool isnull;
    SdbStr text;
    sdb_str_init(&text, arena);
    int rc = SDB_ERROR;
    if (node == NULL && sdb_error_last()->code == SDB_ERR_SUCCESSFUL_COMPLETION)
        sdb_error(SDB_ERR_SYNTAX_ERROR, "not a single SELECT item");
    if (node != NULL && sdb_bind_expr(&bc, node, &bound) == SDB_OK && sdb_expr_eval(bound, &ctx, &value, &isnull) == SDB_OK &&
        (isnull ? sdb_str_append_cstr(&text, "NULL") : sdb_expr_output(&ctx, bound->type, value, &text)) == SDB_OK) {
        snprintf(out, size, "%s", text.data);
        rc = SDB_OK;
    }
    sdb_arena_destroy(arena);
    return rc;
}

#endif /* SDB_EXPR_TEST_UTIL_H */
