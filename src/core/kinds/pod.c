/*
 * Pod and PodTemplate: SetDefaults_Pod on top of the pod spec defaults, the
 * create-time status (phase Pending, qosClass), ValidatePod and the update
 * rule that only images, activeDeadlineSeconds, tolerations (additions) and
 * terminationGracePeriodSeconds may change.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/kinds/kinds.h"

/* Requests default to limits, per resource, for Pods only (not templates). */
static void limits_to_requests(json_t *containers)
{
	size_t i;
	json_t *c, *limits, *requests, *q;
	const char *name;

	json_array_foreach(containers, i, c) {
		limits = kube__jobj(kube__jobj(c, "resources"), "limits");
		if (!limits)
			continue;
		requests = kube__jensure_obj(kube__jobj(c, "resources"), "requests");
		json_object_foreach(limits, name, q)
			if (!json_object_get(requests, name))
				json_object_set(requests, name, q);
	}
}

/* qos.GetPodQOS for the regular and init containers' cpu and memory. */
static const char *qos_class(const json_t *spec)
{
	static const char *const lists[] = { "containers", "initContainers", NULL };
	static const char *const res[] = { "cpu", "memory", NULL };
	bool any = false, guaranteed = true;
	size_t i;
	json_t *c;

	for (int l = 0; lists[l]; l++) {
		json_array_foreach(kube__jarr(spec, lists[l]), i, c) {
			json_t *r = kube__jobj(c, "resources");
			json_t *lim = kube__jobj(r, "limits"), *req = kube__jobj(r, "requests");

			for (int k = 0; res[k]; k++) {
				json_t *lq = json_object_get(lim, res[k]), *rq = json_object_get(req, res[k]);

				if (lq || rq)
					any = true;
				if (!lq || (rq && kube__quantity_json_cmp(lq, rq) != 0))
					guaranteed = false;
			}
		}
	}
	if (!any)
		return "BestEffort";
	return guaranteed ? "Guaranteed" : "Burstable";
}

void kube__pod_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *status;

	if (!spec)
		return;
	kube__podspec_defaults(spec);
	limits_to_requests(kube__jarr(spec, "containers"));
	limits_to_requests(kube__jarr(spec, "initContainers"));
	kube__jdefault(spec, "enableServiceLinks", json_true());
	status = kube__jensure_obj(obj, "status");
	if (!*kinds_str(status, "phase")) {
		kube__jdefault_str(status, "phase", "Pending");
		kube__jdefault_str(status, "qosClass", qos_class(spec));
	}
}

/* Tolerations may only grow: every old one must still be present. */
static bool tolerations_added_only(const json_t *old, const json_t *cur)
{
	size_t i, j;
	json_t *o, *c;

	json_array_foreach(old, i, o) {
		bool found = false;

		json_array_foreach(cur, j, c)
			if (json_equal(o, c))
				found = true;
		if (!found)
			return false;
	}
	return true;
}

/* A copy of @p spec with the updatable fields taken from @p from. */
static json_t *munge(const json_t *spec, const json_t *from)
{
	static const char *const lists[] = { "containers", "initContainers", NULL };
	json_t *m = json_deep_copy(spec), *c;
	size_t i;

	for (int l = 0; m && lists[l]; l++)
		json_array_foreach(kube__jarr(m, lists[l]), i, c) {
			json_t *img = json_object_get(json_array_get(kube__jarr(from, lists[l]), i), "image");

			if (img)
				json_object_set(c, "image", img);
			else
				json_object_del(c, "image");
		}
	static const char *const scalars[] = {
		"activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", NULL,
	};
	for (int k = 0; m && scalars[k]; k++) {
		json_t *v = json_object_get(from, scalars[k]);

		if (v)
			json_object_set(m, scalars[k], v);
		else
			json_object_del(m, scalars[k]);
	}
	return m;
}

static void pod_update(const json_t *spec, const json_t *old_spec, json_t *causes)
{
	json_t *m;

	if (!tolerations_added_only(kube__jarr(old_spec, "tolerations"), kube__jarr(spec, "tolerations")))
		kube__err_forbidden(causes, "spec.tolerations", "existing toleration can not be modified "
				    "except its tolerationSeconds");
	m = munge(old_spec, spec);
	if (m && !json_equal(m, spec))
		kube__err_forbidden(causes, "spec", "pod updates may not change fields other than "
				    "`spec.containers[*].image`,`spec.initContainers[*].image`,"
				    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
				    "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
				    "to be set to 1 if it was previously negative)");
	json_decref(m);
}

static void image_whitespace(const json_t *list, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	size_t i, n;
	json_t *c;

	json_array_foreach(list, i, c) {
		const char *img = kinds_str(c, "image");

		n = strlen(img);
		if (n && (img[0] == ' ' || img[0] == '\t' || img[n - 1] == ' ' || img[n - 1] == '\t')) {
			snprintf(p, sizeof(p), "%s[%zu].image", base, i);
			kube__err_invalid_str(causes, p, img, "must not have leading or trailing whitespace");
		}
	}
}

void kube__pod_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");

	kube__podspec_validate(spec, "spec", causes);
	image_whitespace(kube__jarr(spec, "containers"), "spec.containers", causes);
	image_whitespace(kube__jarr(spec, "initContainers"), "spec.initContainers", causes);
	if (old)
		pod_update(spec, kube__jobj(old, "spec"), causes);
}
