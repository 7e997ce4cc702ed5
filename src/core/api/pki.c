/*
 * The cluster's PKI: generate with OpenSSL 3 EVP/X509 APIs, store in
 * DATA_DIR/pki, reuse on restart. See pki.h for the contract.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "core/api/pki.h"
#include "libkube/errors.h"

/* The in-cluster names of the API server and the first service IP, always
 * in the serving certificate (upstream's and k3s's list). */
static const char *const builtin_sans[] = {
	"127.0.0.1", "::1", "localhost", "kubernetes", "kubernetes.default",
	"kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
	"10.43.0.1",
};

enum cert_kind { CERT_CA, CERT_SERVER, CERT_CLIENT };

static EVP_PKEY *key_new(void)
{
	return EVP_EC_gen("P-256");
}

static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));

	BN_free(bn);
	return ok;
}

static int set_subject(X509 *x, const char *cn, const char *const *orgs, size_t norgs)
{
	X509_NAME *name = X509_get_subject_name(x);

	for (size_t i = 0; i < norgs; i++)
		if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
						(const unsigned char *)orgs[i], -1, -1, 0))
			return 0;
	return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					  (const unsigned char *)cn, -1, -1, 0);
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int add_kind_exts(X509 *x, X509 *issuer, enum cert_kind kind, const char *san)
{
	int ok = add_ext(x, x, NID_subject_key_identifier, "hash");

	if (kind == CERT_CA)
		return ok && add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
		       add_ext(x, x, NID_key_usage,
			       "critical,digitalSignature,keyEncipherment,keyCertSign");
	ok = ok && add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") &&
	     add_ext(x, x, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(x, x, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
	     add_ext(x, x, NID_ext_key_usage, kind == CERT_SERVER ? "serverAuth" : "clientAuth");
	if (ok && san)
		ok = add_ext(x, x, NID_subject_alt_name, san);
	return ok;
}

/*
 * A new certificate for @p key named @p cn/@p orgs, signed by @p ca/@p ca_key
 * (self-signed when @p ca is NULL). @p san is an OpenSSL SAN string or NULL.
 */
static X509 *cert_issue(enum cert_kind kind, EVP_PKEY *key, const char *cn,
			const char *const *orgs, size_t norgs, const char *san,
			X509 *ca, EVP_PKEY *ca_key)
{
	X509 *x = X509_new();
	long days = kind == CERT_CA ? KUBE_PKI_CA_DAYS : KUBE_PKI_LEAF_DAYS;

	if (!x || !X509_set_version(x, X509_VERSION_3) || !set_serial(x))
		goto free_cert;
	/* An hour of slack for clocks slightly behind ours. */
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L))
		goto free_cert;
	if (!X509_set_pubkey(x, key) || !set_subject(x, cn, orgs, norgs))
		goto free_cert;
	if (!X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x)))
		goto free_cert;
	if (!add_kind_exts(x, ca ? ca : x, kind, san))
		goto free_cert;
	if (!X509_sign(x, ca ? ca_key : key, EVP_sha256()))
		goto free_cert;
	return x;
free_cert:
	X509_free(x);
	return NULL;
}

/* ---- SAN lists --------------------------------------------------------- */

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kube__pki_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Sort @p v (n entries) and drop duplicates; returns the new length. */
static size_t strv_sort_unique(char **v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), strp_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && !strcmp(v[out - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[out++] = v[i];
	}
	v[out] = NULL;
	return out;
}

/* "IP:a.b.c.d" / "DNS:name" for one address; NULL with *err set. */
static char *san_canonical(const char *s, int *err)
{
	unsigned char buf[16];
	char text[INET6_ADDRSTRLEN + 4], *out;

	if (inet_pton(AF_INET, s, buf) == 1)
		inet_ntop(AF_INET, buf, text, sizeof(text));
	else if (inet_pton(AF_INET6, s, buf) == 1)
		inet_ntop(AF_INET6, buf, text, sizeof(text));
	else if (!*s || strpbrk(s, ", \t\r\n:/") || strlen(s) > 253) {
		*err = KUBE_EINVAL;
		return NULL;
	} else {
		if (asprintf(&out, "DNS:%s", s) < 0)
			goto nomem;
		return out;
	}
	if (asprintf(&out, "IP:%s", text) < 0)
		goto nomem;
	return out;
nomem:
	*err = KUBE_ENOMEM;
	return NULL;
}

char **kube__pki_serving_sans(const char *const *sans, size_t nsans, size_t *n, int *err)
{
	size_t nb = sizeof(builtin_sans) / sizeof(builtin_sans[0]), total = nb + nsans;
	char **v = calloc(total + 1, sizeof(*v));

	*err = KUBE_ENOMEM;
	if (!v)
		return NULL;
	for (size_t i = 0; i < total; i++) {
		v[i] = san_canonical(i < nb ? builtin_sans[i] : sans[i - nb], err);
		if (!v[i]) {
			kube__pki_strv_free(v);
			return NULL;
		}
	}
	*n = strv_sort_unique(v, total);
	*err = 0;
	return v;
}

static char *general_name_canonical(const GENERAL_NAME *gn)
{
	char text[INET6_ADDRSTRLEN], *out = NULL;
	const ASN1_OCTET_STRING *ip = gn->d.iPAddress;

	if (gn->type == GEN_DNS) {
		if (asprintf(&out, "DNS:%.*s", ASN1_STRING_length(gn->d.dNSName),
			     (const char *)ASN1_STRING_get0_data(gn->d.dNSName)) < 0)
			return NULL;
		return out;
	}
	if (gn->type != GEN_IPADD || (ip->length != 4 && ip->length != 16))
		return strdup("OTHER:");
	inet_ntop(ip->length == 4 ? AF_INET : AF_INET6, ip->data, text, sizeof(text));
	if (asprintf(&out, "IP:%s", text) < 0)
		return NULL;
	return out;
}

char **kube__pki_cert_sans(X509 *cert, size_t *n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int count = gens ? sk_GENERAL_NAME_num(gens) : 0;
	char **v = calloc(count + 1, sizeof(*v));

	for (int i = 0; v && i < count; i++) {
		v[i] = general_name_canonical(sk_GENERAL_NAME_value(gens, i));
		if (!v[i]) {
			kube__pki_strv_free(v);
			v = NULL;
		}
	}
	GENERAL_NAMES_free(gens);
	if (v)
		*n = strv_sort_unique(v, count);
	return v;
}

/* The OpenSSL config string "DNS:a,IP:b,..." for a canonical list. */
static char *san_conf(char **v)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; v[i]; i++)
		len += strlen(v[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; s && v[i]; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, v[i]);
	}
	return s;
}

static int sans_equal(char **a, char **b)
{
	size_t i = 0;

	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return !a[i] && !b[i];
}

/* ---- PEM text ---------------------------------------------------------- */

static char *bio_to_string(BIO *bio)
{
	char *data, *s = NULL;
	long len = bio ? BIO_get_mem_data(bio, &data) : -1;

	if (len >= 0 && (s = malloc(len + 1))) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	BIO_free(bio);
	return s;
}

char *kube__pki_cert_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (bio && !PEM_write_bio_X509(bio, cert)) {
		BIO_free(bio);
		return NULL;
	}
	return bio_to_string(bio);
}

char *kube__pki_key_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (bio && !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(bio);
		return NULL;
	}
	return bio_to_string(bio);
}

char *kube__pki_pubkey_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (bio && !PEM_write_bio_PUBKEY(bio, key)) {
		BIO_free(bio);
		return NULL;
	}
	return bio_to_string(bio);
}

/* ---- files ------------------------------------------------------------- */

static int fsync_dir_of(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	int fd, rc = 0;

	if (!dir)
		return KUBE_EIO;
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = KUBE_EIO;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int kube__write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return KUBE_EIO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return KUBE_EIO;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto remove_tmp;
		p += w;
		len -= w;
	}
	/* The mode given to open() is filtered by the umask; a key must not be. */
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto remove_tmp;
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0)
		goto remove_tmp;
	return fsync_dir_of(path);
remove_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return KUBE_EIO;
}

static char *pki_path(const kube_pki *pki, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", pki->dir, name) < 0)
		return NULL;
	return p;
}

/* Write @p pem (freed here) to DIR/pki/@p name; a no-op in memory. */
static int pki_store_pem(const kube_pki *pki, const char *name, char *pem, int mode)
{
	char *path;
	int rc;

	if (!pem)
		return KUBE_ENOMEM;
	if (!pki->dir) {
		free(pem);
		return 0;
	}
	path = pki_path(pki, name);
	rc = path ? kube__write_file_atomic(path, pem, strlen(pem), mode) : KUBE_ENOMEM;
	free(path);
	free(pem);
	return rc;
}

static int pki_store_pair(const kube_pki *pki, const char *base, X509 *cert, EVP_PKEY *key)
{
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "%s.key", base);
	rc = pki_store_pem(pki, name, kube__pki_key_pem(key), 0600);
	snprintf(name, sizeof(name), "%s.crt", base);
	return rc ? rc : pki_store_pem(pki, name, kube__pki_cert_pem(cert), 0644);
}

/*
 * Read DIR/pki/@p base.crt and .key. Returns 0 with both set, 1 when both
 * files are absent, KUBE_EIO when only one exists, one is unreadable, or the
 * key does not match the certificate.
 */
static int pki_load_pair(const kube_pki *pki, const char *base, X509 **cert, EVP_PKEY **key)
{
	char name[64];
	char *cpath, *kpath;
	BIO *cb = NULL, *kb = NULL;
	int rc = KUBE_ENOMEM;

	snprintf(name, sizeof(name), "%s.crt", base);
	cpath = pki_path(pki, name);
	snprintf(name, sizeof(name), "%s.key", base);
	kpath = pki_path(pki, name);
	if (!cpath || !kpath)
		goto free_paths;
	rc = 1;
	if (access(cpath, F_OK) < 0 && access(kpath, F_OK) < 0)
		goto free_paths;
	rc = KUBE_EIO;
	cb = BIO_new_file(cpath, "r");
	kb = BIO_new_file(kpath, "r");
	*cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	*key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	if (*cert && *key && X509_check_private_key(*cert, *key) == 1)
		rc = 0;
	BIO_free(cb);
	BIO_free(kb);
	if (rc) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
free_paths:
	free(cpath);
	free(kpath);
	return rc;
}

/* ---- the credentials --------------------------------------------------- */

static int pki_make_ca(kube_pki *pki)
{
	pki->ca_key = key_new();
	if (!pki->ca_key)
		return KUBE_ENOMEM;
	pki->ca_cert = cert_issue(CERT_CA, pki->ca_key, "libkube-server-ca", NULL, 0,
				  NULL, NULL, NULL);
	if (!pki->ca_cert)
		return KUBE_ENOMEM;
	return pki_store_pair(pki, "ca", pki->ca_cert, pki->ca_key);
}

static int pki_load_ca(kube_pki *pki)
{
	int rc = pki->dir ? pki_load_pair(pki, "ca", &pki->ca_cert, &pki->ca_key) : 1;

	return rc == 1 ? pki_make_ca(pki) : rc;
}

/* Whether a loaded leaf is still good: signed by our CA and not near expiry. */
static int leaf_usable(const kube_pki *pki, X509 *cert)
{
	time_t soon = time(NULL) + KUBE_PKI_RENEW_DAYS * 86400L;

	return X509_verify(cert, pki->ca_key) == 1 &&
	       X509_cmp_time(X509_get0_notAfter(cert), &soon) > 0;
}

static int pki_load_leaf(kube_pki *pki, const char *base, X509 **cert, EVP_PKEY **key)
{
	int rc = pki->dir ? pki_load_pair(pki, base, cert, key) : 1;

	if (rc == 0 && !leaf_usable(pki, *cert)) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
		return 1;
	}
	return rc;
}

static int pki_make_leaf(kube_pki *pki, const char *base, enum cert_kind kind,
			 const char *cn, const char *org, const char *san,
			 X509 **cert, EVP_PKEY **key)
{
	*key = key_new();
	if (!*key)
		return KUBE_ENOMEM;
	*cert = cert_issue(kind, *key, cn, org ? &org : NULL, org ? 1 : 0, san,
			   pki->ca_cert, pki->ca_key);
	if (!*cert)
		return KUBE_ENOMEM;
	return pki_store_pair(pki, base, *cert, *key);
}

static int pki_serving(kube_pki *pki, const char *const *sans, size_t nsans)
{
	size_t nwant, nhave;
	int rc;
	char **want = kube__pki_serving_sans(sans, nsans, &nwant, &rc), **have = NULL, *conf;

	if (!want)
		return rc;
	rc = pki_load_leaf(pki, "server", &pki->serving_cert, &pki->serving_key);
	if (rc == 0) {
		have = kube__pki_cert_sans(pki->serving_cert, &nhave);
		if (have && sans_equal(want, have))
			goto free_want;
		X509_free(pki->serving_cert);
		EVP_PKEY_free(pki->serving_key);
		pki->serving_cert = NULL;
		pki->serving_key = NULL;
		kube__pki_strv_free(have);
		have = NULL;
	} else if (rc < 0) {
		goto free_want;
	}
	conf = san_conf(want);
	rc = conf ? pki_make_leaf(pki, "server", CERT_SERVER, "kube-apiserver", NULL, conf,
				  &pki->serving_cert, &pki->serving_key) : KUBE_ENOMEM;
	free(conf);
	kube__pki_strv_free(want);
	return rc;
free_want:
	kube__pki_strv_free(have);
	kube__pki_strv_free(want);
	return rc;
}

static int pki_admin(kube_pki *pki)
{
	int rc = pki_load_leaf(pki, "admin", &pki->admin_cert, &pki->admin_key);

	if (rc != 1)
		return rc;
	return pki_make_leaf(pki, "admin", CERT_CLIENT, "system:admin", "system:masters",
			     NULL, &pki->admin_cert, &pki->admin_key);
}

static int pki_sa(kube_pki *pki)
{
	char *path = pki->dir ? pki_path(pki, "sa.key") : NULL;
	BIO *bio;
	int rc;

	if (pki->dir && !path)
		return KUBE_ENOMEM;
	if (path && access(path, F_OK) == 0) {
		bio = BIO_new_file(path, "r");
		pki->sa_key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		free(path);
		return pki->sa_key ? 0 : KUBE_EIO;
	}
	free(path);
	pki->sa_key = key_new();
	if (!pki->sa_key)
		return KUBE_ENOMEM;
	rc = pki_store_pem(pki, "sa.key", kube__pki_key_pem(pki->sa_key), 0600);
	return rc ? rc : pki_store_pem(pki, "sa.pub", kube__pki_pubkey_pem(pki->sa_key), 0644);
}

static int pki_mkdirs(kube_pki *pki, const char *data_dir)
{
	if (mkdir(data_dir, 0700) < 0 && errno != EEXIST)
		return KUBE_EIO;
	if (asprintf(&pki->dir, "%s/pki", data_dir) < 0) {
		pki->dir = NULL;
		return KUBE_ENOMEM;
	}
	if (mkdir(pki->dir, 0700) < 0 && errno != EEXIST)
		return KUBE_EIO;
	return 0;
}

int kube__pki_open(kube_pki **out, const char *data_dir,
		   const char *const *sans, size_t nsans)
{
	kube_pki *pki = calloc(1, sizeof(*pki));
	int rc = KUBE_ENOMEM;

	if (!pki)
		return rc;
	if (data_dir && (rc = pki_mkdirs(pki, data_dir)))
		goto free_pki;
	if ((rc = pki_load_ca(pki)) || (rc = pki_serving(pki, sans, nsans)) ||
	    (rc = pki_admin(pki)) || (rc = pki_sa(pki)))
		goto free_pki;
	*out = pki;
	return 0;
free_pki:
	kube__pki_free(pki);
	return rc;
}

void kube__pki_free(kube_pki *pki)
{
	if (!pki)
		return;
	X509_free(pki->ca_cert);
	EVP_PKEY_free(pki->ca_key);
	X509_free(pki->serving_cert);
	EVP_PKEY_free(pki->serving_key);
	X509_free(pki->admin_cert);
	EVP_PKEY_free(pki->admin_key);
	EVP_PKEY_free(pki->sa_key);
	free(pki->dir);
	free(pki);
}

int kube__pki_issue_client(const kube_pki *pki, const char *cn,
			   const char *const *orgs, size_t norgs,
			   X509 **cert, EVP_PKEY **key)
{
	if (!cn || !*cn)
		return KUBE_EINVAL;
	*key = key_new();
	if (!*key)
		return KUBE_ENOMEM;
	*cert = cert_issue(CERT_CLIENT, *key, cn, orgs, norgs, NULL,
			   pki->ca_cert, pki->ca_key);
	if (!*cert) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return KUBE_ENOMEM;
	}
	return 0;
}
