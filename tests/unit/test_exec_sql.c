/*
 * test_exec_sql.c: the executor end to end through a session (parse,
 * analyze, optimize, execute) on a fresh data directory: table scans with
 * filters, index scans, joins, aggregates, sorts, subqueries, INSERT /
 * UPDATE / DELETE with CHECK constraints, ON CONFLICT and RETURNING, the
 * Halloween problem, EXPLAIN.  Expected results follow PostgreSQL 15.
 */
#include "sql_test_util.h"

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
    EXPECT("SELECT a, sum(c) OVER (ORDER BY c::numeric RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t ORDER BY a",
           "101|15\n102|6\n103|13\n104|18\n[SELECT 4]");
    EXPECT("SELECT count(*) FROM t WHERE false", "0\n[SELECT 1]");
    EXPECT("SELECT b, count(*) FROM t WHERE false GROUP BY b", "[SELECT 0]");
}

/* Spilling end to end: 20000 rows with work_mem 64kB. */
static void test_spill(void)
{
    EXPECT("SET work_mem = 64", "[SET]");
    EXPECT("CREATE TABLE d (x int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO d VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)", "[INSERT 0 10]");
    EXPECT("CREATE TABLE s (k int, v text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO s SELECT d1.x + 10 * d2.x + 100 * d3.x + 1000 * d4.x + 10000 * (d5.x % 2), "
           "'v' || (d1.x + 10 * d2.x)::text FROM d d1, d d2, d d3, d d4, d d5",
           "[INSERT 0 100000]");
    EXPECT("SELECT count(*), count(DISTINCT k), count(DISTINCT v) FROM s", "100000|20000|100\n[SELECT 1]");
    EXPECT("SELECT count(*), sum(n) FROM (SELECT k, count(*) AS n FROM s GROUP BY k) g", "20000|100000\n[SELECT 1]");
    EXPECT("SELECT k, v FROM s ORDER BY k DESC, v LIMIT 2", "19999|v99\n19999|v99\n[SELECT 2]");
    EXPECT("SELECT max(k) FROM (SELECT k FROM s ORDER BY v, k) o", "19999\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM (SELECT DISTINCT k, v FROM s) q", "20000\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM (SELECT k FROM s WHERE k < 5000 EXCEPT SELECT k FROM s WHERE k >= 4000) q",
           "4000\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM s a JOIN s b ON a.k = b.k + 1 WHERE b.v = 'v7'", "5000\n[SELECT 1]");
    SdbArena *arena = sdb_arena_create(NULL, "spill", 0);
    char *got = run(arena, "EXPLAIN ANALYZE SELECT k FROM s ORDER BY v, k");
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, "Sort Method: external merge  Disk: "));
    sdb_arena_destroy(arena);
    EXPECT("RESET work_mem", "[RESET]");
}

static void test_explain(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "explain analyze", 0);
    char *got = run(arena, "EXPLAIN ANALYZE SELECT a FROM t WHERE a > 102");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Seq Scan on t  (cost="));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "rows=2 loops=1)\n  Filter: (a > 102)\n  Rows Removed by Filter: 2\nExecution Time: "));
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
    got = run(a2, "EXPLAIN (COSTS OFF) SELECT b FROM t GROUP BY b HAVING count(*) > 1");
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, "Filter: (count(*) > 1)"));
    got = run(a2, "EXPLAIN (COSTS OFF) SELECT a FROM t WHERE a NOT IN (SELECT k FROM u)");
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, "(hashed SubPlan 1)"));
    sdb_arena_destroy(a2);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"select", test_select},
        {"modify", test_modify},
        {"queries", test_queries},
        {"aggregates", test_aggregates},
        {"spill", test_spill},
        {"explain", test_explain},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"exec_sql", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
