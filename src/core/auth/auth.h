/*
 * Authorization (RBAC, evaluated as upstream's RBAC authorizer does) and
 * ServiceAccount bearer tokens (JWTs as upstream's bound tokens).
 * See docs/internals/auth.md.
 *
 * Everything here runs on the cluster loop.
 */
#ifndef KUBE_CORE_AUTH_AUTH_H
#define KUBE_CORE_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "core/cluster_internal.h"

/* ---- who is asking, and what for -------------------------------------- */

/*
 * An authenticated user, as upstream's user.Info. The authenticator adds
 * "system:authenticated" to the groups of every authenticated user (the
 * token functions below do; a certificate authenticator must too).
 */
struct kube_user {
	const char *name;          /* "alice", "system:serviceaccount:ns:sa" */
	const char *uid;           /* may be NULL */
	const char *const *groups; /* ngroups group names */
	size_t ngroups;            /* entries in groups */
	const json_t *extra;       /* {key: [values]} or NULL; not used by RBAC */
};

/*
 * What a request does, as upstream's authorizer.Attributes. NULL strings
 * read as "". For resource requests verb is the API verb (get, list,
 * watch, create, update, patch, delete, deletecollection, or a special
 * one: impersonate, bind, escalate, use, approve, proxy); for non-resource
 * requests the lower-case HTTP method, as upstream's RequestInfo.
 */
struct kube_authz_attrs {
	const char *verb;          /* "get", "list", ... or the HTTP method */
	const char *api_group;     /* "" for the core group */
	const char *api_version;   /* for the 403 Status only; may be NULL */
	const char *resource;      /* plural, "pods" */
	const char *subresource;   /* "status", "log", ... or NULL */
	const char *namespace;     /* NULL/"" for cluster scope */
	const char *name;          /* NULL/"" when the request names no object */
	bool is_resource_request;  /* false for a non-resource URL */
	const char *path;          /* URL path, for non-resource requests */
};

/* ---- rules ------------------------------------------------------------- */

/*
 * True when the PolicyRule @p rule (JSON) allows @p a, with upstream's
 * RuleAllows semantics: verbs and apiGroups with "*"; resources "*", exact
 * "res" or "res/sub", and "*\/sub" for any resource's subresource sub;
 * resourceNames restrict only when non-empty (a request without a name
 * never matches a rule with resourceNames); nonResourceURLs exact, "*", or
 * a prefix when ending in "*".
 */
bool kube__rule_allows(const json_t *rule, const struct kube_authz_attrs *a);

/* ---- the RBAC index ---------------------------------------------------- */

/*
 * In-memory RBAC state kept from store watches on the four rbac kinds:
 * roles by namespace/name, bindings by subject (user, group, and
 * ServiceAccount as its user name), so a check costs the bindings that
 * name the user or one of its groups, not all bindings.
 */
struct kube_rbac_index;

/* Build from what @p s holds and keep up to date from a watch. Returns 0 or
 * KUBE_ENOMEM / a store_watch error with *out NULL. */
int kube__rbac_index_new(kube_store *s, struct kube_rbac_index **out);

/* Cancel the watch and free everything. NULL is fine. */
void kube__rbac_index_free(struct kube_rbac_index *ix);

/*
 * Decide @p a for @p u from @p ix. Returns 0 when allowed, KUBE_EFORBIDDEN
 * when denied, KUBE_ENOMEM. When @p reason is non-NULL it gets a new string
 * (free() it) or NULL: on allow "RBAC: allowed by ClusterRoleBinding ...";
 * on deny NULL, or "RBAC: <errors>" when bindings referred to roles that
 * could not be resolved (`clusterrole.rbac.authorization.k8s.io "x" not
 * found`), as upstream.
 */
int kube__rbac_authorize(const struct kube_rbac_index *ix, const struct kube_user *u,
			 const struct kube_authz_attrs *a, char **reason);

/*
 * The cluster's authorizer: kube__rbac_authorize on the index the "rbac"
 * controller keeps. KUBE_ESTOPPED when the cluster's controllers are not
 * running (then nothing is allowed).
 */
int kube__authorize(kube_cluster *c, const struct kube_user *u,
		    const struct kube_authz_attrs *a, char **reason);

/*
 * The 403 Status the API server sends for a denied request (new, caller
 * owns), message as upstream's responsewriters.Forbidden:
 *   pods is forbidden: User "alice" cannot list resource "pods" in API
 *   group "" in the namespace "default"
 *   pods "web" is forbidden: User "alice" cannot get resource "pods/log" ...
 *   forbidden: User "bob" cannot get path "/metrics"
 * with ": <reason>" appended when @p reason is non-empty, and details
 * {name, group, kind: resource}.
 */
json_t *kube__forbidden_status(const struct kube_user *u, const struct kube_authz_attrs *a,
			       const char *reason);

/* The "rbac" controller: keeps the index kube__authorize reads. */
extern const struct kube_controller_ops kube__rbac_controller;

/* ---- bootstrap policy -------------------------------------------------- */

/*
 * The default ClusterRoles and ClusterRoleBindings as upstream's bootstrap
 * policy (a new JSON array of objects, caller owns).
 */
json_t *kube__bootstrap_policy(void);

/*
 * Create the bootstrap policy objects missing from the store (existing ones
 * are left alone). Runs on the loop during start, after the namespaces;
 * returns 0 or the first error.
 */
int kube__auth_bootstrap(kube_cluster *c);

/* ---- ServiceAccount tokens --------------------------------------------- */

/* The issuer and default audience of the tokens. */
#define KUBE_SA_ISSUER "https://kubernetes.default.svc.cluster.local"

/*
 * Sign @p claims (JSON object) as a compact JWS with @p key: RS256 for an
 * RSA key, ES256/ES384 for a P-256/P-384 EC key, header {alg, kid} with kid
 * the unpadded base64url SHA-256 of the public key's DER SubjectPublicKeyInfo
 * (as upstream). Returns 0 with *out a new string, KUBE_EINVAL for an
 * unsupported key, KUBE_ENOMEM or KUBE_EINTERNAL.
 */
int kube__jws_sign(EVP_PKEY *key, const json_t *claims, char **out);

/*
 * Check a compact JWS's signature with @p pub and return its claims (new
 * object). KUBE_EUNAUTHORIZED with *reason (new string) when malformed or
 * the signature does not verify.
 */
int kube__jws_verify(EVP_PKEY *pub, const char *token, json_t **claims, char **reason);

/*
 * The claims of a ServiceAccount token (new object): iss, sub
 * "system:serviceaccount:NS:NAME", aud, exp/iat/nbf from @p now_s and
 * @p exp_s, jti, and kubernetes.io {namespace, serviceaccount {name, uid}}.
 * @p audiences: a JSON array of strings (borrowed), NULL or empty for
 * [KUBE_SA_ISSUER].
 */
json_t *kube__sa_claims(const char *ns, const char *name, const char *uid,
			const json_t *audiences, int64_t now_s, int64_t exp_s);

/*
 * Validate the claims of a verified token at @p now_s, as upstream's
 * validator: exp/nbf/iat with a 60 s leeway ("service account token has
 * expired", "service account token is not valid yet"), the issuer, and
 * that the token's audiences intersect @p audiences (JSON array, NULL for
 * [KUBE_SA_ISSUER]) ("token audiences [...] is invalid for the target
 * audiences [...]"). Returns 0, or KUBE_EUNAUTHORIZED with *reason.
 */
int kube__sa_claims_check(const json_t *claims, int64_t now_s, const json_t *audiences,
			  char **reason);

/*
 * Serve a TokenRequest (serviceaccounts/token create) for ServiceAccount
 * @p name in @p ns: @p req is the decoded TokenRequest (borrowed; spec
 * expirationSeconds defaults to 3600, must be >= 600 and <= 2^32;
 * audiences default to [KUBE_SA_ISSUER]). On success *out is the response
 * TokenRequest (new) with status.token and status.expirationTimestamp.
 * Fails with KUBE_ENOTFOUND (`serviceaccounts "x" not found`),
 * KUBE_EINVALID (422 for a bad expirationSeconds) or KUBE_EINVAL, with *st
 * the Status when @p st is non-NULL.
 */
int kube__sa_token_issue(kube_cluster *c, EVP_PKEY *key, const char *ns, const char *name,
			 const json_t *req, json_t **out, json_t **st);

/*
 * Authenticate a bearer token: signature (@p pub), claims (see
 * kube__sa_claims_check; @p audiences NULL for the API server's), and that
 * the ServiceAccount still exists with the uid in the token and is not
 * being deleted. On success *out is a new user (free with free()):
 * name system:serviceaccount:NS:NAME, uid the ServiceAccount's, groups
 * system:serviceaccounts, system:serviceaccounts:NS, system:authenticated.
 * Otherwise KUBE_EUNAUTHORIZED with *reason (new string) when @p reason is
 * non-NULL, or KUBE_ENOMEM.
 */
int kube__sa_token_authenticate(kube_cluster *c, EVP_PKEY *pub, const char *token,
				const json_t *audiences, struct kube_user **out, char **reason);

/* A user from a name and groups in one allocation (free with free()). */
struct kube_user *kube__user_new(const char *name, const char *uid,
				 const char *const *groups, size_t ngroups);

#endif
