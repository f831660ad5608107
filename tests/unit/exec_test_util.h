/*
 * exec_test_util.h: building plans and expressions by hand for the executor
 * tests (Values inputs, Vars, constants, operators found by name and
 * types) and running a plan into text: one line per row, columns separated
 * by '|', NULL as "NULL".
 */
#ifndef SDB_EXEC_TEST_UTIL_H
#define SDB_EXEC_TEST_UTIL_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/exec.h"
#include "expr/eval.h"
#include "plan/plan.h"
#include "sdb_operators.h"
#include "types/typeio.h"

static SdbArena *T_arena;
static SdbExprContext T_ectx;
static SdbExecContext T_ctx;
static volatile int T_cancel;

static inline void t_begin(int64_t work_mem, const char *temp_dir)
{
    T_arena = sdb_arena_create(NULL, "exec test", 0);
    T_ectx = (SdbExprContext){.arena = T_arena};
    T_cancel = 0;
    T_ctx = (SdbExecContext){.arena = T_arena, .expr = &T_ectx, .work_mem = work_mem, .temp_dir = temp_dir,
                             .cancel = &T_cancel};
}

static inline void t_end(void)
{
    sdb_arena_destroy(T_arena);
    T_arena = NULL;
}

static inline SdbExpr *t_var(int table, int column, SdbOid type)
{
    SdbBoundVar *v = sdb_new_bound_var(T_arena, type);
    v->table = table;
    v->column = column;
    return &v->expr;
}

static inline SdbExpr *t_outer(int table, int column, SdbOid type, int levelsup)
{
    SdbBoundVar *v = (SdbBoundVar *)t_var(table, column, type);
    v->levelsup = levelsup;
    return &v->expr;
}

/* A constant of `type` from its text ("NULL" for NULL). */
static inline SdbExpr *t_const(SdbOid type, const char *text)
{
    SdbBoundConst *c = sdb_new_bound_const(T_arena, type);
    if (strcmp(text, "NULL") == 0) {
        c->isnull = true;
        return &c->expr;
    }
    SdbTypeCtx tctx = {.arena = T_arena, .typid = type, .typmod = -1};
    if (sdb_type_input(&tctx, text, &c->value) != SDB_OK)
        abort();
    return &c->expr;
}

static inline SdbExpr *t_i4(const char *text) { return t_const(SDB_TYPEOID_INT4, text); }

/* Binary (or prefix, l = NULL) operator `name` over the arguments' types. */
static inline SdbExpr *t_op(const char *name, SdbExpr *l, SdbExpr *r)
{
    const SdbOperInfo *const *ops;
    size_t n = sdb_opers_by_name(name, &ops);
    for (size_t i = 0; i < n; i++) {
        if (ops[i]->left != (l ? l->type : 0) || ops[i]->right != r->type)
            continue;
        SdbBoundOpExpr *o = sdb_new_bound_op_expr(T_arena, ops[i]->result);
        o->opno = ops[i]->oid;
        o->func = sdb_func_by_oid(ops[i]->func);
        o->args = sdb_arena_alloc(T_arena, 2 * sizeof(SdbExpr *));
        o->nargs = 0;
        if (l)
            o->args[o->nargs++] = l;
        o->args[o->nargs++] = r;
        return &o->expr;
    }
    abort();
}

static inline SdbExpr *t_bool(SdbExprBoolOp op, SdbExpr *a, SdbExpr *b)
{
    SdbBoundBoolExpr *e = sdb_new_bound_bool_expr(T_arena, SDB_TYPEOID_BOOL);
    e->boolop = op;
    e->args = sdb_arena_alloc(T_arena, 2 * sizeof(SdbExpr *));
    e->args[0] = a;
    e->args[1] = b;
    e->nargs = b ? 2 : 1;
    return &e->expr;
}

static inline SdbExpr **t_list(int n, ...)
{
    SdbExpr **list = sdb_arena_alloc(T_arena, (n + 1) * sizeof(SdbExpr *));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        list[i] = va_arg(ap, SdbExpr *);
    va_end(ap);
    return list;
}

static inline int *t_ints(int n, ...)
{
    int *list = sdb_arena_alloc(T_arena, (n + 1) * sizeof(int));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        list[i] = va_arg(ap, int);
    va_end(ap);
    return list;
}

/* Header columns (table, 0..n) of the given types, named c0, c1 ... */
static inline void t_cols(SdbPlan *p, int table, int n, const SdbOid *types)
{
    p->ncols = n;
    p->cols = sdb_arena_calloc(T_arena, n + 1, sizeof(SdbPlanColumn));
    for (int i = 0; i < n; i++)
        p->cols[i] = (SdbPlanColumn){.table = table, .column = i, .type = types[i], .typmod = -1,
                                     .name = sdb_arena_sprintf(T_arena, "c%d_%d", table, i)};
}

/* VALUES of `n` columns of `types` from "a,b;c,d" (NULL for NULL). */
static inline SdbPlan *t_values(int table, int n, const SdbOid *types, const char *rows)
{
    SdbPlanValues *v = sdb_new_plan_values(T_arena);
    v->table = table;
    t_cols(&v->plan, table, n, types);
    int cap = 16, count = 0;
    v->rows = sdb_arena_alloc(T_arena, cap * sizeof(SdbExpr *));
    char *copy = sdb_arena_strdup(T_arena, rows), *save_row = NULL;
    for (char *row = strtok_r(copy, ";", &save_row); row; row = strtok_r(NULL, ";", &save_row)) {
        char *save_cell = NULL;
        int c = 0;
        for (char *cell = strtok_r(row, ",", &save_cell); cell; cell = strtok_r(NULL, ",", &save_cell), c++) {
            if (count == cap) {
                v->rows = sdb_arena_realloc(T_arena, v->rows, cap * sizeof(SdbExpr *), 2 * cap * sizeof(SdbExpr *));
                cap *= 2;
            }
            v->rows[count++] = t_const(types[c], cell);
        }
        v->nrows++;
    }
    return &v->plan;
}

/* Run `plan`: its rows as text, or NULL on error (recorded). */
static inline char *t_run(SdbPlan *plan)
{
    SdbExecState *es = sdb_exec_start(&T_ctx, plan);
    if (es == NULL)
        return NULL;
    SdbStr out;
    sdb_str_init(&out, T_arena);
    sdb_str_append_cstr(&out, "");
    for (;;) {
        SdbBatch *b;
        if (sdb_exec_next(es, &b) != SDB_OK) {
            sdb_exec_end(es);
            return NULL;
        }
        if (b == NULL)
            break;
        for (int i = 0; i < sdb_batch_live(b); i++) {
            int r = sdb_batch_row(b, i);
            if (out.len > 0)
                sdb_str_append_char(&out, '\n');
            for (int c = 0; c < plan->ncols; c++) {
                if (c > 0)
                    sdb_str_append_char(&out, '|');
                if (sdb_vector_is_null(&b->cols[c], r))
                    sdb_str_append_cstr(&out, "NULL");
                else
                    sdb_expr_output(&T_ectx, plan->cols[c].type, b->cols[c].values[r], &out);
            }
        }
    }
    sdb_exec_end(es);
    return out.data;
}

#endif /* SDB_EXEC_TEST_UTIL_H */
