/*
 * storage/bufpool_int.h: the buffer pool's insides, shared by bufpool.c and
 * the eviction policies in bufpool_evict.c.  Nothing outside those two files
 * includes this.
 *
 * A frame (SdbBuffer) has a header mutex guarding its tag, flags and pin
 * count; flags and refcount are also atomics so the policies and the
 * background writer may peek at them without the mutex (a peek is only a
 * hint: anything acted on is rechecked under the mutex).  Lock order:
 *     policy lock -> mapping partition lock(s) (lower index first) -> frame
 *     header mutex
 * and a page latch is never waited for while holding any of these.
 */
#ifndef SDB_BUFPOOL_INT_H
#define SDB_BUFPOOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/bufpool.h"
#include "storage/periodic.h"

/* Which page a frame holds. */
typedef struct SdbBufTag {
    SdbRelFileId rel;
    uint32_t fork; /* SdbFork */
    SdbBlockNo block;
} SdbBufTag;

/* Frame flags. */
#define SDB_BUF_TAG_VALID 0x01u    /* in the mapping table under `tag` */
#define SDB_BUF_VALID 0x02u        /* page bytes are the block's contents */
#define SDB_BUF_DIRTY 0x04u        /* changed since last written */
#define SDB_BUF_JUST_DIRTIED 0x08u /* dirtied since the running write copied it */
#define SDB_BUF_IO 0x10u           /* a read or write is in progress */

struct SdbBuffer {
    SdbBufPool *pool;
    uint32_t id;                 /* index in pool->frames */
    pthread_mutex_t hdr;         /* guards tag, flags, refcount changes */
    pthread_cond_t io_done;      /* signalled when SDB_BUF_IO clears */
    SdbBufTag tag;
    _Atomic uint32_t flags;
    _Atomic uint32_t refcount;   /* pins */
    int32_t hash_next;           /* mapping chain, under the partition lock */
    pthread_rwlock_t latch;      /* the page latch */
    uint8_t *page;
};

/* An eviction policy.  The pool keeps never-used and dropped frames on its
 * own free list; a policy sees a frame from `loaded` until `evicted` or
 * `removed`.  All callbacks run without pool locks held. */
typedef struct SdbBufPolicy {
    const char *name;
    int (*init)(SdbBufPool *pool);        /* allocate pool->policy_state */
    void (*destroy)(SdbBufPool *pool);
    void (*accessed)(SdbBufPool *pool, SdbBuffer *buf); /* a hit */
    void (*loaded)(SdbBufPool *pool, SdbBuffer *buf);   /* now holds buf->tag */
    void (*evicted)(SdbBufPool *pool, SdbBuffer *buf, const SdbBufTag *old);
    void (*removed)(SdbBufPool *pool, SdbBuffer *buf);  /* dropped, goes free */
    /* Pick a victim for a frame to hold `incoming` and claim it with
     * sdb_buf_try_claim; NULL when every frame is pinned. */
    SdbBuffer *(*claim_victim)(SdbBufPool *pool, const SdbBufTag *incoming);
    /* Up to `max` dirty unpinned frames the policy would evict soon, for the
     * background writer; returns how many it put in `out`. */
    int (*upcoming)(SdbBufPool *pool, SdbBuffer **out, int max);
} SdbBufPolicy;

extern const SdbBufPolicy sdb_bufpolicy_clock;
extern const SdbBufPolicy sdb_bufpolicy_lru_k;
extern const SdbBufPolicy sdb_bufpolicy_arc;

struct SdbBufPool {
    SdbSmgr *smgr;
    SdbWal *wal;
    uint32_t page_size;
    uint32_t nframes;
    bool log_hint_images;
    SdbBuffer *frames;
    uint8_t *pages; /* nframes * page_size, aligned for O_DIRECT */

    /* mapping table: buckets of frame-index chains, partitioned locks */
    uint32_t nbuckets; /* power of two */
    int32_t *buckets;
    pthread_mutex_t *partitions;

    /* free frames (never used or dropped) */
    pthread_mutex_t free_lock;
    uint32_t *free_list;
    uint32_t free_count;

    pthread_mutex_t *extend_locks; /* striped by (rel, fork) */

    const SdbBufPolicy *policy;
    void *policy_state;

    _Atomic int hint_logging; /* mark_dirty_hint calls between insert and dirty */

    SdbPeriodic bgwriter;

    _Atomic uint64_t hits, misses, reads, writes, bg_writes, evictions, corrupt_reads;
};

/* Claim an unpinned frame that holds a page (TAG_VALID, no I/O running) for
 * eviction: pins it (refcount 0 -> 1) and returns true, or returns false
 * when it is pinned, empty or busy.  Takes the frame's header mutex. */
bool sdb_buf_try_claim(SdbBuffer *buf);

/* Lock-free peeks (hints only; see the header comment). */
static inline bool sdb_buf_peek_evictable(const SdbBuffer *buf)
{
    return atomic_load_explicit(&buf->refcount, memory_order_relaxed) == 0 &&
           (atomic_load_explicit(&buf->flags, memory_order_relaxed) & SDB_BUF_TAG_VALID) != 0;
}

static inline bool sdb_buf_peek_dirty(const SdbBuffer *buf)
{
    return (atomic_load_explicit(&buf->flags, memory_order_relaxed) & SDB_BUF_DIRTY) != 0;
}

static inline uint32_t sdb_buftag_hash(const SdbBufTag *tag)
{
    uint64_t h = ((uint64_t)tag->rel.db_oid << 32 | tag->rel.rel_number) * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)tag->fork << 32 | tag->block) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(h ^ (h >> 32));
}

static inline bool sdb_buftag_equal(const SdbBufTag *a, const SdbBufTag *b)
{
    return a->block == b->block && a->fork == b->fork && sdb_relfile_equal(a->rel, b->rel);
}

#endif /* SDB_BUFPOOL_INT_H */
