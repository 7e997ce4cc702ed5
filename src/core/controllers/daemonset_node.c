/*
 * Where daemon pods run, as upstream's NodeShouldRunDaemonPod and
 * pkg/controller/daemon/util: the template's nodeSelector and required node
 * affinity must match the node, and its taints (NoSchedule, NoExecute) must
 * be tolerated, counting the tolerations every daemon pod gets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/daemonset.h"
#include "core/controllers/podutil.h"
#include "core/jsonutil.h"

/* ---- tolerations --------------------------------------------------------- */

/* Toleration.ToleratesTaint */
static bool tolerates(const json_t *tol, const json_t *taint)
{
	const char *op = kube__jstr0(tol, "operator");

	if (*kube__jstr0(tol, "effect") && strcmp(kube__jstr0(tol, "effect"), kube__jstr0(taint, "effect")))
		return false;
	if (*kube__jstr0(tol, "key") && strcmp(kube__jstr0(tol, "key"), kube__jstr0(taint, "key")))
		return false;
	if (!*op || !strcmp(op, "Equal"))
		return !strcmp(kube__jstr0(tol, "value"), kube__jstr0(taint, "value"));
	return !strcmp(op, "Exists");
}

/* FindMatchingUntoleratedTaint for taints with one of the effects named. */
static bool untolerated(const json_t *taints, const json_t *tols, bool no_schedule)
{
	json_t *t, *tol;
	size_t i, j;

	json_array_foreach(taints, i, t) {
		const char *eff = kube__jstr0(t, "effect");
		bool ok = false;

		if (strcmp(eff, "NoExecute") && (!no_schedule || strcmp(eff, "NoSchedule")))
			continue;
		json_array_foreach(tols, j, tol)
			ok |= tolerates(tol, t);
		if (!ok)
			return true;
	}
	return false;
}

/* AddOrUpdateTolerationInPodSpec: replace a toleration with the same key,
 * operator, value and effect, or append. */
static void add_toleration(json_t *spec, const char *key, const char *effect)
{
	json_t *tols = json_object_get(spec, "tolerations"), *t;
	json_t *want = json_pack("{s:s, s:s, s:s}", "key", key, "operator", "Exists",
				 "effect", effect);
	size_t i;

	if (!json_is_array(tols)) {
		tols = json_array();
		json_object_set_new(spec, "tolerations", tols);
	}
	json_array_foreach(tols, i, t) {
		if (!strcmp(kube__jstr0(t, "key"), key) && !strcmp(kube__jstr0(t, "operator"), "Exists") &&
		    !*kube__jstr0(t, "value") && !strcmp(kube__jstr0(t, "effect"), effect)) {
			json_array_set_new(tols, i, want);
			return;
		}
	}
	json_array_append_new(tols, want);
}

/* AddOrUpdateDaemonPodTolerations: daemon pods survive node problems. */
static void daemon_tolerations(json_t *spec)
{
	add_toleration(spec, "node.kubernetes.io/not-ready", "NoExecute");
	add_toleration(spec, "node.kubernetes.io/unreachable", "NoExecute");
	add_toleration(spec, "node.kubernetes.io/disk-pressure", "NoSchedule");
	add_toleration(spec, "node.kubernetes.io/memory-pressure", "NoSchedule");
	add_toleration(spec, "node.kubernetes.io/pid-pressure", "NoSchedule");
	add_toleration(spec, "node.kubernetes.io/unschedulable", "NoSchedule");
	if (json_is_true(json_object_get(spec, "hostNetwork")))
		add_toleration(spec, "node.kubernetes.io/network-unavailable", "NoSchedule");
}

/* ---- node affinity ------------------------------------------------------- */

static bool parse_int(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s && !*end && !errno;
}

/* One NodeSelectorRequirement against a value (NULL: absent). */
static bool requirement(const json_t *req, const char *have)
{
	const char *op = kube__jstr0(req, "operator");
	const json_t *vals = json_object_get(req, "values"), *v;
	bool in = false;
	long long a, b;
	size_t i;

	json_array_foreach(vals, i, v)
		in |= have && !strcmp(json_string_value(v) ?: "", have);
	if (!strcmp(op, "In"))
		return in;
	if (!strcmp(op, "NotIn"))
		return !in;
	if (!strcmp(op, "Exists"))
		return have != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return have == NULL;
	if ((!strcmp(op, "Gt") || !strcmp(op, "Lt")) && have && json_array_size(vals) == 1 &&
	    parse_int(have, &a) && parse_int(json_string_value(json_array_get(vals, 0)) ?: "", &b))
		return !strcmp(op, "Gt") ? a > b : a < b;
	return false;
}

static bool term_matches(const json_t *term, const json_t *node)
{
	const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
	const json_t *exprs = json_object_get(term, "matchExpressions");
	const json_t *fields = json_object_get(term, "matchFields"), *r;
	size_t i;

	if (!json_array_size(exprs) && !json_array_size(fields))
		return false;    /* an empty term matches no objects */
	json_array_foreach(exprs, i, r)
		if (!requirement(r, json_string_value(json_object_get(labels, kube__jstr0(r, "key")))))
			return false;
	json_array_foreach(fields, i, r) {
		if (strcmp(kube__jstr0(r, "key"), "metadata.name"))
			return false;
		if (!requirement(r, kube__meta_str(node, "name")))
			return false;
	}
	return true;
}

/* GetRequiredNodeAffinity(pod).Match(node): nodeSelector and required terms. */
static bool affinity_matches(const json_t *spec, const json_t *node)
{
	const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
	const json_t *req = json_object_get(json_object_get(json_object_get(spec, "affinity"),
			"nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution");
	const json_t *terms = json_object_get(req, "nodeSelectorTerms"), *v, *t;
	const char *key;
	size_t i;

	json_object_foreach((json_t *)json_object_get(spec, "nodeSelector"), key, v)
		if (!json_equal((json_t *)v, json_object_get(labels, key)))
			return false;
	if (!req)
		return true;
	json_array_foreach(terms, i, t)
		if (term_matches(t, node))
			return true;
	return false;
}

void kube__ds_node_should_run(const json_t *ds, const json_t *node, bool *should_run,
			      bool *should_continue)
{
	const json_t *spec = json_object_get(json_object_get(json_object_get(ds, "spec"),
							     "template"), "spec");
	const json_t *taints = json_object_get(json_object_get(node, "spec"), "taints");
	const char *pinned = kube__jstr0(spec, "nodeName");
	json_t *pspec;

	*should_run = *should_continue = false;
	if (*pinned && strcmp(pinned, kube__meta_str(node, "name")))
		return;
	if (!affinity_matches(spec, node))
		return;
	pspec = json_deep_copy(spec);
	if (!pspec)
		return;
	daemon_tolerations(pspec);
	if (untolerated(taints, json_object_get(pspec, "tolerations"), true))
		/* placed daemon pods stay if they tolerate the NoExecute taints */
		*should_continue = !untolerated(taints, json_object_get(pspec, "tolerations"),
						false);
	else
		*should_run = *should_continue = true;
	json_decref(pspec);
}

/* ---- pods ---------------------------------------------------------------- */

const char *kube__ds_target_node(const json_t *pod)
{
	const json_t *spec = json_object_get(pod, "spec"), *aff, *terms, *t, *f;
	size_t i, j;

	if (*kube__jstr0(spec, "nodeName"))
		return kube__jstr0(spec, "nodeName");
	aff = json_object_get(json_object_get(spec, "affinity"), "nodeAffinity");
	terms = json_object_get(json_object_get(aff, "requiredDuringSchedulingIgnoredDuringExecution"),
				"nodeSelectorTerms");
	json_array_foreach(terms, i, t) {
		json_array_foreach(json_object_get(t, "matchFields"), j, f) {
			const json_t *vals = json_object_get(f, "values");

			if (!strcmp(kube__jstr0(f, "key"), "metadata.name") && !strcmp(kube__jstr0(f, "operator"), "In") &&
			    json_array_size(vals) == 1)
				return json_string_value(json_array_get(vals, 0));
		}
	}
	return NULL;
}

/* ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one
 * term pinning the node (the controller already checked the others). */
static void pin_to_node(json_t *spec, const char *node)
{
	json_t *aff = json_object_get(spec, "affinity"), *na, *term;

	term = json_pack("{s:[{s:[{s:s, s:s, s:[s]}]}]}", "nodeSelectorTerms", "matchFields",
			 "key", "metadata.name", "operator", "In", "values", node);
	if (!json_is_object(aff)) {
		aff = json_object();
		json_object_set_new(spec, "affinity", aff);
	}
	na = json_object_get(aff, "nodeAffinity");
	if (!json_is_object(na)) {
		na = json_object();
		json_object_set_new(aff, "nodeAffinity", na);
	}
	json_object_set_new(na, "requiredDuringSchedulingIgnoredDuringExecution", term);
}

json_t *kube__ds_new_pod(const json_t *ds, const char *node, const char *hash)
{
	const json_t *tmpl = json_object_get(json_object_get(ds, "spec"), "template");
	const json_t *tm = json_object_get(tmpl, "metadata");
	const char *gen = json_string_value(json_object_get(json_object_get(json_object_get(ds,
				"metadata"), "annotations"), DS_GENERATION_ANNOTATION));
	json_t *pod, *meta, *labels;
	char prefix[300];

	snprintf(prefix, sizeof(prefix), "%s-", kube__meta_str(ds, "name"));
	pod = json_pack("{s:s, s:s, s:{s:s, s:s, s:[o]}, s:o}", "apiVersion", "v1", "kind", "Pod",
			"metadata", "generateName", prefix, "namespace",
			kube__meta_str(ds, "namespace"), "ownerReferences",
			kube__new_controller_ref(ds), "spec",
			json_deep_copy(json_object_get(tmpl, "spec")) ?: json_object());
	meta = json_object_get(pod, "metadata");
	labels = json_is_object(json_object_get(tm, "labels")) ?
		 json_deep_copy(json_object_get(tm, "labels")) : json_object();
	if (gen)
		json_object_set_new(labels, DS_GENERATION_LABEL, json_string(gen));
	json_object_set_new(labels, KUBE_REVISION_HASH_LABEL, json_string(hash));
	json_object_set_new(meta, "labels", labels);
	if (json_object_get(tm, "annotations"))
		json_object_set_new(meta, "annotations",
				    json_deep_copy(json_object_get(tm, "annotations")));
	if (json_object_get(tm, "finalizers"))
		json_object_set_new(meta, "finalizers",
				    json_deep_copy(json_object_get(tm, "finalizers")));
	daemon_tolerations(json_object_get(pod, "spec"));
	pin_to_node(json_object_get(pod, "spec"), node);
	return pod;
}

bool kube__ds_pod_updated(const json_t *ds, const json_t *pod, const char *hash)
{
	const json_t *labels = json_object_get(json_object_get(pod, "metadata"), "labels");
	const char *phash = json_string_value(json_object_get(labels, KUBE_REVISION_HASH_LABEL));

	/* upstream also accepts a matching pod-template-generation; libkube's API
	 * server does not bump that annotation, so only the hash decides */
	(void)ds;
	return hash && *hash && phash && !strcmp(phash, hash);
}
