/*
 * parser.h: the SQL parser's interface: text in, raw parse trees out (one
 * RawStmt per statement, nodes of spec/ast.toml, see sdb_ast.h).
 */
#ifndef SDB_SQL_PARSER_H
#define SDB_SQL_PARSER_H

#include <stddef.h>

#include "common/memory.h"
#include "sdb_ast.h"

/* What sdb_parse() returns: the statements of the input in order, each a
 * RawStmt holding the statement's tree, its byte offset in the input
 * (stmt_location) and its length in bytes up to its last token
 * (stmt_len).  Empty statements (";;") are left out; an input with no
 * statement gives count 0 and stmts NULL. */
typedef struct SdbParseResult {
    SdbList *stmts; /* of SdbRawStmt */
    int count;
} SdbParseResult;

/* Parse `len` bytes of `sql` (which need not be NUL-terminated), building
 * every node in `arena`.  SDB_OK with *out filled in, or SDB_ERROR with the
 * error recorded (error.h) and its position (1-based character of the
 * input) set: 42601 syntax_error ('syntax error at or near "TOKEN"',
 * 'syntax error at end of input', unterminated literals and comments, bad
 * escapes), 22021 for invalid UTF-8 or a NUL byte, 22P02 for bad bit-string
 * digits, 22025 for a bad E'' Unicode escape, 53200 when the arena fails,
 * 54001 when the statement nests too deeply.  On error *out is emptied and
 * the arena may hold partial trees (reset it to reclaim them). */
int sdb_parse(SdbArena *arena, const char *sql, size_t len, SdbParseResult *out);

#endif /* SDB_SQL_PARSER_H */
