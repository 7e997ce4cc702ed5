/*
 * Compact JWS (RFC 7515) signing and verification with OpenSSL 3 EVP:
 * RS256 (RSASSA-PKCS1-v1_5) and ES256/ES384 (ECDSA, signature as the raw
 * r||s pair JWA requires rather than OpenSSL's DER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include "core/auth/jws.h"

/* ---- base64url without padding ----------------------------------------- */

char *kube__b64url(const unsigned char *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	int len;

	if (!out)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

unsigned char *kube__b64url_decode(const char *in, size_t n, size_t *outlen)
{
	size_t padded = (n + 3) / 4 * 4;
	char *buf = malloc(padded + 1);
	unsigned char *out = malloc(padded / 4 * 3 + 1);
	int len;

	if (!buf || !out || n % 4 == 1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char ch = in[i];

		if (ch == '+' || ch == '/' || ch == '=')
			goto fail; /* not the URL alphabet, or padded */
		buf[i] = ch == '-' ? '+' : ch == '_' ? '/' : ch;
	}
	memset(buf + n, '=', padded - n);
	len = EVP_DecodeBlock(out, (unsigned char *)buf, (int)padded);
	if (len < 0)
		goto fail;
	free(buf);
	*outlen = (size_t)len - (padded - n); /* DecodeBlock counts pad bytes */
	return out;
fail:
	free(buf);
	free(out);
	return NULL;
}

/* ---- algorithms -------------------------------------------------------- */

/* The JWA alg for @p key, its digest and (EC) the size of r and s; NULL if unsupported. */
static const char *alg_of(EVP_PKEY *key, const EVP_MD **md, int *half)
{
	char curve[64];

	*half = 0;
	if (EVP_PKEY_is_a(key, "RSA")) {
		*md = EVP_sha256();
		return "RS256";
	}
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, curve, sizeof(curve), NULL))
		return NULL;
	if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256")) {
		*md = EVP_sha256();
		*half = 32;
		return "ES256";
	}
	if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384")) {
		*md = EVP_sha384();
		*half = 48;
		return "ES384";
	}
	return NULL;
}

char *kube__jws_kid(EVP_PKEY *key)
{
	unsigned char *der = NULL, sum[32];
	int n = i2d_PUBKEY(key, &der);
	char *kid;

	if (n <= 0)
		return NULL;
	SHA256(der, (size_t)n, sum);
	OPENSSL_free(der);
	kid = kube__b64url(sum, sizeof(sum));
	return kid;
}

/* DER ECDSA-Sig-Value -> r||s, each @p half bytes. */
static int der_to_raw(const unsigned char *der, size_t n, int half, unsigned char *raw)
{
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &der, (long)n);
	const BIGNUM *r, *s;
	int ok;

	if (!sig)
		return KUBE_EINTERNAL;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, half) == half && BN_bn2binpad(s, raw + half, half) == half;
	ECDSA_SIG_free(sig);
	return ok ? 0 : KUBE_EINTERNAL;
}

/* r||s -> DER (new, OPENSSL_free) */
static unsigned char *raw_to_der(const unsigned char *raw, int half, int *n)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, half, NULL), *s = BN_bin2bn(raw + half, half, NULL);
	unsigned char *der = NULL;

	*n = 0;
	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	*n = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	return *n > 0 ? der : NULL;
}

/* Sign @p input; *sig a new buffer in JWS form. */
static int sign_raw(EVP_PKEY *key, const EVP_MD *md, int half, const char *input,
		    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	size_t n = 0;
	int err = KUBE_EINTERNAL;

	*sig = NULL;
	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, (const unsigned char *)input, strlen(input)) != 1 ||
	    !(der = malloc(n)) ||
	    EVP_DigestSign(ctx, der, &n, (const unsigned char *)input, strlen(input)) != 1)
		goto cleanup_ctx;
	if (!half) {
		*sig = der;
		*siglen = n;
		der = NULL;
		err = 0;
	} else if ((*sig = malloc(2 * (size_t)half)) && !der_to_raw(der, n, half, *sig)) {
		*siglen = 2 * (size_t)half;
		err = 0;
	} else {
		free(*sig);
		*sig = NULL;
	}
cleanup_ctx:
	free(der);
	EVP_MD_CTX_free(ctx);
	return err;
}

int kube__jws_sign(EVP_PKEY *key, const json_t *claims, char **out)
{
	const EVP_MD *md;
	int half, err = KUBE_ENOMEM;
	const char *alg = alg_of(key, &md, &half);
	char *kid = NULL, *hdr = NULL, *body = NULL, *h64 = NULL, *b64 = NULL, *s64 = NULL;
	char *input = NULL;
	unsigned char *sig = NULL;
	size_t siglen;

	*out = NULL;
	if (!alg)
		return KUBE_EINVAL;
	if (!(kid = kube__jws_kid(key)))
		return KUBE_EINTERNAL;
	json_t *h = json_pack("{s:s, s:s}", "alg", alg, "kid", kid);

	hdr = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	body = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(h);
	if (!hdr || !body || !(h64 = kube__b64url((unsigned char *)hdr, strlen(hdr))) ||
	    !(b64 = kube__b64url((unsigned char *)body, strlen(body))) ||
	    asprintf(&input, "%s.%s", h64, b64) < 0)
		goto cleanup;
	err = sign_raw(key, md, half, input, &sig, &siglen);
	if (err)
		goto cleanup;
	err = KUBE_ENOMEM;
	if ((s64 = kube__b64url(sig, siglen)) && asprintf(out, "%s.%s", input, s64) >= 0)
		err = 0;
	else
		*out = NULL;
cleanup:
	free(kid), free(hdr), free(body), free(h64), free(b64), free(s64), free(input), free(sig);
	return err;
}

static bool verify_sig(EVP_PKEY *pub, const EVP_MD *md, int half, const char *input, size_t n,
		       const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int dlen = (int)siglen;
	bool ok = false;

	if (half) {
		if (siglen != 2 * (size_t)half || !(der = raw_to_der(sig, half, &dlen)))
			goto cleanup_ctx;
		sig = der;
	}
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	     EVP_DigestVerify(ctx, sig, (size_t)dlen, (const unsigned char *)input, n) == 1;
cleanup_ctx:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static int reject(char **reason, const char *msg)
{
	if (reason)
		*reason = strdup(msg);
	return KUBE_EUNAUTHORIZED;
}

/* Decode a base64url JSON segment into an object (new) or NULL. */
static json_t *json_segment(const char *s, size_t n)
{
	size_t len;
	unsigned char *raw = kube__b64url_decode(s, n, &len);
	json_t *j = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;

	free(raw);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int kube__jws_verify(EVP_PKEY *pub, const char *token, json_t **claims, char **reason)
{
	const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	const EVP_MD *md;
	int half;
	const char *alg = alg_of(pub, &md, &half);
	json_t *hdr;
	unsigned char *sig;
	size_t siglen;
	bool ok;

	*claims = NULL;
	if (reason)
		*reason = NULL;
	if (!alg)
		return KUBE_EINVAL;
	if (!dot2 || strchr(dot2 + 1, '.'))
		return reject(reason, "go-jose/go-jose: compact JWS format must have three parts");
	hdr = json_segment(token, (size_t)(dot1 - token));
	ok = hdr && json_string_value(json_object_get(hdr, "alg")) &&
	     !strcmp(json_string_value(json_object_get(hdr, "alg")), alg);
	json_decref(hdr);
	if (!ok)
		return reject(reason, "go-jose/go-jose: error in cryptographic primitive");
	sig = kube__b64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
	ok = sig && verify_sig(pub, md, half, token, (size_t)(dot2 - token), sig, siglen);
	free(sig);
	if (!ok)
		return reject(reason, "go-jose/go-jose: error in cryptographic primitive");
	*claims = json_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!*claims)
		return reject(reason, "go-jose/go-jose/jwt: validation failed, malformed claims");
	return 0;
}
