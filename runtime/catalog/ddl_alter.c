/*
 * catalog/ddl_alter.c: ALTER TABLE (ADD/DROP COLUMN, ADD/DROP CONSTRAINT,
 * ALTER COLUMN SET/DROP DEFAULT, SET/DROP NOT NULL) and the RENAME forms
 * (tables, indexes, views, sequences, columns, constraints, schemas).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "catalog/ddl_int.h"
#include "catalog/row.h"
#include "sql/parser.h"

/* --- helpers ---------------------------------------------------------------- */

static int missing_column(const char *column, const char *table)
{
    return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", column, table);
}

/* Whether a row of rel the transaction sees has column attnum NULL (or,
 * with `any_row`, whether there is any row). */
static int scan_column(SdbDdl *d, const SdbRelation *rel, int attnum, bool any_row, bool *found)
{
    int col = any_row ? -1 : attnum - 1;
    SdbDdlScan scan;
    *found = false;
    if (sdb_ddl_scan_begin(d, rel, &col, 1, &scan) != SDB_OK) {
        sdb_table_scan_end(scan.scan);
        return SDB_ERROR;
    }
    int rc;
    while (!*found && (rc = sdb_table_scan_next(scan.scan, &scan.batch)) == SDB_OK && scan.batch.nrows > 0)
        for (int r = 0; r < scan.batch.nrows && !*found; r++)
            *found = any_row || sdb_vector_is_null(&scan.vectors[0], r);
    sdb_table_scan_end(scan.scan);
    return *found ? SDB_OK : rc;
}

/* Give the rows of table `oid` their value of new column `attnum` (ADD
 * COLUMN with a DEFAULT, serial or identity): each row is updated with the
 * value the session's eval_default gives. */
static int fill_new_column(SdbDdl *d, SdbOid oid, int attnum)
{
    const SdbRelation *rel = sdb_ddl_by_oid(d, oid);
    bool has_rows;
    if (scan_column(d, rel, 1, true, &has_rows) != SDB_OK)
        return SDB_ERROR;
    if (!has_rows)
        return SDB_OK;
    if (d->ctx->eval_default == NULL)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED,
                         "adding a column with a default to a table with rows needs the session's evaluator");
    int n = rel->natts;
    int *cols = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *cols);
    SdbDatum *values = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *values);
    bool *nulls = sdb_arena_alloc(d->arena, ((size_t)n + 1) * sizeof *nulls);
    if (cols == NULL || values == NULL || nulls == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        cols[i] = i;
    cols[n] = -1;
    SdbDdlScan scan;
    if (sdb_ddl_scan_begin(d, rel, cols, n + 1, &scan) != SDB_OK) {
        sdb_table_scan_end(scan.scan);
        return SDB_ERROR;
    }
    int rc;
    while ((rc = sdb_table_scan_next(scan.scan, &scan.batch)) == SDB_OK && scan.batch.nrows > 0) {
        for (int r = 0; r < scan.batch.nrows && rc == SDB_OK; r++) {
            for (int i = 0; i < n; i++) {
                values[i] = scan.vectors[i].values[r];
                nulls[i] = sdb_vector_is_null(&scan.vectors[i], r);
            }
            SdbTid new_tid;
            rc = d->ctx->eval_default(d->ctx->eval_arg, rel, attnum - 1, &values[attnum - 1], &nulls[attnum - 1]);
            if (rc == SDB_OK)
                rc = sdb_table_update(&scan.ac, rel, sdb_ddl_tid(scan.vectors[n].values[r]), values, nulls, &new_tid);
        }
        if (rc != SDB_OK)
            break;
    }
    sdb_table_scan_end(scan.scan);
    return rc;
}

static int contains_nulls(const char *column, const char *table)
{
    return sdb_error(SDB_ERR_NOT_NULL_VIOLATION, "column \"%s\" of relation \"%s\" contains null values", column,
                     table);
}

static bool key_uses(int n, const int16_t *keys, int attnum)
{
    for (int i = 0; i < n; i++)
        if (keys[i] == attnum)
            return true;
    return false;
}

/* --- ADD / DROP COLUMN ------------------------------------------------------ */

static int add_column(SdbDdl *d, const SdbRelation *rel, const SdbAlterTableCmd *cmd)
{
    const SdbColumnDef *def = (const SdbColumnDef *)cmd->def;
    if (sdb_ddl_attnum(rel, def->colname) != 0) {
        if (!cmd->missing_ok)
            return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" of relation \"%s\" already exists", def->colname,
                             rel->name);
        sdb_ddl_notice(d, "42701", "column \"%s\" of relation \"%s\" already exists, skipping", def->colname,
                       rel->name);
        return SDB_OK;
    }
    if (rel->natts >= SDB_ROW_MAX_ATTS)
        return sdb_error(SDB_ERR_TOO_MANY_COLUMNS, "tables can have at most %d columns", SDB_ROW_MAX_ATTS);
    SdbDdlColumn col;
    if (sdb_ddl_column(d, def, &col) != SDB_OK)
        return SDB_ERROR;
    col.att.attnum = (int16_t)(rel->natts + 1);
    bool has_rows;
    if (col.att.not_null && col.default_sql == NULL && !col.serial_type && !col.att.identity) {
        if (scan_column(d, rel, 1, true, &has_rows) != SDB_OK)
            return SDB_ERROR;
        if (has_rows)
            return contains_nulls(def->colname, rel->name);
    }
    SdbOid oid = rel->oid;
    bool filled = col.default_sql != NULL || col.serial_type || col.att.identity;
    if (sdb_ddl_update_class(d, oid, NULL, rel->natts + 1, -1) != SDB_OK ||
        sdb_ddl_add_column(d, oid, rel->name, rel->namespace_oid, &col) != SDB_OK || sdb_ddl_sync(d) != SDB_OK ||
        (filled && fill_new_column(d, oid, col.att.attnum) != SDB_OK))
        return SDB_ERROR;
    for (int i = 0; i < sdb_list_length(def->constraints); i++)
        if (sdb_ddl_add_constraint(d, sdb_ddl_by_oid(d, oid), (const SdbConstraint *)sdb_list_nth(def->constraints, i),
                                   def->colname) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int mark_dropped(SdbDdl *d, const SdbRelation *rel, int attnum)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbCatRow *row = &rows.rows[i];
        if (row->values[SDB_ANUM_PG_ATTRIBUTE_ATTRELID - 1] != rel->oid ||
            sdb_datum_to_int64(row->values[SDB_ANUM_PG_ATTRIBUTE_ATTNUM - 1]) != attnum)
            continue;
        SdbCatTuple t;
        char name[64];
        snprintf(name, sizeof name, "........pg.dropped.%d........", attnum);
        sdb_cat_tuple_from_row(&t, crel, row, d->arena);
        sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTISDROPPED, true);
        sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTNOTNULL, false);
        sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTHASDEF, false);
        sdb_cat_set(&t, SDB_ANUM_PG_ATTRIBUTE_ATTIDENTITY, 0);
        if (sdb_cat_set_text(&t, SDB_ANUM_PG_ATTRIBUTE_ATTNAME, name) != SDB_OK ||
            sdb_cat_update(d->cat, d->txn, row->tid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_cat_stats_delete(d->cat, d->txn, rel->oid, attnum, d->arena) != SDB_OK)
        return SDB_ERROR;
    return sdb_ddl_touch(d, rel->oid);
}

static int drop_column(SdbDdl *d, const SdbRelation *rel, const SdbAlterTableCmd *cmd)
{
    int attnum = sdb_ddl_attnum(rel, cmd->name);
    if (attnum == 0) {
        if (!cmd->missing_ok)
            return missing_column(cmd->name, rel->name);
        sdb_ddl_notice(d, "00000", "column \"%s\" of relation \"%s\" does not exist, skipping", cmd->name, rel->name);
        return SDB_OK;
    }
    bool cascade = cmd->behavior == SDB_DROP_BEHAVIOR_CASCADE;
    /* other tables' foreign keys on this column */
    for (int i = 0; i < rel->nreferencing; i++) {
        const SdbRelConstraint *fk = rel->referencing[i].constraint;
        if (rel->referencing[i].rel_oid == rel->oid || !key_uses(fk->nkeys, fk->ref_keys, attnum))
            continue;
        const SdbRelation *other = sdb_ddl_by_oid(d, rel->referencing[i].rel_oid);
        if (!cascade) {
            sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop column %s of table %s because other objects depend on it", cmd->name, rel->name);
            sdb_error_detail("constraint %s on table %s depends on column %s of table %s", fk->name,
                             other ? other->name : "?", cmd->name, rel->name);
            sdb_error_hint("Use DROP ... CASCADE to drop the dependent objects too.");
            return SDB_ERROR;
        }
        sdb_ddl_notice(d, "00000", "drop cascades to constraint %s on table %s", fk->name, other ? other->name : "?");
        if (other != NULL && sdb_ddl_drop_constraint(d, other, fk) != SDB_OK)
            return SDB_ERROR;
    }
    for (int i = 0; i < rel->nconstraints; i++) {
        const SdbRelConstraint *c = &rel->constraints[i];
        if (key_uses(c->nkeys, c->keys, attnum) && sdb_ddl_drop_constraint(d, rel, c) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_ddl_sync(d) != SDB_OK)
        return SDB_ERROR;
    rel = sdb_ddl_by_oid(d, rel->oid);
    for (int i = 0; i < rel->nindexes; i++) {
        const SdbIndex *ix = &rel->indexes[i];
        const SdbRelation *index = key_uses(ix->nkeys, ix->keys, attnum) ? sdb_ddl_by_oid(d, ix->oid) : NULL;
        if (index != NULL && sdb_ddl_drop_relation(d, index, true) != SDB_OK)
            return SDB_ERROR;
    }
    const SdbAttribute *att = &rel->attrs[attnum - 1];
    const SdbRelation *seq = att->sequence_oid ? sdb_ddl_by_oid(d, att->sequence_oid) : NULL;
    if (sdb_ddl_set_default(d, rel->oid, attnum, NULL) != SDB_OK ||
        (seq != NULL && sdb_ddl_drop_relation(d, seq, true) != SDB_OK))
        return SDB_ERROR;
    return mark_dropped(d, rel, attnum);
}

/* --- constraints ------------------------------------------------------------ */

static int drop_constraint(SdbDdl *d, const SdbRelation *rel, const SdbAlterTableCmd *cmd)
{
    const SdbRelConstraint *con = NULL;
    for (int i = 0; i < rel->nconstraints; i++)
        if (strcmp(rel->constraints[i].name, cmd->name) == 0)
            con = &rel->constraints[i];
    if (con == NULL) {
        if (!cmd->missing_ok)
            return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "constraint \"%s\" of relation \"%s\" does not exist", cmd->name,
                             rel->name);
        sdb_ddl_notice(d, "00000", "constraint \"%s\" of relation \"%s\" does not exist, skipping", cmd->name,
                       rel->name);
        return SDB_OK;
    }
    if (con->kind == 'p' || con->kind == 'u') {
        for (int i = 0; i < rel->nreferencing; i++) {
            const SdbRelConstraint *fk = rel->referencing[i].constraint;
            if (fk->index_oid != con->index_oid)
                continue;
            const SdbRelation *other = sdb_ddl_by_oid(d, rel->referencing[i].rel_oid);
            if (cmd->behavior != SDB_DROP_BEHAVIOR_CASCADE) {
                sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop constraint %s on table %s because other objects depend on it", con->name,
                          rel->name);
                sdb_error_detail("constraint %s on table %s depends on index %s", fk->name, other ? other->name : "?",
                                 con->name);
                sdb_error_hint("Use DROP ... CASCADE to drop the dependent objects too.");
                return SDB_ERROR;
            }
            sdb_ddl_notice(d, "00000", "drop cascades to constraint %s on table %s", fk->name,
                           other ? other->name : "?");
            if (other != NULL && other->oid != rel->oid && sdb_ddl_drop_constraint(d, other, fk) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return sdb_ddl_drop_constraint(d, rel, con);
}

/* --- column properties -------------------------------------------------------- */

/* The text of the n-th top-level DEFAULT expression of the statement. */
static const char *nth_default_text(SdbDdl *d, int n)
{
    int start = sdb_ddl_after_keyword(d, 0, "DEFAULT", n);
    return start < 0 ? NULL : sdb_ddl_expr_text(d, start, -1);
}

static int alter_column(SdbDdl *d, const SdbRelation *rel, const SdbAlterTableCmd *cmd, int *defaults_seen)
{
    int attnum = sdb_ddl_attnum(rel, cmd->name);
    if (attnum == 0)
        return missing_column(cmd->name, rel->name);
    const SdbAttribute *att = &rel->attrs[attnum - 1];
    switch (cmd->subtype) {
    case SDB_ALTER_TABLE_TYPE_SET_DEFAULT: {
        const char *text = nth_default_text(d, (*defaults_seen)++);
        if (att->identity)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "column \"%s\" of relation \"%s\" is an identity column", cmd->name,
                             rel->name);
        if (text == NULL)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "DEFAULT expression not found in the statement text");
        return sdb_ddl_set_default(d, rel->oid, attnum, text);
    }
    case SDB_ALTER_TABLE_TYPE_DROP_DEFAULT:
        (*defaults_seen)++;
        return sdb_ddl_set_default(d, rel->oid, attnum, NULL);
    case SDB_ALTER_TABLE_TYPE_SET_NOT_NULL: {
        bool has_null;
        if (att->not_null)
            return SDB_OK;
        if (scan_column(d, rel, attnum, false, &has_null) != SDB_OK)
            return SDB_ERROR;
        if (has_null)
            return contains_nulls(cmd->name, rel->name);
        return sdb_ddl_set_not_null(d, rel->oid, attnum, true);
    }
    case SDB_ALTER_TABLE_TYPE_DROP_NOT_NULL:
        for (int i = 0; i < rel->nconstraints; i++)
            if (rel->constraints[i].kind == 'p' &&
                key_uses(rel->constraints[i].nkeys, rel->constraints[i].keys, attnum))
                return sdb_error(SDB_ERR_INVALID_TABLE_DEFINITION, "column \"%s\" is in a primary key", cmd->name);
        if (att->identity)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "column \"%s\" of relation \"%s\" is an identity column", cmd->name,
                             rel->name);
        return sdb_ddl_set_not_null(d, rel->oid, attnum, false);
    default:
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "ALTER COLUMN ... TYPE is not supported");
    }
}

/* The number of DEFAULT clauses a column definition has. */
static int defaults_in(const SdbColumnDef *def)
{
    int n = 0;
    for (int i = 0; i < sdb_list_length(def->constraints); i++)
        n += ((const SdbConstraint *)sdb_list_nth(def->constraints, i))->contype == SDB_CONSTR_TYPE_DEFAULT;
    return n;
}

/* The relation ALTER / RENAME names, or NULL with a NOTICE (IF EXISTS) or
 * an error recorded (*rc). */
static const SdbRelation *target(SdbDdl *d, const SdbRangeVar *rv, bool missing_ok, int *rc)
{
    const SdbRelation *rel = sdb_ddl_find(d, rv);
    *rc = SDB_OK;
    if (rel == NULL) {
        if (missing_ok)
            sdb_ddl_notice(d, "00000", "relation \"%s\" does not exist, skipping", rv->relname);
        else
            *rc = sdb_ddl_missing_relation(rv);
    } else if (rel->system) {
        *rc = sdb_error(SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied: \"%s\" is a system catalog", rel->name);
        rel = NULL;
    }
    return rel;
}

int sdb_ddl_alter_table(SdbDdl *d, const SdbAlterTableStmt *stmt)
{
    int rc;
    const SdbRelation *rel = target(d, stmt->relation, stmt->missing_ok, &rc);
    if (rel == NULL)
        return rc;
    if (rel->kind != 'r')
        return sdb_ddl_wrong_kind(rel->name, "a table");
    SdbOid oid = rel->oid;
    int defaults_seen = 0;
    for (int i = 0; i < sdb_list_length(stmt->cmds); i++) {
        const SdbAlterTableCmd *cmd = (const SdbAlterTableCmd *)sdb_list_nth(stmt->cmds, i);
        rel = sdb_ddl_by_oid(d, oid);
        switch (cmd->subtype) {
        case SDB_ALTER_TABLE_TYPE_ADD_COLUMN:
            rc = add_column(d, rel, cmd);
            defaults_seen += defaults_in((const SdbColumnDef *)cmd->def);
            break;
        case SDB_ALTER_TABLE_TYPE_DROP_COLUMN:
            rc = drop_column(d, rel, cmd);
            break;
        case SDB_ALTER_TABLE_TYPE_ADD_CONSTRAINT:
            rc = sdb_ddl_add_constraint(d, rel, (const SdbConstraint *)cmd->def, NULL);
            break;
        case SDB_ALTER_TABLE_TYPE_DROP_CONSTRAINT:
            rc = drop_constraint(d, rel, cmd);
            break;
        default:
            rc = alter_column(d, rel, cmd, &defaults_seen);
            break;
        }
        if (rc != SDB_OK || sdb_ddl_sync(d) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- RENAME ------------------------------------------------------------------- */

static int rename_constraint_row(SdbDdl *d, SdbOid oid, const char *name)
{
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_CONSTRAINT_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        if (rows.rows[i].values[SDB_ANUM_PG_CONSTRAINT_OID - 1] != oid)
            continue;
        SdbCatTuple t;
        sdb_cat_tuple_from_row(&t, crel, &rows.rows[i], d->arena);
        if (sdb_cat_set_text(&t, SDB_ANUM_PG_CONSTRAINT_CONNAME, name) != SDB_OK ||
            sdb_cat_update(d->cat, d->txn, rows.rows[i].tid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* The length of the (possibly qualified, possibly quoted) name at s. */
static int name_length(const char *s)
{
    int i = 0;
    for (;;) {
        if (s[i] == '"') {
            for (i++; s[i] != '\0' && !(s[i] == '"' && s[i + 1] != '"'); i += s[i] == '"' ? 2 : 1)
                ;
            if (s[i] == '"')
                i++;
        } else {
            while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' || (unsigned char)s[i] >= 0x80)
                i++;
        }
        int j = i;
        while (isspace((unsigned char)s[j]))
            j++;
        if (s[j] != '.')
            return i;
        for (j++; isspace((unsigned char)s[j]); j++)
            ;
        i = j;
    }
}

typedef struct RenameWalk {
    SdbDdl *d;
    SdbOid target;
    int *locations;
    bool *qualified;
    bool *aliased;
    int n, cap;
    int rc;
} RenameWalk;

/* Collect where the query names relation `target`. */
static int find_names(SdbNode *node, void *arg)
{
    RenameWalk *w = arg;
    if (SDB_IS_A(node, RANGE_VAR)) {
        const SdbRangeVar *rv = (const SdbRangeVar *)node;
        const SdbRelation *rel = sdb_ddl_find(w->d, rv);
        if (rel != NULL && rel->oid == w->target && w->n < w->cap) {
            w->locations[w->n] = rv->location;
            w->aliased[w->n] = rv->alias != NULL;
            w->qualified[w->n++] = rv->schemaname != NULL;
        }
    }
    return sdb_node_walk(node, find_names, arg);
}

/* The view's text with every name of relation `target` replaced by
 * `name` (schema-qualified where it was; without an alias, the old name
 * becomes one, so column references qualified by it still work). */
static int renamed_view_text(SdbDdl *d, const char *sql, SdbOid target, const char *schema, const char *old,
                             const char *name, const char **out)
{
    SdbParseResult parsed;
    if (sdb_parse(d->arena, sql, strlen(sql), &parsed) != SDB_OK || parsed.count != 1)
        return SDB_ERROR;
    RenameWalk w = {.d = d, .target = target, .cap = 256, .rc = SDB_OK};
    w.locations = sdb_arena_alloc(d->arena, (size_t)w.cap * sizeof *w.locations);
    w.qualified = sdb_arena_alloc(d->arena, (size_t)w.cap * sizeof *w.qualified);
    w.aliased = sdb_arena_alloc(d->arena, (size_t)w.cap * sizeof *w.aliased);
    if (w.locations == NULL || w.qualified == NULL || w.aliased == NULL)
        return SDB_ERROR;
    find_names(((const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0))->stmt, &w);
    for (int i = 1; i < w.n; i++) /* into text order */
        for (int j = i; j > 0 && w.locations[j] < w.locations[j - 1]; j--) {
            int l = w.locations[j];
            bool q = w.qualified[j], a = w.aliased[j];
            w.locations[j] = w.locations[j - 1], w.qualified[j] = w.qualified[j - 1], w.aliased[j] = w.aliased[j - 1];
            w.locations[j - 1] = l, w.qualified[j - 1] = q, w.aliased[j - 1] = a;
        }
    SdbStr text;
    sdb_str_init(&text, d->arena);
    int pos = 0;
    for (int i = 0; i < w.n; i++) {
        int at = w.locations[i];
        if (at < pos)
            continue;
        if (sdb_str_append(&text, sql + pos, (size_t)(at - pos)) != SDB_OK ||
            (w.qualified[i] &&
             (sdb_cat_quote_identifier(&text, schema) != SDB_OK || sdb_str_append_char(&text, '.') != SDB_OK)) ||
            sdb_cat_quote_identifier(&text, name) != SDB_OK ||
            (!w.aliased[i] &&
             (sdb_str_append_cstr(&text, " AS ") != SDB_OK || sdb_cat_quote_identifier(&text, old) != SDB_OK)))
            return SDB_ERROR;
        pos = at + name_length(sql + at);
    }
    if (sdb_str_append_cstr(&text, sql + pos) != SDB_OK)
        return SDB_ERROR;
    *out = text.data;
    return SDB_OK;
}

/* Views naming `rel` keep naming it under its new name. */
static int rename_in_views(SdbDdl *d, const SdbRelation *rel, const char *name)
{
    SdbOid *views;
    int n;
    if (sdb_ddl_dependent_views(d, rel->oid, &views, &n) != SDB_OK)
        return SDB_ERROR;
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_REWRITE_OID);
    for (int i = 0; i < n; i++) {
        SdbCatRows rows;
        if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
            return SDB_ERROR;
        for (size_t r = 0; r < rows.count; r++) {
            if (rows.rows[r].values[SDB_ANUM_PG_REWRITE_EV_CLASS - 1] != views[i])
                continue;
            const char *text;
            SdbCatTuple t;
            if (renamed_view_text(d, sdb_cat_text(rows.rows[r].values[SDB_ANUM_PG_REWRITE_EV_ACTION - 1]), rel->oid,
                                  rel->namespace_name, rel->name, name, &text) != SDB_OK)
                return SDB_ERROR;
            sdb_cat_tuple_from_row(&t, crel, &rows.rows[r], d->arena);
            if (sdb_cat_set_text(&t, SDB_ANUM_PG_REWRITE_EV_ACTION, text) != SDB_OK ||
                sdb_cat_update(d->cat, d->txn, rows.rows[r].tid, &t) != SDB_OK || sdb_ddl_touch(d, views[i]) != SDB_OK)
                return SDB_ERROR;
        }
    }
    return SDB_OK;
}

/* Rename relation `rel`; an index enforcing a constraint renames it too. */
static int rename_relation(SdbDdl *d, const SdbRelation *rel, const char *name)
{
    bool taken;
    if (sdb_ddl_name_taken(d, rel->namespace_oid, name, &taken) != SDB_OK)
        return SDB_ERROR;
    if (taken)
        return sdb_error(SDB_ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    if (rename_in_views(d, rel, name) != SDB_OK || sdb_ddl_update_class(d, rel->oid, name, -1, -1) != SDB_OK)
        return SDB_ERROR;
    const SdbRelation *table = rel->kind == 'i' ? sdb_ddl_by_oid(d, rel->index_table) : NULL;
    for (int i = 0; table != NULL && i < table->nconstraints; i++)
        if (table->constraints[i].index_oid == rel->oid && table->constraints[i].kind != 'f' &&
            (rename_constraint_row(d, table->constraints[i].oid, name) != SDB_OK ||
             sdb_ddl_touch(d, table->oid) != SDB_OK))
            return SDB_ERROR;
    for (int i = 0; i < rel->nreferencing; i++)
        if (sdb_ddl_touch(d, rel->referencing[i].rel_oid) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int rename_column(SdbDdl *d, const SdbRelation *rel, const SdbRenameStmt *stmt)
{
    int attnum = sdb_ddl_attnum(rel, stmt->subname);
    if (attnum == 0)
        return sdb_error(SDB_ERR_UNDEFINED_COLUMN, "column \"%s\" does not exist", stmt->subname);
    if (sdb_ddl_attnum(rel, stmt->newname) != 0)
        return sdb_error(SDB_ERR_DUPLICATE_COLUMN, "column \"%s\" of relation \"%s\" already exists", stmt->newname,
                         rel->name);
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_ATTRIBUTE_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        const SdbCatRow *row = &rows.rows[i];
        if (row->values[SDB_ANUM_PG_ATTRIBUTE_ATTRELID - 1] != rel->oid ||
            sdb_datum_to_int64(row->values[SDB_ANUM_PG_ATTRIBUTE_ATTNUM - 1]) != attnum)
            continue;
        SdbCatTuple t;
        sdb_cat_tuple_from_row(&t, crel, row, d->arena);
        if (sdb_cat_set_text(&t, SDB_ANUM_PG_ATTRIBUTE_ATTNAME, stmt->newname) != SDB_OK ||
            sdb_cat_update(d->cat, d->txn, row->tid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_ddl_touch(d, rel->oid) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < rel->nreferencing; i++)
        if (sdb_ddl_touch(d, rel->referencing[i].rel_oid) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int rename_constraint(SdbDdl *d, const SdbRelation *rel, const SdbRenameStmt *stmt)
{
    for (int i = 0; i < rel->nconstraints; i++) {
        const SdbRelConstraint *c = &rel->constraints[i];
        if (strcmp(c->name, stmt->subname) != 0)
            continue;
        bool taken = false;
        for (int j = 0; j < rel->nconstraints; j++)
            taken |= strcmp(rel->constraints[j].name, stmt->newname) == 0;
        if (taken)
            return sdb_error(SDB_ERR_DUPLICATE_OBJECT, "constraint \"%s\" for relation \"%s\" already exists",
                             stmt->newname, rel->name);
        if ((c->kind == 'p' || c->kind == 'u') &&
            (sdb_ddl_name_taken(d, rel->namespace_oid, stmt->newname, &taken) != SDB_OK || taken))
            return taken ? sdb_error(SDB_ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", stmt->newname)
                         : SDB_ERROR;
        if (rename_constraint_row(d, c->oid, stmt->newname) != SDB_OK)
            return SDB_ERROR;
        if ((c->kind == 'p' || c->kind == 'u') &&
            sdb_ddl_update_class(d, c->index_oid, stmt->newname, -1, -1) != SDB_OK)
            return SDB_ERROR;
        if (c->kind == 'f' && sdb_ddl_touch(d, c->ref_rel_oid) != SDB_OK)
            return SDB_ERROR;
        return sdb_ddl_touch(d, rel->oid);
    }
    return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "constraint \"%s\" for table \"%s\" does not exist", stmt->subname,
                     rel->name);
}

static int rename_schema(SdbDdl *d, const SdbRenameStmt *stmt)
{
    SdbOid nsp = sdb_cat_namespace_oid(d->cat, d->txn, stmt->subname);
    if (nsp == 0)
        return sdb_error(SDB_ERR_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", stmt->subname);
    if (sdb_cat_namespace_oid(d->cat, d->txn, stmt->newname) != 0)
        return sdb_error(SDB_ERR_DUPLICATE_SCHEMA, "schema \"%s\" already exists", stmt->newname);
    if (strncmp(stmt->newname, "pg_", 3) == 0 || nsp == SDB_NAMESPACE_PG_CATALOG ||
        nsp == SDB_NAMESPACE_INFORMATION_SCHEMA) {
        sdb_error(SDB_ERR_RESERVED_NAME, "unacceptable schema name \"%s\"", stmt->newname);
        sdb_error_detail("The prefix \"pg_\" is reserved for system schemas.");
        return SDB_ERROR;
    }
    const SdbCatalogRel *crel = sdb_catalog_by_oid(SDB_CATALOG_PG_NAMESPACE_OID);
    SdbCatRows rows;
    if (sdb_cat_scan(d->cat, d->txn, crel, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++) {
        if (rows.rows[i].values[SDB_ANUM_PG_NAMESPACE_OID - 1] != nsp)
            continue;
        SdbCatTuple t;
        sdb_cat_tuple_from_row(&t, crel, &rows.rows[i], d->arena);
        if (sdb_cat_set_text(&t, SDB_ANUM_PG_NAMESPACE_NSPNAME, stmt->newname) != SDB_OK ||
            sdb_cat_update(d->cat, d->txn, rows.rows[i].tid, &t) != SDB_OK)
            return SDB_ERROR;
    }
    d->namespaces_changed = true;
    /* descriptors carry their schema's name */
    const SdbCatalogRel *classes = sdb_catalog_by_oid(SDB_CATALOG_PG_CLASS_OID);
    if (sdb_ddl_sync(d) != SDB_OK || sdb_cat_scan(d->cat, d->txn, classes, d->arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++)
        if (rows.rows[i].values[SDB_ANUM_PG_CLASS_RELNAMESPACE - 1] == nsp &&
            sdb_ddl_touch(d, (SdbOid)rows.rows[i].values[SDB_ANUM_PG_CLASS_OID - 1]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_ddl_rename(SdbDdl *d, const SdbRenameStmt *stmt)
{
    if (stmt->rename_type == SDB_OBJECT_TYPE_SCHEMA)
        return rename_schema(d, stmt);
    int rc;
    const SdbRelation *rel = target(d, stmt->relation, stmt->missing_ok, &rc);
    if (rel == NULL)
        return rc;
    switch (stmt->rename_type) {
    case SDB_OBJECT_TYPE_COLUMN:
        return rename_column(d, rel, stmt);
    case SDB_OBJECT_TYPE_CONSTRAINT:
        return rename_constraint(d, rel, stmt);
    case SDB_OBJECT_TYPE_INDEX:
        if (rel->kind != 'i')
            return sdb_ddl_wrong_kind(rel->name, "an index");
        return rename_relation(d, rel, stmt->newname);
    case SDB_OBJECT_TYPE_VIEW:
        if (rel->kind != 'v')
            return sdb_ddl_wrong_kind(rel->name, "a view");
        return rename_relation(d, rel, stmt->newname);
    case SDB_OBJECT_TYPE_SEQUENCE:
        if (rel->kind != 'S')
            return sdb_ddl_wrong_kind(rel->name, "a sequence");
        return rename_relation(d, rel, stmt->newname);
    default:
        return rename_relation(d, rel, stmt->newname);
    }
}
