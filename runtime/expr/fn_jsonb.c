/*
 * expr/fn_jsonb.c: jsonb operators and functions as PostgreSQL's
 * jsonfuncs.c/jsonb_op.c: -> ->> #> #>> (object keys, array indexes,
 * negative ones from the end) of jsonb and of json (whose values keep the
 * text as written), json[b]_extract_path(_text), json[b]_typeof,
 * json[b]_array_length, @> <@ ? ?| ?&,
 * || and - (key, index), #- (path), jsonb_pretty, jsonb_set,
 * jsonb_strip_nulls.  Values are read in place through
 * types/jsonb.h; new values are written as JSON text and read back by the
 * jsonb input function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/str.h"
#include "expr/fmgr.h"
#include "types/array.h"
#include "types/jsonb.h"
#include "types/typeio.h"

static SdbJsonbNode arg_node(const SdbFnCall *call, int i)
{
    return sdb_jsonb_root(call->args[i]);
}

/* Set the result to a node: jsonb, or, for a text result, a string's
 * contents, NULL for a JSON null, any other value's JSON text. */
static int return_node(SdbFnCall *call, SdbJsonbNode n)
{
    if (n == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    if (sdb_fn_rettype(call) == SDB_TYPEOID_JSONB)
        return sdb_jsonb_node_datum(call->arena, n, &call->result);
    if (sdb_jsonb_kind(n) == SDB_JSONB_NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    if (sdb_jsonb_kind(n) == SDB_JSONB_STRING) {
        size_t len;
        const unsigned char *s = sdb_jsonb_scalar(n, &len);
        return sdb_fn_return_text(call, s, len);
    }
    SdbStr text;
    sdb_str_init(&text, call->arena);
    if (sdb_jsonb_node_text(n, &text) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, text.data, text.len);
}

/* Set a jsonb result from JSON text. */
static int return_json_text(SdbFnCall *call, const SdbStr *json)
{
    SdbTypeCtx tctx = {.arena = call->arena, .typid = SDB_TYPEOID_JSONB, .typmod = -1};
    return sdb_type_input(&tctx, json->data, &call->result);
}

/* Array element `index` (negative: from the end), or NULL. */
static SdbJsonbNode element(SdbJsonbNode n, int64_t index)
{
    if (sdb_jsonb_kind(n) != SDB_JSONB_ARRAY)
        return NULL;
    int64_t count = sdb_jsonb_count(n);
    if (index < 0)
        index += count;
    return index >= 0 && index < count ? sdb_jsonb_member(n, (uint32_t)index, NULL, NULL) : NULL;
}

/* One path step: an object key, or an array index written as an integer
 * (anything else finds nothing). */
static SdbJsonbNode step(SdbJsonbNode n, const char *key, size_t len)
{
    if (sdb_jsonb_kind(n) == SDB_JSONB_OBJECT)
        return sdb_jsonb_field(n, key, len);
    if (sdb_jsonb_kind(n) != SDB_JSONB_ARRAY || len == 0 || len > 11)
        return NULL;
    char buf[12], *end;
    memcpy(buf, key, len);
    buf[len] = '\0';
    long index = strtol(buf, &end, 10);
    return *end == '\0' ? element(n, index) : NULL;
}

/* jsonb -> text / int4, jsonb ->> text / int4. */
int sdb_fn_jsonb_get(SdbFnCall *call)
{
    SdbJsonbNode n = arg_node(call, 0);
    if (sdb_fn_argtype(call, 1) == SDB_TYPEOID_INT4)
        return return_node(call, element(n, sdb_fn_arg_int(call, 1)));
    const SdbVarlena *key = sdb_fn_arg_text(call, 1);
    return return_node(call, sdb_jsonb_field(n, (const char *)key->data, key->len));
}

/* The path of #> #>> (a text[]) or of jsonb_extract_path(_text)
 * (variadic text): its steps, NULL ones included. */
typedef struct Path {
    int n;
    const SdbDatum *values;
    const bool *nulls;
} Path;

static int call_path(SdbFnCall *call, int from, Path *path)
{
    if (sdb_fn_argtype(call, from) != SDB_TYPEOID_TEXT_ARRAY) {
        *path = (Path){call->nargs - from, call->args + from, call->nulls + from};
        return SDB_OK;
    }
    SdbArray a;
    if (sdb_array_deconstruct(call->arena, call->args[from], &a) != SDB_OK)
        return SDB_ERROR;
    if (a.ndim > 1)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "wrong number of array subscripts");
    *path = (Path){a.nitems, a.values, a.nulls};
    return SDB_OK;
}

/* jsonb #> text[], #>> text[], jsonb_extract_path(_text)(jsonb, VARIADIC
 * text): NULL when a step is NULL or finds nothing. */
int sdb_fn_jsonb_extract_path(SdbFnCall *call)
{
    Path path = {0};
    if (call_path(call, 1, &path) != SDB_OK)
        return SDB_ERROR;
    SdbJsonbNode n = arg_node(call, 0);
    for (int i = 0; i < path.n && n != NULL; i++) {
        if (path.nulls[i])
            n = NULL;
        else {
            const SdbVarlena *key = sdb_datum_varlena(path.values[i]);
            n = step(n, (const char *)key->data, key->len);
        }
    }
    return return_node(call, n);
}

/* jsonb @> jsonb and jsonb <@ jsonb. */
int sdb_fn_jsonb_contains(SdbFnCall *call)
{
    return sdb_fn_return_bool(call, sdb_jsonb_contains(arg_node(call, 0), arg_node(call, 1)));
}

int sdb_fn_jsonb_contained(SdbFnCall *call)
{
    return sdb_fn_return_bool(call, sdb_jsonb_contains(arg_node(call, 1), arg_node(call, 0)));
}

/* Whether `key` is a key of an object, a string element of an array, or
 * the string itself (PostgreSQL's ? on a top-level value). */
static bool key_exists(SdbJsonbNode n, const SdbVarlena *key)
{
    int kind = sdb_jsonb_kind(n);
    if (kind == SDB_JSONB_OBJECT)
        return sdb_jsonb_field(n, (const char *)key->data, key->len) != NULL;
    uint32_t count = kind == SDB_JSONB_ARRAY ? sdb_jsonb_count(n) : 1;
    for (uint32_t i = 0; i < count; i++) {
        SdbJsonbNode e = kind == SDB_JSONB_ARRAY ? sdb_jsonb_member(n, i, NULL, NULL) : n;
        size_t len;
        if (sdb_jsonb_kind(e) == SDB_JSONB_STRING) {
            const unsigned char *s = sdb_jsonb_scalar(e, &len);
            if (len == key->len && memcmp(s, key->data, len) == 0)
                return true;
        }
    }
    return false;
}

int sdb_fn_jsonb_exists(SdbFnCall *call)
{
    return sdb_fn_return_bool(call, key_exists(arg_node(call, 0), sdb_fn_arg_text(call, 1)));
}

/* ?| (any) and ?& (all) of a text[]; NULL elements are skipped. */
static int exists_many(SdbFnCall *call, bool all)
{
    SdbArray a;
    if (sdb_array_deconstruct(call->arena, call->args[1], &a) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems; i++) {
        if (a.nulls[i])
            continue;
        if (key_exists(arg_node(call, 0), sdb_datum_varlena(a.values[i])) != all)
            return sdb_fn_return_bool(call, !all);
    }
    return sdb_fn_return_bool(call, all);
}

int sdb_fn_jsonb_exists_any(SdbFnCall *call) { return exists_many(call, false); }
int sdb_fn_jsonb_exists_all(SdbFnCall *call) { return exists_many(call, true); }

/* --- json (text) ----------------------------------------------------------- */

/* Set the result to the value a path leads to in a json argument: json
 * (the value as written), or for a text result a string's contents, NULL
 * for null, any other value as written. */
static int json_follow(SdbFnCall *call, const char *const *keys, const size_t *lens, int n)
{
    SdbJsonValue v;
    bool found;
    if (sdb_json_path(call->arena, (const char *)sdb_fn_arg_text(call, 0)->data, keys, lens, n, &v, &found) !=
        SDB_OK)
        return SDB_ERROR;
    if (!found || (sdb_fn_rettype(call) == SDB_TYPEOID_TEXT && v.kind == SDB_JSONB_NULL)) {
        call->result_null = true;
        return SDB_OK;
    }
    if (sdb_fn_rettype(call) == SDB_TYPEOID_TEXT && v.kind == SDB_JSONB_STRING)
        return sdb_fn_return_text(call, v.str, v.strlen);
    return sdb_fn_return_text(call, v.text, v.len);
}

/* json -> text / int4, json ->> text / int4. */
int sdb_fn_json_get(SdbFnCall *call)
{
    char index[24];
    const char *key = index;
    size_t len;
    if (sdb_fn_argtype(call, 1) == SDB_TYPEOID_INT4) {
        len = (size_t)snprintf(index, sizeof index, "%lld", (long long)sdb_fn_arg_int(call, 1));
    } else {
        key = (const char *)sdb_fn_arg_text(call, 1)->data;
        len = sdb_fn_arg_text(call, 1)->len;
    }
    return json_follow(call, &key, &len, 1);
}

/* json #> text[], #>> text[], json_extract_path(_text)(json, VARIADIC text). */
int sdb_fn_json_extract_path(SdbFnCall *call)
{
    Path path = {0};
    if (call_path(call, 1, &path) != SDB_OK)
        return SDB_ERROR;
    const char **keys = sdb_arena_alloc(call->arena, sizeof *keys * (size_t)(path.n + 1));
    size_t *lens = sdb_arena_alloc(call->arena, sizeof *lens * (size_t)(path.n + 1));
    if (keys == NULL || lens == NULL)
        return SDB_ERROR;
    for (int i = 0; i < path.n; i++) {
        keys[i] = path.nulls[i] ? NULL : (const char *)sdb_datum_varlena(path.values[i])->data;
        lens[i] = path.nulls[i] ? 0 : sdb_datum_varlena(path.values[i])->len;
    }
    return json_follow(call, keys, lens, path.n);
}

static const char *const kind_names[] = {[SDB_JSONB_NULL] = "null",     [SDB_JSONB_FALSE] = "boolean",
                                         [SDB_JSONB_TRUE] = "boolean",  [SDB_JSONB_NUMBER] = "number",
                                         [SDB_JSONB_STRING] = "string", [SDB_JSONB_ARRAY] = "array",
                                         [SDB_JSONB_OBJECT] = "object"};

/* The whole json argument as a value. */
static int json_root(SdbFnCall *call, SdbJsonValue *v)
{
    bool found;
    return sdb_json_path(call->arena, (const char *)sdb_fn_arg_text(call, 0)->data, NULL, NULL, 0, v, &found);
}

int sdb_fn_json_typeof(SdbFnCall *call)
{
    SdbJsonValue v;
    if (json_root(call, &v) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, kind_names[v.kind], strlen(kind_names[v.kind]));
}

int sdb_fn_json_array_length(SdbFnCall *call)
{
    SdbJsonValue v;
    if (json_root(call, &v) != SDB_OK)
        return SDB_ERROR;
    if (v.kind == SDB_JSONB_OBJECT)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot get array length of a non-array");
    if (v.kind != SDB_JSONB_ARRAY)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot get array length of a scalar");
    return sdb_fn_return_int(call, (int64_t)v.count);
}

/* --- writing --------------------------------------------------------------- */

static int append_key(SdbStr *out, const char *key, size_t len)
{
    return sdb_jsonb_append_string(out, key, len);
}

/* Append the members (or elements) of a container without its brackets;
 * *first tracks the separator. */
static int append_members(SdbJsonbNode n, bool *first, SdbStr *out)
{
    bool object = sdb_jsonb_kind(n) == SDB_JSONB_OBJECT;
    for (uint32_t i = 0; i < sdb_jsonb_count(n); i++) {
        const char *key = NULL;
        size_t klen = 0;
        SdbJsonbNode v = sdb_jsonb_member(n, i, &key, &klen);
        if (!*first && sdb_str_append_cstr(out, ", ") != SDB_OK)
            return SDB_ERROR;
        *first = false;
        if (object && (append_key(out, key, klen) != SDB_OK || sdb_str_append_cstr(out, ": ") != SDB_OK))
            return SDB_ERROR;
        if (sdb_jsonb_node_text(v, out) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* An element of a concatenated array: a container's elements, or a
 * scalar/object as one element. */
static int append_as_elements(SdbJsonbNode n, bool *first, SdbStr *out)
{
    if (sdb_jsonb_kind(n) == SDB_JSONB_ARRAY)
        return append_members(n, first, out);
    if (!*first && sdb_str_append_cstr(out, ", ") != SDB_OK)
        return SDB_ERROR;
    *first = false;
    return sdb_jsonb_node_text(n, out);
}

/* jsonb || jsonb: two objects merge (the right one's keys win); anything
 * else makes an array of both sides' elements. */
int sdb_fn_jsonb_concat(SdbFnCall *call)
{
    SdbJsonbNode a = arg_node(call, 0), b = arg_node(call, 1);
    bool objects = sdb_jsonb_kind(a) == SDB_JSONB_OBJECT && sdb_jsonb_kind(b) == SDB_JSONB_OBJECT, first = true;
    SdbStr json;
    sdb_str_init(&json, call->arena);
    int rc = sdb_str_append_char(&json, objects ? '{' : '[');
    if (objects)
        rc |= append_members(a, &first, &json) | append_members(b, &first, &json);
    else
        rc |= append_as_elements(a, &first, &json) | append_as_elements(b, &first, &json);
    rc |= sdb_str_append_char(&json, objects ? '}' : ']');
    return rc == SDB_OK ? return_json_text(call, &json) : SDB_ERROR;
}

/* Whether `len` bytes at `s` equal one of the keys (NULL ones match
 * nothing). */
static bool is_deleted_key(const Path *keys, const void *s, size_t len)
{
    for (int i = 0; i < keys->n; i++) {
        if (keys->nulls[i])
            continue;
        const SdbVarlena *k = sdb_datum_varlena(keys->values[i]);
        if (k->len == len && memcmp(k->data, s, len) == 0)
            return true;
    }
    return false;
}

/* jsonb - text, jsonb - text[] (an object's keys, or an array's string
 * elements equal to them) and jsonb - int4 (an array element, negative
 * from the end). */
int sdb_fn_jsonb_delete(SdbFnCall *call)
{
    SdbJsonbNode n = arg_node(call, 0);
    int kind = sdb_jsonb_kind(n);
    bool by_index = sdb_fn_argtype(call, 1) == SDB_TYPEOID_INT4;
    if (kind != SDB_JSONB_OBJECT && kind != SDB_JSONB_ARRAY)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot delete from scalar");
    if (by_index && kind == SDB_JSONB_OBJECT)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot delete from object using integer index");
    int64_t count = sdb_jsonb_count(n), index = by_index ? sdb_fn_arg_int(call, 1) : -1;
    if (by_index && index < 0)
        index += count;
    Path keys = {0};
    if (!by_index && call_path(call, 1, &keys) != SDB_OK)
        return SDB_ERROR;
    SdbStr json;
    sdb_str_init(&json, call->arena);
    int rc = sdb_str_append_char(&json, kind == SDB_JSONB_OBJECT ? '{' : '[');
    bool first = true;
    for (uint32_t i = 0; i < count && rc == SDB_OK; i++) {
        const char *k = NULL;
        size_t klen = 0, slen;
        SdbJsonbNode v = sdb_jsonb_member(n, i, &k, &klen);
        if (by_index && i == index)
            continue;
        if (!by_index && kind == SDB_JSONB_OBJECT && is_deleted_key(&keys, k, klen))
            continue;
        if (!by_index && kind == SDB_JSONB_ARRAY && sdb_jsonb_kind(v) == SDB_JSONB_STRING) {
            const unsigned char *str = sdb_jsonb_scalar(v, &slen);
            if (is_deleted_key(&keys, str, slen))
                continue;
        }
        rc |= first ? SDB_OK : sdb_str_append_cstr(&json, ", ");
        first = false;
        if (kind == SDB_JSONB_OBJECT)
            rc |= append_key(&json, k, klen) | sdb_str_append_cstr(&json, ": ");
        rc |= sdb_jsonb_node_text(v, &json);
    }
    rc |= sdb_str_append_char(&json, kind == SDB_JSONB_OBJECT ? '}' : ']');
    return rc == SDB_OK ? return_json_text(call, &json) : SDB_ERROR;
}

/* --- functions ------------------------------------------------------------- */

int sdb_fn_jsonb_typeof(SdbFnCall *call)
{
    const char *name = kind_names[sdb_jsonb_kind(arg_node(call, 0))];
    return sdb_fn_return_text(call, name, strlen(name));
}

int sdb_fn_jsonb_array_length(SdbFnCall *call)
{
    SdbJsonbNode n = arg_node(call, 0);
    if (sdb_jsonb_kind(n) == SDB_JSONB_OBJECT)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot get array length of a non-array");
    if (sdb_jsonb_kind(n) != SDB_JSONB_ARRAY)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot get array length of a scalar");
    return sdb_fn_return_int(call, sdb_jsonb_count(n));
}

/* jsonb_pretty: PostgreSQL's layout, four spaces per level, even empty
 * containers' brackets on lines of their own. */
static int pretty(SdbJsonbNode n, int level, SdbStr *out)
{
    int kind = sdb_jsonb_kind(n);
    uint32_t count = sdb_jsonb_count(n);
    if (kind != SDB_JSONB_ARRAY && kind != SDB_JSONB_OBJECT)
        return sdb_jsonb_node_text(n, out);
    bool object = kind == SDB_JSONB_OBJECT;
    int rc = sdb_str_append_char(out, object ? '{' : '[');
    for (uint32_t i = 0; i < count && rc == SDB_OK; i++) {
        const char *key = NULL;
        size_t klen = 0;
        SdbJsonbNode v = sdb_jsonb_member(n, i, &key, &klen);
        rc |= sdb_str_append_cstr(out, i > 0 ? ",\n" : "\n");
        rc |= sdb_str_appendf(out, "%*s", 4 * (level + 1), "");
        if (object)
            rc |= append_key(out, key, klen) | sdb_str_append_cstr(out, ": ");
        rc |= pretty(v, level + 1, out);
    }
    rc |= sdb_str_appendf(out, "\n%*s", 4 * level, ""); /* also for an empty container */
    rc |= sdb_str_append_char(out, object ? '}' : ']');
    return rc;
}

int sdb_fn_jsonb_pretty(SdbFnCall *call)
{
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (pretty(arg_node(call, 0), 0, &out) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* jsonb_strip_nulls: object members whose value is null, at any depth. */
static int strip_nulls(SdbJsonbNode n, SdbStr *out)
{
    int kind = sdb_jsonb_kind(n);
    if (kind != SDB_JSONB_ARRAY && kind != SDB_JSONB_OBJECT)
        return sdb_jsonb_node_text(n, out);
    bool object = kind == SDB_JSONB_OBJECT, first = true;
    int rc = sdb_str_append_char(out, object ? '{' : '[');
    for (uint32_t i = 0; i < sdb_jsonb_count(n) && rc == SDB_OK; i++) {
        const char *key = NULL;
        size_t klen = 0;
        SdbJsonbNode v = sdb_jsonb_member(n, i, &key, &klen);
        if (object && sdb_jsonb_kind(v) == SDB_JSONB_NULL)
            continue;
        rc |= first ? SDB_OK : sdb_str_append_cstr(out, ", ");
        first = false;
        if (object)
            rc |= append_key(out, key, klen) | sdb_str_append_cstr(out, ": ");
        rc |= strip_nulls(v, out);
    }
    return rc | sdb_str_append_char(out, object ? '}' : ']');
}

int sdb_fn_jsonb_strip_nulls(SdbFnCall *call)
{
    SdbStr json;
    sdb_str_init(&json, call->arena);
    return strip_nulls(arg_node(call, 0), &json) == SDB_OK ? return_json_text(call, &json) : SDB_ERROR;
}

/* --- jsonb_set ------------------------------------------------------------ */

/* jsonb_set and #-: the path, and what happens at its end: the value
 * replaced by `value` (added when `create` and missing), or removed. */
typedef struct SetState {
    const Path *path;
    SdbJsonbNode value;
    bool create;
    bool remove;
} SetState;

static int set_path(const SetState *st, SdbJsonbNode n, int depth, SdbStr *out);

/* The index a path step means in an array of `count` elements (PostgreSQL:
 * negative from the end; out of range: before the start or after the
 * end); 22P02 when it is not an integer. */
static int array_index(const SetState *st, int depth, int64_t count, int64_t *index)
{
    const SdbVarlena *key = sdb_datum_varlena(st->path->values[depth]);
    char buf[32], *end;
    size_t len = key->len < sizeof buf - 1 ? key->len : sizeof buf - 1;
    memcpy(buf, key->data, len);
    buf[len] = '\0';
    long long v = strtoll(buf, &end, 10);
    if (len == 0 || *end != '\0') {
        sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "path element at position %d is not an integer: \"%s\"",
                  depth + 1, buf);
        return SDB_ERROR;
    }
    *index = v < 0 ? (v + count < 0 ? -1 : v + count) : v;
    return SDB_OK;
}

static int set_in_object(const SetState *st, SdbJsonbNode n, int depth, SdbStr *out)
{
    const SdbVarlena *key = sdb_datum_varlena(st->path->values[depth]);
    bool last = depth == st->path->n - 1, found = false, first = true;
    int rc = sdb_str_append_char(out, '{');
    for (uint32_t i = 0; i < sdb_jsonb_count(n) && rc == SDB_OK; i++) {
        const char *k = NULL;
        size_t klen = 0;
        SdbJsonbNode v = sdb_jsonb_member(n, i, &k, &klen);
        bool match = klen == key->len && memcmp(k, key->data, klen) == 0;
        if (match && last && st->remove)
            continue;
        rc |= first ? SDB_OK : sdb_str_append_cstr(out, ", ");
        first = false;
        rc |= append_key(out, k, klen) | sdb_str_append_cstr(out, ": ");
        if (match) {
            found = true;
            rc |= last ? sdb_jsonb_node_text(st->value, out) : set_path(st, v, depth + 1, out);
        } else {
            rc |= sdb_jsonb_node_text(v, out);
        }
    }
    if (!found && last && st->create) {
        rc |= first ? SDB_OK : sdb_str_append_cstr(out, ", ");
        rc |= append_key(out, (const char *)key->data, key->len) | sdb_str_append_cstr(out, ": ");
        rc |= sdb_jsonb_node_text(st->value, out);
    }
    return rc | sdb_str_append_char(out, '}');
}

static int set_in_array(const SetState *st, SdbJsonbNode n, int depth, SdbStr *out)
{
    int64_t count = sdb_jsonb_count(n), index;
    if (array_index(st, depth, count, &index) != SDB_OK)
        return SDB_ERROR;
    bool last = depth == st->path->n - 1, first = true;
    bool add = last && st->create && (index < 0 || index >= count);
    int rc = sdb_str_append_char(out, '[');
    if (add && index < 0) {
        rc |= sdb_jsonb_node_text(st->value, out);
        first = false;
    }
    for (int64_t i = 0; i < count && rc == SDB_OK; i++) {
        SdbJsonbNode v = sdb_jsonb_member(n, (uint32_t)i, NULL, NULL);
        if (i == index && last && st->remove)
            continue;
        rc |= first ? SDB_OK : sdb_str_append_cstr(out, ", ");
        first = false;
        if (i == index)
            rc |= last ? sdb_jsonb_node_text(st->value, out) : set_path(st, v, depth + 1, out);
        else
            rc |= sdb_jsonb_node_text(v, out);
    }
    if (add && index >= count) {
        rc |= first ? SDB_OK : sdb_str_append_cstr(out, ", ");
        rc |= sdb_jsonb_node_text(st->value, out);
    }
    return rc | sdb_str_append_char(out, ']');
}

/* Write `n` with the value at path[depth..] replaced, added or removed. */
static int set_path(const SetState *st, SdbJsonbNode n, int depth, SdbStr *out)
{
    if (st->path->nulls[depth])
        return sdb_error(SDB_ERR_NULL_VALUE_NOT_ALLOWED, "path element at position %d is null", depth + 1);
    switch (sdb_jsonb_kind(n)) {
    case SDB_JSONB_OBJECT: return set_in_object(st, n, depth, out);
    case SDB_JSONB_ARRAY: return set_in_array(st, n, depth, out);
    default: return sdb_jsonb_node_text(n, out);
    }
}

/* jsonb_set(target, path, new_value [, create_if_missing true]). */
int sdb_fn_jsonb_set(SdbFnCall *call)
{
    Path path = {0};
    if (call_path(call, 1, &path) != SDB_OK)
        return SDB_ERROR;
    SdbJsonbNode target = arg_node(call, 0);
    int kind = sdb_jsonb_kind(target);
    if (kind != SDB_JSONB_OBJECT && kind != SDB_JSONB_ARRAY)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot set path in scalar");
    if (path.n == 0)
        return return_node(call, target);
    SetState st = {.path = &path, .value = arg_node(call, 2), .create = call->nargs < 4 || sdb_fn_arg_bool(call, 3)};
    SdbStr json;
    sdb_str_init(&json, call->arena);
    return set_path(&st, target, 0, &json) == SDB_OK ? return_json_text(call, &json) : SDB_ERROR;
}

/* jsonb #- text[] (jsonb_delete_path): the value at the path removed;
 * nothing when the path leads nowhere. */
int sdb_fn_jsonb_delete_path(SdbFnCall *call)
{
    Path path = {0};
    if (call_path(call, 1, &path) != SDB_OK)
        return SDB_ERROR;
    SdbJsonbNode target = arg_node(call, 0);
    int kind = sdb_jsonb_kind(target);
    if (kind != SDB_JSONB_OBJECT && kind != SDB_JSONB_ARRAY)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot delete path in scalar");
    if (path.n == 0)
        return return_node(call, target);
    SetState st = {.path = &path, .remove = true};
    SdbStr json;
    sdb_str_init(&json, call->arena);
    return set_path(&st, target, 0, &json) == SDB_OK ? return_json_text(call, &json) : SDB_ERROR;
}
