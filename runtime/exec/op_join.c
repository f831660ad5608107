/*
 * exec/op_join.c: Join.  Every strategy produces batches whose layout is
 * the left columns then the right ones, the join conditions evaluated on
 * whole batches of candidate pairs:
 *   - nested loop (every kind, any conditions): the right side is
 *     materialized once as batches; each left row is paired with each right
 *     batch (left values broadcast, right vectors shared), the conditions
 *     narrow the selection;
 *   - index nested loop: the right side (an index scan reading the left
 *     row's values) is rebuilt for each left row;
 *   - hash (and merge, run as hash): the right side is materialized with
 *     its key values into a hash table (rows with a NULL key only kept for
 *     RIGHT/FULL padding); each left batch probes it, candidate pairs fill
 *     the output batch, residual conditions narrow it.  When the build
 *     side outgrows work_mem both sides are partitioned by hash into temp
 *     files and joined partition by partition (grace hash join).
 * Outer joins pad unmatched left rows after each left batch and unmatched
 * right rows at the end; semi/anti joins emit left rows by match flags.
 */
#include "exec/exec_int.h"

typedef enum JoinPhase {
    JP_LEFT,       /* fetch the next left batch */
    JP_PAIRS,      /* pair the current left batch */
    JP_LEFT_DONE,  /* emit what the finished left batch decided */
    JP_RIGHT,      /* emit unmatched right rows */
    JP_PARTITION,  /* spilled: partition the left input */
    JP_NEXT_PART,  /* spilled: load the next partition */
    JP_END
} JoinPhase;

typedef struct JoinNode {
    ExecNode node;
    ExecNode *left, *right;
    int nleft, nright;
    ExecExpr **conds;
    int nconds;
    SdbBatch pad;           /* padded rows (own vectors) */
    SdbBatch pair;          /* semi/anti: candidate pairs (own vectors) */
    uint16_t *sel;
    bool *lmatched;         /* per position of the current left batch */
    JoinPhase phase;
    SdbBatch *lb;           /* current left batch */
    int li;                 /* its next live row */
    /* nested loop */
    RowStore *inner;
    SdbBatch *ib;           /* the right side as batches */
    int nib, bi;
    bool *rmatched;         /* per right row (nested loop) */
    size_t rpos;            /* JP_RIGHT: next right row */
    /* index nested loop */
    SdbExecState *ies;      /* the inner side's current run */
    SdbArena *inner_arena;
    ExecNode *inode;
    RowCtx lrow;            /* the left row the inner side reads */
    bool inner_open;
    /* hash */
    int nkeys;
    ExecExpr **lkeys;
    const SdbTypeOps **kops;
    int *rkeypos;           /* key columns in build rows */
    int flagpos;            /* build row column holding the matched flag */
    RowStore *build;
    RowHash hash;
    uint64_t *hashes;
    SdbVector **lkv;
    size_t slot;            /* probe position of left row li */
    bool probing;
    /* spilled hash join */
    int nparts;             /* 0: everything in memory */
    FILE **lparts, **rparts;
    int curpart;
    RowDesc ldesc;          /* left rows in the files */
    SdbArena *part_arena;   /* left rows read back */
    SdbBatch lbatch;
} JoinNode;

#define JOIN_PARTITIONS 32

static int part_of(uint64_t hash)
{
    return (int)((hash >> 40) % JOIN_PARTITIONS);
}

static bool kind_pads_left(SdbJoinKind k) { return k == SDB_JOIN_KIND_LEFT || k == SDB_JOIN_KIND_FULL; }
static bool kind_pads_right(SdbJoinKind k) { return k == SDB_JOIN_KIND_RIGHT || k == SDB_JOIN_KIND_FULL; }
static bool kind_semi_anti(SdbJoinKind k) { return k == SDB_JOIN_KIND_SEMI || k == SDB_JOIN_KIND_ANTI; }

/* Copy value (v, isnull) into vector position pos. */
static inline void put(SdbVector *dst, int pos, SdbDatum v, bool isnull)
{
    dst->values[pos] = v;
    sdb_vector_set_null(dst, pos, isnull);
}

static void set_nulls(SdbVector *v, int pos)
{
    v->values[pos] = 0;
    sdb_vector_set_null(v, pos, true);
}

/* Rows of the finished left batch the kind emits on its own: semi the
 * matched ones, anti the unmatched ones (a shell over the left batch), left
 * and full the unmatched ones padded with NULLs. */
static int emit_left_done(JoinNode *jn, SdbBatch **out)
{
    const SdbPlanJoin *p = (const SdbPlanJoin *)jn->node.plan;
    SdbBatch *lb = jn->lb;
    int n = sdb_batch_live(lb), m = 0;
    *out = NULL;
    if (kind_semi_anti(p->kind)) {
        bool want = p->kind == SDB_JOIN_KIND_SEMI;
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(lb, i);
            if (jn->lmatched[r] == want)
                jn->sel[m++] = (uint16_t)r;
        }
        jn->node.out.cols = lb->cols;
        jn->node.out.nrows = lb->nrows;
        jn->node.out.sel = jn->sel;
        jn->node.out.nsel = m;
        *out = &jn->node.out;
        return SDB_OK;
    }
    if (!kind_pads_left(p->kind))
        return SDB_OK;
    for (int i = 0; i < n; i++) {
        int r = sdb_batch_row(lb, i);
        if (jn->lmatched[r])
            continue;
        for (int c = 0; c < jn->nleft; c++)
            put(&jn->pad.cols[c], m, lb->cols[c].values[r], sdb_vector_is_null(&lb->cols[c], r));
        for (int c = 0; c < jn->nright; c++)
            set_nulls(&jn->pad.cols[jn->nleft + c], m);
        m++;
    }
    jn->pad.nrows = m;
    jn->pad.sel = NULL;
    *out = &jn->pad;
    return SDB_OK;
}

/* Unmatched right rows padded with NULLs, up to a batch. */
static int emit_right(JoinNode *jn, SdbBatch **out)
{
    int m = 0;
    RowStore *s = jn->build ? jn->build : jn->inner;
    int ncols = s->desc.ncols;
    for (; jn->rpos < s->nrows && m < SDB_BATCH_SIZE; jn->rpos++) {
        Row *r = s->rows[jn->rpos];
        bool matched = jn->build ? r[jn->flagpos] != 0 : jn->rmatched[jn->rpos];
        if (matched)
            continue;
        for (int c = 0; c < jn->nleft; c++)
            set_nulls(&jn->pad.cols[c], m);
        for (int c = 0; c < jn->nright; c++)
            put(&jn->pad.cols[jn->nleft + c], m, r[c], row_is_null(r, ncols, c));
        m++;
    }
    jn->pad.nrows = m;
    jn->pad.sel = NULL;
    *out = m ? &jn->pad : NULL;
    if (jn->rpos >= s->nrows)
        jn->phase = jn->nparts ? JP_NEXT_PART : JP_END;
    return SDB_OK;
}

/* Up to a batch of left rows of the current partition's file. */
static int read_left_part(JoinNode *jn)
{
    FILE *f = jn->lparts[jn->curpart];
    int n = 0;
    sdb_arena_reset(jn->part_arena);
    for (; n < SDB_BATCH_SIZE; n++) {
        Row *r;
        if (row_read(f, jn->part_arena, &jn->ldesc, &r) != SDB_OK)
            return SDB_ERROR;
        if (r == NULL)
            break;
        row_to_batch(&jn->ldesc, r, &jn->lbatch, 0, n);
    }
    jn->lbatch.nrows = n;
    jn->lbatch.sel = NULL;
    jn->lb = n ? &jn->lbatch : NULL;
    return SDB_OK;
}

static int fetch_left(JoinNode *jn)
{
    bool pads_right = kind_pads_right(((const SdbPlanJoin *)jn->node.plan)->kind);
    if ((jn->nparts ? read_left_part(jn) : exec_next(jn->left, &jn->lb)) != SDB_OK)
        return SDB_ERROR;
    if (jn->lb == NULL) {
        jn->rpos = 0;
        jn->phase = pads_right ? JP_RIGHT : jn->nparts ? JP_NEXT_PART : JP_END;
        return SDB_OK;
    }
    memset(jn->lmatched, 0, SDB_BATCH_SIZE * sizeof(bool));
    jn->li = 0;
    jn->bi = 0;
    jn->slot = 0;
    jn->probing = false;
    jn->phase = JP_PAIRS;
    return SDB_OK;
}

/* --- nested loop --------------------------------------------------------- */

static int nl_materialize(JoinNode *jn)
{
    for (;;) {
        SdbBatch *b;
        if (exec_next(jn->right, &b) != SDB_OK)
            return SDB_ERROR;
        if (b == NULL)
            break;
        if (rowstore_add_batch(jn->inner, b) != SDB_OK)
            return SDB_ERROR;
    }
    size_t n = jn->inner->nrows;
    jn->nib = (int)((n + SDB_BATCH_SIZE - 1) / SDB_BATCH_SIZE);
    jn->ib = sdb_arena_calloc(jn->node.arena, jn->nib + 1, sizeof(SdbBatch));
    jn->rmatched = sdb_arena_calloc(jn->node.arena, n + 1, sizeof(bool));
    if (jn->ib == NULL || jn->rmatched == NULL)
        return SDB_ERROR;
    for (int i = 0; i < jn->nib; i++) {
        if (exec_batch_init(jn->node.arena, &jn->ib[i], jn->right->plan->cols, jn->nright) != SDB_OK)
            return SDB_ERROR;
        rowstore_fill(jn->inner, (size_t)i * SDB_BATCH_SIZE, &jn->ib[i]);
    }
    return SDB_OK;
}

/* The pairs of left row lr with right batch rb in `pairs` (left values
 * broadcast, right vectors shared); the matching positions in jn->sel. */
static int nl_pairs(JoinNode *jn, SdbBatch *pairs, int lr, const SdbBatch *rb, int *nmatch)
{
    SdbBatch *lb = jn->lb;
    int n = rb->nrows;
    for (int c = 0; c < jn->nleft; c++) {
        SdbVector *v = &pairs->cols[c];
        SdbDatum x = lb->cols[c].values[lr];
        bool isnull = sdb_vector_is_null(&lb->cols[c], lr);
        for (int i = 0; i < n; i++)
            v->values[i] = x;
        memset(v->nulls, isnull ? 0xFF : 0, ((n + 63) / 64) * sizeof(uint64_t));
    }
    for (int c = 0; c < jn->nright; c++) {
        pairs->cols[jn->nleft + c].values = rb->cols[c].values;
        pairs->cols[jn->nleft + c].nulls = rb->cols[c].nulls;
    }
    pairs->nrows = n;
    pairs->sel = rb->sel;
    pairs->nsel = rb->nsel;
    sdb_arena_reset(jn->node.batch_arena);
    return exec_qual_batch(jn->conds, jn->nconds, pairs, jn->sel, nmatch);
}

/* The next right batch for the current left row: materialized batch bi,
 * or the rebuilt inner side's next batch (index nested loop). */
static int nl_right_batch(JoinNode *jn, int lr, SdbBatch **rb)
{
    const SdbPlanJoin *p = (const SdbPlanJoin *)jn->node.plan;
    *rb = NULL;
    if (p->strategy != SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP) {
        if (jn->bi < jn->nib)
            *rb = &jn->ib[jn->bi++];
        return SDB_OK;
    }
    if (!jn->inner_open) {
        if (jn->ies != NULL)
            exec_run_cleanups(jn->ies);
        sdb_arena_reset(jn->inner_arena);
        jn->lrow.batch = jn->lb;
        jn->lrow.row = lr;
        jn->ies = exec_state_create(jn->node.es->ctx, jn->node.es->sh, jn->inner_arena, jn->node.es->outer);
        if (jn->ies == NULL)
            return SDB_ERROR;
        jn->ies->params = &jn->lrow;
        if ((jn->inode = exec_build(jn->ies, p->right)) == NULL)
            return SDB_ERROR;
        jn->inner_open = true;
    }
    if (exec_next(jn->inode, rb) != SDB_OK)
        return SDB_ERROR;
    if (*rb == NULL)
        jn->inner_open = false;
    return SDB_OK;
}

static int nl_next(JoinNode *jn, SdbBatch **out)
{
    const SdbPlanJoin *p = (const SdbPlanJoin *)jn->node.plan;
    bool semi_anti = kind_semi_anti(p->kind);
    bool inl = p->strategy == SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP;
    int n = sdb_batch_live(jn->lb);
    while (jn->li < n) {
        int lr = sdb_batch_row(jn->lb, jn->li);
        SdbBatch *rb;
        bool stop = semi_anti && jn->lmatched[lr];
        if (!stop && nl_right_batch(jn, lr, &rb) != SDB_OK)
            return SDB_ERROR;
        if (stop || rb == NULL) {
            if (stop && inl && jn->inner_open) {
                exec_run_cleanups(jn->ies);
                jn->ies = NULL;
                jn->inner_open = false;
            }
            jn->li++;
            jn->bi = 0;
            continue;
        }
        SdbBatch *pairs = semi_anti ? &jn->pair : &jn->node.out;
        int m;
        if (nl_pairs(jn, pairs, lr, rb, &m) != SDB_OK)
            return SDB_ERROR;
        if (m == 0)
            continue;
        jn->lmatched[lr] = true;
        if (!inl)
            for (int i = 0; i < m; i++)
                jn->rmatched[(size_t)(jn->bi - 1) * SDB_BATCH_SIZE + jn->sel[i]] = true;
        if (!semi_anti) {
            pairs->sel = jn->sel;
            pairs->nsel = m;
            *out = pairs;
            return SDB_OK;
        }
    }
    jn->phase = JP_LEFT_DONE;
    return SDB_OK;
}

/* --- hash ---------------------------------------------------------------- */

/* Move the build side to partition files: the rows in memory now, and
 * every later one (hash_add_build_row). */
static int hash_spill_start(JoinNode *jn)
{
    jn->nparts = JOIN_PARTITIONS;
    jn->lparts = sdb_arena_calloc(jn->node.arena, JOIN_PARTITIONS, sizeof(FILE *));
    jn->rparts = sdb_arena_calloc(jn->node.arena, JOIN_PARTITIONS, sizeof(FILE *));
    if (jn->lparts == NULL || jn->rparts == NULL)
        return SDB_ERROR;
    for (int p = 0; p < JOIN_PARTITIONS; p++)
        if ((jn->lparts[p] = exec_temp_file(jn->node.es)) == NULL ||
            (jn->rparts[p] = exec_temp_file(jn->node.es)) == NULL)
            return SDB_ERROR;
    int width = jn->build->desc.ncols;
    for (size_t i = 0; i < jn->build->nrows; i++) {
        Row *r = jn->build->rows[i];
        uint64_t h = exec_hash_row(jn->kops, r, width, jn->rkeypos, jn->nkeys);
        if (row_write(jn->rparts[part_of(h)], &jn->build->desc, r) != SDB_OK)
            return SDB_ERROR;
    }
    rowstore_clear(jn->build);
    rowhash_free(&jn->hash);
    return rowhash_init(&jn->hash, 1024);
}

static int hash_add_build_row(JoinNode *jn, Row *row, bool anynull, uint64_t h)
{
    if (jn->nparts > 0)
        return row_write(jn->rparts[part_of(h)], &jn->build->desc, row);
    if (rowstore_add(jn->build, row) != SDB_OK)
        return SDB_ERROR;
    if (!anynull && rowhash_insert(&jn->hash, h, row) != SDB_OK)
        return SDB_ERROR;
    int64_t limit = jn->node.es->ctx->work_mem;
    if (limit > 0 && (int64_t)(rowstore_bytes(jn->build) + rowhash_bytes(&jn->hash)) > limit)
        return hash_spill_start(jn);
    return SDB_OK;
}

/* Write every left row to the partition of its key hash. */
static int hash_partition_left(JoinNode *jn)
{
    for (;;) {
        SdbBatch *b;
        sdb_arena_reset(jn->node.batch_arena);
        if (exec_next(jn->left, &b) != SDB_OK)
            return SDB_ERROR;
        if (b == NULL)
            break;
        int n = sdb_batch_live(b);
        for (int k = 0; k < jn->nkeys; k++)
            if (sdb_exec_eval_batch(jn->lkeys[k], b, b->sel, n, &jn->lkv[k]) != SDB_OK)
                return SDB_ERROR;
        exec_hash_vectors(jn->kops, jn->lkv, jn->nkeys, b->sel, n, jn->hashes);
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(b, i);
            Row *row = row_from_batch(jn->node.batch_arena, &jn->ldesc, b, r);
            if (row == NULL || row_write(jn->lparts[part_of(jn->hashes[r])], &jn->ldesc, row) != SDB_OK)
                return SDB_ERROR;
        }
    }
    jn->curpart = -1;
    return SDB_OK;
}

/* Load the next partition's build rows into the hash table and rewind its
 * left rows; *done after the last one. */
static int hash_next_part(JoinNode *jn, bool *done)
{
    *done = ++jn->curpart >= jn->nparts;
    if (*done)
        return SDB_OK;
    rowstore_clear(jn->build);
    rowhash_free(&jn->hash);
    if (rowhash_init(&jn->hash, 1024) != SDB_OK)
        return SDB_ERROR;
    FILE *rf = jn->rparts[jn->curpart], *lf = jn->lparts[jn->curpart];
    if (fflush(rf) != 0 || fseek(rf, 0, SEEK_SET) != 0 || fflush(lf) != 0 || fseek(lf, 0, SEEK_SET) != 0)
        return sdb_error(SDB_ERR_IO_ERROR, "could not rewind temporary file");
    int width = jn->build->desc.ncols;
    for (;;) {
        Row *r;
        if (row_read(rf, jn->build->arena, &jn->build->desc, &r) != SDB_OK)
            return SDB_ERROR;
        if (r == NULL)
            break;
        bool anynull = false;
        for (int k = 0; k < jn->nkeys; k++)
            anynull |= row_is_null(r, width, jn->rkeypos[k]);
        if (rowstore_add(jn->build, r) != SDB_OK ||
            (!anynull && rowhash_insert(&jn->hash, exec_hash_row(jn->kops, r, width, jn->rkeypos, jn->nkeys), r) != SDB_OK))
            return SDB_ERROR;
    }
    jn->rpos = 0;
    jn->phase = JP_LEFT;
    return SDB_OK;
}

static int hash_build(JoinNode *jn)
{
    const SdbPlanJoin *p = (const SdbPlanJoin *)jn->node.plan;
    ExecEnv renv;
    if (exec_env_init(&jn->node, &renv, jn->right->plan->cols, jn->nright, NULL, 0) != SDB_OK)
        return SDB_ERROR;
    ExecExpr **rkeys = exec_exprs_compile(&renv, p->right_keys, jn->nkeys);
    if (rkeys == NULL)
        return SDB_ERROR;
    int width = jn->build->desc.ncols;
    SdbDatum values[width + 1];
    bool nulls[width + 1];
    for (;;) {
        SdbBatch *b;
        sdb_arena_reset(jn->node.batch_arena);
        if (exec_next(jn->right, &b) != SDB_OK)
            return SDB_ERROR;
        if (b == NULL)
            break;
        int n = sdb_batch_live(b);
        SdbVector *kv[jn->nkeys + 1];
        for (int k = 0; k < jn->nkeys; k++)
            if (sdb_exec_eval_batch(rkeys[k], b, b->sel, n, &kv[k]) != SDB_OK)
                return SDB_ERROR;
        exec_hash_vectors(jn->kops, kv, jn->nkeys, b->sel, n, jn->hashes);
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(b, i);
            bool anynull = false;
            for (int c = 0; c < jn->nright; c++) {
                values[c] = b->cols[c].values[r];
                nulls[c] = sdb_vector_is_null(&b->cols[c], r);
            }
            for (int k = 0; k < jn->nkeys; k++) {
                values[jn->nright + k] = kv[k]->values[r];
                nulls[jn->nright + k] = sdb_vector_is_null(kv[k], r);
                anynull |= nulls[jn->nright + k];
            }
            values[jn->flagpos] = 0;
            nulls[jn->flagpos] = false;
            if (anynull && !kind_pads_right(p->kind))
                continue;
            Row *row = row_from_values(jn->nparts ? jn->node.batch_arena : jn->build->arena, &jn->build->desc,
                                       values, nulls);
            if (row == NULL || hash_add_build_row(jn, row, anynull, jn->hashes[r]) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* Fill `pairs` with up to a batch of candidate pairs (equal keys) of the
 * current left batch, resuming at (li, slot). */
static int hash_candidates(JoinNode *jn, SdbBatch *pairs, Row **rows, int *lrows, int *count)
{
    SdbBatch *lb = jn->lb;
    int n = sdb_batch_live(lb), m = 0;
    int bncols = jn->build->desc.ncols;
    if (!jn->probing) {
        for (int k = 0; k < jn->nkeys; k++)
            if (sdb_exec_eval_batch(jn->lkeys[k], lb, lb->sel, n, &jn->lkv[k]) != SDB_OK)
                return SDB_ERROR;
        exec_hash_vectors(jn->kops, jn->lkv, jn->nkeys, lb->sel, n, jn->hashes);
        jn->probing = true;
        jn->slot = jn->hashes[sdb_batch_row(lb, 0)] & jn->hash.mask;
    }
    while (jn->li < n && m < SDB_BATCH_SIZE) {
        int lr = sdb_batch_row(lb, jn->li);
        uint64_t h = jn->hashes[lr];
        HashEnt *e = &jn->hash.slots[jn->slot];
        if (e->row == NULL) {
            if (++jn->li < n)
                jn->slot = jn->hashes[sdb_batch_row(lb, jn->li)] & jn->hash.mask;
            continue;
        }
        jn->slot = (jn->slot + 1) & jn->hash.mask;
        if (e->hash != h || !exec_keys_equal(jn->kops, jn->lkv, lr, e->row, bncols, jn->rkeypos, jn->nkeys, false))
            continue;
        for (int c = 0; c < jn->nleft; c++)
            put(&pairs->cols[c], m, lb->cols[c].values[lr], sdb_vector_is_null(&lb->cols[c], lr));
        for (int c = 0; c < jn->nright; c++)
            put(&pairs->cols[jn->nleft + c], m, e->row[c], row_is_null(e->row, bncols, c));
        rows[m] = e->row;
        lrows[m] = lr;
        m++;
    }
    pairs->nrows = m;
    pairs->sel = NULL;
    *count = m;
    return SDB_OK;
}

static int hash_next(JoinNode *jn, SdbBatch **out)
{
    const SdbPlanJoin *p = (const SdbPlanJoin *)jn->node.plan;
    bool semi_anti = kind_semi_anti(p->kind);
    SdbBatch *pairs = semi_anti ? &jn->pair : &jn->node.out;
    Row *rows[SDB_BATCH_SIZE];
    int lrows[SDB_BATCH_SIZE];
    for (;;) {
        int m, nmatch;
        if (hash_candidates(jn, pairs, rows, lrows, &m) != SDB_OK)
            return SDB_ERROR;
        if (m == 0) {
            jn->phase = JP_LEFT_DONE;
            return SDB_OK;
        }
        sdb_arena_reset(jn->node.batch_arena);
        if (exec_qual_batch(jn->conds, jn->nconds, pairs, jn->sel, &nmatch) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < nmatch; i++) {
            int pos = jn->sel[i];
            jn->lmatched[lrows[pos]] = true;
            rows[pos][jn->flagpos] = 1;
        }
        if (!semi_anti && nmatch > 0) {
            pairs->sel = jn->sel;
            pairs->nsel = nmatch;
            *out = pairs;
            return SDB_OK;
        }
    }
}

/* --- the operator -------------------------------------------------------- */

static int join_next(ExecNode *node, SdbBatch **out)
{
    JoinNode *jn = (JoinNode *)node;
    bool hash = jn->nkeys > 0;
    *out = NULL;
    for (;;) {
        bool done;
        switch (jn->phase) {
        case JP_PARTITION:
            if (hash_partition_left(jn) != SDB_OK)
                return SDB_ERROR;
            jn->phase = JP_NEXT_PART;
            break;
        case JP_NEXT_PART:
            if (hash_next_part(jn, &done) != SDB_OK)
                return SDB_ERROR;
            if (done)
                jn->phase = JP_END;
            break;
        case JP_LEFT:
            if (fetch_left(jn) != SDB_OK)
                return SDB_ERROR;
            break;
        case JP_PAIRS:
            if ((hash ? hash_next(jn, out) : nl_next(jn, out)) != SDB_OK)
                return SDB_ERROR;
            if (*out)
                return SDB_OK;
            break;
        case JP_LEFT_DONE:
            jn->phase = JP_LEFT;
            if (emit_left_done(jn, out) != SDB_OK)
                return SDB_ERROR;
            if (*out && sdb_batch_live(*out) > 0)
                return SDB_OK;
            break;
        case JP_RIGHT:
            if (emit_right(jn, out) != SDB_OK)
                return SDB_ERROR;
            if (*out)
                return SDB_OK;
            break;
        case JP_END:
            return SDB_OK;
        }
    }
}

static void join_cleanup(void *arg)
{
    JoinNode *jn = arg;
    rowhash_free(&jn->hash);
    if (jn->ies != NULL)
        exec_run_cleanups(jn->ies);
    if (jn->inner)
        rowstore_clear(jn->inner);
    if (jn->build)
        rowstore_clear(jn->build);
}

/* Key comparison: the types' own operations; integer keys of different
 * widths compare as int8 (their datums are sign-extended). */
static const SdbTypeOps *key_ops(SdbOid l, SdbOid r)
{
    bool li = l == SDB_TYPEOID_INT2 || l == SDB_TYPEOID_INT4 || l == SDB_TYPEOID_INT8;
    bool ri = r == SDB_TYPEOID_INT2 || r == SDB_TYPEOID_INT4 || r == SDB_TYPEOID_INT8;
    if (l == r)
        return sdb_type_ops(l);
    if (li && ri)
        return sdb_type_ops(SDB_TYPEOID_INT8);
    return NULL;
}

static int hash_setup(JoinNode *jn, const SdbPlanJoin *p)
{
    SdbArena *arena = jn->node.arena;
    jn->lkeys = exec_exprs_compile(&jn->node.env, p->left_keys, p->nkeys);
    jn->kops = sdb_arena_alloc(arena, (p->nkeys + 1) * sizeof(SdbTypeOps *));
    jn->rkeypos = sdb_arena_alloc(arena, (p->nkeys + 1) * sizeof(int));
    jn->lkv = sdb_arena_alloc(arena, (p->nkeys + 1) * sizeof(SdbVector *));
    jn->hashes = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint64_t));
    SdbPlanColumn *cols = sdb_arena_calloc(arena, jn->nright + p->nkeys + 1, sizeof(SdbPlanColumn));
    if (jn->lkeys == NULL || jn->kops == NULL || jn->rkeypos == NULL || jn->lkv == NULL || jn->hashes == NULL ||
        cols == NULL)
        return SDB_ERROR;
    memcpy(cols, p->right->cols, jn->nright * sizeof(SdbPlanColumn));
    for (int k = 0; k < p->nkeys; k++) {
        jn->kops[k] = key_ops(p->left_keys[k]->type, p->right_keys[k]->type);
        if (jn->kops[k] == NULL || jn->kops[k]->hash == NULL)
            return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "hash join keys of types %u and %u are not supported",
                             (unsigned)p->left_keys[k]->type, (unsigned)p->right_keys[k]->type);
        jn->rkeypos[k] = jn->nright + k;
        cols[jn->nright + k] = (SdbPlanColumn){.table = -1, .type = p->right_keys[k]->type, .typmod = -1};
    }
    jn->flagpos = jn->nright + p->nkeys;
    cols[jn->flagpos] = (SdbPlanColumn){.table = -1, .type = SDB_TYPEOID_INT8, .typmod = -1};
    jn->build = rowstore_create(arena, cols, jn->flagpos + 1);
    jn->part_arena = sdb_arena_create(arena, "left partition", 0);
    if (jn->build == NULL || jn->part_arena == NULL || rowhash_init(&jn->hash, 1024) != SDB_OK ||
        rowdesc_init(arena, &jn->ldesc, p->left->cols, jn->nleft) != SDB_OK ||
        exec_batch_init(arena, &jn->lbatch, p->left->cols, jn->nleft) != SDB_OK || hash_build(jn) != SDB_OK)
        return SDB_ERROR;
    if (jn->nparts > 0)
        jn->phase = JP_PARTITION;
    return SDB_OK;
}

ExecNode *exec_build_join(SdbExecState *es, const SdbPlanJoin *p)
{
    JoinNode *jn = exec_node_alloc(es, &p->plan, sizeof(JoinNode));
    if (jn == NULL || (jn->left = exec_build(es, p->left)) == NULL)
        return NULL;
    bool inl = p->strategy == SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP;
    if (!inl && (jn->right = exec_build(es, p->right)) == NULL)
        return NULL;
    jn->nleft = p->left->ncols;
    jn->nright = p->right->ncols;
    if (exec_env_init(&jn->node, &jn->node.env, p->left->cols, jn->nleft, p->right->cols, jn->nright) != SDB_OK)
        return NULL;
    SdbArena *arena = jn->node.arena;
    SdbPlanColumn *both = sdb_arena_alloc(arena, (jn->nleft + jn->nright + 1) * sizeof(SdbPlanColumn));
    jn->conds = exec_exprs_compile(&jn->node.env, p->conds, p->nconds);
    jn->nconds = p->nconds;
    jn->sel = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    jn->lmatched = sdb_arena_calloc(arena, SDB_BATCH_SIZE, sizeof(bool));
    if (both == NULL || jn->conds == NULL || jn->sel == NULL || jn->lmatched == NULL)
        return NULL;
    memcpy(both, p->left->cols, jn->nleft * sizeof(SdbPlanColumn));
    memcpy(both + jn->nleft, p->right->cols, jn->nright * sizeof(SdbPlanColumn));
    if (exec_batch_init(arena, &jn->pad, both, jn->nleft + jn->nright) != SDB_OK ||
        exec_batch_init(arena, &jn->pair, both, jn->nleft + jn->nright) != SDB_OK)
        return NULL;
    if (!kind_semi_anti(p->kind) && exec_batch_init(arena, &jn->node.out, both, jn->nleft + jn->nright) != SDB_OK)
        return NULL;
    if (exec_defer(es, join_cleanup, jn) != SDB_OK)
        return NULL;
    bool hash = (p->strategy == SDB_JOIN_STRATEGY_HASH || p->strategy == SDB_JOIN_STRATEGY_MERGE) && p->nkeys > 0;
    if (hash) {
        jn->nkeys = p->nkeys;
        if (hash_setup(jn, p) != SDB_OK)
            return NULL;
    } else if (inl) {
        if (kind_pads_right(p->kind)) {
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "index nested loop cannot perform RIGHT or FULL joins");
            return NULL;
        }
        jn->inner_arena = sdb_arena_create(arena, "inner side", 0);
        jn->lrow.es = es;
        jn->lrow.res = &jn->node.env.res;
        if (jn->inner_arena == NULL)
            return NULL;
    } else {
        jn->inner = rowstore_create(arena, p->right->cols, jn->nright);
        if (jn->inner == NULL || nl_materialize(jn) != SDB_OK)
            return NULL;
    }
    jn->node.next = join_next;
    return &jn->node;
}
