/* expr/dt_common.c: date/time helpers of the functions; see dt_common.h. */
#include "expr/dt_common.h"

#include <string.h>

#include "types/timezone.h"

int64_t sdb_dt_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

SdbDtFields sdb_dt_split(int64_t local)
{
    SdbDtFields f;
    int64_t date = sdb_dt_floor_div(local, SDB_USECS_PER_DAY);
    f.time = local - date * SDB_USECS_PER_DAY;
    f.julian = date + SDB_POSTGRES_EPOCH_JDATE;
    sdb_j2date((int)f.julian, &f.year, &f.month, &f.day);
    return f;
}

int64_t sdb_dt_join(const SdbDtFields *f)
{
    return ((int64_t)sdb_date2j(f->year, f->month, f->day) - SDB_POSTGRES_EPOCH_JDATE) * SDB_USECS_PER_DAY + f->time;
}

int64_t sdb_dt_to_local(const SdbFnCall *call, int64_t ts)
{
    int64_t unix_secs = sdb_dt_floor_div(ts, SDB_USECS_PER_SEC) + SDB_DT_EPOCH_DIFF_SECS;
    return ts + (int64_t)sdb_timezone_offset_at(call->context->timezone, unix_secs) * SDB_USECS_PER_SEC;
}

int64_t sdb_dt_to_utc(const SdbFnCall *call, int64_t local)
{
    int64_t local_secs = sdb_dt_floor_div(local, SDB_USECS_PER_SEC) + SDB_DT_EPOCH_DIFF_SECS;
    return local - (int64_t)sdb_timezone_offset_local(call->context->timezone, local_secs) * SDB_USECS_PER_SEC;
}

SdbDtInterval sdb_dt_arg_interval(const SdbFnCall *call, int i)
{
    SdbDtInterval iv;
    const SdbVarlena *v = sdb_fn_arg_text(call, i);
    memcpy(&iv.time, v->data, 8);
    memcpy(&iv.day, v->data + 8, 4);
    memcpy(&iv.month, v->data + 12, 4);
    return iv;
}

int sdb_dt_return_interval(SdbFnCall *call, SdbDtInterval iv)
{
    unsigned char buf[16];
    memcpy(buf, &iv.time, 8);
    memcpy(buf + 8, &iv.day, 4);
    memcpy(buf + 12, &iv.month, 4);
    return sdb_fn_return_text(call, buf, sizeof buf);
}
