/*
 * server/auth.c: client authentication of one connection, PostgreSQL's way.
 *
 * The first pg_hba.conf rule matching the connection (server/hba.h) gives
 * the method: trust; reject (28000); password (AuthenticationCleartext-
 * Password); md5 (AuthenticationMD5Password when the role's password is
 * stored as md5, else SCRAM as PostgreSQL does); scram-sha-256
 * (AuthenticationSASL with SCRAM-SHA-256 only, server/scram.h).
 *
 * A role that does not exist, has no password or an expired one goes
 * through the same exchange as any other (a mock SCRAM secret derived from
 * the role name and the server's key; the same PBKDF2 work for cleartext
 * passwords) and fails with the same FATAL 28P01 "password authentication
 * failed for user": only the server log says why (DETAIL).  After
 * authentication, the role must exist (trust), have LOGIN (28000) and be
 * under its CONNECTION LIMIT (53300).
 */
#include "server/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "sdb_wire.h"
#include "server/hba.h"

typedef enum Step {
    STEP_CLEARTEXT, /* waiting for a PasswordMessage with the password */
    STEP_MD5,       /* waiting for a PasswordMessage with the md5 answer */
    STEP_SASL_INIT, /* waiting for SASLInitialResponse */
    STEP_SASL_FINAL /* waiting for the SCRAM client-final-message */
} Step;

struct SdbAuth {
    SdbArena *arena;
    SdbHbaMethod method;
    int line;                /* the pg_hba.conf line that matched */
    const char *line_text;
    const char *startup;     /* copy of the startup packet body */
    size_t startup_len;
    SdbRole role;
    bool found;
    const char *unusable;    /* why the role cannot log in by password (log DETAIL), or NULL */
    Step step;
    uint8_t salt[4];
    SdbScram scram;
};

/* --- failures --------------------------------------------------------------------- */

/* FATAL 28P01 to the client; the log also gets the reason. */
static SdbAuthStep password_failed(SdbConn *c, const char *reason)
{
    const char *user = c->user;
    sdb_error(SDB_ERR_INVALID_PASSWORD, "password authentication failed for user \"%s\"", user);
    sdb_error_detail("%s\nConnection matched pg_hba.conf line %d: \"%s\"", reason, c->auth->line,
                     c->auth->line_text);
    sdb_error_severity(SDB_SEVERITY_FATAL);
    sdb_log_error("auth");
    sdb_error(SDB_ERR_INVALID_PASSWORD, "password authentication failed for user \"%s\"", user);
    return SDB_AUTH_FAILED;
}

static const char *encryption(const SdbConn *c)
{
    return c->ssl ? "SSL encryption" : "no encryption";
}

/* --- after authentication --------------------------------------------------------- */

/* PostgreSQL's checks once the client proved who it is. */
static SdbAuthStep authorize(SdbConn *c)
{
    SdbAuth *a = c->auth;
    if (!a->found) {
        sdb_error(SDB_ERR_INVALID_AUTHORIZATION_SPECIFICATION, "role \"%s\" does not exist", c->user);
        return SDB_AUTH_FAILED;
    }
    if (!a->role.canlogin) {
        sdb_error(SDB_ERR_INVALID_AUTHORIZATION_SPECIFICATION, "role \"%s\" is not permitted to log in", c->user);
        return SDB_AUTH_FAILED;
    }
    if (a->role.connlimit >= 0 && !a->role.superuser &&
        sdb_server_role_sessions(c->server, c->user) >= a->role.connlimit) {
        sdb_error(SDB_ERR_TOO_MANY_CONNECTIONS, "too many connections for role \"%s\"", c->user);
        return SDB_AUTH_FAILED;
    }
    c->authenticated = true;
    return SDB_AUTH_DONE;
}

/* --- the password methods --------------------------------------------------------- */

/* The role's stored password if it can be used now, else NULL with the
 * reason in a->unusable. */
static const char *usable_password(SdbConn *c)
{
    SdbAuth *a = c->auth;
    const char *reason = NULL;
    if (!a->found)
        reason = "Role \"%s\" does not exist.";
    else if (a->role.password == NULL)
        reason = "User \"%s\" has no password assigned.";
    else if (a->role.has_valid_until && a->role.valid_until < sdb_clock_now())
        reason = "User \"%s\" has an expired password.";
    if (reason) {
        char text[256];
        snprintf(text, sizeof text, reason, c->user);
        a->unusable = sdb_arena_strdup(a->arena, text);
        return NULL;
    }
    return a->role.password;
}

static bool random_bytes(void *buf, size_t len)
{
    if (getrandom(buf, len, 0) == (ssize_t)len)
        return true;
    sdb_error(SDB_ERR_INTERNAL_ERROR, "could not generate random bytes");
    return false;
}

/* Ask for SCRAM-SHA-256: the role's secret, or a mock one. */
static SdbAuthStep start_scram(SdbConn *c, const char *stored)
{
    SdbAuth *a = c->auth;
    a->scram.arena = a->arena;
    if (stored && !sdb_scram_parse_secret(stored, &a->scram.secret)) {
        char text[256];
        snprintf(text, sizeof text, "User \"%s\" does not have a valid SCRAM secret.", c->user);
        a->unusable = sdb_arena_strdup(a->arena, text);
        stored = NULL;
    }
    if (stored == NULL) {
        a->scram.mock = true;
        sdb_scram_mock_secret(sdb_server_mock_key(c->server), c->user, &a->scram.secret);
    }
    a->step = STEP_SASL_INIT;
    const char *mechanisms[] = {"SCRAM-SHA-256"};
    if (sdb_wire_encode_authentication_sasl(&c->out, &(SdbWireAuthenticationSASL){1, mechanisms}) != SDB_OK)
        return SDB_AUTH_FAILED;
    return SDB_AUTH_CONTINUE;
}

static SdbAuthStep start_password(SdbConn *c)
{
    SdbAuth *a = c->auth;
    const char *stored = usable_password(c);
    if (a->method == SDB_HBA_PASSWORD) {
        a->step = STEP_CLEARTEXT;
        return sdb_wire_encode_authentication_cleartext_password(&c->out) == SDB_OK ? SDB_AUTH_CONTINUE : SDB_AUTH_FAILED;
    }
    /* md5 with an md5 password (or none, when new passwords are md5); SCRAM otherwise */
    bool md5_default = sdb_server_settings(c->server)->password_encryption == SDB_PASSWORD_ENCRYPTION_MD5;
    if (a->method == SDB_HBA_MD5 && (stored ? sdb_is_md5_password(stored) : md5_default)) {
        a->step = STEP_MD5;
        if (!random_bytes(a->salt, sizeof a->salt))
            return SDB_AUTH_FAILED;
        SdbWireAuthenticationMD5Password m;
        memcpy(m.salt, a->salt, sizeof m.salt);
        return sdb_wire_encode_authentication_md5_password(&c->out, &m) == SDB_OK ? SDB_AUTH_CONTINUE : SDB_AUTH_FAILED;
    }
    return start_scram(c, stored);
}

/* The same PBKDF2 work as a real check, for a role without a usable password. */
static void mock_password_check(SdbConn *c, const char *password)
{
    SdbScramSecret secret, given;
    sdb_scram_mock_secret(sdb_server_mock_key(c->server), c->user, &secret);
    if (sdb_scram_make_secret(password, secret.salt, secret.salt_len, secret.iterations, &given) != SDB_OK)
        sdb_error_clear();
}

static SdbAuthStep cleartext_answer(SdbConn *c, const SdbWireFrame *f)
{
    SdbAuth *a = c->auth;
    SdbWirePasswordMessage m;
    if (sdb_wire_decode_password_message(f->body, f->len, a->arena, &m) != SDB_OK)
        return SDB_AUTH_FAILED;
    const char *stored = a->unusable ? NULL : a->role.password;
    bool ok = false;
    if (stored == NULL)
        mock_password_check(c, m.password);
    else if (sdb_password_check(stored, c->user, m.password, &ok) != SDB_OK)
        return SDB_AUTH_FAILED;
    if (stored == NULL)
        return password_failed(c, a->unusable);
    if (!ok) {
        char reason[256];
        snprintf(reason, sizeof reason, "Password does not match for user \"%s\".", c->user);
        return password_failed(c, reason);
    }
    return authorize(c);
}

static SdbAuthStep md5_answer(SdbConn *c, const SdbWireFrame *f)
{
    SdbAuth *a = c->auth;
    SdbWirePasswordMessage m;
    if (sdb_wire_decode_password_message(f->body, f->len, a->arena, &m) != SDB_OK)
        return SDB_AUTH_FAILED;
    if (a->unusable)
        return password_failed(c, a->unusable);
    if (!sdb_md5_response_ok(a->role.password, a->salt, m.password)) {
        char reason[256];
        snprintf(reason, sizeof reason, "Password does not match for user \"%s\".", c->user);
        return password_failed(c, reason);
    }
    return authorize(c);
}

static SdbAuthStep sasl_initial(SdbConn *c, const SdbWireFrame *f)
{
    SdbAuth *a = c->auth;
    SdbWireSASLInitialResponse m;
    if (sdb_wire_decode_sasl_initial_response(f->body, f->len, a->arena, &m) != SDB_OK)
        return SDB_AUTH_FAILED;
    if (strcmp(m.mechanism, "SCRAM-SHA-256") != 0) {
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "client selected an invalid SASL authentication mechanism");
        return SDB_AUTH_FAILED;
    }
    SdbStr first;
    sdb_str_init(&first, a->arena);
    if (sdb_scram_first(&a->scram, m.data.data, m.data.len < 0 ? 0 : (size_t)m.data.len, NULL, &first) != SDB_OK)
        return SDB_AUTH_FAILED;
    a->step = STEP_SASL_FINAL;
    SdbWireAuthenticationSASLContinue out = {{first.data, (int32_t)first.len}};
    return sdb_wire_encode_authentication_sasl_continue(&c->out, &out) == SDB_OK ? SDB_AUTH_CONTINUE : SDB_AUTH_FAILED;
}

static SdbAuthStep sasl_final(SdbConn *c, const SdbWireFrame *f)
{
    SdbAuth *a = c->auth;
    SdbWireSASLResponse m;
    if (sdb_wire_decode_sasl_response(f->body, f->len, a->arena, &m) != SDB_OK)
        return SDB_AUTH_FAILED;
    SdbStr final;
    sdb_str_init(&final, a->arena);
    bool ok;
    if (sdb_scram_final(&a->scram, m.data.data, (size_t)m.data.len, &final, &ok) != SDB_OK)
        return SDB_AUTH_FAILED;
    if (!ok) {
        char reason[256];
        snprintf(reason, sizeof reason, "Password does not match for user \"%s\".", c->user);
        return password_failed(c, a->unusable ? a->unusable : reason);
    }
    SdbWireAuthenticationSASLFinal out = {{final.data, (int32_t)final.len}};
    if (sdb_wire_encode_authentication_sasl_final(&c->out, &out) != SDB_OK)
        return SDB_AUTH_FAILED;
    return authorize(c);
}

/* --- the connection's side ---------------------------------------------------------- */

static bool is_member(void *arg, const char *role, const char *group)
{
    bool member = false;
    if (sdb_instance_role_member(sdb_server_instance(arg), role, group, &member) != SDB_OK) {
        sdb_log_error("auth");
        sdb_error_clear();
    }
    return member;
}

/* The method of the first matching rule (its line kept for the log);
 * 28000 when none matches or it is `reject`. */
static int match_hba(SdbConn *c, const char *database)
{
    SdbAuth *a = c->auth;
    SdbHbaClient client = {.local = c->peer.ss_family == AF_UNIX, .ssl = c->ssl != NULL,
                           .addr = (const struct sockaddr *)&c->peer, .user = c->user, .database = database,
                           .is_member = is_member, .arg = c->server};
    SdbHba *hba = sdb_server_hba(c->server);
    SdbHbaMatch match;
    bool matched = sdb_hba_match(hba, &client, &match);
    if (matched) {
        a->method = match.method;
        a->line = match.line;
        a->line_text = sdb_arena_strdup(a->arena, match.text);
    }
    sdb_hba_release(hba);
    if (!matched)
        return sdb_error(SDB_ERR_INVALID_AUTHORIZATION_SPECIFICATION,
                         "no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s", c->host, c->user,
                         database, encryption(c));
    if (a->line_text == NULL)
        return SDB_ERROR;
    if (a->method == SDB_HBA_REJECT)
        return sdb_error(SDB_ERR_INVALID_AUTHORIZATION_SPECIFICATION,
                         "pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s", c->host,
                         c->user, database, encryption(c));
    return SDB_OK;
}

SdbAuthStep sdb_auth_start(SdbConn *c, const char *database, const char *startup, size_t len)
{
    SdbArena *arena = sdb_arena_create(NULL, "authentication", 0);
    SdbAuth *a = arena ? sdb_arena_alloc(arena, sizeof *a) : NULL;
    char *copy = a ? sdb_arena_alloc(arena, len) : NULL;
    if (copy == NULL) {
        sdb_arena_destroy(arena);
        return SDB_AUTH_FAILED;
    }
    memset(a, 0, sizeof *a);
    a->arena = arena;
    memcpy(copy, startup, len);
    a->startup = copy;
    a->startup_len = len;
    c->auth = a;
    if (match_hba(c, database) != SDB_OK ||
        sdb_instance_role(sdb_server_instance(c->server), c->user, arena, &a->role, &a->found) != SDB_OK)
        return SDB_AUTH_FAILED;
    if (a->method == SDB_HBA_TRUST)
        return authorize(c);
    return start_password(c);
}

SdbAuthStep sdb_auth_continue(SdbConn *c, const SdbWireFrame *f)
{
    if (f->type != SDB_WIRE_MSG_PASSWORD_MESSAGE) {
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "expected password response, got message type %d",
                  (unsigned char)f->type);
        return SDB_AUTH_FAILED;
    }
    switch (c->auth->step) {
    case STEP_CLEARTEXT:
        return cleartext_answer(c, f);
    case STEP_MD5:
        return md5_answer(c, f);
    case STEP_SASL_INIT:
        return sasl_initial(c, f);
    case STEP_SASL_FINAL:
        return sasl_final(c, f);
    }
    return SDB_AUTH_FAILED;
}

void sdb_auth_startup(const SdbConn *c, const char **body, size_t *len)
{
    *body = c->auth->startup;
    *len = c->auth->startup_len;
}

void sdb_auth_free(SdbConn *c)
{
    if (c->auth)
        sdb_arena_destroy(c->auth->arena);
    c->auth = NULL;
}

int sdb_auth_mock_key(const char *datadir, uint8_t key[SDB_SCRAM_KEY_LEN])
{
    char path[1024];
    snprintf(path, sizeof path, "%s/pg_mock_auth_key", datadir);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, key, SDB_SCRAM_KEY_LEN);
        close(fd);
        if (n == SDB_SCRAM_KEY_LEN)
            return SDB_OK;
        return sdb_error(SDB_ERR_DATA_CORRUPTED, "file \"%s\" is too short", path);
    }
    if (errno != ENOENT)
        return sdb_error_errno(errno, "could not open file \"%s\"", path);
    if (!random_bytes(key, SDB_SCRAM_KEY_LEN))
        return SDB_ERROR;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return sdb_error_errno(errno, "could not create file \"%s\"", path);
    bool ok = write(fd, key, SDB_SCRAM_KEY_LEN) == SDB_SCRAM_KEY_LEN && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    return ok ? SDB_OK : sdb_error_errno(saved, "could not write file \"%s\"", path);
}
