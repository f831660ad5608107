/*
 * server/scram.c: stored password forms (SCRAM-SHA-256 secrets, md5) and
 * the server side of a SCRAM-SHA-256 exchange (RFC 5802 / RFC 7677), with
 * PostgreSQL's error messages.  Crypto is OpenSSL's.
 */
#include "server/scram.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "common/error.h"

#define SCRAM_PREFIX "SCRAM-SHA-256$"
#define SERVER_NONCE_LEN 18 /* PostgreSQL's SCRAM_RAW_NONCE_LEN */

/* --- base64 ----------------------------------------------------------------- */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sdb_base64_encode(const uint8_t *data, size_t len, SdbStr *out)
{
    int rc = SDB_OK;
    for (size_t i = 0; rc == SDB_OK && i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        char q[4] = {b64_chars[(v >> 18) & 63], b64_chars[(v >> 12) & 63],
                     i + 1 < len ? b64_chars[(v >> 6) & 63] : '=', i + 2 < len ? b64_chars[v & 63] : '='};
        rc = sdb_str_append(out, q, 4);
    }
    return rc;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64_chars, c) : NULL;
    return p ? (int)(p - b64_chars) : -1;
}

bool sdb_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (len % 4 != 0)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int pad = (text[i + 3] == '=') + (text[i + 2] == '=' && text[i + 3] == '=');
        if (pad > 0 && i + 4 != len)
            return false;
        uint32_t v = 0;
        for (int k = 0; k < 4 - pad; k++) {
            int d = b64_value(text[i + k]);
            if (d < 0)
                return false;
            v |= (uint32_t)d << (18 - 6 * k);
        }
        int bytes = 3 - pad;
        if (n + (size_t)bytes > cap)
            return false;
        for (int k = 0; k < bytes; k++)
            out[n++] = (uint8_t)(v >> (16 - 8 * k));
    }
    *out_len = n;
    return true;
}

static int append_b64_attr(SdbStr *out, const char *prefix, const uint8_t *data, size_t len)
{
    if (sdb_str_append_cstr(out, prefix) != SDB_OK)
        return SDB_ERROR;
    return sdb_base64_encode(data, len, out);
}

/* --- keys ------------------------------------------------------------------- */

static void hmac(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[SDB_SCRAM_KEY_LEN])
{
    unsigned int n = SDB_SCRAM_KEY_LEN;
    HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n);
}

static int random_bytes(void *buf, size_t len)
{
    if (getrandom(buf, len, 0) != (ssize_t)len)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "could not generate random bytes");
    return SDB_OK;
}

int sdb_scram_make_secret(const char *password, const uint8_t *salt, size_t salt_len, int iterations,
                          SdbScramSecret *out)
{
    memset(out, 0, sizeof *out);
    out->iterations = iterations;
    if (salt == NULL) {
        salt_len = SDB_SCRAM_SALT_LEN;
        if (random_bytes(out->salt, salt_len) != SDB_OK)
            return SDB_ERROR;
    } else {
        if (salt_len > SDB_SCRAM_MAX_SALT)
            return sdb_error(SDB_ERR_INVALID_PARAMETER_VALUE, "SCRAM salt is too long");
        memcpy(out->salt, salt, salt_len);
    }
    out->salt_len = salt_len;
    uint8_t salted[SDB_SCRAM_KEY_LEN], client_key[SDB_SCRAM_KEY_LEN];
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), out->salt, (int)salt_len, iterations, EVP_sha256(),
                          SDB_SCRAM_KEY_LEN, salted) != 1)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "could not compute the SCRAM salted password");
    hmac(salted, sizeof salted, "Client Key", 10, client_key);
    SHA256(client_key, sizeof client_key, out->stored_key);
    hmac(salted, sizeof salted, "Server Key", 10, out->server_key);
    OPENSSL_cleanse(salted, sizeof salted);
    return SDB_OK;
}

int sdb_scram_secret_text(const SdbScramSecret *secret, SdbStr *out)
{
    if (sdb_str_appendf(out, SCRAM_PREFIX "%d:", secret->iterations) != SDB_OK ||
        sdb_base64_encode(secret->salt, secret->salt_len, out) != SDB_OK ||
        append_b64_attr(out, "$", secret->stored_key, SDB_SCRAM_KEY_LEN) != SDB_OK)
        return SDB_ERROR;
    return append_b64_attr(out, ":", secret->server_key, SDB_SCRAM_KEY_LEN);
}

/* Decode exactly SDB_SCRAM_KEY_LEN bytes of base64 from [text, end). */
static bool decode_key(const char *text, const char *end, uint8_t key[SDB_SCRAM_KEY_LEN])
{
    size_t n;
    return sdb_base64_decode(text, (size_t)(end - text), key, SDB_SCRAM_KEY_LEN, &n) && n == SDB_SCRAM_KEY_LEN;
}

bool sdb_scram_parse_secret(const char *text, SdbScramSecret *out)
{
    memset(out, 0, sizeof *out);
    if (text == NULL || strncmp(text, SCRAM_PREFIX, strlen(SCRAM_PREFIX)) != 0)
        return false;
    const char *p = text + strlen(SCRAM_PREFIX);
    long iterations = 0;
    while (isdigit((unsigned char)*p) && iterations < 100000000)
        iterations = iterations * 10 + (*p++ - '0');
    const char *salt = p + 1, *dollar = strchr(p, '$');
    const char *colon = dollar ? strchr(dollar, ':') : NULL;
    if (*p != ':' || iterations <= 0 || iterations >= 100000000 || dollar == NULL || colon == NULL)
        return false;
    out->iterations = (int)iterations;
    return sdb_base64_decode(salt, (size_t)(dollar - salt), out->salt, SDB_SCRAM_MAX_SALT, &out->salt_len) &&
           decode_key(dollar + 1, colon, out->stored_key) && decode_key(colon + 1, colon + strlen(colon), out->server_key);
}

/* --- md5 -------------------------------------------------------------------- */

static void md5_hex(const void *data, size_t len, char out[33])
{
    uint8_t digest[16];
    unsigned int n = sizeof digest;
    EVP_Digest(data, len, digest, &n, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int sdb_md5_password(const char *password, const char *role, char out[36])
{
    size_t plen = strlen(password), rlen = strlen(role);
    char *buf = OPENSSL_malloc(plen + rlen + 1);
    if (buf == NULL)
        return sdb_error(SDB_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(buf, password, plen);
    memcpy(buf + plen, role, rlen);
    memcpy(out, "md5", 3);
    md5_hex(buf, plen + rlen, out + 3);
    OPENSSL_clear_free(buf, plen + rlen + 1);
    return SDB_OK;
}

bool sdb_is_md5_password(const char *text)
{
    if (text == NULL || strncmp(text, "md5", 3) != 0 || strlen(text) != 35)
        return false;
    for (int i = 3; i < 35; i++)
        if (!isxdigit((unsigned char)text[i]))
            return false;
    return true;
}

bool sdb_md5_response_ok(const char *stored, const uint8_t salt[4], const char *response)
{
    if (!sdb_is_md5_password(stored))
        return false;
    char buf[36], expected[36];
    memcpy(buf, stored + 3, 32);
    memcpy(buf + 32, salt, 4);
    memcpy(expected, "md5", 3);
    md5_hex(buf, sizeof buf, expected + 3);
    return strlen(response) == 35 && CRYPTO_memcmp(expected, response, 35) == 0;
}

/* --- stored passwords --------------------------------------------------------- */

int sdb_password_encrypt(const char *role, const char *password, bool md5, SdbStr *out)
{
    SdbScramSecret secret;
    if (sdb_is_md5_password(password) || sdb_scram_parse_secret(password, &secret))
        return sdb_str_append_cstr(out, password);
    if (md5) {
        char text[36];
        if (sdb_md5_password(password, role, text) != SDB_OK)
            return SDB_ERROR;
        return sdb_str_append(out, text, sizeof text - 1);
    }
    if (sdb_scram_make_secret(password, NULL, 0, SDB_SCRAM_ITERATIONS, &secret) != SDB_OK)
        return SDB_ERROR;
    return sdb_scram_secret_text(&secret, out);
}

int sdb_password_check(const char *stored, const char *role, const char *password, bool *ok)
{
    SdbScramSecret secret, given;
    *ok = false;
    if (sdb_scram_parse_secret(stored, &secret)) {
        if (sdb_scram_make_secret(password, secret.salt, secret.salt_len, secret.iterations, &given) != SDB_OK)
            return SDB_ERROR;
        *ok = CRYPTO_memcmp(given.stored_key, secret.stored_key, SDB_SCRAM_KEY_LEN) == 0;
    } else if (sdb_is_md5_password(stored)) {
        char text[36];
        if (sdb_md5_password(password, role, text) != SDB_OK)
            return SDB_ERROR;
        *ok = CRYPTO_memcmp(text, stored, 35) == 0;
    }
    return SDB_OK;
}

void sdb_scram_mock_secret(const uint8_t server_key[SDB_SCRAM_KEY_LEN], const char *role, SdbScramSecret *out)
{
    uint8_t digest[SDB_SCRAM_KEY_LEN];
    memset(out, 0, sizeof *out);
    out->iterations = SDB_SCRAM_ITERATIONS;
    hmac(server_key, SDB_SCRAM_KEY_LEN, role, strlen(role), digest);
    memcpy(out->salt, digest, SDB_SCRAM_SALT_LEN);
    out->salt_len = SDB_SCRAM_SALT_LEN;
    hmac(digest, sizeof digest, "Stored Key", 10, out->stored_key);
    hmac(digest, sizeof digest, "Server Key", 10, out->server_key);
}

/* --- the exchange ------------------------------------------------------------ */

static int malformed(const char *detail_fmt, const char *arg)
{
    sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "malformed SCRAM message");
    sdb_error_detail(detail_fmt, arg);
    return SDB_ERROR;
}

/* PostgreSQL's sanitize_char: a printable character as itself, else 0xNN. */
static const char *shown_char(char c, char buf[8])
{
    if (c >= 0x21 && c <= 0x7E)
        snprintf(buf, 8, "%c", c);
    else
        snprintf(buf, 8, "0x%02x", (unsigned char)c);
    return buf;
}

/* A message being read, NUL-terminated copy in the exchange's arena. */
typedef struct Reader {
    char *p;
} Reader;

/* Read "<attr>=value" up to the next ',' (or the end): *value NUL-terminated. */
static int read_attr(Reader *r, char attr, char **value)
{
    char buf[8];
    if (*r->p != attr) {
        char want[2] = {attr, 0};
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "malformed SCRAM message");
        sdb_error_detail("Expected attribute \"%s\" but found \"%s\".", want, shown_char(*r->p, buf));
        return SDB_ERROR;
    }
    if (r->p[1] != '=') {
        char want[2] = {attr, 0};
        return malformed("Expected character \"=\" for attribute \"%s\".", want);
    }
    *value = r->p + 2;
    char *comma = strchr(*value, ',');
    if (comma) {
        *comma = '\0';
        r->p = comma + 1;
    } else {
        r->p = *value + strlen(*value);
    }
    return SDB_OK;
}

/* Read any attribute "x=value": its letter in *attr. */
static int read_any_attr(Reader *r, char *attr, char **value)
{
    char buf[8];
    if (!((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z')))
        return malformed("Attribute expected, but found invalid character \"%s\".", shown_char(*r->p, buf));
    *attr = *r->p;
    return read_attr(r, *attr, value);
}

static bool printable_nonce(const char *s)
{
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7E || *s == ',')
            return false;
    return true;
}

static int message_copy(SdbScram *st, const char *msg, size_t len, Reader *r)
{
    if (len == 0)
        return malformed("%s", "The message is empty.");
    if (memchr(msg, '\0', len) != NULL)
        return malformed("%s", "Message length does not match input length.");
    r->p = sdb_arena_alloc(st->arena, len + 1);
    if (r->p == NULL)
        return SDB_ERROR;
    memcpy(r->p, msg, len);
    r->p[len] = '\0';
    return SDB_OK;
}

int sdb_scram_first(SdbScram *st, const char *msg, size_t len, const char *server_nonce, SdbStr *out)
{
    Reader r;
    char buf[8];
    if (message_copy(st, msg, len, &r) != SDB_OK)
        return SDB_ERROR;
    char flag = *r.p;
    if (flag == 'p')
        return malformed("%s", "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include "
                               "channel binding data.");
    if (flag != 'n' && flag != 'y')
        return malformed("Unexpected channel-binding flag \"%s\".", shown_char(flag, buf));
    r.p++;
    if (*r.p != ',')
        return malformed("Comma expected, but found character \"%s\".", shown_char(*r.p, buf));
    r.p++;
    if (*r.p == 'a')
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "client uses authorization identity, but it is not supported");
    if (*r.p != ',')
        return malformed("Unexpected attribute \"%s\" in client-first-message.", shown_char(*r.p, buf));
    r.p++;
    snprintf(st->gs2_header, sizeof st->gs2_header, "%c,,", flag);
    st->client_first_bare = sdb_arena_strdup(st->arena, r.p);
    if (st->client_first_bare == NULL)
        return SDB_ERROR;
    if (*r.p == 'm')
        return sdb_error(SDB_ERR_FEATURE_NOT_SUPPORTED, "client requires an unsupported SCRAM extension");
    char attr, *user, *client_nonce;
    if (read_any_attr(&r, &attr, &user) != SDB_OK || read_attr(&r, 'r', &client_nonce) != SDB_OK)
        return SDB_ERROR;
    if (!printable_nonce(client_nonce))
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "non-printable characters in SCRAM nonce");
    while (*r.p) /* extensions are ignored */
        if (read_any_attr(&r, &attr, &user) != SDB_OK)
            return SDB_ERROR;

    SdbStr nonce, first;
    sdb_str_init(&nonce, st->arena);
    sdb_str_init(&first, st->arena);
    if (sdb_str_append_cstr(&nonce, client_nonce) != SDB_OK)
        return SDB_ERROR;
    if (server_nonce) {
        if (sdb_str_append_cstr(&nonce, server_nonce) != SDB_OK)
            return SDB_ERROR;
    } else {
        uint8_t raw[SERVER_NONCE_LEN];
        if (random_bytes(raw, sizeof raw) != SDB_OK || sdb_base64_encode(raw, sizeof raw, &nonce) != SDB_OK)
            return SDB_ERROR;
    }
    st->nonce = nonce.data;
    if (sdb_str_appendf(&first, "r=%s,s=", st->nonce) != SDB_OK ||
        sdb_base64_encode(st->secret.salt, st->secret.salt_len, &first) != SDB_OK ||
        sdb_str_appendf(&first, ",i=%d", st->secret.iterations) != SDB_OK)
        return SDB_ERROR;
    st->server_first = first.data;
    return sdb_str_append_cstr(out, first.data);
}

int sdb_scram_final(SdbScram *st, const char *msg, size_t len, SdbStr *out, bool *ok)
{
    Reader r;
    *ok = false;
    if (message_copy(st, msg, len, &r) != SDB_OK)
        return SDB_ERROR;
    const char *start = r.p;
    char *cbind, *nonce, *value, attr;
    if (read_attr(&r, 'c', &cbind) != SDB_OK)
        return SDB_ERROR;
    const char *expected = st->gs2_header[0] == 'y' ? "eSws" : "biws"; /* base64 of "y,," / "n,," */
    if (strcmp(cbind, expected) != 0)
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "unexpected SCRAM channel-binding attribute in client-final-message");
    if (read_attr(&r, 'r', &nonce) != SDB_OK)
        return SDB_ERROR;
    size_t without_proof;
    do {
        without_proof = (size_t)(r.p - start) - 1;
        if (*r.p == '\0')
            return malformed("%s", "Malformed proof in client-final-message.");
        if (read_any_attr(&r, &attr, &value) != SDB_OK)
            return SDB_ERROR;
    } while (attr != 'p');
    uint8_t proof[SDB_SCRAM_KEY_LEN];
    size_t proof_len;
    if (!sdb_base64_decode(value, strlen(value), proof, sizeof proof, &proof_len) || proof_len != sizeof proof)
        return malformed("%s", "Malformed proof in client-final-message.");
    if (*r.p != '\0')
        return malformed("%s", "Garbage found at the end of client-final-message.");
    if (strcmp(nonce, st->nonce) != 0) {
        sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "invalid SCRAM response");
        sdb_error_detail("Nonce does not match.");
        return SDB_ERROR;
    }

    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    SdbStr auth;
    sdb_str_init(&auth, st->arena);
    if (sdb_str_appendf(&auth, "%s,%s,", st->client_first_bare, st->server_first) != SDB_OK ||
        sdb_str_append(&auth, msg, without_proof) != SDB_OK)
        return SDB_ERROR;
    uint8_t signature[SDB_SCRAM_KEY_LEN], client_key[SDB_SCRAM_KEY_LEN], stored[SDB_SCRAM_KEY_LEN];
    hmac(st->secret.stored_key, SDB_SCRAM_KEY_LEN, auth.data, auth.len, signature);
    for (int i = 0; i < SDB_SCRAM_KEY_LEN; i++)
        client_key[i] = proof[i] ^ signature[i];
    SHA256(client_key, sizeof client_key, stored);
    *ok = CRYPTO_memcmp(stored, st->secret.stored_key, SDB_SCRAM_KEY_LEN) == 0 && !st->mock;
    if (!*ok)
        return SDB_OK;
    hmac(st->secret.server_key, SDB_SCRAM_KEY_LEN, auth.data, auth.len, signature);
    return append_b64_attr(out, "v=", signature, sizeof signature);
}
