/*
 * Which fields each kind can be selected by (upstream's field label
 * conversion functions): metadata.name and metadata.namespace for every
 * kind, plus the kind's own, one table line per kind.
 */
#include <string.h>
#include "core/ops.h"
#include "core/selector.h"
#include "core/status.h"

#define FIELDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct {
	const char *group, *kind;
	const char *const *fields;
} kind_fields[] = {
	{ "", "Pod", FIELDS("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
			    "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
			    "status.podIP", "status.podIPs", "status.nominatedNodeName") },
	{ "", "Event", FIELDS("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
			      "involvedObject.uid", "involvedObject.apiVersion",
			      "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
			      "reportingComponent", "source", "type") },
	{ "events.k8s.io", "Event", FIELDS("regarding.kind", "regarding.namespace", "regarding.name",
					   "regarding.uid", "regarding.apiVersion",
					   "regarding.resourceVersion", "regarding.fieldPath",
					   "reason", "reportingController", "type") },
	{ "", "Secret", FIELDS("type") },
	{ "", "Node", FIELDS("spec.unschedulable") },
	{ "", "Namespace", FIELDS("status.phase") },
	{ "", "ReplicationController", FIELDS("status.replicas") },
	{ "apps", "ReplicaSet", FIELDS("status.replicas") },
	{ "batch", "Job", FIELDS("status.successful") },
};

static bool supported(const struct kube_kind *k, const char *field)
{
	if (!strcmp(field, "metadata.name") || !strcmp(field, "metadata.namespace"))
		return true;
	for (size_t i = 0; i < sizeof(kind_fields) / sizeof(kind_fields[0]); i++) {
		if (strcmp(kind_fields[i].group, k->group) || strcmp(kind_fields[i].kind, k->kind))
			continue;
		for (int j = 0; kind_fields[i].fields[j]; j++)
			if (!strcmp(kind_fields[i].fields[j], field))
				return true;
	}
	return false;
}

int kube__fieldsel_check(const struct kube_kind *k, const struct kube_fieldsel *sel, json_t **st)
{
	for (int i = 0; sel && i < kube__fieldsel_count(sel); i++)
		if (!supported(k, kube__fieldsel_field(sel, i)))
			return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
					  "field label not supported: %s", kube__fieldsel_field(sel, i));
	return 0;
}
