/*
 * str.h: SdbStr, a growable string buffer in an arena, and the few ASCII
 * string helpers the settings and SQL code share.
 *
 * An SdbStr's data is always NUL-terminated, so it can be passed wherever a
 * C string is wanted, and may also hold NUL bytes (len says how many bytes
 * there are).  The buffer lives in the arena given to sdb_str_init() and is
 * freed with it; appending grows it (in place while it is the arena's latest
 * allocation).  A failed append records the error and leaves the string as
 * it was.
 *
 *     SdbStr s;
 *     sdb_str_init(&s, arena);
 *     if (sdb_str_appendf(&s, "%s = %d", name, value) != SDB_OK)
 *         return SDB_ERROR;
 */
#ifndef SDB_STR_H
#define SDB_STR_H

#include <stddef.h>

#include "common/error.h"
#include "common/memory.h"

typedef struct SdbStr {
    char *data;      /* NUL-terminated; "" until something is appended */
    size_t len;      /* bytes before the terminating NUL */
    size_t cap;      /* bytes allocated for data; 0 while nothing is */
    SdbArena *arena; /* where data lives */
} SdbStr;

/* An empty string whose buffer will come from `arena`.  Allocates nothing,
 * so it cannot fail. */
void sdb_str_init(SdbStr *s, SdbArena *arena);

/* Append `len` bytes (may include NULs), a C string, one byte, or printf
 * output.  SDB_OK, or SDB_ERROR with 53200 recorded (XX000 if vsnprintf
 * itself fails) and the string unchanged. */
int sdb_str_append(SdbStr *s, const void *data, size_t len);
int sdb_str_append_cstr(SdbStr *s, const char *cstr);
int sdb_str_append_char(SdbStr *s, char c);
int sdb_str_appendf(SdbStr *s, const char *fmt, ...) SDB_PRINTF(2, 3);

/* Empty the string, keeping its buffer for reuse. */
void sdb_str_reset(SdbStr *s);

/* strcmp ignoring the case of ASCII letters only (locale-independent, as
 * SQL identifiers and setting names need): <0, 0 or >0. */
int sdb_strcasecmp_ascii(const char *a, const char *b);

/* Remove leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r)
 * from `s` in place, moving the rest to the front; returns the new length. */
size_t sdb_str_trim(char *s);

#endif /* SDB_STR_H */
