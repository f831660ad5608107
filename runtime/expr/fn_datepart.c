/*
 * expr/fn_datepart.c: extract/date_part (a field of a timestamp, timestamptz
 * in the session's TimeZone, date, time, timetz or interval) and date_trunc
 * (a timestamp cut down to a unit) of timestamp and timestamptz, with PostgreSQL's unit names and
 * abbreviations, field rules (BC years, ISO weeks and years, centuries,
 * Julian days, zone offsets) and infinities.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "expr/dt_common.h"
#include "types/numeric.h"
#include "types/typeio.h"

typedef enum Unit {
    UNIT_MICROSECOND, UNIT_MILLISECOND, UNIT_SECOND, UNIT_MINUTE, UNIT_HOUR, UNIT_DAY, UNIT_WEEK, UNIT_MONTH,
    UNIT_QUARTER, UNIT_YEAR, UNIT_DECADE, UNIT_CENTURY, UNIT_MILLENNIUM, UNIT_DOW, UNIT_ISODOW, UNIT_DOY,
    UNIT_EPOCH, UNIT_ISOYEAR, UNIT_JULIAN, UNIT_TIMEZONE, UNIT_TIMEZONE_HOUR, UNIT_TIMEZONE_MINUTE, UNIT_UNKNOWN
} Unit;

/* PostgreSQL's unit tokens (datetime.c deltatktbl and the units of
 * datetktbl); a name is compared on its first TOKMAXLEN (10) characters,
 * so "microseconds" is "microsecon". */
#define TOKMAXLEN 10
static const struct { const char *name; Unit unit; } UNITS[] = {
    {"c", UNIT_CENTURY}, {"cent", UNIT_CENTURY}, {"centuries", UNIT_CENTURY}, {"century", UNIT_CENTURY},
    {"d", UNIT_DAY}, {"day", UNIT_DAY}, {"days", UNIT_DAY}, {"dec", UNIT_DECADE}, {"decade", UNIT_DECADE},
    {"decades", UNIT_DECADE}, {"decs", UNIT_DECADE}, {"dow", UNIT_DOW}, {"doy", UNIT_DOY}, {"epoch", UNIT_EPOCH},
    {"h", UNIT_HOUR}, {"hour", UNIT_HOUR}, {"hours", UNIT_HOUR}, {"hr", UNIT_HOUR}, {"hrs", UNIT_HOUR},
    {"isodow", UNIT_ISODOW}, {"isoyear", UNIT_ISOYEAR}, {"j", UNIT_JULIAN}, {"jd", UNIT_JULIAN},
    {"julian", UNIT_JULIAN}, {"m", UNIT_MINUTE}, {"microsecon", UNIT_MICROSECOND}, {"mil", UNIT_MILLENNIUM},
    {"millennia", UNIT_MILLENNIUM}, {"millennium", UNIT_MILLENNIUM}, {"millisecon", UNIT_MILLISECOND},
    {"mils", UNIT_MILLENNIUM}, {"min", UNIT_MINUTE}, {"mins", UNIT_MINUTE}, {"minute", UNIT_MINUTE},
    {"minutes", UNIT_MINUTE}, {"mon", UNIT_MONTH}, {"mons", UNIT_MONTH}, {"month", UNIT_MONTH},
    {"months", UNIT_MONTH}, {"ms", UNIT_MILLISECOND}, {"msec", UNIT_MILLISECOND}, {"msecs", UNIT_MILLISECOND},
    {"mseconds", UNIT_MILLISECOND}, {"qtr", UNIT_QUARTER}, {"quarter", UNIT_QUARTER}, {"s", UNIT_SECOND},
    {"sec", UNIT_SECOND}, {"second", UNIT_SECOND}, {"seconds", UNIT_SECOND}, {"secs", UNIT_SECOND},
    {"timezone", UNIT_TIMEZONE}, {"timezone_h", UNIT_TIMEZONE_HOUR}, {"timezone_m", UNIT_TIMEZONE_MINUTE},
    {"us", UNIT_MICROSECOND}, {"usec", UNIT_MICROSECOND}, {"usecs", UNIT_MICROSECOND},
    {"useconds", UNIT_MICROSECOND}, {"w", UNIT_WEEK}, {"week", UNIT_WEEK}, {"weeks", UNIT_WEEK},
    {"y", UNIT_YEAR}, {"year", UNIT_YEAR}, {"years", UNIT_YEAR}, {"yr", UNIT_YEAR}, {"yrs", UNIT_YEAR},
};

static bool zoned(const SdbFnCall *call)
{
    return sdb_fn_argtype(call, 1) == SDB_TYPEOID_TIMESTAMPTZ;
}

/* The wall-clock time of timestamp argument `ts` (timestamptz: in the session zone). */
static int64_t local_time(const SdbFnCall *call, int64_t ts)
{
    return zoned(call) ? sdb_dt_to_local(call, ts) : ts;
}

/* The argument's type in messages (date_part(text, date) works on the
 * date as a timestamp, as PostgreSQL's SQL definition of it does). */
static const char *type_name(const SdbFnCall *call)
{
    switch (sdb_fn_argtype(call, 1)) {
    case SDB_TYPEOID_TIMESTAMPTZ: return "timestamp with time zone";
    case SDB_TYPEOID_DATE: return sdb_fn_rettype(call) == SDB_TYPEOID_NUMERIC ? "date" : "timestamp without time zone";
    case SDB_TYPEOID_TIME: return "time without time zone";
    case SDB_TYPEOID_TIMETZ: return "time with time zone";
    case SDB_TYPEOID_INTERVAL: return "interval";
    default: return "timestamp without time zone";
    }
}

static int not_supported(const SdbFnCall *call, const char *name)
{
    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s", name, type_name(call));
}

/* The timestamp argument; a date is its midnight. */
static int64_t timestamp_arg(const SdbFnCall *call)
{
    int64_t v = sdb_fn_arg_int(call, 1);
    if (sdb_fn_argtype(call, 1) != SDB_TYPEOID_DATE)
        return v;
    return v == SDB_DATE_NOBEGIN ? SDB_TIMESTAMP_NOBEGIN : v == SDB_DATE_NOEND ? SDB_TIMESTAMP_NOEND : v * SDB_USECS_PER_DAY;
}

#define UNIT_NAME_MAX 32

/* The unit named by argument 0 (any case; its lower-case name in `name`);
 * 22023 or 0A000 when it is not one. */
static int unit_arg(const SdbFnCall *call, Unit *unit, char name[UNIT_NAME_MAX])
{
    const SdbVarlena *v = sdb_fn_arg_text(call, 0);
    size_t n = v->len < UNIT_NAME_MAX - 1 ? v->len : UNIT_NAME_MAX - 1;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower(v->data[i]);
    name[n] = '\0';
    *unit = UNIT_UNKNOWN;
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0] && v->len < UNIT_NAME_MAX; i++)
        if (strncmp(UNITS[i].name, name, TOKMAXLEN) == 0)
            *unit = UNITS[i].unit;
    if (*unit == UNIT_UNKNOWN)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", name,
                         type_name(call));
    return SDB_OK;
}

/* Day of the week of a Julian day, 0 = Sunday. */
static int weekday(int64_t julian)
{
    return (int)((julian + 1) % 7);
}

/* ISO 8601 week number (weeks start on Monday; week 1 holds January 4). */
static int iso_week(const SdbDtFields *f)
{
    int64_t day4 = sdb_date2j(f->year, 1, 4), start = day4 - weekday(day4 - 1);
    if (f->julian < start) {
        day4 = sdb_date2j(f->year - 1, 1, 4);
        start = day4 - weekday(day4 - 1);
    }
    int64_t week = (f->julian - start) / 7 + 1;
    if (week >= 52) {
        int64_t next4 = sdb_date2j(f->year + 1, 1, 4), next = next4 - weekday(next4 - 1);
        if (f->julian >= next)
            week = (f->julian - next) / 7 + 1;
    }
    return (int)week;
}

/* The ISO 8601 year: the year its ISO week (week 1 holds January 4) belongs to. */
static int64_t iso_year(const SdbDtFields *f)
{
    int64_t day4 = sdb_date2j(f->year, 1, 4), start = day4 - weekday(day4 - 1);
    if (f->julian < start)
        return f->year - 1;
    int64_t next4 = sdb_date2j(f->year + 1, 1, 4), next = next4 - weekday(next4 - 1);
    return f->julian >= next ? f->year + 1 : f->year;
}

/* The session zone's offset east of UTC at instant `ts`, in seconds. */
static int64_t utc_offset(const SdbFnCall *call, int64_t ts)
{
    return (sdb_dt_to_local(call, ts) - ts) / SDB_USECS_PER_SEC;
}

/* PostgreSQL's decade, century and millennium of an astronomical year. */
static int64_t year_group(int year, int size)
{
    if (size == 10)
        return year >= 0 ? year / 10 : -((8 - (year - 1)) / 10);
    return year > 0 ? (year + size - 1) / size : -((size - 1 - (year - 1)) / size);
}

/* Field `unit` of `ts` as value / 10^scale. */
static void field_value(const SdbFnCall *call, Unit unit, int64_t ts, int64_t *value, int *scale)
{
    SdbDtFields f = sdb_dt_split(local_time(call, ts));
    int64_t usec_in_minute = f.time % SDB_USECS_PER_MINUTE;
    *scale = 0;
    switch (unit) {
    case UNIT_MICROSECOND: *value = usec_in_minute; return;
    case UNIT_MILLISECOND: *value = usec_in_minute, *scale = 3; return;
    case UNIT_SECOND: *value = usec_in_minute, *scale = 6; return;
    case UNIT_MINUTE: *value = f.time / SDB_USECS_PER_MINUTE % 60; return;
    case UNIT_HOUR: *value = f.time / SDB_USECS_PER_HOUR; return;
    case UNIT_DAY: *value = f.day; return;
    case UNIT_WEEK: *value = iso_week(&f); return;
    case UNIT_MONTH: *value = f.month; return;
    case UNIT_QUARTER: *value = (f.month - 1) / 3 + 1; return;
    case UNIT_YEAR: *value = f.year > 0 ? f.year : f.year - 1; return;
    case UNIT_DECADE: *value = year_group(f.year, 10); return;
    case UNIT_CENTURY: *value = year_group(f.year, 100); return;
    case UNIT_MILLENNIUM: *value = year_group(f.year, 1000); return;
    case UNIT_DOW: *value = weekday(f.julian); return;
    case UNIT_ISODOW: *value = weekday(f.julian) == 0 ? 7 : weekday(f.julian); return;
    case UNIT_DOY: *value = f.julian - sdb_date2j(f.year, 1, 1) + 1; return;
    case UNIT_EPOCH: *value = ts + SDB_DT_EPOCH_DIFF_SECS * SDB_USECS_PER_SEC, *scale = 6; return;
    case UNIT_ISOYEAR: *value = iso_year(&f); *value -= *value <= 0; return;
    case UNIT_TIMEZONE: *value = utc_offset(call, ts); return;
    case UNIT_TIMEZONE_HOUR: *value = utc_offset(call, ts) / 3600; return;
    case UNIT_TIMEZONE_MINUTE: *value = utc_offset(call, ts) / 60 % 60; return;
    case UNIT_JULIAN: /* field_result computes it */
    case UNIT_UNKNOWN: break;
    }
    *value = 0;
}

/* Whether `unit` grows with time, so that an infinite timestamp has an
 * infinite value of it (else NULL). */
static bool grows(Unit unit)
{
    return unit == UNIT_YEAR || unit == UNIT_DECADE || unit == UNIT_CENTURY || unit == UNIT_MILLENNIUM ||
           unit == UNIT_EPOCH || unit == UNIT_ISOYEAR || unit == UNIT_JULIAN;
}

/* "value / 10^scale" as decimal text, or "[-]Infinity". */
static void field_text(int64_t value, int scale, char *out, size_t size)
{
    int64_t pow10 = scale == 6 ? 1000000 : scale == 3 ? 1000 : 1;
    int64_t whole = value / pow10, frac = value % pow10;
    const char *sign = value < 0 && whole == 0 ? "-" : "";
    if (scale == 0)
        snprintf(out, size, "%lld", (long long)value);
    else
        snprintf(out, size, "%s%lld.%0*lld", sign, (long long)whole, scale, (long long)(frac < 0 ? -frac : frac));
}

/* `usecs` / 10^6 as decimal text (an interval's epoch may pass 64 bits). */
static int epoch_text(__int128 usecs, char *out, size_t size)
{
    unsigned __int128 u = usecs < 0 ? -(unsigned __int128)usecs : (unsigned __int128)usecs;
    char digits[48];
    int n = (int)sizeof digits;
    digits[--n] = '\0';
    for (int i = 0; i < 6; i++, u /= 10)
        digits[--n] = (char)('0' + (int)(u % 10));
    digits[--n] = '.';
    do {
        digits[--n] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    snprintf(out, size, "%s%s", usecs < 0 ? "-" : "", digits + n);
    return SDB_OK;
}

/* The Julian day of `ts` with the time of day as a fraction, as text:
 * for extract as PostgreSQL's numeric date2j + µs / 86400000000 (numeric
 * division's scale), for date_part as float8 arithmetic. */
static int julian_text(SdbFnCall *call, int64_t ts, char *out, size_t size)
{
    SdbDtFields f = sdb_dt_split(local_time(call, ts));
    if (sdb_fn_rettype(call) == SDB_TYPEOID_FLOAT8) {
        int64_t secs = f.time / SDB_USECS_PER_SEC, fsec = f.time % SDB_USECS_PER_SEC;
        snprintf(out, size, "%.17g", (double)f.julian + ((double)secs + (double)fsec / 1000000.0) / 86400.0);
        return SDB_OK;
    }
    SdbDatum day, usec, per_day, fraction, sum;
    SdbTypeCtx ctx = {.arena = call->arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    SdbStr text;
    sdb_str_init(&text, call->arena);
    if (sdb_numeric_from_int64(call->arena, f.julian, &day) != SDB_OK ||
        sdb_numeric_from_int64(call->arena, f.time, &usec) != SDB_OK ||
        sdb_numeric_from_int64(call->arena, SDB_USECS_PER_DAY, &per_day) != SDB_OK ||
        sdb_numeric_div(call->arena, usec, per_day, &fraction) != SDB_OK ||
        sdb_numeric_add(call->arena, day, fraction, &sum) != SDB_OK || sdb_type_output(&ctx, sum, &text) != SDB_OK)
        return SDB_ERROR;
    snprintf(out, size, "%s", text.data);
    return SDB_OK;
}

/* "[-]Infinity" for an infinite value; NULL unless `unit` grows. */
static void infinite_text(Unit unit, bool negative, char *out, size_t size, bool *isnull)
{
    *isnull = !grows(unit);
    snprintf(out, size, "%sInfinity", negative ? "-" : "");
}

/* A field of a timestamp, timestamptz or (date_part) date. */
static int timestamp_field(SdbFnCall *call, Unit unit, const char *name, char *out, size_t size, bool *isnull)
{
    int64_t ts = timestamp_arg(call), value;
    int scale;
    if (unit >= UNIT_TIMEZONE && !zoned(call))
        return not_supported(call, name);
    if (sdb_dt_timestamp_infinite(ts))
        infinite_text(unit, ts == SDB_TIMESTAMP_NOBEGIN, out, size, isnull);
    else if (unit == UNIT_JULIAN)
        return julian_text(call, ts, out, size);
    else {
        field_value(call, unit, ts, &value, &scale);
        field_text(value, scale, out, size);
    }
    return SDB_OK;
}

/* A field of a date (extract(text, date)): whole numbers, date units only. */
static int date_field(SdbFnCall *call, Unit unit, const char *name, char *out, size_t size, bool *isnull)
{
    int64_t days = sdb_fn_arg_int(call, 1), value;
    int scale = 0;
    if (unit < UNIT_DAY || unit >= UNIT_TIMEZONE)
        return not_supported(call, name);
    if (days == SDB_DATE_NOBEGIN || days == SDB_DATE_NOEND) {
        infinite_text(unit, days == SDB_DATE_NOBEGIN, out, size, isnull);
        return SDB_OK;
    }
    if (unit == UNIT_JULIAN)
        value = days + SDB_POSTGRES_EPOCH_JDATE;
    else if (unit == UNIT_EPOCH)
        value = days * 86400 + SDB_DT_EPOCH_DIFF_SECS;
    else
        field_value(call, unit, days * SDB_USECS_PER_DAY, &value, &scale);
    field_text(value, scale, out, size);
    return SDB_OK;
}

/* A field of a time or timetz: time-of-day units, epoch, and a timetz's zone. */
static int time_field(SdbFnCall *call, Unit unit, const char *name, char *out, size_t size)
{
    int64_t time, value;
    int32_t west = 0;
    int scale = 0;
    if (sdb_fn_argtype(call, 1) == SDB_TYPEOID_TIMETZ) {
        const SdbVarlena *v = sdb_fn_arg_text(call, 1);
        memcpy(&time, v->data, 8);
        memcpy(&west, v->data + 8, 4);
    } else {
        time = sdb_fn_arg_int(call, 1);
    }
    bool zone_unit = unit == UNIT_TIMEZONE || unit == UNIT_TIMEZONE_HOUR || unit == UNIT_TIMEZONE_MINUTE;
    if (unit <= UNIT_HOUR)
        field_value(call, unit, time, &value, &scale);
    else if (unit == UNIT_EPOCH)
        value = time + (int64_t)west * SDB_USECS_PER_SEC, scale = 6;
    else if (zone_unit && sdb_fn_argtype(call, 1) == SDB_TYPEOID_TIMETZ)
        value = unit == UNIT_TIMEZONE ? -west : unit == UNIT_TIMEZONE_HOUR ? -west / 3600 : -west / 60 % 60;
    else
        return not_supported(call, name);
    field_text(value, scale, out, size);
    return SDB_OK;
}

/* A field of an interval, from its months, days and microseconds taken
 * apart as PostgreSQL's interval2itm does (every part keeps the sign). */
static int interval_field(SdbFnCall *call, Unit unit, const char *name, char *out, size_t size)
{
    const SdbVarlena *v = sdb_fn_arg_text(call, 1);
    int64_t time;
    int32_t day, month;
    memcpy(&time, v->data, 8);
    memcpy(&day, v->data + 8, 4);
    memcpy(&month, v->data + 12, 4);
    int64_t year = month / 12, mon = month % 12, hour = time / SDB_USECS_PER_HOUR;
    int64_t minute = time % SDB_USECS_PER_HOUR / SDB_USECS_PER_MINUTE, usec = time % SDB_USECS_PER_MINUTE, value;
    int scale = 0;
    switch (unit) {
    case UNIT_MICROSECOND: value = usec; break;
    case UNIT_MILLISECOND: value = usec, scale = 3; break;
    case UNIT_SECOND: value = usec, scale = 6; break;
    case UNIT_MINUTE: value = minute; break;
    case UNIT_HOUR: value = hour; break;
    case UNIT_DAY: value = day; break;
    case UNIT_MONTH: value = mon; break;
    case UNIT_QUARTER: value = mon / 3 + 1; break;
    case UNIT_YEAR: value = year; break;
    case UNIT_DECADE: value = year / 10; break;
    case UNIT_CENTURY: value = year / 100; break;
    case UNIT_MILLENNIUM: value = year / 1000; break;
    case UNIT_EPOCH: {
        /* 365.25 days a year, 30 a month, 86400 seconds a day, in 128 bits */
        __int128 secs = ((__int128)1461 * (month / 12) + (__int128)120 * (month % 12) + (__int128)4 * day) * 21600;
        __int128 usecs = secs * 1000000 + time;
        return epoch_text(usecs, out, size);
    }
    default: return not_supported(call, name);
    }
    field_text(value, scale, out, size);
    return SDB_OK;
}

/* The field as text for extract (numeric) and date_part (float8); *isnull
 * for a non-growing field of an infinite value. */
static int field(SdbFnCall *call, char *out, size_t size, bool *isnull)
{
    Unit unit;
    char name[UNIT_NAME_MAX];
    *isnull = false;
    if (unit_arg(call, &unit, name) != SDB_OK)
        return SDB_ERROR;
    switch (sdb_fn_argtype(call, 1)) {
    case SDB_TYPEOID_DATE:
        if (sdb_fn_rettype(call) == SDB_TYPEOID_NUMERIC)
            return date_field(call, unit, name, out, size, isnull);
        return timestamp_field(call, unit, name, out, size, isnull);
    case SDB_TYPEOID_TIME:
    case SDB_TYPEOID_TIMETZ: return time_field(call, unit, name, out, size);
    case SDB_TYPEOID_INTERVAL: return interval_field(call, unit, name, out, size);
    default: return timestamp_field(call, unit, name, out, size, isnull);
    }
}

/* Parse the field's text with the input function of the result type. */
static int field_result(SdbFnCall *call)
{
    char text[64];
    if (field(call, text, sizeof text, &call->result_null) != SDB_OK)
        return SDB_ERROR;
    if (call->result_null)
        return SDB_OK;
    SdbTypeCtx ctx = {.arena = call->arena, .typid = sdb_fn_rettype(call), .typmod = -1};
    return sdb_type_input(&ctx, text, &call->result);
}

/* extract (numeric) and date_part (float8) of every date/time type. */
int sdb_fn_datetime_field(SdbFnCall *call) { return field_result(call); }


/* `f` cut down to `unit` (PostgreSQL's rules for BC decades and centuries). */
static void truncate_fields(SdbDtFields *f, Unit unit)
{
    static const int64_t time_units[] = {
        [UNIT_MICROSECOND] = 1, [UNIT_MILLISECOND] = 1000, [UNIT_SECOND] = SDB_USECS_PER_SEC,
        [UNIT_MINUTE] = SDB_USECS_PER_MINUTE, [UNIT_HOUR] = SDB_USECS_PER_HOUR,
    };
    if (unit <= UNIT_HOUR) {
        f->time -= f->time % time_units[unit];
        return;
    }
    f->time = 0;
    if (unit == UNIT_WEEK) {
        int back = (weekday(f->julian) + 6) % 7; /* days since Monday */
        sdb_j2date((int)(f->julian - back), &f->year, &f->month, &f->day);
        return;
    }
    if (unit == UNIT_DAY)
        return;
    f->day = 1;
    if (unit == UNIT_MONTH)
        return;
    f->month = unit == UNIT_QUARTER ? (f->month - 1) / 3 * 3 + 1 : 1;
    if (unit == UNIT_DECADE)
        f->year = f->year > 0 ? f->year / 10 * 10 : -((8 - (f->year - 1)) / 10) * 10;
    else if (unit == UNIT_CENTURY)
        f->year = f->year > 0 ? (f->year + 99) / 100 * 100 - 99 : -((99 - (f->year - 1)) / 100) * 100 + 1;
    else if (unit == UNIT_MILLENNIUM)
        f->year = f->year > 0 ? (f->year + 999) / 1000 * 1000 - 999 : -((999 - (f->year - 1)) / 1000) * 1000 + 1;
}

int sdb_fn_timestamp_trunc(SdbFnCall *call)
{
    Unit unit;
    int64_t ts = sdb_fn_arg_int(call, 1);
    char name[UNIT_NAME_MAX];
    if (unit_arg(call, &unit, name) != SDB_OK)
        return SDB_ERROR;
    if (unit >= UNIT_TIMEZONE)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s", name,
                         type_name(call));
    if (unit >= UNIT_DOW) /* fields, not units */
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", name,
                         type_name(call));
    if (sdb_dt_timestamp_infinite(ts))
        return sdb_fn_return_int(call, ts);
    SdbDtFields f = sdb_dt_split(local_time(call, ts));
    truncate_fields(&f, unit);
    int64_t local = sdb_dt_join(&f);
    return sdb_fn_return_int(call, zoned(call) ? sdb_dt_to_utc(call, local) : local);
}
