/*
 * session/copy.c: COPY between tables and server-side files, in PostgreSQL's
 * text and CSV formats (options FORMAT, HEADER, DELIMITER, NULL, QUOTE,
 * ESCAPE).
 *
 *   COPY t [(cols)] FROM 'file'   each line's fields are converted with the
 *                                 columns' input functions and inserted
 *                                 through an INSERT ... VALUES ($1 ...) plan,
 *                                 so defaults, CHECK, NOT NULL, unique and
 *                                 foreign keys behave as for INSERT; errors
 *                                 carry "CONTEXT: COPY t, line N".
 *   COPY t [(cols)] TO 'file'     through SELECT cols FROM t
 *   COPY (query) TO 'file'
 *
 * COPY FROM STDIN and TO STDOUT exchange the data with the client through
 * the sink's copy_in/copy_out.  Input is read whole (file or client data).
 * A relative path is relative to the process's working directory.  The
 * binary format is not supported yet (0A000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "expr/eval.h"
#include "session/copy_format.h"
#include "session/session_int.h"
#include "sql/parser.h"
#include "types/typeio.h"


static const char *option_value(const SdbDefElem *opt)
{
    if (SDB_IS_A(opt->arg, A_CONST))
        return ((const SdbAConst *)opt->arg)->val;
    if (SDB_IS_A(opt->arg, STRING))
        return ((const SdbString *)opt->arg)->sval;
    return NULL;
}

static bool option_true(const SdbDefElem *opt)
{
    const char *v = option_value(opt);
    return v == NULL || !(sdb_strcasecmp_ascii(v, "false") == 0 || sdb_strcasecmp_ascii(v, "off") == 0 ||
                          strcmp(v, "0") == 0);
}

static int one_byte(const SdbDefElem *opt, const char *what, char *out)
{
    const char *v = option_value(opt);
    if (v == NULL || strlen(v) != 1)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "COPY %s must be a single one-byte character", what);
    *out = v[0];
    return SDB_OK;
}

static int parse_options(const SdbList *options, SdbCopyFormat *o)
{
    bool have_delimiter = false, have_null = false, have_quote = false, have_escape = false;
    for (int i = 0; i < sdb_list_length(options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(options, i);
        const char *name = opt->defname;
        int rc = SDB_OK;
        if (strcmp(name, "format") == 0) {
            const char *v = option_value(opt);
            if (v && sdb_strcasecmp_ascii(v, "csv") == 0)
                o->csv = true;
            else if (v && sdb_strcasecmp_ascii(v, "binary") == 0)
                rc = sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "COPY BINARY");
            else if (v == NULL || sdb_strcasecmp_ascii(v, "text") != 0)
                rc = sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "COPY format \"%s\" not recognized", v ? v : "");
        } else if (strcmp(name, "csv") == 0) {
            o->csv = true;
        } else if (strcmp(name, "header") == 0) {
            o->header = option_true(opt);
        } else if (strcmp(name, "delimiter") == 0) {
            rc = one_byte(opt, "delimiter", &o->delimiter);
            have_delimiter = true;
        } else if (strcmp(name, "null") == 0) {
            o->null_string = option_value(opt);
            have_null = true;
        } else if (strcmp(name, "quote") == 0) {
            rc = one_byte(opt, "quote", &o->quote);
            have_quote = true;
        } else if (strcmp(name, "escape") == 0) {
            rc = one_byte(opt, "escape", &o->escape);
            have_escape = true;
        } else {
            rc = sdb_error(SDB_ERR_SYNTAX_ERROR, "option \"%s\" not recognized", name);
        }
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    if (!o->csv && (have_quote || have_escape))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "COPY %s available only in CSV mode",
                         have_quote ? "quote" : "escape");
    if (!have_delimiter)
        o->delimiter = o->csv ? ',' : '\t';
    if (!have_null)
        o->null_string = o->csv ? "" : "\\N";
    if (!have_quote)
        o->quote = '"';
    if (!have_escape)
        o->escape = o->quote;
    if (o->null_string == NULL)
        o->null_string = "";
    return SDB_OK;
}

/* --- COPY FROM ----------------------------------------------------------- */

static int quote_ident(SdbStr *out, const char *name)
{
    if (sdb_str_append_char(out, '"') != SDB_OK)
        return SDB_ERROR;
    for (const char *p = name; *p; p++)
        if ((*p == '"' && sdb_str_append_char(out, '"') != SDB_OK) || sdb_str_append_char(out, *p) != SDB_OK)
            return SDB_ERROR;
    return sdb_str_append_char(out, '"');
}

/* The attribute indexes COPY's column list names (all visible columns
 * when it is empty): 42703 for an unknown name, 42701 for a repeated one. */
static int copy_columns(SdbStatement *st, const SdbRelation *rel, const SdbList *attlist, int **cols, int *ncols)
{
    int n = attlist ? sdb_list_length(attlist) : rel->natts;
    int *out = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *out);
    if (out == NULL)
        return SDB_ERROR;
    int k = 0;
    if (attlist == NULL) {
        for (int i = 0; i < rel->natts; i++)
            if (!rel->attrs[i].dropped)
                out[k++] = i;
    } else {
        for (int j = 0; j < n; j++) {
            const char *name = ((const SdbString *)sdb_list_nth(attlist, j))->sval;
            int found = -1;
            for (int i = 0; i < rel->natts && found < 0; i++)
                if (!rel->attrs[i].dropped && strcmp(rel->attrs[i].name, name) == 0)
                    found = i;
            if (found < 0)
                return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", name,
                                 rel->name);
            for (int i = 0; i < k; i++)
                if (out[i] == found)
                    return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" specified more than once", name);
            out[k++] = found;
        }
    }
    *cols = out;
    *ncols = k;
    return SDB_OK;
}

/* "INSERT INTO "s"."t" ("a", "b") VALUES ($1, $2)", parsed. */
static int insert_statement(SdbStatement *st, const SdbRelation *rel, const int *cols, int ncols, char **sql,
                            SdbNode **stmt)
{
    SdbStr text;
    sdb_str_init(&text, st->expr.arena);
    int rc = sdb_str_append_cstr(&text, "INSERT INTO ");
    rc |= quote_ident(&text, rel->namespace_name);
    rc |= sdb_str_append_char(&text, '.');
    rc |= quote_ident(&text, rel->name);
    rc |= sdb_str_append_cstr(&text, " (");
    for (int i = 0; i < ncols; i++) {
        rc |= i ? sdb_str_append_cstr(&text, ", ") : SDB_OK;
        rc |= quote_ident(&text, rel->attrs[cols[i]].name);
    }
    rc |= sdb_str_append_cstr(&text, ") VALUES (");
    for (int i = 0; i < ncols; i++)
        rc |= sdb_str_appendf(&text, "%s$%d", i ? ", " : "", i + 1);
    rc |= sdb_str_append_char(&text, ')');
    SdbParseResult parsed;
    if (rc != SDB_OK || sdb_parse(st->expr.arena, text.data, text.len, &parsed) != SDB_OK)
        return SDB_ERROR;
    *sql = text.data;
    *stmt = ((SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    return SDB_OK;
}

/* Convert and insert one line's fields. */
static int insert_row(SdbStatement *st, const SdbRelation *rel, const int *cols, int ncols, const char *sql,
                      const SdbNode *stmt, char **fields, long line, SdbArena *arena)
{
    SdbDatum *values = sdb_arena_calloc(arena, (size_t)ncols, sizeof *values);
    bool *nulls = sdb_arena_calloc(arena, (size_t)ncols, sizeof *nulls);
    SdbOid *types = sdb_arena_calloc(arena, (size_t)ncols, sizeof *types);
    if (values == NULL || nulls == NULL || types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        const SdbAttribute *att = &rel->attrs[cols[i]];
        types[i] = att->type;
        nulls[i] = fields[i] == NULL;
        if (nulls[i])
            continue;
        SdbTypeCtx tc = {.arena = arena, .timezone = st->expr.timezone, .now = st->expr.xact_start,
                         .typid = att->type, .typmod = att->typmod};
        if (sdb_type_input(&tc, fields[i], &values[i]) != SDB_OK) {
            sdb_error_context("COPY %s, line %ld, column %s: \"%s\"", rel->name, line, att->name, fields[i]);
            return SDB_ERROR;
        }
    }
    SdbStatement row = *st;
    row.sql = sql;
    row.text = sql;
    row.sink = NULL;
    row.expr.arena = arena;
    row.nparams = ncols;
    row.param_types = types;
    row.params = values;
    row.param_nulls = nulls;
    return sdb_session_run_plan(&row, stmt, 0, NULL, NULL);
}

/* COPY FROM STDIN: all of the client's data. */
static int client_data(SdbStatement *st, int ncols, SdbCopyInput *in)
{
    SdbStr data;
    sdb_str_init(&data, st->expr.arena);
    for (bool done = false; !done;)
        if (st->sink->copy_in(st->sink->arg, ncols, &data, &done) != SDB_OK)
            return SDB_ERROR;
    *in = (SdbCopyInput){.data = data.data ? data.data : "", .len = data.len};
    return SDB_OK;
}

static int copy_from(SdbStatement *st, const SdbCopyStmt *cs, const SdbCopyFormat *o)
{
    const SdbRelation *rel;
    int *cols, ncols;
    char *sql;
    SdbNode *stmt;
    SdbCopyInput in;
    if (sdb_utility_relation(st, cs->relation, &rel) != SDB_OK ||
        copy_columns(st, rel, cs->attlist, &cols, &ncols) != SDB_OK ||
        insert_statement(st, rel, cols, ncols, &sql, &stmt) != SDB_OK)
        return SDB_ERROR;
    int read = cs->filename ? sdb_copy_read_file(st->expr.arena, cs->filename, &in)
                            : client_data(st, ncols, &in);
    if (read != SDB_OK)
        return SDB_ERROR;
    SdbArena *arena = sdb_arena_create(st->expr.arena, "copy row", 0);
    if (arena == NULL)
        return SDB_ERROR;
    uint64_t count = 0;
    int rc = SDB_OK;
    for (bool first = true;; first = false) {
        sdb_arena_reset(arena);
        char **fields = NULL;
        int nfields = -1;
        rc = sdb_copy_read_line(&in, o, arena, &fields, &nfields);
        if (rc != SDB_OK || nfields < 0)
            break;
        if (first && o->header)
            continue;
        if (nfields > ncols)
            rc = sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
        else if (nfields < ncols)
            rc = sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"",
                           rel->attrs[cols[nfields]].name);
        else if (ncols == 0 && nfields == 1 && fields[0] && fields[0][0] == '\0')
            rc = SDB_OK;
        else
            rc = insert_row(st, rel, cols, ncols, sql, stmt, fields, in.line, arena);
        if (rc != SDB_OK)
            break;
        count++;
    }
    if (rc != SDB_OK && sdb_error_last()->context[0] == '\0')
        sdb_error_context("COPY %s, line %ld", rel->name, in.line);
    sdb_arena_destroy(arena);
    if (rc != SDB_OK)
        return SDB_ERROR;
    char tag[64];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)count);
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
}

/* --- COPY TO ------------------------------------------------------------- */

typedef struct CopyOut {
    SdbStatement *st;
    const SdbCopyFormat *o;
    FILE *file;
    const char *path;
    int ncols;
    SdbOid *types;
    uint64_t rows;
    SdbStr line;
} CopyOut;

static int write_field(CopyOut *c, const char *v)
{
    return sdb_copy_write_field(&c->line, v, c->o);
}

static int flush_line(CopyOut *c)
{
    if (sdb_str_append_char(&c->line, '\n') != SDB_OK)
        return SDB_ERROR;
    if (c->file == NULL) {
        const SdbResultSink *client = c->st->sink;
        if (client->copy_out(client->arg, c->ncols, c->line.data, c->line.len) != SDB_OK)
            return SDB_ERROR;
    } else if (fwrite(c->line.data, 1, c->line.len, c->file) != c->line.len) {
        return sdb_error_errno(errno, "could not write to file \"%s\"", c->path);
    }
    sdb_str_reset(&c->line);
    return SDB_OK;
}

static int out_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    CopyOut *c = arg;
    c->ncols = ncols;
    c->types = sdb_arena_calloc(c->st->expr.arena, (size_t)ncols + 1, sizeof *c->types);
    if (c->types == NULL)
        return SDB_ERROR;
    const SdbResultSink *client = c->st->sink;
    if (c->file == NULL && client->copy_out(client->arg, ncols, NULL, 0) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++)
        c->types[i] = cols[i].type;
    if (!c->o->header)
        return SDB_OK;
    for (int i = 0; i < ncols; i++) {
        if (i && sdb_str_append_char(&c->line, c->o->delimiter) != SDB_OK)
            return SDB_ERROR;
        if (write_field(c, cols[i].name) != SDB_OK)
            return SDB_ERROR;
    }
    return flush_line(c);
}

static int out_rows(void *arg, const SdbBatch *batch)
{
    CopyOut *c = arg;
    SdbStr value;
    sdb_str_init(&value, c->st->expr.arena);
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        for (int col = 0; col < batch->ncols; col++) {
            if (col && sdb_str_append_char(&c->line, c->o->delimiter) != SDB_OK)
                return SDB_ERROR;
            if (sdb_vector_is_null(&batch->cols[col], row)) {
                if (sdb_str_append_cstr(&c->line, c->o->null_string) != SDB_OK)
                    return SDB_ERROR;
                continue;
            }
            sdb_str_reset(&value);
            if (sdb_expr_output(&c->st->expr, c->types[col], batch->cols[col].values[row], &value) != SDB_OK ||
                write_field(c, value.data) != SDB_OK)
                return SDB_ERROR;
        }
        if (flush_line(c) != SDB_OK)
            return SDB_ERROR;
        c->rows++;
    }
    return SDB_OK;
}

/* SELECT cols FROM t, for COPY t TO. */
static int select_statement(SdbStatement *st, const SdbCopyStmt *cs, const char **sql, const SdbNode **stmt)
{
    const SdbRelation *rel;
    int *cols, ncols;
    if (sdb_utility_relation(st, cs->relation, &rel) != SDB_OK ||
        copy_columns(st, rel, cs->attlist, &cols, &ncols) != SDB_OK)
        return SDB_ERROR;
    SdbStr text;
    sdb_str_init(&text, st->expr.arena);
    int rc = sdb_str_append_cstr(&text, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        rc |= i ? sdb_str_append_cstr(&text, ", ") : SDB_OK;
        rc |= quote_ident(&text, rel->attrs[cols[i]].name);
    }
    rc |= sdb_str_append_cstr(&text, " FROM ");
    rc |= quote_ident(&text, rel->namespace_name);
    rc |= sdb_str_append_char(&text, '.');
    rc |= quote_ident(&text, rel->name);
    SdbParseResult parsed;
    if (rc != SDB_OK || sdb_parse(st->expr.arena, text.data, text.len, &parsed) != SDB_OK)
        return SDB_ERROR;
    *sql = text.data;
    *stmt = ((SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    return SDB_OK;
}

static int copy_to(SdbStatement *st, const SdbCopyStmt *cs, const SdbCopyFormat *o)
{
    const char *sql = st->sql;
    const SdbNode *stmt = cs->query;
    if (stmt == NULL && select_statement(st, cs, &sql, &stmt) != SDB_OK)
        return SDB_ERROR;
    CopyOut c = {.st = st, .o = o, .path = cs->filename};
    sdb_str_init(&c.line, st->expr.arena);
    if (cs->filename && (c.file = fopen(cs->filename, "wb")) == NULL) {
        sdb_error_errno(errno, "could not open file \"%s\" for writing", cs->filename);
        return SDB_ERROR;
    }
    SdbResultSink sink = {.arg = &c, .describe = out_describe, .rows = out_rows};
    SdbStatement run = *st;
    run.sql = sql;
    run.sink = &sink;
    int rc = sdb_session_run_plan(&run, stmt, 0, NULL, NULL);
    if (c.file && fclose(c.file) != 0 && rc == SDB_OK)
        rc = sdb_error_errno(errno, "could not close file \"%s\"", cs->filename);
    if (rc != SDB_OK)
        return SDB_ERROR;
    char tag[64];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)c.rows);
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
}

int sdb_copy_statement(SdbStatement *st, const SdbCopyStmt *cs)
{
    SdbCopyFormat o = {0};
    if (parse_options(cs->options, &o) != SDB_OK)
        return SDB_ERROR;
    const SdbResultSink *sink = st->sink;
    if (cs->filename == NULL && (sink == NULL || (cs->is_from ? sink->copy_in == NULL : sink->copy_out == NULL)))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED,
                         cs->is_from ? "COPY FROM STDIN" : "COPY TO STDOUT");
    if (cs->where_clause)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "COPY FROM ... WHERE");
    return cs->is_from ? copy_from(st, cs, &o) : copy_to(st, cs, &o);
}
