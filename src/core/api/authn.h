/*
 * Who a request is from, and whether it may do what it asks.
 */
#ifndef KUBE_CORE_API_AUTHN_H
#define KUBE_CORE_API_AUTHN_H

#include "core/api/rest.h"

/*
 * Authenticate: a client certificate verified against the cluster CA
 * (CN = user, O = groups) or a ServiceAccount bearer token. Fills @p u
 * (adding system:authenticated); *u is freed with free(). Returns 0, or
 * KUBE_EUNAUTHORIZED with a 401 Status in *st for anyone else.
 */
int kube__authn(struct kube_apiserver *srv, kube_http_req *req, struct kube_user **u,
		json_t **st);

/* Impersonation (Impersonate-User / -Group / -Uid headers, kubectl --as):
 * when asked for and allowed (verb impersonate on users, groups or
 * serviceaccounts), replace *u. 0, or a 403 Status in *st. */
int kube__impersonate(struct kube_apiserver *srv, kube_http_req *req, struct kube_user **u,
		      json_t **st);

/* Authorize a resource request of @p a (RBAC). 0, or a 403 Status in *st. */
int kube__authz(struct kube_apiserver *srv, struct kube_api_call *a, json_t **st);

#endif
