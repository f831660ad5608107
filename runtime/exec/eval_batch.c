/*
 * exec/eval_batch.c: expressions evaluated a batch at a time.  An
 * expression is compiled once per operator into an ExecExpr tree with fast
 * paths: a Var is its input column (no copy), a Const or $n parameter a
 * vector filled once,
 * a function or operator call loops over the live rows calling the C
 * function through one prepared SdbFnCall (strict ones skip NULL rows),
 * AND/OR/NOT use three-valued logic and evaluate later arguments only for
 * rows still undecided; an uncorrelated IN / NOT IN subquery probes its
 * hash table with the vector of outer values.  Anything else goes row by row through the row
 * evaluator (expr/eval.c), whose hook reads the row from the env's RowCtx.
 */
#include "exec/exec_int.h"

static ExecExpr *compile_call(ExecEnv *env, ExecExpr *e, const SdbFuncInfo *func, SdbExpr *const *args, int nargs)
{
    e->kind = EE_CALL;
    e->nargs = nargs;
    e->args = exec_exprs_compile(env, args, nargs);
    e->call = sdb_arena_calloc(env->node->arena, 1, sizeof(SdbFnCall));
    SdbOid *types = sdb_arena_alloc(env->node->arena, (nargs ? nargs : 1) * sizeof(SdbOid));
    if ((nargs && e->args == NULL) || e->call == NULL || types == NULL)
        return NULL;
    for (int i = 0; i < nargs; i++)
        types[i] = args[i]->type;
    e->call->func = func;
    e->call->context = &env->ectx;
    e->call->arena = env->ectx.arena;
    e->call->nargs = nargs;
    e->call->argtypes = types;
    return e;
}

static bool compile_result(ExecEnv *env, ExecExpr *e)
{
    return exec_vector_init(env->node->arena, &e->result, e->expr->type, e->expr->typmod) == SDB_OK;
}

ExecExpr *exec_expr_compile(ExecEnv *env, const SdbExpr *expr)
{
    if (expr->tag == SDB_E_RELABEL_TYPE)
        return exec_expr_compile(env, ((const SdbBoundRelabelType *)expr)->arg);
    ExecExpr *e = sdb_arena_calloc(env->node->arena, 1, sizeof(ExecExpr));
    if (e == NULL)
        return NULL;
    e->expr = expr;
    e->env = env;
    e->kind = EE_ROW;
    switch (expr->tag) {
    case SDB_E_VAR: {
        const SdbBoundVar *v = (const SdbBoundVar *)expr;
        int pos = v->levelsup == 0 ? exec_resolve(&env->res, v->table, v->column) : -1;
        if (pos >= 0) {
            e->kind = EE_VAR;
            e->col = pos;
            return e;
        }
        break;
    }
    case SDB_E_CONST:
    case SDB_E_PARAM: {
        /* a constant, or a parameter: its value is fixed for the statement */
        SdbDatum value;
        bool isnull;
        if (sdb_expr_eval(expr, &env->ectx, &value, &isnull) != SDB_OK || !compile_result(env, e))
            return NULL;
        if (!isnull && exec_datum_copy(env->node->arena, expr->type, value, &value) != SDB_OK)
            return NULL;
        e->kind = EE_CONST;
        for (int i = 0; i < SDB_BATCH_SIZE; i++)
            e->result.values[i] = isnull ? 0 : value;
        memset(e->result.nulls, isnull ? 0xFF : 0, SDB_BATCH_SIZE / 8);
        return e;
    }
    case SDB_E_FUNC_EXPR: {
        const SdbBoundFuncExpr *f = (const SdbBoundFuncExpr *)expr;
        if (f->func->fn != NULL && compile_result(env, e))
            return compile_call(env, e, f->func, f->args, f->nargs);
        break;
    }
    case SDB_E_OP_EXPR: {
        const SdbBoundOpExpr *o = (const SdbBoundOpExpr *)expr;
        if (o->func->fn != NULL && compile_result(env, e))
            return compile_call(env, e, o->func, o->args, o->nargs);
        break;
    }
    case SDB_E_BOOL_EXPR: {
        const SdbBoundBoolExpr *b = (const SdbBoundBoolExpr *)expr;
        e->kind = b->boolop == SDB_EXPR_BOOL_OP_AND ? EE_AND : b->boolop == SDB_EXPR_BOOL_OP_OR ? EE_OR : EE_NOT;
        e->nargs = b->nargs;
        e->args = exec_exprs_compile(env, b->args, b->nargs);
        e->sel_tmp = sdb_arena_alloc(env->node->arena, SDB_BATCH_SIZE * sizeof(uint16_t));
        if (e->args == NULL || e->sel_tmp == NULL || !compile_result(env, e))
            return NULL;
        return e;
    }
    case SDB_E_SUB_PLAN: {
        int column;
        const SdbExpr *outer;
        const SdbTypeOps *ops;
        if (!exec_subplan_hashable((const SdbBoundSubPlan *)expr, &column, &outer, &ops))
            break;
        e->kind = EE_HASHED;
        e->nargs = 1;
        e->args = exec_exprs_compile(env, (SdbExpr *const *)&outer, 1);
        return e->args && compile_result(env, e) ? e : NULL;
    }
    default:
        break;
    }
    e->kind = EE_ROW;
    return compile_result(env, e) ? e : NULL;
}

ExecExpr **exec_exprs_compile(ExecEnv *env, SdbExpr *const *exprs, int n)
{
    ExecExpr **out = sdb_arena_alloc(env->node->arena, (n ? n : 1) * sizeof(ExecExpr *));
    if (out == NULL)
        return NULL;
    for (int i = 0; i < n; i++)
        if ((out[i] = exec_expr_compile(env, exprs[i])) == NULL)
            return NULL;
    return out;
}

static int eval_call(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n)
{
    SdbVector *argv[SDB_FN_MAX_ARGS];
    for (int k = 0; k < e->nargs; k++)
        if (sdb_exec_eval_batch(e->args[k], in, sel, n, &argv[k]) != SDB_OK)
            return SDB_ERROR;
    SdbFnCall *call = e->call;
    SdbVector *res = &e->result;
    bool strict = call->func->strict;
    int nargs = e->nargs;
    for (int i = 0; i < n; i++) {
        int r = sel ? sel[i] : i;
        bool anynull = false;
        for (int k = 0; k < nargs; k++) {
            bool isnull = sdb_vector_is_null(argv[k], r);
            anynull |= isnull;
            call->args[k] = argv[k]->values[r];
            call->nulls[k] = isnull;
        }
        if (strict && anynull) {
            sdb_vector_set_null(res, r, true);
            continue;
        }
        call->result_null = false;
        if (call->func->fn(call) != SDB_OK)
            return SDB_ERROR;
        res->values[r] = call->result;
        sdb_vector_set_null(res, r, call->result_null);
    }
    return SDB_OK;
}

static int eval_not(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n)
{
    SdbVector *a;
    if (sdb_exec_eval_batch(e->args[0], in, sel, n, &a) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        int r = sel ? sel[i] : i;
        bool isnull = sdb_vector_is_null(a, r);
        e->result.values[r] = !isnull && a->values[r] == 0;
        sdb_vector_set_null(&e->result, r, isnull);
    }
    return SDB_OK;
}

/* AND (deciding value false) / OR (true): rows whose value is decided
 * drop out of the selection the next argument is evaluated on. */
static int eval_and_or(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n)
{
    SdbDatum deciding = e->kind == EE_OR;
    SdbVector *res = &e->result;
    for (int i = 0; i < n; i++) {
        int r = sel ? sel[i] : i;
        res->values[r] = !deciding;
        sdb_vector_set_null(res, r, false);
    }
    const uint16_t *cur = sel;
    int ncur = n;
    for (int k = 0; k < e->nargs && ncur > 0; k++) {
        SdbVector *a;
        if (sdb_exec_eval_batch(e->args[k], in, cur, ncur, &a) != SDB_OK)
            return SDB_ERROR;
        int m = 0;
        for (int i = 0; i < ncur; i++) {
            int r = cur ? cur[i] : i;
            if (sdb_vector_is_null(a, r)) {
                sdb_vector_set_null(res, r, true);
                e->sel_tmp[m++] = (uint16_t)r;
            } else if ((a->values[r] != 0) == deciding) {
                res->values[r] = deciding;
                sdb_vector_set_null(res, r, false);
            } else {
                e->sel_tmp[m++] = (uint16_t)r;
            }
        }
        cur = e->sel_tmp;
        ncur = m;
    }
    return SDB_OK;
}

static int eval_rows(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n)
{
    ExecEnv *env = e->env;
    const SdbBatch *saved = env->row.batch;
    int saved_row = env->row.row;
    env->row.batch = in;
    for (int i = 0; i < n; i++) {
        int r = sel ? sel[i] : i;
        bool isnull;
        env->row.row = r;
        if (sdb_expr_eval(e->expr, &env->ectx, &e->result.values[r], &isnull) != SDB_OK)
            return SDB_ERROR;
        sdb_vector_set_null(&e->result, r, isnull);
    }
    env->row.batch = saved;
    env->row.row = saved_row;
    return SDB_OK;
}

int sdb_exec_eval_batch(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n, SdbVector **out)
{
    int rc = SDB_OK;
    switch (e->kind) {
    case EE_VAR:
        *out = &in->cols[e->col];
        return SDB_OK;
    case EE_CONST:
        break;
    case EE_CALL:
        rc = eval_call(e, in, sel, n);
        break;
    case EE_NOT:
        rc = eval_not(e, in, sel, n);
        break;
    case EE_AND:
    case EE_OR:
        rc = eval_and_or(e, in, sel, n);
        break;
    case EE_HASHED: {
        SdbVector *outer;
        rc = sdb_exec_eval_batch(e->args[0], in, sel, n, &outer);
        if (rc == SDB_OK)
            rc = exec_subplan_hashed_batch(e->env->node->es, (const SdbBoundSubPlan *)e->expr, outer, sel, n,
                                           &e->result);
        break;
    }
    case EE_ROW:
        rc = eval_rows(e, in, sel, n);
        break;
    }
    *out = &e->result;
    return rc;
}

int exec_eval_row(ExecExpr *e, const SdbBatch *in, int row, SdbDatum *value, bool *isnull)
{
    uint16_t one = (uint16_t)row;
    SdbVector *v;
    if (sdb_exec_eval_batch(e, in, &one, 1, &v) != SDB_OK)
        return SDB_ERROR;
    *isnull = sdb_vector_is_null(v, row);
    *value = *isnull ? 0 : v->values[row];
    return SDB_OK;
}

int exec_qual_batch(ExecExpr **quals, int nquals, const SdbBatch *in, uint16_t *sel_out, int *nout)
{
    int n = sdb_batch_live(in);
    const uint16_t *cur = in->sel;
    for (int k = 0; k < nquals && n > 0; k++) {
        SdbVector *v;
        if (sdb_exec_eval_batch(quals[k], in, cur, n, &v) != SDB_OK)
            return SDB_ERROR;
        int m = 0;
        for (int i = 0; i < n; i++) {
            int r = cur ? cur[i] : i;
            sel_out[m] = (uint16_t)r;
            m += !sdb_vector_is_null(v, r) && v->values[r] != 0;
        }
        cur = sel_out;
        n = m;
    }
    if (cur != sel_out)
        for (int i = 0; i < n; i++)
            sel_out[i] = (uint16_t)(cur ? cur[i] : i);
    *nout = n;
    return SDB_OK;
}
