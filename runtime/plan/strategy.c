/*
 * plan/strategy.c: rules 6 and 8, join and aggregate strategies.  A join
 * with conditions `a = b` where a reads only one side and b only the other
 * (same types, an `=` operator of that type, no volatile calls) is a hash
 * join on those keys (left_keys from the left side), whatever its kind;
 * its other conditions remain in conds and are checked after the key
 * match.  Without such a condition it is a nested loop.  An Aggregate
 * hashes its groups when it has GROUP BY, and is plain otherwise.
 */
#include <string.h>

#include "plan/opt_int.h"
#include "sdb_operators.h"

/* Is `cond` an equality between the two sides?  Its key for each side. */
static bool equi_keys(SdbExpr *cond, const OptSet *left, const OptSet *right, SdbExpr **lkey, SdbExpr **rkey)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)cond;
    if (cond->tag != SDB_E_OP_EXPR || op->nargs != 2 || op->args[0]->type != op->args[1]->type ||
        opt_expr_volatile(cond))
        return false;
    const SdbOperInfo *info = sdb_oper_by_oid(op->opno);
    if (info == NULL || strcmp(info->name, "=") != 0 || info->left != info->right)
        return false;
    OptSet a, b;
    opt_set_clear(&a);
    opt_set_clear(&b);
    opt_expr_tables(op->args[0], &a);
    opt_expr_tables(op->args[1], &b);
    if (opt_set_is_empty(&a) || opt_set_is_empty(&b))
        return false;
    if (opt_set_subset(&a, left) && opt_set_subset(&b, right)) {
        *lkey = op->args[0];
        *rkey = op->args[1];
        return true;
    }
    if (opt_set_subset(&a, right) && opt_set_subset(&b, left)) {
        *lkey = op->args[1];
        *rkey = op->args[0];
        return true;
    }
    return false;
}

int opt_join_strategy(Opt *o, SdbPlanJoin *join)
{
    OptSet left, right;
    opt_set_clear(&left);
    opt_set_clear(&right);
    opt_produced(join->left, &left);
    opt_produced(join->right, &right);
    OptList lkeys = {0}, rkeys = {0}, rest = {0};
    for (int i = 0; i < join->nconds; i++) {
        SdbExpr *lkey, *rkey;
        if (equi_keys(join->conds[i], &left, &right, &lkey, &rkey)) {
            if (opt_list_add(o, &lkeys, lkey) != SDB_OK || opt_list_add(o, &rkeys, rkey) != SDB_OK)
                return SDB_ERROR;
        } else if (opt_list_add(o, &rest, join->conds[i]) != SDB_OK) {
            return SDB_ERROR;
        }
    }
    if (lkeys.n == 0) {
        join->strategy = SDB_JOIN_STRATEGY_NESTED_LOOP;
        return SDB_OK;
    }
    join->strategy = SDB_JOIN_STRATEGY_HASH;
    join->left_keys = lkeys.items;
    join->right_keys = rkeys.items;
    join->nkeys = lkeys.n;
    join->conds = rest.items;
    join->nconds = rest.n;
    return SDB_OK;
}

void opt_agg_strategy(SdbPlanAggregate *agg)
{
    agg->strategy = agg->ngroups > 0 || agg->nsets > 0 ? SDB_AGG_STRATEGY_HASH : SDB_AGG_STRATEGY_PLAIN;
}
