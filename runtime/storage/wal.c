/*
 * storage/wal.c: the WAL writer side: configuration, segment files
 * (creation ahead of need, recycling, removal), record assembly with
 * full-page images, insertion into the in-memory WAL buffer, and group-commit
 * flushing.  Reading back is in walreader.c, archiving in walarchive.c.
 *
 * Insertion.  The WAL buffer is a ring of `buffer_size` bytes holding the
 * stream at offset lsn % buffer_size.  An inserter assembles its record
 * outside any lock (images, compression, payload CRC), then under
 * insert_lock takes the next position, finishes the header CRC (prev_lsn is
 * only known there) and copies the record (plus the header of any segment it
 * enters) into the ring, then publishes the new end in insert_lsn.
 *
 * Writing and flushing.  One thread at a time does WAL I/O (io_busy, under
 * write_lock); it writes [write_lsn, target) from the ring to the segment
 * files and, for a flush, syncs.  A flusher writes everything inserted so far,
 * so every committer waiting meanwhile is covered by its sync (group commit).
 * Waiters queue in `waiters`, each with its own condition variable; a pass
 * wakes those it satisfied and the oldest other one (to do the next pass).
 * Before a sync the flusher waits (gather_group) until as many flush
 * requests are waiting as the previous sync covered or left waiting, at most
 * half the average sync time: a lone committer never waits, concurrent ones
 * share one sync instead of alternating in two groups.
 * An inserter that finds the ring full (bytes not yet written would be
 * overwritten) does a write pass itself while holding insert_lock.
 * Lock order: insert_lock, then write_lock, then segment_lock.
 *
 * Failure.  The first failed write or sync is remembered; from then on every
 * insert and flush fails with that error (fsyncgate: a failed fsync may have
 * dropped dirty pages, so a later successful fsync proves nothing).
 */
#include "storage/wal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/crc32c.h"
#include "storage/fileio.h"
#include "storage/page.h"
#include "storage/rmgr.h"
#include "storage/wal_format.h"

#define MIN_BUFFER_SIZE (64u * 1024u)
#define WRITE_CHUNK (64u * 1024u) /* largest single write request */
#define IMAGE_ZSTD_LEVEL 1

typedef struct WalCounters {
    _Atomic uint64_t records, bytes, fpi, fpi_bytes, flush_requests, writes, syncs,
        buffer_full_writes, flush_gathers, flush_gather_timeouts, segments_created,
        segments_recycled, segments_removed, segments_archived;
} WalCounters;

/* A thread waiting in wait_for_io for the stream to be written or flushed up
 * to `upto`; on its stack, in SdbWal.waiters while `queued`. */
typedef struct WalWaiter {
    struct WalWaiter *prev, *next;
    SdbLsn upto;
    bool durable; /* waits for flush_lsn, else for write_lsn */
    bool queued;
    pthread_cond_t wake;
} WalWaiter;

/* Longest adaptive wait of a flusher for the rest of its group. */
#define GATHER_MAX_NS 10000000

struct SdbWal {
    SdbWalConfig cfg; /* cfg.dir points at `dir` */

    /* Settings that may change while running (sdb_wal_reload). */
    _Atomic bool fsync;
    _Atomic int sync_method;
    _Atomic bool full_page_writes;
    _Atomic int compression;
    _Atomic int64_t commit_delay_us;
    _Atomic uint64_t min_wal_size;
    _Atomic SdbLsn redo_lsn;

    /* Insertion, under insert_lock. */
    pthread_mutex_t insert_lock;
    SdbLsn next_pos;           /* where the next record's bytes go (maybe a segment start) */
    SdbLsn prev_lsn;           /* start of the last record inserted */
    _Atomic SdbLsn insert_lsn; /* next_pos, published after the copy */
    uint8_t *ring;
    size_t ring_size;

    /* Writing and flushing, under write_lock. */
    pthread_mutex_t write_lock;
    bool io_busy;             /* a thread is doing WAL I/O */
    WalWaiter waiters;        /* list head: threads waiting for I/O, oldest first */
    int durable_waiters;      /* how many of them wait for a flush */
    int room_waiters;         /* how many wait for a write (to make room in the ring) */
    int group_expect;         /* flush requests the last sync covered or left waiting */
    bool gathering;           /* the flusher waits in `gathered` for group_expect requests */
    pthread_cond_t gathered;  /* CLOCK_MONOTONIC */
    int64_t sync_ns;          /* moving average of a WAL sync's duration (io_busy holder) */
    _Atomic SdbLsn write_lsn; /* written to the OS; changed only under write_lock */
    _Atomic SdbLsn flush_lsn; /* durable; changed only under write_lock */
    bool failed;
    SdbErrorData failure; /* the first I/O error */
    _Atomic bool failed_flag;

    /* The segment being written: only the io_busy thread touches these. */
    SdbFile *seg_file;
    uint64_t seg_no;
    bool seg_dirty; /* written since its last sync */
    SdbIoBatch batch;

    /* Creating, renaming and deleting segment files. */
    pthread_mutex_t segment_lock;

    WalCounters counters;
    char dir[]; /* the WAL folder */
};

static void count(_Atomic uint64_t *counter, uint64_t n)
{
    atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

/* ---- names and formats ------------------------------------------------------- */

void sdb_wal_segment_name(uint64_t segno, char *buf)
{
    snprintf(buf, SDB_WAL_SEGMENT_NAME_LEN + 1, "%016" PRIX64, segno);
}

char *sdb_lsn_format(SdbLsn lsn, char *buf)
{
    snprintf(buf, 18, "%" PRIX32 "/%" PRIX32, (uint32_t)(lsn >> 32), (uint32_t)lsn);
    return buf;
}

int sdb_wal_segment_path(const char *dir, uint64_t segno, const char *suffix, char *buf, size_t size)
{
    char name[SDB_WAL_SEGMENT_NAME_LEN + 1];
    sdb_wal_segment_name(segno, name);
    int n = snprintf(buf, size, "%s/%s%s", dir, name, suffix);
    if (n < 0 || (size_t)n >= size)
        return sdb_error(SDB_ERR_NAME_TOO_LONG, "WAL file path \"%s/%s%s\" is too long", dir, name,
                         suffix);
    return SDB_OK;
}

int sdb_wal_rename(const char *from, const char *to)
{
    if (rename(from, to) != 0)
        return sdb_error_errno(errno, "could not rename file \"%s\" to \"%s\"", from, to);
    return SDB_OK;
}

uint32_t sdb_wal_record_crc(uint32_t payload_crc, const uint8_t header[SDB_WAL_RECORD_HEADER_SIZE])
{
    uint8_t copy[SDB_WAL_RECORD_HEADER_SIZE];
    memcpy(copy, header, sizeof copy);
    sdb_wal_put32(copy + SDB_WAL_REC_CRC, 0);
    return sdb_crc32c(payload_crc, copy, sizeof copy);
}

void sdb_wal_encode_segment_header(uint8_t out[SDB_WAL_SEGMENT_HEADER_SIZE], uint64_t segno,
                                   const SdbWalConfig *cfg)
{
    memset(out, 0, SDB_WAL_SEGMENT_HEADER_SIZE);
    sdb_wal_put32(out, SDB_WAL_SEGMENT_MAGIC);
    sdb_wal_put32(out + 4, SDB_WAL_FORMAT_VERSION);
    sdb_wal_put64(out + 8, segno);
    sdb_wal_put32(out + 16, cfg->block_size);
    sdb_wal_put32(out + 20, cfg->segment_size);
    sdb_wal_put64(out + 24, cfg->system_id);
    sdb_wal_put32(out + 32, sdb_crc32c(0, out, 32));
}

bool sdb_wal_check_segment_header(const uint8_t in[SDB_WAL_SEGMENT_HEADER_SIZE], uint64_t segno,
                                  const SdbWalConfig *cfg, char *reason, size_t size)
{
    if (sdb_wal_get32(in) != SDB_WAL_SEGMENT_MAGIC)
        snprintf(reason, size, "invalid magic 0x%08" PRIX32 " in the header of segment %" PRIu64,
                 sdb_wal_get32(in), segno);
    else if (sdb_wal_get32(in + 32) != sdb_crc32c(0, in, 32))
        snprintf(reason, size, "header checksum mismatch in segment %" PRIu64, segno);
    else if (sdb_wal_get32(in + 4) != SDB_WAL_FORMAT_VERSION)
        snprintf(reason, size, "format %" PRIu32 " in the header of segment %" PRIu64 " (expected %u)",
                 sdb_wal_get32(in + 4), segno, SDB_WAL_FORMAT_VERSION);
    else if (sdb_wal_get64(in + 8) != segno)
        snprintf(reason, size, "segment number %" PRIu64 " in the header of segment %" PRIu64
                 " (a recycled segment not yet reused)", sdb_wal_get64(in + 8), segno);
    else if (sdb_wal_get32(in + 16) != cfg->block_size || sdb_wal_get32(in + 20) != cfg->segment_size)
        snprintf(reason, size, "page size %" PRIu32 " and segment size %" PRIu32
                 " in the header of segment %" PRIu64 " differ from the server's %" PRIu32 " and %" PRIu32,
                 sdb_wal_get32(in + 16), sdb_wal_get32(in + 20), segno, cfg->block_size,
                 cfg->segment_size);
    else if (sdb_wal_get64(in + 24) != cfg->system_id)
        snprintf(reason, size, "segment %" PRIu64 " belongs to system %" PRIu64 ", not %" PRIu64, segno,
                 sdb_wal_get64(in + 24), cfg->system_id);
    else
        return true;
    return false;
}

/* ---- configuration ------------------------------------------------------- */

void sdb_wal_config_from_settings(SdbWalConfig *cfg, const SdbSettings *settings, const char *dir,
                                  uint64_t system_id)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dir = dir;
    cfg->system_id = system_id;
    cfg->segment_size = (uint32_t)(settings->wal_segment_size * 1024);
    cfg->block_size = (uint32_t)settings->block_size;
    cfg->buffer_size = (size_t)settings->wal_buffers * 1024;
    cfg->fsync = settings->fsync;
    cfg->sync_method = (SdbSetting_wal_sync_method)settings->wal_sync_method;
    cfg->full_page_writes = settings->full_page_writes;
    cfg->compression = (SdbSetting_wal_compression)settings->wal_compression;
    cfg->commit_delay_us = settings->commit_delay;
    cfg->min_wal_size = (uint64_t)settings->min_wal_size << 20;
    cfg->archive = settings->archive_mode;
}

static int check_config(const SdbWalConfig *cfg)
{
    uint32_t seg = cfg->segment_size;
    if (cfg->dir == NULL || cfg->dir[0] == '\0')
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "WAL folder not given");
    if (seg < SDB_WAL_MIN_SEGMENT_SIZE || seg > SDB_WAL_MAX_SEGMENT_SIZE || (seg & (seg - 1)) != 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE,
                         "invalid WAL segment size %" PRIu32 ": must be a power of two from %u to %u bytes",
                         seg, SDB_WAL_MIN_SEGMENT_SIZE, SDB_WAL_MAX_SEGMENT_SIZE);
    if (!sdb_page_size_valid(cfg->block_size))
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid page size %" PRIu32 " for the WAL",
                         cfg->block_size);
    if (cfg->buffer_size < MIN_BUFFER_SIZE)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE,
                         "WAL buffer of %zu bytes is too small (at least %u)", cfg->buffer_size,
                         MIN_BUFFER_SIZE);
    return SDB_OK;
}

static void apply_runtime_settings(SdbWal *wal, const SdbWalConfig *cfg)
{
    atomic_store(&wal->fsync, cfg->fsync);
    atomic_store(&wal->sync_method, (int)cfg->sync_method);
    atomic_store(&wal->full_page_writes, cfg->full_page_writes);
    atomic_store(&wal->compression, (int)cfg->compression);
    atomic_store(&wal->commit_delay_us, cfg->commit_delay_us);
    atomic_store(&wal->min_wal_size, cfg->min_wal_size);
}

void sdb_wal_reload(SdbWal *wal, const SdbSettings *settings)
{
    SdbWalConfig cfg;
    sdb_wal_config_from_settings(&cfg, settings, wal->dir, wal->cfg.system_id);
    apply_runtime_settings(wal, &cfg);
}

/* ---- segment files ------------------------------------------------------- */

static const uint8_t zeros[WRITE_CHUNK];

/* Write zeros over [from, to) of `file`, as one batch of chunk writes. */
static int write_zeros(SdbFile *file, uint64_t from, uint64_t to)
{
    SdbIoBatch batch;
    int rc = SDB_OK;

    sdb_io_batch_init(&batch);
    for (uint64_t off = from; off < to && rc == SDB_OK; off += WRITE_CHUNK) {
        size_t n = to - off < WRITE_CHUNK ? (size_t)(to - off) : WRITE_CHUNK;
        rc = sdb_io_batch_add_write(&batch, file, zeros, n, off);
    }
    if (rc == SDB_OK && batch.count > 0)
        rc = sdb_io_batch_submit(&batch);
    sdb_io_batch_free(&batch);
    return rc;
}

static bool wal_fsync_on(SdbWal *wal)
{
    return atomic_load(&wal->fsync);
}

static int sync_wal_file(SdbWal *wal, SdbFile *file)
{
    int rc = atomic_load(&wal->sync_method) == SDB_WAL_SYNC_METHOD_FSYNC ? sdb_file_sync(file)
                                                                          : sdb_file_datasync(file);
    count(&wal->counters.syncs, 1);
    return rc;
}

static int sync_wal_dir(SdbWal *wal)
{
    return wal_fsync_on(wal) ? sdb_file_sync_dir(wal->dir) : SDB_OK;
}

/* 1 when `path` exists, 0 when it does not, SDB_ERROR on another error. */
static int file_exists(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    return sdb_error_errno(errno, "could not stat file \"%s\"", path);
}

/* Make sure segment file `segno` exists, creating it zero-filled (through a
 * .tmp file, so a crash never leaves a short segment).  segment_lock held. */
static int ensure_segment(SdbWal *wal, uint64_t segno)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc;

    if (sdb_wal_segment_path(wal->dir, segno, "", path, sizeof path) != SDB_OK ||
        sdb_wal_segment_path(wal->dir, segno, ".tmp", tmp, sizeof tmp) != SDB_OK)
        return SDB_ERROR;
    rc = file_exists(path);
    if (rc != 0)
        return rc < 0 ? SDB_ERROR : SDB_OK;

    SdbFile *file = sdb_file_open(tmp, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    if (file == NULL)
        return SDB_ERROR;
    rc = write_zeros(file, 0, wal->cfg.segment_size);
    if (rc == SDB_OK && wal_fsync_on(wal))
        rc = sync_wal_file(wal, file);
    if (sdb_file_close(file) != SDB_OK)
        rc = SDB_ERROR;
    if (rc == SDB_OK)
        rc = sdb_wal_rename(tmp, path);
    if (rc == SDB_OK)
        rc = sync_wal_dir(wal);
    if (rc == SDB_OK)
        count(&wal->counters.segments_created, 1);
    return rc; /* a .tmp left behind by a failure is removed at the next open */
}

/* Sorted segment numbers of the files in `dir` named by 16 hex digits, in
 * *out (caller frees) and *n.  With remove_tmp, leftover "<segment>.tmp" files
 * (from a crash during creation) are deleted. */
static int list_segments(const char *dir, bool remove_tmp, uint64_t **out, size_t *n)
{
    DIR *d = opendir(dir);
    uint64_t *segs = NULL;
    size_t count_ = 0, cap = 0;
    int rc = SDB_OK;

    if (d == NULL)
        return sdb_error_errno(errno, "could not open WAL folder \"%s\"", dir);
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (e == NULL) {
            if (errno != 0)
                rc = sdb_error_errno(errno, "could not read WAL folder \"%s\"", dir);
            break;
        }
        size_t len = strlen(e->d_name);
        if (len < SDB_WAL_SEGMENT_NAME_LEN ||
            strspn(e->d_name, "0123456789ABCDEF") != SDB_WAL_SEGMENT_NAME_LEN)
            continue;
        if (len != SDB_WAL_SEGMENT_NAME_LEN) {
            if (remove_tmp && strcmp(e->d_name + SDB_WAL_SEGMENT_NAME_LEN, ".tmp") == 0) {
                char path[PATH_MAX];
                rc = sdb_wal_segment_path(dir, strtoull(e->d_name, NULL, 16), ".tmp", path, sizeof path);
                if (rc == SDB_OK)
                    rc = sdb_file_unlink(path, true);
                if (rc != SDB_OK)
                    break;
            }
            continue;
        }
        if (count_ == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *grown = sdb_realloc(segs, cap * sizeof *segs);
            if (grown == NULL) {
                rc = SDB_ERROR;
                break;
            }
            segs = grown;
        }
        segs[count_++] = strtoull(e->d_name, NULL, 16);
    }
    closedir(d);
    if (rc != SDB_OK) {
        sdb_free(segs);
        return rc;
    }
    for (size_t i = 1; i < count_; i++) /* insertion sort: folders hold few segments */
        for (size_t j = i; j > 0 && segs[j - 1] > segs[j]; j--) {
            uint64_t t = segs[j];
            segs[j] = segs[j - 1];
            segs[j - 1] = t;
        }
    *out = segs;
    *n = count_;
    return SDB_OK;
}

/* Make wal->seg_file the open file of segment `segno`, syncing and closing
 * the one before (a finished segment is synced when left) and creating
 * `segno` and the one after it if missing.  io_busy holder only. */
static int switch_segment(SdbWal *wal, uint64_t segno)
{
    char path[PATH_MAX];
    int rc = SDB_OK;

    if (wal->seg_file != NULL && wal->seg_no == segno)
        return SDB_OK;
    if (wal->seg_file != NULL) {
        if (wal->seg_dirty && wal_fsync_on(wal))
            rc = sync_wal_file(wal, wal->seg_file);
        if (sdb_file_close(wal->seg_file) != SDB_OK)
            rc = SDB_ERROR;
        wal->seg_file = NULL;
        wal->seg_dirty = false;
        if (rc != SDB_OK)
            return rc;
    }
    pthread_mutex_lock(&wal->segment_lock);
    rc = ensure_segment(wal, segno);
    if (rc == SDB_OK)
        rc = ensure_segment(wal, segno + 1);
    pthread_mutex_unlock(&wal->segment_lock);
    if (rc == SDB_OK)
        rc = sdb_wal_segment_path(wal->dir, segno, "", path, sizeof path);
    if (rc != SDB_OK)
        return rc;
    wal->seg_file = sdb_file_open(path, 0);
    if (wal->seg_file == NULL)
        return SDB_ERROR;
    wal->seg_no = segno;
    return SDB_OK;
}

/* ---- writing and flushing ---------------------------------------------------- */

/* Write stream bytes [from, to) from the ring to the segment files.  io_busy
 * holder, no lock held. */
static int write_range(SdbWal *wal, SdbLsn from, SdbLsn to)
{
    uint32_t segsize = wal->cfg.segment_size;

    while (from < to) {
        uint64_t segno = sdb_wal_segment_of(from, segsize);
        SdbLsn piece_end = sdb_wal_segment_start(segno + 1, segsize);
        if (piece_end > to)
            piece_end = to;
        if (switch_segment(wal, segno) != SDB_OK)
            return SDB_ERROR;

        sdb_io_batch_reset(&wal->batch);
        for (SdbLsn pos = from; pos < piece_end;) {
            size_t roff = pos % wal->ring_size;
            size_t n = wal->ring_size - roff;
            if (n > piece_end - pos)
                n = piece_end - pos;
            if (n > WRITE_CHUNK)
                n = WRITE_CHUNK;
            if (sdb_io_batch_add_write(&wal->batch, wal->seg_file, wal->ring + roff, n,
                                       pos % segsize) != SDB_OK)
                return SDB_ERROR;
            pos += n;
        }
        const SdbIoRequest *only = &wal->batch.requests[0];
        int rc = wal->batch.count == 1 ? sdb_file_write(only->file, only->buf, only->len, only->offset)
                                       : sdb_io_batch_submit(&wal->batch);
        if (rc != SDB_OK)
            return rc;
        wal->seg_dirty = true;
        from = piece_end;
    }
    count(&wal->counters.writes, 1);
    return SDB_OK;
}

/* Remember the error just recorded in this thread as the WAL's failure.
 * write_lock held. */
static void remember_failure(SdbWal *wal)
{
    if (wal->failed)
        return;
    wal->failure = *sdb_error_last();
    wal->failed = true;
    atomic_store(&wal->failed_flag, true);
}

/* Report the remembered failure in this thread.  write_lock held. */
static int raise_failure(SdbWal *wal)
{
    sdb_error(wal->failure.code, "WAL is unusable after an earlier failure: %s", wal->failure.message);
    sdb_error_hint("Restart the server: recovery replays the WAL that reached disk.");
    return SDB_ERROR;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void enqueue_waiter(SdbWal *wal, WalWaiter *w)
{
    w->prev = wal->waiters.prev;
    w->next = &wal->waiters;
    w->prev->next = w;
    wal->waiters.prev = w;
    w->queued = true;
    wal->durable_waiters += w->durable;
    wal->room_waiters += !w->durable;
    /* The flusher gathering a group counts itself too.  An inserter that
     * needs room in the ring holds insert_lock: nobody else can join, so the
     * gathering ends at once. */
    if (wal->gathering && (!w->durable || wal->durable_waiters + 1 >= wal->group_expect))
        pthread_cond_signal(&wal->gathered);
}

static void dequeue_waiter(SdbWal *wal, WalWaiter *w)
{
    w->prev->next = w->next;
    w->next->prev = w->prev;
    w->queued = false;
    wal->durable_waiters -= w->durable;
    wal->room_waiters -= !w->durable;
}

/* Whether the flusher gathering a group should stop waiting. */
static bool group_complete(SdbWal *wal, int want)
{
    return wal->durable_waiters + 1 >= want || wal->room_waiters > 0;
}

/* Adaptive group commit: before a sync, wait while fewer flush requests are
 * waiting (this flusher included) than the last sync covered or left
 * waiting, at most half the average sync time (and GATHER_MAX_NS).  A lone
 * committer never waits: the last sync covered one request and left none.
 * write_lock held, io_busy set (arrivals queue up and signal `gathered`). */
static void gather_group(SdbWal *wal)
{
    int want = wal->group_expect;
    if (wal->sync_ns <= 0 || group_complete(wal, want))
        return;
    int64_t wait_ns = wal->sync_ns / 2 < GATHER_MAX_NS ? wal->sync_ns / 2 : GATHER_MAX_NS;
    int64_t deadline_ns = monotonic_ns() + wait_ns;
    struct timespec deadline = {(time_t)(deadline_ns / 1000000000), (long)(deadline_ns % 1000000000)};
    count(&wal->counters.flush_gathers, 1);
    wal->gathering = true;
    while (!group_complete(wal, want)) {
        if (pthread_cond_timedwait(&wal->gathered, &wal->write_lock, &deadline) == ETIMEDOUT) {
            if (!group_complete(wal, want))
                count(&wal->counters.flush_gather_timeouts, 1);
            break;
        }
    }
    wal->gathering = false;
}

/* After an I/O pass (write_lock held, io_busy just cleared): release the
 * waiters it satisfied (all of them when the WAL failed), each through its
 * own condition variable, and wake the oldest remaining one to do the next
 * pass.  After a sync, remember how many flush requests it covered (the
 * flusher's own included) plus how many are still waiting: the group the
 * next sync waits for. */
static void wake_waiters(SdbWal *wal, bool synced)
{
    SdbLsn written = atomic_load(&wal->write_lsn), flushed = atomic_load(&wal->flush_lsn);
    int covered = 1;

    for (WalWaiter *w = wal->waiters.next, *next; w != &wal->waiters; w = next) {
        next = w->next;
        if (wal->failed || w->upto <= (w->durable ? flushed : written)) {
            covered += w->durable;
            dequeue_waiter(wal, w);
            pthread_cond_signal(&w->wake);
        }
    }
    if (synced && !wal->failed)
        wal->group_expect = covered + wal->durable_waiters;
    if (wal->waiters.next != &wal->waiters)
        pthread_cond_signal(&wal->waiters.next->wake);
}

/* One I/O pass: write the ring from write_lsn up to `target` (everything
 * inserted when SDB_INVALID_LSN), then with `sync` make it durable.  Called
 * with write_lock held and io_busy false; drops the lock during I/O; returns
 * with it held, waiters woken.  On failure the WAL is failed. */
static int io_pass(SdbWal *wal, SdbLsn target, bool sync)
{
    SdbLsn from = atomic_load(&wal->write_lsn);
    bool synced = false;
    int rc = SDB_OK;

    wal->io_busy = true;
    int64_t delay = atomic_load(&wal->commit_delay_us);
    if (sync && delay <= 0 && wal_fsync_on(wal))
        gather_group(wal);
    pthread_mutex_unlock(&wal->write_lock);

    if (sync && delay > 0) {
        struct timespec ts = {delay / 1000000, (long)(delay % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    if (target == SDB_INVALID_LSN)
        target = atomic_load(&wal->insert_lsn);
    if (target > from)
        rc = write_range(wal, from, target);
    if (rc == SDB_OK && sync && wal_fsync_on(wal) && wal->seg_dirty) {
        int64_t started = monotonic_ns();
        rc = sync_wal_file(wal, wal->seg_file);
        wal->seg_dirty = rc != SDB_OK;
        int64_t took = monotonic_ns() - started;
        wal->sync_ns = wal->sync_ns == 0 ? took : wal->sync_ns + (took - wal->sync_ns) / 8;
        synced = true;
    }

    pthread_mutex_lock(&wal->write_lock);
    if (rc == SDB_OK) {
        if (target > atomic_load(&wal->write_lsn))
            atomic_store(&wal->write_lsn, target);
        if (sync)
            atomic_store(&wal->flush_lsn, atomic_load(&wal->write_lsn));
    } else {
        remember_failure(wal);
    }
    wal->io_busy = false;
    wake_waiters(wal, synced);
    return rc;
}

/* Return once the stream up to `upto` is durable (`durable`) or written,
 * doing I/O passes (writing up to `target`, see io_pass) or waiting, queued
 * in wal->waiters, for the thread doing one.  Takes write_lock. */
static int wait_for_io(SdbWal *wal, SdbLsn upto, bool durable, SdbLsn target)
{
    _Atomic SdbLsn *reached = durable ? &wal->flush_lsn : &wal->write_lsn;
    WalWaiter me = {.upto = upto, .durable = durable, .queued = false};
    bool have_cond = false;
    int rc;

    pthread_mutex_lock(&wal->write_lock);
    for (;;) {
        if (wal->failed) {
            rc = raise_failure(wal);
            break;
        }
        if (atomic_load(reached) >= upto) {
            rc = SDB_OK;
            break;
        }
        if (wal->io_busy) {
            if (!have_cond) {
                pthread_cond_init(&me.wake, NULL);
                have_cond = true;
            }
            if (!me.queued)
                enqueue_waiter(wal, &me);
            pthread_cond_wait(&me.wake, &wal->write_lock);
            continue;
        }
        if (me.queued)
            dequeue_waiter(wal, &me);
        if (!durable)
            count(&wal->counters.buffer_full_writes, 1);
        rc = io_pass(wal, target, durable);
        if (rc != SDB_OK)
            break;
    }
    if (me.queued)
        dequeue_waiter(wal, &me);
    pthread_mutex_unlock(&wal->write_lock);
    if (have_cond)
        pthread_cond_destroy(&me.wake);
    return rc;
}

int sdb_wal_flush(SdbWal *wal, SdbLsn lsn)
{
    count(&wal->counters.flush_requests, 1);
    SdbLsn inserted = atomic_load(&wal->insert_lsn);
    if (lsn > inserted)
        lsn = inserted;
    if (!atomic_load(&wal->failed_flag) && lsn <= atomic_load(&wal->flush_lsn))
        return SDB_OK;
    return wait_for_io(wal, lsn, true, SDB_INVALID_LSN);
}

/* Make sure the ring can take stream bytes up to `need_end` without
 * overwriting bytes not yet written, writing out what is there (everything
 * before `copied_upto`) if not.  insert_lock held. */
static int make_room(SdbWal *wal, SdbLsn need_end, SdbLsn copied_upto)
{
    if (need_end - atomic_load(&wal->write_lsn) <= wal->ring_size)
        return SDB_OK;
    return wait_for_io(wal, need_end - wal->ring_size, false, copied_upto);
}

/* Copy `len` bytes to the ring at stream position *pos (they must not cross
 * a segment boundary), making room first; advances *pos.  insert_lock held. */
static int copy_bytes(SdbWal *wal, SdbLsn *pos, const uint8_t *src, size_t len)
{
    while (len > 0) {
        size_t roff = *pos % wal->ring_size;
        size_t n = wal->ring_size - roff;
        if (n > len)
            n = len;
        if (make_room(wal, *pos + n, *pos) != SDB_OK)
            return SDB_ERROR;
        memcpy(wal->ring + roff, src, n);
        *pos += n;
        src += n;
        len -= n;
    }
    return SDB_OK;
}

/* Copy `len` record bytes into the stream at *pos, putting a segment header
 * first wherever a segment starts and bytes remain; advances *pos.
 * insert_lock held. */
static int copy_to_stream(SdbWal *wal, SdbLsn *pos, const uint8_t *src, size_t len)
{
    uint32_t segsize = wal->cfg.segment_size;

    while (len > 0) {
        if (*pos % segsize == 0) {
            uint8_t header[SDB_WAL_SEGMENT_HEADER_SIZE];
            sdb_wal_encode_segment_header(header, sdb_wal_segment_of(*pos, segsize), &wal->cfg);
            if (copy_bytes(wal, pos, header, sizeof header) != SDB_OK)
                return SDB_ERROR;
        }
        size_t n = segsize - *pos % segsize;
        if (n > len)
            n = len;
        if (copy_bytes(wal, pos, src, n) != SDB_OK)
            return SDB_ERROR;
        src += n;
        len -= n;
    }
    return SDB_OK;
}

/* ---- record assembly -------------------------------------------------------- */

/* A record being assembled: bytes in a small inline buffer, or on the heap
 * once it outgrows that. */
typedef struct Assembly {
    uint8_t *buf;
    size_t len;
    size_t cap;
    uint8_t inline_buf[1024];
} Assembly;

static int assembly_reserve(Assembly *a, size_t more)
{
    if (a->len + more <= a->cap)
        return SDB_OK;
    if (a->len + more > SDB_WAL_MAX_RECORD_SIZE + (size_t)2 * SDB_PAGE_MAX_SIZE)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "WAL record would be too long (limit %u bytes)",
                         SDB_WAL_MAX_RECORD_SIZE);
    size_t cap = a->cap * 2;
    while (cap < a->len + more)
        cap *= 2;
    uint8_t *grown = a->buf == a->inline_buf ? sdb_malloc(cap) : sdb_realloc(a->buf, cap);
    if (grown == NULL)
        return SDB_ERROR;
    if (a->buf == a->inline_buf)
        memcpy(grown, a->inline_buf, a->len);
    a->buf = grown;
    a->cap = cap;
    return SDB_OK;
}

static void assembly_append(Assembly *a, const void *data, size_t len)
{
    if (len > 0)
        memcpy(a->buf + a->len, data, len);
    a->len += len;
}

/* Whether block `blk` needs a full-page image given the redo LSN. */
static bool needs_image(const SdbWalBuilderBlock *blk, bool full_page_writes, SdbLsn redo_lsn)
{
    if (blk->flags & SDB_WAL_FORCE_IMAGE)
        return true;
    if ((blk->flags & SDB_WAL_WILL_INIT) || !full_page_writes)
        return false;
    return sdb_page_lsn(blk->page) <= redo_lsn;
}

/* Append the image of `page` (hole removed, maybe compressed) to `a`,
 * filling the image fields of the block header at `hdr_off`. */
static int append_image(SdbWal *wal, Assembly *a, size_t hdr_off, const uint8_t *page)
{
    uint32_t bs = wal->cfg.block_size;
    const SdbPageHeader *ph = (const SdbPageHeader *)page;
    uint16_t hole_off = 0, hole_len = 0;

    if (ph->lower >= SDB_PAGE_HEADER_SIZE && ph->lower < ph->upper && ph->upper <= bs) {
        hole_off = ph->lower;
        hole_len = (uint16_t)(ph->upper - ph->lower);
    }
    size_t raw = bs - hole_len;
    bool zstd = atomic_load(&wal->compression) == SDB_WAL_COMPRESSION_ZSTD;
    size_t bound = zstd ? ZSTD_compressBound(raw) : 0;
    if (assembly_reserve(a, bound + raw) != SDB_OK)
        return SDB_ERROR;

    /* The raw image goes after room for the compressed one. */
    uint8_t *raw_at = a->buf + a->len + bound;
    memcpy(raw_at, page, hole_off ? hole_off : raw);
    if (hole_len > 0)
        memcpy(raw_at + hole_off, page + hole_off + hole_len, bs - hole_off - hole_len);

    size_t stored = raw;
    uint8_t flags = SDB_WAL_BLOCK_HAS_IMAGE;
    if (zstd) {
        size_t z = ZSTD_compress(a->buf + a->len, bound, raw_at, raw, IMAGE_ZSTD_LEVEL);
        if (!ZSTD_isError(z) && z < raw) {
            stored = z;
            flags |= SDB_WAL_BLOCK_IMAGE_ZSTD;
        } else {
            memmove(a->buf + a->len, raw_at, raw);
        }
    }
    a->len += stored;
    uint8_t *hdr = a->buf + hdr_off;
    hdr[SDB_WAL_BLK_FLAGS] |= flags;
    sdb_wal_put16(hdr + SDB_WAL_BLK_IMAGE_LEN, (uint16_t)stored);
    sdb_wal_put16(hdr + SDB_WAL_BLK_HOLE_OFFSET, hole_off);
    sdb_wal_put16(hdr + SDB_WAL_BLK_HOLE_LEN, hole_len);
    count(&wal->counters.fpi, 1);
    count(&wal->counters.fpi_bytes, stored);
    return SDB_OK;
}

/* Append the data chunks of block `block` (-1: main data) to `a`. */
static void append_chunks(Assembly *a, const SdbWalBuilder *b, int block)
{
    for (int i = 0; i < b->chunk_count; i++)
        if (b->chunks[i].block == block)
            assembly_append(a, b->chunks[i].data, b->chunks[i].len);
}

/* Assemble the record of `b` into `a` (header left for the caller except the
 * fixed fields), deciding images against `redo_lsn`; imaged[i] tells which
 * blocks got one. */
static int assemble(SdbWal *wal, const SdbWalBuilder *b, uint8_t rmgr, uint8_t info, SdbXid xid,
                    SdbLsn redo_lsn, Assembly *a, bool *imaged)
{
    bool fpw = atomic_load(&wal->full_page_writes);
    uint8_t *rec;

    a->len = SDB_WAL_RECORD_HEADER_SIZE;
    for (int i = 0; i < b->block_count; i++) {
        const SdbWalBuilderBlock *blk = &b->blocks[i];
        size_t hdr_off = a->len;
        if (assembly_reserve(a, SDB_WAL_BLOCK_HEADER_SIZE + blk->data_len) != SDB_OK)
            return SDB_ERROR;
        uint8_t *hdr = a->buf + hdr_off;
        memset(hdr, 0, SDB_WAL_BLOCK_HEADER_SIZE);
        sdb_wal_put32(hdr + SDB_WAL_BLK_DB_OID, blk->relfile.db_oid);
        sdb_wal_put32(hdr + SDB_WAL_BLK_REL_NUMBER, blk->relfile.rel_number);
        sdb_wal_put32(hdr + SDB_WAL_BLK_BLOCK, blk->block);
        hdr[SDB_WAL_BLK_FORK] = (uint8_t)blk->fork;
        hdr[SDB_WAL_BLK_FLAGS] = (uint8_t)(((blk->flags & SDB_WAL_WILL_INIT) ? SDB_WAL_BLOCK_WILL_INIT : 0) |
                                           (blk->data_len ? SDB_WAL_BLOCK_HAS_DATA : 0));
        sdb_wal_put16(hdr + SDB_WAL_BLK_DATA_LEN, (uint16_t)blk->data_len);
        a->len += SDB_WAL_BLOCK_HEADER_SIZE;
        imaged[i] = needs_image(blk, fpw, redo_lsn);
        if (imaged[i] && append_image(wal, a, hdr_off, blk->page) != SDB_OK)
            return SDB_ERROR;
        if (assembly_reserve(a, blk->data_len) != SDB_OK)
            return SDB_ERROR;
        append_chunks(a, b, i);
    }
    if (assembly_reserve(a, b->main_len) != SDB_OK)
        return SDB_ERROR;
    append_chunks(a, b, -1);
    if (a->len > SDB_WAL_MAX_RECORD_SIZE)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                         "WAL record of %zu bytes is too long (limit %u bytes)", a->len,
                         SDB_WAL_MAX_RECORD_SIZE);

    rec = a->buf;
    memset(rec, 0, SDB_WAL_RECORD_HEADER_SIZE);
    sdb_wal_put32(rec + SDB_WAL_REC_TOTAL_LEN, (uint32_t)a->len);
    sdb_wal_put64(rec + SDB_WAL_REC_XID, xid);
    rec[SDB_WAL_REC_RMGR] = rmgr;
    rec[SDB_WAL_REC_INFO] = info;
    sdb_wal_put16(rec + SDB_WAL_REC_BLOCK_COUNT, (uint16_t)b->block_count);
    sdb_wal_put32(rec + SDB_WAL_REC_MAIN_LEN, (uint32_t)b->main_len);
    return SDB_OK;
}

/* True when the redo LSN moved past the page LSN of a block assembled
 * without an image that would now need one. */
static bool images_missing(const SdbWalBuilder *b, const bool *imaged, bool fpw, SdbLsn redo_lsn)
{
    for (int i = 0; i < b->block_count; i++)
        if (!imaged[i] && needs_image(&b->blocks[i], fpw, redo_lsn))
            return true;
    return false;
}

/* ---- the builder ------------------------------------------------------------ */

void sdb_wal_begin(SdbWalBuilder *b)
{
    b->block_count = 0;
    b->chunk_count = 0;
    b->main_len = 0;
    b->misuse = NULL;
}

void sdb_wal_add_block(SdbWalBuilder *b, SdbRelFileId relfile, SdbFork fork, SdbBlockNo block,
                       const void *page, unsigned flags)
{
    if (b->block_count == SDB_WAL_MAX_BLOCKS) {
        b->misuse = b->misuse ? b->misuse : "too many block references";
        return;
    }
    if (page == NULL && (!(flags & SDB_WAL_WILL_INIT) || (flags & SDB_WAL_FORCE_IMAGE))) {
        b->misuse = b->misuse ? b->misuse : "block reference without a page";
        return;
    }
    if ((unsigned)fork >= SDB_FORK_COUNT) {
        b->misuse = b->misuse ? b->misuse : "invalid fork in block reference";
        return;
    }
    b->blocks[b->block_count++] = (SdbWalBuilderBlock){relfile, fork, block, page, flags, 0};
}

/* Record a data chunk for block `block` (-1: main), enforcing the limits. */
static void add_chunk(SdbWalBuilder *b, int block, const void *data, size_t len, uint64_t *total,
                      uint64_t limit)
{
    if (len == 0)
        return;
    if (b->chunk_count == SDB_WAL_MAX_CHUNKS) {
        b->misuse = b->misuse ? b->misuse : "too many data chunks";
        return;
    }
    if (*total + len > limit) {
        b->misuse = b->misuse ? b->misuse : "too much data";
        return;
    }
    *total += len;
    b->chunks[b->chunk_count++] = (SdbWalChunk){data, (uint32_t)len, block};
}

void sdb_wal_add_block_data(SdbWalBuilder *b, int block_index, const void *data, size_t len)
{
    if (block_index < 0 || block_index >= b->block_count) {
        b->misuse = b->misuse ? b->misuse : "data for a block that was not added";
        return;
    }
    uint64_t total = b->blocks[block_index].data_len;
    add_chunk(b, block_index, data, len, &total, SDB_WAL_MAX_BLOCK_DATA);
    b->blocks[block_index].data_len = (uint32_t)total;
}

void sdb_wal_add_data(SdbWalBuilder *b, const void *data, size_t len)
{
    add_chunk(b, -1, data, len, &b->main_len, SDB_WAL_MAX_RECORD_SIZE);
}

/* ---- insertion ------------------------------------------------------------ */

/* Put the assembled record `rec` (header CRC not yet final) into the stream.
 * Returns its end LSN, or SDB_INVALID_LSN with the error recorded; when the
 * redo LSN moved so that an image is now missing, returns SDB_INVALID_LSN
 * with *retry set and nothing inserted. */
static SdbLsn insert_assembled(SdbWal *wal, const SdbWalBuilder *b, const bool *imaged,
                               SdbLsn redo_used, uint8_t *rec, size_t len, uint32_t payload_crc,
                               bool *retry)
{
    SdbLsn end = SDB_INVALID_LSN;
    uint8_t padding[SDB_WAL_ALIGN] = {0};

    pthread_mutex_lock(&wal->insert_lock);
    SdbLsn redo_now = atomic_load(&wal->redo_lsn);
    *retry = redo_now != redo_used &&
             images_missing(b, imaged, atomic_load(&wal->full_page_writes), redo_now);
    if (*retry)
        goto out;
    if (atomic_load(&wal->failed_flag)) {
        pthread_mutex_lock(&wal->write_lock);
        raise_failure(wal);
        pthread_mutex_unlock(&wal->write_lock);
        goto out;
    }

    SdbLsn pos = wal->next_pos;
    SdbLsn start = pos % wal->cfg.segment_size == 0 ? pos + SDB_WAL_SEGMENT_HEADER_SIZE : pos;
    sdb_wal_put64(rec + SDB_WAL_REC_PREV_LSN, wal->prev_lsn);
    sdb_wal_put32(rec + SDB_WAL_REC_CRC, sdb_wal_record_crc(payload_crc, rec));
    if (copy_to_stream(wal, &pos, rec, len) != SDB_OK ||
        copy_bytes(wal, &pos, padding, SDB_WAL_ALIGN_UP(pos) - pos) != SDB_OK)
        goto out;
    count(&wal->counters.records, 1);
    count(&wal->counters.bytes, pos - wal->next_pos);
    wal->prev_lsn = start;
    wal->next_pos = pos;
    atomic_store(&wal->insert_lsn, pos);
    end = pos;
out:
    pthread_mutex_unlock(&wal->insert_lock);
    return end;
}

SdbLsn sdb_wal_insert(SdbWal *wal, SdbWalBuilder *b, uint8_t rmgr, uint8_t info, SdbXid xid)
{
    Assembly a = {.buf = a.inline_buf, .len = 0, .cap = sizeof a.inline_buf};
    bool imaged[SDB_WAL_MAX_BLOCKS];
    bool retry;
    SdbLsn end;

    if (b->misuse != NULL) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid WAL record for resource manager %s: %s",
                  sdb_rmgr_name(rmgr), b->misuse);
        return SDB_INVALID_LSN;
    }
    if (rmgr >= SDB_RMGR_COUNT) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid resource manager id %u in WAL record", (unsigned)rmgr);
        return SDB_INVALID_LSN;
    }
    do {
        SdbLsn redo = atomic_load(&wal->redo_lsn);
        end = SDB_INVALID_LSN;
        retry = false;
        if (assemble(wal, b, rmgr, info, xid, redo, &a, imaged) != SDB_OK)
            break;
        uint32_t payload_crc =
            sdb_crc32c(0, a.buf + SDB_WAL_RECORD_HEADER_SIZE, a.len - SDB_WAL_RECORD_HEADER_SIZE);
        end = insert_assembled(wal, b, imaged, redo, a.buf, a.len, payload_crc, &retry);
    } while (retry);
    if (a.buf != a.inline_buf)
        sdb_free(a.buf);
    return end;
}

SdbLsn sdb_wal_insert_lsn(SdbWal *wal)
{
    return atomic_load(&wal->insert_lsn);
}

SdbLsn sdb_wal_flushed_lsn(SdbWal *wal)
{
    SdbLsn flushed = atomic_load(&wal->flush_lsn);
    SdbLsn inserted = atomic_load(&wal->insert_lsn);
    return flushed < inserted ? flushed : inserted;
}

bool sdb_wal_failed(SdbWal *wal)
{
    return atomic_load(&wal->failed_flag);
}

SdbLsn sdb_wal_begin_redo_point(SdbWal *wal)
{
    pthread_mutex_lock(&wal->insert_lock);
    SdbLsn redo = wal->next_pos;
    atomic_store(&wal->redo_lsn, redo);
    pthread_mutex_unlock(&wal->insert_lock);
    return redo;
}

void sdb_wal_set_redo_lsn(SdbWal *wal, SdbLsn redo_lsn)
{
    atomic_store(&wal->redo_lsn, redo_lsn);
}

/* ---- open / create / close ------------------------------------------------------ */

static void wal_free(SdbWal *wal)
{
    if (wal == NULL)
        return;
    pthread_mutex_destroy(&wal->insert_lock);
    pthread_mutex_destroy(&wal->write_lock);
    pthread_mutex_destroy(&wal->segment_lock);
    pthread_cond_destroy(&wal->gathered);
    sdb_io_batch_free(&wal->batch);
    sdb_free(wal->ring);
    sdb_free(wal);
}

static SdbWal *wal_alloc(const SdbWalConfig *cfg)
{
    size_t dir_len = strlen(cfg->dir) + 1;
    SdbWal *wal = sdb_malloc(sizeof *wal + dir_len);
    if (wal == NULL)
        return NULL;
    memset(wal, 0, sizeof *wal);
    memcpy(wal->dir, cfg->dir, dir_len);
    pthread_mutex_init(&wal->insert_lock, NULL);
    pthread_mutex_init(&wal->write_lock, NULL);
    pthread_mutex_init(&wal->segment_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wal->gathered, &attr);
    pthread_condattr_destroy(&attr);
    wal->waiters.prev = wal->waiters.next = &wal->waiters;
    wal->group_expect = 1;
    sdb_io_batch_init(&wal->batch);
    wal->cfg = *cfg;
    wal->ring_size = cfg->buffer_size;
    wal->ring = sdb_malloc(wal->ring_size);
    if (wal->ring == NULL) {
        wal_free(wal);
        return NULL;
    }
    wal->cfg.dir = wal->dir;
    apply_runtime_settings(wal, cfg);
    return wal;
}

/* Discard whatever lies at or after `end` so it can never be read as valid
 * WAL: zero the rest of end's segment (creating it if missing; rewriting its
 * header when `end` is inside it) and delete every later segment file. */
static int discard_tail(SdbWal *wal, SdbLsn end)
{
    uint32_t segsize = wal->cfg.segment_size;
    uint64_t segno = sdb_wal_segment_of(end, segsize);
    uint64_t *segs = NULL;
    size_t nsegs = 0;
    char path[PATH_MAX];
    int rc;

    pthread_mutex_lock(&wal->segment_lock);
    rc = list_segments(wal->dir, true, &segs, &nsegs);
    for (size_t i = 0; i < nsegs && rc == SDB_OK; i++)
        if (segs[i] > segno && (rc = sdb_wal_segment_path(wal->dir, segs[i], "", path, sizeof path)) == SDB_OK)
            rc = sdb_file_unlink(path, false);
    sdb_free(segs);
    if (rc == SDB_OK)
        rc = ensure_segment(wal, segno);
    pthread_mutex_unlock(&wal->segment_lock);
    if (rc == SDB_OK)
        rc = sdb_wal_segment_path(wal->dir, segno, "", path, sizeof path);
    if (rc != SDB_OK)
        return rc;

    SdbFile *file = sdb_file_open(path, 0);
    if (file == NULL)
        return SDB_ERROR;
    uint32_t offset = (uint32_t)(end % segsize);
    rc = write_zeros(file, offset, segsize);
    if (rc == SDB_OK && offset > 0) {
        uint8_t header[SDB_WAL_SEGMENT_HEADER_SIZE];
        sdb_wal_encode_segment_header(header, segno, &wal->cfg);
        rc = sdb_file_write(file, header, sizeof header, 0);
    }
    if (rc == SDB_OK && wal_fsync_on(wal))
        rc = sync_wal_file(wal, file);
    if (sdb_file_close(file) != SDB_OK)
        rc = SDB_ERROR;
    if (rc == SDB_OK)
        rc = sync_wal_dir(wal);
    return rc;
}

int sdb_wal_open(const SdbWalConfig *cfg, SdbLsn end_lsn, SdbLsn last_record_lsn, SdbWal **out)
{
    char lsn[24];
    SdbWal *wal;

    *out = NULL;
    if (check_config(cfg) != SDB_OK)
        return SDB_ERROR;
    uint32_t offset = (uint32_t)(end_lsn % cfg->segment_size);
    if ((offset != 0 && offset < SDB_WAL_SEGMENT_HEADER_SIZE) || end_lsn % SDB_WAL_ALIGN != 0 ||
        last_record_lsn >= end_lsn)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid WAL end position %s for insertion",
                         sdb_lsn_format(end_lsn, lsn));
    wal = wal_alloc(cfg);
    if (wal == NULL)
        return SDB_ERROR;
    wal->next_pos = end_lsn;
    wal->prev_lsn = last_record_lsn;
    atomic_store(&wal->insert_lsn, end_lsn);
    atomic_store(&wal->write_lsn, end_lsn);
    atomic_store(&wal->flush_lsn, end_lsn);
    if (discard_tail(wal, end_lsn) != SDB_OK) {
        sdb_error_prefix("could not open the WAL at %s", sdb_lsn_format(end_lsn, lsn));
        wal_free(wal);
        return SDB_ERROR;
    }
    pthread_mutex_lock(&wal->segment_lock);
    int rc = ensure_segment(wal, sdb_wal_segment_of(end_lsn, cfg->segment_size) + 1);
    pthread_mutex_unlock(&wal->segment_lock);
    if (rc != SDB_OK) {
        wal_free(wal);
        return SDB_ERROR;
    }
    *out = wal;
    return SDB_OK;
}

int sdb_wal_create(const SdbWalConfig *cfg, SdbWal **out)
{
    char path[PATH_MAX];
    int exists;

    *out = NULL;
    if (check_config(cfg) != SDB_OK || sdb_wal_segment_path(cfg->dir, 0, "", path, sizeof path) != SDB_OK)
        return SDB_ERROR;
    if (sdb_file_make_dir(cfg->dir) != SDB_OK)
        return SDB_ERROR;
    exists = file_exists(path);
    if (exists < 0)
        return SDB_ERROR;
    if (exists)
        return sdb_error(SDB_ERR_DUPLICATE_FILE, "WAL segment \"%s\" already exists", path);
    char archive[PATH_MAX];
    if (snprintf(archive, sizeof archive, "%s/archive", cfg->dir) >= (int)sizeof archive)
        return sdb_error(SDB_ERR_NAME_TOO_LONG, "WAL folder name \"%s\" is too long", cfg->dir);
    if (sdb_file_make_dir(archive) != SDB_OK)
        return SDB_ERROR;
    return sdb_wal_open(cfg, SDB_WAL_FIRST_LSN, SDB_INVALID_LSN, out);
}

int sdb_wal_close(SdbWal *wal)
{
    int rc;

    if (wal == NULL)
        return SDB_OK;
    rc = sdb_wal_flush(wal, atomic_load(&wal->insert_lsn));
    if (wal->seg_file != NULL && sdb_file_close(wal->seg_file) != SDB_OK)
        rc = SDB_ERROR;
    wal_free(wal);
    return rc;
}

/* ---- recycling ------------------------------------------------------------ */

int sdb_wal_remove_old(SdbWal *wal, SdbLsn redo_lsn, SdbWalRemoveResult *result)
{
    uint32_t segsize = wal->cfg.segment_size;
    SdbWalRemoveResult counts = {0, 0, 0};
    uint64_t *segs = NULL;
    size_t nsegs = 0;
    char path[PATH_MAX], target[PATH_MAX];
    int rc;

    SdbLsn limit = sdb_wal_flushed_lsn(wal);
    if (redo_lsn < limit)
        limit = redo_lsn;
    uint64_t cutoff = sdb_wal_segment_of(limit, segsize); /* remove segments < cutoff */

    /* Archive first, without the lock: old segments no longer change. */
    rc = list_segments(wal->dir, false, &segs, &nsegs);
    for (size_t i = 0; i < nsegs && segs[i] < cutoff && wal->cfg.archive && rc == SDB_OK; i++) {
        rc = sdb_wal_archive_segment(wal->dir, segs[i]);
        counts.archived += rc == SDB_OK;
    }
    sdb_free(segs);
    segs = NULL;
    if (rc != SDB_OK)
        return rc;

    pthread_mutex_lock(&wal->segment_lock);
    rc = list_segments(wal->dir, false, &segs, &nsegs);
    uint64_t current = sdb_wal_segment_of(sdb_wal_insert_lsn(wal), segsize);
    uint64_t highest = current, ahead = 0;
    for (size_t i = 0; i < nsegs; i++) {
        if (segs[i] > current)
            ahead++;
        if (segs[i] > highest)
            highest = segs[i];
    }
    uint64_t keep_ahead = atomic_load(&wal->min_wal_size) / segsize;
    for (size_t i = 0; i < nsegs && segs[i] < cutoff && rc == SDB_OK; i++) {
        rc = sdb_wal_segment_path(wal->dir, segs[i], "", path, sizeof path);
        if (rc == SDB_OK && ahead < keep_ahead) {
            rc = sdb_wal_segment_path(wal->dir, highest + 1, "", target, sizeof target);
            if (rc == SDB_OK)
                rc = sdb_wal_rename(path, target);
            if (rc == SDB_OK) {
                highest++;
                ahead++;
                counts.recycled++;
            }
        } else if (rc == SDB_OK) {
            rc = sdb_file_unlink(path, false);
            counts.removed += rc == SDB_OK;
        }
    }
    if (rc == SDB_OK && counts.recycled + counts.removed > 0)
        rc = sync_wal_dir(wal);
    pthread_mutex_unlock(&wal->segment_lock);
    sdb_free(segs);

    count(&wal->counters.segments_recycled, counts.recycled);
    count(&wal->counters.segments_removed, counts.removed);
    count(&wal->counters.segments_archived, counts.archived);
    if (result != NULL)
        *result = counts;
    return rc;
}

/* ---- counters ------------------------------------------------------------- */

void sdb_wal_stats(SdbWal *wal, SdbWalStats *out)
{
    const WalCounters *c = &wal->counters;
    out->records = atomic_load(&c->records);
    out->bytes = atomic_load(&c->bytes);
    out->fpi = atomic_load(&c->fpi);
    out->fpi_bytes = atomic_load(&c->fpi_bytes);
    out->flush_requests = atomic_load(&c->flush_requests);
    out->writes = atomic_load(&c->writes);
    out->syncs = atomic_load(&c->syncs);
    out->buffer_full_writes = atomic_load(&c->buffer_full_writes);
    out->flush_gathers = atomic_load(&c->flush_gathers);
    out->flush_gather_timeouts = atomic_load(&c->flush_gather_timeouts);
    out->segments_created = atomic_load(&c->segments_created);
    out->segments_recycled = atomic_load(&c->segments_recycled);
    out->segments_removed = atomic_load(&c->segments_removed);
    out->segments_archived = atomic_load(&c->segments_archived);
}
