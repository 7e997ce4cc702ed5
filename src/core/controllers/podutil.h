/*
 * Helpers the workload controllers share, as upstream's podutil and
 * controller_utils: pod readiness and availability, controller references.
 */
#ifndef KUBE_CORE_CONTROLLERS_PODUTIL_H
#define KUBE_CORE_CONTROLLERS_PODUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

/* status.conditions[type=Ready].status == "True". */
bool kube__pod_ready(const json_t *pod);

/* Ready for at least @p min_ready_seconds at @p now_ms (IsPodAvailable). */
bool kube__pod_available(const json_t *pod, int64_t min_ready_seconds, int64_t now_ms);

/* Running or Pending and not being deleted (controller_utils' IsPodActive). */
bool kube__pod_active(const json_t *pod);

/* The condition of @p type in status.conditions, or NULL. */
const json_t *kube__condition(const json_t *obj, const char *type);

/* The ownerReference with controller: true, or NULL. */
const json_t *kube__controller_ref(const json_t *obj);

/* True when @p obj is controlled by the object with uid @p uid. */
bool kube__controlled_by(const json_t *obj, const char *uid);

/* A new ownerReference to @p owner with controller and blockOwnerDeletion true. */
json_t *kube__new_controller_ref(const json_t *owner);

#endif
