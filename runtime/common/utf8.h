/*
 * utf8.h: UTF-8 validation (PostgreSQL's rules and error message),
 * encoding of code points, and character counting (error positions).  The
 * server encoding is always UTF8.
 */
#ifndef SDB_COMMON_UTF8_H
#define SDB_COMMON_UTF8_H

#include <stddef.h>

/* Offset of the first byte of `buf[0..len)` that does not start a valid,
 * complete UTF-8 character (a NUL byte counts as invalid, as in
 * PostgreSQL), or `len` when all of it is valid. */
size_t sdb_utf8_invalid_offset(const char *buf, size_t len);

/* Record 22021 character_not_in_repertoire for the invalid sequence at `bad`
 * (at most `avail` bytes readable) with PostgreSQL's message
 * 'invalid byte sequence for encoding "UTF8": 0xc3 0x28'; returns SDB_ERROR. */
int sdb_utf8_report_invalid(const char *bad, size_t avail);

/* Check that `buf[0..len)` is valid UTF-8 without NUL bytes: SDB_OK, or
 * SDB_ERROR with the 22021 error of sdb_utf8_report_invalid recorded. */
int sdb_utf8_verify(const void *buf, size_t len);

/* Bytes taken by the first `chars` characters of valid UTF-8 `buf` (all
 * `len` bytes when it has fewer characters). */
size_t sdb_utf8_prefix_bytes(const char *buf, size_t len, size_t chars);

/* Bytes of the character starting at `p` in a NUL-terminated string: 0 at
 * the terminator, 1 for a byte that cannot start a character, and never
 * reaching past the terminator (for quoting one character in a message). */
int sdb_utf8_char_bytes(const char *p);

/* Encode code point `cp` (1..0x10FFFF, not a surrogate) into `out` (at least
 * 4 bytes); returns the number of bytes written. */
int sdb_utf8_encode(unsigned cp, char *out);

/* Number of characters in the first `bytes` bytes of valid UTF-8 `buf`. */
int sdb_utf8_char_count(const char *buf, size_t bytes);

#endif /* SDB_COMMON_UTF8_H */
