/*
 * storage/bufpool.c: the buffer pool (see bufpool.h): frames, the mapping
 * table, pins, latches, reads with checksum verification, writes under the
 * write-ahead rule, flush-all, dropping a relation's pages, and the
 * background writer.  Victim selection lives in bufpool_evict.c.
 */
#include "storage/bufpool.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"
#include "storage/bufpool_int.h"
#include "storage/fileio.h"
#include "storage/page.h"
#include "storage/recovery.h"

#define PARTITION_COUNT 64u
#define EXTEND_LOCK_COUNT 32u
#define MIN_FRAMES 16u
#define BGWRITER_MAX_PAGES 100 /* per round, as PostgreSQL's bgwriter_lru_maxpages */

/* ---- small helpers ---------------------------------------------------------- */

static void lock(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

static void unlock(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

static void set_flags(SdbBuffer *buf, uint32_t on, uint32_t off)
{
    uint32_t f = atomic_load(&buf->flags);
    atomic_store(&buf->flags, (f & ~off) | on);
}

static uint32_t flags_of(const SdbBuffer *buf)
{
    return atomic_load(&buf->flags);
}

static void count(_Atomic uint64_t *counter)
{
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

static pthread_mutex_t *partition_of(SdbBufPool *pool, uint32_t hash)
{
    return &pool->partitions[(hash & (pool->nbuckets - 1)) % PARTITION_COUNT];
}

static pthread_mutex_t *extend_lock_of(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork)
{
    SdbBufTag tag = {rel, (uint32_t)fork, 0};
    return &pool->extend_locks[sdb_buftag_hash(&tag) % EXTEND_LOCK_COUNT];
}

/* Lock two partitions (maybe the same one) without deadlock. */
static void lock_pair(pthread_mutex_t *a, pthread_mutex_t *b)
{
    if (a == b) {
        lock(a);
    } else if (a < b) {
        lock(a);
        lock(b);
    } else {
        lock(b);
        lock(a);
    }
}

static void unlock_pair(pthread_mutex_t *a, pthread_mutex_t *b)
{
    unlock(a);
    if (a != b)
        unlock(b);
}

/* ---- mapping table (caller holds the tag's partition lock) ------------------ */

static SdbBuffer *map_lookup(SdbBufPool *pool, const SdbBufTag *tag, uint32_t hash)
{
    for (int32_t i = pool->buckets[hash & (pool->nbuckets - 1)]; i >= 0; i = pool->frames[i].hash_next) {
        if (sdb_buftag_equal(&pool->frames[i].tag, tag))
            return &pool->frames[i];
    }
    return NULL;
}

static void map_insert(SdbBufPool *pool, SdbBuffer *buf, uint32_t hash)
{
    int32_t *head = &pool->buckets[hash & (pool->nbuckets - 1)];
    buf->hash_next = *head;
    *head = (int32_t)buf->id;
}

static void map_remove(SdbBufPool *pool, SdbBuffer *buf, uint32_t hash)
{
    int32_t *link = &pool->buckets[hash & (pool->nbuckets - 1)];
    while (*link != (int32_t)buf->id)
        link = &pool->frames[*link].hash_next;
    *link = buf->hash_next;
    buf->hash_next = -1;
}

/* ---- free list ----------------------------------------------------------------- */

/* A free frame pinned by the caller, or NULL when none is left. */
static SdbBuffer *free_pop(SdbBufPool *pool)
{
    SdbBuffer *buf = NULL;
    lock(&pool->free_lock);
    if (pool->free_count > 0)
        buf = &pool->frames[pool->free_list[--pool->free_count]];
    unlock(&pool->free_lock);
    if (buf != NULL)
        atomic_store(&buf->refcount, 1);
    return buf;
}

/* Give back a frame the caller pinned that holds no page. */
static void free_push(SdbBufPool *pool, SdbBuffer *buf)
{
    atomic_store(&buf->refcount, 0);
    lock(&pool->free_lock);
    pool->free_list[pool->free_count++] = buf->id;
    unlock(&pool->free_lock);
}

/* ---- pins and I/O state -------------------------------------------------------- */

bool sdb_buf_try_claim(SdbBuffer *buf)
{
    bool claimed = false;
    lock(&buf->hdr);
    if (atomic_load(&buf->refcount) == 0 &&
        (flags_of(buf) & (SDB_BUF_TAG_VALID | SDB_BUF_IO)) == SDB_BUF_TAG_VALID) {
        atomic_store(&buf->refcount, 1);
        claimed = true;
    }
    unlock(&buf->hdr);
    return claimed;
}

static void unpin(SdbBuffer *buf)
{
    lock(&buf->hdr);
    atomic_fetch_sub(&buf->refcount, 1);
    unlock(&buf->hdr);
}

/* The caller's pinned frame, which it claimed but cannot use: back to the
 * free list if it holds no page, else just unpinned. */
static void give_back(SdbBufPool *pool, SdbBuffer *buf)
{
    if (flags_of(buf) & SDB_BUF_TAG_VALID)
        unpin(buf);
    else
        free_push(pool, buf);
}

/* End the I/O the caller started on `buf`; `valid` says the page now holds
 * the block. */
static void finish_io(SdbBuffer *buf, bool valid)
{
    lock(&buf->hdr);
    set_flags(buf, valid ? SDB_BUF_VALID : 0, SDB_BUF_IO | (valid ? 0 : SDB_BUF_VALID));
    pthread_cond_broadcast(&buf->io_done);
    unlock(&buf->hdr);
}

static void wait_io(SdbBuffer *buf)
{
    while (flags_of(buf) & SDB_BUF_IO)
        pthread_cond_wait(&buf->io_done, &buf->hdr);
}

/* ---- writing ---------------------------------------------------------------------- */

static bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

/* flush_frame's result when `conditional` and the frame is busy. */
#define FLUSH_BUSY 1

/* Write the page of pinned frame `buf` if it is dirty: flush the WAL to the
 * page LSN, then write a checksummed copy.  The copy is taken under the
 * share latch and the header mutex (which hint-bit LSN updates take), so
 * the page cannot change under the checksum.  With `conditional` (victims,
 * background writer) it never waits: if another write is running or the
 * latch is held it returns FLUSH_BUSY.  (Waiting could deadlock: whoever
 * holds the latch may be waiting for a latch the caller holds.) */
static int flush_frame(SdbBuffer *buf, bool conditional, bool by_bgwriter)
{
    SdbBufPool *pool = buf->pool;
    _Alignas(SDB_FILE_ALIGNMENT) uint8_t copy[SDB_PAGE_MAX_SIZE];

    lock(&buf->hdr);
    if (conditional && (flags_of(buf) & SDB_BUF_IO)) {
        unlock(&buf->hdr);
        return FLUSH_BUSY;
    }
    wait_io(buf);
    if ((flags_of(buf) & (SDB_BUF_VALID | SDB_BUF_DIRTY)) != (SDB_BUF_VALID | SDB_BUF_DIRTY)) {
        unlock(&buf->hdr);
        return SDB_OK;
    }
    set_flags(buf, SDB_BUF_IO, SDB_BUF_JUST_DIRTIED);
    unlock(&buf->hdr);

    if (conditional) {
        if (pthread_rwlock_tryrdlock(&buf->latch) != 0) {
            lock(&buf->hdr);
            set_flags(buf, 0, SDB_BUF_IO); /* still dirty */
            pthread_cond_broadcast(&buf->io_done);
            unlock(&buf->hdr);
            return FLUSH_BUSY;
        }
    } else {
        pthread_rwlock_rdlock(&buf->latch);
    }
    lock(&buf->hdr);
    memcpy(copy, buf->page, pool->page_size);
    unlock(&buf->hdr);
    pthread_rwlock_unlock(&buf->latch);

    int rc = SDB_OK;
    SdbLsn lsn = sdb_page_lsn(copy);
    if (pool->wal != NULL && lsn != SDB_INVALID_LSN)
        rc = sdb_wal_flush(pool->wal, lsn);
    if (rc == SDB_OK) {
        if (!(sdb_page_is_new(copy) && all_zero(copy, pool->page_size)))
            sdb_page_set_checksum(copy, pool->page_size, buf->tag.block);
        rc = sdb_smgr_write(pool->smgr, buf->tag.rel, (SdbFork)buf->tag.fork, buf->tag.block, copy);
    }

    lock(&buf->hdr);
    uint32_t off = SDB_BUF_IO;
    if (rc == SDB_OK && !(flags_of(buf) & SDB_BUF_JUST_DIRTIED))
        off |= SDB_BUF_DIRTY;
    set_flags(buf, 0, off);
    pthread_cond_broadcast(&buf->io_done);
    unlock(&buf->hdr);

    if (rc == SDB_OK) {
        count(&pool->writes);
        if (by_bgwriter)
            count(&pool->bg_writes);
    }
    return rc;
}

/* Pin frame `buf` directly (not through the mapping) if it holds a valid
 * page and, with `only_unpinned`, nobody has it pinned. */
static bool pin_frame_if_valid(SdbBuffer *buf, bool only_unpinned)
{
    bool pinned = false;
    lock(&buf->hdr);
    if ((flags_of(buf) & SDB_BUF_VALID) && (!only_unpinned || atomic_load(&buf->refcount) == 0)) {
        atomic_fetch_add(&buf->refcount, 1);
        pinned = true;
    }
    unlock(&buf->hdr);
    return pinned;
}

/* ---- finding a frame for a page -------------------------------------------------- */

static int no_buffers_error(void)
{
    sdb_error(SDB_ERR_INSUFFICIENT_RESOURCES, "no unpinned buffers available");
    sdb_error_hint("Every buffer pool frame is pinned; increase shared_buffers.");
    return SDB_ERROR;
}

/* A frame pinned by the caller that may be given a new page: a free one, or
 * a clean victim chosen by the policy (written first if it was dirty; it
 * may still be mapped under its old tag).  Victims that turn out busy are
 * passed over; after a pool's worth of them it gives up.  NULL with the
 * error recorded. */
static SdbBuffer *get_victim(SdbBufPool *pool, const SdbBufTag *incoming)
{
    for (uint32_t attempt = 0; attempt < pool->nframes; attempt++) {
        SdbBuffer *buf = free_pop(pool);
        if (buf != NULL)
            return buf;
        buf = pool->policy->claim_victim(pool, incoming);
        if (buf == NULL)
            break;
        int rc = flush_frame(buf, true, false);
        if (rc == SDB_OK)
            return buf;
        unpin(buf);
        if (rc == SDB_ERROR)
            return NULL;
    }
    no_buffers_error();
    return NULL;
}

/* Move pinned frame `buf` (refcount 1, ours) to `tag`: returns false if the
 * tag got mapped meanwhile, or the frame was pinned or dirtied again (the
 * caller gives it back and retries).  On success the frame is mapped under
 * `tag`, with SDB_BUF_IO set and its contents invalid. */
static bool retag(SdbBufPool *pool, SdbBuffer *buf, const SdbBufTag *tag, uint32_t hash)
{
    bool had_tag = (flags_of(buf) & SDB_BUF_TAG_VALID) != 0;
    SdbBufTag old = buf->tag;
    uint32_t old_hash = sdb_buftag_hash(&old);
    pthread_mutex_t *newpart = partition_of(pool, hash);
    pthread_mutex_t *oldpart = had_tag ? partition_of(pool, old_hash) : newpart;

    lock_pair(newpart, oldpart);
    if (map_lookup(pool, tag, hash) != NULL) {
        unlock_pair(newpart, oldpart);
        return false;
    }
    lock(&buf->hdr);
    uint32_t f = flags_of(buf);
    if (atomic_load(&buf->refcount) != 1 || (f & SDB_BUF_DIRTY)) {
        unlock(&buf->hdr);
        unlock_pair(newpart, oldpart);
        return false;
    }
    if (had_tag)
        map_remove(pool, buf, old_hash);
    buf->tag = *tag;
    atomic_store(&buf->flags, SDB_BUF_TAG_VALID | SDB_BUF_IO);
    map_insert(pool, buf, hash);
    unlock(&buf->hdr);
    unlock_pair(newpart, oldpart);

    if (had_tag) {
        pool->policy->evicted(pool, buf, &old);
        if (f & SDB_BUF_VALID)
            count(&pool->evictions);
    }
    pool->policy->loaded(pool, buf);
    return true;
}

/* Pin the frame holding `tag`, mapping a frame to it if none does.  Sets
 * *must_load when the caller now owns the frame's I/O (SDB_BUF_IO set,
 * contents invalid): it must fill the page and call finish_io.  Otherwise
 * the page is valid.  NULL with the error recorded. */
static SdbBuffer *pin_tag(SdbBufPool *pool, const SdbBufTag *tag, bool *must_load)
{
    uint32_t hash = sdb_buftag_hash(tag);
    pthread_mutex_t *part = partition_of(pool, hash);

    for (;;) {
        lock(part);
        SdbBuffer *buf = map_lookup(pool, tag, hash);
        if (buf != NULL) {
            lock(&buf->hdr);
            atomic_fetch_add(&buf->refcount, 1);
            unlock(part);
            while ((flags_of(buf) & (SDB_BUF_VALID | SDB_BUF_IO)) == SDB_BUF_IO)
                pthread_cond_wait(&buf->io_done, &buf->hdr);
            *must_load = !(flags_of(buf) & SDB_BUF_VALID);
            if (*must_load) /* an earlier read failed: try again ourselves */
                set_flags(buf, SDB_BUF_IO, 0);
            unlock(&buf->hdr);
            if (*must_load) {
                count(&pool->misses);
            } else {
                count(&pool->hits);
                pool->policy->accessed(pool, buf);
            }
            return buf;
        }
        unlock(part);

        buf = get_victim(pool, tag);
        if (buf == NULL)
            return NULL;
        if (retag(pool, buf, tag, hash)) {
            count(&pool->misses);
            *must_load = true;
            return buf;
        }
        give_back(pool, buf);
    }
}

/* ---- reading ------------------------------------------------------------------------ */

static void relation_path(const SdbBuffer *buf, char *path, size_t size)
{
    sdb_smgr_path(buf->tag.rel, (SdbFork)buf->tag.fork, path, size);
}

/* Fill the page of `buf` (whose I/O we own) from disk and verify it. */
static int load_page(SdbBuffer *buf)
{
    SdbBufPool *pool = buf->pool;
    char path[SDB_SMGR_PATH_MAX];
    int rc = sdb_smgr_read(pool->smgr, buf->tag.rel, (SdbFork)buf->tag.fork, buf->tag.block, buf->page);
    if (rc == SDB_OK) {
        relation_path(buf, path, sizeof path);
        rc = sdb_page_verify(buf->page, pool->page_size, buf->tag.block, path);
        if (rc != SDB_OK)
            count(&pool->corrupt_reads);
    }
    if (rc == SDB_OK)
        count(&pool->reads);
    return rc;
}

/* Make sure the fork's file exists and has at least `block` + 1 blocks
 * (SDB_BUF_ZERO). */
static int ensure_block_exists(SdbBufPool *pool, const SdbBufTag *tag)
{
    SdbFork fork = (SdbFork)tag->fork;
    pthread_mutex_t *ext = extend_lock_of(pool, tag->rel, fork);
    SdbBlockNo nblocks = 0;
    lock(ext);
    int rc = sdb_smgr_create(pool->smgr, tag->rel, fork, true);
    if (rc == SDB_OK)
        rc = sdb_smgr_nblocks(pool->smgr, tag->rel, fork, &nblocks);
    if (rc == SDB_OK && nblocks <= tag->block)
        rc = sdb_smgr_extend(pool->smgr, tag->rel, fork, tag->block + 1 - nblocks, NULL);
    unlock(ext);
    return rc;
}

/* Pin `tag` and hand it back exclusively latched holding a zeroed page:
 * for SDB_BUF_ZERO (after ensure_block_exists) and SDB_BUF_NEW. */
static SdbBuffer *pin_zeroed(SdbBufPool *pool, const SdbBufTag *tag)
{
    bool must_load;
    SdbBuffer *buf = pin_tag(pool, tag, &must_load);
    if (buf == NULL)
        return NULL;
    /* Nobody latches a frame whose I/O is running, so when we own the load
     * this cannot block, and the page is ours before anyone can see it. */
    pthread_rwlock_wrlock(&buf->latch);
    memset(buf->page, 0, pool->page_size);
    if (must_load)
        finish_io(buf, true);
    return buf;
}

/* SDB_BUF_NEW.  Only the file extension is serialized: once smgr has
 * handed out the block nobody else gets it, so the frame is found outside
 * the lock (a concurrent reader may cache the zero page first: harmless). */
static SdbBuffer *extend_relation(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork)
{
    pthread_mutex_t *ext = extend_lock_of(pool, rel, fork);
    SdbBufTag tag = {rel, (uint32_t)fork, 0};
    lock(ext);
    int rc = sdb_smgr_extend(pool->smgr, rel, fork, 1, &tag.block);
    unlock(ext);
    return rc == SDB_OK ? pin_zeroed(pool, &tag) : NULL;
}

SdbBuffer *sdb_buf_read(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork, SdbBlockNo block,
                        SdbBufMode mode)
{
    if ((unsigned)fork >= SDB_FORK_COUNT || (mode != SDB_BUF_NEW && block == SDB_INVALID_BLOCK)) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid buffer request: fork %d block %u", (int)fork, block);
        return NULL;
    }
    if (mode == SDB_BUF_NEW)
        return extend_relation(pool, rel, fork);

    SdbBufTag tag = {rel, (uint32_t)fork, block};
    if (mode == SDB_BUF_ZERO) {
        if (ensure_block_exists(pool, &tag) != SDB_OK)
            return NULL;
        return pin_zeroed(pool, &tag);
    }

    bool must_load;
    SdbBuffer *buf = pin_tag(pool, &tag, &must_load);
    if (buf == NULL || !must_load)
        return buf;
    if (load_page(buf) != SDB_OK) {
        finish_io(buf, false);
        unpin(buf);
        return NULL;
    }
    finish_io(buf, true);
    return buf;
}

/* ---- using a pinned buffer -------------------------------------------------------------- */

void sdb_buf_pin_again(SdbBuffer *buf)
{
    lock(&buf->hdr);
    atomic_fetch_add(&buf->refcount, 1);
    unlock(&buf->hdr);
}

void sdb_buf_release(SdbBuffer *buf)
{
    unpin(buf);
}

void sdb_buf_lock(SdbBuffer *buf, SdbBufLatch latch)
{
    if (latch == SDB_BUF_EXCLUSIVE)
        pthread_rwlock_wrlock(&buf->latch);
    else
        pthread_rwlock_rdlock(&buf->latch);
}

void sdb_buf_unlock(SdbBuffer *buf)
{
    pthread_rwlock_unlock(&buf->latch);
}

void sdb_buf_unlock_release(SdbBuffer *buf)
{
    sdb_buf_unlock(buf);
    sdb_buf_release(buf);
}

uint8_t *sdb_buf_page(SdbBuffer *buf)
{
    return buf->page;
}

SdbBlockNo sdb_buf_block(const SdbBuffer *buf)
{
    return buf->tag.block;
}

SdbRelFileId sdb_buf_rel(const SdbBuffer *buf)
{
    return buf->tag.rel;
}

SdbFork sdb_buf_fork(const SdbBuffer *buf)
{
    return (SdbFork)buf->tag.fork;
}

void sdb_buf_mark_dirty(SdbBuffer *buf)
{
    lock(&buf->hdr);
    set_flags(buf, SDB_BUF_DIRTY | SDB_BUF_JUST_DIRTIED, 0);
    unlock(&buf->hdr);
}

void sdb_buf_set_lsn(SdbBuffer *buf, SdbLsn lsn)
{
    sdb_page_set_lsn(buf->page, lsn);
}

SdbLsn sdb_buf_lsn(SdbBuffer *buf)
{
    lock(&buf->hdr);
    SdbLsn lsn = sdb_page_lsn(buf->page);
    unlock(&buf->hdr);
    return lsn;
}

int sdb_buf_mark_dirty_hint(SdbBuffer *buf)
{
    SdbBufPool *pool = buf->pool;
    SdbLsn lsn = SDB_INVALID_LSN;
    bool log_image = pool->log_hint_images && pool->wal != NULL &&
                     !(flags_of(buf) & SDB_BUF_DIRTY) && !sdb_page_is_new(buf->page);
    if (log_image) {
        _Alignas(SDB_PAGE_ITEM_ALIGN) uint8_t copy[SDB_PAGE_MAX_SIZE];
        /* Counted until the page is dirty, so a checkpoint whose redo LSN
         * follows the image record sees the page dirty (flush_all waits). */
        atomic_fetch_add(&pool->hint_logging, 1);
        lock(&buf->hdr);
        memcpy(copy, buf->page, pool->page_size);
        unlock(&buf->hdr);
        if (sdb_xlog_log_hint_image(pool->wal, buf, copy, &lsn) != SDB_OK) {
            atomic_fetch_sub(&pool->hint_logging, 1);
            return SDB_ERROR;
        }
    }
    lock(&buf->hdr);
    if (lsn > sdb_page_lsn(buf->page))
        sdb_page_set_lsn(buf->page, lsn);
    set_flags(buf, SDB_BUF_DIRTY | SDB_BUF_JUST_DIRTIED, 0);
    unlock(&buf->hdr);
    if (log_image)
        atomic_fetch_sub(&pool->hint_logging, 1);
    return SDB_OK;
}

/* ---- whole-pool operations ------------------------------------------------------------- */

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Whether pinned frame `buf` is being changed right now: its latch is
 * held (or wanted) exclusively.  If so, wait until that change is over. */
static void wait_for_change(SdbBuffer *buf)
{
    if (pthread_rwlock_tryrdlock(&buf->latch) != 0)
        pthread_rwlock_rdlock(&buf->latch);
    pthread_rwlock_unlock(&buf->latch);
}

int sdb_bufpool_flush_all(SdbBufPool *pool)
{
    while (atomic_load(&pool->hint_logging) > 0)
        sleep_ms(1);
    for (uint32_t i = 0; i < pool->nframes; i++) {
        SdbBuffer *buf = &pool->frames[i];
        if (!pin_frame_if_valid(buf, false))
            continue;
        /* A clean page may be in the middle of a change whose WAL record
         * precedes the caller's redo LSN but whose dirty mark is still to
         * come: the changer holds the exclusive latch until both are done. */
        if (!sdb_buf_peek_dirty(buf))
            wait_for_change(buf);
        int rc = flush_frame(buf, false, false);
        unpin(buf);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_smgr_sync_all(pool->smgr) != SDB_OK)
        return SDB_ERROR;
    if (sdb_smgr_writeback_failed(pool->smgr)) {
        sdb_error(SDB_ERR_IO_ERROR, "could not complete the checkpoint: writing back a data file failed earlier");
        sdb_error_detail("The operating system may have dropped those writes, so the WAL since the last "
                         "completed checkpoint is kept.");
        sdb_error_hint("Restart the server: recovery replays the WAL from the last completed checkpoint.");
        return SDB_ERROR;
    }
    return SDB_OK;
}

static bool tag_matches(const SdbBufTag *t, SdbRelFileId rel, SdbFork fork, SdbBlockNo from)
{
    return sdb_relfile_equal(t->rel, rel) && (fork == SDB_FORK_COUNT || t->fork == (uint32_t)fork) &&
           t->block >= from;
}

#define DROP_WAIT_MS 5000 /* longest wait for a transient pin in drop_rel */

/* Drop frame `buf` if it holds a matching page.  Pins left are transient
 * (a write by the background writer, a checkpoint or an evictor): wait
 * for them, but not forever.  Returns false if it stayed pinned. */
static bool drop_frame(SdbBufPool *pool, SdbBuffer *buf, SdbRelFileId rel, SdbFork fork, SdbBlockNo from)
{
    for (uint32_t waited = 0;; waited++) {
        lock(&buf->hdr);
        SdbBufTag tag = buf->tag;
        bool match = (flags_of(buf) & SDB_BUF_TAG_VALID) && tag_matches(&tag, rel, fork, from);
        unlock(&buf->hdr);
        if (!match)
            return true;
        uint32_t hash = sdb_buftag_hash(&tag);
        pthread_mutex_t *part = partition_of(pool, hash);
        lock(part);
        lock(&buf->hdr);
        bool same = (flags_of(buf) & SDB_BUF_TAG_VALID) && sdb_buftag_equal(&buf->tag, &tag);
        bool pinned = atomic_load(&buf->refcount) > 0;
        if (same && !pinned) {
            map_remove(pool, buf, hash);
            atomic_store(&buf->flags, 0);
            atomic_store(&buf->refcount, 1); /* keep the policy from claiming it */
        }
        unlock(&buf->hdr);
        unlock(part);
        if (same && !pinned) {
            pool->policy->removed(pool, buf);
            free_push(pool, buf);
            return true;
        }
        if (same && waited >= DROP_WAIT_MS)
            return false;
        if (same)
            sleep_ms(1);
    }
}

int sdb_bufpool_drop_rel(SdbBufPool *pool, SdbRelFileId rel, SdbFork fork, SdbBlockNo from_block)
{
    for (uint32_t i = 0; i < pool->nframes; i++) {
        SdbBuffer *buf = &pool->frames[i];
        if (!drop_frame(pool, buf, rel, fork, from_block)) {
            char path[SDB_SMGR_PATH_MAX];
            sdb_smgr_path(rel, (SdbFork)buf->tag.fork, path, sizeof path);
            return sdb_error(SDB_ERR_OBJECT_IN_USE, "block %u of file \"%s\" is still pinned", buf->tag.block,
                             path);
        }
    }
    return SDB_OK;
}

/* ---- background writer ------------------------------------------------------------------- */

static void bgwriter_round(void *arg)
{
    SdbBufPool *pool = arg;
    SdbBuffer *todo[BGWRITER_MAX_PAGES];
    int n = pool->policy->upcoming(pool, todo, BGWRITER_MAX_PAGES);
    for (int i = 0; i < n; i++) {
        if (!pin_frame_if_valid(todo[i], true))
            continue;
        int rc = flush_frame(todo[i], true, true);
        unpin(todo[i]);
        if (rc == SDB_ERROR) {
            sdb_log_error("bgwriter");
            sdb_error_clear();
            return;
        }
    }
}

int sdb_bufpool_start_bgwriter(SdbBufPool *pool, uint32_t delay_ms)
{
    return sdb_periodic_start(&pool->bgwriter, "background writer", delay_ms, bgwriter_round, pool);
}

void sdb_bufpool_stop_bgwriter(SdbBufPool *pool)
{
    sdb_periodic_stop(&pool->bgwriter);
}

/* ---- creation, stats ----------------------------------------------------------------------- */

uint32_t sdb_bufpool_frames_for(int64_t shared_buffers_kb, uint32_t page_size)
{
    int64_t frames = page_size > 0 ? shared_buffers_kb * 1024 / page_size : 0;
    if (frames < (int64_t)MIN_FRAMES)
        return MIN_FRAMES;
    return frames > (int64_t)INT32_MAX ? (uint32_t)INT32_MAX : (uint32_t)frames;
}

static const SdbBufPolicy *policy_for(int eviction)
{
    switch (eviction) {
    case SDB_BUFFER_EVICTION_CLOCK:
        return &sdb_bufpolicy_clock;
    case SDB_BUFFER_EVICTION_LRU_K:
        return &sdb_bufpolicy_lru_k;
    case SDB_BUFFER_EVICTION_ARC:
        return &sdb_bufpolicy_arc;
    default:
        return NULL;
    }
}

const char *sdb_bufpool_eviction_name(int eviction)
{
    const SdbBufPolicy *policy = policy_for(eviction);
    return policy != NULL ? policy->name : "unknown";
}

static int init_frame(SdbBufPool *pool, uint32_t i)
{
    SdbBuffer *buf = &pool->frames[i];
    pthread_rwlockattr_t attr;
    buf->pool = pool;
    buf->id = i;
    buf->hash_next = -1;
    buf->page = pool->pages + (size_t)i * pool->page_size;
    atomic_init(&buf->flags, 0);
    atomic_init(&buf->refcount, 0);
    pthread_rwlockattr_init(&attr);
    /* Writers first, so a stream of readers cannot starve a page change. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int err = pthread_rwlock_init(&buf->latch, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (err == 0)
        err = pthread_mutex_init(&buf->hdr, NULL);
    if (err == 0)
        err = pthread_cond_init(&buf->io_done, NULL);
    return err == 0 ? SDB_OK : sdb_error_errno(err, "could not initialize buffer frame %u", i);
}

static int init_locks(pthread_mutex_t **locks, uint32_t n)
{
    *locks = sdb_malloc(n * sizeof **locks);
    if (*locks == NULL)
        return SDB_ERROR;
    for (uint32_t i = 0; i < n; i++)
        pthread_mutex_init(&(*locks)[i], NULL);
    return SDB_OK;
}

static void free_pool(SdbBufPool *pool, uint32_t frames_initialized)
{
    if (pool->policy_state != NULL)
        pool->policy->destroy(pool);
    for (uint32_t i = 0; i < frames_initialized; i++) {
        pthread_rwlock_destroy(&pool->frames[i].latch);
        pthread_mutex_destroy(&pool->frames[i].hdr);
        pthread_cond_destroy(&pool->frames[i].io_done);
    }
    sdb_free(pool->frames);
    sdb_file_free_aligned(pool->pages);
    sdb_free(pool->buckets);
    sdb_free(pool->partitions);
    sdb_free(pool->extend_locks);
    sdb_free(pool->free_list);
    pthread_mutex_destroy(&pool->free_lock);
    sdb_periodic_destroy(&pool->bgwriter);
    sdb_free(pool);
}

SdbBufPool *sdb_bufpool_create(SdbSmgr *smgr, SdbWal *wal, const SdbBufPoolConfig *config)
{
    const SdbBufPolicy *policy = policy_for(config->eviction);
    if (!sdb_page_size_valid(config->page_size) || config->frames < MIN_FRAMES ||
        config->frames > (uint32_t)INT32_MAX || policy == NULL) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE,
                  "invalid buffer pool configuration: page size %u, %u frames, eviction %d",
                  config->page_size, config->frames, config->eviction);
        return NULL;
    }
    SdbBufPool *pool = sdb_malloc(sizeof *pool);
    if (pool == NULL)
        return NULL;
    memset(pool, 0, sizeof *pool);
    pool->smgr = smgr;
    pool->wal = wal;
    pool->page_size = config->page_size;
    pool->nframes = config->frames;
    pool->log_hint_images = config->log_hint_images;
    pool->policy = policy;
    pthread_mutex_init(&pool->free_lock, NULL);
    sdb_periodic_init(&pool->bgwriter);
    atomic_init(&pool->hint_logging, 0);

    pool->nbuckets = PARTITION_COUNT;
    while (pool->nbuckets < pool->nframes)
        pool->nbuckets *= 2;

    uint32_t initialized = 0;
    pool->frames = sdb_malloc((size_t)pool->nframes * sizeof *pool->frames);
    pool->pages = pool->frames != NULL ? sdb_file_alloc_aligned((size_t)pool->nframes * pool->page_size) : NULL;
    pool->buckets = pool->pages != NULL ? sdb_malloc(pool->nbuckets * sizeof *pool->buckets) : NULL;
    pool->free_list = pool->buckets != NULL ? sdb_malloc(pool->nframes * sizeof *pool->free_list) : NULL;
    if (pool->free_list == NULL || init_locks(&pool->partitions, PARTITION_COUNT) != SDB_OK ||
        init_locks(&pool->extend_locks, EXTEND_LOCK_COUNT) != SDB_OK)
        goto fail;
    memset(pool->frames, 0, (size_t)pool->nframes * sizeof *pool->frames);
    for (uint32_t i = 0; i < pool->nbuckets; i++)
        pool->buckets[i] = -1;
    for (; initialized < pool->nframes; initialized++) {
        if (init_frame(pool, initialized) != SDB_OK)
            goto fail;
        /* popped from the end: frame 0 first */
        pool->free_list[pool->nframes - 1 - initialized] = initialized;
    }
    pool->free_count = pool->nframes;
    if (policy->init(pool) != SDB_OK)
        goto fail;
    if (config->bgwriter_delay_ms > 0 && sdb_bufpool_start_bgwriter(pool, config->bgwriter_delay_ms) != SDB_OK)
        goto fail;
    return pool;

fail:
    free_pool(pool, initialized);
    return NULL;
}

void sdb_bufpool_set_wal(SdbBufPool *pool, SdbWal *wal)
{
    pool->wal = wal;
}

void sdb_bufpool_destroy(SdbBufPool *pool)
{
    if (pool == NULL)
        return;
    sdb_bufpool_stop_bgwriter(pool);
    free_pool(pool, pool->nframes);
}

void sdb_bufpool_stats(SdbBufPool *pool, SdbBufPoolStats *out)
{
    memset(out, 0, sizeof *out);
    out->hits = atomic_load(&pool->hits);
    out->misses = atomic_load(&pool->misses);
    out->reads = atomic_load(&pool->reads);
    out->writes = atomic_load(&pool->writes);
    out->bgwriter_writes = atomic_load(&pool->bg_writes);
    out->evictions = atomic_load(&pool->evictions);
    out->corrupt_reads = atomic_load(&pool->corrupt_reads);
    out->frames = pool->nframes;
    for (uint32_t i = 0; i < pool->nframes; i++) {
        if (sdb_buf_peek_dirty(&pool->frames[i]))
            out->dirty++;
        if (atomic_load_explicit(&pool->frames[i].refcount, memory_order_relaxed) > 0)
            out->pinned++;
    }
}

uint32_t sdb_bufpool_page_size(const SdbBufPool *pool)
{
    return pool->page_size;
}
