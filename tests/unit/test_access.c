/*
 * test_access.c: runtime/access over a real engine with hand-built
 * relation descriptors (the catalog's DDL is not needed): scans of many
 * rows across pages with MVCC between sessions, ctid, TOAST of big values,
 * index range scans (ascending, DESC, multi-column, NULLs, backward),
 * NOT NULL / UNIQUE / FOREIGN KEY errors with PostgreSQL's messages and
 * details, waiting on a concurrent unique insert, ON CONFLICT, foreign key
 * actions (RESTRICT, CASCADE, SET NULL, SET DEFAULT), sequences, and rows
 * surviving a crash without checkpoint.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "access/table.h"
#include "catalog/row.h"
#include "harness.h"
#include "storage/btree.h"
#include "storage/heap.h"
#include "txn_test_util.h"

#define DB 5

/* ---- descriptors -------------------------------------------------------------- */

static const int16_t key1[] = {1};
static const int16_t key2[] = {2};
static const int16_t opt0[] = {0};
static const int16_t keys_ab[] = {1, 2};
static const int16_t opts_ab[] = {0, 3}; /* a ASC, b DESC NULLS FIRST */

#define FILE_OF(n) {.db_oid = DB, .rel_number = (n)}

/* t(id int4 NOT NULL PRIMARY KEY, name text NOT NULL, v int8) */
static const SdbAttribute t_attrs[] = {
    {.name = "id", .attnum = 1, .type = SDB_TYPEOID_INT4, .typmod = -1, .not_null = true},
    {.name = "name", .attnum = 2, .type = SDB_TYPEOID_TEXT, .typmod = -1, .not_null = true},
    {.name = "v", .attnum = 3, .type = SDB_TYPEOID_INT8, .typmod = -1},
};
static const SdbIndex t_indexes[] = {
    {.oid = 20001, .name = "t_pkey", .file = FILE_OF(20001), .unique = true, .primary = true, .nkeys = 1,
     .keys = key1, .key_options = opt0},
};
static const SdbRelation rel_t = {.oid = 20000, .name = "t", .kind = 'r', .file = FILE_OF(20000),
                                  .toast = FILE_OF(20002), .natts = 3, .attrs = t_attrs, .nindexes = 1,
                                  .indexes = t_indexes};

/* m(a int4, b text), index m_a_b (a, b DESC) */
static const SdbAttribute m_attrs[] = {
    {.name = "a", .attnum = 1, .type = SDB_TYPEOID_INT4, .typmod = -1},
    {.name = "b", .attnum = 2, .type = SDB_TYPEOID_TEXT, .typmod = -1},
};
static const SdbIndex m_indexes[] = {
    {.oid = 20011, .name = "m_a_b", .file = FILE_OF(20011), .nkeys = 2, .keys = keys_ab, .key_options = opts_ab},
};
static const SdbRelation rel_m = {.oid = 20010, .name = "m", .kind = 'r', .file = FILE_OF(20010), .natts = 2,
                                  .attrs = m_attrs, .nindexes = 1, .indexes = m_indexes};

/* p(id int4 PRIMARY KEY) and children c?(id int4, p int4 REFERENCES p) */
static const SdbAttribute p_attrs[] = {
    {.name = "id", .attnum = 1, .type = SDB_TYPEOID_INT4, .typmod = -1, .not_null = true},
};
static const SdbIndex p_indexes[] = {
    {.oid = 20021, .name = "p_pkey", .file = FILE_OF(20021), .unique = true, .primary = true, .nkeys = 1,
     .keys = key1, .key_options = opt0},
};
static const SdbAttribute c_attrs[] = {
    {.name = "id", .attnum = 1, .type = SDB_TYPEOID_INT4, .typmod = -1},
    {.name = "p", .attnum = 2, .type = SDB_TYPEOID_INT4, .typmod = -1},
};
static const SdbAttribute cd_attrs[] = {
    {.name = "id", .attnum = 1, .type = SDB_TYPEOID_INT4, .typmod = -1},
    {.name = "p", .attnum = 2, .type = SDB_TYPEOID_INT4, .typmod = -1, .default_sql = "0"},
};
#define FK(name_, oid_, del, upd)                                                                              \
    {.oid = (oid_), .name = (name_), .kind = 'f', .nkeys = 1, .keys = key2, .index_oid = 20021,              \
     .ref_rel_oid = 20020, .ref_keys = key1, .on_delete = (del), .on_update = (upd)}
static const SdbRelConstraint cr_fk[] = {FK("cr_p_fkey", 20032, 'r', 'a')};
static const SdbRelConstraint cc_fk[] = {FK("cc_p_fkey", 20042, 'c', 'c')};
static const SdbRelConstraint cn_fk[] = {FK("cn_p_fkey", 20052, 'n', 'n')};
static const SdbRelConstraint cd_fk[] = {FK("cd_p_fkey", 20062, 'd', 'd')};
static const SdbIndex cc_indexes[] = {
    {.oid = 20041, .name = "cc_p_idx", .file = FILE_OF(20041), .nkeys = 1, .keys = key2, .key_options = opt0},
};
static const SdbRelation rel_cr = {.oid = 20030, .name = "cr", .kind = 'r', .file = FILE_OF(20030), .natts = 2,
                                   .attrs = c_attrs, .nconstraints = 1, .constraints = cr_fk};
static const SdbRelation rel_cc = {.oid = 20040, .name = "cc", .kind = 'r', .file = FILE_OF(20040), .natts = 2,
                                   .attrs = c_attrs, .nindexes = 1, .indexes = cc_indexes, .nconstraints = 1,
                                   .constraints = cc_fk};
static const SdbRelation rel_cn = {.oid = 20050, .name = "cn", .kind = 'r', .file = FILE_OF(20050), .natts = 2,
                                   .attrs = c_attrs, .nconstraints = 1, .constraints = cn_fk};
static const SdbRelation rel_cd = {.oid = 20060, .name = "cd", .kind = 'r', .file = FILE_OF(20060), .natts = 2,
                                   .attrs = cd_attrs, .nconstraints = 1, .constraints = cd_fk};
static const SdbReferencingKey p_referencing[] = {
    {.rel_oid = 20030, .constraint = cr_fk}, {.rel_oid = 20040, .constraint = cc_fk},
    {.rel_oid = 20050, .constraint = cn_fk}, {.rel_oid = 20060, .constraint = cd_fk},
};
static const SdbRelation rel_p = {.oid = 20020, .name = "p", .kind = 'r', .file = FILE_OF(20020), .natts = 1,
                                  .attrs = p_attrs, .nindexes = 1, .indexes = p_indexes, .nreferencing = 4,
                                  .referencing = p_referencing};

/* sequences s (1..3, no cycle) and sc (10..12 by -1 ... cycle) */
static const SdbAttribute seq_attrs[] = {
    {.name = "last_value", .attnum = 1, .type = SDB_TYPEOID_INT8, .typmod = -1, .not_null = true},
    {.name = "log_cnt", .attnum = 2, .type = SDB_TYPEOID_INT8, .typmod = -1, .not_null = true},
    {.name = "is_called", .attnum = 3, .type = SDB_TYPEOID_BOOL, .typmod = -1, .not_null = true},
};
static const SdbSequence seq_s = {.type = SDB_TYPEOID_INT8, .start = 1, .increment = 1, .max = 3, .min = 1};
static const SdbSequence seq_sc = {.type = SDB_TYPEOID_INT8, .start = 12, .increment = -1, .max = 12, .min = 10,
                                   .cycle = true};
static const SdbSequence seq_big = {.type = SDB_TYPEOID_INT8, .start = 1, .increment = 1, .max = INT64_MAX,
                                    .min = 1};
static const SdbRelation rel_s = {.oid = 20070, .name = "s", .kind = 'S', .file = FILE_OF(20070), .natts = 3,
                                  .attrs = seq_attrs, .sequence = &seq_s};
static const SdbRelation rel_sc = {.oid = 20080, .name = "sc", .kind = 'S', .file = FILE_OF(20080), .natts = 3,
                                   .attrs = seq_attrs, .sequence = &seq_sc};
static const SdbRelation rel_big = {.oid = 20090, .name = "big", .kind = 'S', .file = FILE_OF(20090), .natts = 3,
                                    .attrs = seq_attrs, .sequence = &seq_big};

/* tree(id int4 PRIMARY KEY, p int4 REFERENCES tree) -- NO ACTION */
static const SdbIndex tree_indexes[] = {
    {.oid = 20101, .name = "tree_pkey", .file = FILE_OF(20101), .unique = true, .primary = true, .nkeys = 1,
     .keys = key1, .key_options = opt0},
};
static const SdbRelConstraint tree_fk[] = {
    {.oid = 20102, .name = "tree_parent_fkey", .kind = 'f', .nkeys = 1, .keys = key2, .index_oid = 20101,
     .ref_rel_oid = 20100, .ref_keys = key1, .on_delete = 'a', .on_update = 'a'},
};
static const SdbReferencingKey tree_referencing[] = {{.rel_oid = 20100, .constraint = tree_fk}};
static const SdbRelation rel_tree = {.oid = 20100, .name = "tree", .kind = 'r', .file = FILE_OF(20100), .natts = 2,
                                     .attrs = c_attrs, .nindexes = 1, .indexes = tree_indexes, .nconstraints = 1,
                                     .constraints = tree_fk, .nreferencing = 1, .referencing = tree_referencing};

static const SdbRelation *const all_rels[] = {&rel_t, &rel_m, &rel_p, &rel_cr, &rel_cc, &rel_cn,
                                              &rel_cd, &rel_s, &rel_sc, &rel_big, &rel_tree};
#define NRELS ((int)(sizeof all_rels / sizeof all_rels[0]))

static int lookup(void *arg, SdbOid oid, const SdbRelation **out)
{
    (void)arg;
    *out = NULL;
    for (int i = 0; i < NRELS; i++)
        if (all_rels[i]->oid == oid)
            *out = all_rels[i];
    return SDB_OK;
}

/* SET DEFAULT: column defaults "0" (cd.p) or none. */
static int eval_default(void *arg, const SdbRelation *rel, int attno, SdbDatum *value, bool *isnull)
{
    (void)arg;
    *isnull = rel->attrs[attno].default_sql == NULL;
    *value = 0;
    return SDB_OK;
}

/* ---- sessions ------------------------------------------------------------------- */

static char dir[256];
static TxnTestDb db;

typedef struct Sess {
    SdbTxn txn;
    SdbAccessContext ac;
    SdbArena *arena;
    SdbSequenceSession seqs;
} Sess;

static void snapshot(Sess *s)
{
    CU_ASSERT_FATAL(sdb_txn_take_snapshot(&s->txn, s->arena) == SDB_OK);
}

static void sess_begin(Sess *s)
{
    SdbSequenceSession keep = s->seqs;
    memset(s, 0, sizeof *s);
    s->seqs = keep;
    s->arena = sdb_arena_create(NULL, "test session", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->arena);
    s->txn.xm = db.xm;
    snapshot(s);
    s->ac = (SdbAccessContext){.engine = db.engine, .txn = &s->txn, .arena = s->arena, .relation = lookup,
                               .eval_default = eval_default, .sequences = &s->seqs};
}

/* The next statement (READ COMMITTED: a new snapshot). */
static void sess_next(Sess *s)
{
    s->txn.cid++;
    snapshot(s);
}

static void sess_end(Sess *s, bool commit)
{
    if (s->txn.xid != SDB_INVALID_XID) {
        int rc = commit ? sdb_xact_commit(db.xm, s->txn.xid, true, NULL) : sdb_xact_abort(db.xm, s->txn.xid);
        CU_ASSERT_EQUAL(rc, SDB_OK);
    }
    sdb_txn_release(&s->txn);
    sdb_arena_destroy(s->arena);
    s->arena = NULL;
}

static void create_storage(void)
{
    for (int i = 0; i < NRELS; i++) {
        const SdbRelation *r = all_rels[i];
        CU_ASSERT_FATAL(sdb_heap_create(db.engine, r->file) == SDB_OK);
        if (r->toast.rel_number != 0)
            CU_ASSERT_FATAL(sdb_heap_create(db.engine, r->toast) == SDB_OK);
        for (int k = 0; k < r->nindexes; k++)
            CU_ASSERT_FATAL(sdb_btree_create(db.engine, r->indexes[k].file, r->indexes[k].unique,
                                             SDB_INVALID_XID) == SDB_OK);
    }
    /* The sequences' first rows, as CREATE SEQUENCE writes them. */
    Sess s = {0};
    sess_begin(&s);
    SdbXid xid;
    CU_ASSERT_FATAL(sdb_txn_assign_xid(&s.txn, &xid) == SDB_OK);
    const SdbRelation *seqs[] = {&rel_s, &rel_sc, &rel_big};
    SdbOid types[3] = {SDB_TYPEOID_INT8, SDB_TYPEOID_INT8, SDB_TYPEOID_BOOL};
    for (int i = 0; i < 3; i++) {
        SdbDatum values[3] = {(SdbDatum)seqs[i]->sequence->start, 0, 0};
        bool nulls[3] = {false, false, false};
        SdbStr row;
        sdb_str_init(&row, s.arena);
        SdbTid tid;
        CU_ASSERT_FATAL(sdb_row_encode(3, types, values, nulls, &row) == SDB_OK);
        CU_ASSERT_FATAL(sdb_heap_insert(db.engine, seqs[i]->file, xid, 0, row.data, row.len, 0, &tid) == SDB_OK);
    }
    sess_end(&s, true);
}

static void open_db(bool fresh)
{
    if (fresh)
        sdb_test_tempdir(dir, sizeof dir);
    CU_ASSERT_FATAL(txn_test_open(&db, dir, 86400) == SDB_OK);
    if (fresh)
        create_storage();
}

static void close_db(void)
{
    CU_ASSERT(txn_test_close(&db) == SDB_OK);
}

/* ---- helpers -------------------------------------------------------------------- */

static SdbDatum text(Sess *s, const char *str)
{
    SdbDatum d;
    CU_ASSERT_FATAL(sdb_varlena_make(s->arena, str, strlen(str), &d) == SDB_OK);
    return d;
}

/* `len` pseudo-random letters (poorly compressible), NUL-terminated. */
static char *big_text(SdbArena *arena, size_t len, uint64_t seed)
{
    char *big = sdb_arena_alloc(arena, len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)('a' + heap_test_rand(&seed) % 26);
    big[len] = '\0';
    return big;
}

static void print_error(void)
{
    const SdbErrorData *e = sdb_error_last();
    fprintf(stderr, "error %s: %s (%s)\n", "", e->message, e->detail);
}

static int insert_t(Sess *s, int id, const char *name, int64_t v)
{
    SdbDatum values[3] = {(SdbDatum)(int64_t)id, name ? text(s, name) : 0, (SdbDatum)v};
    bool nulls[3] = {false, name == NULL, false};
    SdbTid tid;
    int rc = sdb_table_insert(&s->ac, &rel_t, values, nulls, &tid);
    return rc;
}

static int insert2(Sess *s, const SdbRelation *rel, int a, int b, bool b_null)
{
    SdbDatum values[2] = {(SdbDatum)(int64_t)a, (SdbDatum)(int64_t)b};
    bool nulls[2] = {false, b_null};
    SdbTid tid;
    return sdb_table_insert(&s->ac, rel, values, nulls, &tid);
}

/* Columns for scans: up to 4, each with its own vectors. */
typedef struct TestBatch {
    SdbBatch batch;
    SdbVector cols[4];
    SdbDatum values[4][SDB_BATCH_SIZE];
    uint64_t nulls[4][SDB_BATCH_SIZE / 64];
} TestBatch;

static void batch_init(TestBatch *b, int ncols)
{
    memset(b, 0, sizeof *b);
    for (int c = 0; c < ncols; c++)
        b->cols[c] = (SdbVector){.values = b->values[c], .nulls = b->nulls[c]};
    b->batch = (SdbBatch){.ncols = ncols, .cols = b->cols};
}

/* Run a scan of column `col` (an int attribute) into out[]; returns the
 * row count (-1 on error).  NULLs come out as -999. */
static int run_scan(SdbTableScan *scan, int64_t *out, int max)
{
    static TestBatch b;
    if (scan == NULL) {
        print_error();
        return -1;
    }
    batch_init(&b, 1);
    int n = 0;
    for (;;) {
        if (sdb_table_scan_next(scan, &b.batch) != SDB_OK) {
            print_error();
            n = -1;
            break;
        }
        if (b.batch.nrows == 0)
            break;
        for (int r = 0; r < b.batch.nrows; r++, n++)
            if (n < max)
                out[n] = sdb_vector_is_null(&b.cols[0], r) ? -999 : (int64_t)b.values[0][r];
    }
    sdb_table_scan_end(scan);
    return n;
}

static int scan_col(Sess *s, const SdbRelation *rel, int col, int64_t *out, int max)
{
    return run_scan(sdb_table_scan_begin(&s->ac, rel, &col, 1), out, max);
}

static int index_scan(Sess *s, const SdbRelation *rel, const SdbIndex *ix, const SdbIndexRange *r, int col,
                      int64_t *out, int max)
{
    return run_scan(sdb_index_scan_begin(&s->ac, rel, ix, r, &col, 1), out, max);
}

static int count_rows(Sess *s, const SdbRelation *rel)
{
    int64_t dummy[1];
    return scan_col(s, rel, 0, dummy, 0);
}

/* The tid of the visible row of `rel` whose first column is `id`. */
static SdbTid find_tid(Sess *s, const SdbRelation *rel, int id)
{
    TestBatch *b = sdb_arena_alloc(s->arena, sizeof *b);
    batch_init(b, 2);
    int cols[2] = {-1, 0};
    SdbTableScan *scan = sdb_table_scan_begin(&s->ac, rel, cols, 2);
    SdbTid tid = {.block = SDB_INVALID_BLOCK};
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    while (sdb_table_scan_next(scan, &b->batch) == SDB_OK && b->batch.nrows > 0) {
        for (int r = 0; r < b->batch.nrows; r++) {
            if ((int64_t)b->values[1][r] != id)
                continue;
            const SdbVarlena *v = sdb_datum_varlena(b->values[0][r]);
            CU_ASSERT_EQUAL(v->len, 6);
            tid.block = (SdbBlockNo)v->data[0] << 24 | (SdbBlockNo)v->data[1] << 16 | (SdbBlockNo)v->data[2] << 8 |
                        v->data[3];
            tid.slot = (uint16_t)(v->data[4] << 8 | v->data[5]);
        }
    }
    sdb_table_scan_end(scan);
    return tid;
}

static void expect_error(int rc, const char *sqlstate_name, SdbErrcode code, const char *message, const char *detail)
{
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(rc, SDB_ERROR);
    CU_ASSERT_EQUAL(e->code, code);
    CU_ASSERT_STRING_EQUAL(e->message, message);
    if (detail != NULL)
        CU_ASSERT_STRING_EQUAL(e->detail, detail);
    if (rc != SDB_ERROR || e->code != code || strcmp(e->message, message) != 0 ||
        (detail != NULL && strcmp(e->detail, detail) != 0))
        fprintf(stderr, "expected %s \"%s\" (%s), got \"%s\" (%s)\n", sqlstate_name, message,
                detail ? detail : "", e->message, e->detail);
    sdb_error_clear();
}

/* ---- scans ------------------------------------------------------------------------ */

/* Whether name of the visible row `id` of t is `expect`, read by a scan. */
static bool t_name_is(Sess *s, int id, const char *expect)
{
    TestBatch *tb = sdb_arena_alloc(s->arena, sizeof *tb);
    batch_init(tb, 2);
    int cols[2] = {0, 1};
    SdbTableScan *scan = sdb_table_scan_begin(&s->ac, &rel_t, cols, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    bool same = false;
    while (sdb_table_scan_next(scan, &tb->batch) == SDB_OK && tb->batch.nrows > 0)
        for (int r = 0; r < tb->batch.nrows; r++)
            if ((int64_t)tb->values[0][r] == id) {
                const SdbVarlena *v = sdb_datum_varlena(tb->values[1][r]);
                same = v->len == strlen(expect) && memcmp(v->data, expect, v->len) == 0;
            }
    sdb_table_scan_end(scan);
    return same;
}

static void test_scans_and_visibility(void)
{
    open_db(true);
    Sess a = {0}, b = {0};
    sess_begin(&a);
    enum { N = 5000 };
    for (int i = 0; i < N; i++)
        CU_ASSERT_FATAL(insert_t(&a, i, "a row with some text in it", i * 10) == SDB_OK);
    sess_begin(&b);
    CU_ASSERT_EQUAL(count_rows(&b, &rel_t), 0); /* a is running */
    sess_next(&a);
    CU_ASSERT_EQUAL(count_rows(&a, &rel_t), N); /* own rows, next command */
    sess_end(&a, true);
    CU_ASSERT_EQUAL(count_rows(&b, &rel_t), 0); /* same snapshot */
    sess_next(&b);
    static int64_t vals[N];
    CU_ASSERT_EQUAL(scan_col(&b, &rel_t, 2, vals, N), N);
    int64_t sum = 0;
    for (int i = 0; i < N; i++)
        sum += vals[i];
    CU_ASSERT_EQUAL(sum, (int64_t)10 * N * (N - 1) / 2);
    SdbBlockNo nblocks;
    CU_ASSERT(sdb_heap_nblocks(db.engine, rel_t.file, &nblocks) == SDB_OK && nblocks > 10);

    /* Several columns, ctid among them, text values intact. */
    TestBatch *tb = sdb_arena_alloc(b.arena, sizeof *tb);
    batch_init(tb, 3);
    int cols[3] = {1, -1, 0};
    SdbTableScan *scan = sdb_table_scan_begin(&b.ac, &rel_t, cols, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    CU_ASSERT(sdb_table_scan_next(scan, &tb->batch) == SDB_OK && tb->batch.nrows > 0);
    CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][0])->data, "a row with some text in it");
    CU_ASSERT_EQUAL(sdb_datum_varlena(tb->values[1][0])->len, 6);
    CU_ASSERT_EQUAL(sdb_datum_varlena(tb->values[1][0])->data[5], 1); /* (0,1) */
    CU_ASSERT_EQUAL((int64_t)tb->values[2][0], 0);
    sdb_table_scan_end(scan);

    /* Update and delete seen by others only after commit. */
    sess_begin(&a);
    SdbTid tid = find_tid(&a, &rel_t, 7);
    SdbDatum values[3] = {7, text(&a, "seven"), 777};
    bool nulls[3] = {false, false, false};
    SdbTid new_tid;
    CU_ASSERT(sdb_table_update(&a.ac, &rel_t, tid, values, nulls, &new_tid) == SDB_OK);
    CU_ASSERT(sdb_table_delete(&a.ac, &rel_t, find_tid(&a, &rel_t, 8)) == SDB_OK);
    sess_next(&a);
    CU_ASSERT_EQUAL(count_rows(&a, &rel_t), N - 1);
    SdbDatum fetched[3];
    bool fetched_nulls[3], found;
    CU_ASSERT(sdb_table_fetch(&a.ac, &rel_t, new_tid, fetched, fetched_nulls, &found) == SDB_OK && found);
    CU_ASSERT_EQUAL((int64_t)fetched[2], 777);
    sess_next(&b);
    CU_ASSERT_EQUAL(count_rows(&b, &rel_t), N);
    CU_ASSERT(sdb_table_fetch(&b.ac, &rel_t, tid, fetched, fetched_nulls, &found) == SDB_OK && found);
    CU_ASSERT_EQUAL((int64_t)fetched[2], 70);
    sess_end(&a, true);
    sess_next(&b);
    CU_ASSERT_EQUAL(count_rows(&b, &rel_t), N - 1);
    CU_ASSERT_EQUAL(find_tid(&b, &rel_t, 7).block, new_tid.block);
    CU_ASSERT_EQUAL(find_tid(&b, &rel_t, 7).slot, new_tid.slot);
    sess_end(&b, true);

    /* An aborted insert is never seen. */
    sess_begin(&a);
    CU_ASSERT(insert_t(&a, 100000, "gone", 0) == SDB_OK);
    sess_end(&a, false);
    sess_begin(&b);
    CU_ASSERT_EQUAL(count_rows(&b, &rel_t), N - 1);
    CU_ASSERT_EQUAL(find_tid(&b, &rel_t, 100000).block, SDB_INVALID_BLOCK);
    sess_end(&b, true);
    close_db();
}

static void test_toast(void)
{
    open_db(true);
    Sess a = {0};
    sess_begin(&a);
    size_t len = 100000;
    char *big = big_text(a.arena, len, 42);
    CU_ASSERT(insert_t(&a, 1, big, 1) == SDB_OK);
    CU_ASSERT(insert_t(&a, 2, "small", 2) == SDB_OK);
    sess_next(&a);
    TestBatch *tb = sdb_arena_alloc(a.arena, sizeof *tb);
    batch_init(tb, 2);
    int cols[2] = {0, 1};
    SdbTableScan *scan = sdb_table_scan_begin(&a.ac, &rel_t, cols, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    CU_ASSERT(sdb_table_scan_next(scan, &tb->batch) == SDB_OK && tb->batch.nrows == 2);
    const SdbVarlena *v = sdb_datum_varlena(tb->values[1][0]);
    CU_ASSERT(v->len == len && memcmp(v->data, big, len) == 0);
    sdb_table_scan_end(scan);
    /* Read straight from the heap, as CREATE INDEX does. */
    SdbHeapScan *hs = sdb_heap_scan_begin(db.engine, rel_t.file);
    SdbHeapTuple t;
    bool more;
    CU_ASSERT_FATAL(hs != NULL && sdb_heap_scan_next(hs, &t, &more) == SDB_OK && more);
    CU_ASSERT(t.header.infomask & SDB_HEAP_HAS_EXTERNAL);
    int want[2] = {1, 0};
    SdbDatum dv[2];
    bool dn[2];
    CU_ASSERT(sdb_table_decode_tuple(db.engine, &rel_t, t.payload, t.header.payload_len, want, 2, a.arena, dv, dn) ==
              SDB_OK);
    CU_ASSERT(sdb_datum_varlena(dv[0])->len == len && memcmp(sdb_datum_varlena(dv[0])->data, big, len) == 0);
    CU_ASSERT_EQUAL((int64_t)dv[1], 1);
    sdb_heap_scan_end(hs);
    /* The value went to the table's toast heap (the catalog's, dropped
     * with the table), nowhere else. */
    SdbBlockNo toast_blocks = 0;
    CU_ASSERT(sdb_heap_nblocks(db.engine, rel_t.toast, &toast_blocks) == SDB_OK && toast_blocks >= 4);
    /* A scan not asking for the value does not fetch it. */
    CU_ASSERT_EQUAL(count_rows(&a, &rel_t), 2);
    /* Update keeps it readable; delete drops it. */
    SdbTid tid = find_tid(&a, &rel_t, 1), new_tid;
    SdbDatum values[3] = {1, text(&a, big), 5};
    bool nulls[3] = {false, false, false};
    CU_ASSERT(sdb_table_update(&a.ac, &rel_t, tid, values, nulls, &new_tid) == SDB_OK);
    sess_next(&a);
    SdbDatum fetched[3];
    bool fetched_nulls[3], found;
    CU_ASSERT(sdb_table_fetch(&a.ac, &rel_t, new_tid, fetched, fetched_nulls, &found) == SDB_OK && found);
    CU_ASSERT(sdb_datum_varlena(fetched[1])->len == len && memcmp(sdb_datum_varlena(fetched[1])->data, big, len) == 0);
    CU_ASSERT(sdb_table_delete(&a.ac, &rel_t, new_tid) == SDB_OK);
    sess_next(&a);
    CU_ASSERT_EQUAL(count_rows(&a, &rel_t), 1);
    sess_end(&a, true);
    close_db();
}

static void test_insert_many(void)
{
    open_db(true);
    Sess s = {0};
    sess_begin(&s);
    enum { N = 3000 };
    SdbArena *keep = sdb_arena_create(NULL, "rows", 0);
    SdbDatum name;
    CU_ASSERT_FATAL(keep != NULL && sdb_varlena_make(keep, "many", 4, &name) == SDB_OK);
    SdbDatum *values = sdb_arena_alloc(keep, 3 * N * sizeof *values);
    bool *nulls = sdb_arena_calloc(keep, 3 * N, sizeof *nulls);
    SdbTid *tids = sdb_arena_alloc(keep, N * sizeof *tids);
    for (int r = 0; r < N; r++) {
        values[3 * r] = (SdbDatum)(int64_t)r;
        values[3 * r + 1] = name;
        values[3 * r + 2] = (SdbDatum)(int64_t)(2 * r);
    }
    CU_ASSERT(sdb_table_insert_many(&s.ac, &rel_t, N, values, nulls, tids) == SDB_OK);
    sess_next(&s);
    static int64_t out[N];
    CU_ASSERT_EQUAL(index_scan(&s, &rel_t, &t_indexes[0], &(SdbIndexRange){0}, 2, out, N), N);
    CU_ASSERT(out[0] == 0 && out[N - 1] == 2 * (N - 1));
    SdbDatum got[3];
    bool got_nulls[3], found;
    CU_ASSERT(sdb_table_fetch(&s.ac, &rel_t, tids[77], got, got_nulls, &found) == SDB_OK && found &&
              (int64_t)got[0] == 77);
    sess_end(&s, true);

    /* The first failing row's error, whichever kind: a duplicate at row 5
     * comes before a NULL at row 10 ... */
    sess_begin(&s);
    for (int r = 0; r < 20; r++)
        values[3 * r] = (SdbDatum)(int64_t)(N + r);
    values[3 * 5] = 7;
    nulls[3 * 10 + 1] = true;
    expect_error(sdb_table_insert_many(&s.ac, &rel_t, 20, values, nulls, NULL), "23505", SDB_ERR_UNIQUE_VIOLATION,
                 "duplicate key value violates unique constraint \"t_pkey\"", "Key (id)=(7) already exists.");
    sess_end(&s, false);
    /* ... and a NULL at row 3 before it. */
    sess_begin(&s);
    nulls[3 * 3 + 1] = true;
    char detail[100];
    snprintf(detail, sizeof detail, "Failing row contains (%d, null, 6).", N + 3);
    expect_error(sdb_table_insert_many(&s.ac, &rel_t, 20, values, nulls, NULL), "23502", SDB_ERR_NOT_NULL_VIOLATION,
                 "null value in column \"name\" of relation \"t\" violates not-null constraint", detail);
    sess_end(&s, false);
    sess_begin(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_t), N);
    sess_end(&s, true);
    sdb_arena_destroy(keep);
    close_db();
}

/* ---- index scans ------------------------------------------------------------------ */

static void test_index_scans(void)
{
    open_db(true);
    Sess a = {0};
    sess_begin(&a);
    for (int i = 0; i < 3000; i++)
        CU_ASSERT_FATAL(insert_t(&a, (i * 7919) % 3000, "x", i) == SDB_OK); /* shuffled ids 0..2999 */
    sess_next(&a);
    static int64_t out[3000];
    const SdbIndex *pk = &t_indexes[0];

    /* 100 <= id < 200, both directions. */
    SdbIndexRange r = {.has_lower = true, .lower_inclusive = true, .lower = 100, .has_upper = true, .upper = 200};
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 0, out, 3000), 100);
    bool ok = true;
    for (int i = 0; i < 100; i++)
        ok &= out[i] == 100 + i;
    CU_ASSERT(ok);
    r.backward = true;
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 0, out, 3000), 100);
    CU_ASSERT(out[0] == 199 && out[99] == 100);
    /* id > 2990; id <= 5; id = 42; everything. */
    r = (SdbIndexRange){.has_lower = true, .lower = 2990};
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 0, out, 3000), 9);
    CU_ASSERT_EQUAL(out[0], 2991);
    r = (SdbIndexRange){.has_upper = true, .upper_inclusive = true, .upper = 5};
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 0, out, 3000), 6);
    SdbDatum eq = 42;
    r = (SdbIndexRange){.neq = 1, .eq = &eq};
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 2, out, 3000), 1);
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &(SdbIndexRange){0}, 0, out, 3000), 3000);
    ok = true;
    for (int i = 0; i < 3000; i++)
        ok &= out[i] == i;
    CU_ASSERT(ok);
    /* Negative numbers sort first. */
    CU_ASSERT(insert_t(&a, -5, "neg", 0) == SDB_OK);
    sess_next(&a);
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &(SdbIndexRange){.has_upper = true, .upper = 1}, 0, out, 10), 2);
    CU_ASSERT_EQUAL(out[0], -5);

    /* m(a, b DESC NULLS FIRST): a = 1 gives NULL first, then b descending. */
    const char *bs[] = {"apple", "pear", "fig", NULL, "kiwi"};
    for (int a1 = 0; a1 < 3; a1++) {
        for (int i = 0; i < 5; i++) {
            SdbDatum values[2] = {(SdbDatum)(int64_t)a1, bs[i] ? text(&a, bs[i]) : 0};
            bool nulls[2] = {false, bs[i] == NULL};
            SdbTid tid;
            CU_ASSERT(sdb_table_insert(&a.ac, &rel_m, values, nulls, &tid) == SDB_OK);
        }
    }
    sess_next(&a);
    TestBatch *tb = sdb_arena_alloc(a.arena, sizeof *tb);
    batch_init(tb, 1);
    int col = 1;
    SdbDatum one = 1;
    SdbIndexRange rm = {.neq = 1, .eq = &one};
    SdbTableScan *scan = sdb_index_scan_begin(&a.ac, &rel_m, &m_indexes[0], &rm, &col, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    CU_ASSERT(sdb_table_scan_next(scan, &tb->batch) == SDB_OK);
    CU_ASSERT_EQUAL_FATAL(tb->batch.nrows, 5);
    CU_ASSERT(sdb_vector_is_null(&tb->cols[0], 0));
    const char *expect[] = {NULL, "pear", "kiwi", "fig", "apple"};
    for (int i = 1; i < 5; i++)
        CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][i])->data, expect[i]);
    sdb_table_scan_end(scan);
    /* a = 1 and b >= 'fig' (DESC: pear, kiwi, fig; no NULL); b < 'kiwi' backward: apple, fig. */
    rm = (SdbIndexRange){.neq = 1, .eq = &one, .has_lower = true, .lower_inclusive = true, .lower = text(&a, "fig")};
    scan = sdb_index_scan_begin(&a.ac, &rel_m, &m_indexes[0], &rm, &col, 1);
    CU_ASSERT(sdb_table_scan_next(scan, &tb->batch) == SDB_OK);
    CU_ASSERT_EQUAL(tb->batch.nrows, 3);
    if (tb->batch.nrows == 3) {
        CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][0])->data, "pear");
        CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][2])->data, "fig");
    }
    sdb_table_scan_end(scan);
    rm = (SdbIndexRange){.neq = 1, .eq = &one, .has_upper = true, .upper = text(&a, "kiwi"), .backward = true};
    scan = sdb_index_scan_begin(&a.ac, &rel_m, &m_indexes[0], &rm, &col, 1);
    CU_ASSERT(sdb_table_scan_next(scan, &tb->batch) == SDB_OK);
    CU_ASSERT_EQUAL(tb->batch.nrows, 2);
    if (tb->batch.nrows == 2) {
        CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][0])->data, "apple");
        CU_ASSERT_STRING_EQUAL((const char *)sdb_datum_varlena(tb->values[0][1])->data, "fig");
    }
    sdb_table_scan_end(scan);
    /* Only visible versions: an updated row appears once. */
    SdbTid tid = find_tid(&a, &rel_t, 42), new_tid;
    SdbDatum values[3] = {42, text(&a, "y"), -1};
    bool nulls[3] = {false, false, false};
    CU_ASSERT(sdb_table_update(&a.ac, &rel_t, tid, values, nulls, &new_tid) == SDB_OK);
    sess_next(&a);
    eq = 42;
    r = (SdbIndexRange){.neq = 1, .eq = &eq};
    CU_ASSERT_EQUAL(index_scan(&a, &rel_t, pk, &r, 2, out, 3000), 1);
    CU_ASSERT_EQUAL(out[0], -1);
    sess_end(&a, true);
    close_db();
}

/* ---- constraints ------------------------------------------------------------------ */

typedef struct Inserter {
    Sess *s;
    int rc;
    SdbErrorData error; /* the thread's error slot is its own */
} Inserter;

static void *insert_thread(void *arg)
{
    Inserter *in = arg;
    in->rc = insert_t(in->s, 7, "second", 2);
    in->error = *sdb_error_last();
    return NULL;
}

static void test_constraints(void)
{
    open_db(true);
    Sess a = {0}, b = {0};
    sess_begin(&a);
    expect_error(insert_t(&a, 1, NULL, 5), "23502", SDB_ERR_NOT_NULL_VIOLATION,
                 "null value in column \"name\" of relation \"t\" violates not-null constraint",
                 "Failing row contains (1, null, 5).");
    sess_end(&a, false);

    sess_begin(&a);
    CU_ASSERT(insert_t(&a, 1, "one", 1) == SDB_OK);
    expect_error(insert_t(&a, 1, "again", 1), "23505", SDB_ERR_UNIQUE_VIOLATION,
                 "duplicate key value violates unique constraint \"t_pkey\"", "Key (id)=(1) already exists.");
    sess_end(&a, false);

    /* Long values are cut in the failing row. */
    sess_begin(&a);
    char long_text[100], detail[200];
    memset(long_text, 'x', 99);
    long_text[99] = '\0';
    SdbAttribute attrs_nn[3];
    memcpy(attrs_nn, t_attrs, sizeof attrs_nn);
    attrs_nn[2].not_null = true;
    SdbRelation t_nn = rel_t;
    t_nn.attrs = attrs_nn;
    SdbDatum v5[3] = {(SdbDatum)(int64_t)-3, text(&a, long_text), 0};
    bool n5[3] = {false, false, true};
    SdbTid tid;
    snprintf(detail, sizeof detail, "Failing row contains (-3, %.64s..., null).", long_text);
    expect_error(sdb_table_insert(&a.ac, &t_nn, v5, n5, &tid), "23502", SDB_ERR_NOT_NULL_VIOLATION,
                 "null value in column \"v\" of relation \"t\" violates not-null constraint", detail);
    sess_end(&a, false);

    /* A key freed by a delete of the same transaction is free. */
    sess_begin(&a);
    CU_ASSERT(insert_t(&a, 1, "one", 1) == SDB_OK);
    sess_end(&a, true);
    sess_begin(&a);
    CU_ASSERT(sdb_table_delete(&a.ac, &rel_t, find_tid(&a, &rel_t, 1)) == SDB_OK);
    CU_ASSERT(insert_t(&a, 1, "one again", 2) == SDB_OK);
    sess_end(&a, true);

    /* ON CONFLICT finds the live row. */
    sess_begin(&a);
    SdbDatum vc[3] = {1, text(&a, "conflict"), 0};
    bool nc[3] = {false, false, false};
    bool conflict;
    SdbTid existing;
    CU_ASSERT(sdb_table_insert_checked(&a.ac, &rel_t, NULL, vc, nc, &tid, &conflict, &existing) == SDB_OK);
    CU_ASSERT(conflict);
    SdbTid live = find_tid(&a, &rel_t, 1);
    CU_ASSERT(existing.block == live.block && existing.slot == live.slot);
    vc[0] = 9;
    CU_ASSERT(sdb_table_insert_checked(&a.ac, &rel_t, &t_indexes[0], vc, nc, &tid, &conflict, &existing) == SDB_OK);
    CU_ASSERT(!conflict);
    sess_end(&a, true);

    /* A concurrent insert of the same key waits for the first: abort lets
     * it through, commit makes it fail. */
    for (int round = 0; round < 2; round++) {
        sess_begin(&a);
        sess_begin(&b);
        CU_ASSERT(insert_t(&a, 7, "first", 1) == SDB_OK);
        Inserter in = {.s = &b};
        pthread_t thread;
        CU_ASSERT_FATAL(pthread_create(&thread, NULL, insert_thread, &in) == 0);
        usleep(30000);
        sess_end(&a, round == 1);
        pthread_join(thread, NULL);
        if (round == 0) {
            CU_ASSERT_EQUAL(in.rc, SDB_OK);
            sess_end(&b, false);
        } else {
            CU_ASSERT_EQUAL(in.rc, SDB_ERROR);
            CU_ASSERT_EQUAL(in.error.code, SDB_ERR_UNIQUE_VIOLATION);
            CU_ASSERT_STRING_EQUAL(in.error.detail, "Key (id)=(7) already exists.");
            sess_end(&b, false);
        }
    }
    close_db();
}

typedef struct Updater {
    Sess *s;
    int id;
    bool abort_on_error; /* end the transaction at once, as a client would */
    int rc;
    SdbErrorData error;
} Updater;

static int update_t(Sess *s, int id, int64_t v)
{
    SdbTid tid = find_tid(s, &rel_t, id), new_tid;
    SdbDatum values[3] = {(SdbDatum)(int64_t)id, text(s, "updated"), (SdbDatum)v};
    bool nulls[3] = {false, false, false};
    return sdb_table_update(&s->ac, &rel_t, tid, values, nulls, &new_tid);
}

static void *update_thread(void *arg)
{
    Updater *u = arg;
    u->rc = update_t(u->s, u->id, 2);
    u->error = *sdb_error_last();
    if (u->rc != SDB_OK && u->abort_on_error) {
        sdb_xact_abort(db.xm, u->s->txn.xid);
        u->s->txn.xid = SDB_INVALID_XID;
    }
    return NULL;
}

static void test_concurrent_updates(void)
{
    open_db(true);
    Sess a = {0}, b = {0};
    sess_begin(&a);
    for (int i = 1; i <= 2; i++)
        CU_ASSERT(insert_t(&a, i, "row", 0) == SDB_OK);
    sess_end(&a, true);

    /* b waits for a's update of the same row; a commits: 40001 for b. */
    sess_begin(&a);
    sess_begin(&b);
    CU_ASSERT(update_t(&a, 1, 1) == SDB_OK);
    Updater u = {.s = &b, .id = 1};
    pthread_t thread;
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, update_thread, &u) == 0);
    usleep(30000);
    sess_end(&a, true);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(u.rc, SDB_ERROR);
    CU_ASSERT_EQUAL(u.error.code, SDB_ERR_SERIALIZATION_FAILURE);
    CU_ASSERT_STRING_EQUAL(u.error.message, "could not serialize access due to concurrent update");
    sess_end(&b, false);

    /* READ COMMITTED re-check: the new version comes back instead. */
    sess_begin(&b);
    SdbTid old1 = find_tid(&b, &rel_t, 1);
    sess_begin(&a);
    CU_ASSERT(update_t(&a, 1, 7) == SDB_OK);
    sess_end(&a, true);
    SdbDatum nv[3] = {1, text(&b, "rechecked"), 8};
    bool nn[3] = {false, false, false};
    SdbTid new_tid, newer;
    CU_ASSERT(sdb_table_update_rc(&b.ac, &rel_t, old1, nv, nn, &new_tid, &newer) == SDB_OK);
    CU_ASSERT(new_tid.block == SDB_INVALID_BLOCK && newer.block != SDB_INVALID_BLOCK);
    SdbDatum cur[3];
    bool cur_nulls[3], found;
    CU_ASSERT(sdb_table_fetch(&b.ac, &rel_t, newer, cur, cur_nulls, &found) == SDB_OK && found &&
              (int64_t)cur[2] == 7);
    CU_ASSERT(sdb_table_update_rc(&b.ac, &rel_t, newer, nv, nn, &new_tid, &newer) == SDB_OK);
    CU_ASSERT(new_tid.block != SDB_INVALID_BLOCK && newer.block == SDB_INVALID_BLOCK);
    sess_end(&b, true);
    sess_begin(&b);
    b.txn.xact_snapshot = true;
    old1 = find_tid(&b, &rel_t, 1);
    sess_begin(&a);
    CU_ASSERT(update_t(&a, 1, 9) == SDB_OK);
    sess_end(&a, true);
    bool deleted;
    expect_error(sdb_table_delete_rc(&b.ac, &rel_t, old1, &deleted, &newer), "40001", SDB_ERR_SERIALIZATION_FAILURE,
                 "could not serialize access due to concurrent update", NULL);
    sess_end(&b, false);

    /* A row deleted by a transaction that committed after the snapshot:
     * READ COMMITTED skips it, REPEATABLE READ fails. */
    for (int rr = 0; rr < 2; rr++) {
        sess_begin(&a);
        CU_ASSERT(insert_t(&a, 10, "gone", 0) == SDB_OK);
        sess_end(&a, true);
        sess_begin(&b);
        b.txn.xact_snapshot = rr == 1;
        SdbTid tid10 = find_tid(&b, &rel_t, 10);
        sess_begin(&a);
        CU_ASSERT(sdb_table_delete(&a.ac, &rel_t, find_tid(&a, &rel_t, 10)) == SDB_OK);
        sess_end(&a, true);
        int rc = sdb_table_delete(&b.ac, &rel_t, tid10);
        if (rr == 0)
            CU_ASSERT_EQUAL(rc, SDB_OK);
        if (rr == 1)
            expect_error(rc, "40001", SDB_ERR_SERIALIZATION_FAILURE,
                         "could not serialize access due to concurrent delete", NULL);
        sess_end(&b, rr == 0);
    }

    /* a aborts instead: b's update goes through. */
    sess_begin(&a);
    sess_begin(&b);
    CU_ASSERT(update_t(&a, 1, 1) == SDB_OK);
    u = (Updater){.s = &b, .id = 1};
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, update_thread, &u) == 0);
    usleep(30000);
    sess_end(&a, false);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(u.rc, SDB_OK);
    sess_end(&b, true);

    /* FOR UPDATE: b's update waits for a's lock; a commits without
     * changing the row, so b's update goes through. */
    sess_begin(&a);
    sess_begin(&b);
    bool locked;
    CU_ASSERT(sdb_table_lock(&a.ac, &rel_t, find_tid(&a, &rel_t, 2), &locked, NULL) == SDB_OK && locked);
    CU_ASSERT(sdb_table_lock(&a.ac, &rel_t, find_tid(&a, &rel_t, 2), &locked, NULL) == SDB_OK && locked); /* again */
    u = (Updater){.s = &b, .id = 2};
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, update_thread, &u) == 0);
    usleep(30000);
    sess_next(&a);
    CU_ASSERT_EQUAL(count_rows(&a, &rel_t), 2); /* a lock deletes nothing */
    sess_end(&a, true);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(u.rc, SDB_OK);
    sess_end(&b, true);
    /* A row this transaction updated is not locked again. */
    sess_begin(&a);
    SdbTid before = find_tid(&a, &rel_t, 2);
    CU_ASSERT(update_t(&a, 2, 5) == SDB_OK);
    CU_ASSERT(sdb_table_lock(&a.ac, &rel_t, before, &locked, NULL) == SDB_OK && !locked);
    sess_end(&a, true);

    /* Opposite orders: one of them is told about the deadlock (and
     * aborts, in its thread), the other goes on. */
    sess_begin(&a);
    sess_begin(&b);
    CU_ASSERT(update_t(&a, 1, 3) == SDB_OK);
    CU_ASSERT(update_t(&b, 2, 3) == SDB_OK);
    Updater ua = {.s = &a, .id = 2, .abort_on_error = true}, ub = {.s = &b, .id = 1, .abort_on_error = true};
    pthread_t ta, tb;
    CU_ASSERT_FATAL(pthread_create(&tb, NULL, update_thread, &ub) == 0);
    CU_ASSERT_FATAL(pthread_create(&ta, NULL, update_thread, &ua) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CU_ASSERT((ua.rc == SDB_OK) != (ub.rc == SDB_OK));
    Updater *lost = ua.rc == SDB_OK ? &ub : &ua;
    CU_ASSERT_EQUAL(lost->error.code, SDB_ERR_DEADLOCK_DETECTED);
    CU_ASSERT_STRING_EQUAL(lost->error.message, "deadlock detected");
    Sess *winner = ua.rc == SDB_OK ? &a : &b;
    sess_end(winner, true);
    sess_end(lost->s, false);
    sess_begin(&a);
    static int64_t out[2];
    CU_ASSERT_EQUAL(scan_col(&a, &rel_t, 2, out, 2), 2);
    CU_ASSERT_EQUAL(out[0] + out[1], 5); /* the winner's values: 3 and 2 */
    sess_end(&a, true);
    close_db();
}

/* Row lock modes (rowlock.c): PostgreSQL's conflicts between lockers and
 * writers, NOWAIT, SKIP LOCKED, and rows changed concurrently. */
static int lock_t(Sess *s, int id, int mode, SdbLockWaitPolicy policy, bool *locked)
{
    return sdb_table_lock_row(&s->ac, &rel_t, find_tid(s, &rel_t, id), mode, policy, locked, NULL);
}

static void test_row_lock_modes(void)
{
    open_db(true);
    Sess a = {0}, b = {0}, c = {0};
    sess_begin(&a);
    for (int i = 1; i <= 2; i++)
        CU_ASSERT(insert_t(&a, i, "row", 0) == SDB_OK);
    sess_end(&a, true);
    bool locked;

    /* FOR KEY SHARE does not block an update of non-key columns (FOR NO
     * KEY UPDATE), and shares with FOR SHARE; FOR UPDATE conflicts. */
    sess_begin(&a);
    sess_begin(&b);
    sess_begin(&c);
    CU_ASSERT(lock_t(&a, 1, SDB_ROWLOCK_KEY_SHARE, SDB_LOCK_WAIT, &locked) == SDB_OK && locked);
    CU_ASSERT(lock_t(&c, 1, SDB_ROWLOCK_SHARE, SDB_LOCK_NOWAIT, &locked) == SDB_OK && locked);
    CU_ASSERT(lock_t(&b, 1, SDB_ROWLOCK_UPDATE, SDB_LOCK_SKIP, &locked) == SDB_OK && !locked);
    CU_ASSERT(lock_t(&b, 1, SDB_ROWLOCK_NO_KEY_UPDATE, SDB_LOCK_NOWAIT, &locked) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_LOCK_NOT_AVAILABLE);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "could not obtain lock on row in relation \"t\"");
    sess_end(&c, true);
    CU_ASSERT(update_t(&b, 1, 5) == SDB_OK); /* only a's FOR KEY SHARE left: no wait */
    sess_end(&b, true);
    sess_end(&a, true);

    /* FOR SHARE blocks the update until the locker ends. */
    sess_begin(&a);
    sess_begin(&b);
    CU_ASSERT(lock_t(&a, 2, SDB_ROWLOCK_SHARE, SDB_LOCK_WAIT, &locked) == SDB_OK && locked);
    Updater u = {.s = &b, .id = 2};
    pthread_t thread;
    CU_ASSERT_FATAL(pthread_create(&thread, NULL, update_thread, &u) == 0);
    usleep(30000);
    sess_begin(&c);
    CU_ASSERT(lock_t(&c, 2, SDB_ROWLOCK_KEY_SHARE, SDB_LOCK_WAIT, &locked) == SDB_OK && locked);
    sess_end(&c, true);
    sess_end(&a, true);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(u.rc, SDB_OK);

    /* A writer in progress: NOWAIT fails, SKIP LOCKED skips. */
    sess_begin(&c);
    CU_ASSERT(lock_t(&c, 1, SDB_ROWLOCK_KEY_SHARE, SDB_LOCK_SKIP, &locked) == SDB_OK && locked);
    CU_ASSERT(sdb_table_lock_row(&c.ac, &rel_t, find_tid(&c, &rel_t, 2), SDB_ROWLOCK_KEY_SHARE, SDB_LOCK_SKIP,
                                 &locked, NULL) == SDB_OK && !locked);
    CU_ASSERT(sdb_table_lock_row(&c.ac, &rel_t, find_tid(&c, &rel_t, 2), SDB_ROWLOCK_SHARE, SDB_LOCK_NOWAIT,
                                 &locked, NULL) == SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_LOCK_NOT_AVAILABLE);
    sess_end(&b, true);
    sess_end(&c, true);

    /* Updated by a transaction that committed after the snapshot: READ
     * COMMITTED gets the newer version, REPEATABLE READ 40001. */
    sess_begin(&b);
    b.txn.xact_snapshot = true;
    SdbTid old1 = find_tid(&b, &rel_t, 1);
    sess_begin(&a);
    CU_ASSERT(update_t(&a, 1, 9) == SDB_OK);
    sess_end(&a, true);
    CU_ASSERT(sdb_table_lock_row(&b.ac, &rel_t, old1, SDB_ROWLOCK_UPDATE, SDB_LOCK_WAIT, &locked, NULL) ==
              SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SERIALIZATION_FAILURE);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "could not serialize access due to concurrent update");
    b.txn.xact_snapshot = false;
    SdbTid newer;
    CU_ASSERT(sdb_table_lock_row(&b.ac, &rel_t, old1, SDB_ROWLOCK_UPDATE, SDB_LOCK_WAIT, &locked, &newer) == SDB_OK);
    CU_ASSERT(!locked && newer.block != SDB_INVALID_BLOCK);
    CU_ASSERT(sdb_table_lock_row(&b.ac, &rel_t, newer, SDB_ROWLOCK_UPDATE, SDB_LOCK_WAIT, &locked, &newer) == SDB_OK);
    CU_ASSERT(locked);
    sess_end(&b, true);
    close_db();
}

/* ---- foreign keys ----------------------------------------------------------------- */

static int64_t col_of(Sess *s, const SdbRelation *rel, int id)
{
    SdbTid tid = find_tid(s, rel, id);
    if (tid.block == SDB_INVALID_BLOCK)
        return -1000;
    SdbDatum values[2];
    bool nulls[2], found;
    CU_ASSERT_FATAL(sdb_table_fetch(&s->ac, rel, tid, values, nulls, &found) == SDB_OK && found);
    return nulls[1] ? -999 : (int64_t)values[1];
}

static void update_p(Sess *s, int from, int to, int expect_rc)
{
    SdbDatum v = (SdbDatum)(int64_t)to;
    bool n = false;
    SdbTid new_tid;
    int rc = sdb_table_update(&s->ac, &rel_p, find_tid(s, &rel_p, from), &v, &n, &new_tid);
    if (rc != expect_rc && rc != SDB_OK)
        print_error();
    CU_ASSERT_EQUAL(rc, expect_rc);
}

typedef struct Deleter {
    Sess *s;
    const SdbRelation *rel;
    int id;
    int rc;
    SdbErrorData error;
} Deleter;

static void *delete_thread(void *arg)
{
    Deleter *d = arg;
    d->rc = sdb_table_delete(&d->s->ac, d->rel, find_tid(d->s, d->rel, d->id));
    d->error = *sdb_error_last();
    return NULL;
}

static void test_foreign_keys(void)
{
    open_db(true);
    Sess s = {0};
    sess_begin(&s);
    for (int i = 0; i < 6; i++) {
        SdbDatum v = (SdbDatum)(int64_t)i;
        bool n = false;
        SdbTid tid;
        CU_ASSERT(sdb_table_insert(&s.ac, &rel_p, &v, &n, &tid) == SDB_OK);
    }
    sess_end(&s, true);

    sess_begin(&s);
    expect_error(insert2(&s, &rel_cr, 1, 5000, false), "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "insert or update on table \"cr\" violates foreign key constraint \"cr_p_fkey\"",
                 "Key (p)=(5000) is not present in table \"p\".");
    sess_end(&s, false);

    sess_begin(&s);
    CU_ASSERT(insert2(&s, &rel_cr, 1, 1, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_cr, 2, 0, true) == SDB_OK); /* NULL references nothing */
    CU_ASSERT(insert2(&s, &rel_cc, 1, 2, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_cc, 2, 2, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_cc, 3, 4, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_cn, 1, 3, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_cd, 1, 5, false) == SDB_OK);
    sess_end(&s, true);

    /* A delete of the referenced row waits for a transaction inserting a
     * referencing row: commit makes it fail, abort lets it through. */
    for (int round = 0; round < 2; round++) {
        Sess w = {0};
        sess_begin(&w);
        CU_ASSERT(insert2(&w, &rel_cr, 9, 4, false) == SDB_OK);
        Sess d = {0};
        sess_begin(&d);
        Deleter del = {.s = &d, .rel = &rel_p, .id = 4};
        pthread_t thread;
        CU_ASSERT_FATAL(pthread_create(&thread, NULL, delete_thread, &del) == 0);
        usleep(30000);
        sess_end(&w, round == 0);
        pthread_join(thread, NULL);
        if (round == 0) {
            CU_ASSERT_EQUAL(del.rc, SDB_ERROR);
            CU_ASSERT_EQUAL(del.error.code, SDB_ERR_FOREIGN_KEY_VIOLATION);
            CU_ASSERT_STRING_EQUAL(del.error.detail, "Key (id)=(4) is still referenced from table \"cr\".");
        } else {
            CU_ASSERT_EQUAL(del.rc, SDB_OK);
        }
        sess_end(&d, false);
        if (round == 0) {
            sess_begin(&w);
            CU_ASSERT(sdb_table_delete(&w.ac, &rel_cr, find_tid(&w, &rel_cr, 9)) == SDB_OK);
            sess_end(&w, true);
        }
    }

    /* RESTRICT on delete, NO ACTION on update. */
    sess_begin(&s);
    expect_error(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 1)), "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "update or delete on table \"p\" violates foreign key constraint \"cr_p_fkey\" on table \"cr\"",
                 "Key (id)=(1) is still referenced from table \"cr\".");
    sess_end(&s, false);
    sess_begin(&s);
    update_p(&s, 1, 11, SDB_ERROR);
    expect_error(SDB_ERROR, "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "update or delete on table \"p\" violates foreign key constraint \"cr_p_fkey\" on table \"cr\"",
                 "Key (id)=(1) is still referenced from table \"cr\".");
    sess_end(&s, false);
    /* Once the referencing row is gone, the delete works. */
    sess_begin(&s);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_cr, find_tid(&s, &rel_cr, 1)) == SDB_OK);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 1)) == SDB_OK);
    sess_end(&s, true);

    /* CASCADE: delete of 2 removes two cc rows; update 4 -> 40 follows. */
    sess_begin(&s);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 2)) == SDB_OK);
    update_p(&s, 4, 40, SDB_OK);
    sess_next(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_cc), 1);
    CU_ASSERT_EQUAL(col_of(&s, &rel_cc, 3), 40);
    sess_end(&s, true);

    /* SET NULL and SET DEFAULT (0). */
    sess_begin(&s);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 3)) == SDB_OK);
    update_p(&s, 5, 50, SDB_OK);
    sess_next(&s);
    CU_ASSERT_EQUAL(col_of(&s, &rel_cn, 1), -999);
    CU_ASSERT_EQUAL(col_of(&s, &rel_cd, 1), 0);
    sess_end(&s, true);

    /* SET DEFAULT to a key that is gone fails the check on the child. */
    sess_begin(&s);
    CU_ASSERT(insert2(&s, &rel_cd, 2, 40, false) == SDB_OK);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_cd, find_tid(&s, &rel_cd, 1)) == SDB_OK);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 0)) == SDB_OK);
    expect_error(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 40)), "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "insert or update on table \"cd\" violates foreign key constraint \"cd_p_fkey\"",
                 "Key (p)=(0) is not present in table \"p\".");
    sess_end(&s, false);

    /* A cascade over many rows, in bounded memory. */
    sess_begin(&s);
    for (int i = 100; i < 3100; i++)
        CU_ASSERT_FATAL(insert2(&s, &rel_cc, i, 50, false) == SDB_OK);
    sess_end(&s, true);
    sess_begin(&s);
    size_t before = sdb_arena_bytes(s.arena);
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_p, find_tid(&s, &rel_p, 50)) == SDB_OK);
    CU_ASSERT(sdb_arena_bytes(s.arena) - before < 2 * 1024 * 1024);
    sess_next(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_cc), 1);
    sess_end(&s, true);

    /* TRUNCATE of a referenced table is refused; of a referencing one works. */
    sess_begin(&s);
    expect_error(sdb_table_truncate(&s.ac, &rel_p), "0A000", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "cannot truncate a table referenced in a foreign key constraint", "Table \"cr\" references \"p\".");
    CU_ASSERT(sdb_table_truncate(&s.ac, &rel_cc) == SDB_OK);
    const SdbRelation *all[] = {&rel_cr, &rel_p, &rel_cn, &rel_cd, &rel_cc};
    expect_error(sdb_tables_truncate(&s.ac, all, 4), "0A000", SDB_ERR_FEATURE_NOT_SUPPORTED,
                 "cannot truncate a table referenced in a foreign key constraint", "Table \"cc\" references \"p\".");
    CU_ASSERT(sdb_tables_truncate(&s.ac, all, 5) == SDB_OK);
    sess_next(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_p), 0);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_cn), 0);
    sess_next(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_cc), 0);
    sess_end(&s, true);
    close_db();
}

/* NO ACTION checked at the end of the statement (statement_checks). */
static void test_no_action_at_statement_end(void)
{
    open_db(true);
    Sess s = {0};
    /* Children before their parents in one statement: checked at its end. */
    sess_begin(&s);
    s.ac.statement_checks = true;
    CU_ASSERT(insert2(&s, &rel_tree, 3, 2, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_tree, 2, 1, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_tree, 1, 0, true) == SDB_OK);
    CU_ASSERT(sdb_access_statement_end(&s.ac) == SDB_OK);
    sess_next(&s);
    CU_ASSERT(insert2(&s, &rel_tree, 5, 99, false) == SDB_OK);
    expect_error(sdb_access_statement_end(&s.ac), "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "insert or update on table \"tree\" violates foreign key constraint \"tree_parent_fkey\"",
                 "Key (p)=(99) is not present in table \"tree\".");
    sess_end(&s, false);
    sess_begin(&s);
    CU_ASSERT(insert2(&s, &rel_tree, 1, 0, true) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_tree, 2, 1, false) == SDB_OK);
    CU_ASSERT(insert2(&s, &rel_tree, 3, 2, false) == SDB_OK);
    sess_end(&s, true);

    /* Row by row, deleting the root first fails at once. */
    sess_begin(&s);
    expect_error(sdb_table_delete(&s.ac, &rel_tree, find_tid(&s, &rel_tree, 1)), "23503",
                 SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "update or delete on table \"tree\" violates foreign key constraint \"tree_parent_fkey\" on table "
                 "\"tree\"",
                 "Key (id)=(1) is still referenced from table \"tree\".");
    sess_end(&s, false);

    /* Deleting only the root: the statement's end finds its child. */
    sess_begin(&s);
    s.ac.statement_checks = true;
    CU_ASSERT(sdb_table_delete(&s.ac, &rel_tree, find_tid(&s, &rel_tree, 1)) == SDB_OK);
    expect_error(sdb_access_statement_end(&s.ac), "23503", SDB_ERR_FOREIGN_KEY_VIOLATION,
                 "update or delete on table \"tree\" violates foreign key constraint \"tree_parent_fkey\" on table "
                 "\"tree\"",
                 "Key (id)=(1) is still referenced from table \"tree\".");
    sess_end(&s, false);

    /* DELETE FROM tree in one statement, root first: fine. */
    sess_begin(&s);
    s.ac.statement_checks = true;
    SdbTid tids[3];
    for (int i = 0; i < 3; i++)
        tids[i] = find_tid(&s, &rel_tree, i + 1);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(sdb_table_delete(&s.ac, &rel_tree, tids[i]) == SDB_OK);
    CU_ASSERT(sdb_access_statement_end(&s.ac) == SDB_OK);
    sess_next(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_tree), 0);
    sess_end(&s, true);
    close_db();
}

/* ---- sequences --------------------------------------------------------------------- */

static void test_sequences(void)
{
    open_db(true);
    Sess s = {0};
    sess_begin(&s);
    int64_t v;
    expect_error(sdb_sequence_currval(&s.ac, rel_s.oid, &v), "55000", SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE,
                 "currval of sequence \"s\" is not yet defined in this session", NULL);
    expect_error(sdb_sequence_lastval(&s.ac, &v), "55000", SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE,
                 "lastval is not yet defined in this session", NULL);
    for (int i = 1; i <= 3; i++)
        CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_s.oid, &v) == SDB_OK && v == i);
    CU_ASSERT(sdb_sequence_currval(&s.ac, rel_s.oid, &v) == SDB_OK && v == 3);
    expect_error(sdb_sequence_nextval(&s.ac, rel_s.oid, &v), "2200H", SDB_ERR_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                 "nextval: reached maximum value of sequence \"s\" (3)", NULL);
    CU_ASSERT(sdb_sequence_setval(&s.ac, rel_s.oid, 1, false) == SDB_OK);
    CU_ASSERT(sdb_sequence_currval(&s.ac, rel_s.oid, &v) == SDB_OK && v == 3); /* not called: currval unchanged */
    CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_s.oid, &v) == SDB_OK && v == 1);
    expect_error(sdb_sequence_setval(&s.ac, rel_s.oid, 4, true), "22003", SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE,
                 "setval: value 4 is out of bounds for sequence \"s\" (1..3)", NULL);
    expect_error(sdb_sequence_nextval(&s.ac, rel_t.oid, &v), "42809", SDB_ERR_WRONG_OBJECT_TYPE,
                 "\"t\" is not a sequence", NULL);
    SdbDatum row[3] = {0, 0, 0};
    bool row_nulls[3] = {false, false, false};
    SdbTid tid;
    expect_error(sdb_table_insert(&s.ac, &rel_s, row, row_nulls, &tid), "42809", SDB_ERR_WRONG_OBJECT_TYPE,
                 "cannot change sequence \"s\"", NULL);
    /* Cycling downwards: 12, 11, 10, 12. */
    int64_t expect[] = {12, 11, 10, 12};
    for (int i = 0; i < 4; i++)
        CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_sc.oid, &v) == SDB_OK && v == expect[i]);
    CU_ASSERT(sdb_sequence_lastval(&s.ac, &v) == SDB_OK && v == 12);
    /* setval sets currval (is_called) but not lastval's sequence. */
    CU_ASSERT(sdb_sequence_setval(&s.ac, rel_s.oid, 2, true) == SDB_OK);
    CU_ASSERT(sdb_sequence_currval(&s.ac, rel_s.oid, &v) == SDB_OK && v == 2);
    CU_ASSERT(sdb_sequence_lastval(&s.ac, &v) == SDB_OK && v == 12);
    /* Not undone by a rollback. */
    sess_end(&s, false);
    sess_begin(&s);
    CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_sc.oid, &v) == SDB_OK && v == 11);
    /* Many values: old versions are pruned, the relation stays small. */
    for (int i = 1; i <= 5000; i++)
        CU_ASSERT_FATAL(sdb_sequence_nextval(&s.ac, rel_big.oid, &v) == SDB_OK && v == i);
    SdbBlockNo nblocks;
    CU_ASSERT(sdb_heap_nblocks(db.engine, rel_big.file, &nblocks) == SDB_OK && nblocks <= 3);
    /* The sequence row as a table scan sees it. */
    sess_next(&s);
    int64_t last[2];
    CU_ASSERT_EQUAL(scan_col(&s, &rel_big, 0, last, 2), 1);
    CU_ASSERT_EQUAL(last[0], 5000);
    sess_end(&s, true);
    sdb_sequence_session_free(&s.seqs);
    close_db();

    /* After a restart it goes on. */
    open_db(false);
    sess_begin(&s);
    CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_big.oid, &v) == SDB_OK && v == 5001);
    sess_end(&s, true);
    sdb_sequence_session_free(&s.seqs);
    close_db();
}

/* ---- crash safety ---------------------------------------------------------------- */

static int crash_child(void *arg)
{
    (void)arg;
    if (txn_test_open(&db, dir, 86400) != SDB_OK)
        return 1;
    Sess s = {0};
    sess_begin(&s);
    for (int i = 0; i < 1000; i++)
        if (insert_t(&s, i, "durable", i) != SDB_OK)
            return 2;
    if (insert_t(&s, 2000, big_text(s.arena, 60000, 7), 0) != SDB_OK)
        return 6;
    int64_t v;
    if (sdb_sequence_nextval(&s.ac, rel_big.oid, &v) != SDB_OK || v != 1)
        return 3;
    if (sdb_xact_commit(db.xm, s.txn.xid, true, NULL) != SDB_OK)
        return 4;
    /* Uncommitted work at the crash must vanish. */
    Sess u = {0};
    sess_begin(&u);
    if (insert_t(&u, 5000, "lost", 0) != SDB_OK)
        return 5;
    /* ... an uncommitted update of a toasted row too (its old value's
     * chunks get an xmax, the new value's are written). */
    SdbTid tid = find_tid(&u, &rel_t, 2000), new_tid;
    SdbDatum values[3] = {2000, text(&u, big_text(u.arena, 70000, 8)), 0};
    bool nulls[3] = {false, false, false};
    if (sdb_table_update(&u.ac, &rel_t, tid, values, nulls, &new_tid) != SDB_OK)
        return 7;
    return heap_test_flush_wal(db.engine) == SDB_OK ? 0 : 8;
}

static void test_crash(void)
{
    open_db(true);
    close_db();
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, NULL), 0);
    open_db(false);
    Sess s = {0};
    sess_begin(&s);
    CU_ASSERT_EQUAL(count_rows(&s, &rel_t), 1001);
    static int64_t out[1001];
    CU_ASSERT_EQUAL(index_scan(&s, &rel_t, &t_indexes[0], &(SdbIndexRange){0}, 0, out, 1001), 1001);
    CU_ASSERT(out[0] == 0 && out[999] == 999 && out[1000] == 2000);
    CU_ASSERT(t_name_is(&s, 2000, big_text(s.arena, 60000, 7))); /* the toasted row, its old value */
    expect_error(insert_t(&s, 500, "dup", 0), "23505", SDB_ERR_UNIQUE_VIOLATION,
                 "duplicate key value violates unique constraint \"t_pkey\"", "Key (id)=(500) already exists.");
    sess_end(&s, false);
    sess_begin(&s);
    CU_ASSERT(insert_t(&s, 5000, "not lost", 0) == SDB_OK); /* the crashed insert left no live key */
    int64_t v;
    CU_ASSERT(sdb_sequence_nextval(&s.ac, rel_big.oid, &v) == SDB_OK && v == 2);
    sess_end(&s, true);
    sdb_sequence_session_free(&s.seqs);
    close_db();
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"scans and visibility between sessions", test_scans_and_visibility},
        {"toast", test_toast},
        {"insert many", test_insert_many},
        {"index scans", test_index_scans},
        {"not null and unique", test_constraints},
        {"concurrent updates: waits, 40001, deadlocks", test_concurrent_updates},
        {"row lock modes, NOWAIT, SKIP LOCKED", test_row_lock_modes},
        {"foreign keys", test_foreign_keys},
        {"NO ACTION at the end of the statement", test_no_action_at_statement_end},
        {"sequences", test_sequences},
        {"crash without checkpoint", test_crash},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"access", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}
