/*
 * types/domain.c: the information_schema domains (sql_identifier,
 * cardinal_number, character_data, yes_or_no) and PostgreSQL's domain_in /
 * domain_recv for them.  The spec declares them as types whose input and
 * receive are domain_in/domain_recv and whose output and send are the base
 * type's; the table below is the one place that knows each domain's base
 * type, base typmod and CHECK constraint (as information_schema.sql creates
 * them in PostgreSQL 15).
 *
 * As PostgreSQL's domain_in, the text is parsed by the base type's input
 * with the domain's base typmod (so 'YESS' as yes_or_no is 22001 "value too
 * long for type character varying(3)", 'YES ' is clipped to 'YES'), then
 * the CHECK is applied: 23514 "value for domain information_schema.<name>
 * violates check constraint "<constraint>"".
 */
#include <string.h>

#include "types/typefuncs.h"

#define VARCHAR_TYPMOD(n) ((n) + 4)

/* One domain: its base type and the predicate of its CHECK (NULL: none). */
typedef struct DomainInfo {
    SdbOid oid;
    const char *name; /* schema-qualified, as PostgreSQL's errors show it */
    SdbOid base;
    int32_t base_typmod;
    bool (*check)(SdbDatum value);
    const char *constraint;
} DomainInfo;

/* CHECK (VALUE >= 0) */
static bool is_cardinal(SdbDatum value)
{
    return sdb_datum_to_int64(value) >= 0;
}

/* CHECK (VALUE IN ('YES', 'NO')) */
static bool is_yes_or_no(SdbDatum value)
{
    const SdbVarlena *v = sdb_datum_varlena(value);
    return (v->len == 3 && memcmp(v->data, "YES", 3) == 0) || (v->len == 2 && memcmp(v->data, "NO", 2) == 0);
}

static const DomainInfo domains[] = {
    {SDB_TYPEOID_SQL_IDENTIFIER, "information_schema.sql_identifier", SDB_TYPEOID_NAME, -1, NULL, NULL},
    {SDB_TYPEOID_CARDINAL_NUMBER, "information_schema.cardinal_number", SDB_TYPEOID_INT4, -1, is_cardinal,
     "cardinal_number_domain_check"},
    {SDB_TYPEOID_CHARACTER_DATA, "information_schema.character_data", SDB_TYPEOID_VARCHAR, -1, NULL, NULL},
    {SDB_TYPEOID_YES_OR_NO, "information_schema.yes_or_no", SDB_TYPEOID_VARCHAR, VARCHAR_TYPMOD(3), is_yes_or_no,
     "yes_or_no_check"},
};

static const DomainInfo *domain_of(SdbOid typid)
{
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
        if (domains[i].oid == typid)
            return &domains[i];
    return NULL;
}

SdbOid sdb_domain_base_type(SdbOid typid)
{
    const DomainInfo *d = domain_of(typid);
    return d != NULL ? d->base : typid;
}

SdbOid sdb_type_base(SdbOid typid, int32_t *typmod)
{
    const DomainInfo *d = domain_of(typid);
    if (d == NULL)
        return typid;
    *typmod = d->base_typmod;
    return d->base;
}

/* The domain ctx->typid and the context its base type is converted in;
 * NULL with XX000 recorded when ctx->typid is not a domain. */
static const DomainInfo *domain_setup(const SdbTypeCtx *ctx, SdbTypeCtx *base_ctx)
{
    const DomainInfo *d = domain_of(ctx->typid);
    if (d == NULL) {
        sdb_error(SDB_ERR_INTERNAL_ERROR, "type %u is not a domain", (unsigned)ctx->typid);
        return NULL;
    }
    *base_ctx = *ctx;
    base_ctx->typid = d->base;
    base_ctx->typmod = d->base_typmod;
    return d;
}

/* Apply the domain's CHECK to a base value: SDB_OK, or 23514. */
static int domain_check(const DomainInfo *d, SdbDatum value)
{
    if (d->check == NULL || d->check(value))
        return SDB_OK;
    return sdb_error(SDB_ERR_CHECK_VIOLATION, "value for domain %s violates check constraint \"%s\"", d->name,
                     d->constraint);
}

/* domain_in: the base type's text input, then the CHECK. */
int sdb_domain_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    SdbTypeCtx base_ctx;
    const DomainInfo *d = domain_setup(ctx, &base_ctx);
    if (d == NULL || sdb_type_input(&base_ctx, text, out) != SDB_OK)
        return SDB_ERROR;
    return domain_check(d, *out);
}

/* domain_recv: the base type's binary input, then the CHECK. */
int sdb_domain_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    SdbTypeCtx base_ctx;
    const DomainInfo *d = domain_setup(ctx, &base_ctx);
    if (d == NULL || sdb_type_receive_buf(&base_ctx, buf, out) != SDB_OK)
        return SDB_ERROR;
    return domain_check(d, *out);
}
