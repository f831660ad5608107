/*
 * access/pgstat.c: per-table activity counters (pgstat.h): an open
 * addressing hash table keyed by relation file, under one mutex, grown by
 * doubling.
 */
#include "access/pgstat.h"

#include <pthread.h>
#include <string.h>

#include "common/memory.h"

typedef struct Entry {
    bool used;
    SdbRelFileId file;
    SdbTableStats stats;
} Entry;

static pthread_mutex_t stat_lock = PTHREAD_MUTEX_INITIALIZER;
static Entry *table;
static size_t capacity, used;

static size_t hash(SdbRelFileId f)
{
    uint64_t h = ((uint64_t)f.db_oid << 32 | f.rel_number) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20);
}

static Entry *probe(Entry *t, size_t cap, SdbRelFileId f)
{
    size_t i = hash(f) & (cap - 1);
    while (t[i].used && (t[i].file.db_oid != f.db_oid || t[i].file.rel_number != f.rel_number))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* The entry of `f`, created when missing; NULL when out of memory (the
 * counters are then not kept: statistics are advisory). */
static Entry *lookup(SdbRelFileId f)
{
    if ((used + 1) * 2 > capacity) {
        size_t grown = capacity == 0 ? 64 : capacity * 2;
        Entry *t = sdb_malloc(grown * sizeof *t);
        if (t == NULL)
            return NULL;
        memset(t, 0, grown * sizeof *t);
        for (size_t i = 0; i < capacity; i++)
            if (table[i].used)
                *probe(t, grown, table[i].file) = table[i];
        sdb_free(table);
        table = t;
        capacity = grown;
    }
    Entry *e = probe(table, capacity, f);
    if (!e->used) {
        e->used = true;
        e->file = f;
        used++;
    }
    return e;
}

void sdb_pgstat_count(SdbRelFileId file, uint64_t inserted, uint64_t updated, uint64_t deleted)
{
    pthread_mutex_lock(&stat_lock);
    Entry *e = lookup(file);
    if (e != NULL) {
        e->stats.n_tup_ins += inserted;
        e->stats.n_tup_upd += updated;
        e->stats.n_tup_del += deleted;
        e->stats.n_live_tup += (int64_t)inserted - (int64_t)deleted;
        e->stats.n_dead_tup += (int64_t)(updated + deleted);
    }
    pthread_mutex_unlock(&stat_lock);
}

void sdb_pgstat_vacuumed(SdbRelFileId file, bool autovacuum, int64_t when, uint64_t live, uint64_t dead_left)
{
    pthread_mutex_lock(&stat_lock);
    Entry *e = lookup(file);
    if (e != NULL) {
        e->stats.n_live_tup = (int64_t)live;
        e->stats.n_dead_tup = (int64_t)dead_left;
        if (autovacuum) {
            e->stats.autovacuum_count++;
            e->stats.last_autovacuum = when;
        } else {
            e->stats.vacuum_count++;
            e->stats.last_vacuum = when;
        }
    }
    pthread_mutex_unlock(&stat_lock);
}

SdbTableStats sdb_pgstat_get(SdbRelFileId file)
{
    SdbTableStats s = {0};
    pthread_mutex_lock(&stat_lock);
    if (capacity > 0) {
        Entry *e = probe(table, capacity, file);
        if (e->used)
            s = e->stats;
    }
    pthread_mutex_unlock(&stat_lock);
    return s;
}
