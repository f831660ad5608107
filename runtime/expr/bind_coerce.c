/*
 * expr/bind_coerce.c: type facts for the binder and coercion: which casts
 * apply in which context (the cast table, plus PostgreSQL's automatic casts
 * through text to and from the string types), converting expressions and
 * literals, and the common type of CASE/COALESCE/GREATEST/IN branches.
 */
#include "expr/bind_int.h"
#include "types/typefuncs.h"

#include "common/error.h"
#include "common/utf8.h"
#include "types/typeio.h"

int sdb_bind_fail_at(const SdbBindContext *bc, int location)
{
    if (location >= 0)
        sdb_error_position((bc->sql ? sdb_utf8_char_count(bc->sql, (size_t)location) : location) + 1);
    return SDB_ERROR;
}

const char *sdb_bind_type_name(SdbOid type)
{
    static const struct { SdbOid oid; const char *name; } names[] = {
        {SDB_TYPEOID_BOOL, "boolean"}, {SDB_TYPEOID_INT2, "smallint"}, {SDB_TYPEOID_INT4, "integer"},
        {SDB_TYPEOID_INT8, "bigint"}, {SDB_TYPEOID_FLOAT4, "real"}, {SDB_TYPEOID_FLOAT8, "double precision"},
        {SDB_TYPEOID_VARCHAR, "character varying"}, {SDB_TYPEOID_BPCHAR, "character"},
        {SDB_TYPEOID_TIMESTAMP, "timestamp without time zone"}, {SDB_TYPEOID_TIMESTAMPTZ, "timestamp with time zone"},
        {SDB_TYPEOID_TIME, "time without time zone"}, {SDB_TYPEOID_TIMETZ, "time with time zone"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].oid == type)
            return names[i].name;
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info ? info->name : "???";
}

char sdb_bind_type_category(SdbOid type)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info ? info->category : 'X';
}

bool sdb_bind_type_preferred(SdbOid type)
{
    const SdbTypeInfo *info = sdb_type_by_oid(type);
    return info != NULL && info->preferred;
}

/* PostgreSQL's automatic I/O casts: to a string type in assignment, from
 * one explicitly. */
static bool io_cast_allowed(SdbOid source, SdbOid target, SdbCastContext context)
{
    if (sdb_bind_type_category(target) == 'S')
        return context >= SDB_CAST_ASSIGNMENT;
    return sdb_bind_type_category(source) == 'S' && context >= SDB_CAST_EXPLICIT;
}

bool sdb_bind_type_polymorphic(SdbOid type)
{
    return type == SDB_TYPEOID_ANYELEMENT || type == SDB_TYPEOID_ANYNONARRAY || type == SDB_TYPEOID_ANYARRAY ||
           type == SDB_TYPEOID_ANYCOMPATIBLE || type == SDB_TYPEOID_ANYCOMPATIBLEARRAY;
}

bool sdb_bind_type_is_array(SdbOid type)
{
    return sdb_bind_type_category(type) == 'A';
}

/* Whether polymorphic `target` stands for `source` (a concrete type). */
static bool polymorphic_takes(SdbOid source, SdbOid target)
{
    const SdbTypeInfo *info = sdb_type_by_oid(source);
    if (info == NULL || info->kind == SDB_TYPEKIND_PSEUDO)
        return false;
    if (target == SDB_TYPEOID_ANYARRAY || target == SDB_TYPEOID_ANYCOMPATIBLEARRAY)
        return sdb_bind_type_is_array(source);
    return target != SDB_TYPEOID_ANYNONARRAY || !sdb_bind_type_is_array(source);
}

/* int2vector and oidvector are read as the arrays they are (int2[] and
 * oid[]), as PostgreSQL's find_coercion_pathway does. */
static SdbOid vector_array(SdbOid type)
{
    if (type == SDB_TYPEOID_INT2VECTOR)
        return SDB_TYPEOID_INT2_ARRAY;
    return type == SDB_TYPEOID_OIDVECTOR ? SDB_TYPEOID_OID_ARRAY : type;
}

bool sdb_bind_can_coerce(SdbOid source, SdbOid target, SdbCastContext context)
{
    if (source == target || source == SDB_TYPEOID_UNKNOWN || target == SDB_TYPEOID_ANY || vector_array(source) == target)
        return true;
    /* a domain converts as its base type does (PostgreSQL's getBaseType) */
    if (sdb_domain_base_type(source) != source || sdb_domain_base_type(target) != target)
        return sdb_bind_can_coerce(sdb_domain_base_type(source), sdb_domain_base_type(target), context);
    if (sdb_bind_type_polymorphic(target))
        return polymorphic_takes(source, target);
    const SdbCastInfo *cast = sdb_cast_find(source, target);
    if (cast != NULL)
        return cast->context <= context;
    return io_cast_allowed(source, target, context);
}

/* An unknown literal read as `target` now (without typmod, as PostgreSQL
 * does: the caller applies it with the cast's semantics). */
static int coerce_literal(const SdbBindContext *bc, SdbBoundConst *lit, SdbOid target, int location, SdbExpr **out)
{
    SdbBoundConst *c = sdb_new_bound_const(bc->expr->arena, target);
    if (c == NULL)
        return SDB_ERROR;
    c->isnull = lit->isnull;
    c->location = lit->location;
    if (!lit->isnull) {
        SdbTypeCtx tctx = {.arena = bc->expr->arena, .timezone = bc->expr->timezone, .now = bc->expr->xact_start,
                           .typid = target, .typmod = -1, .reg = sdb_expr_reg_lookup(bc->expr)};
        if (sdb_type_input(&tctx, (const char *)sdb_datum_varlena(lit->value)->data, &c->value) != SDB_OK)
            return sdb_bind_fail_at(bc, lit->location >= 0 ? lit->location : location);
    }
    *out = &c->expr;
    return SDB_OK;
}

/* How a conversion in `context` shows when deparsed. */
static SdbExprCoercionForm cast_form(SdbCastContext context)
{
    return context == SDB_CAST_EXPLICIT ? SDB_EXPR_COERCION_FORM_EXPLICIT_CAST : SDB_EXPR_COERCION_FORM_IMPLICIT_CAST;
}

/* The conversion of `expr` to `target` by `cast` (NULL: through text). */
static int apply_cast(const SdbBindContext *bc, SdbExpr *expr, SdbOid target, const SdbCastInfo *cast,
                      SdbCastContext context, SdbExpr **out)
{
    SdbArena *arena = bc->expr->arena;
    if (cast != NULL && cast->method == SDB_CAST_BINARY) {
        SdbBoundRelabelType *r = sdb_new_bound_relabel_type(arena, target);
        if (r == NULL)
            return SDB_ERROR;
        r->arg = expr;
        r->format = cast_form(context);
        *out = &r->expr;
        return SDB_OK;
    }
    if (cast != NULL && cast->method == SDB_CAST_FUNCTION) {
        SdbBoundFuncExpr *f = sdb_new_bound_func_expr(arena, target);
        SdbExpr **args = sdb_bind_exprs(bc, 1);
        if (f == NULL || args == NULL)
            return SDB_ERROR;
        args[0] = expr;
        f->func = sdb_func_by_oid(cast->func);
        f->args = args;
        f->nargs = 1;
        f->format = cast_form(context);
        *out = &f->expr;
        return SDB_OK;
    }
    SdbBoundCoerceViaIo *io = sdb_new_bound_coerce_via_io(arena, target);
    if (io == NULL)
        return SDB_ERROR;
    io->arg = expr;
    io->format = cast_form(context);
    *out = &io->expr;
    return SDB_OK;
}

/* A constant of `type` for a length coercion's extra arguments. */
static SdbExpr *int_const(const SdbBindContext *bc, SdbOid type, int64_t v)
{
    SdbBoundConst *c = sdb_new_bound_const(bc->expr->arena, type);
    if (c == NULL)
        return NULL;
    c->value = sdb_datum_from_int64(v);
    return &c->expr;
}

/* Impose `typmod` (numeric(10,2), varchar(3)) on a value of its type, as
 * PostgreSQL does: by the type's length coercion function (the cast from
 * the type to itself), given the typmod and whether the cast is explicit;
 * for a type without one, by reading its text form back with the typmod. */
static int apply_typmod(const SdbBindContext *bc, SdbExpr *expr, int32_t typmod, SdbCastContext context,
                        SdbExpr **out)
{
    *out = expr;
    if (typmod < 0 || expr->typmod == typmod)
        return SDB_OK;
    const SdbCastInfo *cast = sdb_cast_find(expr->type, expr->type);
    if (cast == NULL || cast->method != SDB_CAST_FUNCTION) {
        if (apply_cast(bc, expr, expr->type, NULL, context, out) != SDB_OK)
            return SDB_ERROR;
        (*out)->typmod = typmod;
        return SDB_OK;
    }
    const SdbFuncInfo *func = sdb_func_by_oid(cast->func);
    SdbBoundFuncExpr *f = sdb_new_bound_func_expr(bc->expr->arena, expr->type);
    SdbExpr **args = sdb_bind_exprs(bc, 3);
    if (f == NULL || args == NULL || (args[1] = int_const(bc, SDB_TYPEOID_INT4, typmod)) == NULL ||
        (args[2] = int_const(bc, SDB_TYPEOID_BOOL, context == SDB_CAST_EXPLICIT)) == NULL)
        return SDB_ERROR;
    args[0] = expr;
    f->expr.typmod = typmod;
    f->func = func;
    f->args = args;
    f->nargs = func->nargs;
    f->format = cast_form(context);
    *out = &f->expr;
    return SDB_OK;
}

/* A conversion from or to a domain: a domain value is its base type's value
 * (relabelled), and a value becomes a domain's by converting it to the base
 * type and then through the domain's input, which checks the domain's
 * constraint (PostgreSQL's CoerceToDomain). */
static int coerce_domain(const SdbBindContext *bc, SdbExpr *expr, SdbOid target, int32_t typmod,
                         SdbCastContext context, int location, SdbExpr **out)
{
    SdbOid source_base = sdb_domain_base_type(expr->type), target_base = sdb_domain_base_type(target);
    if (source_base != expr->type) {
        SdbBoundRelabelType *r = sdb_new_bound_relabel_type(bc->expr->arena, source_base);
        if (r == NULL)
            return SDB_ERROR;
        r->arg = expr;
        r->format = SDB_EXPR_COERCION_FORM_IMPLICIT_CAST;
        expr = &r->expr;
    }
    if (target_base == target)
        return sdb_bind_coerce(bc, expr, target, typmod, context, location, out);
    SdbExpr *base;
    if (sdb_bind_coerce(bc, expr, target_base, -1, context, location, &base) != SDB_OK)
        return SDB_ERROR;
    SdbBoundCoerceViaIo *io = sdb_new_bound_coerce_via_io(bc->expr->arena, target);
    if (io == NULL)
        return SDB_ERROR;
    io->arg = base;
    io->format = cast_form(context);
    return apply_typmod(bc, &io->expr, typmod, context, out);
}

int sdb_bind_coerce(const SdbBindContext *bc, SdbExpr *expr, SdbOid target, int32_t typmod, SdbCastContext context,
                    int location, SdbExpr **out)
{
    SdbExpr *converted;
    if (target == SDB_TYPEOID_ANY) /* "any" takes every type as it is; a literal as text */
        target = expr->type == SDB_TYPEOID_UNKNOWN ? SDB_TYPEOID_TEXT : expr->type;
    if (expr->type == SDB_TYPEOID_UNKNOWN && expr->tag == SDB_E_PARAM) {
        /* parameter type inference: $n takes the type its context wants */
        SdbBoundParam *p = (SdbBoundParam *)expr;
        bc->inferred_types[p->number - 1] = target;
        p->expr.type = target;
        return apply_typmod(bc, expr, typmod, context, out);
    }
    if (expr->type == SDB_TYPEOID_UNKNOWN && expr->tag == SDB_E_CONST) {
        if (coerce_literal(bc, (SdbBoundConst *)expr, target, location, &converted) != SDB_OK)
            return SDB_ERROR;
        return apply_typmod(bc, converted, typmod, context, out);
    }
    if (expr->type == target)
        return apply_typmod(bc, expr, typmod, context, out);
    if (vector_array(expr->type) == target) {
        SdbBoundRelabelType *r = sdb_new_bound_relabel_type(bc->expr->arena, target);
        if (r == NULL)
            return SDB_ERROR;
        r->arg = expr;
        r->format = cast_form(context);
        *out = &r->expr;
        return SDB_OK;
    }
    if (sdb_domain_base_type(expr->type) != expr->type || sdb_domain_base_type(target) != target)
        return coerce_domain(bc, expr, target, typmod, context, location, out);
    if (!sdb_bind_can_coerce(expr->type, target, context)) {
        sdb_error(SDB_ERR_CANNOT_COERCE, "cannot cast type %s to %s", sdb_bind_type_name(expr->type),
                  sdb_bind_type_name(target));
        return sdb_bind_fail_at(bc, location);
    }
    if (apply_cast(bc, expr, target, sdb_cast_find(expr->type, target), context, &converted) != SDB_OK)
        return SDB_ERROR;
    return apply_typmod(bc, converted, typmod, context, out);
}

SdbOid sdb_bind_common_type(const SdbOid *types, int n, int *mismatch)
{
    SdbOid ptype = SDB_TYPEOID_UNKNOWN;
    *mismatch = -1;
    for (int i = 0; i < n; i++) {
        SdbOid ntype = types[i];
        if (ntype == SDB_TYPEOID_UNKNOWN || ntype == ptype)
            continue;
        if (ptype == SDB_TYPEOID_UNKNOWN) {
            ptype = ntype;
            continue;
        }
        if (sdb_bind_type_category(ntype) != sdb_bind_type_category(ptype)) {
            *mismatch = i;
            return ptype;
        }
        if (!sdb_bind_type_preferred(ptype) && sdb_bind_can_coerce(ptype, ntype, SDB_CAST_IMPLICIT) &&
            !sdb_bind_can_coerce(ntype, ptype, SDB_CAST_IMPLICIT))
            ptype = ntype;
    }
    return ptype == SDB_TYPEOID_UNKNOWN ? SDB_TYPEOID_TEXT : ptype;
}

/* PostgreSQL's select_common_type over the types of `exprs`. */
static int common_type(const SdbBindContext *bc, SdbExpr **exprs, int n, const char *what, const int *locations,
                       SdbOid *out)
{
    SdbOid *types = sdb_arena_alloc(bc->expr->arena, sizeof *types * (size_t)(n > 0 ? n : 1));
    if (types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++)
        types[i] = exprs[i]->type;
    int mismatch;
    *out = sdb_bind_common_type(types, n, &mismatch);
    if (mismatch >= 0) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "%s types %s and %s cannot be matched", what, sdb_bind_type_name(*out),
                  sdb_bind_type_name(types[mismatch]));
        return sdb_bind_fail_at(bc, locations[mismatch]);
    }
    return SDB_OK;
}

int sdb_bind_unify(const SdbBindContext *bc, SdbExpr **exprs, int n, const char *what, const int *locations)
{
    SdbOid type;
    if (common_type(bc, exprs, n, what, locations, &type) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        if (!sdb_bind_can_coerce(exprs[i]->type, type, SDB_CAST_IMPLICIT)) {
            sdb_error(SDB_ERR_CANNOT_COERCE, "%s could not convert type %s to %s", what,
                      sdb_bind_type_name(exprs[i]->type), sdb_bind_type_name(type));
            return sdb_bind_fail_at(bc, locations[i]);
        }
        if (sdb_bind_coerce(bc, exprs[i], type, -1, SDB_CAST_IMPLICIT, locations[i], &exprs[i]) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_bind_coerce_bool(const SdbBindContext *bc, SdbExpr *expr, const char *what, int location, SdbExpr **out)
{
    if (!sdb_bind_can_coerce(expr->type, SDB_TYPEOID_BOOL, SDB_CAST_IMPLICIT)) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "argument of %s must be type boolean, not type %s", what,
                  sdb_bind_type_name(expr->type));
        return sdb_bind_fail_at(bc, location);
    }
    return sdb_bind_coerce(bc, expr, SDB_TYPEOID_BOOL, -1, SDB_CAST_IMPLICIT, location, out);
}

SdbExpr **sdb_bind_exprs(const SdbBindContext *bc, int n)
{
    return sdb_arena_calloc(bc->expr->arena, n > 0 ? (size_t)n : 1, sizeof(SdbExpr *));
}
