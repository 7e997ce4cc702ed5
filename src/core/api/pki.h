/*
 * The cluster's PKI: a CA, the API server's serving certificate, the admin
 * client certificate and the service-account signing key, all ECDSA P-256
 * (as k3s makes them), plus the admin kubeconfig.
 *
 * With a data directory they live in DIR/pki/ (keys 0600, written by temp
 * file + rename) and are reused on restart; the serving certificate is
 * issued again when its SAN list changed or it is about to expire. Without a
 * data directory everything is generated in memory.
 *
 * Files: ca.crt ca.key server.crt server.key admin.crt admin.key sa.key sa.pub
 */
#ifndef KUBE_CORE_API_PKI_H
#define KUBE_CORE_API_PKI_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Loaded or generated credentials. Fields are owned by the struct and are
 * read-only for its users; free it all with kube__pki_free(). */
typedef struct kube_pki {
	X509 *ca_cert;          /* self-signed CA, CN libkube-server-ca */
	EVP_PKEY *ca_key;       /* the CA's private key */
	X509 *serving_cert;     /* API server certificate signed by the CA */
	EVP_PKEY *serving_key;  /* its key */
	X509 *admin_cert;       /* client cert CN=system:admin, O=system:masters */
	EVP_PKEY *admin_key;    /* its key */
	EVP_PKEY *sa_key;       /* service-account token signing key (ES256) */
	char *dir;              /* DIR/pki, or NULL in memory */
} kube_pki;

/* Validity of issued leaf certificates and the CA, in days. */
#define KUBE_PKI_LEAF_DAYS 365
#define KUBE_PKI_CA_DAYS 3650
/* A leaf expiring within this many days is issued again on open. */
#define KUBE_PKI_RENEW_DAYS 90

/*
 * Load the PKI from DATA_DIR/pki, generating what is missing, or generate it
 * all in memory when @p data_dir is NULL. @p sans (may be NULL when @p nsans
 * is 0) are extra node addresses for the serving certificate: IPv4/IPv6
 * literals become IP SANs, anything else a DNS SAN.
 * Returns 0 and a new kube_pki in *out (free with kube__pki_free()), or
 * KUBE_EINVAL for a malformed SAN, KUBE_EIO when files cannot be read or
 * written or a key does not match its certificate, KUBE_ENOMEM.
 */
int kube__pki_open(kube_pki **out, const char *data_dir,
		   const char *const *sans, size_t nsans);

/* Free everything; NULL is a no-op. */
void kube__pki_free(kube_pki *pki);

/*
 * Issue a client certificate for user @p cn in groups @p orgs (Subject O
 * entries, may be NULL when @p norgs is 0), signed by the CA, with a new key.
 * Nothing is written to disk. On success *cert and *key are new references
 * the caller frees (X509_free, EVP_PKEY_free). Returns 0, KUBE_EINVAL,
 * KUBE_ENOMEM.
 */
int kube__pki_issue_client(const kube_pki *pki, const char *cn,
			   const char *const *orgs, size_t norgs,
			   X509 **cert, EVP_PKEY **key);

/* PEM text of a certificate, a private key, or a key's public half; a
 * malloc'd NUL-terminated string the caller frees, NULL on failure. */
char *kube__pki_cert_pem(X509 *cert);
char *kube__pki_key_pem(EVP_PKEY *key);
char *kube__pki_pubkey_pem(EVP_PKEY *key);

/*
 * The desired SAN list of the serving certificate for @p sans, in canonical
 * form ("DNS:name", "IP:addr"), sorted and without duplicates. Returns a
 * malloc'd NULL-terminated array (free with kube__pki_strv_free()) and its
 * length in *n, or NULL with KUBE_EINVAL/KUBE_ENOMEM in *err.
 */
char **kube__pki_serving_sans(const char *const *sans, size_t nsans, size_t *n, int *err);

/* The SANs of @p cert in the same canonical sorted form; NULL on failure. */
char **kube__pki_cert_sans(X509 *cert, size_t *n);

/* Free an array from the two functions above; NULL is a no-op. */
void kube__pki_strv_free(char **v);

/*
 * Render a kubeconfig for @p server ("https://127.0.0.1:6443") trusting the
 * CA and authenticating with @p cert/@p key (NULL for the admin identity).
 * Cluster, user and context are all named "default", as k3s names them.
 * Returns a malloc'd YAML string, or NULL on allocation failure.
 */
char *kube__kubeconfig_render(const kube_pki *pki, const char *server,
			      X509 *cert, EVP_PKEY *key);

/*
 * Write kube__kubeconfig_render()'s output to @p path atomically (a temp
 * file beside it, fsync, rename) with mode 0600. Returns 0, KUBE_ENOMEM, or
 * KUBE_EIO when the file cannot be written.
 */
int kube__kubeconfig_write(const char *path, const kube_pki *pki,
			   const char *server, X509 *cert, EVP_PKEY *key);

/* Write @p len bytes to @p path atomically with @p mode, as above.
 * Returns 0 or KUBE_EIO. */
int kube__write_file_atomic(const char *path, const void *data, size_t len, int mode);

#endif
