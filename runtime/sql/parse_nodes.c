/*
 * parse_nodes.c: the node builders the grammar's actions call (PostgreSQL's
 * makefuncs.c and the helpers at the end of its gram.y): lists, literals,
 * operator and boolean expressions, column references, table names, set
 * operations and the trailing clauses of a SELECT.  Everything goes into
 * the parse arena; an arena failure longjmps to the parse's recovery point.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "sql/parser_int.h"

#define NEW(snake) sdb_parse_check(ps, sdb_new_##snake(ps->arena))

SdbList *sdb_pn_append(SdbParseState *ps, SdbList *list, void *item)
{
    return sdb_parse_check(ps, sdb_list_append(ps->arena, list, item));
}

SdbList *sdb_pn_list1(SdbParseState *ps, void *item)
{
    return sdb_pn_append(ps, NULL, item);
}

SdbList *sdb_pn_list2(SdbParseState *ps, void *a, void *b)
{
    return sdb_pn_append(ps, sdb_pn_list1(ps, a), b);
}

SdbList *sdb_pn_concat(SdbParseState *ps, SdbList *a, SdbList *b)
{
    for (int i = 0; i < sdb_list_length(b); i++)
        a = sdb_pn_append(ps, a, b->items[i]);
    return a;
}

char *sdb_pn_strdup(SdbParseState *ps, const char *s)
{
    return sdb_parse_strndup(ps, s, strlen(s));
}

SdbNode *sdb_pn_string(SdbParseState *ps, const char *s)
{
    SdbString *node = NEW(string);
    node->sval = sdb_pn_strdup(ps, s);
    return (SdbNode *)node;
}

SdbNode *sdb_pn_integer(SdbParseState *ps, int value)
{
    SdbInteger *node = NEW(integer);
    node->ival = value;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_const(SdbParseState *ps, SdbConstKind kind, const char *val, int location)
{
    SdbAConst *node = NEW(a_const);
    node->kind = kind;
    node->val = val ? sdb_pn_strdup(ps, val) : NULL;
    node->location = location;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_int_const(SdbParseState *ps, int value, int location)
{
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    return sdb_pn_const(ps, SDB_CONST_KIND_INTEGER, text, location);
}

SdbNode *sdb_pn_aexpr(SdbParseState *ps, SdbAExprKind kind, SdbList *name, SdbNode *l, SdbNode *r,
                      int location)
{
    SdbAExpr *node = NEW(a_expr);
    node->kind = kind;
    node->name = name;
    node->lexpr = l;
    node->rexpr = r;
    node->location = location;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_op(SdbParseState *ps, const char *op, SdbNode *l, SdbNode *r, int location)
{
    return sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_OP, sdb_pn_list1(ps, sdb_pn_string(ps, op)), l, r, location);
}

SdbNode *sdb_pn_bool(SdbParseState *ps, SdbBoolExprType op, SdbNode *l, SdbNode *r, int location)
{
    if (SDB_IS_A(l, BOOL_EXPR) && ((SdbBoolExpr *)l)->boolop == op) {
        SdbBoolExpr *left = (SdbBoolExpr *)l;
        left->args = sdb_pn_append(ps, left->args, r);
        return l;
    }
    SdbBoolExpr *node = NEW(bool_expr);
    node->boolop = op;
    node->args = sdb_pn_list2(ps, l, r);
    node->location = location;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_not(SdbParseState *ps, SdbNode *arg, int location)
{
    SdbBoolExpr *node = NEW(bool_expr);
    node->boolop = SDB_BOOL_EXPR_TYPE_NOT;
    node->args = sdb_pn_list1(ps, arg);
    node->location = location;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_negate(SdbParseState *ps, SdbNode *arg, int location)
{
    if (SDB_IS_A(arg, A_CONST)) {
        SdbAConst *c = (SdbAConst *)arg;
        if (c->kind == SDB_CONST_KIND_INTEGER || c->kind == SDB_CONST_KIND_FLOAT) {
            c->location = location;
            if (c->val[0] == '-')
                c->val++;
            else
                c->val = sdb_parse_check(ps, sdb_arena_sprintf(ps->arena, "-%s", c->val));
            return arg;
        }
    }
    return sdb_pn_op(ps, "-", NULL, arg, location);
}

SdbNode *sdb_pn_cast(SdbParseState *ps, SdbNode *arg, SdbTypeName *type, int location)
{
    SdbTypeCast *node = NEW(type_cast);
    node->arg = arg;
    node->type_name = type;
    node->location = location;
    return (SdbNode *)node;
}

SdbTypeName *sdb_pn_type_name(SdbParseState *ps, SdbList *names, int location)
{
    SdbTypeName *node = NEW(type_name);
    node->names = names;
    node->location = location;
    return node;
}

SdbTypeName *sdb_pn_system_type(SdbParseState *ps, const char *name, int location)
{
    return sdb_pn_type_name(ps, sdb_pn_list2(ps, sdb_pn_string(ps, "pg_catalog"), sdb_pn_string(ps, name)),
                            location);
}

SdbFuncCall *sdb_pn_func_call(SdbParseState *ps, SdbList *name, SdbList *args, int location)
{
    SdbFuncCall *node = NEW(func_call);
    node->funcname = name;
    node->args = args;
    node->location = location;
    return node;
}

SdbFuncCall *sdb_pn_system_func(SdbParseState *ps, const char *name, SdbList *args, int location)
{
    SdbList *names = sdb_pn_list2(ps, sdb_pn_string(ps, "pg_catalog"), sdb_pn_string(ps, name));
    return sdb_pn_func_call(ps, names, args, location);
}

SdbNode *sdb_pn_indirection(SdbParseState *ps, SdbNode *base, SdbList *indirection)
{
    if (indirection == NULL)
        return base;
    SdbAIndirection *node = NEW(a_indirection);
    node->arg = base;
    node->indirection = indirection;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_column_ref(SdbParseState *ps, const char *first, SdbList *indirection, int location)
{
    SdbColumnRef *ref = NEW(column_ref);
    ref->location = location;
    ref->fields = sdb_pn_list1(ps, sdb_pn_string(ps, first));
    int n = sdb_list_length(indirection);
    for (int i = 0; i < n; i++) {
        SdbNode *item = indirection->items[i];
        if (SDB_IS_A(item, A_INDICES)) {
            SdbList *rest = NULL;
            for (int j = i; j < n; j++)
                rest = sdb_pn_append(ps, rest, indirection->items[j]);
            return sdb_pn_indirection(ps, (SdbNode *)ref, rest);
        }
        ref->fields = sdb_pn_append(ps, ref->fields, item);
    }
    return (SdbNode *)ref;
}

/* 42601 "improper qualified name (too many dotted names): a.b.c.d". */
static void improper_name(SdbParseState *ps, SdbList *names, int location)
{
    SdbStr text;
    sdb_str_init(&text, ps->arena);
    for (int i = 0; i < sdb_list_length(names); i++) {
        if (i > 0)
            sdb_parse_check(ps, sdb_str_append_char(&text, '.') == SDB_OK ? &text : NULL);
        const char *part = SDB_IS_A(names->items[i], STRING) ? ((SdbString *)names->items[i])->sval : "*";
        sdb_parse_check(ps, sdb_str_append_cstr(&text, part) == SDB_OK ? &text : NULL);
    }
    sdb_error(SDB_ERR_SYNTAX_ERROR, "improper qualified name (too many dotted names): %s",
              text.data ? text.data : "");
    sdb_parse_error_position(ps, location);
}

SdbList *sdb_pn_name_list(SdbParseState *ps, const char *first, SdbList *indirection, int location)
{
    SdbList *names = sdb_pn_list1(ps, sdb_pn_string(ps, first));
    for (int i = 0; i < sdb_list_length(indirection); i++) {
        SdbNode *item = indirection->items[i];
        if (!SDB_IS_A(item, STRING)) {
            sdb_parse_syntax_error(ps, "syntax error", location, location);
            return NULL;
        }
        names = sdb_pn_append(ps, names, item);
    }
    return names;
}

SdbRangeVar *sdb_pn_range_var(SdbParseState *ps, const char *first, SdbList *indirection, int location)
{
    SdbList *names = sdb_pn_name_list(ps, first, indirection, location);
    if (names == NULL)
        return NULL;
    if (names->length > 3) {
        improper_name(ps, names, location);
        return NULL;
    }
    SdbRangeVar *rv = NEW(range_var);
    rv->location = location;
    int n = names->length;
    rv->relname = ((SdbString *)names->items[n - 1])->sval;
    if (n >= 2)
        rv->schemaname = ((SdbString *)names->items[n - 2])->sval;
    if (n == 3)
        rv->catalogname = ((SdbString *)names->items[0])->sval;
    return rv;
}

SdbNode *sdb_pn_def_elem(SdbParseState *ps, const char *name, SdbNode *arg, int location)
{
    SdbDefElem *node = NEW(def_elem);
    node->defname = sdb_pn_strdup(ps, name);
    node->arg = arg;
    node->location = location;
    return (SdbNode *)node;
}

SdbNode *sdb_pn_set_op(SdbParseState *ps, SdbSetOperation op, bool all, SdbNode *l, SdbNode *r)
{
    SdbSelectStmt *node = NEW(select_stmt);
    node->op = op;
    node->all = all;
    node->larg = (SdbSelectStmt *)l;
    node->rarg = (SdbSelectStmt *)r;
    return (SdbNode *)node;
}

/* 42601 "multiple CLAUSE clauses not allowed" at `location`. */
static int multiple_clauses(SdbParseState *ps, const char *clause, int location)
{
    sdb_error(SDB_ERR_SYNTAX_ERROR, "multiple %s clauses not allowed", clause);
    sdb_parse_error_position(ps, location);
    return SDB_ERROR;
}

int sdb_pn_select_options(SdbParseState *ps, SdbNode *select, SdbList *sort, SdbSelectLimit *limit,
                          SdbList *locking, SdbNode *with, int location)
{
    SdbSelectStmt *s = (SdbSelectStmt *)select;
    if (sort != NULL) {
        if (s->sort_clause != NULL)
            return multiple_clauses(ps, "ORDER BY", location);
        s->sort_clause = sort;
    }
    s->locking_clause = sdb_pn_concat(ps, s->locking_clause, locking);
    if (limit != NULL && limit->offset != NULL) {
        if (s->limit_offset != NULL)
            return multiple_clauses(ps, "OFFSET", location);
        s->limit_offset = limit->offset;
    }
    if (limit != NULL && (limit->count != NULL || limit->option != SDB_LIMIT_OPTION_DEFAULT)) {
        if (s->limit_count != NULL || s->limit_option != SDB_LIMIT_OPTION_DEFAULT)
            return multiple_clauses(ps, "LIMIT", location);
        s->limit_count = limit->count;
        s->limit_option = limit->option;
    }
    if (with != NULL) {
        if (s->with_clause != NULL)
            return multiple_clauses(ps, "WITH", location);
        s->with_clause = (SdbWithClause *)with;
    }
    return SDB_OK;
}

SdbNode *sdb_pn_raw_stmt(SdbParseState *ps, SdbNode *stmt, int location)
{
    SdbRawStmt *node = NEW(raw_stmt);
    node->stmt = stmt;
    node->stmt_location = location;
    return (SdbNode *)node;
}
