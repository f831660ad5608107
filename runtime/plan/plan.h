/*
 * plan/plan.h: what the stages around a plan tree (sdb_plan.h) share: the
 * flags of a sort key, and the optimizer's entry point.
 */
#ifndef SDB_PLAN_PLAN_H
#define SDB_PLAN_PLAN_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "sdb_plan.h"
#include "txn/txn.h"

/* Flags of one sort key (the "ints" beside every sort key list).  NULLs
 * come last ascending and first descending unless NULLS_FIRST or
 * NULLS_LAST says otherwise (DESC NULLS LAST sets SDB_SORT_NULLS_LAST). */
#define SDB_SORT_DESC 0x01
#define SDB_SORT_NULLS_FIRST 0x02
#define SDB_SORT_NULLS_LAST 0x04

/* Do NULLs sort before the other values under these flags? */
static inline bool sdb_sort_nulls_first(int flags)
{
    return (flags & SDB_SORT_NULLS_FIRST) || ((flags & SDB_SORT_DESC) && !(flags & SDB_SORT_NULLS_LAST));
}

struct SdbEngine;

/* Where the optimizer finds relation descriptors (the Scans' rel_oid): *out
 * = NULL when unknown. */
typedef int (*SdbOptRelationFn)(void *arg, SdbOid oid, const SdbRelation **out);

typedef struct SdbOptContext {
    SdbCatalog *catalog;
    SdbTxn *txn;
    SdbArena *arena;                   /* the plan's: new nodes and folded constants */
    const struct SdbExprContext *expr; /* for folding constants (TimeZone, transaction start); may be NULL */
    struct SdbEngine *engine;          /* table sizes (sdb_heap_nblocks); NULL: default sizes */
    SdbOptRelationFn relation;         /* NULL: sdb_catalog_relation(catalog, txn, ...) */
    void *relation_arg;
} SdbOptContext;

/* Rewrite the analyzer's tree in place (constant folding, pushdown,
 * decorrelation, outer-join simplification) and choose every operator's
 * strategy (scan access and index, join and aggregate algorithms) and
 * estimates; runtime/plan/README.md says what each rule does and what the
 * executor may rely on.  *plan may be replaced.  Errors: those of folding
 * constants (22012 for SELECT 1/0, as PostgreSQL's planner), 54000 for a
 * statement with more binding tables than the optimizer handles. */
int sdb_optimize(SdbOptContext *opt, SdbPlan **plan);

#endif /* SDB_PLAN_PLAN_H */
