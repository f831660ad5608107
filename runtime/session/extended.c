/*
 * session/extended.c: the extended query protocol's objects: prepared
 * statements (Parse), portals (Bind) run for a number of rows at a time
 * (Execute), Close, and Sync.
 *
 * Outside a BEGIN block, the messages up to Sync run in one implicit
 * transaction (PostgreSQL's rule: a pipeline segment is atomic): Parse or
 * Execute starts it, an error rolls it back, Sync commits it.  Portals
 * belong to their creator, who closes them; one still running when its
 * transaction ends stops (no more rows).
 */
#include <string.h>

#include "common/error.h"
#include "session/session_int.h"
#include "sql/parser.h"
#include "types/typeio.h"

/* Make sure a transaction is running for an extended-protocol message. */
static int need_transaction(SdbSession *s)
{
    if (s->xact == SDB_XACT_FAILED)
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    return s->xact == SDB_XACT_NONE ? sdb_session_xact_start(s, SDB_XACT_IMPLICIT) : SDB_OK;
}

/* COMMIT, ROLLBACK and ROLLBACK TO: what a failed block still accepts
 * (PostgreSQL's IsTransactionExitStmt). */
static bool is_exit_stmt(const SdbNode *stmt)
{
    if (stmt == NULL || !SDB_IS_A(stmt, TRANSACTION_STMT))
        return false;
    SdbTransactionKind kind = ((const SdbTransactionStmt *)stmt)->kind;
    return kind == SDB_TRANSACTION_KIND_COMMIT || kind == SDB_TRANSACTION_KIND_ROLLBACK ||
           kind == SDB_TRANSACTION_KIND_ROLLBACK_TO;
}

/* Whether `sql` is one transaction exit statement. */
static bool is_exit_sql(SdbSession *s, const char *sql)
{
    SdbParseResult parsed;
    if (sdb_parse(s->stmt_arena, sql, strlen(sql), &parsed) != SDB_OK || parsed.count != 1)
        return false;
    return is_exit_stmt(((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt);
}

int sdb_session_prepare(SdbSession *s, const char *name, const char *sql, int nparams, const SdbOid *types,
                        SdbPrepared **out)
{
    sdb_arena_reset(s->stmt_arena);
    if (s->xact == SDB_XACT_FAILED && is_exit_sql(s, sql))
        return sdb_session_add_prepared(s, name, sql, NULL, nparams, types, out);
    if (need_transaction(s) != SDB_OK)
        return SDB_ERROR;
    return sdb_session_end_statement(s, sdb_session_add_prepared(s, name, sql, NULL, nparams, types, out));
}

int sdb_prepared_params(const SdbPrepared *p, int *nparams, const SdbOid **types)
{
    *nparams = p->nparams;
    *types = p->param_types;
    return SDB_OK;
}

int sdb_prepared_columns(const SdbPrepared *p, int *ncols, const SdbPlanColumn **cols)
{
    *ncols = p->ncols;
    *cols = p->cols;
    return SDB_OK;
}

int sdb_session_close_prepared(SdbSession *s, const char *name)
{
    for (SdbPrepared **link = &s->prepared; *link; link = &(*link)->next) {
        SdbPrepared *p = *link;
        if (strcmp(p->name, name) != 0)
            continue;
        for (SdbPortal *portal = s->portals; portal;) {
            SdbPortal *next = portal->next;
            if (portal->prepared == p)
                sdb_session_close_portal(s, portal->name);
            portal = next;
        }
        *link = p->next;
        sdb_arena_destroy(p->arena);
        return SDB_OK;
    }
    return SDB_OK;
}

SdbPortal *sdb_session_find_portal(SdbSession *s, const char *name)
{
    for (SdbPortal *p = s->portals; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

/* Convert one bound parameter value (text or binary) to its type. */
static int bind_value(SdbSession *s, SdbPortal *portal, SdbOid type, const char *value, int length, int format,
                      SdbDatum *out)
{
    SdbTypeCtx tc = {.arena = portal->arena, .timezone = s->timezone, .now = s->txn.start,
                     .typid = type ? type : SDB_TYPEOID_TEXT, .typmod = -1, .reg = &s->info.reg};
    if (format == 1)
        return sdb_type_receive(&tc, value, (size_t)length, out);
    char *text = sdb_arena_strndup(portal->arena, value, (size_t)length);
    return text ? sdb_type_input(&tc, text, out) : SDB_ERROR;
}

int sdb_session_bind(SdbSession *s, const char *portal_name, SdbPrepared *p, int nvalues,
                     const char *const *values, const int *lengths, const int16_t *formats, SdbPortal **out)
{
    if (s->xact == SDB_XACT_FAILED && !is_exit_stmt(p->stmt))
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    if (sdb_session_timezone(s) != SDB_OK)
        return SDB_ERROR;
    if (nvalues != p->nparams)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION,
                         "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", nvalues,
                         p->name, p->nparams);
    SdbPortal *old = sdb_session_find_portal(s, portal_name);
    if (old && portal_name[0] != '\0')
        return sdb_error(SDB_ERR_DUPLICATE_CURSOR, "cursor \"%s\" already exists", portal_name);
    if (old)
        sdb_session_close_portal(s, portal_name);
    SdbArena *arena = sdb_arena_create(s->arena, "portal", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbPortal *portal = sdb_arena_calloc(arena, 1, sizeof *portal);
    if (portal == NULL || (portal->name = sdb_arena_strdup(arena, portal_name)) == NULL)
        goto fail;
    portal->session = s;
    portal->arena = arena;
    portal->prepared = p;
    portal->params = sdb_arena_calloc(arena, (size_t)nvalues + 1, sizeof *portal->params);
    portal->param_nulls = sdb_arena_calloc(arena, (size_t)nvalues + 1, sizeof *portal->param_nulls);
    if (portal->params == NULL || portal->param_nulls == NULL)
        goto fail;
    for (int i = 0; i < nvalues; i++) {
        portal->param_nulls[i] = values[i] == NULL;
        int format = formats ? formats[i] : 0;
        if (values[i] && bind_value(s, portal, p->param_types[i], values[i], lengths ? lengths[i] : (int)strlen(values[i]),
                                    format, &portal->params[i]) != SDB_OK)
            goto fail;
    }
    portal->next = s->portals;
    s->portals = portal;
    *out = portal;
    return SDB_OK;
fail:
    sdb_arena_destroy(arena);
    return SDB_ERROR;
}

int sdb_portal_execute(SdbPortal *portal, int64_t max_rows, const SdbResultSink *sink, bool *suspended)
{
    SdbSession *s = portal->session;
    SdbPrepared *p = portal->prepared;
    s->sink = sink;
    *suspended = false;
    if (p->stmt == NULL)
        return SDB_OK;
    if (SDB_IS_A(p->stmt, TRANSACTION_STMT)) {
        SdbStatement st;
        sdb_session_statement_context(&st, s, p->sql, p->sql, sink);
        return sdb_xact_statement(&st, (const SdbTransactionStmt *)p->stmt);
    }
    if (portal->done) /* PostgreSQL answers an exhausted portal with no rows */
        return sink && sink->complete ? sink->complete(sink->arg, "SELECT 0") : SDB_OK;
    if (need_transaction(s) != SDB_OK)
        return SDB_ERROR;
    SdbArena *arena = sdb_arena_create(portal->arena, "execute", 0);
    if (arena == NULL)
        return sdb_session_end_statement(s, SDB_ERROR);
    int rc = portal->state ? SDB_OK : sdb_session_begin_statement(s);
    SdbStatement st;
    sdb_session_statement_context(&st, s, p->sql, p->sql, sink);
    st.expr.arena = portal->state ? arena : portal->arena;
    st.nparams = p->nparams;
    st.param_types = p->param_types;
    st.params = portal->params;
    st.param_nulls = portal->param_nulls;
    if (rc == SDB_OK) {
        if (sdb_statement_is_plannable(p->stmt)) {
            rc = sdb_session_run_plan(&st, p->stmt, max_rows, portal, suspended);
        } else {
            rc = sdb_session_run(&st, p->stmt);
            portal->done = true;
        }
    }
    sdb_arena_destroy(arena);
    return sdb_session_end_statement(s, rc);
}

int sdb_session_close_portal(SdbSession *s, const char *name)
{
    for (SdbPortal **link = &s->portals; *link; link = &(*link)->next) {
        SdbPortal *portal = *link;
        if (strcmp(portal->name, name) != 0)
            continue;
        if (portal->state)
            sdb_exec_end(portal->state);
        *link = portal->next;
        sdb_arena_destroy(portal->arena);
        return SDB_OK;
    }
    return SDB_OK;
}

int sdb_session_sync(SdbSession *s, const SdbResultSink *sink)
{
    s->sink = sink;
    if (s->xact == SDB_XACT_IMPLICIT)
        return sdb_session_xact_commit(s);
    return SDB_OK;
}
