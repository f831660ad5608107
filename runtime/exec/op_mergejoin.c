/*
 * exec/op_mergejoin.c: Join with strategy merge.  Both inputs arrive
 * sorted ascending on their keys (NULLs last, by the key types' compare;
 * int2/int4/int8 keys compared as int8).  The left side streams batch by
 * batch; the right side is read through a cursor, and the rows of the
 * current key group (equal keys) are buffered with their key values and a
 * matched flag, so that every left row of that key pairs with the whole
 * group (mark/restore on the buffer).  Candidate pairs fill the output
 * batch and the residual conditions narrow it, as in the hash join.
 * A NULL key never matches: such left rows are only padded (LEFT/FULL) or
 * kept (ANTI); right rows passed over without a match, NULL keys included,
 * are kept in a padding store for RIGHT/FULL and emitted after the left
 * side ends.  Semi/anti joins emit left rows by match flags
 * (exec_join_emit_left, shared with op_join.c).
 */
#include "exec/exec_int.h"

typedef enum MergePhase {
    MP_LEFT,       /* fetch the next left batch */
    MP_PAIRS,      /* pair the current left batch */
    MP_LEFT_DONE,  /* emit what the finished left batch decided */
    MP_RIGHT_REST, /* move the rest of the right side to the padding */
    MP_RIGHT,      /* emit the padded right rows */
    MP_END
} MergePhase;

typedef struct MergeNode {
    ExecNode node;
    ExecNode *left, *right;
    const SdbPlanJoin *p;
    int nleft, nright, nkeys;
    ExecExpr **conds, **lkeys, **rkeys;
    ExecEnv lenv, renv;     /* the keys': results in key arenas that outlive
                             * the batch arena's resets before conditions */
    SdbArena *lkey_arena;   /* reset per left batch */
    SdbArena *rkey_arena;   /* reset per right batch */
    const SdbTypeOps **kops;
    SdbBatch pad, pair;
    uint16_t *sel;
    bool *lmatched;
    MergePhase phase;
    /* left side */
    SdbBatch *lb;
    SdbVector **lkv;
    int li;
    size_t gi;              /* next group row for left row li */
    /* right cursor */
    SdbBatch *rb;
    SdbVector **rkv;
    int ri;                 /* next live row of rb */
    bool rdone;             /* right input exhausted */
    /* the current group: right columns, key values, matched flag */
    RowStore *group;
    int flagpos;
    /* right rows padded with NULLs for RIGHT/FULL */
    RowStore *rpad;
    size_t rpos;
} MergeNode;

static bool pads_right(SdbJoinKind k) { return k == SDB_JOIN_KIND_RIGHT || k == SDB_JOIN_KIND_FULL; }
static bool semi_anti(SdbJoinKind k) { return k == SDB_JOIN_KIND_SEMI || k == SDB_JOIN_KIND_ANTI; }

/* Order of two key values, NULLs last. */
static int key_cmp(const SdbTypeOps *ops, SdbDatum a, bool an, SdbDatum b, bool bn)
{
    if (an || bn)
        return an == bn ? 0 : an ? 1 : -1;
    return ops->compare(a, b);
}

static bool left_key_null(MergeNode *mn, int lr)
{
    for (int k = 0; k < mn->nkeys; k++)
        if (sdb_vector_is_null(mn->lkv[k], lr))
            return true;
    return false;
}

/* Left row lr against the first group row (keys in columns nright..). */
static int cmp_left_group(MergeNode *mn, int lr)
{
    const Row *g = mn->group->rows[0];
    int w = mn->group->desc.ncols;
    for (int k = 0; k < mn->nkeys; k++) {
        int c = key_cmp(mn->kops[k], mn->lkv[k]->values[lr], sdb_vector_is_null(mn->lkv[k], lr),
                        g[mn->nright + k], row_is_null(g, w, mn->nright + k));
        if (c != 0)
            return c;
    }
    return 0;
}

/* Left row lr against the right cursor's row. */
static int cmp_left_cursor(MergeNode *mn, int lr)
{
    int rr = sdb_batch_row(mn->rb, mn->ri);
    for (int k = 0; k < mn->nkeys; k++) {
        int c = key_cmp(mn->kops[k], mn->lkv[k]->values[lr], sdb_vector_is_null(mn->lkv[k], lr),
                        mn->rkv[k]->values[rr], sdb_vector_is_null(mn->rkv[k], rr));
        if (c != 0)
            return c;
    }
    return 0;
}

/* Position the cursor on a right row (reading batches as needed);
 * rb == NULL at the end. */
static int cursor_fill(MergeNode *mn)
{
    while (!mn->rdone && (mn->rb == NULL || mn->ri >= sdb_batch_live(mn->rb))) {
        if (exec_next(mn->right, &mn->rb) != SDB_OK)
            return SDB_ERROR;
        mn->ri = 0;
        if (mn->rb == NULL) {
            mn->rdone = true;
            break;
        }
        int n = sdb_batch_live(mn->rb);
        sdb_arena_reset(mn->rkey_arena);
        for (int k = 0; k < mn->nkeys; k++)
            if (sdb_exec_eval_batch(mn->rkeys[k], mn->rb, mn->rb->sel, n, &mn->rkv[k]) != SDB_OK)
                return SDB_ERROR;
    }
    if (mn->rdone)
        mn->rb = NULL;
    return SDB_OK;
}

/* The cursor row's columns then key values (flag 0) in values/nulls. */
static void cursor_values(MergeNode *mn, SdbDatum *values, bool *nulls)
{
    int rr = sdb_batch_row(mn->rb, mn->ri);
    for (int c = 0; c < mn->nright; c++) {
        values[c] = mn->rb->cols[c].values[rr];
        nulls[c] = sdb_vector_is_null(&mn->rb->cols[c], rr);
    }
    for (int k = 0; k < mn->nkeys; k++) {
        values[mn->nright + k] = mn->rkv[k]->values[rr];
        nulls[mn->nright + k] = sdb_vector_is_null(mn->rkv[k], rr);
    }
    values[mn->flagpos] = 0;
    nulls[mn->flagpos] = false;
}

static int pad_add(MergeNode *mn, const SdbDatum *values, const bool *nulls)
{
    Row *r = row_from_values(mn->rpad->arena, &mn->rpad->desc, values, nulls);
    return r ? rowstore_add(mn->rpad, r) : SDB_ERROR;
}

/* Drop the group; its unmatched rows go to the padding (RIGHT/FULL). */
static int group_discard(MergeNode *mn)
{
    int w = mn->group->desc.ncols;
    if (pads_right(mn->p->kind)) {
        SdbDatum values[mn->nright + 1];
        bool nulls[mn->nright + 1];
        for (size_t i = 0; i < mn->group->nrows; i++) {
            const Row *g = mn->group->rows[i];
            if (g[mn->flagpos] != 0)
                continue;
            for (int c = 0; c < mn->nright; c++) {
                values[c] = g[c];
                nulls[c] = row_is_null(g, w, c);
            }
            if (pad_add(mn, values, nulls) != SDB_OK)
                return SDB_ERROR;
        }
    }
    rowstore_clear(mn->group);
    return SDB_OK;
}

/* Move the cursor past right rows ordered before left row lr (padding
 * them), then buffer the rows equal to it as the new group. */
static int advance_right(MergeNode *mn, int lr)
{
    int w = mn->group->desc.ncols;
    SdbDatum values[w + 1];
    bool nulls[w + 1];
    if (group_discard(mn) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        if (cursor_fill(mn) != SDB_OK)
            return SDB_ERROR;
        if (mn->rb == NULL)
            return SDB_OK;
        int c = cmp_left_cursor(mn, lr);
        if (c < 0)
            return SDB_OK;
        cursor_values(mn, values, nulls);
        if (c == 0) {
            Row *r = row_from_values(mn->group->arena, &mn->group->desc, values, nulls);
            if (r == NULL || rowstore_add(mn->group, r) != SDB_OK)
                return SDB_ERROR;
        } else if (pads_right(mn->p->kind) && pad_add(mn, values, nulls) != SDB_OK) {
            return SDB_ERROR;
        }
        mn->ri++;
    }
}

static int fetch_left(MergeNode *mn)
{
    if (exec_next(mn->left, &mn->lb) != SDB_OK)
        return SDB_ERROR;
    if (mn->lb == NULL) {
        mn->phase = pads_right(mn->p->kind) ? MP_RIGHT_REST : MP_END;
        return SDB_OK;
    }
    int n = sdb_batch_live(mn->lb);
    sdb_arena_reset(mn->lkey_arena);
    for (int k = 0; k < mn->nkeys; k++)
        if (sdb_exec_eval_batch(mn->lkeys[k], mn->lb, mn->lb->sel, n, &mn->lkv[k]) != SDB_OK)
            return SDB_ERROR;
    memset(mn->lmatched, 0, SDB_BATCH_SIZE * sizeof(bool));
    mn->li = 0;
    mn->gi = 0;
    mn->phase = MP_PAIRS;
    return SDB_OK;
}

/* Whether left row lr needs the right side advanced: it orders after the
 * group (or, without a group, at or after the cursor row). */
static int needs_advance(MergeNode *mn, int lr, bool *advance)
{
    if (mn->group->nrows > 0) {
        *advance = cmp_left_group(mn, lr) > 0;
        return SDB_OK;
    }
    if (cursor_fill(mn) != SDB_OK)
        return SDB_ERROR;
    *advance = mn->rb != NULL && cmp_left_cursor(mn, lr) >= 0;
    return SDB_OK;
}

/* Fill `pairs` with up to a batch of candidate pairs (equal keys) of the
 * current left batch, resuming at (li, gi).  Stops early before a group
 * that pending pairs point into is dropped. */
static int merge_candidates(MergeNode *mn, SdbBatch *pairs, Row **rows, int *lrows, int *count)
{
    SdbBatch *lb = mn->lb;
    int n = sdb_batch_live(lb), m = 0;
    int gw = mn->group->desc.ncols;
    bool skip_matched = semi_anti(mn->p->kind);
    while (mn->li < n && m < SDB_BATCH_SIZE) {
        int lr = sdb_batch_row(lb, mn->li);
        if (mn->gi == 0) {
            bool advance;
            if (left_key_null(mn, lr) || (skip_matched && mn->lmatched[lr])) {
                mn->li++;
                continue;
            }
            if (needs_advance(mn, lr, &advance) != SDB_OK)
                return SDB_ERROR;
            if (advance) {
                if (m > 0 && mn->group->nrows > 0)
                    break;
                if (advance_right(mn, lr) != SDB_OK)
                    return SDB_ERROR;
            }
            if (mn->group->nrows == 0 || cmp_left_group(mn, lr) != 0) {
                mn->li++;
                continue;
            }
        }
        for (; mn->gi < mn->group->nrows && m < SDB_BATCH_SIZE; mn->gi++) {
            Row *g = mn->group->rows[mn->gi];
            for (int c = 0; c < mn->nleft; c++) {
                SdbVector *v = &pairs->cols[c];
                v->values[m] = lb->cols[c].values[lr];
                sdb_vector_set_null(v, m, sdb_vector_is_null(&lb->cols[c], lr));
            }
            for (int c = 0; c < mn->nright; c++) {
                SdbVector *v = &pairs->cols[mn->nleft + c];
                v->values[m] = g[c];
                sdb_vector_set_null(v, m, row_is_null(g, gw, c));
            }
            rows[m] = g;
            lrows[m] = lr;
            m++;
        }
        if (mn->gi >= mn->group->nrows) {
            mn->gi = 0;
            mn->li++;
        }
    }
    pairs->nrows = m;
    pairs->sel = NULL;
    *count = m;
    return SDB_OK;
}

static int merge_pairs(MergeNode *mn, SdbBatch **out)
{
    bool sa = semi_anti(mn->p->kind);
    SdbBatch *pairs = sa ? &mn->pair : &mn->node.out;
    Row *rows[SDB_BATCH_SIZE];
    int lrows[SDB_BATCH_SIZE];
    for (;;) {
        int m, nmatch;
        if (merge_candidates(mn, pairs, rows, lrows, &m) != SDB_OK)
            return SDB_ERROR;
        if (m == 0) {
            mn->phase = MP_LEFT_DONE;
            return SDB_OK;
        }
        sdb_arena_reset(mn->node.batch_arena);
        if (exec_qual_batch(mn->conds, mn->p->nconds, pairs, mn->sel, &nmatch) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < nmatch; i++) {
            int pos = mn->sel[i];
            mn->lmatched[lrows[pos]] = true;
            rows[pos][mn->flagpos] = 1;
        }
        if (!sa && nmatch > 0) {
            pairs->sel = mn->sel;
            pairs->nsel = nmatch;
            *out = pairs;
            return SDB_OK;
        }
    }
}

/* The left side ended: the group's unmatched rows and every right row not
 * read yet go to the padding. */
static int right_rest(MergeNode *mn)
{
    int w = mn->group->desc.ncols;
    SdbDatum values[w + 1];
    bool nulls[w + 1];
    if (group_discard(mn) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        if (cursor_fill(mn) != SDB_OK)
            return SDB_ERROR;
        if (mn->rb == NULL)
            break;
        cursor_values(mn, values, nulls);
        if (pad_add(mn, values, nulls) != SDB_OK)
            return SDB_ERROR;
        mn->ri++;
    }
    mn->rpos = 0;
    mn->phase = MP_RIGHT;
    return SDB_OK;
}

static void emit_right(MergeNode *mn, SdbBatch **out)
{
    int m = 0;
    for (; mn->rpos < mn->rpad->nrows && m < SDB_BATCH_SIZE; mn->rpos++, m++) {
        for (int c = 0; c < mn->nleft; c++) {
            mn->pad.cols[c].values[m] = 0;
            sdb_vector_set_null(&mn->pad.cols[c], m, true);
        }
        row_to_batch(&mn->rpad->desc, mn->rpad->rows[mn->rpos], &mn->pad, mn->nleft, m);
    }
    mn->pad.nrows = m;
    mn->pad.sel = NULL;
    *out = m ? &mn->pad : NULL;
    if (mn->rpos >= mn->rpad->nrows)
        mn->phase = MP_END;
}

static int merge_next(ExecNode *node, SdbBatch **out)
{
    MergeNode *mn = (MergeNode *)node;
    *out = NULL;
    for (;;) {
        switch (mn->phase) {
        case MP_LEFT:
            if (fetch_left(mn) != SDB_OK)
                return SDB_ERROR;
            break;
        case MP_PAIRS:
            if (merge_pairs(mn, out) != SDB_OK)
                return SDB_ERROR;
            if (*out)
                return SDB_OK;
            break;
        case MP_LEFT_DONE:
            mn->phase = MP_LEFT;
            exec_join_emit_left(mn->p->kind, mn->lb, mn->lmatched, mn->sel, mn->nleft, mn->nright, &mn->node.out,
                                &mn->pad, out);
            if (*out && sdb_batch_live(*out) > 0)
                return SDB_OK;
            break;
        case MP_RIGHT_REST:
            if (right_rest(mn) != SDB_OK)
                return SDB_ERROR;
            break;
        case MP_RIGHT:
            emit_right(mn, out);
            if (*out)
                return SDB_OK;
            break;
        case MP_END:
            return SDB_OK;
        }
    }
}

static void merge_cleanup(void *arg)
{
    MergeNode *mn = arg;
    rowstore_clear(mn->group);
    rowstore_clear(mn->rpad);
}

bool exec_merge_keys_comparable(const SdbPlanJoin *p)
{
    for (int k = 0; k < p->nkeys; k++) {
        const SdbTypeOps *ops = exec_key_ops(p->left_keys[k]->type, p->right_keys[k]->type);
        if (ops == NULL || ops->compare == NULL)
            return false;
    }
    return p->nkeys > 0;
}

/* The group store's columns: the right ones, the keys, the matched flag. */
static SdbPlanColumn *group_columns(MergeNode *mn)
{
    SdbPlanColumn *cols = sdb_arena_calloc(mn->node.arena, mn->nright + mn->nkeys + 1, sizeof(SdbPlanColumn));
    if (cols == NULL)
        return NULL;
    memcpy(cols, mn->p->right->cols, mn->nright * sizeof(SdbPlanColumn));
    for (int k = 0; k < mn->nkeys; k++)
        cols[mn->nright + k] = (SdbPlanColumn){.table = -1, .type = mn->p->right_keys[k]->type, .typmod = -1};
    cols[mn->flagpos] = (SdbPlanColumn){.table = -1, .type = SDB_TYPEOID_INT8, .typmod = -1};
    return cols;
}

static int merge_setup(MergeNode *mn, const SdbPlanJoin *p)
{
    SdbArena *arena = mn->node.arena;
    mn->nkeys = p->nkeys;
    mn->flagpos = mn->nright + p->nkeys;
    mn->lkey_arena = sdb_arena_create(arena, "left keys", 0);
    mn->rkey_arena = sdb_arena_create(arena, "right keys", 0);
    if (mn->lkey_arena == NULL || mn->rkey_arena == NULL ||
        exec_env_init(&mn->node, &mn->lenv, p->left->cols, mn->nleft, NULL, 0) != SDB_OK ||
        exec_env_init(&mn->node, &mn->renv, p->right->cols, mn->nright, NULL, 0) != SDB_OK)
        return SDB_ERROR;
    mn->lenv.ectx.arena = mn->lkey_arena;
    mn->renv.ectx.arena = mn->rkey_arena;
    mn->lkeys = exec_exprs_compile(&mn->lenv, p->left_keys, p->nkeys);
    mn->rkeys = exec_exprs_compile(&mn->renv, p->right_keys, p->nkeys);
    mn->kops = sdb_arena_alloc(arena, (p->nkeys + 1) * sizeof(SdbTypeOps *));
    mn->lkv = sdb_arena_calloc(arena, p->nkeys + 1, sizeof(SdbVector *));
    mn->rkv = sdb_arena_calloc(arena, p->nkeys + 1, sizeof(SdbVector *));
    SdbPlanColumn *gcols = group_columns(mn);
    if (mn->lkeys == NULL || mn->rkeys == NULL || mn->kops == NULL || mn->lkv == NULL || mn->rkv == NULL ||
        gcols == NULL)
        return SDB_ERROR;
    for (int k = 0; k < p->nkeys; k++)
        mn->kops[k] = exec_key_ops(p->left_keys[k]->type, p->right_keys[k]->type);
    mn->group = rowstore_create(arena, gcols, mn->flagpos + 1);
    mn->rpad = rowstore_create(arena, p->right->cols, mn->nright);
    if (mn->group == NULL || mn->rpad == NULL)
        return SDB_ERROR;
    return exec_defer(mn->node.es, merge_cleanup, mn);
}

ExecNode *exec_build_merge_join(SdbExecState *es, const SdbPlanJoin *p)
{
    MergeNode *mn = exec_node_alloc(es, &p->plan, sizeof(MergeNode));
    if (mn == NULL || (mn->left = exec_build(es, p->left)) == NULL || (mn->right = exec_build(es, p->right)) == NULL)
        return NULL;
    mn->p = p;
    mn->nleft = p->left->ncols;
    mn->nright = p->right->ncols;
    if (exec_env_init(&mn->node, &mn->node.env, p->left->cols, mn->nleft, p->right->cols, mn->nright) != SDB_OK)
        return NULL;
    SdbArena *arena = mn->node.arena;
    SdbPlanColumn *both = sdb_arena_alloc(arena, (mn->nleft + mn->nright + 1) * sizeof(SdbPlanColumn));
    mn->conds = exec_exprs_compile(&mn->node.env, p->conds, p->nconds);
    mn->sel = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    mn->lmatched = sdb_arena_calloc(arena, SDB_BATCH_SIZE, sizeof(bool));
    if (both == NULL || mn->conds == NULL || mn->sel == NULL || mn->lmatched == NULL)
        return NULL;
    memcpy(both, p->left->cols, mn->nleft * sizeof(SdbPlanColumn));
    memcpy(both + mn->nleft, p->right->cols, mn->nright * sizeof(SdbPlanColumn));
    if (exec_batch_init(arena, &mn->pad, both, mn->nleft + mn->nright) != SDB_OK ||
        exec_batch_init(arena, &mn->pair, both, mn->nleft + mn->nright) != SDB_OK)
        return NULL;
    if (!semi_anti(p->kind) && exec_batch_init(arena, &mn->node.out, both, mn->nleft + mn->nright) != SDB_OK)
        return NULL;
    if (merge_setup(mn, p) != SDB_OK)
        return NULL;
    mn->node.next = merge_next;
    return &mn->node;
}
