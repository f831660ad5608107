/*
 * session/deparse.c: the session's side of pg_get_expr and
 * pg_get_constraintdef (SdbSessionInfo.deparse).  The catalogs keep a
 * DEFAULT or CHECK as the SQL text written; it is bound again here, as
 * PostgreSQL stored it (a column's DEFAULT converted to the column's type
 * by an assignment cast, a CHECK over the table's columns), and printed by
 * expr/deparse.c as PostgreSQL's ruleutils.c prints the stored tree.
 */
#include <string.h>

#include "common/error.h"
#include "expr/bind.h"
#include "expr/bind_int.h"
#include "expr/deparse.h"
#include "session/session_int.h"
#include "sql/analyze.h"
#include "sql/parser.h"

static const char *column_name(void *arg, const SdbBoundVar *var)
{
    const SdbRelation *rel = arg;
    return var->column >= 0 && var->column < rel->natts ? rel->attrs[var->column].name : "ctid";
}

/* The column of `rel` whose DEFAULT is `sql`, or NULL (a CHECK). */
static const SdbAttribute *default_of(const SdbRelation *rel, const char *sql)
{
    for (int i = 0; i < rel->natts; i++)
        if (!rel->attrs[i].dropped && rel->attrs[i].default_sql != NULL && strcmp(rel->attrs[i].default_sql, sql) == 0)
            return &rel->attrs[i];
    return NULL;
}

int sdb_session_deparse(void *arg, const char *sql, SdbOid relid, bool pretty, SdbStr *out)
{
    SdbSession *s = arg;
    SdbArena *arena = out->arena;
    const SdbRelation *rel = NULL;
    if (relid != SDB_INVALID_OID && sdb_catalog_relation(s->catalog, &s->txn, relid, &rel) != SDB_OK)
        return SDB_ERROR;
    if (relid != SDB_INVALID_OID && rel == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation with OID %u does not exist", (unsigned)relid);
    char *text = sdb_arena_sprintf(arena, "SELECT %s", sql);
    SdbParseResult parsed;
    if (text == NULL || sdb_parse(arena, text, strlen(text), &parsed) != SDB_OK)
        return SDB_ERROR;
    const SdbSelectStmt *select = (const SdbSelectStmt *)((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    const SdbNode *node = ((const SdbResTarget *)sdb_list_nth(select->target_list, 0))->val;
    SdbExprContext expr = {.arena = arena, .timezone = s->timezone, .xact_start = s->txn.start,
                           .session = &s->info, .access = &s->access};
    const SdbAttribute *att = rel != NULL ? default_of(rel, sql) : NULL;
    SdbExpr *e;
    if (rel == NULL) { /* relation 0: an expression without columns */
        SdbBindContext bc = {.expr = &expr, .sql = text};
        if (sdb_bind_expr(&bc, node, &e) != SDB_OK)
            return SDB_ERROR;
    } else if (att != NULL) {
        SdbBindContext bc = {.expr = &expr, .sql = text};
        if (sdb_bind_node(&bc, node, &e) != SDB_OK ||
            sdb_bind_coerce(&bc, e, att->type, att->typmod, SDB_CAST_ASSIGNMENT, -1, &e) != SDB_OK)
            return SDB_ERROR;
    } else {
        SdbAnalyzeContext ac = {.catalog = s->catalog, .txn = &s->txn, .expr = &expr, .sql = text,
                                .search_path = s->search_path, .npath = s->npath};
        if (sdb_analyze_table_expr(&ac, rel, 1, node, &e) != SDB_OK)
            return SDB_ERROR;
    }
    SdbDeparse dp = {.out = out, .pretty = pretty, .context = &expr, .var_name = column_name, .arg = (void *)rel};
    return sdb_deparse_expr(&dp, e);
}
