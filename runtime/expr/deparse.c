/*
 * expr/deparse.c: bound expressions back to SQL text, as PostgreSQL's
 * ruleutils.c (get_rule_expr and its helpers) prints a stored expression,
 * with PRETTYFLAG_INDENT always on and PRETTYFLAG_PAREN when dp->pretty.
 */
#include "expr/deparse.h"

#include <ctype.h>
#include <string.h>

#include "common/error.h"
#include "expr/eval.h"
#include "sdb_operators.h"

#define INDENT_VAR 4 /* PostgreSQL's PRETTYINDENT_VAR */

typedef struct Deparse {
    const SdbDeparse *dp;
    SdbStr *out;
    int indent;
} Deparse;

static int rule_expr(Deparse *d, const SdbExpr *e, bool showimplicit);

static int put(Deparse *d, const char *s) { return sdb_str_append_cstr(d->out, s); }

/* Whether `e` is a cast (explicit or implicit) rather than a call. */
static bool is_cast_func(const SdbExpr *e)
{
    return e->tag == SDB_E_FUNC_EXPR && ((const SdbBoundFuncExpr *)e)->format != SDB_EXPR_COERCION_FORM_CALL;
}

static const char *oper_name(SdbOid opno)
{
    const SdbOperInfo *op = sdb_oper_by_oid(opno);
    return op != NULL ? op->name : "???";
}

/* get_simple_binary_op_name: a one-character binary operator's name. */
static const char *simple_binary_op(const SdbExpr *e)
{
    const SdbBoundOpExpr *op = (const SdbBoundOpExpr *)e;
    if (op->nargs != 2)
        return NULL;
    const char *name = oper_name(op->opno);
    return strlen(name) == 1 ? name : NULL;
}

/* The parent kinds that set their child off by their own syntax
 * (parentheses, commas, keywords). */
static bool parent_separates(const SdbExpr *parent)
{
    switch (parent->tag) {
    case SDB_E_FUNC_EXPR: return !is_cast_func(parent);
    case SDB_E_BOOL_EXPR:
    case SDB_E_SUBSCRIPTING_REF:
    case SDB_E_ARRAY_EXPR:
    case SDB_E_COALESCE_EXPR:
    case SDB_E_MIN_MAX_EXPR:
    case SDB_E_NULL_IF_EXPR:
    case SDB_E_AGGREF:
    case SDB_E_WINDOW_FUNC:
    case SDB_E_CASE_EXPR: return true;
    default: return false;
    }
}

/* isSimpleNode: whether `node` under `parent` needs no parentheses in
 * pretty mode. */
static bool is_simple(const SdbExpr *node, const SdbExpr *parent, bool pretty)
{
    switch (node->tag) {
    case SDB_E_VAR:
    case SDB_E_CONST:
    case SDB_E_PARAM:
    case SDB_E_CASE_TEST:
    case SDB_E_ARRAY_EXPR:
    case SDB_E_COALESCE_EXPR:
    case SDB_E_MIN_MAX_EXPR:
    case SDB_E_NULL_IF_EXPR:
    case SDB_E_AGGREF:
    case SDB_E_WINDOW_FUNC:
    case SDB_E_GROUPING_FUNC:
    case SDB_E_FUNC_EXPR:
    case SDB_E_SUBSCRIPTING_REF:
    case SDB_E_CASE_EXPR: return true;
    case SDB_E_RELABEL_TYPE: return is_simple(((const SdbBoundRelabelType *)node)->arg, node, pretty);
    case SDB_E_COERCE_VIA_IO: return is_simple(((const SdbBoundCoerceViaIo *)node)->arg, node, pretty);
    case SDB_E_OP_EXPR:
        if (pretty && parent->tag == SDB_E_OP_EXPR) {
            const char *op = simple_binary_op(node), *parent_op = simple_binary_op(parent);
            if (op == NULL || parent_op == NULL)
                return false;
            bool lo = strchr("+-", *op) != NULL, hi = strchr("*/%", *op) != NULL;
            bool parent_lo = strchr("+-", *parent_op) != NULL, parent_hi = strchr("*/%", *parent_op) != NULL;
            if (!(lo || hi) || !(parent_lo || parent_hi))
                return false;
            if (hi && parent_lo)
                return true;
            if (lo && parent_hi)
                return false;
            return ((const SdbBoundOpExpr *)parent)->args[0] == node; /* (a - b) - c, not a - (b - c) */
        }
        return parent_separates(parent);
    case SDB_E_SUB_PLAN:
    case SDB_E_NULL_TEST:
    case SDB_E_BOOLEAN_TEST:
    case SDB_E_DISTINCT_EXPR: return parent_separates(parent);
    case SDB_E_BOOL_EXPR:
        if (parent->tag == SDB_E_BOOL_EXPR) {
            SdbExprBoolOp type = ((const SdbBoundBoolExpr *)node)->boolop;
            SdbExprBoolOp parent_type = ((const SdbBoundBoolExpr *)parent)->boolop;
            if (!pretty)
                return false;
            if (type == SDB_EXPR_BOOL_OP_OR)
                return parent_type == SDB_EXPR_BOOL_OP_OR;
            return parent_type == SDB_EXPR_BOOL_OP_AND || parent_type == SDB_EXPR_BOOL_OP_OR;
        }
        return parent_separates(parent);
    default: return false;
    }
}

/* get_rule_expr_paren */
static int rule_expr_paren(Deparse *d, const SdbExpr *e, bool showimplicit, const SdbExpr *parent)
{
    bool paren = d->dp->pretty && !is_simple(e, parent, true);
    if (paren && put(d, "(") != SDB_OK)
        return SDB_ERROR;
    if (rule_expr(d, e, showimplicit) != SDB_OK)
        return SDB_ERROR;
    return paren ? put(d, ")") : SDB_OK;
}

/* appendContextKeyword with PRETTYFLAG_INDENT: a new line at the
 * indentation (trailing spaces of the line before removed). */
static int context_keyword(Deparse *d, const char *keyword, int before, int after)
{
    while (d->out->len > 0 && d->out->data[d->out->len - 1] == ' ')
        d->out->data[--d->out->len] = '\0';
    d->indent += before;
    if (d->indent < 0)
        d->indent = 0;
    int rc = sdb_str_appendf(d->out, "\n%*s%s", d->indent, "", keyword);
    d->indent += after;
    return rc;
}

static int type_label(Deparse *d, SdbOid type, int32_t typmod)
{
    return put(d, "::") | sdb_format_type(d->out, type, typmod, true);
}

/* get_const_expr: showtype < 0 never labels, 0 labels when the literal
 * would not read back as this type. */
static int const_expr(Deparse *d, const SdbBoundConst *c, int showtype)
{
    SdbOid type = c->expr.type;
    if (c->isnull) {
        if (put(d, "NULL") != SDB_OK)
            return SDB_ERROR;
        return showtype >= 0 ? type_label(d, type, c->expr.typmod) : SDB_OK;
    }
    SdbStr text;
    sdb_str_init(&text, d->out->arena);
    if (sdb_expr_output(d->dp->context, type, c->value, &text) != SDB_OK || sdb_str_append(&text, "", 0) != SDB_OK)
        return SDB_ERROR;
    const char *v = text.data;
    bool label = false;
    int rc = SDB_OK;
    switch (type) {
    case SDB_TYPEOID_INT4:
        label = v[0] == '-';
        rc = label ? sdb_str_appendf(d->out, "'%s'", v) : put(d, v);
        break;
    case SDB_TYPEOID_NUMERIC:
        label = !(isdigit((unsigned char)v[0]) && strcspn(v, "eE.") != strlen(v));
        rc = label ? sdb_str_appendf(d->out, "'%s'", v) : put(d, v);
        break;
    case SDB_TYPEOID_BOOL: rc = put(d, strcmp(v, "t") == 0 ? "true" : "false"); break;
    default:
        label = true;
        rc = put(d, "'");
        for (const char *p = v; *p && rc == SDB_OK; p++)
            rc = (*p == '\'' ? put(d, "'") : SDB_OK) | sdb_str_append_char(d->out, *p);
        rc |= put(d, "'");
        break;
    }
    if (rc != SDB_OK || showtype < 0)
        return rc;
    if (type == SDB_TYPEOID_BOOL || type == SDB_TYPEOID_UNKNOWN)
        label = false;
    else if (type == SDB_TYPEOID_NUMERIC)
        label = label || c->expr.typmod >= 0;
    return label || showtype > 0 ? type_label(d, type, c->expr.typmod) : SDB_OK;
}

/* get_coercion_expr: arg::type(typmod). */
static int coercion_expr(Deparse *d, const SdbExpr *arg, SdbOid type, int32_t typmod, const SdbExpr *parent)
{
    if (arg->tag == SDB_E_CONST && arg->type == type && arg->typmod == -1) {
        if (const_expr(d, (const SdbBoundConst *)arg, -1) != SDB_OK)
            return SDB_ERROR;
    } else if ((!d->dp->pretty && put(d, "(") != SDB_OK) || rule_expr_paren(d, arg, false, parent) != SDB_OK ||
               (!d->dp->pretty && put(d, ")") != SDB_OK)) {
        return SDB_ERROR;
    }
    return type_label(d, type, typmod);
}

static int expr_list(Deparse *d, SdbExpr *const *args, int n)
{
    for (int i = 0; i < n; i++)
        if ((i > 0 && put(d, ", ") != SDB_OK) || rule_expr(d, args[i], true) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

static int func_expr(Deparse *d, const SdbBoundFuncExpr *f, bool showimplicit)
{
    static const char *const sql_values[] = {
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_ROLE",
        "CURRENT_USER", "USER", "SESSION_USER", "CURRENT_CATALOG", "CURRENT_SCHEMA"};
    if (f->sql_value > 0 && f->sql_value <= (int)(sizeof sql_values / sizeof sql_values[0]))
        return put(d, sql_values[f->sql_value - 1]);
    if (f->format == SDB_EXPR_COERCION_FORM_IMPLICIT_CAST && !showimplicit)
        return rule_expr_paren(d, f->args[0], false, &f->expr);
    if (f->format != SDB_EXPR_COERCION_FORM_CALL) {
        int32_t typmod = -1; /* a length coercion's typmod (exprIsLengthCoercion) */
        if (f->nargs >= 2 && f->args[1]->tag == SDB_E_CONST && f->args[1]->type == SDB_TYPEOID_INT4)
            typmod = (int32_t)((const SdbBoundConst *)f->args[1])->value;
        return coercion_expr(d, f->args[0], f->expr.type, typmod, &f->expr);
    }
    if (sdb_append_ident(d->out, f->func->name) != SDB_OK || put(d, "(") != SDB_OK ||
        expr_list(d, f->args, f->nargs) != SDB_OK)
        return SDB_ERROR;
    return put(d, ")");
}

static int oper_expr(Deparse *d, const SdbBoundOpExpr *op)
{
    int rc = d->dp->pretty ? SDB_OK : put(d, "(");
    if (op->nargs == 2) {
        rc |= rule_expr_paren(d, op->args[0], true, &op->expr);
        rc |= sdb_str_appendf(d->out, " %s ", oper_name(op->opno));
        rc |= rule_expr_paren(d, op->args[1], true, &op->expr);
    } else {
        rc |= sdb_str_appendf(d->out, "%s ", oper_name(op->opno));
        rc |= rule_expr_paren(d, op->args[0], true, &op->expr);
    }
    return rc | (d->dp->pretty ? SDB_OK : put(d, ")"));
}

static int scalar_array_op(Deparse *d, const SdbBoundScalarArrayOp *s)
{
    int rc = d->dp->pretty ? SDB_OK : put(d, "(");
    rc |= rule_expr_paren(d, s->args[0], true, &s->expr);
    rc |= sdb_str_appendf(d->out, " %s %s (", oper_name(s->opno), s->use_or ? "ANY" : "ALL");
    if (s->array_arg)
        rc |= rule_expr_paren(d, s->args[1], true, &s->expr);
    else
        rc |= put(d, "ARRAY[") | expr_list(d, s->args + 1, s->nargs - 1) | put(d, "]");
    rc |= put(d, ")");
    return rc | (d->dp->pretty ? SDB_OK : put(d, ")"));
}

static int bool_expr(Deparse *d, const SdbBoundBoolExpr *b)
{
    int rc = d->dp->pretty ? SDB_OK : put(d, "(");
    if (b->boolop == SDB_EXPR_BOOL_OP_NOT) {
        rc |= put(d, "NOT ") | rule_expr_paren(d, b->args[0], false, &b->expr);
    } else {
        for (int i = 0; i < b->nargs && rc == SDB_OK; i++) {
            if (i > 0)
                rc |= put(d, b->boolop == SDB_EXPR_BOOL_OP_AND ? " AND " : " OR ");
            rc |= rule_expr_paren(d, b->args[i], false, &b->expr);
        }
    }
    return rc | (d->dp->pretty ? SDB_OK : put(d, ")"));
}

/* x IS [NOT] NULL, x IS [NOT] TRUE/FALSE/UNKNOWN, a IS DISTINCT FROM b. */
static int postfix_test(Deparse *d, const SdbExpr *node, const SdbExpr *arg, const char *test, const SdbExpr *arg2)
{
    int rc = d->dp->pretty ? SDB_OK : put(d, "(");
    rc |= rule_expr_paren(d, arg, true, node) | put(d, test);
    if (arg2 != NULL)
        rc |= rule_expr_paren(d, arg2, true, node);
    return rc | (d->dp->pretty ? SDB_OK : put(d, ")"));
}

static int case_expr(Deparse *d, const SdbBoundCaseExpr *c)
{
    int rc = context_keyword(d, "CASE", 0, INDENT_VAR);
    if (c->arg != NULL)
        rc |= put(d, " ") | rule_expr(d, c->arg, true);
    for (int i = 0; i < c->nwhens && rc == SDB_OK; i++) {
        const SdbExpr *cond = c->conds[i];
        if (c->arg != NULL && cond->tag == SDB_E_OP_EXPR && ((const SdbBoundOpExpr *)cond)->nargs == 2)
            cond = ((const SdbBoundOpExpr *)cond)->args[1]; /* CaseTest = value: the value */
        rc |= context_keyword(d, "WHEN ", 0, 0) | rule_expr(d, cond, false) | put(d, " THEN ");
        rc |= rule_expr(d, c->results[i], true);
    }
    rc |= context_keyword(d, "ELSE ", 0, 0);
    if (c->defresult != NULL)
        rc |= rule_expr(d, c->defresult, true);
    else
        rc |= put(d, "NULL") | type_label(d, c->expr.type, c->expr.typmod);
    return rc | context_keyword(d, "END", -INDENT_VAR, 0);
}

/* array[i][j]: the array parenthesized unless a column. */
static int subscripting_ref(Deparse *d, const SdbBoundSubscriptingRef *r)
{
    bool paren = r->args[0]->tag != SDB_E_VAR;
    int rc = (paren ? put(d, "(") : SDB_OK) | rule_expr(d, r->args[0], false) | (paren ? put(d, ")") : SDB_OK);
    for (int i = 1; i < r->nargs && rc == SDB_OK; i++)
        rc |= put(d, "[") | rule_expr(d, r->args[i], false) | put(d, "]");
    return rc;
}

/* "NAME(" list ")" of COALESCE, GREATEST, LEAST, NULLIF, ARRAY[. */
static int keyword_list(Deparse *d, const char *open, SdbExpr *const *args, int n, const char *close)
{
    return put(d, open) | expr_list(d, args, n) | put(d, close);
}

static int rule_expr(Deparse *d, const SdbExpr *e, bool showimplicit)
{
    switch (e->tag) {
    case SDB_E_VAR: return sdb_append_ident(d->out, d->dp->var_name(d->dp->arg, (const SdbBoundVar *)e));
    case SDB_E_CONST: return const_expr(d, (const SdbBoundConst *)e, 0);
    case SDB_E_PARAM: return sdb_str_appendf(d->out, "$%d", ((const SdbBoundParam *)e)->number);
    case SDB_E_FUNC_EXPR: return func_expr(d, (const SdbBoundFuncExpr *)e, showimplicit);
    case SDB_E_OP_EXPR: return oper_expr(d, (const SdbBoundOpExpr *)e);
    case SDB_E_RELABEL_TYPE:
    case SDB_E_COERCE_VIA_IO: {
        const SdbExpr *arg = e->tag == SDB_E_RELABEL_TYPE ? ((const SdbBoundRelabelType *)e)->arg
                                                          : ((const SdbBoundCoerceViaIo *)e)->arg;
        SdbExprCoercionForm form = e->tag == SDB_E_RELABEL_TYPE ? ((const SdbBoundRelabelType *)e)->format
                                                                : ((const SdbBoundCoerceViaIo *)e)->format;
        if (form == SDB_EXPR_COERCION_FORM_IMPLICIT_CAST && !showimplicit)
            return rule_expr_paren(d, arg, false, e);
        return coercion_expr(d, arg, e->type, e->typmod, e);
    }
    case SDB_E_BOOL_EXPR: return bool_expr(d, (const SdbBoundBoolExpr *)e);
    case SDB_E_NULL_TEST: {
        const SdbBoundNullTest *n = (const SdbBoundNullTest *)e;
        return postfix_test(d, e, n->arg,
                            n->nulltesttype == SDB_EXPR_NULL_TEST_IS_NULL ? " IS NULL" : " IS NOT NULL", NULL);
    }
    case SDB_E_BOOLEAN_TEST: {
        static const char *const tests[] = {" IS TRUE",  " IS NOT TRUE", " IS FALSE",
                                            " IS NOT FALSE", " IS UNKNOWN", " IS NOT UNKNOWN"};
        const SdbBoundBooleanTest *b = (const SdbBoundBooleanTest *)e;
        return postfix_test(d, e, b->arg, tests[b->booltesttype], NULL);
    }
    case SDB_E_DISTINCT_EXPR: {
        const SdbBoundDistinctExpr *x = (const SdbBoundDistinctExpr *)e;
        return postfix_test(d, e, x->args[0], " IS DISTINCT FROM ", x->args[1]);
    }
    case SDB_E_SCALAR_ARRAY_OP: return scalar_array_op(d, (const SdbBoundScalarArrayOp *)e);
    case SDB_E_CASE_EXPR: return case_expr(d, (const SdbBoundCaseExpr *)e);
    case SDB_E_SUBSCRIPTING_REF: return subscripting_ref(d, (const SdbBoundSubscriptingRef *)e);
    case SDB_E_ARRAY_EXPR: {
        const SdbBoundArrayExpr *a = (const SdbBoundArrayExpr *)e;
        return keyword_list(d, "ARRAY[", a->elements, a->nelements, "]");
    }
    case SDB_E_COALESCE_EXPR: {
        const SdbBoundCoalesceExpr *c = (const SdbBoundCoalesceExpr *)e;
        return keyword_list(d, "COALESCE(", c->args, c->nargs, ")");
    }
    case SDB_E_MIN_MAX_EXPR: {
        const SdbBoundMinMaxExpr *m = (const SdbBoundMinMaxExpr *)e;
        return keyword_list(d, m->op == SDB_EXPR_MIN_MAX_GREATEST ? "GREATEST(" : "LEAST(", m->args, m->nargs, ")");
    }
    case SDB_E_NULL_IF_EXPR: {
        const SdbBoundNullIfExpr *n = (const SdbBoundNullIfExpr *)e;
        return keyword_list(d, "NULLIF(", n->args, n->nargs, ")");
    }
    default:
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot print expression node %s", sdb_expr_tag_name(e->tag));
    }
}

int sdb_deparse_expr(const SdbDeparse *dp, const SdbExpr *e)
{
    Deparse d = {.dp = dp, .out = dp->out, .indent = 0};
    return rule_expr(&d, e, false);
}
