/*
 * expr/fn_text.c: text functions (concatenation, concat/concat_ws of any
 * values, lengths, case, substrings, positions, trimming, padding,
 * replacing, splitting) and LIKE/ILIKE.
 * Text is valid UTF-8; positions and lengths count characters, as
 * PostgreSQL does in a UTF8 database.
 */
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "common/str.h"
#include "common/utf8.h"
#include "expr/eval.h"
#include "expr/fmgr.h"
#include "sdb_casts.h"

/* A text argument's bytes. */
typedef struct Text {
    const char *p;
    size_t len;
} Text;

static Text arg_text(const SdbFnCall *call, int i)
{
    const SdbVarlena *v = sdb_fn_arg_text(call, i);
    return (Text){(const char *)v->data, v->len};
}

/* Bytes of the UTF-8 character at `p` (1 for a stray byte). */
static size_t char_len(const char *p)
{
    unsigned char c = (unsigned char)*p;
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static size_t count_chars(Text t)
{
    return (size_t)sdb_utf8_char_count(t.p, t.len);
}

/* Byte offset of character `chars` (clamped to the end). */
static size_t char_offset(Text t, size_t chars)
{
    return sdb_utf8_prefix_bytes(t.p, t.len, chars);
}

/* The characters [from, from + count) of `t`, counted from 0, clamped. */
static Text char_slice(Text t, size_t from, size_t count)
{
    size_t start = char_offset(t, from);
    Text rest = {t.p + start, t.len - start};
    return (Text){rest.p, char_offset(rest, count)};
}

static int return_slice(SdbFnCall *call, Text t)
{
    return sdb_fn_return_text(call, t.p, t.len);
}

int sdb_fn_textcat(SdbFnCall *call)
{
    Text a = arg_text(call, 0), b = arg_text(call, 1);
    SdbVarlena *v = sdb_varlena_alloc(call->arena, a.len + b.len);
    if (v == NULL)
        return SDB_ERROR;
    memcpy(v->data, a.p, a.len);
    memcpy(v->data + a.len, b.p, b.len);
    call->result = sdb_datum_from_ptr(v);
    return SDB_OK;
}

int sdb_fn_textlen(SdbFnCall *call)
{
    return sdb_fn_return_int(call, (int64_t)count_chars(arg_text(call, 0)));
}

int sdb_fn_textoctetlen(SdbFnCall *call)
{
    return sdb_fn_return_int(call, (int64_t)arg_text(call, 0).len);
}

/* Code point of the valid UTF-8 character at `p` of `n` bytes. */
static unsigned decode(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    if (n == 1)
        return s[0];
    unsigned cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* Simple case mapping of the Latin-1, Greek and Cyrillic letters (and
 * ASCII): `to_lower` maps capitals down, else small letters up. */
static unsigned map_case(unsigned cp, bool to_lower)
{
    static const struct { unsigned first, last, delta, skip; } ranges[] = {
        {'A', 'Z', 0x20, 0}, {0xC0, 0xDE, 0x20, 0xD7}, {0x391, 0x3A9, 0x20, 0x3A2},
        {0x410, 0x42F, 0x20, 0}, {0x400, 0x40F, 0x50, 0},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        unsigned first = ranges[i].first + (to_lower ? 0 : ranges[i].delta);
        unsigned last = ranges[i].last + (to_lower ? 0 : ranges[i].delta);
        unsigned skip = ranges[i].skip ? ranges[i].skip + (to_lower ? 0 : ranges[i].delta) : 0;
        if (cp >= first && cp <= last && cp != skip)
            return to_lower ? cp + ranges[i].delta : cp - ranges[i].delta;
    }
    return cp;
}

/* `t` with every character case-mapped, appended to `out`. */
static int append_case_mapped(SdbStr *out, Text t, bool to_lower)
{
    for (size_t i = 0; i < t.len;) {
        size_t n = char_len(t.p + i);
        char buf[4];
        unsigned cp = map_case(decode(t.p + i, n), to_lower);
        int len = cp < 0x80 ? (buf[0] = (char)cp, 1) : sdb_utf8_encode(cp, buf);
        if (sdb_str_append(out, buf, (size_t)len) != SDB_OK)
            return SDB_ERROR;
        i += n;
    }
    return SDB_OK;
}

static int case_map(SdbFnCall *call, bool to_lower)
{
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (append_case_mapped(&out, arg_text(call, 0), to_lower) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

int sdb_fn_lower(SdbFnCall *call) { return case_map(call, true); }
int sdb_fn_upper(SdbFnCall *call) { return case_map(call, false); }

/* substr(t, start [, count]) with PostgreSQL's rules for start < 1. */
static int substring(SdbFnCall *call, int64_t start, int64_t count, bool has_count)
{
    if (has_count && count < 0)
        return sdb_error(SDB_ERR_SUBSTRING_ERROR, "negative substring length not allowed");
    int64_t end = has_count ? start + count : INT64_MAX; /* exclusive, 1-based */
    if (has_count && count > INT64_MAX - start)
        end = INT64_MAX;
    int64_t first = start < 1 ? 1 : start;
    if (end <= first)
        return sdb_fn_return_text(call, "", 0);
    return return_slice(call, char_slice(arg_text(call, 0), (size_t)(first - 1), (size_t)(end - first)));
}

int sdb_fn_text_substr(SdbFnCall *call)
{
    return substring(call, sdb_fn_arg_int(call, 1), sdb_fn_arg_int(call, 2), true);
}

int sdb_fn_text_substr_no_len(SdbFnCall *call)
{
    return substring(call, sdb_fn_arg_int(call, 1), 0, false);
}

/* Byte offset of the first `needle` in `hay`, or -1. */
static int64_t find(Text hay, Text needle, size_t from)
{
    for (size_t i = from; i + needle.len <= hay.len; i++)
        if (memcmp(hay.p + i, needle.p, needle.len) == 0)
            return (int64_t)i;
    return -1;
}

int sdb_fn_textpos(SdbFnCall *call)
{
    Text hay = arg_text(call, 0), needle = arg_text(call, 1);
    int64_t at = find(hay, needle, 0);
    return sdb_fn_return_int(call, at < 0 ? 0 : sdb_utf8_char_count(hay.p, (size_t)at) + 1);
}

int sdb_fn_text_starts_with(SdbFnCall *call)
{
    Text t = arg_text(call, 0), prefix = arg_text(call, 1);
    return sdb_fn_return_bool(call, prefix.len <= t.len && memcmp(t.p, prefix.p, prefix.len) == 0);
}

/* Whether the character of `n` bytes at `c` is one of `set`'s characters. */
static bool in_set(Text set, const char *c, size_t n)
{
    for (size_t i = 0; i < set.len; i += char_len(set.p + i))
        if (char_len(set.p + i) == n && memcmp(set.p + i, c, n) == 0)
            return true;
    return false;
}

/* Byte length of the last character of t[0..len). */
static size_t last_char_len(const char *p, size_t len)
{
    size_t n = 1;
    while (n < len && ((unsigned char)p[len - n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* `t` without leading (`left`) and trailing (`right`) characters of `set`. */
static int trim(SdbFnCall *call, Text set, bool left, bool right)
{
    Text t = arg_text(call, 0);
    while (left && t.len > 0 && in_set(set, t.p, char_len(t.p))) {
        size_t n = char_len(t.p);
        t.p += n;
        t.len -= n;
    }
    while (right && t.len > 0 && in_set(set, t.p + t.len - last_char_len(t.p, t.len), last_char_len(t.p, t.len)))
        t.len -= last_char_len(t.p, t.len);
    return return_slice(call, t);
}

static const Text SPACE = {" ", 1};

int sdb_fn_btrim(SdbFnCall *call) { return trim(call, arg_text(call, 1), true, true); }
int sdb_fn_btrim1(SdbFnCall *call) { return trim(call, SPACE, true, true); }
int sdb_fn_ltrim(SdbFnCall *call) { return trim(call, arg_text(call, 1), true, false); }
int sdb_fn_ltrim1(SdbFnCall *call) { return trim(call, SPACE, true, false); }
int sdb_fn_rtrim(SdbFnCall *call) { return trim(call, arg_text(call, 1), false, true); }
int sdb_fn_rtrim1(SdbFnCall *call) { return trim(call, SPACE, false, true); }

int sdb_fn_replace_text(SdbFnCall *call)
{
    Text t = arg_text(call, 0), from = arg_text(call, 1), to = arg_text(call, 2);
    if (from.len == 0)
        return return_slice(call, t);
    SdbStr out;
    sdb_str_init(&out, call->arena);
    size_t pos = 0;
    for (int64_t at; (at = find(t, from, pos)) >= 0; pos = (size_t)at + from.len)
        if (sdb_str_append(&out, t.p + pos, (size_t)at - pos) != SDB_OK || sdb_str_append(&out, to.p, to.len) != SDB_OK)
            return SDB_ERROR;
    if (sdb_str_append(&out, t.p + pos, t.len - pos) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* The first `n` characters, or all but the last -n when n < 0. */
int sdb_fn_text_left(SdbFnCall *call)
{
    Text t = arg_text(call, 0);
    int64_t n = sdb_fn_arg_int(call, 1), total = (int64_t)count_chars(t);
    int64_t keep = n >= 0 ? n : (total + n > 0 ? total + n : 0);
    return return_slice(call, char_slice(t, 0, (size_t)keep));
}

/* The last `n` characters, or all but the first -n when n < 0. */
int sdb_fn_text_right(SdbFnCall *call)
{
    Text t = arg_text(call, 0);
    int64_t n = sdb_fn_arg_int(call, 1), total = (int64_t)count_chars(t);
    int64_t skip = n >= 0 ? (total > n ? total - n : 0) : (-n < total ? -n : total);
    return return_slice(call, char_slice(t, (size_t)skip, SIZE_MAX));
}

/* `t` padded with `fill` on the left or right to `len` characters, or cut to them. */
static int pad(SdbFnCall *call, Text fill, bool left)
{
    Text t = arg_text(call, 0);
    int64_t len = sdb_fn_arg_int(call, 1);
    size_t want = len < 0 ? 0 : (size_t)len, have = count_chars(t);
    if (have >= want || fill.len == 0)
        return return_slice(call, char_slice(t, 0, want));
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (!left && sdb_str_append(&out, t.p, t.len) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0, at = 0; i < want - have; i++) {
        size_t n = char_len(fill.p + at);
        if (sdb_str_append(&out, fill.p + at, n) != SDB_OK)
            return SDB_ERROR;
        at = at + n >= fill.len ? 0 : at + n;
    }
    if (left && sdb_str_append(&out, t.p, t.len) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

int sdb_fn_lpad(SdbFnCall *call) { return pad(call, call->nargs > 2 ? arg_text(call, 2) : SPACE, true); }
int sdb_fn_rpad(SdbFnCall *call) { return pad(call, call->nargs > 2 ? arg_text(call, 2) : SPACE, false); }

int sdb_fn_repeat(SdbFnCall *call)
{
    Text t = arg_text(call, 0);
    int64_t n = sdb_fn_arg_int(call, 1);
    if (n > 0 && t.len > SDB_VARLENA_MAX / (uint64_t)n)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
    SdbStr out;
    sdb_str_init(&out, call->arena);
    for (int64_t i = 0; i < n; i++)
        if (sdb_str_append(&out, t.p, t.len) != SDB_OK)
            return SDB_ERROR;
    return sdb_fn_return_text(call, out.len ? out.data : "", out.len);
}

int sdb_fn_text_reverse(SdbFnCall *call)
{
    Text t = arg_text(call, 0);
    SdbVarlena *v = sdb_varlena_alloc(call->arena, t.len);
    if (v == NULL)
        return SDB_ERROR;
    for (size_t i = 0; i < t.len;) {
        size_t n = char_len(t.p + i);
        memcpy(v->data + t.len - i - n, t.p + i, n);
        i += n;
    }
    call->result = sdb_datum_from_ptr(v);
    return SDB_OK;
}

/* Field `n` (from 1) of `t` split at `delim`; empty when there is none. */
static Text nth_field(Text t, Text delim, int64_t n)
{
    size_t start = 0;
    for (int64_t i = 1;; i++) {
        int64_t at = find(t, delim, start);
        size_t end = at < 0 ? t.len : (size_t)at;
        if (i == n)
            return (Text){t.p + start, end - start};
        if (at < 0)
            return (Text){"", 0};
        start = end + delim.len;
    }
}

static int64_t count_fields(Text t, Text delim)
{
    int64_t fields = 1;
    for (int64_t at = find(t, delim, 0); at >= 0; at = find(t, delim, (size_t)at + delim.len))
        fields++;
    return fields;
}

int sdb_fn_split_part(SdbFnCall *call)
{
    Text t = arg_text(call, 0), delim = arg_text(call, 1);
    int64_t n = sdb_fn_arg_int(call, 2);
    if (n == 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "field position must not be zero");
    if (t.len == 0)
        return sdb_fn_return_text(call, "", 0);
    if (delim.len == 0)
        return (n == 1 || n == -1) ? return_slice(call, t) : sdb_fn_return_text(call, "", 0);
    if (n < 0) {
        n += count_fields(t, delim) + 1;
        if (n <= 0)
            return sdb_fn_return_text(call, "", 0);
    }
    return return_slice(call, nth_field(t, delim, n));
}

/* Character `c` (of `n` bytes) lower-cased when `fold`, as a code point. */
static unsigned fold_char(const char *c, size_t n, bool fold)
{
    unsigned cp = decode(c, n);
    return fold ? map_case(cp, true) : cp;
}

/* LIKE: `%` any run, `_` one character, `\` escapes the next. */
static bool like_match(Text s, Text p, bool fold)
{
    while (p.len > 0) {
        if (*p.p == '%') {
            p.p++, p.len--;
            if (p.len == 0)
                return true;
            for (;;) {
                if (like_match(s, p, fold))
                    return true;
                if (s.len == 0)
                    return false;
                size_t n = char_len(s.p);
                s.p += n, s.len -= n;
            }
        }
        if (s.len == 0)
            return false;
        size_t sn = char_len(s.p);
        if (*p.p == '_') {
            p.p++, p.len--;
        } else {
            if (*p.p == '\\' && p.len > 1)
                p.p++, p.len--;
            size_t pn = char_len(p.p);
            if (fold_char(s.p, sn, fold) != fold_char(p.p, pn, fold))
                return false;
            p.p += pn, p.len -= pn;
        }
        s.p += sn, s.len -= sn;
    }
    return s.len == 0;
}

static int like(SdbFnCall *call, bool fold, bool negate)
{
    return sdb_fn_return_bool(call, like_match(arg_text(call, 0), arg_text(call, 1), fold) != negate);
}

int sdb_fn_textlike(SdbFnCall *call) { return like(call, false, false); }
int sdb_fn_textnlike(SdbFnCall *call) { return like(call, false, true); }
int sdb_fn_texticlike(SdbFnCall *call) { return like(call, true, false); }
int sdb_fn_texticnlike(SdbFnCall *call) { return like(call, true, true); }

/* like_escape(pattern, escape): the pattern with `escape` (one character,
 * or empty for none) turned into LIKE's backslash, literal backslashes
 * doubled (except right after the escape), as PostgreSQL's do_like_escape. */
int sdb_fn_like_escape(SdbFnCall *call)
{
    Text p = arg_text(call, 0), e = arg_text(call, 1);
    if (e.len > 0 && char_len(e.p) != e.len) {
        sdb_error(SDB_ERR_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
        sdb_error_hint("Escape string must be empty or one character.");
        return SDB_ERROR;
    }
    if (e.len == 1 && *e.p == '\\')
        return sdb_fn_return_text(call, p.p, p.len);
    SdbStr out;
    sdb_str_init(&out, call->arena);
    bool after_escape = false;
    int rc = SDB_OK;
    while (p.len > 0 && rc == SDB_OK) {
        size_t n = char_len(p.p);
        if (e.len > 0 && n == e.len && memcmp(p.p, e.p, n) == 0 && !after_escape) {
            rc = sdb_str_append_char(&out, '\\');
            after_escape = true;
        } else {
            if (*p.p == '\\' && !after_escape)
                rc = sdb_str_append_char(&out, '\\');
            if (rc == SDB_OK)
                rc = sdb_str_append(&out, p.p, n);
            after_escape = false;
        }
        p.p += n, p.len -= n;
    }
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

int sdb_fn_booltext(SdbFnCall *call)
{
    return sdb_fn_arg_bool(call, 0) ? sdb_fn_return_text(call, "true", 4) : sdb_fn_return_text(call, "false", 5);
}

/* Whether `t` holds only spaces. */
static bool all_spaces(Text t)
{
    for (size_t i = 0; i < t.len; i++)
        if (t.p[i] != ' ')
            return false;
    return true;
}

/* The length coercion of varchar(n) and char(n) (typmod n + 4, argument 1):
 * longer values are cut to n characters when the cast is explicit
 * (argument 2) or only spaces are cut, else 22001; char(n) pads with
 * spaces to n. */
static int length_coerce(SdbFnCall *call, const char *type, bool pad_to_length)
{
    Text t = arg_text(call, 0);
    int64_t typmod = sdb_fn_arg_int(call, 1);
    if (typmod < 4)
        return return_slice(call, t);
    size_t max = (size_t)(typmod - 4), have = count_chars(t);
    Text kept = char_slice(t, 0, max);
    if (have > max && !sdb_fn_arg_bool(call, 2) && !all_spaces((Text){kept.p + kept.len, t.len - kept.len}))
        return sdb_error(SDB_ERR_STRING_DATA_RIGHT_TRUNCATION, "value too long for type %s(%zu)", type, max);
    if (!pad_to_length || have >= max)
        return return_slice(call, kept);
    SdbVarlena *v = sdb_varlena_alloc(call->arena, t.len + (max - have));
    if (v == NULL)
        return SDB_ERROR;
    memcpy(v->data, t.p, t.len);
    memset(v->data + t.len, ' ', max - have);
    call->result = sdb_datum_from_ptr(v);
    return SDB_OK;
}

int sdb_fn_varchar(SdbFnCall *call) { return length_coerce(call, "character varying", false); }
int sdb_fn_bpchar(SdbFnCall *call) { return length_coerce(call, "character", true); }

/* The text forms of the non-null arguments from `first` on, `sep` between. */
static int join_args(SdbFnCall *call, int first, Text sep)
{
    SdbStr out;
    sdb_str_init(&out, call->arena);
    bool joined = false;
    for (int i = first; i < call->nargs; i++) {
        if (call->nulls[i])
            continue;
        if ((joined && sdb_str_append(&out, sep.p, sep.len) != SDB_OK) ||
            sdb_expr_output(call->context, sdb_fn_argtype(call, i), call->args[i], &out) != SDB_OK)
            return SDB_ERROR;
        joined = true;
    }
    return sdb_fn_return_text(call, out.data, out.len);
}

int sdb_fn_text_concat(SdbFnCall *call)
{
    return join_args(call, 0, (Text){"", 0});
}

/* Argument `i` appended as `::text` makes it: through the cast table's
 * function (bool -> 'true', bpchar without its trailing blanks), else the
 * output function. */
static int append_as_text(SdbFnCall *call, int i, SdbStr *out)
{
    SdbOid type = sdb_fn_argtype(call, i);
    const SdbCastInfo *cast = sdb_cast_find(type, SDB_TYPEOID_TEXT);
    if (cast == NULL || cast->method != SDB_CAST_FUNCTION)
        return sdb_expr_output(call->context, type, call->args[i], out);
    SdbDatum text;
    bool isnull;
    if (sdb_fn_invoke(sdb_func_by_oid(cast->func), call->context, 1, &type, &call->args[i], &call->nulls[i], &text,
                      &isnull) != SDB_OK)
        return SDB_ERROR;
    return sdb_str_append(out, sdb_datum_varlena(text)->data, sdb_datum_varlena(text)->len);
}

/* text || anynonarray, anynonarray || text: PostgreSQL's textanycat and
 * anytextcat, $1::text || $2::text. */
int sdb_fn_text_cat_any(SdbFnCall *call)
{
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (append_as_text(call, 0, &out) != SDB_OK || append_as_text(call, 1, &out) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

int sdb_fn_text_concat_ws(SdbFnCall *call)
{
    if (call->nulls[0]) {
        call->result_null = true;
        return SDB_OK;
    }
    return join_args(call, 1, arg_text(call, 0));
}
