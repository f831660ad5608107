/*
 * types_test_util.h: helpers shared by the test_types_*.c programs: run a
 * type's text input and output and compare with PostgreSQL's answer, check
 * binary send/receive round trips, and render errors as
 * "ERROR <SQLSTATE>: <message>[ DETAIL: <detail>]" so that a regression-
 * style table of cases covers both successes and failures.
 */
#ifndef SDB_TYPES_TEST_UTIL_H
#define SDB_TYPES_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/error.h"
#include "common/memory.h"
#include "common/str.h"
#include "types/timezone.h"
#include "types/typeio.h"

/* One regression case: text `in` as type `type` with `typmod` gives `out`
 * (its output text, or the error as rendered by tt_result). */
typedef struct TtCase {
    SdbOid type;
    int32_t typmod;
    const char *in;
    const char *out;
} TtCase;

static SdbArena *tt_arena;
static const SdbTimeZone *tt_zone;     /* session TimeZone; NULL = UTC */
static int64_t tt_now = 848814732123456; /* 2026-11-24 05:52:12.123456 UTC */

static inline int tt_setup(void)
{
    tt_arena = sdb_arena_create(NULL, "types test", 0);
    return tt_arena == NULL;
}

static inline int tt_teardown(void)
{
    sdb_arena_destroy(tt_arena);
    return 0;
}

static inline SdbTypeCtx tt_ctx(SdbOid type, int32_t typmod)
{
    SdbTypeCtx ctx = {.arena = tt_arena, .timezone = tt_zone, .now = tt_now, .typid = type, .typmod = typmod};
    return ctx;
}

/* The recorded error as "ERROR <SQLSTATE>: <message>[ DETAIL: <detail>]". */
static inline const char *tt_error_text(void)
{
    const SdbErrorData *e = sdb_error_last();
    const char *text = sdb_arena_sprintf(tt_arena, "ERROR %s: %s%s%s", sdb_errcode_info(e->code)->sqlstate,
                                         e->message, e->detail[0] ? " DETAIL: " : "", e->detail);
    sdb_error_clear();
    return text;
}

/* Input then output of `in`; the output text or the error text. */
static inline const char *tt_result(SdbOid type, int32_t typmod, const char *in, SdbDatum *value)
{
    SdbTypeCtx ctx = tt_ctx(type, typmod);
    SdbDatum v;
    if (sdb_type_input(&ctx, in, &v) != SDB_OK)
        return tt_error_text();
    SdbStr out;
    sdb_str_init(&out, tt_arena);
    if (sdb_type_output(&ctx, v, &out) != SDB_OK)
        return tt_error_text();
    if (value != NULL)
        *value = v;
    return out.data;
}

/* The text of a value, via the type's output function. */
static inline const char *tt_out(SdbOid type, SdbDatum v)
{
    SdbTypeCtx ctx = tt_ctx(type, -1);
    SdbStr out;
    sdb_str_init(&out, tt_arena);
    if (sdb_type_output(&ctx, v, &out) != SDB_OK)
        return tt_error_text();
    return out.data;
}

/* Parse `in` as `type`; the test fails if it is not valid. */
static inline SdbDatum tt_in(SdbOid type, const char *in)
{
    SdbTypeCtx ctx = tt_ctx(type, -1);
    SdbDatum v = 0;
    if (sdb_type_input(&ctx, in, &v) != SDB_OK) {
        printf("\n  %s: input \"%s\" failed: %s\n", sdb_type_by_oid(type)->name, in, tt_error_text());
        CU_FAIL("input failed");
    }
    return v;
}

/* Send `v`, receive the bytes back, and check the value prints as `text`
 * and sends the same bytes again. */
static inline void tt_check_binary(SdbOid type, SdbDatum v, const char *text)
{
    SdbTypeCtx ctx = tt_ctx(type, -1);
    SdbStr wire, again;
    sdb_str_init(&wire, tt_arena);
    sdb_str_init(&again, tt_arena);
    SdbDatum back;
    CU_ASSERT_EQUAL_FATAL(sdb_type_send(&ctx, v, &wire), SDB_OK);
    if (sdb_type_receive(&ctx, wire.data, wire.len, &back) != SDB_OK) {
        printf("\n  %s: receive of \"%s\" failed: %s\n", sdb_type_by_oid(type)->name, text, tt_error_text());
        CU_FAIL("receive failed");
        return;
    }
    const char *got = tt_out(type, back);
    if (strcmp(got, text) != 0)
        printf("\n  %s: binary round trip of \"%s\" gave \"%s\"\n", sdb_type_by_oid(type)->name, text, got);
    CU_ASSERT_STRING_EQUAL(got, text);
    CU_ASSERT_EQUAL(sdb_type_send(&ctx, back, &again), SDB_OK);
    CU_ASSERT_TRUE(again.len == wire.len && memcmp(again.data, wire.data, wire.len) == 0);
}

/* Run the cases; every valid one is also checked through send/receive. */
static inline void tt_run(const TtCase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        SdbDatum v = 0;
        const char *got = tt_result(cases[i].type, cases[i].typmod, cases[i].in, &v);
        if (strcmp(got, cases[i].out) != 0)
            printf("\n  %s '%s': expected \"%s\", got \"%s\"\n", sdb_type_by_oid(cases[i].type)->name, cases[i].in,
                   cases[i].out, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
        if (strncmp(cases[i].out, "ERROR ", 6) != 0 && strcmp(got, cases[i].out) == 0)
            tt_check_binary(cases[i].type, v, cases[i].out);
    }
}

/* Receive raw bytes as `type`; the output text or the error text. */
static inline const char *tt_recv(SdbOid type, int32_t typmod, const void *data, size_t len)
{
    SdbTypeCtx ctx = tt_ctx(type, typmod);
    SdbDatum v;
    if (sdb_type_receive(&ctx, data, len, &v) != SDB_OK)
        return tt_error_text();
    return tt_out(type, v);
}

/* The wire bytes of `in` as `type`, as lowercase hex. */
static inline const char *tt_send_hex(SdbOid type, const char *in)
{
    SdbTypeCtx ctx = tt_ctx(type, -1);
    SdbStr wire, hex;
    sdb_str_init(&wire, tt_arena);
    sdb_str_init(&hex, tt_arena);
    if (sdb_type_send(&ctx, tt_in(type, in), &wire) != SDB_OK)
        return tt_error_text();
    for (size_t i = 0; i < wire.len; i++)
        sdb_str_appendf(&hex, "%02x", (unsigned char)wire.data[i]);
    return hex.data;
}

/* Check that the `n` literals of `type` are in strictly ascending order by
 * the type's compare function. */
static inline void tt_check_ascending(SdbOid type, const char *const *texts, size_t n)
{
    const SdbTypeOps *ops = sdb_type_ops(type);
    for (size_t i = 0; i + 1 < n; i++) {
        int c = ops->compare(tt_in(type, texts[i]), tt_in(type, texts[i + 1]));
        if (c >= 0)
            printf("\n  %s %s should sort before %s\n", sdb_type_by_oid(type)->name, texts[i], texts[i + 1]);
        CU_ASSERT_TRUE(c < 0);
    }
}

#define TT_RUN(cases) tt_run(cases, sizeof(cases) / sizeof(cases[0]))

#endif /* SDB_TYPES_TEST_UTIL_H */
