/*
 * access/access_int.h: what the files of runtime/access share: scratch
 * memory, relation lookup, the stored tuple form (row + out-of-line
 * values), index keys, "dirty" tuple states for constraint checks, and the
 * text of values in error details.
 */
#ifndef SDB_ACCESS_INT_H
#define SDB_ACCESS_INT_H

#include "access/table.h"
#include "catalog/row.h"
#include "common/str.h"
#include "storage/btree.h"
#include "storage/heap.h"

typedef struct AccPendingCheck AccPendingCheck;

struct SdbAccessPrivate {
    SdbArena **levels; /* one scratch arena per nesting level */
    int nlevels;
    int depth;         /* nesting of row changes (foreign key actions) */
    AccPendingCheck *pending; /* NO ACTION checks for sdb_access_statement_end (fkey.c), newest first */
};

/* Scratch memory for one row change: the arena of its nesting level,
 * reset on entry (what outer levels hold stays); acc_leave when done. */
SdbArena *acc_enter(SdbAccessContext *ac);
void acc_leave(SdbAccessContext *ac);

/* The relation with `oid` (ac->relation or the catalog); 42P01-like
 * internal error when it is gone. */
int acc_relation(SdbAccessContext *ac, SdbOid oid, const SdbRelation **out);

/* ---- stored form (tuple.c) ---------------------------------------------- */

/* The row descriptor of `rel` (attribute types and their storage, looked
 * up once) in `arena`.  Every reader of the table's heap decodes with it
 * through sdb_row_decode_desc, which fetches the wanted out-of-line
 * values. */
int acc_row_desc(const SdbRelation *rel, SdbArena *arena, SdbRowDesc *desc);

/* The heap payload of a row: row.h's form, its largest values moved out
 * of line into rel->toast while it is longer than sdb_toast_threshold
 * (the transaction's xid is assigned); *flags gets SDB_HEAP_HAS_EXTERNAL
 * when any moved.  Without a toast heap the row stays whole (the heap
 * refuses one too big: 54000). */
int acc_form_tuple(SdbAccessContext *ac, const SdbRelation *rel, const SdbRowDesc *desc, const SdbDatum *values,
                   const bool *nulls, SdbStr *out, uint16_t *flags);

/* Delete the out-of-line values of a stored tuple (its row was deleted or
 * replaced): nothing unless infomask has SDB_HEAP_HAS_EXTERNAL. */
int acc_delete_external(SdbAccessContext *ac, const SdbRowDesc *desc, const uint8_t *payload, size_t len,
                        uint16_t infomask);

/* ---- index keys (keys.c) -------------------------------------------------- */

/* (The key of a whole row is catalog.h's sdb_index_key, shared with
 * CREATE INDEX.) */

/* Key bytes of one key column `k` of `index` for a value of its type. */
int acc_key_column(const SdbRelation *rel, const SdbIndex *index, int k, SdbDatum value, bool isnull,
                   SdbStr *out);

/* The smallest byte string above every string starting with `key`
 * (trailing 0xFF bytes dropped, last byte raised); false when none. */
bool acc_key_successor(SdbStr *key);

/* ---- tuple states for constraint checks (modify.c) ------------------------ */

typedef enum AccState {
    ACC_DEAD, /* aborted insert, or deleted by a committed transaction or by us */
    ACC_LIVE, /* committed (or our own) insert, not deleted */
    ACC_WAIT  /* an insert or delete in progress: wait for *wait_xid, then look again */
} AccState;

/* PostgreSQL's "dirty snapshot" view of a version (what unique and foreign
 * key checks see), setting hint bits it learns. */
int acc_tuple_state(SdbAccessContext *ac, SdbRelFileId file, SdbTid tid, const SdbHeapTupleHeader *h,
                    AccState *state, SdbXid *wait_xid);

/* Record hint bits learned about a tuple (0: nothing). */
int acc_set_hints(SdbAccessContext *ac, SdbRelFileId file, SdbTid tid, const SdbHeapTupleHeader *h,
                  uint16_t hints);

/* ---- error details (modify.c) ---------------------------------------------- */

/* "a, b" for the columns attnums[0..n) of rel, and "1, x" for values[i]
 * of attnums[i] (NULL as "null"). */
int acc_describe_columns(const SdbRelation *rel, const int16_t *attnums, int n, SdbStr *out);
int acc_describe_values(SdbAccessContext *ac, const SdbRelation *rel, const int16_t *attnums, int n,
                        const SdbDatum *values, const bool *nulls, SdbStr *out);

/* ---- row changes shared with fkey.c --------------------------------------- */

/* Read the version at tid: header, stored payload (in `scratch`; may be
 * NULL) and all attributes (copied into `arena`; `desc` from acc_row_desc);
 * *found false when there is none. */
int acc_fetch_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbRowDesc *desc, SdbTid tid, SdbArena *scratch,
                  SdbArena *arena, SdbHeapTupleHeader *header, SdbDatum *values, bool *nulls, const uint8_t **payload,
                  bool *found);

/* Set the xmax of the version at `tid` (header `h`): delete, or
 * update to `payload` with *new_tid.  Waits for transactions in progress;
 * *result SDB_HEAP_OK, SDB_HEAP_SELF_MODIFIED (deleted or updated by this
 * transaction already), SDB_HEAP_CONFLICT (a committed transaction updated
 * it; *new_tid gets its new version) or SDB_HEAP_NOT_FOUND (a committed
 * transaction deleted it).  new_tid is required. */
typedef enum AccOp { ACC_DELETE, ACC_UPDATE } AccOp;
int acc_set_xmax(SdbAccessContext *ac, const SdbRelation *rel, AccOp op, SdbTid tid, const SdbHeapTupleHeader *h,
                 const SdbStr *payload, uint16_t flags, SdbTid *new_tid, SdbHeapResult *result);

/* A writer's row lock (rowlock.c) around setting a version's xmax:
 * waits for other transactions' conflicting row locks (mode: lmgr.h's
 * SDB_ROWLOCK_*); *transient says whether the end gives it back. */
int acc_row_write_begin(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, bool *transient);
void acc_row_write_end(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, int mode, bool transient);

/* Foreign keys (fkey.c): checks of a new or changed referencing row, and
 * the actions and checks when a referenced row is deleted or its key
 * updated (old values -> new values, new NULL for a delete). */
int acc_fkey_check_row(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *values, const bool *nulls,
                       const SdbDatum *old_values, const bool *old_nulls);
int acc_fkey_referenced_change(SdbAccessContext *ac, const SdbRelation *rel, const SdbDatum *old_values,
                               const bool *old_nulls, const SdbDatum *new_values, const bool *new_nulls);

/* Whether two values of `type` are equal (NULLs equal each other). */
bool acc_values_equal(SdbOid type, SdbDatum a, bool a_null, SdbDatum b, bool b_null);

#endif /* SDB_ACCESS_INT_H */
