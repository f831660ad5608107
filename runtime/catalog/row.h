/*
 * catalog/row.h: the stored form of a table row (the payload of a heap
 * tuple), used for user tables and system catalogs alike.
 *
 * Layout (offsets from the start of the row, which the heap keeps 8-byte
 * aligned):
 *   uint16 natts, a null bitmap of natts bits (bit i of byte i/8 set =
 *   attribute i is NULL), zero padding to an 8-byte boundary; then each
 *   non-null attribute in attnum order:
 *     by-value types: the 8-byte datum (native order) at an 8-byte boundary;
 *     by-reference types: at a 4-byte boundary an SdbVarlena as in memory
 *     (uint32 length, the bytes, one NUL byte), so a decoded value may point
 *     straight into the row.
 *     An out-of-line (toasted, storage/toast.h) by-reference value is, at a
 *     4-byte boundary, the uint32 SDB_ROW_EXTERNAL | SDB_TOAST_POINTER_SIZE
 *     followed by the toast pointer's bytes.
 *   Padding bytes are zero.
 * A row written with fewer attributes than the relation has now (ALTER
 * TABLE ADD COLUMN) reads the missing ones as NULL.
 */
#ifndef SDB_CATALOG_ROW_H
#define SDB_CATALOG_ROW_H

#include <stdbool.h>
#include <stddef.h>

#include "common/str.h"
#include "storage/types.h"
#include "types/datum.h"

struct SdbEngine;

/* Length-word flag of an out-of-line value. */
#define SDB_ROW_EXTERNAL 0x80000000u

/* Most attributes a row (and a relation) may have: PostgreSQL's 1600. */
#define SDB_ROW_MAX_ATTS 1600

/* Append the stored form of natts values (types[i], NULL when nulls[i]) to
 * `out` (whose length must be a multiple of 8 on entry: rows start
 * aligned).  SDB_OK or SDB_ERROR (53200; 54011 more than SDB_ROW_MAX_ATTS
 * columns; 54000 a value too long). */
int sdb_row_encode(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out);

/* Decode attributes of a stored row: for each i < nwant, attribute
 * want[i] (0-based attribute index, < natts) into values[i]/nulls[i].
 * By-reference values are copied into `arena` (or point into `data` when
 * arena is NULL: then they live as long as `data`, which must be 4-byte
 * aligned).  SDB_OK, or SDB_ERROR with XX001 (data corrupted) when the
 * bytes do not parse. */
int sdb_row_decode(const void *data, size_t len, const SdbOid *types, int natts, const int *want, int nwant,
                   SdbArena *arena, SdbDatum *values, bool *nulls);

/* Like sdb_row_encode, but each by-reference value longer than
 * `threshold` bytes (sdb_toast_threshold of the page size) is stored out of
 * line in `toast_rel` (sdb_toast_store as xid / cid) and the row keeps its
 * pointer; *external (may be NULL) says whether any value was. */
int sdb_row_encode_toast(struct SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid, size_t threshold,
                         int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out,
                         bool *external);

/* Like sdb_row_decode, fetching out-of-line values into `arena` (which is
 * then required).  sdb_row_decode itself refuses a wanted out-of-line
 * value (XX000: it has no engine to fetch it). */
int sdb_row_decode_toast(struct SdbEngine *engine, const void *data, size_t len, const SdbOid *types, int natts,
                         const int *want, int nwant, SdbArena *arena, SdbDatum *values, bool *nulls);

#endif /* SDB_CATALOG_ROW_H */
