/*
 * The one table attaching kind-specific defaulting and validation to the
 * registry (see registry.h). One line per kind that has either.
 */
#include <stddef.h>
#include "core/registry.h"
#include "core/kinds/kinds.h"

#define H(group, kind, name) { group, kind, kube__##name##_defaults, kube__##name##_validate }
#define V(group, kind, name) { group, kind, NULL, kube__##name##_validate }

const struct kube_kind_hooks kube__kind_hooks[] = {
	H("", "Pod", pod),
	H("", "Service", service),
	H("", "ReplicationController", rc),
	V("", "ConfigMap", configmap),
	H("", "Secret", secret),
	H("", "Namespace", namespace),
	H("", "Node", node),
	H("", "PersistentVolume", pv),
	H("", "PersistentVolumeClaim", pvc),
	V("", "Event", event),
	H("", "Endpoints", endpoints),
	V("", "ResourceQuota", resourcequota),
	H("", "LimitRange", limitrange),
	H("apps", "Deployment", deployment),
	H("apps", "ReplicaSet", replicaset),
	H("apps", "StatefulSet", statefulset),
	H("apps", "DaemonSet", daemonset),
	V("apps", "ControllerRevision", controllerrevision),
	H("batch", "Job", job),
	H("batch", "CronJob", cronjob),
	V("rbac.authorization.k8s.io", "Role", role),
	V("rbac.authorization.k8s.io", "ClusterRole", clusterrole),
	H("rbac.authorization.k8s.io", "RoleBinding", rolebinding),
	H("rbac.authorization.k8s.io", "ClusterRoleBinding", clusterrolebinding),
	H("storage.k8s.io", "StorageClass", storageclass),
	V("networking.k8s.io", "Ingress", ingress),
	V("networking.k8s.io", "IngressClass", ingressclass),
	H("networking.k8s.io", "NetworkPolicy", networkpolicy),
	V("policy", "PodDisruptionBudget", pdb),
	H("scheduling.k8s.io", "PriorityClass", priorityclass),
	V("coordination.k8s.io", "Lease", lease),
	H("discovery.k8s.io", "EndpointSlice", endpointslice),
	{ NULL, NULL, NULL, NULL },
};
