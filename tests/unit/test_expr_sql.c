/*
 * test_expr_sql.c: expression and DML forms end to end through a session:
 * x op ANY/ALL (array value) with NULL elements, NULL and empty arrays;
 * row comparisons, ROW(...) / t.* IS [NOT] NULL, count(t.*); UPDATE ... SET (a, b) =
 * (ROW | sub-SELECT); UPDATE ... FROM / DELETE ... USING changing a target
 * row once however many joined rows match; INSERT ... DEFAULT VALUES into
 * a NOT NULL column.  Expected results are PostgreSQL 15's.
 */
#include "sql_test_util.h"

static void test_any_all_array(void)
{
    EXPECT("CREATE TABLE arr_t (a int, arr int[])", "[CREATE TABLE]");
    EXPECT("INSERT INTO arr_t VALUES (1, '{1,2}'), (2, '{}'), (3, NULL), (NULL, '{1,NULL}'), (5, '{5,NULL}')",
           "[INSERT 0 5]");
    EXPECT("SELECT a, a = ANY ('{1,2}'::int[]), a = ANY (arr), a <> ALL (arr), a = ALL ('{}'), a < ANY (ARRAY[3, 4]) "
           "FROM arr_t ORDER BY a",
           "1|t|t|f|t|t\n2|t|f|t|t|t\n3|f|NULL|NULL|t|t\n5|f|t|f|t|f\nNULL|NULL|NULL|NULL|t|NULL\n[SELECT 5]");
    EXPECT("SELECT 1 = ANY (NULL::int[]), NULL::int = ANY ('{}'::int[]), NULL::int = ALL ('{}'::int[]), "
           "2 = ANY ('{1,NULL}'), 'a' = ANY ('{a,b}'::text[]), 1.5 = ANY ('{1.5}'::numeric[]), "
           "2 = ANY ('{{1,2},{3,4}}'::int[])",
           "NULL|f|t|NULL|t|t|t\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM arr_t WHERE a = ANY ('{1,3,5}')", "3\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM arr_t WHERE NOT (a <> ALL (arr))", "2\n[SELECT 1]");
    EXPECT("PREPARE any_p (int[]) AS SELECT a FROM arr_t WHERE a = ANY ($1) ORDER BY a", "[PREPARE]");
    EXPECT("EXECUTE any_p ('{5,2,7}')", "2\n5\n[SELECT 2]");
    EXPECT("EXPLAIN (COSTS OFF) SELECT a FROM arr_t WHERE a <> ALL (arr)",
           "Seq Scan on arr_t\n  Filter: (a <> ALL (arr))\n[EXPLAIN]");
    EXPECT_ERROR("SELECT 1 = ANY (5)", SDB_ERR_WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side");
    EXPECT_ERROR("SELECT 1 + ANY ('{1}'::int[])", SDB_ERR_WRONG_OBJECT_TYPE,
                 "op ANY/ALL (array) requires operator to yield boolean");
}

static void test_rows(void)
{
    EXPECT("SELECT (1, 2) < (1, 3), (1, 2) <= (1, 2), (2, 0) > (1, 9), (1, NULL) < (2, NULL), (1, NULL) < (1, 2), "
           "(1, NULL) = (1, 2), (1, NULL) = (2, NULL), (1, 2) <> (1, 3), ROW(1, 'a') = ROW(1, 'a')",
           "t|t|t|t|NULL|NULL|f|t|t\n[SELECT 1]");
    EXPECT("SELECT a FROM arr_t WHERE (a, 0) >= (2, 0) ORDER BY a", "2\n3\n5\n[SELECT 3]");
    EXPECT("SELECT ROW(1, NULL) IS NULL, ROW(NULL, NULL) IS NULL, ROW(1, NULL) IS NOT NULL, (1, 2) IS NOT NULL",
           "f|t|f|t\n[SELECT 1]");
    EXPECT("CREATE TABLE w (a int, b text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO w VALUES (1, 'x'), (2, NULL), (NULL, NULL)", "[INSERT 0 3]");
    EXPECT("SELECT w.* IS NULL, w IS NOT NULL, public.w.* IS NOT NULL FROM w ORDER BY a",
           "f|t|t\nf|f|f\nt|f|f\n[SELECT 3]");
    EXPECT("SELECT x.a, y IS NULL FROM w x LEFT JOIN w y ON x.a = y.a + 1 ORDER BY 1",
           "1|t\n2|f\nNULL|t\n[SELECT 3]");
    EXPECT("SELECT (SELECT count(*) FROM w i WHERE o.* IS NOT NULL) FROM w o ORDER BY a", "3\n0\n0\n[SELECT 3]");
    EXPECT("SELECT count(w.*), count(w) FROM w", "3|3\n[SELECT 1]");
    EXPECT("SELECT count(x.*) FILTER (WHERE x.a > 1) FROM w x JOIN w y ON x.a = y.a", "1\n[SELECT 1]");
    EXPECT("SELECT a, count(w.*) OVER (ORDER BY a) FROM w ORDER BY a", "1|1\n2|2\nNULL|3\n[SELECT 3]");
    EXPECT_ERROR("SELECT (1, 2) = (1, 2, 3)", SDB_ERR_SYNTAX_ERROR, "unequal number of entries in row expressions");
    EXPECT_ERROR("SELECT (1, 2) ~~ (1, 2)", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "could not determine interpretation of row comparison operator ~~");
}

static void test_update_multi(void)
{
    EXPECT("CREATE TABLE m (a int, b text, c int DEFAULT 7)", "[CREATE TABLE]");
    EXPECT("INSERT INTO m VALUES (1, 'x', 0), (2, 'y', 0)", "[INSERT 0 2]");
    EXPECT("CREATE TABLE src (k int, p int, q text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO src VALUES (1, 10, 'ten'), (2, 20, 'twenty'), (2, 21, 'other')", "[INSERT 0 3]");
    EXPECT("UPDATE m SET (a, b) = (a + 100, b || '!') WHERE a = 1", "[UPDATE 1]");
    EXPECT("UPDATE m SET (c, b) = (SELECT p, q FROM src WHERE k = m.a AND p = 20), a = a * 2 WHERE a = 2",
           "[UPDATE 1]");
    EXPECT("UPDATE m SET (a, c) = ROW(5, DEFAULT) WHERE a = 101", "[UPDATE 1]");
    EXPECT("SELECT * FROM m ORDER BY a", "4|twenty|20\n5|x!|7\n[SELECT 2]");
    EXPECT_ERROR("UPDATE m SET (a, b) = (1, 'x', 3)", SDB_ERR_SYNTAX_ERROR,
                 "number of columns does not match number of values");
    EXPECT_ERROR("UPDATE m SET (a, b) = (SELECT 1)", SDB_ERR_SYNTAX_ERROR,
                 "number of columns does not match number of values");
    EXPECT_ERROR("UPDATE m SET (a) = (1)", SDB_ERR_SYNTAX_ERROR,
                 "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression");
    EXPECT_ERROR("UPDATE m SET (a, b) = (SELECT p, q FROM src)", SDB_ERR_CARDINALITY_VIOLATION,
                 "more than one row returned by a subquery used as an expression");
}

/* Two rows of src match every row of m: each is changed (and counted,
 * and returned) once. */
static void test_join_once(void)
{
    EXPECT("UPDATE m SET c = c + src.p FROM src WHERE src.k = 2 RETURNING m.a", "4\n5\n[UPDATE 2]");
    EXPECT("SELECT a, c IN (40, 41), c IN (27, 28) FROM m ORDER BY a", "4|t|f\n5|f|t\n[SELECT 2]");
    EXPECT("DELETE FROM m USING src WHERE src.k = 2 AND m.a = 4 RETURNING m.a", "4\n[DELETE 1]");
    EXPECT("DELETE FROM m USING src WHERE src.k = 2", "[DELETE 1]");
    EXPECT("SELECT count(*) FROM m", "0\n[SELECT 1]");
}

static void test_default_values_not_null(void)
{
    EXPECT("CREATE TABLE nn (a int NOT NULL, b int DEFAULT 3)", "[CREATE TABLE]");
    EXPECT_ERROR("INSERT INTO nn DEFAULT VALUES", SDB_ERR_NOT_NULL_VIOLATION,
                 "null value in column \"a\" of relation \"nn\" violates not-null constraint");
    EXPECT("SELECT count(*) FROM nn", "0\n[SELECT 1]");
}

/* Identity columns draw from their sequence through nextval(), which needs
 * the session's table access from inside expression evaluation. */
static void test_identity(void)
{
    EXPECT("CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY, v int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO ident(v) VALUES (10), (20) RETURNING id, v", "1|10\n2|20\n[INSERT 0 2]");
    EXPECT("INSERT INTO ident(v) VALUES (30) RETURNING id", "3\n[INSERT 0 1]");
    EXPECT_ERROR("INSERT INTO ident(id, v) VALUES (7, 1)", SDB_ERR_GENERATED_ALWAYS,
                 "cannot insert a non-DEFAULT value into column \"id\"");
}

/* ADD COLUMN with a DEFAULT (or serial) on a table with rows fills every
 * existing row with its own value. */
static void test_add_column_default(void)
{
    EXPECT("CREATE TABLE grow (a int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO grow VALUES (1), (2)", "[INSERT 0 2]");
    EXPECT("ALTER TABLE grow ADD COLUMN b int DEFAULT 7", "[ALTER TABLE]");
    EXPECT("ALTER TABLE grow ADD COLUMN c serial", "[ALTER TABLE]");
    EXPECT("SELECT a, b, c FROM grow ORDER BY a", "1|7|1\n2|7|2\n[SELECT 2]");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"any_all_array", test_any_all_array},
        {"rows", test_rows},
        {"update_multi", test_update_multi},
        {"join_once", test_join_once},
        {"default_values_not_null", test_default_values_not_null},
        {"identity", test_identity},
        {"add_column_default", test_add_column_default},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"expr_sql", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
