/*
 * types/strings.c: the character types text, varchar(n), bpchar(n) (char(n))
 * and name, plus bytea and uuid.  UTF-8 validation, typmod length checks and
 * blank padding, bytea's hex and escape formats, uuid's accepted spellings;
 * binary I/O; comparison in byte order (the C collation), hashing, keys.
 */
#include <string.h>

#include "common/hash.h"
#include "common/utf8.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

#define NAME_MAX_BYTES 63 /* PostgreSQL's NAMEDATALEN - 1 */
#define TYPMOD_HEADER 4   /* character typmods are n + 4, as PostgreSQL's VARHDRSZ */

/* varchar/bpchar typmod rule: a value longer than `max` characters is an
 * error unless the excess is all spaces, which are cut.  Returns the kept
 * byte count through *keep. */
static int clip_to_typmod(const char *s, size_t len, int32_t max, const char *type, size_t *keep)
{
    size_t cut = sdb_utf8_prefix_bytes(s, len, (size_t)max);
    for (size_t j = cut; j < len; j++)
        if (s[j] != ' ')
            return sdb_error(SDB_ERR_STRING_DATA_RIGHT_TRUNCATION, "value too long for type %s(%d)", type, (int)max);
    *keep = cut;
    return SDB_OK;
}

/* The value of a character type from `len` bytes of valid UTF-8, with the
 * type's typmod rules applied: varchar clips, bpchar clips and pads, name
 * truncates to 63 bytes. */
static int make_chars(const SdbTypeCtx *ctx, const char *s, size_t len, SdbDatum *out)
{
    if (sdb_utf8_verify(s, len) != SDB_OK)
        return SDB_ERROR;
    size_t pad = 0;
    int32_t max = ctx->typmod - TYPMOD_HEADER;
    if (ctx->typid == SDB_TYPEOID_NAME) {
        if (len > NAME_MAX_BYTES) { /* cut at a character boundary */
            len = NAME_MAX_BYTES;
            while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
                len--;
        }
    } else if (ctx->typmod >= TYPMOD_HEADER && (ctx->typid == SDB_TYPEOID_VARCHAR || ctx->typid == SDB_TYPEOID_BPCHAR)) {
        bool bp = ctx->typid == SDB_TYPEOID_BPCHAR;
        size_t chars = (size_t)sdb_utf8_char_count(s, len);
        if (chars > (size_t)max) {
            if (clip_to_typmod(s, len, max, bp ? "character" : "character varying", &len) != SDB_OK)
                return SDB_ERROR;
        } else if (bp) {
            pad = (size_t)max - chars;
        }
    }
    SdbVarlena *v = sdb_varlena_alloc(ctx->arena, len + pad);
    if (v == NULL)
        return SDB_ERROR;
    memcpy(v->data, s, len);
    memset(v->data + len, ' ', pad);
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

/* textin, varcharin, bpcharin, namein: the typmod rules of ctx->typid. */
int sdb_textin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    return make_chars(ctx, text, strlen(text), out);
}

/* textrecv, varcharrecv, bpcharrecv, namerecv: the rest of the buffer. */
int sdb_textrecv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    const unsigned char *p = NULL;
    size_t n = buf->len - buf->pos;
    if (sdb_recv_bytes(buf, n, &p) != SDB_OK)
        return SDB_ERROR;
    if (ctx->typid == SDB_TYPEOID_NAME && n > NAME_MAX_BYTES) {
        sdb_error(SDB_ERR_NAME_TOO_LONG, "identifier too long");
        sdb_error_detail("Identifier must be less than %d characters.", NAME_MAX_BYTES + 1);
        return SDB_ERROR;
    }
    return make_chars(ctx, (const char *)p, n, out);
}

/* textout and the other character outputs: the bytes as they are. */
int sdb_textout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    const SdbVarlena *v = sdb_datum_varlena(value);
    return sdb_str_append(out, v->data, v->len);
}

/* Every varlena type whose binary form is its payload (text, bytea, json ...). */
int sdb_varlenasend(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    return sdb_textout(ctx, value, out);
}

/* Compare two byte strings: memcmp, then the shorter first. */
static int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (alen > blen) - (alen < blen);
}

/* text, varchar, name, bytea: byte order (the C collation). */
int sdb_bytes_compare(SdbDatum a, SdbDatum b)
{
    const SdbVarlena *x = sdb_datum_varlena(a), *y = sdb_datum_varlena(b);
    return bytes_cmp(x->data, x->len, y->data, y->len);
}

uint64_t sdb_bytes_hash(SdbDatum v)
{
    const SdbVarlena *x = sdb_datum_varlena(v);
    return sdb_hash_bytes(x->data, x->len, 0);
}

int sdb_bytes_key(SdbDatum v, SdbStr *out)
{
    const SdbVarlena *x = sdb_datum_varlena(v);
    return sdb_key_bytes(out, x->data, x->len);
}

/* bpchar ignores trailing blanks in comparison. */
static size_t bpchar_len(const SdbVarlena *x)
{
    size_t n = x->len;
    while (n > 0 && x->data[n - 1] == ' ')
        n--;
    return n;
}

int sdb_bpchar_compare(SdbDatum a, SdbDatum b)
{
    const SdbVarlena *x = sdb_datum_varlena(a), *y = sdb_datum_varlena(b);
    return bytes_cmp(x->data, bpchar_len(x), y->data, bpchar_len(y));
}

uint64_t sdb_bpchar_hash(SdbDatum v)
{
    const SdbVarlena *x = sdb_datum_varlena(v);
    return sdb_hash_bytes(x->data, bpchar_len(x), 0);
}

int sdb_bpchar_key(SdbDatum v, SdbStr *out)
{
    const SdbVarlena *x = sdb_datum_varlena(v);
    return sdb_key_bytes(out, x->data, bpchar_len(x));
}

/* --- bytea ------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* PostgreSQL's hex_decode: pairs of hex digits, whitespace between pairs. */
static int bytea_hex_decode(const char *s, unsigned char *dst, size_t *n)
{
    size_t k = 0;
    while (*s != '\0') {
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            s++;
            continue;
        }
        int hi = hex_value(s[0]);
        if (hi < 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid hexadecimal digit: \"%.*s\"",
                             sdb_utf8_char_bytes(s), s);
        if (s[1] == '\0')
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits");
        int lo = hex_value(s[1]);
        if (lo < 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid hexadecimal digit: \"%.*s\"",
                             sdb_utf8_char_bytes(s + 1), s + 1);
        dst[k++] = (unsigned char)(hi << 4 | lo);
        s += 2;
    }
    *n = k;
    return SDB_OK;
}

/* The traditional escape format: \\ for a backslash, \ooo for any byte. */
static int bytea_escape_decode(const char *s, unsigned char *dst, size_t *n)
{
    size_t k = 0;
    while (*s != '\0') {
        if (s[0] != '\\') {
            dst[k++] = (unsigned char)*s++;
        } else if (s[1] == '\\') {
            dst[k++] = '\\';
            s += 2;
        } else if (s[1] >= '0' && s[1] <= '3' && sdb_isoctal(s[2]) && sdb_isoctal(s[3])) {
            dst[k++] = (unsigned char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
            s += 4;
        } else {
            return sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea");
        }
    }
    *n = k;
    return SDB_OK;
}

int sdb_byteain(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    size_t len = strlen(text);
    SdbVarlena *v = sdb_varlena_alloc(ctx->arena, len);
    if (v == NULL)
        return SDB_ERROR;
    size_t n = 0;
    int rc = (text[0] == '\\' && text[1] == 'x') ? bytea_hex_decode(text + 2, v->data, &n)
                                                 : bytea_escape_decode(text, v->data, &n);
    if (rc != SDB_OK)
        return SDB_ERROR;
    v->len = (uint32_t)n;
    v->data[n] = '\0';
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

static int append_hex(SdbStr *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char pair[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        if (sdb_str_append(out, pair, 2) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_byteaout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    const SdbVarlena *v = sdb_datum_varlena(value);
    if (sdb_str_append(out, "\\x", 2) != SDB_OK)
        return SDB_ERROR;
    return append_hex(out, v->data, v->len);
}

/* bytearecv: the rest of the buffer, as is. */
int sdb_bytearecv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    const unsigned char *p = NULL;
    size_t n = buf->len - buf->pos;
    if (sdb_recv_bytes(buf, n, &p) != SDB_OK)
        return SDB_ERROR;
    return sdb_varlena_make(ctx->arena, p, n, out);
}

/* --- uuid -------------------------------------------------------------- */

#define UUID_LEN 16

/* PostgreSQL's string_to_uuid: optional braces, hex pairs, a hyphen allowed
 * after any group of four hex digits. */
int sdb_uuid_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    unsigned char u[UUID_LEN];
    const char *s = text;
    bool braces = (*s == '{');
    if (braces)
        s++;
    for (int i = 0; i < UUID_LEN; i++) {
        int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);
        if (lo < 0)
            return sdb_err_syntax("uuid", text);
        u[i] = (unsigned char)(hi << 4 | lo);
        s += 2;
        if (*s == '-' && i % 2 == 1 && i < UUID_LEN - 1)
            s++;
    }
    if (braces && *s++ != '}')
        return sdb_err_syntax("uuid", text);
    if (*s != '\0')
        return sdb_err_syntax("uuid", text);
    return sdb_varlena_make(ctx->arena, u, UUID_LEN, out);
}

int sdb_uuid_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    const unsigned char *u = sdb_datum_varlena(value)->data;
    static const int groups[] = {4, 2, 2, 2, 6};
    for (int g = 0, i = 0; g < 5; i += groups[g++]) {
        if ((g > 0 && sdb_str_append_char(out, '-') != SDB_OK) || append_hex(out, u + i, (size_t)groups[g]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_uuid_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    const unsigned char *p = NULL;
    if (sdb_recv_bytes(buf, UUID_LEN, &p) != SDB_OK)
        return SDB_ERROR;
    return sdb_varlena_make(ctx->arena, p, UUID_LEN, out);
}

/* Fixed-length by-reference types stored big-endian (uuid, tid): the
 * payload itself is the key.  aclitem uses it too: it has no SQL order, so
 * any total order consistent with equality will do. */
int sdb_raw_key(SdbDatum v, SdbStr *out)
{
    const SdbVarlena *x = sdb_datum_varlena(v);
    return sdb_str_append(out, x->data, x->len);
}
