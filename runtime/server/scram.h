/*
 * server/scram.h: stored passwords and the server side of SCRAM-SHA-256
 * (RFC 5802, RFC 7677), with OpenSSL's PBKDF2, HMAC and SHA-256.
 *
 * Stored forms (pg_authid.rolpassword), as PostgreSQL writes them:
 *     SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>
 *     md5<md5 hex of password || role name>
 *
 * A SCRAM exchange: sdb_scram_first() answers the client-first-message
 * with the server-first-message, sdb_scram_final() checks the
 * client-final-message's proof and makes the server-final-message.  A
 * "mock" exchange (unknown role, no password, expired) runs the same
 * steps with a secret derived from the role name and always fails, so the
 * client cannot tell it from a wrong password.
 */
#ifndef SDB_SERVER_SCRAM_H
#define SDB_SERVER_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/memory.h"
#include "common/str.h"

#define SDB_SCRAM_KEY_LEN 32     /* SHA-256 */
#define SDB_SCRAM_ITERATIONS 4096 /* PostgreSQL's scram_iterations */
#define SDB_SCRAM_SALT_LEN 16
#define SDB_SCRAM_MAX_SALT 64

/* What the server keeps of a password. */
typedef struct SdbScramSecret {
    int iterations;
    uint8_t salt[SDB_SCRAM_MAX_SALT];
    size_t salt_len;
    uint8_t stored_key[SDB_SCRAM_KEY_LEN];
    uint8_t server_key[SDB_SCRAM_KEY_LEN];
} SdbScramSecret;

/* Base64 (RFC 4648, with padding).  Decoding returns false on anything
 * that is not canonical base64 or longer than `cap`. */
int sdb_base64_encode(const uint8_t *data, size_t len, SdbStr *out);
bool sdb_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* The secret of `password` with `salt` (NULL: a random one of
 * SDB_SCRAM_SALT_LEN bytes) and `iterations`. */
int sdb_scram_make_secret(const char *password, const uint8_t *salt, size_t salt_len, int iterations,
                          SdbScramSecret *out);
/* The secret's stored form "SCRAM-SHA-256$..." appended to out. */
int sdb_scram_secret_text(const SdbScramSecret *secret, SdbStr *out);
/* Parse a stored "SCRAM-SHA-256$..." form (false when it is not one). */
bool sdb_scram_parse_secret(const char *text, SdbScramSecret *out);

/* "md5" and the 32 hex digits of md5(password || role) into out[36]. */
int sdb_md5_password(const char *password, const char *role, char out[36]);
/* Whether `text` is a stored md5 password ("md5" + 32 hex digits). */
bool sdb_is_md5_password(const char *text);

/* The stored form of a password given to CREATE/ALTER ROLE: kept as is
 * when it is already an md5 or SCRAM form, else encrypted with md5
 * (`md5` true) or SCRAM-SHA-256 (random salt, 4096 iterations). */
int sdb_password_encrypt(const char *role, const char *password, bool md5, SdbStr *out);

/* Check a cleartext password against a stored form (SCRAM or md5);
 * *ok false for anything else. */
int sdb_password_check(const char *stored, const char *role, const char *password, bool *ok);

/* Check the answer to AuthenticationMD5Password ("md5" + hex of
 * md5(hex part of the stored md5 form || salt)). */
bool sdb_md5_response_ok(const char *stored, const uint8_t salt[4], const char *response);

/* The mock secret for a role that cannot log in by password: salt and
 * keys from HMAC(server_key, role name), SDB_SCRAM_ITERATIONS. */
void sdb_scram_mock_secret(const uint8_t server_key[SDB_SCRAM_KEY_LEN], const char *role, SdbScramSecret *out);

/* One server-side exchange (strings in `arena`). */
typedef struct SdbScram {
    SdbArena *arena;
    SdbScramSecret secret;
    bool mock;                       /* always fails at the end */
    char gs2_header[4];              /* "n,," or "y,," */
    const char *client_first_bare;
    const char *server_first;
    const char *nonce;               /* client nonce + server nonce */
} SdbScram;

/* Answer the client-first-message `msg` with the server-first-message
 * (appended to out).  `server_nonce` NULL: 18 random bytes in base64.
 * 08P01 "malformed SCRAM message" (with a DETAIL) when it is not one. */
int sdb_scram_first(SdbScram *st, const char *msg, size_t len, const char *server_nonce, SdbStr *out);

/* Check the client-final-message `msg`: *ok when the proof is right (and
 * the exchange not a mock); then the server-final-message ("v=...") is
 * appended to out.  08P01 when malformed, the nonce or channel binding
 * differ. */
int sdb_scram_final(SdbScram *st, const char *msg, size_t len, SdbStr *out, bool *ok);

#endif /* SDB_SERVER_SCRAM_H */
