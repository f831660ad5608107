/*
 * expr/fn_name.c: the casts between name and the other string types
 * (PostgreSQL's name_text, text_name, bpchar_name): name is a string of at
 * most 63 bytes, stored like text.
 */
#include "expr/fmgr.h"

#define NAME_MAX_BYTES 63

/* text(name), varchar(name), bpchar(name): the same characters. */
int sdb_fn_name_text(SdbFnCall *call)
{
    const SdbVarlena *v = sdb_fn_arg_text(call, 0);
    return sdb_fn_return_text(call, v->data, v->len);
}

/* name(text), name(varchar), name(bpchar): the first 63 bytes, cut at a
 * character boundary; bpchar loses its trailing spaces first. */
int sdb_fn_text_name(SdbFnCall *call)
{
    const SdbVarlena *v = sdb_fn_arg_text(call, 0);
    const unsigned char *s = (const unsigned char *)v->data;
    size_t len = v->len;
    if (sdb_fn_argtype(call, 0) == SDB_TYPEOID_BPCHAR)
        while (len > 0 && s[len - 1] == ' ')
            len--;
    if (len > NAME_MAX_BYTES) {
        len = NAME_MAX_BYTES;
        while (len > 0 && (s[len] & 0xC0) == 0x80)
            len--;
    }
    return sdb_fn_return_text(call, s, len);
}
