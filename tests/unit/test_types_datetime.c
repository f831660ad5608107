/*
 * test_types_datetime.c: date, time, timetz, timestamp, timestamptz and
 * interval: input forms, ranges and errors, ISO output, the session time
 * zone (UTC and America/New_York from the zoneinfo files, with DST gaps and
 * overlaps), the "current time" words, calendar arithmetic, precision
 * typmods and wire formats.  Expected values are PostgreSQL 15's.
 */
#include "harness.h"
#include "types/datetime.h"
#include "types_test_util.h"

/* Session TimeZone UTC. */
static const TtCase utc_cases[] = {
    {SDB_TYPEOID_DATE, -1, "2020-1-5", "2020-01-05"},
    {SDB_TYPEOID_DATE, -1, "20-01-05", "ERROR 22008: date/time field value out of range: \"20-01-05\""},
    {SDB_TYPEOID_DATE, -1, "2020/01/05", "2020-01-05"},
    {SDB_TYPEOID_DATE, -1, "Jan 5 2020", "2020-01-05"},
    {SDB_TYPEOID_DATE, -1, "5 Jan 2020", "2020-01-05"},
    {SDB_TYPEOID_DATE, -1, "2020 Jan 5", "2020-01-05"},
    {SDB_TYPEOID_DATE, -1, "January 5", "ERROR 22007: invalid input syntax for type date: \"January 5\""},
    {SDB_TYPEOID_DATE, -1, "1999-01-08 BC", "1999-01-08 BC"},
    {SDB_TYPEOID_DATE, -1, "1999-01-08 AD", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "08 Jan 99", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "Jan-8-99", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "99-Jan-08", "ERROR 22008: date/time field value out of range: \"99-Jan-08\""},
    {SDB_TYPEOID_DATE, -1, "2020-02-30", "ERROR 22008: date/time field value out of range: \"2020-02-30\""},
    {SDB_TYPEOID_DATE, -1, "  EPOCH", "1970-01-01"},
    {SDB_TYPEOID_DATE, -1, "Infinity", "infinity"},
    {SDB_TYPEOID_DATE, -1, "-Infinity", "-infinity"},
    {SDB_TYPEOID_DATE, -1, "today", "2026-11-24"},
    {SDB_TYPEOID_DATE, -1, "2020-01-01 +05", "2020-01-01"},
    {SDB_TYPEOID_DATE, -1, "2020-01-01 America/New_York", "2020-01-01"},
    {SDB_TYPEOID_DATE, -1, "2020-01-01 xyz", "ERROR 22007: invalid input syntax for type date: \"2020-01-01 xyz\""},
    {SDB_TYPEOID_DATE, -1, "2020-01-01 12:00 PM", "2020-01-01"},
    {SDB_TYPEOID_DATE, -1, "1/2/3/4", "ERROR 22007: invalid input syntax for type date: \"1/2/3/4\""},
    {SDB_TYPEOID_DATE, -1, "1-2", "ERROR 22007: invalid input syntax for type date: \"1-2\""},
    {SDB_TYPEOID_DATE, -1, "2020-01-01T", "ERROR 22007: invalid input syntax for type date: \"2020-01-01T\""},
    {SDB_TYPEOID_DATE, -1, "0099-01-01", "0099-01-01"},
    {SDB_TYPEOID_DATE, -1, "99-12-31", "ERROR 22008: date/time field value out of range: \"99-12-31\""},
    {SDB_TYPEOID_DATE, -1, "10000-01-01", "10000-01-01"},
    {SDB_TYPEOID_DATE, -1, "12-25-2020", "2020-12-25"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 00:00:00.", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 00:00:00.123456789", "2020-01-01 00:00:00.123457"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01T00:00:00Z", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 0:0:0", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 1:2", "2020-01-01 01:02:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12", "ERROR 22007: invalid input syntax for type timestamp: \"2020-01-01 12\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00 +0530", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00 America/New_York", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "Wed Jan 01 12:00:00 2020", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "Wed Jan 01 12:00:00 2020 PST", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 11:59:59 PM", "2020-01-01 23:59:59"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00 AM", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 00:00 AM", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "  2020-01-01   12:00  ", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 24:00:00.000001", "ERROR 22008: date/time field value out of range: \"2020-01-01 24:00:00.000001\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 23:59:60.5", "ERROR 22008: date/time field value out of range: \"2020-01-01 23:59:60.5\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "1970-01-01 00:00:00 BC", "1970-01-01 00:00:00 BC"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-06-31", "ERROR 22008: date/time field value out of range: \"2020-06-31\""},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00-05:30:45", "2020-01-01 17:30:45+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00+1", "2020-01-01 11:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00+123", "2020-01-01 10:37:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00+1234", "2019-12-31 23:26:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00+123456", "ERROR 22009: time zone displacement out of range: \"2020-01-01 12:00:00+123456\""},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 +14:00", "2019-12-31 22:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 -15:59", "2020-01-02 03:59:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 Z", "2020-01-01 12:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 z", "2020-01-01 12:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 zulu", "2020-01-01 12:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 UT", "2020-01-01 12:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 EST", "2020-01-01 17:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 CEST", "2020-01-01 10:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 Asia/Kolkata", "2020-01-01 06:30:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 12:00:00 Etc/GMT+5", "2020-01-01 17:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-07-01 12:00:00 Europe/London", "2020-07-01 11:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "1900-01-01 00:00 Europe/Amsterdam", "1899-12-31 23:40:28+00"},
    {SDB_TYPEOID_TIME, -1, "12", "ERROR 22007: invalid input syntax for type time: \"12\""},
    {SDB_TYPEOID_TIME, -1, "12:00:00.", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "T12:00", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "12:00:00 PM", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "0:00 AM", "00:00:00"},
    {SDB_TYPEOID_TIME, -1, "12:00 Z", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "-12:00", "ERROR 22007: invalid input syntax for type time: \"-12:00\""},
    {SDB_TYPEOID_TIME, -1, "12.00", "ERROR 22007: invalid input syntax for type time: \"12.00\""},
    {SDB_TYPEOID_TIME, -1, "12:00:00 +05", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "allballs ", "00:00:00"},
    {SDB_TYPEOID_TIME, -1, "04:05:06.000000", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "23:59:59.999999", "23:59:59.999999"},
    {SDB_TYPEOID_TIME, -1, "23:59:59.9999995", "24:00:00"},
    {SDB_TYPEOID_TIMETZ, -1, "12:00 -08:00", "12:00:00-08"},
    {SDB_TYPEOID_TIMETZ, -1, "12:00 America/New_York", "ERROR 22007: invalid input syntax for type time with time zone: \"12:00 America/New_York\""},
    {SDB_TYPEOID_TIMETZ, -1, "12:00:00+15:59", "12:00:00+15:59"},
    {SDB_TYPEOID_TIMETZ, -1, "12:00:00+16:00", "ERROR 22009: time zone displacement out of range: \"12:00:00+16:00\""},
    {SDB_TYPEOID_TIMETZ, -1, "24:00:00+00", "24:00:00+00"},
    {SDB_TYPEOID_INTERVAL, -1, "1", "00:00:01"},
    {SDB_TYPEOID_INTERVAL, -1, "-1", "-00:00:01"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5", "00:00:01.5"},
    {SDB_TYPEOID_INTERVAL, -1, "1 2", "ERROR 22007: invalid input syntax for type interval: \"1 2\""},
    {SDB_TYPEOID_INTERVAL, -1, "+1 day", "1 day"},
    {SDB_TYPEOID_INTERVAL, -1, "1 day 1 day", "ERROR 22007: invalid input syntax for type interval: \"1 day 1 day\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 year 1 year", "ERROR 22007: invalid input syntax for type interval: \"1 year 1 year\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 hours 30 minutes", "01:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1h", "01:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1h30m", "01:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 h 30 m", "01:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "10 mins", "00:10:00"},
    {SDB_TYPEOID_INTERVAL, -1, "3 weeks -1 day", "20 days"},
    {SDB_TYPEOID_INTERVAL, -1, "-1 week", "-7 days"},
    {SDB_TYPEOID_INTERVAL, -1, "0.5 weeks", "3 days 12:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 mon", "1 mon 15 days"},
    {SDB_TYPEOID_INTERVAL, -1, "0.1 years", "1 mon"},
    {SDB_TYPEOID_INTERVAL, -1, "0.01 years", "00:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1.999 years", "2 years"},
    {SDB_TYPEOID_INTERVAL, -1, "-1.5 years", "-1 years -6 mons"},
    {SDB_TYPEOID_INTERVAL, -1, "1:00:00.5", "01:00:00.5"},
    {SDB_TYPEOID_INTERVAL, -1, "25:00", "25:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "100:00:00", "100:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "-1:-2", "ERROR 22007: invalid input syntax for type interval: \"-1:-2\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 day ago", "-1 days"},
    {SDB_TYPEOID_INTERVAL, -1, "-1 day ago", "1 day"},
    {SDB_TYPEOID_INTERVAL, -1, "@ 1 minute", "00:01:00"},
    {SDB_TYPEOID_INTERVAL, -1, "P1D", "1 day"},
    {SDB_TYPEOID_INTERVAL, -1, "P1.5D", "1 day 12:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "PT1.5H", "01:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "P1M1D", "1 mon 1 day"},
    {SDB_TYPEOID_INTERVAL, -1, "P-1Y", "-1 years"},
    {SDB_TYPEOID_INTERVAL, -1, "P1Y-2M", "10 mons"},
    {SDB_TYPEOID_INTERVAL, -1, "PT", "00:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "P", "ERROR 22007: invalid input syntax for type interval: \"P\""},
    {SDB_TYPEOID_INTERVAL, -1, "P1H", "ERROR 22007: invalid input syntax for type interval: \"P1H\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 month 1 month", "ERROR 22007: invalid input syntax for type interval: \"1 month 1 month\""},
    {SDB_TYPEOID_INTERVAL, -1, "2 seconds 3 milliseconds", "00:00:02.003"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 ms", "00:00:00.0015"},
    {SDB_TYPEOID_INTERVAL, -1, "1 microsecond", "00:00:00.000001"},
    {SDB_TYPEOID_INTERVAL, -1, "0.000001 seconds", "00:00:00.000001"},
    {SDB_TYPEOID_INTERVAL, -1, "0.0000005 seconds", "00:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1e3 seconds", "ERROR 22007: invalid input syntax for type interval: \"1e3 seconds\""},
    {SDB_TYPEOID_INTERVAL, -1, "1,2", "ERROR 22007: invalid input syntax for type interval: \"1,2\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 day, 2 hours", "1 day 02:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, " ", "ERROR 22007: invalid input syntax for type interval: \" \""},
    {SDB_TYPEOID_INTERVAL, -1, "1 week 1 day", "8 days"},
    {SDB_TYPEOID_INTERVAL, -1, "1 hour 1 minute 1 second 1 ms 1 us", "01:01:01.001001"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 seconds 1 ms", "ERROR 22007: invalid input syntax for type interval: \"1.5 seconds 1 ms\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 day 02:03 4 hours", "ERROR 22007: invalid input syntax for type interval: \"1 day 02:03 4 hours\""},
    {SDB_TYPEOID_INTERVAL, -1, "02:03 4 seconds", "ERROR 22007: invalid input syntax for type interval: \"02:03 4 seconds\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 decade 1 year", "11 years"},
    {SDB_TYPEOID_INTERVAL, -1, "1 year 1 decade 1 century 1 millennium", "1111 years"},
    {SDB_TYPEOID_INTERVAL, -1, "5 1 day", "ERROR 22007: invalid input syntax for type interval: \"5 1 day\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 day 5", "1 day 00:00:05"},
    {SDB_TYPEOID_INTERVAL, -1, "02:03 1:00", "ERROR 22007: invalid input syntax for type interval: \"02:03 1:00\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 ms 1 msec", "ERROR 22007: invalid input syntax for type interval: \"1 ms 1 msec\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 hour 1 hr", "ERROR 22007: invalid input syntax for type interval: \"1 hour 1 hr\""},
    {SDB_TYPEOID_DATE, -1, "2026-11-24", "2026-11-24"},
    {SDB_TYPEOID_DATE, -1, "  2026-11-24  ", "2026-11-24"},
    {SDB_TYPEOID_DATE, -1, "1999-01-08", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "January 8, 1999", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "1999-Jan-08", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "08-Jan-1999", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "Jan-08-1999", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "1/8/1999", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "1-8-99", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "01/02/03", "2003-01-02"},
    {SDB_TYPEOID_DATE, -1, "19990108", "1999-01-08"},
    {SDB_TYPEOID_DATE, -1, "2000-02-29", "2000-02-29"},
    {SDB_TYPEOID_DATE, -1, "1900-02-29", "ERROR 22008: date/time field value out of range: \"1900-02-29\""},
    {SDB_TYPEOID_DATE, -1, "2023-02-29", "ERROR 22008: date/time field value out of range: \"2023-02-29\""},
    {SDB_TYPEOID_DATE, -1, "2024-02-29", "2024-02-29"},
    {SDB_TYPEOID_DATE, -1, "2023-13-01", "ERROR 22008: date/time field value out of range: \"2023-13-01\""},
    {SDB_TYPEOID_DATE, -1, "13/01/2020", "ERROR 22008: date/time field value out of range: \"13/01/2020\""},
    {SDB_TYPEOID_DATE, -1, "99-01-08", "ERROR 22008: date/time field value out of range: \"99-01-08\""},
    {SDB_TYPEOID_DATE, -1, "0001-01-01 BC", "0001-01-01 BC"},
    {SDB_TYPEOID_DATE, -1, "4714-11-24 BC", "4714-11-24 BC"},
    {SDB_TYPEOID_DATE, -1, "4714-11-23 BC", "ERROR 22008: date out of range: \"4714-11-23 BC\""},
    {SDB_TYPEOID_DATE, -1, "5874897-12-31", "5874897-12-31"},
    {SDB_TYPEOID_DATE, -1, "5874898-01-01", "ERROR 22008: date out of range: \"5874898-01-01\""},
    {SDB_TYPEOID_DATE, -1, "infinity", "infinity"},
    {SDB_TYPEOID_DATE, -1, "-infinity", "-infinity"},
    {SDB_TYPEOID_DATE, -1, "epoch", "1970-01-01"},
    {SDB_TYPEOID_DATE, -1, "2020-01-01 12:34:56", "2020-01-01"},
    {SDB_TYPEOID_DATE, -1, "2020-01-01T12:34", "2020-01-01"},
    {SDB_TYPEOID_DATE, -1, "foo", "ERROR 22007: invalid input syntax for type date: \"foo\""},
    {SDB_TYPEOID_DATE, -1, "12:00", "ERROR 22007: invalid input syntax for type date: \"12:00\""},
    {SDB_TYPEOID_DATE, -1, "", "ERROR 22007: invalid input syntax for type date: \"\""},
    {SDB_TYPEOID_DATE, -1, "2020-01-32", "ERROR 22008: date/time field value out of range: \"2020-01-32\""},
    {SDB_TYPEOID_DATE, -1, "2020-00-10", "ERROR 22008: date/time field value out of range: \"2020-00-10\""},
    {SDB_TYPEOID_DATE, -1, "0000-01-01", "ERROR 22008: date/time field value out of range: \"0000-01-01\""},
    {SDB_TYPEOID_DATE, -1, "Saturday, January 8, 1999", "1999-01-08"},
    {SDB_TYPEOID_TIME, -1, "04:05:06", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "04:05:06.789", "04:05:06.789"},
    {SDB_TYPEOID_TIME, -1, "04:05", "04:05:00"},
    {SDB_TYPEOID_TIME, -1, "040506", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "04:05 PM", "16:05:00"},
    {SDB_TYPEOID_TIME, -1, "12:00 AM", "00:00:00"},
    {SDB_TYPEOID_TIME, -1, "12:00 PM", "12:00:00"},
    {SDB_TYPEOID_TIME, -1, "13:00 PM", "ERROR 22008: date/time field value out of range: \"13:00 PM\""},
    {SDB_TYPEOID_TIME, -1, "24:00:00", "24:00:00"},
    {SDB_TYPEOID_TIME, -1, "24:00:01", "ERROR 22008: date/time field value out of range: \"24:00:01\""},
    {SDB_TYPEOID_TIME, -1, "23:59:60", "24:00:00"},
    {SDB_TYPEOID_TIME, -1, "23:59:59.9999999", "24:00:00"},
    {SDB_TYPEOID_TIME, -1, "12:00:00.1234567", "12:00:00.123457"},
    {SDB_TYPEOID_TIME, -1, "25:00", "ERROR 22008: date/time field value out of range: \"25:00\""},
    {SDB_TYPEOID_TIME, -1, "12:60", "ERROR 22008: date/time field value out of range: \"12:60\""},
    {SDB_TYPEOID_TIME, -1, "allballs", "00:00:00"},
    {SDB_TYPEOID_TIME, -1, "2020-01-01 04:05:06", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "04:05:06 PST", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "04:05:06+05", "04:05:06"},
    {SDB_TYPEOID_TIME, -1, "2020-01-01", "ERROR 22007: invalid input syntax for type time: \"2020-01-01\""},
    {SDB_TYPEOID_TIME, -1, "abc", "ERROR 22007: invalid input syntax for type time: \"abc\""},
    {SDB_TYPEOID_TIME, -1, "1:2:3", "01:02:03"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06+05:30", "04:05:06+05:30"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06-08", "04:05:06-08"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06 UTC", "04:05:06+00"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06Z", "04:05:06+00"},
    {SDB_TYPEOID_TIMETZ, -1, "12:00:00+05:30:15", "12:00:00+05:30:15"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06.5+00", "04:05:06.5+00"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05+16", "ERROR 22009: time zone displacement out of range: \"04:05+16\""},
    {SDB_TYPEOID_TIMETZ, -1, "allballs", "00:00:00+00"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06 PST", "04:05:06-08"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2026-11-24 05:52:12.123456", "2026-11-24 05:52:12.123456"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2026-11-24T05:52:12", "2026-11-24 05:52:12"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2026-11-24 05:52:12+05", "2026-11-24 05:52:12"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 24:00:00", "2020-01-02 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-12-31 23:59:60", "2021-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "1999-01-08 04:05:06 PM", "1999-01-08 16:05:06"},
    {SDB_TYPEOID_TIMESTAMP, -1, "January 8 04:05:06 1999 PST", "1999-01-08 04:05:06"},
    {SDB_TYPEOID_TIMESTAMP, -1, "0001-01-01 00:00:00 BC", "0001-01-01 00:00:00 BC"},
    {SDB_TYPEOID_TIMESTAMP, -1, "4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC"},
    {SDB_TYPEOID_TIMESTAMP, -1, "4714-11-23 23:59:59 BC", "ERROR 22008: timestamp out of range: \"4714-11-23 23:59:59 BC\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "294276-12-31 23:59:59.999999", "294276-12-31 23:59:59.999999"},
    {SDB_TYPEOID_TIMESTAMP, -1, "294277-01-01", "ERROR 22008: timestamp out of range: \"294277-01-01\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "infinity", "infinity"},
    {SDB_TYPEOID_TIMESTAMP, -1, "-infinity", "-infinity"},
    {SDB_TYPEOID_TIMESTAMP, -1, "epoch", "1970-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00.5", "2020-01-01 12:00:00.5"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00.0000005", "2020-01-01 12:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00:00.0000015", "2020-01-01 12:00:00.000002"},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01", "2020-01-01 00:00:00"},
    {SDB_TYPEOID_TIMESTAMP, -1, "12:00", "ERROR 22007: invalid input syntax for type timestamp: \"12:00\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "2020-01-01 12:00 junk", "ERROR 22007: invalid input syntax for type timestamp: \"2020-01-01 12:00 junk\""},
    {SDB_TYPEOID_TIMESTAMP, -1, "1999-12-31 23:59:59.999999", "1999-12-31 23:59:59.999999"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2026-11-24 05:52:12.123456+00", "2026-11-24 05:52:12.123456+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00+05:30", "2019-12-31 18:30:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00-08", "2020-01-01 08:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00 -0800", "2020-01-01 08:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01T10:20:30.5Z", "2020-01-01 10:20:30.5+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 10:00 PST", "2020-01-01 18:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-06-01 10:00 America/Los_Angeles", "2020-06-01 17:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 10:00 Europe/Berlin", "2020-01-01 09:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 +05", "2019-12-31 19:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00 +16", "ERROR 22009: time zone displacement out of range: \"2020-01-01 00:00 +16\""},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00 Foo/Bar", "ERROR 22023: time zone \"foo/bar\" not recognized"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "0001-01-01 BC", "0001-01-01 00:00:00+00 BC"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "infinity", "infinity"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "epoch", "1970-01-01 00:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00+15:59:59", "2019-12-31 08:00:01+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00 UTC", "2020-01-01 00:00:00+00"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00 GMT", "2020-01-01 00:00:00+00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 year 2 months 3 days 4 hours 5 minutes 6 seconds", "1 year 2 mons 3 days 04:05:06"},
    {SDB_TYPEOID_INTERVAL, -1, "-1 day +02:03", "-1 days +02:03:00"},
    {SDB_TYPEOID_INTERVAL, -1, "@ 1 hour ago", "-01:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 years", "1 year 6 mons"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 months", "1 mon 15 days"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 days", "1 day 12:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "5", "00:00:05"},
    {SDB_TYPEOID_INTERVAL, -1, "-1 years -2 mons +3 days -04:05:06", "-1 years -2 mons +3 days -04:05:06"},
    {SDB_TYPEOID_INTERVAL, -1, "1 week", "7 days"},
    {SDB_TYPEOID_INTERVAL, -1, "100000 hours", "100000:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 day -1 second", "1 day -00:00:01"},
    {SDB_TYPEOID_INTERVAL, -1, "0", "00:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "PT1M", "00:01:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 mon -1 days", "1 mon -1 days"},
    {SDB_TYPEOID_INTERVAL, -1, "-00:00:01.5", "-00:00:01.5"},
    {SDB_TYPEOID_INTERVAL, -1, "1:2", "01:02:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 decade 1 century", "110 years"},
    {SDB_TYPEOID_INTERVAL, -1, "1 millennium", "1000 years"},
    {SDB_TYPEOID_INTERVAL, -1, "2 weeks 3 days", "17 days"},
    {SDB_TYPEOID_INTERVAL, -1, "1.5 weeks", "10 days 12:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "3 hours 30 min", "03:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "1 ms", "00:00:00.001"},
    {SDB_TYPEOID_INTERVAL, -1, "1500 ms", "00:00:01.5"},
    {SDB_TYPEOID_INTERVAL, -1, "10 us", "00:00:00.00001"},
    {SDB_TYPEOID_INTERVAL, -1, "1 day 02:03:04", "1 day 02:03:04"},
    {SDB_TYPEOID_INTERVAL, -1, "@ 3 days 4 hours ago", "-3 days -04:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "-1.5 hours", "-01:30:00"},
    {SDB_TYPEOID_INTERVAL, -1, "P1W", "7 days"},
    {SDB_TYPEOID_INTERVAL, -1, "P0D", "00:00:00"},
    {SDB_TYPEOID_INTERVAL, -1, "PT0.5S", "00:00:00.5"},
    {SDB_TYPEOID_INTERVAL, -1, "abc", "ERROR 22007: invalid input syntax for type interval: \"abc\""},
    {SDB_TYPEOID_INTERVAL, -1, "1 fortnight", "ERROR 22007: invalid input syntax for type interval: \"1 fortnight\""},
    {SDB_TYPEOID_INTERVAL, -1, "", "ERROR 22007: invalid input syntax for type interval: \"\""},
    {SDB_TYPEOID_INTERVAL, -1, "2147483648 days", "ERROR 22015: interval field value out of range: \"2147483648 days\""},
    {SDB_TYPEOID_INTERVAL, -1, "178956971 years", "ERROR 22008: interval out of range"},
    {SDB_TYPEOID_INTERVAL, -1, "  1 DAY  ", "1 day"},
    {SDB_TYPEOID_INTERVAL, -1, "1 mon 2 days 03:04:05.678", "1 mon 2 days 03:04:05.678"},
    {SDB_TYPEOID_INTERVAL, -1, "23:59:59.999999", "23:59:59.999999"},
    {SDB_TYPEOID_INTERVAL, -1, "1 year -1 mon", "11 mons"},
};

/* Session TimeZone America/New_York. */
static const TtCase new_york_cases[] = {
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-11-01 01:30", "2020-11-01 01:30:00-05"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-03-08 02:30", "2020-03-08 03:30:00-04"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-07-04 12:00", "2020-07-04 12:00:00-04"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00:00+05:30", "2019-12-31 13:30:00-05"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "4714-11-24 00:00:00 BC", "4714-11-24 00:00:00-04:56:02 BC"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "1883-01-01", "1883-01-01 00:00:00-04:56:02"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "epoch", "1969-12-31 19:00:00-05"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2100-07-01 12:00", "2100-07-01 12:00:00-04"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2300-01-01 00:00", "2300-01-01 00:00:00-05"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2300-07-01 00:00", "2300-07-01 00:00:00-04"},
    {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-06-01 10:00 Europe/Berlin", "2020-06-01 04:00:00-04"},
    {SDB_TYPEOID_TIMETZ, -1, "04:05:06", "04:05:06-05"},
    {SDB_TYPEOID_TIMETZ, -1, "2020-07-01 04:05:06", "04:05:06-04"},
};

static void test_utc(void)
{
    tt_zone = NULL;
    TT_RUN(utc_cases);
}

static void test_new_york(void)
{
    tt_zone = sdb_timezone_load(tt_arena, "America/New_York");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tt_zone);
    TT_RUN(new_york_cases);
    tt_zone = NULL;
}

/* timestamptz text in other session zones (answers from PostgreSQL 15). */
static void test_other_zones(void)
{
    static const struct {
        const char *zone, *in, *out;
    } cases[] = {
        {"Europe/Berlin", "1957-01-14 04:12:00+00", "1957-01-14 05:12:00+01"},
        {"Europe/Berlin", "2218-07-12 17:26:05+00", "2218-07-12 19:26:05+02"},
        {"Europe/Berlin", "2048-12-16 22:38:13+00", "2048-12-16 23:38:13+01"},
        {"Europe/Berlin", "1844-04-09 02:06:29+00", "1844-04-09 02:59:57+00:53:28"},
        {"Europe/Berlin", "2037-10-31 03:30:00", "2037-10-31 03:30:00+01"},
        {"Europe/Berlin", "2038-10-31 01:30:00", "2038-10-31 01:30:00+02"},
        {"Australia/Sydney", "8870-10-14 01:23:40+00", "8870-10-14 12:23:40+11"},
        {"Australia/Sydney", "2607-10-13 16:10:40+00", "2607-10-14 03:10:40+11"},
        {"Australia/Sydney", "2020-03-14 00:30:00", "2020-03-14 00:30:00+11"},
        {"Australia/Sydney", "2037-03-08 00:30:00", "2037-03-08 00:30:00+11"},
        {"Australia/Sydney", "2037-03-29 03:30:00", "2037-03-29 03:30:00+11"},
        {"Australia/Sydney", "2100-10-31 03:30:00", "2100-10-31 03:30:00+11"},
        {"Pacific/Chatham", "2005-05-18 07:12:45+00", "2005-05-18 19:57:45+12:45"},
        {"Pacific/Chatham", "1934-09-08 01:19:00+00", "1934-09-08 13:34:00+12:15"},
        {"Pacific/Chatham", "2020-03-29 01:30:00", "2020-03-29 01:30:00+13:45"},
        {"Pacific/Chatham", "2020-11-07 03:30:00", "2020-11-07 03:30:00+13:45"},
        {"Pacific/Chatham", "2037-10-25 03:30:00", "2037-10-25 03:30:00+13:45"},
        {"Pacific/Chatham", "2100-03-08 01:30:00", "2100-03-08 01:30:00+13:45"},
        {"Africa/Casablanca", "2267-02-27 23:42:54+00", "2267-02-28 00:42:54+01"},
        {"Africa/Casablanca", "2209-01-13 09:48:38+00", "2209-01-13 10:48:38+01"},
        {"Africa/Casablanca", "1935-08-03 08:13:20+00", "1935-08-03 08:13:20+00"},
        {"Africa/Casablanca", "1999-03-31 00:30:00", "1999-03-31 00:30:00+00"},
        {"Africa/Casablanca", "2020-10-04 02:30:00", "2020-10-04 02:30:00+01"},
        {"Africa/Casablanca", "2038-04-05 00:30:00", "2038-04-05 00:30:00+01"},
        {"America/Sao_Paulo", "2612-05-25 00:52:55+00", "2612-05-24 21:52:55-03"},
        {"America/Sao_Paulo", "9397-02-16 20:30:05+00", "9397-02-16 17:30:05-03"},
        {"America/Sao_Paulo", "6803-10-20 01:24:45+00", "6803-10-19 22:24:45-03"},
        {"America/Sao_Paulo", "2337-01-07 13:18:39+00", "2337-01-07 10:18:39-03"},
        {"America/Sao_Paulo", "2038-03-14 03:30:00", "2038-03-14 03:30:00-03"},
        {"America/Sao_Paulo", "2100-10-31 02:30:00", "2100-10-31 02:30:00-03"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tt_zone = sdb_timezone_load(tt_arena, cases[i].zone);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tt_zone);
        const char *got = tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, cases[i].in, NULL);
        if (strcmp(got, cases[i].out) != 0)
            printf("\n  %s '%s': expected %s, got %s\n", cases[i].zone, cases[i].in, cases[i].out, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
    }
    tt_zone = NULL;
}

/* now/today/tomorrow/yesterday come from the transaction time (tt_now is
 * 2026-11-24 05:52:12.123456 UTC), in the session zone. */
static void test_current_time_words(void)
{
    static const TtCase cases[] = {
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "now", "2026-11-24 05:52:12.123456+00"},
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "today", "2026-11-24 00:00:00+00"},
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "tomorrow", "2026-11-25 00:00:00+00"},
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "yesterday", "2026-11-23 00:00:00+00"},
        {SDB_TYPEOID_TIMESTAMP, -1, " NOW ", "2026-11-24 05:52:12.123456"},
        {SDB_TYPEOID_DATE, -1, "today", "2026-11-24"},
        {SDB_TYPEOID_DATE, -1, "tomorrow", "2026-11-25"},
        {SDB_TYPEOID_TIME, -1, "now", "05:52:12.123456"},
    };
    TT_RUN(cases);
    tt_zone = sdb_timezone_load(tt_arena, "Asia/Tokyo");
    static const TtCase tokyo[] = {
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "now", "2026-11-24 14:52:12.123456+09"},
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "today", "2026-11-24 00:00:00+09"},
        {SDB_TYPEOID_TIMESTAMP, -1, "now", "2026-11-24 14:52:12.123456"},
        {SDB_TYPEOID_DATE, -1, "yesterday", "2026-11-23"},
        {SDB_TYPEOID_TIMETZ, -1, "now", "14:52:12.123456+09"},
        {SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00", "2020-01-01 00:00:00+09"},
    };
    TT_RUN(tokyo);
    tt_zone = sdb_timezone_load(tt_arena, "Asia/Kolkata");
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00Z", NULL), "2020-01-01 05:30:00+05:30");
    tt_zone = sdb_timezone_load(tt_arena, "Australia/Sydney"); /* southern hemisphere DST */
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, "2021-01-01 00:00Z", NULL), "2021-01-01 11:00:00+11");
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, "2350-07-01 00:00Z", NULL), "2350-07-01 10:00:00+10");
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, "2350-01-01 00:00Z", NULL), "2350-01-01 11:00:00+11");
    tt_zone = NULL;
}

static void test_precision_typmods(void)
{
    static const TtCase cases[] = {
        {SDB_TYPEOID_TIMESTAMP, 2, "2020-01-01 12:00:00.125", "2020-01-01 12:00:00.13"},
        {SDB_TYPEOID_TIMESTAMP, 0, "2020-01-01 12:00:00.5", "2020-01-01 12:00:01"},
        {SDB_TYPEOID_TIMESTAMP, 0, "1999-12-31 23:59:59.5", "1999-12-31 23:59:59"}, /* as PostgreSQL */
        {SDB_TYPEOID_TIMESTAMP, 3, "0001-01-01 00:00:00.0005 BC", "0001-01-01 00:00:00 BC"},
        {SDB_TYPEOID_TIMESTAMPTZ, 1, "2020-01-01 12:00:00.25+00", "2020-01-01 12:00:00.3+00"},
        {SDB_TYPEOID_TIME, 1, "12:00:00.25", "12:00:00.3"},
        {SDB_TYPEOID_TIMETZ, 0, "12:00:00.75+01", "12:00:01+01"},
        {SDB_TYPEOID_INTERVAL, 0x7FFF0000 | 1, "1.26 seconds", "00:00:01.3"},
        {SDB_TYPEOID_INTERVAL, 0x7FFF0000 | 1, "-1.25 seconds", "-00:00:01.3"},
    };
    TT_RUN(cases);
}

static void test_calendar(void)
{
    for (int jd = 0; jd < 3000000; jd += 7) {
        int y, m, d;
        sdb_j2date(jd, &y, &m, &d);
        CU_ASSERT_EQUAL_FATAL(sdb_date2j(y, m, d), jd);
        CU_ASSERT_TRUE_FATAL(m >= 1 && m <= 12 && d >= 1 && d <= sdb_days_in_month(y, m));
    }
    CU_ASSERT_EQUAL(sdb_date2j(2000, 1, 1), SDB_POSTGRES_EPOCH_JDATE);
    CU_ASSERT_EQUAL(sdb_date2j(1970, 1, 1), SDB_UNIX_EPOCH_JDATE);
    CU_ASSERT_EQUAL(sdb_days_in_month(2000, 2), 29);
    CU_ASSERT_EQUAL(sdb_days_in_month(1900, 2), 28);
    CU_ASSERT_EQUAL(sdb_days_in_month(2024, 2), 29);
    CU_ASSERT_EQUAL(sdb_days_in_month(0, 2), 29); /* 1 BC is a leap year */
}

static void test_time_zones(void)
{
    CU_ASSERT_PTR_NULL(sdb_timezone_load(tt_arena, "Mars/Olympus_Mons"));
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 22023: time zone \"Mars/Olympus_Mons\" not recognized");
    CU_ASSERT_PTR_NULL(sdb_timezone_load(tt_arena, "../etc/passwd"));
    sdb_error_clear();
    const SdbTimeZone *utc = sdb_timezone_load(tt_arena, "utc");
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(utc, 1600000000), 0);
    CU_ASSERT_STRING_EQUAL(sdb_timezone_name(utc), "UTC");
    const SdbTimeZone *fixed = sdb_timezone_fixed(tt_arena, "+05:30", 19800);
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(fixed, 0), 19800);
    tt_zone = fixed;
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_TIMESTAMPTZ, -1, "2020-01-01 00:00Z", NULL), "2020-01-01 05:30:00+05:30");
    tt_zone = NULL;
    const SdbTimeZone *ny = sdb_timezone_load(tt_arena, "America/New_York");
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(ny, 1593604800), -4 * 3600); /* 2020-07-01 12:00 UTC */
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(ny, 1577880000), -5 * 3600); /* 2020-01-01 12:00 UTC */
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(ny, 7258118400), -5 * 3600); /* 2200-01-01: POSIX rule */
    CU_ASSERT_EQUAL(sdb_timezone_offset_at(ny, 7273756800), -4 * 3600); /* 2200-07-01 */
}

static void test_wire(void)
{
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_DATE, "2000-01-02"), "00000001");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_DATE, "1999-12-31"), "ffffffff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_DATE, "infinity"), "7fffffff");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TIME, "00:00:01"), "00000000000f4240");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TIMESTAMP, "2000-01-01 00:00:01"), "00000000000f4240");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TIMESTAMPTZ, "-infinity"), "8000000000000000");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_TIMETZ, "00:00:01+05:30"), "00000000000f4240ffffb2a8");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_INTERVAL, "1 mon 2 days 00:00:01"), "00000000000f42400000000200000001");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_TIME, -1, "\x00\x00\x00\x15\x00\x00\x00\x01", 8),
                           "ERROR 22008: time out of range");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_TIMESTAMP, -1, "\x7f\xff\xff\xff\xff\xff\xff\x00", 8),
                           "ERROR 22008: timestamp out of range");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_DATE, -1, "\x7f\xff\xff\x00", 4), "ERROR 22008: date out of range");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_TIMETZ, -1, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00", 12),
                           "ERROR 22009: time zone displacement out of range");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_INTERVAL, -1, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 10),
                           "ERROR 08P01: insufficient data left in message");
}

/* interval order: a month is 30 days, a day 24 hours. */
static void test_interval_order(void)
{
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_INTERVAL);
    SdbDatum mon = tt_in(SDB_TYPEOID_INTERVAL, "1 mon"), days = tt_in(SDB_TYPEOID_INTERVAL, "30 days"),
             hours = tt_in(SDB_TYPEOID_INTERVAL, "720 hours"), more = tt_in(SDB_TYPEOID_INTERVAL, "30 days 1 us");
    CU_ASSERT_EQUAL(ops->compare(mon, days), 0);
    CU_ASSERT_EQUAL(ops->compare(days, hours), 0);
    CU_ASSERT_EQUAL(ops->hash(mon), ops->hash(hours));
    CU_ASSERT_TRUE(ops->compare(more, mon) > 0);
    CU_ASSERT_TRUE(ops->compare(tt_in(SDB_TYPEOID_INTERVAL, "178956970 years"),
                                tt_in(SDB_TYPEOID_INTERVAL, "-178956970 years")) > 0);
    const SdbTypeOps *tz = sdb_type_ops(SDB_TYPEOID_TIMETZ);
    CU_ASSERT_TRUE(tz->compare(tt_in(SDB_TYPEOID_TIMETZ, "12:00+01"), tt_in(SDB_TYPEOID_TIMETZ, "11:00+00")) != 0);
    CU_ASSERT_TRUE(tz->compare(tt_in(SDB_TYPEOID_TIMETZ, "12:00+02"), tt_in(SDB_TYPEOID_TIMETZ, "11:00+00")) < 0);
}

static CU_TestInfo tests[] = {
    {"date/time input and output, TimeZone UTC", test_utc},
    {"TimeZone America/New_York (DST gap and overlap, LMT, far future)", test_new_york},
    {"other session zones (45-minute offsets, southern and negative DST)", test_other_zones},
    {"now, today, tomorrow, yesterday", test_current_time_words},
    {"precision typmods", test_precision_typmods},
    {"Julian day calendar", test_calendar},
    {"time zone loading and offsets", test_time_zones},
    {"wire formats", test_wire},
    {"interval and timetz order", test_interval_order},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_datetime", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
