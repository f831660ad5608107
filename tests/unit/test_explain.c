/*
 * test_explain.c: EXPLAIN's text (the printers generated from the explain
 * lists of spec/plan.toml, driven by runtime/exec/explain.c) against the
 * cases of tests/unit/explain_cases.txt, run through a session.
 *
 * explain_cases.txt: cases separated by blank lines; '#' lines before a
 * case are comments.  A case is SQL (one or more lines) followed by
 *     | LINE          the lines of EXPLAIN (COSTS OFF) SQL, one each
 * or, when the SQL itself starts with EXPLAIN, the lines it returns, with
 * run-dependent numbers (times, kB) written as N.  SQL without expectation
 * lines (CREATE TABLE, INSERT ...) just has to succeed, for later cases.
 * The expected text is PostgreSQL 15's wherever our plan has its shape.
 *
 * `test_explain --print` writes the case file back with the results of
 * this build in place of the expectations (to review, then keep).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_file.h"
#include "sql_test_util.h"

static bool is_expectation(const char *line)
{
    return line[0] == '|';
}

/* Whether `s` starts a run-dependent number after one of the labels. */
static bool masked_label(const char *text, size_t at, size_t *skip)
{
    static const char *const labels[] = {"time=", "..", "Execution Time: ", "Memory: ", "Memory Usage: ",
                                         "Disk: "};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        size_t n = strlen(labels[i]);
        if (at >= n && strncmp(text + at - n, labels[i], n) == 0) {
            *skip = n;
            return true;
        }
    }
    return false;
}

/* `text` with every number that follows a masked label replaced by N. */
static void mask(const char *text, SdbStr *out)
{
    size_t skip;
    for (size_t i = 0; text[i] != '\0';) {
        if (isdigit((unsigned char)text[i]) && masked_label(text, i, &skip)) {
            while (isdigit((unsigned char)text[i]) || text[i] == '.') {
                if (text[i] == '.' && text[i + 1] == '.')
                    break;
                i++;
            }
            sdb_str_append_char(out, 'N');
        } else {
            sdb_str_append_char(out, text[i++]);
        }
    }
}

/* The expectation lines for case `sql` as this build gives them ("" for a
 * statement that is not a case), or NULL on error. */
static char *explain_lines(SdbArena *arena, const char *sql)
{
    bool explain = strncmp(sql, "EXPLAIN", 7) == 0;
    char *got = run(arena, explain ? sql : sdb_arena_sprintf(arena, "EXPLAIN (COSTS OFF) %s", sql));
    if (got == NULL)
        return NULL;
    const char *tag = strstr(got, "[EXPLAIN]");
    if (tag == NULL)
        return "";
    SdbStr lines;
    sdb_str_init(&lines, arena);
    sdb_str_append_cstr(&lines, "");
    for (const char *p = got; p < tag;) {
        const char *end = strchr(p, '\n');
        sdb_str_append_cstr(&lines, "| ");
        char *line = sdb_arena_strndup(arena, p, (size_t)(end - p));
        mask(line, &lines);
        sdb_str_append_char(&lines, '\n');
        p = end + 1;
    }
    return lines.data;
}

/* Runs a case: the statement itself when it has no expectations. */
static char *run_case(SdbArena *arena, const CaseFileCase *c)
{
    if (c->expected.len == 0) {
        char *got = run(arena, c->sql.data);
        return got == NULL ? NULL : "";
    }
    return explain_lines(arena, c->sql.data);
}

static FILE *open_cases(void)
{
    FILE *f = fopen(SDB_EXPLAIN_CASES, "r");
    if (f == NULL)
        fprintf(stderr, "cannot open %s\n", SDB_EXPLAIN_CASES);
    return f;
}

static void test_cases(void)
{
    FILE *f = open_cases();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    SdbArena *arena = sdb_arena_create(NULL, "explain cases", 0);
    int line = 0, count = 0, failed = 0;
    CaseFileCase c;
    while (case_file_read(f, arena, is_expectation, &c, &line)) {
        const char *want = c.expected.len > 0 ? c.expected.data : "";
        char *got = run_case(arena, &c);
        count += c.expected.len > 0;
        if (got == NULL || strcmp(want, got) != 0) {
            failed++;
            printf("\nline %d: %s\n  expected:\n%s  actual:\n%s", c.line, c.sql.data, want,
                   got ? got : sdb_error_last()->message);
        }
        sdb_arena_reset(arena);
    }
    fclose(f);
    sdb_arena_destroy(arena);
    printf("\n  %d EXPLAIN cases, %d failed\n", count, failed);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_TRUE(count >= 40);
}

static int print_cases(void)
{
    FILE *f = open_cases();
    if (f == NULL || suite_init() != 0)
        return 1;
    SdbArena *arena = sdb_arena_create(NULL, "explain cases", 0);
    int line = 0;
    CaseFileCase c;
    while (case_file_read(f, arena, is_expectation, &c, &line)) {
        char *got = run_case(arena, &c);
        printf("%s%s\n%s\n", c.comments.data, c.sql.data, got ? got : sdb_error_last()->message);
        sdb_arena_reset(arena);
    }
    fclose(f);
    sdb_arena_destroy(arena);
    return suite_clean();
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--print") == 0)
        return print_cases();
    CU_TestInfo tests[] = {
        {"cases", test_cases},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"explain", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
