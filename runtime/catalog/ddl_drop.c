/*
 * catalog/ddl_drop.c: DROP TABLE / INDEX / VIEW / SEQUENCE / SCHEMA with
 * IF EXISTS and CASCADE / RESTRICT, and dropping one constraint.  What
 * depends on a relation: its indexes, constraints, defaults and owned
 * sequences go with it; other tables' foreign keys pointing at it block a
 * RESTRICT drop (2BP01) and are dropped by CASCADE.  The storage of a
 * dropped relation is removed when the transaction commits.
 */
#include <string.h>

#include "catalog/ddl_int.h"

static int delete_where(SdbDdl *d, SdbOid catalog, int anum, SdbOid oid)
{
    return sdb_cat_delete_where(d->cat, d->txn, sdb_catalog_by_oid(catalog), anum, oid, d->arena);
}

/* pg_class + pg_attribute rows of `oid`, and its storage. */
static int drop_class(SdbDdl *d, SdbOid oid, SdbRelFileId file, bool has_storage)
{
    if (delete_where(d, SDB_CATALOG_PG_CLASS_OID, SDB_ANUM_PG_CLASS_OID, oid) != SDB_OK ||
        delete_where(d, SDB_CATALOG_PG_ATTRIBUTE_OID, SDB_ANUM_PG_ATTRIBUTE_ATTRELID, oid) != SDB_OK ||
        delete_where(d, SDB_CATALOG_PG_DESCRIPTION_OID, SDB_ANUM_PG_DESCRIPTION_OBJOID, oid) != SDB_OK ||
        delete_where(d, SDB_CATALOG_PG_DEPEND_OID, SDB_ANUM_PG_DEPEND_OBJID, oid) != SDB_OK ||
        sdb_cat_stats_delete(d->cat, d->txn, oid, 0, d->arena) != SDB_OK ||
        (has_storage && sdb_cat_note_file(d->cat, file, true) != SDB_OK))
        return SDB_ERROR;
    return sdb_ddl_touch(d, oid);
}

static int drop_index_rows(SdbDdl *d, SdbOid table, const SdbIndex *ix)
{
    if (delete_where(d, SDB_CATALOG_PG_INDEX_OID, SDB_ANUM_PG_INDEX_INDEXRELID, ix->oid) != SDB_OK ||
        drop_class(d, ix->oid, ix->file, true) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, table);
}

static int drop_sequence_rows(SdbDdl *d, const SdbRelation *seq)
{
    if (delete_where(d, SDB_CATALOG_PG_SEQUENCE_OID, SDB_ANUM_PG_SEQUENCE_SEQRELID, seq->oid) != SDB_OK ||
        drop_class(d, seq->oid, seq->file, true) != SDB_OK)
        return SDB_ERROR;
    return seq->sequence && seq->sequence->owner_rel ? sdb_ddl_touch(d, seq->sequence->owner_rel) : SDB_OK;
}

int sdb_ddl_drop_constraint(SdbDdl *d, const SdbRelation *rel, const SdbRelConstraint *con)
{
    if (delete_where(d, SDB_CATALOG_PG_CONSTRAINT_OID, SDB_ANUM_PG_CONSTRAINT_OID, con->oid) != SDB_OK)
        return SDB_ERROR;
    if (con->kind == 'f' && sdb_ddl_touch(d, con->ref_rel_oid) != SDB_OK)
        return SDB_ERROR;
    if (con->kind == 'c' && sdb_ddl_add_checks(d, rel->oid, -1) != SDB_OK)
        return SDB_ERROR;
    if (con->kind == 'p' || con->kind == 'u') {
        for (int i = 0; i < rel->nindexes; i++)
            if (rel->indexes[i].oid == con->index_oid && drop_index_rows(d, rel->oid, &rel->indexes[i]) != SDB_OK)
                return SDB_ERROR;
    }
    return sdb_ddl_touch(d, rel->oid);
}

/* The views whose query names relation `oid` (pg_depend 'n' rows). */
int sdb_ddl_dependent_views(SdbDdl *d, SdbOid oid, SdbOid **views, int *n)
{
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_DEPEND_OID), d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    *views = sdb_arena_alloc(d->arena, (rows.count + 1) * sizeof **views);
    if (*views == NULL)
        return SDB_ERROR;
    *n = 0;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbDatum *v = rows.rows[i].values;
        if (v[SDB_ANUM_PG_DEPEND_REFOBJID - 1] == oid && v[SDB_ANUM_PG_DEPEND_DEPTYPE - 1] == 'n' &&
            v[SDB_ANUM_PG_DEPEND_CLASSID - 1] == SDB_CATALOG_PG_CLASS_OID)
            (*views)[(*n)++] = (SdbOid)v[SDB_ANUM_PG_DEPEND_OBJID - 1];
    }
    return SDB_OK;
}

static bool being_dropped(const SdbDdl *d, SdbOid oid)
{
    for (int i = 0; i < d->ndropping; i++)
        if (d->dropping[i] == oid)
            return true;
    return false;
}

/* What depends on rel besides its own parts: other tables' foreign keys
 * pointing at it and views naming it.  Without CASCADE they block the drop
 * (2BP01, PostgreSQL's message with one DETAIL line each); with it they go
 * too (a NOTICE says what). */
static int dependents(SdbDdl *d, const SdbRelation *rel, bool cascade, const char *kind)
{
    SdbStr detail, first;
    sdb_str_init(&detail, d->arena);
    sdb_str_init(&first, d->arena);
    int count = 0;
    for (int i = 0; i < rel->nreferencing; i++) {
        const SdbReferencingKey *k = &rel->referencing[i];
        bool skip = k->rel_oid == rel->oid || being_dropped(d, k->rel_oid);
        const SdbRelation *other = skip ? NULL : sdb_ddl_by_oid(d, k->rel_oid);
        if (other == NULL)
            continue;
        if (count++ == 0)
            sdb_str_appendf(&first, "constraint %s on table %s", k->constraint->name, other->name);
        sdb_str_appendf(&detail, "%sconstraint %s on table %s depends on %s %s", detail.len ? "\n" : "",
                        k->constraint->name, other->name, kind, rel->name);
        if (cascade && sdb_ddl_drop_constraint(d, other, k->constraint) != SDB_OK)
            return SDB_ERROR;
    }
    SdbOid *views;
    int nviews;
    if (sdb_ddl_dependent_views(d, rel->oid, &views, &nviews) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < nviews; i++) {
        const SdbRelation *view = sdb_ddl_by_oid(d, views[i]);
        if (view == NULL || view->oid == rel->oid || being_dropped(d, view->oid))
            continue;
        if (count++ == 0)
            sdb_str_appendf(&first, "view %s", view->name);
        sdb_str_appendf(&detail, "%sview %s depends on %s %s", detail.len ? "\n" : "", view->name, kind, rel->name);
        if (cascade && (sdb_ddl_drop_relation(d, view, true) != SDB_OK || sdb_ddl_sync(d) != SDB_OK))
            return SDB_ERROR;
    }
    if (count == 0)
        return SDB_OK;
    if (!cascade) {
        sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST, "cannot drop %s %s because other objects depend on it", kind,
                  rel->name);
        sdb_error_detail("%s", detail.data);
        sdb_error_hint("Use DROP ... CASCADE to drop the dependent objects too.");
        return SDB_ERROR;
    }
    if (count == 1)
        sdb_ddl_notice(d, "00000", "drop cascades to %s", first.data);
    else
        sdb_ddl_notice(d, "00000", "drop cascades to %d other objects", count);
    return SDB_OK;
}

static int drop_table(SdbDdl *d, const SdbRelation *rel, bool cascade)
{
    if (dependents(d, rel, cascade, "table") != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < rel->nindexes; i++)
        if (drop_index_rows(d, rel->oid, &rel->indexes[i]) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < rel->nconstraints; i++)
        if (rel->constraints[i].kind == 'f' && sdb_ddl_touch(d, rel->constraints[i].ref_rel_oid) != SDB_OK)
            return SDB_ERROR;
    for (int i = 0; i < rel->natts; i++) {
        const SdbRelation *seq = rel->attrs[i].sequence_oid ? sdb_ddl_by_oid(d, rel->attrs[i].sequence_oid) : NULL;
        if (seq != NULL && drop_sequence_rows(d, seq) != SDB_OK)
            return SDB_ERROR;
    }
    if (delete_where(d, SDB_CATALOG_PG_CONSTRAINT_OID, SDB_ANUM_PG_CONSTRAINT_CONRELID, rel->oid) != SDB_OK ||
        delete_where(d, SDB_CATALOG_PG_ATTRDEF_OID, SDB_ANUM_PG_ATTRDEF_ADRELID, rel->oid) != SDB_OK ||
        delete_where(d, SDB_CATALOG_PG_DEPEND_OID, SDB_ANUM_PG_DEPEND_REFOBJID, rel->oid) != SDB_OK ||
        (rel->toast.rel_number != 0 && sdb_cat_note_file(d->cat, rel->toast, true) != SDB_OK))
        return SDB_ERROR;
    return drop_class(d, rel->oid, rel->file, true);
}

/* DROP INDEX: not one that enforces a constraint. */
static int drop_index(SdbDdl *d, const SdbRelation *index)
{
    const SdbRelation *table = sdb_ddl_by_oid(d, index->index_table);
    if (table == NULL)
        return drop_class(d, index->oid, index->file, true);
    for (int i = 0; i < table->nconstraints; i++) {
        const SdbRelConstraint *c = &table->constraints[i];
        if ((c->kind == 'p' || c->kind == 'u') && c->index_oid == index->oid) {
            sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop index %s because constraint %s on table %s requires it", index->name, c->name,
                      table->name);
            sdb_error_hint("You can drop constraint %s on table %s instead.", c->name, table->name);
            return SDB_ERROR;
        }
    }
    for (int i = 0; i < table->nindexes; i++)
        if (table->indexes[i].oid == index->oid)
            return drop_index_rows(d, table->oid, &table->indexes[i]);
    return drop_class(d, index->oid, index->file, true);
}

/* DROP SEQUENCE of a sequence a column's default uses (serial). */
static int drop_sequence(SdbDdl *d, const SdbRelation *seq, bool cascade)
{
    const SdbSequence *s = seq->sequence;
    const SdbRelation *owner = s && s->owner_rel ? sdb_ddl_by_oid(d, s->owner_rel) : NULL;
    if (owner != NULL && s->owner_attnum >= 1 && s->owner_attnum <= owner->natts) {
        const SdbAttribute *att = &owner->attrs[s->owner_attnum - 1];
        if (att->identity) {
            sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop sequence %s because column %s of table %s requires it", seq->name, att->name,
                      owner->name);
            sdb_error_hint("You can drop column %s of table %s instead.", att->name, owner->name);
            return SDB_ERROR;
        }
        if (att->default_sql != NULL) {
            if (!cascade) {
                sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop sequence %s because other objects depend on it", seq->name);
                sdb_error_detail("default value for column %s of table %s depends on sequence %s", att->name,
                                 owner->name, seq->name);
                sdb_error_hint("Use DROP ... CASCADE to drop the dependent objects too.");
                return SDB_ERROR;
            }
            sdb_ddl_notice(d, "00000", "drop cascades to default value for column %s of table %s", att->name,
                           owner->name);
            if (sdb_ddl_set_default(d, owner->oid, s->owner_attnum, NULL) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return drop_sequence_rows(d, seq);
}

int sdb_ddl_drop_relation(SdbDdl *d, const SdbRelation *rel, bool cascade)
{
    switch (rel->kind) {
    case 'r':
        return drop_table(d, rel, cascade);
    case 'i':
        return drop_index(d, rel);
    case 'S':
        return drop_sequence(d, rel, cascade);
    default:
        if (dependents(d, rel, cascade, "view") != SDB_OK ||
            delete_where(d, SDB_CATALOG_PG_REWRITE_OID, SDB_ANUM_PG_REWRITE_EV_CLASS, rel->oid) != SDB_OK)
            return SDB_ERROR;
        return drop_class(d, rel->oid, rel->file, false);
    }
}

/* --- DROP ------------------------------------------------------------------- */

typedef struct DropKind {
    char relkind;
    const char *word;    /* "table" */
    const char *article; /* "a table" */
    const char *command; /* "DROP TABLE" */
    SdbErrcode missing;
} DropKind;

static const DropKind drop_kinds[] = {
    [SDB_OBJECT_TYPE_TABLE] = {'r', "table", "a table", "DROP TABLE", SDB_ERR_UNDEFINED_TABLE},
    [SDB_OBJECT_TYPE_INDEX] = {'i', "index", "an index", "DROP INDEX", SDB_ERR_UNDEFINED_OBJECT},
    [SDB_OBJECT_TYPE_VIEW] = {'v', "view", "a view", "DROP VIEW", SDB_ERR_UNDEFINED_TABLE},
    [SDB_OBJECT_TYPE_SEQUENCE] = {'S', "sequence", "a sequence", "DROP SEQUENCE", SDB_ERR_UNDEFINED_TABLE},
};

static const DropKind *kind_of(char relkind)
{
    for (size_t i = 0; i < sizeof drop_kinds / sizeof drop_kinds[0]; i++)
        if (drop_kinds[i].relkind == relkind)
            return &drop_kinds[i];
    return NULL;
}

/* A String list (any_name) as a RangeVar. */
static void name_to_rangevar(const SdbList *names, SdbRangeVar *rv)
{
    int n = sdb_list_length(names);
    memset(rv, 0, sizeof *rv);
    rv->tag = SDB_T_RANGE_VAR;
    rv->relname = ((const SdbString *)sdb_list_nth(names, n - 1))->sval;
    rv->schemaname = n > 1 ? ((const SdbString *)sdb_list_nth(names, n - 2))->sval : NULL;
}

static int drop_one_relation(SdbDdl *d, const SdbDropStmt *stmt, const SdbList *names)
{
    const DropKind *want = &drop_kinds[stmt->remove_type];
    SdbRangeVar rv;
    name_to_rangevar(names, &rv);
    const char *shown = rv.schemaname ? sdb_arena_sprintf(d->arena, "%s.%s", rv.schemaname, rv.relname) : rv.relname;
    if (rv.schemaname != NULL && sdb_cat_namespace_oid(d->cat, d->txn, rv.schemaname) == 0 && !stmt->missing_ok)
        return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", rv.schemaname);
    const SdbRelation *rel = sdb_ddl_find(d, &rv);
    if (rel == NULL) {
        if (!stmt->missing_ok)
            return sdb_error(want->missing, "%s \"%s\" does not exist", want->word, shown);
        sdb_ddl_notice(d, "00000", "%s \"%s\" does not exist, skipping", want->word, shown);
        return SDB_OK;
    }
    if (rel->kind != want->relkind) {
        const DropKind *is = kind_of(rel->kind);
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "\"%s\" is not %s", rel->name, want->article);
        if (is != NULL)
            sdb_error_hint("Use %s to remove %s.", is->command, is->article);
        return SDB_ERROR;
    }
    if (rel->system)
        return sdb_error(SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied: \"%s\" is a system catalog", rel->name);
    if (sdb_ddl_drop_relation(d, rel, stmt->behavior == SDB_DROP_BEHAVIOR_CASCADE) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_sync(d);
}

/* The relations of schema `nsp` as the transaction sees them. */
static int schema_members(SdbDdl *d, SdbOid nsp, SdbOid **oids, size_t *n)
{
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID), d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    *oids = sdb_arena_alloc(d->arena, (rows.count + 1) * sizeof **oids);
    if (*oids == NULL)
        return SDB_ERROR;
    *n = 0;
    for (size_t i = 0; i < rows.count; i++)
        if (rows.rows[i].values[SDB_ANUM_PG_CLASS_RELNAMESPACE - 1] == nsp)
            (*oids)[(*n)++] = (SdbOid)rows.rows[i].values[SDB_ANUM_PG_CLASS_OID - 1];
    return SDB_OK;
}

static int drop_schema(SdbDdl *d, const SdbDropStmt *stmt, const char *name)
{
    SdbOid nsp = sdb_cat_namespace_oid(d->cat, d->txn, name);
    if (nsp == 0) {
        if (!stmt->missing_ok)
            return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
        sdb_ddl_notice(d, "00000", "schema \"%s\" does not exist, skipping", name);
        return SDB_OK;
    }
    if (nsp == SDB_NAMESPACE_PG_CATALOG || nsp == SDB_NAMESPACE_INFORMATION_SCHEMA)
        return sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                         "cannot drop schema %s because it is required by the database system", name);
    SdbOid *oids;
    size_t n;
    if (schema_members(d, nsp, &oids, &n) != SDB_OK)
        return SDB_ERROR;
    if (n > 0 && stmt->behavior != SDB_DROP_BEHAVIOR_CASCADE) {
        SdbStr detail;
        sdb_str_init(&detail, d->arena);
        for (size_t i = 0; i < n; i++) {
            const SdbRelation *rel = sdb_ddl_by_oid(d, oids[i]);
            const DropKind *k = rel ? kind_of(rel->kind) : NULL;
            if (k != NULL && rel->kind != 'i')
                sdb_str_appendf(&detail, "%s%s %s depends on schema %s", detail.len ? "\n" : "", k->word, rel->name,
                                name);
        }
        sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST, "cannot drop schema %s because other objects depend on it",
                  name);
        sdb_error_detail("%s", detail.data);
        sdb_error_hint("Use DROP ... CASCADE to drop the dependent objects too.");
        return SDB_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        /* indexes and owned sequences go with their tables */
        const SdbRelation *rel = sdb_ddl_by_oid(d, oids[i]);
        if (rel == NULL || rel->kind == 'i' || (rel->kind == 'S' && rel->sequence && rel->sequence->owner_rel))
            continue;
        if (sdb_ddl_drop_relation(d, rel, true) != SDB_OK || sdb_ddl_sync(d) != SDB_OK)
            return SDB_ERROR;
    }
    if (n > 0)
        sdb_ddl_notice(d, "00000", "drop cascades to %zu other objects", n);
    if (delete_where(d, SDB_CATALOG_PG_NAMESPACE_OID, SDB_ANUM_PG_NAMESPACE_OID, nsp) != SDB_OK)
        return SDB_ERROR;
    d->namespaces_changed = true;
    return sdb_ddl_sync(d);
}

/* The OIDs of the relations a DROP names (those that exist). */
static int dropped_set(SdbDdl *d, const SdbDropStmt *stmt)
{
    int n = sdb_list_length(stmt->objects);
    SdbOid *oids = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *oids);
    if (oids == NULL)
        return SDB_ERROR;
    d->ndropping = 0;
    for (int i = 0; i < n; i++) {
        SdbRangeVar rv;
        name_to_rangevar((const SdbList *)sdb_list_nth(stmt->objects, i), &rv);
        const SdbRelation *rel = sdb_ddl_find(d, &rv);
        if (rel != NULL)
            oids[d->ndropping++] = rel->oid;
    }
    d->dropping = oids;
    return SDB_OK;
}

int sdb_ddl_drop(SdbDdl *d, const SdbDropStmt *stmt)
{
    if (stmt->remove_type != SDB_OBJECT_TYPE_SCHEMA && dropped_set(d, stmt) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < sdb_list_length(stmt->objects); i++) {
        const SdbNode *obj = sdb_list_nth(stmt->objects, i);
        int rc;
        if (stmt->remove_type == SDB_OBJECT_TYPE_SCHEMA)
            rc = drop_schema(d, stmt, ((const SdbString *)obj)->sval);
        else if ((size_t)stmt->remove_type < sizeof drop_kinds / sizeof drop_kinds[0] &&
                 drop_kinds[stmt->remove_type].word != NULL)
            rc = drop_one_relation(d, stmt, (const SdbList *)obj);
        else
            rc = sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "DROP of this object type is not supported");
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
