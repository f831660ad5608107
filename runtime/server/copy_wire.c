/*
 * server/copy_wire.c: the COPY sub-protocol of a connection.
 *
 *   COPY ... TO STDOUT    CopyOutResponse, a CopyData per row (binary: also
 *                         header and trailer), CopyDone before the
 *                         CommandComplete.
 *   COPY ... FROM STDIN   CopyInResponse (flushed), then the client's
 *                         CopyData messages are handed to the session piece
 *                         by piece until CopyDone; CopyFail ends the COPY
 *                         with 57014 "COPY from stdin failed: ..."; Flush
 *                         and Sync are ignored meanwhile (libpq sends its
 *                         Sync again after CopyDone); any other message is
 *                         08P01; a cancel request or statement_timeout
 *                         while waiting for data is 57014.
 *
 * The session reads the client's data while the message that started the
 * COPY (Query or Execute) is still being handled, so its text in `c->in`
 * must stay where it is: the messages already received behind it are read
 * from c->in[in_next..], anything newer is received into a buffer of its
 * own (`copy_buf`), and what the COPY leaves unread there is put back into
 * `c->in` once the message is done (sdb_copy_wire_restore).  A COPY that
 * ended in an error leaves the rest of the client's CopyData unread; the
 * connection ignores CopyData, CopyDone and CopyFail outside COPY, as
 * PostgreSQL does.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "sdb_wire.h"
#include "server/server_int.h"
#include "session/session.h"

/* While waiting for the client's data, how often to look for a cancel
 * request, statement_timeout or shutdown. */
#define CANCEL_CHECK_MS 100

/* Longest COPY message accepted (CopyData may be large; the rest are short). */
static size_t copy_message_limit(char type)
{
    return type == SDB_WIRE_MSG_COPY_DATA ? SDB_WIRE_MAX_MESSAGE : 10000 + 5;
}

int sdb_copy_wire_begin(SdbConn *c, bool is_from, bool binary, int ncols)
{
    int16_t *formats = sdb_arena_calloc(c->msg_arena, (size_t)ncols + 1, sizeof *formats);
    if (formats == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++)
        formats[i] = binary ? 1 : 0;
    char format = binary ? 1 : 0;
    if (!is_from)
        return sdb_wire_encode_copy_out_response(&c->out, &(SdbWireCopyOutResponse){format, ncols, formats});
    if (sdb_wire_encode_copy_in_response(&c->out, &(SdbWireCopyInResponse){format, ncols, formats}) != SDB_OK)
        return SDB_ERROR;
    return sdb_conn_flush(c);
}

int sdb_copy_wire_out(SdbConn *c, const char *data, size_t len)
{
    if (sdb_wire_encode_copy_data(&c->out, &(SdbWireCopyData){{data, (int32_t)len}}) != SDB_OK)
        return SDB_ERROR;
    return c->out.len >= SDB_CONN_FLUSH_AT ? sdb_conn_flush(c) : SDB_OK;
}

/* Room for at least `more` bytes after what copy_buf holds (its consumed
 * front is dropped first). */
static int copy_buf_room(SdbConn *c, size_t more)
{
    if (c->copy_pos > 0) {
        memmove(c->copy_buf, c->copy_buf + c->copy_pos, c->copy_len - c->copy_pos);
        c->copy_len -= c->copy_pos;
        c->copy_pos = 0;
    }
    if (c->copy_cap - c->copy_len >= more)
        return SDB_OK;
    size_t cap = c->copy_cap ? c->copy_cap : 65536;
    while (cap - c->copy_len < more)
        cap *= 2;
    char *buf = sdb_realloc(c->copy_buf, cap);
    if (buf == NULL)
        return SDB_ERROR;
    c->copy_buf = buf;
    c->copy_cap = cap;
    return SDB_OK;
}

/* Wait for the client's next bytes into copy_buf (at least `need` in all
 * when known).  Errors end the connection. */
static int receive_more(SdbConn *c, size_t need)
{
    if (copy_buf_room(c, need > c->copy_len ? need - c->copy_len + 8192 : 65536) != SDB_OK)
        return SDB_ERROR;
    for (;;) {
        ssize_t n = sdb_conn_recv(c, c->copy_buf + c->copy_len, c->copy_cap - c->copy_len);
        if (n > 0) {
            c->copy_len += (size_t)n;
            return SDB_OK;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = c->fd, .events = POLLIN};
            if (poll(&p, 1, CANCEL_CHECK_MS) > 0)
                continue;
            if (sdb_server_stopping(c->server)) {
                c->broken = true;
                return sdb_error(SDB_ERR_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
            }
            if (sdb_session_cancel_pending(c->session))
                return sdb_error(SDB_ERR_QUERY_CANCELED, SDB_ERRMSG_QUERY_CANCELED);
            continue;
        }
        c->broken = true;
        sdb_log(SDB_SEVERITY_LOG, "wire", "unexpected EOF on client connection %s during COPY from stdin", c->host);
        return sdb_error(SDB_ERR_CONNECTION_FAILURE, "unexpected EOF on client connection with an open transaction");
    }
}

/* A malformed message during COPY: FATAL, the connection ends (the
 * statement fails with 08006). */
static int protocol_fatal(SdbConn *c)
{
    sdb_conn_fatal(c);
    return sdb_error(SDB_ERR_CONNECTION_FAILURE, "connection ended during COPY from stdin");
}

/* The next complete message (from c->in first, then copy_buf), received
 * when needed.  Its bytes stay valid until the next call. */
static int next_message(SdbConn *c, SdbWireFrame *f)
{
    if (c->in_next < c->in_len) {
        const char *start = c->in + c->in_next;
        size_t avail = c->in_len - c->in_next;
        if (sdb_wire_message_name(start[0], true) != NULL) {
            int rc = sdb_wire_frame(start, avail, true, copy_message_limit(start[0]), f);
            if (rc == 1) {
                c->in_next += f->size;
                return SDB_OK;
            }
        }
        /* a partial message: continue it in copy_buf */
        if (copy_buf_room(c, avail) != SDB_OK)
            return SDB_ERROR;
        memcpy(c->copy_buf + c->copy_len, start, avail);
        c->copy_len += avail;
        c->in_next = c->in_len;
    }
    for (;;) {
        const char *start = c->copy_buf + c->copy_pos;
        size_t avail = c->copy_len - c->copy_pos;
        int rc = 0;
        f->size = 0;
        if (avail > 0) {
            if (sdb_wire_message_name(start[0], true) == NULL) {
                sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid frontend message type %d", (unsigned char)start[0]);
                return protocol_fatal(c);
            }
            rc = sdb_wire_frame(start, avail, true, copy_message_limit(start[0]), f);
        }
        if (rc == SDB_ERROR)
            return protocol_fatal(c);
        if (rc == 1) {
            c->copy_pos += f->size;
            return SDB_OK;
        }
        if (receive_more(c, f->size) != SDB_OK)
            return SDB_ERROR;
    }
}

int sdb_copy_wire_in(SdbConn *c, SdbStr *data, bool *done)
{
    *done = false;
    /* hand over what has arrived, at least one CopyData's worth */
    for (size_t start = data->len; data->len - start < 65536;) {
        SdbWireFrame f;
        if (next_message(c, &f) != SDB_OK)
            return SDB_ERROR;
        switch (f.type) {
        case SDB_WIRE_MSG_COPY_DATA: {
            SdbWireCopyData m;
            if (sdb_wire_decode_copy_data(f.body, f.len, c->msg_arena, &m) != SDB_OK ||
                sdb_str_append(data, m.data.data, (size_t)m.data.len) != SDB_OK)
                return SDB_ERROR;
            bool more = c->in_next < c->in_len || c->copy_pos < c->copy_len;
            if (!more)
                return SDB_OK;
            break;
        }
        case SDB_WIRE_MSG_COPY_DONE:
            *done = true;
            return sdb_wire_decode_copy_done(f.body, f.len);
        case SDB_WIRE_MSG_COPY_FAIL: {
            SdbWireCopyFail m;
            if (sdb_wire_decode_copy_fail(f.body, f.len, c->msg_arena, &m) != SDB_OK)
                return SDB_ERROR;
            return sdb_error(SDB_ERR_QUERY_CANCELED, "COPY from stdin failed: %s", m.message);
        }
        case SDB_WIRE_MSG_FLUSH:
        case SDB_WIRE_MSG_SYNC:
            break;
        default:
            return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "unexpected message type 0x%02X during COPY from stdin",
                             (unsigned char)f.type);
        }
    }
    return SDB_OK;
}

int sdb_copy_wire_restore(SdbConn *c, size_t *pos)
{
    *pos = c->in_next;
    size_t rest = c->copy_len - c->copy_pos;
    if (rest > 0) {
        /* the COPY took all of c->in: what it left unread is all there is */
        if (c->in_cap < rest) {
            char *in = sdb_realloc(c->in, rest);
            if (in == NULL)
                return SDB_ERROR;
            c->in = in;
            c->in_cap = rest;
        }
        memcpy(c->in, c->copy_buf + c->copy_pos, rest);
        c->in_len = rest;
        *pos = 0;
    }
    sdb_free(c->copy_buf);
    c->copy_buf = NULL;
    c->copy_len = c->copy_pos = c->copy_cap = 0;
    return SDB_OK;
}
