/*
 * ServiceAccount tokens as upstream's bound tokens: the TokenRequest
 * subresource issues them, the bearer authenticator checks them (claims as
 * pkg/serviceaccount/claims.go, audiences as the JWT authenticator).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/auth.h"
#include "core/ops.h"
#include "core/status.h"

#define LEEWAY_S 60           /* go-jose's jwt.DefaultLeeway */
#define DEFAULT_EXP_S 3600    /* TokenRequest spec.expirationSeconds default */
#define MIN_EXP_S 600
#define MAX_EXP_S (1LL << 32)

static int __attribute__((format(printf, 2, 3))) reject(char **reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (reason && vasprintf(reason, fmt, ap) < 0)
		*reason = NULL;
	va_end(ap);
	return KUBE_EUNAUTHORIZED;
}

/* ---- TokenRequest ------------------------------------------------------ */

static int64_t expiration_of(const json_t *req)
{
	const json_t *e = json_object_get(json_object_get(req, "spec"), "expirationSeconds");

	return json_is_integer(e) ? json_integer_value(e) : DEFAULT_EXP_S;
}

static int validate_request(const json_t *req, int64_t exp_s, json_t **st)
{
	json_t *causes = json_array(), *v = json_integer(exp_s);

	if (exp_s < MIN_EXP_S)
		kube__cause_invalid(causes, "spec.expirationSeconds", v,
				    "may not specify a duration less than 10 minutes");
	else if (exp_s > MAX_EXP_S)
		kube__cause_invalid(causes, "spec.expirationSeconds", v,
				    "may not specify a duration larger than 2^32 seconds");
	json_decref(v);
	if (json_array_size(causes) == 0) {
		json_decref(causes);
		return 0;
	}
	(void)req;
	return kube__fail_invalid(st, "authentication.k8s.io", "TokenRequest", "", causes);
}

/* The response: the request with name, namespace, audiences and status filled. */
static json_t *response(const json_t *req, const char *ns, const char *name, const json_t *auds,
			int64_t exp_s, const char *token, int64_t now_ms)
{
	json_t *out = json_is_object(req) ? json_deep_copy(req) : json_object(), *meta, *spec;
	char now[32], exp[32];

	json_object_set_new(out, "kind", json_string("TokenRequest"));
	json_object_set_new(out, "apiVersion", json_string("authentication.k8s.io/v1"));
	meta = kube__meta(out);
	json_object_set_new(meta, "name", json_string(name));
	json_object_set_new(meta, "namespace", json_string(ns));
	json_object_set_new(meta, "creationTimestamp", json_string(kube__rfc3339(now_ms, now, 32)));
	spec = json_object_get(out, "spec");
	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(out, "spec", spec);
	}
	json_object_set(spec, "audiences", (json_t *)auds);
	json_object_set_new(spec, "expirationSeconds", json_integer(exp_s));
	json_object_set_new(out, "status", json_pack("{s:s, s:s}", "token", token,
						     "expirationTimestamp",
						     kube__rfc3339(now_ms + exp_s * 1000, exp, 32)));
	return out;
}

int kube__sa_token_issue(kube_cluster *c, EVP_PKEY *key, const char *ns, const char *name,
			 const json_t *req, json_t **out, json_t **st)
{
	const struct kube_kind *k = kube__registry_by_gvk("v1", "ServiceAccount");
	const json_t *sa = k ? kube__op_get(c, k, ns, name, st) : NULL;
	const json_t *ra = json_object_get(json_object_get(req, "spec"), "audiences");
	int64_t exp_s = expiration_of(req), now_ms = kube__now_ms(c);
	json_t *auds, *claims;
	char *token = NULL;
	int err;

	*out = NULL;
	if (!sa)
		return k ? KUBE_ENOTFOUND : KUBE_EINTERNAL;
	err = validate_request(req, exp_s, st);
	if (err)
		return err;
	auds = json_array_size(ra) ? json_deep_copy(ra) : json_pack("[s]", KUBE_SA_ISSUER);
	claims = kube__sa_claims(ns, name, kube__meta_str(sa, "uid"), auds, now_ms / 1000,
				 now_ms / 1000 + exp_s);
	err = claims ? kube__jws_sign(key, claims, &token) : KUBE_ENOMEM;
	if (!err)
		*out = response(req, ns, name, auds, exp_s, token, now_ms);
	if (err && st)
		*st = kube__status_new(err, kube_strerror(err), NULL);
	free(token);
	json_decref(claims);
	json_decref(auds);
	return err;
}

/* ---- bearer authentication --------------------------------------------- */

/* The ServiceAccount the claims name must exist, with that uid, and not be going away. */
static int check_account(kube_cluster *c, const json_t *claims, const json_t **sa, char **reason)
{
	const json_t *k8s = json_object_get(claims, "kubernetes.io");
	const json_t *ref = json_object_get(k8s, "serviceaccount");
	const char *ns = json_string_value(json_object_get(k8s, "namespace"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	const char *uid = json_string_value(json_object_get(ref, "uid"));
	const struct kube_kind *k = kube__registry_by_gvk("v1", "ServiceAccount");
	const char *del, *have;
	char who[512];

	if (!ns || !name || !uid || !k)
		return reject(reason, "service account token claims could not be validated due "
			      "to unexpected private claim");
	*sa = kube__op_get(c, k, ns, name, NULL);
	if (!*sa)
		return reject(reason, "serviceaccounts \"%s\" not found", name);
	del = kube__meta_str(*sa, "deletionTimestamp");
	if (del && kube__parse_rfc3339(del) < kube__now_ms(c) - LEEWAY_S * 1000) {
		snprintf(who, sizeof(who), "%s/%s", ns, name);
		return reject(reason, "service account %s has been deleted", who);
	}
	have = kube__meta_str(*sa, "uid");
	if (!have || strcmp(have, uid))
		return reject(reason, "service account UID (%s) does not match claim (%s)",
			      have ? have : "", uid);
	return 0;
}

static struct kube_user *sa_user(const json_t *sa)
{
	const char *ns = kube__meta_str(sa, "namespace"), *name = kube__meta_str(sa, "name");
	char user[512], nsgroup[300];
	const char *groups[] = { "system:serviceaccounts", nsgroup, "system:authenticated" };

	snprintf(user, sizeof(user), "system:serviceaccount:%s:%s", ns, name);
	snprintf(nsgroup, sizeof(nsgroup), "system:serviceaccounts:%s", ns);
	return kube__user_new(user, kube__meta_str(sa, "uid"), groups, 3);
}

int kube__sa_token_authenticate(kube_cluster *c, EVP_PKEY *pub, const char *token,
				const json_t *audiences, struct kube_user **out, char **reason)
{
	json_t *claims = NULL;
	const json_t *sa = NULL;
	int err;

	*out = NULL;
	if (reason)
		*reason = NULL;
	err = kube__jws_verify(pub, token, &claims, reason);
	if (!err)
		err = kube__sa_claims_check(claims, kube__now_ms(c) / 1000, audiences, reason);
	if (!err)
		err = check_account(c, claims, &sa, reason);
	if (!err && !(*out = sa_user(sa)))
		err = KUBE_ENOMEM;
	json_decref(claims);
	return err;
}
