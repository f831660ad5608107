/*
 * session/session.c: sessions and the simple query protocol: parse a query
 * string, run its statements one after the other (each inside a
 * transaction: its own, or the block BEGIN opened), and dispatch each to the
 * planner pipeline (SELECT/VALUES/INSERT/UPDATE/DELETE: analyze, optimize,
 * execute), to the catalog's DDL, or to the utility statements of this
 * folder.  Also the per-statement contexts (expression, executor), the
 * session's TimeZone and search_path caches, and value output.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "expr/eval.h"
#include "plan/plan.h"
#include "session/session_int.h"
#include "sql/analyze.h"
#include "sql/parser.h"
#include "types/typeio.h"

/* --- sessions ----------------------------------------------------------- */

static int eval_default(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull);

/* SdbSessionInfo's settings callbacks (current_setting, set_config). */
static bool info_cancel_backend(void *arg, int32_t pid)
{
    SdbSession *s = arg;
    return s->db->cancel_backend && s->db->cancel_backend(s->db->cancel_backend_arg, pid);
}

static int info_show(void *arg, const char *name, char *buf, size_t size)
{
    return sdb_session_show(arg, name, buf, size);
}

static int info_set(void *arg, const char *name, const char *value, bool local)
{
    SdbSession *s = arg;
    return sdb_session_set(s, s->sink, name, value, local);
}

static SdbSession *session_alloc(SdbInstance *db, const char *user, const char *dbname)
{
    SdbSession *s = sdb_malloc(sizeof *s);
    if (s == NULL)
        return NULL;
    memset(s, 0, sizeof *s);
    s->db = db;
    s->arena = sdb_arena_create(NULL, "session", 0);
    s->txn_arena = s->arena ? sdb_arena_create(s->arena, "transaction", 0) : NULL;
    s->stmt_arena = s->arena ? sdb_arena_create(s->arena, "query", 0) : NULL;
    if (s->stmt_arena == NULL || sdb_instance_settings_copy(db, &s->settings, &s->settings_generation) != SDB_OK) {
        if (s->arena)
            sdb_arena_destroy(s->arena);
        sdb_free(s);
        return NULL;
    }
    s->user = sdb_arena_strdup(s->arena, user);
    s->dbname = sdb_arena_strdup(s->arena, dbname);
    s->catalog = db->postgres;
    s->db_oid = SDB_DATABASE_POSTGRES;
    if (s->user == NULL || s->dbname == NULL) {
        sdb_session_close(s);
        return NULL;
    }
    s->access = (SdbAccessContext){.engine = db->engine, .catalog = s->catalog, .txn = &s->txn,
                                   .eval_default = eval_default, .default_arg = s,
                                   .sequences = &s->sequences};
    s->info = (SdbSessionInfo){.user = s->user, .database = s->dbname, .backend_pid = (int32_t)getpid(),
                               .catalog = s->catalog, .txn = &s->txn, .settings = &s->settings,
                               .reset_settings = &db->settings, .arg = s, .show = info_show, .set = info_set,
                               .cancel = &s->cancel, .deparse = sdb_session_deparse,
                               .cancel_backend = info_cancel_backend};
    sdb_session_info_init(&s->info);
    return s;
}

void sdb_session_set_backend_pid(SdbSession *s, int32_t pid)
{
    s->info.backend_pid = pid;
}

SdbSession *sdb_session_open(SdbInstance *db, const char *user, const char *dbname)
{
    SdbSession *s = session_alloc(db, user, dbname);
    if (s == NULL)
        return NULL;
    SdbRole role;
    bool found;
    if (sdb_settings_set(&s->settings, "session_authorization", user, SDB_SOURCE_SESSION) != SDB_OK ||
        sdb_instance_role(db, user, s->stmt_arena, &role, &found) != SDB_OK) {
        sdb_session_close(s);
        return NULL;
    }
    s->settings.is_superuser = found && role.superuser;
    sdb_arena_reset(s->stmt_arena);
    if (strcmp(dbname, "postgres") != 0) {
        SdbDatabase found;
        if (sdb_session_xact_start(s, SDB_XACT_IMPLICIT) != SDB_OK) {
            sdb_session_close(s);
            return NULL;
        }
        int rc = sdb_instance_database(db, &s->txn, dbname, &found);
        sdb_session_xact_abort(s);
        if (rc != SDB_OK) {
            sdb_session_close(s);
            return NULL;
        }
        s->catalog = found.catalog;
        s->db_oid = found.oid;
        s->access.catalog = found.catalog;
        s->info.catalog = found.catalog;
    }
    return s;
}

void sdb_session_close(SdbSession *s)
{
    if (s == NULL)
        return;
    if (s->xact != SDB_XACT_NONE)
        sdb_session_xact_abort(s);
    while (s->portals)
        sdb_session_close_portal(s, s->portals->name);
    while (s->prepared)
        sdb_session_close_prepared(s, s->prepared->name);
    if (s->have_timer)
        timer_delete(s->timeout_timer);
    sdb_sequence_session_free(&s->sequences);
    sdb_settings_free(&s->settings);
    sdb_arena_destroy(s->arena);
    sdb_free(s);
}

char sdb_session_status(const SdbSession *s)
{
    switch (s->xact) {
    case SDB_XACT_BLOCK:
        return 'T';
    case SDB_XACT_FAILED:
        return 'E';
    default:
        return 'I';
    }
}

void sdb_session_cancel(SdbSession *s)
{
    s->cancel = 1;
}

bool sdb_session_cancel_pending(const SdbSession *s)
{
    return s->cancel != 0;
}

const char *sdb_notice_severity(const char *sqlstate)
{
    bool warning = strncmp(sqlstate, "01", 2) == 0 || strncmp(sqlstate, "25", 2) == 0;
    return warning ? "WARNING" : "NOTICE";
}

void sdb_session_notice(const SdbResultSink *sink, const char *sqlstate, const char *message)
{
    if (sink && sink->notice)
        sink->notice(sink->arg, sqlstate, message);
}

/* --- cached settings ---------------------------------------------------- */

/* A POSIX-style fixed zone "<+05:30>-05:30" (what SET TIME ZONE <number>
 * leaves in TimeZone): the offset after '>' is hours WEST of UTC. */
static const SdbTimeZone *fixed_zone(SdbArena *arena, const char *name)
{
    const char *p = strchr(name, '>');
    if (p == NULL || (p[1] != '+' && p[1] != '-'))
        return NULL;
    int sign = p[1] == '-' ? -1 : 1;
    char *end;
    long hours = strtol(p + 2, &end, 10), minutes = 0;
    if (*end == ':')
        minutes = strtol(end + 1, &end, 10);
    if (*end != '\0')
        return NULL;
    return sdb_timezone_fixed(arena, name, (int32_t)(-sign * (hours * 3600 + minutes * 60)));
}

/* Load the zone named by TimeZone when it changed. */
int sdb_session_timezone(SdbSession *s)
{
    const char *name = s->settings.timezone;
    if (s->timezone_name && strcmp(s->timezone_name, name) == 0)
        return SDB_OK;
    const SdbTimeZone *tz = name[0] == '<' ? fixed_zone(s->arena, name) : sdb_timezone_load(s->arena, name);
    if (tz == NULL)
        return name[0] == '<' ? sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "time zone \"%s\" not recognized", name)
                              : SDB_ERROR;
    char *copy = sdb_arena_strdup(s->arena, name);
    if (copy == NULL)
        return SDB_ERROR;
    s->timezone = tz;
    s->timezone_name = copy;
    return SDB_OK;
}

/* Split search_path ("\"$user\", public") into schema names. */
int sdb_session_search_path(SdbSession *s)
{
    const char *text = s->settings.search_path;
    if (s->search_path_text && strcmp(s->search_path_text, text) == 0)
        return SDB_OK;
    int n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    const char **names = sdb_arena_calloc(s->arena, (size_t)n, sizeof *names);
    char *copy = sdb_arena_strdup(s->arena, text);
    if (names == NULL || copy == NULL)
        return SDB_ERROR;
    int count = 0;
    for (char *item = copy; item;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *name = item;
        while (*name == ' ' || *name == '\t')
            name++;
        size_t len = strlen(name);
        while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
            name[--len] = '\0';
        if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
            name[len - 1] = '\0';
            name++;
        }
        if (*name)
            names[count++] = name;
        item = comma ? comma + 1 : NULL;
    }
    s->search_path = names;
    s->npath = count;
    s->info.search_path = names;
    s->info.npath = count;
    s->search_path_text = sdb_arena_strdup(s->arena, text);
    return s->search_path_text ? SDB_OK : SDB_ERROR;
}

/* --- statements ---------------------------------------------------------- */

void sdb_session_statement_context(SdbStatement *st, SdbSession *s, const char *sql, const char *text,
                                   const SdbResultSink *sink)
{
    memset(st, 0, sizeof *st);
    st->s = s;
    st->sql = sql;
    st->text = text;
    st->sink = sink;
    st->expr.arena = s->stmt_arena;
    st->expr.timezone = s->timezone;
    st->expr.xact_start = s->txn.start;
    st->expr.session = &s->info;
}

/* The session's table access, set up for a statement whose allocations go
 * to `arena`. */
static SdbAccessContext *statement_access(SdbSession *s, SdbArena *arena)
{
    s->access.timezone = s->timezone;
    s->access.arena = arena;
    s->access.priv = NULL; /* what access kept lived in the previous statement's arena */
    return &s->access;
}

void sdb_session_exec_context(SdbStatement *st, SdbExecContext *ec)
{
    SdbSession *s = st->s;
    st->expr.nparams = st->nparams;
    st->expr.params = st->params;
    st->expr.param_nulls = st->param_nulls;
    memset(ec, 0, sizeof *ec);
    ec->engine = s->db->engine;
    ec->catalog = s->catalog;
    ec->txn = &s->txn;
    ec->arena = st->expr.arena;
    ec->expr = &st->expr;
    ec->work_mem = s->settings.work_mem * 1024;
    ec->temp_dir = s->db->temp_dir;
    ec->cancel = &s->cancel;
    st->expr.access = statement_access(s, st->expr.arena); /* nextval() and the other sequence functions */
    ec->access = st->expr.access;
}

/* Convert a value to another type through its text form (EXECUTE's
 * arguments, column defaults of another type). */
int sdb_session_convert(const SdbExprContext *expr, SdbOid from, SdbOid to, SdbDatum *value)
{
    if (from == to || to == 0)
        return SDB_OK;
    SdbStr text;
    sdb_str_init(&text, expr->arena);
    if (sdb_expr_output(expr, from, *value, &text) != SDB_OK || sdb_str_append(&text, "", 0) != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx tc = {.arena = expr->arena, .timezone = expr->timezone, .now = expr->xact_start, .typid = to,
                     .typmod = -1, .reg = sdb_expr_reg_lookup(expr)};
    return sdb_type_input(&tc, text.data, value);
}

/* The DEFAULT of column `attno` of `rel` (for ON DELETE/UPDATE SET
 * DEFAULT), evaluated in the running transaction; values live in the
 * transaction's arena. */
static int eval_default(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull)
{
    SdbSession *s = arg;
    const SdbAttribute *att = &rel->attrs[attno];
    *isnull = true;
    if (att->default_sql == NULL)
        return SDB_OK;
    char *sql = sdb_arena_sprintf(s->txn_arena, "SELECT %s", att->default_sql);
    SdbParseResult parsed;
    if (sql == NULL || sdb_parse(s->txn_arena, sql, strlen(sql), &parsed) != SDB_OK)
        return SDB_ERROR;
    const SdbSelectStmt *select = (const SdbSelectStmt *)((SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt;
    const SdbResTarget *target = (const SdbResTarget *)sdb_list_nth(select->target_list, 0);
    SdbExprContext expr = {.arena = s->txn_arena, .timezone = s->timezone, .xact_start = s->txn.start,
                           .session = &s->info, .access = &s->access};
    SdbAnalyzeContext ac = {.catalog = s->catalog, .txn = &s->txn, .expr = &expr, .sql = sql,
                            .search_path = s->search_path, .npath = s->npath};
    SdbExpr *e;
    if (sdb_analyze_table_expr(&ac, rel, 1, target->val, &e) != SDB_OK ||
        sdb_expr_eval(e, &expr, value, isnull) != SDB_OK)
        return SDB_ERROR;
    return *isnull ? SDB_OK : sdb_session_convert(&expr, e->type, att->type, value);
}

/* statement_timeout: the timer stops the statement as a cancel does. */
static void timeout_expired(union sigval v)
{
    SdbSession *s = v.sival_ptr;
    s->cancel = 2;
}

static void arm_timeout(SdbSession *s, int64_t ms)
{
    if (ms <= 0 && !s->have_timer)
        return;
    if (!s->have_timer) {
        struct sigevent ev = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = timeout_expired,
                              .sigev_value.sival_ptr = s};
        if (timer_create(CLOCK_MONOTONIC, &ev, &s->timeout_timer) != 0)
            return; /* no timer: the statement runs without a time limit */
        s->have_timer = true;
    }
    struct itimerspec when = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}};
    timer_settime(s->timeout_timer, 0, &when, NULL);
}

/* Before a statement runs in the current transaction: its command id and,
 * under READ COMMITTED (or for the first statement), a new snapshot. */
int sdb_session_begin_statement(SdbSession *s)
{
    s->cancel = 0;
    if (sdb_session_pick_up_reload(s, NULL) != SDB_OK)
        return SDB_ERROR;
    arm_timeout(s, s->settings.statement_timeout);
    if (sdb_session_timezone(s) != SDB_OK || sdb_session_search_path(s) != SDB_OK)
        return SDB_ERROR;
    s->txn.cid = (SdbCid)s->statements;
    s->txn.pid = s->info.backend_pid;
    s->txn.lock_timeout_ms = s->settings.lock_timeout;
    s->txn.deadlock_timeout_ms = s->settings.deadlock_timeout;
    bool per_statement = s->isolation == SDB_DEFAULT_TRANSACTION_ISOLATION_READ_COMMITTED ||
                         s->isolation == SDB_DEFAULT_TRANSACTION_ISOLATION_READ_UNCOMMITTED;
    /* REPEATABLE READ / SERIALIZABLE: one snapshot, and a row changed by a
     * transaction that committed after it is 40001 (runtime/access). */
    s->txn.xact_snapshot = !per_statement;
    bool fresh = s->statements == 0 || per_statement;
    s->statements++;
    return fresh ? sdb_txn_take_snapshot(&s->txn, s->txn_arena) : SDB_OK;
}

/* After a statement: a failure aborts the transaction (or fails the block);
 * a statement that ran on its own commits. */
int sdb_session_end_statement(SdbSession *s, int rc)
{
    arm_timeout(s, 0);
    if (rc == SDB_OK)
        return SDB_OK;
    if (s->cancel == 2 && sdb_error_last()->code == SDB_ERR_QUERY_CANCELED)
        sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to statement timeout");
    sdb_session_fail(s);
    return SDB_ERROR;
}

static const char *dml_verb(const SdbNode *stmt)
{
    switch (SDB_NODE_TAG(stmt)) {
    case SDB_T_INSERT_STMT:
        return "INSERT 0";
    case SDB_T_UPDATE_STMT:
        return "UPDATE";
    case SDB_T_DELETE_STMT:
        return "DELETE";
    default:
        return "SELECT";
    }
}

/* Deliver at most `limit` rows of `batch` starting at live row `from`. */
static int send_rows(const SdbResultSink *sink, SdbArena *arena, const SdbBatch *batch, int from, int limit)
{
    if (sink == NULL || sink->rows == NULL || limit == 0)
        return SDB_OK;
    int live = sdb_batch_live(batch);
    if (from == 0 && limit >= live)
        return sink->rows(sink->arg, batch);
    uint16_t *sel = sdb_arena_alloc(arena, (size_t)limit * sizeof *sel);
    if (sel == NULL)
        return SDB_ERROR;
    for (int i = 0; i < limit; i++)
        sel[i] = (uint16_t)sdb_batch_row(batch, from + i);
    SdbBatch view = *batch;
    view.sel = sel;
    view.nsel = limit;
    return sink->rows(sink->arg, &view);
}

/* Plan `stmt` (SELECT, VALUES, INSERT, UPDATE, DELETE) into *plan. */
static int plan_statement(SdbStatement *st, const SdbNode *stmt, SdbPlan **plan)
{
    SdbSession *s = st->s;
    SdbAnalyzeContext ac = {
        .catalog = s->catalog,
        .txn = &s->txn,
        .expr = &st->expr,
        .sql = st->sql,
        .search_path = s->search_path,
        .npath = s->npath,
        .nparams = st->nparams,
        .param_types = st->param_types,
    };
    if (sdb_analyze(&ac, stmt, plan) != SDB_OK)
        return SDB_ERROR;
    SdbOptContext opt = {.catalog = s->catalog, .txn = &s->txn, .arena = st->expr.arena, .expr = &st->expr,
                         .engine = s->db->engine, .work_mem = (int64_t)s->settings.work_mem * 1024};
    return sdb_optimize(&opt, plan);
}

/* How often a READ COMMITTED statement runs again on a new snapshot after
 * meeting rows updated concurrently (sdb_exec_restartable). */
#define MAX_RESTARTS 100

/* Run a planned statement: describe, rows, command tag.  With a portal,
 * stop after max_rows rows (0: all) and leave the rest for the next call.
 * An UPDATE or DELETE that met a row updated by a transaction committed
 * since its snapshot, before writing anything, runs again on a new
 * snapshot (READ COMMITTED). */
int sdb_session_run_plan(SdbStatement *st, const SdbNode *stmt, int64_t max_rows, SdbPortal *portal,
                         bool *suspended)
{
    const SdbResultSink *sink = st->sink;
    SdbExecState *es = portal ? portal->state : NULL;
    uint64_t sent = portal ? portal->rows_sent : 0;
    SdbExecContext local_ec;
    SdbPlan *plan = NULL;
    int restarts = 0;
    if (es == NULL && plan_statement(st, stmt, &plan) != SDB_OK)
        return SDB_ERROR;
restart:
    if (es == NULL) {
        SdbExecContext *ec = portal ? &portal->exec : &local_ec;
        sdb_session_exec_context(st, ec);
        if (portal) {
            portal->expr = st->expr;
            ec->expr = &portal->expr;
        }
        es = sdb_exec_start(ec, plan);
        if (es == NULL)
            return SDB_ERROR;
        if (portal)
            portal->state = es;
        else if (restarts == 0 && sink && sink->describe && (SDB_IS_A(stmt, SELECT_STMT) || plan->ncols > 0) &&
                 sink->describe(sink->arg, plan->ncols, plan->cols) != SDB_OK) {
            sdb_exec_end(es);
            return SDB_ERROR;
        }
    }
    int rc = SDB_OK;
    int64_t budget = max_rows > 0 ? max_rows : INT64_MAX;
    if (suspended)
        *suspended = false;
    for (;;) {
        SdbBatch *batch = NULL;
        int from = 0;
        if (portal && portal->pending) {
            batch = portal->pending;
            from = portal->pending_from;
            portal->pending = NULL;
        } else if ((rc = sdb_exec_next(es, &batch)) != SDB_OK || batch == NULL) {
            break;
        }
        int avail = sdb_batch_live(batch) - from;
        int take = avail < budget ? avail : (int)budget;
        if (send_rows(sink, st->expr.arena, batch, from, take) != SDB_OK) {
            rc = SDB_ERROR;
            break;
        }
        sent += (uint64_t)take;
        budget -= take;
        if (portal && max_rows > 0 && budget == 0) {
            if (take < avail) {
                portal->pending = batch;
                portal->pending_from = from + take;
            }
            portal->rows_sent = sent;
            if (suspended)
                *suspended = true;
            return SDB_OK;
        }
    }
    if (rc != SDB_OK) {
        bool again = plan != NULL && sent == 0 && sdb_exec_restartable(es) && restarts < MAX_RESTARTS &&
                     !st->s->txn.xact_snapshot;
        sdb_exec_end(es);
        es = NULL;
        if (portal)
            portal->state = NULL;
        if (again && sdb_txn_take_snapshot(&st->s->txn, st->s->txn_arena) == SDB_OK) {
            sdb_error_clear();
            restarts++;
            goto restart;
        }
        return SDB_ERROR;
    }
    uint64_t count = SDB_IS_A(stmt, SELECT_STMT) ? sent : sdb_exec_rows_affected(es);
    sdb_exec_end(es);
    if (portal) {
        portal->state = NULL;
        portal->done = true;
    }
    char tag[64];
    snprintf(tag, sizeof tag, "%s %llu", dml_verb(stmt), (unsigned long long)count);
    return sink && sink->complete ? sink->complete(sink->arg, tag) : SDB_OK;
}

static int complete(const SdbResultSink *sink, const char *tag)
{
    return sink && sink->complete ? sink->complete(sink->arg, tag) : SDB_OK;
}

static void ddl_notice(void *arg, const char *sqlstate, const char *message)
{
    sdb_session_notice(arg, sqlstate, message);
}

/* CREATE VIEW: the columns of the view's query, as the catalog wants them. */
static int view_columns(SdbStatement *st, const SdbViewStmt *vs, SdbDdlContext *ddl)
{
    SdbSession *s = st->s;
    SdbAnalyzeContext ac = {.catalog = s->catalog, .txn = &s->txn, .expr = &st->expr, .sql = st->sql,
                            .search_path = s->search_path, .npath = s->npath};
    SdbPlan *plan;
    if (sdb_analyze(&ac, vs->query, &plan) != SDB_OK)
        return SDB_ERROR;
    int n = plan->ncols;
    const char **names = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *names);
    SdbOid *types = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *types);
    int32_t *typmods = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *typmods);
    if (names == NULL || types == NULL || typmods == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        names[i] = plan->cols[i].name;
        types[i] = plan->cols[i].type;
        typmods[i] = plan->cols[i].typmod;
    }
    ddl->view_ncolumns = n;
    ddl->view_names = names;
    ddl->view_types = types;
    ddl->view_typmods = typmods;
    return SDB_OK;
}

static int run_ddl(SdbStatement *st, const SdbNode *stmt)
{
    SdbSession *s = st->s;
    SdbDdlContext ddl = {
        .catalog = s->catalog,
        .txn = &s->txn,
        .arena = st->expr.arena,
        .sql = st->sql,
        .search_path = s->search_path,
        .npath = s->npath,
        .notice = ddl_notice,
        .notice_arg = (void *)st->sink,
        .view_ncolumns = -1,
        .eval_default = eval_default, /* ADD COLUMN ... DEFAULT on a table with rows */
        .eval_arg = s,
        .current_user = s->user,
        .password_md5 = s->settings.password_encryption == SDB_PASSWORD_ENCRYPTION_MD5,
        .timezone = s->timezone,
    };
    statement_access(s, st->expr.arena);
    if (SDB_IS_A(stmt, VIEW_STMT) && view_columns(st, (const SdbViewStmt *)stmt, &ddl) != SDB_OK)
        return SDB_ERROR;
    SdbStr tag;
    sdb_str_init(&tag, st->expr.arena);
    if (sdb_ddl_execute(&ddl, stmt, &tag) != SDB_OK)
        return SDB_ERROR;
    return complete(st->sink, tag.data);
}

/* Dispatch one statement inside the current transaction. */
int sdb_session_run(SdbStatement *st, const SdbNode *stmt)
{
    SdbSession *s = st->s;
    switch (SDB_NODE_TAG(stmt)) {
    case SDB_T_SELECT_STMT:
    case SDB_T_INSERT_STMT:
    case SDB_T_UPDATE_STMT:
    case SDB_T_DELETE_STMT:
        return sdb_session_run_plan(st, stmt, 0, NULL, NULL);
    case SDB_T_EXPLAIN_STMT:
        return sdb_explain_statement(st, (const SdbExplainStmt *)stmt);
    case SDB_T_VARIABLE_SET_STMT:
        return sdb_set_statement(st, (const SdbVariableSetStmt *)stmt);
    case SDB_T_VARIABLE_SHOW_STMT:
        return sdb_show_statement(st, (const SdbVariableShowStmt *)stmt);
    case SDB_T_PREPARE_STMT:
        return sdb_prepare_statement(st, (const SdbPrepareStmt *)stmt);
    case SDB_T_EXECUTE_STMT:
        return sdb_execute_statement(st, (const SdbExecuteStmt *)stmt);
    case SDB_T_DEALLOCATE_STMT:
        return sdb_deallocate_statement(st, (const SdbDeallocateStmt *)stmt);
    case SDB_T_COPY_STMT:
        return sdb_copy_statement(st, (const SdbCopyStmt *)stmt);
    case SDB_T_TRUNCATE_STMT:
        return sdb_truncate_statement(st, (const SdbTruncateStmt *)stmt);
    case SDB_T_VACUUM_STMT:
        return sdb_vacuum_statement(st, (const SdbVacuumStmt *)stmt);
    case SDB_T_LOCK_STMT:
        return sdb_lock_statement(st, (const SdbLockStmt *)stmt);
    case SDB_T_CHECK_POINT_STMT:
        if (sdb_engine_checkpoint(s->db->engine) != SDB_OK)
            return SDB_ERROR;
        return complete(st->sink, "CHECKPOINT");
    case SDB_T_CREATEDB_STMT:
        if (sdb_session_prevent_block(s, "CREATE DATABASE") != SDB_OK)
            return SDB_ERROR;
        return run_ddl(st, stmt);
    case SDB_T_DROPDB_STMT:
        if (sdb_session_prevent_block(s, "DROP DATABASE") != SDB_OK)
            return SDB_ERROR;
        return run_ddl(st, stmt);
    default:
        return run_ddl(st, stmt);
    }
}

/* A statement that commits right after it ran reports its tag only once
 * the commit succeeded (as PostgreSQL sends CommandComplete after it). */
typedef struct DeferredTag {
    const SdbResultSink *sink;
    char tag[64];
    bool have;
} DeferredTag;

static int defer_complete(void *arg, const char *tag)
{
    DeferredTag *d = arg;
    snprintf(d->tag, sizeof d->tag, "%s", tag);
    d->have = true;
    return SDB_OK;
}

static int pass_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    return sink->describe ? sink->describe(sink->arg, ncols, cols) : SDB_OK;
}

static int pass_rows(void *arg, const SdbBatch *batch)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    return sink->rows ? sink->rows(sink->arg, batch) : SDB_OK;
}

static void pass_notice(void *arg, const char *sqlstate, const char *message)
{
    sdb_session_notice(((DeferredTag *)arg)->sink, sqlstate, message);
}

static void pass_parameter_status(void *arg, const char *name, const char *value)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    if (sink->parameter_status)
        sink->parameter_status(sink->arg, name, value);
}

static int pass_copy_in(void *arg, int ncols, SdbStr *data, bool *done)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    return sink->copy_in(sink->arg, ncols, data, done);
}

static int pass_copy_out(void *arg, int ncols, const char *data, size_t len)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    return sink->copy_out(sink->arg, ncols, data, len);
}

static int pass_copy_begin(void *arg, bool is_from, bool binary, int ncols)
{
    const SdbResultSink *sink = ((DeferredTag *)arg)->sink;
    return sink->copy_begin(sink->arg, is_from, binary, ncols);
}

/* Run one statement of a query string: transaction control itself, any
 * other inside the current transaction (started here when there is none;
 * `in_string` keeps it open for the rest of the string). */
static int run_one(SdbSession *s, const char *sql, const SdbRawStmt *raw, const SdbResultSink *sink,
                   bool in_string)
{
    char *text = sdb_arena_strndup(s->stmt_arena, sql + raw->stmt_location, (size_t)raw->stmt_len);
    if (text == NULL)
        return SDB_ERROR;
    SdbStatement st;
    if (SDB_IS_A(raw->stmt, TRANSACTION_STMT)) {
        sdb_session_statement_context(&st, s, sql, text, sink);
        return sdb_xact_statement(&st, (const SdbTransactionStmt *)raw->stmt);
    }
    if (s->xact == SDB_XACT_FAILED)
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    if (s->xact == SDB_XACT_NONE && sdb_session_xact_start(s, SDB_XACT_IMPLICIT) != SDB_OK)
        return SDB_ERROR;
    bool commits = s->xact == SDB_XACT_IMPLICIT && !in_string;
    DeferredTag deferred = {.sink = sink};
    SdbResultSink wrapper = {.arg = &deferred, .describe = pass_describe, .rows = pass_rows,
                             .complete = defer_complete, .notice = pass_notice,
                             .parameter_status = pass_parameter_status,
                             .copy_in = sink && sink->copy_in ? pass_copy_in : NULL,
                             .copy_out = sink && sink->copy_out ? pass_copy_out : NULL,
                             .copy_begin = sink && sink->copy_begin ? pass_copy_begin : NULL};
    SdbArena *arena = sdb_arena_create(s->stmt_arena, "statement", 0);
    if (arena == NULL)
        return sdb_session_end_statement(s, SDB_ERROR);
    int rc = sdb_session_begin_statement(s);
    sdb_session_statement_context(&st, s, sql, text, commits && sink ? &wrapper : sink);
    st.expr.arena = arena;
    if (rc == SDB_OK)
        rc = sdb_session_run(&st, raw->stmt);
    sdb_arena_destroy(arena);
    rc = sdb_session_end_statement(s, rc);
    if (rc == SDB_OK && commits && s->xact == SDB_XACT_IMPLICIT)
        rc = sdb_session_xact_commit(s);
    if (rc == SDB_OK && deferred.have && sink->complete)
        rc = sink->complete(sink->arg, deferred.tag);
    return rc;
}

int sdb_session_execute(SdbSession *s, const char *sql, const SdbResultSink *sink)
{
    s->sink = sink;
    sdb_arena_reset(s->stmt_arena);
    SdbParseResult parsed;
    if (sdb_parse(s->stmt_arena, sql, strlen(sql), &parsed) != SDB_OK)
        return sdb_session_end_statement(s, SDB_ERROR);
    bool in_string = parsed.count > 1;
    int rc = SDB_OK;
    for (int i = 0; i < parsed.count && rc == SDB_OK; i++)
        rc = run_one(s, sql, (const SdbRawStmt *)sdb_list_nth(parsed.stmts, i), sink, in_string);
    if (rc == SDB_OK && s->xact == SDB_XACT_IMPLICIT)
        rc = sdb_session_xact_commit(s);
    return rc;
}

/* --- value output -------------------------------------------------------- */

int sdb_session_output_text(SdbSession *s, SdbOid type, SdbDatum value, SdbStr *out)
{
    if (sdb_session_timezone(s) != SDB_OK)
        return SDB_ERROR;
    SdbExprContext ctx = {.arena = out->arena, .timezone = s->timezone, .xact_start = s->txn.start,
                          .session = &s->info};
    return sdb_expr_output(&ctx, type, value, out);
}

int sdb_session_output_binary(SdbSession *s, SdbOid type, SdbDatum value, SdbStr *out)
{
    if (sdb_session_timezone(s) != SDB_OK)
        return SDB_ERROR;
    SdbTypeCtx ctx = {.arena = out->arena, .timezone = s->timezone, .now = s->txn.start, .typid = type, .typmod = -1};
    return sdb_type_send(&ctx, value, out);
}

/* SELECT, VALUES, INSERT, UPDATE and DELETE go through the planner. */
bool sdb_statement_is_plannable(const SdbNode *stmt)
{
    SdbNodeTag tag = SDB_NODE_TAG(stmt);
    return tag == SDB_T_SELECT_STMT || tag == SDB_T_INSERT_STMT || tag == SDB_T_UPDATE_STMT ||
           tag == SDB_T_DELETE_STMT;
}
