/*
 * session/psql_format.c: what `specdb sql` shares with psql and needs no
 * database: the aligned table format, the LINE/caret display of an error
 * position, and splitting a script into statements.
 */
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "sdb_types.h"
#include "session/psql_format.h"

static bool right_aligned(SdbOid type)
{
    switch (type) {
    case SDB_TYPEOID_INT2:
    case SDB_TYPEOID_INT4:
    case SDB_TYPEOID_INT8:
    case SDB_TYPEOID_FLOAT4:
    case SDB_TYPEOID_FLOAT8:
    case SDB_TYPEOID_OID:
    case SDB_TYPEOID_XID:
    case 1700: /* numeric */
    case 790:  /* money */
    case 29:   /* cid */
        return true;
    default:
        return false;
    }
}

static int width(const char *text)
{
    return sdb_utf8_char_count(text, strlen(text));
}

static void pad(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* psql's aligned format: centered headers, a dashed rule, numbers right
 * aligned, "(N rows)" and an empty line. */
void sdb_psql_print_table(FILE *out, int ncols, const char *const *names, const SdbOid *types, size_t nrows,
                          char *const *cells)
{
    int *w = calloc((size_t)ncols + 1, sizeof *w);
    if (w == NULL)
        return;
    for (int c = 0; c < ncols; c++) {
        w[c] = width(names[c]);
        for (size_t r = 0; r < nrows; r++) {
            const char *v = cells[r * (size_t)ncols + (size_t)c];
            int cw = v ? width(v) : 0;
            if (cw > w[c])
                w[c] = cw;
        }
    }
    if (ncols == 0)
        fputs("--", out);
    for (int c = 0; c < ncols; c++) {
        int hw = width(names[c]);
        int left = (w[c] - hw) / 2;
        fputs(c ? "|" : "", out);
        pad(out, 1 + left);
        fputs(names[c], out);
        pad(out, w[c] - hw - left + 1);
    }
    fputc('\n', out);
    for (int c = 0; c < ncols; c++) {
        fputs(c ? "+" : "", out);
        for (int i = 0; i < w[c] + 2; i++)
            fputc('-', out);
    }
    if (ncols)
        fputc('\n', out);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++) {
            const char *v = cells[r * (size_t)ncols + (size_t)c];
            if (v == NULL)
                v = "";
            int vw = width(v);
            bool last = c == ncols - 1;
            fputs(c ? "|" : "", out);
            fputc(' ', out);
            if (right_aligned(types[c])) {
                pad(out, w[c] - vw);
                fputs(v, out);
                if (!last)
                    fputc(' ', out);
            } else {
                fputs(v, out);
                if (!last)
                    pad(out, w[c] - vw + 1);
            }
        }
        fputc('\n', out);
    }
    fprintf(out, "(%zu row%s)\n\n", nrows, nrows == 1 ? "" : "s");
    free(w);
}


/* psql's "LINE n: text" and caret under the error position (a character
 * offset into the query). */
void sdb_psql_print_position(FILE *err, const char *sql, int position)
{
    const char *p = sql;
    int line = 1;
    const char *line_start = sql;
    for (int i = 1; i < position && *p; i++) {
        if (*p == '\n') {
            line++;
            line_start = p + 1;
        }
        p += sdb_utf8_char_bytes(p) > 0 ? sdb_utf8_char_bytes(p) : 1;
    }
    const char *line_end = strchr(line_start, '\n');
    size_t len = line_end ? (size_t)(line_end - line_start) : strlen(line_start);
    if (len > 0 && line_start[len - 1] == '\r')
        len--;
    char prefix[32];
    int n = snprintf(prefix, sizeof prefix, "LINE %d: ", line);
    fprintf(err, "%s%.*s\n", prefix, (int)len, line_start);
    int column = sdb_utf8_char_count(line_start, (size_t)(p - line_start));
    pad(err, n + column);
    fputs("^\n", err);
}


/* --- splitting a script into statements ----------------------------------- */


static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}


int sdb_sql_split_line(SdbSqlSplitter *sp, const char *line, SdbSqlEmitFn emit, void *arg)
{
    size_t n = strlen(line);
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        char next = i + 1 < n ? line[i + 1] : '\0';
        if (sp->comment_depth > 0) {
            if (c == '*' && next == '/') {
                sp->comment_depth--;
                sdb_str_append(&sp->buf, line + i, 2);
                i++;
                continue;
            }
            if (c == '/' && next == '*') {
                sp->comment_depth++;
                sdb_str_append(&sp->buf, line + i, 2);
                i++;
                continue;
            }
        } else if (sp->in_quote) {
            if (sp->in_escape_quote && c == '\\' && next) {
                sdb_str_append(&sp->buf, line + i, 2);
                i++;
                continue;
            }
            if (c == '\'')
                sp->in_quote = false;
        } else if (sp->in_ident) {
            if (c == '"')
                sp->in_ident = false;
        } else if (sp->dollar_tag) {
            size_t tl = strlen(sp->dollar_tag);
            if (c == '$' && strncmp(line + i, sp->dollar_tag, tl) == 0) {
                sdb_str_append(&sp->buf, line + i, tl);
                i += tl - 1;
                sp->dollar_tag = NULL;
                continue;
            }
        } else if (c == '-' && next == '-') {
            break; /* a line comment: drop the rest of the line */
        } else if (c == '/' && next == '*') {
            sp->comment_depth = 1;
            sdb_str_append(&sp->buf, line + i, 2);
            i++;
            continue;
        } else if (c == '\'') {
            sp->in_quote = true;
            sp->in_escape_quote = i > 0 && (line[i - 1] == 'E' || line[i - 1] == 'e') &&
                                  (i == 1 || !ident_char(line[i - 2]));
        } else if (c == '"') {
            sp->in_ident = true;
        } else if (c == '$' && (i == 0 || !ident_char(line[i - 1]))) {
            size_t j = i + 1;
            while (j < n && ident_char(line[j]) && !(line[j] >= '0' && line[j] <= '9' && j == i + 1))
                j++;
            if (j < n && line[j] == '$') {
                sp->dollar_tag = sdb_arena_strndup(sp->buf.arena, line + i, j - i + 1);
                sdb_str_append(&sp->buf, line + i, j - i + 1);
                i = j;
                continue;
            }
        } else if (c == '(') {
            sp->paren++;
        } else if (c == ')') {
            if (sp->paren > 0)
                sp->paren--;
        } else if (c == ';' && sp->paren == 0) {
            sdb_str_append_char(&sp->buf, ';');
            int rc = emit(arg, sp->buf.data);
            sdb_str_reset(&sp->buf);
            if (rc != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        sdb_str_append_char(&sp->buf, c);
    }
    if (n && line[n - 1] == '\n' && sp->buf.len && sp->buf.data[sp->buf.len - 1] != '\n')
        sdb_str_append_char(&sp->buf, '\n');
    return SDB_OK;
}

bool sdb_sql_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}


bool sdb_sql_splitter_idle(const SdbSqlSplitter *sp)
{
    return sdb_sql_blank(sp->buf.data) && !sp->in_quote && !sp->in_ident && !sp->dollar_tag && !sp->comment_depth;
}
