/*
 * plan/selfuncs.c: selectivities and distinct counts, from the columns'
 * statistics (pg_statistic, written by ANALYZE: SdbRelation.stats) where
 * a condition reads a column of a scanned table, with PostgreSQL's
 * formulas (utils/adt/selfuncs.c): = from the most common values or else
 * the rest spread over the other distinct values (var_eq_const), ranges
 * from the MCVs plus the histogram with linear interpolation inside a bin
 * (scalarineqsel), both bounds of a range on one column combined as
 * PostgreSQL's clauselist_selectivity does, IS NULL from the null
 * fraction, equi-joins from the distinct counts (eqjoinsel's basic form),
 * groups from the distinct counts (estimate_num_groups).  Without
 * statistics the defaults stay: = 0.005, ranges 0.3333, both bounds
 * 0.005, IS NULL 0.005.
 */
#include <math.h>
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"
#include "types/numeric.h"
#include "types/typefuncs.h"
#include "types/typeio.h"

#define DEFAULT_EQ_SEL 0.005
#define DEFAULT_INEQ_SEL 0.3333
#define DEFAULT_RANGE_INEQ_SEL 0.005
#define DEFAULT_NUM_DISTINCT 200.0

static double clamp_probability(double p)
{
    return p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
}

/* --- which relation a binding table scans ---------------------------------- */

int opt_note_scan(Opt *o, const SdbPlanScan *scan)
{
    if (scan->table < 0 || scan->table >= OPT_MAX_TABLES)
        return SDB_OK;
    if (o->scan_rels == NULL && (o->scan_rels = sdb_arena_calloc(o->arena, OPT_MAX_TABLES, sizeof(SdbOid))) == NULL)
        return SDB_ERROR;
    o->scan_rels[scan->table] = scan->rel_oid;
    return SDB_OK;
}

bool opt_column_stats(Opt *o, const SdbRelation *rel, int column, OptVarStats *vs)
{
    memset(vs, 0, sizeof *vs);
    if (rel == NULL || rel->stats == NULL || column < 0 || column >= rel->natts || rel->stats[column].attnum == 0)
        return false;
    double pages;
    vs->rel = rel;
    vs->column = column;
    vs->stats = &rel->stats[column];
    vs->type = rel->attrs[column].type;
    vs->rows = opt_table_rows(o, rel, &pages);
    return true;
}

/* Strip binary-compatible relabeling (varchar -> text ...). */
static const SdbExpr *strip(const SdbExpr *e)
{
    while (e != NULL && e->tag == SDB_E_RELABEL_TYPE)
        e = ((const SdbBoundRelabelType *)e)->arg;
    return e;
}

bool opt_var_stats(Opt *o, const SdbExpr *e, OptVarStats *vs)
{
    e = strip(e);
    memset(vs, 0, sizeof *vs);
    if (e == NULL || e->tag != SDB_E_VAR || o->scan_rels == NULL)
        return false;
    const SdbBoundVar *var = (const SdbBoundVar *)e;
    if (var->levelsup != 0 || var->table < 0 || var->table >= OPT_MAX_TABLES || o->scan_rels[var->table] == 0)
        return false;
    return opt_column_stats(o, opt_relation(o, o->scan_rels[var->table]), var->column, vs);
}

double opt_ndistinct(const OptVarStats *vs)
{
    double nd = vs->stats->ndistinct;
    if (nd < 0)
        nd = -nd * vs->rows;
    if (nd <= 0) /* unknown */
        return fmin(DEFAULT_NUM_DISTINCT, fmax(1.0, vs->rows));
    return fmax(1.0, fmin(nd, fmax(1.0, vs->rows)));
}

static const SdbStatsSlot *find_slot(const SdbColumnStats *cs, int kind)
{
    for (int k = 0; k < SDB_STATS_SLOTS; k++)
        if (cs->slots[k].kind == kind)
            return &cs->slots[k];
    return NULL;
}

/* --- comparing a constant with the statistics' values ---------------------- */

/* Types with a natural numeric scale. */
static bool scalar_type(SdbOid type)
{
    switch (sdb_domain_base_type(type)) {
    case SDB_TYPEOID_INT2:
    case SDB_TYPEOID_INT4:
    case SDB_TYPEOID_INT8:
    case SDB_TYPEOID_OID:
    case SDB_TYPEOID_DATE:
    case SDB_TYPEOID_TIMESTAMP:
    case SDB_TYPEOID_TIMESTAMPTZ:
    case SDB_TYPEOID_FLOAT4:
    case SDB_TYPEOID_FLOAT8:
    case SDB_TYPEOID_NUMERIC: return true;
    default: return false;
    }
}

/* A value of such a type as a double. */
static bool to_scalar(SdbOid type, SdbDatum v, double *out)
{
    switch (sdb_domain_base_type(type)) {
    case SDB_TYPEOID_INT2:
    case SDB_TYPEOID_INT4:
    case SDB_TYPEOID_INT8:
    case SDB_TYPEOID_OID:
    case SDB_TYPEOID_DATE:
    case SDB_TYPEOID_TIMESTAMP:
    case SDB_TYPEOID_TIMESTAMPTZ: *out = (double)sdb_datum_to_int64(v); return true;
    case SDB_TYPEOID_FLOAT4: *out = sdb_datum_to_float4(v); return true;
    case SDB_TYPEOID_FLOAT8: *out = sdb_datum_to_float8(v); return true;
    case SDB_TYPEOID_NUMERIC: return sdb_numeric_to_float8(v, out) == SDB_OK;
    default: return false;
    }
}

/* A known constant compared with statistics values of the column's type. */
typedef struct Probe {
    SdbOid type;       /* the constant's */
    SdbDatum value;
    bool numeric;      /* compared as doubles */
    double scalar;
    SdbTypeCompareFn compare; /* same type: the type's comparison */
} Probe;

static bool probe_init(Probe *p, const OptVarStats *vs, const SdbBoundConst *c)
{
    memset(p, 0, sizeof *p);
    p->type = c->expr.type;
    p->value = c->value;
    if (scalar_type(vs->type) && scalar_type(p->type) && to_scalar(p->type, c->value, &p->scalar)) {
        p->numeric = true;
        return true;
    }
    if (sdb_domain_base_type(p->type) != sdb_domain_base_type(vs->type))
        return false;
    const SdbTypeOps *ops = sdb_type_ops(vs->type);
    p->compare = ops != NULL ? ops->compare : NULL;
    return p->compare != NULL;
}

/* <0, 0, >0: the column value v against the constant. */
static int probe_compare(const Probe *p, SdbOid type, SdbDatum v)
{
    if (p->numeric) {
        double x = 0;
        to_scalar(type, v, &x);
        return x < p->scalar ? -1 : x > p->scalar;
    }
    return p->compare(v, p->value);
}

/* --- restriction selectivities ----------------------------------------------- */

/* column = value (value unknown: non_const). */
static double eq_selectivity(const OptVarStats *vs, const SdbExpr *other)
{
    const SdbColumnStats *cs = vs->stats;
    const SdbStatsSlot *mcv = find_slot(cs, SDB_STATS_KIND_MCV);
    const SdbBoundConst *c = other->tag == SDB_E_CONST ? (const SdbBoundConst *)other : NULL;
    double nd = opt_ndistinct(vs);
    if (c != NULL && c->isnull)
        return 0.0;
    Probe p;
    if (c == NULL || !probe_init(&p, vs, c)) {
        /* var_eq_non_const */
        double selec = (1.0 - cs->nullfrac) / (nd > 1 ? nd : 1);
        if (mcv != NULL && mcv->nnumbers > 0 && selec > mcv->numbers[0])
            selec = mcv->numbers[0];
        return clamp_probability(selec);
    }
    double sumcommon = 0;
    for (int i = 0; mcv != NULL && i < mcv->nvalues && i < mcv->nnumbers; i++) {
        if (probe_compare(&p, vs->type, mcv->values[i]) == 0)
            return mcv->numbers[i];
        sumcommon += mcv->numbers[i];
    }
    double selec = clamp_probability(1.0 - sumcommon - cs->nullfrac);
    int nmcv = mcv != NULL ? mcv->nnumbers : 0;
    double otherdistinct = nd - nmcv;
    if (otherdistinct > 1)
        selec /= otherdistinct;
    if (nmcv > 0 && selec > mcv->numbers[nmcv - 1])
        selec = mcv->numbers[nmcv - 1];
    return clamp_probability(selec);
}

/* The fraction of the histogram below the constant (ineq_histogram_selectivity
 * for "<"), or -1 without a usable histogram. */
static double histogram_below(const OptVarStats *vs, const Probe *p)
{
    const SdbStatsSlot *hist = find_slot(vs->stats, SDB_STATS_KIND_HISTOGRAM);
    if (hist == NULL || hist->nvalues < 2)
        return -1.0;
    int n = hist->nvalues;
    double histfrac;
    if (probe_compare(p, vs->type, hist->values[0]) > 0)
        histfrac = 0.0; /* below the first bound */
    else if (probe_compare(p, vs->type, hist->values[n - 1]) <= 0)
        histfrac = 1.0; /* above the last */
    else {
        /* the first bound above the constant: hist[lo - 1] <= c < hist[lo] */
        int lo = 1, hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (probe_compare(p, vs->type, hist->values[mid]) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        double binfrac = 0.5, a, b;
        if (p->numeric && to_scalar(vs->type, hist->values[lo - 1], &a) && to_scalar(vs->type, hist->values[lo], &b) &&
            b > a)
            binfrac = fmin(1.0, fmax(0.0, (p->scalar - a) / (b - a)));
        histfrac = (lo - 1 + binfrac) / (double)(n - 1);
    }
    double cutoff = 0.01 / (double)(n - 1);
    return fmin(1.0 - cutoff, fmax(cutoff, histfrac));
}

/* column < / <= / > / >= constant (scalarineqsel): the MCVs that satisfy
 * it plus the histogram's share of the rest. */
static double range_selectivity(const OptVarStats *vs, bool greater, bool inclusive, const SdbExpr *other)
{
    const SdbColumnStats *cs = vs->stats;
    const SdbBoundConst *c = other->tag == SDB_E_CONST ? (const SdbBoundConst *)other : NULL;
    Probe p;
    if (c == NULL || c->isnull || !probe_init(&p, vs, c))
        return c != NULL && c->isnull ? 0.0 : DEFAULT_INEQ_SEL;
    const SdbStatsSlot *mcv = find_slot(cs, SDB_STATS_KIND_MCV);
    double mcv_selec = 0, sumcommon = 0;
    for (int i = 0; mcv != NULL && i < mcv->nvalues && i < mcv->nnumbers; i++) {
        int cmp = probe_compare(&p, vs->type, mcv->values[i]);
        bool match = greater ? (cmp > 0 || (inclusive && cmp == 0)) : (cmp < 0 || (inclusive && cmp == 0));
        if (match)
            mcv_selec += mcv->numbers[i];
        sumcommon += mcv->numbers[i];
    }
    double below = histogram_below(vs, &p);
    double selec = 1.0 - cs->nullfrac - sumcommon;
    selec *= below < 0 ? DEFAULT_INEQ_SEL : greater ? 1.0 - below : below;
    return clamp_probability(selec + mcv_selec);
}

/* A restriction "column op other" of a scanned column, `other` a
 * pseudo-constant; *range says which side of a range it bounds (0 none,
 * 1 lower, 2 upper). */
typedef struct Restriction {
    OptVarStats vs;
    const char *op; /* "=", "<>", "<", "<=", ">", ">=" */
    const SdbExpr *other;
} Restriction;

static const char *flip(const char *op)
{
    static const char *const pairs[][2] = {{"<", ">"}, {">", "<"}, {"<=", ">="}, {">=", "<="}, {"=", "="}, {"<>", "<>"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(op, pairs[i][0]) == 0)
            return pairs[i][1];
    return NULL;
}

static bool restriction(Opt *o, const SdbExpr *qual, Restriction *r)
{
    if (qual->tag != SDB_E_OP_EXPR)
        return false;
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)qual;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    if (info == NULL || op->nargs != 2 || flip(info->name) == NULL)
        return false;
    for (int side = 0; side < 2; side++) {
        const SdbExpr *other = strip(op->args[1 - side]);
        if (opt_var_stats(o, op->args[side], &r->vs) && !opt_expr_has_local_vars((SdbExpr *)other) &&
            !opt_expr_has_subplan((SdbExpr *)other)) {
            r->op = side == 0 ? info->name : flip(info->name);
            r->other = other;
            return true;
        }
    }
    return false;
}

static double restriction_selectivity(const Restriction *r)
{
    const char *op = r->op;
    if (strcmp(op, "=") == 0)
        return eq_selectivity(&r->vs, r->other);
    if (strcmp(op, "<>") == 0)
        return clamp_probability(1.0 - eq_selectivity(&r->vs, r->other) - r->vs.stats->nullfrac);
    return range_selectivity(&r->vs, op[0] == '>', op[1] == '=', r->other);
}

double opt_selectivity(Opt *o, const SdbExpr *qual)
{
    switch (qual->tag) {
    case SDB_E_CONST: return opt_expr_is_true(qual) ? 1.0 : 0.0;
    case SDB_E_BOOL_EXPR: {
        const SdbBoundBoolExpr *b = (const SdbBoundBoolExpr *)qual;
        if (b->boolop == SDB_EXPR_BOOL_OP_AND)
            return opt_clauses_selectivity(o, b->args, b->nargs);
        double s = b->boolop == SDB_EXPR_BOOL_OP_OR ? 0.0 : 1.0;
        for (int i = 0; i < b->nargs; i++) {
            double a = opt_selectivity(o, b->args[i]);
            s = b->boolop == SDB_EXPR_BOOL_OP_OR ? s + a - s * a : 1.0 - a;
        }
        return s;
    }
    case SDB_E_NULL_TEST: {
        const SdbBoundNullTest *nt = (const SdbBoundNullTest *)qual;
        bool is_null = nt->nulltesttype == SDB_EXPR_NULL_TEST_IS_NULL;
        OptVarStats vs;
        if (opt_var_stats(o, nt->arg, &vs))
            return is_null ? vs.stats->nullfrac : 1.0 - vs.stats->nullfrac;
        return is_null ? 0.005 : 0.995;
    }
    case SDB_E_OP_EXPR: {
        Restriction r;
        if (restriction(o, qual, &r))
            return restriction_selectivity(&r);
        const SdbOperInfo *info = sdb_oper_by_oid(((const SdbBoundOpExpr *)qual)->opno);
        if (info != NULL && strcmp(info->name, "=") == 0)
            return DEFAULT_EQ_SEL;
        if (info != NULL && strcmp(info->name, "<>") == 0)
            return 0.995;
        return DEFAULT_INEQ_SEL;
    }
    case SDB_E_SCALAR_ARRAY_OP: return 0.05;
    case SDB_E_SUB_PLAN: return 0.5;
    default: return DEFAULT_INEQ_SEL;
    }
}

/* A range bound on one column waiting for its other bound. */
typedef struct RangePart {
    const SdbRelation *rel;
    int column;
    double nullfrac;
    double lo, hi; /* selectivity of "> x" and "< y"; -1 when absent */
} RangePart;

double opt_clauses_selectivity(Opt *o, SdbExpr *const *quals, int n)
{
    double s = 1.0;
    RangePart parts[16];
    int nparts = 0;
    for (int i = 0; i < n; i++) {
        Restriction r;
        double sel = opt_selectivity(o, quals[i]);
        bool is_range = restriction(o, quals[i], &r) && (r.op[0] == '<' || r.op[0] == '>') && strcmp(r.op, "<>") != 0;
        if (!is_range || nparts == (int)(sizeof parts / sizeof parts[0])) {
            s *= sel;
            continue;
        }
        int k = 0;
        while (k < nparts && (parts[k].rel != r.vs.rel || parts[k].column != r.vs.column))
            k++;
        if (k == nparts)
            parts[nparts++] = (RangePart){r.vs.rel, r.vs.column, r.vs.stats->nullfrac, -1, -1};
        double *slot = r.op[0] == '>' ? &parts[k].lo : &parts[k].hi;
        *slot = *slot < 0 ? sel : fmin(*slot, sel);
    }
    for (int k = 0; k < nparts; k++) {
        const RangePart *p = &parts[k];
        if (p->lo < 0 || p->hi < 0) {
            s *= p->lo < 0 ? p->hi : p->lo;
            continue;
        }
        /* both bounds: PostgreSQL's clauselist_selectivity */
        double s2 = p->hi + p->lo - 1.0 + p->nullfrac;
        if (p->hi == DEFAULT_INEQ_SEL || p->lo == DEFAULT_INEQ_SEL)
            s2 = DEFAULT_RANGE_INEQ_SEL;
        else if (s2 <= 0.0)
            s2 = s2 < -0.01 ? 1.0e-10 : DEFAULT_RANGE_INEQ_SEL;
        s *= s2;
    }
    return s;
}

/* --- index scans -------------------------------------------------------------- */

double opt_index_selectivity(Opt *o, const SdbRelation *rel, const SdbIndex *index, SdbExpr *const *eq, int neq,
                             const SdbExpr *lower, bool lower_inclusive, const SdbExpr *upper, bool upper_inclusive)
{
    double sel = 1.0;
    OptVarStats vs;
    for (int k = 0; k < neq; k++)
        sel *= index != NULL && k < index->nkeys && opt_column_stats(o, rel, index->keys[k] - 1, &vs)
                   ? eq_selectivity(&vs, strip(eq[k]))
                   : DEFAULT_EQ_SEL;
    if (lower == NULL && upper == NULL)
        return sel;
    if (index == NULL || neq >= index->nkeys || !opt_column_stats(o, rel, index->keys[neq] - 1, &vs))
        return sel * (lower != NULL && upper != NULL ? DEFAULT_RANGE_INEQ_SEL : DEFAULT_INEQ_SEL);
    double lo = lower != NULL ? range_selectivity(&vs, true, lower_inclusive, strip(lower)) : -1;
    double hi = upper != NULL ? range_selectivity(&vs, false, upper_inclusive, strip(upper)) : -1;
    if (lo < 0 || hi < 0)
        return sel * (lo < 0 ? hi : lo);
    double both = hi + lo - 1.0 + vs.stats->nullfrac; /* as clauselist_selectivity */
    return sel * (both > 0 ? both : both < -0.01 ? 1.0e-10 : DEFAULT_RANGE_INEQ_SEL);
}

/* --- joins and groups ------------------------------------------------------- */

bool opt_eqjoin_selectivity(Opt *o, const SdbExpr *left, const SdbExpr *right, double *sel)
{
    OptVarStats l, r;
    if (!opt_var_stats(o, left, &l) || !opt_var_stats(o, right, &r))
        return false;
    double nd = fmax(opt_ndistinct(&l), opt_ndistinct(&r));
    *sel = clamp_probability((1.0 - l.stats->nullfrac) * (1.0 - r.stats->nullfrac) / fmax(nd, 1.0));
    return true;
}

/* A Var of a Project's binding table: the expression computing it. */
static const SdbExpr *through_project(const SdbPlan *input, const SdbExpr *e)
{
    const SdbBoundVar *var = (const SdbBoundVar *)strip(e);
    const SdbPlanProject *p = (const SdbPlanProject *)input;
    if (input == NULL || input->tag != SDB_P_PROJECT || var->expr.tag != SDB_E_VAR || var->levelsup != 0 ||
        var->table != p->table)
        return e;
    for (int i = 0; i < input->ncols && i < p->nexprs; i++)
        if (input->cols[i].table == var->table && input->cols[i].column == var->column)
            return p->exprs[i];
    return e;
}

bool opt_num_groups(Opt *o, const SdbPlan *input, SdbExpr *const *groups, int n, double input_rows,
                    double *groups_out)
{
    double product = 1.0;
    bool known = false;
    for (int i = 0; i < n; i++) {
        OptVarStats vs;
        if (opt_var_stats(o, through_project(input, groups[i]), &vs)) {
            double nd = opt_ndistinct(&vs);
            if (vs.stats->nullfrac > 0) /* NULL is one more group */
                nd += 1;
            product *= nd;
            known = true;
        } else {
            product *= DEFAULT_NUM_DISTINCT;
        }
    }
    *groups_out = fmax(1.0, fmin(product, input_rows));
    return known;
}
