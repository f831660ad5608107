/*
 * types/timezone.h: time zones for timestamptz and timetz: a fixed UTC
 * offset, or an IANA zone read from its TZif file under /usr/share/zoneinfo
 * (transitions, then the file's POSIX TZ rule for later times).  Reading the
 * file ourselves keeps conversions thread-safe (no setenv("TZ")).
 *
 * Offsets are seconds EAST of UTC (New York in winter is -18000).  A zone
 * lives in the arena it was loaded into and is immutable, so threads can
 * share it.
 */
#ifndef SDB_TYPES_TIMEZONE_H
#define SDB_TYPES_TIMEZONE_H

#include <stdint.h>

#include "common/memory.h"

typedef struct SdbTimeZone SdbTimeZone;

/* The zone called `name`: "UTC"/"GMT"/"Z" (any case), an IANA name such as
 * "Europe/Berlin" (case as in the zoneinfo folder, or any case when the
 * file system finds it), or a fixed offset zone.  NULL with 22023
 * `time zone "<name>" not recognized` when there is no such zone. */
const SdbTimeZone *sdb_timezone_load(SdbArena *arena, const char *name);

/* A zone with a constant offset (seconds east of UTC), named `name`. */
const SdbTimeZone *sdb_timezone_fixed(SdbArena *arena, const char *name, int32_t east_seconds);

/* The offset in effect at `unix_seconds` (UTC seconds since 1970).  NULL
 * means UTC. */
int32_t sdb_timezone_offset_at(const SdbTimeZone *tz, int64_t unix_seconds);

/* The offset for a local wall-clock time (seconds since 1970 as if it were
 * UTC), resolved as PostgreSQL does: a time that occurs twice (the clock
 * went back) takes the later offset, a time skipped by a forward jump the
 * earlier one. */
int32_t sdb_timezone_offset_local(const SdbTimeZone *tz, int64_t local_seconds);

/* The name the zone was loaded with. */
const char *sdb_timezone_name(const SdbTimeZone *tz);

#endif /* SDB_TYPES_TIMEZONE_H */
