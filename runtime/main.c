/*
 * main.c: the specdb command line.
 *
 *   specdb init  -D DIR [--set name=value]...
 *   specdb serve [-D DIR] [--host H] [--port P] [--http-port P] [--set name=value]...
 *   specdb sql   [-D DIR] [-c SQL | -f FILE] [-v NAME=VALUE]...
 *   specdb version
 *   specdb --help
 *
 * This file only parses arguments, loads settings (DIR/specdb.conf, then the
 * command line, which wins) and calls the subsystems.  Exit status: 0 on
 * success, 1 on an error (printed as psql prints errors), 2 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>

#include "common/error.h"
#include "common/log.h"
#include "config/settings.h"
#include "server/hba.h"
#include "server/server.h"
#include "session/session.h"
#include "session/shell.h"
#include "storage/engine.h"

#define EXIT_USAGE 2

static const char usage_text[] =
    "specdb " SPECDB_VERSION ", a PostgreSQL-compatible database.\n"
    "\n"
    "Usage:\n"
    "  specdb init  -D DIR [--set name=value]...\n"
    "      Create a database in DIR (which must be missing or empty).\n"
    "  specdb serve [-D DIR] [--host H] [--port P] [--http-port P] [--set name=value]...\n"
    "      Run the server in the foreground on DIR (default ./data), creating\n"
    "      it first if it is missing or empty. SIGTERM or Ctrl-C stops it\n"
    "      cleanly; SIGHUP re-reads DIR/specdb.conf and DIR/pg_hba.conf.\n"
    "  specdb sql [-D DIR] [-c SQL | -f FILE]... [-v NAME=VALUE]...\n"
    "      Run SQL on DIR inside this process, without a server (standard input\n"
    "      when neither -c nor -f is given; several run in order), printing\n"
    "      results as psql does.\n"
    "      -v VERBOSITY=verbose shows SQLSTATEs, -v ON_ERROR_STOP=1 stops a\n"
    "      script at its first error (exit status 3), -v FORMAT=raw prints\n"
    "      one tab-separated line per column list, row, tag and error.\n"
    "  specdb version\n"
    "      Print the version.\n"
    "\n"
    "Settings are listed in docs/reference/settings.md; --set works for any of\n"
    "them, and --host, --port and --http-port are short for listen_addresses,\n"
    "port and http_port.\n";

/* What the command line said. */
typedef struct Options {
    const char *command;
    const char *datadir;
    SdbShellAction actions[64]; /* -c and -f, in order */
    int action_count;
    SdbShellOptions shell; /* -v */
    struct {
        const char *name;  /* NULL: value is "name=value" (from --set) */
        const char *value;
    } sets[64];
    int set_count;
} Options;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "specdb: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry \"specdb --help\" for more information.\n");
    return EXIT_USAGE;
}

static int fail(void)
{
    sdb_error_print(stderr);
    return EXIT_FAILURE;
}

/* Remember a setting given on the command line (name NULL for --set). */
static int add_set(Options *o, const char *name, const char *value)
{
    if (o->set_count == (int)(sizeof o->sets / sizeof o->sets[0]))
        return usage_error("too many settings on the command line%s", "");
    o->sets[o->set_count].name = name;
    o->sets[o->set_count].value = value;
    o->set_count++;
    return 0;
}

/* Remember a -c or -f of `specdb sql`, run in command line order. */
static int add_action(Options *o, bool is_file, const char *text)
{
    if (o->action_count == (int)(sizeof o->actions / sizeof o->actions[0]))
        return usage_error("too many -c and -f options%s", "");
    o->actions[o->action_count++] = (SdbShellAction){.is_file = is_file, .text = text};
    return 0;
}

/* Which options each command takes. */
static bool allowed(const char *command, const char *option)
{
    if (strcmp(option, "-D") == 0)
        return true;
    if (strcmp(option, "--set") == 0)
        return strcmp(command, "sql") != 0;
    if (strcmp(option, "--host") == 0 || strcmp(option, "--port") == 0 || strcmp(option, "--http-port") == 0)
        return strcmp(command, "serve") == 0;
    if (strcmp(option, "-c") == 0 || strcmp(option, "-f") == 0 || strcmp(option, "-v") == 0)
        return strcmp(command, "sql") == 0;
    return false;
}

/* -v NAME=VALUE: the psql variables `specdb sql` knows. */
static int shell_variable(SdbShellOptions *shell, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    const char *value = eq ? eq + 1 : "";
    size_t len = eq ? (size_t)(eq - assignment) : strlen(assignment);
    bool on = strcmp(value, "1") == 0 || strcasecmp(value, "on") == 0 || strcasecmp(value, "true") == 0;
    if (len == 9 && strncmp(assignment, "VERBOSITY", len) == 0)
        shell->verbose = strcmp(value, "verbose") == 0;
    else if (len == 13 && strncmp(assignment, "ON_ERROR_STOP", len) == 0)
        shell->on_error_stop = on;
    else if (len == 6 && strncmp(assignment, "FORMAT", len) == 0 &&
             (strcmp(value, "raw") == 0 || strcmp(value, "aligned") == 0))
        shell->raw = strcmp(value, "raw") == 0;
    else
        return usage_error("unknown variable \"%s\" (VERBOSITY, ON_ERROR_STOP and FORMAT=aligned|raw are known)",
                           assignment);
    return 0;
}

static int parse_options(int argc, char **argv, Options *o)
{
    for (int i = 2; i < argc; i++) {
        const char *option = argv[i];
        if (!allowed(o->command, option))
            return usage_error("unknown option \"%s\"", option);
        if (i + 1 == argc)
            return usage_error("option \"%s\" needs a value", option);
        const char *value = argv[++i];
        int rc = 0;
        if (strcmp(option, "-D") == 0)
            o->datadir = value;
        else if (strcmp(option, "-c") == 0 || strcmp(option, "-f") == 0)
            rc = add_action(o, option[1] == 'f', value);
        else if (strcmp(option, "-v") == 0)
            rc = shell_variable(&o->shell, value);
        else if (strcmp(option, "--set") == 0)
            rc = add_set(o, NULL, value);
        else if (strcmp(option, "--host") == 0)
            rc = add_set(o, "listen_addresses", value);
        else if (strcmp(option, "--port") == 0)
            rc = add_set(o, "port", value);
        else
            rc = add_set(o, "http_port", value);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- settings and logging ------------------------------------------------- */

static bool dir_is_missing_or_empty(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return errno == ENOENT;
    struct dirent *entry;
    bool empty = true;
    while (empty && (entry = readdir(dir)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(dir);
    return empty;
}

static SdbSeverity log_level(const SdbSettings *s)
{
    static const SdbSeverity levels[] = {
        [SDB_LOG_MIN_MESSAGES_DEBUG5] = SDB_SEVERITY_DEBUG,   [SDB_LOG_MIN_MESSAGES_DEBUG4] = SDB_SEVERITY_DEBUG,
        [SDB_LOG_MIN_MESSAGES_DEBUG3] = SDB_SEVERITY_DEBUG,   [SDB_LOG_MIN_MESSAGES_DEBUG2] = SDB_SEVERITY_DEBUG,
        [SDB_LOG_MIN_MESSAGES_DEBUG1] = SDB_SEVERITY_DEBUG,   [SDB_LOG_MIN_MESSAGES_INFO] = SDB_SEVERITY_INFO,
        [SDB_LOG_MIN_MESSAGES_NOTICE] = SDB_SEVERITY_NOTICE,  [SDB_LOG_MIN_MESSAGES_WARNING] = SDB_SEVERITY_WARNING,
        [SDB_LOG_MIN_MESSAGES_ERROR] = SDB_SEVERITY_ERROR,    [SDB_LOG_MIN_MESSAGES_LOG] = SDB_SEVERITY_LOG,
        [SDB_LOG_MIN_MESSAGES_FATAL] = SDB_SEVERITY_FATAL,    [SDB_LOG_MIN_MESSAGES_PANIC] = SDB_SEVERITY_PANIC,
    };
    return levels[s->log_min_messages];
}

static void configure_log(const SdbSettings *s)
{
    sdb_log_configure(log_level(s), s->log_format == SDB_LOG_FORMAT_JSON ? SDB_LOG_JSON : SDB_LOG_TEXT, stderr);
}

static void conf_path(const char *datadir, char *buf, size_t size)
{
    snprintf(buf, size, "%s/specdb.conf", datadir);
}

/* Defaults, then DIR/specdb.conf if it exists, then the command line. */
static int load_settings(SdbSettings *s, const Options *o, SdbSettingSource command_line)
{
    char path[4096];
    if (sdb_settings_init(s) != SDB_OK)
        return SDB_ERROR;
    conf_path(o->datadir, path, sizeof path);
    struct stat st;
    if (stat(path, &st) == 0 && sdb_settings_load_file(s, path, SDB_SOURCE_FILE) != SDB_OK)
        return SDB_ERROR;
    for (int i = 0; i < o->set_count; i++) {
        const char *name = o->sets[i].name, *value = o->sets[i].value;
        int rc = name ? sdb_settings_set(s, name, value, command_line) : sdb_settings_set_option(s, value, command_line);
        if (rc != SDB_OK)
            return SDB_ERROR;
    }
    return sdb_settings_set(s, "data_directory", o->datadir, command_line);
}

/* --- init ----------------------------------------------------------------- */

static int write_conf(const char *datadir)
{
    char path[4096];
    conf_path(datadir, path, sizeof path);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return sdb_error_errno(errno, "could not create file \"%s\"", path);
    bool ok = fputs(sdb_settings_sample_conf, f) >= 0;
    if (fclose(f) != 0 || !ok)
        return sdb_error_errno(errno, "could not write file \"%s\"", path);
    return SDB_OK;
}

/* Create the data directory with its configuration file and storage. */
static int init_datadir(const char *datadir, const SdbSettings *s)
{
    if (!dir_is_missing_or_empty(datadir)) {
        sdb_error(SDB_ERR_DUPLICATE_FILE, "directory \"%s\" exists but is not empty", datadir);
        sdb_error_hint("Use an empty directory, or run \"specdb serve -D %s\" to use the existing database.", datadir);
        return SDB_ERROR;
    }
    if (mkdir(datadir, 0700) != 0 && errno != EEXIST)
        return sdb_error_errno(errno, "could not create directory \"%s\"", datadir);
    if (write_conf(datadir) != SDB_OK)
        return SDB_ERROR;
    SdbEngine *engine = sdb_engine_open(datadir, s);
    if (engine == NULL || sdb_engine_close(engine) != SDB_OK)
        return SDB_ERROR;
    char hba[4096]; /* after the storage: the engine takes only specdb.conf in a new directory */
    sdb_hba_path(s, hba, sizeof hba);
    return sdb_hba_write_default(hba);
}

static int command_init(const Options *o)
{
    SdbSettings s;
    int rc = load_settings(&s, o, SDB_SOURCE_INIT) == SDB_OK ? init_datadir(o->datadir, &s) : SDB_ERROR;
    sdb_settings_free(&s);
    if (rc != SDB_OK)
        return fail();
    printf("Success. Start the server with:\n\n    specdb serve -D %s\n\n", o->datadir);
    return EXIT_SUCCESS;
}

/* --- serve ---------------------------------------------------------------- */

/* Re-read specdb.conf on SIGHUP.  The new values are checked on a copy and
 * only applied when the whole file is valid: the server takes those that
 * may change at run time (sdb_server_reload), the log its settings. */
static void reload(SdbSettings *s, const Options *o, SdbServer *server)
{
    SdbSettings fresh;
    sdb_log(SDB_SEVERITY_LOG, "server", "received SIGHUP, reloading configuration files");
    if (load_settings(&fresh, o, SDB_SOURCE_COMMAND_LINE) != SDB_OK) {
        sdb_log_error("server");
        sdb_log(SDB_SEVERITY_LOG, "server", "configuration file contains errors; unaffected changes were not applied");
        sdb_settings_free(&fresh);
        return;
    }
    if (sdb_server_reload(server, &fresh) != SDB_OK)
        sdb_log_error("server");
    sdb_settings_free(s);
    *s = fresh;
    configure_log(s);
}

/* Wait for signals until asked to stop.  All threads start with these
 * signals blocked, so only this thread sees them. */
static void wait_for_shutdown(SdbSettings *s, const Options *o, const sigset_t *signals, SdbServer *server)
{
    for (;;) {
        int signal_number;
        if (sigwait(signals, &signal_number) != 0)
            continue;
        if (signal_number == SIGHUP) {
            reload(s, o, server);
            continue;
        }
        sdb_log(SDB_SEVERITY_LOG, "server", "received %s, shutting down", strsignal(signal_number));
        return;
    }
}

static int command_serve(const Options *o)
{
    SdbSettings s;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (load_settings(&s, o, SDB_SOURCE_COMMAND_LINE) != SDB_OK) {
        sdb_settings_free(&s);
        return fail();
    }
    configure_log(&s);
    if (dir_is_missing_or_empty(o->datadir)) {
        sdb_log(SDB_SEVERITY_LOG, "server", "initializing empty data directory \"%s\"", o->datadir);
        if (mkdir(o->datadir, 0700) != 0 && errno != EEXIST) {
            sdb_error_errno(errno, "could not create directory \"%s\"", o->datadir);
            sdb_settings_free(&s);
            return fail();
        }
        if (write_conf(o->datadir) != SDB_OK) {
            sdb_settings_free(&s);
            return fail();
        }
    }
    SdbInstance *db = sdb_instance_open(o->datadir, &s);
    if (db == NULL) {
        sdb_log_error("server");
        sdb_settings_free(&s);
        return EXIT_FAILURE;
    }
    SdbServer *server = sdb_server_start(db, &s);
    if (server == NULL) {
        sdb_log_error("server");
        sdb_instance_close(db);
        sdb_settings_free(&s);
        return EXIT_FAILURE;
    }
    sdb_log(SDB_SEVERITY_LOG, "server", "database system is ready to accept connections (pid %d)", (int)getpid());
    wait_for_shutdown(&s, o, &signals, server);
    sdb_server_stop(server);
    int rc = sdb_instance_close(db);
    if (rc != SDB_OK)
        sdb_log_error("server");
    else
        sdb_log(SDB_SEVERITY_LOG, "server", "database system is shut down");
    sdb_settings_free(&s);
    return rc == SDB_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- sql ------------------------------------------------------------------ */

static int command_sql(Options *o)
{
    SdbSettings s;
    if (load_settings(&s, o, SDB_SOURCE_COMMAND_LINE) != SDB_OK) {
        sdb_settings_free(&s);
        return fail();
    }
    /* like psql, show the results and not the server log (FATAL and PANIC excepted) */
    sdb_log_configure(SDB_SEVERITY_FATAL, s.log_format == SDB_LOG_FORMAT_JSON ? SDB_LOG_JSON : SDB_LOG_TEXT, stderr);
    signal(SIGPIPE, SIG_IGN);
    bool fresh = dir_is_missing_or_empty(o->datadir);
    if (fresh && (mkdir(o->datadir, 0700) != 0 && errno != EEXIST)) {
        sdb_error_errno(errno, "could not create directory \"%s\"", o->datadir);
        sdb_settings_free(&s);
        return fail();
    }
    if (fresh && write_conf(o->datadir) != SDB_OK) {
        sdb_settings_free(&s);
        return fail();
    }
    SdbInstance *db = sdb_instance_open(o->datadir, &s);
    sdb_settings_free(&s);
    if (db == NULL) {
        sdb_shell_print_error(&o->shell, stdout, stderr);
        return EXIT_FAILURE;
    }
    SdbSession *session = sdb_session_open(db, "postgres", "postgres");
    if (session == NULL) {
        sdb_shell_print_error(&o->shell, stdout, stderr);
        sdb_instance_close(db);
        return EXIT_FAILURE;
    }
    o->shell.actions = o->actions;
    o->shell.nactions = o->action_count;
    int status = sdb_shell_run(session, &o->shell, stdout, stderr);
    sdb_session_close(session);
    if (sdb_instance_close(db) != SDB_OK) {
        sdb_error_print(stderr);
        return EXIT_FAILURE;
    }
    return status;
}

/* --- main ------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    Options o = {.datadir = "data"};
    if (argc < 2)
        return usage_error("no command given%s", "");
    o.command = argv[1];
    if (strcmp(o.command, "--help") == 0 || strcmp(o.command, "-h") == 0 || strcmp(o.command, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    }
    if (strcmp(o.command, "version") == 0 || strcmp(o.command, "--version") == 0) {
        printf("specdb %s (PostgreSQL %s compatible)\n", SPECDB_VERSION,
               sdb_setting_defs[SDB_SETTING_ID_SERVER_VERSION].default_text);
        return EXIT_SUCCESS;
    }
    if (strcmp(o.command, "init") != 0 && strcmp(o.command, "serve") != 0 && strcmp(o.command, "sql") != 0)
        return usage_error("unknown command \"%s\"", o.command);
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    if (strcmp(o.command, "init") == 0)
        return command_init(&o);
    if (strcmp(o.command, "serve") == 0)
        return command_serve(&o);
    return command_sql(&o);
}
