/*
 * test_session_sysfuncs.c: what needs a session and its catalog, through
 * the embedded API: session information functions (version, current_user
 * and friends, current_schema(s), current_setting/set_config,
 * has_*_privilege, pg_table_is_visible, pg_get_indexdef, pg_get_constraintdef,
 * pg_get_expr, pg_get_userbyid), the
 * reg* types' input and output by name (search_path respected, PostgreSQL's
 * errors), nextval('name') and serial columns, pg_settings
 * (pg_show_all_settings) following SET and RESET.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "config/settings.h"
#include "harness.h"
#include "session/session.h"

static SdbInstance *db;
static SdbSession *session;
static char datadir[512];
static SdbArena *arena;
static SdbStr text;

/* Rows as "a|b" lines. */
static int cap_rows(void *arg, const SdbBatch *batch)
{
    (void)arg;
    for (int i = 0; i < sdb_batch_live(batch); i++) {
        int row = sdb_batch_row(batch, i);
        for (int col = 0; col < batch->ncols; col++) {
            if (col)
                sdb_str_append_char(&text, '|');
            if (sdb_vector_is_null(&batch->cols[col], row))
                sdb_str_append_cstr(&text, "NULL");
            else if (sdb_session_output_text(session, batch->cols[col].type, batch->cols[col].values[row], &text) !=
                     SDB_OK)
                return SDB_ERROR;
        }
        sdb_str_append_char(&text, '\n');
    }
    return SDB_OK;
}

static SdbResultSink sink = {.rows = cap_rows};

/* Run `sql`: its rows, or "E <sqlstate> <message>". */
static const char *run(const char *sql)
{
    sdb_str_init(&text, arena);
    sdb_str_append(&text, "", 0);
    if (sdb_session_execute(session, sql, &sink) != SDB_OK) {
        const SdbErrorData *e = sdb_error_last();
        sdb_str_appendf(&text, "E %s %s", sdb_errcode_info(e->code)->sqlstate, e->message);
        sdb_error_clear();
    }
    return text.data;
}

static int setup(void)
{
    sdb_test_tempdir(datadir, sizeof datadir);
    arena = sdb_arena_create(NULL, "capture", 0);
    SdbSettings settings;
    if (sdb_settings_init(&settings) != SDB_OK)
        return 1;
    db = sdb_instance_open(datadir, &settings);
    sdb_settings_free(&settings);
    session = db ? sdb_session_open(db, "postgres", "postgres") : NULL;
    if (session == NULL)
        sdb_error_print(stderr);
    return session == NULL;
}

static int teardown(void)
{
    sdb_session_close(session);
    int rc = sdb_instance_close(db);
    sdb_arena_destroy(arena);
    return rc != SDB_OK;
}

static void test_session_information(void)
{
    CU_ASSERT_STRING_EQUAL(run("select current_user, session_user, user, current_role, current_catalog"),
                           "postgres|postgres|postgres|postgres|postgres\n");
    CU_ASSERT_STRING_EQUAL(run("select current_database(), current_schema, current_schema()"),
                           "postgres|public|public\n");
    CU_ASSERT_STRING_EQUAL(run("select current_schemas(true), current_schemas(false)"),
                           "{pg_catalog,public}|{public}\n");
    CU_ASSERT_STRING_EQUAL(run("select version() like 'PostgreSQL 15.0 (specdb %) on x86_64-pc-linux-gnu, %'"),
                           "t\n");
    CU_ASSERT_STRING_EQUAL(run("select version() like 'PostgreSQL ' || current_setting('server_version') || ' on %'"), "t\n");
    CU_ASSERT_STRING_EQUAL(run("select pg_backend_pid() > 0"), "t\n");
    CU_ASSERT_STRING_EQUAL(run("select pg_get_userbyid(10), pg_get_userbyid(7)"), "postgres|unknown (OID=7)\n");
    sdb_session_set_backend_pid(session, 4242);
    CU_ASSERT_STRING_EQUAL(run("select pg_backend_pid()"), "4242\n");
    CU_ASSERT_STRING_EQUAL(run("select current_setting('nosuch')"),
                           "E 42704 unrecognized configuration parameter \"nosuch\"");
    CU_ASSERT_STRING_EQUAL(run("select current_setting('nosuch', true)"), "NULL\n");
    CU_ASSERT_STRING_EQUAL(run("select current_setting('transaction_isolation', true), "
                               "current_setting('TimeZone') = current_setting('timezone')"),
                           "read committed|t\n");
    CU_ASSERT_STRING_EQUAL(run("select set_config('work_mem', '8MB', false), current_setting('work_mem')"),
                           "8MB|8MB\n");
    run("begin");
    CU_ASSERT_STRING_EQUAL(run("select set_config('work_mem', '16MB', true)"), "16MB\n");
    run("commit");
    CU_ASSERT_STRING_EQUAL(run("show work_mem"), "8MB\n");
    /* a search_path without existing schemas */
    run("set search_path = nosuch");
    CU_ASSERT_STRING_EQUAL(run("select current_schema, current_schemas(true)"), "NULL|{pg_catalog}\n");
    run("reset search_path");
}

static void test_reg_types(void)
{
    CU_ASSERT_STRING_EQUAL(run("create table p (id serial primary key, name text default 'n')"), "");
    CU_ASSERT_STRING_EQUAL(run("insert into p(name) values ('a') returning id"), "1\n");
    CU_ASSERT_STRING_EQUAL(run("insert into p(name) values ('b'), ('c') returning id"), "2\n3\n");
    CU_ASSERT_STRING_EQUAL(run("select nextval('p_id_seq'), currval('public.p_id_seq')"), "4|4\n");
    CU_ASSERT_STRING_EQUAL(run("select nextval('s')"), "E 42P01 relation \"s\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select 'p'::regclass, 'PUBLIC.P'::regclass, '\"p\"'::regclass, 'pg_class'::regclass"),
                           "p|p|p|pg_class\n");
    CU_ASSERT_STRING_EQUAL(run("select 'p'::regclass = (select oid from pg_class where relname = 'p')"), "t\n");
    CU_ASSERT_STRING_EQUAL(run("select 'x.public.p'::regclass"),
                           "E 0A000 cross-database references are not implemented: x.public.p");
    CU_ASSERT_STRING_EQUAL(run("select 'a..b'::regclass"), "E 42602 invalid name syntax");
    CU_ASSERT_STRING_EQUAL(run("select 'int4'::regtype, 'double precision'::regtype, 'varchar(3)[]'::regtype"),
                           "integer|double precision|character varying[]\n");
    CU_ASSERT_STRING_EQUAL(run("select 'nosuch'::regtype"), "E 42704 type \"nosuch\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select 'public'::regnamespace, 'pg_catalog'::regnamespace::oid"), "public|11\n");
    CU_ASSERT_STRING_EQUAL(run("select 'nosuch'::regnamespace"), "E 3F000 schema \"nosuch\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select 'now'::regproc, 'abs'::regproc"),
                           "E 42725 more than one function named \"abs\"");
    CU_ASSERT_STRING_EQUAL(run("select 'now'::regproc, 'pg_catalog.upper'::regproc"), "now|upper\n");
    CU_ASSERT_STRING_EQUAL(run("select 'now'::regproc, 'nosuch'::regproc::oid"),
                           "E 42883 function \"nosuch\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select 'postgres'::regrole, 'nobody'::regrole"),
                           "E 42704 role \"nobody\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select 0::oid::regclass, 999999::oid::regclass, '-'::regtype"), "-|999999|-\n");
    /* output qualifies a relation the search path does not find */
    CU_ASSERT_STRING_EQUAL(run("create schema s2"), "");
    CU_ASSERT_STRING_EQUAL(run("create table s2.\"Q r\" (a int)"), "");
    CU_ASSERT_STRING_EQUAL(run("select 's2.\"Q r\"'::regclass"), "s2.\"Q r\"\n");
    run("set search_path = s2, public");
    CU_ASSERT_STRING_EQUAL(run("select '\"Q r\"'::regclass, 'p'::regclass"), "\"Q r\"|p\n");
    run("reset search_path");
    CU_ASSERT_STRING_EQUAL(run("select '\"Q r\"'::regclass"), "E 42P01 relation \"\"Q r\"\" does not exist");
}

static void test_catalog_functions(void)
{
    CU_ASSERT_STRING_EQUAL(run("select has_table_privilege('p', 'SELECT, INSERT WITH GRANT OPTION'), "
                               "has_table_privilege('p'::regclass::oid, 'update'), has_table_privilege(1, 'select')"),
                           "t|t|NULL\n");
    CU_ASSERT_STRING_EQUAL(run("select has_table_privilege('q', 'SELECT')"), "E 42P01 relation \"q\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select has_table_privilege('p', 'usage')"),
                           "E 22023 unrecognized privilege type: \"usage\"");
    CU_ASSERT_STRING_EQUAL(run("select has_schema_privilege('public', 'USAGE'), has_database_privilege('postgres', "
                               "'connect')"),
                           "t|t\n");
    CU_ASSERT_STRING_EQUAL(run("select has_schema_privilege('nosuch', 'USAGE')"),
                           "E 3F000 schema \"nosuch\" does not exist");
    CU_ASSERT_STRING_EQUAL(run("select pg_table_is_visible('p'::regclass), pg_table_is_visible('s2.\"Q r\"'::regclass), "
                               "pg_table_is_visible(1)"),
                           "t|f|NULL\n");
    CU_ASSERT_STRING_EQUAL(run("create index p_name_desc on p (name desc, id nulls first)"), "");
    CU_ASSERT_STRING_EQUAL(run("select pg_get_indexdef('p_pkey'::regclass), pg_get_indexdef('p_name_desc'::regclass), "
                               "pg_get_indexdef('p'::regclass)"),
                           "CREATE UNIQUE INDEX p_pkey ON public.p USING btree (id)|CREATE INDEX p_name_desc ON "
                           "public.p USING btree (name DESC, id NULLS FIRST)|NULL\n");
    CU_ASSERT_STRING_EQUAL(run("select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'p'::regclass "
                               "and adnum = 1"),
                           "nextval('p_id_seq'::regclass)\n");
    CU_ASSERT_STRING_EQUAL(run("create table r (i int references p on delete cascade, k int check (k > 0))"), "");
    CU_ASSERT_STRING_EQUAL(run("select pg_get_constraintdef(oid) from pg_constraint "
                               "where conrelid in ('p'::regclass, 'r'::regclass) order by conname"),
                           "PRIMARY KEY (id)\nFOREIGN KEY (i) REFERENCES p(id) ON DELETE CASCADE\nCHECK ((k > 0))\n");
    CU_ASSERT_STRING_EQUAL(run("select pg_get_constraintdef(12345)"), "NULL\n");
    CU_ASSERT_STRING_EQUAL(run("select format_type(atttypid, atttypmod) from pg_attribute "
                               "where attrelid = 'p'::regclass and attnum > 0 order by attnum"),
                           "integer\ntext\n");
}

static void test_pg_settings(void)
{
    run("reset all");
    CU_ASSERT_STRING_EQUAL(run("select name, setting, unit, context, vartype, source, min_val, max_val, boot_val, "
                               "reset_val from pg_settings where name in ('work_mem', 'port', 'DateStyle', 'fsync') "
                               "order by name"),
                           "DateStyle|ISO, MDY|NULL|user|string|default|NULL|NULL|ISO, MDY|ISO, MDY\n"
                           "fsync|on|NULL|sighup|bool|default|NULL|NULL|on|on\n"
                           "port|5433|NULL|postmaster|integer|default|1|65535|5433|5433\n"
                           "work_mem|4096|kB|user|integer|default|64|2147483647|4096|4096\n");
    run("set work_mem = '8MB'");
    CU_ASSERT_STRING_EQUAL(run("select setting, source, reset_val, pending_restart, sourcefile, sourceline "
                               "from pg_settings where name = 'work_mem'"),
                           "8192|session|4096|f|NULL|NULL\n");
    CU_ASSERT_STRING_EQUAL(run("select enumvals from pg_settings where name = 'IntervalStyle'"),
                           "{postgres,postgres_verbose,sql_standard,iso_8601}\n");
    CU_ASSERT_STRING_EQUAL(run("select count(*) = (select count(*) from pg_show_all_settings()), "
                               "count(*) filter (where setting is null) from pg_settings"),
                           "t|0\n");
    run("reset work_mem");
    CU_ASSERT_STRING_EQUAL(run("select setting, source from pg_settings where name = 'work_mem'"), "4096|default\n");
}

static CU_TestInfo tests[] = {
    {"session information functions", test_session_information},
    {"reg* types by name, nextval, serial", test_reg_types},
    {"privileges, visibility, index definitions", test_catalog_functions},
    {"pg_settings follows SET and RESET", test_pg_settings},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"session system functions", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
