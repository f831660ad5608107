/*
 * expr/dt_common.h: what the date/time functions (fn_datetime.c,
 * fn_datepart.c) share: timestamps taken apart into calendar fields and put
 * back, conversion between instants and the session zone's wall-clock
 * time, interval values, infinities.  Not for use outside runtime/expr.
 */
#ifndef SDB_EXPR_DT_COMMON_H
#define SDB_EXPR_DT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "expr/fmgr.h"
#include "types/datetime.h"

/* Seconds from 1970-01-01 to 2000-01-01. */
#define SDB_DT_EPOCH_DIFF_SECS ((int64_t)(SDB_POSTGRES_EPOCH_JDATE - SDB_UNIX_EPOCH_JDATE) * 86400)

/* a / b rounded towards minus infinity (b > 0). */
int64_t sdb_dt_floor_div(int64_t a, int64_t b);

static inline bool sdb_dt_timestamp_infinite(int64_t ts)
{
    return ts == SDB_TIMESTAMP_NOBEGIN || ts == SDB_TIMESTAMP_NOEND;
}

/* A wall-clock timestamp taken apart (astronomical year: 0 is 1 BC). */
typedef struct SdbDtFields {
    int year, month, day;
    int64_t julian; /* Julian day number */
    int64_t time;   /* microseconds since midnight */
} SdbDtFields;

SdbDtFields sdb_dt_split(int64_t local);
int64_t sdb_dt_join(const SdbDtFields *f);

/* The session zone's wall-clock time at instant `ts`, and the instant at
 * which its clocks show `local` (call->context->timezone; NULL is UTC). */
int64_t sdb_dt_to_local(const SdbFnCall *call, int64_t ts);
int64_t sdb_dt_to_utc(const SdbFnCall *call, int64_t local);

/* An interval's fields (types/README.md: int64 µs, int32 days, int32 months). */
typedef struct SdbDtInterval {
    int64_t time;
    int32_t day;
    int32_t month;
} SdbDtInterval;

SdbDtInterval sdb_dt_arg_interval(const SdbFnCall *call, int i);
int sdb_dt_return_interval(SdbFnCall *call, SdbDtInterval iv);

#endif /* SDB_EXPR_DT_COMMON_H */
