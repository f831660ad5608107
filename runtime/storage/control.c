/*
 * storage/control.c: the control file DIR/global/control, see control.h.
 *
 * Owns the on-disk encoding (little-endian, fixed offsets, CRC-32C in the
 * last 4 bytes), the compatibility checks done when a data directory is
 * opened, and creating/replacing the file.
 */
#include "storage/control.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "storage/crc32c.h"
#include "storage/fileio.h"
#include "storage/page.h"

#define OFF_MAGIC 0
#define OFF_VERSION 4
#define OFF_PAGE_SIZE 8
#define OFF_WAL_SEGMENT_SIZE 12
#define OFF_SYSTEM_ID 16
#define OFF_STATE 24
#define OFF_NEXT_OID 28
#define OFF_CHECKPOINT_LSN 32
#define OFF_CHECKPOINT_REDO_LSN 40
#define OFF_NEXT_XID 48
#define OFF_CHECKPOINT_TIME 56
#define OFF_CRC (SDB_CONTROL_FILE_SIZE - 4)

#define MIN_WAL_SEGMENT_SIZE (1u << 20)
#define MAX_WAL_SEGMENT_SIZE (1u << 30)

/* Seconds from the Unix epoch to 2000-01-01 00:00 UTC (SdbTimestamp's). */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static void control_path(const char *datadir, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", datadir, SDB_CONTROL_PATH);
}

const char *sdb_control_state_name(SdbDbState state)
{
    switch (state) {
    case SDB_DB_SHUT_DOWN:
        return "shut down";
    case SDB_DB_IN_PRODUCTION:
        return "in production";
    case SDB_DB_IN_RECOVERY:
        return "in recovery";
    }
    return "unknown";
}

/* The main message of every incompatibility; the caller adds the detail. */
static void report_incompatible(void)
{
    sdb_error(SDB_ERR_SYSTEM_ERROR, "database files are incompatible with server");
}

int sdb_control_check(const SdbControlData *control, const char *path)
{
    if (!sdb_page_size_valid(control->page_size)) {
        report_incompatible();
        sdb_error_detail("The data directory (control file \"%s\") was initialized with a page size of %u bytes, "
                         "but the server supports powers of two from %u to %u.",
                         path, control->page_size, SDB_PAGE_MIN_SIZE, SDB_PAGE_MAX_SIZE);
        return SDB_ERROR;
    }
    if (!is_power_of_two(control->wal_segment_size) || control->wal_segment_size < MIN_WAL_SEGMENT_SIZE ||
        control->wal_segment_size > MAX_WAL_SEGMENT_SIZE || control->wal_segment_size < control->page_size) {
        report_incompatible();
        sdb_error_detail("The data directory (control file \"%s\") has a WAL segment size of %u bytes, but the "
                         "server supports powers of two from %u to %u bytes, at least the page size.",
                         path, control->wal_segment_size, MIN_WAL_SEGMENT_SIZE, MAX_WAL_SEGMENT_SIZE);
        return SDB_ERROR;
    }
    if (control->state != SDB_DB_SHUT_DOWN && control->state != SDB_DB_IN_PRODUCTION &&
        control->state != SDB_DB_IN_RECOVERY)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "control file \"%s\" contains invalid state %d", path,
                         (int)control->state);
    return SDB_OK;
}

int sdb_control_init(SdbControlData *control, uint32_t page_size, uint32_t wal_segment_size)
{
    memset(control, 0, sizeof *control);
    control->version = SDB_CONTROL_VERSION;
    control->page_size = page_size;
    control->wal_segment_size = wal_segment_size;
    control->state = SDB_DB_SHUT_DOWN;
    control->next_xid = SDB_FIRST_NORMAL_XID;
    control->next_oid = SDB_FIRST_NORMAL_OID;
    control->checkpoint_time = sdb_clock_now();
    if (sdb_control_check(control, SDB_CONTROL_PATH) != SDB_OK) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE,
                  "invalid page size %u or WAL segment size %u for a new data directory", page_size,
                  wal_segment_size);
        return SDB_ERROR;
    }
    ssize_t got;
    do {
        got = getrandom(&control->system_id, sizeof control->system_id, 0);
    } while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof control->system_id)
        return sdb_error_errno(got < 0 ? errno : EIO, "could not generate a random system identifier");
    return SDB_OK;
}

void sdb_control_encode(const SdbControlData *control, uint8_t out[SDB_CONTROL_FILE_SIZE])
{
    memset(out, 0, SDB_CONTROL_FILE_SIZE);
    put_u32(out + OFF_MAGIC, SDB_CONTROL_MAGIC);
    put_u32(out + OFF_VERSION, control->version);
    put_u32(out + OFF_PAGE_SIZE, control->page_size);
    put_u32(out + OFF_WAL_SEGMENT_SIZE, control->wal_segment_size);
    put_u64(out + OFF_SYSTEM_ID, control->system_id);
    put_u32(out + OFF_STATE, (uint32_t)control->state);
    put_u32(out + OFF_NEXT_OID, control->next_oid);
    put_u64(out + OFF_CHECKPOINT_LSN, control->checkpoint_lsn);
    put_u64(out + OFF_CHECKPOINT_REDO_LSN, control->checkpoint_redo_lsn);
    put_u64(out + OFF_NEXT_XID, control->next_xid);
    put_u64(out + OFF_CHECKPOINT_TIME, (uint64_t)control->checkpoint_time);
    put_u32(out + OFF_CRC, sdb_crc32c(0, out, OFF_CRC));
}

int sdb_control_decode(const uint8_t in[SDB_CONTROL_FILE_SIZE], SdbControlData *control, const char *path)
{
    uint32_t magic = get_u32(in + OFF_MAGIC);
    uint32_t version = get_u32(in + OFF_VERSION);
    if (magic != SDB_CONTROL_MAGIC)
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "\"%s\" is not a specdb control file (magic 0x%08X)", path,
                         magic);
    /* The version sits at a fixed place in every format, so check it before
     * the CRC, whose place may differ in another version. */
    if (version != SDB_CONTROL_VERSION) {
        report_incompatible();
        sdb_error_detail("The data directory was initialized with control file version %u (\"%s\"), but the "
                         "server was compiled with control file version %u.",
                         version, path, SDB_CONTROL_VERSION);
        sdb_error_hint("Use a specdb server that matches the data directory, or create a new one with specdb "
                       "init.");
        return SDB_ERROR;
    }
    uint32_t stored = get_u32(in + OFF_CRC);
    uint32_t computed = sdb_crc32c(0, in, OFF_CRC);
    if (stored != computed)
        return sdb_error(SDB_ERR_DATA_CORRUPTED,
                         "incorrect checksum in control file \"%s\" (stored 0x%08X, computed 0x%08X)", path, stored,
                         computed);
    memset(control, 0, sizeof *control);
    control->version = version;
    control->page_size = get_u32(in + OFF_PAGE_SIZE);
    control->wal_segment_size = get_u32(in + OFF_WAL_SEGMENT_SIZE);
    control->system_id = get_u64(in + OFF_SYSTEM_ID);
    control->state = (SdbDbState)get_u32(in + OFF_STATE);
    control->next_oid = get_u32(in + OFF_NEXT_OID);
    control->checkpoint_lsn = get_u64(in + OFF_CHECKPOINT_LSN);
    control->checkpoint_redo_lsn = get_u64(in + OFF_CHECKPOINT_REDO_LSN);
    control->next_xid = get_u64(in + OFF_NEXT_XID);
    control->checkpoint_time = (SdbTimestamp)get_u64(in + OFF_CHECKPOINT_TIME);
    return SDB_OK;
}

int sdb_control_read(const char *datadir, SdbControlData *control)
{
    char path[PATH_MAX];
    uint8_t image[SDB_CONTROL_FILE_SIZE];
    control_path(datadir, path, sizeof path);
    SdbFile *file = sdb_file_open(path, SDB_FILE_READ_ONLY);
    if (file == NULL)
        return SDB_ERROR;
    if (sdb_file_read(file, image, sizeof image, 0) != SDB_OK) {
        sdb_file_discard(file);
        return SDB_ERROR;
    }
    if (sdb_file_close(file) != SDB_OK)
        return SDB_ERROR;
    if (sdb_control_decode(image, control, path) != SDB_OK)
        return SDB_ERROR;
    return sdb_control_check(control, path);
}

int sdb_control_update(const char *datadir, const SdbControlData *control)
{
    char path[PATH_MAX];
    uint8_t image[SDB_CONTROL_FILE_SIZE];
    control_path(datadir, path, sizeof path);
    sdb_control_encode(control, image);
    return sdb_file_replace(path, image, sizeof image);
}

int sdb_control_create(const char *datadir, const SdbControlData *control)
{
    char path[PATH_MAX];
    char global_dir[PATH_MAX];
    struct stat st;
    control_path(datadir, path, sizeof path);
    snprintf(global_dir, sizeof global_dir, "%s/global", datadir);
    if (sdb_file_make_dir(global_dir) != SDB_OK)
        return SDB_ERROR;
    if (stat(path, &st) == 0)
        return sdb_error(SDB_ERR_DUPLICATE_FILE, "control file \"%s\" already exists", path);
    if (errno != ENOENT)
        return sdb_error_errno(errno, "could not stat file \"%s\"", path);
    return sdb_control_update(datadir, control);
}
