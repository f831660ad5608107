/*
 * exec/op_setop.c: SetOp (UNION [ALL] streaming with a hash of rows seen;
 * INTERSECT/EXCEPT [ALL] counting each distinct row's occurrences on both
 * sides, PostgreSQL's duplicate rules), CteScan (the WITH query run once per
 * statement into a shared row store), RecursiveUnion and WorkTableScan.
 */
#include "exec/exec_int.h"

/* --- SetOp --------------------------------------------------------------- */

typedef struct SetOpNode {
    ExecNode node;
    ExecNode *left, *right;
    bool on_right;          /* reading the right input */
    bool consumed;          /* both inputs read */
    RowSet set;
    uint16_t *sel;
    size_t pos;             /* next row of the set to emit */
    int64_t repeat;         /* copies of it still to emit */
    SdbVector *owned;       /* the output vectors (UNION passes its inputs' instead) */
} SetOpNode;

static int64_t setop_copies(void *arg, int64_t nl, int64_t nr)
{
    const SdbPlanSetOp *p = arg;
    if (p->op == SDB_SET_OP_KIND_UNION)
        return 1;
    if (p->op == SDB_SET_OP_KIND_INTERSECT)
        return p->all ? (nl < nr ? nl : nr) : (nl > 0 && nr > 0);
    return p->all ? (nl > nr ? nl - nr : 0) : (nl > 0 && nr == 0);
}

/* Read the inputs: UNION ALL passes every batch, UNION the rows new to
 * the set; INTERSECT and EXCEPT count both sides and pass nothing. */
static int setop_read(SetOpNode *sn, SdbBatch **out)
{
    const SdbPlanSetOp *p = (const SdbPlanSetOp *)sn->node.plan;
    bool counting = p->op != SDB_SET_OP_KIND_UNION;
    for (;;) {
        SdbBatch *in;
        if (exec_next(sn->on_right ? sn->right : sn->left, &in) != SDB_OK)
            return SDB_ERROR;
        if (in == NULL) {
            if (sn->on_right) {
                sn->consumed = true;
                /* UNION emitted its rows in memory already: only spilled ones remain */
                sn->pos = counting ? 0 : sn->set.rows ? sn->set.rows->nrows : 0;
                return SDB_OK;
            }
            sn->on_right = true;
            continue;
        }
        if (counting) {
            if (rowset_add_batch(&sn->set, in, sn->on_right, NULL, NULL) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        sn->node.out.cols = in->cols;
        sn->node.out.nrows = in->nrows;
        sn->node.out.sel = in->sel;
        sn->node.out.nsel = in->nsel;
        if (!p->all) {
            int m;
            if (rowset_add_batch(&sn->set, in, 0, sn->sel, &m) != SDB_OK)
                return SDB_ERROR;
            sn->node.out.sel = sn->sel;
            sn->node.out.nsel = m;
        }
        *out = &sn->node.out;
        return SDB_OK;
    }
}

static int setop_next(ExecNode *node, SdbBatch **out)
{
    SetOpNode *sn = (SetOpNode *)node;
    const SdbPlanSetOp *p = (const SdbPlanSetOp *)node->plan;
    *out = NULL;
    if (!sn->consumed) {
        if (setop_read(sn, out) != SDB_OK)
            return SDB_ERROR;
        if (*out || (p->op == SDB_SET_OP_KIND_UNION && p->all))
            return SDB_OK;
    }
    node->out.cols = sn->owned;
    int n = rowset_emit(&sn->set, &sn->pos, &sn->repeat, setop_copies, (void *)p, &node->out);
    if (n < 0)
        return SDB_ERROR;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

ExecNode *exec_build_set_op(SdbExecState *es, const SdbPlanSetOp *p)
{
    SetOpNode *sn = exec_node_alloc(es, &p->plan, sizeof(SetOpNode));
    if (sn == NULL || (sn->left = exec_build(es, p->left)) == NULL || (sn->right = exec_build(es, p->right)) == NULL)
        return NULL;
    sn->sel = sdb_arena_alloc(sn->node.arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    sn->repeat = -1;
    if (sn->sel == NULL)
        return NULL;
    if (!(p->op == SDB_SET_OP_KIND_UNION && p->all) &&
        rowset_init(es, sn->node.arena, &sn->set, p->plan.cols, p->plan.ncols, true) != SDB_OK)
        return NULL;
    sn->owned = sn->node.out.cols;
    sn->node.next = setop_next;
    return &sn->node;
}

/* --- CteScan ------------------------------------------------------------- */

typedef struct CteScanNode {
    ExecNode node;
    CteState *cte;
    size_t pos;
} CteScanNode;

/* Run a CTE's plan to completion into cte->rows (in the statement's
 * arena, shared by every scan of it). */
static int cte_compute(SdbExecState *es, CteState *cte, const SdbPlan *plan)
{
    ExecShared *sh = es->sh;
    SdbArena *arena = sdb_arena_create(sh->arena, "cte", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbExecState *run = exec_state_create(es->ctx, sh, arena, NULL);
    cte->rows = rowstore_create(sh->arena, plan->cols, plan->ncols);
    if (run == NULL || cte->rows == NULL || exec_defer(sh->root, rowstore_cleanup, cte->rows) != SDB_OK)
        return SDB_ERROR;
    int rc = SDB_OK;
    ExecNode *root = exec_build(run, plan);
    if (root == NULL)
        rc = SDB_ERROR;
    while (rc == SDB_OK) {
        SdbBatch *b;
        rc = exec_next(root, &b);
        if (rc != SDB_OK || b == NULL)
            break;
        rc = rowstore_add_batch(cte->rows, b);
    }
    exec_run_cleanups(run);
    sdb_arena_destroy(arena);
    if (rc == SDB_OK)
        cte->computed = true;
    return rc;
}

static int cte_scan_next(ExecNode *node, SdbBatch **out)
{
    CteScanNode *cn = (CteScanNode *)node;
    const SdbPlanCteScan *p = (const SdbPlanCteScan *)node->plan;
    *out = NULL;
    if (!cn->cte->computed) {
        if (cte_compute(node->es, cn->cte, p->cte) != SDB_OK)
            return SDB_ERROR;
    }
    int n = rowstore_fill(cn->cte->rows, cn->pos, &node->out);
    cn->pos += n;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

ExecNode *exec_build_cte_scan(SdbExecState *es, const SdbPlanCteScan *p)
{
    CteScanNode *cn = exec_node_alloc(es, &p->plan, sizeof(CteScanNode));
    if (cn == NULL || (cn->cte = exec_cte(es, p->cte_id)) == NULL)
        return NULL;
    cn->node.next = cte_scan_next;
    return &cn->node;
}

/* --- RecursiveUnion / WorkTableScan ------------------------------------ */

typedef struct RecursiveUnionNode {
    ExecNode node;
    CteState *cte;
    ExecNode *anchor;
    SdbExecState *run;      /* the current round of the recursive part */
    SdbArena *run_arena;
    ExecNode *rec;
    RowStore *next;         /* rows of the current round */
    RowSet seen;            /* UNION: every row so far */
    uint16_t *sel;
    bool in_recursion;
} RecursiveUnionNode;

static int recursive_round(RecursiveUnionNode *rn)
{
    const SdbPlanRecursiveUnion *p = (const SdbPlanRecursiveUnion *)rn->node.plan;
    /* the round just produced becomes the work table */
    RowStore *t = rn->cte->work;
    rn->cte->work = rn->next;
    rn->next = t;
    rowstore_clear(rn->next);
    if (rn->run != NULL)
        exec_run_cleanups(rn->run);
    sdb_arena_reset(rn->run_arena);
    rn->run = exec_state_create(rn->node.es->ctx, rn->node.es->sh, rn->run_arena, rn->node.es->outer);
    if (rn->run == NULL || (rn->rec = exec_build(rn->run, p->recursive)) == NULL)
        return SDB_ERROR;
    rn->in_recursion = true;
    return SDB_OK;
}

static int recursive_union_next(ExecNode *node, SdbBatch **out)
{
    RecursiveUnionNode *rn = (RecursiveUnionNode *)node;
    const SdbPlanRecursiveUnion *p = (const SdbPlanRecursiveUnion *)node->plan;
    *out = NULL;
    for (;;) {
        SdbBatch *in;
        if (exec_next(rn->in_recursion ? rn->rec : rn->anchor, &in) != SDB_OK)
            return SDB_ERROR;
        if (in == NULL) {
            if (rn->in_recursion && rn->next->nrows == 0)
                return SDB_OK;
            if (recursive_round(rn) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        node->out.cols = in->cols;
        node->out.nrows = in->nrows;
        node->out.sel = in->sel;
        node->out.nsel = in->nsel;
        if (!p->all) {
            int m;
            if (rowset_add_batch(&rn->seen, in, 0, rn->sel, &m) != SDB_OK)
                return SDB_ERROR;
            node->out.sel = rn->sel;
            node->out.nsel = m;
        }
        if (rowstore_add_batch(rn->next, &node->out) != SDB_OK)
            return SDB_ERROR;
        *out = &node->out;
        return SDB_OK;
    }
}

static void recursive_union_free(void *arg)
{
    RecursiveUnionNode *rn = arg;
    if (rn->run != NULL)
        exec_run_cleanups(rn->run);
    rowstore_clear(rn->next);
    rowstore_clear(rn->cte->work);
}

ExecNode *exec_build_recursive_union(SdbExecState *es, const SdbPlanRecursiveUnion *p)
{
    RecursiveUnionNode *rn = exec_node_alloc(es, &p->plan, sizeof(RecursiveUnionNode));
    if (rn == NULL || (rn->cte = exec_cte(es, p->cte_id)) == NULL || (rn->anchor = exec_build(es, p->anchor)) == NULL)
        return NULL;
    SdbArena *arena = rn->node.arena;
    rn->next = rowstore_create(arena, p->plan.cols, p->plan.ncols);
    rn->cte->work = rowstore_create(arena, p->plan.cols, p->plan.ncols);
    rn->run_arena = sdb_arena_create(arena, "recursion", 0);
    rn->sel = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    if (rn->next == NULL || rn->cte->work == NULL || rn->run_arena == NULL || rn->sel == NULL ||
        exec_defer(es, recursive_union_free, rn) != SDB_OK)
        return NULL;
    if (!p->all && rowset_init(es, arena, &rn->seen, p->plan.cols, p->plan.ncols, false) != SDB_OK)
        return NULL;
    rn->node.next = recursive_union_next;
    return &rn->node;
}

typedef struct WorkTableScanNode {
    ExecNode node;
    CteState *cte;
    size_t pos;
} WorkTableScanNode;

static int work_table_scan_next(ExecNode *node, SdbBatch **out)
{
    WorkTableScanNode *wn = (WorkTableScanNode *)node;
    *out = NULL;
    if (wn->cte->work == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "work table scan outside of its recursive union");
    int n = rowstore_fill(wn->cte->work, wn->pos, &node->out);
    wn->pos += n;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

ExecNode *exec_build_work_table_scan(SdbExecState *es, const SdbPlanWorkTableScan *p)
{
    WorkTableScanNode *wn = exec_node_alloc(es, &p->plan, sizeof(WorkTableScanNode));
    if (wn == NULL || (wn->cte = exec_cte(es, p->cte_id)) == NULL)
        return NULL;
    wn->node.next = work_table_scan_next;
    return &wn->node;
}
