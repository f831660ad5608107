/*
 * storage/toast.h: out-of-line storage of large values ("TOAST").
 *
 * Owns the toast pointer format and the chunk tuples of toast relations.  A
 * value bigger than sdb_toast_threshold() is compressed with zstd (frame
 * checksum on, so damaged chunk bytes are detected) when that
 * makes it smaller, cut into chunks and stored in a toast relation: an
 * ordinary heap (heap.h) whose tuples are chunks
 *
 *   u64 value_id | u32 chunk_no | u32 next.block | u16 next.slot | u16 0 | bytes
 *
 * Chunks are sized so that one fills a page.  They are inserted last chunk
 * first, so each can name the tid of the chunk after it; the pointer names
 * the first chunk, and reading follows the chain (the last chunk's next is
 * SDB_INVALID_BLOCK).  The row keeps only the pointer (SDB_TOAST_POINTER_SIZE
 * bytes):
 *
 *   0 u8 version | 1 u8 flags | 2 u16 first.slot | 4 u32 toast db_oid |
 *   8 u32 toast rel_number | 12 u32 first.block | 16 u32 raw_len |
 *   20 u32 stored_len | 24 u64 value_id
 *
 * Chunks are MVCC tuples of the storing transaction (xmin) and of the
 * deleting one (xmax), so an aborted store or delete is undone by the commit
 * log as for any row.  Reading ignores chunk visibility: the pointer is only
 * reachable through a visible row.  The toast relation id is the caller's
 * (the catalog's); it must have been created (sdb_heap_create).
 *
 * Thread safety: like heap.h.
 */
#ifndef SDB_TOAST_H
#define SDB_TOAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/types.h"

struct SdbEngine;

#define SDB_TOAST_POINTER_SIZE 32u
#define SDB_TOAST_POINTER_VERSION 1u
#define SDB_TOAST_COMPRESSED_ZSTD 0x01u /* pointer flag: chunks hold zstd data */

/* Largest value that can be toasted: 1 GB, as PostgreSQL's varlena. */
#define SDB_TOAST_MAX_VALUE ((size_t)1 << 30)

/* The decoded pointer. */
typedef struct SdbToastPointer {
    uint8_t flags;         /* SDB_TOAST_COMPRESSED_ZSTD */
    SdbRelFileId toast_rel;
    SdbTid first;          /* first chunk */
    uint32_t raw_len;      /* bytes of the value */
    uint32_t stored_len;   /* bytes in the chunks (== raw_len when not compressed) */
    uint64_t value_id;     /* stamped on every chunk of the value */
} SdbToastPointer;

/* Values longer than this (about a quarter page) should be toasted. */
size_t sdb_toast_threshold(uint32_t page_size);

/* Store `len` bytes of `value` (1 <= len <= SDB_TOAST_MAX_VALUE) in
 * `toast_rel` as transaction xid / command cid, compressing it first when
 * zstd makes it smaller, and write the pointer into `pointer`
 * (SDB_TOAST_POINTER_SIZE bytes).  On error some chunks may exist; they
 * belong to xid, which must then abort. */
int sdb_toast_store(struct SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid,
                    const void *value, size_t len, uint8_t pointer[SDB_TOAST_POINTER_SIZE]);

/* Decode and check the pointer bytes (version, lengths): SDB_ERR_DATA_CORRUPTED
 * when they cannot be a pointer. */
int sdb_toast_pointer_decode(const uint8_t pointer[SDB_TOAST_POINTER_SIZE], SdbToastPointer *out);

/* Rebuild the value: `out` must have room for the pointer's raw_len bytes.
 * Every chunk is checked (value id, chunk number sequence, lengths, the
 * chain's end, the decompressed length); any mismatch fails with
 * SDB_ERR_DATA_CORRUPTED naming the toast relation and the chunk. */
int sdb_toast_fetch(struct SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE],
                    void *out, size_t out_size);

/* Same, into a new buffer owned by the caller (sdb_free); *len gets its size. */
int sdb_toast_fetch_alloc(struct SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE],
                          uint8_t **value, size_t *len);

/* Delete the value's chunks as transaction xid / command cid (they stay until
 * vacuum prunes them, and come back if xid aborts).  The chain is checked as
 * in sdb_toast_fetch. */
int sdb_toast_delete(struct SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE],
                     SdbXid xid, SdbCid cid);

#endif /* SDB_TOAST_H */
