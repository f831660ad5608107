/*
 * plan/index.c: rule 7, index selection for a Scan.  From the Scan's
 * filters of the form `col op value` (op one of = < <= > >=, either
 * operand order; BETWEEN arrives as two such filters; value a
 * pseudo-constant: Consts, Params, outer references, stable calls,
 * uncorrelated SubPlans), a
 * btree index is usable on its leading columns: equalities on the first
 * ones (index_eq), then a range on the next one (lower/upper, ascending
 * keys only; `col LIKE 'abc%'` on text gives the range ['abc', 'abd'),
 * the LIKE staying as a filter).  Each usable index is costed against the sequential scan
 * with PostgreSQL's default selectivities and page costs; the cheapest
 * wins.  The filters it consumes leave Scan.filters.  Once projection
 * pushdown has trimmed the Scan's columns, index_only is chosen when every
 * column the Scan produces or still filters on is an index key.
 *
 * Contract with the executor: index_eq/lower/upper have the type of their
 * index column (integer constants are converted, text and varchar are
 * interchangeable); they are evaluated once when the scan starts; a NULL
 * value matches nothing, and a range never includes NULL keys.
 */
#include <math.h>
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"

enum { OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE, OP_NONE };

static int op_strategy(SdbOid opno, bool commuted)
{
    static const char *const names[] = {"=", "<", "<=", ">", ">="};
    static const int commute[] = {OP_EQ, OP_GT, OP_GE, OP_LT, OP_LE};
    const SdbOperInfo *info = sdb_oper_by_oid(opno);
    for (int i = 0; info != NULL && i < OP_NONE; i++)
        if (strcmp(info->name, names[i]) == 0)
            return commuted ? commute[i] : i;
    return OP_NONE;
}

static bool is_int_type(SdbOid t) { return t == SDB_TYPEOID_INT2 || t == SDB_TYPEOID_INT4 || t == SDB_TYPEOID_INT8; }

static bool is_text_type(SdbOid t) { return t == SDB_TYPEOID_TEXT || t == SDB_TYPEOID_VARCHAR; }

/* `value` as a value of the column's type, or NULL. */
static SdbExpr *as_column_type(Opt *o, SdbExpr *value, SdbOid coltype)
{
    if (value->type == coltype || (is_text_type(value->type) && is_text_type(coltype)))
        return value;
    const SdbBoundConst *c = (const SdbBoundConst *)value;
    if (!is_int_type(value->type) || !is_int_type(coltype) || value->tag != SDB_E_CONST)
        return NULL;
    int64_t v = sdb_datum_to_int64(c->value);
    int64_t lo = coltype == SDB_TYPEOID_INT2 ? INT16_MIN : coltype == SDB_TYPEOID_INT4 ? INT32_MIN : INT64_MIN;
    int64_t hi = coltype == SDB_TYPEOID_INT2 ? INT16_MAX : coltype == SDB_TYPEOID_INT4 ? INT32_MAX : INT64_MAX;
    if (!c->isnull && (v < lo || v > hi))
        return NULL;
    SdbBoundConst *conv = sdb_new_bound_const(o->arena, coltype);
    if (conv == NULL)
        return NULL;
    conv->value = c->value;
    conv->isnull = c->isnull;
    conv->location = c->location;
    return &conv->expr;
}

/* No Var of this query level (an uncorrelated SubPlan is one value). */
static bool pseudo_constant(SdbExpr *e) { return !opt_expr_has_local_vars(e) && !opt_expr_volatile(e); }

/* Is `qual` `column op value` on the Scan's column attnum - 1?  Its
 * strategy and value (of the column's type). */
static int match_qual(Opt *o, const SdbPlanScan *scan, SdbExpr *qual, int attnum, SdbOid coltype, SdbExpr **value)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)qual;
    if (qual->tag != SDB_E_OP_EXPR || op->nargs != 2)
        return OP_NONE;
    for (int side = 0; side < 2; side++) {
        const SdbExpr *col = op->args[side];
        if (col->tag == SDB_E_RELABEL_TYPE && is_text_type(col->type))
            col = ((const SdbBoundRelabelType *)col)->arg;
        const SdbBoundVar *var = (const SdbBoundVar *)col;
        if (col->tag != SDB_E_VAR || var->table != scan->table || var->levelsup != 0 || var->column != attnum - 1 ||
            !pseudo_constant(op->args[1 - side]))
            continue;
        int strategy = op_strategy(op->opno, side == 1);
        if (strategy == OP_NONE || (*value = as_column_type(o, op->args[1 - side], coltype)) == NULL)
            return OP_NONE;
        return strategy;
    }
    return OP_NONE;
}

/* --- LIKE 'prefix%' on a text column: the range [prefix, prefix + 1) --- */

/* The literal bytes before the first wildcard of a LIKE pattern (escape
 * character backslash), in a new text Const; NULL when there are none. */
static SdbExpr *like_prefix(Opt *o, const SdbBoundConst *pattern, bool upper)
{
    const SdbVarlena *v = sdb_datum_varlena(pattern->value);
    unsigned char *buf = sdb_arena_alloc(o->arena, v->len + 1);
    if (buf == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < v->len && v->data[i] != '%' && v->data[i] != '_'; i++) {
        if (v->data[i] == '\\' && ++i == v->len)
            break;
        buf[n++] = v->data[i];
    }
    if (upper) { /* the least string above every string with this prefix */
        while (n > 0 && buf[n - 1] == 0xFF)
            n--;
        if (n > 0)
            buf[n - 1]++;
    }
    SdbBoundConst *c = n > 0 ? sdb_new_bound_const(o->arena, SDB_TYPEOID_TEXT) : NULL;
    if (c == NULL || sdb_varlena_make(o->arena, buf, n, &c->value) != SDB_OK)
        return NULL;
    c->location = -1;
    return &c->expr;
}

/* Is `qual` `column LIKE 'constant'` on the Scan's column attnum - 1? */
static const SdbBoundConst *like_pattern(const SdbPlanScan *scan, const SdbExpr *qual, int attnum)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)qual;
    if (qual->tag != SDB_E_OP_EXPR || op->nargs != 2)
        return NULL;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    const SdbExpr *col = op->args[0];
    if (col->tag == SDB_E_RELABEL_TYPE)
        col = ((const SdbBoundRelabelType *)col)->arg;
    const SdbBoundVar *var = (const SdbBoundVar *)col;
    const SdbBoundConst *pattern = (const SdbBoundConst *)op->args[1];
    if (info == NULL || strcmp(info->name, "~~") != 0 || col->tag != SDB_E_VAR || var->table != scan->table ||
        var->levelsup != 0 || var->column != attnum - 1 || !is_text_type(col->type) ||
        pattern->expr.tag != SDB_E_CONST || pattern->isnull || pattern->expr.type != SDB_TYPEOID_TEXT)
        return NULL;
    return pattern;
}

/* One candidate: which filters an index consumes, and its cost. */
typedef struct Choice {
    const SdbIndex *index;
    bool *used;           /* per filter */
    SdbExpr **eq;
    int neq;
    SdbExpr *lower, *upper;
    bool lower_inclusive, upper_inclusive;
    double selectivity;
} Choice;

static int try_index(Opt *o, const SdbPlanScan *scan, const SdbRelation *rel, const SdbIndex *index, Choice *c)
{
    memset(c, 0, sizeof(*c));
    c->index = index;
    c->used = sdb_arena_calloc(o->arena, scan->nfilters + 1, sizeof(bool));
    c->eq = sdb_arena_calloc(o->arena, index->nkeys + 1, sizeof(SdbExpr *));
    if (c->used == NULL || c->eq == NULL)
        return SDB_ERROR;
    for (int k = 0; k < index->nkeys; k++) {
        int attnum = index->keys[k];
        if (attnum <= 0 || attnum > rel->natts)
            break;
        SdbOid coltype = rel->attrs[attnum - 1].type;
        bool found_eq = false;
        for (int i = 0; i < scan->nfilters && !found_eq; i++) {
            SdbExpr *value;
            if (!c->used[i] && match_qual(o, scan, scan->filters[i], attnum, coltype, &value) == OP_EQ) {
                c->used[i] = found_eq = true;
                c->eq[c->neq++] = value;
            }
        }
        if (found_eq)
            continue;
        bool descending = index->key_options != NULL && (index->key_options[k] & 1);
        for (int i = 0; i < scan->nfilters && !descending; i++) {
            SdbExpr *value;
            int s = c->used[i] ? OP_NONE : match_qual(o, scan, scan->filters[i], attnum, coltype, &value);
            if ((s == OP_GT || s == OP_GE) && c->lower == NULL) {
                c->lower = value;
                c->lower_inclusive = s == OP_GE;
                c->used[i] = true;
            } else if ((s == OP_LT || s == OP_LE) && c->upper == NULL) {
                c->upper = value;
                c->upper_inclusive = s == OP_LE;
                c->used[i] = true;
            }
        }
        /* LIKE 'abc%': a range, the LIKE staying as a filter to recheck */
        for (int i = 0; i < scan->nfilters && !descending && c->lower == NULL && c->upper == NULL; i++) {
            const SdbBoundConst *pattern = like_pattern(scan, scan->filters[i], attnum);
            if (pattern != NULL && is_text_type(coltype) && (c->lower = like_prefix(o, pattern, false)) != NULL) {
                c->lower_inclusive = true;
                c->upper = like_prefix(o, pattern, true);
            }
        }
        break;
    }
    /* from the key columns' statistics, else 0.005 per equality, 0.3333 a bound, 0.005 both */
    c->selectivity = opt_index_selectivity(o, rel, index, c->eq, c->neq, c->lower, c->lower_inclusive, c->upper,
                                           c->upper_inclusive);
    return SDB_OK;
}

static double index_cost(const Choice *c, double rows, double pages)
{
    double sel = c->selectivity;
    if (c->index->unique && c->neq == c->index->nkeys && rows > 0)
        sel = 1.0 / rows;
    double matched = fmax(1.0, sel * rows);
    return 4.0 * (1.0 + log2(fmax(rows, 2.0)) / 100.0) + 4.0 * opt_index_pages(pages, matched) + 0.015 * matched;
}

/* Every column the Scan produces or still filters on is a key of `index`. */
typedef struct Covered {
    const SdbPlanScan *scan;
    const SdbIndex *index;
    bool ok;
} Covered;

static bool is_key(const SdbIndex *index, int column)
{
    for (int k = 0; k < index->nkeys; k++)
        if (index->keys[k] == column + 1)
            return true;
    return false;
}

static OptWalk check_covered(SdbExpr **slot, int depth, void *arg)
{
    Covered *cv = arg;
    const SdbBoundVar *var = (const SdbBoundVar *)*slot;
    if ((*slot)->tag == SDB_E_VAR && var->table == cv->scan->table && var->levelsup == depth &&
        !is_key(cv->index, var->column)) {
        cv->ok = false;
        return OPT_WALK_STOP;
    }
    return OPT_WALK_CONTINUE;
}

static bool index_covers(SdbPlanScan *scan, const SdbIndex *index)
{
    if (index == NULL)
        return false;
    for (int i = 0; i < scan->plan.ncols; i++)
        if (scan->plan.cols[i].table == scan->table && !is_key(index, scan->plan.cols[i].column))
            return false;
    Covered cv = {scan, index, true};
    for (int i = 0; i < scan->nfilters && cv.ok; i++)
        opt_walk_expr(&scan->filters[i], 0, check_covered, &cv);
    return cv.ok;
}

static void apply(SdbPlanScan *scan, const Choice *c)
{
    int kept = 0;
    for (int i = 0; i < scan->nfilters; i++)
        if (!c->used[i])
            scan->filters[kept++] = scan->filters[i];
    scan->nfilters = kept;
    scan->index_oid = c->index->oid;
    scan->index_eq = c->eq;
    scan->neq = c->neq;
    scan->lower = c->lower;
    scan->lower_inclusive = c->lower_inclusive;
    scan->upper = c->upper;
    scan->upper_inclusive = c->upper_inclusive;
    scan->access = SDB_SCAN_ACCESS_INDEX;
}

void opt_index_only(SdbPlanScan *scan, const SdbRelation *rel)
{
    const SdbIndex *index = NULL;
    for (int i = 0; rel != NULL && i < rel->nindexes; i++)
        if (rel->indexes[i].oid == scan->index_oid)
            index = &rel->indexes[i];
    if (scan->access == SDB_SCAN_ACCESS_INDEX && index_covers(scan, index))
        scan->access = SDB_SCAN_ACCESS_INDEX_ONLY;
}

int opt_choose_index(Opt *o, SdbPlanScan *scan, const SdbRelation *rel, double table_rows, double pages)
{
    if (rel == NULL || scan->access != SDB_SCAN_ACCESS_SEQ || scan->nfilters == 0)
        return SDB_OK;
    double best_cost = pages + table_rows * (0.01 + 0.0025 * scan->nfilters);
    Choice best = {0}, c;
    for (int i = 0; i < rel->nindexes; i++) {
        if (try_index(o, scan, rel, &rel->indexes[i], &c) != SDB_OK)
            return SDB_ERROR;
        if (c.neq == 0 && c.lower == NULL && c.upper == NULL)
            continue;
        double cost = index_cost(&c, table_rows, pages);
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    if (best.index != NULL)
        apply(scan, &best);
    return SDB_OK;
}
