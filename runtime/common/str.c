/*
 * str.c: the string buffer and ASCII helpers behind str.h.
 */
#include "common/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MIN_CAPACITY 64

/* What data points to before anything is allocated.  It is only read. */
static char empty[1];

void sdb_str_init(SdbStr *s, SdbArena *arena)
{
    s->data = empty;
    s->len = 0;
    s->cap = 0;
    s->arena = arena;
}

/* Make room for `extra` more bytes plus the NUL, at least doubling. */
static int reserve(SdbStr *s, size_t extra)
{
    if (extra < s->cap - s->len)
        return SDB_OK;
    if (extra >= SIZE_MAX / 2 - s->len) {
        sdb_error(SDB_ERR_OUT_OF_MEMORY, SDB_ERRMSG_OUT_OF_MEMORY);
        sdb_error_detail("Cannot enlarge string buffer containing %zu bytes by %zu more bytes.", s->len, extra);
        return SDB_ERROR;
    }
    size_t cap = s->cap ? s->cap * 2 : MIN_CAPACITY;
    while (cap < s->len + extra + 1)
        cap *= 2;
    char *data = sdb_arena_realloc(s->arena, s->cap ? s->data : NULL, s->cap, cap);
    if (!data)
        return SDB_ERROR;
    data[s->len] = '\0';
    s->data = data;
    s->cap = cap;
    return SDB_OK;
}

int sdb_str_append(SdbStr *s, const void *data, size_t len)
{
    if (reserve(s, len) != SDB_OK)
        return SDB_ERROR;
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->data[s->len] = '\0';
    return SDB_OK;
}

int sdb_str_append_cstr(SdbStr *s, const char *cstr)
{
    return sdb_str_append(s, cstr, strlen(cstr));
}

int sdb_str_append_char(SdbStr *s, char c)
{
    return sdb_str_append(s, &c, 1);
}

int sdb_str_appendf(SdbStr *s, const char *fmt, ...)
{
    va_list args, copy;
    va_start(args, fmt);
    va_copy(copy, args);
    /* Try the spare room first; most appends fit. */
    int n = vsnprintf(s->data + s->len, s->cap - s->len, fmt, copy);
    va_end(copy);
    int rc = SDB_OK;
    if (n < 0)
        rc = sdb_error(SDB_ERR_INTERNAL_ERROR, "vsnprintf failed: %s with format string \"%s\"", strerror(errno), fmt);
    else if ((size_t)n >= s->cap - s->len) {
        rc = reserve(s, (size_t)n);
        if (rc == SDB_OK)
            vsnprintf(s->data + s->len, (size_t)n + 1, fmt, args);
    }
    va_end(args);
    if (rc == SDB_OK)
        s->len += (size_t)n;
    if (s->cap)
        s->data[s->len] = '\0';
    return rc;
}

void sdb_str_reset(SdbStr *s)
{
    s->len = 0;
    if (s->cap)
        s->data[0] = '\0';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int sdb_strcasecmp_ascii(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char ca = (unsigned char)ascii_lower(*a);
        unsigned char cb = (unsigned char)ascii_lower(*b);
        if (ca != cb || ca == '\0')
            return ca - cb;
    }
}

size_t sdb_str_trim(char *s)
{
    size_t start = 0;
    size_t end = strlen(s);
    while (start < end && ascii_space(s[start]))
        start++;
    while (end > start && ascii_space(s[end - 1]))
        end--;
    memmove(s, s + start, end - start);
    s[end - start] = '\0';
    return end - start;
}
