/*
 * expr/agg.c: the wrappers the executor calls aggregates and window
 * functions through (strictness, result reset), what every aggregate file
 * shares (keeping by-reference values in a state, growing arrays), and the
 * simplest aggregate, count.
 */
#include "expr/agg_state.h"

#include <string.h>

int sdb_agg_init(SdbAggCall *call)
{
    memset(call->state, 0, call->func->agg->state_size);
    return call->func->agg->init(call);
}

int sdb_agg_step(SdbAggCall *call)
{
    if (call->func->strict)
        for (int i = 0; i < call->nargs; i++)
            if (call->nulls[i])
                return SDB_OK;
    return call->func->agg->step(call);
}

int sdb_agg_final(SdbAggCall *call)
{
    call->result = 0;
    call->result_null = false;
    return call->func->agg->final(call);
}

int sdb_agg_combine(SdbAggCall *call, const void *other_state)
{
    return call->func->agg->combine(call, other_state);
}

int sdb_window_call(SdbWindowCall *call)
{
    call->result = 0;
    call->result_null = false;
    return call->func->window(call);
}

bool sdb_agg_type_byval(SdbOid type)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info != NULL && info->byval;
}

int sdb_agg_keep(SdbAggCall *call, SdbAggValue *slot, SdbDatum value, SdbOid type)
{
    if (sdb_agg_type_byval(type)) {
        slot->value = value;
        return SDB_OK;
    }
    const SdbVarlena *v = sdb_datum_varlena(value);
    size_t size = sizeof(SdbVarlena) + v->len + 1;
    if (size > slot->cap) {
        size_t cap = slot->cap ? slot->cap : 32;
        while (cap < size)
            cap *= 2;
        void *buf = sdb_arena_alloc(call->arena, cap);
        if (buf == NULL)
            return SDB_ERROR;
        slot->value = sdb_datum_from_ptr(buf);
        slot->cap = cap;
    }
    memmove((void *)(uintptr_t)slot->value, v, size);
    return SDB_OK;
}

int sdb_agg_copy(SdbAggCall *call, SdbDatum value, SdbOid type, SdbDatum *out)
{
    if (sdb_agg_type_byval(type)) {
        *out = value;
        return SDB_OK;
    }
    const SdbVarlena *v = sdb_datum_varlena(value);
    return sdb_varlena_make(call->arena, v->data, v->len, out);
}

int sdb_agg_string_append(SdbAggCall *call, SdbAggString *s, const void *data, size_t len)
{
    if (len == 0)
        return SDB_OK;
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < s->len + len)
            cap *= 2;
        char *grown = sdb_arena_realloc(call->arena, s->data, s->cap, cap);
        if (grown == NULL)
            return SDB_ERROR;
        s->data = grown;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return SDB_OK;
}

int sdb_agg_grow(SdbAggCall *call, int64_t count, int64_t *cap, SdbDatum **values, bool **nulls)
{
    if (count < *cap)
        return SDB_OK;
    int64_t grown = *cap ? *cap * 2 : 16;
    SdbDatum *v = sdb_arena_realloc(call->arena, *values, sizeof **values * (size_t)*cap,
                                    sizeof **values * (size_t)grown);
    if (v == NULL)
        return SDB_ERROR;
    *values = v;
    if (nulls != NULL) {
        bool *n = sdb_arena_realloc(call->arena, *nulls, sizeof **nulls * (size_t)*cap, sizeof **nulls * (size_t)grown);
        if (n == NULL)
            return SDB_ERROR;
        *nulls = n;
    }
    *cap = grown;
    return SDB_OK;
}

/* Every aggregate's init: the zeroed state is where they all start. */
int sdb_agg_init_zero(SdbAggCall *call)
{
    (void)call;
    return SDB_OK;
}

/* --- count ---------------------------------------------------------- */

int sdb_agg_count_step(SdbAggCall *call)
{
    ((SdbAggCount *)call->state)->count++;
    return SDB_OK;
}

int sdb_agg_count_final(SdbAggCall *call)
{
    call->result = sdb_datum_from_int64(((SdbAggCount *)call->state)->count);
    return SDB_OK;
}

int sdb_agg_count_combine(SdbAggCall *call, const void *other_state)
{
    ((SdbAggCount *)call->state)->count += ((const SdbAggCount *)other_state)->count;
    return SDB_OK;
}
