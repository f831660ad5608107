/*
 * exec/exec.c: the executor's frame: starting, pulling batches from and
 * ending a statement; building the running operator of each plan node;
 * node arenas, output batches, Var resolution, cancellation, EXPLAIN
 * ANALYZE counters; the row evaluator's hook (Var, SubPlan, ArrayExpr).
 */
#include "exec/exec_int.h"

#include <time.h>

#include "access/table.h"
#include "types/array.h"

/* --- vectors and values -------------------------------------------------- */

int exec_vector_init(SdbArena *arena, SdbVector *v, SdbOid type, int32_t typmod)
{
    v->type = type;
    v->typmod = typmod;
    v->values = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(SdbDatum));
    v->nulls = sdb_arena_calloc(arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
    return v->values && v->nulls ? SDB_OK : SDB_ERROR;
}

int exec_batch_init(SdbArena *arena, SdbBatch *b, const SdbPlanColumn *cols, int ncols)
{
    b->ncols = ncols;
    b->nrows = 0;
    b->sel = NULL;
    b->nsel = 0;
    b->cols = sdb_arena_calloc(arena, ncols ? ncols : 1, sizeof(SdbVector));
    if (b->cols == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++)
        if (exec_vector_init(arena, &b->cols[i], cols[i].type, cols[i].typmod) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

bool exec_type_byref(SdbOid type)
{
    const SdbTypeInfo *t = sdb_type_by_oid(type);
    return t == NULL || !t->byval;
}

int exec_datum_copy(SdbArena *arena, SdbOid type, SdbDatum v, SdbDatum *out)
{
    if (!exec_type_byref(type)) {
        *out = v;
        return SDB_OK;
    }
    const SdbVarlena *src = sdb_datum_varlena(v);
    return sdb_varlena_make(arena, src->data, src->len, out);
}

/* --- Var resolution ------------------------------------------------------ */

static int resolver_add(Resolver *res, const SdbPlanColumn *c, int pos)
{
    if (c->table < 0 || c->table >= res->ntables || c->column + 1 >= res->ncolumns[c->table] || c->column < -1)
        return SDB_OK;
    if (res->tables[c->table][c->column + 1] < 0)
        res->tables[c->table][c->column + 1] = pos;
    return SDB_OK;
}

int exec_resolver_init(SdbArena *arena, Resolver *res, const SdbPlanColumn *a, int na, const SdbPlanColumn *b,
                       int nb)
{
    int maxt = -1;
    for (int i = 0; i < na + nb; i++) {
        const SdbPlanColumn *c = i < na ? &a[i] : &b[i - na];
        if (c->table > maxt)
            maxt = c->table;
    }
    res->ntables = maxt + 1;
    res->tables = sdb_arena_calloc(arena, res->ntables + 1, sizeof(int *));
    res->ncolumns = sdb_arena_calloc(arena, res->ntables + 1, sizeof(int));
    if (res->tables == NULL || res->ncolumns == NULL)
        return SDB_ERROR;
    for (int i = 0; i < na + nb; i++) {
        const SdbPlanColumn *c = i < na ? &a[i] : &b[i - na];
        if (c->table >= 0 && c->column + 2 > res->ncolumns[c->table])
            res->ncolumns[c->table] = c->column + 2;
    }
    for (int t = 0; t < res->ntables; t++) {
        if (res->ncolumns[t] == 0)
            continue;
        res->tables[t] = sdb_arena_alloc(arena, res->ncolumns[t] * sizeof(int));
        if (res->tables[t] == NULL)
            return SDB_ERROR;
        for (int k = 0; k < res->ncolumns[t]; k++)
            res->tables[t][k] = -1;
    }
    for (int i = 0; i < na + nb; i++)
        resolver_add(res, i < na ? &a[i] : &b[i - na], i);
    return SDB_OK;
}

int exec_resolve(const Resolver *res, int table, int column)
{
    if (res == NULL || table < 0 || table >= res->ntables || res->tables[table] == NULL || column < -1 ||
        column + 1 >= res->ncolumns[table])
        return -1;
    return res->tables[table][column + 1];
}

int exec_env_init(ExecNode *node, ExecEnv *env, const SdbPlanColumn *a, int na, const SdbPlanColumn *b, int nb)
{
    env->node = node;
    env->ectx = *node->es->ctx->expr;
    env->ectx.arena = node->batch_arena;
    env->ectx.exec_hook = exec_hook;
    env->ectx.exec_state = &env->row;
    if (node->es->ctx->access != NULL) {
        /* functions reaching tables (nextval ...) get the node's own access context */
        SdbAccessContext *ac = sdb_arena_alloc(node->arena, sizeof *ac);
        if (ac == NULL)
            return SDB_ERROR;
        exec_access_init(node->es->ctx, ac, node->arena);
        env->ectx.access = ac;
    }
    env->row.es = node->es;
    env->row.res = &env->res;
    env->row.fallback = node->es->params;
    return exec_resolver_init(node->arena, &env->res, a, na, b, nb);
}

/* --- nodes --------------------------------------------------------------- */

void *exec_node_alloc(SdbExecState *es, const SdbPlan *plan, size_t size)
{
    SdbArena *arena = sdb_arena_create(es->arena, sdb_plan_tag_name(plan->tag), 0);
    if (arena == NULL)
        return NULL;
    ExecNode *node = sdb_arena_calloc(arena, 1, size);
    if (node == NULL)
        return NULL;
    node->plan = plan;
    node->es = es;
    node->arena = arena;
    node->batch_arena = sdb_arena_create(arena, "batch", 0);
    if (node->batch_arena == NULL || exec_batch_init(arena, &node->out, plan->cols, plan->ncols) != SDB_OK)
        return NULL;
    node->env.node = node;
    if (es->sh->stats != NULL) {
        void *found;
        if (!sdb_hash_lookup(es->sh->stats, &plan, sizeof(plan), &found)) {
            found = sdb_arena_calloc(es->sh->arena, 1, sizeof(NodeStats));
            if (found == NULL || sdb_hash_put(es->sh->stats, &plan, sizeof(plan), found) != SDB_OK)
                return NULL;
        }
        node->stats = found;
        node->stats->loops++;
    }
    return node;
}

void exec_access_init(const SdbExecContext *ctx, SdbAccessContext *ac, SdbArena *arena)
{
    if (ctx->access != NULL) {
        *ac = *ctx->access;
        ac->priv = NULL;
    } else {
        *ac = (SdbAccessContext){.engine = ctx->engine, .catalog = ctx->catalog, .txn = ctx->txn,
                                 .timezone = ctx->expr->timezone};
    }
    ac->arena = arena;
}

int exec_check_cancel(SdbExecState *es)
{
    if (es->ctx->cancel != NULL && *es->ctx->cancel)
        return sdb_error(SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
    return SDB_OK;
}

double exec_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int exec_next(ExecNode *node, SdbBatch **out)
{
    *out = NULL;
    if (node->done)
        return SDB_OK;
    double start = node->stats ? exec_now_ms() : 0;
    if (node->stats && node->started == 0)
        node->started = start;
    for (;;) {
        if (exec_check_cancel(node->es) != SDB_OK)
            return SDB_ERROR;
        if (node->next(node, out) != SDB_OK) {
            *out = NULL;
            return SDB_ERROR;
        }
        if (*out == NULL) {
            node->done = true;
            break;
        }
        if (sdb_batch_live(*out) > 0)
            break;
    }
    if (node->stats) {
        double end = exec_now_ms();
        node->stats->ms += end - start;
        if (*out)
            node->stats->rows += sdb_batch_live(*out);
        if (*out && !node->produced) {
            node->produced = true;
            node->stats->first_ms += end - node->started;
        }
    }
    return SDB_OK;
}

typedef struct Cleanup {
    void (*fn)(void *);
    void *arg;
    struct Cleanup *next;
} Cleanup;

int exec_defer(SdbExecState *es, void (*fn)(void *), void *arg)
{
    Cleanup *c = sdb_arena_alloc(es->arena, sizeof(Cleanup));
    if (c == NULL)
        return SDB_ERROR;
    c->fn = fn;
    c->arg = arg;
    c->next = es->cleanups;
    es->cleanups = c;
    return SDB_OK;
}

void exec_run_cleanups(SdbExecState *es)
{
    while (es->cleanups != NULL) {
        Cleanup *c = es->cleanups;
        es->cleanups = c->next;
        c->fn(c->arg);
    }
}

ExecNode *exec_build(SdbExecState *es, const SdbPlan *plan)
{
    switch (plan->tag) {
    case SDB_P_SCAN: return exec_build_scan(es, (const SdbPlanScan *)plan);
    case SDB_P_VALUES: return exec_build_values(es, (const SdbPlanValues *)plan);
    case SDB_P_ONE_ROW: return exec_build_one_row(es, plan);
    case SDB_P_FUNCTION_SCAN: return exec_build_function_scan(es, (const SdbPlanFunctionScan *)plan);
    case SDB_P_FILTER: return exec_build_filter(es, (const SdbPlanFilter *)plan);
    case SDB_P_PROJECT: return exec_build_project(es, (const SdbPlanProject *)plan);
    case SDB_P_JOIN: return exec_build_join(es, (const SdbPlanJoin *)plan);
    case SDB_P_AGGREGATE: return exec_build_aggregate(es, (const SdbPlanAggregate *)plan);
    case SDB_P_WINDOW: return exec_build_window(es, (const SdbPlanWindow *)plan);
    case SDB_P_SORT: return exec_build_sort(es, (const SdbPlanSort *)plan);
    case SDB_P_LIMIT: return exec_build_limit(es, (const SdbPlanLimit *)plan);
    case SDB_P_LOCK_ROWS: return exec_build_lock_rows(es, (const SdbPlanLockRows *)plan);
    case SDB_P_DISTINCT: return exec_build_distinct(es, (const SdbPlanDistinct *)plan);
    case SDB_P_SET_OP: return exec_build_set_op(es, (const SdbPlanSetOp *)plan);
    case SDB_P_CTE_SCAN: return exec_build_cte_scan(es, (const SdbPlanCteScan *)plan);
    case SDB_P_RECURSIVE_UNION: return exec_build_recursive_union(es, (const SdbPlanRecursiveUnion *)plan);
    case SDB_P_WORK_TABLE_SCAN: return exec_build_work_table_scan(es, (const SdbPlanWorkTableScan *)plan);
    case SDB_P_INSERT: return exec_build_insert(es, (const SdbPlanInsert *)plan);
    case SDB_P_UPDATE: return exec_build_update(es, (const SdbPlanUpdate *)plan);
    case SDB_P_DELETE: return exec_build_delete(es, (const SdbPlanDelete *)plan);
    case SDB_P_INVALID:
    case SDB_P_COUNT:
        break;
    }
    sdb_error(SDB_ERR_INTERNAL_ERROR, "unrecognized plan node type: %d", (int)plan->tag);
    return NULL;
}

CteState *exec_cte(SdbExecState *es, int cte_id)
{
    ExecShared *sh = es->sh;
    if (cte_id < 0) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "invalid CTE id %d", cte_id);
        return NULL;
    }
    if (cte_id >= sh->ncte) {
        int n = cte_id + 8;
        CteState **ctes = sdb_arena_calloc(sh->arena, n, sizeof(CteState *));
        if (ctes == NULL)
            return NULL;
        for (int i = 0; i < sh->ncte; i++)
            ctes[i] = sh->ctes[i];
        sh->ctes = ctes;
        sh->ncte = n;
    }
    if (sh->ctes[cte_id] == NULL)
        sh->ctes[cte_id] = sdb_arena_calloc(sh->arena, 1, sizeof(CteState));
    return sh->ctes[cte_id];
}

/* --- the row evaluator's hook ------------------------------------------- */

static int hook_var(RowCtx *rc, const SdbBoundVar *var, SdbDatum *value, bool *isnull)
{
    for (int up = var->levelsup; up > 0; up--) {
        rc = rc->es->outer;
        if (rc == NULL)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "outer reference outside of a correlated subquery");
    }
    for (; rc != NULL; rc = rc->fallback) {
        int pos = exec_resolve(rc->res, var->table, var->column);
        if (pos >= 0 && rc->batch != NULL) {
            const SdbVector *v = &rc->batch->cols[pos];
            *isnull = sdb_vector_is_null(v, rc->row);
            *value = *isnull ? 0 : v->values[rc->row];
            return SDB_OK;
        }
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "variable (%d, %d) not found in the operator's input", var->table,
                     var->column);
}

/* ARRAY[...]: one dimension from scalars, or one more dimension over
 * sub-arrays of equal shape (2202E otherwise). */
static int hook_array(const SdbExprContext *ctx, const SdbBoundArrayExpr *ae, SdbDatum *value, bool *isnull)
{
    int n = ae->nelements;
    SdbDatum *vals = sdb_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(SdbDatum));
    bool *nulls = sdb_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(bool));
    if (vals == NULL || nulls == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (sdb_expr_eval(ae->elements[i], ctx, &vals[i], &nulls[i]) != SDB_OK)
            return SDB_ERROR;
    SdbArray a = {.elemtype = ae->element_type};
    bool nested = n > 0 && ae->elements[0]->type == ae->expr.type;
    if (!nested) {
        a.ndim = n > 0 ? 1 : 0;
        a.dims[0] = n;
        a.lbound[0] = 1;
        a.values = vals;
        a.nulls = nulls;
        *isnull = false;
        return sdb_array_build(ctx->arena, &a, value);
    }
    /* sub-arrays: all of the same dimensions */
    SdbArray *subs = sdb_arena_alloc(ctx->arena, n * sizeof(SdbArray));
    if (subs == NULL)
        return SDB_ERROR;
    int total = 0;
    for (int i = 0; i < n; i++) {
        if (nulls[i]) {
            subs[i].ndim = 0;
            subs[i].nitems = 0;
        } else if (sdb_array_deconstruct(ctx->arena, vals[i], &subs[i]) != SDB_OK) {
            return SDB_ERROR;
        }
        if (subs[i].ndim != subs[0].ndim || memcmp(subs[i].dims, subs[0].dims, subs[0].ndim * sizeof(int)) != 0)
            return sdb_error(SDB_ERR_ARRAY_SUBSCRIPT_ERROR,
                             "multidimensional arrays must have array expressions with matching dimensions");
        total += subs[i].nitems;
    }
    if (subs[0].ndim == 0) {
        a.ndim = 0;
        *isnull = false;
        return sdb_array_build(ctx->arena, &a, value);
    }
    if (subs[0].ndim + 1 > SDB_ARRAY_MAXDIM)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                         subs[0].ndim + 1, SDB_ARRAY_MAXDIM);
    a.ndim = subs[0].ndim + 1;
    a.dims[0] = n;
    a.lbound[0] = 1;
    for (int d = 0; d < subs[0].ndim; d++) {
        a.dims[d + 1] = subs[0].dims[d];
        a.lbound[d + 1] = subs[0].lbound[d];
    }
    a.values = sdb_arena_alloc(ctx->arena, (total ? total : 1) * sizeof(SdbDatum));
    a.nulls = sdb_arena_alloc(ctx->arena, (total ? total : 1) * sizeof(bool));
    if (a.values == NULL || a.nulls == NULL)
        return SDB_ERROR;
    int k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < subs[i].nitems; j++, k++) {
            a.values[k] = subs[i].values[j];
            a.nulls[k] = subs[i].nulls[j];
        }
    *isnull = false;
    return sdb_array_build(ctx->arena, &a, value);
}

int exec_hook(const SdbExprContext *ctx, const SdbExpr *expr, SdbDatum *value, bool *isnull)
{
    RowCtx *rc = ctx->exec_state;
    switch (expr->tag) {
    case SDB_E_VAR:
        return hook_var(rc, (const SdbBoundVar *)expr, value, isnull);
    case SDB_E_SUB_PLAN:
        return exec_subplan_eval(rc, (const SdbBoundSubPlan *)expr, ctx, value, isnull);
    case SDB_E_ARRAY_EXPR:
        return hook_array(ctx, (const SdbBoundArrayExpr *)expr, value, isnull);
    default:
        break;
    }
    return sdb_error(SDB_ERR_INTERNAL_ERROR, "%s is evaluated by its operator, not in an expression",
                     sdb_expr_tag_name(expr->tag));
}

/* --- statements ---------------------------------------------------------- */

SdbExecState *exec_state_create(SdbExecContext *ctx, ExecShared *sh, SdbArena *arena, RowCtx *outer)
{
    SdbExecState *es = sdb_arena_calloc(arena, 1, sizeof(SdbExecState));
    if (es == NULL)
        return NULL;
    es->ctx = ctx;
    es->sh = sh;
    es->arena = arena;
    es->outer = outer;
    return es;
}

SdbExecState *exec_start(SdbExecContext *ctx, const SdbPlan *plan, bool analyze)
{
    SdbArena *arena = sdb_arena_create(ctx->arena, "executor", 0);
    if (arena == NULL)
        return NULL;
    ExecShared *sh = sdb_arena_calloc(arena, 1, sizeof(ExecShared));
    SdbExecState *es = sh ? exec_state_create(ctx, sh, arena, NULL) : NULL;
    if (es == NULL)
        goto fail;
    sh->arena = arena;
    sh->root = es;
    sh->subplans = sdb_hash_create(arena, 8);
    if (sh->subplans == NULL || (analyze && (sh->stats = sdb_hash_create(arena, 32)) == NULL))
        goto fail;
    es->root = exec_build(es, plan);
    if (es->root == NULL)
        goto fail;
    return es;
fail:
    if (es != NULL)
        exec_run_cleanups(es);
    sdb_arena_destroy(arena);
    return NULL;
}

SdbExecState *sdb_exec_start(SdbExecContext *ctx, SdbPlan *plan)
{
    return exec_start(ctx, plan, false);
}

int sdb_exec_next(SdbExecState *st, SdbBatch **out)
{
    return exec_next(st->root, out);
}

uint64_t sdb_exec_rows_affected(const SdbExecState *st)
{
    return st ? st->rows_affected : 0;
}

bool sdb_exec_restartable(const SdbExecState *st)
{
    return st && st->restartable;
}

void sdb_exec_end(SdbExecState *st)
{
    if (st == NULL)
        return;
    exec_run_cleanups(st);
    sdb_arena_destroy(st->arena);
}
