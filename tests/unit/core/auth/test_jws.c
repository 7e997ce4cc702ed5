/*
 * JWS signing and verification (RS256, ES256, ES384) and ServiceAccount
 * token claims: shape, expiry and not-before with leeway, audiences,
 * tampering, wrong keys and algorithm confusion.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/auth/jws.h"

static EVP_PKEY *rsa_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	cr_assert_not_null(k);
	return k;
}

static EVP_PKEY *ec_key(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	cr_assert_not_null(k);
	return k;
}

static json_t *segment(const char *tok, int which)
{
	const char *p = tok;
	size_t n, len;
	unsigned char *raw;
	json_t *j;

	for (int i = 0; i < which; i++)
		p = strchr(p, '.') + 1;
	n = strcspn(p, ".");
	raw = kube__b64url_decode(p, n, &len);
	cr_assert_not_null(raw);
	j = json_loadb((char *)raw, len, 0, NULL);
	free(raw);
	return j;
}

static size_t sig_len(const char *tok)
{
	const char *s = strrchr(tok, '.') + 1;
	size_t len;
	unsigned char *raw = kube__b64url_decode(s, strlen(s), &len);

	free(raw);
	return len;
}

static void round_trip(EVP_PKEY *k, const char *alg, size_t siglen)
{
	json_t *claims = kube__sa_claims("default", "builder", "uid-1", NULL, 1000, 4600), *got;
	json_t *hdr;
	char *tok, *kid = kube__jws_kid(k), *reason;

	cr_assert_eq(kube__jws_sign(k, claims, &tok), 0);
	hdr = segment(tok, 0);
	cr_expect_str_eq(json_string_value(json_object_get(hdr, "alg")), alg);
	cr_expect_str_eq(json_string_value(json_object_get(hdr, "kid")), kid);
	if (siglen)
		cr_expect_eq(sig_len(tok), siglen, "JWS ECDSA signatures are raw r||s");
	cr_assert_eq(kube__jws_verify(k, tok, &got, &reason), 0);
	cr_expect(json_equal(got, claims));
	json_decref(got);
	json_decref(hdr);
	json_decref(claims);
	free(tok);
	free(kid);
}

Test(jws, rs256_es256_es384_round_trip)
{
	EVP_PKEY *r = rsa_key(), *e = ec_key("P-256"), *e3 = ec_key("P-384");

	round_trip(r, "RS256", 256);
	round_trip(e, "ES256", 64);
	round_trip(e3, "ES384", 96);
	EVP_PKEY_free(r);
	EVP_PKEY_free(e);
	EVP_PKEY_free(e3);
}

Test(jws, unsupported_key)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	json_t *c = json_object();
	char *tok = NULL;

	cr_assert_not_null(k);
	cr_expect_eq(kube__jws_sign(k, c, &tok), KUBE_EINVAL);
	cr_expect_null(tok);
	json_decref(c);
	EVP_PKEY_free(k);
}

Test(jws, claims_shape)
{
	json_t *aud = json_pack("[s, s]", "vault", "other");
	json_t *c = kube__sa_claims("dev", "robot", "u-9", aud, 100, 700);
	char *s = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	const char *jti = json_string_value(json_object_get(c, "jti"));

	cr_assert_not_null(jti);
	cr_expect_eq(strlen(jti), 36);
	json_object_del(c, "jti");
	free(s);
	s = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	cr_expect_str_eq(s, "{\"aud\":[\"vault\",\"other\"],\"exp\":700,\"iat\":100,"
			    "\"iss\":\"https://kubernetes.default.svc.cluster.local\","
			    "\"kubernetes.io\":{\"namespace\":\"dev\",\"serviceaccount\":"
			    "{\"name\":\"robot\",\"uid\":\"u-9\"}},\"nbf\":100,"
			    "\"sub\":\"system:serviceaccount:dev:robot\"}");
	free(s);
	json_decref(c);
	c = kube__sa_claims("dev", "robot", "u-9", NULL, 100, 700);
	s = json_dumps(json_object_get(c, "aud"), JSON_COMPACT);
	cr_expect_str_eq(s, "[\"https://kubernetes.default.svc.cluster.local\"]");
	free(s);
	json_decref(c);
	json_decref(aud);
}

static char *signed_token(EVP_PKEY *k)
{
	json_t *c = kube__sa_claims("default", "sa", "u", NULL, 1000, 4600);
	char *tok;

	cr_assert_eq(kube__jws_sign(k, c, &tok), 0);
	json_decref(c);
	return tok;
}

static void expect_rejected(EVP_PKEY *k, const char *tok, const char *why)
{
	json_t *claims = NULL;
	char *reason = NULL;

	cr_expect_eq(kube__jws_verify(k, tok, &claims, &reason), KUBE_EUNAUTHORIZED, "%s", why);
	cr_expect_null(claims);
	cr_expect_not_null(reason);
	free(reason);
}

/* Replace one character of segment @p which by another of the alphabet. */
static char *flip(const char *tok, int which)
{
	char *t = strdup(tok), *p = t;

	for (int i = 0; i < which; i++)
		p = strchr(p, '.') + 1;
	p[2] = p[2] == 'A' ? 'B' : 'A';
	return t;
}

Test(jws, tampering_and_wrong_keys)
{
	EVP_PKEY *k = ec_key("P-256"), *other = ec_key("P-256"), *r = rsa_key();
	char *tok = signed_token(k), *bad;

	for (int seg = 0; seg < 3; seg++) {
		bad = flip(tok, seg);
		expect_rejected(k, bad, "a changed segment");
		free(bad);
	}
	expect_rejected(other, tok, "another key");
	expect_rejected(k, "abc.def", "two parts");
	expect_rejected(k, "a.b.c.d", "four parts");
	expect_rejected(k, "", "empty");
	free(tok);
	/* an RS256 token offered to an EC key, and the reverse */
	tok = signed_token(r);
	expect_rejected(k, tok, "alg RS256 against an EC key");
	free(tok);
	tok = signed_token(k);
	expect_rejected(r, tok, "alg ES256 against an RSA key");
	free(tok);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	EVP_PKEY_free(r);
}

static int check(const json_t *c, int64_t now, const json_t *aud, const char *want)
{
	char *reason = NULL;
	int err = kube__sa_claims_check(c, now, aud, &reason);

	if (want)
		cr_expect_str_eq(reason ? reason : "(none)", want);
	else
		cr_expect_null(reason, "%s", reason);
	free(reason);
	return err;
}

Test(jws, claims_times_with_leeway)
{
	json_t *c = kube__sa_claims("default", "sa", "u", NULL, 1000, 4600);

	cr_expect_eq(check(c, 1000, NULL, NULL), 0);
	cr_expect_eq(check(c, 4600 + 60, NULL, NULL), 0, "within the leeway");
	cr_expect_eq(check(c, 4600 + 61, NULL, "service account token has expired"),
		     KUBE_EUNAUTHORIZED);
	cr_expect_eq(check(c, 940, NULL, NULL), 0);
	cr_expect_eq(check(c, 939, NULL, "service account token is not valid yet"),
		     KUBE_EUNAUTHORIZED);
	json_decref(c);
}

Test(jws, claims_audiences_and_issuer)
{
	json_t *vault = json_pack("[s]", "vault"), *both = json_pack("[s, s]", "x", "vault");
	json_t *api = kube__sa_claims("d", "s", "u", NULL, 1000, 4600);
	json_t *v = kube__sa_claims("d", "s", "u", vault, 1000, 4600);

	cr_expect_eq(check(v, 1000, vault, NULL), 0);
	cr_expect_eq(check(v, 1000, both, NULL), 0);
	cr_expect_eq(check(api, 1000, NULL, NULL), 0);
	cr_expect_eq(check(v, 1000, NULL,
			   "token audiences [\"vault\"] is invalid for the target audiences "
			   "[\"https://kubernetes.default.svc.cluster.local\"]"), KUBE_EUNAUTHORIZED);
	cr_expect_eq(check(api, 1000, both,
			   "token audiences [\"https://kubernetes.default.svc.cluster.local\"] "
			   "is invalid for the target audiences [\"x\" \"vault\"]"), KUBE_EUNAUTHORIZED);
	/* aud as a single string, as RFC 7519 allows */
	json_object_set_new(v, "aud", json_string("vault"));
	cr_expect_eq(check(v, 1000, vault, NULL), 0);
	json_object_set_new(v, "iss", json_string("https://evil"));
	cr_expect_eq(check(v, 1000, vault, "token issuer https://evil is not recognized"),
		     KUBE_EUNAUTHORIZED);
	json_decref(vault);
	json_decref(both);
	json_decref(api);
	json_decref(v);
}

Test(jws, base64url)
{
	const unsigned char in[] = { 0xfb, 0xff, 0xbf, 0x00, 0x41 };
	size_t n;

	for (size_t len = 0; len <= sizeof(in); len++) {
		char *e = kube__b64url(in, len);
		unsigned char *d;

		cr_assert_not_null(e);
		cr_expect_null(strpbrk(e, "+/="), "%s", e);
		d = kube__b64url_decode(e, strlen(e), &n);
		cr_assert_not_null(d);
		cr_expect_eq(n, len);
		cr_expect_eq(memcmp(d, in, len), 0);
		free(d);
		free(e);
	}
	cr_expect_null(kube__b64url_decode("a+b/", 4, &n));
	cr_expect_null(kube__b64url_decode("abcde", 5, &n));
}
