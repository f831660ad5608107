/*
 * types/numeric.c: the numeric type.  A working form (NumVar: base-10000
 * digits in an arena) with PostgreSQL's algorithms: add/sub of magnitudes,
 * schoolbook multiplication, long division (Knuth's algorithm D), rounding
 * and truncation at a decimal scale, typmod overflow checks; text input
 * (exponents, NaN, Infinity) and output; the wire binary format; comparison,
 * hashing and the order-preserving key encoding.
 */
#include "types/numeric.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

#define NBASE 10000
#define DEC_DIGITS 4
#define SIGN_POS 0x0000
#define SIGN_NEG 0x4000
#define SIGN_NAN 0xC000
#define SIGN_PINF 0xD000
#define SIGN_NINF 0xF000
#define WEIGHT_MAX 32767       /* int16 weight of the stored form */
#define DSCALE_MAX 0x3FFF      /* PostgreSQL's NUMERIC_DSCALE_MAX */
#define MAX_PRECISION 1000     /* numeric(p,s): 1 <= p <= 1000 */
#define MIN_SIG_DIGITS 16      /* division keeps at least this many */
#define MAX_DISPLAY_SCALE 1000 /* division's result scale limit */
#define MAX_RESULT_SCALE 2000  /* round/trunc scale limit */
#define HEADER 8               /* stored payload: ndigits, weight, sign, dscale */

/* A number being worked on: digits[0] is worth NBASE^weight. */
typedef struct NumVar {
    int ndigits;
    int weight;
    int sign;
    int dscale;
    int16_t *digits;
} NumVar;

static bool is_special(const NumVar *v)
{
    return v->sign != SIGN_POS && v->sign != SIGN_NEG;
}

static int16_t *digits_alloc(SdbArena *arena, int n)
{
    return sdb_arena_alloc(arena, sizeof(int16_t) * (size_t)(n > 0 ? n : 1));
}

/* --- stored form <-> NumVar ------------------------------------------- */

/* Read the header fields of a datum without copying digits. */
static void peek(SdbDatum d, NumVar *v, const unsigned char **digits)
{
    const SdbVarlena *x = sdb_datum_varlena(d);
    uint16_t h[4];
    memcpy(h, x->data, sizeof h);
    v->ndigits = h[0];
    v->weight = (int16_t)h[1];
    v->sign = h[2];
    v->dscale = h[3];
    v->digits = NULL;
    *digits = x->data + HEADER;
}

/* Unpack a datum; the digits are copied into `arena` (they may be changed). */
static int unpack(SdbArena *arena, SdbDatum d, NumVar *v)
{
    const unsigned char *stored;
    peek(d, v, &stored);
    v->digits = digits_alloc(arena, v->ndigits);
    if (v->digits == NULL)
        return SDB_ERROR;
    memcpy(v->digits, stored, sizeof(int16_t) * (size_t)v->ndigits);
    return SDB_OK;
}

static int16_t peek_digit(const unsigned char *digits, int i)
{
    int16_t d;
    memcpy(&d, digits + 2 * i, sizeof d);
    return d;
}

/* Remove leading and trailing zero digits; zero becomes positive, weight 0. */
static void strip(NumVar *v)
{
    while (v->ndigits > 0 && v->digits[0] == 0) {
        v->digits++;
        v->ndigits--;
        v->weight--;
    }
    while (v->ndigits > 0 && v->digits[v->ndigits - 1] == 0)
        v->ndigits--;
    if (v->ndigits == 0) {
        v->weight = 0;
        if (!is_special(v))
            v->sign = SIGN_POS;
    }
}

static int err_overflow(void)
{
    return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

/* Store a NumVar as a datum (PostgreSQL's make_result). */
static int pack(SdbArena *arena, NumVar *v, SdbDatum *out)
{
    strip(v);
    if (is_special(v)) {
        v->ndigits = 0;
        v->weight = 0;
        v->dscale = 0;
    }
    if (v->weight > WEIGHT_MAX || v->weight < -WEIGHT_MAX - 1 || v->dscale > DSCALE_MAX)
        return err_overflow();
    SdbVarlena *x = sdb_varlena_alloc(arena, HEADER + 2 * (size_t)v->ndigits);
    if (x == NULL)
        return SDB_ERROR;
    uint16_t h[4] = {(uint16_t)v->ndigits, (uint16_t)(int16_t)v->weight, (uint16_t)v->sign, (uint16_t)v->dscale};
    memcpy(x->data, h, sizeof h);
    memcpy(x->data + HEADER, v->digits, sizeof(int16_t) * (size_t)v->ndigits);
    *out = sdb_datum_from_ptr(x);
    return SDB_OK;
}

static void set_zero(NumVar *v, int dscale)
{
    static int16_t none[1];
    v->ndigits = 0;
    v->weight = 0;
    v->sign = SIGN_POS;
    v->dscale = dscale;
    v->digits = none;
}

static void set_special(NumVar *v, int sign)
{
    set_zero(v, 0);
    v->sign = sign;
}

/* --- magnitude arithmetic (PostgreSQL's add_abs, sub_abs, cmp_abs) ------- */

static int cmp_abs(const NumVar *a, const NumVar *b)
{
    int i1 = 0, i2 = 0, w1 = a->weight, w2 = b->weight;
    while (w1 > w2 && i1 < a->ndigits) {
        if (a->digits[i1++] != 0)
            return 1;
        w1--;
    }
    while (w2 > w1 && i2 < b->ndigits) {
        if (b->digits[i2++] != 0)
            return -1;
        w2--;
    }
    if (w1 == w2)
        while (i1 < a->ndigits && i2 < b->ndigits) {
            int d = a->digits[i1++] - b->digits[i2++];
            if (d != 0)
                return d > 0 ? 1 : -1;
        }
    while (i1 < a->ndigits)
        if (a->digits[i1++] != 0)
            return 1;
    while (i2 < b->ndigits)
        if (b->digits[i2++] != 0)
            return -1;
    return 0;
}

/* |a| + |b| (subtract: |a| - |b|, requires |a| >= |b|) into r. */
static int addsub_abs(SdbArena *arena, const NumVar *a, const NumVar *b, bool subtract, NumVar *r)
{
    int rweight = (a->weight > b->weight ? a->weight : b->weight) + (subtract ? 0 : 1);
    int f1 = a->ndigits - a->weight - 1, f2 = b->ndigits - b->weight - 1;
    int rfrac = f1 > f2 ? f1 : f2;
    int n = rfrac + rweight + 1;
    if (n <= 0)
        n = 1;
    int16_t *d = digits_alloc(arena, n);
    if (d == NULL)
        return SDB_ERROR;
    int i1 = rfrac + a->weight + 1, i2 = rfrac + b->weight + 1, carry = 0;
    for (int i = n - 1; i >= 0; i--) {
        i1--;
        i2--;
        if (i1 >= 0 && i1 < a->ndigits)
            carry += a->digits[i1];
        if (i2 >= 0 && i2 < b->ndigits)
            carry += subtract ? -b->digits[i2] : b->digits[i2];
        if (carry >= NBASE) {
            d[i] = (int16_t)(carry - NBASE);
            carry = 1;
        } else if (carry < 0) {
            d[i] = (int16_t)(carry + NBASE);
            carry = -1;
        } else {
            d[i] = (int16_t)carry;
            carry = 0;
        }
    }
    r->digits = d;
    r->ndigits = n;
    r->weight = rweight;
    r->dscale = a->dscale > b->dscale ? a->dscale : b->dscale;
    strip(r);
    return SDB_OK;
}

/* r = a + b for finite values (b's sign flipped first when `negate_b`). */
static int add_var(SdbArena *arena, const NumVar *a, const NumVar *b, bool negate_b, NumVar *r)
{
    int bsign = b->sign;
    if (negate_b && b->ndigits > 0)
        bsign = bsign == SIGN_POS ? SIGN_NEG : SIGN_POS;
    if (a->sign == bsign) {
        if (addsub_abs(arena, a, b, false, r) != SDB_OK)
            return SDB_ERROR;
        r->sign = a->ndigits + b->ndigits > 0 ? a->sign : SIGN_POS;
        return SDB_OK;
    }
    int c = cmp_abs(a, b);
    if (c == 0) {
        set_zero(r, a->dscale > b->dscale ? a->dscale : b->dscale);
        return SDB_OK;
    }
    if (addsub_abs(arena, c > 0 ? a : b, c > 0 ? b : a, true, r) != SDB_OK)
        return SDB_ERROR;
    r->sign = c > 0 ? a->sign : bsign;
    if (r->ndigits == 0)
        r->sign = SIGN_POS;
    return SDB_OK;
}

/* r = a * b, exact (dscale = a.dscale + b.dscale). */
static int mul_var(SdbArena *arena, const NumVar *a, const NumVar *b, NumVar *r)
{
    int n = a->ndigits + b->ndigits;
    int64_t *acc = sdb_arena_calloc(arena, (size_t)(n > 0 ? n : 1), sizeof(int64_t));
    int16_t *d = digits_alloc(arena, n);
    if (acc == NULL || d == NULL)
        return SDB_ERROR;
    for (int i = 0; i < a->ndigits; i++)
        for (int j = 0; j < b->ndigits; j++)
            acc[i + j + 1] += (int64_t)a->digits[i] * b->digits[j];
    int64_t carry = 0;
    for (int k = n - 1; k >= 0; k--) {
        int64_t t = acc[k] + carry;
        d[k] = (int16_t)(t % NBASE);
        carry = t / NBASE;
    }
    r->digits = d;
    r->ndigits = n;
    r->weight = a->weight + b->weight + 1;
    r->sign = a->sign == b->sign ? SIGN_POS : SIGN_NEG;
    r->dscale = a->dscale + b->dscale;
    strip(r);
    return SDB_OK;
}

/* Divide the big integer u (m digits, most significant first) by v (n
 * digits, v[0] != 0), both base NBASE, into q (m - n + 1 digits); u and v
 * are scratch (Knuth's algorithm D, normalised so that v[0] >= NBASE/2). */
static void div_digits(int32_t *u, int m, int32_t *v, int n, int16_t *q)
{
    if (n == 1) {
        int32_t rem = 0;
        for (int i = 0; i < m; i++) {
            int32_t t = rem * NBASE + u[i];
            q[i] = (int16_t)(t / v[0]);
            rem = t % v[0];
        }
        return;
    }
    int32_t norm = NBASE / (v[0] + 1);
    int32_t carry = 0;
    for (int i = n - 1; i >= 0; i--) {
        int32_t t = v[i] * norm + carry;
        v[i] = t % NBASE;
        carry = t / NBASE;
    }
    carry = 0;
    for (int i = m - 1; i >= 0; i--) {
        int32_t t = u[i] * norm + carry;
        u[i + 1] = t % NBASE; /* u is shifted right by one: u[0] is the new top */
        carry = t / NBASE;
    }
    u[0] = carry;
    for (int j = 0; j <= m - n; j++) {
        int64_t top = (int64_t)u[j] * NBASE + u[j + 1];
        int64_t qhat = top / v[0], rhat = top % v[0];
        while (qhat >= NBASE || qhat * v[1] > rhat * NBASE + u[j + 2]) {
            qhat--;
            rhat += v[0];
            if (rhat >= NBASE)
                break;
        }
        int64_t borrow = 0;
        for (int i = n - 1; i >= 0; i--) {
            int64_t t = u[j + 1 + i] - qhat * v[i] + borrow;
            borrow = t < 0 ? -((-t + NBASE - 1) / NBASE) : 0;
            u[j + 1 + i] = (int32_t)(t - borrow * NBASE);
        }
        u[j] += (int32_t)borrow;
        if (u[j] < 0) { /* qhat was one too large: add v back */
            qhat--;
            int32_t c = 0;
            for (int i = n - 1; i >= 0; i--) {
                int32_t t = u[j + 1 + i] + v[i] + c;
                u[j + 1 + i] = t % NBASE;
                c = t / NBASE;
            }
            u[j] += c;
        }
        q[j] = (int16_t)qhat;
    }
}

/* r = trunc(a / b) with `frac` base-NBASE digits after the point (b != 0). */
static int div_trunc(SdbArena *arena, const NumVar *a, const NumVar *b, int frac, NumVar *r)
{
    /* a = A * NBASE^(a.weight - a.ndigits + 1), the same for b; the quotient
     * A * NBASE^s / B has exponent -frac when s is chosen as below. */
    int s = frac + (a->weight - a->ndigits + 1) - (b->weight - b->ndigits + 1);
    int m = a->ndigits + s;
    int n = b->ndigits;
    if (m < n) {
        set_zero(r, 0);
        return SDB_OK;
    }
    int32_t *u = sdb_arena_calloc(arena, (size_t)m + 2, sizeof(int32_t));
    int32_t *v = sdb_arena_calloc(arena, (size_t)n, sizeof(int32_t));
    int16_t *q = digits_alloc(arena, m - n + 1);
    if (u == NULL || v == NULL || q == NULL)
        return SDB_ERROR;
    for (int i = 0; i < m && i < a->ndigits; i++)
        u[i] = a->digits[i];
    for (int i = 0; i < n; i++)
        v[i] = b->digits[i];
    div_digits(u, m, v, n, q);
    r->digits = q;
    r->ndigits = m - n + 1;
    r->weight = r->ndigits - 1 - frac;
    r->sign = a->sign == b->sign ? SIGN_POS : SIGN_NEG;
    r->dscale = frac * DEC_DIGITS;
    strip(r);
    return SDB_OK;
}

/* Round (or truncate) v to `rscale` decimal digits after the point. */
static int round_var(SdbArena *arena, NumVar *v, int rscale, bool truncate)
{
    static const int pow10[] = {1, 1000, 100, 10};
    v->dscale = rscale < 0 ? 0 : rscale;
    int di = (v->weight + 1) * DEC_DIGITS + rscale; /* decimal digits kept */
    if (di < 0 || (truncate && di == 0)) {
        set_zero(v, v->dscale);
        return SDB_OK;
    }
    int nd = (di + DEC_DIGITS - 1) / DEC_DIGITS;
    di %= DEC_DIGITS;
    if (nd > v->ndigits || (nd == v->ndigits && di == 0))
        return SDB_OK;
    /* room for a carry out of the first digit */
    int16_t *d = digits_alloc(arena, v->ndigits + 1);
    if (d == NULL)
        return SDB_ERROR;
    d[0] = 0;
    memcpy(d + 1, v->digits, sizeof(int16_t) * (size_t)v->ndigits);
    int carry;
    int last = nd; /* index in d of the last kept digit */
    if (di == 0) {
        carry = !truncate && d[last + 1] >= NBASE / 2;
    } else {
        int extra = d[last] % pow10[di];
        d[last] = (int16_t)(d[last] - extra);
        carry = !truncate && extra >= pow10[di] / 2 ? pow10[di] : 0;
    }
    for (int i = last; carry != 0 && i >= 0; i--) {
        int t = d[i] + carry;
        carry = t >= NBASE;
        d[i] = (int16_t)(t - (carry ? NBASE : 0));
    }
    v->digits = d;
    v->ndigits = last + 1;
    v->weight++;
    strip(v);
    return SDB_OK;
}

/* --- text input and output -------------------------------------------- */

static bool numeric_special_word(const char *s, size_t n, int *sign)
{
    static const struct {
        const char *word;
        int sign;
    } words[] = {{"nan", SIGN_NAN},   {"infinity", SIGN_PINF}, {"+infinity", SIGN_PINF}, {"-infinity", SIGN_NINF},
                 {"inf", SIGN_PINF},  {"+inf", SIGN_PINF},     {"-inf", SIGN_NINF}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && strncasecmp(s, words[i].word, n) == 0) {
            *sign = words[i].sign;
            return true;
        }
    return false;
}

/* Parse `len` bytes of decimal text (sign, digits, point, exponent) into v,
 * PostgreSQL's set_var_from_str. */
static int parse_numeric(SdbArena *arena, const char *text, NumVar *v)
{
    const char *s;
    size_t len = sdb_trimmed(text, &s);
    int special;
    if (numeric_special_word(s, len, &special)) {
        set_special(v, special);
        return SDB_OK;
    }
    const char *end = s + len, *p = s;
    int sign = SIGN_POS;
    if (p < end && (*p == '+' || *p == '-'))
        sign = (*p++ == '-') ? SIGN_NEG : SIGN_POS;
    char *dec = sdb_arena_alloc(arena, len + DEC_DIGITS * 2);
    if (dec == NULL)
        return SDB_ERROR;
    int nd = 0, dweight = -1, dscale = 0;
    bool have_dp = false, any = false;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            dec[nd++] = (char)(*p - '0');
            any = true;
            if (have_dp)
                dscale++;
            else
                dweight++;
        } else if (*p == '.' && !have_dp) {
            have_dp = true;
        } else {
            break;
        }
    }
    if (!any)
        return sdb_err_syntax("numeric", text);
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        char *eend;
        errno = 0;
        long exponent = strtol(p, &eend, 10);
        if (eend == p || eend > end) /* strtol skips blanks: "1e 5" is valid, as in PostgreSQL */
            return sdb_err_syntax("numeric", text);
        if (errno == ERANGE || exponent >= INT32_MAX / 2 || exponent <= -(INT32_MAX / 2))
            return err_overflow();
        p = eend;
        dweight += (int)exponent;
        dscale -= (int)exponent;
        if (dscale < 0)
            dscale = 0;
    }
    if (p != end)
        return sdb_err_syntax("numeric", text);
    /* regroup the decimal digits into base-NBASE digits */
    int weight = dweight >= 0 ? (dweight + 1 + DEC_DIGITS - 1) / DEC_DIGITS - 1 : -((-dweight - 1) / DEC_DIGITS + 1);
    int offset = (weight + 1) * DEC_DIGITS - (dweight + 1);
    int ndigits = (nd + offset + DEC_DIGITS - 1) / DEC_DIGITS;
    int16_t *digits = digits_alloc(arena, ndigits);
    if (digits == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ndigits; i++) {
        int d = 0;
        for (int k = 0; k < DEC_DIGITS; k++) {
            int idx = i * DEC_DIGITS + k - offset;
            d = d * 10 + (idx >= 0 && idx < nd ? dec[idx] : 0);
        }
        digits[i] = (int16_t)d;
    }
    v->digits = digits;
    v->ndigits = ndigits;
    v->weight = weight;
    v->sign = sign;
    v->dscale = dscale;
    strip(v);
    return SDB_OK;
}

/* Append v's decimal text with exactly dscale digits after the point. */
static int format_numeric(const NumVar *v, const unsigned char *stored, SdbStr *out)
{
    switch (v->sign) {
    case SIGN_NAN:
        return sdb_str_append_cstr(out, "NaN");
    case SIGN_PINF:
        return sdb_str_append_cstr(out, "Infinity");
    case SIGN_NINF:
        return sdb_str_append_cstr(out, "-Infinity");
    default:
        break;
    }
    if (v->sign == SIGN_NEG && sdb_str_append_char(out, '-') != SDB_OK)
        return SDB_ERROR;
    if (v->weight < 0 && sdb_str_append_char(out, '0') != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i <= v->weight; i++) {
        int d = i < v->ndigits ? peek_digit(stored, i) : 0;
        if (sdb_str_appendf(out, i == 0 ? "%d" : "%04d", d) != SDB_OK)
            return SDB_ERROR;
    }
    if (v->dscale == 0)
        return SDB_OK;
    if (sdb_str_append_char(out, '.') != SDB_OK)
        return SDB_ERROR;
    for (int shown = 0, i = v->weight + 1; shown < v->dscale; i++) {
        char group[8];
        int d = i >= 0 && i < v->ndigits ? peek_digit(stored, i) : 0;
        snprintf(group, sizeof group, "%04d", d);
        int take = v->dscale - shown < DEC_DIGITS ? v->dscale - shown : DEC_DIGITS;
        if (sdb_str_append(out, group, (size_t)take) != SDB_OK)
            return SDB_ERROR;
        shown += take;
    }
    return SDB_OK;
}

static int format_datum(SdbDatum d, SdbStr *out)
{
    NumVar v;
    const unsigned char *digits;
    peek(d, &v, &digits);
    return format_numeric(&v, digits, out);
}

/* Apply typmod (PostgreSQL's apply_typmod and apply_typmod_special). */
static int apply_typmod(SdbArena *arena, NumVar *v, int32_t typmod)
{
    if (typmod < 4)
        return SDB_OK;
    int precision = ((typmod - 4) >> 16) & 0xFFFF;
    int scale = (((typmod - 4) & 0x7FF) ^ 1024) - 1024;
    int maxdigits = precision - scale;
    if (is_special(v)) {
        if (v->sign == SIGN_NAN)
            return SDB_OK;
        sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        sdb_error_detail("A field with precision %d, scale %d cannot hold an infinite value.", precision, scale);
        return SDB_ERROR;
    }
    if (round_var(arena, v, scale, false) != SDB_OK)
        return SDB_ERROR;
    if (v->ndigits == 0)
        return SDB_OK;
    int d = v->digits[0];
    int ddigits = v->weight * DEC_DIGITS + (d >= 1000 ? 4 : d >= 100 ? 3 : d >= 10 ? 2 : 1);
    if (ddigits > maxdigits) {
        sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        sdb_error_detail("A field with precision %d, scale %d must round to an absolute value less than %s%d.",
                         precision, scale, maxdigits ? "10^" : "", maxdigits ? maxdigits : 1);
        return SDB_ERROR;
    }
    return SDB_OK;
}

int32_t sdb_numeric_typmod(int precision, int scale)
{
    return (int32_t)(((uint32_t)precision << 16) | ((uint32_t)scale & 0x7FF)) + 4;
}

int sdb_numeric_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    NumVar v;
    if (parse_numeric(ctx->arena, text, &v) != SDB_OK || apply_typmod(ctx->arena, &v, ctx->typmod) != SDB_OK)
        return SDB_ERROR;
    return pack(ctx->arena, &v, out);
}

int sdb_numeric_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return format_datum(value, out);
}

int sdb_numeric_apply_typmod(SdbArena *arena, SdbDatum a, int32_t typmod, SdbDatum *out)
{
    NumVar v;
    if (unpack(arena, a, &v) != SDB_OK || apply_typmod(arena, &v, typmod) != SDB_OK)
        return SDB_ERROR;
    return pack(arena, &v, out);
}

/* --- binary ----------------------------------------------------------- */

int sdb_numeric_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    NumVar v;
    const unsigned char *digits;
    peek(value, &v, &digits);
    /* PostgreSQL sends the dscale bits of its infinities' header: 32 */
    int dscale = v.sign == SIGN_PINF || v.sign == SIGN_NINF ? 32 : v.dscale;
    if (sdb_send_u16(out, (uint16_t)v.ndigits) != SDB_OK || sdb_send_u16(out, (uint16_t)(int16_t)v.weight) != SDB_OK ||
        sdb_send_u16(out, (uint16_t)v.sign) != SDB_OK || sdb_send_u16(out, (uint16_t)dscale) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < v.ndigits; i++)
        if (sdb_send_u16(out, (uint16_t)peek_digit(digits, i)) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_numeric_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint16_t ndigits, weight, sign, dscale;
    if (sdb_recv_u16(buf, &ndigits) != SDB_OK || sdb_recv_u16(buf, &weight) != SDB_OK ||
        sdb_recv_u16(buf, &sign) != SDB_OK || sdb_recv_u16(buf, &dscale) != SDB_OK)
        return SDB_ERROR;
    if (sign != SIGN_POS && sign != SIGN_NEG && sign != SIGN_NAN && sign != SIGN_PINF && sign != SIGN_NINF)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid sign in external \"numeric\" value");
    if (dscale > DSCALE_MAX)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid scale in external \"numeric\" value");
    NumVar v = {.ndigits = ndigits, .weight = (int16_t)weight, .sign = sign, .dscale = dscale};
    v.digits = digits_alloc(ctx->arena, ndigits);
    if (v.digits == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ndigits; i++) {
        uint16_t d;
        if (sdb_recv_u16(buf, &d) != SDB_OK)
            return SDB_ERROR;
        if (d >= NBASE)
            return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "invalid digit in external \"numeric\" value");
        v.digits[i] = (int16_t)d;
    }
    if (is_special(&v))
        set_special(&v, sign);
    else if (round_var(ctx->arena, &v, v.dscale, true) != SDB_OK)
        return SDB_ERROR;
    if (apply_typmod(ctx->arena, &v, ctx->typmod) != SDB_OK)
        return SDB_ERROR;
    return pack(ctx->arena, &v, out);
}

/* --- arithmetic entry points ------------------------------------------ */

static int sign_of_special(int sign)
{
    return sign == SIGN_PINF ? 1 : sign == SIGN_NINF ? -1 : 0;
}

/* +1, -1 or 0 for a finite value or an infinity. */
static int signum(const NumVar *v)
{
    if (is_special(v))
        return sign_of_special(v->sign);
    return v->ndigits == 0 ? 0 : v->sign == SIGN_POS ? 1 : -1;
}

static int infinity_of(int s)
{
    return s > 0 ? SIGN_PINF : SIGN_NINF;
}

typedef enum NumOp { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD } NumOp;

/* The result of an operation with a NaN or infinite operand. */
static int special_result(NumOp op, const NumVar *a, const NumVar *b, NumVar *r)
{
    if (a->sign == SIGN_NAN || b->sign == SIGN_NAN) {
        set_special(r, SIGN_NAN);
        return SDB_OK;
    }
    int sa = signum(a), sb = signum(b);
    bool ia = is_special(a), ib = is_special(b);
    switch (op) {
    case OP_ADD:
    case OP_SUB:
        if (op == OP_SUB)
            sb = -sb;
        if (ia && ib && sa != sb)
            set_special(r, SIGN_NAN);
        else
            set_special(r, infinity_of(ia ? sa : sb));
        return SDB_OK;
    case OP_MUL:
        if (sa == 0 || sb == 0)
            set_special(r, SIGN_NAN);
        else
            set_special(r, infinity_of(sa * sb));
        return SDB_OK;
    case OP_DIV:
        if (sb == 0)
            return sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
        if (ia && ib)
            set_special(r, SIGN_NAN);
        else if (ia)
            set_special(r, infinity_of(sa * sb));
        else
            set_zero(r, 0);
        return SDB_OK;
    case OP_MOD:
        if (sb == 0 && !ib)
            return sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
        if (ia)
            set_special(r, SIGN_NAN);
        else
            *r = *a;
        return SDB_OK;
    }
    return SDB_OK;
}

/* PostgreSQL's select_div_scale: enough digits for 16 significant ones. */
static int div_scale(const NumVar *a, const NumVar *b)
{
    int w1 = 0, w2 = 0, f1 = 0, f2 = 0;
    if (a->ndigits > 0) {
        w1 = a->weight;
        f1 = a->digits[0];
    }
    if (b->ndigits > 0) {
        w2 = b->weight;
        f2 = b->digits[0];
    }
    int qweight = w1 - w2 - (f1 <= f2 ? 1 : 0);
    int rscale = MIN_SIG_DIGITS - qweight * DEC_DIGITS;
    if (rscale < a->dscale)
        rscale = a->dscale;
    if (rscale < b->dscale)
        rscale = b->dscale;
    if (rscale < 0)
        rscale = 0;
    return rscale > MAX_DISPLAY_SCALE ? MAX_DISPLAY_SCALE : rscale;
}

/* r = a / b rounded to `rscale` decimals (b nonzero, both finite). */
static int div_round(SdbArena *arena, const NumVar *a, const NumVar *b, int rscale, NumVar *r)
{
    int frac = (rscale + DEC_DIGITS) / DEC_DIGITS + 1; /* at least one guard digit */
    if (div_trunc(arena, a, b, frac, r) != SDB_OK)
        return SDB_ERROR;
    return round_var(arena, r, rscale, false);
}

static int finite_op(SdbArena *arena, NumOp op, const NumVar *a, const NumVar *b, NumVar *r)
{
    if ((op == OP_DIV || op == OP_MOD) && b->ndigits == 0)
        return sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
    switch (op) {
    case OP_ADD:
    case OP_SUB:
        return add_var(arena, a, b, op == OP_SUB, r);
    case OP_MUL:
        return mul_var(arena, a, b, r);
    case OP_DIV:
        return div_round(arena, a, b, div_scale(a, b), r);
    case OP_MOD: {
        NumVar q, qb;
        if (div_trunc(arena, a, b, 0, &q) != SDB_OK || mul_var(arena, &q, b, &qb) != SDB_OK ||
            add_var(arena, a, &qb, true, r) != SDB_OK)
            return SDB_ERROR;
        r->dscale = a->dscale > b->dscale ? a->dscale : b->dscale;
        return SDB_OK;
    }
    }
    return SDB_OK;
}

static int binary_op(SdbArena *arena, NumOp op, SdbDatum da, SdbDatum db, SdbDatum *out)
{
    NumVar a, b, r;
    if (unpack(arena, da, &a) != SDB_OK || unpack(arena, db, &b) != SDB_OK)
        return SDB_ERROR;
    int rc = (is_special(&a) || is_special(&b)) ? special_result(op, &a, &b, &r) : finite_op(arena, op, &a, &b, &r);
    if (rc != SDB_OK)
        return SDB_ERROR;
    return pack(arena, &r, out);
}

SdbNumericFacts sdb_numeric_facts(SdbDatum a)
{
    NumVar v;
    const unsigned char *digits;
    peek(a, &v, &digits);
    SdbNumericFacts f = {.nan = v.sign == SIGN_NAN, .special = is_special(&v), .sign = signum(&v),
                         .dscale = is_special(&v) ? 0 : v.dscale};
    return f;
}

int sdb_numeric_add(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out) { return binary_op(arena, OP_ADD, a, b, out); }
int sdb_numeric_sub(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out) { return binary_op(arena, OP_SUB, a, b, out); }
int sdb_numeric_mul(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out) { return binary_op(arena, OP_MUL, a, b, out); }
int sdb_numeric_div(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out) { return binary_op(arena, OP_DIV, a, b, out); }
int sdb_numeric_mod(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out) { return binary_op(arena, OP_MOD, a, b, out); }

/* Set the sign of a copy of `a`: `negate` flips it, else it becomes positive. */
static int set_sign(SdbArena *arena, SdbDatum a, bool negate, SdbDatum *out)
{
    NumVar v;
    if (unpack(arena, a, &v) != SDB_OK)
        return SDB_ERROR;
    if (v.sign == SIGN_PINF || v.sign == SIGN_NINF)
        v.sign = negate ? (v.sign == SIGN_PINF ? SIGN_NINF : SIGN_PINF) : SIGN_PINF;
    else if (v.sign != SIGN_NAN && v.ndigits > 0)
        v.sign = negate ? (v.sign == SIGN_POS ? SIGN_NEG : SIGN_POS) : SIGN_POS;
    return pack(arena, &v, out);
}

int sdb_numeric_abs(SdbArena *arena, SdbDatum a, SdbDatum *out) { return set_sign(arena, a, false, out); }
int sdb_numeric_neg(SdbArena *arena, SdbDatum a, SdbDatum *out) { return set_sign(arena, a, true, out); }

static int round_or_trunc(SdbArena *arena, SdbDatum a, int scale, bool truncate, SdbDatum *out)
{
    NumVar v;
    if (unpack(arena, a, &v) != SDB_OK)
        return SDB_ERROR;
    if (!is_special(&v)) {
        scale = scale < -MAX_RESULT_SCALE ? -MAX_RESULT_SCALE : scale > MAX_RESULT_SCALE ? MAX_RESULT_SCALE : scale;
        if (round_var(arena, &v, scale, truncate) != SDB_OK)
            return SDB_ERROR;
    }
    return pack(arena, &v, out);
}

int sdb_numeric_round(SdbArena *arena, SdbDatum a, int scale, SdbDatum *out) { return round_or_trunc(arena, a, scale, false, out); }
int sdb_numeric_trunc(SdbArena *arena, SdbDatum a, int scale, SdbDatum *out) { return round_or_trunc(arena, a, scale, true, out); }

/* --- conversions ------------------------------------------------------ */

int sdb_numeric_from_int64(SdbArena *arena, int64_t i, SdbDatum *out)
{
    int16_t d[5];
    uint64_t mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    int n = 0;
    int16_t rev[5];
    for (; mag > 0; mag /= NBASE)
        rev[n++] = (int16_t)(mag % NBASE);
    for (int k = 0; k < n; k++)
        d[k] = rev[n - 1 - k];
    NumVar v = {.ndigits = n, .weight = n - 1, .sign = i < 0 ? SIGN_NEG : SIGN_POS, .dscale = 0, .digits = d};
    return pack(arena, &v, out);
}

int sdb_numeric_to_int64(SdbDatum a, int64_t *out)
{
    NumVar v;
    const unsigned char *digits;
    peek(a, &v, &digits);
    if (v.sign == SIGN_NAN)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot convert NaN to bigint");
    if (is_special(&v))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot convert infinity to bigint");
    /* round half away from zero on the first fractional digit */
    uint64_t mag = 0;
    bool overflow = v.weight >= 5;
    for (int i = 0; i <= v.weight && !overflow; i++) {
        uint64_t d = (uint64_t)(i < v.ndigits ? peek_digit(digits, i) : 0);
        overflow = mag > (UINT64_MAX - d) / NBASE;
        mag = mag * NBASE + d;
    }
    int first_frac = v.weight + 1;
    if (!overflow && first_frac >= 0 && first_frac < v.ndigits && peek_digit(digits, first_frac) >= NBASE / 2)
        mag++;
    uint64_t limit = v.sign == SIGN_NEG ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || mag > limit)
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    *out = v.sign == SIGN_NEG ? (int64_t)(0 - mag) : (int64_t)mag;
    return SDB_OK;
}

int sdb_numeric_from_float8(SdbArena *arena, double f, SdbDatum *out)
{
    NumVar v;
    if (isnan(f) || isinf(f)) {
        set_special(&v, isnan(f) ? SIGN_NAN : f > 0 ? SIGN_PINF : SIGN_NINF);
        return pack(arena, &v, out);
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", DBL_DIG, f);
    if (parse_numeric(arena, buf, &v) != SDB_OK)
        return SDB_ERROR;
    return pack(arena, &v, out);
}

int sdb_numeric_to_float8(SdbDatum a, double *out)
{
    NumVar v;
    const unsigned char *digits;
    peek(a, &v, &digits);
    if (is_special(&v)) {
        *out = v.sign == SIGN_NAN ? NAN : v.sign == SIGN_PINF ? INFINITY : -INFINITY;
        return SDB_OK;
    }
    SdbArena *scratch = sdb_arena_create(NULL, "numeric_to_float8", 0);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbStr s;
    sdb_str_init(&s, scratch);
    int rc = format_numeric(&v, digits, &s);
    if (rc == SDB_OK) {
        errno = 0;
        *out = strtod(s.data, NULL);
        if (errno == ERANGE && (*out == 0 || isinf(*out)))
            rc = sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "\"%s\" is out of range for type double precision",
                           s.data);
    }
    sdb_arena_destroy(scratch);
    return rc;
}

/* --- comparison, hashing, keys ----------------------------------------- */

/* Rank of the value classes: -Infinity, finite, Infinity, NaN. */
static int class_rank(int sign)
{
    return sign == SIGN_NINF ? 0 : sign == SIGN_PINF ? 2 : sign == SIGN_NAN ? 3 : 1;
}

int sdb_numeric_compare(SdbDatum da, SdbDatum db)
{
    NumVar a, b;
    const unsigned char *pa, *pb;
    peek(da, &a, &pa);
    peek(db, &b, &pb);
    int ra = class_rank(a.sign), rb = class_rank(b.sign);
    if (ra != 1 || rb != 1)
        return (ra > rb) - (ra < rb);
    int sa = a.ndigits == 0 ? 0 : a.sign == SIGN_POS ? 1 : -1;
    int sb = b.ndigits == 0 ? 0 : b.sign == SIGN_POS ? 1 : -1;
    if (sa != sb)
        return (sa > sb) - (sa < sb);
    /* same sign: compare magnitudes (stored values are stripped) */
    int c = (a.weight > b.weight) - (a.weight < b.weight);
    for (int i = 0; c == 0 && (i < a.ndigits || i < b.ndigits); i++) {
        int x = i < a.ndigits ? peek_digit(pa, i) : -1, y = i < b.ndigits ? peek_digit(pb, i) : -1;
        c = (x > y) - (x < y);
    }
    return sa < 0 ? -c : c;
}

/* Hash of the value, not its display scale: 1.0 and 1.00 hash equal. */
uint64_t sdb_numeric_hash(SdbDatum d)
{
    NumVar v;
    const unsigned char *digits;
    peek(d, &v, &digits);
    uint64_t h = sdb_hash_bytes(digits, 2 * (size_t)v.ndigits, (uint64_t)v.sign);
    return h ^ (uint64_t)(int64_t)v.weight * UINT64_C(0x9E3779B97F4A7C15);
}

/* Key: a class byte (-Infinity 0, negative 1, zero 2, positive 3, Infinity
 * 4, NaN 5); finite nonzero values add the weight and the digits (each + 1,
 * 0 terminates), all inverted for negative values. */
int sdb_numeric_key(SdbDatum d, SdbStr *out)
{
    NumVar v;
    const unsigned char *digits;
    peek(d, &v, &digits);
    uint8_t cls = v.sign == SIGN_NINF ? 0 : v.sign == SIGN_PINF ? 4 : v.sign == SIGN_NAN ? 5
                  : v.ndigits == 0    ? 2 : v.sign == SIGN_NEG ? 1 : 3;
    if (sdb_send_u8(out, cls) != SDB_OK)
        return SDB_ERROR;
    if (cls != 1 && cls != 3)
        return SDB_OK;
    size_t start = out->len;
    if (sdb_key_int(out, v.weight, 2) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < v.ndigits; i++)
        if (sdb_send_u16(out, (uint16_t)(peek_digit(digits, i) + 1)) != SDB_OK)
            return SDB_ERROR;
    if (sdb_send_u16(out, 0) != SDB_OK)
        return SDB_ERROR;
    if (cls == 1)
        for (size_t i = start; i < out->len; i++)
            out->data[i] = (char)~(unsigned char)out->data[i];
    return SDB_OK;
}
