/*
 * test_hba.c: pg_hba.conf parsing (fields, lists, quotes, comments,
 * continuation lines, PostgreSQL's error messages with the line) and
 * matching (type, database keywords, +group, CIDR and mask, IPv6, first
 * match wins), and the default file.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "server/hba.h"

static struct sockaddr_storage addr_of(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &in4->sin_addr) == 1)
        in4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
    return ss;
}

static bool admins(void *arg, const char *role, const char *group)
{
    (void)arg;
    return strcmp(group, "admins") == 0 && strcmp(role, "carol") == 0;
}

/* The method for a client, or -1 when no line matches; *line set. */
static int method_for(const SdbHba *hba, const char *host, bool ssl, const char *user, const char *db, int *line)
{
    struct sockaddr_storage ss = host ? addr_of(host) : (struct sockaddr_storage){0};
    SdbHbaClient c = {.local = host == NULL, .ssl = ssl, .addr = (struct sockaddr *)&ss, .user = user,
                      .database = db, .is_member = admins};
    SdbHbaMatch m;
    if (!sdb_hba_match(hba, &c, &m))
        return -1;
    if (line)
        *line = m.line;
    return (int)m.method;
}

static const char rules[] =
    "# comment line\n"
    "\n"
    "local   all            all                       trust\n"
    "host    db1,\"all\"      alice                     10.1.0.0/16      md5   # trailing comment\n"
    "hostssl all            +admins                   0.0.0.0/0        scram-sha-256\n"
    "host    sameuser       all                       192.168.0.0  255.255.0.0  password\n"
    "hostnossl all          bob,  dave                ::1/128          reject\n"
    "host    all            all                       ::/0 \\\n"
    "        scram-sha-256\n"
    "host    all            all                       127.0.0.1/32     trust\n";

static void test_match(void)
{
    SdbHba *hba;
    CU_ASSERT_EQUAL_FATAL(sdb_hba_parse("pg_hba.conf", rules, &hba), SDB_OK);
    int line;
    CU_ASSERT_EQUAL(method_for(hba, NULL, false, "anyone", "anydb", &line), SDB_HBA_TRUST);
    CU_ASSERT_EQUAL(line, 3);
    /* database list: db1 and the quoted name "all" (not the keyword) */
    CU_ASSERT_EQUAL(method_for(hba, "10.1.2.3", false, "alice", "db1", &line), SDB_HBA_MD5);
    CU_ASSERT_EQUAL(line, 4);
    struct sockaddr_storage ss = addr_of("10.1.2.3");
    SdbHbaMatch m;
    CU_ASSERT_TRUE(sdb_hba_match(hba, &(SdbHbaClient){.addr = (struct sockaddr *)&ss, .user = "alice",
                                                      .database = "db1"}, &m));
    CU_ASSERT_STRING_EQUAL(m.text, "host    db1,\"all\"      alice                     10.1.0.0/16      md5   "
                                   "# trailing comment");
    CU_ASSERT_EQUAL(method_for(hba, "10.1.2.3", false, "alice", "all", NULL), SDB_HBA_MD5);
    CU_ASSERT_EQUAL(method_for(hba, "10.1.2.3", false, "alice", "db2", NULL), -1);
    CU_ASSERT_EQUAL(method_for(hba, "10.2.0.1", false, "alice", "db1", NULL), -1);
    /* +group through the membership callback, the group itself, hostssl */
    CU_ASSERT_EQUAL(method_for(hba, "8.8.8.8", true, "carol", "x", NULL), SDB_HBA_SCRAM);
    CU_ASSERT_EQUAL(method_for(hba, "8.8.8.8", true, "admins", "x", NULL), SDB_HBA_SCRAM);
    CU_ASSERT_EQUAL(method_for(hba, "8.8.8.8", false, "carol", "x", NULL), -1);
    /* sameuser with an address and a separate mask */
    CU_ASSERT_EQUAL(method_for(hba, "192.168.7.7", false, "erin", "erin", &line), SDB_HBA_PASSWORD);
    CU_ASSERT_EQUAL(line, 6);
    CU_ASSERT_EQUAL(method_for(hba, "192.168.7.7", false, "erin", "other", NULL), -1);
    /* a list going on after ", "; hostnossl; IPv6; first match wins */
    CU_ASSERT_EQUAL(method_for(hba, "::1", false, "dave", "d", &line), SDB_HBA_REJECT);
    CU_ASSERT_EQUAL(line, 7);
    CU_ASSERT_EQUAL(method_for(hba, "::1", true, "dave", "d", &line), SDB_HBA_SCRAM);
    CU_ASSERT_EQUAL(line, 8); /* the continued line is numbered by its first line */
    ss = addr_of("::1");
    CU_ASSERT_TRUE(sdb_hba_match(hba, &(SdbHbaClient){.ssl = true, .addr = (struct sockaddr *)&ss, .user = "x",
                                                      .database = "y"}, &m));
    CU_ASSERT_STRING_EQUAL(m.text, "host    all            all                       ::/0 " "        scram-sha-256");
    CU_ASSERT_EQUAL(method_for(hba, "127.0.0.1", false, "x", "y", &line), SDB_HBA_TRUST);
    CU_ASSERT_EQUAL(line, 10);
    /* an IPv4 rule matches an IPv4-mapped IPv6 address */
    CU_ASSERT_EQUAL(method_for(hba, "::ffff:127.0.0.1", false, "x", "y", &line), SDB_HBA_SCRAM);
    CU_ASSERT_EQUAL(method_for(hba, "::ffff:10.1.0.9", false, "alice", "db1", NULL), SDB_HBA_MD5);
    sdb_hba_retain(hba);
    sdb_hba_release(hba);
    sdb_hba_release(hba);
}

static void expect_error(const char *text, const char *message, int line)
{
    SdbHba *hba = NULL;
    CU_ASSERT_EQUAL(sdb_hba_parse("/d/pg_hba.conf", text, &hba), SDB_ERROR);
    CU_ASSERT_PTR_NULL(hba);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_CONFIG_FILE_ERROR);
    CU_ASSERT_STRING_EQUAL(e->message, message);
    char context[128] = "";
    if (line > 0)
        snprintf(context, sizeof context, "line %d of configuration file \"/d/pg_hba.conf\"", line);
    CU_ASSERT_STRING_EQUAL(e->context, context);
    if (strcmp(e->message, message) != 0)
        fprintf(stderr, "got: %s\n", e->message);
    sdb_error_clear();
}

static void test_errors(void)
{
    expect_error("local all all trust\nhots all all 1.2.3.4/32 trust\n", "invalid connection type \"hots\"", 2);
    expect_error("host\n", "end-of-line before database specification", 1);
    expect_error("host all\n", "end-of-line before role specification", 1);
    expect_error("host all all\n", "end-of-line before IP address specification", 1);
    expect_error("host all all 1.2.3.4/32\n", "end-of-line before authentication method", 1);
    expect_error("local all all\n", "end-of-line before authentication method", 1);
    expect_error("host all all 1.2.3.4/33 trust\n", "invalid CIDR mask in address \"1.2.3.4/33\"", 1);
    expect_error("host all all 1.2.3.4/x trust\n", "invalid CIDR mask in address \"1.2.3.4/x\"", 1);
    expect_error("host all all 1.2.3.999/32 trust\n",
                 "invalid IP address \"1.2.3.999\": Name or service not known", 1);
    expect_error("host all all 1.2.3.4 trust\n", "end-of-line before netmask specification", 1);
    expect_error("host all all 1.2.3.4 ffff:: trust\n", "IP address and mask do not match", 1);
    expect_error("host all all ::1/128 foo\n", "invalid authentication method \"foo\"", 1);
    expect_error("local all all peer\n", "invalid authentication method \"peer\": not supported by this build", 1);
    expect_error("local all all trust,md5\n", "multiple values specified for authentication type", 1);
    expect_error("local all all trust clientcert=verify-full\n",
                 "unrecognized authentication option name: \"clientcert\"", 1);
    expect_error("local all all trust junk\n", "authentication option not in name=value format: junk", 1);
    expect_error("local \"all all trust\n", "unterminated quoted string in \"\"all all trust\"", 1);
    expect_error("# nothing\n\n", "configuration file \"/d/pg_hba.conf\" contains no entries", 0);
}

static void test_default_file(void)
{
    char dir[512], path[600];
    sdb_test_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/pg_hba.conf", dir);
    CU_ASSERT_EQUAL_FATAL(sdb_hba_write_default(path), SDB_OK);
    CU_ASSERT_EQUAL(sdb_hba_write_default(path), SDB_OK); /* kept when present */
    SdbHba *hba;
    CU_ASSERT_EQUAL_FATAL(sdb_hba_load(path, &hba), SDB_OK);
    CU_ASSERT_EQUAL(method_for(hba, NULL, false, "u", "d", NULL), SDB_HBA_TRUST);
    CU_ASSERT_EQUAL(method_for(hba, "127.0.0.1", false, "u", "d", NULL), SDB_HBA_TRUST);
    CU_ASSERT_EQUAL(method_for(hba, "::1", false, "u", "d", NULL), SDB_HBA_TRUST);
    CU_ASSERT_EQUAL(method_for(hba, "10.0.0.1", false, "u", "d", NULL), SDB_HBA_SCRAM);
    CU_ASSERT_EQUAL(method_for(hba, "2001:db8::1", true, "u", "d", NULL), SDB_HBA_SCRAM);
    sdb_hba_release(hba);
    CU_ASSERT_EQUAL(sdb_hba_load("/nonexistent/pg_hba.conf", &hba), SDB_ERROR);
    sdb_error_clear();
}

static CU_TestInfo tests[] = {
    {"matching: types, lists, keywords, groups, addresses, first match", test_match},
    {"malformed lines: PostgreSQL's messages with the line", test_errors},
    {"default file", test_default_file},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"hba", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
