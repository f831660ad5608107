/*
 * lexer.re: the SQL lexer (re2c), following PostgreSQL 15's scan.l.
 *
 * Owns the token rules: white space and comments (-- and nested slash-star),
 * identifiers (folded to lower case, truncated to 63 bytes, looked up in the
 * key word table), quoted identifiers, string literals ('...', E'...',
 * $tag$...$tag$, U&'...', B'...', X'...', with continuation across
 * newlines), numbers (rejecting trailing junk such as 123abc, as PostgreSQL
 * 15 does), $n parameters, operators (with PostgreSQL's rule for
 * trailing + and -) and punctuation.  Each token carries its byte extent.
 * A lexical error is recorded with its position and reported to the grammar
 * as the error token.  The input is NUL-terminated and holds no other NUL
 * (parser.c checks), so NUL is the end sentinel.
 *
 * re2c turns this file into lexer.c in the build directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "sdb_keywords.h"
#include "sql/parser_int.h"
#include "common/utf8.h"
#include "gram.h"

/* The grammar token of each key word. */
#define SDB_KEYWORD_TOKEN(name) K_##name,
static const int keyword_tokens[SDB_KEYWORD_COUNT] = {SDB_KEYWORD_LIST(SDB_KEYWORD_TOKEN)};
#undef SDB_KEYWORD_TOKEN

/* The kinds of '-quoted literal. */
typedef enum LiteralKind {
    LITERAL_STANDARD, /* '...' */
    LITERAL_EXTENDED, /* E'...' */
    LITERAL_UNICODE,  /* U&'...' (escapes decoded later, see UESCAPE) */
    LITERAL_BIT,      /* B'...' */
    LITERAL_HEX       /* X'...' */
} LiteralKind;

/* A lexical syntax error "MESSAGE at or near "input[start, end)"";
 * returns the error token. */
static int lex_error(SdbParseState *ps, const char *message, int start, int end)
{
    sdb_parse_syntax_error(ps, message, start, end);
    return SDB_YYerror;
}

/* Ends the token at `end` (yyless when end is before the match's end). */
static int finish(SdbParseState *ps, SdbToken *tok, int code, size_t end)
{
    ps->cursor = end;
    tok->end = (int)end;
    tok->code = code;
    return code;
}

static void buf_init(SdbParseState *ps, SdbStr *s)
{
    sdb_str_init(s, ps->arena);
    sdb_parse_check(ps, sdb_str_append(s, "", 0) == SDB_OK ? s : NULL);
}

static void buf_add(SdbParseState *ps, SdbStr *s, const char *data, size_t len)
{
    sdb_parse_check(ps, sdb_str_append(s, data, len) == SDB_OK ? s : NULL);
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Skips a nested slash-star comment whose opening is at `start` (the cursor
 * is just after the opening).  SDB_OK, or SDB_ERROR if it is unterminated. */
static int skip_block_comment(SdbParseState *ps, int start)
{
    const char *p = ps->buf + ps->cursor;
    int depth = 1;
    while (*p) {
        if (p[0] == '/' && p[1] == '*') {
            depth++;
            p += 2;
        } else if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0) {
                ps->cursor = (size_t)(p - ps->buf);
                return SDB_OK;
            }
        } else {
            p++;
        }
    }
    sdb_parse_syntax_error(ps, "unterminated /* comment", start, (int)ps->len);
    return SDB_ERROR;
}

/* After a closing quote at `p`: where the next segment of the same literal
 * starts if only white space holding a newline (and -- comments) separates
 * it from another quote ('foo'\n'bar' is 'foobar'), else NULL. */
static const char *continuation(const char *p)
{
    bool newline = false;
    for (;;) {
        if (*p == ' ' || *p == '\t' || *p == '\f') {
            p++;
        } else if (*p == '\n' || *p == '\r') {
            newline = true;
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n' && *p != '\r')
                p++;
        } else {
            return (newline && *p == '\'') ? p + 1 : NULL;
        }
    }
}

/* The code point of a \u / \U escape of an E'' string whose digits start at
 * `p` (`n` of them), or -1 if there are too few. */
static long escape_code_point(const char *p, int n)
{
    unsigned long cp = 0;
    for (int i = 0; i < n; i++) {
        if (!is_hex_digit(p[i]))
            return -1;
        cp = cp * 16 + hex_value(p[i]);
    }
    return (long)cp;
}

static bool is_high_surrogate(unsigned long cp)
{
    return cp >= 0xD800 && cp <= 0xDBFF;
}

static bool is_low_surrogate(unsigned long cp)
{
    return cp >= 0xDC00 && cp <= 0xDFFF;
}

static bool is_valid_code_point(unsigned long cp)
{
    return cp > 0 && cp <= 0x10FFFF;
}

/* Decodes one backslash escape of an E'' string at `p` (the backslash) into
 * `out`; returns the bytes consumed, or -1 with an error recorded.
 * `*high` carries a pending high surrogate between calls; `*non_ascii` is set
 * when the escape produced a byte that needs UTF-8 validation. */
static int extended_escape(SdbParseState *ps, SdbStr *out, const char *p, int start, unsigned long *high,
                           bool *non_ascii)
{
    char c = p[1], byte;
    if (c == 'u' || c == 'U') {
        int n = c == 'u' ? 4 : 8;
        long cp = escape_code_point(p + 2, n);
        if (cp < 0) {
            sdb_error(SDB_ERR_INVALID_ESCAPE_SEQUENCE, "invalid Unicode escape");
            sdb_error_hint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.");
            sdb_parse_error_position(ps, (int)(p - ps->buf));
            return -1;
        }
        int end = (int)(p - ps->buf) + 2 + n;
        if (*high != 0) {
            if (!is_low_surrogate((unsigned long)cp))
                return lex_error(ps, "invalid Unicode surrogate pair", start, end), -1;
            cp = (long)(((*high & 0x3FF) << 10) + 0x10000 + ((unsigned long)cp & 0x3FF));
            *high = 0;
        } else if (is_high_surrogate((unsigned long)cp)) {
            *high = (unsigned long)cp;
            return 2 + n;
        } else if (is_low_surrogate((unsigned long)cp)) {
            return lex_error(ps, "invalid Unicode surrogate pair", start, end), -1;
        }
        if (!is_valid_code_point((unsigned long)cp))
            return lex_error(ps, "invalid Unicode escape value", start, end), -1;
        char utf8[4];
        buf_add(ps, out, utf8, (size_t)sdb_utf8_encode((unsigned)cp, utf8));
        return 2 + n;
    }
    if (*high != 0)
        return lex_error(ps, "invalid Unicode surrogate pair", start, (int)(p - ps->buf) + 2), -1;
    int used = 2;
    if (c >= '0' && c <= '7') {
        unsigned v = 0;
        for (used = 1; used <= 3 && p[used] >= '0' && p[used] <= '7'; used++)
            v = v * 8 + (unsigned)(p[used] - '0');
        byte = (char)(v & 0xFF);
    } else if (c == 'x' && is_hex_digit(p[2])) {
        unsigned v = hex_value(p[2]);
        used = 3;
        if (is_hex_digit(p[3])) {
            v = v * 16 + hex_value(p[3]);
            used = 4;
        }
        byte = (char)v;
    } else {
        switch (c) {
        case 'b': byte = '\b'; break;
        case 'f': byte = '\f'; break;
        case 'n': byte = '\n'; break;
        case 'r': byte = '\r'; break;
        case 't': byte = '\t'; break;
        default: byte = c; break;
        }
    }
    if (byte == '\0' || (unsigned char)byte >= 0x80)
        *non_ascii = true;
    buf_add(ps, out, &byte, 1);
    return used;
}

/* Checks the digits of a B'' or X'' literal (22P02 as the bit types do). */
static int check_bit_digits(SdbParseState *ps, const SdbStr *body, LiteralKind kind, int start)
{
    for (size_t i = 0; i < body->len; i++) {
        char c = body->data[i];
        bool ok = kind == LITERAL_BIT ? (c == '0' || c == '1') : is_hex_digit(c);
        if (!ok) {
            size_t clen = 1; /* the whole (UTF-8) character, for the message */
            while (i + clen < body->len && ((unsigned char)body->data[i + clen] & 0xC0) == 0x80)
                clen++;
            sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "\"%.*s\" is not a valid %s digit", (int)clen,
                      body->data + i, kind == LITERAL_BIT ? "binary" : "hexadecimal");
            sdb_parse_error_position(ps, start);
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* Scans a '-quoted literal whose body starts at the cursor; `tok->start` is
 * where the literal (with its prefix) starts. */
static int scan_quoted(SdbParseState *ps, SdbToken *tok, LiteralKind kind)
{
    static const char *const unterminated[] = {
        [LITERAL_STANDARD] = "unterminated quoted string", [LITERAL_EXTENDED] = "unterminated quoted string",
        [LITERAL_UNICODE] = "unterminated quoted string", [LITERAL_BIT] = "unterminated bit string literal",
        [LITERAL_HEX] = "unterminated hexadecimal string literal"};
    SdbStr out;
    buf_init(ps, &out);
    const char *p = ps->buf + ps->cursor;
    unsigned long high = 0;
    bool non_ascii = false;
    for (;;) {
        if (*p == '\0')
            return lex_error(ps, unterminated[kind], tok->start, (int)ps->len);
        if (*p == '\'' && p[1] == '\'') {
            buf_add(ps, &out, "'", 1);
            p += 2;
        } else if (*p == '\'') {
            const char *next = continuation(p + 1);
            if (next == NULL) {
                p++;
                break;
            }
            p = next;
        } else if (*p == '\\' && kind == LITERAL_EXTENDED) {
            if (p[1] == '\0')
                return lex_error(ps, unterminated[kind], tok->start, (int)ps->len);
            int used = extended_escape(ps, &out, p, tok->start, &high, &non_ascii);
            if (used < 0)
                return SDB_YYerror;
            p += used;
        } else {
            if (high != 0)
                return lex_error(ps, "invalid Unicode surrogate pair", tok->start, (int)(p - ps->buf));
            buf_add(ps, &out, p, 1);
            p++;
        }
    }
    if (high != 0)
        return lex_error(ps, "invalid Unicode surrogate pair", tok->start, (int)(p - ps->buf));
    size_t end = (size_t)(p - ps->buf);
    if (non_ascii) {
        size_t bad = sdb_utf8_invalid_offset(out.data, out.len);
        if (bad < out.len) {
            sdb_utf8_report_invalid(out.data + bad, out.len - bad);
            sdb_parse_error_position(ps, tok->start);
            return SDB_YYerror;
        }
    }
    if (kind == LITERAL_BIT || kind == LITERAL_HEX) {
        if (check_bit_digits(ps, &out, kind, tok->start) != SDB_OK)
            return SDB_YYerror;
        char *value = sdb_parse_alloc(ps, out.len + 2);
        value[0] = kind == LITERAL_BIT ? 'b' : 'x';
        memcpy(value + 1, out.data, out.len + 1);
        tok->value.str = value;
        return finish(ps, tok, kind == LITERAL_BIT ? BCONST : XCONST, end);
    }
    tok->value.str = out.data;
    return finish(ps, tok, kind == LITERAL_UNICODE ? USCONST : SCONST, end);
}

/* Byte length of the longest prefix of `s` (`len` bytes) that fits in an
 * identifier without splitting a UTF-8 character. */
static size_t identifier_clip(const char *s, size_t len)
{
    if (len <= SDB_MAX_IDENTIFIER_LEN)
        return len;
    size_t n = SDB_MAX_IDENTIFIER_LEN;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Scans a "-quoted identifier whose body starts at the cursor. */
static int scan_quoted_identifier(SdbParseState *ps, SdbToken *tok, bool unicode)
{
    SdbStr out;
    buf_init(ps, &out);
    const char *p = ps->buf + ps->cursor;
    for (;;) {
        if (*p == '\0')
            return lex_error(ps, "unterminated quoted identifier", tok->start, (int)ps->len);
        if (*p == '"' && p[1] == '"') {
            buf_add(ps, &out, "\"", 1);
            p += 2;
        } else if (*p == '"') {
            p++;
            break;
        } else {
            buf_add(ps, &out, p, 1);
            p++;
        }
    }
    size_t end = (size_t)(p - ps->buf);
    if (out.len == 0)
        return lex_error(ps, "zero-length delimited identifier", tok->start, (int)end);
    if (!unicode)
        out.data[identifier_clip(out.data, out.len)] = '\0';
    tok->value.str = out.data;
    return finish(ps, tok, unicode ? UIDENT : IDENT, end);
}

/* Scans a dollar-quoted string; the opening delimiter is input[tok->start,
 * cursor). */
static int scan_dollar_quoted(SdbParseState *ps, SdbToken *tok)
{
    size_t delim_len = ps->cursor - (size_t)tok->start;
    char *delim = sdb_parse_strndup(ps, ps->buf + tok->start, delim_len);
    const char *body = ps->buf + ps->cursor;
    const char *close = strstr(body, delim);
    if (close == NULL)
        return lex_error(ps, "unterminated dollar-quoted string", tok->start, (int)ps->len);
    tok->value.str = sdb_parse_strndup(ps, body, (size_t)(close - body));
    return finish(ps, tok, SCONST, (size_t)(close - ps->buf) + delim_len);
}

/* An identifier or key word at input[tok->start, end). */
static int scan_identifier(SdbParseState *ps, SdbToken *tok, size_t end)
{
    const char *text = ps->buf + tok->start;
    size_t len = end - (size_t)tok->start;
    int keyword = sdb_keyword_lookup(text, len);
    if (keyword >= 0) {
        tok->value.keyword = sdb_keywords[keyword].name;
        return finish(ps, tok, keyword_tokens[keyword], end);
    }
    len = identifier_clip(text, len);
    char *ident = sdb_parse_strndup(ps, text, len);
    for (size_t i = 0; i < len; i++)
        if (ident[i] >= 'A' && ident[i] <= 'Z')
            ident[i] = (char)(ident[i] + ('a' - 'A'));
    tok->value.str = ident;
    return finish(ps, tok, IDENT, end);
}

/* An integer at input[tok->start, end): ICONST if it fits in 32 bits, else
 * FCONST with its text (also for a decimal "1.5" thrown back here). */
static int scan_integer(SdbParseState *ps, SdbToken *tok, size_t end)
{
    const char *text = ps->buf + tok->start;
    size_t len = end - (size_t)tok->start;
    char *copy = sdb_parse_strndup(ps, text, len);
    char *rest;
    errno = 0;
    long value = strtol(copy, &rest, 10);
    if (errno == 0 && *rest == '\0' && value <= INT_MAX) {
        tok->value.ival = (int)value;
        return finish(ps, tok, ICONST, end);
    }
    tok->value.str = copy;
    return finish(ps, tok, FCONST, end);
}

/* A $n parameter at input[tok->start, end). */
static int scan_param(SdbParseState *ps, SdbToken *tok, size_t end)
{
    errno = 0;
    long value = strtol(ps->buf + tok->start + 1, NULL, 10);
    if (errno != 0 || value > INT_MAX)
        return lex_error(ps, "parameter number too large", tok->start, (int)end);
    tok->value.ival = (int)value;
    return finish(ps, tok, PARAM, end);
}

/* An operator: the run of operator characters at input[tok->start, end),
 * cut before any comment start, with trailing + and - removed unless the
 * operator holds one of ~ ! @ # % ^ & | ` ? (so "1+-2" is "1 + -2"). */
static int scan_operator(SdbParseState *ps, SdbToken *tok, size_t end)
{
    const char *text = ps->buf + tok->start;
    size_t n = end - (size_t)tok->start;
    for (size_t i = 0; i + 1 < n; i++) {
        if ((text[i] == '/' && text[i + 1] == '*') || (text[i] == '-' && text[i + 1] == '-')) {
            n = i;
            break;
        }
    }
    if (n > 1 && (text[n - 1] == '+' || text[n - 1] == '-')) {
        bool special = false;
        for (size_t i = 0; i + 1 < n; i++)
            if (strchr("~!@#^&|`?%", text[i]))
                special = true;
        while (!special && n > 1 && (text[n - 1] == '+' || text[n - 1] == '-'))
            n--;
    }
    end = (size_t)tok->start + n;
    if (n == 1 && strchr("+-*/%^<>=", text[0]))
        return finish(ps, tok, (unsigned char)text[0], end);
    if (n == 2) {
        static const struct { const char *text; int code; } pairs[] = {
            {"=>", EQUALS_GREATER}, {">=", GREATER_EQUALS}, {"<=", LESS_EQUALS},
            {"<>", NOT_EQUALS},     {"!=", NOT_EQUALS}};
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
            if (memcmp(text, pairs[i].text, 2) == 0)
                return finish(ps, tok, pairs[i].code, end);
    }
    if (n > SDB_MAX_IDENTIFIER_LEN)
        return lex_error(ps, "operator too long", tok->start, (int)end);
    tok->value.str = sdb_parse_strndup(ps, text, n);
    return finish(ps, tok, Op, end);
}

int sdb_scan(SdbParseState *ps, SdbToken *tok)
{
    const unsigned char *base = (const unsigned char *)ps->buf;
    for (;;) {
        const unsigned char *YYCURSOR = base + ps->cursor;
        const unsigned char *YYMARKER = YYCURSOR;
        const unsigned char *start = YYCURSOR;
        tok->start = (int)ps->cursor;
        tok->value.str = NULL;
#define END ((size_t)(YYCURSOR - base))
#define BACK(n) ((size_t)(YYCURSOR - base) - (n))
        /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:yyfill:enable = 0;
        re2c:indent:top = 2;

        space = [ \t\n\r\f];
        ident_start = [A-Za-z\x80-\xff_];
        ident_cont = [A-Za-z\x80-\xff_0-9$];
        dolq_start = [A-Za-z\x80-\xff_];
        dolq_cont = [A-Za-z\x80-\xff_0-9];
        op_chars = [~!@#^&|`?+\-*/%<>=];
        digit = [0-9];
        integer = digit+;
        decimal = (digit* "." digit+) | (digit+ "." digit*);
        real = (integer | decimal) [Ee] [-+]? digit+;

        "\x00" { tok->end = tok->start; tok->code = 0; return 0; }
        space+ { ps->cursor = END; continue; }
        "--" [^\n\r\x00]* { ps->cursor = END; continue; }
        "/*" op_chars* {
            ps->cursor = (size_t)(start - base) + 2;
            if (skip_block_comment(ps, tok->start) != SDB_OK)
                return tok->code = SDB_YYerror;
            continue;
        }
        [bB] "'" { ps->cursor = END; return scan_quoted(ps, tok, LITERAL_BIT); }
        [xX] "'" { ps->cursor = END; return scan_quoted(ps, tok, LITERAL_HEX); }
        [eE] "'" { ps->cursor = END; return scan_quoted(ps, tok, LITERAL_EXTENDED); }
        [uU] "&'" { ps->cursor = END; return scan_quoted(ps, tok, LITERAL_UNICODE); }
        "'" { ps->cursor = END; return scan_quoted(ps, tok, LITERAL_STANDARD); }
        [uU] "&\"" { ps->cursor = END; return scan_quoted_identifier(ps, tok, true); }
        "\"" { ps->cursor = END; return scan_quoted_identifier(ps, tok, false); }
        "$" (dolq_start dolq_cont*)? "$" { ps->cursor = END; return scan_dollar_quoted(ps, tok); }
        "$" integer { return scan_param(ps, tok, END); }
        "$" integer ident_start { return lex_error(ps, "trailing junk after parameter", tok->start, (int)END); }
        integer { return scan_integer(ps, tok, END); }
        decimal { tok->value.str = sdb_parse_strndup(ps, (const char *)start, END - (size_t)tok->start);
                  return finish(ps, tok, FCONST, END); }
        integer ".." { return scan_integer(ps, tok, BACK(2)); }
        real {
            tok->value.str = sdb_parse_strndup(ps, (const char *)start, END - (size_t)tok->start);
            return finish(ps, tok, FCONST, END);
        }
        (integer | decimal) [Ee] [-+] | (integer | decimal | real) ident_start {
            return lex_error(ps, "trailing junk after numeric literal", tok->start, (int)END);
        }
        ident_start ident_cont* { return scan_identifier(ps, tok, END); }
        "::" { return finish(ps, tok, TYPECAST, END); }
        ".." { return finish(ps, tok, DOT_DOT, END); }
        ":=" { return finish(ps, tok, COLON_EQUALS, END); }
        [,()[\].;:] { return finish(ps, tok, *start, END); }
        op_chars+ { return scan_operator(ps, tok, END); }
        * { return finish(ps, tok, *start, END); }
        */
#undef END
#undef BACK
    }
}

/* ---- U&'...' and U&"..." ------------------------------------------------- */

/* Whether the `n` bytes at `p` are hex digits. */
static bool hex_run(const char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_hex_digit(p[i]))
            return false;
    return true;
}

/* Reports a bad U& escape at body offset `at` (42601 with PostgreSQL's hint). */
static char *unicode_escape_error(SdbParseState *ps, const char *message, int start, size_t at)
{
    sdb_error(SDB_ERR_SYNTAX_ERROR, "%s", message);
    if (strcmp(message, "invalid Unicode escape") == 0)
        sdb_error_hint("Unicode escapes must be \\XXXX or \\+XXXXXX.");
    sdb_parse_error_position(ps, start + 3 + (int)at);
    return NULL;
}

char *sdb_scan_unicode_body(SdbParseState *ps, const char *body, char escape, int start)
{
    SdbStr out;
    buf_init(ps, &out);
    unsigned long high = 0;
    size_t i = 0;
    while (body[i]) {
        if (body[i] != escape) {
            if (high != 0)
                return unicode_escape_error(ps, "invalid Unicode surrogate pair", start, i);
            buf_add(ps, &out, body + i, 1);
            i++;
            continue;
        }
        unsigned long cp;
        size_t used;
        if (body[i + 1] == escape) {
            if (high != 0)
                return unicode_escape_error(ps, "invalid Unicode surrogate pair", start, i);
            buf_add(ps, &out, &escape, 1);
            i += 2;
            continue;
        } else if (hex_run(body + i + 1, 4)) {
            cp = (unsigned long)escape_code_point(body + i + 1, 4);
            used = 5;
        } else if (body[i + 1] == '+' && hex_run(body + i + 2, 6)) {
            cp = (unsigned long)escape_code_point(body + i + 2, 6);
            used = 8;
        } else {
            return unicode_escape_error(ps, "invalid Unicode escape", start, i);
        }
        if (high != 0) {
            if (!is_low_surrogate(cp))
                return unicode_escape_error(ps, "invalid Unicode surrogate pair", start, i);
            cp = ((high & 0x3FF) << 10) + 0x10000 + (cp & 0x3FF);
            high = 0;
        } else if (is_high_surrogate(cp)) {
            high = cp;
            i += used;
            continue;
        } else if (is_low_surrogate(cp)) {
            return unicode_escape_error(ps, "invalid Unicode surrogate pair", start, i);
        }
        if (!is_valid_code_point(cp))
            return unicode_escape_error(ps, "invalid Unicode escape value", start, i);
        char utf8[4];
        buf_add(ps, &out, utf8, (size_t)sdb_utf8_encode((unsigned)cp, utf8));
        i += used;
    }
    if (high != 0)
        return unicode_escape_error(ps, "invalid Unicode surrogate pair", start, i);
    return out.data;
}
