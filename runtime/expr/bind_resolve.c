/*
 * expr/bind_resolve.c: operator and function resolution as PostgreSQL does
 * it (parse_oper.c, parse_func.c func_select_candidate): an exact match;
 * for a binary operator with one unknown operand, the operator taking the
 * known type twice; else the candidates every argument can reach by
 * implicit casts, narrowed by most exact matches, then most preferred types,
 * then by the categories of unknown arguments (string wins), then by taking
 * unknowns to be of the known arguments' single type.  Polymorphic
 * arguments (anyelement, anyarray, anycompatible ...) take the types they
 * stand for when those agree, and the result type follows them.
 */
#include "expr/bind_int.h"
#include "types/typefuncs.h"

#include <string.h>

#include "common/error.h"
#include "common/str.h"

#define NO_MATCH (-1)
#define AMBIGUOUS (-2)

/* The candidates still in the running: indexes into the caller's arrays. */
typedef struct Candidates {
    const SdbOid *const *args; /* argument types of every candidate */
    int nargs;
    const SdbOid *inputs;      /* the actual argument types */
    int *live;
    int nlive;
} Candidates;

static bool matches_exactly(const Candidates *c, int cand, const SdbOid *inputs)
{
    for (int i = 0; i < c->nargs; i++)
        if (c->args[cand][i] != inputs[i])
            return false;
    return true;
}

/* Index of the candidate whose types are exactly `inputs`, or NO_MATCH. */
static int exact(const Candidates *c, int ncands, const SdbOid *inputs)
{
    for (int k = 0; k < ncands; k++)
        if (matches_exactly(c, k, inputs))
            return k;
    return NO_MATCH;
}

/* Keep the candidates with the highest score; the winner if one is left. */
static int keep_best(Candidates *c, const int *score)
{
    int best = -1, kept = 0;
    for (int j = 0; j < c->nlive; j++)
        best = score[j] > best ? score[j] : best;
    for (int j = 0; j < c->nlive; j++)
        if (score[j] == best)
            c->live[kept++] = c->live[j];
    c->nlive = kept;
    return kept == 1 ? c->live[0] : NO_MATCH;
}

/* Most positions where the input type is taken as it is. */
static int by_exact_matches(Candidates *c, int *score)
{
    for (int j = 0; j < c->nlive; j++) {
        score[j] = 0;
        for (int i = 0; i < c->nargs; i++)
            score[j] += c->inputs[i] != SDB_TYPEOID_UNKNOWN && c->args[c->live[j]][i] == c->inputs[i];
    }
    return keep_best(c, score);
}

/* Most positions taking the input as it is or a preferred type. */
static int by_preferred(Candidates *c, int *score)
{
    for (int j = 0; j < c->nlive; j++) {
        score[j] = 0;
        for (int i = 0; i < c->nargs; i++) {
            SdbOid t = c->args[c->live[j]][i];
            score[j] += c->inputs[i] != SDB_TYPEOID_UNKNOWN && (t == c->inputs[i] || sdb_bind_type_preferred(t));
        }
    }
    return keep_best(c, score);
}

/* For unknown argument `i`: the category the candidates agree on (string
 * wins a conflict), and whether one of them takes a preferred type there.
 * False when the categories conflict without a string one. */
static bool unknown_slot(const Candidates *c, int i, char *category, bool *preferred)
{
    bool conflict = false;
    *category = 0;
    *preferred = false;
    for (int j = 0; j < c->nlive; j++) {
        SdbOid t = c->args[c->live[j]][i];
        char cat = sdb_bind_type_category(t);
        if (*category == 0 || (cat != *category && cat == 'S')) {
            *category = cat;
            *preferred = sdb_bind_type_preferred(t);
        } else if (cat == *category) {
            *preferred |= sdb_bind_type_preferred(t);
        } else {
            conflict = true;
        }
    }
    return !conflict || *category == 'S';
}

/* Narrow by the categories of the unknown arguments. */
static int by_unknown_categories(Candidates *c)
{
    char category[SDB_FN_MAX_ARGS];
    bool preferred[SDB_FN_MAX_ARGS];
    for (int i = 0; i < c->nargs; i++)
        if (c->inputs[i] == SDB_TYPEOID_UNKNOWN && !unknown_slot(c, i, &category[i], &preferred[i]))
            return NO_MATCH;
    int kept = 0;
    for (int j = 0; j < c->nlive; j++) {
        bool keep = true;
        for (int i = 0; i < c->nargs && keep; i++) {
            SdbOid t = c->args[c->live[j]][i];
            if (c->inputs[i] == SDB_TYPEOID_UNKNOWN)
                keep = sdb_bind_type_category(t) == category[i] && (!preferred[i] || sdb_bind_type_preferred(t));
        }
        if (keep)
            c->live[kept++] = c->live[j];
    }
    if (kept > 0)
        c->nlive = kept;
    return kept == 1 ? c->live[0] : NO_MATCH;
}

/* When the known arguments are all of one type, the single candidate that
 * takes unknowns as that type. */
static int by_known_type(const Candidates *c)
{
    SdbOid known = SDB_TYPEOID_UNKNOWN;
    for (int i = 0; i < c->nargs; i++) {
        if (c->inputs[i] == SDB_TYPEOID_UNKNOWN)
            continue;
        if (known != SDB_TYPEOID_UNKNOWN && c->inputs[i] != known)
            return NO_MATCH;
        known = c->inputs[i];
    }
    if (known == SDB_TYPEOID_UNKNOWN)
        return NO_MATCH;
    int found = NO_MATCH;
    for (int j = 0; j < c->nlive; j++) {
        bool ok = true;
        for (int i = 0; i < c->nargs && ok; i++)
            if (c->inputs[i] == SDB_TYPEOID_UNKNOWN)
                ok = sdb_bind_can_coerce(known, c->args[c->live[j]][i], SDB_CAST_IMPLICIT);
        if (ok) {
            if (found != NO_MATCH)
                return NO_MATCH;
            found = c->live[j];
        }
    }
    return found;
}

static bool has_unknown(const Candidates *c)
{
    for (int i = 0; i < c->nargs; i++)
        if (c->inputs[i] == SDB_TYPEOID_UNKNOWN)
            return true;
    return false;
}

/* What a candidate's polymorphic arguments stand for, given the inputs:
 * `elem`, the type of the anyelement family (anyelement, anynonarray, the
 * element of anyarray), and `compatible`, the common type of the
 * anycompatible family; SDB_INVALID_OID when only unknowns say.  Not
 * `consistent` when the anyelement family disagrees or the anycompatible
 * one has no common type (PostgreSQL's check_generic_type_consistency). */
typedef struct Polymorphic {
    SdbOid elem;
    SdbOid compatible;
    bool consistent;
} Polymorphic;

static bool array_family(SdbOid t)
{
    return t == SDB_TYPEOID_ANYARRAY || t == SDB_TYPEOID_ANYCOMPATIBLEARRAY;
}

static bool compatible_family(SdbOid t)
{
    return t == SDB_TYPEOID_ANYCOMPATIBLE || t == SDB_TYPEOID_ANYCOMPATIBLEARRAY;
}

static SdbOid element_of(SdbOid array)
{
    const SdbTypeInfo *info = sdb_type_by_oid(array);
    return info != NULL ? info->elem_oid : SDB_INVALID_OID;
}

static Polymorphic polymorphic_of(const SdbOid *declared, const SdbOid *inputs, int n)
{
    Polymorphic p = {SDB_INVALID_OID, SDB_INVALID_OID, true};
    SdbOid compat[SDB_FN_MAX_ARGS];
    int ncompat = 0;
    for (int i = 0; i < n; i++) {
        if (!sdb_bind_type_polymorphic(declared[i]) || inputs[i] == SDB_TYPEOID_UNKNOWN)
            continue;
        SdbOid t = array_family(declared[i]) ? element_of(inputs[i]) : inputs[i];
        if (compatible_family(declared[i]))
            compat[ncompat++] = t;
        else if (p.elem == SDB_INVALID_OID)
            p.elem = t;
        else if (p.elem != t)
            p.consistent = false;
    }
    if (ncompat > 0) {
        int mismatch;
        p.compatible = sdb_bind_common_type(compat, ncompat, &mismatch);
        for (int i = 0; i < ncompat && mismatch < 0; i++)
            if (!sdb_bind_can_coerce(compat[i], p.compatible, SDB_CAST_IMPLICIT))
                mismatch = i;
        p.consistent = p.consistent && mismatch < 0;
    }
    return p;
}

/* The concrete type polymorphic `declared` stands for. */
static int concrete_type(const SdbBindContext *bc, SdbOid declared, const Polymorphic *p, int location, SdbOid *out)
{
    SdbOid base = compatible_family(declared) ? (p->compatible ? p->compatible : SDB_TYPEOID_TEXT) : p->elem;
    if (base == SDB_INVALID_OID) {
        sdb_error(SDB_ERR_DATATYPE_MISMATCH, "could not determine polymorphic type because input has type unknown");
        return sdb_bind_fail_at(bc, location);
    }
    *out = base;
    if (!array_family(declared))
        return SDB_OK;
    const SdbTypeInfo *info = sdb_type_by_oid(base);
    if (info == NULL || info->array_oid == SDB_INVALID_OID) {
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "could not find array type for data type %s", sdb_bind_type_name(base));
        return sdb_bind_fail_at(bc, location);
    }
    *out = info->array_oid;
    return SDB_OK;
}

/* The types the chosen candidate takes its `n` arguments as (`declared`
 * with polymorphic types made concrete) in `actual`, and its result type
 * (`rettype` likewise) in *result. */
static int resolve_types(const SdbBindContext *bc, const SdbOid *declared, int n, const SdbOid *inputs,
                         SdbOid rettype, int location, SdbOid *actual, SdbOid *result)
{
    Polymorphic p = polymorphic_of(declared, inputs, n);
    *result = rettype;
    for (int i = 0; i < n; i++) {
        actual[i] = declared[i];
        if (sdb_bind_type_polymorphic(declared[i]) && concrete_type(bc, declared[i], &p, location, &actual[i]) != SDB_OK)
            return SDB_ERROR;
    }
    if (sdb_bind_type_polymorphic(rettype))
        return concrete_type(bc, rettype, &p, location, result);
    return SDB_OK;
}

/* Choose among `ncands` candidates taking `nargs` arguments: an index,
 * NO_MATCH or AMBIGUOUS.  `binary_op` enables the operator rule for one
 * unknown operand. */
static int select_candidate(Candidates *c, int ncands, bool binary_op, int *live, int *score)
{
    int k = exact(c, ncands, c->inputs);
    if (k != NO_MATCH)
        return k;
    if (binary_op && (c->inputs[0] == SDB_TYPEOID_UNKNOWN) != (c->inputs[1] == SDB_TYPEOID_UNKNOWN)) {
        SdbOid known = c->inputs[0] == SDB_TYPEOID_UNKNOWN ? c->inputs[1] : c->inputs[0];
        SdbOid both[2] = {known, known};
        if ((k = exact(c, ncands, both)) != NO_MATCH)
            return k;
    }
    c->live = live;
    c->nlive = 0;
    for (k = 0; k < ncands; k++) {
        bool ok = true;
        for (int i = 0; i < c->nargs && ok; i++)
            ok = sdb_bind_can_coerce(c->inputs[i], c->args[k][i], SDB_CAST_IMPLICIT);
        if (ok && polymorphic_of(c->args[k], c->inputs, c->nargs).consistent)
            live[c->nlive++] = k;
    }
    if (c->nlive <= 1)
        return c->nlive == 1 ? live[0] : NO_MATCH;
    if ((k = by_exact_matches(c, score)) != NO_MATCH || (k = by_preferred(c, score)) != NO_MATCH)
        return k;
    if (!has_unknown(c))
        return AMBIGUOUS;
    if ((k = by_unknown_categories(c)) != NO_MATCH || (k = by_known_type(c)) != NO_MATCH)
        return k;
    return AMBIGUOUS;
}

/* Run select_candidate with scratch space for `ncands` candidates. */
static int choose(const SdbBindContext *bc, const SdbOid *const *args, int ncands, int nargs, const SdbOid *inputs,
                  bool binary_op, int *chosen)
{
    int *scratch = sdb_arena_alloc(bc->expr->arena, sizeof(int) * 2 * (size_t)(ncands > 0 ? ncands : 1));
    if (scratch == NULL)
        return SDB_ERROR;
    Candidates c = {.args = args, .nargs = nargs, .inputs = inputs};
    *chosen = ncands == 0 ? NO_MATCH : select_candidate(&c, ncands, binary_op, scratch, scratch + ncands);
    return SDB_OK;
}

/* "integer + boolean", "- boolean" */
static const char *operator_signature(const SdbBindContext *bc, const char *name, const SdbExpr *left,
                                      const SdbExpr *right)
{
    if (left == NULL)
        return sdb_arena_sprintf(bc->expr->arena, "%s %s", name, sdb_bind_type_name(right->type));
    return sdb_arena_sprintf(bc->expr->arena, "%s %s %s", sdb_bind_type_name(left->type), name,
                             sdb_bind_type_name(right->type));
}

static int operator_error(const SdbBindContext *bc, int chosen, const char *name, const SdbExpr *left,
                          const SdbExpr *right, int location)
{
    const char *sig = operator_signature(bc, name, left, right);
    if (chosen == AMBIGUOUS) {
        sdb_error(SDB_ERR_AMBIGUOUS_FUNCTION, "operator is not unique: %s", sig ? sig : name);
        sdb_error_hint("Could not choose a best candidate operator. You might need to add explicit type casts.");
    } else {
        sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "operator does not exist: %s", sig ? sig : name);
        if (left == NULL)
            sdb_error_hint("No operator matches the given name and argument type. You might need to add an explicit type cast.");
        else
            sdb_error_hint("No operator matches the given name and argument types. You might need to add explicit type casts.");
    }
    return sdb_bind_fail_at(bc, location);
}

/* Coerce `nargs` arguments to the types `want` (implicit context). */
static int coerce_args(const SdbBindContext *bc, SdbExpr **args, int nargs, const SdbOid *want, int location)
{
    for (int i = 0; i < nargs; i++)
        if (sdb_bind_coerce(bc, args[i], want[i], -1, SDB_CAST_IMPLICIT, location, &args[i]) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

int sdb_bind_operator(const SdbBindContext *bc, const char *name, SdbExpr *left, SdbExpr *right, int location,
                      SdbBoundOpExpr **out)
{
    const SdbOperInfo *const *all;
    size_t count = sdb_opers_by_name(name, &all);
    const SdbOperInfo **ops = sdb_arena_alloc(bc->expr->arena, sizeof *ops * (count ? count : 1));
    const SdbOid **args = sdb_arena_alloc(bc->expr->arena, sizeof *args * (count ? count : 1));
    SdbOid *types = sdb_arena_alloc(bc->expr->arena, sizeof *types * 2 * (count ? count : 1));
    if (ops == NULL || args == NULL || types == NULL)
        return SDB_ERROR;
    int n = 0;
    for (size_t k = 0; k < count; k++) {
        if ((all[k]->left == SDB_INVALID_OID) != (left == NULL))
            continue;
        ops[n] = all[k];
        types[2 * n] = left ? all[k]->left : all[k]->right;
        types[2 * n + 1] = all[k]->right;
        args[n] = &types[2 * n];
        n++;
    }
    /* a domain operand is matched as its base type, as in PostgreSQL */
    SdbOid inputs[2] = {sdb_domain_base_type(left ? left->type : right->type), sdb_domain_base_type(right->type)};
    int chosen;
    if (choose(bc, args, n, left ? 2 : 1, inputs, left != NULL, &chosen) != SDB_OK)
        return SDB_ERROR;
    if (chosen < 0)
        return operator_error(bc, chosen, name, left, right, location);
    const SdbOperInfo *op = ops[chosen];
    SdbOid actual[2], result;
    if (resolve_types(bc, args[chosen], left ? 2 : 1, inputs, op->result, location, actual, &result) != SDB_OK)
        return SDB_ERROR;
    SdbBoundOpExpr *node = sdb_new_bound_op_expr(bc->expr->arena, result);
    SdbExpr **operands = sdb_bind_exprs(bc, 2);
    if (node == NULL || operands == NULL)
        return SDB_ERROR;
    node->opno = op->oid;
    node->func = sdb_func_by_oid(op->func);
    node->nargs = left ? 2 : 1;
    node->args = operands;
    node->location = location;
    operands[0] = left ? left : right;
    operands[1] = right;
    if (coerce_args(bc, operands, node->nargs, actual, location) != SDB_OK)
        return SDB_ERROR;
    *out = node;
    return SDB_OK;
}

/* "foo(integer, unknown)" */
static const char *function_signature(const SdbBindContext *bc, const char *name, SdbExpr **args, int nargs)
{
    SdbStr s;
    sdb_str_init(&s, bc->expr->arena);
    sdb_str_appendf(&s, "%s(", name);
    for (int i = 0; i < nargs; i++)
        sdb_str_appendf(&s, "%s%s", i ? ", " : "", sdb_bind_type_name(args[i]->type));
    sdb_str_append_char(&s, ')');
    return s.data;
}

static int function_error(const SdbBindContext *bc, int chosen, const char *name, SdbExpr **args, int nargs,
                          int location)
{
    const char *sig = function_signature(bc, name, args, nargs);
    if (chosen == AMBIGUOUS) {
        sdb_error(SDB_ERR_AMBIGUOUS_FUNCTION, "function %s is not unique", sig);
        sdb_error_hint("Could not choose a best candidate function. You might need to add explicit type casts.");
    } else {
        sdb_error(SDB_ERR_UNDEFINED_FUNCTION, "function %s does not exist", sig);
        sdb_error_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    return sdb_bind_fail_at(bc, location);
}

/* Whether a candidate takes `nargs` arguments (*takes), and the types it
 * takes them as in *types: its own, or, when variadic, its last one
 * repeated.  SDB_ERROR when the arena fails. */
static int candidate_args(const SdbBindContext *bc, const SdbFuncInfo *func, int nargs, bool *takes,
                          const SdbOid **types)
{
    *types = func->argtypes;
    *takes = func->variadic ? nargs >= func->nargs : nargs == func->nargs;
    if (!*takes || !func->variadic)
        return SDB_OK;
    SdbOid *repeated = sdb_arena_alloc(bc->expr->arena, sizeof *repeated * (size_t)(nargs ? nargs : 1));
    if (repeated == NULL)
        return SDB_ERROR;
    for (int i = 0; i < nargs; i++)
        repeated[i] = func->argtypes[i < func->nargs ? i : func->nargs - 1];
    *types = repeated;
    return SDB_OK;
}

int sdb_bind_function(const SdbBindContext *bc, const char *name, SdbExpr **args, int nargs, int location,
                      SdbBoundFuncExpr **out)
{
    if (nargs > SDB_FN_MAX_ARGS) {
        sdb_error(SDB_ERR_TOO_MANY_ARGUMENTS, "cannot pass more than %d arguments to a function", SDB_FN_MAX_ARGS);
        return sdb_bind_fail_at(bc, location);
    }
    const SdbFuncInfo *const *all;
    size_t count = sdb_funcs_by_name(name, &all);
    const SdbFuncInfo **funcs = sdb_arena_alloc(bc->expr->arena, sizeof *funcs * (count ? count : 1));
    const SdbOid **cand_args = sdb_arena_alloc(bc->expr->arena, sizeof *cand_args * (count ? count : 1));
    SdbOid inputs[SDB_FN_MAX_ARGS];
    if (funcs == NULL || cand_args == NULL)
        return SDB_ERROR;
    int n = 0;
    for (size_t k = 0; k < count; k++) {
        bool takes;
        if (candidate_args(bc, all[k], nargs, &takes, &cand_args[n]) != SDB_OK)
            return SDB_ERROR;
        if (takes)
            funcs[n++] = all[k];
    }
    for (int i = 0; i < nargs; i++)
        inputs[i] = sdb_domain_base_type(args[i]->type);
    int chosen;
    if (choose(bc, cand_args, n, nargs, inputs, false, &chosen) != SDB_OK)
        return SDB_ERROR;
    if (chosen < 0)
        return function_error(bc, chosen, name, args, nargs, location);
    const SdbFuncInfo *func = funcs[chosen];
    SdbOid actual[SDB_FN_MAX_ARGS], result;
    if (resolve_types(bc, cand_args[chosen], nargs, inputs, func->rettype, location, actual, &result) != SDB_OK)
        return SDB_ERROR;
    SdbBoundFuncExpr *node = sdb_new_bound_func_expr(bc->expr->arena, result);
    if (node == NULL || coerce_args(bc, args, nargs, actual, location) != SDB_OK)
        return SDB_ERROR;
    node->func = func;
    node->args = args;
    node->nargs = nargs;
    node->location = location;
    *out = node;
    return SDB_OK;
}
