/*
 * types/keycode.h: the building blocks of the order-preserving key encoding
 * (memcmp order of the bytes == SQL order of the values), shared by the
 * per-type key functions.  Every piece is self-delimiting, so pieces can be
 * concatenated into composite keys.
 */
#ifndef SDB_TYPES_KEYCODE_H
#define SDB_TYPES_KEYCODE_H

#include <stddef.h>
#include <stdint.h>

#include "common/str.h"
#include "types/datum.h"

/* A signed integer as `bytes` (2, 4 or 8) big-endian bytes, sign bit flipped. */
int sdb_key_int(SdbStr *out, int64_t v, int bytes);

/* A byte string: each 0x00 becomes 0x00 0xFF, then the terminator 0x00 0x01,
 * so a prefix sorts before its extensions. */
int sdb_key_bytes(SdbStr *out, const void *data, size_t len);

/* A float8: NaN after +Infinity, -0 equal to 0 (8 bytes). */
int sdb_key_float8(SdbStr *out, double v);

/* Compare or hash two values through their key encoding (memcmp order of
 * the encodings; equal encodings hash equal).  For types whose SQL order is
 * complex (jsonb, arrays); an allocation failure compares as equal and is
 * left recorded. */
int sdb_compare_by_key(int (*key)(SdbDatum, SdbStr *), SdbDatum a, SdbDatum b);
uint64_t sdb_hash_by_key(int (*key)(SdbDatum, SdbStr *), SdbDatum v);

#endif /* SDB_TYPES_KEYCODE_H */
