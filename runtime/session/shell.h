/*
 * session/shell.h: `specdb sql`, an embedded psql: runs SQL from -c, a file
 * or standard input on a session of its own and prints what psql prints.
 *
 * Output formats: "aligned" (psql's default table format, command tags,
 * errors and warnings on stderr as "ERROR:  message", with the SQLSTATE
 * before the message at verbosity "verbose") and "raw", one line per event
 * for test drivers (values escaped as COPY text: \\ \t \n \r, NULL as \N):
 *
 *   D<TAB>oid name<TAB>oid name...   a result's columns
 *   R<TAB>value<TAB>value...         a row
 *   C<TAB>tag                        a statement completed
 *   E<TAB>sqlstate<TAB>message       an error (on stdout)
 *   N<TAB>sqlstate<TAB>message       a warning or notice (on stdout)
 *
 * Input from a file or stdin is split into statements as psql splits it
 * (semicolons outside quotes, comments, dollar quotes and parentheses);
 * the meta-commands \echo TEXT and \q are understood.  An error does not
 * stop the script unless on_error_stop is set (psql's ON_ERROR_STOP).
 */
#ifndef SDB_SESSION_SHELL_H
#define SDB_SESSION_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "session/session.h"

/* One -c or -f of the command line. */
typedef struct SdbShellAction {
    bool is_file;          /* -f: text is a file name; -c: text is run as one query */
    const char *text;
} SdbShellAction;

typedef struct SdbShellOptions {
    const SdbShellAction *actions; /* -c and -f in command line order, run as psql runs them */
    int nactions;          /* 0: the single command or file below */
    const char *command;   /* -c: run this string (as one query) */
    const char *file;      /* -f: run this file; NULL with command NULL and no actions: stdin */
    bool verbose;          /* VERBOSITY=verbose: "ERROR:  42601: message" */
    bool on_error_stop;    /* ON_ERROR_STOP: a failed statement ends the script (exit 3) */
    bool raw;              /* FORMAT=raw */
} SdbShellOptions;

/* Run as described; returns the exit status of the last action run (0 ok;
 * 1 when -c failed or the file could not be read; 3 when ON_ERROR_STOP
 * stopped a script).  With ON_ERROR_STOP, a failed action ends the run. */
int sdb_shell_run(SdbSession *s, const SdbShellOptions *opts, FILE *out, FILE *err);

/* Print the recorded error (one that happened before the shell ran, such as
 * opening the data directory) as the shell prints errors. */
void sdb_shell_print_error(const SdbShellOptions *opts, FILE *out, FILE *err);

#endif /* SDB_SESSION_SHELL_H */
