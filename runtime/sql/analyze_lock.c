/*
 * sql/analyze_lock.c: SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY
 * SHARE [OF tables] [NOWAIT | SKIP LOCKED]: which FROM tables are locked
 * (their scans carry the ctid), PostgreSQL's 0A000 checks of what may not
 * be combined with row locking, and the LockRows operator.
 */
#include <string.h>

#include "common/error.h"
#include "sql/analyze_int.h"
#include "txn/lmgr.h"

static const char *strength_name(SdbLockStrength s)
{
    switch (s) {
    case SDB_LOCK_STRENGTH_UPDATE: return "FOR UPDATE";
    case SDB_LOCK_STRENGTH_NO_KEY_UPDATE: return "FOR NO KEY UPDATE";
    case SDB_LOCK_STRENGTH_SHARE: return "FOR SHARE";
    default: return "FOR KEY SHARE";
    }
}

static int strength_mode(SdbLockStrength s)
{
    switch (s) {
    case SDB_LOCK_STRENGTH_UPDATE: return SDB_ROWLOCK_UPDATE;
    case SDB_LOCK_STRENGTH_NO_KEY_UPDATE: return SDB_ROWLOCK_NO_KEY_UPDATE;
    case SDB_LOCK_STRENGTH_SHARE: return SDB_ROWLOCK_SHARE;
    default: return SDB_ROWLOCK_KEY_SHARE;
    }
}

static int wait_policy(SdbWaitPolicy p)
{
    return p == SDB_WAIT_POLICY_SKIP ? SDB_LOCK_SKIP : p == SDB_WAIT_POLICY_ERROR ? SDB_LOCK_NOWAIT : SDB_LOCK_WAIT;
}

bool an_lock_wanted(const AnQuery *q, const char *name, int *mode, int *policy)
{
    bool wanted = false;
    *mode = 0;
    *policy = SDB_LOCK_WAIT;
    for (int i = 0; i < sdb_list_length(q->locking); i++) {
        const SdbLockingClause *lc = (const SdbLockingClause *)sdb_list_nth(q->locking, i);
        bool named = sdb_list_length(lc->locked_rels) == 0;
        for (int k = 0; !named && k < sdb_list_length(lc->locked_rels); k++)
            named = strcmp(((const SdbRangeVar *)sdb_list_nth(lc->locked_rels, k))->relname, name) == 0;
        if (!named)
            continue;
        /* several clauses on one table: the strongest mode, the most
         * restrictive wait policy (NOWAIT over SKIP LOCKED over waiting) */
        int m = strength_mode(lc->strength), p = wait_policy(lc->wait_policy);
        *mode = m > *mode ? m : *mode;
        if (p == SDB_LOCK_NOWAIT || (p == SDB_LOCK_SKIP && *policy == SDB_LOCK_WAIT))
            *policy = p;
        wanted = true;
    }
    return wanted;
}

int an_lock_add(AnQuery *q, int table, SdbOid rel_oid, int mode, int policy)
{
    Analyzer *an = q->an;
    SdbPlanColumn col = {table, -1, SDB_TYPEOID_TID, -1, "ctid"};
    SdbBoundVar *v = an_var(an, &col, 0);
    int n = q->nlocked;
    SdbExpr **ctids = an_alloc(an, sizeof(SdbExpr *) * (size_t)(n + 1));
    int *oids = an_alloc(an, sizeof(int) * (size_t)(n + 1)), *modes = an_alloc(an, sizeof(int) * (size_t)(n + 1)),
        *policies = an_alloc(an, sizeof(int) * (size_t)(n + 1));
    if (v == NULL || ctids == NULL || oids == NULL || modes == NULL || policies == NULL)
        return SDB_ERROR;
    if (n > 0) {
        memcpy(ctids, q->lock_ctids, sizeof(SdbExpr *) * (size_t)n);
        memcpy(oids, q->lock_oids, sizeof(int) * (size_t)n);
        memcpy(modes, q->lock_modes, sizeof(int) * (size_t)n);
        memcpy(policies, q->lock_policies, sizeof(int) * (size_t)n);
    }
    ctids[n] = &v->expr;
    oids[n] = (int)rel_oid;
    modes[n] = mode;
    policies[n] = policy;
    q->lock_ctids = ctids;
    q->lock_oids = oids;
    q->lock_modes = modes;
    q->lock_policies = policies;
    q->nlocked = n + 1;
    return SDB_OK;
}

int an_lock_check(AnQuery *q, const SdbSelectStmt *s, bool grouped)
{
    if (q->locking == NULL)
        return SDB_OK;
    const char *what = strength_name(((const SdbLockingClause *)sdb_list_nth(q->locking, 0))->strength);
    const char *with = s->distinct ? "DISTINCT clause"
                       : s->group_clause != NULL ? "GROUP BY clause"
                       : s->having_clause != NULL ? "HAVING clause"
                       : q->naggs > 0 || grouped ? "aggregate functions"
                       : q->nwins > 0 ? "window functions"
                       : NULL;
    if (with != NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not allowed with %s", what, with);
    return SDB_OK;
}

int an_lock_check_setop(const SdbSelectStmt *s)
{
    if (s->locking_clause == NULL)
        return SDB_OK;
    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not allowed with UNION/INTERSECT/EXCEPT",
                     strength_name(((const SdbLockingClause *)sdb_list_nth(s->locking_clause, 0))->strength));
}

SdbPlan *an_lock_rows(AnQuery *q, SdbPlan *child)
{
    SdbPlanLockRows *l = sdb_new_plan_lock_rows(q->an->arena);
    if (l == NULL)
        return NULL;
    l->child = child;
    l->ctids = q->lock_ctids;
    l->nrels = q->nlocked;
    l->rel_oids = q->lock_oids;
    l->modes = q->lock_modes;
    l->policies = q->lock_policies;
    l->plan.cols = child->cols;
    l->plan.ncols = child->ncols;
    return &l->plan;
}
