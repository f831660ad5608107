/*
 * plan/cost.c: rule 9, estimates (rows, cost) of every operator for
 * EXPLAIN and for the choices of the other rules, with PostgreSQL's cost
 * units (seq_page_cost 1, random_page_cost 4, cpu_tuple_cost 0.01,
 * cpu_operator_cost 0.0025); selectivities and group counts from
 * selfuncs.c (ANALYZE statistics, else PostgreSQL's defaults).  Table
 * sizes: an analyzed table's reltuples scaled by its current pages over
 * relpages (PostgreSQL's estimate_rel_size); a table never analyzed
 * (reltuples -1) has the heap's block count when an engine is at hand (10
 * pages at least, as PostgreSQL assumes), else 10 pages, and rows per
 * page from the columns' widths.
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

/* Rows a page holds by the columns' widths (PostgreSQL's estimate for a
 * table without statistics). */
static double width_density(const SdbRelation *rel)
{
    double width = 24; /* row header */
    for (int i = 0; i < rel->natts; i++) {
        const SdbTypeInfo *t = sdb_type_by_oid(rel->attrs[i].type);
        width += t != NULL && t->len > 0 ? t->len : 32;
    }
    return (PAGE_BYTES - 24) / (width + 4);
}

double opt_table_rows(Opt *o, const SdbRelation *rel, double *pages)
{
    SdbBlockNo nblocks = 0;
    *pages = DEFAULT_PAGES;
    if (rel == NULL)
        return 1000.0;
    bool counted = o->ctx->engine != NULL && sdb_heap_nblocks(o->ctx->engine, rel->file, &nblocks) == SDB_OK;
    sdb_error_clear();
    if (!rel->analyzed) {
        /* as PostgreSQL without statistics: at least 10 pages, lest a
         * table that is tiny now be planned as if it stayed so */
        if (counted)
            *pages = fmax(nblocks, DEFAULT_PAGES);
        return floor(*pages * width_density(rel));
    }
    /* analyzed: reltuples scaled to the pages the table has now
     * (PostgreSQL's estimate_rel_size) */
    *pages = counted ? (double)nblocks : (double)rel->relpages;
    if (*pages == 0)
        return 0.0;
    double density = rel->relpages > 0 ? rel->reltuples / rel->relpages : width_density(rel);
    return rint(density * *pages);
}

double opt_index_pages(double pages, double tuples)
{
    /* Mackert and Lohman, as PostgreSQL's index_pages_fetched with the
     * table fitting in cache */
    return fmax(1.0, fmin(pages, 2.0 * pages * tuples / (2.0 * pages + tuples)));
}

static double quals_selectivity(Opt *o, SdbExpr *const *quals, int n)
{
    return opt_clauses_selectivity(o, quals, n);
}

/* Does the Scan's index equality fix a whole unique key? */
static bool unique_lookup(const SdbRelation *rel, const SdbPlanScan *scan)
{
    for (int i = 0; rel != NULL && i < rel->nindexes; i++)
        if (rel->indexes[i].oid == scan->index_oid)
            return rel->indexes[i].unique && scan->neq == rel->indexes[i].nkeys;
    return false;
}

static const SdbIndex *scan_index(const SdbRelation *rel, const SdbPlanScan *scan)
{
    for (int i = 0; rel != NULL && i < rel->nindexes; i++)
        if (rel->indexes[i].oid == scan->index_oid)
            return &rel->indexes[i];
    return NULL;
}

static void estimate_scan(Opt *o, SdbPlanScan *scan)
{
    double pages;
    const SdbRelation *rel = opt_relation(o, scan->rel_oid);
    double rows = opt_table_rows(o, rel, &pages);
    double sel = quals_selectivity(o, scan->filters, scan->nfilters);
    if (scan->access == SDB_SCAN_ACCESS_SEQ) {
        scan->plan.cost = pages * SEQ_PAGE_COST + rows * (CPU_TUPLE_COST + CPU_OPERATOR_COST * scan->nfilters);
        scan->plan.rows = fmax(1.0, rows * sel);
        return;
    }
    const SdbIndex *index = scan_index(rel, scan);
    double isel = opt_index_selectivity(o, rel, index, scan->index_eq, scan->neq, scan->lower, scan->lower_inclusive,
                                        scan->upper, scan->upper_inclusive);
    double matched = unique_lookup(rel, scan) ? 1.0 : fmax(1.0, rows * isel);
    double fetched = scan->access == SDB_SCAN_ACCESS_INDEX_ONLY ? 1.0 : opt_index_pages(pages, matched);
    scan->plan.cost =
        RANDOM_PAGE_COST * (1.0 + fetched) + matched * (CPU_TUPLE_COST + CPU_OPERATOR_COST * (1 + scan->nfilters));
    scan->plan.rows = fmax(1.0, matched * sel);
}

/* The share of left x right rows an equi-join's keys keep: eqjoinsel from
 * the key columns' distinct counts where both have statistics, else one
 * over the smaller input and 0.1 per further key. */
static double keys_selectivity(Opt *o, const SdbPlanJoin *join, double l, double r)
{
    double sel = 1.0;
    bool guessed = false;
    for (int k = 0; k < join->nkeys; k++) {
        double s;
        if (opt_eqjoin_selectivity(o, join->left_keys[k], join->right_keys[k], &s))
            sel *= s;
        else if (!guessed) {
            sel *= 1.0 / fmax(1.0, fmin(l, r));
            guessed = true;
        } else
            sel *= 0.1;
    }
    return sel;
}

static void estimate_join(Opt *o, SdbPlanJoin *join)
{
    double l = join->left->rows, r = join->right->rows;
    if (join->strategy == SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP) {
        /* the right side's estimates are per left row */
        double rows = l * r * quals_selectivity(o, join->conds, join->nconds);
        if (join->kind == SDB_JOIN_KIND_LEFT)
            rows = fmax(rows, l);
        else if (join->kind == SDB_JOIN_KIND_SEMI || join->kind == SDB_JOIN_KIND_ANTI)
            rows = l * 0.5;
        join->plan.rows = fmax(1.0, rows);
        join->plan.cost = join->left->cost + l * join->right->cost;
        return;
    }
    double rows = l * r * quals_selectivity(o, join->conds, join->nconds) * keys_selectivity(o, join, l, r);
    switch (join->kind) {
    case SDB_JOIN_KIND_LEFT: rows = fmax(rows, l); break;
    case SDB_JOIN_KIND_RIGHT: rows = fmax(rows, r); break;
    case SDB_JOIN_KIND_FULL: rows = fmax(rows, l + r); break;
    case SDB_JOIN_KIND_SEMI:
    case SDB_JOIN_KIND_ANTI: rows = l * 0.5; break;
    default: break;
    }
    double cost = join->left->cost + join->right->cost;
    if (join->strategy == SDB_JOIN_STRATEGY_MERGE)
        cost += opt_merge_cost(join) + rows * CPU_TUPLE_COST;
    else if (join->strategy == SDB_JOIN_STRATEGY_HASH)
        cost += (l + r) * (CPU_TUPLE_COST + CPU_OPERATOR_COST * join->nkeys) + rows * CPU_TUPLE_COST;
    else
        cost += l * r * CPU_OPERATOR_COST * (join->nconds > 0 ? join->nconds : 1) + rows * CPU_TUPLE_COST;
    join->plan.rows = fmax(1.0, rows);
    join->plan.cost = cost;
}

/* Bytes and pages `plan`'s rows take materialized (8 bytes a column and a
 * row header of 32). */
static double input_bytes(const SdbPlan *plan)
{
    return plan->rows * (8.0 * plan->ncols + 32.0);
}

static double work_mem_bytes(const Opt *o)
{
    return o->ctx->work_mem > 0 ? (double)o->ctx->work_mem : 4.0 * 1024 * 1024;
}

double opt_sort_cost(const Opt *o, const SdbPlan *input)
{
    double n = input->rows, bytes = input_bytes(input);
    double cost = 2.0 * CPU_OPERATOR_COST * n * log2(fmax(n, 2.0));
    if (bytes > work_mem_bytes(o)) /* sorted runs written and merged: sequential */
        cost += 2.0 * SEQ_PAGE_COST * bytes / 8192.0;
    return cost;
}

double opt_merge_cost(const SdbPlanJoin *join)
{
    return (join->left->rows + join->right->rows) * CPU_OPERATOR_COST * (1 + join->nkeys);
}

double opt_hash_cost(const Opt *o, const SdbPlanJoin *join)
{
    double l = join->left->rows, r = join->right->rows;
    double cost = (l + r) * (CPU_TUPLE_COST + CPU_OPERATOR_COST * join->nkeys);
    double build = input_bytes(join->right), wm = work_mem_bytes(o);
    if (build > wm) {
        /* both sides written to and read back from 32 partition files,
         * interleaved (random); partitions still beyond work_mem thrash */
        double pages = (input_bytes(join->left) + build) / 8192.0;
        cost += 2.0 * RANDOM_PAGE_COST * pages;
        if (build > 32.0 * wm)
            cost += RANDOM_PAGE_COST * pages * build / (32.0 * wm);
    }
    return cost;
}

static double const_limit(const SdbExpr *e, double otherwise)
{
    const SdbBoundConst *c = (const SdbBoundConst *)e;
    if (e == NULL || e->tag != SDB_E_CONST || c->isnull)
        return otherwise;
    return (double)sdb_datum_to_int64(c->value);
}

/* DISTINCT [ON]: the distinct combinations of its keys (the ON
 * expressions, else every column) from the statistics, else half the
 * input. */
static double distinct_rows(Opt *o, const SdbPlanDistinct *d, double in)
{
    SdbExpr **keys = d->on;
    int nkeys = d->non;
    if (nkeys == 0) {
        nkeys = d->child->ncols;
        keys = sdb_arena_alloc(o->arena, sizeof *keys * ((size_t)nkeys + 1));
        for (int i = 0; keys != NULL && i < nkeys; i++) {
            SdbBoundVar *var = sdb_arena_calloc(o->arena, 1, sizeof *var);
            if (var == NULL) {
                keys = NULL;
                break;
            }
            *var = (SdbBoundVar){.expr = {.tag = SDB_E_VAR, .type = d->child->cols[i].type, .typmod = -1},
                                 .table = d->child->cols[i].table, .column = d->child->cols[i].column};
            keys[i] = &var->expr;
        }
        sdb_error_clear(); /* out of memory here only loses the estimate */
    }
    double groups;
    if (keys != NULL && opt_num_groups(o, d->child, keys, nkeys, in, &groups))
        return groups;
    return fmax(1.0, in * 0.5);
}

void opt_estimate(Opt *o, SdbPlan *plan)
{
    const SdbPlan *child = sdb_plan_nchildren(plan) > 0 ? *sdb_plan_child(plan, 0) : NULL;
    double in = child != NULL ? child->rows : 1.0, cost = child != NULL ? child->cost : 0.0;
    switch (plan->tag) {
    case SDB_P_SCAN: estimate_scan(o, (SdbPlanScan *)plan); return;
    case SDB_P_JOIN: estimate_join(o, (SdbPlanJoin *)plan); return;
    case SDB_P_VALUES:
        plan->rows = ((SdbPlanValues *)plan)->nrows;
        plan->cost = plan->rows * CPU_TUPLE_COST;
        return;
    case SDB_P_ONE_ROW: plan->rows = 1; plan->cost = 0.01; return;
    case SDB_P_FUNCTION_SCAN: plan->rows = 1000; plan->cost = 10; return;
    case SDB_P_WORK_TABLE_SCAN: plan->rows = 100; plan->cost = 1; return;
    case SDB_P_FILTER: {
        SdbPlanFilter *f = (SdbPlanFilter *)plan;
        plan->rows = fmax(1.0, in * quals_selectivity(o, f->quals, f->nquals));
        plan->cost = cost + in * CPU_OPERATOR_COST * f->nquals;
        return;
    }
    case SDB_P_PROJECT:
        plan->rows = in;
        plan->cost = cost + in * CPU_OPERATOR_COST * ((SdbPlanProject *)plan)->nexprs;
        return;
    case SDB_P_AGGREGATE: {
        SdbPlanAggregate *a = (SdbPlanAggregate *)plan;
        double groups;
        if (!opt_num_groups(o, a->child, a->groups, a->ngroups, in, &groups))
            groups = fmax(1.0, fmin(in, 200.0 * a->ngroups));
        plan->rows = a->strategy == SDB_AGG_STRATEGY_PLAIN ? 1 : groups;
        if (a->nhaving > 0)
            plan->rows = fmax(1.0, plan->rows * quals_selectivity(o, a->having, a->nhaving));
        plan->cost = cost + in * CPU_OPERATOR_COST * (a->ngroups + a->naggs);
        return;
    }
    case SDB_P_WINDOW:
        plan->rows = in;
        plan->cost = cost + in * CPU_OPERATOR_COST * ((SdbPlanWindow *)plan)->nfuncs;
        return;
    case SDB_P_LOCK_ROWS: plan->rows = in; plan->cost = cost + in * CPU_OPERATOR_COST; return;
    case SDB_P_SORT: plan->rows = in; plan->cost = cost + 2.0 * CPU_OPERATOR_COST * in * log2(fmax(in, 2.0)); return;
    case SDB_P_LIMIT: {
        SdbPlanLimit *l = (SdbPlanLimit *)plan;
        double offset = const_limit(l->offset, 0), limit = const_limit(l->limit, in);
        plan->rows = fmax(0.0, fmin(in - offset, limit));
        plan->cost = in > 0 ? cost * fmin(1.0, (offset + plan->rows) / in) : cost;
        return;
    }
    case SDB_P_DISTINCT:
        plan->rows = distinct_rows(o, (SdbPlanDistinct *)plan, in);
        plan->cost = cost + in * CPU_OPERATOR_COST;
        return;
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
