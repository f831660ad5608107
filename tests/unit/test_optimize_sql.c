/*
 * test_optimize_sql.c: the optimizer's rewrites checked by their results,
 * through the whole engine (analyze -> optimize -> execute) on a fresh
 * data directory: index ranges, order and lookups, outer joins turned inner,
 * EXISTS/IN/NOT IN as semi/anti joins (NULLs included), join order,
 * pushdown through subqueries and set operations, constant folding.  The
 * expected rows are PostgreSQL 15's for the same statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "session/session.h"
#include "session/shell.h"

static SdbSettings settings;
static SdbInstance *db;
static SdbSession *session;

static const char *const setup_sql =
    "create table a(x int primary key, y int, z int);"
    "create table b(x int not null, y int, z text);"
    "create index b_y on b(y);"
    "create table c(y int, w text);"
    "insert into a values (1,1,1),(2,2,2),(3,3,3),(4,4,4),(5,5,5),(6,6,6),(7,7,0),(8,8,1),(9,9,2),(10,0,3);"
    "insert into b values (1, 1, 'one'), (2, 2, 'two'), (3, null, 'three'), (5, 5, 'five'), (5, 6, 'five again');"
    "insert into c values (1, 'c1'), (2, 'c2'), (5, 'c5'), (null, 'cnull');"
    "create table e(x bigint, v text);"
    "insert into e values (2, 'e2'), (5, 'e5'), (5000000000, 'big'), (null, 'null');";

/* Run `sql` in the raw format: its rows, values joined by '|', rows by
 * ' ', NULL as empty; or "ERROR <sqlstate>". */
static char *run(const char *sql)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    SdbShellOptions opts = {.command = sql, .raw = true};
    sdb_shell_run(session, &opts, out, out);
    fclose(out);
    char *rows = calloc(1, size + 1);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == 'E') {
            n += sprintf(rows + n, "%sERROR %.5s", n ? " " : "", line + 2);
            continue;
        }
        if (line[0] != 'R')
            continue;
        if (n > 0)
            rows[n++] = ' ';
        for (char *p = line + 2; *p; p++)
            if (strncmp(p, "\\N", 2) == 0)
                p++;
            else
                rows[n++] = *p == '\t' ? '|' : *p;
    }
    free(text);
    return rows;
}

/* Run setup statements: 0, or 1 with the error printed. */
static int load(const char *sql)
{
    char *rows = run(sql);
    int failed = strstr(rows, "ERROR") != NULL;
    if (failed)
        fprintf(stderr, "setup: %s\n", rows);
    free(rows);
    return failed;
}

/* t: 1000 rows with indexes on x (primary key), (y, z) and name; u: 300
 * rows indexed on k. */
static int load_indexed(void)
{
    char *sql = malloc(64 * 1024);
    int n = sprintf(sql, "create table t(x int primary key, y int, z int, name text);"
                         "create index t_yz on t(y, z); create index t_name on t(name);"
                         "create table u(k int, y int, tag text); create index u_k on u(k);"
                         "insert into t values ");
    for (int g = 1; g <= 1000; g++)
        n += sprintf(sql + n, "(%d, %d, %d, 'n%02dx'),", g, g % 17, g * 7 % 23, g % 50);
    n += sprintf(sql + n, "(1001, null, null, null), (1002, 3, null, 'n03x'); insert into u values ");
    for (int g = 1; g <= 300; g++)
        n += sprintf(sql + n, "(%d, %d, 'm%d'),", g, g % 13, g % 9);
    sprintf(sql + n, "(null, 1, 'mnull');");
    int failed = load(sql);
    free(sql);
    return failed;
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
    return load(setup_sql) || load_indexed();
}

static int teardown(void)
{
    sdb_session_close(session);
    sdb_instance_close(db);
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

#define CHECK_CASES(cases) check_cases(cases, (int)(sizeof(cases) / sizeof(cases[0])))

static void test_scans(void)
{
    static const Case cases[] = {
        {"select x, z from a where x = 5", "5|5"},
        {"select x from a where x between 3 and 6 order by x desc", "6 5 4 3"},
        {"select x from a where x > 8 order by x desc limit 1", "10"},
        {"select x from a where x < 4 and x >= 2 and y <> 3 order by 1", "2"},
        {"select x from a where x = 5::bigint", "5"},
        {"select x from a where x = 3000000000", ""},
        {"select x from a where x = 3 and false", ""},
        {"select 1 where false", ""},
    };
    CHECK_CASES(cases);
}

static void test_indexes(void)
{
    static const Case cases[] = {
        {"select x, z from t where y = 3 and z > 10 order by z, x limit 4", "156|11 547|11 938|11 258|12"},
        {"select x from t where y = 4 order by z desc, x desc limit 3", "956 565 174"},
        {"select x from t where name like 'n03%' order by x desc limit 3", "1002 953 903"},
        {"select name from t where name > 'n48' order by name, x limit 3", "n48x n48x n48x"},
        {"select x from t order by x desc limit 2", "1002 1001"},
        {"select x from t where x between 100 and 104 order by x desc", "104 103 102 101 100"},
        {"select t.x, u.tag from t join u on u.k = t.x where t.y = 5 and t.z = 12 order by 1", "5|m5"},
        {"select t.x from t where t.x < 40 and t.x in (select k from u where u.y = t.y % 13) order by 1",
         "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"},
    };
    CHECK_CASES(cases);
}

static void test_joins(void)
{
    static const Case cases[] = {
        {"select a.x, b.z from a left join b on a.x = b.x where b.z is null order by 1", "4| 6| 7| 8| 9| 10|"},
        {"select a.x, b.z from a left join b on a.x = b.x and b.y > 1 where a.x < 4 order by 1", "1| 2|two 3|"},
        {"select a.x, b.z from a left join b on a.x = b.x where b.y > 1 order by 1, 2", "2|two 5|five 5|five again"},
        {"select a.x, b.z from b full join a on a.x = b.x where a.x > 8 or a.x is null order by 1", "9| 10|"},
        {"select a.x, c.w from a, c, b where a.x = b.x and b.y = c.y order by 1, 2", "1|c1 2|c2 5|c5"},
        {"select a.x from a join b on a.x = b.x where b.x = 5 order by 1", "5 5"},
        {"select a.x from a left join b on a.x = b.x where b.x is null order by 1", "4 6 7 8 9 10"},
        {"select a.x from b right join a on a.y = b.y where b.y is null order by 1", "3 4 7 8 9 10"},
        {"select a.x from a left join b on a.y = b.y where b.x is null order by 1", "3 4 7 8 9 10"},
        {"select a.x, e.v from a join e on a.x = e.x order by 1", "2|e2 5|e5"},
        {"select e.v, a.y from e left join a on e.x = a.x order by 1", "big| e2|2 e5|5 null|"},
    };
    CHECK_CASES(cases);
}

static void test_subqueries(void)
{
    static const Case cases[] = {
        {"select x from a where exists (select 1 from b where b.x = a.x and b.y > 1) order by 1", "2 5"},
        {"select x from a where not exists (select 1 from b where b.x = a.x) order by 1", "4 6 7 8 9 10"},
        {"select x from a where x in (select y from b) order by 1", "1 2 5 6"},
        {"select x from a where x not in (select y from b) order by 1", ""},
        {"select x from a where x not in (select x from b) order by 1", "4 6 7 8 9 10"},
        {"select x from a where x in (select b.x from b where b.y = a.y) order by 1", "1 2 5"},
        {"select b.x, (select a.y from a where a.x = b.x) from b order by 1, 2", "1|1 2|2 3|3 5|5 5|5"},
        {"select w, y from (select x + 1 as w, y from a) s where w = 10", "10|9"},
        {"select x from a where x = 2 union all select x from b where x = 2 order by 1", "2 2"},
        {"select * from (select x from a union select x from b) u where x < 3 order by 1", "1 2"},
    };
    CHECK_CASES(cases);
}

static void test_folding(void)
{
    static const Case cases[] = {
        {"select case when false then 1/0 end is null", "t"},
        {"select 1/0", "ERROR 22012"},
        {"select false and 1/0 = 1", "f"},
    };
    CHECK_CASES(cases);
}

static CU_TestInfo tests[] = {
    {"scans: index ranges, order, folding into empty results", test_scans},
    {"indexes: equality, ranges, LIKE prefixes, order and top-N, lookups", test_indexes},
    {"joins: outer joins, join order, derived equalities", test_joins},
    {"subqueries: semi/anti joins, NULLs, pushdown through subqueries and set operations", test_subqueries},
    {"constant folding errors", test_folding},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"optimize (SQL)", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
