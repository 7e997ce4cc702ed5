/*
 * Which pods a ReplicaSet deletes first: upstream's ActivePodsWithRanks
 * (pkg/controller/controller_utils.go) with the PodDeletionCost and
 * LogarithmicScaleDown features on, as they are by default in 1.32:
 *   1. unassigned < assigned
 *   2. Pending < Unknown < Running
 *   3. not ready < ready
 *   4. lower controller.kubernetes.io/pod-deletion-cost < higher
 *   5. more related pods on the same node < fewer ("doubled up" first)
 *   6. ready more recently < longer (by power-of-two buckets of age)
 *   7. more container restarts < fewer
 *   8. created more recently < earlier (power-of-two buckets), then by uid.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/controllers/podutil.h"
#include "core/controllers/replicaset_internal.h"

struct ranked {
	json_t *pod;
	const char *node;   /* spec.nodeName or "" */
	int phase;          /* Pending 0, Unknown 1, Running 2 */
	bool ready;
	int64_t cost;       /* pod-deletion-cost */
	int64_t rank;       /* related pods on the same node */
	int64_t ready_ms;   /* Ready since (0: unknown) */
	int64_t restarts;   /* max container restart count */
	int64_t created_ms; /* creationTimestamp (0: none) */
	const char *uid;
};

static int phase_ordinal(const json_t *pod)
{
	const char *p = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	if (p && !strcmp(p, "Unknown"))
		return 1;
	if (p && !strcmp(p, "Running"))
		return 2;
	return 0;
}

static int64_t max_restarts(const json_t *pod)
{
	static const char *const lists[] = { "containerStatuses", "initContainerStatuses", NULL };
	const json_t *st = json_object_get(pod, "status");
	int64_t max = 0;
	json_t *cs;
	size_t i;

	for (int l = 0; lists[l]; l++)
		json_array_foreach(json_object_get(st, lists[l]), i, cs) {
			int64_t n = json_integer_value(json_object_get(cs, "restartCount"));

			if (n > max)
				max = n;
		}
	return max;
}

static int64_t deletion_cost(const json_t *pod)
{
	const char *v = json_string_value(json_object_get(json_object_get(json_object_get(pod,
				"metadata"), "annotations"), "controller.kubernetes.io/pod-deletion-cost"));

	return v ? strtoll(v, NULL, 10) : 0;
}

/* afterOrZero: a zero time sorts first, else the later one. */
static bool after_or_zero(int64_t a, int64_t b)
{
	if (!a || !b)
		return !a;
	return a > b;
}

/* logarithmicRankDiff: compare floor(log2(age in ns)) of the two times. */
static int64_t log_rank_diff(int64_t now, int64_t a, int64_t b)
{
	double da = (double)(now - a) * 1e6, db = (double)(now - b) * 1e6;
	int64_t ra = da > 0 ? (int64_t)log2(da) : -1, rb = db > 0 ? (int64_t)log2(db) : -1;

	return ra - rb;
}

/* The LogarithmicScaleDown comparison of two times: <0 when @p x goes first. */
static int compare_times(const struct ranked *x, const struct ranked *y, int64_t a, int64_t b,
			 int64_t now)
{
	int64_t d;

	if (!a || !b)
		return after_or_zero(a, b) ? -1 : 1;
	d = log_rank_diff(now, a, b);
	if (d)
		return d < 0 ? -1 : 1;
	return strcmp(x->uid, y->uid) < 0 ? -1 : 1;
}

static int compare(const void *pa, const void *pb, void *arg)
{
	const struct ranked *x = pa, *y = pb;
	int64_t now = *(const int64_t *)arg;

	if (strcmp(x->node, y->node) && (!*x->node || !*y->node))
		return !*x->node ? -1 : 1;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	if (x->ready != y->ready)
		return !x->ready ? -1 : 1;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	if (x->ready && y->ready && x->ready_ms != y->ready_ms)
		return compare_times(x, y, x->ready_ms, y->ready_ms, now);
	if (x->restarts != y->restarts)
		return x->restarts > y->restarts ? -1 : 1;
	if (x->created_ms != y->created_ms)
		return compare_times(x, y, x->created_ms, y->created_ms, now);
	return 0;
}

static int64_t time_of(const char *s)
{
	int64_t t = s ? kube__parse_rfc3339(s) : -1;

	return t > 0 ? t : 0;
}

static void fill(struct ranked *it, json_t *pod, const json_t *per_node)
{
	const json_t *ready = kube__condition(pod, "Ready");

	it->pod = pod;
	it->node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
	if (!it->node)
		it->node = "";
	it->phase = phase_ordinal(pod);
	it->ready = kube__pod_ready(pod);
	it->cost = deletion_cost(pod);
	it->rank = *it->node ? json_integer_value(json_object_get(per_node, it->node)) : 0;
	it->ready_ms = it->ready ? time_of(json_string_value(json_object_get(ready,
							"lastTransitionTime"))) : 0;
	it->restarts = max_restarts(pod);
	it->created_ms = time_of(kube__meta_str(pod, "creationTimestamp"));
	it->uid = kube__meta_str(pod, "uid") ?: "";
}

/* Active related pods per node name. */
static json_t *count_per_node(const json_t *related)
{
	json_t *per = json_object(), *pod;
	size_t i;

	json_array_foreach(related, i, pod) {
		const char *n = json_string_value(json_object_get(json_object_get(pod, "spec"),
								  "nodeName"));

		if (n && *n)
			json_object_set_new(per, n, json_integer(
				json_integer_value(json_object_get(per, n)) + 1));
	}
	return per;
}

void kube__rs_rank_pods(json_t *pods, const json_t *related, int64_t now_ms)
{
	size_t n = json_array_size(pods), i;
	struct ranked *items = calloc(n ? n : 1, sizeof(*items));
	json_t *per = count_per_node(related), *sorted = json_array();

	if (!items || !sorted)
		goto cleanup;
	for (i = 0; i < n; i++)
		fill(&items[i], json_array_get(pods, i), per);
	qsort_r(items, n, sizeof(*items), compare, &now_ms);
	for (i = 0; i < n; i++)
		json_array_append(sorted, items[i].pod);
	json_array_clear(pods);
	json_array_extend(pods, sorted);
cleanup:
	json_decref(sorted);
	json_decref(per);
	free(items);
}
