/*
 * test_exec.c: the executor on hand-built plans over VALUES inputs: filters
 * and projections with three-valued logic, sorts (spilling with a tiny
 * work_mem), limits, distinct, every join kind by nested loop and by hash,
 * set operations with PostgreSQL's duplicate counting, set-returning
 * functions, subqueries, CTEs and recursion, cancellation and EXPLAIN.
 * Expected results follow PostgreSQL 15.
 */
#include <stdarg.h>
#include <stdio.h>

#include "exec_test_util.h"
#include "harness.h"

static char tempdir[512];

static const SdbOid I4[] = {SDB_TYPEOID_INT4, SDB_TYPEOID_INT4, SDB_TYPEOID_INT4};
static const SdbOid I4T[] = {SDB_TYPEOID_INT4, SDB_TYPEOID_TEXT};
static const SdbOid B2[] = {SDB_TYPEOID_BOOL, SDB_TYPEOID_BOOL};

#define EXPECT_ROWS(plan, expected)                                                                                    \
    do {                                                                                                               \
        char *got_ = t_run(plan);                                                                                      \
        if (got_ == NULL)                                                                                              \
            sdb_error_print(stderr);                                                                                   \
        CU_ASSERT_PTR_NOT_NULL_FATAL(got_);                                                                            \
        if (strcmp(got_, expected) != 0)                                                                               \
            fprintf(stderr, "\nexpected:\n%s\ngot:\n%s\n", expected, got_);                                            \
        CU_ASSERT_STRING_EQUAL(got_, expected);                                                                        \
    } while (0)

#define EXPECT_ERROR(plan, state_, text_)                                                                              \
    do {                                                                                                               \
        CU_ASSERT_PTR_NULL(t_run(plan));                                                                               \
        CU_ASSERT_EQUAL(sdb_error_last()->code, state_);                                                               \
        CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, text_);                                                      \
    } while (0)

static SdbPlan *project(SdbPlan *child, int table, int n, SdbExpr **exprs)
{
    SdbPlanProject *p = sdb_new_plan_project(T_arena);
    p->child = child;
    p->table = table;
    p->exprs = exprs;
    p->nexprs = n;
    SdbOid types[n + 1];
    for (int i = 0; i < n; i++)
        types[i] = exprs[i]->type;
    t_cols(&p->plan, table, n, types);
    return &p->plan;
}

static SdbPlan *filter(SdbPlan *child, int n, SdbExpr **quals)
{
    SdbPlanFilter *f = sdb_new_plan_filter(T_arena);
    f->child = child;
    f->quals = quals;
    f->nquals = n;
    f->plan.ncols = child->ncols;
    f->plan.cols = child->cols;
    return &f->plan;
}

static SdbPlan *sort(SdbPlan *child, int n, SdbExpr **keys, int *flags)
{
    SdbPlanSort *s = sdb_new_plan_sort(T_arena);
    s->child = child;
    s->keys = keys;
    s->flags = flags;
    s->nkeys = n;
    s->plan.ncols = child->ncols;
    s->plan.cols = child->cols;
    return &s->plan;
}

static SdbPlan *join(SdbPlan *l, SdbPlan *r, SdbJoinKind kind, SdbJoinStrategy strategy, int nconds, SdbExpr **conds,
                     int nkeys, SdbExpr **lkeys, SdbExpr **rkeys)
{
    SdbPlanJoin *j = sdb_new_plan_join(T_arena);
    j->left = l;
    j->right = r;
    j->kind = kind;
    j->strategy = strategy;
    j->conds = conds;
    j->nconds = nconds;
    j->left_keys = lkeys;
    j->right_keys = rkeys;
    j->nkeys = nkeys;
    bool left_only = kind == SDB_JOIN_KIND_SEMI || kind == SDB_JOIN_KIND_ANTI;
    j->plan.ncols = l->ncols + (left_only ? 0 : r->ncols);
    j->plan.cols = sdb_arena_alloc(T_arena, (j->plan.ncols + 1) * sizeof(SdbPlanColumn));
    memcpy(j->plan.cols, l->cols, l->ncols * sizeof(SdbPlanColumn));
    if (!left_only)
        memcpy(j->plan.cols + l->ncols, r->cols, r->ncols * sizeof(SdbPlanColumn));
    return &j->plan;
}

static void setup(void)
{
    t_begin(4 << 20, tempdir);
}

/* --- filters and projections -------------------------------------------- */

static void test_filter_project(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, I4T, "1,a;2,NULL;3,c;NULL,d");
    SdbPlan *f = filter(v, 1, t_list(1, t_op(">", t_var(1, 0, SDB_TYPEOID_INT4), t_i4("1"))));
    SdbPlan *p = project(f, 2, 2,
                         t_list(2, t_op("+", t_var(1, 0, SDB_TYPEOID_INT4), t_i4("10")),
                                t_op("||", t_var(1, 1, SDB_TYPEOID_TEXT), t_const(SDB_TYPEOID_TEXT, "!"))));
    EXPECT_ROWS(p, "12|NULL\n13|c!");
    /* $1 parameters */
    SdbDatum params[1] = {sdb_datum_from_int64(100)};
    T_ectx.nparams = 1;
    T_ectx.params = params;
    SdbBoundParam *param = sdb_new_bound_param(T_arena, SDB_TYPEOID_INT4);
    param->number = 1;
    EXPECT_ROWS(project(t_values(1, 1, I4, "1;2"), 2, 1, t_list(1, t_op("+", t_var(1, 0, SDB_TYPEOID_INT4), &param->expr))),
                "101\n102");
    t_end();
}

static void test_three_valued_logic(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, B2, "t,t;t,f;t,NULL;f,t;f,f;f,NULL;NULL,t;NULL,f;NULL,NULL");
    SdbExpr *a = t_var(1, 0, SDB_TYPEOID_BOOL), *b = t_var(1, 1, SDB_TYPEOID_BOOL);
    SdbPlan *p = project(v, 2, 3,
                         t_list(3, t_bool(SDB_EXPR_BOOL_OP_AND, a, b), t_bool(SDB_EXPR_BOOL_OP_OR, a, b),
                                t_bool(SDB_EXPR_BOOL_OP_NOT, a, NULL)));
    EXPECT_ROWS(p, "t|t|f\nf|t|f\nNULL|t|f\nf|t|t\nf|f|t\nf|NULL|t\nNULL|t|NULL\nf|NULL|NULL\nNULL|NULL|NULL");
    /* a filter keeps only true rows */
    SdbPlan *f = filter(t_values(1, 2, B2, "t,t;t,NULL;f,t;NULL,NULL"), 1,
                        t_list(1, t_bool(SDB_EXPR_BOOL_OP_OR, t_var(1, 0, SDB_TYPEOID_BOOL), t_var(1, 1, SDB_TYPEOID_BOOL))));
    EXPECT_ROWS(f, "t|t\nt|NULL\nf|t");
    t_end();
}

static void test_and_short_circuit(void)
{
    setup();
    /* x <> 0 AND 10 / x > 1: the division never sees x = 0 */
    SdbPlan *v = t_values(1, 1, I4, "0;2;5;20");
    SdbExpr *x = t_var(1, 0, SDB_TYPEOID_INT4);
    SdbExpr *cond = t_bool(SDB_EXPR_BOOL_OP_AND, t_op("<>", x, t_i4("0")),
                           t_op(">", t_op("/", t_i4("10"), x), t_i4("1")));
    EXPECT_ROWS(filter(v, 1, t_list(1, cond)), "2\n5");
    /* without the guard: 22012 */
    SdbPlan *bad = filter(t_values(1, 1, I4, "0"), 1, t_list(1, t_op(">", t_op("/", t_i4("10"), x), t_i4("1"))));
    EXPECT_ERROR(bad, SDB_ERR_DIVISION_BY_ZERO, "division by zero");
    t_end();
}

/* --- sort, limit, distinct ----------------------------------------------- */

static void test_sort_keys(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, I4T, "2,b;NULL,x;1,z;2,a;1,NULL;3,c");
    SdbExpr *a = t_var(1, 0, SDB_TYPEOID_INT4), *b = t_var(1, 1, SDB_TYPEOID_TEXT);
    EXPECT_ROWS(sort(v, 2, t_list(2, a, b), t_ints(2, 0, 0)), "1|z\n1|NULL\n2|a\n2|b\n3|c\nNULL|x");
    EXPECT_ROWS(sort(v, 1, t_list(1, a), t_ints(1, SDB_SORT_DESC)), "NULL|x\n3|c\n2|b\n2|a\n1|z\n1|NULL");
    EXPECT_ROWS(sort(v, 1, t_list(1, a), t_ints(1, SDB_SORT_DESC | SDB_SORT_NULLS_LAST)),
                "3|c\n2|b\n2|a\n1|z\n1|NULL\nNULL|x");
    EXPECT_ROWS(sort(v, 1, t_list(1, b), t_ints(1, SDB_SORT_NULLS_FIRST)), "1|NULL\n2|a\n2|b\n3|c\nNULL|x\n1|z");
    /* a computed key: -a */
    EXPECT_ROWS(sort(v, 1, t_list(1, t_op("-", NULL, a)), t_ints(1, 0)), "3|c\n2|b\n2|a\n1|z\n1|NULL\nNULL|x");
    t_end();
}

/* 20000 rows with text, sorted with work_mem 64 kB: spills to runs. */
static void test_sort_spill(void)
{
    t_begin(64 << 10, tempdir);
    SdbStr rows;
    sdb_str_init(&rows, T_arena);
    for (int i = 0; i < 20000; i++)
        sdb_str_appendf(&rows, "%s%d,row%d", i ? ";" : "", (i * 7919) % 20000, i);
    SdbPlan *v = t_values(1, 2, I4T, rows.data);
    SdbPlan *s = sort(v, 1, t_list(1, t_var(1, 0, SDB_TYPEOID_INT4)), t_ints(1, SDB_SORT_DESC));
    char *got = t_run(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    int expect = 19999, lines = 0;
    for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n"), expect--, lines++)
        if (atoi(line) != expect) {
            CU_FAIL("out of order");
            break;
        }
    CU_ASSERT_EQUAL(lines, 20000);
    /* it did spill: without a usable temp folder it fails */
    T_ctx.temp_dir = "/nonexistent/folder";
    CU_ASSERT_PTR_NULL(t_run(s));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
    t_end();
}

static SdbPlan *limit(SdbPlan *child, const char *count, const char *offset, bool ties)
{
    SdbPlanLimit *l = sdb_new_plan_limit(T_arena);
    l->child = child;
    l->limit = count ? t_const(SDB_TYPEOID_INT8, count) : NULL;
    l->offset = offset ? t_const(SDB_TYPEOID_INT8, offset) : NULL;
    l->with_ties = ties;
    l->plan.ncols = child->ncols;
    l->plan.cols = child->cols;
    return &l->plan;
}

static void test_limit(void)
{
    setup();
    SdbPlan *v = t_values(1, 1, I4, "1;2;2;2;3;4");
    EXPECT_ROWS(limit(v, "2", "1", false), "2\n2");
    EXPECT_ROWS(limit(v, "NULL", "4", false), "3\n4");
    EXPECT_ROWS(limit(v, "0", NULL, false), "");
    SdbPlan *s = sort(v, 1, t_list(1, t_var(1, 0, SDB_TYPEOID_INT4)), t_ints(1, 0));
    EXPECT_ROWS(limit(s, "2", NULL, true), "1\n2\n2\n2");
    /* top-N sort under a limit: stable among equal keys */
    SdbPlan *v2 = t_values(1, 2, I4T, "3,a;1,b;2,c;1,d;3,e;2,f;1,g");
    SdbPlan *s2 = sort(v2, 1, t_list(1, t_var(1, 0, SDB_TYPEOID_INT4)), t_ints(1, 0));
    EXPECT_ROWS(limit(s2, "4", "1", false), "1|d\n1|g\n2|c\n2|f");
    SdbPlan *s3 = sort(v2, 1, t_list(1, t_var(1, 0, SDB_TYPEOID_INT4)), t_ints(1, SDB_SORT_DESC));
    EXPECT_ROWS(limit(s3, "3", NULL, false), "3|a\n3|e\n2|c");
    EXPECT_ERROR(limit(v, "-1", NULL, false), SDB_ERR_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE, "LIMIT must not be negative");
    EXPECT_ERROR(limit(v, NULL, "-1", false), SDB_ERR_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
                 "OFFSET must not be negative");
    t_end();
}

static SdbPlan *distinct(SdbPlan *child, int non, SdbExpr **on)
{
    SdbPlanDistinct *d = sdb_new_plan_distinct(T_arena);
    d->child = child;
    d->on = on;
    d->non = non;
    d->plan.ncols = child->ncols;
    d->plan.cols = child->cols;
    return &d->plan;
}

static void test_distinct(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, I4T, "1,a;2,b;1,a;NULL,x;NULL,x;1,b");
    EXPECT_ROWS(distinct(v, 0, NULL), "1|a\n2|b\nNULL|x\n1|b");
    SdbExpr *a = t_var(1, 0, SDB_TYPEOID_INT4);
    SdbPlan *s = sort(v, 1, t_list(1, a), t_ints(1, 0));
    EXPECT_ROWS(distinct(s, 1, t_list(1, a)), "1|a\n2|b\nNULL|x");
    t_end();
    /* spilled: work_mem too small for even one row */
    t_begin(1, tempdir);
    v = t_values(1, 2, I4T, "1,a;2,b;1,a;NULL,x;NULL,x;1,b;2,b;3,c");
    SdbExpr *keys[2] = {t_var(1, 0, SDB_TYPEOID_INT4), t_var(1, 1, SDB_TYPEOID_TEXT)};
    EXPECT_ROWS(sort(distinct(v, 0, NULL), 2, keys, t_ints(2, 0, 0)), "1|a\n1|b\n2|b\n3|c\nNULL|x");
    t_end();
}

/* --- joins --------------------------------------------------------------- */

/* left (1): (1,a) (2,b) (NULL,n) (3,c);  right (2): (2,x) (3,y) (3,z) (4,w) (NULL,m) */
static void join_case(SdbJoinKind kind, const char *expected)
{
    for (int strategy = 0; strategy < 3; strategy++) {
        SdbPlan *l = t_values(1, 2, I4T, "1,a;2,b;NULL,n;3,c");
        SdbPlan *r = t_values(2, 2, I4T, "2,x;3,y;3,z;4,w;NULL,m");
        SdbExpr *lk = t_var(1, 0, SDB_TYPEOID_INT4), *rk = t_var(2, 0, SDB_TYPEOID_INT4);
        if (strategy == 2) {
            l = sort(l, 1, t_list(1, lk), t_ints(1, 0));
            r = sort(r, 1, t_list(1, rk), t_ints(1, 0));
        }
        /* residual: right text <> 'z' */
        SdbExpr *residual = t_op("<>", t_var(2, 1, SDB_TYPEOID_TEXT), t_const(SDB_TYPEOID_TEXT, "z"));
        SdbPlan *j;
        if (strategy == 0)
            j = join(l, r, kind, SDB_JOIN_STRATEGY_NESTED_LOOP, 2, t_list(2, t_op("=", lk, rk), residual), 0, NULL, NULL);
        else
            j = join(l, r, kind, strategy == 1 ? SDB_JOIN_STRATEGY_HASH : SDB_JOIN_STRATEGY_MERGE, 1,
                     t_list(1, residual), 1, t_list(1, lk), t_list(1, rk));
        SdbPlan *s = sort(j, j->ncols, t_list(4, t_var(1, 0, SDB_TYPEOID_INT4), t_var(1, 1, SDB_TYPEOID_TEXT),
                                               t_var(2, 0, SDB_TYPEOID_INT4), t_var(2, 1, SDB_TYPEOID_TEXT)),
                          t_ints(4, 0, 0, 0, 0));
        EXPECT_ROWS(s, expected);
    }
}

static void join_cases(void);

static void test_joins(void)
{
    for (int spill = 0; spill < 2; spill++) {
        t_begin(spill ? 1 : 4 << 20, tempdir);
        join_cases();
        t_end();
    }
}

static void join_cases(void)
{
    join_case(SDB_JOIN_KIND_INNER, "2|b|2|x\n3|c|3|y");
    join_case(SDB_JOIN_KIND_LEFT, "1|a|NULL|NULL\n2|b|2|x\n3|c|3|y\nNULL|n|NULL|NULL");
    join_case(SDB_JOIN_KIND_RIGHT, "2|b|2|x\n3|c|3|y\nNULL|NULL|3|z\nNULL|NULL|4|w\nNULL|NULL|NULL|m");
    join_case(SDB_JOIN_KIND_FULL,
              "1|a|NULL|NULL\n2|b|2|x\n3|c|3|y\nNULL|n|NULL|NULL\nNULL|NULL|3|z\nNULL|NULL|4|w\nNULL|NULL|NULL|m");
    join_case(SDB_JOIN_KIND_SEMI, "2|b\n3|c");
    join_case(SDB_JOIN_KIND_ANTI, "1|a\nNULL|n");
}

/* "k,t;..." rows: n rows with keys drawn from [0, range) (a NULL every 97th
 * row), so that both sides have groups of duplicates. */
static char *merge_rows(int n, int range, int seed)
{
    char *buf = sdb_arena_alloc(T_arena, (size_t)n * 24 + 1), *p = buf;
    for (int i = 0; i < n; i++) {
        int k = (int)(((unsigned)i * 2654435761u + (unsigned)seed) % (unsigned)range);
        if ((i + seed) % 97 == 0)
            p += sprintf(p, "%sNULL,n%d", i ? ";" : "", i);
        else
            p += sprintf(p, "%s%d,t%d", i ? ";" : "", k, i % 5);
    }
    *p = 0;
    return buf;
}

/* Merge join over many rows (several batches, key groups crossing batch
 * boundaries, groups larger than a batch) equals the hash join for every
 * kind, with a residual condition; left keys int4, right keys int8; one
 * key and two (integer, computed text: by-reference key values). */
static void test_merge_join(void)
{
    static const SdbOid I8T[2] = {SDB_TYPEOID_INT8, SDB_TYPEOID_TEXT};
    static const struct {
        int nl, nr, range;
    } sizes[] = {{3000, 2500, 400}, {1500, 2100, 3}, {10, 3000, 2}, {0, 5, 3}, {5, 0, 3}};
    for (int spill = 0; spill < 2; spill++) {
        t_begin(spill ? 64 << 10 : 4 << 20, tempdir);
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
            for (int kind = SDB_JOIN_KIND_INNER; kind <= SDB_JOIN_KIND_ANTI; kind++) {
                char *res[2];
                char *lrows = merge_rows(sizes[z].nl, sizes[z].range, 1);
                char *rrows = merge_rows(sizes[z].nr, sizes[z].range, 7);
                /* nk 1: the integer key, a residual across the sides; nk 2:
                 * (integer, text) keys, a residual on a constant */
                for (int nk = 1; nk <= 2; nk++) {
                    for (int merge = 0; merge < 2; merge++) {
                        SdbPlan *l = t_values(1, 2, I4T, lrows), *r = t_values(2, 2, I8T, rrows);
                        SdbExpr *bang = t_const(SDB_TYPEOID_TEXT, "!");
                        SdbExpr **lk = t_list(2, t_var(1, 0, SDB_TYPEOID_INT4),
                                              t_op("||", t_var(1, 1, SDB_TYPEOID_TEXT), bang));
                        SdbExpr **rk = t_list(2, t_var(2, 0, SDB_TYPEOID_INT8),
                                              t_op("||", t_var(2, 1, SDB_TYPEOID_TEXT), bang));
                        SdbExpr *other = nk == 1 ? t_var(1, 1, SDB_TYPEOID_TEXT) : t_const(SDB_TYPEOID_TEXT, "t3");
                        SdbExpr *residual = t_op("<>", t_var(2, 1, SDB_TYPEOID_TEXT), other);
                        if (merge) {
                            l = sort(l, nk, lk, t_ints(2, 0, 0));
                            r = sort(r, nk, rk, t_ints(2, 0, 0));
                        }
                        SdbPlan *j = join(l, r, (SdbJoinKind)kind,
                                          merge ? SDB_JOIN_STRATEGY_MERGE : SDB_JOIN_STRATEGY_HASH, 1,
                                          t_list(1, residual), nk, lk, rk);
                        SdbExpr **keys = t_list(4, t_var(1, 0, SDB_TYPEOID_INT4), t_var(1, 1, SDB_TYPEOID_TEXT),
                                                t_var(2, 0, SDB_TYPEOID_INT8), t_var(2, 1, SDB_TYPEOID_TEXT));
                        res[merge] = t_run(sort(j, j->ncols, keys, t_ints(4, 0, 0, 0, 0)));
                        if (res[merge] == NULL)
                            fprintf(stderr, "merge_join %d/%zu/%d/%d: %s\n", spill, z, kind, merge,
                                    sdb_error_last()->message);
                    }
                    CU_ASSERT_PTR_NOT_NULL_FATAL(res[0]);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(res[1]);
                    if (strcmp(res[1], res[0]) != 0)
                        fprintf(stderr, "merge_join differs: %d/%zu/%d/%d\n", spill, z, kind, nk);
                    CU_ASSERT_STRING_EQUAL(res[1], res[0]);
                }
            }
        }
        t_end();
    }
}

/* Index nested loop: the right side is rebuilt for each left row and
 * reads the left row's values (here a filter instead of an index range). */
static void test_index_nested_loop(void)
{
    setup();
    static const struct {
        SdbJoinKind kind;
        const char *expected;
    } cases[] = {
        {SDB_JOIN_KIND_INNER, "2|b|2|x\n3|c|3|y"},
        /* the unmatched rows of a left batch follow its matches */
        {SDB_JOIN_KIND_LEFT, "2|b|2|x\n3|c|3|y\n1|a|NULL|NULL\nNULL|n|NULL|NULL"},
        {SDB_JOIN_KIND_SEMI, "2|b\n3|c"},
        {SDB_JOIN_KIND_ANTI, "1|a\nNULL|n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SdbPlan *l = t_values(1, 2, I4T, "1,a;2,b;NULL,n;3,c");
        SdbPlan *r = filter(t_values(2, 2, I4T, "2,x;3,y;3,z;4,w;NULL,m"), 1,
                            t_list(1, t_op("=", t_var(2, 0, SDB_TYPEOID_INT4), t_var(1, 0, SDB_TYPEOID_INT4))));
        SdbExpr *residual = t_op("<>", t_var(2, 1, SDB_TYPEOID_TEXT), t_const(SDB_TYPEOID_TEXT, "z"));
        EXPECT_ROWS(join(l, r, cases[i].kind, SDB_JOIN_STRATEGY_INDEX_NESTED_LOOP, 1, t_list(1, residual), 0, NULL,
                         NULL),
                    cases[i].expected);
    }
    t_end();
}

/* Hash join keys whose types hash differently (float4 = float8) are
 * compared by a nested loop instead. */
static void test_join_cross_type(void)
{
    setup();
    SdbPlan *l = t_values(1, 1, (SdbOid[]){SDB_TYPEOID_FLOAT4}, "1.5;2;NULL");
    SdbPlan *r = t_values(2, 1, (SdbOid[]){SDB_TYPEOID_FLOAT8}, "2;1.5;3");
    SdbPlan *j = join(l, r, SDB_JOIN_KIND_LEFT, SDB_JOIN_STRATEGY_HASH, 0, NULL, 1,
                      t_list(1, t_var(1, 0, SDB_TYPEOID_FLOAT4)), t_list(1, t_var(2, 0, SDB_TYPEOID_FLOAT8)));
    EXPECT_ROWS(j, "1.5|1.5\n2|2\nNULL|NULL");
    t_end();
}

/* A hash join whose output spans several batches (3000 x 3 matches). */
static void join_large(int64_t work_mem);

static void test_join_large(void)
{
    for (int spill = 0; spill < 2; spill++)
        join_large(spill ? 16 << 10 : 4 << 20);
}

static void join_large(int64_t work_mem)
{
    t_begin(work_mem, tempdir);
    SdbStr ls, rs;
    sdb_str_init(&ls, T_arena);
    sdb_str_init(&rs, T_arena);
    for (int i = 0; i < 3000; i++)
        sdb_str_appendf(&ls, "%s%d", i ? ";" : "", i);
    for (int i = 0; i < 9000; i++)
        sdb_str_appendf(&rs, "%s%d", i ? ";" : "", i % 3000);
    for (int strategy = 0; strategy < 2; strategy++) {
        SdbPlan *l = t_values(1, 1, I4, ls.data), *r = t_values(2, 1, I4, rs.data);
        SdbExpr *lk = t_var(1, 0, SDB_TYPEOID_INT4), *rk = t_var(2, 0, SDB_TYPEOID_INT4);
        SdbPlan *j = strategy ? join(l, r, SDB_JOIN_KIND_INNER, SDB_JOIN_STRATEGY_HASH, 0, NULL, 1, t_list(1, lk),
                                     t_list(1, rk))
                              : join(l, r, SDB_JOIN_KIND_INNER, SDB_JOIN_STRATEGY_NESTED_LOOP, 1,
                                     t_list(1, t_op("=", lk, rk)), 0, NULL, NULL);
        char *got = t_run(j);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        int lines = 1;
        for (char *p = got; *p; p++)
            lines += *p == '\n';
        CU_ASSERT_EQUAL(lines, 9000);
        if (strategy == 1 && work_mem < 4 << 20) {
            /* the hash join did spill: without a usable temp folder it fails */
            T_ctx.temp_dir = "/nonexistent/folder";
            CU_ASSERT_PTR_NULL(t_run(j));
            T_ctx.temp_dir = tempdir;
        }
    }
    t_end();
}

/* --- set operations ------------------------------------------------------ */

static void setop_case(SdbSetOpKind op, bool all, const char *expected)
{
    SdbPlanSetOp *s = sdb_new_plan_set_op(T_arena);
    s->left = t_values(1, 1, I4, "1;1;1;2;NULL;NULL;3");
    s->right = t_values(2, 1, I4, "1;2;2;NULL;4");
    s->op = op;
    s->all = all;
    s->table = 3;
    t_cols(&s->plan, 3, 1, I4);
    EXPECT_ROWS(sort(&s->plan, 1, t_list(1, t_var(3, 0, SDB_TYPEOID_INT4)), t_ints(1, 0)), expected);
}

static void set_op_cases(void);

static void test_set_ops(void)
{
    for (int spill = 0; spill < 2; spill++) {
        t_begin(spill ? 1 : 4 << 20, tempdir);
        set_op_cases();
        t_end();
    }
}

static void set_op_cases(void)
{
    setop_case(SDB_SET_OP_KIND_UNION, false, "1\n2\n3\n4\nNULL");
    setop_case(SDB_SET_OP_KIND_UNION, true, "1\n1\n1\n1\n2\n2\n2\n3\n4\nNULL\nNULL\nNULL");
    setop_case(SDB_SET_OP_KIND_INTERSECT, false, "1\n2\nNULL");
    setop_case(SDB_SET_OP_KIND_INTERSECT, true, "1\n2\nNULL");
    setop_case(SDB_SET_OP_KIND_EXCEPT, false, "3");
    setop_case(SDB_SET_OP_KIND_EXCEPT, true, "1\n1\n3\nNULL");
}

/* --- set-returning functions --------------------------------------------- */

/* The set-returning function `name` taking nargs arguments whose first
 * one is of type `first` (anyarray for an array). */
static const SdbFuncInfo *srf_named(const char *name, int nargs, SdbOid first)
{
    const SdbFuncInfo *const *funcs;
    size_t n = sdb_funcs_by_name(name, &funcs);
    for (size_t i = 0; i < n; i++)
        if (funcs[i]->nargs == nargs && (funcs[i]->argtypes[0] == first || funcs[i]->argtypes[0] == SDB_TYPEOID_ANYARRAY))
            return funcs[i];
    return NULL;
}

static SdbPlan *function_scan(const char *name, int nargs, SdbExpr **args, SdbOid rettype, bool ordinality)
{
    SdbBoundFuncExpr *call = sdb_new_bound_func_expr(T_arena, rettype);
    call->func = srf_named(name, nargs, args[0]->type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(call->func);
    call->args = args;
    call->nargs = nargs;
    SdbPlanFunctionScan *f = sdb_new_plan_function_scan(T_arena);
    f->call = &call->expr;
    f->table = 1;
    f->ordinality = ordinality;
    SdbOid types[2] = {rettype, SDB_TYPEOID_INT8};
    t_cols(&f->plan, 1, ordinality ? 2 : 1, types);
    return &f->plan;
}

static void test_function_scan(void)
{
    setup();
    EXPECT_ROWS(function_scan("generate_series", 2, t_list(2, t_i4("1"), t_i4("4")), SDB_TYPEOID_INT4, false),
                "1\n2\n3\n4");
    EXPECT_ROWS(function_scan("generate_series", 3, t_list(3, t_i4("10"), t_i4("1"), t_i4("-4")), SDB_TYPEOID_INT4,
                              true),
                "10|1\n6|2\n2|3");
    EXPECT_ROWS(function_scan("generate_series", 2, t_list(2, t_i4("2147483646"), t_i4("2147483647")),
                              SDB_TYPEOID_INT4, false),
                "2147483646\n2147483647");
    EXPECT_ROWS(function_scan("generate_series", 3,
                              t_list(3, t_const(SDB_TYPEOID_NUMERIC, "0.5"), t_const(SDB_TYPEOID_NUMERIC, "2"),
                                     t_const(SDB_TYPEOID_NUMERIC, "0.5")),
                              SDB_TYPEOID_NUMERIC, false),
                "0.5\n1.0\n1.5\n2.0");
    EXPECT_ROWS(function_scan("generate_series", 3,
                              t_list(3, t_const(SDB_TYPEOID_TIMESTAMP, "2024-01-30"),
                                     t_const(SDB_TYPEOID_TIMESTAMP, "2024-04-01"),
                                     t_const(SDB_TYPEOID_INTERVAL, "1 month")),
                              SDB_TYPEOID_TIMESTAMP, false),
                "2024-01-30 00:00:00\n2024-02-29 00:00:00\n2024-03-29 00:00:00");
    EXPECT_ROWS(function_scan("generate_series", 2, t_list(2, t_i4("1"), t_i4("NULL")), SDB_TYPEOID_INT4, false), "");
    EXPECT_ERROR(function_scan("generate_series", 3, t_list(3, t_i4("1"), t_i4("3"), t_i4("0")), SDB_TYPEOID_INT4,
                               false),
                 SDB_ERR_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
    EXPECT_ROWS(function_scan("unnest", 1, t_list(1, t_const(SDB_TYPEOID_TEXT_ARRAY, "{a,NULL,c}")), SDB_TYPEOID_TEXT,
                              true),
                "a|1\nNULL|2\nc|3");
    /* 3000 rows: several batches */
    char *got = t_run(function_scan("generate_series", 2, t_list(2, t_i4("1"), t_i4("3000")), SDB_TYPEOID_INT4, false));
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\n1024\n1025\n"));
    CU_ASSERT_STRING_EQUAL(strrchr(got, '\n'), "\n3000");
    t_end();
}

/* --- subqueries ----------------------------------------------------------- */

static SdbExpr *subplan(SdbSubPlanKind kind, SdbPlan *plan, SdbExpr *test, bool correlated, SdbOid type)
{
    SdbBoundSubPlan *sp = sdb_new_bound_sub_plan(T_arena, type);
    sp->kind = kind;
    sp->plan = plan;
    sp->test = test;
    sp->correlated = correlated;
    return &sp->expr;
}

static void test_subplans(void)
{
    setup();
    SdbPlan *outer = t_values(1, 1, I4, "1;2;NULL");
    SdbExpr *x = t_var(1, 0, SDB_TYPEOID_INT4);
    /* (SELECT y FROM (2,3) WHERE y = x) correlated */
    SdbPlan *inner = filter(t_values(2, 1, I4, "2;3"), 1,
                            t_list(1, t_op("=", t_var(2, 0, SDB_TYPEOID_INT4), t_outer(1, 0, SDB_TYPEOID_INT4, 1))));
    SdbExpr *scalar = subplan(SDB_SUB_PLAN_KIND_EXPR, inner, NULL, true, SDB_TYPEOID_INT4);
    SdbExpr *exists = subplan(SDB_SUB_PLAN_KIND_EXISTS, inner, NULL, true, SDB_TYPEOID_BOOL);
    /* x IN (2, NULL), x <> ALL (2, NULL) */
    SdbPlan *list = t_values(3, 1, I4, "2;NULL");
    SdbExpr *in = subplan(SDB_SUB_PLAN_KIND_ANY, list, t_op("=", x, t_var(3, 0, SDB_TYPEOID_INT4)), false,
                          SDB_TYPEOID_BOOL);
    SdbExpr *all = subplan(SDB_SUB_PLAN_KIND_ALL, list, t_op("<>", x, t_var(3, 0, SDB_TYPEOID_INT4)), false,
                           SDB_TYPEOID_BOOL);
    SdbExpr *arr = subplan(SDB_SUB_PLAN_KIND_ARRAY, t_values(4, 1, I4, "5;NULL;7"), NULL, false,
                           SDB_TYPEOID_INT4_ARRAY);
    EXPECT_ROWS(project(outer, 5, 5, t_list(5, scalar, exists, in, all, arr)),
                "NULL|f|NULL|NULL|{5,NULL,7}\n2|t|t|f|{5,NULL,7}\nNULL|f|NULL|NULL|{5,NULL,7}");
    /* IN / NOT IN over an empty subquery, and without NULLs */
    SdbPlan *none = filter(t_values(7, 1, I4, "2"), 1, t_list(1, t_const(SDB_TYPEOID_BOOL, "f")));
    SdbPlan *some = t_values(8, 1, I4, "2;3");
    SdbExpr *in_none = subplan(SDB_SUB_PLAN_KIND_ANY, none, t_op("=", x, t_var(7, 0, SDB_TYPEOID_INT4)), false,
                               SDB_TYPEOID_BOOL);
    SdbExpr *all_none = subplan(SDB_SUB_PLAN_KIND_ALL, none, t_op("<>", x, t_var(7, 0, SDB_TYPEOID_INT4)), false,
                                SDB_TYPEOID_BOOL);
    SdbExpr *in_some = subplan(SDB_SUB_PLAN_KIND_ANY, some, t_op("=", t_var(8, 0, SDB_TYPEOID_INT4), x), false,
                               SDB_TYPEOID_BOOL);
    SdbExpr *all_some = subplan(SDB_SUB_PLAN_KIND_ALL, some, t_op("<>", x, t_var(8, 0, SDB_TYPEOID_INT4)), false,
                                SDB_TYPEOID_BOOL);
    EXPECT_ROWS(project(t_values(1, 1, I4, "1;2;NULL"), 5, 4, t_list(4, in_none, all_none, in_some, all_some)),
                "f|t|f|t\nf|t|t|f\nf|t|NULL|NULL");
    /* more than one row */
    SdbExpr *two = subplan(SDB_SUB_PLAN_KIND_EXPR, t_values(6, 1, I4, "1;2"), NULL, false, SDB_TYPEOID_INT4);
    EXPECT_ERROR(project(t_values(1, 1, I4, "1"), 5, 1, t_list(1, two)), SDB_ERR_CARDINALITY_VIOLATION,
                 "more than one row returned by a subquery used as an expression");
    t_end();
}

static void test_array_expr(void)
{
    setup();
    SdbBoundArrayExpr *a = sdb_new_bound_array_expr(T_arena, SDB_TYPEOID_INT4_ARRAY);
    a->element_type = SDB_TYPEOID_INT4;
    a->elements = t_list(3, t_var(1, 0, SDB_TYPEOID_INT4), t_i4("NULL"), t_i4("9"));
    a->nelements = 3;
    EXPECT_ROWS(project(t_values(1, 1, I4, "1;2"), 2, 1, t_list(1, &a->expr)), "{1,NULL,9}\n{2,NULL,9}");
    t_end();
}

/* --- CTEs and recursion ------------------------------------------------- */

static void test_cte(void)
{
    setup();
    /* WITH c AS (VALUES 1, 2) SELECT * FROM c a JOIN c b ON a < b, the CTE run once */
    SdbPlan *body = t_values(1, 1, I4, "1;2");
    SdbPlanCteScan *a = sdb_new_plan_cte_scan(T_arena), *b = sdb_new_plan_cte_scan(T_arena);
    a->cte = b->cte = body;
    a->cte_id = b->cte_id = 0;
    a->table = 2;
    b->table = 3;
    t_cols(&a->plan, 2, 1, I4);
    t_cols(&b->plan, 3, 1, I4);
    SdbPlan *j = join(&a->plan, &b->plan, SDB_JOIN_KIND_INNER, SDB_JOIN_STRATEGY_NESTED_LOOP, 1,
                      t_list(1, t_op("<=", t_var(2, 0, SDB_TYPEOID_INT4), t_var(3, 0, SDB_TYPEOID_INT4))), 0, NULL, NULL);
    EXPECT_ROWS(j, "1|1\n1|2\n2|2");
    t_end();
}

static void test_recursive_union(void)
{
    setup();
    /* WITH RECURSIVE r(n) AS (VALUES (1) UNION [ALL] SELECT n + 1 FROM r WHERE n < 5) */
    for (int all = 0; all < 2; all++) {
        SdbPlanWorkTableScan *w = sdb_new_plan_work_table_scan(T_arena);
        w->cte_id = 0;
        w->table = 2;
        t_cols(&w->plan, 2, 1, I4);
        SdbExpr *n = t_var(2, 0, SDB_TYPEOID_INT4);
        SdbPlan *rec = project(filter(&w->plan, 1, t_list(1, t_op("<", n, t_i4("5")))), 3, 1,
                               t_list(1, t_op("+", n, t_i4("1"))));
        SdbPlanRecursiveUnion *ru = sdb_new_plan_recursive_union(T_arena);
        ru->anchor = t_values(1, 1, I4, "1");
        ru->recursive = rec;
        ru->cte_id = 0;
        ru->all = all;
        ru->table = 4;
        t_cols(&ru->plan, 4, 1, I4);
        EXPECT_ROWS(&ru->plan, "1\n2\n3\n4\n5");
    }
    /* UNION stops a cycle: n -> (n + 1) % 3 */
    SdbPlanWorkTableScan *w = sdb_new_plan_work_table_scan(T_arena);
    w->cte_id = 1;
    w->table = 2;
    t_cols(&w->plan, 2, 1, I4);
    SdbPlan *rec = project(&w->plan, 3, 1, t_list(1, t_op("%", t_op("+", t_var(2, 0, SDB_TYPEOID_INT4), t_i4("1")),
                                                          t_i4("3"))));
    SdbPlanRecursiveUnion *ru = sdb_new_plan_recursive_union(T_arena);
    ru->anchor = t_values(1, 1, I4, "0");
    ru->recursive = rec;
    ru->cte_id = 1;
    ru->table = 4;
    t_cols(&ru->plan, 4, 1, I4);
    EXPECT_ROWS(&ru->plan, "0\n1\n2");
    t_end();
}

/* --- aggregates ----------------------------------------------------------- */

static const SdbFuncInfo *find_func(const char *name, int nargs, const SdbOid *types)
{
    const SdbFuncInfo *const *fs;
    size_t n = sdb_funcs_by_name(name, &fs);
    for (size_t i = 0; i < n; i++) {
        if (fs[i]->nargs != nargs)
            continue;
        bool ok = true;
        for (int a = 0; a < nargs && ok; a++)
            ok = fs[i]->argtypes[a] == types[a] || fs[i]->argtypes[a] == SDB_TYPEOID_ANY ||
                 fs[i]->argtypes[a] == SDB_TYPEOID_ANYELEMENT;
        if (ok)
            return fs[i];
    }
    abort();
}

static SdbBoundAggref *aggref(const char *name, SdbOid rettype, int nargs, SdbExpr **args)
{
    SdbOid types[4] = {0};
    for (int i = 0; i < nargs; i++)
        types[i] = args[i]->type;
    SdbBoundAggref *a = sdb_new_bound_aggref(T_arena, rettype);
    a->func = find_func(name, nargs, types);
    a->args = args;
    a->nargs = nargs;
    a->star = nargs == 0;
    return a;
}

/* Aggregate over child: groups, then aggs; output = group columns then
 * aggregate columns (tables 10 and 11). */
static SdbPlanAggregate *aggregate(SdbPlan *child, int ngroups, SdbExpr **groups, int naggs, SdbExpr **aggs)
{
    SdbPlanAggregate *g = sdb_new_plan_aggregate(T_arena);
    g->child = child;
    g->group_table = 10;
    g->groups = groups;
    g->ngroups = ngroups;
    g->agg_table = 11;
    g->aggs = aggs;
    g->naggs = naggs;
    g->strategy = ngroups ? SDB_AGG_STRATEGY_HASH : SDB_AGG_STRATEGY_PLAIN;
    g->plan.ncols = ngroups + naggs;
    g->plan.cols = sdb_arena_calloc(T_arena, ngroups + naggs + 1, sizeof(SdbPlanColumn));
    for (int i = 0; i < ngroups; i++)
        g->plan.cols[i] = (SdbPlanColumn){.table = 10, .column = i, .type = groups[i]->type, .typmod = -1};
    for (int i = 0; i < naggs; i++)
        g->plan.cols[ngroups + i] = (SdbPlanColumn){.table = 11, .column = i, .type = aggs[i]->type, .typmod = -1};
    return g;
}

static void test_aggregate_plain(void)
{
    setup();
    SdbExpr *x = t_var(1, 0, SDB_TYPEOID_INT4);
    for (int empty = 0; empty < 2; empty++) {
        SdbPlan *v = t_values(1, 1, I4, "1;NULL;3;3");
        if (empty)
            v = filter(v, 1, t_list(1, t_op(">", x, t_i4("100"))));
        SdbPlanAggregate *g = aggregate(v, 0, NULL, 4,
                                        t_list(4, &aggref("count", SDB_TYPEOID_INT8, 0, NULL)->expr,
                                               &aggref("count", SDB_TYPEOID_INT8, 1, t_list(1, x))->expr,
                                               &aggref("sum", SDB_TYPEOID_INT8, 1, t_list(1, x))->expr,
                                               &aggref("max", SDB_TYPEOID_INT4, 1, t_list(1, x))->expr));
        EXPECT_ROWS(&g->plan, empty ? "0|0|NULL|NULL" : "4|3|7|3");
    }
    t_end();
}

static void test_aggregate_groups(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, I4T, "1,a;2,b;1,c;NULL,d;NULL,e;2,b;1,a");
    SdbExpr *k = t_var(1, 0, SDB_TYPEOID_INT4), *t = t_var(1, 1, SDB_TYPEOID_TEXT);
    SdbBoundAggref *cnt = aggref("count", SDB_TYPEOID_INT8, 0, NULL);
    SdbBoundAggref *dist = aggref("count", SDB_TYPEOID_INT8, 1, t_list(1, t));
    dist->distinct = true;
    SdbBoundAggref *ordered = aggref("string_agg", SDB_TYPEOID_TEXT, 2, t_list(2, t, t_const(SDB_TYPEOID_TEXT, ",")));
    ordered->order = t_list(1, t);
    ordered->order_flags = t_ints(1, SDB_SORT_DESC);
    ordered->norder = 1;
    SdbBoundAggref *filtered = aggref("count", SDB_TYPEOID_INT8, 0, NULL);
    filtered->filter = t_op("<>", t, t_const(SDB_TYPEOID_TEXT, "a"));
    SdbPlanAggregate *g = aggregate(v, 1, t_list(1, k), 4,
                                    t_list(4, &cnt->expr, &dist->expr, &ordered->expr, &filtered->expr));
    EXPECT_ROWS(&g->plan, "1|3|2|c,a,a|1\n2|2|1|b,b|2\nNULL|2|2|e,d|2");
    /* HAVING count(*) > 2 */
    g->having = t_list(1, t_op(">", t_var(11, 0, SDB_TYPEOID_INT8), t_const(SDB_TYPEOID_INT8, "2")));
    g->nhaving = 1;
    EXPECT_ROWS(&g->plan, "1|3|2|c,a,a|1");
    t_end();
}

/* 3000 groups of 4 rows with work_mem 32 kB: groups spill to partitions. */
static void test_aggregate_spill(void)
{
    t_begin(32 << 10, tempdir);
    SdbStr rows;
    sdb_str_init(&rows, T_arena);
    for (int i = 0; i < 12000; i++)
        sdb_str_appendf(&rows, "%s%d,%d", i ? ";" : "", i % 3000, i);
    SdbExpr *k = t_var(1, 0, SDB_TYPEOID_INT4), *x = t_var(1, 1, SDB_TYPEOID_INT4);
    SdbPlanAggregate *g = aggregate(t_values(1, 2, I4, rows.data), 1, t_list(1, k), 2,
                                    t_list(2, &aggref("count", SDB_TYPEOID_INT8, 0, NULL)->expr,
                                           &aggref("sum", SDB_TYPEOID_INT8, 1, t_list(1, x))->expr));
    SdbPlan *s = sort(&g->plan, 1, t_list(1, t_var(10, 0, SDB_TYPEOID_INT4)), t_ints(1, 0));
    char *got = t_run(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    int lines = 0, bad = 0;
    for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        int key, count;
        long sum;
        if (sscanf(line, "%d|%d|%ld", &key, &count, &sum) != 3 || key != lines || count != 4 ||
            sum != 4L * key + 3000L * 6)
            bad++;
    }
    CU_ASSERT_EQUAL(lines, 3000);
    CU_ASSERT_EQUAL(bad, 0);
    T_ctx.temp_dir = "/nonexistent/folder";
    CU_ASSERT_PTR_NULL(t_run(s));
    t_end();
}

static void test_grouping_sets(void)
{
    setup();
    /* GROUP BY GROUPING SETS ((a, b), (a), ()) with GROUPING(a, b) */
    SdbPlan *v = t_values(1, 2, I4T, "1,x;1,y;2,x");
    SdbExpr *a = t_var(1, 0, SDB_TYPEOID_INT4), *b = t_var(1, 1, SDB_TYPEOID_TEXT);
    SdbBoundGroupingFunc *gf = sdb_new_bound_grouping_func(T_arena, SDB_TYPEOID_INT4);
    gf->refs = t_ints(2, 0, 1);
    gf->nrefs = 2;
    SdbPlanAggregate *g = aggregate(v, 2, t_list(2, a, b), 2,
                                    t_list(2, &aggref("count", SDB_TYPEOID_INT8, 0, NULL)->expr, &gf->expr));
    g->sets = t_ints(3, 3, 1, 0);
    g->nsets = 3;
    EXPECT_ROWS(&g->plan, "1|x|1|0\n1|y|1|0\n2|x|1|0\n1|NULL|2|1\n2|NULL|1|1\nNULL|NULL|3|3");
    t_end();
}

static void test_aggregate_ordered_set(void)
{
    setup();
    SdbPlan *v = t_values(1, 1, (SdbOid[]){SDB_TYPEOID_FLOAT8}, "1;2;3;4;NULL");
    SdbBoundAggref *p = aggref("percentile_cont", SDB_TYPEOID_FLOAT8, 2,
                               t_list(2, t_const(SDB_TYPEOID_FLOAT8, "0.5"), t_var(1, 0, SDB_TYPEOID_FLOAT8)));
    p->nargs = 1;
    p->order = t_list(1, t_var(1, 0, SDB_TYPEOID_FLOAT8));
    p->order_flags = t_ints(1, 0);
    p->norder = 1;
    p->within_group = true;
    SdbPlanAggregate *g = aggregate(v, 0, NULL, 1, t_list(1, &p->expr));
    EXPECT_ROWS(&g->plan, "2.5");
    t_end();
}


/* --- window functions ----------------------------------------------------- */

static SdbBoundWindowFunc *winfunc(const char *name, SdbOid rettype, int nargs, SdbExpr **args, int npart,
                                   SdbExpr **part, int norder, SdbExpr **order, int *flags)
{
    SdbOid types[4] = {0};
    for (int i = 0; i < nargs; i++)
        types[i] = args[i]->type;
    SdbBoundWindowFunc *w = sdb_new_bound_window_func(T_arena, rettype);
    w->func = find_func(name, nargs, types);
    w->args = args;
    w->nargs = nargs;
    w->star = nargs == 0;
    w->partition = part;
    w->npartition = npart;
    w->order = order;
    w->order_flags = flags;
    w->norder = norder;
    w->frame_mode = SDB_WIN_FRAME_MODE_RANGE;
    w->frame_start = SDB_WIN_FRAME_BOUND_UNBOUNDED_PRECEDING;
    w->frame_end = SDB_WIN_FRAME_BOUND_CURRENT_ROW;
    return w;
}

static SdbPlan *window(SdbPlan *child, int n, SdbExpr **funcs)
{
    SdbPlanWindow *w = sdb_new_plan_window(T_arena);
    w->child = child;
    w->table = 20;
    w->funcs = funcs;
    w->nfuncs = n;
    w->plan.ncols = child->ncols + n;
    w->plan.cols = sdb_arena_calloc(T_arena, w->plan.ncols + 1, sizeof(SdbPlanColumn));
    memcpy(w->plan.cols, child->cols, child->ncols * sizeof(SdbPlanColumn));
    for (int i = 0; i < n; i++)
        w->plan.cols[child->ncols + i] = (SdbPlanColumn){.table = 20, .column = i, .type = funcs[i]->type, .typmod = -1};
    return &w->plan;
}

static void test_window(void)
{
    setup();
    SdbPlan *v = t_values(1, 2, I4, "1,4;2,NULL;1,2;1,1;2,5;1,2");
    SdbExpr *p = t_var(1, 0, SDB_TYPEOID_INT4), *x = t_var(1, 1, SDB_TYPEOID_INT4);
    SdbExpr **part = t_list(1, p), **order = t_list(1, x);
    int *flags = t_ints(1, 0);
    SdbBoundWindowFunc *rn = winfunc("row_number", SDB_TYPEOID_INT8, 0, NULL, 1, part, 1, order, flags);
    SdbBoundWindowFunc *rk = winfunc("rank", SDB_TYPEOID_INT8, 0, NULL, 1, part, 1, order, flags);
    SdbBoundWindowFunc *sum = winfunc("sum", SDB_TYPEOID_INT8, 1, t_list(1, x), 1, part, 1, order, flags);
    SdbBoundWindowFunc *rows = winfunc("sum", SDB_TYPEOID_INT8, 1, t_list(1, x), 1, part, 1, order, flags);
    rows->frame_mode = SDB_WIN_FRAME_MODE_ROWS;
    rows->frame_start = SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING;
    rows->start_offset = t_const(SDB_TYPEOID_INT8, "1");
    rows->frame_end = SDB_WIN_FRAME_BOUND_OFFSET_FOLLOWING;
    rows->end_offset = t_const(SDB_TYPEOID_INT8, "1");
    SdbBoundWindowFunc *lag = winfunc("lag", SDB_TYPEOID_INT4, 1, t_list(1, x), 1, part, 1, order, flags);
    SdbBoundWindowFunc *groups = winfunc("count", SDB_TYPEOID_INT8, 0, NULL, 1, part, 1, order, flags);
    groups->frame_mode = SDB_WIN_FRAME_MODE_GROUPS;
    groups->frame_start = SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING;
    groups->start_offset = t_const(SDB_TYPEOID_INT8, "1");
    groups->frame_exclusion = SDB_WIN_FRAME_EXCLUSION_CURRENT_ROW;
    EXPECT_ROWS(window(v, 6, t_list(6, &rn->expr, &rk->expr, &sum->expr, &rows->expr, &lag->expr, &groups->expr)),
                "1|1|1|1|1|3|NULL|0\n1|2|2|2|5|5|1|2\n1|2|3|2|5|8|2|2\n1|4|4|4|9|6|2|2\n"
                "2|5|1|1|5|5|NULL|0\n2|NULL|2|2|5|5|5|1");
    /* RANGE offsets, descending order, EXCLUDE TIES */
    SdbBoundWindowFunc *range = winfunc("sum", SDB_TYPEOID_INT8, 1, t_list(1, x), 0, NULL, 1, order, flags);
    range->frame_start = SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING;
    range->start_offset = t_i4("1");
    SdbBoundWindowFunc *ties = winfunc("sum", SDB_TYPEOID_INT8, 1, t_list(1, x), 0, NULL, 1, order, flags);
    *ties = *range;
    ties->frame_exclusion = SDB_WIN_FRAME_EXCLUSION_TIES;
    SdbBoundWindowFunc *first = winfunc("first_value", SDB_TYPEOID_INT4, 1, t_list(1, x), 0, NULL, 1, order,
                                        t_ints(1, SDB_SORT_DESC));
    first->frame_start = SDB_WIN_FRAME_BOUND_OFFSET_PRECEDING;
    first->start_offset = t_i4("1");
    first->frame_end = SDB_WIN_FRAME_BOUND_OFFSET_FOLLOWING;
    first->end_offset = t_i4("1");
    SdbPlan *w = window(v, 3, t_list(3, &first->expr, &range->expr, &ties->expr));
    EXPECT_ROWS(sort(w, 1, t_list(1, x), t_ints(1, 0)),
                "1|1|2|1|1\n1|2|2|5|3\n1|2|2|5|3\n1|4|5|4|4\n2|5|5|9|9\n2|NULL|NULL|NULL|NULL");
    t_end();
}

/* --- cancellation and EXPLAIN ------------------------------------------- */

static void test_cancel(void)
{
    setup();
    T_cancel = 1;
    EXPECT_ERROR(t_values(1, 1, I4, "1"), SDB_ERR_QUERY_CANCELED, "canceling statement due to user request");
    t_end();
}

static void test_explain(void)
{
    setup();
    SdbPlan *l = t_values(1, 2, I4T, "1,a;2,b");
    SdbPlan *r = t_values(2, 2, I4T, "2,x");
    SdbExpr *lk = t_var(1, 0, SDB_TYPEOID_INT4), *rk = t_var(2, 0, SDB_TYPEOID_INT4);
    SdbPlan *j = join(l, r, SDB_JOIN_KIND_LEFT, SDB_JOIN_STRATEGY_HASH, 1,
                      t_list(1, t_op("<>", t_var(2, 1, SDB_TYPEOID_TEXT), t_const(SDB_TYPEOID_TEXT, "z"))), 1,
                      t_list(1, lk), t_list(1, rk));
    SdbPlan *s = sort(j, 1, t_list(1, lk), t_ints(1, SDB_SORT_DESC));
    SdbStr out;
    sdb_str_init(&out, T_arena);
    CU_ASSERT_EQUAL_FATAL(sdb_explain(&T_ctx, s, false, false, &out), SDB_OK);
    CU_ASSERT_STRING_EQUAL(out.data, "Sort\n"
                                     "  Sort Key: c1_0 DESC\n"
                                     "  ->  Hash Left Join\n"
                                     "        Hash Cond: (c1_0 = c2_0)\n"
                                     "        Join Filter: (c2_1 <> 'z'::text)\n"
                                     "        ->  Values Scan on \"*VALUES*\"\n"
                                     "        ->  Hash\n"
                                     "              ->  Result");
    sdb_str_reset(&out);
    CU_ASSERT_EQUAL_FATAL(sdb_explain(&T_ctx, s, true, true, &out), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "Sort  (cost=0.00..0.00 rows=0 width=72) (actual time="));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "rows=2 loops=1)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "\nExecution Time: "));
    /* a sorted aggregation, which the optimizer does not choose yet */
    SdbPlanAggregate *g = aggregate(s, 1, t_list(1, lk), 0, NULL);
    g->strategy = SDB_AGG_STRATEGY_SORTED;
    sdb_str_reset(&out);
    CU_ASSERT_EQUAL_FATAL(sdb_explain(&T_ctx, &g->plan, false, false, &out), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "GroupAggregate\n  Group Key: c1_0\n  ->  Sort\n"));
    t_end();
}

int main(void)
{
    sdb_test_tempdir(tempdir, sizeof(tempdir));
    CU_TestInfo tests[] = {
        {"filter_project", test_filter_project},
        {"three_valued_logic", test_three_valued_logic},
        {"and_short_circuit", test_and_short_circuit},
        {"sort_keys", test_sort_keys},
        {"sort_spill", test_sort_spill},
        {"limit", test_limit},
        {"distinct", test_distinct},
        {"joins", test_joins},
        {"join_large", test_join_large},
        {"merge_join", test_merge_join},
        {"index_nested_loop", test_index_nested_loop},
        {"join_cross_type", test_join_cross_type},
        {"set_ops", test_set_ops},
        {"function_scan", test_function_scan},
        {"subplans", test_subplans},
        {"array_expr", test_array_expr},
        {"cte", test_cte},
        {"recursive_union", test_recursive_union},
        {"aggregate_plain", test_aggregate_plain},
        {"aggregate_groups", test_aggregate_groups},
        {"aggregate_spill", test_aggregate_spill},
        {"grouping_sets", test_grouping_sets},
        {"aggregate_ordered_set", test_aggregate_ordered_set},
        {"window", test_window},
        {"cancel", test_cancel},
        {"explain", test_explain},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"exec", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sdb_test_run(suites);
}

