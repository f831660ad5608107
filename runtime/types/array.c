/*
 * types/array.c: arrays (see array.h): building and taking apart, text
 * input ({1,2}, {{1,2},{3,4}}, quoting, NULL, [2:3]={1,2} bounds) and
 * output with PostgreSQL's quoting, the wire binary format, comparison,
 * hashing and keys (element by element, then size, dimensions and bounds,
 * as PostgreSQL's array_cmp); and int2vector/oidvector, one-dimensional
 * zero-based arrays written as space-separated numbers.
 */
#include "types/array.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/keycode.h"
#include "types/typefuncs.h"

#define HEADER_WORDS 3 /* ndim, hasnull, elemtype */
#define MAX_ITEMS (SDB_VARLENA_MAX / 8)

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

static bool elem_byval(SdbOid elemtype)
{
    const SdbTypeInfo *t = sdb_type_by_oid(elemtype);
    return t != NULL && t->byval;
}

static int32_t get_i32(const unsigned char *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void put_i32(unsigned char *p, int32_t v)
{
    memcpy(p, &v, 4);
}

/* The number of items of dims, or -1 if it exceeds MAX_ITEMS. */
static int count_items(int ndim, const int *dims)
{
    int64_t n = ndim > 0 ? 1 : 0;
    for (int i = 0; i < ndim; i++) {
        n *= dims[i];
        if (n > MAX_ITEMS)
            return -1;
    }
    return (int)n;
}

static int err_too_large(void)
{
    return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "array size exceeds the maximum allowed (%d)", (int)MAX_ITEMS);
}

int sdb_array_build(SdbArena *arena, const SdbArray *a, SdbDatum *out)
{
    int n = count_items(a->ndim, a->dims);
    if (n < 0)
        return err_too_large();
    bool byval = elem_byval(a->elemtype), hasnull = false;
    size_t size = 4 * (HEADER_WORDS + 2 * (size_t)a->ndim);
    for (int i = 0; i < n; i++) {
        hasnull |= a->nulls[i];
        if (!a->nulls[i])
            size += byval ? 8 : pad4(sizeof(SdbVarlena) + sdb_datum_varlena(a->values[i])->len + 1);
    }
    size_t bitmap = hasnull ? pad4(((size_t)n + 7) / 8) : 0;
    SdbVarlena *v = sdb_varlena_alloc(arena, size + bitmap);
    if (v == NULL)
        return SDB_ERROR;
    memset(v->data, 0, size + bitmap);
    unsigned char *p = v->data;
    put_i32(p, a->ndim);
    put_i32(p + 4, hasnull);
    put_i32(p + 8, (int32_t)a->elemtype);
    for (int d = 0; d < a->ndim; d++) {
        put_i32(p + 12 + 4 * d, a->dims[d]);
        put_i32(p + 12 + 4 * (a->ndim + d), a->lbound[d]);
    }
    unsigned char *bits = p + 4 * (HEADER_WORDS + 2 * (size_t)a->ndim), *item = bits + bitmap;
    for (int i = 0; i < n; i++) {
        if (a->nulls[i]) {
            bits[i / 8] |= (unsigned char)(1u << (i % 8));
        } else if (byval) {
            memcpy(item, &a->values[i], 8);
            item += 8;
        } else {
            const SdbVarlena *e = sdb_datum_varlena(a->values[i]);
            size_t len = sizeof(SdbVarlena) + e->len + 1;
            memcpy(item, e, len);
            item += pad4(len);
        }
    }
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

int sdb_array_deconstruct(SdbArena *arena, SdbDatum array, SdbArray *out)
{
    const unsigned char *p = sdb_datum_varlena(array)->data;
    out->ndim = get_i32(p);
    bool hasnull = get_i32(p + 4) != 0;
    out->elemtype = (SdbOid)get_i32(p + 8);
    for (int d = 0; d < out->ndim; d++) {
        out->dims[d] = get_i32(p + 12 + 4 * d);
        out->lbound[d] = get_i32(p + 12 + 4 * (out->ndim + d));
    }
    out->nitems = count_items(out->ndim, out->dims);
    out->values = sdb_arena_alloc(arena, sizeof(SdbDatum) * (size_t)out->nitems);
    out->nulls = sdb_arena_alloc(arena, sizeof(bool) * (size_t)out->nitems);
    if (out->values == NULL || out->nulls == NULL)
        return SDB_ERROR;
    bool byval = elem_byval(out->elemtype);
    const unsigned char *bits = p + 4 * (HEADER_WORDS + 2 * (size_t)out->ndim);
    const unsigned char *item = bits + (hasnull ? pad4(((size_t)out->nitems + 7) / 8) : 0);
    for (int i = 0; i < out->nitems; i++) {
        out->nulls[i] = hasnull && (bits[i / 8] >> (i % 8) & 1);
        out->values[i] = 0;
        if (out->nulls[i])
            continue;
        if (byval) {
            memcpy(&out->values[i], item, 8);
            item += 8;
        } else {
            out->values[i] = sdb_datum_from_ptr(item);
            item += pad4(sizeof(SdbVarlena) + sdb_datum_varlena(out->values[i])->len + 1);
        }
    }
    return SDB_OK;
}

/* The element type of array type `typid` (0 when it is not one). */
static SdbOid element_type(SdbOid typid)
{
    const SdbTypeInfo *t = sdb_type_by_oid(typid);
    return t != NULL ? t->elem_oid : SDB_INVALID_OID;
}

/* A context for converting elements of the array type in `ctx`. */
static SdbTypeCtx element_ctx(const SdbTypeCtx *ctx)
{
    SdbTypeCtx e = *ctx;
    e.typid = element_type(ctx->typid);
    return e;
}

/* --- text input -------------------------------------------------------- */

typedef struct ArrayParser {
    const char *text; /* the whole input, for messages */
    const char *p;
    SdbTypeCtx ectx;  /* element conversions */
    int ndim;         /* 0 until the first element fixes it */
    int dims[SDB_ARRAY_MAXDIM];
    int nitems, cap;
    SdbDatum *values;
    bool *nulls;
    SdbStr elem;
} ArrayParser;

/* 22P02 malformed array literal, with a printf-style detail. */
SDB_PRINTF(2, 3) static int malformed(const ArrayParser *ap, const char *detail_fmt, ...)
{
    char detail[256];
    va_list args;
    va_start(args, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, args);
    va_end(args);
    sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "malformed array literal: \"%s\"", ap->text);
    sdb_error_detail("%s", detail);
    return SDB_ERROR;
}

static void skip_space(ArrayParser *ap)
{
    while (sdb_isspace((unsigned char)*ap->p))
        ap->p++;
}

static int push_item(ArrayParser *ap, SdbDatum v, bool isnull)
{
    if (ap->nitems == ap->cap) {
        int cap = ap->cap ? ap->cap * 2 : 16;
        if ((uint32_t)cap > MAX_ITEMS)
            return err_too_large();
        SdbDatum *values = sdb_arena_realloc(ap->ectx.arena, ap->values, sizeof(SdbDatum) * (size_t)ap->cap,
                                             sizeof(SdbDatum) * (size_t)cap);
        bool *nulls = values == NULL ? NULL : sdb_arena_realloc(ap->ectx.arena, ap->nulls, (size_t)ap->cap, (size_t)cap);
        if (nulls == NULL)
            return SDB_ERROR;
        ap->values = values;
        ap->nulls = nulls;
        ap->cap = cap;
    }
    ap->values[ap->nitems] = v;
    ap->nulls[ap->nitems++] = isnull;
    return SDB_OK;
}

/* One element (quoted or not) at ap->p, converted with the element type. */
static int parse_element(ArrayParser *ap)
{
    sdb_str_reset(&ap->elem);
    bool quoted = false, escaped = false;
    size_t keep = 0; /* unquoted: length up to the last escaped or non-space byte */
    if (*ap->p == '"') {
        quoted = true;
        for (ap->p++; *ap->p != '"'; ap->p++) {
            if (*ap->p == '\\')
                ap->p++;
            if (*ap->p == '\0')
                return malformed(ap, "Unexpected end of input.");
            if (sdb_str_append_char(&ap->elem, *ap->p) != SDB_OK)
                return SDB_ERROR;
        }
        ap->p++;
        skip_space(ap);
        if (*ap->p != ',' && *ap->p != '}' && *ap->p != '\0')
            return malformed(ap, "Unexpected array element.");
    } else {
        for (; *ap->p != ',' && *ap->p != '}'; ap->p++) {
            char c = *ap->p;
            if (c == '\0')
                return malformed(ap, "Unexpected end of input.");
            if (c == '"')
                return malformed(ap, "Unexpected array element.");
            if (c == '{')
                return malformed(ap, "Unexpected \"%c\" character.", c);
            if (c == '\\') {
                c = *++ap->p;
                if (c == '\0')
                    return malformed(ap, "Unexpected end of input.");
                escaped = true;
            }
            if (sdb_str_append_char(&ap->elem, c) != SDB_OK)
                return SDB_ERROR;
            if (escaped || !sdb_isspace((unsigned char)c))
                keep = ap->elem.len;
            escaped = false;
        }
        ap->elem.len = keep;
        ap->elem.data[keep] = '\0';
    }
    if (!quoted && keep == 4 && strncasecmp(ap->elem.data, "null", 4) == 0 && !memchr(ap->elem.data, '\\', 4))
        return push_item(ap, 0, true);
    SdbDatum v;
    if (sdb_type_input(&ap->ectx, ap->elem.data, &v) != SDB_OK)
        return SDB_ERROR;
    return push_item(ap, v, false);
}

/* A brace-enclosed level at ap->p (on '{') of depth `level`. */
static int parse_level(ArrayParser *ap, int level)
{
    if (level >= SDB_ARRAY_MAXDIM)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%d) exceeds the maximum allowed (%d)", level + 1, SDB_ARRAY_MAXDIM);
    ap->p++;
    skip_space(ap);
    int count = 0;
    if (*ap->p == '}' && level == 0 && ap->ndim == 0) {
        ap->p++;
        return SDB_OK;
    }
    for (;;) {
        skip_space(ap);
        if (*ap->p == '{') {
            if (ap->ndim != 0 && level + 1 >= ap->ndim)
                return malformed(ap, "Unexpected \"%c\" character.", '{');
            if (parse_level(ap, level + 1) != SDB_OK)
                return SDB_ERROR;
        } else if (*ap->p == '}' || *ap->p == ',') {
            return malformed(ap, "Unexpected \"%c\" character.", *ap->p);
        } else if (*ap->p == '\0') {
            return malformed(ap, "Unexpected end of input.");
        } else {
            if (ap->ndim == 0)
                ap->ndim = level + 1;
            if (level + 1 != ap->ndim)
                return malformed(ap, "Unexpected array element.");
            if (parse_element(ap) != SDB_OK)
                return SDB_ERROR;
        }
        count++;
        skip_space(ap);
        if (*ap->p == ',') {
            ap->p++;
            continue;
        }
        if (*ap->p == '}')
            break;
        if (*ap->p == '\0')
            return malformed(ap, "Unexpected end of input.");
        return malformed(ap, "Unexpected \"%c\" character.", *ap->p);
    }
    ap->p++;
    if (ap->dims[level] == 0)
        ap->dims[level] = count;
    else if (ap->dims[level] != count)
        return malformed(ap, "Multidimensional arrays must have sub-arrays with matching dimensions.");
    return SDB_OK;
}

/* An integer at ap->p (optional sign), for dimension decorations. */
static bool read_bound(ArrayParser *ap, int *v)
{
    char *end;
    long long x = strtoll(ap->p, &end, 10);
    if (end == ap->p || x < INT32_MIN || x > INT32_MAX)
        return false;
    *v = (int)x;
    ap->p = end;
    return true;
}

/* "[lb:ub][ub]...=" before the braces: the explicit dimensions. */
static int parse_decoration(ArrayParser *ap, int *ndim, int *lb, int *ub)
{
    *ndim = 0;
    while (*ap->p == '[') {
        if (*ndim == SDB_ARRAY_MAXDIM)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                             "number of array dimensions (%d) exceeds the maximum allowed (%d)", *ndim + 1,
                             SDB_ARRAY_MAXDIM);
        ap->p++;
        int a, b;
        if (!read_bound(ap, &a))
            return malformed(ap, "\"[\" must introduce explicitly-specified array dimensions.");
        if (*ap->p == ':') {
            ap->p++;
            if (!read_bound(ap, &b))
                return malformed(ap, "Missing array dimension value.");
        } else {
            b = a;
            a = 1;
        }
        if (*ap->p++ != ']')
            return malformed(ap, "Missing \"%c\" after array dimensions.", ']');
        if (b < a)
            return sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound");
        lb[*ndim] = a;
        ub[*ndim] = b;
        (*ndim)++;
        skip_space(ap);
    }
    if (*ndim == 0)
        return SDB_OK;
    if (*ap->p != '=')
        return malformed(ap, "Missing \"%c\" after array dimensions.", '=');
    ap->p++;
    skip_space(ap);
    return SDB_OK;
}

int sdb_array_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    ArrayParser ap = {.text = text, .p = text, .ectx = element_ctx(ctx)};
    sdb_str_init(&ap.elem, ctx->arena);
    int xdim, lb[SDB_ARRAY_MAXDIM], ub[SDB_ARRAY_MAXDIM];
    skip_space(&ap);
    if (parse_decoration(&ap, &xdim, lb, ub) != SDB_OK)
        return SDB_ERROR;
    if (*ap.p != '{')
        return malformed(&ap, "Array value must start with \"{\" or dimension information.");
    if (parse_level(&ap, 0) != SDB_OK)
        return SDB_ERROR;
    skip_space(&ap);
    if (*ap.p != '\0')
        return malformed(&ap, "Junk after closing right brace.");
    SdbArray a = {.ndim = ap.ndim, .elemtype = ap.ectx.typid, .values = ap.values, .nulls = ap.nulls};
    for (int d = 0; d < ap.ndim; d++) {
        a.dims[d] = ap.dims[d];
        a.lbound[d] = 1;
    }
    if (xdim > 0) {
        if (xdim != ap.ndim)
            return malformed(&ap, "Specified array dimensions do not match array contents.");
        for (int d = 0; d < xdim; d++) {
            if ((int64_t)ub[d] - lb[d] + 1 != a.dims[d])
                return malformed(&ap, "Specified array dimensions do not match array contents.");
            a.lbound[d] = lb[d];
        }
    }
    return sdb_array_build(ctx->arena, &a, out);
}

/* --- text output -------------------------------------------------------- */

/* Whether an element's text must be quoted (PostgreSQL's array_out rule). */
static bool needs_quotes(const char *s, size_t len)
{
    if (len == 0 || (len == 4 && strncasecmp(s, "null", 4) == 0))
        return true;
    for (size_t i = 0; i < len; i++)
        if (strchr("{},\"\\", s[i]) != NULL || sdb_isspace((unsigned char)s[i]))
            return true;
    return false;
}

static int append_element(SdbStr *out, const char *s, size_t len)
{
    if (!needs_quotes(s, len))
        return sdb_str_append(out, s, len);
    if (sdb_str_append_char(out, '"') != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < len; i++)
        if (((s[i] == '"' || s[i] == '\\') && sdb_str_append_char(out, '\\') != SDB_OK) ||
            sdb_str_append_char(out, s[i]) != SDB_OK)
            return SDB_ERROR;
    return sdb_str_append_char(out, '"');
}

int sdb_array_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    SdbArray a;
    if (sdb_array_deconstruct(ctx->arena, value, &a) != SDB_OK)
        return SDB_ERROR;
    if (a.ndim == 0)
        return sdb_str_append_cstr(out, "{}");
    bool decorate = false;
    for (int d = 0; d < a.ndim; d++)
        decorate |= a.lbound[d] != 1;
    for (int d = 0; decorate && d < a.ndim; d++)
        if (sdb_str_appendf(out, "[%d:%d]", a.lbound[d], a.lbound[d] + a.dims[d] - 1) != SDB_OK)
            return SDB_ERROR;
    if (decorate && sdb_str_append_char(out, '=') != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx ectx = *ctx;
    ectx.typid = a.elemtype;
    SdbStr elem;
    sdb_str_init(&elem, ctx->arena);
    int index[SDB_ARRAY_MAXDIM] = {0};
    for (int i = 0; i < a.nitems; i++) {
        /* open the braces of every dimension whose index is at 0 */
        int opens = 0;
        for (int d = a.ndim - 1; d >= 0 && index[d] == 0; d--)
            opens++;
        for (int k = 0; k < opens; k++)
            if (sdb_str_append_char(out, '{') != SDB_OK)
                return SDB_ERROR;
        if (i > 0 && opens == 0 && sdb_str_append_char(out, ',') != SDB_OK)
            return SDB_ERROR;
        sdb_str_reset(&elem);
        int rc = a.nulls[i] ? sdb_str_append_cstr(out, "NULL")
                            : (sdb_type_output(&ectx, a.values[i], &elem) == SDB_OK ? append_element(out, elem.data, elem.len)
                                                                                     : SDB_ERROR);
        if (rc != SDB_OK)
            return SDB_ERROR;
        /* advance the index, closing the braces of every dimension that wraps */
        for (int d = a.ndim - 1; d >= 0; d--) {
            if (++index[d] < a.dims[d])
                break;
            index[d] = 0;
            if (sdb_str_append_char(out, '}') != SDB_OK)
                return SDB_ERROR;
            if (d > 0 && index[d - 1] + 1 < a.dims[d - 1] && sdb_str_append_char(out, ',') != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* --- binary --------------------------------------------------------------- */

int sdb_array_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    SdbArray a;
    if (sdb_array_deconstruct(ctx->arena, value, &a) != SDB_OK)
        return SDB_ERROR;
    bool hasnull = false;
    for (int i = 0; i < a.nitems; i++)
        hasnull |= a.nulls[i];
    if (sdb_send_u32(out, (uint32_t)a.ndim) != SDB_OK || sdb_send_u32(out, hasnull) != SDB_OK ||
        sdb_send_u32(out, a.elemtype) != SDB_OK)
        return SDB_ERROR;
    for (int d = 0; d < a.ndim; d++)
        if (sdb_send_u32(out, (uint32_t)a.dims[d]) != SDB_OK || sdb_send_u32(out, (uint32_t)a.lbound[d]) != SDB_OK)
            return SDB_ERROR;
    SdbTypeCtx ectx = *ctx;
    ectx.typid = a.elemtype;
    for (int i = 0; i < a.nitems; i++) {
        if (a.nulls[i]) {
            if (sdb_send_u32(out, UINT32_MAX) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        size_t at = out->len;
        if (sdb_send_u32(out, 0) != SDB_OK || sdb_type_send(&ectx, a.values[i], out) != SDB_OK)
            return SDB_ERROR;
        uint32_t len = (uint32_t)(out->len - at - 4);
        unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                               (unsigned char)len};
        memcpy(out->data + at, be, 4);
    }
    return SDB_OK;
}

static int recv_i32(SdbRecvBuf *buf, int32_t *v)
{
    uint32_t u;
    if (sdb_recv_u32(buf, &u) != SDB_OK)
        return SDB_ERROR;
    *v = (int32_t)u;
    return SDB_OK;
}

/* The header of a received array: dimensions checked as array_recv does. */
static int recv_header(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbArray *a)
{
    int32_t ndim, flags, elemtype;
    if (recv_i32(buf, &ndim) != SDB_OK || recv_i32(buf, &flags) != SDB_OK || recv_i32(buf, &elemtype) != SDB_OK)
        return SDB_ERROR;
    if (ndim < 0)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid number of dimensions: %d", ndim);
    if (ndim > SDB_ARRAY_MAXDIM)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndim, SDB_ARRAY_MAXDIM);
    if (flags != 0 && flags != 1)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid array flags");
    SdbOid expected = element_type(ctx->typid);
    if ((SdbOid)elemtype != expected) {
        const SdbTypeInfo *got = sdb_type_by_oid((SdbOid)elemtype), *want = sdb_type_by_oid(expected);
        return sdb_error(SDB_ERR_DATATYPE_MISMATCH,
                         "binary data has array element type %u (%s) instead of expected %u (%s)",
                         (unsigned)elemtype, got != NULL ? got->name : "unknown", (unsigned)expected,
                         want != NULL ? want->name : "unknown");
    }
    a->ndim = ndim;
    a->elemtype = expected;
    for (int d = 0; d < ndim; d++) {
        if (recv_i32(buf, &a->dims[d]) != SDB_OK || recv_i32(buf, &a->lbound[d]) != SDB_OK)
            return SDB_ERROR;
        if (a->dims[d] < 0 || (int64_t)a->lbound[d] + a->dims[d] - 1 > INT32_MAX)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "array size exceeds the maximum allowed (%d)",
                             (int)MAX_ITEMS);
    }
    a->nitems = count_items(ndim, a->dims);
    if (a->nitems < 0)
        return err_too_large();
    if (a->nitems == 0)
        a->ndim = 0;
    return SDB_OK;
}

int sdb_array_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    SdbArray a;
    if (recv_header(ctx, buf, &a) != SDB_OK)
        return SDB_ERROR;
    if ((size_t)a.nitems > (buf->len - buf->pos) / 4) /* each item takes at least its length word */
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "insufficient data left in message");
    a.values = sdb_arena_alloc(ctx->arena, sizeof(SdbDatum) * (size_t)a.nitems);
    a.nulls = sdb_arena_alloc(ctx->arena, sizeof(bool) * (size_t)a.nitems);
    if (a.values == NULL || a.nulls == NULL)
        return SDB_ERROR;
    SdbTypeCtx ectx = *ctx;
    ectx.typid = a.elemtype;
    for (int i = 0; i < a.nitems; i++) {
        int32_t len;
        if (recv_i32(buf, &len) != SDB_OK)
            return SDB_ERROR;
        a.nulls[i] = len == -1;
        a.values[i] = 0;
        if (len == -1)
            continue;
        if (len < -1 || (size_t)len > buf->len - buf->pos)
            return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
        SdbRecvBuf sub = {buf->data + buf->pos, (size_t)len, 0};
        buf->pos += (size_t)len;
        if (sdb_type_receive_buf(&ectx, &sub, &a.values[i]) != SDB_OK)
            return SDB_ERROR;
        if (sub.pos != sub.len)
            return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "improper binary format in array element %d",
                             i + 1);
    }
    return sdb_array_build(ctx->arena, &a, out);
}

/* --- order ---------------------------------------------------------------- */

/* Items (0x01 + element key, or 0x02 for NULL, which sorts after values),
 * 0x00, then ndim, dims and lower bounds. */
int sdb_array_key(SdbDatum v, SdbStr *out)
{
    SdbArray a;
    if (sdb_array_deconstruct(out->arena, v, &a) != SDB_OK)
        return SDB_ERROR;
    const SdbTypeOps *ops = sdb_type_ops(a.elemtype);
    if (a.nitems > 0 && (ops == NULL || ops->key == NULL)) {
        const SdbTypeInfo *t = sdb_type_by_oid(a.elemtype);
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify a comparison function for type %s",
                         t != NULL ? t->name : "unknown");
    }
    for (int i = 0; i < a.nitems; i++)
        if (sdb_send_u8(out, a.nulls[i] ? 2 : 1) != SDB_OK || (!a.nulls[i] && ops->key(a.values[i], out) != SDB_OK))
            return SDB_ERROR;
    if (sdb_send_u8(out, 0) != SDB_OK || sdb_send_u8(out, (uint8_t)a.ndim) != SDB_OK)
        return SDB_ERROR;
    for (int d = 0; d < a.ndim; d++)
        if (sdb_key_int(out, a.dims[d], 4) != SDB_OK)
            return SDB_ERROR;
    for (int d = 0; d < a.ndim; d++)
        if (sdb_key_int(out, a.lbound[d], 4) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_array_compare(SdbDatum a, SdbDatum b)
{
    return sdb_compare_by_key(sdb_array_key, a, b);
}

uint64_t sdb_array_hash(SdbDatum v)
{
    return sdb_hash_by_key(sdb_array_key, v);
}

/* --- int2vector and oidvector ---------------------------------------------- */

/* int2vectorin/oidvectorin: whitespace-separated element values. */
int sdb_vector_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    SdbTypeCtx ectx = element_ctx(ctx);
    ArrayParser ap = {.text = text, .p = text, .ectx = ectx};
    sdb_str_init(&ap.elem, ctx->arena);
    for (;;) {
        skip_space(&ap);
        if (*ap.p == '\0')
            break;
        sdb_str_reset(&ap.elem);
        while (*ap.p != '\0' && !sdb_isspace((unsigned char)*ap.p))
            if (sdb_str_append_char(&ap.elem, *ap.p++) != SDB_OK)
                return SDB_ERROR;
        SdbDatum v;
        if (sdb_type_input(&ectx, ap.elem.data, &v) != SDB_OK || push_item(&ap, v, false) != SDB_OK)
            return SDB_ERROR;
    }
    SdbArray a = {.ndim = ap.nitems > 0, .dims = {ap.nitems}, .lbound = {0}, .elemtype = ectx.typid,
                  .values = ap.values, .nulls = ap.nulls};
    return sdb_array_build(ctx->arena, &a, out);
}

int sdb_vector_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    SdbArray a;
    if (sdb_array_deconstruct(ctx->arena, value, &a) != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx ectx = *ctx;
    ectx.typid = a.elemtype;
    for (int i = 0; i < a.nitems; i++)
        if ((i > 0 && sdb_str_append_char(out, ' ') != SDB_OK) || sdb_type_output(&ectx, a.values[i], out) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* int2vectorrecv/oidvectorrecv: a one-dimensional, zero-based array without NULLs. */
int sdb_vector_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    SdbDatum arr;
    SdbArray a;
    if (sdb_array_recv(ctx, buf, &arr) != SDB_OK || sdb_array_deconstruct(ctx->arena, arr, &a) != SDB_OK)
        return SDB_ERROR;
    bool ok = a.ndim == 0 || (a.ndim == 1 && a.lbound[0] == 0);
    for (int i = 0; ok && i < a.nitems; i++)
        ok = !a.nulls[i];
    if (!ok)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid %s data",
                         ctx->typid == SDB_TYPEOID_OIDVECTOR ? "oidvector" : "int2vector");
    *out = arr;
    return SDB_OK;
}

/* oidvector order (PostgreSQL's btoidvectorcmp): shorter first, then by element. */
int sdb_vector_key(SdbDatum v, SdbStr *out)
{
    SdbArray a;
    if (sdb_array_deconstruct(out->arena, v, &a) != SDB_OK || sdb_send_u32(out, (uint32_t)a.nitems) != SDB_OK)
        return SDB_ERROR;
    const SdbTypeOps *ops = sdb_type_ops(a.elemtype);
    for (int i = 0; i < a.nitems; i++)
        if (ops->key(a.values[i], out) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_vector_compare(SdbDatum a, SdbDatum b)
{
    return sdb_compare_by_key(sdb_vector_key, a, b);
}
