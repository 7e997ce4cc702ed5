/*
 * The model both discovery formats are written from (discovery.c): which
 * groups and versions are served, in upstream's order, and each group
 * version's resources as kube-apiserver's installer lists them, i.e. the
 * APIResource entries of a legacy APIResourceList, subresources as
 * "res/sub" entries, sorted by name.
 */
#ifndef KUBE_CORE_API_DISCOVERY_INT_H
#define KUBE_CORE_API_DISCOVERY_INT_H

#include <stdbool.h>
#include "core/registry.h"

#define KUBE_DISC_MAX_GROUPS 32
#define KUBE_DISC_MAX_VERSIONS 8

/* One APIResource: a resource, or a subresource named "res/sub". */
struct kube_disc_res {
	char name[96];           /* "pods", "pods/log" */
	const char *singular;    /* "pod"; "" for a subresource, as upstream */
	const char *group;       /* set only when the kind is another group version's */
	const char *version;     /*   ("policy" "v1" for pods/eviction); else NULL */
	char kind[64];           /* "Pod", "PodExecOptions", "Scale" */
	bool namespaced;         /* a subresource's is its parent's */
	unsigned verbs;          /* enum kube_verb bits */
	const char *const *short_names; /* NULL-terminated or NULL */
	const char *const *categories;  /* NULL-terminated or NULL */
	char storage_hash[16];   /* storageVersionHash of a stored resource, else "" */
};

/*
 * The served API groups in upstream's priority order (the aggregator's
 * group priorities, then name); the core group "" is not among them.
 * Fills @p out (KUBE_DISC_MAX_GROUPS entries) and returns the count.
 */
int kube__disc_groups(const char **out);

/*
 * The served versions of @p group ("" for core), most preferred first
 * (kube-aware order: v2 before v1 before v1beta1). Fills @p out
 * (KUBE_DISC_MAX_VERSIONS entries) and returns the count, 0 when the group
 * is not served.
 */
int kube__disc_versions(const char *group, const char **out);

/*
 * The APIResource entries of @p group / @p version sorted by name, in a
 * malloc'd array the caller free()s, with their number in *n. NULL with
 * *n = 0 when the group version serves nothing (or on allocation failure,
 * *n = -1).
 */
struct kube_disc_res *kube__disc_resources(const char *group, const char *version, int *n);

/* The verb names of a verbs mask, in the sorted order discovery lists them. */
json_t *kube__disc_verbs(unsigned verbs);

/* Set @p key of @p obj to the NULL-terminated @p list as a JSON array,
 * unless the list is NULL or empty (omitempty). 0, or -1 on allocation
 * failure. */
int kube__disc_set_strings(json_t *obj, const char *key, const char *const *list);

#endif
