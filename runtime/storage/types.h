/*
 * storage/types.h: the small types every storage module shares: LSNs, block
 * numbers, relation file ids, transaction ids and tuple ids.
 */
#ifndef SDB_STORAGE_TYPES_H
#define SDB_STORAGE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Byte position in the WAL stream since the database was created.  0 means
 * "no position"; the first record starts after the first segment header. */
typedef uint64_t SdbLsn;
#define SDB_INVALID_LSN ((SdbLsn)0)

/* Block number within one fork of a relation. */
typedef uint32_t SdbBlockNo;
#define SDB_INVALID_BLOCK ((SdbBlockNo)0xFFFFFFFFu)

/* Transaction id: 64 bits, handed out in order and never reused, so ids
 * never wrap around (at a million transactions a second that lasts 584,000
 * years).  0 is invalid; 1 is the bootstrap transaction (always committed). */
typedef uint64_t SdbXid;
#define SDB_INVALID_XID ((SdbXid)0)
#define SDB_BOOTSTRAP_XID ((SdbXid)1)
#define SDB_FIRST_NORMAL_XID ((SdbXid)2)

/* Command number within a transaction (for seeing one's own changes). */
typedef uint32_t SdbCid;

/* Commit timestamp: microseconds since 2000-01-01 00:00 UTC, PostgreSQL's
 * timestamptz epoch, so it can be shown as a timestamptz as is. */
typedef int64_t SdbTimestamp;

/* The files of a relation ("forks"). */
typedef enum SdbFork {
    SDB_FORK_MAIN = 0, /* the data: heap tuples or index pages */
    SDB_FORK_FSM = 1,  /* free space map of a heap */
    SDB_FORK_COUNT
} SdbFork;

/* Which relation's file: database OID and relation file number (pg_class.
 * relfilenode).  Database 0 holds shared objects (global/). */
typedef struct SdbRelFileId {
    uint32_t db_oid;
    uint32_t rel_number;
} SdbRelFileId;

/* Tuple id: where a tuple lives (PostgreSQL's ctid). Slots count from 1. */
typedef struct SdbTid {
    SdbBlockNo block;
    uint16_t slot;
} SdbTid;

static inline bool sdb_relfile_equal(SdbRelFileId a, SdbRelFileId b)
{
    return a.db_oid == b.db_oid && a.rel_number == b.rel_number;
}

#endif /* SDB_STORAGE_TYPES_H */
