/*
 * types/record.h: anonymous records (type record, OID 2249), the value of
 * a function returning record called in a select list
 * (`SELECT jsonb_each(j)` prints `(a,1)`).  A record is a varlena holding
 * its columns' types and values: int32 count, then per column uint32 type
 * OID, uint8 null flag, and (not NULL) the 8-byte datum of a by-value type
 * or the uint32 length and bytes of a by-reference one.  Text output is
 * PostgreSQL's record_out, binary output its record_send; input is not
 * supported (PostgreSQL: anonymous composite types).
 */
#ifndef SDB_TYPES_RECORD_H
#define SDB_TYPES_RECORD_H

#include <stdbool.h>

#include "types/datum.h"

/* A record of `n` columns of types `types` (values by reference are
 * copied) in `arena`: SDB_OK, or SDB_ERROR with 53200 recorded. */
int sdb_record_make(SdbArena *arena, int n, const SdbOid *types, const SdbDatum *values, const bool *nulls,
                    SdbDatum *out);

/* Column `i` (from 0) of record `rec`: its value (by reference: copied
 * into `arena`) or *isnull, also when the record has no such column;
 * SDB_OK, or SDB_ERROR with 53200 recorded. */
int sdb_record_column(SdbArena *arena, SdbDatum rec, int i, SdbDatum *value, bool *isnull);

#endif /* SDB_TYPES_RECORD_H */
