/*
 * access/modify.c: row changes (table.h): insert (plain and ON CONFLICT),
 * fetch, update, delete and TRUNCATE, with NOT NULL checks, index
 * maintenance and unique checks; foreign keys are fkey.c's.
 *
 * Every version of a row has its own index entries (no HOT): an update
 * inserts entries for the new version into every index, and dead entries
 * stay until vacuum.  Unique checks see versions as PostgreSQL's dirty
 * snapshot does (acc_tuple_state): a committed or own live version
 * conflicts, a version whose insert or delete is in progress is waited
 * for and looked at again.  A row this transaction updates or deletes that
 * a transaction committed after the snapshot deleted is skipped under READ
 * COMMITTED (40001 otherwise); one it updated is 40001 at every level
 * (PostgreSQL re-checks the new version under READ COMMITTED).
 */
#include "access/access_int.h"
#include "access/pgstat.h"

#include <string.h>

#include "storage/engine.h"
#include "storage/wal.h"
#include "types/typeio.h"

/* ---- tuple states ---------------------------------------------------------- */

int acc_tuple_state(SdbAccessContext *ac, SdbRelFileId file, SdbTid tid, const SdbHeapTupleHeader *h,
                    AccState *state, SdbXid *wait_xid)
{
    SdbTxn *txn = ac->txn;
    uint16_t hints = 0, mask = h->infomask;
    SdbXactStatus status;
    bool hintable;
    *state = ACC_DEAD;
    if (mask & SDB_HEAP_XMIN_ABORTED)
        return SDB_OK;
    if (!(mask & SDB_HEAP_XMIN_COMMITTED) && !sdb_txn_is_own_xid(txn, h->xmin)) {
        if (sdb_txn_xid_status(txn, h->xmin, &status, &hintable) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_IN_PROGRESS) {
            *state = ACC_WAIT;
            *wait_xid = h->xmin;
            return SDB_OK;
        }
        if (status == SDB_XACT_ABORTED)
            return acc_set_hints(ac, file, tid, h, SDB_HEAP_XMIN_ABORTED);
        if (hintable)
            hints |= SDB_HEAP_XMIN_COMMITTED;
    }
    *state = ACC_LIVE;
    if (h->xmax != SDB_INVALID_XID && !(mask & (SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY))) {
        if (sdb_txn_is_own_xid(txn, h->xmax) || (mask & SDB_HEAP_XMAX_COMMITTED)) {
            *state = ACC_DEAD;
        } else {
            if (sdb_txn_xid_status(txn, h->xmax, &status, &hintable) != SDB_OK)
                return SDB_ERROR;
            if (status == SDB_XACT_IN_PROGRESS) {
                *state = ACC_WAIT;
                *wait_xid = h->xmax;
            } else if (status == SDB_XACT_ABORTED) {
                hints |= SDB_HEAP_XMAX_ABORTED;
            } else {
                *state = ACC_DEAD;
                if (hintable)
                    hints |= SDB_HEAP_XMAX_COMMITTED;
            }
        }
    }
    return acc_set_hints(ac, file, tid, h, hints);
}

/* ---- reading one row --------------------------------------------------------- */

int acc_fetch_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbRowDesc *desc, SdbTid tid, SdbArena *scratch,
                  SdbArena *arena, SdbHeapTupleHeader *header, SdbDatum *values, bool *nulls, const uint8_t **payload,
                  bool *found)
{
    size_t cap = sdb_heap_max_payload(sdb_engine_page_size(ac->engine));
    uint8_t *buf = sdb_arena_alloc(scratch, cap);
    int *want = sdb_arena_alloc(scratch, (size_t)(rel->natts ? rel->natts : 1) * sizeof *want);
    if (buf == NULL || want == NULL)
        return SDB_ERROR;
    if (sdb_heap_fetch(ac->engine, rel->file, tid, header, buf, cap, found) != SDB_OK || !*found)
        return *found ? SDB_ERROR : SDB_OK;
    for (int i = 0; i < rel->natts; i++)
        want[i] = i;
    if (payload != NULL)
        *payload = buf;
    return sdb_row_decode_desc(ac->engine, desc, buf, header->payload_len, want, rel->natts, true, arena, values,
                               nulls);
}

int sdb_table_fetch(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, SdbDatum *values, bool *nulls,
                    bool *found)
{
    SdbHeapTupleHeader h;
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbRowDesc desc;
    int rc = acc_row_desc(rel, scratch, &desc) != SDB_OK
                 ? SDB_ERROR
                 : acc_fetch_row(ac, rel, &desc, tid, scratch, ac->arena, &h, values, nulls, NULL, found);
    acc_leave(ac);
    if (rc != SDB_OK || !*found)
        return rc;
    bool vis;
    uint16_t hints;
    if (sdb_txn_tuple_visible_hints(ac->txn, &h, &vis, &hints) != SDB_OK ||
        acc_set_hints(ac, rel->file, tid, &h, hints) != SDB_OK)
        return SDB_ERROR;
    if (!vis) {
        AccState state;
        SdbXid wait;
        if (acc_tuple_state(ac, rel->file, tid, &h, &state, &wait) != SDB_OK)
            return SDB_ERROR;
        vis = state == ACC_LIVE;
    }
    *found = vis;
    return SDB_OK;
}

/* ---- constraint errors ------------------------------------------------------- */

/* PostgreSQL's "Failing row contains (...)": every column, values longer
 * than 64 bytes cut (at a character boundary) and marked "...". */
static int describe_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                        SdbStr *out)
{
    if (sdb_str_append_char(out, '(') != SDB_OK)
        return SDB_ERROR;
    bool first = true;
    for (int i = 0; i < rel->natts; i++) {
        if (rel->attrs[i].dropped)
            continue;
        SdbStr v;
        sdb_str_init(&v, out->arena);
        int16_t attnum = (int16_t)(i + 1);
        if (acc_describe_values(ac, rel, &attnum, 1, &values[i], &nulls[i], &v) != SDB_OK)
            return SDB_ERROR;
        size_t len = v.len;
        if (len > 64) {
            len = 64;
            while (len > 0 && ((unsigned char)v.data[len] & 0xC0) == 0x80)
                len--;
        }
        if ((!first && sdb_str_append_cstr(out, ", ") != SDB_OK) || sdb_str_append(out, v.data, len) != SDB_OK ||
            (len < v.len && sdb_str_append_cstr(out, "...") != SDB_OK))
            return SDB_ERROR;
        first = false;
    }
    return sdb_str_append_char(out, ')');
}

static int check_not_null(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                          SdbArena *scratch)
{
    for (int i = 0; i < rel->natts; i++) {
        if (!rel->attrs[i].not_null || rel->attrs[i].dropped || !nulls[i])
            continue;
        SdbStr row;
        sdb_str_init(&row, scratch);
        if (describe_row(ac, rel, values, nulls, &row) != SDB_OK)
            return SDB_ERROR;
        sdb_error(SDB_ERR_NOT_NULL_VIOLATION, "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                  rel->attrs[i].name, rel->name);
        sdb_error_detail("Failing row contains %s.", row.data);
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* 23505 for `index` and the row's key values. */
static int unique_violation(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *index,
                            const SdbDatum *values, const bool *nulls, SdbArena *scratch)
{
    SdbStr cols, vals;
    sdb_str_init(&cols, scratch);
    sdb_str_init(&vals, scratch);
    SdbDatum *kv = sdb_arena_alloc(scratch, (size_t)index->nkeys * sizeof *kv);
    bool *kn = sdb_arena_alloc(scratch, (size_t)index->nkeys * sizeof *kn);
    if (kv == NULL || kn == NULL)
        return SDB_ERROR;
    for (int k = 0; k < index->nkeys; k++) {
        kv[k] = values[index->keys[k] - 1];
        kn[k] = nulls[index->keys[k] - 1];
    }
    if (acc_describe_columns(rel, index->keys, index->nkeys, &cols) != SDB_OK ||
        acc_describe_values(ac, rel, index->keys, index->nkeys, kv, kn, &vals) != SDB_OK)
        return SDB_ERROR;
    sdb_error(SDB_ERR_UNIQUE_VIOLATION, "duplicate key value violates unique constraint \"%s\"", index->name);
    sdb_error_detail("Key (%s)=(%s) already exists.", cols.data, vals.data);
    return SDB_ERROR;
}

/* ---- unique checks ------------------------------------------------------------- */

typedef struct UniqueCheck {
    SdbAccessContext *ac;
    SdbRelFileId file;
    SdbXid wait_xid; /* set: wait for it and try again */
    int rc;          /* SDB_ERROR when looking at a version failed */
} UniqueCheck;

/* SdbBtreeConflictFn: whether the version at `existing` blocks the key. */
static bool unique_conflict(void *arg, SdbTid existing)
{
    UniqueCheck *uc = arg;
    SdbHeapTupleHeader h;
    bool found;
    AccState state;
    SdbXid wait;
    if (sdb_heap_fetch(uc->ac->engine, uc->file, existing, &h, NULL, 0, &found) != SDB_OK ||
        (found && acc_tuple_state(uc->ac, uc->file, existing, &h, &state, &wait) != SDB_OK)) {
        uc->rc = SDB_ERROR;
        return true;
    }
    if (!found || state == ACC_DEAD)
        return false;
    if (state == ACC_WAIT)
        uc->wait_xid = wait;
    return true;
}

/* SdbBtreeConflictFn of keys with a NULL column: NULLs are distinct. */
static bool never_conflict(void *arg, SdbTid existing)
{
    (void)arg;
    (void)existing;
    return false;
}

/* INSERT ... ON CONFLICT: the unique indexes whose conflicts are not
 * errors (`index`, or every unique one when NULL), and the live row found. */
typedef struct Arbiter {
    const SdbIndex *index;
    bool conflict;
    SdbTid existing;
} Arbiter;

static bool arbitrates(const Arbiter *arb, const SdbIndex *index)
{
    return arb != NULL && index->unique && (arb->index == NULL || arb->index->oid == index->oid);
}

/* Insert the entry of the row at `tid` into `index`, with the unique check:
 * 23505, or for an arbiter index arb->conflict. */
static int index_insert(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *index, const SdbDatum *values,
                        const bool *nulls, SdbTid tid, SdbArena *scratch, Arbiter *arb)
{
    SdbStr key;
    sdb_str_init(&key, scratch);
    bool has_null;
    if (sdb_index_key(rel, index, values, nulls, &key, &has_null) != SDB_OK)
        return SDB_ERROR;
    SdbBtree *bt = sdb_btree_open(ac->engine, index->file);
    if (bt == NULL)
        return SDB_ERROR;
    int rc;
    for (;;) {
        UniqueCheck uc = {.ac = ac, .file = rel->file, .rc = SDB_OK};
        SdbTid existing;
        rc = sdb_btree_insert(bt, key.data, key.len, tid, sdb_txn_current_xid(ac->txn), has_null ? never_conflict : unique_conflict,
                              &uc, &existing);
        if (rc != SDB_BTREE_CONFLICT)
            break;
        rc = SDB_ERROR;
        if (uc.rc != SDB_OK)
            break;
        if (uc.wait_xid == SDB_INVALID_XID) {
            if (arbitrates(arb, index)) {
                arb->conflict = true;
                arb->existing = existing;
                rc = SDB_OK;
            } else {
                unique_violation(ac, rel, index, values, nulls, scratch);
            }
            break;
        }
        if (sdb_txn_wait(ac->txn, uc.wait_xid) != SDB_OK)
            break;
    }
    sdb_btree_close(bt);
    return rc;
}

static int index_insert_all(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                            SdbTid tid, SdbArena *scratch, Arbiter *arb)
{
    for (int i = 0; i < rel->nindexes; i++) {
        if (index_insert(ac, rel, &rel->indexes[i], values, nulls, tid, scratch, arb) != SDB_OK)
            return SDB_ERROR;
        if (arb != NULL && arb->conflict)
            return SDB_OK;
    }
    return SDB_OK;
}

/* Whether a live row holds the key of `index` for this row: *existing. */
static int find_conflict(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *index, const SdbDatum *values,
                         const bool *nulls, SdbArena *scratch, bool *conflict, SdbTid *existing)
{
    *conflict = false;
    SdbStr key;
    sdb_str_init(&key, scratch);
    bool has_null;
    if (sdb_index_key(rel, index, values, nulls, &key, &has_null) != SDB_OK)
        return SDB_ERROR;
    if (has_null)
        return SDB_OK;
    SdbBtree *bt = sdb_btree_open(ac->engine, index->file);
    if (bt == NULL)
        return SDB_ERROR;
    int rc;
    for (;;) {
        UniqueCheck uc = {.ac = ac, .file = rel->file, .rc = SDB_OK};
        rc = sdb_btree_check_unique(bt, key.data, key.len, unique_conflict, &uc, existing);
        if (rc == SDB_OK || rc == SDB_ERROR)
            break;
        rc = SDB_ERROR;
        if (uc.rc != SDB_OK)
            break;
        if (uc.wait_xid == SDB_INVALID_XID) {
            *conflict = true;
            rc = SDB_OK;
            break;
        }
        if (sdb_txn_wait(ac->txn, uc.wait_xid) != SDB_OK)
            break;
    }
    sdb_btree_close(bt);
    return rc;
}

/* ---- insert ----------------------------------------------------------------------- */

static int check_table(const SdbRelation *rel)
{
    if (rel->kind == 'S')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot change sequence \"%s\"", rel->name);
    if (rel->kind != 'r')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot change relation \"%s\"", rel->name);
    return SDB_OK;
}

/* Take back a row just inserted whose key an arbiter index already had
 * (PostgreSQL's speculative insertion: the version is deleted by its own
 * transaction and command, so nobody ever sees it). */
static int undo_insert(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbRowDesc *desc,
                       const SdbStr *payload, uint16_t flags)
{
    SdbHeapTupleHeader h = {.xmin = sdb_txn_current_xid(ac->txn), .cid = ac->txn->cid, .infomask = flags,
                            .payload_len = (uint16_t)payload->len, .next = tid};
    SdbHeapResult result;
    SdbTid next;
    if (acc_set_xmax(ac, rel, ACC_DELETE, tid, &h, NULL, 0, &next, &result) != SDB_OK)
        return SDB_ERROR;
    if (result != SDB_HEAP_OK)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "could not take back the row just inserted into \"%s\"", rel->name);
    return acc_delete_external(ac, desc, (const uint8_t *)payload->data, payload->len, flags);
}

/* Insert after the NOT NULL checks: heap, indexes, foreign keys.  With an
 * arbiter, a conflict in one of its indexes takes the row back and sets
 * arb->conflict. */
static int insert_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                      SdbArena *scratch, SdbTid *tid, Arbiter *arb)
{
    SdbXid xid;
    SdbRowDesc desc;
    SdbStr payload;
    sdb_str_init(&payload, scratch);
    uint16_t flags;
    if (acc_row_desc(rel, scratch, &desc) != SDB_OK || sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK ||
        acc_form_tuple(ac, rel, &desc, values, nulls, &payload, &flags) != SDB_OK ||
        sdb_heap_insert(ac->engine, rel->file, xid, ac->txn->cid, payload.data, payload.len, flags, tid) != SDB_OK ||
        index_insert_all(ac, rel, values, nulls, *tid, scratch, arb) != SDB_OK)
        return SDB_ERROR;
    if (arb != NULL && arb->conflict)
        return undo_insert(ac, rel, *tid, &desc, &payload, flags);
    return acc_fkey_check_row(ac, rel, values, nulls, NULL, NULL);
}

int sdb_table_insert(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                     SdbTid *tid)
{
    SdbArena *scratch = acc_enter(ac);
    int rc = scratch == NULL || check_table(rel) != SDB_OK || check_not_null(ac, rel, values, nulls, scratch) != SDB_OK
                 ? SDB_ERROR
                 : insert_row(ac, rel, values, nulls, scratch, tid, NULL);
    if (scratch != NULL)
        acc_leave(ac);
    if (rc == SDB_OK)
        sdb_pgstat_count(rel->file, 1, 0, 0);
    return rc;
}

/* Whether row r of a set breaks a NOT NULL constraint (no error recorded). */
static bool null_violation(const SdbRelation *rel, const bool *nulls)
{
    for (int i = 0; i < rel->natts; i++)
        if (nulls[i] && rel->attrs[i].not_null && !rel->attrs[i].dropped)
            return true;
    return false;
}

/* Index entries and foreign keys of row r of a set, in its own scratch. */
static int finish_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                      SdbTid tid)
{
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    int rc = index_insert_all(ac, rel, values, nulls, tid, scratch, NULL) != SDB_OK ||
                     acc_fkey_check_row(ac, rel, values, nulls, NULL, NULL) != SDB_OK
                 ? SDB_ERROR
                 : SDB_OK;
    acc_leave(ac);
    return rc;
}

int sdb_table_insert_many(SdbAccessContext *ac, const SdbRelation *rel, int nrows, const SdbDatum *values,
                          const bool *nulls, SdbTid *tids)
{
    if (check_table(rel) != SDB_OK)
        return SDB_ERROR;
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    int rc = SDB_ERROR, natts = rel->natts, ok = 0;
    while (ok < nrows && !null_violation(rel, nulls + (size_t)ok * natts))
        ok++;
    SdbXid xid;
    SdbRowDesc desc;
    SdbHeapRow *rows = sdb_arena_alloc(scratch, (size_t)(ok ? ok : 1) * sizeof *rows);
    SdbTid *where = tids != NULL ? tids : sdb_arena_alloc(scratch, (size_t)(ok ? ok : 1) * sizeof *where);
    if (rows == NULL || where == NULL || acc_row_desc(rel, scratch, &desc) != SDB_OK ||
        (ok > 0 && sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK))
        goto done;
    for (int r = 0; r < ok; r++) {
        SdbStr payload;
        sdb_str_init(&payload, scratch);
        if (acc_form_tuple(ac, rel, &desc, values + (size_t)r * natts, nulls + (size_t)r * natts, &payload,
                           &rows[r].flags) != SDB_OK)
            goto done;
        rows[r].payload = payload.data;
        rows[r].len = payload.len;
    }
    if (ok > 0 && sdb_heap_insert_batch(ac->engine, rel->file, xid, ac->txn->cid, rows, (size_t)ok, where) != SDB_OK)
        goto done;
    sdb_pgstat_count(rel->file, (uint64_t)ok, 0, 0);
    for (int r = 0; r < ok; r++)
        if (finish_row(ac, rel, values + (size_t)r * natts, nulls + (size_t)r * natts, where[r]) != SDB_OK)
            goto done;
    /* The first row breaking NOT NULL, reported after the rows before it, as
     * one by one. */
    rc = ok == nrows ? SDB_OK
                     : check_not_null(ac, rel, values + (size_t)ok * natts, nulls + (size_t)ok * natts, scratch);
done:
    acc_leave(ac);
    return rc;
}

int sdb_table_insert_checked(SdbAccessContext *ac, const SdbRelation *rel, const SdbIndex *arbiter,
                             const SdbDatum *values, const bool *nulls, SdbTid *tid, bool *conflict,
                             SdbTid *existing)
{
    *conflict = false;
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    int rc = check_table(rel) != SDB_OK || check_not_null(ac, rel, values, nulls, scratch) != SDB_OK ? SDB_ERROR
                                                                                                     : SDB_OK;
    Arbiter arb = {.index = arbiter};
    /* A look first (the usual conflict costs no heap tuple), then the
     * insert, which settles races with concurrent inserts of the key. */
    for (int i = 0; i < rel->nindexes && rc == SDB_OK && !*conflict; i++)
        if (arbitrates(&arb, &rel->indexes[i]))
            rc = find_conflict(ac, rel, &rel->indexes[i], values, nulls, scratch, conflict, existing);
    if (rc == SDB_OK && !*conflict) {
        rc = insert_row(ac, rel, values, nulls, scratch, tid, &arb);
        *conflict = arb.conflict;
        if (arb.conflict)
            *existing = arb.existing;
    }
    acc_leave(ac);
    return rc;
}

/* ---- update and delete --------------------------------------------------------- */

int acc_set_xmax(SdbAccessContext *ac, const SdbRelation *rel, AccOp op, SdbTid tid, const SdbHeapTupleHeader *h,
                 const SdbStr *payload, uint16_t flags, SdbTid *new_tid, SdbHeapResult *result)
{
    SdbXid xid;
    SdbCid cid;
    if (sdb_txn_assign_xid(ac->txn, &xid) != SDB_OK || sdb_txn_cid_for_xmax(ac->txn, h, &cid) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        SdbHeapTupleHeader found;
        int rc = op == ACC_UPDATE ? sdb_heap_update(ac->engine, rel->file, tid, xid, cid, payload->data, payload->len,
                                                    flags, new_tid, result, &found)
                                  : sdb_heap_delete(ac->engine, rel->file, tid, xid, cid, result, &found);
        if (rc != SDB_OK)
            return SDB_ERROR;
        if (*result == SDB_HEAP_NOT_FOUND)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "tuple (%u,%u) of \"%s\" to change is gone", tid.block, tid.slot,
                             rel->name);
        if (*result != SDB_HEAP_CONFLICT)
            return SDB_OK;
        SdbXactStatus status;
        bool hintable;
        if (sdb_txn_xid_status(ac->txn, found.xmax, &status, &hintable) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_IN_PROGRESS) {
            if (sdb_txn_wait(ac->txn, found.xmax) != SDB_OK)
                return SDB_ERROR;
        } else if (status == SDB_XACT_ABORTED) {
            if (acc_set_hints(ac, rel->file, tid, &found, SDB_HEAP_XMAX_ABORTED) != SDB_OK)
                return SDB_ERROR;
        } else if (found.infomask & SDB_HEAP_XMAX_LOCK_ONLY) {
            /* Only a lock (older versions locked rows in the xmax); free
             * once its committed status is hinted. */
            SdbWal *wal = sdb_engine_wal(ac->engine);
            if (!hintable && sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)) != SDB_OK)
                return SDB_ERROR;
            if (acc_set_hints(ac, rel->file, tid, &found, SDB_HEAP_XMAX_COMMITTED) != SDB_OK)
                return SDB_ERROR;
        } else {
            /* Committed: deleted (no newer version) or updated. */
            if (found.next.block == tid.block && found.next.slot == tid.slot)
                *result = SDB_HEAP_NOT_FOUND;
            else
                *new_tid = found.next;
            return SDB_OK;
        }
    }
}

/* A row changed by a transaction that committed after the snapshot, under
 * READ COMMITTED: *skip when it was deleted (as PostgreSQL), or when it was
 * updated and the caller re-checks (`newer` not NULL: gets the new
 * version, `next`); otherwise, and always under REPEATABLE READ, 40001. */
static int concurrent_change(SdbAccessContext *ac, SdbHeapResult result, SdbTid next, SdbTid *newer, bool *skip)
{
    bool rc_level = !ac->txn->xact_snapshot;
    *skip = rc_level && (result == SDB_HEAP_NOT_FOUND || newer != NULL);
    if (*skip) {
        if (newer != NULL && result == SDB_HEAP_CONFLICT)
            *newer = next;
        return SDB_OK;
    }
    return sdb_error(SDB_ERR_SERIALIZATION_FAILURE, "could not serialize access due to concurrent %s",
                     result == SDB_HEAP_NOT_FOUND ? "delete" : "update");
}

/* The old version of a row being updated or deleted. */
typedef struct OldRow {
    SdbHeapTupleHeader header;
    SdbDatum *values;
    bool *nulls;
    const uint8_t *payload;
    SdbRowDesc desc;
} OldRow;

static int fetch_old(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, SdbArena *scratch, OldRow *old)
{
    size_t n = (size_t)(rel->natts ? rel->natts : 1);
    bool found;
    old->values = sdb_arena_alloc(scratch, n * sizeof *old->values);
    old->nulls = sdb_arena_alloc(scratch, n * sizeof *old->nulls);
    if (old->values == NULL || old->nulls == NULL || acc_row_desc(rel, scratch, &old->desc) != SDB_OK ||
        acc_fetch_row(ac, rel, &old->desc, tid, scratch, scratch, &old->header, old->values, old->nulls, &old->payload,
                      &found) != SDB_OK)
        return SDB_ERROR;
    if (!found)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "tuple (%u,%u) of \"%s\" to change is gone", tid.block, tid.slot,
                         rel->name);
    return SDB_OK;
}

/* After the xmax is set: out-of-line values of the old version go. */
static int drop_old_external(SdbAccessContext *ac, const OldRow *old)
{
    return acc_delete_external(ac, &old->desc, old->payload, old->header.payload_len, old->header.infomask);
}

/* Whether an update changes a column of a unique index (PostgreSQL's
 * "key" columns: such an update takes FOR UPDATE, others FOR NO KEY
 * UPDATE, which FOR KEY SHARE does not block). */
static bool key_changed(const SdbRelation *rel, const SdbDatum *old_values, const bool *old_nulls,
                        const SdbDatum *values, const bool *nulls)
{
    for (int i = 0; i < rel->nindexes; i++) {
        const SdbIndex *index = &rel->indexes[i];
        for (int k = 0; index->unique && k < index->nkeys; k++) {
            int a = index->keys[k] - 1;
            if (a >= 0 && !acc_values_equal(rel->attrs[a].type, old_values[a], old_nulls[a], values[a], nulls[a]))
                return true;
        }
    }
    return false;
}

static int update_row(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbDatum *values,
                      const bool *nulls, SdbTid *new_tid, SdbTid *newer)
{
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    int rc = SDB_ERROR;
    OldRow old;
    SdbStr payload;
    sdb_str_init(&payload, scratch);
    uint16_t flags;
    SdbHeapResult result;
    bool skip;
    bool transient;
    int mode;
    if (check_table(rel) != SDB_OK || check_not_null(ac, rel, values, nulls, scratch) != SDB_OK ||
        fetch_old(ac, rel, tid, scratch, &old) != SDB_OK ||
        acc_form_tuple(ac, rel, &old.desc, values, nulls, &payload, &flags) != SDB_OK)
        goto done;
    mode = key_changed(rel, old.values, old.nulls, values, nulls) ? SDB_ROWLOCK_UPDATE : SDB_ROWLOCK_NO_KEY_UPDATE;
    if (acc_row_write_begin(ac, rel, tid, mode, &transient) != SDB_OK)
        goto done;
    rc = acc_set_xmax(ac, rel, ACC_UPDATE, tid, &old.header, &payload, flags, new_tid, &result);
    acc_row_write_end(ac, rel, tid, mode, transient);
    if (rc != SDB_OK)
        goto done;
    rc = SDB_ERROR;
    skip = result == SDB_HEAP_SELF_MODIFIED;
    if ((result == SDB_HEAP_CONFLICT || result == SDB_HEAP_NOT_FOUND) &&
        concurrent_change(ac, result, *new_tid, newer, &skip) != SDB_OK)
        goto done;
    if (skip) {
        *new_tid = (SdbTid){.block = SDB_INVALID_BLOCK, .slot = 0};
        rc = SDB_OK;
        goto done;
    }
    if (drop_old_external(ac, &old) != SDB_OK ||
        index_insert_all(ac, rel, values, nulls, *new_tid, scratch, NULL) != SDB_OK ||
        acc_fkey_check_row(ac, rel, values, nulls, old.values, old.nulls) != SDB_OK ||
        acc_fkey_referenced_change(ac, rel, old.values, old.nulls, values, nulls) != SDB_OK)
        goto done;
    rc = SDB_OK;
done:
    acc_leave(ac);
    return rc;
}

/* Count a successful update (the new version exists). */
static int counted_update(const SdbRelation *rel, int rc, const SdbTid *new_tid)
{
    if (rc == SDB_OK && new_tid->block != SDB_INVALID_BLOCK)
        sdb_pgstat_count(rel->file, 0, 1, 0);
    return rc;
}

int sdb_table_update(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbDatum *values,
                     const bool *nulls, SdbTid *new_tid)
{
    return counted_update(rel, update_row(ac, rel, tid, values, nulls, new_tid, NULL), new_tid);
}

int sdb_table_update_rc(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, const SdbDatum *values,
                        const bool *nulls, SdbTid *new_tid, SdbTid *newer)
{
    *newer = (SdbTid){.block = SDB_INVALID_BLOCK, .slot = 0};
    return counted_update(rel, update_row(ac, rel, tid, values, nulls, new_tid, newer), new_tid);
}

/* Delete the version at tid; *deleted false when this command (or a
 * foreign key action of it) deleted it already. */
static int delete_row(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, bool actions, bool *deleted,
                      SdbTid *newer)
{
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    int rc = SDB_ERROR;
    OldRow old;
    SdbHeapResult result;
    SdbTid next;
    bool skip;
    *deleted = false;
    bool transient;
    if (check_table(rel) != SDB_OK || fetch_old(ac, rel, tid, scratch, &old) != SDB_OK ||
        acc_row_write_begin(ac, rel, tid, SDB_ROWLOCK_UPDATE, &transient) != SDB_OK)
        goto done;
    rc = acc_set_xmax(ac, rel, ACC_DELETE, tid, &old.header, NULL, 0, &next, &result);
    acc_row_write_end(ac, rel, tid, SDB_ROWLOCK_UPDATE, transient);
    if (rc != SDB_OK)
        goto done;
    rc = SDB_ERROR;
    if ((result == SDB_HEAP_CONFLICT || result == SDB_HEAP_NOT_FOUND) &&
        concurrent_change(ac, result, next, newer, &skip) != SDB_OK)
        goto done;
    if (result == SDB_HEAP_OK) {
        *deleted = true;
        sdb_pgstat_count(rel->file, 0, 0, 1);
        if (drop_old_external(ac, &old) != SDB_OK ||
            (actions && acc_fkey_referenced_change(ac, rel, old.values, old.nulls, NULL, NULL) != SDB_OK))
            goto done;
    }
    rc = SDB_OK;
done:
    acc_leave(ac);
    return rc;
}

int sdb_table_delete(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid)
{
    bool deleted;
    return delete_row(ac, rel, tid, true, &deleted, NULL);
}

int sdb_table_delete_rc(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, bool *deleted, SdbTid *newer)
{
    *newer = (SdbTid){.block = SDB_INVALID_BLOCK, .slot = 0};
    return delete_row(ac, rel, tid, true, deleted, newer);
}

/* ---- truncate ------------------------------------------------------------------------- */

/* The tids of every version of `rel` that is live (waiting for changes in
 * progress, as the lock PostgreSQL's TRUNCATE takes would). */
static int live_tids(SdbAccessContext *ac, const SdbRelation *rel, SdbArena *arena, SdbTid **tids, size_t *n)
{
    for (;;) {
        SdbHeapScan *scan = sdb_heap_scan_begin(ac->engine, rel->file);
        if (scan == NULL)
            return SDB_ERROR;
        size_t cap = 0;
        SdbXid wait = SDB_INVALID_XID;
        int rc;
        *n = 0;
        *tids = NULL;
        for (;;) {
            SdbHeapTuple t;
            bool found;
            AccState state;
            if ((rc = sdb_heap_scan_next(scan, &t, &found)) != SDB_OK || !found ||
                (rc = acc_tuple_state(ac, rel->file, t.tid, &t.header, &state, &wait)) != SDB_OK ||
                state == ACC_WAIT)
                break;
            if (state == ACC_DEAD)
                continue;
            if (*n == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                SdbTid *grown = sdb_arena_realloc(arena, *tids, cap * sizeof *grown, ncap * sizeof *grown);
                if (grown == NULL) {
                    rc = SDB_ERROR;
                    break;
                }
                *tids = grown;
                cap = ncap;
            }
            (*tids)[(*n)++] = t.tid;
        }
        sdb_heap_scan_end(scan);
        if (rc != SDB_OK || wait == SDB_INVALID_XID)
            return rc;
        if (sdb_txn_wait(ac->txn, wait) != SDB_OK)
            return SDB_ERROR;
    }
}

/* 0A000 when a table outside rels[0..n) references one of them. */
static int check_truncate_references(SdbAccessContext *ac, const SdbRelation *const *rels, int n)
{
    for (int t = 0; t < n; t++) {
        const SdbRelation *rel = rels[t];
        for (int i = 0; i < rel->nreferencing; i++) {
            bool inside = false;
            for (int u = 0; u < n; u++)
                inside |= rels[u]->oid == rel->referencing[i].rel_oid;
            if (inside)
                continue;
            const SdbRelation *other;
            if (acc_relation(ac, rel->referencing[i].rel_oid, &other) != SDB_OK)
                return SDB_ERROR;
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot truncate a table referenced in a foreign key constraint");
            sdb_error_detail("Table \"%s\" references \"%s\".", other->name, rel->name);
            sdb_error_hint("Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.", other->name);
            return SDB_ERROR;
        }
    }
    return SDB_OK;
}

static int truncate_one(SdbAccessContext *ac, const SdbRelation *rel)
{
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbTid *tids;
    size_t n;
    int rc = live_tids(ac, rel, scratch, &tids, &n);
    for (size_t i = 0; i < n && rc == SDB_OK; i++) {
        bool deleted;
        rc = delete_row(ac, rel, tids[i], false, &deleted, NULL);
    }
    acc_leave(ac);
    return rc;
}

int sdb_tables_truncate(SdbAccessContext *ac, const SdbRelation *const *rels, int n)
{
    for (int t = 0; t < n; t++)
        if (check_table(rels[t]) != SDB_OK)
            return SDB_ERROR;
    if (check_truncate_references(ac, rels, n) != SDB_OK)
        return SDB_ERROR;
    for (int t = 0; t < n; t++)
        if (truncate_one(ac, rels[t]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_table_truncate(SdbAccessContext *ac, const SdbRelation *rel)
{
    return sdb_tables_truncate(ac, &rel, 1);
}
