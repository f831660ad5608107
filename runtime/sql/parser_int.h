/*
 * parser_int.h: what the lexer (spec/grammar/lexer.re), the grammar
 * (spec/grammar/gram.y) and parser.c share: the parse state, the semantic
 * value of tokens and grammar symbols, and the entry points between them.
 * Not for use outside runtime/sql.
 */
#ifndef SDB_SQL_PARSER_INT_H
#define SDB_SQL_PARSER_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/memory.h"
#include "sdb_ast.h"

/* NAMEDATALEN - 1: identifiers longer than this are truncated. */
#define SDB_MAX_IDENTIFIER_LEN 63

/* LIMIT / OFFSET / FETCH of a SELECT while the grammar collects them. */
typedef struct SdbSelectLimit {
    SdbNode *offset;
    SdbNode *count;
    SdbLimitOption option;
} SdbSelectLimit;

/* The value of a token or grammar symbol (Bison's YYSTYPE). */
typedef union SdbSemValue {
    SdbNode *node;
    SdbList *list;
    char *str;
    const char *keyword; /* a key word's lower-case spelling (static) */
    int ival;
    bool boolean;
    SdbSelectLimit *limit;
} SdbSemValue;

/* One token: its code, value and byte extent in the input. */
typedef struct SdbToken {
    int code;
    SdbSemValue value;
    int start;
    int end;
} SdbToken;

/* Everything one call of sdb_parse() works with. */
typedef struct SdbParseState {
    SdbArena *arena;      /* where the tree and scratch memory go */
    const char *buf;      /* the input, NUL-terminated copy */
    size_t len;           /* its length in bytes */
    size_t cursor;        /* lexer position (byte offset) */
    jmp_buf oom;          /* longjmp target when the arena fails */
    SdbToken lookahead;   /* a token the filter read ahead */
    bool have_lookahead;
    SdbToken current;     /* the token last handed to the grammar */
    SdbList *stmts;       /* the RawStmt list the grammar built */
} SdbParseState;

/* Memory from ps->arena; on failure (53200 recorded) longjmps to ps->oom. */
void *sdb_parse_alloc(SdbParseState *ps, size_t size);
char *sdb_parse_strndup(SdbParseState *ps, const char *s, size_t n);
/* Checks a pointer from an arena function: returns it, or longjmps on NULL. */
void *sdb_parse_check(SdbParseState *ps, void *ptr);

/* The next raw token from the input (lexer.re).  On a lexical error it
 * records the error (with position) and returns the grammar's error token. */
int sdb_scan(SdbParseState *ps, SdbToken *tok);

/* Decode the escapes of a U&'...' string or U&"..." identifier body with
 * escape character `escape`; `start` is the literal's offset (for error
 * positions).  NULL with 42601 recorded on a bad escape. */
char *sdb_scan_unicode_body(SdbParseState *ps, const char *body, char escape, int start);

/* Record a 42601 error "MESSAGE at or near "TEXT"" (TEXT: input[start,end))
 * or "MESSAGE at end of input" when start is at the end, with its position. */
void sdb_parse_syntax_error(SdbParseState *ps, const char *message, int start, int end);

/* Set the error position to byte offset `offset` of the input (nothing for
 * -1, an unknown location). */
void sdb_parse_error_position(SdbParseState *ps, int offset);

/* The Bison parser (gram.y): 0 on success, non-zero with an error recorded.
 * It leaves the statements in ps->stmts. */
int sdb_yyparse(SdbParseState *ps);

/* The grammar's token source (parser.c): sdb_scan() behind PostgreSQL's
 * one-token lookahead filter (NOT_LA, NULLS_LA, WITH_LA; UESCAPE folded
 * into U&'' strings and U&"" identifiers).  Sets *lloc to the token's byte
 * offset. */
int sdb_yylex(SdbSemValue *lval, int *lloc, SdbParseState *ps);

/* Bison's error hook: records 42601 'syntax error at or near "TOKEN"' (or
 * "at end of input") for the current token, unless the lexer already
 * recorded an error; "memory exhausted" becomes 54001. */
void sdb_yyerror(int *lloc, SdbParseState *ps, const char *message);

/* ---- node builders for the grammar (parse_nodes.c) ---------------------
 * Each allocates in ps->arena and longjmps to ps->oom when it fails. */

/* `list` with `item` appended (a new list when `list` is NULL). */
SdbList *sdb_pn_append(SdbParseState *ps, SdbList *list, void *item);
/* A list holding `item` only. */
SdbList *sdb_pn_list1(SdbParseState *ps, void *item);
/* A list holding `a` and `b`. */
SdbList *sdb_pn_list2(SdbParseState *ps, void *a, void *b);
/* `a` followed by the items of `b` (either may be NULL). */
SdbList *sdb_pn_concat(SdbParseState *ps, SdbList *a, SdbList *b);
/* A copy of `s` in the arena. */
char *sdb_pn_strdup(SdbParseState *ps, const char *s);
/* A String node holding a copy of `s`. */
SdbNode *sdb_pn_string(SdbParseState *ps, const char *s);
/* An Integer node. */
SdbNode *sdb_pn_integer(SdbParseState *ps, int value);
/* A literal of `kind` with text `val` (copied; NULL for SQL NULL). */
SdbNode *sdb_pn_const(SdbParseState *ps, SdbConstKind kind, const char *val, int location);
/* An integer literal. */
SdbNode *sdb_pn_int_const(SdbParseState *ps, int value, int location);
/* An operator expression `l op r` (`l` NULL for a prefix operator), the
 * operator named by the String list `name`. */
SdbNode *sdb_pn_aexpr(SdbParseState *ps, SdbAExprKind kind, SdbList *name, SdbNode *l, SdbNode *r,
                      int location);
/* An operator expression with the unqualified operator `op`. */
SdbNode *sdb_pn_op(SdbParseState *ps, const char *op, SdbNode *l, SdbNode *r, int location);
/* `l AND r` / `l OR r`, merging into `l` when it is already the same
 * operation (a AND b AND c is one BoolExpr with three arguments). */
SdbNode *sdb_pn_bool(SdbParseState *ps, SdbBoolExprType op, SdbNode *l, SdbNode *r, int location);
/* NOT `arg`. */
SdbNode *sdb_pn_not(SdbParseState *ps, SdbNode *arg, int location);
/* Unary minus: a negated numeric literal when `arg` is one (as PostgreSQL
 * folds -1), else the prefix operator "-". */
SdbNode *sdb_pn_negate(SdbParseState *ps, SdbNode *arg, int location);
/* `arg`::`type`. */
SdbNode *sdb_pn_cast(SdbParseState *ps, SdbNode *arg, SdbTypeName *type, int location);
/* A type name made of the String list `names`. */
SdbTypeName *sdb_pn_type_name(SdbParseState *ps, SdbList *names, int location);
/* A built-in type pg_catalog.`name`. */
SdbTypeName *sdb_pn_system_type(SdbParseState *ps, const char *name, int location);
/* A call of the function named by the String list `name`. */
SdbFuncCall *sdb_pn_func_call(SdbParseState *ps, SdbList *name, SdbList *args, int location);
/* A call of pg_catalog.`name`. */
SdbFuncCall *sdb_pn_system_func(SdbParseState *ps, const char *name, SdbList *args, int location);
/* A column reference `first` followed by `indirection` (String, AStar and
 * AIndices items): names and * form the ColumnRef, and from the first
 * subscript on an AIndirection wraps it. */
SdbNode *sdb_pn_column_ref(SdbParseState *ps, const char *first, SdbList *indirection, int location);
/* `base` with `indirection` applied (an AIndirection), or `base` when the
 * indirection is empty. */
SdbNode *sdb_pn_indirection(SdbParseState *ps, SdbNode *base, SdbList *indirection);
/* A table name `first`.`more`... (at most catalog.schema.table).  NULL with
 * 42601 recorded when it has too many parts or a part is not a name. */
SdbRangeVar *sdb_pn_range_var(SdbParseState *ps, const char *first, SdbList *indirection, int location);
/* The String list `first`.`more`... (NULL with 42601 when a part of
 * `indirection` is not a name). */
SdbList *sdb_pn_name_list(SdbParseState *ps, const char *first, SdbList *indirection, int location);
/* name = arg. */
SdbNode *sdb_pn_def_elem(SdbParseState *ps, const char *name, SdbNode *arg, int location);
/* `l` UNION/INTERSECT/EXCEPT [ALL] `r`. */
SdbNode *sdb_pn_set_op(SdbParseState *ps, SdbSetOperation op, bool all, SdbNode *l, SdbNode *r);
/* Attach ORDER BY, LIMIT, FOR UPDATE and WITH to SELECT `select` (any may
 * be NULL/empty).  SDB_ERROR with 42601 recorded when it already has one. */
int sdb_pn_select_options(SdbParseState *ps, SdbNode *select, SdbList *sort, SdbSelectLimit *limit,
                          SdbList *locking, SdbNode *with, int location);
/* A RawStmt for `stmt` starting at byte `location` (its length is set
 * when the statement's end is known). */
SdbNode *sdb_pn_raw_stmt(SdbParseState *ps, SdbNode *stmt, int location);

#endif /* SDB_SQL_PARSER_INT_H */
