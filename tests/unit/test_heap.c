/*
 * test_heap.c: heap tuples (heap.h): insert, fetch, delete, lock, update,
 * hint bits, scans, prune, batch insert, for every page size; random
 * operations checked against an in-memory model, across clean reopens and
 * crashes; redo applied twice gives the same pages.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/memory.h"
#include "harness.h"
#include "heap_test_util.h"
#include "storage/fsm.h"
#include "storage/heap.h"
#include "storage/rmgr.h"
#include "storage/smgr.h"
#include "storage/wal.h"

static const int page_sizes[] = {4096, 8192, 16384, 32768};
#define PAGE_SIZE_COUNT (sizeof page_sizes / sizeof page_sizes[0])

/* ---- small helpers ------------------------------------------------------------- */

/* Fetch `tid` (which must exist) into *h and payload. */
static void fetch_ok(SdbEngine *e, SdbRelFileId rel, SdbTid tid, SdbHeapTupleHeader *h, uint8_t *payload,
                     size_t size)
{
    bool found = false;
    int rc = sdb_heap_fetch(e, rel, tid, h, payload, size, &found);
    if (rc != SDB_OK)
        sdb_error_print(stderr);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    CU_ASSERT_TRUE_FATAL(found);
}

static bool tid_equal(SdbTid a, SdbTid b)
{
    return a.block == b.block && a.slot == b.slot;
}

static SdbHeapResult delete_tuple(SdbEngine *e, SdbRelFileId rel, SdbTid tid, SdbXid xid, SdbHeapTupleHeader *found)
{
    SdbHeapResult result;
    CU_ASSERT_EQUAL(sdb_heap_delete(e, rel, tid, xid, 1, &result, found), SDB_OK);
    return result;
}

/* ---- basic operations for each page size ------------------------------------------ */

static void basic_ops(int page_size)
{
    char dir[256];
    SdbEngine *e = heap_test_fresh(dir, sizeof dir, page_size, 1024);
    SdbRelFileId rel = heap_test_create(e, 16384);
    size_t max = sdb_heap_max_payload((uint32_t)page_size);
    uint8_t *buf = malloc(max + 1), *got = malloc(max + 1);
    enum { N = 300 };
    SdbTid tids[N];
    size_t lens[N];
    SdbHeapTupleHeader h, seen;
    SdbBlockNo nblocks;
    bool found;

    for (int i = 0; i < N; i++) {
        lens[i] = (size_t)i * 37 % ((size_t)page_size / 3);
        heap_test_fill(buf, lens[i], (uint64_t)i + 1, 0);
        CU_ASSERT_EQUAL_FATAL(sdb_heap_insert(e, rel, 10, (SdbCid)i, buf, lens[i], 0, &tids[i]), SDB_OK);
    }
    CU_ASSERT_EQUAL(sdb_heap_nblocks(e, rel, &nblocks), SDB_OK);
    CU_ASSERT_TRUE(nblocks > 1);
    for (int i = 0; i < N; i++) {
        fetch_ok(e, rel, tids[i], &h, got, max);
        heap_test_fill(buf, lens[i], (uint64_t)i + 1, 0);
        CU_ASSERT_EQUAL(h.xmin, 10);
        CU_ASSERT_EQUAL(h.xmax, 0);
        CU_ASSERT_EQUAL(h.cid, (SdbCid)i);
        CU_ASSERT_EQUAL(h.infomask, 0);
        CU_ASSERT_EQUAL(h.payload_len, lens[i]);
        CU_ASSERT_TRUE(tid_equal(h.next, tids[i]));
        CU_ASSERT_EQUAL(memcmp(got, buf, lens[i]), 0);
    }

    /* The largest payload fits a page; one byte more is refused. */
    SdbTid big;
    heap_test_fill(buf, max + 1, 99, 0);
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel, 10, 0, buf, max, SDB_HEAP_HAS_EXTERNAL, &big), SDB_OK);
    fetch_ok(e, rel, big, &h, got, max);
    CU_ASSERT_EQUAL(h.payload_len, max);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_HAS_EXTERNAL);
    CU_ASSERT_EQUAL(memcmp(got, buf, max), 0);
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel, 10, 0, buf, max + 1, 0, &big), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROGRAM_LIMIT_EXCEEDED);
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel, 10, 0, buf, 5, SDB_HEAP_UPDATED, &big), SDB_ERROR);
    /* An empty payload is a tuple too. */
    SdbTid empty;
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel, 10, 0, NULL, 0, 0, &empty), SDB_OK);
    fetch_ok(e, rel, empty, &h, NULL, 0);
    CU_ASSERT_EQUAL(h.payload_len, 0);
    /* Tids that hold nothing. */
    CU_ASSERT_EQUAL(sdb_heap_fetch(e, rel, (SdbTid){0, 9999}, &h, NULL, 0, &found), SDB_OK);
    CU_ASSERT_FALSE(found);
    CU_ASSERT_EQUAL(sdb_heap_fetch(e, rel, (SdbTid){nblocks + 50, 1}, &h, NULL, 0, &found), SDB_OK);
    CU_ASSERT_FALSE(found);
    CU_ASSERT_EQUAL(sdb_heap_fetch(e, rel, tids[5], &h, got, 0, &found), SDB_ERROR);

    /* Delete: the xmax rule. */
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[0], 11, &seen), SDB_HEAP_OK);
    CU_ASSERT_EQUAL(seen.xmax, 0);
    fetch_ok(e, rel, tids[0], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.xmax, 11);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[0], 11, NULL), SDB_HEAP_SELF_MODIFIED);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[0], 12, &seen), SDB_HEAP_CONFLICT);
    CU_ASSERT_EQUAL(seen.xmax, 11);
    /* 11 aborted: its xmax no longer counts. */
    CU_ASSERT_EQUAL(sdb_heap_set_hints(e, rel, tids[0], &seen, SDB_HEAP_XMAX_ABORTED), SDB_OK);
    fetch_ok(e, rel, tids[0], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_XMAX_ABORTED);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[0], 12, NULL), SDB_HEAP_OK);
    fetch_ok(e, rel, tids[0], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.xmax, 12);
    CU_ASSERT_EQUAL(h.infomask, 0);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, (SdbTid){0, 9999}, 12, NULL), SDB_HEAP_NOT_FOUND);

    /* Lock: one's own lock is no conflict; another's holds until it ends. */
    SdbHeapResult result;
    CU_ASSERT_EQUAL(sdb_heap_lock(e, rel, tids[1], 20, 3, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_OK);
    CU_ASSERT_EQUAL(sdb_heap_lock(e, rel, tids[1], 20, 4, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_OK);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[1], 21, &seen), SDB_HEAP_CONFLICT);
    CU_ASSERT_EQUAL(seen.xmax, 20);
    CU_ASSERT_EQUAL(seen.cid, 3);
    CU_ASSERT_EQUAL(seen.infomask, SDB_HEAP_XMAX_LOCK_ONLY);
    CU_ASSERT_EQUAL(sdb_heap_set_hints(e, rel, tids[1], &seen, SDB_HEAP_XMAX_COMMITTED), SDB_OK);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[1], 21, NULL), SDB_HEAP_OK);
    fetch_ok(e, rel, tids[1], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.infomask, 0);
    CU_ASSERT_EQUAL(sdb_heap_lock(e, rel, tids[2], 22, 0, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(delete_tuple(e, rel, tids[2], 22, NULL), SDB_HEAP_OK); /* upgrade one's own lock */
    CU_ASSERT_EQUAL(sdb_heap_lock(e, rel, tids[2], 22, 0, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_SELF_MODIFIED);
    CU_ASSERT_EQUAL(sdb_heap_delete_force(e, rel, tids[2], 23, 0, &result), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_OK);
    fetch_ok(e, rel, tids[2], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.xmax, 23);

    /* Hints only land on the transaction the caller saw. */
    fetch_ok(e, rel, tids[3], &seen, NULL, 0);
    seen.xmin = 999;
    CU_ASSERT_EQUAL(sdb_heap_set_hints(e, rel, tids[3], &seen, SDB_HEAP_XMIN_COMMITTED), SDB_OK);
    fetch_ok(e, rel, tids[3], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.infomask, 0);
    seen.xmin = 10;
    seen.xmax = 5;
    CU_ASSERT_EQUAL(sdb_heap_set_hints(e, rel, tids[3], &seen, SDB_HEAP_XMIN_COMMITTED | SDB_HEAP_XMAX_ABORTED),
                    SDB_OK);
    fetch_ok(e, rel, tids[3], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_XMIN_COMMITTED);
    CU_ASSERT_EQUAL(sdb_heap_set_hints(e, rel, tids[3], &seen, SDB_HEAP_XMAX_LOCK_ONLY), SDB_ERROR);

    /* Update on the same page, then to another page. */
    SdbRelFileId rel2 = heap_test_create(e, 16385);
    SdbTid a, b, c, filler;
    heap_test_fill(buf, 50, 7, 0);
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel2, 40, 0, buf, 50, 0, &a), SDB_OK);
    heap_test_fill(buf, 60, 8, 0);
    CU_ASSERT_EQUAL(sdb_heap_update(e, rel2, a, 41, 2, buf, 60, 0, &b, &result, &seen), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_OK);
    CU_ASSERT_EQUAL(seen.xmin, 40);
    CU_ASSERT_EQUAL(b.block, a.block);
    fetch_ok(e, rel2, a, &h, NULL, 0);
    CU_ASSERT_EQUAL(h.xmax, 41);
    CU_ASSERT_EQUAL(h.cid, 2);
    CU_ASSERT_TRUE(tid_equal(h.next, b));
    fetch_ok(e, rel2, b, &h, got, max);
    CU_ASSERT_EQUAL(h.xmin, 41);
    CU_ASSERT_EQUAL(h.xmax, 0);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_UPDATED);
    CU_ASSERT_TRUE(tid_equal(h.next, b));
    CU_ASSERT_EQUAL(memcmp(got, buf, 60), 0);
    do {
        CU_ASSERT_EQUAL_FATAL(sdb_heap_insert(e, rel2, 42, 0, buf, 100, 0, &filler), SDB_OK);
    } while (filler.block == b.block);
    heap_test_fill(buf, 300, 9, 0);
    CU_ASSERT_EQUAL(sdb_heap_update(e, rel2, b, 43, 0, buf, 300, SDB_HEAP_HAS_EXTERNAL, &c, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_OK);
    CU_ASSERT_NOT_EQUAL(c.block, b.block);
    fetch_ok(e, rel2, b, &h, NULL, 0);
    CU_ASSERT_TRUE(tid_equal(h.next, c));
    fetch_ok(e, rel2, c, &h, got, max);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_UPDATED | SDB_HEAP_HAS_EXTERNAL);
    CU_ASSERT_EQUAL(memcmp(got, buf, 300), 0);
    CU_ASSERT_EQUAL(sdb_heap_update(e, rel2, b, 44, 0, buf, 10, 0, &c, &result, &seen), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_CONFLICT);
    CU_ASSERT_EQUAL(seen.xmax, 43);
    CU_ASSERT_EQUAL(sdb_heap_update(e, rel2, (SdbTid){0, 999}, 44, 0, buf, 10, 0, &c, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(result, SDB_HEAP_NOT_FOUND);

    /* Everything survives a clean restart. */
    CU_ASSERT_EQUAL_FATAL(heap_test_close(e), SDB_OK);
    e = heap_test_open(dir, page_size, 1024);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    for (int i = 3; i < N; i++) {
        fetch_ok(e, rel, tids[i], &h, got, max);
        heap_test_fill(buf, lens[i], (uint64_t)i + 1, 0);
        CU_ASSERT_EQUAL(h.payload_len, lens[i]);
        CU_ASSERT_EQUAL(memcmp(got, buf, lens[i]), 0);
    }
    fetch_ok(e, rel, tids[3], &h, NULL, 0);
    CU_ASSERT_EQUAL(h.infomask, SDB_HEAP_XMIN_COMMITTED);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
    free(buf);
    free(got);
}

static void test_basic_ops(void)
{
    for (size_t i = 0; i < PAGE_SIZE_COUNT; i++)
        basic_ops(page_sizes[i]);
}

/* ---- the model ------------------------------------------------------------------ */

/* What a slot should hold. */
typedef struct ModelSlot {
    bool live;      /* a tuple */
    bool dead;      /* pruned with keep_slots: reserved */
    uint64_t seed;  /* payload = heap_test_fill(len, seed) */
    size_t live_at; /* index in Model.live */
    SdbHeapTupleHeader h;
} ModelSlot;

typedef struct Model {
    uint32_t slots_per_block;
    ModelSlot *slots;
    size_t nslots;
    SdbTid *live;
    size_t nlive, live_cap;
} Model;

static void model_init(Model *m, uint32_t page_size)
{
    memset(m, 0, sizeof *m);
    m->slots_per_block = page_size / 8;
}

static void model_free(Model *m)
{
    free(m->slots);
    free(m->live);
}

static ModelSlot *model_at(Model *m, SdbTid tid)
{
    size_t i = (size_t)tid.block * m->slots_per_block + tid.slot;
    CU_ASSERT_FATAL(tid.slot > 0 && tid.slot < m->slots_per_block);
    if (i >= m->nslots) {
        size_t n = (i + 1) * 2;
        m->slots = realloc(m->slots, n * sizeof *m->slots);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m->slots);
        memset(m->slots + m->nslots, 0, (n - m->nslots) * sizeof *m->slots);
        m->nslots = n;
    }
    return &m->slots[i];
}

static void model_add(Model *m, SdbTid tid, uint64_t seed, const SdbHeapTupleHeader *h)
{
    ModelSlot *s = model_at(m, tid);
    CU_ASSERT_FALSE(s->live);
    CU_ASSERT_FALSE(s->dead);
    if (m->nlive == m->live_cap) {
        m->live_cap = m->live_cap ? m->live_cap * 2 : 256;
        m->live = realloc(m->live, m->live_cap * sizeof *m->live);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m->live);
    }
    s->live = true;
    s->seed = seed;
    s->h = *h;
    s->live_at = m->nlive;
    m->live[m->nlive++] = tid;
}

static void model_remove(Model *m, SdbTid tid, bool keep_slot)
{
    ModelSlot *s = model_at(m, tid);
    SdbTid last = m->live[--m->nlive];
    model_at(m, last)->live_at = s->live_at;
    m->live[s->live_at] = last;
    s->live = false;
    s->dead = keep_slot;
}

/* The heap's xmax rule, restated for the model. */
static SdbHeapResult expect_xmax(const SdbHeapTupleHeader *h, SdbXid xid)
{
    if (h->xmax == 0 || (h->infomask & SDB_HEAP_XMAX_ABORTED) ||
        ((h->infomask & SDB_HEAP_XMAX_LOCK_ONLY) && (h->infomask & SDB_HEAP_XMAX_COMMITTED)))
        return SDB_HEAP_OK;
    if (h->xmax == xid)
        return (h->infomask & SDB_HEAP_XMAX_LOCK_ONLY) ? SDB_HEAP_OK : SDB_HEAP_SELF_MODIFIED;
    return SDB_HEAP_CONFLICT;
}

static void set_model_xmax(SdbHeapTupleHeader *h, SdbXid xid, SdbCid cid, bool lock_only)
{
    h->xmax = xid;
    h->cid = cid;
    h->infomask &= (uint16_t)~(SDB_HEAP_XMAX_COMMITTED | SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY);
    if (lock_only)
        h->infomask |= SDB_HEAP_XMAX_LOCK_ONLY;
}

static bool headers_match(const SdbHeapTupleHeader *a, const SdbHeapTupleHeader *b, bool ignore_hints)
{
    uint16_t mask = ignore_hints ? (uint16_t)~SDB_HEAP_HINT_MASK : 0xFFFF;
    return a->xmin == b->xmin && a->xmax == b->xmax && a->cid == b->cid &&
           (a->infomask & mask) == (b->infomask & mask) && a->payload_len == b->payload_len &&
           tid_equal(a->next, b->next);
}

/* Prune predicate of the workloads: deleted (not just locked) by a
 * transaction not known to have aborted. */
static bool workload_dead(const SdbHeapTupleHeader *h)
{
    return h->xmax != 0 && !(h->infomask & (SDB_HEAP_XMAX_LOCK_ONLY | SDB_HEAP_XMAX_ABORTED));
}

static bool prune_dead_fn(void *arg, SdbTid tid, const SdbHeapTupleHeader *header, const uint8_t *payload)
{
    (void)arg;
    (void)tid;
    (void)payload;
    return workload_dead(header);
}

/* ---- random workload ------------------------------------------------------------ */

typedef struct Workload {
    char dir[256];
    int page_size;
    int shared_buffers_kb;
    SdbEngine *e;
    SdbRelFileId rel;
    Model m;
    uint64_t rng;
    SdbXid xids[4]; /* "running" transactions */
    SdbXid next_xid;
    SdbCid cid;
    bool hints;     /* may set hint bits (not in crash tests: they are not logged) */
    uint8_t *buf, *got;
    size_t max_len; /* largest payload used */
    uint64_t next_seed;
    long checks;
} Workload;

static uint64_t rnd(Workload *w, uint64_t n)
{
    return heap_test_rand(&w->rng) % n;
}

static SdbXid pick_xid(Workload *w)
{
    size_t i = (size_t)rnd(w, 4);
    if (rnd(w, 10) == 0)
        w->xids[i] = w->next_xid++; /* that one ended; a new one starts */
    return w->xids[i];
}

static size_t pick_len(Workload *w)
{
    return rnd(w, 8) == 0 ? (size_t)rnd(w, w->max_len + 1) : (size_t)rnd(w, 200);
}

static bool pick_live(Workload *w, SdbTid *tid)
{
    if (w->m.nlive == 0)
        return false;
    *tid = w->m.live[rnd(w, w->m.nlive)];
    return true;
}

static void workload_start(Workload *w, int page_size, int shared_buffers_kb, uint64_t seed, bool hints)
{
    memset(w, 0, sizeof *w);
    sdb_test_tempdir(w->dir, sizeof w->dir);
    w->page_size = page_size;
    w->shared_buffers_kb = shared_buffers_kb;
    w->rng = seed;
    w->next_xid = 100;
    for (int i = 0; i < 4; i++)
        w->xids[i] = w->next_xid++;
    w->hints = hints;
    w->max_len = (size_t)page_size / 2;
    w->buf = malloc(sdb_heap_max_payload((uint32_t)page_size));
    w->got = malloc(sdb_heap_max_payload((uint32_t)page_size));
    model_init(&w->m, (uint32_t)page_size);
    w->rel = (SdbRelFileId){.db_oid = 1, .rel_number = 20000};
}

/* Open the workload's database and create its relation. */
static void workload_create(Workload *w)
{
    w->e = heap_test_open(w->dir, w->page_size, w->shared_buffers_kb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->e);
    w->rel = heap_test_create(w->e, w->rel.rel_number);
}

static void workload_end(Workload *w)
{
    if (w->e != NULL)
        CU_ASSERT_EQUAL(heap_test_close(w->e), SDB_OK);
    model_free(&w->m);
    free(w->buf);
    free(w->got);
}

static void op_insert(Workload *w)
{
    size_t len = pick_len(w);
    uint64_t seed = ++w->next_seed;
    SdbXid xid = pick_xid(w);
    SdbTid tid;
    heap_test_fill(w->buf, len, seed, 0);
    CU_ASSERT_EQUAL_FATAL(sdb_heap_insert(w->e, w->rel, xid, w->cid, w->buf, len, 0, &tid), SDB_OK);
    SdbHeapTupleHeader h = {.xmin = xid, .cid = w->cid, .payload_len = (uint16_t)len, .next = tid};
    model_add(&w->m, tid, seed, &h);
}

static void op_insert_batch(Workload *w)
{
    enum { MAX_ROWS = 40 };
    SdbHeapRow rows[MAX_ROWS] = {{0}};
    SdbTid tids[MAX_ROWS];
    uint64_t seeds[MAX_ROWS];
    size_t count = 1 + (size_t)rnd(w, MAX_ROWS);
    SdbXid xid = pick_xid(w);
    uint8_t *data = malloc(count * 200);

    for (size_t i = 0; i < count; i++) {
        seeds[i] = ++w->next_seed;
        rows[i].len = (size_t)rnd(w, 200);
        rows[i].payload = data + i * 200;
        rows[i].flags = 0;
        heap_test_fill(data + i * 200, rows[i].len, seeds[i], 0);
    }
    CU_ASSERT_EQUAL_FATAL(sdb_heap_insert_batch(w->e, w->rel, xid, w->cid, rows, count, tids), SDB_OK);
    for (size_t i = 0; i < count; i++) {
        SdbHeapTupleHeader h = {.xmin = xid, .cid = w->cid, .payload_len = (uint16_t)rows[i].len, .next = tids[i]};
        model_add(&w->m, tids[i], seeds[i], &h);
    }
    free(data);
}

static void op_set_xmax(Workload *w, bool lock)
{
    SdbTid tid;
    SdbHeapResult result;
    SdbHeapTupleHeader seen;
    if (!pick_live(w, &tid))
        return;
    SdbXid xid = pick_xid(w);
    ModelSlot *s = model_at(&w->m, tid);
    SdbHeapResult expected = expect_xmax(&s->h, xid);
    int rc = lock ? sdb_heap_lock(w->e, w->rel, tid, xid, w->cid, &result, &seen)
                  : sdb_heap_delete(w->e, w->rel, tid, xid, w->cid, &result, &seen);
    CU_ASSERT_EQUAL_FATAL(rc, SDB_OK);
    CU_ASSERT_EQUAL_FATAL(result, expected);
    CU_ASSERT_TRUE(headers_match(&seen, &s->h, false));
    bool already_locked = lock && s->h.xmax == xid && (s->h.infomask & SDB_HEAP_XMAX_LOCK_ONLY);
    if (result == SDB_HEAP_OK && !already_locked)
        set_model_xmax(&s->h, xid, w->cid, lock);
}

static void op_update(Workload *w)
{
    SdbTid tid, new_tid;
    SdbHeapResult result;
    if (!pick_live(w, &tid))
        return;
    SdbXid xid = pick_xid(w);
    size_t len = pick_len(w);
    uint64_t seed = ++w->next_seed;
    ModelSlot *s = model_at(&w->m, tid);
    SdbHeapResult expected = expect_xmax(&s->h, xid);
    heap_test_fill(w->buf, len, seed, 0);
    CU_ASSERT_EQUAL_FATAL(sdb_heap_update(w->e, w->rel, tid, xid, w->cid, w->buf, len, 0, &new_tid, &result, NULL),
                          SDB_OK);
    CU_ASSERT_EQUAL_FATAL(result, expected);
    if (result != SDB_HEAP_OK)
        return;
    set_model_xmax(&s->h, xid, w->cid, false);
    s->h.next = new_tid;
    SdbHeapTupleHeader h = {
        .xmin = xid, .cid = w->cid, .infomask = SDB_HEAP_UPDATED, .payload_len = (uint16_t)len, .next = new_tid};
    model_add(&w->m, new_tid, seed, &h);
}

static void op_hint(Workload *w)
{
    SdbTid tid;
    if (!pick_live(w, &tid))
        return;
    ModelSlot *s = model_at(&w->m, tid);
    uint16_t bits = SDB_HEAP_XMIN_COMMITTED;
    if (s->h.xmax != 0 && !(s->h.infomask & (SDB_HEAP_XMAX_COMMITTED | SDB_HEAP_XMAX_ABORTED)))
        bits = rnd(w, 2) ? SDB_HEAP_XMAX_COMMITTED : SDB_HEAP_XMAX_ABORTED;
    CU_ASSERT_EQUAL_FATAL(sdb_heap_set_hints(w->e, w->rel, tid, &s->h, bits), SDB_OK);
    s->h.infomask |= bits;
}

/* Prune the block of a random tuple (so blocks with tuples are pruned as
 * often as they fill, keeping the relation from growing without end). */
static void op_prune(Workload *w)
{
    SdbTid some;
    uint32_t removed;
    if (!pick_live(w, &some))
        return;
    SdbBlockNo block = some.block;
    bool keep = rnd(w, 2);
    uint32_t expected = 0;
    for (uint16_t slot = 1; slot < w->m.slots_per_block; slot++) {
        SdbTid tid = {block, slot};
        ModelSlot *s = model_at(&w->m, tid);
        if (s->live && workload_dead(&s->h)) {
            model_remove(&w->m, tid, keep);
            expected++;
        }
    }
    CU_ASSERT_EQUAL_FATAL(sdb_heap_prune(w->e, w->rel, block, prune_dead_fn, NULL, keep, &removed), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(removed, expected);
}

static void op_free_slots(Workload *w)
{
    SdbBlockNo nblocks;
    uint16_t slots[8192];
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(sdb_heap_nblocks(w->e, w->rel, &nblocks), SDB_OK);
    if (nblocks == 0)
        return;
    SdbBlockNo block = (SdbBlockNo)rnd(w, nblocks);
    for (uint16_t slot = 1; slot < w->m.slots_per_block; slot++) {
        ModelSlot *s = model_at(&w->m, (SdbTid){block, slot});
        if (s->live && rnd(w, 4) == 0)
            slots[n++] = slot; /* not dead: must be left alone */
        if (s->dead) {
            slots[n++] = slot;
            s->dead = false;
        }
    }
    CU_ASSERT_EQUAL_FATAL(sdb_heap_free_slots(w->e, w->rel, block, slots, n), SDB_OK);
}

static void workload_reopen(Workload *w)
{
    CU_ASSERT_EQUAL_FATAL(heap_test_close(w->e), SDB_OK);
    w->e = heap_test_open(w->dir, w->page_size, w->shared_buffers_kb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->e);
}

/* Every model tuple can be fetched as modelled; a scan (in batches of
 * random size) returns each exactly once and nothing else. */
static void workload_check(Workload *w, bool ignore_hints)
{
    size_t cap = sdb_heap_max_payload((uint32_t)w->page_size);
    for (size_t i = 0; i < w->m.nlive; i++) {
        SdbHeapTupleHeader h;
        ModelSlot *s = model_at(&w->m, w->m.live[i]);
        fetch_ok(w->e, w->rel, w->m.live[i], &h, w->got, cap);
        CU_ASSERT_TRUE_FATAL(headers_match(&h, &s->h, ignore_hints));
        heap_test_fill(w->buf, h.payload_len, s->seed, 0);
        CU_ASSERT_EQUAL_FATAL(memcmp(w->got, w->buf, h.payload_len), 0);
    }
    for (uint16_t slot = 1; slot < w->m.slots_per_block; slot++) {
        /* slots that should be empty read as "not found" (block 0 sample) */
        if (!model_at(&w->m, (SdbTid){0, slot})->live) {
            SdbHeapTupleHeader h;
            bool found;
            CU_ASSERT_EQUAL(sdb_heap_fetch(w->e, w->rel, (SdbTid){0, slot}, &h, NULL, 0, &found), SDB_OK);
            CU_ASSERT_FALSE_FATAL(found);
        }
    }

    SdbHeapScan *scan = sdb_heap_scan_begin(w->e, w->rel);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scan);
    SdbHeapTuple batch[300];
    size_t seen = 0, count;
    SdbTid prev = {0, 0};
    do {
        size_t max = 1 + (size_t)rnd(w, 300);
        CU_ASSERT_EQUAL_FATAL(sdb_heap_scan_batch(scan, batch, max, &count), SDB_OK);
        CU_ASSERT_TRUE(count <= max);
        for (size_t i = 0; i < count; i++) {
            SdbHeapTuple *t = &batch[i];
            ModelSlot *s = model_at(&w->m, t->tid);
            CU_ASSERT_TRUE_FATAL(s->live);
            CU_ASSERT_TRUE_FATAL(t->tid.block > prev.block || (t->tid.block == prev.block && t->tid.slot > prev.slot));
            CU_ASSERT_TRUE_FATAL(headers_match(&t->header, &s->h, ignore_hints));
            heap_test_fill(w->buf, t->header.payload_len, s->seed, 0);
            CU_ASSERT_EQUAL_FATAL(memcmp(t->payload, w->buf, t->header.payload_len), 0);
            prev = t->tid;
        }
        seen += count;
    } while (count > 0);
    sdb_heap_scan_end(scan);
    CU_ASSERT_EQUAL_FATAL(seen, w->m.nlive);
    w->checks++;
}

/* Beyond this many tuples the workload deletes instead of inserting. */
#define MAX_LIVE 20000

/* `ops` random operations, checked every `check_every`. */
static void workload_run(Workload *w, long ops, long check_every, bool reopen)
{
    for (long i = 1; i <= ops; i++) {
        uint64_t r = rnd(w, 1000);
        w->cid = (SdbCid)i;
        if (w->m.nlive > MAX_LIVE && r < 380)
            op_set_xmax(w, false);
        else if (r < 330)
            op_insert(w);
        else if (r < 380)
            op_insert_batch(w);
        else if (r < 530)
            op_set_xmax(w, false);
        else if (r < 610)
            op_set_xmax(w, true);
        else if (r < 800)
            op_update(w);
        else if (r < 880 && w->hints)
            op_hint(w);
        else if (r < 960)
            op_prune(w);
        else if (r < 999)
            op_free_slots(w);
        else if (reopen)
            workload_reopen(w);
        if (i % check_every == 0)
            workload_check(w, !w->hints);
    }
}

/* A random workload with clean reopens, checked as it goes and at the end,
 * also after one more reopen. */
static void random_run(int page_size, int shared_buffers_kb, uint64_t seed, long ops, long check_every)
{
    Workload w;
    workload_start(&w, page_size, shared_buffers_kb, seed, true);
    workload_create(&w);
    workload_run(&w, ops, check_every, true);
    workload_check(&w, false);
    workload_reopen(&w);
    workload_check(&w, false);
    workload_end(&w);
}

static void test_random_against_model(void)
{
    bool soak = heap_test_soak();
    random_run(4096, 256, 0x9E3779B97F4A7C15ull, soak ? 2000000 : 6000, soak ? 50000 : 1500);
}

static void test_random_32k_pages(void)
{
    random_run(32768, 2048, 12345, heap_test_soak() ? 300000 : 2000, 1000);
}

/* ---- scans --------------------------------------------------------------------- */

static void test_scan_sees_each_tuple_once(void)
{
    Workload w;
    workload_start(&w, 8192, 512, 777, false);
    workload_create(&w);
    for (int i = 0; i < 2000; i++)
        op_insert(&w);
    for (int i = 0; i < 100; i++)
        op_insert_batch(&w);
    workload_check(&w, false);
    /* next() agrees with the batches */
    SdbHeapScan *scan = sdb_heap_scan_begin(w.e, w.rel);
    SdbHeapTuple t;
    bool found;
    size_t n = 0;
    while (sdb_heap_scan_next(scan, &t, &found) == SDB_OK && found) {
        CU_ASSERT_TRUE_FATAL(model_at(&w.m, t.tid)->live);
        n++;
    }
    CU_ASSERT_EQUAL(n, w.m.nlive);
    sdb_heap_scan_end(scan);
    /* an empty relation */
    SdbRelFileId empty = heap_test_create(w.e, 20001);
    scan = sdb_heap_scan_begin(w.e, empty);
    CU_ASSERT_EQUAL(sdb_heap_scan_next(scan, &t, &found), SDB_OK);
    CU_ASSERT_FALSE(found);
    sdb_heap_scan_end(scan);
    workload_end(&w);
}

/* ---- FSM reuse and batch insert ------------------------------------------------------ */

static bool all_dead(void *arg, SdbTid tid, const SdbHeapTupleHeader *header, const uint8_t *payload)
{
    (void)arg;
    (void)tid;
    (void)payload;
    return header->xmax != 0;
}

static void test_fsm_reuse_after_prune(void)
{
    char dir[256];
    uint8_t payload[200] = {0};
    SdbTid tid;
    SdbBlockNo before, after;
    uint32_t removed;
    uint8_t category;

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 4096, 512);
    SdbRelFileId rel = heap_test_create(e, 30000);
    int on_block3 = 0;
    do {
        CU_ASSERT_EQUAL_FATAL(sdb_heap_insert(e, rel, 5, 0, payload, sizeof payload, 0, &tid), SDB_OK);
        if (tid.block == 3) {
            SdbHeapResult result;
            CU_ASSERT_EQUAL(sdb_heap_delete(e, rel, tid, 6, 0, &result, NULL), SDB_OK);
            on_block3++;
        }
    } while (tid.block < 10);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 3, &category), SDB_OK);
    CU_ASSERT_TRUE(category < 200 / (4096 / 256));
    CU_ASSERT_EQUAL(sdb_heap_prune(e, rel, 3, all_dead, NULL, false, &removed), SDB_OK);
    CU_ASSERT_EQUAL(removed, (uint32_t)on_block3);
    CU_ASSERT_EQUAL(sdb_fsm_get(e, rel, 3, &category), SDB_OK);
    CU_ASSERT_TRUE(category >= 250);
    /* Pruning again finds nothing and logs nothing. */
    CU_ASSERT_EQUAL(sdb_heap_prune(e, rel, 3, all_dead, NULL, false, &removed), SDB_OK);
    CU_ASSERT_EQUAL(removed, 0);

    CU_ASSERT_EQUAL(sdb_heap_nblocks(e, rel, &before), SDB_OK);
    for (int i = 0; i < on_block3; i++) {
        CU_ASSERT_EQUAL_FATAL(sdb_heap_insert(e, rel, 7, 0, payload, sizeof payload, 0, &tid), SDB_OK);
        CU_ASSERT_EQUAL(tid.block, 3);
    }
    CU_ASSERT_EQUAL(sdb_heap_nblocks(e, rel, &after), SDB_OK);
    CU_ASSERT_EQUAL(after, before);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static void test_batch_insert_fills_pages(void)
{
    char dir[256];
    enum { ROWS = 20000, PER_CALL = 1000, LEN = 100 };
    static uint8_t data[PER_CALL][LEN];
    SdbHeapRow rows[PER_CALL];
    static SdbTid tids[ROWS];
    SdbWalStats before, after;
    SdbBlockNo nblocks;

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 8192, 1024);
    SdbRelFileId rel = heap_test_create(e, 30001);
    sdb_wal_stats(sdb_engine_wal(e), &before);
    for (int call = 0; call < ROWS / PER_CALL; call++) {
        for (int i = 0; i < PER_CALL; i++) {
            heap_test_fill(data[i], LEN, (uint64_t)(call * PER_CALL + i + 1), 0);
            rows[i] = (SdbHeapRow){.payload = data[i], .len = LEN};
        }
        CU_ASSERT_EQUAL_FATAL(sdb_heap_insert_batch(e, rel, 9, (SdbCid)call, rows, PER_CALL, tids + call * PER_CALL),
                              SDB_OK);
    }
    sdb_wal_stats(sdb_engine_wal(e), &after);
    CU_ASSERT_EQUAL(sdb_heap_nblocks(e, rel, &nblocks), SDB_OK);
    /* 8192 / (136 + 4) = 58 rows a page: pages are full, one record each
     * (plus one for the partly filled page each call starts on). */
    CU_ASSERT_TRUE(nblocks <= ROWS / 58 + 1);
    CU_ASSERT_TRUE(after.records - before.records <= nblocks + ROWS / PER_CALL);
    for (int i = 0; i < ROWS; i += 97) {
        uint8_t got[LEN], want[LEN];
        SdbHeapTupleHeader h;
        fetch_ok(e, rel, tids[i], &h, got, sizeof got);
        heap_test_fill(want, LEN, (uint64_t)i + 1, 0);
        CU_ASSERT_EQUAL(memcmp(got, want, LEN), 0);
        CU_ASSERT_TRUE(tid_equal(h.next, tids[i]));
    }
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

/* ---- crash safety ---------------------------------------------------------------- */

typedef struct CrashRun {
    Workload *w;
    long ops;
    char model_file[300];
} CrashRun;

/* Write the model's live tuples to `path`. */
static int model_save(const Model *m, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 1;
    fwrite(&m->nlive, sizeof m->nlive, 1, f);
    for (size_t i = 0; i < m->nlive; i++) {
        const ModelSlot *s = &m->slots[(size_t)m->live[i].block * m->slots_per_block + m->live[i].slot];
        fwrite(&m->live[i], sizeof m->live[i], 1, f);
        fwrite(&s->seed, sizeof s->seed, 1, f);
        fwrite(&s->h, sizeof s->h, 1, f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

static void model_load(Model *m, const char *path)
{
    size_t n;
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL_FATAL(fread(&n, sizeof n, 1, f), 1);
    for (size_t i = 0; i < n; i++) {
        SdbTid tid;
        uint64_t seed;
        SdbHeapTupleHeader h;
        CU_ASSERT_EQUAL_FATAL(fread(&tid, sizeof tid, 1, f), 1);
        CU_ASSERT_EQUAL_FATAL(fread(&seed, sizeof seed, 1, f), 1);
        CU_ASSERT_EQUAL_FATAL(fread(&h, sizeof h, 1, f), 1);
        model_add(m, tid, seed, &h);
    }
    fclose(f);
}

/* In the child: open the database, run the workload (with a checkpoint
 * halfway), make the WAL durable, save the model and vanish without
 * writing the data pages changed since the checkpoint. */
static int crash_child(void *arg)
{
    CrashRun *run = arg;
    workload_create(run->w);
    workload_run(run->w, run->ops / 2, run->ops, false);
    /* A checkpoint halfway: later first changes of a page log its image. */
    if (sdb_engine_checkpoint(run->w->e) != SDB_OK)
        return 1;
    workload_run(run->w, run->ops / 2, run->ops, false);
    if (CU_get_number_of_failures() > 0 || heap_test_flush_wal(run->w->e) != SDB_OK)
        return 1;
    return model_save(&run->w->m, run->model_file);
}

/* Run a workload in a child that crashes; *w is left with the model the
 * child saved and no engine open. */
static void crash_workload(Workload *w, int shared_buffers_kb, uint64_t seed, long ops)
{
    CrashRun run = {.w = w, .ops = ops};
    workload_start(w, 4096, shared_buffers_kb, seed, false);
    snprintf(run.model_file, sizeof run.model_file, "%s.model", w->dir);
    CU_ASSERT_EQUAL_FATAL(heap_test_in_child(crash_child, &run), 0);
    model_free(&w->m);
    model_init(&w->m, 4096);
    model_load(&w->m, run.model_file);
    remove(run.model_file);
}

static void crash_and_recover(int shared_buffers_kb, uint64_t seed)
{
    Workload w;
    long ops = heap_test_soak() ? 200000 : 3000;
    crash_workload(&w, shared_buffers_kb, seed, ops);
    w.e = heap_test_open(w.dir, 4096, shared_buffers_kb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w.e);
    const SdbRecoveryResult *rr = sdb_engine_recovery_result(w.e);
    CU_ASSERT_TRUE(rr->ran);
    CU_ASSERT_TRUE(rr->records > 0);
    CU_ASSERT_TRUE(rr->blocks_restored > 0);
    workload_check(&w, true);
    /* and it goes on working */
    workload_run(&w, 500, 250, false);
    workload_end(&w);
}

static void test_crash_recovery_no_eviction(void)
{
    crash_and_recover(16384, 4242);
}

static void test_crash_recovery_with_eviction(void)
{
    crash_and_recover(64, 31337);
}

/* Compare the main forks of relation `rel` in two data directories. */
static void same_files(const char *dir1, const char *dir2, SdbRelFileId rel)
{
    char path[SDB_SMGR_PATH_MAX];
    sdb_smgr_path(rel, SDB_FORK_MAIN, path, sizeof path);
    CU_ASSERT_EQUAL(heap_test_shell("cmp -s '%s/%s' '%s/%s'", dir1, path, dir2, path), 0);
}

static void test_redo_twice_same_pages(void)
{
    Workload w;
    char image[300], twice[300];
    crash_workload(&w, 64, 2718, heap_test_soak() ? 50000 : 2000);
    snprintf(image, sizeof image, "%s.image", w.dir);
    snprintf(twice, sizeof twice, "%s.twice", w.dir);
    CU_ASSERT_EQUAL_FATAL(heap_test_shell("cp -a '%s' '%s' && cp -a '%s' '%s'", w.dir, image, w.dir, twice), 0);

    /* Once. */
    w.e = heap_test_open(w.dir, 4096, 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w.e);
    workload_check(&w, true);
    CU_ASSERT_EQUAL(heap_test_close(w.e), SDB_OK);
    w.e = NULL;

    /* Twice: recover, then put back the crash's control file and WAL so the
     * same records are replayed again over the pages the first run wrote. */
    SdbEngine *e = heap_test_open(twice, 4096, 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
    CU_ASSERT_EQUAL_FATAL(heap_test_shell("rm -rf '%s/wal' '%s/global/control' && cp -a '%s/wal' '%s/global/control' "
                                          "'%s/' && mv '%s/control' '%s/global/control'",
                                          twice, twice, image, image, twice, twice, twice),
                          0);
    e = heap_test_open(twice, 4096, 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(sdb_engine_recovery_result(e)->ran);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
    same_files(w.dir, twice, w.rel);
    heap_test_shell("rm -rf '%s' '%s'", image, twice);
    workload_end(&w);
}

/* ---- describing records ------------------------------------------------------------- */

static void test_describe_records(void)
{
    char dir[256], wal_dir[300], line[512];
    const char *kinds[] = {"INSERT 1 tuples", "INSERT 3 tuples", "DELETE", "LOCK", "UPDATE", "PRUNE"};
    int seen[6] = {0};
    SdbHeapResult result;
    SdbTid a, b;
    uint32_t removed;

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 4096, 512);
    SdbRelFileId rel = heap_test_create(e, 30003);
    SdbHeapRow rows[3] = {{"x", 1, 0}, {"yy", 2, 0}, {"zzz", 3, 0}};
    SdbTid tids[3];
    CU_ASSERT_EQUAL(sdb_heap_insert(e, rel, 5, 0, "abc", 3, 0, &a), SDB_OK);
    CU_ASSERT_EQUAL(sdb_heap_insert_batch(e, rel, 5, 0, rows, 3, tids), SDB_OK);
    CU_ASSERT_EQUAL(sdb_heap_lock(e, rel, tids[0], 6, 0, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(sdb_heap_update(e, rel, a, 6, 0, "abcd", 4, 0, &b, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(sdb_heap_delete(e, rel, b, 6, 1, &result, NULL), SDB_OK);
    CU_ASSERT_EQUAL(sdb_heap_prune(e, rel, 0, all_dead, NULL, true, &removed), SDB_OK);
    CU_ASSERT_EQUAL(heap_test_flush_wal(e), SDB_OK);

    SdbControlData control;
    SdbSettings settings;
    SdbWalConfig cfg;
    SdbWalReader *reader;
    const SdbWalRecord *rec;
    sdb_engine_control(e, &control);
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&settings), SDB_OK);
    settings.block_size = 4096;
    snprintf(wal_dir, sizeof wal_dir, "%s/wal", dir);
    sdb_wal_config_from_settings(&cfg, &settings, wal_dir, control.system_id);
    cfg.segment_size = control.wal_segment_size;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &reader), SDB_OK);
    while (sdb_wal_reader_next(reader, &rec) == SDB_OK && rec != NULL) {
        if (rec->rmgr != SDB_RMGR_HEAP)
            continue;
        sdb_rmgr_describe(rec, line, sizeof line);
        const char *own = strstr(line, "; ");
        CU_ASSERT_PTR_NOT_NULL_FATAL(own);
        for (int k = 0; k < 6; k++)
            seen[k] += strncmp(own + 2, kinds[k], strlen(kinds[k])) == 0;
    }
    sdb_wal_reader_close(reader);
    sdb_settings_free(&settings);
    for (int k = 0; k < 6; k++)
        CU_ASSERT_EQUAL(seen[k], 1);
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

/* ---- concurrency ------------------------------------------------------------------ */

enum { WORKERS = 4, WORKER_ROWS = 1500 };

typedef struct Worker {
    SdbEngine *e;
    SdbRelFileId rel;
    int id;
    int failures; /* CUnit assertions are not thread-safe: count here */
} Worker;

static atomic_int workers_running;

/* Insert rows, update each (often to another page, as rows grow), check the
 * new version, and delete every third one. */
static void *worker_main(void *arg)
{
    Worker *w = arg;
    uint8_t payload[400], got[400];
    for (int i = 0; i < WORKER_ROWS; i++) {
        SdbXid xid = (SdbXid)(w->id + 1) * 1000000 + (SdbXid)i;
        uint64_t seed = (uint64_t)xid;
        SdbTid tid, new_tid;
        SdbHeapResult result;
        SdbHeapTupleHeader h;
        bool found;
        size_t len = 20 + (size_t)i % 100;
        heap_test_fill(payload, len, seed, 0);
        if (sdb_heap_insert(w->e, w->rel, xid, 0, payload, len, 0, &tid) != SDB_OK) {
            w->failures++;
            break;
        }
        heap_test_fill(payload, len * 3, seed + 1, 0);
        if (sdb_heap_update(w->e, w->rel, tid, xid, 1, payload, len * 3, 0, &new_tid, &result, NULL) != SDB_OK ||
            result != SDB_HEAP_OK) {
            w->failures++;
            break;
        }
        if (sdb_heap_fetch(w->e, w->rel, new_tid, &h, got, sizeof got, &found) != SDB_OK || !found ||
            h.xmin != xid || h.payload_len != len * 3 || memcmp(got, payload, len * 3) != 0)
            w->failures++;
        if (i % 3 == 0 && (sdb_heap_delete(w->e, w->rel, new_tid, xid, 2, &result, NULL) != SDB_OK ||
                           result != SDB_HEAP_OK))
            w->failures++;
    }
    atomic_fetch_sub(&workers_running, 1);
    return NULL;
}

/* Scan over and over while the workers run: never an error, never a
 * tuple twice in one scan. */
static void *scanner_main(void *arg)
{
    Worker *w = arg;
    while (atomic_load(&workers_running) > 0) {
        SdbHeapScan *scan = sdb_heap_scan_begin(w->e, w->rel);
        SdbHeapTuple batch[64];
        size_t count;
        SdbTid prev = {0, 0};
        if (scan == NULL) {
            w->failures++;
            break;
        }
        do {
            if (sdb_heap_scan_batch(scan, batch, 64, &count) != SDB_OK) {
                w->failures++;
                break;
            }
            for (size_t i = 0; i < count; i++) {
                SdbTid t = batch[i].tid;
                if (!(t.block > prev.block || (t.block == prev.block && t.slot > prev.slot)))
                    w->failures++;
                prev = t;
            }
        } while (count > 0);
        sdb_heap_scan_end(scan);
    }
    return NULL;
}

static void test_concurrent_changes(void)
{
    char dir[256];
    pthread_t threads[WORKERS + 1];
    Worker workers[WORKERS + 1];

    SdbEngine *e = heap_test_fresh(dir, sizeof dir, 4096, 256);
    SdbRelFileId rel = heap_test_create(e, 30002);
    atomic_store(&workers_running, WORKERS);
    for (int i = 0; i <= WORKERS; i++) {
        workers[i] = (Worker){.e = e, .rel = rel, .id = i};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i], NULL, i < WORKERS ? worker_main : scanner_main,
                                             &workers[i]),
                              0);
    }
    for (int i = 0; i <= WORKERS; i++) {
        pthread_join(threads[i], NULL);
        CU_ASSERT_EQUAL(workers[i].failures, 0);
    }
    /* Every row and every new version is there once. */
    SdbHeapScan *scan = sdb_heap_scan_begin(e, rel);
    SdbHeapTuple t;
    bool found;
    size_t n = 0, deleted = 0;
    while (sdb_heap_scan_next(scan, &t, &found) == SDB_OK && found) {
        n++;
        if (t.header.xmax != 0 && (t.header.infomask & SDB_HEAP_UPDATED))
            deleted++;
    }
    sdb_heap_scan_end(scan);
    CU_ASSERT_EQUAL(n, 2 * WORKERS * WORKER_ROWS);
    CU_ASSERT_EQUAL(deleted, WORKERS * ((WORKER_ROWS + 2) / 3));
    CU_ASSERT_EQUAL(heap_test_close(e), SDB_OK);
}

static CU_TestInfo tests[] = {
    {"insert/fetch/delete/lock/update, every page size", test_basic_ops},
    {"scan sees each tuple once", test_scan_sees_each_tuple_once},
    {"FSM reuse after prune", test_fsm_reuse_after_prune},
    {"batch insert fills pages", test_batch_insert_fills_pages},
    {"concurrent inserts, updates, deletes and scans", test_concurrent_changes},
    {"records describe themselves", test_describe_records},
    {"random operations against a model", test_random_against_model},
    {"random operations, 32 kB pages", test_random_32k_pages},
    {"crash recovery, no eviction", test_crash_recovery_no_eviction},
    {"crash recovery, with eviction", test_crash_recovery_with_eviction},
    {"redo twice gives the same pages", test_redo_twice_same_pages},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"heap", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
