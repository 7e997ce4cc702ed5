/*
 * Namespace (finalizers, phase, the kubernetes.io/metadata.name label) and
 * Node (allocatable from capacity, taints, pod CIDRs).
 */
#include <string.h>
#include "core/kinds/kinds.h"

void kube__namespace_defaults(json_t *obj)
{
	json_t *meta = kube__jensure_obj(obj, "metadata"), *spec, *status;
	const char *name = kinds_str(meta, "name");

	if (*name)
		json_object_set_new(kube__jensure_obj(meta, "labels"), "kubernetes.io/metadata.name",
				    json_string(name));
	spec = kube__jensure_obj(obj, "spec");
	if (!json_object_get(spec, "finalizers"))
		json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
	status = kube__jensure_obj(obj, "status");
	kube__jdefault_str(status, "phase", "Active");
}

void kube__namespace_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const standard[] = { "kubernetes", "orphan", "foregroundDeletion", NULL };
	char p[KUBE_PATH_MAX];
	size_t i;
	json_t *f;

	json_array_foreach(kube__jarr(kube__jobj(obj, "spec"), "finalizers"), i, f) {
		const char *s = json_string_value(f) ? json_string_value(f) : "";
		bool known = false;

		kube__path_child(p, "spec", "finalizers");
		kube__check_fmt(causes, p, s, kube__fmt_qualified_name);
		for (int k = 0; standard[k]; k++)
			known |= !strcmp(standard[k], s);
		if (!strchr(s, '/') && !known)
			kube__err_invalid_str(causes, p, s, "name is neither a standard finalizer name "
					      "nor is it fully qualified");
	}
}

void kube__node_defaults(json_t *obj)
{
	json_t *status = kube__jobj(obj, "status"), *cap = kube__jobj(status, "capacity");

	if (cap && !json_object_get(status, "allocatable"))
		json_object_set_new(status, "allocatable", json_deep_copy(cap));
}

static void validate_taint(const json_t *t, const char *base, json_t *causes)
{
	static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute", NULL };
	const char *effect = kinds_str(t, "effect"), *key = kinds_str(t, "key");
	char p[KUBE_PATH_MAX];

	kube__check_fmt(causes, kube__path_child(p, base, "key"), key, kube__fmt_qualified_name);
	kube__check_fmt(causes, kube__path_child(p, base, "value"), kinds_str(t, "value"),
			kube__fmt_label_value);
	kube__path_child(p, base, "effect");
	if (!*effect)
		kube__err_required(causes, p, NULL);
	else if (strcmp(effect, "NoSchedule") && strcmp(effect, "PreferNoSchedule") &&
		 strcmp(effect, "NoExecute"))
		kube__err_unsupported(causes, p, effect, effects);
}

void kube__node_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	char p[KUBE_PATH_MAX];
	unsigned char addr[16];
	int prefix;
	size_t i;
	json_t *v;

	json_array_foreach(kube__jarr(spec, "taints"), i, v)
		validate_taint(v, kube__path_index(p, "spec.taints", i), causes);
	json_array_foreach(kube__jarr(spec, "podCIDRs"), i, v) {
		const char *cidr = json_string_value(v) ? json_string_value(v) : "";

		if (!kube__cidr_parse(cidr, addr, &prefix))
			kube__err_invalid_str(causes, kube__path_index(p, "spec.podCIDRs", i), cidr,
					      "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
	}
}
