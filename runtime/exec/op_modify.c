/*
 * exec/op_modify.c: Insert (with ON CONFLICT DO NOTHING / DO UPDATE), Update
 * and Delete through access/table.h.  Each gathers a batch of new rows in
 * table layout (one column per attribute, binding `table`), checks the
 * CHECK constraints on the whole batch (23514 with PostgreSQL's "Failing
 * row contains (...)" detail), writes them, then evaluates RETURNING over
 * the same batch.  Writes carry the statement's command id, which its own
 * scans do not see (no Halloween problem); the session advances the command
 * id for the next statement.
 */
#include "exec/exec_int.h"

#include "access/table.h"

typedef enum ModifyKind { MOD_INSERT, MOD_UPDATE, MOD_DELETE } ModifyKind;

typedef struct ModifyNode {
    ExecNode node;
    ModifyKind kind;
    ExecNode *child;
    const SdbRelation *rel;
    SdbAccessContext ac;
    int natts;
    SdbPlanColumn *tcols;   /* the table layout: (table, i) */
    ExecEnv tenv;           /* over the table layout: checks, RETURNING */
    SdbBatch rows;          /* new (or deleted) rows in table layout */
    ExecExpr **checks;
    int nchecks;
    const char *const *check_names;
    ExecExpr **returning;
    int nreturning;
    ExecExpr **sets;        /* UPDATE (over the child) / ON CONFLICT (over existing + excluded) */
    int ctid_pos;           /* UPDATE/DELETE: the child's ctid column */
    int *child_pos;         /* UPDATE: child position of each attribute, or -1 */
    /* ON CONFLICT DO UPDATE */
    ExecEnv cenv;           /* existing row (table) then proposed row (excluded_table) */
    SdbBatch pair;
    ExecExpr *conflict_where;
    const SdbIndex *arbiter;
    SdbHash *touched;       /* ON CONFLICT DO UPDATE: tids this command wrote */
    bool finished;
} ModifyNode;

SdbTid exec_tid_from_datum(SdbDatum d)
{
    const SdbVarlena *v = sdb_datum_varlena(d);
    const unsigned char *p = v->data;
    SdbTid tid = {.block = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3],
                  .slot = (uint16_t)(p[4] << 8 | p[5])};
    return tid;
}

/* 23514 for the first failing check of row r of m->rows. */
static int check_failed(ModifyNode *m, int check, int r)
{
    SdbStr detail;
    sdb_str_init(&detail, m->node.batch_arena);
    sdb_str_append_cstr(&detail, "Failing row contains (");
    for (int c = 0; c < m->natts; c++) {
        SdbVector *v = &m->rows.cols[c];
        if (m->rel->attrs[c].dropped)
            continue;
        if (c > 0)
            sdb_str_append_cstr(&detail, ", ");
        if (sdb_vector_is_null(v, r))
            sdb_str_append_cstr(&detail, "null");
        else if (sdb_expr_output(&m->tenv.ectx, v->type, v->values[r], &detail) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_str_append_cstr(&detail, ").");
    sdb_error(SDB_ERR_CHECK_VIOLATION, "new row for relation \"%s\" violates check constraint \"%s\"", m->rel->name,
              m->check_names ? m->check_names[check] : "?");
    sdb_error_detail("%s", detail.data);
    return SDB_ERROR;
}

/* The CHECK constraints over rows 0..n of m->rows: none may be false. */
static int check_rows(ModifyNode *m, int n)
{
    m->rows.nrows = n;
    m->rows.sel = NULL;
    for (int k = 0; k < m->nchecks; k++) {
        SdbVector *v;
        if (sdb_exec_eval_batch(m->checks[k], &m->rows, NULL, n, &v) != SDB_OK)
            return SDB_ERROR;
        for (int r = 0; r < n; r++)
            if (!sdb_vector_is_null(v, r) && v->values[r] == 0)
                return check_failed(m, k, r);
    }
    return SDB_OK;
}

static void row_get(const SdbBatch *b, int r, int natts, SdbDatum *values, bool *nulls)
{
    for (int c = 0; c < natts; c++) {
        nulls[c] = sdb_vector_is_null(&b->cols[c], r);
        values[c] = nulls[c] ? 0 : b->cols[c].values[r];
    }
}

/* RETURNING over the new rows listed in sel[0..n) of m->rows. */
static int modify_output(ModifyNode *m, const uint16_t *sel, int n, SdbBatch **out)
{
    *out = NULL;
    if (m->nreturning == 0 || n == 0)
        return SDB_OK;
    for (int i = 0; i < m->nreturning; i++) {
        SdbVector *v;
        if (sdb_exec_eval_batch(m->returning[i], &m->rows, sel, n, &v) != SDB_OK)
            return SDB_ERROR;
        m->node.out.cols[i].values = v->values;
        m->node.out.cols[i].nulls = v->nulls;
    }
    m->node.out.nrows = m->rows.nrows;
    m->node.out.sel = sdb_arena_alloc(m->node.batch_arena, sizeof(uint16_t) * (size_t)n);
    if (m->node.out.sel == NULL)
        return SDB_ERROR;
    memcpy(m->node.out.sel, sel, sizeof(uint16_t) * (size_t)n); /* the rows changed, not all of them */
    m->node.out.nsel = n;
    *out = &m->node.out;
    return SDB_OK;
}

/* A row updated by a transaction that committed since the snapshot (READ
 * COMMITTED): 40001, which the session answers by running the statement
 * again on a new snapshot when nothing was written yet (there is no
 * re-check of the WHERE on the newer version, PostgreSQL's EvalPlanQual). */
static int concurrent_update(ModifyNode *m)
{
    m->node.es->restartable = m->node.es->rows_affected == 0;
    return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "could not serialize access due to concurrent update");
}

/* ON CONFLICT DO UPDATE of the existing row `tid` with the proposed row
 * (position r of m->rows): the updated row replaces it at r; *updated false
 * when conflict_where rejects it. */
static int remember_tid(ModifyNode *m, SdbTid tid)
{
    uint32_t key[2] = {tid.block, tid.slot};
    return sdb_hash_put(m->touched, key, sizeof(key), NULL);
}

static int insert_conflict_update(ModifyNode *m, SdbTid tid, int r, bool *updated)
{
    uint32_t key[2] = {tid.block, tid.slot};
    if (sdb_hash_lookup(m->touched, key, sizeof(key), NULL)) {
        sdb_error(SDB_ERR_CARDINALITY_VIOLATION, "ON CONFLICT DO UPDATE command cannot affect row a second time");
        sdb_error_hint("Ensure that no rows proposed for insertion within the same command have duplicate "
                       "constrained values.");
        return SDB_ERROR;
    }
    SdbDatum values[m->natts + 1];
    bool nulls[m->natts + 1], found;
    if (sdb_table_fetch(&m->ac, m->rel, tid, values, nulls, &found) != SDB_OK)
        return SDB_ERROR;
    *updated = false;
    if (!found)
        return SDB_OK;
    for (int c = 0; c < m->natts; c++) {
        m->pair.cols[c].values[0] = values[c];
        sdb_vector_set_null(&m->pair.cols[c], 0, nulls[c]);
        m->pair.cols[m->natts + c].values[0] = m->rows.cols[c].values[r];
        sdb_vector_set_null(&m->pair.cols[m->natts + c], 0, sdb_vector_is_null(&m->rows.cols[c], r));
    }
    m->pair.nrows = 1;
    if (m->conflict_where != NULL) {
        SdbDatum ok;
        bool isnull;
        if (exec_eval_row(m->conflict_where, &m->pair, 0, &ok, &isnull) != SDB_OK)
            return SDB_ERROR;
        if (isnull || ok == 0)
            return SDB_OK;
    }
    for (int c = 0; c < m->natts; c++) {
        if (m->sets[c] != NULL) {
            bool isnull;
            if (exec_eval_row(m->sets[c], &m->pair, 0, &values[c], &isnull) != SDB_OK)
                return SDB_ERROR;
            nulls[c] = isnull;
        }
        m->rows.cols[c].values[r] = values[c];
        sdb_vector_set_null(&m->rows.cols[c], r, nulls[c]);
    }
    uint16_t one = (uint16_t)r;
    for (int k = 0; k < m->nchecks; k++) {
        SdbVector *v;
        if (sdb_exec_eval_batch(m->checks[k], &m->rows, &one, 1, &v) != SDB_OK)
            return SDB_ERROR;
        if (!sdb_vector_is_null(v, r) && v->values[r] == 0)
            return check_failed(m, k, r);
    }
    SdbTid new_tid, newer;
    if (sdb_table_update_rc(&m->ac, m->rel, tid, values, nulls, &new_tid, &newer) != SDB_OK)
        return SDB_ERROR;
    if (newer.block != SDB_INVALID_BLOCK)
        return concurrent_update(m);
    if (remember_tid(m, new_tid) != SDB_OK)
        return SDB_ERROR;
    *updated = true;
    return SDB_OK;
}

/* Delete the row at `tid`; *deleted false when this command already
 * deleted it (two joined rows of DELETE ... USING) or, under READ
 * COMMITTED, a committed transaction did: counted once, as PostgreSQL. */
static int delete_once(ModifyNode *m, SdbTid tid, bool *deleted)
{
    SdbTid newer;
    if (sdb_table_delete_rc(&m->ac, m->rel, tid, deleted, &newer) != SDB_OK)
        return SDB_ERROR;
    return newer.block != SDB_INVALID_BLOCK ? concurrent_update(m) : SDB_OK;
}

/* Fill m->rows (table layout) from a child batch: the new rows. */
static int gather_rows(ModifyNode *m, SdbBatch *in, SdbTid *tids)
{
    int n = sdb_batch_live(in);
    SdbVector *setv[m->natts + 1];
    if (m->kind == MOD_UPDATE)
        for (int c = 0; c < m->natts; c++)
            if (m->sets[c] != NULL && sdb_exec_eval_batch(m->sets[c], in, in->sel, n, &setv[c]) != SDB_OK)
                return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        int r = sdb_batch_row(in, i);
        if (m->kind != MOD_INSERT) {
            if (sdb_vector_is_null(&in->cols[m->ctid_pos], r))
                return sdb_error(SDB_ERR_INTERNAL_ERROR, "%s row without a ctid",
                                 m->kind == MOD_UPDATE ? "updated" : "deleted");
            tids[i] = exec_tid_from_datum(in->cols[m->ctid_pos].values[r]);
        }
        SdbDatum fetched[m->natts + 1];
        bool fetched_null[m->natts + 1], have_fetched = false;
        for (int c = 0; c < m->natts; c++) {
            SdbDatum v;
            bool isnull;
            if (m->kind == MOD_INSERT) {
                isnull = sdb_vector_is_null(&in->cols[c], r);
                v = in->cols[c].values[r];
            } else if (m->kind == MOD_UPDATE && m->sets[c] != NULL) {
                isnull = sdb_vector_is_null(setv[c], r);
                v = setv[c]->values[r];
            } else if (m->child_pos[c] >= 0) {
                isnull = sdb_vector_is_null(&in->cols[m->child_pos[c]], r);
                v = in->cols[m->child_pos[c]].values[r];
            } else {
                if (!have_fetched) {
                    bool found;
                    if (sdb_table_fetch(&m->ac, m->rel, tids[i], fetched, fetched_null, &found) != SDB_OK)
                        return SDB_ERROR;
                    if (!found)
                        return sdb_error(SDB_ERR_INTERNAL_ERROR, "could not fetch the row being changed");
                    have_fetched = true;
                }
                isnull = fetched_null[c];
                v = fetched[c];
            }
            m->rows.cols[c].values[i] = isnull ? 0 : v;
            sdb_vector_set_null(&m->rows.cols[c], i, isnull);
        }
    }
    return n;
}

static int modify_next(ExecNode *node, SdbBatch **out)
{
    ModifyNode *m = (ModifyNode *)node;
    const SdbPlanInsert *ins = m->kind == MOD_INSERT ? (const SdbPlanInsert *)node->plan : NULL;
    *out = NULL;
    while (!m->finished) {
        SdbBatch *in;
        sdb_arena_reset(node->batch_arena);
        if (exec_next(m->child, &in) != SDB_OK)
            return SDB_ERROR;
        if (in == NULL) {
            m->finished = true;
            break;
        }
        SdbTid tids[SDB_BATCH_SIZE];
        uint16_t keep[SDB_BATCH_SIZE];
        int n = gather_rows(m, in, tids), nkeep = 0;
        if (n < 0)
            return SDB_ERROR;
        if (m->kind != MOD_DELETE && check_rows(m, n) != SDB_OK)
            return SDB_ERROR;
        SdbDatum values[m->natts + 1];
        bool nulls[m->natts + 1];
        for (int r = 0; r < n; r++) {
            row_get(&m->rows, r, m->natts, values, nulls);
            SdbTid tid;
            bool changed = true;
            int rc;
            if (m->kind == MOD_DELETE) {
                rc = delete_once(m, tids[r], &changed);
            } else if (m->kind == MOD_UPDATE) {
                /* a row already updated by this command (two joined rows
                 * of UPDATE ... FROM) is updated once, as PostgreSQL */
                SdbTid newer;
                rc = sdb_table_update_rc(&m->ac, m->rel, tids[r], values, nulls, &tid, &newer);
                if (rc == SDB_OK && newer.block != SDB_INVALID_BLOCK)
                    rc = concurrent_update(m);
                changed = tid.block != SDB_INVALID_BLOCK;
            } else if (ins->on_conflict == SDB_CONFLICT_ACTION_NONE) {
                rc = sdb_table_insert(&m->ac, m->rel, values, nulls, &tid);
            } else {
                bool conflict;
                SdbTid existing;
                rc = sdb_table_insert_checked(&m->ac, m->rel, m->arbiter, values, nulls, &tid, &conflict, &existing);
                if (rc == SDB_OK && !conflict && m->touched)
                    rc = remember_tid(m, tid);
                if (rc == SDB_OK && conflict) {
                    changed = false;
                    if (ins->on_conflict == SDB_CONFLICT_ACTION_UPDATE)
                        rc = insert_conflict_update(m, existing, r, &changed);
                }
            }
            if (rc != SDB_OK)
                return SDB_ERROR;
            if (changed) {
                keep[nkeep++] = (uint16_t)r;
                node->es->rows_affected++;
            }
        }
        m->rows.nrows = n;
        m->rows.sel = NULL;
        if (modify_output(m, keep, nkeep, out) != SDB_OK)
            return SDB_ERROR;
        if (*out)
            return SDB_OK;
    }
    return SDB_OK;
}

static ModifyNode *modify_setup(SdbExecState *es, const SdbPlan *plan, ModifyKind kind, const SdbPlan *child_plan,
                                SdbOid rel_oid, int table)
{
    ModifyNode *m = exec_node_alloc(es, plan, sizeof(ModifyNode));
    if (m == NULL || (m->child = exec_build(es, child_plan)) == NULL)
        return NULL;
    m->kind = kind;
    SdbExecContext *ctx = es->ctx;
    exec_access_init(ctx, &m->ac, m->node.arena);
    if (sdb_catalog_relation(ctx->catalog, ctx->txn, rel_oid, &m->rel) != SDB_OK)
        return NULL;
    if (m->rel == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_TABLE, "could not open relation with OID %u", (unsigned)rel_oid);
        return NULL;
    }
    /* the statement's ROW EXCLUSIVE lock */
    if (!m->rel->system && sdb_table_lock_relation(&m->ac, m->rel, SDB_LOCK_ROW_EXCLUSIVE, false, true) != SDB_OK)
        return NULL;
    m->natts = m->rel->natts;
    m->tcols = sdb_arena_calloc(m->node.arena, m->natts + 1, sizeof(SdbPlanColumn));
    if (m->tcols == NULL)
        return NULL;
    for (int c = 0; c < m->natts; c++)
        m->tcols[c] = (SdbPlanColumn){.table = table, .column = c, .type = m->rel->attrs[c].type,
                                      .typmod = m->rel->attrs[c].typmod, .name = m->rel->attrs[c].name};
    if (exec_batch_init(m->node.arena, &m->rows, m->tcols, m->natts) != SDB_OK ||
        exec_env_init(&m->node, &m->tenv, m->tcols, m->natts, NULL, 0) != SDB_OK ||
        exec_env_init(&m->node, &m->node.env, child_plan->cols, child_plan->ncols, NULL, 0) != SDB_OK)
        return NULL;
    m->ctid_pos = exec_resolve(&m->node.env.res, table, -1);
    if (kind != MOD_INSERT && m->ctid_pos < 0) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "the rows to change carry no ctid");
        return NULL;
    }
    m->child_pos = sdb_arena_alloc(m->node.arena, (m->natts + 1) * sizeof(int));
    if (m->child_pos == NULL)
        return NULL;
    for (int c = 0; c < m->natts; c++)
        m->child_pos[c] = exec_resolve(&m->node.env.res, table, c);
    m->node.next = modify_next;
    return m;
}

static int modify_common(ModifyNode *m, SdbExpr *const *checks, int nchecks, const char *const *names,
                         SdbExpr *const *returning, int nreturning)
{
    m->nchecks = nchecks;
    m->check_names = names;
    m->nreturning = nreturning;
    m->checks = exec_exprs_compile(&m->tenv, checks, nchecks);
    m->returning = exec_exprs_compile(&m->tenv, returning, nreturning);
    return m->checks && m->returning ? SDB_OK : SDB_ERROR;
}

ExecNode *exec_build_insert(SdbExecState *es, const SdbPlanInsert *p)
{
    ModifyNode *m = modify_setup(es, &p->plan, MOD_INSERT, p->child, p->rel_oid, p->table);
    if (m == NULL || modify_common(m, p->checks, p->nchecks, p->check_names, p->returning, p->nreturning) != SDB_OK)
        return NULL;
    if (p->child->ncols < m->natts) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "INSERT source has %d columns, table has %d", p->child->ncols, m->natts);
        return NULL;
    }
    if (p->on_conflict != SDB_CONFLICT_ACTION_NONE && p->arbiter_index != 0) {
        for (int i = 0; i < m->rel->nindexes; i++)
            if (m->rel->indexes[i].oid == p->arbiter_index)
                m->arbiter = &m->rel->indexes[i];
        if (m->arbiter == NULL) {
            sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not open index with OID %u", (unsigned)p->arbiter_index);
            return NULL;
        }
    }
    if (p->on_conflict == SDB_CONFLICT_ACTION_UPDATE) {
        SdbPlanColumn *both = sdb_arena_calloc(m->node.arena, 2 * m->natts + 1, sizeof(SdbPlanColumn));
        if (both == NULL)
            return NULL;
        for (int c = 0; c < m->natts; c++) {
            both[c] = m->tcols[c];
            both[m->natts + c] = m->tcols[c];
            both[m->natts + c].table = p->excluded_table;
        }
        if (exec_env_init(&m->node, &m->cenv, both, 2 * m->natts, NULL, 0) != SDB_OK ||
            exec_batch_init(m->node.arena, &m->pair, both, 2 * m->natts) != SDB_OK)
            return NULL;
        m->sets = sdb_arena_calloc(m->node.arena, m->natts + 1, sizeof(ExecExpr *));
        m->touched = sdb_hash_create(m->node.arena, 64);
        if (m->sets == NULL || m->touched == NULL)
            return NULL;
        for (int c = 0; c < p->nset && c < m->natts; c++)
            if (p->set_values[c] != NULL && (m->sets[c] = exec_expr_compile(&m->cenv, p->set_values[c])) == NULL)
                return NULL;
        if (p->conflict_where && (m->conflict_where = exec_expr_compile(&m->cenv, p->conflict_where)) == NULL)
            return NULL;
    }
    return &m->node;
}

ExecNode *exec_build_update(SdbExecState *es, const SdbPlanUpdate *p)
{
    ModifyNode *m = modify_setup(es, &p->plan, MOD_UPDATE, p->child, p->rel_oid, p->table);
    if (m == NULL || modify_common(m, p->checks, p->nchecks, p->check_names, p->returning, p->nreturning) != SDB_OK)
        return NULL;
    m->sets = sdb_arena_calloc(m->node.arena, m->natts + 1, sizeof(ExecExpr *));
    if (m->sets == NULL)
        return NULL;
    for (int c = 0; c < p->nset && c < m->natts; c++)
        if (p->set_values[c] != NULL && (m->sets[c] = exec_expr_compile(&m->node.env, p->set_values[c])) == NULL)
            return NULL;
    return &m->node;
}

ExecNode *exec_build_delete(SdbExecState *es, const SdbPlanDelete *p)
{
    ModifyNode *m = modify_setup(es, &p->plan, MOD_DELETE, p->child, p->rel_oid, p->table);
    if (m == NULL || modify_common(m, NULL, 0, NULL, p->returning, p->nreturning) != SDB_OK)
        return NULL;
    return &m->node;
}
