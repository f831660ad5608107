/*
 * types/int.c: the fixed-width by-value types: bool, "char", int2, int4,
 * int8, oid, xid, the reg* OID aliases (numeric forms only), and tid (by
 * reference, 6 bytes).  Text and binary I/O, comparison, hashing and key
 * encoding.
 */
#include <string.h>

#include "common/hash.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

/* Parse an integer PostgreSQL's way (pg_strtoint): optional whitespace,
 * sign, at least one decimal digit, optional whitespace; `type` names the
 * type in errors; the value must lie in [min, max]. */
static int parse_int(const char *text, int64_t min, int64_t max, const char *type, int64_t *out)
{
    const char *p = text;
    *out = 0;
    while (sdb_isspace((unsigned char)*p))
        p++;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = (*p++ == '-');
    if (*p < '0' || *p > '9')
        return sdb_err_syntax(type, text);
    uint64_t mag = 0;
    bool overflow = false;
    uint64_t limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (mag > (limit - d) / 10)
            overflow = true;
        else
            mag = mag * 10 + d;
    }
    while (sdb_isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return sdb_err_syntax(type, text);
    if (overflow)
        return sdb_err_range(type, text);
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return SDB_OK;
}

/* int2in, int4in, int8in: the range and SQL name of ctx->typid. */
int sdb_intin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    static const struct {
        SdbOid oid;
        int64_t min, max;
        const char *name;
    } ints[] = {{SDB_TYPEOID_INT2, INT16_MIN, INT16_MAX, "smallint"},
                {SDB_TYPEOID_INT4, INT32_MIN, INT32_MAX, "integer"},
                {SDB_TYPEOID_INT8, INT64_MIN, INT64_MAX, "bigint"}};
    size_t i = 0;
    while (i + 1 < sizeof ints / sizeof ints[0] && ints[i].oid != ctx->typid)
        i++;
    int64_t v;
    if (parse_int(text, ints[i].min, ints[i].max, ints[i].name, &v) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_int64(v);
    return SDB_OK;
}

/* int2out, int4out and int8out: the decimal digits. */
int sdb_intout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return sdb_str_appendf(out, "%lld", (long long)sdb_datum_to_int64(value));
}

/* The width in bytes of by-value type `typid` (1, 2, 4 or 8). */
static int byval_width(SdbOid typid)
{
    return sdb_type_by_oid(typid)->len;
}

/* The send function of every by-value type: its width's low-order bytes. */
int sdb_byval_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    return sdb_send_be(out, value, byval_width(ctx->typid));
}

/* int2/int4/int8, oid, xid, reg*, "char", float4/float8 receive: the type's
 * width in bytes; int2 and int4 are sign-extended, the others are not. */
int sdb_byval_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    int width = byval_width(ctx->typid);
    uint64_t v;
    if (sdb_recv_be(buf, width, &v) != SDB_OK)
        return SDB_ERROR;
    if (ctx->typid == SDB_TYPEOID_INT2)
        v = (uint64_t)(int64_t)(int16_t)v;
    else if (ctx->typid == SDB_TYPEOID_INT4)
        v = (uint64_t)(int64_t)(int32_t)v;
    *out = v;
    return SDB_OK;
}

int sdb_int_compare(SdbDatum a, SdbDatum b)
{
    int64_t x = sdb_datum_to_int64(a), y = sdb_datum_to_int64(b);
    return (x > y) - (x < y);
}

uint64_t sdb_int_hash(SdbDatum v)
{
    int64_t x = sdb_datum_to_int64(v);
    return sdb_hash_bytes(&x, sizeof x, 0);
}

int sdb_int2_key(SdbDatum v, SdbStr *out) { return sdb_key_int(out, sdb_datum_to_int64(v), 2); }
int sdb_int4_key(SdbDatum v, SdbStr *out) { return sdb_key_int(out, sdb_datum_to_int64(v), 4); }
int sdb_int8_key(SdbDatum v, SdbStr *out) { return sdb_key_int(out, sdb_datum_to_int64(v), 8); }

/* --- oid, xid and the reg* aliases: unsigned 32-bit ---------------------- */

/* oidin and xidin: decimal, and, as PostgreSQL allows, negative values
 * down to -2147483648 wrap around. */
int sdb_oidin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    const char *type = ctx->typid == SDB_TYPEOID_XID ? "xid" : "oid";
    int64_t v;
    if (parse_int(text, INT64_MIN, INT64_MAX, type, &v) != SDB_OK)
        return SDB_ERROR;
    if (v < INT32_MIN || v > (int64_t)UINT32_MAX)
        return sdb_err_range(type, text);
    *out = (uint32_t)v;
    return SDB_OK;
}

int sdb_oidout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return sdb_str_appendf(out, "%u", (unsigned)(uint32_t)value);
}

/* The SQL name of a reg* type, for error messages. */
static const char *reg_type_name(SdbOid typid)
{
    const SdbTypeInfo *t = sdb_type_by_oid(typid);
    return t != NULL ? t->name : "oid";
}

/* regprocin, regclassin, regtypein, regnamespacein, regrolein: "-" is
 * InvalidOid (0), a number is the OID itself; a name goes to ctx->reg. */
int sdb_regin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    if (strcmp(text, "-") == 0) {
        *out = 0;
        return SDB_OK;
    }
    const char *p = text;
    while (sdb_isspace((unsigned char)*p))
        p++;
    if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+')
        return sdb_oidin(ctx, text, out);
    if (ctx->reg == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s input by name is not supported",
                         reg_type_name(ctx->typid));
    SdbOid oid;
    if (ctx->reg->input(ctx->reg->arg, ctx->typid, text, &oid) != SDB_OK)
        return SDB_ERROR;
    *out = oid;
    return SDB_OK;
}

/* reg*out: "-" for 0, else the object's name from ctx->reg, else the
 * number (an object that does not exist, or no catalog at hand). */
int sdb_regout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    if ((uint32_t)value == 0)
        return sdb_str_append_char(out, '-');
    bool found = false;
    if (ctx->reg != NULL && ctx->reg->output(ctx->reg->arg, ctx->typid, (SdbOid)value, out, &found) != SDB_OK)
        return SDB_ERROR;
    return found ? SDB_OK : sdb_oidout(ctx, value, out);
}

int sdb_oid_compare(SdbDatum a, SdbDatum b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return (x > y) - (x < y);
}

uint64_t sdb_oid_hash(SdbDatum v)
{
    uint32_t x = (uint32_t)v;
    return sdb_hash_bytes(&x, sizeof x, 0);
}

int sdb_oid_key(SdbDatum v, SdbStr *out)
{
    return sdb_send_u32(out, (uint32_t)v);
}

/* --- bool ------------------------------------------------------------- */

/* Whether `s` (length n) is a prefix of `word` at least `min` long. */
static bool bool_word(const char *s, size_t n, const char *word, size_t min)
{
    return n >= min && n <= strlen(word) && strncasecmp(s, word, n) == 0;
}

int sdb_boolin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    (void)ctx;
    const char *s;
    size_t n = sdb_trimmed(text, &s);
    if (bool_word(s, n, "true", 1) || bool_word(s, n, "yes", 1) || bool_word(s, n, "on", 2) ||
        (n == 1 && s[0] == '1')) {
        *out = 1;
        return SDB_OK;
    }
    if (bool_word(s, n, "false", 1) || bool_word(s, n, "no", 1) || bool_word(s, n, "off", 2) ||
        (n == 1 && s[0] == '0')) {
        *out = 0;
        return SDB_OK;
    }
    return sdb_err_syntax("boolean", text);
}

int sdb_boolout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return sdb_str_append_char(out, value ? 't' : 'f');
}

int sdb_boolrecv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    (void)ctx;
    uint8_t b;
    if (sdb_recv_u8(buf, &b) != SDB_OK)
        return SDB_ERROR;
    *out = b != 0;
    return SDB_OK;
}

/* --- "char" ----------------------------------------------------------- */

int sdb_charin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    (void)ctx;
    if (strlen(text) == 4 && text[0] == '\\' && sdb_isoctal(text[1]) && sdb_isoctal(text[2]) && sdb_isoctal(text[3]))
        *out = (uint8_t)(((text[1] - '0') << 6) | ((text[2] - '0') << 3) | (text[3] - '0'));
    else
        *out = (uint8_t)text[0];
    return SDB_OK;
}

int sdb_charout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    uint8_t c = (uint8_t)value;
    if (c == 0)
        return SDB_OK;
    if (c & 0x80)
        return sdb_str_appendf(out, "\\%03o", c);
    return sdb_str_append_char(out, (char)c);
}

/* bool and "char" compare, hash and encode as unsigned bytes. */
int sdb_byte_compare(SdbDatum a, SdbDatum b)
{
    uint8_t x = (uint8_t)a, y = (uint8_t)b;
    return (x > y) - (x < y);
}

uint64_t sdb_byte_hash(SdbDatum v)
{
    uint8_t x = (uint8_t)v;
    return sdb_hash_bytes(&x, 1, 0);
}

int sdb_byte_key(SdbDatum v, SdbStr *out)
{
    return sdb_send_u8(out, (uint8_t)v);
}

/* --- tid: (block, offset), 6 bytes by reference ------------------------- */

static int tid_make(const SdbTypeCtx *ctx, uint32_t block, uint16_t offset, SdbDatum *out)
{
    unsigned char b[6] = {(unsigned char)(block >> 24), (unsigned char)(block >> 16), (unsigned char)(block >> 8),
                          (unsigned char)block, (unsigned char)(offset >> 8), (unsigned char)offset};
    return sdb_varlena_make(ctx->arena, b, sizeof b, out);
}

static void tid_get(SdbDatum v, uint32_t *block, uint16_t *offset)
{
    const unsigned char *b = sdb_datum_varlena(v)->data;
    *block = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    *offset = (uint16_t)((b[4] << 8) | b[5]);
}

/* Unsigned decimal digits at *p, at most `max`; advances *p. */
static bool read_unsigned(const char **p, uint64_t max, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        x = x * 10 + (uint64_t)(*s - '0');
        if (x > max)
            return false;
    }
    *v = x;
    bool any = s != *p;
    *p = s;
    return any;
}

/* "(block,offset)", nothing else; like PostgreSQL, a block number from
 * -2147483648 to -1 wraps around. */
int sdb_tidin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    const char *p = text;
    uint64_t block, offset;
    bool neg = p[0] == '(' && p[1] == '-';
    if (*p++ != '(' || (neg && *p++ != '-') || !read_unsigned(&p, neg ? UINT64_C(2147483648) : UINT32_MAX, &block) ||
        *p++ != ',' || !read_unsigned(&p, UINT16_MAX, &offset) || *p++ != ')' || *p != '\0')
        return sdb_err_syntax("tid", text);
    return tid_make(ctx, neg ? (uint32_t)(0 - block) : (uint32_t)block, (uint16_t)offset, out);
}

int sdb_tidout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    uint32_t block;
    uint16_t offset;
    tid_get(value, &block, &offset);
    return sdb_str_appendf(out, "(%u,%u)", (unsigned)block, (unsigned)offset);
}

int sdb_tidrecv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint32_t block;
    uint16_t offset;
    if (sdb_recv_u32(buf, &block) != SDB_OK || sdb_recv_u16(buf, &offset) != SDB_OK)
        return SDB_ERROR;
    return tid_make(ctx, block, offset, out);
}
