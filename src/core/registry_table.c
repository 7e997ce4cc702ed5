/*
 * Every kind libkube serves, as upstream's discovery documents list it
 * (api/discovery in the kubernetes repository, release 1.32): group, version, kind, resource
 * names, short names, categories, scope, verbs and subresources; its
 * OpenAPI definition and its table printer. Order is the lookup tie-break
 * within a group; groups are ranked by upstream's priorities in registry.c.
 */
#include <stddef.h>
#include "core/registry.h"
#include "core/printers/printers.h"

#define V_ALL KUBE_VERBS_ALL
/* namespaces have no deletecollection */
#define V_NS (KUBE_VERBS_ALL & ~KUBE_VERB_DELETECOLLECTION)

#define S_POD (KUBE_SUB_STATUS | KUBE_SUB_BINDING | KUBE_SUB_EVICTION | KUBE_SUB_LOG | \
	       KUBE_SUB_EXEC | KUBE_SUB_ATTACH | KUBE_SUB_PORTFORWARD | KUBE_SUB_PROXY | \
	       KUBE_SUB_EPHEMERAL)
#define S_SCALED (KUBE_SUB_STATUS | KUBE_SUB_SCALE)

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ALL NAMES("all")

/* One kind: printer and generation flag last; hooks are attached at init. */
#define KIND(g_, v_, k_, pl_, sg_, sn_, cat_, nsd_, verbs_, subs_, schema_, pr_, gen_) \
	{ .kind = { .group = g_, .version = v_, .kind = k_, .plural = pl_, .singular = sg_, \
		    .short_names = sn_, .categories = cat_, .namespaced = nsd_, .verbs = verbs_, \
		    .subresources = subs_, .schema = schema_, .spec_generation = gen_ }, \
	  .printer = &pr_ }

struct kube_kind_entry kube__registry_table[] = {
	/* core/v1 */
	KIND("", "v1", "ConfigMap", "configmaps", "configmap", NAMES("cm"), NULL, true, V_ALL, 0,
	     "io.k8s.api.core.v1.ConfigMap", kube__printer_configmap, false),
	KIND("", "v1", "Endpoints", "endpoints", "endpoints", NAMES("ep"), NULL, true, V_ALL, 0,
	     "io.k8s.api.core.v1.Endpoints", kube__printer_endpoints, false),
	KIND("", "v1", "Event", "events", "event", NAMES("ev"), NULL, true, V_ALL, 0,
	     "io.k8s.api.core.v1.Event", kube__printer_event, false),
	KIND("", "v1", "LimitRange", "limitranges", "limitrange", NAMES("limits"), NULL, true, V_ALL, 0,
	     "io.k8s.api.core.v1.LimitRange", kube__printer_default, false),
	KIND("", "v1", "Namespace", "namespaces", "namespace", NAMES("ns"), NULL, false, V_NS,
	     KUBE_SUB_STATUS, "io.k8s.api.core.v1.Namespace", kube__printer_namespace, false),
	KIND("", "v1", "Node", "nodes", "node", NAMES("no"), NULL, false, V_ALL,
	     KUBE_SUB_STATUS | KUBE_SUB_PROXY, "io.k8s.api.core.v1.Node", kube__printer_node, false),
	KIND("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim",
	     NAMES("pvc"), NULL, true, V_ALL, KUBE_SUB_STATUS,
	     "io.k8s.api.core.v1.PersistentVolumeClaim", kube__printer_pvc, false),
	KIND("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", NAMES("pv"), NULL,
	     false, V_ALL, KUBE_SUB_STATUS, "io.k8s.api.core.v1.PersistentVolume", kube__printer_pv, false),
	KIND("", "v1", "Pod", "pods", "pod", NAMES("po"), ALL, true, V_ALL, S_POD,
	     "io.k8s.api.core.v1.Pod", kube__printer_pod, false),
	KIND("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller",
	     NAMES("rc"), ALL, true, V_ALL, S_SCALED, "io.k8s.api.core.v1.ReplicationController",
	     kube__printer_rc, true),
	KIND("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", NAMES("quota"), NULL, true,
	     V_ALL, KUBE_SUB_STATUS, "io.k8s.api.core.v1.ResourceQuota", kube__printer_resourcequota, false),
	KIND("", "v1", "Secret", "secrets", "secret", NULL, NULL, true, V_ALL, 0,
	     "io.k8s.api.core.v1.Secret", kube__printer_secret, false),
	KIND("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", NAMES("sa"), NULL, true,
	     V_ALL, KUBE_SUB_TOKEN, "io.k8s.api.core.v1.ServiceAccount", kube__printer_serviceaccount, false),
	KIND("", "v1", "Service", "services", "service", NAMES("svc"), ALL, true, V_ALL,
	     KUBE_SUB_STATUS | KUBE_SUB_PROXY, "io.k8s.api.core.v1.Service", kube__printer_service, false),
	/* apps/v1 */
	KIND("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", NULL, NULL,
	     true, V_ALL, 0, "io.k8s.api.apps.v1.ControllerRevision", kube__printer_controllerrevision, false),
	KIND("apps", "v1", "DaemonSet", "daemonsets", "daemonset", NAMES("ds"), ALL, true, V_ALL,
	     KUBE_SUB_STATUS, "io.k8s.api.apps.v1.DaemonSet", kube__printer_daemonset, true),
	KIND("apps", "v1", "Deployment", "deployments", "deployment", NAMES("deploy"), ALL, true, V_ALL,
	     S_SCALED, "io.k8s.api.apps.v1.Deployment", kube__printer_deployment, true),
	KIND("apps", "v1", "ReplicaSet", "replicasets", "replicaset", NAMES("rs"), ALL, true, V_ALL,
	     S_SCALED, "io.k8s.api.apps.v1.ReplicaSet", kube__printer_replicaset, true),
	KIND("apps", "v1", "StatefulSet", "statefulsets", "statefulset", NAMES("sts"), ALL, true, V_ALL,
	     S_SCALED, "io.k8s.api.apps.v1.StatefulSet", kube__printer_statefulset, true),
	/* events.k8s.io/v1: the same Events as core/v1 under other field names */
	KIND("events.k8s.io", "v1", "Event", "events", "event", NAMES("ev"), NULL, true, V_ALL, 0,
	     "io.k8s.api.events.v1.Event", kube__printer_event_v1, false),
	/* batch/v1 */
	KIND("batch", "v1", "CronJob", "cronjobs", "cronjob", NAMES("cj"), ALL, true, V_ALL,
	     KUBE_SUB_STATUS, "io.k8s.api.batch.v1.CronJob", kube__printer_cronjob, true),
	KIND("batch", "v1", "Job", "jobs", "job", NULL, ALL, true, V_ALL, KUBE_SUB_STATUS,
	     "io.k8s.api.batch.v1.Job", kube__printer_job, true),
	/* networking.k8s.io/v1 */
	KIND("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", NULL, NULL,
	     false, V_ALL, 0, "io.k8s.api.networking.v1.IngressClass", kube__printer_ingressclass, true),
	KIND("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", NAMES("ing"), NULL, true,
	     V_ALL, KUBE_SUB_STATUS, "io.k8s.api.networking.v1.Ingress", kube__printer_ingress, true),
	KIND("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy",
	     NAMES("netpol"), NULL, true, V_ALL, 0, "io.k8s.api.networking.v1.NetworkPolicy",
	     kube__printer_networkpolicy, true),
	/* policy/v1 */
	KIND("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget",
	     NAMES("pdb"), NULL, true, V_ALL, KUBE_SUB_STATUS, "io.k8s.api.policy.v1.PodDisruptionBudget",
	     kube__printer_pdb, true),
	/* rbac.authorization.k8s.io/v1 */
	KIND("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
	     "clusterrolebinding", NULL, NULL, false, V_ALL, 0, "io.k8s.api.rbac.v1.ClusterRoleBinding",
	     kube__printer_clusterrolebinding, false),
	KIND("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", NULL, NULL,
	     false, V_ALL, 0, "io.k8s.api.rbac.v1.ClusterRole", kube__printer_default, false),
	KIND("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", NULL, NULL,
	     true, V_ALL, 0, "io.k8s.api.rbac.v1.RoleBinding", kube__printer_rolebinding, false),
	KIND("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", NULL, NULL, true, V_ALL, 0,
	     "io.k8s.api.rbac.v1.Role", kube__printer_default, false),
	/* storage.k8s.io/v1 */
	KIND("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", NAMES("sc"), NULL,
	     false, V_ALL, 0, "io.k8s.api.storage.v1.StorageClass", kube__printer_storageclass, false),
	/* scheduling.k8s.io/v1 */
	KIND("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", NAMES("pc"),
	     NULL, false, V_ALL, 0, "io.k8s.api.scheduling.v1.PriorityClass", kube__printer_priorityclass, false),
	/* coordination.k8s.io/v1 */
	KIND("coordination.k8s.io", "v1", "Lease", "leases", "lease", NULL, NULL, true, V_ALL, 0,
	     "io.k8s.api.coordination.v1.Lease", kube__printer_lease, false),
	/* discovery.k8s.io/v1 */
	KIND("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", NULL, NULL,
	     true, V_ALL, 0, "io.k8s.api.discovery.v1.EndpointSlice", kube__printer_endpointslice, true),
};

const int kube__registry_table_len = (int)(sizeof(kube__registry_table) / sizeof(kube__registry_table[0]));
