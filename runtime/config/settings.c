/*
 * config/settings.c: see settings.h.  Walks the generated sdb_setting_defs
 * table; knows nothing about individual parameters.
 */
#include "config/settings.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

/* Units, with their size in bytes or microseconds. */
typedef struct Unit {
    const char *name;
    int64_t scale;
    bool memory;
} Unit;

static const Unit units[] = {
    {"B", 1, true},
    {"kB", INT64_C(1) << 10, true},
    {"MB", INT64_C(1) << 20, true},
    {"GB", INT64_C(1) << 30, true},
    {"TB", INT64_C(1) << 40, true},
    {"us", 1, false},
    {"ms", 1000, false},
    {"s", 1000000, false},
    {"min", 60000000, false},
    {"h", INT64_C(3600000000), false},
    {"d", INT64_C(86400000000), false},
};

#define UNIT_COUNT (sizeof units / sizeof units[0])

static const Unit *find_unit(const char *name)
{
    for (size_t i = 0; i < UNIT_COUNT; i++)
        if (strcmp(units[i].name, name) == 0)
            return &units[i];
    return NULL;
}

static void *field(SdbSettings *s, const SdbSettingDef *def)
{
    return (char *)s + def->offset;
}

static const void *const_field(const SdbSettings *s, const SdbSettingDef *def)
{
    return (const char *)s + def->offset;
}

int sdb_settings_find(const char *name)
{
    for (int i = 0; i < SDB_SETTING_COUNT; i++)
        if (strcasecmp(sdb_setting_defs[i].name, name) == 0)
            return i;
    return -1;
}

/* --- parsing values ------------------------------------------------------- */

static int bad_value(const SdbSettingDef *def, const char *value)
{
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", def->name, value);
}

/* Is `value` (`len` bytes) a prefix of `word` at least `min` long? */
static bool is_prefix(const char *value, size_t len, const char *word, size_t min)
{
    return len >= min && len <= strlen(word) && strncasecmp(value, word, len) == 0;
}

/* PostgreSQL's spellings: true/false, yes/no, on/off, 1/0, or any
 * unambiguous prefix of them ("t", "n", "of"; not "o"). */
static int parse_bool(const SdbSettingDef *def, const char *value, bool *out)
{
    size_t len = strlen(value);
    if (is_prefix(value, len, "true", 1) || is_prefix(value, len, "yes", 1) || is_prefix(value, len, "on", 2) ||
        strcmp(value, "1") == 0) {
        *out = true;
        return SDB_OK;
    }
    if (is_prefix(value, len, "false", 1) || is_prefix(value, len, "no", 1) || is_prefix(value, len, "off", 2) ||
        strcmp(value, "0") == 0) {
        *out = false;
        return SDB_OK;
    }
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "parameter \"%s\" requires a Boolean value", def->name);
}

static void unit_hint(const SdbSettingDef *def)
{
    if (find_unit(def->unit)->memory)
        sdb_error_hint("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
    else
        sdb_error_hint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
}

/* A number with an optional unit, converted to the parameter's base unit. */
static int parse_number(const SdbSettingDef *def, const char *value, double *out)
{
    char *end;
    errno = 0;
    double number = strtod(value, &end);
    if (end == value || errno == ERANGE || !isfinite(number))
        return bad_value(def, value);
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0') {
        const Unit *unit = def->unit ? find_unit(end) : NULL;
        const Unit *base = def->unit ? find_unit(def->unit) : NULL;
        if (unit == NULL || unit->memory != base->memory) {
            bad_value(def, value);
            if (def->unit)
                unit_hint(def);
            return SDB_ERROR;
        }
        number = number * (double)unit->scale / (double)base->scale;
    }
    *out = number;
    return SDB_OK;
}

static int out_of_range(const SdbSettingDef *def, const char *value)
{
    char low[64], high[64];
    if (def->type == SDB_SETTING_INT) {
        snprintf(low, sizeof low, "%" PRId64, def->min_int);
        snprintf(high, sizeof high, "%" PRId64, def->max_int);
    } else {
        snprintf(low, sizeof low, "%g", def->min_real);
        snprintf(high, sizeof high, "%g", def->max_real);
    }
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "%s is outside the valid range for parameter \"%s\" (%s .. %s)",
                     value, def->name, low, high);
}

static int parse_int(const SdbSettingDef *def, const char *value, int64_t *out)
{
    double number;
    if (parse_number(def, value, &number) != SDB_OK)
        return SDB_ERROR;
    number = rint(number);
    if (number < (double)def->min_int || number > (double)def->max_int)
        return out_of_range(def, value);
    *out = (int64_t)number;
    return SDB_OK;
}

static int parse_real(const SdbSettingDef *def, const char *value, double *out)
{
    if (parse_number(def, value, out) != SDB_OK)
        return SDB_ERROR;
    if (*out < def->min_real || *out > def->max_real)
        return out_of_range(def, value);
    return SDB_OK;
}

static int parse_enum(const SdbSettingDef *def, const char *value, int *out)
{
    for (int i = 0; def->values[i]; i++) {
        if (strcasecmp(def->values[i], value) == 0) {
            *out = i;
            return SDB_OK;
        }
    }
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; def->values[i] && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", def->values[i]);
    bad_value(def, value);
    sdb_error_hint("Available values: %s.", list);
    return SDB_ERROR;
}

/* --- contexts --------------------------------------------------------------- */

/* May `source` change a parameter of this context? */
static int check_context(const SdbSettingDef *def, SdbSettingSource source)
{
    switch (def->context) {
    case SDB_CONTEXT_INTERNAL:
        if (source == SDB_SOURCE_DEFAULT)
            return SDB_OK;
        return sdb_error(SDB_ERR_CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed", def->name);
    case SDB_CONTEXT_INIT:
        if (source == SDB_SOURCE_DEFAULT || source == SDB_SOURCE_INIT)
            return SDB_OK;
        sdb_error(SDB_ERR_CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" can only be set at specdb init", def->name);
        sdb_error_hint("It is fixed for the data directory once it is created.");
        return SDB_ERROR;
    case SDB_CONTEXT_STARTUP:
    case SDB_CONTEXT_RELOAD:
        if (source != SDB_SOURCE_SESSION)
            return SDB_OK;
        if (def->context == SDB_CONTEXT_STARTUP)
            return sdb_error(SDB_ERR_CANT_CHANGE_RUNTIME_PARAM,
                             "parameter \"%s\" cannot be changed without restarting the server", def->name);
        return sdb_error(SDB_ERR_CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed now", def->name);
    case SDB_CONTEXT_SESSION:
        return SDB_OK;
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "parameter \"%s\" has an unknown context", def->name);
}

/* --- setting -------------------------------------------------------------- */

/* Store a parsed value; strings are copied.  Never fails except for memory. */
static int store(SdbSettings *s, const SdbSettingDef *def, const char *text, int64_t i, double r, bool b)
{
    void *slot = field(s, def);
    switch (def->type) {
    case SDB_SETTING_BOOL:
        *(bool *)slot = b;
        break;
    case SDB_SETTING_INT:
        *(int64_t *)slot = i;
        break;
    case SDB_SETTING_REAL:
        *(double *)slot = r;
        break;
    case SDB_SETTING_ENUM:
        *(int *)slot = (int)i;
        break;
    case SDB_SETTING_STRING: {
        char *copy = strdup(text);
        if (copy == NULL)
            return sdb_error(SDB_ERR_OUT_OF_MEMORY, SDB_ERRMSG_OUT_OF_MEMORY);
        free(*(char **)slot);
        *(char **)slot = copy;
        break;
    }
    }
    return SDB_OK;
}

/* Parse `value` for `def` and store it. */
static int assign(SdbSettings *s, const SdbSettingDef *def, const char *value)
{
    int64_t i = 0;
    double r = 0;
    bool b = false;
    int rc = SDB_OK;
    switch (def->type) {
    case SDB_SETTING_BOOL:
        rc = parse_bool(def, value, &b);
        break;
    case SDB_SETTING_INT:
        rc = parse_int(def, value, &i);
        break;
    case SDB_SETTING_REAL:
        rc = parse_real(def, value, &r);
        break;
    case SDB_SETTING_ENUM: {
        int index = 0;
        rc = parse_enum(def, value, &index);
        i = index;
        break;
    }
    case SDB_SETTING_STRING:
        break;
    }
    if (rc != SDB_OK)
        return rc;
    return store(s, def, value, i, r, b);
}

int sdb_settings_set(SdbSettings *s, const char *name, const char *value, SdbSettingSource source)
{
    int id = sdb_settings_find(name);
    if (id < 0)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    const SdbSettingDef *def = &sdb_setting_defs[id];
    if (check_context(def, source) != SDB_OK)
        return SDB_ERROR;
    if (source < s->source[id])
        return SDB_OK;
    if (assign(s, def, value) != SDB_OK)
        return SDB_ERROR;
    s->source[id] = (unsigned char)source;
    return SDB_OK;
}

int sdb_settings_copy_one(SdbSettings *dst, const SdbSettings *src, int id)
{
    char value[4096];
    size_t len = sdb_settings_show(src, id, value, sizeof value);
    if (len >= sizeof value)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "value of parameter \"%s\" is too long",
                         sdb_setting_defs[id].name);
    if (assign(dst, &sdb_setting_defs[id], value) != SDB_OK)
        return SDB_ERROR;
    dst->source[id] = src->source[id];
    return SDB_OK;
}

int sdb_settings_set_option(SdbSettings *s, const char *option, SdbSettingSource source)
{
    const char *equals = strchr(option, '=');
    if (equals == NULL || equals == option)
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "--set needs name=value, got \"%s\"", option);
    char name[128];
    size_t len = (size_t)(equals - option);
    if (len >= sizeof name)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%.*s\"", (int)len, option);
    memcpy(name, option, len);
    name[len] = '\0';
    return sdb_settings_set(s, name, equals + 1, source);
}

static char server_version[128];

static void compose_server_version(void)
{
    snprintf(server_version, sizeof server_version, "%s (specdb %s)",
             sdb_setting_defs[SDB_SETTING_ID_SERVER_VERSION].default_text, SPECDB_VERSION);
}

const char *sdb_server_version(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, compose_server_version);
    return server_version;
}

int sdb_settings_init(SdbSettings *s)
{
    memset(s, 0, sizeof *s);
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        if (assign(s, &sdb_setting_defs[id], sdb_setting_defs[id].default_text) != SDB_OK) {
            sdb_settings_free(s);
            return SDB_ERROR;
        }
    }
    if (assign(s, &sdb_setting_defs[SDB_SETTING_ID_SERVER_VERSION], sdb_server_version()) != SDB_OK) {
        sdb_settings_free(s);
        return SDB_ERROR;
    }
    return SDB_OK;
}

void sdb_settings_free(SdbSettings *s)
{
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        const SdbSettingDef *def = &sdb_setting_defs[id];
        if (def->type == SDB_SETTING_STRING) {
            char **slot = field(s, def);
            free(*slot);
            *slot = NULL;
        }
    }
}

int sdb_settings_copy(SdbSettings *dst, const SdbSettings *src)
{
    memcpy(dst, src, sizeof *dst);
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        const SdbSettingDef *def = &sdb_setting_defs[id];
        if (def->type != SDB_SETTING_STRING)
            continue;
        char **slot = field(dst, def);
        *slot = strdup(*(char *const *)const_field(src, def));
        if (*slot == NULL) {
            for (int later = id + 1; later < SDB_SETTING_COUNT; later++)
                if (sdb_setting_defs[later].type == SDB_SETTING_STRING)
                    *(char **)field(dst, &sdb_setting_defs[later]) = NULL;
            sdb_settings_free(dst);
            return sdb_error(SDB_ERR_OUT_OF_MEMORY, SDB_ERRMSG_OUT_OF_MEMORY);
        }
    }
    return SDB_OK;
}

/* --- showing ---------------------------------------------------------------- */

/* An int in base unit `unit` in the largest unit that divides it exactly. */
static size_t show_with_unit(int64_t value, const char *unit_name, char *buf, size_t size)
{
    const Unit *base = find_unit(unit_name);
    if (value <= 0)
        return (size_t)snprintf(buf, size, "%" PRId64, value);
    const Unit *best = base;
    for (size_t i = 0; i < UNIT_COUNT; i++) {
        const Unit *u = &units[i];
        if (u->memory == base->memory && u->scale >= base->scale && u->scale > best->scale &&
            value % (u->scale / base->scale) == 0)
            best = u;
    }
    return (size_t)snprintf(buf, size, "%" PRId64 "%s", value / (best->scale / base->scale), best->name);
}

size_t sdb_settings_show(const SdbSettings *s, int id, char *buf, size_t size)
{
    const SdbSettingDef *def = &sdb_setting_defs[id];
    const void *slot = const_field(s, def);
    switch (def->type) {
    case SDB_SETTING_BOOL:
        return (size_t)snprintf(buf, size, "%s", *(const bool *)slot ? "on" : "off");
    case SDB_SETTING_INT:
        if (def->unit)
            return show_with_unit(*(const int64_t *)slot, def->unit, buf, size);
        return (size_t)snprintf(buf, size, "%" PRId64, *(const int64_t *)slot);
    case SDB_SETTING_REAL:
        return (size_t)snprintf(buf, size, "%g%s", *(const double *)slot, def->unit ? def->unit : "");
    case SDB_SETTING_ENUM:
        return (size_t)snprintf(buf, size, "%s", def->values[*(const int *)slot]);
    case SDB_SETTING_STRING:
        return (size_t)snprintf(buf, size, "%s", *(char *const *)slot);
    }
    return 0;
}
