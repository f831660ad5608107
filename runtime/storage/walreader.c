/*
 * storage/walreader.c: reading the WAL back: decoding and checking one
 * record, restoring a full-page image, and SdbWalReader, which follows the
 * stream across segment files and decides where valid WAL ends.
 *
 * The reader reads segment files through a window of WINDOW_SIZE bytes, so a
 * run of small records costs one read per window.  Every segment's header is
 * checked when the reader enters the segment; every record's length, prev_lsn
 * and CRC are checked before it is returned.  The first check that fails ends
 * the WAL there (with the reason kept for the recovery log); only a real I/O
 * error is an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/crc32c.h"
#include "storage/fileio.h"
#include "storage/rmgr.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

#define WINDOW_SIZE (64u * 1024u)
#define REASON_MAX 256

#define KNOWN_BLOCK_FLAGS \
    (SDB_WAL_BLOCK_HAS_IMAGE | SDB_WAL_BLOCK_WILL_INIT | SDB_WAL_BLOCK_HAS_DATA | SDB_WAL_BLOCK_IMAGE_ZSTD)

/* ---- decoding ------------------------------------------------------------- */

/* Decode and check one block header at buf[*off], advancing *off past its
 * image and data.  true when fine, else false with what is wrong in reason. */
static bool decode_block(const uint8_t *buf, size_t len, size_t *off, SdbWalBlockRef *b, char *reason,
                         size_t size)
{
    if (len - *off < SDB_WAL_BLOCK_HEADER_SIZE) {
        snprintf(reason, size, "block header beyond the end of the record");
        return false;
    }
    const uint8_t *h = buf + *off;
    b->relfile.db_oid = sdb_wal_get32(h + SDB_WAL_BLK_DB_OID);
    b->relfile.rel_number = sdb_wal_get32(h + SDB_WAL_BLK_REL_NUMBER);
    b->block = sdb_wal_get32(h + SDB_WAL_BLK_BLOCK);
    b->fork = (SdbFork)h[SDB_WAL_BLK_FORK];
    b->flags = h[SDB_WAL_BLK_FLAGS];
    b->data_len = sdb_wal_get16(h + SDB_WAL_BLK_DATA_LEN);
    b->image_len = sdb_wal_get16(h + SDB_WAL_BLK_IMAGE_LEN);
    b->hole_offset = sdb_wal_get16(h + SDB_WAL_BLK_HOLE_OFFSET);
    b->hole_len = sdb_wal_get16(h + SDB_WAL_BLK_HOLE_LEN);
    *off += SDB_WAL_BLOCK_HEADER_SIZE;

    bool has_image = (b->flags & SDB_WAL_BLOCK_HAS_IMAGE) != 0;
    if ((unsigned)b->fork >= SDB_FORK_COUNT || (b->flags & ~KNOWN_BLOCK_FLAGS) != 0 ||
        has_image != (b->image_len > 0) || ((b->flags & SDB_WAL_BLOCK_HAS_DATA) != 0) != (b->data_len > 0) ||
        (!has_image && (b->flags & SDB_WAL_BLOCK_IMAGE_ZSTD))) {
        snprintf(reason, size, "invalid block reference (fork %u, flags 0x%02X, image %u, data %u bytes)",
                 (unsigned)b->fork, (unsigned)b->flags, (unsigned)b->image_len, (unsigned)b->data_len);
        return false;
    }
    if (len - *off < (size_t)b->image_len + b->data_len) {
        snprintf(reason, size, "block image and data beyond the end of the record");
        return false;
    }
    b->image = has_image ? buf + *off : NULL;
    *off += b->image_len;
    b->data = b->data_len ? buf + *off : NULL;
    *off += b->data_len;
    return true;
}

/* Decode `len` bytes of one record.  true when valid; else false with the
 * reason. */
static bool decode_record(const uint8_t *buf, size_t len, SdbLsn lsn, SdbWalRecord *rec, char *reason,
                          size_t size)
{
    if (len < SDB_WAL_RECORD_HEADER_SIZE || sdb_wal_get32(buf + SDB_WAL_REC_TOTAL_LEN) != len) {
        snprintf(reason, size, "record length %zu does not match its header", len);
        return false;
    }
    uint32_t crc = sdb_wal_record_crc(
        sdb_crc32c(0, buf + SDB_WAL_RECORD_HEADER_SIZE, len - SDB_WAL_RECORD_HEADER_SIZE), buf);
    if (crc != sdb_wal_get32(buf + SDB_WAL_REC_CRC)) {
        snprintf(reason, size, "incorrect record checksum (stored 0x%08" PRIX32 ", computed 0x%08" PRIX32 ")",
                 sdb_wal_get32(buf + SDB_WAL_REC_CRC), crc);
        return false;
    }
    rec->lsn = lsn;
    rec->end_lsn = 0;
    rec->total_len = (uint32_t)len;
    rec->prev_lsn = sdb_wal_get64(buf + SDB_WAL_REC_PREV_LSN);
    rec->xid = sdb_wal_get64(buf + SDB_WAL_REC_XID);
    rec->rmgr = buf[SDB_WAL_REC_RMGR];
    rec->info = buf[SDB_WAL_REC_INFO];
    rec->block_count = sdb_wal_get16(buf + SDB_WAL_REC_BLOCK_COUNT);
    rec->main_len = sdb_wal_get32(buf + SDB_WAL_REC_MAIN_LEN);
    if (rec->rmgr >= SDB_RMGR_COUNT || rec->block_count > SDB_WAL_MAX_BLOCKS) {
        snprintf(reason, size, "invalid resource manager %u or block count %u", (unsigned)rec->rmgr,
                 (unsigned)rec->block_count);
        return false;
    }
    size_t off = SDB_WAL_RECORD_HEADER_SIZE;
    for (int i = 0; i < rec->block_count; i++)
        if (!decode_block(buf, len, &off, &rec->blocks[i], reason, size))
            return false;
    if (len - off != rec->main_len) {
        snprintf(reason, size, "main data length %" PRIu32 " does not match the %zu bytes left",
                 rec->main_len, len - off);
        return false;
    }
    rec->main_data = rec->main_len ? buf + off : NULL;
    return true;
}

int sdb_wal_decode(const uint8_t *buf, size_t len, SdbLsn lsn, SdbWalRecord *rec)
{
    char reason[REASON_MAX], at[24];

    if (!decode_record(buf, len, lsn, rec, reason, sizeof reason))
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid WAL record at %s: %s", sdb_lsn_format(lsn, at),
                         reason);
    return SDB_OK;
}

int sdb_wal_restore_image(const SdbWalBlockRef *ref, void *page, uint32_t block_size)
{
    uint8_t *out = page;

    if (!(ref->flags & SDB_WAL_BLOCK_HAS_IMAGE) || ref->hole_offset > block_size ||
        ref->hole_len > block_size - ref->hole_offset)
        goto corrupt;
    size_t raw = block_size - ref->hole_len;
    if (ref->flags & SDB_WAL_BLOCK_IMAGE_ZSTD) {
        size_t n = ZSTD_decompress(out, raw, ref->image, ref->image_len);
        if (ZSTD_isError(n) || n != raw)
            goto corrupt;
    } else {
        if (ref->image_len != raw)
            goto corrupt;
        memcpy(out, ref->image, raw);
    }
    if (ref->hole_len > 0) {
        memmove(out + ref->hole_offset + ref->hole_len, out + ref->hole_offset, raw - ref->hole_offset);
        memset(out + ref->hole_offset, 0, ref->hole_len);
    }
    return SDB_OK;
corrupt:
    return sdb_error(SDB_ERR_DATA_CORRUPTED,
                     "invalid full-page image of block %" PRIu32 " of relation %" PRIu32 "/%" PRIu32
                     " in WAL (%u bytes, hole at %u of %u bytes)",
                     ref->block, ref->relfile.db_oid, ref->relfile.rel_number, (unsigned)ref->image_len,
                     (unsigned)ref->hole_offset, (unsigned)ref->hole_len);
}

/* ---- the reader ------------------------------------------------------------ */

struct SdbWalReader {
    SdbWalConfig cfg; /* cfg.dir points at `dir` */

    SdbLsn next_lsn; /* where the next record (or its segment header) starts */
    SdbLsn last_lsn; /* start of the last record returned */
    bool at_end;
    char reason[REASON_MAX];

    /* The segment being read and a window of its bytes. */
    SdbFile *file;
    uint64_t segno;
    uint8_t *window;
    SdbLsn window_start; /* stream position of window[0] */
    size_t window_len;   /* valid bytes (short at end of file) */

    uint8_t *rec_buf;
    size_t rec_cap;
    SdbWalRecord rec;
    char dir[]; /* the WAL folder */
};

/* Outcome of reading stream bytes. */
typedef enum ReadResult { READ_OK, READ_END, READ_ERROR } ReadResult;

/* Stop at the end of valid WAL, remembering why. */
static ReadResult end_of_wal(SdbWalReader *r, const char *fmt, ...) SDB_PRINTF(2, 3);

static ReadResult end_of_wal(SdbWalReader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->at_end = true;
    return READ_END;
}

int sdb_wal_reader_open(const SdbWalConfig *cfg, SdbLsn start_lsn, SdbWalReader **out)
{
    size_t dir_len = strlen(cfg->dir) + 1;
    SdbWalReader *r = sdb_malloc(sizeof *r + dir_len);

    *out = NULL;
    if (r == NULL)
        return SDB_ERROR;
    memset(r, 0, sizeof *r);
    memcpy(r->dir, cfg->dir, dir_len);
    r->cfg = *cfg;
    r->window = sdb_malloc(WINDOW_SIZE);
    if (r->window == NULL) {
        sdb_wal_reader_close(r);
        return SDB_ERROR;
    }
    r->cfg.dir = r->dir;
    r->next_lsn = start_lsn;
    r->last_lsn = SDB_INVALID_LSN;
    *out = r;
    return SDB_OK;
}

void sdb_wal_reader_close(SdbWalReader *r)
{
    if (r == NULL)
        return;
    sdb_file_close(r->file);
    sdb_free(r->rec_buf);
    sdb_free(r->window);
    sdb_free(r);
}

/* Open segment `segno` and check its header. */
static ReadResult enter_segment(SdbWalReader *r, uint64_t segno)
{
    char path[PATH_MAX], reason[REASON_MAX];
    uint8_t header[SDB_WAL_SEGMENT_HEADER_SIZE];
    size_t nread;

    sdb_file_close(r->file);
    r->file = NULL;
    r->window_len = 0;
    if (sdb_wal_segment_path(r->dir, segno, "", path, sizeof path) != SDB_OK)
        return READ_ERROR;
    r->file = sdb_file_open(path, SDB_FILE_READ_ONLY);
    if (r->file == NULL) {
        if (sdb_error_last()->code != SDB_ERR_UNDEFINED_FILE)
            return READ_ERROR;
        sdb_error_clear();
        return end_of_wal(r, "segment %" PRIu64 " does not exist", segno);
    }
    r->segno = segno;
    if (sdb_file_read_upto(r->file, header, sizeof header, 0, &nread) != SDB_OK)
        return READ_ERROR;
    if (nread < sizeof header)
        return end_of_wal(r, "segment %" PRIu64 " is too short for its header", segno);
    if (!sdb_wal_check_segment_header(header, segno, &r->cfg, reason, sizeof reason))
        return end_of_wal(r, "%s", reason);
    return READ_OK;
}

/* Copy `len` stream bytes at *pos into `dst`, skipping the header at the
 * start of each segment (checking it on the way in); advances *pos. */
static ReadResult read_stream(SdbWalReader *r, SdbLsn *pos, uint8_t *dst, size_t len)
{
    uint32_t segsize = r->cfg.segment_size;
    char at[24];

    while (len > 0) {
        uint64_t segno = sdb_wal_segment_of(*pos, segsize);
        if (r->file == NULL || r->segno != segno) {
            ReadResult res = enter_segment(r, segno);
            if (res != READ_OK)
                return res;
        }
        if (*pos % segsize < SDB_WAL_SEGMENT_HEADER_SIZE)
            *pos = sdb_wal_segment_start(segno, segsize) + SDB_WAL_SEGMENT_HEADER_SIZE;
        if (*pos < r->window_start || *pos >= r->window_start + r->window_len) {
            uint32_t off = (uint32_t)(*pos % segsize);
            size_t want = segsize - off < WINDOW_SIZE ? segsize - off : WINDOW_SIZE;
            if (sdb_file_read_upto(r->file, r->window, want, off, &r->window_len) != SDB_OK)
                return READ_ERROR;
            r->window_start = *pos;
            if (r->window_len == 0)
                return end_of_wal(r, "segment %" PRIu64 " ends before %s", segno, sdb_lsn_format(*pos, at));
        }
        size_t avail = r->window_start + r->window_len - *pos;
        size_t n = len < avail ? len : avail;
        memcpy(dst, r->window + (*pos - r->window_start), n);
        dst += n;
        len -= n;
        *pos += n;
    }
    return READ_OK;
}

static int grow_record_buffer(SdbWalReader *r, size_t len)
{
    if (len <= r->rec_cap)
        return SDB_OK;
    size_t cap = r->rec_cap ? r->rec_cap : 8192;
    while (cap < len)
        cap *= 2;
    uint8_t *grown = sdb_realloc(r->rec_buf, cap);
    if (grown == NULL)
        return SDB_ERROR;
    r->rec_buf = grown;
    r->rec_cap = cap;
    return SDB_OK;
}

/* Read the record at r->next_lsn into r->rec. */
static ReadResult read_record(SdbWalReader *r)
{
    uint32_t segsize = r->cfg.segment_size;
    SdbLsn pos = r->next_lsn;
    SdbLsn start = pos % segsize == 0 ? pos + SDB_WAL_SEGMENT_HEADER_SIZE : pos;
    char at[24], prev[24], reason[REASON_MAX];
    ReadResult res;

    if (grow_record_buffer(r, SDB_WAL_RECORD_HEADER_SIZE) != SDB_OK)
        return READ_ERROR;
    res = read_stream(r, &pos, r->rec_buf, SDB_WAL_RECORD_HEADER_SIZE);
    if (res != READ_OK)
        return res;
    uint32_t total = sdb_wal_get32(r->rec_buf + SDB_WAL_REC_TOTAL_LEN);
    if (total < SDB_WAL_RECORD_HEADER_SIZE || total > SDB_WAL_MAX_RECORD_SIZE)
        return end_of_wal(r, "invalid record length %" PRIu32 " at %s", total, sdb_lsn_format(start, at));
    SdbLsn prev_lsn = sdb_wal_get64(r->rec_buf + SDB_WAL_REC_PREV_LSN);
    if ((r->last_lsn != SDB_INVALID_LSN && prev_lsn != r->last_lsn) || prev_lsn >= start)
        return end_of_wal(r, "record with incorrect prev-link %s at %s", sdb_lsn_format(prev_lsn, prev),
                          sdb_lsn_format(start, at));
    if (grow_record_buffer(r, total) != SDB_OK)
        return READ_ERROR;
    res = read_stream(r, &pos, r->rec_buf + SDB_WAL_RECORD_HEADER_SIZE, total - SDB_WAL_RECORD_HEADER_SIZE);
    if (res == READ_END)
        return end_of_wal(r, "record at %s of %" PRIu32 " bytes is cut short: %s", sdb_lsn_format(start, at),
                          total, strcpy(reason, r->reason));
    if (res != READ_OK)
        return res;
    if (!decode_record(r->rec_buf, total, start, &r->rec, reason, sizeof reason))
        return end_of_wal(r, "invalid record at %s: %s", sdb_lsn_format(start, at), reason);
    r->rec.end_lsn = SDB_WAL_ALIGN_UP(pos);
    r->last_lsn = start;
    r->next_lsn = r->rec.end_lsn;
    return READ_OK;
}

int sdb_wal_reader_next(SdbWalReader *r, const SdbWalRecord **rec)
{
    *rec = NULL;
    if (r->at_end)
        return SDB_OK;
    switch (read_record(r)) {
    case READ_OK:
        *rec = &r->rec;
        return SDB_OK;
    case READ_END:
        return SDB_OK;
    default:
        return SDB_ERROR;
    }
}

SdbLsn sdb_wal_reader_end_lsn(const SdbWalReader *r)
{
    return r->next_lsn;
}

SdbLsn sdb_wal_reader_last_lsn(const SdbWalReader *r)
{
    return r->last_lsn;
}

const char *sdb_wal_reader_end_reason(const SdbWalReader *r)
{
    return r->at_end ? r->reason : "";
}
