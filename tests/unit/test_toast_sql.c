/*
 * test_toast_sql.c: out-of-line (TOAST) values through SQL: large values
 * round-trip through INSERT, UPDATE, SELECT, COPY TO and foreign key
 * actions; the largest values move out first; a row too big even then is
 * 54000; catalog rows with out-of-line values (a long view, a long column
 * default) read by SQL; DROP TABLE leaves no file of the table or its
 * toast heap behind; toasted rows survive a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "heap_test_util.h"
#include "session/session.h"

/* What a statement produced: "a|b" per row, "C tag" (but SELECT's), "O line" for COPY TO,
 * "E sqlstate message" on error. */
typedef struct Capture {
    SdbSession *s;
    SdbStr text;
    SdbArena *arena;
} Capture;

static int cap_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    (void)arg;
    (void)ncols;
    (void)cols;
    return SDB_OK;
}

static int cap_rows(void *arg, const SdbBatch *batch)
{
    Capture *c = arg;
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        for (int col = 0; col < batch->ncols; col++) {
            if (col)
                sdb_str_append_char(&c->text, '|');
            if (sdb_vector_is_null(&batch->cols[col], row))
                sdb_str_append_cstr(&c->text, "NULL");
            else if (sdb_session_output_text(c->s, batch->cols[col].type, batch->cols[col].values[row], &c->text) !=
                     SDB_OK)
                return SDB_ERROR;
        }
        sdb_str_append_char(&c->text, '\n');
    }
    return SDB_OK;
}

static int cap_complete(void *arg, const char *tag)
{
    Capture *c = arg;
    if (strncmp(tag, "SELECT ", 7) == 0) /* the rows say it */
        return SDB_OK;
    return sdb_str_appendf(&c->text, "C %s\n", tag);
}

static void cap_notice(void *arg, const char *sqlstate, const char *message)
{
    (void)arg;
    (void)sqlstate;
    (void)message;
}

static void cap_parameter(void *arg, const char *name, const char *value)
{
    (void)arg;
    (void)name;
    (void)value;
}

static int cap_copy_out(void *arg, int ncols, const char *data, size_t len)
{
    Capture *c = arg;
    (void)ncols;
    return data ? sdb_str_appendf(&c->text, "O %.*s", (int)len, data) : SDB_OK;
}

static SdbInstance *db;
static SdbSession *session;
static char datadir[512];
static Capture cap;
static const SdbResultSink sink = {.arg = &cap, .describe = cap_describe, .rows = cap_rows,
                                   .complete = cap_complete, .notice = cap_notice,
                                   .parameter_status = cap_parameter, .copy_out = cap_copy_out};

static int open_all(void)
{
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK)
        return SDB_ERROR;
    db = sdb_instance_open(datadir, &settings);
    sdb_settings_free(&settings);
    if (db == NULL)
        return SDB_ERROR;
    session = sdb_session_open(db, "postgres", "postgres");
    cap.s = session;
    return session != NULL ? SDB_OK : SDB_ERROR;
}

static void close_all(void)
{
    sdb_session_close(session);
    CU_ASSERT_EQUAL(sdb_instance_close(db), SDB_OK);
}

/* Run `sql`; what the sink saw, plus "E <sqlstate> <message>" on error. */
static const char *run(const char *sql)
{
    sdb_str_init(&cap.text, cap.arena);
    sdb_str_append(&cap.text, "", 0);
    if (sdb_session_execute(session, sql, &sink) != SDB_OK) {
        const SdbErrorData *e = sdb_error_last();
        sdb_str_appendf(&cap.text, "E %s %s\n", sdb_errcode_info(e->code)->sqlstate, e->message);
        sdb_error_clear();
    }
    return cap.text.data;
}

static void expect(const char *sql, const char *want)
{
    const char *got = run(sql);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n%s\n  want: %s  got:  %s", sql, want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
}

static int setup(void)
{
    cap.arena = sdb_arena_create(NULL, "capture", 0);
    return cap.arena == NULL;
}

static int teardown(void)
{
    sdb_arena_destroy(cap.arena);
    return 0;
}

static void fresh(void)
{
    sdb_test_tempdir(datadir, sizeof datadir);
    CU_ASSERT_EQUAL_FATAL(open_all(), SDB_OK);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_round_trip(void)
{
    fresh();
    expect("CREATE TABLE big (id int PRIMARY KEY, t text, n int)", "C CREATE TABLE\n");
    /* Random letters are poorly compressible: the chunks span pages. */
    enum { LEN = 40000 };
    static char letters[LEN + 1];
    uint64_t seed = 99;
    for (int i = 0; i < LEN; i++)
        letters[i] = (char)('a' + heap_test_rand(&seed) % 26);
    SdbStr sql, want;
    sdb_str_init(&sql, cap.arena);
    sdb_str_appendf(&sql, "INSERT INTO big VALUES (1, '%s', 7)", letters);
    expect(sql.data, "C INSERT 0 1\n");
    expect("INSERT INTO big VALUES (2, repeat('abcdefgh', 50000), 8), (3, 'small', 9)", "C INSERT 0 2\n");
    sdb_str_init(&want, cap.arena);
    sdb_str_appendf(&want, "1|40000|%.10s|7\n2|400000|ghabcdefgh|8\n3|5|small|9\n", letters + LEN - 10);
    expect("SELECT id, length(t), right(t, 10), n FROM big ORDER BY id", want.data);
    expect("UPDATE big SET t = t || t WHERE id = 1", "C UPDATE 1\n");
    sdb_str_init(&sql, cap.arena);
    sdb_str_appendf(&sql, "SELECT length(t), t = '%s' || '%s' FROM big WHERE id = 1", letters, letters);
    expect(sql.data, "80000|t\n");
    /* Update another column: the large values are stored again. */
    expect("UPDATE big SET n = n + 100", "C UPDATE 3\n");
    expect("SELECT id, length(t), t = repeat('abcdefgh', 50000), n FROM big WHERE id = 2", "2|400000|t|108\n");
    /* A scan not asking for them reads none of the out-of-line values. */
    expect("SELECT sum(n) FROM big", "324\n");
    /* COPY TO writes the whole value. */
    const char *copied = run("COPY (SELECT t FROM big WHERE id = 2) TO STDOUT");
    CU_ASSERT_EQUAL(strlen(copied), strlen("O ") + 400000 + 1 + strlen("C COPY 1\n"));
    expect("DELETE FROM big WHERE id = 1", "C DELETE 1\n");
    expect("SELECT count(*), sum(length(t)) FROM big", "2|400005\n");
    /* Foreign key actions rewrite referencing rows with toasted values. */
    expect("CREATE TABLE p (id int PRIMARY KEY)", "C CREATE TABLE\n");
    expect("CREATE TABLE c (pid int REFERENCES p ON UPDATE CASCADE ON DELETE CASCADE, t text)",
           "C CREATE TABLE\n");
    expect("INSERT INTO p VALUES (1)", "C INSERT 0 1\n");
    expect("INSERT INTO c SELECT 1, t FROM big WHERE id = 2", "C INSERT 0 1\n");
    expect("UPDATE p SET id = 2", "C UPDATE 1\n");
    expect("SELECT pid, length(t), t = repeat('abcdefgh', 50000) FROM c", "2|400000|t\n");
    expect("DELETE FROM p", "C DELETE 1\n");
    expect("SELECT count(*) FROM c", "0\n");
    close_all();
}

/* Several medium values: the largest move out until the row fits, so the
 * row with them all stays readable; a row too big even then is 54000. */
static void test_many_values_and_too_big(void)
{
    fresh();
    expect("CREATE TABLE m (a text, b text, c text, d text, e text)", "C CREATE TABLE\n");
    expect("INSERT INTO m SELECT repeat('a', 1900), repeat(md5('b'), 60), repeat('c', 100), repeat('d', 1950), "
           "'e'",
           "C INSERT 0 1\n");
    expect("SELECT length(a), length(b), length(c), length(d), e FROM m", "1900|1920|100|1950|e\n");
    SdbStr sql;
    sdb_str_init(&sql, cap.arena);
    sdb_str_append_cstr(&sql, "CREATE TABLE wide (");
    for (int i = 0; i < 1100; i++)
        sdb_str_appendf(&sql, "%sc%d int8", i ? ", " : "", i);
    sdb_str_append_cstr(&sql, ")");
    expect(sql.data, "C CREATE TABLE\n");
    sdb_str_init(&sql, cap.arena);
    sdb_str_append_cstr(&sql, "INSERT INTO wide VALUES (");
    for (int i = 0; i < 1100; i++)
        sdb_str_appendf(&sql, "%s%d", i ? ", " : "", i);
    sdb_str_append_cstr(&sql, ")");
    const char *got = run(sql.data);
    CU_ASSERT_NSTRING_EQUAL(got, "E 54000 row is too big: size ", strlen("E 54000 row is too big: size "));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, ", maximum size "));
    close_all();
}

/* Catalog rows whose values went out of line read through SQL. */
static void test_long_catalog_values(void)
{
    fresh();
    SdbStr sql;
    sdb_str_init(&sql, cap.arena);
    sdb_str_append_cstr(&sql, "CREATE VIEW v AS SELECT 0");
    for (int i = 0; i < 2500; i++)
        sdb_str_append_cstr(&sql, " + 1");
    sdb_str_append_cstr(&sql, " AS s");
    expect(sql.data, "C CREATE VIEW\n");
    expect("SELECT * FROM v", "2500\n");
    expect("SELECT length(ev_action::text) > 5000 FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
           "WHERE c.relname = 'v'",
           "t\n");
    sdb_str_init(&sql, cap.arena);
    sdb_str_appendf(&sql, "CREATE TABLE d (id int, x text DEFAULT '%0*d')", 6000, 0);
    expect(sql.data, "C CREATE TABLE\n");
    expect("INSERT INTO d (id) VALUES (1)", "C INSERT 0 1\n");
    expect("SELECT length(x) FROM d", "6000\n");
    expect("SELECT length(adbin::text) > 6000 FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid "
           "WHERE c.relname = 'd'",
           "t\n");
    close_all();
}

static bool file_exists(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/base/5/%s", datadir, name);
    return access(path, F_OK) == 0;
}

/* DROP TABLE removes the table's file and its toast heap's. */
static void test_drop_leaves_nothing(void)
{
    fresh();
    expect("CREATE TABLE big (t text)", "C CREATE TABLE\n");
    expect("INSERT INTO big VALUES (repeat(md5('x'), 5000))", "C INSERT 0 1\n");
    const char *got = run("SELECT relfilenode, reltoastrelid FROM pg_class WHERE relname = 'big'");
    unsigned heap = 0, toast = 0;
    CU_ASSERT_EQUAL_FATAL(sscanf(got, "%u|%u", &heap, &toast), 2);
    char heap_name[16], toast_name[16];
    snprintf(heap_name, sizeof heap_name, "%u", heap);
    snprintf(toast_name, sizeof toast_name, "%u", toast);
    CU_ASSERT_TRUE(file_exists(heap_name));
    CU_ASSERT_TRUE(file_exists(toast_name));
    char old_toast[16];
    snprintf(old_toast, sizeof old_toast, "%u", heap | 0x80000000u); /* the scheme that is gone */
    CU_ASSERT_FALSE(file_exists(old_toast));
    expect("DROP TABLE big", "C DROP TABLE\n");
    CU_ASSERT_FALSE(file_exists(heap_name));
    CU_ASSERT_FALSE(file_exists(toast_name));
    close_all();
}

/* Committed toasted rows, and an uncommitted update of one, at a crash. */
static int crash_child(void *arg)
{
    (void)arg;
    if (open_all() != SDB_OK)
        return 1;
    if (strcmp(run("CREATE TABLE big (id int, t text)"), "C CREATE TABLE\n") != 0 ||
        strcmp(run("INSERT INTO big VALUES (1, repeat(md5('one'), 3000)), (2, repeat(md5('two'), 4000))"),
               "C INSERT 0 2\n") != 0 ||
        strcmp(run("DELETE FROM big WHERE id = 2"), "C DELETE 1\n") != 0 ||
        strcmp(run("BEGIN; UPDATE big SET t = repeat(md5('lost'), 5000)"), "C BEGIN\nC UPDATE 1\n") != 0)
        return 2;
    return 0;
}

static void test_crash(void)
{
    sdb_test_tempdir(datadir, sizeof datadir);
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(open_all(), SDB_OK);
    expect("SELECT id, length(t), t = repeat(md5('one'), 3000) FROM big", "1|96000|t\n");
    expect("UPDATE big SET t = repeat(md5('new'), 1000)", "C UPDATE 1\n");
    expect("SELECT id, length(t), t = repeat(md5('new'), 1000) FROM big", "1|32000|t\n");
    close_all();
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"large values round trip", test_round_trip},
        {"many values, row too big", test_many_values_and_too_big},
        {"long catalog values", test_long_catalog_values},
        {"DROP TABLE leaves no file", test_drop_leaves_nothing},
        {"crash with toasted rows", test_crash},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"toast_sql", setup, teardown, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return sdb_test_run(suites);
}
