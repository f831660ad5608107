/*
 * test_types_catalog.c: the types of system catalog columns in
 * runtime/types: pg_node_tree (never accepted from a client), aclitem (text
 * only), and the information_schema domains with their base types' I/O and
 * CHECK constraints (domain_in/domain_recv).  Expected outputs and errors
 * were taken from PostgreSQL 15 (aclitem through its input function, the
 * domains through COPY, which calls domain_in); aclitem roles are OIDs here
 * (PostgreSQL's "postgres" is role 10 and prints as such; names need the
 * catalog).
 */
#include "harness.h"
#include "types/typefuncs.h"
#include "types_test_util.h"

static void test_pg_node_tree(void)
{
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_PG_NODE_TREE, -1, "x", NULL),
                           "ERROR 0A000: cannot accept a value of type pg_node_tree");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_PG_NODE_TREE, -1, "x", 1),
                           "ERROR 0A000: cannot accept a value of type pg_node_tree");
    /* the server makes the values: output and send are text's */
    SdbDatum v;
    CU_ASSERT_EQUAL_FATAL(sdb_varlena_make(tt_arena, "{CONST :consttype 23}", 21, &v), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_PG_NODE_TREE, v), "{CONST :consttype 23}");
    SdbTypeCtx ctx = tt_ctx(SDB_TYPEOID_PG_NODE_TREE, -1);
    SdbStr wire;
    sdb_str_init(&wire, tt_arena);
    CU_ASSERT_EQUAL(sdb_type_send(&ctx, v, &wire), SDB_OK);
    CU_ASSERT_TRUE(wire.len == 21 && memcmp(wire.data, "{CONST :consttype 23}", 21) == 0);
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_PG_NODE_TREE);
    CU_ASSERT_EQUAL(ops->compare(v, v), 0);
}

#define ACL SDB_TYPEOID_ACLITEM

/* aclitem input -> output (or error), PostgreSQL 15's answers */
static const TtCase aclitem_cases[] = {
    {ACL, -1, "=r/10", "=r/10"},
    {ACL, -1, "10=a*r*/10", "10=a*r*/10"},
    {ACL, -1, "10=AsctTCUXtxDdwra/10", "10=arwdDxtXUCTcsA/10"},
    {ACL, -1, "10=rr/10", "10=r/10"},
    {ACL, -1, "10=*r/10", "10=r/10"},
    {ACL, -1, "10=r**w/10", "10=r*w/10"},
    {ACL, -1, "=rR/10", "=r/10"},
    {ACL, -1, "10=/10", "10=/10"},
    {ACL, -1, "=/10", "=/10"},
    {ACL, -1, "10=r", "10=r/10"}, /* PostgreSQL also warns: defaulting grantor to user ID 10 */
    {ACL, -1, "group 10=r/10", "10=r/10"},
    {ACL, -1, "=r/\"10\"", "=r/10"},
    {ACL, -1, "\t=r/10 ", "=r/10"},
    {ACL, -1, "4294967295=U/0", "4294967295=U/0"},
    {ACL, -1, "10=arwdDxtm/10", "ERROR 22P02: invalid mode character: must be one of \"arwdDxtXUCTcsA\""},
    {ACL, -1, " 10 = r / 10 ", "ERROR 22P02: extra garbage at the end of the ACL specification"},
    {ACL, -1, "10=r/10 x", "ERROR 22P02: extra garbage at the end of the ACL specification"},
    {ACL, -1, "10=r/10/x", "ERROR 22P02: extra garbage at the end of the ACL specification"},
    {ACL, -1, "=r-/10", "ERROR 22P02: extra garbage at the end of the ACL specification"},
    {ACL, -1, "10", "ERROR 22P02: unrecognized key word: \"10\""},
    {ACL, -1, "", "ERROR 22P02: unrecognized key word: \"\""},
    {ACL, -1, "group 10 r", "ERROR 22P02: missing \"=\" sign"},
    {ACL, -1, "user", "ERROR 22P02: missing name"},
    {ACL, -1, "10=r/", "ERROR 22P02: a name must follow the \"/\" sign"},
    {ACL, -1, "=r/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "ERROR 42622: identifier too long DETAIL: Identifier must be less than 64 characters."},
    /* PostgreSQL looks the names up in pg_authid */
    {ACL, -1, "postgres=r/10", "ERROR 0A000: aclitem input by role name is not supported"},
    {ACL, -1, "10=r/postgres", "ERROR 0A000: aclitem input by role name is not supported"},
    {ACL, -1, "user =r/10", "ERROR 0A000: aclitem input by role name is not supported"},
    {ACL, -1, "4294967296=r/10", "ERROR 0A000: aclitem input by role name is not supported"},
};

static void test_aclitem_io(void)
{
    for (size_t i = 0; i < sizeof aclitem_cases / sizeof aclitem_cases[0]; i++) {
        const TtCase *c = &aclitem_cases[i];
        const char *got = tt_result(c->type, c->typmod, c->in, NULL);
        if (strcmp(got, c->out) != 0)
            printf("\n  aclitem '%s': expected \"%s\", got \"%s\"\n", c->in, c->out, got);
        CU_ASSERT_STRING_EQUAL(got, c->out);
    }
    SdbTypeCtx ctx = tt_ctx(ACL, -1);
    SdbDatum v;
    CU_ASSERT_EQUAL(sdb_type_input(&ctx, "user", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->hint, "A name must follow the \"group\" or \"user\" key word.");
    CU_ASSERT_EQUAL(sdb_type_input(&ctx, "", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->hint, "ACL key word must be \"group\" or \"user\".");
    sdb_error_clear();
}

/* No binary form (as in PostgreSQL); equality and hashing by value. */
static void test_aclitem_binary_and_ops(void)
{
    SdbDatum a = tt_in(ACL, "10=r*w/10"), b = tt_in(ACL, " 10 =r*w/ 10 "), c = tt_in(ACL, "10=rw/10");
    SdbTypeCtx ctx = tt_ctx(ACL, -1);
    SdbStr wire;
    sdb_str_init(&wire, tt_arena);
    CU_ASSERT_EQUAL(sdb_type_send(&ctx, a, &wire), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 42883: no binary output function available for type aclitem");
    CU_ASSERT_STRING_EQUAL(tt_recv(ACL, -1, "", 0),
                           "ERROR 42883: no binary input function available for type aclitem");
    const SdbTypeOps *ops = sdb_type_ops(ACL);
    CU_ASSERT_EQUAL(ops->compare(a, b), 0);
    CU_ASSERT_EQUAL(ops->hash(a), ops->hash(b));
    CU_ASSERT_NOT_EQUAL(ops->compare(a, c), 0);
    CU_ASSERT_EQUAL(ops->compare(a, c), -ops->compare(c, a));
    /* arrays of aclitem (relacl) */
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_ACLITEM_ARRAY, -1, "{10=arwdDxt/10,=r/10}", NULL),
                           "{10=arwdDxt/10,=r/10}");
}

#define CARD SDB_TYPEOID_CARDINAL_NUMBER
#define YESNO SDB_TYPEOID_YES_OR_NO
#define CARD_CHECK                                                                                                     \
    "ERROR 23514: value for domain information_schema.cardinal_number violates check constraint "                     \
    "\"cardinal_number_domain_check\""
#define YESNO_CHECK                                                                                                    \
    "ERROR 23514: value for domain information_schema.yes_or_no violates check constraint \"yes_or_no_check\""

/* domain_in: the base type's input with the domain's typmod, then CHECK
 * (the column typmod passed in is ignored, as PostgreSQL's domain_in does) */
static const TtCase domain_cases[] = {
    {CARD, -1, "5", "5"},
    {CARD, -1, " 0 ", "0"},
    {CARD, -1, "2147483647", "2147483647"},
    {CARD, -1, "-1", CARD_CHECK},
    {CARD, -1, "x", "ERROR 22P02: invalid input syntax for type integer: \"x\""},
    {CARD, -1, "2147483648", "ERROR 22003: value \"2147483648\" is out of range for type integer"},
    {YESNO, -1, "YES", "YES"},
    {YESNO, -1, "NO", "NO"},
    {YESNO, -1, "YES ", "YES"},
    {YESNO, 100, "NO", "NO"},
    {YESNO, -1, "yes", YESNO_CHECK},
    {YESNO, -1, "", YESNO_CHECK},
    {YESNO, -1, "N", YESNO_CHECK},
    {YESNO, -1, "YESS", "ERROR 22001: value too long for type character varying(3)"},
    {YESNO, -1, "maybe", "ERROR 22001: value too long for type character varying(3)"},
    {SDB_TYPEOID_SQL_IDENTIFIER, -1, "pg_class", "pg_class"},
    {SDB_TYPEOID_SQL_IDENTIFIER, -1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    {SDB_TYPEOID_CHARACTER_DATA, -1, "anything at all", "anything at all"},
    {SDB_TYPEOID_CHARACTER_DATA, -1, "bad \xff", "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xff"},
};

static void test_domain_io(void)
{
    TT_RUN(domain_cases);
}

/* domain_recv: the base type's binary input, then CHECK. */
static void test_domain_receive(void)
{
    CU_ASSERT_STRING_EQUAL(tt_recv(CARD, -1, "\x00\x00\x00\x07", 4), "7");
    CU_ASSERT_STRING_EQUAL(tt_recv(CARD, -1, "\xff\xff\xff\xff", 4), CARD_CHECK);
    CU_ASSERT_STRING_EQUAL(tt_recv(CARD, -1, "\x00\x01", 2), "ERROR 08P01: insufficient data left in message");
    CU_ASSERT_STRING_EQUAL(tt_recv(YESNO, -1, "NO", 2), "NO");
    CU_ASSERT_STRING_EQUAL(tt_recv(YESNO, -1, "no", 2), YESNO_CHECK);
    CU_ASSERT_STRING_EQUAL(tt_recv(YESNO, -1, "YESS", 4), "ERROR 22001: value too long for type character varying(3)");
    char longname[70];
    memset(longname, 'x', sizeof longname);
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_SQL_IDENTIFIER, -1, longname, sizeof longname),
                           "ERROR 42622: identifier too long DETAIL: Identifier must be less than 64 characters.");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(CARD, "258"), "00000102");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(YESNO, "YES"), "594553");
    /* domain_in on a type that is not a domain */
    SdbTypeCtx ctx = tt_ctx(SDB_TYPEOID_INT4, -1);
    SdbDatum v;
    CU_ASSERT_EQUAL(sdb_domain_in(&ctx, "1", &v), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR XX000: type 23 is not a domain");
}

/* Domains have their base type's operations; arrays of them work. */
static void test_domain_ops_and_arrays(void)
{
    CU_ASSERT_PTR_EQUAL(sdb_type_ops(CARD), sdb_type_ops(SDB_TYPEOID_INT4));
    CU_ASSERT_PTR_EQUAL(sdb_type_ops(SDB_TYPEOID_SQL_IDENTIFIER), sdb_type_ops(SDB_TYPEOID_NAME));
    CU_ASSERT_PTR_EQUAL(sdb_type_ops(YESNO), sdb_type_ops(SDB_TYPEOID_VARCHAR));
    static const char *const cards[] = {"0", "9", "10", "2147483647"};
    tt_check_ascending(CARD, cards, 4);
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_CARDINAL_NUMBER_ARRAY, -1, "{1,NULL,3}", NULL), "{1,NULL,3}");
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_CARDINAL_NUMBER_ARRAY, -1, "{1,-3}", NULL), CARD_CHECK);
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_YES_OR_NO_ARRAY, -1, "{YES,NO}", NULL), "{YES,NO}");
    SdbDatum a = tt_in(SDB_TYPEOID_YES_OR_NO_ARRAY, "{YES,NO}");
    tt_check_binary(SDB_TYPEOID_YES_OR_NO_ARRAY, a, "{YES,NO}");
    const SdbTypeOps *ops = sdb_type_ops(SDB_TYPEOID_YES_OR_NO_ARRAY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_TRUE(ops->compare(a, tt_in(SDB_TYPEOID_YES_OR_NO_ARRAY, "{YES,YES}")) < 0);
}

static CU_TestInfo tests[] = {
    {"pg_node_tree is never accepted from a client", test_pg_node_tree},
    {"aclitem input/output (PostgreSQL 15 cases)", test_aclitem_io},
    {"aclitem has no binary form; equality and hash", test_aclitem_binary_and_ops},
    {"information_schema domains: domain_in", test_domain_io},
    {"information_schema domains: domain_recv and send", test_domain_receive},
    {"domains: base operations, arrays", test_domain_ops_and_arrays},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_catalog", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
