/*
 * server/tls.c: a connection's socket I/O, plain or through TLS (OpenSSL),
 * and the server's TLS context (settings ssl, ssl_cert_file, ssl_key_file).
 *
 * Sockets are non-blocking: reads report "would block" and the connection
 * goes back to epoll; writes and the handshake wait with poll() in the
 * worker.  A TLS read drains whole records, and sdb_conn_process() reads
 * until "would block", so no decrypted byte is left inside OpenSSL while
 * the connection waits in epoll.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/log.h"
#include "server/server_int.h"

/* A file named in a setting: absolute, or relative to the data directory. */
static void setting_path(const SdbSettings *s, const char *file, char *buf, size_t size)
{
    if (file[0] == '/')
        snprintf(buf, size, "%s", file);
    else
        snprintf(buf, size, "%s/%s", s->data_directory, file);
}

static const char *openssl_error(void)
{
    unsigned long code = ERR_get_error();
    const char *reason = code ? ERR_reason_error_string(code) : NULL;
    ERR_clear_error();
    return reason ? reason : "no SSL error reported";
}

SSL_CTX *sdb_tls_context(const SdbSettings *s)
{
    char cert[4096], key[4096];
    setting_path(s, s->ssl_cert_file, cert, sizeof cert);
    setting_path(s, s->ssl_key_file, key, sizeof key);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "could not create SSL context: %s", openssl_error());
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "could not load server certificate file \"%s\": %s", cert,
                  openssl_error());
    else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "could not load private key file \"%s\": %s", key, openssl_error());
    else if (SSL_CTX_check_private_key(ctx) != 1)
        sdb_error(SDB_ERR_CONFIG_FILE_ERROR, "check of private key failed: %s", openssl_error());
    else
        return ctx;
    SSL_CTX_free(ctx);
    return NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sdb_tls_accept(SdbConn *c, SSL_CTX *ctx, int64_t timeout_ms)
{
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1) {
        SSL_free(ssl);
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "could not initialize SSL connection: %s", openssl_error());
    }
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int rc = SSL_accept(ssl);
        if (rc == 1)
            break;
        int err = SSL_get_error(ssl, rc);
        int64_t left = deadline - now_ms();
        if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && left > 0) {
            struct pollfd p = {.fd = c->fd, .events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
            poll(&p, 1, (int)(left < 1000 ? left : 1000));
            continue;
        }
        const char *reason = left > 0 ? openssl_error() : "timed out";
        SSL_free(ssl);
        return sdb_error(SDB_ERR_PROTOCOL_VIOLATION, "could not accept SSL connection: %s", reason);
    }
    c->ssl = ssl;
    return SDB_OK;
}

ssize_t sdb_conn_recv(SdbConn *c, void *buf, size_t len)
{
    if (c->ssl == NULL)
        return recv(c->fd, buf, len, 0);
    ERR_clear_error();
    int n = SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    if (n > 0)
        return n;
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    default:
        errno = ECONNRESET;
        return -1;
    }
}

ssize_t sdb_conn_send(SdbConn *c, const void *buf, size_t len, short *wait_for)
{
    *wait_for = POLLOUT;
    if (c->ssl == NULL)
        return send(c->fd, buf, len, MSG_NOSIGNAL);
    ERR_clear_error();
    int n = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    if (n > 0)
        return n;
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_READ:
        *wait_for = POLLIN;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        errno = EAGAIN;
        return -1;
    default:
        errno = ECONNRESET;
        return -1;
    }
}

void sdb_tls_close(SdbConn *c)
{
    if (c->ssl == NULL)
        return;
    SSL_shutdown(c->ssl); /* best effort: the socket is non-blocking and about to close */
    SSL_free(c->ssl);
    c->ssl = NULL;
}
