/*
 * types/jsonb.h: reading jsonb values (types/json.c's canonical binary
 * tree) without decoding them: the kind of a node, an array's elements, an
 * object's members (sorted by key length, then bytes; keys unique), scalar
 * payloads, a node as a jsonb datum or as JSON text, PostgreSQL's jsonb
 * order and containment (@>); and following a path in a json (text)
 * document.  Nodes are pointers into the datum and live
 * as long as it does.  Building jsonb goes through the input function
 * (sdb_type_input of JSON text).
 */
#ifndef SDB_TYPES_JSONB_H
#define SDB_TYPES_JSONB_H

#include "types/datum.h"

/* Node kinds (jsonb_typeof: null, boolean, number, string, array, object). */
enum {
    SDB_JSONB_NULL,
    SDB_JSONB_FALSE,
    SDB_JSONB_TRUE,
    SDB_JSONB_NUMBER,
    SDB_JSONB_STRING,
    SDB_JSONB_ARRAY,
    SDB_JSONB_OBJECT
};

typedef const unsigned char *SdbJsonbNode;

/* The top-level node of a jsonb datum. */
SdbJsonbNode sdb_jsonb_root(SdbDatum value);
int sdb_jsonb_kind(SdbJsonbNode n);
/* Elements of an array, members of an object; 0 for a scalar. */
uint32_t sdb_jsonb_count(SdbJsonbNode n);
/* The i-th element or member (0-based, i < count); an object member's key
 * in *key / *keylen (pass NULL for arrays). */
SdbJsonbNode sdb_jsonb_member(SdbJsonbNode n, uint32_t i, const char **key, size_t *keylen);
/* The value of an object's member `key`, or NULL (also for a non-object). */
SdbJsonbNode sdb_jsonb_field(SdbJsonbNode n, const char *key, size_t keylen);
/* A string's UTF-8 bytes, or a number's numeric payload (numeric.h). */
const unsigned char *sdb_jsonb_scalar(SdbJsonbNode n, size_t *len);
/* The node as a jsonb datum of its own (a copy in `arena`). */
int sdb_jsonb_node_datum(SdbArena *arena, SdbJsonbNode n, SdbDatum *out);
/* The node as jsonb_out prints it. */
int sdb_jsonb_node_text(SdbJsonbNode n, SdbStr *out);
/* Append `len` bytes of UTF-8 as a JSON string literal (quoted, escaped). */
int sdb_jsonb_append_string(SdbStr *out, const char *s, size_t len);
/* PostgreSQL's jsonb order of two nodes: <0, 0, >0. */
int sdb_jsonb_node_compare(SdbJsonbNode a, SdbJsonbNode b);
/* PostgreSQL's jsonb containment: whether `a` contains `b` (a @> b). */
bool sdb_jsonb_contains(SdbJsonbNode a, SdbJsonbNode b);

/* json (text) values: the value a path leads to in a json document, its
 * text as written and, for a string, its decoded contents. */
typedef struct SdbJsonValue {
    int kind;            /* SDB_JSONB_* */
    const char *text;    /* the value as written in the document */
    size_t len;
    const char *str;     /* string: the decoded UTF-8 */
    size_t strlen;
    size_t count;        /* array elements, object members (duplicates included) */
    const char *key;     /* sdb_json_members of an object: the member's decoded key */
    size_t keylen;
} SdbJsonValue;

/* Follow `nkeys` steps (object keys, or integers as text for array
 * elements, negative from the end; a NULL key finds nothing) from the top
 * of json document `doc`; *found false when there is nothing there.
 * Scratch and results in `arena` or in `doc`. */
int sdb_json_path(SdbArena *arena, const char *doc, const char *const *keys, const size_t *keylens, int nkeys,
                  SdbJsonValue *out, bool *found);

/* The top-level value of json document `doc` in *root and its members in
 * order (array elements, or object members with their keys, duplicates
 * included) as root->count values in *members; scratch and results in
 * `arena` or in `doc`. */
int sdb_json_members(SdbArena *arena, const char *doc, SdbJsonValue *root, SdbJsonValue **members);

#endif /* SDB_TYPES_JSONB_H */
