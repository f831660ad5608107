/*
 * session/copy_format.c: PostgreSQL's COPY file formats without the
 * database around them: splitting text-format lines (backslash escapes,
 * the null string, the "\." end marker) and CSV records (quotes, doubled or
 * escaped quotes, fields spanning lines) into fields, binary (PGCOPY)
 * tuples into fields, writing a field in each format, and the streaming
 * window over input that arrives in pieces.  copy.c moves the rows in and
 * out of tables.
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

/* --- streamed input ------------------------------------------------------ */

void sdb_copy_input_stream(SdbCopyInput *in, SdbArena *arena, SdbCopyFillFn fill, void *arg)
{
    *in = (SdbCopyInput){.data = "", .field = -1, .fill = fill, .fill_arg = arg};
    sdb_str_init(&in->buf, arena);
}

/* Drop the consumed bytes and ask for the next piece. */
static int refill(SdbCopyInput *in)
{
    size_t keep = in->len - in->pos;
    if (keep > 0 && in->pos > 0)
        memmove(in->buf.data, in->buf.data + in->pos, keep);
    in->buf.len = keep;
    in->pos = 0;
    int rc = in->fill(in->fill_arg, &in->buf, &in->done);
    in->data = in->buf.data ? in->buf.data : "";
    in->len = in->buf.len;
    return rc;
}

/* Where the record starting at in->pos ends (just past its newline), or 0
 * when the window does not hold all of it; *scan and *quoted carry the
 * progress over refills. */
static size_t record_end(const SdbCopyInput *in, const SdbCopyFormat *o, size_t *scan, bool *quoted)
{
    size_t i = *scan;
    if (!o->csv) {
        const char *nl = memchr(in->data + i, '\n', in->len - i);
        *scan = in->len;
        return nl ? (size_t)(nl - in->data) + 1 : 0;
    }
    for (; i < in->len; i++) {
        char c = in->data[i];
        if (*quoted && c == o->escape && o->escape != o->quote) {
            if (i + 1 == in->len)
                break;
            i++;
        } else if (c == o->quote) {
            *quoted = !*quoted;
        } else if (c == '\n' && !*quoted) {
            *scan = i + 1;
            return i + 1;
        }
    }
    *scan = i;
    return 0;
}

/* Make the window hold a whole record (or all that is left). */
static int need_record(SdbCopyInput *in, const SdbCopyFormat *o)
{
    if (in->fill == NULL)
        return SDB_OK;
    size_t scan = in->pos;
    bool quoted = false;
    while (!in->done && record_end(in, o, &scan, &quoted) == 0) {
        size_t consumed = in->pos;
        if (refill(in) != SDB_OK)
            return SDB_ERROR;
        scan -= consumed;
    }
    return SDB_OK;
}

/* Make the window hold `n` bytes from in->pos (false: the data ends first). */
static int need_bytes(SdbCopyInput *in, size_t n, bool *have)
{
    while (in->len - in->pos < n && in->fill && !in->done)
        if (refill(in) != SDB_OK)
            return SDB_ERROR;
    *have = in->len - in->pos >= n;
    return SDB_OK;
}

int sdb_copy_input_drain(SdbCopyInput *in)
{
    while (in->fill && !in->done) {
        in->pos = in->len;
        if (refill(in) != SDB_OK)
            return SDB_ERROR;
    }
    in->pos = in->len;
    return SDB_OK;
}

/* Split the next line of text format into fields (NULL entries for the
 * null string); *nfields = -1 at the end of the data ("\." or EOF). */
static int read_text_line(SdbCopyInput *in, const SdbCopyFormat *o, SdbArena *arena, char ***fields, int *nfields)
{
    if (need_record(in, o) != SDB_OK)
        return SDB_ERROR;
    in->record_start = in->pos;
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
    if (need_record(in, o) != SDB_OK)
        return SDB_ERROR;
    in->record_start = in->pos;
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
        bool quoted = false, was_quoted = false, end_of_record = false;
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
                    quoted = was_quoted = true;
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
        if (o->force_not_null && o->force_not_null[k])
            is_null = false;
        else if (o->force_null && o->force_null[k] && was_quoted)
            is_null = v.len == null_len && memcmp(v.data ? v.data : "", o->null_string, null_len) == 0;
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

static int csv_escape(SdbStr *out, const char *v, const SdbCopyFormat *o, bool force)
{
    bool quote = force || strcmp(v, o->null_string) == 0 || strchr(v, o->delimiter) || strchr(v, o->quote) ||
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

int sdb_copy_write_field(SdbStr *out, const char *value, const SdbCopyFormat *o, bool force_quote)
{
    return o->csv ? csv_escape(out, value, o, force_quote) : text_escape(out, value, o->delimiter);
}

/* --- binary ---------------------------------------------------------------- */

static const char binary_signature[11] = "PGCOPY\n\377\r\n";

static uint32_t get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static int put32(SdbStr *out, uint32_t v)
{
    char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    return sdb_str_append(out, b, 4);
}

/* `n` bytes of the window (NULL and 22P04 `message` when the data ends). */
static const char *take(SdbCopyInput *in, size_t n, const char *message)
{
    bool have;
    if (need_bytes(in, n, &have) != SDB_OK)
        return NULL;
    if (!have) {
        sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "%s", message);
        return NULL;
    }
    const char *p = in->data + in->pos;
    in->pos += n;
    return p;
}

int sdb_copy_read_binary_header(SdbCopyInput *in)
{
    const char *p = take(in, sizeof binary_signature, "COPY file signature not recognized");
    if (p == NULL)
        return SDB_ERROR;
    if (memcmp(p, binary_signature, sizeof binary_signature) != 0)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "COPY file signature not recognized");
    if ((p = take(in, 4, "invalid COPY file header (missing flags)")) == NULL)
        return SDB_ERROR;
    uint32_t flags = get32(p);
    if (flags & (1u << 16))
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "invalid COPY file header (WITH OIDS)");
    if (flags & 0xFFFF0000u & ~(1u << 16))
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "unrecognized critical flags in COPY file header");
    if ((p = take(in, 4, "invalid COPY file header (missing length)")) == NULL)
        return SDB_ERROR;
    uint32_t extension = get32(p);
    if (extension > 0x7FFFFFFFu)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "invalid COPY file header (missing length)");
    for (; extension > 0; extension--)
        if (take(in, 1, "invalid COPY file header (wrong length)") == NULL)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_copy_read_binary_tuple(SdbCopyInput *in, SdbArena *arena, int ncols, SdbCopyBinaryField **fields,
                               int *nfields)
{
    bool have;
    if (need_bytes(in, 1, &have) != SDB_OK)
        return SDB_ERROR;
    if (!have) {
        *nfields = -1;
        return SDB_OK;
    }
    in->line++;
    in->field = -1;
    const char *p = take(in, 2, "unexpected EOF in COPY data");
    if (p == NULL)
        return SDB_ERROR;
    int16_t count = (int16_t)((unsigned char)p[0] << 8 | (unsigned char)p[1]);
    if (count == -1) {
        if (need_bytes(in, 1, &have) != SDB_OK)
            return SDB_ERROR;
        if (have)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "received copy data after EOF marker");
        *nfields = -1;
        return SDB_OK;
    }
    if (count != ncols)
        return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "row field count is %d, expected %d", count, ncols);
    /* Every field's bytes stay in the window until the tuple is done
     * (offsets are from in->pos, which a refill moves). */
    size_t need = 0;
    for (int i = 0; i < count; i++) {
        in->field = i;
        if (need_bytes(in, need + 4, &have) != SDB_OK)
            return SDB_ERROR;
        if (!have)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "unexpected EOF in COPY data");
        int32_t len = (int32_t)get32(in->data + in->pos + need);
        if (len < -1)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "invalid field size");
        need += 4 + (len > 0 ? (size_t)len : 0);
        if (need_bytes(in, need, &have) != SDB_OK)
            return SDB_ERROR;
        if (!have)
            return sdb_error(SDB_ERR_BAD_COPY_FILE_FORMAT, "unexpected EOF in COPY data");
    }
    in->field = -1;
    SdbCopyBinaryField *out = sdb_arena_calloc(arena, (size_t)count + 1, sizeof *out);
    if (out == NULL)
        return SDB_ERROR;
    size_t at = in->pos;
    for (int i = 0; i < count; i++) {
        out[i].len = (int32_t)get32(in->data + at);
        at += 4;
        out[i].data = out[i].len < 0 ? NULL : in->data + at;
        at += out[i].len > 0 ? (size_t)out[i].len : 0;
    }
    in->pos = at;
    *fields = out;
    *nfields = count;
    return SDB_OK;
}

int sdb_copy_write_binary_header(SdbStr *out)
{
    if (sdb_str_append(out, binary_signature, sizeof binary_signature) != SDB_OK || put32(out, 0) != SDB_OK)
        return SDB_ERROR;
    return put32(out, 0);
}

int sdb_copy_write_binary_count(SdbStr *out, int16_t count)
{
    char b[2] = {(char)((uint16_t)count >> 8), (char)count};
    return sdb_str_append(out, b, 2);
}

int sdb_copy_write_binary_field(SdbStr *out, const char *data, int32_t len)
{
    if (data == NULL)
        return put32(out, 0xFFFFFFFFu);
    if (put32(out, (uint32_t)len) != SDB_OK)
        return SDB_ERROR;
    return sdb_str_append(out, data, (size_t)len);
}
