/*
 * The DaemonSet RollingUpdate strategy, as upstream's rollingUpdate
 * (pkg/controller/daemon/update.go). Without surge, old pods are deleted
 * while fewer than maxUnavailable nodes are unavailable, and manage creates
 * their replacements. With maxSurge, a new pod is started beside an old
 * available one on at most maxSurge nodes, and the old pod is deleted once
 * the new one is available.
 */
#include <stdlib.h>
#include <string.h>
#include "core/controllers/daemonset.h"
#include "core/controllers/podutil.h"

/* GetScaledValueFromIntOrPercent with rounding up. */
static int64_t scaled(const json_t *v, int64_t total)
{
	const char *s = json_string_value(v);
	size_t n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (!s || !(n = strlen(s)) || s[n - 1] != '%')
		return 0;
	return (atoll(s) * total + 99) / 100;
}

void kube__ds_update_bounds(const json_t *ds, int64_t desired, int64_t *surge,
			    int64_t *unavailable)
{
	const json_t *us = json_object_get(json_object_get(ds, "spec"), "updateStrategy");
	const json_t *ru = json_object_get(us, "rollingUpdate");
	const char *type = json_string_value(json_object_get(us, "type"));

	*surge = *unavailable = 0;
	if (!type || strcmp(type, "RollingUpdate"))
		return;
	*surge = scaled(json_object_get(ru, "maxSurge"), desired);
	*unavailable = scaled(json_object_get(ru, "maxUnavailable"), desired);
	/* an impossible configuration obeys the default of one unavailable */
	if (desired > 0 && !*surge && !*unavailable)
		*unavailable = 1;
}

/* findUpdatedPodsOnNode: false when a node has more than one new or old pod. */
static bool split_pods(struct ds_sync *y, const json_t *pods, const json_t **fresh,
		       const json_t **old)
{
	json_t *pod;
	size_t i;

	*fresh = *old = NULL;
	json_array_foreach(pods, i, pod) {
		const json_t **slot;

		if (json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
			continue;
		slot = kube__ds_pod_updated(y->ds, pod, y->hash) ? fresh : old;
		if (*slot)
			return false;
		*slot = pod;
	}
	return true;
}

/* The per-node pod lists, with an empty list for eligible nodes without pods. */
static json_t *nodes_to_pods(struct ds_sync *y, int64_t *desired)
{
	json_t *map = json_object(), *node;
	size_t i;

	json_object_update(map, y->node_pods);
	*desired = 0;
	json_array_foreach(y->nodes, i, node) {
		bool run, cont;

		kube__ds_node_should_run(y->ds, node, &run, &cont);
		if (!run)
			continue;
		(*desired)++;
		if (!json_object_get(map, kube__meta_str(node, "name")))
			json_object_set_new(map, kube__meta_str(node, "name"), json_array());
	}
	return map;
}

static void no_surge(struct ds_sync *y, json_t *map, int64_t max_unavailable)
{
	json_t *allowed = json_array(), *candidates = json_array(), *pods;
	const json_t *fresh, *old;
	int64_t unavailable = 0;
	const char *node;

	json_object_foreach(map, node, pods) {
		if (!split_pods(y, pods, &fresh, &old) || (!old && !fresh) || (old && fresh)) {
			unavailable++;    /* manage settles this node first */
		} else if (fresh) {
			unavailable += !kube__ds_available(y, fresh);
		} else if (!kube__ds_available(y, old)) {
			json_array_append(allowed, (json_t *)old);
			unavailable++;
		} else if (unavailable < max_unavailable) {
			json_array_append(candidates, (json_t *)old);
		}
	}
	for (int64_t i = 0; i < max_unavailable - unavailable &&
			    (size_t)i < json_array_size(candidates); i++)
		json_array_append(allowed, json_array_get(candidates, (size_t)i));
	kube__ds_sync_nodes(y, allowed, NULL);
	json_decref(allowed);
	json_decref(candidates);
}

static void with_surge(struct ds_sync *y, json_t *map, int64_t max_surge)
{
	json_t *del = json_array(), *allowed = json_array(), *candidates = json_array(), *pods;
	const json_t *fresh, *old;
	int64_t surging = 0;
	const char *node;

	json_object_foreach(map, node, pods) {
		if (!split_pods(y, pods, &fresh, &old)) {
			surging++;
		} else if (!old) {
			continue;    /* manage handles it */
		} else if (!fresh) {
			if (!kube__ds_available(y, old)) {
				if (kube__ds_should_run_on(y, node))
					json_array_append_new(allowed, json_string(node));
				else
					json_array_append(del, (json_t *)old);
			} else if (kube__ds_should_run_on(y, node) && surging < max_surge) {
				json_array_append_new(candidates, json_string(node));
			}
		} else if (!kube__ds_available(y, fresh)) {
			surging++;
		} else {
			json_array_append(del, (json_t *)old);
		}
	}
	for (int64_t i = 0; i < max_surge - surging && (size_t)i < json_array_size(candidates);
	     i++)
		json_array_append(allowed, json_array_get(candidates, (size_t)i));
	kube__ds_sync_nodes(y, del, allowed);
	json_decref(del);
	json_decref(allowed);
	json_decref(candidates);
}

void kube__ds_rolling_update(struct ds_sync *y)
{
	int64_t desired, surge, unavailable;
	json_t *map = nodes_to_pods(y, &desired);

	kube__ds_update_bounds(y->ds, desired, &surge, &unavailable);
	if (!surge)
		no_surge(y, map, unavailable);
	else
		with_surge(y, map, surge);
	json_decref(map);
}
