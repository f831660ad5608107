/*
 * exec/rowset.c: sets of distinct rows with two occurrence counters each
 * (exec_int.h RowSet), spilling to hash partitions above work_mem: once
 * the set is too big, rows whose values are not in memory are written with
 * their counts to the partition of their hash; each partition is later
 * loaded alone, merging equal rows' counts.  Values in memory at the switch
 * keep being counted there, so every value is counted in exactly one place.
 */
#include "exec/exec_int.h"

#define ROWSET_PARTITIONS 32

static void rowset_free(void *arg)
{
    RowSet *s = arg;
    rowhash_free(&s->hash);
    rowstore_clear(s->rows);
}

int rowset_init(SdbExecState *es, SdbArena *arena, RowSet *s, const SdbPlanColumn *cols, int ncols, bool can_spill)
{
    s->es = es;
    s->ncols = ncols;
    s->can_spill = can_spill;
    s->ops = sdb_arena_alloc(arena, (ncols + 1) * sizeof(SdbTypeOps *));
    s->keypos = sdb_arena_alloc(arena, (ncols + 1) * sizeof(int));
    s->hashes = sdb_arena_alloc(arena, SDB_BATCH_SIZE * sizeof(uint64_t));
    SdbPlanColumn *all = sdb_arena_calloc(arena, ncols + 2, sizeof(SdbPlanColumn));
    if (s->ops == NULL || s->keypos == NULL || s->hashes == NULL || all == NULL)
        return SDB_ERROR;
    memcpy(all, cols, ncols * sizeof(SdbPlanColumn));
    for (int c = 0; c < ncols; c++) {
        s->keypos[c] = c;
        s->ops[c] = sdb_type_ops(cols[c].type);
        if (s->ops[c] == NULL || s->ops[c]->hash == NULL) {
            const SdbTypeInfo *t = sdb_type_by_oid(cols[c].type);
            return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an equality operator for type %s",
                             t ? t->name : "unknown");
        }
    }
    all[ncols].type = all[ncols + 1].type = SDB_TYPEOID_INT8;
    s->rows = rowstore_create(arena, all, ncols + 2);
    s->scratch = sdb_arena_create(arena, "row set scratch", 0);
    if (s->rows == NULL || s->scratch == NULL || rowhash_init(&s->hash, 256) != SDB_OK)
        return SDB_ERROR;
    return exec_defer(es, rowset_free, s);
}

static int rowset_check_memory(RowSet *s)
{
    int64_t limit = s->es->ctx->work_mem;
    if (!s->can_spill || s->parts != NULL || limit <= 0 ||
        (int64_t)(rowstore_bytes(s->rows) + rowhash_bytes(&s->hash)) <= limit)
        return SDB_OK;
    s->parts = sdb_arena_calloc(s->es->arena, ROWSET_PARTITIONS, sizeof(FILE *));
    if (s->parts == NULL)
        return SDB_ERROR;
    for (int p = 0; p < ROWSET_PARTITIONS; p++)
        if ((s->parts[p] = exec_temp_file(s->es)) == NULL)
            return SDB_ERROR;
    s->curpart = -1;
    return SDB_OK;
}

int rowset_add_batch(RowSet *s, const SdbBatch *b, int which, uint16_t *sel_new, int *nnew)
{
    int n = sdb_batch_live(b), m = 0;
    SdbVector *kv[s->ncols + 1];
    for (int c = 0; c < s->ncols; c++)
        kv[c] = &b->cols[c];
    exec_hash_vectors(s->ops, kv, s->ncols, b->sel, n, s->hashes);
    int width = s->rows->desc.ncols;
    SdbDatum values[width];
    bool nulls[width];
    for (int i = 0; i < n; i++) {
        int r = sdb_batch_row(b, i);
        uint64_t h = s->hashes[r];
        Row *found = NULL;
        for (size_t j = h & s->hash.mask; s->hash.slots[j].row != NULL && !found; j = (j + 1) & s->hash.mask)
            if (s->hash.slots[j].hash == h &&
                exec_keys_equal(s->ops, kv, r, s->hash.slots[j].row, width, s->keypos, s->ncols, true))
                found = s->hash.slots[j].row;
        if (found != NULL) {
            found[s->ncols + which]++;
            continue;
        }
        for (int c = 0; c < s->ncols; c++) {
            values[c] = kv[c]->values[r];
            nulls[c] = sdb_vector_is_null(kv[c], r);
        }
        values[s->ncols] = which == 0;
        values[s->ncols + 1] = which == 1;
        nulls[s->ncols] = nulls[s->ncols + 1] = false;
        if (s->parts != NULL) {
            sdb_arena_reset(s->scratch);
            Row *row = row_from_values(s->scratch, &s->rows->desc, values, nulls);
            if (row == NULL || row_write(s->parts[(h >> 40) % ROWSET_PARTITIONS], &s->rows->desc, row) != SDB_OK)
                return SDB_ERROR;
            continue;
        }
        found = row_from_values(s->rows->arena, &s->rows->desc, values, nulls);
        if (found == NULL || rowstore_add(s->rows, found) != SDB_OK || rowhash_insert(&s->hash, h, found) != SDB_OK ||
            rowset_check_memory(s) != SDB_OK)
            return SDB_ERROR;
        if (sel_new)
            sel_new[m++] = (uint16_t)r;
    }
    if (nnew)
        *nnew = m;
    return SDB_OK;
}

int rowset_next_partition(RowSet *s, bool *done)
{
    *done = s->parts == NULL || ++s->curpart >= ROWSET_PARTITIONS;
    if (*done)
        return SDB_OK;
    rowstore_clear(s->rows);
    rowhash_free(&s->hash);
    if (rowhash_init(&s->hash, 256) != SDB_OK)
        return SDB_ERROR;
    FILE *f = s->parts[s->curpart];
    if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0)
        return sdb_error(SDB_ERR_IO_ERROR, "could not rewind temporary file");
    int width = s->rows->desc.ncols;
    for (;;) {
        Row *r;
        if (row_read(f, s->rows->arena, &s->rows->desc, &r) != SDB_OK)
            return SDB_ERROR;
        if (r == NULL)
            return SDB_OK;
        uint64_t h = exec_hash_row(s->ops, r, width, s->keypos, s->ncols);
        Row *found = NULL;
        for (size_t j = h & s->hash.mask; s->hash.slots[j].row != NULL && !found; j = (j + 1) & s->hash.mask)
            if (s->hash.slots[j].hash == h && exec_rows_equal(s->ops, r, s->hash.slots[j].row, width, s->keypos,
                                                              s->ncols))
                found = s->hash.slots[j].row;
        if (found != NULL) {
            found[s->ncols] += r[s->ncols];
            found[s->ncols + 1] += r[s->ncols + 1];
        } else if (rowstore_add(s->rows, r) != SDB_OK || rowhash_insert(&s->hash, h, r) != SDB_OK) {
            return SDB_ERROR;
        }
    }
}

int rowset_emit(RowSet *s, size_t *pos, int64_t *repeat, RowSetCopies copies, void *arg, SdbBatch *out)
{
    int ncols = s->ncols, width = s->rows->desc.ncols, n = 0;
    for (;;) {
        while (n < SDB_BATCH_SIZE && *pos < s->rows->nrows) {
            Row *r = s->rows->rows[*pos];
            if (*repeat < 0)
                *repeat = copies(arg, (int64_t)r[ncols], (int64_t)r[ncols + 1]);
            if (*repeat == 0) {
                (*pos)++;
                *repeat = -1;
                continue;
            }
            for (int c = 0; c < ncols; c++) {
                out->cols[c].values[n] = r[c];
                sdb_vector_set_null(&out->cols[c], n, row_is_null(r, width, c));
            }
            n++;
            (*repeat)--;
        }
        if (n > 0)
            break;
        bool done;
        if (rowset_next_partition(s, &done) != SDB_OK)
            return -1;
        if (done)
            break;
        *pos = 0;
        *repeat = -1;
    }
    out->nrows = n;
    out->sel = NULL;
    return n;
}
