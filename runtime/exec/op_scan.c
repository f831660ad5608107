/*
 * exec/op_scan.c: the leaves that read stored or generated rows: Scan (a
 * table or index scan of access/table.h with the pushed-down filters
 * applied to each batch) and FunctionScan (generate_series over integers,
 * numeric and timestamps; unnest of an array; WITH ORDINALITY).
 */
#include "exec/exec_int.h"

#include "access/table.h"
#include "sdb_operators.h"
#include "types/array.h"

/* --- Scan ---------------------------------------------------------------- */

typedef struct ScanNode {
    ExecNode node;
    SdbAccessContext ac;
    SdbTableScan *scan;
    ExecExpr **filters;
    uint16_t *sel;
} ScanNode;

static void scan_end(void *arg)
{
    ScanNode *sn = arg;
    if (sn->scan != NULL)
        sdb_table_scan_end(sn->scan);
    sn->scan = NULL;
}

static int scan_next(ExecNode *node, SdbBatch **out)
{
    ScanNode *sn = (ScanNode *)node;
    const SdbPlanScan *p = (const SdbPlanScan *)node->plan;
    sdb_arena_reset(node->batch_arena);
    node->out.sel = NULL;
    if (sdb_table_scan_next(sn->scan, &node->out) != SDB_OK)
        return SDB_ERROR;
    if (node->out.nrows == 0) {
        scan_end(sn);
        *out = NULL;
        return SDB_OK;
    }
    if (p->nfilters > 0) {
        int n;
        if (exec_qual_batch(sn->filters, p->nfilters, &node->out, sn->sel, &n) != SDB_OK)
            return SDB_ERROR;
        node->out.sel = sn->sel;
        node->out.nsel = n;
    }
    *out = &node->out;
    return SDB_OK;
}

static const SdbIndex *find_index(const SdbRelation *rel, SdbOid oid)
{
    for (int i = 0; i < rel->nindexes; i++)
        if (rel->indexes[i].oid == oid)
            return &rel->indexes[i];
    return NULL;
}

/* The bounds of an index scan, evaluated now (they read no row of the
 * scan itself; outer references are read through the env). */
static int scan_range(ScanNode *sn, const SdbPlanScan *p, SdbIndexRange *range)
{
    SdbDatum *eq = sdb_arena_alloc(sn->node.arena, (p->neq + 1) * sizeof(SdbDatum));
    if (eq == NULL)
        return SDB_ERROR;
    memset(range, 0, sizeof(*range));
    range->neq = p->neq;
    range->eq = eq;
    range->backward = p->backward;
    for (int i = 0; i < p->neq; i++) {
        ExecExpr *e = exec_expr_compile(&sn->node.env, p->index_eq[i]);
        bool isnull;
        if (e == NULL || exec_eval_const(e, &eq[i], &isnull) != SDB_OK)
            return SDB_ERROR;
        if (isnull) /* = NULL matches nothing: an empty range */
            range->has_lower = range->has_upper = true;
    }
    const SdbExpr *bounds[2] = {p->lower, p->upper};
    for (int b = 0; b < 2; b++) {
        if (bounds[b] == NULL)
            continue;
        ExecExpr *e = exec_expr_compile(&sn->node.env, bounds[b]);
        SdbDatum v;
        bool isnull;
        if (e == NULL || exec_eval_const(e, &v, &isnull) != SDB_OK)
            return SDB_ERROR;
        if (b == 0) {
            range->has_lower = true;
            range->lower = v;
            range->lower_inclusive = p->lower_inclusive && !isnull;
        } else {
            range->has_upper = true;
            range->upper = v;
            range->upper_inclusive = p->upper_inclusive && !isnull;
        }
        if (isnull) { /* a comparison with NULL: nothing qualifies */
            range->has_lower = range->has_upper = true;
            range->lower_inclusive = range->upper_inclusive = false;
            range->lower = range->upper = v;
        }
    }
    return SDB_OK;
}

ExecNode *exec_build_scan(SdbExecState *es, const SdbPlanScan *p)
{
    ScanNode *sn = exec_node_alloc(es, &p->plan, sizeof(ScanNode));
    if (sn == NULL || exec_env_init(&sn->node, &sn->node.env, p->plan.cols, p->plan.ncols, NULL, 0) != SDB_OK)
        return NULL;
    SdbExecContext *ctx = es->ctx;
    exec_access_init(ctx, &sn->ac, sn->node.arena);
    const SdbRelation *rel;
    if (sdb_catalog_relation(ctx->catalog, ctx->txn, p->rel_oid, &rel) != SDB_OK)
        return NULL;
    if (rel == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_TABLE, "could not open relation with OID %u", (unsigned)p->rel_oid);
        return NULL;
    }
    int *cols = sdb_arena_alloc(sn->node.arena, (p->plan.ncols + 1) * sizeof(int));
    sn->filters = exec_exprs_compile(&sn->node.env, p->filters, p->nfilters);
    sn->sel = sdb_arena_alloc(sn->node.arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    if (cols == NULL || sn->filters == NULL || sn->sel == NULL)
        return NULL;
    for (int i = 0; i < p->plan.ncols; i++)
        cols[i] = p->plan.cols[i].column;
    if (p->access == SDB_SCAN_ACCESS_SEQ) {
        sn->scan = sdb_table_scan_begin(&sn->ac, rel, cols, p->plan.ncols);
    } else {
        const SdbIndex *index = find_index(rel, p->index_oid);
        SdbIndexRange range;
        if (index == NULL) {
            sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not open index with OID %u", (unsigned)p->index_oid);
            return NULL;
        }
        if (scan_range(sn, p, &range) != SDB_OK)
            return NULL;
        sn->scan = sdb_index_scan_begin(&sn->ac, rel, index, &range, cols, p->plan.ncols);
    }
    if (sn->scan == NULL || exec_defer(es, scan_end, sn) != SDB_OK)
        return NULL;
    sn->node.next = scan_next;
    return &sn->node;
}

/* --- FunctionScan -------------------------------------------------------- */

typedef enum SrfKind {
    SRF_SERIES_INT,
    SRF_SERIES_ADD,  /* numeric, timestamps: the type's + operator */
    SRF_UNNEST
} SrfKind;

typedef struct FunctionScanNode {
    ExecNode node;
    SrfKind kind;
    bool empty;
    int64_t ordinal;
    /* generate_series */
    int64_t icur, istop, istep;
    SdbDatum cur, stop, step;
    const SdbFuncInfo *add;
    const SdbTypeOps *ops;
    bool step_negative;
    SdbOid argtypes[2];
    SdbArena *value_arena;  /* the current value (by reference types) */
    /* unnest */
    SdbArray array;
    int pos;
} FunctionScanNode;

static const SdbFuncInfo *find_plus(SdbOid left, SdbOid right)
{
    const SdbOperInfo *const *ops;
    size_t n = sdb_opers_by_name("+", &ops);
    for (size_t i = 0; i < n; i++)
        if (ops[i]->left == left && ops[i]->right == right)
            return sdb_func_by_oid(ops[i]->func);
    return NULL;
}

/* Whether the step is negative: compare step with step + step's zero is not
 * generic, so compare start + step with start. */
static int series_init_add(FunctionScanNode *fn, const SdbBoundFuncExpr *call, const SdbDatum *args)
{
    SdbOid type = call->args[0]->type, steptype = call->args[2]->type;
    fn->add = find_plus(type, steptype);
    fn->ops = sdb_type_ops(type);
    if (fn->add == NULL || fn->ops == NULL)
        return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "function generate_series(%s, %s, %s) does not exist",
                         sdb_type_by_oid(type) ? sdb_type_by_oid(type)->name : "?", "?",
                         sdb_type_by_oid(steptype) ? sdb_type_by_oid(steptype)->name : "?");
    fn->argtypes[0] = type;
    fn->argtypes[1] = steptype;
    fn->value_arena = sdb_arena_create(fn->node.arena, "series value", 0);
    if (fn->value_arena == NULL || exec_datum_copy(fn->node.arena, type, args[1], &fn->stop) != SDB_OK ||
        exec_datum_copy(fn->node.arena, steptype, args[2], &fn->step) != SDB_OK ||
        exec_datum_copy(fn->value_arena, type, args[0], &fn->cur) != SDB_OK)
        return SDB_ERROR;
    SdbDatum pair[2] = {fn->cur, fn->step}, next;
    bool nulls[2] = {false, false}, isnull;
    if (sdb_fn_invoke(fn->add, &fn->node.env.ectx, 2, fn->argtypes, pair, nulls, &next, &isnull) != SDB_OK)
        return SDB_ERROR;
    int c = fn->ops->compare(next, fn->cur);
    if (c == 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
    fn->step_negative = c < 0;
    return SDB_OK;
}

static int series_init(FunctionScanNode *fn, const SdbBoundFuncExpr *call, const SdbDatum *args, const bool *nulls)
{
    if (call->nargs < 2 || call->nargs > 3)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "generate_series with %d arguments is not supported",
                         call->nargs);
    for (int i = 0; i < call->nargs; i++)
        if (nulls[i])
            fn->empty = true;
    if (fn->empty)
        return SDB_OK;
    SdbOid type = call->args[0]->type;
    if (type == SDB_TYPEOID_INT4 || type == SDB_TYPEOID_INT8 || type == SDB_TYPEOID_INT2) {
        fn->kind = SRF_SERIES_INT;
        fn->icur = sdb_datum_to_int64(args[0]);
        fn->istop = sdb_datum_to_int64(args[1]);
        fn->istep = call->nargs == 3 ? sdb_datum_to_int64(args[2]) : 1;
        if (fn->istep == 0)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        return SDB_OK;
    }
    fn->kind = SRF_SERIES_ADD;
    if (call->nargs == 2) {
        if (type != SDB_TYPEOID_NUMERIC)
            return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "function generate_series(%s, %s) does not exist",
                             sdb_type_by_oid(type) ? sdb_type_by_oid(type)->name : "?",
                             sdb_type_by_oid(type) ? sdb_type_by_oid(type)->name : "?");
        SdbDatum one;
        SdbDatum full[3] = {args[0], args[1], 0};
        if (sdb_type_input(&(SdbTypeCtx){.arena = fn->node.arena, .typid = SDB_TYPEOID_NUMERIC, .typmod = -1}, "1",
                           &one) != SDB_OK)
            return SDB_ERROR;
        full[2] = one;
        SdbBoundFuncExpr c3 = *call;
        SdbExpr *a3[3] = {call->args[0], call->args[1], call->args[0]};
        c3.args = a3;
        c3.nargs = 3;
        return series_init_add(fn, &c3, full);
    }
    return series_init_add(fn, call, args);
}

static int unnest_init(FunctionScanNode *fn, const SdbBoundFuncExpr *call, const SdbDatum *args, const bool *nulls)
{
    if (call->nargs != 1)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "unnest with %d arguments is not supported", call->nargs);
    fn->kind = SRF_UNNEST;
    if (nulls[0]) {
        fn->empty = true;
        return SDB_OK;
    }
    SdbDatum copy;
    if (exec_datum_copy(fn->node.arena, call->args[0]->type, args[0], &copy) != SDB_OK)
        return SDB_ERROR;
    return sdb_array_deconstruct(fn->node.arena, copy, &fn->array);
}

/* Produce the next value into *v; *done when the series is over. */
static int srf_value(FunctionScanNode *fn, SdbArena *arena, SdbDatum *v, bool *isnull, bool *done)
{
    *isnull = false;
    *done = false;
    switch (fn->kind) {
    case SRF_SERIES_INT:
        if (fn->istep > 0 ? fn->icur > fn->istop : fn->icur < fn->istop) {
            *done = true;
            return SDB_OK;
        }
        *v = sdb_datum_from_int64(fn->icur);
        if (__builtin_add_overflow(fn->icur, fn->istep, &fn->icur)) /* past the type's end: stop after this */
            fn->istop = fn->istep > 0 ? INT64_MIN : INT64_MAX;
        return SDB_OK;
    case SRF_SERIES_ADD: {
        int c = fn->ops->compare(fn->cur, fn->stop);
        if (fn->step_negative ? c < 0 : c > 0) {
            *done = true;
            return SDB_OK;
        }
        if (exec_datum_copy(arena, fn->argtypes[0], fn->cur, v) != SDB_OK)
            return SDB_ERROR;
        SdbDatum pair[2] = {fn->cur, fn->step}, next;
        bool nulls[2] = {false, false}, nn;
        SdbExprContext ectx = fn->node.env.ectx;
        ectx.arena = arena;
        if (sdb_fn_invoke(fn->add, &ectx, 2, fn->argtypes, pair, nulls, &next, &nn) != SDB_OK)
            return SDB_ERROR;
        sdb_arena_reset(fn->value_arena);
        return exec_datum_copy(fn->value_arena, fn->argtypes[0], next, &fn->cur);
    }
    case SRF_UNNEST:
        if (fn->pos >= fn->array.nitems) {
            *done = true;
            return SDB_OK;
        }
        *v = fn->array.values[fn->pos];
        *isnull = fn->array.nulls[fn->pos];
        fn->pos++;
        return SDB_OK;
    }
    return SDB_OK;
}

static int function_scan_next(ExecNode *node, SdbBatch **out)
{
    FunctionScanNode *fn = (FunctionScanNode *)node;
    const SdbPlanFunctionScan *p = (const SdbPlanFunctionScan *)node->plan;
    sdb_arena_reset(node->batch_arena);
    *out = NULL;
    if (fn->empty)
        return SDB_OK;
    int n = 0;
    for (; n < SDB_BATCH_SIZE; n++) {
        bool isnull, done;
        if (srf_value(fn, node->batch_arena, &node->out.cols[0].values[n], &isnull, &done) != SDB_OK)
            return SDB_ERROR;
        if (done) {
            fn->empty = true;
            break;
        }
        sdb_vector_set_null(&node->out.cols[0], n, isnull);
        if (p->ordinality) {
            node->out.cols[1].values[n] = sdb_datum_from_int64(++fn->ordinal);
            sdb_vector_set_null(&node->out.cols[1], n, false);
        }
    }
    node->out.nrows = n;
    node->out.sel = NULL;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

ExecNode *exec_build_function_scan(SdbExecState *es, const SdbPlanFunctionScan *p)
{
    FunctionScanNode *fn = exec_node_alloc(es, &p->plan, sizeof(FunctionScanNode));
    if (fn == NULL || exec_env_init(&fn->node, &fn->node.env, NULL, 0, NULL, 0) != SDB_OK)
        return NULL;
    if (p->call->tag != SDB_E_FUNC_EXPR) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "only function calls are supported in FROM");
        return NULL;
    }
    const SdbBoundFuncExpr *call = (const SdbBoundFuncExpr *)p->call;
    SdbDatum args[4];
    bool nulls[4];
    if (call->nargs > 4) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning function %s with %d arguments is not supported",
                  call->func->name, call->nargs);
        return NULL;
    }
    for (int i = 0; i < call->nargs; i++) {
        ExecExpr *e = exec_expr_compile(&fn->node.env, call->args[i]);
        if (e == NULL || exec_eval_const(e, &args[i], &nulls[i]) != SDB_OK)
            return NULL;
    }
    int rc;
    if (strcmp(call->func->name, "generate_series") == 0)
        rc = series_init(fn, call, args, nulls);
    else if (strcmp(call->func->name, "unnest") == 0)
        rc = unnest_init(fn, call, args, nulls);
    else
        rc = sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning function %s is not supported in FROM",
                       call->func->name);
    if (rc != SDB_OK)
        return NULL;
    fn->node.next = function_scan_next;
    return &fn->node;
}
