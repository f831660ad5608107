/*
 * hash.c: the hash function and hash table behind hash.h.
 *
 * A slot is empty when its key is NULL (a copied key is never NULL, since
 * arenas return a distinct pointer even for zero bytes).  Each slot keeps
 * the key's full hash so that probing compares hashes before bytes and
 * growing never rehashes.
 */
#include "common/hash.h"

#include <string.h>

#define MIN_CAPACITY 8

typedef struct Slot {
    const void *key;
    size_t len;
    void *value;
    uint64_t hash;
} Slot;

struct SdbHash {
    SdbArena *arena;
    Slot *slots;
    size_t mask; /* slot count - 1 */
    size_t count;
};

/* ---- sdb_hash_bytes ------------------------------------------------------
 * The construction of wyhash (Wang Yi, public domain): input words are
 * combined by 64x64->128-bit multiplication whose halves are xor-folded. */

#define K0 0xa0761d6478bd642full
#define K1 0xe7037ed1a0b428dbull
#define K2 0x8ebc6af09c88c6e3ull
#define K3 0x589965cc75374cc3ull

static uint64_t fold_multiply(uint64_t a, uint64_t b)
{
    unsigned __int128 product = (unsigned __int128)a * b;
    return (uint64_t)product ^ (uint64_t)(product >> 64);
}

static uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t read32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

uint64_t sdb_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t a = 0, b = 0;
    seed ^= fold_multiply(seed ^ K0, K1);
    if (len >= 4 && len <= 16) {
        size_t middle = (len >> 3) << 2;
        a = read32(p) << 32 | read32(p + middle);
        b = read32(p + len - 4) << 32 | read32(p + len - 4 - middle);
    } else if (len > 0 && len < 4) {
        a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
    } else if (len > 16) {
        size_t left = len;
        if (left > 48) {
            uint64_t lane1 = seed, lane2 = seed;
            do {
                seed = fold_multiply(read64(p) ^ K1, read64(p + 8) ^ seed);
                lane1 = fold_multiply(read64(p + 16) ^ K2, read64(p + 24) ^ lane1);
                lane2 = fold_multiply(read64(p + 32) ^ K3, read64(p + 40) ^ lane2);
                p += 48;
                left -= 48;
            } while (left > 48);
            seed ^= lane1 ^ lane2;
        }
        for (; left > 16; p += 16, left -= 16)
            seed = fold_multiply(read64(p) ^ K1, read64(p + 8) ^ seed);
        a = read64(p + left - 16);
        b = read64(p + left - 8);
    }
    unsigned __int128 product = (unsigned __int128)(a ^ K1) * (b ^ seed);
    return fold_multiply((uint64_t)product ^ K0 ^ len, (uint64_t)(product >> 64) ^ K1);
}

/* ---- the table ----------------------------------------------------------- */

static size_t capacity_for(size_t expected)
{
    size_t capacity = MIN_CAPACITY;
    /* Stops short of overflow; so large a count then fails to allocate. */
    while (capacity - capacity / 4 < expected && capacity <= SIZE_MAX / 4)
        capacity *= 2;
    return capacity;
}

SdbHash *sdb_hash_create(SdbArena *arena, size_t expected)
{
    size_t capacity = capacity_for(expected);
    SdbHash *h = sdb_arena_alloc(arena, sizeof *h);
    if (!h)
        return NULL;
    h->slots = sdb_arena_calloc(arena, capacity, sizeof *h->slots);
    if (!h->slots)
        return NULL;
    h->arena = arena;
    h->mask = capacity - 1;
    h->count = 0;
    return h;
}

/* The slot holding the key, or else the empty slot that ends its probe. */
static size_t find(const SdbHash *h, const void *key, size_t len, uint64_t hash)
{
    size_t i = hash & h->mask;
    for (;; i = (i + 1) & h->mask) {
        const Slot *s = &h->slots[i];
        if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
            return i;
    }
}

static size_t find_empty(const Slot *slots, size_t mask, uint64_t hash)
{
    size_t i = hash & mask;
    while (slots[i].key)
        i = (i + 1) & mask;
    return i;
}

static int grow(SdbHash *h)
{
    size_t capacity = (h->mask + 1) * 2;
    Slot *slots = sdb_arena_calloc(h->arena, capacity, sizeof *slots);
    if (!slots)
        return SDB_ERROR;
    for (size_t i = 0; i <= h->mask; i++) {
        if (h->slots[i].key)
            slots[find_empty(slots, capacity - 1, h->slots[i].hash)] = h->slots[i];
    }
    h->slots = slots;
    h->mask = capacity - 1;
    return SDB_OK;
}

int sdb_hash_put(SdbHash *h, const void *key, size_t len, void *value)
{
    uint64_t hash = sdb_hash_bytes(key, len, 0);
    size_t i = find(h, key, len, hash);
    if (h->slots[i].key) {
        h->slots[i].value = value;
        return SDB_OK;
    }
    size_t capacity = h->mask + 1;
    if (h->count + 1 > capacity - capacity / 4) {
        if (grow(h) != SDB_OK)
            return SDB_ERROR;
        i = find_empty(h->slots, h->mask, hash);
    }
    void *copy = sdb_arena_alloc(h->arena, len);
    if (!copy)
        return SDB_ERROR;
    memcpy(copy, key, len);
    h->slots[i] = (Slot){.key = copy, .len = len, .value = value, .hash = hash};
    h->count++;
    return SDB_OK;
}

bool sdb_hash_lookup(const SdbHash *h, const void *key, size_t len, void **value)
{
    const Slot *s = &h->slots[find(h, key, len, sdb_hash_bytes(key, len, 0))];
    if (!s->key)
        return false;
    if (value)
        *value = s->value;
    return true;
}

bool sdb_hash_remove(SdbHash *h, const void *key, size_t len)
{
    size_t hole = find(h, key, len, sdb_hash_bytes(key, len, 0));
    if (!h->slots[hole].key)
        return false;
    /* Shift back each following entry of the run that may move into the
     * hole: one whose home slot is not between the hole and where it is. */
    for (size_t i = (hole + 1) & h->mask; h->slots[i].key; i = (i + 1) & h->mask) {
        size_t home = h->slots[i].hash & h->mask;
        if (((i - home) & h->mask) >= ((i - hole) & h->mask)) {
            h->slots[hole] = h->slots[i];
            hole = i;
        }
    }
    h->slots[hole] = (Slot){0};
    h->count--;
    return true;
}

size_t sdb_hash_count(const SdbHash *h)
{
    return h->count;
}

void sdb_hash_iter_init(SdbHashIter *it, const SdbHash *h)
{
    it->hash = h;
    it->next = 0;
}

bool sdb_hash_iter_next(SdbHashIter *it, const void **key, size_t *len, void **value)
{
    const SdbHash *h = it->hash;
    for (; it->next <= h->mask; it->next++) {
        const Slot *s = &h->slots[it->next];
        if (s->key) {
            *key = s->key;
            *len = s->len;
            *value = s->value;
            it->next++;
            return true;
        }
    }
    return false;
}
