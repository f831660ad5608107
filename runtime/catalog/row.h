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
#include <stdint.h>

#include "common/str.h"
#include "storage/types.h"
#include "types/datum.h"

struct SdbEngine;

/* Length-word flag of an out-of-line value. */
#define SDB_ROW_EXTERNAL 0x80000000u

/* Most attributes a row (and a relation) may have: PostgreSQL's 1600. */
#define SDB_ROW_MAX_ATTS 1600

/* How each attribute is stored, looked up from its type once (per relation
 * or scan) instead of for every attribute of every row. */
enum { SDB_ROW_UNKNOWN_TYPE = 0, SDB_ROW_BYVAL = 1, SDB_ROW_VARLENA = 2 };
typedef struct SdbRowDesc {
    int natts;
    const SdbOid *types;    /* types[i]: attribute i's type */
    const uint8_t *storage; /* storage[i]: SDB_ROW_BYVAL, SDB_ROW_VARLENA, or
                               SDB_ROW_UNKNOWN_TYPE (values of it are refused) */
} SdbRowDesc;

/* Describe natts attributes of `types` (kept by reference); storage from
 * `arena`.  SDB_ERROR (53200) only when memory runs out. */
int sdb_row_desc_init(SdbRowDesc *desc, int natts, const SdbOid *types, SdbArena *arena);

/* Append the stored form of natts values (types[i], NULL when nulls[i]) to
 * `out` (whose length must be a multiple of 8 on entry: rows start
 * aligned).  SDB_OK or SDB_ERROR (53200; 54011 more than SDB_ROW_MAX_ATTS
 * columns; 54000 a value too long). */
int sdb_row_encode(int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out);

/* Like sdb_row_encode, but while the row would be longer than `threshold`
 * (sdb_toast_threshold of the page size) its largest in-line by-reference
 * value over 2 * SDB_TOAST_POINTER_SIZE bytes moves out of line into
 * `toast_rel` (sdb_toast_store as xid / cid; the row keeps its pointer),
 * as PostgreSQL's TOAST does.  *external (may be NULL) says whether any
 * value moved.  A row still too long for a page is the heap's 54000. */
int sdb_row_encode_toast(struct SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid, size_t threshold,
                         int natts, const SdbOid *types, const SdbDatum *values, const bool *nulls, SdbStr *out,
                         bool *external);

/* Decode attributes of a stored row: for each i < nwant, attribute
 * want[i] (0-based attribute index, < natts) into values[i]/nulls[i].
 * By-reference values are copied into `arena` when `copy`, else point into
 * `data` (then they live as long as `data`, which must be 4-byte aligned).
 * Out-of-line values are fetched into `arena` (required for them, as is
 * `engine`), only those wanted.  SDB_OK, or SDB_ERROR with XX001 (data
 * corrupted) when the bytes do not parse. */
int sdb_row_decode_desc(struct SdbEngine *engine, const SdbRowDesc *desc, const void *data, size_t len,
                        const int *want, int nwant, bool copy, SdbArena *arena, SdbDatum *values, bool *nulls);

/* sdb_row_decode_desc without a prepared descriptor or an engine (copying
 * when arena is not NULL): types are looked up per row and a wanted
 * out-of-line value is refused (XX000).
 * For rows that cannot have them (sequences) and one-off reads. */
int sdb_row_decode(const void *data, size_t len, const SdbOid *types, int natts, const int *want, int nwant,
                   SdbArena *arena, SdbDatum *values, bool *nulls);

/* Delete the out-of-line values of a stored row (its version was deleted
 * or replaced) as xid / cid (sdb_toast_delete: MVCC, an abort brings them
 * back). */
int sdb_row_delete_external(struct SdbEngine *engine, const SdbRowDesc *desc, const void *data, size_t len,
                            SdbXid xid, SdbCid cid);

#endif /* SDB_CATALOG_ROW_H */
