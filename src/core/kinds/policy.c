/*
 * policy/v1 PodDisruptionBudget and scheduling.k8s.io/v1 PriorityClass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/status.h"

#define HIGHEST_USER_PRIORITY 1000000000LL

static void pdb_value(const json_t *spec, const char *key, json_t *causes)
{
	json_t *v = json_object_get(spec, key);
	char p[KUBE_PATH_MAX], text[64];
	const char *msgs[KUBE_MSGS_MAX];

	if (!v || json_is_null(v))
		return;
	kube__path_child(p, "spec", key);
	kube__intstr_text(v, text, sizeof(text));
	if (json_is_string(v) && kube__fmt_percent(text, msgs))
		kube__err_invalid_raw(causes, p, text, msgs[0]);
	else if (json_is_integer(v) && json_integer_value(v) < 0)
		kube__err_invalid_raw(causes, p, text, "must be greater than or equal to 0");
	if (json_is_string(v) && atoll(text) > 100 && text[strlen(text) - 1] == '%')
		kube__err_invalid_raw(causes, p, text, "must not be greater than 100%");
}

void kube__pdb_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const policies[] = { "AlwaysAllow", "IfHealthyBudget", NULL };
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *uhp = json_object_get(spec, "unhealthyPodEvictionPolicy");

	if (json_object_get(spec, "minAvailable") && json_object_get(spec, "maxUnavailable"))
		/* upstream prints the Go struct; the JSON form carries the same fields */
		kube__cause_invalid(causes, "spec", spec, "minAvailable and maxUnavailable cannot be both set");
	pdb_value(spec, "minAvailable", causes);
	pdb_value(spec, "maxUnavailable", causes);
	kube__validate_label_selector(causes, kube__jobj(spec, "selector"), "spec.selector");
	if (json_is_string(uhp) && strcmp(json_string_value(uhp), "AlwaysAllow") &&
	    strcmp(json_string_value(uhp), "IfHealthyBudget"))
		kube__err_unsupported(causes, "spec.unhealthyPodEvictionPolicy", json_string_value(uhp),
				      policies);
}

void kube__priorityclass_defaults(json_t *obj)
{
	kube__jdefault_str(obj, "preemptionPolicy", "PreemptLowerPriority");
}

/* IsKnownSystemPriorityClass: NULL when known and consistent, else the error. */
static const char *system_class_error(const json_t *obj, char *buf, size_t len)
{
	const char *name = kinds_str(kube__jobj(obj, "metadata"), "name");
	json_int_t value = json_integer_value(json_object_get(obj, "value"));
	long long want;

	if (!strcmp(name, "system-node-critical"))
		want = 2000001000;
	else if (!strcmp(name, "system-cluster-critical"))
		want = 2000000000;
	else {
		snprintf(buf, len, "%s is not a known system priority class", name);
		return buf;
	}
	if (value != want) {
		snprintf(buf, len, "value of %s PriorityClass must be %lld", name, want);
		return buf;
	}
	if (json_is_true(json_object_get(obj, "globalDefault"))) {
		snprintf(buf, len, "globalDefault of %s PriorityClass must be false", name);
		return buf;
	}
	return NULL;
}

void kube__priorityclass_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const policies[] = { "Never", "PreemptLowerPriority", NULL };
	const char *name = kinds_str(kube__jobj(obj, "metadata"), "name"), *err;
	const char *pp = kinds_str(obj, "preemptionPolicy");
	char buf[200], msg[300];

	if (!strncmp(name, "system-", 7)) {
		if ((err = system_class_error(obj, buf, sizeof(buf)))) {
			snprintf(msg, sizeof(msg), "priority class names with 'system-' prefix are "
				 "reserved for system use only. error: %s", err);
			kube__err_forbidden(causes, "metadata.name", msg);
		}
	} else if (json_integer_value(json_object_get(obj, "value")) > HIGHEST_USER_PRIORITY) {
		kube__err_forbidden(causes, "value",
				    "maximum allowed value of a user defined priority is 1000000000");
	}
	if (json_object_get(obj, "preemptionPolicy")) {
		if (!*pp)
			kube__err_required(causes, "preemptionPolicy", NULL);
		else if (strcmp(pp, "Never") && strcmp(pp, "PreemptLowerPriority"))
			kube__err_unsupported(causes, "preemptionPolicy", pp, policies);
	}
	if (!old)
		return;
	if (kube__changed(json_object_get(obj, "value"), json_object_get(old, "value")))
		kube__err_forbidden(causes, "value", "may not be changed in an update.");
	if (strcmp(pp, kinds_str(old, "preemptionPolicy")))
		kube__err_invalid_str(causes, "preemptionPolicy", pp, "field is immutable");
}
