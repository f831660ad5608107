/*
 * expr/fn_window.c: PostgreSQL's window functions (windowfuncs.c): ranks
 * from the current row's position and peer group, ntile, lag/lead, and
 * first/last/nth_value over the frame, reading argument values at other
 * rows through the executor's call->get_arg.
 */
#include "expr/agg.h"

static int result_int(SdbWindowCall *call, int64_t v)
{
    call->result = sdb_datum_from_int64(v);
    return SDB_OK;
}

static int result_float(SdbWindowCall *call, double v)
{
    call->result = sdb_datum_from_float8(v);
    return SDB_OK;
}

int sdb_win_row_number(SdbWindowCall *call) { return result_int(call, call->row + 1); }
int sdb_win_rank(SdbWindowCall *call) { return result_int(call, call->peer_start + 1); }
int sdb_win_dense_rank(SdbWindowCall *call) { return result_int(call, call->peer_group + 1); }

/* (rank - 1) / (rows - 1), 0 for a one-row partition. */
int sdb_win_percent_rank(SdbWindowCall *call)
{
    if (call->partition_rows <= 1)
        return result_float(call, 0);
    return result_float(call, (double)call->peer_start / (double)(call->partition_rows - 1));
}

/* Rows up to the current row's last peer over all rows. */
int sdb_win_cume_dist(SdbWindowCall *call)
{
    return result_float(call, (double)(call->peer_end + 1) / (double)call->partition_rows);
}

/* The bucket of the current row when the partition is split into n
 * buckets whose sizes differ by at most one, the larger ones first. */
int sdb_win_ntile(SdbWindowCall *call)
{
    SdbDatum v;
    bool isnull;
    if (call->get_arg(call, 0, call->row, &v, &isnull) != SDB_OK)
        return SDB_ERROR;
    if (isnull) {
        call->result_null = true;
        return SDB_OK;
    }
    int64_t buckets = sdb_datum_to_int64(v);
    if (buckets <= 0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_NTILE_FUNCTION, "argument of ntile must be greater than zero");
    int64_t size = call->partition_rows / buckets, extra = call->partition_rows % buckets;
    int64_t big_rows = extra * (size + 1);
    if (call->row < big_rows)
        return result_int(call, call->row / (size + 1) + 1);
    return result_int(call, extra + (call->row - big_rows) / size + 1);
}

/* The value `direction` * offset rows away (offset: argument 1, default
 * 1), or the default (argument 2, else NULL) outside the partition. */
static int shifted(SdbWindowCall *call, int direction)
{
    int64_t offset = 1;
    if (call->nargs > 1) {
        SdbDatum v;
        bool isnull;
        if (call->get_arg(call, 1, call->row, &v, &isnull) != SDB_OK)
            return SDB_ERROR;
        if (isnull) {
            call->result_null = true;
            return SDB_OK;
        }
        offset = sdb_datum_to_int64(v);
    }
    int64_t target = call->row + direction * offset;
    if (target >= 0 && target < call->partition_rows)
        return call->get_arg(call, 0, target, &call->result, &call->result_null);
    if (call->nargs > 2)
        return call->get_arg(call, 2, call->row, &call->result, &call->result_null);
    call->result_null = true;
    return SDB_OK;
}

int sdb_win_lag(SdbWindowCall *call) { return shifted(call, -1); }
int sdb_win_lead(SdbWindowCall *call) { return shifted(call, 1); }

/* The argument at the frame's k-th row, NULL past the frame. */
static int frame_value(SdbWindowCall *call, int64_t k)
{
    if (k < 0 || k >= call->frame_rows) {
        call->result_null = true;
        return SDB_OK;
    }
    return call->get_arg(call, 0, sdb_win_frame_row(call, k), &call->result, &call->result_null);
}

int sdb_win_first_value(SdbWindowCall *call) { return frame_value(call, 0); }
int sdb_win_last_value(SdbWindowCall *call) { return frame_value(call, call->frame_rows - 1); }

int sdb_win_nth_value(SdbWindowCall *call)
{
    SdbDatum v;
    bool isnull;
    if (call->get_arg(call, 1, call->row, &v, &isnull) != SDB_OK)
        return SDB_ERROR;
    if (isnull) {
        call->result_null = true;
        return SDB_OK;
    }
    int64_t n = sdb_datum_to_int64(v);
    if (n <= 0)
        return sdb_error(SDB_ERR_INVALID_ARGUMENT_FOR_NTH_VALUE_FUNCTION, "argument of nth_value must be greater than zero");
    return frame_value(call, n - 1);
}
