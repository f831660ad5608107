/*
 * expr/fn_system.c: PostgreSQL's system information functions and the
 * names of the reg* types.  version(), current_user/session_user,
 * current_database(), current_schema(s), pg_backend_pid(), pg_get_userbyid,
 * current_setting,
 * set_config, has_*_privilege (the one role is a superuser), format_type,
 * pg_get_indexdef, pg_get_constraintdef, pg_table_is_visible, pg_type_is_visible,
 * obj/col_description (no comments are kept: NULL), pg_encoding_to_char,
 * quote_ident, quote_literal; and the catalog lookups behind regclass,
 * regtype, regproc, regnamespace and regrole text I/O (SdbRegLookup).
 * Everything reaches the session through SdbExprContext.session
 * (SdbSessionInfo, fmgr.h).
 */
#include <string.h>
#include <time.h>

#include "access/table.h"
#include "catalog/catalog.h"
#include "config/settings.h"
#include "exec/batch.h"
#include "expr/bind.h"
#include "expr/bind_int.h"
#include "expr/deparse.h"
#include "expr/fmgr.h"
#include "sdb_catalog.h"
#include "sdb_keywords.h"
#include "sdb_settings.h"
#include "sql/parser.h"
#include "storage/control.h"
#include "types/typeio.h"

/* --- names ---------------------------------------------------------------- */

/* Whether `name` must be double-quoted to be read back as itself
 * (PostgreSQL's quote_identifier: not lower-case letters, digits and
 * underscores, or a key word other than an unreserved one). */
static bool needs_quotes(const char *name)
{
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return true;
    int kw = sdb_keyword_lookup(name, strlen(name));
    return kw >= 0 && sdb_keywords[kw].category != SDB_KW_UNRESERVED;
}

int sdb_append_ident(SdbStr *out, const char *name)
{
    if (!needs_quotes(name))
        return sdb_str_append_cstr(out, name);
    if (sdb_str_append_char(out, '"') != SDB_OK)
        return SDB_ERROR;
    for (const char *p = name; *p; p++)
        if ((*p == '"' && sdb_str_append_char(out, '"') != SDB_OK) || sdb_str_append_char(out, *p) != SDB_OK)
            return SDB_ERROR;
    return sdb_str_append_char(out, '"');
}

/* Split a possibly qualified, possibly quoted name ("a", "s.a", "\"A\".b")
 * into at most 3 parts, unquoted parts down-cased (PostgreSQL's
 * stringToQualifiedNameList): 42602 "invalid name syntax". */
static int split_name(SdbArena *arena, const char *text, const char **parts, int *nparts)
{
    char *buf = sdb_arena_alloc(arena, strlen(text) + 1);
    if (buf == NULL)
        return SDB_ERROR;
    const char *p = text;
    char *w = buf;
    *nparts = 0;
    while (*p == ' ')
        p++;
    for (;;) {
        const char *start = w;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                *w++ = *p;
            }
            p++;
            if (w == start)
                return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        } else {
            for (; *p && *p != '.' && *p != ' '; p++)
                *w++ = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
            if (w == start)
                return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        }
        *w++ = '\0';
        if (*nparts == 3)
            return sdb_error(SDB_ERR_INVALID_NAME, "improper qualified name (too many dotted names): %s", text);
        parts[(*nparts)++] = start;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return SDB_OK;
        if (*p != '.')
            return sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        p++;
        while (*p == ' ')
            p++;
    }
}

/* A qualified name's schema (NULL when unqualified) and object name; a
 * three-part name must name the current database. */
static int qualified_name(const SdbSessionInfo *info, SdbArena *arena, const char *text, const char **schema,
                          const char **name)
{
    const char *parts[3];
    int n;
    if (split_name(arena, text, parts, &n) != SDB_OK)
        return SDB_ERROR;
    if (n == 3 && strcmp(parts[0], info->database) != 0)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cross-database references are not implemented: %s", text);
    *schema = n > 1 ? parts[n - 2] : NULL;
    *name = parts[n - 1];
    return SDB_OK;
}

static bool relation_visible(const SdbSessionInfo *info, const SdbRelation *rel)
{
    const SdbRelation *found;
    return sdb_catalog_lookup(info->catalog, info->txn, NULL, rel->name, info->search_path, info->npath, &found) ==
               SDB_OK && found != NULL && found->oid == rel->oid;
}

/* --- format_type ------------------------------------------------------- */

/* PostgreSQL's format_type_extended: the SQL name of a type with its
 * typmod; `typmod_given` false is format_type(oid, NULL) (bpchar is
 * "character" then, and "bpchar" with typmod -1). */
int sdb_format_type(SdbStr *out, SdbOid type, int32_t typmod, bool typmod_given)
{
    const SdbTypeInfo *t = sdb_type_by_oid(type);
    if (t == NULL)
        return sdb_str_append_cstr(out, "???");
    if (t->elem_oid != 0 && t->name[0] == '_')
        return sdb_format_type(out, t->elem_oid, typmod, typmod_given) == SDB_OK ? sdb_str_append_cstr(out, "[]")
                                                                              : SDB_ERROR;
    bool mod = typmod_given && typmod >= 0;
    switch (type) {
    case SDB_TYPEOID_BPCHAR:
        if (mod)
            return sdb_str_appendf(out, "character(%d)", typmod - 4);
        /* bpchar with typmod -1 is not character (= character(1)) */
        return sdb_str_append_cstr(out, typmod_given ? "bpchar" : "character");
    case SDB_TYPEOID_VARCHAR:
        return mod ? sdb_str_appendf(out, "character varying(%d)", typmod - 4)
                   : sdb_str_append_cstr(out, "character varying");
    case SDB_TYPEOID_NUMERIC:
        if (mod && typmod >= 4)
            return sdb_str_appendf(out, "numeric(%d,%d)", ((typmod - 4) >> 16) & 0xffff,
                                   (int)(int16_t)((typmod - 4) & 0xffff));
        return sdb_str_append_cstr(out, "numeric");
    case SDB_TYPEOID_TIMESTAMP:
    case SDB_TYPEOID_TIMESTAMPTZ:
    case SDB_TYPEOID_TIME:
    case SDB_TYPEOID_TIMETZ: {
        const char *base = type == SDB_TYPEOID_TIMESTAMP || type == SDB_TYPEOID_TIMESTAMPTZ ? "timestamp" : "time";
        const char *zone = type == SDB_TYPEOID_TIMESTAMPTZ || type == SDB_TYPEOID_TIMETZ ? "with" : "without";
        if (mod)
            return sdb_str_appendf(out, "%s(%d) %s time zone", base, typmod, zone);
        return sdb_str_appendf(out, "%s %s time zone", base, zone);
    }
    default:
        break;
    }
    const char *name = sdb_bind_type_name(type);
    if (strcmp(name, t->name) == 0 && needs_quotes(name))
        return sdb_append_ident(out, name);
    return sdb_str_append_cstr(out, name);
}

int sdb_fn_format_type(SdbFnCall *call)
{
    if (call->nulls[0]) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (sdb_format_type(&out, (SdbOid)call->args[0], (int32_t)call->args[1], !call->nulls[1]) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* --- reg* names --------------------------------------------------------- */

/* regtype input: the text read as a type name by the SQL grammar. */
static int regtype_in(const SdbSessionInfo *info, SdbArena *arena, const char *text, SdbOid *oid)
{
    char *sql = sdb_arena_sprintf(arena, "SELECT NULL::%s", text);
    SdbParseResult parsed;
    if (sql == NULL || sdb_parse(arena, sql, strlen(sql), &parsed) != SDB_OK || parsed.count != 1)
        goto syntax;
    const SdbSelectStmt *select = (const SdbSelectStmt *)((SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    if (SDB_NODE_TAG(select) != SDB_T_SELECT_STMT || select->target_list == NULL ||
        sdb_list_length(select->target_list) != 1)
        goto syntax;
    const SdbResTarget *target = (const SdbResTarget *)sdb_list_nth(select->target_list, 0);
    if (SDB_NODE_TAG(target->val) != SDB_T_TYPE_CAST)
        goto syntax;
    SdbExprContext ectx = {.arena = arena, .session = info};
    SdbBindContext bc = {.expr = &ectx};
    SdbExpr *e;
    if (sdb_bind_expr(&bc, target->val, &e) != SDB_OK) {
        SdbErrorData err = *sdb_error_last();
        return sdb_error(err.code, "%s", err.message);
    }
    *oid = e->type;
    return SDB_OK;
syntax:
    return sdb_error(SDB_ERR_SYNTAX_ERROR, "syntax error at or near \"%s\"", text);
}

static int regproc_in(SdbArena *arena, const SdbSessionInfo *info, const char *text, SdbOid *oid)
{
    const char *schema, *name;
    if (qualified_name(info, arena, text, &schema, &name) != SDB_OK)
        return SDB_ERROR;
    const SdbFuncInfo *const *funcs;
    size_t n = schema == NULL || strcmp(schema, "pg_catalog") == 0 ? sdb_funcs_by_name(name, &funcs) : 0;
    if (n == 0)
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "function \"%s\" does not exist", text);
    if (n > 1)
        return sdb_error(SDB_ERR_AMBIGUOUS_FUNCTION, "more than one function named \"%s\"", text);
    *oid = funcs[0]->oid;
    return SDB_OK;
}

static int reg_input(void *arg, SdbOid regtype, const char *text, SdbOid *oid)
{
    const SdbSessionInfo *info = arg;
    SdbArena *arena = sdb_arena_create(NULL, "reg input", 0);
    if (arena == NULL)
        return SDB_ERROR;
    int rc = SDB_OK;
    const char *schema, *name;
    switch (regtype) {
    case SDB_TYPEOID_REGCLASS:
        rc = sdb_catalog_regclass_in(info->catalog, info->txn, arena, text, info->search_path, info->npath, oid);
        break;
    case SDB_TYPEOID_REGTYPE:
        rc = regtype_in(info, arena, text, oid);
        break;
    case SDB_TYPEOID_REGPROC:
        rc = regproc_in(arena, info, text, oid);
        break;
    case SDB_TYPEOID_REGNAMESPACE:
        rc = qualified_name(info, arena, text, &schema, &name);
        if (rc == SDB_OK && schema != NULL)
            rc = sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        if (rc == SDB_OK && (*oid = sdb_catalog_namespace_oid(info->catalog, info->txn, name)) == 0)
            rc = sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
        break;
    case SDB_TYPEOID_REGROLE:
        rc = qualified_name(info, arena, text, &schema, &name);
        if (rc == SDB_OK && schema != NULL)
            rc = sdb_error(SDB_ERR_INVALID_NAME, "invalid name syntax");
        if (rc == SDB_OK) {
            SdbRole role;
            bool found;
            rc = sdb_catalog_role(info->catalog, info->txn, name, arena, &role, &found);
            if (rc == SDB_OK && !found)
                rc = sdb_error(SDB_ERR_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
            if (rc == SDB_OK)
                *oid = role.oid;
        }
        break;
    default:
        rc = sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "input by name of type %u is not supported", regtype);
    }
    sdb_arena_destroy(arena);
    return rc;
}

static int reg_output(void *arg, SdbOid regtype, SdbOid oid, SdbStr *out, bool *found)
{
    const SdbSessionInfo *info = arg;
    *found = false;
    switch (regtype) {
    case SDB_TYPEOID_REGCLASS:
        *found = true; /* the number when there is no such relation */
        return sdb_catalog_regclass_out(info->catalog, info->txn, oid, info->search_path, info->npath, out);
    case SDB_TYPEOID_REGTYPE:
        if (sdb_type_by_oid(oid) == NULL)
            return SDB_OK;
        *found = true;
        return sdb_format_type(out, oid, -1, false);
    case SDB_TYPEOID_REGPROC: {
        const SdbFuncInfo *f = sdb_func_by_oid(oid);
        if (f == NULL)
            return SDB_OK;
        *found = true;
        return sdb_append_ident(out, f->name);
    }
    case SDB_TYPEOID_REGNAMESPACE: {
        const char *name = sdb_catalog_namespace_name(info->catalog, info->txn, oid, out->arena);
        if (name == NULL)
            return SDB_OK;
        *found = true;
        return sdb_append_ident(out, name);
    }
    case SDB_TYPEOID_REGROLE: {
        SdbRole role;
        if (sdb_catalog_role_by_oid(info->catalog, info->txn, oid, out->arena, &role, found) != SDB_OK)
            return SDB_ERROR;
        return *found ? sdb_append_ident(out, role.name) : SDB_OK;
    }
    default:
        return SDB_OK;
    }
}

void sdb_session_info_init(SdbSessionInfo *info)
{
    info->reg = (SdbRegLookup){.arg = info, .input = reg_input, .output = reg_output};
}

const SdbRegLookup *sdb_expr_reg_lookup(const SdbExprContext *ctx)
{
    return ctx != NULL && ctx->session != NULL ? &ctx->session->reg : NULL;
}

/* --- session information ------------------------------------------------ */

/* The session, or 0A000 when the function runs outside one. */
static const SdbSessionInfo *session_of(const SdbFnCall *call)
{
    const SdbSessionInfo *info = call->context->session;
    if (info == NULL)
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s() needs a session", call->func->name);
    return info;
}

static int return_cstr(SdbFnCall *call, const char *s)
{
    return sdb_fn_return_text(call, s, strlen(s));
}

int sdb_fn_version(SdbFnCall *call)
{
    char *v = sdb_arena_sprintf(call->arena, "PostgreSQL %s on x86_64-pc-linux-gnu, compiled by gcc, 64-bit",
                                sdb_server_version());
    return v ? return_cstr(call, v) : SDB_ERROR;
}

int sdb_fn_current_user(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    return info ? return_cstr(call, info->user) : SDB_ERROR;
}

int sdb_fn_current_database(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    return info ? return_cstr(call, info->database) : SDB_ERROR;
}

int sdb_fn_pg_backend_pid(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    return info ? sdb_fn_return_int(call, info->backend_pid) : SDB_ERROR;
}

/* pg_sleep(seconds): sleeps in steps of at most 10 ms, so that a cancel
 * or statement_timeout (the session's cancel flag) stops it with 57014. */
static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sdb_fn_pg_sleep(SdbFnCall *call)
{
    const SdbSessionInfo *info = call->context->session;
    double seconds = sdb_datum_to_float8(call->args[0]);
    double end = monotonic_seconds() + (seconds > 0 ? seconds : 0);
    for (;;) {
        if (info && info->cancel && *info->cancel)
            return sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
        double left = end - monotonic_seconds();
        if (!(left > 0))
            break;
        struct timespec step = {0, left < 0.01 ? (long)(left * 1e9) : 10000000L};
        nanosleep(&step, NULL);
    }
    call->result = 0;
    return SDB_OK;
}

/* pg_cancel_backend(pid): true when a session with that backend PID was
 * asked to cancel its statement.  Our own PID cancels this statement. */
int sdb_fn_pg_cancel_backend(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL)
        return SDB_ERROR;
    int32_t pid = (int32_t)sdb_fn_arg_int(call, 0);
    if (pid == info->backend_pid)
        return sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
    return sdb_fn_return_bool(call, info->cancel_backend && info->cancel_backend(info->arg, pid));
}

/* The schemas of the search path that exist ("$user" as the user's
 * schema), with pg_catalog first when `implicit` and not listed. */
static int path_schemas(const SdbSessionInfo *info, SdbArena *arena, bool implicit, const char ***out, int *n)
{
    const char **names = sdb_arena_calloc(arena, (size_t)info->npath + 1, sizeof *names);
    if (names == NULL)
        return SDB_ERROR;
    *n = 0;
    bool listed = false;
    for (int i = 0; i < info->npath; i++)
        listed |= strcmp(info->search_path[i], "pg_catalog") == 0;
    if (implicit && !listed)
        names[(*n)++] = "pg_catalog";
    for (int i = 0; i < info->npath; i++) {
        const char *name = strcmp(info->search_path[i], "$user") == 0 ? info->user : info->search_path[i];
        if (sdb_catalog_namespace_oid(info->catalog, info->txn, name) != 0)
            names[(*n)++] = name;
    }
    *out = names;
    return SDB_OK;
}

int sdb_fn_current_schema(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const char **names;
    int n;
    if (info == NULL || path_schemas(info, call->arena, false, &names, &n) != SDB_OK)
        return SDB_ERROR;
    if (n == 0) {
        call->result_null = true;
        return SDB_OK;
    }
    return return_cstr(call, names[0]);
}

int sdb_fn_current_schemas(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const char **names;
    int n;
    if (info == NULL || path_schemas(info, call->arena, sdb_fn_arg_bool(call, 0), &names, &n) != SDB_OK)
        return SDB_ERROR;
    SdbStr text;
    sdb_str_init(&text, call->arena);
    if (sdb_str_append_char(&text, '{') != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if ((i > 0 && sdb_str_append_char(&text, ',') != SDB_OK) || sdb_append_ident(&text, names[i]) != SDB_OK)
            return SDB_ERROR;
    if (sdb_str_append_char(&text, '}') != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx tctx = {.arena = call->arena, .typid = SDB_TYPEOID_NAME_ARRAY, .typmod = -1};
    return sdb_type_input(&tctx, text.data, &call->result);
}

/* current_setting(name [, missing_ok]): 42704 for an unknown name unless
 * missing_ok, which gives NULL. */
int sdb_fn_current_setting(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL)
        return SDB_ERROR;
    char buf[1024];
    const char *name = (const char *)sdb_fn_arg_text(call, 0)->data;
    if (info->show(info->arg, name, buf, sizeof buf) == SDB_OK)
        return return_cstr(call, buf);
    if (call->nargs < 2 || !sdb_fn_arg_bool(call, 1) || sdb_error_last()->code != SDB_ERR_UNDEFINED_OBJECT)
        return SDB_ERROR;
    sdb_error_clear();
    call->result_null = true;
    return SDB_OK;
}

/* set_config(name, value, is_local): SET [LOCAL]; the new value. */
int sdb_fn_set_config(SdbFnCall *call)
{
    if (call->nulls[0])
        return sdb_error(SDB_ERR_NULL_VALUE_NOT_ALLOWED, "SET requires parameter name");
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL)
        return SDB_ERROR;
    const char *name = (const char *)sdb_fn_arg_text(call, 0)->data;
    const char *value = call->nulls[1] ? "DEFAULT" : (const char *)sdb_fn_arg_text(call, 1)->data;
    bool local = !call->nulls[2] && sdb_fn_arg_bool(call, 2);
    char buf[1024];
    if (info->set(info->arg, name, value, local) != SDB_OK || info->show(info->arg, name, buf, sizeof buf) != SDB_OK)
        return SDB_ERROR;
    return return_cstr(call, buf);
}

/* pg_get_userbyid(role): the role's name, "unknown (OID=n)" for an OID
 * that is no role's. */
int sdb_fn_pg_get_userbyid(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL)
        return SDB_ERROR;
    SdbOid oid = (SdbOid)call->args[0];
    SdbRole role;
    bool found;
    if (sdb_catalog_role_by_oid(info->catalog, info->txn, oid, call->arena, &role, &found) != SDB_OK)
        return SDB_ERROR;
    if (found)
        return return_cstr(call, role.name);
    char *s = sdb_arena_sprintf(call->arena, "unknown (OID=%u)", oid);
    return s ? return_cstr(call, s) : SDB_ERROR;
}

/* --- privileges ---------------------------------------------------------- */

/* Check a privilege list ("SELECT, UPDATE WITH GRANT OPTION") against the
 * privileges the object kind has: 22023 for any other word. */
static int check_privileges(const char *text, const char *const *allowed)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && end[-1] == ' ')
            end--;
        size_t len = (size_t)(end - start);
        static const char grant[] = " WITH GRANT OPTION";
        size_t glen = sizeof grant - 1;
        if (len > glen && strncasecmp(end - glen, grant, glen) == 0)
            len -= glen;
        bool ok = false;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = strlen(allowed[i]) == len && strncasecmp(start, allowed[i], len) == 0;
        if (!ok && len > 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unrecognized privilege type: \"%.*s\"", (int)(end - start),
                             start);
        if (len == 0 && *p == '\0' && start == text)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unrecognized privilege type: \"\"");
    }
    return SDB_OK;
}

static const char *const table_privileges[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
                                               "REFERENCES", "TRIGGER", NULL};
static const char *const schema_privileges[] = {"CREATE", "USAGE", NULL};
static const char *const database_privileges[] = {"CREATE", "CONNECT", "TEMPORARY", "TEMP", NULL};

/* has_table_privilege([user,] table, privilege): the object must exist
 * (by name: 42P01; by OID: NULL); the one role is a superuser. */
int sdb_fn_has_table_privilege(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL || check_privileges((const char *)sdb_fn_arg_text(call, 1)->data, table_privileges) != SDB_OK)
        return SDB_ERROR;
    const SdbRelation *rel;
    if (sdb_fn_argtype(call, 0) == SDB_TYPEOID_OID) {
        if (sdb_catalog_relation(info->catalog, info->txn, (SdbOid)call->args[0], &rel) != SDB_OK)
            return SDB_ERROR;
        call->result_null = rel == NULL;
        return sdb_fn_return_bool(call, true);
    }
    SdbOid oid;
    if (sdb_catalog_regclass_in(info->catalog, info->txn, call->arena, (const char *)sdb_fn_arg_text(call, 0)->data,
                                info->search_path, info->npath, &oid) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_bool(call, true);
}

int sdb_fn_has_schema_privilege(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL || check_privileges((const char *)sdb_fn_arg_text(call, 1)->data, schema_privileges) != SDB_OK)
        return SDB_ERROR;
    if (sdb_fn_argtype(call, 0) == SDB_TYPEOID_OID) {
        call->result_null =
            sdb_catalog_namespace_name(info->catalog, info->txn, (SdbOid)call->args[0], call->arena) == NULL;
        return sdb_fn_return_bool(call, true);
    }
    const char *name = (const char *)sdb_fn_arg_text(call, 0)->data;
    if (sdb_catalog_namespace_oid(info->catalog, info->txn, name) == 0)
        return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
    return sdb_fn_return_bool(call, true);
}

/* has_database_privilege: by name only the current database is known to
 * this layer (others are the instance's), by OID any. */
int sdb_fn_has_database_privilege(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL || check_privileges((const char *)sdb_fn_arg_text(call, 1)->data, database_privileges) != SDB_OK)
        return SDB_ERROR;
    if (sdb_fn_argtype(call, 0) == SDB_TYPEOID_OID)
        return sdb_fn_return_bool(call, true);
    const char *name = (const char *)sdb_fn_arg_text(call, 0)->data;
    if (strcmp(name, info->database) != 0)
        return sdb_error(SDB_ERR_INVALID_CATALOG_NAME, "database \"%s\" does not exist", name);
    return sdb_fn_return_bool(call, true);
}

/* --- catalog objects ----------------------------------------------------- */

int sdb_fn_pg_table_is_visible(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const SdbRelation *rel;
    if (info == NULL || sdb_catalog_relation(info->catalog, info->txn, (SdbOid)call->args[0], &rel) != SDB_OK)
        return SDB_ERROR;
    call->result_null = rel == NULL;
    return sdb_fn_return_bool(call, rel != NULL && relation_visible(info, rel));
}

/* pg_get_serial_sequence(table, column): the schema-qualified name of the
 * sequence of a serial or identity column (the column name taken as
 * written, not case-folded), NULL for another column. */
int sdb_fn_pg_get_serial_sequence(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    SdbOid oid;
    const SdbRelation *rel, *seq;
    if (info == NULL ||
        sdb_catalog_regclass_in(info->catalog, info->txn, call->arena, (const char *)sdb_fn_arg_text(call, 0)->data,
                                info->search_path, info->npath, &oid) != SDB_OK ||
        sdb_catalog_relation(info->catalog, info->txn, oid, &rel) != SDB_OK)
        return SDB_ERROR;
    const char *column = (const char *)sdb_fn_arg_text(call, 1)->data;
    const SdbAttribute *att = NULL;
    for (int i = 0; rel != NULL && i < rel->natts && att == NULL; i++)
        if (!rel->attrs[i].dropped && strcmp(rel->attrs[i].name, column) == 0)
            att = &rel->attrs[i];
    if (att == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", column,
                         rel != NULL ? rel->name : "");
    if (att->sequence_oid == SDB_INVALID_OID ||
        sdb_catalog_relation(info->catalog, info->txn, att->sequence_oid, &seq) != SDB_OK || seq == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (sdb_append_ident(&out, seq->namespace_name) != SDB_OK || sdb_str_append_char(&out, '.') != SDB_OK ||
        sdb_append_ident(&out, seq->name) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* Every function is a built-in one of pg_catalog, always on the path. */
int sdb_fn_pg_function_is_visible(SdbFnCall *call)
{
    call->result_null = sdb_func_by_oid((SdbOid)call->args[0]) == NULL;
    return sdb_fn_return_bool(call, true);
}

/* pg_get_function_arguments(oid): the argument types as CREATE FUNCTION
 * lists them ("text, integer", "VARIADIC \"any\""), then the OUT
 * parameters ("OUT key text, OUT value jsonb"; input arguments have no
 * names here); NULL for no such function. */
int sdb_fn_pg_get_function_arguments(SdbFnCall *call)
{
    const SdbFuncInfo *f = sdb_func_by_oid((SdbOid)call->args[0]);
    if (f == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr out;
    sdb_str_init(&out, call->arena);
    int rc = sdb_str_append(&out, "", 0);
    for (int i = 0; i < f->nargs && rc == SDB_OK; i++) {
        rc |= i > 0 ? sdb_str_append_cstr(&out, ", ") : SDB_OK;
        rc |= f->variadic && i == f->nargs - 1 ? sdb_str_append_cstr(&out, "VARIADIC ") : SDB_OK;
        rc |= sdb_format_type(&out, f->argtypes[i], -1, false);
    }
    int nout = f->nout > 0 ? f->nout : f->result_name != NULL ? 1 : 0;
    for (int i = 0; i < nout && rc == SDB_OK; i++) {
        rc |= f->nargs + i > 0 ? sdb_str_append_cstr(&out, ", ") : SDB_OK;
        rc |= sdb_str_appendf(&out, "OUT %s ", f->nout > 0 ? f->out_names[i] : f->result_name);
        rc |= sdb_format_type(&out, f->nout > 0 ? f->out_types[i] : f->rettype, -1, false);
    }
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* pg_get_function_result(oid): the result type ("SETOF integer" for a
 * set); NULL for no such function. */
int sdb_fn_pg_get_function_result(SdbFnCall *call)
{
    const SdbFuncInfo *f = sdb_func_by_oid((SdbOid)call->args[0]);
    if (f == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr out;
    sdb_str_init(&out, call->arena);
    int rc = f->retset ? sdb_str_append_cstr(&out, "SETOF ") : SDB_OK;
    rc |= sdb_format_type(&out, f->rettype, -1, false);
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* pg_get_statisticsobjdef_columns(oid), pg_get_triggerdef(oid [, pretty]):
 * NULL, as for an OID that names no such object: there are none (CREATE
 * STATISTICS and CREATE TRIGGER are not supported; pg_statistic_ext and
 * pg_trigger stay empty). */
int sdb_fn_no_such_object(SdbFnCall *call)
{
    call->result_null = true;
    return SDB_OK;
}

/* pg_partition_ancestors(regclass): the partitions above a partition and
 * itself; empty for every relation, none being a partition or partitioned. */
int sdb_fn_pg_partition_ancestors(SdbSrfCall *call)
{
    call->done = true;
    return SDB_OK;
}

/* pg_relation_is_publishable(regclass): whether logical replication could
 * publish the relation: an ordinary table outside the system schemas
 * created after initdb (PostgreSQL's is_publishable_class); NULL for no
 * such relation. */
int sdb_fn_pg_relation_is_publishable(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const SdbRelation *rel;
    if (info == NULL || sdb_catalog_relation(info->catalog, info->txn, (SdbOid)call->args[0], &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    bool system = strcmp(rel->namespace_name, "pg_catalog") == 0 ||
                  strcmp(rel->namespace_name, "information_schema") == 0;
    return sdb_fn_return_bool(call, rel->kind == 'r' && !system && rel->oid >= SDB_FIRST_NORMAL_OID);
}

/* Every type is a built-in one of pg_catalog, always on the path. */
int sdb_fn_pg_type_is_visible(SdbFnCall *call)
{
    call->result_null = sdb_type_by_oid((SdbOid)call->args[0]) == NULL;
    return sdb_fn_return_bool(call, true);
}

/* The comment (pg_description) on (objoid, classoid, subid), classoid 0
 * for any catalog: the result, or NULL when there is none. */
static int return_description(SdbFnCall *call, SdbOid objoid, SdbOid classoid, int32_t subid)
{
    const SdbSessionInfo *info = session_of(call);
    const SdbRelation *rel;
    if (info == NULL)
        return SDB_ERROR;
    if (call->context->access == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s() needs a session", call->func->name);
    if (sdb_catalog_relation(info->catalog, info->txn, SDB_CATALOG_PG_DESCRIPTION_OID, &rel) != SDB_OK)
        return SDB_ERROR;
    SdbAccessContext ac = *call->context->access;
    ac.arena = call->arena;
    ac.priv = NULL;
    int cols[4] = {SDB_ANUM_PG_DESCRIPTION_OBJOID - 1, SDB_ANUM_PG_DESCRIPTION_CLASSOID - 1,
                   SDB_ANUM_PG_DESCRIPTION_OBJSUBID - 1, SDB_ANUM_PG_DESCRIPTION_DESCRIPTION - 1};
    SdbVector vecs[4];
    SdbBatch batch = {.ncols = 4, .cols = vecs};
    for (int c = 0; c < 4; c++) {
        vecs[c].values = sdb_arena_calloc(call->arena, SDB_BATCH_SIZE, sizeof(SdbDatum));
        vecs[c].nulls = sdb_arena_calloc(call->arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
        if (vecs[c].values == NULL || vecs[c].nulls == NULL)
            return SDB_ERROR;
    }
    SdbTableScan *scan = rel ? sdb_table_scan_begin(&ac, rel, cols, 4) : NULL;
    if (scan == NULL)
        return SDB_ERROR;
    int rc;
    call->result_null = true;
    while (call->result_null && (rc = sdb_table_scan_next(scan, &batch)) == SDB_OK && batch.nrows > 0)
        for (int r = 0; r < batch.nrows && call->result_null; r++)
            if ((SdbOid)vecs[0].values[r] == objoid && (classoid == 0 || (SdbOid)vecs[1].values[r] == classoid) &&
                (int32_t)sdb_datum_to_int64(vecs[2].values[r]) == subid) {
                const SdbVarlena *text = sdb_datum_varlena(vecs[3].values[r]);
                call->result_null = false;
                rc = sdb_fn_return_text(call, text->data, text->len);
            }
    sdb_table_scan_end(scan);
    return rc;
}

/* obj_description(object, catalog) (catalog: a pg_catalog table's name),
 * obj_description(object) (any catalog; deprecated): the object's comment. */
int sdb_fn_obj_description(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    SdbOid classoid = 0;
    if (info == NULL)
        return SDB_ERROR;
    if (call->nargs > 1) {
        const SdbRelation *catalog;
        if (sdb_catalog_lookup(info->catalog, info->txn, "pg_catalog", (const char *)sdb_fn_arg_text(call, 1)->data,
                               NULL, 0, &catalog) != SDB_OK)
            return SDB_ERROR;
        if (catalog == NULL) { /* PostgreSQL: no row can match */
            call->result_null = true;
            return SDB_OK;
        }
        classoid = catalog->oid;
    }
    return return_description(call, (SdbOid)call->args[0], classoid, 0);
}

/* col_description(table, column number): the column's comment. */
int sdb_fn_col_description(SdbFnCall *call)
{
    return return_description(call, (SdbOid)call->args[0], SDB_CATALOG_PG_CLASS_OID,
                              (int32_t)sdb_fn_arg_int(call, 1));
}

/* pg_get_indexdef(oid [, column, pretty]): CREATE [UNIQUE] INDEX name ON
 * table USING btree (col [DESC] [NULLS FIRST|LAST], ...), the table
 * schema-qualified unless pretty and visible on the search path; with a
 * column number > 0 just that key column.  NULL for no such index. */
int sdb_fn_pg_get_indexdef(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const SdbRelation *index, *table;
    if (info == NULL || sdb_catalog_relation(info->catalog, info->txn, (SdbOid)call->args[0], &index) != SDB_OK)
        return SDB_ERROR;
    if (index == NULL || index->kind != 'i') {
        call->result_null = true;
        return SDB_OK;
    }
    if (sdb_catalog_relation(info->catalog, info->txn, index->index_table, &table) != SDB_OK)
        return SDB_ERROR;
    const SdbIndex *ix = NULL;
    for (int i = 0; table != NULL && i < table->nindexes; i++)
        if (table->indexes[i].oid == index->oid)
            ix = &table->indexes[i];
    if (ix == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    int64_t column = call->nargs > 1 ? sdb_fn_arg_int(call, 1) : 0;
    bool pretty = call->nargs > 2 && sdb_fn_arg_bool(call, 2);
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (column > 0) {
        if (column > ix->nkeys)
            return sdb_fn_return_text(call, "", 0);
        if (sdb_append_ident(&out, table->attrs[ix->keys[column - 1] - 1].name) != SDB_OK)
            return SDB_ERROR;
        return sdb_fn_return_text(call, out.data, out.len);
    }
    int rc = sdb_str_append_cstr(&out, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    rc |= sdb_append_ident(&out, ix->name);
    rc |= sdb_str_append_cstr(&out, " ON ");
    if (pretty)
        rc |= sdb_catalog_regclass_out(info->catalog, info->txn, table->oid, info->search_path, info->npath, &out);
    else
        rc |= sdb_append_ident(&out, table->namespace_name) | sdb_str_append_char(&out, '.') |
              sdb_append_ident(&out, table->name);
    rc |= sdb_str_append_cstr(&out, " USING btree (");
    for (int k = 0; k < ix->nkeys && rc == SDB_OK; k++) {
        int16_t opt = ix->key_options ? ix->key_options[k] : 0;
        bool desc = opt & 1, nulls_first = opt & 2;
        rc |= k > 0 ? sdb_str_append_cstr(&out, ", ") : SDB_OK;
        rc |= sdb_append_ident(&out, table->attrs[ix->keys[k] - 1].name);
        rc |= desc ? sdb_str_append_cstr(&out, " DESC") : SDB_OK;
        if (desc && !nulls_first)
            rc |= sdb_str_append_cstr(&out, " NULLS LAST");
        if (!desc && nulls_first)
            rc |= sdb_str_append_cstr(&out, " NULLS FIRST");
    }
    rc |= sdb_str_append_char(&out, ')');
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* pg_get_expr(expr, relation [, pretty]): the catalogs keep expressions
 * (adbin, conbin) as SQL text; the session binds it again and prints it as
 * PostgreSQL prints the stored expression. */
int sdb_fn_pg_get_expr(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    if (info == NULL)
        return SDB_ERROR;
    bool pretty = call->nargs > 2 && sdb_fn_arg_bool(call, 2);
    SdbStr out;
    sdb_str_init(&out, call->arena);
    if (info->deparse(info->arg, (const char *)sdb_fn_arg_text(call, 0)->data, (SdbOid)call->args[1], pretty,
                      &out) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* The table a constraint belongs to (pg_constraint.conrelid), 0 when no
 * constraint has that OID: a scan of pg_constraint. */
static int constraint_table(const SdbFnCall *call, const SdbSessionInfo *info, SdbOid oid, SdbOid *table)
{
    const SdbRelation *rel;
    *table = 0;
    if (call->context->access == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s() needs a session", call->func->name);
    if (sdb_catalog_relation(info->catalog, info->txn, SDB_CATALOG_PG_CONSTRAINT_OID, &rel) != SDB_OK)
        return SDB_ERROR;
    SdbAccessContext ac = *call->context->access;
    ac.arena = call->arena;
    ac.priv = NULL;
    int cols[2] = {SDB_ANUM_PG_CONSTRAINT_OID - 1, SDB_ANUM_PG_CONSTRAINT_CONRELID - 1};
    SdbVector vecs[2];
    SdbBatch batch = {.ncols = 2, .cols = vecs};
    for (int c = 0; c < 2; c++) {
        vecs[c].values = sdb_arena_calloc(call->arena, SDB_BATCH_SIZE, sizeof(SdbDatum));
        vecs[c].nulls = sdb_arena_calloc(call->arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
        if (vecs[c].values == NULL || vecs[c].nulls == NULL)
            return SDB_ERROR;
    }
    SdbTableScan *scan = rel ? sdb_table_scan_begin(&ac, rel, cols, 2) : NULL;
    if (scan == NULL)
        return SDB_ERROR;
    int rc;
    while ((rc = sdb_table_scan_next(scan, &batch)) == SDB_OK && batch.nrows > 0 && *table == 0)
        for (int r = 0; r < batch.nrows; r++)
            if ((SdbOid)vecs[0].values[r] == oid)
                *table = (SdbOid)vecs[1].values[r];
    sdb_table_scan_end(scan);
    return rc;
}

static int append_columns(SdbStr *out, const SdbRelation *rel, int n, const int16_t *keys)
{
    int rc = sdb_str_append_char(out, '(');
    for (int k = 0; k < n; k++)
        rc |= (k > 0 ? sdb_str_append_cstr(out, ", ") : SDB_OK) | sdb_append_ident(out, rel->attrs[keys[k] - 1].name);
    return rc | sdb_str_append_char(out, ')');
}

static const char *fk_action(char c)
{
    switch (c) {
    case 'r': return "RESTRICT";
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    default: return NULL; /* 'a': NO ACTION, not printed */
    }
}

/* pg_get_constraintdef(oid [, pretty]): PRIMARY KEY (..), UNIQUE (..),
 * FOREIGN KEY (..) REFERENCES t(..) [ON UPDATE ..] [ON DELETE ..], CHECK
 * (..) (the condition printed as pg_get_expr prints it); NULL for no such
 * constraint. */
int sdb_fn_pg_get_constraintdef(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    SdbOid oid = (SdbOid)call->args[0], table_oid;
    const SdbRelation *table = NULL, *ref;
    if (info == NULL || constraint_table(call, info, oid, &table_oid) != SDB_OK ||
        (table_oid != 0 && sdb_catalog_relation(info->catalog, info->txn, table_oid, &table) != SDB_OK))
        return SDB_ERROR;
    const SdbRelConstraint *con = NULL;
    for (int i = 0; table != NULL && i < table->nconstraints; i++)
        if (table->constraints[i].oid == oid)
            con = &table->constraints[i];
    if (con == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    SdbStr out;
    sdb_str_init(&out, call->arena);
    int rc = SDB_OK;
    switch (con->kind) {
    case 'p':
    case 'u':
        rc = sdb_str_append_cstr(&out, con->kind == 'p' ? "PRIMARY KEY " : "UNIQUE ");
        rc |= append_columns(&out, table, con->nkeys, con->keys);
        break;
    case 'f':
        if (sdb_catalog_relation(info->catalog, info->txn, con->ref_rel_oid, &ref) != SDB_OK || ref == NULL)
            return SDB_ERROR;
        rc = sdb_str_append_cstr(&out, "FOREIGN KEY ") | append_columns(&out, table, con->nkeys, con->keys);
        rc |= sdb_str_append_cstr(&out, " REFERENCES ");
        rc |= sdb_catalog_regclass_out(info->catalog, info->txn, ref->oid, info->search_path, info->npath, &out);
        rc |= append_columns(&out, ref, con->nkeys, con->ref_keys);
        if (fk_action(con->on_update))
            rc |= sdb_str_appendf(&out, " ON UPDATE %s", fk_action(con->on_update));
        if (fk_action(con->on_delete))
            rc |= sdb_str_appendf(&out, " ON DELETE %s", fk_action(con->on_delete));
        break;
    default:
        rc = sdb_str_append_cstr(&out, "CHECK (");
        rc |= info->deparse(info->arg, con->check_sql, table->oid, call->nargs > 1 && sdb_fn_arg_bool(call, 1), &out);
        rc |= sdb_str_append_char(&out, ')');
        break;
    }
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* --- text ------------------------------------------------------------------ */

/* PostgreSQL's encoding names by number (pg_enc2name_tbl); "" for others. */
int sdb_fn_pg_encoding_to_char(SdbFnCall *call)
{
    static const char *const names[] = {
        "SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8", "MULE_INTERNAL",
        "LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9", "LATIN10",
        "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252", "ISO_8859_5", "ISO_8859_6",
        "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254", "WIN1255", "WIN1257", "KOI8U", "SJIS",
        "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004"};
    int64_t e = sdb_fn_arg_int(call, 0);
    return return_cstr(call, e >= 0 && e < (int64_t)(sizeof names / sizeof names[0]) ? names[e] : "");
}

int sdb_fn_quote_ident(SdbFnCall *call)
{
    SdbStr out;
    sdb_str_init(&out, call->arena);
    const SdbVarlena *t = sdb_fn_arg_text(call, 0);
    if (t->len == 0)
        return sdb_fn_return_text(call, "\"\"", 2);
    if (sdb_append_ident(&out, (const char *)t->data) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_text(call, out.data, out.len);
}

/* quote_literal: '...' with quotes doubled; with a backslash, E'...' and
 * backslashes doubled. */
int sdb_fn_quote_literal(SdbFnCall *call)
{
    const SdbVarlena *t = sdb_fn_arg_text(call, 0);
    SdbStr out;
    sdb_str_init(&out, call->arena);
    int rc = memchr(t->data, '\\', t->len) ? sdb_str_append_char(&out, 'E') : SDB_OK;
    rc |= sdb_str_append_char(&out, '\'');
    for (uint32_t i = 0; i < t->len && rc == SDB_OK; i++) {
        char c = (char)t->data[i];
        if (c == '\'' || c == '\\')
            rc |= sdb_str_append_char(&out, c);
        rc |= sdb_str_append_char(&out, c);
    }
    rc |= sdb_str_append_char(&out, '\'');
    return rc == SDB_OK ? sdb_fn_return_text(call, out.data, out.len) : SDB_ERROR;
}

/* pg_get_viewdef(view [, pretty]): the catalog keeps a view's SELECT as its
 * SQL text; NULL when the OID is not a view's. */
int sdb_fn_pg_get_viewdef(SdbFnCall *call)
{
    const SdbSessionInfo *info = session_of(call);
    const SdbRelation *rel;
    if (info == NULL || sdb_catalog_relation(info->catalog, info->txn, (SdbOid)call->args[0], &rel) != SDB_OK)
        return SDB_ERROR;
    if (rel == NULL || rel->kind != 'v' || rel->view_sql == NULL) {
        call->result_null = true;
        return SDB_OK;
    }
    return return_cstr(call, rel->view_sql);
}
