/*
 * catalog/ddl_misc.c: CREATE [OR REPLACE] VIEW, CREATE SCHEMA, CREATE
 * SEQUENCE, CREATE DATABASE and DROP DATABASE.
 */
#include <string.h>

#include "catalog/ddl_int.h"

static int insert(SdbDdl *d, const SdbCatTuple *t)
{
    return sdb_cat_insert(d->cat->engine, d->cat->db_oid, d->xid, d->txn->cid, t);
}

/* --- views ------------------------------------------------------------------ */

/* The view's SELECT: the statement after the top-level AS that follows the
 * view's name, up to a top-level ';'. */
static const char *view_text(SdbDdl *d, const SdbViewStmt *stmt)
{
    int start = sdb_ddl_after_keyword(d, stmt->view->location, "AS", 0);
    if (start < 0)
        return NULL;
    const char *s = d->ctx->sql;
    int end = start, depth = 0;
    while (s[end] != '\0' && !(depth == 0 && s[end] == ';')) {
        depth += s[end] == '(' ? 1 : s[end] == ')' ? -1 : 0;
        end++;
        /* quoted text may hold ';' or parentheses */
        if (s[end - 1] == '\'' || s[end - 1] == '"') {
            char q = s[end - 1];
            while (s[end] != '\0' && s[end] != q)
                end++;
            if (s[end] != '\0')
                end++;
        }
    }
    while (s[start] == ' ' || s[start] == '\n' || s[start] == '\t' || s[start] == '\r')
        start++;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\n' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        end--;
    return sdb_arena_strndup(d->arena, s + start, (size_t)(end - start));
}

/* The name PostgreSQL gives an output column without an alias. */
static const char *target_name(const SdbResTarget *rt)
{
    if (rt->name != NULL)
        return rt->name;
    const SdbNode *v = rt->val;
    if (SDB_IS_A(v, COLUMN_REF)) {
        const SdbColumnRef *ref = (const SdbColumnRef *)v;
        const SdbNode *last = sdb_list_nth(ref->fields, sdb_list_length(ref->fields) - 1);
        if (SDB_IS_A(last, STRING))
            return ((const SdbString *)last)->sval;
    }
    if (SDB_IS_A(v, FUNC_CALL)) {
        const SdbFuncCall *fc = (const SdbFuncCall *)v;
        const SdbNode *last = sdb_list_nth(fc->funcname, sdb_list_length(fc->funcname) - 1);
        if (SDB_IS_A(last, STRING))
            return ((const SdbString *)last)->sval;
    }
    return "?column?";
}

/* The view's columns: the analyzer's when given, else names from the
 * SELECT list with type unknown; aliases rename the first ones. */
static int view_columns(SdbDdl *d, const SdbViewStmt *stmt, SdbAttribute **out, int *n)
{
    const SdbDdlContext *ctx = d->ctx;
    const SdbList *targets = SDB_IS_A(stmt->query, SELECT_STMT) ? ((const SdbSelectStmt *)stmt->query)->target_list
                                                                 : NULL;
    bool given = ctx->view_names != NULL;
    *n = given ? ctx->view_ncolumns : sdb_list_length(targets);
    *out = sdb_arena_calloc(d->arena, (size_t)*n + 1, sizeof **out);
    if (*out == NULL)
        return SDB_ERROR;
    int naliases = sdb_list_length(stmt->aliases);
    if (naliases > *n)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "CREATE VIEW specifies more column names than columns");
    for (int i = 0; i < *n; i++) {
        SdbAttribute *a = &(*out)[i];
        a->attnum = (int16_t)(i + 1);
        if (given) {
            a->name = ctx->view_names[i];
            a->type = ctx->view_types[i];
            a->typmod = ctx->view_typmods ? ctx->view_typmods[i] : -1;
        } else {
            a->name = target_name((const SdbResTarget *)sdb_list_nth(targets, i));
            a->type = SDB_TYPEOID_UNKNOWN;
            a->typmod = -1;
        }
        if (i < naliases)
            a->name = ((const SdbString *)sdb_list_nth(stmt->aliases, i))->sval;
        for (int j = 0; j < i; j++)
            if (strcmp((*out)[j].name, a->name) == 0)
                return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" specified more than once", a->name);
    }
    return SDB_OK;
}

static int rewrite_row(SdbDdl *d, SdbOid view, const char *text)
{
    SdbOid oid;
    SdbCatTuple t;
    if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_REWRITE_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_CLASS, view);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_TYPE, '1');
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_ENABLED, 'O');
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_IS_INSTEAD, true);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_RULENAME, "_RETURN") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_EV_QUAL, "<>") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_EV_ACTION, text) != SDB_OK)
        return SDB_ERROR;
    return insert(d, &t);
}

int sdb_ddl_view(SdbDdl *d, const SdbViewStmt *stmt)
{
    const SdbRangeVar *rv = stmt->view;
    SdbOid nsp;
    if (sdb_ddl_creation_namespace(d, rv, &nsp) != SDB_OK)
        return SDB_ERROR;
    const char *schema = sdb_cat_namespace_name(d->cat, d->txn, nsp);
    const SdbRelation *old = NULL;
    bool taken;
    if (sdb_catalog_lookup(d->cat, d->txn, schema, rv->relname, NULL, 0, &old) != SDB_OK ||
        sdb_ddl_name_taken(d, nsp, rv->relname, &taken) != SDB_OK)
        return SDB_ERROR;
    if (old != NULL && old->kind != 'v')
        return sdb_ddl_wrong_kind(old->name, "a view");
    if (taken && !(old != NULL && stmt->replace))
        return sdb_error(SDB_ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", rv->relname);
    const char *text = view_text(d, stmt);
    SdbAttribute *cols;
    int ncols;
    if (text == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "view query not found in the statement text");
    if (view_columns(d, stmt, &cols, &ncols) != SDB_OK)
        return SDB_ERROR;
    SdbOid oid;
    SdbCatTuple t;
    if (old != NULL) {
        if (ncols < old->natts)
            return sdb_error(SDB_ERR_INVALID_TABLE_DEFINITION, "cannot drop columns from view");
        for (int i = 0; i < old->natts; i++)
            if (strcmp(old->attrs[i].name, cols[i].name) != 0)
                return sdb_error(SDB_ERR_INVALID_TABLE_DEFINITION,
                                 "cannot change name of view column \"%s\" to \"%s\"", old->attrs[i].name,
                                 cols[i].name);
        oid = old->oid;
        if (sdb_cat_delete_where(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID),
                                 SDB_ANUM_PG_ATTRIBUTE_ATTRELID, oid, d->arena) != SDB_OK ||
            sdb_cat_delete_where(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_REWRITE_OID),
                                 SDB_ANUM_PG_REWRITE_EV_CLASS, oid, d->arena) != SDB_OK ||
            sdb_ddl_update_class(d, oid, NULL, ncols, -1) != SDB_OK)
            return SDB_ERROR;
    } else {
        if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK)
            return SDB_ERROR;
        SdbCatClassInfo info = {.oid = oid, .name = rv->relname, .namespace_oid = nsp, .kind = 'v', .natts = ncols};
        if (sdb_cat_class_tuple(&t, d->arena, &info) != SDB_OK || insert(d, &t) != SDB_OK)
            return SDB_ERROR;
    }
    for (int i = 0; i < ncols; i++)
        if (sdb_cat_attribute_tuple(&t, d->arena, oid, &cols[i], false) != SDB_OK || insert(d, &t) != SDB_OK)
            return SDB_ERROR;
    if (rewrite_row(d, oid, text) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, oid);
}

/* --- schemas and sequences ------------------------------------------------------ */

int sdb_ddl_create_schema(SdbDdl *d, const SdbCreateSchemaStmt *stmt)
{
    const char *name = stmt->schemaname ? stmt->schemaname : "postgres";
    if (sdb_cat_namespace_oid(d->cat, d->txn, name) != 0) {
        if (!stmt->if_not_exists)
            return sdb_error(SDB_ERR_DUPLICATE_SCHEMA, "schema \"%s\" already exists", name);
        sdb_ddl_notice(d, "42P06", "schema \"%s\" already exists, skipping", name);
        return SDB_OK;
    }
    if (strncmp(name, "pg_", 3) == 0) {
        sdb_error(SDB_ERR_RESERVED_NAME, "unacceptable schema name \"%s\"", name);
        sdb_error_detail("The prefix \"pg_\" is reserved for system schemas.");
        return SDB_ERROR;
    }
    SdbOid oid;
    SdbCatTuple t;
    if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_NAMESPACE_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_NAMESPACE_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_NAMESPACE_NSPOWNER, SDB_ROLE_POSTGRES);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_NAMESPACE_NSPNAME, name) != SDB_OK || insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    d->namespaces_changed = true;
    return SDB_OK;
}

int sdb_ddl_seq_stmt(SdbDdl *d, const SdbCreateSeqStmt *stmt)
{
    SdbOid nsp, oid;
    bool taken;
    if (sdb_ddl_creation_namespace(d, stmt->sequence, &nsp) != SDB_OK ||
        sdb_ddl_name_taken(d, nsp, stmt->sequence->relname, &taken) != SDB_OK)
        return SDB_ERROR;
    if (taken && stmt->if_not_exists) {
        sdb_ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", stmt->sequence->relname);
        return SDB_OK;
    }
    return sdb_ddl_create_sequence(d, nsp, stmt->sequence->relname, SDB_TYPEOID_INT8, stmt->options, 0, 0, 0, &oid);
}

/* --- databases --------------------------------------------------------------- */

/* The visible pg_database row named `name`, or *row = NULL. */
static int database_row(SdbDdl *d, const char *name, SdbCatRow **row)
{
    SdbCatRows rows;
    *row = NULL;
    if (sdb_cat_scan(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_DATABASE_OID), d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++)
        if (strcmp(sdb_cat_text(rows.rows[i].values[SDB_ANUM_PG_DATABASE_DATNAME - 1]), name) == 0)
            *row = &rows.rows[i];
    return SDB_OK;
}

int sdb_ddl_createdb(SdbDdl *d, const SdbCreatedbStmt *stmt)
{
    SdbCatRow *row;
    if (database_row(d, stmt->dbname, &row) != SDB_OK)
        return SDB_ERROR;
    if (row != NULL)
        return sdb_error(SDB_ERR_DUPLICATE_DATABASE, "database \"%s\" already exists", stmt->dbname);
    SdbOid oid;
    SdbCatTuple t;
    bool exists = true;
    while (exists) /* skip the catalogs of a CREATE DATABASE cut short by a crash */
        if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK ||
            sdb_cat_database_exists(d->cat->engine, oid, &exists) != SDB_OK)
            return SDB_ERROR;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_DATABASE_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATDBA, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_ENCODING, 6);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATLOCPROVIDER, 'c');
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATALLOWCONN, true);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATCONNLIMIT, sdb_datum_from_int64(-1));
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATTABLESPACE, 1663);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATNAME, stmt->dbname) != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATCOLLATE, "C") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATCTYPE, "C") != SDB_OK || insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    /* a new database starts as template1 did: the bootstrap catalogs */
    return sdb_cat_bootstrap_database(d->cat->engine, oid);
}

int sdb_ddl_dropdb(SdbDdl *d, const SdbDropdbStmt *stmt)
{
    SdbCatRow *row;
    if (database_row(d, stmt->dbname, &row) != SDB_OK)
        return SDB_ERROR;
    if (row == NULL) {
        if (!stmt->missing_ok)
            return sdb_error(SDB_ERR_INVALID_CATALOG_NAME, "database \"%s\" does not exist", stmt->dbname);
        sdb_ddl_notice(d, "00000", "database \"%s\" does not exist, skipping", stmt->dbname);
        return SDB_OK;
    }
    SdbOid oid = (SdbOid)row->values[SDB_ANUM_PG_DATABASE_OID - 1];
    if (oid == d->cat->db_oid)
        return sdb_error(SDB_ERR_OBJECT_IN_USE, "cannot drop the currently open database");
    if (row->values[SDB_ANUM_PG_DATABASE_DATISTEMPLATE - 1])
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot drop a template database");
    return sdb_cat_delete(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_DATABASE_OID), row->tid);
}
