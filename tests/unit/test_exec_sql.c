/*
 * test_exec_sql.c: the executor end to end through a session (parse,
 * analyze, optimize, execute) on a fresh data directory: table scans with
 * filters, index scans, joins, aggregates, sorts, subqueries, INSERT /
 * UPDATE / DELETE with CHECK constraints, ON CONFLICT and RETURNING, the
 * Halloween problem, EXPLAIN.  Expected results follow PostgreSQL 15.
 */
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

static int suite_init(void)
{
    static char dir[512];
    sdb_test_tempdir(dir, sizeof(dir));
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    db = sdb_instance_open(dir, &settings);
    sdb_settings_free(&settings);
    if (db == NULL) {
        sdb_error_print(stderr);
        return 1;
    }
    sess = sdb_session_open(db, "postgres", "postgres");
    return sess == NULL;
}

static int suite_clean(void)
{
    sdb_session_close(sess);
    return sdb_instance_close(db) != SDB_OK;
}

static void test_select(void)
{
    EXPECT("CREATE TABLE t (a int NOT NULL, b text, c int CHECK (c > 0))", "[CREATE TABLE]");
    EXPECT("INSERT INTO t VALUES (1, 'x', 5), (2, 'y', 6), (3, NULL, 7), (4, 'x', 8)", "[INSERT 0 4]");
    EXPECT("CREATE UNIQUE INDEX t_pkey ON t (a)", "[CREATE INDEX]");
    EXPECT("SELECT a, b FROM t WHERE a > 1 ORDER BY a DESC", "4|x\n3|NULL\n2|y\n[SELECT 3]");
    EXPECT("SELECT * FROM t WHERE a = 3", "3|NULL|7\n[SELECT 1]");
    EXPECT("SELECT a FROM t WHERE c > (SELECT c FROM t WHERE a = 2) ORDER BY 1", "3\n4\n[SELECT 2]");
    EXPECT_ERROR("SELECT (SELECT a FROM t)", SDB_ERR_CARDINALITY_VIOLATION,
                 "more than one row returned by a subquery used as an expression");
    EXPECT("SELECT t1.a, t2.a FROM t t1 JOIN t t2 ON t1.b = t2.b AND t1.a < t2.a", "1|4\n[SELECT 1]");
    EXPECT("SELECT a FROM t t1 WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.a = t1.a + 1) ORDER BY a",
           "1\n2\n3\n[SELECT 3]");
}

static void test_modify(void)
{
    EXPECT("UPDATE t SET c = c + 10 WHERE b = 'x' RETURNING a, c", "1|15\n4|18\n[UPDATE 2]");
    EXPECT_ERROR("INSERT INTO t VALUES (9, 'z', -1)", SDB_ERR_CHECK_VIOLATION,
                 "new row for relation \"t\" violates check constraint \"t_c_check\"");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Failing row contains (9, z, -1).");
    EXPECT("INSERT INTO t VALUES (1, 'dup', 1) ON CONFLICT DO NOTHING", "[INSERT 0 0]");
    EXPECT("INSERT INTO t VALUES (1, 'new', 1) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING *",
           "1|new|15\n[INSERT 0 1]");
    EXPECT_ERROR("INSERT INTO t VALUES (50, 'a', 1), (50, 'b', 2) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
                 SDB_ERR_CARDINALITY_VIOLATION, "ON CONFLICT DO UPDATE command cannot affect row a second time");
    /* Halloween: each row is updated once */
    EXPECT("UPDATE t SET a = a + 100", "[UPDATE 4]");
    EXPECT("INSERT INTO t SELECT a + 1000, b, c FROM t", "[INSERT 0 4]");
    EXPECT("SELECT a FROM t WHERE a > 1000 ORDER BY a", "1101\n1102\n1103\n1104\n[SELECT 4]");
    EXPECT("DELETE FROM t WHERE a > 1000 RETURNING a > 1000", "t\nt\nt\nt\n[DELETE 4]");
    EXPECT("SELECT a, b, c FROM t ORDER BY a", "101|new|15\n102|y|6\n103|NULL|7\n104|x|18\n[SELECT 4]");
}

static void test_queries(void)
{
    EXPECT("CREATE TABLE u (k int, v text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO u VALUES (102, 'p'), (103, 'q'), (NULL, 'r'), (999, 's')", "[INSERT 0 4]");
    EXPECT("SELECT t.a, u.v FROM t LEFT JOIN u ON u.k = t.a ORDER BY t.a", "101|NULL\n102|p\n103|q\n104|NULL\n[SELECT 4]");
    EXPECT("SELECT u.v FROM t FULL JOIN u ON u.k = t.a WHERE t.a IS NULL ORDER BY 1", "r\ns\n[SELECT 2]");
    EXPECT("SELECT a FROM t WHERE a IN (SELECT k FROM u) ORDER BY a", "102\n103\n[SELECT 2]");
    EXPECT("SELECT a FROM t WHERE a NOT IN (SELECT k FROM u)", "[SELECT 0]");
    EXPECT("SELECT k FROM u WHERE k IS NOT NULL UNION SELECT a FROM t ORDER BY 1 LIMIT 3 OFFSET 1",
           "102\n103\n104\n[SELECT 3]");
    EXPECT("SELECT a FROM t INTERSECT SELECT k FROM u ORDER BY 1", "102\n103\n[SELECT 2]");
    EXPECT("SELECT DISTINCT b IS NULL FROM t ORDER BY 1", "f\nt\n[SELECT 2]");
    EXPECT("WITH x AS (SELECT a FROM t WHERE a < 103) SELECT x1.a, x2.a FROM x x1, x x2 WHERE x1.a < x2.a",
           "101|102\n[SELECT 1]");
    EXPECT("WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n * 2 FROM r WHERE n < 20) SELECT n FROM r",
           "1\n2\n4\n8\n16\n32\n[SELECT 6]");
    EXPECT("SELECT CASE WHEN a > 102 THEN 'big' ELSE 'small' END FROM t ORDER BY a",
           "small\nsmall\nbig\nbig\n[SELECT 4]");
    EXPECT("SELECT a FROM t ORDER BY c DESC LIMIT 1", "104\n[SELECT 1]");
}

static void test_aggregates(void)
{
    EXPECT("SELECT b, count(*), sum(c), max(a) FROM t GROUP BY b ORDER BY b",
           "new|1|15|101\nx|1|18|104\ny|1|6|102\nNULL|1|7|103\n[SELECT 4]");
    EXPECT("SELECT count(*), count(b), avg(c) FROM t", "4|3|11.5000000000000000\n[SELECT 1]");
    EXPECT("SELECT a FROM t WHERE c > (SELECT avg(c) FROM t) ORDER BY 1", "101\n104\n[SELECT 2]");
    EXPECT("SELECT c > 10, count(*) FROM t GROUP BY c > 10 HAVING count(*) > 1", "f|2\nt|2\n[SELECT 2]");
    EXPECT("SELECT count(DISTINCT b), string_agg(b, ',' ORDER BY b DESC) FROM t", "3|y,x,new\n[SELECT 1]");
    EXPECT("SELECT count(*) FILTER (WHERE c > 6) FROM t", "3\n[SELECT 1]");
    EXPECT("SELECT b, count(*) FROM t GROUP BY ROLLUP (b) ORDER BY 1, 2",
           "new|1\nx|1\ny|1\nNULL|1\nNULL|4\n[SELECT 5]");
    EXPECT("SELECT a, row_number() OVER (ORDER BY a DESC), sum(c) OVER (ORDER BY a) FROM t ORDER BY a",
           "101|4|15\n102|3|21\n103|2|28\n104|1|46\n[SELECT 4]");
    EXPECT("SELECT a, rank() OVER (PARTITION BY c > 10 ORDER BY c DESC) FROM t ORDER BY a",
           "101|2\n102|2\n103|1\n104|1\n[SELECT 4]");
    EXPECT("SELECT count(*) FROM t WHERE false", "0\n[SELECT 1]");
    EXPECT("SELECT b, count(*) FROM t WHERE false GROUP BY b", "[SELECT 0]");
}

static void test_explain(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "explain analyze", 0);
    char *got = run(arena, "EXPLAIN ANALYZE SELECT a FROM t WHERE a > 102");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Seq Scan on t  (cost="));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "rows=2 loops=1)\n  Filter: (a > 102)\nExecution Time: "));
    sdb_arena_destroy(arena);
    EXPECT("EXPLAIN (COSTS OFF) SELECT a FROM t WHERE a > 102", "Seq Scan on t\n  Filter: (a > 102)\n[EXPLAIN]");
    /* the optimizer's choices may change: only their rendering is checked */
    SdbArena *a2 = sdb_arena_create(NULL, "explain", 0);
    got = run(a2, "EXPLAIN (COSTS OFF) SELECT t.a FROM t JOIN u ON u.k = t.a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Join"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "(t.a = u.k)") ? strstr(got, "(t.a = u.k)") : strstr(got, "(u.k = t.a)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ->  Seq Scan on u"));
    got = run(a2, "EXPLAIN (COSTS OFF) SELECT b FROM t WHERE a = 102");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Index Cond: (a = 102)") ? strstr(got, "Index Cond: (a = 102)")
                                                                 : strstr(got, "Filter: (a = 102)"));
    got = run(a2, "EXPLAIN (COSTS OFF) SELECT a FROM t WHERE c > (SELECT avg(c) FROM t)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "((t.c)::numeric > $0)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\n  InitPlan 1 (returns $0)\n    ->  Aggregate\n          ->  Seq Scan on t\n"));
    sdb_arena_destroy(a2);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"select", test_select},
        {"modify", test_modify},
        {"queries", test_queries},
        {"aggregates", test_aggregates},
        {"explain", test_explain},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"exec_sql", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
