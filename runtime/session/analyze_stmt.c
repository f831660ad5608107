/*
 * session/analyze_stmt.c: ANALYZE [VERBOSE] [table [(columns)], ...] and
 * the ANALYZE part of VACUUM ANALYZE / VACUUM (ANALYZE): which tables and
 * columns, PostgreSQL's errors and warnings, then sdb_table_analyze
 * (runtime/access/analyze.c) per table.  Without a table list every user
 * table of the database is analyzed (system catalogs are not).
 */
#include <string.h>

#include "access/table.h"
#include "common/error.h"
#include "session/session_int.h"

static void warn(const SdbStatement *st, const char *message)
{
    if (st->sink && st->sink->notice)
        st->sink->notice(st->sink->arg, "01000", message);
}

/* The 0-based attribute indexes to analyze: the named columns (42703,
 * 42701 as PostgreSQL), or every column that is not dropped. */
static int analyze_columns(SdbStatement *st, const SdbRelation *rel, const SdbList *names, int **cols, int *ncols)
{
    *ncols = 0;
    if ((*cols = sdb_arena_calloc(st->expr.arena, (size_t)rel->natts + 1, sizeof **cols)) == NULL)
        return SDB_ERROR;
    if (names == NULL) {
        for (int i = 0; i < rel->natts; i++)
            if (!rel->attrs[i].dropped)
                (*cols)[(*ncols)++] = i;
        return SDB_OK;
    }
    for (int k = 0; k < sdb_list_length(names); k++) {
        const char *name = ((const SdbString *)sdb_list_nth(names, k))->sval;
        int found = -1;
        for (int i = 0; i < rel->natts && found < 0; i++)
            if (!rel->attrs[i].dropped && strcmp(rel->attrs[i].name, name) == 0)
                found = i;
        if (found < 0)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", name,
                             rel->name);
        for (int j = 0; j < *ncols; j++)
            if ((*cols)[j] == found)
                return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" of relation \"%s\" appears more than once",
                                 name, rel->name);
        (*cols)[(*ncols)++] = found;
    }
    return SDB_OK;
}

static int analyze_relation(SdbStatement *st, const SdbRelation *rel, const SdbList *names)
{
    SdbSession *s = st->s;
    if (rel->kind != 'r' || rel->system) {
        char message[160];
        snprintf(message, sizeof message, "skipping \"%s\" --- cannot analyze non-tables or special system tables",
                 rel->name);
        warn(st, message);
        return SDB_OK;
    }
    int *cols, ncols;
    if (analyze_columns(st, rel, names, &cols, &ncols) != SDB_OK)
        return SDB_ERROR;
    SdbAccessContext ac = s->access;
    ac.arena = st->expr.arena;
    ac.priv = NULL;
    ac.timezone = s->timezone;
    SdbAnalyzeInfo info;
    return sdb_table_analyze(&ac, rel, cols, ncols, (int)s->settings.default_statistics_target, &info);
}

int sdb_analyze_statement(SdbStatement *st, const SdbVacuumStmt *vs)
{
    SdbSession *s = st->s;
    int n = sdb_list_length(vs->rels);
    const SdbRelation **rels = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *rels);
    if (rels == NULL)
        return SDB_ERROR;
    /* every name is looked up before anything is analyzed, as PostgreSQL */
    for (int i = 0; i < n; i++) {
        const SdbRangeVar *rv = ((const SdbVacuumRelation *)sdb_list_nth(vs->rels, i))->relation;
        if (sdb_catalog_lookup(s->catalog, &s->txn, rv->schemaname, rv->relname, s->search_path, s->npath,
                               &rels[i]) != SDB_OK)
            return SDB_ERROR;
        if (rels[i] == NULL) /* without a position, as PostgreSQL */
            return sdb_error(SDB_ERR_UNDEFINED_TABLE, SDB_ERRMSG_UNDEFINED_TABLE, rv->relname);
    }
    for (int i = 0; i < n; i++)
        if (analyze_relation(st, rels[i], ((const SdbVacuumRelation *)sdb_list_nth(vs->rels, i))->va_cols) != SDB_OK)
            return SDB_ERROR;
    if (n > 0)
        return SDB_OK;
    SdbOid *oids;
    int ntables;
    if (sdb_catalog_tables(s->catalog, &s->txn, st->expr.arena, &oids, &ntables) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ntables; i++) {
        const SdbRelation *rel;
        if (sdb_catalog_relation(s->catalog, &s->txn, oids[i], &rel) != SDB_OK ||
            (rel != NULL && analyze_relation(st, rel, NULL) != SDB_OK))
            return SDB_ERROR;
    }
    return SDB_OK;
}
