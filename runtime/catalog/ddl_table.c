/*
 * catalog/ddl_table.c: CREATE TABLE and its pieces, shared with ALTER
 * TABLE: columns (types, NOT NULL, DEFAULT, serial, identity), sequences,
 * constraints (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) and indexes, built
 * from the table's existing rows.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/ddl_int.h"
#include "catalog/row.h"
#include "access/table.h"
#include "storage/btree.h"
#include "types/typeio.h"

/* Most key columns of an index or foreign key (PostgreSQL's INDEX_MAX_KEYS). */
#define INDEX_MAX_KEYS 32

/* --- catalog row updates ------------------------------------------------------ */

/* The visible row of catalog `crel` whose column anum1 == v1 (and anum2 ==
 * v2 when anum2 > 0), or *row = NULL. */
static int find_row(SdbDdl *d, const SdbCatalogRel *crel, int anum1, SdbDatum v1, int anum2, SdbDatum v2,
                    SdbCatRow **row)
{
    SdbCatRows rows;
    *row = NULL;
    if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++)
        if (rows.rows[i].values[anum1 - 1] == v1 && (anum2 == 0 || rows.rows[i].values[anum2 - 1] == v2))
            *row = &rows.rows[i];
    return SDB_OK;
}

static int class_row(SdbDdl *d, SdbOid oid, SdbCatTuple *t, SdbCatRow **row)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID);
    if (find_row(d, crel, SDB_ANUM_PG_CLASS_OID, oid, 0, 0, row) != SDB_OK)
        return SDB_ERROR;
    if (*row == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for relation %u", oid);
    sdb_cat_tuple_from_row(t, crel, *row, d->arena);
    return SDB_OK;
}

int sdb_ddl_update_class(SdbDdl *d, SdbOid oid, const char *new_name, int natts, int has_index)
{
    SdbCatTuple t;
    SdbCatRow *row;
    if (class_row(d, oid, &t, &row) != SDB_OK)
        return SDB_ERROR;
    if (new_name != NULL && sdb_cat_set_text(&t, SDB_ANUM_PG_CLASS_RELNAME, new_name) != SDB_OK)
        return SDB_ERROR;
    if (natts >= 0)
        sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELNATTS, (SdbDatum)natts);
    if (has_index >= 0)
        sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELHASINDEX, (SdbDatum)has_index);
    if (sdb_cat_update(d->cat, d->txn, row->tid, &t) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, oid);
}

/* pg_class.relhastriggers of `oid` set: PostgreSQL implements a foreign
 * key with (internal) triggers on both tables, and clients such as psql's
 * \d show foreign keys only of tables that have triggers. */
static int set_has_triggers(SdbDdl *d, SdbOid oid)
{
    SdbCatTuple t;
    SdbCatRow *row;
    if (class_row(d, oid, &t, &row) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELHASTRIGGERS, true);
    return sdb_cat_update(d->cat, d->txn, row->tid, &t);
}

/* Add `delta` to pg_class.relchecks of `oid`. */
int sdb_ddl_add_checks(SdbDdl *d, SdbOid oid, int delta)
{
    SdbCatTuple t;
    SdbCatRow *row;
    if (class_row(d, oid, &t, &row) != SDB_OK)
        return SDB_ERROR;
    int64_t checks = sdb_datum_to_int64(t.values[SDB_ANUM_PG_CLASS_RELCHECKS - 1]) + delta;
    sdb_cat_set(&t, SDB_ANUM_PG_CLASS_RELCHECKS, (SdbDatum)checks);
    return sdb_cat_update(d->cat, d->txn, row->tid, &t);
}

int sdb_ddl_set_not_null(SdbDdl *d, SdbOid relid, int attnum, bool not_null)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID);
    SdbCatRow *row;
    if (find_row(d, crel, SDB_ANUM_PG_ATTRIBUTE_ATTRELID, relid, SDB_ANUM_PG_ATTRIBUTE_ATTNUM,
                 sdb_datum_from_int64(attnum), &row) != SDB_OK)
        return SDB_ERROR;
    if (row == NULL)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "cache lookup failed for attribute %d of relation %u", attnum, relid);
    SdbCatTuple t;
    sdb_cat_tuple_from_row(&t, crel, row, d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTNOTNULL, not_null);
    if (sdb_cat_update(d->cat, d->txn, row->tid, &t) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, relid);
}

static SdbCid cid(SdbDdl *d)
{
    return d->txn->cid;
}

static int insert(SdbDdl *d, const SdbCatTuple *t)
{
    return sdb_cat_insert(d->cat->engine, d->cat->db_oid, d->xid, cid(d), t);
}

/* --- columns ------------------------------------------------------------------ */

static const char *type_last_name(const SdbTypeName *tn)
{
    const SdbNode *n = sdb_list_nth(tn->names, sdb_list_length(tn->names) - 1);
    return SDB_IS_A(n, STRING) ? ((const SdbString *)n)->sval : "";
}

/* serial, bigserial, smallserial (and serial2/4/8) -> its integer type. */
static char serial_kind(const SdbTypeName *tn)
{
    if (sdb_list_length(tn->names) != 1 || tn->array_bounds != NULL)
        return 0;
    const char *name = type_last_name(tn);
    if (strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0)
        return 'i';
    if (strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0)
        return 'b';
    if (strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0)
        return 's';
    return 0;
}

int sdb_ddl_column(SdbDdl *d, const SdbColumnDef *def, SdbDdlColumn *col)
{
    memset(col, 0, sizeof *col);
    col->def = def;
    col->att.name = def->colname;
    col->serial_type = serial_kind(def->type_name);
    if (col->serial_type) {
        col->att.type = col->serial_type == 'i'   ? SDB_TYPEOID_INT4
                        : col->serial_type == 'b' ? SDB_TYPEOID_INT8
                                                  : SDB_TYPEOID_INT2;
        col->att.typmod = -1;
        col->att.not_null = true;
    } else if (sdb_ddl_type(d, def->type_name, &col->att.type, &col->att.typmod) != SDB_OK) {
        return SDB_ERROR;
    }
    int n = sdb_list_length(def->constraints);
    for (int i = 0; i < n; i++) {
        const SdbConstraint *c = (const SdbConstraint *)sdb_list_nth(def->constraints, i);
        const SdbNode *next = i + 1 < n ? sdb_list_nth(def->constraints, i + 1) : NULL;
        switch (c->contype) {
        case SDB_CONSTR_TYPE_NOT_NULL:
            col->att.not_null = true;
            break;
        case SDB_CONSTR_TYPE_DEFAULT: {
            if (col->default_sql != NULL || col->serial_type)
                return sdb_error(SDB_ERR_SYNTAX_ERROR, "multiple default values specified for column \"%s\"",
                                 def->colname);
            int start = sdb_ddl_after_keyword(d, c->location, "DEFAULT", 0);
            int stop = next ? ((const SdbConstraint *)next)->location : -1;
            col->default_sql = sdb_ddl_expr_text(d, start, stop);
            if (col->default_sql == NULL)
                return SDB_ERROR;
            break;
        }
        case SDB_CONSTR_TYPE_IDENTITY:
            if (col->att.identity)
                return sdb_error(SDB_ERR_SYNTAX_ERROR, "multiple identity specifications for column \"%s\"",
                                 def->colname);
            col->att.identity = c->generated_when == SDB_IDENTITY_KIND_ALWAYS ? 'a' : 'd';
            col->att.not_null = true;
            col->identity_options = c->options;
            break;
        default:
            break; /* table constraints: sdb_ddl_add_constraint */
        }
    }
    if (col->att.identity && (col->default_sql != NULL || col->serial_type))
        return sdb_error(SDB_ERR_SYNTAX_ERROR, "both default and identity specified for column \"%s\"", def->colname);
    if (col->att.identity && col->att.type != SDB_TYPEOID_INT2 && col->att.type != SDB_TYPEOID_INT4 &&
        col->att.type != SDB_TYPEOID_INT8)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "identity column type must be smallint, integer, or bigint");
    return SDB_OK;
}

static int default_row(SdbDdl *d, SdbOid rel_oid, int attnum, const char *sql)
{
    SdbOid oid;
    SdbCatTuple t;
    if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRDEF_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_ATTRDEF_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_ATTRDEF_ADRELID, rel_oid);
    sdb_cat_set(&t, SDB_ANUM_PG_ATTRDEF_ADNUM, sdb_datum_from_int64(attnum));
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_ATTRDEF_ADBIN, sql) != SDB_OK)
        return SDB_ERROR;
    return insert(d, &t);
}

int sdb_ddl_set_default(SdbDdl *d, SdbOid rel_oid, int attnum, const char *sql)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRDEF_OID);
    SdbCatRow *row;
    if (find_row(d, crel, SDB_ANUM_PG_ATTRDEF_ADRELID, rel_oid, SDB_ANUM_PG_ATTRDEF_ADNUM, sdb_datum_from_int64(attnum),
                 &row) != SDB_OK)
        return SDB_ERROR;
    if (row != NULL && sdb_cat_delete(d->cat, d->txn, crel, row->tid) != SDB_OK)
        return SDB_ERROR;
    const SdbCatalogRel *arel = sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID);
    SdbCatRow *att;
    if (find_row(d, arel, SDB_ANUM_PG_ATTRIBUTE_ATTRELID, rel_oid, SDB_ANUM_PG_ATTRIBUTE_ATTNUM,
                 sdb_datum_from_int64(attnum), &att) != SDB_OK)
        return SDB_ERROR;
    if (att != NULL) {
        SdbCatTuple t;
        sdb_cat_tuple_from_row(&t, arel, att, d->arena);
        sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTHASDEF, sql != NULL);
        if (sdb_cat_update(d->cat, d->txn, att->tid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    if (sql != NULL && default_row(d, rel_oid, attnum, sql) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, rel_oid);
}

/* 'nextval('<seq>'::regclass)', the sequence qualified when the search
 * path would not find it. */
static const char *nextval_sql(SdbDdl *d, SdbOid nsp, const char *seq)
{
    SdbRangeVar rv = {.tag = SDB_T_RANGE_VAR, .relname = (char *)seq};
    const SdbRelation *found = sdb_ddl_find(d, &rv);
    if (found != NULL && found->namespace_oid == nsp)
        return sdb_arena_sprintf(d->arena, "nextval('%s'::regclass)", seq);
    return sdb_arena_sprintf(d->arena, "nextval('%s.%s'::regclass)", sdb_cat_namespace_name(d->cat, d->txn, nsp), seq);
}

int sdb_ddl_add_column(SdbDdl *d, SdbOid rel_oid, const char *table, SdbOid nsp, SdbDdlColumn *col)
{
    if (col->serial_type || col->att.identity) {
        const char *seq_name;
        SdbOid seq;
        char deptype = col->att.identity ? 'i' : 'a';
        if (sdb_ddl_choose_name(d, nsp, table, col->att.name, "seq", &seq_name) != SDB_OK ||
            sdb_ddl_create_sequence(d, nsp, seq_name, col->att.type, col->identity_options, rel_oid, col->att.attnum,
                                    deptype, &seq) != SDB_OK ||
            sdb_ddl_sync(d) != SDB_OK)
            return SDB_ERROR;
        if (col->serial_type && (col->default_sql = nextval_sql(d, nsp, seq_name)) == NULL)
            return SDB_ERROR;
    }
    SdbCatTuple t;
    if (sdb_cat_attribute_tuple(&t, d->arena, rel_oid, &col->att, col->default_sql != NULL) != SDB_OK ||
        insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    if (col->default_sql != NULL && default_row(d, rel_oid, col->att.attnum, col->default_sql) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, rel_oid);
}

/* --- sequences ----------------------------------------------------------------- */

typedef struct SeqOptions {
    SdbOid type;
    int64_t start, increment, min, max, cache;
    bool cycle, has_start, has_min, has_max;
    const SdbList *owned_by;
} SeqOptions;

static int option_int(const SdbDefElem *opt, int64_t *out)
{
    const SdbNode *arg = opt->arg;
    if (SDB_IS_A(arg, INTEGER)) {
        *out = ((const SdbInteger *)arg)->ival;
        return SDB_OK;
    }
    if (SDB_IS_A(arg, A_CONST) && ((const SdbAConst *)arg)->kind == SDB_CONST_KIND_INTEGER) {
        char *end;
        *out = strtoll(((const SdbAConst *)arg)->val, &end, 10);
        if (*end == '\0')
            return SDB_OK;
    }
    return sdb_error(SDB_ERR_SYNTAX_ERROR, "%s requires a numeric value", opt->defname);
}

static const char *type_sql_name(SdbOid type)
{
    return type == SDB_TYPEOID_INT2 ? "smallint" : type == SDB_TYPEOID_INT4 ? "integer" : "bigint";
}

static int seq_type_range(SdbOid type, int64_t *lo, int64_t *hi)
{
    if (type == SDB_TYPEOID_INT2) {
        *lo = INT16_MIN, *hi = INT16_MAX;
    } else if (type == SDB_TYPEOID_INT4) {
        *lo = INT32_MIN, *hi = INT32_MAX;
    } else if (type == SDB_TYPEOID_INT8) {
        *lo = INT64_MIN, *hi = INT64_MAX;
    } else {
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "sequence type must be smallint, integer, or bigint");
    }
    return SDB_OK;
}

static int parse_seq_options(SdbDdl *d, const SdbList *options, SeqOptions *o)
{
    o->increment = 1;
    o->cache = 1;
    for (int i = 0; i < sdb_list_length(options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(options, i);
        const char *name = opt->defname;
        int rc = SDB_OK;
        if (strcmp(name, "as") == 0) {
            int32_t typmod;
            rc = sdb_ddl_type(d, (const SdbTypeName *)opt->arg, &o->type, &typmod);
        } else if (strcmp(name, "increment") == 0) {
            rc = option_int(opt, &o->increment);
        } else if (strcmp(name, "start") == 0) {
            o->has_start = true;
            rc = option_int(opt, &o->start);
        } else if (strcmp(name, "minvalue") == 0) {
            o->has_min = opt->arg != NULL;
            rc = opt->arg ? option_int(opt, &o->min) : SDB_OK;
        } else if (strcmp(name, "maxvalue") == 0) {
            o->has_max = opt->arg != NULL;
            rc = opt->arg ? option_int(opt, &o->max) : SDB_OK;
        } else if (strcmp(name, "cache") == 0) {
            rc = option_int(opt, &o->cache);
        } else if (strcmp(name, "cycle") == 0) {
            o->cycle = SDB_IS_A(opt->arg, A_CONST) && strcmp(((const SdbAConst *)opt->arg)->val, "true") == 0;
        } else if (strcmp(name, "owned_by") == 0) {
            o->owned_by = (const SdbList *)opt->arg;
        } else if (strcmp(name, "restart") != 0) {
            rc = sdb_error(SDB_ERR_SYNTAX_ERROR, "option \"%s\" not recognized", name);
        }
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* PostgreSQL's init_params checks and defaults. */
static int settle_seq_options(SeqOptions *o)
{
    int64_t lo = 0, hi = 0;
    if (seq_type_range(o->type, &lo, &hi) != SDB_OK)
        return SDB_ERROR;
    if (o->increment == 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
    if (!o->has_max)
        o->max = o->increment > 0 ? hi : -1;
    if (!o->has_min)
        o->min = o->increment > 0 ? 1 : lo;
    if (o->max > hi || o->max < lo)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "MAXVALUE (%lld) is out of range for sequence data type %s",
                         (long long)o->max, type_sql_name(o->type));
    if (o->min > hi || o->min < lo)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "MINVALUE (%lld) is out of range for sequence data type %s",
                         (long long)o->min, type_sql_name(o->type));
    if (o->min >= o->max)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                         (long long)o->min, (long long)o->max);
    if (!o->has_start)
        o->start = o->increment > 0 ? o->min : o->max;
    if (o->start < o->min)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "START value (%lld) cannot be less than MINVALUE (%lld)",
                         (long long)o->start, (long long)o->min);
    if (o->start > o->max)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                         (long long)o->start, (long long)o->max);
    if (o->cache <= 0)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "CACHE (%lld) must be greater than zero",
                         (long long)o->cache);
    return SDB_OK;
}

static int depend_row(SdbDdl *d, SdbOid seq, SdbOid rel, int attnum, char deptype)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_DEPEND_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_CLASSID, SDB_CATALOG_PG_CLASS_OID);
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_OBJID, seq);
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_REFCLASSID, SDB_CATALOG_PG_CLASS_OID);
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_REFOBJID, rel);
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_REFOBJSUBID, sdb_datum_from_int64(attnum));
    sdb_cat_set(&t, SDB_ANUM_PG_DEPEND_DEPTYPE, (SdbDatum)(unsigned char)deptype);
    return insert(d, &t);
}

/* The sequence's state row: last_value = start, log_cnt 0, is_called false. */
static int sequence_state(SdbDdl *d, SdbRelFileId file, int64_t start)
{
    static const SdbOid types[3] = {SDB_TYPEOID_INT8, SDB_TYPEOID_INT8, SDB_TYPEOID_BOOL};
    SdbDatum values[3] = {sdb_datum_from_int64(start), 0, 0};
    bool nulls[3] = {false, false, false};
    SdbStr row;
    SdbTid tid;
    sdb_str_init(&row, d->arena);
    if (sdb_row_encode(3, types, values, nulls, &row) != SDB_OK)
        return SDB_ERROR;
    return sdb_heap_insert(d->cat->engine, file, d->xid, cid(d), row.data, row.len, 0, &tid);
}

static int exists_error(SdbDdl *d, SdbOid nsp, const char *name)
{
    bool taken;
    if (sdb_ddl_name_taken(d, nsp, name, &taken) != SDB_OK)
        return SDB_ERROR;
    if (taken)
        return sdb_error(SDB_ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    return SDB_OK;
}

int sdb_ddl_create_sequence(SdbDdl *d, SdbOid nsp, const char *name, SdbOid type, const SdbList *options,
                            SdbOid owner_rel, int16_t owner_attnum, char deptype, SdbOid *out)
{
    SeqOptions o = {.type = type};
    if (parse_seq_options(d, options, &o) != SDB_OK || settle_seq_options(&o) != SDB_OK ||
        exists_error(d, nsp, name) != SDB_OK)
        return SDB_ERROR;
    SdbOid oid;
    if (sdb_ddl_new_relfile_oid(d, &oid) != SDB_OK)
        return SDB_ERROR;
    SdbRelFileId file = {d->cat->db_oid, oid};
    SdbCatClassInfo info = {
        .oid = oid, .name = name, .namespace_oid = nsp, .kind = 'S', .relfilenode = oid, .am = SDB_AM_HEAP, .natts = 3};
    static const char *const names[3] = {"last_value", "log_cnt", "is_called"};
    static const SdbOid types[3] = {SDB_TYPEOID_INT8, SDB_TYPEOID_INT8, SDB_TYPEOID_BOOL};
    SdbCatTuple t;
    if (sdb_heap_create(d->cat->engine, file) != SDB_OK || sdb_cat_note_file(d->cat, file, false) != SDB_OK ||
        sdb_cat_class_tuple(&t, d->arena, &info) != SDB_OK || insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < 3; i++) {
        SdbAttribute att = {
            .name = names[i], .attnum = (int16_t)(i + 1), .type = types[i], .typmod = -1, .not_null = true};
        if (sdb_cat_attribute_tuple(&t, d->arena, oid, &att, false) != SDB_OK || insert(d, &t) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_SEQUENCE_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQRELID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQTYPID, o.type);
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQSTART, sdb_datum_from_int64(o.start));
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQINCREMENT, sdb_datum_from_int64(o.increment));
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQMAX, sdb_datum_from_int64(o.max));
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQMIN, sdb_datum_from_int64(o.min));
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQCACHE, sdb_datum_from_int64(o.cache));
    sdb_cat_set(&t, SDB_ANUM_PG_SEQUENCE_SEQCYCLE, o.cycle);
    if (insert(d, &t) != SDB_OK || sequence_state(d, file, o.start) != SDB_OK)
        return SDB_ERROR;
    if (owner_rel == 0 && o.owned_by != NULL && sdb_list_length(o.owned_by) >= 2) {
        /* OWNED BY table.column */
        int n = sdb_list_length(o.owned_by);
        SdbRangeVar rv = {.tag = SDB_T_RANGE_VAR};
        rv.relname = ((SdbString *)sdb_list_nth(o.owned_by, n - 2))->sval;
        rv.schemaname = n > 2 ? ((SdbString *)sdb_list_nth(o.owned_by, n - 3))->sval : NULL;
        const char *column = ((SdbString *)sdb_list_nth(o.owned_by, n - 1))->sval;
        const SdbRelation *rel = sdb_ddl_find(d, &rv);
        if (rel == NULL)
            return sdb_ddl_missing_relation(&rv);
        owner_attnum = (int16_t)sdb_ddl_attnum(rel, column);
        if (owner_attnum == 0)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", column,
                             rel->name);
        owner_rel = rel->oid;
        deptype = 'a';
    }
    if (owner_rel != 0 &&
        (depend_row(d, oid, owner_rel, owner_attnum, deptype) != SDB_OK || sdb_ddl_touch(d, owner_rel) != SDB_OK))
        return SDB_ERROR;
    *out = oid;
    return sdb_ddl_touch(d, oid);
}

/* --- indexes ----------------------------------------------------------------- */

typedef struct IndexEntry {
    SdbStr key;
    SdbTid tid;
    bool has_null;
    SdbDatum *values; /* for the duplicate-key message */
    bool *nulls;
} IndexEntry;

static int compare_entries(const void *pa, const void *pb)
{
    const IndexEntry *a = pa, *b = pb;
    size_t n = a->key.len < b->key.len ? a->key.len : b->key.len;
    int c = memcmp(a->key.data, b->key.data, n);
    if (c != 0)
        return c;
    if (a->key.len != b->key.len)
        return a->key.len < b->key.len ? -1 : 1;
    if (a->tid.block != b->tid.block)
        return a->tid.block < b->tid.block ? -1 : 1;
    return a->tid.slot < b->tid.slot ? -1 : a->tid.slot > b->tid.slot;
}

SdbTid sdb_ddl_tid(SdbDatum d)
{
    const uint8_t *b = sdb_datum_varlena(d)->data;
    return (SdbTid){.block = (SdbBlockNo)b[0] << 24 | (SdbBlockNo)b[1] << 16 | (SdbBlockNo)b[2] << 8 | b[3],
                    .slot = (uint16_t)(b[4] << 8 | b[5])};
}

int sdb_ddl_scan_begin(SdbDdl *d, const SdbRelation *rel, const int *cols, int ncols, SdbDdlScan *scan)
{
    memset(scan, 0, sizeof *scan);
    scan->ac = (SdbAccessContext){.engine = d->cat->engine, .catalog = d->cat, .txn = d->txn, .arena = d->arena};
    if (d->txn->snapshot.xmax == SDB_INVALID_XID && sdb_txn_take_snapshot(d->txn, d->arena) != SDB_OK)
        return SDB_ERROR;
    scan->vectors = sdb_arena_calloc(d->arena, (size_t)ncols, sizeof *scan->vectors);
    if (scan->vectors == NULL)
        return SDB_ERROR;
    for (int c = 0; c < ncols; c++) {
        scan->vectors[c].values = sdb_arena_alloc(d->arena, SDB_BATCH_SIZE * sizeof(SdbDatum));
        scan->vectors[c].nulls = sdb_arena_calloc(d->arena, SDB_BATCH_SIZE / 64, sizeof(uint64_t));
        if (scan->vectors[c].values == NULL || scan->vectors[c].nulls == NULL)
            return SDB_ERROR;
    }
    scan->batch = (SdbBatch){.ncols = ncols, .cols = scan->vectors};
    scan->scan = sdb_table_scan_begin(&scan->ac, rel, cols, ncols);
    return scan->scan != NULL ? SDB_OK : SDB_ERROR;
}

/* Every row of rel the transaction sees with its key for `index`. */
static int index_entries(SdbDdl *d, const SdbRelation *rel, const SdbIndex *index, IndexEntry **out, size_t *count)
{
    int *cols = sdb_arena_alloc(d->arena, ((size_t)index->nkeys + 1) * sizeof *cols);
    if (cols == NULL)
        return SDB_ERROR;
    for (int k = 0; k < index->nkeys; k++)
        cols[k] = index->keys[k] - 1;
    cols[index->nkeys] = -1; /* the ctid */
    SdbDdlScan scan;
    if (sdb_ddl_scan_begin(d, rel, cols, index->nkeys + 1, &scan) != SDB_OK) {
        sdb_table_scan_end(scan.scan);
        return SDB_ERROR;
    }
    size_t cap = 0;
    *out = NULL;
    *count = 0;
    int rc;
    while ((rc = sdb_table_scan_next(scan.scan, &scan.batch)) == SDB_OK && scan.batch.nrows > 0) {
        for (int r = 0; r < scan.batch.nrows && rc == SDB_OK; r++) {
            if (*count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                IndexEntry *p = sdb_arena_realloc(d->arena, *out, cap * sizeof *p, ncap * sizeof *p);
                if (p == NULL) {
                    rc = SDB_ERROR;
                    break;
                }
                *out = p;
                cap = ncap;
            }
            IndexEntry *e = &(*out)[*count];
            e->values = sdb_arena_calloc(d->arena, (size_t)rel->natts + 1, sizeof *e->values);
            e->nulls = sdb_arena_calloc(d->arena, (size_t)rel->natts + 1, sizeof *e->nulls);
            if (e->values == NULL || e->nulls == NULL) {
                rc = SDB_ERROR;
                break;
            }
            for (int k = 0; k < index->nkeys; k++) {
                e->values[cols[k]] = scan.vectors[k].values[r];
                e->nulls[cols[k]] = sdb_vector_is_null(&scan.vectors[k], r);
            }
            e->tid = sdb_ddl_tid(scan.vectors[index->nkeys].values[r]);
            sdb_str_init(&e->key, d->arena);
            rc = sdb_index_key(rel, index, e->values, e->nulls, &e->key, &e->has_null);
            (*count)++;
        }
        if (rc != SDB_OK)
            break;
    }
    sdb_table_scan_end(scan.scan);
    return rc;
}

/* 23505 could not create unique index, with the duplicated key. */
static int duplicate_key(SdbDdl *d, const SdbRelation *rel, const SdbIndex *index, const IndexEntry *e)
{
    SdbStr cols, vals;
    sdb_str_init(&cols, d->arena);
    sdb_str_init(&vals, d->arena);
    for (int i = 0; i < index->nkeys; i++) {
        int a = index->keys[i] - 1;
        SdbTypeCtx ctx = {.arena = d->arena, .typid = rel->attrs[a].type, .typmod = rel->attrs[a].typmod};
        sdb_str_append_cstr(&cols, i ? ", " : "");
        sdb_str_append_cstr(&cols, rel->attrs[a].name);
        sdb_str_append_cstr(&vals, i ? ", " : "");
        if (sdb_type_output(&ctx, e->values[a], &vals) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_error(SDB_ERR_UNIQUE_VIOLATION, "could not create unique index \"%s\"", index->name);
    sdb_error_detail("Key (%s)=(%s) is duplicated.", cols.data, vals.data);
    return SDB_ERROR;
}

static int build_index(SdbDdl *d, const SdbRelation *rel, const SdbIndex *index)
{
    IndexEntry *entries;
    size_t count;
    if (index_entries(d, rel, index, &entries, &count) != SDB_OK)
        return SDB_ERROR;
    if (count > 1)
        qsort(entries, count, sizeof *entries, compare_entries);
    for (size_t i = 1; index->unique && i < count; i++)
        if (!entries[i].has_null && entries[i].key.len == entries[i - 1].key.len &&
            memcmp(entries[i].key.data, entries[i - 1].key.data, entries[i].key.len) == 0)
            return duplicate_key(d, rel, index, &entries[i]);
    SdbBtreeBuild *build =
        sdb_btree_build_begin(d->cat->engine, index->file, index->unique, SDB_BTREE_DEFAULT_FILLFACTOR, d->xid);
    if (build == NULL)
        return SDB_ERROR;
    if (sdb_cat_note_file(d->cat, index->file, false) != SDB_OK) {
        sdb_btree_build_abort(build);
        return SDB_ERROR;
    }
    for (size_t i = 0; i < count; i++) {
        if (sdb_btree_build_add(build, entries[i].key.data, entries[i].key.len, entries[i].tid) != SDB_OK) {
            sdb_btree_build_abort(build);
            return SDB_ERROR;
        }
    }
    return sdb_btree_build_finish(build);
}

static int index_rows(SdbDdl *d, const SdbRelation *rel, SdbOid oid, const char *name, int nkeys, const int16_t *keys,
                      const int16_t *options, bool unique, bool primary)
{
    SdbCatTuple t;
    SdbCatClassInfo info = {.oid = oid,
                            .name = name,
                            .namespace_oid = rel->namespace_oid,
                            .kind = 'i',
                            .relfilenode = oid,
                            .am = SDB_AM_BTREE,
                            .natts = nkeys};
    if (sdb_cat_class_tuple(&t, d->arena, &info) != SDB_OK || insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    SdbOid *zeros = sdb_arena_calloc(d->arena, (size_t)nkeys + 1, sizeof *zeros);
    if (zeros == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nkeys; i++) {
        SdbAttribute att = rel->attrs[keys[i] - 1];
        att.attnum = (int16_t)(i + 1);
        att.identity = 0;
        att.not_null = false;
        if (sdb_cat_attribute_tuple(&t, d->arena, oid, &att, false) != SDB_OK || insert(d, &t) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_cat_tuple_init(&t, sdb_catalog_by_oid(SDB_CATALOG_PG_INDEX_OID), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDEXRELID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDRELID, rel->oid);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDNATTS, (SdbDatum)nkeys);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDNKEYATTS, (SdbDatum)nkeys);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDISUNIQUE, unique);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDISPRIMARY, primary);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDIMMEDIATE, true);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDISVALID, true);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDISREADY, true);
    sdb_cat_set(&t, SDB_ANUM_PG_INDEX_INDISLIVE, true);
    if (sdb_cat_set_int2vector(&t, SDB_ANUM_PG_INDEX_INDKEY, SDB_TYPEOID_INT2VECTOR, nkeys, keys) != SDB_OK ||
        sdb_cat_set_oidvector(&t, SDB_ANUM_PG_INDEX_INDCOLLATION, nkeys, zeros) != SDB_OK ||
        sdb_cat_set_oidvector(&t, SDB_ANUM_PG_INDEX_INDCLASS, nkeys, zeros) != SDB_OK ||
        sdb_cat_set_int2vector(&t, SDB_ANUM_PG_INDEX_INDOPTION, SDB_TYPEOID_INT2VECTOR, nkeys, options) != SDB_OK)
        return SDB_ERROR;
    return insert(d, &t);
}

int sdb_ddl_create_index(SdbDdl *d, const SdbRelation *rel, const char *name, int nkeys, const int16_t *keys,
                         const int16_t *options, bool unique, bool primary, SdbOid *out)
{
    if (exists_error(d, rel->namespace_oid, name) != SDB_OK)
        return SDB_ERROR;
    SdbOid oid;
    if (sdb_ddl_new_relfile_oid(d, &oid) != SDB_OK)
        return SDB_ERROR;
    SdbIndex index = {.oid = oid,
                      .name = name,
                      .file = {d->cat->db_oid, oid},
                      .unique = unique,
                      .primary = primary,
                      .nkeys = nkeys,
                      .keys = keys,
                      .key_options = options};
    if (build_index(d, rel, &index) != SDB_OK ||
        index_rows(d, rel, oid, name, nkeys, keys, options, unique, primary) != SDB_OK ||
        sdb_ddl_update_class(d, rel->oid, NULL, -1, 1) != SDB_OK || sdb_ddl_touch(d, oid) != SDB_OK)
        return SDB_ERROR;
    *out = oid;
    return SDB_OK;
}

/* --- constraints ---------------------------------------------------------------- */

/* Column names of a String list as attnums of rel; `what` words 42703. */
static int key_columns(SdbDdl *d, const SdbRelation *rel, const SdbList *names, const char *column, int16_t **keys,
                       int *nkeys, const char *what)
{
    int n = column ? 1 : sdb_list_length(names);
    *keys = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof **keys);
    if (*keys == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        const char *name = column ? column : ((const SdbString *)sdb_list_nth(names, i))->sval;
        int attnum = sdb_ddl_attnum(rel, name);
        if (attnum == 0)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" %s does not exist", name, what);
        for (int j = 0; j < i; j++)
            if ((*keys)[j] == attnum)
                return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" appears twice in %s constraint", name,
                                 column || strstr(what, "key") ? "primary key" : "unique");
        (*keys)[i] = (int16_t)attnum;
    }
    *nkeys = n;
    return SDB_OK;
}

/* "a_b" from the key columns' names (PostgreSQL's ChooseIndexColumnNames). */
static const char *column_names(SdbDdl *d, const SdbRelation *rel, int n, const int16_t *keys)
{
    SdbStr s;
    sdb_str_init(&s, d->arena);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sdb_str_append_char(&s, '_');
        sdb_str_append_cstr(&s, rel->attrs[keys[i] - 1].name);
    }
    return s.data;
}

static int constraint_row(SdbDdl *d, const SdbRelation *rel, const char *name, char type, int nkeys,
                          const int16_t *keys, SdbOid index, const char *check, SdbCatTuple *t, SdbOid *oid)
{
    if (sdb_catalog_new_oid(d->cat, oid) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_tuple_init(t, sdb_catalog_by_oid(SDB_CATALOG_PG_CONSTRAINT_OID), d->arena);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_OID, *oid);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONNAMESPACE, rel->namespace_oid);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONTYPE, (SdbDatum)(unsigned char)type);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONVALIDATED, true);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONRELID, rel->oid);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONINDID, index);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONISLOCAL, true);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONNOINHERIT, type == 'c' ? false : true);
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONFUPDTYPE, ' ');
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONFDELTYPE, ' ');
    sdb_cat_set(t, SDB_ANUM_PG_CONSTRAINT_CONFMATCHTYPE, ' ');
    if (sdb_cat_set_text(t, SDB_ANUM_PG_CONSTRAINT_CONNAME, name) != SDB_OK ||
        (nkeys > 0 &&
         sdb_cat_set_int2vector(t, SDB_ANUM_PG_CONSTRAINT_CONKEY, SDB_TYPEOID_INT2, nkeys, keys) != SDB_OK) ||
        sdb_cat_set_text(t, SDB_ANUM_PG_CONSTRAINT_CONBIN, check) != SDB_OK)
        return SDB_ERROR;
    return SDB_OK;
}

static int has_primary_key(const SdbRelation *rel)
{
    for (int i = 0; i < rel->nconstraints; i++)
        if (rel->constraints[i].kind == 'p')
            return true;
    return false;
}

static int add_unique(SdbDdl *d, const SdbRelation *rel, const SdbConstraint *con, const char *column)
{
    bool primary = con->contype == SDB_CONSTR_TYPE_PRIMARY;
    if (primary && has_primary_key(rel))
        return sdb_error(SDB_ERR_INVALID_TABLE_DEFINITION, "multiple primary keys for table \"%s\" are not allowed",
                         rel->name);
    int16_t *keys;
    int nkeys;
    if (key_columns(d, rel, con->keys, column, &keys, &nkeys, "named in key") != SDB_OK)
        return SDB_ERROR;
    if (nkeys > INDEX_MAX_KEYS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "cannot use more than %d columns in an index", INDEX_MAX_KEYS);
    const char *name = con->conname;
    if (name == NULL &&
        sdb_ddl_choose_name(d, rel->namespace_oid, rel->name, primary ? NULL : column_names(d, rel, nkeys, keys),
                            primary ? "pkey" : "key", &name) != SDB_OK)
        return SDB_ERROR;
    int16_t *options = sdb_arena_calloc(d->arena, (size_t)nkeys + 1, sizeof *options);
    SdbOid index, oid;
    SdbCatTuple t;
    if (options == NULL)
        return SDB_ERROR;
    for (int i = 0; primary && i < nkeys; i++)
        if (!rel->attrs[keys[i] - 1].not_null && sdb_ddl_set_not_null(d, rel->oid, keys[i], true) != SDB_OK)
            return SDB_ERROR;
    if (sdb_ddl_create_index(d, rel, name, nkeys, keys, options, true, primary, &index) != SDB_OK ||
        constraint_row(d, rel, name, primary ? 'p' : 'u', nkeys, keys, index, NULL, &t, &oid) != SDB_OK ||
        insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, rel->oid);
}

/* The first column an expression names (for a CHECK constraint's name). */
static int first_column(SdbNode *node, void *ctx)
{
    if (SDB_IS_A(node, COLUMN_REF)) {
        const SdbColumnRef *ref = (const SdbColumnRef *)node;
        const SdbNode *last = sdb_list_nth(ref->fields, sdb_list_length(ref->fields) - 1);
        if (SDB_IS_A(last, STRING)) {
            *(const char **)ctx = ((const SdbString *)last)->sval;
            return 1;
        }
    }
    return sdb_node_walk(node, first_column, ctx);
}

/* A new CHECK must hold for the rows already there (the session checks). */
static int check_existing_rows(SdbDdl *d, const SdbRelation *rel, const char *name, const char *text)
{
    int col = -1;
    SdbDdlScan scan;
    if (sdb_ddl_scan_begin(d, rel, &col, 1, &scan) != SDB_OK) {
        sdb_table_scan_end(scan.scan);
        return SDB_ERROR;
    }
    int rc = sdb_table_scan_next(scan.scan, &scan.batch);
    bool has_rows = rc == SDB_OK && scan.batch.nrows > 0;
    sdb_table_scan_end(scan.scan);
    if (rc != SDB_OK || !has_rows)
        return rc;
    if (d->ctx->check_rows == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                         "adding a CHECK constraint to a table with rows needs the session's evaluator");
    return d->ctx->check_rows(d->ctx->eval_arg, rel, name, text);
}

static int add_check(SdbDdl *d, const SdbRelation *rel, const SdbConstraint *con, const char *column)
{
    const char *name = con->conname;
    const char *col = column;
    if (col == NULL && con->raw_expr != NULL)
        first_column(con->raw_expr, &col);
    if (name == NULL && sdb_ddl_choose_name(d, rel->namespace_oid, rel->name, col, "check", &name) != SDB_OK)
        return SDB_ERROR;
    int start = sdb_ddl_after_keyword(d, con->location, "CHECK", 0);
    const char *text = sdb_ddl_paren_text(d, start < 0 ? con->location : start);
    SdbOid oid;
    SdbCatTuple t;
    if (text == NULL || check_existing_rows(d, rel, name, text) != SDB_OK ||
        constraint_row(d, rel, name, 'c', 0, NULL, 0, text, &t, &oid) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(&t, SDB_ANUM_PG_CONSTRAINT_CONNOINHERIT, false);
    if (insert(d, &t) != SDB_OK || sdb_ddl_add_checks(d, rel->oid, 1) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, rel->oid);
}

/* 23503 for a row whose key is not in the referenced table. */
static int missing_referenced_key(SdbDdl *d, const SdbRelation *rel, const SdbRelation *ref, const char *name, int n,
                                  const int16_t *keys, const SdbDatum *values)
{
    SdbStr cols, vals;
    sdb_str_init(&cols, d->arena);
    sdb_str_init(&vals, d->arena);
    for (int j = 0; j < n; j++) {
        const SdbAttribute *a = &rel->attrs[keys[j] - 1];
        SdbTypeCtx ctx = {.arena = d->arena, .typid = a->type, .typmod = a->typmod};
        sdb_str_append_cstr(&cols, j ? ", " : "");
        sdb_str_append_cstr(&cols, a->name);
        sdb_str_append_cstr(&vals, j ? ", " : "");
        if (sdb_type_output(&ctx, values[j], &vals) != SDB_OK)
            return SDB_ERROR;
    }
    sdb_error(SDB_ERR_FOREIGN_KEY_VIOLATION, "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
              rel->name, name);
    sdb_error_detail("Key (%s)=(%s) is not present in table \"%s\".", cols.data, vals.data, ref->name);
    return SDB_ERROR;
}

/* The unique index of `ref` whose keys are exactly the set `keys`. */
static const SdbIndex *matching_unique_index(const SdbRelation *ref, int n, const int16_t *keys)
{
    for (int i = 0; i < ref->nindexes; i++) {
        const SdbIndex *ix = &ref->indexes[i];
        if (!ix->unique || ix->nkeys != n)
            continue;
        int matched = 0;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++)
                matched += ix->keys[k] == keys[j];
        if (matched == n)
            return ix;
    }
    return NULL;
}

static char fk_action(SdbFkAction a)
{
    static const char letters[] = {[SDB_FK_ACTION_NO_ACTION] = 'a',
                                   [SDB_FK_ACTION_RESTRICT] = 'r',
                                   [SDB_FK_ACTION_CASCADE] = 'c',
                                   [SDB_FK_ACTION_SET_NULL] = 'n',
                                   [SDB_FK_ACTION_SET_DEFAULT] = 'd'};
    return letters[a];
}

static bool compatible_types(SdbOid a, SdbOid b)
{
    const SdbTypeInfo *ta = sdb_type_by_oid(a), *tb = sdb_type_by_oid(b);
    return a == b || (ta != NULL && tb != NULL && ta->category == tb->category);
}

/* The referenced columns: pk_attrs, or the primary key of `ref`. */
static int referenced_keys(SdbDdl *d, const SdbRelation *ref, const SdbConstraint *con, int16_t **keys, int *n)
{
    if (con->pk_attrs != NULL)
        return key_columns(d, ref, con->pk_attrs, NULL, keys, n, "referenced in foreign key constraint");
    for (int i = 0; i < ref->nconstraints; i++) {
        if (ref->constraints[i].kind == 'p') {
            *keys = (int16_t *)ref->constraints[i].keys;
            *n = ref->constraints[i].nkeys;
            return SDB_OK;
        }
    }
    return sdb_error(SDB_ERR_INVALID_FOREIGN_KEY, "there is no primary key for referenced table \"%s\"", ref->name);
}

/* Whether `ref` has a row (through `index`) whose key columns ref_keys[]
 * equal values[] (in ref_keys order). */
static int referenced_row_exists(SdbDdl *d, const SdbRelation *ref, const SdbIndex *index, int n,
                                 const int16_t *ref_keys, const SdbDatum *values, bool *exists)
{
    SdbDatum eq[INDEX_MAX_KEYS];
    for (int k = 0; k < index->nkeys; k++)
        for (int j = 0; j < n; j++)
            if (ref_keys[j] == index->keys[k])
                eq[k] = values[j];
    SdbIndexRange range = {.neq = index->nkeys, .eq = eq};
    int col = -1;
    uint64_t nullbits[SDB_BATCH_SIZE / 64];
    SdbDatum *tids = sdb_arena_alloc(d->arena, SDB_BATCH_SIZE * sizeof *tids);
    if (tids == NULL)
        return SDB_ERROR;
    SdbVector vec = {.type = SDB_TYPEOID_TID, .typmod = -1, .values = tids, .nulls = nullbits};
    SdbBatch batch = {.ncols = 1, .cols = &vec};
    SdbAccessContext ac = {.engine = d->cat->engine, .catalog = d->cat, .txn = d->txn, .arena = d->arena};
    SdbTableScan *scan = sdb_index_scan_begin(&ac, ref, index, &range, &col, 1);
    if (scan == NULL)
        return SDB_ERROR;
    int rc = sdb_table_scan_next(scan, &batch);
    *exists = rc == SDB_OK && batch.nrows > 0;
    sdb_table_scan_end(scan);
    return rc;
}

/* ALTER TABLE ... ADD FOREIGN KEY: every row's key (without NULLs) must
 * be in the referenced table: 23503 otherwise. */
static int validate_foreign_key(SdbDdl *d, const SdbRelation *rel, const SdbRelation *ref, const SdbIndex *index,
                                const char *name, int n, const int16_t *keys, const int16_t *ref_keys)
{
    int cols[INDEX_MAX_KEYS];
    for (int j = 0; j < n; j++)
        cols[j] = keys[j] - 1;
    SdbDdlScan scan;
    if (sdb_ddl_scan_begin(d, rel, cols, n, &scan) != SDB_OK) {
        sdb_table_scan_end(scan.scan);
        return SDB_ERROR;
    }
    int rc;
    while ((rc = sdb_table_scan_next(scan.scan, &scan.batch)) == SDB_OK && scan.batch.nrows > 0) {
        for (int r = 0; r < scan.batch.nrows && rc == SDB_OK; r++) {
            SdbDatum values[INDEX_MAX_KEYS];
            bool has_null = false, exists;
            for (int j = 0; j < n; j++) {
                values[j] = scan.vectors[j].values[r];
                has_null |= sdb_vector_is_null(&scan.vectors[j], r);
            }
            if (has_null)
                continue;
            rc = referenced_row_exists(d, ref, index, n, ref_keys, values, &exists);
            if (rc == SDB_OK && !exists)
                rc = missing_referenced_key(d, rel, ref, name, n, keys, values);
        }
        if (rc != SDB_OK)
            break;
    }
    sdb_table_scan_end(scan.scan);
    return rc;
}

static int add_foreign_key(SdbDdl *d, const SdbRelation *rel, const SdbConstraint *con, const char *column)
{
    const SdbRelation *ref = sdb_ddl_find(d, con->pktable);
    if (ref == NULL)
        return sdb_ddl_missing_relation(con->pktable);
    if (ref->kind != 'r')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "referenced relation \"%s\" is not a table", ref->name);
    int16_t *keys, *ref_keys;
    int nkeys, nref;
    if (key_columns(d, rel, con->fk_attrs, column, &keys, &nkeys, "referenced in foreign key constraint") != SDB_OK ||
        referenced_keys(d, ref, con, &ref_keys, &nref) != SDB_OK)
        return SDB_ERROR;
    if (nkeys != nref)
        return sdb_error(SDB_ERR_INVALID_FOREIGN_KEY,
                         "number of referencing and referenced columns for foreign key disagree");
    const SdbIndex *index = matching_unique_index(ref, nref, ref_keys);
    if (index == NULL)
        return sdb_error(SDB_ERR_INVALID_FOREIGN_KEY,
                         "there is no unique constraint matching given keys for referenced table \"%s\"", ref->name);
    const char *name = con->conname;
    if (name == NULL && sdb_ddl_choose_name(d, rel->namespace_oid, rel->name, column_names(d, rel, nkeys, keys), "fkey",
                                            &name) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < nkeys; i++) {
        const SdbAttribute *a = &rel->attrs[keys[i] - 1], *b = &ref->attrs[ref_keys[i] - 1];
        if (!compatible_types(a->type, b->type)) {
            sdb_error(SDB_ERR_DATATYPE_MISMATCH, "foreign key constraint \"%s\" cannot be implemented", name);
            sdb_error_detail("Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.", a->name, b->name,
                             sdb_type_by_oid(a->type)->name, sdb_type_by_oid(b->type)->name);
            return SDB_ERROR;
        }
    }
    static const char match[] = {[SDB_FK_MATCH_SIMPLE] = 's', [SDB_FK_MATCH_FULL] = 'f', [SDB_FK_MATCH_PARTIAL] = 'p'};
    SdbOid oid;
    SdbCatTuple t;
    if (constraint_row(d, rel, name, 'f', nkeys, keys, index->oid, NULL, &t, &oid) != SDB_OK ||
        sdb_cat_set_int2vector(&t, SDB_ANUM_PG_CONSTRAINT_CONFKEY, SDB_TYPEOID_INT2, nref, ref_keys) != SDB_OK)
        return SDB_ERROR;
    sdb_cat_set(&t, SDB_ANUM_PG_CONSTRAINT_CONFRELID, ref->oid);
    sdb_cat_set(&t, SDB_ANUM_PG_CONSTRAINT_CONFUPDTYPE, (SdbDatum)(unsigned char)fk_action(con->fk_upd_action));
    sdb_cat_set(&t, SDB_ANUM_PG_CONSTRAINT_CONFDELTYPE, (SdbDatum)(unsigned char)fk_action(con->fk_del_action));
    sdb_cat_set(&t, SDB_ANUM_PG_CONSTRAINT_CONFMATCHTYPE, (SdbDatum)(unsigned char)match[con->fk_matchtype]);
    if (nkeys > INDEX_MAX_KEYS)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "cannot have more than %d keys in a foreign key",
                         INDEX_MAX_KEYS);
    if (validate_foreign_key(d, rel, ref, index, name, nkeys, keys, ref_keys) != SDB_OK || insert(d, &t) != SDB_OK ||
        set_has_triggers(d, rel->oid) != SDB_OK || set_has_triggers(d, ref->oid) != SDB_OK ||
        sdb_ddl_touch(d, rel->oid) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, ref->oid);
}

int sdb_ddl_add_constraint(SdbDdl *d, const SdbRelation *rel, const SdbConstraint *con, const char *column)
{
    /* a named constraint: unique among the table's constraints, and an
     * index-backed one also among the schema's relations */
    for (int i = 0; con->conname != NULL && i < rel->nconstraints; i++)
        if (strcmp(rel->constraints[i].name, con->conname) == 0)
            return sdb_error(SDB_ERR_DUPLICATE_OBJECT, "constraint \"%s\" for relation \"%s\" already exists",
                             con->conname, rel->name);
    int rc;
    switch (con->contype) {
    case SDB_CONSTR_TYPE_PRIMARY:
    case SDB_CONSTR_TYPE_UNIQUE:
        rc = add_unique(d, rel, con, column);
        break;
    case SDB_CONSTR_TYPE_CHECK:
        rc = add_check(d, rel, con, column);
        break;
    case SDB_CONSTR_TYPE_FOREIGN:
        rc = add_foreign_key(d, rel, con, column);
        break;
    default:
        return SDB_OK; /* NOT NULL, NULL, DEFAULT, identity: column properties */
    }
    return rc == SDB_OK ? sdb_ddl_sync(d) : SDB_ERROR;
}

/* --- CREATE TABLE ---------------------------------------------------------------- */

/* CREATE TABLE's storage parameters: fillfactor (10..100) and
 * autovacuum_enabled are checked and accepted (heap pages are always
 * filled; there is no autovacuum); anything else is 22023. */
static int check_storage_parameters(const SdbList *options)
{
    for (int i = 0; i < sdb_list_length(options); i++) {
        const SdbDefElem *opt = (const SdbDefElem *)sdb_list_nth(options, i);
        const char *v = SDB_IS_A(opt->arg, A_CONST) ? ((const SdbAConst *)opt->arg)->val : NULL;
        if (strcmp(opt->defname, "fillfactor") == 0) {
            char *end = NULL;
            long n = v ? strtol(v, &end, 10) : 0;
            if (v == NULL || *v == '\0' || *end != '\0')
                return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for integer option \"fillfactor\": %s",
                                 v ? v : "true");
            if (n < 10 || n > 100) {
                sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "value %s out of bounds for option \"fillfactor\"", v);
                sdb_error_detail("Valid values are between \"10\" and \"100\".");
                return SDB_ERROR;
            }
        } else if (strcmp(opt->defname, "autovacuum_enabled") != 0) {
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unrecognized parameter \"%s\"", opt->defname);
        }
    }
    return SDB_OK;
}

int sdb_ddl_create_table(SdbDdl *d, const SdbCreateStmt *stmt)
{
    if (check_storage_parameters(stmt->options) != SDB_OK)
        return SDB_ERROR;
    const SdbRangeVar *rv = stmt->relation;
    SdbOid nsp;
    bool taken;
    if (sdb_ddl_creation_namespace(d, rv, &nsp) != SDB_OK || sdb_ddl_name_taken(d, nsp, rv->relname, &taken) != SDB_OK)
        return SDB_ERROR;
    if (taken) {
        if (!stmt->if_not_exists)
            return sdb_error(SDB_ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", rv->relname);
        sdb_ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", rv->relname);
        return SDB_OK;
    }
    int nelts = sdb_list_length(stmt->table_elts), ncols = 0;
    SdbDdlColumn *cols = sdb_arena_calloc(d->arena, (size_t)nelts + 1, sizeof *cols);
    if (cols == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nelts; i++) {
        const SdbNode *elt = sdb_list_nth(stmt->table_elts, i);
        if (!SDB_IS_A(elt, COLUMN_DEF))
            continue;
        const SdbColumnDef *def = (const SdbColumnDef *)elt;
        for (int j = 0; j < ncols; j++)
            if (strcmp(cols[j].att.name, def->colname) == 0)
                return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" specified more than once", def->colname);
        if (ncols == SDB_ROW_MAX_ATTS)
            return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "tables can have at most %d columns", SDB_ROW_MAX_ATTS);
        if (sdb_ddl_column(d, def, &cols[ncols]) != SDB_OK)
            return SDB_ERROR;
        cols[ncols].att.attnum = (int16_t)(ncols + 1);
        ncols++;
    }
    SdbOid oid, toast;
    SdbCatTuple t;
    if (sdb_ddl_new_relfile_oid(d, &oid) != SDB_OK || sdb_ddl_new_relfile_oid(d, &toast) != SDB_OK)
        return SDB_ERROR;
    SdbCatClassInfo info = {.oid = oid,
                            .name = rv->relname,
                            .namespace_oid = nsp,
                            .kind = 'r',
                            .relfilenode = oid,
                            .am = SDB_AM_HEAP,
                            .natts = ncols,
                            .toast = toast};
    SdbRelFileId file = {d->cat->db_oid, oid}, toast_file = {d->cat->db_oid, toast};
    if (sdb_heap_create(d->cat->engine, file) != SDB_OK || sdb_cat_note_file(d->cat, file, false) != SDB_OK ||
        sdb_heap_create(d->cat->engine, toast_file) != SDB_OK ||
        sdb_cat_note_file(d->cat, toast_file, false) != SDB_OK || sdb_cat_class_tuple(&t, d->arena, &info) != SDB_OK ||
        insert(d, &t) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++)
        if (sdb_ddl_add_column(d, oid, rv->relname, nsp, &cols[i]) != SDB_OK)
            return SDB_ERROR;
    if (sdb_ddl_touch(d, oid) != SDB_OK || sdb_ddl_sync(d) != SDB_OK)
        return SDB_ERROR;
    /* constraints: column ones first, then table ones, each seeing the last */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nelts; i++) {
            const SdbNode *elt = sdb_list_nth(stmt->table_elts, i);
            const SdbColumnDef *def = SDB_IS_A(elt, COLUMN_DEF) ? (const SdbColumnDef *)elt : NULL;
            if ((pass == 0) != (def != NULL))
                continue;
            int n = def ? sdb_list_length(def->constraints) : 1;
            for (int j = 0; j < n; j++) {
                const SdbConstraint *con =
                    def ? (const SdbConstraint *)sdb_list_nth(def->constraints, j) : (const SdbConstraint *)elt;
                if (!SDB_IS_A(con, CONSTRAINT))
                    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s in CREATE TABLE is not supported",
                                     sdb_node_tag_name(SDB_NODE_TAG(con)));
                if (sdb_ddl_add_constraint(d, sdb_ddl_by_oid(d, oid), con, def ? def->colname : NULL) != SDB_OK)
                    return SDB_ERROR;
            }
        }
    }
    return SDB_OK;
}

/* --- CREATE INDEX ------------------------------------------------------------------ */

int sdb_ddl_index_stmt(SdbDdl *d, const SdbIndexStmt *stmt)
{
    const SdbRelation *rel = sdb_ddl_find(d, stmt->relation);
    if (rel == NULL)
        return sdb_ddl_missing_relation(stmt->relation);
    if (rel->kind != 'r')
        return sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "cannot create index on relation \"%s\"", rel->name);
    if (rel->system)
        return sdb_error(SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied: \"%s\" is a system catalog", rel->name);
    if (stmt->access_method != NULL && strcmp(stmt->access_method, "btree") != 0)
        return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "access method \"%s\" does not exist", stmt->access_method);
    if (stmt->where_clause != NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "partial indexes are not supported");
    int n = sdb_list_length(stmt->index_params);
    if (n > INDEX_MAX_KEYS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "cannot use more than %d columns in an index", INDEX_MAX_KEYS);
    int16_t *keys = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *keys);
    int16_t *options = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *options);
    if (keys == NULL || options == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        const SdbIndexElem *e = (const SdbIndexElem *)sdb_list_nth(stmt->index_params, i);
        if (e->name == NULL)
            return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "indexes on expressions are not supported");
        keys[i] = (int16_t)sdb_ddl_attnum(rel, e->name);
        if (keys[i] == 0)
            return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" does not exist", e->name);
        bool desc = e->ordering == SDB_SORT_BY_DIR_DESC;
        bool nulls_first =
            e->nulls_ordering == SDB_SORT_BY_NULLS_DEFAULT ? desc : e->nulls_ordering == SDB_SORT_BY_NULLS_FIRST;
        options[i] = (int16_t)((desc ? 1 : 0) | (nulls_first ? 2 : 0));
    }
    const char *name = stmt->idxname;
    if (name != NULL) {
        bool taken;
        if (sdb_ddl_name_taken(d, rel->namespace_oid, name, &taken) != SDB_OK)
            return SDB_ERROR;
        if (taken && stmt->if_not_exists) {
            sdb_ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", name);
            return SDB_OK;
        }
    } else if (sdb_ddl_choose_name(d, rel->namespace_oid, rel->name, column_names(d, rel, n, keys), "idx", &name) !=
               SDB_OK) {
        return SDB_ERROR;
    }
    SdbOid oid;
    return sdb_ddl_create_index(d, rel, name, n, keys, options, stmt->unique, false, &oid);
}
