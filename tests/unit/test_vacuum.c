/*
 * test_vacuum.c: VACUUM reclaims dead versions (table size stays bounded
 * under repeated updates, inserts reuse the space), respects the horizon
 * of a concurrent old snapshot, leaves indexes without dangling tids,
 * survives a restart, and PostgreSQL's errors (25001, VACUUM FULL 0A000).
 */
#include <stdlib.h>

#include <unistd.h>

#include "access/pgstat.h"
#include "catalog/catalog.h"
#include "sql_test_util.h"

/* The single value `sql` returns, as a number (-1 on error). */
static long query_long(const char *sql)
{
    SdbArena *a = sdb_arena_create(NULL, "vacuum test", 0);
    char *got = run(a, sql);
    if (got == NULL)
        sdb_error_print(stderr);
    long v = got != NULL ? strtol(got, NULL, 10) : -1;
    sdb_arena_destroy(a);
    return v;
}

static long relpages(const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT relpages FROM pg_class WHERE relname = '%s'", table);
    return query_long(sql);
}

static void test_bounded_size(void)
{
    EXPECT("CREATE TABLE vt (id int PRIMARY KEY, v text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO vt SELECT g, repeat('x', 100) FROM generate_series(1, 500) g", "[INSERT 0 500]");
    EXPECT("VACUUM vt", "[VACUUM]");
    long base = relpages("vt");
    CU_ASSERT(base > 0);
    for (int round = 0; round < 10; round++) {
        EXPECT("UPDATE vt SET v = repeat('y', 100)", "[UPDATE 500]");
        EXPECT("VACUUM vt", "[VACUUM]");
    }
    long after = relpages("vt");
    fprintf(stderr, "\nrelpages: %ld after load, %ld after 10 updates with VACUUM\n", base, after);
    CU_ASSERT(after <= 2 * base + 1);
    EXPECT("SELECT count(*), min(v) = max(v) FROM vt", "500|t\n[SELECT 1]");
    EXPECT("SELECT reltuples FROM pg_class WHERE relname = 'vt'", "500\n[SELECT 1]");
    /* index scans find each row exactly once, no dangling tids */
    EXPECT("SELECT id, length(v) FROM vt WHERE id = 77", "77|100\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM vt WHERE id BETWEEN 100 AND 199", "100\n[SELECT 1]");
    /* deleted space is reused by later inserts */
    EXPECT("DELETE FROM vt WHERE id > 250", "[DELETE 250]");
    EXPECT("VACUUM vt", "[VACUUM]");
    long before_insert = relpages("vt");
    EXPECT("INSERT INTO vt SELECT g, repeat('z', 100) FROM generate_series(251, 500) g", "[INSERT 0 250]");
    EXPECT("VACUUM vt", "[VACUUM]");
    CU_ASSERT_EQUAL(relpages("vt"), before_insert);
    EXPECT("SELECT count(*) FROM vt WHERE id > 250 AND v LIKE 'z%'", "250\n[SELECT 1]");
}

/* A REPEATABLE READ transaction of a second session keeps seeing the
 * versions its snapshot needs across VACUUM; they go once it ends. */
static void test_old_snapshot(void)
{
    EXPECT("CREATE TABLE acct (id int PRIMARY KEY, n int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO acct SELECT g, 0 FROM generate_series(1, 100) g", "[INSERT 0 100]");
    SdbSession *mine = sess;
    SdbSession *other = sdb_session_open(db, "postgres", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    sess = other;
    EXPECT("BEGIN ISOLATION LEVEL REPEATABLE READ", "[BEGIN]");
    EXPECT("SELECT sum(n) FROM acct", "0\n[SELECT 1]");
    sess = mine;
    EXPECT("UPDATE acct SET n = n + 1", "[UPDATE 100]");
    EXPECT("UPDATE acct SET n = n + 1", "[UPDATE 100]");
    EXPECT("VACUUM acct", "[VACUUM]");
    sess = other;
    EXPECT("SELECT sum(n) FROM acct", "0\n[SELECT 1]");
    EXPECT("SELECT n FROM acct WHERE id = 5", "0\n[SELECT 1]");
    EXPECT("COMMIT", "[COMMIT]");
    sess = mine;
    long before = relpages("acct");
    EXPECT("VACUUM acct", "[VACUUM]");
    EXPECT("UPDATE acct SET n = n + 1", "[UPDATE 100]");
    EXPECT("VACUUM acct", "[VACUUM]");
    CU_ASSERT(relpages("acct") <= before);
    EXPECT("SELECT sum(n), count(*) FROM acct WHERE id >= 1", "300|100\n[SELECT 1]");
    EXPECT("SELECT n FROM acct WHERE id = 5", "3\n[SELECT 1]");
    sdb_session_close(other);
}

static void test_errors(void)
{
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT_ERROR("VACUUM", SDB_ERR_ACTIVE_SQL_TRANSACTION, "VACUUM cannot run inside a transaction block");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    EXPECT_ERROR("VACUUM FULL vt", SDB_ERR_FEATURE_NOT_SUPPORTED, "VACUUM FULL is not supported");
    EXPECT_ERROR("VACUUM nosuch", SDB_ERR_UNDEFINED_TABLE, "relation \"nosuch\" does not exist");
    EXPECT("VACUUM", "[VACUUM]");
    EXPECT("VACUUM (VERBOSE, ANALYZE) vt", "[VACUUM]");
}

/* Rolled-back inserts are reclaimed; everything holds after a restart. */
static void test_restart(void)
{
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT("INSERT INTO vt SELECT g, 'gone' FROM generate_series(1001, 1400) g", "[INSERT 0 400]");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    EXPECT("VACUUM vt", "[VACUUM]");
    CU_ASSERT_EQUAL_FATAL(sql_test_restart(), 0);
    EXPECT("SELECT count(*), count(DISTINCT id) FROM vt", "500|500\n[SELECT 1]");
    EXPECT("SELECT count(*) FROM vt WHERE id > 1000", "0\n[SELECT 1]");
    EXPECT("SELECT id FROM vt WHERE id = 300", "300\n[SELECT 1]");
    EXPECT("INSERT INTO vt VALUES (1001, 'back')", "[INSERT 0 1]");
    EXPECT("SELECT v FROM vt WHERE id = 1001", "back\n[SELECT 1]");
}

/* The counters of table `name` (database postgres). */
static SdbTableStats table_stats(const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT relfilenode FROM pg_class WHERE relname = '%s'", name);
    long node = query_long(sql);
    CU_ASSERT(node > 0);
    return sdb_pgstat_get((SdbRelFileId){.db_oid = SDB_DATABASE_POSTGRES, .rel_number = (uint32_t)node});
}

/* With autovacuum_naptime = 1 s the table is vacuumed by itself. */
static void test_autovacuum(void)
{
    CU_ASSERT_EQUAL_FATAL(suite_clean(), 0);
    SdbSettings settings;
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&settings), SDB_OK);
    CU_ASSERT_EQUAL(sdb_settings_set(&settings, "autovacuum_naptime", "1", SDB_SOURCE_FILE), SDB_OK);
    db = sdb_instance_open(sql_test_dir, &settings);
    sdb_settings_free(&settings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    sess = sdb_session_open(db, "postgres", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sess);
    EXPECT("CREATE TABLE av (id int PRIMARY KEY, n int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO av SELECT g, 0 FROM generate_series(1, 300) g", "[INSERT 0 300]");
    EXPECT("UPDATE av SET n = 1", "[UPDATE 300]");
    EXPECT("DELETE FROM av WHERE id > 200", "[DELETE 100]");
    SdbTableStats st = table_stats("av");
    CU_ASSERT_EQUAL(st.n_dead_tup, 400);
    CU_ASSERT_EQUAL(st.n_live_tup, 200);
    CU_ASSERT_EQUAL(st.autovacuum_count, 0);
    for (int i = 0; i < 100 && table_stats("av").autovacuum_count == 0; i++)
        usleep(50000);
    st = table_stats("av");
    CU_ASSERT(st.autovacuum_count >= 1);
    CU_ASSERT_EQUAL(st.n_dead_tup, 0);
    CU_ASSERT_EQUAL(st.n_live_tup, 200);
    CU_ASSERT(st.last_autovacuum > 0);
    EXPECT("SELECT count(*), sum(n) FROM av", "200|200\n[SELECT 1]");
    EXPECT("SELECT n FROM av WHERE id = 150", "1\n[SELECT 1]");
}

static CU_TestInfo tests[] = {
    {"repeated updates with VACUUM: bounded size, space reused, indexes right", test_bounded_size},
    {"a concurrent old snapshot keeps its versions", test_old_snapshot},
    {"errors, VACUUM of every table, VERBOSE and ANALYZE", test_errors},
    {"aborted inserts reclaimed, consistent after restart", test_restart},
    {"autovacuum vacuums by itself, n_dead_tup drops", test_autovacuum},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"vacuum", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
