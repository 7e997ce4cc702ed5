/*
 * Events written by the cluster's components (the Event kind, core/v1), as
 * client-go's event recorder writes them: deduplicated (the same source,
 * object, type, reason and message within 10 minutes bumps `count` and
 * `lastTimestamp` of one Event) and rate-limited per object (a burst of 25,
 * then one per 5 minutes, client-go's EventSourceObjectSpamFilter).
 */
#ifndef KUBE_CORE_EVENTS_H
#define KUBE_CORE_EVENTS_H

#include <jansson.h>
#include "core/cluster_internal.h"

/*
 * Record an Event about @p obj (any stored object) from @p component
 * ("deployment-controller", "kubelet", "default-scheduler"), with @p type
 * "Normal" or "Warning" and a CamelCase @p reason. @p host is the node for
 * kubelet events (source.host), or NULL. Runs on the loop; never fails
 * the caller (a dropped event is only logged).
 */
void kube__event(kube_cluster *c, const json_t *obj, const char *component, const char *host,
		 const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Forget the deduplication state (cluster stopping). */
void kube__events_reset(kube_cluster *c);

#endif
