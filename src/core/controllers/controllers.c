/*
 * The built-in controllers, started in this order after the store loads.
 * Adding a controller is adding its file and one line here.
 */
#include <stddef.h>
#include "core/cluster_internal.h"

extern const struct kube_controller_ops kube__gc_controller;
extern const struct kube_controller_ops kube__namespace_controller;
extern const struct kube_controller_ops kube__replicaset_controller;
extern const struct kube_controller_ops kube__deployment_controller;
extern const struct kube_controller_ops kube__replicationcontroller_controller;

const struct kube_controller_ops *const kube__controllers[] = {
	&kube__gc_controller,
	&kube__namespace_controller,
	&kube__deployment_controller,
	&kube__replicaset_controller,
	&kube__replicationcontroller_controller,
	NULL,
};
