/*
 * error.c: the thread-local error slot behind error.h.
 */
#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static _Thread_local SdbErrorData current = {.code = SDB_ERR_SUCCESSFUL_COMPLETION};

/* Bytes in the UTF-8 sequence that starts with `lead` (1 if not a lead byte). */
static size_t utf8_sequence_length(unsigned char lead)
{
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

/* Drop a UTF-8 character cut in half at the end of `buf` (after truncation). */
static void trim_partial_character(char *buf)
{
    size_t len = strlen(buf);
    size_t start = len;
    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80)
        start--;
    if (start > 0 && (unsigned char)buf[start - 1] >= 0xC0 &&
        len - (start - 1) < utf8_sequence_length((unsigned char)buf[start - 1]))
        buf[start - 1] = '\0';
}

static void format_into(char *buf, size_t size, const char *fmt, va_list args)
{
    if (vsnprintf(buf, size, fmt, args) >= (int)size)
        trim_partial_character(buf);
}

int sdb_error(SdbErrcode code, const char *fmt, ...)
{
    va_list args;
    current.severity = SDB_SEVERITY_ERROR;
    current.code = code;
    current.detail[0] = '\0';
    current.hint[0] = '\0';
    current.context[0] = '\0';
    current.position = 0;
    va_start(args, fmt);
    format_into(current.message, sizeof current.message, fmt, args);
    va_end(args);
    return SDB_ERROR;
}

int sdb_error_errno(int errnum, const char *fmt, ...)
{
    char what[SDB_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    format_into(what, sizeof what, fmt, args);
    va_end(args);
    return sdb_error(sdb_errcode_for_errno(errnum), "%s: %s", what, strerror(errnum));
}

void sdb_error_detail(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format_into(current.detail, sizeof current.detail, fmt, args);
    va_end(args);
}

void sdb_error_hint(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format_into(current.hint, sizeof current.hint, fmt, args);
    va_end(args);
}

void sdb_error_context(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format_into(current.context, sizeof current.context, fmt, args);
    va_end(args);
}

void sdb_error_position(int position)
{
    current.position = position;
}

void sdb_error_severity(SdbSeverity severity)
{
    current.severity = severity;
}

void sdb_error_prefix(const char *fmt, ...)
{
    char joined[SDB_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    format_into(joined, sizeof joined, fmt, args);
    va_end(args);
    size_t used = strlen(joined);
    size_t room = sizeof joined - 1 - used;
    const char *parts[] = {": ", current.message};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(parts[i]);
        if (n > room)
            n = room;
        memcpy(joined + used, parts[i], n);
        used += n;
        room -= n;
    }
    joined[used] = '\0';
    if (room == 0)
        trim_partial_character(joined);
    memcpy(current.message, joined, strlen(joined) + 1);
}

SdbErrcode sdb_errcode_for_errno(int errnum)
{
    switch (errnum) {
    case EPERM:
    case EACCES:
    case EROFS:
        return SDB_ERR_INSUFFICIENT_PRIVILEGE;
    case ENOENT:
        return SDB_ERR_UNDEFINED_FILE;
    case EEXIST:
        return SDB_ERR_DUPLICATE_FILE;
    case ENOTDIR:
    case EISDIR:
    case EMLINK:
        return SDB_ERR_WRONG_OBJECT_TYPE;
    case ENOSPC:
    case EDQUOT:
        return SDB_ERR_DISK_FULL;
    case ENOMEM:
        return SDB_ERR_OUT_OF_MEMORY;
    case ENFILE:
    case EMFILE:
        return SDB_ERR_INSUFFICIENT_RESOURCES;
    case EIO:
        return SDB_ERR_IO_ERROR;
    default:
        return SDB_ERR_INTERNAL_ERROR;
    }
}

const SdbErrorData *sdb_error_last(void)
{
    return &current;
}

void sdb_error_clear(void)
{
    current.severity = SDB_SEVERITY_ERROR;
    current.code = SDB_ERR_SUCCESSFUL_COMPLETION;
    current.message[0] = '\0';
    current.detail[0] = '\0';
    current.hint[0] = '\0';
    current.context[0] = '\0';
    current.position = 0;
}

const char *sdb_severity_name(SdbSeverity severity)
{
    static const char *const names[] = {"DEBUG", "LOG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL", "PANIC"};
    return names[severity];
}

void sdb_error_print(FILE *out)
{
    fprintf(out, "%s:  %s\n", sdb_severity_name(current.severity), current.message);
    if (current.detail[0])
        fprintf(out, "DETAIL:  %s\n", current.detail);
    if (current.hint[0])
        fprintf(out, "HINT:  %s\n", current.hint);
    if (current.context[0])
        fprintf(out, "CONTEXT:  %s\n", current.context);
}
