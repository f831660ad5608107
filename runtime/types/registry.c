/*
 * types/registry.c: the map from the I/O function names of spec/types.toml
 * to the C functions of this folder (sdb_typefunc_lookup), each type's
 * compare/hash/key operations (sdb_type_ops), and the conversions that go
 * through them by type OID (sdb_type_input/output/receive/send).
 */
#include <stdlib.h>
#include <string.h>

#include "types/numeric.h"
#include "types/typefuncs.h"

#define IN(n, f) {n, SDB_TYPEFUNC_INPUT, {.input = f}}
#define OUT(n, f) {n, SDB_TYPEFUNC_OUTPUT, {.output = f}}
#define RECV(n, f) {n, SDB_TYPEFUNC_RECEIVE, {.receive = f}}
#define SEND(n, f) {n, SDB_TYPEFUNC_SEND, {.send = f}}

/* The result of a function returning void (pg_sleep): empty, as text and
 * as binary. */
static int void_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    (void)ctx, (void)value, (void)out;
    return SDB_OK;
}

/* Sorted by name (strcmp order) for binary search; a unit test checks it. */
static const SdbTypeFunc typefuncs[] = {
    IN("aclitemin", sdb_aclitem_in),
    OUT("aclitemout", sdb_aclitem_out),
    OUT("anyarray_out", sdb_array_out), /* pg_statistic.stavalues: arrays of any type */
    SEND("anyarray_send", sdb_array_send),
    IN("array_in", sdb_array_in),
    OUT("array_out", sdb_array_out),
    RECV("array_recv", sdb_array_recv),
    SEND("array_send", sdb_array_send),
    IN("boolin", sdb_boolin),
    OUT("boolout", sdb_boolout),
    RECV("boolrecv", sdb_boolrecv),
    SEND("boolsend", sdb_byval_send),
    IN("bpcharin", sdb_textin),
    OUT("bpcharout", sdb_textout),
    RECV("bpcharrecv", sdb_textrecv),
    SEND("bpcharsend", sdb_varlenasend),
    IN("byteain", sdb_byteain),
    OUT("byteaout", sdb_byteaout),
    RECV("bytearecv", sdb_bytearecv),
    SEND("byteasend", sdb_varlenasend),
    IN("charin", sdb_charin),
    OUT("charout", sdb_charout),
    RECV("charrecv", sdb_byval_recv),
    SEND("charsend", sdb_byval_send),
    IN("date_in", sdb_date_in),
    OUT("date_out", sdb_date_out),
    RECV("date_recv", sdb_date_recv),
    SEND("date_send", sdb_byval_send),
    IN("domain_in", sdb_domain_in),
    RECV("domain_recv", sdb_domain_recv),
    IN("float4in", sdb_floatin),
    OUT("float4out", sdb_floatout),
    RECV("float4recv", sdb_byval_recv),
    SEND("float4send", sdb_byval_send),
    IN("float8in", sdb_floatin),
    OUT("float8out", sdb_floatout),
    RECV("float8recv", sdb_byval_recv),
    SEND("float8send", sdb_byval_send),
    IN("int2in", sdb_intin),
    OUT("int2out", sdb_intout),
    RECV("int2recv", sdb_byval_recv),
    SEND("int2send", sdb_byval_send),
    IN("int2vectorin", sdb_vector_in),
    OUT("int2vectorout", sdb_vector_out),
    RECV("int2vectorrecv", sdb_vector_recv),
    SEND("int2vectorsend", sdb_array_send),
    IN("int4in", sdb_intin),
    OUT("int4out", sdb_intout),
    RECV("int4recv", sdb_byval_recv),
    SEND("int4send", sdb_byval_send),
    IN("int8in", sdb_intin),
    OUT("int8out", sdb_intout),
    RECV("int8recv", sdb_byval_recv),
    SEND("int8send", sdb_byval_send),
    IN("interval_in", sdb_interval_in),
    OUT("interval_out", sdb_interval_out),
    RECV("interval_recv", sdb_interval_recv),
    SEND("interval_send", sdb_interval_send),
    IN("json_in", sdb_json_in),
    OUT("json_out", sdb_textout),
    RECV("json_recv", sdb_json_recv),
    SEND("json_send", sdb_varlenasend),
    IN("jsonb_in", sdb_jsonb_in),
    OUT("jsonb_out", sdb_jsonb_out),
    RECV("jsonb_recv", sdb_jsonb_recv),
    SEND("jsonb_send", sdb_jsonb_send),
    IN("namein", sdb_textin),
    OUT("nameout", sdb_textout),
    RECV("namerecv", sdb_textrecv),
    SEND("namesend", sdb_varlenasend),
    IN("numeric_in", sdb_numeric_in),
    OUT("numeric_out", sdb_numeric_out),
    RECV("numeric_recv", sdb_numeric_recv),
    SEND("numeric_send", sdb_numeric_send),
    IN("oidin", sdb_oidin),
    OUT("oidout", sdb_oidout),
    RECV("oidrecv", sdb_byval_recv),
    SEND("oidsend", sdb_byval_send),
    IN("oidvectorin", sdb_vector_in),
    OUT("oidvectorout", sdb_vector_out),
    RECV("oidvectorrecv", sdb_vector_recv),
    SEND("oidvectorsend", sdb_array_send),
    IN("pg_node_tree_in", sdb_pg_node_tree_in),
    OUT("pg_node_tree_out", sdb_textout),
    RECV("pg_node_tree_recv", sdb_pg_node_tree_recv),
    SEND("pg_node_tree_send", sdb_varlenasend),
    IN("record_in", sdb_record_in),
    OUT("record_out", sdb_record_out),
    RECV("record_recv", sdb_record_recv),
    SEND("record_send", sdb_record_send),
    IN("regclassin", sdb_regin),
    OUT("regclassout", sdb_regout),
    RECV("regclassrecv", sdb_byval_recv),
    SEND("regclasssend", sdb_byval_send),
    IN("regnamespacein", sdb_regin),
    OUT("regnamespaceout", sdb_regout),
    RECV("regnamespacerecv", sdb_byval_recv),
    SEND("regnamespacesend", sdb_byval_send),
    IN("regprocin", sdb_regin),
    OUT("regprocout", sdb_regout),
    RECV("regprocrecv", sdb_byval_recv),
    SEND("regprocsend", sdb_byval_send),
    IN("regrolein", sdb_regin),
    OUT("regroleout", sdb_regout),
    RECV("regrolerecv", sdb_byval_recv),
    SEND("regrolesend", sdb_byval_send),
    IN("regtypein", sdb_regin),
    OUT("regtypeout", sdb_regout),
    RECV("regtyperecv", sdb_byval_recv),
    SEND("regtypesend", sdb_byval_send),
    IN("textin", sdb_textin),
    OUT("textout", sdb_textout),
    RECV("textrecv", sdb_textrecv),
    SEND("textsend", sdb_varlenasend),
    IN("tidin", sdb_tidin),
    OUT("tidout", sdb_tidout),
    RECV("tidrecv", sdb_tidrecv),
    SEND("tidsend", sdb_varlenasend),
    IN("time_in", sdb_time_in),
    OUT("time_out", sdb_time_out),
    RECV("time_recv", sdb_time_recv),
    SEND("time_send", sdb_byval_send),
    IN("timestamp_in", sdb_timestamp_in),
    OUT("timestamp_out", sdb_timestamp_out),
    RECV("timestamp_recv", sdb_timestamp_recv),
    SEND("timestamp_send", sdb_byval_send),
    IN("timestamptz_in", sdb_timestamptz_in),
    OUT("timestamptz_out", sdb_timestamptz_out),
    RECV("timestamptz_recv", sdb_timestamp_recv),
    SEND("timestamptz_send", sdb_byval_send),
    IN("timetz_in", sdb_timetz_in),
    OUT("timetz_out", sdb_timetz_out),
    RECV("timetz_recv", sdb_timetz_recv),
    SEND("timetz_send", sdb_timetz_send),
    IN("uuid_in", sdb_uuid_in),
    OUT("uuid_out", sdb_uuid_out),
    RECV("uuid_recv", sdb_uuid_recv),
    SEND("uuid_send", sdb_varlenasend),
    IN("varcharin", sdb_textin),
    OUT("varcharout", sdb_textout),
    RECV("varcharrecv", sdb_textrecv),
    SEND("varcharsend", sdb_varlenasend),
    OUT("void_out", void_out),
    SEND("void_send", void_out),
    IN("xidin", sdb_oidin),
    OUT("xidout", sdb_oidout),
    RECV("xidrecv", sdb_byval_recv),
    SEND("xidsend", sdb_byval_send),
};

#define TYPEFUNC_COUNT (sizeof typefuncs / sizeof typefuncs[0])

static int typefunc_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const SdbTypeFunc *)elem)->name);
}

const SdbTypeFunc *sdb_typefunc_lookup(const char *name)
{
    return bsearch(name, typefuncs, TYPEFUNC_COUNT, sizeof typefuncs[0], typefunc_cmp);
}

/* Test hook: the table, to check its order. */
const SdbTypeFunc *sdb_typefunc_table(size_t *count)
{
    *count = TYPEFUNC_COUNT;
    return typefuncs;
}

typedef struct OpsEntry {
    SdbOid oid;
    SdbTypeOps ops;
} OpsEntry;

#define INT_OPS(key) {sdb_int_compare, sdb_int_hash, key}
#define OID_OPS {sdb_oid_compare, sdb_oid_hash, sdb_oid_key}
#define BYTES_OPS {sdb_bytes_compare, sdb_bytes_hash, sdb_bytes_key}
#define FIXED_OPS {sdb_bytes_compare, sdb_bytes_hash, sdb_raw_key}
#define VECTOR_OPS {sdb_vector_compare, sdb_array_hash, sdb_vector_key}

static const OpsEntry type_ops[] = {
    {SDB_TYPEOID_RECORD, {sdb_record_compare, sdb_record_hash, sdb_record_key}},
    {SDB_TYPEOID_BOOL, {sdb_byte_compare, sdb_byte_hash, sdb_byte_key}},
    {SDB_TYPEOID_CHAR, {sdb_byte_compare, sdb_byte_hash, sdb_byte_key}},
    {SDB_TYPEOID_INT2, INT_OPS(sdb_int2_key)},
    {SDB_TYPEOID_INT4, INT_OPS(sdb_int4_key)},
    {SDB_TYPEOID_INT8, INT_OPS(sdb_int8_key)},
    {SDB_TYPEOID_DATE, INT_OPS(sdb_int4_key)},
    {SDB_TYPEOID_TIME, INT_OPS(sdb_int8_key)},
    {SDB_TYPEOID_TIMESTAMP, INT_OPS(sdb_int8_key)},
    {SDB_TYPEOID_TIMESTAMPTZ, INT_OPS(sdb_int8_key)},
    {SDB_TYPEOID_OID, OID_OPS},
    {SDB_TYPEOID_XID, OID_OPS},
    {SDB_TYPEOID_REGPROC, OID_OPS},
    {SDB_TYPEOID_REGCLASS, OID_OPS},
    {SDB_TYPEOID_REGTYPE, OID_OPS},
    {SDB_TYPEOID_REGNAMESPACE, OID_OPS},
    {SDB_TYPEOID_REGROLE, OID_OPS},
    {SDB_TYPEOID_FLOAT4, {sdb_float4_compare, sdb_float4_hash, sdb_float4_key}},
    {SDB_TYPEOID_FLOAT8, {sdb_float8_compare, sdb_float8_hash, sdb_float8_key}},
    {SDB_TYPEOID_NUMERIC, {sdb_numeric_compare, sdb_numeric_hash, sdb_numeric_key}},
    {SDB_TYPEOID_TEXT, BYTES_OPS},
    {SDB_TYPEOID_VARCHAR, BYTES_OPS},
    {SDB_TYPEOID_NAME, BYTES_OPS},
    {SDB_TYPEOID_BYTEA, BYTES_OPS},
    {SDB_TYPEOID_BPCHAR, {sdb_bpchar_compare, sdb_bpchar_hash, sdb_bpchar_key}},
    {SDB_TYPEOID_UUID, FIXED_OPS},
    {SDB_TYPEOID_TID, FIXED_OPS},
    {SDB_TYPEOID_INTERVAL, {sdb_interval_compare, sdb_interval_hash, sdb_interval_key}},
    {SDB_TYPEOID_TIMETZ, {sdb_timetz_compare, sdb_timetz_hash, sdb_timetz_key}},
    {SDB_TYPEOID_JSONB, {sdb_jsonb_compare, sdb_jsonb_hash, sdb_jsonb_key}},
    {SDB_TYPEOID_JSON, {NULL, NULL, NULL}},
    {SDB_TYPEOID_INT2VECTOR, VECTOR_OPS},
    /* PostgreSQL has no order for these two (pg_node_tree has none at all,
     * aclitem only = and hashing); ours are total orders consistent with
     * equality: pg_node_tree as text, aclitem by its stored bytes. */
    {SDB_TYPEOID_PG_NODE_TREE, BYTES_OPS},
    {SDB_TYPEOID_ACLITEM, FIXED_OPS},
    {SDB_TYPEOID_OIDVECTOR, VECTOR_OPS},
};

static const SdbTypeOps array_ops = {sdb_array_compare, sdb_array_hash, sdb_array_key};

/* A domain has its base type's operations. */
const SdbTypeOps *sdb_type_ops(SdbOid typid)
{
    typid = sdb_domain_base_type(typid);
    for (size_t i = 0; i < sizeof type_ops / sizeof type_ops[0]; i++)
        if (type_ops[i].oid == typid)
            return &type_ops[i].ops;
    const SdbTypeInfo *t = sdb_type_by_oid(typid);
    if (t != NULL && t->kind == SDB_TYPEKIND_BASE && strcmp(t->input, "array_in") == 0)
        return &array_ops;
    return NULL;
}

/* The spec's function of `kind` for ctx->typid; NULL with 42883 recorded. */
static const SdbTypeFunc *type_function(const SdbTypeCtx *ctx, SdbTypeFuncKind kind)
{
    const SdbTypeInfo *t = sdb_type_by_oid(ctx->typid);
    if (t == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "type with OID %u does not exist", (unsigned)ctx->typid);
        return NULL;
    }
    const char *names[] = {t->input, t->output, t->receive, t->send};
    const SdbTypeFunc *f = names[kind] != NULL ? sdb_typefunc_lookup(names[kind]) : NULL;
    /* pseudo-types have output functions (records, anyarray values such as
     * pg_statistic.stavalues); of their inputs only record's */
    bool in = kind == SDB_TYPEFUNC_INPUT || kind == SDB_TYPEFUNC_RECEIVE;
    if (f == NULL || (t->kind == SDB_TYPEKIND_PSEUDO && in && t->oid != SDB_TYPEOID_RECORD)) {
        sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "no %s function available for type %s",
                  kind == SDB_TYPEFUNC_INPUT ? "input" : kind == SDB_TYPEFUNC_OUTPUT ? "output"
                  : kind == SDB_TYPEFUNC_RECEIVE ? "binary input" : "binary output",
                  t->name);
        return NULL;
    }
    return f;
}

int sdb_type_input(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    const SdbTypeFunc *f = type_function(ctx, SDB_TYPEFUNC_INPUT);
    return f != NULL ? f->fn.input(ctx, text, out) : SDB_ERROR;
}

int sdb_type_output(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    const SdbTypeFunc *f = type_function(ctx, SDB_TYPEFUNC_OUTPUT);
    return f != NULL ? f->fn.output(ctx, value, out) : SDB_ERROR;
}

int sdb_type_receive_buf(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    const SdbTypeFunc *f = type_function(ctx, SDB_TYPEFUNC_RECEIVE);
    return f != NULL ? f->fn.receive(ctx, buf, out) : SDB_ERROR;
}

int sdb_type_receive(const SdbTypeCtx *ctx, const void *data, size_t len, SdbDatum *out)
{
    SdbRecvBuf buf = {data, len, 0};
    if (sdb_type_receive_buf(ctx, &buf, out) != SDB_OK)
        return SDB_ERROR;
    return buf.pos == buf.len ? SDB_OK : sdb_err_binary();
}

int sdb_type_send(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    const SdbTypeFunc *f = type_function(ctx, SDB_TYPEFUNC_SEND);
    return f != NULL ? f->fn.send(ctx, value, out) : SDB_ERROR;
}
