/*
 * types/interval.c: the interval type (int64 microseconds, int32 days,
 * int32 months).  Input in PostgreSQL's forms ("1 year 2 mons", "1 day
 * 02:03:04", "@ 1 hour ago", fractional units that spill into smaller ones,
 * ISO 8601 "P1Y2M3DT4H5M6S"), output in IntervalStyle postgres, binary
 * I/O, and comparison/hashing/keys on the total span (a month is 30 days, a
 * day 24 hours, so '1 mon' = '30 days' as in PostgreSQL).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "types/datetime.h"
#include "types/keycode.h"
#include "types/typefuncs.h"

#define INTERVAL_LEN 16
#define DAYS_PER_MONTH 30
#define INTERVAL_FULL_PRECISION 0xFFFF

typedef struct Interval {
    int64_t time;
    int32_t day;
    int32_t month;
} Interval;

/* The interval being read: wide fields, checked for range at the end. */
typedef struct IntervalAcc {
    double months, days; /* whole units (fractions have been spilled) */
    double usecs;
} IntervalAcc;

typedef enum Unit { U_NONE, U_USEC, U_MSEC, U_SEC, U_MIN, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_YEAR, U_DECADE,
                    U_CENTURY, U_MILLENNIUM } Unit;

static Unit unit_of(const char *s, size_t len)
{
    static const struct {
        const char *name;
        Unit unit;
    } units[] = {{"microsecond", U_USEC}, {"microseconds", U_USEC}, {"us", U_USEC}, {"usec", U_USEC},
                 {"usecs", U_USEC}, {"useconds", U_USEC}, {"millisecond", U_MSEC}, {"milliseconds", U_MSEC},
                 {"ms", U_MSEC}, {"msec", U_MSEC}, {"msecs", U_MSEC}, {"mseconds", U_MSEC}, {"second", U_SEC},
                 {"seconds", U_SEC}, {"s", U_SEC}, {"sec", U_SEC}, {"secs", U_SEC}, {"minute", U_MIN},
                 {"minutes", U_MIN}, {"m", U_MIN}, {"min", U_MIN}, {"mins", U_MIN}, {"hour", U_HOUR},
                 {"hours", U_HOUR}, {"h", U_HOUR}, {"hr", U_HOUR}, {"hrs", U_HOUR}, {"day", U_DAY},
                 {"days", U_DAY}, {"d", U_DAY}, {"week", U_WEEK}, {"weeks", U_WEEK}, {"w", U_WEEK},
                 {"month", U_MONTH}, {"months", U_MONTH}, {"mon", U_MONTH}, {"mons", U_MONTH},
                 {"year", U_YEAR}, {"years", U_YEAR}, {"y", U_YEAR}, {"yr", U_YEAR}, {"yrs", U_YEAR},
                 {"decade", U_DECADE}, {"decades", U_DECADE}, {"dec", U_DECADE}, {"decs", U_DECADE},
                 {"century", U_CENTURY}, {"centuries", U_CENTURY}, {"cent", U_CENTURY}, {"c", U_CENTURY},
                 {"millennium", U_MILLENNIUM}, {"millennia", U_MILLENNIUM}, {"mil", U_MILLENNIUM},
                 {"mils", U_MILLENNIUM}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == len && strncasecmp(s, units[i].name, len) == 0)
            return units[i].unit;
    return U_NONE;
}

/* Add `v` units to acc, spilling fractions downwards as PostgreSQL does:
 * years/decades/... to whole months, months and weeks to days then time,
 * days and smaller units to time. */
static void add_units(IntervalAcc *acc, double v, Unit u)
{
    static const double usecs_per[] = {[U_USEC] = 1, [U_MSEC] = 1e3, [U_SEC] = 1e6, [U_MIN] = 6e7, [U_HOUR] = 3.6e9};
    static const int months_per[] = {[U_YEAR] = 12, [U_DECADE] = 120, [U_CENTURY] = 1200, [U_MILLENNIUM] = 12000};
    double whole = trunc(v), frac = v - whole;
    switch (u) {
    case U_YEAR:
    case U_DECADE:
    case U_CENTURY:
    case U_MILLENNIUM:
        acc->months += whole * months_per[u] + rint(frac * months_per[u]);
        return;
    case U_MONTH:
    case U_WEEK: {
        int days_per = u == U_MONTH ? DAYS_PER_MONTH : 7;
        if (u == U_MONTH)
            acc->months += whole;
        else
            acc->days += whole * 7;
        double fdays = frac * days_per;
        acc->days += trunc(fdays);
        acc->usecs += rint((fdays - trunc(fdays)) * 86400e6);
        return;
    }
    case U_DAY:
        acc->days += whole;
        acc->usecs += rint(frac * 86400e6);
        return;
    default:
        acc->usecs += rint(v * usecs_per[u]);
        return;
    }
}

/* The field bits a unit occupies: each may be given once, as PostgreSQL's
 * DecodeInterval requires; fractional seconds also take ms and us. */
static unsigned unit_mask(Unit u, double v)
{
    if (u == U_SEC && v != trunc(v))
        return 1u << U_SEC | 1u << U_MSEC | 1u << U_USEC;
    return 1u << u;
}

#define CLOCK_MASK (1u << U_HOUR | 1u << U_MIN | 1u << U_SEC)

/* A signed decimal number at *p ("-1", "+2.5", ".5"); advances *p. */
static bool read_number(const char **p, double *v)
{
    const char *s = *p;
    char *end;
    if ((*s == '+' || *s == '-') && !(s[1] >= '0' && s[1] <= '9') && s[1] != '.')
        return false;
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '+' || *s == '-'))
        return false;
    *v = strtod(s, &end);
    if (end == s || (end[-1] == '.' && end - s == 1))
        return false;
    for (const char *q = s; q < end; q++) /* plain decimals only, no exponents or hex */
        if (!((*q >= '0' && *q <= '9') || *q == '.' || *q == '+' || *q == '-'))
            return false;
    *p = end;
    return true;
}

/* A clock field "[-]h:m[:s[.f]]" starting at s; adds to acc, advances. */
static bool read_clock(const char **p, IntervalAcc *acc)
{
    const char *s = *p;
    bool neg = (*s == '-');
    if (*s == '-' || *s == '+')
        s++;
    double parts[3] = {0, 0, 0};
    int np = 0;
    while (np < 3) {
        char *end;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        parts[np++] = (double)strtoll(s, &end, 10);
        s = end;
        if (*s != ':')
            break;
        s++;
    }
    int64_t frac = 0;
    if (*s == '.') {
        size_t n = 1;
        while (s[n] >= '0' && s[n] <= '9')
            n++;
        frac = sdb_parse_fraction(s, n);
        s += n;
    }
    if (np < 2 || parts[1] > 59 || parts[2] > 59)
        return false;
    double usecs = parts[0] * 3.6e9 + parts[1] * 6e7 + parts[2] * 1e6 + (double)frac;
    acc->usecs += neg ? -usecs : usecs;
    *p = s;
    return true;
}

/* Skip whitespace and commas ("1 day, 2 hours"). */
static const char *skip_space(const char *p)
{
    while (sdb_isspace((unsigned char)*p) || *p == ',')
        p++;
    return p;
}

static size_t word_len(const char *p)
{
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
        n++;
    return n;
}

/* PostgreSQL's verbose format: [@] (number unit | clock)... [ago]. */
static bool parse_verbose(const char *text, IntervalAcc *acc)
{
    const char *p = skip_space(text);
    bool any = false, ago = false;
    if (*p == '@')
        p = skip_space(p + 1);
    unsigned seen = 0; /* unit bits already given */
    while (*p != '\0') {
        if (ago)
            return false;
        size_t w = word_len(p);
        if (w == 3 && strncasecmp(p, "ago", 3) == 0) {
            ago = true;
            p = skip_space(p + 3);
            continue;
        }
        const char *start = p;
        double v;
        unsigned mask;
        if (!read_number(&p, &v))
            return false;
        if (*p == ':') {
            p = start;
            mask = CLOCK_MASK;
            if (!read_clock(&p, acc))
                return false;
        } else {
            p = skip_space(p);
            w = word_len(p);
            if (w == 0 && *p != '\0')
                return false; /* a number without a unit must come last */
            Unit u = w > 0 ? unit_of(p, w) : U_SEC;
            if (u == U_NONE)
                return false;
            mask = unit_mask(u, v);
            add_units(acc, v, u);
            p += w;
        }
        if (seen & mask)
            return false;
        seen |= mask;
        any = true;
        p = skip_space(p);
    }
    if (ago) {
        acc->months = -acc->months;
        acc->days = -acc->days;
        acc->usecs = -acc->usecs;
    }
    return any;
}

/* ISO 8601 "P[nY][nM][nW][nD][T[nH][nM][nS]]". */
static bool parse_iso8601(const char *text, IntervalAcc *acc)
{
    const char *p = skip_space(text) + 1; /* past the P */
    bool in_time = false, any = false;
    while (*p != '\0' && !sdb_isspace((unsigned char)*p)) {
        if ((*p == 'T' || *p == 't') && !in_time) {
            in_time = any = true; /* "PT" alone is zero */
            p++;
            continue;
        }
        double v;
        if (!read_number(&p, &v))
            return false;
        Unit u;
        switch (*p) {
        case 'Y': case 'y': u = in_time ? U_NONE : U_YEAR; break;
        case 'M': case 'm': u = in_time ? U_MIN : U_MONTH; break;
        case 'W': case 'w': u = in_time ? U_NONE : U_WEEK; break;
        case 'D': case 'd': u = in_time ? U_NONE : U_DAY; break;
        case 'H': case 'h': u = in_time ? U_HOUR : U_NONE; break;
        case 'S': case 's': u = in_time ? U_SEC : U_NONE; break;
        default: u = U_NONE; break;
        }
        if (u == U_NONE)
            return false;
        add_units(acc, v, u);
        any = true;
        p++;
    }
    return any && *skip_space(p) == '\0';
}

static int interval_make(SdbArena *arena, const Interval *iv, SdbDatum *out)
{
    SdbVarlena *v = sdb_varlena_alloc(arena, INTERVAL_LEN);
    if (v == NULL)
        return SDB_ERROR;
    memcpy(v->data, &iv->time, 8);
    memcpy(v->data + 8, &iv->day, 4);
    memcpy(v->data + 12, &iv->month, 4);
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

static Interval interval_get(SdbDatum d)
{
    const SdbVarlena *v = sdb_datum_varlena(d);
    Interval iv;
    memcpy(&iv.time, v->data, 8);
    memcpy(&iv.day, v->data + 8, 4);
    memcpy(&iv.month, v->data + 12, 4);
    return iv;
}

/* Round the time part to an interval(p) precision. */
static int64_t interval_round(int64_t t, int32_t typmod)
{
    int precision = typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xFFFF;
    if (precision == INTERVAL_FULL_PRECISION || precision >= 6)
        return t;
    int64_t scale = 1;
    for (int i = precision; i < 6; i++)
        scale *= 10;
    return t >= 0 ? (t + scale / 2) / scale * scale : -((-t + scale / 2) / scale * scale);
}

int sdb_interval_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    IntervalAcc acc = {0, 0, 0};
    const char *s = skip_space(text);
    bool ok = (*s == 'P' || *s == 'p') ? parse_iso8601(text, &acc) : parse_verbose(text, &acc);
    if (!ok)
        return sdb_dterr_syntax("interval", text);
    if (fabs(acc.days) > INT32_MAX)
        return sdb_error(SDB_ERR_INTERVAL_FIELD_OVERFLOW, "interval field value out of range: \"%s\"", text);
    if (fabs(acc.months) > INT32_MAX || fabs(acc.usecs) >= 9.2e18)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "interval out of range");
    Interval iv = {interval_round((int64_t)acc.usecs, ctx->typmod), (int32_t)acc.days, (int32_t)acc.months};
    return interval_make(ctx->arena, &iv, out);
}

/* One "N unit[s]" part of the postgres style (AddPostgresIntPart). */
static int add_part(SdbStr *out, int64_t value, const char *unit, bool *is_zero, bool *is_before)
{
    if (value == 0)
        return SDB_OK;
    int rc = sdb_str_appendf(out, "%s%s%lld %s%s", *is_zero ? "" : " ", (*is_before && value > 0) ? "+" : "",
                             (long long)value, unit, value != 1 ? "s" : "");
    *is_before = value < 0;
    *is_zero = false;
    return rc;
}

int sdb_interval_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    Interval iv = interval_get(value);
    bool is_zero = true, is_before = false;
    if (add_part(out, iv.month / 12, "year", &is_zero, &is_before) != SDB_OK ||
        add_part(out, iv.month % 12, "mon", &is_zero, &is_before) != SDB_OK ||
        add_part(out, iv.day, "day", &is_zero, &is_before) != SDB_OK)
        return SDB_ERROR;
    if (!is_zero && iv.time == 0)
        return SDB_OK;
    bool minus = iv.time < 0;
    uint64_t t = minus ? (uint64_t)0 - (uint64_t)iv.time : (uint64_t)iv.time;
    uint64_t secs = t / 1000000;
    if (sdb_str_appendf(out, "%s%s", is_zero ? "" : " ", minus ? "-" : is_before ? "+" : "") != SDB_OK)
        return SDB_ERROR;
    return sdb_append_clock(out, (int64_t)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                            (int64_t)(t % 1000000));
}

int sdb_interval_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint64_t t;
    uint32_t d, m;
    if (sdb_recv_u64(buf, &t) != SDB_OK || sdb_recv_u32(buf, &d) != SDB_OK || sdb_recv_u32(buf, &m) != SDB_OK)
        return SDB_ERROR;
    Interval iv = {interval_round((int64_t)t, ctx->typmod), (int32_t)d, (int32_t)m};
    return interval_make(ctx->arena, &iv, out);
}

int sdb_interval_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    Interval iv = interval_get(value);
    if (sdb_send_u64(out, (uint64_t)iv.time) != SDB_OK || sdb_send_u32(out, (uint32_t)iv.day) != SDB_OK)
        return SDB_ERROR;
    return sdb_send_u32(out, (uint32_t)iv.month);
}

__extension__ typedef __int128 Span;

/* PostgreSQL's interval_cmp_value: the whole interval in microseconds. */
static Span interval_span(SdbDatum d)
{
    Interval iv = interval_get(d);
    return (Span)iv.time + ((Span)iv.month * DAYS_PER_MONTH + iv.day) * SDB_USECS_PER_DAY;
}

int sdb_interval_compare(SdbDatum a, SdbDatum b)
{
    Span x = interval_span(a), y = interval_span(b);
    return (x > y) - (x < y);
}

uint64_t sdb_interval_hash(SdbDatum v)
{
    Span s = interval_span(v);
    uint64_t w[2] = {(uint64_t)s, (uint64_t)(s >> 64)};
    return sdb_hash_bytes(w, sizeof w, 0);
}

/* 16 bytes: the span's high half signed (sign bit flipped), then low half. */
int sdb_interval_key(SdbDatum v, SdbStr *out)
{
    Span s = interval_span(v);
    if (sdb_key_int(out, (int64_t)(s >> 64), 8) != SDB_OK)
        return SDB_ERROR;
    return sdb_send_u64(out, (uint64_t)s);
}
