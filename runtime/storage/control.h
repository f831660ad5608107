/*
 * storage/control.h: the control file, DIR/global/control.
 *
 * Owns the one small file that says what a data directory is: its format
 * version, page size and WAL segment size (fixed at init), a random system
 * identifier, whether it was shut down cleanly, where the last checkpoint is
 * and the next xid and oid to hand out.  On disk it is exactly
 * SDB_CONTROL_FILE_SIZE bytes, little-endian, protected by a CRC-32C, and is
 * only ever replaced atomically (sdb_file_replace), so it is never torn.
 *
 * On-disk layout (byte offsets):
 *    0 u32 magic             SDB_CONTROL_MAGIC
 *    4 u32 version           SDB_CONTROL_VERSION
 *    8 u32 page_size         bytes
 *   12 u32 wal_segment_size  bytes
 *   16 u64 system_id
 *   24 u32 state            SdbDbState
 *   28 u32 next_oid
 *   32 u64 checkpoint_lsn
 *   40 u64 checkpoint_redo_lsn
 *   48 u64 next_xid
 *   56 i64 checkpoint_time  SdbTimestamp
 *   64 .. 507 zero
 *  508 u32 crc              CRC-32C of bytes 0..507
 */
#ifndef SDB_CONTROL_H
#define SDB_CONTROL_H

#include <stdint.h>

#include "storage/types.h"

#define SDB_CONTROL_FILE_SIZE 512
#define SDB_CONTROL_MAGIC 0x4C544353u /* "SCTL" little-endian */
#define SDB_CONTROL_VERSION 1
#define SDB_CONTROL_PATH "global/control" /* relative to the data directory */

/* First OID handed out to user objects (PostgreSQL's FirstNormalObjectId). */
#define SDB_FIRST_NORMAL_OID 16384u

typedef enum SdbDbState {
    SDB_DB_SHUT_DOWN = 1,     /* shut down cleanly: no recovery needed */
    SDB_DB_IN_PRODUCTION = 2, /* running (or crashed while running) */
    SDB_DB_IN_RECOVERY = 3    /* replaying WAL (or crashed while doing so) */
} SdbDbState;

typedef struct SdbControlData {
    uint32_t version;
    uint32_t page_size;
    uint32_t wal_segment_size;
    uint64_t system_id;
    SdbDbState state;
    SdbLsn checkpoint_lsn;      /* start of the last checkpoint record */
    SdbLsn checkpoint_redo_lsn; /* where redo starts for that checkpoint */
    SdbXid next_xid;
    uint32_t next_oid;
    SdbTimestamp checkpoint_time; /* when the last checkpoint was taken */
} SdbControlData;

/* Fill `control` for a new data directory: current version, the given page
 * size and WAL segment size (both in bytes), a random 64-bit system id
 * (from getrandom), state SHUT_DOWN, no checkpoint (LSNs 0), next_xid
 * SDB_FIRST_NORMAL_XID, next_oid SDB_FIRST_NORMAL_OID, time now.  Fails
 * (SDB_ERR_INVALID_PARAMETER_VALUE) when the sizes break the rules of
 * sdb_control_check. */
int sdb_control_init(SdbControlData *control, uint32_t page_size, uint32_t wal_segment_size);

/* Write DIR/global/control for a new data directory (creating DIR/global if
 * needed).  Fails with SDB_ERR_DUPLICATE_FILE if it already exists. */
int sdb_control_create(const char *datadir, const SdbControlData *control);

/* Read and check DIR/global/control into `control`.  Errors: missing file
 * (58P01), short or corrupt file (SDB_ERR_DATA_CORRUPTED naming the file),
 * wrong magic (SDB_ERR_DATA_CORRUPTED, "not a specdb control file"), another
 * format version (SDB_ERR_SYSTEM_ERROR "database files are incompatible with
 * server", DETAIL with both versions, HINT), and what sdb_control_check
 * refuses. */
int sdb_control_read(const char *datadir, SdbControlData *control);

/* Replace DIR/global/control with `control`, atomically and durably
 * (tmp file, fsync, rename, fsync global/).  The caller serialises updates. */
int sdb_control_update(const char *datadir, const SdbControlData *control);

/* Check the fields a server depends on: page size a power of two in
 * 4096..32768 and WAL segment size a power of two in 1 MiB..1 GiB, at least
 * the page size (else SDB_ERR_SYSTEM_ERROR "database files are incompatible
 * with server", DETAIL naming `path` and the value), and a known state
 * (else SDB_ERR_DATA_CORRUPTED naming `path`). */
int sdb_control_check(const SdbControlData *control, const char *path);

/* Encode / decode the on-disk image.  Decode checks magic, format version
 * and CRC (errors as for sdb_control_read, `path` naming the file), not the
 * field values.  Exposed for tests and tools. */
void sdb_control_encode(const SdbControlData *control, uint8_t out[SDB_CONTROL_FILE_SIZE]);
int sdb_control_decode(const uint8_t in[SDB_CONTROL_FILE_SIZE], SdbControlData *control, const char *path);

/* "shut down", "in production", "in recovery" (or "unknown"). */
const char *sdb_control_state_name(SdbDbState state);

#endif /* SDB_CONTROL_H */
