/*
 * session/copy_format.h: COPY's text and CSV file formats (copy_format.c):
 * reading records into fields and writing fields, PostgreSQL's rules.
 */
#ifndef SDB_SESSION_COPY_FORMAT_H
#define SDB_SESSION_COPY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/memory.h"
#include "common/str.h"

/* The format options of one COPY (defaults filled in by the caller). */
typedef struct SdbCopyFormat {
    bool csv;
    bool header;
    char delimiter;          /* tab (text) or ',' (csv) */
    char quote;              /* csv: '"' */
    char escape;             /* csv: the quote */
    const char *null_string; /* "\\N" (text) or "" (csv) */
} SdbCopyFormat;

/* Data being read: all of it, a cursor, and the current line number. */
typedef struct SdbCopyInput {
    const char *data;
    size_t len, pos;
    long line;
} SdbCopyInput;

/* Read a whole file into `in` (58P01 etc. when it cannot be read). */
int sdb_copy_read_file(SdbArena *arena, const char *path, SdbCopyInput *in);

/* The next record's fields (NUL-terminated, NULL for the null string) in
 * `fields` and `nfields`, or nfields = -1 at the end ("\." or end of data).
 * 22P04 for an unterminated CSV quoted field. */
int sdb_copy_read_line(SdbCopyInput *in, const SdbCopyFormat *f, SdbArena *arena, char ***fields, int *nfields);

/* Append `value` as one field (escaped or quoted as the format needs). */
int sdb_copy_write_field(SdbStr *out, const char *value, const SdbCopyFormat *f);

#endif /* SDB_SESSION_COPY_FORMAT_H */
