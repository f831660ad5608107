/*
 * tests/fuzz/fuzz_wire.c: libFuzzer target for the wire protocol.
 *
 * Every input runs two ways:
 *  - through every decoder generated from spec/wire.toml (sdb_wire.h); what
 *    decodes must encode and decode again to the same bytes;
 *  - as the byte stream a client sends, through the server's real connection
 *    code (conn.c: startup packet, then typed messages) on one end of a
 *    socketpair, with a client thread writing the input and reading every
 *    answer on the other end.  No listener and no event loop run.
 *
 * The first input byte is a flags byte: bit 0 sends a valid startup packet
 * before the rest, so typed messages are reached without the fuzzer having
 * to find a startup packet first.  Seed inputs: tests/fuzz/corpus
 * (tests/fuzz/make_corpus.py).  Run by ctest fuzz.wire (tests/fuzz/run_fuzz.sh).
 */
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "sdb_wire.h"
#include "server/server_int.h"

/* --- the decoders ---------------------------------------------------------------- */

/* Every message: X0 has no fields, X1 decodes into a struct. */
#define WIRE_MESSAGES                                                           \
    X1(startup_message, SdbWireStartupMessage, false)                            \
    X0(ssl_request, false)                                                       \
    X0(gssenc_request, false)                                                    \
    X1(cancel_request, SdbWireCancelRequest, false)                              \
    X0(authentication_ok, true)                                                  \
    X0(authentication_kerberos_v5, true)                                         \
    X0(authentication_cleartext_password, true)                                  \
    X1(authentication_md5_password, SdbWireAuthenticationMD5Password, true)      \
    X0(authentication_gss, true)                                                 \
    X1(authentication_gss_continue, SdbWireAuthenticationGSSContinue, true)      \
    X0(authentication_sspi, true)                                                \
    X1(authentication_sasl, SdbWireAuthenticationSASL, true)                     \
    X1(authentication_sasl_continue, SdbWireAuthenticationSASLContinue, true)    \
    X1(authentication_sasl_final, SdbWireAuthenticationSASLFinal, true)          \
    X1(password_message, SdbWirePasswordMessage, true)                           \
    X1(sasl_initial_response, SdbWireSASLInitialResponse, true)                  \
    X1(sasl_response, SdbWireSASLResponse, true)                                 \
    X1(gss_response, SdbWireGSSResponse, true)                                   \
    X1(backend_key_data, SdbWireBackendKeyData, true)                            \
    X1(parameter_status, SdbWireParameterStatus, true)                           \
    X1(negotiate_protocol_version, SdbWireNegotiateProtocolVersion, true)        \
    X1(ready_for_query, SdbWireReadyForQuery, true)                              \
    X1(query, SdbWireQuery, true)                                                \
    X1(row_description, SdbWireRowDescription, true)                             \
    X1(data_row, SdbWireDataRow, true)                                           \
    X1(command_complete, SdbWireCommandComplete, true)                           \
    X0(empty_query_response, true)                                               \
    X1(error_response, SdbWireErrorResponse, true)                               \
    X1(notice_response, SdbWireNoticeResponse, true)                             \
    X1(notification_response, SdbWireNotificationResponse, true)                 \
    X1(parse, SdbWireParse, true)                                                \
    X1(bind, SdbWireBind, true)                                                  \
    X1(describe, SdbWireDescribe, true)                                          \
    X1(execute, SdbWireExecute, true)                                            \
    X1(close, SdbWireClose, true)                                                \
    X0(sync, true)                                                               \
    X0(flush, true)                                                              \
    X0(parse_complete, true)                                                     \
    X0(bind_complete, true)                                                      \
    X0(close_complete, true)                                                     \
    X1(parameter_description, SdbWireParameterDescription, true)                 \
    X0(no_data, true)                                                            \
    X0(portal_suspended, true)                                                   \
    X1(function_call, SdbWireFunctionCall, true)                                 \
    X1(function_call_response, SdbWireFunctionCallResponse, true)                \
    X1(copy_data, SdbWireCopyData, true)                                         \
    X0(copy_done, true)                                                          \
    X1(copy_fail, SdbWireCopyFail, true)                                         \
    X1(copy_in_response, SdbWireCopyInResponse, true)                            \
    X1(copy_out_response, SdbWireCopyOutResponse, true)                          \
    X1(copy_both_response, SdbWireCopyBothResponse, true)                        \
    X0(terminate, true)

static SdbArena *arena;

/* The body of the one message in `e` (as an encoder made it). */
static void body_of(const SdbStr *e, bool typed, const char **body, size_t *len)
{
    SdbWireFrame f;
    if (sdb_wire_frame(e->data, e->len, typed, SIZE_MAX, &f) != 1 || f.size != e->len)
        abort(); /* an encoder made a message its own framing rejects */
    *body = f.body;
    *len = f.len;
}

static void same_bytes(const SdbStr *a, const SdbStr *b)
{
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
        abort(); /* decode(encode(m)) is not m */
}

/* Decode as every message; re-encode what decodes and check the round trip. */
static void run_decoders(const char *data, size_t size)
{
#define X0(name, typed)                                                            \
    if (sdb_wire_decode_##name(data, size) == SDB_OK) {                            \
        SdbStr e;                                                                  \
        sdb_str_init(&e, arena);                                                   \
        if (sdb_wire_encode_##name(&e) != SDB_OK)                                  \
            abort();                                                               \
        const char *body;                                                          \
        size_t len;                                                                \
        body_of(&e, typed, &body, &len);                                           \
        if (sdb_wire_decode_##name(body, len) != SDB_OK)                           \
            abort();                                                               \
    }                                                                              \
    sdb_error_clear();                                                             \
    sdb_arena_reset(arena);
#define X1(name, Type, typed)                                                      \
    {                                                                              \
        Type m1, m2;                                                               \
        if (sdb_wire_decode_##name(data, size, arena, &m1) == SDB_OK) {            \
            SdbStr e1, e2;                                                         \
            sdb_str_init(&e1, arena);                                              \
            sdb_str_init(&e2, arena);                                              \
            if (sdb_wire_encode_##name(&e1, &m1) != SDB_OK)                        \
                abort();                                                           \
            const char *body;                                                      \
            size_t len;                                                            \
            body_of(&e1, typed, &body, &len);                                      \
            if (sdb_wire_decode_##name(body, len, arena, &m2) != SDB_OK ||         \
                sdb_wire_encode_##name(&e2, &m2) != SDB_OK)                        \
                abort();                                                           \
            same_bytes(&e1, &e2);                                                  \
        }                                                                          \
        sdb_error_clear();                                                         \
        sdb_arena_reset(arena);                                                    \
    }
    WIRE_MESSAGES
#undef X0
#undef X1
}

/* --- a connection ------------------------------------------------------------------ */

static char datadir[4096];
static SdbInstance *db;
static SdbServer *server;
static int32_t next_pid = 1;

/* The client's end: send everything, then read every answer until the
 * server closes. */
typedef struct Client {
    int fd;
    const char *data;
    size_t size;
} Client;

static void *client_main(void *arg)
{
    Client *cl = arg;
    size_t off = 0;
    while (off < cl->size) {
        ssize_t n = send(cl->fd, cl->data + off, cl->size - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server ended the connection */
        off += (size_t)n;
    }
    shutdown(cl->fd, SHUT_WR);
    char buf[65536];
    while (recv(cl->fd, buf, sizeof buf, 0) > 0)
        ;
    return NULL;
}

static void run_connection(const char *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    struct sockaddr_un peer = {.sun_family = AF_UNIX}; /* a local client: trust in the default pg_hba.conf */
    SdbConn *c = sdb_conn_create(server, sv[0], (struct sockaddr *)&peer);
    if (c == NULL)
        abort();
    c->pid = next_pid++;
    Client cl = {sv[1], data, size};
    pthread_t client;
    if (pthread_create(&client, NULL, client_main, &cl) != 0)
        abort();
    for (;;) {
        struct pollfd p = {.fd = sv[0], .events = POLLIN};
        poll(&p, 1, -1);
        bool keep = sdb_conn_process(c);
        sdb_error_clear();
        if (!keep)
            break;
    }
    sdb_conn_destroy(c, false);
    pthread_join(client, NULL);
    close(sv[1]);
}

/* A valid StartupMessage for user and database postgres. */
static void startup_packet(SdbStr *out)
{
    SdbWireStartupParameter params[] = {{"user", "postgres"}, {"database", "postgres"}};
    SdbWireStartupMessage m = {SDB_WIRE_PROTOCOL(3, 0), 2, params};
    if (sdb_wire_encode_startup_message(out, &m) != SDB_OK)
        abort();
}

/* --- libFuzzer -------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_datadir(void)
{
    if (server)
        sdb_server_destroy(server);
    if (db)
        sdb_instance_close(db);
    nftw(datadir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN);
    sdb_log_configure(SDB_SEVERITY_PANIC, SDB_LOG_TEXT, stderr);
    /* libFuzzer may end with _exit: run_fuzz.sh points TMPDIR at a directory it removes */
    const char *tmp = getenv("TMPDIR");
    snprintf(datadir, sizeof datadir, "%s/specdb-fuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    SdbSettings settings;
    if (mkdtemp(datadir) == NULL || sdb_settings_init(&settings) != SDB_OK)
        abort();
    atexit(remove_datadir);
    /* a statement found by the fuzzer may not run for long */
    if (sdb_settings_set(&settings, "data_directory", datadir, SDB_SOURCE_COMMAND_LINE) != SDB_OK ||
        sdb_settings_set(&settings, "statement_timeout", "2s", SDB_SOURCE_COMMAND_LINE) != SDB_OK ||
        (db = sdb_instance_open(datadir, &settings)) == NULL ||
        (server = sdb_server_create(db, &settings)) == NULL) {
        sdb_error_print(stderr);
        abort();
    }
    sdb_settings_free(&settings);
    arena = sdb_arena_create(NULL, "fuzz", 0);
    return arena ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t flags = data[0];
    const char *stream = (const char *)data + 1;
    size_t len = size - 1;
    run_decoders(stream, len);
    if (flags & 1) {
        SdbStr with_startup;
        sdb_str_init(&with_startup, arena);
        startup_packet(&with_startup);
        if (sdb_str_append(&with_startup, stream, len) != SDB_OK)
            abort();
        run_connection(with_startup.data, with_startup.len);
    } else {
        run_connection(stream, len);
    }
    sdb_arena_reset(arena);
    return 0;
}
