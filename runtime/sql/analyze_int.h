/*
 * sql/analyze_int.h: what the analyzer's files share: the analyzer state
 * (binding tables handed out, their names for messages), query levels with
 * their visible FROM items (range table entries) and WITH queries, the
 * kind of clause being bound, and the helpers that build plan headers and
 * walk bound expressions.  Not for use outside runtime/sql/analyze*.c.
 */
#ifndef SDB_SQL_ANALYZE_INT_H
#define SDB_SQL_ANALYZE_INT_H

#include "expr/bind_int.h"
#include "sql/analyze.h"

/* The clause an expression is bound for: which of aggregates and window
 * functions it may hold, and its name in PostgreSQL's messages. */
typedef enum AnExprKind {
    AN_SELECT,       /* select list: aggregates and window functions */
    AN_ORDER_BY,     /* likewise */
    AN_HAVING,       /* aggregates */
    AN_WHERE,
    AN_JOIN_ON,
    AN_GROUP_BY,
    AN_LIMIT,
    AN_OFFSET,
    AN_VALUES,
    AN_FROM_FUNCTION,
    AN_WINDOW_PARTITION,
    AN_WINDOW_ORDER,
    AN_WINDOW_FRAME,
    AN_DISTINCT_ON,
    AN_RETURNING,
    AN_UPDATE_SET,
    AN_INSERT_VALUES,
    AN_CONFLICT_WHERE,
    AN_CHECK,
    AN_DEFAULT,
    AN_AGG_ARGS,     /* inside an aggregate's arguments: no aggregate, no window function */
} AnExprKind;

/* A FROM item as names see it (PostgreSQL's range table entry with its
 * namespace flags).  Column i is `exprs[i]` at the item's own query level:
 * a Var, or for a FULL JOIN USING column COALESCE of both sides. */
typedef struct AnRte {
    const char *name;        /* alias or relation name; NULL: unnamed (a join without alias) */
    const char *schema;      /* a table's schema, for schema.table.column */
    int ncols;
    const char **colnames;
    SdbExpr **exprs;
    bool rel_visible;        /* t.x and t.* find it */
    bool cols_visible;       /* an unqualified x finds its columns */
    bool scalar_function;    /* a function in FROM of one column: its name alone is that column (whole row) */
    bool function_row;       /* another function in FROM: its name alone is its whole row, a record */
    bool nullable;           /* an outer join above it may null-extend its rows */
} AnRte;

/* A WITH query visible to a query level. */
typedef struct AnCte {
    struct AnCte *next;
    const char *name;
    int cte_id;
    SdbPlan *plan;           /* NULL while its recursive part is analyzed */
    int ncols;
    const char **colnames;
    SdbPlanColumn *cols;     /* column types (binding fields unused) */
    bool recursive_self;     /* a reference now is the work table of a RecursiveUnion */
    int nrefs;               /* work table references made */
    bool in_anchor;          /* its non-recursive term is being analyzed: a reference is 42P19 */
} AnCte;

/* What the analyzer knows of a binding table, for messages and positions. */
typedef struct AnTable {
    const char *name;        /* the FROM item's name, or NULL */
    const char **colnames;   /* per column, or NULL */
    const int *locations;    /* per column: where its select-list entry starts, or NULL */
    const SdbRelation *rel;  /* a Scan's table (primary key for GROUP BY), or NULL */
} AnTable;

typedef struct Analyzer {
    SdbAnalyzeContext *ac;
    SdbArena *arena;
    int next_table;          /* binding table indexes handed out */
    int next_cte_id;
    bool keep_unknown;       /* the next SELECT is a set operation input: unknown columns stay unknown */
    AnTable *tables;         /* per binding table index */
    int ntables;
} Analyzer;

/* One query level (a SELECT, or the part of INSERT/UPDATE/DELETE that
 * names the target). */
typedef struct AnQuery {
    struct AnQuery *parent;
    Analyzer *an;
    SdbBindContext bc;       /* hook_arg is this level */
    AnRte **rtes;
    int nrtes, caprtes;
    int depth;               /* SubPlan nesting: a Var's levelsup is the difference of depths */
    bool hidden;             /* its FROM items are invisible to subqueries (a non-LATERAL subquery in FROM) */
    AnCte *ctes;
    AnExprKind kind;
    const SdbList *windows;  /* WINDOW clause (WindowDef) */
    SdbExpr **aggs;          /* Aggref and GroupingFunc nodes of this level, as bound */
    int naggs, capaggs;
    SdbExpr **wins;          /* WindowFunc nodes */
    int nwins, capwins;
    SdbExpr ***grouping_args; /* per GroupingFunc in aggs (NULL for Aggref): its bound arguments */
    bool correlated;         /* refers to an enclosing level */
    const SdbNode *srf_call; /* the function of a FROM item being bound: the one call that may return a set */
} AnQuery;

/* analyze.c */
AnQuery *an_query_new(Analyzer *an, AnQuery *parent, bool subplan);
int an_new_table(Analyzer *an, const char *name, int ncols, const char **colnames);
void *an_alloc(Analyzer *an, size_t size);
int an_fail_at(AnQuery *q, int location);
int an_select(AnQuery *parent, bool subplan, const SdbNode *stmt, SdbPlan **out, bool *correlated);
AnTable *an_table(Analyzer *an, int table);
int an_column_location(Analyzer *an, const SdbPlanColumn *col);
int an_location(const SdbNode *node);
int an_push(Analyzer *an, void ***items, int *n, int *cap, void *item);

/* Plan headers. */
int an_set_cols(Analyzer *an, SdbPlan *plan, int n);
int an_copy_cols(Analyzer *an, SdbPlan *plan, const SdbPlan *child);
SdbPlan *an_filter(Analyzer *an, SdbPlan *child, SdbExpr **quals, int nquals);
SdbPlan *an_project(Analyzer *an, SdbPlan *child, SdbExpr **exprs, const char **names, int n);
SdbBoundVar *an_var(Analyzer *an, const SdbPlanColumn *col, int levelsup);

/* analyze_from.c */
int an_from(AnQuery *q, const SdbList *from, SdbPlan **out);
int an_add_rte(AnQuery *q, AnRte *rte);
AnRte *an_rte_for_plan(AnQuery *q, const char *name, const SdbPlan *plan, const SdbAlias *alias);
int an_with(AnQuery *q, const SdbWithClause *with);
int an_table_scan(AnQuery *q, const SdbRelation *rel, const char *alias, bool ctid, SdbPlan **out, AnRte **rte);

/* analyze_srf.c: the set-returning calls of select list `exprs` become
 * LATERAL FunctionScans (zipped) joined to *plan (the grouped, windowed rows). */
int an_select_srfs(AnQuery *q, SdbExpr **exprs, int n, SdbPlan **plan);
/* FunctionScans of set-returning `calls`, several ones zipped (run in
 * lockstep, NULL past a shorter set's end): the plan, values[i] the
 * expression of call i's value, *ord (when ord) the row number. */
SdbPlan *an_srf_scans(AnQuery *q, SdbExpr **calls, int n, bool ordinality, SdbExpr **values, SdbExpr **ord);
/* The value columns of a function call in FROM: one per OUT column of a
 * function returning record, else 1. */
int an_function_nvalues(const SdbExpr *call);
/* Its column names: the OUT columns', else `name`; then "ordinality". */
const char **an_function_colnames(Analyzer *an, const SdbExpr *call, const char *name, bool ordinality);
/* A FunctionScan of `call` as binding table `name` with columns `colnames`
 * (the value columns, then ordinality when `ordinality`). */
SdbPlanFunctionScan *an_function_scan(Analyzer *an, SdbExpr *call, const char *name, const char **colnames,
                                      bool ordinality);
/* `n` values as one record (a row constructor call). */
SdbExpr *an_record_of(AnQuery *q, SdbExpr **values, int n, int location);

/* analyze_expr.c: the bind hook and the rewriting of bound expressions */
int an_bind(AnQuery *q, AnExprKind kind, const SdbNode *node, SdbExpr **out);
int an_bind_raw(AnQuery *q, AnExprKind kind, const SdbNode *node, SdbExpr **out);
int an_bind_bool(AnQuery *q, AnExprKind kind, const SdbNode *node, const char *what, SdbExpr **out);
int an_hook(void *arg, const SdbBindContext *bc, const SdbNode *node, SdbExpr **out);
int an_star(AnQuery *q, const SdbColumnRef *ref, SdbExpr ***exprs, const char ***names, int *n);
/* Whether a select-list item is `(f(x)).*`; its columns (one field
 * selection per OUT column of f, 42809 for a function without). */
bool an_is_field_star(const SdbNode *node);
int an_field_star(AnQuery *q, const SdbNode *node, SdbExpr ***exprs, const char ***names, int *n);
bool an_expr_equal(const SdbExpr *a, const SdbExpr *b);
bool an_contains(const SdbExpr *e, SdbExprTag tag);
int an_expr_location(const SdbExpr *e);
/* The smallest levelsup of the Vars below `e` (-1: none). */
int an_min_levelsup(const SdbExpr *e);
SdbExpr *an_copy(Analyzer *an, const SdbExpr *e, int levelsup);
typedef int (*AnMutator)(void *arg, SdbExpr **slot, bool *descend);
int an_mutate(SdbExpr **slot, AnMutator fn, void *arg);
/* an_mutate over every expression of a plan tree (a CteScan's shared plan excluded). */
int an_mutate_plan(SdbPlan *plan, AnMutator fn, void *arg);
int an_split_and(Analyzer *an, SdbExpr *cond, SdbExpr ***quals, int *n);
const char *an_figure_name(const SdbNode *node);

/* analyze_select.c */
int an_select_core(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out);
int an_values(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out);
int an_setop(AnQuery *q, const SdbSelectStmt *s, SdbPlan **out);
int an_sort_limit_setop(AnQuery *q, const SdbSelectStmt *s, SdbPlan **plan);
int an_limit(AnQuery *q, const SdbSelectStmt *s, SdbPlan **plan);
int an_sort_flags(const SdbSortBy *sb);
int an_resolve_unknown(AnQuery *q, SdbPlan *plan, int i, SdbOid type);

/* analyze_modify.c */
int an_insert(AnQuery *q, const SdbInsertStmt *s, SdbPlan **out);
int an_update(AnQuery *q, const SdbUpdateStmt *s, SdbPlan **out);
int an_delete(AnQuery *q, const SdbDeleteStmt *s, SdbPlan **out);

#endif /* SDB_SQL_ANALYZE_INT_H */
