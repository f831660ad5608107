/*
 * storage/wal_format.h: private to the WAL module (wal.c, walreader.c,
 * walarchive.c): the on-disk encoding of segment headers and record headers,
 * little-endian field access, and segment file paths.  Other modules use
 * wal.h only.
 *
 * Segment header (SDB_WAL_SEGMENT_HEADER_SIZE = 40 bytes, at offset 0 of
 * every segment file):
 *    0 u32 magic (SDB_WAL_SEGMENT_MAGIC)   4 u32 format (SDB_WAL_FORMAT_VERSION)
 *    8 u64 segment number                 16 u32 page size
 *   20 u32 segment size                   24 u64 system id
 *   32 u32 CRC-32C of bytes 0..31         36 u32 zero
 *
 * Record header (SDB_WAL_RECORD_HEADER_SIZE = 32 bytes):
 *    0 u32 total_len   4 u32 crc   8 u64 prev_lsn   16 u64 xid
 *   24 u8 rmgr   25 u8 info   26 u16 block_count   28 u32 main_len
 * The CRC is CRC-32C over bytes 32..total_len-1, continued over the 32 header
 * bytes with the crc field zero.
 *
 * Block header (SDB_WAL_BLOCK_HEADER_SIZE = 24 bytes), then image, then data:
 *    0 u32 db_oid   4 u32 rel_number   8 u32 block   12 u8 fork   13 u8 flags
 *   14 u16 data_len   16 u16 image_len   18 u16 hole_offset   20 u16 hole_len
 *   22 u16 zero
 */
#ifndef SDB_WAL_FORMAT_H
#define SDB_WAL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/wal.h"

#define SDB_WAL_ALIGN_UP(x) (((x) + (SDB_WAL_ALIGN - 1)) & ~(uint64_t)(SDB_WAL_ALIGN - 1))

/* Offsets of the record header fields. */
#define SDB_WAL_REC_TOTAL_LEN 0
#define SDB_WAL_REC_CRC 4
#define SDB_WAL_REC_PREV_LSN 8
#define SDB_WAL_REC_XID 16
#define SDB_WAL_REC_RMGR 24
#define SDB_WAL_REC_INFO 25
#define SDB_WAL_REC_BLOCK_COUNT 26
#define SDB_WAL_REC_MAIN_LEN 28

/* Offsets of the block header fields. */
#define SDB_WAL_BLK_DB_OID 0
#define SDB_WAL_BLK_REL_NUMBER 4
#define SDB_WAL_BLK_BLOCK 8
#define SDB_WAL_BLK_FORK 12
#define SDB_WAL_BLK_FLAGS 13
#define SDB_WAL_BLK_DATA_LEN 14
#define SDB_WAL_BLK_IMAGE_LEN 16
#define SDB_WAL_BLK_HOLE_OFFSET 18
#define SDB_WAL_BLK_HOLE_LEN 20

static inline void sdb_wal_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void sdb_wal_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void sdb_wal_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t sdb_wal_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t sdb_wal_get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline uint64_t sdb_wal_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* CRC of a record whose payload (bytes after the header) has CRC
 * `payload_crc`: continues over `header` with its crc field taken as zero. */
uint32_t sdb_wal_record_crc(uint32_t payload_crc, const uint8_t header[SDB_WAL_RECORD_HEADER_SIZE]);

/* Encode the header of segment `segno` for the WAL described by `cfg`. */
void sdb_wal_encode_segment_header(uint8_t out[SDB_WAL_SEGMENT_HEADER_SIZE], uint64_t segno,
                                   const SdbWalConfig *cfg);

/* True when `in` is the valid header of segment `segno` of the WAL described
 * by `cfg`; otherwise false with the reason (e.g. "segment number 3 in the
 * header of segment 7") written into reason[size]. */
bool sdb_wal_check_segment_header(const uint8_t in[SDB_WAL_SEGMENT_HEADER_SIZE], uint64_t segno,
                                  const SdbWalConfig *cfg, char *reason, size_t size);

/* Write "<dir>/<segment name><suffix>" into buf[size]; SDB_ERROR (name too
 * long) when it does not fit. */
int sdb_wal_segment_path(const char *dir, uint64_t segno, const char *suffix, char *buf, size_t size);

/* Rename `from` to `to` (replacing it), reporting failure with both names
 * and errno. */
int sdb_wal_rename(const char *from, const char *to);

#endif /* SDB_WAL_FORMAT_H */
