/*
 * log.c: the server log behind log.h.
 *
 * A record is built in a thread-local buffer sized for the largest record
 * possible (every field at its maximum length, every byte escaped), so it is
 * never cut short, then written with one fwrite under the mutex that also
 * guards the output stream.  The minimum level and format are atomics, read
 * without the lock.
 */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COMPONENT_MAX 64
#define TIMESTAMP_MAX 64
/* A JSON escape (\u00XX) is at most 6 bytes; 512 covers keys and labels. */
#define RECORD_MAX (6 * (SDB_LOG_MESSAGE_MAX + COMPONENT_MAX + SDB_ERROR_DETAIL_MAX + SDB_ERROR_HINT_MAX) + 512)
_Static_assert(SDB_ERROR_MESSAGE_MAX <= SDB_LOG_MESSAGE_MAX, "an error message fits a log message");

typedef struct Record {
    SdbSeverity level;
    const char *component; /* NULL: none */
    const char *sqlstate;  /* NULL: none */
    const char *message;
    const char *detail; /* NULL: none */
    const char *hint;   /* NULL: none */
} Record;

typedef struct Buffer {
    size_t len;
    char data[RECORD_MAX];
} Buffer;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_out; /* guarded by lock; NULL: stderr */
static atomic_int min_level = SDB_SEVERITY_INFO;
static atomic_int log_format = SDB_LOG_TEXT;
static _Thread_local Buffer buffer;

/* Server-log rank, as PostgreSQL's log_min_messages orders levels. */
static int rank(SdbSeverity level)
{
    static const int ranks[] = {
        [SDB_SEVERITY_DEBUG] = 0, [SDB_SEVERITY_INFO] = 1,  [SDB_SEVERITY_NOTICE] = 2,
        [SDB_SEVERITY_WARNING] = 3, [SDB_SEVERITY_ERROR] = 4, [SDB_SEVERITY_LOG] = 5,
        [SDB_SEVERITY_FATAL] = 6, [SDB_SEVERITY_PANIC] = 7,
    };
    return ranks[level];
}

void sdb_log_configure(SdbSeverity level, SdbLogFormat format, FILE *out)
{
    pthread_mutex_lock(&lock);
    log_out = out;
    atomic_store(&min_level, (int)level);
    atomic_store(&log_format, (int)format);
    pthread_mutex_unlock(&lock);
}

bool sdb_log_enabled(SdbSeverity level)
{
    return rank(level) >= rank((SdbSeverity)atomic_load_explicit(&min_level, memory_order_relaxed));
}

/* Append at most what still fits (by construction, everything does). */
static void put(Buffer *b, const char *s, size_t n)
{
    size_t room = sizeof b->data - b->len;
    if (n > room)
        n = room;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_cstr(Buffer *b, const char *s)
{
    put(b, s, strlen(s));
}

/* `s` for a text line: a newline is followed by a tab. */
static void put_text(Buffer *b, const char *s)
{
    for (; *s; s++) {
        put(b, s, 1);
        if (*s == '\n')
            put(b, "\t", 1);
    }
}

static void put_json_string(Buffer *b, const char *s)
{
    put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char escaped[8];
        if (c == '"' || c == '\\') {
            put(b, "\\", 1);
            put(b, s, 1);
        } else if (c == '\n') {
            put_cstr(b, "\\n");
        } else if (c == '\r') {
            put_cstr(b, "\\r");
        } else if (c == '\t') {
            put_cstr(b, "\\t");
        } else if (c < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            put_cstr(b, escaped);
        } else {
            put(b, s, 1);
        }
    }
    put(b, "\"", 1);
}

static void build_text(Buffer *b, const Record *r, const char *timestamp)
{
    char prefix[TIMESTAMP_MAX + 32];
    snprintf(prefix, sizeof prefix, "%s [%ld] ", timestamp, (long)getpid());
    put_cstr(b, prefix);
    put_cstr(b, sdb_severity_name(r->level));
    put_cstr(b, ":  ");
    const char *heads[] = {r->sqlstate, r->component};
    for (size_t i = 0; i < 2; i++) {
        if (heads[i]) {
            put_text(b, heads[i]);
            put_cstr(b, ": ");
        }
    }
    put_text(b, r->message);
    put_cstr(b, "\n");
    const char *extras[][2] = {{"DETAIL:  ", r->detail}, {"HINT:  ", r->hint}};
    for (size_t i = 0; i < 2; i++) {
        if (extras[i][1]) {
            put_cstr(b, prefix);
            put_cstr(b, extras[i][0]);
            put_text(b, extras[i][1]);
            put_cstr(b, "\n");
        }
    }
}

static void build_json(Buffer *b, const Record *r, const char *timestamp)
{
    char head[TIMESTAMP_MAX + 64];
    snprintf(head, sizeof head, "{\"timestamp\":\"%s\",\"pid\":%ld", timestamp, (long)getpid());
    put_cstr(b, head);
    const char *members[][2] = {
        {"level", sdb_severity_name(r->level)},
        {"component", r->component},
        {"sqlstate", r->sqlstate},
        {"message", r->message},
        {"detail", r->detail},
        {"hint", r->hint},
    };
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        if (members[i][1]) {
            put_cstr(b, ",\"");
            put_cstr(b, members[i][0]);
            put_cstr(b, "\":");
            put_json_string(b, members[i][1]);
        }
    }
    put_cstr(b, "}\n");
}

static void format_timestamp(char *buf, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ld UTC", now.tv_nsec / 1000000);
}

static void emit(Record r)
{
    char timestamp[TIMESTAMP_MAX];
    char component[COMPONENT_MAX];
    Buffer *b = &buffer;
    if (r.component) {
        snprintf(component, sizeof component, "%s", r.component);
        r.component = component;
    }
    format_timestamp(timestamp, sizeof timestamp);
    b->len = 0;
    if (atomic_load(&log_format) == SDB_LOG_JSON)
        build_json(b, &r, timestamp);
    else
        build_text(b, &r, timestamp);
    pthread_mutex_lock(&lock);
    FILE *out = log_out ? log_out : stderr;
    fwrite(b->data, 1, b->len, out);
    fflush(out);
    pthread_mutex_unlock(&lock);
}

/* Cut an incomplete UTF-8 sequence, left by truncation, off the end. */
static void clip_utf8(char *s)
{
    size_t len = strlen(s);
    size_t start = len;
    while (start > 0 && len - start < 3 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (start - 1) < need)
        s[start - 1] = '\0';
}

void sdb_log(SdbSeverity level, const char *component, const char *fmt, ...)
{
    if (!sdb_log_enabled(level))
        return;
    char message[SDB_LOG_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (n < 0)
        snprintf(message, sizeof message, "%s", fmt);
    clip_utf8(message);
    emit((Record){.level = level, .component = component, .message = message});
}

static const char *unless_empty(const char *s)
{
    return s[0] ? s : NULL;
}

void sdb_log_error(const char *component)
{
    const SdbErrorData *e = sdb_error_last();
    if (e->code == SDB_ERR_SUCCESSFUL_COMPLETION || !sdb_log_enabled(e->severity))
        return;
    emit((Record){
        .level = e->severity,
        .component = component,
        .sqlstate = sdb_errcode_info(e->code)->sqlstate,
        .message = e->message,
        .detail = unless_empty(e->detail),
        .hint = unless_empty(e->hint),
    });
}
