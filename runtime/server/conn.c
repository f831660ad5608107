/*
 * server/conn.c: one client connection's side of the protocol: the startup
 * packet, authentication (auth.c), the simple and extended query protocols,
 * and turning results and errors into messages.  Every message is built and
 * parsed by the code generated from spec/wire.toml (sdb_wire.h).
 *
 * A worker thread calls sdb_conn_process() when the socket is readable; it
 * reads what is there, answers every complete message and returns, so a
 * connection holds a thread only while it has work.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"
#include "sdb_types.h"
#include "sdb_wire.h"
#include "server/auth.h"
#include "server/server_int.h"
#include "types/typeio.h"

/* Longest message of the kinds that are always short (PQ_SMALL_MESSAGE_LIMIT). */
#define SMALL_MESSAGE (10000 + 5)

struct Statement {
    Statement *next;
    char *name;
    SdbPrepared *prepared;
};

struct Portal {
    Portal *next;
    char *name;
    SdbPortal *portal;
    SdbPrepared *prepared;
    int nformats;     /* result formats as Bind gave them: 0, 1 or one per column */
    int16_t *formats;
};

/* --- sending ------------------------------------------------------------------ */

/* Write all buffered output to the socket, waiting while it is full. */
static int conn_flush(SdbConn *c)
{
    size_t off = 0;
    while (off < c->out.len && !c->broken) {
        short wait_for;
        ssize_t n = sdb_conn_send(c, c->out.data + off, c->out.len - off, &wait_for);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = c->fd, .events = wait_for};
            if (poll(&p, 1, 1000) == 0 && sdb_server_stopping(c->server))
                c->broken = true;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            c->broken = true;
        }
    }
    sdb_arena_reset(c->out_arena);
    sdb_str_init(&c->out, c->out_arena);
    if (c->broken)
        return sdb_error(SDB_ERR_CONNECTION_FAILURE, "could not send data to client");
    return SDB_OK;
}

int sdb_conn_flush(SdbConn *c)
{
    return conn_flush(c);
}

/* Send the recorded error (then clear it) as an ErrorResponse. */
static void send_error(SdbConn *c, SdbSeverity severity)
{
    const SdbErrorData *e = sdb_error_last();
    char position[16];
    SdbWireNoticeField fields[8];
    int n = 0;
    fields[n++] = (SdbWireNoticeField){'S', sdb_severity_name(severity)};
    fields[n++] = (SdbWireNoticeField){'V', sdb_severity_name(severity)};
    fields[n++] = (SdbWireNoticeField){'C', sdb_errcode_info(e->code)->sqlstate};
    fields[n++] = (SdbWireNoticeField){'M', e->message};
    if (e->detail[0])
        fields[n++] = (SdbWireNoticeField){'D', e->detail};
    if (e->hint[0])
        fields[n++] = (SdbWireNoticeField){'H', e->hint};
    if (e->position > 0) {
        snprintf(position, sizeof position, "%d", e->position);
        fields[n++] = (SdbWireNoticeField){'P', position};
    }
    if (e->context[0])
        fields[n++] = (SdbWireNoticeField){'W', e->context};
    if (severity >= SDB_SEVERITY_FATAL)
        sdb_log(SDB_SEVERITY_LOG, "wire", "connection from %s ended: %s", c->host, e->message);
    if (sdb_wire_encode_error_response(&c->out, &(SdbWireErrorResponse){n, fields}) != SDB_OK)
        c->broken = true;
    sdb_error_clear();
}

/* Report the recorded error as FATAL; the connection ends. */
static bool fatal(SdbConn *c)
{
    send_error(c, SDB_SEVERITY_FATAL);
    conn_flush(c);
    sdb_error_clear();
    return false;
}

void sdb_conn_fatal(SdbConn *c)
{
    fatal(c);
    c->broken = true;
}

/* A reported setting changed (sink->parameter_status). */
static void send_parameter_status(SdbConn *c, const char *name, const char *value)
{
    if (sdb_wire_encode_parameter_status(&c->out, &(SdbWireParameterStatus){name, value}) != SDB_OK)
        sdb_error_clear();
}

static void reload_parameter_status(void *arg, const char *name, const char *value)
{
    send_parameter_status(arg, name, value);
}

/* ReadyForQuery, after a ParameterStatus for each reported setting a
 * configuration reload changed meanwhile. */
static int send_ready(SdbConn *c)
{
    SdbResultSink reload = {.arg = c, .parameter_status = reload_parameter_status};
    if (sdb_session_pick_up_reload(c->session, &reload) != SDB_OK)
        return SDB_ERROR;
    char status = sdb_session_status(c->session);
    return sdb_wire_encode_ready_for_query(&c->out, &(SdbWireReadyForQuery){status});
}

/* A RowDescription of `cols`; result formats as Bind gave them. */
static int send_row_description(SdbConn *c, int ncols, const SdbPlanColumn *cols, int nformats,
                                const int16_t *formats)
{
    SdbWireFieldDescription *fields = sdb_arena_calloc(c->msg_arena, (size_t)ncols + 1, sizeof *fields);
    if (fields == NULL)
        return SDB_ERROR;
    for (int i = 0; i < ncols; i++) {
        int32_t typmod = cols[i].typmod;
        SdbOid oid = sdb_type_base(cols[i].type, &typmod); /* a domain shows as its base type */
        const SdbTypeInfo *type = sdb_type_by_oid(oid);
        fields[i] = (SdbWireFieldDescription){
            .name = cols[i].name ? cols[i].name : "?column?",
            .type_oid = (int32_t)oid,
            .type_len = type ? type->len : -1,
            .typmod = typmod,
            .format = nformats == 0 ? 0 : formats[nformats == 1 ? 0 : i],
        };
    }
    return sdb_wire_encode_row_description(&c->out, &(SdbWireRowDescription){ncols, fields});
}

/* --- results ------------------------------------------------------------------ */

/* Where a statement's results go. */
typedef struct Output {
    SdbConn *c;
    int nformats;          /* result formats: 0 (all text), 1 (all alike) or one per column */
    const int16_t *formats;
    bool describe;         /* send a RowDescription (simple query) */
    bool defer_complete;   /* Execute: keep the tag until we know whether the portal suspended */
    bool copy_out;         /* a COPY TO STDOUT is sending: CopyDone before its tag */
    int completed;
    char tag[64];
} Output;

static int out_describe(void *arg, int ncols, const SdbPlanColumn *cols)
{
    Output *o = arg;
    return o->describe ? send_row_description(o->c, ncols, cols, 0, NULL) : SDB_OK;
}

static int out_rows(void *arg, const SdbBatch *b)
{
    Output *o = arg;
    SdbConn *c = o->c;
    sdb_arena_reset(c->row_arena);
    int ncols = b->ncols;
    SdbWireBytes *values = sdb_arena_calloc(c->row_arena, (size_t)ncols + 1, sizeof *values);
    size_t *starts = sdb_arena_calloc(c->row_arena, (size_t)ncols + 1, sizeof *starts);
    if (values == NULL || starts == NULL)
        return SDB_ERROR;
    SdbStr text; /* allocated last, so it grows in place */
    sdb_str_init(&text, c->row_arena);
    int live = sdb_batch_live(b);
    for (int i = 0; i < live; i++) {
        int row = sdb_batch_row(b, i);
        sdb_str_reset(&text);
        for (int col = 0; col < ncols; col++) {
            const SdbVector *v = &b->cols[col];
            if (sdb_vector_is_null(v, row)) {
                values[col].len = -1;
                continue;
            }
            bool binary = o->nformats > 0 && o->formats[o->nformats == 1 ? 0 : col] == 1;
            starts[col] = text.len;
            int rc = binary ? sdb_session_output_binary(c->session, v->type, v->values[row], &text)
                            : sdb_session_output_text(c->session, v->type, v->values[row], &text);
            if (rc != SDB_OK)
                return SDB_ERROR;
            values[col].len = (int32_t)(text.len - starts[col]);
        }
        for (int col = 0; col < ncols; col++)
            values[col].data = values[col].len < 0 ? NULL : text.data + starts[col];
        if (sdb_wire_encode_data_row(&c->out, &(SdbWireDataRow){ncols, values}) != SDB_OK)
            return SDB_ERROR;
        if (c->out.len >= SDB_CONN_FLUSH_AT && conn_flush(c) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

static int out_complete(void *arg, const char *tag)
{
    Output *o = arg;
    o->completed++;
    if (o->copy_out) {
        o->copy_out = false;
        if (sdb_wire_encode_copy_done(&o->c->out) != SDB_OK)
            return SDB_ERROR;
    }
    if (o->defer_complete) {
        snprintf(o->tag, sizeof o->tag, "%s", tag);
        return SDB_OK;
    }
    return sdb_wire_encode_command_complete(&o->c->out, &(SdbWireCommandComplete){tag});
}

static void out_notice(void *arg, const char *sqlstate, const char *message)
{
    Output *o = arg;
    const char *severity = strcmp(sqlstate, "00000") == 0 ? "NOTICE" : "WARNING";
    SdbWireNoticeField fields[4] = {{'S', severity}, {'V', severity}, {'C', sqlstate}, {'M', message}};
    if (sdb_wire_encode_notice_response(&o->c->out, &(SdbWireNoticeResponse){4, fields}) != SDB_OK)
        sdb_error_clear(); /* a lost notice is not the statement's failure */
}

static void out_parameter_status(void *arg, const char *name, const char *value)
{
    Output *o = arg;
    send_parameter_status(o->c, name, value);
}

static int out_copy_begin(void *arg, bool is_from, bool binary, int ncols)
{
    Output *o = arg;
    o->copy_out = !is_from;
    return sdb_copy_wire_begin(o->c, is_from, binary, ncols);
}

static int out_copy_in(void *arg, int ncols, SdbStr *data, bool *done)
{
    (void)ncols;
    return sdb_copy_wire_in(((Output *)arg)->c, data, done);
}

static int out_copy_out(void *arg, int ncols, const char *data, size_t len)
{
    (void)ncols;
    return sdb_copy_wire_out(((Output *)arg)->c, data, len);
}

static SdbResultSink make_sink(Output *o)
{
    return (SdbResultSink){
        .arg = o,
        .describe = out_describe,
        .rows = out_rows,
        .complete = out_complete,
        .notice = out_notice,
        .parameter_status = out_parameter_status,
        .copy_begin = out_copy_begin,
        .copy_in = out_copy_in,
        .copy_out = out_copy_out,
    };
}

/* --- statements and portals ----------------------------------------------------- */

static void unlink_statement(SdbConn *c, Statement *target);
static char *copy_name(const char *name);

/* The statement `name` as the session has it: Parse and SQL PREPARE share
 * one namespace (SQL DEALLOCATE drops either). */
static Statement *find_statement(SdbConn *c, const char *name)
{
    SdbPrepared *live = sdb_session_find_prepared(c->session, name);
    for (Statement *s = c->statements; s; s = s->next) {
        if (strcmp(s->name, name) != 0)
            continue;
        if (live == s->prepared)
            return s;
        unlink_statement(c, s);
        break;
    }
    if (live == NULL)
        return NULL;
    Statement *s = sdb_malloc(sizeof *s);
    char *copy = copy_name(name);
    if (s == NULL || copy == NULL) {
        sdb_free(s);
        sdb_free(copy);
        return NULL;
    }
    *s = (Statement){c->statements, copy, live};
    c->statements = s;
    return s;
}

static void unlink_portal(SdbConn *c, Portal *target);

/* The portal `name`, unless DEALLOCATE of its statement closed it. */
static Portal *find_portal(SdbConn *c, const char *name)
{
    for (Portal *p = c->portals; p; p = p->next) {
        if (strcmp(p->name, name) != 0)
            continue;
        if (sdb_session_find_portal(c->session, name) == p->portal)
            return p;
        unlink_portal(c, p);
        return NULL;
    }
    return NULL;
}

static void unlink_statement(SdbConn *c, Statement *target)
{
    for (Statement **s = &c->statements; *s; s = &(*s)->next) {
        if (*s == target) {
            *s = target->next;
            sdb_free(target->name);
            sdb_free(target);
            return;
        }
    }
}

static void unlink_portal(SdbConn *c, Portal *target)
{
    for (Portal **p = &c->portals; *p; p = &(*p)->next) {
        if (*p == target) {
            *p = target->next;
            sdb_free(target->name);
            sdb_free(target->formats);
            sdb_free(target);
            return;
        }
    }
}

static char *copy_name(const char *name)
{
    size_t len = strlen(name) + 1;
    char *copy = sdb_malloc(len);
    if (copy)
        memcpy(copy, name, len);
    return copy;
}

/* Portals end with their transaction: forget them once the session is idle. */
static void drop_portals_if_idle(SdbConn *c)
{
    if (c->session == NULL || sdb_session_status(c->session) != 'I')
        return;
    while (c->portals) {
        if (sdb_session_close_portal(c->session, c->portals->name) != SDB_OK)
            sdb_error_clear(); /* the session already dropped it at transaction end */
        unlink_portal(c, c->portals);
    }
}

/* --- startup -------------------------------------------------------------------- */

static bool is_utf8_encoding_name(const char *name)
{
    return sdb_strcasecmp_ascii(name, "UTF8") == 0 || sdb_strcasecmp_ascii(name, "UTF-8") == 0 ||
           sdb_strcasecmp_ascii(name, "UNICODE") == 0;
}

/* A setting given by the client: from a startup parameter or -c in options. */
typedef struct ClientSetting {
    const char *name;
    const char *value;
} ClientSetting;

#define MAX_CLIENT_SETTINGS 64

/* Split PostgreSQL's "options" startup parameter ("-c name=value --name=value",
 * backslash escapes a character) into settings.  Strings are in msg_arena. */
static int split_options(SdbConn *c, const char *options, ClientSetting *out, int *n)
{
    const char *p = options;
    bool expect_c_value = false;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        char *word = sdb_arena_alloc(c->msg_arena, strlen(p) + 1);
        if (word == NULL)
            return SDB_ERROR;
        size_t len = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            if (*p == '\\' && p[1])
                p++;
            word[len++] = *p++;
        }
        word[len] = '\0';
        const char *assignment;
        if (expect_c_value)
            assignment = word;
        else if (strcmp(word, "-c") == 0) {
            expect_c_value = true;
            continue;
        } else if (strncmp(word, "-c", 2) == 0)
            assignment = word + 2;
        else if (strncmp(word, "--", 2) == 0)
            assignment = word + 2;
        else
            assignment = NULL;
        expect_c_value = false;
        char *eq = assignment ? strchr(assignment, '=') : NULL;
        if (eq == NULL) {
            sdb_error(SDB_ERR_SYNTAX_ERROR, "invalid command-line argument for server process: %s", word);
            sdb_error_hint("Try \"postgres --help\" for more information.");
            return SDB_ERROR;
        }
        if (*n == MAX_CLIENT_SETTINGS)
            return sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many settings in the startup packet");
        *eq = '\0';
        for (char *q = (char *)assignment; *q; q++)
            if (*q == '-')
                *q = '_';
        out[(*n)++] = (ClientSetting){assignment, eq + 1};
    }
    if (expect_c_value) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "invalid command-line argument for server process: %s", "-c");
        sdb_error_hint("Try \"postgres --help\" for more information.");
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* "SET name TO 'value'" with both quoted, in msg_arena. */
static const char *set_statement(SdbConn *c, const ClientSetting *s)
{
    SdbStr sql;
    sdb_str_init(&sql, c->msg_arena);
    int rc = sdb_str_append_cstr(&sql, "SET \"");
    for (const char *p = s->name; rc == SDB_OK && *p; p++)
        rc = *p == '"' ? sdb_str_append_cstr(&sql, "\"\"") : sdb_str_append_char(&sql, *p);
    if (rc == SDB_OK)
        rc = sdb_str_append_cstr(&sql, "\" TO '");
    for (const char *p = s->value; rc == SDB_OK && *p; p++)
        rc = *p == '\'' ? sdb_str_append_cstr(&sql, "''") : sdb_str_append_char(&sql, *p);
    if (rc == SDB_OK)
        rc = sdb_str_append_char(&sql, '\'');
    return rc == SDB_OK ? sql.data : NULL;
}

/* The value to report for a setting at startup. */
static const char *reported_value(SdbConn *c, const SdbSettings *local, int id, const char *client_encoding,
                                  char *buf, size_t size)
{
    if (id == SDB_SETTING_ID_CLIENT_ENCODING)
        return client_encoding;
    if (id == SDB_SETTING_ID_SESSION_AUTHORIZATION)
        return c->user;
    if (id == SDB_SETTING_ID_IS_SUPERUSER)
        return c->session && sdb_session_show(c->session, "is_superuser", buf, size) == SDB_OK ? buf : "off";
    sdb_settings_show(local, id, buf, size);
    return buf;
}

/* Validate the client's settings on a copy of the server's, open the
 * session, apply them to it, and greet the client. */
static int open_session(SdbConn *c, const char *database, const ClientSetting *settings, int nsettings)
{
    SdbSettings local;
    if (sdb_server_copy_settings(c->server, &local) != SDB_OK)
        return SDB_ERROR;
    const char *client_encoding = "UTF8";
    int rc = SDB_OK;
    for (int i = 0; rc == SDB_OK && i < nsettings; i++) {
        if (sdb_strcasecmp_ascii(settings[i].name, "client_encoding") != 0)
            rc = sdb_settings_set(&local, settings[i].name, settings[i].value, SDB_SOURCE_SESSION);
        else if (is_utf8_encoding_name(settings[i].value))
            client_encoding = "UTF8";
        else if (sdb_strcasecmp_ascii(settings[i].value, "SQL_ASCII") == 0)
            client_encoding = "SQL_ASCII"; /* bytes pass unchanged; the server checks them as UTF-8 */
        else
            rc = sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"",
                           "client_encoding", settings[i].value);
    }
    SdbSession *session = NULL;
    if (rc == SDB_OK) {
        session = sdb_session_open(sdb_server_instance(c->server), c->user, database);
        rc = session ? SDB_OK : SDB_ERROR;
    }
    if (rc == SDB_OK) {
        sdb_server_set_session(c->server, c, session);
        sdb_session_set_backend_pid(session, (int32_t)c->pid);
        SdbResultSink quiet = {0};
        for (int i = 0; rc == SDB_OK && i < nsettings; i++) {
            if (sdb_strcasecmp_ascii(settings[i].name, "client_encoding") == 0)
                continue;
            const char *sql = set_statement(c, &settings[i]);
            rc = sql ? sdb_session_execute(session, sql, &quiet) : SDB_ERROR;
        }
    }
    if (rc == SDB_OK)
        rc = sdb_wire_encode_authentication_ok(&c->out);
    for (int id = 0; rc == SDB_OK && id < SDB_SETTING_COUNT; id++) {
        if (!sdb_setting_defs[id].report)
            continue;
        char buf[256];
        const char *value = reported_value(c, &local, id, client_encoding, buf, sizeof buf);
        rc = sdb_wire_encode_parameter_status(&c->out, &(SdbWireParameterStatus){sdb_setting_defs[id].name, value});
    }
    if (rc == SDB_OK)
        rc = sdb_wire_encode_backend_key_data(&c->out, &(SdbWireBackendKeyData){c->pid, c->secret});
    sdb_settings_free(&local);
    if (rc == SDB_OK) {
        c->phase = PHASE_READY;
        rc = send_ready(c);
    }
    return rc;
}

/* Sort the startup parameters into user, database and settings; once
 * authenticated (at once, or after auth.c's exchange replays the packet
 * `f`), open the session. */
static bool start_session(SdbConn *c, const SdbWireStartupMessage *m, int minor, const SdbWireFrame *f)
{
    const char *user = NULL, *database = NULL;
    ClientSetting settings[MAX_CLIENT_SETTINGS];
    int nsettings = 0;
    const char *unrecognized[MAX_CLIENT_SETTINGS];
    int nunrecognized = 0;
    for (int i = 0; i < m->nparameters; i++) {
        const char *name = m->parameters[i].name, *value = m->parameters[i].value;
        if (sdb_utf8_verify(name, strlen(name)) != SDB_OK || sdb_utf8_verify(value, strlen(value)) != SDB_OK)
            return fatal(c);
        if (strcmp(name, "user") == 0)
            user = value;
        else if (strcmp(name, "database") == 0)
            database = value;
        else if (strcmp(name, "options") == 0) {
            if (split_options(c, value, settings, &nsettings) != SDB_OK)
                return fatal(c);
        } else if (strcmp(name, "replication") == 0) {
            sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED, "replication");
            return fatal(c);
        } else if (strncmp(name, "_pq_.", 5) == 0) {
            if (nunrecognized < MAX_CLIENT_SETTINGS)
                unrecognized[nunrecognized++] = name;
        } else if (nsettings < MAX_CLIENT_SETTINGS) {
            settings[nsettings++] = (ClientSetting){name, value};
        } else {
            sdb_error(SDB_ERR_PROGRAM_LIMIT_EXCEEDED, "too many settings in the startup packet");
            return fatal(c);
        }
    }
    if (user == NULL || user[0] == '\0') {
        sdb_error(SDB_ERR_INVALID_AUTHORIZATION_SPECIFICATION, "no PostgreSQL user name specified in startup packet");
        return fatal(c);
    }
    if (database == NULL || database[0] == '\0')
        database = user;
    if (!c->authenticated) {
        c->user = copy_name(user);
        if (c->user == NULL)
            return fatal(c);
        if (minor > 0 || nunrecognized > 0) {
            SdbWireNegotiateProtocolVersion npv = {0, nunrecognized, unrecognized};
            if (sdb_wire_encode_negotiate_protocol_version(&c->out, &npv) != SDB_OK)
                return fatal(c);
        }
        SdbAuthStep step = sdb_auth_start(c, database, f->body, f->len);
        if (step == SDB_AUTH_FAILED)
            return fatal(c);
        if (step == SDB_AUTH_CONTINUE) {
            c->phase = PHASE_AUTH;
            return conn_flush(c) == SDB_OK;
        }
    }
    if (!sdb_server_admit(c->server)) {
        sdb_error(SDB_ERR_TOO_MANY_CONNECTIONS, SDB_ERRMSG_TOO_MANY_CONNECTIONS);
        return fatal(c);
    }
    c->counted = true;
    if (open_session(c, database, settings, nsettings) != SDB_OK)
        return fatal(c);
    sdb_auth_free(c);
    return true;
}

/* A message during authentication: the client's answer to auth.c; once
 * done, the kept startup packet opens the session. */
static bool auth_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbAuthStep step = sdb_auth_continue(c, f);
    if (step == SDB_AUTH_FAILED)
        return fatal(c);
    if (step == SDB_AUTH_CONTINUE)
        return conn_flush(c) == SDB_OK;
    const char *body;
    size_t len;
    sdb_auth_startup(c, &body, &len);
    SdbWireStartupMessage m;
    if (sdb_wire_decode_startup_message(body, len, c->msg_arena, &m) != SDB_OK)
        return fatal(c);
    return start_session(c, &m, 0, NULL);
}

/* SSLRequest: 'S' and the TLS handshake when ssl is on, else 'N'.  Bytes
 * sent after the request but before the handshake would be unencrypted data
 * a man in the middle could have injected (CVE-2021-23214): refused. */
static bool ssl_request(SdbConn *c, const SdbWireFrame *f)
{
    SSL_CTX *tls = sdb_server_tls(c->server);
    if (sdb_wire_decode_ssl_request(f->body, f->len) != SDB_OK ||
        sdb_str_append_char(&c->out, tls ? 'S' : 'N') != SDB_OK)
        return fatal(c);
    if (conn_flush(c) != SDB_OK)
        return false;
    if (tls == NULL)
        return true;
    if (f->body + f->len != c->in + c->in_len) {
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "received unencrypted data after SSL request");
        sdb_error_detail("This could be either a client-software bug or evidence of an attempted man-in-the-middle "
                         "attack.");
        return fatal(c);
    }
    if (sdb_tls_accept(c, tls, sdb_server_settings(c->server)->authentication_timeout * 1000) != SDB_OK) {
        sdb_log_error("wire");
        sdb_error_clear();
        return false;
    }
    return true;
}

/* An untyped packet: SSLRequest, GSSENCRequest, CancelRequest or StartupMessage. */
static bool handle_startup(SdbConn *c, const SdbWireFrame *f)
{
    int32_t code = sdb_wire_startup_code(f);
    if (code == SDB_WIRE_SSL_REQUEST_CODE && c->ssl == NULL)
        return ssl_request(c, f);
    if (code == SDB_WIRE_GSSENC_REQUEST_CODE) {
        if (sdb_wire_decode_gssenc_request(f->body, f->len) != SDB_OK || sdb_str_append_char(&c->out, 'N') != SDB_OK)
            return fatal(c);
        return conn_flush(c) == SDB_OK;
    }
    if (code == SDB_WIRE_CANCEL_REQUEST_CODE) {
        SdbWireCancelRequest cancel;
        if (sdb_wire_decode_cancel_request(f->body, f->len, c->msg_arena, &cancel) == SDB_OK)
            sdb_server_cancel(c->server, cancel.process_id, cancel.secret_key);
        sdb_error_clear();
        return false; /* a cancel connection gets no answer */
    }
    unsigned major = (uint32_t)code >> 16, minor = (uint32_t)code & 0xffff;
    if (major != 3) {
        sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "unsupported frontend protocol %u.%u: server supports %u.0 to %u.%u",
                  major, minor, 3u, 3u, 0u);
        return fatal(c);
    }
    SdbWireStartupMessage m;
    if (sdb_wire_decode_startup_message(f->body, f->len, c->msg_arena, &m) != SDB_OK)
        return fatal(c);
    return start_session(c, &m, (int)minor, f);
}

/* --- simple query --------------------------------------------------------------- */

static int check_text(const char *s)
{
    return sdb_utf8_verify(s, strlen(s));
}

static int simple_query(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireQuery q;
    if (sdb_wire_decode_query(f->body, f->len, c->msg_arena, &q) != SDB_OK || check_text(q.query) != SDB_OK)
        return SDB_ERROR;
    Output o = {.c = c, .describe = true};
    SdbResultSink sink = make_sink(&o);
    if (sdb_session_execute(c->session, q.query, &sink) != SDB_OK)
        return SDB_ERROR;
    return o.completed == 0 ? sdb_wire_encode_empty_query_response(&c->out) : SDB_OK;
}

/* --- extended query ------------------------------------------------------------- */

static int no_statement(const char *name)
{
    if (name[0] == '\0')
        return sdb_error(SDB_ERR_INVALID_SQL_STATEMENT_NAME, "unnamed prepared statement does not exist");
    return sdb_error(SDB_ERR_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", name);
}

static int no_portal(const char *name)
{
    if (name[0] == '\0')
        return sdb_error(SDB_ERR_INVALID_CURSOR_NAME, "unnamed portal does not exist");
    return sdb_error(SDB_ERR_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
}

static int parse_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireParse m;
    if (sdb_wire_decode_parse(f->body, f->len, c->msg_arena, &m) != SDB_OK || check_text(m.statement) != SDB_OK ||
        check_text(m.query) != SDB_OK)
        return SDB_ERROR;
    Statement *old = find_statement(c, m.statement);
    if (old && m.statement[0] != '\0')
        return sdb_error(SDB_ERR_DUPLICATE_PREPARED_STATEMENT, "prepared statement \"%s\" already exists",
                         m.statement);
    SdbOid *types = sdb_arena_calloc(c->msg_arena, (size_t)m.nparam_types + 1, sizeof *types);
    if (types == NULL)
        return SDB_ERROR;
    for (int i = 0; i < m.nparam_types; i++)
        types[i] = (SdbOid)(uint32_t)m.param_types[i];
    SdbPrepared *prepared;
    if (sdb_session_prepare(c->session, m.statement, m.query, m.nparam_types, types, &prepared) != SDB_OK)
        return SDB_ERROR;
    if (old)
        unlink_statement(c, old);
    Statement *s = sdb_malloc(sizeof *s);
    char *name = copy_name(m.statement);
    if (s == NULL || name == NULL) {
        sdb_free(s);
        sdb_free(name);
        return SDB_ERROR;
    }
    *s = (Statement){c->statements, name, prepared};
    c->statements = s;
    return sdb_wire_encode_parse_complete(&c->out);
}

static int check_format(int16_t format)
{
    if (format != 0 && format != 1)
        return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "unsupported format code: %d", format);
    return SDB_OK;
}

/* The parameter values of a Bind as sdb_session_bind takes them: text
 * values NUL-terminated and checked as UTF-8. */
static int bind_values(SdbConn *c, const SdbWireBind *m, const char ***values, int **lengths, int16_t **formats)
{
    int n = m->nvalues;
    *values = sdb_arena_calloc(c->msg_arena, (size_t)n + 1, sizeof **values);
    *lengths = sdb_arena_calloc(c->msg_arena, (size_t)n + 1, sizeof **lengths);
    *formats = sdb_arena_calloc(c->msg_arena, (size_t)n + 1, sizeof **formats);
    if (*values == NULL || *lengths == NULL || *formats == NULL)
        return SDB_ERROR;
    for (int i = 0; i < n; i++) {
        int16_t format = m->nparam_formats == 0 ? 0 : m->param_formats[m->nparam_formats == 1 ? 0 : i];
        if (check_format(format) != SDB_OK)
            return SDB_ERROR;
        (*formats)[i] = format;
        (*lengths)[i] = m->values[i].len;
        if (m->values[i].len < 0)
            continue;
        if (format == 1) {
            (*values)[i] = m->values[i].data;
            continue;
        }
        if (sdb_utf8_verify(m->values[i].data, (size_t)m->values[i].len) != SDB_OK)
            return SDB_ERROR;
        char *text = sdb_arena_strndup(c->msg_arena, m->values[i].data, (size_t)m->values[i].len);
        if (text == NULL)
            return SDB_ERROR;
        (*values)[i] = text;
    }
    return SDB_OK;
}

static int bind_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireBind m;
    if (sdb_wire_decode_bind(f->body, f->len, c->msg_arena, &m) != SDB_OK || check_text(m.portal) != SDB_OK ||
        check_text(m.statement) != SDB_OK)
        return SDB_ERROR;
    Statement *s = find_statement(c, m.statement);
    if (s == NULL)
        return no_statement(m.statement);
    if (m.nparam_formats > 1 && m.nparam_formats != m.nvalues)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "bind message has %d parameter formats but %d parameters",
                         m.nparam_formats, m.nvalues);
    int nparams, ncols;
    const SdbOid *types;
    const SdbPlanColumn *cols;
    if (sdb_prepared_params(s->prepared, &nparams, &types) != SDB_OK ||
        sdb_prepared_columns(s->prepared, &ncols, &cols) != SDB_OK)
        return SDB_ERROR;
    if (m.nvalues != nparams)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION,
                         "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", m.nvalues,
                         m.statement, nparams);
    if (m.nresult_formats > 1 && m.nresult_formats != ncols)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "bind message has %d result formats but query has %d columns",
                         m.nresult_formats, ncols);
    for (int i = 0; i < m.nresult_formats; i++)
        if (check_format(m.result_formats[i]) != SDB_OK)
            return SDB_ERROR;
    const char **values;
    int *lengths;
    int16_t *formats;
    if (bind_values(c, &m, &values, &lengths, &formats) != SDB_OK)
        return SDB_ERROR;
    Portal *old = find_portal(c, m.portal);
    if (old && m.portal[0] != '\0')
        return sdb_error(SDB_ERR_DUPLICATE_CURSOR, "cursor \"%s\" already exists", m.portal);
    if (old) {
        if (sdb_session_close_portal(c->session, old->name) != SDB_OK)
            sdb_error_clear();
        unlink_portal(c, old);
    }
    Portal *p = sdb_malloc(sizeof *p);
    char *name = copy_name(m.portal);
    int16_t *result_formats = sdb_malloc(sizeof *result_formats * ((size_t)m.nresult_formats + 1));
    if (p == NULL || name == NULL || result_formats == NULL) {
        sdb_free(p);
        sdb_free(name);
        sdb_free(result_formats);
        return SDB_ERROR;
    }
    memcpy(result_formats, m.result_formats, sizeof *result_formats * (size_t)m.nresult_formats);
    *p = (Portal){c->portals, name, NULL, s->prepared, m.nresult_formats, result_formats};
    if (sdb_session_bind(c->session, m.portal, s->prepared, m.nvalues, values, lengths, formats, &p->portal) !=
        SDB_OK) {
        sdb_free(name);
        sdb_free(result_formats);
        sdb_free(p);
        return SDB_ERROR;
    }
    c->portals = p;
    return sdb_wire_encode_bind_complete(&c->out);
}

/* RowDescription, or NoData for a statement that returns no rows. */
static int describe_columns(SdbConn *c, SdbPrepared *prepared, int nformats, const int16_t *formats)
{
    int ncols;
    const SdbPlanColumn *cols;
    if (sdb_prepared_columns(prepared, &ncols, &cols) != SDB_OK)
        return SDB_ERROR;
    if (ncols == 0)
        return sdb_wire_encode_no_data(&c->out);
    return send_row_description(c, ncols, cols, nformats, formats);
}

static int describe_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireDescribe m;
    if (sdb_wire_decode_describe(f->body, f->len, c->msg_arena, &m) != SDB_OK)
        return SDB_ERROR;
    if (m.kind == 'S') {
        Statement *s = find_statement(c, m.name);
        if (s == NULL)
            return no_statement(m.name);
        int nparams;
        const SdbOid *types;
        if (sdb_prepared_params(s->prepared, &nparams, &types) != SDB_OK)
            return SDB_ERROR;
        int32_t *oids = sdb_arena_calloc(c->msg_arena, (size_t)nparams + 1, sizeof *oids);
        if (oids == NULL)
            return SDB_ERROR;
        for (int i = 0; i < nparams; i++)
            oids[i] = (int32_t)types[i];
        if (sdb_wire_encode_parameter_description(&c->out, &(SdbWireParameterDescription){nparams, oids}) != SDB_OK)
            return SDB_ERROR;
        return describe_columns(c, s->prepared, 0, NULL);
    }
    if (m.kind == 'P') {
        Portal *p = find_portal(c, m.name);
        if (p == NULL)
            return no_portal(m.name);
        return describe_columns(c, p->prepared, p->nformats, p->formats);
    }
    return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid DESCRIBE message subtype %d", m.kind);
}

static int execute_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireExecute m;
    if (sdb_wire_decode_execute(f->body, f->len, c->msg_arena, &m) != SDB_OK)
        return SDB_ERROR;
    Portal *p = find_portal(c, m.portal);
    if (p == NULL)
        return no_portal(m.portal);
    Output o = {.c = c, .nformats = p->nformats, .formats = p->formats, .defer_complete = true};
    SdbResultSink sink = make_sink(&o);
    bool suspended = false;
    if (sdb_portal_execute(p->portal, m.max_rows > 0 ? m.max_rows : 0, &sink, &suspended) != SDB_OK)
        return SDB_ERROR;
    if (suspended)
        return sdb_wire_encode_portal_suspended(&c->out);
    if (o.completed == 0)
        return sdb_wire_encode_empty_query_response(&c->out);
    return sdb_wire_encode_command_complete(&c->out, &(SdbWireCommandComplete){o.tag});
}

static int close_message(SdbConn *c, const SdbWireFrame *f)
{
    SdbWireClose m;
    if (sdb_wire_decode_close(f->body, f->len, c->msg_arena, &m) != SDB_OK)
        return SDB_ERROR;
    if (m.kind == 'S') {
        Statement *s = find_statement(c, m.name);
        if (s) {
            if (sdb_session_close_prepared(c->session, s->name) != SDB_OK)
                return SDB_ERROR;
            unlink_statement(c, s);
        }
    } else if (m.kind == 'P') {
        Portal *p = find_portal(c, m.name);
        if (p) {
            if (sdb_session_close_portal(c->session, p->name) != SDB_OK)
                return SDB_ERROR;
            unlink_portal(c, p);
        }
    } else {
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid CLOSE message subtype %d", m.kind);
    }
    return sdb_wire_encode_close_complete(&c->out);
}

/* Sync: the session commits the implicit transaction of the messages since
 * the last Sync (or has it rolled back after an error). */
static int sync_message(SdbConn *c, const SdbWireFrame *f)
{
    if (sdb_wire_decode_sync(f->body, f->len) != SDB_OK)
        return SDB_ERROR;
    Output o = {.c = c};
    SdbResultSink sink = make_sink(&o);
    return sdb_session_sync(c->session, &sink);
}

/* --- dispatch ------------------------------------------------------------------- */

static bool is_extended(char type)
{
    return type == 'P' || type == 'B' || type == 'D' || type == 'E' || type == 'C' || type == 'H';
}

/* Answer one typed message; false ends the connection. */
static bool handle_message(SdbConn *c, const SdbWireFrame *f)
{
    char type = f->type;
    if (c->phase == PHASE_AUTH)
        return auth_message(c, f);
    if (c->ignore_till_sync && type != SDB_WIRE_MSG_SYNC && type != SDB_WIRE_MSG_TERMINATE)
        return true;
    int rc;
    switch (type) {
    case SDB_WIRE_MSG_QUERY:
        rc = simple_query(c, f);
        break;
    case SDB_WIRE_MSG_PARSE:
        rc = parse_message(c, f);
        break;
    case SDB_WIRE_MSG_BIND:
        rc = bind_message(c, f);
        break;
    case SDB_WIRE_MSG_DESCRIBE:
        rc = describe_message(c, f);
        break;
    case SDB_WIRE_MSG_EXECUTE:
        rc = execute_message(c, f);
        break;
    case SDB_WIRE_MSG_CLOSE:
        rc = close_message(c, f);
        break;
    case SDB_WIRE_MSG_FLUSH:
        rc = sdb_wire_decode_flush(f->body, f->len) == SDB_OK ? conn_flush(c) : SDB_ERROR;
        break;
    case SDB_WIRE_MSG_SYNC:
        c->ignore_till_sync = false;
        if (sync_message(c, f) != SDB_OK)
            send_error(c, SDB_SEVERITY_ERROR);
        drop_portals_if_idle(c);
        return send_ready(c) == SDB_OK && conn_flush(c) == SDB_OK;
    case SDB_WIRE_MSG_TERMINATE:
        return false;
    case SDB_WIRE_MSG_FUNCTION_CALL:
        rc = sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, SDB_ERRMSG_FEATURE_NOT_SUPPORTED,
                       "the fast-path function call interface");
        break;
    case SDB_WIRE_MSG_COPY_DATA:
    case SDB_WIRE_MSG_COPY_DONE:
    case SDB_WIRE_MSG_COPY_FAIL:
        return true; /* left over from an abandoned COPY: ignored, as PostgreSQL does */
    default:
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid frontend message type %d", (unsigned char)type);
        return fatal(c);
    }
    if (rc != SDB_OK) {
        if (c->broken)
            return false;
        if (sdb_server_stopping(c->server)) { /* canceled by the shutdown: the client is told why */
            sdb_error_clear();
            sdb_error(SDB_ERR_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
            return fatal(c);
        }
        send_error(c, SDB_SEVERITY_ERROR);
        sdb_session_fail(c->session); /* the server's own errors fail the transaction too */
        if (is_extended(type))
            c->ignore_till_sync = true;
    }
    if (!is_extended(type)) {
        drop_portals_if_idle(c);
        if (send_ready(c) != SDB_OK || conn_flush(c) != SDB_OK)
            return false;
    }
    return !c->broken;
}

/* Longest message accepted of each type: short ones are bounded tightly. */
static size_t message_limit(char type)
{
    switch (type) {
    case SDB_WIRE_MSG_QUERY:
    case SDB_WIRE_MSG_PARSE:
    case SDB_WIRE_MSG_BIND:
    case SDB_WIRE_MSG_FUNCTION_CALL:
    case SDB_WIRE_MSG_COPY_DATA:
        return SDB_WIRE_MAX_MESSAGE;
    default:
        return SMALL_MESSAGE;
    }
}

/* Answer every complete message in the input buffer; false ends the connection. */
static bool handle_buffered(SdbConn *c)
{
    size_t pos = 0;
    bool keep = true;
    c->need = 0;
    while (keep && pos < c->in_len) {
        bool typed = c->phase != PHASE_STARTUP;
        const char *start = c->in + pos;
        if (typed && sdb_wire_message_name(start[0], true) == NULL) {
            sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid frontend message type %d", (unsigned char)start[0]);
            keep = fatal(c);
            break;
        }
        SdbWireFrame f;
        size_t limit = typed ? message_limit(start[0]) : SDB_WIRE_MAX_STARTUP;
        int rc = sdb_wire_frame(start, c->in_len - pos, typed, limit, &f);
        if (rc == SDB_ERROR) {
            keep = fatal(c);
            break;
        }
        if (rc == 0) {
            c->need = f.size;
            break;
        }
        c->in_next = pos + f.size;
        keep = typed ? handle_message(c, &f) : handle_startup(c, &f);
        sdb_arena_reset(c->msg_arena);
        if (sdb_copy_wire_restore(c, &pos) != SDB_OK && keep)
            keep = fatal(c);
    }
    if (pos > 0) {
        memmove(c->in, c->in + pos, c->in_len - pos);
        c->in_len -= pos;
    }
    return keep && !c->broken;
}

/* Room to read into: the whole message being received, or at least 8 KiB.
 * A buffer grown for one large message shrinks again afterwards. */
static int make_room(SdbConn *c)
{
    size_t want = c->in_len + 8192;
    if (c->need > want)
        want = c->need;
    size_t cap = c->in_cap;
    if (cap > (1u << 20) && want <= (1u << 16))
        cap = 1u << 16;
    while (cap < want)
        cap = cap < want / 2 ? want : cap * 2;
    if (cap == c->in_cap)
        return SDB_OK;
    char *in = sdb_realloc(c->in, cap);
    if (in == NULL)
        return SDB_ERROR;
    c->in = in;
    c->in_cap = cap;
    return SDB_OK;
}

bool sdb_conn_process(SdbConn *c)
{
    for (;;) {
        if (!handle_buffered(c))
            return false;
        if (make_room(c) != SDB_OK)
            return fatal(c);
        ssize_t n = sdb_conn_recv(c, c->in + c->in_len, c->in_cap - c->in_len);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return conn_flush(c) == SDB_OK;
        if (n < 0)
            sdb_log(SDB_SEVERITY_LOG, "wire", "could not receive data from client %s: %s", c->host, strerror(errno));
        return false; /* the client went away */
    }
}

/* --- life cycle ----------------------------------------------------------------- */

static void peer_text(const struct sockaddr *peer, char *buf, size_t size)
{
    const void *addr = NULL;
    if (peer->sa_family == AF_INET)
        addr = &((const struct sockaddr_in *)peer)->sin_addr;
    else if (peer->sa_family == AF_INET6)
        addr = &((const struct sockaddr_in6 *)peer)->sin6_addr;
    if (addr == NULL || inet_ntop(peer->sa_family, addr, buf, (socklen_t)size) == NULL)
        snprintf(buf, size, "[local]");
}

SdbConn *sdb_conn_create(SdbServer *srv, int fd, const struct sockaddr *peer)
{
    uint32_t secret;
    if (getrandom(&secret, sizeof secret, 0) != sizeof secret) {
        sdb_error_errno(errno, "could not generate a cancel key");
        return NULL;
    }
    SdbConn *c = sdb_malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    *c = (SdbConn){.kind = POLL_CONN, .server = srv, .fd = fd, .phase = PHASE_STARTUP};
    memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                           : peer->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                        : sizeof(sa_family_t));
    peer_text(peer, c->host, sizeof c->host);
    c->secret = (int32_t)secret;
    c->out_arena = sdb_arena_create(NULL, "wire output", 0);
    c->msg_arena = sdb_arena_create(NULL, "wire message", 0);
    c->row_arena = sdb_arena_create(NULL, "wire row", 0);
    if (c->out_arena == NULL || c->msg_arena == NULL || c->row_arena == NULL) {
        sdb_arena_destroy(c->out_arena);
        sdb_arena_destroy(c->msg_arena);
        sdb_arena_destroy(c->row_arena);
        sdb_free(c);
        return NULL;
    }
    sdb_str_init(&c->out, c->out_arena);
    return c;
}

void sdb_conn_destroy(SdbConn *c, bool shutdown)
{
    if (shutdown && c->phase == PHASE_READY && !c->broken) {
        sdb_error(SDB_ERR_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
        fatal(c);
    }
    while (c->portals)
        unlink_portal(c, c->portals);
    while (c->statements)
        unlink_statement(c, c->statements);
    sdb_tls_close(c);
    sdb_auth_free(c);
    if (c->session)
        sdb_session_close(c->session);
    if (c->counted)
        sdb_server_release(c->server);
    close(c->fd);
    sdb_arena_destroy(c->out_arena);
    sdb_arena_destroy(c->msg_arena);
    sdb_arena_destroy(c->row_arena);
    sdb_free(c->in);
    sdb_free(c->copy_buf);
    sdb_free(c->user);
    sdb_free(c);
}
