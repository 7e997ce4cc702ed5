/* Handlers of rest_list.c, rest_patch.c and rest_actions.c (see rest.h). */
#ifndef KUBE_CORE_API_REST_LIST_H
#define KUBE_CORE_API_REST_LIST_H

#include "core/api/rest.h"

/* GET collection: selectors, limit/continue, resourceVersion. */
void kube__rest_serve_list(struct kube_api_call *a);
/* DELETE collection: delete every selected object, reply with them. */
void kube__rest_serve_deletecollection(struct kube_api_call *a);
/* PATCH an object or its status/scale. */
void kube__rest_serve_patch(struct kube_api_call *a);
/* POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token. */
void kube__rest_serve_action(struct kube_api_call *a);

#endif
