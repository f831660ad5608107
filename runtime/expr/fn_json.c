/*
 * expr/fn_json.c: SQL values as JSON, as PostgreSQL's datum_to_json makes
 * them -- to_json, to_jsonb, array_to_json, json[b]_build_object,
 * json[b]_build_array and the aggregates json_agg,
 * jsonb_agg, json_object_agg, jsonb_object_agg.  Booleans and finite
 * numbers are bare, NULL is null, dates and timestamps ISO 8601 strings
 * with a 'T', arrays JSON arrays, json as it is, anything else its text
 * output as a JSON string.  jsonb results are the JSON text read by the
 * jsonb input function (so later duplicate keys win).
 */
#include <string.h>

#include "common/error.h"
#include "common/str.h"
#include "expr/agg_state.h"
#include "expr/eval.h"
#include "types/array.h"
#include "types/typeio.h"

/* Append `text` as a JSON string (PostgreSQL's escape_json). */
static int append_json_string(SdbStr *out, const char *text, size_t len)
{
    int rc = sdb_str_append_char(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        switch (c) {
        case '"': rc |= sdb_str_append_cstr(out, "\\\""); break;
        case '\\': rc |= sdb_str_append_cstr(out, "\\\\"); break;
        case '\b': rc |= sdb_str_append_cstr(out, "\\b"); break;
        case '\f': rc |= sdb_str_append_cstr(out, "\\f"); break;
        case '\n': rc |= sdb_str_append_cstr(out, "\\n"); break;
        case '\r': rc |= sdb_str_append_cstr(out, "\\r"); break;
        case '\t': rc |= sdb_str_append_cstr(out, "\\t"); break;
        default:
            rc |= c < 0x20 ? sdb_str_appendf(out, "\\u%04x", c) : sdb_str_append_char(out, (char)c);
        }
    }
    rc |= sdb_str_append_char(out, '"');
    return rc == SDB_OK ? SDB_OK : SDB_ERROR;
}

/* A number's text is a JSON number unless it is NaN or an infinity. */
static bool json_number(const char *text)
{
    return strcmp(text, "NaN") != 0 && strcmp(text, "Infinity") != 0 && strcmp(text, "-Infinity") != 0;
}

static bool numeric_type(SdbOid type)
{
    return type == SDB_TYPEOID_INT2 || type == SDB_TYPEOID_INT4 || type == SDB_TYPEOID_INT8 ||
           type == SDB_TYPEOID_FLOAT4 || type == SDB_TYPEOID_FLOAT8 || type == SDB_TYPEOID_NUMERIC;
}

/* The ISO output "2024-02-29 12:00:00+05" as XSD "2024-02-29T12:00:00+05:00". */
static int append_datetime(SdbStr *out, SdbOid type, const char *text)
{
    SdbStr iso;
    sdb_str_init(&iso, out->arena);
    const char *space = strchr(text, ' ');
    if (type == SDB_TYPEOID_DATE || space == NULL || strcmp(text, "infinity") == 0 || strcmp(text, "-infinity") == 0)
        return append_json_string(out, text, strlen(text));
    int rc = sdb_str_append(&iso, text, (size_t)(space - text));
    rc |= sdb_str_append_char(&iso, 'T');
    rc |= sdb_str_append_cstr(&iso, space + 1);
    if (type == SDB_TYPEOID_TIMESTAMPTZ) {
        /* a zone of whole hours is printed "+05"; XSD wants "+05:00" */
        const char *zone = strpbrk(iso.data + (space - text) + 1, "+-");
        if (zone != NULL && strlen(zone) == 3)
            rc |= sdb_str_append_cstr(&iso, ":00");
    }
    return rc == SDB_OK ? append_json_string(out, iso.data, iso.len) : SDB_ERROR;
}

static int append_json(const SdbExprContext *ctx, SdbOid type, SdbDatum v, bool isnull, bool key, SdbStr *out);

/* Dimension `dim` of array `a` from item *next on, as nested JSON arrays. */
static int append_array_dim(const SdbExprContext *ctx, const SdbArray *a, int dim, int *next, SdbStr *out)
{
    int rc = sdb_str_append_char(out, '[');
    for (int i = 0; i < a->dims[dim] && rc == SDB_OK; i++) {
        if (i > 0)
            rc = sdb_str_append_char(out, ',');
        if (rc != SDB_OK)
            break;
        if (dim + 1 < a->ndim) {
            rc = append_array_dim(ctx, a, dim + 1, next, out);
        } else {
            rc = append_json(ctx, a->elemtype, a->values[*next], a->nulls[*next], false, out);
            (*next)++;
        }
    }
    return rc == SDB_OK ? sdb_str_append_char(out, ']') : SDB_ERROR;
}

/* Append value `v` of `type` as JSON (PostgreSQL's datum_to_json); as an
 * object key (`key`) it must be a scalar and becomes a string. */
static int append_json(const SdbExprContext *ctx, SdbOid type, SdbDatum v, bool isnull, bool key, SdbStr *out)
{
    bool array = sdb_type_by_oid(type) != NULL && sdb_type_by_oid(type)->category == 'A';
    if (key && (array || type == SDB_TYPEOID_JSON || type == SDB_TYPEOID_JSONB))
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "key value must be scalar, not array, composite, or json");
    if (isnull)
        return sdb_str_append_cstr(out, "null");
    if (array) {
        SdbArray a;
        int next = 0;
        if (sdb_array_deconstruct(ctx->arena, v, &a) != SDB_OK)
            return SDB_ERROR;
        return a.ndim == 0 ? sdb_str_append_cstr(out, "[]") : append_array_dim(ctx, &a, 0, &next, out);
    }
    if (type == SDB_TYPEOID_BOOL)
        return key ? append_json_string(out, v ? "true" : "false", v ? 4 : 5)
                   : sdb_str_append_cstr(out, v ? "true" : "false");
    SdbStr text;
    sdb_str_init(&text, ctx->arena);
    if (sdb_expr_output(ctx, type, v, &text) != SDB_OK)
        return SDB_ERROR;
    const char *t = text.data;
    if (type == SDB_TYPEOID_JSON || type == SDB_TYPEOID_JSONB || (numeric_type(type) && !key && json_number(t)))
        return sdb_str_append(out, t, text.len);
    if (type == SDB_TYPEOID_DATE || type == SDB_TYPEOID_TIMESTAMP || type == SDB_TYPEOID_TIMESTAMPTZ)
        return append_datetime(out, type, t);
    return append_json_string(out, t, text.len);
}

/* Set a json result (the text as it is) or a jsonb one (the text read). */
static int json_result(SdbArena *arena, SdbOid rettype, const SdbStr *json, SdbDatum *result)
{
    if (rettype == SDB_TYPEOID_JSON)
        return sdb_varlena_make(arena, json->data, json->len, result);
    SdbTypeCtx tctx = {.arena = arena, .typid = SDB_TYPEOID_JSONB, .typmod = -1};
    return sdb_type_input(&tctx, json->data, result);
}

/* to_json(anyelement), to_jsonb(anyelement), array_to_json(anyarray). */
int sdb_fn_to_json(SdbFnCall *call)
{
    SdbStr json;
    sdb_str_init(&json, call->arena);
    if (append_json(call->context, sdb_fn_argtype(call, 0), call->args[0], false, false, &json) != SDB_OK)
        return SDB_ERROR;
    return json_result(call->arena, sdb_fn_rettype(call), &json, &call->result);
}

/* json_build_object, jsonb_build_object (VARIADIC "any", or no
 * arguments): alternating keys and values; keys must not be NULL.  json's
 * text is PostgreSQL's ("{"a" : 1, "b" : 2}"). */
int sdb_fn_json_build_object(SdbFnCall *call)
{
    if (call->nargs % 2 != 0) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "argument list must have even number of elements");
        sdb_error_hint("The arguments of %s() must consist of alternating keys and values.", call->func->name);
        return SDB_ERROR;
    }
    SdbStr json;
    sdb_str_init(&json, call->arena);
    int rc = sdb_str_append_char(&json, '{');
    for (int i = 0; i < call->nargs && rc == SDB_OK; i += 2) {
        if (call->nulls[i])
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "argument %d: key must not be null", i + 1);
        rc |= i > 0 ? sdb_str_append_cstr(&json, ", ") : SDB_OK;
        rc |= append_json(call->context, call->argtypes[i], call->args[i], false, true, &json);
        rc |= sdb_str_append_cstr(&json, " : ");
        rc |= append_json(call->context, call->argtypes[i + 1], call->args[i + 1], call->nulls[i + 1], false, &json);
    }
    if (rc != SDB_OK || sdb_str_append_char(&json, '}') != SDB_OK)
        return SDB_ERROR;
    return json_result(call->arena, sdb_fn_rettype(call), &json, &call->result);
}

/* json_build_array, jsonb_build_array (VARIADIC "any", or none). */
int sdb_fn_json_build_array(SdbFnCall *call)
{
    SdbStr json;
    sdb_str_init(&json, call->arena);
    int rc = sdb_str_append_char(&json, '[');
    for (int i = 0; i < call->nargs && rc == SDB_OK; i++) {
        rc |= i > 0 ? sdb_str_append_cstr(&json, ", ") : SDB_OK;
        rc |= append_json(call->context, call->argtypes[i], call->args[i], call->nulls[i], false, &json);
    }
    if (rc != SDB_OK || sdb_str_append_char(&json, ']') != SDB_OK)
        return SDB_ERROR;
    return json_result(call->arena, sdb_fn_rettype(call), &json, &call->result);
}

/* --- json_agg, jsonb_agg, json_object_agg, jsonb_object_agg ---------- */

/* Argument `i` as JSON appended to the state. */
static int state_append_json(SdbAggCall *call, SdbAggString *s, int i, bool key)
{
    SdbStr json;
    sdb_str_init(&json, call->context->arena);
    if (append_json(call->context, call->argtypes[i], call->args[i], call->nulls[i], key, &json) != SDB_OK)
        return SDB_ERROR;
    return sdb_agg_string_append(call, s, json.data, json.len);
}

/* json_agg/jsonb_agg: "[v1, v2 ...]", NULLs as null; arrays after the
 * first element get a line break before them, as in PostgreSQL. */
int sdb_agg_json_agg_step(SdbAggCall *call)
{
    SdbAggString *s = call->state;
    bool array = sdb_type_by_oid(call->argtypes[0])->category == 'A';
    const char *sep = !s->have ? "[" : array && !call->nulls[0] ? ", \n " : ", ";
    s->have = true;
    if (sdb_agg_string_append(call, s, sep, strlen(sep)) != SDB_OK)
        return SDB_ERROR;
    return state_append_json(call, s, 0, false);
}

/* json_object_agg/jsonb_object_agg: "{ k1 : v1, k2 : v2 }"; a NULL key is 22023. */
int sdb_agg_json_object_agg_step(SdbAggCall *call)
{
    SdbAggString *s = call->state;
    if (call->nulls[0])
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "field name must not be null");
    const char *sep = !s->have ? "{ " : ", ";
    s->have = true;
    if (sdb_agg_string_append(call, s, sep, strlen(sep)) != SDB_OK || state_append_json(call, s, 0, true) != SDB_OK ||
        sdb_agg_string_append(call, s, " : ", 3) != SDB_OK)
        return SDB_ERROR;
    return state_append_json(call, s, 1, false);
}

static int json_agg_final(SdbAggCall *call, const char *close)
{
    const SdbAggString *s = call->state;
    if (!s->have) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr json;
    sdb_str_init(&json, call->context->arena);
    if (sdb_str_append(&json, s->data, s->len) != SDB_OK || sdb_str_append_cstr(&json, close) != SDB_OK)
        return SDB_ERROR;
    return json_result(call->arena, call->rettype, &json, &call->result);
}

int sdb_agg_json_agg_final(SdbAggCall *call) { return json_agg_final(call, "]"); }
int sdb_agg_json_object_agg_final(SdbAggCall *call) { return json_agg_final(call, " }"); }
