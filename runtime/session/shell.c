/*
 * session/shell.c: `specdb sql` (see shell.h): input splitting, the psql
 * aligned table printer, psql's error display (with the LINE/caret lines
 * for an error position) and the raw format for test drivers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/utf8.h"
#include "sdb_types.h"
#include "session/shell.h"

/* --- one result set ------------------------------------------------------ */

typedef struct Printer {
    SdbSession *s;
    const SdbShellOptions *opts;
    FILE *out, *err;
    SdbArena *arena;      /* reset per statement */
    const char *where;    /* "specdb:FILE:LINE: " before errors, or "" */
    bool described;
    int ncols;
    const char **names;
    SdbOid *types;
    char **cells;         /* rows * ncols, NULL for NULL */
    size_t nrows, cap;
} Printer;

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

static void escape_raw(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '\\': fputs("\\\\", out); break;
        case '\t': fputs("\\t", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        default: fputc(*p, out);
        }
    }
}

static int on_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    Printer *p = arg;
    p->described = true;
    p->ncols = ncols;
    p->nrows = p->cap = 0;
    p->cells = NULL;
    p->names = sdb_arena_calloc(p->arena, (size_t)ncols + 1, sizeof *p->names);
    p->types = sdb_arena_calloc(p->arena, (size_t)ncols + 1, sizeof *p->types);
    if (p->names == NULL || p->types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        p->names[i] = sdb_arena_strdup(p->arena, cols[i].name ? cols[i].name : "?column?");
        p->types[i] = cols[i].type;
        if (p->names[i] == NULL)
            return SDB_ERROR;
    }
    if (p->opts->raw) {
        fputc('D', p->out);
        for (int i = 0; i < ncols; i++) {
            fprintf(p->out, "\t%u ", (unsigned)p->types[i]);
            escape_raw(p->out, p->names[i]);
        }
        fputc('\n', p->out);
    }
    return SDB_OK;
}

static int on_rows(void *arg, const SdbBatch *batch)
{
    Printer *p = arg;
    SdbStr text;
    sdb_str_init(&text, p->arena);
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        if (p->opts->raw)
            fputc('R', p->out);
        else if (p->nrows == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 64;
            char **grown = sdb_arena_calloc(p->arena, cap * (size_t)(p->ncols ? p->ncols : 1), sizeof *grown);
            if (grown == NULL)
                return SDB_ERROR;
            if (p->cells)
                memcpy(grown, p->cells, p->nrows * (size_t)p->ncols * sizeof *grown);
            p->cells = grown;
            p->cap = cap;
        }
        for (int c = 0; c < p->ncols; c++) {
            char *value = NULL;
            if (!sdb_vector_is_null(&batch->cols[c], row)) {
                sdb_str_init(&text, p->arena);
                if (sdb_session_output_text(p->s, p->types[c], batch->cols[c].values[row], &text) != SDB_OK ||
                    sdb_str_append(&text, "", 0) != SDB_OK)
                    return SDB_ERROR;
                value = text.data;
            }
            if (p->opts->raw) {
                fputc('\t', p->out);
                if (value)
                    escape_raw(p->out, value);
                else
                    fputs("\\N", p->out);
            } else {
                p->cells[p->nrows * (size_t)p->ncols + (size_t)c] = value;
            }
        }
        if (p->opts->raw)
            fputc('\n', p->out);
        else
            p->nrows++;
    }
    return SDB_OK;
}

static void pad(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* psql's aligned format: centered headers, a dashed rule, numbers right
 * aligned, "(N rows)" and an empty line. */
static void print_table(Printer *p)
{
    int *w = calloc((size_t)p->ncols + 1, sizeof *w);
    if (w == NULL)
        return;
    for (int c = 0; c < p->ncols; c++) {
        w[c] = width(p->names[c]);
        for (size_t r = 0; r < p->nrows; r++) {
            const char *v = p->cells[r * (size_t)p->ncols + (size_t)c];
            int cw = v ? width(v) : 0;
            if (cw > w[c])
                w[c] = cw;
        }
    }
    if (p->ncols == 0)
        fputs("--", p->out);
    for (int c = 0; c < p->ncols; c++) {
        int hw = width(p->names[c]);
        int left = (w[c] - hw) / 2;
        fputs(c ? "|" : "", p->out);
        pad(p->out, 1 + left);
        fputs(p->names[c], p->out);
        pad(p->out, w[c] - hw - left + 1);
    }
    fputc('\n', p->out);
    for (int c = 0; c < p->ncols; c++) {
        fputs(c ? "+" : "", p->out);
        for (int i = 0; i < w[c] + 2; i++)
            fputc('-', p->out);
    }
    if (p->ncols)
        fputc('\n', p->out);
    for (size_t r = 0; r < p->nrows; r++) {
        for (int c = 0; c < p->ncols; c++) {
            const char *v = p->cells[r * (size_t)p->ncols + (size_t)c];
            if (v == NULL)
                v = "";
            int vw = width(v);
            bool last = c == p->ncols - 1;
            fputs(c ? "|" : "", p->out);
            fputc(' ', p->out);
            if (right_aligned(p->types[c])) {
                pad(p->out, w[c] - vw);
                fputs(v, p->out);
                if (!last)
                    fputc(' ', p->out);
            } else {
                fputs(v, p->out);
                if (!last)
                    pad(p->out, w[c] - vw + 1);
            }
        }
        fputc('\n', p->out);
    }
    fprintf(p->out, "(%zu row%s)\n\n", p->nrows, p->nrows == 1 ? "" : "s");
    free(w);
}

static int on_complete(void *arg, const char *tag)
{
    Printer *p = arg;
    if (p->opts->raw) {
        fprintf(p->out, "C\t%s\n", tag);
    } else {
        if (p->described)
            print_table(p);
        bool returning = strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
                         strncmp(tag, "DELETE", 6) == 0;
        if (!p->described || returning)
            fprintf(p->out, "%s\n", tag);
    }
    p->described = false;
    fflush(p->out);
    return SDB_OK;
}

static void on_notice(void *arg, const char *sqlstate, const char *message)
{
    Printer *p = arg;
    if (p->opts->raw) {
        fprintf(p->out, "N\t%s\t", sqlstate);
        escape_raw(p->out, message);
        fputc('\n', p->out);
        return;
    }
    const char *severity = strcmp(sqlstate, "00000") == 0 ? "NOTICE" : "WARNING";
    if (p->opts->verbose)
        fprintf(p->err, "%s%s:  %s: %s\n", p->where, severity, sqlstate, message);
    else
        fprintf(p->err, "%s%s:  %s\n", p->where, severity, message);
}

/* psql's "LINE n: text" and caret under the error position (a character
 * offset into the query). */
static void print_position(FILE *err, const char *sql, int position)
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

static void print_error(Printer *p, const char *sql)
{
    const SdbErrorData *e = sdb_error_last();
    const char *sqlstate = sdb_errcode_info(e->code)->sqlstate;
    if (p->opts->raw) {
        fprintf(p->out, "E\t%s\t", sqlstate);
        escape_raw(p->out, e->message);
        fputc('\n', p->out);
        fflush(p->out);
        return;
    }
    fflush(p->out);
    if (p->opts->verbose)
        fprintf(p->err, "%s%s:  %s: %s\n", p->where, sdb_severity_name(e->severity), sqlstate, e->message);
    else
        fprintf(p->err, "%s%s:  %s\n", p->where, sdb_severity_name(e->severity), e->message);
    if (e->position > 0 && sql)
        print_position(p->err, sql, e->position);
    if (e->detail[0])
        fprintf(p->err, "DETAIL:  %s\n", e->detail);
    if (e->hint[0])
        fprintf(p->err, "HINT:  %s\n", e->hint);
    if (e->context[0])
        fprintf(p->err, "CONTEXT:  %s\n", e->context);
    fflush(p->err);
}

/* Run one query string; SDB_OK or SDB_ERROR (printed). */
static int run_query(Printer *p, const char *sql)
{
    SdbResultSink sink = {
        .arg = p, .describe = on_describe, .rows = on_rows, .complete = on_complete, .notice = on_notice};
    sdb_arena_reset(p->arena);
    p->described = false;
    sdb_error_clear();
    if (sdb_session_execute(p->s, sql, &sink) == SDB_OK)
        return SDB_OK;
    print_error(p, sql);
    sdb_error_clear();
    return SDB_ERROR;
}

/* --- splitting a script into statements ----------------------------------- */

typedef struct Splitter {
    SdbStr buf;           /* the statement being collected */
    int paren;
    bool in_quote, in_escape_quote, in_ident;
    int comment_depth;
    char *dollar_tag;     /* inside $tag$ ... $tag$, or NULL */
} Splitter;

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* Scan `line` (with its newline) into the splitter, calling `emit` for each
 * complete statement.  Returns SDB_ERROR when emit asked to stop. */
typedef int (*EmitFn)(void *arg, const char *sql);

static int scan_line(Splitter *sp, const char *line, EmitFn emit, void *arg)
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

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

typedef struct Script {
    Printer *p;
    const char *name;
    long line;
    bool failed, stop;
} Script;

static int emit_statement(void *arg, const char *sql)
{
    Script *sc = arg;
    if (blank(sql) || strcmp(sql, ";") == 0)
        return SDB_OK;
    char where[512];
    snprintf(where, sizeof where, "specdb:%s:%ld: ", sc->name, sc->line);
    sc->p->where = where;
    int rc = run_query(sc->p, sql);
    sc->p->where = "";
    if (rc != SDB_OK) {
        sc->failed = true;
        if (sc->p->opts->on_error_stop) {
            sc->stop = true;
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* \echo and \q; false when the script should end. */
static bool meta_command(Printer *p, const char *line)
{
    if (strncmp(line, "\\q", 2) == 0 && (line[2] == '\0' || line[2] == '\n' || line[2] == ' '))
        return false;
    if (strncmp(line, "\\echo", 5) == 0 && (line[5] == ' ' || line[5] == '\n' || line[5] == '\0')) {
        const char *text = line[5] == ' ' ? line + 6 : "";
        size_t len = strcspn(text, "\n");
        fprintf(p->out, "%.*s\n", (int)len, text);
        fflush(p->out);
        return true;
    }
    fprintf(p->err, "invalid command %.*s\n", (int)strcspn(line, " \n"), line);
    return true;
}

static int run_script(Printer *p, FILE *in, const char *name)
{
    Script sc = {.p = p, .name = name};
    SdbArena *arena = sdb_arena_create(NULL, "script", 0);
    if (arena == NULL)
        return SDB_ERROR;
    Splitter sp = {0};
    sdb_str_init(&sp.buf, arena);
    char *line = NULL;
    size_t cap = 0;
    while (!sc.stop && getline(&line, &cap, in) != -1) {
        sc.line++;
        bool fresh = blank(sp.buf.data) && !sp.in_quote && !sp.in_ident && !sp.dollar_tag && !sp.comment_depth;
        if (fresh && line[strspn(line, " \t")] == '\\') {
            if (!meta_command(p, line + strspn(line, " \t")))
                break;
            continue;
        }
        if (fresh)
            sdb_str_reset(&sp.buf);
        scan_line(&sp, line, emit_statement, &sc);
    }
    if (!sc.stop && !blank(sp.buf.data))
        emit_statement(&sc, sp.buf.data);
    free(line);
    sdb_arena_destroy(arena);
    return sc.stop ? 3 : 0;
}

int sdb_shell_run(SdbSession *s, const SdbShellOptions *opts, FILE *out, FILE *err)
{
    Printer p = {.s = s, .opts = opts, .out = out, .err = err, .where = ""};
    p.arena = sdb_arena_create(NULL, "shell", 0);
    if (p.arena == NULL)
        return 1;
    int status;
    if (opts->command) {
        status = run_query(&p, opts->command) == SDB_OK ? 0 : 1;
    } else if (opts->file) {
        FILE *in = fopen(opts->file, "r");
        if (in == NULL) {
            fprintf(err, "specdb: %s: %s\n", opts->file, strerror(errno));
            sdb_arena_destroy(p.arena);
            return 1;
        }
        status = run_script(&p, in, opts->file);
        fclose(in);
    } else {
        status = run_script(&p, stdin, "<stdin>");
    }
    fflush(out);
    sdb_arena_destroy(p.arena);
    return status;
}
