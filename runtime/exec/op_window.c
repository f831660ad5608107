/*
 * exec/op_window.c: Window.  The child's rows are materialized with, per
 * window function, its arguments, FILTER, PARTITION BY and ORDER BY values
 * appended; each function then sorts the row numbers (stably) by its
 * partition and order keys, walks the partitions, finds peer groups and
 * each row's frame (ROWS, RANGE with offsets through the key type's + and
 * -, GROUPS; EXCLUDE), and computes its value per row: window functions
 * through sdb_window_call with an argument callback, aggregates through
 * init/step/final, stepping incrementally while the frame only grows.
 * Rows come out in the last function's window order.
 */
#include "exec/exec_int.h"

#include "expr/agg.h"
#include "sdb_operators.h"

typedef struct WinFunc {
    const SdbBoundWindowFunc *wf;
    bool is_agg;
    int nargs, argcol;        /* arguments in the materialized row */
    int filtercol;            /* -1: none */
    int npart, partcol;
    int norder, ordercol;
    SortKey *sortkeys;        /* partition keys then order keys */
    int *sortpos;
    SortKey *orderkeys;
    const SdbTypeOps **partops;
    /* frame offsets */
    int64_t start_rows, end_rows;             /* ROWS / GROUPS */
    SdbDatum start_val, end_val;              /* RANGE */
    const SdbFuncInfo *add, *sub;             /* RANGE: key + offset, key - offset */
    SdbOid offtypes[2];
    SdbAggCall acall;
    SdbWindowCall wcall;
    void *state;
    SdbArena *state_arena;    /* the aggregate state's pieces: reset when it restarts */
    SdbDatum *values;         /* per materialized row */
    bool *nulls;
} WinFunc;

typedef struct WindowNode {
    ExecNode node;
    ExecNode *child;
    int nchild, nfuncs, width;
    WinFunc *funcs;
    ExecExpr **exprs;         /* the appended columns' expressions */
    RowStore *rows;
    SdbArena *results;        /* by-reference results */
    int *perm;                /* output order */
    bool computed;
    size_t pos;
    /* the partition being computed */
    int *part;                /* its rows' numbers, in window order */
    int64_t nrows;
    int64_t *peer_start, *peer_end, *group;   /* per partition row; peer_end exclusive */
    int64_t *group_start, *group_end;         /* per peer group */
    int64_t ngroups;
    int64_t *frame_list;      /* EXCLUDE: the current row's frame rows */
    WinFunc *cur;
} WindowNode;

/* --- materializing -------------------------------------------------------- */

static int win_materialize(WindowNode *wn)
{
    SdbDatum values[wn->width + 1];
    bool nulls[wn->width + 1];
    int nextra = wn->width - wn->nchild;
    for (;;) {
        SdbBatch *in;
        sdb_arena_reset(wn->node.batch_arena);
        if (exec_next(wn->child, &in) != SDB_OK)
            return SDB_ERROR;
        if (in == NULL)
            return SDB_OK;
        int n = sdb_batch_live(in);
        SdbVector *ev[nextra + 1];
        for (int e = 0; e < nextra; e++)
            if (sdb_exec_eval_batch(wn->exprs[e], in, in->sel, n, &ev[e]) != SDB_OK)
                return SDB_ERROR;
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(in, i);
            for (int c = 0; c < wn->nchild; c++) {
                nulls[c] = sdb_vector_is_null(&in->cols[c], r);
                values[c] = nulls[c] ? 0 : in->cols[c].values[r];
            }
            for (int e = 0; e < nextra; e++) {
                nulls[wn->nchild + e] = sdb_vector_is_null(ev[e], r);
                values[wn->nchild + e] = nulls[wn->nchild + e] ? 0 : ev[e]->values[r];
            }
            Row *row = row_from_values(wn->rows->arena, &wn->rows->desc, values, nulls);
            if (row == NULL || rowstore_add(wn->rows, row) != SDB_OK)
                return SDB_ERROR;
        }
    }
}

/* --- sorting row numbers ---------------------------------------------------- */

static int cmp_keys(const WindowNode *wn, const SortKey *keys, const int *pos, int nkeys, int a, int b)
{
    const Row *ra = wn->rows->rows[a], *rb = wn->rows->rows[b];
    int w = wn->width;
    for (int k = 0; k < nkeys; k++) {
        int c = pos[k];
        int r = exec_compare_datum(&keys[k], ra[c], row_is_null(ra, w, c), rb[c], row_is_null(rb, w, c));
        if (r != 0)
            return r;
    }
    return 0;
}

static void sort_perm(const WindowNode *wn, const WinFunc *f, int *perm, int *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    sort_perm(wn, f, perm, tmp, half);
    sort_perm(wn, f, perm + half, tmp, n - half);
    memcpy(tmp, perm, half * sizeof(int));
    size_t i = 0, j = half, k = 0;
    int nk = f->npart + f->norder;
    while (i < half && j < n)
        perm[k++] = cmp_keys(wn, f->sortkeys, f->sortpos, nk, perm[j], tmp[i]) < 0 ? perm[j++] : tmp[i++];
    while (i < half)
        perm[k++] = tmp[i++];
}

/* --- frames ------------------------------------------------------------------- */

static int order_cmp(const WindowNode *wn, const WinFunc *f, int64_t a, int64_t b)
{
    int pos[f->norder + 1];
    for (int k = 0; k < f->norder; k++)
        pos[k] = f->ordercol + k;
    return cmp_keys(wn, f->orderkeys, pos, f->norder, wn->part[a], wn->part[b]);
}

/* Peer groups of the partition (rows equal on the order keys). */
static void find_peers(WindowNode *wn, const WinFunc *f)
{
    int64_t n = wn->nrows, g = -1;
    for (int64_t j = 0; j < n; j++) {
        if (j == 0 || order_cmp(wn, f, j - 1, j) != 0) {
            g++;
            wn->group_start[g] = j;
        }
        wn->group[j] = g;
        wn->group_end[g] = j + 1;
    }
    wn->ngroups = g + 1;
    for (int64_t j = 0; j < n; j++) {
        wn->peer_start[j] = wn->group_start[wn->group[j]];
        wn->peer_end[j] = wn->group_end[wn->group[j]];
    }
}

/* key of partition row j (the first ORDER BY key) +/- offset: for RANGE. */
static int range_bound(WindowNode *wn, WinFunc *f, int64_t j, bool add, SdbDatum off, SdbDatum *out)
{
    const Row *r = wn->rows->rows[wn->part[j]];
    SdbDatum args[2] = {r[f->ordercol], off};
    bool nulls[2] = {false, false}, isnull;
    SdbOid types[2] = {f->offtypes[0], f->offtypes[1]};
    return sdb_fn_invoke(add ? f->add : f->sub, &wn->node.env.ectx, 2, types, args, nulls, out, &isnull);
}

/* First partition row whose key compares > bound (strict) or >= bound. */
static int64_t range_search(WindowNode *wn, WinFunc *f, SdbDatum bound, bool strict)
{
    int64_t lo = 0, hi = wn->nrows;
    int w = wn->width;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        const Row *r = wn->rows->rows[wn->part[mid]];
        int c = exec_compare_datum(&f->orderkeys[0], r[f->ordercol], row_is_null(r, w, f->ordercol), bound, false);
        if (c > 0 || (!strict && c == 0))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* One end of row j's frame as a partition position: the first frame row
 * (is_end false) or one past the last (is_end true). */
static int frame_edge(WindowNode *wn, WinFunc *f, int64_t j, SdbWinFrameBound bound, bool is_end, int64_t *edge)
{
    const SdbBoundWindowFunc *wf = f->wf;
    int64_t n = wn->nrows;
    int64_t rows_off = is_end ? f->end_rows : f->start_rows;
    switch (bound) {
    case SDB_WIN_FRAME_BOUND_UNBOUNDED_PRECEDING:
        *edge = 0;
        return SDB_OK;
    case SDB_WIN_FRAME_BOUND_UNBOUNDED_FOLLOWING:
        *edge = n;
        return SDB_OK;
    case SDB_WIN_FRAME_BOUND_CURRENT_ROW:
        if (wf->frame_mode == SDB_WIN_FRAME_MODE_ROWS)
            *edge = is_end ? j + 1 : j;
        else
            *edge = is_end ? wn->peer_end[j] : wn->peer_start[j];
        return SDB_OK;
    case SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING:
    case SDB_WIN_FRAME_BOUND_OFFSET_FOLLOWING: {
        bool preceding = bound == SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING;
        if (wf->frame_mode == SDB_WIN_FRAME_MODE_ROWS) {
            int64_t t = preceding ? j - rows_off : j + rows_off;
            *edge = is_end ? t + 1 : t;
        } else if (wf->frame_mode == SDB_WIN_FRAME_MODE_GROUPS) {
            int64_t g = preceding ? wn->group[j] - rows_off : wn->group[j] + rows_off;
            if (g < 0)
                *edge = 0;
            else if (g >= wn->ngroups)
                *edge = n;
            else
                *edge = is_end ? wn->group_end[g] : wn->group_start[g];
        } else {
            const Row *r = wn->rows->rows[wn->part[j]];
            if (row_is_null(r, wn->width, f->ordercol)) {
                *edge = is_end ? wn->peer_end[j] : wn->peer_start[j];
                return SDB_OK;
            }
            /* in sort order, PRECEDING moves toward smaller positions */
            bool add = preceding == f->orderkeys[0].desc;
            SdbDatum b;
            if (range_bound(wn, f, j, add, is_end ? f->end_val : f->start_val, &b) != SDB_OK)
                return SDB_ERROR;
            *edge = range_search(wn, f, b, is_end);
        }
        if (*edge < 0)
            *edge = 0;
        if (*edge > n)
            *edge = n;
        return SDB_OK;
    }
    }
    return SDB_OK;
}

static bool excluded(WindowNode *wn, const WinFunc *f, int64_t j, int64_t k)
{
    switch (f->wf->frame_exclusion) {
    case SDB_WIN_FRAME_EXCLUSION_NO_OTHERS: return false;
    case SDB_WIN_FRAME_EXCLUSION_CURRENT_ROW: return k == j;
    case SDB_WIN_FRAME_EXCLUSION_GROUP: return wn->group[k] == wn->group[j];
    case SDB_WIN_FRAME_EXCLUSION_TIES: return k != j && wn->group[k] == wn->group[j];
    }
    return false;
}

/* --- computing ------------------------------------------------------------------ */

static int win_get_arg(SdbWindowCall *call, int argno, int64_t row, SdbDatum *value, bool *isnull)
{
    WindowNode *wn = call->exec_state;
    WinFunc *f = wn->cur;
    if (argno < 0 || argno >= f->nargs || row < 0 || row >= wn->nrows)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "window argument %d at row %lld out of range", argno, (long long)row);
    const Row *r = wn->rows->rows[wn->part[row]];
    *isnull = row_is_null(r, wn->width, f->argcol + argno);
    *value = *isnull ? 0 : r[f->argcol + argno];
    return SDB_OK;
}

static int64_t win_frame_row(SdbWindowCall *call, int64_t k)
{
    WindowNode *wn = call->exec_state;
    return wn->frame_list[k];
}

static int agg_step_row(WindowNode *wn, WinFunc *f, int64_t k)
{
    const Row *r = wn->rows->rows[wn->part[k]];
    int w = wn->width;
    if (f->filtercol >= 0 && (row_is_null(r, w, f->filtercol) || r[f->filtercol] == 0))
        return SDB_OK;
    for (int a = 0; a < f->nargs; a++) {
        f->acall.nulls[a] = row_is_null(r, w, f->argcol + a);
        f->acall.args[a] = r[f->argcol + a];
    }
    return sdb_agg_step(&f->acall);
}

static int compute_partition(WindowNode *wn, WinFunc *f)
{
    const SdbBoundWindowFunc *wf = f->wf;
    int64_t n = wn->nrows;
    find_peers(wn, f);
    int64_t cs = 0, ce = 0;   /* rows the aggregate state covers */
    bool fresh = false;
    bool exclude = wf->frame_exclusion != SDB_WIN_FRAME_EXCLUSION_NO_OTHERS;
    for (int64_t j = 0; j < n; j++) {
        int64_t fs, fe;
        if (frame_edge(wn, f, j, wf->frame_start, false, &fs) != SDB_OK ||
            frame_edge(wn, f, j, wf->frame_end, true, &fe) != SDB_OK)
            return SDB_ERROR;
        if (fe < fs)
            fe = fs;
        int64_t nframe = fe - fs;
        if (exclude) {
            nframe = 0;
            for (int64_t k = fs; k < fe; k++)
                if (!excluded(wn, f, j, k))
                    wn->frame_list[nframe++] = k;
        }
        int out = wn->part[j];
        if (!f->is_agg) {
            SdbWindowCall *c = &f->wcall;
            c->partition_rows = n;
            c->row = j;
            c->peer_group = wn->group[j];
            c->peer_start = wn->peer_start[j];
            c->peer_end = wn->peer_end[j] - 1;
            c->frame_start = fs;
            c->frame_rows = nframe;
            c->frame_row = exclude ? win_frame_row : NULL;
            if (sdb_window_call(c) != SDB_OK)
                return SDB_ERROR;
            f->nulls[out] = c->result_null;
            f->values[out] = c->result;
            continue;
        }
        f->acall.state = f->state;
        if (exclude || !fresh || fs != cs || fe < ce) {
            sdb_arena_reset(f->state_arena);
            if (sdb_agg_init(&f->acall) != SDB_OK)
                return SDB_ERROR;
            fresh = true;
            cs = ce = fs;
            if (exclude) {
                for (int64_t k = 0; k < nframe; k++)
                    if (agg_step_row(wn, f, wn->frame_list[k]) != SDB_OK)
                        return SDB_ERROR;
                fresh = false;
            }
        }
        for (; !exclude && ce < fe; ce++)
            if (agg_step_row(wn, f, ce) != SDB_OK)
                return SDB_ERROR;
        if (sdb_agg_final(&f->acall) != SDB_OK)
            return SDB_ERROR;
        f->nulls[out] = f->acall.result_null;
        f->values[out] = 0;
        if (!f->acall.result_null &&
            exec_datum_copy(wn->results, wf->expr.type, f->acall.result, &f->values[out]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static bool same_partition(const WindowNode *wn, const WinFunc *f, int a, int b)
{
    int pos[f->npart + 1];
    for (int k = 0; k < f->npart; k++)
        pos[k] = f->partcol + k;
    return cmp_keys(wn, f->sortkeys, pos, f->npart, a, b) == 0;
}

static int win_compute(WindowNode *wn)
{
    size_t n = wn->rows->nrows;
    int *tmp = sdb_malloc((n + 1) * sizeof(int));
    int64_t *scratch = sdb_malloc((6 * n + 6) * sizeof(int64_t));
    wn->perm = sdb_arena_alloc(wn->node.arena, (n + 1) * sizeof(int));
    if (tmp == NULL || scratch == NULL || wn->perm == NULL) {
        sdb_free(tmp);
        sdb_free(scratch);
        return SDB_ERROR;
    }
    int rc = SDB_OK;
    for (int fi = 0; fi < wn->nfuncs && rc == SDB_OK; fi++) {
        WinFunc *f = &wn->funcs[fi];
        wn->cur = f;
        f->values = sdb_arena_alloc(wn->node.arena, (n + 1) * sizeof(SdbDatum));
        f->nulls = sdb_arena_alloc(wn->node.arena, (n + 1) * sizeof(bool));
        if (f->values == NULL || f->nulls == NULL) {
            rc = SDB_ERROR;
            break;
        }
        for (size_t i = 0; i < n; i++)
            wn->perm[i] = (int)i;
        sort_perm(wn, f, wn->perm, tmp, n);
        for (size_t ps = 0; ps < n && rc == SDB_OK;) {
            size_t pe = ps + 1;
            while (pe < n && same_partition(wn, f, wn->perm[ps], wn->perm[pe]))
                pe++;
            wn->part = wn->perm + ps;
            wn->nrows = (int64_t)(pe - ps);
            wn->peer_start = scratch;
            wn->peer_end = scratch + n + 1;
            wn->group = scratch + 2 * (n + 1);
            wn->group_start = scratch + 3 * (n + 1);
            wn->group_end = scratch + 4 * (n + 1);
            wn->frame_list = scratch + 5 * (n + 1);
            rc = compute_partition(wn, f);
            ps = pe;
            sdb_arena_reset(wn->node.batch_arena);
        }
    }
    sdb_free(tmp);
    sdb_free(scratch);
    return rc;
}

static int window_next(ExecNode *node, SdbBatch **out)
{
    WindowNode *wn = (WindowNode *)node;
    *out = NULL;
    if (!wn->computed) {
        if (win_materialize(wn) != SDB_OK || win_compute(wn) != SDB_OK)
            return SDB_ERROR;
        wn->computed = true;
    }
    int n = 0;
    for (; n < SDB_BATCH_SIZE && wn->pos < wn->rows->nrows; n++, wn->pos++) {
        int ri = wn->perm[wn->pos];
        const Row *r = wn->rows->rows[ri];
        for (int c = 0; c < wn->nchild; c++) {
            node->out.cols[c].values[n] = r[c];
            sdb_vector_set_null(&node->out.cols[c], n, row_is_null(r, wn->width, c));
        }
        for (int fi = 0; fi < wn->nfuncs; fi++) {
            SdbVector *v = &node->out.cols[wn->nchild + fi];
            v->values[n] = wn->funcs[fi].values[ri];
            sdb_vector_set_null(v, n, wn->funcs[fi].nulls[ri]);
        }
    }
    node->out.nrows = n;
    node->out.sel = NULL;
    *out = n ? &node->out : NULL;
    return SDB_OK;
}

/* --- preparing ------------------------------------------------------------------- */

static const SdbFuncInfo *find_operator(const char *name, SdbOid left, SdbOid right)
{
    const SdbOperInfo *const *ops;
    size_t n = sdb_opers_by_name(name, &ops);
    for (size_t i = 0; i < n; i++)
        if (ops[i]->left == left && ops[i]->right == right)
            return sdb_func_by_oid(ops[i]->func);
    return NULL;
}

/* Evaluate a frame offset: ROWS/GROUPS as a count, RANGE as a value. */
static int frame_offset(WindowNode *wn, WinFunc *f, const SdbExpr *e, bool start, int64_t *count, SdbDatum *value)
{
    const char *which = start ? "starting" : "ending";
    ExecExpr *x = exec_expr_compile(&wn->node.env, e);
    bool isnull;
    SdbDatum v;
    if (x == NULL || exec_eval_const(x, &v, &isnull) != SDB_OK)
        return SDB_ERROR;
    if (isnull)
        return sdb_error(SDB_ERR_NULL_VALUE_NOT_ALLOWED, "frame %s offset must not be null", which);
    if (f->wf->frame_mode != SDB_WIN_FRAME_MODE_RANGE) {
        *count = sdb_datum_to_int64(v);
        if (*count < 0)
            return sdb_error(SDB_ERR_INVALID_PRECEDING_OR_FOLLOWING_SIZE, "frame %s offset must not be negative",
                             which);
        return SDB_OK;
    }
    if (f->norder != 1)
        return sdb_error(SDB_ERR_WINDOWING_ERROR, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER "
                                                  "BY column");
    SdbOid keytype = f->wf->order[0]->type;
    f->offtypes[0] = keytype;
    f->offtypes[1] = e->type;
    f->add = find_operator("+", keytype, e->type);
    f->sub = find_operator("-", keytype, e->type);
    if (f->add == NULL || f->sub == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                         "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
                         sdb_type_by_oid(keytype) ? sdb_type_by_oid(keytype)->name : "?",
                         sdb_type_by_oid(e->type) ? sdb_type_by_oid(e->type)->name : "?");
    const SdbTypeOps *ops = sdb_type_ops(e->type);
    SdbTypeCtx tctx = {.arena = wn->node.arena, .typid = e->type, .typmod = -1};
    SdbDatum zero;
    if (ops == NULL || sdb_type_input(&tctx, "0", &zero) != SDB_OK)
        return SDB_ERROR;
    if (ops->compare(v, zero) < 0)
        return sdb_error(SDB_ERR_INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                         "invalid preceding or following size in window function");
    return exec_datum_copy(wn->node.arena, e->type, v, value);
}

/* Collect the appended expressions of function f; *next is the next free
 * column. */
static int win_func_init(WindowNode *wn, WinFunc *f, const SdbBoundWindowFunc *wf, SdbExpr **extra, int *next)
{
    SdbArena *arena = wn->node.arena;
    f->wf = wf;
    f->is_agg = wf->func->kind == SDB_FUNC_AGGREGATE;
    f->nargs = wf->star ? 0 : wf->nargs;
    f->argcol = *next;
    for (int i = 0; i < f->nargs; i++)
        extra[(*next)++ - wn->nchild] = wf->args[i];
    f->filtercol = -1;
    if (wf->filter) {
        f->filtercol = *next;
        extra[(*next)++ - wn->nchild] = wf->filter;
    }
    f->npart = wf->npartition;
    f->partcol = *next;
    for (int i = 0; i < f->npart; i++)
        extra[(*next)++ - wn->nchild] = wf->partition[i];
    f->norder = wf->norder;
    f->ordercol = *next;
    for (int i = 0; i < f->norder; i++)
        extra[(*next)++ - wn->nchild] = wf->order[i];
    int nk = f->npart + f->norder;
    SdbOid *ktypes = sdb_arena_alloc(arena, (nk + 1) * sizeof(SdbOid));
    int *kflags = sdb_arena_calloc(arena, nk + 1, sizeof(int));
    f->sortpos = sdb_arena_alloc(arena, (nk + 1) * sizeof(int));
    SdbOid *argtypes = sdb_arena_alloc(arena, (f->nargs + 1) * sizeof(SdbOid));
    if (ktypes == NULL || kflags == NULL || f->sortpos == NULL || argtypes == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nk; i++) {
        bool part = i < f->npart;
        ktypes[i] = part ? wf->partition[i]->type : wf->order[i - f->npart]->type;
        kflags[i] = part || wf->order_flags == NULL ? 0 : wf->order_flags[i - f->npart];
        f->sortpos[i] = (part ? f->partcol : f->ordercol - f->npart) + i;
    }
    for (int i = 0; i < f->nargs; i++)
        argtypes[i] = wf->args[i]->type;
    if (exec_sortkeys_init(arena, ktypes, kflags, nk, &f->sortkeys) != SDB_OK)
        return SDB_ERROR;
    f->orderkeys = f->sortkeys + f->npart;
    if (f->is_agg) {
        f->state = sdb_arena_calloc(arena, 1, wf->func->agg->state_size + 16);
        f->state_arena = sdb_arena_create(arena, "window aggregate", 0);
        f->acall = (SdbAggCall){.func = wf->func, .context = &wn->node.env.ectx, .arena = f->state_arena,
                                .nargs = f->nargs, .argtypes = argtypes, .rettype = wf->expr.type};
        if (f->state == NULL || f->state_arena == NULL)
            return SDB_ERROR;
    } else {
        f->wcall = (SdbWindowCall){.func = wf->func, .context = &wn->node.env.ectx, .arena = wn->results,
                                   .nargs = f->nargs, .argtypes = argtypes, .rettype = wf->expr.type,
                                   .get_arg = win_get_arg, .exec_state = wn};
    }
    if (wf->start_offset && frame_offset(wn, f, wf->start_offset, true, &f->start_rows, &f->start_val) != SDB_OK)
        return SDB_ERROR;
    if (wf->end_offset && frame_offset(wn, f, wf->end_offset, false, &f->end_rows, &f->end_val) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static void window_cleanup(void *arg)
{
    rowstore_clear(((WindowNode *)arg)->rows);
}

static int count_extra(const SdbBoundWindowFunc *wf)
{
    return (wf->star ? 0 : wf->nargs) + (wf->filter != NULL) + wf->npartition + wf->norder;
}

ExecNode *exec_build_window(SdbExecState *es, const SdbPlanWindow *p)
{
    WindowNode *wn = exec_node_alloc(es, &p->plan, sizeof(WindowNode));
    if (wn == NULL || (wn->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&wn->node, &wn->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    SdbArena *arena = wn->node.arena;
    wn->nchild = p->child->ncols;
    wn->nfuncs = p->nfuncs;
    int nextra = 0;
    for (int i = 0; i < p->nfuncs; i++) {
        if (p->funcs[i]->tag != SDB_E_WINDOW_FUNC) {
            sdb_error(SDB_ERR_INTERNAL_ERROR, "Window computes %s", sdb_expr_tag_name(p->funcs[i]->tag));
            return NULL;
        }
        nextra += count_extra((const SdbBoundWindowFunc *)p->funcs[i]);
    }
    wn->width = wn->nchild + nextra;
    SdbExpr **extra = sdb_arena_alloc(arena, (nextra + 1) * sizeof(SdbExpr *));
    SdbPlanColumn *cols = sdb_arena_calloc(arena, wn->width + 1, sizeof(SdbPlanColumn));
    wn->funcs = sdb_arena_calloc(arena, p->nfuncs + 1, sizeof(WinFunc));
    wn->results = sdb_arena_create(arena, "window results", 0);
    if (extra == NULL || cols == NULL || wn->funcs == NULL || wn->results == NULL)
        return NULL;
    int next = wn->nchild;
    for (int i = 0; i < p->nfuncs; i++)
        if (win_func_init(wn, &wn->funcs[i], (const SdbBoundWindowFunc *)p->funcs[i], extra, &next) != SDB_OK)
            return NULL;
    memcpy(cols, p->child->cols, wn->nchild * sizeof(SdbPlanColumn));
    for (int e = 0; e < nextra; e++)
        cols[wn->nchild + e] = (SdbPlanColumn){.table = -1, .type = extra[e]->type, .typmod = -1};
    wn->exprs = exec_exprs_compile(&wn->node.env, extra, nextra);
    wn->rows = rowstore_create(arena, cols, wn->width);
    if (wn->exprs == NULL || wn->rows == NULL || exec_defer(es, window_cleanup, wn) != SDB_OK)
        return NULL;
    wn->node.next = window_next;
    return &wn->node;
}
