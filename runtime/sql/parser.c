/*
 * parser.c: sdb_parse(), the SQL front end's entry point, and what sits
 * between the lexer (spec/grammar/lexer.re) and the grammar
 * (spec/grammar/gram.y): PostgreSQL's one-token lookahead filter (NOT_LA,
 * NULLS_LA, WITH_LA; UESCAPE applied to U&'' strings and U&"" identifiers),
 * syntax error reporting with positions, arena allocation with a longjmp
 * out of the parse on failure, and the statements' extents.
 */
#include "sql/parser.h"

#include <limits.h>
#include <string.h>

#include "common/error.h"
#include "sql/parser_int.h"
#include "common/utf8.h"
#include "gram.h"

void *sdb_parse_check(SdbParseState *ps, void *ptr)
{
    if (ptr == NULL)
        longjmp(ps->oom, 1);
    return ptr;
}

void *sdb_parse_alloc(SdbParseState *ps, size_t size)
{
    return sdb_parse_check(ps, sdb_arena_alloc(ps->arena, size));
}

char *sdb_parse_strndup(SdbParseState *ps, const char *s, size_t n)
{
    return sdb_parse_check(ps, sdb_arena_strndup(ps->arena, s, n));
}

void sdb_parse_error_position(SdbParseState *ps, int offset)
{
    if (offset < 0)
        return; /* unknown */
    sdb_error_position(sdb_utf8_char_count(ps->buf, (size_t)offset) + 1);
}

void sdb_parse_syntax_error(SdbParseState *ps, const char *message, int start, int end)
{
    if ((size_t)start >= ps->len)
        sdb_error(SDB_ERR_SYNTAX_ERROR, "%s at end of input", message);
    else
        sdb_error(SDB_ERR_SYNTAX_ERROR, "%s at or near \"%.*s\"", message, end - start, ps->buf + start);
    sdb_parse_error_position(ps, start);
}

void sdb_yyerror(int *lloc, SdbParseState *ps, const char *message)
{
    (void)lloc;
    if (strcmp(message, "memory exhausted") == 0) {
        sdb_error(SDB_ERR_STATEMENT_TOO_COMPLEX, "statement is too complex to parse");
        sdb_parse_error_position(ps, ps->current.start);
        return;
    }
    sdb_parse_syntax_error(ps, message, ps->current.start, ps->current.end);
}

/* The next raw token: the one read ahead, if any, else a new one. */
static int next_token(SdbParseState *ps, SdbToken *tok)
{
    if (ps->have_lookahead) {
        *tok = ps->lookahead;
        ps->have_lookahead = false;
        return tok->code;
    }
    return sdb_scan(ps, tok);
}

/* The token after the current one, kept for the next call. */
static int peek_token(SdbParseState *ps)
{
    sdb_scan(ps, &ps->lookahead);
    ps->have_lookahead = true;
    return ps->lookahead.code;
}

/* Whether `c` may be a UESCAPE character (PostgreSQL's check_uescapechar). */
static bool valid_uescape(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
        return false;
    return !(c == '+' || c == '\'' || c == '"' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
}

/* Folds a UESCAPE clause after the U&'' string or U&"" identifier `tok`
 * into it and decodes its escapes; the token becomes SCONST or IDENT.
 * Returns its code, or the error token with the error recorded. */
static int apply_uescape(SdbParseState *ps, SdbToken *tok)
{
    char escape = '\\';
    if (peek_token(ps) == K_UESCAPE) {
        ps->have_lookahead = false;
        SdbToken esc;
        if (sdb_scan(ps, &esc) != SCONST || strlen(esc.value.str) != 1) {
            sdb_parse_syntax_error(ps, "UESCAPE must be followed by a simple string literal", esc.start, esc.end);
            return SDB_YYerror;
        }
        escape = esc.value.str[0];
        if (!valid_uescape(escape)) {
            sdb_parse_syntax_error(ps, "invalid Unicode escape character", esc.start, esc.end);
            return SDB_YYerror;
        }
        tok->end = esc.end;
    }
    char *text = sdb_scan_unicode_body(ps, tok->value.str, escape, tok->start);
    if (text == NULL)
        return SDB_YYerror;
    if (tok->code == UIDENT) {
        size_t n = strlen(text);
        if (n > SDB_MAX_IDENTIFIER_LEN) {
            n = SDB_MAX_IDENTIFIER_LEN;
            while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
                n--;
            text[n] = '\0';
        }
        tok->code = IDENT;
    } else {
        tok->code = SCONST;
    }
    tok->value.str = text;
    return tok->code;
}

/* Whether `code` is one of the `n` codes of `set`. */
static bool one_of(int code, const int *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == code)
            return true;
    return false;
}

int sdb_yylex(SdbSemValue *lval, int *lloc, SdbParseState *ps)
{
    static const int not_next[] = {K_BETWEEN, K_IN, K_LIKE, K_ILIKE, K_SIMILAR};
    static const int nulls_next[] = {K_FIRST, K_LAST};
    static const int with_next[] = {K_TIME, K_ORDINALITY};
    SdbToken *tok = &ps->current;
    int code = next_token(ps, tok);
    switch (code) {
    case K_NOT:
        if (one_of(peek_token(ps), not_next, sizeof not_next / sizeof not_next[0]))
            code = NOT_LA;
        break;
    case K_NULLS:
        if (one_of(peek_token(ps), nulls_next, sizeof nulls_next / sizeof nulls_next[0]))
            code = NULLS_LA;
        break;
    case K_WITH:
        if (one_of(peek_token(ps), with_next, sizeof with_next / sizeof with_next[0]))
            code = WITH_LA;
        break;
    case UIDENT:
    case USCONST:
        code = apply_uescape(ps, tok);
        break;
    default:
        break;
    }
    tok->code = code;
    *lval = tok->value;
    *lloc = tok->start;
    return code;
}

/* Offset just past the last non-space byte of input[start, end). */
static int trim_end(const char *buf, int start, int end)
{
    while (end > start && strchr(" \t\n\r\f", buf[end - 1]) != NULL)
        end--;
    return end;
}

/* Gives each statement its length: up to the ';' the grammar recorded, or
 * to the end of the input for the last one, without trailing white space. */
static void set_lengths(SdbParseState *ps)
{
    for (int i = 0; i < sdb_list_length(ps->stmts); i++) {
        SdbRawStmt *raw = (SdbRawStmt *)ps->stmts->items[i];
        int end = raw->stmt_len > 0 ? raw->stmt_location + raw->stmt_len : (int)ps->len;
        raw->stmt_len = trim_end(ps->buf, raw->stmt_location, end) - raw->stmt_location;
    }
}

/* The input, checked for invalid UTF-8 and NUL bytes, as a NUL-terminated
 * copy in the arena; NULL with 22021 (or 53200) recorded. */
static char *checked_copy(SdbArena *arena, const char *sql, size_t len)
{
    size_t bad = sdb_utf8_invalid_offset(sql, len);
    if (bad < len) {
        sdb_utf8_report_invalid(sql + bad, len - bad);
        sdb_error_position(sdb_utf8_char_count(sql, bad) + 1);
        return NULL;
    }
    return sdb_arena_strndup(arena, sql, len);
}

int sdb_parse(SdbArena *arena, const char *sql, size_t len, SdbParseResult *out)
{
    out->stmts = NULL;
    out->count = 0;
    if (len > (size_t)INT_MAX - 1)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "statement text of %zu bytes is too long", len);
    char *copy = checked_copy(arena, sql, len);
    if (copy == NULL)
        return SDB_ERROR;
    SdbParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = arena;
    ps.buf = copy;
    ps.len = len;
    if (setjmp(ps.oom) != 0)
        return SDB_ERROR; /* 53200 recorded by the arena */
    if (sdb_yyparse(&ps) != 0)
        return SDB_ERROR;
    set_lengths(&ps);
    out->stmts = ps.stmts;
    out->count = sdb_list_length(ps.stmts);
    return SDB_OK;
}
