/*
 * TLS over memory BIOs for the API server; see tls.h.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "core/api/pki.h"
#include "core/api/tls.h"
#include "libkube/errors.h"

/* The wire form of the one protocol we speak. */
static const unsigned char alpn_http11[] = "\x08http/1.1";

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned char *sel;

	if (SSL_select_next_proto(&sel, outlen, alpn_http11, sizeof(alpn_http11) - 1,
				  in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* Accept any client certificate at the TLS layer: verification is reported
 * by SSL_get_verify_result() and turned into 401 by the authenticator, as
 * Go's tls.RequestClientCert plus upstream's x509 authenticator do. */
static int verify_keep_going(int preverify_ok, X509_STORE_CTX *ctx)
{
	return 1;
}

SSL_CTX *kube__tls_server_ctx(X509 *cert, EVP_PKEY *key, X509 *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) != 1)
		goto free_ctx;
	/* Advertise the CA so clients with several certs pick ours. */
	if (!SSL_CTX_add1_to_CA_list(ctx, ca))
		goto free_ctx;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_keep_going);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/* No resumption: every connection presents (and verifies) its cert. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
free_ctx:
	SSL_CTX_free(ctx);
	return NULL;
}

int kube__tls_init(kube_tls *t, SSL_CTX *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ssl = SSL_new(ctx);
	t->in = BIO_new(BIO_s_mem());
	t->out = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->in || !t->out) {
		kube__tls_free(t);
		return KUBE_ENOMEM;
	}
	/* An empty read BIO means "want more", not EOF. */
	BIO_set_mem_eof_return(t->in, -1);
	BIO_set_mem_eof_return(t->out, -1);
	SSL_set_bio(t->ssl, t->in, t->out);
	SSL_set_accept_state(t->ssl);
	return 0;
}

void kube__tls_free(kube_tls *t)
{
	if (t->ssl) {
		SSL_free(t->ssl);      /* frees both BIOs, owned since SSL_set_bio */
	} else {
		BIO_free(t->in);
		BIO_free(t->out);
	}
	memset(t, 0, sizeof(*t));
}

int kube__tls_feed(kube_tls *t, const char *data, size_t len)
{
	return BIO_write(t->in, data, (int)len) == (int)len ? 0 : KUBE_ENOMEM;
}

int kube__tls_ready(const kube_tls *t)
{
	return SSL_is_init_finished(t->ssl);
}

int kube__tls_read(kube_tls *t, char *buf, size_t cap)
{
	int n = SSL_read(t->ssl, buf, (int)cap);

	if (n > 0)
		return n;
	switch (SSL_get_error(t->ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return KUBE_ESTOPPED;
	default:
		ERR_clear_error();
		return KUBE_EIO;
	}
}

int kube__tls_write(kube_tls *t, const void *data, size_t len)
{
	size_t done = 0;

	/* Memory BIOs grow, so SSL_write never waits for the socket. */
	if (len && SSL_write_ex(t->ssl, data, len, &done) != 1) {
		ERR_clear_error();
		return KUBE_EIO;
	}
	return 0;
}

void kube__tls_shutdown(kube_tls *t)
{
	if (SSL_is_init_finished(t->ssl))
		SSL_shutdown(t->ssl);
	ERR_clear_error();
}

long kube__tls_take(kube_tls *t, char **out)
{
	size_t pending = BIO_ctrl_pending(t->out);

	*out = NULL;
	if (!pending)
		return 0;
	*out = malloc(pending);
	if (!*out)
		return KUBE_ENOMEM;
	return BIO_read(t->out, *out, (int)pending);
}

/* The UTF-8 text of subject entry @p idx, malloc'd. */
static char *name_entry(X509_NAME *name, int idx)
{
	unsigned char *utf8 = NULL;
	int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	char *s = len >= 0 ? strndup((char *)utf8, len) : NULL;

	OPENSSL_free(utf8);
	return s;
}

static int peer_names(X509 *cert, char **cn, char ***orgs, size_t *norgs)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	int count = 0;

	*cn = idx >= 0 ? name_entry(name, idx) : NULL;
	for (idx = -1; (idx = X509_NAME_get_index_by_NID(name, NID_organizationName, idx)) >= 0;)
		count++;
	*orgs = calloc(count + 1, sizeof(**orgs));
	if (!*orgs)
		goto nomem;
	*norgs = 0;
	for (idx = -1; (idx = X509_NAME_get_index_by_NID(name, NID_organizationName, idx)) >= 0;)
		if (!((*orgs)[(*norgs)++] = name_entry(name, idx)))
			goto nomem;
	return KUBE_TLS_PEER_VERIFIED;
nomem:
	free(*cn);
	kube__pki_strv_free(*orgs);
	*cn = NULL;
	*orgs = NULL;
	return KUBE_ENOMEM;
}

int kube__tls_peer(kube_tls *t, char **cn, char ***orgs, size_t *norgs)
{
	X509 *cert = SSL_get0_peer_certificate(t->ssl);

	*cn = NULL;
	*orgs = NULL;
	*norgs = 0;
	if (!cert)
		return KUBE_TLS_PEER_NONE;
	if (SSL_get_verify_result(t->ssl) != X509_V_OK)
		return KUBE_TLS_PEER_INVALID;
	return peer_names(cert, cn, orgs, norgs);
}
