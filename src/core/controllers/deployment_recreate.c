/*
 * Recreate (upstream recreate.go): scale every old ReplicaSet to zero, wait
 * until none of their pods is left running, then create or scale up the
 * new ReplicaSet.
 */
#include <string.h>
#include "core/ops.h"
#include "core/controllers/deployment_internal.h"

/* oldPodsRunning: old ReplicaSets still report pods, or own a non-terminal pod. */
static bool old_pods_running(struct dsync *s)
{
	json_t *rs, *v;
	const char *key;
	size_t i;

	if (kube__d_sum(s->old_rss, "status.replicas") > 0)
		return true;
	json_array_foreach(s->old_rss, i, rs) {
		json_object_foreach((json_t *)kube__oidx_owned(&s->dc->pods, kube__meta_str(rs, "uid")),
				    key, v) {
			const json_t *pod = store_get(s->dc->c->store, key);
			const char *phase = json_string_value(json_object_get(
				json_object_get(pod, "status"), "phase"));

			if (pod && !(phase && (!strcmp(phase, "Failed") || !strcmp(phase, "Succeeded"))))
				return true;
		}
	}
	return false;
}

int kube__d_rollout_recreate(struct dsync *s)
{
	json_t *active, *rs;
	bool scaled = false;
	size_t i;
	int err = kube__d_new_and_old(s, false);

	if (err)
		return err;
	active = kube__d_active(s->old_rss, NULL);
	json_array_foreach(active, i, rs)
		scaled |= kube__d_scale_rs(s, rs, 0, NULL);
	json_decref(active);
	if (scaled || old_pods_running(s))
		return kube__d_sync_rollout_status(s);
	if (!s->new_rs && (err = kube__d_new_and_old(s, true)))
		return err;
	kube__d_scale_rs(s, s->new_rs, kube__d_int(s->d, "spec.replicas"), NULL);
	if (kube__d_complete(s->d, json_object_get(s->d, "status")))
		kube__d_cleanup(s);
	return kube__d_sync_rollout_status(s);
}
