/*
 * expr/fn_datetime.c: date/time arithmetic (date +/- days, date - date,
 * timestamp[tz] +/- interval with PostgreSQL's month and day steps in local
 * time, timestamp[tz] - timestamp[tz]), casts among date, timestamp and
 * timestamptz in the session's TimeZone, and the transaction timestamp.
 * Dates are int32 days and timestamps int64 microseconds since 2000-01-01,
 * the extreme values being -infinity/infinity.
 */
#include <stdint.h>

#include "common/error.h"
#include "expr/dt_common.h"

/* PostgreSQL's timestamp range: 4714-11-24 BC to 294277-01-01 (exclusive). */
#define TIMESTAMP_MIN INT64_C(-211813488000000000)
#define TIMESTAMP_END INT64_C(9223371331200000000)

/* Days from 2000-01-01 of PostgreSQL's first and last dates (4714-11-24 BC
 * and 5874897-12-31). */
#define DATE_MIN_DAYS (-2451545)
#define DATE_MAX_DAYS 2145031948

static int date_result(SdbFnCall *call, int64_t days)
{
    if (days < DATE_MIN_DAYS || days > DATE_MAX_DAYS)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "date out of range");
    return sdb_fn_return_int(call, days);
}

static bool date_is_infinite(int64_t days)
{
    return days == INT32_MIN || days == INT32_MAX;
}

int sdb_fn_date_pli(SdbFnCall *call)
{
    int64_t days = sdb_fn_arg_int(call, 0);
    if (date_is_infinite(days))
        return sdb_fn_return_int(call, days);
    return date_result(call, days + sdb_fn_arg_int(call, 1));
}

int sdb_fn_date_mii(SdbFnCall *call)
{
    int64_t days = sdb_fn_arg_int(call, 0);
    if (date_is_infinite(days))
        return sdb_fn_return_int(call, days);
    return date_result(call, days - sdb_fn_arg_int(call, 1));
}

int sdb_fn_date_mi(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1);
    if (date_is_infinite(a) || date_is_infinite(b))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite dates");
    return sdb_fn_return_int(call, a - b);
}

int sdb_fn_now(SdbFnCall *call)
{
    return sdb_fn_return_int(call, call->context->xact_start);
}

static int timestamp_result(SdbFnCall *call, int64_t ts)
{
    if (ts < TIMESTAMP_MIN || ts >= TIMESTAMP_END)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    return sdb_fn_return_int(call, ts);
}

/* `local` (a wall-clock timestamp) moved by `months` then `days` as
 * PostgreSQL does: the day of month clamped to the new month's length. */
static int64_t add_months_days(int64_t local, int32_t months, int32_t days)
{
    SdbDtFields f = sdb_dt_split(local);
    if (months != 0) {
        int64_t m = (int64_t)f.year * 12 + (f.month - 1) + months;
        f.year = (int)sdb_dt_floor_div(m, 12);
        f.month = (int)(m - (int64_t)f.year * 12) + 1;
        if (f.day > sdb_days_in_month(f.year, f.month))
            f.day = sdb_days_in_month(f.year, f.month);
    }
    return sdb_dt_join(&f) + days * SDB_USECS_PER_DAY;
}

/* ts + sign * span; with `zoned`, months and days step in local time. */
static int shift(SdbFnCall *call, int64_t ts, SdbDtInterval span, int sign, bool zoned)
{
    if (sdb_dt_timestamp_infinite(ts))
        return sdb_fn_return_int(call, ts);
    if (span.month != 0 || span.day != 0) {
        if (ts < TIMESTAMP_MIN || ts >= TIMESTAMP_END || span.month == INT32_MIN || span.day == INT32_MIN)
            return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        int64_t local = zoned ? sdb_dt_to_local(call, ts) : ts;
        local = add_months_days(local, sign * span.month, sign * span.day);
        ts = zoned ? sdb_dt_to_utc(call, local) : local;
    }
    int64_t r;
    if (span.time == INT64_MIN || __builtin_add_overflow(ts, sign * span.time, &r))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    return timestamp_result(call, r);
}

int sdb_fn_timestamp_pl_interval(SdbFnCall *call)
{
    return shift(call, sdb_fn_arg_int(call, 0), sdb_dt_arg_interval(call, 1), 1, false);
}

int sdb_fn_timestamp_mi_interval(SdbFnCall *call)
{
    return shift(call, sdb_fn_arg_int(call, 0), sdb_dt_arg_interval(call, 1), -1, false);
}

int sdb_fn_timestamptz_pl_interval(SdbFnCall *call)
{
    return shift(call, sdb_fn_arg_int(call, 0), sdb_dt_arg_interval(call, 1), 1, true);
}

int sdb_fn_timestamptz_mi_interval(SdbFnCall *call)
{
    return shift(call, sdb_fn_arg_int(call, 0), sdb_dt_arg_interval(call, 1), -1, true);
}

/* A date as the timestamp of its midnight; 22008 beyond timestamp's range. */
static int date_to_timestamp(int64_t days, int64_t *ts)
{
    if (date_is_infinite(days)) {
        *ts = days == INT32_MIN ? SDB_TIMESTAMP_NOBEGIN : SDB_TIMESTAMP_NOEND;
        return SDB_OK;
    }
    *ts = days * SDB_USECS_PER_DAY;
    if (*ts < TIMESTAMP_MIN || *ts >= TIMESTAMP_END)
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "date out of range for timestamp");
    return SDB_OK;
}

int sdb_fn_date_pl_interval(SdbFnCall *call)
{
    int64_t ts;
    if (date_to_timestamp(sdb_fn_arg_int(call, 0), &ts) != SDB_OK)
        return SDB_ERROR;
    return shift(call, ts, sdb_dt_arg_interval(call, 1), 1, false);
}

int sdb_fn_date_mi_interval(SdbFnCall *call)
{
    int64_t ts;
    if (date_to_timestamp(sdb_fn_arg_int(call, 0), &ts) != SDB_OK)
        return SDB_ERROR;
    return shift(call, ts, sdb_dt_arg_interval(call, 1), -1, false);
}

/* a - b as an interval of days and time (PostgreSQL's justify_hours). */
int sdb_fn_timestamp_mi(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1), diff;
    if (sdb_dt_timestamp_infinite(a) || sdb_dt_timestamp_infinite(b))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps");
    if (__builtin_sub_overflow(a, b, &diff))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "interval out of range");
    SdbDtInterval iv = {.time = diff % SDB_USECS_PER_DAY, .day = (int32_t)(diff / SDB_USECS_PER_DAY)};
    return sdb_dt_return_interval(call, iv);
}

int sdb_fn_date_timestamp(SdbFnCall *call)
{
    int64_t ts;
    if (date_to_timestamp(sdb_fn_arg_int(call, 0), &ts) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, ts);
}

/* The date of wall-clock timestamp `local`. */
static int local_date(SdbFnCall *call, int64_t local)
{
    if (sdb_dt_timestamp_infinite(local))
        return sdb_fn_return_int(call, local == SDB_TIMESTAMP_NOBEGIN ? INT32_MIN : INT32_MAX);
    return sdb_fn_return_int(call, sdb_dt_floor_div(local, SDB_USECS_PER_DAY));
}

int sdb_fn_timestamp_date(SdbFnCall *call)
{
    return local_date(call, sdb_fn_arg_int(call, 0));
}

int sdb_fn_timestamptz_date(SdbFnCall *call)
{
    int64_t ts = sdb_fn_arg_int(call, 0);
    return local_date(call, sdb_dt_timestamp_infinite(ts) ? ts : sdb_dt_to_local(call, ts));
}

int sdb_fn_date_timestamptz(SdbFnCall *call)
{
    int64_t ts;
    if (date_to_timestamp(sdb_fn_arg_int(call, 0), &ts) != SDB_OK)
        return SDB_ERROR;
    return sdb_dt_timestamp_infinite(ts) ? sdb_fn_return_int(call, ts) : timestamp_result(call, sdb_dt_to_utc(call, ts));
}

int sdb_fn_timestamp_timestamptz(SdbFnCall *call)
{
    int64_t ts = sdb_fn_arg_int(call, 0);
    return sdb_dt_timestamp_infinite(ts) ? sdb_fn_return_int(call, ts) : timestamp_result(call, sdb_dt_to_utc(call, ts));
}

int sdb_fn_timestamptz_timestamp(SdbFnCall *call)
{
    int64_t ts = sdb_fn_arg_int(call, 0);
    if (sdb_dt_timestamp_infinite(ts))
        return sdb_fn_return_int(call, ts);
    return timestamp_result(call, sdb_dt_to_local(call, ts));
}

/* age(a, b): a - b in calendar years, months and days, then time, as
 * PostgreSQL counts it (a day borrowed from the later timestamp's month);
 * timestamptz in the session zone's wall-clock time. */
int sdb_fn_timestamp_age(SdbFnCall *call)
{
    int64_t a = sdb_fn_arg_int(call, 0), b = sdb_fn_arg_int(call, 1);
    if (sdb_dt_timestamp_infinite(a) || sdb_dt_timestamp_infinite(b))
        return sdb_error(SDB_ERR_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    bool zoned = sdb_fn_argtype(call, 0) == SDB_TYPEOID_TIMESTAMPTZ;
    SdbDtFields fa = sdb_dt_split(zoned ? sdb_dt_to_local(call, a) : a);
    SdbDtFields fb = sdb_dt_split(zoned ? sdb_dt_to_local(call, b) : b);
    int sign = a < b ? -1 : 1;
    const SdbDtFields *borrow = a < b ? &fa : &fb;
    int64_t time = sign * (fa.time - fb.time), day = sign * (fa.day - fb.day);
    int64_t month = sign * (fa.month - fb.month), year = sign * (fa.year - fb.year);
    if (time < 0) {
        time += SDB_USECS_PER_DAY;
        day--;
    }
    while (day < 0) {
        day += sdb_days_in_month(borrow->year, borrow->month);
        month--;
    }
    while (month < 0) {
        month += 12;
        year--;
    }
    SdbDtInterval iv = {.time = sign * time, .day = (int32_t)(sign * day), .month = (int32_t)(sign * (year * 12 + month))};
    return sdb_dt_return_interval(call, iv);
}
