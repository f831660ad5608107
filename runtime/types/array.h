/*
 * types/array.h: SQL arrays (any element type, 0 to 6 dimensions, any lower
 * bounds, NULL elements), and the way to take one apart and build one.
 *
 * An array datum is a varlena whose payload is: int32 ndim, int32 hasnull,
 * uint32 element type OID, int32 dims[ndim], int32 lower bounds[ndim], then
 * (when hasnull) a null bitmap of one bit per item (1 = NULL) padded to 4
 * bytes, then the non-null items in row-major order: a by-value element as
 * its 8-byte datum, a by-reference element as a complete SdbVarlena (length,
 * bytes, NUL) padded to 4 bytes, so deconstructed datums point into the
 * array itself.  Native byte order; the payload starts 4-byte aligned.
 */
#ifndef SDB_TYPES_ARRAY_H
#define SDB_TYPES_ARRAY_H

#include <stdbool.h>

#include "types/datum.h"

#define SDB_ARRAY_MAXDIM 6

typedef struct SdbArray {
    int ndim; /* 0 for an empty array */
    int dims[SDB_ARRAY_MAXDIM];
    int lbound[SDB_ARRAY_MAXDIM];
    SdbOid elemtype;
    int nitems;        /* product of dims (0 when ndim is 0) */
    SdbDatum *values;  /* nitems values in row-major order */
    bool *nulls;       /* nitems flags */
} SdbArray;

/* Take an array datum apart; values/nulls are allocated in `arena`, and
 * by-reference values point into the array.  SDB_OK or SDB_ERROR (53200). */
int sdb_array_deconstruct(SdbArena *arena, SdbDatum array, SdbArray *out);

/* Build an array datum in `arena` from `a` (ndim, dims, lbound, elemtype,
 * values, nulls; nitems is recomputed).  54000 when it is too large. */
int sdb_array_build(SdbArena *arena, const SdbArray *a, SdbDatum *out);

#endif /* SDB_TYPES_ARRAY_H */
