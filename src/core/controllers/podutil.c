/*
 * Shared controller helpers (podutil.h).
 */
#include <string.h>
#include "core/cluster_internal.h"
#include "core/controllers/podutil.h"

const json_t *kube__condition(const json_t *obj, const char *type)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && !strcmp(t, type))
			return c;
	}
	return NULL;
}

bool kube__pod_ready(const json_t *pod)
{
	const char *s = json_string_value(json_object_get(kube__condition(pod, "Ready"), "status"));

	return s && !strcmp(s, "True");
}

bool kube__pod_available(const json_t *pod, int64_t min_ready_seconds, int64_t now_ms)
{
	const json_t *ready = kube__condition(pod, "Ready");
	int64_t since;

	if (!kube__pod_ready(pod))
		return false;
	if (min_ready_seconds <= 0)
		return true;
	since = kube__parse_rfc3339(json_string_value(json_object_get(ready, "lastTransitionTime")));
	return since >= 0 && since + min_ready_seconds * 1000 <= now_ms;
}

bool kube__pod_active(const json_t *pod)
{
	const char *phase = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	if (json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
		return false;
	return !phase || (strcmp(phase, "Succeeded") && strcmp(phase, "Failed"));
}

const json_t *kube__controller_ref(const json_t *obj)
{
	json_t *ref;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i, ref)
		if (json_is_true(json_object_get(ref, "controller")))
			return ref;
	return NULL;
}

bool kube__controlled_by(const json_t *obj, const char *uid)
{
	const char *u = json_string_value(json_object_get(kube__controller_ref(obj), "uid"));

	return u && uid && !strcmp(u, uid);
}

json_t *kube__new_controller_ref(const json_t *owner)
{
	const json_t *m = json_object_get(owner, "metadata");

	return json_pack("{s:O, s:O, s:O, s:O, s:b, s:b}", "apiVersion",
			 json_object_get(owner, "apiVersion"), "kind", json_object_get(owner, "kind"),
			 "name", json_object_get(m, "name"), "uid", json_object_get(m, "uid"),
			 "controller", 1, "blockOwnerDeletion", 1);
}
