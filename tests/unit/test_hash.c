/*
 * test_hash.c: sdb_hash_bytes() and the SdbHash table (hash.h), the table
 * checked against a plain array model over a long random run.
 */
#include <stdint.h>
#include <string.h>

#include "common/hash.h"
#include "harness.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)rng();
}

static void *value_of(uintptr_t v)
{
    return (void *)v;
}

/* ---- the hash function --------------------------------------------------- */

static void test_hash_is_deterministic_and_seeded(void)
{
    unsigned char buf[128];
    fill_random(buf, sizeof buf);
    uint64_t seen[129];
    for (size_t len = 0; len <= sizeof buf; len++) {
        seen[len] = sdb_hash_bytes(buf, len, 0);
        CU_ASSERT_EQUAL(seen[len], sdb_hash_bytes(buf, len, 0));
        CU_ASSERT_NOT_EQUAL(seen[len], sdb_hash_bytes(buf, len, 1));
        for (size_t j = 0; j < len; j++)
            CU_ASSERT_NOT_EQUAL(seen[j], seen[len]);
    }
}

static void test_hash_ignores_alignment(void)
{
    unsigned char buf[80], moved[96];
    fill_random(buf, sizeof buf);
    for (size_t offset = 0; offset < 16; offset++) {
        memcpy(moved + offset, buf, sizeof buf);
        for (size_t len = 0; len <= sizeof buf; len += 7)
            CU_ASSERT_EQUAL(sdb_hash_bytes(moved + offset, len, 42), sdb_hash_bytes(buf, len, 42));
    }
}

/* Flipping any input bit flips each output bit with probability ~1/2, for
 * lengths taking each path through the function. */
static void test_hash_avalanche(void)
{
    static const size_t lengths[] = {1, 3, 8, 16, 40, 100};
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        size_t len = lengths[l];
        unsigned flips[64] = {0};
        unsigned trials = 0;
        unsigned char buf[100];
        for (int sample = 0; sample < 200; sample++) {
            fill_random(buf, len);
            uint64_t base = sdb_hash_bytes(buf, len, 0);
            for (size_t bit = 0; bit < len * 8; bit++) {
                buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
                uint64_t diff = base ^ sdb_hash_bytes(buf, len, 0);
                buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
                for (int out = 0; out < 64; out++)
                    flips[out] += (diff >> out) & 1;
                trials++;
            }
        }
        for (int out = 0; out < 64; out++) {
            double p = (double)flips[out] / trials;
            CU_ASSERT_TRUE(p > 0.43 && p < 0.57);
        }
    }
}

/* ---- the table ----------------------------------------------------------- */

static void test_basic_operations(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "hash", 0);
    SdbHash *h = sdb_hash_create(arena, 0);
    void *v = value_of(99);
    CU_ASSERT_EQUAL(sdb_hash_count(h), 0);
    CU_ASSERT_FALSE(sdb_hash_lookup(h, "a", 1, &v));
    CU_ASSERT_PTR_EQUAL(v, value_of(99));
    CU_ASSERT_EQUAL(sdb_hash_put(h, "a", 1, value_of(1)), SDB_OK);
    CU_ASSERT_EQUAL(sdb_hash_put(h, "b", 1, NULL), SDB_OK);
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "a", 1, &v));
    CU_ASSERT_PTR_EQUAL(v, value_of(1));
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "b", 1, &v));
    CU_ASSERT_PTR_NULL(v);
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "b", 1, NULL));
    /* Replace keeps one entry. */
    CU_ASSERT_EQUAL(sdb_hash_put(h, "a", 1, value_of(2)), SDB_OK);
    CU_ASSERT_EQUAL(sdb_hash_count(h), 2);
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "a", 1, &v));
    CU_ASSERT_PTR_EQUAL(v, value_of(2));
    CU_ASSERT_TRUE(sdb_hash_remove(h, "a", 1));
    CU_ASSERT_FALSE(sdb_hash_remove(h, "a", 1));
    CU_ASSERT_FALSE(sdb_hash_lookup(h, "a", 1, NULL));
    CU_ASSERT_EQUAL(sdb_hash_count(h), 1);
    sdb_arena_destroy(arena);
}

static void test_keys_are_copied(void)
{
    SdbArena *arena = sdb_arena_create(NULL, "hash", 0);
    SdbHash *h = sdb_hash_create(arena, 4);
    char key[] = "mutable";
    CU_ASSERT_EQUAL(sdb_hash_put(h, key, 7, value_of(1)), SDB_OK);
    key[0] = 'X';
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "mutable", 7, NULL));
    CU_ASSERT_FALSE(sdb_hash_lookup(h, key, 7, NULL));
    sdb_arena_destroy(arena);
}

static void test_keys_with_nul_bytes(void)
{
    static const struct {
        const char *bytes;
        size_t len;
    } keys[] = {{"", 0}, {"\0", 1}, {"\0\0", 2}, {"a", 1}, {"a\0", 2}, {"a\0b", 3}, {"a\0c", 3}, {"\0a", 2}};
    const size_t n = sizeof keys / sizeof keys[0];
    SdbArena *arena = sdb_arena_create(NULL, "hash", 0);
    SdbHash *h = sdb_hash_create(arena, 0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(sdb_hash_put(h, keys[i].bytes, keys[i].len, value_of(i + 1)), SDB_OK);
    CU_ASSERT_EQUAL(sdb_hash_count(h), n);
    for (size_t i = 0; i < n; i++) {
        void *v = NULL;
        CU_ASSERT_TRUE(sdb_hash_lookup(h, keys[i].bytes, keys[i].len, &v));
        CU_ASSERT_PTR_EQUAL(v, value_of(i + 1));
    }
    CU_ASSERT_TRUE(sdb_hash_remove(h, "", 0));
    CU_ASSERT_FALSE(sdb_hash_lookup(h, "", 0, NULL));
    CU_ASSERT_TRUE(sdb_hash_lookup(h, "\0", 1, NULL));
    sdb_arena_destroy(arena);
}

#define COLLIDING 20
#define FILLERS 50

/* Every key is found with its value (index + 1) exactly when present. */
static void check_keys(SdbHash *h, unsigned char keys[][8], const bool *present, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *v = NULL;
        CU_ASSERT_EQUAL(sdb_hash_lookup(h, keys[i], 8, &v), present[i]);
        if (present[i])
            CU_ASSERT_PTR_EQUAL(v, value_of(i + 1));
    }
}

/* Keys whose hashes share their low 16 bits, all ones, share a home slot in
 * any table of up to 65536 slots, the last one: the run wraps around the
 * end.  Removing them in any order must keep every other key reachable. */
static void test_collisions_and_backward_shift(void)
{
    unsigned char keys[COLLIDING + FILLERS][8];
    bool present[COLLIDING + FILLERS];
    for (size_t i = 0; i < COLLIDING + FILLERS; i++) {
        do
            fill_random(keys[i], 8);
        while (i < COLLIDING && (sdb_hash_bytes(keys[i], 8, 0) & 0xffff) != 0xffff);
        present[i] = true;
    }
    SdbArena *arena = sdb_arena_create(NULL, "collisions", 0);
    SdbHash *h = sdb_hash_create(arena, 100);
    for (size_t i = 0; i < COLLIDING + FILLERS; i++)
        CU_ASSERT_EQUAL(sdb_hash_put(h, keys[i], 8, value_of(i + 1)), SDB_OK);
    check_keys(h, keys, present, COLLIDING + FILLERS);
    static const size_t order[] = {7, 0, 19, 10, 11, 1, 18, 2, 3, 17, 4, 16, 5, 15, 6, 14, 8, 13, 9, 12};
    for (size_t r = 0; r < COLLIDING; r++) {
        CU_ASSERT_TRUE(sdb_hash_remove(h, keys[order[r]], 8));
        present[order[r]] = false;
        check_keys(h, keys, present, COLLIDING + FILLERS);
        if (r % 3 == 0) {
            CU_ASSERT_EQUAL(sdb_hash_put(h, keys[order[r]], 8, value_of(order[r] + 1)), SDB_OK);
            present[order[r]] = true;
            check_keys(h, keys, present, COLLIDING + FILLERS);
            CU_ASSERT_TRUE(sdb_hash_remove(h, keys[order[r]], 8));
            present[order[r]] = false;
        }
    }
    CU_ASSERT_EQUAL(sdb_hash_count(h), FILLERS);
    sdb_arena_destroy(arena);
}

#define POOL 100000
#define KEY_MAX 24

/* The model: key i is its index (4 bytes) followed by 0-20 random bytes. */
static unsigned char pool[POOL][KEY_MAX];
static size_t pool_len[POOL];
static bool model_present[POOL];
static void *model_value[POOL];

static void make_pool(void)
{
    for (uint32_t i = 0; i < POOL; i++) {
        memcpy(pool[i], &i, 4);
        pool_len[i] = 4 + rng() % 21;
        fill_random(pool[i] + 4, pool_len[i] - 4);
        model_present[i] = false;
    }
}

/* Iteration visits each present key exactly once, with its value. */
static void check_iteration(const SdbHash *h)
{
    static bool visited[POOL];
    memset(visited, 0, sizeof visited);
    SdbHashIter it;
    const void *key;
    size_t len, visits = 0;
    void *value;
    sdb_hash_iter_init(&it, h);
    while (sdb_hash_iter_next(&it, &key, &len, &value)) {
        uint32_t i;
        memcpy(&i, key, 4);
        CU_ASSERT_FATAL(i < POOL);
        CU_ASSERT_EQUAL(len, pool_len[i]);
        CU_ASSERT_EQUAL(memcmp(key, pool[i], len), 0);
        CU_ASSERT_TRUE(model_present[i]);
        CU_ASSERT_FALSE(visited[i]);
        CU_ASSERT_PTR_EQUAL(value, model_value[i]);
        visited[i] = true;
        visits++;
    }
    CU_ASSERT_EQUAL(visits, sdb_hash_count(h));
    CU_ASSERT_FALSE(sdb_hash_iter_next(&it, &key, &len, &value));
}

static void test_random_operations_against_model(void)
{
    make_pool();
    SdbArena *arena = sdb_arena_create(NULL, "model", 0);
    SdbHash *h = sdb_hash_create(arena, 0);
    size_t count = 0, mismatches = 0;
    for (uint32_t op = 0; op < 400000; op++) {
        /* Mostly inserts early, then a churn of all operations. */
        size_t i = op < POOL ? op : rng() % POOL;
        unsigned kind = op < POOL ? 0 : (unsigned)(rng() % 10);
        void *found = NULL;
        bool was = model_present[i];
        if (kind < 5) {
            void *v = op % 7 == 0 ? NULL : value_of(op + 1);
            CU_ASSERT_EQUAL_FATAL(sdb_hash_put(h, pool[i], pool_len[i], v), SDB_OK);
            model_present[i] = true;
            model_value[i] = v;
            count += !was;
        } else if (kind < 8) {
            mismatches += sdb_hash_remove(h, pool[i], pool_len[i]) != was;
            model_present[i] = false;
            count -= was;
        } else {
            mismatches += sdb_hash_lookup(h, pool[i], pool_len[i], &found) != was;
            mismatches += was && found != model_value[i];
        }
        mismatches += sdb_hash_count(h) != count;
        if (op == POOL - 1 || op % 100000 == 0)
            check_iteration(h);
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    for (size_t i = 0; i < POOL; i++) {
        void *found = NULL;
        mismatches += sdb_hash_lookup(h, pool[i], pool_len[i], &found) != model_present[i];
        mismatches += model_present[i] && found != model_value[i];
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    check_iteration(h);
    sdb_arena_destroy(arena);
}

/* A put that fails (growing the slots or copying the key) reports 53200 and
 * leaves every earlier entry in place and the new key absent. */
static void test_failed_put_leaves_table_intact(void)
{
    int failures = 0;
    for (long n = 0;; n++) {
        SdbArena *arena = sdb_arena_create(NULL, "failing", 0);
        SdbHash *h = sdb_hash_create(arena, 0);
        char key[32];
        int i, rc = SDB_OK;
        sdb_memory_fail_after(n);
        for (i = 0; i < 3000 && rc == SDB_OK; i++) {
            snprintf(key, sizeof key, "key %d", i);
            rc = sdb_hash_put(h, key, strlen(key), value_of((uintptr_t)i + 1));
        }
        sdb_memory_fail_after(-1);
        if (rc == SDB_OK) {
            sdb_arena_destroy(arena);
            break;
        }
        failures++;
        CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
        CU_ASSERT_EQUAL(sdb_hash_count(h), (size_t)i - 1);
        CU_ASSERT_FALSE(sdb_hash_lookup(h, key, strlen(key), NULL));
        for (int j = 0; j < i - 1; j++) {
            void *v = NULL;
            snprintf(key, sizeof key, "key %d", j);
            CU_ASSERT_TRUE(sdb_hash_lookup(h, key, strlen(key), &v));
            CU_ASSERT_PTR_EQUAL(v, value_of((uintptr_t)j + 1));
        }
        sdb_arena_destroy(arena);
    }
    CU_ASSERT_TRUE(failures >= 4);
    /* Creation fails cleanly too: a slot array that cannot exist. */
    SdbArena *arena = sdb_arena_create(NULL, "huge table", 0);
    CU_ASSERT_PTR_NULL(sdb_hash_create(arena, SIZE_MAX));
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_OUT_OF_MEMORY);
    sdb_error_clear();
    sdb_arena_destroy(arena);
}

static CU_TestInfo tests[] = {
    {"hash deterministic and seeded", test_hash_is_deterministic_and_seeded},
    {"hash ignores alignment", test_hash_ignores_alignment},
    {"hash avalanche", test_hash_avalanche},
    {"put, lookup, replace, remove", test_basic_operations},
    {"keys are copied", test_keys_are_copied},
    {"keys with NUL bytes", test_keys_with_nul_bytes},
    {"collisions, backward shift", test_collisions_and_backward_shift},
    {"random operations against a model", test_random_operations_against_model},
    {"failed put leaves table intact", test_failed_put_leaves_table_intact},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"hash", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
