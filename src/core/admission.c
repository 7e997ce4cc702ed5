/*
 * The admission chain (admission.h). Plugins are listed in upstream's order.
 */
#include <stddef.h>
#include "core/admission.h"

const struct kube_admission_plugin *const kube__admission_plugins[] = {
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
