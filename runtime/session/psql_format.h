/*
 * session/psql_format.h: psql's output conventions and script splitting
 * (psql_format.c), for `specdb sql`.
 */
#ifndef SDB_SESSION_PSQL_FORMAT_H
#define SDB_SESSION_PSQL_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/str.h"
#include "types/datum.h"

/* psql's default aligned table: headers centered, a dashed rule, numeric
 * types right aligned, "(N rows)" and an empty line.  cells holds
 * nrows * ncols values (NULL prints as nothing). */
void sdb_psql_print_table(FILE *out, int ncols, const char *const *names, const SdbOid *types, size_t nrows,
                          char *const *cells);

/* "LINE n: <the line>" and a caret under the 1-based character `position`
 * of `sql`. */
void sdb_psql_print_position(FILE *err, const char *sql, int position);

/* Splitting a script into statements as psql does: at semicolons outside
 * quotes ('' E'' "" $tag$), comments and parentheses; "--" comments are
 * dropped. */
typedef struct SdbSqlSplitter {
    SdbStr buf;           /* the statement being collected (init its arena) */
    int paren;
    bool in_quote, in_escape_quote, in_ident;
    int comment_depth;
    char *dollar_tag;     /* inside $tag$ ... $tag$, or NULL */
} SdbSqlSplitter;

/* Called with each complete statement (ending in ';'); SDB_ERROR stops. */
typedef int (*SdbSqlEmitFn)(void *arg, const char *sql);

/* Feed one input line (with its newline); SDB_ERROR when emit stopped. */
int sdb_sql_split_line(SdbSqlSplitter *sp, const char *line, SdbSqlEmitFn emit, void *arg);

/* Whether nothing but white space is pending (a meta-command may start). */
bool sdb_sql_splitter_idle(const SdbSqlSplitter *sp);
bool sdb_sql_blank(const char *s);

#endif /* SDB_SESSION_PSQL_FORMAT_H */
