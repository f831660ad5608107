/*
 * catalog/catalog_load.c: building relation descriptors (SdbRelation) from
 * the rows of pg_class, pg_attribute, pg_attrdef, pg_index, pg_constraint,
 * pg_rewrite, pg_sequence, pg_depend and pg_statistic as a transaction sees
 * them, and the
 * list of schemas from pg_namespace.  Each descriptor owns an arena holding
 * everything it points to.
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "types/array.h"

/* A descriptor being built, with room to grow its lists. */
typedef struct Builder {
    SdbRelation *rel;
    SdbArena *arena;
    SdbAttribute *attrs;
    SdbIndex *indexes;
    size_t capindexes;
    SdbRelConstraint *constraints;
    size_t capconstraints;
    SdbReferencingKey *referencing;
    size_t capreferencing;
} Builder;

typedef struct Loader {
    SdbCatalog *cat;
    SdbTxn *txn;
    SdbArena *scratch;
    SdbHash *builders; /* oid -> Builder * (the relations asked for) */
    SdbHash *wanted;   /* their oids when only some were asked for, else NULL */
    SdbHash *classes;  /* oid -> SdbCatRow * (every pg_class row) */
} Loader;

SdbArena *sdb_cat_relation_arena(const SdbRelation *rel)
{
    /* The descriptor is the first allocation of its arena, made right
     * after the arena pointer itself (see new_builder). */
    return ((SdbArena *const *)rel)[-1];
}

static Builder *builder_of(Loader *ld, SdbOid oid)
{
    void *b = NULL;
    return sdb_hash_lookup(ld->builders, &oid, sizeof oid, &b) ? b : NULL;
}

static const SdbCatRow *class_of(Loader *ld, SdbOid oid)
{
    void *row = NULL;
    return sdb_hash_lookup(ld->classes, &oid, sizeof oid, &row) ? row : NULL;
}

static int grow(SdbArena *arena, void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return SDB_OK;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *p = sdb_arena_realloc(arena, *items, *cap * size, ncap * size);
    if (p == NULL)
        return SDB_ERROR;
    *items = p;
    *cap = ncap;
    return SDB_OK;
}

/* The int2 items of an int2vector / int2[] datum, copied into `arena`. */
static int int2_items(SdbArena *arena, SdbArena *scratch, SdbDatum array, int *n, int16_t **out)
{
    SdbArray a;
    if (sdb_array_deconstruct(scratch, array, &a) != SDB_OK)
        return SDB_ERROR;
    *n = a.nitems;
    *out = sdb_arena_alloc(arena, ((size_t)a.nitems + 1) * sizeof **out);
    if (*out == NULL)
        return SDB_ERROR;
    for (int i = 0; i < a.nitems; i++)
        (*out)[i] = (int16_t)sdb_datum_to_int64(a.values[i]);
    return SDB_OK;
}

/* --- pg_class ----------------------------------------------------------------- */

static int new_builder(Loader *ld, const SdbCatRow *row)
{
    const SdbDatum *v = row->values;
    SdbArena *arena = sdb_arena_create(NULL, "relation descriptor", 0);
    if (arena == NULL)
        return SDB_ERROR;
    /* the arena pointer, then the descriptor (sdb_cat_relation_arena) */
    SdbArena **slot = sdb_arena_alloc(arena, sizeof(SdbArena *) + sizeof(SdbRelation));
    Builder *b = sdb_arena_calloc(ld->scratch, 1, sizeof *b);
    if (slot == NULL || b == NULL) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    *slot = arena;
    SdbRelation *rel = (SdbRelation *)(slot + 1);
    memset(rel, 0, sizeof *rel);
    b->rel = rel;
    b->arena = arena;
    rel->oid = (SdbOid)v[SDB_ANUM_PG_CLASS_OID - 1];
    rel->name = sdb_arena_strdup(arena, sdb_cat_text(v[SDB_ANUM_PG_CLASS_RELNAME - 1]));
    rel->namespace_oid = (SdbOid)v[SDB_ANUM_PG_CLASS_RELNAMESPACE - 1];
    const char *nsp = sdb_cat_namespace_name(ld->cat, ld->txn, rel->namespace_oid);
    rel->namespace_name = sdb_arena_strdup(arena, nsp ? nsp : "");
    rel->kind = (char)v[SDB_ANUM_PG_CLASS_RELKIND - 1];
    bool shared = v[SDB_ANUM_PG_CLASS_RELISSHARED - 1] != 0;
    rel->file = (SdbRelFileId){shared ? 0 : ld->cat->db_oid, (uint32_t)v[SDB_ANUM_PG_CLASS_RELFILENODE - 1]};
    SdbOid toast = (SdbOid)v[SDB_ANUM_PG_CLASS_RELTOASTRELID - 1];
    if (toast != 0)
        rel->toast = (SdbRelFileId){ld->cat->db_oid, toast};
    rel->system = rel->oid < SDB_FIRST_NORMAL_OID;
    rel->natts = (int)sdb_datum_to_int64(v[SDB_ANUM_PG_CLASS_RELNATTS - 1]);
    rel->relpages = (int32_t)sdb_datum_to_int64(v[SDB_ANUM_PG_CLASS_RELPAGES - 1]);
    rel->reltuples = sdb_datum_to_float4(v[SDB_ANUM_PG_CLASS_RELTUPLES - 1]);
    rel->analyzed = rel->reltuples >= 0;
    b->attrs = sdb_arena_calloc(arena, (size_t)rel->natts + 1, sizeof *b->attrs);
    if (rel->name == NULL || rel->namespace_name == NULL || b->attrs == NULL) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    rel->attrs = b->attrs;
    if (sdb_hash_put(ld->builders, &rel->oid, sizeof rel->oid, b) != SDB_OK) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    return SDB_OK;
}

static int load_classes(Loader *ld, const SdbOid *oids, size_t noids)
{
    SdbCatRows rows;
    if (sdb_cat_scan(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID), ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    SdbHash *wanted = NULL;
    if (oids != NULL) {
        wanted = sdb_hash_create(ld->scratch, noids);
        if (wanted == NULL)
            return SDB_ERROR;
        for (size_t i = 0; i < noids; i++)
            if (sdb_hash_put(wanted, &oids[i], sizeof oids[i], NULL) != SDB_OK)
                return SDB_ERROR;
    }
    ld->wanted = wanted;
    for (size_t i = 0; i < rows.count; i++) {
        SdbOid oid = (SdbOid)rows.rows[i].values[SDB_ANUM_PG_CLASS_OID - 1];
        if (sdb_hash_put(ld->classes, &oid, sizeof oid, &rows.rows[i]) != SDB_OK)
            return SDB_ERROR;
        if ((wanted == NULL || sdb_hash_lookup(wanted, &oid, sizeof oid, NULL)) &&
            new_builder(ld, &rows.rows[i]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- columns ------------------------------------------------------------------ */

static int load_attributes(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan_keys(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID),
                          SDB_ANUM_PG_ATTRIBUTE_ATTRELID, ld->wanted, ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        Builder *b = builder_of(ld, (SdbOid)v[SDB_ANUM_PG_ATTRIBUTE_ATTRELID - 1]);
        int attnum = (int)sdb_datum_to_int64(v[SDB_ANUM_PG_ATTRIBUTE_ATTNUM - 1]);
        if (b == NULL || attnum < 1 || attnum > b->rel->natts)
            continue;
        SdbAttribute *a = &b->attrs[attnum - 1];
        a->name = sdb_arena_strdup(b->arena, sdb_cat_text(v[SDB_ANUM_PG_ATTRIBUTE_ATTNAME - 1]));
        if (a->name == NULL)
            return SDB_ERROR;
        a->attnum = (int16_t)attnum;
        a->type = (SdbOid)v[SDB_ANUM_PG_ATTRIBUTE_ATTTYPID - 1];
        a->typmod = (int32_t)sdb_datum_to_int64(v[SDB_ANUM_PG_ATTRIBUTE_ATTTYPMOD - 1]);
        a->not_null = v[SDB_ANUM_PG_ATTRIBUTE_ATTNOTNULL - 1] != 0;
        a->dropped = v[SDB_ANUM_PG_ATTRIBUTE_ATTISDROPPED - 1] != 0;
        a->identity = (char)v[SDB_ANUM_PG_ATTRIBUTE_ATTIDENTITY - 1];
    }
    return SDB_OK;
}

static int load_defaults(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan_keys(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRDEF_OID), SDB_ANUM_PG_ATTRDEF_ADRELID,
                          ld->wanted, ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        Builder *b = builder_of(ld, (SdbOid)v[SDB_ANUM_PG_ATTRDEF_ADRELID - 1]);
        int attnum = (int)sdb_datum_to_int64(v[SDB_ANUM_PG_ATTRDEF_ADNUM - 1]);
        if (b == NULL || attnum < 1 || attnum > b->rel->natts)
            continue;
        b->attrs[attnum - 1].default_sql = sdb_arena_strdup(b->arena, sdb_cat_text(v[SDB_ANUM_PG_ATTRDEF_ADBIN - 1]));
        if (b->attrs[attnum - 1].default_sql == NULL)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- indexes ------------------------------------------------------------------ */

static int add_index(Loader *ld, Builder *table, const SdbDatum *v, const SdbCatRow *index_class)
{
    if (grow(table->arena, (void **)&table->indexes, &table->capindexes, (size_t)table->rel->nindexes,
             sizeof *table->indexes) != SDB_OK)
        return SDB_ERROR;
    SdbIndex *ix = &table->indexes[table->rel->nindexes];
    memset(ix, 0, sizeof *ix);
    const SdbDatum *cv = index_class->values;
    ix->oid = (SdbOid)v[SDB_ANUM_PG_INDEX_INDEXRELID - 1];
    ix->name = sdb_arena_strdup(table->arena, sdb_cat_text(cv[SDB_ANUM_PG_CLASS_RELNAME - 1]));
    ix->file = (SdbRelFileId){ld->cat->db_oid, (uint32_t)cv[SDB_ANUM_PG_CLASS_RELFILENODE - 1]};
    ix->unique = v[SDB_ANUM_PG_INDEX_INDISUNIQUE - 1] != 0;
    ix->primary = v[SDB_ANUM_PG_INDEX_INDISPRIMARY - 1] != 0;
    int nopts;
    int16_t *keys, *options;
    if (ix->name == NULL ||
        int2_items(table->arena, ld->scratch, v[SDB_ANUM_PG_INDEX_INDKEY - 1], &ix->nkeys, &keys) != SDB_OK ||
        int2_items(table->arena, ld->scratch, v[SDB_ANUM_PG_INDEX_INDOPTION - 1], &nopts, &options) != SDB_OK)
        return SDB_ERROR;
    ix->keys = keys;
    ix->key_options = options;
    table->rel->indexes = table->indexes;
    table->rel->nindexes++;
    return SDB_OK;
}

static int load_indexes(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_INDEX_OID), ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        SdbOid index_oid = (SdbOid)v[SDB_ANUM_PG_INDEX_INDEXRELID - 1];
        SdbOid table_oid = (SdbOid)v[SDB_ANUM_PG_INDEX_INDRELID - 1];
        Builder *index = builder_of(ld, index_oid);
        if (index != NULL)
            index->rel->index_table = table_oid;
        Builder *table = builder_of(ld, table_oid);
        const SdbCatRow *index_class = class_of(ld, index_oid);
        if (table != NULL && index_class != NULL && add_index(ld, table, v, index_class) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- constraints -------------------------------------------------------------- */

static int fill_constraint(Loader *ld, SdbArena *arena, const SdbDatum *v, const bool *nulls, SdbRelConstraint *c)
{
    memset(c, 0, sizeof *c);
    c->oid = (SdbOid)v[SDB_ANUM_PG_CONSTRAINT_OID - 1];
    c->name = sdb_arena_strdup(arena, sdb_cat_text(v[SDB_ANUM_PG_CONSTRAINT_CONNAME - 1]));
    c->kind = (char)v[SDB_ANUM_PG_CONSTRAINT_CONTYPE - 1];
    c->index_oid = (SdbOid)v[SDB_ANUM_PG_CONSTRAINT_CONINDID - 1];
    c->ref_rel_oid = (SdbOid)v[SDB_ANUM_PG_CONSTRAINT_CONFRELID - 1];
    c->on_delete = (char)v[SDB_ANUM_PG_CONSTRAINT_CONFDELTYPE - 1];
    c->on_update = (char)v[SDB_ANUM_PG_CONSTRAINT_CONFUPDTYPE - 1];
    if (c->name == NULL)
        return SDB_ERROR;
    if (!nulls[SDB_ANUM_PG_CONSTRAINT_CONBIN - 1] &&
        (c->check_sql = sdb_arena_strdup(arena, sdb_cat_text(v[SDB_ANUM_PG_CONSTRAINT_CONBIN - 1]))) == NULL)
        return SDB_ERROR;
    int16_t *keys, *ref_keys;
    int nref;
    if (!nulls[SDB_ANUM_PG_CONSTRAINT_CONKEY - 1]) {
        if (int2_items(arena, ld->scratch, v[SDB_ANUM_PG_CONSTRAINT_CONKEY - 1], &c->nkeys, &keys) != SDB_OK)
            return SDB_ERROR;
        c->keys = keys;
    }
    if (!nulls[SDB_ANUM_PG_CONSTRAINT_CONFKEY - 1]) {
        if (int2_items(arena, ld->scratch, v[SDB_ANUM_PG_CONSTRAINT_CONFKEY - 1], &nref, &ref_keys) != SDB_OK)
            return SDB_ERROR;
        c->ref_keys = ref_keys;
    }
    return SDB_OK;
}

static int load_constraints(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_CONSTRAINT_OID), ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        const bool *nulls = rows.rows[i].nulls;
        SdbOid relid = (SdbOid)v[SDB_ANUM_PG_CONSTRAINT_CONRELID - 1];
        Builder *b = builder_of(ld, relid);
        if (b != NULL) {
            if (grow(b->arena, (void **)&b->constraints, &b->capconstraints, (size_t)b->rel->nconstraints,
                     sizeof *b->constraints) != SDB_OK ||
                fill_constraint(ld, b->arena, v, nulls, &b->constraints[b->rel->nconstraints]) != SDB_OK)
                return SDB_ERROR;
            b->rel->constraints = b->constraints;
            b->rel->nconstraints++;
        }
        Builder *ref = (char)v[SDB_ANUM_PG_CONSTRAINT_CONTYPE - 1] == 'f'
                           ? builder_of(ld, (SdbOid)v[SDB_ANUM_PG_CONSTRAINT_CONFRELID - 1])
                           : NULL;
        if (ref == NULL)
            continue;
        SdbRelConstraint *copy = sdb_arena_alloc(ref->arena, sizeof *copy);
        if (copy == NULL || fill_constraint(ld, ref->arena, v, nulls, copy) != SDB_OK ||
            grow(ref->arena, (void **)&ref->referencing, &ref->capreferencing, (size_t)ref->rel->nreferencing,
                 sizeof *ref->referencing) != SDB_OK)
            return SDB_ERROR;
        ref->referencing[ref->rel->nreferencing++] = (SdbReferencingKey){relid, copy};
        ref->rel->referencing = ref->referencing;
    }
    return SDB_OK;
}

/* --- views and sequences ---------------------------------------------------------- */

static int load_views(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan_keys(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_REWRITE_OID),
                          SDB_ANUM_PG_REWRITE_EV_CLASS, ld->wanted, ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        Builder *b = builder_of(ld, (SdbOid)v[SDB_ANUM_PG_REWRITE_EV_CLASS - 1]);
        if (b != NULL &&
            (b->rel->view_sql = sdb_arena_strdup(b->arena, sdb_cat_text(v[SDB_ANUM_PG_REWRITE_EV_ACTION - 1]))) == NULL)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int load_sequences(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan_keys(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_SEQUENCE_OID),
                          SDB_ANUM_PG_SEQUENCE_SEQRELID, ld->wanted, ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        Builder *b = builder_of(ld, (SdbOid)v[SDB_ANUM_PG_SEQUENCE_SEQRELID - 1]);
        if (b == NULL)
            continue;
        SdbSequence *seq = sdb_arena_calloc(b->arena, 1, sizeof *seq);
        if (seq == NULL)
            return SDB_ERROR;
        seq->type = (SdbOid)v[SDB_ANUM_PG_SEQUENCE_SEQTYPID - 1];
        seq->start = sdb_datum_to_int64(v[SDB_ANUM_PG_SEQUENCE_SEQSTART - 1]);
        seq->increment = sdb_datum_to_int64(v[SDB_ANUM_PG_SEQUENCE_SEQINCREMENT - 1]);
        seq->max = sdb_datum_to_int64(v[SDB_ANUM_PG_SEQUENCE_SEQMAX - 1]);
        seq->min = sdb_datum_to_int64(v[SDB_ANUM_PG_SEQUENCE_SEQMIN - 1]);
        seq->cache = sdb_datum_to_int64(v[SDB_ANUM_PG_SEQUENCE_SEQCACHE - 1]);
        seq->cycle = v[SDB_ANUM_PG_SEQUENCE_SEQCYCLE - 1] != 0;
        b->rel->sequence = seq;
    }
    return SDB_OK;
}

/* pg_statistic: the columns' planner statistics. */
static int load_statistics(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan_keys(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_STATISTIC_OID),
                          SDB_ANUM_PG_STATISTIC_STARELID, ld->wanted, ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        Builder *b = builder_of(ld, (SdbOid)v[SDB_ANUM_PG_STATISTIC_STARELID - 1]);
        int attnum = (int)sdb_datum_to_int64(v[SDB_ANUM_PG_STATISTIC_STAATTNUM - 1]);
        if (b == NULL || attnum < 1 || attnum > b->rel->natts)
            continue;
        if (b->rel->stats == NULL &&
            (b->rel->stats = sdb_arena_calloc(b->arena, (size_t)b->rel->natts, sizeof(SdbColumnStats))) == NULL)
            return SDB_ERROR;
        if (sdb_cat_stats_from_row(b->arena, ld->scratch, v, rows.rows[i].nulls,
                                   (SdbColumnStats *)&b->rel->stats[attnum - 1]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* pg_depend: sequences owned by columns (serial, identity). */
static int load_owned_sequences(Loader *ld)
{
    SdbCatRows rows;
    if (sdb_cat_scan(ld->cat, ld->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_DEPEND_OID), ld->scratch, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        char deptype = (char)v[SDB_ANUM_PG_DEPEND_DEPTYPE - 1];
        if (v[SDB_ANUM_PG_DEPEND_CLASSID - 1] != SDB_CATALOG_PG_CLASS_OID ||
            v[SDB_ANUM_PG_DEPEND_REFCLASSID - 1] != SDB_CATALOG_PG_CLASS_OID || (deptype != 'a' && deptype != 'i'))
            continue;
        SdbOid seq_oid = (SdbOid)v[SDB_ANUM_PG_DEPEND_OBJID - 1];
        SdbOid table_oid = (SdbOid)v[SDB_ANUM_PG_DEPEND_REFOBJID - 1];
        int attnum = (int)sdb_datum_to_int64(v[SDB_ANUM_PG_DEPEND_REFOBJSUBID - 1]);
        Builder *seq = builder_of(ld, seq_oid);
        if (seq != NULL && seq->rel->sequence != NULL) {
            SdbSequence *s = (SdbSequence *)seq->rel->sequence;
            s->owner_rel = table_oid;
            s->owner_attnum = (int16_t)attnum;
        }
        Builder *table = builder_of(ld, table_oid);
        if (table != NULL && attnum >= 1 && attnum <= table->rel->natts)
            table->attrs[attnum - 1].sequence_oid = seq_oid;
    }
    return SDB_OK;
}

/* --- entry points -------------------------------------------------------------- */

static void destroy_builders(Loader *ld)
{
    SdbHashIter it;
    const void *key;
    size_t len;
    void *value;
    sdb_hash_iter_init(&it, ld->builders);
    while (sdb_hash_iter_next(&it, &key, &len, &value))
        sdb_arena_destroy(((Builder *)value)->arena);
}

int sdb_cat_load(SdbCatalog *cat, SdbTxn *txn, const SdbOid *oids, size_t noids, SdbArena *scratch, SdbRelation ***out,
                 size_t *nout)
{
    Loader ld = {.cat = cat, .txn = txn, .scratch = scratch};
    ld.builders = sdb_hash_create(scratch, oids ? noids : 256);
    ld.classes = sdb_hash_create(scratch, 256);
    if (ld.builders == NULL || ld.classes == NULL)
        return SDB_ERROR;
    if (load_classes(&ld, oids, noids) != SDB_OK || load_attributes(&ld) != SDB_OK || load_defaults(&ld) != SDB_OK ||
        load_indexes(&ld) != SDB_OK || load_constraints(&ld) != SDB_OK || load_views(&ld) != SDB_OK ||
        load_sequences(&ld) != SDB_OK || load_owned_sequences(&ld) != SDB_OK || load_statistics(&ld) != SDB_OK) {
        destroy_builders(&ld);
        return SDB_ERROR;
    }
    *nout = sdb_hash_count(ld.builders);
    *out = sdb_arena_alloc(scratch, (*nout + 1) * sizeof **out);
    if (*out == NULL) {
        destroy_builders(&ld);
        return SDB_ERROR;
    }
    SdbHashIter it;
    const void *key;
    size_t len, i = 0;
    void *value;
    sdb_hash_iter_init(&it, ld.builders);
    while (sdb_hash_iter_next(&it, &key, &len, &value))
        (*out)[i++] = ((Builder *)value)->rel;
    return SDB_OK;
}

void sdb_cat_namespaces_free(SdbCatNamespaces *ns)
{
    if (ns != NULL)
        sdb_arena_destroy(ns->arena);
}

int sdb_cat_load_namespaces(SdbCatalog *cat, SdbTxn *txn, SdbCatNamespaces **out)
{
    SdbArena *arena = sdb_arena_create(NULL, "schemas", 0);
    if (arena == NULL)
        return SDB_ERROR;
    SdbCatNamespaces *ns = sdb_arena_calloc(arena, 1, sizeof *ns);
    SdbCatRows rows;
    if (ns == NULL ||
        sdb_cat_scan(cat, txn, sdb_catalog_by_oid(SDB_CATALOG_PG_NAMESPACE_OID), arena, &rows) != SDB_OK ||
        (ns->items = sdb_arena_alloc(arena, (rows.count + 1) * sizeof *ns->items)) == NULL) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    ns->arena = arena;
    for (size_t i = 0; i < rows.count; i++) {
        ns->items[i].oid = (SdbOid)rows.rows[i].values[SDB_ANUM_PG_NAMESPACE_OID - 1];
        ns->items[i].name = sdb_cat_text(rows.rows[i].values[SDB_ANUM_PG_NAMESPACE_NSPNAME - 1]);
    }
    ns->count = (int)rows.count;
    *out = ns;
    return SDB_OK;
}
