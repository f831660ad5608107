/*
 * exec/op_pending.c: Aggregate and Window until the aggregate calling
 * convention (runtime/expr/agg.h, "aggs" helper) is in main: both refuse to
 * run with 0A000.  Replaced by op_agg.c and op_window.c.
 */
#include "exec/exec_int.h"

ExecNode *exec_build_aggregate(SdbExecState *es, const SdbPlanAggregate *p)
{
    (void)es;
    (void)p;
    sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "aggregates are not supported yet");
    return NULL;
}

ExecNode *exec_build_window(SdbExecState *es, const SdbPlanWindow *p)
{
    (void)es;
    (void)p;
    sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "window functions are not supported yet");
    return NULL;
}
