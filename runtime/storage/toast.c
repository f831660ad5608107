/*
 * storage/toast.c: large values stored out of line as chains of chunk tuples
 * in a toast relation (format in toast.h), zstd-compressed when it pays.
 *
 * Storing compresses the whole value once (level 1: toast is on the write
 * path of every big row), then inserts the chunks last to first.  Reading
 * and deleting walk the chain with walk_chunks(), which checks every chunk
 * before handing its bytes on; a compressed value is decompressed as a zstd
 * stream chunk by chunk straight into the caller's buffer.
 */
#include "storage/toast.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "common/error.h"
#include "common/memory.h"
#include "storage/engine.h"
#include "storage/heap.h"

/* Chunk header: u64 value_id | u32 chunk_no | u32 next.block | u16 next.slot | u16 0 */
#define CHUNK_HEADER_SIZE 20u
#define ZSTD_LEVEL 1

size_t sdb_toast_threshold(uint32_t page_size)
{
    return page_size / 4;
}

/* Bytes of value data in one chunk: a chunk fills a page. */
static size_t chunk_data_max(uint32_t page_size)
{
    return sdb_heap_max_payload(page_size) - CHUNK_HEADER_SIZE;
}

static void encode_chunk_header(uint8_t *chunk, uint64_t value_id, uint32_t chunk_no, SdbTid next)
{
    uint16_t zero = 0;
    memcpy(chunk, &value_id, 8);
    memcpy(chunk + 8, &chunk_no, 4);
    memcpy(chunk + 12, &next.block, 4);
    memcpy(chunk + 16, &next.slot, 2);
    memcpy(chunk + 18, &zero, 2);
}

static void decode_chunk_header(const uint8_t *chunk, uint64_t *value_id, uint32_t *chunk_no, SdbTid *next)
{
    memcpy(value_id, chunk, 8);
    memcpy(chunk_no, chunk + 8, 4);
    memcpy(&next->block, chunk + 12, 4);
    memcpy(&next->slot, chunk + 16, 2);
}

static void encode_pointer(const SdbToastPointer *p, uint8_t *out)
{
    out[0] = SDB_TOAST_POINTER_VERSION;
    out[1] = p->flags;
    memcpy(out + 2, &p->first.slot, 2);
    memcpy(out + 4, &p->toast_rel.db_oid, 4);
    memcpy(out + 8, &p->toast_rel.rel_number, 4);
    memcpy(out + 12, &p->first.block, 4);
    memcpy(out + 16, &p->raw_len, 4);
    memcpy(out + 20, &p->stored_len, 4);
    memcpy(out + 24, &p->value_id, 8);
}

int sdb_toast_pointer_decode(const uint8_t pointer[SDB_TOAST_POINTER_SIZE], SdbToastPointer *out)
{
    memset(out, 0, sizeof *out);
    out->flags = pointer[1];
    memcpy(&out->first.slot, pointer + 2, 2);
    memcpy(&out->toast_rel.db_oid, pointer + 4, 4);
    memcpy(&out->toast_rel.rel_number, pointer + 8, 4);
    memcpy(&out->first.block, pointer + 12, 4);
    memcpy(&out->raw_len, pointer + 16, 4);
    memcpy(&out->stored_len, pointer + 20, 4);
    memcpy(&out->value_id, pointer + 24, 8);
    bool compressed = out->flags & SDB_TOAST_COMPRESSED_ZSTD;
    if (pointer[0] != SDB_TOAST_POINTER_VERSION || (out->flags & ~SDB_TOAST_COMPRESSED_ZSTD) ||
        out->raw_len == 0 || out->raw_len > SDB_TOAST_MAX_VALUE || out->stored_len == 0 ||
        (compressed ? out->stored_len >= out->raw_len : out->stored_len != out->raw_len))
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid toast pointer (version %u, flags 0x%x, raw %" PRIu32
                         " bytes, stored %" PRIu32 " bytes)",
                         (unsigned)pointer[0], (unsigned)out->flags, out->raw_len, out->stored_len);
    return SDB_OK;
}

static int toast_corrupt(const SdbToastPointer *p, const char *fmt, ...) SDB_PRINTF(2, 3);

static int toast_corrupt(const SdbToastPointer *p, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "toast value %" PRIu64 " in relation %" PRIu32 "/%" PRIu32
                     " is corrupted: %s",
                     p->value_id, p->toast_rel.db_oid, p->toast_rel.rel_number, what);
}

/* ---- store ---------------------------------------------------------------------- */

/* Value ids: the storing xid in the high bits, a process-wide counter below,
 * so chunks of different values never carry the same id in practice. */
static uint64_t new_value_id(SdbXid xid)
{
    static atomic_uint_fast32_t counter;
    return ((uint64_t)xid << 24) | (atomic_fetch_add(&counter, 1) & 0xFFFFFFu);
}

/* The zstd-compressed value (a frame with a content checksum, so damaged
 * chunk bytes are detected) in a new buffer (*out, caller frees) when that
 * is smaller than the value; otherwise *out = NULL. */
static int compress_value(const void *value, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    if (len < 2)
        return SDB_OK;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    uint8_t *dst = sdb_malloc(len - 1);
    if (cctx == NULL || dst == NULL) {
        ZSTD_freeCCtx(cctx);
        sdb_free(dst);
        return dst == NULL ? SDB_ERROR : sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory compressing a value");
    }
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(cctx, dst, len - 1, value, len);
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(n)) {
        sdb_free(dst);
        if (ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation)
            return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory compressing a value of %zu bytes", len);
        return SDB_OK; /* did not fit in len - 1 bytes: store it raw */
    }
    *out = dst;
    *out_len = n;
    return SDB_OK;
}

int sdb_toast_store(SdbEngine *engine, SdbRelFileId toast_rel, SdbXid xid, SdbCid cid, const void *value,
                    size_t len, uint8_t pointer[SDB_TOAST_POINTER_SIZE])
{
    uint32_t page_size = sdb_engine_page_size(engine);
    size_t chunk_max = chunk_data_max(page_size);
    uint8_t *compressed;
    size_t stored_len = len;
    int rc = SDB_ERROR;

    if (len == 0 || len > SDB_TOAST_MAX_VALUE)
        return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED,
                         "cannot store a value of %zu bytes out of line (1 to %zu bytes)", len, SDB_TOAST_MAX_VALUE);
    if (compress_value(value, len, &compressed, &stored_len) != SDB_OK)
        return SDB_ERROR;
    const uint8_t *stored = compressed != NULL ? compressed : value;
    uint8_t *chunk = sdb_malloc(CHUNK_HEADER_SIZE + chunk_max);
    if (chunk == NULL)
        goto done;

    SdbToastPointer p = {
        .flags = compressed != NULL ? SDB_TOAST_COMPRESSED_ZSTD : 0,
        .toast_rel = toast_rel,
        .raw_len = (uint32_t)len,
        .stored_len = (uint32_t)stored_len,
        .value_id = new_value_id(xid),
    };
    SdbTid next = {.block = SDB_INVALID_BLOCK, .slot = 0};
    size_t nchunks = (stored_len + chunk_max - 1) / chunk_max;
    for (size_t k = nchunks; k-- > 0;) {
        size_t offset = k * chunk_max;
        size_t n = stored_len - offset < chunk_max ? stored_len - offset : chunk_max;
        encode_chunk_header(chunk, p.value_id, (uint32_t)k, next);
        memcpy(chunk + CHUNK_HEADER_SIZE, stored + offset, n);
        if (sdb_heap_insert(engine, toast_rel, xid, cid, chunk, CHUNK_HEADER_SIZE + n, 0, &next) != SDB_OK)
            goto done;
    }
    p.first = next;
    encode_pointer(&p, pointer);
    rc = SDB_OK;
done:
    sdb_free(chunk);
    sdb_free(compressed);
    return rc;
}

/* ---- walking the chunks --------------------------------------------------------- */

/* Called with each chunk's tid and value bytes, in order. */
typedef int (*ChunkFn)(void *arg, const SdbToastPointer *p, SdbTid tid, const uint8_t *data, size_t len);

/* Follow the chain of `p`, checking each chunk (present, value id, number,
 * length, chain end), and hand each one to fn. */
static int walk_chunks(SdbEngine *engine, const SdbToastPointer *p, ChunkFn fn, void *arg)
{
    uint32_t page_size = sdb_engine_page_size(engine);
    size_t chunk_max = chunk_data_max(page_size);
    size_t capacity = sdb_heap_max_payload(page_size);
    size_t nchunks = (p->stored_len + chunk_max - 1) / chunk_max;
    SdbTid tid = p->first;
    int rc = SDB_OK;

    uint8_t *chunk = sdb_malloc(capacity);
    if (chunk == NULL)
        return SDB_ERROR;
    for (size_t k = 0; k < nchunks && rc == SDB_OK; k++) {
        SdbHeapTupleHeader header;
        uint64_t value_id;
        uint32_t chunk_no;
        SdbTid next;
        bool found;
        size_t expected = p->stored_len - k * chunk_max < chunk_max ? p->stored_len - k * chunk_max : chunk_max;

        if (tid.block == SDB_INVALID_BLOCK) {
            rc = toast_corrupt(p, "chain ends after %zu of %zu chunks", k, nchunks);
            break;
        }
        rc = sdb_heap_fetch(engine, p->toast_rel, tid, &header, chunk, capacity, &found);
        if (rc != SDB_OK)
            break;
        if (!found) {
            rc = toast_corrupt(p, "chunk %zu missing at (%" PRIu32 ",%u)", k, tid.block, (unsigned)tid.slot);
            break;
        }
        if (header.payload_len < CHUNK_HEADER_SIZE) {
            rc = toast_corrupt(p, "chunk %zu at (%" PRIu32 ",%u) is too short", k, tid.block, (unsigned)tid.slot);
            break;
        }
        decode_chunk_header(chunk, &value_id, &chunk_no, &next);
        if (value_id != p->value_id || chunk_no != k)
            rc = toast_corrupt(p, "chunk at (%" PRIu32 ",%u) is chunk %" PRIu32 " of value %" PRIu64
                               ", expected chunk %zu",
                               tid.block, (unsigned)tid.slot, chunk_no, value_id, k);
        else if (header.payload_len - CHUNK_HEADER_SIZE != expected)
            rc = toast_corrupt(p, "chunk %zu has %zu bytes, expected %zu", k,
                               (size_t)header.payload_len - CHUNK_HEADER_SIZE, expected);
        else if (k + 1 == nchunks && next.block != SDB_INVALID_BLOCK)
            rc = toast_corrupt(p, "chain goes on after the last chunk %zu", k);
        else
            rc = fn(arg, p, tid, chunk + CHUNK_HEADER_SIZE, expected);
        tid = next;
    }
    sdb_free(chunk);
    return rc;
}

/* ---- fetch ---------------------------------------------------------------------- */

typedef struct FetchState {
    uint8_t *out;
    size_t pos;         /* bytes written to out */
    ZSTD_DCtx *dctx;    /* NULL for a raw value */
    size_t zstd_status; /* last ZSTD_decompressStream result: 0 = frame complete */
} FetchState;

static int fetch_chunk(void *arg, const SdbToastPointer *p, SdbTid tid, const uint8_t *data, size_t len)
{
    FetchState *st = arg;
    (void)tid;

    if (st->dctx == NULL) {
        memcpy(st->out + st->pos, data, len);
        st->pos += len;
        return SDB_OK;
    }
    ZSTD_inBuffer in = {.src = data, .size = len, .pos = 0};
    ZSTD_outBuffer out = {.dst = st->out, .size = p->raw_len, .pos = st->pos};
    while (in.pos < in.size) {
        size_t in_before = in.pos, out_before = out.pos;
        if (st->zstd_status == 0)
            return toast_corrupt(p, "compressed data goes on after the end of the value");
        st->zstd_status = ZSTD_decompressStream(st->dctx, &out, &in);
        st->pos = out.pos;
        if (ZSTD_isError(st->zstd_status))
            return toast_corrupt(p, "cannot decompress: %s", ZSTD_getErrorName(st->zstd_status));
        if (in.pos == in_before && out.pos == out_before)
            return toast_corrupt(p, "decompresses to more than %" PRIu32 " bytes", p->raw_len);
    }
    return SDB_OK;
}

int sdb_toast_fetch(SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE], void *out, size_t out_size)
{
    SdbToastPointer p;
    FetchState st = {.out = out, .zstd_status = 1};

    if (sdb_toast_pointer_decode(pointer, &p) != SDB_OK)
        return SDB_ERROR;
    if (out_size < p.raw_len)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "buffer of %zu bytes too small for a toast value of %" PRIu32 " bytes",
                         out_size, p.raw_len);
    if (p.flags & SDB_TOAST_COMPRESSED_ZSTD) {
        st.dctx = ZSTD_createDCtx();
        if (st.dctx == NULL)
            return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory decompressing a toast value");
    }
    int rc = walk_chunks(engine, &p, fetch_chunk, &st);
    if (rc == SDB_OK && st.dctx != NULL && st.zstd_status != 0)
        rc = toast_corrupt(&p, "compressed data ends early");
    if (rc == SDB_OK && st.pos != p.raw_len)
        rc = toast_corrupt(&p, "value has %zu bytes, expected %" PRIu32, st.pos, p.raw_len);
    ZSTD_freeDCtx(st.dctx);
    return rc;
}

int sdb_toast_fetch_alloc(SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE], uint8_t **value,
                          size_t *len)
{
    SdbToastPointer p;

    *value = NULL;
    if (sdb_toast_pointer_decode(pointer, &p) != SDB_OK)
        return SDB_ERROR;
    uint8_t *buf = sdb_malloc(p.raw_len);
    if (buf == NULL)
        return SDB_ERROR;
    if (sdb_toast_fetch(engine, pointer, buf, p.raw_len) != SDB_OK) {
        sdb_free(buf);
        return SDB_ERROR;
    }
    *value = buf;
    *len = p.raw_len;
    return SDB_OK;
}

/* ---- delete ---------------------------------------------------------------------- */

typedef struct DeleteState {
    SdbEngine *engine;
    SdbXid xid;
    SdbCid cid;
} DeleteState;

static int delete_chunk(void *arg, const SdbToastPointer *p, SdbTid tid, const uint8_t *data, size_t len)
{
    DeleteState *st = arg;
    SdbHeapResult result;
    (void)data;
    (void)len;

    if (sdb_heap_delete_force(st->engine, p->toast_rel, tid, st->xid, st->cid, &result) != SDB_OK)
        return SDB_ERROR;
    if (result == SDB_HEAP_NOT_FOUND)
        return toast_corrupt(p, "chunk at (%" PRIu32 ",%u) vanished", tid.block, (unsigned)tid.slot);
    return SDB_OK;
}

int sdb_toast_delete(SdbEngine *engine, const uint8_t pointer[SDB_TOAST_POINTER_SIZE], SdbXid xid, SdbCid cid)
{
    SdbToastPointer p;
    DeleteState st = {.engine = engine, .xid = xid, .cid = cid};

    if (sdb_toast_pointer_decode(pointer, &p) != SDB_OK)
        return SDB_ERROR;
    return walk_chunks(engine, &p, delete_chunk, &st);
}
