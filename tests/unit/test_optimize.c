/*
 * test_optimize.c: the optimizer's rules (runtime/plan) on plan trees built
 * by hand: constant folding, AND/OR simplification and empty results,
 * predicate pushdown, outer-join simplification, projection pushdown,
 * decorrelation of EXISTS/IN, index selection, join and aggregate
 * strategies, estimates.  Relation descriptors come from the test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "expr/bind.h"
#include "harness.h"
#include "plan/plan.h"
#include "sdb_operators.h"
#include "sql/parser.h"

static SdbArena *arena;

static int setup(void)
{
    arena = sdb_arena_create(NULL, "optimize test", 0);
    return 0;
}

static int teardown(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

#define INT4 SDB_TYPEOID_INT4
#define INT8 SDB_TYPEOID_INT8
#define BOOL SDB_TYPEOID_BOOL

/* --- expressions --- */

static SdbExpr *var(int table, int column)
{
    SdbBoundVar *v = sdb_new_bound_var(arena, INT4);
    v->table = table;
    v->column = column;
    v->location = -1;
    return &v->expr;
}

static SdbExpr *outer_var(int table, int column)
{
    SdbBoundVar *v = (SdbBoundVar *)var(table, column);
    v->levelsup = 1;
    return &v->expr;
}

static SdbExpr *cint(int64_t value, SdbOid type)
{
    SdbBoundConst *c = sdb_new_bound_const(arena, type);
    c->value = sdb_datum_from_int64(value);
    c->location = -1;
    return &c->expr;
}

static SdbExpr *cbool(bool value, bool isnull)
{
    SdbBoundConst *c = sdb_new_bound_const(arena, BOOL);
    c->value = value;
    c->isnull = isnull;
    c->location = -1;
    return &c->expr;
}

static SdbExpr *op(const char *name, SdbExpr *a, SdbExpr *b)
{
    const SdbOperInfo *const *opers;
    size_t n = sdb_opers_by_name(name, &opers);
    for (size_t i = 0; i < n; i++) {
        if (opers[i]->left != a->type || opers[i]->right != b->type)
            continue;
        SdbBoundOpExpr *e = sdb_new_bound_op_expr(arena, opers[i]->result);
        e->opno = opers[i]->oid;
        e->func = sdb_func_by_oid(opers[i]->func);
        e->args = sdb_arena_alloc(arena, 2 * sizeof(SdbExpr *));
        e->args[0] = a;
        e->args[1] = b;
        e->nargs = 2;
        e->location = -1;
        return &e->expr;
    }
    return NULL;
}

static SdbExpr **list(int n, va_list ap)
{
    SdbExpr **items = sdb_arena_alloc(arena, (n + 1) * sizeof(SdbExpr *));
    for (int i = 0; i < n; i++)
        items[i] = va_arg(ap, SdbExpr *);
    return items;
}

static SdbExpr *boolexpr(SdbExprBoolOp boolop, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    SdbBoundBoolExpr *b = sdb_new_bound_bool_expr(arena, BOOL);
    b->boolop = boolop;
    b->args = list(n, ap);
    b->nargs = n;
    va_end(ap);
    return &b->expr;
}

static SdbExpr *is_null(SdbExpr *arg)
{
    SdbBoundNullTest *t = sdb_new_bound_null_test(arena, BOOL);
    t->arg = arg;
    return &t->expr;
}

static SdbExpr *subplan(SdbSubPlanKind kind, SdbPlan *plan, SdbExpr *test)
{
    SdbBoundSubPlan *sp = sdb_new_bound_sub_plan(arena, BOOL);
    sp->kind = kind;
    sp->plan = plan;
    sp->test = test;
    sp->correlated = true;
    sp->location = -1;
    return &sp->expr;
}

/* `SELECT <sql>` bound (constants only). */
static SdbExpr *bound(const char *expr)
{
    char *sql = sdb_arena_sprintf(arena, "SELECT %s", expr);
    SdbParseResult parsed;
    CU_ASSERT_FATAL(sdb_parse(arena, sql, strlen(sql), &parsed) == SDB_OK);
    const SdbRawStmt *raw = (const SdbRawStmt *)sdb_list_nth(parsed.stmts, 0);
    const SdbResTarget *target = (const SdbResTarget *)sdb_list_nth(((const SdbSelectStmt *)raw->stmt)->target_list, 0);
    SdbExprContext ctx = {.arena = arena};
    SdbBindContext bc = {.expr = &ctx, .sql = sql};
    SdbExpr *out = NULL;
    CU_ASSERT_FATAL(sdb_bind_expr(&bc, target->val, &out) == SDB_OK);
    return out;
}

/* --- plans --- */

static void header(SdbPlan *plan, int table, int ncols)
{
    plan->ncols = ncols;
    plan->cols = sdb_arena_calloc(arena, ncols + 1, sizeof(SdbPlanColumn));
    for (int i = 0; i < ncols; i++)
        plan->cols[i] = (SdbPlanColumn){table, i, INT4, -1, "c"};
}

static void pass_header(SdbPlan *plan, const SdbPlan *a, const SdbPlan *b)
{
    plan->ncols = a->ncols + (b ? b->ncols : 0);
    plan->cols = sdb_arena_calloc(arena, plan->ncols + 1, sizeof(SdbPlanColumn));
    memcpy(plan->cols, a->cols, a->ncols * sizeof(SdbPlanColumn));
    if (b != NULL)
        memcpy(plan->cols + a->ncols, b->cols, b->ncols * sizeof(SdbPlanColumn));
}

/* A Scan of relation oid (table `table`, 3 int4 columns). */
static SdbPlan *scan(SdbOid oid, int table)
{
    SdbPlanScan *s = sdb_new_plan_scan(arena);
    s->rel_oid = oid;
    s->table = table;
    header(&s->plan, table, 3);
    return &s->plan;
}

static SdbPlan *filter(SdbPlan *child, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    SdbPlanFilter *f = sdb_new_plan_filter(arena);
    f->child = child;
    f->quals = list(n, ap);
    f->nquals = n;
    va_end(ap);
    pass_header(&f->plan, child, NULL);
    return &f->plan;
}

static SdbPlan *join(SdbJoinKind kind, SdbPlan *left, SdbPlan *right, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    SdbPlanJoin *j = sdb_new_plan_join(arena);
    j->kind = kind;
    j->left = left;
    j->right = right;
    j->conds = list(n, ap);
    j->nconds = n;
    va_end(ap);
    pass_header(&j->plan, left, kind == SDB_JOIN_KIND_SEMI || kind == SDB_JOIN_KIND_ANTI ? NULL : right);
    return &j->plan;
}

static SdbPlan *project(SdbPlan *child, int table, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    SdbPlanProject *p = sdb_new_plan_project(arena);
    p->child = child;
    p->table = table;
    p->exprs = list(n, ap);
    p->nexprs = n;
    va_end(ap);
    header(&p->plan, table, n);
    return &p->plan;
}

static SdbPlan *one_row(void) { return &sdb_new_plan_one_row(arena)->plan; }

/* --- relations: 100 a(x, y, z) with index a_x on (x); 200 b(x, y, z) NOT
 * NULL x, unique index b_yz on (y, z); 300 c(x int8) with index c_x --- */

static const int16_t key_x[] = {1}, key_yz[] = {2, 3}, opts[] = {0, 0};
static const SdbIndex a_indexes[] = {{.oid = 101, .name = "a_x", .nkeys = 1, .keys = key_x, .key_options = opts}};
static const SdbIndex b_indexes[] = {
    {.oid = 201, .name = "b_yz", .unique = true, .nkeys = 2, .keys = key_yz, .key_options = opts}};
static const SdbIndex c_indexes[] = {{.oid = 301, .name = "c_x", .nkeys = 1, .keys = key_x, .key_options = opts}};
static const SdbAttribute a_attrs[] = {{.name = "x", .attnum = 1, .type = INT4},
                                       {.name = "y", .attnum = 2, .type = INT4},
                                       {.name = "z", .attnum = 3, .type = INT4}};
static const SdbAttribute b_attrs[] = {{.name = "x", .attnum = 1, .type = INT4, .not_null = true},
                                       {.name = "y", .attnum = 2, .type = INT4, .not_null = true},
                                       {.name = "z", .attnum = 3, .type = INT4}};
static const SdbAttribute c_attrs[] = {{.name = "x", .attnum = 1, .type = INT8},
                                       {.name = "y", .attnum = 2, .type = INT4},
                                       {.name = "z", .attnum = 3, .type = INT4}};
static const SdbRelation rel_a = {
    .oid = 100, .name = "a", .kind = 'r', .natts = 3, .attrs = a_attrs, .nindexes = 1, .indexes = a_indexes};
static const SdbRelation rel_b = {
    .oid = 200, .name = "b", .kind = 'r', .natts = 3, .attrs = b_attrs, .nindexes = 1, .indexes = b_indexes};
static const SdbAttribute d_attrs[] = {{.name = "name", .attnum = 1, .type = SDB_TYPEOID_TEXT},
                                       {.name = "y", .attnum = 2, .type = INT4},
                                       {.name = "z", .attnum = 3, .type = INT4}};
static const SdbIndex d_indexes[] = {{.oid = 401, .name = "d_name", .nkeys = 1, .keys = key_x, .key_options = opts}};
static const SdbRelation rel_d = {
    .oid = 400, .name = "d", .kind = 'r', .natts = 3, .attrs = d_attrs, .nindexes = 1, .indexes = d_indexes};
static const SdbRelation rel_c = {
    .oid = 300, .name = "c", .kind = 'r', .natts = 3, .attrs = c_attrs, .nindexes = 1, .indexes = c_indexes};

static int relation(void *arg, SdbOid oid, const SdbRelation **out)
{
    (void)arg;
    *out = oid == 100 ? &rel_a : oid == 200 ? &rel_b : oid == 300 ? &rel_c : oid == 400 ? &rel_d : NULL;
    return SDB_OK;
}

static int optimize(SdbPlan **plan)
{
    SdbExprContext expr = {.arena = arena};
    SdbOptContext ctx = {.arena = arena, .expr = &expr, .relation = relation};
    return sdb_optimize(&ctx, plan);
}

static const char *outline(const SdbPlan *plan)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_FATAL(sdb_plan_print(plan, &s) == SDB_OK);
    return s.data;
}

/* Optimize, print, and check that every fragment appears in the outline. */
static const char *check(SdbPlan **plan, const char *const *fragments)
{
    CU_ASSERT_FATAL(optimize(plan) == SDB_OK);
    const char *text = outline(*plan);
    for (int i = 0; fragments[i] != NULL; i++)
        if (strstr(text, fragments[i]) == NULL) {
            fprintf(stderr, "\nmissing \"%s\" in:\n%s", fragments[i], text);
            CU_FAIL("outline");
        }
    return text;
}

#define CHECK(plan, ...) check(plan, (const char *const[]){__VA_ARGS__, NULL})

static SdbExpr *the_const(SdbExpr *e, int64_t value)
{
    CU_ASSERT_EQUAL(e->tag, SDB_E_CONST);
    if (e->tag == SDB_E_CONST)
        CU_ASSERT_EQUAL(sdb_datum_to_int64(((SdbBoundConst *)e)->value), value);
    return e;
}

/* --- 1. folding --- */

static void test_fold_constants(void)
{
    SdbPlan *plan = project(one_row(), 1, 2, bound("1 + 2 * 3"), bound("length('abc') = 3"));
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    SdbPlanProject *p = (SdbPlanProject *)plan;
    the_const(p->exprs[0], 7);
    the_const(p->exprs[1], 1);
    /* strict over NULL, then NULL propagates */
    plan = project(scan(100, 2), 1, 1, op("+", var(2, 0), cint(0, INT4)));
    ((SdbBoundConst *)((SdbBoundOpExpr *)((SdbPlanProject *)plan)->exprs[0])->args[1])->isnull = true;
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    CU_ASSERT(((SdbPlanProject *)plan)->exprs[0]->tag == SDB_E_CONST &&
              ((SdbBoundConst *)((SdbPlanProject *)plan)->exprs[0])->isnull);
}

static void test_fold_errors(void)
{
    SdbPlan *plan = project(one_row(), 1, 1, bound("1/0"));
    CU_ASSERT_EQUAL(optimize(&plan), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DIVISION_BY_ZERO);
    /* never evaluated: no error, the branch is gone */
    plan = project(one_row(), 1, 1, bound("CASE WHEN false THEN 1/0 ELSE 5 END"));
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    the_const(((SdbPlanProject *)plan)->exprs[0], 5);
    plan = project(one_row(), 1, 1, bound("CASE WHEN false THEN 1/0 END"));
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    CU_ASSERT(((SdbBoundConst *)((SdbPlanProject *)plan)->exprs[0])->isnull);
    /* maybe evaluated: left for execution */
    SdbBoundCaseExpr *c = (SdbBoundCaseExpr *)bound("CASE WHEN true THEN 1 ELSE 1/0 END");
    c->conds[0] = op(">", var(2, 0), cint(0, INT4));
    plan = project(scan(100, 2), 1, 1, &c->expr);
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    CU_ASSERT_EQUAL(((SdbPlanProject *)plan)->exprs[0]->tag, SDB_E_CASE_EXPR);
    CU_ASSERT_EQUAL(c->defresult->tag, SDB_E_OP_EXPR);
    /* AND/OR as PostgreSQL: an absorbing constant first hides the error */
    plan = project(one_row(), 1, 1, bound("false AND 1/0 = 1"));
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    the_const(((SdbPlanProject *)plan)->exprs[0], 0);
    SdbBoundBoolExpr *and = (SdbBoundBoolExpr *)bound("true AND 1/0 = 1");
    and->args[0] = op(">", var(2, 0), cint(0, INT4));
    plan = filter(scan(100, 2), 1, &and->expr);
    CU_ASSERT_EQUAL(optimize(&plan), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DIVISION_BY_ZERO);
    SdbBoundCoalesceExpr *co = (SdbBoundCoalesceExpr *)bound("COALESCE(1, 1/0)");
    co->args[0] = var(2, 0);
    plan = project(scan(100, 2), 1, 1, &co->expr);
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    CU_ASSERT_EQUAL(co->args[1]->tag, SDB_E_OP_EXPR);
}

static void test_bool_simplification(void)
{
    SdbExpr *x = op(">", var(2, 0), cint(1, INT4));
    SdbPlan *plan = filter(scan(100, 2), 1, boolexpr(SDB_EXPR_BOOL_OP_AND, 2, x, cbool(true, false)));
    CHECK(&plan, "Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=seq");
    CU_ASSERT(((SdbPlanScan *)plan)->filters[0] == x);
    /* OR with true: no condition left */
    plan = filter(scan(100, 2), 1, boolexpr(SDB_EXPR_BOOL_OP_OR, 2, x, cbool(true, false)));
    CHECK(&plan, "Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=0");
    /* NOT NULL is NULL: no rows */
    plan = filter(scan(100, 2), 1, boolexpr(SDB_EXPR_BOOL_OP_NOT, 1, cbool(false, true)));
    CHECK(&plan, "Values [2.0:23 2.1:23 2.2:23] table=2 nrows=0");
    /* a false condition empties the join and the Project above it too */
    plan = project(join(SDB_JOIN_KIND_INNER, filter(scan(100, 2), 1, cbool(false, false)), scan(200, 3), 0), 1, 1,
                   var(3, 1));
    CU_ASSERT_STRING_EQUAL(CHECK(&plan, "Values"), "Values [1.0:23] table=1 nrows=0\n");
}

/* --- 2. pushdown, 3. outer joins --- */

static void test_pushdown_into_join(void)
{
    SdbExpr *eq = op("=", var(2, 0), var(3, 0));
    SdbPlan *plan = filter(join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(200, 3), 0), 3, eq,
                           op(">", var(2, 1), cint(1, INT4)), op("<", var(3, 1), cint(2, INT4)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=inner nconds=0 strategy=hash nkeys=1\n",
          "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=seq",
          "  Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=1 access=seq");
    SdbPlanJoin *j = (SdbPlanJoin *)plan;
    CU_ASSERT(j->left_keys[0] == ((SdbBoundOpExpr *)eq)->args[0] &&
              j->right_keys[0] == ((SdbBoundOpExpr *)eq)->args[1]);
    CU_ASSERT(j->plan.rows > 0 && j->plan.cost > 0 && j->left->rows > 0);
    /* int4 = int8: hash keys both int8 */
    SdbExpr *wide = var(3, 0);
    wide->type = INT8;
    plan = project(join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(300, 3), 1, op("=", var(2, 0), wide)), 1, 1, var(2, 1));
    CHECK(&plan, "kind=inner nconds=0 strategy=hash nkeys=1");
    j = (SdbPlanJoin *)((SdbPlanProject *)plan)->child;
    CU_ASSERT(j->left_keys[0]->type == INT8 && j->right_keys[0]->type == INT8);
    CU_ASSERT(j->left_keys[0]->tag == SDB_E_FUNC_EXPR || j->right_keys[0]->tag == SDB_E_FUNC_EXPR);
    /* the larger input goes left (the executor hashes the right one), under a Project */
    plan = project(join(SDB_JOIN_KIND_LEFT, filter(scan(100, 2), 1, op("=", var(2, 1), cint(1, INT4))), scan(200, 3), 1,
                        op("=", var(2, 0), var(3, 0))),
                   1, 1, var(3, 2));
    CHECK(&plan,
          "  Join [3.0:23 3.2:23 2.0:23 2.1:23] kind=right nconds=0 strategy=hash nkeys=1\n    Scan [3.0:23 "
          "3.2:23] rel_oid=200",
          "    Scan [2.0:23 2.1:23] rel_oid=100 table=2 nfilters=1");
    j = (SdbPlanJoin *)((SdbPlanProject *)plan)->child;
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->left_keys[0])->table, 3);
    /* but not where the join's columns are the result */
    plan = join(SDB_JOIN_KIND_INNER, filter(scan(100, 2), 1, op("=", var(2, 1), cint(1, INT4))), scan(200, 3), 1,
                op("=", var(2, 0), var(3, 0)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=inner");
    /* b.x = a.x AND b.x = 5: a.x = 5 too, and a's index serves it */
    plan = filter(join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(200, 3), 1, op("=", var(3, 0), var(2, 0))), 1,
                  op("=", var(3, 0), cint(5, INT4)));
    CHECK(&plan, "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=0 access=index index_oid=101 neq=1",
          "  Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=1 access=seq");
}

static void test_join_order(void)
{
    /* FROM a, d, b WHERE a.x = b.x AND b.y = d.y: never a x d */
    SdbPlan *plan = project(
        filter(join(SDB_JOIN_KIND_INNER, join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(400, 3), 0), scan(200, 4), 0), 2,
               op("=", var(2, 0), var(4, 0)), op("=", var(4, 1), var(3, 1))),
        1, 1, var(3, 2));
    const char *text = CHECK(&plan, "Project");
    CU_ASSERT_PTR_NULL(strstr(text, "nconds=0 strategy=nested_loop"));
    SdbPlanJoin *top = (SdbPlanJoin *)((SdbPlanProject *)plan)->child, *below = (SdbPlanJoin *)top->left;
    CU_ASSERT(top->plan.tag == SDB_P_JOIN && below->plan.tag == SDB_P_JOIN);
    CU_ASSERT(top->nkeys == 1 && below->nkeys == 1);
    /* the statement's own columns: order kept */
    plan = filter(join(SDB_JOIN_KIND_INNER, join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(400, 3), 0), scan(200, 4), 0),
                  2, op("=", var(2, 0), var(4, 0)), op("=", var(4, 1), var(3, 1)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23 4.0:23 4.1:23 4.2:23] kind=inner nconds=0 "
                 "strategy=hash nkeys=2\n  Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=inner nconds=0 "
                 "strategy=nested_loop");
}

static void test_index_nested_loop(void)
{
    /* one row of b looked up in b's unique index (y, z); b3.z = b2.z = 2 also filters b3 */
    SdbPlan *plan = filter(join(SDB_JOIN_KIND_INNER, scan(200, 2), scan(200, 3), 0), 5,
                           op("=", var(2, 1), cint(1, INT4)), op("=", var(2, 2), cint(2, INT4)),
                           op("=", var(2, 0), var(3, 1)), op("=", var(3, 2), var(2, 2)), op("<", var(2, 1), var(3, 0)));
    CHECK(&plan,
          "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=inner nconds=1 strategy=index_nested_loop nkeys=0\n",
          "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=200 table=2 nfilters=0 access=index index_oid=201 neq=2",
          "  Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=1 access=index index_oid=201 neq=2");
    SdbPlanScan *inner = (SdbPlanScan *)((SdbPlanJoin *)plan)->right;
    CU_ASSERT_EQUAL(((SdbBoundVar *)inner->index_eq[0])->table, 2);
    CU_ASSERT_EQUAL(((SdbBoundVar *)inner->index_eq[0])->column, 0);
    CU_ASSERT_EQUAL(((SdbBoundVar *)inner->index_eq[1])->column, 2);
    CU_ASSERT(plan->cost > 0 && plan->cost < inner->plan.cost * 10);
    /* LATERAL: the right side reads the left row, a nested loop whatever the keys */
    SdbPlan *lateral = project(scan(100, 3), 4, 1, op("+", var(3, 0), var(2, 1)));
    plan = join(SDB_JOIN_KIND_INNER, scan(100, 2), lateral, 1, op("=", var(2, 0), var(4, 0)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 4.0:23] kind=inner nconds=1 strategy=nested_loop nkeys=0\n");
}

static void test_pushdown_outer_join(void)
{
    /* a qual above on the preserved side goes down; one on the nullable
     * side that accepts NULLs stays; a join condition on the nullable side
     * goes into it, one on the preserved side stays */
    SdbPlan *plan = filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 3, op("=", var(2, 0), var(3, 0)),
                                op("=", var(3, 1), cint(3, INT4)), op("=", var(2, 1), cint(4, INT4))),
                           2, is_null(var(3, 2)), op(">", var(2, 2), cint(1, INT4)));
    CHECK(&plan, "Filter [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] nquals=1\n",
          "  Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=left nconds=1 strategy=hash nkeys=1\n",
          "    Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1",
          "    Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=0 access=index index_oid=201 neq=1");
}

static void test_outer_join_reduction(void)
{
    /* b.y > 1 above rejects b's NULL padding: inner join */
    SdbPlan *plan = filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                           op(">", var(3, 1), cint(1, INT4)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=inner nconds=0 strategy=hash nkeys=1\n",
          "  Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=1");
    /* FULL with a strict qual on a: LEFT; the qual goes into a */
    plan = filter(join(SDB_JOIN_KIND_FULL, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                  op(">", var(2, 1), cint(1, INT4)));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=left nconds=0 strategy=hash nkeys=1\n",
          "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1");
    /* an inner join's strict condition above: a JOIN (b LEFT JOIN c ON b.x = c.x) ON a.y = c.y */
    plan = project(join(SDB_JOIN_KIND_INNER, scan(100, 2),
                        join(SDB_JOIN_KIND_LEFT, scan(200, 3), scan(300, 4), 1, op("=", var(3, 0), var(4, 1))), 1,
                        op("=", var(2, 1), var(4, 2))),
                   1, 1, var(3, 2));
    CHECK(&plan, "kind=inner");
    CU_ASSERT_PTR_NULL(strstr(outline(plan), "kind=left"));
    CU_ASSERT_PTR_NULL(strstr(outline(plan), "kind=right"));
    /* a condition under OR does not reduce */
    plan =
        filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
               boolexpr(SDB_EXPR_BOOL_OP_OR, 2, op(">", var(3, 1), cint(1, INT4)), op(">", var(2, 1), cint(1, INT4))));
    CHECK(&plan, "kind=left");
    /* LEFT JOIN ... WHERE b.x IS NULL, b not read elsewhere: anti join */
    plan = project(filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                          is_null(var(3, 0))),
                   1, 1, var(2, 1));
    CHECK(&plan, "Project [1.0:23] table=1 nexprs=1\n  Join [2.0:23 2.1:23] kind=anti nconds=0 strategy=hash nkeys=1\n");
    /* from a RIGHT join too */
    plan = project(filter(join(SDB_JOIN_KIND_RIGHT, scan(200, 3), scan(100, 2), 1, op("=", var(2, 0), var(3, 0))), 1,
                          is_null(var(3, 0))),
                   1, 1, var(2, 1));
    CHECK(&plan, "Project [1.0:23] table=1 nexprs=1\n  Join [2.0:23 2.1:23] kind=anti nconds=0 strategy=hash nkeys=1\n");
    /* b.z read above, or b.y not in the join condition: stays */
    plan = project(filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                          is_null(var(3, 0))),
                   1, 1, var(3, 2));
    CHECK(&plan, "kind=left");
    plan = project(filter(join(SDB_JOIN_KIND_LEFT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                          is_null(var(3, 1))),
                   1, 1, var(2, 1));
    CHECK(&plan, "kind=left");
    /* IS NULL keeps the outer join */
    plan = filter(join(SDB_JOIN_KIND_RIGHT, scan(100, 2), scan(200, 3), 1, op("=", var(2, 0), var(3, 0))), 1,
                  is_null(var(2, 1)));
    CHECK(&plan, "Filter [", "  Join [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] kind=right");
}

static void test_pushdown_barriers(void)
{
    /* through the Aggregate on its group column, not on its aggregate */
    SdbPlanAggregate *agg = sdb_new_plan_aggregate(arena);
    agg->child = scan(100, 2);
    agg->group_table = 4;
    agg->agg_table = 5;
    agg->groups = (SdbExpr *[]){var(2, 0)};
    agg->ngroups = 1;
    agg->plan.ncols = 2;
    agg->plan.cols = (SdbPlanColumn[]){{4, 0, INT4, -1, "x"}, {5, 0, INT8, -1, "count"}};
    SdbPlan *plan = filter(&agg->plan, 2, op(">", var(4, 0), cint(1, INT4)), op(">", var(5, 0), cint(1, INT8)));
    CHECK(&plan, "Filter [4.0:23 5.0:20] nquals=1\n",
          "  Aggregate [4.0:23 5.0:20] group_table=4 ngroups=1 agg_table=5 naggs=0 nsets=0 nhaving=0 strategy=hash\n",
          "    Scan [2.0:23] rel_oid=100 table=2 nfilters=1");
    SdbExpr *pushed = ((SdbPlanScan *)agg->child)->filters[0];
    CU_ASSERT(((SdbBoundVar *)((SdbBoundOpExpr *)pushed)->args[0])->table == 2);
    /* not below a Limit */
    SdbPlanLimit *limit = sdb_new_plan_limit(arena);
    limit->child = scan(100, 2);
    limit->limit = cint(3, INT8);
    pass_header(&limit->plan, limit->child, NULL);
    plan = filter(&limit->plan, 1, op(">", var(2, 0), cint(1, INT4)));
    CHECK(&plan, "Filter [2.0:23 2.1:23 2.2:23] nquals=1\n  Limit",
          "    Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=0");
    /* through a Project by substitution */
    plan = filter(project(scan(100, 2), 6, 1, op("+", var(2, 1), cint(1, INT4))), 1, op(">", var(6, 0), cint(5, INT4)));
    CHECK(&plan, "Project [6.0:23] table=6 nexprs=1\n  Scan [2.1:23] rel_oid=100 table=2 nfilters=1");
    /* into both inputs of a UNION ALL */
    SdbPlanSetOp *u = sdb_new_plan_set_op(arena);
    u->left = project(scan(100, 2), 7, 1, var(2, 1));
    u->right = project(scan(200, 3), 8, 1, var(3, 2));
    u->all = true;
    u->table = 9;
    header(&u->plan, 9, 1);
    plan = filter(&u->plan, 1, op(">", var(9, 0), cint(1, INT4)));
    CHECK(&plan,
          "SetOp [9.0:23] op=union all=true table=9\n  Project [7.0:23] table=7 nexprs=1\n"
          "    Scan [2.1:23] rel_oid=100 table=2 nfilters=1",
          "    Scan [3.2:23] rel_oid=200 table=3 nfilters=1");
    /* aggregate strategy without GROUP BY */
    agg = sdb_new_plan_aggregate(arena);
    agg->child = scan(100, 2);
    agg->group_table = 4;
    agg->agg_table = 5;
    plan = &agg->plan;
    CHECK(&plan, "Aggregate group_table=4 ngroups=0 agg_table=5 naggs=0 nsets=0 nhaving=0 strategy=plain\n",
          "  Scan rel_oid=100 table=2 nfilters=0");
}

static const SdbOid int4_arg[] = {INT4};
static const SdbFuncInfo volatile_func = {.oid = 9999,
                                          .name = "test_volatile",
                                          .nargs = 1,
                                          .argtypes = int4_arg,
                                          .rettype = INT4,
                                          .volatility = SDB_VOLATILITY_VOLATILE};

static void test_volatile_stays(void)
{
    SdbBoundFuncExpr *f = sdb_new_bound_func_expr(arena, INT4);
    f->func = &volatile_func;
    f->args = (SdbExpr *[]){var(2, 0)};
    f->nargs = 1;
    SdbPlan *plan = filter(join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(200, 3), 0), 2,
                           op(">", &f->expr, cint(1, INT4)), op("=", var(3, 2), cint(1, INT4)));
    CHECK(&plan, "Filter [2.0:23 2.1:23 2.2:23 3.0:23 3.1:23 3.2:23] nquals=1\n  Join",
          "    Scan [3.0:23 3.1:23 3.2:23] rel_oid=200 table=3 nfilters=1");
}

static void test_having_and_window(void)
{
    /* HAVING on a group column becomes a condition of the input */
    SdbPlanAggregate *agg = sdb_new_plan_aggregate(arena);
    agg->child = scan(100, 2);
    agg->group_table = 4;
    agg->agg_table = 5;
    agg->groups = (SdbExpr *[]){var(2, 1)};
    agg->ngroups = 1;
    agg->having = (SdbExpr *[]){op("<", var(4, 0), cint(9, INT4))};
    agg->nhaving = 1;
    header(&agg->plan, 4, 1);
    SdbPlan *plan = &agg->plan;
    CHECK(&plan, "Aggregate [4.0:23] group_table=4 ngroups=1 agg_table=5 naggs=0 nsets=0 nhaving=0 strategy=hash\n",
          "  Scan [2.1:23] rel_oid=100 table=2 nfilters=1");
    /* below a Window only on its partition keys */
    SdbPlanWindow *w = sdb_new_plan_window(arena);
    w->child = scan(100, 2);
    w->table = 6;
    w->plan.ncols = 4;
    w->plan.cols = (SdbPlanColumn[]){
        {2, 0, INT4, -1, "x"}, {2, 1, INT4, -1, "y"}, {2, 2, INT4, -1, "z"}, {6, 0, INT8, -1, "row_number"}};
    SdbBoundWindowFunc *f = sdb_new_bound_window_func(arena, INT8);
    f->partition = (SdbExpr *[]){var(2, 1)};
    f->npartition = 1;
    w->funcs = (SdbExpr *[]){&f->expr};
    w->nfuncs = 1;
    plan = project(filter(&w->plan, 2, op(">", var(2, 0), cint(1, INT4)), op("<", var(2, 1), cint(3, INT4))), 1, 1,
                   var(6, 0));
    CHECK(&plan, "  Filter [2.0:23 2.1:23 6.0:20] nquals=1\n    Window [2.0:23 2.1:23 6.0:20] table=6 nfuncs=1\n",
          "      Scan [2.0:23 2.1:23] rel_oid=100 table=2 nfilters=1");
}

static void test_nested_queries(void)
{
    /* a SubPlan's plan and a CTE's are optimized as queries of their own */
    SdbPlan *sub = project(filter(scan(200, 3), 1, op("=", var(3, 1), cint(1, INT4))), 4, 1, var(3, 0));
    SdbExpr *sp = subplan(SDB_SUB_PLAN_KIND_EXPR, sub, NULL);
    sp->type = INT4;
    SdbPlan *plan = project(scan(100, 2), 1, 1, sp);
    CU_ASSERT_FATAL(optimize(&plan) == SDB_OK);
    SdbPlan *sub_plan = ((SdbBoundSubPlan *)sp)->plan;
    CU_ASSERT_STRING_EQUAL(outline(sub_plan), "Project [4.0:23] table=4 nexprs=1\n"
                                              "  Scan [3.0:23] rel_oid=200 table=3 nfilters=0 access=index "
                                              "index_oid=201 neq=1 lower=- lower_inclusive=false upper=- "
                                              "upper_inclusive=false backward=false\n");
    CU_ASSERT(sub_plan->rows > 0);
    /* one CTE read twice: its plan is done once; both scans see its new root */
    SdbPlan *cte = filter(project(scan(100, 3), 4, 1, var(3, 1)), 1, op("=", var(4, 0), cint(1, INT4)));
    SdbPlanCteScan *c1 = sdb_new_plan_cte_scan(arena), *c2 = sdb_new_plan_cte_scan(arena);
    c1->cte = c2->cte = cte;
    c1->table = 5;
    c2->table = 6;
    header(&c1->plan, 5, 1);
    header(&c2->plan, 6, 1);
    plan = filter(join(SDB_JOIN_KIND_INNER, &c1->plan, &c2->plan, 0), 1, op("=", var(5, 0), var(6, 0)));
    CHECK(&plan,
          "Join [5.0:23 6.0:23] kind=inner nconds=0 strategy=hash nkeys=1\n  CteScan [5.0:23] cte_id=0 table=5\n",
          "    Project [4.0:23] table=4 nexprs=1\n      Scan [3.1:23] rel_oid=100 table=3 nfilters=1 access=seq");
    CU_ASSERT(c1->cte == c2->cte && c1->cte->tag == SDB_P_PROJECT);
    /* UPDATE's target keeps its columns */
    SdbPlanUpdate *u = sdb_new_plan_update(arena);
    u->child = filter(scan(100, 2), 1, op("=", var(2, 1), cint(1, INT4)));
    u->rel_oid = 100;
    u->table = 2;
    plan = &u->plan;
    CHECK(&plan, "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=seq");
}

/* --- 4. projection pushdown --- */

static void test_projection_pushdown(void)
{
    SdbPlan *plan =
        project(filter(join(SDB_JOIN_KIND_INNER, scan(100, 2), scan(200, 3), 0), 1, op("=", var(2, 0), var(3, 0))), 1,
                1, var(3, 2));
    CHECK(&plan, "Project [1.0:23] table=1 nexprs=1\n  Join [2.0:23 3.0:23 3.2:23] kind=inner",
          "    Scan [2.0:23] rel_oid=100", "    Scan [3.0:23 3.2:23] rel_oid=200");
}

/* --- 5. decorrelation --- */

static void test_exists_to_semi_join(void)
{
    /* WHERE EXISTS (SELECT 1 FROM b WHERE b.x = a.x AND b.z > 0) */
    SdbPlan *sub =
        project(filter(scan(200, 3), 2, op("=", var(3, 0), outer_var(2, 0)), op(">", var(3, 2), cint(0, INT4))), 4, 1,
                cint(1, INT4));
    SdbPlan *plan = project(filter(scan(100, 2), 1, subplan(SDB_SUB_PLAN_KIND_EXISTS, sub, NULL)), 1, 1, var(2, 1));
    CHECK(&plan, "Project [1.0:23] table=1 nexprs=1\n  Join [2.0:23 2.1:23] kind=semi nconds=0 strategy=hash nkeys=1\n",
          "    Scan [2.0:23 2.1:23] rel_oid=100 table=2 nfilters=0",
          "    Scan [3.0:23 3.2:23] rel_oid=200 table=3 nfilters=1");
    SdbPlanJoin *j = (SdbPlanJoin *)((SdbPlanProject *)plan)->child;
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->left_keys[0])->levelsup, 0);
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->left_keys[0])->table, 2);
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->right_keys[0])->table, 3);
    /* NOT EXISTS, inside an AND: anti join */
    sub = project(filter(scan(200, 3), 1, op("=", var(3, 0), outer_var(2, 0))), 4, 1, cint(1, INT4));
    plan = filter(scan(100, 2), 1,
                  boolexpr(SDB_EXPR_BOOL_OP_AND, 2, op(">", var(2, 1), cint(1, INT4)),
                           boolexpr(SDB_EXPR_BOOL_OP_NOT, 1, subplan(SDB_SUB_PLAN_KIND_EXISTS, sub, NULL))));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23] kind=anti nconds=0 strategy=hash nkeys=1\n",
          "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1");
    /* EXISTS (SELECT 1 FROM b JOIN c ON b.y = c.y WHERE b.x = a.x LIMIT 1) */
    SdbPlan *inner = filter(join(SDB_JOIN_KIND_INNER, scan(200, 3), scan(100, 5), 1, op("=", var(3, 1), var(5, 1))), 1,
                            op("=", var(3, 0), outer_var(2, 0)));
    SdbPlanLimit *lim = sdb_new_plan_limit(arena);
    lim->child = project(inner, 4, 1, cint(1, INT4));
    lim->limit = cint(1, INT8);
    pass_header(&lim->plan, lim->child, NULL);
    plan = filter(scan(100, 2), 1, subplan(SDB_SUB_PLAN_KIND_EXISTS, &lim->plan, NULL));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23] kind=semi nconds=0 strategy=hash nkeys=1\n",
          "  Join [3.0:23 3.1:23 5.1:23] kind=inner nconds=0 strategy=hash nkeys=1\n");
    /* under OR: stays a SubPlan */
    sub = project(filter(scan(200, 3), 1, op("=", var(3, 0), outer_var(2, 0))), 4, 1, cint(1, INT4));
    plan = filter(scan(100, 2), 1,
                  boolexpr(SDB_EXPR_BOOL_OP_OR, 2, subplan(SDB_SUB_PLAN_KIND_EXISTS, sub, NULL),
                           op(">", var(2, 1), cint(1, INT4))));
    CHECK(&plan, "Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=seq");
    /* an outer reference in the select list of an aggregate: stays a SubPlan */
    sub = project(filter(scan(200, 3), 1, op("=", var(3, 0), outer_var(2, 0))), 4, 1, outer_var(2, 1));
    SdbPlanAggregate *agg = sdb_new_plan_aggregate(arena);
    agg->child = sub;
    agg->group_table = 7;
    agg->agg_table = 8;
    plan = filter(scan(100, 2), 1, subplan(SDB_SUB_PLAN_KIND_EXISTS, &agg->plan, NULL));
    CHECK(&plan, "Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1");
}

static void test_in_to_semi_join(void)
{
    /* WHERE a.y IN (SELECT b.y FROM b) */
    SdbPlan *sub = project(scan(200, 3), 4, 1, var(3, 1));
    SdbPlan *plan = filter(scan(100, 2), 1, subplan(SDB_SUB_PLAN_KIND_ANY, sub, op("=", var(2, 1), var(4, 0))));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23] kind=semi nconds=0 strategy=hash nkeys=1\n",
          "  Scan [3.1:23] rel_oid=200");
    SdbPlanJoin *j = (SdbPlanJoin *)plan;
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->right_keys[0])->table, 3);
    CU_ASSERT_EQUAL(((SdbBoundVar *)j->right_keys[0])->column, 1);
    /* correlated: a.y IN (SELECT b.y FROM b WHERE b.z = a.z) */
    sub = project(filter(scan(200, 3), 1, op("=", var(3, 2), outer_var(2, 2))), 4, 1, var(3, 1));
    plan = filter(scan(100, 2), 1, subplan(SDB_SUB_PLAN_KIND_ANY, sub, op("=", var(2, 1), var(4, 0))));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23] kind=semi nconds=0 strategy=hash nkeys=2\n",
          "  Scan [3.1:23 3.2:23] rel_oid=200 table=3 nfilters=0");
    /* NOT IN over nullable a.y: stays */
    sub = project(scan(200, 3), 4, 1, var(3, 1));
    plan =
        filter(scan(100, 2), 1,
               boolexpr(SDB_EXPR_BOOL_OP_NOT, 1, subplan(SDB_SUB_PLAN_KIND_ANY, sub, op("=", var(2, 1), var(4, 0)))));
    CHECK(&plan, "Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1");
    /* NOT IN between NOT NULL columns: anti join (b.x NOT IN (SELECT b2.y FROM b b2)) */
    sub = project(scan(200, 3), 4, 1, var(3, 1));
    plan =
        filter(scan(200, 2), 1,
               boolexpr(SDB_EXPR_BOOL_OP_NOT, 1, subplan(SDB_SUB_PLAN_KIND_ANY, sub, op("=", var(2, 0), var(4, 0)))));
    CHECK(&plan, "Join [2.0:23 2.1:23 2.2:23] kind=anti nconds=0 strategy=hash nkeys=1\n");
}

/* --- 7. index selection --- */

static SdbPlanScan *scan_of(SdbPlan *plan)
{
    while (plan->tag != SDB_P_SCAN)
        plan = *sdb_plan_child(plan, 0);
    return (SdbPlanScan *)plan;
}

static void test_index_selection(void)
{
    /* a.x = 5: index, the filter consumed */
    SdbPlan *plan = project(
        filter(scan(100, 2), 2, op("=", cint(5, INT4), var(2, 0)), op(">", var(2, 1), cint(0, INT4))), 1, 1, var(2, 2));
    CHECK(&plan, "Scan [2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=index index_oid=101 neq=1");
    the_const(scan_of(plan)->index_eq[0], 5);
    /* a range on x, only x read: index only */
    plan = project(filter(scan(100, 2), 2, op(">", var(2, 0), cint(1, INT4)), op("<=", var(2, 0), cint(10, INT4))), 1,
                   1, var(2, 0));
    CHECK(&plan, "Scan [2.0:23] rel_oid=100 table=2 nfilters=0 access=index_only index_oid=101 neq=0 lower=Const "
                 "lower_inclusive=false upper=Const upper_inclusive=true");
    /* x = (SELECT b.x FROM b WHERE b.y = 1): an uncorrelated SubPlan is a value */
    SdbExpr *sp = subplan(SDB_SUB_PLAN_KIND_EXPR,
                          project(filter(scan(200, 3), 1, op("=", var(3, 1), cint(1, INT4))), 4, 1, var(3, 0)), NULL);
    sp->type = INT4;
    ((SdbBoundSubPlan *)sp)->correlated = false;
    plan = project(filter(scan(100, 2), 1, op("=", var(2, 0), sp)), 1, 1, var(2, 2));
    CHECK(&plan, "  Scan [2.2:23] rel_oid=100 table=2 nfilters=0 access=index index_oid=101 neq=1");
    CU_ASSERT(scan_of(plan)->index_eq[0] == sp);
    /* a correlated one is not */
    sp = subplan(SDB_SUB_PLAN_KIND_EXPR,
                 project(filter(scan(200, 3), 1, op("=", var(3, 1), outer_var(2, 1))), 4, 1, var(3, 0)), NULL);
    sp->type = INT4;
    plan = project(filter(scan(100, 2), 1, op("=", var(2, 0), sp)), 1, 1, var(2, 2));
    CHECK(&plan, "  Scan [2.0:23 2.1:23 2.2:23] rel_oid=100 table=2 nfilters=1 access=seq");
    /* no usable filter: sequential */
    plan = filter(scan(100, 2), 1, op("=", var(2, 1), cint(1, INT4)));
    CHECK(&plan, "access=seq index_oid=0");
    /* b(y, z) unique: y = 1 AND z = 2 */
    plan = filter(scan(200, 2), 2, op("=", var(2, 2), cint(2, INT4)), op("=", var(2, 1), cint(1, INT4)));
    CHECK(&plan, "nfilters=0 access=index index_oid=201 neq=2");
    SdbPlanScan *s = scan_of(plan);
    the_const(s->index_eq[0], 1);
    the_const(s->index_eq[1], 2);
    CU_ASSERT(s->plan.rows >= 1 && s->plan.rows < 2);
    /* int8 column against an int4 constant: converted */
    plan = filter(scan(300, 2), 1, op("=", var(2, 1), cint(1, INT4)));
    ((SdbBoundVar *)((SdbBoundOpExpr *)((SdbPlanFilter *)plan)->quals[0])->args[0])->expr.type = INT8;
    ((SdbPlanFilter *)plan)->quals[0] =
        op("=", ((SdbBoundOpExpr *)((SdbPlanFilter *)plan)->quals[0])->args[0], cint(7, INT4));
    ((SdbBoundVar *)((SdbBoundOpExpr *)((SdbPlanFilter *)plan)->quals[0])->args[0])->column = 0;
    plan = project(plan, 1, 1, var(2, 0));
    CHECK(&plan, "access=index_only index_oid=301 neq=1");
    CU_ASSERT_EQUAL(scan_of(plan)->index_eq[0]->type, INT8);
}

static SdbPlan *sort(SdbPlan *child, SdbExpr *key, int flags)
{
    SdbPlanSort *s = sdb_new_plan_sort(arena);
    s->child = child;
    s->keys = (SdbExpr **)sdb_arena_alloc(arena, sizeof(SdbExpr *));
    s->keys[0] = key;
    s->flags = (int *)sdb_arena_alloc(arena, sizeof(int));
    s->flags[0] = flags;
    s->nkeys = 1;
    pass_header(&s->plan, child, NULL);
    return &s->plan;
}

static SdbPlan *limit(SdbPlan *child, int64_t n, bool with_ties)
{
    SdbPlanLimit *l = sdb_new_plan_limit(arena);
    l->child = child;
    l->limit = cint(n, INT8);
    l->with_ties = with_ties;
    pass_header(&l->plan, child, NULL);
    return &l->plan;
}

static const char *text_of(const SdbExpr *e)
{
    const SdbVarlena *v = sdb_datum_varlena(((const SdbBoundConst *)e)->value);
    return sdb_arena_strndup(arena, (const char *)v->data, v->len);
}

static void test_like_prefix(void)
{
    SdbExpr *name = var(2, 0);
    name->type = SDB_TYPEOID_TEXT;
    SdbPlan *plan = project(filter(scan(400, 2), 1, op("~~", name, bound("'ab\\%c_d%'"))), 1, 1, var(2, 1));
    CHECK(&plan, "  Scan [2.0:23 2.1:23] rel_oid=400 table=2 nfilters=1 access=index index_oid=401 neq=0 lower=Const "
                 "lower_inclusive=true upper=Const upper_inclusive=false");
    CU_ASSERT_STRING_EQUAL(text_of(scan_of(plan)->lower), "ab%c");
    CU_ASSERT_STRING_EQUAL(text_of(scan_of(plan)->upper), "ab%d");
    /* a leading wildcard: no range */
    plan = project(filter(scan(400, 2), 1, op("~~", name, bound("'%ab'"))), 1, 1, var(2, 1));
    CHECK(&plan, "access=seq");
}

static void test_sort_elimination(void)
{
    /* ORDER BY x over an index range on x */
    SdbPlan *plan =
        project(sort(filter(scan(100, 2), 2, op(">", var(2, 0), cint(5, INT4)), op("<", var(2, 0), cint(9, INT4))),
                     var(2, 0), 0),
                1, 1, var(2, 1));
    CU_ASSERT_STRING_EQUAL(CHECK(&plan, "Project"), "Project [1.0:23] table=1 nexprs=1\n"
                                                    "  Scan [2.1:23] rel_oid=100 table=2 nfilters=0 access=index "
                                                    "index_oid=101 neq=0 lower=Const lower_inclusive=false upper=Const "
                                                    "upper_inclusive=false backward=false\n");
    /* b(y, z): WHERE y = 1 ORDER BY z DESC NULLS FIRST reads it backward, through a Project */
    plan = sort(project(filter(scan(200, 2), 1, op("=", var(2, 1), cint(1, INT4))), 6, 1, var(2, 2)), var(6, 0),
                SDB_SORT_DESC | SDB_SORT_NULLS_FIRST);
    CHECK(&plan,
          "Project [6.0:23] table=6 nexprs=1\n  Scan [2.2:23] rel_oid=200 table=2 nfilters=0 access=index_only "
          "index_oid=201 neq=1",
          "backward=true");
    /* DESC alone is NULLS FIRST: backward too; DESC NULLS LAST is neither direction */
    plan = sort(project(filter(scan(200, 2), 1, op("=", var(2, 1), cint(1, INT4))), 6, 1, var(2, 2)), var(6, 0),
                SDB_SORT_DESC);
    CHECK(&plan, "Project [6.0:23] table=6 nexprs=1\n", "backward=true");
    plan = sort(project(filter(scan(200, 2), 1, op("=", var(2, 1), cint(1, INT4))), 6, 1, var(2, 2)), var(6, 0),
                SDB_SORT_DESC | SDB_SORT_NULLS_LAST);
    CHECK(&plan, "Sort [6.0:23] nkeys=1\n");
    /* top-N by index under LIMIT */
    plan = project(limit(sort(scan(100, 2), var(2, 0), 0), 5, false), 1, 1, var(2, 1));
    CHECK(&plan, "  Limit [2.1:23] limit=Const offset=- with_ties=false\n    Scan [2.1:23] rel_oid=100 "
                 "table=2 nfilters=0 access=index index_oid=101 neq=0");
    /* WITH TIES needs its Sort; no index on y */
    plan = project(limit(sort(scan(100, 2), var(2, 0), 0), 5, true), 1, 1, var(2, 1));
    CHECK(&plan,
          "    Sort [2.0:23 2.1:23] nkeys=1\n      Scan [2.0:23 2.1:23] rel_oid=100 table=2 nfilters=0 access=seq");
    plan = project(limit(sort(scan(100, 2), var(2, 1), 0), 5, false), 1, 1, var(2, 1));
    CHECK(&plan, "    Sort [2.1:23] nkeys=1\n      Scan [2.1:23] rel_oid=100 table=2 nfilters=0 access=seq");
}

static CU_TestInfo tests[] = {
    {"fold constants", test_fold_constants},
    {"folding errors only where always evaluated", test_fold_errors},
    {"AND/OR/NOT simplification, empty results", test_bool_simplification},
    {"pushdown into a cross join", test_pushdown_into_join},
    {"join order", test_join_order},
    {"index nested loop", test_index_nested_loop},
    {"pushdown around an outer join", test_pushdown_outer_join},
    {"outer-join simplification", test_outer_join_reduction},
    {"pushdown through Aggregate/Project, not Limit", test_pushdown_barriers},
    {"volatile conditions stay", test_volatile_stays},
    {"HAVING pushdown, Window barrier", test_having_and_window},
    {"SubPlans, CTEs, UPDATE targets", test_nested_queries},
    {"projection pushdown", test_projection_pushdown},
    {"EXISTS to semi/anti join", test_exists_to_semi_join},
    {"IN / NOT IN to semi/anti join", test_in_to_semi_join},
    {"index selection", test_index_selection},
    {"LIKE 'prefix%' as an index range", test_like_prefix},
    {"sort elimination, top-N by index", test_sort_elimination},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"optimize", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return sdb_test_run(suites); }
