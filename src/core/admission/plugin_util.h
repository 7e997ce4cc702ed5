/*
 * Helpers the admission plugins in this directory share: which request a
 * plugin handles, upstream's admission.NewForbidden message, and resource
 * lists (maps of resource name to quantity) as the quota and limit plugins
 * read them.
 */
#ifndef KUBE_CORE_ADMISSION_PLUGIN_UTIL_H
#define KUBE_CORE_ADMISSION_PLUGIN_UTIL_H

#include <stdbool.h>
#include <jansson.h>
#include "core/admission.h"
#include "core/quantity.h"

/* True when @p a writes the main resource (not a subresource) of core/v1 @p kind. */
bool kube__admit_is(const struct kube_admission *a, const char *kind);

/*
 * A 403 Forbidden as admission.NewForbidden renders it:
 * `<resource> "<name>" is forbidden: <message>`. Returns KUBE_EFORBIDDEN.
 */
int kube__admit_forbidden(const struct kube_admission *a, json_t **st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse the quantity at @p list[@p name]; false when absent or malformed. */
bool kube__rl_get(const json_t *list, const char *name, struct kube_quantity *q);

/* Add @p q to list[@p name] (created at zero), stored as its canonical string. */
void kube__rl_add(json_t *list, const char *name, const struct kube_quantity *q);

/* Set list[@p name] to the canonical string of @p q. */
void kube__rl_set(json_t *list, const char *name, const struct kube_quantity *q);

/* upstream's quota prettyPrint: "a=1,b=2Gi" with keys sorted, into a new string. */
char *kube__rl_pretty(const json_t *list);

/*
 * A pod's effective "requests" or "limits" (@p field) as upstream's
 * resourcehelper.PodRequests / PodLimits compute them from @p spec: regular
 * and sidecar (restartPolicy Always) init containers add up, every other
 * init container counts alone with the sidecars started before it, and the
 * larger wins. A new resource list.
 */
json_t *kube__pod_resources(const json_t *spec, const char *field);

#endif
