/*
 * exec/op_scan.c: Scan, the leaf that reads stored rows (a table or index
 * scan of access/table.h with the pushed-down filters applied to each
 * batch).  FunctionScan is in op_srf.c.
 */
#include "exec/exec_int.h"

#include "access/table.h"

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
        if (node->stats)
            node->stats->removed += node->out.nrows - n;
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
        if (isnull) /* = NULL matches nothing */
            range->empty = true;
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
        if (isnull) /* a comparison with NULL: nothing qualifies */
            range->empty = true;
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
    /* the statement's ACCESS SHARE lock (waits for LOCK TABLE's stronger modes) */
    if (!rel->system && ctx->txn != NULL &&
        sdb_table_lock_relation(&sn->ac, rel, SDB_LOCK_ACCESS_SHARE, false, true) != SDB_OK)
        return NULL;
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
