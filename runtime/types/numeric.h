/*
 * types/numeric.h: exact decimal arithmetic on numeric datums.
 *
 * A numeric datum is a varlena whose payload is PostgreSQL's NumericVar in
 * native byte order: uint16 ndigits, int16 weight, uint16 sign, uint16
 * dscale, then ndigits uint16 base-10000 digits (the first digit is worth
 * 10000^weight).  Stored values are stripped (no leading or trailing zero
 * digits; zero has no digits and weight 0); dscale is the number of decimal
 * digits shown after the point.  NaN and +/-Infinity have no digits and the
 * sign words 0xC000, 0xD000, 0xF000, as on the wire.
 *
 * Results follow PostgreSQL 15: add/sub keep the larger dscale, mul adds the
 * dscales, div picks select_div_scale's scale (at least 16 significant
 * digits) and rounds half away from zero, mod is x - trunc(x/y)*y.  Every
 * function allocates its result in `arena` and records 22012 division by
 * zero or 22003 "value overflows numeric format" as PostgreSQL does.
 */
#ifndef SDB_TYPES_NUMERIC_H
#define SDB_TYPES_NUMERIC_H

#include <stdbool.h>
#include <stdint.h>

#include "types/datum.h"

/* What a value is, read from its header. */
typedef struct SdbNumericFacts {
    bool nan;      /* NaN */
    bool special;  /* NaN, Infinity or -Infinity */
    int sign;      /* -1, 0 or 1 (an infinity's sign; 0 for NaN) */
    int dscale;    /* display scale (0 for a special value) */
} SdbNumericFacts;

SdbNumericFacts sdb_numeric_facts(SdbDatum a);

int sdb_numeric_add(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
int sdb_numeric_sub(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
int sdb_numeric_mul(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
int sdb_numeric_div(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
int sdb_numeric_mod(SdbArena *arena, SdbDatum a, SdbDatum b, SdbDatum *out);
int sdb_numeric_abs(SdbArena *arena, SdbDatum a, SdbDatum *out);
int sdb_numeric_neg(SdbArena *arena, SdbDatum a, SdbDatum *out);

/* round(a, scale) (half away from zero) and trunc(a, scale); scale may be
 * negative (round(1234.5, -2) = 1200); the result's dscale is max(scale, 0). */
int sdb_numeric_round(SdbArena *arena, SdbDatum a, int scale, SdbDatum *out);
int sdb_numeric_trunc(SdbArena *arena, SdbDatum a, int scale, SdbDatum *out);

/* PostgreSQL's order: -Infinity < finite values < Infinity < NaN (NaN = NaN). */
int sdb_numeric_compare(SdbDatum a, SdbDatum b);

int sdb_numeric_from_int64(SdbArena *arena, int64_t v, SdbDatum *out);
/* Rounded to an integer; 22003 "bigint out of range", 0A000 for NaN/Infinity. */
int sdb_numeric_to_int64(SdbDatum a, int64_t *out);
/* Through 15 significant digits, as PostgreSQL's float8 -> numeric cast. */
int sdb_numeric_from_float8(SdbArena *arena, double v, SdbDatum *out);
int sdb_numeric_to_float8(SdbDatum a, double *out);

/* Apply a numeric(p,s) typmod (PostgreSQL's encoding: ((p << 16) | s) + 4,
 * -1 for none) to a value: round to s, then 22003 "numeric field overflow"
 * when it does not fit. */
int sdb_numeric_apply_typmod(SdbArena *arena, SdbDatum a, int32_t typmod, SdbDatum *out);

/* The typmod of numeric(precision, scale). */
int32_t sdb_numeric_typmod(int precision, int scale);

#endif /* SDB_TYPES_NUMERIC_H */
