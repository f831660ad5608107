/*
 * catalog/indexkey.c: the B+tree key of a row for one index (catalog.h,
 * sdb_index_key): the order-preserving encodings of its key columns.
 */
#include "catalog/catalog.h"
#include "types/typeio.h"

int sdb_index_key(const SdbRelation *rel, const SdbIndex *index, const SdbDatum *values, const bool *nulls, SdbStr *out,
                  bool *has_null)
{
    bool any_null = false;
    for (int i = 0; i < index->nkeys; i++) {
        int a = index->keys[i] - 1;
        if (a < 0 || a >= rel->natts)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "index \"%s\" has invalid key column %d", index->name, a + 1);
        int16_t option = index->key_options ? index->key_options[i] : 0;
        SdbKeyOrder order = {.descending = (option & 1) != 0, .nulls_first = (option & 2) != 0};
        any_null |= nulls[a];
        if (sdb_key_encode(rel->attrs[a].type, values[a], nulls[a], order, out) != SDB_OK)
            return SDB_ERROR;
    }
    if (has_null != NULL)
        *has_null = any_null;
    return SDB_OK;
}
