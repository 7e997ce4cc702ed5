/*
 * Authentication and authorization of API requests: client certificates
 * verified against the cluster CA and ServiceAccount bearer tokens; RBAC
 * (core/auth) for everything that is not a health probe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/api/authn.h"
#include "core/api/pki.h"
#include "core/api/tls.h"
#include "core/status.h"

/* A certificate's user: CN, the O entries and system:authenticated. */
static struct kube_user *cert_user(kube_http_req *req)
{
	size_t n = 0;
	const char *const *orgs = kube__http_req_groups(req, &n);
	const char **groups = calloc(n + 1, sizeof(*groups));
	struct kube_user *u;

	if (!groups)
		return NULL;
	for (size_t i = 0; i < n; i++)
		groups[i] = orgs[i];
	groups[n] = "system:authenticated";
	u = kube__user_new(kube__http_req_user(req), NULL, groups, n + 1);
	free(groups);
	return u;
}

int kube__authn(struct kube_apiserver *srv, kube_http_req *req, struct kube_user **u,
		json_t **st)
{
	const char *token = kube__http_req_bearer(req);
	int state = kube__http_req_cert_state(req);
	char *reason = NULL;
	int err;

	*u = NULL;
	if (state == KUBE_TLS_PEER_VERIFIED && kube__http_req_user(req)) {
		*u = cert_user(req);
		return *u ? 0 : kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
	}
	if (token && state != KUBE_TLS_PEER_INVALID) {
		err = kube__sa_token_authenticate(srv->c, srv->pki->sa_key, token, NULL, u, &reason);
		if (err && reason)
			kube__log(srv->c, "token rejected: %s", reason);
		free(reason);
		if (!err)
			return 0;
	}
	return kube__fail(st, KUBE_EUNAUTHORIZED, NULL, NULL, NULL, "Unauthorized");
}

int kube__authz(struct kube_apiserver *srv, struct kube_api_call *a, json_t **st)
{
	struct kube_authz_attrs attrs = {
		.verb = a->verb,
		.api_group = a->t.group,
		.api_version = a->t.version,
		.resource = a->t.resource,
		.subresource = a->t.subresource,
		.namespace = a->t.ns,
		.name = a->t.name,
		.is_resource_request = true,
	};
	char *reason = NULL;
	int err = kube__authorize(srv->c, a->user, &attrs, &reason);

	if (err && st)
		*st = kube__forbidden_status(a->user, &attrs, reason);
	free(reason);
	return err;
}

/* May the requester impersonate @p name as a @p resource ("users", "groups",
 * "serviceaccounts" in @p ns)? */
static int may_impersonate(struct kube_apiserver *srv, const struct kube_user *u,
			   const char *resource, const char *ns, const char *name, json_t **st)
{
	struct kube_authz_attrs at = {
		.verb = "impersonate", .api_group = "", .resource = resource,
		.namespace = ns, .name = name, .is_resource_request = true,
	};
	char *reason = NULL;
	int err = kube__authorize(srv->c, u, &at, &reason);

	if (err)
		*st = kube__forbidden_status(u, &at, reason);
	free(reason);
	return err;
}

int kube__impersonate(struct kube_apiserver *srv, kube_http_req *req, struct kube_user **u,
		      json_t **st)
{
	const char *user = kube__http_req_header(req, "Impersonate-User");
	const char *groups[64], *name, *value;
	char sa_ns[256], sa_group[300];
	size_t n = 0, count = kube__http_req_header_count(req);
	struct kube_user *as;
	int err;

	if (!user)
		return 0;
	if (sscanf(user, "system:serviceaccount:%255[^:]:", sa_ns) == 1) {
		err = may_impersonate(srv, *u, "serviceaccounts", sa_ns, strrchr(user, ':') + 1, st);
		snprintf(sa_group, sizeof(sa_group), "system:serviceaccounts:%s", sa_ns);
		groups[n++] = "system:serviceaccounts";
		groups[n++] = sa_group;
	} else {
		err = may_impersonate(srv, *u, "users", NULL, user, st);
	}
	for (size_t i = 0; !err && i < count; i++) {
		if (kube__http_req_header_at(req, i, &name, &value) || strcasecmp(name, "Impersonate-Group"))
			continue;
		err = may_impersonate(srv, *u, "groups", NULL, value, st);
		if (n < 62)
			groups[n++] = value;
	}
	if (err)
		return err;
	groups[n++] = "system:authenticated";
	as = kube__user_new(user, kube__http_req_header(req, "Impersonate-Uid"), groups, n);
	if (!as)
		return kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
	free(*u);
	*u = as;
	return 0;
}
