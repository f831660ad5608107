/*
 * types/typeio.h: the value layer's public face.  The four I/O function
 * shapes (text input/output, binary receive/send), the registry that maps
 * the function names of spec/types.toml ("int4in", "array_send" ...) to C
 * functions, per-type comparison and hashing, and the order-preserving key
 * encoding the B+tree compares with memcmp.
 *
 * Every function follows the error convention of common/error.h: SDB_OK, or
 * SDB_ERROR with the SQLSTATE PostgreSQL would raise recorded.  Results are
 * allocated in ctx->arena (or appended to the caller's SdbStr).
 */
#ifndef SDB_TYPES_TYPEIO_H
#define SDB_TYPES_TYPEIO_H

#include "types/datum.h"

/* Text input: parse NUL-terminated `text` as ctx->typid with ctx->typmod. */
typedef int (*SdbTypeInputFn)(const SdbTypeCtx *ctx, const char *text, SdbDatum *out);
/* Text output: append the value's PostgreSQL text form to `out`. */
typedef int (*SdbTypeOutputFn)(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out);
/* Binary receive: read one value from `buf` (the caller checks that all of
 * it was consumed; sdb_type_receive does). */
typedef int (*SdbTypeRecvFn)(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out);
/* Binary send: append the value's wire binary form to `out`. */
typedef int (*SdbTypeSendFn)(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out);

/* SQL comparison of two non-null values of one type: <0, 0, >0. */
typedef int (*SdbTypeCompareFn)(SdbDatum a, SdbDatum b);
/* A hash consistent with compare: equal values hash equal. */
typedef uint64_t (*SdbTypeHashFn)(SdbDatum v);
/* Append the ascending order-preserving key bytes of a non-null value. */
typedef int (*SdbTypeKeyFn)(SdbDatum v, SdbStr *out);

typedef enum SdbTypeFuncKind {
    SDB_TYPEFUNC_INPUT,
    SDB_TYPEFUNC_OUTPUT,
    SDB_TYPEFUNC_RECEIVE,
    SDB_TYPEFUNC_SEND
} SdbTypeFuncKind;

/* One I/O function by its PostgreSQL (= spec) name. */
typedef struct SdbTypeFunc {
    const char *name;
    SdbTypeFuncKind kind;
    union {
        SdbTypeInputFn input;
        SdbTypeOutputFn output;
        SdbTypeRecvFn receive;
        SdbTypeSendFn send;
    } fn;
} SdbTypeFunc;

/* The I/O function named `name` (e.g. "int4in"); NULL when there is none. */
const SdbTypeFunc *sdb_typefunc_lookup(const char *name);

/* Comparison, hashing and key encoding of one type; a NULL member means the
 * type has no such operation (json, which PostgreSQL cannot compare either).
 * Arrays of json have the array operations, whose key function fails with
 * 42883 (their compare then returns 0 with the error left recorded). */
typedef struct SdbTypeOps {
    SdbTypeCompareFn compare;
    SdbTypeHashFn hash;
    SdbTypeKeyFn key;
} SdbTypeOps;

/* The operations of type `typid` (any array type included; a domain has
 * its base type's); NULL for a pseudo or unknown type. */
const SdbTypeOps *sdb_type_ops(SdbOid typid);

/* A domain's base type, with *typmod set to the base type's typmod
 * (PostgreSQL's getBaseTypeAndTypmod: RowDescription shows these); any
 * other type is returned as it is, *typmod untouched. */
SdbOid sdb_type_base(SdbOid typid, int32_t *typmod);

/* Convert through the spec's functions for type ctx->typid: text in, text
 * out, binary in (all `len` bytes must be consumed, else 22P03 "incorrect
 * binary data format"), binary out.  42704 for an unknown type OID, 42883
 * for a pseudo type. */
int sdb_type_input(const SdbTypeCtx *ctx, const char *text, SdbDatum *out);
int sdb_type_output(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out);
int sdb_type_receive(const SdbTypeCtx *ctx, const void *data, size_t len, SdbDatum *out);
int sdb_type_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out);

/* Binary in from a buffer, leaving unread bytes in it (for values embedded
 * in larger messages, such as array elements). */
int sdb_type_receive_buf(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out);

/* Key encoding options for one key column. */
typedef struct SdbKeyOrder {
    bool descending;  /* invert the value bytes */
    bool nulls_first; /* NULL sorts before (else after) every value */
} SdbKeyOrder;

/* Append the key bytes of one column value (NULL when `isnull`) of type
 * `typid` to `out`, so that memcmp order of concatenated columns is SQL
 * order.  Every encoding is self-delimiting.  42883 when the type is not
 * orderable. */
int sdb_key_encode(SdbOid typid, SdbDatum value, bool isnull, SdbKeyOrder order, SdbStr *out);

#endif /* SDB_TYPES_TYPEIO_H */
