/*
 * storage/wal.h: the write-ahead log.
 *
 * Owns: building records (block references, full-page images, per-block and
 * main data), inserting them into the in-memory WAL buffer, flushing with
 * group commit, WAL segment files (creation ahead of need, recycling,
 * removal), reading records back in order (SdbWalReader, which finds where
 * valid WAL ends), decoding a record and restoring a full-page image, and
 * archiving segments with zstd.
 *
 * The stream.  An LSN is a byte position in the WAL stream.  The stream is cut
 * into segment files of `segment_size` bytes named by 16 hex digits of the
 * segment number (LSN / segment_size), e.g. wal/000000000000002A.  Every
 * segment starts with an SDB_WAL_SEGMENT_HEADER_SIZE-byte header (magic,
 * format, segment number, page size, segment size, system id, CRC); records
 * follow, 8-byte aligned, and may continue across a segment boundary (the
 * continuation resumes after the next segment's header).  The first record of
 * a new database is at SDB_WAL_FIRST_LSN.  The record format is in
 * runtime/storage/README.md ("WAL record format").
 *
 * Writing a change (the caller holds the page's exclusive latch):
 *
 *     SdbWalBuilder b;
 *     sdb_wal_begin(&b);
 *     sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, blkno, page, 0);   // block 0
 *     sdb_wal_add_block_data(&b, 0, &item, sizeof item);
 *     sdb_wal_add_data(&b, &xlrec, sizeof xlrec);
 *     SdbLsn lsn = sdb_wal_insert(wal, &b, SDB_RMGR_HEAP, HEAP_INSERT, xid);
 *     if (lsn == SDB_INVALID_LSN) -> error recorded
 *     sdb_page_set_lsn(page, lsn);
 *
 * Durability: sdb_wal_flush(wal, lsn) returns once the stream up to `lsn` is
 * on stable storage.  After a failed write or fsync the WAL is "failed": every
 * later insert and flush fails with the original error until the process
 * reopens the WAL (after a failed fsync the kernel may have dropped the dirty
 * pages, so retrying could report durability falsely).
 *
 * Thread-safety: an SdbWal is shared by all threads; every function taking
 * one is thread-safe unless its comment says otherwise.  An SdbWalBuilder and
 * an SdbWalReader belong to one thread at a time.
 */
#ifndef SDB_WAL_H
#define SDB_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdb_settings.h"
#include "storage/types.h"

/* ---- stream layout ------------------------------------------------------- */

#define SDB_WAL_SEGMENT_HEADER_SIZE 40u
#define SDB_WAL_FIRST_LSN ((SdbLsn)SDB_WAL_SEGMENT_HEADER_SIZE)
#define SDB_WAL_RECORD_HEADER_SIZE 32u
#define SDB_WAL_BLOCK_HEADER_SIZE 24u
#define SDB_WAL_ALIGN 8u
#define SDB_WAL_FORMAT_VERSION 1u
#define SDB_WAL_SEGMENT_MAGIC 0x4C415753u /* "SWAL" little-endian */

/* Segment sizes this module accepts: powers of two in this range (the
 * wal_segment_size setting allows 1 MB and up; tests use smaller ones). */
#define SDB_WAL_MIN_SEGMENT_SIZE (64u * 1024u)
#define SDB_WAL_MAX_SEGMENT_SIZE (1024u * 1024u * 1024u)

/* Limits of one record. */
#define SDB_WAL_MAX_BLOCKS 32                     /* block references */
#define SDB_WAL_MAX_CHUNKS 64                     /* add_block_data + add_data calls */
#define SDB_WAL_MAX_BLOCK_DATA 65535u             /* bytes of data per block */
#define SDB_WAL_MAX_RECORD_SIZE (256u * 1024u * 1024u)

/* Length of a segment file name (without NUL). */
#define SDB_WAL_SEGMENT_NAME_LEN 16

/* Segment number holding `lsn`, and the LSN where segment `segno` starts. */
static inline uint64_t sdb_wal_segment_of(SdbLsn lsn, uint32_t segment_size)
{
    return lsn / segment_size;
}

static inline SdbLsn sdb_wal_segment_start(uint64_t segno, uint32_t segment_size)
{
    return (SdbLsn)segno * segment_size;
}

/* Write the 16-hex-digit file name of segment `segno` into `buf` (at least
 * SDB_WAL_SEGMENT_NAME_LEN + 1 bytes), NUL-terminated. */
void sdb_wal_segment_name(uint64_t segno, char *buf);

/* Format an LSN as PostgreSQL does ("16/B374D848": high and low 32 bits in
 * hex) into `buf` (at least 18 bytes); returns buf. */
char *sdb_lsn_format(SdbLsn lsn, char *buf);

/* ---- configuration ------------------------------------------------------- */

typedef struct SdbWalConfig {
    const char *dir;       /* the WAL folder (DIR/wal); copied at open */
    uint64_t system_id;    /* from the control file; stamped in segment headers */
    uint32_t segment_size; /* bytes: power of two, MIN..MAX_SEGMENT_SIZE */
    uint32_t block_size;   /* page size in bytes (sdb_page_size_valid) */
    size_t buffer_size;    /* wal_buffers in bytes (at least 64 kB) */
    bool fsync;            /* false: flushes write but never sync */
    SdbSetting_wal_sync_method sync_method;
    bool full_page_writes;
    SdbSetting_wal_compression compression; /* of full-page images */
    int64_t commit_delay_us;                /* flusher waits this long for company */
    uint64_t min_wal_size;                  /* bytes of segments kept for recycling */
    bool archive; /* copy each segment to DIR/wal/archive before removing it */
} SdbWalConfig;

/* Fill `cfg` from settings (converting kB/MB to bytes): wal_segment_size,
 * block_size, wal_buffers, fsync, wal_sync_method, full_page_writes,
 * wal_compression, commit_delay, min_wal_size; archive = false (no setting
 * yet).  `dir` is borrowed and must outlive the open call. */
void sdb_wal_config_from_settings(SdbWalConfig *cfg, const SdbSettings *settings, const char *dir,
                                  uint64_t system_id);

/* ---- open / create / close ------------------------------------------------- */

typedef struct SdbWal SdbWal;

/* Create the WAL of a new database: make `cfg->dir` (and its archive/
 * subfolder) if missing, write segment 0 with its header (fsynced, then the
 * folder fsynced) and preallocate segment 1.  Fails (SDB_ERR_DUPLICATE_FILE)
 * when segment 0 already exists.  On success *out is an open WAL whose next
 * record goes to SDB_WAL_FIRST_LSN; the caller closes it. */
int sdb_wal_create(const SdbWalConfig *cfg, SdbWal **out);

/* Open an existing WAL for insertion at `end_lsn`, the end of valid WAL that
 * an SdbWalReader reported (sdb_wal_reader_end_lsn), with `last_record_lsn`
 * the start of the last valid record (sdb_wal_reader_last_lsn; becomes the
 * prev_lsn of the next record; SDB_INVALID_LSN when there is none).  Whatever
 * follows end_lsn is discarded so it can never be mistaken for valid WAL
 * later: the rest of that segment is zeroed and later segment files are
 * removed (all durably).  Both LSNs come from the reader, so they are
 * consistent; a bad end_lsn (inside a segment header) is refused. */
int sdb_wal_open(const SdbWalConfig *cfg, SdbLsn end_lsn, SdbLsn last_record_lsn, SdbWal **out);

/* Flush everything inserted, then close the files and free `wal` (NULL is a
 * no-op).  Returns SDB_ERROR when that last flush or a close failed (the WAL
 * is freed anyway).  No other thread may use `wal` any more. */
int sdb_wal_close(SdbWal *wal);

/* Apply the reloadable / session settings: fsync, wal_sync_method,
 * full_page_writes, wal_compression, commit_delay, min_wal_size.  Takes
 * effect for later inserts and flushes. */
void sdb_wal_reload(SdbWal *wal, const SdbSettings *settings);

/* ---- building and inserting records ------------------------------------------ */

/* Flags of sdb_wal_add_block. */
#define SDB_WAL_WILL_INIT 0x01u   /* redo rebuilds the page from the record alone:
                                     never attach an image; `page` may be NULL */
#define SDB_WAL_FORCE_IMAGE 0x02u /* always attach an image (e.g. pages changed
                                     without a redo routine of their own) */

typedef struct SdbWalBuilderBlock {
    SdbRelFileId relfile;
    SdbFork fork;
    SdbBlockNo block;
    const void *page; /* the page as it is now, under the caller's latch */
    unsigned flags;   /* SDB_WAL_WILL_INIT, SDB_WAL_FORCE_IMAGE */
    uint32_t data_len;
} SdbWalBuilderBlock;

typedef struct SdbWalChunk {
    const void *data;
    uint32_t len;
    int block; /* index of the block it belongs to, or -1 for main data */
} SdbWalChunk;

/* One record being put together: lives on the caller's stack (about 3 kB) or
 * in an arena, used by one thread.  It only keeps pointers: pages and data
 * must stay unchanged until sdb_wal_insert returns.  Misuse (too many blocks
 * or chunks, a bad block index, too much data) is remembered and reported by
 * sdb_wal_insert, so callers check only that. */
typedef struct SdbWalBuilder {
    int block_count;
    int chunk_count;
    uint64_t main_len;
    const char *misuse; /* first misuse, or NULL */
    SdbWalBuilderBlock blocks[SDB_WAL_MAX_BLOCKS];
    SdbWalChunk chunks[SDB_WAL_MAX_CHUNKS];
} SdbWalBuilder;

/* Start an empty record in `b` (forgetting anything added before). */
void sdb_wal_begin(SdbWalBuilder *b);

/* Add a reference to block `block` of fork `fork` of `relfile`.  Blocks are
 * numbered 0, 1, ... in the order they are added; the decoded record lists
 * them in that order (SdbWalRecord.blocks[i]).  `page` is the page with the
 * change already applied, as PostgreSQL does it: under the exclusive latch,
 * change the page, insert the record, set the page LSN.  A full-page image,
 * if one is attached, is copied from `page` during sdb_wal_insert (so it
 * includes the change, and redo of an imaged block just restores it). */
void sdb_wal_add_block(SdbWalBuilder *b, SdbRelFileId relfile, SdbFork fork, SdbBlockNo block,
                       const void *page, unsigned flags);

/* Append `len` bytes at `data` to the data of block `block_index`.  The data
 * of a block is stored even when an image is attached (redo of an image
 * ignores it; logical replication may not). */
void sdb_wal_add_block_data(SdbWalBuilder *b, int block_index, const void *data, size_t len);

/* Append `len` bytes at `data` to the record's main data. */
void sdb_wal_add_data(SdbWalBuilder *b, const void *data, size_t len);

/* Insert the record built in `b` with resource manager `rmgr` (SdbRmgrId),
 * rmgr-specific `info` and transaction `xid` (SDB_INVALID_XID when none).
 * A full-page image is attached to each block with FORCE_IMAGE, or, when
 * full_page_writes is on and the block is not WILL_INIT, whose page LSN is
 * <= the redo LSN of the last checkpoint (its first change since then).
 * Images omit the free hole between the page's lower and upper bounds and are
 * zstd-compressed when wal_compression = zstd (kept raw if that is not
 * smaller).  Returns the end LSN of the record (the aligned position after
 * it: what the caller stores in the page LSN and passes to sdb_wal_flush),
 * or SDB_INVALID_LSN after recording the error (misuse of the builder:
 * SDB_ERR_INTERNAL_ERROR; the WAL has failed; an I/O error while making room
 * in the WAL buffer; out of memory).  The record is not durable until
 * flushed.  Thread-safe; concurrent inserts are ordered by LSN. */
SdbLsn sdb_wal_insert(SdbWal *wal, SdbWalBuilder *b, uint8_t rmgr, uint8_t info, SdbXid xid);

/* ---- flushing ------------------------------------------------------------- */

/* Return once the stream up to `lsn` (clamped to what was inserted) is
 * durable: written and, with fsync on, synced with wal_sync_method (with
 * fsync off, only written).  Group commit: one caller becomes the flusher
 * and writes and syncs everything inserted so far (after waiting
 * commit_delay microseconds for more committers, if set), the others wait
 * and are released by its sync.  On failure every waiting and later caller
 * gets SDB_ERROR with the error (file, offset, errno) recorded, and the WAL
 * stays failed. */
int sdb_wal_flush(SdbWal *wal, SdbLsn lsn);

/* Where the next record will be inserted (the end of everything inserted). */
SdbLsn sdb_wal_insert_lsn(SdbWal *wal);

/* Everything before this LSN is durable. */
SdbLsn sdb_wal_flushed_lsn(SdbWal *wal);

/* True once a write or sync failed (see the header comment). */
bool sdb_wal_failed(SdbWal *wal);

/* ---- checkpoints and segments ---------------------------------------------- */

/* Make the current insert position the redo point of a checkpoint that is
 * starting, and return it: from now on, the first change to any page whose
 * LSN is <= this position logs a full-page image.  Records inserted
 * concurrently are either before the returned LSN or take the new redo point
 * into account. */
SdbLsn sdb_wal_begin_redo_point(SdbWal *wal);

/* Set the redo LSN used for full-page-image decisions (recovery: the redo
 * LSN of the last checkpoint, from the control file). */
void sdb_wal_set_redo_lsn(SdbWal *wal, SdbLsn redo_lsn);

typedef struct SdbWalRemoveResult {
    uint32_t recycled; /* renamed to future segment names */
    uint32_t removed;  /* deleted */
    uint32_t archived; /* copied to the archive first (cfg.archive) */
} SdbWalRemoveResult;

/* Get rid of the segments that lie wholly before `redo_lsn` (no longer needed
 * for crash recovery), never one at or after the flushed LSN: enough of them
 * are renamed to future segment names to keep about min_wal_size of segment
 * files ahead of the insert position, the rest are deleted; with
 * cfg.archive each is archived first.  Durable (folder fsynced).  Counts go
 * to *result (may be NULL).  Call it from one thread at a time (the
 * checkpointer). */
int sdb_wal_remove_old(SdbWal *wal, SdbLsn redo_lsn, SdbWalRemoveResult *result);

/* ---- counters ------------------------------------------------------------- */

typedef struct SdbWalStats {
    uint64_t records;        /* records inserted */
    uint64_t bytes;          /* bytes of records inserted (with alignment) */
    uint64_t fpi;            /* full-page images attached */
    uint64_t fpi_bytes;      /* bytes of those images as stored */
    uint64_t flush_requests; /* sdb_wal_flush calls */
    uint64_t writes;         /* write passes over the buffer (each may be a batch) */
    uint64_t syncs;          /* fsync/fdatasync calls on WAL segments */
    uint64_t buffer_full_writes; /* writes forced by a full WAL buffer */
    uint64_t flush_gathers;      /* syncs delayed to let more committers join (group commit) */
    uint64_t flush_gather_timeouts; /* of those, how many gave up before the group was complete */
    uint64_t segments_created;
    uint64_t segments_recycled;
    uint64_t segments_removed;
    uint64_t segments_archived;
} SdbWalStats;

/* A snapshot of the counters (each read atomically; not one instant). */
void sdb_wal_stats(SdbWal *wal, SdbWalStats *out);

/* ---- decoded records --------------------------------------------------------- */

/* Flags of a block reference on disk (SdbWalBlockRef.flags). */
#define SDB_WAL_BLOCK_HAS_IMAGE 0x01u
#define SDB_WAL_BLOCK_WILL_INIT 0x02u
#define SDB_WAL_BLOCK_HAS_DATA 0x04u
#define SDB_WAL_BLOCK_IMAGE_ZSTD 0x08u /* image is zstd-compressed */

typedef struct SdbWalBlockRef {
    SdbRelFileId relfile;
    SdbFork fork;
    SdbBlockNo block;
    uint8_t flags;           /* SDB_WAL_BLOCK_* */
    const uint8_t *image;    /* stored image bytes (hole removed, maybe
                                compressed), NULL without HAS_IMAGE */
    uint16_t image_len;      /* stored bytes */
    uint16_t hole_offset;    /* where the removed hole was */
    uint16_t hole_len;       /* its length (0: no hole) */
    const uint8_t *data;     /* block data, NULL when data_len is 0 */
    uint16_t data_len;
} SdbWalBlockRef;

/* One record as read back.  Pointers point into the buffer it was decoded
 * from (the reader's: valid until its next call). */
typedef struct SdbWalRecord {
    SdbLsn lsn;      /* where it starts */
    SdbLsn end_lsn;  /* aligned end: the LSN sdb_wal_insert returned for it */
    SdbLsn prev_lsn; /* start of the record before it (0 for the first) */
    SdbXid xid;
    uint32_t total_len; /* bytes of the record (header included, unaligned) */
    uint8_t rmgr;       /* SdbRmgrId */
    uint8_t info;
    uint16_t block_count;
    SdbWalBlockRef blocks[SDB_WAL_MAX_BLOCKS];
    const uint8_t *main_data; /* NULL when main_len is 0 */
    uint32_t main_len;
} SdbWalRecord;

/* Decode the `len` bytes of one whole record at `buf` (as shipped by a
 * future replication layer, or read by the reader) into `rec`, checking the
 * CRC, that the lengths add up, the rmgr id and every block's fields.
 * `lsn` is the record's start LSN (copied to rec->lsn; 0 when unknown);
 * rec->end_lsn is left 0 (it depends on segment boundaries; the reader sets
 * it).  `buf` must outlive `rec`.  SDB_ERR_DATA_CORRUPTED on any mismatch. */
int sdb_wal_decode(const uint8_t *buf, size_t len, SdbLsn lsn, SdbWalRecord *rec);

/* Rebuild a page of `block_size` bytes from the image of `ref` into `page`
 * (decompressing and re-inserting the zeroed hole).  SDB_ERR_DATA_CORRUPTED
 * when the image does not expand to exactly one page. */
int sdb_wal_restore_image(const SdbWalBlockRef *ref, void *page, uint32_t block_size);

/* ---- reading ------------------------------------------------------------- */

typedef struct SdbWalReader SdbWalReader;

/* Start reading the WAL in `cfg->dir` (using cfg's segment_size, block_size
 * and system_id to check segment headers) at `start_lsn`, which must be the
 * start of a record (or the insert position at that time, e.g. a redo LSN).
 * No file is touched before the first sdb_wal_reader_next.  *out is owned by
 * the caller (sdb_wal_reader_close). */
int sdb_wal_reader_open(const SdbWalConfig *cfg, SdbLsn start_lsn, SdbWalReader **out);

/* Read the next record: SDB_OK with *rec set (valid until the next call), or
 * SDB_OK with *rec = NULL at the end of valid WAL, which is the first place
 * where the bytes are not a valid record: zeroes, a length out of bounds, a
 * record cut short (partial write, missing next segment), a CRC mismatch, a
 * prev_lsn that does not point at the record before (a stale record from an
 * older life of a recycled segment) or a segment header that does not belong
 * (wrong magic, number, sizes or system id).  Once at the end it stays there.
 * SDB_ERROR only for a real I/O error (the error is recorded). */
int sdb_wal_reader_next(SdbWalReader *r, const SdbWalRecord **rec);

/* After the end was reached: where valid WAL ends (the next record's
 * position) and the start of the last valid record (SDB_INVALID_LSN if none
 * was read); exactly what sdb_wal_open needs.  Before the end: the position
 * after the last record returned, and that record's start. */
SdbLsn sdb_wal_reader_end_lsn(const SdbWalReader *r);
SdbLsn sdb_wal_reader_last_lsn(const SdbWalReader *r);

/* Why reading stopped, for the recovery log, e.g.
 * "invalid record length 0 at 0/1A2B38" or "" before the end. */
const char *sdb_wal_reader_end_reason(const SdbWalReader *r);

void sdb_wal_reader_close(SdbWalReader *r);

/* ---- archive ---------------------------------------------------------------- */

/* Copy segment `segno` of the WAL in `wal_dir` to
 * `wal_dir`/archive/<name>.zst, zstd-compressed (streaming, level 3),
 * atomically: written to a .tmp file, fsynced, renamed, folder fsynced.  An
 * existing archive file is replaced.  Thread-safe (different segments). */
int sdb_wal_archive_segment(const char *wal_dir, uint64_t segno);

/* The reverse: decompress `wal_dir`/archive/<name of segno>.zst to
 * `dest_path` (tmp + fsync + rename), e.g. back into the WAL folder for
 * point-in-time recovery.  SDB_ERR_DATA_CORRUPTED when the archive file is
 * not valid zstd. */
int sdb_wal_unarchive_segment(const char *wal_dir, uint64_t segno, const char *dest_path);

#endif /* SDB_WAL_H */
