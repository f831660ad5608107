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

/* Columns described with a stack buffer before falling back to the arena. */
#define ACC_STACK_ATTS 64

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

/* The attribute types of `rel`, in `buf` when natts <= ACC_STACK_ATTS, else
 * in `arena`; NULL on allocation failure. */
SdbOid *acc_types(const SdbRelation *rel, SdbOid *buf, SdbArena *arena);

/* ---- stored form (tuple.c) ---------------------------------------------- */

/* The heap payload of a row: row.h's form; when values were moved out of
 * line (SDB_HEAP_HAS_EXTERNAL) it is preceded by u16 count, u16 attribute
 * indexes, zero padding to 8 bytes, and those attributes hold toast
 * pointers (SDB_TOAST_POINTER_SIZE-byte varlenas). */
int acc_form_tuple(SdbAccessContext *ac, const SdbRelation *rel, const SdbOid *types, const SdbDatum *values,
                   const bool *nulls, SdbArena *arena, SdbStr *out, uint16_t *flags);

/* Decode attributes want[0..nwant) (0-based, < natts) of a stored tuple.
 * By-reference values point into `payload` unless `copy` (then into
 * `arena`); out-of-line values are fetched into `arena`. */
int acc_decode(struct SdbEngine *engine, const SdbRelation *rel, const SdbOid *types, const uint8_t *payload,
               size_t len, uint16_t infomask, const int *want, int nwant, bool copy, SdbArena *arena,
               SdbDatum *values, bool *nulls);

/* Delete the out-of-line values of a stored tuple (its row was deleted). */
int acc_delete_external(SdbAccessContext *ac, const SdbRelation *rel, const SdbOid *types, const uint8_t *payload,
                        size_t len, uint16_t infomask, SdbArena *arena);

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
 * NULL) and all attributes (copied into `arena`); *found false when there
 * is none. */
int acc_fetch_row(SdbAccessContext *ac, const SdbRelation *rel, SdbTid tid, SdbArena *scratch, SdbArena *arena,
                  SdbHeapTupleHeader *header, SdbDatum *values, bool *nulls, const uint8_t **payload, bool *found);

/* Set the xmax of the version at `tid` (header `h`): delete, lock, or
 * update to `payload` with *new_tid.  Waits for transactions in progress;
 * *result SDB_HEAP_OK, SDB_HEAP_SELF_MODIFIED (deleted or updated by this
 * transaction already), SDB_HEAP_CONFLICT (a committed transaction updated
 * it) or SDB_HEAP_NOT_FOUND (a committed transaction deleted it). */
typedef enum AccOp { ACC_DELETE, ACC_UPDATE, ACC_LOCK } AccOp;
int acc_set_xmax(SdbAccessContext *ac, const SdbRelation *rel, AccOp op, SdbTid tid, const SdbHeapTupleHeader *h,
                 const SdbStr *payload, uint16_t flags, SdbTid *new_tid, SdbHeapResult *result);

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
