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
    if (func->fn == NULL) /* a set-returning function outside FROM and the select list */
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-valued function called in context that cannot accept a set");
    if (func->fn(&call) != SDB_OK)
        return SDB_ERROR;
    *result = call.result;
    *isnull = call.result_null;
    return SDB_OK;
}

void sdb_srf_begin(SdbSrfCall *call, const SdbFuncInfo *func, const SdbExprContext *ctx, SdbArena *state_arena,
                   int nargs, const SdbOid *argtypes, SdbOid rettype, const SdbDatum *args, const bool *nulls)
{
    *call = (SdbSrfCall){.func = func, .context = ctx, .arena = ctx->arena, .state_arena = state_arena,
                         .nargs = nargs, .argtypes = argtypes, .rettype = rettype, .args = args, .nulls = nulls};
    for (int i = 0; i < nargs && func->strict; i++)
        if (nulls[i])
            call->done = true;
}

int sdb_srf_next(SdbSrfCall *call, bool *done)
{
    if (!call->done) {
        call->result_null = false;
        memset(call->out_nulls, 0, sizeof(bool) * (size_t)call->func->nout);
        if (call->func->srf(call) != SDB_OK)
            return SDB_ERROR;
    }
    *done = call->done;
    return SDB_OK;
}
