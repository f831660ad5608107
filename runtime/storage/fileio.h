/*
 * storage/fileio.h: every read, write and fsync of a data, WAL or control
 * file goes through here.
 *
 * Owns: SdbFile (an open file that remembers its path for error messages),
 * exact-length positioned reads and writes (looping over short transfers and
 * EINTR), fsync/fdatasync, truncate, size, preallocate, unlink, directory
 * creation and fsync, atomic replacement of a small file, aligned buffers for
 * O_DIRECT, batched I/O (SdbIoBatch: io_uring when available, else
 * pread/pwrite one by one), and a process-wide fault-injection hook for tests.
 *
 * Errors: every failure is recorded with sdb_error_errno() naming the
 * operation, the file, the offset and the length, e.g.
 *   could not write 8192 bytes to file "base/1/16384" at offset 40960: No space left on device
 * so the SQLSTATE follows errno (ENOSPC -> 53100 disk_full, EIO -> 58030
 * io_error, ENOENT -> 58P01 ...).  A read that hits end of file before the
 * requested length is NOT zero-filled: it fails with SDB_ERR_DATA_CORRUPTED
 * ("could not read 8192 bytes from file ... at offset ...: read only 0 bytes").
 */
#ifndef SDB_FILEIO_H
#define SDB_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdb_settings.h"

/* Open flags for sdb_file_open (combine with |). */
#define SDB_FILE_READ_ONLY 0x01u /* open for reading only (default: read and write) */
#define SDB_FILE_CREATE 0x02u    /* create the file if missing (mode 0600) */
#define SDB_FILE_EXCLUSIVE 0x04u /* with CREATE: fail (EEXIST) if it exists */
#define SDB_FILE_TRUNCATE 0x08u  /* truncate to 0 bytes on open */
#define SDB_FILE_DIRECT 0x10u    /* O_DIRECT: buffers, offsets and lengths must be
                                    SDB_FILE_ALIGNMENT-aligned */

/* Alignment for O_DIRECT buffers, offsets and lengths. */
#define SDB_FILE_ALIGNMENT 4096

/* An open file.  `path` is kept for messages (as given to sdb_file_open,
 * usually relative to the data directory's working directory or absolute). */
typedef struct SdbFile {
    char *path;
    int fd;
    unsigned flags; /* SDB_FILE_* it was opened with */
} SdbFile;

/* Open (and with SDB_FILE_CREATE maybe create) `path`.  Returns a new SdbFile
 * owned by the caller (release with sdb_file_close), or NULL after recording
 * the error.  When O_DIRECT is not supported by the file system the open
 * fails with EINVAL.  Thread-safe. */
SdbFile *sdb_file_open(const char *path, unsigned flags);

/* Close and free `file` (NULL is a no-op).  Returns SDB_ERROR if close()
 * failed (the file is freed anyway). */
int sdb_file_close(SdbFile *file);

/* Close and free `file` without recording anything (NULL is a no-op): for
 * error paths, where the error already recorded must be kept. */
void sdb_file_discard(SdbFile *file);

/* Read exactly `len` bytes at `offset` into `buf`.  End of file before `len`
 * bytes is an error (SDB_ERR_DATA_CORRUPTED, "read only N bytes").  Several
 * threads may read/write one SdbFile at once (positioned I/O). */
int sdb_file_read(SdbFile *file, void *buf, size_t len, uint64_t offset);

/* Read up to `len` bytes at `offset`, stopping early only at end of file;
 * `*nread` gets the count (0 at or past EOF).  For readers that expect a
 * partial tail (the WAL reader).  Errors other than EOF are reported. */
int sdb_file_read_upto(SdbFile *file, void *buf, size_t len, uint64_t offset, size_t *nread);

/* Write exactly `len` bytes from `buf` at `offset` (extending the file if
 * needed).  Subject to fault injection (SDB_FAULT_WRITE). */
int sdb_file_write(SdbFile *file, const void *buf, size_t len, uint64_t offset);

/* fsync(2) / fdatasync(2) the file.  Subject to fault injection
 * (SDB_FAULT_FSYNC).  After a failed fsync the kernel may have dropped the
 * dirty pages: callers must not assume a retry makes the data durable. */
int sdb_file_sync(SdbFile *file);
int sdb_file_datasync(SdbFile *file);

/* Set the file's size to `size` bytes (shrinking or zero-extending). */
int sdb_file_truncate(SdbFile *file, uint64_t size);

/* The file's current size in bytes. */
int sdb_file_size(SdbFile *file, uint64_t *size);

/* Make sure disk space for [offset, offset+len) is allocated, so later
 * writes there cannot fail with ENOSPC: posix_fallocate, or, where the file
 * system does not support it, writing zeros over the part beyond the current
 * end of file.  Grows the file to at least offset+len.  Subject to fault
 * injection (SDB_FAULT_WRITE). */
int sdb_file_preallocate(SdbFile *file, uint64_t offset, uint64_t len);

/* Remove `path`.  With missing_ok a file that does not exist is success. */
int sdb_file_unlink(const char *path, bool missing_ok);

/* Create directory `path` (mode 0700) and any missing parents, fsyncing each
 * parent of a newly made directory so the new entries are durable.  An
 * existing directory is success. */
int sdb_file_make_dir(const char *path);

/* fsync the directory `path` (to make creations, renames and unlinks of its
 * entries durable).  Subject to fault injection (SDB_FAULT_FSYNC). */
int sdb_file_sync_dir(const char *path);

/* Atomically replace (or create) the small file `path` with `len` bytes:
 * write "<path>.tmp", fsync it, rename over `path`, fsync the directory.
 * After a crash the file has either the old or the new contents. */
int sdb_file_replace(const char *path, const void *data, size_t len);

/* fsync the parent directory of `path` (the part before the last '/', or
 * "." when there is none). */
int sdb_file_sync_parent_dir(const char *path);

/* `size` bytes aligned to SDB_FILE_ALIGNMENT, zero-filled, for O_DIRECT
 * I/O; NULL after recording SDB_ERR_OUT_OF_MEMORY.  Free with
 * sdb_file_free_aligned. */
void *sdb_file_alloc_aligned(size_t size);
void sdb_file_free_aligned(void *ptr);

/* ---- batched I/O --------------------------------------------------------- */

typedef enum SdbIoOp { SDB_IO_READ, SDB_IO_WRITE } SdbIoOp;

/* One transfer of a batch: exactly `len` bytes at `offset` (a short read at
 * end of file is an error, as with sdb_file_read). */
typedef struct SdbIoRequest {
    SdbIoOp op;
    SdbFile *file;
    void *buf;
    size_t len;
    uint64_t offset;
    void *tag; /* caller's own pointer, untouched */
} SdbIoRequest;

/* A list of reads and writes (on any files) done together by
 * sdb_io_batch_submit.  Owned by one thread at a time.  Zero-initialise or
 * use sdb_io_batch_init; release with sdb_io_batch_free. */
typedef struct SdbIoBatch {
    SdbIoRequest *requests;
    int count;
    int capacity;
} SdbIoBatch;

void sdb_io_batch_init(SdbIoBatch *batch);

/* Append a read/write.  The file and buffer must stay valid until the batch
 * is submitted.  Fails only on out of memory. */
int sdb_io_batch_add_read(SdbIoBatch *batch, SdbFile *file, void *buf, size_t len, uint64_t offset);
int sdb_io_batch_add_write(SdbIoBatch *batch, SdbFile *file, const void *buf, size_t len,
                           uint64_t offset);

/* Perform every request of the batch with the chosen I/O method (io_uring:
 * queue depth SDB_IO_QUEUE_DEPTH per submission round; sync: one by one).
 * The order between requests is unspecified, so a batch must not hold two
 * overlapping writes, or a read of what another request writes.  Returns
 * SDB_OK when all succeeded; otherwise SDB_ERROR with the error of the first
 * failed request (in batch order) recorded; the others may or may not have
 * been done.  The batch keeps its requests (see sdb_io_batch_reset).
 * Thread-safe: different threads may submit different batches at once. */
int sdb_io_batch_submit(SdbIoBatch *batch);

/* Forget the requests (keeping the memory for reuse). */
void sdb_io_batch_reset(SdbIoBatch *batch);

/* Release the batch's memory; it may be reused after sdb_io_batch_init. */
void sdb_io_batch_free(SdbIoBatch *batch);

#define SDB_IO_QUEUE_DEPTH 64

/* Choose the batch I/O method once at startup from the io_method setting:
 * SDB_IO_METHOD_AUTO probes io_uring (io_uring_queue_init) and falls back to
 * sync; SDB_IO_METHOD_IO_URING fails (SDB_ERR_FEATURE_NOT_SUPPORTED) when
 * io_uring cannot be set up; SDB_IO_METHOD_SYNC uses pread/pwrite.  Calling
 * it again replaces the choice (only while no batch is being submitted).
 * A batch submitted before any call uses "auto". */
int sdb_io_setup(SdbSetting_io_method method);

/* The method in use: SDB_IO_METHOD_IO_URING or SDB_IO_METHOD_SYNC (runs the
 * "auto" choice first if sdb_io_setup was never called). */
SdbSetting_io_method sdb_io_method(void);

/* "io_uring" or "sync". */
const char *sdb_io_method_name(void);

/* Release the io_uring rings kept for reuse (at engine shutdown).  No batch
 * may be in flight. */
void sdb_io_shutdown(void);

/* ---- fault injection (tests) ---------------------------------------------- */

/* Operations a fault can hit (combine with |). */
#define SDB_FAULT_WRITE 0x01u /* sdb_file_write, batch writes, preallocate, replace */
#define SDB_FAULT_FSYNC 0x02u /* sdb_file_sync/datasync/sync_dir, replace */

/* Arm the process-wide fault: among future operations of kinds `ops` on
 * files whose path contains `path_contains` (NULL or "" = any file), let
 * `skip` succeed, then make the next one fail with `errnum` (ENOSPC, EIO ...)
 * without touching the file.  With `sticky` every later matching operation
 * fails too, until sdb_fault_clear (a full disk); otherwise only that one.
 * Replaces any earlier fault.  Thread-safe. */
void sdb_fault_inject(unsigned ops, uint64_t skip, int errnum, const char *path_contains, bool sticky);

/* Disarm the fault. */
void sdb_fault_clear(void);

/* How many operations the fault made fail since it was armed. */
uint64_t sdb_fault_hits(void);

#endif /* SDB_FILEIO_H */
