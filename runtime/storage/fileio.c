/*
 * storage/fileio.c: file I/O for the storage engine, see fileio.h.
 *
 * Owns: the exact-length read/write loops, the error messages naming file,
 * offset and length, batched I/O (a pool of reusable io_uring rings, or
 * pread/pwrite), the io_method choice, and the fault-injection hook.
 */
#include "storage/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"

/* ---- fault injection ------------------------------------------------------ */

#define FAULT_PATH_MAX 256

static struct {
    pthread_mutex_t lock;
    atomic_bool armed;
    unsigned ops;
    uint64_t skip;
    int errnum;
    bool sticky;
    char path_contains[FAULT_PATH_MAX];
    uint64_t hits;
} fault = {.lock = PTHREAD_MUTEX_INITIALIZER};

void sdb_fault_inject(unsigned ops, uint64_t skip, int errnum, const char *path_contains, bool sticky)
{
    pthread_mutex_lock(&fault.lock);
    fault.ops = ops;
    fault.skip = skip;
    fault.errnum = errnum;
    fault.sticky = sticky;
    snprintf(fault.path_contains, sizeof fault.path_contains, "%s", path_contains ? path_contains : "");
    fault.hits = 0;
    atomic_store(&fault.armed, true);
    pthread_mutex_unlock(&fault.lock);
}

void sdb_fault_clear(void)
{
    pthread_mutex_lock(&fault.lock);
    atomic_store(&fault.armed, false);
    pthread_mutex_unlock(&fault.lock);
}

uint64_t sdb_fault_hits(void)
{
    pthread_mutex_lock(&fault.lock);
    uint64_t hits = fault.hits;
    pthread_mutex_unlock(&fault.lock);
    return hits;
}

/* The errno an operation of kind `op` on `path` must fail with, or 0. */
static int fault_check(unsigned op, const char *path)
{
    int errnum = 0;
    if (!atomic_load_explicit(&fault.armed, memory_order_acquire))
        return 0;
    pthread_mutex_lock(&fault.lock);
    if (atomic_load(&fault.armed) && (fault.ops & op) &&
        (fault.path_contains[0] == '\0' || strstr(path, fault.path_contains) != NULL)) {
        if (fault.skip > 0) {
            fault.skip--;
        } else {
            errnum = fault.errnum;
            fault.hits++;
            if (!fault.sticky)
                atomic_store(&fault.armed, false);
        }
    }
    pthread_mutex_unlock(&fault.lock);
    return errnum;
}

/* ---- error messages --------------------------------------------------------- */

static int report_read_error(const SdbFile *file, size_t len, uint64_t offset, int errnum, size_t done)
{
    if (errnum != 0)
        return sdb_error_errno(errnum, "could not read %zu bytes from file \"%s\" at offset %" PRIu64, len,
                               file->path, offset);
    return sdb_error(SDB_ERR_DATA_CORRUPTED,
                     "could not read %zu bytes from file \"%s\" at offset %" PRIu64 ": read only %zu bytes",
                     len, file->path, offset, done);
}

static int report_write_error(const SdbFile *file, size_t len, uint64_t offset, int errnum)
{
    return sdb_error_errno(errnum, "could not write %zu bytes to file \"%s\" at offset %" PRIu64, len,
                           file->path, offset);
}

/* ---- plain file operations ------------------------------------------------ */

SdbFile *sdb_file_open(const char *path, unsigned flags)
{
    int oflags = O_CLOEXEC | ((flags & SDB_FILE_READ_ONLY) ? O_RDONLY : O_RDWR);
    if (flags & SDB_FILE_CREATE)
        oflags |= O_CREAT;
    if (flags & SDB_FILE_EXCLUSIVE)
        oflags |= O_EXCL;
    if (flags & SDB_FILE_TRUNCATE)
        oflags |= O_TRUNC;
    if (flags & SDB_FILE_DIRECT)
        oflags |= O_DIRECT;

    size_t path_len = strlen(path);
    SdbFile *file = sdb_malloc(sizeof *file + path_len + 1);
    if (file == NULL)
        return NULL;
    file->path = (char *)(file + 1);
    memcpy(file->path, path, path_len + 1);
    file->flags = flags;
    do {
        file->fd = open(path, oflags, 0600);
    } while (file->fd < 0 && errno == EINTR);
    if (file->fd < 0) {
        sdb_error_errno(errno, "could not open file \"%s\"", path);
        sdb_free(file);
        return NULL;
    }
    return file;
}

int sdb_file_close(SdbFile *file)
{
    int rc = SDB_OK;
    if (file == NULL)
        return SDB_OK;
    /* Never retry close() on EINTR: on Linux the descriptor is gone. */
    if (close(file->fd) != 0)
        rc = sdb_error_errno(errno, "could not close file \"%s\"", file->path);
    sdb_free(file);
    return rc;
}

void sdb_file_discard(SdbFile *file)
{
    if (file == NULL)
        return;
    close(file->fd);
    sdb_free(file);
}

/* pread until `len` bytes or end of file; *done gets the count.  Returns 0
 * or the errno of a failed pread. */
static int read_fully(int fd, void *buf, size_t len, uint64_t offset, size_t *done)
{
    *done = 0;
    while (*done < len) {
        ssize_t n = pread(fd, (char *)buf + *done, len - *done, (off_t)(offset + *done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            break;
        *done += (size_t)n;
    }
    return 0;
}

/* pwrite all `len` bytes.  Returns 0 or an errno (a write that makes no
 * progress without an error is taken as ENOSPC, as PostgreSQL does). */
static int write_fully(int fd, const void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return ENOSPC;
        done += (size_t)n;
    }
    return 0;
}

int sdb_file_read_upto(SdbFile *file, void *buf, size_t len, uint64_t offset, size_t *nread)
{
    int errnum = read_fully(file->fd, buf, len, offset, nread);
    if (errnum != 0)
        return report_read_error(file, len, offset, errnum, *nread);
    return SDB_OK;
}

int sdb_file_read(SdbFile *file, void *buf, size_t len, uint64_t offset)
{
    size_t done;
    int errnum = read_fully(file->fd, buf, len, offset, &done);
    if (errnum != 0 || done < len)
        return report_read_error(file, len, offset, errnum, done);
    return SDB_OK;
}

int sdb_file_write(SdbFile *file, const void *buf, size_t len, uint64_t offset)
{
    int errnum = fault_check(SDB_FAULT_WRITE, file->path);
    if (errnum == 0)
        errnum = write_fully(file->fd, buf, len, offset);
    if (errnum != 0)
        return report_write_error(file, len, offset, errnum);
    return SDB_OK;
}

static int sync_fd(int fd, const char *path, bool data_only)
{
    int errnum = fault_check(SDB_FAULT_FSYNC, path);
    if (errnum == 0 && (data_only ? fdatasync(fd) : fsync(fd)) != 0)
        errnum = errno;
    if (errnum != 0)
        return sdb_error_errno(errnum, "could not %s file \"%s\"", data_only ? "fdatasync" : "fsync", path);
    return SDB_OK;
}

int sdb_file_sync(SdbFile *file)
{
    return sync_fd(file->fd, file->path, false);
}

int sdb_file_datasync(SdbFile *file)
{
    return sync_fd(file->fd, file->path, true);
}

int sdb_file_truncate(SdbFile *file, uint64_t size)
{
    int rc;
    do {
        rc = ftruncate(file->fd, (off_t)size);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0)
        return sdb_error_errno(errno, "could not truncate file \"%s\" to %" PRIu64 " bytes", file->path, size);
    return SDB_OK;
}

int sdb_file_size(SdbFile *file, uint64_t *size)
{
    struct stat st;
    if (fstat(file->fd, &st) != 0)
        return sdb_error_errno(errno, "could not stat file \"%s\"", file->path);
    *size = (uint64_t)st.st_size;
    return SDB_OK;
}

/* Write zeros over [from, to), in aligned chunks (fine for O_DIRECT when
 * `from` and `to` are aligned). */
static int write_zeros(SdbFile *file, uint64_t from, uint64_t to)
{
    enum { CHUNK = 64 * 1024 };
    int rc = SDB_OK;
    void *zeros = sdb_file_alloc_aligned(CHUNK);
    if (zeros == NULL)
        return SDB_ERROR;
    while (rc == SDB_OK && from < to) {
        size_t n = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
        int errnum = write_fully(file->fd, zeros, n, from);
        if (errnum != 0)
            rc = report_write_error(file, n, from, errnum);
        from += n;
    }
    sdb_file_free_aligned(zeros);
    return rc;
}

int sdb_file_preallocate(SdbFile *file, uint64_t offset, uint64_t len)
{
    int errnum = fault_check(SDB_FAULT_WRITE, file->path);
    if (errnum == 0) {
        do {
            errnum = posix_fallocate(file->fd, (off_t)offset, (off_t)len);
        } while (errnum == EINTR);
    }
    if (errnum == EOPNOTSUPP || errnum == EINVAL) {
        uint64_t size;
        if (sdb_file_size(file, &size) != SDB_OK)
            return SDB_ERROR;
        return write_zeros(file, size > offset ? size : offset, offset + len);
    }
    if (errnum != 0)
        return sdb_error_errno(errnum, "could not allocate %" PRIu64 " bytes in file \"%s\" at offset %" PRIu64,
                               len, file->path, offset);
    return SDB_OK;
}

int sdb_file_unlink(const char *path, bool missing_ok)
{
    if (unlink(path) != 0 && !(missing_ok && errno == ENOENT))
        return sdb_error_errno(errno, "could not remove file \"%s\"", path);
    return SDB_OK;
}

int sdb_file_sync_dir(const char *path)
{
    int fd, rc;
    do {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return sdb_error_errno(errno, "could not open directory \"%s\"", path);
    rc = sync_fd(fd, path, false);
    close(fd);
    return rc;
}

/* The directory part of `path` into `buf` ("." when it has no '/'). */
static void parent_dir(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

int sdb_file_sync_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    parent_dir(path, dir, sizeof dir);
    return sdb_file_sync_dir(dir);
}

int sdb_file_make_dir(const char *path)
{
    char partial[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof partial)
        return sdb_error_errno(ENAMETOOLONG, "could not create directory \"%s\"", path);
    memcpy(partial, path, len + 1);
    /* Make each prefix ending before a '/' and finally the whole path. */
    for (size_t i = 1; i <= len; i++) {
        if (partial[i] != '/' && partial[i] != '\0')
            continue;
        char saved = partial[i];
        partial[i] = '\0';
        if (mkdir(partial, 0700) == 0) {
            if (sdb_file_sync_parent_dir(partial) != SDB_OK)
                return SDB_ERROR;
        } else if (errno != EEXIST) {
            return sdb_error_errno(errno, "could not create directory \"%s\"", partial);
        } else {
            struct stat st;
            if (stat(partial, &st) != 0)
                return sdb_error_errno(errno, "could not stat directory \"%s\"", partial);
            if (!S_ISDIR(st.st_mode))
                return sdb_error_errno(ENOTDIR, "could not create directory \"%s\"", partial);
        }
        partial[i] = saved;
    }
    return SDB_OK;
}

int sdb_file_replace(const char *path, const void *data, size_t len)
{
    char tmp_path[PATH_MAX];
    if (snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path) >= (int)sizeof tmp_path)
        return sdb_error_errno(ENAMETOOLONG, "could not write file \"%s\"", path);
    SdbFile *tmp = sdb_file_open(tmp_path, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    if (tmp == NULL)
        return SDB_ERROR;
    int rc = sdb_file_write(tmp, data, len, 0);
    if (rc == SDB_OK)
        rc = sdb_file_sync(tmp);
    if (rc == SDB_OK)
        rc = sdb_file_close(tmp);
    else
        sdb_file_discard(tmp);
    if (rc == SDB_OK && rename(tmp_path, path) != 0)
        rc = sdb_error_errno(errno, "could not rename file \"%s\" to \"%s\"", tmp_path, path);
    if (rc != SDB_OK) {
        unlink(tmp_path); /* the error above is what matters */
        return SDB_ERROR;
    }
    return sdb_file_sync_parent_dir(path);
}

void *sdb_file_alloc_aligned(size_t size)
{
    void *ptr = NULL;
    int errnum = posix_memalign(&ptr, SDB_FILE_ALIGNMENT, size > 0 ? size : SDB_FILE_ALIGNMENT);
    if (errnum != 0) {
        sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
        sdb_error_detail("Failed on request of size %zu aligned to %d bytes.", size, SDB_FILE_ALIGNMENT);
        return NULL;
    }
    memset(ptr, 0, size);
    return ptr;
}

void sdb_file_free_aligned(void *ptr)
{
    free(ptr);
}

/* ---- batches: requests ------------------------------------------------------ */

void sdb_io_batch_init(SdbIoBatch *batch)
{
    batch->requests = NULL;
    batch->count = 0;
    batch->capacity = 0;
}

static int batch_add(SdbIoBatch *batch, SdbIoOp op, SdbFile *file, void *buf, size_t len, uint64_t offset)
{
    if (batch->count == batch->capacity) {
        int capacity = batch->capacity > 0 ? batch->capacity * 2 : 16;
        SdbIoRequest *grown = sdb_realloc(batch->requests, (size_t)capacity * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        batch->requests = grown;
        batch->capacity = capacity;
    }
    batch->requests[batch->count++] =
        (SdbIoRequest){.op = op, .file = file, .buf = buf, .len = len, .offset = offset, .tag = NULL};
    return SDB_OK;
}

int sdb_io_batch_add_read(SdbIoBatch *batch, SdbFile *file, void *buf, size_t len, uint64_t offset)
{
    return batch_add(batch, SDB_IO_READ, file, buf, len, offset);
}

int sdb_io_batch_add_write(SdbIoBatch *batch, SdbFile *file, const void *buf, size_t len, uint64_t offset)
{
    /* The buffer is only read from; the request type is shared with reads. */
    return batch_add(batch, SDB_IO_WRITE, file, (void *)buf, len, offset);
}

void sdb_io_batch_reset(SdbIoBatch *batch)
{
    batch->count = 0;
}

void sdb_io_batch_free(SdbIoBatch *batch)
{
    sdb_free(batch->requests);
    sdb_io_batch_init(batch);
}

/* One request done with pread/pwrite, reported like sdb_file_read/write. */
static int run_request_sync(const SdbIoRequest *req)
{
    if (req->op == SDB_IO_READ)
        return sdb_file_read(req->file, req->buf, req->len, req->offset);
    return sdb_file_write(req->file, req->buf, req->len, req->offset);
}

/* Finish a request of which the first `done` bytes were transferred by the
 * kernel, synchronously; report failures for the whole request. */
static int finish_request_sync(const SdbIoRequest *req, size_t done)
{
    char *buf = (char *)req->buf + done;
    size_t rest = req->len - done;
    uint64_t offset = req->offset + done;
    if (req->op == SDB_IO_READ) {
        size_t more;
        int errnum = read_fully(req->file->fd, buf, rest, offset, &more);
        if (errnum != 0 || more < rest)
            return report_read_error(req->file, req->len, req->offset, errnum, done + more);
        return SDB_OK;
    }
    int errnum = write_fully(req->file->fd, buf, rest, offset);
    if (errnum != 0)
        return report_write_error(req->file, req->len, req->offset, errnum);
    return SDB_OK;
}

/* ---- batches: the io_method and the ring pool ------------------------------ */

#define RING_POOL_MAX 8
#define METHOD_UNSET (-1)

static atomic_int io_method_chosen = METHOD_UNSET;
static pthread_mutex_t ring_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct io_uring *ring_pool[RING_POOL_MAX];
static int ring_pool_count;

/* A new ring, or NULL with *errnum set. */
static struct io_uring *ring_create(int *errnum)
{
    struct io_uring *ring = malloc(sizeof *ring);
    if (ring == NULL) {
        *errnum = ENOMEM;
        return NULL;
    }
    int rc = io_uring_queue_init(SDB_IO_QUEUE_DEPTH, ring, 0);
    if (rc < 0) {
        free(ring);
        *errnum = -rc;
        return NULL;
    }
    return ring;
}

static void ring_destroy(struct io_uring *ring)
{
    io_uring_queue_exit(ring);
    free(ring);
}

/* A ring for the calling thread's batch: a pooled one or a new one. */
static struct io_uring *ring_get(void)
{
    struct io_uring *ring = NULL;
    int errnum; /* why a new ring failed: the caller falls back to pread/pwrite */
    pthread_mutex_lock(&ring_pool_lock);
    if (ring_pool_count > 0)
        ring = ring_pool[--ring_pool_count];
    pthread_mutex_unlock(&ring_pool_lock);
    return ring != NULL ? ring : ring_create(&errnum);
}

static void ring_put(struct io_uring *ring)
{
    pthread_mutex_lock(&ring_pool_lock);
    if (ring_pool_count < RING_POOL_MAX) {
        ring_pool[ring_pool_count++] = ring;
        ring = NULL;
    }
    pthread_mutex_unlock(&ring_pool_lock);
    if (ring != NULL)
        ring_destroy(ring);
}

int sdb_io_setup(SdbSetting_io_method method)
{
    SdbSetting_io_method chosen = SDB_IO_METHOD_SYNC;
    if (method != SDB_IO_METHOD_SYNC) {
        int errnum = 0;
        struct io_uring *probe = ring_create(&errnum);
        if (probe != NULL) {
            ring_put(probe);
            chosen = SDB_IO_METHOD_IO_URING;
        } else if (method == SDB_IO_METHOD_IO_URING) {
            return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                             "io_method \"io_uring\" is not available: io_uring_queue_init failed: %s",
                             strerror(errnum));
        } else {
            sdb_log(SDB_SEVERITY_LOG, "storage", "io_uring is not available (%s): using pread/pwrite",
                    strerror(errnum));
        }
    }
    atomic_store(&io_method_chosen, (int)chosen);
    return SDB_OK;
}

SdbSetting_io_method sdb_io_method(void)
{
    int method = atomic_load(&io_method_chosen);
    if (method == METHOD_UNSET) {
        sdb_io_setup(SDB_IO_METHOD_AUTO); /* "auto" cannot fail */
        method = atomic_load(&io_method_chosen);
    }
    return (SdbSetting_io_method)method;
}

const char *sdb_io_method_name(void)
{
    return sdb_io_method() == SDB_IO_METHOD_IO_URING ? "io_uring" : "sync";
}

void sdb_io_shutdown(void)
{
    pthread_mutex_lock(&ring_pool_lock);
    while (ring_pool_count > 0)
        ring_destroy(ring_pool[--ring_pool_count]);
    pthread_mutex_unlock(&ring_pool_lock);
}

/* ---- batches: submission ----------------------------------------------------- */

static int submit_sync(SdbIoBatch *batch)
{
    for (int i = 0; i < batch->count; i++)
        if (run_request_sync(&batch->requests[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* Outcome of one request of a ring round. */
typedef struct RoundResult {
    int fault_errnum; /* injected failure, request not submitted */
    bool submitted;
    int res; /* the completion's result: bytes or -errno */
} RoundResult;

/* Run requests [first, first+n) (n <= SDB_IO_QUEUE_DEPTH) through `ring`;
 * short or interrupted transfers are finished synchronously.  Sets
 * *ring_broken when the ring may hold unsubmitted entries.  Reports the
 * first failing request in batch order. */
static int submit_round(struct io_uring *ring, SdbIoRequest *reqs, int n, bool *ring_broken)
{
    RoundResult results[SDB_IO_QUEUE_DEPTH];
    int prepared = 0;
    for (int i = 0; i < n; i++) {
        SdbIoRequest *req = &reqs[i];
        results[i] = (RoundResult){0};
        if (req->op == SDB_IO_WRITE)
            results[i].fault_errnum = fault_check(SDB_FAULT_WRITE, req->file->path);
        if (results[i].fault_errnum != 0 || req->len > INT32_MAX)
            continue;
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        if (sqe == NULL) /* cannot happen with n <= queue depth; done synchronously */
            continue;
        if (req->op == SDB_IO_READ)
            io_uring_prep_read(sqe, req->file->fd, req->buf, (unsigned)req->len, req->offset);
        else
            io_uring_prep_write(sqe, req->file->fd, req->buf, (unsigned)req->len, req->offset);
        io_uring_sqe_set_data64(sqe, (uint64_t)i);
        results[i].submitted = true;
        prepared++;
    }

    int submitted = prepared > 0 ? io_uring_submit(ring) : 0;
    if (submitted < prepared) {
        /* The kernel took only the first `submitted` entries (none on an
         * error): the rest are done synchronously and the ring discarded. */
        int taken = submitted > 0 ? submitted : 0;
        int seen = 0;
        *ring_broken = true;
        for (int i = 0; i < n; i++) {
            if (!results[i].submitted)
                continue;
            if (seen++ >= taken)
                results[i].submitted = false;
        }
        prepared = taken;
    }
    for (int waited = 0; waited < prepared; waited++) {
        struct io_uring_cqe *cqe;
        int rc;
        do {
            rc = io_uring_wait_cqe(ring, &cqe);
        } while (rc == -EINTR);
        if (rc < 0) {
            *ring_broken = true;
            return sdb_error_errno(-rc, "could not wait for I/O completion");
        }
        int index = (int)io_uring_cqe_get_data64(cqe);
        results[index].res = cqe->res;
        io_uring_cqe_seen(ring, cqe);
    }

    int rc = SDB_OK;
    for (int i = 0; i < n && rc == SDB_OK; i++) {
        SdbIoRequest *req = &reqs[i];
        RoundResult *r = &results[i];
        if (r->fault_errnum != 0)
            rc = report_write_error(req->file, req->len, req->offset, r->fault_errnum);
        else if (!r->submitted)
            rc = run_request_sync(req);
        else if (r->res == -EINTR || r->res == -EAGAIN)
            rc = finish_request_sync(req, 0);
        else if (r->res < 0 && req->op == SDB_IO_READ)
            rc = report_read_error(req->file, req->len, req->offset, -r->res, 0);
        else if (r->res < 0)
            rc = report_write_error(req->file, req->len, req->offset, -r->res);
        else if ((size_t)r->res < req->len)
            rc = finish_request_sync(req, (size_t)r->res);
    }
    return rc;
}

static int submit_uring(SdbIoBatch *batch)
{
    struct io_uring *ring = ring_get();
    if (ring == NULL) /* out of rings (memlock limit ...): do it the plain way */
        return submit_sync(batch);
    int rc = SDB_OK;
    bool ring_broken = false;
    for (int first = 0; first < batch->count && rc == SDB_OK && !ring_broken; first += SDB_IO_QUEUE_DEPTH) {
        int n = batch->count - first < SDB_IO_QUEUE_DEPTH ? batch->count - first : SDB_IO_QUEUE_DEPTH;
        rc = submit_round(ring, batch->requests + first, n, &ring_broken);
        if (ring_broken && rc == SDB_OK) {
            /* Finish the remaining rounds without this ring. */
            for (int i = first + n; i < batch->count && rc == SDB_OK; i++)
                rc = run_request_sync(&batch->requests[i]);
        }
    }
    if (ring_broken)
        ring_destroy(ring);
    else
        ring_put(ring);
    return rc;
}

int sdb_io_batch_submit(SdbIoBatch *batch)
{
    if (batch->count == 0)
        return SDB_OK;
    if (sdb_io_method() == SDB_IO_METHOD_IO_URING)
        return submit_uring(batch);
    return submit_sync(batch);
}
