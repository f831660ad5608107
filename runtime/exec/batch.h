/*
 * exec/batch.h: the unit of data between operators: a batch of up to
 * SDB_BATCH_SIZE rows stored by column.  Each column is a vector of datums
 * (types/datum.h) with a null bitmap; a selection vector, when present,
 * lists which row positions are live (filters narrow it instead of
 * copying).  By-reference datums point into memory that lives at least
 * until the producer is asked for its next batch.
 */
#ifndef SDB_EXEC_BATCH_H
#define SDB_EXEC_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/memory.h"
#include "types/datum.h"

#define SDB_BATCH_SIZE 1024

typedef struct SdbVector {
    SdbOid type;
    int32_t typmod;
    SdbDatum *values;   /* SDB_BATCH_SIZE of them */
    uint64_t *nulls;    /* bit i set: row i is NULL (SDB_BATCH_SIZE bits) */
} SdbVector;

typedef struct SdbBatch {
    int ncols;
    SdbVector *cols;
    int nrows;          /* rows stored (positions 0..nrows-1) */
    uint16_t *sel;      /* live positions in order, or NULL: all nrows are live */
    int nsel;           /* live rows when sel != NULL */
} SdbBatch;

static inline bool sdb_vector_is_null(const SdbVector *v, int row)
{
    return (v->nulls[row >> 6] >> (row & 63)) & 1;
}

static inline void sdb_vector_set_null(SdbVector *v, int row, bool isnull)
{
    if (isnull)
        v->nulls[row >> 6] |= (uint64_t)1 << (row & 63);
    else
        v->nulls[row >> 6] &= ~((uint64_t)1 << (row & 63));
}

/* Number of live rows, and the position of live row i. */
static inline int sdb_batch_live(const SdbBatch *b) { return b->sel ? b->nsel : b->nrows; }
static inline int sdb_batch_row(const SdbBatch *b, int i) { return b->sel ? b->sel[i] : i; }

#endif /* SDB_EXEC_BATCH_H */
