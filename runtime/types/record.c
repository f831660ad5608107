/*
 * types/record.c: anonymous records (record.h): building one, record_out
 * (PostgreSQL's composite text: `(a,"x y",)`), record_send, the order
 * (column by column, NULL after any value, as PostgreSQL's record_cmp)
 * through a key encoding, and the input functions that refuse, as
 * PostgreSQL does for type record.
 */
#include "types/record.h"

#include <ctype.h>
#include <string.h>

#include "common/error.h"
#include "sdb_types.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

static bool byval(SdbOid type)
{
    const SdbTypeInfo *t = sdb_type_by_oid(type);
    return t != NULL && t->byval;
}

int sdb_record_make(SdbArena *arena, int n, const SdbOid *types, const SdbDatum *values, const bool *nulls,
                    SdbDatum *out)
{
    size_t len = 4;
    for (int i = 0; i < n; i++)
        len += 5 + (nulls[i] ? 0 : byval(types[i]) ? 8 : 4 + sdb_datum_varlena(values[i])->len);
    SdbVarlena *v = sdb_varlena_alloc(arena, len);
    if (v == NULL)
        return SDB_ERROR;
    unsigned char *p = (unsigned char *)v->data;
    int32_t count = n;
    memcpy(p, &count, 4);
    p += 4;
    for (int i = 0; i < n; i++) {
        memcpy(p, &types[i], 4);
        p[4] = nulls[i];
        p += 5;
        if (nulls[i])
            continue;
        if (byval(types[i])) {
            memcpy(p, &values[i], 8);
            p += 8;
        } else {
            const SdbVarlena *s = sdb_datum_varlena(values[i]);
            memcpy(p, &s->len, 4);
            memcpy(p + 4, s->data, s->len);
            p += 4 + s->len;
        }
    }
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

/* Reading a record's columns in order. */
typedef struct RecordReader {
    const unsigned char *p;
    int left;
    SdbArena *arena;
} RecordReader;

static void reader_init(RecordReader *r, SdbDatum value, SdbArena *arena)
{
    const SdbVarlena *v = sdb_datum_varlena(value);
    int32_t count;
    memcpy(&count, v->data, 4);
    r->p = (const unsigned char *)v->data + 4;
    r->left = count;
    r->arena = arena;
}

/* The next column: its type, NULL flag and value (by-reference values
 * are copied out, aligned); false when there is none. */
static bool reader_next(RecordReader *r, SdbOid *type, bool *isnull, SdbDatum *value, int *rc)
{
    *rc = SDB_OK;
    if (r->left-- <= 0)
        return false;
    memcpy(type, r->p, 4);
    *isnull = r->p[4] != 0;
    r->p += 5;
    if (*isnull)
        return true;
    if (byval(*type)) {
        memcpy(value, r->p, 8);
        r->p += 8;
        return true;
    }
    uint32_t len;
    memcpy(&len, r->p, 4);
    *rc = sdb_varlena_make(r->arena, r->p + 4, len, value);
    r->p += 4 + len;
    return *rc == SDB_OK;
}

int sdb_record_column(SdbArena *arena, SdbDatum rec, int i, SdbDatum *value, bool *isnull)
{
    RecordReader r;
    SdbOid type;
    int rc;
    reader_init(&r, rec, arena);
    *isnull = true;
    for (int k = 0; reader_next(&r, &type, isnull, value, &rc); k++)
        if (k == i)
            return SDB_OK;
    *isnull = true;
    return rc;
}

/* A column's text in a record: quoted when empty or holding a quote, a
 * backslash, a parenthesis, a comma or white space (PostgreSQL's
 * record_out). */
static int append_field(SdbStr *out, const char *text)
{
    bool quote = text[0] == '\0';
    for (const char *c = text; *c && !quote; c++)
        quote = *c == '"' || *c == '\\' || *c == '(' || *c == ')' || *c == ',' || isspace((unsigned char)*c);
    if (!quote)
        return sdb_str_append_cstr(out, text);
    int rc = sdb_str_append_char(out, '"');
    for (const char *c = text; *c && rc == SDB_OK; c++) {
        if (*c == '"' || *c == '\\')
            rc = sdb_str_append_char(out, *c);
        if (rc == SDB_OK)
            rc = sdb_str_append_char(out, *c);
    }
    return rc == SDB_OK ? sdb_str_append_char(out, '"') : rc;
}

SDB_TYPE_OUTPUT(sdb_record_out)
{
    RecordReader r;
    SdbTypeCtx col = *ctx;
    SdbOid type;
    bool isnull;
    SdbDatum v;
    int rc;
    reader_init(&r, value, ctx->arena);
    if (sdb_str_append_char(out, '(') != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; reader_next(&r, &type, &isnull, &v, &rc); i++) {
        if (i > 0 && sdb_str_append_char(out, ',') != SDB_OK)
            return SDB_ERROR;
        if (isnull)
            continue;
        SdbStr text;
        sdb_str_init(&text, ctx->arena);
        col.typid = type;
        col.typmod = -1;
        if (sdb_type_output(&col, v, &text) != SDB_OK || append_field(out, text.data) != SDB_OK)
            return SDB_ERROR;
    }
    return rc == SDB_OK ? sdb_str_append_char(out, ')') : SDB_ERROR;
}

/* PostgreSQL's record_send: int32 count, then per column its type OID and
 * its binary value with a length (-1: NULL). */
SDB_TYPE_SEND(sdb_record_send)
{
    RecordReader r;
    SdbTypeCtx col = *ctx;
    SdbOid type;
    bool isnull;
    SdbDatum v;
    int rc;
    reader_init(&r, value, ctx->arena);
    if (sdb_send_u32(out, (uint32_t)r.left) != SDB_OK)
        return SDB_ERROR;
    while (reader_next(&r, &type, &isnull, &v, &rc)) {
        if (sdb_send_u32(out, type) != SDB_OK || (isnull && sdb_send_u32(out, UINT32_MAX) != SDB_OK))
            return SDB_ERROR;
        if (isnull)
            continue;
        size_t at = out->len;
        col.typid = type;
        col.typmod = -1;
        if (sdb_send_u32(out, 0) != SDB_OK || sdb_type_send(&col, v, out) != SDB_OK)
            return SDB_ERROR;
        uint32_t len = (uint32_t)(out->len - at - 4);
        unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                               (unsigned char)len};
        memcpy(out->data + at, be, 4);
    }
    return rc;
}

/* Each column: 1 and its type's key, or 2 for NULL (after any value). */
int sdb_record_key(SdbDatum v, SdbStr *out)
{
    RecordReader r;
    SdbOid type;
    bool isnull;
    SdbDatum value;
    int rc;
    reader_init(&r, v, out->arena);
    while (reader_next(&r, &type, &isnull, &value, &rc)) {
        const SdbTypeOps *ops = isnull ? NULL : sdb_type_ops(type);
        if (!isnull && (ops == NULL || ops->key == NULL)) {
            const SdbTypeInfo *t = sdb_type_by_oid(type);
            return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify a comparison function for type %s",
                             t != NULL ? t->name : "unknown");
        }
        if (sdb_send_u8(out, isnull ? 2 : 1) != SDB_OK || (!isnull && ops->key(value, out) != SDB_OK))
            return SDB_ERROR;
    }
    return rc == SDB_OK ? sdb_send_u8(out, 0) : SDB_ERROR;
}

int sdb_record_compare(SdbDatum a, SdbDatum b)
{
    return sdb_compare_by_key(sdb_record_key, a, b);
}

uint64_t sdb_record_hash(SdbDatum v)
{
    return sdb_hash_by_key(sdb_record_key, v);
}

static int anonymous_input(void)
{
    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "input of anonymous composite types is not implemented");
}

SDB_TYPE_INPUT(sdb_record_in)
{
    (void)ctx;
    (void)text;
    (void)out;
    return anonymous_input();
}

SDB_TYPE_RECV(sdb_record_recv)
{
    (void)ctx;
    (void)buf;
    (void)out;
    return anonymous_input();
}
