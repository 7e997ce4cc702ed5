/*
 * The one table attaching kind-specific defaulting and validation to the
 * registry (see registry.h). One line per kind that has either.
 */
#include <stddef.h>
#include "core/registry.h"

const struct kube_kind_hooks kube__kind_hooks[] = {
	{ NULL, NULL, NULL, NULL },
};
