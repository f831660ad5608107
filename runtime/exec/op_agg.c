/*
 * exec/op_agg.c: Aggregate.  Groups are found in a hash table per grouping
 * set (NULLs group together; a column outside the set is NULL), each with
 * one state per aggregate of runtime/expr/agg.h, stepped a row at a time
 * from the argument vectors of each input batch.  FILTER skips rows;
 * DISTINCT and ORDER BY inside a call buffer the group's argument rows,
 * sorted (and deduplicated) before stepping at the end.  Ordered-set
 * aggregates get their WITHIN GROUP value as the last argument.  GROUPING()
 * is computed per set.  The plain strategy without GROUP BY (and the empty
 * grouping set) yields one row even over no input.  HAVING filters the
 * result batches.  Hash, sorted and plain strategies share this code: with
 * sorted input the groups come out in input order.  When the groups of a
 * single grouping set outgrow work_mem, input rows of groups not in memory
 * go to partition files by hash, each aggregated after the groups in
 * memory were emitted.
 */
#include "exec/exec_int.h"

#include "expr/agg.h"

/* A group's buffered argument rows (DISTINCT / ORDER BY aggregates). */
typedef struct BufNode {
    struct BufNode *next;
    Row *row;
} BufNode;

typedef struct BufList {
    BufNode *head, *tail;
    size_t count;
} BufList;

typedef struct AggSpec {
    const SdbBoundAggref *ref;        /* NULL: GROUPING() */
    const SdbBoundGroupingFunc *grouping;
    int nargs;                        /* passed to the aggregate */
    ExecExpr **args;
    ExecExpr *filter;
    bool buffered;
    int nbuf;                         /* buffered row: args then ORDER BY keys */
    ExecExpr **bufexprs;
    RowDesc bdesc;
    SortKey *keys;                    /* ORDER BY keys, then (DISTINCT) the args */
    int *keypos;
    int nkeys;
    const SdbTypeOps **argops;        /* DISTINCT: equality of args */
    SdbAggCall call;
    size_t offset;                    /* of its state (or BufList) in a group's state area */
} AggSpec;

/* One grouping set's groups: key rows (ngroups columns + the state area
 * pointer) in first-seen order, and their hash table. */
typedef struct GroupSet {
    int mask;                         /* group columns in the set */
    int nk;
    int *keypos;
    const SdbTypeOps **ops;
    SdbVector **kv;
    RowStore *groups;
    RowHash hash;
} GroupSet;

typedef struct AggNode {
    ExecNode node;
    ExecNode *child;
    int ngroups, naggs;
    ExecExpr **groups;
    const SdbTypeOps **gops;
    AggSpec *aggs;
    size_t state_size;
    SdbArena *states;                 /* group keys, states, buffers, results */
    int nsets;
    GroupSet *sets;
    uint64_t *hashes;
    ExecEnv fenv;                     /* over the full layout: groups then aggs (HAVING) */
    SdbBatch full;
    ExecExpr **having;
    int *outpos;                      /* plan column -> full layout position */
    uint16_t *sel;
    bool consumed;
    int cur_set;                      /* emitting */
    size_t cur_group;
    /* spilling (one grouping set) */
    FILE **parts;                     /* NULL: not spilling */
    int curpart;
    bool in_partition;                /* aggregating a partition: no further spilling */
    RowDesc cdesc;                    /* the child's rows in the files */
    SdbArena *part_arena;
    SdbBatch pbatch;
} AggNode;

#define AGG_PARTITIONS 32

#define STATE_ALIGN 16
/* A buffered aggregate's area: its BufList, then its state. */
#define BUFLIST_SIZE ((sizeof(BufList) + STATE_ALIGN - 1) & ~(size_t)(STATE_ALIGN - 1))

static int key_column_null(const Row *key, int ngroups, int c)
{
    return row_is_null(key, ngroups + 1, c);
}

static char *group_states(const AggNode *an, const Row *key)
{
    return (char *)(uintptr_t)key[an->ngroups];
}

/* A new group of set `gs` for row r of the group vectors: key values of
 * the set's columns, states initialized. */
static Row *group_create(AggNode *an, GroupSet *gs, SdbVector **gv, int r, uint64_t h)
{
    int width = an->ngroups + 1;
    SdbDatum values[width];
    bool nulls[width];
    for (int c = 0; c < an->ngroups; c++) {
        bool in = (gs->mask >> c) & 1;
        nulls[c] = !in || gv == NULL || sdb_vector_is_null(gv[c], r);
        values[c] = nulls[c] ? 0 : gv[c]->values[r];
    }
    char *states = sdb_arena_calloc(an->states, 1, an->state_size ? an->state_size : 1);
    if (states == NULL)
        return NULL;
    values[an->ngroups] = (SdbDatum)(uintptr_t)states;
    nulls[an->ngroups] = false;
    Row *key = row_from_values(an->states, &gs->groups->desc, values, nulls);
    if (key == NULL || rowstore_add(gs->groups, key) != SDB_OK || rowhash_insert(&gs->hash, h, key) != SDB_OK)
        return NULL;
    for (int a = 0; a < an->naggs; a++) {
        AggSpec *s = &an->aggs[a];
        if (s->ref == NULL || s->buffered)
            continue;
        s->call.state = states + s->offset;
        if (sdb_agg_init(&s->call) != SDB_OK)
            return NULL;
    }
    return key;
}

static int step_row(AggNode *an, AggSpec *s, char *states, SdbVector **av, int r)
{
    if (s->buffered) {
        SdbDatum values[s->nbuf + 1];
        bool nulls[s->nbuf + 1];
        for (int i = 0; i < s->nbuf; i++) {
            nulls[i] = sdb_vector_is_null(av[i], r);
            values[i] = nulls[i] ? 0 : av[i]->values[r];
        }
        BufList *list = (BufList *)(states + s->offset);
        BufNode *node = sdb_arena_alloc(an->states, sizeof(BufNode));
        if (node == NULL || (node->row = row_from_values(an->states, &s->bdesc, values, nulls)) == NULL)
            return SDB_ERROR;
        node->next = NULL;
        if (list->tail)
            list->tail->next = node;
        else
            list->head = node;
        list->tail = node;
        list->count++;
        return SDB_OK;
    }
    SdbAggCall *call = &s->call;
    for (int i = 0; i < s->nargs; i++) {
        call->nulls[i] = sdb_vector_is_null(av[i], r);
        call->args[i] = call->nulls[i] ? 0 : av[i]->values[r];
    }
    call->state = states + s->offset;
    return sdb_agg_step(call);
}

/* Start spilling when the groups of a single set outgrow work_mem. */
static int agg_check_memory(AggNode *an)
{
    int64_t limit = an->node.es->ctx->work_mem;
    if (an->parts != NULL || an->in_partition || an->nsets != 1 || an->ngroups == 0 || limit <= 0 ||
        (int64_t)(sdb_arena_bytes(an->states) + rowhash_bytes(&an->sets[0].hash)) <= limit)
        return SDB_OK;
    an->parts = sdb_arena_calloc(an->node.arena, AGG_PARTITIONS, sizeof(FILE *));
    if (an->parts == NULL)
        return SDB_ERROR;
    for (int p = 0; p < AGG_PARTITIONS; p++)
        if ((an->parts[p] = exec_temp_file(an->node.es)) == NULL)
            return SDB_ERROR;
    an->curpart = -1;
    return SDB_OK;
}

/* Fold one input batch into every grouping set's groups. */
static int agg_batch(AggNode *an, SdbBatch *in)
{
    int n = sdb_batch_live(in);
    SdbVector *gv[an->ngroups + 1];
    for (int g = 0; g < an->ngroups; g++)
        if (sdb_exec_eval_batch(an->groups[g], in, in->sel, n, &gv[g]) != SDB_OK)
            return SDB_ERROR;
    SdbVector **av[an->naggs + 1];
    SdbVector *fv[an->naggs + 1];
    for (int a = 0; a < an->naggs; a++) {
        AggSpec *s = &an->aggs[a];
        av[a] = NULL;
        fv[a] = NULL;
        if (s->ref == NULL)
            continue;
        int ne = s->buffered ? s->nbuf : s->nargs;
        ExecExpr **exprs = s->buffered ? s->bufexprs : s->args;
        av[a] = sdb_arena_alloc(an->node.batch_arena, (ne + 1) * sizeof(SdbVector *));
        if (av[a] == NULL)
            return SDB_ERROR;
        for (int i = 0; i < ne; i++)
            if (sdb_exec_eval_batch(exprs[i], in, in->sel, n, &av[a][i]) != SDB_OK)
                return SDB_ERROR;
        if (s->filter && sdb_exec_eval_batch(s->filter, in, in->sel, n, &fv[a]) != SDB_OK)
            return SDB_ERROR;
    }
    for (int si = 0; si < an->nsets; si++) {
        GroupSet *gs = &an->sets[si];
        for (int k = 0; k < gs->nk; k++)
            gs->kv[k] = gv[gs->keypos[k]];
        exec_hash_vectors(gs->ops, gs->kv, gs->nk, in->sel, n, an->hashes);
        int width = an->ngroups + 1;
        for (int i = 0; i < n; i++) {
            int r = sdb_batch_row(in, i);
            uint64_t h = an->hashes[r];
            Row *key = NULL;
            for (size_t j = h & gs->hash.mask; gs->hash.slots[j].row != NULL && key == NULL; j = (j + 1) & gs->hash.mask)
                if (gs->hash.slots[j].hash == h &&
                    exec_keys_equal(gs->ops, gs->kv, r, gs->hash.slots[j].row, width, gs->keypos, gs->nk, true))
                    key = gs->hash.slots[j].row;
            if (key == NULL && an->parts != NULL && !an->in_partition) {
                Row *row = row_from_batch(an->node.batch_arena, &an->cdesc, in, r);
                if (row == NULL || row_write(an->parts[(h >> 40) % AGG_PARTITIONS], &an->cdesc, row) != SDB_OK)
                    return SDB_ERROR;
                continue;
            }
            if (key == NULL && ((key = group_create(an, gs, gv, r, h)) == NULL || agg_check_memory(an) != SDB_OK))
                return SDB_ERROR;
            char *states = group_states(an, key);
            for (int a = 0; a < an->naggs; a++) {
                AggSpec *s = &an->aggs[a];
                if (s->ref == NULL)
                    continue;
                if (fv[a] && (sdb_vector_is_null(fv[a], r) || fv[a]->values[r] == 0))
                    continue;
                if (step_row(an, s, states, av[a], r) != SDB_OK)
                    return SDB_ERROR;
            }
        }
    }
    return SDB_OK;
}

/* Step a buffered aggregate over its rows, sorted and deduplicated. */
static int agg_replay(AggSpec *s, char *states)
{
    BufList *list = (BufList *)(states + s->offset);
    s->call.state = states + s->offset + BUFLIST_SIZE;
    if (sdb_agg_init(&s->call) != SDB_OK)
        return SDB_ERROR;
    size_t n = list->count;
    Row **rows = sdb_malloc((2 * n + 1) * sizeof(Row *));
    if (rows == NULL)
        return SDB_ERROR;
    size_t i = 0;
    for (BufNode *b = list->head; b; b = b->next)
        rows[i++] = b->row;
    exec_sort_rows(rows, rows + n, n, s->keys, s->keypos, s->nkeys, s->bdesc.ncols);
    int ncols = s->bdesc.ncols, rc = SDB_OK;
    for (i = 0; i < n && rc == SDB_OK; i++) {
        if (s->ref->distinct && i > 0) {
            bool same = true;
            for (int a = 0; a < s->nargs && same; a++) {
                bool an_ = row_is_null(rows[i], ncols, a), bn = row_is_null(rows[i - 1], ncols, a);
                same = an_ == bn && (an_ || s->argops[a]->compare(rows[i][a], rows[i - 1][a]) == 0);
            }
            if (same)
                continue;
        }
        for (int a = 0; a < s->nargs; a++) {
            s->call.nulls[a] = row_is_null(rows[i], ncols, a);
            s->call.args[a] = rows[i][a];
        }
        rc = sdb_agg_step(&s->call);
    }
    sdb_free(rows);
    return rc;
}

/* The aggregates' values for group `key` of set `gs` into full-layout row pos. */
static int agg_finish_group(AggNode *an, GroupSet *gs, Row *key, int pos)
{
    SdbBatch *fb = &an->full;
    for (int c = 0; c < an->ngroups; c++) {
        bool isnull = key_column_null(key, an->ngroups, c);
        fb->cols[c].values[pos] = isnull ? 0 : key[c];
        sdb_vector_set_null(&fb->cols[c], pos, isnull);
    }
    char *states = group_states(an, key);
    for (int a = 0; a < an->naggs; a++) {
        AggSpec *s = &an->aggs[a];
        SdbVector *v = &fb->cols[an->ngroups + a];
        if (s->ref == NULL) {
            int64_t bits = 0;
            for (int i = 0; i < s->grouping->nrefs; i++)
                bits = (bits << 1) | !((gs->mask >> s->grouping->refs[i]) & 1);
            v->values[pos] = sdb_datum_from_int64(bits);
            sdb_vector_set_null(v, pos, false);
            continue;
        }
        if (s->buffered) {
            if (agg_replay(s, states) != SDB_OK)
                return SDB_ERROR;
        } else {
            s->call.state = states + s->offset;
        }
        if (sdb_agg_final(&s->call) != SDB_OK)
            return SDB_ERROR;
        v->values[pos] = s->call.result_null ? 0 : s->call.result;
        sdb_vector_set_null(v, pos, s->call.result_null);
    }
    return SDB_OK;
}

/* Forget the groups emitted so far and aggregate the next partition's rows
 * (until one yields groups or none is left). */
static int agg_next_partition(AggNode *an)
{
    GroupSet *gs = &an->sets[0];
    while (an->curpart + 1 < AGG_PARTITIONS) {
        FILE *f = an->parts[++an->curpart];
        rowstore_clear(gs->groups);
        rowhash_free(&gs->hash);
        sdb_arena_reset(an->states);
        if (rowhash_init(&gs->hash, 256) != SDB_OK)
            return SDB_ERROR;
        if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0)
            return sdb_error(SDB_ERR_IO_ERROR, "could not rewind temporary file");
        an->in_partition = true;
        for (bool more = true; more;) {
            int n = 0;
            sdb_arena_reset(an->part_arena);
            sdb_arena_reset(an->node.batch_arena);
            for (; n < SDB_BATCH_SIZE; n++) {
                Row *r;
                if (row_read(f, an->part_arena, &an->cdesc, &r) != SDB_OK)
                    return SDB_ERROR;
                if (r == NULL)
                    break;
                row_to_batch(&an->cdesc, r, &an->pbatch, 0, n);
            }
            more = n == SDB_BATCH_SIZE;
            an->pbatch.nrows = n;
            an->pbatch.sel = NULL;
            if (n > 0 && agg_batch(an, &an->pbatch) != SDB_OK)
                return SDB_ERROR;
        }
        an->cur_set = 0;
        an->cur_group = 0;
        if (gs->groups->nrows > 0)
            break;
    }
    return SDB_OK;
}

static int agg_next(ExecNode *node, SdbBatch **out)
{
    AggNode *an = (AggNode *)node;
    const SdbPlanAggregate *p = (const SdbPlanAggregate *)node->plan;
    *out = NULL;
    if (!an->consumed) {
        for (;;) {
            SdbBatch *in;
            sdb_arena_reset(node->batch_arena);
            if (exec_next(an->child, &in) != SDB_OK)
                return SDB_ERROR;
            if (in == NULL)
                break;
            if (agg_batch(an, in) != SDB_OK)
                return SDB_ERROR;
        }
        an->consumed = true;
    }
    sdb_arena_reset(node->batch_arena);
    int n = 0;
    if (an->cur_set >= an->nsets && an->parts != NULL && an->curpart + 1 < AGG_PARTITIONS &&
        agg_next_partition(an) != SDB_OK)
        return SDB_ERROR;
    while (n < SDB_BATCH_SIZE && an->cur_set < an->nsets) {
        GroupSet *gs = &an->sets[an->cur_set];
        if (an->cur_group >= gs->groups->nrows) {
            an->cur_set++;
            an->cur_group = 0;
            continue;
        }
        if (agg_finish_group(an, gs, gs->groups->rows[an->cur_group++], n) != SDB_OK)
            return SDB_ERROR;
        n++;
    }
    if (n == 0)
        return SDB_OK;
    an->full.nrows = n;
    an->full.sel = NULL;
    int live = n;
    if (p->nhaving > 0) {
        if (exec_qual_batch(an->having, p->nhaving, &an->full, an->sel, &live) != SDB_OK)
            return SDB_ERROR;
        an->full.sel = an->sel;
        an->full.nsel = live;
    }
    for (int c = 0; c < p->plan.ncols; c++) {
        node->out.cols[c].values = an->full.cols[an->outpos[c]].values;
        node->out.cols[c].nulls = an->full.cols[an->outpos[c]].nulls;
    }
    node->out.nrows = n;
    node->out.sel = an->full.sel;
    node->out.nsel = live;
    *out = &node->out;
    return SDB_OK;
}

static void agg_cleanup(void *arg)
{
    AggNode *an = arg;
    for (int s = 0; s < an->nsets; s++) {
        rowhash_free(&an->sets[s].hash);
        rowstore_clear(an->sets[s].groups);
    }
}

static int agg_spec_init(AggNode *an, AggSpec *s, const SdbExpr *e)
{
    SdbArena *arena = an->node.arena;
    if (e->tag == SDB_E_GROUPING_FUNC) {
        s->grouping = (const SdbBoundGroupingFunc *)e;
        return SDB_OK;
    }
    if (e->tag != SDB_E_AGGREF)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "Aggregate computes %s", sdb_expr_tag_name(e->tag));
    const SdbBoundAggref *ref = (const SdbBoundAggref *)e;
    s->ref = ref;
    if (ref->func->agg == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "%s is not an aggregate", ref->func->name);
    /* call arguments: args, then the WITHIN GROUP value */
    int ncall = ref->nargs + (ref->within_group ? ref->norder : 0);
    SdbExpr **callargs = sdb_arena_alloc(arena, (ncall + 1) * sizeof(SdbExpr *));
    SdbOid *types = sdb_arena_alloc(arena, (ncall + 1) * sizeof(SdbOid));
    if (callargs == NULL || types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ref->nargs; i++)
        callargs[i] = ref->args[i];
    for (int i = ref->nargs; i < ncall; i++)
        callargs[i] = ref->order[i - ref->nargs];
    for (int i = 0; i < ncall; i++)
        types[i] = callargs[i]->type;
    s->nargs = ref->star ? 0 : ncall;
    s->args = exec_exprs_compile(&an->node.env, callargs, s->nargs);
    if (s->args == NULL || (ref->filter && (s->filter = exec_expr_compile(&an->node.env, ref->filter)) == NULL))
        return SDB_ERROR;
    s->call = (SdbAggCall){.func = ref->func, .context = &an->node.env.ectx, .arena = an->states,
                           .nargs = s->nargs, .argtypes = types, .rettype = ref->expr.type,
                           .descending = ref->within_group && ref->norder > 0 && (ref->order_flags[0] & SDB_SORT_DESC)};
    s->buffered = ref->distinct || (ref->norder > 0 && !ref->within_group);
    size_t size = ref->func->agg->state_size;
    if (s->buffered) {
        /* buffer rows: args, then ORDER BY keys; sort by the keys, then the args */
        int norder = ref->within_group ? 0 : ref->norder;
        s->nbuf = s->nargs + norder;
        SdbExpr **bufexprs = sdb_arena_alloc(arena, (s->nbuf + 1) * sizeof(SdbExpr *));
        SdbPlanColumn *cols = sdb_arena_calloc(arena, s->nbuf + 1, sizeof(SdbPlanColumn));
        s->nkeys = norder + (ref->distinct ? s->nargs : 0);
        s->keypos = sdb_arena_alloc(arena, (s->nkeys + 1) * sizeof(int));
        SdbOid *ktypes = sdb_arena_alloc(arena, (s->nkeys + 1) * sizeof(SdbOid));
        int *kflags = sdb_arena_calloc(arena, s->nkeys + 1, sizeof(int));
        s->argops = sdb_arena_alloc(arena, (s->nargs + 1) * sizeof(SdbTypeOps *));
        if (bufexprs == NULL || cols == NULL || s->keypos == NULL || ktypes == NULL || kflags == NULL ||
            s->argops == NULL)
            return SDB_ERROR;
        for (int i = 0; i < s->nbuf; i++) {
            bufexprs[i] = i < s->nargs ? callargs[i] : ref->order[i - s->nargs];
            cols[i] = (SdbPlanColumn){.table = -1, .type = bufexprs[i]->type, .typmod = -1};
        }
        int k = 0;
        for (int i = 0; i < norder; i++, k++) {
            s->keypos[k] = s->nargs + i;
            ktypes[k] = ref->order[i]->type;
            kflags[k] = ref->order_flags ? ref->order_flags[i] : 0;
        }
        for (int i = 0; ref->distinct && i < s->nargs; i++, k++) {
            s->keypos[k] = i;
            ktypes[k] = types[i];
            if ((s->argops[i] = sdb_type_ops(types[i])) == NULL || s->argops[i]->compare == NULL)
                return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an equality operator for type %s",
                                 sdb_type_by_oid(types[i]) ? sdb_type_by_oid(types[i])->name : "unknown");
        }
        s->bufexprs = exec_exprs_compile(&an->node.env, bufexprs, s->nbuf);
        if (s->bufexprs == NULL || rowdesc_init(arena, &s->bdesc, cols, s->nbuf) != SDB_OK ||
            exec_sortkeys_init(arena, ktypes, kflags, s->nkeys, &s->keys) != SDB_OK)
            return SDB_ERROR;
        size += BUFLIST_SIZE;
    }
    s->offset = an->state_size;
    an->state_size += (size + STATE_ALIGN - 1) & ~(size_t)(STATE_ALIGN - 1);
    return SDB_OK;
}

static int agg_sets_init(AggNode *an, const SdbPlanAggregate *p)
{
    SdbArena *arena = an->node.arena;
    an->nsets = p->nsets > 0 ? p->nsets : 1;
    an->sets = sdb_arena_calloc(arena, an->nsets, sizeof(GroupSet));
    SdbPlanColumn *kcols = sdb_arena_calloc(arena, an->ngroups + 2, sizeof(SdbPlanColumn));
    if (an->sets == NULL || kcols == NULL)
        return SDB_ERROR;
    for (int c = 0; c < an->ngroups; c++)
        kcols[c] = (SdbPlanColumn){.table = -1, .type = p->groups[c]->type, .typmod = -1};
    kcols[an->ngroups] = (SdbPlanColumn){.table = -1, .type = SDB_TYPEOID_INT8, .typmod = -1};
    for (int si = 0; si < an->nsets; si++) {
        GroupSet *gs = &an->sets[si];
        gs->mask = p->nsets > 0 ? p->sets[si] : (int)((1u << an->ngroups) - 1);
        gs->keypos = sdb_arena_alloc(arena, (an->ngroups + 1) * sizeof(int));
        gs->ops = sdb_arena_alloc(arena, (an->ngroups + 1) * sizeof(SdbTypeOps *));
        gs->kv = sdb_arena_alloc(arena, (an->ngroups + 1) * sizeof(SdbVector *));
        gs->groups = rowstore_create(arena, kcols, an->ngroups + 1);
        if (gs->keypos == NULL || gs->ops == NULL || gs->kv == NULL || gs->groups == NULL ||
            rowhash_init(&gs->hash, 256) != SDB_OK)
            return SDB_ERROR;
        for (int c = 0; c < an->ngroups; c++)
            if ((gs->mask >> c) & 1) {
                gs->keypos[gs->nk] = c;
                gs->ops[gs->nk++] = an->gops[c];
            }
        /* no GROUP BY, or the empty grouping set: one group even over no input */
        if (gs->nk == 0 && group_create(an, gs, NULL, 0, exec_hash_row(gs->ops, NULL, 0, NULL, 0)) == NULL)
            return SDB_ERROR;
    }
    return SDB_OK;
}

ExecNode *exec_build_aggregate(SdbExecState *es, const SdbPlanAggregate *p)
{
    AggNode *an = exec_node_alloc(es, &p->plan, sizeof(AggNode));
    if (an == NULL || (an->child = exec_build(es, p->child)) == NULL ||
        exec_env_init(&an->node, &an->node.env, p->child->cols, p->child->ncols, NULL, 0) != SDB_OK)
        return NULL;
    SdbArena *arena = an->node.arena;
    an->ngroups = p->ngroups;
    an->naggs = p->naggs;
    if (an->ngroups > 62) {
        sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many grouping columns");
        return NULL;
    }
    an->states = sdb_arena_create(arena, "groups", 0);
    an->groups = exec_exprs_compile(&an->node.env, p->groups, p->ngroups);
    an->gops = sdb_arena_alloc(arena, (an->ngroups + 1) * sizeof(SdbTypeOps *));
    an->aggs = sdb_arena_calloc(arena, an->naggs + 1, sizeof(AggSpec));
    an->hashes = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint64_t));
    an->sel = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint16_t));
    SdbPlanColumn *fcols = sdb_arena_calloc(arena, an->ngroups + an->naggs + 1, sizeof(SdbPlanColumn));
    an->outpos = sdb_arena_alloc(arena, (p->plan.ncols + 1) * sizeof(int));
    if (an->states == NULL || an->groups == NULL || an->gops == NULL || an->aggs == NULL || an->hashes == NULL ||
        an->sel == NULL || fcols == NULL || an->outpos == NULL)
        return NULL;
    for (int c = 0; c < an->ngroups; c++) {
        an->gops[c] = sdb_type_ops(p->groups[c]->type);
        if (an->gops[c] == NULL || an->gops[c]->hash == NULL) {
            sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an equality operator for type %s",
                      sdb_type_by_oid(p->groups[c]->type) ? sdb_type_by_oid(p->groups[c]->type)->name : "unknown");
            return NULL;
        }
        fcols[c] = (SdbPlanColumn){.table = p->group_table, .column = c, .type = p->groups[c]->type, .typmod = -1};
    }
    for (int a = 0; a < an->naggs; a++) {
        if (agg_spec_init(an, &an->aggs[a], p->aggs[a]) != SDB_OK)
            return NULL;
        fcols[an->ngroups + a] = (SdbPlanColumn){.table = p->agg_table, .column = a, .type = p->aggs[a]->type,
                                                 .typmod = p->aggs[a]->typmod};
    }
    if (exec_env_init(&an->node, &an->fenv, fcols, an->ngroups + an->naggs, NULL, 0) != SDB_OK ||
        exec_batch_init(arena, &an->full, fcols, an->ngroups + an->naggs) != SDB_OK ||
        (an->having = exec_exprs_compile(&an->fenv, p->having, p->nhaving)) == NULL)
        return NULL;
    for (int c = 0; c < p->plan.ncols; c++) {
        an->outpos[c] = exec_resolve(&an->fenv.res, p->plan.cols[c].table, p->plan.cols[c].column);
        if (an->outpos[c] < 0) {
            sdb_error(SDB_ERR_INTERNAL_ERROR, "Aggregate output column (%d, %d) is neither a group nor an aggregate",
                      p->plan.cols[c].table, p->plan.cols[c].column);
            return NULL;
        }
    }
    an->part_arena = sdb_arena_create(arena, "agg partition", 0);
    if (an->part_arena == NULL || rowdesc_init(arena, &an->cdesc, p->child->cols, p->child->ncols) != SDB_OK ||
        exec_batch_init(arena, &an->pbatch, p->child->cols, p->child->ncols) != SDB_OK ||
        exec_defer(es, agg_cleanup, an) != SDB_OK || agg_sets_init(an, p) != SDB_OK)
        return NULL;
    an->node.next = agg_next;
    return &an->node;
}
