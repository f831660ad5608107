/*
 * heap_test_util.h: helpers shared by test_heap.c, test_toast.c and
 * test_fsm.c: opening an engine with small settings for a given page size,
 * creating a heap relation, simulating a crash in a child process, copying
 * data directories, a deterministic random generator.
 */
#ifndef SDB_HEAP_TEST_UTIL_H
#define SDB_HEAP_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "storage/engine.h"
#include "storage/heap.h"
#include "storage/wal.h"

/* Whether the long randomized runs were asked for. */
static inline int heap_test_soak(void)
{
    return getenv("SPECDB_SOAK") != NULL;
}

/* Open (creating if needed) the database in `dir` with pages of `block_size`
 * bytes, `shared_buffers_kb` of buffer pool, and no timed checkpoints.
 * Prints the error and returns NULL on failure. */
static inline SdbEngine *heap_test_open(const char *dir, int block_size, int shared_buffers_kb)
{
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK) {
        sdb_error_print(stderr);
        return NULL;
    }
    settings.block_size = block_size;
    settings.shared_buffers = shared_buffers_kb;
    settings.wal_segment_size = 1024; /* kB */
    settings.max_wal_size = 64;       /* MB */
    settings.min_wal_size = 2;
    settings.checkpoint_timeout = 3600;
    SdbEngine *engine = sdb_engine_open(dir, &settings);
    sdb_settings_free(&settings);
    if (engine == NULL)
        sdb_error_print(stderr);
    return engine;
}

/* A new database in a fresh temporary folder (its path in dir[size]);
 * fails the test when it cannot be opened. */
static inline SdbEngine *heap_test_fresh(char *dir, size_t size, int block_size, int shared_buffers_kb)
{
    sdb_test_tempdir(dir, size);
    SdbEngine *engine = heap_test_open(dir, block_size, shared_buffers_kb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(engine);
    return engine;
}

/* Clean shutdown; prints the error on failure. */
static inline int heap_test_close(SdbEngine *engine)
{
    int rc = sdb_engine_close(engine);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    return rc;
}

/* Create heap relation 1/`rel_number`. */
static inline SdbRelFileId heap_test_create(SdbEngine *engine, uint32_t rel_number)
{
    SdbRelFileId rel = {.db_oid = 1, .rel_number = rel_number};
    int rc = sdb_heap_create(engine, rel);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    return rel;
}

/* Make everything inserted into the WAL durable (the point a crash test
 * promises to recover to). */
static inline int heap_test_flush_wal(SdbEngine *engine)
{
    SdbWal *wal = sdb_engine_wal(engine);
    return sdb_wal_flush(wal, sdb_wal_insert_lsn(wal));
}

/* Run fn(arg) in a child process that ends with _exit(fn's result) without
 * closing anything, as a crash would.  Returns the child's exit status, or
 * -1 if it died from a signal (or could not be started). */
static inline int heap_test_in_child(int (*fn)(void *arg), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Run a shell command built with printf formatting; returns its status. */
static inline int heap_test_shell(const char *fmt, ...) SDB_PRINTF(1, 2);
static inline int heap_test_shell(const char *fmt, ...)
{
    char command[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(command, sizeof command, fmt, ap);
    va_end(ap);
    return system(command);
}

/* xorshift64*: a small deterministic generator (seed must not be 0). */
static inline uint64_t heap_test_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Fill `buf` with `len` bytes: random, or a compressible pattern. */
static inline void heap_test_fill(uint8_t *buf, size_t len, uint64_t seed, int compressible)
{
    uint64_t state = seed | 1;
    uint64_t word = 0;
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0)
            word = heap_test_rand(&state);
        buf[i] = compressible ? (uint8_t)("specdb toast "[(i / 7 + seed) % 13] + (i % 1000 == 0))
                              : (uint8_t)(word >> (i % 8 * 8));
    }
}

#endif /* SDB_HEAP_TEST_UTIL_H */
