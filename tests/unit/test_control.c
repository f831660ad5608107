/*
 * test_control.c: the control file (storage/control.h): create/read/update
 * round trips, the on-disk layout, and refusal of corrupt, foreign or
 * incompatible files with clear errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "harness.h"
#include "storage/control.h"
#include "storage/crc32c.h"
#include "storage/fileio.h"

static void new_datadir(char *buf, size_t size)
{
    sdb_test_tempdir(buf, size);
}

static void control_file_path(const char *datadir, char *buf, size_t size)
{
    snprintf(buf, size, "%s/global/control", datadir);
}

/* Overwrite `len` bytes at `offset` of the control file. */
static void poke(const char *datadir, uint32_t offset, const void *bytes, size_t len)
{
    char path[600];
    control_file_path(datadir, path, sizeof path);
    SdbFile *file = sdb_file_open(path, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_EQUAL(sdb_file_write(file, bytes, len, offset), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
}

/* Write `image` with a correct CRC over the control file. */
static void write_with_crc(const char *datadir, uint8_t image[SDB_CONTROL_FILE_SIZE])
{
    uint32_t crc = sdb_crc32c(0, image, SDB_CONTROL_FILE_SIZE - 4);
    memcpy(image + SDB_CONTROL_FILE_SIZE - 4, &crc, 4);
    poke(datadir, 0, image, SDB_CONTROL_FILE_SIZE);
}

static void test_round_trip(void)
{
    char dir[512], path[600];
    SdbControlData control, read_back, other;
    struct stat st;
    new_datadir(dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(sdb_control_init(&control, 8192, 16 << 20), SDB_OK);
    CU_ASSERT_EQUAL(control.version, SDB_CONTROL_VERSION);
    CU_ASSERT_EQUAL(control.state, SDB_DB_SHUT_DOWN);
    CU_ASSERT_EQUAL(control.next_xid, SDB_FIRST_NORMAL_XID);
    CU_ASSERT_EQUAL(control.next_oid, SDB_FIRST_NORMAL_OID);
    CU_ASSERT_TRUE(control.checkpoint_time > 0);
    CU_ASSERT_EQUAL(sdb_control_init(&other, 8192, 16 << 20), SDB_OK);
    CU_ASSERT_NOT_EQUAL(control.system_id, other.system_id); /* random */

    CU_ASSERT_EQUAL(sdb_control_create(dir, &control), SDB_OK);
    control_file_path(dir, path, sizeof path);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, SDB_CONTROL_FILE_SIZE);
    CU_ASSERT_EQUAL(sdb_control_create(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DUPLICATE_FILE);

    CU_ASSERT_EQUAL(sdb_control_read(dir, &read_back), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(&read_back, &control, sizeof control), 0);

    control.state = SDB_DB_IN_PRODUCTION;
    control.checkpoint_lsn = 0x1234567890ull;
    control.checkpoint_redo_lsn = 0x1234560000ull;
    control.next_xid = 987654321012ull;
    control.next_oid = 20000;
    control.checkpoint_time = 777;
    CU_ASSERT_EQUAL(sdb_control_update(dir, &control), SDB_OK);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &read_back), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(&read_back, &control, sizeof control), 0);
    CU_ASSERT_STRING_EQUAL(sdb_control_state_name(read_back.state), "in production");
    CU_ASSERT_STRING_EQUAL(sdb_control_state_name(SDB_DB_SHUT_DOWN), "shut down");
    CU_ASSERT_STRING_EQUAL(sdb_control_state_name(SDB_DB_IN_RECOVERY), "in recovery");
    char tmp[620];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0);
}

static void test_layout(void)
{
    SdbControlData control;
    uint8_t image[SDB_CONTROL_FILE_SIZE];
    CU_ASSERT_EQUAL_FATAL(sdb_control_init(&control, 4096, 1 << 20), SDB_OK);
    control.system_id = 0x0102030405060708ull;
    control.next_xid = 0x1122334455667788ull;
    sdb_control_encode(&control, image);
    CU_ASSERT_EQUAL(memcmp(image, "SCTL", 4), 0);
    CU_ASSERT_EQUAL(image[4], SDB_CONTROL_VERSION);
    CU_ASSERT_EQUAL(image[8] | image[9] << 8, 4096);
    CU_ASSERT_EQUAL(image[16], 0x08); /* little-endian */
    CU_ASSERT_EQUAL(image[23], 0x01);
    CU_ASSERT_EQUAL(image[48], 0x88);
    for (int i = 64; i < SDB_CONTROL_FILE_SIZE - 4; i++)
        CU_ASSERT_EQUAL(image[i], 0);
    uint32_t crc;
    memcpy(&crc, image + SDB_CONTROL_FILE_SIZE - 4, 4);
    CU_ASSERT_EQUAL(crc, sdb_crc32c(0, image, SDB_CONTROL_FILE_SIZE - 4));
}

static void test_invalid_sizes_refused_at_init(void)
{
    SdbControlData control;
    CU_ASSERT_EQUAL(sdb_control_init(&control, 2048, 16 << 20), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_PARAMETER_VALUE);
    CU_ASSERT_EQUAL(sdb_control_init(&control, 12288, 16 << 20), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_control_init(&control, 65536, 16 << 20), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_control_init(&control, 8192, 3 << 20), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_control_init(&control, 8192, 512 << 10), SDB_ERROR);
    for (uint32_t size = 4096; size <= 32768; size *= 2)
        CU_ASSERT_EQUAL(sdb_control_init(&control, size, 1 << 20), SDB_OK);
}

static void created_dir(char *dir, size_t size, uint32_t page_size)
{
    SdbControlData control;
    new_datadir(dir, size);
    CU_ASSERT_EQUAL_FATAL(sdb_control_init(&control, page_size, 16 << 20), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(sdb_control_create(dir, &control), SDB_OK);
}

static void test_corruption_detected(void)
{
    char dir[512], path[600];
    SdbControlData control;
    created_dir(dir, sizeof dir, 8192);
    control_file_path(dir, path, sizeof path);

    /* One flipped bit in a field: CRC mismatch naming the file. */
    uint8_t byte = 0x41;
    poke(dir, 50, &byte, 1);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "incorrect checksum in control file"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, path));

    /* Wrong magic: not our file. */
    poke(dir, 0, "JUNK", 4);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "is not a specdb control file"));

    /* Short file. */
    CU_ASSERT_EQUAL(truncate(path, 100), 0);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "read only 100 bytes"));

    /* Missing file. */
    CU_ASSERT_EQUAL(unlink(path), 0);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
}

static void test_incompatible_version(void)
{
    char dir[512];
    SdbControlData control;
    uint8_t image[SDB_CONTROL_FILE_SIZE];
    created_dir(dir, sizeof dir, 8192);
    CU_ASSERT_EQUAL_FATAL(sdb_control_init(&control, 8192, 16 << 20), SDB_OK);
    control.version = SDB_CONTROL_VERSION + 1;
    sdb_control_encode(&control, image);
    poke(dir, 0, image, sizeof image);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_SYSTEM_ERROR);
    CU_ASSERT_STRING_EQUAL(e->message, "database files are incompatible with server");
    char version_text[100];
    snprintf(version_text, sizeof version_text, "control file version %u", SDB_CONTROL_VERSION + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, version_text));
    snprintf(version_text, sizeof version_text, "compiled with control file version %u", SDB_CONTROL_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, version_text));
    CU_ASSERT_NOT_EQUAL(e->hint[0], '\0');
}

static void test_unsupported_page_size(void)
{
    char dir[512];
    SdbControlData control;
    uint8_t image[SDB_CONTROL_FILE_SIZE];
    created_dir(dir, sizeof dir, 8192);
    CU_ASSERT_EQUAL_FATAL(sdb_control_read(dir, &control), SDB_OK);
    const uint32_t bad_sizes[] = {2048, 65536, 12288, 0};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        control.page_size = bad_sizes[i];
        sdb_control_encode(&control, image);
        write_with_crc(dir, image);
        CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SYSTEM_ERROR);
        CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "database files are incompatible with server");
        CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->detail, "page size"));
    }
    /* A bad state value is corruption. */
    CU_ASSERT_EQUAL_FATAL(sdb_control_init(&control, 8192, 16 << 20), SDB_OK);
    sdb_control_encode(&control, image);
    image[24] = 9;
    write_with_crc(dir, image);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &control), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
}

static void test_failed_update_keeps_old_file(void)
{
    char dir[512];
    SdbControlData control, read_back;
    created_dir(dir, sizeof dir, 16384);
    CU_ASSERT_EQUAL_FATAL(sdb_control_read(dir, &control), SDB_OK);
    SdbControlData changed = control;
    changed.next_oid = 99999;
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, "control", false);
    CU_ASSERT_EQUAL(sdb_control_update(dir, &changed), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IO_ERROR);
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_control_read(dir, &read_back), SDB_OK);
    CU_ASSERT_EQUAL(read_back.next_oid, control.next_oid);
    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, "control", false);
    CU_ASSERT_EQUAL(sdb_control_update(dir, &changed), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_control_read(dir, &read_back), SDB_OK);
    CU_ASSERT_EQUAL(read_back.next_oid, control.next_oid);
    CU_ASSERT_EQUAL(sdb_control_update(dir, &changed), SDB_OK);
    CU_ASSERT_EQUAL(sdb_control_read(dir, &read_back), SDB_OK);
    CU_ASSERT_EQUAL(read_back.next_oid, 99999);
}

static CU_TestInfo tests[] = {
    {"create, read, update round trip", test_round_trip},
    {"on-disk layout", test_layout},
    {"invalid sizes refused at init", test_invalid_sizes_refused_at_init},
    {"corrupt, foreign, short, missing file", test_corruption_detected},
    {"other format version is incompatible", test_incompatible_version},
    {"unsupported page size, bad state", test_unsupported_page_size},
    {"failed update keeps the old file", test_failed_update_keeps_old_file},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"control", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
