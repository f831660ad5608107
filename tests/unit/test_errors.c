/*
 * test_errors.c: the generated SQLSTATE table and the error slot (error.h).
 */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "harness.h"

static void test_sqlstate_lookup(void)
{
    SdbErrcode code;
    CU_ASSERT_TRUE(sdb_errcode_by_sqlstate("22012", &code));
    CU_ASSERT_EQUAL(code, SDB_ERR_DIVISION_BY_ZERO);
    CU_ASSERT_STRING_EQUAL(sdb_errcode_info(code)->name, "division_by_zero");
    CU_ASSERT_STRING_EQUAL(sdb_errcode_class(code)->code, "22");
    CU_ASSERT_STRING_EQUAL(sdb_errcode_class(code)->name, "Data Exception");
    CU_ASSERT_FALSE(sdb_errcode_by_sqlstate("ZZ999", &code));
    CU_ASSERT_FALSE(sdb_errcode_by_sqlstate("", &code));
}

static void test_every_code_round_trips(void)
{
    for (int i = 0; i < SDB_ERRCODE_COUNT; i++) {
        SdbErrcode found;
        const SdbErrcodeInfo *info = sdb_errcode_info((SdbErrcode)i);
        CU_ASSERT_EQUAL(strlen(info->sqlstate), 5);
        CU_ASSERT_TRUE(sdb_errcode_by_sqlstate(info->sqlstate, &found));
        CU_ASSERT_EQUAL(found, (SdbErrcode)i);
        CU_ASSERT_EQUAL(strncmp(info->sqlstate, sdb_errcode_class(found)->code, 2), 0);
        CU_ASSERT_TRUE(sdb_errcode_by_condition(info->condition, &found));
        CU_ASSERT_STRING_EQUAL(sdb_errcode_info(found)->condition, info->condition);
    }
    CU_ASSERT_TRUE(SDB_ERRCODE_COUNT >= 250);
}

static void test_condition_lookup(void)
{
    SdbErrcode code;
    CU_ASSERT_TRUE(sdb_errcode_by_condition("unique_violation", &code));
    CU_ASSERT_STRING_EQUAL(sdb_errcode_info(code)->sqlstate, "23505");
    /* A condition name shared by two codes finds the first listed. */
    CU_ASSERT_TRUE(sdb_errcode_by_condition("string_data_right_truncation", &code));
    CU_ASSERT_STRING_EQUAL(sdb_errcode_info(code)->sqlstate, "01004");
    CU_ASSERT_FALSE(sdb_errcode_by_condition("no_such_condition", &code));
}

static void test_error_slot(void)
{
    sdb_error_clear();
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SUCCESSFUL_COMPLETION);
    int rc = sdb_error(SDB_ERR_UNDEFINED_TABLE, SDB_ERRMSG_UNDEFINED_TABLE, "t1");
    CU_ASSERT_EQUAL(rc, SDB_ERROR);
    sdb_error_detail("detail %d", 7);
    sdb_error_hint("try %s", "again");
    sdb_error_position(15);
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_UNDEFINED_TABLE);
    CU_ASSERT_STRING_EQUAL(e->message, "relation \"t1\" does not exist");
    CU_ASSERT_STRING_EQUAL(e->detail, "detail 7");
    CU_ASSERT_STRING_EQUAL(e->hint, "try again");
    CU_ASSERT_EQUAL(e->position, 15);
    CU_ASSERT_EQUAL(e->severity, SDB_SEVERITY_ERROR);
    /* A new error replaces every field of the old one. */
    sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
    CU_ASSERT_STRING_EQUAL(e->detail, "");
    CU_ASSERT_EQUAL(e->position, 0);
    sdb_error_prefix("while testing");
    CU_ASSERT_STRING_EQUAL(e->message, "while testing: division by zero");
    sdb_error_clear();
    CU_ASSERT_STRING_EQUAL(e->message, "");
}

static void test_long_message_is_truncated(void)
{
    char big[4 * SDB_ERROR_MESSAGE_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sdb_error(SDB_ERR_INTERNAL_ERROR, "%s", big);
    CU_ASSERT_EQUAL(strlen(sdb_error_last()->message), SDB_ERROR_MESSAGE_MAX - 1);
    /* A multi-byte character cut by the limit is dropped whole. */
    for (size_t i = 0; i + 2 < sizeof big; i += 3)
        memcpy(big + i, "\xe2\x82\xac", 3); /* the euro sign */
    big[sizeof big - 1] = '\0';
    sdb_error(SDB_ERR_INTERNAL_ERROR, "x%s", big); /* 1 + 3k bytes: the cut lands inside a character */
    size_t len = strlen(sdb_error_last()->message);
    CU_ASSERT_EQUAL((len - 1) % 3, 0);
    CU_ASSERT_TRUE(len >= SDB_ERROR_MESSAGE_MAX - 3);
}

static void test_errno_mapping(void)
{
    sdb_error_errno(ENOSPC, "could not write file \"%s\" at offset %d", "base/1", 8192);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DISK_FULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "base/1\" at offset 8192: No space left on device"));
    CU_ASSERT_EQUAL(sdb_errcode_for_errno(EIO), SDB_ERR_IO_ERROR);
    CU_ASSERT_EQUAL(sdb_errcode_for_errno(ENOENT), SDB_ERR_UNDEFINED_FILE);
    CU_ASSERT_EQUAL(sdb_errcode_for_errno(EACCES), SDB_ERR_INSUFFICIENT_PRIVILEGE);
    CU_ASSERT_EQUAL(sdb_errcode_for_errno(EBADF), SDB_ERR_INTERNAL_ERROR);
}

static CU_TestInfo tests[] = {
    {"SQLSTATE lookup", test_sqlstate_lookup},
    {"every code round-trips", test_every_code_round_trips},
    {"condition name lookup", test_condition_lookup},
    {"error slot fields", test_error_slot},
    {"long message truncated", test_long_message_is_truncated},
    {"errno mapping", test_errno_mapping},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"errors", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
