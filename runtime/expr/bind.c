/*
 * expr/bind.c: the binder's walk over parse tree expressions: one function
 * per node kind, building bound nodes with types resolved (literals,
 * parameters, operators and the forms built on them, AND/OR/NOT, IS
 * [NOT] NULL/TRUE..., function calls, casts, CASE, COALESCE, GREATEST/LEAST,
 * CURRENT_TIMESTAMP, ARRAY[...]).  Resolution and coercion live in
 * bind_resolve.c and bind_coerce.c.  Column references, aggregates, window
 * functions and subqueries are the analyzer's, through the context's hook.
 */
#include "expr/bind_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "types/array.h"
#include "types/numeric.h"
#include "types/typefuncs.h"
#include "types/typeio.h"

static int bind(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);

int sdb_bind_location(const SdbNode *node)
{
    if (node == NULL)
        return -1;
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_A_CONST: return ((const SdbAConst *)node)->location;
    case SDB_T_PARAM_REF: return ((const SdbParamRef *)node)->location;
    case SDB_T_A_EXPR: return ((const SdbAExpr *)node)->location;
    case SDB_T_BOOL_EXPR: return ((const SdbBoolExpr *)node)->location;
    case SDB_T_FUNC_CALL: return ((const SdbFuncCall *)node)->location;
    case SDB_T_TYPE_CAST: return ((const SdbTypeCast *)node)->location;
    case SDB_T_CASE_EXPR: return ((const SdbCaseExpr *)node)->location;
    case SDB_T_COALESCE_EXPR: return ((const SdbCoalesceExpr *)node)->location;
    case SDB_T_MIN_MAX_EXPR: return ((const SdbMinMaxExpr *)node)->location;
    case SDB_T_COLUMN_REF: return ((const SdbColumnRef *)node)->location;
    case SDB_T_NULL_TEST: return ((const SdbNullTest *)node)->location;
    case SDB_T_BOOLEAN_TEST: return ((const SdbBooleanTest *)node)->location;
    case SDB_T_SUB_LINK: return ((const SdbSubLink *)node)->location;
    case SDB_T_A_ARRAY_EXPR: return ((const SdbAArrayExpr *)node)->location;
    case SDB_T_GROUPING_FUNC: return ((const SdbGroupingFunc *)node)->location;
    case SDB_T_ROW_EXPR: return ((const SdbRowExpr *)node)->location;
    case SDB_T_SQL_VALUE_FUNCTION: return ((const SdbSqlValueFunction *)node)->location;
    case SDB_T_SET_TO_DEFAULT: return ((const SdbSetToDefault *)node)->location;
    case SDB_T_A_INDIRECTION: return sdb_bind_location(((const SdbAIndirection *)node)->arg);
    default: return -1;
    }
}

static int unsupported(const SdbBindContext *bc, const char *what, int location)
{
    sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not supported", what);
    return sdb_bind_fail_at(bc, location);
}

/* Bind every item of `list` into a new array; their locations too. */
static int bind_list(const SdbBindContext *bc, const SdbList *list, SdbExpr ***out, int **locations)
{
    int n = sdb_list_length(list);
    SdbExpr **exprs = sdb_bind_exprs(bc, n);
    int *locs = sdb_arena_alloc(bc->expr->arena, sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (exprs == NULL || locs == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        locs[i] = sdb_bind_location(sdb_list_nth(list, i));
        if (bind(bc, sdb_list_nth(list, i), &exprs[i]) != SDB_OK)
            return SDB_ERROR;
    }
    *out = exprs;
    *locations = locs;
    return SDB_OK;
}

/* A constant of `type` from its text form (literals). */
static int typed_literal(const SdbBindContext *bc, SdbOid type, const char *text, int location, SdbExpr **out)
{
    SdbBoundConst *c = sdb_new_bound_const(bc->expr->arena, type);
    if (c == NULL)
        return SDB_ERROR;
    c->location = location;
    SdbTypeCtx tctx = {.arena = bc->expr->arena, .typid = type, .typmod = -1};
    if (sdb_type_input(&tctx, text, &c->value) != SDB_OK)
        return sdb_bind_fail_at(bc, location);
    *out = &c->expr;
    return SDB_OK;
}

/* Numeric literals, as PostgreSQL's make_const types them: an integer
 * (the lexer makes too large ones "float") is int4 when it fits, else int8
 * when it fits, else numeric, like every literal with a point or exponent. */
static SdbOid number_literal_type(const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno == ERANGE || *end != '\0' || end == text)
        return SDB_TYPEOID_NUMERIC;
    return (v >= INT32_MIN && v <= INT32_MAX) ? SDB_TYPEOID_INT4 : SDB_TYPEOID_INT8;
}

/* A string literal or NULL: of type unknown until context decides. */
static int unknown_literal(const SdbBindContext *bc, const SdbAConst *node, SdbExpr **out)
{
    SdbBoundConst *c = sdb_new_bound_const(bc->expr->arena, SDB_TYPEOID_UNKNOWN);
    if (c == NULL)
        return SDB_ERROR;
    c->location = node->location;
    c->isnull = node->kind == SDB_CONST_KIND_NULL;
    if (!c->isnull && sdb_varlena_make(bc->expr->arena, node->val, strlen(node->val), &c->value) != SDB_OK)
        return SDB_ERROR;
    *out = &c->expr;
    return SDB_OK;
}

static int bind_const(const SdbBindContext *bc, const SdbAConst *node, SdbExpr **out)
{
    switch (node->kind) {
    case SDB_CONST_KIND_INTEGER:
    case SDB_CONST_KIND_FLOAT:
        return typed_literal(bc, number_literal_type(node->val), node->val, node->location, out);
    case SDB_CONST_KIND_BOOLEAN:
        return typed_literal(bc, SDB_TYPEOID_BOOL, node->val, node->location, out);
    case SDB_CONST_KIND_STRING:
    case SDB_CONST_KIND_NULL:
        return unknown_literal(bc, node, out);
    case SDB_CONST_KIND_BITSTRING:
        break;
    }
    return unsupported(bc, "a bit string literal", node->location);
}

static int bind_param(const SdbBindContext *bc, const SdbParamRef *node, SdbExpr **out)
{
    if (node->number < 1 || node->number > bc->nparams) {
        sdb_error(SDB_ERR_UNDEFINED_PARAMETER, "there is no parameter $%d", node->number);
        return sdb_bind_fail_at(bc, node->location);
    }
    SdbOid type = bc->param_types[node->number - 1];
    if (type == SDB_INVALID_OID)
        type = SDB_TYPEOID_UNKNOWN;
    if (type == SDB_TYPEOID_UNKNOWN && bc->inferred_types == NULL) {
        sdb_error(SDB_ERR_INDETERMINATE_DATATYPE, "could not determine data type of parameter $%d", node->number);
        return sdb_bind_fail_at(bc, node->location);
    }
    SdbBoundParam *p = sdb_new_bound_param(bc->expr->arena, type);
    if (p == NULL)
        return SDB_ERROR;
    p->number = node->number;
    p->location = node->location;
    *out = &p->expr;
    return SDB_OK;
}

/* The last part of a qualified name list of String nodes. */
static const char *last_name(const SdbList *names)
{
    const SdbNode *last = sdb_list_nth(names, sdb_list_length(names) - 1);
    return SDB_IS_A(last, STRING) ? ((const SdbString *)last)->sval : "";
}

/* left OP right (left NULL for prefix), both bound, into *out. */
static int make_op(const SdbBindContext *bc, const char *name, SdbExpr *left, SdbExpr *right, int location,
                   SdbExpr **out)
{
    SdbBoundOpExpr *op;
    if (sdb_bind_operator(bc, name, left, right, location, &op) != SDB_OK)
        return SDB_ERROR;
    *out = &op->expr;
    return SDB_OK;
}

/* An AND or OR of two bound boolean expressions. */
static int make_bool(const SdbBindContext *bc, SdbExprBoolOp boolop, SdbExpr *a, SdbExpr *b, SdbExpr **out)
{
    SdbBoundBoolExpr *node = sdb_new_bound_bool_expr(bc->expr->arena, SDB_TYPEOID_BOOL);
    SdbExpr **args = sdb_bind_exprs(bc, 2);
    if (node == NULL || args == NULL)
        return SDB_ERROR;
    args[0] = a;
    args[1] = b;
    node->boolop = boolop;
    node->args = args;
    node->nargs = b ? 2 : 1;
    *out = &node->expr;
    return SDB_OK;
}

/* Bind the operands of a binary AExpr. */
static int bind_operands(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **left, SdbExpr **right)
{
    *left = NULL;
    if (node->lexpr != NULL && bind(bc, node->lexpr, left) != SDB_OK)
        return SDB_ERROR;
    return bind(bc, node->rexpr, right);
}

/* The = operator of `a` and `b` for NULLIF and IS DISTINCT FROM: its
 * coerced operands and function; 42804 unless it yields boolean. */
static int equality(const SdbBindContext *bc, const SdbAExpr *node, const char *what, SdbBoundOpExpr **eq)
{
    SdbExpr *left, *right;
    if (bind_operands(bc, node, &left, &right) != SDB_OK ||
        sdb_bind_operator(bc, "=", left, right, node->location, eq) != SDB_OK)
        return SDB_ERROR;
    if ((*eq)->expr.type != SDB_TYPEOID_BOOL) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "%s requires = operator to yield boolean", what);
        return sdb_bind_fail_at(bc, node->location);
    }
    return SDB_OK;
}

static int bind_nullif(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **out)
{
    SdbBoundOpExpr *eq;
    if (equality(bc, node, "NULLIF", &eq) != SDB_OK)
        return SDB_ERROR;
    SdbBoundNullIfExpr *n = sdb_new_bound_null_if_expr(bc->expr->arena, eq->args[0]->type);
    if (n == NULL)
        return SDB_ERROR;
    n->func = eq->func;
    n->args = eq->args;
    n->nargs = 2;
    *out = &n->expr;
    return SDB_OK;
}

static int bind_distinct(const SdbBindContext *bc, const SdbAExpr *node, bool negate, SdbExpr **out)
{
    SdbBoundOpExpr *eq;
    if (equality(bc, node, "IS DISTINCT FROM", &eq) != SDB_OK)
        return SDB_ERROR;
    SdbBoundDistinctExpr *d = sdb_new_bound_distinct_expr(bc->expr->arena, SDB_TYPEOID_BOOL);
    if (d == NULL)
        return SDB_ERROR;
    d->func = eq->func;
    d->args = eq->args;
    d->nargs = 2;
    *out = &d->expr;
    return negate ? make_bool(bc, SDB_EXPR_BOOL_OP_NOT, &d->expr, NULL, out) : SDB_OK;
}

/* x IN (a, b) / x NOT IN (a, b): x = ANY / x <> ALL over the list, all of
 * a common type; x op ANY/ALL (ARRAY[a, b]) likewise with its elements. */
static int scalar_array(const SdbBindContext *bc, const SdbAExpr *node, const SdbList *items, bool use_or,
                        SdbExpr **out)
{
    int n = sdb_list_length(items) + 1;
    SdbExpr **args = sdb_bind_exprs(bc, n), **list;
    int *locs = sdb_arena_alloc(bc->expr->arena, sizeof(int) * (size_t)n), *item_locs;
    if (args == NULL || locs == NULL || bind(bc, node->lexpr, &args[0]) != SDB_OK ||
        bind_list(bc, items, &list, &item_locs) != SDB_OK)
        return SDB_ERROR;
    locs[0] = sdb_bind_location(node->lexpr);
    memcpy(args + 1, list, sizeof *args * (size_t)(n - 1));
    memcpy(locs + 1, item_locs, sizeof *locs * (size_t)(n - 1));
    if (sdb_bind_unify(bc, args, n, "IN", locs) != SDB_OK)
        return SDB_ERROR;
    const char *name = last_name(node->name);
    SdbBoundOpExpr *op;
    if (sdb_bind_operator(bc, name, args[0], args[1], node->location, &op) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        if (sdb_bind_coerce(bc, args[i], op->func->argtypes[i > 0], -1, SDB_CAST_IMPLICIT, locs[i], &args[i]) != SDB_OK)
            return SDB_ERROR;
    SdbBoundScalarArrayOp *s = sdb_new_bound_scalar_array_op(bc->expr->arena, SDB_TYPEOID_BOOL);
    if (s == NULL)
        return SDB_ERROR;
    s->func = op->func;
    s->opno = op->opno;
    s->use_or = use_or;
    s->args = args;
    s->nargs = n;
    *out = &s->expr;
    return SDB_OK;
}

/* One pair of a row comparison, (a, b) op (c, d): left `op` right, bound
 * afresh for each use so that no bound node is shared. */
static int row_pair(const SdbBindContext *bc, const char *name, const SdbNode *left, const SdbNode *right,
                    int location, SdbExpr **out)
{
    SdbExpr *l, *r;
    if (bind(bc, left, &l) != SDB_OK || bind(bc, right, &r) != SDB_OK || make_op(bc, name, l, r, location, out) != SDB_OK)
        return SDB_ERROR;
    if ((*out)->type != SDB_TYPEOID_BOOL) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "row comparison operator must yield type boolean, not type %s",
                  sdb_bind_type_name((*out)->type));
        return sdb_bind_fail_at(bc, location);
    }
    return SDB_OK;
}

/* (a, b) op (c, d), PostgreSQL's make_row_comparison_op: = is the AND of
 * the pairs' =, <> the OR of their <>; < <= > >= compare the pairs in
 * order, the first unequal one deciding (NULL when it has a NULL):
 * CASE WHEN a = c THEN (b op d) ELSE a op c END. */
static int row_compare(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **out)
{
    const SdbList *lefts = ((const SdbRowExpr *)node->lexpr)->args, *rights = ((const SdbRowExpr *)node->rexpr)->args;
    int n = sdb_list_length(lefts);
    const char *name = last_name(node->name);
    bool eq = strcmp(name, "=") == 0, ne = strcmp(name, "<>") == 0;
    bool order = strcmp(name, "<") == 0 || strcmp(name, "<=") == 0 || strcmp(name, ">") == 0 || strcmp(name, ">=") == 0;
    if (n != sdb_list_length(rights)) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "unequal number of entries in row expressions");
        return sdb_bind_fail_at(bc, node->location);
    }
    if (n == 0) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot compare rows of zero length");
        return sdb_bind_fail_at(bc, node->location);
    }
    if (!eq && !ne && !order) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "could not determine interpretation of row comparison operator %s",
                  name);
        sdb_error_hint("Row comparison operators must be associated with btree operator families.");
        return sdb_bind_fail_at(bc, node->location);
    }
    SdbExpr *result = NULL;
    for (int i = n - 1; i >= 0; i--) {
        const SdbNode *l = sdb_list_nth(lefts, i), *r = sdb_list_nth(rights, i);
        SdbExpr *cmp, *same;
        if (row_pair(bc, name, l, r, node->location, &cmp) != SDB_OK)
            return SDB_ERROR;
        if (result == NULL) {
            result = cmp;
        } else if (!order) {
            if (make_bool(bc, eq ? SDB_EXPR_BOOL_OP_AND : SDB_EXPR_BOOL_OP_OR, cmp, result, &result) != SDB_OK)
                return SDB_ERROR;
        } else {
            SdbBoundCaseExpr *c = sdb_new_bound_case_expr(bc->expr->arena, SDB_TYPEOID_BOOL);
            SdbExpr **conds = sdb_bind_exprs(bc, 1), **results = sdb_bind_exprs(bc, 1);
            if (c == NULL || conds == NULL || results == NULL ||
                row_pair(bc, "=", l, r, node->location, &same) != SDB_OK)
                return SDB_ERROR;
            conds[0] = same;
            results[0] = result;
            c->conds = conds;
            c->results = results;
            c->nwhens = 1;
            c->defresult = cmp;
            result = &c->expr;
        }
    }
    *out = result;
    return SDB_OK;
}

/* x op ANY/ALL (array value), PostgreSQL's make_scalar_array_op: the
 * operator is resolved against the array's element type (an unknown
 * literal stays unknown and becomes an array of the operator's right
 * type), then the array is coerced to the array of that type. */
static int array_any_all(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **out)
{
    SdbExpr **args = sdb_bind_exprs(bc, 2);
    if (args == NULL || bind(bc, node->lexpr, &args[0]) != SDB_OK || bind(bc, node->rexpr, &args[1]) != SDB_OK)
        return SDB_ERROR;
    SdbOid elem = SDB_TYPEOID_UNKNOWN;
    if (args[1]->type != SDB_TYPEOID_UNKNOWN) {
        const SdbTypeInfo *info = sdb_type_by_oid(sdb_domain_base_type(args[1]->type));
        if (info == NULL || info->kind != SDB_TYPEKIND_BASE || strcmp(info->input, "array_in") != 0) {
            sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side");
            return sdb_bind_fail_at(bc, node->location);
        }
        elem = info->elem_oid;
    }
    SdbBoundConst *element = sdb_new_bound_const(bc->expr->arena, elem);
    SdbBoundOpExpr *op;
    if (element == NULL)
        return SDB_ERROR;
    element->isnull = true;
    if (sdb_bind_operator(bc, last_name(node->name), args[0], &element->expr, node->location, &op) != SDB_OK)
        return SDB_ERROR;
    if (op->expr.type != SDB_TYPEOID_BOOL) {
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires operator to yield boolean");
        return sdb_bind_fail_at(bc, node->location);
    }
    SdbOid declared = op->func->argtypes[1], array_type = args[1]->type;
    if (!sdb_bind_type_polymorphic(declared)) {
        const SdbTypeInfo *info = sdb_type_by_oid(declared);
        array_type = info != NULL ? info->array_oid : SDB_INVALID_OID;
        if (array_type == SDB_INVALID_OID) {
            sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not find array type for data type %s",
                      sdb_bind_type_name(declared));
            return sdb_bind_fail_at(bc, node->location);
        }
    }
    args[0] = op->args[0];
    if (sdb_bind_coerce(bc, args[1], array_type, -1, SDB_CAST_IMPLICIT, sdb_bind_location(node->rexpr), &args[1]) !=
        SDB_OK)
        return SDB_ERROR;
    SdbBoundScalarArrayOp *s = sdb_new_bound_scalar_array_op(bc->expr->arena, SDB_TYPEOID_BOOL);
    if (s == NULL)
        return SDB_ERROR;
    s->func = op->func;
    s->opno = op->opno;
    s->use_or = node->kind == SDB_A_EXPR_KIND_OP_ANY;
    s->array_arg = true;
    s->args = args;
    s->nargs = 2;
    *out = &s->expr;
    return SDB_OK;
}

/* low <= x AND x <= high (negated: x < low OR x > high), both ways round
 * for SYMMETRIC. */
static int between(const SdbBindContext *bc, SdbExpr *x, SdbExpr *low, SdbExpr *high, bool negate, int location,
                   SdbExpr **out)
{
    SdbExpr *a, *b;
    if (make_op(bc, negate ? "<" : ">=", x, low, location, &a) != SDB_OK ||
        make_op(bc, negate ? ">" : "<=", x, high, location, &b) != SDB_OK)
        return SDB_ERROR;
    return make_bool(bc, negate ? SDB_EXPR_BOOL_OP_OR : SDB_EXPR_BOOL_OP_AND, a, b, out);
}

static int bind_between(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **out)
{
    SdbExpr *x, **bounds;
    int *locs;
    if (bind(bc, node->lexpr, &x) != SDB_OK || bind_list(bc, (const SdbList *)node->rexpr, &bounds, &locs) != SDB_OK)
        return SDB_ERROR;
    bool negate = node->kind == SDB_A_EXPR_KIND_NOT_BETWEEN || node->kind == SDB_A_EXPR_KIND_NOT_BETWEEN_SYM;
    bool symmetric = node->kind == SDB_A_EXPR_KIND_BETWEEN_SYM || node->kind == SDB_A_EXPR_KIND_NOT_BETWEEN_SYM;
    SdbExpr *forward, *backward;
    if (between(bc, x, bounds[0], bounds[1], negate, node->location, &forward) != SDB_OK)
        return SDB_ERROR;
    if (!symmetric) {
        *out = forward;
        return SDB_OK;
    }
    if (between(bc, x, bounds[1], bounds[0], negate, node->location, &backward) != SDB_OK)
        return SDB_ERROR;
    return make_bool(bc, negate ? SDB_EXPR_BOOL_OP_AND : SDB_EXPR_BOOL_OP_OR, forward, backward, out);
}

static int bind_a_expr(const SdbBindContext *bc, const SdbAExpr *node, SdbExpr **out)
{
    SdbExpr *left, *right;
    switch (node->kind) {
    case SDB_A_EXPR_KIND_OP:
        if (SDB_IS_A(node->lexpr, ROW_EXPR) && SDB_IS_A(node->rexpr, ROW_EXPR))
            return row_compare(bc, node, out);
        /* fall through */
    case SDB_A_EXPR_KIND_LIKE:
    case SDB_A_EXPR_KIND_ILIKE:
    case SDB_A_EXPR_KIND_SIMILAR: /* x ~ similar_to_escape(pattern[, escape]) */
        if (bind_operands(bc, node, &left, &right) != SDB_OK)
            return SDB_ERROR;
        return make_op(bc, last_name(node->name), left, right, node->location, out);
    case SDB_A_EXPR_KIND_DISTINCT:
    case SDB_A_EXPR_KIND_NOT_DISTINCT:
        return bind_distinct(bc, node, node->kind == SDB_A_EXPR_KIND_NOT_DISTINCT, out);
    case SDB_A_EXPR_KIND_NULLIF:
        return bind_nullif(bc, node, out);
    case SDB_A_EXPR_KIND_IN:
        return scalar_array(bc, node, (const SdbList *)node->rexpr, strcmp(last_name(node->name), "=") == 0, out);
    case SDB_A_EXPR_KIND_BETWEEN:
    case SDB_A_EXPR_KIND_NOT_BETWEEN:
    case SDB_A_EXPR_KIND_BETWEEN_SYM:
    case SDB_A_EXPR_KIND_NOT_BETWEEN_SYM:
        return bind_between(bc, node, out);
    case SDB_A_EXPR_KIND_OP_ANY:
    case SDB_A_EXPR_KIND_OP_ALL:
        break;
    }
    const SdbAArrayExpr *array = SDB_IS_A(node->rexpr, A_ARRAY_EXPR) ? (const SdbAArrayExpr *)node->rexpr : NULL;
    if (array != NULL && sdb_list_length(array->elements) > 0)
        return scalar_array(bc, node, array->elements, node->kind == SDB_A_EXPR_KIND_OP_ANY, out);
    return array_any_all(bc, node, out);
}

static int bind_bool_expr(const SdbBindContext *bc, const SdbBoolExpr *node, SdbExpr **out)
{
    static const char *const names[] = {"AND", "OR", "NOT"};
    SdbBoundBoolExpr *b = sdb_new_bound_bool_expr(bc->expr->arena, SDB_TYPEOID_BOOL);
    int *locs;
    if (b == NULL || bind_list(bc, node->args, &b->args, &locs) != SDB_OK)
        return SDB_ERROR;
    b->boolop = (SdbExprBoolOp)node->boolop; /* same order: and, or, not */
    b->nargs = sdb_list_length(node->args);
    for (int i = 0; i < b->nargs; i++)
        if (sdb_bind_coerce_bool(bc, b->args[i], names[node->boolop], locs[i], &b->args[i]) != SDB_OK)
            return SDB_ERROR;
    *out = &b->expr;
    return SDB_OK;
}

static int null_test(const SdbBindContext *bc, const SdbNode *arg, SdbExprNullTest type, SdbExpr **out)
{
    SdbBoundNullTest *t = sdb_new_bound_null_test(bc->expr->arena, SDB_TYPEOID_BOOL);
    if (t == NULL || bind(bc, arg, &t->arg) != SDB_OK)
        return SDB_ERROR;
    t->nulltesttype = type;
    *out = &t->expr;
    return SDB_OK;
}

/* x IS [NOT] NULL; of a row constructor, whether every field is (not)
 * NULL, as PostgreSQL: ROW(1, NULL) is neither. */
static int bind_null_test(const SdbBindContext *bc, const SdbNullTest *node, SdbExpr **out)
{
    SdbExprNullTest type = (SdbExprNullTest)node->nulltesttype;
    if (!SDB_IS_A(node->arg, ROW_EXPR) || sdb_list_length(((const SdbRowExpr *)node->arg)->args) == 0)
        return null_test(bc, node->arg, type, out);
    const SdbList *fields = ((const SdbRowExpr *)node->arg)->args;
    SdbExpr *result = NULL;
    for (int i = sdb_list_length(fields) - 1; i >= 0; i--) {
        SdbExpr *test;
        if (null_test(bc, sdb_list_nth(fields, i), type, &test) != SDB_OK ||
            (result != NULL && make_bool(bc, SDB_EXPR_BOOL_OP_AND, test, result, &test) != SDB_OK))
            return SDB_ERROR;
        result = test;
    }
    *out = result;
    return SDB_OK;
}

static int bind_boolean_test(const SdbBindContext *bc, const SdbBooleanTest *node, SdbExpr **out)
{
    static const char *const names[] = {"IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IS UNKNOWN",
                                        "IS NOT UNKNOWN"};
    SdbBoundBooleanTest *t = sdb_new_bound_boolean_test(bc->expr->arena, SDB_TYPEOID_BOOL);
    SdbExpr *arg;
    if (t == NULL || bind(bc, node->arg, &arg) != SDB_OK ||
        sdb_bind_coerce_bool(bc, arg, names[node->booltesttype], node->location, &t->arg) != SDB_OK)
        return SDB_ERROR;
    t->booltesttype = (SdbExprBoolTest)node->booltesttype;
    *out = &t->expr;
    return SDB_OK;
}

static int bind_func_call(const SdbBindContext *bc, const SdbFuncCall *node, SdbExpr **out)
{
    if (node->agg_star || node->agg_distinct || node->agg_order || node->agg_filter || node->over ||
        node->func_variadic)
        return unsupported(bc, "an aggregate, window or VARIADIC call", node->location);
    SdbExpr **args;
    int *locs;
    SdbBoundFuncExpr *f;
    if (bind_list(bc, node->args, &args, &locs) != SDB_OK ||
        sdb_bind_function(bc, last_name(node->funcname), args, sdb_list_length(node->args), node->location, &f) !=
            SDB_OK)
        return SDB_ERROR;
    if (f->func->kind == SDB_FUNC_WINDOW) {
        sdb_error(SDB_ERR_WRONG_OBJECT_TYPE, "window function %s requires an OVER clause", f->func->name);
        return sdb_bind_fail_at(bc, node->location);
    }
    if (f->func->kind == SDB_FUNC_AGGREGATE) /* an Aggref, made by the analyzer (spec/expr.toml) */
        return unsupported(bc, "an aggregate call", node->location);
    if (f->func->retset) { /* a FunctionScan, made by the analyzer for FROM */
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "set-returning functions are not allowed in this context");
        return sdb_bind_fail_at(bc, node->location);
    }
    *out = &f->expr;
    return SDB_OK;
}

/* The integer value of typmod expression `i` of `tn`, or -1. */
static int typmod_arg(const SdbTypeName *tn, int i)
{
    const SdbNode *n = sdb_list_nth(tn->typmods, i);
    if (!SDB_IS_A(n, A_CONST) || ((const SdbAConst *)n)->kind != SDB_CONST_KIND_INTEGER)
        return -1;
    return atoi(((const SdbAConst *)n)->val);
}

/* PostgreSQL's typmod of a type name's modifiers (-1 when none). */
static int type_typmod(const SdbBindContext *bc, const SdbTypeName *tn, SdbOid type, int32_t *typmod)
{
    int n = sdb_list_length(tn->typmods);
    *typmod = -1;
    if (n == 0)
        return SDB_OK;
    int a = typmod_arg(tn, 0), b = n > 1 ? typmod_arg(tn, 1) : 0;
    if ((type == SDB_TYPEOID_VARCHAR || type == SDB_TYPEOID_BPCHAR) && n == 1 && a >= 1)
        *typmod = a + 4;
    else if (type == SDB_TYPEOID_NUMERIC && n <= 2 && a >= 1 && a <= 1000 && b >= 0 && b <= a)
        *typmod = sdb_numeric_typmod(a, b);
    else if ((type == SDB_TYPEOID_TIMESTAMP || type == SDB_TYPEOID_TIMESTAMPTZ || type == SDB_TYPEOID_TIME) &&
             n == 1 && a >= 0 && a <= 6)
        *typmod = a;
    else {
        sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid type modifier for type %s", sdb_bind_type_name(type));
        return sdb_bind_fail_at(bc, tn->location);
    }
    return SDB_OK;
}

/* The type a TypeName names (arrays included) and its typmod. */
static int resolve_type_name(const SdbBindContext *bc, const SdbTypeName *tn, SdbOid *type, int32_t *typmod)
{
    const char *name = last_name(tn->names);
    const SdbTypeInfo *info = sdb_type_by_name(name);
    if (info == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
        return sdb_bind_fail_at(bc, tn->location);
    }
    if (type_typmod(bc, tn, info->oid, typmod) != SDB_OK)
        return SDB_ERROR;
    *type = info->oid;
    if (tn->array_bounds != NULL)
        *type = info->array_oid; /* the typmod applies to its elements */
    return SDB_OK;
}

static int bind_type_cast(const SdbBindContext *bc, const SdbTypeCast *node, SdbExpr **out)
{
    SdbOid type = SDB_INVALID_OID;
    int32_t typmod = -1;
    SdbExpr *arg;
    if (resolve_type_name(bc, node->type_name, &type, &typmod) != SDB_OK || bind(bc, node->arg, &arg) != SDB_OK)
        return SDB_ERROR;
    return sdb_bind_coerce(bc, arg, type, typmod, SDB_CAST_EXPLICIT, node->location, out);
}

/* WHEN conditions: `operand = value` for a simple CASE, else booleans. */
static int bind_when(const SdbBindContext *bc, SdbExpr *operand, const SdbCaseWhen *when, SdbExpr **out)
{
    SdbExpr *cond;
    if (bind(bc, when->expr, &cond) != SDB_OK)
        return SDB_ERROR;
    if (operand != NULL && make_op(bc, "=", operand, cond, when->location, &cond) != SDB_OK)
        return SDB_ERROR;
    return sdb_bind_coerce_bool(bc, cond, "CASE/WHEN", sdb_bind_location(when->expr), out);
}

/* CASE: the conditions, then the results unified to one type (ELSE's
 * first, as PostgreSQL orders them, which its error messages show). */
static int bind_case(const SdbBindContext *bc, const SdbCaseExpr *node, SdbExpr **out)
{
    int n = sdb_list_length(node->args), first = node->defresult != NULL;
    SdbBoundCaseExpr *c = sdb_new_bound_case_expr(bc->expr->arena, SDB_TYPEOID_UNKNOWN);
    SdbExpr **conds = sdb_bind_exprs(bc, n), **results = sdb_bind_exprs(bc, n + first), *operand = NULL;
    int *locs = sdb_arena_alloc(bc->expr->arena, sizeof(int) * (size_t)(n + first));
    if (c == NULL || conds == NULL || results == NULL || locs == NULL)
        return SDB_ERROR;
    if (node->arg != NULL) {
        if (bind(bc, node->arg, &c->arg) != SDB_OK)
            return SDB_ERROR;
        SdbBoundCaseTest *test = sdb_new_bound_case_test(bc->expr->arena, c->arg->type);
        if (test == NULL)
            return SDB_ERROR;
        operand = &test->expr;
    }
    if (first) {
        locs[0] = sdb_bind_location(node->defresult);
        if (bind(bc, node->defresult, &results[0]) != SDB_OK)
            return SDB_ERROR;
    }
    for (int i = 0; i < n; i++) {
        const SdbCaseWhen *when = (const SdbCaseWhen *)sdb_list_nth(node->args, i);
        locs[first + i] = sdb_bind_location(when->result);
        if (bind_when(bc, operand, when, &conds[i]) != SDB_OK || bind(bc, when->result, &results[first + i]) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_bind_unify(bc, results, n + first, "CASE", locs) != SDB_OK)
        return SDB_ERROR;
    c->expr.type = results[0]->type;
    c->conds = conds;
    c->results = results + first;
    c->nwhens = n;
    c->defresult = first ? results[0] : NULL;
    *out = &c->expr;
    return SDB_OK;
}

static int bind_coalesce(const SdbBindContext *bc, const SdbCoalesceExpr *node, SdbExpr **out)
{
    SdbBoundCoalesceExpr *c = sdb_new_bound_coalesce_expr(bc->expr->arena, SDB_TYPEOID_UNKNOWN);
    int *locs;
    if (c == NULL || bind_list(bc, node->args, &c->args, &locs) != SDB_OK)
        return SDB_ERROR;
    c->nargs = sdb_list_length(node->args);
    if (sdb_bind_unify(bc, c->args, c->nargs, "COALESCE", locs) != SDB_OK)
        return SDB_ERROR;
    c->expr.type = c->args[0]->type;
    *out = &c->expr;
    return SDB_OK;
}

static int bind_min_max(const SdbBindContext *bc, const SdbMinMaxExpr *node, SdbExpr **out)
{
    const char *what = node->op == SDB_MIN_MAX_OP_GREATEST ? "GREATEST" : "LEAST";
    SdbBoundMinMaxExpr *m = sdb_new_bound_min_max_expr(bc->expr->arena, SDB_TYPEOID_UNKNOWN);
    int *locs;
    if (m == NULL || bind_list(bc, node->args, &m->args, &locs) != SDB_OK)
        return SDB_ERROR;
    m->nargs = sdb_list_length(node->args);
    m->op = node->op == SDB_MIN_MAX_OP_GREATEST ? SDB_EXPR_MIN_MAX_GREATEST : SDB_EXPR_MIN_MAX_LEAST;
    if (sdb_bind_unify(bc, m->args, m->nargs, what, locs) != SDB_OK)
        return SDB_ERROR;
    m->expr.type = m->args[0]->type;
    const SdbTypeOps *ops = sdb_type_ops(m->expr.type);
    if (ops == NULL || ops->compare == NULL) {
        sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "could not identify a comparison function for type %s",
                  sdb_bind_type_name(m->expr.type));
        return sdb_bind_fail_at(bc, node->location);
    }
    *out = &m->expr;
    return SDB_OK;
}

/* CURRENT_TIMESTAMP is now(); CURRENT_DATE and LOCALTIMESTAMP are now()
 * cast to date and timestamp, all the transaction start.  CURRENT_USER,
 * USER and CURRENT_ROLE are current_user(), SESSION_USER session_user(),
 * CURRENT_CATALOG current_database(), CURRENT_SCHEMA current_schema(). */
static int bind_sql_value(const SdbBindContext *bc, const SdbSqlValueFunction *node, SdbExpr **out)
{
    const char *func = "now", *cast;
    switch (node->op) {
    case SDB_SQL_VALUE_OP_CURRENT_TIMESTAMP: cast = NULL; break;
    case SDB_SQL_VALUE_OP_CURRENT_DATE: cast = "date"; break;
    case SDB_SQL_VALUE_OP_LOCALTIMESTAMP: cast = "timestamp"; break;
    case SDB_SQL_VALUE_OP_CURRENT_ROLE:
    case SDB_SQL_VALUE_OP_CURRENT_USER:
    case SDB_SQL_VALUE_OP_USER: func = "current_user"; cast = NULL; break;
    case SDB_SQL_VALUE_OP_SESSION_USER: func = "session_user"; cast = NULL; break;
    case SDB_SQL_VALUE_OP_CURRENT_CATALOG: func = "current_database"; cast = NULL; break;
    case SDB_SQL_VALUE_OP_CURRENT_SCHEMA: func = "current_schema"; cast = NULL; break;
    default: return unsupported(bc, "this SQL value function", node->location);
    }
    SdbBoundFuncExpr *now, *converted;
    if (sdb_bind_function(bc, func, NULL, 0, node->location, &now) != SDB_OK)
        return SDB_ERROR;
    *out = &now->expr;
    now->sql_value = (int)node->op + 1;
    if (cast == NULL)
        return SDB_OK;
    SdbExpr **args = sdb_bind_exprs(bc, 1);
    if (args == NULL)
        return SDB_ERROR;
    args[0] = &now->expr;
    if (sdb_bind_function(bc, cast, args, 1, node->location, &converted) != SDB_OK)
        return SDB_ERROR;
    now->sql_value = 0;
    converted->sql_value = (int)node->op + 1;
    *out = &converted->expr;
    return SDB_OK;
}

/* ARRAY[a, b, ...]: the elements unified to one type (nested brackets
 * make a multidimensional array of the innermost elements' type). */
static int bind_array(const SdbBindContext *bc, const SdbAArrayExpr *node, SdbExpr **out)
{
    SdbBoundArrayExpr *a = sdb_new_bound_array_expr(bc->expr->arena, SDB_TYPEOID_UNKNOWN);
    int *locs;
    if (a == NULL || bind_list(bc, node->elements, &a->elements, &locs) != SDB_OK)
        return SDB_ERROR;
    a->nelements = sdb_list_length(node->elements);
    a->location = node->location;
    if (a->nelements == 0) {
        sdb_error(SDB_ERR_INDETERMINATE_DATATYPE, "cannot determine type of empty array");
        return sdb_bind_fail_at(bc, node->location);
    }
    if (sdb_bind_unify(bc, a->elements, a->nelements, "ARRAY", locs) != SDB_OK)
        return SDB_ERROR;
    SdbOid elem = a->elements[0]->type;
    if (a->elements[0]->tag == SDB_E_ARRAY_EXPR) {
        a->element_type = ((SdbBoundArrayExpr *)a->elements[0])->element_type;
        a->expr.type = elem;
    } else {
        const SdbTypeInfo *info = sdb_type_by_oid(elem);
        if (info == NULL || info->array_oid == SDB_INVALID_OID) {
            sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not find array type for data type %s", sdb_bind_type_name(elem));
            return sdb_bind_fail_at(bc, node->location);
        }
        a->element_type = elem;
        a->expr.type = info->array_oid;
    }
    *out = &a->expr;
    return SDB_OK;
}

/* Whether values of `type` carry a collation: the string types, arrays of
 * them and domains over them (PostgreSQL's typcollation != 0); unknown
 * literals take one when they become text. */
static bool type_collatable(SdbOid type)
{
    SdbOid base = sdb_domain_base_type(type);
    if (sdb_bind_type_is_array(base))
        base = sdb_domain_base_type(sdb_type_by_oid(base)->elem_oid);
    return base == SDB_TYPEOID_TEXT || base == SDB_TYPEOID_VARCHAR || base == SDB_TYPEOID_BPCHAR ||
           base == SDB_TYPEOID_NAME || base == SDB_TYPEOID_UNKNOWN;
}

/* expr COLLATE name.  The collations are the bootstrap ones of pg_collation
 * ("default", "C" and "POSIX" in pg_catalog), which all compare bytes, so
 * the expression is unchanged once the name and the type are checked. */
static int bind_collate(const SdbBindContext *bc, const SdbCollateClause *node, SdbExpr **out)
{
    static const char *const collations[] = {"default", "C", "POSIX"};
    if (bind(bc, node->arg, out) != SDB_OK)
        return SDB_ERROR;
    if (!type_collatable((*out)->type)) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "collations are not supported by type %s", sdb_bind_type_name((*out)->type));
        return sdb_bind_fail_at(bc, node->location);
    }
    int nparts = sdb_list_length(node->collname);
    const SdbNode *first = sdb_list_nth(node->collname, 0);
    bool schema_ok = nparts == 1 || (nparts == 2 && SDB_IS_A(first, STRING) &&
                                     strcmp(((const SdbString *)first)->sval, "pg_catalog") == 0);
    const char *name = last_name(node->collname);
    bool found = false;
    for (size_t i = 0; schema_ok && i < sizeof(collations) / sizeof(collations[0]); i++)
        found = found || strcmp(name, collations[i]) == 0;
    if (!found) {
        SdbStr full;
        sdb_str_init(&full, bc->expr->arena);
        for (int i = 0; i < nparts; i++) {
            const SdbNode *part = sdb_list_nth(node->collname, i);
            if (sdb_str_appendf(&full, "%s%s", i > 0 ? "." : "",
                                SDB_IS_A(part, STRING) ? ((const SdbString *)part)->sval : "") != SDB_OK)
                return SDB_ERROR;
        }
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "collation \"%s\" for encoding \"UTF8\" does not exist", full.data);
        return sdb_bind_fail_at(bc, node->location);
    }
    return SDB_OK;
}

/* The element type of a subscriptable type (arrays, int2vector,
 * oidvector), or 0. */
static SdbOid subscript_element(SdbOid type)
{
    if (type == SDB_TYPEOID_INT2VECTOR)
        return SDB_TYPEOID_INT2;
    if (type == SDB_TYPEOID_OIDVECTOR)
        return SDB_TYPEOID_OID;
    return sdb_bind_type_is_array(type) ? sdb_type_by_oid(type)->elem_oid : SDB_INVALID_OID;
}

/* expr[i][j]...: an element of an array (slices and field selections are
 * not supported). */
static int bind_indirection(const SdbBindContext *bc, const SdbAIndirection *node, SdbExpr **out)
{
    int n = sdb_list_length(node->indirection);
    SdbBoundSubscriptingRef *ref = sdb_new_bound_subscripting_ref(bc->expr->arena, SDB_INVALID_OID);
    SdbExpr **args = sdb_bind_exprs(bc, n + 1);
    if (ref == NULL || args == NULL || bind(bc, node->arg, &args[0]) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        const SdbNode *item = sdb_list_nth(node->indirection, i);
        if (!SDB_IS_A(item, A_INDICES))
            return unsupported(bc, "field selection", sdb_bind_location(node->arg));
        const SdbAIndices *ind = (const SdbAIndices *)item;
        if (ind->is_slice)
            return unsupported(bc, "an array slice", sdb_bind_location(node->arg));
        SdbOid elem = subscript_element(args[0]->type);
        if (elem == SDB_INVALID_OID) {
            sdb_error(SDB_ERR_DATATYPE_MISMATCH, "cannot subscript type %s because it does not support subscripting",
                      sdb_bind_type_name(args[0]->type));
            return sdb_bind_fail_at(bc, sdb_bind_location(node->arg));
        }
        if (n > SDB_ARRAY_MAXDIM) {
            sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                      n, SDB_ARRAY_MAXDIM);
            return sdb_bind_fail_at(bc, sdb_bind_location(node->arg));
        }
        SdbExpr *sub;
        int loc = sdb_bind_location(ind->uidx);
        if (bind(bc, ind->uidx, &sub) != SDB_OK)
            return SDB_ERROR;
        if (!sdb_bind_can_coerce(sub->type, SDB_TYPEOID_INT4, SDB_CAST_ASSIGNMENT)) {
            sdb_error(SDB_ERR_DATATYPE_MISMATCH, "array subscript must have type integer");
            return sdb_bind_fail_at(bc, loc);
        }
        if (sdb_bind_coerce(bc, sub, SDB_TYPEOID_INT4, -1, SDB_CAST_ASSIGNMENT, loc, &args[i + 1]) != SDB_OK)
            return SDB_ERROR;
        ref->expr.type = elem;
    }
    ref->expr.typmod = args[0]->typmod;
    ref->args = args;
    ref->nargs = n + 1;
    *out = &ref->expr;
    return SDB_OK;
}

static int bind(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out)
{
    if (bc->hook != NULL) {
        int rc = bc->hook(bc->hook_arg, bc, node, out);
        if (rc != SDB_BIND_DEFAULT)
            return rc;
    }
    switch (SDB_NODE_TAG(node)) {
    case SDB_T_A_ARRAY_EXPR: return bind_array(bc, (const SdbAArrayExpr *)node, out);
    case SDB_T_A_CONST: return bind_const(bc, (const SdbAConst *)node, out);
    case SDB_T_PARAM_REF: return bind_param(bc, (const SdbParamRef *)node, out);
    case SDB_T_A_EXPR: return bind_a_expr(bc, (const SdbAExpr *)node, out);
    case SDB_T_BOOL_EXPR: return bind_bool_expr(bc, (const SdbBoolExpr *)node, out);
    case SDB_T_NULL_TEST: return bind_null_test(bc, (const SdbNullTest *)node, out);
    case SDB_T_BOOLEAN_TEST: return bind_boolean_test(bc, (const SdbBooleanTest *)node, out);
    case SDB_T_FUNC_CALL: return bind_func_call(bc, (const SdbFuncCall *)node, out);
    case SDB_T_TYPE_CAST: return bind_type_cast(bc, (const SdbTypeCast *)node, out);
    case SDB_T_CASE_EXPR: return bind_case(bc, (const SdbCaseExpr *)node, out);
    case SDB_T_COALESCE_EXPR: return bind_coalesce(bc, (const SdbCoalesceExpr *)node, out);
    case SDB_T_MIN_MAX_EXPR: return bind_min_max(bc, (const SdbMinMaxExpr *)node, out);
    case SDB_T_SQL_VALUE_FUNCTION: return bind_sql_value(bc, (const SdbSqlValueFunction *)node, out);
    case SDB_T_COLLATE_CLAUSE: return bind_collate(bc, (const SdbCollateClause *)node, out);
    case SDB_T_A_INDIRECTION: return bind_indirection(bc, (const SdbAIndirection *)node, out);
    case SDB_T_COLUMN_REF: return unsupported(bc, "a column reference outside a query", sdb_bind_location(node));
    default: break;
    }
    sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "%s is not supported in an expression", sdb_node_tag_name(SDB_NODE_TAG(node)));
    return SDB_ERROR;
}

int sdb_bind_node(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out)
{
    return bind(bc, node, out);
}

int sdb_bind_expr(const SdbBindContext *bc, const SdbNode *node, SdbExpr **out)
{
    SdbExpr *expr;
    if (bind(bc, node, &expr) != SDB_OK)
        return SDB_ERROR;
    if (expr->type == SDB_TYPEOID_UNKNOWN)
        return sdb_bind_coerce(bc, expr, SDB_TYPEOID_TEXT, -1, SDB_CAST_IMPLICIT, sdb_bind_location(node), out);
    *out = expr;
    return SDB_OK;
}
