/*
 * RollingUpdate (upstream rolling.go). At every step the total of the
 * ReplicaSets' spec.replicas stays within replicas + maxSurge, and old pods
 * are scaled down only as far as the available ones stay at or above
 * replicas - maxUnavailable (counting new pods that are not yet available
 * as unavailable).
 */
#include "core/controllers/deployment_internal.h"

static json_t *all_rss(struct dsync *s)
{
	json_t *all = json_copy(s->old_rss);

	if (s->new_rs)
		json_array_append(all, s->new_rs);
	return all;
}

/* reconcileNewReplicaSet. */
static bool reconcile_new(struct dsync *s)
{
	int64_t replicas = kube__d_int(s->d, "spec.replicas");
	int64_t cur = kube__d_int(s->new_rs, "spec.replicas");
	json_t *all;
	int64_t n;

	if (cur == replicas)
		return false;
	if (cur > replicas)
		return kube__d_scale_rs(s, s->new_rs, replicas, NULL);
	all = all_rss(s);
	n = kube__d_new_rs_replicas(s->d, all, s->new_rs);
	json_decref(all);
	return kube__d_scale_rs(s, s->new_rs, n, NULL);
}

/* cleanupUnhealthyReplicas: old ReplicaSets lose their unavailable pods first. */
static int64_t cleanup_unhealthy(struct dsync *s, json_t *olds, int64_t max_cleanup)
{
	int64_t total = 0;
	json_t *rs;
	size_t i;

	kube__d_sort_by_creation(olds, false);
	json_array_foreach(olds, i, rs) {
		int64_t size = kube__d_int(rs, "spec.replicas");
		int64_t avail = kube__d_int(rs, "status.availableReplicas"), down;

		if (total >= max_cleanup)
			break;
		if (!size || size == avail)
			continue;
		down = max_cleanup - total < size - avail ? max_cleanup - total : size - avail;
		kube__d_scale_rs(s, rs, size - down, NULL);
		total += down;
	}
	return total;
}

/* scaleDownOldReplicaSetsForRollingUpdate. */
static int64_t scale_down_old(struct dsync *s, json_t *olds)
{
	json_t *all = all_rss(s), *rs;
	int64_t min_avail = kube__d_int(s->d, "spec.replicas") - kube__d_max_unavailable(s->d);
	int64_t avail = kube__d_sum(all, "status.availableReplicas"), total = 0, want;
	size_t i;

	json_decref(all);
	if (avail <= min_avail)
		return 0;
	want = avail - min_avail;
	kube__d_sort_by_creation(olds, false);
	json_array_foreach(olds, i, rs) {
		int64_t size = kube__d_int(rs, "spec.replicas"), down;

		if (total >= want)
			break;
		if (!size)
			continue;
		down = size < want - total ? size : want - total;
		kube__d_scale_rs(s, rs, size - down, NULL);
		total += down;
	}
	return total;
}

/* reconcileOldReplicaSets. */
static bool reconcile_old(struct dsync *s)
{
	json_t *olds = kube__d_active(s->old_rss, NULL), *all;
	int64_t min_avail, unavailable_new, max_down, cleaned, all_pods;
	bool scaled = false;

	if (!kube__d_sum(olds, "spec.replicas"))
		goto done;
	all = all_rss(s);
	all_pods = kube__d_sum(all, "spec.replicas");
	json_decref(all);
	min_avail = kube__d_int(s->d, "spec.replicas") - kube__d_max_unavailable(s->d);
	unavailable_new = kube__d_int(s->new_rs, "spec.replicas") -
			  kube__d_int(s->new_rs, "status.availableReplicas");
	max_down = all_pods - min_avail - unavailable_new;
	if (max_down <= 0)
		goto done;
	cleaned = cleanup_unhealthy(s, olds, max_down);
	scaled = cleaned + scale_down_old(s, olds) > 0;
done:
	json_decref(olds);
	return scaled;
}

/* rolloutRolling. */
int kube__d_rollout_rolling(struct dsync *s)
{
	int err = kube__d_new_and_old(s, true);

	if (err)
		return err;
	if (reconcile_new(s) || reconcile_old(s))
		return kube__d_sync_rollout_status(s);
	if (kube__d_complete(s->d, json_object_get(s->d, "status")))
		kube__d_cleanup(s);
	return kube__d_sync_rollout_status(s);
}
