/*
 * session/transaction.c: a session's transactions: start (the SdbTxn with
 * its start time and isolation), commit (synchronous_commit decides whether
 * to wait for the WAL flush), abort, and the transaction control statements
 * BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT / SET
 * TRANSACTION with PostgreSQL's tags and warnings.  The xid is given out by
 * the access layer at the first write (sdb_txn_assign_xid); a transaction
 * that never wrote commits without a WAL record.  SAVEPOINT / RELEASE /
 * ROLLBACK TO: each savepoint is one subtransaction level of the SdbTxn;
 * an error inside one rolls back the innermost level at once and leaves
 * the block failed until ROLLBACK TO (or ROLLBACK).
 */
#include <string.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "session/session_int.h"
#include "txn/lmgr.h"
#include "txn/xact.h"

/* Portals outlive transactions (their owner closes them), but a running
 * one stops: executing it again gives no more rows. */
static void stop_portals(SdbSession *s)
{
    for (SdbPortal *p = s->portals; p; p = p->next) {
        if (p->state)
            sdb_exec_end(p->state);
        p->state = NULL;
        p->pending = NULL;
        p->done = true;
    }
}

int sdb_session_xact_start(SdbSession *s, SdbXactState state)
{
    memset(&s->txn, 0, sizeof s->txn);
    s->txn.xm = s->db->xm;
    s->txn.xid = SDB_INVALID_XID;
    s->txn.start = sdb_clock_now();
    s->txn.read_only = s->settings.default_transaction_read_only;
    s->isolation = s->settings.default_transaction_isolation;
    s->statements = 0;
    s->xact = state;
    return SDB_OK;
}

/* Log a failure of a cleanup step without losing the error being reported. */
static void log_quietly(int rc)
{
    if (rc == SDB_OK)
        return;
    SdbErrorData saved = *sdb_error_last();
    sdb_log_error("session");
    *(SdbErrorData *)sdb_error_last() = saved;
}

/* Forget the transaction's storage side: abort the xids (if any were given
 * out) and the catalog changes. */
static void abort_storage(SdbSession *s)
{
    SdbErrorData saved = *sdb_error_last();
    log_quietly(sdb_txn_abort(&s->txn));
    *(SdbErrorData *)sdb_error_last() = saved;
    sdb_catalog_end_txn(s->catalog, &s->txn, false);
    s->txn.xid = SDB_INVALID_XID;
}

static void finish(SdbSession *s)
{
    stop_portals(s);
    sdb_arena_reset(s->txn_arena);
    sdb_txn_release(&s->txn);
    memset(&s->txn, 0, sizeof s->txn);
    s->xact = SDB_XACT_NONE;
    s->savepoints = NULL;
    s->savepoints_lost = false;
}

/* A failed block keeps its transaction (storage, settings) only while it
 * has savepoints to roll back to; otherwise that was aborted at the error. */
void sdb_session_xact_abort(SdbSession *s)
{
    if (s->xact != SDB_XACT_FAILED || s->savepoints != NULL)
        abort_storage(s);
    sdb_settings_end_txn(s, false);
    finish(s);
}

/* ---- subtransactions --------------------------------------------------- */

/* Open a subtransaction for savepoint `sp` and make it the innermost. */
static int subxact_begin(SdbSession *s, SdbSavepoint *sp)
{
    if (sdb_txn_subxact_begin(&s->txn) != SDB_OK)
        return SDB_ERROR;
    sp->catalog_changes = s->txn.catalog_changes;
    sp->outer = s->savepoints;
    s->savepoints = sp;
    return SDB_OK;
}

/* End the innermost subtransaction, keeping (release) or undoing its
 * changes; returns it. */
static SdbSavepoint *subxact_end(SdbSession *s, bool release)
{
    SdbSavepoint *sp = s->savepoints;
    sdb_settings_end_subxact(s, release);
    if (release)
        sdb_txn_subxact_release(&s->txn);
    else
        log_quietly(sdb_txn_subxact_rollback(&s->txn));
    s->savepoints = sp->outer;
    return sp;
}

/* The innermost savepoint called `name`, or NULL. */
static SdbSavepoint *find_savepoint(SdbSession *s, const char *name)
{
    for (SdbSavepoint *sp = s->savepoints; sp; sp = sp->outer)
        if (strcmp(sp->name, name) == 0)
            return sp;
    return NULL;
}

/* An error in a block: with a savepoint whose subtransaction made no
 * catalog change (those cannot be rolled back alone yet), only that
 * subtransaction is rolled back (a fresh one takes its place, ready for
 * ROLLBACK TO); otherwise the whole transaction is. */
void sdb_session_fail(SdbSession *s)
{
    if (s->xact == SDB_XACT_NONE || s->xact == SDB_XACT_FAILED)
        return;
    SdbErrorData saved = *sdb_error_last();
    SdbSavepoint *sp = s->savepoints;
    if (s->xact == SDB_XACT_BLOCK && sp != NULL && sp->catalog_changes == s->txn.catalog_changes) {
        subxact_end(s, false);
        if (subxact_begin(s, sp) != SDB_OK)
            sdb_session_xact_abort(s);
        s->xact = SDB_XACT_FAILED;
    } else {
        bool block = s->xact == SDB_XACT_BLOCK;
        bool lost = sp != NULL;
        sdb_session_xact_abort(s);
        if (block) {
            s->xact = SDB_XACT_FAILED;
            s->savepoints_lost = lost;
        }
    }
    *(SdbErrorData *)sdb_error_last() = saved;
}

int sdb_session_xact_commit(SdbSession *s)
{
    while (s->savepoints != NULL)
        subxact_end(s, true);
    bool sync = s->settings.synchronous_commit == SDB_SYNCHRONOUS_COMMIT_ON;
    int rc = sdb_txn_commit(&s->txn, sync);
    sdb_catalog_end_txn(s->catalog, &s->txn, rc == SDB_OK);
    sdb_settings_end_txn(s, rc == SDB_OK);
    finish(s);
    return rc;
}

/* CREATE DATABASE and the like refuse to run in a block (25001). */
int sdb_session_prevent_block(SdbSession *s, const char *what)
{
    if (s->xact == SDB_XACT_BLOCK || (s->xact == SDB_XACT_IMPLICIT && s->statements > 1))
        return sdb_error(SDB_ERR_ACTIVE_SQL_TRANSACTION, "%s cannot run inside a transaction block", what);
    return SDB_OK;
}

/* The isolation level names of BEGIN ISOLATION LEVEL ..., as the enum. */
static int isolation_level(const char *name, int *out)
{
    static const struct {
        const char *name;
        int level;
    } levels[] = {
        {"serializable", SDB_DEFAULT_TRANSACTION_ISOLATION_SERIALIZABLE},
        {"repeatable read", SDB_DEFAULT_TRANSACTION_ISOLATION_REPEATABLE_READ},
        {"read committed", SDB_DEFAULT_TRANSACTION_ISOLATION_READ_COMMITTED},
        {"read uncommitted", SDB_DEFAULT_TRANSACTION_ISOLATION_READ_UNCOMMITTED},
    };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(levels[i].name, name) == 0) {
            *out = levels[i].level;
            return SDB_OK;
        }
    return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE,
                     "invalid value for parameter \"transaction_isolation\": \"%s\"", name);
}

/* Apply BEGIN's / SET TRANSACTION's options to the running transaction. */
static int apply_options(SdbSession *s, const SdbList *options)
{
    for (int i = 0; i < sdb_list_length(options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(options, i);
        const SdbAConst *arg = (const SdbAConst *)opt->arg;
        if (strcmp(opt->defname, "transaction_isolation") == 0) {
            if (isolation_level(arg->val, &s->isolation) != SDB_OK)
                return SDB_ERROR;
        } else if (strcmp(opt->defname, "transaction_read_only") == 0) {
            s->txn.read_only = strcmp(arg->val, "true") == 0;
        }
    }
    return SDB_OK;
}

static int complete(const SdbStatement *st, const char *tag)
{
    return st->sink && st->sink->complete ? st->sink->complete(st->sink->arg, tag) : SDB_OK;
}

static int xact_begin(SdbStatement *st, const SdbTransactionStmt *ts)
{
    SdbSession *s = st->s;
    const char *tag = ts->kind == SDB_TRANSACTION_KIND_BEGIN ? "BEGIN" : "START TRANSACTION";
    if (s->xact == SDB_XACT_FAILED)
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    if (s->xact == SDB_XACT_BLOCK) {
        sdb_session_notice(st->sink, "25001", "there is already a transaction in progress");
        return complete(st, tag);
    }
    if (s->xact == SDB_XACT_NONE)
        sdb_session_xact_start(s, SDB_XACT_BLOCK);
    s->xact = SDB_XACT_BLOCK;
    if (apply_options(s, ts->options) != SDB_OK)
        return SDB_ERROR;
    return complete(st, tag);
}

static int xact_commit(SdbStatement *st)
{
    SdbSession *s = st->s;
    switch (s->xact) {
    case SDB_XACT_NONE:
    case SDB_XACT_IMPLICIT:
        sdb_session_notice(st->sink, "25P01", "there is no transaction in progress");
        if (s->xact == SDB_XACT_IMPLICIT && sdb_session_xact_commit(s) != SDB_OK)
            return SDB_ERROR;
        return complete(st, "COMMIT");
    case SDB_XACT_FAILED:
        sdb_session_xact_abort(s);
        return complete(st, "ROLLBACK");
    case SDB_XACT_BLOCK:
        if (sdb_session_xact_commit(s) != SDB_OK)
            return SDB_ERROR;
        return complete(st, "COMMIT");
    }
    return SDB_OK;
}

static int xact_rollback(SdbStatement *st)
{
    SdbSession *s = st->s;
    if (s->xact == SDB_XACT_NONE || s->xact == SDB_XACT_IMPLICIT)
        sdb_session_notice(st->sink, "25P01", "there is no transaction in progress");
    if (s->xact != SDB_XACT_NONE)
        sdb_session_xact_abort(s);
    return complete(st, "ROLLBACK");
}

static int xact_set(SdbStatement *st, const SdbTransactionStmt *ts)
{
    SdbSession *s = st->s;
    if (ts->session) {
        for (int i = 0; i < sdb_list_length(ts->options); i++) {
            const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(ts->options, i);
            const SdbAConst *arg = (const SdbAConst *)opt->arg;
            const char *name = strcmp(opt->defname, "transaction_isolation") == 0
                                   ? "default_transaction_isolation"
                                   : strcmp(opt->defname, "transaction_read_only") == 0
                                         ? "default_transaction_read_only"
                                         : NULL;
            if (name && sdb_session_set(s, st->sink, name, arg->val, false) != SDB_OK)
                return SDB_ERROR;
        }
        return complete(st, "SET");
    }
    if (s->xact == SDB_XACT_NONE || s->xact == SDB_XACT_IMPLICIT) {
        sdb_session_notice(st->sink, "25P01", "SET TRANSACTION can only be used in transaction blocks");
        return complete(st, "SET");
    }
    if (s->statements > 0)
        return sdb_error(SDB_ERR_ACTIVE_SQL_TRANSACTION,
                         "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    if (apply_options(s, ts->options) != SDB_OK)
        return SDB_ERROR;
    return complete(st, "SET");
}

/* SAVEPOINT, RELEASE and ROLLBACK TO need a block (25P01, an error). */
static int require_block(SdbSession *s, const char *what)
{
    if (s->xact == SDB_XACT_NONE || s->xact == SDB_XACT_IMPLICIT)
        return sdb_error(SDB_ERR_NO_ACTIVE_SQL_TRANSACTION, "%s can only be used in transaction blocks", what);
    return SDB_OK;
}

static SdbSavepoint *existing_savepoint(SdbSession *s, const char *name)
{
    SdbSavepoint *sp = find_savepoint(s, name);
    if (sp == NULL)
        sdb_error(SDB_ERR_INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"%s\" does not exist", name);
    return sp;
}

static int savepoint_define(SdbStatement *st, const char *name)
{
    SdbSession *s = st->s;
    if (require_block(s, "SAVEPOINT") != SDB_OK)
        return SDB_ERROR;
    if (s->xact == SDB_XACT_FAILED)
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    SdbSavepoint *sp = sdb_arena_calloc(s->txn_arena, 1, sizeof *sp);
    if (sp == NULL || (sp->name = sdb_arena_strdup(s->txn_arena, name)) == NULL || subxact_begin(s, sp) != SDB_OK)
        return SDB_ERROR;
    return complete(st, "SAVEPOINT");
}

/* RELEASE: the savepoint and every later one; their changes stay. */
static int savepoint_release(SdbStatement *st, const char *name)
{
    SdbSession *s = st->s;
    if (require_block(s, "RELEASE SAVEPOINT") != SDB_OK)
        return SDB_ERROR;
    if (s->xact == SDB_XACT_FAILED)
        return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
    SdbSavepoint *target = existing_savepoint(s, name);
    if (target == NULL)
        return SDB_ERROR;
    while (subxact_end(s, true) != target)
        ;
    return complete(st, "RELEASE");
}

/* ROLLBACK TO: undo everything since the savepoint, which stays (a new
 * subtransaction starts); recovers a failed block. */
static int savepoint_rollback(SdbStatement *st, const char *name)
{
    SdbSession *s = st->s;
    if (require_block(s, "ROLLBACK TO SAVEPOINT") != SDB_OK)
        return SDB_ERROR;
    if (s->savepoints_lost)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                         "cannot roll back to a savepoint after a failed catalog change inside it");
    SdbSavepoint *target = existing_savepoint(s, name);
    if (target == NULL)
        return SDB_ERROR;
    if (target->catalog_changes != s->txn.catalog_changes)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                         "cannot roll back to savepoint \"%s\" after catalog changes made since it", name);
    while (subxact_end(s, false) != target)
        ;
    if (subxact_begin(s, target) != SDB_OK)
        return SDB_ERROR;
    s->xact = SDB_XACT_BLOCK;
    return complete(st, "ROLLBACK");
}

int sdb_xact_statement(SdbStatement *st, const SdbTransactionStmt *ts)
{
    SdbSession *s = st->s;
    switch (ts->kind) {
    case SDB_TRANSACTION_KIND_BEGIN:
    case SDB_TRANSACTION_KIND_START:
        return xact_begin(st, ts);
    case SDB_TRANSACTION_KIND_COMMIT:
        return xact_commit(st);
    case SDB_TRANSACTION_KIND_ROLLBACK:
        return xact_rollback(st);
    case SDB_TRANSACTION_KIND_SET:
        if (s->xact == SDB_XACT_FAILED)
            return sdb_error(SDB_ERR_IN_FAILED_SQL_TRANSACTION, SDB_ERRMSG_IN_FAILED_SQL_TRANSACTION);
        return xact_set(st, ts);
    case SDB_TRANSACTION_KIND_SAVEPOINT:
        return sdb_session_end_statement(s, savepoint_define(st, ts->savepoint_name));
    case SDB_TRANSACTION_KIND_RELEASE:
        return sdb_session_end_statement(s, savepoint_release(st, ts->savepoint_name));
    case SDB_TRANSACTION_KIND_ROLLBACK_TO:
        return sdb_session_end_statement(s, savepoint_rollback(st, ts->savepoint_name));
    }
    return SDB_OK;
}
