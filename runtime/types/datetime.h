/*
 * types/datetime.h: what the date/time modules share: PostgreSQL's calendar
 * arithmetic (Julian day numbers, epoch 2000-01-01), unit constants, the
 * date/time error texts, and formatting of clock times and UTC offsets.
 *
 * Value layout (PostgreSQL's): date = int32 days since 2000-01-01 (INT32_MIN
 * / INT32_MAX are -infinity / infinity); time = int64 microseconds since
 * midnight (0 .. 24:00:00); timestamp and timestamptz = int64 microseconds
 * since 2000-01-01 00:00 (UTC for timestamptz; INT64_MIN / INT64_MAX are
 * -infinity / infinity); timetz = 12-byte varlena payload, int64 time then
 * int32 zone in seconds WEST of UTC (PostgreSQL's sign, so +05:30 is
 * -19800); interval = 16-byte payload, int64 microseconds, int32 days,
 * int32 months.  Payload integers are in native byte order.
 */
#ifndef SDB_TYPES_DATETIME_H
#define SDB_TYPES_DATETIME_H

#include <stdint.h>

#include "types/datum.h"

#define SDB_USECS_PER_SEC INT64_C(1000000)
#define SDB_USECS_PER_MINUTE INT64_C(60000000)
#define SDB_USECS_PER_HOUR INT64_C(3600000000)
#define SDB_USECS_PER_DAY INT64_C(86400000000)
#define SDB_POSTGRES_EPOCH_JDATE 2451545 /* Julian day of 2000-01-01 */
#define SDB_UNIX_EPOCH_JDATE 2440588     /* Julian day of 1970-01-01 */
#define SDB_DATE_NOBEGIN INT32_MIN
#define SDB_DATE_NOEND INT32_MAX
#define SDB_TIMESTAMP_NOBEGIN INT64_MIN
#define SDB_TIMESTAMP_NOEND INT64_MAX

/* Julian day number of a proleptic Gregorian date (year 0 = 1 BC), and back. */
int sdb_date2j(int year, int month, int day);
void sdb_j2date(int jd, int *year, int *month, int *day);

/* Days in `month` of `year` (astronomical numbering). */
int sdb_days_in_month(int year, int month);

/* 22007 invalid input syntax for type <type>: "<text>" */
int sdb_dterr_syntax(const char *type, const char *text);

/* Append "HH:MM:SS[.ffffff]" (fraction without trailing zeros) for `hours`
 * (may exceed 23), minutes, seconds and microseconds, all non-negative. */
int sdb_append_clock(SdbStr *out, int64_t hours, int minutes, int seconds, int64_t usecs);

/* The microseconds of a fraction of a second written as '.' and `len` - 1
 * digits at `s` (any number of digits; rounded half to even). */
int64_t sdb_parse_fraction(const char *s, size_t len);

#endif /* SDB_TYPES_DATETIME_H */
