/*
 * A Deployment's status (upstream sync.go calculateStatus and progress.go):
 * the counts summed over its ReplicaSets, Available from minimum
 * availability, Progressing from rollout progress against
 * progressDeadlineSeconds, ReplicaFailure promoted from a ReplicaSet.
 */
#include <stdio.h>
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

static void set_count(json_t *st, const char *field, int64_t v)
{
	if (v)
		json_object_set_new(st, field, json_integer(v));
}

/* calculateStatus. */
json_t *kube__d_calculate_status(struct dsync *s)
{
	json_t *all = all_rss(s), *st = json_object(), *old = json_object_get(s->d, "status");
	int64_t avail = kube__d_sum(all, "status.availableReplicas");
	int64_t total = kube__d_sum(all, "spec.replicas");
	int64_t want = kube__d_int(s->d, "spec.replicas");

	set_count(st, "observedGeneration", kube__d_int(s->d, "metadata.generation"));
	set_count(st, "replicas", kube__d_sum(all, "status.replicas"));
	set_count(st, "updatedReplicas", kube__d_int(s->new_rs, "status.replicas"));
	set_count(st, "readyReplicas", kube__d_sum(all, "status.readyReplicas"));
	set_count(st, "availableReplicas", avail);
	set_count(st, "unavailableReplicas", total - avail > 0 ? total - avail : 0);
	if (json_object_get(old, "collisionCount"))
		json_object_set(st, "collisionCount", json_object_get(old, "collisionCount"));
	if (json_array_size(json_object_get(old, "conditions")))
		json_object_set_new(st, "conditions",
				    json_deep_copy(json_object_get(old, "conditions")));
	if (avail >= want - kube__d_max_unavailable(s->d))
		kube__d_set_condition(st, kube__d_new_condition(s->dc->c, "Available", "True",
				      "MinimumReplicasAvailable", "Deployment has minimum availability."));
	else
		kube__d_set_condition(st, kube__d_new_condition(s->dc->c, "Available", "False",
				      "MinimumReplicasUnavailable",
				      "Deployment does not have minimum availability."));
	json_decref(all);
	return st;
}

/* DeploymentComplete. */
bool kube__d_complete(const json_t *d, const json_t *st)
{
	int64_t want = kube__d_int(d, "spec.replicas");

	return kube__d_int(st, "updatedReplicas") == want && kube__d_int(st, "replicas") == want &&
	       kube__d_int(st, "availableReplicas") == want &&
	       kube__d_int(st, "observedGeneration") >= kube__d_int(d, "metadata.generation");
}

/* DeploymentProgressing: more updated, fewer old, more ready or available pods. */
static bool progressing(const json_t *d, const json_t *st)
{
	const json_t *old = json_object_get(d, "status");

	return kube__d_int(st, "updatedReplicas") > kube__d_int(old, "updatedReplicas") ||
	       kube__d_int(st, "replicas") - kube__d_int(st, "updatedReplicas") <
		       kube__d_int(old, "replicas") - kube__d_int(old, "updatedReplicas") ||
	       kube__d_int(st, "readyReplicas") > kube__d_int(old, "readyReplicas") ||
	       kube__d_int(st, "availableReplicas") > kube__d_int(old, "availableReplicas");
}

static const char *reason_of(const json_t *cond)
{
	return json_string_value(json_object_get(cond, "reason")) ?: "";
}

/* DeploymentTimedOut. */
static bool timed_out(struct dsync *s, const json_t *st)
{
	const json_t *cond = kube__d_condition(st, "Progressing");
	int64_t from;

	if (!kube__d_has_deadline(s->d) || !cond || !strcmp(reason_of(cond), "NewReplicaSetAvailable"))
		return false;
	if (!strcmp(reason_of(cond), "ProgressDeadlineExceeded"))
		return true;
	from = kube__parse_rfc3339(json_string_value(json_object_get(cond, "lastUpdateTime")));
	return from + kube__d_int(s->d, "spec.progressDeadlineSeconds") * 1000 <
	       kube__now_ms(s->dc->c);
}

static void progress_condition(struct dsync *s, json_t *st, const char *status,
			       const char *reason, const char *rs_fmt, const char *d_fmt)
{
	char msg[512];

	if (s->new_rs)
		snprintf(msg, sizeof(msg), rs_fmt, kube__meta_str(s->new_rs, "name"));
	else
		snprintf(msg, sizeof(msg), d_fmt, kube__meta_str(s->d, "name"));
	kube__d_set_condition(st, kube__d_new_condition(s->dc->c, "Progressing", status, reason, msg));
}

static void update_progress(struct dsync *s, json_t *st)
{
	const json_t *cur = kube__d_condition(json_object_get(s->d, "status"), "Progressing");
	json_t *cond;

	if (kube__d_complete(s->d, st)) {
		progress_condition(s, st, "True", "NewReplicaSetAvailable",
				   "ReplicaSet \"%s\" has successfully progressed.",
				   "Deployment \"%s\" has successfully progressed.");
	} else if (progressing(s->d, st)) {
		/* every step of progress refreshes lastUpdateTime: the deadline restarts */
		json_t *keep = cur && !strcmp(json_string_value(json_object_get(cur, "status")) ?: "",
					      "True") ?
			       json_incref(json_object_get(cur, "lastTransitionTime")) : NULL;

		kube__d_remove_condition(st, "Progressing");
		progress_condition(s, st, "True", "ReplicaSetUpdated",
				   "ReplicaSet \"%s\" is progressing.",
				   "Deployment \"%s\" is progressing.");
		cond = kube__d_condition(st, "Progressing");
		if (keep && cond)
			json_object_set(cond, "lastTransitionTime", keep);
		json_decref(keep);
	} else if (timed_out(s, st)) {
		progress_condition(s, st, "False", "ProgressDeadlineExceeded",
				   "ReplicaSet \"%s\" has timed out progressing.",
				   "Deployment \"%s\" has timed out progressing.");
	}
}

/* getReplicaFailures: the new ReplicaSet's ReplicaFailure first, then old ones'. */
static json_t *replica_failure(struct dsync *s)
{
	json_t *all = json_array(), *rs, *out = NULL;
	size_t i;

	if (s->new_rs)
		json_array_append(all, s->new_rs);
	json_array_extend(all, s->old_rss);
	json_array_foreach(all, i, rs) {
		json_t *c = kube__d_condition(json_object_get(rs, "status"), "ReplicaFailure");

		if (c && !out)
			out = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "type", "ReplicaFailure",
					"status", json_object_get(c, "status"), "lastUpdateTime",
					json_object_get(c, "lastTransitionTime"), "lastTransitionTime",
					json_object_get(c, "lastTransitionTime"), "reason",
					json_object_get(c, "reason"), "message", json_object_get(c, "message"));
	}
	json_decref(all);
	return out;
}

static int write_new_status(struct dsync *s, json_t *st)
{
	json_object_set_new(s->d, "status", st);
	kube__d_write_status(s);
	return s->err;
}

/* syncRolloutStatus. */
int kube__d_sync_rollout_status(struct dsync *s)
{
	json_t *st = kube__d_calculate_status(s), *fail;
	const json_t *cur = kube__d_condition(json_object_get(s->d, "status"), "Progressing");
	bool complete;

	if (!kube__d_has_deadline(s->d))
		kube__d_remove_condition(st, "Progressing");
	complete = kube__d_int(st, "replicas") == kube__d_int(st, "updatedReplicas") && cur &&
		   !strcmp(reason_of(cur), "NewReplicaSetAvailable");
	if (kube__d_has_deadline(s->d) && !complete)
		update_progress(s, st);
	fail = replica_failure(s);
	if (fail)
		kube__d_set_condition(st, fail);
	else
		kube__d_remove_condition(st, "ReplicaFailure");
	return write_new_status(s, st);
}

/* syncDeploymentStatus. */
int kube__d_sync_status(struct dsync *s)
{
	return write_new_status(s, kube__d_calculate_status(s));
}

/* checkPausedConditions. */
void kube__d_check_paused(struct dsync *s)
{
	json_t *st = json_object_get(s->d, "status");
	const json_t *cond = kube__d_condition(st, "Progressing");
	bool paused = json_is_true(json_object_get(json_object_get(s->d, "spec"), "paused"));
	bool has = cond && !strcmp(reason_of(cond), "DeploymentPaused");

	if (!kube__d_has_deadline(s->d) || (cond && !strcmp(reason_of(cond), "ProgressDeadlineExceeded")))
		return;
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(s->d, "status", st);
	}
	if (paused && !has)
		kube__d_set_condition(st, kube__d_new_condition(s->dc->c, "Progressing", "Unknown",
				      "DeploymentPaused", "Deployment is paused"));
	else if (!paused && has)
		kube__d_set_condition(st, kube__d_new_condition(s->dc->c, "Progressing", "Unknown",
				      "DeploymentResumed", "Deployment is resumed"));
	else
		return;
	kube__d_write_status(s);
}
