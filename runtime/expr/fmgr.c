/* expr/fmgr.c: calling functions of the function table; see fmgr.h. */
#include "expr/fmgr.h"

#include <string.h>

int sdb_fn_return_text(SdbFnCall *call, const void *data, size_t len)
{
    return sdb_varlena_make(call->arena, data, len, &call->result);
}

int sdb_fn_invoke(const SdbFuncInfo *func, const SdbExprContext *ctx, int nargs, const SdbOid *argtypes,
                  const SdbDatum *args, const bool *nulls, SdbDatum *result, bool *isnull)
{
    SdbFnCall call = {.func = func, .context = ctx, .arena = ctx->arena, .nargs = nargs, .argtypes = argtypes};
    for (int i = 0; i < nargs; i++) {
        if (nulls[i] && func->strict) {
            *result = 0;
            *isnull = true;
            return SDB_OK;
        }
        call.args[i] = args[i];
        call.nulls[i] = nulls[i];
    }
    if (func->fn(&call) != SDB_OK)
        return SDB_ERROR;
    *result = call.result;
    *isnull = call.result_null;
    return SDB_OK;
}
