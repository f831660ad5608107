/*
 * sql/analyze_walk.c: generic handling of bound expressions for the
 * analyzer: each node's child slots, structural equality (GROUP BY and
 * ORDER BY matching), deep copies, and a slot-replacing mutator (how
 * grouped expressions, aggregates and window functions become Vars of
 * the operators that compute them).
 */
#include "sql/analyze_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "types/typeio.h"

typedef void (*SlotFn)(void *arg, SdbExpr **slot);

static void each(SdbExpr **slots, int n, SlotFn fn, void *arg)
{
    for (int i = 0; i < n; i++)
        fn(arg, &slots[i]);
}

/* Call fn on every child slot of `e` (NULL ones included, so that two
 * nodes of one shape give the same sequence). */
static void for_each_child(SdbExpr *e, SlotFn fn, void *arg)
{
    switch (e->tag) {
    case SDB_E_AGGREF: {
        SdbBoundAggref *a = (SdbBoundAggref *)e;
        each(a->args, a->nargs, fn, arg);
        fn(arg, &a->filter);
        each(a->order, a->norder, fn, arg);
        break;
    }
    case SDB_E_WINDOW_FUNC: {
        SdbBoundWindowFunc *w = (SdbBoundWindowFunc *)e;
        each(w->args, w->nargs, fn, arg);
        fn(arg, &w->filter);
        each(w->partition, w->npartition, fn, arg);
        each(w->order, w->norder, fn, arg);
        fn(arg, &w->start_offset);
        fn(arg, &w->end_offset);
        break;
    }
    case SDB_E_SUB_PLAN: fn(arg, &((SdbBoundSubPlan *)e)->test); break;
    case SDB_E_ARRAY_EXPR: each(((SdbBoundArrayExpr *)e)->elements, ((SdbBoundArrayExpr *)e)->nelements, fn, arg); break;
    case SDB_E_FUNC_EXPR: each(((SdbBoundFuncExpr *)e)->args, ((SdbBoundFuncExpr *)e)->nargs, fn, arg); break;
    case SDB_E_OP_EXPR: each(((SdbBoundOpExpr *)e)->args, ((SdbBoundOpExpr *)e)->nargs, fn, arg); break;
    case SDB_E_RELABEL_TYPE: fn(arg, &((SdbBoundRelabelType *)e)->arg); break;
    case SDB_E_COERCE_VIA_IO: fn(arg, &((SdbBoundCoerceViaIo *)e)->arg); break;
    case SDB_E_BOOL_EXPR: each(((SdbBoundBoolExpr *)e)->args, ((SdbBoundBoolExpr *)e)->nargs, fn, arg); break;
    case SDB_E_NULL_TEST: fn(arg, &((SdbBoundNullTest *)e)->arg); break;
    case SDB_E_BOOLEAN_TEST: fn(arg, &((SdbBoundBooleanTest *)e)->arg); break;
    case SDB_E_CASE_EXPR: {
        SdbBoundCaseExpr *c = (SdbBoundCaseExpr *)e;
        fn(arg, &c->arg);
        each(c->conds, c->nwhens, fn, arg);
        each(c->results, c->nwhens, fn, arg);
        fn(arg, &c->defresult);
        break;
    }
    case SDB_E_COALESCE_EXPR: each(((SdbBoundCoalesceExpr *)e)->args, ((SdbBoundCoalesceExpr *)e)->nargs, fn, arg); break;
    case SDB_E_NULL_IF_EXPR: each(((SdbBoundNullIfExpr *)e)->args, ((SdbBoundNullIfExpr *)e)->nargs, fn, arg); break;
    case SDB_E_MIN_MAX_EXPR: each(((SdbBoundMinMaxExpr *)e)->args, ((SdbBoundMinMaxExpr *)e)->nargs, fn, arg); break;
    case SDB_E_SCALAR_ARRAY_OP:
        each(((SdbBoundScalarArrayOp *)e)->args, ((SdbBoundScalarArrayOp *)e)->nargs, fn, arg);
        break;
    case SDB_E_DISTINCT_EXPR: each(((SdbBoundDistinctExpr *)e)->args, ((SdbBoundDistinctExpr *)e)->nargs, fn, arg); break;
    case SDB_E_SUBSCRIPTING_REF:
        each(((SdbBoundSubscriptingRef *)e)->args, ((SdbBoundSubscriptingRef *)e)->nargs, fn, arg);
        break;
    default: break; /* leaves: Var, Const, Param, CaseTest, GroupingFunc */
    }
}

/* Collecting child slots into a growable array (C heap, freed by the caller). */
typedef struct Slots {
    SdbExpr **items[64];
    SdbExpr ***heap;
    int n;
    int cap;
} Slots;

static void collect(void *arg, SdbExpr **slot)
{
    Slots *s = arg;
    if (s->heap == NULL && s->n < 64) {
        s->items[s->n++] = slot;
        return;
    }
    if (s->heap == NULL) {
        s->cap = 256;
        s->heap = malloc(sizeof(SdbExpr **) * (size_t)s->cap);
        if (s->heap == NULL)
            abort();
        memcpy(s->heap, s->items, sizeof s->items);
    } else if (s->n == s->cap) {
        s->cap *= 2;
        s->heap = realloc(s->heap, sizeof(SdbExpr **) * (size_t)s->cap);
        if (s->heap == NULL)
            abort();
    }
    s->heap[s->n++] = slot;
}

static SdbExpr ***slots_of(Slots *s)
{
    return s->heap ? s->heap : s->items;
}

static bool same_ints(const int *a, const int *b, int n)
{
    return n == 0 || memcmp(a, b, sizeof(int) * (size_t)n) == 0;
}

static bool same_const(const SdbBoundConst *a, const SdbBoundConst *b)
{
    if (a->isnull || b->isnull)
        return a->isnull == b->isnull;
    const SdbTypeOps *ops = sdb_type_ops(a->expr.type);
    return ops != NULL && ops->compare != NULL && ops->compare(a->value, b->value) == 0;
}

/* The fields of two nodes of one tag other than their children. */
static bool same_fields(const SdbExpr *a, const SdbExpr *b)
{
    switch (a->tag) {
    case SDB_E_VAR: {
        const SdbBoundVar *x = (const SdbBoundVar *)a, *y = (const SdbBoundVar *)b;
        return x->table == y->table && x->column == y->column && x->levelsup == y->levelsup;
    }
    case SDB_E_CONST: return same_const((const SdbBoundConst *)a, (const SdbBoundConst *)b);
    case SDB_E_PARAM: return ((const SdbBoundParam *)a)->number == ((const SdbBoundParam *)b)->number;
    case SDB_E_AGGREF: {
        const SdbBoundAggref *x = (const SdbBoundAggref *)a, *y = (const SdbBoundAggref *)b;
        return x->func == y->func && x->star == y->star && x->distinct == y->distinct && x->nargs == y->nargs &&
               x->norder == y->norder && x->within_group == y->within_group &&
               same_ints(x->order_flags, y->order_flags, x->norder);
    }
    case SDB_E_WINDOW_FUNC: {
        const SdbBoundWindowFunc *x = (const SdbBoundWindowFunc *)a, *y = (const SdbBoundWindowFunc *)b;
        return x->func == y->func && x->star == y->star && x->nargs == y->nargs && x->npartition == y->npartition &&
               x->norder == y->norder && same_ints(x->order_flags, y->order_flags, x->norder) &&
               x->frame_mode == y->frame_mode && x->frame_start == y->frame_start && x->frame_end == y->frame_end &&
               x->frame_exclusion == y->frame_exclusion;
    }
    case SDB_E_GROUPING_FUNC:
    case SDB_E_SUB_PLAN: return a == b;
    case SDB_E_ARRAY_EXPR: {
        const SdbBoundArrayExpr *x = (const SdbBoundArrayExpr *)a, *y = (const SdbBoundArrayExpr *)b;
        return x->element_type == y->element_type && x->nelements == y->nelements;
    }
    case SDB_E_FUNC_EXPR:
        return ((const SdbBoundFuncExpr *)a)->func == ((const SdbBoundFuncExpr *)b)->func &&
               ((const SdbBoundFuncExpr *)a)->nargs == ((const SdbBoundFuncExpr *)b)->nargs;
    case SDB_E_OP_EXPR:
        return ((const SdbBoundOpExpr *)a)->opno == ((const SdbBoundOpExpr *)b)->opno &&
               ((const SdbBoundOpExpr *)a)->func == ((const SdbBoundOpExpr *)b)->func &&
               ((const SdbBoundOpExpr *)a)->nargs == ((const SdbBoundOpExpr *)b)->nargs;
    case SDB_E_BOOL_EXPR:
        return ((const SdbBoundBoolExpr *)a)->boolop == ((const SdbBoundBoolExpr *)b)->boolop &&
               ((const SdbBoundBoolExpr *)a)->nargs == ((const SdbBoundBoolExpr *)b)->nargs;
    case SDB_E_NULL_TEST:
        return ((const SdbBoundNullTest *)a)->nulltesttype == ((const SdbBoundNullTest *)b)->nulltesttype;
    case SDB_E_BOOLEAN_TEST:
        return ((const SdbBoundBooleanTest *)a)->booltesttype == ((const SdbBoundBooleanTest *)b)->booltesttype;
    case SDB_E_CASE_EXPR: return ((const SdbBoundCaseExpr *)a)->nwhens == ((const SdbBoundCaseExpr *)b)->nwhens;
    case SDB_E_COALESCE_EXPR:
        return ((const SdbBoundCoalesceExpr *)a)->nargs == ((const SdbBoundCoalesceExpr *)b)->nargs;
    case SDB_E_NULL_IF_EXPR: return ((const SdbBoundNullIfExpr *)a)->func == ((const SdbBoundNullIfExpr *)b)->func;
    case SDB_E_MIN_MAX_EXPR:
        return ((const SdbBoundMinMaxExpr *)a)->op == ((const SdbBoundMinMaxExpr *)b)->op &&
               ((const SdbBoundMinMaxExpr *)a)->nargs == ((const SdbBoundMinMaxExpr *)b)->nargs;
    case SDB_E_SCALAR_ARRAY_OP:
        return ((const SdbBoundScalarArrayOp *)a)->func == ((const SdbBoundScalarArrayOp *)b)->func &&
               ((const SdbBoundScalarArrayOp *)a)->use_or == ((const SdbBoundScalarArrayOp *)b)->use_or &&
               ((const SdbBoundScalarArrayOp *)a)->array_arg == ((const SdbBoundScalarArrayOp *)b)->array_arg &&
               ((const SdbBoundScalarArrayOp *)a)->nargs == ((const SdbBoundScalarArrayOp *)b)->nargs;
    case SDB_E_DISTINCT_EXPR:
        return ((const SdbBoundDistinctExpr *)a)->func == ((const SdbBoundDistinctExpr *)b)->func;
    case SDB_E_SUBSCRIPTING_REF:
        return ((const SdbBoundSubscriptingRef *)a)->nargs == ((const SdbBoundSubscriptingRef *)b)->nargs;
    default: return true;
    }
}

bool an_expr_equal(const SdbExpr *a, const SdbExpr *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->tag != b->tag || a->type != b->type || a->typmod != b->typmod || !same_fields(a, b))
        return false;
    Slots sa = {0}, sb = {0};
    for_each_child((SdbExpr *)a, collect, &sa);
    for_each_child((SdbExpr *)b, collect, &sb);
    bool equal = sa.n == sb.n;
    for (int i = 0; equal && i < sa.n; i++)
        equal = an_expr_equal(*slots_of(&sa)[i], *slots_of(&sb)[i]);
    free(sa.heap);
    free(sb.heap);
    return equal;
}

int an_mutate(SdbExpr **slot, AnMutator fn, void *arg)
{
    if (*slot == NULL)
        return SDB_OK;
    bool descend = true;
    if (fn(arg, slot, &descend) != SDB_OK)
        return SDB_ERROR;
    if (!descend || *slot == NULL)
        return SDB_OK;
    Slots s = {0};
    for_each_child(*slot, collect, &s);
    int rc = SDB_OK;
    for (int i = 0; rc == SDB_OK && i < s.n; i++)
        rc = an_mutate(slots_of(&s)[i], fn, arg);
    free(s.heap);
    return rc;
}

/* Deep copy: every node and every child array. */
typedef struct CopyState {
    SdbArena *arena;
    int levelsup;
    int rc;
} CopyState;

static void copy_arrays(SdbExpr *e, SdbArena *arena)
{
#define DUP(field, n)                                                                       \
    do {                                                                                    \
        if ((n) > 0) {                                                                      \
            SdbExpr **copy = sdb_arena_alloc(arena, sizeof(SdbExpr *) * (size_t)(n));       \
            if (copy != NULL)                                                               \
                memcpy(copy, field, sizeof(SdbExpr *) * (size_t)(n));                       \
            field = copy;                                                                   \
        }                                                                                   \
    } while (0)
    switch (e->tag) {
    case SDB_E_AGGREF: DUP(((SdbBoundAggref *)e)->args, ((SdbBoundAggref *)e)->nargs);
        DUP(((SdbBoundAggref *)e)->order, ((SdbBoundAggref *)e)->norder); break;
    case SDB_E_WINDOW_FUNC: DUP(((SdbBoundWindowFunc *)e)->args, ((SdbBoundWindowFunc *)e)->nargs);
        DUP(((SdbBoundWindowFunc *)e)->partition, ((SdbBoundWindowFunc *)e)->npartition);
        DUP(((SdbBoundWindowFunc *)e)->order, ((SdbBoundWindowFunc *)e)->norder); break;
    case SDB_E_ARRAY_EXPR: DUP(((SdbBoundArrayExpr *)e)->elements, ((SdbBoundArrayExpr *)e)->nelements); break;
    case SDB_E_FUNC_EXPR: DUP(((SdbBoundFuncExpr *)e)->args, ((SdbBoundFuncExpr *)e)->nargs); break;
    case SDB_E_OP_EXPR: DUP(((SdbBoundOpExpr *)e)->args, ((SdbBoundOpExpr *)e)->nargs); break;
    case SDB_E_BOOL_EXPR: DUP(((SdbBoundBoolExpr *)e)->args, ((SdbBoundBoolExpr *)e)->nargs); break;
    case SDB_E_CASE_EXPR: DUP(((SdbBoundCaseExpr *)e)->conds, ((SdbBoundCaseExpr *)e)->nwhens);
        DUP(((SdbBoundCaseExpr *)e)->results, ((SdbBoundCaseExpr *)e)->nwhens); break;
    case SDB_E_COALESCE_EXPR: DUP(((SdbBoundCoalesceExpr *)e)->args, ((SdbBoundCoalesceExpr *)e)->nargs); break;
    case SDB_E_NULL_IF_EXPR: DUP(((SdbBoundNullIfExpr *)e)->args, ((SdbBoundNullIfExpr *)e)->nargs); break;
    case SDB_E_MIN_MAX_EXPR: DUP(((SdbBoundMinMaxExpr *)e)->args, ((SdbBoundMinMaxExpr *)e)->nargs); break;
    case SDB_E_SCALAR_ARRAY_OP: DUP(((SdbBoundScalarArrayOp *)e)->args, ((SdbBoundScalarArrayOp *)e)->nargs); break;
    case SDB_E_DISTINCT_EXPR: DUP(((SdbBoundDistinctExpr *)e)->args, ((SdbBoundDistinctExpr *)e)->nargs); break;
    case SDB_E_SUBSCRIPTING_REF: DUP(((SdbBoundSubscriptingRef *)e)->args, ((SdbBoundSubscriptingRef *)e)->nargs); break;
    default: break;
    }
#undef DUP
}

static void copy_slot(void *arg, SdbExpr **slot)
{
    CopyState *cs = arg;
    if (*slot == NULL || cs->rc != SDB_OK)
        return;
    size_t size = sdb_expr_node_size((*slot)->tag);
    SdbExpr *copy = sdb_arena_alloc(cs->arena, size);
    if (copy == NULL) {
        cs->rc = SDB_ERROR;
        return;
    }
    memcpy(copy, *slot, size);
    if (copy->tag == SDB_E_VAR)
        ((SdbBoundVar *)copy)->levelsup += cs->levelsup;
    copy_arrays(copy, cs->arena);
    *slot = copy;
    for_each_child(copy, copy_slot, cs);
}

SdbExpr *an_copy(Analyzer *an, const SdbExpr *e, int levelsup)
{
    CopyState cs = {an->arena, levelsup, SDB_OK};
    SdbExpr *root = (SdbExpr *)e;
    copy_slot(&cs, &root);
    return cs.rc == SDB_OK ? root : NULL;
}

/* Where a bound expression starts: the leftmost location in it, or -1. */
static int own_location(const SdbExpr *e)
{
    switch (e->tag) {
    case SDB_E_VAR: return ((const SdbBoundVar *)e)->location;
    case SDB_E_CONST: return ((const SdbBoundConst *)e)->location;
    case SDB_E_PARAM: return ((const SdbBoundParam *)e)->location;
    case SDB_E_FUNC_EXPR: return ((const SdbBoundFuncExpr *)e)->location;
    case SDB_E_OP_EXPR: return ((const SdbBoundOpExpr *)e)->location;
    case SDB_E_AGGREF: return ((const SdbBoundAggref *)e)->location;
    case SDB_E_WINDOW_FUNC: return ((const SdbBoundWindowFunc *)e)->location;
    case SDB_E_GROUPING_FUNC: return ((const SdbBoundGroupingFunc *)e)->location;
    case SDB_E_SUB_PLAN: return ((const SdbBoundSubPlan *)e)->location;
    case SDB_E_ARRAY_EXPR: return ((const SdbBoundArrayExpr *)e)->location;
    default: return -1;
    }
}

static void leftmost(void *arg, SdbExpr **slot)
{
    int *best = arg;
    if (*slot == NULL)
        return;
    int own = own_location(*slot);
    if (own >= 0 && (*best < 0 || own < *best))
        *best = own;
    for_each_child(*slot, leftmost, best);
}

int an_expr_location(const SdbExpr *e)
{
    int best = -1;
    SdbExpr *root = (SdbExpr *)e;
    leftmost(&best, &root);
    return best;
}

static void min_levelsup(void *arg, SdbExpr **slot)
{
    int *best = arg;
    if (*slot == NULL)
        return;
    if ((*slot)->tag == SDB_E_VAR) {
        int l = ((SdbBoundVar *)*slot)->levelsup;
        *best = *best < 0 || l < *best ? l : *best;
    }
    for_each_child(*slot, min_levelsup, best);
}

int an_min_levelsup(const SdbExpr *e)
{
    int best = -1;
    for_each_child((SdbExpr *)e, min_levelsup, &best);
    return best;
}

typedef struct Contains {
    SdbExprTag tag;
    bool found;
} Contains;

static void contains_slot(void *arg, SdbExpr **slot)
{
    Contains *c = arg;
    if (*slot == NULL || c->found)
        return;
    if ((*slot)->tag == c->tag) {
        c->found = true;
        return;
    }
    for_each_child(*slot, contains_slot, c);
}

bool an_contains(const SdbExpr *e, SdbExprTag tag)
{
    Contains c = {tag, false};
    SdbExpr *root = (SdbExpr *)e;
    contains_slot(&c, &root);
    return c.found;
}

int an_split_and(Analyzer *an, SdbExpr *cond, SdbExpr ***quals, int *n)
{
    if (cond->tag == SDB_E_BOOL_EXPR && ((SdbBoundBoolExpr *)cond)->boolop == SDB_EXPR_BOOL_OP_AND) {
        SdbBoundBoolExpr *b = (SdbBoundBoolExpr *)cond;
        for (int i = 0; i < b->nargs; i++)
            if (an_split_and(an, b->args[i], quals, n) != SDB_OK)
                return SDB_ERROR;
        return SDB_OK;
    }
    SdbExpr **grown = sdb_arena_realloc(an->arena, *quals, sizeof(SdbExpr *) * (size_t)*n,
                                        sizeof(SdbExpr *) * (size_t)(*n + 1));
    if (grown == NULL)
        return SDB_ERROR;
    grown[(*n)++] = cond;
    *quals = grown;
    return SDB_OK;
}

/* Every expression slot of one operator (not of its children). */
static int plan_slots(SdbPlan *plan, AnMutator fn, void *arg)
{
#define ONE(e) an_mutate(&(e), fn, arg)
#define MANY(a, n)                                        \
    do {                                                  \
        for (int i_ = 0; i_ < (n); i_++)                  \
            if (an_mutate(&(a)[i_], fn, arg) != SDB_OK)   \
                return SDB_ERROR;                         \
    } while (0)
    switch (plan->tag) {
    case SDB_P_SCAN: { SdbPlanScan *p = (SdbPlanScan *)plan; MANY(p->filters, p->nfilters); MANY(p->index_eq, p->neq);
        return ONE(p->lower) == SDB_OK ? ONE(p->upper) : SDB_ERROR; }
    case SDB_P_VALUES: { SdbPlanValues *p = (SdbPlanValues *)plan; MANY(p->rows, p->nrows * plan->ncols); return SDB_OK; }
    case SDB_P_FUNCTION_SCAN: return ONE(((SdbPlanFunctionScan *)plan)->call);
    case SDB_P_FILTER: MANY(((SdbPlanFilter *)plan)->quals, ((SdbPlanFilter *)plan)->nquals); return SDB_OK;
    case SDB_P_PROJECT: MANY(((SdbPlanProject *)plan)->exprs, ((SdbPlanProject *)plan)->nexprs); return SDB_OK;
    case SDB_P_JOIN: { SdbPlanJoin *p = (SdbPlanJoin *)plan; MANY(p->conds, p->nconds); MANY(p->left_keys, p->nkeys);
        MANY(p->right_keys, p->nkeys); return SDB_OK; }
    case SDB_P_AGGREGATE: { SdbPlanAggregate *p = (SdbPlanAggregate *)plan; MANY(p->groups, p->ngroups);
        MANY(p->aggs, p->naggs); MANY(p->having, p->nhaving); return SDB_OK; }
    case SDB_P_WINDOW: MANY(((SdbPlanWindow *)plan)->funcs, ((SdbPlanWindow *)plan)->nfuncs); return SDB_OK;
    case SDB_P_SORT: MANY(((SdbPlanSort *)plan)->keys, ((SdbPlanSort *)plan)->nkeys); return SDB_OK;
    case SDB_P_LIMIT: return ONE(((SdbPlanLimit *)plan)->limit) == SDB_OK ? ONE(((SdbPlanLimit *)plan)->offset) : SDB_ERROR;
    case SDB_P_DISTINCT: MANY(((SdbPlanDistinct *)plan)->on, ((SdbPlanDistinct *)plan)->non); return SDB_OK;
    default: return SDB_OK; /* the modifying operators never sit inside a subquery */
    }
#undef ONE
#undef MANY
}

int an_mutate_plan(SdbPlan *plan, AnMutator fn, void *arg)
{
    if (plan_slots(plan, fn, arg) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < sdb_plan_nchildren(plan); i++) {
        SdbPlan *child = *sdb_plan_child(plan, i);
        if (child != NULL && child->tag != SDB_P_CTE_SCAN && an_mutate_plan(child, fn, arg) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
