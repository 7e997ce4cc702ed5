/*
 * One daemon pod per eligible node, as upstream's manage / podsShouldBeOnNode
 * and updateDaemonSetStatus (daemon_controller.go).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/daemonset.h"
#include "core/controllers/podutil.h"
#include "core/events.h"

#define BACKOFF_INITIAL 1000              /* ms */
#define BACKOFF_MAX (15 * 60 * 1000)      /* ms */

static const char *phase_of(const json_t *pod)
{
	const char *p = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	return p ? p : "";
}

static bool deleting(const json_t *pod)
{
	return json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") != NULL;
}

static int by_creation(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *nx = json_string_value(json_object_get(json_object_get(x, "spec"), "nodeName"));
	const char *ny = json_string_value(json_object_get(json_object_get(y, "spec"), "nodeName"));
	const char *tx = kube__meta_str(x, "creationTimestamp") ?: "";
	const char *ty = kube__meta_str(y, "creationTimestamp") ?: "";
	bool bx = nx && *nx, by = ny && *ny;

	if (bx != by)
		return bx ? -1 : 1;
	if (strcmp(tx, ty))
		return strcmp(tx, ty);
	return strcmp(kube__meta_str(x, "name"), kube__meta_str(y, "name"));
}

json_t *kube__ds_sorted(const json_t *pods)
{
	size_t n = json_array_size(pods);
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL, *out = json_array();

	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(pods, i);
	if (v)
		qsort(v, n, sizeof(*v), by_creation);
	for (size_t i = 0; v && i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static bool allows_surge(const json_t *ds)
{
	int64_t surge, unavailable;

	kube__ds_update_bounds(ds, 1, &surge, &unavailable);
	return surge > 0;
}

/* failedPodsBackoff: 1 s doubling to 15 min per DaemonSet and node; true
 * when the failed pod on @p node may be deleted now. */
static bool backoff_allows(struct ds_sync *y, const char *node)
{
	int64_t now = kube__now_ms(y->d->c), delay, at;
	char key[768];
	json_t *b;

	snprintf(key, sizeof(key), "%s/%s", y->key, node);
	b = json_object_get(y->d->backoff, key);
	delay = json_integer_value(json_object_get(b, "delay"));
	at = json_integer_value(json_object_get(b, "at"));
	if (b && now - at < delay) {
		if (!y->resync_ms || delay - (now - at) < y->resync_ms)
			y->resync_ms = delay - (now - at);
		return false;
	}
	if (!b || now - at > 2 * BACKOFF_MAX)
		delay = BACKOFF_INITIAL;
	else
		delay = delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : delay * 2;
	json_object_set_new(y->d->backoff, key, json_pack("{s:I, s:I}", "delay", (json_int_t)delay,
							  "at", (json_int_t)now));
	return true;
}

/* With surge, keep the oldest new pod and the oldest old one while the new
 * one is not yet available; otherwise delete the extra pods. */
static void surge_excess(struct ds_sync *y, const json_t *running, json_t *del)
{
	json_t *sorted = kube__ds_sorted(running), *pod, *newest = NULL, *oldest = NULL;
	size_t i;

	json_array_foreach(sorted, i, pod) {
		if (kube__ds_pod_updated(y->ds, pod, y->hash) ? !newest : !oldest) {
			if (kube__ds_pod_updated(y->ds, pod, y->hash))
				newest = pod;
			else
				oldest = pod;
			continue;
		}
		json_array_append(del, pod);
	}
	if (newest && oldest && (!kube__pod_ready(oldest) || kube__ds_available(y, newest)))
		json_array_append(del, oldest);
	json_decref(sorted);
}

/* podsShouldBeOnNode for a node where a daemon pod may continue running. */
static void keep_running(struct ds_sync *y, const json_t *node, const json_t *pods,
			 bool should_run, json_t *del, json_t *create)
{
	const char *name = kube__meta_str(node, "name");
	json_t *running = json_array(), *pod, *sorted;
	size_t i;

	json_array_foreach(pods, i, pod) {
		if (deleting(pod))
			continue;
		if (!strcmp(phase_of(pod), "Failed")) {
			if (!backoff_allows(y, name))
				continue;
			kube__event(y->d->c, y->ds, DS_COMPONENT, NULL, "Warning", "FailedDaemonPod",
				    "Found failed daemon pod %s/%s on node %s, will try to kill it",
				    kube__meta_str(pod, "namespace"), kube__meta_str(pod, "name"), name);
			json_array_append(del, pod);
		} else if (!strcmp(phase_of(pod), "Succeeded")) {
			json_array_append(del, pod);
		} else {
			json_array_append(running, pod);
		}
	}
	if (!allows_surge(y->ds)) {
		sorted = kube__ds_sorted(running);
		for (i = 1; i < json_array_size(sorted); i++)
			json_array_append(del, json_array_get(sorted, i));
		json_decref(sorted);
	} else if (json_array_size(running) == 0 && should_run) {
		json_array_append_new(create, json_string(name));
	} else if (json_array_size(running) > 1) {
		surge_excess(y, running, del);
	}
	json_decref(running);
}

static bool node_exists(const struct ds_sync *y, const char *name)
{
	json_t *node;
	size_t i;

	json_array_foreach(y->nodes, i, node)
		if (!strcmp(kube__meta_str(node, "name"), name))
			return true;
	return false;
}

void kube__ds_manage(struct ds_sync *y)
{
	json_t *del = json_array(), *create = json_array(), *node, *pods, *pod;
	const char *name;
	size_t i;

	json_array_foreach(y->nodes, i, node) {
		bool run, cont;

		kube__ds_node_should_run(y->ds, node, &run, &cont);
		pods = json_object_get(y->node_pods, kube__meta_str(node, "name"));
		if (run && !json_array_size(pods)) {
			json_array_append_new(create, json_string(kube__meta_str(node, "name")));
		} else if (cont) {
			keep_running(y, node, pods, run, del, create);
		} else {
			size_t j;

			json_array_foreach(pods, j, pod)
				if (!deleting(pod))
					json_array_append(del, pod);
		}
	}
	/* unbound pods for nodes that are gone (getUnscheduledPodsWithoutNode) */
	json_object_foreach(y->node_pods, name, pods) {
		if (node_exists(y, name))
			continue;
		json_array_foreach(pods, i, pod) {
			const char *bound = json_string_value(json_object_get(json_object_get(pod,
										"spec"), "nodeName"));

			if ((!bound || !*bound) && !deleting(pod))
				json_array_append(del, pod);
		}
	}
	kube__ds_sync_nodes(y, del, create);
	json_decref(del);
	json_decref(create);
}

/* ---- status -------------------------------------------------------------- */

enum { DESIRED, CURRENT, MISS, READY, UPDATED, AVAILABLE, UNAVAILABLE, NFIELDS };

static const char *const fields[NFIELDS] = {
	"desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled", "numberReady",
	"updatedNumberScheduled", "numberAvailable", "numberUnavailable",
};

static void count_node(struct ds_sync *y, const json_t *node, int64_t *v)
{
	json_t *pods = json_object_get(y->node_pods, kube__meta_str(node, "name")), *sorted;
	const json_t *pod;
	bool run, cont;

	kube__ds_node_should_run(y->ds, node, &run, &cont);
	if (!run) {
		v[MISS] += json_array_size(pods) > 0;
		return;
	}
	v[DESIRED]++;
	if (!json_array_size(pods))
		return;
	v[CURRENT]++;
	sorted = kube__ds_sorted(pods);
	pod = json_array_get(sorted, 0);
	if (kube__pod_ready(pod)) {
		v[READY]++;
		v[AVAILABLE] += kube__ds_available(y, pod);
	}
	v[UPDATED] += kube__ds_pod_updated(y->ds, pod, y->hash);
	json_decref(sorted);
}

void kube__ds_status(struct ds_sync *y)
{
	const json_t *old = json_object_get(y->ds, "status");
	int64_t v[NFIELDS] = { 0 }, gen;
	struct kube_op_opts o = { .status = true };
	json_t *node, *st, *copy;
	bool changed = false;
	size_t i;

	json_array_foreach(y->nodes, i, node)
		count_node(y, node, v);
	v[UNAVAILABLE] = v[DESIRED] - v[AVAILABLE];
	gen = json_integer_value(json_object_get(json_object_get(y->ds, "metadata"), "generation"));
	st = json_is_object(old) ? json_deep_copy(old) : json_object();
	for (int f = 0; f < NFIELDS; f++) {
		changed |= json_integer_value(json_object_get(st, fields[f])) != v[f] ||
			   !json_object_get(st, fields[f]);
		json_object_set_new(st, fields[f], json_integer(v[f]));
	}
	changed |= json_integer_value(json_object_get(st, "observedGeneration")) != gen;
	json_object_set_new(st, "observedGeneration", json_integer(gen));
	if (!changed) {
		json_decref(st);
		return;
	}
	copy = json_deep_copy(y->ds);
	json_object_set_new(copy, "status", st);
	kube__op_update(y->d->c, y->d->ds_kind, NULL, copy, &o, NULL, NULL);
}
