/*
 * memory.c: the arenas and malloc wrappers behind memory.h.
 *
 * An arena is one malloc holding the SdbArena header, its name and its first
 * ("keeper") block, plus a list of further blocks.  The list's head is the
 * block allocations are carved from; blocks made for a single big request
 * are linked in behind the head so the head keeps its free space.  `bytes`
 * counts what the arena and its descendants hold, so checking a limit or
 * charging a block walks up the ancestors.
 */
#include "common/memory.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGNMENT _Alignof(max_align_t)
#define KEEPER_BLOCK_SIZE (8 * 1024)
#define FIRST_GROWN_BLOCK_SIZE (16 * 1024)
#define MAX_BLOCK_SIZE (1024 * 1024)
/* Requests above this get a block of their own.  It must fit in the data
 * area of a FIRST_GROWN_BLOCK_SIZE block. */
#define BIG_REQUEST (8 * 1024)
/* Larger requests cannot be satisfied; refusing them keeps sizes from
 * overflowing. */
#define MAX_REQUEST (SIZE_MAX / 4)

typedef struct Block {
    _Alignas(max_align_t) struct Block *next; /* so sizeof(Block) keeps data aligned */
    size_t size; /* bytes malloc'd, header included */
    size_t used; /* offset of the free space from the block's start */
} Block;

#define BLOCK_HEADER sizeof(Block)
_Static_assert(BIG_REQUEST <= FIRST_GROWN_BLOCK_SIZE - BLOCK_HEADER, "a grown block holds any small request");

struct SdbArena {
    SdbArena *parent;
    SdbArena *children; /* first child */
    SdbArena *prev_sibling;
    SdbArena *next_sibling;
    Block *blocks; /* head: the block allocations come from */
    Block *keeper; /* allocated with the arena; never freed before it */
    size_t next_block_size;
    size_t limit; /* 0: none */
    size_t bytes; /* held by this arena and its descendants */
    char name[];
};

static _Thread_local long fail_countdown = -1;

static size_t align_up(size_t n)
{
    return (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
}

/* The space a request takes in a block: zero-size requests take one unit so
 * that every pointer is distinct. */
static size_t chunk_size(size_t request)
{
    return request ? align_up(request) : ALIGNMENT;
}

static bool injected_failure(void)
{
    if (fail_countdown < 0)
        return false;
    return fail_countdown-- == 0;
}

void sdb_memory_fail_after(long n)
{
    fail_countdown = n;
}

/* Whether to fail a malloc of `size` without trying: the test hook fired,
 * or the size is impossible (asking could abort a sanitizer build). */
static bool refuse(size_t size)
{
    return size > MAX_REQUEST + BLOCK_HEADER || injected_failure();
}

static void *checked_malloc(size_t size)
{
    return refuse(size) ? NULL : malloc(size);
}

/* Record 53200 for a request of `request` bytes made in arena `name` (NULL
 * outside arenas); `limited`, when not NULL, names the arena whose limit of
 * `limit` bytes refused it. */
static void *out_of_memory(const char *name, size_t request, const char *limited, size_t limit)
{
    sdb_error(SDB_ERR_OUT_OF_MEMORY, SDB_ERRMSG_OUT_OF_MEMORY);
    if (limited)
        sdb_error_detail("Failed on request of size %zu in memory context \"%s\": "
                         "memory context \"%s\" is limited to %zu bytes.",
                         request, name, limited, limit);
    else if (name)
        sdb_error_detail("Failed on request of size %zu in memory context \"%s\".", request, name);
    else
        sdb_error_detail("Failed on request of size %zu.", request);
    return NULL;
}

/* The most `arena` can still take before it or an ancestor hits its limit;
 * `*tightest` is set to the arena whose limit that is (NULL if none). */
static size_t room(const SdbArena *arena, const SdbArena **tightest)
{
    size_t best = SIZE_MAX;
    *tightest = NULL;
    for (; arena; arena = arena->parent) {
        if (arena->limit && arena->limit - arena->bytes < best) {
            best = arena->limit - arena->bytes;
            *tightest = arena;
        }
    }
    return best;
}

static void charge(SdbArena *arena, size_t size)
{
    for (; arena; arena = arena->parent)
        arena->bytes += size;
}

static void discharge(SdbArena *arena, size_t size)
{
    for (; arena; arena = arena->parent)
        arena->bytes -= size;
}

/* malloc `size` bytes charged to `arena` (may be NULL) and its ancestors,
 * for a request of `request` bytes in the arena called `name`. */
static void *grab(SdbArena *arena, size_t size, const char *name, size_t request)
{
    const SdbArena *tightest;
    if (size > room(arena, &tightest))
        return out_of_memory(name, request, tightest->name, tightest->limit);
    void *p = checked_malloc(size);
    if (!p)
        return out_of_memory(name, request, NULL, 0);
    charge(arena, size);
    return p;
}

static void block_init(Block *block, size_t size)
{
    block->next = NULL;
    block->size = size;
    block->used = BLOCK_HEADER;
}

/* A block holding only the `chunk` bytes of one big request, linked in
 * behind the head. */
static Block *add_big_block(SdbArena *arena, size_t chunk, size_t request)
{
    Block *block = grab(arena, BLOCK_HEADER + chunk, arena->name, request);
    if (!block)
        return NULL;
    block_init(block, BLOCK_HEADER + chunk);
    block->next = arena->blocks->next;
    arena->blocks->next = block;
    return block;
}

/* A new head block with room for `chunk` bytes: the next size in the
 * geometric series, or less if that is all the limits allow. */
static Block *add_block(SdbArena *arena, size_t chunk, size_t request)
{
    const SdbArena *tightest;
    size_t size = arena->next_block_size;
    size_t left = room(arena, &tightest);
    if (size > left && left >= BLOCK_HEADER + chunk)
        size = left;
    Block *block = grab(arena, size, arena->name, request);
    if (!block)
        return NULL;
    block_init(block, size);
    block->next = arena->blocks;
    arena->blocks = block;
    if (arena->next_block_size < MAX_BLOCK_SIZE)
        arena->next_block_size *= 2;
    return block;
}

SdbArena *sdb_arena_create(SdbArena *parent, const char *name, size_t limit)
{
    size_t header = align_up(sizeof(SdbArena) + strlen(name) + 1);
    size_t total = header + KEEPER_BLOCK_SIZE;
    if (limit && total > limit)
        return out_of_memory(name, total, name, limit);
    SdbArena *arena = grab(parent, total, name, total);
    if (!arena)
        return NULL;
    memset(arena, 0, sizeof *arena);
    strcpy(arena->name, name);
    arena->keeper = (Block *)((char *)arena + header);
    block_init(arena->keeper, KEEPER_BLOCK_SIZE);
    arena->blocks = arena->keeper;
    arena->next_block_size = FIRST_GROWN_BLOCK_SIZE;
    arena->limit = limit;
    arena->bytes = total;
    arena->parent = parent;
    if (parent) {
        arena->next_sibling = parent->children;
        if (parent->children)
            parent->children->prev_sibling = arena;
        parent->children = arena;
    }
    return arena;
}

void *sdb_arena_alloc(SdbArena *arena, size_t size)
{
    if (size > MAX_REQUEST)
        return out_of_memory(arena->name, size, NULL, 0);
    size_t chunk = chunk_size(size);
    Block *block = arena->blocks;
    if (chunk > block->size - block->used) {
        block = chunk > BIG_REQUEST ? add_big_block(arena, chunk, size) : add_block(arena, chunk, size);
        if (!block)
            return NULL;
    }
    void *p = (char *)block + block->used;
    block->used += chunk;
    return p;
}

void *sdb_arena_calloc(SdbArena *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return out_of_memory(arena->name, SIZE_MAX, NULL, 0);
    void *p = sdb_arena_alloc(arena, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* Resize `ptr` where it stands if it is the head block's last allocation
 * and the block has room. */
static bool resize_in_place(SdbArena *arena, void *ptr, size_t old_size, size_t new_size)
{
    Block *block = arena->blocks;
    uintptr_t start = (uintptr_t)block;
    if ((uintptr_t)ptr < start)
        return false;
    size_t offset = (uintptr_t)ptr - start;
    if (offset + chunk_size(old_size) != block->used)
        return false;
    if (new_size > MAX_REQUEST || chunk_size(new_size) > block->size - offset)
        return false;
    block->used = offset + chunk_size(new_size);
    return true;
}

void *sdb_arena_realloc(SdbArena *arena, void *ptr, size_t old_size, size_t new_size)
{
    if (!ptr)
        return sdb_arena_alloc(arena, new_size);
    if (resize_in_place(arena, ptr, old_size, new_size) || new_size <= old_size)
        return ptr;
    void *p = sdb_arena_alloc(arena, new_size);
    if (p)
        memcpy(p, ptr, old_size);
    return p;
}

char *sdb_arena_strndup(SdbArena *arena, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = sdb_arena_alloc(arena, len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *sdb_arena_strdup(SdbArena *arena, const char *s)
{
    return sdb_arena_strndup(arena, s, SIZE_MAX);
}

char *sdb_arena_vsprintf(SdbArena *arena, const char *fmt, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len < 0) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "vsnprintf failed: %s with format string \"%s\"", strerror(errno), fmt);
        return NULL;
    }
    char *s = sdb_arena_alloc(arena, (size_t)len + 1);
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, args);
    return s;
}

char *sdb_arena_sprintf(SdbArena *arena, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *s = sdb_arena_vsprintf(arena, fmt, args);
    va_end(args);
    return s;
}

/* Free every block but the keeper; returns the bytes freed. */
static size_t free_blocks(SdbArena *arena)
{
    size_t freed = 0;
    Block *next;
    for (Block *block = arena->blocks; block; block = next) {
        next = block->next;
        if (block != arena->keeper) {
            freed += block->size;
            free(block);
        }
    }
    return freed;
}

static void destroy_children(SdbArena *arena)
{
    while (arena->children)
        sdb_arena_destroy(arena->children);
}

void sdb_arena_reset(SdbArena *arena)
{
    destroy_children(arena);
    discharge(arena, free_blocks(arena));
    block_init(arena->keeper, KEEPER_BLOCK_SIZE);
    arena->blocks = arena->keeper;
    arena->next_block_size = FIRST_GROWN_BLOCK_SIZE;
}

void sdb_arena_destroy(SdbArena *arena)
{
    if (!arena)
        return;
    destroy_children(arena);
    free_blocks(arena);
    discharge(arena->parent, arena->bytes);
    if (arena->prev_sibling)
        arena->prev_sibling->next_sibling = arena->next_sibling;
    else if (arena->parent)
        arena->parent->children = arena->next_sibling;
    if (arena->next_sibling)
        arena->next_sibling->prev_sibling = arena->prev_sibling;
    free(arena);
}

size_t sdb_arena_bytes(const SdbArena *arena)
{
    return arena->bytes;
}

void *sdb_malloc(size_t size)
{
    void *p = checked_malloc(size ? size : 1);
    if (!p)
        out_of_memory(NULL, size, NULL, 0);
    return p;
}

void *sdb_realloc(void *ptr, size_t size)
{
    void *p = refuse(size) ? NULL : realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(NULL, size, NULL, 0);
    return p;
}

void sdb_free(void *ptr)
{
    free(ptr);
}
