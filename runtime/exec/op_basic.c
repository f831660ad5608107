/*
 * exec/op_basic.c: the streaming operators: Values, OneRow, Filter (narrows
 * the selection vector), Project (output vectors are the expressions'
 * result vectors, no copies), Limit (OFFSET, LIMIT, WITH TIES).
 */
#include "exec/exec_int.h"

int exec_eval_const(ExecExpr *e, SdbDatum *value, bool *isnull)
{
    static SdbBatch empty = {.ncols = 0, .nrows = 1};
    return exec_eval_row(e, &empty, 0, value, isnull);
}

/* --- Values -------------------------------------------------------------- */

typedef struct ValuesNode {
    ExecNode node;
    ExecExpr **exprs;
    int next_row;
} ValuesNode;

static int values_next(ExecNode *node, SdbBatch **out)
{
    ValuesNode *vn = (ValuesNode *)node;
    const SdbPlanValues *p = (const SdbPlanValues *)node->plan;
    int ncols = p->plan.ncols;
    sdb_arena_reset(node->batch_arena);
    int n = 0;
    for (; vn->next_row < p->nrows && n < SDB_BATCH_SIZE; vn->next_row++, n++)
        for (int c = 0; c < ncols; c++) {
            bool isnull;
            SdbVector *v = &node->out.cols[c];
            if (exec_eval_const(vn->exprs[vn->next_row * ncols + c], &v->values[n], &isnull) != SDB_OK)
                return SDB_ERROR;
            sdb_vector_set_null(v, n, isnull);
        }
    node->out.nrows = n;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

ExecNode *exec_build_values(SdbExecState *es, const SdbPlanValues *p)
{
    ValuesNode *vn = exec_node_alloc(es, &p->plan, sizeof(ValuesNode));
    if (vn == NULL || exec_env_init(&vn->node, &vn->node.env, NULL, 0, NULL, 0) != SDB_OK)
        return NULL;
    vn->exprs = exec_exprs_compile(&vn->node.env, p->rows, p->nrows * p->plan.ncols);
    if (vn->exprs == NULL)
        return NULL;
    vn->node.next = values_next;
    return &vn->node;
}

/* --- OneRow -------------------------------------------------------------- */

static int one_row_next(ExecNode *node, SdbBatch **out)
{
    node->out.nrows = 1;
    node->done = true;
    *out = &node->out;
    return SDB_OK;
}

ExecNode *exec_build_one_row(SdbExecState *es, const SdbPlan *p)
{
    ExecNode *node = exec_node_alloc(es, p, sizeof(ExecNode));
    if (node == NULL)
        return NULL;
    node->next = one_row_next;
    return node;
}

/* --- Filter -------------------------------------------------------------- */

typedef struct FilterNode {
    ExecNode node;
    ExecNode *child;
    ExecExpr **quals;
    uint16_t *sel;
} FilterNode;

static int filter_next(ExecNode *node, SdbBatch **out)
{
    FilterNode *fn = (FilterNode *)node;
    const SdbPlanFilter *p = (const SdbPlanFilter *)node->plan;
    SdbBatch *in;
    sdb_arena_reset(node->batch_arena);
    if (exec_next(fn->child, &in) != SDB_OK)
        return SDB_ERROR;
    if (in == NULL) {
        *out = NULL;
        return SDB_OK;
    }
    int n;
    if (exec_qual_batch(fn->quals, p->nquals, in, fn->sel, &n) != SDB_OK)
        return SDB_ERROR;
    node->out.cols = in->cols;
    node->out.ncols = in->ncols;
    node->out.nrows = in->nrows;
    node->out.sel = fn->sel;
    node->out.nsel = n;
    *out = &node->out;
    return SDB_OK;
}

ExecNode *exec_build_filter(SdbExecState *es, const SdbPlanFilter *p)
{
    FilterNode *fn = exec_node_alloc(es, &p->plan, sizeof(FilterNode));
    if (fn == NULL || (fn->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&fn->node, &fn->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    fn->quals = exec_exprs_compile(&fn->node.env, p->quals, p->nquals);
    fn->sel = sdb_arena_alloc(fn->node.arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    if (fn->quals == NULL || fn->sel == NULL)
        return NULL;
    fn->node.next = filter_next;
    return &fn->node;
}

/* --- Project ------------------------------------------------------------- */

typedef struct ProjectNode {
    ExecNode node;
    ExecNode *child;
    ExecExpr **exprs;
} ProjectNode;

static int project_next(ExecNode *node, SdbBatch **out)
{
    ProjectNode *pn = (ProjectNode *)node;
    const SdbPlanProject *p = (const SdbPlanProject *)node->plan;
    SdbBatch *in;
    sdb_arena_reset(node->batch_arena);
    if (exec_next(pn->child, &in) != SDB_OK)
        return SDB_ERROR;
    if (in == NULL) {
        *out = NULL;
        return SDB_OK;
    }
    int n = sdb_batch_live(in);
    for (int i = 0; i < p->nexprs; i++) {
        SdbVector *v;
        if (sdb_exec_eval_batch(pn->exprs[i], in, in->sel, n, &v) != SDB_OK)
            return SDB_ERROR;
        node->out.cols[i].values = v->values;
        node->out.cols[i].nulls = v->nulls;
    }
    node->out.nrows = in->nrows;
    node->out.sel = in->sel;
    node->out.nsel = in->nsel;
    *out = &node->out;
    return SDB_OK;
}

ExecNode *exec_build_project(SdbExecState *es, const SdbPlanProject *p)
{
    ProjectNode *pn = exec_node_alloc(es, &p->plan, sizeof(ProjectNode));
    if (pn == NULL || (pn->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&pn->node, &pn->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    pn->exprs = exec_exprs_compile(&pn->node.env, p->exprs, p->nexprs);
    if (pn->exprs == NULL)
        return NULL;
    pn->node.next = project_next;
    return &pn->node;
}

/* --- Limit --------------------------------------------------------------- */

typedef struct LimitNode {
    ExecNode node;
    ExecNode *child;
    int64_t offset;        /* rows still to skip */
    int64_t left;          /* rows still to pass; -1: no limit */
    uint16_t *sel;
    /* WITH TIES: the child Sort's keys and the last passed row's values */
    int nkeys;
    ExecExpr **keys;
    SortKey *sortkeys;
    SdbDatum *last;
    bool *last_null;
    SdbArena *last_arena;
    bool ties;             /* passing ties of the last row */
} LimitNode;

static int limit_count(LimitNode *ln, const SdbExpr *expr, const char *what, int64_t *out)
{
    ExecExpr *e = exec_expr_compile(&ln->node.env, expr);
    SdbDatum v;
    bool isnull;
    if (e == NULL || exec_eval_const(e, &v, &isnull) != SDB_OK)
        return SDB_ERROR;
    if (isnull) {
        *out = -1;
        return SDB_OK;
    }
    *out = sdb_datum_to_int64(v);
    if (*out < 0)
        return sdb_error(what[0] == 'L' ? SDB_ERR_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
                                        : SDB_ERR_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
                         "%s must not be negative", what);
    return SDB_OK;
}

/* Whether row r of `in` has the saved last row's key values. */
static int limit_is_tie(LimitNode *ln, SdbVector **kv, int r, bool *tie)
{
    *tie = true;
    for (int k = 0; k < ln->nkeys && *tie; k++) {
        bool isnull = sdb_vector_is_null(kv[k], r);
        *tie = exec_compare_datum(&ln->sortkeys[k], kv[k]->values[r], isnull, ln->last[k], ln->last_null[k]) == 0;
    }
    return SDB_OK;
}

static int limit_save_last(LimitNode *ln, SdbVector **kv, int r)
{
    sdb_arena_reset(ln->last_arena);
    for (int k = 0; k < ln->nkeys; k++) {
        ln->last_null[k] = sdb_vector_is_null(kv[k], r);
        if (!ln->last_null[k] &&
            exec_datum_copy(ln->last_arena, kv[k]->type, kv[k]->values[r], &ln->last[k]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int limit_next(ExecNode *node, SdbBatch **out)
{
    LimitNode *ln = (LimitNode *)node;
    *out = NULL;
    if (ln->left == 0 && !ln->ties)
        return SDB_OK;
    SdbBatch *in;
    sdb_arena_reset(node->batch_arena);
    if (exec_next(ln->child, &in) != SDB_OK)
        return SDB_ERROR;
    if (in == NULL)
        return SDB_OK;
    int n = sdb_batch_live(in), m = 0;
    SdbVector *kv[ln->nkeys + 1];
    for (int k = 0; k < ln->nkeys; k++)
        if (sdb_exec_eval_batch(ln->keys[k], in, in->sel, n, &kv[k]) != SDB_OK)
            return SDB_ERROR;
    int i = 0;
    for (; i < n && ln->offset > 0; i++)
        ln->offset--;
    for (; i < n; i++) {
        int r = sdb_batch_row(in, i);
        if (ln->left == 0) {
            bool tie = false;
            if (ln->ties && limit_is_tie(ln, kv, r, &tie) != SDB_OK)
                return SDB_ERROR;
            if (!tie) {
                ln->ties = false;
                break;
            }
        } else if (ln->left > 0 && --ln->left == 0 && ln->nkeys > 0) {
            if (limit_save_last(ln, kv, r) != SDB_OK)
                return SDB_ERROR;
            ln->ties = true;
        }
        ln->sel[m++] = (uint16_t)r;
    }
    node->out.cols = in->cols;
    node->out.ncols = in->ncols;
    node->out.nrows = in->nrows;
    node->out.sel = ln->sel;
    node->out.nsel = m;
    *out = &node->out;
    return SDB_OK;
}

ExecNode *exec_build_limit(SdbExecState *es, const SdbPlanLimit *p)
{
    LimitNode *ln = exec_node_alloc(es, &p->plan, sizeof(LimitNode));
    if (ln == NULL || (ln->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&ln->node, &ln->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    ln->sel = sdb_arena_alloc(ln->node.arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    if (ln->sel == NULL)
        return NULL;
    ln->offset = 0;
    ln->left = -1;
    if ((p->offset && limit_count(ln, p->offset, "OFFSET", &ln->offset) != SDB_OK) ||
        (p->limit && limit_count(ln, p->limit, "LIMIT", &ln->left) != SDB_OK))
        return NULL;
    if (ln->offset < 0)
        ln->offset = 0;
    /* a sort under a plain LIMIT keeps only the rows that can be returned */
    if (p->child->tag == SDB_P_SORT && !p->with_ties && ln->left > 0 && ln->left + ln->offset <= 1 << 20 &&
        exec_sort_bound(ln->child, (size_t)(ln->left + ln->offset)) != SDB_OK)
        return NULL;
    if (p->with_ties && p->child->tag == SDB_P_SORT) {
        const SdbPlanSort *s = (const SdbPlanSort *)p->child;
        SdbOid types[s->nkeys + 1];
        for (int k = 0; k < s->nkeys; k++)
            types[k] = s->keys[k]->type;
        ln->nkeys = s->nkeys;
        ln->keys = exec_exprs_compile(&ln->node.env, s->keys, s->nkeys);
        ln->last = sdb_arena_alloc(ln->node.arena, (s->nkeys + 1) * sizeof(SdbDatum));
        ln->last_null = sdb_arena_alloc(ln->node.arena, (s->nkeys + 1) * sizeof(bool));
        ln->last_arena = sdb_arena_create(ln->node.arena, "limit ties", 0);
        if (ln->keys == NULL || ln->last == NULL || ln->last_null == NULL || ln->last_arena == NULL ||
            exec_sortkeys_init(ln->node.arena, types, s->flags, s->nkeys, &ln->sortkeys) != SDB_OK)
            return NULL;
    }
    ln->node.next = limit_next;
    return &ln->node;
}
