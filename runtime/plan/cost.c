/*
 * plan/cost.c: rule 9, estimates (rows, cost) of every operator for
 * EXPLAIN and for the choices of the other rules, with PostgreSQL's cost
 * units (seq_page_cost 1, random_page_cost 4, cpu_tuple_cost 0.01,
 * cpu_operator_cost 0.0025) and default selectivities (= 0.005, ranges
 * 0.3333, both bounds 0.005).  Table sizes come from the heap's block
 * count when an engine is at hand, else from PostgreSQL's 10-page default;
 * rows per page from the columns' widths.
 */
#include <math.h>
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"
#include "storage/heap.h"

#define SEQ_PAGE_COST 1.0
#define RANDOM_PAGE_COST 4.0
#define CPU_TUPLE_COST 0.01
#define CPU_OPERATOR_COST 0.0025
#define DEFAULT_PAGES 10.0
#define PAGE_BYTES 8192.0

double opt_table_rows(Opt *o, const SdbRelation *rel, double *pages)
{
    SdbBlockNo nblocks = 0;
    *pages = DEFAULT_PAGES;
    if (rel == NULL)
        return 1000.0;
    if (o->ctx->engine != NULL && sdb_heap_nblocks(o->ctx->engine, rel->file, &nblocks) == SDB_OK && nblocks > 0)
        *pages = nblocks;
    sdb_error_clear();
    double width = 24; /* row header */
    for (int i = 0; i < rel->natts; i++) {
        const SdbTypeInfo *t = sdb_type_by_oid(rel->attrs[i].type);
        width += t != NULL && t->len > 0 ? t->len : 32;
    }
    return floor(*pages * (PAGE_BYTES - 24) / (width + 4));
}

double opt_index_pages(double pages, double tuples)
{
    /* Mackert and Lohman, as PostgreSQL's index_pages_fetched with the
     * table fitting in cache */
    return fmax(1.0, fmin(pages, 2.0 * pages * tuples / (2.0 * pages + tuples)));
}

double opt_selectivity(const SdbExpr *qual)
{
    switch (qual->tag) {
    case SDB_E_CONST: return opt_expr_is_true(qual) ? 1.0 : 0.0;
    case SDB_E_BOOL_EXPR: {
        const SdbBoundBoolExpr *b = (const SdbBoundBoolExpr *)qual;
        double s = b->boolop == SDB_EXPR_BOOL_OP_OR ? 0.0 : 1.0;
        for (int i = 0; i < b->nargs; i++) {
            double a = opt_selectivity(b->args[i]);
            if (b->boolop == SDB_EXPR_BOOL_OP_AND)
                s *= a;
            else if (b->boolop == SDB_EXPR_BOOL_OP_OR)
                s = s + a - s * a;
            else
                s = 1.0 - a;
        }
        return s;
    }
    case SDB_E_NULL_TEST:
        return ((const SdbBoundNullTest *)qual)->nulltesttype == SDB_EXPR_NULL_TEST_IS_NULL ? 0.005 : 0.995;
    case SDB_E_OP_EXPR: {
        const SdbOperInfo *info = sdb_oper_by_oid(((const SdbBoundOpExpr *)qual)->opno);
        if (info != NULL && strcmp(info->name, "=") == 0)
            return 0.005;
        if (info != NULL && strcmp(info->name, "<>") == 0)
            return 0.995;
        return 0.3333;
    }
    case SDB_E_SCALAR_ARRAY_OP: return 0.05;
    case SDB_E_SUB_PLAN: return 0.5;
    default: return 0.3333;
    }
}

static double quals_selectivity(SdbExpr *const *quals, int n)
{
    double s = 1.0;
    for (int i = 0; i < n; i++)
        s *= opt_selectivity(quals[i]);
    return s;
}

/* Does the Scan's index equality fix a whole unique key? */
static bool unique_lookup(const SdbRelation *rel, const SdbPlanScan *scan)
{
    for (int i = 0; rel != NULL && i < rel->nindexes; i++)
        if (rel->indexes[i].oid == scan->index_oid)
            return rel->indexes[i].unique && scan->neq == rel->indexes[i].nkeys;
    return false;
}

static void estimate_scan(Opt *o, SdbPlanScan *scan)
{
    double pages;
    const SdbRelation *rel = opt_relation(o, scan->rel_oid);
    double rows = opt_table_rows(o, rel, &pages);
    double sel = quals_selectivity(scan->filters, scan->nfilters);
    if (scan->access == SDB_SCAN_ACCESS_SEQ) {
        scan->plan.cost = pages * SEQ_PAGE_COST + rows * (CPU_TUPLE_COST + CPU_OPERATOR_COST * scan->nfilters);
        scan->plan.rows = fmax(1.0, rows * sel);
        return;
    }
    double isel = pow(0.005, scan->neq);
    if (scan->lower != NULL || scan->upper != NULL)
        isel *= scan->lower != NULL && scan->upper != NULL ? 0.005 : 0.3333;
    double matched = unique_lookup(rel, scan) ? 1.0 : fmax(1.0, rows * isel);
    double fetched = scan->access == SDB_SCAN_ACCESS_INDEX_ONLY ? 1.0 : opt_index_pages(pages, matched);
    scan->plan.cost =
        RANDOM_PAGE_COST * (1.0 + fetched) + matched * (CPU_TUPLE_COST + CPU_OPERATOR_COST * (1 + scan->nfilters));
    scan->plan.rows = fmax(1.0, matched * sel);
}

static void estimate_join(SdbPlanJoin *join)
{
    double l = join->left->rows, r = join->right->rows;
    if (join->strategy == SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP) {
        /* the right side's estimates are per left row */
        double rows = l * r * quals_selectivity(join->conds, join->nconds);
        if (join->kind == SDB_JOIN_KIND_LEFT)
            rows = fmax(rows, l);
        else if (join->kind == SDB_JOIN_KIND_SEMI || join->kind == SDB_JOIN_KIND_ANTI)
            rows = l * 0.5;
        join->plan.rows = fmax(1.0, rows);
        join->plan.cost = join->left->cost + l * join->right->cost;
        return;
    }
    double rows = l * r * quals_selectivity(join->conds, join->nconds);
    if (join->nkeys > 0)
        rows *= 1.0 / fmax(1.0, fmin(l, r)) * pow(0.1, join->nkeys - 1);
    switch (join->kind) {
    case SDB_JOIN_KIND_LEFT: rows = fmax(rows, l); break;
    case SDB_JOIN_KIND_RIGHT: rows = fmax(rows, r); break;
    case SDB_JOIN_KIND_FULL: rows = fmax(rows, l + r); break;
    case SDB_JOIN_KIND_SEMI:
    case SDB_JOIN_KIND_ANTI: rows = l * 0.5; break;
    default: break;
    }
    double cost = join->left->cost + join->right->cost;
    if (join->strategy == SDB_JOIN_STRATEGY_HASH)
        cost += (l + r) * (CPU_TUPLE_COST + CPU_OPERATOR_COST * join->nkeys) + rows * CPU_TUPLE_COST;
    else
        cost += l * r * CPU_OPERATOR_COST * (join->nconds > 0 ? join->nconds : 1) + rows * CPU_TUPLE_COST;
    join->plan.rows = fmax(1.0, rows);
    join->plan.cost = cost;
}

static double const_limit(const SdbExpr *e, double otherwise)
{
    const SdbBoundConst *c = (const SdbBoundConst *)e;
    if (e == NULL || e->tag != SDB_E_CONST || c->isnull)
        return otherwise;
    return (double)sdb_datum_to_int64(c->value);
}

void opt_estimate(Opt *o, SdbPlan *plan)
{
    const SdbPlan *child = sdb_plan_nchildren(plan) > 0 ? *sdb_plan_child(plan, 0) : NULL;
    double in = child != NULL ? child->rows : 1.0, cost = child != NULL ? child->cost : 0.0;
    switch (plan->tag) {
    case SDB_P_SCAN: estimate_scan(o, (SdbPlanScan *)plan); return;
    case SDB_P_JOIN: estimate_join((SdbPlanJoin *)plan); return;
    case SDB_P_VALUES:
        plan->rows = ((SdbPlanValues *)plan)->nrows;
        plan->cost = plan->rows * CPU_TUPLE_COST;
        return;
    case SDB_P_ONE_ROW: plan->rows = 1; plan->cost = 0.01; return;
    case SDB_P_FUNCTION_SCAN: plan->rows = 1000; plan->cost = 10; return;
    case SDB_P_WORK_TABLE_SCAN: plan->rows = 100; plan->cost = 1; return;
    case SDB_P_FILTER: {
        SdbPlanFilter *f = (SdbPlanFilter *)plan;
        plan->rows = fmax(1.0, in * quals_selectivity(f->quals, f->nquals));
        plan->cost = cost + in * CPU_OPERATOR_COST * f->nquals;
        return;
    }
    case SDB_P_PROJECT:
        plan->rows = in;
        plan->cost = cost + in * CPU_OPERATOR_COST * ((SdbPlanProject *)plan)->nexprs;
        return;
    case SDB_P_AGGREGATE: {
        SdbPlanAggregate *a = (SdbPlanAggregate *)plan;
        plan->rows = a->strategy == SDB_AGG_STRATEGY_PLAIN ? 1 : fmax(1.0, fmin(in, 200.0 * a->ngroups));
        if (a->nhaving > 0)
            plan->rows = fmax(1.0, plan->rows * quals_selectivity(a->having, a->nhaving));
        plan->cost = cost + in * CPU_OPERATOR_COST * (a->ngroups + a->naggs);
        return;
    }
    case SDB_P_WINDOW:
        plan->rows = in;
        plan->cost = cost + in * CPU_OPERATOR_COST * ((SdbPlanWindow *)plan)->nfuncs;
        return;
    case SDB_P_SORT: plan->rows = in; plan->cost = cost + 2.0 * CPU_OPERATOR_COST * in * log2(fmax(in, 2.0)); return;
    case SDB_P_LIMIT: {
        SdbPlanLimit *l = (SdbPlanLimit *)plan;
        double offset = const_limit(l->offset, 0), limit = const_limit(l->limit, in);
        plan->rows = fmax(0.0, fmin(in - offset, limit));
        plan->cost = in > 0 ? cost * fmin(1.0, (offset + plan->rows) / in) : cost;
        return;
    }
    case SDB_P_DISTINCT: plan->rows = fmax(1.0, in * 0.5); plan->cost = cost + in * CPU_OPERATOR_COST; return;
    case SDB_P_SET_OP: {
        SdbPlanSetOp *s = (SdbPlanSetOp *)plan;
        double l = s->left->rows, r = s->right->rows;
        plan->rows = s->op == SDB_SET_OP_KIND_UNION ? l + r : s->op == SDB_SET_OP_KIND_INTERSECT ? fmin(l, r) : l;
        plan->cost = s->left->cost + s->right->cost + (l + r) * CPU_OPERATOR_COST;
        return;
    }
    case SDB_P_RECURSIVE_UNION: plan->rows = in * 10; plan->cost = cost * 10; return;
    default: /* CteScan, Insert, Update, Delete */
        plan->rows = in;
        plan->cost = cost + in * CPU_TUPLE_COST;
        return;
    }
}
