/*
 * The claims of ServiceAccount tokens: what upstream's serviceaccount.Claims
 * puts in, and the checks its validator and the JWT authenticator make.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/auth.h"

#define LEEWAY_S 60           /* go-jose's jwt.DefaultLeeway */

static int __attribute__((format(printf, 2, 3))) reject(char **reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (reason && vasprintf(reason, fmt, ap) < 0)
		*reason = NULL;
	va_end(ap);
	return KUBE_EUNAUTHORIZED;
}

json_t *kube__sa_claims(const char *ns, const char *name, const char *uid,
			const json_t *audiences, int64_t now_s, int64_t exp_s)
{
	char sub[512], jti[40];
	json_t *aud = json_array_size(audiences) ? json_deep_copy(audiences)
						 : json_pack("[s]", KUBE_SA_ISSUER);

	snprintf(sub, sizeof(sub), "system:serviceaccount:%s:%s", ns, name);
	kube__uuid(jti);
	return json_pack("{s:o, s:I, s:I, s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:I, s:s}",
			 "aud", aud, "exp", (json_int_t)exp_s, "iat", (json_int_t)now_s,
			 "iss", KUBE_SA_ISSUER, "jti", jti, "kubernetes.io", "namespace", ns,
			 "serviceaccount", "name", name, "uid", uid ? uid : "",
			 "nbf", (json_int_t)now_s, "sub", sub);
}

/* Go's %q of a []string: ["a" "b"] */
static void quote_list(char *buf, size_t len, const json_t *arr)
{
	size_t i;
	json_t *v;

	snprintf(buf, len, "[");
	json_array_foreach(arr, i, v) {
		if (i)
			strncat(buf, " ", len - strlen(buf) - 1);
		snprintf(buf + strlen(buf), len - strlen(buf), "\"%s\"", json_string_value(v));
	}
	strncat(buf, "]", len - strlen(buf) - 1);
}

static bool audiences_meet(const json_t *tok, const json_t *want)
{
	size_t i, j;
	json_t *a, *b;

	json_array_foreach(tok, i, a)
		json_array_foreach(want, j, b)
			if (json_equal(a, b))
				return true;
	return false;
}

/* Time claims with leeway, as jwt.Claims.ValidateWithLeeway. */
static int check_times(const json_t *claims, int64_t now_s, char **reason)
{
	const json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
	const json_t *iat = json_object_get(claims, "iat");

	if (json_is_integer(exp) && now_s - LEEWAY_S > json_integer_value(exp))
		return reject(reason, "service account token has expired");
	if (json_is_integer(nbf) && now_s + LEEWAY_S < json_integer_value(nbf))
		return reject(reason, "service account token is not valid yet");
	if (json_is_integer(iat) && now_s + LEEWAY_S < json_integer_value(iat))
		return reject(reason, "service account token claims could not be validated "
			      "due to unexpected validation error");
	return 0;
}

int kube__sa_claims_check(const json_t *claims, int64_t now_s, const json_t *audiences,
			  char **reason)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	json_t *aud = json_object_get(claims, "aud"), *tok, *want;
	char t[1024], w[1024];
	int err;

	if (reason)
		*reason = NULL;
	if (!iss || strcmp(iss, KUBE_SA_ISSUER))
		return reject(reason, "token issuer %s is not recognized", iss ? iss : "");
	err = check_times(claims, now_s, reason);
	if (err)
		return err;
	/* aud may be one string (RFC 7519); a token without one gets the implicit audience */
	tok = json_is_string(aud) ? json_pack("[O]", aud) :
	      json_array_size(aud) ? json_incref(aud) : json_pack("[s]", KUBE_SA_ISSUER);
	want = json_array_size(audiences) ? json_incref((json_t *)audiences)
					  : json_pack("[s]", KUBE_SA_ISSUER);
	if (!audiences_meet(tok, want)) {
		quote_list(t, sizeof(t), tok);
		quote_list(w, sizeof(w), want);
		err = reject(reason, "token audiences %s is invalid for the target audiences %s", t, w);
	}
	json_decref(tok);
	json_decref(want);
	return err;
}
