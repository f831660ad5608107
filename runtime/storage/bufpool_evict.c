/*
 * storage/bufpool_evict.c: the buffer pool's eviction policies, behind the
 * SdbBufPolicy interface (bufpool_int.h):
 *
 *  - CLOCK (default): a usage count per frame (0..5), raised on each hit; the
 *    hand sweeps the frames, lowering counts, and takes the first unpinned
 *    frame at 0.  Hits touch only the frame's own atomic count.
 *  - LRU-K, K = 2 (O'Neil, O'Neil, Weikum 1993): evict the frame whose
 *    second-most-recent access is oldest; frames accessed once count as
 *    infinitely old (ties by the last access).  Times come from a global
 *    access counter; hits are lock-free; choosing a victim scans the frames.
 *    No correlated-reference period and no history kept for evicted pages.
 *  - ARC (Megiddo, Modha 2003): lists T1 (seen once recently) and T2 (seen
 *    at least twice) of cached frames, ghost lists B1, B2 of recently
 *    evicted tags, and a target size p for T1 that adapts on ghost hits.
 *    One mutex guards the lists; it is held briefly on each hit.  The
 *    adaptation of p is done when the page is loaded, just after the
 *    victim was chosen (the paper adapts just before).
 *
 * Pinned frames are skipped; a policy returns NULL only when it found no
 * unpinned frame at all.
 */
#include <string.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/bufpool_int.h"

/* ---- CLOCK ----------------------------------------------------------------------- */

#define CLOCK_MAX_USAGE 5

typedef struct ClockState {
    _Atomic uint64_t hand;
    _Atomic uint8_t *usage;
} ClockState;

static int clock_init(SdbBufPool *pool)
{
    ClockState *st = sdb_malloc(sizeof *st);
    if (st == NULL)
        return SDB_ERROR;
    st->usage = sdb_malloc(pool->nframes * sizeof *st->usage);
    if (st->usage == NULL) {
        sdb_free(st);
        return SDB_ERROR;
    }
    atomic_init(&st->hand, 0);
    for (uint32_t i = 0; i < pool->nframes; i++)
        atomic_init(&st->usage[i], 0);
    pool->policy_state = st;
    return SDB_OK;
}

static void clock_destroy(SdbBufPool *pool)
{
    ClockState *st = pool->policy_state;
    sdb_free(st->usage);
    sdb_free(st);
    pool->policy_state = NULL;
}

static void clock_accessed(SdbBufPool *pool, SdbBuffer *buf)
{
    ClockState *st = pool->policy_state;
    uint8_t u = atomic_load_explicit(&st->usage[buf->id], memory_order_relaxed);
    if (u < CLOCK_MAX_USAGE)
        atomic_store_explicit(&st->usage[buf->id], (uint8_t)(u + 1), memory_order_relaxed);
}

static void clock_loaded(SdbBufPool *pool, SdbBuffer *buf)
{
    ClockState *st = pool->policy_state;
    atomic_store_explicit(&st->usage[buf->id], 1, memory_order_relaxed);
}

static void clock_forget(SdbBufPool *pool, SdbBuffer *buf)
{
    ClockState *st = pool->policy_state;
    atomic_store_explicit(&st->usage[buf->id], 0, memory_order_relaxed);
}

static void clock_evicted(SdbBufPool *pool, SdbBuffer *buf, const SdbBufTag *old)
{
    (void)old;
    clock_forget(pool, buf);
}

static SdbBuffer *clock_claim_victim(SdbBufPool *pool, const SdbBufTag *incoming)
{
    ClockState *st = pool->policy_state;
    (void)incoming;
    /* Give up after a full sweep that met only unusable frames; lowering a
     * count is progress and restarts the sweep. */
    uint32_t tries = pool->nframes;
    for (;;) {
        uint32_t i = (uint32_t)(atomic_fetch_add(&st->hand, 1) % pool->nframes);
        SdbBuffer *buf = &pool->frames[i];
        if (sdb_buf_peek_evictable(buf)) {
            uint8_t u = atomic_load_explicit(&st->usage[i], memory_order_relaxed);
            if (u > 0) {
                atomic_store_explicit(&st->usage[i], (uint8_t)(u - 1), memory_order_relaxed);
                tries = pool->nframes;
                continue;
            }
            if (sdb_buf_try_claim(buf))
                return buf;
        }
        if (--tries == 0)
            return NULL;
    }
}

static int clock_upcoming(SdbBufPool *pool, SdbBuffer **out, int max)
{
    ClockState *st = pool->policy_state;
    int n = 0;
    uint64_t hand = atomic_load(&st->hand);
    for (uint32_t step = 0; step < pool->nframes && n < max; step++) {
        uint32_t i = (uint32_t)((hand + step) % pool->nframes);
        SdbBuffer *buf = &pool->frames[i];
        if (sdb_buf_peek_evictable(buf) && sdb_buf_peek_dirty(buf) &&
            atomic_load_explicit(&st->usage[i], memory_order_relaxed) == 0)
            out[n++] = buf;
    }
    return n;
}

const SdbBufPolicy sdb_bufpolicy_clock = {
    .name = "clock",
    .init = clock_init,
    .destroy = clock_destroy,
    .accessed = clock_accessed,
    .loaded = clock_loaded,
    .evicted = clock_evicted,
    .removed = clock_forget,
    .claim_victim = clock_claim_victim,
    .upcoming = clock_upcoming,
};

/* ---- LRU-K (K = 2) ------------------------------------------------------------------ */

typedef struct LruKState {
    _Atomic uint64_t tick;
    _Atomic uint64_t *last;   /* time of the most recent access */
    _Atomic uint64_t *before; /* time of the one before (0: none) */
} LruKState;

static int lruk_init(SdbBufPool *pool)
{
    LruKState *st = sdb_malloc(sizeof *st);
    if (st == NULL)
        return SDB_ERROR;
    st->last = sdb_malloc(pool->nframes * sizeof *st->last);
    st->before = st->last != NULL ? sdb_malloc(pool->nframes * sizeof *st->before) : NULL;
    if (st->before == NULL) {
        sdb_free(st->last);
        sdb_free(st);
        return SDB_ERROR;
    }
    atomic_init(&st->tick, 0);
    for (uint32_t i = 0; i < pool->nframes; i++) {
        atomic_init(&st->last[i], 0);
        atomic_init(&st->before[i], 0);
    }
    pool->policy_state = st;
    return SDB_OK;
}

static void lruk_destroy(SdbBufPool *pool)
{
    LruKState *st = pool->policy_state;
    sdb_free(st->last);
    sdb_free(st->before);
    sdb_free(st);
    pool->policy_state = NULL;
}

static void lruk_accessed(SdbBufPool *pool, SdbBuffer *buf)
{
    LruKState *st = pool->policy_state;
    uint64_t now = atomic_fetch_add_explicit(&st->tick, 1, memory_order_relaxed) + 1;
    atomic_store_explicit(&st->before[buf->id], atomic_load_explicit(&st->last[buf->id], memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&st->last[buf->id], now, memory_order_relaxed);
}

static void lruk_loaded(SdbBufPool *pool, SdbBuffer *buf)
{
    LruKState *st = pool->policy_state;
    uint64_t now = atomic_fetch_add_explicit(&st->tick, 1, memory_order_relaxed) + 1;
    atomic_store_explicit(&st->before[buf->id], 0, memory_order_relaxed);
    atomic_store_explicit(&st->last[buf->id], now, memory_order_relaxed);
}

static void lruk_evicted(SdbBufPool *pool, SdbBuffer *buf, const SdbBufTag *old)
{
    (void)pool;
    (void)buf;
    (void)old;
}

static void lruk_removed(SdbBufPool *pool, SdbBuffer *buf)
{
    (void)pool;
    (void)buf;
}

/* Eviction order: oldest second-to-last access first (none = oldest of
 * all), then oldest last access. */
static bool lruk_before(LruKState *st, uint32_t a, uint32_t b)
{
    uint64_t ba = atomic_load_explicit(&st->before[a], memory_order_relaxed);
    uint64_t bb = atomic_load_explicit(&st->before[b], memory_order_relaxed);
    if (ba != bb)
        return ba < bb;
    return atomic_load_explicit(&st->last[a], memory_order_relaxed) <
           atomic_load_explicit(&st->last[b], memory_order_relaxed);
}

/* The up to `max` evictable frames (dirty ones only with `dirty_only`)
 * first in eviction order, best first, into `out`; returns how many. */
static int lruk_best(SdbBufPool *pool, bool dirty_only, SdbBuffer **out, int max)
{
    LruKState *st = pool->policy_state;
    int n = 0;
    for (uint32_t i = 0; i < pool->nframes; i++) {
        SdbBuffer *buf = &pool->frames[i];
        if (!sdb_buf_peek_evictable(buf) || (dirty_only && !sdb_buf_peek_dirty(buf)))
            continue;
        if (n == max && !lruk_before(st, i, out[n - 1]->id))
            continue;
        int pos = n < max ? n++ : n - 1;
        while (pos > 0 && lruk_before(st, i, out[pos - 1]->id)) {
            out[pos] = out[pos - 1];
            pos--;
        }
        out[pos] = buf;
    }
    return n;
}

static SdbBuffer *lruk_claim_victim(SdbBufPool *pool, const SdbBufTag *incoming)
{
    (void)incoming;
    SdbBuffer *best[8];
    for (;;) {
        int n = lruk_best(pool, false, best, 8);
        if (n == 0)
            return NULL;
        for (int i = 0; i < n; i++) {
            if (sdb_buf_try_claim(best[i]))
                return best[i];
        }
    }
}

static int lruk_upcoming(SdbBufPool *pool, SdbBuffer **out, int max)
{
    return lruk_best(pool, true, out, max);
}

const SdbBufPolicy sdb_bufpolicy_lru_k = {
    .name = "lru_k",
    .init = lruk_init,
    .destroy = lruk_destroy,
    .accessed = lruk_accessed,
    .loaded = lruk_loaded,
    .evicted = lruk_evicted,
    .removed = lruk_removed,
    .claim_victim = lruk_claim_victim,
    .upcoming = lruk_upcoming,
};

/* ---- ARC ------------------------------------------------------------------------------ */

/* Lists: cached frames in T1/T2, ghost tags in B1/B2.  Each list is
 * doubly linked through index arrays (frames or ghost slots), head = MRU,
 * tail = LRU. */
enum { ARC_NONE = 0, ARC_T1, ARC_T2, ARC_B1, ARC_B2, ARC_LISTS };

typedef struct ArcLink {
    int32_t prev, next;
    uint8_t list;
} ArcLink;

typedef struct ArcList {
    int32_t head, tail;
    uint32_t size;
} ArcList;

typedef struct ArcGhost {
    SdbBufTag tag;
    int32_t hash_next;
} ArcGhost;

typedef struct ArcState {
    pthread_mutex_t lock;
    uint32_t c;        /* cache size in frames */
    uint32_t p;        /* target size of T1 */
    ArcList lists[ARC_LISTS];
    ArcLink *frame_links; /* per frame */
    ArcLink *ghost_links; /* per ghost slot */
    ArcGhost *ghosts;     /* c slots */
    int32_t *ghost_free;  /* stack of free ghost slots */
    uint32_t ghost_free_count;
    int32_t *ghost_buckets;
    uint32_t ghost_nbuckets; /* power of two */
} ArcState;

static ArcLink *arc_links(ArcState *st, int list)
{
    return list == ARC_T1 || list == ARC_T2 ? st->frame_links : st->ghost_links;
}

static void arc_push_mru(ArcState *st, int list, int32_t i)
{
    ArcLink *links = arc_links(st, list);
    ArcList *l = &st->lists[list];
    links[i].prev = -1;
    links[i].next = l->head;
    links[i].list = (uint8_t)list;
    if (l->head >= 0)
        links[l->head].prev = i;
    else
        l->tail = i;
    l->head = i;
    l->size++;
}

static void arc_unlink(ArcState *st, int32_t i, ArcLink *links)
{
    int list = links[i].list;
    ArcList *l = &st->lists[list];
    if (links[i].prev >= 0)
        links[links[i].prev].next = links[i].next;
    else
        l->head = links[i].next;
    if (links[i].next >= 0)
        links[links[i].next].prev = links[i].prev;
    else
        l->tail = links[i].prev;
    links[i].list = ARC_NONE;
    l->size--;
}

static int32_t *arc_ghost_bucket(ArcState *st, const SdbBufTag *tag)
{
    return &st->ghost_buckets[sdb_buftag_hash(tag) & (st->ghost_nbuckets - 1)];
}

static int32_t arc_ghost_find(ArcState *st, const SdbBufTag *tag)
{
    for (int32_t g = *arc_ghost_bucket(st, tag); g >= 0; g = st->ghosts[g].hash_next) {
        if (sdb_buftag_equal(&st->ghosts[g].tag, tag))
            return g;
    }
    return -1;
}

static void arc_ghost_remove(ArcState *st, int32_t g)
{
    int32_t *link = arc_ghost_bucket(st, &st->ghosts[g].tag);
    while (*link != g)
        link = &st->ghosts[*link].hash_next;
    *link = st->ghosts[g].hash_next;
    arc_unlink(st, g, st->ghost_links);
    st->ghost_free[st->ghost_free_count++] = g;
}

static void arc_ghost_drop_lru(ArcState *st, int list)
{
    if (st->lists[list].tail >= 0)
        arc_ghost_remove(st, st->lists[list].tail);
}

static void arc_ghost_add(ArcState *st, int list, const SdbBufTag *tag)
{
    if (st->ghost_free_count == 0)
        arc_ghost_drop_lru(st, st->lists[ARC_B1].size >= st->lists[ARC_B2].size ? ARC_B1 : ARC_B2);
    int32_t g = st->ghost_free[--st->ghost_free_count];
    int32_t *bucket = arc_ghost_bucket(st, tag);
    st->ghosts[g].tag = *tag;
    st->ghosts[g].hash_next = *bucket;
    *bucket = g;
    arc_push_mru(st, list, g);
}

static void arc_state_free(ArcState *st)
{
    sdb_free(st->frame_links);
    sdb_free(st->ghost_links);
    sdb_free(st->ghosts);
    sdb_free(st->ghost_free);
    sdb_free(st->ghost_buckets);
    sdb_free(st);
}

static int arc_init(SdbBufPool *pool)
{
    ArcState *st = sdb_malloc(sizeof *st);
    if (st == NULL)
        return SDB_ERROR;
    memset(st, 0, sizeof *st);
    st->c = pool->nframes;
    st->ghost_nbuckets = 16;
    while (st->ghost_nbuckets < st->c)
        st->ghost_nbuckets *= 2;
    st->frame_links = sdb_malloc(st->c * sizeof *st->frame_links);
    st->ghost_links = sdb_malloc(st->c * sizeof *st->ghost_links);
    st->ghosts = sdb_malloc(st->c * sizeof *st->ghosts);
    st->ghost_free = sdb_malloc(st->c * sizeof *st->ghost_free);
    st->ghost_buckets = sdb_malloc(st->ghost_nbuckets * sizeof *st->ghost_buckets);
    if (st->frame_links == NULL || st->ghost_links == NULL || st->ghosts == NULL || st->ghost_free == NULL ||
        st->ghost_buckets == NULL) {
        arc_state_free(st);
        return SDB_ERROR;
    }
    for (int l = 0; l < ARC_LISTS; l++)
        st->lists[l] = (ArcList){-1, -1, 0};
    for (uint32_t i = 0; i < st->c; i++) {
        st->frame_links[i] = (ArcLink){-1, -1, ARC_NONE};
        st->ghost_links[i] = (ArcLink){-1, -1, ARC_NONE};
        st->ghost_free[i] = (int32_t)(st->c - 1 - i);
    }
    st->ghost_free_count = st->c;
    for (uint32_t i = 0; i < st->ghost_nbuckets; i++)
        st->ghost_buckets[i] = -1;
    pthread_mutex_init(&st->lock, NULL);
    pool->policy_state = st;
    return SDB_OK;
}

static void arc_destroy(SdbBufPool *pool)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_destroy(&st->lock);
    arc_state_free(st);
    pool->policy_state = NULL;
}

static void arc_accessed(SdbBufPool *pool, SdbBuffer *buf)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_lock(&st->lock);
    int list = st->frame_links[buf->id].list;
    if (list == ARC_T1 || list == ARC_T2) {
        arc_unlink(st, (int32_t)buf->id, st->frame_links);
        arc_push_mru(st, ARC_T2, (int32_t)buf->id);
    }
    pthread_mutex_unlock(&st->lock);
}

static uint32_t arc_ratio(uint32_t num, uint32_t den)
{
    uint32_t r = den > 0 ? num / den : num;
    return r > 0 ? r : 1;
}

static void arc_loaded(SdbBufPool *pool, SdbBuffer *buf)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_lock(&st->lock);
    uint32_t b1 = st->lists[ARC_B1].size, b2 = st->lists[ARC_B2].size;
    int32_t g = arc_ghost_find(st, &buf->tag);
    int ghost_list = g >= 0 ? st->ghost_links[g].list : ARC_NONE;
    if (ghost_list == ARC_B1) {
        uint32_t grow = arc_ratio(b2, b1);
        st->p = st->p + grow < st->c ? st->p + grow : st->c;
    } else if (ghost_list == ARC_B2) {
        uint32_t shrink = arc_ratio(b1, b2);
        st->p = st->p > shrink ? st->p - shrink : 0;
    }
    if (g >= 0) {
        arc_ghost_remove(st, g);
        arc_push_mru(st, ARC_T2, (int32_t)buf->id);
    } else {
        arc_push_mru(st, ARC_T1, (int32_t)buf->id);
        /* Keep |T1| + |B1| <= c and the whole directory <= 2c. */
        if (st->lists[ARC_T1].size + st->lists[ARC_B1].size > st->c)
            arc_ghost_drop_lru(st, ARC_B1);
        uint32_t total = 0;
        for (int l = ARC_T1; l < ARC_LISTS; l++)
            total += st->lists[l].size;
        if (total > 2 * st->c)
            arc_ghost_drop_lru(st, st->lists[ARC_B2].size > 0 ? ARC_B2 : ARC_B1);
    }
    pthread_mutex_unlock(&st->lock);
}

static void arc_evicted(SdbBufPool *pool, SdbBuffer *buf, const SdbBufTag *old)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_lock(&st->lock);
    int list = st->frame_links[buf->id].list;
    if (list != ARC_NONE) {
        arc_unlink(st, (int32_t)buf->id, st->frame_links);
        arc_ghost_add(st, list == ARC_T1 ? ARC_B1 : ARC_B2, old);
    }
    pthread_mutex_unlock(&st->lock);
}

static void arc_removed(SdbBufPool *pool, SdbBuffer *buf)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_lock(&st->lock);
    if (st->frame_links[buf->id].list != ARC_NONE)
        arc_unlink(st, (int32_t)buf->id, st->frame_links);
    pthread_mutex_unlock(&st->lock);
}

/* Claim the least recently used claimable frame of `list`, or NULL. */
static SdbBuffer *arc_claim_from(SdbBufPool *pool, ArcState *st, int list)
{
    for (int32_t i = st->lists[list].tail; i >= 0; i = st->frame_links[i].prev) {
        if (sdb_buf_peek_evictable(&pool->frames[i]) && sdb_buf_try_claim(&pool->frames[i]))
            return &pool->frames[i];
    }
    return NULL;
}

/* ARC's REPLACE: from T1 when it is over its target (or at it and the
 * incoming page is a B2 ghost), else from T2; the other list if all of the
 * chosen one is pinned. */
static SdbBuffer *arc_claim_victim(SdbBufPool *pool, const SdbBufTag *incoming)
{
    ArcState *st = pool->policy_state;
    pthread_mutex_lock(&st->lock);
    int32_t g = arc_ghost_find(st, incoming);
    bool in_b2 = g >= 0 && st->ghost_links[g].list == ARC_B2;
    uint32_t t1 = st->lists[ARC_T1].size;
    int first = t1 > 0 && (t1 > st->p || (in_b2 && t1 == st->p)) ? ARC_T1 : ARC_T2;
    SdbBuffer *buf = arc_claim_from(pool, st, first);
    if (buf == NULL)
        buf = arc_claim_from(pool, st, first == ARC_T1 ? ARC_T2 : ARC_T1);
    pthread_mutex_unlock(&st->lock);
    return buf;
}

static int arc_upcoming(SdbBufPool *pool, SdbBuffer **out, int max)
{
    ArcState *st = pool->policy_state;
    int n = 0;
    pthread_mutex_lock(&st->lock);
    for (int list = ARC_T1; list <= ARC_T2; list++) {
        int limit = n + max / 2;
        for (int32_t i = st->lists[list].tail; i >= 0 && n < limit; i = st->frame_links[i].prev) {
            if (sdb_buf_peek_evictable(&pool->frames[i]) && sdb_buf_peek_dirty(&pool->frames[i]))
                out[n++] = &pool->frames[i];
        }
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

const SdbBufPolicy sdb_bufpolicy_arc = {
    .name = "arc",
    .init = arc_init,
    .destroy = arc_destroy,
    .accessed = arc_accessed,
    .loaded = arc_loaded,
    .evicted = arc_evicted,
    .removed = arc_removed,
    .claim_victim = arc_claim_victim,
    .upcoming = arc_upcoming,
};
