/*
 * types/catalog.c: two types that only system catalog columns use.
 *
 * pg_node_tree (pg_class.relpartbound, pg_attrdef.adbin ...): text that only
 * the server itself writes.  As in PostgreSQL 15 its input and receive
 * functions reject every value (0A000), its output and send are text's.
 *
 * aclitem (the elements of relacl, nspacl ...): one privilege grant,
 * `grantee=privs/grantor`, parsed and printed as PostgreSQL 15's
 * aclitemin/aclitemout do (acl.c).  There is no binary form, as in
 * PostgreSQL.  Stored as PostgreSQL's AclItem: a 12-byte varlena payload of
 * native-order uint32 grantee OID (0 = PUBLIC), grantor OID, and privilege
 * bits (low 16 bits: the privileges, bit i = letter i of ACL_RIGHTS; high 16
 * bits: their grant options).
 *
 * Role names are read and printed through ctx->reg (the session's
 * pg_authid lookups): input takes a role's name (42704 for no such role),
 * output prints the name, or the OID for a role that does not exist, as
 * PostgreSQL does.  Without ctx->reg (no catalog at hand) names are role
 * OIDs in both directions: input takes digits only as that OID and rejects
 * any other name with 0A000.  An omitted grantor defaults to the bootstrap
 * superuser (OID 10) as in PostgreSQL, but without its 0L000 WARNING (the
 * value layer has no channel for warnings).
 */
#include <string.h>

#include "types/typefuncs.h"

/* PostgreSQL 15's ACL_ALL_RIGHTS_STR: privilege i is letter i. */
static const char ACL_RIGHTS[] = "arwdDxtXUCTcsA";
#define ACL_RIGHTS_COUNT ((int)sizeof ACL_RIGHTS - 1)
#define ACL_GOPTION_SHIFT 16
#define ACL_ID_PUBLIC 0u
#define BOOTSTRAP_SUPERUSERID 10u
#define NAME_MAX_BYTES 63 /* NAMEDATALEN - 1 */

/* The stored AclItem. */
typedef struct AclItem {
    uint32_t grantee;
    uint32_t grantor;
    uint32_t privs;
} AclItem;

/* --- pg_node_tree ---------------------------------------------------------- */

/* 0A000: a value of ctx->typid can never come from a client. */
static int reject_client_value(const SdbTypeCtx *ctx)
{
    return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "cannot accept a value of type %s",
                     sdb_type_by_oid(ctx->typid)->name);
}

int sdb_pg_node_tree_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    (void)text;
    (void)out;
    return reject_client_value(ctx);
}

int sdb_pg_node_tree_recv(const SdbTypeCtx *ctx, SdbRecvBuf *buf, SdbDatum *out)
{
    (void)buf;
    (void)out;
    return reject_client_value(ctx);
}

/* --- aclitem: parsing ------------------------------------------------------ */

static bool ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ascii_alnum(char c)
{
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}

static const char *skip_spaces(const char *s)
{
    while (sdb_isspace((unsigned char)*s))
        s++;
    return s;
}

/* PostgreSQL's getid: skip blanks, read an identifier (letters, digits, _,
 * double-quoted parts with "" for a quote) into name[NAME_MAX_BYTES + 1],
 * skip blanks.  *end is where parsing goes on; 42622 when too long. */
static int read_id(const char *s, char *name, const char **end)
{
    size_t len = 0;
    bool in_quotes = false;
    for (s = skip_spaces(s); *s != '\0' && (ascii_alnum(*s) || *s == '_' || *s == '"' || in_quotes); s++) {
        if (*s == '"') {
            if (s[1] != '"') {
                in_quotes = !in_quotes;
                continue;
            }
            s++; /* "" is one quote */
        }
        if (len >= NAME_MAX_BYTES) {
            sdb_error(SDB_ERR_NAME_TOO_LONG, "identifier too long");
            sdb_error_detail("Identifier must be less than %d characters.", NAME_MAX_BYTES + 1);
            return SDB_ERROR;
        }
        name[len++] = *s;
    }
    name[len] = '\0';
    *end = skip_spaces(s);
    return SDB_OK;
}

/* The OID of role `name`: by the session's lookup, else digits only are
 * the OID itself (other names 0A000). */
static int role_oid(const SdbTypeCtx *ctx, const char *name, uint32_t *oid)
{
    if (ctx->reg != NULL) {
        SdbOid found;
        if (ctx->reg->input(ctx->reg->arg, SDB_TYPEOID_REGROLE, name, &found) != SDB_OK)
            return SDB_ERROR;
        *oid = found;
        return SDB_OK;
    }
    uint64_t v = 0;
    const char *p = name;
    for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (*p != '\0' || p == name || v > UINT32_MAX)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "aclitem input by role name is not supported");
    *oid = (uint32_t)v;
    return SDB_OK;
}

static int acl_syntax_error(const char *message)
{
    return sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "%s", message);
}

/* The grantee part up to "=": an optional "group"/"user" key word, then a
 * name (empty for PUBLIC). */
static int parse_grantee(const char *s, char *name, const char **end)
{
    if (read_id(s, name, &s) != SDB_OK)
        return SDB_ERROR;
    if (*s != '=') { /* we read a key word, not a name */
        if (strcmp(name, "group") != 0 && strcmp(name, "user") != 0) {
            sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "unrecognized key word: \"%s\"", name);
            sdb_error_hint("ACL key word must be \"group\" or \"user\".");
            return SDB_ERROR;
        }
        if (read_id(s, name, &s) != SDB_OK)
            return SDB_ERROR;
        if (name[0] == '\0') {
            acl_syntax_error("missing name");
            sdb_error_hint("A name must follow the \"group\" or \"user\" key word.");
            return SDB_ERROR;
        }
    }
    if (*s != '=')
        return acl_syntax_error("missing \"=\" sign");
    *end = s + 1;
    return SDB_OK;
}

/* The privilege letters after "=": each letter sets its bit, "*" makes the
 * last letter's privilege grantable, the obsolete 'R' (RULE) is ignored.
 * Stops at the first character that is neither a letter nor "*". */
static int parse_privileges(const char *s, uint32_t *privs, const char **end)
{
    uint32_t rights = 0, goptions = 0, last = 0;
    for (; ascii_alpha(*s) || *s == '*'; s++) {
        if (*s == '*') {
            goptions |= last;
            continue;
        }
        const char *letter = strchr(ACL_RIGHTS, *s); /* 'R' is not one */
        if (letter == NULL && *s != 'R') {
            sdb_error(SDB_ERR_INVALID_TEXT_REPRESENTATION, "invalid mode character: must be one of \"%s\"",
                      ACL_RIGHTS);
            return SDB_ERROR;
        }
        last = letter != NULL ? 1u << (letter - ACL_RIGHTS) : 0;
        rights |= last;
    }
    *privs = rights | goptions << ACL_GOPTION_SHIFT;
    *end = s;
    return SDB_OK;
}

/* PostgreSQL's aclparse: one item, returning where parsing stopped. */
static int parse_aclitem(const SdbTypeCtx *ctx, const char *s, AclItem *item, const char **end)
{
    char name[NAME_MAX_BYTES + 1];
    if (parse_grantee(s, name, &s) != SDB_OK || parse_privileges(s, &item->privs, &s) != SDB_OK)
        return SDB_ERROR;
    item->grantee = ACL_ID_PUBLIC;
    if (name[0] != '\0' && role_oid(ctx, name, &item->grantee) != SDB_OK)
        return SDB_ERROR;
    item->grantor = BOOTSTRAP_SUPERUSERID;
    if (*s == '/') {
        if (read_id(s + 1, name, &s) != SDB_OK)
            return SDB_ERROR;
        if (name[0] == '\0')
            return acl_syntax_error("a name must follow the \"/\" sign");
        if (role_oid(ctx, name, &item->grantor) != SDB_OK)
            return SDB_ERROR;
    }
    *end = s;
    return SDB_OK;
}

/* aclitemin: one item, then nothing but blanks. */
int sdb_aclitem_in(const SdbTypeCtx *ctx, const char *text, SdbDatum *out)
{
    AclItem item;
    const char *rest = text;
    if (parse_aclitem(ctx, text, &item, &rest) != SDB_OK)
        return SDB_ERROR;
    if (*skip_spaces(rest) != '\0')
        return acl_syntax_error("extra garbage at the end of the ACL specification");
    return sdb_varlena_make(ctx->arena, &item, sizeof item, out);
}

/* --- aclitem: output ------------------------------------------------------- */

/* aclitemout: "grantee=privs/grantor", PUBLIC as an empty grantee, each
 * granted letter in ACL_RIGHTS order followed by "*" when grantable. */
/* A role in an aclitem (PostgreSQL's putid): its name, double-quoted only
 * when it has characters other than letters, digits and underscores; the
 * OID when no such role exists (or no lookup is at hand). */
static int put_role(const SdbTypeCtx *ctx, uint32_t oid, SdbStr *out)
{
    SdbStr quoted;
    bool found = false;
    sdb_str_init(&quoted, ctx->arena);
    if (ctx->reg != NULL && ctx->reg->output(ctx->reg->arg, SDB_TYPEOID_REGROLE, oid, &quoted, &found) != SDB_OK)
        return SDB_ERROR;
    if (!found)
        return sdb_str_appendf(out, "%u", (unsigned)oid);
    char name[NAME_MAX_BYTES * 2 + 3];
    size_t len = 0;
    bool in_quotes = quoted.data[0] == '"', safe = true;
    for (size_t i = in_quotes; i < quoted.len - in_quotes && len < sizeof name - 1; i++) {
        if (in_quotes && quoted.data[i] == '"')
            i++; /* "" inside quotes is one " */
        name[len++] = quoted.data[i];
    }
    name[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!ascii_alpha(name[i]) && !(name[i] >= '0' && name[i] <= '9') && name[i] != '_')
            safe = false;
    if (safe)
        return sdb_str_append(out, name, len);
    int rc = sdb_str_append_char(out, '"');
    for (size_t i = 0; i < len && rc == SDB_OK; i++)
        rc = (name[i] == '"' ? sdb_str_append_char(out, '"') : SDB_OK) | sdb_str_append_char(out, name[i]);
    return rc | sdb_str_append_char(out, '"');
}

int sdb_aclitem_out(const SdbTypeCtx *ctx, SdbDatum value, SdbStr *out)
{
    AclItem item;
    memcpy(&item, sdb_datum_varlena(value)->data, sizeof item);
    if (item.grantee != ACL_ID_PUBLIC && put_role(ctx, item.grantee, out) != SDB_OK)
        return SDB_ERROR;
    if (sdb_str_append_char(out, '=') != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < ACL_RIGHTS_COUNT; i++) {
        if ((item.privs & 1u << i) && sdb_str_append_char(out, ACL_RIGHTS[i]) != SDB_OK)
            return SDB_ERROR;
        if ((item.privs & 1u << (i + ACL_GOPTION_SHIFT)) && sdb_str_append_char(out, '*') != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_str_append_char(out, '/') | put_role(ctx, item.grantor, out);
}
