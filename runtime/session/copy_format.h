/*
 * session/copy_format.h: COPY's text, CSV and binary formats
 * (copy_format.c): reading records into fields from data that is all in
 * memory or streamed in pieces, and writing fields, PostgreSQL's rules.
 */
#ifndef SDB_SESSION_COPY_FORMAT_H
#define SDB_SESSION_COPY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    bool binary;             /* PGCOPY (the fields above do not apply) */
    /* csv, by field position (NULL: none): FORCE_NOT_NULL fields never
     * match the null string, FORCE_NULL ones match it even when quoted. */
    const bool *force_not_null;
    const bool *force_null;
} SdbCopyFormat;

/* Appends the next piece of input to `buf`; *done at the end. */
typedef int (*SdbCopyFillFn)(void *arg, SdbStr *buf, bool *done);

/* Data being read: data[pos..len) is what is there, `line` the number of
 * the current line (binary: tuple).  With `fill` set (sdb_copy_input_stream)
 * the data is a window on a stream: consumed bytes are dropped and more are
 * asked for when a record is incomplete, so at most about one record plus
 * one piece is held. */
typedef struct SdbCopyInput {
    const char *data;
    size_t len, pos;
    long line;
    size_t record_start; /* where the last record read began (its raw bytes end at pos) */
    int field;           /* binary: the field being read when reading failed, else -1 */
    SdbCopyFillFn fill;
    void *fill_arg;
    SdbStr buf;
    bool done;
} SdbCopyInput;

/* Make `in` read from `fill` (the window lives in `arena`). */
void sdb_copy_input_stream(SdbCopyInput *in, SdbArena *arena, SdbCopyFillFn fill, void *arg);

/* Read and drop whatever the stream still holds (after "\." or an error
 * that leaves the client's data unread). */
int sdb_copy_input_drain(SdbCopyInput *in);

/* The next record's fields (NUL-terminated, NULL for the null string) in
 * `fields` and `nfields`, or nfields = -1 at the end ("\." or end of data).
 * 22P04 for an unterminated CSV quoted field. */
int sdb_copy_read_line(SdbCopyInput *in, const SdbCopyFormat *f, SdbArena *arena, char ***fields, int *nfields);

/* One field of a binary tuple: len -1 for NULL; data points into the input
 * window (valid until the next read). */
typedef struct SdbCopyBinaryField {
    const char *data;
    int32_t len;
} SdbCopyBinaryField;

/* Binary format: check the header (signature, flags, extension; 22P04
 * "COPY file signature not recognized" & co.), then each tuple's `ncols`
 * fields (22P04 "row field count is 2, expected 3"; nfields = -1 after the
 * trailer or at the end of the data). */
int sdb_copy_read_binary_header(SdbCopyInput *in);
int sdb_copy_read_binary_tuple(SdbCopyInput *in, SdbArena *arena, int ncols, SdbCopyBinaryField **fields,
                               int *nfields);

/* Append `value` as one field (escaped or quoted as the format needs;
 * csv: quoted whenever `force_quote`). */
int sdb_copy_write_field(SdbStr *out, const char *value, const SdbCopyFormat *f, bool force_quote);

/* Binary format output: the header, a tuple's field count, one field
 * (`len` bytes, NULL data for SQL NULL), the trailer. */
int sdb_copy_write_binary_header(SdbStr *out);
int sdb_copy_write_binary_count(SdbStr *out, int16_t count);
int sdb_copy_write_binary_field(SdbStr *out, const char *data, int32_t len);

#endif /* SDB_SESSION_COPY_FORMAT_H */
