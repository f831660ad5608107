/*
 * types/float.c: float4 (real) and float8 (double precision): input with
 * NaN/Infinity spellings and range errors, PostgreSQL 12+'s shortest exact
 * output, binary I/O, comparison (NaN equal to itself and above every other
 * value, -0 equal to 0), hashing and key encoding.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "common/hash.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

/* The special spellings strtod leaves to us, case-insensitively. */
static bool float_special(const char *s, size_t n, double *v)
{
    static const struct {
        const char *word;
        double value;
    } words[] = {{"nan", NAN},         {"infinity", INFINITY},   {"+infinity", INFINITY}, {"-infinity", -INFINITY},
                 {"inf", INFINITY},    {"+inf", INFINITY},       {"-inf", -INFINITY}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && strncasecmp(s, words[i].word, n) == 0) {
            *v = words[i].value;
            return true;
        }
    return false;
}

/* Parse a float as float8in/float4in do; `single` parses with strtof. */
static int parse_float(const char *text, bool single, const char *type, double *out)
{
    const char *s;
    size_t n = sdb_trimmed(text, &s);
    *out = 0;
    if (n == 0)
        return sdb_err_syntax(type, text);
    if (float_special(s, n, out))
        return SDB_OK;
    char *end;
    errno = 0;
    double v = single ? (double)strtof(s, &end) : strtod(s, &end);
    if (end == s || (size_t)(end - s) != n)
        return sdb_err_syntax(type, text);
    if (errno == ERANGE && (v == 0 || isinf(v)))
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "\"%.*s\" is out of range for type %s", (int)n, s, type);
    *out = v;
    return SDB_OK;
}

/* float4in and float8in. */
int sdb_floatin(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    bool single = ctx->typid == SDB_TYPEOID_FLOAT4;
    double v;
    if (parse_float(text, single, single ? "real" : "double precision", &v) != SDB_OK)
        return SDB_ERROR;
    *out = single ? sdb_datum_from_float4((float)v) : sdb_datum_from_float8(v);
    return SDB_OK;
}

/* Whether the %e string `buf` reads back as exactly `v`. */
static bool round_trips(const char *buf, double v, bool single)
{
    return single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v;
}

/* Append the shortest decimal that reads back as `v`, in PostgreSQL's layout:
 * plain digits when the decimal exponent is in [-4, fixed_limit), else
 * d.ddde+XX. */
static int float_format(double v, bool single, SdbStr *out)
{
    if (isnan(v))
        return sdb_str_append_cstr(out, "NaN");
    if (isinf(v))
        return sdb_str_append_cstr(out, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0)
        return sdb_str_append_cstr(out, signbit(v) ? "-0" : "0");
    char buf[64];
    int maxprec = single ? 9 : 17;
    for (int p = 1; p <= maxprec; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (round_trips(buf, v, single))
            break;
    }
    /* buf is [-]d[.ddd]e[+-]xx: collect the digits and the exponent */
    char digits[32];
    int nd = 0;
    const char *p = buf;
    bool neg = (*p == '-');
    if (neg)
        p++;
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg && sdb_str_append_char(out, '-') != SDB_OK)
        return SDB_ERROR;
    int fixed_limit = single ? 6 : 15;
    if (exp < -4 || exp >= fixed_limit) {
        if (sdb_str_append_char(out, digits[0]) != SDB_OK)
            return SDB_ERROR;
        if (nd > 1 && (sdb_str_append_char(out, '.') != SDB_OK || sdb_str_append(out, digits + 1, (size_t)nd - 1) != SDB_OK))
            return SDB_ERROR;
        return sdb_str_appendf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    }
    if (exp < 0) {
        if (sdb_str_append(out, "0.0000", (size_t)(1 - exp)) != SDB_OK)
            return SDB_ERROR;
        return sdb_str_append(out, digits, (size_t)nd);
    }
    for (int i = 0; i <= exp; i++)
        if (sdb_str_append_char(out, i < nd ? digits[i] : '0') != SDB_OK)
            return SDB_ERROR;
    if (nd > exp + 1 &&
        (sdb_str_append_char(out, '.') != SDB_OK || sdb_str_append(out, digits + exp + 1, (size_t)(nd - exp - 1)) != SDB_OK))
        return SDB_ERROR;
    return SDB_OK;
}

/* float4out and float8out. */
int sdb_floatout(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    bool single = ctx->typid == SDB_TYPEOID_FLOAT4;
    return float_format(single ? sdb_datum_to_float4(value) : sdb_datum_to_float8(value), single, out);
}

/* PostgreSQL's float comparison: NaNs are equal and above everything. */
static int float_cmp(double x, double y)
{
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return (x > y) - (x < y);
}

int sdb_float4_compare(SdbDatum a, SdbDatum b)
{
    return float_cmp(sdb_datum_to_float4(a), sdb_datum_to_float4(b));
}

int sdb_float8_compare(SdbDatum a, SdbDatum b)
{
    return float_cmp(sdb_datum_to_float8(a), sdb_datum_to_float8(b));
}

/* float4 hashes as the equal float8, as PostgreSQL does for cross-type joins. */
static uint64_t float_hash(double v)
{
    if (v == 0)
        v = 0;
    else if (isnan(v))
        v = NAN;
    return sdb_hash_bytes(&v, sizeof v, 0);
}

uint64_t sdb_float4_hash(SdbDatum v) { return float_hash(sdb_datum_to_float4(v)); }
uint64_t sdb_float8_hash(SdbDatum v) { return float_hash(sdb_datum_to_float8(v)); }

int sdb_float4_key(SdbDatum v, SdbStr *out) { return sdb_key_float8(out, sdb_datum_to_float4(v)); }
int sdb_float8_key(SdbDatum v, SdbStr *out) { return sdb_key_float8(out, sdb_datum_to_float8(v)); }
