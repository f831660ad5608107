/*
 * catalog/bootstrap.c: creating the catalogs of a new cluster and of a new
 * database, and their initial rows (PostgreSQL's initdb): schemas, the
 * catalogs describing themselves in pg_class/pg_attribute, the system
 * views' definitions in pg_rewrite, types, functions and operators from
 * the generated tables, access methods, collations, the two databases
 * and the bootstrap superuser.  Every row is written by the bootstrap
 * transaction (SDB_BOOTSTRAP_XID, always committed).  A finished bootstrap
 * is flushed and marked by a PG_VERSION file; one cut short by a crash is
 * removed and run again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog_int.h"
#include "common/error.h"
#include "sdb_functions.h"
#include "sdb_operators.h"
#include "storage/engine.h"
#include "storage/fileio.h"
#include "storage/heap.h"
#include "storage/smgr.h"
#include "storage/wal.h"
#include "types/typefuncs.h"
#include "types/typeio.h"

/* OIDs handed out at bootstrap (pg_rewrite rows), below the normal range. */
#define BOOTSTRAP_OID_START 12001

typedef struct Boot {
    SdbEngine *engine;
    SdbOid db_oid;
    SdbArena *arena;
    SdbOid next_oid;
} Boot;

static int put(Boot *b, const SdbCatTuple *t)
{
    return sdb_cat_insert(b->engine, b->db_oid, SDB_BOOTSTRAP_XID, 0, t);
}

static SdbOid schema_oid(const char *schema)
{
    return strcmp(schema, "pg_catalog") == 0 ? SDB_NAMESPACE_PG_CATALOG : SDB_NAMESPACE_INFORMATION_SCHEMA;
}

/* --- rows shared with DDL ------------------------------------------------- */

int sdb_cat_class_tuple(SdbCatTuple *t, SdbArena *arena, const SdbCatClassInfo *info)
{
    sdb_cat_tuple_init(t, sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID), arena);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_OID, info->oid);
    if (sdb_cat_set_text(t, SDB_ANUM_PG_CLASS_RELNAME, info->name) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELNAMESPACE, info->namespace_oid);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELOWNER, SDB_ROLE_POSTGRES);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELAM, info->am);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELFILENODE, info->relfilenode);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELPAGES, 0);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELTUPLES, sdb_datum_from_float4(-1.0f));
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELTOASTRELID, info->toast);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELHASINDEX, info->has_index);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELISSHARED, info->shared);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELPERSISTENCE, 'p');
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELKIND, (SdbDatum)(unsigned char)info->kind);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELNATTS, (SdbDatum)info->natts);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELCHECKS, (SdbDatum)info->checks);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELISPOPULATED, true);
    sdb_cat_set(t, SDB_ANUM_PG_CLASS_RELREPLIDENT, (SdbDatum)(info->kind == 'r' ? 'd' : 'n'));
    return SDB_OK;
}

/* PostgreSQL's typstorage of `type` (a domain's is its base type's): plain
 * for fixed-length types and the vectors, main for numeric, extended for
 * other varlenas. */
static char type_storage(const SdbTypeInfo *type)
{
    if (type == NULL)
        return 'x';
    const SdbTypeInfo *base = sdb_type_by_oid(sdb_domain_base_type(type->oid));
    if (base == NULL)
        base = type;
    if (base->oid == SDB_TYPEOID_NUMERIC)
        return 'm';
    if (base->len > 0 || base->oid == SDB_TYPEOID_INT2VECTOR || base->oid == SDB_TYPEOID_OIDVECTOR)
        return 'p';
    return 'x';
}

/* The collation of a column of `type`: default for strings, C for name. */
static SdbOid type_collation(SdbOid type)
{
    SdbOid base = sdb_domain_base_type(type);
    if (base == SDB_TYPEOID_NAME)
        return 950;
    if (base == SDB_TYPEOID_TEXT || base == SDB_TYPEOID_VARCHAR || base == SDB_TYPEOID_BPCHAR)
        return 100;
    return 0;
}

int sdb_cat_attribute_tuple(SdbCatTuple *t, SdbArena *arena, SdbOid relid, const SdbAttribute *att, bool has_default)
{
    const SdbTypeInfo *type = sdb_type_by_oid(att->type);
    sdb_cat_tuple_init(t, sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID), arena);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTRELID, relid);
    if (sdb_cat_set_text(t, SDB_ANUM_PG_ATTRIBUTE_ATTNAME, att->name) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTTYPID, att->type);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTSTATTARGET, sdb_datum_from_int64(-1));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTLEN, sdb_datum_from_int64(type ? type->len : -1));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTNUM, sdb_datum_from_int64(att->attnum));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTNDIMS, (SdbDatum)(type && type->category == 'A' ? 1 : 0));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTCACHEOFF, sdb_datum_from_int64(-1));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTTYPMOD, sdb_datum_from_int64(att->typmod));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTBYVAL, type && type->byval);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTALIGN, (SdbDatum)(unsigned char)(type ? type->align : 'i'));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTSTORAGE, (SdbDatum)(unsigned char)type_storage(type));
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTNOTNULL, att->not_null);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTHASDEF, has_default);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTIDENTITY, (SdbDatum)(unsigned char)att->identity);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTISDROPPED, att->dropped);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTISLOCAL, true);
    sdb_cat_set(t, SDB_ANUM_PG_ATTRIBUTE_ATTCOLLATION, type_collation(att->type));
    return SDB_OK;
}

/* --- the catalogs themselves --------------------------------------------- */

static int catalog_class_rows(Boot *b, const SdbCatalogRel *rel)
{
    SdbCatTuple t;
    bool table = rel->kind == SDB_CATALOG_TABLE;
    SdbCatClassInfo info = {
        .oid = rel->oid,
        .name = rel->name,
        .namespace_oid = schema_oid(rel->schema),
        .kind = table ? 'r' : 'v',
        .relfilenode = table ? rel->oid : 0,
        .am = table ? SDB_AM_HEAP : 0,
        .natts = rel->ncolumns,
        .shared = rel->shared,
    };
    if (sdb_cat_class_tuple(&t, b->arena, &info) != SDB_OK || put(b, &t) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < rel->ncolumns; i++) {
        const SdbCatalogColumn *c = &rel->columns[i];
        SdbAttribute att = {
            .name = c->name, .attnum = c->attnum, .type = c->type_oid, .typmod = c->typmod, .not_null = c->not_null};
        if (sdb_cat_attribute_tuple(&t, b->arena, rel->oid, &att, false) != SDB_OK || put(b, &t) != SDB_OK)
            return SDB_ERROR;
    }
    if (rel->definition == NULL)
        return SDB_OK;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_REWRITE_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_OID, b->next_oid++);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_CLASS, rel->oid);
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_TYPE, '1');
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_EV_ENABLED, 'O');
    sdb_cat_set(&t, SDB_ANUM_PG_REWRITE_IS_INSTEAD, true);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_RULENAME, "_RETURN") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_EV_QUAL, "<>") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_EV_ACTION, rel->definition) != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

static int description_row(Boot *b, SdbOid objoid, SdbOid classoid, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return SDB_OK;
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_DESCRIPTION_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_OBJOID, objoid);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_CLASSOID, classoid);
    sdb_cat_set(&t, SDB_ANUM_PG_DESCRIPTION_OBJSUBID, 0);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_DESCRIPTION_DESCRIPTION, text) != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

/* An initdb schema: USAGE and CREATE for its owner, USAGE for PUBLIC
 * (nspacl, which \dn+ shows), and its comment. */
static int namespace_row(Boot *b, SdbOid oid, const char *name, SdbOid owner, const char *comment)
{
    SdbCatTuple t;
    SdbDatum acl;
    char text[64];
    snprintf(text, sizeof text, "{%u=UC/%u,=U/%u}", owner, owner, owner);
    SdbTypeCtx ctx = {.arena = b->arena, .typid = SDB_TYPEOID_ACLITEM_ARRAY, .typmod = -1};
    if (sdb_type_input(&ctx, text, &acl) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_NAMESPACE_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_NAMESPACE_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_NAMESPACE_NSPOWNER, owner);
    sdb_cat_set(&t, SDB_ANUM_PG_NAMESPACE_NSPACL, acl);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_NAMESPACE_NSPNAME, name) != SDB_OK || put(b, &t) != SDB_OK)
        return SDB_ERROR;
    return description_row(b, oid, SDB_CATALOG_PG_NAMESPACE_OID, comment);
}

/* --- types, functions, operators ------------------------------------------ */

static bool is_domain(const SdbTypeInfo *type)
{
    return sdb_domain_base_type(type->oid) != type->oid;
}

static int type_row(Boot *b, const SdbTypeInfo *type)
{
    SdbCatTuple t;
    bool domain = is_domain(type);
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_TYPE_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_OID, type->oid);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_TYPE_TYPNAME, type->name) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPNAMESPACE,
                domain ? SDB_NAMESPACE_INFORMATION_SCHEMA : SDB_NAMESPACE_PG_CATALOG);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPOWNER, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPLEN, sdb_datum_from_int64(type->len));
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPBYVAL, type->byval);
    char typtype = type->kind == SDB_TYPEKIND_PSEUDO ? 'p' : domain ? 'd' : 'b';
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPTYPE, (SdbDatum)(unsigned char)typtype);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPCATEGORY, (SdbDatum)(unsigned char)type->category);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPISPREFERRED, type->preferred);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPISDEFINED, true);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPDELIM, ',');
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPELEM, type->elem_oid);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPARRAY, type->array_oid);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPALIGN, (SdbDatum)(unsigned char)type->align);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPSTORAGE, (SdbDatum)(unsigned char)type_storage(type));
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPBASETYPE, domain ? sdb_domain_base_type(type->oid) : 0);
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPTYPMOD, sdb_datum_from_int64(-1));
    sdb_cat_set(&t, SDB_ANUM_PG_TYPE_TYPCOLLATION, type_collation(type->oid));
    if (put(b, &t) != SDB_OK)
        return SDB_ERROR;
    return description_row(b, type->oid, SDB_CATALOG_PG_TYPE_OID, type->description);
}

static int proc_row(Boot *b, const SdbFuncInfo *fn)
{
    static const char volatility[] = {
        [SDB_VOLATILITY_IMMUTABLE] = 'i', [SDB_VOLATILITY_STABLE] = 's', [SDB_VOLATILITY_VOLATILE] = 'v'};
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_PROC_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_OID, fn->oid);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PRONAMESPACE, SDB_NAMESPACE_PG_CATALOG);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROOWNER, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROLANG, 12); /* internal */
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROCOST, sdb_datum_from_float4(1.0f));
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROKIND, 'f');
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROISSTRICT, fn->strict);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROVOLATILE, (SdbDatum)(unsigned char)volatility[fn->volatility]);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROPARALLEL, 's');
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PRONARGS, (SdbDatum)fn->nargs);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PRORETTYPE, fn->rettype);
    sdb_cat_set(&t, SDB_ANUM_PG_PROC_PRORETSET, fn->retset);
    if (fn->variadic && fn->nargs > 0)
        sdb_cat_set(&t, SDB_ANUM_PG_PROC_PROVARIADIC, fn->argtypes[fn->nargs - 1]);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_PROC_PRONAME, fn->name) != SDB_OK ||
        sdb_cat_set_oidvector(&t, SDB_ANUM_PG_PROC_PROARGTYPES, fn->nargs, fn->argtypes) != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_PROC_PROSRC, fn->symbol) != SDB_OK || put(b, &t) != SDB_OK)
        return SDB_ERROR;
    return description_row(b, fn->oid, SDB_CATALOG_PG_PROC_OID, fn->description);
}

static int operator_row(Boot *b, const SdbOperInfo *op)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_OPERATOR_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OID, op->oid);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRNAMESPACE, SDB_NAMESPACE_PG_CATALOG);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPROWNER, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRKIND, (SdbDatum)(op->left == 0 ? 'l' : 'b'));
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRLEFT, op->left);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRRIGHT, op->right);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRRESULT, op->result);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRCOM, op->commutator);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRNEGATE, op->negator);
    sdb_cat_set(&t, SDB_ANUM_PG_OPERATOR_OPRCODE, op->func);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_OPERATOR_OPRNAME, op->name) != SDB_OK || put(b, &t) != SDB_OK)
        return SDB_ERROR;
    return description_row(b, op->oid, SDB_CATALOG_PG_OPERATOR_OID, op->description);
}

static int am_row(Boot *b, SdbOid oid, const char *name, char type)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_AM_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_AM_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_AM_AMTYPE, (SdbDatum)(unsigned char)type);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_AM_AMNAME, name) != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

static int collation_row(Boot *b, SdbOid oid, const char *name, char provider, const char *locale)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_COLLATION_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_COLLNAMESPACE, SDB_NAMESPACE_PG_CATALOG);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_COLLOWNER, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_COLLPROVIDER, (SdbDatum)(unsigned char)provider);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_COLLISDETERMINISTIC, true);
    sdb_cat_set(&t, SDB_ANUM_PG_COLLATION_COLLENCODING, sdb_datum_from_int64(-1));
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_COLLATION_COLLNAME, name) != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_COLLATION_COLLCOLLATE, locale) != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_COLLATION_COLLCTYPE, locale) != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

/* --- shared catalogs ------------------------------------------------------- */

/* A pg_database row.  The templates are initdb's: template0 takes no
 * connections, and both grant CONNECT to PUBLIC and everything to the
 * bootstrap superuser in datacl (postgres has the default privileges,
 * NULL), which psql's \l shows. */
static int database_row(Boot *b, SdbOid oid, const char *name, bool is_template)
{
    SdbDatum acl = 0;
    if (is_template) {
        SdbTypeCtx ctx = {.arena = b->arena, .typid = SDB_TYPEOID_ACLITEM_ARRAY, .typmod = -1};
        char text[64];
        snprintf(text, sizeof text, "{=c/%u,%u=CTc/%u}", SDB_ROLE_POSTGRES, SDB_ROLE_POSTGRES, SDB_ROLE_POSTGRES);
        if (sdb_type_input(&ctx, text, &acl) != SDB_OK)
            return SDB_ERROR;
    }
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_DATABASE_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATDBA, SDB_ROLE_POSTGRES);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_ENCODING, 6); /* UTF8 */
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATLOCPROVIDER, 'c');
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATISTEMPLATE, is_template);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATALLOWCONN, oid != SDB_DATABASE_TEMPLATE0);
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATCONNLIMIT, sdb_datum_from_int64(-1));
    sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATTABLESPACE, 1663);
    if (is_template)
        sdb_cat_set(&t, SDB_ANUM_PG_DATABASE_DATACL, acl);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATNAME, name) != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATCOLLATE, "C") != SDB_OK ||
        sdb_cat_set_text(&t, SDB_ANUM_PG_DATABASE_DATCTYPE, "C") != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

/* The bootstrap superuser (every attribute), or a role with none but
 * INHERIT (pg_database_owner, which owns schema public as in PostgreSQL 15:
 * the owner of the current database is implicitly its member). */
static int authid_row(Boot *b, SdbOid oid, const char *name, bool superuser)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_AUTHID_OID), b->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_OID, oid);
    for (int anum = SDB_ANUM_PG_AUTHID_ROLSUPER; anum <= SDB_ANUM_PG_AUTHID_ROLBYPASSRLS; anum++)
        sdb_cat_set(&t, anum, superuser || anum == SDB_ANUM_PG_AUTHID_ROLINHERIT);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_ROLCONNLIMIT, sdb_datum_from_int64(-1));
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_AUTHID_ROLNAME, name) != SDB_OK)
        return SDB_ERROR;
    return put(b, &t);
}

static int create_heaps(Boot *b, bool shared)
{
    if (sdb_heap_create(b->engine, (SdbRelFileId){b->db_oid, SDB_CATALOG_TOAST_RELNUM}) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < SDB_CATALOG_REL_COUNT; i++) {
        const SdbCatalogRel *rel = &sdb_catalog_rels[i];
        if (rel->kind == SDB_CATALOG_TABLE && rel->shared == shared &&
            sdb_heap_create(b->engine, sdb_cat_file(rel, b->db_oid)) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- completion ------------------------------------------------------------ */

/* "<datadir>/global/PG_VERSION" (shared catalogs, db_oid 0) or
 * "<datadir>/base/<db>/PG_VERSION": written once a bootstrap's WAL is
 * flushed, so it exists only when the catalogs it marks are complete and
 * survive any crash (PostgreSQL's initdb writes the same file). */
static void version_file(SdbEngine *engine, SdbOid db_oid, char *buf, size_t size)
{
    const char *datadir = sdb_engine_datadir(engine);
    if (db_oid == 0)
        snprintf(buf, size, "%s/global/PG_VERSION", datadir);
    else
        snprintf(buf, size, "%s/base/%u/PG_VERSION", datadir, (unsigned)db_oid);
}

int sdb_cat_bootstrap_done(SdbEngine *engine, SdbOid db_oid, bool *done)
{
    char path[PATH_MAX];
    struct stat st;
    version_file(engine, db_oid, path, sizeof path);
    *done = stat(path, &st) == 0;
    if (!*done && errno != ENOENT)
        return sdb_error_errno(errno, "could not stat file \"%s\"", path);
    return SDB_OK;
}

static int drop_if_exists(Boot *b, SdbOid rel_number)
{
    SdbRelFileId file = {b->db_oid, rel_number};
    bool exists;
    if (sdb_smgr_exists(sdb_engine_smgr(b->engine), file, SDB_FORK_MAIN, &exists) != SDB_OK)
        return SDB_ERROR;
    return exists ? sdb_engine_drop_relation(b->engine, file, SDB_INVALID_XID) : SDB_OK;
}

/* Remove the catalog files a bootstrap cut short by a crash left behind
 * (logged drops, so redo of the old records cannot bring them back). */
static int remove_leftovers(Boot *b)
{
    bool shared = b->db_oid == 0;
    if (drop_if_exists(b, SDB_CATALOG_TOAST_RELNUM) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < SDB_CATALOG_REL_COUNT; i++) {
        const SdbCatalogRel *rel = &sdb_catalog_rels[i];
        if (rel->kind == SDB_CATALOG_TABLE && rel->shared == shared && drop_if_exists(b, rel->oid) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* Make everything the bootstrap wrote durable, then say so. */
static int mark_done(Boot *b)
{
    SdbWal *wal = sdb_engine_wal(b->engine);
    if (sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)) != SDB_OK)
        return SDB_ERROR;
    char path[PATH_MAX];
    version_file(b->engine, b->db_oid, path, sizeof path);
    return sdb_file_replace(path, "15\n", 3);
}

static int run_boot(SdbEngine *engine, SdbOid db_oid, int (*fill)(Boot *))
{
    Boot b = {.engine = engine, .db_oid = db_oid, .next_oid = BOOTSTRAP_OID_START};
    b.arena = sdb_arena_create(NULL, "catalog bootstrap", 0);
    if (b.arena == NULL)
        return SDB_ERROR;
    int rc = remove_leftovers(&b);
    if (rc == SDB_OK)
        rc = fill(&b);
    if (rc == SDB_OK)
        rc = mark_done(&b);
    sdb_arena_destroy(b.arena);
    return rc;
}

static int fill_shared(Boot *b)
{
    if (create_heaps(b, true) != SDB_OK || database_row(b, SDB_DATABASE_TEMPLATE1, "template1", true) != SDB_OK ||
        database_row(b, SDB_DATABASE_TEMPLATE0, "template0", true) != SDB_OK ||
        database_row(b, SDB_DATABASE_POSTGRES, "postgres", false) != SDB_OK)
        return SDB_ERROR;
    if (authid_row(b, SDB_ROLE_POSTGRES, "postgres", true) != SDB_OK)
        return SDB_ERROR;
    return authid_row(b, SDB_ROLE_PG_DATABASE_OWNER, "pg_database_owner", false);
}

int sdb_cat_bootstrap_shared(SdbEngine *engine)
{
    return run_boot(engine, 0, fill_shared);
}

static int fill_database(Boot *b)
{
    if (create_heaps(b, false) != SDB_OK ||
        namespace_row(b, SDB_NAMESPACE_PG_CATALOG, "pg_catalog", SDB_ROLE_POSTGRES, "system catalog schema") != SDB_OK ||
        namespace_row(b, SDB_NAMESPACE_PUBLIC, "public", SDB_ROLE_PG_DATABASE_OWNER, "standard public schema") !=
            SDB_OK ||
        namespace_row(b, SDB_NAMESPACE_INFORMATION_SCHEMA, "information_schema", SDB_ROLE_POSTGRES, NULL) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < SDB_CATALOG_REL_COUNT; i++) {
        const SdbCatalogRel *rel = &sdb_catalog_rels[i];
        if (catalog_class_rows(b, rel) != SDB_OK ||
            description_row(b, rel->oid, SDB_CATALOG_PG_CLASS_OID, rel->description) != SDB_OK)
            return SDB_ERROR;
        sdb_arena_reset(b->arena);
    }
    for (int i = 0; i < SDB_TYPE_COUNT; i++)
        if (type_row(b, &sdb_types[i]) != SDB_OK)
            return SDB_ERROR;
    sdb_arena_reset(b->arena);
    for (int i = 0; i < SDB_FUNCTION_COUNT; i++)
        if (proc_row(b, &sdb_functions[i]) != SDB_OK)
            return SDB_ERROR;
    sdb_arena_reset(b->arena);
    for (int i = 0; i < SDB_OPERATOR_COUNT; i++)
        if (operator_row(b, &sdb_operators[i]) != SDB_OK)
            return SDB_ERROR;
    if (am_row(b, SDB_AM_HEAP, "heap", 't') != SDB_OK || am_row(b, SDB_AM_BTREE, "btree", 'i') != SDB_OK ||
        collation_row(b, 100, "default", 'd', NULL) != SDB_OK || collation_row(b, 950, "C", 'c', "C") != SDB_OK ||
        collation_row(b, 951, "POSIX", 'c', "POSIX") != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

int sdb_cat_bootstrap_database(SdbEngine *engine, SdbOid db_oid)
{
    return run_boot(engine, db_oid, fill_database);
}

int sdb_cat_database_exists(SdbEngine *engine, SdbOid db_oid, bool *exists)
{
    SdbRelFileId file = {db_oid, SDB_CATALOG_TOAST_RELNUM}; /* created first */
    return sdb_smgr_exists(sdb_engine_smgr(engine), file, SDB_FORK_MAIN, exists);
}
