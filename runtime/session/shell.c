/*
 * session/shell.c: `specdb sql` (see shell.h): a sink that collects each
 * result and prints it as psql does (psql_format.c) or in the raw format,
 * psql's error and warning display, scripts fed statement by statement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "session/psql_format.h"
#include "session/shell.h"

/* --- one result set ------------------------------------------------------ */

typedef struct Printer {
    SdbSession *s;
    const SdbShellOptions *opts;
    FILE *out, *err;
    SdbArena *arena;      /* reset per statement */
    const char *where;    /* "specdb:FILE:LINE: " before errors, or "" */
    FILE *in;             /* where COPY FROM STDIN data comes from (the script, or stdin for -c) */
    long *line;           /* the script's line counter (COPY data lines count), or NULL */
    bool described;
    int ncols;
    const char **names;
    SdbOid *types;
    char **cells;         /* rows * ncols, NULL for NULL */
    size_t nrows, cap;
} Printer;

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

static int on_complete(void *arg, const char *tag)
{
    Printer *p = arg;
    if (p->opts->raw) {
        fprintf(p->out, "C\t%s\n", tag);
    } else {
        if (p->described)
            sdb_psql_print_table(p->out, p->ncols, p->names, p->types, p->nrows, p->cells);
        bool returning = strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
                         strncmp(tag, "DELETE", 6) == 0;
        if (!p->described || returning)
            fprintf(p->out, "%s\n", tag);
    }
    p->described = false;
    fflush(p->out);
    return SDB_OK;
}

/* COPY FROM STDIN: the lines that follow, up to "\." or the end of input
 * (as psql reads them). */
static int on_copy_in(void *arg, int ncols, SdbStr *data, bool *done)
{
    Printer *p = arg;
    (void)ncols;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    *done = true;
    while ((n = getline(&line, &cap, p->in)) != -1) {
        if (p->line)
            (*p->line)++;
        if (strcmp(line, "\\.\n") == 0 || strcmp(line, "\\.") == 0 || strcmp(line, "\\.\r\n") == 0)
            break;
        if (sdb_str_append(data, line, (size_t)n) != SDB_OK) {
            free(line);
            return SDB_ERROR;
        }
    }
    free(line);
    return SDB_OK;
}

/* COPY TO STDOUT: the rows as they come. */
static int on_copy_out(void *arg, int ncols, const char *data, size_t len)
{
    Printer *p = arg;
    (void)ncols;
    if (data && !p->opts->raw)
        fwrite(data, 1, len, p->out);
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
    const char *severity = sdb_notice_severity(sqlstate);
    if (p->opts->verbose)
        fprintf(p->err, "%s%s:  %s: %s\n", p->where, severity, sqlstate, message);
    else
        fprintf(p->err, "%s%s:  %s\n", p->where, severity, message);
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
        sdb_psql_print_position(p->err, sql, e->position);
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
        .arg = p, .describe = on_describe, .rows = on_rows, .complete = on_complete, .notice = on_notice,
        .copy_in = on_copy_in, .copy_out = on_copy_out};
    sdb_arena_reset(p->arena);
    p->described = false;
    sdb_error_clear();
    if (sdb_session_execute(p->s, sql, &sink) == SDB_OK)
        return SDB_OK;
    print_error(p, sql);
    sdb_error_clear();
    return SDB_ERROR;
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
    if (sdb_sql_blank(sql) || strcmp(sql, ";") == 0)
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
    p->in = in;
    p->line = &sc.line;
    SdbArena *arena = sdb_arena_create(NULL, "script", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbSqlSplitter sp = {0};
    sdb_str_init(&sp.buf, arena);
    char *line = NULL;
    size_t cap = 0;
    while (!sc.stop && getline(&line, &cap, in) != -1) {
        sc.line++;
        bool fresh = sdb_sql_splitter_idle(&sp);
        if (fresh && line[strspn(line, " \t")] == '\\') {
            if (!meta_command(p, line + strspn(line, " \t")))
                break;
            continue;
        }
        if (fresh)
            sdb_str_reset(&sp.buf);
        sdb_sql_split_line(&sp, line, emit_statement, &sc);
    }
    if (!sc.stop && !sdb_sql_blank(sp.buf.data))
        emit_statement(&sc, sp.buf.data);
    free(line);
    sdb_arena_destroy(arena);
    return sc.stop ? 3 : 0;
}

int sdb_shell_run(SdbSession *s, const SdbShellOptions *opts, FILE *out, FILE *err)
{
    Printer p = {.s = s, .opts = opts, .out = out, .err = err, .where = "", .in = stdin};
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
