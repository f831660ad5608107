/*
 * plan/opt_int.h: what the optimizer's rules (runtime/plan/ *.c files) share:
 * the optimizer state, sets of binding tables, lists of conditions, and
 * walkers over the expressions of a plan tree.  Internal to runtime/plan.
 */
#ifndef SDB_PLAN_OPT_INT_H
#define SDB_PLAN_OPT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "expr/fmgr.h"
#include "plan/plan.h"

/* Binding table indexes the optimizer handles: a statement with more is
 * refused with 54000 (sets of tables are fixed-size bitmaps). */
#define OPT_MAX_TABLES 4096

/* A set of binding table indexes. */
typedef struct OptSet {
    uint64_t w[OPT_MAX_TABLES / 64];
} OptSet;

/* A growable list of expressions (conditions). */
typedef struct OptList {
    SdbExpr **items;
    int n, cap;
} OptList;

/* The state of one sdb_optimize() call. */
typedef struct Opt {
    SdbOptContext *ctx;
    SdbArena *arena;
    SdbExprContext eval;   /* folding: ctx's settings, no executor, results in arena */
    SdbPlan **root;        /* where the statement's plan is */
    SdbPlan **seen;        /* CTE plans a pass has done (shared by their CteScans) */
    int nseen, capseen;
    SdbOid *scan_rels;     /* binding table -> the relation its Scan reads (0: none), OPT_MAX_TABLES */
} Opt;

/* --- sets of binding tables (opt_util.c) --- */
void opt_set_clear(OptSet *s);
void opt_set_add(OptSet *s, int table);
bool opt_set_has(const OptSet *s, int table);
void opt_set_union(OptSet *into, const OptSet *s);
bool opt_set_is_empty(const OptSet *s);
bool opt_set_subset(const OptSet *a, const OptSet *b);  /* a within b */
bool opt_set_overlaps(const OptSet *a, const OptSet *b);

/* The binding tables `plan` produces (its children's for pass-through operators). */
void opt_produced(const SdbPlan *plan, OptSet *out);

/* Binding tables of this query level that `expr` reads (Vars with levelsup
 * equal to their SubPlan nesting depth), added to *out. */
void opt_expr_tables(SdbExpr *expr, OptSet *out);

/* --- lists --- */
int opt_list_add(Opt *o, OptList *l, SdbExpr *e);
/* Add `e`, split into its AND arguments (recursively). */
int opt_list_add_conjuncts(Opt *o, OptList *l, SdbExpr *e);
/* Copy n items into a new array in the arena (*out NULL when n is 0). */
int opt_exprs_copy(Opt *o, SdbExpr *const *items, int n, SdbExpr ***out);

/* --- walkers --- */
typedef enum { OPT_WALK_CONTINUE, OPT_WALK_SKIP, OPT_WALK_STOP } OptWalk;
/* fn sees every node at or under *slot (pre-order; it may replace *slot,
 * then return OPT_WALK_SKIP), with `depth` the SubPlan nesting depth;
 * the plans of SubPlans are walked with depth + 1.  Returns OPT_WALK_STOP
 * when fn stopped the walk. */
typedef OptWalk (*OptVisit)(SdbExpr **slot, int depth, void *arg);
OptWalk opt_walk_expr(SdbExpr **slot, int depth, OptVisit fn, void *arg);
/* Every expression of every operator of the tree under `plan` (CTE plans
 * included). */
OptWalk opt_walk_plan(SdbPlan *plan, int depth, OptVisit fn, void *arg);
/* The expressions of one operator (not its children). */
OptWalk opt_walk_node(SdbPlan *plan, int depth, OptVisit fn, void *arg);

/* --- properties of expressions --- */
/* Has a volatile function call (or an aggregate, window function, SubPlan
 * whose plan has one). */
bool opt_expr_volatile(SdbExpr *expr);
/* Has a SubPlan. */
bool opt_expr_has_subplan(SdbExpr *expr);
/* Reads a Var of some query level at or outside this one (pseudo-constant
 * when false: Consts, Params, outer references only at levelsup > 0). */
bool opt_expr_has_local_vars(SdbExpr *expr);
/* Binding tables whose columns all being NULL makes `qual` not true
 * (PostgreSQL's find_nonnullable_rels). */
void opt_nonnullable_tables(SdbExpr *qual, OptSet *out);
/* A constant false or NULL condition. */
bool opt_expr_is_false(const SdbExpr *expr);
bool opt_expr_is_true(const SdbExpr *expr);
/* A boolean constant in the arena. */
SdbExpr *opt_make_bool(Opt *o, bool value, bool isnull);

/* Replace, at depth 0 (and the matching depth inside SubPlans), every Var
 * of binding table `table` by a deep copy of exprs[column] (callers keep
 * SubPlans out of exprs: a copy would share its plan): *slot is rewritten
 * in place. */
int opt_substitute(Opt *o, SdbExpr **slot, int table, SdbExpr *const *exprs, int nexprs);
/* A subquery merged into its parent: its Vars that point outside it come
 * one level closer (levelsup - 1 where levelsup > nesting depth). */
int opt_lower_levels_plan(Opt *o, SdbPlan *plan);
int opt_lower_levels_expr(Opt *o, SdbExpr **slot);
/* Deep copy of an expression (SubPlan plans are shared, not copied). */
int opt_copy_expr(Opt *o, const SdbExpr *expr, SdbExpr **out);

/* The relation descriptor of a Scan (NULL when unknown: then no index
 * and no NOT NULL knowledge). */
const SdbRelation *opt_relation(Opt *o, SdbOid rel_oid);

/* Recompute the header of a pass-through operator (Filter, Sort, Limit,
 * Distinct, Join, Window) from its children's. */
int opt_set_header(Opt *o, SdbPlan *plan);
/* Does the consumer of plan's children read their columns by position
 * (so their order must stay), given whether plan's consumer does? */
bool opt_children_positional(const SdbPlan *plan, bool positional);
/* A new Filter over child (NULL on out of memory). */
SdbPlan *opt_new_filter(Opt *o, SdbPlan *child, SdbExpr *const *quals, int nquals);

/* --- the rules --- */
int opt_fold_plan(Opt *o, SdbPlan *plan);                  /* fold.c: every expression of the statement */
int opt_fold_expr(Opt *o, SdbExpr **slot, bool may_raise); /* fold.c */
int opt_decorrelate(Opt *o, SdbPlan **plan);               /* decorrelate.c */
void opt_reduce_outer_joins(SdbPlan *plan);                /* outerjoin.c */
int opt_outer_to_anti_joins(Opt *o, SdbPlan **plan);       /* outerjoin.c, after pushdown */
int opt_pushdown(Opt *o, SdbPlan **plan);                  /* pushdown.c */
int opt_prune_empty(Opt *o, SdbPlan **plan);               /* pushdown.c */
int opt_reorder_joins(Opt *o, SdbPlan **plan);             /* joinorder.c */
int opt_prune_columns(Opt *o, SdbPlan *root);              /* columns.c */
/* index.c: choose the Scan's access from its filters and the relation's
 * indexes, for a table of `rows` rows on `pages` pages. */
int opt_choose_index(Opt *o, SdbPlanScan *scan, const SdbRelation *rel, double rows, double pages);
/* order.c: remove the Sort at *slot (a child of parent, NULL at the root)
 * when an index gives its order. */
int opt_sort_elimination(Opt *o, SdbPlan *parent, SdbPlan **slot);
/* mergejoin.c: a hash join becomes a merge join (Sorts added on its
 * inputs as needed) when its inputs are ordered on the keys or sorting is
 * cheaper than hashing. */
int opt_merge_join(Opt *o, SdbPlanJoin *join);
/* mergejoin.c: the Sort at *slot (a child of parent, NULL at the root)
 * goes when the join under it is (or is cheaper as) a merge join giving
 * its order. */
int opt_merge_sort_order(Opt *o, SdbPlan *parent, SdbPlan **slot);
/* cost.c: sorting `input`; a merge join's own work over sorted inputs; a
 * hash join (spilling beyond work_mem). */
double opt_sort_cost(const Opt *o, const SdbPlan *input);
double opt_merge_cost(const SdbPlanJoin *join);
double opt_hash_cost(const Opt *o, const SdbPlanJoin *join);
/* index.c: an index Scan whose columns are all keys of its index reads the index only. */
void opt_index_only(SdbPlanScan *scan, const SdbRelation *rel);
int opt_join_strategy(Opt *o, SdbPlanJoin *join);          /* strategy.c */
void opt_agg_strategy(SdbPlanAggregate *agg);              /* strategy.c */
int opt_hash_build_sides(Opt *o, SdbPlan *root);           /* strategy.c: after estimates */
/* optimize.c: is this the first time the current pass meets the CTE plan?
 * (remembered in o->seen) */
int opt_first_visit(Opt *o, SdbPlan *plan, bool *first);
/* cost.c: a table's estimated rows (and pages); one operator's estimates
 * (its children's done); a condition's selectivity. */
double opt_table_rows(Opt *o, const SdbRelation *rel, double *pages);
void opt_estimate(Opt *o, SdbPlan *plan);
/* Heap pages an index scan fetching `tuples` rows of a `pages` table reads. */
double opt_index_pages(double pages, double tuples);


/* --- statistics (selfuncs.c) --- */
/* Remember which relation a Scan's binding table reads (optimize.c, for
 * every Scan before the rules run). */
int opt_note_scan(Opt *o, const SdbPlanScan *scan);
/* A column with ANALYZE statistics: its relation, 0-based column, stats,
 * type and the table's estimated rows. */
typedef struct OptVarStats {
    const SdbRelation *rel;
    int column;
    const SdbColumnStats *stats;
    SdbOid type;
    double rows;
} OptVarStats;
bool opt_column_stats(Opt *o, const SdbRelation *rel, int column, OptVarStats *vs);
/* `e` (through relabeling) is a Var of a scanned column with statistics. */
bool opt_var_stats(Opt *o, const SdbExpr *e, OptVarStats *vs);
/* The column's distinct non-null values in the table. */
double opt_ndistinct(const OptVarStats *vs);
/* The share of rel's rows an index scan of `index` selects: eq[0..neq)
 * on its leading keys, lower/upper (either may be NULL) on the next one
 * (index NULL: the defaults). */
double opt_index_selectivity(Opt *o, const SdbRelation *rel, const SdbIndex *index, SdbExpr *const *eq, int neq,
                             const SdbExpr *lower, bool lower_inclusive, const SdbExpr *upper, bool upper_inclusive);
/* A condition's selectivity; a list of ANDed conditions' (range bounds of
 * one column combined). */
double opt_selectivity(Opt *o, const SdbExpr *qual);
double opt_clauses_selectivity(Opt *o, SdbExpr *const *quals, int n);
/* left = right between columns with statistics: *sel (false: unknown). */
bool opt_eqjoin_selectivity(Opt *o, const SdbExpr *left, const SdbExpr *right, double *sel);
/* Groups of GROUP BY `groups` over the input_rows rows of `input` (Vars of
 * a Project input read as its expressions): false when no group
 * expression has statistics (*groups_out is then a guess). */
bool opt_num_groups(Opt *o, const SdbPlan *input, SdbExpr *const *groups, int n, double input_rows,
                    double *groups_out);

#endif /* SDB_PLAN_OPT_INT_H */
