/*
 * test_str.c: the SdbStr buffer and the ASCII string helpers (str.h).
 */
#include <string.h>
#include <wchar.h>

#include "common/str.h"
#include "harness.h"

static SdbArena *arena;

static int create_arena(void)
{
    arena = sdb_arena_create(NULL, "test_str", 0);
    return arena ? 0 : 1;
}

static int destroy_arena(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

static void test_empty_string(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_STRING_EQUAL(s.data, "");
    CU_ASSERT_EQUAL(s.len, 0);
    sdb_str_reset(&s);
    CU_ASSERT_STRING_EQUAL(s.data, "");
    CU_ASSERT_EQUAL(sdb_str_append(&s, "", 0), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.data, "");
}

static void test_appends(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_str_append_cstr(&s, "select"), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_append_char(&s, ' '), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "%d + %s", 1, "two"), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_append(&s, ";xyz", 1), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.data, "select 1 + two;");
    CU_ASSERT_EQUAL(s.len, strlen("select 1 + two;"));
    sdb_str_reset(&s);
    CU_ASSERT_EQUAL(s.len, 0);
    CU_ASSERT_STRING_EQUAL(s.data, "");
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "again"), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.data, "again");
}

static void test_embedded_nul(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_str_append(&s, "a\0b", 3), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_append_char(&s, '\0'), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 4);
    CU_ASSERT_EQUAL(memcmp(s.data, "a\0b\0", 5), 0);
}

static void test_growth_keeps_content(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    for (int i = 0; i < 10000; i++) {
        CU_ASSERT_EQUAL_FATAL(sdb_str_appendf(&s, "%04d,", i), SDB_OK);
        CU_ASSERT_EQUAL_FATAL(s.data[s.len], '\0');
    }
    CU_ASSERT_EQUAL(s.len, 50000);
    CU_ASSERT_EQUAL(strncmp(s.data + 5 * 1234, "1234,", 5), 0);
    /* One append much larger than the buffer. */
    char big[100000];
    memset(big, 'q', sizeof big);
    CU_ASSERT_EQUAL(sdb_str_append(&s, big, sizeof big), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "%.*s|", 70000, s.data + 50000), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 220001);
    CU_ASSERT_EQUAL(s.data[s.len - 1], '|');
    CU_ASSERT_EQUAL(s.data[s.len - 2], 'q');
    CU_ASSERT_EQUAL(strlen(s.data), s.len);
}

/* Each append, failing, reports 53200 and leaves the string as it was. */
static void test_failed_append_leaves_string_intact(void)
{
    SdbArena *small = sdb_arena_create(NULL, "small", 64 * 1024);
    SdbStr s;
    sdb_str_init(&s, small);
    CU_ASSERT_EQUAL(sdb_str_append_cstr(&s, "keep"), SDB_OK);
    char big[70000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CU_ASSERT_EQUAL(sdb_str_append_cstr(&s, big), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "%s", big), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
    CU_ASSERT_STRING_EQUAL(s.data, "keep");
    CU_ASSERT_EQUAL(s.len, 4);
    /* An injected malloc failure while growing: whole appends only. */
    for (long n = 0; n < 2; n++) {
        SdbStr t;
        sdb_str_init(&t, arena);
        sdb_memory_fail_after(n);
        int rc = SDB_OK;
        while (rc == SDB_OK && t.len < 20000)
            rc = sdb_str_appendf(&t, "%s", "0123456789");
        sdb_memory_fail_after(-1);
        CU_ASSERT_EQUAL(rc, SDB_ERROR);
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
        CU_ASSERT_EQUAL(strlen(t.data), t.len);
        CU_ASSERT_EQUAL(t.len % 10, 0);
    }
    sdb_error_clear();
    sdb_arena_destroy(small);
}

static void test_format_failure(void)
{
    static const wchar_t bad[] = {(wchar_t)0xD800, 0};
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "%ls", bad), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    CU_ASSERT_STRING_EQUAL(s.data, "");
    CU_ASSERT_EQUAL(sdb_str_append_cstr(&s, "ok"), SDB_OK);
    CU_ASSERT_EQUAL(sdb_str_appendf(&s, "%ls", bad), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(s.data, "ok");
    sdb_error_clear();
}

static void test_strcasecmp_ascii(void)
{
    CU_ASSERT_EQUAL(sdb_strcasecmp_ascii("Work_Mem", "work_mem"), 0);
    CU_ASSERT_EQUAL(sdb_strcasecmp_ascii("", ""), 0);
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("abc", "ABD") < 0);
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("abcd", "ABC") > 0);
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("ab", "abc") < 0);
    /* Only ASCII letters fold: bytes >= 0x80 compare as unsigned bytes. */
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("\xc3\xa9", "\xc3\x89") != 0);
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("\xc3", "a") > 0);
    CU_ASSERT_TRUE(sdb_strcasecmp_ascii("[", "a") < 0);
}

static void test_trim(void)
{
    char a[] = " \t\n shared_buffers = 128MB \r\n\f\v";
    CU_ASSERT_EQUAL(sdb_str_trim(a), strlen("shared_buffers = 128MB"));
    CU_ASSERT_STRING_EQUAL(a, "shared_buffers = 128MB");
    char b[] = "   ";
    CU_ASSERT_EQUAL(sdb_str_trim(b), 0);
    CU_ASSERT_STRING_EQUAL(b, "");
    char c[] = "x";
    CU_ASSERT_EQUAL(sdb_str_trim(c), 1);
    CU_ASSERT_STRING_EQUAL(c, "x");
    char d[] = "";
    CU_ASSERT_EQUAL(sdb_str_trim(d), 0);
    char e[] = "\xa0x\xa0";
    CU_ASSERT_EQUAL(sdb_str_trim(e), 3);
}

static CU_TestInfo tests[] = {
    {"empty string", test_empty_string},
    {"appends", test_appends},
    {"embedded NUL", test_embedded_nul},
    {"growth keeps content", test_growth_keeps_content},
    {"failed append leaves string intact", test_failed_append_leaves_string_intact},
    {"vsnprintf failure", test_format_failure},
    {"strcasecmp_ascii", test_strcasecmp_ascii},
    {"trim", test_trim},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"str", create_arena, destroy_arena, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
