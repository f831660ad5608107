/*
 * types/timezone.c: time zones (see timezone.h).  Reads TZif files (RFC
 * 8536, version 2+ 64-bit data) from /usr/share/zoneinfo and evaluates their
 * POSIX TZ footer rule ("EST5EDT,M3.2.0,M11.1.0") for times after the last
 * listed transition.
 */
#include "types/timezone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "types/datetime.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo/"
#define TZIF_MAX_BYTES (1 << 20)
#define SECS_PER_DAY 86400

/* A day of the year in a POSIX rule: Mm.w.d, Jn (1..365, no Feb 29) or n
 * (0..365), and the local time of day it takes effect. */
typedef struct RuleDay {
    char kind; /* 'M', 'J' or 'n' */
    int month, week, wday, day;
    int32_t secs;
} RuleDay;

typedef struct PosixRule {
    int32_t std_east, dst_east;
    bool has_dst;
    RuleDay start, end;
} PosixRule;

struct SdbTimeZone {
    const char *name;
    int32_t initial;  /* offset before the first transition (or always) */
    int count;        /* transitions */
    int64_t *times;   /* UTC seconds of each transition, ascending */
    int32_t *offsets; /* offset from each transition on */
    bool has_rule;    /* the POSIX rule applies after the last transition */
    PosixRule rule;
};

const SdbTimeZone *sdb_timezone_fixed(SdbArena *arena, const char *name, int32_t east_seconds)
{
    SdbTimeZone *tz = sdb_arena_calloc(arena, 1, sizeof *tz);
    if (tz == NULL || (tz->name = sdb_arena_strdup(arena, name)) == NULL)
        return NULL;
    tz->initial = east_seconds;
    return tz;
}

const char *sdb_timezone_name(const SdbTimeZone *tz)
{
    return tz != NULL ? tz->name : "UTC";
}

/* --- POSIX TZ strings ---------------------------------------------------- */

/* A zone abbreviation: letters, or anything in <...>. */
static bool skip_abbrev(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        const char *end = strchr(s, '>');
        if (end == NULL)
            return false;
        *p = end + 1;
        return true;
    }
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
        s++;
    if (s - *p < 3)
        return false;
    *p = s;
    return true;
}

/* [+-]h[:m[:s]] in seconds. */
static bool read_hms(const char **p, int32_t *secs)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = (*s++ == '-') ? -1 : 1;
    if (!(*s >= '0' && *s <= '9'))
        return false;
    char *end;
    long h = strtol(s, &end, 10), m = 0, sec = 0;
    if (*end == ':') {
        m = strtol(end + 1, &end, 10);
        if (*end == ':')
            sec = strtol(end + 1, &end, 10);
    }
    *secs = (int32_t)(sign * (h * 3600 + m * 60 + sec));
    *p = end;
    return true;
}

static bool read_rule_day(const char **p, RuleDay *d)
{
    const char *s = *p;
    char *end;
    if (*s == 'M') {
        d->kind = 'M';
        d->month = (int)strtol(s + 1, &end, 10);
        if (*end != '.')
            return false;
        d->week = (int)strtol(end + 1, &end, 10);
        if (*end != '.')
            return false;
        d->wday = (int)strtol(end + 1, &end, 10);
        if (d->month < 1 || d->month > 12 || d->week < 1 || d->week > 5 || d->wday < 0 || d->wday > 6)
            return false;
    } else {
        d->kind = (*s == 'J') ? 'J' : 'n';
        if (*s == 'J')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        d->day = (int)strtol(s, &end, 10);
    }
    s = end;
    d->secs = 2 * 3600;
    if (*s == '/') {
        s++;
        if (!read_hms(&s, &d->secs))
            return false;
    }
    *p = s;
    return true;
}

/* Parse "STDoff[DST[off][,start[/time],end[/time]]]"; false if malformed
 * (the zone then uses its transitions only). */
static bool parse_posix(const char *s, PosixRule *r)
{
    int32_t west;
    if (!skip_abbrev(&s) || !read_hms(&s, &west))
        return false;
    r->std_east = -west;
    r->has_dst = false;
    if (*s == '\0')
        return true;
    if (!skip_abbrev(&s))
        return false;
    r->dst_east = r->std_east + 3600;
    if (*s != ',' && *s != '\0') {
        if (!read_hms(&s, &west))
            return false;
        r->dst_east = -west;
    }
    if (*s != ',')
        return false; /* without explicit dates the rule is not usable */
    s++;
    if (!read_rule_day(&s, &r->start) || *s++ != ',' || !read_rule_day(&s, &r->end) || *s != '\0')
        return false;
    r->has_dst = true;
    return true;
}

/* Seconds since 1970 (local) at which rule day `d` of `year` starts. */
static int64_t rule_day_start(const RuleDay *d, int year)
{
    int64_t jan1 = sdb_date2j(year, 1, 1);
    int64_t jd;
    bool leap = sdb_days_in_month(year, 2) == 29;
    if (d->kind == 'J') {
        jd = jan1 + d->day - 1 + (leap && d->day >= 60 ? 1 : 0);
    } else if (d->kind == 'n') {
        jd = jan1 + d->day;
    } else {
        int64_t first = sdb_date2j(year, d->month, 1);
        int first_wday = (int)((first + 1) % 7); /* 0 = Sunday */
        int day = 1 + (d->wday - first_wday + 7) % 7 + (d->week - 1) * 7;
        while (day > sdb_days_in_month(year, d->month))
            day -= 7;
        jd = first + day - 1;
    }
    return (jd - SDB_UNIX_EPOCH_JDATE) * SECS_PER_DAY + d->secs;
}

static int32_t rule_offset(const PosixRule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_east;
    int64_t local_days = (t + r->std_east) / SECS_PER_DAY - ((t + r->std_east) % SECS_PER_DAY < 0);
    int year, month, day;
    sdb_j2date((int)(local_days + SDB_UNIX_EPOCH_JDATE), &year, &month, &day);
    int64_t start = rule_day_start(&r->start, year) - r->std_east;
    int64_t end = rule_day_start(&r->end, year) - r->dst_east;
    bool dst = start < end ? (t >= start && t < end) : (t < end || t >= start);
    return dst ? r->dst_east : r->std_east;
}

/* --- TZif files ---------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4));
}

typedef struct TzifCounts {
    uint32_t isut, isstd, leap, time, type, chars;
} TzifCounts;

static bool read_counts(const unsigned char *p, size_t len, TzifCounts *c)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return c->type > 0 && c->type < 256 && c->time < 100000 && c->leap < 100000 && c->chars < 100000 &&
           c->isut <= c->type && c->isstd <= c->type;
}

static size_t body_size(const TzifCounts *c, size_t timesize)
{
    return c->time * timesize + c->time + c->type * 6 + c->chars + c->leap * (timesize + 4) + c->isstd + c->isut;
}

/* Fill tz from the version 2+ part of a TZif file; false if malformed. */
static bool parse_tzif(SdbArena *arena, const unsigned char *p, size_t len, SdbTimeZone *tz)
{
    TzifCounts c;
    if (!read_counts(p, len, &c) || p[4] < '2')
        return false;
    size_t v1 = 44 + body_size(&c, 4);
    if (v1 > len || !read_counts(p + v1, len - v1, &c))
        return false;
    const unsigned char *b = p + v1 + 44;
    size_t need = v1 + 44 + body_size(&c, 8);
    if (need > len)
        return false;
    const unsigned char *idx = b + c.time * 8, *types = idx + c.time;
    tz->count = (int)c.time;
    tz->times = sdb_arena_alloc(arena, sizeof(int64_t) * (c.time + 1));
    tz->offsets = sdb_arena_alloc(arena, sizeof(int32_t) * (c.time + 1));
    if (tz->times == NULL || tz->offsets == NULL)
        return false;
    for (uint32_t i = 0; i < c.time; i++) {
        if (idx[i] >= c.type)
            return false;
        tz->times[i] = be64(b + 8 * i);
        tz->offsets[i] = (int32_t)be32(types + 6 * idx[i]);
    }
    tz->initial = (int32_t)be32(types);
    /* footer: "\n<POSIX TZ>\n" */
    const unsigned char *foot = p + need;
    size_t flen = len - need;
    if (flen >= 2 && foot[0] == '\n' && foot[flen - 1] == '\n') {
        char *rule = sdb_arena_strndup(arena, (const char *)foot + 1, flen - 2);
        if (rule == NULL)
            return false;
        tz->has_rule = parse_posix(rule, &tz->rule);
    }
    return true;
}

/* Whether `name` is a plausible zoneinfo path (no "..", not absolute). */
static bool safe_zone_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 200)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '/' ||
              *p == '_' || *p == '+' || *p == '-'))
            return false;
    return true;
}

/* The whole file at `path` in `arena` (at most TZIF_MAX_BYTES); NULL if it
 * cannot be read. */
static unsigned char *read_file(SdbArena *arena, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *buf = NULL;
    if (size > 0 && size <= TZIF_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = sdb_arena_alloc(arena, (size_t)size)) != NULL)
        *len = fread(buf, 1, (size_t)size, f);
    fclose(f);
    return buf;
}

static int err_zone(const char *name)
{
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "time zone \"%s\" not recognized", name);
}

const SdbTimeZone *sdb_timezone_load(SdbArena *arena, const char *name)
{
    if (sdb_strcasecmp_ascii(name, "UTC") == 0 || sdb_strcasecmp_ascii(name, "GMT") == 0 ||
        sdb_strcasecmp_ascii(name, "Z") == 0)
        return sdb_timezone_fixed(arena, "UTC", 0);
    if (!safe_zone_name(name)) {
        err_zone(name);
        return NULL;
    }
    SdbArena *scratch = sdb_arena_create(arena, "tzif", 0);
    if (scratch == NULL)
        return NULL;
    char path[256];
    snprintf(path, sizeof path, "%s%s", ZONEINFO_DIR, name);
    size_t len = 0;
    unsigned char *data = read_file(scratch, path, &len);
    SdbTimeZone *tz = sdb_arena_calloc(arena, 1, sizeof *tz);
    bool ok = data != NULL && tz != NULL && (tz->name = sdb_arena_strdup(arena, name)) != NULL &&
              parse_tzif(arena, data, len, tz);
    sdb_arena_destroy(scratch);
    if (!ok) {
        err_zone(name);
        return NULL;
    }
    return tz;
}

int32_t sdb_timezone_offset_at(const SdbTimeZone *tz, int64_t t)
{
    if (tz == NULL)
        return 0;
    if (tz->count == 0)
        return tz->has_rule ? rule_offset(&tz->rule, t) : tz->initial;
    if (t < tz->times[0])
        return tz->initial;
    if (t >= tz->times[tz->count - 1] && tz->has_rule)
        return rule_offset(&tz->rule, t);
    int lo = 0, hi = tz->count - 1; /* last transition <= t */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (tz->times[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->offsets[lo];
}

int32_t sdb_timezone_offset_local(const SdbTimeZone *tz, int64_t local)
{
    int32_t before = sdb_timezone_offset_at(tz, local - SECS_PER_DAY);
    int32_t after = sdb_timezone_offset_at(tz, local + SECS_PER_DAY);
    if (before == after || sdb_timezone_offset_at(tz, local - after) == after)
        return after;
    return before;
}
