/*
 * The create-only review resources that answer questions about access:
 * authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview (kubectl auth can-i) and authentication.k8s.io/v1
 * TokenReview and SelfSubjectReview (kubectl auth whoami), plus the
 * serviceaccounts/token subresource (kubectl create token).
 */
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/api/pki.h"
#include "core/jsonutil.h"
#include "core/status.h"

/* spec.resourceAttributes / nonResourceAttributes into authorizer attributes. */
static void attrs_from(const json_t *spec, struct kube_authz_attrs *at)
{
	const json_t *ra = json_object_get(spec, "resourceAttributes");
	const json_t *na = json_object_get(spec, "nonResourceAttributes");

	memset(at, 0, sizeof(*at));
	if (ra) {
		at->is_resource_request = true;
		at->verb = kube__jstr(ra, "verb");
		at->api_group = kube__jstr(ra, "group") ?: "";
		at->api_version = kube__jstr(ra, "version");
		at->resource = kube__jstr(ra, "resource");
		at->subresource = kube__jstr(ra, "subresource");
		at->namespace = kube__jstr(ra, "namespace");
		at->name = kube__jstr(ra, "name");
	} else {
		at->verb = kube__jstr(na, "verb");
		at->path = kube__jstr(na, "path");
	}
}

/* The user a SubjectAccessReview asks about. */
static struct kube_user *spec_user(const json_t *spec)
{
	const json_t *groups = json_object_get(spec, "groups");
	size_t n = json_array_size(groups);
	const char **g = calloc(n + 1, sizeof(*g));
	struct kube_user *u;

	for (size_t i = 0; i < n; i++)
		g[i] = json_string_value(json_array_get(groups, i));
	u = kube__user_new(kube__jstr(spec, "user") ?: "", kube__jstr(spec, "uid"), g, n);
	free(g);
	return u;
}

static void access_review(struct kube_api_call *a, json_t *body, bool self, bool local)
{
	json_t *spec = json_object_get(body, "spec"), *status;
	struct kube_authz_attrs at;
	struct kube_user *who = self ? a->user : spec_user(spec);
	char *reason = NULL;
	bool allowed;

	if (!json_object_get(spec, "resourceAttributes") && !json_object_get(spec, "nonResourceAttributes"))
		return kube__rest_failf(a, KUBE_EINVALID, "%s.authorization.k8s.io \"\" is invalid: "
					"spec.resourceAttributes: Invalid value: \"null\": exactly one "
					"of nonResourceAttributes or resourceAttributes must be specified",
					json_string_value(json_object_get(body, "kind")));
	attrs_from(spec, &at);
	if (local)
		at.namespace = a->t.ns;
	allowed = kube__authorize(a->c, who, &at, &reason) == 0;
	status = json_pack("{s:b}", "allowed", allowed);
	if (reason && *reason)
		json_object_set_new(status, "reason", json_string(reason));
	json_object_set_new(body, "status", status);
	if (!self)
		free(who);
	free(reason);
	kube__rest_reply(a, 201, body);
}

static void user_info(json_t *into, const struct kube_user *u)
{
	json_t *groups = json_array();

	for (size_t i = 0; i < u->ngroups; i++)
		json_array_append_new(groups, json_string(u->groups[i]));
	json_object_set_new(into, "username", json_string(u->name));
	if (u->uid)
		json_object_set_new(into, "uid", json_string(u->uid));
	json_object_set_new(into, "groups", groups);
}

static void token_review(struct kube_api_call *a, json_t *body)
{
	struct kube_user *u = NULL;
	const char *token = kube__jstr(body, "spec.token");
	json_t *status = json_object();
	char *reason = NULL;

	if (token && !kube__sa_token_authenticate(a->c, a->srv->pki->sa_key, token, NULL, &u, &reason)) {
		json_t *info = json_object();

		user_info(info, u);
		json_object_set_new(status, "authenticated", json_true());
		json_object_set_new(status, "user", info);
	} else {
		json_object_set_new(status, "user", json_object());
		if (reason)
			json_object_set_new(status, "error", json_string(reason));
	}
	json_object_set_new(body, "status", status);
	free(u);
	free(reason);
	kube__rest_reply(a, 201, body);
}

static void self_review(struct kube_api_call *a, json_t *body)
{
	json_t *info = json_object();

	user_info(info, a->user);
	json_object_set_new(body, "status", json_pack("{s:o}", "userInfo", info));
	kube__rest_reply(a, 201, body);
}

const char *kube__rest_review_kind(const char *resource)
{
	static const char *const kinds[][2] = {
		{ "selfsubjectaccessreviews", "SelfSubjectAccessReview" },
		{ "subjectaccessreviews", "SubjectAccessReview" },
		{ "localsubjectaccessreviews", "LocalSubjectAccessReview" },
		{ "selfsubjectrulesreviews", "SelfSubjectRulesReview" },
		{ "tokenreviews", "TokenReview" },
		{ "selfsubjectreviews", "SelfSubjectReview" },
	};

	for (size_t i = 0; resource && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(resource, kinds[i][0]))
			return kinds[i][1];
	return NULL;
}

bool kube__rest_serve_review(struct kube_api_call *a)
{
	const char *g = a->t.group, *r = a->t.resource;
	json_t *st = NULL, *body;
	bool authz = !strcmp(g, "authorization.k8s.io"), authn = !strcmp(g, "authentication.k8s.io");

	if ((!authz && !authn) || a->t.name)
		return false;
	if (strcmp(kube__http_req_method(a->req), "POST")) {
		kube__rest_failf(a, KUBE_EMETHOD, "the server does not allow this method on the requested resource");
		return true;
	}
	body = kube__rest_decode_body(a, &st);
	if (!body) {
		kube__rest_fail(a, st);
		json_decref(st);
		return true;
	}
	json_object_set_new(body, "metadata", json_pack("{s:n}", "creationTimestamp"));
	if (authz && !strcmp(r, "selfsubjectaccessreviews") && !a->t.ns)
		access_review(a, body, true, false);
	else if (authz && !strcmp(r, "subjectaccessreviews") && !a->t.ns)
		access_review(a, body, false, false);
	else if (authz && !strcmp(r, "localsubjectaccessreviews") && a->t.ns)
		access_review(a, body, false, true);
	else if (authn && !strcmp(r, "tokenreviews") && !a->t.ns)
		token_review(a, body);
	else if (authn && !strcmp(r, "selfsubjectreviews") && !a->t.ns)
		self_review(a, body);
	else
		kube__rest_failf(a, KUBE_ENOTFOUND, "the server could not find the requested resource");
	json_decref(body);
	return true;
}

/* serviceaccounts/NAME/token */
void kube__rest_serve_token(struct kube_api_call *a, const json_t *body)
{
	json_t *out = NULL, *st = NULL;

	if (kube__sa_token_issue(a->c, a->srv->pki->sa_key, a->t.ns, a->t.name, body, &out, &st)) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	a->t.kind = NULL;
	kube__rest_reply(a, 201, out);
	json_decref(out);
}
