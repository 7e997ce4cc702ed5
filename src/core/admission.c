/*
 * The admission chain (admission.h). Plugins are listed in upstream's order.
 */
#include <stddef.h>
#include "core/admission.h"

extern const struct kube_admission_plugin kube__admission_limit_ranger;
extern const struct kube_admission_plugin kube__admission_service_account;
extern const struct kube_admission_plugin kube__admission_priority;
extern const struct kube_admission_plugin kube__admission_default_toleration_seconds;
extern const struct kube_admission_plugin kube__admission_resource_quota;
extern const struct kube_admission_plugin kube__admission_service_allocation;

/* upstream's RecommendedPluginOrder, restricted to the plugins built here */
const struct kube_admission_plugin *const kube__admission_plugins[] = {
	/* not an upstream plugin: the allocation upstream's Service storage does */
	&kube__admission_service_allocation,
	&kube__admission_limit_ranger,
	&kube__admission_service_account,
	&kube__admission_priority,
	&kube__admission_default_toleration_seconds,
	&kube__admission_resource_quota,
	NULL,
};

int kube__admit_mutate(struct kube_admission *a, json_t **st)
{
	for (int i = 0; kube__admission_plugins[i]; i++) {
		const struct kube_admission_plugin *p = kube__admission_plugins[i];
		int err = p->mutate ? p->mutate(a, st) : 0;

		if (err)
			return err;
	}
	return 0;
}

int kube__admit_validate(struct kube_admission *a, json_t **st)
{
	for (int i = 0; kube__admission_plugins[i]; i++) {
		const struct kube_admission_plugin *p = kube__admission_plugins[i];
		int err = p->validate ? p->validate(a, st) : 0;

		if (err)
			return err;
	}
	return 0;
}
