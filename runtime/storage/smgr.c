/*
 * storage/smgr.c: the storage manager, see smgr.h (the WAL records and redo
 * are in smgr_wal.c).
 *
 * Owns the table of relation forks in use.  Each fork is an Entry in a
 * chained hash table keyed by (db_oid, rel_number, fork) and guarded by the
 * handle's mutex.  Every operation pins its entry for the duration (refs),
 * so an unlink or close_all that removes the entry from the table meanwhile
 * only unhooks it; the last unpin closes the file and frees it.
 *
 * Open files are capped (max_open_files, half the process's descriptor
 * limit by default): unpinned entries with an open file sit on an idle list,
 * least recently used first, and when the cap is reached the oldest idle
 * file is closed; its entry stays (with its dirty flag) and the file is
 * reopened on the next pin.  Dirty tracking is one atomic flag per entry,
 * set after each completed write and cleared just before the fsync that
 * covers it.
 */
#include "storage/smgr.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/memory.h"
#include "storage/page.h"

#define INITIAL_BUCKETS 64
#define MIN_OPEN_FILES 4
#define DEFAULT_OPEN_FILES_WITHOUT_LIMIT 10000

typedef struct Entry {
    SdbRelFileId rel;
    SdbFork fork;
    SdbFile *file;             /* NULL while closed to respect the cap */
    int refs;                  /* pins */
    bool removed;              /* unhooked from the table; freed at the last unpin */
    bool idle;                 /* on the idle list */
    atomic_bool dirty;         /* written since last synced */
    pthread_mutex_t size_lock; /* serialises extend and truncate */
    struct Entry *next;        /* bucket chain */
    struct Entry *idle_prev, *idle_next;
} Entry;

struct SdbSmgr {
    char *datadir;
    uint32_t page_size;
    bool direct_io;
    pthread_mutex_t lock; /* guards everything below and Entry refs/removed/idle/file */
    Entry **buckets;
    size_t bucket_count; /* power of two */
    size_t entry_count;
    size_t open_files;
    size_t max_open_files;
    Entry idle; /* sentinel of the idle list: idle.idle_next is the oldest */
    _Atomic bool writeback_failed; /* see sdb_smgr_writeback_failed */
};

/* ---- names ------------------------------------------------------------------ */

void sdb_smgr_path(SdbRelFileId rel, SdbFork fork, char *buf, size_t size)
{
    const char *suffix = fork == SDB_FORK_FSM ? "_fsm" : "";
    if (rel.db_oid == 0)
        snprintf(buf, size, "global/%" PRIu32 "%s", rel.rel_number, suffix);
    else
        snprintf(buf, size, "base/%" PRIu32 "/%" PRIu32 "%s", rel.db_oid, rel.rel_number, suffix);
}

static void full_path(const SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, char *buf, size_t size)
{
    char relative[SDB_SMGR_PATH_MAX];
    sdb_smgr_path(rel, fork, relative, sizeof relative);
    snprintf(buf, size, "%s/%s", smgr->datadir, relative);
}

static void directory_path(const SdbSmgr *smgr, SdbRelFileId rel, char *buf, size_t size)
{
    if (rel.db_oid == 0)
        snprintf(buf, size, "%s/global", smgr->datadir);
    else
        snprintf(buf, size, "%s/base/%" PRIu32, smgr->datadir, rel.db_oid);
}

/* ---- the handle ---------------------------------------------------------------- */

/* Half the soft descriptor limit: the rest is for WAL, sockets, logs. */
static size_t default_max_open_files(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return DEFAULT_OPEN_FILES_WITHOUT_LIMIT;
    return limit.rlim_cur / 2 > MIN_OPEN_FILES ? (size_t)(limit.rlim_cur / 2) : MIN_OPEN_FILES;
}

SdbSmgr *sdb_smgr_open(const char *datadir, uint32_t page_size, bool direct_io)
{
    struct stat st;
    if (!sdb_page_size_valid(page_size)) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid page size %" PRIu32 " for data directory \"%s\"",
                  page_size, datadir);
        return NULL;
    }
    if (stat(datadir, &st) != 0) {
        sdb_error_errno(errno, "could not open data directory \"%s\"", datadir);
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        sdb_error_errno(ENOTDIR, "could not open data directory \"%s\"", datadir);
        return NULL;
    }
    size_t dir_len = strlen(datadir);
    SdbSmgr *smgr = sdb_malloc(sizeof *smgr + dir_len + 1);
    if (smgr == NULL)
        return NULL;
    smgr->buckets = calloc(INITIAL_BUCKETS, sizeof *smgr->buckets);
    if (smgr->buckets == NULL) {
        sdb_free(smgr);
        sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    smgr->datadir = (char *)(smgr + 1);
    memcpy(smgr->datadir, datadir, dir_len + 1);
    smgr->page_size = page_size;
    smgr->direct_io = direct_io;
    atomic_init(&smgr->writeback_failed, false);
    smgr->bucket_count = INITIAL_BUCKETS;
    smgr->entry_count = 0;
    smgr->open_files = 0;
    smgr->max_open_files = default_max_open_files();
    smgr->idle.idle_prev = smgr->idle.idle_next = &smgr->idle;
    pthread_mutex_init(&smgr->lock, NULL);
    return smgr;
}

void sdb_smgr_set_max_open_files(SdbSmgr *smgr, size_t max_open_files)
{
    pthread_mutex_lock(&smgr->lock);
    smgr->max_open_files = max_open_files < MIN_OPEN_FILES ? MIN_OPEN_FILES : max_open_files;
    pthread_mutex_unlock(&smgr->lock);
}

size_t sdb_smgr_open_files(SdbSmgr *smgr)
{
    pthread_mutex_lock(&smgr->lock);
    size_t open_files = smgr->open_files;
    pthread_mutex_unlock(&smgr->lock);
    return open_files;
}

uint32_t sdb_smgr_page_size(const SdbSmgr *smgr)
{
    return smgr->page_size;
}

const char *sdb_smgr_datadir(const SdbSmgr *smgr)
{
    return smgr->datadir;
}

/* ---- the entry table (callers hold smgr->lock) ------------------------------- */

static size_t bucket_of(const SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork)
{
    uint32_t key[3] = {rel.db_oid, rel.rel_number, (uint32_t)fork};
    return (size_t)sdb_hash_bytes(key, sizeof key, 0) & (smgr->bucket_count - 1);
}

static Entry *table_find(const SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork)
{
    for (Entry *e = smgr->buckets[bucket_of(smgr, rel, fork)]; e != NULL; e = e->next)
        if (e->fork == fork && sdb_relfile_equal(e->rel, rel))
            return e;
    return NULL;
}

/* Double the bucket array when the table gets crowded; a failed allocation
 * just leaves longer chains. */
static void table_maybe_grow(SdbSmgr *smgr)
{
    if (smgr->entry_count < 2 * smgr->bucket_count)
        return;
    size_t new_count = smgr->bucket_count * 2;
    Entry **new_buckets = calloc(new_count, sizeof *new_buckets);
    if (new_buckets == NULL)
        return;
    Entry **old_buckets = smgr->buckets;
    size_t old_count = smgr->bucket_count;
    smgr->buckets = new_buckets;
    smgr->bucket_count = new_count;
    for (size_t i = 0; i < old_count; i++) {
        Entry *e = old_buckets[i];
        while (e != NULL) {
            Entry *next = e->next;
            size_t b = bucket_of(smgr, e->rel, e->fork);
            e->next = new_buckets[b];
            new_buckets[b] = e;
            e = next;
        }
    }
    free(old_buckets);
}

static void table_insert(SdbSmgr *smgr, Entry *entry)
{
    table_maybe_grow(smgr);
    size_t b = bucket_of(smgr, entry->rel, entry->fork);
    entry->next = smgr->buckets[b];
    smgr->buckets[b] = entry;
    smgr->entry_count++;
}

static void idle_remove(Entry *entry)
{
    entry->idle_prev->idle_next = entry->idle_next;
    entry->idle_next->idle_prev = entry->idle_prev;
    entry->idle = false;
}

static void idle_push(SdbSmgr *smgr, Entry *entry)
{
    entry->idle_prev = smgr->idle.idle_prev;
    entry->idle_next = &smgr->idle;
    smgr->idle.idle_prev->idle_next = entry;
    smgr->idle.idle_prev = entry;
    entry->idle = true;
}

static void table_remove(SdbSmgr *smgr, Entry *entry)
{
    Entry **link = &smgr->buckets[bucket_of(smgr, entry->rel, entry->fork)];
    while (*link != entry)
        link = &(*link)->next;
    *link = entry->next;
    entry->next = NULL;
    entry->removed = true;
    if (entry->idle)
        idle_remove(entry);
    smgr->entry_count--;
}

static Entry *entry_new(SdbRelFileId rel, SdbFork fork)
{
    Entry *entry = sdb_malloc(sizeof *entry);
    if (entry == NULL)
        return NULL;
    entry->rel = rel;
    entry->fork = fork;
    entry->file = NULL;
    entry->refs = 0;
    entry->removed = false;
    entry->idle = false;
    atomic_init(&entry->dirty, false);
    pthread_mutex_init(&entry->size_lock, NULL);
    entry->next = entry->idle_prev = entry->idle_next = NULL;
    return entry;
}

/* Close (if open) and free an entry nobody can reach any more; the caller
 * has already taken it off smgr->open_files. */
static int entry_free(Entry *entry)
{
    int rc = sdb_file_close(entry->file);
    pthread_mutex_destroy(&entry->size_lock);
    sdb_free(entry);
    return rc;
}

/* ---- pinning (open files are counted under smgr->lock) ----------------------- */

static unsigned file_flags(const SdbSmgr *smgr)
{
    return smgr->direct_io ? SDB_FILE_DIRECT : 0;
}

/* Close the least recently used idle file to make room for another.  A
 * failed close is logged and the entry kept dirty, so the next checkpoint's
 * fsync (on a new descriptor) reports any lost write. */
static void close_oldest_idle(SdbSmgr *smgr)
{
    Entry *victim = smgr->idle.idle_next;
    if (victim == &smgr->idle)
        return; /* every open file is in use: go over the cap for now */
    idle_remove(victim);
    if (sdb_file_close(victim->file) != SDB_OK) {
        sdb_log_error("storage");
        atomic_store(&victim->dirty, true);
        atomic_store(&smgr->writeback_failed, true);
    }
    victim->file = NULL;
    smgr->open_files--;
}

/* Open the entry's file (smgr->lock held), closing an idle one first when at
 * the cap. */
static int open_entry_file(SdbSmgr *smgr, Entry *entry, unsigned open_flags)
{
    char path[PATH_MAX];
    if (smgr->open_files >= smgr->max_open_files)
        close_oldest_idle(smgr);
    full_path(smgr, entry->rel, entry->fork, path, sizeof path);
    entry->file = sdb_file_open(path, open_flags | file_flags(smgr));
    if (entry->file == NULL)
        return SDB_ERROR;
    smgr->open_files++;
    return SDB_OK;
}

/* Pin `entry` (smgr->lock held), reopening its file if it was closed. */
static int pin_locked(SdbSmgr *smgr, Entry *entry)
{
    if (entry->file == NULL && open_entry_file(smgr, entry, 0) != SDB_OK)
        return SDB_ERROR;
    if (entry->idle)
        idle_remove(entry);
    entry->refs++;
    return SDB_OK;
}

/* Pin the cached entry of (rel, fork).  *out is NULL (and SDB_OK returned)
 * when the fork is not in the table. */
static int pin_cached(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, Entry **out)
{
    int rc = SDB_OK;
    pthread_mutex_lock(&smgr->lock);
    Entry *entry = table_find(smgr, rel, fork);
    if (entry != NULL && pin_locked(smgr, entry) != SDB_OK) {
        rc = SDB_ERROR;
        entry = NULL;
    }
    pthread_mutex_unlock(&smgr->lock);
    *out = entry;
    return rc;
}

/* Pin the entry of (rel, fork), opening its file with `open_flags` (plus
 * O_DIRECT if configured) and adding it to the table when it is not there;
 * with SDB_FILE_EXCLUSIVE an entry already there means the file exists
 * (EEXIST).  *opened tells whether this call added it (may be NULL).  NULL
 * on error. */
static Entry *pin_entry(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, unsigned open_flags, bool *opened)
{
    if (opened != NULL)
        *opened = false;
    pthread_mutex_lock(&smgr->lock);
    Entry *entry = table_find(smgr, rel, fork);
    if (entry != NULL && (open_flags & SDB_FILE_EXCLUSIVE)) {
        char path[PATH_MAX];
        full_path(smgr, rel, fork, path, sizeof path);
        sdb_error_errno(EEXIST, "could not open file \"%s\"", path);
        entry = NULL;
    } else if (entry != NULL) {
        if (pin_locked(smgr, entry) != SDB_OK)
            entry = NULL;
    } else {
        entry = entry_new(rel, fork);
        if (entry != NULL && open_entry_file(smgr, entry, open_flags) != SDB_OK) {
            entry_free(entry);
            entry = NULL;
        }
        if (entry != NULL) {
            table_insert(smgr, entry);
            entry->refs++;
            if (opened != NULL)
                *opened = true;
        }
    }
    pthread_mutex_unlock(&smgr->lock);
    return entry;
}

/* Drop a pin; the last pin of a removed entry frees it, that of a cached
 * one puts its open file on the idle list.  Returns SDB_ERROR only if that
 * final close failed. */
static int unpin_entry(SdbSmgr *smgr, Entry *entry)
{
    bool free_it = false;
    pthread_mutex_lock(&smgr->lock);
    if (--entry->refs == 0) {
        if (entry->removed) {
            free_it = true;
            if (entry->file != NULL)
                smgr->open_files--;
        } else if (entry->file != NULL) {
            idle_push(smgr, entry);
        }
    }
    pthread_mutex_unlock(&smgr->lock);
    return free_it ? entry_free(entry) : SDB_OK;
}

/* Record `saved` again (after cleanup calls that may have replaced it). */
static void restore_error(const SdbErrorData *saved)
{
    sdb_error(saved->code, "%s", saved->message);
    if (saved->detail[0])
        sdb_error_detail("%s", saved->detail);
    if (saved->hint[0])
        sdb_error_hint("%s", saved->hint);
}

static uint64_t block_offset(const SdbSmgr *smgr, SdbBlockNo block)
{
    return (uint64_t)block * smgr->page_size;
}

/* ---- files --------------------------------------------------------------------- */

int sdb_smgr_create(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, bool exists_ok)
{
    char dir[PATH_MAX];
    bool opened;
    directory_path(smgr, rel, dir, sizeof dir);
    if (sdb_file_make_dir(dir) != SDB_OK)
        return SDB_ERROR;
    unsigned flags = SDB_FILE_CREATE | (exists_ok ? 0 : SDB_FILE_EXCLUSIVE);
    Entry *entry = pin_entry(smgr, rel, fork, flags, &opened);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = opened ? sdb_file_sync_dir(dir) : SDB_OK;
    if (unpin_entry(smgr, entry) != SDB_OK)
        rc = SDB_ERROR;
    return rc;
}

int sdb_smgr_exists(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, bool *exists)
{
    char path[PATH_MAX];
    struct stat st;
    full_path(smgr, rel, fork, path, sizeof path);
    if (stat(path, &st) == 0) {
        *exists = true;
        return SDB_OK;
    }
    if (errno != ENOENT)
        return sdb_error_errno(errno, "could not stat file \"%s\"", path);
    *exists = false;
    return SDB_OK;
}

static int file_nblocks(const SdbSmgr *smgr, Entry *entry, SdbBlockNo *nblocks)
{
    uint64_t size;
    if (sdb_file_size(entry->file, &size) != SDB_OK)
        return SDB_ERROR;
    *nblocks = (SdbBlockNo)(size / smgr->page_size);
    return SDB_OK;
}

int sdb_smgr_nblocks(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo *nblocks)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = file_nblocks(smgr, entry, nblocks);
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

int sdb_smgr_read(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo block, void *buf)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = sdb_file_read(entry->file, buf, smgr->page_size, block_offset(smgr, block));
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

int sdb_smgr_write(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo block, const void *buf)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = sdb_file_write(entry->file, buf, smgr->page_size, block_offset(smgr, block));
    if (rc == SDB_OK)
        atomic_store(&entry->dirty, true);
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

/* Extend under the entry's size lock: cut any partial last block, then
 * allocate `count` zeroed blocks; on failure put the old size back. */
static int extend_locked(SdbSmgr *smgr, Entry *entry, SdbBlockNo count, SdbBlockNo *first)
{
    uint64_t size;
    SdbBlockNo nblocks;
    if (sdb_file_size(entry->file, &size) != SDB_OK)
        return SDB_ERROR;
    nblocks = (SdbBlockNo)(size / smgr->page_size);
    if ((uint64_t)nblocks + count >= SDB_INVALID_BLOCK)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "cannot extend file \"%s\" beyond %u blocks",
                         entry->file->path, SDB_INVALID_BLOCK - 1);
    uint64_t start = block_offset(smgr, nblocks);
    if (size != start && sdb_file_truncate(entry->file, start) != SDB_OK)
        return SDB_ERROR;
    if (sdb_file_preallocate(entry->file, start, (uint64_t)count * smgr->page_size) != SDB_OK) {
        SdbErrorData saved = *sdb_error_last();
        sdb_file_truncate(entry->file, start); /* undo a partial allocation, best effort */
        restore_error(&saved);
        if (saved.code == SDB_ERR_DISK_FULL)
            sdb_error_hint("Check free disk space.");
        return SDB_ERROR;
    }
    if (first != NULL)
        *first = nblocks;
    atomic_store(&entry->dirty, true);
    return SDB_OK;
}

int sdb_smgr_extend(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo count, SdbBlockNo *first)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    pthread_mutex_lock(&entry->size_lock);
    int rc = extend_locked(smgr, entry, count, first);
    pthread_mutex_unlock(&entry->size_lock);
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

int sdb_smgr_truncate(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork, SdbBlockNo nblocks)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    uint64_t size;
    pthread_mutex_lock(&entry->size_lock);
    int rc = sdb_file_size(entry->file, &size);
    if (rc == SDB_OK && size > block_offset(smgr, nblocks)) {
        rc = sdb_file_truncate(entry->file, block_offset(smgr, nblocks));
        if (rc == SDB_OK)
            rc = sdb_file_sync(entry->file);
    }
    pthread_mutex_unlock(&entry->size_lock);
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

int sdb_smgr_unlink(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork)
{
    char path[PATH_MAX];
    char dir[PATH_MAX];
    pthread_mutex_lock(&smgr->lock);
    Entry *entry = table_find(smgr, rel, fork);
    if (entry != NULL) {
        table_remove(smgr, entry);
        entry->refs++;
    }
    pthread_mutex_unlock(&smgr->lock);
    if (entry != NULL && unpin_entry(smgr, entry) != SDB_OK)
        return SDB_ERROR;
    bool exists;
    if (sdb_smgr_exists(smgr, rel, fork, &exists) != SDB_OK)
        return SDB_ERROR;
    if (!exists)
        return SDB_OK;
    full_path(smgr, rel, fork, path, sizeof path);
    directory_path(smgr, rel, dir, sizeof dir);
    if (sdb_file_unlink(path, true) != SDB_OK)
        return SDB_ERROR;
    return sdb_file_sync_dir(dir);
}

/* fsync a pinned entry, clearing its dirty flag first so a write that lands
 * meanwhile marks it again; on failure it stays dirty and the smgr
 * remembers that write-back failed. */
static int sync_entry(SdbSmgr *smgr, Entry *entry)
{
    atomic_store(&entry->dirty, false);
    if (sdb_file_sync(entry->file) != SDB_OK) {
        atomic_store(&entry->dirty, true);
        atomic_store(&smgr->writeback_failed, true);
        return SDB_ERROR;
    }
    return SDB_OK;
}

bool sdb_smgr_writeback_failed(SdbSmgr *smgr)
{
    return atomic_load(&smgr->writeback_failed);
}

int sdb_smgr_sync(SdbSmgr *smgr, SdbRelFileId rel, SdbFork fork)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = sync_entry(smgr, entry);
    return unpin_entry(smgr, entry) == SDB_OK ? rc : SDB_ERROR;
}

typedef struct ForkKey {
    SdbRelFileId rel;
    SdbFork fork;
} ForkKey;

/* The keys of the dirty entries, in a new array (*count of them); NULL with
 * *count 0 when none, NULL with *count -1 on out of memory. */
static ForkKey *dirty_keys(SdbSmgr *smgr, long *count)
{
    ForkKey *keys = NULL;
    *count = 0;
    pthread_mutex_lock(&smgr->lock);
    if (smgr->entry_count > 0) {
        keys = sdb_malloc(smgr->entry_count * sizeof *keys);
        if (keys == NULL)
            *count = -1;
    }
    for (size_t b = 0; keys != NULL && b < smgr->bucket_count; b++)
        for (Entry *e = smgr->buckets[b]; e != NULL; e = e->next)
            if (atomic_load(&e->dirty))
                keys[(*count)++] = (ForkKey){e->rel, e->fork};
    pthread_mutex_unlock(&smgr->lock);
    return keys;
}

int sdb_smgr_sync_all(SdbSmgr *smgr)
{
    long count;
    ForkKey *keys = dirty_keys(smgr, &count);
    if (count < 0)
        return SDB_ERROR;
    /* One at a time, so closed files are reopened within the cap; forks
     * unlinked meanwhile are simply gone. */
    int rc = SDB_OK;
    SdbErrorData first_error;
    for (long i = 0; i < count; i++) {
        Entry *entry;
        int synced = pin_cached(smgr, keys[i].rel, keys[i].fork, &entry);
        if (synced == SDB_OK && entry != NULL) {
            synced = atomic_load(&entry->dirty) ? sync_entry(smgr, entry) : SDB_OK;
            if (unpin_entry(smgr, entry) != SDB_OK)
                synced = SDB_ERROR;
        }
        if (synced != SDB_OK && rc == SDB_OK) {
            first_error = *sdb_error_last();
            rc = SDB_ERROR;
        }
    }
    sdb_free(keys);
    if (rc != SDB_OK)
        restore_error(&first_error);
    return rc;
}

int sdb_smgr_close_all(SdbSmgr *smgr)
{
    Entry *unpinned = NULL;
    if (sdb_smgr_sync_all(smgr) != SDB_OK)
        return SDB_ERROR;
    pthread_mutex_lock(&smgr->lock);
    for (size_t b = 0; b < smgr->bucket_count; b++) {
        while (smgr->buckets[b] != NULL) {
            Entry *e = smgr->buckets[b];
            table_remove(smgr, e);
            if (e->refs == 0) { /* pinned ones are freed by their last unpin */
                if (e->file != NULL)
                    smgr->open_files--;
                e->next = unpinned;
                unpinned = e;
            }
        }
    }
    pthread_mutex_unlock(&smgr->lock);
    int rc = SDB_OK;
    while (unpinned != NULL) {
        Entry *next = unpinned->next;
        if (entry_free(unpinned) != SDB_OK)
            rc = SDB_ERROR;
        unpinned = next;
    }
    return rc;
}

int sdb_smgr_close(SdbSmgr *smgr)
{
    int rc = SDB_OK;
    if (smgr == NULL)
        return SDB_OK;
    for (size_t b = 0; b < smgr->bucket_count; b++) {
        Entry *e = smgr->buckets[b];
        while (e != NULL) {
            Entry *next = e->next;
            if (entry_free(e) != SDB_OK)
                rc = SDB_ERROR;
            e = next;
        }
    }
    pthread_mutex_destroy(&smgr->lock);
    free(smgr->buckets);
    sdb_free(smgr);
    return rc;
}

/* ---- batches ------------------------------------------------------------------ */

static int batch_add(SdbSmgr *smgr, SdbIoBatch *batch, SdbIoOp op, SdbRelFileId rel, SdbFork fork,
                     SdbBlockNo block, void *buf)
{
    Entry *entry = pin_entry(smgr, rel, fork, 0, NULL);
    if (entry == NULL)
        return SDB_ERROR;
    int rc = op == SDB_IO_READ
                 ? sdb_io_batch_add_read(batch, entry->file, buf, smgr->page_size, block_offset(smgr, block))
                 : sdb_io_batch_add_write(batch, entry->file, buf, smgr->page_size, block_offset(smgr, block));
    if (rc != SDB_OK) {
        unpin_entry(smgr, entry);
        return SDB_ERROR;
    }
    batch->requests[batch->count - 1].tag = entry;
    return SDB_OK;
}

int sdb_smgr_batch_add_read(SdbSmgr *smgr, SdbIoBatch *batch, SdbRelFileId rel, SdbFork fork, SdbBlockNo block,
                            void *buf)
{
    return batch_add(smgr, batch, SDB_IO_READ, rel, fork, block, buf);
}

int sdb_smgr_batch_add_write(SdbSmgr *smgr, SdbIoBatch *batch, SdbRelFileId rel, SdbFork fork,
                             SdbBlockNo block, const void *buf)
{
    /* The batch only reads a write's buffer. */
    return batch_add(smgr, batch, SDB_IO_WRITE, rel, fork, block, (void *)buf);
}

int sdb_smgr_batch_submit(SdbSmgr *smgr, SdbIoBatch *batch)
{
    int rc = sdb_io_batch_submit(batch);
    for (int i = 0; i < batch->count; i++) {
        Entry *entry = batch->requests[i].tag;
        /* Conservatively dirty on failure too: some writes may have landed. */
        if (batch->requests[i].op == SDB_IO_WRITE)
            atomic_store(&entry->dirty, true);
        if (unpin_entry(smgr, entry) != SDB_OK && rc == SDB_OK)
            rc = SDB_ERROR;
    }
    sdb_io_batch_reset(batch);
    return rc;
}
