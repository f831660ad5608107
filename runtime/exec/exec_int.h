/*
 * exec/exec_int.h: what the executor's files share: the running operator
 * (ExecNode) every operator kind embeds, the statement state, compiled
 * expressions evaluated per batch (ExecExpr), the row context the row
 * evaluator's hook reads, materialized row storage (RowStore) with its
 * spill files, and row comparison/hashing helpers.
 */
#ifndef SDB_EXEC_EXEC_INT_H
#define SDB_EXEC_EXEC_INT_H

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "exec/exec.h"
#include "expr/eval.h"
#include "plan/plan.h"
#include "types/typeio.h"

typedef struct ExecNode ExecNode;
typedef struct ExecExpr ExecExpr;
typedef struct RowCtx RowCtx;

/* Where a Var of an operator's input lives: (table, column) -> position. */
typedef struct Resolver {
    int ntables;
    int **tables;   /* tables[t][column + 1] = position, or -1; NULL: no column of t */
    int *ncolumns;  /* columns + 1 per table */
} Resolver;

/* The row the row evaluator's hook reads: one row of an input batch (and,
 * for levelsup > 0, the enclosing query's row through es->outer). */
struct RowCtx {
    SdbExecState *es;
    const Resolver *res;
    const SdbBatch *batch;
    int row;
    RowCtx *fallback;       /* where Vars not in `res` are looked up (ANY/ALL tests) */
};

/* Where expressions over one input layout are evaluated: its resolver,
 * the row the hook reads, and the evaluation context pointing at both. */
typedef struct ExecEnv {
    ExecNode *node;
    Resolver res;
    RowCtx row;
    SdbExprContext ectx;    /* arena = node's batch arena, hook = the executor's */
} ExecEnv;

/* EXPLAIN ANALYZE counters of one plan node (summed over rebuilds). */
typedef struct NodeStats {
    uint64_t rows;
    uint64_t loops;
    double ms;              /* in the node (children included) */
    double first_ms;        /* until its first batch */
    uint64_t removed;       /* rows its filter removed (Scan, Filter) */
    const char *sort_method;    /* Sort: quicksort, top-N heapsort, external merge */
    int64_t sort_kb;
    int64_t hash_buckets;       /* hash join: its table, partitions and memory */
    int hash_batches;
    int64_t hash_kb;
} NodeStats;

/* A running operator.  Each kind embeds it first. */
struct ExecNode {
    const SdbPlan *plan;
    SdbExecState *es;
    SdbArena *arena;        /* the node's lifetime */
    SdbArena *batch_arena;  /* reset before each output batch */
    ExecEnv env;            /* expressions over the node's input */
    SdbBatch out;           /* output batch storage (ncols = plan->ncols) */
    int (*next)(ExecNode *node, SdbBatch **out);
    NodeStats *stats;       /* NULL unless EXPLAIN ANALYZE */
    bool done;
    bool produced;          /* a batch came out (EXPLAIN ANALYZE startup time) */
    double started;         /* first call (EXPLAIN ANALYZE) */
};

/* A CTE's rows, computed once per statement. */
typedef struct RowStore RowStore;
typedef struct CteState {
    RowStore *rows;
    bool computed;
    /* RecursiveUnion: the previous round, read by WorkTableScan */
    RowStore *work;
} CteState;

/* What a statement and the SubPlans run inside it share. */
typedef struct ExecShared {
    SdbArena *arena;        /* statement lifetime */
    SdbExecState *root;
    int ncte;
    CteState **ctes;        /* by cte_id */
    SdbHash *stats;         /* plan node pointer -> NodeStats, EXPLAIN ANALYZE only */
    SdbHash *subplans;      /* SubPlan pointer -> its state */
} ExecShared;

/* A running plan: the statement's, or one run of a SubPlan or CTE. */
struct SdbExecState {
    SdbExecContext *ctx;
    ExecShared *sh;
    SdbArena *arena;        /* this run's */
    ExecNode *root;
    uint64_t rows_affected;
    /* A READ COMMITTED UPDATE/DELETE met a row a transaction committed
     * since the snapshot had updated, before this run wrote anything: the
     * statement may run again on a new snapshot (sdb_exec_restartable). */
    bool restartable;
    RowCtx *outer;          /* the enclosing query's row while a SubPlan runs */
    RowCtx *params;         /* an index nested loop's left row, for Vars the inner side cannot resolve */
    struct Cleanup *cleanups; /* run at the end of this run (scans, temp files) */
};

/* A statement's state (shared part, EXPLAIN ANALYZE counters when
 * `analyze`) with its operator tree built. */
SdbExecState *exec_start(SdbExecContext *ctx, const SdbPlan *plan, bool analyze);

/* Run fn(arg) when `es` ends (or is rebuilt); SDB_ERROR only on OOM. */
int exec_defer(SdbExecState *es, void (*fn)(void *), void *arg);
void exec_run_cleanups(SdbExecState *es);

/* A run (a statement's, a SubPlan's, a CTE's ...) sharing `sh`, allocating
 * in `arena`, whose Vars with levelsup > 0 read `outer`. */
SdbExecState *exec_state_create(SdbExecContext *ctx, ExecShared *sh, SdbArena *arena, RowCtx *outer);

/* --- nodes (exec.c) ------------------------------------------------------ */

/* Build the running operator of `plan` (recursively). */
ExecNode *exec_build(SdbExecState *es, const SdbPlan *plan);

/* A node of kind size `size` for `plan` with its arenas, output batch
 * vectors (ncols of the plan) and expression context. */
void *exec_node_alloc(SdbExecState *es, const SdbPlan *plan, size_t size);

/* The next batch of a child, counting stats and checking cancellation; *out
 * = NULL at the end.  Batches returned always have at least one live row. */
int exec_next(ExecNode *node, SdbBatch **out);

/* Resolver over one or two lists of columns (left then right). */
int exec_resolver_init(SdbArena *arena, Resolver *res, const SdbPlanColumn *a, int na, const SdbPlanColumn *b,
                       int nb);
/* An environment for expressions over rows of columns a then b. */
int exec_env_init(ExecNode *node, ExecEnv *env, const SdbPlanColumn *a, int na, const SdbPlanColumn *b, int nb);
int exec_resolve(const Resolver *res, int table, int column);

/* Allocate a vector's arrays (SDB_BATCH_SIZE rows). */
int exec_vector_init(SdbArena *arena, SdbVector *v, SdbOid type, int32_t typmod);
/* Allocate a batch of `ncols` vectors typed by `cols`. */
int exec_batch_init(SdbArena *arena, SdbBatch *b, const SdbPlanColumn *cols, int ncols);

/* A table access context for the statement (the session's template when
 * it gave one) allocating in `arena`. */
struct SdbAccessContext;
/* A ctid value (6-byte tid varlena: block, slot big-endian) as a tid. */
SdbTid exec_tid_from_datum(SdbDatum d);

void exec_access_init(const SdbExecContext *ctx, struct SdbAccessContext *ac, SdbArena *arena);

/* A monotonic clock in milliseconds (EXPLAIN ANALYZE). */
double exec_now_ms(void);

/* Check for cancellation: 57014. */
int exec_check_cancel(SdbExecState *es);

/* Whether values of `type` are by reference; copy one into `arena`. */
bool exec_type_byref(SdbOid type);
int exec_datum_copy(SdbArena *arena, SdbOid type, SdbDatum v, SdbDatum *out);

/* --- expressions (eval_batch.c) ----------------------------------------- */

typedef enum ExecExprKind {
    EE_VAR,
    EE_CONST,
    EE_CALL,
    EE_AND,
    EE_OR,
    EE_NOT,
    EE_HASHED,   /* IN / NOT IN subquery answered by hash lookup: args[0] the outer value */
    EE_ROW
} ExecExprKind;

struct ExecExpr {
    ExecExprKind kind;
    const SdbExpr *expr;
    ExecEnv *env;          /* resolver, row context, result arena */
    int col;               /* EE_VAR: input position */
    int nargs;
    ExecExpr **args;
    SdbFnCall *call;       /* EE_CALL: prepared call */
    SdbVector result;      /* owned result (not for EE_VAR) */
    uint16_t *sel_tmp;     /* EE_AND/EE_OR: rows still undecided */
};

/* Compile `expr` for evaluation over batches laid out as `env` says. */
ExecExpr *exec_expr_compile(ExecEnv *env, const SdbExpr *expr);
ExecExpr **exec_exprs_compile(ExecEnv *env, SdbExpr *const *exprs, int n);

/* Evaluate `e` for the rows of `in` listed by sel[0..n) (sel NULL: 0..n-1):
 * a vector whose entries at those positions hold the results (a Var gives
 * the input's own vector).  By-reference results live in the node's batch
 * arena. */
int sdb_exec_eval_batch(ExecExpr *e, const SdbBatch *in, const uint16_t *sel, int n, SdbVector **out);

/* Evaluate an expression that reads no input row (VALUES items, LIMIT
 * counts, function arguments): over an empty one-row batch. */
int exec_eval_const(ExecExpr *e, SdbDatum *value, bool *isnull);

/* Narrow the live rows of `in` to those where every qual is true: the
 * survivors' positions in sel_out, their count in *nout. */
int exec_qual_batch(ExecExpr **quals, int nquals, const SdbBatch *in, uint16_t *sel_out, int *nout);

/* Evaluate `e` for one row of `in` (row evaluator when not a Var/Const). */
int exec_eval_row(ExecExpr *e, const SdbBatch *in, int row, SdbDatum *value, bool *isnull);

/* The hook of SdbExprContext (Var, SubPlan, ArrayExpr). */
int exec_hook(const SdbExprContext *ctx, const SdbExpr *expr, SdbDatum *value, bool *isnull);

/* SubPlans (subplan.c).  An uncorrelated IN (x = ANY) / x <> ALL whose
 * test compares an outer value with output column *column is answered by
 * hash lookup (EXPLAIN: "hashed SubPlan"). */
bool exec_subplan_hashable(const SdbBoundSubPlan *sp, int *column, const SdbExpr **outer, const SdbTypeOps **ops);
/* Such a subquery for the rows sel[0..n) (NULL: 0..n-1) of the outer
 * values' vector: its results in `result` at the same positions. */
int exec_subplan_hashed_batch(SdbExecState *es, const SdbBoundSubPlan *sp, const SdbVector *outer, const uint16_t *sel,
                              int n, SdbVector *result);
int exec_subplan_eval(RowCtx *row, const SdbBoundSubPlan *sp, const SdbExprContext *ectx, SdbDatum *value,
                      bool *isnull);

/* --- rows (rowstore.c) --------------------------------------------------- */

/* A materialized row: ncols datums then a null bitmap. */
typedef SdbDatum Row;

static inline bool row_is_null(const Row *r, int ncols, int i)
{
    return (r[ncols + (i >> 6)] >> (i & 63)) & 1;
}

typedef struct RowDesc {
    int ncols;
    SdbOid *types;
    bool *byref;
    int width;              /* datums per row: ncols + null words */
} RowDesc;

int rowdesc_init(SdbArena *arena, RowDesc *d, const SdbPlanColumn *cols, int ncols);

/* A copy of row `row` of batch `b` (columns 0..ncols) in `arena`. */
Row *row_from_batch(SdbArena *arena, const RowDesc *d, const SdbBatch *b, int row);
/* A row from values/nulls arrays, copied into `arena`. */
Row *row_from_values(SdbArena *arena, const RowDesc *d, const SdbDatum *values, const bool *nulls);
/* A copy of a materialized row. */
Row *row_copy(SdbArena *arena, const RowDesc *d, const Row *r);
/* Put row `r` at position `pos` of batch `b` (columns off..off+ncols). */
void row_to_batch(const RowDesc *d, const Row *r, SdbBatch *b, int off, int pos);

/* Rows kept in memory in insertion order (rows[]), in their own arena. */
struct RowStore {
    RowDesc desc;
    SdbArena *arena;
    Row **rows;
    size_t nrows, cap;
};

RowStore *rowstore_create(SdbArena *parent, const SdbPlanColumn *cols, int ncols);
int rowstore_add(RowStore *s, Row *r);
/* Copy every live row of `b` in. */
int rowstore_add_batch(RowStore *s, const SdbBatch *b);
void rowstore_clear(RowStore *s);
/* rowstore_clear for exec_defer. */
void rowstore_cleanup(void *store);
size_t rowstore_bytes(const RowStore *s);
/* Fill `b` with rows [start, start + SDB_BATCH_SIZE) (fewer at the end):
 * the number of rows put. */
int rowstore_fill(const RowStore *s, size_t start, SdbBatch *b);

/* Spill files: an unlinked temp file in ctx->temp_dir, and rows written to
 * and read back from it. */
FILE *exec_temp_file(SdbExecState *es);
int row_write(FILE *f, const RowDesc *d, const Row *r);
/* *r = NULL at end of file. */
int row_read(FILE *f, SdbArena *arena, const RowDesc *d, Row **r);

/* --- comparing and hashing ---------------------------------------------- */

/* Sort key over materialized rows or vectors. */
typedef struct SortKey {
    const SdbTypeOps *ops;
    bool desc;
    bool nulls_first;
} SortKey;

int exec_sortkeys_init(SdbArena *arena, const SdbOid *types, const int *flags, int n, SortKey **out);
/* Equality of values of types left and right by hashing: the types' own
 * operations; integers of different widths as int8 (their datums are
 * sign-extended); NULL for other type pairs. */
const SdbTypeOps *exec_key_ops(SdbOid left, SdbOid right);
int exec_compare_datum(const SortKey *k, SdbDatum a, bool an, SdbDatum b, bool bn);
/* Fold value hash v into h, mixing every bit into the low ones (hash
 * tables take slots from the low bits, partitions from the high ones). */
static inline uint64_t exec_hash_combine(uint64_t h, uint64_t v)
{
    uint64_t x = (h ^ v) + 0x9E3779B97F4A7C15ULL;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    return x ^ (x >> 33);
}

/* Hash table of rows by hash value (open addressing, duplicates allowed):
 * candidates for hash h are the slots from h & mask to the next empty one. */
typedef struct HashEnt {
    uint64_t hash;
    Row *row;
} HashEnt;

typedef struct RowHash {
    HashEnt *slots;
    size_t mask;
    size_t count;
} RowHash;

int rowhash_init(RowHash *h, size_t expected);
int rowhash_insert(RowHash *h, uint64_t hash, Row *row);
void rowhash_free(RowHash *h);
size_t rowhash_bytes(const RowHash *h);

/* Order of materialized rows (of `ncols` columns) by key columns pos[]. */
int exec_compare_rows(const SortKey *keys, const int *pos, int nkeys, int ncols, const Row *a, const Row *b);
/* Stable merge sort of rows[0..n) by key columns pos[] (tmp: n scratch). */
void exec_sort_rows(Row **rows, Row **tmp, size_t n, const SortKey *keys, const int *pos, int nkeys, int ncols);

/* Hashes of the live rows sel[0..n) of key vectors kv[0..nkeys) into
 * hashes[row position]. */
void exec_hash_vectors(const SdbTypeOps *const *ops, SdbVector **kv, int nkeys, const uint16_t *sel, int n,
                       uint64_t *hashes);
/* Hash of key values keypos[] of a materialized row (of `ncols` columns). */
uint64_t exec_hash_row(const SdbTypeOps *const *ops, const Row *r, int ncols, const int *keypos, int nkeys);

/* Whether row `pos` of key vectors kv equals the key values keypos[] of
 * materialized row r; NULLs equal each other when nulls_equal, else never. */
bool exec_keys_equal(const SdbTypeOps *const *ops, SdbVector **kv, int pos, const Row *r, int ncols,
                     const int *keypos, int nkeys, bool nulls_equal);
/* Same between two materialized rows. */
bool exec_rows_equal(const SdbTypeOps *const *ops, const Row *a, const Row *b, int ncols, const int *keypos,
                     int nkeys);

/* A set of distinct rows (all columns, NULLs equal) with two counters per
 * row (rowset.c), for DISTINCT, UNION, INTERSECT, EXCEPT and recursive
 * UNION.  With can_spill, once it outgrows work_mem the rows of values not
 * in memory go to partition files by hash, each loaded later on its own. */
typedef struct RowSet {
    SdbExecState *es;
    int ncols;
    const SdbTypeOps **ops;
    int *keypos;
    RowStore *rows;         /* ncols columns + 2 counters */
    RowHash hash;
    uint64_t *hashes;
    bool can_spill;
    FILE **parts;           /* NULL: nothing spilled */
    int curpart;
    SdbArena *scratch;
} RowSet;

int rowset_init(SdbExecState *es, SdbArena *arena, RowSet *s, const SdbPlanColumn *cols, int ncols, bool can_spill);
/* Count each live row of `b` into counter `which` (0 or 1); rows new to the
 * set (not spilled) are listed in sel_new (when not NULL). */
int rowset_add_batch(RowSet *s, const SdbBatch *b, int which, uint16_t *sel_new, int *nnew);
/* After the input: replace the rows in memory by the next partition's
 * (distinct, with their counts); *done when there is none left. */
int rowset_next_partition(RowSet *s, bool *done);
/* Copies of a row to emit given its two counts. */
typedef int64_t (*RowSetCopies)(void *arg, int64_t n0, int64_t n1);
/* Fill out's first ncols columns with the set's rows from *pos (each
 * copies() times; *repeat: copies of rows[*pos] left, -1 before it),
 * moving on to the next partitions: rows put, 0 at the end, -1 on error. */
int rowset_emit(RowSet *s, size_t *pos, int64_t *repeat, RowSetCopies copies, void *arg, SdbBatch *out);

/* --- operators (one builder per kind) ------------------------------------ */

ExecNode *exec_build_scan(SdbExecState *es, const SdbPlanScan *p);
ExecNode *exec_build_values(SdbExecState *es, const SdbPlanValues *p);
ExecNode *exec_build_one_row(SdbExecState *es, const SdbPlan *p);
ExecNode *exec_build_function_scan(SdbExecState *es, const SdbPlanFunctionScan *p);
ExecNode *exec_build_filter(SdbExecState *es, const SdbPlanFilter *p);
ExecNode *exec_build_project(SdbExecState *es, const SdbPlanProject *p);
ExecNode *exec_build_limit(SdbExecState *es, const SdbPlanLimit *p);
ExecNode *exec_build_lock_rows(SdbExecState *es, const SdbPlanLockRows *p);
ExecNode *exec_build_join(SdbExecState *es, const SdbPlanJoin *p);
/* Merge join (op_mergejoin.c) over inputs sorted on the keys, when every
 * key pair has an order (exec_merge_keys_comparable). */
ExecNode *exec_build_merge_join(SdbExecState *es, const SdbPlanJoin *p);
bool exec_merge_keys_comparable(const SdbPlanJoin *p);
/* What a finished left batch emits by its match flags (op_join.c): semi the
 * matched rows, anti the unmatched ones (`shell` over lb), left/full the
 * unmatched ones padded with NULLs (`pad`); *out NULL for the others. */
void exec_join_emit_left(SdbJoinKind kind, SdbBatch *lb, const bool *lmatched, uint16_t *sel, int nleft,
                         int nright, SdbBatch *shell, SdbBatch *pad, SdbBatch **out);
ExecNode *exec_build_aggregate(SdbExecState *es, const SdbPlanAggregate *p);
ExecNode *exec_build_window(SdbExecState *es, const SdbPlanWindow *p);
ExecNode *exec_build_sort(SdbExecState *es, const SdbPlanSort *p);
ExecNode *exec_build_distinct(SdbExecState *es, const SdbPlanDistinct *p);
ExecNode *exec_build_set_op(SdbExecState *es, const SdbPlanSetOp *p);
ExecNode *exec_build_cte_scan(SdbExecState *es, const SdbPlanCteScan *p);
ExecNode *exec_build_recursive_union(SdbExecState *es, const SdbPlanRecursiveUnion *p);
ExecNode *exec_build_work_table_scan(SdbExecState *es, const SdbPlanWorkTableScan *p);
ExecNode *exec_build_insert(SdbExecState *es, const SdbPlanInsert *p);
ExecNode *exec_build_update(SdbExecState *es, const SdbPlanUpdate *p);
ExecNode *exec_build_delete(SdbExecState *es, const SdbPlanDelete *p);

/* The CTE state of `cte_id` (created on first use). */
CteState *exec_cte(SdbExecState *es, int cte_id);

/* Sorting materialized rows (op_sort.c): stable, by key columns keypos[]
 * of each row; above work_mem sorted runs go to temp files and are merged. */
typedef struct Sorter {
    SdbExecState *es;
    SdbArena *arena;
    RowDesc desc;
    RowStore *store;
    int nkeys;
    const int *keypos;
    SortKey *keys;
    size_t pos;             /* next in-memory row to return */
    FILE **runs;
    int nruns, capruns;
    int64_t run_bytes;      /* written to the runs */
    bool merging;
    Row **heads;            /* each run's current row */
    SdbArena **run_arenas;
    int *heap;
    int nheap;
    /* bounded (top-N) sort: a max-heap of the best `bound` rows so far */
    size_t bound;
    struct TopEnt *top;
    size_t ntop;
    uint64_t seq;
    size_t garbage;         /* rows dropped since the last compaction */
} Sorter;

int sorter_init(Sorter *s, SdbExecState *es, SdbArena *arena, const SdbPlanColumn *cols, int ncols,
                const int *keypos, const SdbOid *keytypes, const int *flags, int nkeys);
/* Keep only the first `bound` rows of the order (LIMIT under the sort). */
int sorter_set_bound(Sorter *s, size_t bound);
/* Add a row allocated in s->store->arena. */
int sorter_add(Sorter *s, Row *r);
int sorter_finish(Sorter *s);
/* The next row in order (merged rows copied into `arena`), NULL at the end. */
int sorter_next(Sorter *s, SdbArena *arena, Row **out);
/* A Sort node needs only its first `bound` rows. */
int exec_sort_bound(ExecNode *sort, size_t bound);

#endif /* SDB_EXEC_EXEC_INT_H */
