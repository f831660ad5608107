/*
 * sql_test_util.h: SQL tests through a session on a fresh data directory:
 * run(arena, sql) gives the rows ('|' between columns, NULL as "NULL") and
 * command tags ("[UPDATE 1]") as text; EXPECT(sql, text) and
 * EXPECT_ERROR(sql, SQLSTATE, message) check them; suite_init and
 * suite_clean open and close the instance and session; sql_test_restart
 * closes and reopens them on the same data directory.
 */
#ifndef SDB_SQL_TEST_UTIL_H
#define SDB_SQL_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "session/session.h"

static SdbInstance *db;
static SdbSession *sess;

typedef struct Collect {
    SdbStr *out;
    int ncols;
    SdbPlanColumn cols[64];
} Collect;

static int on_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    Collect *c = arg;
    c->ncols = ncols < 64 ? ncols : 64;
    memcpy(c->cols, cols, c->ncols * sizeof(SdbPlanColumn));
    return SDB_OK;
}

static int on_rows(void *arg, const SdbBatch *b)
{
    Collect *c = arg;
    for (int i = 0; i < sdb_batch_live(b); i++) {
        int r = sdb_batch_row(b, i);
        if (c->out->len > 0)
            sdb_str_append_char(c->out, '\n');
        for (int k = 0; k < c->ncols; k++) {
            if (k > 0)
                sdb_str_append_char(c->out, '|');
            if (sdb_vector_is_null(&b->cols[k], r))
                sdb_str_append_cstr(c->out, "NULL");
            else if (sdb_session_output_text(sess, c->cols[k].type, b->cols[k].values[r], c->out) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int on_complete(void *arg, const char *tag)
{
    Collect *c = arg;
    if (c->out->len > 0)
        sdb_str_append_char(c->out, '\n');
    sdb_str_appendf(c->out, "[%s]", tag);
    return SDB_OK;
}

/* Run `sql`: rows and command tags as text, or NULL on error. */
static char *run(SdbArena *arena, const char *sql)
{
    SdbStr *out = sdb_arena_calloc(arena, 1, sizeof(SdbStr));
    sdb_str_init(out, arena);
    sdb_str_append_cstr(out, "");
    Collect c = {.out = out};
    SdbResultSink sink = {.arg = &c, .describe = on_describe, .rows = on_rows, .complete = on_complete};
    if (sdb_session_execute(sess, sql, &sink) != SDB_OK)
        return NULL;
    return out->data;
}

#define EXPECT(sql, expected)                                                                                          \
    do {                                                                                                               \
        SdbArena *a_ = sdb_arena_create(NULL, "sql test", 0);                                                          \
        char *got_ = run(a_, sql);                                                                                     \
        if (got_ == NULL)                                                                                              \
            sdb_error_print(stderr);                                                                                   \
        CU_ASSERT_PTR_NOT_NULL(got_);                                                                                  \
        if (got_ && strcmp(got_, expected) != 0)                                                                       \
            fprintf(stderr, "\n%s\nexpected:\n%s\ngot:\n%s\n", sql, expected, got_);                                   \
        if (got_)                                                                                                      \
            CU_ASSERT_STRING_EQUAL(got_, expected);                                                                    \
        sdb_arena_destroy(a_);                                                                                         \
    } while (0)

#define EXPECT_ERROR(sql, state_, text_)                                                                               \
    do {                                                                                                               \
        SdbArena *a_ = sdb_arena_create(NULL, "sql test", 0);                                                          \
        CU_ASSERT_PTR_NULL(run(a_, sql));                                                                              \
        if (strcmp(sdb_error_last()->message, text_) != 0)                                                             \
            fprintf(stderr, "\n%s\nexpected error: %s\ngot: %s\n", sql, text_, sdb_error_last()->message);            \
        CU_ASSERT_EQUAL(sdb_error_last()->code, state_);                                                               \
        CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, text_);                                                      \
        sdb_arena_destroy(a_);                                                                                         \
    } while (0)

static char sql_test_dir[512]; /* the instance's data directory */

/* Open the instance on sql_test_dir and a session on it. */
static inline int sql_test_open(void)
{
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    db = sdb_instance_open(sql_test_dir, &settings);
    sdb_settings_free(&settings);
    if (db == NULL) {
        sdb_error_print(stderr);
        return 1;
    }
    sess = sdb_session_open(db, "postgres", "postgres");
    return sess == NULL;
}

static int suite_init(void)
{
    sdb_test_tempdir(sql_test_dir, sizeof(sql_test_dir));
    return sql_test_open();
}

static int suite_clean(void)
{
    sdb_session_close(sess);
    return sdb_instance_close(db) != SDB_OK;
}

/* Close and open the instance again (a clean restart). */
static inline int sql_test_restart(void)
{
    return suite_clean() != 0 || sql_test_open() != 0;
}

#endif /* SDB_SQL_TEST_UTIL_H */
