/*
 * session/copy.c: COPY between tables and server-side files or the client,
 * in PostgreSQL's text, CSV and binary formats (options FORMAT, HEADER,
 * DELIMITER, NULL, QUOTE, ESCAPE, FORCE_QUOTE, FORCE_NOT_NULL, FORCE_NULL,
 * FREEZE).
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
 * the sink's copy_begin/copy_in/copy_out.  Input (file or client data) is
 * streamed: only a window of about one record is held.  A relative path is
 * relative to the process's working directory.  FREEZE is accepted and does
 * nothing (rows are visible by MVCC as usual).
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

/* A COPY's options: the format and the FORCE_* column lists (a list of
 * names, or A_STAR for FORCE_QUOTE *), resolved once the columns are known. */
typedef struct CopyOptions {
    SdbCopyFormat f;
    bool header_match; /* HEADER MATCH (COPY FROM): the header names the columns */
    const SdbNode *force_quote, *force_not_null, *force_null;
} CopyOptions;

static int check_force(const CopyOptions *o, const SdbNode *list, const char *what, bool want_from, bool is_from)
{
    if (list == NULL)
        return SDB_OK;
    if (!o->f.csv)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "COPY %s available only in CSV mode", what);
    if (want_from != is_from)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "COPY %s only available using COPY %s", what,
                         want_from ? "FROM" : "TO");
    return SDB_OK;
}

/* HEADER [true | false | MATCH]. */
static int header_option(const SdbDefElem *opt, bool is_from, CopyOptions *co)
{
    const char *v = option_value(opt);
    if (v && sdb_strcasecmp_ascii(v, "match") == 0) {
        if (!is_from)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "cannot use \"%s\" with HEADER in COPY TO", v);
        co->f.header = co->header_match = true;
        return SDB_OK;
    }
    static const char *const words[] = {"true", "false", "on", "off", "1", "0"};
    bool known = v == NULL;
    for (size_t i = 0; i < sizeof words / sizeof words[0] && !known; i++)
        known = sdb_strcasecmp_ascii(v, words[i]) == 0;
    if (!known)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "%s requires a Boolean value or \"match\"", opt->defname);
    co->f.header = option_true(opt);
    return SDB_OK;
}

static int parse_options(const SdbList *options, bool is_from, CopyOptions *co)
{
    SdbCopyFormat *o = &co->f;
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
                o->binary = true;
            else if (v == NULL || sdb_strcasecmp_ascii(v, "text") != 0)
                rc = sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "COPY format \"%s\" not recognized", v ? v : "");
        } else if (strcmp(name, "csv") == 0) {
            o->csv = true;
        } else if (strcmp(name, "binary") == 0) {
            o->binary = option_true(opt);
        } else if (strcmp(name, "freeze") == 0) {
            (void)option_true(opt);
        } else if (strcmp(name, "header") == 0) {
            rc = header_option(opt, is_from, co);
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
        } else if (strcmp(name, "force_quote") == 0) {
            co->force_quote = opt->arg;
        } else if (strcmp(name, "force_not_null") == 0) {
            co->force_not_null = opt->arg;
        } else if (strcmp(name, "force_null") == 0) {
            co->force_null = opt->arg;
        } else if (strcmp(name, "encoding") == 0) {
            const char *v = option_value(opt);
            if (v == NULL || !(sdb_strcasecmp_ascii(v, "utf8") == 0 || sdb_strcasecmp_ascii(v, "utf-8") == 0))
                rc = sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "argument to option \"encoding\" must be a valid "
                                                                 "encoding name");
        } else {
            rc = sdb_error(SDB_ERR_SYNTAX_ERROR, "option \"%s\" not recognized", name);
        }
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    if (o->binary && o->csv)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "conflicting or redundant options");
    if (o->binary && have_delimiter)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "cannot specify DELIMITER in BINARY mode");
    if (o->binary && have_null)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "cannot specify NULL in BINARY mode");
    if (o->binary && o->header)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot specify HEADER in BINARY mode");
    if (!o->csv && (have_quote || have_escape))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "COPY %s available only in CSV mode",
                         have_quote ? "quote" : "escape");
    if (check_force(co, co->force_quote, "force quote", false, is_from) != SDB_OK ||
        check_force(co, co->force_not_null, "force not null", true, is_from) != SDB_OK ||
        check_force(co, co->force_null, "force null", true, is_from) != SDB_OK)
        return SDB_ERROR;
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

/* A FORCE_* list as one flag per COPY column (NULL when not given); 42P10
 * for a name that is not one of the COPY's columns. */
static int force_flags(SdbArena *arena, const SdbNode *list, const char *option, const SdbRelation *rel, int ncols,
                       const char *const *names, const bool **out)
{
    *out = NULL;
    if (list == NULL)
        return SDB_OK;
    bool *flags = sdb_arena_calloc(arena, (size_t)ncols + 1, sizeof *flags);
    if (flags == NULL)
        return SDB_ERROR;
    bool all = SDB_IS_A(list, A_STAR);
    const SdbList *items = all ? NULL : (const SdbList *)list;
    for (int i = 0; i < ncols; i++)
        flags[i] = all;
    for (int j = 0; j < sdb_list_length(items); j++) {
        const SdbNode *item = sdb_list_nth(items, j);
        const char *name = SDB_IS_A(item, STRING) ? ((const SdbString *)item)->sval : ((const SdbAConst *)item)->val;
        int found = -1;
        for (int i = 0; i < ncols && found < 0; i++)
            if (strcmp(names[i], name) == 0)
                found = i;
        bool in_rel = false;
        for (int i = 0; rel && i < rel->natts; i++)
            in_rel |= !rel->attrs[i].dropped && strcmp(rel->attrs[i].name, name) == 0;
        if (found < 0 && in_rel)
            return sdb_error(SDB_ERR_INVALID_COLUMN_REFERENCE, "%s column \"%s\" not referenced by COPY", option,
                             name);
        if (found < 0 && rel)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", name,
                             rel->name);
        if (found < 0)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" does not exist", name);
        flags[found] = true;
    }
    *out = flags;
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

/* One record's values for the INSERT plan. */
typedef struct CopyRow {
    SdbDatum *values;
    bool *nulls;
    SdbOid *types;
} CopyRow;

/* What COPY FROM keeps for every record. */
typedef struct CopyFrom {
    SdbStatement *st;
    const SdbRelation *rel;
    const int *cols;
    int ncols;
    const char *sql;
    const SdbNode *stmt;
    const SdbCopyFormat *f;
    bool header_match;
    SdbArena *arena;   /* one record's values; reset per record */
    SdbCopyInput in;
    bool have_record;  /* a text/CSV record was read: errors show it */
} CopyFrom;

#define MAX_COPY_DATA_DISPLAY 100

/* At most MAX_COPY_DATA_DISPLAY bytes of a value or line (cut at a
 * character boundary, "..." added), as PostgreSQL shows it in CONTEXT. */
static const char *printout(SdbArena *arena, const char *s, size_t len)
{
    if (len <= MAX_COPY_DATA_DISPLAY)
        return sdb_arena_strndup(arena, s, len);
    size_t cut = MAX_COPY_DATA_DISPLAY;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    SdbStr out;
    sdb_str_init(&out, arena);
    if (sdb_str_append(&out, s, cut) != SDB_OK || sdb_str_append_cstr(&out, "...") != SDB_OK)
        return NULL;
    return out.data;
}

/* CONTEXT for an error about the whole record: its text when it was read
 * (an unterminated CSV field: all that was left, newline included). */
static void record_context(CopyFrom *c)
{
    const SdbCopyInput *in = &c->in;
    size_t len = in->pos - in->record_start;
    const char *raw = in->data + in->record_start;
    while (len > 0 && c->have_record && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
        len--;
    if (!c->have_record && in->pos > in->record_start && sdb_error_last()->code == SDB_ERR_BAD_COPY_FILE_FORMAT)
        c->have_record = true;
    /* PostgreSQL checks unique indexes on buffered rows, without the line */
    bool show = c->have_record && !c->f->binary && c->arena && sdb_error_last()->code != SDB_ERR_UNIQUE_VIOLATION;
    const char *shown = show ? printout(c->arena, raw, len) : NULL;
    if (shown)
        sdb_error_context("COPY %s, line %ld: \"%s\"", c->rel->name, in->line, shown);
    else if (c->f->binary && in->field >= 0 && in->field < c->ncols)
        sdb_error_context("COPY %s, line %ld, column %s", c->rel->name, in->line,
                          c->rel->attrs[c->cols[in->field]].name);
    else
        sdb_error_context("COPY %s, line %ld", c->rel->name, in->line);
}

static int row_init(CopyFrom *c, CopyRow *row)
{
    row->values = sdb_arena_calloc(c->arena, (size_t)c->ncols + 1, sizeof *row->values);
    row->nulls = sdb_arena_calloc(c->arena, (size_t)c->ncols + 1, sizeof *row->nulls);
    row->types = sdb_arena_calloc(c->arena, (size_t)c->ncols + 1, sizeof *row->types);
    if (row->values == NULL || row->nulls == NULL || row->types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < c->ncols; i++)
        row->types[i] = c->rel->attrs[c->cols[i]].type;
    return SDB_OK;
}

static SdbTypeCtx type_ctx(CopyFrom *c, int i)
{
    const SdbAttribute *att = &c->rel->attrs[c->cols[i]];
    return (SdbTypeCtx){.arena = c->arena, .timezone = c->st->expr.timezone, .now = c->st->expr.xact_start,
                        .typid = att->type, .typmod = att->typmod, .reg = sdb_expr_reg_lookup(&c->st->expr)};
}

/* Text or CSV fields through the columns' input functions. */
static int text_values(CopyFrom *c, char **fields, CopyRow *row)
{
    for (int i = 0; i < c->ncols; i++) {
        row->nulls[i] = fields[i] == NULL;
        SdbTypeCtx tc = type_ctx(c, i);
        if (!row->nulls[i] && sdb_type_input(&tc, fields[i], &row->values[i]) != SDB_OK) {
            const char *shown = printout(c->arena, fields[i], strlen(fields[i]));
            sdb_error_context("COPY %s, line %ld, column %s: \"%s\"", c->rel->name, c->in.line,
                              c->rel->attrs[c->cols[i]].name, shown ? shown : "");
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* Binary fields through the columns' receive functions. */
static int binary_values(CopyFrom *c, const SdbCopyBinaryField *fields, CopyRow *row)
{
    for (int i = 0; i < c->ncols; i++) {
        row->nulls[i] = fields[i].len < 0;
        SdbTypeCtx tc = type_ctx(c, i);
        if (!row->nulls[i] && sdb_type_receive(&tc, fields[i].data, (size_t)fields[i].len, &row->values[i]) != SDB_OK) {
            sdb_error_context("COPY %s, line %ld, column %s", c->rel->name, c->in.line, c->rel->attrs[c->cols[i]].name);
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int insert_values(CopyFrom *c, const CopyRow *row)
{
    SdbStatement run = *c->st;
    run.sql = c->sql;
    run.text = c->sql;
    run.sink = NULL;
    run.expr.arena = c->arena;
    run.nparams = c->ncols;
    run.param_types = row->types;
    run.params = row->values;
    run.param_nulls = row->nulls;
    return sdb_session_run_plan(&run, c->stmt, 0, NULL, NULL);
}

/* HEADER MATCH: the header line names the COPY's columns in order. */
static int check_header(CopyFrom *c, char **fields, int nfields)
{
    if (nfields != c->ncols)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "wrong number of fields in header line: got %d, expected %d",
                         nfields, c->ncols);
    for (int i = 0; i < nfields; i++) {
        const char *expected = c->rel->attrs[c->cols[i]].name;
        if (fields[i] == NULL)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT,
                             "column name mismatch in header line field %d: got null value (\"%s\"), expected \"%s\"",
                             i + 1, c->f->null_string, expected);
        if (strcmp(fields[i], expected) != 0)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT,
                             "column name mismatch in header line field %d: got \"%s\", expected \"%s\"", i + 1,
                             fields[i], expected);
    }
    return SDB_OK;
}

/* Read, convert and insert the next record; *end after the last. */
static int copy_record(CopyFrom *c, bool first, bool *end)
{
    sdb_arena_reset(c->arena);
    CopyRow row;
    if (row_init(c, &row) != SDB_OK)
        return SDB_ERROR;
    int nfields = -1;
    if (c->f->binary) {
        SdbCopyBinaryField *fields = NULL;
        if (sdb_copy_read_binary_tuple(&c->in, c->arena, c->ncols, &fields, &nfields) != SDB_OK)
            return SDB_ERROR;
        *end = nfields < 0;
        return *end ? SDB_OK : binary_values(c, fields, &row) == SDB_OK ? insert_values(c, &row) : SDB_ERROR;
    }
    char **fields = NULL;
    c->have_record = false;
    if (sdb_copy_read_line(&c->in, c->f, c->arena, &fields, &nfields) != SDB_OK)
        return SDB_ERROR;
    c->have_record = true;
    *end = nfields < 0;
    if (!*end && first && c->header_match)
        return check_header(c, fields, nfields);
    if (*end || (first && c->f->header))
        return SDB_OK;
    if (nfields > c->ncols)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
    if (nfields < c->ncols)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"",
                         c->rel->attrs[c->cols[nfields]].name);
    if (c->ncols == 0 && nfields == 1 && fields[0] && fields[0][0] == '\0')
        return insert_values(c, &row);
    return text_values(c, fields, &row) == SDB_OK ? insert_values(c, &row) : SDB_ERROR;
}

/* The client's data, piece by piece. */
typedef struct ClientSource {
    const SdbResultSink *sink;
    int ncols;
} ClientSource;

static int client_fill(void *arg, SdbStr *buf, bool *done)
{
    ClientSource *src = arg;
    return src->sink->copy_in(src->sink->arg, src->ncols, buf, done);
}

typedef struct FileSource {
    FILE *file;
    const char *path;
} FileSource;

static int file_fill(void *arg, SdbStr *buf, bool *done)
{
    FileSource *src = arg;
    char chunk[65536];
    size_t n = fread(chunk, 1, sizeof chunk, src->file);
    if (n < sizeof chunk && ferror(src->file))
        return sdb_error_errno(errno, "could not read from COPY file");
    *done = n < sizeof chunk;
    return sdb_str_append(buf, chunk, n);
}

static FILE *open_input(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        sdb_error_errno(errno, "could not open file \"%s\" for reading", path);
        sdb_error_hint("COPY FROM instructs the PostgreSQL server process to read a file. You may want a "
                       "client-side facility such as psql's \\copy.");
    }
    return f;
}

/* The records of the input, inserted one by one; *count of them. */
static int copy_records(CopyFrom *c, uint64_t *count)
{
    if (c->f->binary && sdb_copy_read_binary_header(&c->in) != SDB_OK)
        return SDB_ERROR;
    for (bool first = true, end = false;; first = false) {
        if (copy_record(c, first, &end) != SDB_OK)
            return SDB_ERROR;
        if (end)
            return sdb_copy_input_drain(&c->in);
        if (!(first && c->f->header && !c->f->binary))
            (*count)++;
    }
}

static int copy_from(SdbStatement *st, const SdbCopyStmt *cs, CopyOptions *o)
{
    CopyFrom c = {.st = st, .f = &o->f, .header_match = o->header_match};
    int *cols;
    char *sql;
    SdbNode *stmt;
    if (sdb_utility_relation(st, cs->relation, &c.rel) != SDB_OK ||
        copy_columns(st, c.rel, cs->attlist, &cols, &c.ncols) != SDB_OK ||
        insert_statement(st, c.rel, cols, c.ncols, &sql, &stmt) != SDB_OK)
        return SDB_ERROR;
    c.cols = cols;
    c.sql = sql;
    c.stmt = stmt;
    const char **names = sdb_arena_calloc(st->expr.arena, (size_t)c.ncols + 1, sizeof *names);
    if (names == NULL)
        return SDB_ERROR;
    for (int i = 0; i < c.ncols; i++)
        names[i] = c.rel->attrs[cols[i]].name;
    if (force_flags(st->expr.arena, o->force_not_null, "FORCE_NOT_NULL", c.rel, c.ncols, names, &o->f.force_not_null) !=
            SDB_OK ||
        force_flags(st->expr.arena, o->force_null, "FORCE_NULL", c.rel, c.ncols, names, &o->f.force_null) != SDB_OK)
        return SDB_ERROR;
    const SdbResultSink *sink = st->sink;
    ClientSource client = {sink, c.ncols};
    FileSource file = {NULL, cs->filename};
    if (cs->filename && (file.file = open_input(cs->filename)) == NULL)
        return SDB_ERROR;
    if (cs->filename == NULL && sink->copy_begin && sink->copy_begin(sink->arg, true, o->f.binary, c.ncols) != SDB_OK)
        return SDB_ERROR;
    SdbArena *window = sdb_arena_create(st->expr.arena, "copy input", 0);
    c.arena = sdb_arena_create(st->expr.arena, "copy row", 0);
    uint64_t count = 0;
    int rc = window && c.arena ? SDB_OK : SDB_ERROR;
    if (rc == SDB_OK) {
        sdb_copy_input_stream(&c.in, window, file.file ? file_fill : client_fill,
                              file.file ? (void *)&file : (void *)&client);
        rc = copy_records(&c, &count);
    }
    if (rc != SDB_OK && sdb_error_last()->context[0] == '\0' && c.in.line > 0)
        record_context(&c);
    if (file.file)
        fclose(file.file);
    sdb_arena_destroy(c.arena);
    sdb_arena_destroy(window);
    if (rc != SDB_OK)
        return SDB_ERROR;
    char tag[64];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)count);
    return sink && sink->complete ? sink->complete(sink->arg, tag) : SDB_OK;
}

/* --- COPY TO ------------------------------------------------------------- */

typedef struct CopyOut {
    SdbStatement *st;
    CopyOptions *o;
    const SdbRelation *rel; /* COPY t TO: the table; NULL for a query */
    FILE *file;
    const char *path;
    int ncols;
    SdbOid *types;
    const bool *force_quote;
    uint64_t rows;
    SdbStr line;
} CopyOut;

/* Send or write what `line` holds. */
static int flush_line(CopyOut *c)
{
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

static int header_line(CopyOut *c, int ncols, const SdbPlanColumn *cols)
{
    for (int i = 0; i < ncols; i++) {
        if (i && sdb_str_append_char(&c->line, c->o->f.delimiter) != SDB_OK)
            return SDB_ERROR;
        if (sdb_copy_write_field(&c->line, cols[i].name, &c->o->f, false) != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_str_append_char(&c->line, '\n');
}

static int out_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    CopyOut *c = arg;
    SdbArena *arena = c->st->expr.arena;
    c->ncols = ncols;
    c->types = sdb_arena_calloc(arena, (size_t)ncols + 1, sizeof *c->types);
    const char **names = sdb_arena_calloc(arena, (size_t)ncols + 1, sizeof *names);
    if (c->types == NULL || names == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        c->types[i] = cols[i].type;
        names[i] = cols[i].name ? cols[i].name : "?column?";
    }
    if (force_flags(arena, c->o->force_quote, "FORCE_QUOTE", c->rel, ncols, names, &c->force_quote) != SDB_OK)
        return SDB_ERROR;
    const SdbResultSink *client = c->st->sink;
    if (c->file == NULL && client->copy_begin &&
        client->copy_begin(client->arg, false, c->o->f.binary, ncols) != SDB_OK)
        return SDB_ERROR;
    if (c->o->f.binary)
        return sdb_copy_write_binary_header(&c->line) == SDB_OK ? flush_line(c) : SDB_ERROR;
    if (!c->o->f.header)
        return SDB_OK;
    return header_line(c, ncols, cols) == SDB_OK ? flush_line(c) : SDB_ERROR;
}

/* One row in text or CSV; `value` is scratch. */
static int text_row(CopyOut *c, const SdbBatch *batch, int row, SdbStr *value)
{
    const SdbCopyFormat *f = &c->o->f;
    for (int col = 0; col < batch->ncols; col++) {
        if (col && sdb_str_append_char(&c->line, f->delimiter) != SDB_OK)
            return SDB_ERROR;
        if (sdb_vector_is_null(&batch->cols[col], row)) {
            if (sdb_str_append_cstr(&c->line, f->null_string) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        sdb_str_reset(value);
        bool force = c->force_quote && c->force_quote[col];
        if (sdb_expr_output(&c->st->expr, c->types[col], batch->cols[col].values[row], value) != SDB_OK ||
            sdb_copy_write_field(&c->line, value->data, f, force) != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_str_append_char(&c->line, '\n');
}

/* One row in binary: the field count, each field's length and send form. */
static int binary_row(CopyOut *c, const SdbBatch *batch, int row, SdbStr *value)
{
    if (sdb_copy_write_binary_count(&c->line, (int16_t)batch->ncols) != SDB_OK)
        return SDB_ERROR;
    for (int col = 0; col < batch->ncols; col++) {
        if (sdb_vector_is_null(&batch->cols[col], row)) {
            if (sdb_copy_write_binary_field(&c->line, NULL, -1) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        sdb_str_reset(value);
        SdbTypeCtx tc = {.arena = value->arena, .timezone = c->st->expr.timezone, .now = c->st->expr.xact_start,
                         .typid = c->types[col], .typmod = -1, .reg = sdb_expr_reg_lookup(&c->st->expr)};
        if (sdb_type_send(&tc, batch->cols[col].values[row], value) != SDB_OK ||
            sdb_copy_write_binary_field(&c->line, value->data ? value->data : "", (int32_t)value->len) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int out_rows(void *arg, const SdbBatch *batch)
{
    CopyOut *c = arg;
    SdbStr value;
    sdb_str_init(&value, c->st->expr.arena);
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        int rc = c->o->f.binary ? binary_row(c, batch, row, &value) : text_row(c, batch, row, &value);
        if (rc != SDB_OK || flush_line(c) != SDB_OK)
            return SDB_ERROR;
        c->rows++;
    }
    return SDB_OK;
}

/* SELECT cols FROM t, for COPY t TO. */
static int select_statement(SdbStatement *st, const SdbCopyStmt *cs, const SdbRelation **relp, const char **sql,
                            const SdbNode **stmt)
{
    const SdbRelation *rel;
    int *cols, ncols;
    if (sdb_utility_relation(st, cs->relation, relp) != SDB_OK || (rel = *relp) == NULL ||
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

static int copy_to(SdbStatement *st, const SdbCopyStmt *cs, CopyOptions *o)
{
    const char *sql = st->sql;
    const SdbNode *stmt = cs->query;
    const SdbRelation *rel = NULL;
    if (stmt == NULL && select_statement(st, cs, &rel, &sql, &stmt) != SDB_OK)
        return SDB_ERROR;
    CopyOut c = {.st = st, .o = o, .rel = rel, .path = cs->filename};
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
    if (rc == SDB_OK && o->f.binary)
        rc = sdb_copy_write_binary_count(&c.line, -1) == SDB_OK ? flush_line(&c) : SDB_ERROR;
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
    CopyOptions o = {0};
    if (parse_options(cs->options, cs->is_from, &o) != SDB_OK)
        return SDB_ERROR;
    const SdbResultSink *sink = st->sink;
    if (cs->filename == NULL && (sink == NULL || (cs->is_from ? sink->copy_in == NULL : sink->copy_out == NULL)))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED,
                         cs->is_from ? "COPY FROM STDIN" : "COPY TO STDOUT");
    if (cs->filename == NULL && cs->is_from && o.f.binary && sink->copy_begin == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "COPY BINARY FROM STDIN");
    if (cs->where_clause)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "COPY FROM ... WHERE");
    return cs->is_from ? copy_from(st, cs, &o) : copy_to(st, cs, &o);
}
