/*
 * access/sequence.c: sequences (nextval, currval, lastval, setval) and the
 * SQL functions over them.
 *
 * A sequence's state is the one live row of its heap (catalog.h: last_value
 * int8, log_cnt int8, is_called bool).  Changing it writes a new version
 * with the bootstrap xid, which is always committed: the change survives a
 * rollback of the calling transaction, as in PostgreSQL, and is durable
 * once any later commit record is flushed (WAL order).  One mutex
 * serializes changes within the process.  When a new version has to go to
 * another page, the page left behind is pruned of its dead versions, so a
 * sequence uses about two pages.  log_cnt is always 0 (every change is
 * logged; PostgreSQL logs 32 values ahead).
 */
#include "access/access_int.h"

#include <pthread.h>
#include <string.h>

#include "expr/fmgr.h"

static pthread_mutex_t seq_lock = PTHREAD_MUTEX_INITIALIZER;

static const SdbOid seq_types[3] = {SDB_TYPEOID_INT8, SDB_TYPEOID_INT8, SDB_TYPEOID_BOOL};

/* The live row of a sequence. */
typedef struct SeqState {
    SdbTid tid;
    SdbHeapTupleHeader header;
    int64_t last_value;
    bool is_called;
} SeqState;

static int open_sequence(SdbAccessContext *ac, SdbOid oid, const SdbRelation **rel)
{
    if (acc_relation(ac, oid, rel) != SDB_OK)
        return SDB_ERROR;
    if ((*rel)->kind != 'S' || (*rel)->sequence == NULL)
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "\"%s\" is not a sequence", (*rel)->name);
    return SDB_OK;
}

/* Whether a version is the sequence's current row: inserted by a
 * transaction that did not abort, not replaced by a committed one. */
static int seq_current(SdbAccessContext *ac, const SdbHeapTupleHeader *h, bool *current)
{
    SdbXactStatus status;
    *current = false;
    if (h->infomask & SDB_HEAP_XMIN_ABORTED)
        return SDB_OK;
    if (h->xmin != SDB_BOOTSTRAP_XID && !sdb_txn_is_own_xid(ac->txn, h->xmin)) {
        if (sdb_txn_xid_status(ac->txn, h->xmin, &status, NULL) != SDB_OK)
            return SDB_ERROR;
        if (status == SDB_XACT_ABORTED)
            return SDB_OK;
    }
    if (h->xmax == SDB_INVALID_XID || (h->infomask & (SDB_HEAP_XMAX_ABORTED | SDB_HEAP_XMAX_LOCK_ONLY))) {
        *current = true;
        return SDB_OK;
    }
    if (h->xmax == SDB_BOOTSTRAP_XID || sdb_txn_is_own_xid(ac->txn, h->xmax))
        return SDB_OK;
    if (sdb_txn_xid_status(ac->txn, h->xmax, &status, NULL) != SDB_OK)
        return SDB_ERROR;
    *current = status != SDB_XACT_COMMITTED;
    return SDB_OK;
}

/* Read the current row (under seq_lock). */
static int seq_read(SdbAccessContext *ac, const SdbRelation *rel, SeqState *st)
{
    SdbHeapScan *scan = sdb_heap_scan_begin(ac->engine, rel->file);
    if (scan == NULL)
        return SDB_ERROR;
    int rc;
    bool found, current = false;
    SdbHeapTuple t;
    while ((rc = sdb_heap_scan_next(scan, &t, &found)) == SDB_OK && found) {
        if ((rc = seq_current(ac, &t.header, &current)) != SDB_OK || current)
            break;
    }
    if (rc == SDB_OK && current) {
        static const int want[2] = {SDB_SEQ_ANUM_LAST_VALUE - 1, SDB_SEQ_ANUM_IS_CALLED - 1};
        SdbDatum values[2];
        bool nulls[2];
        st->tid = t.tid;
        st->header = t.header;
        rc = sdb_row_decode(t.payload, t.header.payload_len, seq_types, 3, want, 2, NULL, values, nulls);
        st->last_value = (int64_t)values[0];
        st->is_called = values[1] != 0;
        if (rc == SDB_OK && (nulls[0] || nulls[1]))
            rc = sdb_error(SDB_ERR_DATA_CORRUPTED, "sequence \"%s\" has a NULL in its row", rel->name);
    } else if (rc == SDB_OK) {
        rc = sdb_error(SDB_ERR_DATA_CORRUPTED, "sequence \"%s\" has no current row", rel->name);
    }
    sdb_heap_scan_end(scan);
    return rc;
}

static bool dead_version(void *arg, SdbTid tid, const SdbHeapTupleHeader *h, const uint8_t *payload)
{
    (void)arg;
    (void)tid;
    (void)payload;
    return h->xmax == SDB_BOOTSTRAP_XID && !(h->infomask & SDB_HEAP_XMAX_LOCK_ONLY);
}

/* Replace the current row (under seq_lock). */
static int seq_write(SdbAccessContext *ac, const SdbRelation *rel, const SeqState *st, int64_t last_value,
                     bool is_called)
{
    SdbDatum values[3] = {(SdbDatum)last_value, 0, is_called ? 1 : 0};
    bool nulls[3] = {false, false, false};
    SdbArena *scratch = acc_enter(ac);
    if (scratch == NULL)
        return SDB_ERROR;
    SdbStr row;
    sdb_str_init(&row, scratch);
    SdbTid new_tid;
    SdbHeapResult result;
    int rc = sdb_row_encode(3, seq_types, values, nulls, &row);
    if (rc == SDB_OK)
        rc = sdb_heap_update(ac->engine, rel->file, st->tid, SDB_BOOTSTRAP_XID, 0, row.data, row.len, 0, &new_tid,
                             &result, NULL);
    if (rc == SDB_OK && result != SDB_HEAP_OK)
        rc = sdb_error(SDB_ERR_INTERNAL_ERROR, "sequence \"%s\" changed by another transaction", rel->name);
    if (rc == SDB_OK && new_tid.block != st->tid.block)
        rc = sdb_heap_prune(ac->engine, rel->file, st->tid.block, dead_version, NULL, false, NULL);
    acc_leave(ac);
    return rc;
}

/* Remember `value` as the session's currval of `oid` (and, for nextval,
 * `oid` as lastval's sequence; setval leaves that alone, as PostgreSQL). */
static int remember(SdbAccessContext *ac, SdbOid oid, int64_t value, bool used)
{
    SdbSequenceSession *s = ac->sequences;
    if (s == NULL)
        return SDB_OK;
    if (used)
        s->last = oid;
    for (int i = 0; i < s->nvalues; i++) {
        if (s->values[i].seq_oid == oid) {
            s->values[i].value = value;
            return SDB_OK;
        }
    }
    if (s->nvalues == s->capacity) {
        int cap = s->capacity ? s->capacity * 2 : 8;
        SdbSeqValue *grown = sdb_realloc(s->values, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return SDB_ERROR;
        s->values = grown;
        s->capacity = cap;
    }
    s->values[s->nvalues++] = (SdbSeqValue){.seq_oid = oid, .value = value};
    return SDB_OK;
}

/* The value after `last` (is_called) or `last` itself; 2200H at a limit
 * without CYCLE. */
static int next_value(const SdbRelation *rel, const SeqState *st, int64_t *next)
{
    const SdbSequence *seq = rel->sequence;
    if (!st->is_called) {
        *next = st->last_value;
        return SDB_OK;
    }
    int64_t v;
    bool overflow = __builtin_add_overflow(st->last_value, seq->increment, &v);
    if (seq->increment > 0 && (overflow || v > seq->max)) {
        if (!seq->cycle)
            return sdb_error(SDB_ERR_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                             "nextval: reached maximum value of sequence \"%s\" (%lld)", rel->name,
                             (long long)seq->max);
        v = seq->min;
    } else if (seq->increment < 0 && (overflow || v < seq->min)) {
        if (!seq->cycle)
            return sdb_error(SDB_ERR_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                             "nextval: reached minimum value of sequence \"%s\" (%lld)", rel->name,
                             (long long)seq->min);
        v = seq->max;
    }
    *next = v;
    return SDB_OK;
}

int sdb_sequence_nextval(SdbAccessContext *ac, SdbOid seq_oid, int64_t *value)
{
    const SdbRelation *rel;
    if (open_sequence(ac, seq_oid, &rel) != SDB_OK)
        return SDB_ERROR;
    pthread_mutex_lock(&seq_lock);
    SeqState st;
    int rc = seq_read(ac, rel, &st);
    if (rc == SDB_OK)
        rc = next_value(rel, &st, value);
    if (rc == SDB_OK)
        rc = seq_write(ac, rel, &st, *value, true);
    pthread_mutex_unlock(&seq_lock);
    return rc == SDB_OK ? remember(ac, seq_oid, *value, true) : SDB_ERROR;
}

int sdb_sequence_currval(SdbAccessContext *ac, SdbOid seq_oid, int64_t *value)
{
    const SdbRelation *rel;
    if (open_sequence(ac, seq_oid, &rel) != SDB_OK)
        return SDB_ERROR;
    const SdbSequenceSession *s = ac->sequences;
    for (int i = 0; s != NULL && i < s->nvalues; i++) {
        if (s->values[i].seq_oid == seq_oid) {
            *value = s->values[i].value;
            return SDB_OK;
        }
    }
    return sdb_error(SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE,
                     "currval of sequence \"%s\" is not yet defined in this session", rel->name);
}

int sdb_sequence_lastval(SdbAccessContext *ac, int64_t *value)
{
    const SdbSequenceSession *s = ac->sequences;
    const SdbRelation *rel;
    if (s == NULL || s->last == 0 || acc_relation(ac, s->last, &rel) != SDB_OK) {
        sdb_error_clear();
        return sdb_error(SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE, "lastval is not yet defined in this session");
    }
    return sdb_sequence_currval(ac, s->last, value);
}

int sdb_sequence_setval(SdbAccessContext *ac, SdbOid seq_oid, int64_t value, bool is_called)
{
    const SdbRelation *rel;
    if (open_sequence(ac, seq_oid, &rel) != SDB_OK)
        return SDB_ERROR;
    const SdbSequence *seq = rel->sequence;
    if (value < seq->min || value > seq->max)
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE,
                         "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)", (long long)value,
                         rel->name, (long long)seq->min, (long long)seq->max);
    pthread_mutex_lock(&seq_lock);
    SeqState st;
    int rc = seq_read(ac, rel, &st);
    if (rc == SDB_OK)
        rc = seq_write(ac, rel, &st, value, is_called);
    pthread_mutex_unlock(&seq_lock);
    if (rc != SDB_OK)
        return SDB_ERROR;
    return is_called ? remember(ac, seq_oid, value, false) : SDB_OK;
}

void sdb_sequence_session_free(SdbSequenceSession *s)
{
    sdb_free(s->values);
    memset(s, 0, sizeof *s);
}

/* ---- SQL functions ------------------------------------------------------------ */

/* The access context of a call, or XX000 as for an unknown relation when
 * the expression is evaluated outside a session. */
static SdbAccessContext *call_access(SdbFnCall *call)
{
    SdbAccessContext *ac = call->context->access;
    if (ac == NULL)
        sdb_error(SDB_ERR_INTERNAL_ERROR, "could not open relation with OID %u", (SdbOid)call->args[0]);
    return ac;
}

int sdb_fn_nextval(SdbFnCall *call)
{
    SdbAccessContext *ac = call_access(call);
    int64_t v;
    if (ac == NULL || sdb_sequence_nextval(ac, (SdbOid)call->args[0], &v) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, v);
}

int sdb_fn_currval(SdbFnCall *call)
{
    SdbAccessContext *ac = call_access(call);
    int64_t v;
    if (ac == NULL || sdb_sequence_currval(ac, (SdbOid)call->args[0], &v) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, v);
}

int sdb_fn_lastval(SdbFnCall *call)
{
    SdbAccessContext *ac = call->context->access;
    int64_t v;
    if (ac == NULL)
        return sdb_error(SDB_ERR_OBJECT_NOT_IN_PREREQUISITE_STATE, "lastval is not yet defined in this session");
    if (sdb_sequence_lastval(ac, &v) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, v);
}

int sdb_fn_setval(SdbFnCall *call)
{
    SdbAccessContext *ac = call_access(call);
    bool is_called = call->nargs < 3 || call->args[2] != 0;
    if (ac == NULL || sdb_sequence_setval(ac, (SdbOid)call->args[0], (int64_t)call->args[1], is_called) != SDB_OK)
        return SDB_ERROR;
    return sdb_fn_return_int(call, (int64_t)call->args[1]);
}
