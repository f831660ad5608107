/*
 * catalog/ddl_comment.c: COMMENT ON, the rows of pg_description.
 *
 * A comment is the pg_description row of (objoid, classoid, objsubid):
 * relations under pg_class (a column's objsubid is its attnum), schemas
 * under pg_namespace, constraints under pg_constraint.  Setting one
 * replaces the row; NULL or '' removes it, as in PostgreSQL.
 */
#include <string.h>

#include "catalog/ddl_int.h"
#include "common/error.h"

#define DESCRIPTION() sdb_catalog_by_oid(SDB_CATALOG_PG_DESCRIPTION_OID)

/* The relation `names` (String parts) name: 42P01 when none, 42809 when
 * it is not of `kind` ('\0': a table or a view, for a column). */
static int comment_relation(SdbDdl *d, const SdbList *names, char kind, const SdbRelation **out)
{
    static const struct { char kind; const char *what; } kinds[] = {
        {'r', "a table"}, {'v', "a view"}, {'S', "a sequence"}, {'i', "an index"}};
    int n = sdb_list_length(names);
    SdbRangeVar rv = {.tag = SDB_T_RANGE_VAR};
    rv.relname = ((const SdbString *)sdb_list_nth(names, n - 1))->sval;
    rv.schemaname = n > 1 ? ((const SdbString *)sdb_list_nth(names, n - 2))->sval : NULL;
    if ((*out = sdb_ddl_find(d, &rv)) == NULL)
        return sdb_ddl_missing_relation(&rv);
    char actual = (*out)->kind;
    if (kind == '\0' ? actual == 'r' || actual == 'v' : actual == kind)
        return SDB_OK;
    if (kind == '\0')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "\"%s\" is not a table, view, materialized view, composite type, "
                         "or foreign table", rv.relname);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return sdb_ddl_wrong_kind(rv.relname, kinds[i].what);
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "unexpected relation kind '%c'", kind);
}

/* The object a COMMENT ON names: its OID, catalog and sub-object. */
static int comment_target(SdbDdl *d, const SdbCommentStmt *stmt, SdbOid *objoid, SdbOid *classoid, int *subid)
{
    const SdbRelation *rel;
    *subid = 0;
    *classoid = SDB_CATALOG_PG_CLASS_OID;
    switch (stmt->objtype) {
    case SDB_OBJECT_TYPE_SCHEMA: {
        const char *name = ((const SdbString *)sdb_list_nth(stmt->object, 0))->sval;
        *classoid = SDB_CATALOG_PG_NAMESPACE_OID;
        if ((*objoid = sdb_cat_namespace_oid(d->cat, d->txn, name)) == 0)
            return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
        return SDB_OK;
    }
    case SDB_OBJECT_TYPE_COLUMN: {
        int n = sdb_list_length(stmt->object);
        if (n < 2)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "column name must be qualified");
        const char *column = ((const SdbString *)sdb_list_nth(stmt->object, n - 1))->sval;
        SdbList rel_names = *stmt->object;
        rel_names.length = n - 1;
        if (comment_relation(d, &rel_names, '\0', &rel) != SDB_OK)
            return SDB_ERROR;
        if ((*subid = sdb_ddl_attnum(rel, column)) <= 0) {
            const char *written = ((const SdbString *)sdb_list_nth(&rel_names, 0))->sval; /* as written */
            for (int i = 1; i < n - 1; i++)
                written = sdb_arena_sprintf(d->arena, "%s.%s", written,
                                            ((const SdbString *)sdb_list_nth(&rel_names, i))->sval);
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", column,
                             written != NULL ? written : rel->name);
        }
        *objoid = rel->oid;
        return SDB_OK;
    }
    case SDB_OBJECT_TYPE_CONSTRAINT:
        if (comment_relation(d, stmt->object, 'r', &rel) != SDB_OK)
            return SDB_ERROR;
        *classoid = SDB_CATALOG_PG_CONSTRAINT_OID;
        for (int i = 0; i < rel->nconstraints; i++)
            if (strcmp(rel->constraints[i].name, stmt->subname) == 0) {
                *objoid = rel->constraints[i].oid;
                return SDB_OK;
            }
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "constraint \"%s\" for table \"%s\" does not exist", stmt->subname,
                         rel->name);
    default: {
        char kind = stmt->objtype == SDB_OBJECT_TYPE_VIEW       ? 'v'
                    : stmt->objtype == SDB_OBJECT_TYPE_SEQUENCE ? 'S'
                    : stmt->objtype == SDB_OBJECT_TYPE_INDEX    ? 'i'
                                                                : 'r';
        if (comment_relation(d, stmt->object, kind, &rel) != SDB_OK)
            return SDB_ERROR;
        *objoid = rel->oid;
        return SDB_OK;
    }
    }
}

int sdb_ddl_comment(SdbDdl *d, const SdbCommentStmt *stmt)
{
    SdbOid objoid, classoid;
    int subid;
    if (comment_target(d, stmt, &objoid, &classoid, &subid) != SDB_OK)
        return SDB_ERROR;
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, DESCRIPTION(), d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        if ((SdbOid)v[SDB_ANUM_PG_DESCRIPTION_OBJOID - 1] == objoid &&
            (SdbOid)v[SDB_ANUM_PG_DESCRIPTION_CLASSOID - 1] == classoid &&
            (int)sdb_datum_to_int64(v[SDB_ANUM_PG_DESCRIPTION_OBJSUBID - 1]) == subid &&
            sdb_cat_delete(d->cat, d->txn, DESCRIPTION(), rows.rows[i].tid) != SDB_OK)
            return SDB_ERROR;
    }
    if (stmt->comment == NULL || stmt->comment[0] == '\0')
        return SDB_OK;
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, DESCRIPTION(), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_OBJOID, objoid);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_CLASSOID, classoid);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_OBJSUBID, sdb_datum_from_int64(subid));
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_DESCRIPTION_DESCRIPTION, stmt->comment) != SDB_OK)
        return SDB_ERROR;
    return sdb_cat_insert(d->cat->engine, d->cat->db_oid, d->xid, d->txn->cid, &t);
}
