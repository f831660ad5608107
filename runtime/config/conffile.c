/*
 * config/conffile.c: reading specdb.conf (sdb_settings_load_file in
 * settings.h).
 *
 * Syntax, as postgresql.conf: one parameter per line, "name = value" or
 * "name value"; # starts a comment; a value is a bare word or number, or
 * single-quoted text where '' or \' stands for a quote.  Blank lines are
 * ignored.  Any error names the file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "config/settings.h"

#define MAX_LINE 4096

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static int syntax_error(const char *path, int line, const char *near)
{
    char token[32];
    size_t len = strcspn(near, "\n");
    if (len >= sizeof token)
        len = sizeof token - 1;
    memcpy(token, near, len);
    token[len] = '\0';
    if (len == 0)
        return sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "syntax error in file \"%s\" line %d, near end of line", path,
                         line);
    return sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "syntax error in file \"%s\" line %d, near token \"%s\"", path, line,
                     token);
}

/* Read a quoted value starting after the opening quote into `out`; returns
 * the position after the closing quote, or NULL if it is missing. */
static const char *read_quoted(const char *p, char *out, size_t size)
{
    size_t used = 0;
    for (; *p && *p != '\n'; p++) {
        char c = *p;
        if (c == '\'' && p[1] == '\'') {
            p++;
        } else if (c == '\\' && p[1] == '\'') {
            p++;
            c = '\'';
        } else if (c == '\'') {
            out[used] = '\0';
            return p + 1;
        }
        if (used + 1 < size)
            out[used++] = c;
    }
    return NULL;
}

static const char *read_bare(const char *p, char *out, size_t size)
{
    size_t used = 0;
    while (*p && !isspace((unsigned char)*p) && *p != '#') {
        if (used + 1 < size)
            out[used++] = *p;
        p++;
    }
    out[used] = '\0';
    return p;
}

/* Parse and apply one line. */
static int apply_line(SdbSettings *s, const char *text, const char *path, int line, SdbSettingSource source)
{
    char name[128], value[MAX_LINE];
    const char *p = skip_space(text);
    if (*p == '#' || *p == '\n' || *p == '\0')
        return SDB_OK;
    if (!isalpha((unsigned char)*p) && *p != '_')
        return syntax_error(path, line, p);
    size_t len = 0;
    while ((isalnum((unsigned char)*p) || *p == '_' || *p == '.') && len + 1 < sizeof name)
        name[len++] = *p++;
    name[len] = '\0';
    p = skip_space(p);
    if (*p == '=')
        p = skip_space(p + 1);
    if (*p == '\'') {
        const char *after = read_quoted(p + 1, value, sizeof value);
        if (after == NULL)
            return syntax_error(path, line, p);
        p = after;
    } else {
        const char *start = p;
        p = read_bare(p, value, sizeof value);
        if (p == start)
            return syntax_error(path, line, p);
    }
    p = skip_space(p);
    if (*p != '#' && *p != '\n' && *p != '\0')
        return syntax_error(path, line, p);
    if (sdb_settings_set(s, name, value, source) != SDB_OK) {
        sdb_error_prefix("%s:%d", path, line);
        return SDB_ERROR;
    }
    return SDB_OK;
}

int sdb_settings_load_file(SdbSettings *s, const char *path, SdbSettingSource source)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return sdb_error_errno(errno, "could not open configuration file \"%s\"", path);
    char text[MAX_LINE];
    int line = 0;
    int rc = SDB_OK;
    while (rc == SDB_OK && fgets(text, sizeof text, file)) {
        line++;
        if (strchr(text, '\n') == NULL && !feof(file))
            rc = sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "line %d of file \"%s\" is too long", line, path);
        else
            rc = apply_line(s, text, path, line, source);
    }
    if (rc == SDB_OK && ferror(file))
        rc = sdb_error_errno(errno, "could not read configuration file \"%s\"", path);
    fclose(file);
    return rc;
}
