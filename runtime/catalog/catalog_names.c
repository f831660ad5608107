/*
 * catalog/catalog_names.c: relation names as text, PostgreSQL's regclass
 * input and output: "name", "schema.name", quoted identifiers.
 */
#include <ctype.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "sdb_keywords.h"

/* Split `text` into at most 3 dot-separated identifiers (quoted ones kept
 * as written, unquoted ones down-cased), PostgreSQL's SplitIdentifierString. */
static int split_name(SdbArena *arena, const char *text, char **parts, int *nparts)
{
    const char *p = text;
    *nparts = 0;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        SdbStr part;
        sdb_str_init(&part, arena);
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
                if (*p == '"' && p[1] != '"')
                    break;
                if (*p == '"')
                    p++;
                if (sdb_str_append_char(&part, *p) != SDB_OK)
                    return SDB_ERROR;
            }
            p++;
        } else {
            while (*p != '\0' && *p != '.' && !isspace((unsigned char)*p))
                if (sdb_str_append_char(&part, (char)tolower((unsigned char)*p++)) != SDB_OK)
                    return SDB_ERROR;
        }
        if (part.len == 0 || *nparts == 3)
            return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        parts[(*nparts)++] = part.data;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return SDB_OK;
        if (*p++ != '.')
            return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
    }
}

int sdb_catalog_regclass_in(SdbCatalog *cat, SdbTxn *txn, SdbArena *arena, const char *text,
                            const char *const *search_path, int npath, SdbOid *oid)
{
    char *parts[3];
    int n;
    if (split_name(arena, text, parts, &n) != SDB_OK)
        return SDB_ERROR;
    if (n == 3)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cross-database references are not implemented: %s", text);
    const SdbRelation *rel;
    if (sdb_catalog_lookup(cat, txn, n == 2 ? parts[0] : NULL, parts[n - 1], search_path, npath, &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", text);
    *oid = rel->oid;
    return SDB_OK;
}

int sdb_cat_quote_identifier(SdbStr *out, const char *ident)
{
    bool plain = ident[0] != '\0' && (islower((unsigned char)ident[0]) || ident[0] == '_');
    for (const char *c = ident; plain && *c; c++)
        plain = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_';
    int kw = plain ? sdb_keyword_lookup(ident, strlen(ident)) : -1;
    if (plain && (kw < 0 || sdb_keywords[kw].category == SDB_KW_UNRESERVED))
        return sdb_str_append_cstr(out, ident);
    if (sdb_str_append_char(out, '"') != SDB_OK)
        return SDB_ERROR;
    for (const char *c = ident; *c; c++)
        if ((*c == '"' && sdb_str_append_char(out, '"') != SDB_OK) || sdb_str_append_char(out, *c) != SDB_OK)
            return SDB_ERROR;
    return sdb_str_append_char(out, '"');
}

int sdb_catalog_regclass_out(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, const char *const *search_path, int npath,
                             SdbStr *out)
{
    const SdbRelation *rel, *found;
    if (sdb_catalog_relation(cat, txn, oid, &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL)
        return sdb_str_appendf(out, "%u", oid);
    if (sdb_catalog_lookup(cat, txn, NULL, rel->name, search_path, npath, &found) != SDB_OK)
        return SDB_ERROR;
    if (found != rel &&
        (sdb_cat_quote_identifier(out, rel->namespace_name) != SDB_OK || sdb_str_append_char(out, '.') != SDB_OK))
        return SDB_ERROR;
    return sdb_cat_quote_identifier(out, rel->name);
}
