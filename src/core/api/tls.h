/*
 * TLS for the API server: OpenSSL 3 over memory BIOs, so the socket stays
 * libuv's. The server feeds ciphertext read from the socket into the
 * connection, takes plaintext out, puts plaintext in, and sends whatever
 * ciphertext the connection produced. Nothing here touches a file
 * descriptor or blocks.
 */
#ifndef KUBE_CORE_API_TLS_H
#define KUBE_CORE_API_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

/*
 * A server SSL_CTX presenting @p cert/@p key, TLS 1.2 or newer, ALPN
 * "http/1.1" only (clients offering just h2 get no ALPN and fall back), and
 * requesting but not requiring a client certificate verified against @p ca.
 * A bad client certificate does not fail the handshake (upstream answers 401
 * later); kube__tls_peer() reports it. Returns NULL on failure.
 * Free with SSL_CTX_free().
 */
SSL_CTX *kube__tls_server_ctx(X509 *cert, EVP_PKEY *key, X509 *ca);

/* One TLS connection over a pair of memory BIOs. */
typedef struct kube_tls {
	SSL *ssl;    /* the session */
	BIO *in;     /* ciphertext from the peer, written by kube__tls_feed() */
	BIO *out;    /* ciphertext for the peer, drained by kube__tls_take() */
} kube_tls;

/* Set up @p t for a server-side session of @p ctx. Returns 0 or KUBE_ENOMEM. */
int kube__tls_init(kube_tls *t, SSL_CTX *ctx);

/* Free the session and its BIOs; safe on a zeroed struct. */
void kube__tls_free(kube_tls *t);

/* Hand @p len bytes read from the socket to the session. Returns 0 or KUBE_ENOMEM. */
int kube__tls_feed(kube_tls *t, const char *data, size_t len);

/*
 * Advance the handshake and decrypt. Returns the number of plaintext bytes
 * put in @p buf (at most @p cap), 0 when more ciphertext is needed (or the
 * handshake is still going), KUBE_ESTOPPED when the peer sent close_notify,
 * KUBE_EIO on a protocol error. Call kube__tls_take() after each call: the
 * handshake and key updates produce output too.
 */
int kube__tls_read(kube_tls *t, char *buf, size_t cap);

/* Encrypt @p len bytes (only after the handshake). Returns 0 or KUBE_EIO. */
int kube__tls_write(kube_tls *t, const void *data, size_t len);

/* Queue a close_notify alert. */
void kube__tls_shutdown(kube_tls *t);

/*
 * Take the pending ciphertext: a malloc'd buffer in *out (caller frees) and
 * its length as the result; 0 (and *out NULL) when nothing is pending,
 * KUBE_ENOMEM.
 */
long kube__tls_take(kube_tls *t, char **out);

/* Whether the handshake has completed. */
int kube__tls_ready(const kube_tls *t);

/* What the client certificate says about the peer. */
enum kube_tls_peer_state {
	KUBE_TLS_PEER_NONE = 0,     /* no certificate sent */
	KUBE_TLS_PEER_VERIFIED,     /* chain verified against the CA */
	KUBE_TLS_PEER_INVALID,      /* sent, but verification failed */
};

/*
 * The peer's identity after the handshake. Returns the state; when VERIFIED,
 * *cn is the subject CN (malloc'd, may be NULL if absent) and *orgs a
 * malloc'd NULL-terminated array of the subject O entries (*norgs of them);
 * free both with free() and kube__pki_strv_free(). Returns KUBE_ENOMEM on
 * allocation failure.
 */
int kube__tls_peer(kube_tls *t, char **cn, char ***orgs, size_t *norgs);

#endif
