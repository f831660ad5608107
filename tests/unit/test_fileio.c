/*
 * test_fileio.c: file I/O (storage/fileio.h): exact reads and writes, EOF
 * reported as an error, size/truncate/preallocate, directories, atomic
 * replace, O_DIRECT, error messages, fault injection, and batches through
 * both I/O methods.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "harness.h"
#include "storage/fileio.h"

#define BLOCK 8192

static char dir[512];

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static SdbFile *create_file(const char *name)
{
    char path[600];
    path_in_dir(path, sizeof path, name);
    SdbFile *file = sdb_file_open(path, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    CU_ASSERT_PTR_NOT_NULL(file);
    return file;
}

static bool message_has(const char *needle)
{
    return strstr(sdb_error_last()->message, needle) != NULL;
}

static void fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed * 131 + i * 7);
}

static void test_open_missing(void)
{
    char path[600];
    path_in_dir(path, sizeof path, "no-such-file");
    CU_ASSERT_PTR_NULL(sdb_file_open(path, 0));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    CU_ASSERT_TRUE(message_has("could not open file"));
    CU_ASSERT_TRUE(message_has("no-such-file\": No such file or directory"));
    CU_ASSERT_EQUAL(sdb_file_close(NULL), SDB_OK);
}

static void test_write_read_exact(void)
{
    unsigned char out[3 * BLOCK], in[3 * BLOCK];
    SdbFile *file = create_file("exact");
    fill(out, sizeof out, 1);
    CU_ASSERT_EQUAL(sdb_file_write(file, out, sizeof out, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_read(file, in, BLOCK, BLOCK), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, out + BLOCK, BLOCK), 0);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(sdb_file_size(file, &size), SDB_OK);
    CU_ASSERT_EQUAL(size, 3 * BLOCK);
    CU_ASSERT_EQUAL(sdb_file_sync(file), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_datasync(file), SDB_OK);

    /* Past the end is an error, never zeros. */
    memset(in, 0xAB, sizeof in);
    CU_ASSERT_EQUAL(sdb_file_read(file, in, BLOCK, 3 * BLOCK), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_TRUE(message_has("could not read 8192 bytes from file"));
    CU_ASSERT_TRUE(message_has("\" at offset 24576: read only 0 bytes"));
    CU_ASSERT_EQUAL(sdb_file_read(file, in, BLOCK, 2 * BLOCK + 100), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("read only 8092 bytes"));

    /* read_upto reports the partial count instead. */
    size_t got = 0;
    CU_ASSERT_EQUAL(sdb_file_read_upto(file, in, BLOCK, 2 * BLOCK + 100, &got), SDB_OK);
    CU_ASSERT_EQUAL(got, BLOCK - 100);
    CU_ASSERT_EQUAL(memcmp(in, out + 2 * BLOCK + 100, got), 0);
    CU_ASSERT_EQUAL(sdb_file_read_upto(file, in, BLOCK, 10 * BLOCK, &got), SDB_OK);
    CU_ASSERT_EQUAL(got, 0);
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
}

static void test_write_error_names_file_and_offset(void)
{
    char path[600];
    unsigned char buf[BLOCK] = {0};
    SdbFile *file = create_file("ro");
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
    path_in_dir(path, sizeof path, "ro");
    file = sdb_file_open(path, SDB_FILE_READ_ONLY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_EQUAL(sdb_file_write(file, buf, BLOCK, 40960), SDB_ERROR);
    char expected[800];
    snprintf(expected, sizeof expected, "could not write 8192 bytes to file \"%s\" at offset 40960: Bad file descriptor",
             path);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, expected);
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
}

static void test_truncate_preallocate(void)
{
    unsigned char buf[BLOCK];
    SdbFile *file = create_file("sizes");
    uint64_t size = 1;
    CU_ASSERT_EQUAL(sdb_file_size(file, &size), SDB_OK);
    CU_ASSERT_EQUAL(size, 0);
    CU_ASSERT_EQUAL(sdb_file_preallocate(file, 0, 4 * BLOCK), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_size(file, &size), SDB_OK);
    CU_ASSERT_EQUAL(size, 4 * BLOCK);
    memset(buf, 1, sizeof buf);
    CU_ASSERT_EQUAL(sdb_file_read(file, buf, BLOCK, 3 * BLOCK), SDB_OK);
    for (int i = 0; i < BLOCK; i++)
        if (buf[i] != 0)
            CU_FAIL_FATAL("preallocated block is not zero");
    CU_ASSERT_EQUAL(sdb_file_truncate(file, BLOCK), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_size(file, &size), SDB_OK);
    CU_ASSERT_EQUAL(size, BLOCK);
    CU_ASSERT_EQUAL(sdb_file_read(file, buf, BLOCK, BLOCK), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
}

static void test_directories_unlink_replace(void)
{
    char nested[600], file_path[700], tmp_path[720];
    struct stat st;
    path_in_dir(nested, sizeof nested, "a/b/c");
    CU_ASSERT_EQUAL(sdb_file_make_dir(nested), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_make_dir(nested), SDB_OK); /* existing: fine */
    CU_ASSERT_EQUAL(stat(nested, &st), 0);
    CU_ASSERT_TRUE(S_ISDIR(st.st_mode));
    CU_ASSERT_EQUAL(sdb_file_sync_dir(nested), SDB_OK);

    snprintf(file_path, sizeof file_path, "%s/small", nested);
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", file_path);
    CU_ASSERT_EQUAL(sdb_file_replace(file_path, "first", 5), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_replace(file_path, "second!", 7), SDB_OK);
    SdbFile *file = sdb_file_open(file_path, SDB_FILE_READ_ONLY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    char text[8] = {0};
    CU_ASSERT_EQUAL(sdb_file_read(file, text, 7, 0), SDB_OK);
    CU_ASSERT_STRING_EQUAL(text, "second!");
    CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
    CU_ASSERT_NOT_EQUAL(stat(tmp_path, &st), 0);

    /* A directory in the way of a file is an error naming the path. */
    CU_ASSERT_EQUAL(sdb_file_make_dir(file_path), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("small"));

    CU_ASSERT_EQUAL(sdb_file_unlink(file_path, false), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_unlink(file_path, true), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_unlink(file_path, false), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    CU_ASSERT_TRUE(message_has("could not remove file"));
}

static void test_direct_io(void)
{
    char path[600];
    path_in_dir(path, sizeof path, "direct");
    unsigned char *buf = sdb_file_alloc_aligned(2 * BLOCK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_EQUAL((uintptr_t)buf % SDB_FILE_ALIGNMENT, 0);
    CU_ASSERT_EQUAL(buf[2 * BLOCK - 1], 0);
    SdbFile *file = sdb_file_open(path, SDB_FILE_CREATE | SDB_FILE_DIRECT);
    if (file == NULL) {
        /* tmpfs and some others refuse O_DIRECT. */
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
        CU_ASSERT_TRUE(message_has("Invalid argument"));
    } else {
        fill(buf, 2 * BLOCK, 9);
        CU_ASSERT_EQUAL(sdb_file_write(file, buf, 2 * BLOCK, BLOCK), SDB_OK);
        memset(buf, 0, 2 * BLOCK);
        CU_ASSERT_EQUAL(sdb_file_read(file, buf, BLOCK, 2 * BLOCK), SDB_OK);
        unsigned char expected[2 * BLOCK];
        fill(expected, sizeof expected, 9);
        CU_ASSERT_EQUAL(memcmp(buf, expected + BLOCK, BLOCK), 0);
        CU_ASSERT_EQUAL(sdb_file_preallocate(file, 3 * BLOCK, BLOCK), SDB_OK);
        CU_ASSERT_EQUAL(sdb_file_close(file), SDB_OK);
    }
    sdb_file_free_aligned(buf);
}

static void test_fault_injection(void)
{
    unsigned char buf[BLOCK] = {0};
    SdbFile *target = create_file("base-1-16384");
    SdbFile *other = create_file("other");

    /* The third write to a matching path fails once, with ENOSPC. */
    sdb_fault_inject(SDB_FAULT_WRITE, 2, ENOSPC, "16384", false);
    CU_ASSERT_EQUAL(sdb_file_write(other, buf, BLOCK, 0), SDB_OK); /* not counted */
    CU_ASSERT_EQUAL(sdb_file_write(target, buf, BLOCK, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_write(target, buf, BLOCK, BLOCK), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_sync(target), SDB_OK); /* fsyncs are not armed */
    CU_ASSERT_EQUAL(sdb_file_write(target, buf, BLOCK, 5 * BLOCK), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_TRUE(message_has("could not write 8192 bytes to file"));
    CU_ASSERT_TRUE(message_has("base-1-16384\" at offset 40960: No space left on device"));
    CU_ASSERT_EQUAL(sdb_fault_hits(), 1);
    uint64_t size;
    CU_ASSERT_EQUAL(sdb_file_size(target, &size), SDB_OK);
    CU_ASSERT_EQUAL(size, 2 * BLOCK); /* the failed write touched nothing */
    CU_ASSERT_EQUAL(sdb_file_write(target, buf, BLOCK, 5 * BLOCK), SDB_OK); /* one-shot */

    /* Sticky: every write fails until cleared (a full disk); preallocate too. */
    sdb_fault_inject(SDB_FAULT_WRITE, 0, ENOSPC, NULL, true);
    CU_ASSERT_EQUAL(sdb_file_write(other, buf, BLOCK, 0), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_file_preallocate(other, 0, 4 * BLOCK), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_EQUAL(sdb_fault_hits(), 2);
    sdb_fault_clear();
    CU_ASSERT_EQUAL(sdb_file_write(other, buf, BLOCK, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_fault_hits(), 2);

    /* fsync failures with EIO, including directory fsyncs. */
    sdb_fault_inject(SDB_FAULT_FSYNC, 0, EIO, NULL, true);
    CU_ASSERT_EQUAL(sdb_file_write(other, buf, BLOCK, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_sync(other), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IO_ERROR);
    CU_ASSERT_TRUE(message_has("could not fsync file"));
    CU_ASSERT_EQUAL(sdb_file_datasync(other), SDB_ERROR);
    CU_ASSERT_TRUE(message_has("could not fdatasync file"));
    CU_ASSERT_EQUAL(sdb_file_sync_dir(dir), SDB_ERROR);
    char path[600];
    path_in_dir(path, sizeof path, "replaced");
    CU_ASSERT_EQUAL(sdb_file_replace(path, "x", 1), SDB_ERROR);
    CU_ASSERT_EQUAL(access(path, F_OK), -1); /* never renamed into place */
    sdb_fault_clear();

    CU_ASSERT_EQUAL(sdb_file_close(target), SDB_OK);
    CU_ASSERT_EQUAL(sdb_file_close(other), SDB_OK);
}

/* Write `blocks` blocks spread over three files with one batch, read them
 * back with another, and compare. */
static void round_trip_batch(const char *prefix, int blocks)
{
    SdbFile *files[3];
    char name[64];
    for (int f = 0; f < 3; f++) {
        snprintf(name, sizeof name, "%s-%d", prefix, f);
        files[f] = create_file(name);
    }
    unsigned char *out = malloc((size_t)blocks * BLOCK);
    unsigned char *in = malloc((size_t)blocks * BLOCK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    SdbIoBatch batch;
    sdb_io_batch_init(&batch);
    for (int b = 0; b < blocks; b++) {
        fill(out + (size_t)b * BLOCK, BLOCK, (unsigned)b);
        CU_ASSERT_EQUAL(sdb_io_batch_add_write(&batch, files[b % 3], out + (size_t)b * BLOCK, BLOCK,
                                               (uint64_t)(b / 3) * BLOCK),
                        SDB_OK);
    }
    CU_ASSERT_EQUAL(sdb_io_batch_submit(&batch), SDB_OK);
    sdb_io_batch_reset(&batch);
    memset(in, 0, (size_t)blocks * BLOCK);
    for (int b = blocks - 1; b >= 0; b--)
        CU_ASSERT_EQUAL(sdb_io_batch_add_read(&batch, files[b % 3], in + (size_t)b * BLOCK, BLOCK,
                                              (uint64_t)(b / 3) * BLOCK),
                        SDB_OK);
    CU_ASSERT_EQUAL(sdb_io_batch_submit(&batch), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, (size_t)blocks * BLOCK), 0);

    /* A read past the end fails, naming that request. */
    sdb_io_batch_reset(&batch);
    CU_ASSERT_EQUAL(sdb_io_batch_add_read(&batch, files[0], in, BLOCK, 0), SDB_OK);
    CU_ASSERT_EQUAL(sdb_io_batch_add_read(&batch, files[1], in + BLOCK, BLOCK, (uint64_t)blocks * BLOCK), SDB_OK);
    CU_ASSERT_EQUAL(sdb_io_batch_submit(&batch), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    snprintf(name, sizeof name, "%s-1\" at offset %d: read only 0 bytes", prefix, blocks * BLOCK);
    CU_ASSERT_TRUE(message_has(name));

    /* An injected write failure in the middle of a batch is reported. */
    sdb_io_batch_reset(&batch);
    for (int b = 0; b < 5; b++)
        CU_ASSERT_EQUAL(sdb_io_batch_add_write(&batch, files[2], out, BLOCK, (uint64_t)b * BLOCK), SDB_OK);
    sdb_fault_inject(SDB_FAULT_WRITE, 3, EIO, NULL, false);
    CU_ASSERT_EQUAL(sdb_io_batch_submit(&batch), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IO_ERROR);
    CU_ASSERT_TRUE(message_has("at offset 24576: Input/output error"));
    sdb_fault_clear();

    sdb_io_batch_free(&batch);
    CU_ASSERT_EQUAL(sdb_io_batch_submit(&batch), SDB_OK); /* empty */
    for (int f = 0; f < 3; f++)
        CU_ASSERT_EQUAL(sdb_file_close(files[f]), SDB_OK);
    free(out);
    free(in);
}

static void test_batch_sync(void)
{
    CU_ASSERT_EQUAL(sdb_io_setup(SDB_IO_METHOD_SYNC), SDB_OK);
    CU_ASSERT_EQUAL(sdb_io_method(), SDB_IO_METHOD_SYNC);
    CU_ASSERT_STRING_EQUAL(sdb_io_method_name(), "sync");
    round_trip_batch("sync", 150);
}

static void test_batch_io_uring(void)
{
    CU_ASSERT_EQUAL(sdb_io_setup(SDB_IO_METHOD_AUTO), SDB_OK);
    if (sdb_io_method() == SDB_IO_METHOD_SYNC) {
        /* No io_uring here: asking for it explicitly is a clear error. */
        CU_ASSERT_EQUAL(sdb_io_setup(SDB_IO_METHOD_IO_URING), SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_FEATURE_NOT_SUPPORTED);
        fprintf(stderr, "(io_uring not available: batches tested with pread/pwrite only) ");
        return;
    }
    CU_ASSERT_EQUAL(sdb_io_setup(SDB_IO_METHOD_IO_URING), SDB_OK);
    CU_ASSERT_STRING_EQUAL(sdb_io_method_name(), "io_uring");
    round_trip_batch("uring", 150); /* three rounds of the 64-entry queue */
    round_trip_batch("uring-small", 3);
}

typedef struct ThreadArg {
    int id;
    int failures;
} ThreadArg;

static void *batch_thread(void *p)
{
    ThreadArg *arg = p;
    char path[600], name[32];
    snprintf(name, sizeof name, "thread-%d", arg->id);
    path_in_dir(path, sizeof path, name);
    SdbFile *file = sdb_file_open(path, SDB_FILE_CREATE | SDB_FILE_TRUNCATE);
    unsigned char out[16][1024], in[16][1024];
    SdbIoBatch batch;
    sdb_io_batch_init(&batch);
    for (int round = 0; file != NULL && round < 50; round++) {
        sdb_io_batch_reset(&batch);
        for (int i = 0; i < 16; i++) {
            fill(out[i], sizeof out[i], (unsigned)(arg->id * 1000 + round * 16 + i));
            sdb_io_batch_add_write(&batch, file, out[i], sizeof out[i], (uint64_t)i * sizeof out[i]);
        }
        if (sdb_io_batch_submit(&batch) != SDB_OK)
            arg->failures++;
        sdb_io_batch_reset(&batch);
        for (int i = 0; i < 16; i++)
            sdb_io_batch_add_read(&batch, file, in[i], sizeof in[i], (uint64_t)i * sizeof in[i]);
        if (sdb_io_batch_submit(&batch) != SDB_OK || memcmp(in, out, sizeof in) != 0)
            arg->failures++;
    }
    if (file == NULL)
        arg->failures++;
    sdb_io_batch_free(&batch);
    sdb_file_close(file);
    return NULL;
}

static void test_batches_from_many_threads(void)
{
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    ThreadArg args[THREADS];
    CU_ASSERT_EQUAL(sdb_io_setup(SDB_IO_METHOD_AUTO), SDB_OK);
    for (int i = 0; i < THREADS; i++) {
        args[i] = (ThreadArg){.id = i};
        pthread_create(&threads[i], NULL, batch_thread, &args[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CU_ASSERT_EQUAL(args[i].failures, 0);
    }
    sdb_io_shutdown();
}

static int suite_init(void)
{
    sdb_test_tempdir(dir, sizeof dir);
    return 0;
}

static CU_TestInfo tests[] = {
    {"open of a missing file", test_open_missing},
    {"exact write/read, EOF is an error", test_write_read_exact},
    {"write error names file, length and offset", test_write_error_names_file_and_offset},
    {"truncate and preallocate", test_truncate_preallocate},
    {"directories, unlink, atomic replace", test_directories_unlink_replace},
    {"O_DIRECT with aligned buffers", test_direct_io},
    {"fault injection", test_fault_injection},
    {"batches with pread/pwrite", test_batch_sync},
    {"batches with io_uring", test_batch_io_uring},
    {"batches from several threads", test_batches_from_many_threads},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"fileio", suite_init, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
