/*
 * gram.y: the SQL grammar (Bison, pure and reentrant), a subset of
 * PostgreSQL 15's gram.y with the same structure, precedences and key word
 * categories, building the parse tree of spec/ast.toml.
 *
 * Owns: which statements and expressions parse and the tree each one
 * yields.  Tokens come from sdb_yylex() (runtime/sql/parser.c: lexer.re
 * behind PostgreSQL's lookahead filter, which turns NOT, NULLS and WITH into
 * NOT_LA, NULLS_LA and WITH_LA before the words that make them ambiguous).
 * The key word tokens and the category rules (unreserved_keyword,
 * col_name_keyword, type_func_name_keyword, reserved_keyword,
 * bare_label_keyword) are generated from spec/keywords.toml and spliced in
 * at the two @KEYWORD_...@ lines by the build (cmake/splice_grammar.cmake).
 *
 * Locations are byte offsets (an int per symbol: where its first token
 * is, -1 for an empty one).
 * Arena failures longjmp out of the actions (see parser.c); the parser's
 * own stack lives in the arena too, so nothing leaks.
 */

%define api.pure full
%define api.prefix {sdb_yy}
%define api.value.type {SdbSemValue}
%define api.location.type {int}
%define parse.error simple
%locations
%expect 0
%parse-param {SdbParseState *ps}
%lex-param {SdbParseState *ps}

%code requires {
#include "sql/parser_int.h"
}

%code {
#include <string.h>

#include "common/error.h"

/* A symbol's location is that of its first symbol that has one. */
#define YYLLOC_DEFAULT(Current, Rhs, N)    \
    do {                                   \
        (Current) = -1;                    \
        for (int i_ = 1; i_ <= (N); i_++) { \
            (Current) = (Rhs)[i_];         \
            if ((Current) >= 0)            \
                break;                     \
        }                                  \
    } while (0)

/* The parser stack grows in the arena (freed with it, even after a longjmp). */
#define YYSTACK_USE_ALLOCA 0
#define YYMALLOC(size) sdb_parse_alloc(ps, size)
#define YYFREE(ptr) ((void)(ptr))

#define NEW(snake) sdb_parse_check(ps, sdb_new_##snake(ps->arena))
#define AS(type, node) ((Sdb##type *)(node))
#define STR(s) sdb_pn_string(ps, (s))
#define LIST1(a) sdb_pn_list1(ps, (a))
#define LIST2(a, b) sdb_pn_list2(ps, (a), (b))
#define APPEND(l, a) sdb_pn_append(ps, (l), (a))
#define OP(name, l, r, loc) sdb_pn_op(ps, (name), (l), (r), (loc))
#define KW(k) sdb_pn_strdup(ps, (k))

/* `a` unless it is -1 (an empty clause), else `b`. */
#define FIRST_LOC(a, b) ((a) >= 0 ? (a) : (b))

/* The SELECT of `select` with the trailing clauses attached; aborts the
 * parse (error recorded) on a duplicate clause. */
#define SELECT_OPTIONS(select, sort, limit, locking, with, loc)                               \
    do {                                                                                     \
        if (sdb_pn_select_options(ps, (select), (sort), (limit), (locking), (with), (loc)) != SDB_OK) \
            YYABORT;                                                                         \
    } while (0)

/* A limit clause value. */
static SdbSelectLimit *make_limit(SdbParseState *ps, SdbNode *offset, SdbNode *count, SdbLimitOption option)
{
    SdbSelectLimit *limit = sdb_parse_alloc(ps, sizeof *limit);
    limit->offset = offset;
    limit->count = count;
    limit->option = option;
    return limit;
}

/* Merge the parts of a LIMIT/OFFSET pair. */
static SdbSelectLimit *merge_limit(SdbSelectLimit *a, SdbSelectLimit *b)
{
    if (b->offset != NULL)
        a->offset = b->offset;
    if (b->count != NULL || b->option != SDB_LIMIT_OPTION_DEFAULT) {
        a->count = b->count;
        a->option = b->option;
    }
    return a;
}

/* A SubLink of `type` over `subselect`. */
static SdbNode *make_sublink(SdbParseState *ps, SdbSubLinkType type, SdbNode *test, SdbList *oper,
                             SdbNode *subselect, int location)
{
    SdbSubLink *link = NEW(sub_link);
    link->sub_link_type = type;
    link->testexpr = test;
    link->oper_name = oper;
    link->subselect = subselect;
    link->location = location;
    return (SdbNode *)link;
}

/* A SQL value function (CURRENT_DATE, CURRENT_USER, ...). */
static SdbNode *make_sql_value(SdbParseState *ps, SdbSqlValueOp op, int typmod, int location)
{
    SdbSqlValueFunction *node = NEW(sql_value_function);
    node->op = op;
    node->typmod = typmod;
    node->location = location;
    return (SdbNode *)node;
}

/* A NullTest or BooleanTest. */
static SdbNode *make_null_test(SdbParseState *ps, SdbNode *arg, SdbNullTestType type, int location)
{
    SdbNullTest *node = NEW(null_test);
    node->arg = arg;
    node->nulltesttype = type;
    node->location = location;
    return (SdbNode *)node;
}

static SdbNode *make_bool_test(SdbParseState *ps, SdbNode *arg, SdbBoolTestType type, int location)
{
    SdbBooleanTest *node = NEW(boolean_test);
    node->arg = arg;
    node->booltesttype = type;
    node->location = location;
    return (SdbNode *)node;
}

/* LIKE / ILIKE / SIMILAR TO with an optional ESCAPE: the pattern becomes
 * like_escape(pattern, escape) or similar_to_escape(...) as in PostgreSQL. */
static SdbNode *make_like(SdbParseState *ps, SdbAExprKind kind, const char *op, SdbNode *l, SdbNode *pattern,
                          SdbNode *escape, int location)
{
    if (kind == SDB_A_EXPR_KIND_SIMILAR) {
        SdbList *args = escape ? LIST2(pattern, escape) : LIST1(pattern);
        pattern = (SdbNode *)sdb_pn_system_func(ps, "similar_to_escape", args, location);
    } else if (escape != NULL) {
        pattern = (SdbNode *)sdb_pn_system_func(ps, "like_escape", LIST2(pattern, escape), location);
    }
    return sdb_pn_aexpr(ps, kind, LIST1(STR(op)), l, pattern, location);
}

/* BETWEEN in its four forms. */
static SdbNode *make_between(SdbParseState *ps, SdbAExprKind kind, SdbNode *l, SdbNode *low, SdbNode *high,
                             int location)
{
    const char *name = (kind == SDB_A_EXPR_KIND_BETWEEN || kind == SDB_A_EXPR_KIND_BETWEEN_SYM) ? "BETWEEN"
                                                                                                : "NOT BETWEEN";
    if (kind == SDB_A_EXPR_KIND_BETWEEN_SYM || kind == SDB_A_EXPR_KIND_NOT_BETWEEN_SYM)
        name = kind == SDB_A_EXPR_KIND_BETWEEN_SYM ? "BETWEEN SYMMETRIC" : "NOT BETWEEN SYMMETRIC";
    return sdb_pn_aexpr(ps, kind, LIST1(STR(name)), l, (SdbNode *)LIST2(low, high), location);
}

/* `l` [NOT] IN (`in`): a SubLink for a subquery, else an AExpr over the list. */
static SdbNode *make_in(SdbParseState *ps, bool negated, SdbNode *l, SdbNode *in, int location)
{
    if (SDB_IS_A(in, SELECT_STMT)) {
        SdbNode *link = make_sublink(ps, SDB_SUB_LINK_TYPE_ANY, l, NULL, in, location);
        return negated ? sdb_pn_not(ps, link, location) : link;
    }
    return sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_IN, LIST1(STR(negated ? "<>" : "=")), l, in, location);
}

/* A column definition's or constraint's foreign-key actions, packed as
 * update | delete << 8 (see key_actions). */
#define FK_ACTIONS(upd, del) ((int)(upd) | ((int)(del) << 8))

/* The DEFERRABLE / INITIALLY clauses of a constraint, as bits. */
#define CONSTRAINT_ATTR_DEFERRABLE 1
#define CONSTRAINT_ATTR_NOT_DEFERRABLE 2
#define CONSTRAINT_ATTR_INITIALLY_DEFERRED 4
#define CONSTRAINT_ATTR_INITIALLY_IMMEDIATE 8
#define DEFERRING_ATTRS (CONSTRAINT_ATTR_DEFERRABLE | CONSTRAINT_ATTR_INITIALLY_DEFERRED)

/* Whether `node` is a constraint that may be DEFERRABLE (UNIQUE, PRIMARY
 * KEY, REFERENCES). */
static bool deferrable_kind(const SdbNode *node)
{
    if (!SDB_IS_A(node, CONSTRAINT))
        return false;
    SdbConstrType type = ((const SdbConstraint *)node)->contype;
    return type == SDB_CONSTR_TYPE_UNIQUE || type == SDB_CONSTR_TYPE_PRIMARY || type == SDB_CONSTR_TYPE_FOREIGN;
}

/* The clause a single attribute bit stands for, for messages. */
static const char *constraint_attr_name(int attr)
{
    if (attr & (CONSTRAINT_ATTR_DEFERRABLE | CONSTRAINT_ATTR_NOT_DEFERRABLE))
        return attr & CONSTRAINT_ATTR_DEFERRABLE ? "DEFERRABLE" : "NOT DEFERRABLE";
    return attr & CONSTRAINT_ATTR_INITIALLY_DEFERRED ? "INITIALLY DEFERRED" : "INITIALLY IMMEDIATE";
}

/* The attribute bits `c` holds now. */
static int constraint_attrs(const SdbConstraint *c)
{
    int attrs = c->deferrable ? CONSTRAINT_ATTR_DEFERRABLE : 0;
    return attrs | (c->initdeferred ? CONSTRAINT_ATTR_INITIALLY_DEFERRED : 0);
}

/* Sets `c`'s deferrability from `attrs` as PostgreSQL's
 * processCASbits does; SDB_ERROR with 42601/0A000 recorded when they
 * conflict or `c` cannot be deferred. */
static int apply_constraint_attrs(SdbParseState *ps, SdbConstraint *c, int attrs, int location)
{
    if (attrs == 0)
        return SDB_OK;
    if ((attrs & CONSTRAINT_ATTR_DEFERRABLE) && (attrs & CONSTRAINT_ATTR_NOT_DEFERRABLE))
        sdb_error(SDB_ERR_SYNTAX_ERROR, "conflicting constraint properties");
    else if ((attrs & CONSTRAINT_ATTR_INITIALLY_DEFERRED) && (attrs & CONSTRAINT_ATTR_INITIALLY_IMMEDIATE))
        sdb_error(SDB_ERR_SYNTAX_ERROR, "conflicting constraint properties");
    else if ((attrs & CONSTRAINT_ATTR_INITIALLY_DEFERRED) && (attrs & CONSTRAINT_ATTR_NOT_DEFERRABLE))
        sdb_error(SDB_ERR_SYNTAX_ERROR, "constraint declared INITIALLY DEFERRED must be DEFERRABLE");
    else if (!deferrable_kind((SdbNode *)c) && (attrs & DEFERRING_ATTRS))
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "CHECK constraints cannot be marked DEFERRABLE");
    else {
        c->deferrable = (attrs & DEFERRING_ATTRS) != 0;
        c->initdeferred = (attrs & CONSTRAINT_ATTR_INITIALLY_DEFERRED) != 0;
        return SDB_OK;
    }
    sdb_parse_error_position(ps, location);
    return SDB_ERROR;
}

/* A constraint of `type` written at `location`. */
static SdbConstraint *make_constraint(SdbParseState *ps, SdbConstrType type, int location)
{
    SdbConstraint *c = NEW(constraint);
    c->contype = type;
    c->location = location;
    return c;
}

/* Gives `col` the constraints of `quals`, and the COLLATE clause among them
 * as its coll_clause; SDB_ERROR (42601) for a second COLLATE. */
static int split_col_quals(SdbParseState *ps, SdbColumnDef *col, SdbList *quals)
{
    for (int i = 0; i < sdb_list_length(quals); i++) {
        SdbNode *item = quals->items[i];
        if (!SDB_IS_A(item, COLLATE_CLAUSE)) {
            col->constraints = APPEND(col->constraints, item);
        } else if (col->coll_clause != NULL) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "multiple COLLATE clauses not allowed");
            sdb_parse_error_position(ps, ((SdbCollateClause *)item)->location);
            return SDB_ERROR;
        } else {
            col->coll_clause = (SdbCollateClause *)item;
        }
    }
    return SDB_OK;
}

/* A DefElem whose value is a string literal. */
static SdbNode *make_string_option(SdbParseState *ps, const char *name, const char *value, int location)
{
    return sdb_pn_def_elem(ps, name, sdb_pn_const(ps, SDB_CONST_KIND_STRING, value, location), location);
}

/* A DefElem whose value is a boolean literal. */
static SdbNode *make_bool_option(SdbParseState *ps, const char *name, bool value, int location)
{
    return sdb_pn_def_elem(ps, name, sdb_pn_const(ps, SDB_CONST_KIND_BOOLEAN, value ? "true" : "false", location),
                           location);
}

/* A TransactionStmt of `kind`. */
static SdbTransactionStmt *make_transaction(SdbParseState *ps, SdbTransactionKind kind)
{
    SdbTransactionStmt *node = NEW(transaction_stmt);
    node->kind = kind;
    return node;
}

/* A VariableSetStmt of `kind` for `name`. */
static SdbVariableSetStmt *make_set(SdbParseState *ps, SdbVariableSetKind kind, const char *name, SdbList *args)
{
    SdbVariableSetStmt *node = NEW(variable_set_stmt);
    node->kind = kind;
    node->name = name ? KW(name) : NULL;
    node->args = args;
    return node;
}

/* A DropStmt. */
static SdbNode *make_drop(SdbParseState *ps, SdbObjectType type, SdbList *objects, bool missing_ok,
                          SdbDropBehavior behavior)
{
    SdbDropStmt *node = NEW(drop_stmt);
    node->remove_type = type;
    node->objects = objects;
    node->missing_ok = missing_ok;
    node->behavior = behavior;
    return (SdbNode *)node;
}

static SdbNode *make_comment(SdbParseState *ps, SdbObjectType type, SdbList *object, char *subname, char *comment)
{
    SdbCommentStmt *node = NEW(comment_stmt);
    node->objtype = type;
    node->object = object;
    node->subname = subname;
    node->comment = comment;
    return (SdbNode *)node;
}

/* An AlterTableCmd. */
static SdbAlterTableCmd *make_cmd(SdbParseState *ps, SdbAlterTableType type, char *name, SdbNode *def)
{
    SdbAlterTableCmd *cmd = NEW(alter_table_cmd);
    cmd->subtype = type;
    cmd->name = name;
    cmd->def = def;
    return cmd;
}

/* A RoleSpec. */
static SdbNode *make_role(SdbParseState *ps, SdbRoleSpecType type, const char *name, int location)
{
    SdbRoleSpec *role = NEW(role_spec);
    role->roletype = type;
    role->rolename = name ? KW(name) : NULL;
    role->location = location;
    return (SdbNode *)role;
}

/* ALTER ROLE old RENAME TO new. */
static SdbNode *make_role_rename(SdbParseState *ps, char *old_name, char *new_name)
{
    SdbRenameStmt *n = NEW(rename_stmt);
    n->rename_type = SDB_OBJECT_TYPE_ROLE;
    n->subname = old_name;
    n->newname = new_name;
    return (SdbNode *)n;
}

/* A role option written as a bare word (LOGIN, NOSUPERUSER, ...): the
 * DefElem PostgreSQL makes of it, or NULL when the word is not one. */
static SdbNode *make_role_word(SdbParseState *ps, const char *word, int location)
{
    static const char *const words[] = {"superuser", "createrole", "createdb", "inherit", "login",
                                        "replication", "bypassrls"};
    static const char *const names[] = {"superuser", "createrole", "createdb", "inherit", "canlogin",
                                        "isreplication", "bypassrls"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(word, words[i]) == 0)
            return make_bool_option(ps, names[i], true, location);
        if (strncmp(word, "no", 2) == 0 && strcmp(word + 2, words[i]) == 0)
            return make_bool_option(ps, names[i], false, location);
    }
    sdb_error(SDB_ERR_SYNTAX_ERROR, "unrecognized role option \"%s\"", word);
    sdb_parse_error_position(ps, location);
    return NULL;
}
}

%token <str> IDENT UIDENT FCONST SCONST USCONST BCONST XCONST Op
%token <ival> ICONST PARAM
%token TYPECAST DOT_DOT COLON_EQUALS EQUALS_GREATER
%token LESS_EQUALS GREATER_EQUALS NOT_EQUALS

/* @KEYWORD_TOKENS@ */

%token NOT_LA NULLS_LA WITH_LA

%type <list> stmtmulti
%type <node> toplevel_stmt stmt
    SelectStmt select_no_parens select_with_parens select_clause simple_select values_clause
    with_clause opt_with_clause common_table_expr PreparableStmt
    InsertStmt insert_rest UpdateStmt DeleteStmt
    CreateStmt TableElement columnDef ColConstraint ColConstraintElem TableConstraint ConstraintElem
    DropStmt IndexStmt index_elem ViewStmt CreateSchemaStmt CreatedbStmt createdb_opt_item DropdbStmt CommentStmt
    CreateSeqStmt SeqOptElem AlterTableStmt alter_table_cmd alter_column_default RenameStmt TruncateStmt
    TransactionStmt transaction_mode_item VariableSetStmt set_rest set_rest_more generic_set
    VariableResetStmt reset_rest VariableShowStmt var_value zone_value
    ExplainStmt ExplainableStmt utility_option_elem utility_option_arg
    PrepareStmt ExecuteStmt DeallocateStmt CopyStmt copy_opt_item copy_generic_opt_elem copy_generic_opt_arg
    AnalyzeStmt VacuumStmt vacuum_relation CheckPointStmt LockStmt
    CreateRoleStmt AlterRoleStmt DropRoleStmt GrantStmt RevokeStmt RoleSpec role_option privilege
    a_expr b_expr c_expr AexprConst columnref func_expr func_expr_windowless func_application
    func_expr_common_subexpr func_arg_expr case_expr case_arg case_default when_clause array_expr
    explicit_row implicit_row in_expr indirection_el opt_slice_bound
    target_el sortby group_by_item table_ref joined_table join_qual relation_expr relation_expr_opt_alias
    func_table alias_clause opt_alias_clause where_clause having_clause
    select_limit_value select_offset_value select_fetch_first_value I_or_F_const NumericOnly
    filter_clause over_clause window_specification window_definition opt_frame_clause frame_extent frame_bound
    for_locking_item set_target insert_column_item opt_on_conflict opt_conf_expr
    opt_boolean_or_string insert_target group_clause privilege_target rename_target
%type <limit> select_limit opt_select_limit limit_clause offset_clause
%type <list> target_list opt_target_list from_clause from_list sort_clause opt_sort_clause sortby_list
    group_by_list expr_list func_arg_list opt_indirection indirection when_clause_list array_expr_list
    cte_list name_list opt_name_list qualified_name_list any_name any_name_list attrs func_name
    opt_partition_clause window_clause window_definition_list for_locking_clause opt_for_locking_clause
    for_locking_items locked_rels_list distinct_clause insert_column_list set_clause_list set_clause set_target_list
    returning_clause using_clause OptTableElementList TableElementList ColQualList columnList
    opt_column_list index_params OptSeqOptList SeqOptList OptParenthesizedSeqOptList alter_table_cmds
    transaction_mode_list transaction_mode_list_or_empty var_list relation_expr_list
    utility_option_list type_list prep_type_clause execute_param_clause copy_options copy_opt_list
    copy_generic_opt_list copy_generic_opt_arg_list createdb_opt_list createdb_opt_items
    opt_vacuum_relation_list vacuum_relation_list vacuum_options role_option_list role_list
    privileges privilege_list grantee_list qual_Op qual_all_Op any_operator subquery_Op
    opt_type_modifiers opt_array_bounds opt_collate within_group_clause trim_list
    OptWith reloptions reloption_list
%type <node> reloption_elem
%type <node> Typename SimpleTypename GenericType Numeric Bit Character ConstTypename ConstDatetime
    ConstInterval character_type
%type <str> ColId ColLabel BareColLabel type_function_name NonReservedWord attr_name name opt_name comment_text
    opt_index_name all_Op MathOp Sconst NonReservedWord_or_Sconst copy_file_name iso_level
    opt_existing_window_name createdb_opt_name utility_option_name opt_interval opt_boolean_word
    access_method_clause RoleId var_name
%type <keyword> unreserved_keyword col_name_keyword type_func_name_keyword reserved_keyword
    bare_label_keyword analyze_keyword
%type <ival> Iconst SignedIconst opt_asc_desc opt_nulls_order set_quantifier sub_type join_type
    opt_materialized for_locking_strength opt_nowait_or_skip row_or_rows OptTemp opt_drop_behavior
    key_action key_actions key_update key_delete key_match generated_when object_type_any_name
    lock_type opt_lock opt_float opt_timezone opt_restart_seqs opt_window_exclusion_clause
    opt_transaction_chain opt_unique opt_verbose opt_full opt_freeze opt_analyze
    opt_nowait  opt_concurrently opt_varying opt_all_clause
    opt_asymmetric copy_from opt_ordinality opt_grant_grant_option opt_outer
    opt_column opt_table opt_transaction ConstraintAttributeSpec ConstraintAttr rename_relation_kind

/* Precedence, lowest first, as PostgreSQL 15 declares it. */
%nonassoc K_SET
%left K_UNION K_EXCEPT
%left K_INTERSECT
%left K_OR
%left K_AND
%right K_NOT
%nonassoc K_IS K_ISNULL K_NOTNULL
%nonassoc '<' '>' '=' LESS_EQUALS GREATER_EQUALS NOT_EQUALS
%nonassoc K_BETWEEN K_IN K_LIKE K_ILIKE K_SIMILAR NOT_LA
%nonassoc K_ESCAPE
%nonassoc K_UNBOUNDED
%nonassoc IDENT K_PARTITION K_RANGE K_ROWS K_GROUPS K_PRECEDING K_FOLLOWING K_CUBE K_ROLLUP
%left Op K_OPERATOR
%left '+' '-'
%left '*' '/' '%'
%left '^'
%left K_AT
%left K_COLLATE
%right UMINUS
%left '[' ']'
%left '(' ')'
%left TYPECAST
%left '.'
%left K_JOIN K_CROSS K_LEFT K_FULL K_RIGHT K_INNER K_NATURAL

%%

parse_toplevel:
    stmtmulti { ps->stmts = $1; }
    ;

stmtmulti:
    stmtmulti ';' toplevel_stmt
        {
            if ($1 != NULL) {
                SdbRawStmt *last = AS(RawStmt, $1->items[$1->length - 1]);
                if (last->stmt_len == 0)
                    last->stmt_len = @2 - last->stmt_location;
            }
            $$ = $1;
            if ($3 != NULL)
                $$ = APPEND($1, sdb_pn_raw_stmt(ps, $3, @3));
        }
    | toplevel_stmt { $$ = $1 != NULL ? LIST1(sdb_pn_raw_stmt(ps, $1, @1)) : NULL; }
    ;

toplevel_stmt:
    stmt
    | K_BEGIN opt_transaction transaction_mode_list_or_empty
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_BEGIN);
            n->options = $3;
            $$ = (SdbNode *)n;
        }
    | K_END opt_transaction opt_transaction_chain
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_COMMIT);
            n->chain = $3;
            $$ = (SdbNode *)n;
        }
    ;

stmt:
    AlterRoleStmt | AlterTableStmt | AnalyzeStmt | CheckPointStmt | CommentStmt | CopyStmt | CreateRoleStmt
    | CreateSchemaStmt | CreateSeqStmt | CreateStmt | CreatedbStmt | DeallocateStmt | DeleteStmt
    | DropRoleStmt | DropStmt | DropdbStmt | ExecuteStmt | ExplainStmt | GrantStmt | IndexStmt
    | InsertStmt | LockStmt | PrepareStmt | RenameStmt | RevokeStmt | SelectStmt | TransactionStmt
    | TruncateStmt | UpdateStmt | VacuumStmt | VariableResetStmt | VariableSetStmt | VariableShowStmt
    | ViewStmt
    | %empty { $$ = NULL; }
    ;

/* ---------------------------------------------------------------- SELECT */

SelectStmt:
    select_no_parens %prec UMINUS
    | select_with_parens %prec UMINUS
    ;

select_with_parens:
    '(' select_no_parens ')' { $$ = $2; }
    | '(' select_with_parens ')' { $$ = $2; }
    ;

select_no_parens:
    simple_select
    | select_clause sort_clause { SELECT_OPTIONS($1, $2, NULL, NULL, NULL, @2); $$ = $1; }
    | select_clause opt_sort_clause for_locking_clause opt_select_limit
        { SELECT_OPTIONS($1, $2, $4, $3, NULL, FIRST_LOC(@2, @3)); $$ = $1; }
    | select_clause opt_sort_clause select_limit opt_for_locking_clause
        { SELECT_OPTIONS($1, $2, $3, $4, NULL, FIRST_LOC(@2, @3)); $$ = $1; }
    | with_clause select_clause { SELECT_OPTIONS($2, NULL, NULL, NULL, $1, @1); $$ = $2; }
    | with_clause select_clause sort_clause { SELECT_OPTIONS($2, $3, NULL, NULL, $1, @3); $$ = $2; }
    | with_clause select_clause opt_sort_clause for_locking_clause opt_select_limit
        { SELECT_OPTIONS($2, $3, $5, $4, $1, FIRST_LOC(@3, @4)); $$ = $2; }
    | with_clause select_clause opt_sort_clause select_limit opt_for_locking_clause
        { SELECT_OPTIONS($2, $3, $4, $5, $1, FIRST_LOC(@3, @4)); $$ = $2; }
    ;

select_clause:
    simple_select
    | select_with_parens
    ;

simple_select:
    K_SELECT opt_all_clause opt_target_list from_clause where_clause group_clause having_clause window_clause
        {
            SdbSelectStmt *n = NEW(select_stmt);
            n->target_list = $3;
            n->from_clause = $4;
            n->where_clause = $5;
            n->group_clause = $6 ? AS(SelectStmt, $6)->group_clause : NULL;
            n->group_distinct = $6 && AS(SelectStmt, $6)->group_distinct;
            n->having_clause = $7;
            n->window_clause = $8;
            $$ = (SdbNode *)n;
        }
    | K_SELECT distinct_clause target_list from_clause where_clause group_clause having_clause window_clause
        {
            SdbSelectStmt *n = NEW(select_stmt);
            n->distinct = true;
            n->distinct_on = $2;
            n->target_list = $3;
            n->from_clause = $4;
            n->where_clause = $5;
            n->group_clause = $6 ? AS(SelectStmt, $6)->group_clause : NULL;
            n->group_distinct = $6 && AS(SelectStmt, $6)->group_distinct;
            n->having_clause = $7;
            n->window_clause = $8;
            $$ = (SdbNode *)n;
        }
    | values_clause
    | K_TABLE relation_expr
        {
            SdbSelectStmt *n = NEW(select_stmt);
            SdbColumnRef *star = NEW(column_ref);
            SdbResTarget *rt = NEW(res_target);
            star->fields = LIST1(NEW(a_star));
            star->location = -1;
            rt->val = (SdbNode *)star;
            rt->location = -1;
            n->target_list = LIST1(rt);
            n->from_clause = LIST1($2);
            $$ = (SdbNode *)n;
        }
    | select_clause K_UNION set_quantifier select_clause
        { $$ = sdb_pn_set_op(ps, SDB_SET_OPERATION_UNION, $3 == 1, $1, $4); }
    | select_clause K_INTERSECT set_quantifier select_clause
        { $$ = sdb_pn_set_op(ps, SDB_SET_OPERATION_INTERSECT, $3 == 1, $1, $4); }
    | select_clause K_EXCEPT set_quantifier select_clause
        { $$ = sdb_pn_set_op(ps, SDB_SET_OPERATION_EXCEPT, $3 == 1, $1, $4); }
    ;

with_clause:
    K_WITH cte_list
        { SdbWithClause *n = NEW(with_clause); n->ctes = $2; n->location = @1; $$ = (SdbNode *)n; }
    | WITH_LA cte_list
        { SdbWithClause *n = NEW(with_clause); n->ctes = $2; n->location = @1; $$ = (SdbNode *)n; }
    | K_WITH K_RECURSIVE cte_list
        {
            SdbWithClause *n = NEW(with_clause);
            n->ctes = $3;
            n->recursive = true;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    ;

opt_with_clause:
    with_clause
    | %empty { $$ = NULL; }
    ;

cte_list:
    common_table_expr { $$ = LIST1($1); }
    | cte_list ',' common_table_expr { $$ = APPEND($1, $3); }
    ;

common_table_expr:
    name opt_name_list K_AS opt_materialized '(' PreparableStmt ')'
        {
            SdbCommonTableExpr *n = NEW(common_table_expr);
            n->ctename = $1;
            n->aliascolnames = $2;
            n->ctematerialized = $4;
            n->ctequery = $6;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    ;

opt_materialized:
    K_MATERIALIZED { $$ = SDB_CTE_MATERIALIZE_ALWAYS; }
    | K_NOT K_MATERIALIZED { $$ = SDB_CTE_MATERIALIZE_NEVER; }
    | %empty { $$ = SDB_CTE_MATERIALIZE_DEFAULT; }
    ;

PreparableStmt:
    SelectStmt | InsertStmt | UpdateStmt | DeleteStmt
    ;

opt_asymmetric:
    K_ASYMMETRIC { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_all_clause:
    K_ALL { $$ = 1; }
    | %empty { $$ = 0; }
    ;

distinct_clause:
    K_DISTINCT { $$ = NULL; }
    | K_DISTINCT K_ON '(' expr_list ')' { $$ = $4; }
    ;

set_quantifier:
    K_ALL { $$ = 1; }
    | K_DISTINCT { $$ = 2; }
    | %empty { $$ = 0; }
    ;

opt_target_list:
    target_list
    | %empty { $$ = NULL; }
    ;

target_list:
    target_el { $$ = LIST1($1); }
    | target_list ',' target_el { $$ = APPEND($1, $3); }
    ;

target_el:
    a_expr K_AS ColLabel
        { SdbResTarget *n = NEW(res_target); n->name = $3; n->val = $1; n->location = @1; $$ = (SdbNode *)n; }
    | a_expr BareColLabel
        { SdbResTarget *n = NEW(res_target); n->name = $2; n->val = $1; n->location = @1; $$ = (SdbNode *)n; }
    | a_expr
        { SdbResTarget *n = NEW(res_target); n->val = $1; n->location = @1; $$ = (SdbNode *)n; }
    | '*'
        {
            SdbColumnRef *star = NEW(column_ref);
            SdbResTarget *n = NEW(res_target);
            star->fields = LIST1(NEW(a_star));
            star->location = @1;
            n->val = (SdbNode *)star;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    ;

sort_clause:
    K_ORDER K_BY sortby_list { $$ = $3; }
    ;

opt_sort_clause:
    sort_clause
    | %empty { $$ = NULL; }
    ;

sortby_list:
    sortby { $$ = LIST1($1); }
    | sortby_list ',' sortby { $$ = APPEND($1, $3); }
    ;

sortby:
    a_expr K_USING qual_all_Op opt_nulls_order
        {
            SdbSortBy *n = NEW(sort_by);
            n->node = $1;
            n->sortby_dir = SDB_SORT_BY_DIR_USING;
            n->use_op = $3;
            n->sortby_nulls = $4;
            n->location = @3;
            $$ = (SdbNode *)n;
        }
    | a_expr opt_asc_desc opt_nulls_order
        {
            SdbSortBy *n = NEW(sort_by);
            n->node = $1;
            n->sortby_dir = $2;
            n->sortby_nulls = $3;
            n->location = -1;
            $$ = (SdbNode *)n;
        }
    ;

opt_asc_desc:
    K_ASC { $$ = SDB_SORT_BY_DIR_ASC; }
    | K_DESC { $$ = SDB_SORT_BY_DIR_DESC; }
    | %empty { $$ = SDB_SORT_BY_DIR_DEFAULT; }
    ;

opt_nulls_order:
    NULLS_LA K_FIRST { $$ = SDB_SORT_BY_NULLS_FIRST; }
    | NULLS_LA K_LAST { $$ = SDB_SORT_BY_NULLS_LAST; }
    | %empty { $$ = SDB_SORT_BY_NULLS_DEFAULT; }
    ;

select_limit:
    limit_clause offset_clause { $$ = merge_limit($1, $2); }
    | offset_clause limit_clause { $$ = merge_limit($1, $2); }
    | limit_clause
    | offset_clause
    ;

opt_select_limit:
    select_limit
    | %empty { $$ = NULL; }
    ;

limit_clause:
    K_LIMIT select_limit_value { $$ = make_limit(ps, NULL, $2, SDB_LIMIT_OPTION_COUNT); }
    | K_FETCH first_or_next select_fetch_first_value row_or_rows K_ONLY
        { $$ = make_limit(ps, NULL, $3, SDB_LIMIT_OPTION_COUNT); }
    | K_FETCH first_or_next select_fetch_first_value row_or_rows K_WITH K_TIES
        { $$ = make_limit(ps, NULL, $3, SDB_LIMIT_OPTION_WITH_TIES); }
    | K_FETCH first_or_next row_or_rows K_ONLY
        { $$ = make_limit(ps, NULL, sdb_pn_int_const(ps, 1, -1), SDB_LIMIT_OPTION_COUNT); }
    | K_FETCH first_or_next row_or_rows K_WITH K_TIES
        { $$ = make_limit(ps, NULL, sdb_pn_int_const(ps, 1, -1), SDB_LIMIT_OPTION_WITH_TIES); }
    ;

offset_clause:
    K_OFFSET select_offset_value { $$ = make_limit(ps, $2, NULL, SDB_LIMIT_OPTION_DEFAULT); }
    | K_OFFSET select_fetch_first_value row_or_rows { $$ = make_limit(ps, $2, NULL, SDB_LIMIT_OPTION_DEFAULT); }
    ;

select_limit_value:
    a_expr
    | K_ALL { $$ = sdb_pn_const(ps, SDB_CONST_KIND_NULL, NULL, @1); }
    ;

select_offset_value:
    a_expr
    ;

select_fetch_first_value:
    c_expr
    | '+' I_or_F_const { $$ = $2; }
    | '-' I_or_F_const { $$ = sdb_pn_negate(ps, $2, @1); }
    ;

I_or_F_const:
    Iconst { $$ = sdb_pn_int_const(ps, $1, @1); }
    | FCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_FLOAT, $1, @1); }
    ;

row_or_rows:
    K_ROW { $$ = 0; }
    | K_ROWS { $$ = 0; }
    ;

first_or_next:
    K_FIRST { }
    | K_NEXT { }
    ;

group_clause:
    K_GROUP K_BY set_quantifier group_by_list
        {
            SdbSelectStmt *n = NEW(select_stmt);
            n->group_clause = $4;
            n->group_distinct = $3 == 2;
            $$ = (SdbNode *)n;
        }
    | %empty { $$ = NULL; }
    ;

group_by_list:
    group_by_item { $$ = LIST1($1); }
    | group_by_list ',' group_by_item { $$ = APPEND($1, $3); }
    ;

group_by_item:
    a_expr
    | '(' ')'
        {
            SdbGroupingSet *n = NEW(grouping_set);
            n->kind = SDB_GROUPING_SET_KIND_EMPTY;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | K_CUBE '(' expr_list ')'
        {
            SdbGroupingSet *n = NEW(grouping_set);
            n->kind = SDB_GROUPING_SET_KIND_CUBE;
            n->content = $3;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | K_ROLLUP '(' expr_list ')'
        {
            SdbGroupingSet *n = NEW(grouping_set);
            n->kind = SDB_GROUPING_SET_KIND_ROLLUP;
            n->content = $3;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | K_GROUPING K_SETS '(' group_by_list ')'
        {
            SdbGroupingSet *n = NEW(grouping_set);
            n->kind = SDB_GROUPING_SET_KIND_SETS;
            n->content = $4;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    ;

having_clause:
    K_HAVING a_expr { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

for_locking_clause:
    for_locking_items
    | K_FOR K_READ K_ONLY { $$ = NULL; }
    ;

opt_for_locking_clause:
    for_locking_clause
    | %empty { $$ = NULL; }
    ;

for_locking_items:
    for_locking_item { $$ = LIST1($1); }
    | for_locking_items for_locking_item { $$ = APPEND($1, $2); }
    ;

for_locking_item:
    for_locking_strength locked_rels_list opt_nowait_or_skip
        {
            SdbLockingClause *n = NEW(locking_clause);
            n->strength = $1;
            n->locked_rels = $2;
            n->wait_policy = $3;
            $$ = (SdbNode *)n;
        }
    ;

for_locking_strength:
    K_FOR K_UPDATE { $$ = SDB_LOCK_STRENGTH_UPDATE; }
    | K_FOR K_NO K_KEY K_UPDATE { $$ = SDB_LOCK_STRENGTH_NO_KEY_UPDATE; }
    | K_FOR K_SHARE { $$ = SDB_LOCK_STRENGTH_SHARE; }
    | K_FOR K_KEY K_SHARE { $$ = SDB_LOCK_STRENGTH_KEY_SHARE; }
    ;

locked_rels_list:
    K_OF qualified_name_list { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

opt_nowait_or_skip:
    K_NOWAIT { $$ = SDB_WAIT_POLICY_ERROR; }
    | K_SKIP K_LOCKED { $$ = SDB_WAIT_POLICY_SKIP; }
    | %empty { $$ = SDB_WAIT_POLICY_BLOCK; }
    ;

values_clause:
    K_VALUES '(' expr_list ')'
        { SdbSelectStmt *n = NEW(select_stmt); n->values_lists = LIST1($3); $$ = (SdbNode *)n; }
    | values_clause ',' '(' expr_list ')'
        { AS(SelectStmt, $1)->values_lists = APPEND(AS(SelectStmt, $1)->values_lists, $4); $$ = $1; }
    ;

from_clause:
    K_FROM from_list { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

from_list:
    table_ref { $$ = LIST1($1); }
    | from_list ',' table_ref { $$ = APPEND($1, $3); }
    ;

table_ref:
    relation_expr opt_alias_clause { AS(RangeVar, $1)->alias = AS(Alias, $2); $$ = $1; }
    | func_table opt_alias_clause { AS(RangeFunction, $1)->alias = AS(Alias, $2); $$ = $1; }
    | K_LATERAL func_table opt_alias_clause
        { AS(RangeFunction, $2)->lateral = true; AS(RangeFunction, $2)->alias = AS(Alias, $3); $$ = $2; }
    | select_with_parens opt_alias_clause
        { SdbRangeSubselect *n = NEW(range_subselect); n->subquery = $1; n->alias = AS(Alias, $2); $$ = (SdbNode *)n; }
    | K_LATERAL select_with_parens opt_alias_clause
        {
            SdbRangeSubselect *n = NEW(range_subselect);
            n->lateral = true;
            n->subquery = $2;
            n->alias = AS(Alias, $3);
            $$ = (SdbNode *)n;
        }
    | joined_table
    | '(' joined_table ')' alias_clause { AS(JoinExpr, $2)->alias = AS(Alias, $4); $$ = $2; }
    ;

joined_table:
    '(' joined_table ')' { $$ = $2; }
    | table_ref K_CROSS K_JOIN table_ref
        {
            SdbJoinExpr *n = NEW(join_expr);
            n->jointype = SDB_JOIN_TYPE_INNER;
            n->larg = $1;
            n->rarg = $4;
            $$ = (SdbNode *)n;
        }
    | table_ref join_type K_JOIN table_ref join_qual
        { SdbJoinExpr *n = AS(JoinExpr, $5); n->jointype = $2; n->larg = $1; n->rarg = $4; $$ = $5; }
    | table_ref K_JOIN table_ref join_qual
        { SdbJoinExpr *n = AS(JoinExpr, $4); n->jointype = SDB_JOIN_TYPE_INNER; n->larg = $1; n->rarg = $3; $$ = $4; }
    | table_ref K_NATURAL join_type K_JOIN table_ref
        {
            SdbJoinExpr *n = NEW(join_expr);
            n->jointype = $3;
            n->is_natural = true;
            n->larg = $1;
            n->rarg = $5;
            $$ = (SdbNode *)n;
        }
    | table_ref K_NATURAL K_JOIN table_ref
        {
            SdbJoinExpr *n = NEW(join_expr);
            n->jointype = SDB_JOIN_TYPE_INNER;
            n->is_natural = true;
            n->larg = $1;
            n->rarg = $4;
            $$ = (SdbNode *)n;
        }
    ;

join_type:
    K_FULL opt_outer { $$ = SDB_JOIN_TYPE_FULL; }
    | K_LEFT opt_outer { $$ = SDB_JOIN_TYPE_LEFT; }
    | K_RIGHT opt_outer { $$ = SDB_JOIN_TYPE_RIGHT; }
    | K_INNER { $$ = SDB_JOIN_TYPE_INNER; }
    ;

opt_outer:
    K_OUTER { $$ = 1; }
    | %empty { $$ = 0; }
    ;

/* A JoinExpr holding only the join condition; joined_table fills in the rest. */
join_qual:
    K_USING '(' name_list ')'
        { SdbJoinExpr *n = NEW(join_expr); n->using_clause = $3; $$ = (SdbNode *)n; }
    | K_USING '(' name_list ')' K_AS ColId
        {
            SdbJoinExpr *n = NEW(join_expr);
            SdbAlias *alias = NEW(alias);
            alias->aliasname = $6;
            n->using_clause = $3;
            n->join_using_alias = alias;
            $$ = (SdbNode *)n;
        }
    | K_ON a_expr { SdbJoinExpr *n = NEW(join_expr); n->quals = $2; $$ = (SdbNode *)n; }
    ;

relation_expr:
    ColId { $$ = (SdbNode *)sdb_pn_range_var(ps, $1, NULL, @1); }
    | ColId indirection
        {
            SdbRangeVar *rv = sdb_pn_range_var(ps, $1, $2, @1);
            if (rv == NULL)
                YYABORT;
            $$ = (SdbNode *)rv;
        }
    | ColId '*' { $$ = (SdbNode *)sdb_pn_range_var(ps, $1, NULL, @1); }
    | K_ONLY ColId { SdbRangeVar *rv = sdb_pn_range_var(ps, $2, NULL, @2); rv->only = true; $$ = (SdbNode *)rv; }
    | K_ONLY '(' ColId ')'
        { SdbRangeVar *rv = sdb_pn_range_var(ps, $3, NULL, @3); rv->only = true; $$ = (SdbNode *)rv; }
    ;

relation_expr_list:
    relation_expr { $$ = LIST1($1); }
    | relation_expr_list ',' relation_expr { $$ = APPEND($1, $3); }
    ;

relation_expr_opt_alias:
    relation_expr %prec UMINUS
    | relation_expr ColId
        { SdbAlias *a = NEW(alias); a->aliasname = $2; AS(RangeVar, $1)->alias = a; $$ = $1; }
    | relation_expr K_AS ColId
        { SdbAlias *a = NEW(alias); a->aliasname = $3; AS(RangeVar, $1)->alias = a; $$ = $1; }
    ;

func_table:
    func_expr_windowless opt_ordinality
        {
            SdbRangeFunction *n = NEW(range_function);
            n->function = $1;
            n->ordinality = $2;
            $$ = (SdbNode *)n;
        }
    ;

opt_ordinality:
    WITH_LA K_ORDINALITY { $$ = 1; }
    | %empty { $$ = 0; }
    ;

alias_clause:
    K_AS ColId '(' name_list ')'
        { SdbAlias *a = NEW(alias); a->aliasname = $2; a->colnames = $4; $$ = (SdbNode *)a; }
    | K_AS ColId { SdbAlias *a = NEW(alias); a->aliasname = $2; $$ = (SdbNode *)a; }
    | ColId '(' name_list ')'
        { SdbAlias *a = NEW(alias); a->aliasname = $1; a->colnames = $3; $$ = (SdbNode *)a; }
    | ColId { SdbAlias *a = NEW(alias); a->aliasname = $1; $$ = (SdbNode *)a; }
    ;

opt_alias_clause:
    alias_clause
    | %empty { $$ = NULL; }
    ;

where_clause:
    K_WHERE a_expr { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

window_clause:
    K_WINDOW window_definition_list { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

window_definition_list:
    window_definition { $$ = LIST1($1); }
    | window_definition_list ',' window_definition { $$ = APPEND($1, $3); }
    ;

window_definition:
    ColId K_AS window_specification { AS(WindowDef, $3)->name = $1; $$ = $3; }
    ;

over_clause:
    K_OVER window_specification { $$ = $2; }
    | K_OVER ColId
        { SdbWindowDef *n = NEW(window_def); n->name = $2; n->location = @2; $$ = (SdbNode *)n; }
    | %empty { $$ = NULL; }
    ;

window_specification:
    '(' opt_existing_window_name opt_partition_clause opt_sort_clause opt_frame_clause ')'
        {
            SdbWindowDef *n = AS(WindowDef, $5);
            n->refname = $2;
            n->partition_clause = $3;
            n->order_clause = $4;
            n->location = @1;
            $$ = $5;
        }
    ;

opt_existing_window_name:
    ColId
    | %empty %prec Op { $$ = NULL; }
    ;

opt_partition_clause:
    K_PARTITION K_BY expr_list { $$ = $3; }
    | %empty { $$ = NULL; }
    ;

/* A WindowDef holding the frame only. */
opt_frame_clause:
    K_RANGE frame_extent opt_window_exclusion_clause
        { AS(WindowDef, $2)->frame_mode = SDB_FRAME_MODE_RANGE; AS(WindowDef, $2)->exclusion = $3; $$ = $2; }
    | K_ROWS frame_extent opt_window_exclusion_clause
        { AS(WindowDef, $2)->frame_mode = SDB_FRAME_MODE_ROWS; AS(WindowDef, $2)->exclusion = $3; $$ = $2; }
    | K_GROUPS frame_extent opt_window_exclusion_clause
        { AS(WindowDef, $2)->frame_mode = SDB_FRAME_MODE_GROUPS; AS(WindowDef, $2)->exclusion = $3; $$ = $2; }
    | %empty { $$ = (SdbNode *)NEW(window_def); }
    ;

frame_extent:
    frame_bound
    | K_BETWEEN frame_bound K_AND frame_bound
        {
            SdbWindowDef *n = AS(WindowDef, $2);
            n->end_bound = AS(WindowDef, $4)->start_bound;
            n->end_offset = AS(WindowDef, $4)->start_offset;
            $$ = $2;
        }
    ;

/* A WindowDef holding one bound as its start. */
frame_bound:
    K_UNBOUNDED K_PRECEDING
        { SdbWindowDef *n = NEW(window_def); n->start_bound = SDB_FRAME_BOUND_UNBOUNDED_PRECEDING; $$ = (SdbNode *)n; }
    | K_UNBOUNDED K_FOLLOWING
        { SdbWindowDef *n = NEW(window_def); n->start_bound = SDB_FRAME_BOUND_UNBOUNDED_FOLLOWING; $$ = (SdbNode *)n; }
    | K_CURRENT K_ROW
        { SdbWindowDef *n = NEW(window_def); n->start_bound = SDB_FRAME_BOUND_CURRENT_ROW; $$ = (SdbNode *)n; }
    | a_expr K_PRECEDING
        {
            SdbWindowDef *n = NEW(window_def);
            n->start_bound = SDB_FRAME_BOUND_OFFSET_PRECEDING;
            n->start_offset = $1;
            $$ = (SdbNode *)n;
        }
    | a_expr K_FOLLOWING
        {
            SdbWindowDef *n = NEW(window_def);
            n->start_bound = SDB_FRAME_BOUND_OFFSET_FOLLOWING;
            n->start_offset = $1;
            $$ = (SdbNode *)n;
        }
    ;

opt_window_exclusion_clause:
    K_EXCLUDE K_CURRENT K_ROW { $$ = SDB_FRAME_EXCLUSION_CURRENT_ROW; }
    | K_EXCLUDE K_GROUP { $$ = SDB_FRAME_EXCLUSION_GROUP; }
    | K_EXCLUDE K_TIES { $$ = SDB_FRAME_EXCLUSION_TIES; }
    | K_EXCLUDE K_NO K_OTHERS { $$ = SDB_FRAME_EXCLUSION_NO_OTHERS; }
    | %empty { $$ = SDB_FRAME_EXCLUSION_NO_OTHERS; }
    ;

/* ---------------------------------------------------------------- expressions */

a_expr:
    c_expr
    | a_expr TYPECAST Typename { $$ = sdb_pn_cast(ps, $1, AS(TypeName, $3), @2); }
    | a_expr K_COLLATE any_name
        {
            SdbCollateClause *n = NEW(collate_clause);
            n->arg = $1;
            n->collname = $3;
            n->location = @2;
            $$ = (SdbNode *)n;
        }
    | a_expr K_AT K_TIME K_ZONE a_expr %prec K_AT
        { $$ = (SdbNode *)sdb_pn_system_func(ps, "timezone", LIST2($5, $1), @2); }
    | '+' a_expr %prec UMINUS { $$ = OP("+", NULL, $2, @1); }
    | '-' a_expr %prec UMINUS { $$ = sdb_pn_negate(ps, $2, @1); }
    | a_expr '+' a_expr { $$ = OP("+", $1, $3, @2); }
    | a_expr '-' a_expr { $$ = OP("-", $1, $3, @2); }
    | a_expr '*' a_expr { $$ = OP("*", $1, $3, @2); }
    | a_expr '/' a_expr { $$ = OP("/", $1, $3, @2); }
    | a_expr '%' a_expr { $$ = OP("%", $1, $3, @2); }
    | a_expr '^' a_expr { $$ = OP("^", $1, $3, @2); }
    | a_expr '<' a_expr { $$ = OP("<", $1, $3, @2); }
    | a_expr '>' a_expr { $$ = OP(">", $1, $3, @2); }
    | a_expr '=' a_expr { $$ = OP("=", $1, $3, @2); }
    | a_expr LESS_EQUALS a_expr { $$ = OP("<=", $1, $3, @2); }
    | a_expr GREATER_EQUALS a_expr { $$ = OP(">=", $1, $3, @2); }
    | a_expr NOT_EQUALS a_expr { $$ = OP("<>", $1, $3, @2); }
    | a_expr qual_Op a_expr %prec Op
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_OP, $2, $1, $3, @2); }
    | qual_Op a_expr %prec Op { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_OP, $1, NULL, $2, @1); }
    | a_expr K_AND a_expr { $$ = sdb_pn_bool(ps, SDB_BOOL_EXPR_TYPE_AND, $1, $3, @2); }
    | a_expr K_OR a_expr { $$ = sdb_pn_bool(ps, SDB_BOOL_EXPR_TYPE_OR, $1, $3, @2); }
    | K_NOT a_expr { $$ = sdb_pn_not(ps, $2, @1); }
    | NOT_LA a_expr %prec K_NOT { $$ = sdb_pn_not(ps, $2, @1); }
    | a_expr K_LIKE a_expr { $$ = make_like(ps, SDB_A_EXPR_KIND_LIKE, "~~", $1, $3, NULL, @2); }
    | a_expr K_LIKE a_expr K_ESCAPE a_expr %prec K_LIKE
        { $$ = make_like(ps, SDB_A_EXPR_KIND_LIKE, "~~", $1, $3, $5, @2); }
    | a_expr NOT_LA K_LIKE a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_LIKE, "!~~", $1, $4, NULL, @2); }
    | a_expr NOT_LA K_LIKE a_expr K_ESCAPE a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_LIKE, "!~~", $1, $4, $6, @2); }
    | a_expr K_ILIKE a_expr { $$ = make_like(ps, SDB_A_EXPR_KIND_ILIKE, "~~*", $1, $3, NULL, @2); }
    | a_expr K_ILIKE a_expr K_ESCAPE a_expr %prec K_ILIKE
        { $$ = make_like(ps, SDB_A_EXPR_KIND_ILIKE, "~~*", $1, $3, $5, @2); }
    | a_expr NOT_LA K_ILIKE a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_ILIKE, "!~~*", $1, $4, NULL, @2); }
    | a_expr NOT_LA K_ILIKE a_expr K_ESCAPE a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_ILIKE, "!~~*", $1, $4, $6, @2); }
    | a_expr K_SIMILAR K_TO a_expr %prec K_SIMILAR
        { $$ = make_like(ps, SDB_A_EXPR_KIND_SIMILAR, "~", $1, $4, NULL, @2); }
    | a_expr K_SIMILAR K_TO a_expr K_ESCAPE a_expr %prec K_SIMILAR
        { $$ = make_like(ps, SDB_A_EXPR_KIND_SIMILAR, "~", $1, $4, $6, @2); }
    | a_expr NOT_LA K_SIMILAR K_TO a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_SIMILAR, "!~", $1, $5, NULL, @2); }
    | a_expr NOT_LA K_SIMILAR K_TO a_expr K_ESCAPE a_expr %prec NOT_LA
        { $$ = make_like(ps, SDB_A_EXPR_KIND_SIMILAR, "!~", $1, $5, $7, @2); }
    | a_expr K_IS K_NULL %prec K_IS { $$ = make_null_test(ps, $1, SDB_NULL_TEST_TYPE_IS_NULL, @2); }
    | a_expr K_ISNULL { $$ = make_null_test(ps, $1, SDB_NULL_TEST_TYPE_IS_NULL, @2); }
    | a_expr K_IS K_NOT K_NULL %prec K_IS { $$ = make_null_test(ps, $1, SDB_NULL_TEST_TYPE_IS_NOT_NULL, @2); }
    | a_expr K_NOTNULL { $$ = make_null_test(ps, $1, SDB_NULL_TEST_TYPE_IS_NOT_NULL, @2); }
    | a_expr K_IS K_TRUE %prec K_IS { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_TRUE, @2); }
    | a_expr K_IS K_NOT K_TRUE %prec K_IS { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_NOT_TRUE, @2); }
    | a_expr K_IS K_FALSE %prec K_IS { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_FALSE, @2); }
    | a_expr K_IS K_NOT K_FALSE %prec K_IS { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_NOT_FALSE, @2); }
    | a_expr K_IS K_UNKNOWN %prec K_IS { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_UNKNOWN, @2); }
    | a_expr K_IS K_NOT K_UNKNOWN %prec K_IS
        { $$ = make_bool_test(ps, $1, SDB_BOOL_TEST_TYPE_IS_NOT_UNKNOWN, @2); }
    | a_expr K_IS K_DISTINCT K_FROM a_expr %prec K_IS
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_DISTINCT, LIST1(STR("=")), $1, $5, @2); }
    | a_expr K_IS K_NOT K_DISTINCT K_FROM a_expr %prec K_IS
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_NOT_DISTINCT, LIST1(STR("=")), $1, $6, @2); }
    | a_expr K_BETWEEN opt_asymmetric b_expr K_AND a_expr %prec K_BETWEEN
        { $$ = make_between(ps, SDB_A_EXPR_KIND_BETWEEN, $1, $4, $6, @2); }
    | a_expr NOT_LA K_BETWEEN opt_asymmetric b_expr K_AND a_expr %prec NOT_LA
        { $$ = make_between(ps, SDB_A_EXPR_KIND_NOT_BETWEEN, $1, $5, $7, @2); }
    | a_expr K_BETWEEN K_SYMMETRIC b_expr K_AND a_expr %prec K_BETWEEN
        { $$ = make_between(ps, SDB_A_EXPR_KIND_BETWEEN_SYM, $1, $4, $6, @2); }
    | a_expr NOT_LA K_BETWEEN K_SYMMETRIC b_expr K_AND a_expr %prec NOT_LA
        { $$ = make_between(ps, SDB_A_EXPR_KIND_NOT_BETWEEN_SYM, $1, $5, $7, @2); }
    | a_expr K_IN in_expr { $$ = make_in(ps, false, $1, $3, @2); }
    | a_expr NOT_LA K_IN in_expr %prec NOT_LA { $$ = make_in(ps, true, $1, $4, @2); }
    | a_expr subquery_Op sub_type select_with_parens %prec Op
        { $$ = make_sublink(ps, $3, $1, $2, $4, @2); }
    | a_expr subquery_Op sub_type '(' a_expr ')' %prec Op
        {
            SdbAExprKind kind = $3 == SDB_SUB_LINK_TYPE_ANY ? SDB_A_EXPR_KIND_OP_ANY : SDB_A_EXPR_KIND_OP_ALL;
            $$ = sdb_pn_aexpr(ps, kind, $2, $1, $5, @2);
        }
    | K_DEFAULT { SdbSetToDefault *n = NEW(set_to_default); n->location = @1; $$ = (SdbNode *)n; }
    ;

b_expr:
    c_expr
    | b_expr TYPECAST Typename { $$ = sdb_pn_cast(ps, $1, AS(TypeName, $3), @2); }
    | '+' b_expr %prec UMINUS { $$ = OP("+", NULL, $2, @1); }
    | '-' b_expr %prec UMINUS { $$ = sdb_pn_negate(ps, $2, @1); }
    | b_expr '+' b_expr { $$ = OP("+", $1, $3, @2); }
    | b_expr '-' b_expr { $$ = OP("-", $1, $3, @2); }
    | b_expr '*' b_expr { $$ = OP("*", $1, $3, @2); }
    | b_expr '/' b_expr { $$ = OP("/", $1, $3, @2); }
    | b_expr '%' b_expr { $$ = OP("%", $1, $3, @2); }
    | b_expr '^' b_expr { $$ = OP("^", $1, $3, @2); }
    | b_expr '<' b_expr { $$ = OP("<", $1, $3, @2); }
    | b_expr '>' b_expr { $$ = OP(">", $1, $3, @2); }
    | b_expr '=' b_expr { $$ = OP("=", $1, $3, @2); }
    | b_expr LESS_EQUALS b_expr { $$ = OP("<=", $1, $3, @2); }
    | b_expr GREATER_EQUALS b_expr { $$ = OP(">=", $1, $3, @2); }
    | b_expr NOT_EQUALS b_expr { $$ = OP("<>", $1, $3, @2); }
    | b_expr qual_Op b_expr %prec Op { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_OP, $2, $1, $3, @2); }
    | qual_Op b_expr %prec Op { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_OP, $1, NULL, $2, @1); }
    | b_expr K_IS K_DISTINCT K_FROM b_expr %prec K_IS
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_DISTINCT, LIST1(STR("=")), $1, $5, @2); }
    | b_expr K_IS K_NOT K_DISTINCT K_FROM b_expr %prec K_IS
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_NOT_DISTINCT, LIST1(STR("=")), $1, $6, @2); }
    ;

c_expr:
    columnref
    | AexprConst
    | PARAM opt_indirection
        {
            SdbParamRef *p = NEW(param_ref);
            p->number = $1;
            p->location = @1;
            $$ = sdb_pn_indirection(ps, (SdbNode *)p, $2);
        }
    | '(' a_expr ')' opt_indirection { $$ = sdb_pn_indirection(ps, $2, $4); }
    | case_expr
    | func_expr
    | select_with_parens %prec UMINUS
        { $$ = make_sublink(ps, SDB_SUB_LINK_TYPE_EXPR, NULL, NULL, $1, @1); }
    | select_with_parens indirection
        { $$ = sdb_pn_indirection(ps, make_sublink(ps, SDB_SUB_LINK_TYPE_EXPR, NULL, NULL, $1, @1), $2); }
    | K_EXISTS select_with_parens { $$ = make_sublink(ps, SDB_SUB_LINK_TYPE_EXISTS, NULL, NULL, $2, @1); }
    | K_ARRAY select_with_parens { $$ = make_sublink(ps, SDB_SUB_LINK_TYPE_ARRAY, NULL, NULL, $2, @1); }
    | K_ARRAY array_expr { AS(AArrayExpr, $2)->location = @1; $$ = $2; }
    | explicit_row
    | implicit_row
    | K_GROUPING '(' expr_list ')'
        { SdbGroupingFunc *g = NEW(grouping_func); g->args = $3; g->location = @1; $$ = (SdbNode *)g; }
    ;

func_application:
    func_name '(' ')' { $$ = (SdbNode *)sdb_pn_func_call(ps, $1, NULL, @1); }
    | func_name '(' func_arg_list opt_sort_clause ')'
        { SdbFuncCall *f = sdb_pn_func_call(ps, $1, $3, @1); f->agg_order = $4; $$ = (SdbNode *)f; }
    | func_name '(' K_VARIADIC func_arg_expr opt_sort_clause ')'
        {
            SdbFuncCall *f = sdb_pn_func_call(ps, $1, LIST1($4), @1);
            f->func_variadic = true;
            f->agg_order = $5;
            $$ = (SdbNode *)f;
        }
    | func_name '(' func_arg_list ',' K_VARIADIC func_arg_expr opt_sort_clause ')'
        {
            SdbFuncCall *f = sdb_pn_func_call(ps, $1, APPEND($3, $6), @1);
            f->func_variadic = true;
            f->agg_order = $7;
            $$ = (SdbNode *)f;
        }
    | func_name '(' K_ALL func_arg_list opt_sort_clause ')'
        { SdbFuncCall *f = sdb_pn_func_call(ps, $1, $4, @1); f->agg_order = $5; $$ = (SdbNode *)f; }
    | func_name '(' K_DISTINCT func_arg_list opt_sort_clause ')'
        {
            SdbFuncCall *f = sdb_pn_func_call(ps, $1, $4, @1);
            f->agg_order = $5;
            f->agg_distinct = true;
            $$ = (SdbNode *)f;
        }
    | func_name '(' '*' ')'
        { SdbFuncCall *f = sdb_pn_func_call(ps, $1, NULL, @1); f->agg_star = true; $$ = (SdbNode *)f; }
    ;

func_expr:
    func_application within_group_clause filter_clause over_clause
        {
            SdbFuncCall *f = AS(FuncCall, $1);
            if ($2 != NULL) {
                f->agg_order = $2;
                f->agg_within_group = true;
            }
            f->agg_filter = $3;
            f->over = AS(WindowDef, $4);
            $$ = $1;
        }
    | func_expr_common_subexpr
    ;

func_expr_windowless:
    func_application
    | func_expr_common_subexpr
    ;

func_expr_common_subexpr:
    K_CURRENT_DATE { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_DATE, -1, @1); }
    | K_CURRENT_TIME { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_TIME, -1, @1); }
    | K_CURRENT_TIME '(' Iconst ')' { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_TIME, $3, @1); }
    | K_CURRENT_TIMESTAMP { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_TIMESTAMP, -1, @1); }
    | K_CURRENT_TIMESTAMP '(' Iconst ')' { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_TIMESTAMP, $3, @1); }
    | K_LOCALTIME { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_LOCALTIME, -1, @1); }
    | K_LOCALTIME '(' Iconst ')' { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_LOCALTIME, $3, @1); }
    | K_LOCALTIMESTAMP { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_LOCALTIMESTAMP, -1, @1); }
    | K_LOCALTIMESTAMP '(' Iconst ')' { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_LOCALTIMESTAMP, $3, @1); }
    | K_CURRENT_ROLE { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_ROLE, -1, @1); }
    | K_CURRENT_USER { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_USER, -1, @1); }
    | K_SESSION_USER { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_SESSION_USER, -1, @1); }
    | K_USER { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_USER, -1, @1); }
    | K_CURRENT_CATALOG { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_CATALOG, -1, @1); }
    | K_CURRENT_SCHEMA { $$ = make_sql_value(ps, SDB_SQL_VALUE_OP_CURRENT_SCHEMA, -1, @1); }
    | K_CAST '(' a_expr K_AS Typename ')' { $$ = sdb_pn_cast(ps, $3, AS(TypeName, $5), @1); }
    | K_EXTRACT '(' ColLabel K_FROM a_expr ')'
        {
            SdbNode *field = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $3, @3);
            $$ = (SdbNode *)sdb_pn_system_func(ps, "extract", LIST2(field, $5), @1);
        }
    | K_EXTRACT '(' Sconst K_FROM a_expr ')'
        {
            SdbNode *field = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $3, @3);
            $$ = (SdbNode *)sdb_pn_system_func(ps, "extract", LIST2(field, $5), @1);
        }
    | K_POSITION '(' b_expr K_IN b_expr ')'
        { $$ = (SdbNode *)sdb_pn_system_func(ps, "position", LIST2($5, $3), @1); }
    | K_SUBSTRING '(' a_expr K_FROM a_expr K_FOR a_expr ')'
        { $$ = (SdbNode *)sdb_pn_system_func(ps, "substring", APPEND(LIST2($3, $5), $7), @1); }
    | K_SUBSTRING '(' a_expr K_FROM a_expr ')'
        { $$ = (SdbNode *)sdb_pn_system_func(ps, "substring", LIST2($3, $5), @1); }
    | K_SUBSTRING '(' a_expr K_FOR a_expr ')'
        {
            SdbList *args = APPEND(LIST2($3, sdb_pn_int_const(ps, 1, -1)), $5);
            $$ = (SdbNode *)sdb_pn_system_func(ps, "substring", args, @1);
        }
    | K_SUBSTRING '(' func_arg_list ')' { $$ = (SdbNode *)sdb_pn_system_func(ps, "substring", $3, @1); }
    | K_TRIM '(' K_BOTH trim_list ')' { $$ = (SdbNode *)sdb_pn_system_func(ps, "btrim", $4, @1); }
    | K_TRIM '(' K_LEADING trim_list ')' { $$ = (SdbNode *)sdb_pn_system_func(ps, "ltrim", $4, @1); }
    | K_TRIM '(' K_TRAILING trim_list ')' { $$ = (SdbNode *)sdb_pn_system_func(ps, "rtrim", $4, @1); }
    | K_TRIM '(' trim_list ')' { $$ = (SdbNode *)sdb_pn_system_func(ps, "btrim", $3, @1); }
    | K_NULLIF '(' a_expr ',' a_expr ')'
        { $$ = sdb_pn_aexpr(ps, SDB_A_EXPR_KIND_NULLIF, LIST1(STR("=")), $3, $5, @1); }
    | K_COALESCE '(' expr_list ')'
        { SdbCoalesceExpr *c = NEW(coalesce_expr); c->args = $3; c->location = @1; $$ = (SdbNode *)c; }
    | K_GREATEST '(' expr_list ')'
        {
            SdbMinMaxExpr *m = NEW(min_max_expr);
            m->op = SDB_MIN_MAX_OP_GREATEST;
            m->args = $3;
            m->location = @1;
            $$ = (SdbNode *)m;
        }
    | K_LEAST '(' expr_list ')'
        {
            SdbMinMaxExpr *m = NEW(min_max_expr);
            m->op = SDB_MIN_MAX_OP_LEAST;
            m->args = $3;
            m->location = @1;
            $$ = (SdbNode *)m;
        }
    ;

/* TRIM's arguments: the string first, then the characters to remove. */
trim_list:
    a_expr K_FROM expr_list { $$ = APPEND($3, $1); }
    | K_FROM expr_list { $$ = $2; }
    | expr_list
    ;

within_group_clause:
    K_WITHIN K_GROUP '(' sort_clause ')' { $$ = $4; }
    | %empty { $$ = NULL; }
    ;

filter_clause:
    K_FILTER '(' K_WHERE a_expr ')' { $$ = $4; }
    | %empty { $$ = NULL; }
    ;

func_arg_list:
    func_arg_expr { $$ = LIST1($1); }
    | func_arg_list ',' func_arg_expr { $$ = APPEND($1, $3); }
    ;

func_arg_expr:
    a_expr
    | type_function_name COLON_EQUALS a_expr
        { SdbNamedArgExpr *n = NEW(named_arg_expr); n->name = $1; n->arg = $3; n->location = @1; $$ = (SdbNode *)n; }
    | type_function_name EQUALS_GREATER a_expr
        { SdbNamedArgExpr *n = NEW(named_arg_expr); n->name = $1; n->arg = $3; n->location = @1; $$ = (SdbNode *)n; }
    ;

expr_list:
    a_expr { $$ = LIST1($1); }
    | expr_list ',' a_expr { $$ = APPEND($1, $3); }
    ;

type_list:
    Typename { $$ = LIST1($1); }
    | type_list ',' Typename { $$ = APPEND($1, $3); }
    ;

array_expr:
    '[' expr_list ']' { SdbAArrayExpr *a = NEW(a_array_expr); a->elements = $2; a->location = @1; $$ = (SdbNode *)a; }
    | '[' array_expr_list ']'
        { SdbAArrayExpr *a = NEW(a_array_expr); a->elements = $2; a->location = @1; $$ = (SdbNode *)a; }
    | '[' ']' { SdbAArrayExpr *a = NEW(a_array_expr); a->location = @1; $$ = (SdbNode *)a; }
    ;

array_expr_list:
    array_expr { $$ = LIST1($1); }
    | array_expr_list ',' array_expr { $$ = APPEND($1, $3); }
    ;

explicit_row:
    K_ROW '(' expr_list ')'
        { SdbRowExpr *r = NEW(row_expr); r->args = $3; r->explicit_row = true; r->location = @1; $$ = (SdbNode *)r; }
    | K_ROW '(' ')'
        { SdbRowExpr *r = NEW(row_expr); r->explicit_row = true; r->location = @1; $$ = (SdbNode *)r; }
    ;

implicit_row:
    '(' expr_list ',' a_expr ')'
        { SdbRowExpr *r = NEW(row_expr); r->args = APPEND($2, $4); r->location = @1; $$ = (SdbNode *)r; }
    ;

sub_type:
    K_ANY { $$ = SDB_SUB_LINK_TYPE_ANY; }
    | K_SOME { $$ = SDB_SUB_LINK_TYPE_ANY; }
    | K_ALL { $$ = SDB_SUB_LINK_TYPE_ALL; }
    ;

all_Op:
    Op
    | MathOp
    ;

MathOp:
    '+' { $$ = KW("+"); }
    | '-' { $$ = KW("-"); }
    | '*' { $$ = KW("*"); }
    | '/' { $$ = KW("/"); }
    | '%' { $$ = KW("%"); }
    | '^' { $$ = KW("^"); }
    | '<' { $$ = KW("<"); }
    | '>' { $$ = KW(">"); }
    | '=' { $$ = KW("="); }
    | LESS_EQUALS { $$ = KW("<="); }
    | GREATER_EQUALS { $$ = KW(">="); }
    | NOT_EQUALS { $$ = KW("<>"); }
    ;

qual_Op:
    Op { $$ = LIST1(STR($1)); }
    | K_OPERATOR '(' any_operator ')' { $$ = $3; }
    ;

qual_all_Op:
    all_Op { $$ = LIST1(STR($1)); }
    | K_OPERATOR '(' any_operator ')' { $$ = $3; }
    ;

subquery_Op:
    all_Op { $$ = LIST1(STR($1)); }
    | K_OPERATOR '(' any_operator ')' { $$ = $3; }
    | K_LIKE { $$ = LIST1(STR("~~")); }
    | NOT_LA K_LIKE { $$ = LIST1(STR("!~~")); }
    | K_ILIKE { $$ = LIST1(STR("~~*")); }
    | NOT_LA K_ILIKE { $$ = LIST1(STR("!~~*")); }
    ;

any_operator:
    all_Op { $$ = LIST1(STR($1)); }
    | ColId '.' any_operator { $$ = sdb_pn_concat(ps, LIST1(STR($1)), $3); }
    ;

in_expr:
    select_with_parens
    | '(' expr_list ')' { $$ = (SdbNode *)$2; }
    ;

case_expr:
    K_CASE case_arg when_clause_list case_default K_END
        {
            SdbCaseExpr *c = NEW(case_expr);
            c->arg = $2;
            c->args = $3;
            c->defresult = $4;
            c->location = @1;
            $$ = (SdbNode *)c;
        }
    ;

when_clause_list:
    when_clause { $$ = LIST1($1); }
    | when_clause_list when_clause { $$ = APPEND($1, $2); }
    ;

when_clause:
    K_WHEN a_expr K_THEN a_expr
        { SdbCaseWhen *w = NEW(case_when); w->expr = $2; w->result = $4; w->location = @1; $$ = (SdbNode *)w; }
    ;

case_default:
    K_ELSE a_expr { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

case_arg:
    a_expr
    | %empty { $$ = NULL; }
    ;

columnref:
    ColId { $$ = sdb_pn_column_ref(ps, $1, NULL, @1); }
    | ColId indirection { $$ = sdb_pn_column_ref(ps, $1, $2, @1); }
    ;

indirection_el:
    '.' attr_name { $$ = STR($2); }
    | '.' '*' { $$ = (SdbNode *)NEW(a_star); }
    | '[' a_expr ']' { SdbAIndices *i = NEW(a_indices); i->uidx = $2; $$ = (SdbNode *)i; }
    | '[' opt_slice_bound ':' opt_slice_bound ']'
        { SdbAIndices *i = NEW(a_indices); i->is_slice = true; i->lidx = $2; i->uidx = $4; $$ = (SdbNode *)i; }
    ;

opt_slice_bound:
    a_expr
    | %empty { $$ = NULL; }
    ;

indirection:
    indirection_el { $$ = LIST1($1); }
    | indirection indirection_el { $$ = APPEND($1, $2); }
    ;

opt_indirection:
    %empty { $$ = NULL; }
    | opt_indirection indirection_el { $$ = APPEND($1, $2); }
    ;

AexprConst:
    Iconst { $$ = sdb_pn_int_const(ps, $1, @1); }
    | FCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_FLOAT, $1, @1); }
    | Sconst { $$ = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $1, @1); }
    | BCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_BITSTRING, $1, @1); }
    | XCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_BITSTRING, $1, @1); }
    | func_name Sconst
        {
            SdbTypeName *t = sdb_pn_type_name(ps, $1, @1);
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2), t, -1);
        }
    | func_name '(' func_arg_list opt_sort_clause ')' Sconst
        {
            SdbTypeName *t = sdb_pn_type_name(ps, $1, @1);
            if ($4 != NULL) {
                sdb_error(SDB_ERR_SYNTAX_ERROR, "type modifier cannot have ORDER BY");
                sdb_parse_error_position(ps, @4);
                YYABORT;
            }
            t->typmods = $3;
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $6, @6), t, -1);
        }
    | ConstTypename Sconst
        {
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2), AS(TypeName, $1), -1);
        }
    | ConstInterval Sconst opt_interval
        {
            AS(TypeName, $1)->interval_fields = $3;
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2), AS(TypeName, $1), -1);
        }
    | ConstInterval '(' Iconst ')' Sconst
        {
            AS(TypeName, $1)->typmods = LIST1(sdb_pn_int_const(ps, $3, @3));
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $5, @5), AS(TypeName, $1), -1);
        }
    | K_TRUE { $$ = sdb_pn_const(ps, SDB_CONST_KIND_BOOLEAN, "true", @1); }
    | K_FALSE { $$ = sdb_pn_const(ps, SDB_CONST_KIND_BOOLEAN, "false", @1); }
    | K_NULL { $$ = sdb_pn_const(ps, SDB_CONST_KIND_NULL, NULL, @1); }
    ;

Iconst: ICONST ;
Sconst: SCONST ;

SignedIconst:
    Iconst
    | '+' Iconst { $$ = $2; }
    | '-' Iconst { $$ = -$2; }
    ;

NumericOnly:
    FCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_FLOAT, $1, @1); }
    | '+' FCONST { $$ = sdb_pn_const(ps, SDB_CONST_KIND_FLOAT, $2, @1); }
    | '-' FCONST { $$ = sdb_pn_negate(ps, sdb_pn_const(ps, SDB_CONST_KIND_FLOAT, $2, @2), @1); }
    | SignedIconst { $$ = sdb_pn_int_const(ps, $1, @1); }
    ;

/* ---------------------------------------------------------------- types */

Typename:
    SimpleTypename opt_array_bounds { AS(TypeName, $1)->array_bounds = $2; $$ = $1; }
    | K_SETOF SimpleTypename opt_array_bounds
        { AS(TypeName, $2)->array_bounds = $3; AS(TypeName, $2)->setof = true; $$ = $2; }
    | SimpleTypename K_ARRAY '[' Iconst ']'
        { AS(TypeName, $1)->array_bounds = LIST1(sdb_pn_integer(ps, $4)); $$ = $1; }
    | SimpleTypename K_ARRAY { AS(TypeName, $1)->array_bounds = LIST1(sdb_pn_integer(ps, -1)); $$ = $1; }
    ;

opt_array_bounds:
    opt_array_bounds '[' ']' { $$ = APPEND($1, sdb_pn_integer(ps, -1)); }
    | opt_array_bounds '[' Iconst ']' { $$ = APPEND($1, sdb_pn_integer(ps, $3)); }
    | %empty { $$ = NULL; }
    ;

SimpleTypename:
    GenericType
    | Numeric
    | Bit
    | Character
    | ConstDatetime
    | ConstInterval opt_interval { AS(TypeName, $1)->interval_fields = $2; $$ = $1; }
    | ConstInterval '(' Iconst ')'
        { AS(TypeName, $1)->typmods = LIST1(sdb_pn_int_const(ps, $3, @3)); $$ = $1; }
    ;

ConstTypename:
    Numeric
    | Bit
    | Character
    | ConstDatetime
    ;

GenericType:
    type_function_name opt_type_modifiers
        { SdbTypeName *t = sdb_pn_type_name(ps, LIST1(STR($1)), @1); t->typmods = $2; $$ = (SdbNode *)t; }
    | type_function_name attrs opt_type_modifiers
        {
            SdbTypeName *t = sdb_pn_type_name(ps, sdb_pn_concat(ps, LIST1(STR($1)), $2), @1);
            t->typmods = $3;
            $$ = (SdbNode *)t;
        }
    ;

opt_type_modifiers:
    '(' expr_list ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

Numeric:
    K_INT { $$ = (SdbNode *)sdb_pn_system_type(ps, "int4", @1); }
    | K_INTEGER { $$ = (SdbNode *)sdb_pn_system_type(ps, "int4", @1); }
    | K_SMALLINT { $$ = (SdbNode *)sdb_pn_system_type(ps, "int2", @1); }
    | K_BIGINT { $$ = (SdbNode *)sdb_pn_system_type(ps, "int8", @1); }
    | K_REAL { $$ = (SdbNode *)sdb_pn_system_type(ps, "float4", @1); }
    | K_FLOAT opt_float { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 >= 1 && $2 <= 24 ? "float4" : "float8", @1); }
    | K_DOUBLE K_PRECISION { $$ = (SdbNode *)sdb_pn_system_type(ps, "float8", @1); }
    | K_DECIMAL opt_type_modifiers
        { SdbTypeName *t = sdb_pn_system_type(ps, "numeric", @1); t->typmods = $2; $$ = (SdbNode *)t; }
    | K_DEC opt_type_modifiers
        { SdbTypeName *t = sdb_pn_system_type(ps, "numeric", @1); t->typmods = $2; $$ = (SdbNode *)t; }
    | K_NUMERIC opt_type_modifiers
        { SdbTypeName *t = sdb_pn_system_type(ps, "numeric", @1); t->typmods = $2; $$ = (SdbNode *)t; }
    | K_BOOLEAN { $$ = (SdbNode *)sdb_pn_system_type(ps, "bool", @1); }
    ;

opt_float:
    '(' Iconst ')'
        {
            if ($2 < 1 || $2 > 53) {
                sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "precision for type float must be %s",
                          $2 < 1 ? "at least 1 bit" : "less than 54 bits");
                sdb_parse_error_position(ps, @2);
                YYABORT;
            }
            $$ = $2;
        }
    | %empty { $$ = 0; }
    ;

Bit:
    K_BIT opt_varying '(' expr_list ')'
        { SdbTypeName *t = sdb_pn_system_type(ps, $2 ? "varbit" : "bit", @1); t->typmods = $4; $$ = (SdbNode *)t; }
    | K_BIT opt_varying
        {
            SdbTypeName *t = sdb_pn_system_type(ps, $2 ? "varbit" : "bit", @1);
            if (!$2)
                t->typmods = LIST1(sdb_pn_int_const(ps, 1, -1));
            $$ = (SdbNode *)t;
        }
    ;

Character:
    character_type '(' Iconst ')'
        { AS(TypeName, $1)->typmods = LIST1(sdb_pn_int_const(ps, $3, @3)); $$ = $1; }
    | character_type
    ;

character_type:
    K_CHARACTER opt_varying { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 ? "varchar" : "bpchar", @1); }
    | K_CHAR opt_varying { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 ? "varchar" : "bpchar", @1); }
    | K_VARCHAR { $$ = (SdbNode *)sdb_pn_system_type(ps, "varchar", @1); }
    | K_NATIONAL K_CHARACTER opt_varying { $$ = (SdbNode *)sdb_pn_system_type(ps, $3 ? "varchar" : "bpchar", @1); }
    | K_NATIONAL K_CHAR opt_varying { $$ = (SdbNode *)sdb_pn_system_type(ps, $3 ? "varchar" : "bpchar", @1); }
    | K_NCHAR opt_varying { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 ? "varchar" : "bpchar", @1); }
    ;

opt_varying:
    K_VARYING { $$ = 1; }
    | %empty { $$ = 0; }
    ;

ConstDatetime:
    K_TIMESTAMP '(' Iconst ')' opt_timezone
        {
            SdbTypeName *t = sdb_pn_system_type(ps, $5 ? "timestamptz" : "timestamp", @1);
            t->typmods = LIST1(sdb_pn_int_const(ps, $3, @3));
            $$ = (SdbNode *)t;
        }
    | K_TIMESTAMP opt_timezone { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 ? "timestamptz" : "timestamp", @1); }
    | K_TIME '(' Iconst ')' opt_timezone
        {
            SdbTypeName *t = sdb_pn_system_type(ps, $5 ? "timetz" : "time", @1);
            t->typmods = LIST1(sdb_pn_int_const(ps, $3, @3));
            $$ = (SdbNode *)t;
        }
    | K_TIME opt_timezone { $$ = (SdbNode *)sdb_pn_system_type(ps, $2 ? "timetz" : "time", @1); }
    ;

ConstInterval:
    K_INTERVAL { $$ = (SdbNode *)sdb_pn_system_type(ps, "interval", @1); }
    ;

opt_timezone:
    WITH_LA K_TIME K_ZONE { $$ = 1; }
    | K_WITHOUT K_TIME K_ZONE { $$ = 0; }
    | %empty { $$ = 0; }
    ;

opt_interval:
    K_YEAR { $$ = KW("year"); }
    | K_MONTH { $$ = KW("month"); }
    | K_DAY { $$ = KW("day"); }
    | K_HOUR { $$ = KW("hour"); }
    | K_MINUTE { $$ = KW("minute"); }
    | K_SECOND { $$ = KW("second"); }
    | K_YEAR K_TO K_MONTH { $$ = KW("year to month"); }
    | K_DAY K_TO K_HOUR { $$ = KW("day to hour"); }
    | K_DAY K_TO K_MINUTE { $$ = KW("day to minute"); }
    | K_DAY K_TO K_SECOND { $$ = KW("day to second"); }
    | K_HOUR K_TO K_MINUTE { $$ = KW("hour to minute"); }
    | K_HOUR K_TO K_SECOND { $$ = KW("hour to second"); }
    | K_MINUTE K_TO K_SECOND { $$ = KW("minute to second"); }
    | %empty { $$ = NULL; }
    ;

/* ---------------------------------------------------------------- names */

ColId:
    IDENT
    | unreserved_keyword { $$ = KW($1); }
    | col_name_keyword { $$ = KW($1); }
    ;

type_function_name:
    IDENT
    | unreserved_keyword { $$ = KW($1); }
    | type_func_name_keyword { $$ = KW($1); }
    ;

NonReservedWord:
    IDENT
    | unreserved_keyword { $$ = KW($1); }
    | col_name_keyword { $$ = KW($1); }
    | type_func_name_keyword { $$ = KW($1); }
    ;

ColLabel:
    IDENT
    | unreserved_keyword { $$ = KW($1); }
    | col_name_keyword { $$ = KW($1); }
    | type_func_name_keyword { $$ = KW($1); }
    | reserved_keyword { $$ = KW($1); }
    ;

BareColLabel:
    IDENT
    | bare_label_keyword { $$ = KW($1); }
    ;

name: ColId ;
attr_name: ColLabel ;

opt_name:
    name
    | %empty { $$ = NULL; }
    ;

name_list:
    name { $$ = LIST1(STR($1)); }
    | name_list ',' name { $$ = APPEND($1, STR($3)); }
    ;

opt_name_list:
    '(' name_list ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

columnList: name_list ;

opt_column_list:
    '(' columnList ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

attrs:
    '.' attr_name { $$ = LIST1(STR($2)); }
    | attrs '.' attr_name { $$ = APPEND($1, STR($3)); }
    ;

any_name:
    ColId { $$ = LIST1(STR($1)); }
    | ColId attrs { $$ = sdb_pn_concat(ps, LIST1(STR($1)), $2); }
    ;

any_name_list:
    any_name { $$ = LIST1($1); }
    | any_name_list ',' any_name { $$ = APPEND($1, $3); }
    ;

qualified_name_list:
    relation_expr { $$ = LIST1($1); }
    | qualified_name_list ',' relation_expr { $$ = APPEND($1, $3); }
    ;

func_name:
    type_function_name { $$ = LIST1(STR($1)); }
    | ColId indirection
        {
            $$ = sdb_pn_name_list(ps, $1, $2, @1);
            if ($$ == NULL)
                YYABORT;
        }
    ;

/* ---------------------------------------------------------------- INSERT / UPDATE / DELETE */

InsertStmt:
    opt_with_clause K_INSERT K_INTO insert_target insert_rest opt_on_conflict returning_clause
        {
            SdbInsertStmt *n = AS(InsertStmt, $5);
            n->relation = AS(RangeVar, $4);
            n->on_conflict = AS(OnConflictClause, $6);
            n->returning_list = $7;
            n->with_clause = AS(WithClause, $1);
            $$ = $5;
        }
    ;

insert_target:
    relation_expr
    | relation_expr K_AS ColId
        { SdbAlias *a = NEW(alias); a->aliasname = $3; AS(RangeVar, $1)->alias = a; $$ = $1; }
    ;

insert_rest:
    SelectStmt { SdbInsertStmt *n = NEW(insert_stmt); n->select_stmt = $1; $$ = (SdbNode *)n; }
    | '(' insert_column_list ')' SelectStmt
        { SdbInsertStmt *n = NEW(insert_stmt); n->cols = $2; n->select_stmt = $4; $$ = (SdbNode *)n; }
    | K_DEFAULT K_VALUES { $$ = (SdbNode *)NEW(insert_stmt); }
    ;

insert_column_list:
    insert_column_item { $$ = LIST1($1); }
    | insert_column_list ',' insert_column_item { $$ = APPEND($1, $3); }
    ;

insert_column_item:
    ColId opt_indirection
        { SdbResTarget *r = NEW(res_target); r->name = $1; r->indirection = $2; r->location = @1; $$ = (SdbNode *)r; }
    ;

opt_on_conflict:
    K_ON K_CONFLICT opt_conf_expr K_DO K_UPDATE K_SET set_clause_list where_clause
        {
            SdbOnConflictClause *n = NEW(on_conflict_clause);
            n->action = SDB_ON_CONFLICT_ACTION_UPDATE;
            n->infer = AS(InferClause, $3);
            n->target_list = $7;
            n->where_clause = $8;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | K_ON K_CONFLICT opt_conf_expr K_DO K_NOTHING
        {
            SdbOnConflictClause *n = NEW(on_conflict_clause);
            n->action = SDB_ON_CONFLICT_ACTION_NOTHING;
            n->infer = AS(InferClause, $3);
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | %empty { $$ = NULL; }
    ;

opt_conf_expr:
    '(' index_params ')' where_clause
        {
            SdbInferClause *n = NEW(infer_clause);
            n->index_elems = $2;
            n->where_clause = $4;
            n->location = @1;
            $$ = (SdbNode *)n;
        }
    | K_ON K_CONSTRAINT name
        { SdbInferClause *n = NEW(infer_clause); n->conname = $3; n->location = @1; $$ = (SdbNode *)n; }
    | %empty { $$ = NULL; }
    ;

returning_clause:
    K_RETURNING target_list { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

UpdateStmt:
    opt_with_clause K_UPDATE relation_expr_opt_alias K_SET set_clause_list from_clause where_clause
    returning_clause
        {
            SdbUpdateStmt *n = NEW(update_stmt);
            n->relation = AS(RangeVar, $3);
            n->target_list = $5;
            n->from_clause = $6;
            n->where_clause = $7;
            n->returning_list = $8;
            n->with_clause = AS(WithClause, $1);
            $$ = (SdbNode *)n;
        }
    ;

set_clause_list:
    set_clause { $$ = $1; }
    | set_clause_list ',' set_clause { $$ = sdb_pn_concat(ps, $1, $3); }
    ;

/* A list of ResTargets: one, or one per column of SET (a, b) = source. */
set_clause:
    set_target '=' a_expr
        {
            AS(ResTarget, $1)->val = $3;
            $$ = LIST1($1);
        }
    | '(' set_target_list ')' '=' a_expr
        {
            int ncolumns = sdb_list_length($2);
            for (int i = 0; i < ncolumns; i++) {
                SdbMultiAssignRef *m = NEW(multi_assign_ref);
                m->source = $5;
                m->colno = i + 1;
                m->ncolumns = ncolumns;
                AS(ResTarget, sdb_list_nth($2, i))->val = (SdbNode *)m;
            }
            $$ = $2;
        }
    ;

set_target:
    ColId opt_indirection
        { SdbResTarget *r = NEW(res_target); r->name = $1; r->indirection = $2; r->location = @1; $$ = (SdbNode *)r; }
    ;

set_target_list:
    set_target { $$ = LIST1($1); }
    | set_target_list ',' set_target { $$ = APPEND($1, $3); }
    ;

DeleteStmt:
    opt_with_clause K_DELETE K_FROM relation_expr_opt_alias using_clause where_clause returning_clause
        {
            SdbDeleteStmt *n = NEW(delete_stmt);
            n->relation = AS(RangeVar, $4);
            n->using_clause = $5;
            n->where_clause = $6;
            n->returning_list = $7;
            n->with_clause = AS(WithClause, $1);
            $$ = (SdbNode *)n;
        }
    ;

using_clause:
    K_USING from_list { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

/* ---------------------------------------------------------------- CREATE TABLE */

CreateStmt:
    K_CREATE OptTemp K_TABLE relation_expr '(' OptTableElementList ')' OptWith
        {
            SdbCreateStmt *n = NEW(create_stmt);
            AS(RangeVar, $4)->persistence = $2;
            n->relation = AS(RangeVar, $4);
            n->table_elts = $6;
            n->options = $8;
            $$ = (SdbNode *)n;
        }
    | K_CREATE OptTemp K_TABLE K_IF K_NOT K_EXISTS relation_expr '(' OptTableElementList ')' OptWith
        {
            SdbCreateStmt *n = NEW(create_stmt);
            AS(RangeVar, $7)->persistence = $2;
            n->relation = AS(RangeVar, $7);
            n->table_elts = $9;
            n->if_not_exists = true;
            n->options = $11;
            $$ = (SdbNode *)n;
        }
    ;

/* Storage parameters: WITH (fillfactor = 100, ...). */
OptWith:
    K_WITH reloptions { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

reloptions:
    '(' reloption_list ')' { $$ = $2; }
    ;

reloption_list:
    reloption_elem { $$ = LIST1($1); }
    | reloption_list ',' reloption_elem { $$ = APPEND($1, $3); }
    ;

reloption_elem:
    ColLabel '=' utility_option_arg { $$ = sdb_pn_def_elem(ps, $1, $3, @1); }
    | ColLabel { $$ = sdb_pn_def_elem(ps, $1, NULL, @1); }
    ;

OptTemp:
    K_TEMPORARY { $$ = SDB_PERSISTENCE_TEMPORARY; }
    | K_TEMP { $$ = SDB_PERSISTENCE_TEMPORARY; }
    | K_LOCAL K_TEMPORARY { $$ = SDB_PERSISTENCE_TEMPORARY; }
    | K_LOCAL K_TEMP { $$ = SDB_PERSISTENCE_TEMPORARY; }
    | K_UNLOGGED { $$ = SDB_PERSISTENCE_UNLOGGED; }
    | %empty { $$ = SDB_PERSISTENCE_PERMANENT; }
    ;

OptTableElementList:
    TableElementList
    | %empty { $$ = NULL; }
    ;

TableElementList:
    TableElement { $$ = LIST1($1); }
    | TableElementList ',' TableElement { $$ = APPEND($1, $3); }
    ;

TableElement:
    columnDef
    | TableConstraint
    ;

columnDef:
    ColId Typename ColQualList
        {
            SdbColumnDef *n = NEW(column_def);
            n->colname = $1;
            n->type_name = AS(TypeName, $2);
            n->location = @1;
            if (split_col_quals(ps, n, $3) != SDB_OK)
                YYABORT;
            $$ = (SdbNode *)n;
        }
    ;

ColQualList:
    ColQualList ColConstraint { $$ = APPEND($1, $2); }
    | ColQualList K_COLLATE any_name
        {
            SdbCollateClause *c = NEW(collate_clause);
            c->collname = $3;
            c->location = @2;
            $$ = APPEND($1, c);
        }
    | ColQualList ConstraintAttr
        {
            SdbNode *last = $1 != NULL ? $1->items[$1->length - 1] : NULL;
            if (!deferrable_kind(last)) {
                sdb_error(SDB_ERR_SYNTAX_ERROR, "misplaced %s clause", constraint_attr_name($2));
                sdb_parse_error_position(ps, @2);
                YYABORT;
            }
            if (apply_constraint_attrs(ps, AS(Constraint, last), $2 | constraint_attrs(AS(Constraint, last)), @2)
                != SDB_OK)
                YYABORT;
            $$ = $1;
        }
    | %empty { $$ = NULL; }
    ;

ColConstraint:
    K_CONSTRAINT name ColConstraintElem
        {
            AS(Constraint, $3)->conname = $2;
            AS(Constraint, $3)->location = @1;
            $$ = $3;
        }
    | ColConstraintElem
    ;

ColConstraintElem:
    K_NOT K_NULL
        { $$ = (SdbNode *)make_constraint(ps, SDB_CONSTR_TYPE_NOT_NULL, @1); }
    | K_NULL
        { $$ = (SdbNode *)make_constraint(ps, SDB_CONSTR_TYPE_NULL, @1); }
    | K_UNIQUE
        { $$ = (SdbNode *)make_constraint(ps, SDB_CONSTR_TYPE_UNIQUE, @1); }
    | K_PRIMARY K_KEY
        { $$ = (SdbNode *)make_constraint(ps, SDB_CONSTR_TYPE_PRIMARY, @1); }
    | K_CHECK '(' a_expr ')'
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_CHECK, @1);
            c->raw_expr = $3;
            $$ = (SdbNode *)c;
        }
    | K_DEFAULT b_expr
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_DEFAULT, @1);
            c->raw_expr = $2;
            $$ = (SdbNode *)c;
        }
    | K_GENERATED generated_when K_AS K_IDENTITY OptParenthesizedSeqOptList
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_IDENTITY, @1);
            c->generated_when = $2;
            c->options = $5;
            $$ = (SdbNode *)c;
        }
    | K_REFERENCES relation_expr opt_column_list key_match key_actions
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_FOREIGN, @1);
            c->pktable = AS(RangeVar, $2);
            c->pk_attrs = $3;
            c->fk_matchtype = $4;
            c->fk_upd_action = $5 & 0xFF;
            c->fk_del_action = $5 >> 8;
            $$ = (SdbNode *)c;
        }
    ;

generated_when:
    K_ALWAYS { $$ = SDB_IDENTITY_KIND_ALWAYS; }
    | K_BY K_DEFAULT { $$ = SDB_IDENTITY_KIND_BY_DEFAULT; }
    ;

TableConstraint:
    K_CONSTRAINT name ConstraintElem ConstraintAttributeSpec
        {
            AS(Constraint, $3)->conname = $2;
            AS(Constraint, $3)->location = @1;
            if (apply_constraint_attrs(ps, AS(Constraint, $3), $4, @4) != SDB_OK)
                YYABORT;
            $$ = $3;
        }
    | ConstraintElem ConstraintAttributeSpec
        {
            if (apply_constraint_attrs(ps, AS(Constraint, $1), $2, @2) != SDB_OK)
                YYABORT;
            $$ = $1;
        }
    ;

/* DEFERRABLE and INITIALLY clauses as CONSTRAINT_ATTR_* bits. */
ConstraintAttributeSpec:
    %empty { $$ = 0; }
    | ConstraintAttributeSpec ConstraintAttr { $$ = $1 | $2; }
    ;

ConstraintAttr:
    K_DEFERRABLE { $$ = CONSTRAINT_ATTR_DEFERRABLE; }
    | K_NOT K_DEFERRABLE { $$ = CONSTRAINT_ATTR_NOT_DEFERRABLE; }
    | K_INITIALLY K_DEFERRED { $$ = CONSTRAINT_ATTR_INITIALLY_DEFERRED; }
    | K_INITIALLY K_IMMEDIATE { $$ = CONSTRAINT_ATTR_INITIALLY_IMMEDIATE; }
    ;

ConstraintElem:
    K_CHECK '(' a_expr ')'
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_CHECK, @1);
            c->raw_expr = $3;
            $$ = (SdbNode *)c;
        }
    | K_UNIQUE '(' columnList ')'
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_UNIQUE, @1);
            c->keys = $3;
            $$ = (SdbNode *)c;
        }
    | K_PRIMARY K_KEY '(' columnList ')'
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_PRIMARY, @1);
            c->keys = $4;
            $$ = (SdbNode *)c;
        }
    | K_FOREIGN K_KEY '(' columnList ')' K_REFERENCES relation_expr opt_column_list key_match key_actions
        {
            SdbConstraint *c = make_constraint(ps, SDB_CONSTR_TYPE_FOREIGN, @1);
            c->fk_attrs = $4;
            c->pktable = AS(RangeVar, $7);
            c->pk_attrs = $8;
            c->fk_matchtype = $9;
            c->fk_upd_action = $10 & 0xFF;
            c->fk_del_action = $10 >> 8;
            $$ = (SdbNode *)c;
        }
    ;

key_match:
    K_MATCH K_FULL { $$ = SDB_FK_MATCH_FULL; }
    | K_MATCH K_PARTIAL { $$ = SDB_FK_MATCH_PARTIAL; }
    | K_MATCH K_SIMPLE { $$ = SDB_FK_MATCH_SIMPLE; }
    | %empty { $$ = SDB_FK_MATCH_SIMPLE; }
    ;

key_actions:
    key_update { $$ = FK_ACTIONS($1, SDB_FK_ACTION_NO_ACTION); }
    | key_delete { $$ = FK_ACTIONS(SDB_FK_ACTION_NO_ACTION, $1); }
    | key_update key_delete { $$ = FK_ACTIONS($1, $2); }
    | key_delete key_update { $$ = FK_ACTIONS($2, $1); }
    | %empty { $$ = FK_ACTIONS(SDB_FK_ACTION_NO_ACTION, SDB_FK_ACTION_NO_ACTION); }
    ;

key_update:
    K_ON K_UPDATE key_action { $$ = $3; }
    ;

key_delete:
    K_ON K_DELETE key_action { $$ = $3; }
    ;

key_action:
    K_NO K_ACTION { $$ = SDB_FK_ACTION_NO_ACTION; }
    | K_RESTRICT { $$ = SDB_FK_ACTION_RESTRICT; }
    | K_CASCADE { $$ = SDB_FK_ACTION_CASCADE; }
    | K_SET K_NULL { $$ = SDB_FK_ACTION_SET_NULL; }
    | K_SET K_DEFAULT { $$ = SDB_FK_ACTION_SET_DEFAULT; }
    ;

OptParenthesizedSeqOptList:
    '(' SeqOptList ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

/* ---------------------------------------------------------------- other DDL */

DropStmt:
    K_DROP object_type_any_name K_IF K_EXISTS any_name_list opt_drop_behavior
        { $$ = make_drop(ps, $2, $5, true, $6); }
    | K_DROP object_type_any_name any_name_list opt_drop_behavior { $$ = make_drop(ps, $2, $3, false, $4); }
    | K_DROP K_INDEX K_CONCURRENTLY any_name_list opt_drop_behavior
        { $$ = make_drop(ps, SDB_OBJECT_TYPE_INDEX, $4, false, $5); AS(DropStmt, $$)->concurrent = true; }
    | K_DROP K_INDEX K_CONCURRENTLY K_IF K_EXISTS any_name_list opt_drop_behavior
        { $$ = make_drop(ps, SDB_OBJECT_TYPE_INDEX, $6, true, $7); AS(DropStmt, $$)->concurrent = true; }
    | K_DROP K_SCHEMA name_list opt_drop_behavior { $$ = make_drop(ps, SDB_OBJECT_TYPE_SCHEMA, $3, false, $4); }
    | K_DROP K_SCHEMA K_IF K_EXISTS name_list opt_drop_behavior
        { $$ = make_drop(ps, SDB_OBJECT_TYPE_SCHEMA, $5, true, $6); }
    ;

object_type_any_name:
    K_TABLE { $$ = SDB_OBJECT_TYPE_TABLE; }
    | K_SEQUENCE { $$ = SDB_OBJECT_TYPE_SEQUENCE; }
    | K_VIEW { $$ = SDB_OBJECT_TYPE_VIEW; }
    | K_INDEX { $$ = SDB_OBJECT_TYPE_INDEX; }
    ;

opt_drop_behavior:
    K_CASCADE { $$ = SDB_DROP_BEHAVIOR_CASCADE; }
    | K_RESTRICT { $$ = SDB_DROP_BEHAVIOR_RESTRICT; }
    | %empty { $$ = SDB_DROP_BEHAVIOR_RESTRICT; }
    ;

IndexStmt:
    K_CREATE opt_unique K_INDEX opt_concurrently opt_index_name K_ON relation_expr access_method_clause
    '(' index_params ')' where_clause
        {
            SdbIndexStmt *n = NEW(index_stmt);
            n->unique = $2;
            n->concurrent = $4;
            n->idxname = $5;
            n->relation = AS(RangeVar, $7);
            n->access_method = $8;
            n->index_params = $10;
            n->where_clause = $12;
            $$ = (SdbNode *)n;
        }
    | K_CREATE opt_unique K_INDEX opt_concurrently K_IF K_NOT K_EXISTS name K_ON relation_expr access_method_clause
    '(' index_params ')' where_clause
        {
            SdbIndexStmt *n = NEW(index_stmt);
            n->unique = $2;
            n->concurrent = $4;
            n->if_not_exists = true;
            n->idxname = $8;
            n->relation = AS(RangeVar, $10);
            n->access_method = $11;
            n->index_params = $13;
            n->where_clause = $15;
            $$ = (SdbNode *)n;
        }
    ;

opt_unique:
    K_UNIQUE { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_concurrently:
    K_CONCURRENTLY { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_index_name:
    name
    | %empty { $$ = NULL; }
    ;

access_method_clause:
    K_USING name { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

index_params:
    index_elem { $$ = LIST1($1); }
    | index_params ',' index_elem { $$ = APPEND($1, $3); }
    ;

index_elem:
    ColId opt_collate opt_asc_desc opt_nulls_order
        {
            SdbIndexElem *n = NEW(index_elem);
            n->name = $1;
            n->collation = $2;
            n->ordering = $3;
            n->nulls_ordering = $4;
            $$ = (SdbNode *)n;
        }
    | func_expr_windowless opt_collate opt_asc_desc opt_nulls_order
        {
            SdbIndexElem *n = NEW(index_elem);
            n->expr = $1;
            n->collation = $2;
            n->ordering = $3;
            n->nulls_ordering = $4;
            $$ = (SdbNode *)n;
        }
    | '(' a_expr ')' opt_collate opt_asc_desc opt_nulls_order
        {
            SdbIndexElem *n = NEW(index_elem);
            n->expr = $2;
            n->collation = $4;
            n->ordering = $5;
            n->nulls_ordering = $6;
            $$ = (SdbNode *)n;
        }
    ;

opt_collate:
    K_COLLATE any_name { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

ViewStmt:
    K_CREATE OptTemp K_VIEW relation_expr opt_column_list K_AS SelectStmt
        {
            SdbViewStmt *n = NEW(view_stmt);
            AS(RangeVar, $4)->persistence = $2;
            n->view = AS(RangeVar, $4);
            n->aliases = $5;
            n->query = $7;
            $$ = (SdbNode *)n;
        }
    | K_CREATE K_OR K_REPLACE OptTemp K_VIEW relation_expr opt_column_list K_AS SelectStmt
        {
            SdbViewStmt *n = NEW(view_stmt);
            AS(RangeVar, $6)->persistence = $4;
            n->view = AS(RangeVar, $6);
            n->aliases = $7;
            n->query = $9;
            n->replace = true;
            $$ = (SdbNode *)n;
        }
    ;

CommentStmt:
    K_COMMENT K_ON object_type_any_name any_name K_IS comment_text
        { $$ = make_comment(ps, $3, $4, NULL, $6); }
    | K_COMMENT K_ON K_COLUMN any_name K_IS comment_text
        { $$ = make_comment(ps, SDB_OBJECT_TYPE_COLUMN, $4, NULL, $6); }
    | K_COMMENT K_ON K_SCHEMA name K_IS comment_text
        { $$ = make_comment(ps, SDB_OBJECT_TYPE_SCHEMA, LIST1(STR($4)), NULL, $6); }
    | K_COMMENT K_ON K_CONSTRAINT name K_ON any_name K_IS comment_text
        { $$ = make_comment(ps, SDB_OBJECT_TYPE_CONSTRAINT, $6, $4, $8); }
    ;

comment_text:
    Sconst
    | K_NULL { $$ = NULL; }
    ;

CreateSchemaStmt:
    K_CREATE K_SCHEMA ColId
        { SdbCreateSchemaStmt *n = NEW(create_schema_stmt); n->schemaname = $3; $$ = (SdbNode *)n; }
    | K_CREATE K_SCHEMA K_IF K_NOT K_EXISTS ColId
        {
            SdbCreateSchemaStmt *n = NEW(create_schema_stmt);
            n->schemaname = $6;
            n->if_not_exists = true;
            $$ = (SdbNode *)n;
        }
    | K_CREATE K_SCHEMA opt_name K_AUTHORIZATION RoleSpec
        {
            SdbCreateSchemaStmt *n = NEW(create_schema_stmt);
            n->schemaname = $3;
            n->authrole = AS(RoleSpec, $5);
            $$ = (SdbNode *)n;
        }
    | K_CREATE K_SCHEMA K_IF K_NOT K_EXISTS opt_name K_AUTHORIZATION RoleSpec
        {
            SdbCreateSchemaStmt *n = NEW(create_schema_stmt);
            n->schemaname = $6;
            n->authrole = AS(RoleSpec, $8);
            n->if_not_exists = true;
            $$ = (SdbNode *)n;
        }
    ;

CreatedbStmt:
    K_CREATE K_DATABASE name opt_with createdb_opt_list
        { SdbCreatedbStmt *n = NEW(createdb_stmt); n->dbname = $3; n->options = $5; $$ = (SdbNode *)n; }
    ;

createdb_opt_list:
    createdb_opt_items
    | %empty { $$ = NULL; }
    ;

createdb_opt_items:
    createdb_opt_item { $$ = LIST1($1); }
    | createdb_opt_items createdb_opt_item { $$ = APPEND($1, $2); }
    ;

createdb_opt_item:
    createdb_opt_name opt_equal NumericOnly { $$ = sdb_pn_def_elem(ps, $1, $3, @1); }
    | createdb_opt_name opt_equal opt_boolean_or_string { $$ = sdb_pn_def_elem(ps, $1, $3, @1); }
    | createdb_opt_name opt_equal K_DEFAULT { $$ = sdb_pn_def_elem(ps, $1, NULL, @1); }
    ;

createdb_opt_name:
    IDENT
    | K_CONNECTION K_LIMIT { $$ = KW("connection_limit"); }
    | K_ENCODING { $$ = KW($1); }
    | K_LOCATION { $$ = KW($1); }
    | K_OWNER { $$ = KW($1); }
    | K_TABLESPACE { $$ = KW($1); }
    | K_TEMPLATE { $$ = KW($1); }
    ;

opt_equal:
    '=' { }
    | %empty { }
    ;

opt_with:
    K_WITH { }
    | WITH_LA { }
    | %empty { }
    ;

DropdbStmt:
    K_DROP K_DATABASE name
        { SdbDropdbStmt *n = NEW(dropdb_stmt); n->dbname = $3; $$ = (SdbNode *)n; }
    | K_DROP K_DATABASE K_IF K_EXISTS name
        { SdbDropdbStmt *n = NEW(dropdb_stmt); n->dbname = $5; n->missing_ok = true; $$ = (SdbNode *)n; }
    ;

CreateSeqStmt:
    K_CREATE OptTemp K_SEQUENCE relation_expr OptSeqOptList
        {
            SdbCreateSeqStmt *n = NEW(create_seq_stmt);
            AS(RangeVar, $4)->persistence = $2;
            n->sequence = AS(RangeVar, $4);
            n->options = $5;
            $$ = (SdbNode *)n;
        }
    | K_CREATE OptTemp K_SEQUENCE K_IF K_NOT K_EXISTS relation_expr OptSeqOptList
        {
            SdbCreateSeqStmt *n = NEW(create_seq_stmt);
            AS(RangeVar, $7)->persistence = $2;
            n->sequence = AS(RangeVar, $7);
            n->options = $8;
            n->if_not_exists = true;
            $$ = (SdbNode *)n;
        }
    ;

OptSeqOptList:
    SeqOptList
    | %empty { $$ = NULL; }
    ;

SeqOptList:
    SeqOptElem { $$ = LIST1($1); }
    | SeqOptList SeqOptElem { $$ = APPEND($1, $2); }
    ;

SeqOptElem:
    K_AS SimpleTypename { $$ = sdb_pn_def_elem(ps, "as", $2, @1); }
    | K_CACHE NumericOnly { $$ = sdb_pn_def_elem(ps, "cache", $2, @1); }
    | K_CYCLE { $$ = make_bool_option(ps, "cycle", true, @1); }
    | K_NO K_CYCLE { $$ = make_bool_option(ps, "cycle", false, @1); }
    | K_INCREMENT opt_by NumericOnly { $$ = sdb_pn_def_elem(ps, "increment", $3, @1); }
    | K_MAXVALUE NumericOnly { $$ = sdb_pn_def_elem(ps, "maxvalue", $2, @1); }
    | K_MINVALUE NumericOnly { $$ = sdb_pn_def_elem(ps, "minvalue", $2, @1); }
    | K_NO K_MAXVALUE { $$ = sdb_pn_def_elem(ps, "maxvalue", NULL, @1); }
    | K_NO K_MINVALUE { $$ = sdb_pn_def_elem(ps, "minvalue", NULL, @1); }
    | K_OWNED K_BY any_name { $$ = sdb_pn_def_elem(ps, "owned_by", (SdbNode *)$3, @1); }
    | K_START opt_with NumericOnly { $$ = sdb_pn_def_elem(ps, "start", $3, @1); }
    | K_RESTART { $$ = sdb_pn_def_elem(ps, "restart", NULL, @1); }
    | K_RESTART opt_with NumericOnly { $$ = sdb_pn_def_elem(ps, "restart", $3, @1); }
    ;

opt_by:
    K_BY { }
    | %empty { }
    ;

AlterTableStmt:
    K_ALTER K_TABLE relation_expr alter_table_cmds
        {
            SdbAlterTableStmt *n = NEW(alter_table_stmt);
            n->relation = AS(RangeVar, $3);
            n->cmds = $4;
            $$ = (SdbNode *)n;
        }
    | K_ALTER K_TABLE K_IF K_EXISTS relation_expr alter_table_cmds
        {
            SdbAlterTableStmt *n = NEW(alter_table_stmt);
            n->relation = AS(RangeVar, $5);
            n->cmds = $6;
            n->missing_ok = true;
            $$ = (SdbNode *)n;
        }
    ;

alter_table_cmds:
    alter_table_cmd { $$ = LIST1($1); }
    | alter_table_cmds ',' alter_table_cmd { $$ = APPEND($1, $3); }
    ;

alter_table_cmd:
    K_ADD opt_column columnDef { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_ADD_COLUMN, NULL, $3); }
    | K_ADD opt_column K_IF K_NOT K_EXISTS columnDef
        {
            SdbAlterTableCmd *c = make_cmd(ps, SDB_ALTER_TABLE_TYPE_ADD_COLUMN, NULL, $6);
            c->missing_ok = true;
            $$ = (SdbNode *)c;
        }
    | K_ALTER opt_column ColId alter_column_default { AS(AlterTableCmd, $4)->name = $3; $$ = $4; }
    | K_ALTER opt_column ColId K_DROP K_NOT K_NULL
        { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_NOT_NULL, $3, NULL); }
    | K_ALTER opt_column ColId K_SET K_NOT K_NULL
        { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_SET_NOT_NULL, $3, NULL); }
    | K_ALTER opt_column ColId opt_set_data K_TYPE Typename
        {
            SdbColumnDef *def = NEW(column_def);
            def->type_name = AS(TypeName, $6);
            def->location = @6;
            $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_ALTER_COLUMN_TYPE, $3, (SdbNode *)def);
        }
    | K_DROP opt_column K_IF K_EXISTS ColId opt_drop_behavior
        {
            SdbAlterTableCmd *c = make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_COLUMN, $5, NULL);
            c->missing_ok = true;
            c->behavior = $6;
            $$ = (SdbNode *)c;
        }
    | K_DROP opt_column ColId opt_drop_behavior
        {
            SdbAlterTableCmd *c = make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_COLUMN, $3, NULL);
            c->behavior = $4;
            $$ = (SdbNode *)c;
        }
    | K_ADD TableConstraint { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_ADD_CONSTRAINT, NULL, $2); }
    | K_DROP K_CONSTRAINT K_IF K_EXISTS name opt_drop_behavior
        {
            SdbAlterTableCmd *c = make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_CONSTRAINT, $5, NULL);
            c->missing_ok = true;
            c->behavior = $6;
            $$ = (SdbNode *)c;
        }
    | K_DROP K_CONSTRAINT name opt_drop_behavior
        {
            SdbAlterTableCmd *c = make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_CONSTRAINT, $3, NULL);
            c->behavior = $4;
            $$ = (SdbNode *)c;
        }
    ;

alter_column_default:
    K_SET K_DEFAULT a_expr { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_SET_DEFAULT, NULL, $3); }
    | K_DROP K_DEFAULT { $$ = (SdbNode *)make_cmd(ps, SDB_ALTER_TABLE_TYPE_DROP_DEFAULT, NULL, NULL); }
    ;

opt_column:
    K_COLUMN { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_set_data:
    K_SET K_DATA { }
    | %empty { }
    ;

RenameStmt:
    K_ALTER K_TABLE relation_expr K_RENAME rename_target
        { AS(RenameStmt, $5)->relation = AS(RangeVar, $3); $$ = $5; }
    | K_ALTER K_TABLE K_IF K_EXISTS relation_expr K_RENAME rename_target
        { AS(RenameStmt, $7)->relation = AS(RangeVar, $5); AS(RenameStmt, $7)->missing_ok = true; $$ = $7; }
    | K_ALTER rename_relation_kind relation_expr K_RENAME K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = $2;
            n->relation = AS(RangeVar, $3);
            n->newname = $6;
            $$ = (SdbNode *)n;
        }
    | K_ALTER rename_relation_kind K_IF K_EXISTS relation_expr K_RENAME K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = $2;
            n->relation = AS(RangeVar, $5);
            n->newname = $8;
            n->missing_ok = true;
            $$ = (SdbNode *)n;
        }
    | K_ALTER K_SCHEMA name K_RENAME K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = SDB_OBJECT_TYPE_SCHEMA;
            n->subname = $3;
            n->newname = $6;
            $$ = (SdbNode *)n;
        }
    | K_ALTER K_ROLE RoleId K_RENAME K_TO RoleId { $$ = make_role_rename(ps, $3, $6); }
    | K_ALTER K_USER RoleId K_RENAME K_TO RoleId { $$ = make_role_rename(ps, $3, $6); }
    ;

rename_relation_kind:
    K_INDEX { $$ = SDB_OBJECT_TYPE_INDEX; }
    | K_VIEW { $$ = SDB_OBJECT_TYPE_VIEW; }
    | K_SEQUENCE { $$ = SDB_OBJECT_TYPE_SEQUENCE; }
    ;

/* A RenameStmt without its table. */
rename_target:
    K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = SDB_OBJECT_TYPE_TABLE;
            n->newname = $2;
            $$ = (SdbNode *)n;
        }
    | opt_column name K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = SDB_OBJECT_TYPE_COLUMN;
            n->relation_type = SDB_OBJECT_TYPE_TABLE;
            n->subname = $2;
            n->newname = $4;
            $$ = (SdbNode *)n;
        }
    | K_CONSTRAINT name K_TO name
        {
            SdbRenameStmt *n = NEW(rename_stmt);
            n->rename_type = SDB_OBJECT_TYPE_CONSTRAINT;
            n->relation_type = SDB_OBJECT_TYPE_TABLE;
            n->subname = $2;
            n->newname = $4;
            $$ = (SdbNode *)n;
        }
    ;

TruncateStmt:
    K_TRUNCATE opt_table relation_expr_list opt_restart_seqs opt_drop_behavior
        {
            SdbTruncateStmt *n = NEW(truncate_stmt);
            n->relations = $3;
            n->restart_seqs = $4;
            n->behavior = $5;
            $$ = (SdbNode *)n;
        }
    ;

opt_table:
    K_TABLE { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_restart_seqs:
    K_CONTINUE K_IDENTITY { $$ = 0; }
    | K_RESTART K_IDENTITY { $$ = 1; }
    | %empty { $$ = 0; }
    ;

/* ---------------------------------------------------------------- transactions, SET, SHOW */

TransactionStmt:
    K_ABORT opt_transaction opt_transaction_chain
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_ROLLBACK);
            n->chain = $3;
            $$ = (SdbNode *)n;
        }
    | K_START K_TRANSACTION transaction_mode_list_or_empty
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_START);
            n->options = $3;
            $$ = (SdbNode *)n;
        }
    | K_COMMIT opt_transaction opt_transaction_chain
        { SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_COMMIT); n->chain = $3; $$ = (SdbNode *)n; }
    | K_ROLLBACK opt_transaction opt_transaction_chain
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_ROLLBACK);
            n->chain = $3;
            $$ = (SdbNode *)n;
        }
    | K_SAVEPOINT ColId
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_SAVEPOINT);
            n->savepoint_name = $2;
            $$ = (SdbNode *)n;
        }
    | K_RELEASE K_SAVEPOINT ColId
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_RELEASE);
            n->savepoint_name = $3;
            $$ = (SdbNode *)n;
        }
    | K_RELEASE ColId
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_RELEASE);
            n->savepoint_name = $2;
            $$ = (SdbNode *)n;
        }
    | K_ROLLBACK opt_transaction K_TO K_SAVEPOINT ColId
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_ROLLBACK_TO);
            n->savepoint_name = $5;
            $$ = (SdbNode *)n;
        }
    | K_ROLLBACK opt_transaction K_TO ColId
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_ROLLBACK_TO);
            n->savepoint_name = $4;
            $$ = (SdbNode *)n;
        }
    ;

opt_transaction:
    K_WORK { $$ = 0; }
    | K_TRANSACTION { $$ = 0; }
    | %empty { $$ = 0; }
    ;

opt_transaction_chain:
    K_AND K_CHAIN { $$ = 1; }
    | K_AND K_NO K_CHAIN { $$ = 0; }
    | %empty { $$ = 0; }
    ;

transaction_mode_item:
    K_ISOLATION K_LEVEL iso_level { $$ = make_string_option(ps, "transaction_isolation", $3, @1); }
    | K_READ K_ONLY { $$ = make_bool_option(ps, "transaction_read_only", true, @1); }
    | K_READ K_WRITE { $$ = make_bool_option(ps, "transaction_read_only", false, @1); }
    | K_DEFERRABLE { $$ = make_bool_option(ps, "transaction_deferrable", true, @1); }
    | K_NOT K_DEFERRABLE { $$ = make_bool_option(ps, "transaction_deferrable", false, @1); }
    ;

transaction_mode_list:
    transaction_mode_item { $$ = LIST1($1); }
    | transaction_mode_list ',' transaction_mode_item { $$ = APPEND($1, $3); }
    | transaction_mode_list transaction_mode_item { $$ = APPEND($1, $2); }
    ;

transaction_mode_list_or_empty:
    transaction_mode_list
    | %empty { $$ = NULL; }
    ;

iso_level:
    K_READ K_UNCOMMITTED { $$ = KW("read uncommitted"); }
    | K_READ K_COMMITTED { $$ = KW("read committed"); }
    | K_REPEATABLE K_READ { $$ = KW("repeatable read"); }
    | K_SERIALIZABLE { $$ = KW("serializable"); }
    ;

VariableSetStmt:
    K_SET set_rest { $$ = $2; }
    | K_SET K_LOCAL set_rest
        {
            if (SDB_IS_A($3, VARIABLE_SET_STMT))
                AS(VariableSetStmt, $3)->is_local = true;
            $$ = $3;
        }
    | K_SET K_SESSION set_rest { $$ = $3; }
    ;

set_rest:
    K_TRANSACTION transaction_mode_list
        { SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_SET); n->options = $2; $$ = (SdbNode *)n; }
    | K_SESSION K_CHARACTERISTICS K_AS K_TRANSACTION transaction_mode_list
        {
            SdbTransactionStmt *n = make_transaction(ps, SDB_TRANSACTION_KIND_SET);
            n->options = $5;
            n->session = true;
            $$ = (SdbNode *)n;
        }
    | set_rest_more
    ;

generic_set:
    var_name K_TO var_list { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_VALUE, $1, $3); }
    | var_name '=' var_list { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_VALUE, $1, $3); }
    | var_name K_TO K_DEFAULT { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_DEFAULT, $1, NULL); }
    | var_name '=' K_DEFAULT { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_DEFAULT, $1, NULL); }
    ;

set_rest_more:
    generic_set
    | var_name K_FROM K_CURRENT { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_CURRENT, $1, NULL); }
    | K_TIME K_ZONE zone_value
        {
            SdbList *args = $3 != NULL ? LIST1($3) : NULL;
            $$ = (SdbNode *)make_set(ps, $3 != NULL ? SDB_VARIABLE_SET_KIND_VALUE : SDB_VARIABLE_SET_KIND_DEFAULT,
                                     "timezone", args);
        }
    | K_SCHEMA Sconst
        {
            SdbNode *arg = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2);
            $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_VALUE, "search_path", LIST1(arg));
        }
    | K_NAMES Sconst
        {
            SdbNode *arg = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2);
            $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_VALUE, "client_encoding", LIST1(arg));
        }
    | K_ROLE NonReservedWord_or_Sconst
        {
            SdbNode *arg = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2);
            $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_VALUE, "role", LIST1(arg));
        }
    ;

var_name:
    ColId
    | var_name '.' ColId { $$ = sdb_parse_check(ps, sdb_arena_sprintf(ps->arena, "%s.%s", $1, $3)); }
    ;

var_list:
    var_value { $$ = LIST1($1); }
    | var_list ',' var_value { $$ = APPEND($1, $3); }
    ;

var_value:
    opt_boolean_or_string
    | NumericOnly
    ;

opt_boolean_or_string:
    opt_boolean_word { $$ = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $1, @1); }
    ;

opt_boolean_word:
    K_TRUE { $$ = KW("true"); }
    | K_FALSE { $$ = KW("false"); }
    | K_ON { $$ = KW("on"); }
    | NonReservedWord_or_Sconst
    ;

NonReservedWord_or_Sconst:
    NonReservedWord
    | Sconst
    ;

zone_value:
    Sconst { $$ = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $1, @1); }
    | IDENT { $$ = sdb_pn_const(ps, SDB_CONST_KIND_STRING, $1, @1); }
    | ConstInterval Sconst opt_interval
        {
            AS(TypeName, $1)->interval_fields = $3;
            $$ = sdb_pn_cast(ps, sdb_pn_const(ps, SDB_CONST_KIND_STRING, $2, @2), AS(TypeName, $1), -1);
        }
    | NumericOnly
    | K_DEFAULT { $$ = NULL; }
    | K_LOCAL { $$ = NULL; }
    ;

VariableResetStmt:
    K_RESET reset_rest { $$ = $2; }
    ;

reset_rest:
    var_name { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_RESET, $1, NULL); }
    | K_TIME K_ZONE { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_RESET, "timezone", NULL); }
    | K_TRANSACTION K_ISOLATION K_LEVEL
        { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_RESET, "transaction_isolation", NULL); }
    | K_SESSION K_AUTHORIZATION
        { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_RESET, "session_authorization", NULL); }
    | K_ALL { $$ = (SdbNode *)make_set(ps, SDB_VARIABLE_SET_KIND_RESET_ALL, NULL, NULL); }
    ;

VariableShowStmt:
    K_SHOW var_name { SdbVariableShowStmt *n = NEW(variable_show_stmt); n->name = $2; $$ = (SdbNode *)n; }
    | K_SHOW K_TIME K_ZONE
        {
            SdbVariableShowStmt *n = NEW(variable_show_stmt);
            n->name = KW("timezone");
            $$ = (SdbNode *)n;
        }
    | K_SHOW K_TRANSACTION K_ISOLATION K_LEVEL
        { SdbVariableShowStmt *n = NEW(variable_show_stmt); n->name = KW("transaction_isolation"); $$ = (SdbNode *)n; }
    | K_SHOW K_SESSION K_AUTHORIZATION
        { SdbVariableShowStmt *n = NEW(variable_show_stmt); n->name = KW("session_authorization"); $$ = (SdbNode *)n; }
    | K_SHOW K_ALL { SdbVariableShowStmt *n = NEW(variable_show_stmt); n->name = KW("all"); $$ = (SdbNode *)n; }
    ;

/* ---------------------------------------------------------------- utility statements */

ExplainStmt:
    K_EXPLAIN ExplainableStmt { SdbExplainStmt *n = NEW(explain_stmt); n->query = $2; $$ = (SdbNode *)n; }
    | K_EXPLAIN analyze_keyword opt_verbose ExplainableStmt
        {
            SdbExplainStmt *n = NEW(explain_stmt);
            n->query = $4;
            n->options = LIST1(sdb_pn_def_elem(ps, "analyze", NULL, @2));
            if ($3)
                n->options = APPEND(n->options, sdb_pn_def_elem(ps, "verbose", NULL, @3));
            $$ = (SdbNode *)n;
        }
    | K_EXPLAIN K_VERBOSE ExplainableStmt
        {
            SdbExplainStmt *n = NEW(explain_stmt);
            n->query = $3;
            n->options = LIST1(sdb_pn_def_elem(ps, "verbose", NULL, @2));
            $$ = (SdbNode *)n;
        }
    | K_EXPLAIN '(' utility_option_list ')' ExplainableStmt
        { SdbExplainStmt *n = NEW(explain_stmt); n->query = $5; n->options = $3; $$ = (SdbNode *)n; }
    ;

ExplainableStmt:
    SelectStmt | InsertStmt | UpdateStmt | DeleteStmt | ExecuteStmt
    ;

analyze_keyword:
    K_ANALYZE
    | K_ANALYSE
    ;

opt_verbose:
    K_VERBOSE { $$ = 1; }
    | %empty { $$ = 0; }
    ;

utility_option_list:
    utility_option_elem { $$ = LIST1($1); }
    | utility_option_list ',' utility_option_elem { $$ = APPEND($1, $3); }
    ;

utility_option_elem:
    utility_option_name utility_option_arg { $$ = sdb_pn_def_elem(ps, $1, $2, @1); }
    ;

utility_option_name:
    NonReservedWord
    | analyze_keyword { $$ = KW("analyze"); }
    ;

utility_option_arg:
    opt_boolean_or_string
    | NumericOnly
    | %empty { $$ = NULL; }
    ;

PrepareStmt:
    K_PREPARE name prep_type_clause K_AS PreparableStmt
        {
            SdbPrepareStmt *n = NEW(prepare_stmt);
            n->name = $2;
            n->argtypes = $3;
            n->query = $5;
            $$ = (SdbNode *)n;
        }
    ;

prep_type_clause:
    '(' type_list ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

ExecuteStmt:
    K_EXECUTE name execute_param_clause
        { SdbExecuteStmt *n = NEW(execute_stmt); n->name = $2; n->params = $3; $$ = (SdbNode *)n; }
    ;

execute_param_clause:
    '(' expr_list ')' { $$ = $2; }
    | %empty { $$ = NULL; }
    ;

DeallocateStmt:
    K_DEALLOCATE name { SdbDeallocateStmt *n = NEW(deallocate_stmt); n->name = $2; $$ = (SdbNode *)n; }
    | K_DEALLOCATE K_PREPARE name { SdbDeallocateStmt *n = NEW(deallocate_stmt); n->name = $3; $$ = (SdbNode *)n; }
    | K_DEALLOCATE K_ALL { $$ = (SdbNode *)NEW(deallocate_stmt); }
    | K_DEALLOCATE K_PREPARE K_ALL { $$ = (SdbNode *)NEW(deallocate_stmt); }
    ;

CopyStmt:
    K_COPY relation_expr opt_column_list copy_from copy_file_name opt_with copy_options where_clause
        {
            SdbCopyStmt *n = NEW(copy_stmt);
            n->relation = AS(RangeVar, $2);
            n->attlist = $3;
            n->is_from = $4;
            n->filename = $5;
            n->options = $7;
            n->where_clause = $8;
            if ($8 != NULL && !$4) {
                sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "WHERE clause not allowed with COPY TO");
                sdb_parse_error_position(ps, @8);
                YYABORT;
            }
            $$ = (SdbNode *)n;
        }
    | K_COPY '(' PreparableStmt ')' K_TO copy_file_name opt_with copy_options
        {
            SdbCopyStmt *n = NEW(copy_stmt);
            n->query = $3;
            n->filename = $6;
            n->options = $8;
            $$ = (SdbNode *)n;
        }
    ;

copy_from:
    K_FROM { $$ = 1; }
    | K_TO { $$ = 0; }
    ;

/* NULL for STDIN / STDOUT. */
copy_file_name:
    Sconst
    | K_STDIN { $$ = NULL; }
    | K_STDOUT { $$ = NULL; }
    ;

copy_options:
    copy_opt_list
    | '(' copy_generic_opt_list ')' { $$ = $2; }
    ;

copy_opt_list:
    copy_opt_list copy_opt_item { $$ = APPEND($1, $2); }
    | %empty { $$ = NULL; }
    ;

copy_opt_item:
    K_BINARY { $$ = make_string_option(ps, "format", "binary", @1); }
    | K_FREEZE { $$ = make_bool_option(ps, "freeze", true, @1); }
    | K_DELIMITER opt_as Sconst { $$ = make_string_option(ps, "delimiter", $3, @1); }
    | K_NULL opt_as Sconst { $$ = make_string_option(ps, "null", $3, @1); }
    | K_CSV { $$ = make_string_option(ps, "format", "csv", @1); }
    | K_HEADER { $$ = make_bool_option(ps, "header", true, @1); }
    | K_QUOTE opt_as Sconst { $$ = make_string_option(ps, "quote", $3, @1); }
    | K_ESCAPE opt_as Sconst { $$ = make_string_option(ps, "escape", $3, @1); }
    | K_FORCE K_QUOTE columnList { $$ = sdb_pn_def_elem(ps, "force_quote", (SdbNode *)$3, @1); }
    | K_FORCE K_QUOTE '*' { $$ = sdb_pn_def_elem(ps, "force_quote", (SdbNode *)NEW(a_star), @1); }
    | K_FORCE K_NOT K_NULL columnList { $$ = sdb_pn_def_elem(ps, "force_not_null", (SdbNode *)$4, @1); }
    | K_FORCE K_NULL columnList { $$ = sdb_pn_def_elem(ps, "force_null", (SdbNode *)$3, @1); }
    | K_ENCODING Sconst { $$ = make_string_option(ps, "encoding", $2, @1); }
    ;

opt_as:
    K_AS { }
    | %empty { }
    ;

copy_generic_opt_list:
    copy_generic_opt_elem { $$ = LIST1($1); }
    | copy_generic_opt_list ',' copy_generic_opt_elem { $$ = APPEND($1, $3); }
    ;

copy_generic_opt_elem:
    ColLabel copy_generic_opt_arg { $$ = sdb_pn_def_elem(ps, $1, $2, @1); }
    ;

copy_generic_opt_arg:
    opt_boolean_or_string
    | NumericOnly
    | '*' { $$ = (SdbNode *)NEW(a_star); }
    | '(' copy_generic_opt_arg_list ')' { $$ = (SdbNode *)$2; }
    | %empty { $$ = NULL; }
    ;

copy_generic_opt_arg_list:
    opt_boolean_or_string { $$ = LIST1($1); }
    | copy_generic_opt_arg_list ',' opt_boolean_or_string { $$ = APPEND($1, $3); }
    ;

AnalyzeStmt:
    analyze_keyword opt_verbose opt_vacuum_relation_list
        {
            SdbVacuumStmt *n = NEW(vacuum_stmt);
            if ($2)
                n->options = LIST1(sdb_pn_def_elem(ps, "verbose", NULL, @2));
            n->rels = $3;
            $$ = (SdbNode *)n;
        }
    | analyze_keyword '(' utility_option_list ')' opt_vacuum_relation_list
        { SdbVacuumStmt *n = NEW(vacuum_stmt); n->options = $3; n->rels = $5; $$ = (SdbNode *)n; }
    ;

VacuumStmt:
    K_VACUUM vacuum_options opt_vacuum_relation_list
        {
            SdbVacuumStmt *n = NEW(vacuum_stmt);
            n->options = $2;
            n->rels = $3;
            n->is_vacuumcmd = true;
            $$ = (SdbNode *)n;
        }
    | K_VACUUM '(' utility_option_list ')' opt_vacuum_relation_list
        {
            SdbVacuumStmt *n = NEW(vacuum_stmt);
            n->options = $3;
            n->rels = $5;
            n->is_vacuumcmd = true;
            $$ = (SdbNode *)n;
        }
    ;

/* VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] as DefElems. */
vacuum_options:
    opt_full opt_freeze opt_verbose opt_analyze
        {
            $$ = NULL;
            if ($1)
                $$ = APPEND($$, sdb_pn_def_elem(ps, "full", NULL, @1));
            if ($2)
                $$ = APPEND($$, sdb_pn_def_elem(ps, "freeze", NULL, @2));
            if ($3)
                $$ = APPEND($$, sdb_pn_def_elem(ps, "verbose", NULL, @3));
            if ($4)
                $$ = APPEND($$, sdb_pn_def_elem(ps, "analyze", NULL, @4));
        }
    ;

opt_full:
    K_FULL { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_freeze:
    K_FREEZE { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_analyze:
    analyze_keyword { $$ = 1; }
    | %empty { $$ = 0; }
    ;

opt_vacuum_relation_list:
    vacuum_relation_list
    | %empty { $$ = NULL; }
    ;

vacuum_relation_list:
    vacuum_relation { $$ = LIST1($1); }
    | vacuum_relation_list ',' vacuum_relation { $$ = APPEND($1, $3); }
    ;

vacuum_relation:
    relation_expr opt_name_list
        {
            SdbVacuumRelation *n = NEW(vacuum_relation);
            n->relation = AS(RangeVar, $1);
            n->va_cols = $2;
            $$ = (SdbNode *)n;
        }
    ;

CheckPointStmt:
    K_CHECKPOINT { $$ = (SdbNode *)NEW(check_point_stmt); }
    ;

LockStmt:
    K_LOCK opt_table relation_expr_list opt_lock opt_nowait
        {
            SdbLockStmt *n = NEW(lock_stmt);
            n->relations = $3;
            n->mode = $4;
            n->nowait = $5;
            $$ = (SdbNode *)n;
        }
    ;

opt_lock:
    K_IN lock_type K_MODE { $$ = $2; }
    | %empty { $$ = SDB_LOCK_MODE_ACCESS_EXCLUSIVE; }
    ;

lock_type:
    K_ACCESS K_SHARE { $$ = SDB_LOCK_MODE_ACCESS_SHARE; }
    | K_ROW K_SHARE { $$ = SDB_LOCK_MODE_ROW_SHARE; }
    | K_ROW K_EXCLUSIVE { $$ = SDB_LOCK_MODE_ROW_EXCLUSIVE; }
    | K_SHARE K_UPDATE K_EXCLUSIVE { $$ = SDB_LOCK_MODE_SHARE_UPDATE_EXCLUSIVE; }
    | K_SHARE { $$ = SDB_LOCK_MODE_SHARE; }
    | K_SHARE K_ROW K_EXCLUSIVE { $$ = SDB_LOCK_MODE_SHARE_ROW_EXCLUSIVE; }
    | K_EXCLUSIVE { $$ = SDB_LOCK_MODE_EXCLUSIVE; }
    | K_ACCESS K_EXCLUSIVE { $$ = SDB_LOCK_MODE_ACCESS_EXCLUSIVE; }
    ;

opt_nowait:
    K_NOWAIT { $$ = 1; }
    | %empty { $$ = 0; }
    ;

/* ---------------------------------------------------------------- roles and privileges */

CreateRoleStmt:
    K_CREATE K_ROLE RoleId opt_with role_option_list
        {
            SdbCreateRoleStmt *n = NEW(create_role_stmt);
            n->stmt_type = SDB_ROLE_STMT_TYPE_ROLE;
            n->role = $3;
            n->options = $5;
            $$ = (SdbNode *)n;
        }
    | K_CREATE K_USER RoleId opt_with role_option_list
        {
            SdbCreateRoleStmt *n = NEW(create_role_stmt);
            n->stmt_type = SDB_ROLE_STMT_TYPE_USER;
            n->role = $3;
            n->options = $5;
            $$ = (SdbNode *)n;
        }
    | K_CREATE K_GROUP RoleId opt_with role_option_list
        {
            SdbCreateRoleStmt *n = NEW(create_role_stmt);
            n->stmt_type = SDB_ROLE_STMT_TYPE_GROUP;
            n->role = $3;
            n->options = $5;
            $$ = (SdbNode *)n;
        }
    ;

AlterRoleStmt:
    K_ALTER K_ROLE RoleSpec opt_with role_option_list
        { SdbAlterRoleStmt *n = NEW(alter_role_stmt); n->role = AS(RoleSpec, $3); n->options = $5; $$ = (SdbNode *)n; }
    | K_ALTER K_USER RoleSpec opt_with role_option_list
        { SdbAlterRoleStmt *n = NEW(alter_role_stmt); n->role = AS(RoleSpec, $3); n->options = $5; $$ = (SdbNode *)n; }
    ;

DropRoleStmt:
    K_DROP role_kind role_list { SdbDropRoleStmt *n = NEW(drop_role_stmt); n->roles = $3; $$ = (SdbNode *)n; }
    | K_DROP role_kind K_IF K_EXISTS role_list
        { SdbDropRoleStmt *n = NEW(drop_role_stmt); n->roles = $5; n->missing_ok = true; $$ = (SdbNode *)n; }
    ;

role_kind:
    K_ROLE { }
    | K_USER { }
    | K_GROUP { }
    ;

role_option_list:
    role_option_list role_option { $$ = APPEND($1, $2); }
    | %empty { $$ = NULL; }
    ;

role_option:
    K_PASSWORD Sconst { $$ = make_string_option(ps, "password", $2, @1); }
    | K_PASSWORD K_NULL { $$ = sdb_pn_def_elem(ps, "password", NULL, @1); }
    | K_ENCRYPTED K_PASSWORD Sconst { $$ = make_string_option(ps, "password", $3, @1); }
    | K_VALID K_UNTIL Sconst { $$ = make_string_option(ps, "validUntil", $3, @1); }
    | K_CONNECTION K_LIMIT SignedIconst { $$ = sdb_pn_def_elem(ps, "connectionlimit", sdb_pn_integer(ps, $3), @1); }
    | K_IN K_ROLE role_list { $$ = sdb_pn_def_elem(ps, "addroleto", (SdbNode *)$3, @1); }
    | K_ROLE role_list { $$ = sdb_pn_def_elem(ps, "rolemembers", (SdbNode *)$2, @1); }
    | K_ADMIN role_list { $$ = sdb_pn_def_elem(ps, "adminmembers", (SdbNode *)$2, @1); }
    | K_SYSID Iconst { $$ = sdb_pn_def_elem(ps, "sysid", sdb_pn_integer(ps, $2), @1); }
    | IDENT
        {
            $$ = make_role_word(ps, $1, @1);
            if ($$ == NULL)
                YYABORT;
        }
    ;

RoleId:
    NonReservedWord
    ;

RoleSpec:
    NonReservedWord
        {
            if (strcmp($1, "public") == 0)
                $$ = make_role(ps, SDB_ROLE_SPEC_TYPE_PUBLIC, NULL, @1);
            else
                $$ = make_role(ps, SDB_ROLE_SPEC_TYPE_NAME, $1, @1);
        }
    | K_CURRENT_ROLE { $$ = make_role(ps, SDB_ROLE_SPEC_TYPE_CURRENT_ROLE, NULL, @1); }
    | K_CURRENT_USER { $$ = make_role(ps, SDB_ROLE_SPEC_TYPE_CURRENT_USER, NULL, @1); }
    | K_SESSION_USER { $$ = make_role(ps, SDB_ROLE_SPEC_TYPE_SESSION_USER, NULL, @1); }
    ;

role_list:
    RoleSpec { $$ = LIST1($1); }
    | role_list ',' RoleSpec { $$ = APPEND($1, $3); }
    ;

GrantStmt:
    K_GRANT privileges K_ON privilege_target K_TO grantee_list opt_grant_grant_option
        {
            SdbGrantStmt *n = AS(GrantStmt, $4);
            n->is_grant = true;
            n->privileges = $2;
            n->grantees = $6;
            n->grant_option = $7;
            $$ = (SdbNode *)n;
        }
    ;

RevokeStmt:
    K_REVOKE privileges K_ON privilege_target K_FROM grantee_list opt_drop_behavior
        {
            SdbGrantStmt *n = AS(GrantStmt, $4);
            n->privileges = $2;
            n->grantees = $6;
            n->behavior = $7;
            $$ = (SdbNode *)n;
        }
    | K_REVOKE K_GRANT K_OPTION K_FOR privileges K_ON privilege_target K_FROM grantee_list opt_drop_behavior
        {
            SdbGrantStmt *n = AS(GrantStmt, $7);
            n->grant_option = true;
            n->privileges = $5;
            n->grantees = $9;
            n->behavior = $10;
            $$ = (SdbNode *)n;
        }
    ;

/* NULL privileges mean ALL. */
privileges:
    privilege_list
    | K_ALL { $$ = NULL; }
    | K_ALL K_PRIVILEGES { $$ = NULL; }
    ;

privilege_list:
    privilege { $$ = LIST1($1); }
    | privilege_list ',' privilege { $$ = APPEND($1, $3); }
    ;

privilege:
    K_SELECT opt_column_list
        { SdbAccessPriv *p = NEW(access_priv); p->priv_name = KW("select"); p->cols = $2; $$ = (SdbNode *)p; }
    | K_REFERENCES opt_column_list
        { SdbAccessPriv *p = NEW(access_priv); p->priv_name = KW("references"); p->cols = $2; $$ = (SdbNode *)p; }
    | K_CREATE opt_column_list
        { SdbAccessPriv *p = NEW(access_priv); p->priv_name = KW("create"); p->cols = $2; $$ = (SdbNode *)p; }
    | ColId opt_column_list
        { SdbAccessPriv *p = NEW(access_priv); p->priv_name = $1; p->cols = $2; $$ = (SdbNode *)p; }
    ;

/* A GrantStmt holding the target only. */
privilege_target:
    qualified_name_list
        {
            SdbGrantStmt *n = NEW(grant_stmt);
            n->objtype = SDB_OBJECT_TYPE_TABLE;
            n->objects = $1;
            $$ = (SdbNode *)n;
        }
    | K_TABLE qualified_name_list
        {
            SdbGrantStmt *n = NEW(grant_stmt);
            n->objtype = SDB_OBJECT_TYPE_TABLE;
            n->objects = $2;
            $$ = (SdbNode *)n;
        }
    | K_SEQUENCE qualified_name_list
        {
            SdbGrantStmt *n = NEW(grant_stmt);
            n->objtype = SDB_OBJECT_TYPE_SEQUENCE;
            n->objects = $2;
            $$ = (SdbNode *)n;
        }
    | K_SCHEMA name_list
        {
            SdbGrantStmt *n = NEW(grant_stmt);
            n->objtype = SDB_OBJECT_TYPE_SCHEMA;
            n->objects = $2;
            $$ = (SdbNode *)n;
        }
    | K_DATABASE name_list
        {
            SdbGrantStmt *n = NEW(grant_stmt);
            n->objtype = SDB_OBJECT_TYPE_DATABASE;
            n->objects = $2;
            $$ = (SdbNode *)n;
        }
    ;

grantee_list:
    RoleSpec { $$ = LIST1($1); }
    | K_GROUP RoleSpec { $$ = LIST1($2); }
    | grantee_list ',' RoleSpec { $$ = APPEND($1, $3); }
    | grantee_list ',' K_GROUP RoleSpec { $$ = APPEND($1, $4); }
    ;

opt_grant_grant_option:
    K_WITH K_GRANT K_OPTION { $$ = 1; }
    | %empty { $$ = 0; }
    ;

/* ---------------------------------------------------------------- key word categories */

/* @KEYWORD_RULES@ */

%%
