/*
 * types/datetime.c: date, time, timetz, timestamp and timestamptz.  One
 * parser for all five (PostgreSQL's forms: ISO 8601 with space or T,
 * MM/DD/YYYY (DateStyle MDY), month names, YYYYMMDD, AM/PM, BC/AD, UTC
 * offsets, Z/UTC/GMT, common abbreviations, IANA zone names, and the
 * special words epoch, infinity, -infinity, now, today, tomorrow, yesterday,
 * allballs), ISO output (DateStyle ISO) with the session TimeZone applied to
 * timestamptz, precision typmods, binary I/O, and the calendar helpers of
 * datetime.h.
 */
#include "types/datetime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "types/keycode.h"
#include "types/timezone.h"
#include "types/typefuncs.h"

#define JULIAN_MINYEAR (-4713)
#define DATE_MAXYEAR 5874897
#define TIMESTAMP_MAXYEAR 294276
#define MIN_TIMESTAMP INT64_C(-211813488000000000)  /* 4714-11-24 BC 00:00 UTC */
#define END_TIMESTAMP INT64_C(9223371331200000000)  /* 294277-01-01 00:00 UTC */
#define TZDISP_LIMIT (15 * 3600 + 59 * 60 + 59)      /* largest accepted UTC offset */
#define MAX_TIME_PRECISION 6

/* --- calendar ---------------------------------------------------------- */

int sdb_date2j(int year, int month, int day)
{
    if (month > 2) {
        month += 1;
        year += 4800;
    } else {
        month += 13;
        year += 4799;
    }
    int century = year / 100;
    int julian = year * 365 - 32167;
    julian += year / 4 - century + century / 4;
    julian += 7834 * month / 256 + day;
    return julian;
}

void sdb_j2date(int jd, int *year, int *month, int *day)
{
    unsigned int julian = (unsigned int)jd + 32044;
    unsigned int quad = julian / 146097;
    unsigned int extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146097;
    quad = julian / 1461;
    julian -= quad * 1461;
    int y = (int)(julian * 4 / 1461);
    julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
    y += (int)quad * 4;
    *year = y - 4800;
    quad = julian * 2141 / 65536;
    *day = (int)(julian - 7834 * quad / 256);
    *month = (int)((quad + 10) % 12 + 1);
}

int sdb_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* 22008 date/time field value out of range: "<text>" */
static int dterr_field(const char *text)
{
    return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "date/time field value out of range: \"%s\"", text);
}

int sdb_dterr_syntax(const char *type, const char *text)
{
    return sdb_error(SDB_ERR_INVALID_DATETIME_FORMAT, SDB_ERRMSG_INVALID_TEXT_REPRESENTATION, type, text);
}

int sdb_append_clock(SdbStr *out, int64_t hours, int minutes, int seconds, int64_t usecs)
{
    if (sdb_str_appendf(out, "%02lld:%02d:%02d", (long long)hours, minutes, seconds) != SDB_OK)
        return SDB_ERROR;
    if (usecs == 0)
        return SDB_OK;
    char frac[8];
    snprintf(frac, sizeof frac, "%06lld", (long long)usecs);
    int n = 6;
    while (frac[n - 1] == '0')
        n--;
    return sdb_str_appendf(out, ".%.*s", n, frac);
}

/* Append a UTC offset given in seconds EAST of UTC as PostgreSQL prints it:
 * +HH, +HH:MM or +HH:MM:SS. */
static int append_utc_offset(SdbStr *out, int32_t east_seconds)
{
    int32_t a = east_seconds < 0 ? -east_seconds : east_seconds;
    int h = a / 3600, m = a / 60 % 60, s = a % 60;
    char sign = east_seconds < 0 ? '-' : '+';
    if (s != 0)
        return sdb_str_appendf(out, "%c%02d:%02d:%02d", sign, h, m, s);
    if (m != 0)
        return sdb_str_appendf(out, "%c%02d:%02d", sign, h, m);
    return sdb_str_appendf(out, "%c%02d", sign, h);
}

int64_t sdb_parse_fraction(const char *s, size_t len)
{
    /* s[0] is '.', then digits: round to microseconds, half to even */
    int64_t us = 0;
    size_t i = 1;
    for (; i < len && i <= 6; i++)
        us = us * 10 + (s[i] - '0');
    for (size_t k = i; k <= 6; k++)
        us *= 10;
    if (i < len) {
        int next = s[i] - '0';
        bool rest = false;
        for (size_t k = i + 1; k < len; k++)
            rest |= s[k] != '0';
        if (next > 5 || (next == 5 && (rest || (us & 1))))
            us++;
    }
    return us;
}

/* --- tokens ------------------------------------------------------------ */

typedef enum TokKind { TK_NUMBER, TK_DATE, TK_TIME, TK_TZ, TK_WORD } TokKind;

typedef struct Tok {
    TokKind kind;
    const char *s;
    size_t len;
} Tok;

#define MAX_TOKS 16

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static size_t span(const char *s, const char *accept)
{
    size_t n = 0;
    while (s[n] != '\0' && strchr(accept, s[n]) != NULL)
        n++;
    return n;
}

#define DIGITS "0123456789"
#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define ALNUM LETTERS DIGITS
#define CLOCK DIGITS ":."

static int month_number(const char *s, size_t len)
{
    static const char *names[] = {"january", "february", "march",     "april",   "may",      "june",
                                  "july",    "august",   "september", "october", "november", "december"};
    if (len < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (strncasecmp(s, names[m], len) == 0 && len <= strlen(names[m]) &&
            (len == 3 || len == strlen(names[m]) || (m == 8 && len == 4)))
            return m + 1;
    return 0;
}

/* A field that starts with a digit: a clock time (04:05:06.5), a date
 * (2020-01-02, 1/8/1999, 1999.01.08, 1999-Jan-08), or a number. */
static void scan_digits(const char *p, Tok *t)
{
    size_t digits = span(p, DIGITS);
    if (p[digits] == ':') {
        t->kind = TK_TIME;
        t->len = span(p, CLOCK);
    } else if (p[digits] == '-' || p[digits] == '/' || (p[digits] == '.' && strchr(p + digits + 1, '.'))) {
        t->kind = TK_DATE;
        t->len = digits;
        while (p[t->len] == '-' || p[t->len] == '/' || p[t->len] == '.') {
            const char *part = p + t->len + 1;
            size_t n = is_alpha(*part) ? span(part, ALNUM) : span(part, DIGITS);
            if (n == 0)
                break;
            t->len += 1 + n;
        }
    } else {
        t->kind = TK_NUMBER;
        t->len = span(p, DIGITS ".");
    }
}

/* A field that starts with a letter: a Mon-DD-YYYY date, a zone name with
 * '/' or '_' (America/New_York), or a word. */
static void scan_letters(const char *p, Tok *t)
{
    size_t letters = span(p, LETTERS);
    if (month_number(p, letters) > 0 && (p[letters] == '-' || p[letters] == '/') && is_digit(p[letters + 1])) {
        t->kind = TK_DATE;
        t->len = letters + 1 + span(p + letters + 1, DIGITS "-/.");
        return;
    }
    size_t alnum = span(p, ALNUM);
    t->kind = TK_WORD;
    t->len = (p[alnum] == '/' || p[alnum] == '_') ? alnum + span(p + alnum, ALNUM "/_+-") : letters;
}

/* Split date/time text into fields, roughly PostgreSQL's ParseDateTime.
 * Returns the token count, or -1 for a character no field can hold. */
static int tokenize(const char *text, Tok *toks)
{
    int n = 0;
    const char *p = text;
    while (*p != '\0') {
        if (sdb_isspace((unsigned char)*p) || *p == ',' || ((*p == 't' || *p == 'T') && is_digit(p[1]))) {
            p++; /* separators, including ISO 8601's T between date and time */
            continue;
        }
        if (n == MAX_TOKS)
            return -1;
        Tok *t = &toks[n++];
        t->s = p;
        if (is_digit(*p)) {
            scan_digits(p, t);
        } else if ((*p == '+' || *p == '-') && is_digit(p[1])) {
            t->kind = TK_TZ;
            t->len = 1 + span(p + 1, CLOCK);
        } else if (is_alpha(*p)) {
            scan_letters(p, t);
        } else if (*p == '.' && is_digit(p[1])) {
            t->kind = TK_NUMBER;
            t->len = span(p, DIGITS ".");
        } else {
            return -1;
        }
        p += t->len;
    }
    return n;
}

/* --- decoding ----------------------------------------------------------- */

typedef enum DtSpecial { DT_NONE, DT_EPOCH, DT_INFINITY, DT_NINFINITY, DT_NOW, DT_TODAY, DT_TOMORROW, DT_YESTERDAY,
                         DT_ALLBALLS } DtSpecial;

/* Everything read from one date/time string. */
typedef struct DtFields {
    int year, month, day;
    bool have_date, have_time, have_tz, bc, ad, two_digit_year, month_day_order;
    int hour, minute, second;
    int64_t usec;
    int ampm; /* 0 none, 1 AM, 2 PM */
    int32_t tz_east;
    const SdbTimeZone *zone; /* a named zone whose offset depends on the date */
    DtSpecial special;
} DtFields;

typedef enum DtErr { DTE_OK, DTE_FORMAT, DTE_FIELD, DTE_MDFIELD, DTE_TZDISP, DTE_ZONE, DTE_ERROR } DtErr;

static bool word_is(const Tok *t, const char *w)
{
    return t->len == strlen(w) && strncasecmp(t->s, w, t->len) == 0;
}

static bool day_name(const Tok *t)
{
    static const char *names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    for (int d = 0; d < 7; d++)
        if (t->len >= 3 && t->len <= strlen(names[d]) && strncasecmp(t->s, names[d], t->len) == 0)
            return true;
    return false;
}

/* The abbreviations PostgreSQL's default timezone_abbreviations set knows
 * best (fixed offsets, seconds east). */
static bool zone_abbrev(const Tok *t, int32_t *east)
{
    static const struct {
        const char *name;
        int32_t east;
    } abbrevs[] = {{"z", 0},           {"zulu", 0},         {"utc", 0},          {"gmt", 0},          {"ut", 0},
                   {"est", -5 * 3600}, {"edt", -4 * 3600},  {"cst", -6 * 3600},  {"cdt", -5 * 3600},  {"mst", -7 * 3600},
                   {"mdt", -6 * 3600}, {"pst", -8 * 3600},  {"pdt", -7 * 3600},  {"akst", -9 * 3600}, {"akdt", -8 * 3600},
                   {"hst", -10 * 3600}, {"cet", 3600},      {"cest", 2 * 3600},  {"eet", 2 * 3600},   {"eest", 3 * 3600},
                   {"wet", 0},         {"west", 3600},      {"msk", 3 * 3600},   {"jst", 9 * 3600},   {"bst", 3600}};
    for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++)
        if (word_is(t, abbrevs[i].name)) {
            *east = abbrevs[i].east;
            return true;
        }
    return false;
}

static int parse_uint(const char *s, size_t len, int *out)
{
    if (len == 0 || len > 9)
        return DTE_FIELD;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return DTE_FORMAT;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return DTE_OK;
}

/* "h:m[:s[.frac]]" into f. */
static DtErr decode_clock(const char *s, size_t len, DtFields *f)
{
    int parts[3] = {0, 0, 0};
    int np = 0;
    size_t i = 0;
    while (np < 3) {
        size_t d = 0;
        while (i + d < len && is_digit(s[i + d]))
            d++;
        if (d == 0 || parse_uint(s + i, d, &parts[np]) != DTE_OK)
            return DTE_FORMAT;
        np++;
        i += d;
        if (i < len && s[i] == ':' && np < 3) {
            i++;
            continue;
        }
        break;
    }
    f->usec = 0;
    if (i < len) {
        if (s[i] != '.' || np < 2 || span(s + i + 1, "0123456789") != len - i - 1)
            return DTE_FORMAT;
        f->usec = sdb_parse_fraction(s + i, len - i);
    }
    if (np < 2)
        return DTE_FORMAT;
    f->hour = parts[0];
    f->minute = parts[1];
    f->second = parts[2];
    f->have_time = true;
    return DTE_OK;
}

/* "+HH", "+HHMM", "+HH:MM", "+HH:MM:SS", "+HHMMSS" into seconds east. */
static DtErr decode_offset(const char *s, size_t len, int32_t *east)
{
    int sign = s[0] == '-' ? -1 : 1;
    int h = 0, m = 0, sec = 0;
    const char *p = s + 1;
    size_t n = len - 1;
    const char *colon = memchr(p, ':', n);
    if (colon != NULL) {
        int consumed = 0;
        char buf[32];
        if (n >= sizeof buf)
            return DTE_FORMAT;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (sscanf(buf, "%d:%d%n", &h, &m, &consumed) < 2)
            return DTE_FORMAT;
        if (buf[consumed] == ':' && sscanf(buf + consumed, ":%d%n", &sec, &consumed) == 1)
            consumed = (int)n;
        if ((size_t)consumed != n)
            return DTE_FORMAT;
    } else {
        int v;
        if (n > 6 || parse_uint(p, n, &v) != DTE_OK)
            return DTE_FORMAT;
        if (n <= 2) {
            h = v;
        } else { /* HMM or HHMM (longer is out of range, as in PostgreSQL) */
            h = v / 100;
            m = v % 100;
        }
    }
    if (m >= 60 || sec >= 60)
        return DTE_FIELD;
    int32_t total = h * 3600 + m * 60 + sec;
    if (h > 15 || total > TZDISP_LIMIT)
        return DTE_TZDISP;
    *east = sign * total;
    return DTE_OK;
}

/* A year field written with `len` digits (two-digit years become
 * 1970..2069 in validate(), PostgreSQL's rule). */
static void set_year(DtFields *f, size_t len, int v)
{
    f->year = v;
    f->two_digit_year = (len <= 2);
}

/* A date token: Y-M-D, M/D/Y, D-Mon-Y, Y-Mon-D, Mon-D-Y. */
static DtErr decode_date(const Tok *t, DtFields *f)
{
    const char *parts[3];
    size_t lens[3];
    int np = 0;
    size_t i = 0;
    while (i <= t->len && np < 3) {
        size_t start = i;
        while (i < t->len && t->s[i] != '-' && t->s[i] != '/' && t->s[i] != '.')
            i++;
        parts[np] = t->s + start;
        lens[np++] = i - start;
        i++;
    }
    if (np != 3 || i <= t->len || f->have_date)
        return DTE_FORMAT;
    int v[3] = {0, 0, 0}, mon_at = -1;
    for (int k = 0; k < 3; k++) {
        if (is_alpha(parts[k][0])) {
            int m = month_number(parts[k], lens[k]);
            if (m == 0 || mon_at >= 0)
                return DTE_FORMAT;
            mon_at = k;
            v[k] = m;
        } else if (parse_uint(parts[k], lens[k], &v[k]) != DTE_OK) {
            return DTE_FORMAT;
        }
    }
    int yi, mi, di;
    if (mon_at == 1) { /* Y-Mon-D or D-Mon-Y */
        bool year_first = lens[0] > 2;
        yi = year_first ? 0 : 2;
        di = year_first ? 2 : 0;
        mi = 1;
    } else if (mon_at == 0) { /* Mon-D-Y */
        mi = 0, di = 1, yi = 2;
    } else if (mon_at == 2) {
        return DTE_FORMAT;
    } else if (lens[0] > 2) { /* Y-M-D */
        yi = 0, mi = 1, di = 2;
    } else { /* M-D-Y, DateStyle MDY */
        mi = 0, di = 1, yi = 2;
        f->month_day_order = true;
    }
    set_year(f, lens[yi], v[yi]);
    f->month = v[mi];
    f->day = v[di];
    f->have_date = true;
    return DTE_OK;
}

/* Interpret the loose numbers and the month word of a text date
 * ("January 8, 1999", "8 Jan 1999", "1999 Jan 8") or YYYYMMDD / hhmmss. */
static DtErr decode_numbers(const Tok *nums, int nnum, int month, DtFields *f)
{
    int v[3];
    for (int k = 0; k < nnum; k++)
        if (nums[k].len > 9 || memchr(nums[k].s, '.', nums[k].len) != NULL ||
            parse_uint(nums[k].s, nums[k].len, &v[k]) != DTE_OK)
            return DTE_FORMAT;
    if (month > 0) {
        if (f->have_date || nnum != 2)
            return DTE_FORMAT;
        bool year_first = nums[0].len > 2;
        set_year(f, nums[year_first ? 0 : 1].len, v[year_first ? 0 : 1]);
        f->day = v[year_first ? 1 : 0];
        f->month = month;
        f->have_date = true;
        return DTE_OK;
    }
    for (int k = 0; k < nnum; k++) {
        if (nums[k].len == 8 && !f->have_date) {
            f->year = v[k] / 10000, f->month = v[k] / 100 % 100, f->day = v[k] % 100;
            f->have_date = true;
        } else if (nums[k].len == 6 && !f->have_time) {
            f->hour = v[k] / 10000, f->minute = v[k] / 100 % 100, f->second = v[k] % 100;
            f->usec = 0;
            f->have_time = true;
        } else {
            return DTE_FORMAT;
        }
    }
    return DTE_OK;
}

static DtSpecial special_word(const Tok *t)
{
    static const struct {
        const char *word;
        DtSpecial special;
    } words[] = {{"epoch", DT_EPOCH},       {"infinity", DT_INFINITY}, {"now", DT_NOW},
                 {"today", DT_TODAY},       {"tomorrow", DT_TOMORROW}, {"yesterday", DT_YESTERDAY},
                 {"allballs", DT_ALLBALLS}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (word_is(t, words[i].word))
            return words[i].special;
    return DT_NONE;
}

/* A word: month, weekday, AM/PM, BC/AD, zone abbreviation or name. */
static DtErr decode_word(SdbArena *arena, const Tok *t, DtFields *f, int *month)
{
    int32_t east = 0;
    int m = month_number(t->s, t->len);
    if (m > 0 && memchr(t->s, '/', t->len) == NULL) {
        if (*month > 0)
            return DTE_FORMAT;
        *month = m;
    } else if (word_is(t, "am") || word_is(t, "pm")) {
        f->ampm = word_is(t, "am") ? 1 : 2;
    } else if (word_is(t, "bc") || word_is(t, "ad")) {
        f->bc = word_is(t, "bc");
        f->ad = !f->bc;
    } else if (day_name(t) || word_is(t, "at") || word_is(t, "on")) {
        /* noise */
    } else if (zone_abbrev(t, &east)) {
        if (f->have_tz)
            return DTE_FORMAT;
        f->have_tz = true;
        f->tz_east = east;
    } else if (memchr(t->s, '/', t->len) != NULL || t->len > 3) {
        char *name = sdb_arena_strndup(arena, t->s, t->len);
        if (name == NULL)
            return DTE_ERROR;
        const SdbTimeZone *z = sdb_timezone_load(arena, name);
        if (z == NULL && memchr(t->s, '/', t->len) == NULL)
            return DTE_FORMAT;
        if (z == NULL) { /* PostgreSQL reports the name folded to lower case */
            for (char *c = name; *c; c++)
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "time zone \"%s\" not recognized", name);
            return DTE_ZONE;
        }
        if (f->have_tz)
            return DTE_FORMAT;
        f->have_tz = true;
        f->zone = z;
    } else {
        return DTE_FORMAT;
    }
    return DTE_OK;
}

/* Check ranges and apply AM/PM and BC. */
static DtErr validate(DtFields *f)
{
    if (f->have_date) {
        if (f->bc && f->year == 0)
            return DTE_FIELD;
        if (f->two_digit_year && !f->bc && !f->ad)
            f->year += f->year < 70 ? 2000 : 1900;
        if (f->year == 0 && !f->bc)
            return DTE_FIELD;
        if (f->bc)
            f->year = 1 - f->year;
        if (f->month < 1 || f->month > 12)
            return f->month_day_order ? DTE_MDFIELD : DTE_FIELD;
        if (f->day < 1 || f->day > 31)
            return f->month_day_order ? DTE_MDFIELD : DTE_FIELD;
        if (f->day > sdb_days_in_month(f->year, f->month))
            return DTE_FIELD;
    }
    if (f->have_time) {
        if (f->ampm != 0) {
            if (f->hour > 12)
                return DTE_FIELD;
            f->hour = f->hour % 12 + (f->ampm == 2 ? 12 : 0);
        }
        if (f->minute > 59 || f->second > 60 || f->hour > 24 || (f->second == 60 && f->usec > 0) ||
            (f->hour == 24 && (f->minute > 0 || f->second > 0 || f->usec > 0)))
            return DTE_FIELD;
    } else if (f->ampm != 0) {
        return DTE_FORMAT;
    }
    return DTE_OK;
}

/* Parse date/time text into f; DTE_OK or the kind of failure. */
static DtErr decode(SdbArena *arena, const char *text, DtFields *f)
{
    memset(f, 0, sizeof *f);
    const char *s;
    size_t len = sdb_trimmed(text, &s);
    if (len == 9 && strncasecmp(s, "-infinity", 9) == 0) {
        f->special = DT_NINFINITY;
        return DTE_OK;
    }
    Tok toks[MAX_TOKS], nums[MAX_TOKS];
    int n = tokenize(text, toks), nnum = 0, month = 0;
    if (n <= 0)
        return DTE_FORMAT;
    if (n == 1 && toks[0].kind == TK_WORD && (f->special = special_word(&toks[0])) != DT_NONE)
        return DTE_OK;
    for (int i = 0; i < n; i++) {
        DtErr e = DTE_OK;
        switch (toks[i].kind) {
        case TK_DATE:
            e = decode_date(&toks[i], f);
            break;
        case TK_TIME:
            e = f->have_time ? DTE_FORMAT : decode_clock(toks[i].s, toks[i].len, f);
            break;
        case TK_TZ:
            if (f->have_tz)
                return DTE_FORMAT;
            f->have_tz = true;
            e = decode_offset(toks[i].s, toks[i].len, &f->tz_east);
            break;
        case TK_NUMBER:
            nums[nnum++] = toks[i];
            break;
        case TK_WORD:
            e = decode_word(arena, &toks[i], f, &month);
            break;
        }
        if (e != DTE_OK)
            return e;
    }
    DtErr e = decode_numbers(nums, nnum, month, f);
    return e != DTE_OK ? e : validate(f);
}

/* Record the error for a failed decode of `text` as type `type`. */
static int decode_error(DtErr e, const char *type, const char *text)
{
    switch (e) {
    case DTE_FIELD:
        return dterr_field(text);
    case DTE_MDFIELD:
        dterr_field(text);
        sdb_error_hint("Perhaps you need a different \"datestyle\" setting.");
        return SDB_ERROR;
    case DTE_TZDISP:
        return sdb_error(SDB_ERR_INVALID_TIME_ZONE_DISPLACEMENT_VALUE, "time zone displacement out of range: \"%s\"",
                         text);
    case DTE_ZONE:
        return SDB_ERROR; /* sdb_timezone_load recorded it */
    case DTE_ERROR:
        return SDB_ERROR;
    default:
        return sdb_dterr_syntax(type, text);
    }
}

/* --- conversions between fields and values ------------------------------ */

static int64_t clock_usecs(const DtFields *f)
{
    return ((int64_t)f->hour * 60 + f->minute) * SDB_USECS_PER_MINUTE + f->second * SDB_USECS_PER_SEC + f->usec;
}

/* Days since 2000-01-01 of a validated date, or false when out of range. */
static bool fields_to_days(const DtFields *f, int maxyear, int64_t *days)
{
    if (f->year < JULIAN_MINYEAR || f->year > maxyear || (f->year == JULIAN_MINYEAR && f->month < 11) ||
        (f->year == JULIAN_MINYEAR && f->month == 11 && f->day < 24))
        return false;
    *days = sdb_date2j(f->year, f->month, f->day) - SDB_POSTGRES_EPOCH_JDATE;
    return true;
}

/* Split a timestamp into days since 2000-01-01 and microseconds of day. */
static void split_timestamp(int64_t ts, int64_t *days, int64_t *usecs)
{
    *days = ts / SDB_USECS_PER_DAY;
    *usecs = ts % SDB_USECS_PER_DAY;
    if (*usecs < 0) {
        *usecs += SDB_USECS_PER_DAY;
        (*days)--;
    }
}

static int64_t unix_seconds(int64_t ts)
{
    int64_t secs = ts / SDB_USECS_PER_SEC - (ts % SDB_USECS_PER_SEC < 0);
    return secs + (int64_t)(SDB_POSTGRES_EPOCH_JDATE - SDB_UNIX_EPOCH_JDATE) * 86400;
}

/* Local wall-clock timestamp of the UTC instant `ts` in zone `tz`. */
static int64_t to_local(const SdbTimeZone *tz, int64_t ts, int32_t *east)
{
    *east = sdb_timezone_offset_at(tz, unix_seconds(ts));
    return ts + *east * SDB_USECS_PER_SEC;
}

/* The UTC instant of local time `local` in zone `tz`. */
static int64_t from_local(const SdbTimeZone *tz, int64_t local)
{
    return local - sdb_timezone_offset_local(tz, unix_seconds(local)) * SDB_USECS_PER_SEC;
}

static bool timestamp_in_range(int64_t ts)
{
    return ts >= MIN_TIMESTAMP && ts < END_TIMESTAMP;
}

/* Round microseconds to a time precision typmod (0..6), half away from zero. */
static int64_t round_precision(int64_t v, int32_t typmod)
{
    if (typmod < 0 || typmod >= MAX_TIME_PRECISION)
        return v;
    int64_t scale = 1;
    for (int i = typmod; i < MAX_TIME_PRECISION; i++)
        scale *= 10;
    return v >= 0 ? (v + scale / 2) / scale * scale : -((-v + scale / 2) / scale * scale);
}

/* The value of a special word for a timestamp (local = without zone). */
static int64_t special_timestamp(const SdbTypeCtx *ctx, DtSpecial sp, bool local)
{
    int32_t east = 0;
    int64_t now_local = to_local(ctx->timezone, ctx->now, &east);
    int64_t days, usecs;
    split_timestamp(now_local, &days, &usecs);
    int64_t midnight = days * SDB_USECS_PER_DAY;
    int64_t v;
    switch (sp) {
    case DT_INFINITY:
        return SDB_TIMESTAMP_NOEND;
    case DT_NINFINITY:
        return SDB_TIMESTAMP_NOBEGIN;
    case DT_EPOCH:
        return -(int64_t)(SDB_POSTGRES_EPOCH_JDATE - SDB_UNIX_EPOCH_JDATE) * SDB_USECS_PER_DAY;
    case DT_NOW:
        return local ? now_local : ctx->now;
    case DT_TOMORROW:
        v = midnight + SDB_USECS_PER_DAY;
        break;
    case DT_YESTERDAY:
        v = midnight - SDB_USECS_PER_DAY;
        break;
    default:
        v = midnight;
        break;
    }
    return local ? v : from_local(ctx->timezone, v);
}

/* Parse timestamp text; `with_zone` resolves the local time to UTC. */
static int parse_timestamp(const SdbTypeCtx *ctx, const char *text, bool with_zone, int64_t *out)
{
    const char *type = with_zone ? "timestamp with time zone" : "timestamp";
    DtFields f;
    DtErr e = decode(ctx->arena, text, &f);
    if (e == DTE_OK && f.special == DT_NONE && !f.have_date)
        e = DTE_FORMAT;
    if (e == DTE_OK && f.special == DT_ALLBALLS)
        e = DTE_FORMAT;
    if (e != DTE_OK)
        return decode_error(e, type, text);
    if (f.special != DT_NONE) {
        *out = special_timestamp(ctx, f.special, !with_zone);
        return SDB_OK;
    }
    int64_t days;
    if (!fields_to_days(&f, TIMESTAMP_MAXYEAR + 1, &days))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%s\"", text);
    int64_t ts = days * SDB_USECS_PER_DAY + clock_usecs(&f);
    if (with_zone) {
        if (!f.have_tz)
            ts = from_local(ctx->timezone, ts);
        else if (f.zone != NULL)
            ts = from_local(f.zone, ts);
        else
            ts -= f.tz_east * SDB_USECS_PER_SEC;
    }
    ts = round_precision(ts, ctx->typmod);
    if (!timestamp_in_range(ts))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%s\"", text);
    *out = ts;
    return SDB_OK;
}

int sdb_timestamp_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    int64_t ts = 0;
    if (parse_timestamp(ctx, text, false, &ts) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_int64(ts);
    return SDB_OK;
}

int sdb_timestamptz_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    int64_t ts = 0;
    if (parse_timestamp(ctx, text, true, &ts) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_int64(ts);
    return SDB_OK;
}

/* Append "YYYY-MM-DD" of days since 2000-01-01 (BC is the caller's). */
static int append_date(SdbStr *out, int64_t days, bool *bc)
{
    int y, m, d;
    sdb_j2date((int)(days + SDB_POSTGRES_EPOCH_JDATE), &y, &m, &d);
    *bc = y <= 0;
    return sdb_str_appendf(out, "%04d-%02d-%02d", y > 0 ? y : 1 - y, m, d);
}

static int append_time_of_day(SdbStr *out, int64_t usecs)
{
    int64_t secs = usecs / SDB_USECS_PER_SEC;
    return sdb_append_clock(out, secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60), usecs % SDB_USECS_PER_SEC);
}

/* ISO output of a timestamp; `east` is appended as the offset unless
 * `with_zone` is false. */
static int format_timestamp(SdbStr *out, int64_t ts, bool with_zone, int32_t east)
{
    if (ts == SDB_TIMESTAMP_NOEND)
        return sdb_str_append_cstr(out, "infinity");
    if (ts == SDB_TIMESTAMP_NOBEGIN)
        return sdb_str_append_cstr(out, "-infinity");
    int64_t days, usecs;
    bool bc;
    split_timestamp(ts, &days, &usecs);
    if (append_date(out, days, &bc) != SDB_OK || sdb_str_append_char(out, ' ') != SDB_OK ||
        append_time_of_day(out, usecs) != SDB_OK)
        return SDB_ERROR;
    if (with_zone && append_utc_offset(out, east) != SDB_OK)
        return SDB_ERROR;
    return bc ? sdb_str_append_cstr(out, " BC") : SDB_OK;
}

int sdb_timestamp_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return format_timestamp(out, sdb_datum_to_int64(value), false, 0);
}

int sdb_timestamptz_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    int64_t ts = sdb_datum_to_int64(value);
    if (ts == SDB_TIMESTAMP_NOEND || ts == SDB_TIMESTAMP_NOBEGIN)
        return format_timestamp(out, ts, false, 0);
    int32_t east = 0;
    int64_t local = to_local(ctx->timezone, ts, &east);
    return format_timestamp(out, local, true, east);
}

/* timestamp_recv and timestamptz_recv: int64, range-checked. */
int sdb_timestamp_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint64_t v;
    if (sdb_recv_u64(buf, &v) != SDB_OK)
        return SDB_ERROR;
    int64_t ts = (int64_t)v;
    if (ts != SDB_TIMESTAMP_NOBEGIN && ts != SDB_TIMESTAMP_NOEND) {
        if (!timestamp_in_range(ts))
            return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        ts = round_precision(ts, ctx->typmod);
    }
    *out = sdb_datum_from_int64(ts);
    return SDB_OK;
}

/* --- date -------------------------------------------------------------- */

int sdb_date_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    DtFields f;
    DtErr e = decode(ctx->arena, text, &f);
    if (e == DTE_OK && ((f.special == DT_NONE && !f.have_date) || f.special == DT_ALLBALLS))
        e = DTE_FORMAT;
    if (e != DTE_OK)
        return decode_error(e, "date", text);
    int64_t days;
    if (f.special == DT_INFINITY || f.special == DT_NINFINITY) {
        days = f.special == DT_INFINITY ? SDB_DATE_NOEND : SDB_DATE_NOBEGIN;
    } else if (f.special != DT_NONE) {
        int64_t usecs;
        split_timestamp(special_timestamp(ctx, f.special, true), &days, &usecs);
    } else if (!fields_to_days(&f, DATE_MAXYEAR, &days)) {
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "date out of range: \"%s\"", text);
    }
    *out = sdb_datum_from_int64(days);
    return SDB_OK;
}

int sdb_date_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    int64_t days = sdb_datum_to_int64(value);
    if (days == SDB_DATE_NOEND)
        return sdb_str_append_cstr(out, "infinity");
    if (days == SDB_DATE_NOBEGIN)
        return sdb_str_append_cstr(out, "-infinity");
    bool bc;
    if (append_date(out, days, &bc) != SDB_OK)
        return SDB_ERROR;
    return bc ? sdb_str_append_cstr(out, " BC") : SDB_OK;
}

int sdb_date_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    (void)ctx;
    uint32_t v;
    if (sdb_recv_u32(buf, &v) != SDB_OK)
        return SDB_ERROR;
    int32_t days = (int32_t)v;
    int64_t first = -(int64_t)SDB_POSTGRES_EPOCH_JDATE;
    int64_t last = sdb_date2j(DATE_MAXYEAR, 12, 31) - SDB_POSTGRES_EPOCH_JDATE;
    if (days != SDB_DATE_NOBEGIN && days != SDB_DATE_NOEND && (days < first || days > last))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "date out of range");
    *out = sdb_datum_from_int64(days);
    return SDB_OK;
}

/* --- time and timetz ---------------------------------------------------- */

/* Parse time text; a zone, when `zone_east` is not NULL, is stored there
 * (the session zone's offset when the text has none). */
static int parse_time(const SdbTypeCtx *ctx, const char *text, const char *type, int64_t *usecs, int32_t *zone_east)
{
    DtFields f;
    DtErr e = decode(ctx->arena, text, &f);
    if (e == DTE_OK && f.special != DT_NONE && f.special != DT_ALLBALLS && f.special != DT_NOW)
        e = DTE_FORMAT;
    if (e == DTE_OK && f.special == DT_NONE && !f.have_time)
        e = DTE_FORMAT;
    if (e != DTE_OK)
        return decode_error(e, type, text);
    int32_t east = 0;
    int64_t local_now = to_local(ctx->timezone, ctx->now, &east);
    int64_t days, now_usecs;
    split_timestamp(local_now, &days, &now_usecs);
    *usecs = f.special == DT_NOW ? now_usecs : f.special == DT_ALLBALLS ? 0 : clock_usecs(&f);
    if (f.special == DT_ALLBALLS)
        east = 0;
    if (zone_east != NULL && f.zone != NULL && !f.have_date) /* a DST-aware zone needs a date */
        return decode_error(DTE_FORMAT, type, text);
    if (zone_east != NULL && f.special == DT_NONE) {
        if (f.have_tz && f.zone == NULL) {
            east = f.tz_east;
        } else {
            int64_t day;
            if (!(f.have_date && fields_to_days(&f, DATE_MAXYEAR, &day)))
                day = days;
            east = sdb_timezone_offset_local(f.zone != NULL ? f.zone : ctx->timezone,
                                             unix_seconds(day * SDB_USECS_PER_DAY + *usecs));
        }
    }
    *usecs = round_precision(*usecs, ctx->typmod);
    if (zone_east != NULL)
        *zone_east = east;
    return SDB_OK;
}

int sdb_time_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    int64_t usecs = 0;
    if (parse_time(ctx, text, "time", &usecs, NULL) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_int64(usecs);
    return SDB_OK;
}

int sdb_time_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return append_time_of_day(out, sdb_datum_to_int64(value));
}

static int check_time_range(int64_t usecs)
{
    if (usecs < 0 || usecs > SDB_USECS_PER_DAY)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "time out of range");
    return SDB_OK;
}

int sdb_time_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint64_t v;
    if (sdb_recv_u64(buf, &v) != SDB_OK || check_time_range((int64_t)v) != SDB_OK)
        return SDB_ERROR;
    *out = sdb_datum_from_int64(round_precision((int64_t)v, ctx->typmod));
    return SDB_OK;
}

#define TIMETZ_LEN 12

static int timetz_make(SdbArena *arena, int64_t usecs, int32_t zone_west, SdbDatum *out)
{
    SdbVarlena *v = sdb_varlena_alloc(arena, TIMETZ_LEN);
    if (v == NULL)
        return SDB_ERROR;
    memcpy(v->data, &usecs, 8);
    memcpy(v->data + 8, &zone_west, 4);
    *out = sdb_datum_from_ptr(v);
    return SDB_OK;
}

static void timetz_get(SdbDatum d, int64_t *usecs, int32_t *zone_west)
{
    const SdbVarlena *v = sdb_datum_varlena(d);
    memcpy(usecs, v->data, 8);
    memcpy(zone_west, v->data + 8, 4);
}

int sdb_timetz_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    int64_t usecs = 0;
    int32_t east = 0;
    if (parse_time(ctx, text, "time with time zone", &usecs, &east) != SDB_OK)
        return SDB_ERROR;
    return timetz_make(ctx->arena, usecs, -east, out);
}

int sdb_timetz_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    int64_t usecs = 0;
    int32_t west;
    timetz_get(value, &usecs, &west);
    if (append_time_of_day(out, usecs) != SDB_OK)
        return SDB_ERROR;
    return append_utc_offset(out, -west);
}

int sdb_timetz_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint64_t t;
    uint32_t z;
    if (sdb_recv_u64(buf, &t) != SDB_OK || sdb_recv_u32(buf, &z) != SDB_OK ||
        check_time_range((int64_t)t) != SDB_OK)
        return SDB_ERROR;
    int32_t west = (int32_t)z;
    if (west < -TZDISP_LIMIT || west > TZDISP_LIMIT)
        return sdb_error(SDB_ERR_INVALID_TIME_ZONE_DISPLACEMENT_VALUE, "time zone displacement out of range");
    return timetz_make(ctx->arena, round_precision((int64_t)t, ctx->typmod), west, out);
}

int sdb_timetz_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    int64_t usecs = 0;
    int32_t west;
    timetz_get(value, &usecs, &west);
    if (sdb_send_u64(out, (uint64_t)usecs) != SDB_OK)
        return SDB_ERROR;
    return sdb_send_u32(out, (uint32_t)west);
}

/* PostgreSQL's timetz_cmp: by UTC-equivalent time, then by zone (seconds
 * west, smaller first), so only identical values are equal. */
int sdb_timetz_compare(SdbDatum a, SdbDatum b)
{
    int64_t ta, tb;
    int32_t za, zb;
    timetz_get(a, &ta, &za);
    timetz_get(b, &tb, &zb);
    int64_t ua = ta + za * SDB_USECS_PER_SEC, ub = tb + zb * SDB_USECS_PER_SEC;
    if (ua != ub)
        return ua < ub ? -1 : 1;
    return (za > zb) - (za < zb);
}

uint64_t sdb_timetz_hash(SdbDatum v)
{
    return sdb_hash_bytes(sdb_datum_varlena(v)->data, TIMETZ_LEN, 0);
}

int sdb_timetz_key(SdbDatum v, SdbStr *out)
{
    int64_t t;
    int32_t z;
    timetz_get(v, &t, &z);
    if (sdb_key_int(out, t + z * SDB_USECS_PER_SEC, 8) != SDB_OK)
        return SDB_ERROR;
    return sdb_key_int(out, z, 4);
}
