/*
 * test_exec_lateral.c: set-returning functions in FROM (generate_series,
 * unnest, generate_subscripts, WITH ORDINALITY, column aliases, a plain
 * function as one row) and LATERAL joins (subqueries and functions, inner,
 * left and comma joins, nested LATERAL, correlated SubPlans over functions)
 * and a set-returning function in the select list, functions with OUT
 * columns (jsonb_each: columns in FROM, a record in the select list), end
 * to end through a session, with the errors of invalid uses.  Every
 * expected result was checked against PostgreSQL 15.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "session/session.h"
#include "session/shell.h"
#include "shell_test_util.h"

static SdbSettings settings;
static SdbInstance *db;
static SdbSession *session;

static const char *const setup_sql =
    "create table t (id int primary key, n int, tags text[]);"
    "insert into t values (1, 2, '{a,b}'), (2, 0, '{}'), (3, 3, null), (4, 1, '{x}');"
    "create table u (id int, v int);"
    "create index u_id on u(id);"
    "insert into u values (1, 10), (1, 11), (3, 30), (4, 40), (4, 41), (4, 42);";

/* The rows of `sql` (shell_test_util.h). */
static char *run(const char *sql)
{
    return shell_rows(session, sql);
}

static int setup(void)
{
    char dir[512];
    sdb_test_tempdir(dir, sizeof(dir));
    if (sdb_settings_init(&settings) != SDB_OK ||
        sdb_settings_set(&settings, "data_directory", dir, SDB_SOURCE_FILE) != SDB_OK ||
        (db = sdb_instance_open(dir, &settings)) == NULL ||
        (session = sdb_session_open(db, "postgres", "postgres")) == NULL) {
        sdb_error_print(stderr);
        return 1;
    }
    char *rows = run(setup_sql);
    int failed = strstr(rows, "ERROR") != NULL;
    if (failed)
        fprintf(stderr, "setup: %s\n", rows);
    free(rows);
    return failed;
}

static int teardown(void)
{
    sdb_session_close(session);
    sdb_instance_close(db);
    sdb_settings_free(&settings);
    return 0;
}

typedef struct Case {
    const char *sql;
    const char *rows;
} Case;

static void check_cases(const Case *cases, int n)
{
    for (int i = 0; i < n; i++) {
        char *rows = run(cases[i].sql);
        if (strcmp(rows, cases[i].rows) != 0)
            fprintf(stderr, "\n%s\n  expected: %s\n  actual:   %s\n", cases[i].sql, cases[i].rows, rows);
        CU_ASSERT_STRING_EQUAL(rows, cases[i].rows);
        free(rows);
    }
}

static void test_functions(void)
{
    static const Case cases[] = {
        {"select * from generate_series(1, 3)",
         "1 2 3"},
        {"select * from generate_series(1, 3) g",
         "1 2 3"},
        {"select g.x from generate_series(5, 1, -2) as g(x)",
         "5 3 1"},
        {"select * from generate_series(1, 10, 4) with ordinality",
         "1|1 5|2 9|3"},
        {"select * from generate_series(1, 3) with ordinality as t(a, b)",
         "1|1 2|2 3|3"},
        {"select * from generate_series(1.5, 3)",
         "1.5 2.5"},
        {"select * from generate_series('2024-01-31'::timestamp, '2024-04-30', '1 month')",
         "2024-01-31 00:00:00 2024-02-29 00:00:00 2024-03-29 00:00:00 2024-04-29 00:00:00"},
        {"select * from unnest(array['a', null, 'c']) with ordinality u",
         "a|1 |2 c|3"},
        {"select * from generate_subscripts(array[5, 6, 7], 1, true) s",
         "3 2 1"},
        {"select * from abs(-3)",
         "3"},
        {"select count(*), sum(g) from generate_series(1, 100000) g",
         "100000|5000050000"},
        {"select * from generate_series(1, 3, 0)",
         "ERROR 22023"},
        {"select * from generate_series(1, generate_series(1, 2))",
         "ERROR 0A000"},
        {"select 1 where generate_series(1, 2) > 1",
         "ERROR 0A000"},
        {"select * from generate_series(1, 3) g(a, b)",
         "ERROR 42P10"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

static void test_lateral(void)
{
    static const Case cases[] = {
        {"select t.id, g from t, generate_series(1, t.n) g order by 1, 2",
         "1|1 1|2 3|1 3|2 3|3 4|1"},
        {"select t.id, x from t cross join lateral unnest(t.tags) as x order by 1, 2",
         "1|a 1|b 4|x"},
        {"select t.id, x, o from t left join lateral unnest(t.tags) with ordinality as w(x, o) on true order by 1, 3",
         "1|a|1 1|b|2 2|| 3|| 4|x|1"},
        {"select t.id, s.v from t, lateral (select v from u where u.id = t.id order by v desc limit 2) s order by 1, 2",
         "1|10 1|11 3|30 4|41 4|42"},
        {"select t.id, s.c from t left join lateral (select count(*) as c from u where u.id = t.id) s on true order by 1",
         "1|2 2|0 3|1 4|3"},
        {"select t.id, s.m from t join lateral (select max(v) as m from u where u.id = t.id) s on s.m > 20 order by 1",
         "3|30 4|42"},
        {"select a.id, b.id, c.g from t a join t b on a.id = b.n, lateral generate_series(a.id, b.id) c(g) order by 1, 2, 3",
         "1|4|1 1|4|2 1|4|3 1|4|4 3|3|3"},
        {"select a.id, b.id from t a, t b, lateral (select a.id + b.id as s) z where z.s = 5 order by 1, 2",
         "1|4 2|3 3|2 4|1"},
        {"select t.id, (select sum(g) from generate_series(1, t.n) g) from t order by 1",
         "1|3 2| 3|6 4|1"},
        {"select * from generate_series(1, 2) a, lateral (select * from generate_series(a, 2) b, lateral (select a + b as c) x) y order by 1, 2",
         "1|1|2 1|2|3 2|2|4"},
        {"select t.id, s.v from t, lateral (select * from u where u.id = t.id) s where s.v > 40 order by s.v",
         "4|41 4|42"},
        {"select id from t where exists (select 1 from generate_series(1, t.n) g where g = 2) order by 1",
         "1 3"},
        {"select a.id, s.id from t a, lateral (select * from t b where b.id > a.id) s where a.id = 2 order by 2",
         "2|3 2|4"},
        {"select * from (values (1), (2)) v(x), lateral generate_series(x, 3) order by 1, 2",
         "1|1 1|2 1|3 2|2 2|3"},
        {"select a.id, g from t a left join lateral generate_series(1, a.n) g on g > 1 order by 1, 2",
         "1|2 2| 3|2 3|3 4|"},
        {"select * from t a full join lateral generate_series(1, a.n) g on true",
         "ERROR 42P10"},
        {"select * from t a right join lateral (select a.id) s on true",
         "ERROR 42P10"},
        {"select * from generate_series(1, x) g, (values (2)) v(x)",
         "ERROR 42703"},
        {"select * from t a, (select a.id) s",
         "ERROR 42P01"},
        {"select a.id, s.v from t a join u on u.id = a.id, lateral (select u.v * 2 as v) s order by 1, 2",
         "1|20 1|22 3|60 4|80 4|82 4|84"},
        {"select t.id, l.x from t, lateral (select x from unnest(t.tags) x union all select 'z') l order by 1, 2",
         "1|a 1|b 1|z 2|z 3|z 4|x 4|z"},
        {"select a.id from t a where a.id in (select g from generate_series(2, 3) g) order by 1",
         "2 3"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

/* Without ORDER BY, a LEFT JOIN LATERAL keeps the left side's order: an
 * unmatched row is padded in place, as PostgreSQL's nested loop does. */
static void test_left_order(void)
{
    static const Case cases[] = {
        {"select t.id, x from t left join lateral unnest(t.tags) x on true",
         "1|a 1|b 2| 3| 4|x"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

static void test_select_list(void)
{
    static const Case cases[] = {
        {"select generate_series(1, 3)",
         "1 2 3"},
        {"select id, generate_series(1, n) from t order by 1, 2",
         "1|1 1|2 3|1 3|2 3|3 4|1"},
        {"select id, unnest(tags) || '!' as x from t order by 1, 2",
         "1|a! 1|b! 4|x!"},
        {"select count(*), generate_series(1, count(*)::int) from t",
         "4|1 4|2 4|3 4|4"},
        {"select id, generate_series(1, n) g from t where id > 1 order by g desc, id",
         "3|3 3|2 3|1 4|1"},
        {"select distinct generate_series(1, n) from t order by 1",
         "1 2 3"},
        {"select id, x from (select id, unnest(tags) x from t) s order by 1, 2",
         "1|a 1|b 4|x"},
        {"select sum(generate_series(1, 2))",
         "ERROR 0A000"},
        {"select id from t group by 1 having generate_series(1, 2) > 1",
         "ERROR 0A000"},
        {"select case when true then generate_series(1, 2) end",
         "ERROR 0A000"},
        {"select coalesce(generate_series(1, 2), 0)",
         "ERROR 0A000"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

/* jsonb containers as sets; a scalar function's name alone is its value (whole row). */
static void test_jsonb(void)
{
    static const Case cases[] = {
        {"select * from jsonb_array_elements('[1, \"a\", null, {\"b\": [2]}]')",
         "1 \"a\" null {\"b\": [2]}"},
        {"select * from jsonb_array_elements_text('[1, \"a\", null, true, [2]]') x",
         "1 a  true [2]"},
        {"select * from jsonb_object_keys('{\"bb\": 1, \"a\": {\"c\": 2}, \"b\": 3}')",
         "a b bb"},
        {"select * from jsonb_array_elements('{\"a\": 1}')",
         "ERROR 22023"},
        {"select t.id, e from t, jsonb_array_elements(to_jsonb(t.tags)) e order by 1, 2",
         "1|\"a\" 1|\"b\" 4|\"x\""},
        {"select t.id, e.value from t, jsonb_array_elements_text(to_jsonb(t.tags)) e order by 1, 2",
         "1|a 1|b 4|x"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

/* Several set-returning calls in the select list run in lockstep: the
 * longest set decides the rows, the shorter ones give NULLs (PostgreSQL 10+). */
static void test_select_list_zip(void)
{
    static const Case cases[] = {
        {"select generate_series(1, 2), generate_series(1, 3)",
         "1|1 2|2 |3"},
        {"select generate_series(1, 3) a, generate_series(10, 11) b, unnest(array['x']) c",
         "1|10|x 2|11| 3||"},
        {"select id, generate_series(1, n), unnest(tags) from t order by 1, 2",
         "1|1|a 1|2|b 3|1| 3|2| 3|3| 4|1|x"},
        {"select generate_series(1, 0), generate_series(1, 0)",
         ""},
        {"select generate_series(1, 3), generate_series(1, 3) * 10",
         "1|10 2|20 3|30"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

/* unnest with several arrays in FROM: side by side, NULL past a shorter one. */
static void test_multi_unnest(void)
{
    static const Case cases[] = {
        {"select * from unnest(array[1,2], array['a','b','c'])",
         "1|a 2|b |c"},
        {"select * from unnest(array[1,2], array['a']) with ordinality as u(x, y, o)",
         "1|a|1 2||2"},
        {"select u.* from unnest(array[1], array[2], array[3,4]) u",
         "1|2|3 ||4"},
        {"select t.id, u.* from t, unnest(t.tags, array[t.n]) u order by 1, 2, 3",
         "1|a|2 1|b| 2||0 3||3 4|x|1"},
        {"select * from unnest(array[1,2], array[3]) u(x) where x > 1",
         "2|"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

/* Functions with OUT columns (jsonb_each ...): one column each in FROM,
 * a record in the select list and as the whole row, a column of it by
 * field selection. */
static void test_out_columns(void)
{
    static const Case cases[] = {
        {"select * from jsonb_each('{\"b\": 1, \"a\": \"x y\", \"c\": null}')",
         "a|\"x y\" b|1 c|null"},
        {"select * from jsonb_each_text('{\"b\": 1, \"a\": \"x y\", \"c\": null}') as e(k, v)",
         "a|x y b|1 c|"},
        {"select * from json_each('{\"b\": 1, \"a\": \"x\", \"b\": [1, 2]}') with ordinality",
         "b|1|1 a|\"x\"|2 b|[1, 2]|3"},
        {"select e.k, e.value, e.ordinality, o from json_each_text('{\"b\": 1, \"a\": \"x\"}') with ordinality as e(k), "
         "lateral (select e.value || '!' as o) p order by 1",
         "a|x|2|x! b|1|1|1!"},
        {"select k, v from jsonb_each('{\"a\": 1}') with ordinality as t(k, v)",
         "a|1"},
        {"select * from jsonb_each('{\"a\": 1}') as t(k, v, n)",
         "ERROR 42P10"},
        {"select jsonb_each('{\"a\": 1, \"b\": \"x y\", \"c\": null, \"d\": \"\"}')",
         "(a,1) (b,\"\"\"x y\"\"\") (c,null) (d,\"\"\"\"\"\")"},
        {"select json_each_text('{\"a\": 1, \"b\": \"x y\", \"c\": null, \"d\": \"\"}')",
         "(a,1) (b,\"x y\") (c,) (d,\"\")"},
        {"select jsonb_each('{\"a\": 1}'), generate_series(1, 2)",
         "(a,1)|1 |2"},
        {"select jsonb_each('{\"a\": 1}') is null, generate_series(1, 2)",
         "f|1 t|2"},
        {"select t from jsonb_each('{\"a\": 1}') t",
         "(a,1)"},
        {"select t from jsonb_each('{\"a\": 1}') with ordinality t",
         "(a,1,1)"},
        {"select g from generate_series(1, 2) with ordinality as g",
         "1 2"},
        {"select t.id, e.key, e.value from t, jsonb_each(jsonb_build_object('n', t.n)) e order by 1",
         "1|n|2 2|n|0 3|n|3 4|n|1"},
        {"select id, jsonb_each_text(jsonb_build_object('n', n, 'id', id)) from t where id < 3 order by 1, 2",
         "1|(id,1) 1|(n,2) 2|(id,2) 2|(n,0)"},
        {"select x::text from (select jsonb_each('{\"a\": [1, \"b c\"]}') x) s",
         "(a,\"[1, \"\"b c\"\"]\")"},
        {"select jsonb_each('{\"b\": 1, \"a\": 2}') order by 1 desc",
         "(b,1) (a,2)"},
        {"select distinct jsonb_each_text(j) from (values ('{\"a\": 1}'::jsonb), ('{\"a\": 1, \"b\": null}')) v(j) "
         "order by 1",
         "(a,1) (b,)"},
        {"select x from (select jsonb_each('{\"b\": 1}') x union select jsonb_each('{\"b\": 1, \"a\": 2}')) s order by 1",
         "(a,2) (b,1)"},
        {"select * from jsonb_each('[1]')",
         "ERROR 22023"},
        {"select * from json_each('[1]')",
         "ERROR 22023"},
        {"select * from json_each('1')",
         "ERROR 22023"},
        {"select '(1,2)'::record",
         "ERROR 0A000"},
        {"select (jsonb_each('{\"a\":1}')).value, (jsonb_each('{\"a\":1, \"b\":2}')).key",
         "1|a |b"},
        {"select (jsonb_each_text('{\"a\":1}')).value || '!'",
         "1!"},
        {"select (jsonb_each('{\"a\":1}')).nokey",
         "ERROR 42703"},
        {"select (abs(1)).x",
         "ERROR 42809"},
        {"select (jsonb_each('{\"a\":1}')).*, 5",
         "a|1|5"},
        {"select (json_each('{\"a\":1}')).* from generate_series(1, 2) g",
         "a|1 a|1"},
        {"select (abs(1)).*",
         "ERROR 42809"},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}

static CU_TestInfo tests[] = {
    {"set-returning functions in FROM: results, names, ordinality, errors", test_functions},
    {"LATERAL subqueries and functions: inner, left and comma joins, nesting, errors", test_lateral},
    {"LEFT JOIN LATERAL keeps the left order", test_left_order},
    {"jsonb_array_elements[_text], jsonb_object_keys, value column, whole-row name", test_jsonb},
    {"a set-returning function in the select list (ProjectSet semantics), misplaced ones", test_select_list},
    {"several set-returning functions in the select list, zipped", test_select_list_zip},
    {"unnest of several arrays in FROM", test_multi_unnest},
    {"functions with OUT columns: columns in FROM, records in the select list", test_out_columns},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {{"exec_lateral", setup, teardown, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
