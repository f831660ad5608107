/*
 * plan/order.c: part of rule 7, sort elimination.  A Sort over a Scan
 * (through Filters, and Projects whose key columns are plain Vars) goes
 * when the Scan reads an index whose order, after the columns it fixes by
 * equality, is the Sort's keys (forward, or all reversed: a backward
 * scan).  Under a Limit of a constant small against the table, a
 * sequential Scan switches to a full scan of such an index so the Sort
 * can go (top-N by index).  A Sort under LIMIT WITH TIES stays (the Limit
 * reads its keys).
 *
 * The NULLs of a Sort key go where sdb_sort_nulls_first() says, those of
 * an index key where its key_options (PostgreSQL's indoption) say.
 */
#include "plan/opt_int.h"

#define MAX_CHAIN 64

/* The Scan below `sort` and the scan column each key reads, or NULL. */
static SdbPlanScan *sorted_scan(SdbPlanSort *sort, int *cols)
{
    SdbPlan *chain[MAX_CHAIN];
    int n = 0;
    SdbPlan *p = sort->child;
    while (n < MAX_CHAIN && (p->tag == SDB_P_FILTER || p->tag == SDB_P_PROJECT)) {
        chain[n++] = p;
        p = *sdb_plan_child(p, 0);
    }
    if (p->tag != SDB_P_SCAN)
        return NULL;
    SdbPlanScan *scan = (SdbPlanScan *)p;
    for (int i = 0; i < sort->nkeys; i++) {
        const SdbBoundVar *var = (const SdbBoundVar *)sort->keys[i];
        for (int j = 0; j < n && var->expr.tag == SDB_E_VAR; j++) {
            const SdbPlanProject *project = (const SdbPlanProject *)chain[j];
            if (chain[j]->tag == SDB_P_PROJECT && var->table == project->table && var->column >= 0 &&
                var->column < project->nexprs)
                var = (const SdbBoundVar *)project->exprs[var->column];
        }
        if (var->expr.tag != SDB_E_VAR || var->levelsup != 0 || var->table != scan->table || var->column < 0)
            return NULL;
        cols[i] = var->column;
    }
    return scan;
}

/* Does reading `index` (its first neq keys fixed) give the Sort's order?
 * *backward: reversed. */
static bool index_gives_order(const SdbIndex *index, int neq, const SdbPlanSort *sort, const int *cols, bool *backward)
{
    int k = neq, dir = 0; /* 1 forward, -1 backward */
    for (int i = 0; i < sort->nkeys; i++) {
        bool fixed = false;
        for (int e = 0; e < neq && e < index->nkeys; e++)
            fixed |= index->keys[e] == cols[i] + 1;
        if (fixed)
            continue;
        int flags = sort->flags != NULL ? sort->flags[i] : 0;
        bool desc = flags & SDB_SORT_DESC, nulls_first = sdb_sort_nulls_first(flags);
        if (k >= index->nkeys || index->keys[k] != cols[i] + 1)
            return false;
        int opt = index->key_options != NULL ? index->key_options[k] : 0;
        bool idx_desc = opt & 1, idx_nulls_first = opt & 2;
        int d = idx_desc == desc && idx_nulls_first == nulls_first   ? 1
                : idx_desc != desc && idx_nulls_first != nulls_first ? -1
                                                                     : 0;
        if (d == 0 || (dir != 0 && d != dir))
            return false;
        dir = d;
        k++;
    }
    *backward = dir < 0;
    return true;
}

static const SdbIndex *find_index(const SdbRelation *rel, SdbOid oid)
{
    for (int i = 0; rel != NULL && i < rel->nindexes; i++)
        if (rel->indexes[i].oid == oid)
            return &rel->indexes[i];
    return NULL;
}

/* Remove the Sort at *slot if its Scan's index gives its order; with a
 * small constant `limit` (< 0: none) a sequential Scan may switch to an
 * index for it. */
static int eliminate(Opt *o, SdbPlan **slot, double limit)
{
    SdbPlanSort *sort = (SdbPlanSort *)*slot;
    int *cols = sdb_arena_alloc(o->arena, sizeof(int) * (sort->nkeys + 1));
    if (cols == NULL)
        return SDB_ERROR;
    SdbPlanScan *scan = sorted_scan(sort, cols);
    if (scan == NULL || sort->nkeys == 0)
        return SDB_OK;
    const SdbRelation *rel = opt_relation(o, scan->rel_oid);
    bool backward = false;
    if (scan->access != SDB_SCAN_ACCESS_SEQ) {
        const SdbIndex *index = find_index(rel, scan->index_oid);
        if (index == NULL || !index_gives_order(index, scan->neq, sort, cols, &backward))
            return SDB_OK;
        scan->backward = backward;
        *slot = sort->child;
        return SDB_OK;
    }
    double pages;
    double rows = opt_table_rows(o, rel, &pages);
    if (limit < 0 || limit * 10 > rows)
        return SDB_OK;
    for (int i = 0; rel != NULL && i < rel->nindexes; i++) {
        if (!index_gives_order(&rel->indexes[i], 0, sort, cols, &backward))
            continue;
        scan->access = SDB_SCAN_ACCESS_INDEX;
        scan->index_oid = rel->indexes[i].oid;
        scan->backward = backward;
        *slot = sort->child;
        return SDB_OK;
    }
    return SDB_OK;
}

static double const_value(const SdbExpr *e)
{
    const SdbBoundConst *c = (const SdbBoundConst *)e;
    if (e == NULL)
        return 0;
    return e->tag == SDB_E_CONST && !c->isnull ? (double)sdb_datum_to_int64(c->value) : -1;
}

int opt_sort_elimination(Opt *o, SdbPlan *parent, SdbPlan **slot)
{
    if ((*slot)->tag != SDB_P_SORT)
        return SDB_OK;
    double limit = -1;
    if (parent != NULL && parent->tag == SDB_P_LIMIT) {
        const SdbPlanLimit *l = (const SdbPlanLimit *)parent;
        if (l->with_ties)
            return SDB_OK;
        double n = l->limit != NULL ? const_value(l->limit) : -1, offset = const_value(l->offset);
        if (n >= 0 && offset >= 0)
            limit = n + offset;
    }
    return eliminate(o, slot, limit);
}
