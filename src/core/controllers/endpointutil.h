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
#include "core/workqueue.h"

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

/*
 * What both controllers run on: a work queue of service keys "ns/name" fed
 * by one store watch. Each controller's state embeds it as its first member
 * and hands its own state as @p data to the queue and the watch.
 */
struct kube__ep_ctl {
	kube_cluster *c;              /* the cluster served */
	struct store_watch *watch;    /* the events that queue services */
	struct kube_workqueue *queue; /* service keys "ns/name" to sync */
};

/*
 * Start @p b: a queue running @p sync, a watch on @p prefix from the current
 * revision calling @p on_event (both given @p data), then every Service
 * queued. 0, or KUBE_ENOMEM or the watch's error with nothing left started.
 */
int kube__ep_ctl_start(struct kube__ep_ctl *b, kube_cluster *c, const char *prefix,
		       kube_work_fn sync, store_watch_cb on_event, void *data);

/* Stop what kube__ep_ctl_start started; no callback runs after this. */
void kube__ep_ctl_stop(struct kube__ep_ctl *b);

/* Queue "ns/name" of every object under @p prefix ("/endpoints/"). */
void kube__ep_ctl_scan(struct kube__ep_ctl *b, const char *prefix);

/* Queue "ns/name" of a store key "/<resource>/ns/name". */
void kube__ep_ctl_queue_key(struct kube__ep_ctl *b, const char *store_key);

/* A pod event: queue the services selecting the pod before and after it,
 * unless it is an update that changes nothing endpoints show. */
void kube__ep_ctl_on_pod(struct kube__ep_ctl *b, enum store_event type, const json_t *obj,
			 const json_t *prev);

/*
 * A queued key "ns/name": its namespace into @p ns (of @p ns_size), the
 * Service into @p svc (the store's, NULL when gone); returns the name, or
 * NULL (nothing set) for a key without '/'.
 */
const char *kube__ep_ctl_service(const struct kube__ep_ctl *b, const char *key, char *ns,
				 size_t ns_size, const json_t **svc);

#endif
