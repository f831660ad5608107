/*
 * test_session_format.c: the database-free parts of runtime/session: COPY's
 * text, CSV and binary formats and streamed input (copy_format.c) and
 * psql's aligned table, error position display and script splitting
 * (psql_format.c).  Expected outputs are PostgreSQL 15's (COPY) and psql
 * 15's.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "sdb_types.h"
#include "session/copy_format.h"
#include "session/psql_format.h"

static SdbCopyFormat text_format(void)
{
    return (SdbCopyFormat){.delimiter = '\t', .quote = '"', .escape = '"', .null_string = "\\N"};
}

static SdbCopyFormat csv_format(void)
{
    return (SdbCopyFormat){.csv = true, .delimiter = ',', .quote = '"', .escape = '"', .null_string = ""};
}

/* Pieces of a string handed out `size` bytes at a time (streamed input). */
typedef struct Pieces {
    const char *data;
    size_t len, pos, size;
} Pieces;

static int next_piece(void *arg, SdbStr *buf, bool *done)
{
    Pieces *p = arg;
    size_t n = p->len - p->pos < p->size ? p->len - p->pos : p->size;
    int rc = sdb_str_append(buf, p->data + p->pos, n);
    p->pos += n;
    *done = p->pos == p->len;
    return rc;
}

/* Read every record of `data` (all in memory when piece is 0, else streamed
 * `piece` bytes at a time), joining fields with '|' (NULL as <null>) and
 * records with ';'. */
static char *read_pieces(const char *data, const SdbCopyFormat *f, SdbArena *arena, long *lines, size_t piece)
{
    SdbCopyInput in = {.data = data, .len = strlen(data)};
    Pieces pieces = {data, strlen(data), 0, piece};
    if (piece > 0)
        sdb_copy_input_stream(&in, arena, next_piece, &pieces);
    SdbStr out;
    sdb_str_init(&out, arena);
    sdb_str_append(&out, "", 0);
    for (;;) {
        char **fields;
        int n;
        if (sdb_copy_read_line(&in, f, arena, &fields, &n) != SDB_OK)
            return NULL;
        if (n < 0)
            break;
        for (int i = 0; i < n; i++)
            sdb_str_appendf(&out, "%s%s", i ? "|" : "", fields[i] ? fields[i] : "<null>");
        sdb_str_append_char(&out, ';');
    }
    if (lines)
        *lines = in.line;
    return out.data;
}

/* read_pieces all in memory, checking that streamed in pieces of 1 and 3
 * bytes reads the same. */
static char *read_all(const char *data, const SdbCopyFormat *f, SdbArena *arena, long *lines)
{
    char *whole = read_pieces(data, f, arena, lines, 0);
    for (size_t piece = 1; piece <= 3; piece += 2) {
        long streamed_lines = 0;
        char *streamed = read_pieces(data, f, arena, &streamed_lines, piece);
        CU_ASSERT_EQUAL(streamed == NULL, whole == NULL);
        if (streamed && whole) {
            CU_ASSERT_STRING_EQUAL(streamed, whole);
            if (lines)
                CU_ASSERT_EQUAL(streamed_lines, *lines);
        }
    }
    return whole;
}

static void test_text_read(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbCopyFormat f = text_format();
    long lines;
    CU_ASSERT_STRING_EQUAL(read_all("1\tone\n2\t\\N\n", &f, arena, &lines), "1|one;2|<null>;");
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_STRING_EQUAL(read_all("a\\tb\\\\c\\nd\t\\101\\x41\\q\r\n", &f, arena, NULL), "a\tb\\c\nd|AAq;");
    CU_ASSERT_STRING_EQUAL(read_all("x\\\ty\n\\.\nignored\n", &f, arena, NULL), "x\ty;");
    CU_ASSERT_STRING_EQUAL(read_all("\t\n", &f, arena, NULL), "|;");
    f.delimiter = '|';
    f.null_string = "";
    CU_ASSERT_STRING_EQUAL(read_all("1||x\n", &f, arena, NULL), "1|<null>|x;");
    sdb_arena_destroy(arena);
}

static void test_csv_read(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbCopyFormat f = csv_format();
    long lines;
    CU_ASSERT_STRING_EQUAL(read_all("1,\"a,b\",\n2,\"\",\"say \"\"hi\"\"\"\n", &f, arena, &lines),
                           "1|a,b|<null>;2||say \"hi\";");
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_STRING_EQUAL(read_all("1,\"two\nlines\"\r\n3,x\n", &f, arena, &lines), "1|two\nlines;3|x;");
    CU_ASSERT_EQUAL(lines, 3);
    CU_ASSERT_STRING_EQUAL(read_all("a,b\n\\.\nc,d\n", &f, arena, NULL), "a|b;");
    CU_ASSERT_PTR_NULL(read_all("1,\"open\n", &f, arena, NULL));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_BAD_COPY_FILE_FORMAT);
    f.escape = '\\';
    CU_ASSERT_STRING_EQUAL(read_all("\"a\\\"b\",c\n", &f, arena, NULL), "a\"b|c;");
    sdb_arena_destroy(arena);
}

static char *write_fields(const char *const *values, int n, const SdbCopyFormat *f, SdbArena *arena)
{
    SdbStr out;
    sdb_str_init(&out, arena);
    for (int i = 0; i < n; i++) {
        if (i)
            sdb_str_append_char(&out, f->delimiter);
        CU_ASSERT_EQUAL(sdb_copy_write_field(&out, values[i], f, false), SDB_OK);
    }
    sdb_str_append(&out, "", 0);
    return out.data;
}

static void test_binary(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbStr data;
    sdb_str_init(&data, arena);
    CU_ASSERT_EQUAL(sdb_copy_write_binary_header(&data), SDB_OK);
    CU_ASSERT_EQUAL(data.len, 19);
    CU_ASSERT_EQUAL(memcmp(data.data, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19), 0);
    sdb_copy_write_binary_count(&data, 2);
    sdb_copy_write_binary_field(&data, "abc", 3);
    sdb_copy_write_binary_field(&data, NULL, -1);
    sdb_copy_write_binary_count(&data, -1);
    for (size_t piece = 0; piece <= 2; piece++) {
        SdbCopyInput in = {.data = data.data, .len = data.len, .field = -1};
        Pieces pieces = {data.data, data.len, 0, piece};
        if (piece > 0)
            sdb_copy_input_stream(&in, arena, next_piece, &pieces);
        SdbCopyBinaryField *fields;
        int n;
        CU_ASSERT_EQUAL(sdb_copy_read_binary_header(&in), SDB_OK);
        CU_ASSERT_EQUAL(sdb_copy_read_binary_tuple(&in, arena, 2, &fields, &n), SDB_OK);
        CU_ASSERT_EQUAL(n, 2);
        CU_ASSERT_EQUAL(fields[0].len, 3);
        CU_ASSERT_EQUAL(memcmp(fields[0].data, "abc", 3), 0);
        CU_ASSERT_EQUAL(fields[1].len, -1);
        CU_ASSERT_EQUAL(sdb_copy_read_binary_tuple(&in, arena, 2, &fields, &n), SDB_OK);
        CU_ASSERT_EQUAL(n, -1);
        CU_ASSERT_EQUAL(in.line, 2);
    }
    SdbCopyInput bad = {.data = data.data, .len = 25, .field = -1};
    SdbCopyBinaryField *fields;
    int n;
    CU_ASSERT_EQUAL(sdb_copy_read_binary_header(&bad), SDB_OK);
    CU_ASSERT_EQUAL(sdb_copy_read_binary_tuple(&bad, arena, 2, &fields, &n), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "unexpected EOF in COPY data");
    CU_ASSERT_EQUAL(bad.field, 0);
    SdbCopyInput wrong = {.data = "PGCOPY\n\377\r\n", .len = 10, .field = -1};
    CU_ASSERT_EQUAL(sdb_copy_read_binary_header(&wrong), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "COPY file signature not recognized");
    sdb_error_clear();
    sdb_arena_destroy(arena);
}

static void test_write(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbCopyFormat text = text_format(), csv = csv_format();
    const char *values[] = {"plain", "tab\there", "back\\slash", "new\nline", "", "a,b", "q\"uote"};
    CU_ASSERT_STRING_EQUAL(write_fields(values, 7, &text, arena),
                           "plain\ttab\\there\tback\\\\slash\tnew\\nline\t\ta,b\tq\"uote");
    CU_ASSERT_STRING_EQUAL(write_fields(values, 7, &csv, arena),
                           "plain,tab\there,back\\slash,\"new\nline\",\"\",\"a,b\",\"q\"\"uote\"");
    sdb_arena_destroy(arena);
}

/* What `print` writes to a memory stream. */
static char *captured(char **buf, size_t *len, FILE *f)
{
    fclose(f);
    (void)len;
    return *buf;
}

static void test_aligned_table(void)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    const char *names[] = {"a", "bb", "c", "d"};
    SdbOid types[] = {SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT, SDB_TYPEOID_INT4, SDB_TYPEOID_INT4};
    char *cells[] = {"1", "xyz", NULL, "12345"};
    sdb_psql_print_table(f, 4, names, types, 1, cells);
    /* psql 15: select 1 as a, 'xyz' as bb, null::int as c, 12345 as d */
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f),
                           " a | bb  | c |   d   \n---+-----+---+-------\n 1 | xyz |   | 12345\n(1 row)\n\n");
    free(buf);

    f = open_memstream(&buf, &len);
    const char *one[] = {"longname"};
    SdbOid text[] = {SDB_TYPEOID_TEXT};
    sdb_psql_print_table(f, 1, one, text, 0, NULL);
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f), " longname \n----------\n(0 rows)\n\n");
    free(buf);

    f = open_memstream(&buf, &len);
    const char *names2[] = {"t", "n"};
    SdbOid types2[] = {SDB_TYPEOID_TEXT, SDB_TYPEOID_INT8};
    char *cells2[] = {"héllo", "1", "x", "-20"};
    sdb_psql_print_table(f, 2, names2, types2, 2, cells2);
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f),
                           "   t   |  n  \n-------+-----\n héllo |   1\n x     | -20\n(2 rows)\n\n");
    free(buf);

    /* psql 15: select E'a\nbcd' as x, 1 as n, E'p\nq\nr' as y; select E'ab\nc' as x, 'z' as y */
    f = open_memstream(&buf, &len);
    const char *names3[] = {"x", "n", "y"};
    SdbOid types3[] = {SDB_TYPEOID_TEXT, SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT};
    char *cells3[] = {"a\nbcd", "1", "p\nq\nr"};
    sdb_psql_print_table(f, 3, names3, types3, 1, cells3);
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f), "  x  | n | y \n-----+---+---\n a  +| 1 | p+\n bcd |   | q+\n"
                                                    "     |   | r\n(1 row)\n\n");
    free(buf);
    f = open_memstream(&buf, &len);
    char *cells4[] = {"ab\nc", "z"};
    const char *names4[] = {"x", "y"};
    SdbOid types4[] = {SDB_TYPEOID_TEXT, SDB_TYPEOID_TEXT};
    sdb_psql_print_table(f, 2, names4, types4, 1, cells4);
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f), " x  | y \n----+---\n ab+| z\n c  | \n(1 row)\n\n");
    free(buf);
}

static void test_error_position(void)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    sdb_psql_print_position(f, "select\n 1/0, x", 14);
    /* psql 15: the caret under x on the second line */
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f), "LINE 2:  1/0, x\n              ^\n");
    free(buf);
    f = open_memstream(&buf, &len);
    sdb_psql_print_position(f, "selec 1", 1);
    CU_ASSERT_STRING_EQUAL(captured(&buf, &len, f), "LINE 1: selec 1\n        ^\n");
    free(buf);
}

static int collect(void *arg, const char *sql)
{
    SdbStr *out = arg;
    sdb_str_appendf(out, "[%s]", sql);
    return SDB_OK;
}

static void test_split(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbStr out;
    sdb_str_init(&out, arena);
    SdbSqlSplitter sp = {0};
    sdb_str_init(&sp.buf, arena);
    const char *script[] = {
        "select 1; select ';' -- not; here\n",
        "  , 2;\n",
        "select $$a;b$$, $x$;$x$, E'\\';', \"c;d\" /* ; /* nested ; */ */;\n",
        "select (1;\n",
        "); insert into t values (1);\n",
    };
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++)
        CU_ASSERT_EQUAL(sdb_sql_split_line(&sp, script[i], collect, &out), SDB_OK);
    CU_ASSERT_STRING_EQUAL(out.data, "[select 1;][ select ';' \n  , 2;]"
                                     "[\nselect $$a;b$$, $x$;$x$, E'\\';', \"c;d\" /* ; /* nested ; */ */;]"
                                     "[\nselect (1;\n);][ insert into t values (1);]");
    CU_ASSERT_TRUE(sdb_sql_splitter_idle(&sp));
    CU_ASSERT_EQUAL(sdb_sql_split_line(&sp, "select 'open\n", collect, &out), SDB_OK);
    CU_ASSERT_FALSE(sdb_sql_splitter_idle(&sp));
    sdb_arena_destroy(arena);
}

static CU_TestInfo tests[] = {
    {"COPY text format: fields, escapes, NULL, end marker", test_text_read},
    {"COPY csv format: quotes, multi-line fields, errors", test_csv_read},
    {"COPY writing: text escapes and csv quoting", test_write},
    {"COPY binary: header, tuples, trailer, streamed, errors", test_binary},
    {"psql aligned table", test_aligned_table},
    {"psql error position", test_error_position},
    {"script splitting", test_split},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"session formats", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
