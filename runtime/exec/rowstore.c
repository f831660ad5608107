/*
 * exec/rowstore.c: materialized rows (ncols datums and a null bitmap, by
 * reference values copied next to them), row stores that keep them in
 * insertion order, spill files (unlinked temp files) rows are written to and
 * read back from, and the comparison and hashing of values every operator
 * that sorts, groups or joins uses.
 */
#include "exec/exec_int.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int rowdesc_init(SdbArena *arena, RowDesc *d, const SdbPlanColumn *cols, int ncols)
{
    d->ncols = ncols;
    d->width = ncols + (ncols + 63) / 64;
    d->types = sdb_arena_alloc(arena, (ncols ? ncols : 1) * sizeof(SdbOid));
    d->byref = sdb_arena_alloc(arena, (ncols ? ncols : 1) * sizeof(bool));
    if (d->types == NULL || d->byref == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        d->types[i] = cols[i].type;
        d->byref[i] = exec_type_byref(cols[i].type);
    }
    return SDB_OK;
}

/* Bytes of a row's by-reference values. */
static size_t row_extra(const RowDesc *d, const SdbDatum *values, const uint64_t *nullbits)
{
    size_t extra = 0;
    for (int i = 0; i < d->ncols; i++) {
        bool isnull = (nullbits[i >> 6] >> (i & 63)) & 1;
        if (d->byref[i] && !isnull)
            extra += (sizeof(SdbVarlena) + sdb_datum_varlena(values[i])->len + 1 + 7) & ~(size_t)7;
    }
    return extra;
}

/* A row of d->ncols values/null bits copied (with its by-reference values)
 * into one allocation. */
static Row *row_make(SdbArena *arena, const RowDesc *d, const SdbDatum *values, const uint64_t *nullbits)
{
    size_t head = d->width * sizeof(SdbDatum);
    Row *r = sdb_arena_alloc(arena, head + row_extra(d, values, nullbits));
    if (r == NULL)
        return NULL;
    char *p = (char *)r + head;
    int nwords = d->width - d->ncols;
    for (int w = 0; w < nwords; w++)
        r[d->ncols + w] = nullbits[w];
    for (int i = 0; i < d->ncols; i++) {
        bool isnull = (nullbits[i >> 6] >> (i & 63)) & 1;
        if (isnull) {
            r[i] = 0;
        } else if (d->byref[i]) {
            const SdbVarlena *v = sdb_datum_varlena(values[i]);
            size_t n = sizeof(SdbVarlena) + v->len + 1;
            memcpy(p, v, n);
            r[i] = sdb_datum_from_ptr(p);
            p += (n + 7) & ~(size_t)7;
        } else {
            r[i] = values[i];
        }
    }
    return r;
}

Row *row_from_batch(SdbArena *arena, const RowDesc *d, const SdbBatch *b, int row)
{
    SdbDatum values[d->ncols ? d->ncols : 1];
    uint64_t bits[(d->ncols + 63) / 64 + 1];
    memset(bits, 0, sizeof(bits));
    for (int i = 0; i < d->ncols; i++) {
        values[i] = b->cols[i].values[row];
        if (sdb_vector_is_null(&b->cols[i], row))
            bits[i >> 6] |= (uint64_t)1 << (i & 63);
    }
    return row_make(arena, d, values, bits);
}

Row *row_from_values(SdbArena *arena, const RowDesc *d, const SdbDatum *values, const bool *nulls)
{
    uint64_t bits[(d->ncols + 63) / 64 + 1];
    memset(bits, 0, sizeof(bits));
    for (int i = 0; i < d->ncols; i++)
        if (nulls[i])
            bits[i >> 6] |= (uint64_t)1 << (i & 63);
    return row_make(arena, d, values, bits);
}

Row *row_copy(SdbArena *arena, const RowDesc *d, const Row *r)
{
    return row_make(arena, d, r, (const uint64_t *)&r[d->ncols]);
}

void row_to_batch(const RowDesc *d, const Row *r, SdbBatch *b, int off, int pos)
{
    for (int i = 0; i < d->ncols; i++) {
        SdbVector *v = &b->cols[off + i];
        bool isnull = row_is_null(r, d->ncols, i);
        v->values[pos] = r[i];
        sdb_vector_set_null(v, pos, isnull);
    }
}

/* --- row stores ---------------------------------------------------------- */

RowStore *rowstore_create(SdbArena *parent, const SdbPlanColumn *cols, int ncols)
{
    SdbArena *arena = sdb_arena_create(parent, "rows", 0);
    if (arena == NULL)
        return NULL;
    RowStore *s = sdb_arena_calloc(parent, 1, sizeof(RowStore));
    if (s == NULL || rowdesc_init(parent, &s->desc, cols, ncols) != SDB_OK)
        return NULL;
    s->arena = arena;
    return s;
}

int rowstore_add(RowStore *s, Row *r)
{
    if (s->nrows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        Row **rows = sdb_malloc(cap * sizeof(Row *));
        if (rows == NULL)
            return SDB_ERROR;
        if (s->nrows)
            memcpy(rows, s->rows, s->nrows * sizeof(Row *));
        sdb_free(s->rows);
        s->rows = rows;
        s->cap = cap;
    }
    s->rows[s->nrows++] = r;
    return SDB_OK;
}

int rowstore_add_batch(RowStore *s, const SdbBatch *b)
{
    int n = sdb_batch_live(b);
    for (int i = 0; i < n; i++) {
        Row *r = row_from_batch(s->arena, &s->desc, b, sdb_batch_row(b, i));
        if (r == NULL || rowstore_add(s, r) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

void rowstore_clear(RowStore *s)
{
    sdb_arena_reset(s->arena);
    sdb_free(s->rows);
    s->rows = NULL;
    s->nrows = s->cap = 0;
}

void rowstore_cleanup(void *store)
{
    rowstore_clear(store);
}

size_t rowstore_bytes(const RowStore *s)
{
    return sdb_arena_bytes(s->arena) + s->cap * sizeof(Row *);
}

int rowstore_fill(const RowStore *s, size_t start, SdbBatch *b)
{
    int n = 0;
    for (size_t i = start; i < s->nrows && n < SDB_BATCH_SIZE; i++, n++)
        row_to_batch(&s->desc, s->rows[i], b, 0, n);
    b->nrows = n;
    b->sel = NULL;
    return n;
}

/* --- spill files --------------------------------------------------------- */

static void close_file(void *arg)
{
    fclose((FILE *)arg);
}

FILE *exec_temp_file(SdbExecState *es)
{
    const char *dir = es->ctx->temp_dir ? es->ctx->temp_dir : "/tmp";
    char path[4096];
    snprintf(path, sizeof(path), "%s/sdb_exec_XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        sdb_error_errno(errno, "could not create temporary file \"%s\"", path);
        return NULL;
    }
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (f == NULL) {
        sdb_error_errno(errno, "could not open temporary file \"%s\"", path);
        close(fd);
        return NULL;
    }
    if (exec_defer(es, close_file, f) != SDB_OK) {
        fclose(f);
        return NULL;
    }
    return f;
}

static int write_err(void)
{
    return sdb_error_errno(errno, "could not write to temporary file");
}

/* Row on disk: its byte size, then the row as row_make lays it out (datums,
 * null words, by-reference values each padded to 8 bytes) with each
 * by-reference datum replaced by its value's offset from the row start:
 * one read brings it back. */
int row_write(FILE *f, const RowDesc *d, const Row *r)
{
    uint64_t head[d->width];
    size_t off = d->width * sizeof(SdbDatum);
    memcpy(head, r, sizeof(head));
    for (int i = 0; i < d->ncols; i++)
        if (d->byref[i] && !row_is_null(r, d->ncols, i)) {
            head[i] = off;
            off += (sizeof(SdbVarlena) + sdb_datum_varlena(r[i])->len + 1 + 7) & ~(size_t)7;
        }
    uint64_t size = off;
    if (fwrite(&size, sizeof(size), 1, f) != 1 || fwrite(head, sizeof(head), 1, f) != 1)
        return write_err();
    static const char pad[8];
    for (int i = 0; i < d->ncols; i++)
        if (d->byref[i] && !row_is_null(r, d->ncols, i)) {
            const SdbVarlena *v = sdb_datum_varlena(r[i]);
            size_t n = sizeof(SdbVarlena) + v->len + 1, padding = ((n + 7) & ~(size_t)7) - n;
            if (fwrite(v, n, 1, f) != 1 || (padding > 0 && fwrite(pad, padding, 1, f) != 1))
                return write_err();
        }
    return SDB_OK;
}

static int read_err(FILE *f)
{
    if (ferror(f))
        return sdb_error_errno(errno, "could not read from temporary file");
    return sdb_error(SDB_ERR_IO_ERROR, "could not read from temporary file: unexpected end of file");
}

int row_read(FILE *f, SdbArena *arena, const RowDesc *d, Row **out)
{
    uint64_t size;
    *out = NULL;
    if (fread(&size, sizeof(size), 1, f) != 1)
        return feof(f) && !ferror(f) ? SDB_OK : read_err(f);
    if (size < d->width * sizeof(SdbDatum))
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "corrupted row in temporary file");
    Row *r = sdb_arena_alloc(arena, size);
    if (r == NULL)
        return SDB_ERROR;
    if (fread(r, size, 1, f) != 1)
        return read_err(f);
    for (int i = 0; i < d->ncols; i++)
        if (d->byref[i] && !row_is_null(r, d->ncols, i)) {
            if (r[i] >= size)
                return sdb_error(SDB_ERR_DATA_CORRUPTED, "corrupted row in temporary file");
            r[i] = sdb_datum_from_ptr((char *)r + r[i]);
        }
    *out = r;
    return SDB_OK;
}

/* --- comparing and hashing ---------------------------------------------- */

int exec_sortkeys_init(SdbArena *arena, const SdbOid *types, const int *flags, int n, SortKey **out)
{
    SortKey *k = sdb_arena_calloc(arena, n ? n : 1, sizeof(SortKey));
    if (k == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        k[i].ops = sdb_type_ops(types[i]);
        if (k[i].ops == NULL || k[i].ops->compare == NULL) {
            const SdbTypeInfo *t = sdb_type_by_oid(types[i]);
            return sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify an ordering operator for type %s",
                             t ? t->name : "unknown");
        }
        int f = flags ? flags[i] : 0;
        k[i].desc = (f & SDB_SORT_DESC) != 0;
        /* default: NULLs last ascending, first descending */
        k[i].nulls_first = (f & SDB_SORT_NULLS_FIRST) != 0 || (k[i].desc && !(f & SDB_SORT_NULLS_LAST));
    }
    *out = k;
    return SDB_OK;
}

int exec_compare_datum(const SortKey *k, SdbDatum a, bool an, SdbDatum b, bool bn)
{
    if (an || bn) {
        if (an && bn)
            return 0;
        return (an ? -1 : 1) * (k->nulls_first ? 1 : -1);
    }
    int c = k->ops->compare(a, b);
    return k->desc ? -c : c;
}

/* --- hash tables of rows ------------------------------------------------ */

int rowhash_init(RowHash *h, size_t expected)
{
    size_t n = 64;
    while (n < expected * 2)
        n <<= 1;
    h->slots = sdb_malloc(n * sizeof(HashEnt));
    if (h->slots == NULL)
        return SDB_ERROR;
    memset(h->slots, 0, n * sizeof(HashEnt));
    h->mask = n - 1;
    h->count = 0;
    return SDB_OK;
}

static int rowhash_grow(RowHash *h)
{
    RowHash bigger;
    if (rowhash_init(&bigger, (h->mask + 1)) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i <= h->mask; i++)
        if (h->slots[i].row != NULL) {
            size_t j = h->slots[i].hash & bigger.mask;
            while (bigger.slots[j].row != NULL)
                j = (j + 1) & bigger.mask;
            bigger.slots[j] = h->slots[i];
        }
    bigger.count = h->count;
    sdb_free(h->slots);
    *h = bigger;
    return SDB_OK;
}

int rowhash_insert(RowHash *h, uint64_t hash, Row *row)
{
    if ((h->count + 1) * 4 > (h->mask + 1) * 3 && rowhash_grow(h) != SDB_OK)
        return SDB_ERROR;
    size_t j = hash & h->mask;
    while (h->slots[j].row != NULL)
        j = (j + 1) & h->mask;
    h->slots[j].hash = hash;
    h->slots[j].row = row;
    h->count++;
    return SDB_OK;
}

void rowhash_free(RowHash *h)
{
    sdb_free(h->slots);
    h->slots = NULL;
    h->mask = h->count = 0;
}

size_t rowhash_bytes(const RowHash *h)
{
    return h->slots ? (h->mask + 1) * sizeof(HashEnt) : 0;
}

void exec_hash_vectors(const SdbTypeOps *const *ops, SdbVector **kv, int nkeys, const uint16_t *sel, int n,
                       uint64_t *hashes)
{
    for (int i = 0; i < n; i++)
        hashes[sel ? sel[i] : i] = 0x2545F4914F6CDD1DULL;
    for (int k = 0; k < nkeys; k++) {
        const SdbVector *v = kv[k];
        SdbTypeHashFn hash = ops[k]->hash;
        for (int i = 0; i < n; i++) {
            int r = sel ? sel[i] : i;
            uint64_t x = sdb_vector_is_null(v, r) ? 0x5bd1e995u : hash(v->values[r]);
            hashes[r] = exec_hash_combine(hashes[r], x);
        }
    }
}

uint64_t exec_hash_row(const SdbTypeOps *const *ops, const Row *r, int ncols, const int *keypos, int nkeys)
{
    uint64_t h = 0x2545F4914F6CDD1DULL;
    for (int k = 0; k < nkeys; k++) {
        int c = keypos[k];
        h = exec_hash_combine(h, row_is_null(r, ncols, c) ? 0x5bd1e995u : ops[k]->hash(r[c]));
    }
    return h;
}

bool exec_keys_equal(const SdbTypeOps *const *ops, SdbVector **kv, int pos, const Row *r, int ncols,
                     const int *keypos, int nkeys, bool nulls_equal)
{
    for (int k = 0; k < nkeys; k++) {
        bool an = sdb_vector_is_null(kv[k], pos), bn = row_is_null(r, ncols, keypos[k]);
        if (an || bn) {
            if (!(an && bn && nulls_equal))
                return false;
            continue;
        }
        if (ops[k]->compare(kv[k]->values[pos], r[keypos[k]]) != 0)
            return false;
    }
    return true;
}

bool exec_rows_equal(const SdbTypeOps *const *ops, const Row *a, const Row *b, int ncols, const int *keypos,
                     int nkeys)
{
    for (int k = 0; k < nkeys; k++) {
        int c = keypos[k];
        bool an = row_is_null(a, ncols, c), bn = row_is_null(b, ncols, c);
        if (an || bn) {
            if (!(an && bn))
                return false;
            continue;
        }
        if (ops[k]->compare(a[c], b[c]) != 0)
            return false;
    }
    return true;
}
