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
/* The widest line of a value (psql prints a value's lines one under the
 * other). */
static int cell_width(const char *v)
{
    int widest = 0;
    while (v) {
        const char *nl = strchr(v, '\n');
        size_t len = nl ? (size_t)(nl - v) : strlen(v);
        int w = sdb_utf8_char_count(v, len);
        if (w > widest)
            widest = w;
        v = nl ? nl + 1 : NULL;
    }
    return widest;
}

/* Line `i` of value `v` into (*line, *len); false when it has no such
 * line.  *more says whether another line follows. */
static bool cell_line(const char *v, int i, const char **line, size_t *len, bool *more)
{
    for (; i > 0 && v; i--) {
        v = strchr(v, '\n');
        v = v ? v + 1 : NULL;
    }
    if (v == NULL)
        return false;
    const char *nl = strchr(v, '\n');
    *line = v;
    *len = nl ? (size_t)(nl - v) : strlen(v);
    *more = nl != NULL;
    return true;
}

static int line_count(const char *v)
{
    int n = 1;
    for (; v && *v; v++)
        n += *v == '\n';
    return n;
}

/* One physical line of a row: each cell's line `i`, "+" after a cell whose
 * value goes on. */
static void print_row_line(FILE *out, int ncols, const int *w, const SdbOid *types, char *const *row, int i)
{
    for (int c = 0; c < ncols; c++) {
        const char *line = "";
        size_t len = 0;
        bool more = false;
        cell_line(row[c] ? row[c] : "", i, &line, &len, &more);
        int vw = sdb_utf8_char_count(line, len);
        bool last = c == ncols - 1;
        fputs(c ? "|" : "", out);
        fputc(' ', out);
        if (right_aligned(types[c])) {
            pad(out, w[c] - vw);
            fwrite(line, 1, len, out);
        } else {
            fwrite(line, 1, len, out);
            if (!last || more)
                pad(out, w[c] - vw);
        }
        if (more)
            fputc('+', out);
        else if (!last)
            fputc(' ', out);
    }
    fputc('\n', out);
}

void sdb_psql_print_table(FILE *out, int ncols, const char *const *names, const SdbOid *types, size_t nrows,
                          char *const *cells)
{
    int *w = calloc((size_t)ncols + 1, sizeof *w);
    if (w == NULL)
        return;
    for (int c = 0; c < ncols; c++) {
        w[c] = width(names[c]);
        for (size_t r = 0; r < nrows; r++) {
            int cw = cell_width(cells[r * (size_t)ncols + (size_t)c]);
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
        char *const *row = cells + r * (size_t)ncols;
        int lines = 1;
        for (int c = 0; c < ncols; c++)
            if (line_count(row[c]) > lines)
                lines = line_count(row[c]);
        for (int i = 0; i < lines; i++)
            print_row_line(out, ncols, w, types, row, i);
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
