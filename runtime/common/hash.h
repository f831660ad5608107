/*
 * hash.h: SdbHash, a hash table from byte-string keys to void * values, and
 * sdb_hash_bytes(), the 64-bit hash function the rest of specdb reuses.
 *
 * The table lives in an arena: its slots and a copy of every key are
 * allocated there and freed with the arena (there is no destroy).  Keys are
 * arbitrary bytes (NULs allowed, empty allowed); values are the caller's and
 * may be NULL.  It is open addressing with linear probing, a power-of-two
 * slot count, at most 3/4 full, and backward-shift deletion (no tombstones).
 * Memory of removed keys and of outgrown slot arrays is reclaimed only when
 * the arena is reset or destroyed.  Not thread-safe.
 *
 * Iteration order is the slot order: deterministic for a given sequence of
 * operations, but otherwise unspecified.
 */
#ifndef SDB_HASH_H
#define SDB_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/memory.h"

typedef struct SdbHash SdbHash;

typedef struct SdbHashIter {
    const SdbHash *hash;
    size_t next; /* slot to look at next */
} SdbHashIter;

/* A 64-bit hash of `len` bytes at `data`, in the style of wyhash: every
 * input bit affects every output bit.  Different seeds give unrelated
 * functions.  Values depend on the machine's byte order, so they must not
 * be stored on disk. */
uint64_t sdb_hash_bytes(const void *data, size_t len, uint64_t seed);

/* An empty table in `arena`, sized to hold `expected` entries without
 * growing.  Keys are hashed with sdb_hash_bytes(key, len, 0).  NULL with
 * 53200 recorded on failure. */
SdbHash *sdb_hash_create(SdbArena *arena, size_t expected);

/* Map key (`len` bytes at `key`, not NULL) to `value`, replacing the value of
 * an existing entry.  A new key is copied into the table's arena.  SDB_OK,
 * or SDB_ERROR with 53200 recorded and the table unchanged. */
int sdb_hash_put(SdbHash *h, const void *key, size_t len, void *value);

/* Whether the key is present; if so and `value` is not NULL, its value is
 * stored there. */
bool sdb_hash_lookup(const SdbHash *h, const void *key, size_t len, void **value);

/* Remove the key's entry; returns whether there was one. */
bool sdb_hash_remove(SdbHash *h, const void *key, size_t len);

/* The number of entries. */
size_t sdb_hash_count(const SdbHash *h);

/* Visit every entry once.  Between init and the last next() the table must
 * not be changed, except by sdb_hash_put() on a key already present. */
void sdb_hash_iter_init(SdbHashIter *it, const SdbHash *h);

/* The next entry: its key (pointing into the table; valid while the entry
 * is), length and value.  Returns false, setting nothing, when done. */
bool sdb_hash_iter_next(SdbHashIter *it, const void **key, size_t *len, void **value);

#endif /* SDB_HASH_H */
