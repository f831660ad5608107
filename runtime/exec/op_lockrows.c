/*
 * exec/op_lockrows.c: LockRows (SELECT ... FOR UPDATE / NO KEY UPDATE /
 * SHARE / KEY SHARE).  Rows go out one at a time, each after the row of
 * every locked table is locked (access/rowlock.c), so a LIMIT above locks
 * only the rows it returns (the SKIP LOCKED queue pattern).  A row skipped
 * (SKIP LOCKED, or deleted by a transaction that committed meanwhile) is
 * dropped; NOWAIT's 55P03 and REPEATABLE READ's 40001 come from access.
 * A row updated by a transaction that committed after the snapshot (READ
 * COMMITTED) is 40001, with the statement restartable on a new snapshot
 * while no row has gone out (instead of PostgreSQL's EvalPlanQual).
 */
#include "access/table.h"
#include "exec/exec_int.h"

typedef struct LockRowsNode {
    ExecNode node;
    ExecNode *child;
    SdbAccessContext ac;
    const SdbRelation **rels;
    int *ctid_pos;
    SdbBatch *in; /* the child's batch being worked through */
    int pos;      /* next live row of `in` */
    uint16_t one; /* the selection of the row going out */
    bool emitted;
} LockRowsNode;

/* Lock row r's version of every locked table; *all false when one is
 * skipped. */
static int lock_row(LockRowsNode *ln, const SdbPlanLockRows *p, int r, bool *all)
{
    *all = true;
    for (int k = 0; k < p->nrels && *all; k++) {
        const SdbVector *v = &ln->in->cols[ln->ctid_pos[k]];
        if (sdb_vector_is_null(v, r))
            continue; /* the NULL side of an outer join: nothing to lock */
        SdbTid newer;
        if (sdb_table_lock_row(&ln->ac, ln->rels[k], exec_tid_from_datum(v->values[r]), p->modes[k],
                               (SdbLockWaitPolicy)p->policies[k], all, &newer) != SDB_OK)
            return SDB_ERROR;
        if (newer.block != SDB_INVALID_BLOCK) {
            ln->node.es->restartable = !ln->emitted && ln->node.es->rows_affected == 0;
            return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "could not serialize access due to concurrent update");
        }
    }
    return SDB_OK;
}

static int lock_rows_next(ExecNode *node, SdbBatch **out)
{
    LockRowsNode *ln = (LockRowsNode *)node;
    const SdbPlanLockRows *p = (const SdbPlanLockRows *)node->plan;
    for (;;) {
        if (ln->in == NULL || ln->pos >= sdb_batch_live(ln->in)) {
            if (exec_next(ln->child, &ln->in) != SDB_OK)
                return SDB_ERROR;
            ln->pos = 0;
            if (ln->in == NULL) {
                *out = NULL;
                return SDB_OK;
            }
            continue;
        }
        int r = sdb_batch_row(ln->in, ln->pos++);
        bool all;
        if (lock_row(ln, p, r, &all) != SDB_OK)
            return SDB_ERROR;
        if (!all)
            continue;
        ln->one = (uint16_t)r;
        node->out.cols = ln->in->cols;
        node->out.ncols = ln->in->ncols;
        node->out.nrows = ln->in->nrows;
        node->out.sel = &ln->one;
        node->out.nsel = 1;
        ln->emitted = true;
        *out = &node->out;
        return SDB_OK;
    }
}

ExecNode *exec_build_lock_rows(SdbExecState *es, const SdbPlanLockRows *p)
{
    LockRowsNode *ln = exec_node_alloc(es, &p->plan, sizeof(LockRowsNode));
    if (ln == NULL || (ln->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&ln->node, &ln->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    SdbExecContext *ctx = es->ctx;
    exec_access_init(ctx, &ln->ac, ln->node.arena);
    ln->rels = sdb_arena_calloc(ln->node.arena, (size_t)p->nrels + 1, sizeof(SdbRelation *));
    ln->ctid_pos = sdb_arena_calloc(ln->node.arena, (size_t)p->nrels + 1, sizeof(int));
    if (ln->rels == NULL || ln->ctid_pos == NULL)
        return NULL;
    for (int k = 0; k < p->nrels; k++) {
        const SdbBoundVar *v = (const SdbBoundVar *)p->ctids[k];
        if (sdb_catalog_relation(ctx->catalog, ctx->txn, (SdbOid)p->rel_oids[k], &ln->rels[k]) != SDB_OK)
            return NULL;
        ln->ctid_pos[k] = exec_resolve(&ln->node.env.res, v->table, -1);
        if (ln->rels[k] == NULL || ln->ctid_pos[k] < 0) {
            sdb_error(SDB_ERR_INTERNAL_ERROR, "the rows to lock carry no ctid");
            return NULL;
        }
    }
    ln->node.next = lock_rows_next;
    return &ln->node;
}
