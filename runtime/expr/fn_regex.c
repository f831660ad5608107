/*
 * expr/fn_regex.c: POSIX regular expressions: the ~ ~* !~ !~* operators,
 * SIMILAR TO (similar_to_escape turns an SQL pattern into a regular
 * expression exactly as PostgreSQL does), regexp_replace and regexp_match.
 *
 * Patterns are PostgreSQL's advanced regular expressions (AREs) run by the
 * C library's POSIX extended regex engine in a UTF-8 locale: the ARE
 * constructs similar_to_escape and common queries use are translated --
 * non-capturing groups "(?:" (capture numbers still count only capturing
 * groups), non-greedy quantifiers (matched greedily), \d and \D; \w \s \W
 * \S are the engine's own.  Other ARE-only features are not supported.
 * Each thread caches its 16 most recently used compiled patterns.
 */
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>

#include "common/error.h"
#include "common/str.h"
#include "common/utf8.h"
#include "expr/fmgr.h"
#include "types/array.h"

#define MAX_GROUPS 32

typedef struct Text {
    const char *p;
    size_t len;
} Text;

static Text arg_text(const SdbFnCall *call, int i)
{
    const SdbVarlena *v = sdb_fn_arg_text(call, i);
    return (Text){(const char *)v->data, v->len};
}

/* A compiled pattern; group[k] is the engine's number of the pattern's
 * k-th capturing group (1-based), group[0] = 0 for the whole match. */
typedef struct Regex {
    regex_t re;
    int ngroups;
    int group[MAX_GROUPS + 1];
} Regex;

/* --- the UTF-8 locale the engine runs in --------------------------------- */

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void make_utf8_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Switch this thread to the UTF-8 locale; the previous one is returned. */
static locale_t enter_utf8(void)
{
    pthread_once(&utf8_once, make_utf8_locale);
    return utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
}

static void leave_utf8(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

/* --- ARE -> POSIX ERE ----------------------------------------------------- */

/* Copy a bracket expression starting at pattern[i] ('['); returns the
 * index after its closing ']'.  ARE escapes inside it: \d \s \w become
 * classes, \x is x. */
static size_t copy_bracket(Text p, size_t i, SdbStr *out, int *rc)
{
    *rc |= sdb_str_append_char(out, '[');
    i++;
    if (i < p.len && p.p[i] == '^')
        *rc |= sdb_str_append_char(out, p.p[i++]);
    if (i < p.len && p.p[i] == ']')
        *rc |= sdb_str_append_char(out, p.p[i++]);
    while (i < p.len && p.p[i] != ']') {
        if (p.p[i] == '[' && i + 1 < p.len && (p.p[i + 1] == ':' || p.p[i + 1] == '.' || p.p[i + 1] == '=')) {
            const char *end = strstr(p.p + i + 2, (char[]){p.p[i + 1], ']', '\0'});
            size_t stop = end ? (size_t)(end - p.p) + 2 : p.len;
            *rc |= sdb_str_append(out, p.p + i, stop - i);
            i = stop;
        } else if (p.p[i] == '\\' && i + 1 < p.len) {
            char c = p.p[i + 1];
            *rc |= sdb_str_append_cstr(out, c == 'd' ? "0-9" : c == 's' ? "[:space:]" : c == 'w' ? "[:alnum:]_" : "");
            if (c != 'd' && c != 's' && c != 'w')
                *rc |= sdb_str_append_char(out, c);
            i += 2;
        } else {
            *rc |= sdb_str_append_char(out, p.p[i++]);
        }
    }
    if (i < p.len)
        *rc |= sdb_str_append_char(out, p.p[i++]);
    return i;
}

/* The POSIX ERE for ARE `p`, with the capturing groups numbered in `re`. */
static int translate(SdbArena *arena, Text p, Regex *re, SdbStr *out)
{
    int rc = SDB_OK, engine_groups = 0;
    sdb_str_init(out, arena);
    re->ngroups = 0;
    re->group[0] = 0;
    for (size_t i = 0; i < p.len;) {
        char c = p.p[i];
        if (c == '[') {
            i = copy_bracket(p, i, out, &rc);
        } else if (c == '(') {
            engine_groups++;
            if (i + 2 < p.len && p.p[i + 1] == '?' && p.p[i + 2] == ':') {
                i += 3;
            } else {
                if (re->ngroups < MAX_GROUPS)
                    re->group[++re->ngroups] = engine_groups;
                i++;
            }
            rc |= sdb_str_append_char(out, '(');
        } else if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < p.len && p.p[i + 1] == '?') {
            rc |= sdb_str_append_char(out, c); /* non-greedy: matched greedily */
            i += 2;
        } else if (c == '\\' && i + 1 < p.len && (p.p[i + 1] == 'd' || p.p[i + 1] == 'D')) {
            rc |= sdb_str_append_cstr(out, p.p[i + 1] == 'd' ? "[0-9]" : "[^0-9]");
            i += 2;
        } else if (c == '\\' && i + 1 < p.len) {
            rc |= sdb_str_append(out, p.p + i, 2);
            i += 2;
        } else {
            rc |= sdb_str_append_char(out, c);
            i++;
        }
    }
    return rc == SDB_OK ? SDB_OK : SDB_ERROR;
}

static int compile_new(SdbArena *arena, Text pattern, bool icase, Regex *re)
{
    SdbStr ere;
    if (translate(arena, pattern, re, &ere) != SDB_OK)
        return SDB_ERROR;
    locale_t previous = enter_utf8();
    int code = regcomp(&re->re, ere.data, REG_EXTENDED | (icase ? REG_ICASE : 0));
    leave_utf8(previous);
    if (code == 0)
        return SDB_OK;
    char message[256];
    regerror(code, &re->re, message, sizeof message);
    return sdb_error(SDB_ERR_INVALID_REGULAR_EXPRESSION, "invalid regular expression: %s", message);
}

/* Each thread keeps its most recently used compiled patterns, as
 * PostgreSQL keeps 32: a query applies one pattern to many rows. */
#define CACHE_SIZE 16

typedef struct CachedRegex {
    char *pattern; /* malloc'd copy, NULL for an empty slot */
    size_t len;
    bool icase;
    Regex re;
} CachedRegex;

static _Thread_local CachedRegex cache[CACHE_SIZE]; /* most recently used first */

/* A thread's cache is freed when the thread ends (a server worker): the key's
 * value is set on the thread's first compile so that its destructor runs. */
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void free_cache(void *unused)
{
    (void)unused;
    for (int i = 0; i < CACHE_SIZE; i++)
        if (cache[i].pattern != NULL) {
            regfree(&cache[i].re.re);
            sdb_free(cache[i].pattern);
            cache[i].pattern = NULL;
        }
}

static void make_cache_key(void)
{
    pthread_key_create(&cache_key, free_cache);
}

static void register_cache(void)
{
    pthread_once(&cache_key_once, make_cache_key);
    if (pthread_getspecific(cache_key) == NULL)
        pthread_setspecific(cache_key, cache);
}

/* The compiled form of `pattern`, from the cache or compiled into it.  The
 * pointer stays valid until the next compile on this thread. */
static int compile(SdbArena *arena, Text pattern, bool icase, const Regex **out)
{
    int found = CACHE_SIZE - 1;
    for (int i = 0; i < CACHE_SIZE; i++) {
        if (cache[i].pattern != NULL && cache[i].icase == icase && cache[i].len == pattern.len &&
            memcmp(cache[i].pattern, pattern.p, pattern.len) == 0) {
            found = i;
            break;
        }
    }
    CachedRegex hit = cache[found];
    if (hit.pattern == NULL || hit.icase != icase || hit.len != pattern.len ||
        memcmp(hit.pattern, pattern.p, pattern.len) != 0) {
        Regex re;
        char *copy = sdb_malloc(pattern.len + 1);
        if (copy == NULL)
            return SDB_ERROR;
        if (compile_new(arena, pattern, icase, &re) != SDB_OK) {
            sdb_free(copy);
            return SDB_ERROR;
        }
        if (hit.pattern != NULL) { /* evict the least recently used */
            regfree(&hit.re.re);
            sdb_free(hit.pattern);
        }
        memcpy(copy, pattern.p, pattern.len);
        hit = (CachedRegex){copy, pattern.len, icase, re};
        register_cache();
    }
    memmove(&cache[1], &cache[0], sizeof cache[0] * (size_t)found);
    cache[0] = hit;
    *out = &cache[0].re;
    return SDB_OK;
}

/* Match `re` against s from byte `start`: *found, and the groups in m. */
static void execute(const Regex *re, Text s, size_t start, bool *found, regmatch_t *m, size_t nm)
{
    locale_t previous = enter_utf8();
    m[0].rm_so = (regoff_t)start;
    m[0].rm_eo = (regoff_t)s.len;
    *found = regexec(&re->re, s.p, nm, m, REG_STARTEND | (start > 0 ? REG_NOTBOL : 0)) == 0;
    leave_utf8(previous);
}

/* --- ~ ~* !~ !~* ---------------------------------------------------------- */

static int regex_test(SdbFnCall *call, bool icase, bool negate)
{
    const Regex *re;
    regmatch_t m[1];
    bool found;
    if (compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    execute(re, arg_text(call, 0), 0, &found, m, 1);
    return sdb_fn_return_bool(call, found != negate);
}

int sdb_fn_textregexeq(SdbFnCall *call) { return regex_test(call, false, false); }
int sdb_fn_textregexne(SdbFnCall *call) { return regex_test(call, false, true); }
int sdb_fn_texticregexeq(SdbFnCall *call) { return regex_test(call, true, false); }
int sdb_fn_texticregexne(SdbFnCall *call) { return regex_test(call, true, true); }

/* --- SIMILAR TO ----------------------------------------------------------- */

/* PostgreSQL's similar_escape_internal: ^(?:pattern)$ with % -> .*, _ -> .,
 * ( -> (?:, regex specials escaped, bracket expressions copied, and the
 * escape character (none when elen is 0) escaping the next character;
 * escape-double-quotes split the pattern for SUBSTRING. */
static int similar_escape(SdbArena *arena, Text p, const char *e, size_t elen, SdbStr *r)
{
    sdb_str_init(r, arena);
    int rc = sdb_str_append_cstr(r, "^(?:"), nquotes = 0;
    bool after_escape = false, in_class = false;
    while (p.len > 0) {
        size_t n = (size_t)sdb_utf8_char_bytes(p.p);
        n = n < 1 || n > p.len ? 1 : n;
        char c = *p.p;
        if (after_escape) {
            if (c == '"' && n == 1 && !in_class) {
                if (nquotes == 2)
                    return sdb_error(SDB_ERR_INVALID_USE_OF_ESCAPE_CHARACTER,
                                     "SQL regular expression may not contain more than two escape-double-quote separators");
                rc |= sdb_str_append_cstr(r, nquotes == 0 ? "){1,1}?(" : "){1,1}(?:");
                nquotes++;
            } else {
                rc |= sdb_str_append_char(r, '\\');
                rc |= sdb_str_append(r, p.p, n);
            }
            after_escape = false;
        } else if (elen > 0 && n == elen && memcmp(p.p, e, n) == 0) {
            after_escape = true;
        } else if (n > 1) {
            rc |= sdb_str_append(r, p.p, n);
        } else if (in_class) {
            if (c == '\\')
                rc |= sdb_str_append_char(r, '\\');
            rc |= sdb_str_append_char(r, c);
            in_class = c != ']';
        } else if (c == '[') {
            rc |= sdb_str_append_char(r, c);
            in_class = true;
        } else if (c == '%') {
            rc |= sdb_str_append_cstr(r, ".*");
        } else if (c == '_') {
            rc |= sdb_str_append_char(r, '.');
        } else if (c == '(') {
            rc |= sdb_str_append_cstr(r, "(?:");
        } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
            rc |= sdb_str_append_char(r, '\\');
            rc |= sdb_str_append_char(r, c);
        } else {
            rc |= sdb_str_append_char(r, c);
        }
        p.p += n, p.len -= n;
    }
    rc |= sdb_str_append_cstr(r, ")$");
    return rc == SDB_OK ? SDB_OK : SDB_ERROR;
}

/* An explicit escape must be empty or one character (22025). */
static int check_escape(Text e)
{
    if (e.len > 0 && (size_t)sdb_utf8_char_bytes(e.p) != e.len) {
        sdb_error(SDB_ERR_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
        sdb_error_hint("Escape string must be empty or one character.");
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* similar_to_escape(pattern [, escape]): the default escape is backslash. */
int sdb_fn_similar_to_escape(SdbFnCall *call)
{
    Text e = call->nargs > 1 ? arg_text(call, 1) : (Text){"\\", 1};
    SdbStr r;
    if (check_escape(e) != SDB_OK || similar_escape(call->arena, arg_text(call, 0), e.p, e.len, &r) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, r.data, r.len);
}

/* --- regexp_replace, regexp_match ----------------------------------------- */

/* The flags argument `i` (when given): 'g' global, 'i' ignore case, 'c'
 * respect case; others are 22023 as in PostgreSQL. */
static int parse_flags(const SdbFnCall *call, int i, bool *global, bool *icase)
{
    *global = *icase = false;
    if (i >= call->nargs)
        return SDB_OK;
    Text f = arg_text(call, i);
    for (size_t k = 0; k < f.len; k++) {
        switch (f.p[k]) {
        case 'g': *global = true; break;
        case 'i': *icase = true; break;
        case 'c': *icase = false; break;
        default:
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid regular expression option: \"%.*s\"",
                             sdb_utf8_char_bytes(f.p + k), f.p + k);
        }
    }
    return SDB_OK;
}

/* Append `replacement` for one match: \1..\9 its groups, \& the match, \\ a
 * backslash; any other backslash stays. */
static int append_replacement(SdbStr *out, Text s, Text replacement, const Regex *re, const regmatch_t *m)
{
    int rc = SDB_OK;
    for (size_t i = 0; i < replacement.len; i++) {
        char c = replacement.p[i], next = i + 1 < replacement.len ? replacement.p[i + 1] : '\0';
        int group = next >= '1' && next <= '9' ? next - '0' : next == '&' ? 0 : -1;
        if (c != '\\' || (group < 0 && next != '\\')) {
            rc |= sdb_str_append_char(out, c);
            continue;
        }
        i++;
        if (group < 0) {
            rc |= sdb_str_append_char(out, '\\');
        } else if (group <= re->ngroups && m[re->group[group]].rm_so >= 0) {
            const regmatch_t *g = &m[re->group[group]];
            rc |= sdb_str_append(out, s.p + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
        }
    }
    return rc;
}

/* 22023 for the 'g' flag of a function that finds one match. */
static int global_not_supported(const char *function)
{
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "%s does not support the \"global\" option", function);
}

/* regexp_replace(source, pattern, replacement [, flags]) */
int sdb_fn_regexp_replace(SdbFnCall *call)
{
    Text s = arg_text(call, 0), replacement = arg_text(call, 2);
    bool global, icase, found;
    const Regex *re;
    regmatch_t m[MAX_GROUPS + 1];
    if (parse_flags(call, 3, &global, &icase) != SDB_OK || compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    SdbStr out;
    sdb_str_init(&out, call->arena);
    size_t pos = 0;
    int rc = SDB_OK;
    while (pos <= s.len) {
        execute(re, s, pos, &found, m, MAX_GROUPS + 1);
        if (!found)
            break;
        rc |= sdb_str_append(&out, s.p + pos, (size_t)m[0].rm_so - pos);
        rc |= append_replacement(&out, s, replacement, re, m);
        pos = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) { /* an empty match: step over one character */
            if (pos >= s.len)
                break;
            size_t n = (size_t)sdb_utf8_char_bytes(s.p + pos);
            rc |= sdb_str_append(&out, s.p + pos, n);
            pos += n;
        }
        if (!global)
            break;
    }
    if (pos < s.len)
        rc |= sdb_str_append(&out, s.p + pos, s.len - pos);
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* regexp_match(string, pattern [, flags]): the capturing groups of the first
 * match (the whole match when there are none) as text[], NULL without one. */
int sdb_fn_regexp_match(SdbFnCall *call)
{
    Text s = arg_text(call, 0);
    bool global, icase, found;
    const Regex *re;
    regmatch_t m[MAX_GROUPS + 1];
    if (parse_flags(call, 2, &global, &icase) != SDB_OK)
        return SDB_ERROR;
    if (global) {
        global_not_supported("regexp_match()");
        sdb_error_hint("Use the regexp_matches function instead.");
        return SDB_ERROR;
    }
    if (compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    execute(re, s, 0, &found, m, MAX_GROUPS + 1);
    if (!found) {
        call->result_null = true;
        return SDB_OK;
    }
    int n = re->ngroups > 0 ? re->ngroups : 1;
    SdbDatum values[MAX_GROUPS];
    bool nulls[MAX_GROUPS];
    for (int k = 0; k < n; k++) {
        const regmatch_t *g = &m[re->ngroups > 0 ? re->group[k + 1] : 0];
        nulls[k] = g->rm_so < 0;
        values[k] = 0;
        if (!nulls[k] && sdb_varlena_make(call->arena, s.p + g->rm_so, (size_t)(g->rm_eo - g->rm_so), &values[k]) != SDB_OK)
            return SDB_ERROR;
    }
    SdbArray a = {.ndim = 1, .dims = {n}, .lbound = {1}, .elemtype = SDB_TYPEOID_TEXT, .values = values, .nulls = nulls};
    return sdb_array_build(call->arena, &a, &call->result);
}

/* regexp_like(string, pattern [, flags]) */
int sdb_fn_regexp_like(SdbFnCall *call)
{
    bool global, icase, found;
    const Regex *re;
    regmatch_t m[1];
    if (parse_flags(call, 2, &global, &icase) != SDB_OK)
        return SDB_ERROR;
    if (global)
        return global_not_supported("regexp_like()");
    if (compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    execute(re, arg_text(call, 0), 0, &found, m, 1);
    return sdb_fn_return_bool(call, found);
}

/* regexp_count(string, pattern [, start [, flags]]): non-overlapping
 * matches from character `start` (1-based) on. */
int sdb_fn_regexp_count(SdbFnCall *call)
{
    Text s = arg_text(call, 0);
    bool global, icase, found;
    const Regex *re;
    regmatch_t m[1];
    int64_t start = call->nargs > 2 ? sdb_fn_arg_int(call, 2) : 1, count = 0;
    if (start <= 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": %d", "start", (int)start);
    if (parse_flags(call, 3, &global, &icase) != SDB_OK)
        return SDB_ERROR;
    if (global)
        return global_not_supported("regexp_count()");
    if (compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    size_t pos = sdb_utf8_prefix_bytes(s.p, s.len, (size_t)(start - 1));
    while (pos <= s.len) {
        execute(re, s, pos, &found, m, 1);
        if (!found)
            break;
        count++;
        pos = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) {
            if (pos >= s.len)
                break;
            pos += (size_t)sdb_utf8_char_bytes(s.p + pos);
        }
    }
    return sdb_fn_return_int(call, count);
}

/* Room for twice as many pieces in `a`. */
static int grow_pieces(SdbArena *arena, SdbArray *a, int *cap)
{
    int grown = *cap ? *cap * 2 : 8;
    SdbDatum *values = sdb_arena_realloc(arena, a->values, sizeof *values * (size_t)*cap, sizeof *values * (size_t)grown);
    bool *nulls = values ? sdb_arena_realloc(arena, a->nulls, sizeof *nulls * (size_t)*cap, sizeof *nulls * (size_t)grown)
                         : NULL;
    if (values == NULL || nulls == NULL)
        return SDB_ERROR;
    a->values = values;
    a->nulls = nulls;
    *cap = grown;
    return SDB_OK;
}

/* regexp_split_to_array(string, pattern [, flags]): the pieces between
 * matches; an empty match at either end of the string or right after the
 * previous match does not split, as in PostgreSQL. */
int sdb_fn_regexp_split_to_array(SdbFnCall *call)
{
    Text s = arg_text(call, 0);
    bool global, icase, found;
    const Regex *re;
    regmatch_t m[1];
    if (parse_flags(call, 2, &global, &icase) != SDB_OK)
        return SDB_ERROR;
    if (global)
        return global_not_supported("regexp_split_to_array()");
    if (compile(call->arena, arg_text(call, 1), icase, &re) != SDB_OK)
        return SDB_ERROR;
    SdbArray a = {.ndim = 1, .lbound = {1}, .elemtype = SDB_TYPEOID_TEXT};
    int cap = 0;
    size_t piece = 0, search = 0;
    for (;;) {
        bool degenerate = false;
        found = false;
        while (search <= s.len) {
            execute(re, s, search, &found, m, 1);
            if (!found)
                break;
            size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
            degenerate = so == eo && (so == 0 || so == s.len || so == piece);
            if (!degenerate)
                break;
            if (so >= s.len) {
                found = false;
                break;
            }
            search = so + (size_t)sdb_utf8_char_bytes(s.p + so);
        }
        size_t end = found ? (size_t)m[0].rm_so : s.len;
        if (a.nitems == cap && grow_pieces(call->arena, &a, &cap) != SDB_OK)
            return SDB_ERROR;
        if (sdb_varlena_make(call->arena, s.p + piece, end - piece, &a.values[a.nitems]) != SDB_OK)
            return SDB_ERROR;
        a.nulls[a.nitems++] = false;
        if (!found)
            break;
        piece = search = (size_t)m[0].rm_eo;
    }
    a.dims[0] = a.nitems;
    return sdb_array_build(call->arena, &a, &call->result);
}

/* substring(string, pattern): the first capturing group of the first match
 * (NULL when it took no part), or the whole match without groups; NULL
 * without a match.  substring(string, pattern, escape) is the same over
 * similar_to_escape(pattern, escape) (SQL's SUBSTRING ... SIMILAR). */
int sdb_fn_textregexsubstr(SdbFnCall *call)
{
    Text s = arg_text(call, 0), pattern = arg_text(call, 1);
    bool found;
    const Regex *re;
    regmatch_t m[MAX_GROUPS + 1];
    if (call->nargs > 2) {
        SdbStr similar;
        if (check_escape(arg_text(call, 2)) != SDB_OK ||
            similar_escape(call->arena, pattern, arg_text(call, 2).p, arg_text(call, 2).len, &similar) != SDB_OK)
            return SDB_ERROR;
        pattern = (Text){similar.data, similar.len};
    }
    if (compile(call->arena, pattern, false, &re) != SDB_OK)
        return SDB_ERROR;
    execute(re, s, 0, &found, m, MAX_GROUPS + 1);
    const regmatch_t *g = &m[re->ngroups > 0 ? re->group[1] : 0];
    if (!found || g->rm_so < 0) {
        call->result_null = true;
        return SDB_OK;
    }
    return sdb_fn_return_text(call, s.p + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
}
