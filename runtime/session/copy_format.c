/*
 * session/copy_format.c: PostgreSQL's COPY file formats without the
 * database around them: splitting text-format lines (backslash escapes,
 * the null string, the "\." end marker) and CSV records (quotes, doubled or
 * escaped quotes, fields spanning lines) into fields, and writing a field
 * in either format.  copy.c moves the rows in and out of tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "session/copy_format.h"

/* A text-format field with its escapes replaced (\b \f \n \r \t \v,
 * octal \NNN, hex \xHH, and \c for any other c). */
static int text_field(SdbStr *out, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c != '\\' || i + 1 == n) {
            if (sdb_str_append_char(out, c) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        c = p[++i];
        switch (c) {
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'v': c = '\v'; break;
        case 'x':
            if (i + 1 < n && strchr("0123456789abcdefABCDEF", p[i + 1]) && p[i + 1]) {
                int v = 0, k = 0;
                while (k < 2 && i + 1 < n && p[i + 1] && strchr("0123456789abcdefABCDEF", p[i + 1])) {
                    char h = p[++i];
                    v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                    k++;
                }
                c = (char)v;
            }
            break;
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0', k = 1;
                while (k < 3 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
                    v = v * 8 + (p[++i] - '0');
                    k++;
                }
                c = (char)v;
            }
        }
        if (sdb_str_append_char(out, c) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* Split the next line of text format into fields (NULL entries for the
 * null string); *nfields = -1 at the end of the data ("\." or EOF). */
static int read_text_line(SdbCopyInput *in, const SdbCopyFormat *o, SdbArena *arena, char ***fields, int *nfields)
{
    if (in->pos >= in->len) {
        *nfields = -1;
        return SDB_OK;
    }
    const char *start = in->data + in->pos;
    const char *nl = memchr(start, '\n', in->len - in->pos);
    size_t n = nl ? (size_t)(nl - start) : in->len - in->pos;
    in->pos += n + (nl != NULL);
    in->line++;
    if (n > 0 && start[n - 1] == '\r')
        n--;
    if (n == 2 && start[0] == '\\' && start[1] == '.') {
        *nfields = -1;
        return SDB_OK;
    }
    int count = 1;
    for (size_t i = 0; i < n; i++) {
        if (start[i] == '\\')
            i++;
        else if (start[i] == o->delimiter)
            count++;
    }
    char **out = sdb_arena_calloc(arena, (size_t)count, sizeof *out);
    if (out == NULL)
        return SDB_ERROR;
    size_t null_len = strlen(o->null_string);
    size_t begin = 0;
    int k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && start[i] == '\\') {
            i++;
            continue;
        }
        if (i < n && start[i] != o->delimiter)
            continue;
        size_t flen = (i > n ? n : i) - begin;
        if (flen == null_len && memcmp(start + begin, o->null_string, flen) == 0) {
            out[k++] = NULL;
        } else {
            SdbStr v;
            sdb_str_init(&v, arena);
            if (text_field(&v, start + begin, flen) != SDB_OK || sdb_str_append(&v, "", 0) != SDB_OK)
                return SDB_ERROR;
            out[k++] = v.data;
        }
        begin = i + 1;
    }
    *fields = out;
    *nfields = k;
    return SDB_OK;
}

/* The next CSV record (quoted fields may hold delimiters, quotes doubled or
 * escaped, and newlines); an unquoted field equal to the null string is
 * NULL. */
static int read_csv_line(SdbCopyInput *in, const SdbCopyFormat *o, SdbArena *arena, char ***fields, int *nfields)
{
    if (in->pos >= in->len) {
        *nfields = -1;
        return SDB_OK;
    }
    in->line++;
    long first_line = in->line;
    int cap = 8, k = 0;
    char **out = sdb_arena_calloc(arena, (size_t)cap, sizeof *out);
    if (out == NULL)
        return SDB_ERROR;
    const char *d = in->data;
    size_t null_len = strlen(o->null_string);
    for (;;) {
        SdbStr v;
        sdb_str_init(&v, arena);
        bool quoted = false, end_of_record = false;
        size_t field_start = in->pos;
        while (in->pos < in->len) {
            char c = d[in->pos];
            if (quoted) {
                if (c == o->escape && in->pos + 1 < in->len &&
                    (d[in->pos + 1] == o->quote || (o->escape != o->quote && d[in->pos + 1] == o->escape))) {
                    if (sdb_str_append_char(&v, d[in->pos + 1]) != SDB_OK)
                        return SDB_ERROR;
                    in->pos += 2;
                    continue;
                }
                if (c == o->quote) {
                    quoted = false;
                    in->pos++;
                    continue;
                }
                if (c == '\n')
                    in->line++;
            } else {
                if (c == o->quote) {
                    quoted = true;
                    in->pos++;
                    continue;
                }
                if (c == o->delimiter)
                    break;
                if (c == '\n' || (c == '\r' && in->pos + 1 < in->len && d[in->pos + 1] == '\n')) {
                    end_of_record = true;
                    break;
                }
            }
            if (sdb_str_append_char(&v, c) != SDB_OK)
                return SDB_ERROR;
            in->pos++;
        }
        if (quoted) {
            in->line = first_line;
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
        }
        size_t raw_len = in->pos - field_start;
        bool is_null = raw_len == null_len && memcmp(d + field_start, o->null_string, raw_len) == 0;
        if (k == cap) {
            char **grown = sdb_arena_calloc(arena, (size_t)cap * 2, sizeof *grown);
            if (grown == NULL)
                return SDB_ERROR;
            memcpy(grown, out, (size_t)cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        if (sdb_str_append(&v, "", 0) != SDB_OK)
            return SDB_ERROR;
        out[k++] = is_null ? NULL : v.data;
        if (in->pos >= in->len || end_of_record) {
            if (in->pos < in->len)
                in->pos += d[in->pos] == '\r' ? 2 : 1;
            break;
        }
        in->pos++; /* the delimiter */
    }
    if (k == 1 && out[0] && strcmp(out[0], "\\.") == 0) {
        *nfields = -1;
        return SDB_OK;
    }
    *fields = out;
    *nfields = k;
    return SDB_OK;
}


int sdb_copy_read_file(SdbArena *arena, const char *path, SdbCopyInput *in)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        sdb_error_errno(errno, "could not open file \"%s\" for reading", path);
        sdb_error_hint("COPY FROM instructs the PostgreSQL server process to read a file. You may want a "
                       "client-side facility such as psql's \\copy.");
        return SDB_ERROR;
    }
    SdbStr data;
    sdb_str_init(&data, arena);
    char buf[65536];
    size_t n;
    int rc = SDB_OK;
    while (rc == SDB_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = sdb_str_append(&data, buf, n);
    if (rc == SDB_OK && ferror(f))
        rc = sdb_error_errno(errno, "could not read from COPY file");
    fclose(f);
    in->data = data.data ? data.data : "";
    in->len = data.len;
    in->pos = 0;
    in->line = 0;
    return rc;
}

static int text_escape(SdbStr *out, const char *v, char delimiter)
{
    for (const char *p = v; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\v': esc = "\\v"; break;
        }
        int rc = esc ? sdb_str_append_cstr(out, esc)
                 : *p == delimiter ? sdb_str_appendf(out, "\\%c", *p)
                                   : sdb_str_append_char(out, *p);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int csv_escape(SdbStr *out, const char *v, const SdbCopyFormat *o)
{
    bool quote = strcmp(v, o->null_string) == 0 || strchr(v, o->delimiter) || strchr(v, o->quote) ||
                 strchr(v, '\n') || strchr(v, '\r') || (v[0] == '\\' && v[1] == '.' && v[2] == '\0');
    if (!quote)
        return sdb_str_append_cstr(out, v);
    if (sdb_str_append_char(out, o->quote) != SDB_OK)
        return SDB_ERROR;
    for (const char *p = v; *p; p++) {
        if ((*p == o->quote || *p == o->escape) && sdb_str_append_char(out, o->escape) != SDB_OK)
            return SDB_ERROR;
        if (sdb_str_append_char(out, *p) != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_str_append_char(out, o->quote);
}


int sdb_copy_read_line(SdbCopyInput *in, const SdbCopyFormat *o, SdbArena *arena, char ***fields, int *nfields)
{
    return o->csv ? read_csv_line(in, o, arena, fields, nfields) : read_text_line(in, o, arena, fields, nfields);
}

int sdb_copy_write_field(SdbStr *out, const char *value, const SdbCopyFormat *o)
{
    return o->csv ? csv_escape(out, value, o) : text_escape(out, value, o->delimiter);
}
