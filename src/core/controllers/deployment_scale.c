/*
 * Scaling a Deployment without rolling it (upstream sync.go: sync, scale,
 * isScalingEvent): when spec.replicas changes mid-rollout, or while paused,
 * the difference is spread over the active ReplicaSets in proportion to
 * their size (GetProportion), the leftover going to the largest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/controllers/deployment_internal.h"

static json_t *all_rss(struct dsync *s)
{
	json_t *all = json_copy(s->old_rss);

	if (s->new_rs)
		json_array_append(all, s->new_rs);
	return all;
}

/* isScalingEvent: an active ReplicaSet was sized for another replica count. */
bool kube__d_is_scaling_event(struct dsync *s)
{
	json_t *all, *active, *rs;
	int64_t want = kube__d_int(s->d, "spec.replicas");
	bool scaling = false;
	size_t i;

	if (kube__d_new_and_old(s, false))
		return false;
	all = all_rss(s);
	active = kube__d_active(all, NULL);
	json_array_foreach(active, i, rs) {
		const char *desired = kube__d_annotation(rs, DEPLOY_DESIRED);

		if (desired && strtoll(desired, NULL, 10) != want)
			scaling = true;
	}
	json_decref(active);
	json_decref(all);
	return scaling;
}

/* FindActiveOrLatest: the only active ReplicaSet, or the newest when none is. */
static json_t *active_or_latest(struct dsync *s)
{
	json_t *olds = json_copy(s->old_rss), *active, *out = NULL;

	kube__d_sort_by_creation(olds, true);
	active = kube__d_active(olds, s->new_rs);
	if (!s->new_rs && !json_array_size(olds))
		out = NULL;
	else if (json_array_size(active) == 1)
		out = json_array_get(active, 0);
	else if (!json_array_size(active))
		out = s->new_rs ? s->new_rs : json_array_get(olds, 0);
	json_decref(active);
	json_decref(olds);
	return out; /* an element of s->rss: stays valid */
}

/* IsSaturated. */
static bool saturated(const json_t *d, const json_t *rs)
{
	const char *desired = kube__d_annotation(rs, DEPLOY_DESIRED);
	int64_t want = kube__d_int(d, "spec.replicas");

	return rs && desired && strtoll(desired, NULL, 10) == want &&
	       kube__d_int(rs, "status.availableReplicas") == want &&
	       kube__d_int(rs, "spec.replicas") == want;
}

/* getReplicaSetFraction. */
static int64_t fraction(const json_t *d, const json_t *rs)
{
	int64_t replicas = kube__d_int(d, "spec.replicas"), size = kube__d_int(rs, "spec.replicas");
	int64_t total = replicas + kube__d_max_surge(d), annotated;
	const char *max = kube__d_annotation(rs, DEPLOY_MAX);

	if (!replicas)
		return -size;
	annotated = max ? strtoll(max, NULL, 10) : kube__d_int(d, "status.replicas");
	if (!annotated)
		return 0;
	return (int64_t)llround((double)(size * total) / (double)annotated) - size;
}

/* GetProportion. */
static int64_t proportion(const json_t *d, const json_t *rs, int64_t to_add, int64_t added)
{
	int64_t f, allowed;

	if (!rs || !kube__d_int(rs, "spec.replicas") || !to_add || to_add == added)
		return 0;
	f = fraction(d, rs);
	allowed = to_add - added;
	if (to_add > 0)
		return f < allowed ? f : allowed;
	return f > allowed ? f : allowed;
}

static void scale_proportionally(struct dsync *s)
{
	json_t *active = kube__d_active(s->old_rss, s->new_rs), *rs;
	int64_t replicas = kube__d_int(s->d, "spec.replicas");
	int64_t allowed = replicas > 0 ? replicas + kube__d_max_surge(s->d) : 0;
	int64_t to_add = allowed - kube__d_sum(active, "spec.replicas"), added = 0;
	size_t n = json_array_size(active), i;
	int64_t *sizes = calloc(n ? n : 1, sizeof(*sizes));
	const char *op = to_add > 0 ? "up" : to_add < 0 ? "down" : "";

	if (!sizes)
		goto done;
	if (to_add)
		kube__d_sort_by_size(active, to_add > 0);
	json_array_foreach(active, i, rs) {
		int64_t p = proportion(s->d, rs, to_add, added);

		sizes[i] = kube__d_int(rs, "spec.replicas") + p;
		added += p;
	}
	json_array_foreach(active, i, rs) {
		if (!i && to_add) {
			sizes[i] += to_add - added;
			if (sizes[i] < 0)
				sizes[i] = 0;
		}
		kube__d_scale_rs(s, rs, sizes[i], op);
	}
done:
	free(sizes);
	json_decref(active);
}

/* scale. */
static void scale(struct dsync *s)
{
	json_t *one = active_or_latest(s), *active, *rs;
	size_t i;

	if (one) {
		kube__d_scale_rs(s, one, kube__d_int(s->d, "spec.replicas"), NULL);
		return;
	}
	if (saturated(s->d, s->new_rs)) {
		active = kube__d_active(s->old_rss, NULL);
		json_array_foreach(active, i, rs)
			kube__d_scale_rs(s, rs, 0, NULL);
		json_decref(active);
		return;
	}
	if (kube__d_rolling(s->d))
		scale_proportionally(s);
}

/* sync: scale (scaling event or paused), clean up when paused, then status. */
int kube__d_sync_scale(struct dsync *s)
{
	int err = kube__d_new_and_old(s, false);

	if (err)
		return err;
	scale(s);
	if (json_is_true(json_object_get(json_object_get(s->d, "spec"), "paused")))
		kube__d_cleanup(s);
	return kube__d_sync_status(s);
}
