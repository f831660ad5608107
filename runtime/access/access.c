/*
 * access/access.c: the helpers every part of runtime/access uses: scratch
 * memory per row change, relation lookup, attribute type lists, value
 * equality, key encoding of single columns, and the text of columns and values in
 * error details.
 */
#include "access/access_int.h"

#include <string.h>

#include "types/typeio.h"

SdbArena *acc_enter(SdbAccessContext *ac)
{
    SdbAccessPrivate *priv = ac->priv;
    if (priv == NULL) {
        priv = sdb_arena_calloc(ac->arena, 1, sizeof *priv);
        if (priv == NULL)
            return NULL;
        ac->priv = priv;
    }
    if (priv->depth == priv->nlevels) {
        SdbArena **levels = sdb_arena_realloc(ac->arena, priv->levels, (size_t)priv->nlevels * sizeof *levels,
                                              (size_t)(priv->nlevels + 1) * sizeof *levels);
        if (levels == NULL)
            return NULL;
        priv->levels = levels;
        if ((levels[priv->nlevels] = sdb_arena_create(ac->arena, "access scratch", 0)) == NULL)
            return NULL;
        priv->nlevels++;
    }
    SdbArena *arena = priv->levels[priv->depth++];
    sdb_arena_reset(arena);
    return arena;
}

void acc_leave(SdbAccessContext *ac)
{
    ac->priv->depth--;
}

int acc_relation(SdbAccessContext *ac, SdbOid oid, const SdbRelation **out)
{
    int rc = ac->relation != NULL ? ac->relation(ac->relation_arg, oid, out)
                                  : sdb_catalog_relation(ac->catalog, ac->txn, oid, out);
    if (rc != SDB_OK)
        return SDB_ERROR;
    if (*out == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "could not open relation with OID %u", oid);
    return SDB_OK;
}

SdbOid *acc_types(const SdbRelation *rel, SdbOid *buf, SdbArena *arena)
{
    SdbOid *types = rel->natts <= ACC_STACK_ATTS ? buf : sdb_arena_alloc(arena, (size_t)rel->natts * sizeof *types);
    if (types == NULL)
        return NULL;
    for (int i = 0; i < rel->natts; i++)
        types[i] = rel->attrs[i].type;
    return types;
}

bool acc_values_equal(SdbOid type, SdbDatum a, bool a_null, SdbDatum b, bool b_null)
{
    if (a_null || b_null)
        return a_null && b_null;
    const SdbTypeOps *ops = sdb_type_ops(type);
    if (ops == NULL || ops->compare == NULL)
        return a == b;
    return ops->compare(a, b) == 0;
}

/* ---- keys ------------------------------------------------------------------ */

int acc_key_column(const SdbRelation *rel, const SdbIndex *index, int k, SdbDatum value, bool isnull, SdbStr *out)
{
    int16_t opt = index->key_options != NULL ? index->key_options[k] : 0;
    SdbKeyOrder order = {.descending = (opt & 1) != 0, .nulls_first = (opt & 2) != 0};
    return sdb_key_encode(rel->attrs[index->keys[k] - 1].type, value, isnull, order, out);
}

bool acc_key_successor(SdbStr *key)
{
    while (key->len > 0 && (unsigned char)key->data[key->len - 1] == 0xFF)
        key->len--;
    if (key->len == 0)
        return false;
    key->data[key->len - 1] = (char)((unsigned char)key->data[key->len - 1] + 1);
    key->data[key->len] = '\0';
    return true;
}

/* ---- error details ---------------------------------------------------------- */

int acc_describe_columns(const SdbRelation *rel, const int16_t *attnums, int n, SdbStr *out)
{
    for (int i = 0; i < n; i++)
        if (sdb_str_appendf(out, "%s%s", i > 0 ? ", " : "", rel->attrs[attnums[i] - 1].name) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* One value's text as PostgreSQL shows it in a detail. */
static int describe_value(SdbAccessContext *ac, SdbOid type, SdbDatum value, bool isnull, SdbStr *out)
{
    if (isnull)
        return sdb_str_append_cstr(out, "null");
    SdbTypeCtx ctx = {.arena = out->arena, .timezone = ac->timezone, .typid = type, .typmod = -1};
    SdbStr text;
    sdb_str_init(&text, out->arena);
    if (sdb_type_output(&ctx, value, &text) != SDB_OK)
        return SDB_ERROR;
    return sdb_str_append(out, text.data, text.len);
}

int acc_describe_values(SdbAccessContext *ac, const SdbRelation *rel, const int16_t *attnums, int n,
                        const SdbDatum *values, const bool *nulls, SdbStr *out)
{
    for (int i = 0; i < n; i++) {
        int att = attnums[i] - 1;
        if ((i > 0 && sdb_str_append_cstr(out, ", ") != SDB_OK) ||
            describe_value(ac, rel->attrs[att].type, values[i], nulls[i], out) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
