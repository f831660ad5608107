/*
 * types/datum.h: how one SQL value is held in C (SdbDatum), the length-
 * prefixed buffer every variable-width value lives in (SdbVarlena), the
 * per-call context of the type I/O functions (SdbTypeCtx), the receive
 * buffer of the binary format (SdbRecvBuf), and the helpers every type
 * module shares: big-endian send/receive, PostgreSQL's common error texts.
 *
 * A datum is one 64-bit word.  By-value types (the spec's byval = true: bool,
 * "char", int2/4/8, float4/8, oid, xid, reg*, date, time, timestamp,
 * timestamptz) hold the value itself: integers sign-extended, floats as their
 * IEEE bits, date as int32 days since 2000-01-01, time as int64 microseconds
 * since midnight, timestamps as int64 microseconds since 2000-01-01 00:00 UTC
 * (infinity/-infinity = INT64_MAX/INT64_MIN).  Every other type's datum is a
 * pointer to an SdbVarlena in an arena: a uint32 byte count, the payload, and
 * one NUL byte after it (not counted).  Null-ness is the caller's business.
 */
#ifndef SDB_TYPES_DATUM_H
#define SDB_TYPES_DATUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/memory.h"
#include "common/str.h"
#include "sdb_types.h"

typedef uint64_t SdbDatum;

/* A variable-length value: `len` payload bytes, then a NUL (not counted).
 * Payloads are read with memcpy (no alignment is promised past the header). */
typedef struct SdbVarlena {
    uint32_t len;
    unsigned char data[];
} SdbVarlena;

/* Longest payload a varlena may hold (PostgreSQL's 1 GB field limit). */
#define SDB_VARLENA_MAX ((uint32_t)0x3FFFFFFF)

typedef struct SdbTimeZone SdbTimeZone;

/* What a type I/O call needs besides the value itself. */
/* Names of catalog objects for the reg* types (regclass, regtype,
 * regproc, regnamespace ...), answered by the session: this layer does not
 * know the catalog.  `input` resolves the text `name` of an object of reg
 * type `regtype` (search_path respected) to its OID, or records
 * PostgreSQL's error (42P01, 42704, 42883, 3F000 ...); `output` appends the
 * object's name as the type's output shows it, or sets *found = false
 * (the OID is then printed as a number). */
typedef struct SdbRegLookup {
    void *arg;
    int (*input)(void *arg, SdbOid regtype, const char *name, SdbOid *oid);
    int (*output)(void *arg, SdbOid regtype, SdbOid oid, SdbStr *out, bool *found);
} SdbRegLookup;

typedef struct SdbTypeCtx {
    SdbArena *arena;             /* results (and scratch) are allocated here */
    const SdbTimeZone *timezone; /* the TimeZone setting; NULL means UTC */
    int64_t now;                 /* transaction start (timestamptz) for 'now', 'today' ... */
    SdbOid typid;                /* the type converted (arrays find their element here) */
    int32_t typmod;              /* input/receive: PostgreSQL's atttypmod, -1 for none */
    const SdbRegLookup *reg;     /* reg* names; NULL: only numeric OIDs (input by name is 0A000) */
} SdbTypeCtx;

/* The bytes of one binary value being received; `pos` advances. */
typedef struct SdbRecvBuf {
    const unsigned char *data;
    size_t len;
    size_t pos;
} SdbRecvBuf;

/* --- datum <-> C value ------------------------------------------------- */

static inline SdbDatum sdb_datum_from_int64(int64_t v) { return (SdbDatum)v; }
static inline int64_t sdb_datum_to_int64(SdbDatum d) { return (int64_t)d; }
static inline SdbDatum sdb_datum_from_ptr(const void *p) { return (SdbDatum)(uintptr_t)p; }
static inline const SdbVarlena *sdb_datum_varlena(SdbDatum d) { return (const SdbVarlena *)(uintptr_t)d; }
SdbDatum sdb_datum_from_float8(double v);
double sdb_datum_to_float8(SdbDatum d);
SdbDatum sdb_datum_from_float4(float v);
float sdb_datum_to_float4(SdbDatum d);

/* A new varlena of `len` payload bytes (uninitialised, NUL after them) in
 * `arena`; NULL with 53200 (or 54000 past SDB_VARLENA_MAX) recorded. */
SdbVarlena *sdb_varlena_alloc(SdbArena *arena, size_t len);

/* A varlena holding a copy of `len` bytes at `data`, as a datum; SDB_OK or
 * SDB_ERROR as sdb_varlena_alloc. */
int sdb_varlena_make(SdbArena *arena, const void *data, size_t len, SdbDatum *out);

/* --- binary format ------------------------------------------------------ */

/* Append integers in network byte order (sdb_send_be: the `bytes` low-order
 * bytes of v); SDB_OK or SDB_ERROR (53200). */
int sdb_send_be(SdbStr *out, uint64_t v, int bytes);
int sdb_send_u8(SdbStr *out, uint8_t v);
int sdb_send_u16(SdbStr *out, uint16_t v);
int sdb_send_u32(SdbStr *out, uint32_t v);
int sdb_send_u64(SdbStr *out, uint64_t v);

/* Read integers in network byte order from `buf` (sdb_recv_be: `bytes` of
 * them, zero-extended); SDB_ERROR with 08P01 "insufficient data left in
 * message" (and *v = 0) when too few are left. */
int sdb_recv_be(SdbRecvBuf *buf, int bytes, uint64_t *v);
int sdb_recv_u8(SdbRecvBuf *buf, uint8_t *v);
int sdb_recv_u16(SdbRecvBuf *buf, uint16_t *v);
int sdb_recv_u32(SdbRecvBuf *buf, uint32_t *v);
int sdb_recv_u64(SdbRecvBuf *buf, uint64_t *v);

/* Point `*p` at the next `n` bytes of `buf` and skip them; 08P01 as above. */
int sdb_recv_bytes(SdbRecvBuf *buf, size_t n, const unsigned char **p);

/* --- PostgreSQL's common input errors (all return SDB_ERROR) ------------- */

/* 22P02 invalid input syntax for type <type>: "<text>" */
int sdb_err_syntax(const char *type, const char *text);

/* 22003 value "<text>" is out of range for type <type> */
int sdb_err_range(const char *type, const char *text);

/* 22P03 "incorrect binary data format" for a received value that is malformed. */
int sdb_err_binary(void);

/* The length of `s` without leading/trailing ASCII whitespace: *start is the
 * first non-space byte, the result the count up to the last one. */
size_t sdb_trimmed(const char *s, const char **start);

/* Whether `c` is ASCII whitespace as PostgreSQL's scanners see it. */
bool sdb_isspace(int c);

#endif /* SDB_TYPES_DATUM_H */
