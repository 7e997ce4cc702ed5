/*
 * What the Endpoints and EndpointSlice controllers share, as upstream's
 * pkg/controller/util/endpoint and endpointslice utils: which pods back a
 * Service, the port a service port reaches on a pod, the DNS hostname, and
 * the services a pod change concerns.
 */
#ifndef KUBE_CORE_CONTROLLERS_ENDPOINTUTIL_H
#define KUBE_CORE_CONTROLLERS_ENDPOINTUTIL_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"

/* The Service's spec.selector when it has a non-empty one, else NULL (left alone). */
const json_t *kube__ep_selector(const json_t *svc);

/* True when every selector pair is among @p labels (a map; NULL selects nothing). */
bool kube__ep_selects(const json_t *selector, const json_t *labels);

/*
 * ShouldPodBeInEndpoints: the pod has a podIP, is not finished for its
 * restart policy, and (unless @p include_terminating) is not being deleted.
 */
bool kube__ep_pod_included(const json_t *pod, bool include_terminating);

/* FindPort: the pod port @p svc_port's targetPort reaches (by number or by
 * container port name and protocol), or -1 when the pod has none. */
int kube__ep_find_port(const json_t *pod, const json_t *svc_port);

/* ShouldSetHostname: spec.hostname when spec.subdomain is the service's name, else NULL. */
const char *kube__ep_hostname(const json_t *pod, const json_t *svc);

/* An ObjectReference {kind: Pod, namespace, name, uid} to @p pod. */
json_t *kube__ep_target_ref(const json_t *pod);

/*
 * The endpoints.kubernetes.io/last-change-trigger-time of a service's
 * endpoints: the latest of the service's creation and its pods' Ready
 * transitions (RFC 3339), or NULL. @p pods is an array of pods.
 */
const char *kube__ep_trigger_time(const json_t *svc, const json_t *pods);

/* An array (new) of the pods in @p ns the selector selects, in name order. */
json_t *kube__ep_selected_pods(kube_cluster *c, const char *ns, const json_t *selector);

/* True when a pod change can alter endpoints (labels, IP, readiness, node, deletion...). */
bool kube__ep_pod_changed(const json_t *old, const json_t *cur);

/* Call @p fn with "ns/name" of every Service in @p pod's namespace selecting it. */
void kube__ep_services_for(kube_cluster *c, const json_t *pod,
			   void (*fn)(const char *key, void *data), void *data);

#endif
