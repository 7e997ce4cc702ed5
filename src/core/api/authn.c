/*
 * Authentication and authorization of API requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/authn.h"
#include "core/api/tls.h"
#include "core/status.h"

static char **groups_with_authenticated(const char *const *orgs, size_t n)
{
	char **g = calloc(n + 2, sizeof(*g));

	for (size_t i = 0; g && i < n; i++)
		g[i] = strdup(orgs[i]);
	if (g)
		g[n] = strdup("system:authenticated");
	return g;
}

int kube__authn(struct kube_apiserver *srv, kube_http_req *req, struct kube_api_user *u,
		json_t **st)
{
	size_t n = 0;
	const char *const *orgs;

	(void)srv;
	if (kube__http_req_cert_state(req) == KUBE_TLS_PEER_VERIFIED && kube__http_req_user(req)) {
		orgs = kube__http_req_groups(req, &n);
		u->name = strdup(kube__http_req_user(req));
		u->groups = groups_with_authenticated(orgs, n);
		return 0;
	}
	return kube__fail(st, KUBE_EUNAUTHORIZED, NULL, NULL, NULL, "Unauthorized");
}

static bool in_group(const struct kube_api_user *u, const char *group)
{
	for (char **g = u->groups; g && *g; g++)
		if (!strcmp(*g, group))
			return true;
	return false;
}

int kube__authz(struct kube_apiserver *srv, struct kube_api_call *a, json_t **st)
{
	char res[256];

	(void)srv;
	if (in_group(&a->user, "system:masters"))
		return 0;
	snprintf(res, sizeof(res), "%s%s%s", a->t.resource, a->t.subresource ? "/" : "",
		 a->t.subresource ? a->t.subresource : "");
	if (a->t.ns)
		return kube__fail(st, KUBE_EFORBIDDEN, a->t.group, a->t.resource, a->t.name,
				  "%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group "
				  "\"%s\" in the namespace \"%s\"", a->t.resource, a->user.name, a->verb,
				  res, a->t.group, a->t.ns);
	return kube__fail(st, KUBE_EFORBIDDEN, a->t.group, a->t.resource, a->t.name,
			  "%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\" "
			  "at the cluster scope", a->t.resource, a->user.name, a->verb, res, a->t.group);
}
