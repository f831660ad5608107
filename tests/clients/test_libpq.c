/*
 * tests/clients/test_libpq.c: libpq (PostgreSQL's own client library)
 * against a server, in two modes:
 *
 *     test_libpq features CONNINFO
 *         simple queries, parameters of every type in text and binary
 *         (values.h), prepared statements and portals, single-row mode,
 *         pipeline mode, error fields, notices, cancel, statement_timeout,
 *         transaction status, ParameterStatus, and errors found by the
 *         server itself failing the transaction.  Written to pass against
 *         PostgreSQL 15 as well as specdb.
 *     test_libpq binary SPECDB_CONNINFO POSTGRES_CONNINFO
 *         every value of values.h (and its array) in binary and text from
 *         both servers: RowDescription (type OID, typlen, typmod, format)
 *         and the bytes must be identical; PostgreSQL's binary form sent
 *         back to specdb as a parameter must come back unchanged.  And
 *         PQdescribePrepared of statements of every kind: the same
 *         parameter types and RowDescription.
 *
 * Prints each failure and "N passed, N failed"; exits 1 on any failure.
 * Run by tests/clients/run_libpq.py (ctests clients.libpq and
 * clients.binary_matches_postgres), which starts the servers.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "values.h"

static int passed, failed;

static bool check(bool ok, int line, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return true;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL (line %d): ", line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

#define CHECK(cond, ...) check((cond), __LINE__, __VA_ARGS__)

static const char *str_or_null(const char *s)
{
    return s ? s : "(null)";
}

static bool same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static PGconn *connect_to(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to \"%s\": %s", conninfo, PQerrorMessage(conn));
        exit(1);
    }
    return conn;
}

/* Run `sql`; true when its (last) result has status `want`. */
static bool exec_status(PGconn *conn, const char *sql, ExecStatusType want, int line)
{
    PGresult *r = PQexec(conn, sql);
    bool ok = check(PQresultStatus(r) == want, line, "%s: %s, want %s: %s", sql, PQresStatus(PQresultStatus(r)),
                    PQresStatus(want), PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

#define EXEC_OK(conn, sql) exec_status((conn), (sql), PGRES_COMMAND_OK, __LINE__)

/* The single value of a one-row query as text (static buffer). */
static const char *query_value(PGconn *conn, const char *sql)
{
    static char buf[256];
    PGresult *r = PQexec(conn, sql);
    buf[0] = '\0';
    if (CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql, PQresultErrorMessage(r)))
        snprintf(buf, sizeof buf, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

/* r is an error with this SQLSTATE (and message, when given); cleared. */
static bool expect_error(PGresult *r, const char *sqlstate, const char *message, int line)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *text = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    bool ok = check(PQresultStatus(r) == PGRES_FATAL_ERROR && same(state, sqlstate) &&
                        (message == NULL || same(text, message)),
                    line, "want %s \"%s\", got %s %s \"%s\"", sqlstate, str_or_null(message),
                    PQresStatus(PQresultStatus(r)), str_or_null(state), str_or_null(text));
    PQclear(r);
    return ok;
}

#define EXPECT_ERROR(r, sqlstate, message) expect_error((r), (sqlstate), (message), __LINE__)

/* --- features -------------------------------------------------------------------- */

static void test_simple_query(PGconn *conn)
{
    const char *sql = "CREATE TABLE simple_t (a int4 PRIMARY KEY, b text); "
                      "INSERT INTO simple_t VALUES (1, 'one'), (2, NULL); "
                      "SELECT a, b FROM simple_t ORDER BY a; "
                      "UPDATE simple_t SET b = 'two' WHERE a = 2; DELETE FROM simple_t WHERE a = 1";
    static const char *const tags[] = {"CREATE TABLE", "INSERT 0 2", "SELECT 2", "UPDATE 1", "DELETE 1"};
    CHECK(PQsendQuery(conn, sql) == 1, "PQsendQuery: %s", PQerrorMessage(conn));
    int n = 0;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (n < 5)
            CHECK(strcmp(PQcmdStatus(r), tags[n]) == 0, "statement %d: tag %s, want %s (%s)", n, PQcmdStatus(r),
                  tags[n], PQresultErrorMessage(r));
        if (n == 2) {
            CHECK(PQntuples(r) == 2 && PQnfields(r) == 2 && strcmp(PQfname(r, 1), "b") == 0 &&
                      strcmp(PQgetvalue(r, 0, 1), "one") == 0 && PQgetisnull(r, 1, 1),
                  "the SELECT's rows");
            CHECK(PQftype(r, 0) == 23 && PQftype(r, 1) == 25, "column types %u %u", PQftype(r, 0), PQftype(r, 1));
        }
        if (n == 1)
            CHECK(strcmp(PQcmdTuples(r), "2") == 0, "PQcmdTuples %s", PQcmdTuples(r));
        PQclear(r);
        n++;
    }
    CHECK(n == 5, "%d results, want 5", n);
    r = PQexec(conn, "");
    CHECK(PQresultStatus(r) == PGRES_EMPTY_QUERY, "empty query: %s", PQresStatus(PQresultStatus(r)));
    PQclear(r);
    /* an error stops the rest of the string, and the whole string was one transaction */
    EXPECT_ERROR(PQexec(conn, "INSERT INTO simple_t VALUES (10, 'x'); SELECT 1/0; INSERT INTO simple_t VALUES (11)"),
                 "22012", "division by zero");
    CHECK(strcmp(query_value(conn, "SELECT count(*) FROM simple_t WHERE a >= 10"), "0") == 0,
          "a failed query string commits nothing");
}

/* Each value, as text and as binary, sent back as a parameter of its own
 * type and received in the same format: the same bytes come back. */
static void round_trip(PGconn *conn, const char *expr, int format)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    PGresult *r = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, format);
    if (!CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "%s (format %d): %s", sql, format, PQresultErrorMessage(r))) {
        PQclear(r);
        return;
    }
    Oid type = PQftype(r, 0);
    int len = PQgetlength(r, 0, 0);
    const char *value = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
    PGresult *back = PQexecParams(conn, "SELECT $1", 1, &type, &value, &len, &format, format);
    if (CHECK(PQresultStatus(back) == PGRES_TUPLES_OK, "%s as a parameter (format %d): %s", expr, format,
              PQresultErrorMessage(back))) {
        CHECK(PQftype(back, 0) == type, "%s: parameter type %u came back as %u", expr, type, PQftype(back, 0));
        CHECK(PQgetisnull(back, 0, 0) == (value == NULL) && PQgetlength(back, 0, 0) == len &&
                  (value == NULL || memcmp(PQgetvalue(back, 0, 0), value, (size_t)len) == 0),
              "%s (format %d) did not round-trip", expr, format);
    }
    PQclear(back);
    PQclear(r);
}

static void test_parameters(PGconn *conn)
{
    for (int i = 0; i < NTEST_VALUES; i++) {
        const TestValue *v = &test_values[i];
        if (v->flags & NO_PARAM)
            continue;
        char array[256];
        snprintf(array, sizeof array, "ARRAY[%s, NULL]", v->expr);
        for (int format = 0; format <= 1; format++) {
            round_trip(conn, v->expr, format);
            if (!(v->flags & NO_ARRAY))
                round_trip(conn, array, format);
        }
    }
    /* parameters whose type the server infers, mixed formats */
    const char *values[3] = {"41", "\0\0\0\x02", NULL};
    int lengths[3] = {0, 4, 0};
    int formats[3] = {0, 1, 0};
    Oid types[3] = {0, 23, 25};
    PGresult *r = PQexecParams(conn, "SELECT $1::int8 + $2, $3 IS NULL", 3, types, values, lengths, formats, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "43") == 0 &&
              strcmp(PQgetvalue(r, 0, 1), "t") == 0,
          "inferred and mixed-format parameters: %s", PQresultErrorMessage(r));
    PQclear(r);
}

static void test_prepared(PGconn *conn)
{
    EXEC_OK(conn, "CREATE TABLE prep_t (id int4, name varchar(20), amount numeric(10,2))");
    Oid types[3] = {23, 0, 1700};
    PGresult *r = PQprepare(conn, "ins", "INSERT INTO prep_t VALUES ($1, $2, $3)", 3, types);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "PQprepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(conn, "ins");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 3 && PQparamtype(r, 0) == 23 &&
              PQparamtype(r, 1) == 1043 && PQparamtype(r, 2) == 1700 && PQnfields(r) == 0,
          "PQdescribePrepared(ins): %d params (%u %u %u), %d fields", PQnparams(r), PQparamtype(r, 0),
          PQparamtype(r, 1), PQparamtype(r, 2), PQnfields(r));
    PQclear(r);
    for (int i = 1; i <= 3; i++) {
        char id[16], name[16];
        snprintf(id, sizeof id, "%d", i);
        snprintf(name, sizeof name, "n%d", i);
        const char *values[3] = {id, name, "12.5"};
        r = PQexecPrepared(conn, "ins", 3, values, NULL, NULL, 0);
        CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "INSERT 0 1") == 0,
              "PQexecPrepared(ins): %s", PQresultErrorMessage(r));
        PQclear(r);
    }
    r = PQprepare(conn, "sel", "SELECT id, name, amount FROM prep_t WHERE id >= $1 ORDER BY id", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "PQprepare(sel): %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(conn, "sel");
    CHECK(PQnparams(r) == 1 && PQparamtype(r, 0) == 23 && PQnfields(r) == 3 && PQftype(r, 1) == 1043 &&
              PQfmod(r, 1) == 24 && PQftype(r, 2) == 1700 && PQfmod(r, 2) == ((10 << 16) | 2) + 4 &&
              strcmp(PQfname(r, 2), "amount") == 0 && PQfsize(r, 0) == 4 && PQfsize(r, 1) == -1,
          "PQdescribePrepared(sel): %d params, %d fields", PQnparams(r), PQnfields(r));
    PQclear(r);
    const char *two = "\0\0\0\x02";
    int len = 4, binary = 1;
    r = PQexecPrepared(conn, "sel", 1, &two, &len, &binary, 1);
    if (CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 2, "PQexecPrepared(sel): %s",
              PQresultErrorMessage(r))) {
        CHECK(PQfformat(r, 0) == 1 && PQgetlength(r, 0, 0) == 4 && memcmp(PQgetvalue(r, 0, 0), two, 4) == 0,
              "binary int4 result");
        CHECK(PQgetlength(r, 1, 1) == 2 && memcmp(PQgetvalue(r, 1, 1), "n3", 2) == 0, "binary varchar result");
        /* numeric 12.50: ndigits 2, weight 0, sign +, dscale 2, digits 12 5000 */
        static const char numeric[] = "\0\x02\0\0\0\0\0\x02\0\x0c\x13\x88";
        CHECK(PQgetlength(r, 0, 2) == 12 && memcmp(PQgetvalue(r, 0, 2), numeric, 12) == 0, "binary numeric result");
    }
    PQclear(r);

    /* the unnamed portal of a block outlives its Sync: PQdescribePortal */
    EXEC_OK(conn, "BEGIN");
    const char *one = "1";
    r = PQexecPrepared(conn, "sel", 1, &one, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 3, "PQexecPrepared in a block");
    PQclear(r);
    r = PQdescribePortal(conn, "");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && PQnfields(r) == 3 && PQftype(r, 0) == 23 &&
              strcmp(PQfname(r, 1), "name") == 0,
          "PQdescribePortal(\"\"): %s %d fields", PQresultErrorMessage(r), PQnfields(r));
    PQclear(r);
    EXEC_OK(conn, "COMMIT");
    /* DEALLOCATE of the statement of a live portal (PostgreSQL keeps the
     * portal; specdb closes it): the connection goes on either way */
    EXEC_OK(conn, "BEGIN");
    PQclear(PQexecPrepared(conn, "sel", 1, &one, NULL, NULL, 0));
    EXEC_OK(conn, "DEALLOCATE sel");
    PQclear(PQdescribePortal(conn, ""));
    PQclear(PQexecPrepared(conn, "ins", 0, NULL, NULL, NULL, 0));
    EXEC_OK(conn, "ROLLBACK");
    r = PQprepare(conn, "sel", "SELECT id, name, amount FROM prep_t WHERE id >= $1 ORDER BY id", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "PQprepare(sel) again: %s", PQresultErrorMessage(r));
    PQclear(r);
    EXPECT_ERROR(PQdescribePortal(conn, "nosuch"), "34000", "portal \"nosuch\" does not exist");
    EXPECT_ERROR(PQdescribePrepared(conn, "nosuch"), "26000", "prepared statement \"nosuch\" does not exist");
    EXPECT_ERROR(PQprepare(conn, "sel", "SELECT 1", 0, NULL), "42P05", "prepared statement \"sel\" already exists");
    EXPECT_ERROR(PQexecPrepared(conn, "ins", 1, &one, NULL, NULL, 0), "08P01",
                 "bind message supplies 1 parameters, but prepared statement \"ins\" requires 3");
    EXEC_OK(conn, "DEALLOCATE sel");
    EXPECT_ERROR(PQexecPrepared(conn, "sel", 1, &one, NULL, NULL, 0), "26000",
                 "prepared statement \"sel\" does not exist");
    /* SQL PREPARE and Parse share one namespace */
    EXEC_OK(conn, "PREPARE sqlprep (int4) AS SELECT $1 + 1 AS next");
    r = PQdescribePrepared(conn, "sqlprep");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 1 && PQparamtype(r, 0) == 23 &&
              PQnfields(r) == 1 && strcmp(PQfname(r, 0), "next") == 0,
          "PQdescribePrepared of an SQL PREPARE: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecPrepared(conn, "sqlprep", 1, &one, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "2") == 0,
          "PQexecPrepared of an SQL PREPARE: %s", PQresultErrorMessage(r));
    PQclear(r);
    EXPECT_ERROR(PQprepare(conn, "sqlprep", "SELECT 1", 0, NULL), "42P05",
                 "prepared statement \"sqlprep\" already exists");
    EXEC_OK(conn, "DEALLOCATE sqlprep");
}

static void test_single_row_mode(PGconn *conn)
{
    CHECK(PQsendQuery(conn, "SELECT g FROM generate_series(1, 5) g") == 1, "PQsendQuery");
    CHECK(PQsetSingleRowMode(conn) == 1, "PQsetSingleRowMode");
    int rows = 0, finals = 0;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
            rows++;
            char want[16];
            snprintf(want, sizeof want, "%d", rows);
            CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), want) == 0, "single row %d", rows);
        } else {
            CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0, "single-row mode end: %s",
                  PQresStatus(PQresultStatus(r)));
            finals++;
        }
        PQclear(r);
    }
    CHECK(rows == 5 && finals == 1, "single-row mode: %d rows, %d final results", rows, finals);
}

/* The next result of a pipeline has this status (NULL separators skipped
 * where libpq puts them: after each query's results). */
static PGresult *pipeline_result(PGconn *conn, ExecStatusType want, int line)
{
    PGresult *r = PQgetResult(conn);
    check(PQresultStatus(r) == want, line, "pipeline: %s, want %s (%s)", PQresStatus(PQresultStatus(r)),
          PQresStatus(want), PQresultErrorMessage(r));
    if (want != PGRES_PIPELINE_SYNC) {
        PGresult *end = PQgetResult(conn);
        check(end == NULL, line, "pipeline: a NULL after each query's result");
        PQclear(end);
    }
    return r;
}

static void test_pipeline(PGconn *conn)
{
    EXEC_OK(conn, "CREATE TABLE pipe_t (a int4)");
    CHECK(PQenterPipelineMode(conn) == 1, "PQenterPipelineMode");
    const char *one = "1";
    CHECK(PQsendQueryParams(conn, "INSERT INTO pipe_t VALUES ($1)", 1, NULL, &one, NULL, NULL, 0) == 1, "send 1");
    CHECK(PQsendQueryParams(conn, "SELECT a FROM pipe_t", 0, NULL, NULL, NULL, NULL, 1) == 1, "send 2");
    CHECK(PQpipelineSync(conn) == 1, "sync 1");
    CHECK(PQsendQueryParams(conn, "INSERT INTO pipe_t VALUES (2)", 0, NULL, NULL, NULL, NULL, 0) == 1, "send 3");
    CHECK(PQsendQueryParams(conn, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0) == 1, "send 4");
    CHECK(PQsendQueryParams(conn, "INSERT INTO pipe_t VALUES (3)", 0, NULL, NULL, NULL, NULL, 0) == 1, "send 5");
    CHECK(PQpipelineSync(conn) == 1, "sync 2");
    CHECK(PQsendQueryParams(conn, "SELECT count(*) FROM pipe_t", 0, NULL, NULL, NULL, NULL, 0) == 1, "send 6");
    CHECK(PQpipelineSync(conn) == 1, "sync 3");

    PQclear(pipeline_result(conn, PGRES_COMMAND_OK, __LINE__));
    PGresult *r = pipeline_result(conn, PGRES_TUPLES_OK, __LINE__);
    CHECK(PQntuples(r) == 1 && PQfformat(r, 0) == 1 && PQgetlength(r, 0, 0) == 4, "pipelined binary SELECT");
    PQclear(r);
    PQclear(pipeline_result(conn, PGRES_PIPELINE_SYNC, __LINE__));
    PQclear(pipeline_result(conn, PGRES_COMMAND_OK, __LINE__));
    EXPECT_ERROR(pipeline_result(conn, PGRES_FATAL_ERROR, __LINE__), "22012", "division by zero");
    PQclear(pipeline_result(conn, PGRES_PIPELINE_ABORTED, __LINE__));
    PQclear(pipeline_result(conn, PGRES_PIPELINE_SYNC, __LINE__));
    r = pipeline_result(conn, PGRES_TUPLES_OK, __LINE__);
    CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "1") == 0,
          "the failed pipeline segment was rolled back: %s rows", PQntuples(r) ? PQgetvalue(r, 0, 0) : "no");
    PQclear(r);
    PQclear(pipeline_result(conn, PGRES_PIPELINE_SYNC, __LINE__));
    CHECK(PQexitPipelineMode(conn) == 1, "PQexitPipelineMode: %s", PQerrorMessage(conn));
}

static void test_error_fields(PGconn *conn)
{
    PGresult *r = PQexec(conn, "SELECT nosuchcolumn FROM pg_class");
    CHECK(same(PQresultErrorField(r, PG_DIAG_SEVERITY), "ERROR") &&
              same(PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED), "ERROR") &&
              same(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION), "8"),
          "severity and position: %s %s", str_or_null(PQresultErrorField(r, PG_DIAG_SEVERITY)),
          str_or_null(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)));
    EXPECT_ERROR(r, "42703", "column \"nosuchcolumn\" does not exist");

    EXEC_OK(conn, "CREATE TABLE err_t (a int4 PRIMARY KEY)");
    EXEC_OK(conn, "INSERT INTO err_t VALUES (1)");
    r = PQexec(conn, "INSERT INTO err_t VALUES (1)");
    CHECK(same(PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL), "Key (a)=(1) already exists."), "detail: %s",
          str_or_null(PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)));
    EXPECT_ERROR(r, "23505", "duplicate key value violates unique constraint \"err_t_pkey\"");

    r = PQexec(conn, "SELECT nosuchfunction(1)");
    CHECK(same(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT),
               "No function matches the given name and argument types. You might need to add explicit type casts.") &&
              same(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION), "8"),
          "hint: %s", str_or_null(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)));
    EXPECT_ERROR(r, "42883", "function nosuchfunction(integer) does not exist");

    /* the extended protocol reports the same fields */
    r = PQexecParams(conn, "SELECT 1 + $1::int4 + nope", 0, NULL, NULL, NULL, NULL, 0);
    CHECK(same(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION), "23"), "position in Parse: %s",
          str_or_null(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)));
    EXPECT_ERROR(r, "42703", "column \"nope\" does not exist");
    const char *bad = "abc";
    EXPECT_ERROR(PQexecParams(conn, "SELECT $1::int4", 1, NULL, &bad, NULL, NULL, 0), "22P02",
                 "invalid input syntax for type integer: \"abc\"");
}

static char notice_text[1024];
static int notices;

static void notice_processor(void *arg, const char *message)
{
    (void)arg;
    notices++;
    snprintf(notice_text, sizeof notice_text, "%s", message);
}

static void test_notices(PGconn *conn)
{
    PQnoticeProcessor old = PQsetNoticeProcessor(conn, notice_processor, NULL);
    EXEC_OK(conn, "DROP TABLE IF EXISTS nosuchtable");
    CHECK(notices == 1 && strcmp(notice_text, "NOTICE:  table \"nosuchtable\" does not exist, skipping\n") == 0,
          "notice %d: %s", notices, notice_text);
    EXEC_OK(conn, "COMMIT");
    CHECK(notices == 2 && strcmp(notice_text, "WARNING:  there is no transaction in progress\n") == 0,
          "warning %d: %s", notices, notice_text);
    PQsetNoticeProcessor(conn, old, NULL);
}

static void test_cancel(const char *conninfo)
{
    PGconn *victim = connect_to(conninfo), *bystander = connect_to(conninfo);
    CHECK(PQsendQuery(victim, "SELECT pg_sleep(10)") == 1, "send victim");
    CHECK(PQsendQuery(bystander, "SELECT pg_sleep(1.5)") == 1, "send bystander");
    CHECK(PQtransactionStatus(victim) == PQTRANS_ACTIVE, "status while a query runs");
    usleep(300 * 1000);
    double start = now_seconds();
    PGcancel *cancel = PQgetCancel(victim);
    char err[256];
    CHECK(PQcancel(cancel, err, sizeof err) == 1, "PQcancel: %s", err);
    PQfreeCancel(cancel);
    PGresult *r = PQgetResult(victim);
    double took = now_seconds() - start;
    EXPECT_ERROR(r, "57014", "canceling statement due to user request");
    PQclear(PQgetResult(victim));
    CHECK(took < 5, "the cancel took %.1f s", took);
    r = PQgetResult(bystander);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "the other session was not canceled: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQclear(PQgetResult(bystander));
    CHECK(strcmp(query_value(victim, "SELECT 'still usable'"), "still usable") == 0, "session after cancel");

    /* the same from SQL: pg_cancel_backend(pid) in another session */
    CHECK(PQsendQuery(victim, "SELECT pg_sleep(10)") == 1, "send victim");
    usleep(300 * 1000);
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT pg_cancel_backend(%d)", PQbackendPID(victim));
    start = now_seconds();
    CHECK(strcmp(query_value(bystander, sql), "t") == 0, "pg_cancel_backend found the session");
    EXPECT_ERROR(PQgetResult(victim), "57014", "canceling statement due to user request");
    PQclear(PQgetResult(victim));
    CHECK(now_seconds() - start < 5, "pg_cancel_backend took %.1f s", now_seconds() - start);
    EXPECT_ERROR(PQexec(victim, "SELECT pg_cancel_backend(pg_backend_pid())"), "57014",
                 "canceling statement due to user request");
    CHECK(strcmp(query_value(victim, "SELECT 'still usable'"), "still usable") == 0, "session after cancel");
    PQfinish(victim);
    PQfinish(bystander);
}

static void test_statement_timeout(PGconn *conn)
{
    EXEC_OK(conn, "SET statement_timeout = 200");
    double start = now_seconds();
    EXPECT_ERROR(PQexec(conn, "SELECT pg_sleep(5)"), "57014", "canceling statement due to statement timeout");
    CHECK(now_seconds() - start < 3, "statement_timeout took %.1f s", now_seconds() - start);
    EXEC_OK(conn, "RESET statement_timeout");
    CHECK(strcmp(query_value(conn, "SELECT pg_sleep(0.3)::text"), "") == 0, "no timeout after RESET");
}

static void test_transaction_status(PGconn *conn)
{
    CHECK(PQtransactionStatus(conn) == PQTRANS_IDLE, "idle");
    EXEC_OK(conn, "BEGIN");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INTRANS, "in a block");
    EXPECT_ERROR(PQexec(conn, "SELECT 1/0"), "22012", "division by zero");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "in a failed block");
    EXPECT_ERROR(PQexec(conn, "SELECT 1"), "25P02",
                 "current transaction is aborted, commands ignored until end of transaction block");
    EXEC_OK(conn, "ROLLBACK");
    CHECK(PQtransactionStatus(conn) == PQTRANS_IDLE, "idle after ROLLBACK");
}

static void parameter_is(PGconn *conn, const char *name, const char *want, int line)
{
    const char *got = PQparameterStatus(conn, name);
    check(same(got, want), line, "ParameterStatus %s = %s, want %s", name, str_or_null(got), want);
}

#define PARAMETER_IS(conn, name, want) parameter_is((conn), (name), (want), __LINE__)

static void test_parameter_status(PGconn *conn)
{
    const char *version = PQparameterStatus(conn, "server_version");
    CHECK(version && strncmp(version, "15.", 3) == 0, "server_version %s", str_or_null(version));
    CHECK(PQserverVersion(conn) / 10000 == 15, "PQserverVersion %d", PQserverVersion(conn));
    PARAMETER_IS(conn, "server_encoding", "UTF8");
    PARAMETER_IS(conn, "client_encoding", "UTF8");
    PARAMETER_IS(conn, "DateStyle", "ISO, MDY");
    PARAMETER_IS(conn, "IntervalStyle", "postgres");
    PARAMETER_IS(conn, "integer_datetimes", "on");
    PARAMETER_IS(conn, "standard_conforming_strings", "on");
    PARAMETER_IS(conn, "application_name", "test_libpq");
    PARAMETER_IS(conn, "is_superuser", "on");
    PARAMETER_IS(conn, "session_authorization", "postgres");
    char zone[256];
    snprintf(zone, sizeof zone, "%s", query_value(conn, "SHOW TimeZone"));
    PARAMETER_IS(conn, "TimeZone", zone);

    EXEC_OK(conn, "SET DateStyle = 'German'");
    PARAMETER_IS(conn, "DateStyle", "German, DMY");
    EXEC_OK(conn, "SET application_name = 'renamed'");
    PARAMETER_IS(conn, "application_name", "renamed");
    EXEC_OK(conn, "SET TimeZone = 'Asia/Tokyo'");
    PARAMETER_IS(conn, "TimeZone", "Asia/Tokyo");
    EXEC_OK(conn, "BEGIN");
    EXEC_OK(conn, "SET IntervalStyle = 'iso_8601'");
    PARAMETER_IS(conn, "IntervalStyle", "iso_8601");
    EXEC_OK(conn, "ROLLBACK");
    PARAMETER_IS(conn, "IntervalStyle", "postgres");
    EXEC_OK(conn, "RESET ALL");
    PARAMETER_IS(conn, "DateStyle", "ISO, MDY");
    PARAMETER_IS(conn, "TimeZone", zone);
}

/* Errors the server finds in the messages themselves fail the transaction
 * like any other error. */
static void test_server_errors_fail_transaction(PGconn *conn)
{
    const char *one = "1";
    EXEC_OK(conn, "CREATE TABLE fail_t (a int4)");

    EXEC_OK(conn, "BEGIN");
    EXEC_OK(conn, "INSERT INTO fail_t VALUES (1)");
    EXPECT_ERROR(PQexecPrepared(conn, "nosuch", 1, &one, NULL, NULL, 0), "26000",
                 "prepared statement \"nosuch\" does not exist");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "unknown statement in a block: status %d",
          PQtransactionStatus(conn));
    EXPECT_ERROR(PQexec(conn, "SELECT 1"), "25P02", NULL);
    EXEC_OK(conn, "ROLLBACK");

    EXEC_OK(conn, "BEGIN");
    EXPECT_ERROR(PQdescribePortal(conn, "nosuch"), "34000", "portal \"nosuch\" does not exist");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "unknown portal in a block");
    EXEC_OK(conn, "ROLLBACK");

    EXEC_OK(conn, "BEGIN");
    EXPECT_ERROR(PQexecParams(conn, "SELECT 1", 0, NULL, NULL, NULL, NULL, 7), "22023", "unsupported format code: 7");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "bad format code in a block");
    EXEC_OK(conn, "ROLLBACK");

    EXEC_OK(conn, "BEGIN");
    const char *bad = "caf\xc3";
    EXPECT_ERROR(PQexecParams(conn, "SELECT $1::text", 1, NULL, &bad, NULL, NULL, 0), "22021",
                 "invalid byte sequence for encoding \"UTF8\": 0xc3");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "invalid UTF-8 parameter in a block");
    EXEC_OK(conn, "ROLLBACK");

    EXEC_OK(conn, "BEGIN");
    EXPECT_ERROR(PQexec(conn, "SELECT 'caf\xc3'"), "22021", "invalid byte sequence for encoding \"UTF8\": 0xc3 0x27");
    CHECK(PQtransactionStatus(conn) == PQTRANS_INERROR, "invalid UTF-8 query in a block");
    EXEC_OK(conn, "COMMIT"); /* answers ROLLBACK */

    /* an implicit transaction (one pipeline segment) is rolled back */
    CHECK(PQenterPipelineMode(conn) == 1, "PQenterPipelineMode");
    PQsendQueryParams(conn, "INSERT INTO fail_t VALUES (2)", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryPrepared(conn, "nosuch", 1, &one, NULL, NULL, 0);
    PQpipelineSync(conn);
    PQclear(pipeline_result(conn, PGRES_COMMAND_OK, __LINE__));
    EXPECT_ERROR(pipeline_result(conn, PGRES_FATAL_ERROR, __LINE__), "26000", NULL);
    PQclear(pipeline_result(conn, PGRES_PIPELINE_SYNC, __LINE__));
    CHECK(PQexitPipelineMode(conn) == 1, "PQexitPipelineMode: %s", PQerrorMessage(conn));
    CHECK(strcmp(query_value(conn, "SELECT count(*) FROM fail_t"), "0") == 0, "nothing committed");
}

static int features(const char *conninfo)
{
    char info[1024];
    snprintf(info, sizeof info, "%s application_name=test_libpq", conninfo);
    PGconn *conn = connect_to(info);
    test_parameter_status(conn);
    test_simple_query(conn);
    test_parameters(conn);
    test_prepared(conn);
    test_single_row_mode(conn);
    test_pipeline(conn);
    test_error_fields(conn);
    test_notices(conn);
    test_transaction_status(conn);
    test_statement_timeout(conn);
    test_server_errors_fail_transaction(conn);
    test_cancel(info);
    PQfinish(conn);
    return 0;
}

/* --- binary formats against PostgreSQL ------------------------------------------- */

static void print_bytes(const char *label, const PGresult *r)
{
    fprintf(stderr, "    %s:", label);
    if (PQgetisnull(r, 0, 0)) {
        fprintf(stderr, " NULL\n");
        return;
    }
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, 0, 0);
    for (int i = 0; i < PQgetlength(r, 0, 0) && i < 96; i++)
        fprintf(stderr, " %02x", v[i]);
    fprintf(stderr, "%s\n", PQgetlength(r, 0, 0) > 96 ? " ..." : "");
}

/* One query on both servers in `format`: same RowDescription and bytes. */
static void compare_one(PGconn *ours, PGconn *pg, const char *expr, int flags, int format)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    PGresult *a = PQexecParams(ours, sql, 0, NULL, NULL, NULL, NULL, format);
    PGresult *b = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, format);
    if (PQresultStatus(b) != PGRES_TUPLES_OK) {
        CHECK(PQresultStatus(a) == PGRES_FATAL_ERROR &&
                  same(PQresultErrorField(a, PG_DIAG_SQLSTATE), PQresultErrorField(b, PG_DIAG_SQLSTATE)),
              "%s (format %d): PostgreSQL failed (%s), specdb: %s %s", sql, format, PQresultErrorMessage(b),
              PQresStatus(PQresultStatus(a)), PQresultErrorMessage(a));
        goto done;
    }
    if (!CHECK(PQresultStatus(a) == PGRES_TUPLES_OK, "%s (format %d): %s", sql, format, PQresultErrorMessage(a)))
        goto done;
    CHECK(PQftype(a, 0) == PQftype(b, 0) && PQfsize(a, 0) == PQfsize(b, 0) &&
              PQfmod(a, 0) == PQfmod(b, 0) && PQfformat(a, 0) == PQfformat(b, 0),
          "%s (format %d): RowDescription type %u len %d typmod %d format %d, PostgreSQL %u %d %d %d", sql, format,
          PQftype(a, 0), PQfsize(a, 0), PQfmod(a, 0), PQfformat(a, 0), PQftype(b, 0), PQfsize(b, 0), PQfmod(b, 0),
          PQfformat(b, 0));
    bool equal = PQgetisnull(a, 0, 0) == PQgetisnull(b, 0, 0) && PQgetlength(a, 0, 0) == PQgetlength(b, 0, 0) &&
                 memcmp(PQgetvalue(a, 0, 0), PQgetvalue(b, 0, 0), (size_t)PQgetlength(a, 0, 0)) == 0;
    if (!CHECK(equal, "%s (format %d): the value differs from PostgreSQL's", sql, format)) {
        print_bytes("specdb    ", a);
        print_bytes("PostgreSQL", b);
    }
    if (format == 1 && !(flags & NO_PARAM) && !PQgetisnull(b, 0, 0)) {
        /* PostgreSQL's bytes as a binary parameter: specdb sends them back unchanged */
        Oid type = PQftype(a, 0);
        const char *value = PQgetvalue(b, 0, 0);
        int len = PQgetlength(b, 0, 0);
        PGresult *back = PQexecParams(ours, "SELECT $1", 1, &type, &value, &len, &format, 1);
        bool ok = PQresultStatus(back) == PGRES_TUPLES_OK && PQgetlength(back, 0, 0) == len &&
                  memcmp(PQgetvalue(back, 0, 0), value, (size_t)len) == 0;
        if (!CHECK(ok, "%s: PostgreSQL's binary form as a parameter: %s", expr, PQresultErrorMessage(back)) &&
            PQresultStatus(back) == PGRES_TUPLES_OK)
            print_bytes("came back ", back);
        PQclear(back);
    }
done:
    PQclear(a);
    PQclear(b);
}

/* PQdescribePrepared of one statement on both servers: the same parameter
 * types and RowDescription (names, type OIDs, typlens, typmods). */
static void compare_describe(PGconn *ours, PGconn *pg, const char *sql)
{
    PGresult *a = PQprepare(ours, "cmp", sql, 0, NULL), *b = PQprepare(pg, "cmp", sql, 0, NULL);
    bool prepared = CHECK(PQresultStatus(a) == PGRES_COMMAND_OK && PQresultStatus(b) == PGRES_COMMAND_OK,
                          "%s: specdb %s / PostgreSQL %s", sql, PQresultErrorMessage(a), PQresultErrorMessage(b));
    PQclear(a);
    PQclear(b);
    if (!prepared)
        return;
    a = PQdescribePrepared(ours, "cmp");
    b = PQdescribePrepared(pg, "cmp");
    bool same_shape = PQnparams(a) == PQnparams(b) && PQnfields(a) == PQnfields(b);
    CHECK(same_shape, "%s: %d params %d fields, PostgreSQL %d %d", sql, PQnparams(a), PQnfields(a), PQnparams(b),
          PQnfields(b));
    for (int i = 0; same_shape && i < PQnparams(a); i++)
        CHECK(PQparamtype(a, i) == PQparamtype(b, i), "%s: $%d is %u, PostgreSQL %u", sql, i + 1, PQparamtype(a, i),
              PQparamtype(b, i));
    for (int i = 0; same_shape && i < PQnfields(a); i++)
        CHECK(strcmp(PQfname(a, i), PQfname(b, i)) == 0 && PQftype(a, i) == PQftype(b, i) &&
                  PQfsize(a, i) == PQfsize(b, i) && PQfmod(a, i) == PQfmod(b, i),
              "%s: column %d %s %u/%d/%d, PostgreSQL %s %u/%d/%d", sql, i, PQfname(a, i), PQftype(a, i),
              PQfsize(a, i), PQfmod(a, i), PQfname(b, i), PQftype(b, i), PQfsize(b, i), PQfmod(b, i));
    PQclear(a);
    PQclear(b);
    EXEC_OK(ours, "DEALLOCATE cmp");
    EXEC_OK(pg, "DEALLOCATE cmp");
}

static const char *const describe_statements[] = {
    "SELECT $1::numeric(10,2) AS a, $2::varchar(5) AS b, $3::char(2), $4::timestamp(3), $5::time(0)",
    "SELECT $1 + 1 AS next, $2 || 'x' AS t, $3 = 1.5 AS eq, -$4::int8",
    "SELECT id, name, price, tags, made, doc FROM describe_t WHERE id = $1 AND name LIKE $2",
    "INSERT INTO describe_t (id, name, price, tags, made, doc) VALUES ($1, $2, $3, $4, $5, $6)",
    "UPDATE describe_t SET price = $1 WHERE id = $2 RETURNING id, price * 2 AS double, upper(name)",
    "DELETE FROM describe_t WHERE made < $1",
    "SELECT count(*), sum(price), avg(id), max(name), array_agg(id) FROM describe_t",
    "SELECT now(), current_date, 'x'::text AS lit, 1::int2, 2.5::float4, true, NULL AS n, ARRAY[1.5]",
    "VALUES (1, 'a'), (2, NULL)",
    "SELECT 'information_schema.tables'::regclass, 'int4'::regtype, 'a'::information_schema.sql_identifier",
};

static int binary(const char *ours_info, const char *pg_info)
{
    PGconn *ours = connect_to(ours_info), *pg = connect_to(pg_info);
    /* the same zone on both sides: timestamptz and timetz text depend on it */
    EXEC_OK(ours, "SET TimeZone = 'UTC'");
    EXEC_OK(pg, "SET TimeZone = 'UTC'");
    for (int i = 0; i < NTEST_VALUES; i++) {
        const TestValue *v = &test_values[i];
        char array[256];
        snprintf(array, sizeof array, "ARRAY[%s, NULL]", v->expr);
        for (int format = 0; format <= 1; format++) {
            compare_one(ours, pg, v->expr, v->flags, format);
            if (!(v->flags & NO_ARRAY))
                compare_one(ours, pg, array, v->flags, format);
        }
    }
    static const char *table = "CREATE TABLE describe_t (id int4 PRIMARY KEY, name varchar(20) NOT NULL, "
                               "price numeric(8,2), tags text[], made timestamptz, doc jsonb)";
    EXEC_OK(ours, table);
    EXEC_OK(pg, table);
    for (size_t i = 0; i < sizeof describe_statements / sizeof describe_statements[0]; i++)
        compare_describe(ours, pg, describe_statements[i]);
    PQfinish(ours);
    PQfinish(pg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "features") == 0)
        features(argv[2]);
    else if (argc == 4 && strcmp(argv[1], "binary") == 0)
        binary(argv[2], argv[3]);
    else {
        fprintf(stderr, "usage: test_libpq features CONNINFO\n"
                        "       test_libpq binary SPECDB_CONNINFO POSTGRES_CONNINFO\n");
        return 2;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
