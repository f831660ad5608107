/*
 * types/typefuncs.h: the C functions behind the spec's I/O function names
 * and the per-type compare/hash/key functions, as the type modules export
 * them to the registry (registry.c).  Not for other subsystems: they go
 * through typeio.h.  Where several PostgreSQL functions behave identically
 * one C function serves them all (the registry maps each name).
 */
#ifndef SDB_TYPES_TYPEFUNCS_H
#define SDB_TYPES_TYPEFUNCS_H

#include "common/utf8.h"
#include "types/typeio.h"

/* Declare a text input, output, receive and send function. */
#define SDB_TYPE_INPUT(name) int name(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
#define SDB_TYPE_OUTPUT(name) int name(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
#define SDB_TYPE_RECV(name) int name(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
#define SDB_TYPE_SEND(name) int name(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
#define SDB_TYPE_OPS(prefix)                                                                                           \
    int prefix##_compare(SdbDatum a, SdbDatum b);                                                                      \
    uint64_t prefix##_hash(SdbDatum v);                                                                                \
    int prefix##_key(SdbDatum v, SdbStr *out)

static inline bool sdb_isoctal(char c)
{
    return c >= '0' && c <= '7';
}

/* int.c */
SDB_TYPE_INPUT(sdb_intin);
SDB_TYPE_OUTPUT(sdb_intout);
SDB_TYPE_RECV(sdb_byval_recv);
SDB_TYPE_SEND(sdb_byval_send);
int sdb_int_compare(SdbDatum a, SdbDatum b);
uint64_t sdb_int_hash(SdbDatum v);
int sdb_int2_key(SdbDatum v, SdbStr *out);
int sdb_int4_key(SdbDatum v, SdbStr *out);
int sdb_int8_key(SdbDatum v, SdbStr *out);
SDB_TYPE_INPUT(sdb_oidin);
SDB_TYPE_OUTPUT(sdb_oidout);
SDB_TYPE_INPUT(sdb_regin);
SDB_TYPE_OUTPUT(sdb_regout);
SDB_TYPE_OPS(sdb_oid);
SDB_TYPE_INPUT(sdb_boolin);
SDB_TYPE_OUTPUT(sdb_boolout);
SDB_TYPE_RECV(sdb_boolrecv);
SDB_TYPE_INPUT(sdb_charin);
SDB_TYPE_OUTPUT(sdb_charout);
SDB_TYPE_OPS(sdb_byte);
SDB_TYPE_INPUT(sdb_tidin);
SDB_TYPE_OUTPUT(sdb_tidout);
SDB_TYPE_RECV(sdb_tidrecv);

/* float.c */
SDB_TYPE_INPUT(sdb_floatin);
SDB_TYPE_OUTPUT(sdb_floatout);
SDB_TYPE_OPS(sdb_float4);
SDB_TYPE_OPS(sdb_float8);

/* strings.c */
SDB_TYPE_INPUT(sdb_textin);
SDB_TYPE_OUTPUT(sdb_textout);
SDB_TYPE_RECV(sdb_textrecv);
SDB_TYPE_SEND(sdb_varlenasend);
SDB_TYPE_OPS(sdb_bytes);
SDB_TYPE_OPS(sdb_bpchar);
SDB_TYPE_INPUT(sdb_byteain);
SDB_TYPE_OUTPUT(sdb_byteaout);
SDB_TYPE_RECV(sdb_bytearecv);
SDB_TYPE_INPUT(sdb_uuid_in);
SDB_TYPE_OUTPUT(sdb_uuid_out);
SDB_TYPE_RECV(sdb_uuid_recv);
int sdb_raw_key(SdbDatum v, SdbStr *out);

/* numeric.c */
SDB_TYPE_INPUT(sdb_numeric_in);
SDB_TYPE_OUTPUT(sdb_numeric_out);
SDB_TYPE_RECV(sdb_numeric_recv);
SDB_TYPE_SEND(sdb_numeric_send);
uint64_t sdb_numeric_hash(SdbDatum v);
int sdb_numeric_key(SdbDatum v, SdbStr *out);

/* datetime.c */
SDB_TYPE_INPUT(sdb_date_in);
SDB_TYPE_OUTPUT(sdb_date_out);
SDB_TYPE_INPUT(sdb_time_in);
SDB_TYPE_OUTPUT(sdb_time_out);
SDB_TYPE_RECV(sdb_time_recv);
SDB_TYPE_INPUT(sdb_timetz_in);
SDB_TYPE_OUTPUT(sdb_timetz_out);
SDB_TYPE_RECV(sdb_timetz_recv);
SDB_TYPE_SEND(sdb_timetz_send);
SDB_TYPE_OPS(sdb_timetz);
SDB_TYPE_INPUT(sdb_timestamp_in);
SDB_TYPE_OUTPUT(sdb_timestamp_out);
SDB_TYPE_RECV(sdb_timestamp_recv);
SDB_TYPE_INPUT(sdb_timestamptz_in);
SDB_TYPE_OUTPUT(sdb_timestamptz_out);
SDB_TYPE_RECV(sdb_date_recv);

/* interval.c */
SDB_TYPE_INPUT(sdb_interval_in);
SDB_TYPE_OUTPUT(sdb_interval_out);
SDB_TYPE_RECV(sdb_interval_recv);
SDB_TYPE_SEND(sdb_interval_send);
SDB_TYPE_OPS(sdb_interval);

/* json.c */
SDB_TYPE_INPUT(sdb_json_in);
SDB_TYPE_RECV(sdb_json_recv);
SDB_TYPE_INPUT(sdb_jsonb_in);
SDB_TYPE_OUTPUT(sdb_jsonb_out);
SDB_TYPE_RECV(sdb_jsonb_recv);
SDB_TYPE_SEND(sdb_jsonb_send);
SDB_TYPE_OPS(sdb_jsonb);

/* array.c */
SDB_TYPE_INPUT(sdb_array_in);
SDB_TYPE_OUTPUT(sdb_array_out);
SDB_TYPE_RECV(sdb_array_recv);
SDB_TYPE_SEND(sdb_array_send);
SDB_TYPE_OPS(sdb_array);
SDB_TYPE_INPUT(sdb_vector_in);
SDB_TYPE_OUTPUT(sdb_vector_out);
SDB_TYPE_RECV(sdb_vector_recv);
int sdb_vector_compare(SdbDatum a, SdbDatum b);
int sdb_vector_key(SdbDatum v, SdbStr *out);

/* catalog.c */
SDB_TYPE_INPUT(sdb_pg_node_tree_in);
SDB_TYPE_RECV(sdb_pg_node_tree_recv);
SDB_TYPE_INPUT(sdb_aclitem_in);
SDB_TYPE_OUTPUT(sdb_aclitem_out);

/* record.c */
SDB_TYPE_INPUT(sdb_record_in);
SDB_TYPE_OUTPUT(sdb_record_out);
SDB_TYPE_RECV(sdb_record_recv);
SDB_TYPE_SEND(sdb_record_send);
SDB_TYPE_OPS(sdb_record);

/* domain.c */
SDB_TYPE_INPUT(sdb_domain_in);
SDB_TYPE_RECV(sdb_domain_recv);
/* The base type of an information_schema domain; any other type itself. */
SdbOid sdb_domain_base_type(SdbOid typid);

/* registry.c: the name table (sorted by name), for tests. */
const SdbTypeFunc *sdb_typefunc_table(size_t *count);

#endif /* SDB_TYPES_TYPEFUNCS_H */
