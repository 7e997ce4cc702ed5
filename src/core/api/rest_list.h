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

/* POST to the access and token review resources (not registry kinds);
 * false when the request is not one of them. */
bool kube__rest_serve_review(struct kube_api_call *a);
/* GET pods/NAME/log: the container's log, streamed with follow=true. */
void kube__rest_serve_log(struct kube_api_call *a);
/* The Kind of a review resource ("selfsubjectaccessreviews"), or NULL. */
const char *kube__rest_review_kind(const char *resource);
/* serviceaccounts/NAME/token: issue a token for the TokenRequest @p body. */
void kube__rest_serve_token(struct kube_api_call *a, const json_t *body);

/* The autoscaling/v1 Scale of a workload (new). */
json_t *kube__rest_scale_of(const json_t *obj);
/* A kube_op_cb answering with the Scale of the written workload. */
void kube__rest_reply_scale(int err, const json_t *obj, const json_t *st, void *data);

#endif
