/*
 * test_roles.c: CREATE / ALTER / DROP ROLE through a session: pg_authid
 * rows and defaults, stored password forms per password_encryption,
 * memberships (pg_auth_members), RENAME (md5 cleared, SCRAM kept), errors
 * with PostgreSQL's SQLSTATEs and messages, the privilege rules for a role
 * without CREATEROLE, rollback, and the lookups authentication uses
 * (sdb_instance_role, sdb_instance_role_member).
 */
#include "catalog/catalog.h"
#include "sql_test_util.h"

static void test_create_defaults(void)
{
    EXPECT("CREATE ROLE r1", "[CREATE ROLE]");
    EXPECT("CREATE USER u1", "[CREATE ROLE]");
    EXPECT("CREATE GROUP g1", "[CREATE ROLE]");
    EXPECT("SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, "
           "rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil FROM pg_authid "
           "WHERE rolname IN ('r1', 'u1', 'g1') ORDER BY rolname",
           "g1|f|t|f|f|f|f|f|-1|NULL|NULL\n"
           "r1|f|t|f|f|f|f|f|-1|NULL|NULL\n"
           "u1|f|t|f|f|t|f|f|-1|NULL|NULL\n[SELECT 3]");
    EXPECT("CREATE ROLE r2 WITH SUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS NOINHERIT "
           "CONNECTION LIMIT 7 VALID UNTIL '2030-06-01 12:00:00+00'",
           "[CREATE ROLE]");
    EXPECT("SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, "
           "rolconnlimit, rolvaliduntil FROM pg_roles WHERE rolname = 'r2'",
           "t|f|t|t|t|t|t|7|2030-06-01 12:00:00+00\n[SELECT 1]");
    EXPECT("DROP ROLE r1, u1, g1, r2", "[DROP ROLE]");
}

static void test_passwords(void)
{
    EXPECT("CREATE ROLE p1 PASSWORD 'secret'", "[CREATE ROLE]");
    EXPECT("SELECT left(rolpassword, 19), length(rolpassword) FROM pg_authid WHERE rolname = 'p1'",
           "SCRAM-SHA-256$4096:|133\n[SELECT 1]");
    EXPECT("SET password_encryption = md5", "[SET]");
    EXPECT("CREATE ROLE p2 PASSWORD 'secret'", "[CREATE ROLE]");
    /* md5('secret' || 'p2') */
    EXPECT("SELECT rolpassword = 'md5' || md5('secretp2') FROM pg_authid WHERE rolname = 'p2'", "t\n[SELECT 1]");
    /* a password already in a stored form is kept as is */
    EXPECT("CREATE ROLE p3 PASSWORD 'md5c3e5c7e2b3c2e7b1d18b3e6a3d4f6f1a'", "[CREATE ROLE]");
    EXPECT("SELECT rolpassword FROM pg_authid WHERE rolname = 'p3'", "md5c3e5c7e2b3c2e7b1d18b3e6a3d4f6f1a\n[SELECT 1]");
    EXPECT("RESET password_encryption", "[RESET]");
    EXPECT("ALTER ROLE p3 PASSWORD NULL", "[ALTER ROLE]");
    EXPECT("ALTER ROLE p2 PASSWORD ''", "[ALTER ROLE]"); /* NOTICE: empty string ... clearing password */
    EXPECT("SELECT count(*) FROM pg_authid WHERE rolname IN ('p2', 'p3') AND rolpassword IS NULL", "2\n[SELECT 1]");
    /* RENAME clears an md5 password (it is salted with the name), keeps a SCRAM one */
    EXPECT("ALTER ROLE p2 PASSWORD 'md5c3e5c7e2b3c2e7b1d18b3e6a3d4f6f1a'", "[ALTER ROLE]");
    EXPECT("ALTER ROLE p2 RENAME TO p2b", "[ALTER ROLE]");
    EXPECT("ALTER USER p1 RENAME TO p1b", "[ALTER ROLE]");
    EXPECT("SELECT rolname, rolpassword IS NULL FROM pg_authid WHERE rolname IN ('p1b', 'p2b') ORDER BY 1",
           "p1b|f\np2b|t\n[SELECT 2]");
    EXPECT("DROP ROLE p1b, p2b, p3", "[DROP ROLE]");
}

static void test_memberships(void)
{
    EXPECT("CREATE ROLE staff", "[CREATE ROLE]");
    EXPECT("CREATE ROLE admins ROLE staff", "[CREATE ROLE]"); /* staff becomes a member of admins */
    EXPECT("CREATE ROLE w1 LOGIN IN ROLE staff", "[CREATE ROLE]");
    EXPECT("SELECT g.rolname, m.rolname, a.admin_option FROM pg_auth_members a "
           "JOIN pg_authid g ON g.oid = a.roleid JOIN pg_authid m ON m.oid = a.member ORDER BY 1, 2",
           "admins|staff|f\nstaff|w1|f\n[SELECT 2]");
    bool member;
    CU_ASSERT_EQUAL(sdb_instance_role_member(db, "w1", "staff", &member), SDB_OK);
    CU_ASSERT_TRUE(member);
    CU_ASSERT_EQUAL(sdb_instance_role_member(db, "w1", "admins", &member), SDB_OK); /* through staff */
    CU_ASSERT_TRUE(member);
    CU_ASSERT_EQUAL(sdb_instance_role_member(db, "staff", "w1", &member), SDB_OK);
    CU_ASSERT_FALSE(member);
    CU_ASSERT_EQUAL(sdb_instance_role_member(db, "ghost", "staff", &member), SDB_OK);
    CU_ASSERT_FALSE(member);
    EXPECT_ERROR("CREATE ROLE w2 IN ROLE nosuch", SDB_ERR_UNDEFINED_OBJECT, "role \"nosuch\" does not exist");
    EXPECT("DROP ROLE staff", "[DROP ROLE]"); /* its memberships go with it */
    EXPECT("SELECT count(*) FROM pg_auth_members", "0\n[SELECT 1]");
    EXPECT("DROP ROLE admins, w1", "[DROP ROLE]");
}

static void test_errors(void)
{
    EXPECT("CREATE ROLE e1", "[CREATE ROLE]");
    EXPECT_ERROR("CREATE ROLE e1", SDB_ERR_DUPLICATE_OBJECT, "role \"e1\" already exists");
    EXPECT_ERROR("CREATE ROLE pg_e", SDB_ERR_RESERVED_NAME, "role name \"pg_e\" is reserved");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Role names starting with \"pg_\" are reserved.");
    EXPECT_ERROR("CREATE ROLE none", SDB_ERR_RESERVED_NAME, "role name \"none\" is reserved");
    EXPECT_ERROR("CREATE ROLE e2 LOGIN NOLOGIN", SDB_ERR_SYNTAX_ERROR, "conflicting or redundant options");
    EXPECT_ERROR("CREATE ROLE e2 PASSWORD 'a' PASSWORD 'b'", SDB_ERR_SYNTAX_ERROR, "conflicting or redundant options");
    EXPECT_ERROR("CREATE ROLE e2 CONNECTION LIMIT -5", SDB_ERR_INVALID_PARAMETER_VALUE, "invalid connection limit: -5");
    EXPECT_ERROR("CREATE ROLE e2 VALID UNTIL 'soon'", SDB_ERR_INVALID_DATETIME_FORMAT,
                 "invalid input syntax for type timestamp with time zone: \"soon\"");
    EXPECT_ERROR("ALTER ROLE nosuch LOGIN", SDB_ERR_UNDEFINED_OBJECT, "role \"nosuch\" does not exist");
    EXPECT_ERROR("ALTER ROLE public LOGIN", SDB_ERR_UNDEFINED_OBJECT, "role \"public\" does not exist");
    EXPECT_ERROR("ALTER ROLE nosuch RENAME TO x", SDB_ERR_UNDEFINED_OBJECT, "role \"nosuch\" does not exist");
    EXPECT_ERROR("ALTER ROLE e1 RENAME TO postgres", SDB_ERR_DUPLICATE_OBJECT, "role \"postgres\" already exists");
    EXPECT_ERROR("ALTER ROLE postgres RENAME TO boss", SDB_ERR_FEATURE_NOT_SUPPORTED, "session user cannot be renamed");
    EXPECT_ERROR("DROP ROLE nosuch", SDB_ERR_UNDEFINED_OBJECT, "role \"nosuch\" does not exist");
    EXPECT("DROP ROLE IF EXISTS nosuch", "[DROP ROLE]");
    EXPECT_ERROR("DROP ROLE CURRENT_USER", SDB_ERR_SYNTAX_ERROR, "cannot use special role specifier in DROP ROLE");
    EXPECT_ERROR("DROP ROLE postgres", SDB_ERR_OBJECT_IN_USE, "current user cannot be dropped");
    /* a failed DROP of several drops none; rollback undoes CREATE ROLE */
    EXPECT_ERROR("DROP ROLE e1, nosuch", SDB_ERR_UNDEFINED_OBJECT, "role \"nosuch\" does not exist");
    EXPECT("BEGIN; CREATE ROLE e3; ROLLBACK", "[BEGIN]\n[CREATE ROLE]\n[ROLLBACK]");
    EXPECT("SELECT rolname FROM pg_roles WHERE rolname LIKE 'e%' ORDER BY 1", "e1\n[SELECT 1]");
    EXPECT("DROP ROLE e1", "[DROP ROLE]");
}

static void test_privileges(void)
{
    EXPECT("CREATE ROLE plain LOGIN PASSWORD 'x'", "[CREATE ROLE]");
    EXPECT("CREATE ROLE maker LOGIN CREATEROLE", "[CREATE ROLE]");
    EXPECT("CREATE ROLE boss SUPERUSER", "[CREATE ROLE]");
    SdbSession *admin = sess;

    sess = sdb_session_open(db, "plain", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sess);
    EXPECT("SHOW is_superuser", "off\n[SHOW]");
    EXPECT_ERROR("CREATE ROLE x", SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied to create role");
    EXPECT_ERROR("ALTER ROLE plain CREATEDB", SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied");
    EXPECT_ERROR("ALTER ROLE maker PASSWORD 'y'", SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied");
    EXPECT("ALTER ROLE plain PASSWORD 'y'", "[ALTER ROLE]"); /* one's own password */
    EXPECT("ALTER ROLE CURRENT_USER PASSWORD 'z'", "[ALTER ROLE]");
    EXPECT_ERROR("DROP ROLE maker", SDB_ERR_INSUFFICIENT_PRIVILEGE, "permission denied to drop role");
    sdb_session_close(sess);

    sess = sdb_session_open(db, "maker", "postgres");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sess);
    EXPECT("CREATE ROLE made", "[CREATE ROLE]");
    EXPECT_ERROR("CREATE ROLE s SUPERUSER", SDB_ERR_INSUFFICIENT_PRIVILEGE, "must be superuser to create superusers");
    EXPECT_ERROR("CREATE ROLE s REPLICATION", SDB_ERR_INSUFFICIENT_PRIVILEGE,
                 "must be superuser to create replication users");
    EXPECT_ERROR("ALTER ROLE boss LOGIN", SDB_ERR_INSUFFICIENT_PRIVILEGE,
                 "must be superuser to alter superuser roles or change superuser attribute");
    EXPECT_ERROR("ALTER ROLE boss RENAME TO b2", SDB_ERR_INSUFFICIENT_PRIVILEGE, "must be superuser to rename superusers");
    EXPECT_ERROR("DROP ROLE boss", SDB_ERR_INSUFFICIENT_PRIVILEGE, "must be superuser to drop superusers");
    EXPECT("ALTER ROLE made RENAME TO made2", "[ALTER ROLE]");
    EXPECT("DROP ROLE made2", "[DROP ROLE]");
    sdb_session_close(sess);

    sess = admin;
    EXPECT("SHOW is_superuser", "on\n[SHOW]");
    EXPECT("DROP ROLE plain, maker, boss", "[DROP ROLE]");
}

static void test_lookup(void)
{
    EXPECT("CREATE ROLE look LOGIN CONNECTION LIMIT 2 PASSWORD 'pw' VALID UNTIL 'infinity'", "[CREATE ROLE]");
    SdbArena *arena = sdb_arena_create(NULL, "test", 0);
    SdbRole role;
    bool found;
    CU_ASSERT_EQUAL_FATAL(sdb_instance_role(db, "look", arena, &role, &found), SDB_OK);
    CU_ASSERT_TRUE_FATAL(found);
    CU_ASSERT_STRING_EQUAL(role.name, "look");
    CU_ASSERT_TRUE(role.canlogin);
    CU_ASSERT_FALSE(role.superuser);
    CU_ASSERT_EQUAL(role.connlimit, 2);
    CU_ASSERT_EQUAL(strncmp(role.password, "SCRAM-SHA-256$4096:", 19), 0);
    CU_ASSERT_TRUE(role.has_valid_until);
    CU_ASSERT_EQUAL(role.valid_until, INT64_MAX);
    CU_ASSERT_EQUAL(sdb_instance_role(db, "postgres", arena, &role, &found), SDB_OK);
    CU_ASSERT_TRUE(found && role.superuser && role.oid == 10 && role.password == NULL);
    CU_ASSERT_EQUAL(sdb_instance_role(db, "ghost", arena, &role, &found), SDB_OK);
    CU_ASSERT_FALSE(found);
    sdb_arena_destroy(arena);
    EXPECT("DROP ROLE look", "[DROP ROLE]");
}

static CU_TestInfo tests[] = {
    {"CREATE ROLE/USER/GROUP: defaults and options", test_create_defaults},
    {"passwords: SCRAM, md5, stored forms kept, NULL, rename", test_passwords},
    {"IN ROLE / ROLE memberships, pg_auth_members", test_memberships},
    {"errors", test_errors},
    {"privileges of roles without superuser or CREATEROLE", test_privileges},
    {"sdb_instance_role", test_lookup},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"roles", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
