/*
 * catalog/role.c: roles.  CREATE ROLE / USER / GROUP, ALTER ROLE / USER
 * (options, RENAME TO), DROP ROLE / USER / GROUP on the shared catalogs
 * pg_authid and pg_auth_members, with PostgreSQL 15's checks, messages and
 * privilege rules (CREATEROLE, superuser-only attributes); passwords stored
 * as password_encryption says (server/scram.h).  Also the lookups that
 * authentication and pg_hba.conf matching use.
 */
#include <string.h>

#include "catalog/ddl_int.h"
#include "server/scram.h"
#include "types/datetime.h"
#include "types/typefuncs.h"

#define AUTHID() sdb_catalog_by_oid(SDB_CATALOG_PG_AUTHID_OID)
#define AUTH_MEMBERS() sdb_catalog_by_oid(SDB_CATALOG_PG_AUTH_MEMBERS_OID)

/* --- lookups ---------------------------------------------------------------------- */

static void role_from_row(const SdbCatRow *row, SdbRole *out)
{
    const SdbDatum *v = row->values;
    *out = (SdbRole){
        .oid = (SdbOid)v[SDB_ANUM_PG_AUTHID_OID - 1],
        .name = sdb_cat_text(v[SDB_ANUM_PG_AUTHID_ROLNAME - 1]),
        .superuser = v[SDB_ANUM_PG_AUTHID_ROLSUPER - 1] != 0,
        .inherit = v[SDB_ANUM_PG_AUTHID_ROLINHERIT - 1] != 0,
        .createrole = v[SDB_ANUM_PG_AUTHID_ROLCREATEROLE - 1] != 0,
        .createdb = v[SDB_ANUM_PG_AUTHID_ROLCREATEDB - 1] != 0,
        .canlogin = v[SDB_ANUM_PG_AUTHID_ROLCANLOGIN - 1] != 0,
        .replication = v[SDB_ANUM_PG_AUTHID_ROLREPLICATION - 1] != 0,
        .bypassrls = v[SDB_ANUM_PG_AUTHID_ROLBYPASSRLS - 1] != 0,
        .connlimit = (int32_t)sdb_datum_to_int64(v[SDB_ANUM_PG_AUTHID_ROLCONNLIMIT - 1]),
        .password = row->nulls[SDB_ANUM_PG_AUTHID_ROLPASSWORD - 1]
                        ? NULL
                        : sdb_cat_text(v[SDB_ANUM_PG_AUTHID_ROLPASSWORD - 1]),
        .has_valid_until = !row->nulls[SDB_ANUM_PG_AUTHID_ROLVALIDUNTIL - 1],
        .valid_until = sdb_datum_to_int64(v[SDB_ANUM_PG_AUTHID_ROLVALIDUNTIL - 1]),
    };
}

/* The pg_authid row of `name` (in arena), or *row = NULL. */
static int find_row(SdbCatalog *cat, SdbTxn *txn, const char *name, SdbArena *arena, SdbCatRow **row)
{
    SdbCatRows rows;
    *row = NULL;
    if (sdb_cat_scan(cat, txn, AUTHID(), arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count; i++)
        if (strcmp(sdb_cat_text(rows.rows[i].values[SDB_ANUM_PG_AUTHID_ROLNAME - 1]), name) == 0)
            *row = &rows.rows[i];
    return SDB_OK;
}

int sdb_catalog_role(SdbCatalog *cat, SdbTxn *txn, const char *name, SdbArena *arena, SdbRole *out, bool *found)
{
    SdbCatRow *row;
    if (find_row(cat, txn, name, arena, &row) != SDB_OK)
        return SDB_ERROR;
    *found = row != NULL;
    if (row)
        role_from_row(row, out);
    return SDB_OK;
}

int sdb_catalog_role_by_oid(SdbCatalog *cat, SdbTxn *txn, SdbOid oid, SdbArena *arena, SdbRole *out, bool *found)
{
    SdbCatRows rows;
    *found = false;
    if (sdb_cat_scan(cat, txn, AUTHID(), arena, &rows) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < rows.count && !*found; i++)
        if ((SdbOid)rows.rows[i].values[SDB_ANUM_PG_AUTHID_OID - 1] == oid) {
            role_from_row(&rows.rows[i], out);
            *found = true;
        }
    return SDB_OK;
}

int sdb_catalog_role_member(SdbCatalog *cat, SdbTxn *txn, const char *role, const char *group, SdbArena *arena,
                            bool *member)
{
    SdbCatRow *r, *g;
    SdbCatRows rows;
    *member = false;
    if (find_row(cat, txn, role, arena, &r) != SDB_OK || find_row(cat, txn, group, arena, &g) != SDB_OK)
        return SDB_ERROR;
    if (r == NULL || g == NULL)
        return SDB_OK;
    SdbOid target = (SdbOid)g->values[SDB_ANUM_PG_AUTHID_OID - 1];
    if (sdb_cat_scan(cat, txn, AUTH_MEMBERS(), arena, &rows) != SDB_OK)
        return SDB_ERROR;
    /* the groups reachable from the role: a breadth-first walk over the rows */
    SdbOid *reached = sdb_arena_alloc(arena, sizeof *reached * (rows.count + 1));
    if (reached == NULL)
        return SDB_ERROR;
    size_t n = 0;
    reached[n++] = (SdbOid)r->values[SDB_ANUM_PG_AUTHID_OID - 1];
    for (size_t next = 0; next < n && !*member; next++) {
        *member = reached[next] == target;
        for (size_t i = 0; i < rows.count; i++) {
            const SdbDatum *v = rows.rows[i].values;
            SdbOid grp = (SdbOid)v[SDB_ANUM_PG_AUTH_MEMBERS_ROLEID - 1];
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = reached[k] == grp;
            if ((SdbOid)v[SDB_ANUM_PG_AUTH_MEMBERS_MEMBER - 1] == reached[next] && !seen)
                reached[n++] = grp;
        }
    }
    return SDB_OK;
}

/* --- options ------------------------------------------------------------------------ */

/* What a statement's options ask for; -1 / false: not given. */
typedef struct RoleOptions {
    int flags[SDB_ANUM_PG_AUTHID_ROLBYPASSRLS + 1]; /* by pg_authid attnum: -1, 0, 1 */
    bool has_connlimit;
    int32_t connlimit;
    bool has_password;
    const char *password; /* NULL: PASSWORD NULL */
    bool has_valid_until;
    const char *valid_until;
    const SdbList *add_role_to, *role_members, *admin_members;
} RoleOptions;

static const struct {
    const char *name;
    int anum;
} bool_options[] = {
    {"superuser", SDB_ANUM_PG_AUTHID_ROLSUPER},         {"inherit", SDB_ANUM_PG_AUTHID_ROLINHERIT},
    {"createrole", SDB_ANUM_PG_AUTHID_ROLCREATEROLE},   {"createdb", SDB_ANUM_PG_AUTHID_ROLCREATEDB},
    {"canlogin", SDB_ANUM_PG_AUTHID_ROLCANLOGIN},       {"isreplication", SDB_ANUM_PG_AUTHID_ROLREPLICATION},
    {"bypassrls", SDB_ANUM_PG_AUTHID_ROLBYPASSRLS},
};

static int conflicting(const SdbDefElem *opt)
{
    sdb_error(SDB_ERR_SYNTAX_ERROR, "conflicting or redundant options");
    if (opt->location >= 0)
        sdb_error_position(opt->location + 1);
    return SDB_ERROR;
}

static const char *option_string(const SdbDefElem *opt)
{
    return SDB_IS_A(opt->arg, A_CONST) ? ((const SdbAConst *)opt->arg)->val : NULL;
}

/* One option into o (duplicates: 42601). */
static int parse_option(SdbDdl *d, const SdbDefElem *opt, bool create, RoleOptions *o)
{
    const char *name = opt->defname;
    for (size_t i = 0; i < sizeof bool_options / sizeof bool_options[0]; i++)
        if (strcmp(name, bool_options[i].name) == 0) {
            int *flag = &o->flags[bool_options[i].anum];
            if (*flag >= 0)
                return conflicting(opt);
            const char *v = option_string(opt);
            *flag = v && strcmp(v, "true") == 0;
            return SDB_OK;
        }
    if (strcmp(name, "password") == 0) {
        if (o->has_password)
            return conflicting(opt);
        o->has_password = true;
        o->password = opt->arg ? option_string(opt) : NULL;
        return SDB_OK;
    }
    if (strcmp(name, "validUntil") == 0) {
        if (o->has_valid_until)
            return conflicting(opt);
        o->has_valid_until = true;
        o->valid_until = option_string(opt);
        return SDB_OK;
    }
    if (strcmp(name, "connectionlimit") == 0) {
        if (o->has_connlimit)
            return conflicting(opt);
        o->has_connlimit = true;
        o->connlimit = SDB_IS_A(opt->arg, INTEGER) ? (int32_t)((const SdbInteger *)opt->arg)->ival : 0;
        if (o->connlimit < -1)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "invalid connection limit: %d", (int)o->connlimit);
        return SDB_OK;
    }
    if (strcmp(name, "sysid") == 0 && create) {
        sdb_ddl_notice(d, "00000", "SYSID can no longer be specified");
        return SDB_OK;
    }
    const SdbList **list = strcmp(name, "addroleto") == 0      ? &o->add_role_to
                           : strcmp(name, "rolemembers") == 0  ? &o->role_members
                           : strcmp(name, "adminmembers") == 0 ? &o->admin_members
                                                               : NULL;
    if (list == NULL || !create) {
        sdb_error(SDB_ERR_SYNTAX_ERROR, "option \"%s\" not recognized", name);
        if (opt->location >= 0)
            sdb_error_position(opt->location + 1);
        return SDB_ERROR;
    }
    if (*list)
        return conflicting(opt);
    *list = (const SdbList *)opt->arg;
    return SDB_OK;
}

static int parse_options(SdbDdl *d, const SdbList *options, bool create, RoleOptions *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < sizeof o->flags / sizeof o->flags[0]; i++)
        o->flags[i] = -1;
    for (int i = 0; i < sdb_list_length(options); i++)
        if (parse_option(d, (const SdbDefElem *)sdb_list_nth(options, i), create, o) != SDB_OK)
            return SDB_ERROR;
    return SDB_OK;
}

/* Set the columns the options give on t (the role is called `name`). */
static int apply_options(SdbDdl *d, const RoleOptions *o, const char *name, SdbCatTuple *t)
{
    for (size_t i = 0; i < sizeof bool_options / sizeof bool_options[0]; i++)
        if (o->flags[bool_options[i].anum] >= 0)
            sdb_cat_set(t, bool_options[i].anum, o->flags[bool_options[i].anum] != 0);
    if (o->has_connlimit)
        sdb_cat_set(t, SDB_ANUM_PG_AUTHID_ROLCONNLIMIT, sdb_datum_from_int64(o->connlimit));
    if (o->has_password) {
        if (o->password != NULL && o->password[0] == '\0')
            sdb_ddl_notice(d, "00000", "empty string is not a valid password, clearing password");
        if (o->password == NULL || o->password[0] == '\0') {
            sdb_cat_set_null(t, SDB_ANUM_PG_AUTHID_ROLPASSWORD);
        } else {
            SdbStr stored;
            sdb_str_init(&stored, d->arena);
            if (sdb_password_encrypt(name, o->password, d->ctx->password_md5, &stored) != SDB_OK ||
                sdb_cat_set_text(t, SDB_ANUM_PG_AUTHID_ROLPASSWORD, stored.data) != SDB_OK)
                return SDB_ERROR;
        }
    }
    if (o->has_valid_until) {
        SdbTypeCtx tc = {.arena = d->arena, .timezone = d->ctx->timezone, .now = d->txn->start,
                         .typid = SDB_TYPEOID_TIMESTAMPTZ, .typmod = -1};
        SdbDatum ts;
        if (sdb_timestamptz_in(&tc, o->valid_until, &ts) != SDB_OK)
            return SDB_ERROR;
        sdb_cat_set(t, SDB_ANUM_PG_AUTHID_ROLVALIDUNTIL, ts);
    }
    return SDB_OK;
}

/* --- privileges ----------------------------------------------------------------------- */

/* The role running the statement (all powers when the caller names none). */
static int acting_role(SdbDdl *d, SdbRole *out)
{
    if (d->ctx->current_user == NULL) {
        *out = (SdbRole){.superuser = true, .createrole = true};
        return SDB_OK;
    }
    bool found;
    if (sdb_catalog_role(d->cat, d->txn, d->ctx->current_user, d->arena, out, &found) != SDB_OK)
        return SDB_ERROR;
    if (!found)
        *out = (SdbRole){.name = d->ctx->current_user};
    return SDB_OK;
}

static int denied(const char *message)
{
    return sdb_error(SDB_ERR_INSUFFICIENT_PRIVILEGE, "%s", message);
}

/* PostgreSQL's reserved role names: "public", "none" and the pg_ prefix. */
static int check_name(const char *name)
{
    if (strcmp(name, "public") == 0 || strcmp(name, "none") == 0)
        return sdb_error(SDB_ERR_RESERVED_NAME, "role name \"%s\" is reserved", name);
    if (strncmp(name, "pg_", 3) == 0) {
        sdb_error(SDB_ERR_RESERVED_NAME, "role name \"%s\" is reserved", name);
        sdb_error_detail("Role names starting with \"pg_\" are reserved.");
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* The name a RoleSpec stands for (CURRENT_USER and the like: the
 * session's), or NULL with the error recorded (PUBLIC). */
static const char *role_spec_name(SdbDdl *d, const SdbRoleSpec *spec)
{
    switch (spec->roletype) {
    case SDB_ROLE_SPEC_TYPE_NAME:
        return spec->rolename;
    case SDB_ROLE_SPEC_TYPE_PUBLIC:
        sdb_error(SDB_ERR_UNDEFINED_OBJECT, "role \"%s\" does not exist", "public");
        return NULL;
    default:
        return d->ctx->current_user ? d->ctx->current_user : "postgres";
    }
}

static int missing_role(const char *name)
{
    return sdb_error(SDB_ERR_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
}

/* --- memberships ------------------------------------------------------------------------ */

static int add_member(SdbDdl *d, SdbOid group, SdbOid member, SdbOid grantor, bool admin)
{
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, AUTH_MEMBERS(), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTH_MEMBERS_ROLEID, group);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTH_MEMBERS_MEMBER, member);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTH_MEMBERS_GRANTOR, grantor);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTH_MEMBERS_ADMIN_OPTION, admin);
    return sdb_cat_insert(d->cat->engine, d->cat->db_oid, d->xid, d->txn->cid, &t);
}

/* For each role of `list`: a pg_auth_members row making `oid` a member of
 * it (`into` true) or it a member of `oid`. */
static int add_memberships(SdbDdl *d, const SdbList *list, SdbOid oid, SdbOid grantor, bool into, bool admin)
{
    for (int i = 0; i < sdb_list_length(list); i++) {
        const char *name = role_spec_name(d, (const SdbRoleSpec *)sdb_list_nth(list, i));
        SdbCatRow *row;
        if (name == NULL || find_row(d->cat, d->txn, name, d->arena, &row) != SDB_OK)
            return SDB_ERROR;
        if (row == NULL)
            return missing_role(name);
        SdbOid other = (SdbOid)row->values[SDB_ANUM_PG_AUTHID_OID - 1];
        if (add_member(d, into ? other : oid, into ? oid : other, grantor, admin) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}

/* --- statements ------------------------------------------------------------------------- */

int sdb_ddl_create_role(SdbDdl *d, const SdbCreateRoleStmt *stmt)
{
    RoleOptions o;
    SdbRole me;
    if (parse_options(d, stmt->options, true, &o) != SDB_OK || acting_role(d, &me) != SDB_OK)
        return SDB_ERROR;
    if (o.flags[SDB_ANUM_PG_AUTHID_ROLSUPER] > 0 && !me.superuser)
        return denied("must be superuser to create superusers");
    if (o.flags[SDB_ANUM_PG_AUTHID_ROLREPLICATION] > 0 && !me.superuser)
        return denied("must be superuser to create replication users");
    if (o.flags[SDB_ANUM_PG_AUTHID_ROLBYPASSRLS] > 0 && !me.superuser)
        return denied("must be superuser to create bypassrls users");
    if (!me.superuser && !me.createrole)
        return denied("permission denied to create role");
    if (check_name(stmt->role) != SDB_OK)
        return SDB_ERROR;
    SdbCatRow *row;
    if (find_row(d->cat, d->txn, stmt->role, d->arena, &row) != SDB_OK)
        return SDB_ERROR;
    if (row != NULL)
        return sdb_error(SDB_ERR_DUPLICATE_OBJECT, "role \"%s\" already exists", stmt->role);
    SdbOid oid;
    if (sdb_catalog_new_oid(d->cat, &oid) != SDB_OK)
        return SDB_ERROR;
    SdbCatTuple t;
    sdb_cat_tuple_init(&t, AUTHID(), d->arena);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_OID, oid);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_ROLINHERIT, true);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_ROLCANLOGIN, stmt->stmt_type == SDB_ROLE_STMT_TYPE_USER);
    sdb_cat_set(&t, SDB_ANUM_PG_AUTHID_ROLCONNLIMIT, sdb_datum_from_int64(-1));
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_AUTHID_ROLNAME, stmt->role) != SDB_OK ||
        apply_options(d, &o, stmt->role, &t) != SDB_OK ||
        sdb_cat_insert(d->cat->engine, d->cat->db_oid, d->xid, d->txn->cid, &t) != SDB_OK)
        return SDB_ERROR;
    return add_memberships(d, o.add_role_to, oid, me.oid, true, false) == SDB_OK &&
                   add_memberships(d, o.role_members, oid, me.oid, false, false) == SDB_OK &&
                   add_memberships(d, o.admin_members, oid, me.oid, false, true) == SDB_OK
               ? SDB_OK
               : SDB_ERROR;
}

int sdb_ddl_alter_role(SdbDdl *d, const SdbAlterRoleStmt *stmt)
{
    RoleOptions o;
    SdbRole me, target;
    const char *name = role_spec_name(d, stmt->role);
    SdbCatRow *row;
    if (name == NULL || parse_options(d, stmt->options, false, &o) != SDB_OK ||
        acting_role(d, &me) != SDB_OK || find_row(d->cat, d->txn, name, d->arena, &row) != SDB_OK)
        return SDB_ERROR;
    if (row == NULL)
        return missing_role(name);
    role_from_row(row, &target);
    if ((target.superuser || o.flags[SDB_ANUM_PG_AUTHID_ROLSUPER] >= 0) && !me.superuser)
        return denied("must be superuser to alter superuser roles or change superuser attribute");
    if ((target.replication || o.flags[SDB_ANUM_PG_AUTHID_ROLREPLICATION] >= 0) && !me.superuser)
        return denied("must be superuser to alter replication roles or change replication attribute");
    if (o.flags[SDB_ANUM_PG_AUTHID_ROLBYPASSRLS] >= 0 && !me.superuser)
        return denied("must be superuser to change bypassrls attribute");
    if (!me.superuser && !me.createrole) {
        /* without CREATEROLE a role may only change its own password */
        bool only_password = o.has_password && !o.has_connlimit && !o.has_valid_until;
        for (size_t i = 0; i < sizeof o.flags / sizeof o.flags[0]; i++)
            only_password = only_password && o.flags[i] < 0;
        if (!only_password || target.oid != me.oid)
            return denied("permission denied");
    }
    SdbCatTuple t;
    sdb_cat_tuple_from_row(&t, AUTHID(), row, d->arena);
    if (apply_options(d, &o, name, &t) != SDB_OK)
        return SDB_ERROR;
    return sdb_cat_update(d->cat, d->txn, row->tid, &t);
}

int sdb_ddl_rename_role(SdbDdl *d, const char *old_name, const char *new_name)
{
    SdbRole me, target;
    SdbCatRow *row, *taken;
    if (acting_role(d, &me) != SDB_OK || find_row(d->cat, d->txn, old_name, d->arena, &row) != SDB_OK)
        return SDB_ERROR;
    if (row == NULL)
        return missing_role(old_name);
    role_from_row(row, &target);
    if (d->ctx->current_user && strcmp(d->ctx->current_user, old_name) == 0)
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "session user cannot be renamed");
    if (check_name(new_name) != SDB_OK || find_row(d->cat, d->txn, new_name, d->arena, &taken) != SDB_OK)
        return SDB_ERROR;
    if (taken != NULL)
        return sdb_error(SDB_ERR_DUPLICATE_OBJECT, "role \"%s\" already exists", new_name);
    if (target.superuser && !me.superuser)
        return denied("must be superuser to rename superusers");
    if (!me.superuser && !me.createrole)
        return denied("permission denied to rename role");
    SdbCatTuple t;
    sdb_cat_tuple_from_row(&t, AUTHID(), row, d->arena);
    if (sdb_cat_set_text(&t, SDB_ANUM_PG_AUTHID_ROLNAME, new_name) != SDB_OK)
        return SDB_ERROR;
    if (sdb_is_md5_password(target.password)) { /* md5 salts with the name: no longer valid */
        sdb_cat_set_null(&t, SDB_ANUM_PG_AUTHID_ROLPASSWORD);
        sdb_ddl_notice(d, "00000", "MD5 password cleared because of role rename");
    }
    return sdb_cat_update(d->cat, d->txn, row->tid, &t);
}

int sdb_ddl_drop_role(SdbDdl *d, const SdbDropRoleStmt *stmt)
{
    SdbRole me;
    if (acting_role(d, &me) != SDB_OK)
        return SDB_ERROR;
    if (!me.superuser && !me.createrole)
        return denied("permission denied to drop role");
    for (int i = 0; i < sdb_list_length(stmt->roles); i++) {
        const SdbRoleSpec *spec = (const SdbRoleSpec *)sdb_list_nth(stmt->roles, i);
        if (spec->roletype != SDB_ROLE_SPEC_TYPE_NAME)
            return sdb_error(SDB_ERR_SYNTAX_ERROR, "cannot use special role specifier in DROP ROLE");
        SdbCatRow *row;
        SdbRole target;
        if (find_row(d->cat, d->txn, spec->rolename, d->arena, &row) != SDB_OK)
            return SDB_ERROR;
        if (row == NULL) {
            if (!stmt->missing_ok)
                return missing_role(spec->rolename);
            sdb_ddl_notice(d, "00000", "role \"%s\" does not exist, skipping", spec->rolename);
            continue;
        }
        role_from_row(row, &target);
        if (d->ctx->current_user && strcmp(d->ctx->current_user, target.name) == 0)
            return sdb_error(SDB_ERR_OBJECT_IN_USE, "current user cannot be dropped");
        if (target.superuser && !me.superuser)
            return denied("must be superuser to drop superusers");
        if (target.oid == SDB_ROLE_POSTGRES)
            return sdb_error(SDB_ERR_DEPENDENT_OBJECTS_STILL_EXIST,
                             "cannot drop role %s because it is required by the database system", target.name);
        if (sdb_cat_delete(d->cat, d->txn, AUTHID(), row->tid) != SDB_OK ||
            sdb_cat_delete_where(d->cat, d->txn, AUTH_MEMBERS(), SDB_ANUM_PG_AUTH_MEMBERS_ROLEID, target.oid,
                                 d->arena) != SDB_OK ||
            sdb_cat_delete_where(d->cat, d->txn, AUTH_MEMBERS(), SDB_ANUM_PG_AUTH_MEMBERS_MEMBER, target.oid,
                                 d->arena) != SDB_OK)
            return SDB_ERROR;
    }
    return SDB_OK;
}
