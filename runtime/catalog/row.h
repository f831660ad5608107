/*
 * catalog/row.h: the stored form of a table row (the payload of a heap
 * tuple), used for user tables and system catalogs alike.
 *
 * Layout: uint16 natts, a null bitmap of natts bits (rounded up to bytes),
 * then each non-null attribute in attnum order: by-value types as 8 bytes
 * (the datum, native order), by-reference types as uint32 length + bytes.
 * A row written with fewer attributes than the relation has now (ALTER
 * TABLE ADD COLUMN) reads the missing ones as NULL.
 */
#ifndef SDB_CATALOG_ROW_H
#define SDB_CATALOG_ROW_H

#include <stdbool.h>
#include <stddef.h>

#include "common/str.h"
#include "types/datum.h"

/* Append the stored form of natts values (types[i], NULL when nulls[i]) to
 * `out`.  SDB_OK or SDB_ERROR (53200, 54000 too long). */
int sdb_row_encode(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out);

/* Decode attributes of a stored row: for each i < nwant, attribute
 * want[i] (0-based attribute index) into values[i]/nulls[i].  By-reference
 * values are copied into `arena` (or point into `data` when arena is NULL:
 * then they live as long as `data`).  SDB_OK, or SDB_ERROR with XX001
 * (data corrupted) when the bytes do not parse. */
int sdb_row_decode(const void *data, size_t len, const SdbOid *types, int natts, const int *want, int nwant,
                   SdbArena *arena, SdbDatum *values, bool *nulls);

#endif /* SDB_CATALOG_ROW_H */
