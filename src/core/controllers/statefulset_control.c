/*
 * The StatefulSet replica algorithm, as upstream's updateStatefulSet
 * (stateful_set_control.go): fill the ordinal range, in order and one at a
 * time for OrderedReady (each Running and Ready before the next) or all at
 * once for Parallel; remove pods beyond the range from the highest ordinal
 * down; then, for RollingUpdate, replace the highest-ordinal pod not at the
 * update revision, down to the partition, one at a time.
 */
#include <stdlib.h>
#include <string.h>
#include "core/controllers/statefulset.h"

static bool unavailable(struct sts_sync *y, const json_t *pod)
{
	return !kube__sts_available(y, pod) || kube__sts_terminating(pod);
}

static void count_one(struct sts_sync *y, const json_t *pod, int64_t *v)
{
	const char *rev = kube__sts_pod_revision(pod);

	if (kube__sts_created(pod))
		v[0]++;
	if (kube__sts_running_ready(pod)) {
		v[1]++;
		if (kube__sts_available(y, pod))
			v[2]++;
	}
	if (kube__sts_created(pod) && !kube__sts_terminating(pod)) {
		if (!strcmp(rev, y->current_rev))
			v[3]++;
		if (!strcmp(rev, y->update_rev))
			v[4]++;
	}
}

static void store_counts(struct sts_sync *y, const int64_t *v)
{
	static const char *const names[] = {
		"replicas", "readyReplicas", "availableReplicas", "currentReplicas",
		"updatedReplicas",
	};

	for (int i = 0; i < 5; i++)
		json_object_set_new(y->status, names[i], json_integer(v[i]));
}

void kube__sts_count(struct sts_sync *y)
{
	int64_t v[5] = { 0 };
	json_t *pod;
	size_t i;

	for (int k = 0; k < y->count; k++)
		count_one(y, y->replicas[k], v);
	json_array_foreach(y->condemned, i, pod)
		count_one(y, pod, v);
	store_counts(y, v);
}

/* processReplica: true when the pass must stop here (monotonic) or failed. */
static bool process_replica(struct sts_sync *y, int i)
{
	const json_t *pod = y->replicas[i];

	if (kube__sts_phase(pod, "Failed") || kube__sts_phase(pod, "Succeeded")) {
		/* a finished pod is replaced: delete it, create it on the next sync */
		if (!kube__sts_terminating(pod))
			kube__sts_delete_pod(y, pod);
		return true;
	}
	if (!kube__sts_created(pod)) {
		if (kube__sts_claim_stale(y, pod))
			return true;
		if (kube__sts_create_pod(y, pod, true))
			return true;
		if (y->monotonic)
			return true;
		return false;
	}
	if (kube__sts_phase(pod, "Pending"))
		kube__sts_create_pod(y, pod, false);
	if (y->monotonic && (kube__sts_terminating(pod) || !kube__sts_running_ready(pod) ||
			     !kube__sts_available(y, pod)))
		return true;
	if (kube__sts_identity_ok(y->set, pod) && kube__sts_storage_ok(y->set, pod) &&
	    kube__sts_fix_claims(y, pod))
		return false;
	kube__sts_update_pod(y, pod);
	return false;
}

/* processCondemned: delete one pod beyond the range when allowed. */
static bool process_condemned(struct sts_sync *y, const json_t *pod, const json_t *first_bad)
{
	if (kube__sts_terminating(pod))
		return y->monotonic;
	if (y->monotonic && pod != first_bad && unavailable(y, pod))
		return true;
	kube__sts_delete_pod(y, pod);
	return true;
}

/* The first unavailable pod among replicas, then condemned by ascending ordinal. */
static const json_t *first_unavailable(struct sts_sync *y)
{
	size_t n = json_array_size(y->condemned);

	for (int i = 0; i < y->count; i++)
		if (unavailable(y, y->replicas[i]))
			return y->replicas[i];
	for (size_t i = n; i > 0; i--)
		if (unavailable(y, json_array_get(y->condemned, i - 1)))
			return json_array_get(y->condemned, i - 1);
	return NULL;
}

/* Rolling update: replace the highest-ordinal outdated pod at or above the
 * partition, waiting while any of them is unavailable. */
static void rolling_update(struct sts_sync *y)
{
	const json_t *ru = json_object_get(json_object_get(json_object_get(y->set, "spec"),
						   "updateStrategy"), "rollingUpdate");
	int64_t partition = json_integer_value(json_object_get(ru, "partition"));

	for (int t = y->count - 1; t >= partition && t >= 0; t--) {
		const json_t *pod = y->replicas[t];

		if (strcmp(kube__sts_pod_revision(pod), y->update_rev) &&
		    !kube__sts_terminating(pod)) {
			kube__sts_delete_pod(y, pod);
			json_object_set_new(y->status, "currentReplicas", json_integer(
				json_integer_value(json_object_get(y->status, "currentReplicas")) - 1));
			return;
		}
		if (unavailable(y, pod))
			return;
	}
}

static bool on_delete(const json_t *set)
{
	const char *t = json_string_value(json_object_get(json_object_get(json_object_get(set,
					  "spec"), "updateStrategy"), "type"));

	return t && !strcmp(t, "OnDelete");
}

static bool run_replicas(struct sts_sync *y)
{
	for (int i = 0; i < y->count; i++)
		if (process_replica(y, i) && y->monotonic)
			return true;
	return y->s->sync_failed;
}

static bool run_condemned(struct sts_sync *y)
{
	const json_t *first_bad = first_unavailable(y), *pod;
	size_t i;

	json_array_foreach(y->condemned, i, pod)
		if (!kube__sts_fix_claims(y, pod) && y->s->sync_failed)
			return true;
	json_array_foreach(y->condemned, i, pod)
		if (process_condemned(y, pod, first_bad) && y->monotonic)
			return true;
	return y->s->sync_failed;
}

void kube__sts_update_replicas(struct sts_sync *y)
{
	kube__sts_count(y);
	if (kube__sts_terminating(y->set))
		return;
	if (run_replicas(y) || run_condemned(y)) {
		kube__sts_count(y);
		return;
	}
	kube__sts_count(y);
	if (!on_delete(y->set))
		rolling_update(y);
}
