/*
 * server/hba.c: pg_hba.conf: reading the rules (PostgreSQL's tokenizer:
 * whitespace-separated fields, comma lists, "quoted" names, # comments,
 * backslash continuation lines), checking them with PostgreSQL's messages,
 * and matching a connection against them.
 */
#include "server/hba.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/memory.h"
#include "common/str.h"

typedef struct Token {
    const char *text;
    bool quoted;
} Token;

/* One field: a comma list of tokens. */
typedef struct Field {
    Token *tokens;
    int n;
} Field;

typedef enum ConnType {
    CONN_LOCAL,
    CONN_HOST,
    CONN_HOSTSSL,
    CONN_HOSTNOSSL
} ConnType;

typedef struct Rule {
    int line;
    const char *text;    /* the line as written (continuations joined) */
    ConnType type;
    Field databases, users;
    bool any_address;
    int family;          /* AF_INET / AF_INET6 */
    uint8_t addr[16], mask[16];
    SdbHbaMethod method;
} Rule;

struct SdbHba {
    atomic_int refs;
    SdbArena *arena;
    Rule *rules;
    int nrules;
};

static const char *const method_names[] = {
    [SDB_HBA_TRUST] = "trust", [SDB_HBA_REJECT] = "reject", [SDB_HBA_PASSWORD] = "password",
    [SDB_HBA_MD5] = "md5",     [SDB_HBA_SCRAM] = "scram-sha-256",
};

const char *sdb_hba_method_name(SdbHbaMethod method)
{
    return method_names[method];
}

/* --- reading ------------------------------------------------------------------- */

typedef struct Parser {
    SdbArena *arena;
    const char *path;
    int line;
} Parser;

static int line_error(const Parser *p, const char *fmt, ...) SDB_PRINTF(2, 3);
static int line_error(const Parser *p, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "%s", message);
    sdb_error_context("line %d of configuration file \"%s\"", p->line, p->path);
    return SDB_ERROR;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read one token at *s (quotes kept out of the text); *s after it. */
static int read_token(Parser *p, const char **s, Token *out)
{
    SdbStr text;
    sdb_str_init(&text, p->arena);
    bool in_quote = false;
    out->quoted = false;
    const char *c = *s;
    for (; *c && (in_quote || (!is_space(*c) && *c != ',' && *c != '#')); c++) {
        if (*c == '"') {
            in_quote = !in_quote;
            out->quoted = true;
        } else if (sdb_str_append_char(&text, *c) != SDB_OK) {
            return SDB_ERROR;
        }
    }
    if (in_quote)
        return line_error(p, "unterminated quoted string in \"%s\"", *s);
    if (sdb_str_append_char(&text, '\0') != SDB_OK)
        return SDB_ERROR;
    out->text = text.data;
    *s = c;
    return SDB_OK;
}

/* Split a (continuation-joined) line into fields. */
static int split_fields(Parser *p, const char *s, Field **fields, int *nfields)
{
    int cap = 8;
    *nfields = 0;
    *fields = sdb_arena_alloc(p->arena, sizeof **fields * (size_t)cap);
    if (*fields == NULL)
        return SDB_ERROR;
    for (;;) {
        while (is_space(*s))
            s++;
        if (*s == '\0' || *s == '#')
            return SDB_OK;
        if (*nfields == cap)
            return line_error(p, "too many fields in \"%s\"", s);
        Field *f = &(*fields)[(*nfields)++];
        int tcap = 4;
        f->n = 0;
        f->tokens = sdb_arena_alloc(p->arena, sizeof *f->tokens * (size_t)tcap);
        for (;;) {
            if (f->tokens == NULL)
                return SDB_ERROR;
            if (f->n == tcap) {
                Token *grown = sdb_arena_alloc(p->arena, sizeof *grown * (size_t)tcap * 2);
                if (grown == NULL)
                    return SDB_ERROR;
                memcpy(grown, f->tokens, sizeof *grown * (size_t)tcap);
                f->tokens = grown;
                tcap *= 2;
            }
            if (read_token(p, &s, &f->tokens[f->n++]) != SDB_OK)
                return SDB_ERROR;
            if (*s != ',')
                break;
            s++; /* a list goes on after a comma, also past whitespace */
            while (is_space(*s))
                s++;
        }
    }
}

static bool is_keyword(const Token *t, const char *word)
{
    return !t->quoted && strcmp(t->text, word) == 0;
}

/* The value of a single-valued field (connection type, address, mask,
 * method), or NULL with the error recorded. */
static const Token *single(Parser *p, const Field *f, const char *what)
{
    if (f->n != 1) {
        line_error(p, "multiple values specified for %s", what);
        return NULL;
    }
    return &f->tokens[0];
}

static int parse_type(Parser *p, const Field *f, ConnType *type)
{
    static const char *const names[] = {"local", "host", "hostssl", "hostnossl"};
    const Token *t = single(p, f, "connection type");
    if (t == NULL)
        return SDB_ERROR;
    for (int i = 0; i < 4; i++)
        if (strcmp(t->text, names[i]) == 0) {
            *type = (ConnType)i;
            return SDB_OK;
        }
    if (strcmp(t->text, "hostgssenc") == 0 || strcmp(t->text, "hostnogssenc") == 0)
        return line_error(p, "hostgssenc record cannot match because GSSAPI is not supported by this build");
    return line_error(p, "invalid connection type \"%s\"", t->text);
}

/* An address "a.b.c.d" or "::1" into family/bytes. */
static bool parse_ip(const char *text, int *family, uint8_t bytes[16])
{
    memset(bytes, 0, 16);
    if (inet_pton(AF_INET, text, bytes) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, bytes) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

static void mask_from_bits(int bits, uint8_t mask[16])
{
    memset(mask, 0, 16);
    for (int i = 0; i < bits; i++)
        mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* ADDRESS [MASK]: *used is how many fields it took. */
static int parse_address(Parser *p, Rule *r, const Field *fields, int nfields, int *used)
{
    const Token *t = single(p, &fields[0], "host address");
    if (t == NULL)
        return SDB_ERROR;
    *used = 1;
    if (is_keyword(t, "all")) {
        r->any_address = true;
        return SDB_OK;
    }
    if (is_keyword(t, "samehost") || is_keyword(t, "samenet"))
        return line_error(p, "address keyword \"%s\" is not supported by specdb", t->text);
    char addr[128];
    snprintf(addr, sizeof addr, "%s", t->text);
    char *slash = strchr(addr, '/');
    if (slash)
        *slash = '\0';
    if (!parse_ip(addr, &r->family, r->addr)) {
        return line_error(p, "invalid IP address \"%s\": %s", addr, "Name or service not known");
    }
    int max_bits = r->family == AF_INET ? 32 : 128;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > max_bits)
            return line_error(p, "invalid CIDR mask in address \"%s\"", t->text);
        mask_from_bits((int)bits, r->mask);
    } else {
        if (nfields < 3) { /* the mask and a method must follow */
            line_error(p, "end-of-line before netmask specification");
            sdb_error_hint("Specify an address range in CIDR notation, or provide a separate netmask.");
            return SDB_ERROR;
        }
        int family;
        const Token *m = single(p, &fields[1], "netmask");
        if (m == NULL)
            return SDB_ERROR;
        if (!parse_ip(m->text, &family, r->mask)) {
            return line_error(p, "invalid IP mask \"%s\": %s", m->text, "Name or service not known");
        }
        if (family != r->family)
            return line_error(p, "IP address and mask do not match");
        *used = 2;
    }
    for (int i = 0; i < 16; i++)
        r->addr[i] &= r->mask[i];
    return SDB_OK;
}

static int parse_method(Parser *p, const Field *f, SdbHbaMethod *method)
{
    static const char *const unsupported[] = {"peer", "ident", "gss", "sspi", "pam", "bsd", "ldap", "radius", "cert"};
    const Token *t = single(p, f, "authentication type");
    if (t == NULL)
        return SDB_ERROR;
    for (int i = 0; i < (int)(sizeof method_names / sizeof method_names[0]); i++)
        if (strcmp(t->text, method_names[i]) == 0) {
            *method = (SdbHbaMethod)i;
            return SDB_OK;
        }
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (strcmp(t->text, unsupported[i]) == 0)
            return line_error(p, "invalid authentication method \"%s\": not supported by this build", t->text);
    return line_error(p, "invalid authentication method \"%s\"", t->text);
}

/* Options after the method: none is supported. */
static int check_options(Parser *p, const Field *fields, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < fields[i].n; k++) {
            const char *text = fields[i].tokens[k].text;
            const char *eq = strchr(text, '=');
            if (eq == NULL)
                return line_error(p, "authentication option not in name=value format: %s", text);
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(eq - text), text);
            return line_error(p, "unrecognized authentication option name: \"%s\"", name);
        }
    return SDB_OK;
}

static int check_names(Parser *p, const Field *f)
{
    for (int i = 0; i < f->n; i++)
        if (!f->tokens[i].quoted && f->tokens[i].text[0] == '@')
            return line_error(p, "could not open secondary authentication file \"%s\": included files are not "
                                 "supported by specdb", f->tokens[i].text);
    return SDB_OK;
}

static int parse_rule(Parser *p, const Field *fields, int nfields, Rule *r)
{
    memset(r, 0, sizeof *r);
    r->line = p->line;
    if (parse_type(p, &fields[0], &r->type) != SDB_OK)
        return SDB_ERROR;
    if (nfields < 2)
        return line_error(p, "end-of-line before database specification");
    r->databases = fields[1];
    if (nfields < 3)
        return line_error(p, "end-of-line before role specification");
    r->users = fields[2];
    if (check_names(p, &r->databases) != SDB_OK || check_names(p, &r->users) != SDB_OK)
        return SDB_ERROR;
    int next = 3;
    if (r->type == CONN_LOCAL) {
        r->any_address = true;
    } else {
        if (nfields < 4)
            return line_error(p, "end-of-line before IP address specification");
        int used;
        if (parse_address(p, r, fields + 3, nfields - 3, &used) != SDB_OK)
            return SDB_ERROR;
        next += used;
    }
    if (nfields <= next)
        return line_error(p, "end-of-line before authentication method");
    if (parse_method(p, &fields[next], &r->method) != SDB_OK)
        return SDB_ERROR;
    return check_options(p, fields + next + 1, nfields - next - 1);
}

int sdb_hba_parse(const char *path, const char *text, SdbHba **out)
{
    *out = NULL;
    SdbArena *arena = sdb_arena_create(NULL, "hba", 0);
    SdbHba *hba = arena ? sdb_arena_alloc(arena, sizeof *hba) : NULL;
    if (hba == NULL) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    memset(hba, 0, sizeof *hba);
    atomic_init(&hba->refs, 1);
    hba->arena = arena;
    Parser p = {.arena = arena, .path = path};
    int cap = 0;
    const char *s = text;
    int rc = SDB_OK;
    while (rc == SDB_OK && *s) {
        /* one logical line: physical lines joined at a trailing backslash */
        SdbStr line;
        sdb_str_init(&line, arena);
        p.line++;
        int first_line = p.line;
        for (;;) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            bool more = len > 0 && s[len - 1] == '\\';
            rc = sdb_str_append(&line, s, more ? len - 1 : len);
            s += nl ? len + 1 : len;
            if (rc != SDB_OK || !more || *s == '\0')
                break;
            p.line++;
        }
        if (rc == SDB_OK)
            rc = sdb_str_append_char(&line, '\0');
        Field *fields;
        int nfields;
        int last_line = p.line;
        p.line = first_line;
        if (rc == SDB_OK)
            rc = split_fields(&p, line.data, &fields, &nfields);
        if (rc == SDB_OK && nfields > 0) {
            if (hba->nrules == cap) {
                cap = cap ? cap * 2 : 16;
                Rule *grown = sdb_arena_alloc(arena, sizeof *grown * (size_t)cap);
                if (grown == NULL)
                    rc = SDB_ERROR;
                else if (hba->nrules)
                    memcpy(grown, hba->rules, sizeof *grown * (size_t)hba->nrules);
                hba->rules = grown;
            }
            if (rc == SDB_OK) {
                Rule *r = &hba->rules[hba->nrules++];
                rc = parse_rule(&p, fields, nfields, r);
                r->text = line.data;
            }
        }
        p.line = last_line;
    }
    if (rc == SDB_OK && hba->nrules == 0)
        rc = sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "configuration file \"%s\" contains no entries", path);
    if (rc != SDB_OK) {
        sdb_arena_destroy(arena);
        return SDB_ERROR;
    }
    *out = hba;
    return SDB_OK;
}

int sdb_hba_load(const char *path, SdbHba **out)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return sdb_error_errno(errno, "could not open configuration file \"%s\"", path);
    SdbArena *arena = sdb_arena_create(NULL, "hba file", 0);
    if (arena == NULL) {
        fclose(f);
        return SDB_ERROR;
    }
    SdbStr text;
    sdb_str_init(&text, arena);
    char buf[4096];
    size_t n;
    int rc = SDB_OK;
    while (rc == SDB_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = sdb_str_append(&text, buf, n);
    if (rc == SDB_OK && ferror(f))
        rc = sdb_error_errno(errno, "could not read file \"%s\"", path);
    fclose(f);
    if (rc == SDB_OK)
        rc = sdb_str_append_char(&text, '\0');
    if (rc == SDB_OK)
        rc = sdb_hba_parse(path, text.data, out);
    sdb_arena_destroy(arena);
    return rc;
}

void sdb_hba_retain(SdbHba *hba)
{
    atomic_fetch_add(&hba->refs, 1);
}

void sdb_hba_release(SdbHba *hba)
{
    if (hba && atomic_fetch_sub(&hba->refs, 1) == 1)
        sdb_arena_destroy(hba->arena);
}

/* --- matching --------------------------------------------------------------------- */

static bool member(const SdbHbaClient *c, const char *role, const char *group)
{
    if (strcmp(role, group) == 0)
        return true;
    return c->is_member && c->is_member(c->arg, role, group);
}

static bool database_matches(const Field *f, const SdbHbaClient *c)
{
    for (int i = 0; i < f->n; i++) {
        const Token *t = &f->tokens[i];
        if (is_keyword(t, "all"))
            return true;
        if (is_keyword(t, "sameuser")) {
            if (strcmp(c->database, c->user) == 0)
                return true;
        } else if (is_keyword(t, "samerole") || is_keyword(t, "samegroup")) {
            if (member(c, c->user, c->database))
                return true;
        } else if (is_keyword(t, "replication")) {
            continue; /* replication connections only: specdb has none */
        } else if (strcmp(t->text, c->database) == 0) {
            return true;
        }
    }
    return false;
}

static bool user_matches(const Field *f, const SdbHbaClient *c)
{
    for (int i = 0; i < f->n; i++) {
        const Token *t = &f->tokens[i];
        if (is_keyword(t, "all"))
            return true;
        if (!t->quoted && t->text[0] == '+') {
            if (member(c, c->user, t->text + 1))
                return true;
        } else if (strcmp(t->text, c->user) == 0) {
            return true;
        }
    }
    return false;
}

static bool address_matches(const Rule *r, const struct sockaddr *sa)
{
    if (r->any_address)
        return true;
    const uint8_t *bytes;
    int family = sa->sa_family;
    if (family == AF_INET) {
        bytes = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        bytes = a6->s6_addr;
        if (r->family == AF_INET && IN6_IS_ADDR_V4MAPPED(a6)) { /* an IPv4 rule matches ::ffff:a.b.c.d */
            bytes += 12;
            family = AF_INET;
        }
    } else {
        return false;
    }
    if (family != r->family)
        return false;
    int len = family == AF_INET ? 4 : 16;
    for (int i = 0; i < len; i++)
        if ((bytes[i] & r->mask[i]) != r->addr[i])
            return false;
    return true;
}

static bool type_matches(ConnType type, const SdbHbaClient *c)
{
    switch (type) {
    case CONN_LOCAL:
        return c->local;
    case CONN_HOST:
        return !c->local;
    case CONN_HOSTSSL:
        return !c->local && c->ssl;
    case CONN_HOSTNOSSL:
        return !c->local && !c->ssl;
    }
    return false;
}

bool sdb_hba_match(const SdbHba *hba, const SdbHbaClient *client, SdbHbaMatch *out)
{
    for (int i = 0; i < hba->nrules; i++) {
        const Rule *r = &hba->rules[i];
        if (type_matches(r->type, client) && (client->local || address_matches(r, client->addr)) &&
            database_matches(&r->databases, client) && user_matches(&r->users, client)) {
            *out = (SdbHbaMatch){r->method, r->line, r->text};
            return true;
        }
    }
    return false;
}

/* --- the default file ------------------------------------------------------------ */

static const char default_rules[] =
    "# specdb client authentication (PostgreSQL's pg_hba.conf format)\n"
    "#\n"
    "# TYPE  DATABASE        USER            ADDRESS                 METHOD\n"
    "#\n"
    "# TYPE: local (Unix-domain socket), host, hostssl, hostnossl\n"
    "# DATABASE: all, sameuser, samerole, a name, or a comma list of them\n"
    "# USER: all, a role name, +group, or a comma list of them\n"
    "# ADDRESS: all, a CIDR range (10.0.0.0/8, ::1/128) or an address and a mask\n"
    "# METHOD: trust, reject, password, md5, scram-sha-256\n"
    "# The first line matching a connection decides.  Reloaded on SIGHUP.\n"
    "\n"
    "local   all             all                                     trust\n"
    "host    all             all             127.0.0.1/32            trust\n"
    "host    all             all             ::1/128                 trust\n"
    "host    all             all             0.0.0.0/0               scram-sha-256\n"
    "host    all             all             ::/0                    scram-sha-256\n";

void sdb_hba_path(const SdbSettings *s, char *buf, size_t size)
{
    if (s->hba_file[0] == '/')
        snprintf(buf, size, "%s", s->hba_file);
    else
        snprintf(buf, size, "%s/%s", s->data_directory, s->hba_file);
}

int sdb_hba_write_default(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? SDB_OK : sdb_error_errno(errno, "could not create file \"%s\"", path);
    size_t len = sizeof default_rules - 1;
    bool ok = write(fd, default_rules, len) == (ssize_t)len && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok)
        return sdb_error_errno(saved, "could not write file \"%s\"", path);
    return SDB_OK;
}
