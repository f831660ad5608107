/*
 * log.h: the server log.
 *
 * One call writes one record: a line (plus DETAIL/HINT lines in text) built
 * in a buffer and written with a single fwrite under a mutex, so records of
 * concurrent threads never interleave.  Logging never allocates, so an
 * out-of-memory error can be logged.
 *
 * Text records, each line with the same prefix (time in UTC, process id):
 *
 *   2026-11-24 05:52:12.123 UTC [4242] LOG:  storage: checkpoint complete
 *   2026-11-24 05:52:12.123 UTC [4242] ERROR:  22012: executor: division by zero
 *   2026-11-24 05:52:12.123 UTC [4242] DETAIL:  the detail
 *   2026-11-24 05:52:12.123 UTC [4242] HINT:  the hint
 *
 * The SQLSTATE appears only for sdb_log_error(); a newline inside a message
 * is followed by a tab, as PostgreSQL does, so a continuation line cannot be
 * mistaken for a new record.
 *
 * JSON records are one object per line, keys in this order:
 *
 *   {"timestamp":"2026-11-24 05:52:12.123 UTC","pid":4242,"level":"ERROR",
 *    "component":"executor","sqlstate":"22012","message":"division by zero",
 *    "detail":"...","hint":"..."}
 *
 * "component" is left out when it is NULL, "sqlstate" except for
 * sdb_log_error(), "detail" and "hint" when empty.  Strings are escaped as
 * JSON requires; bytes >= 0x80 pass through (messages are UTF-8).
 *
 * Levels rank as PostgreSQL ranks them for the server log (log_min_messages):
 * DEBUG < INFO < NOTICE < WARNING < ERROR < LOG < FATAL < PANIC.  LOG sits
 * above ERROR because it is for operators, not clients.
 */
#ifndef SDB_LOG_H
#define SDB_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"

/* Messages longer than this are cut (on a UTF-8 character boundary). */
#define SDB_LOG_MESSAGE_MAX 4096

typedef enum SdbLogFormat {
    SDB_LOG_TEXT,
    SDB_LOG_JSON
} SdbLogFormat;

/* Write records at `min_level` and above, in `format`, to `out` (NULL:
 * stderr).  The caller keeps ownership of `out`; once this returns, no
 * record goes to the previous stream, so it may be closed.  Until first
 * called: INFO, text, stderr. */
void sdb_log_configure(SdbSeverity min_level, SdbLogFormat format, FILE *out);

/* Whether a record at `level` would be written; for callers that would
 * spend effort building a message. */
bool sdb_log_enabled(SdbSeverity level);

/* Write a record.  `component` names the subsystem ("storage", "wire"...)
 * or is NULL.  Below the minimum level nothing is formatted. */
void sdb_log(SdbSeverity level, const char *component, const char *fmt, ...) SDB_PRINTF(3, 4);

/* Write this thread's recorded error (error.h) at its severity, with its
 * SQLSTATE, detail and hint.  Does nothing if no error is recorded.  The
 * error stays recorded. */
void sdb_log_error(const char *component);

#endif /* SDB_LOG_H */
