/*
 * apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet and core/v1
 * ReplicationController: pkg/apis/apps/v1/defaults.go, SetDefaults_
 * ReplicationController, and pkg/apis/apps/validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"

/* ---- shared ------------------------------------------------------------- */

static void template_defaults(json_t *spec)
{
	kube__podspec_defaults(kube__jobj(kube__jobj(spec, "template"), "spec"));
}

/* Selector required, valid, non-empty ("empty selector is invalid for <what>"). */
static void selector_rules(const json_t *spec, const char *what, json_t *causes)
{
	json_t *sel = kube__jobj(spec, "selector");
	char msg[64], *raw;

	if (!sel) {
		kube__err_required(causes, "spec.selector", NULL);
		return;
	}
	kube__validate_label_selector(causes, sel, "spec.selector");
	if (kube__selector_empty(sel) && (raw = kube__go_label_selector(sel))) {
		snprintf(msg, sizeof(msg), "empty selector is invalid for %s", what);
		kube__err_invalid_raw(causes, "spec.selector", raw, msg);
		free(raw);
	}
}

static void labels_mismatch(const json_t *labels, json_t *causes)
{
	char *raw = kube__go_string_map(labels);

	if (raw)
		kube__err_invalid_raw(causes, "spec.template.metadata.labels", raw,
				      "`selector` does not match template `labels`");
	free(raw);
}

/* ValidatePodTemplateSpecForReplicaSet and friends: labels match, the pod
 * template is valid, restartPolicy Always, no activeDeadlineSeconds. */
static void template_rules(const json_t *spec, const char *kind, bool ads_forbidden,
			   json_t *causes)
{
	static const char *const always[] = { "Always", NULL };
	json_t *tmpl = kube__jobj(spec, "template"), *sel = kube__jobj(spec, "selector");
	json_t *labels = kube__jobj(kube__jobj(tmpl, "metadata"), "labels");
	const json_t *pspec = kube__jobj(tmpl, "spec");
	json_t *ads = json_object_get(pspec, "activeDeadlineSeconds");
	const char *rp = kinds_str(pspec, "restartPolicy");
	char msg[96];

	if (sel && !kube__selector_empty(sel) && !kube__selector_matches(sel, labels))
		labels_mismatch(labels, causes);
	kube__podtemplate_validate_spec(tmpl, "spec.template", causes);
	if (strcmp(rp, "Always"))
		kube__err_unsupported(causes, "spec.template.spec.restartPolicy", rp, always);
	if (json_is_integer(ads)) {
		snprintf(msg, sizeof(msg), "activeDeadlineSeconds in %s is not Supported", kind);
		if (ads_forbidden)
			kube__err_forbidden(causes, "spec.template.spec.activeDeadlineSeconds", msg);
		else
			kube__err_invalid_int(causes, "spec.template.spec.activeDeadlineSeconds",
					      json_integer_value(ads), msg);
	}
}

/* apps/v1 selectors are immutable. */
static void selector_immutable(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *sel = kube__jpath(obj, "spec.selector");
	char *raw;

	if (!old || !kube__changed(sel, kube__jpath(old, "spec.selector")))
		return;
	raw = sel ? kube__go_label_selector(sel) : strdup("null");
	if (raw)
		kube__err_invalid_raw(causes, "spec.selector", raw, "field is immutable");
	free(raw);
}

static int64_t intstr_value(const json_t *v, bool *is_percent)
{
	const char *s = json_string_value(v);

	*is_percent = s && *s && s[strlen(s) - 1] == '%';
	if (s)
		return atoll(s);
	return json_integer_value(v);
}

/* ValidatePositiveIntOrPercent. */
static void int_or_percent(const json_t *v, const char *path, json_t *causes)
{
	char text[64];
	const char *msgs[KUBE_MSGS_MAX];

	if (!v)
		return;
	kube__intstr_text(v, text, sizeof(text));
	if (json_is_string(v) && kube__fmt_percent(text, msgs))
		kube__err_invalid_raw(causes, path, text, msgs[0]);
	else if (json_is_integer(v) && json_integer_value(v) < 0)
		kube__err_invalid_raw(causes, path, text, "must be greater than or equal to 0");
}

/* IsNotMoreThan100Percent. */
static void not_over_100(const json_t *v, const char *path, json_t *causes)
{
	char text[64];
	bool pct;

	if (v && intstr_value(v, &pct) > 100 && pct)
		kube__err_invalid_raw(causes, path, kube__intstr_text(v, text, sizeof(text)),
				      "must not be greater than 100%");
}

/* ---- Deployment --------------------------------------------------------- */

void kube__deployment_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *strat, *ru;

	if (!spec)
		return;
	kube__jdefault(spec, "replicas", json_integer(1));
	strat = kube__jensure_obj(spec, "strategy");
	kube__jdefault_str(strat, "type", "RollingUpdate");
	if (!strcmp(kinds_str(strat, "type"), "RollingUpdate")) {
		ru = kube__jensure_obj(strat, "rollingUpdate");
		kube__jdefault(ru, "maxUnavailable", json_string("25%"));
		kube__jdefault(ru, "maxSurge", json_string("25%"));
	}
	kube__jdefault(spec, "revisionHistoryLimit", json_integer(10));
	kube__jdefault(spec, "progressDeadlineSeconds", json_integer(600));
	template_defaults(spec);
}

static void deployment_strategy(const json_t *strat, json_t *causes)
{
	static const char *const types[] = { "Recreate", "RollingUpdate", NULL };
	const char *type = kinds_str(strat, "type");
	json_t *ru = kube__jobj(strat, "rollingUpdate"), *mu, *ms;
	char raw[256], text[64];
	bool pct;

	if (!strcmp(type, "Recreate")) {
		if (ru)
			kube__err_forbidden(causes, "spec.strategy.rollingUpdate",
					    "may not be specified when strategy `type` is 'Recreate'");
	} else if (!strcmp(type, "RollingUpdate")) {
		if (!ru) {
			kube__err_required(causes, "spec.strategy.rollingUpdate",
					   "this should be defaulted and never be nil");
			return;
		}
		mu = json_object_get(ru, "maxUnavailable");
		ms = json_object_get(ru, "maxSurge");
		int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable", causes);
		int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge", causes);
		if (intstr_value(mu, &pct) == 0 && intstr_value(ms, &pct) == 0)
			kube__err_invalid_raw(causes, "spec.strategy.rollingUpdate.maxUnavailable",
					      kube__intstr_text(mu, text, sizeof(text)),
					      "may not be 0 when `maxSurge` is 0");
		not_over_100(mu, "spec.strategy.rollingUpdate.maxUnavailable", causes);
	} else {
		/* upstream prints the whole strategy struct; the pointer is shown as Go would
		 * only when absent, since its address is meaningless */
		snprintf(raw, sizeof(raw), "apps.DeploymentStrategy{Type:\"%s\", RollingUpdate:"
			 "(*apps.RollingUpdateDeployment)(%s)}", type, ru ? "non-nil" : "nil");
		kube__err_unsupported_raw(causes, "spec.strategy", raw, types);
	}
}

void kube__deployment_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *pds = json_object_get(spec, "progressDeadlineSeconds");

	kube__check_nonneg(causes, spec, "replicas", "spec");
	selector_rules(spec, "deployment", causes);
	template_rules(spec, "ReplicaSet", false, causes);
	deployment_strategy(kube__jobj(spec, "strategy"), causes);
	kube__check_nonneg(causes, spec, "minReadySeconds", "spec");
	kube__check_nonneg(causes, spec, "revisionHistoryLimit", "spec");
	if (json_is_integer(pds)) {
		kube__check_nonneg(causes, spec, "progressDeadlineSeconds", "spec");
		if (json_integer_value(pds) <= json_integer_value(json_object_get(spec, "minReadySeconds")))
			kube__err_invalid_int(causes, "spec.progressDeadlineSeconds",
					      json_integer_value(pds), "must be greater than minReadySeconds");
	}
	selector_immutable(obj, old, causes);
}

/* ---- ReplicaSet and ReplicationController -------------------------------- */

void kube__replicaset_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec");

	if (!spec)
		return;
	kube__jdefault(spec, "replicas", json_integer(1));
	template_defaults(spec);
}

void kube__replicaset_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");

	kube__check_nonneg(causes, spec, "replicas", "spec");
	kube__check_nonneg(causes, spec, "minReadySeconds", "spec");
	/* upstream says "deployment" here too */
	selector_rules(spec, "deployment", causes);
	template_rules(spec, "ReplicaSet", false, causes);
	selector_immutable(obj, old, causes);
}

void kube__rc_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *labels, *meta;

	if (!spec)
		return;
	labels = kube__jpath(spec, "template.metadata.labels");
	if (json_is_object(labels) && json_object_size(labels)) {
		if (!kube__jnonempty(spec, "selector"))
			json_object_set_new(spec, "selector", json_deep_copy(labels));
		meta = kube__jensure_obj(obj, "metadata");
		if (!kube__jnonempty(meta, "labels"))
			json_object_set_new(meta, "labels", json_deep_copy(labels));
	}
	kube__jdefault(spec, "replicas", json_integer(1));
	template_defaults(spec);
}

void kube__rc_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const always[] = { "Always", NULL };
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *sel = kube__jobj(spec, "selector"), *tmpl = kube__jobj(spec, "template");
	json_t *labels = kube__jpath(tmpl, "metadata.labels");
	const char *rp = kinds_str(kube__jobj(tmpl, "spec"), "restartPolicy");

	kube__check_nonneg(causes, spec, "minReadySeconds", "spec");
	if (!sel || json_object_size(sel) == 0)
		kube__err_required(causes, "spec.selector", NULL);
	kube__validate_labels(causes, sel, "spec.selector");
	kube__check_nonneg(causes, spec, "replicas", "spec");
	if (!tmpl) {
		kube__err_required(causes, "spec.template", NULL);
		return;
	}
	if (sel && json_object_size(sel) && !kube__map_selector_matches(sel, labels))
		labels_mismatch(labels, causes);
	kube__podtemplate_validate_spec(tmpl, "spec.template", causes);
	if (strcmp(rp, "Always"))
		kube__err_unsupported(causes, "spec.template.spec.restartPolicy", rp, always);
	if (json_object_get(kube__jobj(tmpl, "spec"), "activeDeadlineSeconds"))
		kube__err_forbidden(causes, "spec.template.spec.activeDeadlineSeconds",
				    "activeDeadlineSeconds in ReplicationController is not Supported");
}

/* ---- StatefulSet --------------------------------------------------------- */

void kube__statefulset_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *us, *ru, *pol, *t;
	size_t i;

	if (!spec)
		return;
	kube__jdefault_str(spec, "podManagementPolicy", "OrderedReady");
	us = kube__jensure_obj(spec, "updateStrategy");
	if (!*kinds_str(us, "type")) {
		json_object_set_new(us, "type", json_string("RollingUpdate"));
		kube__jensure_obj(us, "rollingUpdate");
	}
	ru = kube__jobj(us, "rollingUpdate");
	if (!strcmp(kinds_str(us, "type"), "RollingUpdate") && ru)
		kube__jdefault(ru, "partition", json_integer(0));
	pol = kube__jensure_obj(spec, "persistentVolumeClaimRetentionPolicy");
	kube__jdefault_str(pol, "whenDeleted", "Retain");
	kube__jdefault_str(pol, "whenScaled", "Retain");
	kube__jdefault(spec, "replicas", json_integer(1));
	kube__jdefault(spec, "revisionHistoryLimit", json_integer(10));
	template_defaults(spec);
	json_array_foreach(kube__jarr(spec, "volumeClaimTemplates"), i, t)
		kube__pvc_spec_defaults(kube__jobj(t, "spec"));
}

static void sts_strategy(const json_t *spec, json_t *causes)
{
	json_t *us = kube__jobj(spec, "updateStrategy"), *ru = kube__jobj(us, "rollingUpdate");
	const char *type = kinds_str(us, "type");

	if (!*type) {
		kube__err_required(causes, "spec.updateStrategy", NULL);
	} else if (!strcmp(type, "OnDelete")) {
		if (ru)
			kube__err_invalid_raw(causes, "spec.updateStrategy.rollingUpdate",
					      "&apps.RollingUpdateStatefulSetStrategy{}",
					      "only allowed for updateStrategy 'RollingUpdate'");
	} else if (!strcmp(type, "RollingUpdate")) {
		kube__check_nonneg(causes, ru, "partition", "spec.updateStrategy.rollingUpdate");
		int_or_percent(json_object_get(ru, "maxUnavailable"),
			       "spec.updateStrategy.rollingUpdate.maxUnavailable", causes);
		not_over_100(json_object_get(ru, "maxUnavailable"),
			     "spec.updateStrategy.rollingUpdate.maxUnavailable", causes);
	} else {
		kube__err_invalid_str(causes, "spec.updateStrategy", type,
				      "must be 'RollingUpdate' or 'OnDelete'");
	}
}

static void sts_retention(const json_t *spec, json_t *causes)
{
	static const char *const vals[] = { "Retain", "Delete", NULL };
	static const char *const keys[] = { "whenDeleted", "whenScaled", NULL };
	json_t *pol = kube__jobj(spec, "persistentVolumeClaimRetentionPolicy");
	char p[KUBE_PATH_MAX];

	for (int i = 0; pol && keys[i]; i++) {
		const char *v = kinds_str(pol, keys[i]);

		if (strcmp(v, "Retain") && strcmp(v, "Delete"))
			kube__err_unsupported(causes, kube__path_child(p,
					      "spec.persistentVolumeClaimRetentionPolicy", keys[i]),
					      v, vals);
	}
}

/* Only replicas, ordinals, template, updateStrategy, the PVC retention policy
 * and minReadySeconds may change. */
static void statefulset_update(const json_t *spec, const json_t *old_spec, json_t *causes)
{
	static const char *const mutable[] = {
		"replicas", "ordinals", "template", "updateStrategy",
		"persistentVolumeClaimRetentionPolicy", "minReadySeconds", NULL,
	};
	json_t *a = json_deep_copy(spec), *b = json_deep_copy(old_spec);

	for (int i = 0; mutable[i]; i++) {
		json_object_del(a, mutable[i]);
		json_object_del(b, mutable[i]);
	}
	if (kube__changed(a, b))
		kube__err_forbidden(causes, "spec", "updates to statefulset spec for fields other "
				    "than 'replicas', 'ordinals', 'template', 'updateStrategy', "
				    "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
				    "are forbidden");
	json_decref(a);
	json_decref(b);
}

/* The pods a StatefulSet makes get a volume per claim template (updateStorage),
 * so mounts may name the templates: validate the template as the pods will be. */
static void sts_template_rules(const json_t *spec, json_t *causes)
{
	json_t *copy = json_deep_copy(spec), *pspec, *vols, *t;
	size_t i;

	pspec = kube__jobj(kube__jobj(copy, "template"), "spec");
	if (pspec && json_array_size(kube__jarr(copy, "volumeClaimTemplates"))) {
		vols = kube__jarr(pspec, "volumes");
		if (!vols) {
			vols = json_array();
			json_object_set_new(pspec, "volumes", vols);
		}
		json_array_foreach(kube__jarr(copy, "volumeClaimTemplates"), i, t)
			json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name",
				kinds_str(kube__jobj(t, "metadata"), "name"),
				"persistentVolumeClaim", "claimName",
				kinds_str(kube__jobj(t, "metadata"), "name")));
	}
	template_rules(copy, "StatefulSet", true, causes);
	json_decref(copy);
}

void kube__statefulset_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	const char *pmp = kinds_str(spec, "podManagementPolicy");

	if (!*pmp)
		kube__err_required(causes, "spec.podManagementPolicy", NULL);
	else if (strcmp(pmp, "OrderedReady") && strcmp(pmp, "Parallel"))
		kube__err_invalid_str(causes, "spec.podManagementPolicy", pmp,
				      "must be 'OrderedReady' or 'Parallel'");
	sts_strategy(spec, causes);
	sts_retention(spec, causes);
	kube__check_nonneg(causes, spec, "replicas", "spec");
	kube__check_nonneg(causes, spec, "minReadySeconds", "spec");
	selector_rules(spec, "statefulset", causes);
	sts_template_rules(spec, causes);
	if (old)
		statefulset_update(spec, kube__jobj(old, "spec"), causes);
}

/* ---- DaemonSet ------------------------------------------------------------ */

void kube__daemonset_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *us, *ru;

	if (!spec)
		return;
	us = kube__jensure_obj(spec, "updateStrategy");
	kube__jdefault_str(us, "type", "RollingUpdate");
	if (!strcmp(kinds_str(us, "type"), "RollingUpdate")) {
		ru = kube__jensure_obj(us, "rollingUpdate");
		kube__jdefault(ru, "maxUnavailable", json_integer(1));
		kube__jdefault(ru, "maxSurge", json_integer(0));
	}
	kube__jdefault(spec, "revisionHistoryLimit", json_integer(10));
	template_defaults(spec);
}

static void daemonset_strategy(const json_t *us, json_t *causes)
{
	static const char *const types[] = { "RollingUpdate", "OnDelete", NULL };
	const char *type = kinds_str(us, "type");
	json_t *ru = kube__jobj(us, "rollingUpdate"), *mu, *ms;
	char text[64];
	bool pct, has_mu, has_ms;

	if (!strcmp(type, "OnDelete"))
		return;
	if (strcmp(type, "RollingUpdate")) {
		kube__err_unsupported(causes, "spec.updateStrategy", type, types);
		return;
	}
	if (!ru) {
		kube__err_required(causes, "spec.updateStrategy.rollingUpdate", NULL);
		return;
	}
	mu = json_object_get(ru, "maxUnavailable");
	ms = json_object_get(ru, "maxSurge");
	int_or_percent(mu, "spec.updateStrategy.rollingUpdate.maxUnavailable", causes);
	int_or_percent(ms, "spec.updateStrategy.rollingUpdate.maxSurge", causes);
	not_over_100(mu, "spec.updateStrategy.rollingUpdate.maxUnavailable", causes);
	not_over_100(ms, "spec.updateStrategy.rollingUpdate.maxSurge", causes);
	has_mu = intstr_value(mu, &pct) != 0;
	has_ms = intstr_value(ms, &pct) != 0;
	if (has_mu && has_ms)
		kube__err_invalid_raw(causes, "spec.updateStrategy.rollingUpdate.maxSurge",
				      kube__intstr_text(ms, text, sizeof(text)),
				      "may not be set when maxUnavailable is non-zero");
	else if (!has_mu && !has_ms)
		kube__err_required(causes, "spec.updateStrategy.rollingUpdate.maxUnavailable",
				   "cannot be 0 when maxSurge is 0");
}

void kube__daemonset_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *sel = kube__jobj(spec, "selector");
	json_t *labels = kube__jpath(spec, "template.metadata.labels");
	char *raw;

	if (!sel)
		kube__err_required(causes, "spec.selector", NULL);
	kube__validate_label_selector(causes, sel, "spec.selector");
	if (sel && !kube__selector_matches(sel, labels))
		labels_mismatch(labels, causes);
	if (sel && kube__selector_empty(sel) && (raw = kube__go_label_selector(sel))) {
		kube__err_invalid_raw(causes, "spec.selector", raw, "empty selector is invalid for daemonset");
		free(raw);
	}
	/* the labels check above is DaemonSet's own; skip template_rules' copy */
	json_t *copy = json_deep_copy(spec);

	json_object_del(copy, "selector");
	template_rules(copy, "DaemonSet", false, causes);
	json_decref(copy);
	kube__check_nonneg(causes, spec, "minReadySeconds", "spec");
	daemonset_strategy(kube__jobj(spec, "updateStrategy"), causes);
	kube__check_nonneg(causes, spec, "revisionHistoryLimit", "spec");
	selector_immutable(obj, old, causes);
}
