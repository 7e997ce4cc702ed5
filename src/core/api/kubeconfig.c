/*
 * Admin (or any client) kubeconfig rendering and atomic writing; see pki.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/api/pki.h"
#include "libkube/errors.h"

/* Base64 of a PEM string without line breaks, as kubeconfig *-data fields
 * hold it; frees @p pem. */
static char *pem_b64(char *pem)
{
	size_t len = pem ? strlen(pem) : 0;
	char *out = pem ? malloc(4 * ((len + 2) / 3) + 1) : NULL;

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)pem, (int)len);
	free(pem);
	return out;
}

char *kube__kubeconfig_render(const kube_pki *pki, const char *server,
			      X509 *cert, EVP_PKEY *key)
{
	char *ca = pem_b64(kube__pki_cert_pem(pki->ca_cert));
	char *crt = pem_b64(kube__pki_cert_pem(cert ? cert : pki->admin_cert));
	char *k = pem_b64(kube__pki_key_pem(key ? key : pki->admin_key));
	char *yaml = NULL;

	if (ca && crt && k &&
	    asprintf(&yaml,
		     "apiVersion: v1\n"
		     "kind: Config\n"
		     "clusters:\n"
		     "- cluster:\n"
		     "    certificate-authority-data: %s\n"
		     "    server: %s\n"
		     "  name: default\n"
		     "contexts:\n"
		     "- context:\n"
		     "    cluster: default\n"
		     "    user: default\n"
		     "  name: default\n"
		     "current-context: default\n"
		     "preferences: {}\n"
		     "users:\n"
		     "- name: default\n"
		     "  user:\n"
		     "    client-certificate-data: %s\n"
		     "    client-key-data: %s\n",
		     ca, server, crt, k) < 0)
		yaml = NULL;
	free(ca);
	free(crt);
	free(k);
	return yaml;
}

int kube__kubeconfig_write(const char *path, const kube_pki *pki,
			   const char *server, X509 *cert, EVP_PKEY *key)
{
	char *yaml = kube__kubeconfig_render(pki, server, cert, key);
	int rc;

	if (!yaml)
		return KUBE_ENOMEM;
	rc = kube__write_file_atomic(path, yaml, strlen(yaml), 0600);
	free(yaml);
	return rc;
}
