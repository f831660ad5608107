/*
 * test_settings.c: the generated settings table and config/settings.h:
 * defaults, units, ranges, enums, booleans, contexts, sources, the config
 * file parser and SHOW formatting.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"

static SdbSettings s;

static int setup(void)
{
    return sdb_settings_init(&s) == SDB_OK ? 0 : 1;
}

static int teardown(void)
{
    sdb_settings_free(&s);
    return 0;
}

static const char *show(const char *name)
{
    static char buf[256];
    int id = sdb_settings_find(name);
    CU_ASSERT_TRUE_FATAL(id >= 0);
    sdb_settings_show(&s, id, buf, sizeof buf);
    return buf;
}

static void reset(void)
{
    sdb_settings_free(&s);
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&s), SDB_OK);
}

static void expect_error(const char *name, const char *value, SdbSettingSource source, SdbErrcode code,
                         const char *message)
{
    CU_ASSERT_EQUAL(sdb_settings_set(&s, name, value, source), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, code);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, message);
}

/* What SHOW prints for a parameter nobody set: its spec default, except
 * server_version, which names specdb's version too. */
static const char *default_shown(int id)
{
    return id == SDB_SETTING_ID_SERVER_VERSION ? sdb_server_version() : sdb_setting_defs[id].default_text;
}

static void test_defaults(void)
{
    reset();
    CU_ASSERT_EQUAL(s.port, 5433);
    CU_ASSERT_EQUAL(s.http_port, 8080);
    CU_ASSERT_EQUAL(s.shared_buffers, 131072); /* kB */
    CU_ASSERT_TRUE(s.fsync);
    CU_ASSERT_STRING_EQUAL(s.listen_addresses, "127.0.0.1");
    CU_ASSERT_EQUAL(s.buffer_eviction, SDB_BUFFER_EVICTION_CLOCK);
    CU_ASSERT_EQUAL(s.default_transaction_isolation, SDB_DEFAULT_TRANSACTION_ISOLATION_READ_COMMITTED);
    CU_ASSERT_STRING_EQUAL(show("shared_buffers"), "128MB");
    CU_ASSERT_STRING_EQUAL(show("checkpoint_timeout"), "5min");
    CU_ASSERT_STRING_EQUAL(show("statement_timeout"), "0");
    CU_ASSERT_STRING_EQUAL(show("DateStyle"), "ISO, MDY");
    CU_ASSERT_STRING_EQUAL(show("datestyle"), "ISO, MDY");
    CU_ASSERT_STRING_EQUAL(show("fsync"), "on");
    CU_ASSERT_STRING_EQUAL(show("server_version"), "15.0 (specdb " SPECDB_VERSION ")");
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        char buf[256];
        sdb_settings_show(&s, id, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, default_shown(id));
    }
}

static void test_units(void)
{
    reset();
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "work_mem", "64MB", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_EQUAL(s.work_mem, 65536);
    CU_ASSERT_STRING_EQUAL(show("work_mem"), "64MB");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "work_mem", "1.5GB", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_EQUAL(s.work_mem, 1572864);
    CU_ASSERT_STRING_EQUAL(show("work_mem"), "1536MB");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "work_mem", "1000", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_STRING_EQUAL(show("work_mem"), "1000kB");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "statement_timeout", "1.5s", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_EQUAL(s.statement_timeout, 1500);
    CU_ASSERT_STRING_EQUAL(show("statement_timeout"), "1500ms");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "statement_timeout", "2 min", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_STRING_EQUAL(show("statement_timeout"), "2min");
    expect_error("work_mem", "10 parsecs", SDB_SOURCE_SESSION, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"work_mem\": \"10 parsecs\"");
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->hint, "\"kB\", \"MB\""));
    expect_error("statement_timeout", "5MB", SDB_SOURCE_SESSION, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"statement_timeout\": \"5MB\"");
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->hint, "\"ms\", \"s\""));
    expect_error("max_connections", "10kB", SDB_SOURCE_FILE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"max_connections\": \"10kB\"");
}

static void test_ranges_and_types(void)
{
    reset();
    expect_error("port", "0", SDB_SOURCE_COMMAND_LINE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "0 is outside the valid range for parameter \"port\" (1 .. 65535)");
    expect_error("port", "70000", SDB_SOURCE_COMMAND_LINE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "70000 is outside the valid range for parameter \"port\" (1 .. 65535)");
    expect_error("port", "abc", SDB_SOURCE_COMMAND_LINE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"port\": \"abc\"");
    expect_error("port", "", SDB_SOURCE_COMMAND_LINE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"port\": \"\"");
    expect_error("port", "1e400", SDB_SOURCE_COMMAND_LINE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"port\": \"1e400\"");
    CU_ASSERT_EQUAL(s.port, 5433); /* unchanged by failures */
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "PORT", "6000", SDB_SOURCE_COMMAND_LINE), SDB_OK);
    CU_ASSERT_EQUAL(s.port, 6000);
    expect_error("no_such_thing", "1", SDB_SOURCE_SESSION, SDB_ERR_UNDEFINED_OBJECT,
                 "unrecognized configuration parameter \"no_such_thing\"");
}

static void test_bool_and_enum(void)
{
    reset();
    const char *yes[] = {"on", "true", "yes", "1", "t", "TRUE", "y"};
    const char *no[] = {"off", "false", "no", "0", "f", "of", "N"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        CU_ASSERT_EQUAL(sdb_settings_set(&s, "fsync", no[i], SDB_SOURCE_FILE), SDB_OK);
        CU_ASSERT_FALSE(s.fsync);
        CU_ASSERT_EQUAL(sdb_settings_set(&s, "fsync", yes[i], SDB_SOURCE_FILE), SDB_OK);
        CU_ASSERT_TRUE(s.fsync);
    }
    expect_error("fsync", "o", SDB_SOURCE_FILE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "parameter \"fsync\" requires a Boolean value");
    expect_error("fsync", "maybe", SDB_SOURCE_FILE, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "parameter \"fsync\" requires a Boolean value");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "IntervalStyle", "ISO_8601", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_EQUAL(s.intervalstyle, SDB_INTERVALSTYLE_ISO_8601);
    CU_ASSERT_STRING_EQUAL(show("intervalstyle"), "iso_8601");
    expect_error("IntervalStyle", "klingon", SDB_SOURCE_SESSION, SDB_ERR_INVALID_PARAMETER_VALUE,
                 "invalid value for parameter \"IntervalStyle\": \"klingon\"");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->hint, "Available values: postgres, postgres_verbose, sql_standard, iso_8601.");
}

static void test_contexts_and_sources(void)
{
    reset();
    expect_error("port", "6000", SDB_SOURCE_SESSION, SDB_ERR_CANT_CHANGE_RUNTIME_PARAM,
                 "parameter \"port\" cannot be changed without restarting the server");
    expect_error("fsync", "off", SDB_SOURCE_SESSION, SDB_ERR_CANT_CHANGE_RUNTIME_PARAM,
                 "parameter \"fsync\" cannot be changed now");
    expect_error("server_version", "16", SDB_SOURCE_FILE, SDB_ERR_CANT_CHANGE_RUNTIME_PARAM,
                 "parameter \"server_version\" cannot be changed");
    expect_error("block_size", "8192", SDB_SOURCE_COMMAND_LINE, SDB_ERR_CANT_CHANGE_RUNTIME_PARAM,
                 "parameter \"block_size\" can only be set at specdb init");
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "block_size", "8kB", SDB_SOURCE_INIT), SDB_OK);
    CU_ASSERT_EQUAL(s.block_size, 8192);
    /* The command line beats the file, whatever the order. */
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "port", "7000", SDB_SOURCE_COMMAND_LINE), SDB_OK);
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "port", "7001", SDB_SOURCE_FILE), SDB_OK);
    CU_ASSERT_EQUAL(s.port, 7000);
    CU_ASSERT_EQUAL(s.source[SDB_SETTING_ID_PORT], SDB_SOURCE_COMMAND_LINE);
    /* A session may change session parameters. */
    CU_ASSERT_EQUAL(sdb_settings_set(&s, "application_name", "psql", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.application_name, "psql");
}

static void test_set_option_and_copy(void)
{
    reset();
    CU_ASSERT_EQUAL(sdb_settings_set_option(&s, "log_min_messages=debug1", SDB_SOURCE_COMMAND_LINE), SDB_OK);
    CU_ASSERT_EQUAL(s.log_min_messages, SDB_LOG_MIN_MESSAGES_DEBUG1);
    CU_ASSERT_EQUAL(sdb_settings_set_option(&s, "search_path=a,b", SDB_SOURCE_COMMAND_LINE), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.search_path, "a,b");
    CU_ASSERT_EQUAL(sdb_settings_set_option(&s, "port", SDB_SOURCE_COMMAND_LINE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_SYNTAX_ERROR);
    CU_ASSERT_EQUAL(sdb_settings_set_option(&s, "=5", SDB_SOURCE_COMMAND_LINE), SDB_ERROR);
    SdbSettings copy;
    CU_ASSERT_EQUAL_FATAL(sdb_settings_copy(&copy, &s), SDB_OK);
    CU_ASSERT_STRING_EQUAL(copy.search_path, "a,b");
    CU_ASSERT_PTR_NOT_EQUAL(copy.search_path, s.search_path);
    CU_ASSERT_EQUAL(sdb_settings_set(&copy, "search_path", "c", SDB_SOURCE_SESSION), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.search_path, "a,b");
    sdb_settings_free(&copy);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_config_file(void)
{
    char dir[256], path[300];
    sdb_test_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/specdb.conf", dir);
    reset();
    write_file(path, "# a comment\n"
                     "\n"
                     "port = 6543   # trailing comment\n"
                     "shared_buffers='256MB'\n"
                     "application_name = 'it''s \\'quoted\\' # not a comment'\n"
                     "  fsync off\n"
                     "DateStyle = 'ISO, DMY'\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_OK);
    CU_ASSERT_EQUAL(s.port, 6543);
    CU_ASSERT_EQUAL(s.shared_buffers, 262144);
    CU_ASSERT_STRING_EQUAL(s.application_name, "it's 'quoted' # not a comment");
    CU_ASSERT_FALSE(s.fsync);
    CU_ASSERT_STRING_EQUAL(s.datestyle, "ISO, DMY");

    write_file(path, "port = 6543\nport = 99999\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    char expected[512];
    snprintf(expected, sizeof expected,
             "%s:2: 99999 is outside the valid range for parameter \"port\" (1 .. 65535)", path);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, expected);

    write_file(path, "port = 'unterminated\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_CONFIG_FILE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "line 1"));

    write_file(path, "port = 5 6\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_CONFIG_FILE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "near token \"6\""));

    write_file(path, "= 5\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_CONFIG_FILE_ERROR);

    write_file(path, "bogus_setting = 1\n");
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_OBJECT);

    snprintf(path, sizeof path, "%s/missing.conf", dir);
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
}

static void test_sample_conf_loads(void)
{
    char dir[256], path[300];
    sdb_test_tempdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/specdb.conf", dir);
    /* Uncomment every line of the sample: every default must parse back. */
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (const char *p = sdb_settings_sample_conf; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 1 && p[0] == '#' && p[1] != ' ' && p[1] != '\n' && p[1] != '-')
            fprintf(f, "%.*s\n", (int)len - 1, p + 1);
        p += len + (nl != NULL);
    }
    fclose(f);
    reset();
    CU_ASSERT_EQUAL(sdb_settings_load_file(&s, path, SDB_SOURCE_FILE), SDB_OK);
    for (int id = 0; id < SDB_SETTING_COUNT; id++) {
        char buf[256];
        sdb_settings_show(&s, id, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, default_shown(id));
    }
}

static CU_TestInfo tests[] = {
    {"defaults", test_defaults},
    {"units", test_units},
    {"ranges and types", test_ranges_and_types},
    {"bool and enum", test_bool_and_enum},
    {"contexts and sources", test_contexts_and_sources},
    {"--set and copy", test_set_option_and_copy},
    {"config file", test_config_file},
    {"sample config loads", test_sample_conf_loads},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"settings", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
