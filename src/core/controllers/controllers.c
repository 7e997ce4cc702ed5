/*
 * The built-in controllers, started in this order after the store loads.
 * Adding a controller is adding its file and one line here.
 */
#include <stddef.h>
#include "core/cluster_internal.h"

extern const struct kube_controller_ops kube__gc_controller;
extern const struct kube_controller_ops kube__namespace_controller;
extern const struct kube_controller_ops kube__rbac_controller;
extern const struct kube_controller_ops kube__clusterrole_aggregation_controller;
extern const struct kube_controller_ops kube__serviceaccounts_controller;
extern const struct kube_controller_ops kube__scheduler_controller;
extern const struct kube_controller_ops kube__nodelifecycle_controller;
extern const struct kube_controller_ops kube__tainteviction_controller;
extern const struct kube_controller_ops kube__disruption_controller;
extern const struct kube_controller_ops kube__nodes_controller;
extern const struct kube_controller_ops kube__statefulset_controller;
extern const struct kube_controller_ops kube__daemonset_controller;
extern const struct kube_controller_ops kube__endpoints_controller;
extern const struct kube_controller_ops kube__endpointslice_controller;
extern const struct kube_controller_ops kube__resourcequota_controller;
extern const struct kube_controller_ops kube__replicaset_controller;
extern const struct kube_controller_ops kube__deployment_controller;
extern const struct kube_controller_ops kube__replicationcontroller_controller;
extern const struct kube_controller_ops kube__job_controller;
extern const struct kube_controller_ops kube__job_ttl_controller;
extern const struct kube_controller_ops kube__cronjob_controller;

const struct kube_controller_ops *const kube__controllers[] = {
	&kube__gc_controller,
	&kube__namespace_controller,
	&kube__rbac_controller,
	&kube__clusterrole_aggregation_controller,
	&kube__serviceaccounts_controller,
	&kube__scheduler_controller,
	&kube__nodelifecycle_controller,
	&kube__tainteviction_controller,
	&kube__disruption_controller,
	&kube__nodes_controller,
	&kube__statefulset_controller,
	&kube__daemonset_controller,
	&kube__endpoints_controller,
	&kube__endpointslice_controller,
	&kube__resourcequota_controller,
	&kube__deployment_controller,
	&kube__replicaset_controller,
	&kube__replicationcontroller_controller,
	&kube__job_controller,
	&kube__job_ttl_controller,
	&kube__cronjob_controller,
	NULL,
};
