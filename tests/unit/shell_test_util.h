/*
 * shell_test_util.h: running SQL through the shell's raw output format in a
 * test: shell_rows(session, sql) gives the rows as one line (values joined
 * by '|', rows by ' ', NULL as empty) or "ERROR <sqlstate>" for a failed
 * statement; the caller frees it.
 */
#ifndef SDB_SHELL_TEST_UTIL_H
#define SDB_SHELL_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "session/shell.h"

static inline char *shell_rows(SdbSession *session, const char *sql)
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

#endif /* SDB_SHELL_TEST_UTIL_H */
