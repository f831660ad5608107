/*
 * test_savepoint.c: SAVEPOINT / RELEASE / ROLLBACK TO through a session, as
 * PostgreSQL 15 does them (checked by hand against psql 15): nesting and
 * same names, inserts/updates/deletes of the same rows across
 * subtransactions, unique keys, a concurrent session's view before and
 * after the top commits, rows locked by a rolled-back subtransaction,
 * failed blocks recovered by ROLLBACK TO (also over the extended
 * protocol), SET rollback, the errors, and
 * durability across a clean restart and a kill -9.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sql_test_util.h"

/* Run `sql` in session `other` (rows as run() gives them), or NULL. */
static char *run_in(SdbSession *other, SdbArena *arena, const char *sql)
{
    SdbSession *saved = sess;
    sess = other;
    char *out = run(arena, sql);
    sess = saved;
    return out;
}

#define EXPECT_IN(other, sql, expected)                                                                                \
    do {                                                                                                               \
        SdbArena *b_ = sdb_arena_create(NULL, "sql test", 0);                                                          \
        char *got2_ = run_in(other, b_, sql);                                                                          \
        if (got2_ == NULL)                                                                                             \
            sdb_error_print(stderr);                                                                                   \
        CU_ASSERT_PTR_NOT_NULL(got2_);                                                                                 \
        if (got2_ && strcmp(got2_, expected) != 0)                                                                     \
            fprintf(stderr, "\n%s\nexpected:\n%s\ngot:\n%s\n", sql, expected, got2_);                                  \
        if (got2_)                                                                                                     \
            CU_ASSERT_STRING_EQUAL(got2_, expected);                                                                   \
        sdb_arena_destroy(b_);                                                                                         \
    } while (0)

static void test_errors(void)
{
    EXPECT_ERROR("SAVEPOINT a", SDB_ERR_NO_ACTIVE_SQL_TRANSACTION, "SAVEPOINT can only be used in transaction blocks");
    EXPECT_ERROR("RELEASE a", SDB_ERR_NO_ACTIVE_SQL_TRANSACTION,
                 "RELEASE SAVEPOINT can only be used in transaction blocks");
    EXPECT_ERROR("ROLLBACK TO a", SDB_ERR_NO_ACTIVE_SQL_TRANSACTION,
                 "ROLLBACK TO SAVEPOINT can only be used in transaction blocks");
    /* an implicit transaction (several statements in one string) is no block */
    EXPECT_ERROR("SELECT 1; SAVEPOINT a", SDB_ERR_NO_ACTIVE_SQL_TRANSACTION,
                 "SAVEPOINT can only be used in transaction blocks");
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT_ERROR("RELEASE SAVEPOINT nosuch", SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION,
                 "savepoint \"nosuch\" does not exist");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'E');
    EXPECT_ERROR("SAVEPOINT a", SDB_ERR_IN_FAILED_SQL_TRANSACTION,
                 "current transaction is aborted, commands ignored until end of transaction block");
    EXPECT_ERROR("ROLLBACK TO nosuch", SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION,
                 "savepoint \"nosuch\" does not exist");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'I');
    EXPECT("BEGIN; SAVEPOINT a; RELEASE a; SAVEPOINT b; ROLLBACK TO SAVEPOINT b; ROLLBACK TRANSACTION TO b; "
           "RELEASE SAVEPOINT b; COMMIT",
           "[BEGIN]\n[SAVEPOINT]\n[RELEASE]\n[SAVEPOINT]\n[ROLLBACK]\n[ROLLBACK]\n[RELEASE]\n[COMMIT]");
    EXPECT("BEGIN; SAVEPOINT a", "[BEGIN]\n[SAVEPOINT]");
    EXPECT("RELEASE a", "[RELEASE]");
    EXPECT_ERROR("RELEASE a", SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"a\" does not exist");
    EXPECT("COMMIT", "[ROLLBACK]");
}

static void test_nesting(void)
{
    EXPECT("CREATE TABLE n (k int PRIMARY KEY, v text)", "[CREATE TABLE]");
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT("INSERT INTO n VALUES (1, 'a')", "[INSERT 0 1]");
    EXPECT("SAVEPOINT s1", "[SAVEPOINT]");
    EXPECT("INSERT INTO n VALUES (2, 'b')", "[INSERT 0 1]");
    EXPECT("SAVEPOINT s2", "[SAVEPOINT]");
    EXPECT("INSERT INTO n VALUES (3, 'c')", "[INSERT 0 1]");
    EXPECT("SAVEPOINT s1", "[SAVEPOINT]"); /* same name: the latest wins */
    EXPECT("INSERT INTO n VALUES (4, 'd')", "[INSERT 0 1]");
    EXPECT("ROLLBACK TO s1", "[ROLLBACK]");
    EXPECT("SELECT k FROM n ORDER BY k", "1\n2\n3\n[SELECT 3]");
    EXPECT("RELEASE s1", "[RELEASE]"); /* the inner s1 */
    EXPECT("ROLLBACK TO s1", "[ROLLBACK]"); /* now the outer one: 2 and 3 go */
    EXPECT("SELECT k FROM n ORDER BY k", "1\n[SELECT 1]");
    EXPECT_ERROR("ROLLBACK TO s2", SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"s2\" does not exist");
    EXPECT("ROLLBACK TO s1", "[ROLLBACK]");
    EXPECT("INSERT INTO n VALUES (5, 'e')", "[INSERT 0 1]");
    EXPECT("SAVEPOINT s3", "[SAVEPOINT]");
    EXPECT("INSERT INTO n VALUES (6, 'f')", "[INSERT 0 1]");
    EXPECT("RELEASE s1", "[RELEASE]"); /* releases s3 too */
    EXPECT_ERROR("RELEASE s3", SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"s3\" does not exist");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    EXPECT("BEGIN; INSERT INTO n VALUES (1, 'a'); SAVEPOINT s1; INSERT INTO n VALUES (5, 'e'); SAVEPOINT s3; "
           "INSERT INTO n VALUES (6, 'f'); RELEASE s1; SAVEPOINT s4; INSERT INTO n VALUES (7, 'g'); COMMIT",
           "[BEGIN]\n[INSERT 0 1]\n[SAVEPOINT]\n[INSERT 0 1]\n[SAVEPOINT]\n[INSERT 0 1]\n[RELEASE]\n[SAVEPOINT]\n"
           "[INSERT 0 1]\n[COMMIT]");
    EXPECT("SELECT k FROM n ORDER BY k", "1\n5\n6\n7\n[SELECT 4]");
    EXPECT("DROP TABLE n", "[DROP TABLE]");
}

/* The same rows changed at several levels. */
static void test_same_rows(void)
{
    EXPECT("CREATE TABLE r (k int PRIMARY KEY, v text)", "[CREATE TABLE]");
    EXPECT("INSERT INTO r VALUES (1, 'one')", "[INSERT 0 1]");
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT("INSERT INTO r VALUES (2, 'two')", "[INSERT 0 1]");
    EXPECT("SAVEPOINT a", "[SAVEPOINT]");
    EXPECT("UPDATE r SET v = v || '!'", "[UPDATE 2]");
    EXPECT("DELETE FROM r WHERE k = 2", "[DELETE 1]");
    EXPECT("SELECT k, v FROM r ORDER BY k", "1|one!\n[SELECT 1]");
    EXPECT("ROLLBACK TO a", "[ROLLBACK]");
    EXPECT("SELECT k, v FROM r ORDER BY k", "1|one\n2|two\n[SELECT 2]");
    /* inserted in a subtransaction, deleted by its parent after release */
    EXPECT("SAVEPOINT b", "[SAVEPOINT]");
    EXPECT("INSERT INTO r VALUES (3, 'three')", "[INSERT 0 1]");
    EXPECT("UPDATE r SET v = 'TWO' WHERE k = 2", "[UPDATE 1]");
    EXPECT("RELEASE b", "[RELEASE]");
    EXPECT("DELETE FROM r WHERE k = 3", "[DELETE 1]");
    /* a key taken by a rolled-back subtransaction is free again */
    EXPECT("SAVEPOINT c", "[SAVEPOINT]");
    EXPECT("INSERT INTO r VALUES (4, 'four')", "[INSERT 0 1]");
    EXPECT("ROLLBACK TO c", "[ROLLBACK]");
    EXPECT("INSERT INTO r VALUES (4, 'FOUR')", "[INSERT 0 1]");
    EXPECT("INSERT INTO r VALUES (3, 'THREE')", "[INSERT 0 1]");
    /* a unique violation inside a savepoint, recovered (psql's ON_ERROR_ROLLBACK) */
    EXPECT("SAVEPOINT d", "[SAVEPOINT]");
    EXPECT_ERROR("INSERT INTO r VALUES (1, 'dup')", SDB_ERR_UNIQUE_VIOLATION,
                 "duplicate key value violates unique constraint \"r_pkey\"");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'E');
    EXPECT_ERROR("SELECT 1", SDB_ERR_IN_FAILED_SQL_TRANSACTION,
                 "current transaction is aborted, commands ignored until end of transaction block");
    EXPECT("ROLLBACK TO d", "[ROLLBACK]");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'T');
    EXPECT("RELEASE d", "[RELEASE]");
    EXPECT("COMMIT", "[COMMIT]");
    EXPECT("SELECT k, v FROM r ORDER BY k", "1|one\n2|TWO\n3|THREE\n4|FOUR\n[SELECT 4]");
    EXPECT("DROP TABLE r", "[DROP TABLE]");
}

/* What another session sees, and row locks of rolled-back subtransactions. */
static void test_concurrent(void)
{
    SdbSession *other = sdb_session_open(db, "postgres", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    EXPECT("CREATE TABLE c (k int PRIMARY KEY, v int)", "[CREATE TABLE]");
    EXPECT("INSERT INTO c VALUES (100, 0)", "[INSERT 0 1]");
    EXPECT_IN(other, "SET statement_timeout = '5s'", "[SET]");
    EXPECT("BEGIN", "[BEGIN]");
    EXPECT("SAVEPOINT a", "[SAVEPOINT]");
    EXPECT("INSERT INTO c VALUES (1, 1)", "[INSERT 0 1]");
    EXPECT("RELEASE a", "[RELEASE]");
    EXPECT("SAVEPOINT b", "[SAVEPOINT]");
    EXPECT("INSERT INTO c VALUES (2, 2)", "[INSERT 0 1]");
    EXPECT("UPDATE c SET v = 1 WHERE k = 100", "[UPDATE 1]");
    EXPECT_IN(other, "SELECT k FROM c ORDER BY k", "100\n[SELECT 1]");
    EXPECT("ROLLBACK TO b", "[ROLLBACK]");
    /* the row the rolled-back subtransaction updated is not locked any more */
    EXPECT_IN(other, "UPDATE c SET v = 7 WHERE k = 100", "[UPDATE 1]");
    EXPECT("SAVEPOINT e", "[SAVEPOINT]");
    EXPECT("INSERT INTO c VALUES (3, 3)", "[INSERT 0 1]");
    EXPECT_IN(other, "BEGIN ISOLATION LEVEL REPEATABLE READ", "[BEGIN]");
    EXPECT_IN(other, "SELECT k FROM c ORDER BY k", "100\n[SELECT 1]");
    EXPECT("COMMIT", "[COMMIT]"); /* commits the open savepoint e too */
    EXPECT_IN(other, "SELECT k FROM c ORDER BY k", "100\n[SELECT 1]");
    EXPECT_IN(other, "COMMIT", "[COMMIT]");
    EXPECT_IN(other, "SELECT k, v FROM c ORDER BY k", "1|1\n3|3\n100|7\n[SELECT 3]");
    sdb_session_close(other);
    EXPECT("DROP TABLE c", "[DROP TABLE]");
}

static void test_settings(void)
{
    EXPECT("SET DateStyle = 'ISO, MDY'", "[SET]");
    EXPECT("BEGIN; SET DateStyle = 'German'; SAVEPOINT a; SET DateStyle = 'SQL'; SHOW DateStyle",
           "[BEGIN]\n[SET]\n[SAVEPOINT]\n[SET]\nSQL, DMY\n[SHOW]");
    EXPECT("ROLLBACK TO a; SHOW DateStyle", "[ROLLBACK]\nGerman, DMY\n[SHOW]");
    EXPECT("SET LOCAL DateStyle = 'Postgres'; SAVEPOINT b; SET DateStyle = 'SQL'; RELEASE b; SHOW DateStyle",
           "[SET]\n[SAVEPOINT]\n[SET]\n[RELEASE]\nSQL, DMY\n[SHOW]");
    EXPECT("SAVEPOINT c; SET DateStyle = 'Postgres'", "[SAVEPOINT]\n[SET]");
    EXPECT_ERROR("SELECT 1/0", SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    /* the failed subtransaction's SET is undone at the error already */
    EXPECT("ROLLBACK TO c; SHOW DateStyle", "[ROLLBACK]\nSQL, DMY\n[SHOW]");
    EXPECT("PREPARE p AS SELECT 42", "[PREPARE]");
    EXPECT("ROLLBACK TO a", "[ROLLBACK]");
    EXPECT("EXECUTE p", "42\n[SELECT 1]"); /* prepared statements are not rolled back */
    EXPECT("COMMIT; SHOW DateStyle", "[COMMIT]\nGerman, DMY\n[SHOW]");
    EXPECT("DEALLOCATE p; RESET DateStyle", "[DEALLOCATE]\n[RESET]");
}

/* Catalog changes cannot be rolled back to a savepoint yet: 0A000. */
static void test_catalog_changes(void)
{
    EXPECT("BEGIN; SAVEPOINT a; CREATE TABLE d (k int)", "[BEGIN]\n[SAVEPOINT]\n[CREATE TABLE]");
    EXPECT_ERROR("ROLLBACK TO a", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "cannot roll back to savepoint \"a\" after catalog changes made since it");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    EXPECT("BEGIN; CREATE TABLE d (k int); SAVEPOINT a; INSERT INTO d VALUES (1); ROLLBACK TO a; "
           "INSERT INTO d VALUES (2); COMMIT",
           "[BEGIN]\n[CREATE TABLE]\n[SAVEPOINT]\n[INSERT 0 1]\n[ROLLBACK]\n[INSERT 0 1]\n[COMMIT]");
    EXPECT("SELECT k FROM d", "2\n[SELECT 1]");
    /* a DDL statement failing before it changed anything rolls back normally */
    EXPECT("BEGIN; SAVEPOINT a", "[BEGIN]\n[SAVEPOINT]");
    EXPECT_ERROR("CREATE TABLE d (k int)", SDB_ERR_DUPLICATE_TABLE, "relation \"d\" already exists");
    EXPECT("ROLLBACK TO a; INSERT INTO d VALUES (3); COMMIT", "[ROLLBACK]\n[INSERT 0 1]\n[COMMIT]");
    /* an error after a catalog change in the savepoint fails the whole block */
    EXPECT("BEGIN; SAVEPOINT a; CREATE TABLE d2 (k int)", "[BEGIN]\n[SAVEPOINT]\n[CREATE TABLE]");
    EXPECT_ERROR("SELECT 1/0", SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    EXPECT_ERROR("ROLLBACK TO a", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "cannot roll back to a savepoint after a failed catalog change inside it");
    EXPECT("ROLLBACK", "[ROLLBACK]");
    EXPECT("SELECT k FROM d ORDER BY k", "2\n3\n[SELECT 2]");
    EXPECT_ERROR("SELECT * FROM d2", SDB_ERR_UNDEFINED_TABLE, "relation \"d2\" does not exist");
    EXPECT("DROP TABLE d", "[DROP TABLE]");
}

/* Parse, Bind, Execute, Sync of `sql` as JDBC sends it: the tag, or NULL. */
static const char *extended(SdbArena *arena, const char *sql)
{
    SdbStr *out = sdb_arena_calloc(arena, 1, sizeof(SdbStr));
    sdb_str_init(out, arena);
    sdb_str_append_cstr(out, "");
    Collect c = {.out = out};
    SdbResultSink sink = {.arg = &c, .describe = on_describe, .rows = on_rows, .complete = on_complete};
    SdbPrepared *p;
    SdbPortal *portal;
    bool suspended;
    int rc = sdb_session_prepare(sess, "", sql, 0, NULL, &p);
    if (rc == SDB_OK)
        rc = sdb_session_bind(sess, "", p, 0, NULL, NULL, NULL, &portal);
    if (rc == SDB_OK)
        rc = sdb_portal_execute(portal, 0, &sink, &suspended);
    if (rc != SDB_OK)
        sdb_session_fail(sess);
    SdbErrorData saved = *sdb_error_last();
    sdb_session_sync(sess, NULL);
    *(SdbErrorData *)sdb_error_last() = saved;
    return rc == SDB_OK ? out->data : NULL;
}

static void test_extended_protocol(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "extended", 0);
    CU_ASSERT_STRING_EQUAL(extended(arena, "CREATE TABLE x (k int PRIMARY KEY)"), "[CREATE TABLE]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "BEGIN"), "[BEGIN]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "INSERT INTO x VALUES (1)"), "[INSERT 0 1]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "SAVEPOINT jdbc_1"), "[SAVEPOINT]");
    CU_ASSERT_PTR_NULL(extended(arena, "INSERT INTO x VALUES (1)"));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNIQUE_VIOLATION);
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'E');
    CU_ASSERT_PTR_NULL(extended(arena, "INSERT INTO x VALUES (2)"));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_IN_FAILED_SQL_TRANSACTION);
    CU_ASSERT_STRING_EQUAL(extended(arena, "ROLLBACK TO SAVEPOINT jdbc_1"), "[ROLLBACK]");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'T');
    CU_ASSERT_STRING_EQUAL(extended(arena, "INSERT INTO x VALUES (2)"), "[INSERT 0 1]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "RELEASE SAVEPOINT jdbc_1"), "[RELEASE]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "COMMIT"), "[COMMIT]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "BEGIN"), "[BEGIN]");
    CU_ASSERT_PTR_NULL(extended(arena, "SELECT 1/0"));
    CU_ASSERT_STRING_EQUAL(extended(arena, "COMMIT"), "[ROLLBACK]");
    CU_ASSERT_EQUAL(sdb_session_status(sess), 'I');
    EXPECT("SELECT count(*) FROM x", "2\n[SELECT 1]");
    CU_ASSERT_STRING_EQUAL(extended(arena, "DROP TABLE x"), "[DROP TABLE]");
    sdb_arena_destroy(arena);
}

/* Committed subtransactions of a committed top survive a restart; the rest
 * does not.  `many` savepoints make the commit record span clog pages. */
static const char *durable_script(int many, SdbArena *arena)
{
    SdbStr *s = sdb_arena_calloc(arena, 1, sizeof(SdbStr));
    sdb_str_init(s, arena);
    sdb_str_append_cstr(s, "CREATE TABLE dur (k int);"
                           "BEGIN; INSERT INTO dur VALUES (1); SAVEPOINT a; INSERT INTO dur VALUES (2); RELEASE a;"
                           "SAVEPOINT b; INSERT INTO dur VALUES (3); ROLLBACK TO b; INSERT INTO dur VALUES (4);"
                           "SAVEPOINT c; INSERT INTO dur VALUES (5); COMMIT;"
                           "BEGIN; INSERT INTO dur VALUES (-1); SAVEPOINT d; INSERT INTO dur VALUES (-2); ROLLBACK;"
                           "BEGIN;");
    for (int i = 0; i < many; i++)
        sdb_str_appendf(s, "SAVEPOINT m; INSERT INTO dur VALUES (%d);%s", 1000 + i, i % 3 == 0 ? " RELEASE m;" : "");
    sdb_str_append_cstr(s, "COMMIT");
    return s->data;
}

#define MANY 1100

static const char *expected_after = "4|1|5|1100|1000|2099\n[SELECT 1]";
static const char *count_sql =
    "SELECT count(*) FILTER (WHERE k < 1000), min(k), max(k) FILTER (WHERE k < 1000), "
    "count(*) FILTER (WHERE k >= 1000), min(k) FILTER (WHERE k >= 1000), max(k) FROM dur";

static void test_restart(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "script", 0);
    char *got = run(arena, durable_script(MANY, arena));
    CU_ASSERT_PTR_NOT_NULL(got);
    EXPECT(count_sql, expected_after);
    CU_ASSERT_EQUAL_FATAL(sql_test_restart(), 0);
    EXPECT(count_sql, expected_after);
    EXPECT("DROP TABLE dur", "[DROP TABLE]");
    sdb_arena_destroy(arena);
}

/* kill -9 right after the commits, with a block and savepoints still open. */
static void test_crash(void)
{
    CU_ASSERT_EQUAL_FATAL(suite_clean(), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (sql_test_open() != 0)
            _exit(2);
        SdbArena *arena = sdb_arena_create(NULL, "script", 0);
        if (run(arena, durable_script(MANY, arena)) == NULL ||
            run(arena, "BEGIN; INSERT INTO dur VALUES (-3); SAVEPOINT e; INSERT INTO dur VALUES (-4); RELEASE e;"
                       "SAVEPOINT f; INSERT INTO dur VALUES (-5)") == NULL)
            _exit(3);
        kill(getpid(), SIGKILL);
        _exit(4);
    }
    int status;
    CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CU_ASSERT_EQUAL_FATAL(sql_test_open(), 0);
    EXPECT(count_sql, expected_after);
    EXPECT("INSERT INTO dur VALUES (6); SELECT count(*) FROM dur WHERE k < 1000", "[INSERT 0 1]\n5\n[SELECT 1]");
}

static CU_TestInfo tests[] = {
    {"errors and command tags", test_errors},
    {"nesting, same names, release of later savepoints", test_nesting},
    {"the same rows at several levels, unique keys", test_same_rows},
    {"a concurrent session's view and row locks", test_concurrent},
    {"SET rollback, prepared statements kept", test_settings},
    {"catalog changes refuse ROLLBACK TO", test_catalog_changes},
    {"extended protocol (JDBC, psycopg2 style)", test_extended_protocol},
    {"clean restart", test_restart},
    {"kill -9", test_crash},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"savepoint", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
