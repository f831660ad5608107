/*
 * exec/op_srf.c: FunctionScan, the rows of a set-returning function call
 * in FROM (spec `returns_set`, the SdbSrfCall convention of expr/fmgr.h):
 * one column, or one per OUT column of a function returning record; or
 * the one row of any other function; plus the WITH ORDINALITY column.  The arguments are evaluated once when
 * the node is built: under a LATERAL join the node is rebuilt for every
 * left row, and arguments read that row through es->params.
 */
#include "exec/exec_int.h"

typedef struct FunctionScanNode {
    ExecNode node;
    SdbSrfCall call;
    bool scalar;            /* not a set-returning function: call.result is the one row */
    int nvalues;            /* value columns: the OUT columns (call.outs), else 1 (call.result) */
    int64_t ordinal;
    bool over;
} FunctionScanNode;

/* Row n of the batch: the call's OUT column values, or its one result. */
static void put_values(FunctionScanNode *fn, int n)
{
    SdbVector *cols = fn->node.out.cols;
    bool record = !fn->scalar && fn->call.func->nout > 0;
    for (int c = 0; c < fn->nvalues; c++) {
        bool isnull = record ? fn->call.out_nulls[c] : fn->call.result_null;
        cols[c].values[n] = isnull ? 0 : record ? fn->call.outs[c] : fn->call.result;
        sdb_vector_set_null(&cols[c], n, isnull);
    }
}

static int function_scan_next(ExecNode *node, SdbBatch **out)
{
    FunctionScanNode *fn = (FunctionScanNode *)node;
    const SdbPlanFunctionScan *p = (const SdbPlanFunctionScan *)node->plan;
    sdb_arena_reset(node->batch_arena);
    *out = NULL;
    int n = 0;
    while (!fn->over && n < SDB_BATCH_SIZE) {
        if (fn->scalar)
            fn->over = fn->ordinal > 0;
        else if (sdb_srf_next(&fn->call, &fn->over) != SDB_OK)
            return SDB_ERROR;
        if (fn->over)
            break;
        put_values(fn, n);
        fn->ordinal++;
        if (p->ordinality) {
            node->out.cols[fn->nvalues].values[n] = sdb_datum_from_int64(fn->ordinal);
            sdb_vector_set_null(&node->out.cols[fn->nvalues], n, false);
        }
        n++;
    }
    node->out.nrows = n;
    node->out.sel = NULL;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

/* Evaluate the call's arguments into copies that live as long as the node. */
static int eval_args(FunctionScanNode *fn, const SdbBoundFuncExpr *call, SdbDatum *args, bool *nulls, SdbOid *types)
{
    for (int i = 0; i < call->nargs; i++) {
        ExecExpr *e = exec_expr_compile(&fn->node.env, call->args[i]);
        types[i] = call->args[i]->type;
        if (e == NULL || exec_eval_const(e, &args[i], &nulls[i]) != SDB_OK)
            return SDB_ERROR;
        if (!nulls[i] && exec_datum_copy(fn->node.arena, types[i], args[i], &args[i]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

ExecNode *exec_build_function_scan(SdbExecState *es, const SdbPlanFunctionScan *p)
{
    FunctionScanNode *fn = exec_node_alloc(es, &p->plan, sizeof(FunctionScanNode));
    if (fn == NULL || exec_env_init(&fn->node, &fn->node.env, NULL, 0, NULL, 0) != SDB_OK)
        return NULL;
    const SdbBoundFuncExpr *call = (const SdbBoundFuncExpr *)p->call;
    fn->node.next = function_scan_next;
    fn->nvalues = 1;
    if (p->call->tag != SDB_E_FUNC_EXPR || !call->func->retset) {
        ExecExpr *e = exec_expr_compile(&fn->node.env, p->call);
        fn->scalar = true;
        if (e == NULL || exec_eval_const(e, &fn->call.result, &fn->call.result_null) != SDB_OK ||
            (!fn->call.result_null &&
             exec_datum_copy(fn->node.arena, p->call->type, fn->call.result, &fn->call.result) != SDB_OK))
            return NULL;
        return &fn->node;
    }
    int n = call->nargs;
    fn->nvalues = call->func->nout > 0 ? call->func->nout : 1;
    SdbDatum *args = sdb_arena_alloc(fn->node.arena, sizeof(SdbDatum) * (size_t)(n + 1));
    bool *nulls = sdb_arena_alloc(fn->node.arena, sizeof(bool) * (size_t)(n + 1));
    SdbOid *types = sdb_arena_alloc(fn->node.arena, sizeof(SdbOid) * (size_t)(n + 1));
    if (args == NULL || nulls == NULL || types == NULL || eval_args(fn, call, args, nulls, types) != SDB_OK)
        return NULL;
    sdb_srf_begin(&fn->call, call->func, &fn->node.env.ectx, fn->node.arena, n, types, p->call->type, args, nulls);
    return &fn->node;
}
