#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "core/api/pki.h"
#include "libkube/errors.h"

static char tmpdir[64];

static void make_tmp(void)
{
	strcpy(tmpdir, "/tmp/kube-pki-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static int verifies(X509 *ca, X509 *leaf)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	X509_STORE_add_cert(st, ca);
	X509_STORE_CTX_init(ctx, st, leaf, NULL);
	ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok == 1;
}

static char *subject_entry(X509 *x, int nid, int nth)
{
	X509_NAME *n = X509_get_subject_name(x);
	int idx = -1;
	unsigned char *u;
	char *s;

	for (int i = 0; i <= nth; i++)
		if ((idx = X509_NAME_get_index_by_NID(n, nid, idx)) < 0)
			return NULL;
	ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, idx)));
	s = strdup((char *)u);
	OPENSSL_free(u);
	return s;
}

static int has_san(char **v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void assert_p256(EVP_PKEY *k)
{
	char group[32];
	size_t len;

	cr_assert(EVP_PKEY_is_a(k, "EC"));
	cr_assert(EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), &len));
	cr_assert_str_eq(group, "prime256v1");
}

static int file_mode(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/pki/%s", tmpdir, name);
	if (stat(path, &st) < 0)
		return -1;
	return st.st_mode & 0777;
}

Test(pki, in_memory_has_ca_serving_admin_and_sa)
{
	const char *extra[] = { "10.0.0.5", "node1.example", "fd00::1" };
	kube_pki *pki = NULL;
	size_t n;
	char **sans, *s;

	cr_assert_eq(kube__pki_open(&pki, NULL, extra, 3), 0);
	cr_assert_null(pki->dir);
	s = subject_entry(pki->ca_cert, NID_commonName, 0);
	cr_assert_str_eq(s, "libkube-server-ca");
	free(s);
	cr_assert_eq(X509_check_ca(pki->ca_cert), 1);
	cr_assert(verifies(pki->ca_cert, pki->serving_cert));
	cr_assert(verifies(pki->ca_cert, pki->admin_cert));
	cr_assert_eq(X509_check_private_key(pki->serving_cert, pki->serving_key), 1);
	assert_p256(pki->ca_key);
	assert_p256(pki->serving_key);
	assert_p256(pki->sa_key);

	sans = kube__pki_cert_sans(pki->serving_cert, &n);
	cr_assert_eq(n, 11);
	const char *want[] = { "IP:127.0.0.1", "IP:::1", "DNS:localhost", "DNS:kubernetes",
			       "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
			       "DNS:kubernetes.default.svc.cluster.local", "IP:10.43.0.1",
			       "IP:10.0.0.5", "DNS:node1.example", "IP:fd00::1" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(has_san(sans, want[i]), "missing %s", want[i]);
	kube__pki_strv_free(sans);
	cr_assert_eq(X509_check_ip_asc(pki->serving_cert, "10.43.0.1", 0), 1);
	cr_assert_eq(X509_check_host(pki->serving_cert, "kubernetes.default.svc", 0, 0, NULL), 1);

	s = subject_entry(pki->admin_cert, NID_commonName, 0);
	cr_assert_str_eq(s, "system:admin");
	free(s);
	s = subject_entry(pki->admin_cert, NID_organizationName, 0);
	cr_assert_str_eq(s, "system:masters");
	free(s);
	cr_assert_eq(X509_check_purpose(pki->admin_cert, X509_PURPOSE_SSL_CLIENT, 0), 1);
	cr_assert_eq(X509_check_purpose(pki->serving_cert, X509_PURPOSE_SSL_SERVER, 0), 1);
	kube__pki_free(pki);
}

Test(pki, bad_san_is_einval)
{
	const char *extra[] = { "bad name" };
	kube_pki *pki = NULL;

	cr_assert_eq(kube__pki_open(&pki, NULL, extra, 1), KUBE_EINVAL);
	cr_assert_null(pki);
}

Test(pki, files_created_once_and_reused, .init = make_tmp, .fini = rm_tmp)
{
	kube_pki *a = NULL, *b = NULL;

	cr_assert_eq(kube__pki_open(&a, tmpdir, NULL, 0), 0);
	cr_assert_eq(file_mode("ca.key"), 0600);
	cr_assert_eq(file_mode("server.key"), 0600);
	cr_assert_eq(file_mode("admin.key"), 0600);
	cr_assert_eq(file_mode("sa.key"), 0600);
	cr_assert_eq(file_mode("ca.crt"), 0644);
	cr_assert_eq(file_mode("sa.pub"), 0644);
	cr_assert_eq(kube__pki_open(&b, tmpdir, NULL, 0), 0);
	cr_assert_eq(X509_cmp(a->ca_cert, b->ca_cert), 0);
	cr_assert_eq(X509_cmp(a->serving_cert, b->serving_cert), 0);
	cr_assert_eq(X509_cmp(a->admin_cert, b->admin_cert), 0);
	cr_assert_eq(EVP_PKEY_eq(a->sa_key, b->sa_key), 1);
	cr_assert_eq(EVP_PKEY_eq(a->ca_key, b->ca_key), 1);
	kube__pki_free(a);
	kube__pki_free(b);
}

Test(pki, san_change_reissues_serving_only, .init = make_tmp, .fini = rm_tmp)
{
	const char *extra[] = { "192.168.1.20" };
	kube_pki *a = NULL, *b = NULL;

	cr_assert_eq(kube__pki_open(&a, tmpdir, NULL, 0), 0);
	cr_assert_eq(kube__pki_open(&b, tmpdir, extra, 1), 0);
	cr_assert_eq(X509_cmp(a->ca_cert, b->ca_cert), 0);
	cr_assert_eq(X509_cmp(a->admin_cert, b->admin_cert), 0);
	cr_assert_neq(X509_cmp(a->serving_cert, b->serving_cert), 0);
	cr_assert_eq(X509_check_ip_asc(b->serving_cert, "192.168.1.20", 0), 1);
	cr_assert_eq(X509_check_ip_asc(a->serving_cert, "192.168.1.20", 0), 0);
	kube__pki_free(a);
	/* And the new one is what a third start finds. */
	cr_assert_eq(kube__pki_open(&a, tmpdir, extra, 1), 0);
	cr_assert_eq(X509_cmp(a->serving_cert, b->serving_cert), 0);
	kube__pki_free(a);
	kube__pki_free(b);
}

Test(pki, key_not_matching_cert_is_eio, .init = make_tmp, .fini = rm_tmp)
{
	kube_pki *a = NULL;
	char from[256], to[256];

	cr_assert_eq(kube__pki_open(&a, tmpdir, NULL, 0), 0);
	kube__pki_free(a);
	snprintf(from, sizeof(from), "%s/pki/admin.key", tmpdir);
	snprintf(to, sizeof(to), "%s/pki/ca.key", tmpdir);
	cr_assert_eq(rename(from, to), 0);
	a = NULL;
	cr_assert_eq(kube__pki_open(&a, tmpdir, NULL, 0), KUBE_EIO);
	cr_assert_null(a);
}

Test(pki, issue_client_cert_with_groups)
{
	const char *orgs[] = { "dev", "ops" };
	kube_pki *pki = NULL;
	X509 *cert;
	EVP_PKEY *key;
	char *s;

	cr_assert_eq(kube__pki_open(&pki, NULL, NULL, 0), 0);
	cr_assert_eq(kube__pki_issue_client(pki, "jane", orgs, 2, &cert, &key), 0);
	cr_assert(verifies(pki->ca_cert, cert));
	cr_assert_eq(X509_check_private_key(cert, key), 1);
	s = subject_entry(cert, NID_commonName, 0);
	cr_assert_str_eq(s, "jane");
	free(s);
	s = subject_entry(cert, NID_organizationName, 1);
	cr_assert_str_eq(s, "ops");
	free(s);
	cr_assert_eq(kube__pki_issue_client(pki, "", NULL, 0, &cert, &key) == KUBE_EINVAL, 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	kube__pki_free(pki);
}

static char *b64_of_pem(char *pem)
{
	size_t len = strlen(pem);
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (unsigned char *)pem, (int)len);
	free(pem);
	return out;
}

Test(kubeconfig, written_atomically_with_admin_credentials, .init = make_tmp, .fini = rm_tmp)
{
	kube_pki *pki = NULL;
	char path[256], *yaml, *ca, *crt;
	struct stat st;
	DIR *d;
	struct dirent *e;
	int files = 0;
	FILE *f;

	cr_assert_eq(kube__pki_open(&pki, NULL, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/admin.kubeconfig", tmpdir);
	cr_assert_eq(kube__kubeconfig_write(path, pki, "https://127.0.0.1:6443", NULL, NULL), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	d = opendir(tmpdir);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	cr_assert_eq(files, 1, "a temporary file was left behind");

	yaml = calloc(1, st.st_size + 1);
	f = fopen(path, "r");
	cr_assert_eq(fread(yaml, 1, st.st_size, f), (size_t)st.st_size);
	fclose(f);
	ca = b64_of_pem(kube__pki_cert_pem(pki->ca_cert));
	crt = b64_of_pem(kube__pki_cert_pem(pki->admin_cert));
	cr_assert(strstr(yaml, "apiVersion: v1\nkind: Config\n"));
	cr_assert(strstr(yaml, "    server: https://127.0.0.1:6443\n"));
	cr_assert(strstr(yaml, ca));
	cr_assert(strstr(yaml, crt));
	cr_assert(strstr(yaml, "current-context: default\n"));
	free(ca);
	free(crt);
	free(yaml);
	kube__pki_free(pki);
}
