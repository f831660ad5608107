/*
 * case_file.h: the data files of the table-driven tests (parser_cases.txt,
 * analyze_cases.txt): cases separated by blank lines, each an optional run
 * of '#' comment lines, the SQL (one or more lines), then expectation lines
 * (what counts as one is the test's own rule).
 */
#ifndef SDB_CASE_FILE_H
#define SDB_CASE_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/str.h"

#define CASE_FILE_MAX_LINE 8192

typedef struct CaseFileCase {
    int line;        /* where its SQL starts */
    SdbStr sql;      /* the SQL, lines joined with '\n' */
    SdbStr expected; /* the expectation lines, each ending in '\n' */
    SdbStr comments; /* comment lines before it (for --print) */
} CaseFileCase;

static inline bool case_file_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads the next case from `f` into `c` (its strings in `arena`); false at
 * the end of the file.  *line counts lines read. */
static inline bool case_file_read(FILE *f, SdbArena *arena, bool (*is_expectation)(const char *), CaseFileCase *c,
                                  int *line)
{
    char buf[CASE_FILE_MAX_LINE];
    sdb_str_init(&c->sql, arena);
    sdb_str_init(&c->expected, arena);
    sdb_str_init(&c->comments, arena);
    c->line = 0;
    while (fgets(buf, sizeof buf, f) != NULL) {
        (*line)++;
        size_t n = strlen(buf);
        if (n > 0 && buf[n - 1] == '\n')
            buf[--n] = '\0';
        if (n == 0) {
            if (c->line != 0)
                return true;
            sdb_str_append_char(&c->comments, '\n');
        } else if (c->line == 0 && buf[0] == '#') {
            sdb_str_appendf(&c->comments, "%s\n", buf);
        } else if (is_expectation(buf)) {
            sdb_str_appendf(&c->expected, "%s\n", buf);
        } else {
            if (c->line == 0)
                c->line = *line;
            else
                sdb_str_append_char(&c->sql, '\n');
            sdb_str_append_cstr(&c->sql, buf);
        }
    }
    return c->line != 0;
}

#endif /* SDB_CASE_FILE_H */
