/*
 * expr/fn_settings.c: pg_show_all_settings(), the rows of the pg_settings
 * view: every parameter of spec/settings.toml with the session's current
 * value (SdbSessionInfo.settings) in its base unit, where it came from, its
 * range or enum values, the default (boot_val) and what RESET returns to
 * (SdbSessionInfo.reset_settings), as PostgreSQL's columns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "config/settings.h"
#include "expr/fmgr.h"
#include "types/array.h"

/* The OUT columns, in spec order. */
enum {
    COL_NAME, COL_SETTING, COL_UNIT, COL_CATEGORY, COL_SHORT_DESC, COL_EXTRA_DESC, COL_CONTEXT, COL_VARTYPE,
    COL_SOURCE, COL_MIN_VAL, COL_MAX_VAL, COL_ENUMVALS, COL_BOOT_VAL, COL_RESET_VAL, COL_SOURCEFILE,
    COL_SOURCELINE, COL_PENDING_RESTART
};

typedef struct SettingsScan {
    const SdbSettings *current, *reset;
    char *boot[SDB_SETTING_COUNT]; /* each default in its base unit */
    int pos;
} SettingsScan;

/* A value as pg_settings.setting shows it: the base unit's number, on/off,
 * the enum value's name, the string. */
static char *raw_value(SdbArena *arena, const SdbSettings *s, int id)
{
    const SdbSettingDef *def = &sdb_setting_defs[id];
    const void *slot = (const char *)s + def->offset;
    switch (def->type) {
    case SDB_SETTING_BOOL:
        return sdb_arena_strdup(arena, *(const bool *)slot ? "on" : "off");
    case SDB_SETTING_INT:
        return sdb_arena_sprintf(arena, "%" PRId64, *(const int64_t *)slot);
    case SDB_SETTING_REAL:
        return sdb_arena_sprintf(arena, "%g", *(const double *)slot);
    case SDB_SETTING_ENUM:
        return sdb_arena_strdup(arena, def->values[*(const int *)slot]);
    case SDB_SETTING_STRING:
        return sdb_arena_strdup(arena, *(char *const *)slot ? *(char *const *)slot : "");
    }
    return NULL;
}

static const char *const vartypes[] = {[SDB_SETTING_BOOL] = "bool", [SDB_SETTING_INT] = "integer",
                                       [SDB_SETTING_REAL] = "real", [SDB_SETTING_STRING] = "string",
                                       [SDB_SETTING_ENUM] = "enum"};

/* pg_settings.source: PostgreSQL's names of where a value came from. */
static const char *const sources[] = {[SDB_SOURCE_DEFAULT] = "default", [SDB_SOURCE_FILE] = "configuration file",
                                      [SDB_SOURCE_INIT] = "override", [SDB_SOURCE_COMMAND_LINE] = "command line",
                                      [SDB_SOURCE_SESSION] = "session"};

/* The first call: the session's settings and every default, formatted
 * while a default SdbSettings exists. */
static SettingsScan *scan_state(SdbSrfCall *call)
{
    SettingsScan *scan = call->state;
    if (scan != NULL)
        return scan;
    const SdbSessionInfo *info = call->context->session;
    if (info == NULL || info->settings == NULL) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s() needs a session", call->func->name);
        return NULL;
    }
    SdbSettings defaults;
    if ((scan = sdb_arena_calloc(call->state_arena, 1, sizeof *scan)) == NULL || sdb_settings_init(&defaults) != SDB_OK)
        return NULL;
    int rc = SDB_OK;
    for (int id = 0; id < SDB_SETTING_COUNT && rc == SDB_OK; id++)
        rc = (scan->boot[id] = raw_value(call->state_arena, &defaults, id)) != NULL ? SDB_OK : SDB_ERROR;
    sdb_settings_free(&defaults);
    if (rc != SDB_OK)
        return NULL;
    scan->current = info->settings;
    scan->reset = info->reset_settings != NULL ? info->reset_settings : info->settings;
    call->state = scan;
    return scan;
}

static int put_text(SdbSrfCall *call, int col, const char *text)
{
    call->out_nulls[col] = text == NULL;
    return text == NULL ? SDB_OK : sdb_varlena_make(call->arena, text, strlen(text), &call->outs[col]);
}

/* min_val and max_val of an int or real parameter; NULL for others. */
static int put_range(SdbSrfCall *call, const SdbSettingDef *def)
{
    char *min = NULL, *max = NULL;
    if (def->type == SDB_SETTING_INT) {
        min = sdb_arena_sprintf(call->arena, "%" PRId64, def->min_int);
        max = sdb_arena_sprintf(call->arena, "%" PRId64, def->max_int);
    } else if (def->type == SDB_SETTING_REAL) {
        min = sdb_arena_sprintf(call->arena, "%g", def->min_real);
        max = sdb_arena_sprintf(call->arena, "%g", def->max_real);
    }
    if ((def->type == SDB_SETTING_INT || def->type == SDB_SETTING_REAL) && (min == NULL || max == NULL))
        return SDB_ERROR;
    return put_text(call, COL_MIN_VAL, min) == SDB_OK ? put_text(call, COL_MAX_VAL, max) : SDB_ERROR;
}

/* enumvals: the values of an enum parameter as text[]; NULL for others. */
static int put_enumvals(SdbSrfCall *call, const SdbSettingDef *def)
{
    call->out_nulls[COL_ENUMVALS] = def->type != SDB_SETTING_ENUM;
    if (def->type != SDB_SETTING_ENUM)
        return SDB_OK;
    int n = 0;
    while (def->values[n] != NULL)
        n++;
    SdbArray a = {.ndim = 1, .dims = {n}, .lbound = {1}, .elemtype = SDB_TYPEOID_TEXT};
    a.values = sdb_arena_alloc(call->arena, sizeof(SdbDatum) * (size_t)n);
    a.nulls = sdb_arena_calloc(call->arena, (size_t)n, sizeof(bool));
    if (a.values == NULL || a.nulls == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (sdb_varlena_make(call->arena, def->values[i], strlen(def->values[i]), &a.values[i]) != SDB_OK)
            return SDB_ERROR;
    return sdb_array_build(call->arena, &a, &call->outs[COL_ENUMVALS]);
}

int sdb_fn_pg_show_all_settings(SdbSrfCall *call)
{
    SettingsScan *scan = scan_state(call);
    if (scan == NULL)
        return SDB_ERROR;
    if ((call->done = scan->pos >= SDB_SETTING_COUNT))
        return SDB_OK;
    int id = scan->pos++;
    const SdbSettingDef *def = &sdb_setting_defs[id];
    const char *setting = raw_value(call->arena, scan->current, id);
    const char *reset = raw_value(call->arena, scan->reset, id);
    if (setting == NULL || reset == NULL || put_text(call, COL_NAME, def->name) != SDB_OK ||
        put_text(call, COL_SETTING, setting) != SDB_OK || put_text(call, COL_UNIT, def->unit) != SDB_OK ||
        put_text(call, COL_CATEGORY, def->group) != SDB_OK || put_text(call, COL_SHORT_DESC, def->description) != SDB_OK ||
        put_text(call, COL_EXTRA_DESC, NULL) != SDB_OK || put_text(call, COL_CONTEXT, def->pg_context) != SDB_OK ||
        put_text(call, COL_VARTYPE, vartypes[def->type]) != SDB_OK ||
        put_text(call, COL_SOURCE, sources[scan->current->source[id]]) != SDB_OK || put_range(call, def) != SDB_OK ||
        put_enumvals(call, def) != SDB_OK || put_text(call, COL_BOOT_VAL, scan->boot[id]) != SDB_OK ||
        put_text(call, COL_RESET_VAL, reset) != SDB_OK || put_text(call, COL_SOURCEFILE, NULL) != SDB_OK)
        return SDB_ERROR;
    call->out_nulls[COL_SOURCELINE] = true;
    call->outs[COL_PENDING_RESTART] = false;
    return SDB_OK;
}
