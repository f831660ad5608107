/*
 * session/utility.c: the utility statements that are neither DDL (the
 * catalog's) nor COPY (copy.c) nor SET/SHOW (variables.c): EXPLAIN
 * [ANALYZE], PREPARE / EXECUTE / DEALLOCATE and the session's prepared
 * statements, TRUNCATE, VACUUM / ANALYZE (ANALYZE itself is analyze_stmt.c;
 * VACUUM itself is vacuum_stmt.c), LOCK (accepted in a block: sessions of one process do not need
 * table locks beyond MVCC yet).
 */
#include <string.h>

#include "access/table.h"
#include "common/error.h"
#include "expr/bind.h"
#include "expr/eval.h"
#include "plan/plan.h"
#include "session/session_int.h"
#include "sql/analyze.h"
#include "sql/parser.h"
#include "txn/lmgr.h"
#include "types/typeio.h"

static int complete(const SdbStatement *st, const char *tag)
{
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
}

/* --- EXPLAIN -------------------------------------------------------------- */

/* A boolean EXPLAIN option: no argument means true. */
static bool option_bool(const SdbDefElem *opt)
{
    if (opt->arg == NULL)
        return true;
    const char *v = SDB_IS_A(opt->arg, A_CONST) ? ((const SdbAConst *)opt->arg)->val
                    : SDB_IS_A(opt->arg, STRING) ? ((const SdbString *)opt->arg)->sval
                                                  : "true";
    return !(sdb_strcasecmp_ascii(v, "false") == 0 || sdb_strcasecmp_ascii(v, "off") == 0 ||
             strcmp(v, "0") == 0);
}

static const char *option_text(const SdbDefElem *opt)
{
    if (SDB_IS_A(opt->arg, A_CONST))
        return ((const SdbAConst *)opt->arg)->val;
    if (SDB_IS_A(opt->arg, STRING))
        return ((const SdbString *)opt->arg)->sval;
    return "";
}

int sdb_explain_statement(SdbStatement *st, const SdbExplainStmt *es)
{
    bool analyze = false, costs = true;
    for (int i = 0; i < sdb_list_length(es->options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(es->options, i);
        if (strcmp(opt->defname, "analyze") == 0)
            analyze = option_bool(opt);
        else if (strcmp(opt->defname, "costs") == 0)
            costs = option_bool(opt);
        else if (strcmp(opt->defname, "format") == 0) {
            if (sdb_strcasecmp_ascii(option_text(opt), "text") != 0)
                return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "EXPLAIN format \"%s\" is not supported",
                                 option_text(opt));
        } else if (strcmp(opt->defname, "verbose") != 0 && strcmp(opt->defname, "buffers") != 0 &&
                   strcmp(opt->defname, "timing") != 0 && strcmp(opt->defname, "summary") != 0 &&
                   strcmp(opt->defname, "settings") != 0 && strcmp(opt->defname, "wal") != 0) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "unrecognized EXPLAIN option \"%s\"", opt->defname);
            sdb_error_position(opt->location + 1);
            return SDB_ERROR;
        }
    }
    if (!sdb_statement_is_plannable(es->query))
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED,
                         "EXPLAIN of this statement");
    SdbSession *s = st->s;
    SdbAnalyzeContext ac = {.catalog = s->catalog, .txn = &s->txn, .expr = &st->expr, .sql = st->sql,
                            .search_path = s->search_path, .npath = s->npath};
    SdbPlan *plan;
    if (sdb_analyze(&ac, es->query, &plan) != SDB_OK)
        return SDB_ERROR;
    SdbOptContext opt = {.catalog = s->catalog, .txn = &s->txn, .arena = st->expr.arena, .expr = &st->expr,
                         .engine = s->db->engine, .work_mem = (int64_t)s->settings.work_mem * 1024};
    if (sdb_optimize(&opt, &plan) != SDB_OK)
        return SDB_ERROR;
    SdbExecContext ec;
    sdb_session_exec_context(st, &ec);
    SdbStr lines;
    sdb_str_init(&lines, st->expr.arena);
    if (sdb_explain(&ec, plan, analyze, costs, &lines) != SDB_OK)
        return SDB_ERROR;
    int n = 0;
    for (size_t i = 0; i < lines.len; i++)
        n += lines.data[i] == '\n';
    if (lines.len > 0 && lines.data[lines.len - 1] != '\n')
        n++;
    const char **rows = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *rows);
    if (rows == NULL)
        return SDB_ERROR;
    int count = 0;
    for (char *line = lines.data; count < n;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        rows[count++] = line;
        line = nl ? nl + 1 : line + strlen(line);
    }
    static const char *const name = "QUERY PLAN";
    if (sdb_session_text_rows(st, 1, &name, count, rows) != SDB_OK)
        return SDB_ERROR;
    return complete(st, "EXPLAIN");
}

/* --- prepared statements --------------------------------------------------- */

SdbPrepared *sdb_session_find_prepared(SdbSession *s, const char *name)
{
    for (SdbPrepared *p = s->prepared; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

/* Result columns of a plannable statement (analyzed in the running
 * transaction), copied into the prepared statement; inferred parameter
 * types are written back into p->param_types. */
static int describe_prepared(SdbSession *s, SdbPrepared *p)
{
    if (!sdb_statement_is_plannable(p->stmt))
        return SDB_OK;
    if (sdb_session_begin_statement(s) != SDB_OK)
        return SDB_ERROR;
    SdbArena *scratch = sdb_arena_create(s->stmt_arena, "describe", 0);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbStatement st;
    sdb_session_statement_context(&st, s, p->sql, p->sql, NULL);
    st.expr.arena = scratch;
    SdbAnalyzeContext ac = {.catalog = s->catalog, .txn = &s->txn, .expr = &st.expr, .sql = p->sql,
                            .search_path = s->search_path, .npath = s->npath, .nparams = p->nparams,
                            .param_types = p->param_types};
    SdbPlan *plan;
    int rc = sdb_analyze(&ac, p->stmt, &plan);
    if (rc == SDB_OK && (SDB_IS_A(p->stmt, SELECT_STMT) || plan->ncols > 0)) {
        p->ncols = plan->ncols;
        p->cols = sdb_arena_calloc(p->arena, (size_t)plan->ncols + 1, sizeof *p->cols);
        if (p->cols == NULL)
            rc = SDB_ERROR;
        for (int i = 0; rc == SDB_OK && i < plan->ncols; i++) {
            p->cols[i] = plan->cols[i];
            if ((p->cols[i].name = sdb_arena_strdup(p->arena, plan->cols[i].name)) == NULL)
                rc = SDB_ERROR;
        }
    }
    sdb_arena_destroy(scratch);
    return rc;
}

/* The highest $n a statement refers to. */
static int max_param(SdbNode *node, void *ctx)
{
    int *max = ctx;
    if (SDB_IS_A(node, PARAM_REF) && ((SdbParamRef *)node)->number > *max)
        *max = ((SdbParamRef *)node)->number;
    return sdb_node_walk(node, max_param, ctx);
}

/* Keep the statement `sql` under `name` ("" is the unnamed statement, which
 * a new one replaces): parsed into the prepared statement's own arena (for
 * SQL PREPARE, `sql` is the PREPARE statement and its query is kept), with
 * its parameter types and result columns. */
static int keep_prepared(SdbSession *s, const char *name, const char *sql, int nparams, const SdbOid *types,
                         SdbPrepared **out, bool sql_prepare)
{
    if (name[0] != '\0' && sdb_session_find_prepared(s, name))
        return sdb_error(SDB_ERR_DUPLICATE_PREPARED_STATEMENT, "prepared statement \"%s\" already exists", name);
    SdbArena *arena = sdb_arena_create(s->arena, "prepared statement", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbPrepared *p = sdb_arena_calloc(arena, 1, sizeof *p);
    SdbParseResult parsed;
    if (p == NULL || (p->name = sdb_arena_strdup(arena, name)) == NULL ||
        (p->sql = sdb_arena_strdup(arena, sql)) == NULL ||
        sdb_parse(arena, p->sql, strlen(p->sql), &parsed) != SDB_OK)
        goto fail;
    if (parsed.count > 1) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
        goto fail;
    }
    p->arena = arena;
    p->stmt = parsed.count ? ((SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt : NULL;
    if (sql_prepare && p->stmt)
        p->stmt = ((SdbPrepareStmt *)p->stmt)->query;
    /* parameters used beyond the declared ones get their types inferred */
    int used = 0;
    if (p->stmt)
        max_param(p->stmt, &used);
    p->nparams = used > nparams ? used : nparams;
    p->param_types = sdb_arena_calloc(arena, (size_t)p->nparams + 1, sizeof *p->param_types);
    if (p->param_types == NULL)
        goto fail;
    if (nparams)
        memcpy(p->param_types, types, (size_t)nparams * sizeof *types);
    if (p->stmt && describe_prepared(s, p) != SDB_OK)
        goto fail;
    if (name[0] == '\0')
        sdb_session_close_prepared(s, "");
    p->next = s->prepared;
    s->prepared = p;
    *out = p;
    return SDB_OK;
fail:
    sdb_arena_destroy(arena);
    return SDB_ERROR;
}

int sdb_session_add_prepared(SdbSession *s, const char *name, const char *sql, const SdbNode *stmt, int nparams,
                             const SdbOid *types, SdbPrepared **out)
{
    return keep_prepared(s, name, sql, nparams, types, out, SDB_IS_A(stmt, PREPARE_STMT));
}

/* The type a TypeName names (bound as a cast of NULL to it). */
static int type_oid(SdbStatement *st, SdbTypeName *tn, SdbOid *out)
{
    SdbAConst *null = sdb_new_a_const(st->expr.arena);
    SdbTypeCast *cast = sdb_new_type_cast(st->expr.arena);
    if (null == NULL || cast == NULL)
        return SDB_ERROR;
    null->kind = SDB_CONST_KIND_NULL;
    null->location = -1;
    cast->arg = (SdbNode *)null;
    cast->type_name = tn;
    cast->location = -1;
    SdbBindContext bc = {.expr = &st->expr, .sql = st->sql};
    SdbExpr *e;
    if (sdb_bind_expr(&bc, (SdbNode *)cast, &e) != SDB_OK)
        return SDB_ERROR;
    *out = e->type;
    return SDB_OK;
}

int sdb_prepare_statement(SdbStatement *st, const SdbPrepareStmt *ps)
{
    int n = sdb_list_length(ps->argtypes);
    SdbOid *types = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *types);
    if (types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (type_oid(st, (SdbTypeName *)sdb_list_nth(ps->argtypes, i), &types[i]) != SDB_OK)
            return SDB_ERROR;
    SdbPrepared *p;
    if (keep_prepared(st->s, ps->name, st->text, n, types, &p, true) != SDB_OK)
        return SDB_ERROR;
    return complete(st, "PREPARE");
}

int sdb_execute_statement(SdbStatement *st, const SdbExecuteStmt *es)
{
    SdbPrepared *p = sdb_session_find_prepared(st->s, es->name);
    if (p == NULL)
        return sdb_error(SDB_ERR_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", es->name);
    int n = sdb_list_length(es->params);
    if (n != p->nparams) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "wrong number of parameters for prepared statement \"%s\"", es->name);
        sdb_error_detail("Expected %d parameters but got %d.", p->nparams, n);
        return SDB_ERROR;
    }
    SdbDatum *values = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *values);
    bool *nulls = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *nulls);
    SdbOid *types = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *types);
    if (values == NULL || nulls == NULL || types == NULL)
        return SDB_ERROR;
    SdbBindContext bc = {.expr = &st->expr, .sql = st->sql};
    for (int i = 0; i < n; i++) {
        SdbExpr *e;
        if (sdb_bind_expr(&bc, sdb_list_nth(es->params, i), &e) != SDB_OK ||
            sdb_expr_eval(e, &st->expr, &values[i], &nulls[i]) != SDB_OK)
            return SDB_ERROR;
        types[i] = p->param_types[i] ? p->param_types[i] : e->type;
        if (!nulls[i] && sdb_session_convert(&st->expr, e->type, types[i], &values[i]) != SDB_OK)
            return SDB_ERROR;
    }
    SdbStatement run = *st;
    run.sql = p->sql;
    run.text = p->sql;
    run.nparams = n;
    run.param_types = types;
    run.params = values;
    run.param_nulls = nulls;
    if (p->stmt == NULL)
        return SDB_OK;
    if (sdb_statement_is_plannable(p->stmt))
        return sdb_session_run_plan(&run, p->stmt, 0, NULL, NULL);
    return sdb_session_run(&run, p->stmt);
}

int sdb_deallocate_statement(SdbStatement *st, const SdbDeallocateStmt *ds)
{
    SdbSession *s = st->s;
    if (ds->name == NULL) {
        while (s->prepared)
            sdb_session_close_prepared(s, s->prepared->name);
        return complete(st, "DEALLOCATE ALL");
    }
    if (sdb_session_find_prepared(s, ds->name) == NULL)
        return sdb_error(SDB_ERR_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", ds->name);
    sdb_session_close_prepared(s, ds->name);
    return complete(st, "DEALLOCATE");
}

/* --- TRUNCATE, VACUUM, ANALYZE, LOCK --------------------------------------- */

/* The table a utility statement names: 42P01 when missing, 42809 when not
 * a table, 42501 for a system catalog. */
int sdb_utility_relation(SdbStatement *st, const SdbRangeVar *rv, const SdbRelation **out)
{
    SdbSession *s = st->s;
    if (sdb_catalog_lookup(s->catalog, &s->txn, rv->schemaname, rv->relname, s->search_path, s->npath, out) !=
        SDB_OK)
        return SDB_ERROR;
    if (*out == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_TABLE, SDB_ERRMSG_UNDEFINED_TABLE, rv->relname);
        sdb_error_position(rv->location + 1);
        return SDB_ERROR;
    }
    if ((*out)->kind != 'r')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "\"%s\" is not a table", rv->relname);
    if ((*out)->system)
        return sdb_error(SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied: \"%s\" is a system catalog",
                         rv->relname);
    return SDB_OK;
}

/* A table lock of LOCK TABLE or TRUNCATE, held to transaction end. */
static int lock_relation(SdbStatement *st, const SdbRelation *rel, int mode, bool nowait)
{
    return sdb_table_lock_relation(&st->s->access, rel, mode, nowait, false);
}

int sdb_truncate_statement(SdbStatement *st, const SdbTruncateStmt *ts)
{
    SdbSession *s = st->s;
    int n = sdb_list_length(ts->relations);
    const SdbRelation **rels = sdb_arena_calloc(st->expr.arena, (size_t)n + 1, sizeof *rels);
    if (rels == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (sdb_utility_relation(st, (const SdbRangeVar *)sdb_list_nth(ts->relations, i), &rels[i]) != SDB_OK ||
            lock_relation(st, rels[i], SDB_LOCK_ACCESS_EXCLUSIVE, false) != SDB_OK)
            return SDB_ERROR;
    SdbAccessContext ac = s->access;
    ac.arena = st->expr.arena;
    ac.timezone = s->timezone;
    for (int i = 0; i < n; i++)
        if (sdb_table_truncate(&ac, rels[i]) != SDB_OK)
            return SDB_ERROR;
    return complete(st, "TRUNCATE TABLE");
}

/* Whether VACUUM option `name` (analyze, full, verbose) is given and not false. */
static bool vacuum_option(const SdbVacuumStmt *vs, const char *name)
{
    for (int i = 0; i < sdb_list_length(vs->options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(vs->options, i);
        if (strcmp(opt->defname, name) == 0)
            return option_bool(opt);
    }
    return false;
}

/* ANALYZE, and VACUUM (vacuum_stmt.c), then its ANALYZE part. */
int sdb_vacuum_statement(SdbStatement *st, const SdbVacuumStmt *vs)
{
    if (vs->is_vacuumcmd && sdb_session_prevent_block(st->s, "VACUUM") != SDB_OK)
        return SDB_ERROR;
    if (vs->is_vacuumcmd &&
        sdb_vacuum_tables(st, vs, vacuum_option(vs, "full"), vacuum_option(vs, "verbose")) != SDB_OK)
        return SDB_ERROR;
    if ((!vs->is_vacuumcmd || vacuum_option(vs, "analyze")) && sdb_analyze_statement(st, vs) != SDB_OK)
        return SDB_ERROR;
    return complete(st, vs->is_vacuumcmd ? "VACUUM" : "ANALYZE");
}

int sdb_lock_statement(SdbStatement *st, const SdbLockStmt *ls)
{
    if (st->s->xact != SDB_XACT_BLOCK)
        return sdb_error(SDB_ERR_NO_ACTIVE_SQL_TRANSACTION, "LOCK TABLE can only be used in transaction blocks");
    for (int i = 0; i < sdb_list_length(ls->relations); i++) {
        const SdbRelation *rel;
        if (sdb_utility_relation(st, (const SdbRangeVar *)sdb_list_nth(ls->relations, i), &rel) != SDB_OK ||
            lock_relation(st, rel, (int)ls->mode + SDB_LOCK_ACCESS_SHARE, ls->nowait) != SDB_OK)
            return SDB_ERROR;
    }
    return complete(st, "LOCK TABLE");
}
