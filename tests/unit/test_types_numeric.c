/*
 * test_types_numeric.c: numeric input (exponents, NaN, Infinity, typmod
 * rounding and overflow), output, the wire format, and arithmetic with
 * PostgreSQL 15's result scales (answers taken from PostgreSQL 15).
 */
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "types/numeric.h"
#include "types_test_util.h"

#define NUMTYPMOD(p, s) ((((p) << 16) | (s)) + 4)

static const TtCase numeric_cases[] = {
    {SDB_TYPEOID_NUMERIC, -1, "0", "0"},
    {SDB_TYPEOID_NUMERIC, -1, "-0", "0"},
    {SDB_TYPEOID_NUMERIC, -1, "0.0", "0.0"},
    {SDB_TYPEOID_NUMERIC, -1, "123", "123"},
    {SDB_TYPEOID_NUMERIC, -1, "-123.450", "-123.450"},
    {SDB_TYPEOID_NUMERIC, -1, "  12.5  ", "12.5"},
    {SDB_TYPEOID_NUMERIC, -1, "+1.5", "1.5"},
    {SDB_TYPEOID_NUMERIC, -1, ".5", "0.5"},
    {SDB_TYPEOID_NUMERIC, -1, "5.", "5"},
    {SDB_TYPEOID_NUMERIC, -1, "0.000001", "0.000001"},
    {SDB_TYPEOID_NUMERIC, -1, "1e3", "1000"},
    {SDB_TYPEOID_NUMERIC, -1, "1E+3", "1000"},
    {SDB_TYPEOID_NUMERIC, -1, "1.5e-3", "0.0015"},
    {SDB_TYPEOID_NUMERIC, -1, "-1.5e-10", "-0.00000000015"},
    {SDB_TYPEOID_NUMERIC, -1, "12345678901234567890123456789012345678901234567890.123456789012345678901234567890", "12345678901234567890123456789012345678901234567890.123456789012345678901234567890"},
    {SDB_TYPEOID_NUMERIC, -1, "0.1", "0.1"},
    {SDB_TYPEOID_NUMERIC, -1, "NaN", "NaN"},
    {SDB_TYPEOID_NUMERIC, -1, "nan", "NaN"},
    {SDB_TYPEOID_NUMERIC, -1, "Infinity", "Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "-Infinity", "-Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "inf", "Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "+inf", "Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "-inf", "-Infinity"},
    {SDB_TYPEOID_NUMERIC, -1, "abc", "ERROR 22P02: invalid input syntax for type numeric: \"abc\""},
    {SDB_TYPEOID_NUMERIC, -1, "", "ERROR 22P02: invalid input syntax for type numeric: \"\""},
    {SDB_TYPEOID_NUMERIC, -1, "1.2.3", "ERROR 22P02: invalid input syntax for type numeric: \"1.2.3\""},
    {SDB_TYPEOID_NUMERIC, -1, "1e", "ERROR 22P02: invalid input syntax for type numeric: \"1e\""},
    {SDB_TYPEOID_NUMERIC, -1, "e5", "ERROR 22P02: invalid input syntax for type numeric: \"e5\""},
    {SDB_TYPEOID_NUMERIC, -1, "1 2", "ERROR 22P02: invalid input syntax for type numeric: \"1 2\""},
    {SDB_TYPEOID_NUMERIC, -1, ".", "ERROR 22P02: invalid input syntax for type numeric: \".\""},
    {SDB_TYPEOID_NUMERIC, -1, "-", "ERROR 22P02: invalid input syntax for type numeric: \"-\""},
    {SDB_TYPEOID_NUMERIC, -1, "1e-20000", "ERROR 22003: value overflows numeric format"},
    {SDB_TYPEOID_NUMERIC, -1, "1e200000", "ERROR 22003: value overflows numeric format"},
    {SDB_TYPEOID_NUMERIC, -1, "9999.9999", "9999.9999"},
    {SDB_TYPEOID_NUMERIC, -1, "00012.3400", "12.3400"},
    {SDB_TYPEOID_NUMERIC, -1, "1e-5", "0.00001"},
    {SDB_TYPEOID_NUMERIC, -1, "100000000", "100000000"},
    {SDB_TYPEOID_NUMERIC, -1, "10000.0001", "10000.0001"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "123.456", "123.46"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "999.995", "ERROR 22003: numeric field overflow DETAIL: A field with precision 5, scale 2 must round to an absolute value less than 10^3."},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "-999.994", "-999.99"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "12345.678", "ERROR 22003: numeric field overflow DETAIL: A field with precision 5, scale 2 must round to an absolute value less than 10^3."},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "0.001", "0.00"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "NaN", "NaN"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(5, 2), "Infinity", "ERROR 22003: numeric field overflow DETAIL: A field with precision 5, scale 2 cannot hold an infinite value."},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(2, 2), "0.5", "0.50"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(2, 2), "1", "ERROR 22003: numeric field overflow DETAIL: A field with precision 2, scale 2 must round to an absolute value less than 1."},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(3, 0), "999.4", "999"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(3, 0), "999.5", "ERROR 22003: numeric field overflow DETAIL: A field with precision 3, scale 0 must round to an absolute value less than 10^3."},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(10, 4), "3.14159265", "3.1416"},
    {SDB_TYPEOID_NUMERIC, NUMTYPMOD(1, 0), "-9.5", "ERROR 22003: numeric field overflow DETAIL: A field with precision 1, scale 0 must round to an absolute value less than 10^1."},
};

static void test_numeric_io(void)
{
    TT_RUN(numeric_cases);
}

static SdbDatum num(const char *text)
{
    return tt_in(SDB_TYPEOID_NUMERIC, text);
}

typedef int (*BinOp)(SdbArena *, SdbDatum, SdbDatum, SdbDatum *);

/* a op b as text, or the error. */
static const char *op(BinOp f, const char *a, const char *b)
{
    SdbDatum r;
    if (f(tt_arena, num(a), num(b), &r) != SDB_OK)
        return tt_error_text();
    return tt_out(SDB_TYPEOID_NUMERIC, r);
}

#define CHECK_OP(f, a, b, expected) CU_ASSERT_STRING_EQUAL(op(f, a, b), expected)

static void test_add_sub_mul(void)
{
    CHECK_OP(sdb_numeric_add, "0.1", "0.2", "0.3");
    CHECK_OP(sdb_numeric_add, "9999.9999", "0.0001", "10000.0000");
    CHECK_OP(sdb_numeric_add, "-5", "5", "0");
    CHECK_OP(sdb_numeric_add, "-5.00", "5", "0.00");
    CHECK_OP(sdb_numeric_add, "Infinity", "1", "Infinity");
    CHECK_OP(sdb_numeric_add, "-Infinity", "Infinity", "NaN");
    CHECK_OP(sdb_numeric_add, "NaN", "1", "NaN");
    CHECK_OP(sdb_numeric_add, "123456789012345678901234567890", "0.000000000000000000001",
             "123456789012345678901234567890.000000000000000000001");
    CHECK_OP(sdb_numeric_sub, "1.000", "1", "0.000");
    CHECK_OP(sdb_numeric_sub, "0.5", "0.75", "-0.25");
    CHECK_OP(sdb_numeric_sub, "-1", "-1.5", "0.5");
    CHECK_OP(sdb_numeric_sub, "Infinity", "Infinity", "NaN");
    CHECK_OP(sdb_numeric_sub, "1", "Infinity", "-Infinity");
    CHECK_OP(sdb_numeric_mul, "1.5", "1.25", "1.875");
    CHECK_OP(sdb_numeric_mul, "-0.001", "1000", "-1.000");
    CHECK_OP(sdb_numeric_mul, "99999999999999999999", "99999999999999999999", "9999999999999999999800000000000000000001");
    CHECK_OP(sdb_numeric_mul, "0", "-5", "0");
    CHECK_OP(sdb_numeric_mul, "Infinity", "0", "NaN");
    CHECK_OP(sdb_numeric_mul, "Infinity", "-2", "-Infinity");
    CHECK_OP(sdb_numeric_mul, "NaN", "0", "NaN");
}

static void test_div_mod(void)
{
    CHECK_OP(sdb_numeric_div, "1", "3", "0.33333333333333333333");
    CHECK_OP(sdb_numeric_div, "2", "3", "0.66666666666666666667");
    CHECK_OP(sdb_numeric_div, "10", "4", "2.5000000000000000");
    CHECK_OP(sdb_numeric_div, "1", "7e10", "0.0000000000142857142857142857");
    CHECK_OP(sdb_numeric_div, "123456789", "0.001", "123456789000.00000000");
    CHECK_OP(sdb_numeric_div, "-7", "2", "-3.5000000000000000");
    CHECK_OP(sdb_numeric_div, "1e-10", "3", "0.0000000000333333333333333333");
    CHECK_OP(sdb_numeric_div, "12345678901234567890", "123456789", "100000000010.00000000");
    CHECK_OP(sdb_numeric_div, "7", "7", "1.00000000000000000000");
    CHECK_OP(sdb_numeric_div, "1", "1000000", "0.000001000000000000000000");
    CHECK_OP(sdb_numeric_div, "100", "0.3", "333.3333333333333333");
    CHECK_OP(sdb_numeric_div, "2", "1.00000000000000000000000001", "1.99999999999999999999999998");
    CHECK_OP(sdb_numeric_div, "1", "1e-100",
             "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000."
             "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
    CHECK_OP(sdb_numeric_div, "1", "0", "ERROR 22012: division by zero");
    CHECK_OP(sdb_numeric_div, "Infinity", "0", "ERROR 22012: division by zero");
    CHECK_OP(sdb_numeric_div, "1", "Infinity", "0");
    CHECK_OP(sdb_numeric_div, "Infinity", "Infinity", "NaN");
    CHECK_OP(sdb_numeric_div, "-Infinity", "2", "-Infinity");
    CHECK_OP(sdb_numeric_mod, "5.5", "2", "1.5");
    CHECK_OP(sdb_numeric_mod, "-5.5", "2", "-1.5");
    CHECK_OP(sdb_numeric_mod, "5.5", "-2", "1.5");
    CHECK_OP(sdb_numeric_mod, "10", "3.3", "0.1");
    CHECK_OP(sdb_numeric_mod, "123.456", "7", "4.456");
    CHECK_OP(sdb_numeric_mod, "1", "0", "ERROR 22012: division by zero");
    CHECK_OP(sdb_numeric_mod, "5", "Infinity", "5");
    CHECK_OP(sdb_numeric_mod, "Infinity", "5", "NaN");
}

typedef int (*ScaleOp)(SdbArena *, SdbDatum, int, SdbDatum *);

static const char *scaled(ScaleOp f, const char *a, int scale)
{
    SdbDatum r;
    if (f(tt_arena, num(a), scale, &r) != SDB_OK)
        return tt_error_text();
    return tt_out(SDB_TYPEOID_NUMERIC, r);
}

static const char *unary(int (*f)(SdbArena *, SdbDatum, SdbDatum *), const char *a)
{
    SdbDatum r;
    if (f(tt_arena, num(a), &r) != SDB_OK)
        return tt_error_text();
    return tt_out(SDB_TYPEOID_NUMERIC, r);
}

static void test_round_trunc_abs_neg(void)
{
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "2.5", 0), "3");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "-2.5", 0), "-3");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "1234.5678", -2), "1200");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "1234.5678", 2), "1234.57");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "0.5", 0), "1");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "0.4999", 0), "0");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "9999.9999", 3), "10000.000");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "-0.0001", 2), "0.00");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "99.5", -2), "100");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_round, "NaN", 2), "NaN");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_trunc, "-1.99", 1), "-1.9");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_trunc, "1234.5678", -2), "1200");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_trunc, "0.999", 0), "0");
    CU_ASSERT_STRING_EQUAL(scaled(sdb_numeric_trunc, "5", 3), "5.000");
    CU_ASSERT_STRING_EQUAL(unary(sdb_numeric_abs, "-1.50"), "1.50");
    CU_ASSERT_STRING_EQUAL(unary(sdb_numeric_abs, "-Infinity"), "Infinity");
    CU_ASSERT_STRING_EQUAL(unary(sdb_numeric_neg, "0"), "0");
    CU_ASSERT_STRING_EQUAL(unary(sdb_numeric_neg, "1.5"), "-1.5");
    CU_ASSERT_STRING_EQUAL(unary(sdb_numeric_neg, "NaN"), "NaN");
}

static void test_conversions(void)
{
    int64_t i;
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("9223372036854775807"), &i), SDB_OK);
    CU_ASSERT_EQUAL(i, INT64_MAX);
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("-9223372036854775808"), &i), SDB_OK);
    CU_ASSERT_EQUAL(i, INT64_MIN);
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("2.5"), &i), SDB_OK);
    CU_ASSERT_EQUAL(i, 3);
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("-2.5"), &i), SDB_OK);
    CU_ASSERT_EQUAL(i, -3);
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("0.49"), &i), SDB_OK);
    CU_ASSERT_EQUAL(i, 0);
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("9223372036854775807.5"), &i), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 22003: bigint out of range");
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("1e30"), &i), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 22003: bigint out of range");
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("NaN"), &i), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 0A000: cannot convert NaN to bigint");
    CU_ASSERT_EQUAL(sdb_numeric_to_int64(num("-Infinity"), &i), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(tt_error_text(), "ERROR 0A000: cannot convert infinity to bigint");

    SdbDatum d;
    static const int64_t ints[] = {0, 1, -1, 9999, 10000, -123456789, INT64_MAX, INT64_MIN};
    static const char *texts[] = {"0", "1", "-1", "9999", "10000", "-123456789", "9223372036854775807",
                                  "-9223372036854775808"};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        CU_ASSERT_EQUAL(sdb_numeric_from_int64(tt_arena, ints[k], &d), SDB_OK);
        CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, d), texts[k]);
    }

    static const double floats[] = {0.1, 1e20, 1.23456789012345678, NAN, -INFINITY, 1e-20, 123456789012345678.0};
    static const char *ftexts[] = {"0.1", "100000000000000000000", "1.23456789012346", "NaN", "-Infinity",
                                   "0.00000000000000000001", "123456789012346000"};
    for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++) {
        CU_ASSERT_EQUAL(sdb_numeric_from_float8(tt_arena, floats[k], &d), SDB_OK);
        CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, d), ftexts[k]);
    }
    double f;
    CU_ASSERT_EQUAL(sdb_numeric_to_float8(num("0.33333333333333333333"), &f), SDB_OK);
    CU_ASSERT_EQUAL(f, 1.0 / 3);
    CU_ASSERT_EQUAL(sdb_numeric_to_float8(num("-Infinity"), &f), SDB_OK);
    CU_ASSERT_TRUE(isinf(f) && f < 0);
    CU_ASSERT_EQUAL(sdb_numeric_to_float8(num("1e400"), &f), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE);
    sdb_error_clear();

    CU_ASSERT_EQUAL(sdb_numeric_apply_typmod(tt_arena, num("3.14159"), sdb_numeric_typmod(4, 2), &d), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, d), "3.14");
    CU_ASSERT_EQUAL(sdb_numeric_apply_typmod(tt_arena, num("1234.5"), sdb_numeric_typmod(5, -2), &d), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, d), "1200");
}

/* A 1000-digit number survives input, output, binary, and arithmetic. */
static void test_long_numbers(void)
{
    char big[1100];
    for (int k = 0; k < 1000; k++)
        big[k] = (char)('1' + k % 9);
    big[1000] = '\0';
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, num(big)), big);
    tt_check_binary(SDB_TYPEOID_NUMERIC, num(big), big);
    SdbDatum sum, back;
    CU_ASSERT_EQUAL(sdb_numeric_add(tt_arena, num(big), num(big), &sum), SDB_OK);
    CU_ASSERT_EQUAL(sdb_numeric_sub(tt_arena, sum, num(big), &back), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, back), big);
    CU_ASSERT_EQUAL(sdb_numeric_div(tt_arena, sum, num(big), &back), SDB_OK);
    CU_ASSERT_STRING_EQUAL(tt_out(SDB_TYPEOID_NUMERIC, back), "2.0000000000000000");
    CU_ASSERT_EQUAL(sdb_numeric_mul(tt_arena, num(big), num("1e-999"), &back), SDB_OK);
    CU_ASSERT_EQUAL(strncmp(tt_out(SDB_TYPEOID_NUMERIC, back), "1.234567891", 11), 0);
    const char *huge = tt_out(SDB_TYPEOID_NUMERIC, num("1e131071"));
    CU_ASSERT_EQUAL(strlen(huge), 131072);
    CU_ASSERT_STRING_EQUAL(tt_result(SDB_TYPEOID_NUMERIC, -1, "1e131072", NULL), "ERROR 22003: value overflows numeric format");
}

/* Random operands, answers from PostgreSQL 15. */
static const struct {
    char op;
    const char *a, *b, *result;
} random_ops[] = {
    {'+', "-58073021573681930364262.129972200332245383236405", "4990951454.527720405608656e-28", "-58073021573681930364262.1299722003322453827373098545472279594391344"},
    {'+', "3137585847195406135.9525481454212472e8", "-039547620075.292612e24", "-39547619761534027280459386404745185.45787528"},
    {'+', "-7928.75744762168275", "85159045847445290.845474855456527", "85159045847437362.088027233773777"},
    {'+', "-2357416299864984.03297923207320215273806", "-335056461850894148.5945266985722969e-22", "-2357416299864984.03301273771938724215291945266985722969"},
    {'+', "-06159982596.6374766299447e30", "427019734026078.43703742447978910", "-6159982596637476629944699572980265973921.56296257552021090"},
    {'+', "-9480755920", "830669976763471406947.227875826", "830669976753990651027.227875826"},
    {'+', "4110561.701139124722", "-3081614099169206159.755024298488934", "-3081614099165095598.053885173766934"},
    {'+', "823576220.51901189736775180860", "-3117329653459566254658099.261100e1", "-31173296534595661723004772.09198810263224819140"},
    {'+', "-506749657713221.67284142430e29", "-0077215473.20309319654275417232309", "-50674965771322167284142430000000000077215473.20309319654275417232309"},
    {'+', "0", "620088951137170307600.67400328e-16", "62008.895113717030760067400328"},
    {'+', "1182913907.57696820473812471", "2817.1693407e-18", "1182913907.5769682047381275271693407"},
    {'+', "-11656804290.20064168251422", "-88e-22", "-11656804290.2006416825142200000088"},
    {'+', "-4903862535502.921489227661557379", "-87790.260e28", "-877902600000000000004903862535502.921489227661557379"},
    {'+', "567334348853553.097652237601261435778", "0.899", "567334348853553.996652237601261435778"},
    {'+', "1", "NaN", "NaN"},
    {'+', "-7867980826590834.101599640", "145998378113586606628395.518531344491e10", "1459983781135866058415974358722610.808400360"},
    {'+', "31998.66367893464195260214989", "-510.281537639710321e9", "-510281505641.04664206535804739785011"},
    {'+', "752891511335527136.76019520765174017", "-6247191465.86", "752891505088335670.90019520765174017"},
    {'+', "124187628631752102500.87681033", "-49.780026869990306666025", "124187628631752102451.096783460009693333975"},
    {'+', "-53.634275401271", "3075.7273159002614255324", "3022.0930404989904255324"},
    {'-', "8000.337342", "-5418512278852241095011.20476", "5418512278852241103011.542102"},
    {'-', "-27899918132422069.92804938961411442e-26", "-84675778400951273.9932940857757443510", "84675778400951273.9932940854967451696757793007195061038588558"},
    {'-', "982851350.598192547791764", "-4.77372992529", "982851355.371922473081764"},
    {'-', "-4.340804609899204", "-613402956100050.9", "613402956100046.559195390100796"},
    {'-', "829625928119769418.707322183836714", "-4730240304362198895284580.97930242031048", "4730241133988127015053999.686624604147194"},
    {'-', "-897.260310555940358e3", "-0843792917455251.325238397587355588662", "843792916557991.014682457229355588662"},
    {'-', "-82374992703645477018498.32e1", "79701867670808089230.0403278105542", "-823829628904125578274213.2403278105542"},
    {'-', "89283.9947", "8.49208460190080975", "89275.50261539809919025"},
    {'-', "-4.234894452881", "-9472155457042987003.89987958", "9472155457042986999.664985127119"},
    {'-', "-893.03995814156657463", "-7086130382421.9210268129253144", "7086130381528.88106867135873977"},
    {'-', "-045.452631296859", "1428141335.2801951e-28", "-45.45263129685900000014281413352801951"},
    {'-', "73368210499304306.095177021133", "8977712.4190387637580396345792", "73368210490326593.6761382573749603654208"},
    {'-', "24627954102742162.65685916419", "788482723702209926.567048552420850010355", "-763854769599467763.910189388230850010355"},
    {'-', "0.838525", "-654086245581622521569.9508633e-5", "6540862455816226.054224508633"},
    {'-', "-413043517909.4190237321", "8.71619", "-413043517918.1352137321"},
    {'-', "-13423238499598442872.38", "-485528925261508896572534.96705952821", "485515502023009298129662.58705952821"},
    {'-', "-933.8914593479352807892483316", "463657843494621592368.891083087", "-463657843494621593302.7825424349352807892483316"},
    {'-', "-53543743746743172592.8620832054", "-09672758219035708121.4649577", "-43870985527707464471.3971255054"},
    {'-', "23652272860505.676488293527e28", "-1450048147216247343.84387227698132", "236522728605056764882936720048147216247343.84387227698132"},
    {'-', "6.6175042886e-13", "-34535265073665.940046602", "34535265073665.94004660200066175042886"},
    {'*', "317312", "-75342350964205059156851.408", "-23907032069153835731178833975.296"},
    {'*', "6573889851725.6129385340448061876", "692815688456896296359.744731", "4554494023463084441162509960100230.0052970018042735052975356"},
    {'*', "0.5639193571271085", "9882.264220581637274591e-11", "0.000000055728000862306228395763901995043501235"},
    {'*', "-353372208897817.736426658804901740598", "-94.9532396", "33553836019455739.4440501813292846294589412808"},
    {'*', "-95434821225.93330676528678025494", "Infinity", "-Infinity"},
    {'*', "-7259080470264311069.6053597220587560389", "254948214739872077730.1", "-1850689606546957165080763367349398834989.89720421233357930089"},
    {'*', "304.3390", "-525.788e15", "-160017794132000000000.0000"},
    {'*', "-19.40131", "82642974921.20", "-1603381975768.4267720"},
    {'*', "537957829.0175", "-8164592272032059756360.50426769", "-4392206333475424649690526862928.056069694575"},
    {'*', "-6.5116465209088", "1810784756525758186.3166", "-11791190259945641771.02060904795652608"},
    {'*', "-3720053254380648.94556108", "-8759228186760551204507.83740790743162873", "32584795322021299200382294552430963984.6163123073844079280978284"},
    {'*', "-7797791801814786053704237.0646903264793939968", "-7572306614743838517559359.4051", "59047270441277379531557990074994922943933960889067.64807365334905855930368"},
    {'*', "9384098204214", "-21553", "-202255468595424342"},
    {'*', "9502.3233308435243", "050825311558552", "482958543820219715.9728694848136"},
    {'*', "621286740180545.251829526", "-05.16457722772", "-3208683350220836.32897174264712166072"},
    {'*', "-5844434140062158064.4139658", "-402948389949596.84631467159599e22", "23550053269045031798157907086438654379646586423312771420.0000000"},
    {'*', "6861.85824668558901e5", "-6109447102273087397.8857018101", "-4192215998142195989555546066.9891745481741667001"},
    {'*', "-77919494523402938124.0733e-16", "-026.63066", "207504.7566024605688183233867378"},
    {'*', "02665719246171.8818901602549050400937544", "-20757086939.170442811", "-55332566148209648012950.3962448373224272832854288034796184"},
    {'*', "-83064004.706899806494155484e10", "0.83535598", "-693880130546569006.1573561860919432"},
    {'/', "666.05289619292233519284696", "305746862674662079.53", "0.00000000000000217844556233976237"},
    {'/', "550227810673.7454522681974530721942", "610599004242.39042485", "0.9011279200437750351859"},
    {'/', "-523504950.74347236050559334640321", "848340747937044112309.56882769", "-0.00000000000061709278024957252704"},
    {'/', "178948784945326711824370.660", "-43507746553287142603532.711133911897885362675704e-28", "-41130327153615035195607489101.9839453235590945196135556029743354424526670042443748"},
    {'/', "-487021643930622603.5787001e-23", "678416776764.88485237631617730330", "-0.000000000000000007178797173222132732"},
    {'/', "-8654231161776298950.611290421828225761488766", "-2348001085.454753483", "3685786695.494723169278264900153628"},
    {'/', "-52.8356472430", "51801261407300.5568", "-0.0000000000010199683522678400"},
    {'/', "-031711117944.509", "-15142590235539.41874530441717555679085", "0.00209416734199697948043"},
    {'/', "-3372419162414753116.2874955518", "409618692792465256.18050", "-8.2330694906138014"},
    {'/', "218.4262342724069558259112", "-718996491387615717454.0823840272017503e-30", "-303793185208.5380238436279177548571365556028950434777635917"},
    {'/', "-8382983861161994088302.72436336359204815162167", "8024615620e26", "-0.00000000000001044658617699871098"},
    {'/', "-909142033.45245112740596", "-8603741198988257611.4312169677064883167", "0.0000000001056682218148728307"},
    {'/', "-5033.9377871291e-22", "4084024328983158291580323.363827333152e15", "-0.0000000000000000000000000000000000000000000000000000000001232592507200477787"},
    {'/', "-0902020224959854194.43849306", "5419237758542.331331636", "-166447.804128542229"},
    {'/', "Infinity", "-439.7276287012188812842220", "-Infinity"},
    {'/', "5434377464266308442.19765780677764", "-2887.63299698e-21", "-1881948803726025374225275316128459348.78426283164393596816655254455"},
    {'/', "4556.4", "-2646763499663866.1151409", "-0.0000000000017214987287601080"},
    {'/', "21249385226", "-988.071458570", "-21505919.477477332310"},
    {'/', "051337.743978", "735418081182396.540842426592841382392455", "0.0000000000698075629245609233"},
    {'/', "223502.73355256435951977", "-465618651.1873176419634386536593167e5", "-0.0000000048001241570250064080"},
    {'%', "041779362335871604174664.6045378630577268177", "-201.63", "143.8145378630577268177"},
    {'%', "-5475.84568387900437", "198571.253808154077451e-7", "-0.0050746145858993957338"},
    {'%', "-1", "401270193169009.1719467092573943", "-1.0000000000000000"},
    {'%', "-41.4023", "325213927740060899074.250850386240674", "-41.402300000000000"},
    {'%', "727195480843426338.3364208", "-15073071840183739202623.57502436406740151e-18", "580.95073909729779514040670935781306856"},
    {'%', "-2388298151355879110621.902", "-4358658817455.518757", "-2542993147279.335994"},
    {'%', "93530841564.752952083574315", "-1.496283591e30", "93530841564.752952083574315"},
    {'%', "-0936167603917.77109963131289399281989", "0.52390114210807508853081", "-0.38754058671057382926473"},
    {'%', "24.6578", "-90884774141548486691329.2401635263587509382", "24.6578000000000000000"},
    {'%', "61095139547324762462.9", "-82522.396609068793460488269e14", "3329461920976607040.5582117"},
    {'%', "-7823.45538089137855560442107e-22", "-955805.975627741047", "-0.000000000000000000782345538089137855560442107"},
    {'%', "55001050142984413131.1050785994961560111035848", "-031364.961384834", "29427.6063685074961560111035848"},
    {'%', "-992376804268.63403", "-2158602205384691579012.0173", "-992376804268.63403"},
    {'%', "8868863166350513551508.950891111216394227692", "-490650235355927.26310077647520623", "25019377020351.300131825807771407692"},
    {'%', "-38.758984208430860454", "-4348621317999524339523903.344275774736421389468", "-38.758984208430860454000"},
    {'%', "-84138916498029083.72747829777", "0580424442594.9017649268358022909192874", "-8875029528.9819192530341060491792086"},
    {'%', "094705544.317314977840", "2988.71e6", "94705544.317314977840"},
    {'%', "7057.153957590", "-50488658838438107041036.71917e24", "7057.153957590"},
    {'%', "-628053233200654022.0678114506949497544090e-29", "471497666722553464.714597705852", "-0.000000000006280532332006540220678114506949497544090"},
    {'%', "-7796655348.13692331163258198877777", "3584436.3167", "-506359.31442331163258198877777"},
};

static void test_random_against_postgres(void)
{
    for (size_t i = 0; i < sizeof random_ops / sizeof random_ops[0]; i++) {
        char c = random_ops[i].op;
        BinOp f = c == '+' ? sdb_numeric_add : c == '-' ? sdb_numeric_sub : c == '*' ? sdb_numeric_mul
                  : c == '/' ? sdb_numeric_div : sdb_numeric_mod;
        const char *got = op(f, random_ops[i].a, random_ops[i].b);
        if (strcmp(got, random_ops[i].result) != 0)
            printf("\n  %s %c %s: expected %s, got %s\n", random_ops[i].a, c, random_ops[i].b, random_ops[i].result, got);
        CU_ASSERT_STRING_EQUAL(got, random_ops[i].result);
    }
}

/* Division and multiplication agree on random values: (a * b) / b = a. */
static void test_random_arithmetic(void)
{
    srand(42);
    for (int k = 0; k < 500; k++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "%s%d.%04d", rand() % 2 ? "-" : "", rand() % 1000000, rand() % 10000);
        snprintf(b, sizeof b, "%d.%02d", rand() % 100000 + 1, rand() % 100);
        SdbDatum prod, quot, diff;
        CU_ASSERT_EQUAL_FATAL(sdb_numeric_mul(tt_arena, num(a), num(b), &prod), SDB_OK);
        CU_ASSERT_EQUAL_FATAL(sdb_numeric_div(tt_arena, prod, num(b), &quot), SDB_OK);
        CU_ASSERT_EQUAL_FATAL(sdb_numeric_sub(tt_arena, quot, num(a), &diff), SDB_OK);
        CU_ASSERT_EQUAL(sdb_numeric_compare(diff, num("0")), 0);
        double fa = atof(a), fb = atof(b);
        CU_ASSERT_EQUAL(sdb_numeric_compare(num(a), num(b)), (fa > fb) - (fa < fb));
    }
}

static void test_wire(void)
{
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_NUMERIC, "-123.45"), "0002000040000002007b1194");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_NUMERIC, "NaN"), "00000000c0000000");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_NUMERIC, "-Infinity"), "00000000f0000020"); /* dscale: PostgreSQL sends its header bits, 32 */
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_NUMERIC, "0.00"), "0000000000000002");
    CU_ASSERT_STRING_EQUAL(tt_send_hex(SDB_TYPEOID_NUMERIC, "10000"), "0001000100000000" "0001");
    /* ndigits 1, weight 0, sign 0x1234 */
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, -1, "\x00\x01\x00\x00\x12\x34\x00\x00\x00\x01", 10),
                           "ERROR 22P03: invalid sign in external \"numeric\" value");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, -1, "\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10", 10),
                           "ERROR 22P03: invalid digit in external \"numeric\" value");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, -1, "\x00\x01\x00\x00\x00\x00\x40\x00\x00\x01", 10),
                           "ERROR 22P03: invalid scale in external \"numeric\" value");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, -1, "\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01", 10),
                           "ERROR 08P01: insufficient data left in message");
    /* 1.2345 sent with dscale 2 is truncated to 1.23, as PostgreSQL does */
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, -1, "\x00\x02\x00\x00\x00\x00\x00\x02\x00\x01\x09\x29", 12),
                           "1.23");
    CU_ASSERT_STRING_EQUAL(tt_recv(SDB_TYPEOID_NUMERIC, NUMTYPMOD(3, 1), "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x01", 10),
                           "ERROR 22003: numeric field overflow DETAIL: A field with precision 3, scale 1 must round to an absolute value less than 10^2.");
}

static CU_TestInfo tests[] = {
    {"numeric input/output (PostgreSQL 15 cases)", test_numeric_io},
    {"add, sub, mul", test_add_sub_mul},
    {"div and mod with PostgreSQL's scales", test_div_mod},
    {"round, trunc, abs, neg", test_round_trunc_abs_neg},
    {"int8/float8 conversions and typmods", test_conversions},
    {"very long numbers", test_long_numbers},
    {"random operands against PostgreSQL's answers", test_random_against_postgres},
    {"random arithmetic identities", test_random_arithmetic},
    {"wire format", test_wire},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"types_numeric", tt_setup, tt_teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
