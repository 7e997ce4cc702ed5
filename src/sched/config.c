/*
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the part
 * libkube's scheduler has knobs for: percentageOfNodesToScore (global and
 * per profile), each profile's schedulerName, score plugin weights through
 * plugins.score / plugins.multiPoint enabled and disabled (a weight of 0
 * means 1, as upstream; "*" disables every default), and the args of
 * NodeResourcesFit (scoringStrategy LeastAllocated / MostAllocated with cpu
 * and memory weights), InterPodAffinity (hardPodAffinityWeight) and
 * PodTopologySpread (defaultingType List without defaultConstraints turns
 * the system default spreading off). Anything else it cannot honour is an
 * error rather than silently ignored.
 */
#include "sched/sched_int.h"
#include "core/codec.h"
#include "libkube/errors.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_VERSION "kubescheduler.config.k8s.io/v1"

static int bad(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return KUBE_EINVAL;
}

/* The weight slot of score plugin @p name, or NULL. */
static int *weight_of(struct sched_weights *w, const char *name)
{
	static const struct { const char *name; size_t off; } tab[] = {
		{"TaintToleration", offsetof(struct sched_weights, taint_toleration)},
		{"NodeAffinity", offsetof(struct sched_weights, node_affinity)},
		{"NodeResourcesFit", offsetof(struct sched_weights, resources_fit)},
		{"PodTopologySpread", offsetof(struct sched_weights, pod_topology_spread)},
		{"InterPodAffinity", offsetof(struct sched_weights, inter_pod_affinity)},
		{"NodeResourcesBalancedAllocation",
		 offsetof(struct sched_weights, balanced_allocation)},
		{"ImageLocality", offsetof(struct sched_weights, image_locality)},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].name, name))
			return (int *)((char *)w + tab[i].off);
	return NULL;
}

/* Upstream plugins that exist but have no score here: accepted in
 * multiPoint (they are filters or always on), rejected in score. */
static bool known_non_score(const char *name)
{
	static const char *const names[] = {
		"PrioritySort", "NodeUnschedulable", "NodeName", "NodePorts", "VolumeBinding",
		"VolumeRestrictions", "VolumeZone", "NodeVolumeLimits", "EBSLimits",
		"GCEPDLimits", "AzureDiskLimits", "DefaultPreemption", "DefaultBinder",
		"SchedulingGates", "DynamicResources",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* plugins.<point>.disabled then .enabled. */
static int plugin_set(const json_t *set, bool multipoint, struct sched_weights *w,
		      char *err, size_t len)
{
	const char *what = multipoint ? "multiPoint" : "score";
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(set, "disabled"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name")) ?: "";
		int *slot = weight_of(w, name);
		if (!strcmp(name, "*"))
			memset(w, 0, sizeof(*w));
		else if (slot)
			*slot = 0;
		else if (!known_non_score(name))
			return bad(err, len, "plugins.%s.disabled[%zu]: unknown plugin \"%s\"",
				   what, i, name);
	}
	json_array_foreach(json_object_get(set, "enabled"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name")) ?: "";
		json_int_t weight = json_integer_value(json_object_get(e, "weight"));
		int *slot = weight_of(w, name);
		if (!slot && multipoint && known_non_score(name))
			continue;
		if (!slot)
			return bad(err, len, "plugins.%s.enabled[%zu]: \"%s\" is not a score plugin "
				   "of libkube's scheduler", what, i, name);
		if (weight < 0 || weight > 100)
			return bad(err, len, "plugins.%s.enabled[%zu].weight: Invalid value: %lld: "
				   "must be between 0 and 100", what, i, (long long)weight);
		*slot = weight ? (int)weight : 1;
	}
	return 0;
}

static int fit_args(const json_t *args, struct sched_config *cfg, char *err, size_t len)
{
	const json_t *ss = json_object_get(args, "scoringStrategy");
	const char *type = json_string_value(json_object_get(ss, "type"));
	size_t i;
	json_t *r;

	if (!type || !strcmp(type, "LeastAllocated"))
		cfg->strategy = SCHED_LEAST_ALLOCATED;
	else if (!strcmp(type, "MostAllocated"))
		cfg->strategy = SCHED_MOST_ALLOCATED;
	else
		return bad(err, len, "NodeResourcesFit scoringStrategy.type \"%s\" is not supported "
			   "(LeastAllocated, MostAllocated)", type);
	if (!json_array_size(json_object_get(ss, "resources")))
		return 0;
	cfg->cpu_weight = cfg->memory_weight = 0;
	json_array_foreach(json_object_get(ss, "resources"), i, r) {
		const char *name = json_string_value(json_object_get(r, "name")) ?: "";
		json_int_t wt = json_integer_value(json_object_get(r, "weight"));
		if (wt < 0 || wt > 100)
			return bad(err, len, "NodeResourcesFit scoringStrategy.resources[%zu].weight: "
				   "must be between 1 and 100", i);
		if (!strcmp(name, "cpu"))
			cfg->cpu_weight = wt ? (int)wt : 1;
		else if (!strcmp(name, "memory"))
			cfg->memory_weight = wt ? (int)wt : 1;
		else
			return bad(err, len, "NodeResourcesFit scoringStrategy.resources[%zu]: "
				   "\"%s\" is not supported (cpu, memory)", i, name);
	}
	return 0;
}

static int plugin_args(const json_t *pc, struct sched_config *cfg, char *err, size_t len)
{
	size_t i;
	json_t *e;
	int rc;

	json_array_foreach(pc, i, e) {
		const char *name = json_string_value(json_object_get(e, "name")) ?: "";
		const json_t *args = json_object_get(e, "args");
		const json_t *hw = json_object_get(args, "hardPodAffinityWeight");
		const char *dt = json_string_value(json_object_get(args, "defaultingType"));
		if (!strcmp(name, "NodeResourcesFit")) {
			if ((rc = fit_args(args, cfg, err, len)))
				return rc;
		} else if (!strcmp(name, "InterPodAffinity") && hw) {
			if (json_integer_value(hw) < 0 || json_integer_value(hw) > 100)
				return bad(err, len, "InterPodAffinity hardPodAffinityWeight: not in "
					   "valid range [0-100]");
			cfg->hard_pod_affinity_weight = (int)json_integer_value(hw);
		} else if (!strcmp(name, "PodTopologySpread") && dt && !strcmp(dt, "List")) {
			if (json_array_size(json_object_get(args, "defaultConstraints")))
				return bad(err, len, "PodTopologySpread defaultConstraints are not "
					   "supported (defaultingType System, or List without them)");
			cfg->default_spreading = false;
		}
	}
	return 0;
}

static int pct(const json_t *v, int *out, char *err, size_t len)
{
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
		return bad(err, len, "percentageOfNodesToScore: Invalid value: must be in the "
			   "range [0, 100]");
	*out = (int)json_integer_value(v);
	return 0;
}

/*
 * Count the profiles of KubeSchedulerConfiguration @p doc (one when it has
 * none: the default profile), or KUBE_EINVAL with @p err filled when it is
 * not such a document.
 */
static int sched_config_profiles(const json_t *doc, char *err, size_t len)
{
	const char *av = json_string_value(json_object_get(doc, "apiVersion"));
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	size_t n = json_array_size(json_object_get(doc, "profiles"));

	if (!json_is_object(doc) || !kind || strcmp(kind, "KubeSchedulerConfiguration"))
		return bad(err, len, "scheduler configuration: kind must be KubeSchedulerConfiguration");
	if (!av || strcmp(av, API_VERSION))
		return bad(err, len, "scheduler configuration: apiVersion must be " API_VERSION);
	return n ? (int)n : 1;
}

/*
 * Fill @p cfg (already defaulted) with profile @p i of @p doc. Strings
 * (schedulerName) point into @p doc. 0 or KUBE_EINVAL with @p err filled.
 */
int sched_config_from_json(const json_t *doc, int i, struct sched_config *cfg, char *err,
			   size_t len)
{
	const json_t *prof = json_array_get(json_object_get(doc, "profiles"), (size_t)i);
	const json_t *plugins = json_object_get(prof, "plugins");
	const char *name = json_string_value(json_object_get(prof, "schedulerName"));
	int rc;

	if ((rc = sched_config_profiles(doc, err, len)) < 0)
		return rc;
	if ((rc = pct(json_object_get(doc, "percentageOfNodesToScore"),
		      &cfg->percentage_of_nodes_to_score, err, len)) ||
	    (rc = pct(json_object_get(prof, "percentageOfNodesToScore"),
		      &cfg->percentage_of_nodes_to_score, err, len)))
		return rc;
	if (name && *name)
		cfg->scheduler_name = name;
	if ((rc = plugin_set(json_object_get(plugins, "multiPoint"), true, &cfg->weights, err,
			     len)) ||
	    (rc = plugin_set(json_object_get(plugins, "score"), false, &cfg->weights, err, len)))
		return rc;
	return plugin_args(json_object_get(prof, "pluginConfig"), cfg, err, len);
}

/*
 * Parse KubeSchedulerConfiguration text (YAML or JSON) into *doc (owned by
 * the caller) and check every profile. Returns the number of profiles, or
 * KUBE_EINVAL with @p err filled, KUBE_ENOMEM.
 */
int sched_config_parse(const char *text, json_t **doc, char *err, size_t len)
{
	json_t *docs = kube__parse_docs(text, strlen(text), NULL), *d;
	struct sched_config cfg;
	int n, rc;

	*doc = NULL;
	if (!docs || json_array_size(docs) != 1) {
		json_decref(docs);
		return bad(err, len, "scheduler configuration: want one YAML or JSON document");
	}
	d = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	if ((n = sched_config_profiles(d, err, len)) < 0)
		goto free_doc;
	for (int i = 0; i < n; i++) {
		sched_config_default(&cfg);
		if ((rc = sched_config_from_json(d, i, &cfg, err, len))) {
			n = rc;
			goto free_doc;
		}
		for (int j = 0; j < i; j++) {
			const char *other = json_string_value(json_object_get(
				json_array_get(json_object_get(d, "profiles"), (size_t)j),
				"schedulerName")) ?: "default-scheduler";
			if (!strcmp(other, cfg.scheduler_name)) {
				n = bad(err, len, "profiles[%d].schedulerName: Duplicate value: \"%s\"",
					i, other);
				goto free_doc;
			}
		}
	}
	*doc = d;
	return n;
free_doc:
	json_decref(d);
	return n;
}
