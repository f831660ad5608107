/*
 * test_session.c: runtime/session through its API: command tags, transaction
 * blocks and their warnings and failed state, SET/SET LOCAL/RESET undo with
 * ParameterStatus, SHOW, PREPARE/EXECUTE, the extended protocol with row
 * limits, COPY round trips in text and CSV, TRUNCATE, EXPLAIN, persistence
 * across instance reopen.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "session/session.h"

/* Everything a sink saw, as text: "D a,b" "R 1|x" "C tag" "N code msg"
 * "P name=value", one per line. */
typedef struct Capture {
    SdbSession *s;
    SdbStr text;
    SdbArena *arena;
} Capture;

static int cap_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    Capture *c = arg;
    sdb_str_append_cstr(&c->text, "D ");
    for (int i = 0; i < ncols; i++)
        sdb_str_appendf(&c->text, "%s%s", i ? "," : "", cols[i].name);
    return sdb_str_append_char(&c->text, '\n');
}

static int cap_rows(void *arg, const SdbBatch *batch)
{
    Capture *c = arg;
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        sdb_str_append_cstr(&c->text, "R ");
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
    return sdb_str_appendf(&c->text, "C %s\n", tag);
}

static void cap_notice(void *arg, const char *sqlstate, const char *message)
{
    Capture *c = arg;
    sdb_str_appendf(&c->text, "N %s %s %s\n", sdb_notice_severity(sqlstate), sqlstate, message);
}

static void cap_parameter(void *arg, const char *name, const char *value)
{
    Capture *c = arg;
    sdb_str_appendf(&c->text, "P %s=%s\n", name, value);
}

/* COPY FROM STDIN data handed out in two pieces; COPY TO STDOUT lines
 * captured as "O <line>" ("O begin" first). */
static const char *copy_pieces[] = {"5\tfive\t2020-05-05\n6\tsix", "\t\\N\n"};
static int copy_piece;

static int cap_copy_in(void *arg, int ncols, SdbStr *data, bool *done)
{
    (void)arg;
    CU_ASSERT_EQUAL(ncols, 3);
    sdb_str_append_cstr(data, copy_pieces[copy_piece++]);
    *done = copy_piece == 2;
    return SDB_OK;
}

static int cap_copy_out(void *arg, int ncols, const char *data, size_t len)
{
    Capture *c = arg;
    (void)ncols;
    return sdb_str_appendf(&c->text, "O %.*s", (int)len, data);
}

static int cap_copy_begin(void *arg, bool is_from, bool binary, int ncols)
{
    Capture *c = arg;
    (void)ncols;
    (void)binary;
    return is_from ? SDB_OK : sdb_str_append_cstr(&c->text, "O begin\n");
}

static SdbInstance *db;
static SdbSession *session;
static char datadir[512];
static Capture cap;
static SdbResultSink sink = {.arg = &cap, .describe = cap_describe, .rows = cap_rows, .complete = cap_complete,
                             .notice = cap_notice, .parameter_status = cap_parameter, .copy_in = cap_copy_in,
                             .copy_out = cap_copy_out, .copy_begin = cap_copy_begin};

static void open_all(void)
{
    SdbSettings settings;
    CU_ASSERT_FATAL(sdb_settings_init(&settings) == SDB_OK);
    db = sdb_instance_open(datadir, &settings);
    sdb_settings_free(&settings);
    if (db == NULL)
        sdb_error_print(stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    session = sdb_session_open(db, "postgres", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(session);
    cap.s = session;
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

static int setup(void)
{
    sdb_test_tempdir(datadir, sizeof datadir);
    cap.arena = sdb_arena_create(NULL, "capture", 0);
    return 0;
}

static void test_tags(void)
{
    open_all();
    CU_ASSERT_STRING_EQUAL(run("create table t (a int primary key, b text)"), "C CREATE TABLE\n");
    CU_ASSERT_STRING_EQUAL(run("insert into t values (1, 'x'), (2, NULL)"), "C INSERT 0 2\n");
    CU_ASSERT_STRING_EQUAL(run("update t set b = 'y' where a = 2"), "C UPDATE 1\n");
    CU_ASSERT_STRING_EQUAL(run("select a, b from t order by a"), "D a,b\nR 1|x\nR 2|y\nC SELECT 2\n");
    CU_ASSERT_STRING_EQUAL(run("delete from t where a = 5"), "C DELETE 0\n");
    CU_ASSERT_STRING_EQUAL(run("insert into t values (3, 'z') returning a"), "D a\nR 3\nC INSERT 0 1\n");
    CU_ASSERT_STRING_EQUAL(run("values (1), (2)"), "D column1\nR 1\nR 2\nC SELECT 2\n");
    CU_ASSERT_STRING_EQUAL(run(""), "");
    CU_ASSERT_STRING_EQUAL(run("select 1; selec 2"), "E 42601 syntax error at or near \"selec\"\n");
    close_all();
}

static void test_transactions(void)
{
    open_all();
    CU_ASSERT_EQUAL(sdb_session_status(session), 'I');
    CU_ASSERT_STRING_EQUAL(run("begin"), "C BEGIN\n");
    CU_ASSERT_EQUAL(sdb_session_status(session), 'T');
    CU_ASSERT_STRING_EQUAL(run("start transaction"),
                           "N WARNING 25001 there is already a transaction in progress\nC START TRANSACTION\n");
    CU_ASSERT_STRING_EQUAL(run("insert into t values (10, 'block')"), "C INSERT 0 1\n");
    CU_ASSERT_STRING_EQUAL(run("select 1 / 0"), "E 22012 division by zero\n");
    CU_ASSERT_EQUAL(sdb_session_status(session), 'E');
    CU_ASSERT_STRING_EQUAL(run("select 1"), "E 25P02 current transaction is aborted, commands ignored until end of "
                                            "transaction block\n");
    CU_ASSERT_STRING_EQUAL(run("commit"), "C ROLLBACK\n");
    CU_ASSERT_EQUAL(sdb_session_status(session), 'I');
    CU_ASSERT_STRING_EQUAL(run("select a from t where a = 10"), "D a\nC SELECT 0\n");
    CU_ASSERT_STRING_EQUAL(run("end"), "N WARNING 25P01 there is no transaction in progress\nC COMMIT\n");
    CU_ASSERT_STRING_EQUAL(run("abort"), "N WARNING 25P01 there is no transaction in progress\nC ROLLBACK\n");
    CU_ASSERT_STRING_EQUAL(run("begin; insert into t values (11, 'kept'); commit"),
                           "C BEGIN\nC INSERT 0 1\nC COMMIT\n");
    /* a query string is one transaction: the failing statement takes the insert with it */
    CU_ASSERT_STRING_EQUAL(run("insert into t values (12, 'gone'); select 1 / 0"),
                           "C INSERT 0 1\nE 22012 division by zero\n");
    CU_ASSERT_STRING_EQUAL(run("select a from t where a >= 10 order by a"), "D a\nR 11\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run("begin; savepoint s"), "C BEGIN\nC SAVEPOINT\n");
    CU_ASSERT_STRING_EQUAL(run("rollback"), "C ROLLBACK\n");
    CU_ASSERT_STRING_EQUAL(run("begin; create database d2"),
                           "C BEGIN\nE 25001 CREATE DATABASE cannot run inside a transaction block\n");
    CU_ASSERT_STRING_EQUAL(run("rollback"), "C ROLLBACK\n");
    close_all();
}

static void test_settings(void)
{
    open_all();
    CU_ASSERT_STRING_EQUAL(run("show work_mem"), "D work_mem\nR 4MB\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("set work_mem = '8MB'; show work_mem"), "C SET\nD work_mem\nR 8MB\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("begin; set work_mem = '16MB'; rollback; show work_mem"),
                           "C BEGIN\nC SET\nC ROLLBACK\nD work_mem\nR 8MB\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("begin; set local work_mem = '1MB'; show work_mem; commit; show work_mem"),
                           "C BEGIN\nC SET\nD work_mem\nR 1MB\nC SHOW\nC COMMIT\nD work_mem\nR 8MB\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("reset work_mem; show work_mem"), "C RESET\nD work_mem\nR 4MB\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("set local work_mem = '2MB'"),
                           "N WARNING 25P01 SET LOCAL can only be used in transaction blocks\nC SET\n");
    /* reported settings announce their changes, also when a rollback undoes them */
    CU_ASSERT_STRING_EQUAL(run("set time zone 'Europe/Berlin'"), "P TimeZone=Europe/Berlin\nC SET\n");
    CU_ASSERT_STRING_EQUAL(run("select '2020-06-01 12:00:00+00'::timestamptz"),
                           "D timestamptz\nR 2020-06-01 14:00:00+02\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run("begin; set timezone = 'UTC'; rollback"),
                           "C BEGIN\nP TimeZone=UTC\nC SET\nP TimeZone=Europe/Berlin\nC ROLLBACK\n");
    CU_ASSERT_STRING_EQUAL(run("set time zone -5; show timezone"),
                           "P TimeZone=<-05>+05\nC SET\nD TimeZone\nR <-05>+05\nC SHOW\n");
    CU_ASSERT_STRING_EQUAL(run("set timezone = 'Mars/Olympus'"),
                           "E 22023 invalid value for parameter \"TimeZone\": \"Mars/Olympus\"\n");
    CU_ASSERT_STRING_EQUAL(run("show nosuch"), "E 42704 unrecognized configuration parameter \"nosuch\"\n");
    CU_ASSERT_STRING_EQUAL(run("set port = 1"), "E 55P02 parameter \"port\" cannot be changed without restarting "
                                                "the server\n");
    CU_ASSERT_STRING_EQUAL(run("begin isolation level repeatable read; show transaction_isolation; commit"),
                           "C BEGIN\nD transaction_isolation\nR repeatable read\nC SHOW\nC COMMIT\n");
    char buf[64];
    CU_ASSERT_EQUAL(sdb_session_show(session, "timezone", buf, sizeof buf), SDB_OK);
    CU_ASSERT_STRING_EQUAL(buf, "<-05>+05");
    close_all();
}

static void test_prepare_execute(void)
{
    open_all();
    CU_ASSERT_STRING_EQUAL(run("prepare q (int) as select b from t where a = $1"), "C PREPARE\n");
    CU_ASSERT_STRING_EQUAL(run("execute q (1)"), "D b\nR x\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run("execute q ('2')"), "D b\nR y\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run("prepare q as select 1"), "E 42P05 prepared statement \"q\" already exists\n");
    CU_ASSERT_STRING_EQUAL(run("execute q"), "E 42601 wrong number of parameters for prepared statement \"q\"\n");
    CU_ASSERT_STRING_EQUAL(run("deallocate q"), "C DEALLOCATE\n");
    CU_ASSERT_STRING_EQUAL(run("execute q (1)"), "E 26000 prepared statement \"q\" does not exist\n");
    CU_ASSERT_STRING_EQUAL(run("prepare ins as insert into t values ($1, $2); execute ins (20, 'p'); deallocate all"),
                           "C PREPARE\nC INSERT 0 1\nC DEALLOCATE ALL\n");
    close_all();
}

static void test_extended(void)
{
    open_all();
    SdbPrepared *p;
    SdbOid types[1] = {0};
    CU_ASSERT_EQUAL_FATAL(sdb_session_prepare(session, "s1", "select a from t where a > $1 order by a", 1, types, &p),
                          SDB_OK);
    int n;
    const SdbOid *ptypes;
    const SdbPlanColumn *cols;
    CU_ASSERT_EQUAL(sdb_prepared_params(p, &n, &ptypes), SDB_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(ptypes[0], 23);
    CU_ASSERT_EQUAL(sdb_prepared_columns(p, &n, &cols), SDB_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(cols[0].name, "a");
    const char *values[1] = {"0"};
    SdbPortal *portal;
    CU_ASSERT_EQUAL_FATAL(sdb_session_bind(session, "", p, 1, values, NULL, NULL, &portal), SDB_OK);
    bool suspended;
    sdb_str_init(&cap.text, cap.arena);
    CU_ASSERT_EQUAL(sdb_portal_execute(portal, 2, &sink, &suspended), SDB_OK);
    CU_ASSERT_TRUE(suspended);
    CU_ASSERT_STRING_EQUAL(cap.text.data, "R 1\nR 2\n");
    sdb_str_init(&cap.text, cap.arena);
    CU_ASSERT_EQUAL(sdb_portal_execute(portal, 0, &sink, &suspended), SDB_OK);
    CU_ASSERT_FALSE(suspended);
    CU_ASSERT_STRING_EQUAL(cap.text.data, "R 3\nR 11\nR 20\nC SELECT 5\n");
    CU_ASSERT_EQUAL(sdb_session_sync(session, &sink), SDB_OK);
    CU_ASSERT_EQUAL(sdb_session_close_portal(session, ""), SDB_OK);
    CU_ASSERT_EQUAL(sdb_session_close_prepared(session, "s1"), SDB_OK);
    /* an insert through the protocol is committed at Sync */
    CU_ASSERT_EQUAL_FATAL(sdb_session_prepare(session, "", "insert into t values ($1, 'ext')", 1, types, &p), SDB_OK);
    values[0] = "30";
    CU_ASSERT_EQUAL_FATAL(sdb_session_bind(session, "", p, 1, values, NULL, NULL, &portal), SDB_OK);
    sdb_str_init(&cap.text, cap.arena);
    CU_ASSERT_EQUAL(sdb_portal_execute(portal, 0, &sink, &suspended), SDB_OK);
    CU_ASSERT_STRING_EQUAL(cap.text.data, "C INSERT 0 1\n");
    CU_ASSERT_EQUAL(sdb_session_sync(session, &sink), SDB_OK);
    CU_ASSERT_EQUAL(sdb_session_status(session), 'I');
    values[0] = "x";
    CU_ASSERT_EQUAL(sdb_session_bind(session, "", p, 1, values, NULL, NULL, &portal), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_TEXT_REPRESENTATION);
    sdb_error_clear();
    close_all();
}

static void test_copy_truncate_explain(void)
{
    open_all();
    char path[600], csv[600], sql[1400];
    snprintf(path, sizeof path, "%s/t.txt", datadir);
    snprintf(csv, sizeof csv, "%s/t.csv", datadir);
    CU_ASSERT_STRING_EQUAL(run("create table c (a int, b text, d date)"), "C CREATE TABLE\n");
    FILE *f = fopen(path, "w");
    fputs("1\tone\t2020-01-02\n2\t\\N\t\\N\n3\ttab\\there\t2021-12-31\n", f);
    fclose(f);
    snprintf(sql, sizeof sql, "copy c from '%s'", path);
    CU_ASSERT_STRING_EQUAL(run(sql), "C COPY 3\n");
    CU_ASSERT_STRING_EQUAL(run("select a, b, d from c order by a"),
                           "D a,b,d\nR 1|one|2020-01-02\nR 2|NULL|NULL\nR 3|tab\there|2021-12-31\nC SELECT 3\n");
    snprintf(sql, sizeof sql, "copy c (b, a) to '%s' with (format csv, header)", csv);
    CU_ASSERT_STRING_EQUAL(run(sql), "C COPY 3\n");
    f = fopen(csv, "r");
    char text[256] = {0};
    CU_ASSERT_EQUAL(fread(text, 1, sizeof text - 1, f) > 0, true);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(text, "b,a\none,1\n,2\ntab\there,3\n");
    CU_ASSERT_STRING_EQUAL(run("truncate c"), "C TRUNCATE TABLE\n");
    snprintf(sql, sizeof sql, "copy c (b, a) from '%s' (format csv, header true)", csv);
    CU_ASSERT_STRING_EQUAL(run(sql), "C COPY 3\n");
    CU_ASSERT_STRING_EQUAL(run("select a, b from c where b is null"), "D a,b\nR 2|NULL\nC SELECT 1\n");
    f = fopen(path, "w");
    fputs("7\tseven\t2020-01-01\n8\teight\tnot a date\n", f);
    fclose(f);
    snprintf(sql, sizeof sql, "copy c from '%s'", path);
    CU_ASSERT_STRING_EQUAL(run(sql), "E 22007 invalid input syntax for type date: \"not a date\"\n");
    CU_ASSERT_STRING_EQUAL(run("select a from c where a = 7"), "D a\nC SELECT 0\n");
    snprintf(sql, sizeof sql, "copy nosuch from '%s'", path);
    CU_ASSERT_STRING_EQUAL(run(sql), "E 42P01 relation \"nosuch\" does not exist\n");
    const char *plan = run("explain select a from c");
    CU_ASSERT_TRUE(strncmp(plan, "D QUERY PLAN\nR ", 15) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(plan, "C EXPLAIN\n"));
    CU_ASSERT_STRING_EQUAL(run("copy c from stdin"), "C COPY 2\n");
    CU_ASSERT_STRING_EQUAL(run("copy (select a, b from c where a >= 5 order by a) to stdout"),
                           "O begin\nO 5\tfive\nO 6\tsix\nC COPY 2\n");
    CU_ASSERT_STRING_EQUAL(run("select d from c where a = 6"), "D d\nR NULL\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run("checkpoint"), "C CHECKPOINT\n");
    CU_ASSERT_STRING_EQUAL(run("analyze c"), "C ANALYZE\n");
    close_all();
    /* everything committed is there after a reopen */
    open_all();
    CU_ASSERT_STRING_EQUAL(run("select a from t where a >= 20 order by a"), "D a\nR 20\nR 30\nC SELECT 2\n");
    close_all();
}

/* Sessions on threads of their own, inserting into one table at once. */
#define WORKERS 4
#define ROWS_EACH 200

static void *worker(void *arg)
{
    long id = (long)arg;
    SdbSession *s = sdb_session_open(db, "postgres", "postgres");
    if (s == NULL)
        return (void *)1;
    long failures = 0;
    for (int i = 0; i < ROWS_EACH; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "insert into conc values (%ld, %d)", id, i);
        if (sdb_session_execute(s, sql, NULL) != SDB_OK) {
            sdb_error_print(stderr);
            failures++;
        }
    }
    sdb_session_close(s);
    return (void *)failures;
}

static void test_concurrent_sessions(void)
{
    open_all();
    CU_ASSERT_STRING_EQUAL(run("create table conc (w int, i int)"), "C CREATE TABLE\n");
    pthread_t threads[WORKERS];
    for (long w = 0; w < WORKERS; w++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[w], NULL, worker, (void *)w), 0);
    for (int w = 0; w < WORKERS; w++) {
        void *failures;
        pthread_join(threads[w], &failures);
        CU_ASSERT_PTR_NULL(failures);
    }
    char expected[64];
    snprintf(expected, sizeof expected, "D i\nR %d\nC SELECT 1\n", ROWS_EACH - 1);
    for (int w = 0; w < WORKERS; w++) {
        char sql[128];
        snprintf(sql, sizeof sql, "select i from conc where w = %d and i = %d", w, ROWS_EACH - 1);
        CU_ASSERT_STRING_EQUAL(run(sql), expected);
    }
    int rows = 0;
    for (const char *p = run("select w from conc"); (p = strstr(p, "R ")) != NULL; p += 2)
        rows++;
    CU_ASSERT_EQUAL(rows, WORKERS * ROWS_EACH);
    close_all();
}

static void test_databases(void)
{
    open_all();
    CU_ASSERT_STRING_EQUAL(run("create database other"), "C CREATE DATABASE\n");
    CU_ASSERT_STRING_EQUAL(run("create table only_in_postgres (a int)"), "C CREATE TABLE\n");
    SdbSession *other = sdb_session_open(db, "postgres", "other");
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    SdbSession *main_session = session;
    session = other;
    cap.s = other;
    CU_ASSERT_STRING_EQUAL(run("select a from only_in_postgres"),
                           "E 42P01 relation \"only_in_postgres\" does not exist\n");
    CU_ASSERT_STRING_EQUAL(run("create table only_in_other (b int); insert into only_in_other values (1)"),
                           "C CREATE TABLE\nC INSERT 0 1\n");
    sdb_session_close(other);
    session = main_session;
    cap.s = session;
    CU_ASSERT_STRING_EQUAL(run("select b from only_in_other"), "E 42P01 relation \"only_in_other\" does not exist\n");
    CU_ASSERT_PTR_NULL(sdb_session_open(db, "postgres", "nosuch"));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_CATALOG_NAME);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "database \"nosuch\" does not exist");
    sdb_error_clear();
    close_all();
}

/* Run `sql` in `s` (the other session of a two-session test). */
static const char *run_in(SdbSession *s, const char *sql)
{
    SdbSession *main_session = session;
    session = s;
    cap.s = s;
    const char *out = run(sql);
    session = main_session;
    cap.s = main_session;
    return out;
}

/* REPEATABLE READ and SERIALIZABLE keep their snapshot and lose to a
 * concurrent committed update (first updater wins); READ COMMITTED runs
 * the update on a new snapshot. */
static void test_first_updater_wins(void)
{
    open_all();
    SdbSession *other = sdb_session_open(db, "postgres", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_STRING_EQUAL(run("create table fuw (id int primary key, v int); insert into fuw values (1, 10)"),
                           "C CREATE TABLE\nC INSERT 0 1\n");
    const char *levels[] = {"repeatable read", "serializable"};
    for (int i = 0; i < 2; i++) {
        char begin[64];
        snprintf(begin, sizeof begin, "begin isolation level %s", levels[i]);
        CU_ASSERT_STRING_EQUAL(run(begin), "C BEGIN\n");
        CU_ASSERT_STRING_EQUAL(run("select v from fuw"), "D v\nR 10\nC SELECT 1\n");
        CU_ASSERT_STRING_EQUAL(run_in(other, "update fuw set v = 11"), "C UPDATE 1\n");
        CU_ASSERT_STRING_EQUAL(run("select v from fuw"), "D v\nR 10\nC SELECT 1\n");
        CU_ASSERT_STRING_EQUAL(run("update fuw set v = v + 1"),
                               "E 40001 could not serialize access due to concurrent update\n");
        CU_ASSERT_STRING_EQUAL(run("commit"), "C ROLLBACK\n");
        CU_ASSERT_STRING_EQUAL(run_in(other, "update fuw set v = 10"), "C UPDATE 1\n");
    }
    CU_ASSERT_STRING_EQUAL(run("begin isolation level read committed"), "C BEGIN\n");
    CU_ASSERT_STRING_EQUAL(run("select v from fuw"), "D v\nR 10\nC SELECT 1\n");
    CU_ASSERT_STRING_EQUAL(run_in(other, "update fuw set v = 11"), "C UPDATE 1\n");
    CU_ASSERT_STRING_EQUAL(run("update fuw set v = v + 1"), "C UPDATE 1\n");
    CU_ASSERT_STRING_EQUAL(run("commit"), "C COMMIT\n");
    CU_ASSERT_STRING_EQUAL(run("select v from fuw"), "D v\nR 12\nC SELECT 1\n");
    sdb_session_close(other);
    close_all();
}

static CU_TestInfo tests[] = {
    {"command tags", test_tags},
    {"transaction blocks", test_transactions},
    {"SET, RESET, SHOW and their undo", test_settings},
    {"PREPARE, EXECUTE, DEALLOCATE", test_prepare_execute},
    {"extended protocol", test_extended},
    {"COPY, TRUNCATE, EXPLAIN, reopen", test_copy_truncate_explain},
    {"sessions on several threads", test_concurrent_sessions},
    {"databases", test_databases},
    {"first updater wins at REPEATABLE READ and SERIALIZABLE", test_first_updater_wins},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"session", setup, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
