/* clock.c: see clock.h. */
#include "common/clock.h"

#include <time.h>

int64_t sdb_clock_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return ((int64_t)now.tv_sec - SDB_UNIX_TO_PG_EPOCH_SECONDS) * INT64_C(1000000) + now.tv_nsec / 1000;
}
