/*
 * Pod writes shared by the API's pods/binding and the scheduler: binding a
 * pod to a node (upstream's BindingREST assignPod) and setting a pod
 * condition the way upstream's podutil.UpdatePodCondition does.
 */
#ifndef KUBE_CORE_OPS_BIND_H
#define KUBE_CORE_OPS_BIND_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/ops.h"

/*
 * Bind pod @p ns/@p name to @p node, as upstream's pods/binding does once
 * the Binding is admitted: one write of the pod with spec.nodeName set,
 * @p annotations (an object, may be NULL) merged into its annotations and
 * the condition PodScheduled=True. The pod's own update validation is not
 * applied (it forbids spec changes), exactly as upstream's assignPod.
 * @p uid, when non-NULL and non-empty, must be the pod's (Binding's
 * metadata.uid precondition). @p cb runs exactly once (from inside the call
 * on an early failure), with the pod as stored once durable, or on failure
 * with a Status: 404 when the pod is gone, 400 "Binding.target.name:
 * Required value" for an empty node, 409 when the pod is already assigned,
 * being deleted or changed meanwhile.
 */
void kube__bind_pod(kube_cluster *c, const char *ns, const char *name, const char *node,
		    const json_t *annotations, const char *uid, kube_op_cb cb, void *data);

/*
 * Set condition @p type of @p obj's status.conditions (created when missing)
 * to @p status, @p reason and @p message (NULL: none), as upstream's
 * UpdatePodCondition: lastTransitionTime moves to @p now_ms only when the
 * status changes, and lastProbeTime is kept (null on a new condition).
 * Returns true when anything changed.
 */
bool kube__pod_set_condition(json_t *obj, const char *type, const char *status,
			     const char *reason, const char *message, int64_t now_ms);

#endif
