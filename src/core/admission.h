/*
 * Admission plugins, run by the admission path (ops_write.c) on every create
 * and update, as kube-apiserver runs its admission chain: after defaulting,
 * the mutating plugins may change the object (ServiceAccount, LimitRanger,
 * DefaultTolerationSeconds, Priority); after validation, the validating
 * plugins may reject it (ResourceQuota). Adding a plugin is adding its file
 * and one line in admission.c.
 */
#ifndef KUBE_CORE_ADMISSION_H
#define KUBE_CORE_ADMISSION_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"

enum kube_admission_op { KUBE_ADMIT_CREATE = 1, KUBE_ADMIT_UPDATE };

/* What a plugin sees. */
struct kube_admission {
	kube_cluster *c;        /* the cluster asking */
	const struct kube_kind *k; /* the object's kind */
	enum kube_admission_op op; /* create, update or delete */
	json_t *obj;            /* the object to be stored (mutable in mutate) */
	const json_t *old;      /* the stored object on update, else NULL */
	bool status;            /* a status subresource write */
	bool dry_run;           /* nothing is stored: do not record usage */
};

struct kube_admission_plugin {
	const char *name;       /* upstream's plugin name, "ResourceQuota" */
	/* May change a->obj. 0, or a negative code with a Status in *st. */
	int (*mutate)(struct kube_admission *a, json_t **st);
	/* May reject. 0, or a negative code with a Status in *st. */
	int (*validate)(struct kube_admission *a, json_t **st);
};

/* NULL-terminated, in upstream's order (admission.c). */
extern const struct kube_admission_plugin *const kube__admission_plugins[];

/* Run every plugin's mutate (then validate) in order; the first error wins. */
int kube__admit_mutate(struct kube_admission *a, json_t **st);
int kube__admit_validate(struct kube_admission *a, json_t **st);

#endif
