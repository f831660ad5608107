/*
 * test_scram.c: SCRAM-SHA-256 against RFC 7677's example exchange, the
 * stored password forms (SCRAM secret text, md5), the mock exchange and
 * malformed messages.
 */
#include <string.h>

#include "common/error.h"
#include "harness.h"
#include "server/scram.h"

#define RFC_SALT "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_NONCE "rOprNGfwEbeRWgbNEkqO" RFC_SERVER_NONCE
#define RFC_CLIENT_FINAL "c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

static SdbArena *arena;

static void rfc_secret(SdbScramSecret *secret)
{
    uint8_t salt[32];
    size_t n;
    CU_ASSERT_FATAL(sdb_base64_decode(RFC_SALT, strlen(RFC_SALT), salt, sizeof salt, &n));
    CU_ASSERT_EQUAL_FATAL(sdb_scram_make_secret("pencil", salt, n, 4096, secret), SDB_OK);
}

/* Run the RFC's exchange; returns the server-final-message or NULL. */
static const char *exchange(const SdbScramSecret *secret, bool mock, const char *final, bool *ok)
{
    SdbScram st = {.arena = arena, .secret = *secret, .mock = mock};
    SdbStr out;
    sdb_str_init(&out, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_scram_first(&st, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), RFC_SERVER_NONCE, &out),
                          SDB_OK);
    CU_ASSERT_STRING_EQUAL(out.data, "r=" RFC_NONCE ",s=" RFC_SALT ",i=4096");
    sdb_str_init(&out, arena);
    if (sdb_scram_final(&st, final, strlen(final), &out, ok) != SDB_OK)
        return NULL;
    return out.data ? out.data : "";
}

static void test_rfc7677(void)
{
    SdbScramSecret secret;
    rfc_secret(&secret);
    bool ok;
    const char *final = exchange(&secret, false, RFC_CLIENT_FINAL, &ok);
    CU_ASSERT_PTR_NOT_NULL_FATAL(final);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(final, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

static void test_wrong_proof_and_mock(void)
{
    SdbScramSecret secret;
    rfc_secret(&secret);
    bool ok = true;
    const char *wrong = "c=biws,r=" RFC_NONCE ",p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    CU_ASSERT_PTR_NOT_NULL(exchange(&secret, false, wrong, &ok));
    CU_ASSERT_FALSE(ok);
    ok = true; /* a mock exchange fails even with the right proof */
    CU_ASSERT_PTR_NOT_NULL(exchange(&secret, true, RFC_CLIENT_FINAL, &ok));
    CU_ASSERT_FALSE(ok);
}

static void test_malformed(void)
{
    SdbScramSecret secret;
    rfc_secret(&secret);
    bool ok;
    CU_ASSERT_PTR_NULL(exchange(&secret, false, "c=biws,r=otherNonce,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                                &ok));
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "invalid SCRAM response");
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Nonce does not match.");
    CU_ASSERT_PTR_NULL(exchange(&secret, false, "c=eSws,r=" RFC_NONCE ",p=x", &ok));
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message,
                           "unexpected SCRAM channel-binding attribute in client-final-message");
    CU_ASSERT_PTR_NULL(exchange(&secret, false, "c=biws,r=" RFC_NONCE ",p=abc", &ok));
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Malformed proof in client-final-message.");

    SdbScram st = {.arena = arena, .secret = secret};
    SdbStr out;
    sdb_str_init(&out, arena);
    CU_ASSERT_EQUAL(sdb_scram_first(&st, "p=tls-server-end-point,,n=,r=abc", 32, NULL, &out), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROTOCOL_VIOLATION);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->message, "malformed SCRAM message");
    CU_ASSERT_EQUAL(sdb_scram_first(&st, "n,a=x,n=,r=abc", 14, NULL, &out), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_FEATURE_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(sdb_scram_first(&st, "n,,n=,x=abc", 11, NULL, &out), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "Expected attribute \"r\" but found \"x\".");
    CU_ASSERT_EQUAL(sdb_scram_first(&st, "", 0, NULL, &out), SDB_ERROR);
    CU_ASSERT_STRING_EQUAL(sdb_error_last()->detail, "The message is empty.");
    /* a random server nonce: 18 bytes in base64 after the client's */
    CU_ASSERT_EQUAL(sdb_scram_first(&st, "y,,n=,r=abc", 11, NULL, &out), SDB_OK);
    CU_ASSERT_EQUAL(strlen(st.nonce), 3 + 24);
    sdb_error_clear();
}

static void test_secret_text(void)
{
    SdbScramSecret secret, parsed;
    rfc_secret(&secret);
    SdbStr text;
    sdb_str_init(&text, arena);
    CU_ASSERT_EQUAL_FATAL(sdb_scram_secret_text(&secret, &text), SDB_OK);
    CU_ASSERT_EQUAL(strncmp(text.data, "SCRAM-SHA-256$4096:" RFC_SALT "$", 44), 0);
    CU_ASSERT_TRUE_FATAL(sdb_scram_parse_secret(text.data, &parsed));
    CU_ASSERT_EQUAL(memcmp(&parsed, &secret, sizeof secret), 0);
    CU_ASSERT_FALSE(sdb_scram_parse_secret("SCRAM-SHA-256$4096:abc", &parsed));
    CU_ASSERT_FALSE(sdb_scram_parse_secret("SCRAM-SHA-256$x:" RFC_SALT "$a:b", &parsed));
    CU_ASSERT_FALSE(sdb_scram_parse_secret("md5abc", &parsed));

    bool ok;
    CU_ASSERT_EQUAL(sdb_password_check(text.data, "user", "pencil", &ok), SDB_OK);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sdb_password_check(text.data, "user", "pencil2", &ok), SDB_OK);
    CU_ASSERT_FALSE(ok);

    /* a password given in a stored form is kept as is */
    SdbStr again;
    sdb_str_init(&again, arena);
    CU_ASSERT_EQUAL(sdb_password_encrypt("user", text.data, false, &again), SDB_OK);
    CU_ASSERT_STRING_EQUAL(again.data, text.data);
    sdb_str_init(&again, arena);
    CU_ASSERT_EQUAL(sdb_password_encrypt("user", "pencil", false, &again), SDB_OK);
    CU_ASSERT_TRUE(sdb_scram_parse_secret(again.data, &parsed));
    CU_ASSERT_EQUAL(parsed.salt_len, 16);
    CU_ASSERT_NOT_EQUAL(strcmp(again.data, text.data), 0); /* a random salt */
}

static void test_md5(void)
{
    char text[36];
    /* PostgreSQL: SELECT 'md5' || md5('secret' || 'alice') */
    CU_ASSERT_EQUAL(sdb_md5_password("secret", "alice", text), SDB_OK);
    CU_ASSERT_STRING_EQUAL(text, "md54a0a68b43b6cd5cf266fa02f196e2371");
    CU_ASSERT_TRUE(sdb_is_md5_password(text));
    CU_ASSERT_FALSE(sdb_is_md5_password("md5xyz"));
    bool ok;
    CU_ASSERT_EQUAL(sdb_password_check(text, "alice", "secret", &ok), SDB_OK);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sdb_password_check(text, "bob", "secret", &ok), SDB_OK);
    CU_ASSERT_FALSE(ok);
    /* the challenge answer: md5(hex || salt), as libpq computes it */
    const uint8_t salt[4] = {1, 2, 3, 4};
    CU_ASSERT_TRUE(sdb_md5_response_ok(text, salt, "md598a0412b9c31436fc53776e863350083"));
    CU_ASSERT_FALSE(sdb_md5_response_ok(text, salt, "md500000000000000000000000000000000"));
    CU_ASSERT_FALSE(sdb_md5_response_ok(text, salt, "md598a0412b9c31436fc53776e8633500"));
    SdbStr enc;
    sdb_str_init(&enc, arena);
    CU_ASSERT_EQUAL(sdb_password_encrypt("alice", "secret", true, &enc), SDB_OK);
    CU_ASSERT_STRING_EQUAL(enc.data, text);
}

static void test_mock_secret(void)
{
    uint8_t key[SDB_SCRAM_KEY_LEN] = {7};
    SdbScramSecret a, b, c;
    sdb_scram_mock_secret(key, "nobody", &a);
    sdb_scram_mock_secret(key, "nobody", &b);
    sdb_scram_mock_secret(key, "somebody", &c);
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0); /* stable per name */
    CU_ASSERT_NOT_EQUAL(memcmp(a.salt, c.salt, 16), 0);
    CU_ASSERT_EQUAL(a.iterations, 4096);
    CU_ASSERT_EQUAL(a.salt_len, 16);
}

static void test_base64(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_base64_encode((const uint8_t *)"n,,", 3, &s), SDB_OK);
    CU_ASSERT_STRING_EQUAL(s.data, "biws");
    uint8_t out[8];
    size_t n;
    CU_ASSERT_TRUE(sdb_base64_decode("YWI=", 4, out, sizeof out, &n));
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_FALSE(sdb_base64_decode("YW=I", 4, out, sizeof out, &n));
    CU_ASSERT_FALSE(sdb_base64_decode("YWI", 3, out, sizeof out, &n));
    CU_ASSERT_FALSE(sdb_base64_decode("YW*I", 4, out, sizeof out, &n));
    CU_ASSERT_FALSE(sdb_base64_decode("YWJjZGVmZ2hp", 12, out, sizeof out, &n)); /* 9 bytes > 8 */
}

static int setup(void)
{
    arena = sdb_arena_create(NULL, "test", 0);
    return arena == NULL;
}

static int teardown(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

static CU_TestInfo tests[] = {
    {"RFC 7677 example exchange", test_rfc7677},
    {"wrong proof, mock exchange", test_wrong_proof_and_mock},
    {"malformed messages", test_malformed},
    {"secret text round trip, password check, stored forms kept", test_secret_text},
    {"md5 passwords and challenge", test_md5},
    {"mock secrets", test_mock_secret},
    {"base64", test_base64},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"scram", setup, teardown, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
