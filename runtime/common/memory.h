/*
 * memory.h: memory contexts (arenas) and the checked malloc wrappers.
 *
 * An arena hands out memory that is never freed piece by piece: all of it is
 * released at once by sdb_arena_reset() or sdb_arena_destroy().  Arenas form
 * a tree, as PostgreSQL's memory contexts do: a child is destroyed with its
 * parent, so a query's arena can own its per-operator arenas and one destroy
 * frees them all.
 *
 *   - Memory comes from blocks that grow geometrically (8 KiB, then 16 KiB
 *     doubling to 1 MiB); a request above 8 KiB gets a block of its own.  The
 *     first block is allocated with the arena and kept across resets.
 *   - Every pointer is aligned for any type (alignof(max_align_t)).
 *   - sdb_arena_bytes() counts what an arena and all its descendants hold
 *     from malloc (block headers and unused block tails included), which is
 *     what work_mem-style accounting wants.
 *   - A limit (bytes, 0 = none) bounds that same count: a request that would
 *     take the arena, or any ancestor with a limit, past its limit fails.
 *   - Failure is an ordinary error: the allocator records 53200
 *     out_of_memory, with a detail naming the arena and the request size,
 *     and returns NULL.  Nothing is changed by a failed call.
 *
 * An arena is not thread-safe: it, its ancestors and its descendants are
 * used by one thread at a time (an allocation updates its ancestors' counts).
 */
#ifndef SDB_MEMORY_H
#define SDB_MEMORY_H

#include <stdarg.h>
#include <stddef.h>

#include "common/error.h"

typedef struct SdbArena SdbArena;

/* A new, empty arena under `parent` (NULL for a top-level one) named `name`
 * (not NULL; copied; it appears in out-of-memory details).  Its first block (about
 * 8 KiB) is allocated now and counts against `limit` and the ancestors'
 * limits.  Returns NULL, with 53200 recorded, when that fails. */
SdbArena *sdb_arena_create(SdbArena *parent, const char *name, size_t limit);

/* `size` bytes (uninitialised), aligned for any type, valid until the arena
 * is reset or destroyed.  A zero-size request returns a distinct pointer.
 * NULL with 53200 recorded on failure. */
void *sdb_arena_alloc(SdbArena *arena, size_t size);

/* `count * size` zeroed bytes; NULL with 53200 recorded if the product
 * overflows or the allocation fails. */
void *sdb_arena_calloc(SdbArena *arena, size_t count, size_t size);

/* Resize `ptr`, an allocation of `old_size` bytes from `arena` (or NULL, in
 * which case this is sdb_arena_alloc).  When `ptr` is the arena's latest
 * allocation it grows or shrinks in place if its block has room; otherwise a
 * shrink returns `ptr` and a grow copies into a new allocation (the old space
 * is reclaimed only by reset/destroy).  On failure returns NULL, records
 * 53200 and leaves `ptr` intact. */
void *sdb_arena_realloc(SdbArena *arena, void *ptr, size_t old_size, size_t new_size);

/* NUL-terminated copies in the arena: all of `s`, or at most `n` bytes of it.
 * NULL with 53200 recorded on failure. */
char *sdb_arena_strdup(SdbArena *arena, const char *s);
char *sdb_arena_strndup(SdbArena *arena, const char *s, size_t n);

/* A printf-formatted string in the arena.  NULL on failure, with 53200
 * recorded, or XX000 internal_error if vsnprintf itself fails. */
char *sdb_arena_sprintf(SdbArena *arena, const char *fmt, ...) SDB_PRINTF(2, 3);
char *sdb_arena_vsprintf(SdbArena *arena, const char *fmt, va_list args);

/* Free everything allocated in the arena, keeping the arena and its first
 * block for reuse.  Child arenas are destroyed, as PostgreSQL's
 * MemoryContextReset does: they hold memory allocated "under" the arena, so
 * after a reset nothing made under it survives; a handle to a child is
 * invalid afterwards. */
void sdb_arena_reset(SdbArena *arena);

/* Free the arena, its children and everything allocated in them, and detach
 * it from its parent.  NULL is ignored. */
void sdb_arena_destroy(SdbArena *arena);

/* Bytes the arena and its descendants hold from malloc. */
size_t sdb_arena_bytes(const SdbArena *arena);

/* malloc/realloc/free for long-lived objects outside any arena.  Zero-size
 * requests return a distinct pointer.  On failure NULL is returned with
 * 53200 recorded (sdb_realloc leaves `ptr` allocated); the caller owns the
 * result and frees it with sdb_free(). */
void *sdb_malloc(size_t size);
void *sdb_realloc(void *ptr, size_t size);
void sdb_free(void *ptr);

/* Test hook: in the calling thread, let the next `n` mallocs made by this
 * module (arena blocks and sdb_malloc/sdb_realloc) succeed and make the one
 * after fail as if malloc returned NULL; then the hook disarms itself.
 * n = 0 fails the very next one; n = -1 disarms the hook. */
void sdb_memory_fail_after(long n);

#endif /* SDB_MEMORY_H */
