/*
 * config/settings.h: reading, checking and showing configuration parameters.
 *
 * The parameters themselves are declared in spec/settings.toml and generated
 * into sdb_settings.h (the SdbSettings struct and the sdb_setting_defs
 * table).  This module turns text into typed values with PostgreSQL's rules:
 * units ("64MB", "5min"), ranges, enum values, boolean spellings, and which
 * context may change what.  Every rejection names the parameter and carries
 * PostgreSQL's SQLSTATE (42704 unknown, 22023 bad value, 55P02 wrong time).
 */
#ifndef SDB_CONFIG_SETTINGS_H
#define SDB_CONFIG_SETTINGS_H

#include <stddef.h>

#include "sdb_settings.h"

/* The value of server_version: the PostgreSQL version whose behaviour we
 * implement (its spec default) and our own, as a distribution's build says
 * it ("15.0 (specdb 0.1.0)").  SHOW, the ParameterStatus and version() all
 * show this one string. */
const char *sdb_server_version(void);

/* Fill `s` with every parameter's default.  Returns SDB_OK, or SDB_ERROR
 * when memory runs out (then `s` holds nothing to free). */
int sdb_settings_init(SdbSettings *s);

/* Free the strings `s` owns. */
void sdb_settings_free(SdbSettings *s);

/* Deep copy (for a session's own settings); SDB_ERROR when out of memory. */
int sdb_settings_copy(SdbSettings *dst, const SdbSettings *src);

/* Copy the value of parameter `id`, and where it came from, from `src`
 * (already checked there).  SDB_ERROR when out of memory. */
int sdb_settings_copy_one(SdbSettings *dst, const SdbSettings *src, int id);

/* The parameter called `name` (any case), or -1. */
int sdb_settings_find(const char *name);

/* Set parameter `name` from text.  `source` says who is asking, which
 * decides what may change: a session may change only session parameters; the
 * file and command line may not change init or internal ones; init-time
 * parameters only at `specdb init`.  A value from a lower-priority source
 * than the current one is ignored (returns SDB_OK).  On a bad name or value
 * the error is recorded, `s` is unchanged and SDB_ERROR is returned. */
int sdb_settings_set(SdbSettings *s, const char *name, const char *value, SdbSettingSource source);

/* Apply "name=value" as given to --set. */
int sdb_settings_set_option(SdbSettings *s, const char *option, SdbSettingSource source);

/* Read a specdb.conf-style file: "name = value" lines, # comments, values
 * with spaces in single quotes.  Errors name the file and line.  A missing
 * file is an error (58P01). */
int sdb_settings_load_file(SdbSettings *s, const char *path, SdbSettingSource source);

/* The value of parameter `id` as SHOW prints it (e.g. "4MB", "on"), written
 * NUL-terminated into `buf`.  Returns the length it needed (like snprintf). */
size_t sdb_settings_show(const SdbSettings *s, int id, char *buf, size_t size);

#endif /* SDB_CONFIG_SETTINGS_H */
