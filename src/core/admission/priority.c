/*
 * Priority, as upstream's plugin: a pod's spec.priorityClassName resolves to
 * spec.priority and spec.preemptionPolicy from the PriorityClass (the
 * globalDefault class, or priority 0 and PreemptLowerPriority, when it names
 * none); an unknown class is refused. For PriorityClasses it keeps a single
 * globalDefault.
 */
#include <stdlib.h>
#include <string.h>
#include "core/admission/plugin_util.h"
#include "core/admission/priority.h"
#include "core/ops.h"

static const struct kube_kind *pc_kind(void)
{
	return kube__registry_by_gvk("scheduling.k8s.io/v1", "PriorityClass");
}

struct find_default {
	const json_t *best;
};

/* upstream's getDefaultPriorityClass: of several defaults, the lowest value. */
static int visit_default(const char *key, const json_t *pc, void *data)
{
	struct find_default *f = data;

	(void)key;
	if (!json_is_true(json_object_get(pc, "globalDefault")))
		return 0;
	if (!f->best || json_integer_value(json_object_get(pc, "value")) <
			json_integer_value(json_object_get(f->best, "value")))
		f->best = pc;
	return 0;
}

static const json_t *default_class(kube_cluster *c)
{
	struct find_default f = { NULL };
	char *prefix = kube__key_prefix(pc_kind(), NULL);

	if (prefix)
		store_list(c->store, prefix, visit_default, &f);
	free(prefix);
	return f.best;
}

/* Updates keep what admission set on create (validation forbids changes);
 * upstream keeps priority and preemptionPolicy, and the class name it set is
 * kept too for updates that replace the spec wholesale (kube_apply). */
static void keep_old(struct kube_admission *a, json_t *spec)
{
	const json_t *old = json_object_get(a->old, "spec");
	static const char *const fields[] = { "priority", "preemptionPolicy", "priorityClassName", NULL };

	for (int i = 0; fields[i]; i++)
		if (!json_object_get(spec, fields[i]) && json_object_get(old, fields[i]))
			json_object_set(spec, fields[i], json_object_get(old, fields[i]));
}

static int set_priority(struct kube_admission *a, json_t *spec, json_int_t prio,
			const char *policy, json_t **st)
{
	json_t *given = json_object_get(spec, "priority");
	const char *gp = json_string_value(json_object_get(spec, "preemptionPolicy"));

	if (given && json_integer_value(given) != prio)
		return kube__admit_forbidden(a, st, "the integer value of priority (%lld) must not be "
					     "provided in pod spec; priority admission controller "
					     "computed %lld from the given PriorityClass name",
					     (long long)json_integer_value(given), (long long)prio);
	json_object_set_new(spec, "priority", json_integer(prio));
	if (!policy)
		return 0;
	if (gp && strcmp(gp, policy))
		return kube__admit_forbidden(a, st, "the string value of PreemptionPolicy (%s) must "
					     "not be provided in pod spec; priority admission "
					     "controller computed %s from the given PriorityClass name",
					     gp, policy);
	json_object_set_new(spec, "preemptionPolicy", json_string(policy));
	return 0;
}

static int admit_pod(struct kube_admission *a, json_t **st)
{
	json_t *spec = json_object_get(a->obj, "spec");
	const char *name = json_string_value(json_object_get(spec, "priorityClassName"));
	const json_t *pc;

	if (!json_is_object(spec))
		return 0;
	if (a->op == KUBE_ADMIT_UPDATE) {
		keep_old(a, spec);
		return 0;
	}
	if (!name || !*name) {
		pc = default_class(a->c);
		if (!pc)
			return set_priority(a, spec, 0, "PreemptLowerPriority", st);
		json_object_set(spec, "priorityClassName", json_object_get(json_object_get(pc, "metadata"), "name"));
	} else {
		pc = kube__op_get(a->c, pc_kind(), NULL, name, NULL);
		if (!pc)
			return kube__admit_forbidden(a, st, "no PriorityClass with name %s was found",
						     name);
	}
	return set_priority(a, spec, json_integer_value(json_object_get(pc, "value")),
			    json_string_value(json_object_get(pc, "preemptionPolicy")), st);
}

static int priority_mutate(struct kube_admission *a, json_t **st)
{
	return kube__admit_is(a, "Pod") ? admit_pod(a, st) : 0;
}

static int priority_validate(struct kube_admission *a, json_t **st)
{
	const json_t *dpc;
	const char *name;

	if (a->status || a->k != pc_kind() || !json_is_true(json_object_get(a->obj, "globalDefault")))
		return 0;
	dpc = default_class(a->c);
	if (!dpc)
		return 0;
	name = kube__meta_str(dpc, "name");
	if (a->op == KUBE_ADMIT_CREATE || strcmp(name, kube__meta_str(a->obj, "name")))
		return kube__admit_forbidden(a, st, "PriorityClass %s is already marked as default. "
					     "Only one default can exist", name);
	return 0;
}

const struct kube_admission_plugin kube__admission_priority = {
	.name = "Priority",
	.mutate = priority_mutate,
	.validate = priority_validate,
};

/* ---- built-in classes ---------------------------------------------------- */

static const struct {
	const char *name;
	json_int_t value;
	const char *description;
} system_classes[] = {
	{ "system-node-critical", 2000001000,
	  "Used for system critical pods that must not be moved from their current node." },
	{ "system-cluster-critical", 2000000000,
	  "Used for system critical pods that must run in the cluster, but can be moved to "
	  "another node if necessary." },
};

static void created(int err, const json_t *obj, const json_t *st, void *data)
{
	int *first = data;

	(void)obj, (void)st;
	if (err && err != KUBE_EEXIST && !*first)
		*first = err;
}

int kube__priority_bootstrap(kube_cluster *c)
{
	const struct kube_kind *k = pc_kind();
	int err = 0;

	for (size_t i = 0; i < sizeof(system_classes) / sizeof(system_classes[0]); i++) {
		if (kube__op_get(c, k, NULL, system_classes[i].name, NULL))
			continue;
		kube__op_create(c, k, NULL,
				json_pack("{s:s, s:s, s:{s:s}, s:I, s:s}", "apiVersion",
					  "scheduling.k8s.io/v1", "kind", "PriorityClass", "metadata",
					  "name", system_classes[i].name, "value",
					  system_classes[i].value, "description",
					  system_classes[i].description),
				NULL, created, &err);
	}
	if (store_flush(c->store) < 0 && !err)
		err = KUBE_EIO;
	return err;
}
