/*
 * types/json.c: json (validated strictly per RFC 8259 with PostgreSQL's
 * error details, stored as the text given) and jsonb (parsed into a
 * canonical binary tree, printed as PostgreSQL prints it).
 *
 * jsonb payload: one node, recursively.  A node is a tag byte, then:
 *   null/false/true   nothing
 *   number            uint32 n, then n bytes: a numeric payload (numeric.h)
 *   string            uint32 n, then n bytes of UTF-8 (escapes resolved)
 *   array             uint32 count, uint32 bytes, then `count` nodes
 *   object            uint32 count, uint32 bytes, then `count` pairs of
 *                     (uint32 n, key bytes, node), keys sorted by length
 *                     then bytes, unique (the last duplicate wins)
 * (uint32s in native byte order; `bytes` is the size of what follows).
 * Comparison, hashing and keys use the order-preserving encoding, which
 * follows PostgreSQL's jsonb order: null < string < number < boolean <
 * array < object; containers by size first, then member by member; an
 * empty top-level array first of all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "types/jsonb.h"
#include "types/keycode.h"
#include "types/numeric.h"
#include "types/typefuncs.h"

enum { JB_NULL, JB_FALSE, JB_TRUE, JB_NUMBER, JB_STRING, JB_ARRAY, JB_OBJECT };

#define JSON_MAX_DEPTH 2048 /* nesting levels; the parser and printers recurse */

/* A parsed value (jsonb builds these; json only validates). */
typedef struct JNode JNode;
struct JNode {
    int tag;
    const char *str; /* string bytes or key; number: numeric payload */
    size_t len;
    JNode *first;    /* children (array elements or object values) */
    JNode *next;
    const char *key; /* for object members */
    size_t keylen;
    size_t count;
    const char *src; /* the value's text in the document */
    size_t srclen;
};

typedef struct JParser {
    const char *text; /* whole input, for messages */
    const char *p;
    SdbArena *arena;
    bool build; /* jsonb: build nodes and decode strings */
    int depth;
} JParser;

static void skip_ws(JParser *jp)
{
    while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')
        jp->p++;
}

/* 22P02 invalid input syntax for type json, with a printf-style detail. */
SDB_PRINTF(1, 2) static int json_error(const char *detail_fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    va_end(ap);
    sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json");
    sdb_error_detail("%s", detail);
    return SDB_ERROR;
}

static bool json_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* Length of the token at p as PostgreSQL's lexer reports it: a string with
 * its quotes, a number's characters plus any letters glued to it, a word,
 * or one character. */
static int token_len(const char *p)
{
    int n = 0;
    if (*p == '\0')
        return 0;
    if (*p == '"') {
        for (n = 1; p[n] != '\0' && p[n] != '"'; n++)
            if (p[n] == '\\' && p[n + 1] != '\0')
                n++;
        return p[n] == '"' ? n + 1 : n;
    }
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        n = 1;
        while (strchr("0123456789.eE+-", p[n]) != NULL && p[n] != '\0')
            n++;
    }
    while (json_alnum(p[n]))
        n++;
    return n > 0 ? n : 1;
}

static int err_found(JParser *jp, const char *expected)
{
    if (*jp->p == '\0')
        return json_error("The input string ended unexpectedly.");
    return json_error("%s, but found \"%.*s\".", expected, token_len(jp->p), jp->p);
}

/* RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? of exactly n bytes. */
static bool valid_number(const char *s, int n)
{
    int i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        int start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        int start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    return i == n;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static int append_utf8(SdbStr *s, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return sdb_str_append(s, b, n);
}

/* A \uXXXX escape (and its low surrogate) at jp->p (after the backslash-u).
 * json only checks the hex digits, as PostgreSQL does when it need not
 * de-escape; jsonb decodes to UTF-8 and checks surrogate pairs. */
static int unicode_escape(JParser *jp, SdbStr *out)
{
    int cp = hex4(jp->p);
    if (cp < 0)
        return json_error("\"\\u\" must be followed by four hexadecimal digits.");
    jp->p += 4;
    if (!jp->build)
        return SDB_OK;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return json_error("Unicode low surrogate must follow a high surrogate.");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = (jp->p[0] == '\\' && jp->p[1] == 'u') ? hex4(jp->p + 2) : -1;
        if (lo >= 0xD800 && lo <= 0xDBFF)
            return json_error("Unicode high surrogate must not follow a high surrogate.");
        if (lo < 0xDC00 || lo > 0xDFFF)
            return json_error("Unicode low surrogate must follow a high surrogate.");
        jp->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0) {
        sdb_error(SDB_ERR_UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence");
        sdb_error_detail("\\u0000 cannot be converted to text.");
        return SDB_ERROR;
    }
    return append_utf8(out, (uint32_t)cp);
}

/* A string at jp->p (on the opening quote); decoded into s and len when building. */
static int parse_string(JParser *jp, const char **s, size_t *len)
{
    SdbStr out;
    sdb_str_init(&out, jp->arena);
    const char *start = jp->p++;
    for (;;) {
        unsigned char c = (unsigned char)*jp->p;
        if (c == '\0')
            return json_error("Token \"%s\" is invalid.", start);
        if (c == '"')
            break;
        if (c < 0x20)
            return json_error("Character with value 0x%02x must be escaped.", c);
        if (c != '\\') {
            if (jp->build && sdb_str_append_char(&out, (char)c) != SDB_OK)
                return SDB_ERROR;
            jp->p++;
            continue;
        }
        char e = jp->p[1];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e != '\0' ? strchr(from, e) : NULL;
        jp->p += 2;
        if (e == 'u') {
            if (unicode_escape(jp, &out) != SDB_OK)
                return SDB_ERROR;
        } else if (k != NULL) {
            if (jp->build && sdb_str_append_char(&out, to[k - from]) != SDB_OK)
                return SDB_ERROR;
        } else {
            return json_error("Escape sequence \"\\%.*s\" is invalid.", sdb_utf8_char_bytes(jp->p - 1), jp->p - 1);
        }
    }
    jp->p++;
    *s = out.data;
    *len = out.len;
    return SDB_OK;
}

/* What the parse functions return for json, which is only validated. */
static JNode validated;

/* A new node for jsonb; for json the shared `validated` marker. */
static JNode *new_node(JParser *jp, int tag)
{
    if (!jp->build)
        return &validated;
    JNode *n = sdb_arena_calloc(jp->arena, 1, sizeof *n);
    if (n != NULL)
        n->tag = tag;
    return n;
}

static JNode *parse_value(JParser *jp);

/* An array or object at jp->p (on '[' or '{'). */
static JNode *parse_container(JParser *jp, bool object)
{
    if (++jp->depth > JSON_MAX_DEPTH) {
        sdb_error(SDB_ERR_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        return NULL;
    }
    JNode *n = new_node(jp, object ? JB_OBJECT : JB_ARRAY), **tail = NULL;
    if (n == NULL)
        return NULL;
    if (jp->build)
        tail = &n->first;
    jp->p++;
    skip_ws(jp);
    char close = object ? '}' : ']';
    size_t n_members = 0;
    if (*jp->p == close) {
        jp->p++;
        jp->depth--;
        return n;
    }
    for (;;) {
        const char *key = NULL;
        size_t keylen = 0;
        if (object) {
            if (*jp->p != '"')
                return err_found(jp, n_members == 0 ? "Expected string or \"}\"" : "Expected string"), NULL;
            if (parse_string(jp, &key, &keylen) != SDB_OK)
                return NULL;
            skip_ws(jp);
            if (*jp->p != ':')
                return err_found(jp, "Expected \":\""), NULL;
            jp->p++;
        }
        JNode *child = parse_value(jp);
        if (child == NULL)
            return NULL;
        n_members++;
        if (jp->build) {
            child->key = key;
            child->keylen = keylen;
            *tail = child;
            tail = &child->next;
            n->count++;
        }
        skip_ws(jp);
        if (*jp->p == ',') {
            jp->p++;
            skip_ws(jp);
            continue;
        }
        if (*jp->p == close)
            break;
        return err_found(jp, object ? "Expected \",\" or \"}\"" : "Expected \",\" or \"]\""), NULL;
    }
    jp->p++;
    jp->depth--;
    return n;
}

/* A scalar token: literal or number. */
static JNode *parse_scalar(JParser *jp)
{
    int n = token_len(jp->p);
    const char *s = jp->p;
    static const struct {
        const char *word;
        int tag;
    } words[] = {{"null", JB_NULL}, {"false", JB_FALSE}, {"true", JB_TRUE}};
    for (size_t i = 0; i < 3; i++)
        if ((size_t)n == strlen(words[i].word) && strncmp(s, words[i].word, (size_t)n) == 0) {
            jp->p += n;
            return new_node(jp, words[i].tag);
        }
    if (!valid_number(s, n)) {
        json_error("Token \"%.*s\" is invalid.", n, s);
        return NULL;
    }
    jp->p += n;
    JNode *node = new_node(jp, JB_NUMBER);
    if (node == NULL || !jp->build)
        return node;
    char *num = sdb_arena_strndup(jp->arena, s, (size_t)n);
    SdbTypeCtx nctx = {.arena = jp->arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1};
    SdbDatum d;
    if (num == NULL || sdb_numeric_in(&nctx, num, &d) != SDB_OK)
        return NULL;
    node->str = (const char *)sdb_datum_varlena(d)->data;
    node->len = sdb_datum_varlena(d)->len;
    return node;
}

static JNode *parse_value_at(JParser *jp);

/* A value, its source span recorded when building. */
static JNode *parse_value(JParser *jp)
{
    skip_ws(jp);
    const char *start = jp->p;
    JNode *n = parse_value_at(jp);
    if (n != NULL && jp->build) {
        n->src = start;
        n->srclen = (size_t)(jp->p - start);
    }
    return n;
}

static JNode *parse_value_at(JParser *jp)
{
    switch (*jp->p) {
    case '{':
    case '[':
        return parse_container(jp, *jp->p == '{');
    case '"': {
        JNode *n = new_node(jp, JB_STRING);
        const char *s;
        size_t len;
        if (n == NULL || parse_string(jp, &s, &len) != SDB_OK)
            return NULL;
        if (jp->build) {
            n->str = s;
            n->len = len;
        }
        return n;
    }
    case '\0':
    case ',':
    case ':':
    case ']':
    case '}':
        return err_found(jp, "Expected JSON value"), NULL;
    default:
        return parse_scalar(jp);
    }
}

/* Parse a whole document; NULL (error recorded) if invalid. */
static JNode *parse_document(SdbArena *arena, const char *text, bool build)
{
    JParser jp = {.text = text, .p = text, .arena = arena, .build = build};
    JNode *root = parse_value(&jp);
    if (root == NULL)
        return NULL;
    skip_ws(&jp);
    if (*jp.p != '\0')
        return err_found(&jp, "Expected end of input"), NULL;
    return root;
}

/* --- json ----------------------------------------------------------------- */

int sdb_json_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    size_t len = strlen(text);
    if (sdb_utf8_verify(text, len) != SDB_OK || parse_document(ctx->arena, text, false) == NULL)
        return SDB_ERROR;
    return sdb_varlena_make(ctx->arena, text, len, out);
}

/* The rest of `buf` as a C string of valid UTF-8 (NULL, error recorded, if not). */
static char *recv_text(const SdbTypeCtx *ctx, SdbRecvBuf *buf)
{
    const unsigned char *p = NULL;
    size_t n = buf->len - buf->pos;
    if (sdb_recv_bytes(buf, n, &p) != SDB_OK || sdb_utf8_verify(p, n) != SDB_OK)
        return NULL;
    return sdb_arena_strndup(ctx->arena, (const char *)p, n);
}

/* json_recv: the text, validated. */
int sdb_json_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    char *text = recv_text(ctx, buf);
    return text != NULL ? sdb_json_in(ctx, text, out) : SDB_ERROR;
}

/* --- jsonb: canonical form ----------------------------------------------- */

static int key_cmp(const JNode *a, const JNode *b)
{
    if (a->keylen != b->keylen)
        return a->keylen < b->keylen ? -1 : 1;
    return memcmp(a->key, b->key, a->keylen);
}

/* Sort an object's members (stable merge sort on the list) and drop
 * earlier duplicates. */
static JNode *sort_members(JNode *list, size_t n)
{
    if (n <= 1)
        return list;
    JNode *mid = list;
    for (size_t i = 1; i < n / 2; i++)
        mid = mid->next;
    JNode *right = mid->next;
    mid->next = NULL;
    JNode *a = sort_members(list, n / 2), *b = sort_members(right, n - n / 2), *head = NULL, **tail = &head;
    while (a != NULL && b != NULL) {
        JNode **take = key_cmp(a, b) <= 0 ? &a : &b;
        *tail = *take;
        tail = &(*take)->next;
        *take = (*take)->next;
    }
    *tail = a != NULL ? a : b;
    return head;
}

static void canonicalize(JNode *n)
{
    if (n->tag != JB_ARRAY && n->tag != JB_OBJECT)
        return;
    for (JNode *c = n->first; c != NULL; c = c->next)
        canonicalize(c);
    if (n->tag != JB_OBJECT)
        return;
    n->first = sort_members(n->first, n->count);
    n->count = 0;
    for (JNode *c = n->first; c != NULL; c = c->next) {
        while (c->next != NULL && key_cmp(c, c->next) == 0) /* stable sort: the later duplicate wins */
            *c = *c->next;
        n->count++;
    }
}

static int put_u32(SdbStr *s, size_t v)
{
    uint32_t w = (uint32_t)v;
    return sdb_str_append(s, &w, 4);
}

static int serialize(SdbStr *s, const JNode *n)
{
    if (sdb_str_append_char(s, (char)n->tag) != SDB_OK)
        return SDB_ERROR;
    if (n->tag == JB_NUMBER || n->tag == JB_STRING)
        return put_u32(s, n->len) != SDB_OK ? SDB_ERROR : sdb_str_append(s, n->str, n->len);
    if (n->tag != JB_ARRAY && n->tag != JB_OBJECT)
        return SDB_OK;
    if (put_u32(s, n->count) != SDB_OK || put_u32(s, 0) != SDB_OK)
        return SDB_ERROR;
    size_t size_at = s->len - 4;
    for (const JNode *c = n->first; c != NULL; c = c->next) {
        if (n->tag == JB_OBJECT &&
            (put_u32(s, c->keylen) != SDB_OK || sdb_str_append(s, c->key, c->keylen) != SDB_OK))
            return SDB_ERROR;
        if (serialize(s, c) != SDB_OK)
            return SDB_ERROR;
    }
    uint32_t size = (uint32_t)(s->len - size_at - 4);
    memcpy(s->data + size_at, &size, 4);
    return SDB_OK;
}

int sdb_jsonb_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    if (sdb_utf8_verify(text, strlen(text)) != SDB_OK)
        return SDB_ERROR;
    JNode *root = parse_document(ctx->arena, text, true);
    if (root == NULL)
        return SDB_ERROR;
    canonicalize(root);
    SdbStr s;
    sdb_str_init(&s, ctx->arena);
    if (serialize(&s, root) != SDB_OK)
        return SDB_ERROR;
    return sdb_varlena_make(ctx->arena, s.data, s.len, out);
}

/* --- jsonb: reading the canonical form ---------------------------------- */

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Bytes taken by the node at p. */
static size_t node_size(const unsigned char *p)
{
    switch (p[0]) {
    case JB_NUMBER:
    case JB_STRING:
        return 5 + get_u32(p + 1);
    case JB_ARRAY:
    case JB_OBJECT:
        return 9 + get_u32(p + 5);
    default:
        return 1;
    }
}

static int append_json_string(SdbStr *out, const unsigned char *s, size_t n)
{
    if (sdb_str_append_char(out, '"') != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        int rc = esc != NULL ? sdb_str_append_cstr(out, esc)
                 : c < 0x20  ? sdb_str_appendf(out, "\\u%04x", c)
                             : sdb_str_append_char(out, (char)c);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_str_append_char(out, '"');
}

/* A numeric payload as a temporary datum. */
static int number_text(const unsigned char *payload, size_t n, SdbStr *out)
{
    SdbArena *scratch = sdb_arena_create(NULL, "jsonb number", 0);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbDatum d;
    int rc = sdb_varlena_make(scratch, payload, n, &d);
    if (rc == SDB_OK)
        rc = sdb_numeric_out(NULL, d, out);
    sdb_arena_destroy(scratch);
    return rc;
}

static int node_out(const unsigned char *p, SdbStr *out)
{
    switch (p[0]) {
    case JB_NULL:
        return sdb_str_append_cstr(out, "null");
    case JB_FALSE:
        return sdb_str_append_cstr(out, "false");
    case JB_TRUE:
        return sdb_str_append_cstr(out, "true");
    case JB_NUMBER:
        return number_text(p + 5, get_u32(p + 1), out);
    case JB_STRING:
        return append_json_string(out, p + 5, get_u32(p + 1));
    default:
        break;
    }
    bool object = p[0] == JB_OBJECT;
    uint32_t count = get_u32(p + 1);
    const unsigned char *c = p + 9;
    if (sdb_str_append_char(out, object ? '{' : '[') != SDB_OK)
        return SDB_ERROR;
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0 && sdb_str_append(out, ", ", 2) != SDB_OK)
            return SDB_ERROR;
        if (object) {
            uint32_t klen = get_u32(c);
            if (append_json_string(out, c + 4, klen) != SDB_OK || sdb_str_append(out, ": ", 2) != SDB_OK)
                return SDB_ERROR;
            c += 4 + klen;
        }
        if (node_out(c, out) != SDB_OK)
            return SDB_ERROR;
        c += node_size(c);
    }
    return sdb_str_append_char(out, object ? '}' : ']');
}

int sdb_jsonb_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx;
    return node_out(sdb_datum_varlena(value)->data, out);
}

#define JSONB_VERSION 1

int sdb_jsonb_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    if (sdb_send_u8(out, JSONB_VERSION) != SDB_OK)
        return SDB_ERROR;
    return sdb_jsonb_out(ctx, value, out);
}

int sdb_jsonb_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    uint8_t version;
    if (sdb_recv_u8(buf, &version) != SDB_OK)
        return SDB_ERROR;
    if (version != JSONB_VERSION)
        return sdb_error(SDB_ERR_INVALID_BINARY_REPRESENTATION, "unsupported jsonb version number %d", version);
    char *text = recv_text(ctx, buf);
    return text != NULL ? sdb_jsonb_in(ctx, text, out) : SDB_ERROR;
}

/* --- jsonb: order -------------------------------------------------------- */

/* Key tags in PostgreSQL's jsonb type order. */
static uint8_t key_tag(uint8_t tag)
{
    static const uint8_t order[] = {[JB_NULL] = 1, [JB_STRING] = 2, [JB_NUMBER] = 3, [JB_FALSE] = 4,
                                    [JB_TRUE] = 4, [JB_ARRAY] = 5,  [JB_OBJECT] = 6};
    return order[tag];
}

static int node_key(const unsigned char *p, SdbStr *out)
{
    if (sdb_send_u8(out, key_tag(p[0])) != SDB_OK)
        return SDB_ERROR;
    switch (p[0]) {
    case JB_NULL:
        return SDB_OK;
    case JB_FALSE:
    case JB_TRUE:
        return sdb_send_u8(out, p[0] == JB_TRUE);
    case JB_STRING:
        return sdb_key_bytes(out, p + 5, get_u32(p + 1));
    case JB_NUMBER: {
        SdbVarlena *v = sdb_varlena_alloc(out->arena, get_u32(p + 1));
        if (v == NULL)
            return SDB_ERROR;
        memcpy(v->data, p + 5, v->len);
        return sdb_numeric_key(sdb_datum_from_ptr(v), out);
    }
    default:
        break;
    }
    uint32_t count = get_u32(p + 1);
    const unsigned char *c = p + 9;
    if (sdb_send_u32(out, count) != SDB_OK)
        return SDB_ERROR;
    for (uint32_t i = 0; i < count; i++) {
        if (p[0] == JB_OBJECT) {
            uint32_t klen = get_u32(c);
            if (sdb_key_bytes(out, c + 4, klen) != SDB_OK)
                return SDB_ERROR;
            c += 4 + klen;
        }
        if (node_key(c, out) != SDB_OK)
            return SDB_ERROR;
        c += node_size(c);
    }
    return SDB_OK;
}

/* As in PostgreSQL, where a top-level scalar is a one-element array, an
 * empty top-level array sorts before every other value. */
int sdb_jsonb_key(SdbDatum v, SdbStr *out)
{
    const unsigned char *root = sdb_datum_varlena(v)->data;
    if (root[0] == JB_ARRAY && get_u32(root + 1) == 0)
        return sdb_send_u8(out, 0);
    return node_key(root, out);
}

int sdb_jsonb_compare(SdbDatum a, SdbDatum b)
{
    return sdb_compare_by_key(sdb_jsonb_key, a, b);
}

uint64_t sdb_jsonb_hash(SdbDatum v)
{
    return sdb_hash_by_key(sdb_jsonb_key, v);
}

/* --- jsonb: reading (jsonb.h) -------------------------------------------- */

SdbJsonbNode sdb_jsonb_root(SdbDatum value)
{
    return sdb_datum_varlena(value)->data;
}

int sdb_jsonb_kind(SdbJsonbNode n)
{
    return n[0];
}

uint32_t sdb_jsonb_count(SdbJsonbNode n)
{
    return n[0] == JB_ARRAY || n[0] == JB_OBJECT ? get_u32(n + 1) : 0;
}

SdbJsonbNode sdb_jsonb_member(SdbJsonbNode n, uint32_t i, const char **key, size_t *keylen)
{
    const unsigned char *c = n + 9;
    for (uint32_t k = 0;; k++) {
        if (n[0] == JB_OBJECT) {
            uint32_t klen = get_u32(c);
            if (k == i && key != NULL) {
                *key = (const char *)c + 4;
                *keylen = klen;
            }
            c += 4 + klen;
        }
        if (k == i)
            return c;
        c += node_size(c);
    }
}

SdbJsonbNode sdb_jsonb_field(SdbJsonbNode n, const char *key, size_t keylen)
{
    if (n[0] != JB_OBJECT)
        return NULL;
    uint32_t count = get_u32(n + 1);
    const unsigned char *c = n + 9;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t klen = get_u32(c);
        if (klen == keylen && memcmp(c + 4, key, keylen) == 0)
            return c + 4 + klen;
        if (klen > keylen)
            return NULL; /* sorted by length first */
        c += 4 + klen;
        c += node_size(c);
    }
    return NULL;
}

const unsigned char *sdb_jsonb_scalar(SdbJsonbNode n, size_t *len)
{
    *len = get_u32(n + 1);
    return n + 5;
}

int sdb_jsonb_node_datum(SdbArena *arena, SdbJsonbNode n, SdbDatum *out)
{
    return sdb_varlena_make(arena, n, node_size(n), out);
}

int sdb_jsonb_append_string(SdbStr *out, const char *s, size_t len)
{
    return append_json_string(out, (const unsigned char *)s, len);
}

int sdb_jsonb_node_text(SdbJsonbNode n, SdbStr *out)
{
    return node_out(n, out);
}

int sdb_jsonb_node_compare(SdbJsonbNode a, SdbJsonbNode b)
{
    SdbArena *scratch = sdb_arena_create(NULL, "jsonb compare", 0);
    if (scratch == NULL)
        return 0;
    SdbStr ka, kb;
    sdb_str_init(&ka, scratch);
    sdb_str_init(&kb, scratch);
    int cmp = 0;
    if (node_key(a, &ka) == SDB_OK && node_key(b, &kb) == SDB_OK) {
        size_t n = ka.len < kb.len ? ka.len : kb.len;
        cmp = memcmp(ka.data, kb.data, n);
        if (cmp == 0)
            cmp = (ka.len > kb.len) - (ka.len < kb.len);
    }
    sdb_arena_destroy(scratch);
    return cmp;
}

static bool is_container(SdbJsonbNode n)
{
    return n[0] == JB_ARRAY || n[0] == JB_OBJECT;
}

/* PostgreSQL's JsonbDeepContains: objects by key, arrays element by
 * element in any order (a scalar among a's scalars, a container inside
 * one of a's containers of its kind), scalars by equality. */
static bool deep_contains(SdbJsonbNode a, SdbJsonbNode b)
{
    if (a[0] != b[0])
        return false;
    uint32_t nb = sdb_jsonb_count(b), na = sdb_jsonb_count(a);
    if (a[0] == JB_OBJECT) {
        for (uint32_t i = 0; i < nb; i++) {
            const char *key = NULL;
            size_t klen = 0;
            SdbJsonbNode bv = sdb_jsonb_member(b, i, &key, &klen), av = sdb_jsonb_field(a, key, klen);
            if (av == NULL || av[0] != bv[0])
                return false;
            if (is_container(bv) ? !deep_contains(av, bv) : sdb_jsonb_node_compare(av, bv) != 0)
                return false;
        }
        return true;
    }
    if (a[0] == JB_ARRAY) {
        for (uint32_t i = 0; i < nb; i++) {
            SdbJsonbNode bv = sdb_jsonb_member(b, i, NULL, NULL);
            bool found = false;
            for (uint32_t k = 0; k < na && !found; k++) {
                SdbJsonbNode av = sdb_jsonb_member(a, k, NULL, NULL);
                found = is_container(bv) ? av[0] == bv[0] && deep_contains(av, bv)
                                         : !is_container(av) && sdb_jsonb_node_compare(av, bv) == 0;
            }
            if (!found)
                return false;
        }
        return true;
    }
    return sdb_jsonb_node_compare(a, b) == 0;
}

/* A top-level array also contains a top-level scalar among its elements. */
bool sdb_jsonb_contains(SdbJsonbNode a, SdbJsonbNode b)
{
    if (a[0] == JB_ARRAY && !is_container(b)) {
        for (uint32_t k = 0; k < sdb_jsonb_count(a); k++) {
            SdbJsonbNode av = sdb_jsonb_member(a, k, NULL, NULL);
            if (!is_container(av) && sdb_jsonb_node_compare(av, b) == 0)
                return true;
        }
        return false;
    }
    return deep_contains(a, b);
}

/* --- json: navigating the text (jsonb.h) ---------------------------------- */

/* One step: an object's member `key` (the last of duplicates, as
 * PostgreSQL), or an array element when `key` is an integer (negative from
 * the end); NULL when there is none. */
static const JNode *json_step(const JNode *n, const char *key, size_t keylen)
{
    if (n->tag == JB_OBJECT) {
        const JNode *found = NULL;
        for (const JNode *c = n->first; c != NULL; c = c->next)
            if (c->keylen == keylen && memcmp(c->key, key, keylen) == 0)
                found = c;
        return found;
    }
    if (n->tag != JB_ARRAY || keylen == 0 || keylen > 11)
        return NULL;
    char buf[12], *end;
    memcpy(buf, key, keylen);
    buf[keylen] = '\0';
    long index = strtol(buf, &end, 10);
    if (*end != '\0')
        return NULL;
    if (index < 0)
        index += (long)n->count;
    const JNode *c = n->first;
    for (long i = 0; c != NULL && i < index; i++)
        c = c->next;
    return index >= 0 ? c : NULL;
}

static SdbJsonValue json_value(const JNode *n)
{
    return (SdbJsonValue){.kind = n->tag, .text = n->src, .len = n->srclen, .str = n->str, .strlen = n->len,
                          .count = n->count, .key = n->key, .keylen = n->keylen};
}

int sdb_json_members(SdbArena *arena, const char *doc, SdbJsonValue *root, SdbJsonValue **members)
{
    const JNode *n = parse_document(arena, doc, true);
    if (n == NULL || (*members = sdb_arena_alloc(arena, sizeof(SdbJsonValue) * (n->count + 1))) == NULL)
        return SDB_ERROR;
    *root = json_value(n);
    size_t i = 0;
    for (const JNode *c = n->tag == JB_OBJECT || n->tag == JB_ARRAY ? n->first : NULL; c != NULL; c = c->next)
        (*members)[i++] = json_value(c);
    return SDB_OK;
}

int sdb_json_path(SdbArena *arena, const char *doc, const char *const *keys, const size_t *keylens, int nkeys,
                  SdbJsonValue *out, bool *found)
{
    const JNode *n = parse_document(arena, doc, true);
    if (n == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nkeys && n != NULL; i++)
        n = keys[i] != NULL ? json_step(n, keys[i], keylens[i]) : NULL;
    *found = n != NULL;
    if (n != NULL)
        *out = json_value(n);
    return SDB_OK;
}
