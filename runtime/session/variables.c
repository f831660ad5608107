/*
 * session/variables.c: SET, SET LOCAL, SET TIME ZONE, RESET, SHOW and SHOW
 * ALL on the session's own copy of the settings, with PostgreSQL's
 * transactional behaviour: a setting changed in a transaction goes back to
 * its prior value when the transaction rolls back, and a SET LOCAL value
 * lasts only until the transaction ends.  Settings whose spec entry says
 * `report = true` are announced to the client (ParameterStatus) whenever
 * their value changes.  Also the helper that sends rows of text columns
 * (SHOW, EXPLAIN).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "session/session_int.h"
#include "types/typeio.h"

static char *show_value(SdbSession *s, SdbArena *arena, int id)
{
    char buf[1024];
    sdb_settings_show(&s->settings, id, buf, sizeof buf);
    return sdb_arena_strdup(arena, buf);
}

static void report(SdbSession *s, const SdbResultSink *sink, int id, const char *before)
{
    if (!sdb_setting_defs[id].report || sink == NULL || sink->parameter_status == NULL)
        return;
    char now[1024];
    sdb_settings_show(&s->settings, id, now, sizeof now);
    if (strcmp(before, now) != 0)
        sink->parameter_status(sink->arg, sdb_setting_defs[id].name, now);
}

/* The undo entry of setting `id` in the running transaction, made on its
 * first change. */
static SdbSettingUndo *undo_entry(SdbSession *s, int id)
{
    uint32_t level = sdb_txn_subxact_depth(&s->txn);
    for (SdbSettingUndo *u = s->undo; u; u = u->next)
        if (u->id == id && u->level == level)
            return u;
    SdbSettingUndo *u = sdb_arena_calloc(s->txn_arena, 1, sizeof *u);
    if (u == NULL)
        return NULL;
    u->id = id;
    u->level = level;
    u->prior = show_value(s, s->txn_arena, id);
    u->prior_source = s->settings.source[id];
    if (u->prior == NULL)
        return NULL;
    u->next = s->undo;
    s->undo = u;
    return u;
}

/* DateStyle as PostgreSQL's check_datestyle leaves it: "STYLE, ORDER",
 * each part taken from `value` (case-insensitive words separated by
 * commas or spaces) or else from `prior`; German alone implies DMY. */
static int canonical_datestyle(const char *value, const char *prior, char *out, size_t size)
{
    static const struct {
        const char *word;
        const char *style, *order;
    } words[] = {
        {"iso", "ISO", NULL},       {"sql", "SQL", NULL},         {"postgres", "Postgres", NULL},
        {"german", "German", NULL}, {"ymd", NULL, "YMD"},         {"dmy", NULL, "DMY"},
        {"euro", NULL, "DMY"},      {"european", NULL, "DMY"},    {"mdy", NULL, "MDY"},
        {"us", NULL, "MDY"},        {"noneuro", NULL, "MDY"},     {"noneuropean", NULL, "MDY"},
    };
    const char *style = NULL, *order = NULL;
    char word[32];
    for (const char *p = value; *p;) {
        size_t n = strcspn(p, ", \t");
        if (n == 0) {
            p++;
            continue;
        }
        snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), p);
        size_t i = 0;
        while (i < sizeof words / sizeof words[0] && strcasecmp(words[i].word, word) != 0)
            i++;
        if (n >= sizeof word || i == sizeof words / sizeof words[0]) {
            sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"DateStyle\": \"%s\"", value);
            sdb_error_detail("Unrecognized key word: \"%.*s\".", (int)n, p);
            return SDB_ERROR;
        }
        const char **slot = words[i].style ? &style : &order;
        const char *given = words[i].style ? words[i].style : words[i].order;
        if (*slot && strcmp(*slot, given) != 0) {
            sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"DateStyle\": \"%s\"", value);
            sdb_error_detail("Conflicting \"datestyle\" specifications.");
            return SDB_ERROR;
        }
        *slot = given;
        p += n;
    }
    int style_len = (int)strcspn(prior, ", ");
    const char *prior_order = prior + style_len + strspn(prior + style_len, ", ");
    if (order == NULL)
        order = style && strcmp(style, "German") == 0 ? "DMY" : *prior_order ? prior_order : "MDY";
    if (style == NULL)
        snprintf(out, size, "%.*s, %s", style_len, prior, order);
    else
        snprintf(out, size, "%s, %s", style, order);
    return SDB_OK;
}

/* Check values the settings module takes as plain strings (TimeZone), or
 * put them in their canonical form (DateStyle); `before` is the value the
 * setting had. */
static int check_value(SdbSession *s, int id, const char *before)
{
    if (id == SDB_SETTING_ID_DATESTYLE) {
        char canonical[64];
        if (canonical_datestyle(s->settings.datestyle, before, canonical, sizeof canonical) != SDB_OK)
            return SDB_ERROR;
        return sdb_settings_set(&s->settings, "DateStyle", canonical, SDB_SOURCE_SESSION);
    }
    if (id != SDB_SETTING_ID_TIMEZONE)
        return SDB_OK;
    if (sdb_session_timezone(s) == SDB_OK)
        return SDB_OK;
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"TimeZone\": \"%s\"",
                     s->settings.timezone);
}

int sdb_session_set(SdbSession *s, const SdbResultSink *sink, const char *name, const char *value, bool local)
{
    int id = sdb_settings_find(name);
    if (id < 0)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    SdbSettingUndo *u = NULL;
    if (s->xact != SDB_XACT_NONE && (u = undo_entry(s, id)) == NULL)
        return SDB_ERROR;
    char before[1024];
    sdb_settings_show(&s->settings, id, before, sizeof before);
    if (sdb_settings_set(&s->settings, name, value, SDB_SOURCE_SESSION) != SDB_OK)
        return SDB_ERROR;
    if (check_value(s, id, before) != SDB_OK) {
        SdbErrorData saved = *sdb_error_last();
        sdb_settings_set(&s->settings, name, before, SDB_SOURCE_SESSION);
        *(SdbErrorData *)sdb_error_last() = saved;
        return SDB_ERROR;
    }
    if (u && !local && (u->committed = show_value(s, s->txn_arena, id)) == NULL)
        return SDB_ERROR;
    report(s, sink, id, before);
    return SDB_OK;
}

/* Put setting u->id back to `target` (u->prior or u->committed). */
static void undo_to(SdbSession *s, const SdbSettingUndo *u, const char *target)
{
    char before[1024];
    sdb_settings_show(&s->settings, u->id, before, sizeof before);
    if (strcmp(before, target) == 0)
        return;
    SdbErrorData saved = *sdb_error_last();
    sdb_settings_set(&s->settings, sdb_setting_defs[u->id].name, target, SDB_SOURCE_SESSION);
    *(SdbErrorData *)sdb_error_last() = saved;
    if (target == u->prior)
        s->settings.source[u->id] = u->prior_source;
    report(s, s->sink, u->id, before);
}

/* Transaction end: keep (commit) or undo (rollback) the changes made in it;
 * SET LOCAL changes are undone either way.  Entries are newest first, so
 * on rollback the oldest prior value of a setting is set last.  On commit
 * every subtransaction has been released (one entry per setting). */
void sdb_settings_end_txn(SdbSession *s, bool committed)
{
    for (SdbSettingUndo *u = s->undo; u; u = u->next)
        undo_to(s, u, committed && u->committed ? u->committed : u->prior);
    s->undo = NULL;
}

/* The entries of the innermost level come first (newest first); each
 * setting has at most one per level. */
void sdb_settings_end_subxact(SdbSession *s, bool committed)
{
    uint32_t level = sdb_txn_subxact_depth(&s->txn);
    SdbSettingUndo **link = &s->undo;
    while (*link != NULL && (*link)->level == level) {
        SdbSettingUndo *u = *link;
        SdbSettingUndo *parent = NULL;
        for (SdbSettingUndo *p = u->next; committed && p; p = p->next)
            if (p->id == u->id && p->level == level - 1)
                parent = p;
        if (!committed) {
            undo_to(s, u, u->prior); /* the prior value is the one at the savepoint */
            *link = u->next;
        } else if (parent != NULL) {
            if (u->committed)
                parent->committed = u->committed; /* its last plain SET wins */
            *link = u->next;
        } else {
            u->level = level - 1;
            link = &u->next;
        }
    }
}

/* --- SET ------------------------------------------------------------------ */

/* The text of one SET argument: a literal, or (SET TIME ZONE INTERVAL
 * '...') the literal inside a cast. */
static const char *arg_text(const SdbNode *arg)
{
    if (SDB_IS_A(arg, TYPE_CAST))
        arg = ((const SdbTypeCast *)arg)->arg;
    return SDB_IS_A(arg, A_CONST) ? ((const SdbAConst *)arg)->val : NULL;
}

/* SET TIME ZONE <number>: hours east of UTC, shown as PostgreSQL shows it
 * ("<-05>+05"). */
static char *numeric_zone(SdbArena *arena, const char *hours_text)
{
    double hours = strtod(hours_text, NULL);
    int minutes = (int)(hours * 60 + (hours < 0 ? -0.5 : 0.5));
    int a = abs(minutes);
    char east[32], west[32];
    if (a % 60)
        snprintf(east, sizeof east, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
    else
        snprintf(east, sizeof east, "%c%02d", minutes < 0 ? '-' : '+', a / 60);
    snprintf(west, sizeof west, "%c%s", minutes < 0 ? '+' : '-', east + 1);
    if (minutes == 0)
        west[0] = '+';
    return sdb_arena_sprintf(arena, "<%s>%s", east, west);
}

/* The value a SET's argument list stands for ("a, b" for lists). */
static int set_value(SdbStatement *st, const SdbVariableSetStmt *vs, const char **out)
{
    SdbStr value;
    sdb_str_init(&value, st->expr.arena);
    int n = sdb_list_length(vs->args);
    for (int i = 0; i < n; i++) {
        const SdbNode *arg = sdb_list_nth(vs->args, i);
        const char *text = arg_text(arg);
        if (text == NULL)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "syntax error at or near \"%s\"", vs->name);
        if (n == 1 && strcmp(vs->name, "timezone") == 0 && SDB_IS_A(arg, A_CONST) &&
            ((const SdbAConst *)arg)->kind != SDB_CONST_KIND_STRING) {
            *out = numeric_zone(st->expr.arena, text);
            return *out ? SDB_OK : SDB_ERROR;
        }
        if ((i > 0 && sdb_str_append_cstr(&value, ", ") != SDB_OK) || sdb_str_append_cstr(&value, text) != SDB_OK)
            return SDB_ERROR;
    }
    *out = value.data;
    return SDB_OK;
}

static int reset_one(SdbStatement *st, const char *name)
{
    SdbSession *s = st->s;
    int id = sdb_settings_find(name);
    if (id < 0)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    char value[1024];
    sdb_instance_setting_show(s->db, id, value, sizeof value);
    if (sdb_session_set(s, st->sink, name, value, false) != SDB_OK)
        return SDB_ERROR;
    s->settings.source[id] = s->db->settings.source[id]; /* pg_settings.source: where the reset value came from */
    return SDB_OK;
}

static int reset_all(SdbStatement *st)
{
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        if (sdb_setting_defs[id].context != SDB_CONTEXT_SESSION)
            continue;
        char now[1024], base[1024];
        sdb_settings_show(&st->s->settings, id, now, sizeof now);
        sdb_instance_setting_show(st->s->db, id, base, sizeof base);
        if (strcmp(now, base) != 0 && reset_one(st, sdb_setting_defs[id].name) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_set_statement(SdbStatement *st, const SdbVariableSetStmt *vs)
{
    SdbSession *s = st->s;
    const char *tag = vs->kind == SDB_VARIABLE_SET_KIND_RESET || vs->kind == SDB_VARIABLE_SET_KIND_RESET_ALL
                          ? "RESET"
                          : "SET";
    if (vs->is_local && s->xact != SDB_XACT_BLOCK) {
        sdb_session_notice(st->sink, "25P01", "SET LOCAL can only be used in transaction blocks");
        return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
    }
    int rc = SDB_OK;
    switch (vs->kind) {
    case SDB_VARIABLE_SET_KIND_VALUE: {
        const char *value = NULL;
        rc = set_value(st, vs, &value);
        if (rc == SDB_OK)
            rc = sdb_session_set(s, st->sink, vs->name, value, vs->is_local);
        break;
    }
    case SDB_VARIABLE_SET_KIND_DEFAULT:
    case SDB_VARIABLE_SET_KIND_RESET:
        rc = reset_one(st, vs->name);
        break;
    case SDB_VARIABLE_SET_KIND_RESET_ALL:
        rc = reset_all(st);
        break;
    case SDB_VARIABLE_SET_KIND_CURRENT:
        break;
    }
    if (rc != SDB_OK)
        return SDB_ERROR;
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
}

/* --- SHOW ----------------------------------------------------------------- */

/* Send rows of text columns: describe, then the rows in batches. */
int sdb_session_text_rows(SdbStatement *st, int ncols, const char *const *names, int nrows,
                          const char *const *values)
{
    const SdbResultSink *sink = st->sink;
    SdbArena *arena = st->expr.arena;
    SdbPlanColumn *cols = sdb_arena_calloc(arena, (size_t)ncols, sizeof *cols);
    SdbVector *vecs = sdb_arena_calloc(arena, (size_t)ncols, sizeof *vecs);
    if (cols == NULL || vecs == NULL)
        return SDB_ERROR;
    for (int c = 0; c < ncols; c++) {
        cols[c] = (SdbPlanColumn){.table = 0, .column = c, .type = SDB_TYPEOID_TEXT, .typmod = -1, .name = names[c]};
        vecs[c].type = SDB_TYPEOID_TEXT;
        vecs[c].typmod = -1;
        vecs[c].values = sdb_arena_calloc(arena, SDB_BATCH_SIZE, sizeof(SdbDatum));
        vecs[c].nulls = sdb_arena_calloc(arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
        if (vecs[c].values == NULL || vecs[c].nulls == NULL)
            return SDB_ERROR;
    }
    if (sink && sink->describe && sink->describe(sink->arg, ncols, cols) != SDB_OK)
        return SDB_ERROR;
    SdbBatch batch = {.ncols = ncols, .cols = vecs};
    for (int row = 0; row < nrows; row += SDB_BATCH_SIZE) {
        int n = nrows - row < SDB_BATCH_SIZE ? nrows - row : SDB_BATCH_SIZE;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < ncols; c++) {
                const char *v = values[(size_t)(row + r) * (size_t)ncols + (size_t)c];
                sdb_vector_set_null(&vecs[c], r, v == NULL);
                if (v && sdb_varlena_make(arena, v, strlen(v), &vecs[c].values[r]) != SDB_OK)
                    return SDB_ERROR;
            }
        batch.nrows = n;
        if (sink && sink->rows && sink->rows(sink->arg, &batch) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static const char *isolation_name(int level)
{
    switch (level) {
    case SDB_DEFAULT_TRANSACTION_ISOLATION_SERIALIZABLE:
        return "serializable";
    case SDB_DEFAULT_TRANSACTION_ISOLATION_REPEATABLE_READ:
        return "repeatable read";
    case SDB_DEFAULT_TRANSACTION_ISOLATION_READ_UNCOMMITTED:
        return "read uncommitted";
    default:
        return "read committed";
    }
}

static int show_all(SdbStatement *st)
{
    static const char *const names[] = {"name", "setting", "description"};
    const char **values = sdb_arena_calloc(st->expr.arena, SDB_SETTING_COUNT * 3, sizeof *values);
    if (values == NULL)
        return SDB_ERROR;
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        values[id * 3] = sdb_setting_defs[id].name;
        values[id * 3 + 1] = show_value(st->s, st->expr.arena, id);
        values[id * 3 + 2] = sdb_setting_defs[id].description;
        if (values[id * 3 + 1] == NULL)
            return SDB_ERROR;
    }
    return sdb_session_text_rows(st, 3, names, SDB_SETTING_COUNT, values);
}

/* The settings of the running transaction (transaction_isolation, also as
 * "transaction isolation level", and transaction_read_only): the value,
 * *name the setting's name; NULL for any other name. */
static const char *transaction_setting(SdbSession *s, const char *name, const char **canonical)
{
    if (sdb_strcasecmp_ascii(name, "transaction_isolation") == 0 ||
        sdb_strcasecmp_ascii(name, "transaction isolation level") == 0) {
        *canonical = "transaction_isolation";
        return isolation_name(s->isolation);
    }
    if (sdb_strcasecmp_ascii(name, "transaction_read_only") == 0) {
        *canonical = "transaction_read_only";
        return s->txn.read_only ? "on" : "off";
    }
    return NULL;
}

int sdb_show_statement(SdbStatement *st, const SdbVariableShowStmt *vs)
{
    SdbSession *s = st->s;
    const char *txn_name;
    int rc;
    if (sdb_strcasecmp_ascii(vs->name, "all") == 0) {
        rc = show_all(st);
    } else if (transaction_setting(s, vs->name, &txn_name) != NULL) {
        const char *value = transaction_setting(s, vs->name, &txn_name);
        rc = sdb_session_text_rows(st, 1, &txn_name, 1, &value);
    } else {
        int id = sdb_settings_find(vs->name);
        if (id < 0)
            return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", vs->name);
        const char *value = show_value(s, st->expr.arena, id);
        if (value == NULL)
            return SDB_ERROR;
        rc = sdb_session_text_rows(st, 1, &sdb_setting_defs[id].name, 1, &value);
    }
    if (rc != SDB_OK)
        return SDB_ERROR;
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, "SHOW") : SDB_OK;
}

void sdb_session_report_all(SdbSession *s, const SdbResultSink *sink)
{
    if (sink == NULL || sink->parameter_status == NULL)
        return;
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        if (!sdb_setting_defs[id].report)
            continue;
        char value[1024];
        sdb_settings_show(&s->settings, id, value, sizeof value);
        sink->parameter_status(sink->arg, sdb_setting_defs[id].name, value);
    }
}

int sdb_session_show(SdbSession *s, const char *name, char *buf, size_t size)
{
    const char *canonical, *txn_value = transaction_setting(s, name, &canonical);
    if (txn_value != NULL) {
        snprintf(buf, size, "%s", txn_value);
        return SDB_OK;
    }
    int id = sdb_settings_find(name);
    if (id < 0)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    sdb_settings_show(&s->settings, id, buf, size);
    return SDB_OK;
}
