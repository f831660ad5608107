/*
 * clock.h: the current time as specdb stores it: microseconds since
 * 2000-01-01 00:00:00 UTC, PostgreSQL's timestamptz epoch, so a value can be
 * shown as a timestamptz as it is (commit timestamps, checkpoint times).
 */
#ifndef SDB_COMMON_CLOCK_H
#define SDB_COMMON_CLOCK_H

#include <stdint.h>

/* Seconds from the Unix epoch (1970) to PostgreSQL's (2000). */
#define SDB_UNIX_TO_PG_EPOCH_SECONDS INT64_C(946684800)

/* Wall-clock time now, in microseconds since 2000-01-01 UTC. */
int64_t sdb_clock_now(void);

#endif /* SDB_COMMON_CLOCK_H */
