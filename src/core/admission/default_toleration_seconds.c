/*
 * DefaultTolerationSeconds, as upstream's plugin: every pod tolerates the
 * node.kubernetes.io/not-ready and node.kubernetes.io/unreachable NoExecute
 * taints for 300 seconds unless it already tolerates them, so the node
 * lifecycle controller evicts pods from a failed node after five minutes.
 */
#include <string.h>
#include "core/admission/plugin_util.h"

#define DEFAULT_TOLERATION_SECONDS 300

/* An empty key tolerates every taint; an empty effect every effect. */
static bool tolerates(const json_t *tolerations, const char *key)
{
	size_t i;
	json_t *t;

	json_array_foreach(tolerations, i, t) {
		const char *k = json_string_value(json_object_get(t, "key"));
		const char *e = json_string_value(json_object_get(t, "effect"));

		if ((!k || !*k || !strcmp(k, key)) && (!e || !*e || !strcmp(e, "NoExecute")))
			return true;
	}
	return false;
}

static void add_toleration(json_t *spec, const char *key)
{
	json_t *list = json_object_get(spec, "tolerations");

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(spec, "tolerations", list);
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "key", key, "operator",
					      "Exists", "effect", "NoExecute", "tolerationSeconds",
					      (json_int_t)DEFAULT_TOLERATION_SECONDS));
}

static int dts_mutate(struct kube_admission *a, json_t **st)
{
	static const char *const keys[] = { "node.kubernetes.io/not-ready",
					    "node.kubernetes.io/unreachable", NULL };
	json_t *spec = json_object_get(a->obj, "spec");
	bool missing[2];

	(void)st;
	if (!kube__admit_is(a, "Pod") || !json_is_object(spec))
		return 0;
	/* decide both before adding either, as upstream does */
	for (int i = 0; keys[i]; i++)
		missing[i] = !tolerates(json_object_get(spec, "tolerations"), keys[i]);
	for (int i = 0; keys[i]; i++)
		if (missing[i])
			add_toleration(spec, keys[i]);
	return 0;
}

const struct kube_admission_plugin kube__admission_default_toleration_seconds = {
	.name = "DefaultTolerationSeconds",
	.mutate = dts_mutate,
};
