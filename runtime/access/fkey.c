/*
 * access/fkey.c: FOREIGN KEY constraints (MATCH SIMPLE): the check that a
 * new or changed referencing row's key is present in the referenced table
 * (23503), and what happens to referencing rows when a referenced row is
 * deleted or its key updated: NO ACTION / RESTRICT (23503), CASCADE, SET
 * NULL, SET DEFAULT.
 *
 * Rows are found as PostgreSQL's RI triggers find them, with the "dirty"
 * view (acc_tuple_state): live versions count, versions whose insert or
 * delete is in progress are waited for.  A referenced row found for a new
 * referencing row is locked (xmax lock-only), so that it cannot be deleted
 * until the referencing transaction ends; that lock is exclusive here
 * (PostgreSQL's is FOR KEY SHARE), so concurrent transactions inserting
 * rows that reference the same row take turns.  NO ACTION is checked at
 * once, like RESTRICT (PostgreSQL checks it at the end of the statement).
 * Lookups use an index whose leading keys are the key columns when there
 * is one, else a sequential scan.
 */
#include "access/access_int.h"

#include <string.h>

#include "storage/engine.h"

/* The index of `rel` whose first n keys are exactly the columns
 * attnums[0..n) (in any order), or NULL. */
static const SdbIndex *index_on(const SdbRelation *rel, const int16_t *attnums, int n)
{
    for (int i = 0; i < rel->nindexes; i++) {
        const SdbIndex *ix = &rel->indexes[i];
        if (ix->nkeys < n)
            continue;
        int matched = 0;
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                if (ix->keys[k] == attnums[j])
                    matched++;
        if (matched == n)
            return ix;
    }
    return NULL;
}

/* Rows found by find_rows. */
typedef struct Found {
    SdbTid *tids;
    int n, cap;
} Found;

static int found_add(Found *f, SdbArena *arena, SdbTid tid)
{
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 16;
        SdbTid *grown = sdb_arena_realloc(arena, f->tids, (size_t)f->cap * sizeof *grown, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        f->tids = grown;
        f->cap = cap;
    }
    f->tids[f->n++] = tid;
    return SDB_OK;
}

/* Key search: the columns, their values, what to do with a candidate. */
typedef struct KeySearch {
    SdbAccessContext *ac;
    const SdbRelation *rel;
    const int16_t *attnums;
    const SdbDatum *values;
    int n;
    bool first_only;
    SdbArena *arena;
    SdbOid *types;
    int *want;
    SdbDatum *got;
    bool *got_nulls;
    Found found;
    SdbXid wait_xid; /* set: wait for it, then search again */
} KeySearch;

/* Look at one candidate version: add it when live and (`recheck`) its
 * columns equal the values.  *stop when the search is over or must wait. */
static int consider(KeySearch *ks, SdbTid tid, const SdbHeapTupleHeader *h, const uint8_t *payload, bool recheck,
                    bool *stop)
{
    AccState state;
    SdbXid wait;
    *stop = false;
    if (acc_tuple_state(ks->ac, ks->rel->file, tid, h, &state, &wait) != SDB_OK)
        return SDB_ERROR;
    if (state == ACC_DEAD)
        return SDB_OK;
    if (recheck) {
        if (acc_decode(ks->ac->engine, ks->rel, ks->types, payload, h->payload_len, h->infomask, ks->want, ks->n, true,
                       ks->arena, ks->got, ks->got_nulls) != SDB_OK)
            return SDB_ERROR;
        for (int i = 0; i < ks->n; i++)
            if (!acc_values_equal(ks->types[ks->attnums[i] - 1], ks->got[i], ks->got_nulls[i], ks->values[i], false))
                return SDB_OK;
    }
    if (state == ACC_WAIT) {
        ks->wait_xid = wait;
        *stop = true;
        return SDB_OK;
    }
    if (found_add(&ks->found, ks->arena, tid) != SDB_OK)
        return SDB_ERROR;
    *stop = ks->first_only;
    return SDB_OK;
}

/* One pass over a B+tree range of keys starting with the values. */
static int search_index(KeySearch *ks, const SdbIndex *ix)
{
    SdbStr lo, hi;
    sdb_str_init(&lo, ks->arena);
    sdb_str_init(&hi, ks->arena);
    for (int k = 0; k < ks->n; k++)
        for (int j = 0; j < ks->n; j++)
            if (ix->keys[k] == ks->attnums[j] && acc_key_column(ks->rel, ix, k, ks->values[j], false, &lo) != SDB_OK)
                return SDB_ERROR;
    if (sdb_str_append(&hi, lo.data, lo.len) != SDB_OK)
        return SDB_ERROR;
    bool bounded = acc_key_successor(&hi);
    size_t cap = sdb_heap_max_payload(sdb_engine_page_size(ks->ac->engine));
    uint8_t *payload = sdb_arena_alloc(ks->arena, cap);
    SdbBtree *bt = payload != NULL ? sdb_btree_open(ks->ac->engine, ix->file) : NULL;
    if (bt == NULL)
        return SDB_ERROR;
    SdbBtreeBound lower = {.key = lo.data, .key_len = lo.len, .inclusive = true};
    SdbBtreeBound upper = {.key = hi.data, .key_len = hi.len, .inclusive = false};
    SdbBtreeScan *scan = sdb_btree_scan_open(bt, &lower, bounded ? &upper : NULL, SDB_BTREE_FORWARD);
    int rc = scan != NULL ? SDB_OK : SDB_ERROR;
    bool stop = false;
    while (rc == SDB_OK && !stop) {
        SdbBtreeEntry e;
        int r = sdb_btree_scan_next(scan, &e);
        if (r != SDB_OK) {
            rc = r == SDB_BTREE_END ? SDB_OK : SDB_ERROR;
            break;
        }
        SdbHeapTupleHeader h;
        bool found;
        rc = sdb_heap_fetch(ks->ac->engine, ks->rel->file, e.tid, &h, payload, cap, &found);
        if (rc == SDB_OK && found)
            rc = consider(ks, e.tid, &h, payload, false, &stop);
    }
    sdb_btree_scan_close(scan);
    sdb_btree_close(bt);
    return rc;
}

/* One pass over the whole heap. */
static int search_heap(KeySearch *ks)
{
    SdbHeapScan *scan = sdb_heap_scan_begin(ks->ac->engine, ks->rel->file);
    if (scan == NULL)
        return SDB_ERROR;
    int rc = SDB_OK;
    bool stop = false;
    while (rc == SDB_OK && !stop) {
        SdbHeapTuple t;
        bool found;
        rc = sdb_heap_scan_next(scan, &t, &found);
        if (rc != SDB_OK || !found)
            break;
        rc = consider(ks, t.tid, &t.header, t.payload, true, &stop);
    }
    sdb_heap_scan_end(scan);
    return rc;
}

/* The live rows of `rel` whose columns attnums[0..n) equal values[0..n)
 * (none NULL); only the first when first_only.  Waits for transactions
 * that are changing candidates. */
static int find_rows(SdbAccessContext *ac, const SdbRelation *rel, const int16_t *attnums, const SdbDatum *values,
                     int n, bool first_only, SdbArena *arena, Found *out)
{
    KeySearch ks = {.ac = ac, .rel = rel, .attnums = attnums, .values = values, .n = n, .first_only = first_only,
                    .arena = arena};
    SdbOid *tbuf = sdb_arena_alloc(arena, (size_t)rel->natts * sizeof *tbuf + 1);
    ks.types = tbuf != NULL ? acc_types(rel, tbuf, arena) : NULL;
    ks.want = sdb_arena_alloc(arena, (size_t)n * sizeof *ks.want);
    ks.got = sdb_arena_alloc(arena, (size_t)n * sizeof *ks.got);
    ks.got_nulls = sdb_arena_alloc(arena, (size_t)n * sizeof *ks.got_nulls);
    if (ks.types == NULL || ks.want == NULL || ks.got == NULL || ks.got_nulls == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        ks.want[i] = attnums[i] - 1;
    const SdbIndex *ix = index_on(rel, attnums, n);
    for (;;) {
        ks.found.n = 0;
        ks.wait_xid = SDB_INVALID_XID;
        if ((ix != NULL ? search_index(&ks, ix) : search_heap(&ks)) != SDB_OK)
            return SDB_ERROR;
        if (ks.wait_xid == SDB_INVALID_XID)
            break;
        if (sdb_txn_wait(ac->txn, ks.wait_xid) != SDB_OK)
            return SDB_ERROR;
    }
    *out = ks.found;
    return SDB_OK;
}

/* ---- checks at the end of the statement ----------------------------------------- */

/* A check PostgreSQL's RI triggers make after the statement (with
 * statement_checks): that a new referencing key is present, or that a
 * referenced key that went away (NO ACTION) is not referenced. */
struct AccPendingCheck {
    bool presence;              /* referencing side; else NO ACTION */
    const SdbRelation *rel;     /* the table whose row changed */
    const SdbRelConstraint *c;  /* the foreign key */
    SdbOid other;               /* the table at its other end */
    SdbDatum *key;              /* copied into the statement arena */
    AccPendingCheck *next;
};

static int still_referenced(SdbAccessContext *ac, const SdbRelation *rel, const SdbRelation *child,
                            const SdbRelConstraint *c, const SdbDatum *key, SdbArena *scratch);
static int check_presence(SdbAccessContext *ac, const SdbRelation *rel, const SdbRelConstraint *c,
                          const SdbDatum *key, SdbArena *scratch);

/* Queue a check of `key` (values of c's columns of `rel`: keys when
 * presence, ref_keys otherwise) for sdb_access_statement_end. */
static int defer_check(SdbAccessContext *ac, bool presence, const SdbRelation *rel, const SdbRelConstraint *c,
                       SdbOid other, const SdbDatum *key)
{
    AccPendingCheck *p = sdb_arena_alloc(ac->arena, sizeof *p);
    SdbDatum *copy = sdb_arena_alloc(ac->arena, (size_t)c->nkeys * sizeof *copy);
    if (p == NULL || copy == NULL)
        return SDB_ERROR;
    const int16_t *attnums = presence ? c->keys : c->ref_keys;
    for (int k = 0; k < c->nkeys; k++) {
        const SdbTypeInfo *t = sdb_type_by_oid(rel->attrs[attnums[k] - 1].type);
        copy[k] = key[k];
        if (t != NULL && !t->byval) {
            const SdbVarlena *v = sdb_datum_varlena(key[k]);
            if (sdb_varlena_make(ac->arena, v->data, v->len, &copy[k]) != SDB_OK)
                return SDB_ERROR;
        }
    }
    *p = (AccPendingCheck){.presence = presence, .rel = rel, .c = c, .other = other, .key = copy,
                           .next = ac->priv->pending};
    ac->priv->pending = p;
    return SDB_OK;
}

/* One deferred check.  NO ACTION: fine when a row with the key is there
 * again (PostgreSQL's ri_Check_Pk_Match), else no row may reference it. */
static int run_check(SdbAccessContext *ac, const AccPendingCheck *p, SdbArena *scratch)
{
    const SdbRelConstraint *c = p->c;
    if (p->presence)
        return check_presence(ac, p->rel, c, p->key, scratch);
    const SdbRelation *child;
    Found f;
    if (find_rows(ac, p->rel, c->ref_keys, p->key, c->nkeys, true, scratch, &f) != SDB_OK)
        return SDB_ERROR;
    if (f.n > 0)
        return SDB_OK;
    if (acc_relation(ac, p->other, &child) != SDB_OK ||
        find_rows(ac, child, c->keys, p->key, c->nkeys, true, scratch, &f) != SDB_OK)
        return SDB_ERROR;
    return f.n > 0 ? still_referenced(ac, p->rel, child, c, p->key, scratch) : SDB_OK;
}

int sdb_access_statement_end(SdbAccessContext *ac)
{
    if (ac->priv == NULL)
        return SDB_OK;
    /* Oldest first, as the changes were made. */
    AccPendingCheck *list = NULL;
    for (AccPendingCheck *p = ac->priv->pending, *next; p != NULL; p = next) {
        next = p->next;
        p->next = list;
        list = p;
    }
    ac->priv->pending = NULL;
    for (AccPendingCheck *p = list; p != NULL; p = p->next) {
        SdbArena *scratch = acc_enter(ac);
        if (scratch == NULL)
            return SDB_ERROR;
        int rc = run_check(ac, p, scratch);
        acc_leave(ac);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* ---- the referencing side ------------------------------------------------------ */

/* Whether any of the columns is NULL, or (old given) all are unchanged. */
static bool key_skipped(const SdbRelation *rel, const int16_t *attnums, int n, const SdbDatum *values,
                        const bool *nulls, const SdbDatum *old, const bool *old_nulls)
{
    bool same = old != NULL;
    for (int i = 0; i < n; i++) {
        int a = attnums[i] - 1;
        if (nulls[a])
            return true;
        if (same && !acc_values_equal(rel->attrs[a].type, values[a], false, old[a], old_nulls[a]))
            same = false;
    }
    return same;
}

/* Find and lock a live referenced row with the key; *present. */
static int lock_referenced(SdbAccessContext *ac, const SdbRelation *ref, const SdbRelConstraint *c,
                           const SdbDatum *key, SdbArena *arena, bool *present)
{
    for (;;) {
        Found f;
        if (find_rows(ac, ref, c->ref_keys, key, c->nkeys, true, arena, &f) != SDB_OK)
            return SDB_ERROR;
        *present = f.n > 0;
        if (!*present)
            return SDB_OK;
        SdbHeapTupleHeader h;
        bool found;
        if (sdb_heap_fetch(ac->engine, ref->file, f.tids[0], &h, NULL, 0, &found) != SDB_OK)
            return SDB_ERROR;
        if (!found)
            continue;
        SdbHeapResult result;
        if (acc_set_xmax(ac, ref, ACC_LOCK, f.tids[0], &h, NULL, 0, NULL, &result) != SDB_OK)
            return SDB_ERROR;
        if (result == SDB_HEAP_OK)
            return SDB_OK;
        /* Updated or deleted meanwhile (by a committed transaction, or by
         * this one): look again. */
    }
}

/* 23503 unless a live row of the referenced table has `key` (values of
 * c->keys of `rel`), which is then locked. */
static int check_presence(SdbAccessContext *ac, const SdbRelation *rel, const SdbRelConstraint *c,
                          const SdbDatum *key, SdbArena *scratch)
{
    const SdbRelation *ref;
    bool present;
    bool *key_nulls = sdb_arena_calloc(scratch, (size_t)c->nkeys, sizeof *key_nulls);
    if (key_nulls == NULL || acc_relation(ac, c->ref_rel_oid, &ref) != SDB_OK ||
        lock_referenced(ac, ref, c, key, scratch, &present) != SDB_OK)
        return SDB_ERROR;
    if (present)
        return SDB_OK;
    SdbStr cols, vals;
    sdb_str_init(&cols, scratch);
    sdb_str_init(&vals, scratch);
    if (acc_describe_columns(rel, c->keys, c->nkeys, &cols) != SDB_OK ||
        acc_describe_values(ac, rel, c->keys, c->nkeys, key, key_nulls, &vals) != SDB_OK)
        return SDB_ERROR;
    sdb_error(SDB_ERR_FOREIGN_KEY_VIOLATION, "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
              rel->name, c->name);
    sdb_error_detail("Key (%s)=(%s) is not present in table \"%s\".", cols.data, vals.data, ref->name);
    return SDB_ERROR;
}

int acc_fkey_check_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                       const SdbDatum *old_values, const bool *old_nulls)
{
    for (int i = 0; i < rel->nconstraints; i++) {
        const SdbRelConstraint *c = &rel->constraints[i];
        if (c->kind != 'f' || key_skipped(rel, c->keys, c->nkeys, values, nulls, old_values, old_nulls))
            continue;
        SdbArena *scratch = acc_enter(ac);
        if (scratch == NULL)
            return SDB_ERROR;
        SdbDatum *key = sdb_arena_alloc(scratch, (size_t)c->nkeys * sizeof *key);
        int rc = key == NULL ? SDB_ERROR : SDB_OK;
        for (int k = 0; rc == SDB_OK && k < c->nkeys; k++)
            key[k] = values[c->keys[k] - 1];
        if (rc == SDB_OK)
            rc = ac->statement_checks ? defer_check(ac, true, rel, c, c->ref_rel_oid, key)
                                      : check_presence(ac, rel, c, key, scratch);
        acc_leave(ac);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* ---- the referenced side ------------------------------------------------------- */

static int still_referenced(SdbAccessContext *ac, const SdbRelation *rel, const SdbRelation *child,
                            const SdbRelConstraint *c, const SdbDatum *key, SdbArena *scratch)
{
    SdbStr cols, vals;
    sdb_str_init(&cols, scratch);
    sdb_str_init(&vals, scratch);
    bool *nulls = sdb_arena_calloc(scratch, (size_t)c->nkeys, sizeof *nulls);
    if (nulls == NULL || acc_describe_columns(rel, c->ref_keys, c->nkeys, &cols) != SDB_OK ||
        acc_describe_values(ac, rel, c->ref_keys, c->nkeys, key, nulls, &vals) != SDB_OK)
        return SDB_ERROR;
    sdb_error(SDB_ERR_FOREIGN_KEY_VIOLATION,
              "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"", rel->name,
              c->name, child->name);
    sdb_error_detail("Key (%s)=(%s) is still referenced from table \"%s\".", cols.data, vals.data, child->name);
    return SDB_ERROR;
}

/* Change one referencing row: its key columns get the new key (CASCADE),
 * NULL, or their defaults. */
static int change_child(SdbAccessContext *ac, const SdbRelation *child, const SdbRelConstraint *c, SdbTid tid,
                        char action, const SdbDatum *new_key)
{
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    size_t n = (size_t)(child->natts ? child->natts : 1);
    SdbDatum *values = sdb_arena_alloc(scratch, n * sizeof *values);
    bool *nulls = sdb_arena_alloc(scratch, n * sizeof *nulls);
    SdbHeapTupleHeader h;
    bool found = false;
    int rc = values == NULL || nulls == NULL ||
                     acc_fetch_row(ac, child, tid, scratch, scratch, &h, values, nulls, NULL, &found) != SDB_OK
                 ? SDB_ERROR
                 : SDB_OK;
    for (int k = 0; rc == SDB_OK && found && k < c->nkeys; k++) {
        int a = c->keys[k] - 1;
        if (action == 'c') {
            values[a] = new_key[k];
            nulls[a] = false;
        } else if (action == 'n' || child->attrs[a].default_sql == NULL) {
            nulls[a] = true;
        } else if (ac->eval_default == NULL) {
            rc = sdb_error(SDB_ERR_INTERNAL_ERROR, "ON DELETE/UPDATE SET DEFAULT needs the session's defaults");
        } else {
            rc = ac->eval_default(ac->default_arg, child, a, &values[a], &nulls[a]);
        }
    }
    SdbTid new_tid;
    if (rc == SDB_OK && found)
        rc = sdb_table_update(ac, child, tid, values, nulls, &new_tid);
    acc_leave(ac);
    return rc;
}

/* ---- actions ------------------------------------------------------------------------ */

/* Apply one referencing key's action to the rows referencing the old key. */
static int referenced_action(SdbAccessContext *ac, const SdbRelation *rel, const SdbReferencingKey *r,
                             const SdbDatum *old, const bool *old_nulls, const SdbDatum *new_values,
                             const bool *new_nulls, SdbArena *scratch)
{
    const SdbRelConstraint *c = r->constraint;
    if (new_values != NULL && key_skipped(rel, c->ref_keys, c->nkeys, new_values, new_nulls, old, old_nulls))
        return SDB_OK;
    SdbDatum *key = sdb_arena_alloc(scratch, (size_t)c->nkeys * sizeof *key);
    SdbDatum *new_key = sdb_arena_alloc(scratch, (size_t)c->nkeys * sizeof *new_key);
    if (key == NULL || new_key == NULL)
        return SDB_ERROR;
    for (int k = 0; k < c->nkeys; k++) {
        int a = c->ref_keys[k] - 1;
        if (old_nulls[a])
            return SDB_OK; /* nothing can reference a NULL key */
        key[k] = old[a];
        new_key[k] = new_values != NULL ? new_values[a] : 0;
    }
    char action = new_values != NULL ? c->on_update : c->on_delete;
    if (action == 'a' && ac->statement_checks)
        return defer_check(ac, false, rel, c, r->rel_oid, key);
    const SdbRelation *child;
    Found f;
    if (acc_relation(ac, r->rel_oid, &child) != SDB_OK ||
        find_rows(ac, child, c->keys, key, c->nkeys, action == 'a' || action == 'r', scratch, &f) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < f.n; i++) {
        if (action == 'a' || action == 'r')
            return still_referenced(ac, rel, child, c, key, scratch);
        int rc = action == 'c' && new_values == NULL
                     ? sdb_table_delete(ac, child, f.tids[i])
                     : change_child(ac, child, c, f.tids[i], action, new_key);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int acc_fkey_referenced_change(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *old_values,
                               const bool *old_nulls, const SdbDatum *new_values, const bool *new_nulls)
{
    for (int i = 0; i < rel->nreferencing; i++) {
        SdbArena *scratch = acc_enter(ac);
        if (scratch == NULL)
            return SDB_ERROR;
        int rc = referenced_action(ac, rel, &rel->referencing[i], old_values, old_nulls, new_values, new_nulls,
                                   scratch);
        acc_leave(ac);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
