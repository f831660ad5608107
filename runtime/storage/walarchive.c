/*
 * storage/walarchive.c: copying WAL segments to DIR/wal/archive/<name>.zst
 * (zstd streaming compression, level 3) and back, each copy written to a
 * .tmp file, fsynced and renamed into place so a crash never leaves a partial
 * file under the final name.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <zstd.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/fileio.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

#define ARCHIVE_ZSTD_LEVEL 3

/* One zstd stream, compressing or decompressing. */
typedef struct ZstdStream {
    ZSTD_CCtx *cctx; /* set when compressing */
    ZSTD_DCtx *dctx; /* set when decompressing */
} ZstdStream;

/* Run `in` through the stream into `out`.  Returns zstd's hint (0 once a
 * frame is complete) or a zstd error code. */
static size_t zstd_step(ZstdStream *z, ZSTD_outBuffer *out, ZSTD_inBuffer *in, bool last)
{
    if (z->cctx != NULL)
        return ZSTD_compressStream2(z->cctx, out, in, last ? ZSTD_e_end : ZSTD_e_continue);
    return ZSTD_decompressStream(z->dctx, out, in);
}

/* Stream `src` through `z` into the open file `dst`. */
static int copy_through(ZstdStream *z, SdbFile *src, SdbFile *dst)
{
    size_t in_cap = ZSTD_CStreamInSize(), out_cap = ZSTD_CStreamOutSize();
    uint8_t *in_buf = sdb_malloc(in_cap), *out_buf = sdb_malloc(out_cap);
    uint64_t in_off = 0, out_off = 0;
    bool eof = false;
    int rc = SDB_OK;

    if (in_buf == NULL || out_buf == NULL) {
        rc = SDB_ERROR;
        goto out;
    }
    ZSTD_inBuffer in = {in_buf, 0, 0};
    size_t hint = 1; /* zstd's last answer: 0 once a frame is complete */
    for (;;) {
        if (in.pos == in.size && !eof) {
            size_t nread;
            rc = sdb_file_read_upto(src, in_buf, in_cap, in_off, &nread);
            if (rc != SDB_OK)
                goto out;
            in_off += nread;
            in = (ZSTD_inBuffer){in_buf, nread, 0};
            eof = nread == 0;
        }
        bool input_done = eof && in.pos == in.size;
        if (input_done && z->dctx != NULL && hint == 0)
            break; /* the last frame is complete */
        ZSTD_outBuffer out = {out_buf, out_cap, 0};
        hint = zstd_step(z, &out, &in, eof);
        if (ZSTD_isError(hint)) {
            rc = sdb_error(SDB_ERR_DATA_CORRUPTED, "could not %s \"%s\": %s",
                           z->cctx ? "compress" : "decompress", src->path, ZSTD_getErrorName(hint));
            goto out;
        }
        if (out.pos > 0) {
            rc = sdb_file_write(dst, out_buf, out.pos, out_off);
            if (rc != SDB_OK)
                goto out;
            out_off += out.pos;
        }
        if (input_done && out.pos < out.size) { /* no further progress possible */
            if (hint != 0) /* zstd still wants input: the frame is cut short */
                rc = sdb_error(SDB_ERR_DATA_CORRUPTED, "compressed WAL file \"%s\" is truncated",
                               src->path);
            break;
        }
    }
out:
    sdb_free(in_buf);
    sdb_free(out_buf);
    return rc;
}

/* Copy `src_path` through `z` to `dst_path` atomically. */
static int copy_file_atomically(ZstdStream *z, const char *src_path, const char *dst_path)
{
    char tmp[PATH_MAX];
    SdbFile *src = NULL, *dst = NULL;
    int rc = SDB_ERROR;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst_path) >= (int)sizeof tmp) {
        sdb_error(SDB_ERR_NAME_TOO_LONG, "file name \"%s\" is too long", dst_path);
        goto out;
    }
    src = sdb_file_open(src_path, SDB_FILE_READ_ONLY);
    if (src == NULL)
        goto out;
    dst = sdb_file_open(tmp, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    if (dst == NULL)
        goto out;
    rc = copy_through(z, src, dst);
    if (rc == SDB_OK)
        rc = sdb_file_sync(dst);
out:
    if (sdb_file_close(dst) != SDB_OK)
        rc = SDB_ERROR;
    sdb_file_close(src); /* read-only: nothing to lose */
    if (rc == SDB_OK)
        rc = sdb_wal_rename(tmp, dst_path);
    if (rc == SDB_OK)
        rc = sdb_file_sync_parent_dir(dst_path);
    return rc;
}

/* "<wal_dir>/archive/<name>.zst" into buf, creating the archive folder. */
static int archive_path(const char *wal_dir, uint64_t segno, char *buf, size_t size)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/archive", wal_dir) >= (int)sizeof dir)
        return sdb_error(SDB_ERR_NAME_TOO_LONG, "WAL folder name \"%s\" is too long", wal_dir);
    if (sdb_file_make_dir(dir) != SDB_OK)
        return SDB_ERROR;
    return sdb_wal_segment_path(dir, segno, ".zst", buf, size);
}

int sdb_wal_archive_segment(const char *wal_dir, uint64_t segno)
{
    char src[PATH_MAX], dst[PATH_MAX];
    ZstdStream z = {ZSTD_createCCtx(), NULL};
    int rc = SDB_ERROR;

    if (z.cctx == NULL) {
        sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory creating a zstd context");
        goto out;
    }
    ZSTD_CCtx_setParameter(z.cctx, ZSTD_c_compressionLevel, ARCHIVE_ZSTD_LEVEL);
    ZSTD_CCtx_setParameter(z.cctx, ZSTD_c_checksumFlag, 1);
    if (sdb_wal_segment_path(wal_dir, segno, "", src, sizeof src) == SDB_OK &&
        archive_path(wal_dir, segno, dst, sizeof dst) == SDB_OK)
        rc = copy_file_atomically(&z, src, dst);
out:
    ZSTD_freeCCtx(z.cctx);
    return rc;
}

int sdb_wal_unarchive_segment(const char *wal_dir, uint64_t segno, const char *dest_path)
{
    char src[PATH_MAX];
    ZstdStream z = {NULL, ZSTD_createDCtx()};
    int rc = SDB_ERROR;

    if (z.dctx == NULL) {
        sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory creating a zstd context");
        goto out;
    }
    if (archive_path(wal_dir, segno, src, sizeof src) == SDB_OK)
        rc = copy_file_atomically(&z, src, dest_path);
out:
    ZSTD_freeDCtx(z.dctx);
    return rc;
}
