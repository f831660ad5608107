/*
 * error.h: the one way specdb reports an error.
 *
 * A function that fails records what went wrong in its thread's error slot
 * with sdb_error() (SQLSTATE from spec/errors.toml, message, then optionally
 * detail, hint and cursor position) and returns SDB_ERROR; its callers pass
 * SDB_ERROR up unchanged.  Whoever finally handles it (the wire server, the
 * shell, a test) reads the slot with sdb_error_last() and clears it.  The slot
 * is fixed-size and thread-local, so reporting never allocates: an
 * out-of-memory error can always be reported.
 *
 *     if (n == 0)
 *         return sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
 */
#ifndef SDB_ERROR_H
#define SDB_ERROR_H

#include <stdio.h>

#include "sdb_errcodes.h"

#define SDB_OK 0
#define SDB_ERROR (-1)

#define SDB_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

/* PostgreSQL's severities, least severe first. */
typedef enum SdbSeverity {
    SDB_SEVERITY_DEBUG,
    SDB_SEVERITY_LOG,
    SDB_SEVERITY_INFO,
    SDB_SEVERITY_NOTICE,
    SDB_SEVERITY_WARNING,
    SDB_SEVERITY_ERROR,
    SDB_SEVERITY_FATAL,
    SDB_SEVERITY_PANIC
} SdbSeverity;

#define SDB_ERROR_MESSAGE_MAX 1024
#define SDB_ERROR_DETAIL_MAX 1024
#define SDB_ERROR_HINT_MAX 512
#define SDB_ERROR_CONTEXT_MAX 512

typedef struct SdbErrorData {
    SdbSeverity severity;
    SdbErrcode code;
    char message[SDB_ERROR_MESSAGE_MAX];
    char detail[SDB_ERROR_DETAIL_MAX]; /* "" when none */
    char hint[SDB_ERROR_HINT_MAX];     /* "" when none */
    char context[SDB_ERROR_CONTEXT_MAX]; /* where it happened ("COPY t, line 3"), "" when none */
    int position;                      /* 1-based character in the statement, 0 when none */
} SdbErrorData;

/* Record an error (severity ERROR) in this thread's slot, replacing any
 * earlier one; returns SDB_ERROR.  The message is a printf format. */
int sdb_error(SdbErrcode code, const char *fmt, ...) SDB_PRINTF(2, 3);

/* Record an error for a failed system call: the message gets ": " and
 * strerror(errnum) appended, and the SQLSTATE is chosen from errnum the way
 * PostgreSQL does for file access (ENOSPC -> 53100 disk_full, EIO -> 58030
 * io_error, ENOENT -> 58P01 undefined_file, EACCES -> 42501 ...). */
int sdb_error_errno(int errnum, const char *fmt, ...) SDB_PRINTF(2, 3);

/* Add detail, hint or statement position to the recorded error. */
void sdb_error_detail(const char *fmt, ...) SDB_PRINTF(1, 2);
void sdb_error_hint(const char *fmt, ...) SDB_PRINTF(1, 2);
void sdb_error_context(const char *fmt, ...) SDB_PRINTF(1, 2);
void sdb_error_position(int position);
void sdb_error_severity(SdbSeverity severity);

/* Put `fmt` in front of the recorded message ("context: message"). */
void sdb_error_prefix(const char *fmt, ...) SDB_PRINTF(1, 2);

/* The SQLSTATE for a failed file operation with this errno. */
SdbErrcode sdb_errcode_for_errno(int errnum);

/* This thread's recorded error (code SDB_ERR_SUCCESSFUL_COMPLETION if none). */
const SdbErrorData *sdb_error_last(void);
void sdb_error_clear(void);

/* "ERROR", "WARNING" ... as PostgreSQL spells them. */
const char *sdb_severity_name(SdbSeverity severity);

/* Print the recorded error as psql does:
 *   ERROR:  message
 *   DETAIL:  detail
 *   HINT:  hint
 *   CONTEXT:  context */
void sdb_error_print(FILE *out);

#endif /* SDB_ERROR_H */
