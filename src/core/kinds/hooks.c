/*
 * The one table attaching kind-specific defaulting and validation to the
 * registry (see registry.h). One line per kind that has either.
 */
#include <stddef.h>
#include "core/registry.h"
#include "core/kinds/kinds.h"

const struct kube_kind_hooks kube__kind_hooks[] = {
	{ "", "Pod", kube__pod_defaults, kube__pod_validate },
	{ "", "PodTemplate", kube__podtemplate_defaults, kube__podtemplate_validate },
	{ NULL, NULL, NULL, NULL },
};
