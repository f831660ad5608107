/*
 * test_btree.c: the B+tree index (btree.h): ordered, reverse and random
 * inserts; random inserts, deletes and range scans in both directions
 * checked against an in-memory model; keys of every length up to the
 * limit and the too-long error; unique conflicts; thousands of duplicates
 * of one key; concurrent writers and scanners; page deletion after mass
 * deletes and page reuse; bulk build against insert-built content; crash
 * recovery, also with a split whose parent update never reached the WAL;
 * a corrupted metapage.  SPECDB_SOAK=1 runs millions of operations.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/memory.h"
#include "harness.h"
#include "heap_test_util.h"
#include "storage/btree.h"
#include "storage/btree_int.h"
#include "storage/control.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

#define KEY_LEN 8
#define POOL_KB 4096

/* ---- fixture: an engine in a fresh folder with one index ------------------------- */

typedef struct Fixture {
    char dir[512];
    SdbEngine *engine;
    SdbBtree *bt;
    SdbRelFileId rel;
} Fixture;

static uint32_t next_rel_number = 20000;

static void fx_engine(Fixture *f, int page_size)
{
    memset(f, 0, sizeof *f);
    sdb_test_tempdir(f->dir, sizeof f->dir);
    f->engine = heap_test_open(f->dir, page_size, POOL_KB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->engine);
}

static SdbBtree *fx_new_index(Fixture *f, bool unique)
{
    f->rel = (SdbRelFileId){1, next_rel_number++};
    int rc = sdb_btree_create(f->engine, f->rel, unique, SDB_BOOTSTRAP_XID);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    f->bt = sdb_btree_open(f->engine, f->rel);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->bt);
    return f->bt;
}

static void fx_close(Fixture *f)
{
    sdb_btree_close(f->bt);
    f->bt = NULL;
    CU_ASSERT_EQUAL(heap_test_close(f->engine), SDB_OK);
    f->engine = NULL;
}

/* ---- keys, tids, checks ------------------------------------------------------------- */

static void key_of(uint64_t v, uint8_t out[KEY_LEN])
{
    for (int i = 0; i < KEY_LEN; i++)
        out[i] = (uint8_t)(v >> (8 * (KEY_LEN - 1 - i)));
}

static uint64_t value_of(const uint8_t *key)
{
    uint64_t v = 0;
    for (int i = 0; i < KEY_LEN; i++)
        v = (v << 8) | key[i];
    return v;
}

static SdbTid tid_of(uint64_t v)
{
    return (SdbTid){(SdbBlockNo)(v / 200 + 1), (uint16_t)(v % 200 + 1)};
}

static bool tid_equal(SdbTid a, SdbTid b)
{
    return a.block == b.block && a.slot == b.slot;
}

static int insert_value(SdbBtree *bt, uint64_t v)
{
    uint8_t key[KEY_LEN];
    key_of(v, key);
    int rc = sdb_btree_insert(bt, key, KEY_LEN, tid_of(v), SDB_BOOTSTRAP_XID, NULL, NULL, NULL);
    if (rc == SDB_ERROR)
        sdb_error_print(stderr);
    return rc;
}

static int delete_value(SdbBtree *bt, uint64_t v)
{
    uint8_t key[KEY_LEN];
    key_of(v, key);
    int rc = sdb_btree_delete(bt, key, KEY_LEN, tid_of(v), SDB_BOOTSTRAP_XID);
    if (rc == SDB_ERROR)
        sdb_error_print(stderr);
    return rc;
}

static void verify_ok(SdbBtree *bt, SdbBtreeStats *stats)
{
    SdbBtreeStats local;
    int rc = sdb_btree_verify(bt, stats != NULL ? stats : &local);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
}

static void shuffle(uint64_t *values, size_t n, uint64_t *seed)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = heap_test_rand(seed) % i;
        uint64_t t = values[i - 1];
        values[i - 1] = values[j];
        values[j] = t;
    }
}

/* Scan the index between the bounds (values, NULL = open) and check it
 * returns exactly `expected` (ascending; reversed for backward scans),
 * one entry at a time or in batches. */
static void expect_scan(SdbBtree *bt, const uint64_t *lower, bool lower_incl, const uint64_t *upper, bool upper_incl,
                        SdbBtreeDirection dir, bool batch, const uint64_t *expected, size_t n)
{
    uint8_t lo_key[KEY_LEN], hi_key[KEY_LEN];
    SdbBtreeBound lo = {NULL, 0, lower_incl}, hi = {NULL, 0, upper_incl};
    if (lower != NULL) {
        key_of(*lower, lo_key);
        lo = (SdbBtreeBound){lo_key, KEY_LEN, lower_incl};
    }
    if (upper != NULL) {
        key_of(*upper, hi_key);
        hi = (SdbBtreeBound){hi_key, KEY_LEN, upper_incl};
    }
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, &lo, &hi, dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    SdbBtreeEntry entries[37];
    size_t seen = 0;
    bool mismatch = false;
    int rc;
    for (;;) {
        size_t count = 1;
        rc = batch ? sdb_btree_scan_batch(scan, entries, 37, &count) : sdb_btree_scan_next(scan, entries);
        if (rc != SDB_OK)
            break;
        for (size_t i = 0; i < count; i++, seen++) {
            uint64_t want = seen < n ? expected[dir == SDB_BTREE_FORWARD ? seen : n - 1 - seen] : UINT64_MAX;
            if (entries[i].key_len != KEY_LEN || value_of(entries[i].key) != want ||
                !tid_equal(entries[i].tid, tid_of(want))) {
                if (!mismatch)
                    fprintf(stderr, "scan mismatch at entry %zu: got %llu, want %llu\n", seen,
                            entries[i].key_len == KEY_LEN ? (unsigned long long)value_of(entries[i].key) : 0ull,
                            (unsigned long long)want);
                mismatch = true;
            }
        }
    }
    if (rc == SDB_ERROR)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL(rc, SDB_BTREE_END);
    CU_ASSERT_FALSE(mismatch);
    CU_ASSERT_EQUAL(seen, n);
    sdb_btree_scan_close(scan);
}

/* The values v in [from, to) of a presence model between the bounds,
 * ascending. */
static size_t model_range(const bool *present, uint64_t from, uint64_t to, const uint64_t *lower, bool lower_incl,
                          const uint64_t *upper, bool upper_incl, uint64_t *out)
{
    size_t n = 0;
    for (uint64_t v = from; v < to; v++) {
        if (!present[v])
            continue;
        if (lower != NULL && (v < *lower || (v == *lower && !lower_incl)))
            continue;
        if (upper != NULL && (v > *upper || (v == *upper && !upper_incl)))
            continue;
        out[n++] = v;
    }
    return n;
}

/* Every present value, ascending. */
static size_t model_all(const bool *present, uint64_t domain, uint64_t *out)
{
    return model_range(present, 0, domain, NULL, true, NULL, true, out);
}

#define RANGE_WIDTH 3000

/* A random range scan (random bounds of a window, inclusivity, direction,
 * batching) checked against the model.  An end is left open only near the
 * ends of the domain, so scans stay short. */
static void random_range_check(SdbBtree *bt, const bool *present, uint64_t domain, uint64_t *seed, uint64_t *scratch)
{
    uint64_t lo = heap_test_rand(seed) % domain;
    uint64_t hi = lo + heap_test_rand(seed) % RANGE_WIDTH;
    hi = hi < domain ? hi : domain - 1;
    uint64_t r = heap_test_rand(seed);
    bool open_lower = (r & 1) && lo < RANGE_WIDTH, open_upper = (r & 2) && hi + RANGE_WIDTH > domain;
    const uint64_t *lower = open_lower ? NULL : &lo, *upper = open_upper ? NULL : &hi;
    bool lower_incl = (r & 4) != 0, upper_incl = (r & 8) != 0;
    SdbBtreeDirection dir = (r & 16) ? SDB_BTREE_BACKWARD : SDB_BTREE_FORWARD;
    size_t n = model_range(present, open_lower ? 0 : lo, open_upper ? domain : hi + 1, lower, lower_incl, upper,
                           upper_incl, scratch);
    expect_scan(bt, lower, lower_incl, upper, upper_incl, dir, (r & 32) != 0, scratch, n);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- ordered, reverse and random inserts ------------------------------------------------ */

static void test_insert_orders(void)
{
    size_t n = heap_test_soak() ? 1000000 : 100000;
    const char *names[] = {"ascending", "descending", "random"};
    uint64_t *values = sdb_malloc(n * sizeof *values);
    uint64_t *sorted = sdb_malloc(n * sizeof *sorted);
    CU_ASSERT_PTR_NOT_NULL_FATAL(values);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = 3 * i + 1;
    for (int order = 0; order < 3; order++) {
        Fixture f;
        uint64_t seed = 42 + (uint64_t)order;
        fx_engine(&f, 8192);
        SdbBtree *bt = fx_new_index(&f, false);
        for (size_t i = 0; i < n; i++)
            values[i] = order == 1 ? sorted[n - 1 - i] : sorted[i];
        if (order == 2)
            shuffle(values, n, &seed);
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++)
            ok = insert_value(bt, values[i]) == SDB_OK;
        CU_ASSERT_TRUE(ok);
        double took = seconds_since(&start);
        SdbBtreeStats stats;
        verify_ok(bt, &stats);
        CU_ASSERT_EQUAL(stats.entries, n);
        printf("\n    %s insert of %zu keys: %.2f s (%.0f keys/s), %u levels, %llu leaves", names[order], n, took,
               (double)n / took, stats.levels, (unsigned long long)stats.leaf_pages);
        CU_ASSERT_TRUE(stats.levels >= 2);
        expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, false, sorted, n);
        expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, true, sorted, n);
        /* [sorted[10], sorted[n-10]) and (x, y] with x, y not in the index */
        uint64_t lo = sorted[10], hi = sorted[n - 10];
        expect_scan(bt, &lo, true, &hi, false, SDB_BTREE_FORWARD, true, sorted + 10, n - 20);
        expect_scan(bt, &lo, false, &hi, true, SDB_BTREE_BACKWARD, false, sorted + 11, n - 20);
        lo = sorted[100] + 1;
        hi = sorted[200] - 1;
        expect_scan(bt, &lo, false, &hi, true, SDB_BTREE_BACKWARD, false, sorted + 101, 99);
        expect_scan(bt, &hi, true, &lo, true, SDB_BTREE_FORWARD, false, sorted, 0); /* empty range */
        fx_close(&f);
    }
    sdb_free(values);
    sdb_free(sorted);
}

/* ---- random inserts, deletes and scans against a model ------------------------------------------ */

/* The model test's state. */
typedef struct Model {
    SdbBtree *bt;
    bool *present;
    uint64_t *scratch;
    uint64_t domain, seed;
    size_t count, failures;
} Model;

/* `ops` random operations on the index and the model: inserts (`insert_pct`
 * of them), deletes, and now and then a range scan checked against the
 * model; the tree is verified every 50,000 operations. */
static void model_ops(Model *m, size_t ops, uint64_t insert_pct)
{
    SdbBtree *bt = m->bt;
    bool *present = m->present;
    for (size_t op = 0; op < ops; op++) {
        uint64_t r = heap_test_rand(&m->seed) % 100;
        uint64_t v = heap_test_rand(&m->seed) % m->domain;
        if (r < insert_pct) {
            if (present[v])
                continue;
            m->failures += insert_value(bt, v) != SDB_OK;
            present[v] = true;
            m->count++;
        } else if (r < 99) {
            int rc = delete_value(bt, v);
            m->failures += rc != (present[v] ? SDB_OK : SDB_BTREE_NOT_FOUND);
            m->count -= present[v];
            present[v] = false;
        } else {
            random_range_check(bt, present, m->domain, &m->seed, m->scratch);
        }
        if ((op + 1) % 50000 == 0) {
            SdbBtreeStats stats;
            verify_ok(bt, &stats);
            CU_ASSERT_EQUAL(stats.entries, m->count);
        }
    }
}

/* Delete the keys that are not multiples of 7 (85%, spread evenly: leaves
 * go under-full and merge) in key order, with inserts of multiples of 7
 * and range scans in between. */
static void model_thin(Model *m)
{
    for (uint64_t v = 0; v < m->domain; v++) {
        if (v % 7 != 0 && m->present[v]) {
            m->failures += delete_value(m->bt, v) != SDB_OK;
            m->present[v] = false;
            m->count--;
        }
        uint64_t r = heap_test_rand(&m->seed) % 1000;
        uint64_t w = heap_test_rand(&m->seed) % m->domain / 7 * 7;
        if (r < 100 && !m->present[w]) {
            m->failures += insert_value(m->bt, w) != SDB_OK;
            m->present[w] = true;
            m->count++;
        } else if (r < 103) {
            random_range_check(m->bt, m->present, m->domain, &m->seed, m->scratch);
        }
    }
}

static void test_random_against_model(void)
{
    bool soak = heap_test_soak();
    uint64_t domain = soak ? 2000000 : 200000;
    size_t ops = soak ? 5000000 : 150000;
    bool *present = calloc(domain, sizeof *present);
    uint64_t *scratch = sdb_malloc(domain * sizeof *scratch);
    CU_ASSERT_PTR_NOT_NULL_FATAL(present);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
    Fixture f;
    fx_engine(&f, 8192);
    SdbBtree *bt = fx_new_index(&f, false);
    Model m = {bt, present, scratch, domain, 7, 0, 0};
    /* Grow, thin out (mostly deletes: leaves go under-full and merge), grow
     * again (the merged pages split, freed pages are reused). */
    SdbBtreeStats grown, thinned;
    model_ops(&m, ops, 65);
    verify_ok(bt, &grown);
    model_thin(&m);
    verify_ok(bt, &thinned);
    printf("\n    leaves %llu -> %llu as entries go %llu -> %llu", (unsigned long long)grown.leaf_pages,
           (unsigned long long)thinned.leaf_pages, (unsigned long long)grown.entries,
           (unsigned long long)thinned.entries);
    CU_ASSERT_TRUE(thinned.leaf_pages * 2 < grown.leaf_pages);
    model_ops(&m, ops, 65);
    CU_ASSERT_EQUAL(m.failures, 0);
    size_t count = m.count;
    uint64_t seed = m.seed;
    /* Inserting an entry that is there already is refused. */
    for (uint64_t v = 0; v < domain; v++) {
        if (present[v]) {
            uint8_t key[KEY_LEN];
            key_of(v, key);
            CU_ASSERT_EQUAL(sdb_btree_insert(bt, key, KEY_LEN, tid_of(v), 1, NULL, NULL, NULL), SDB_ERROR);
            CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
            break;
        }
    }
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, count);
    size_t n = model_all(present, domain, scratch);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, scratch, n);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, false, scratch, n);
    for (int i = 0; i < 50; i++)
        random_range_check(bt, present, domain, &seed, scratch);
    fx_close(&f);
    free(present);
    sdb_free(scratch);
}

/* ---- variable-length keys --------------------------------------------------------------------- */

typedef struct VarEntry {
    uint8_t *key;
    size_t len;
    SdbTid tid;
} VarEntry;

static int var_compare(const void *a, const void *b)
{
    const VarEntry *x = a, *y = b;
    int c = bt_key_compare(x->key, x->len, y->key, y->len);
    return c != 0 ? c : bt_tid_compare(x->tid, y->tid);
}

/* Scan everything in `dir` and compare with entries[0..n) (sorted). */
static void expect_var_scan(SdbBtree *bt, const VarEntry *entries, size_t n, SdbBtreeDirection dir)
{
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, NULL, NULL, dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    SdbBtreeEntry e;
    size_t seen = 0;
    bool mismatch = false;
    int rc;
    while ((rc = sdb_btree_scan_next(scan, &e)) == SDB_OK) {
        const VarEntry *want = seen < n ? &entries[dir == SDB_BTREE_FORWARD ? seen : n - 1 - seen] : NULL;
        mismatch |= want == NULL || want->len != e.key_len || memcmp(want->key, e.key, e.key_len) != 0 ||
                    !tid_equal(want->tid, e.tid);
        seen++;
    }
    CU_ASSERT_EQUAL(rc, SDB_BTREE_END);
    CU_ASSERT_FALSE(mismatch);
    CU_ASSERT_EQUAL(seen, n);
    sdb_btree_scan_close(scan);
}

static void variable_keys_for_page_size(int page_size)
{
    Fixture f;
    uint64_t seed = 99 + (uint64_t)page_size;
    fx_engine(&f, page_size);
    SdbBtree *bt = fx_new_index(&f, false);
    size_t max = sdb_btree_max_key_len((uint32_t)page_size);
    CU_ASSERT_TRUE(max >= (size_t)page_size / 4 - 32 && max <= (size_t)page_size / 4);
    size_t n = (heap_test_soak() ? 30000 : 3000) * 8192 / (size_t)page_size;
    VarEntry *entries = sdb_malloc(n * sizeof *entries);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entries);
    for (size_t i = 0; i < n; i++) {
        /* Lengths from 1 to the maximum, many of them sharing prefixes so
         * the "shorter first" rule matters. */
        uint64_t r = heap_test_rand(&seed);
        size_t len = i < 2 ? (i == 0 ? 1 : max) : (r % 4 == 0 ? max - r % 8 : 1 + r % (r % 3 == 0 ? max : 24));
        entries[i].key = sdb_malloc(len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(entries[i].key);
        for (size_t j = 0; j < len; j++)
            entries[i].key[j] = (uint8_t)('a' + (j < 6 ? (i % 3) : heap_test_rand(&seed) % 3));
        entries[i].len = len;
        entries[i].tid = (SdbTid){(SdbBlockNo)i + 1, 1};
        int rc = sdb_btree_insert(bt, entries[i].key, len, entries[i].tid, 1, NULL, NULL, NULL);
        if (rc != SDB_OK)
            sdb_error_print(stderr);
        CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    }
    qsort(entries, n, sizeof *entries, var_compare);
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, n);
    expect_var_scan(bt, entries, n, SDB_BTREE_FORWARD);
    expect_var_scan(bt, entries, n, SDB_BTREE_BACKWARD);

    /* Too long: 54000, PostgreSQL's message. */
    uint8_t *big = sdb_malloc(max + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'z', max + 1);
    CU_ASSERT_EQUAL(sdb_btree_insert(bt, big, max + 1, (SdbTid){1, 1}, 1, NULL, NULL, NULL), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROGRAM_LIMIT_EXCEEDED);
    char message[128];
    snprintf(message, sizeof message, "index row size %zu exceeds btree maximum %zu", max + 1, max);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, message);
    sdb_free(big);

    /* Delete every other entry, exactly by (key, tid). */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 2 == 0) {
            CU_ASSERT_EQUAL(sdb_btree_delete(bt, entries[i].key, entries[i].len, entries[i].tid, 1), SDB_OK);
            sdb_free(entries[i].key);
        } else {
            entries[kept++] = entries[i];
        }
    }
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, kept);
    expect_var_scan(bt, entries, kept, SDB_BTREE_FORWARD);
    expect_var_scan(bt, entries, kept, SDB_BTREE_BACKWARD);
    for (size_t i = 0; i < kept; i++)
        sdb_free(entries[i].key);
    sdb_free(entries);
    fx_close(&f);
}

static void test_variable_length_keys(void)
{
    variable_keys_for_page_size(4096);
    variable_keys_for_page_size(8192);
    variable_keys_for_page_size(32768);
}

/* ---- unique indexes --------------------------------------------------------------------------- */

/* Conflict callbacks: every row but `arg` is live / only `arg` is. */
static bool not_dead(void *arg, SdbTid existing)
{
    const SdbTid *dead = arg;
    return !tid_equal(*dead, existing);
}

static bool is_live(void *arg, SdbTid existing)
{
    const SdbTid *live = arg;
    return tid_equal(*live, existing);
}

static void test_unique(void)
{
    Fixture f;
    fx_engine(&f, 8192);
    SdbBtree *bt = fx_new_index(&f, true);
    CU_ASSERT_TRUE(sdb_btree_is_unique(bt));
    for (uint64_t v = 0; v < 20000; v++)
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v * 2), SDB_OK);
    uint8_t key[KEY_LEN];
    SdbTid conflict = {0, 0};
    key_of(5000, key);
    /* A second entry for a key conflicts, and names the existing tid. */
    CU_ASSERT_EQUAL(sdb_btree_insert(bt, key, KEY_LEN, (SdbTid){999, 9}, 1, NULL, NULL, &conflict),
                    SDB_BTREE_CONFLICT);
    CU_ASSERT_TRUE(tid_equal(conflict, tid_of(5000)));
    CU_ASSERT_EQUAL(sdb_btree_check_unique(bt, key, KEY_LEN, NULL, NULL, &conflict), SDB_BTREE_CONFLICT);
    CU_ASSERT_TRUE(tid_equal(conflict, tid_of(5000)));
    key_of(5001, key);
    CU_ASSERT_EQUAL(sdb_btree_check_unique(bt, key, KEY_LEN, NULL, NULL, &conflict), SDB_OK);
    /* When the caller says the existing row is dead, the insert goes in;
     * then the new one blocks the next insert. */
    key_of(5000, key);
    SdbTid dead = tid_of(5000);
    CU_ASSERT_EQUAL(sdb_btree_insert(bt, key, KEY_LEN, (SdbTid){999, 9}, 1, not_dead, &dead, &conflict), SDB_OK);
    CU_ASSERT_EQUAL(sdb_btree_insert(bt, key, KEY_LEN, (SdbTid){999, 10}, 1, not_dead, &dead, &conflict),
                    SDB_BTREE_CONFLICT);
    CU_ASSERT_TRUE(tid_equal(conflict, ((SdbTid){999, 9})));
    /* Many dead versions of one key, spanning pages: each insert looks at
     * all of them, and finds the one live version wherever it is. */
    key_of(7000, key);
    SdbTid none = {0, 0};
    for (uint16_t i = 1; i <= 1500; i++)
        CU_ASSERT_EQUAL_FATAL(sdb_btree_insert(bt, key, KEY_LEN, (SdbTid){50000u + i, i}, 1, is_live, &none, NULL),
                              SDB_OK);
    CU_ASSERT_EQUAL(sdb_btree_check_unique(bt, key, KEY_LEN, is_live, &none, &conflict), SDB_OK);
    SdbTid live = {50000u + 1500, 1500};
    CU_ASSERT_EQUAL(sdb_btree_insert(bt, key, KEY_LEN, (SdbTid){1, 1}, 1, is_live, &live, &conflict),
                    SDB_BTREE_CONFLICT);
    CU_ASSERT_TRUE(tid_equal(conflict, live));
    live = tid_of(7000);
    CU_ASSERT_EQUAL(sdb_btree_check_unique(bt, key, KEY_LEN, is_live, &live, &conflict), SDB_BTREE_CONFLICT);
    CU_ASSERT_TRUE(tid_equal(conflict, live));
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, 20001 + 1500);
    fx_close(&f);
}

/* ---- thousands of duplicates ------------------------------------------------------------------ */

static void expect_dup_scan(SdbBtree *bt, const char *key, const bool *present, size_t n, SdbBtreeDirection dir)
{
    SdbBtreeBound bound = {key, strlen(key), true};
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, &bound, &bound, dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    SdbBtreeEntry e;
    size_t seen = 0;
    long i = dir == SDB_BTREE_FORWARD ? -1 : (long)n;
    bool mismatch = false;
    while (sdb_btree_scan_next(scan, &e) == SDB_OK) {
        do
            i += dir == SDB_BTREE_FORWARD ? 1 : -1;
        while (i >= 0 && i < (long)n && !present[i]);
        mismatch |= i < 0 || i >= (long)n || e.key_len != strlen(key) || memcmp(e.key, key, e.key_len) != 0 ||
                    !tid_equal(e.tid, ((SdbTid){(SdbBlockNo)(i / 40 + 1), (uint16_t)(i % 40 + 1)}));
        seen++;
    }
    size_t want = 0;
    for (size_t j = 0; j < n; j++)
        want += present[j];
    CU_ASSERT_FALSE(mismatch);
    CU_ASSERT_EQUAL(seen, want);
    sdb_btree_scan_close(scan);
}

static void test_duplicates(void)
{
    Fixture f;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, false);
    size_t n = heap_test_soak() ? 50000 : 5000;
    uint64_t seed = 5;
    uint64_t *order = sdb_malloc(n * sizeof *order);
    bool *present = sdb_malloc(n * sizeof *present);
    CU_ASSERT_PTR_NOT_NULL_FATAL(order);
    CU_ASSERT_PTR_NOT_NULL_FATAL(present);
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        present[i] = true;
    }
    shuffle(order, n, &seed);
    const char *neighbours[] = {"dun", "dupa", "du", "dupp", "dup\x01"};
    for (size_t i = 0; i < n; i++) {
        SdbTid tid = {(SdbBlockNo)(order[i] / 40 + 1), (uint16_t)(order[i] % 40 + 1)};
        CU_ASSERT_EQUAL_FATAL(sdb_btree_insert(bt, "dup", 3, tid, 1, NULL, NULL, NULL), SDB_OK);
        if (i % 100 == 0) {
            const char *other = neighbours[(i / 100) % 5];
            CU_ASSERT_EQUAL_FATAL(sdb_btree_insert(bt, other, strlen(other), tid, 1, NULL, NULL, NULL), SDB_OK);
        }
    }
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_TRUE(stats.leaf_pages > 20);
    expect_dup_scan(bt, "dup", present, n, SDB_BTREE_FORWARD);
    expect_dup_scan(bt, "dup", present, n, SDB_BTREE_BACKWARD);
    for (size_t i = 0; i < n; i += 3) {
        SdbTid tid = {(SdbBlockNo)(i / 40 + 1), (uint16_t)(i % 40 + 1)};
        CU_ASSERT_EQUAL(sdb_btree_delete(bt, "dup", 3, tid, 1), SDB_OK);
        CU_ASSERT_EQUAL(sdb_btree_delete(bt, "dup", 3, tid, 1), SDB_BTREE_NOT_FOUND);
        present[i] = false;
    }
    verify_ok(bt, NULL);
    expect_dup_scan(bt, "dup", present, n, SDB_BTREE_FORWARD);
    expect_dup_scan(bt, "dup", present, n, SDB_BTREE_BACKWARD);
    sdb_free(order);
    sdb_free(present);
    fx_close(&f);
}

/* ---- concurrent writers and scanners ----------------------------------------------------------- */

#define WRITERS 4
#define SCANNERS 2
#define HIGH_BASE 1000000000ull

typedef struct Concurrent {
    SdbBtree *bt;
    uint64_t evens;   /* keys 0, 2, ... 2*(evens-1) are there all along */
    uint64_t per_writer;
    atomic_int writers_running;
} Concurrent;

typedef struct Worker {
    Concurrent *c;
    int id;
    pthread_t thread;
    long failures;
    long scans;
    char error[SDB_ERROR_MESSAGE_MAX + 64];
} Worker;

static void worker_fail(Worker *w, const char *what)
{
    if (w->failures++ == 0)
        snprintf(w->error, sizeof w->error, "%s: %s", what, sdb_error_last()->message);
}

/* Odd key number i of writer w. */
static uint64_t odd_key(const Concurrent *c, int w, uint64_t i)
{
    return 2 * ((uint64_t)w * c->per_writer + i) + 1;
}

static void *writer_main(void *arg)
{
    Worker *w = arg;
    Concurrent *c = w->c;
    uint64_t seed = 1000 + (uint64_t)w->id;
    uint64_t *order = malloc(c->per_writer * sizeof *order);
    if (order == NULL) {
        worker_fail(w, "malloc");
        goto out;
    }
    for (uint64_t i = 0; i < c->per_writer; i++)
        order[i] = i;
    shuffle(order, c->per_writer, &seed);
    for (uint64_t i = 0; i < c->per_writer; i++)
        if (insert_value(c->bt, odd_key(c, w->id, order[i])) != SDB_OK)
            worker_fail(w, "insert");
    /* A block of keys of our own inserted and deleted again: pages empty
     * out and are unlinked while the scanners run. */
    uint64_t high = HIGH_BASE + (uint64_t)w->id * c->per_writer;
    for (uint64_t i = 0; i < c->per_writer / 2; i++)
        if (insert_value(c->bt, high + i) != SDB_OK)
            worker_fail(w, "insert high");
    /* 7 in 8 of our odd keys go again: leaves above the even keys go
     * under-full and merge while the scanners run. */
    for (uint64_t i = 0; i < c->per_writer; i++)
        if (order[i] % 8 != 0 && delete_value(c->bt, odd_key(c, w->id, order[i])) != SDB_OK)
            worker_fail(w, "delete");
    for (uint64_t i = 0; i < c->per_writer / 2; i++)
        if (delete_value(c->bt, high + i) != SDB_OK)
            worker_fail(w, "delete high");
    free(order);
out:
    atomic_fetch_sub(&c->writers_running, 1);
    return NULL;
}

/* One full scan: strictly ordered, and every even key seen. */
static void scan_once(Worker *w, SdbBtreeDirection dir)
{
    Concurrent *c = w->c;
    SdbBtreeScan *scan = sdb_btree_scan_open(c->bt, NULL, NULL, dir);
    if (scan == NULL) {
        worker_fail(w, "scan open");
        return;
    }
    SdbBtreeEntry e[64];
    size_t count;
    uint64_t evens = 0, prev = 0;
    bool first = true;
    int rc;
    while ((rc = sdb_btree_scan_batch(scan, e, 64, &count)) == SDB_OK) {
        for (size_t i = 0; i < count; i++) {
            uint64_t v = value_of(e[i].key);
            if (!first && (dir == SDB_BTREE_FORWARD ? v <= prev : v >= prev))
                worker_fail(w, "scan out of order");
            if (v % 2 == 0 && v < HIGH_BASE)
                evens++;
            prev = v;
            first = false;
        }
    }
    if (rc != SDB_BTREE_END)
        worker_fail(w, "scan");
    if (evens != c->evens)
        worker_fail(w, "scan missed keys that were there all along");
    sdb_btree_scan_close(scan);
    w->scans++;
}

static void *scanner_main(void *arg)
{
    Worker *w = arg;
    do
        scan_once(w, w->id % 2 ? SDB_BTREE_BACKWARD : SDB_BTREE_FORWARD);
    while (atomic_load(&w->c->writers_running) > 0 || w->scans < 2);
    return NULL;
}

static void test_concurrent(void)
{
    Fixture f;
    Concurrent c = {.evens = 20000, .per_writer = heap_test_soak() ? 200000 : 15000};
    fx_engine(&f, 8192);
    c.bt = fx_new_index(&f, false);
    for (uint64_t i = 0; i < c.evens; i++)
        CU_ASSERT_EQUAL_FATAL(insert_value(c.bt, 2 * i), SDB_OK);
    atomic_store(&c.writers_running, WRITERS);
    Worker workers[WRITERS + SCANNERS];
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < WRITERS + SCANNERS; i++) {
        workers[i].c = &c;
        workers[i].id = i;
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&workers[i].thread, NULL, i < WRITERS ? writer_main : scanner_main, &workers[i]), 0);
    }
    long scans = 0;
    for (int i = 0; i < WRITERS + SCANNERS; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].failures > 0)
            fprintf(stderr, "worker %d: %ld failures, first: %s\n", i, workers[i].failures, workers[i].error);
        CU_ASSERT_EQUAL(workers[i].failures, 0);
        scans += workers[i].scans;
    }
    SdbBtreeStats stats;
    verify_ok(c.bt, &stats);
    printf("\n    %d writers x %llu keys, %ld concurrent full scans, %llu leaves left", WRITERS,
           (unsigned long long)c.per_writer, scans, (unsigned long long)stats.leaf_pages);
    /* Expected: every even key, odd keys not deleted (order % 8 == 0). */
    size_t total = c.evens + (size_t)WRITERS * c.per_writer;
    uint64_t *expected = sdb_malloc(total * sizeof *expected);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    size_t n = 0;
    for (uint64_t v = 0; v < 2 * (WRITERS * c.per_writer); v++) {
        if (v % 2 == 0 ? v / 2 < c.evens : ((v - 1) / 2) % c.per_writer % 8 == 0)
            expected[n++] = v;
    }
    CU_ASSERT_EQUAL(stats.entries, n);
    /* Leaves merged: over 150 entries a leaf on average (about 400 fit;
     * without merging the sparse ones stay and it is about 100). */
    CU_ASSERT_TRUE(stats.leaf_pages * 150 < stats.entries);
    expect_scan(c.bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, expected, n);
    expect_scan(c.bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, true, expected, n);
    sdb_free(expected);
    fx_close(&f);
}

/* Four threads insert the same keys into a unique index: each key goes in
 * exactly once, whoever gets there first. */
typedef struct Racer {
    SdbBtree *bt;
    int id;
    uint64_t keys;
    pthread_t thread;
    long wins, failures;
} Racer;

static void *racer_main(void *arg)
{
    Racer *r = arg;
    for (uint64_t v = 0; v < r->keys; v++) {
        uint8_t key[KEY_LEN];
        key_of(v, key);
        SdbTid tid = {(SdbBlockNo)(v + 1), (uint16_t)(r->id + 1)};
        int rc = sdb_btree_insert(r->bt, key, KEY_LEN, tid, 1, NULL, NULL, NULL);
        r->wins += rc == SDB_OK;
        r->failures += rc != SDB_OK && rc != SDB_BTREE_CONFLICT;
    }
    return NULL;
}

static void test_concurrent_unique(void)
{
    Fixture f;
    Racer racers[WRITERS];
    uint64_t keys = heap_test_soak() ? 200000 : 20000;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, true);
    for (int i = 0; i < WRITERS; i++) {
        racers[i] = (Racer){.bt = bt, .id = i, .keys = keys};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&racers[i].thread, NULL, racer_main, &racers[i]), 0);
    }
    long wins = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(racers[i].thread, NULL);
        CU_ASSERT_EQUAL(racers[i].failures, 0);
        wins += racers[i].wins;
    }
    CU_ASSERT_EQUAL(wins, (long)keys);
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, keys);
    fx_close(&f);
}

/* ---- page deletion and reuse ------------------------------------------------------------------ */

static SdbBlockNo fx_nblocks(Fixture *f)
{
    SdbBlockNo n = 0;
    CU_ASSERT_EQUAL(sdb_smgr_nblocks(sdb_engine_smgr(f->engine), f->rel, SDB_FORK_MAIN, &n), SDB_OK);
    return n;
}

static void test_delete_merges_and_reuses(void)
{
    Fixture f;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, false);
    uint64_t n = heap_test_soak() ? 500000 : 60000;
    bool *present = sdb_malloc(n * sizeof *present);
    uint64_t *scratch = sdb_malloc(n * sizeof *scratch);
    CU_ASSERT_PTR_NOT_NULL_FATAL(present);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
    for (uint64_t v = 0; v < n; v++) {
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
        present[v] = true;
    }
    SdbBtreeStats full, thin, empty;
    verify_ok(bt, &full);
    SdbBlockNo blocks_full = fx_nblocks(&f);

    /* Keep every 1000th key: nearly every leaf empties and goes. */
    for (uint64_t v = 0; v < n; v++) {
        if (v % 1000 != 0) {
            CU_ASSERT_EQUAL_FATAL(delete_value(bt, v), SDB_OK);
            present[v] = false;
        }
    }
    verify_ok(bt, &thin);
    printf("\n    leaves %llu -> %llu after deleting 99.9%%, %llu pages queued for reuse",
           (unsigned long long)full.leaf_pages, (unsigned long long)thin.leaf_pages,
           (unsigned long long)thin.deleted_pages);
    /* Left: leaves holding a key, and at most one empty leaf per parent
     * (the rightmost child of a parent stays, README "B+tree deletion"). */
    CU_ASSERT_TRUE(thin.leaf_pages <= thin.entries + thin.internal_pages);
    CU_ASSERT_TRUE(thin.deleted_pages > 0);
    CU_ASSERT_EQUAL(fx_nblocks(&f), 1 + thin.leaf_pages + thin.internal_pages + thin.deleted_pages);
    size_t count = model_all(present, n, scratch);
    CU_ASSERT_EQUAL(thin.entries, count);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, false, scratch, count);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, false, scratch, count);
    uint64_t seed = 3;
    for (int i = 0; i < 20; i++)
        random_range_check(bt, present, n, &seed, scratch);

    /* Put everything back: the freed pages are reused, the file hardly grows. */
    for (uint64_t v = 0; v < n; v++) {
        if (!present[v]) {
            CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
            present[v] = true;
        }
    }
    SdbBtreeStats again;
    verify_ok(bt, &again);
    SdbBlockNo blocks_again = fx_nblocks(&f);
    printf(", file %u -> %u blocks after reinserting", blocks_full, blocks_again);
    CU_ASSERT_EQUAL(again.deleted_pages, 0);
    CU_ASSERT_EQUAL(blocks_again, 1 + again.leaf_pages + again.internal_pages);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, true, scratch, model_all(present, n, scratch));

    /* Delete everything. */
    for (uint64_t v = 0; v < n; v++)
        CU_ASSERT_EQUAL_FATAL(delete_value(bt, v), SDB_OK);
    verify_ok(bt, &empty);
    CU_ASSERT_EQUAL(empty.entries, 0);
    CU_ASSERT_TRUE(empty.leaf_pages <= empty.internal_pages);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, false, scratch, 0);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, false, scratch, 0);
    sdb_free(present);
    sdb_free(scratch);
    fx_close(&f);
}

/* Delete 6 keys in 7 (spread evenly, in key order or shuffled): leaves are
 * left sparse, not empty, and merge into their right siblings.  Returns
 * the leaf count after. */
static uint64_t sparse_deletes(bool shuffled)
{
    Fixture f;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, false);
    uint64_t n = heap_test_soak() ? 500000 : 60000;
    bool *present = sdb_malloc(n * sizeof *present);
    uint64_t *order = sdb_malloc(n * sizeof *order);
    CU_ASSERT_PTR_NOT_NULL_FATAL(present);
    CU_ASSERT_PTR_NOT_NULL_FATAL(order);
    for (uint64_t v = 0; v < n; v++) {
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
        present[v] = true;
        order[v] = v;
    }
    uint64_t seed = 11;
    if (shuffled)
        shuffle(order, n, &seed);
    SdbBtreeStats full, sparse, again;
    verify_ok(bt, &full);
    for (uint64_t i = 0; i < n; i++) {
        if (order[i] % 7 != 0) {
            CU_ASSERT_EQUAL_FATAL(delete_value(bt, order[i]), SDB_OK);
            present[order[i]] = false;
        }
    }
    verify_ok(bt, &sparse);
    printf("\n    %s deletes of 6 keys in 7: leaves %llu -> %llu, %llu pages queued for reuse",
           shuffled ? "shuffled" : "in-order", (unsigned long long)full.leaf_pages,
           (unsigned long long)sparse.leaf_pages, (unsigned long long)sparse.deleted_pages);
    CU_ASSERT_TRUE(sparse.leaf_pages * 2 < full.leaf_pages);
    size_t count = model_all(present, n, order);
    CU_ASSERT_EQUAL(sparse.entries, count);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, order, count);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, true, order, count);
    for (int i = 0; i < 20; i++)
        random_range_check(bt, present, n, &seed, order);

    /* Put everything back: merged pages split again, freed pages are reused. */
    for (uint64_t v = 0; v < n; v++) {
        if (!present[v]) {
            CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
            present[v] = true;
        }
    }
    verify_ok(bt, &again);
    CU_ASSERT_EQUAL(again.entries, n);
    CU_ASSERT_TRUE(again.deleted_pages < sparse.deleted_pages);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, order, model_all(present, n, order));
    sdb_free(present);
    sdb_free(order);
    fx_close(&f);
    return sparse.leaf_pages;
}

static void test_sparse_leaves_merge(void)
{
    sparse_deletes(false);
    sparse_deletes(true);

    /* The description of a merging UNLINK counts the entries moved. */
    BtWalUnlink u = {.target = 7, .left = 6, .right = 8, .parent_slot = 3,
                     .flags = BT_UNLINK_HAS_LEFT | BT_UNLINK_MERGE};
    uint8_t data[2 * (sizeof(uint16_t) + BT_LEAF_HEADER + KEY_LEN)];
    uint16_t len = BT_LEAF_HEADER + KEY_LEN;
    memset(data, 0, sizeof data);
    memcpy(data, &len, sizeof len);
    memcpy(data + sizeof len + len, &len, sizeof len);
    SdbWalRecord rec;
    memset(&rec, 0, sizeof rec);
    rec.info = BT_WAL_UNLINK;
    rec.block_count = 5;
    rec.blocks[2].data = data;
    rec.blocks[2].data_len = sizeof data;
    rec.main_data = (const uint8_t *)&u;
    rec.main_len = sizeof u;
    char text[160];
    sdb_btree_describe(&rec, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "unlink page 7 (left 6, right 8, parent slot 3), 2 entries merged into right");
}

/* The lowest key of the leaf a backward scan reads first (the last leaf),
 * with its entries read. */
static uint64_t last_leaf_low(SdbBtreeScan *scan)
{
    SdbBtreeEntry e[1000];
    size_t count;
    CU_ASSERT_EQUAL_FATAL(sdb_btree_scan_batch(scan, e, 1000, &count), SDB_OK);
    CU_ASSERT_FATAL(count > 0 && count < 1000);
    return value_of(e[count - 1].key);
}

/* A backward scan has read the last leaf when the leaf before it merges
 * into it: the entries that moved are still returned, in order. */
static void test_backward_scan_over_merge(void)
{
    Fixture f;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, false);
    enum { N = 2000 };
    bool present[N];
    uint64_t expected[N];
    for (uint64_t v = 0; v < N; v++) {
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
        present[v] = true;
    }
    /* Thin the last leaf out so that it has room for a merge. */
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, NULL, NULL, SDB_BTREE_BACKWARD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    uint64_t low = last_leaf_low(scan);
    sdb_btree_scan_close(scan);
    for (uint64_t v = low; v < N; v++) {
        if (v % 7 != 0) {
            CU_ASSERT_EQUAL_FATAL(delete_value(bt, v), SDB_OK);
            present[v] = false;
        }
    }
    SdbBtreeStats before, after;
    verify_ok(bt, &before);
    /* Read the last leaf, thin out the one before it (it merges into the
     * last one), then read on. */
    scan = sdb_btree_scan_open(bt, NULL, NULL, SDB_BTREE_BACKWARD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    CU_ASSERT_EQUAL(last_leaf_low(scan), low / 7 * 7 + (low % 7 ? 7 : 0));
    for (uint64_t v = low - 150; v < low; v++) {
        if (v % 7 != 0) {
            CU_ASSERT_EQUAL_FATAL(delete_value(bt, v), SDB_OK);
            present[v] = false;
        }
    }
    verify_ok(bt, &after);
    CU_ASSERT_EQUAL(after.leaf_pages + 1, before.leaf_pages);
    size_t n = model_all(present, low, expected), seen = 0;
    SdbBtreeEntry e;
    while (sdb_btree_scan_next(scan, &e) == SDB_OK) {
        CU_ASSERT_FATAL(seen < n);
        CU_ASSERT_EQUAL(value_of(e.key), expected[n - 1 - seen]);
        seen++;
    }
    CU_ASSERT_EQUAL(seen, n);
    sdb_btree_scan_close(scan);
    fx_close(&f);
}

/* A scan left open keeps the pages unlinked after it started from being
 * reused, and carries on correctly over them. */
static void test_open_scan_blocks_reuse(void)
{
    Fixture f;
    fx_engine(&f, 4096);
    SdbBtree *bt = fx_new_index(&f, false);
    for (uint64_t v = 0; v < 20000; v++)
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, 2 * v), SDB_OK);
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, NULL, NULL, SDB_BTREE_FORWARD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    SdbBtreeEntry e;
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL_FATAL(sdb_btree_scan_next(scan, &e), SDB_OK);
        CU_ASSERT_EQUAL(value_of(e.key), 2 * (uint64_t)i);
    }
    for (uint64_t v = 100; v < 19000; v++)
        CU_ASSERT_EQUAL_FATAL(delete_value(bt, 2 * v), SDB_OK);
    SdbBtreeStats before, after;
    verify_ok(bt, &before);
    CU_ASSERT_TRUE(before.deleted_pages > 20);
    /* Splits while the scan is open extend the file instead. */
    for (uint64_t v = 40000; v < 60000; v++)
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
    verify_ok(bt, &after);
    CU_ASSERT_EQUAL(after.deleted_pages, before.deleted_pages);
    /* The scan goes on: the keys there all along, then the new ones (and
     * maybe deleted ones it had copied already). */
    uint64_t prev = 18, seen_old = 0, seen_new = 0;
    bool ordered = true;
    int rc;
    while ((rc = sdb_btree_scan_next(scan, &e)) == SDB_OK) {
        uint64_t v = value_of(e.key);
        ordered &= v > prev;
        prev = v;
        seen_old += v < 200 || (v >= 38000 && v < 40000); /* never deleted */
        seen_new += v >= 40000;
    }
    CU_ASSERT_EQUAL(rc, SDB_BTREE_END);
    CU_ASSERT_TRUE(ordered);
    CU_ASSERT_EQUAL(seen_old, 90 + 1000);
    CU_ASSERT_EQUAL(seen_new, 20000);
    sdb_btree_scan_close(scan);
    /* Closed: the next splits take the deleted pages. */
    for (uint64_t v = 60000; v < 80000; v++)
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
    verify_ok(bt, &after);
    CU_ASSERT_TRUE(after.deleted_pages < before.deleted_pages);
    fx_close(&f);
}

/* ---- bulk build ---------------------------------------------------------------------------------- */

static SdbBtree *build_index(Fixture *f, const uint64_t *values, size_t n, int fillfactor)
{
    f->rel = (SdbRelFileId){1, next_rel_number++};
    SdbBtreeBuild *build = sdb_btree_build_begin(f->engine, f->rel, false, fillfactor, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(build);
    for (size_t i = 0; i < n; i++) {
        uint8_t key[KEY_LEN];
        key_of(values[i], key);
        CU_ASSERT_EQUAL_FATAL(sdb_btree_build_add(build, key, KEY_LEN, tid_of(values[i])), SDB_OK);
    }
    int rc = sdb_btree_build_finish(build);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    SdbBtree *bt = sdb_btree_open(f->engine, f->rel);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bt);
    return bt;
}

static void test_bulk_build(void)
{
    Fixture f;
    size_t n = heap_test_soak() ? 2000000 : 100000;
    uint64_t *values = sdb_malloc(n * sizeof *values);
    uint64_t *shuffled = sdb_malloc(n * sizeof *shuffled);
    CU_ASSERT_PTR_NOT_NULL_FATAL(values);
    CU_ASSERT_PTR_NOT_NULL_FATAL(shuffled);
    for (size_t i = 0; i < n; i++)
        values[i] = shuffled[i] = 5 * i + 2;
    uint64_t seed = 11;
    shuffle(shuffled, n, &seed);
    fx_engine(&f, 8192);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    SdbBtree *built = build_index(&f, values, n, SDB_BTREE_DEFAULT_FILLFACTOR);
    double build_seconds = seconds_since(&start);
    SdbBtree *inserted = fx_new_index(&f, false);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL_FATAL(insert_value(inserted, shuffled[i]), SDB_OK);
    double insert_seconds = seconds_since(&start);

    SdbBtreeStats built_stats, inserted_stats;
    verify_ok(built, &built_stats);
    verify_ok(inserted, &inserted_stats);
    printf("\n    %zu keys: bulk build %.3f s (%llu leaves), random inserts %.3f s (%llu leaves): %.0fx", n,
           build_seconds, (unsigned long long)built_stats.leaf_pages, insert_seconds,
           (unsigned long long)inserted_stats.leaf_pages, insert_seconds / build_seconds);
    CU_ASSERT_EQUAL(built_stats.entries, n);
    CU_ASSERT_TRUE(built_stats.leaf_pages < inserted_stats.leaf_pages);
    CU_ASSERT_TRUE(build_seconds * 2 < insert_seconds);
    /* Same content, both ways round. */
    expect_scan(built, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, values, n);
    expect_scan(built, NULL, true, NULL, true, SDB_BTREE_BACKWARD, false, values, n);
    expect_scan(inserted, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, values, n);
    /* A built index takes changes like any other. */
    for (size_t i = 0; i < n; i += 2)
        CU_ASSERT_EQUAL_FATAL(delete_value(built, values[i]), SDB_OK);
    for (size_t i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL_FATAL(insert_value(built, values[i] + 1), SDB_OK);
    verify_ok(built, NULL);
    sdb_btree_close(built);
    sdb_btree_close(inserted);

    /* An empty build; one page; full pages of the largest keys. */
    SdbBtree *empty = build_index(&f, values, 0, 100);
    verify_ok(empty, &built_stats);
    CU_ASSERT_EQUAL(built_stats.entries, 0);
    CU_ASSERT_EQUAL(insert_value(empty, 1), SDB_OK);
    sdb_btree_close(empty);
    SdbBtree *one = build_index(&f, values, 3, 100);
    verify_ok(one, &built_stats);
    CU_ASSERT_EQUAL(built_stats.levels, 1);
    sdb_btree_close(one);

    size_t max = sdb_btree_max_key_len(8192);
    for (int fillfactor = 10; fillfactor <= 100; fillfactor += 90) {
        f.rel = (SdbRelFileId){1, next_rel_number++};
        SdbBtreeBuild *build = sdb_btree_build_begin(f.engine, f.rel, true, fillfactor, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(build);
        uint8_t *key = sdb_malloc(max);
        CU_ASSERT_PTR_NOT_NULL_FATAL(key);
        for (uint32_t i = 0; i < 2000; i++) {
            size_t len = i % 7 == 0 ? 9 : max - i % 5;
            memset(key, 'k', len);
            key[0] = (uint8_t)(i >> 8);
            key[1] = (uint8_t)i;
            CU_ASSERT_EQUAL_FATAL(sdb_btree_build_add(build, key, len, (SdbTid){i + 1, 1}), SDB_OK);
        }
        /* Out of order input is refused. */
        CU_ASSERT_EQUAL(sdb_btree_build_add(build, key, 9, (SdbTid){1, 1}), SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_btree_build_add(build, key, max + 1, (SdbTid){1, 1}), SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROGRAM_LIMIT_EXCEEDED);
        CU_ASSERT_EQUAL_FATAL(sdb_btree_build_finish(build), SDB_OK);
        sdb_free(key);
        SdbBtree *big = sdb_btree_open(f.engine, f.rel);
        CU_ASSERT_PTR_NOT_NULL_FATAL(big);
        CU_ASSERT_TRUE(sdb_btree_is_unique(big));
        verify_ok(big, &built_stats);
        CU_ASSERT_EQUAL(built_stats.entries, 2000);
        CU_ASSERT_TRUE(built_stats.levels >= 3);
        sdb_btree_close(big);
    }
    CU_ASSERT_PTR_NULL(sdb_btree_build_begin(f.engine, (SdbRelFileId){1, next_rel_number++}, false, 5, 1));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_PARAMETER_VALUE);
    sdb_free(values);
    sdb_free(shuffled);
    CU_ASSERT_EQUAL(heap_test_close(f.engine), SDB_OK);
}

/* ---- crash recovery ------------------------------------------------------------------------------ */

#define CRASH_REL 30000
#define CRASH_BUILT_REL 30001
#define CRASH_DOMAIN 100000

typedef struct CrashRun {
    const char *dir;
    size_t ops;
    int page_size;
} CrashRun;

/* What the crashed child does after its random operations: empty a range
 * (pages are unlinked), then refill part of it (they are reused); then
 * thin out another range to one key in 7 (leaves merge), with a checkpoint
 * in the middle of it. */
#define CRASH_EMPTIED_FROM 20000
#define CRASH_EMPTIED_TO 60000
#define CRASH_REFILLED_TO 23000
#define CRASH_THINNED_FROM 60000
#define CRASH_THINNED_TO CRASH_DOMAIN

/* The model of what the crashed child did: the same random sequence. */
static void crash_model(const CrashRun *run, bool *present)
{
    uint64_t seed = 17;
    memset(present, 0, CRASH_DOMAIN * sizeof *present);
    for (size_t op = 0; op < run->ops; op++) {
        uint64_t v = heap_test_rand(&seed) % CRASH_DOMAIN;
        present[v] = heap_test_rand(&seed) % 4 != 0;
    }
    for (uint64_t v = CRASH_EMPTIED_FROM; v < CRASH_EMPTIED_TO; v++)
        present[v] = v < CRASH_REFILLED_TO;
    for (uint64_t v = CRASH_THINNED_FROM; v < CRASH_THINNED_TO; v++)
        present[v] = present[v] && v % 7 == 0;
}

/* Child: random inserts and deletes with a checkpoint in the middle, a
 * bulk-built index, WAL flushed, then _exit without writing data pages. */
static int crash_child(void *arg)
{
    const CrashRun *run = arg;
    SdbEngine *engine = heap_test_open(run->dir, run->page_size, 64 * 1024);
    if (engine == NULL)
        return 1;
    SdbRelFileId rel = {1, CRASH_REL};
    if (sdb_btree_create(engine, rel, false, 1) != SDB_OK)
        return 2;
    SdbBtree *bt = sdb_btree_open(engine, rel);
    if (bt == NULL)
        return 3;
    bool *present = calloc(CRASH_DOMAIN, sizeof *present);
    uint64_t seed = 17;
    for (size_t op = 0; op < run->ops; op++) {
        uint64_t v = heap_test_rand(&seed) % CRASH_DOMAIN;
        bool want = heap_test_rand(&seed) % 4 != 0;
        if (want && !present[v] && insert_value(bt, v) != SDB_OK)
            return 4;
        if (!want && present[v] && delete_value(bt, v) != SDB_OK)
            return 5;
        present[v] = want;
        if (op == run->ops / 3 && sdb_engine_checkpoint(engine) != SDB_OK)
            return 6;
    }
    for (uint64_t v = CRASH_EMPTIED_FROM; v < CRASH_EMPTIED_TO; v++)
        if (present[v] && delete_value(bt, v) != SDB_OK)
            return 10;
    for (uint64_t v = CRASH_EMPTIED_FROM; v < CRASH_REFILLED_TO; v++)
        if (insert_value(bt, v) != SDB_OK)
            return 11;
    for (uint64_t v = CRASH_THINNED_FROM; v < CRASH_THINNED_TO; v++) {
        if (v % 7 != 0 && present[v] && delete_value(bt, v) != SDB_OK)
            return 12;
        if (v == (CRASH_THINNED_FROM + CRASH_THINNED_TO) / 2 && sdb_engine_checkpoint(engine) != SDB_OK)
            return 13;
    }
    SdbBtreeBuild *build = sdb_btree_build_begin(engine, (SdbRelFileId){1, CRASH_BUILT_REL}, false, 90, 1);
    if (build == NULL)
        return 7;
    for (uint64_t v = 0; v < CRASH_DOMAIN; v += 3) {
        uint8_t key[KEY_LEN];
        key_of(v, key);
        if (sdb_btree_build_add(build, key, KEY_LEN, tid_of(v)) != SDB_OK)
            return 8;
    }
    if (sdb_btree_build_finish(build) != SDB_OK || heap_test_flush_wal(engine) != SDB_OK)
        return 9;
    _exit(0);
}

static void test_crash_recovery(void)
{
    char dir[512];
    sdb_test_tempdir(dir, sizeof dir);
    CrashRun run = {dir, heap_test_soak() ? 1000000 : 60000, 8192};
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, &run), 0);

    SdbEngine *engine = heap_test_open(dir, 8192, POOL_KB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(engine);
    CU_ASSERT_TRUE(sdb_engine_recovery_result(engine)->ran);
    bool *present = sdb_malloc(CRASH_DOMAIN * sizeof *present);
    uint64_t *expected = sdb_malloc(CRASH_DOMAIN * sizeof *expected);
    CU_ASSERT_PTR_NOT_NULL_FATAL(present);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    crash_model(&run, present);
    SdbBtree *bt = sdb_btree_open(engine, (SdbRelFileId){1, CRASH_REL});
    CU_ASSERT_PTR_NOT_NULL_FATAL(bt);
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    size_t n = model_all(present, CRASH_DOMAIN, expected);
    CU_ASSERT_EQUAL(stats.entries, n);
    CU_ASSERT_TRUE(stats.deleted_pages > 0);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, expected, n);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, true, expected, n);
    sdb_btree_close(bt);

    SdbBtree *built = sdb_btree_open(engine, (SdbRelFileId){1, CRASH_BUILT_REL});
    CU_ASSERT_PTR_NOT_NULL_FATAL(built);
    verify_ok(built, &stats);
    n = 0;
    for (uint64_t v = 0; v < CRASH_DOMAIN; v += 3)
        expected[n++] = v;
    expect_scan(built, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, expected, n);
    sdb_btree_close(built);
    sdb_free(present);
    sdb_free(expected);
    CU_ASSERT_EQUAL(heap_test_close(engine), SDB_OK);
}

/* ---- a split whose downlink never reached the WAL --------------------------------------------------- */

#define SPLIT_REL 31000

static int split_child(void *arg)
{
    const char *dir = arg;
    SdbEngine *engine = heap_test_open(dir, 4096, 64 * 1024);
    SdbRelFileId rel = {1, SPLIT_REL};
    if (engine == NULL || sdb_btree_create(engine, rel, false, 1) != SDB_OK)
        return 1;
    SdbBtree *bt = sdb_btree_open(engine, rel);
    for (uint64_t v = 0; bt != NULL && v < 20000; v++)
        if (insert_value(bt, v) != SDB_OK)
            return 2;
    if (bt == NULL || heap_test_flush_wal(engine) != SDB_OK)
        return 3;
    _exit(0);
}

/* Cut the WAL of `dir` right after the first or the last leaf split (whose
 * parent update follows it); *entries gets the leaf entries logged up to
 * there. */
static void cut_wal_after_split(const char *dir, bool first, uint64_t *entries)
{
    SdbControlData control;
    CU_ASSERT_EQUAL_FATAL(sdb_control_read(dir, &control), SDB_OK);
    char wal_dir[600];
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    SdbWalConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.dir = wal_dir;
    cfg.system_id = control.system_id;
    cfg.segment_size = control.wal_segment_size;
    cfg.block_size = control.page_size;
    SdbWalReader *reader;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, control.checkpoint_redo_lsn, &reader), SDB_OK);
    const SdbWalRecord *rec;
    SdbLsn cut = SDB_INVALID_LSN;
    uint64_t count = 0, count_at_cut = 0;
    while (sdb_wal_reader_next(reader, &rec) == SDB_OK && rec != NULL) {
        if (rec->rmgr != SDB_RMGR_BTREE)
            continue;
        char line[512];
        sdb_rmgr_describe(rec, line, sizeof line);
        CU_ASSERT_PTR_NOT_NULL(strstr(line, "BTREE"));
        if (rec->info == BT_WAL_INSERT_LEAF) {
            CU_ASSERT_PTR_NOT_NULL(strstr(line, "insert leaf blk"));
            count++;
        }
        if (rec->info == BT_WAL_SPLIT) {
            BtWalSplit split;
            memcpy(&split, rec->main_data, sizeof split);
            CU_ASSERT_PTR_NOT_NULL(strstr(line, "split level"));
            if (split.level == 0) {
                count++;
                if (!first || cut == SDB_INVALID_LSN) {
                    cut = rec->end_lsn;
                    count_at_cut = count;
                }
            }
        }
    }
    sdb_wal_reader_close(reader);
    CU_ASSERT_NOT_EQUAL_FATAL(cut, SDB_INVALID_LSN);
    *entries = count_at_cut;
    /* Zero the WAL from the cut to the end of its segment. */
    char name[SDB_WAL_SEGMENT_NAME_LEN + 1], path[700];
    sdb_wal_segment_name(sdb_wal_segment_of(cut, cfg.segment_size), name);
    snprintf(path, sizeof path, "%s/%s", wal_dir, name);
    FILE *file = fopen(path, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    size_t offset = (size_t)(cut % cfg.segment_size);
    CU_ASSERT_EQUAL(fseek(file, (long)offset, SEEK_SET), 0);
    for (size_t i = offset; i < cfg.segment_size; i++)
        fputc(0, file);
    CU_ASSERT_EQUAL(fclose(file), 0);
}

/* The root (a leaf) split but no new root was made (first), or a leaf
 * split lost its downlink (last). */
static void incomplete_split(bool first)
{
    char dir[512];
    sdb_test_tempdir(dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(split_child, dir), 0);
    uint64_t entries;
    cut_wal_after_split(dir, first, &entries);

    SdbEngine *engine = heap_test_open(dir, 4096, POOL_KB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(engine);
    SdbBtree *bt = sdb_btree_open(engine, (SdbRelFileId){1, SPLIT_REL});
    CU_ASSERT_PTR_NOT_NULL_FATAL(bt);
    /* The split's left page says its right sibling has no downlink yet;
     * the tree is valid and searches reach everything through the link. */
    SdbBtreeStats stats;
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, entries);
    CU_ASSERT_EQUAL(stats.levels, first ? 1 : 2);
    uint64_t *expected = sdb_malloc((entries + 5000) * sizeof *expected);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    for (uint64_t v = 0; v < entries; v++)
        expected[v] = v;
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, false, expected, entries);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_BACKWARD, false, expected, entries);
    uint64_t probe = entries - 1;
    expect_scan(bt, &probe, true, &probe, true, SDB_BTREE_FORWARD, false, &expected[probe], 1);
    /* Inserting completes the split. */
    for (uint64_t v = entries; v < entries + 5000; v++) {
        CU_ASSERT_EQUAL_FATAL(insert_value(bt, v), SDB_OK);
        expected[v] = v;
    }
    verify_ok(bt, &stats);
    CU_ASSERT_EQUAL(stats.entries, entries + 5000);
    expect_scan(bt, NULL, true, NULL, true, SDB_BTREE_FORWARD, true, expected, entries + 5000);
    sdb_free(expected);
    sdb_btree_close(bt);
    CU_ASSERT_EQUAL(heap_test_close(engine), SDB_OK);
}

static void test_incomplete_split(void)
{
    incomplete_split(true);
    incomplete_split(false);
}

/* ---- corruption ----------------------------------------------------------------------------------- */

static void test_corrupt_metapage(void)
{
    Fixture f;
    fx_engine(&f, 8192);
    fx_new_index(&f, false);
    CU_ASSERT_EQUAL(insert_value(f.bt, 1), SDB_OK);
    sdb_btree_close(f.bt);
    f.bt = NULL;
    /* Scribble on the metapage's magic number (through the pool). */
    SdbBuffer *buf = sdb_buf_read(sdb_engine_bufpool(f.engine), f.rel, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    bt_meta(sdb_buf_page(buf))->magic ^= 0xFFu;
    sdb_buf_unlock_release(buf);
    CU_ASSERT_PTR_NULL(sdb_btree_open(f.engine, f.rel));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INDEX_CORRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "block 0"));
    /* A page of another kind where a node should be. */
    buf = sdb_buf_read(sdb_engine_bufpool(f.engine), f.rel, SDB_FORK_MAIN, 0, SDB_BUF_READ);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    bt_meta(sdb_buf_page(buf))->magic ^= 0xFFu;
    sdb_buf_unlock_release(buf);
    f.bt = sdb_btree_open(f.engine, f.rel);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f.bt);
    buf = sdb_buf_read(sdb_engine_bufpool(f.engine), f.rel, SDB_FORK_MAIN, 1, SDB_BUF_READ);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    sdb_page_header(sdb_buf_page(buf))->kind = SDB_PAGE_KIND_HEAP;
    sdb_buf_unlock_release(buf);
    CU_ASSERT_EQUAL(insert_value(f.bt, 2), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INDEX_CORRUPTED);
    CU_ASSERT_EQUAL(sdb_btree_verify(f.bt, NULL), SDB_ERROR);
    buf = sdb_buf_read(sdb_engine_bufpool(f.engine), f.rel, SDB_FORK_MAIN, 1, SDB_BUF_READ);
    sdb_buf_lock(buf, SDB_BUF_EXCLUSIVE);
    sdb_page_header(sdb_buf_page(buf))->kind = SDB_PAGE_KIND_BTREE;
    sdb_buf_unlock_release(buf);
    verify_ok(f.bt, NULL);
    fx_close(&f);
}

static CU_TestInfo btree_tests[] = {
    {"ordered, reverse and random inserts", test_insert_orders},
    {"random inserts, deletes, scans vs model", test_random_against_model},
    {"variable-length keys and the size limit", test_variable_length_keys},
    {"unique index conflicts", test_unique},
    {"thousands of duplicates of one key", test_duplicates},
    {"concurrent writers and scanners", test_concurrent},
    {"concurrent inserts of the same unique keys", test_concurrent_unique},
    {"empty pages unlinked and reused", test_delete_merges_and_reuses},
    {"sparse leaves merge", test_sparse_leaves_merge},
    {"a backward scan over a merge", test_backward_scan_over_merge},
    {"an open scan keeps unlinked pages from reuse", test_open_scan_blocks_reuse},
    {"bulk build", test_bulk_build},
    {"crash recovery", test_crash_recovery},
    {"split without its downlink after a crash", test_incomplete_split},
    {"corrupted pages are reported", test_corrupt_metapage},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"btree", NULL, NULL, NULL, NULL, btree_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
