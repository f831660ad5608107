/*
 * exec/op_sort.c: Sort (stable merge sort of materialized rows; above
 * work_mem, sorted runs written to temp files and merged with a heap) and
 * Distinct (hash of all columns keeping first occurrences, or DISTINCT ON
 * keeping the first row of each group of its sorted input).  Also the
 * sorter the Window and Aggregate operators reuse.
 */
#include "exec/exec_int.h"

/* --- the sorter ---------------------------------------------------------- */

static int sorter_cmp(const Sorter *s, const Row *a, const Row *b)
{
    int ncols = s->desc.ncols;
    for (int k = 0; k < s->nkeys; k++) {
        int c = s->keypos[k];
        int r = exec_compare_datum(&s->keys[k], a[c], row_is_null(a, ncols, c), b[c], row_is_null(b, ncols, c));
        if (r != 0)
            return r;
    }
    return 0;
}

/* Stable merge sort of rows[0..n) using tmp[0..n). */
static void merge_sort(const Sorter *s, Row **rows, Row **tmp, size_t n)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            Row *x = rows[i];
            size_t j = i;
            for (; j > 0 && sorter_cmp(s, rows[j - 1], x) > 0; j--)
                rows[j] = rows[j - 1];
            rows[j] = x;
        }
        return;
    }
    size_t half = n / 2;
    merge_sort(s, rows, tmp, half);
    merge_sort(s, rows + half, tmp, n - half);
    if (sorter_cmp(s, rows[half - 1], rows[half]) <= 0)
        return;
    memcpy(tmp, rows, half * sizeof(Row *));
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        rows[k++] = sorter_cmp(s, rows[j], tmp[i]) < 0 ? rows[j++] : tmp[i++];
    while (i < half)
        rows[k++] = tmp[i++];
}

static int sort_memory(Sorter *s)
{
    RowStore *st = s->store;
    if (st->nrows < 2)
        return SDB_OK;
    Row **tmp = sdb_malloc(st->nrows * sizeof(Row *));
    if (tmp == NULL)
        return SDB_ERROR;
    merge_sort(s, st->rows, tmp, st->nrows);
    sdb_free(tmp);
    return SDB_OK;
}

int sorter_init(Sorter *s, SdbExecState *es, SdbArena *arena, const SdbPlanColumn *cols, int ncols,
                const int *keypos, const SdbOid *keytypes, const int *flags, int nkeys)
{
    memset(s, 0, sizeof(*s));
    s->es = es;
    s->arena = arena;
    s->nkeys = nkeys;
    s->keypos = keypos;
    s->store = rowstore_create(arena, cols, ncols);
    if (s->store == NULL)
        return SDB_ERROR;
    s->desc = s->store->desc;
    return exec_sortkeys_init(arena, keytypes, flags, nkeys, &s->keys);
}

/* Sort what is in memory and write it as one more run. */
static int sorter_spill(Sorter *s)
{
    if (sort_memory(s) != SDB_OK)
        return SDB_ERROR;
    if (s->nruns == s->capruns) {
        int cap = s->capruns ? s->capruns * 2 : 8;
        FILE **runs = sdb_arena_alloc(s->arena, cap * sizeof(FILE *));
        if (runs == NULL)
            return SDB_ERROR;
        for (int i = 0; i < s->nruns; i++)
            runs[i] = s->runs[i];
        s->runs = runs;
        s->capruns = cap;
    }
    FILE *f = exec_temp_file(s->es);
    if (f == NULL)
        return SDB_ERROR;
    for (size_t i = 0; i < s->store->nrows; i++)
        if (row_write(f, &s->desc, s->store->rows[i]) != SDB_OK)
            return SDB_ERROR;
    s->runs[s->nruns++] = f;
    rowstore_clear(s->store);
    return SDB_OK;
}

/* --- bounded sort --------------------------------------------------------- */

typedef struct TopEnt {
    Row *row;
    uint64_t seq;
} TopEnt;

/* (key, arrival) order: among equal keys the earlier row comes first. */
static int top_cmp(const Sorter *s, const TopEnt *a, const TopEnt *b)
{
    int c = sorter_cmp(s, a->row, b->row);
    return c != 0 ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

static void top_down(Sorter *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->ntop && top_cmp(s, &s->top[l], &s->top[m]) > 0)
            m = l;
        if (r < s->ntop && top_cmp(s, &s->top[r], &s->top[m]) > 0)
            m = r;
        if (m == i)
            return;
        TopEnt t = s->top[i];
        s->top[i] = s->top[m];
        s->top[m] = t;
        i = m;
    }
}

static void top_up(Sorter *s, size_t i)
{
    while (i > 0 && top_cmp(s, &s->top[(i - 1) / 2], &s->top[i]) < 0) {
        TopEnt t = s->top[i];
        s->top[i] = s->top[(i - 1) / 2];
        s->top[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

int sorter_set_bound(Sorter *s, size_t bound)
{
    s->top = sdb_arena_alloc(s->arena, (bound + 1) * sizeof(TopEnt));
    if (s->top == NULL)
        return SDB_ERROR;
    s->bound = bound;
    return SDB_OK;
}

/* Copy the kept rows into a fresh arena, dropping the rejected ones. */
static int top_compact(Sorter *s)
{
    SdbArena *fresh = sdb_arena_create(s->arena, "rows", 0);
    if (fresh == NULL)
        return SDB_ERROR;
    for (size_t i = 0; i < s->ntop; i++)
        if ((s->top[i].row = row_copy(fresh, &s->desc, s->top[i].row)) == NULL) {
            sdb_arena_destroy(fresh);
            return SDB_ERROR;
        }
    sdb_arena_destroy(s->store->arena);
    s->store->arena = fresh;
    s->garbage = 0;
    return SDB_OK;
}

static int top_add(Sorter *s, Row *r)
{
    TopEnt e = {.row = r, .seq = s->seq++};
    if (s->ntop < s->bound) {
        s->top[s->ntop++] = e;
        top_up(s, s->ntop - 1);
        return SDB_OK;
    }
    if (top_cmp(s, &e, &s->top[0]) < 0) {
        s->top[0] = e;
        top_down(s, 0);
    }
    if (++s->garbage > s->bound + 4096)
        return top_compact(s);
    return SDB_OK;
}

/* The kept rows into the store, in order. */
static int top_finish(Sorter *s)
{
    size_t n = s->ntop;
    /* heap -> ascending order by repeatedly moving the maximum to the end */
    while (s->ntop > 1) {
        TopEnt t = s->top[0];
        s->top[0] = s->top[--s->ntop];
        s->top[s->ntop] = t;
        top_down(s, 0);
    }
    s->store->nrows = 0;
    for (size_t i = 0; i < n; i++)
        if (rowstore_add(s->store, s->top[i].row) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sorter_add(Sorter *s, Row *r)
{
    if (s->bound > 0)
        return top_add(s, r);
    if (rowstore_add(s->store, r) != SDB_OK)
        return SDB_ERROR;
    int64_t limit = s->es->ctx->work_mem;
    if (limit > 0 && (int64_t)rowstore_bytes(s->store) > limit && s->store->nrows > 1)
        return sorter_spill(s);
    return SDB_OK;
}

/* Heap of run heads: smallest row first, earlier run first among equals. */
static bool head_less(const Sorter *s, int a, int b)
{
    int c = sorter_cmp(s, s->heads[a], s->heads[b]);
    return c < 0 || (c == 0 && a < b);
}

static void heap_down(Sorter *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && head_less(s, s->heap[l], s->heap[m]))
            m = l;
        if (r < s->nheap && head_less(s, s->heap[r], s->heap[m]))
            m = r;
        if (m == i)
            return;
        int t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

static int run_advance(Sorter *s, int run)
{
    sdb_arena_reset(s->run_arenas[run]);
    return row_read(s->runs[run], s->run_arenas[run], &s->desc, &s->heads[run]);
}

int sorter_finish(Sorter *s)
{
    if (s->bound > 0)
        return top_finish(s);
    if (s->nruns == 0)
        return sort_memory(s);
    if (s->store->nrows > 0 && sorter_spill(s) != SDB_OK)
        return SDB_ERROR;
    s->heads = sdb_arena_calloc(s->arena, s->nruns, sizeof(Row *));
    s->heap = sdb_arena_calloc(s->arena, s->nruns, sizeof(int));
    s->run_arenas = sdb_arena_calloc(s->arena, s->nruns, sizeof(SdbArena *));
    if (s->heads == NULL || s->heap == NULL || s->run_arenas == NULL)
        return SDB_ERROR;
    for (int i = 0; i < s->nruns; i++) {
        if (fflush(s->runs[i]) != 0 || fseek(s->runs[i], 0, SEEK_SET) != 0)
            return sdb_error(SDB_ERR_IO_ERROR, "could not rewind temporary file");
        if ((s->run_arenas[i] = sdb_arena_create(s->arena, "sort run", 0)) == NULL || run_advance(s, i) != SDB_OK)
            return SDB_ERROR;
        if (s->heads[i] != NULL)
            s->heap[s->nheap++] = i;
    }
    for (int i = s->nheap / 2 - 1; i >= 0; i--)
        heap_down(s, i);
    s->merging = true;
    return SDB_OK;
}

int sorter_next(Sorter *s, SdbArena *arena, Row **out)
{
    *out = NULL;
    if (!s->merging) {
        if (s->pos < s->store->nrows)
            *out = s->store->rows[s->pos++];
        return SDB_OK;
    }
    if (s->nheap == 0)
        return SDB_OK;
    int run = s->heap[0];
    Row *r = s->heads[run];
    Row *copy = row_copy(arena, &s->desc, r);
    if (copy == NULL || run_advance(s, run) != SDB_OK)
        return SDB_ERROR;
    if (s->heads[run] == NULL)
        s->heap[0] = s->heap[--s->nheap];
    heap_down(s, 0);
    *out = copy;
    return SDB_OK;
}

/* --- Sort ---------------------------------------------------------------- */

typedef struct SortNode {
    ExecNode node;
    ExecNode *child;
    ExecExpr **keys;
    int nchild;          /* child columns; key values not among them follow */
    int *keypos;
    Sorter sorter;
    bool sorted;
} SortNode;

/* Materialize the child's rows with the computed keys appended. */
static int sort_consume(SortNode *sn)
{
    const SdbPlanSort *p = (const SdbPlanSort *)sn->node.plan;
    int width = sn->sorter.desc.ncols;
    SdbDatum values[width + 1];
    bool nulls[width + 1];
    for (;;) {
        SdbBatch *in;
        sdb_arena_reset(sn->node.batch_arena);
        if (exec_next(sn->child, &in) != SDB_OK)
            return SDB_ERROR;
        if (in == NULL)
            break;
        int n = sdb_batch_live(in);
        SdbVector *kv[p->nkeys + 1];
        for (int k = 0; k < p->nkeys; k++)
            if (sdb_exec_eval_batch(sn->keys[k], in, in->sel, n, &kv[k]) != SDB_OK)
                return SDB_ERROR;
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(in, i);
            for (int c = 0; c < sn->nchild; c++) {
                values[c] = in->cols[c].values[r];
                nulls[c] = sdb_vector_is_null(&in->cols[c], r);
            }
            for (int k = 0; k < p->nkeys; k++)
                if (sn->keypos[k] >= sn->nchild) {
                    values[sn->keypos[k]] = kv[k]->values[r];
                    nulls[sn->keypos[k]] = sdb_vector_is_null(kv[k], r);
                }
            Row *row = row_from_values(sn->sorter.store->arena, &sn->sorter.desc, values, nulls);
            if (row == NULL || sorter_add(&sn->sorter, row) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return sorter_finish(&sn->sorter);
}

static int sort_next(ExecNode *node, SdbBatch **out)
{
    SortNode *sn = (SortNode *)node;
    if (!sn->sorted) {
        if (sort_consume(sn) != SDB_OK)
            return SDB_ERROR;
        sn->sorted = true;
    }
    sdb_arena_reset(node->batch_arena);
    int n = 0, ncols = sn->sorter.desc.ncols;
    for (; n < SDB_BATCH_SIZE; n++) {
        Row *r;
        if (sorter_next(&sn->sorter, node->batch_arena, &r) != SDB_OK)
            return SDB_ERROR;
        if (r == NULL)
            break;
        for (int c = 0; c < sn->nchild; c++) {
            node->out.cols[c].values[n] = r[c];
            sdb_vector_set_null(&node->out.cols[c], n, row_is_null(r, ncols, c));
        }
    }
    node->out.nrows = n;
    node->out.sel = NULL;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

int exec_sort_bound(ExecNode *node, size_t bound)
{
    return sorter_set_bound(&((SortNode *)node)->sorter, bound);
}

static void sort_cleanup(void *arg)
{
    SortNode *sn = arg;
    rowstore_clear(sn->sorter.store);
}

ExecNode *exec_build_sort(SdbExecState *es, const SdbPlanSort *p)
{
    SortNode *sn = exec_node_alloc(es, &p->plan, sizeof(SortNode));
    if (sn == NULL || (sn->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&sn->node, &sn->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    sn->nchild = p->child->ncols;
    sn->keys = exec_exprs_compile(&sn->node.env, p->keys, p->nkeys);
    sn->keypos = sdb_arena_alloc(sn->node.arena, (p->nkeys + 1) * sizeof(int));
    SdbPlanColumn *cols = sdb_arena_alloc(sn->node.arena, (sn->nchild + p->nkeys + 1) * sizeof(SdbPlanColumn));
    SdbOid *types = sdb_arena_alloc(sn->node.arena, (p->nkeys + 1) * sizeof(SdbOid));
    if (sn->keys == NULL || sn->keypos == NULL || cols == NULL || types == NULL)
        return NULL;
    memcpy(cols, p->child->cols, sn->nchild * sizeof(SdbPlanColumn));
    int width = sn->nchild;
    for (int k = 0; k < p->nkeys; k++) {
        types[k] = p->keys[k]->type;
        if (sn->keys[k]->kind == EE_VAR) {
            sn->keypos[k] = sn->keys[k]->col;
        } else {
            sn->keypos[k] = width;
            cols[width] = (SdbPlanColumn){.table = -1, .column = k, .type = p->keys[k]->type, .typmod = -1};
            width++;
        }
    }
    if (sorter_init(&sn->sorter, es, sn->node.arena, cols, width, sn->keypos, types, p->flags, p->nkeys) != SDB_OK ||
        exec_defer(es, sort_cleanup, sn) != SDB_OK)
        return NULL;
    sn->node.next = sort_next;
    return &sn->node;
}

/* --- Distinct ------------------------------------------------------------ */

typedef struct DistinctNode {
    ExecNode node;
    ExecNode *child;
    uint16_t *sel;
    /* all columns: the rows seen so far */
    RowSet set;
    bool consumed;
    size_t pos;             /* spilled rows: next to emit */
    int64_t repeat;
    SdbVector *owned;
    /* DISTINCT ON: its keys and the previous row's values */
    int nkeys;
    ExecExpr **keys;
    const SdbTypeOps **ops;
    int *keypos;
    RowDesc kdesc;
    Row *prev;
    SdbArena *prev_arena[2];
    int prev_which;
} DistinctNode;

static int distinct_on(DistinctNode *dn, SdbBatch *in, int *m)
{
    int n = sdb_batch_live(in);
    SdbVector *kv[dn->nkeys + 1];
    SdbDatum values[dn->nkeys + 1];
    bool nulls[dn->nkeys + 1];
    for (int k = 0; k < dn->nkeys; k++)
        if (sdb_exec_eval_batch(dn->keys[k], in, in->sel, n, &kv[k]) != SDB_OK)
            return SDB_ERROR;
    *m = 0;
    for (int i = 0; i < n; i++) {
        int r = sdb_batch_row(in, i);
        if (dn->prev != NULL && exec_keys_equal(dn->ops, kv, r, dn->prev, dn->nkeys, dn->keypos, dn->nkeys, true))
            continue;
        for (int k = 0; k < dn->nkeys; k++) {
            values[k] = kv[k]->values[r];
            nulls[k] = sdb_vector_is_null(kv[k], r);
        }
        dn->prev_which ^= 1;
        sdb_arena_reset(dn->prev_arena[dn->prev_which]);
        dn->prev = row_from_values(dn->prev_arena[dn->prev_which], &dn->kdesc, values, nulls);
        if (dn->prev == NULL)
            return SDB_ERROR;
        dn->sel[(*m)++] = (uint16_t)r;
    }
    return SDB_OK;
}

static int64_t distinct_copies(void *arg, int64_t n0, int64_t n1)
{
    (void)arg;
    (void)n0;
    (void)n1;
    return 1;
}

static int distinct_next(ExecNode *node, SdbBatch **out)
{
    DistinctNode *dn = (DistinctNode *)node;
    const SdbPlanDistinct *p = (const SdbPlanDistinct *)node->plan;
    *out = NULL;
    if (dn->consumed) {
        /* rows spilled to partitions, each partition's distinct rows */
        node->out.cols = dn->owned;
        int n = rowset_emit(&dn->set, &dn->pos, &dn->repeat, distinct_copies, NULL, &node->out);
        if (n < 0)
            return SDB_ERROR;
        *out = n ? &node->out : NULL;
        return SDB_OK;
    }
    SdbBatch *in;
    sdb_arena_reset(node->batch_arena);
    if (exec_next(dn->child, &in) != SDB_OK)
        return SDB_ERROR;
    if (in == NULL) {
        dn->consumed = true;
        if (p->non > 0)
            return SDB_OK;
        dn->pos = dn->set.rows->nrows;
        return distinct_next(node, out);
    }
    int m;
    if ((p->non > 0 ? distinct_on(dn, in, &m) : rowset_add_batch(&dn->set, in, 0, dn->sel, &m)) != SDB_OK)
        return SDB_ERROR;
    node->out.cols = in->cols;
    node->out.ncols = in->ncols;
    node->out.nrows = in->nrows;
    node->out.sel = dn->sel;
    node->out.nsel = m;
    *out = &node->out;
    return SDB_OK;
}

static int distinct_on_init(DistinctNode *dn, const SdbPlanDistinct *p)
{
    SdbArena *arena = dn->node.arena;
    int nkeys = dn->nkeys = p->non;
    dn->keys = exec_exprs_compile(&dn->node.env, p->on, nkeys);
    dn->ops = sdb_arena_alloc(arena, (nkeys + 1) * sizeof(SdbTypeOps *));
    dn->keypos = sdb_arena_alloc(arena, (nkeys + 1) * sizeof(int));
    SdbPlanColumn *cols = sdb_arena_calloc(arena, nkeys + 1, sizeof(SdbPlanColumn));
    dn->prev_arena[0] = sdb_arena_create(arena, "distinct on", 0);
    dn->prev_arena[1] = sdb_arena_create(arena, "distinct on", 0);
    if (dn->keys == NULL || dn->ops == NULL || dn->keypos == NULL || cols == NULL || dn->prev_arena[0] == NULL ||
        dn->prev_arena[1] == NULL)
        return SDB_ERROR;
    for (int k = 0; k < nkeys; k++) {
        SdbOid type = p->on[k]->type;
        dn->keypos[k] = k;
        cols[k] = (SdbPlanColumn){.table = -1, .type = type, .typmod = -1};
        if ((dn->ops[k] = sdb_type_ops(type)) == NULL || dn->ops[k]->compare == NULL)
            return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an equality operator for type %s",
                             sdb_type_by_oid(type) ? sdb_type_by_oid(type)->name : "unknown");
    }
    return rowdesc_init(arena, &dn->kdesc, cols, nkeys);
}

ExecNode *exec_build_distinct(SdbExecState *es, const SdbPlanDistinct *p)
{
    DistinctNode *dn = exec_node_alloc(es, &p->plan, sizeof(DistinctNode));
    if (dn == NULL || (dn->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&dn->node, &dn->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    dn->sel = sdb_arena_alloc(dn->node.arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    dn->owned = dn->node.out.cols;
    dn->repeat = -1;
    if (dn->sel == NULL)
        return NULL;
    if (p->non > 0 ? distinct_on_init(dn, p) != SDB_OK
                   : rowset_init(es, dn->node.arena, &dn->set, p->child->cols, p->child->ncols, true) != SDB_OK)
        return NULL;
    dn->node.next = distinct_next;
    return &dn->node;
}
