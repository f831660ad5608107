/*
 * test_parser.c: the SQL parser (runtime/sql/parser.h) against the cases of
 * tests/unit/parser_cases.txt, plus what a data file cannot express
 * (statement extents, NUL bytes and invalid UTF-8, arena failure, deep
 * nesting).
 *
 * parser_cases.txt: cases separated by blank lines; '#' lines between
 * cases are comments.  A case is SQL (one or more lines) followed by
 *     => TREE          one line per statement: the S-expression of its tree
 *     @ LOC:LEN ...    optional: each statement's byte offset and length
 * or by
 *     !! SQLSTATE POSITION MESSAGE   the error sdb_parse() must report.
 *
 * `test_parser --print` writes the case file back with the results of this
 * build in place of the expectations (to review, then keep, after a change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/str.h"
#include "case_file.h"
#include "harness.h"
#include "sql/parser.h"



static SdbArena *arena;

static int setup(void)
{
    arena = sdb_arena_create(NULL, "test_parser", 0);
    return arena == NULL;
}

static int teardown(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

/* The result of parsing `sql` in the case file's notation (each line
 * ending in '\n'), in `out`. */
static void describe(const char *sql, size_t len, SdbStr *out)
{
    SdbParseResult result;
    if (sdb_parse(arena, sql, len, &result) != SDB_OK) {
        const SdbErrorData *e = sdb_error_last();
        sdb_str_appendf(out, "!! %s %d %s\n", sdb_errcode_info(e->code)->sqlstate, e->position, e->message);
        sdb_error_clear();
        return;
    }
    for (int i = 0; i < result.count; i++) {
        SdbRawStmt *raw = (SdbRawStmt *)sdb_list_nth(result.stmts, i);
        sdb_str_append_cstr(out, "=> ");
        sdb_node_print(out, raw->stmt, 0);
        sdb_str_append_char(out, '\n');
    }
}

/* `out` with the "@ LOC:LEN ..." line for `sql`'s statements. */
static void describe_extents(const char *sql, SdbStr *out)
{
    SdbParseResult result;
    if (sdb_parse(arena, sql, strlen(sql), &result) != SDB_OK)
        return;
    sdb_str_append_char(out, '@');
    for (int i = 0; i < result.count; i++) {
        SdbRawStmt *raw = (SdbRawStmt *)sdb_list_nth(result.stmts, i);
        sdb_str_appendf(out, " %d:%d", raw->stmt_location, raw->stmt_len);
    }
    sdb_str_append_char(out, '\n');
}

static bool is_expectation(const char *line)
{
    return case_file_starts_with(line, "=> ") || case_file_starts_with(line, "!! ") || case_file_starts_with(line, "@ ");
}

static bool read_case(FILE *f, CaseFileCase *c, int *line)
{
    return case_file_read(f, arena, is_expectation, c, line);
}

/* The actual result of case `c` in the file's notation. */
static void run_case(const CaseFileCase *c, SdbStr *actual)
{
    sdb_str_init(actual, arena);
    describe(c->sql.data, c->sql.len, actual);
    if (c->expected.data != NULL && strstr(c->expected.data, "\n@ ") == NULL && !case_file_starts_with(c->expected.data, "@ "))
        return;
    describe_extents(c->sql.data, actual);
}

static FILE *open_cases(void)
{
    FILE *f = fopen(SDB_PARSER_CASES, "r");
    if (f == NULL)
        fprintf(stderr, "cannot open %s\n", SDB_PARSER_CASES);
    return f;
}

static void test_cases(void)
{
    FILE *f = open_cases();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    int line = 0, count = 0, failed = 0;
    CaseFileCase c;
    while (read_case(f, &c, &line)) {
        SdbStr actual;
        run_case(&c, &actual);
        count++;
        const char *expected = c.expected.data ? c.expected.data : "";
        if (strcmp(expected, actual.data ? actual.data : "") != 0) {
            failed++;
            fprintf(stderr, "\n%s:%d: %s\n  expected:\n%s  actual:\n%s", SDB_PARSER_CASES, c.line, c.sql.data,
                    expected, actual.data ? actual.data : "");
        }
        sdb_arena_reset(arena);
    }
    fclose(f);
    printf("\n  %d parser cases, %d failed\n", count, failed);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_TRUE(count >= 250);
}

/* Writes the case file to stdout with this build's results. */
static int print_cases(void)
{
    FILE *f = open_cases();
    if (f == NULL || setup() != 0)
        return 1;
    int line = 0;
    CaseFileCase c;
    while (read_case(f, &c, &line)) {
        SdbStr actual;
        run_case(&c, &actual);
        printf("%s%s\n%s\n", c.comments.data ? c.comments.data : "", c.sql.data, actual.data ? actual.data : "");
        sdb_arena_reset(arena);
    }
    fclose(f);
    return teardown();
}

/* Parses `sql` (`len` bytes) expecting an error of `sqlstate` at `position`
 * with `message`. */
static void expect_error(const char *sql, size_t len, const char *sqlstate, int position, const char *message)
{
    SdbParseResult result;
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, sql, len, &result), SDB_ERROR);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_STRING_EQUAL(sdb_errcode_info(e->code)->sqlstate, sqlstate);
    CU_ASSERT_EQUAL(e->position, position);
    CU_ASSERT_STRING_EQUAL(e->message, message);
    CU_ASSERT_PTR_NULL(result.stmts);
    sdb_error_clear();
}

static void test_bytes(void)
{
    expect_error("select 'a\0b'", 12, "22021", 10, "invalid byte sequence for encoding \"UTF8\": 0x00");
    expect_error("select 'caf\xc3\x28'", 13, "22021", 12, "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
    expect_error("select '\xe2\x82'", 11, "22021", 9, "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x27");
    /* E'' escapes that make invalid UTF-8 */
    expect_error("select E'\\xc3'", 14, "22021", 8, "invalid byte sequence for encoding \"UTF8\": 0xc3");
    expect_error("select E'\\0'", 12, "22021", 8, "invalid byte sequence for encoding \"UTF8\": 0x00");
    /* positions count characters, not bytes */
    expect_error("select 'é', from", 17, "42601", 13, "syntax error at or near \"from\"");
    /* the input need not be NUL-terminated */
    SdbParseResult result;
    CU_ASSERT_EQUAL(sdb_parse(arena, "select 1; garbage", 8, &result), SDB_OK);
    CU_ASSERT_EQUAL(result.count, 1);
    sdb_arena_reset(arena);
}

static void test_extents(void)
{
    SdbParseResult result;
    const char *sql = "  select 1 ;\n\n;insert into t values (1);  -- done\n  update t set a = 2";
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, sql, strlen(sql), &result), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(result.count, 3);
    SdbRawStmt *s0 = (SdbRawStmt *)sdb_list_nth(result.stmts, 0);
    SdbRawStmt *s1 = (SdbRawStmt *)sdb_list_nth(result.stmts, 1);
    SdbRawStmt *s2 = (SdbRawStmt *)sdb_list_nth(result.stmts, 2);
    CU_ASSERT_EQUAL(s0->stmt_location, 2);
    CU_ASSERT_EQUAL(s0->stmt_len, 8);
    CU_ASSERT_TRUE(SDB_IS_A(s1->stmt, INSERT_STMT));
    CU_ASSERT_EQUAL(strncmp(sql + s1->stmt_location, "insert into t values (1)", (size_t)s1->stmt_len), 0);
    CU_ASSERT_EQUAL(s1->stmt_len, 24);
    CU_ASSERT_EQUAL(strcmp(sql + s2->stmt_location, "update t set a = 2"), 0);
    CU_ASSERT_EQUAL(s2->stmt_len, 18);
    CU_ASSERT_EQUAL(sdb_parse(arena, " ; -- nothing\n", 14, &result), SDB_OK);
    CU_ASSERT_EQUAL(result.count, 0);
    CU_ASSERT_PTR_NULL(result.stmts);
    CU_ASSERT_EQUAL(sdb_parse(arena, "", 0, &result), SDB_OK);
    CU_ASSERT_EQUAL(result.count, 0);
    sdb_arena_reset(arena);
}

/* The arena running out at many points of a parse: 53200, never a crash
 * or a leak (the sanitizer build checks). */
static void test_out_of_memory(void)
{
    SdbStr sql;
    sdb_str_init(&sql, arena);
    for (int i = 0; i < 20; i++)
        sdb_str_append_cstr(&sql, "with w as (select a, count(*) from t group by a) select * from w join u using (a) "
                                  "where a between 1 and 10 order by 1 limit 5; insert into t values (1, 'x');");
    int failures = 0, successes = 0;
    for (size_t limit = 16384; limit < 1048576; limit += 4096) {
        SdbArena *small = sdb_arena_create(NULL, "small", limit);
        CU_ASSERT_PTR_NOT_NULL_FATAL(small);
        SdbParseResult result;
        if (sdb_parse(small, sql.data, sql.len, &result) != SDB_OK) {
            CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
            sdb_error_clear();
            failures++;
        } else {
            CU_ASSERT_EQUAL(result.count, 40);
            successes++;
        }
        sdb_arena_destroy(small);
    }
    CU_ASSERT_TRUE(failures > 0);
    CU_ASSERT_TRUE(successes > 0);
    sdb_arena_reset(arena);
}

/* Deep nesting: a parse stack overflow is 54001, not a crash. */
static void test_deep_nesting(void)
{
    SdbStr sql;
    sdb_str_init(&sql, arena);
    sdb_str_append_cstr(&sql, "select ");
    for (int i = 0; i < 20000; i++)
        sdb_str_append_char(&sql, '(');
    sdb_str_append_char(&sql, '1');
    for (int i = 0; i < 20000; i++)
        sdb_str_append_char(&sql, ')');
    SdbParseResult result;
    CU_ASSERT_EQUAL(sdb_parse(arena, sql.data, sql.len, &result), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_STATEMENT_TOO_COMPLEX);
    sdb_error_clear();
    sdb_arena_reset(arena);
}

/* Counts the nodes below (and including) `node` by tag, recursively. */
static int count_nodes(SdbNode *node, void *ctx)
{
    int *counts = ctx;
    counts[SDB_NODE_TAG(node)]++;
    return sdb_node_walk(node, count_nodes, ctx);
}

/* Stops the walk at the first ColumnRef, returning 7. */
static int find_column_ref(SdbNode *node, void *ctx)
{
    (void)ctx;
    return SDB_IS_A(node, COLUMN_REF) ? 7 : sdb_node_walk(node, find_column_ref, ctx);
}

static void test_walker(void)
{
    const char *sql = "select a, b + 1 from t where c in (select d from u) order by e";
    SdbParseResult result;
    CU_ASSERT_EQUAL_FATAL(sdb_parse(arena, sql, strlen(sql), &result), SDB_OK);
    SdbNode *stmt = ((SdbRawStmt *)sdb_list_nth(result.stmts, 0))->stmt;
    int counts[SDB_T_COUNT] = {0};
    count_nodes(stmt, counts);
    CU_ASSERT_EQUAL(counts[SDB_T_COLUMN_REF], 5);
    CU_ASSERT_EQUAL(counts[SDB_T_RANGE_VAR], 2);
    CU_ASSERT_EQUAL(counts[SDB_T_SELECT_STMT], 2);
    CU_ASSERT_EQUAL(counts[SDB_T_SUB_LINK], 1);
    CU_ASSERT_EQUAL(counts[SDB_T_A_CONST], 1);
    CU_ASSERT_EQUAL(sdb_node_walk(stmt, find_column_ref, NULL), 7);
    CU_ASSERT_EQUAL(sdb_node_walk(NULL, find_column_ref, NULL), 0);
    CU_ASSERT_STRING_EQUAL(sdb_node_tag_name(SDB_NODE_TAG(stmt)), "SelectStmt");
    CU_ASSERT_STRING_EQUAL(sdb_node_tag_name(SDB_T_LIST), "List");
    sdb_arena_reset(arena);
}

static CU_TestInfo tests[] = {
    {"cases of parser_cases.txt", test_cases},
    {"NUL bytes and invalid UTF-8", test_bytes},
    {"statement extents", test_extents},
    {"out of memory", test_out_of_memory},
    {"deep nesting", test_deep_nesting},
    {"walker", test_walker},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"parser", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print") == 0)
        return print_cases();
    return sdb_test_run(suites);
}
