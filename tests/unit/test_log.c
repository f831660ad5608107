/*
 * test_log.c: the server log (log.h), read back from a tmpfile(): the text
 * layout, JSON lines decoded by a strict parser, level filtering, and
 * records of concurrent threads never interleaving.
 */
#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "harness.h"

static FILE *out;

static int open_log(void)
{
    out = tmpfile();
    return out ? 0 : 1;
}

static int close_log(void)
{
    sdb_log_configure(SDB_SEVERITY_INFO, SDB_LOG_TEXT, NULL);
    fclose(out);
    return 0;
}

/* Empty the log file and direct the log to it. */
static void start(SdbSeverity min_level, SdbLogFormat format)
{
    CU_ASSERT_FATAL(ftruncate(fileno(out), 0) == 0);
    rewind(out);
    sdb_log_configure(min_level, format, out);
}

/* Everything logged since start(), NUL-terminated; the caller frees it. */
static char *contents(void)
{
    long size = ftell(out);
    char *buf = malloc((size_t)size + 1);
    CU_ASSERT_FATAL(buf != NULL);
    rewind(out);
    CU_ASSERT_FATAL(fread(buf, 1, (size_t)size, out) == (size_t)size);
    buf[size] = '\0';
    return buf;
}

/* ---- a strict parser for one JSON object of string and integer members ---- */

#define JSON_MEMBERS 16
#define JSON_VALUE_MAX 8192

typedef struct JsonObject {
    int count;
    char keys[JSON_MEMBERS][32];
    char values[JSON_MEMBERS][JSON_VALUE_MAX];
} JsonObject;

static int hex_value(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* The four hex digits after "\u" at `p`, which must name an ASCII character
 * (all the log escapes); -1 if they do not. */
static int unicode_escape(const char *p)
{
    int code = 0;
    for (int i = 0; i < 4; i++) {
        if (!isxdigit((unsigned char)p[i]))
            return -1;
        code = code << 4 | hex_value(p[i]);
    }
    return code < 0x80 ? code : -1;
}

/* A JSON string at `p` decoded into `out`; returns the text after it, or NULL
 * if it is not valid JSON (raw control characters, bad escapes). */
static const char *parse_string(const char *p, char *out, size_t size)
{
    size_t n = 0;
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        int c = (unsigned char)*p++;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            switch (*p++) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                c = unicode_escape(p);
                p += 4;
                break;
            default:
                return NULL;
            }
        }
        if (c < 0 || n + 1 >= size)
            return NULL;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return p + 1;
}

/* Parse `line`, which must be exactly one object and a newline. */
static bool parse_json_line(const char *line, JsonObject *obj)
{
    const char *p = line;
    obj->count = 0;
    if (*p++ != '{')
        return false;
    for (;;) {
        if (obj->count == JSON_MEMBERS)
            return false;
        p = parse_string(p, obj->keys[obj->count], sizeof obj->keys[0]);
        if (!p || *p++ != ':')
            return false;
        if (*p == '"') {
            p = parse_string(p, obj->values[obj->count], sizeof obj->values[0]);
            if (!p)
                return false;
        } else {
            size_t n = strspn(p, "0123456789");
            if (n == 0 || n >= sizeof obj->values[0])
                return false;
            memcpy(obj->values[obj->count], p, n);
            obj->values[obj->count][n] = '\0';
            p += n;
        }
        obj->count++;
        if (*p == '}')
            return strcmp(p, "}\n") == 0;
        if (*p++ != ',')
            return false;
    }
}

static const char *member(const JsonObject *obj, const char *key)
{
    for (int i = 0; i < obj->count; i++) {
        if (strcmp(obj->keys[i], key) == 0)
            return obj->values[i];
    }
    return NULL;
}

/* The log holds exactly one JSON line; parse it into `obj`. */
static void read_json_record(JsonObject *obj)
{
    char *log = contents();
    CU_ASSERT_PTR_NOT_NULL(strchr(log, '\n'));
    CU_ASSERT_EQUAL(strchr(log, '\n')[1], '\0');
    CU_ASSERT_TRUE_FATAL(parse_json_line(log, obj));
    free(log);
}

/* ---- text ---------------------------------------------------------------- */

static bool matches(const char *pattern, const char *text)
{
    regex_t re;
    CU_ASSERT_FATAL(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

#define TS "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} UTC"

static void test_text_line(void)
{
    char expected[256];
    start(SDB_SEVERITY_INFO, SDB_LOG_TEXT);
    sdb_log(SDB_SEVERITY_LOG, "storage", "checkpoint %s: %d buffers", "complete", 42);
    char *log = contents();
    snprintf(expected, sizeof expected, "^" TS " \\[%ld\\] LOG:  storage: checkpoint complete: 42 buffers\n$",
             (long)getpid());
    CU_ASSERT_TRUE(matches(expected, log));
    free(log);
    /* Without a component. */
    start(SDB_SEVERITY_INFO, SDB_LOG_TEXT);
    sdb_log(SDB_SEVERITY_WARNING, NULL, "plain");
    log = contents();
    CU_ASSERT_TRUE(matches("^" TS " \\[[0-9]+\\] WARNING:  plain\n$", log));
    free(log);
}

static void set_test_error(void)
{
    sdb_error(SDB_ERR_DIVISION_BY_ZERO, SDB_ERRMSG_DIVISION_BY_ZERO);
    sdb_error_detail("dividing \"%s\" by 0", "x");
    sdb_error_hint("check the\ndivisor");
}

static void test_text_error(void)
{
    start(SDB_SEVERITY_INFO, SDB_LOG_TEXT);
    set_test_error();
    sdb_log_error("executor");
    char *log = contents();
    CU_ASSERT_TRUE(matches("^" TS " \\[[0-9]+\\] ERROR:  22012: executor: division by zero\n"
                           TS " \\[[0-9]+\\] DETAIL:  dividing \"x\" by 0\n"
                           TS " \\[[0-9]+\\] HINT:  check the\n\tdivisor\n$",
                           log));
    free(log);
    /* No detail or hint: one line; the error stays recorded. */
    start(SDB_SEVERITY_INFO, SDB_LOG_TEXT);
    sdb_error(SDB_ERR_OUT_OF_MEMORY, SDB_ERRMSG_OUT_OF_MEMORY);
    sdb_error_severity(SDB_SEVERITY_FATAL);
    sdb_log_error(NULL);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
    log = contents();
    CU_ASSERT_TRUE(matches("^" TS " \\[[0-9]+\\] FATAL:  53200: out of memory\n$", log));
    free(log);
    /* Nothing recorded: nothing logged. */
    start(SDB_SEVERITY_DEBUG, SDB_LOG_TEXT);
    sdb_error_clear();
    sdb_log_error("executor");
    CU_ASSERT_EQUAL(ftell(out), 0);
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json_error(void)
{
    JsonObject obj;
    char pid[32];
    start(SDB_SEVERITY_INFO, SDB_LOG_JSON);
    set_test_error();
    sdb_log_error("executor");
    read_json_record(&obj);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    CU_ASSERT_EQUAL(obj.count, 8);
    CU_ASSERT_STRING_EQUAL(obj.keys[0], "timestamp");
    CU_ASSERT_TRUE(matches("^" TS "$", member(&obj, "timestamp")));
    CU_ASSERT_STRING_EQUAL(member(&obj, "pid"), pid);
    CU_ASSERT_STRING_EQUAL(member(&obj, "level"), "ERROR");
    CU_ASSERT_STRING_EQUAL(member(&obj, "component"), "executor");
    CU_ASSERT_STRING_EQUAL(member(&obj, "sqlstate"), "22012");
    CU_ASSERT_STRING_EQUAL(member(&obj, "message"), "division by zero");
    CU_ASSERT_STRING_EQUAL(member(&obj, "detail"), "dividing \"x\" by 0");
    CU_ASSERT_STRING_EQUAL(member(&obj, "hint"), "check the\ndivisor");
    sdb_error_clear();
}

/* Every byte 0x01-0x7f and some UTF-8 survive the round trip. */
static void test_json_escaping(void)
{
    char message[256];
    size_t n = 0;
    for (int c = 1; c < 0x80; c++)
        message[n++] = (char)c;
    strcpy(message + n, "\"quoted\" back\\slash caf\xc3\xa9 \xe2\x82\xac");
    JsonObject obj;
    start(SDB_SEVERITY_INFO, SDB_LOG_JSON);
    sdb_log(SDB_SEVERITY_NOTICE, "co\"mp\n", "%s", message);
    read_json_record(&obj);
    CU_ASSERT_EQUAL(obj.count, 5);
    CU_ASSERT_STRING_EQUAL(member(&obj, "level"), "NOTICE");
    CU_ASSERT_STRING_EQUAL(member(&obj, "component"), "co\"mp\n");
    CU_ASSERT_STRING_EQUAL(member(&obj, "message"), message);
    CU_ASSERT_PTR_NULL(member(&obj, "sqlstate"));
    CU_ASSERT_PTR_NULL(member(&obj, "detail"));
}

/* A message over the maximum is cut, and not inside a UTF-8 character. */
static void test_long_message_is_cut_on_a_character(void)
{
    static char message[3 * SDB_LOG_MESSAGE_MAX];
    for (size_t i = 0; i + 2 < sizeof message; i += 2)
        memcpy(message + i, "\xc3\xa9", 2);
    message[sizeof message - 2] = '\0';
    JsonObject obj;
    start(SDB_SEVERITY_INFO, SDB_LOG_JSON);
    sdb_log(SDB_SEVERITY_LOG, "x", "%s", message);
    read_json_record(&obj);
    const char *got = member(&obj, "message");
    CU_ASSERT_EQUAL(strlen(got), SDB_LOG_MESSAGE_MAX - 2);
    CU_ASSERT_EQUAL((unsigned char)got[strlen(got) - 1], 0xa9);
    /* A long component is cut too, and the record stays valid. */
    static char component[1000];
    memset(component, 'c', sizeof component - 1);
    start(SDB_SEVERITY_INFO, SDB_LOG_JSON);
    sdb_log(SDB_SEVERITY_LOG, component, "m");
    read_json_record(&obj);
    CU_ASSERT_TRUE(strlen(member(&obj, "component")) < 100);
}

/* ---- levels -------------------------------------------------------------- */

static void test_level_filtering(void)
{
    start(SDB_SEVERITY_WARNING, SDB_LOG_TEXT);
    CU_ASSERT_FALSE(sdb_log_enabled(SDB_SEVERITY_DEBUG));
    CU_ASSERT_FALSE(sdb_log_enabled(SDB_SEVERITY_NOTICE));
    CU_ASSERT_TRUE(sdb_log_enabled(SDB_SEVERITY_WARNING));
    CU_ASSERT_TRUE(sdb_log_enabled(SDB_SEVERITY_PANIC));
    sdb_log(SDB_SEVERITY_DEBUG, "t", "debug");
    sdb_log(SDB_SEVERITY_INFO, "t", "info");
    sdb_log(SDB_SEVERITY_NOTICE, "t", "notice");
    sdb_log(SDB_SEVERITY_WARNING, "t", "warning");
    sdb_log(SDB_SEVERITY_LOG, "t", "log");
    sdb_error(SDB_ERR_INTERNAL_ERROR, "an error");
    sdb_error_severity(SDB_SEVERITY_NOTICE);
    sdb_log_error("t");
    sdb_error_clear();
    char *log = contents();
    CU_ASSERT_PTR_NULL(strstr(log, "debug"));
    CU_ASSERT_PTR_NULL(strstr(log, "info"));
    CU_ASSERT_PTR_NULL(strstr(log, "notice"));
    CU_ASSERT_PTR_NULL(strstr(log, "an error"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "WARNING:  t: warning\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "LOG:  t: log\n"));
    free(log);
    /* LOG ranks above ERROR in the server log, as in PostgreSQL. */
    start(SDB_SEVERITY_FATAL, SDB_LOG_TEXT);
    CU_ASSERT_FALSE(sdb_log_enabled(SDB_SEVERITY_LOG));
    start(SDB_SEVERITY_ERROR, SDB_LOG_TEXT);
    CU_ASSERT_TRUE(sdb_log_enabled(SDB_SEVERITY_LOG));
    start(SDB_SEVERITY_LOG, SDB_LOG_TEXT);
    CU_ASSERT_FALSE(sdb_log_enabled(SDB_SEVERITY_ERROR));
    start(SDB_SEVERITY_DEBUG, SDB_LOG_TEXT);
    CU_ASSERT_TRUE(sdb_log_enabled(SDB_SEVERITY_DEBUG));
}

/* ---- threads ------------------------------------------------------------- */

#define THREADS 4
#define RECORDS 500

static void *log_from_thread(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < RECORDS; i++)
        sdb_log(SDB_SEVERITY_LOG, "thread", "thread %ld record %d %0500d", id, i, 0);
    return NULL;
}

static void test_concurrent_records_do_not_interleave(void)
{
    pthread_t threads[THREADS];
    int seen[THREADS] = {0};
    start(SDB_SEVERITY_INFO, SDB_LOG_JSON);
    for (long t = 0; t < THREADS; t++)
        CU_ASSERT_FATAL(pthread_create(&threads[t], NULL, log_from_thread, (void *)t) == 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    char *log = contents();
    static JsonObject obj;
    int lines = 0, bad = 0;
    for (char *line = log; *line; lines++) {
        char *end = strchr(line, '\n');
        CU_ASSERT_FATAL(end != NULL);
        char saved = end[1];
        end[1] = '\0';
        long id;
        int record;
        if (!parse_json_line(line, &obj) || sscanf(member(&obj, "message"), "thread %ld record %d", &id, &record) != 2 ||
            id < 0 || id >= THREADS || record != seen[id]++)
            bad++;
        end[1] = saved;
        line = end + 1;
    }
    CU_ASSERT_EQUAL(lines, THREADS * RECORDS);
    CU_ASSERT_EQUAL(bad, 0);
    free(log);
}

static CU_TestInfo tests[] = {
    {"text line", test_text_line},
    {"text error with detail and hint", test_text_error},
    {"JSON error", test_json_error},
    {"JSON escaping", test_json_escaping},
    {"long message cut on a character", test_long_message_is_cut_on_a_character},
    {"level filtering", test_level_filtering},
    {"concurrent records do not interleave", test_concurrent_records_do_not_interleave},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"log", open_log, close_log, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
