/*
 * Authentication and authorization of API requests: client certificates
 * verified against the cluster CA and ServiceAccount bearer tokens; RBAC
 * (core/auth) for everything that is not a health probe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
