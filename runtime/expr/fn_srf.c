/*
 * expr/fn_srf.c: the set-returning functions (SdbSrfCall, fmgr.h):
 * generate_series over integers, numeric and timestamps, unnest,
 * generate_subscripts, jsonb_array_elements[_text], jsonb_object_keys,
 * and jsonb_each[_text] / json_each[_text] (OUT key, value), with
 * PostgreSQL's semantics and errors.
 */
#include <string.h>

#include "expr/fmgr.h"
#include "common/error.h"
#include "common/str.h"
#include "sdb_operators.h"
#include "types/array.h"
#include "types/numeric.h"
#include "types/jsonb.h"
#include "types/typeio.h"

/* generate_series(int4|int8, int4|int8 [, step]): 64-bit arithmetic; a
 * value past the type's end stops the series. */
typedef struct IntSeries {
    int64_t cur, stop, step;
    bool over;
} IntSeries;

int sdb_fn_generate_series_int(SdbSrfCall *call)
{
    IntSeries *s = call->state;
    if (s == NULL) {
        int64_t step = call->nargs == 3 ? sdb_datum_to_int64(call->args[2]) : 1;
        if (step == 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        s = sdb_arena_calloc(call->state_arena, 1, sizeof(IntSeries));
        if (s == NULL)
            return SDB_ERROR;
        *s = (IntSeries){sdb_datum_to_int64(call->args[0]), sdb_datum_to_int64(call->args[1]), step, false};
        call->state = s;
    }
    if (s->over || (s->step > 0 ? s->cur > s->stop : s->cur < s->stop)) {
        call->done = true;
        return SDB_OK;
    }
    call->result = sdb_datum_from_int64(s->cur);
    int64_t next;
    if (__builtin_add_overflow(s->cur, s->step, &next))
        s->over = true;
    s->cur = next;
    if (call->rettype == SDB_TYPEOID_INT4 && (next > INT32_MAX || next < INT32_MIN))
        s->over = true;
    return SDB_OK;
}

/* generate_series over a type with a `+ step` operator: numeric (step 1
 * when omitted) and timestamp[tz] + interval. */
typedef struct StepSeries {
    SdbDatum cur, stop, step;
    const SdbFuncInfo *add;
    SdbOid argtypes[2];
    SdbTypeCompareFn compare;
    bool byref;
    bool backward;
    SdbArena *value_arena; /* holds cur, reset at every step */
} StepSeries;

static const SdbFuncInfo *plus_function(SdbOid left, SdbOid right)
{
    const SdbOperInfo *const *ops;
    size_t n = sdb_opers_by_name("+", &ops);
    for (size_t i = 0; i < n; i++)
        if (ops[i]->left == left && ops[i]->right == right)
            return sdb_func_by_oid(ops[i]->func);
    return NULL;
}

/* PostgreSQL's checks of numeric arguments (generate_series_step_numeric). */
static int numeric_checks(const SdbDatum *args)
{
    static const char *const what[3] = {"start value", "stop value", "step size"};
    for (int i = 0; i < 3; i++) {
        SdbNumericFacts f = sdb_numeric_facts(args[i]);
        if (f.nan)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "%s cannot be NaN", what[i]);
        if (f.special)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "%s cannot be infinity", what[i]);
    }
    if (sdb_numeric_facts(args[2]).sign == 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
    return SDB_OK;
}

/* The sign of an interval as interval_cmp sees it (a month is 30 days). */
static int interval_sign(SdbDatum v)
{
    const SdbVarlena *iv = sdb_datum_varlena(v);
    int64_t time;
    int32_t day, month;
    memcpy(&time, iv->data, 8);
    memcpy(&day, iv->data + 8, 4);
    memcpy(&month, iv->data + 12, 4);
    __int128 span = (__int128)time + ((__int128)day + (__int128)month * 30) * 86400000000LL;
    return span > 0 ? 1 : span < 0 ? -1 : 0;
}

/* `v` of the series' type, copied into `arena` when by reference. */
static int series_copy(const StepSeries *s, SdbArena *arena, SdbDatum v, SdbDatum *out)
{
    if (!s->byref) {
        *out = v;
        return SDB_OK;
    }
    const SdbVarlena *src = sdb_datum_varlena(v);
    return sdb_varlena_make(arena, src->data, src->len, out);
}

static int step_series_init(SdbSrfCall *call)
{
    SdbOid type = call->argtypes[0];
    SdbDatum args[3] = {call->args[0], call->args[1], 0};
    if (call->nargs == 3)
        args[2] = call->args[2];
    else if (sdb_numeric_from_int64(call->state_arena, 1, &args[2]) != SDB_OK)
        return SDB_ERROR;
    int sign;
    if (type == SDB_TYPEOID_NUMERIC) {
        if (numeric_checks(args) != SDB_OK)
            return SDB_ERROR;
        sign = sdb_numeric_facts(args[2]).sign;
    } else {
        sign = interval_sign(args[2]);
        if (sign == 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
    }
    StepSeries *s = sdb_arena_calloc(call->state_arena, 1, sizeof(StepSeries));
    if (s == NULL)
        return SDB_ERROR;
    SdbOid steptype = call->nargs == 3 ? call->argtypes[2] : SDB_TYPEOID_NUMERIC;
    s->add = plus_function(type, steptype);
    const SdbTypeOps *ops = sdb_type_ops(type);
    if (s->add == NULL || ops == NULL || ops->compare == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "generate_series: no + or comparison for type %u", (unsigned)type);
    s->argtypes[0] = type;
    s->argtypes[1] = steptype;
    s->compare = ops->compare;
    s->byref = !sdb_type_by_oid(type)->byval;
    s->backward = sign < 0;
    s->cur = args[0];
    s->stop = args[1];
    s->step = args[2];
    s->value_arena = sdb_arena_create(call->state_arena, "series value", 0);
    if (s->value_arena == NULL)
        return SDB_ERROR;
    call->state = s;
    return SDB_OK;
}

int sdb_fn_generate_series_step(SdbSrfCall *call)
{
    if (call->state == NULL && step_series_init(call) != SDB_OK)
        return SDB_ERROR;
    StepSeries *s = call->state;
    int c = s->compare(s->cur, s->stop);
    if (s->backward ? c < 0 : c > 0) {
        call->done = true;
        return SDB_OK;
    }
    /* the row's value is copied to call->arena before cur's arena is reset */
    if (series_copy(s, call->arena, s->cur, &call->result) != SDB_OK)
        return SDB_ERROR;
    SdbDatum pair[2] = {s->cur, s->step}, next;
    bool nulls[2] = {false, false}, isnull;
    SdbExprContext ectx = *call->context;
    ectx.arena = call->arena;
    if (sdb_fn_invoke(s->add, &ectx, 2, s->argtypes, pair, nulls, &next, &isnull) != SDB_OK)
        return SDB_ERROR;
    sdb_arena_reset(s->value_arena);
    return series_copy(s, s->value_arena, next, &s->cur);
}

/* unnest(anyarray): the elements in storage order (all dimensions). */
typedef struct ArrayState {
    SdbArray array;
    int pos;
    int stop;
    int step;
} ArrayState;

static ArrayState *array_state(SdbSrfCall *call)
{
    ArrayState *s = sdb_arena_calloc(call->state_arena, 1, sizeof(ArrayState));
    if (s == NULL || sdb_array_deconstruct(call->state_arena, call->args[0], &s->array) != SDB_OK)
        return NULL;
    call->state = s;
    return s;
}

int sdb_fn_unnest(SdbSrfCall *call)
{
    ArrayState *s = call->state;
    if (s == NULL && (s = array_state(call)) == NULL)
        return SDB_ERROR;
    if (s->pos >= s->array.nitems) {
        call->done = true;
        return SDB_OK;
    }
    call->result = s->array.values[s->pos];
    call->result_null = s->array.nulls[s->pos];
    s->pos++;
    return SDB_OK;
}

/* generate_subscripts(anyarray, dim [, reverse]): the subscripts of
 * dimension `dim`; none when the array has no such dimension. */
int sdb_fn_generate_subscripts(SdbSrfCall *call)
{
    ArrayState *s = call->state;
    if (s == NULL) {
        if ((s = array_state(call)) == NULL)
            return SDB_ERROR;
        int dim = (int)sdb_datum_to_int64(call->args[1]);
        bool reverse = call->nargs == 3 && call->args[2] != 0;
        if (dim < 1 || dim > s->array.ndim) {
            s->pos = 1;
            s->stop = 0;
            s->step = 1;
        } else {
            int lo = s->array.lbound[dim - 1], hi = lo + s->array.dims[dim - 1] - 1;
            s->pos = reverse ? hi : lo;
            s->stop = reverse ? lo : hi;
            s->step = reverse ? -1 : 1;
        }
    }
    if (s->step > 0 ? s->pos > s->stop : s->pos < s->stop) {
        call->done = true;
        return SDB_OK;
    }
    call->result = sdb_datum_from_int64(s->pos);
    s->pos += s->step;
    return SDB_OK;
}

/* jsonb_array_elements[_text](jsonb), jsonb_object_keys(jsonb) and jsonb_each[_text](jsonb): the
 * members of the top-level container (types/jsonb.h; the argument stays
 * valid until the set ends). */
typedef struct JsonbState {
    SdbJsonbNode root;
    uint32_t count;
    uint32_t pos;
} JsonbState;

/* The state, checking the container's kind on the first call. */
static JsonbState *jsonb_state(SdbSrfCall *call, int want)
{
    JsonbState *s = call->state;
    if (s != NULL)
        return s;
    SdbJsonbNode root = sdb_jsonb_root(call->args[0]);
    int kind = sdb_jsonb_kind(root);
    if (kind != want) {
        const char *found = kind == SDB_JSONB_ARRAY ? "an array" : kind == SDB_JSONB_OBJECT ? "an object" : "a scalar";
        if (want == SDB_JSONB_ARRAY)
            sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot extract elements from %s", found);
        else
            sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot call %s on %s", call->func->name,
                      call->func->nout > 0 ? "a non-object" : found);
        return NULL;
    }
    if ((s = sdb_arena_calloc(call->state_arena, 1, sizeof(JsonbState))) == NULL)
        return NULL;
    s->root = root;
    s->count = sdb_jsonb_count(root);
    call->state = s;
    return s;
}

/* An element as text, the way ->> gives it: a string unquoted, null as NULL. */
static int element_text(SdbSrfCall *call, SdbJsonbNode node, SdbDatum *value, bool *isnull)
{
    int kind = sdb_jsonb_kind(node);
    *isnull = kind == SDB_JSONB_NULL;
    if (*isnull)
        return SDB_OK;
    if (kind == SDB_JSONB_STRING) {
        size_t len;
        const unsigned char *bytes = sdb_jsonb_scalar(node, &len);
        return sdb_varlena_make(call->arena, bytes, len, value);
    }
    SdbStr text;
    sdb_str_init(&text, call->arena);
    if (sdb_jsonb_node_text(node, &text) != SDB_OK)
        return SDB_ERROR;
    return sdb_varlena_make(call->arena, text.data, text.len, value);
}

int sdb_fn_jsonb_array_elements(SdbSrfCall *call)
{
    JsonbState *s = jsonb_state(call, SDB_JSONB_ARRAY);
    if (s == NULL)
        return SDB_ERROR;
    if ((call->done = s->pos >= s->count))
        return SDB_OK;
    SdbJsonbNode node = sdb_jsonb_member(s->root, s->pos++, NULL, NULL);
    if (call->rettype == SDB_TYPEOID_TEXT)
        return element_text(call, node, &call->result, &call->result_null);
    return sdb_jsonb_node_datum(call->arena, node, &call->result);
}

int sdb_fn_jsonb_object_keys(SdbSrfCall *call)
{
    JsonbState *s = jsonb_state(call, SDB_JSONB_OBJECT);
    if (s == NULL)
        return SDB_ERROR;
    if ((call->done = s->pos >= s->count))
        return SDB_OK;
    const char *key;
    size_t keylen;
    sdb_jsonb_member(s->root, s->pos++, &key, &keylen);
    return sdb_varlena_make(call->arena, key, keylen, &call->result);
}

/* jsonb_each(jsonb) and jsonb_each_text(jsonb): each member's key and
 * value (jsonb, or text as ->> gives it), in jsonb's key order. */
int sdb_fn_jsonb_each(SdbSrfCall *call)
{
    JsonbState *s = jsonb_state(call, SDB_JSONB_OBJECT);
    if (s == NULL)
        return SDB_ERROR;
    if ((call->done = s->pos >= s->count))
        return SDB_OK;
    const char *key;
    size_t keylen;
    SdbJsonbNode node = sdb_jsonb_member(s->root, s->pos++, &key, &keylen);
    if (sdb_varlena_make(call->arena, key, keylen, &call->outs[0]) != SDB_OK)
        return SDB_ERROR;
    if (call->func->out_types[1] == SDB_TYPEOID_TEXT)
        return element_text(call, node, &call->outs[1], &call->out_nulls[1]);
    return sdb_jsonb_node_datum(call->arena, node, &call->outs[1]);
}

/* json_each(json) and json_each_text(json): each member of the object as
 * written, in order, duplicate keys included; values as json (as written)
 * or text (a string's contents, null as NULL). */
typedef struct JsonMembers {
    SdbJsonValue *members;
    size_t count, pos;
} JsonMembers;

static JsonMembers *json_members(SdbSrfCall *call)
{
    JsonMembers *s = call->state;
    if (s != NULL)
        return s;
    SdbJsonValue root;
    if ((s = sdb_arena_calloc(call->state_arena, 1, sizeof *s)) == NULL ||
        sdb_json_members(call->state_arena, (const char *)sdb_datum_varlena(call->args[0])->data, &root,
                         &s->members) != SDB_OK)
        return NULL;
    if (root.kind == SDB_JSONB_ARRAY) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot deconstruct an array as an object");
        return NULL;
    }
    if (root.kind != SDB_JSONB_OBJECT) {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "cannot deconstruct a scalar");
        return NULL;
    }
    s->count = root.count;
    call->state = s;
    return s;
}

int sdb_fn_json_each(SdbSrfCall *call)
{
    JsonMembers *s = json_members(call);
    if (s == NULL)
        return SDB_ERROR;
    if ((call->done = s->pos >= s->count))
        return SDB_OK;
    const SdbJsonValue *m = &s->members[s->pos++];
    if (sdb_varlena_make(call->arena, m->key, m->keylen, &call->outs[0]) != SDB_OK)
        return SDB_ERROR;
    if (call->func->out_types[1] != SDB_TYPEOID_TEXT)
        return sdb_varlena_make(call->arena, m->text, m->len, &call->outs[1]);
    call->out_nulls[1] = m->kind == SDB_JSONB_NULL;
    if (call->out_nulls[1])
        return SDB_OK;
    if (m->kind == SDB_JSONB_STRING)
        return sdb_varlena_make(call->arena, m->str, m->strlen, &call->outs[1]);
    return sdb_varlena_make(call->arena, m->text, m->len, &call->outs[1]);
}
