/*
 * catalog/ddl.c: sdb_ddl_execute (dispatch to the statement's file), and
 * what every DDL statement uses: finding relations, the schema to create
 * in, PostgreSQL's generated names, type names, NOTICEs, and cutting
 * expression text out of the statement.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/ddl_int.h"
#include "types/numeric.h"

/* --- touched descriptors --------------------------------------------------- */

int sdb_ddl_touch(SdbDdl *d, SdbOid oid)
{
    for (size_t i = 0; i < d->ntouched; i++)
        if (d->touched[i] == oid)
            return SDB_OK;
    if (d->ntouched == d->captouched) {
        size_t ncap = d->captouched ? d->captouched * 2 : 8;
        SdbOid *p = sdb_arena_realloc(d->arena, d->touched, d->captouched * sizeof *p, ncap * sizeof *p);
        if (p == NULL)
            return SDB_ERROR;
        d->touched = p;
        d->captouched = ncap;
    }
    d->touched[d->ntouched++] = oid;
    return SDB_OK;
}

int sdb_ddl_sync(SdbDdl *d)
{
    int rc = sdb_cat_refresh(d->cat, d->txn, d->touched, d->ntouched, d->namespaces_changed);
    d->ntouched = 0;
    d->namespaces_changed = false;
    return rc;
}

/* --- OIDs ------------------------------------------------------------------ */

int sdb_ddl_new_relfile_oid(SdbDdl *d, SdbOid *oid)
{
    for (;;) {
        bool exists;
        if (sdb_catalog_new_oid(d->cat, oid) != SDB_OK ||
            sdb_smgr_exists(sdb_engine_smgr(d->cat->engine), (SdbRelFileId){d->cat->db_oid, *oid}, SDB_FORK_MAIN,
                            &exists) != SDB_OK)
            return SDB_ERROR;
        if (!exists)
            return SDB_OK;
    }
}

/* --- names ------------------------------------------------------------------- */

const SdbRelation *sdb_ddl_find(SdbDdl *d, const SdbRangeVar *rv)
{
    const SdbRelation *rel = NULL;
    sdb_catalog_lookup(d->cat, d->txn, rv->schemaname, rv->relname, d->ctx->search_path, d->ctx->npath, &rel);
    return rel;
}

const SdbRelation *sdb_ddl_by_oid(SdbDdl *d, SdbOid oid)
{
    const SdbRelation *rel = NULL;
    sdb_catalog_relation(d->cat, d->txn, oid, &rel);
    return rel;
}

int sdb_ddl_creation_namespace(SdbDdl *d, const SdbRangeVar *rv, SdbOid *nsp)
{
    if (rv->schemaname != NULL) {
        *nsp = sdb_cat_namespace_oid(d->cat, d->txn, rv->schemaname);
        if (*nsp == 0)
            return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", rv->schemaname);
        return SDB_OK;
    }
    for (int i = 0; i < d->ctx->npath; i++) {
        const char *s = strcmp(d->ctx->search_path[i], "$user") == 0 ? "postgres" : d->ctx->search_path[i];
        *nsp = sdb_cat_namespace_oid(d->cat, d->txn, s);
        if (*nsp != 0)
            return SDB_OK;
    }
    return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "no schema has been selected to create in");
}

void sdb_ddl_notice(SdbDdl *d, const char *sqlstate, const char *fmt, ...)
{
    if (d->ctx->notice == NULL)
        return;
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    d->ctx->notice(d->ctx->notice_arg, sqlstate, message);
}

int sdb_ddl_missing_relation(const SdbRangeVar *rv)
{
    if (rv->schemaname != NULL)
        return sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s.%s\" does not exist", rv->schemaname, rv->relname);
    return sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->relname);
}

int sdb_ddl_wrong_kind(const char *name, const char *kind)
{
    return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "\"%s\" is not %s", name, kind);
}

int sdb_ddl_name_taken(SdbDdl *d, SdbOid nsp, const char *name, bool *taken)
{
    const char *schema = sdb_cat_namespace_name(d->cat, d->txn, nsp);
    const SdbRelation *rel = NULL;
    if (schema != NULL && sdb_catalog_lookup(d->cat, d->txn, schema, name, NULL, 0, &rel) != SDB_OK)
        return SDB_ERROR;
    *taken = rel != NULL;
    return SDB_OK;
}

/* Whether a constraint of schema nsp is called `name`. */
static int constraint_name_taken(SdbDdl *d, SdbOid nsp, const char *name, bool *taken)
{
    SdbCatRows rows;
    *taken = false;
    if (sdb_cat_scan(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_CONSTRAINT_OID), d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count && !*taken; i++)
        *taken = rows.rows[i].values[SDB_ANUM_PG_CONSTRAINT_CONNAMESPACE - 1] == nsp &&
                 strcmp(sdb_cat_text(rows.rows[i].values[SDB_ANUM_PG_CONSTRAINT_CONNAME - 1]), name) == 0;
    return SDB_OK;
}

/* PostgreSQL's makeObjectName: shorten the longer of the two parts until
 * "a_b_suffix" fits in 63 bytes. */
static char *object_name(SdbArena *arena, const char *a, const char *b, const char *suffix, const char *extra)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    size_t overhead = (b ? 1 : 0) + (suffix ? strlen(suffix) + 1 : 0) + strlen(extra);
    while (la + lb + overhead > 63) {
        if (la > lb)
            la--;
        else
            lb--;
    }
    return sdb_arena_sprintf(arena, "%.*s%s%.*s%s%s%s", (int)la, a, b ? "_" : "", (int)lb, b ? b : "",
                             suffix ? "_" : "", suffix ? suffix : "", extra);
}

int sdb_ddl_choose_name(SdbDdl *d, SdbOid nsp, const char *table, const char *columns, const char *suffix,
                        const char **out)
{
    for (int pass = 0;; pass++) {
        char extra[16] = "";
        if (pass > 0)
            snprintf(extra, sizeof extra, "%d", pass);
        char *name = object_name(d->arena, table, columns, suffix, extra);
        bool taken, used;
        if (name == NULL || sdb_ddl_name_taken(d, nsp, name, &taken) != SDB_OK ||
            constraint_name_taken(d, nsp, name, &used) != SDB_OK)
            return SDB_ERROR;
        taken |= used;
        if (!taken) {
            *out = name;
            return SDB_OK;
        }
    }
}

int sdb_ddl_attnum(const SdbRelation *rel, const char *name)
{
    for (int i = 0; i < rel->natts; i++)
        if (!rel->attrs[i].dropped && rel->attrs[i].name != NULL && strcmp(rel->attrs[i].name, name) == 0)
            return i + 1;
    return 0;
}

/* --- types -------------------------------------------------------------------- */

static int typmod_arg(const SdbTypeName *tn, int i, int *v)
{
    const SdbNode *n = sdb_list_nth(tn->typmods, i);
    if (!SDB_IS_A(n, A_CONST) || ((const SdbAConst *)n)->kind != SDB_CONST_KIND_INTEGER)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "type modifiers must be simple constants or identifiers");
    *v = atoi(((const SdbAConst *)n)->val);
    return SDB_OK;
}

static int type_typmod(const SdbTypeName *tn, const SdbTypeInfo *type, int32_t *typmod)
{
    int n = sdb_list_length(tn->typmods), a = 0, b = 0;
    *typmod = -1;
    if (n == 0)
        return SDB_OK;
    if (typmod_arg(tn, 0, &a) != SDB_OK || (n > 1 && typmod_arg(tn, 1, &b) != SDB_OK))
        return SDB_ERROR;
    SdbOid oid = type->oid;
    if ((oid == SDB_TYPEOID_VARCHAR || oid == SDB_TYPEOID_BPCHAR) && n == 1) {
        if (a < 1)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "length for type %s must be at least 1", type->name);
        if (a > 10485760)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "length for type %s cannot exceed 10485760", type->name);
        *typmod = a + 4;
    } else if (oid == SDB_TYPEOID_NUMERIC && n <= 2) {
        if (a < 1 || a > 1000)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "NUMERIC precision %d must be between 1 and 1000", a);
        if (b < -1000 || b > 1000)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "NUMERIC scale %d must be between -1000 and 1000", b);
        *typmod = sdb_numeric_typmod(a, b);
    } else if ((oid == SDB_TYPEOID_TIMESTAMP || oid == SDB_TYPEOID_TIMESTAMPTZ || oid == SDB_TYPEOID_TIME ||
                oid == SDB_TYPEOID_TIMETZ || oid == SDB_TYPEOID_INTERVAL) &&
               n == 1) {
        if (a < 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "precision for type %s must be at least 0", type->name);
        *typmod = a > 6 ? 6 : a;
    } else {
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "type modifier is not allowed for type \"%s\"", type->name);
    }
    return SDB_OK;
}

int sdb_ddl_type(SdbDdl *d, const SdbTypeName *tn, SdbOid *type, int32_t *typmod)
{
    (void)d;
    int n = sdb_list_length(tn->names);
    const SdbNode *last = sdb_list_nth(tn->names, n - 1);
    const char *name = SDB_IS_A(last, STRING) ? ((const SdbString *)last)->sval : "";
    const SdbTypeInfo *info = sdb_type_by_name(name);
    if (info == NULL || info->kind == SDB_TYPEKIND_PSEUDO) {
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
        sdb_error_position(tn->location + 1);
        return SDB_ERROR;
    }
    if (type_typmod(tn, info, typmod) != SDB_OK)
        return SDB_ERROR;
    *type = info->oid;
    if (info->oid == SDB_TYPEOID_BPCHAR && *typmod == -1 && n == 2 && strcmp(name, "bpchar") == 0)
        *typmod = 1 + 4; /* CHARACTER without a length is char(1) */
    if (tn->array_bounds != NULL) {
        if (info->array_oid == 0) {
            sdb_error(SDB_ERR_UNDEFINED_OBJECT, "type \"%s[]\" does not exist", name);
            return SDB_ERROR;
        }
        *type = info->array_oid;
    }
    return SDB_OK;
}

/* --- SQL text -------------------------------------------------------------- */

/* Skip a quoted string or identifier, a comment, or one byte; returns the
 * offset after it. */
static int skip_token(const char *s, int i)
{
    if (s[i] == '\'' || s[i] == '"') {
        char q = s[i++];
        while (s[i] != '\0') {
            if (s[i] == q && s[i + 1] == q)
                i += 2;
            else if (s[i] == q)
                return i + 1;
            else
                i++;
        }
        return i;
    }
    if (s[i] == '-' && s[i + 1] == '-') {
        while (s[i] != '\0' && s[i] != '\n')
            i++;
        return i;
    }
    if (s[i] == '/' && s[i + 1] == '*') {
        const char *end = strstr(s + i + 2, "*/");
        return end ? (int)(end - s) + 2 : (int)strlen(s);
    }
    return i + 1;
}

static const char *trimmed(SdbDdl *d, int start, int end)
{
    const char *s = d->ctx->sql;
    while (start < end && isspace((unsigned char)s[start]))
        start++;
    while (end > start && isspace((unsigned char)s[end - 1]))
        end--;
    return sdb_arena_strndup(d->arena, s + start, (size_t)(end - start));
}

const char *sdb_ddl_expr_text(SdbDdl *d, int start, int stop)
{
    const char *s = d->ctx->sql;
    int depth = 0, i = start;
    while (s[i] != '\0' && (stop < 0 || i < stop)) {
        if (s[i] == '(' || s[i] == '[')
            depth++;
        else if ((s[i] == ')' || s[i] == ']') && depth-- == 0)
            break;
        else if ((s[i] == ',' || s[i] == ';') && depth == 0)
            break;
        i = skip_token(s, i);
    }
    return trimmed(d, start, i);
}

const char *sdb_ddl_paren_text(SdbDdl *d, int start)
{
    const char *s = d->ctx->sql;
    int i = start;
    while (s[i] != '\0' && s[i] != '(')
        i = skip_token(s, i);
    if (s[i] == '\0')
        return trimmed(d, i, i);
    int open = ++i, depth = 0;
    while (s[i] != '\0') {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && depth-- == 0)
            break;
        i = skip_token(s, i);
    }
    return trimmed(d, open, i);
}

int sdb_ddl_after_keyword(SdbDdl *d, int start, const char *kw, int n)
{
    const char *s = d->ctx->sql;
    size_t len = strlen(kw);
    int depth = 0, i = start;
    while (s[i] != '\0') {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')')
            depth--;
        else if (depth == 0 && strncasecmp(s + i, kw, len) == 0 && !isalnum((unsigned char)s[i + len]) &&
                 s[i + len] != '_' && (i == 0 || (!isalnum((unsigned char)s[i - 1]) && s[i - 1] != '_')) && n-- == 0)
            return i + (int)len;
        i = skip_token(s, i);
    }
    return -1;
}

/* --- dispatch ---------------------------------------------------------------- */

int sdb_ddl_execute(SdbDdlContext *ctx, const SdbNode *stmt, SdbStr *tag)
{
    SdbDdl d = {.ctx = ctx, .cat = ctx->catalog, .txn = ctx->txn, .arena = ctx->arena};
    if (sdb_cat_begin_change(d.cat, d.txn) != SDB_OK)
        return SDB_ERROR;
    d.xid = d.txn->xid;
    const char *name;
    int rc;
    switch (SDB_NODE_TAG(stmt)) {
    case SDB_T_CREATE_STMT:
        name = "CREATE TABLE";
        rc = sdb_ddl_create_table(&d, (const SdbCreateStmt *)stmt);
        break;
    case SDB_T_INDEX_STMT:
        name = "CREATE INDEX";
        rc = sdb_ddl_index_stmt(&d, (const SdbIndexStmt *)stmt);
        break;
    case SDB_T_DROP_STMT: {
        static const char *const tags[] = {[SDB_OBJECT_TYPE_TABLE] = "DROP TABLE",
                                           [SDB_OBJECT_TYPE_INDEX] = "DROP INDEX",
                                           [SDB_OBJECT_TYPE_VIEW] = "DROP VIEW",
                                           [SDB_OBJECT_TYPE_SCHEMA] = "DROP SCHEMA",
                                           [SDB_OBJECT_TYPE_SEQUENCE] = "DROP SEQUENCE"};
        const SdbDropStmt *drop = (const SdbDropStmt *)stmt;
        name = (size_t)drop->remove_type < sizeof tags / sizeof tags[0] && tags[drop->remove_type]
                   ? tags[drop->remove_type]
                   : "DROP";
        rc = sdb_ddl_drop(&d, drop);
        break;
    }
    case SDB_T_ALTER_TABLE_STMT:
        name = "ALTER TABLE";
        rc = sdb_ddl_alter_table(&d, (const SdbAlterTableStmt *)stmt);
        break;
    case SDB_T_RENAME_STMT: {
        const SdbRenameStmt *r = (const SdbRenameStmt *)stmt;
        name = r->rename_type == SDB_OBJECT_TYPE_INDEX      ? "ALTER INDEX"
               : r->rename_type == SDB_OBJECT_TYPE_VIEW     ? "ALTER VIEW"
               : r->rename_type == SDB_OBJECT_TYPE_SEQUENCE ? "ALTER SEQUENCE"
               : r->rename_type == SDB_OBJECT_TYPE_SCHEMA   ? "ALTER SCHEMA"
               : r->rename_type == SDB_OBJECT_TYPE_ROLE     ? "ALTER ROLE"
                                                            : "ALTER TABLE";
        rc = r->rename_type == SDB_OBJECT_TYPE_ROLE ? sdb_ddl_rename_role(&d, r->subname, r->newname)
                                                    : sdb_ddl_rename(&d, r);
        break;
    }
    case SDB_T_VIEW_STMT:
        name = "CREATE VIEW";
        rc = sdb_ddl_view(&d, (const SdbViewStmt *)stmt);
        break;
    case SDB_T_COMMENT_STMT:
        name = "COMMENT";
        rc = sdb_ddl_comment(&d, (const SdbCommentStmt *)stmt);
        break;
    case SDB_T_CREATE_SCHEMA_STMT:
        name = "CREATE SCHEMA";
        rc = sdb_ddl_create_schema(&d, (const SdbCreateSchemaStmt *)stmt);
        break;
    case SDB_T_CREATE_SEQ_STMT:
        name = "CREATE SEQUENCE";
        rc = sdb_ddl_seq_stmt(&d, (const SdbCreateSeqStmt *)stmt);
        break;
    case SDB_T_CREATEDB_STMT:
        name = "CREATE DATABASE";
        rc = sdb_ddl_createdb(&d, (const SdbCreatedbStmt *)stmt);
        break;
    case SDB_T_DROPDB_STMT:
        name = "DROP DATABASE";
        rc = sdb_ddl_dropdb(&d, (const SdbDropdbStmt *)stmt);
        break;
    case SDB_T_CREATE_ROLE_STMT:
        name = "CREATE ROLE";
        rc = sdb_ddl_create_role(&d, (const SdbCreateRoleStmt *)stmt);
        break;
    case SDB_T_ALTER_ROLE_STMT:
        name = "ALTER ROLE";
        rc = sdb_ddl_alter_role(&d, (const SdbAlterRoleStmt *)stmt);
        break;
    case SDB_T_DROP_ROLE_STMT:
        name = "DROP ROLE";
        rc = sdb_ddl_drop_role(&d, (const SdbDropRoleStmt *)stmt);
        break;
    default:
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "statement %s is not a DDL statement",
                         sdb_node_tag_name(SDB_NODE_TAG(stmt)));
    }
    if (rc != SDB_OK)
        return SDB_ERROR;
    if (sdb_ddl_sync(&d) != SDB_OK)
        return SDB_ERROR;
    sdb_str_reset(tag);
    return sdb_str_append_cstr(tag, name);
}
