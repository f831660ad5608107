/*
 * exec/subplan.c: SubPlan evaluation for the row evaluator's hook.  Each
 * evaluation runs the subquery's plan in a fresh run (its arena reset each
 * time) whose Vars with levelsup > 0 read the row being evaluated;
 * uncorrelated results are computed once per statement and cached (for
 * ANY/ALL the subquery's rows, which each evaluation tests again).
 * expr: the single value (21000 for a second row, NULL for none); exists;
 * any/all: `test` over each row with SQL's three-valued OR/AND; array.
 */
#include "exec/exec_int.h"

#include "types/array.h"

typedef struct SubState {
    SdbArena *arena;        /* one run's */
    bool cached;
    SdbDatum value;
    bool isnull;
    /* uncorrelated ANY/ALL: the rows, and the test compiled over them */
    RowStore *rows;
    SdbExecState *tes;
    ExecNode *tn;
    ExecExpr *test;
    SdbBatch buf;
} SubState;

/* Where ANY/ALL reads the subquery's rows: a run, or the cached rows. */
typedef struct SubRows {
    ExecNode *root;
    RowStore *rows;
    size_t pos;
    SdbBatch *buf;
} SubRows;

static int subrows_next(SubRows *src, SdbBatch **b)
{
    if (src->root)
        return exec_next(src->root, b);
    int n = rowstore_fill(src->rows, src->pos, src->buf);
    src->pos += n;
    *b = n ? src->buf : NULL;
    return SDB_OK;
}

static SubState *substate(ExecShared *sh, const SdbBoundSubPlan *sp)
{
    void *found;
    if (sdb_hash_lookup(sh->subplans, &sp, sizeof(sp), &found))
        return found;
    SubState *ss = sdb_arena_calloc(sh->arena, 1, sizeof(SubState));
    if (ss == NULL || (ss->arena = sdb_arena_create(sh->arena, "subplan", 0)) == NULL ||
        sdb_hash_put(sh->subplans, &sp, sizeof(sp), ss) != SDB_OK)
        return NULL;
    return ss;
}

/* The test of ANY/ALL compiled over the subquery's columns in a node of
 * `run`; outer values come from `outer`. */
static ExecExpr *compile_test(SdbExecState *run, const SdbBoundSubPlan *sp, RowCtx *outer, ExecNode **tn)
{
    *tn = exec_node_alloc(run, sp->plan, sizeof(ExecNode));
    if (*tn == NULL || exec_env_init(*tn, &(*tn)->env, sp->plan->cols, sp->plan->ncols, NULL, 0) != SDB_OK)
        return NULL;
    (*tn)->env.row.fallback = outer;
    return exec_expr_compile(&(*tn)->env, sp->test);
}

/* any/all over the subquery's rows: OR/AND of the test per row. */
static int any_all(const SdbBoundSubPlan *sp, SubRows *src, ExecExpr *test, SdbDatum *value, bool *isnull)
{
    bool any = sp->kind == SDB_SUB_PLAN_KIND_ANY, saw_null = false;
    for (;;) {
        SdbBatch *b;
        if (subrows_next(src, &b) != SDB_OK)
            return SDB_ERROR;
        if (b == NULL)
            break;
        int n = sdb_batch_live(b);
        SdbVector *v;
        if (sdb_exec_eval_batch(test, b, b->sel, n, &v) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(b, i);
            if (sdb_vector_is_null(v, r))
                saw_null = true;
            else if ((v->values[r] != 0) == any) {
                *value = any;
                *isnull = false;
                return SDB_OK;
            }
        }
    }
    *value = !any;
    *isnull = saw_null;
    return SDB_OK;
}

/* Uncorrelated ANY/ALL: the subquery's rows once, then the test over
 * them for each evaluation. */
static int subplan_any_all_cached(SdbExecState *es, SubState *ss, const SdbBoundSubPlan *sp, RowCtx *outer,
                                  SdbDatum *value, bool *isnull)
{
    ExecShared *sh = es->sh;
    if (ss->rows == NULL) {
        SdbExecState *run = exec_state_create(es->ctx, sh, ss->arena, NULL);
        RowStore *rows = rowstore_create(sh->arena, sp->plan->cols, sp->plan->ncols);
        if (rows == NULL || exec_defer(sh->root, rowstore_cleanup, rows) != SDB_OK)
            return SDB_ERROR;
        ExecNode *root = run ? exec_build(run, sp->plan) : NULL;
        int rc = root ? SDB_OK : SDB_ERROR;
        while (rc == SDB_OK) {
            SdbBatch *b;
            if ((rc = exec_next(root, &b)) != SDB_OK || b == NULL)
                break;
            rc = rowstore_add_batch(rows, b);
        }
        if (run)
            exec_run_cleanups(run);
        sdb_arena_reset(ss->arena);
        if (rc != SDB_OK)
            return SDB_ERROR;
        ss->tes = exec_state_create(es->ctx, sh, sh->arena, NULL);
        if (ss->tes == NULL || (ss->test = compile_test(ss->tes, sp, NULL, &ss->tn)) == NULL ||
            exec_batch_init(sh->arena, &ss->buf, sp->plan->cols, sp->plan->ncols) != SDB_OK)
            return SDB_ERROR;
        ss->rows = rows;
    }
    ss->tes->outer = outer;
    ss->tn->env.row.fallback = outer;
    sdb_arena_reset(ss->tn->batch_arena);
    SubRows src = {.rows = ss->rows, .buf = &ss->buf};
    return any_all(sp, &src, ss->test, value, isnull);
}

static int subplan_array(ExecNode *root, const SdbBoundSubPlan *sp, SdbArena *arena, SdbDatum *value,
                         bool *isnull)
{
    SdbOid elemtype = sp->plan->cols[0].type;
    size_t n = 0, cap = 64;
    SdbDatum *vals = sdb_arena_alloc(arena, cap * sizeof(SdbDatum));
    bool *nulls = sdb_arena_alloc(arena, cap * sizeof(bool));
    if (vals == NULL || nulls == NULL)
        return SDB_ERROR;
    for (;;) {
        SdbBatch *b;
        if (exec_next(root, &b) != SDB_OK)
            return SDB_ERROR;
        if (b == NULL)
            break;
        int live = sdb_batch_live(b);
        for (int i = 0; i < live; i++) {
            int r = sdb_batch_row(b, i);
            if (n == cap) {
                vals = sdb_arena_realloc(arena, vals, cap * sizeof(SdbDatum), 2 * cap * sizeof(SdbDatum));
                nulls = sdb_arena_realloc(arena, nulls, cap * sizeof(bool), 2 * cap * sizeof(bool));
                cap *= 2;
                if (vals == NULL || nulls == NULL)
                    return SDB_ERROR;
            }
            nulls[n] = sdb_vector_is_null(&b->cols[0], r);
            if (!nulls[n] && exec_datum_copy(arena, elemtype, b->cols[0].values[r], &vals[n]) != SDB_OK)
                return SDB_ERROR;
            n++;
        }
    }
    SdbArray a = {.ndim = n ? 1 : 0, .dims = {(int)n}, .lbound = {1}, .elemtype = elemtype,
                  .values = vals, .nulls = nulls};
    *isnull = false;
    return sdb_array_build(arena, &a, value);
}

/* Run the subquery once for the row `outer`; results by reference are
 * allocated in `arena`. */
static int subplan_run(SdbExecState *es, SubState *ss, const SdbBoundSubPlan *sp, RowCtx *outer, SdbArena *arena,
                       SdbDatum *value, bool *isnull)
{
    sdb_arena_reset(ss->arena);
    SdbExecState *run = exec_state_create(es->ctx, es->sh, ss->arena, outer);
    if (run == NULL)
        return SDB_ERROR;
    int rc = SDB_OK;
    ExecNode *root = exec_build(run, sp->plan);
    SdbBatch *b;
    *value = 0;
    *isnull = true;
    if (root == NULL) {
        rc = SDB_ERROR;
    } else if (sp->kind == SDB_SUB_PLAN_KIND_EXISTS) {
        rc = exec_next(root, &b);
        *value = b != NULL;
        *isnull = false;
    } else if (sp->kind == SDB_SUB_PLAN_KIND_EXPR) {
        int seen = 0;
        while (rc == SDB_OK && (rc = exec_next(root, &b)) == SDB_OK && b != NULL) {
            seen += sdb_batch_live(b);
            if (seen > 1) {
                rc = sdb_error(SDB_ERR_CARDINALITY_VIOLATION,
                               "more than one row returned by a subquery used as an expression");
                break;
            }
            int r = sdb_batch_row(b, 0);
            *isnull = sdb_vector_is_null(&b->cols[0], r);
            if (!*isnull)
                rc = exec_datum_copy(arena, sp->plan->cols[0].type, b->cols[0].values[r], value);
        }
    } else if (sp->kind == SDB_SUB_PLAN_KIND_ARRAY) {
        rc = subplan_array(root, sp, arena, value, isnull);
    } else {
        ExecNode *tn;
        ExecExpr *test = compile_test(run, sp, outer, &tn);
        SubRows src = {.root = root};
        rc = test ? any_all(sp, &src, test, value, isnull) : SDB_ERROR;
    }
    exec_run_cleanups(run);
    return rc;
}

int exec_subplan_eval(RowCtx *row, const SdbBoundSubPlan *sp, const SdbExprContext *ectx, SdbDatum *value,
                      bool *isnull)
{
    SdbExecState *es = row->es;
    SubState *ss = substate(es->sh, sp);
    if (ss == NULL)
        return SDB_ERROR;
    bool any_all = sp->kind == SDB_SUB_PLAN_KIND_ANY || sp->kind == SDB_SUB_PLAN_KIND_ALL;
    if (any_all && !sp->correlated)
        return subplan_any_all_cached(es, ss, sp, row, value, isnull);
    bool cacheable = !sp->correlated && !any_all;
    if (cacheable && ss->cached) {
        *value = ss->value;
        *isnull = ss->isnull;
        return SDB_OK;
    }
    if (subplan_run(es, ss, sp, row, cacheable ? es->sh->arena : ectx->arena, value, isnull) != SDB_OK)
        return SDB_ERROR;
    if (cacheable) {
        ss->cached = true;
        ss->value = *value;
        ss->isnull = *isnull;
    }
    return SDB_OK;
}
