/*
 * syncJob (job.h), as upstream's: count the Job's pods, decide whether it
 * has succeeded or failed (backoffLimit, activeDeadlineSeconds), make or
 * remove pods, and track finished pods through status.uncountedTerminatedPods
 * and the batch.kubernetes.io/job-tracking finalizer before they enter
 * the succeeded/failed counters. The terminal condition is preceded by
 * SuccessCriteriaMet or FailureTarget and set only once no pod is left
 * terminating, as in 1.31+.
 */
#include <stdlib.h>
#include <string.h>
#include "core/controllers/job.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/jsonutil.h"
#include "core/ops.h"

static const char *phase(const json_t *pod)
{
	return kube__jstr0(pod, "status.phase");
}

static bool cond_true(const json_t *job, const char *type)
{
	return !strcmp(kube__jstr0(kube__condition(job, type), "status"), "True");
}

static bool in_list(const json_t *arr, const char *uid)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v) ?: "", uid))
			return true;
	return false;
}

static json_t *uncounted_list(struct job_ctx *x, const char *which)
{
	json_t *l = json_object_get(x->uncounted, which);

	if (!json_is_array(l)) {
		l = json_array();
		json_object_set_new(x->uncounted, which, l);
	}
	return l;
}

static int64_t count_of(const json_t *status, const char *field)
{
	return json_integer_value(json_object_get(status, field));
}

/* Counters are omitempty upstream: absent when zero. */
static void set_count(json_t *status, const char *field, int64_t n)
{
	if (n)
		json_object_set_new(status, field, json_integer(n));
	else
		json_object_del(status, field);
}

/* ---- the sync's view ------------------------------------------------------- */

static bool valid_index(const struct job_ctx *x, const json_t *pod)
{
	int64_t ix = kube__job_pod_index(pod);

	return !x->indexed || (ix >= 0 && ix < x->completions);
}

struct pod_scan {
	struct job_ctx *x;
	const char *uid;
};

static int scan_pod(const char *key, const json_t *pod, void *data)
{
	struct pod_scan *s = data;
	const json_t *meta = json_object_get(pod, "metadata");
	const char *ph = phase(pod);

	(void)key;
	if (!kube__controlled_by(pod, s->uid))
		return 0;
	json_array_append(s->x->pods, (json_t *)pod); /* a reference: the store may replace it */
	if (kube__pod_active(pod)) {
		json_array_append(s->x->active, (json_t *)pod);
		s->x->ready += kube__pod_ready(pod);
	}
	if (json_object_get(meta, "deletionTimestamp") && strcmp(ph, "Succeeded") && strcmp(ph, "Failed"))
		s->x->terminating++;
	return 0;
}

static int ctx_init(struct job_ctx *x, struct jobc *jc, const char *key, const json_t *stored)
{
	json_t *spec = json_object_get(stored, "spec"), *c;
	char *prefix;
	struct pod_scan s = { x, kube__meta_str(stored, "uid") };

	memset(x, 0, sizeof(*x));
	x->jc = jc;
	x->key = key;
	x->job = json_deep_copy(stored);
	if (!json_is_object(json_object_get(x->job, "status")))
		json_object_set_new(x->job, "status", json_object());
	x->status = json_object_get(x->job, "status");
	if (!json_is_object(json_object_get(x->status, "uncountedTerminatedPods")))
		json_object_set_new(x->status, "uncountedTerminatedPods", json_object());
	x->uncounted = json_object_get(x->status, "uncountedTerminatedPods");
	c = json_object_get(spec, "completions");
	x->completions = json_is_integer(c) ? json_integer_value(c) : -1;
	x->indexed = !strcmp(kube__jstr0(spec, "completionMode"), "Indexed") && x->completions >= 0;
	x->pods = json_array();
	x->active = json_array();
	prefix = kube__key_prefix(jc->pods, kube__meta_str(stored, "namespace"));
	if (prefix)
		store_list(jc->c->store, prefix, scan_pod, &s);
	free(prefix);
	if (x->indexed) {
		x->done_ix = calloc((size_t)x->completions + 1, 1);
		x->prev_ix = calloc((size_t)x->completions + 1, 1);
		if (!x->done_ix || !x->prev_ix)
			return KUBE_ENOMEM;
	}
	return 0;
}

static void ctx_free(struct job_ctx *x)
{
	json_decref(x->job);
	json_decref(x->pods);
	json_decref(x->active);
	json_decref(x->finished);
	free(x->done_ix);
	free(x->prev_ix);
}

/* getNewFinishedPods: tracked pods not yet in uncountedTerminatedPods. */
static json_t *new_finished(struct job_ctx *x, bool succeeded)
{
	const json_t *l = json_object_get(x->uncounted, succeeded ? "succeeded" : "failed"), *p;
	json_t *out = json_array();
	size_t i;

	json_array_foreach(x->pods, i, p) {
		if (!kube__job_pod_has_finalizer(p) || in_list(l, kube__meta_str(p, "uid")) ||
		    !valid_index(x, p))
			continue;
		if (succeeded ? !strcmp(phase(p), "Succeeded") : kube__job_pod_failed(x->job, p))
			json_array_append(out, (json_t *)p);
	}
	return out;
}

static int64_t latest_finish(const json_t *pods, int64_t after, int64_t *n)
{
	int64_t latest = 0, t;
	const json_t *p;
	size_t i;

	json_array_foreach(pods, i, p) {
		t = kube__job_pod_finish_ms(p);
		if (t > after) {
			(*n)++;
			latest = t > latest ? t : latest;
		}
	}
	return latest;
}

/* newBackoffRecord: consecutive failures since the last success, and the last one's time. */
static void backoff_record(struct job_ctx *x, const json_t *ok, const json_t *bad)
{
	json_t *rec = json_object_get(x->jc->backoff, x->key);
	int64_t n = 0, last_ok;

	x->bk_n = json_integer_value(json_object_get(rec, "n"));
	x->bk_at = json_integer_value(json_object_get(rec, "at"));
	if (!json_array_size(ok)) {
		if (json_array_size(bad)) {
			x->bk_at = latest_finish(bad, INT64_MIN, &n);
			x->bk_n += n;
		}
		return;
	}
	last_ok = latest_finish(ok, INT64_MIN, &n);
	n = 0;
	x->bk_at = latest_finish(bad, last_ok, &n);
	x->bk_n = n;
}

static void count_pods(struct job_ctx *x)
{
	json_t *ok = new_finished(x, true), *bad = new_finished(x, false);

	x->succeeded = count_of(x->status, "succeeded") + (int64_t)json_array_size(ok) +
		       (int64_t)json_array_size(json_object_get(x->uncounted, "succeeded"));
	x->failed = count_of(x->status, "failed") + (int64_t)json_array_size(bad) +
		    (int64_t)json_array_size(json_object_get(x->uncounted, "failed"));
	backoff_record(x, ok, bad);
	json_decref(ok);
	json_decref(bad);
}

/* calculateSucceededIndexes: completedIndexes plus tracked succeeded pods. */
static void count_indexes(struct job_ctx *x)
{
	const json_t *p;
	size_t i;

	kube__job_parse_indexes(kube__jstr0(x->status, "completedIndexes"), x->prev_ix, x->completions);
	memcpy(x->done_ix, x->prev_ix, (size_t)x->completions);
	json_array_foreach(x->pods, i, p)
		if (!strcmp(phase(p), "Succeeded") && valid_index(x, p) && kube__job_pod_has_finalizer(p))
			x->done_ix[kube__job_pod_index(p)] = 1;
	x->succeeded = kube__job_count_indexes(x->done_ix, x->completions);
}

/* ---- deciding ------------------------------------------------------------------ */

static bool suspended(const json_t *job)
{
	return json_is_true(json_object_get(json_object_get(job, "spec"), "suspend"));
}

/* pastBackoffLimitOnFailure: container restarts of running pods count for OnFailure. */
static bool past_backoff_on_failure(const struct job_ctx *x, int64_t limit)
{
	const json_t *spec = json_object_get(json_object_get(x->job, "spec"), "template");
	static const char *const lists[] = { "initContainerStatuses", "containerStatuses" };
	const json_t *p, *cs;
	int64_t restarts = 0;
	size_t i, j;

	if (strcmp(kube__jstr0(spec, "spec.restartPolicy"), "OnFailure"))
		return false;
	json_array_foreach(x->pods, i, p) {
		if (strcmp(phase(p), "Running") && strcmp(phase(p), "Pending"))
			continue;
		for (int l = 0; l < 2; l++)
			json_array_foreach(json_object_get(json_object_get(p, "status"), lists[l]), j, cs)
				restarts += json_integer_value(json_object_get(cs, "restartCount"));
	}
	return limit == 0 ? restarts > 0 : restarts >= limit;
}

static int64_t start_ms(const struct job_ctx *x)
{
	return kube__parse_rfc3339(kube__jstr0(x->status, "startTime"));
}

static json_t *failure(struct job_ctx *x, const char *reason, const char *message)
{
	return kube__job_condition(x->jc->c, "FailureTarget", "True", reason, message);
}

/* The terminal path the Job is on: kept from an earlier sync, or a failure found now. */
static void decide_failure(struct job_ctx *x)
{
	const json_t *spec = json_object_get(x->job, "spec"), *ft;
	int64_t limit = json_integer_value(json_object_get(spec, "backoffLimit"));
	const json_t *ads = json_object_get(spec, "activeDeadlineSeconds");
	int64_t now = kube__now_ms(x->jc->c), left;

	if (cond_true(x->job, "SuccessCriteriaMet")) {
		x->finished = json_deep_copy(kube__condition(x->job, "SuccessCriteriaMet"));
		return;
	}
	if ((ft = kube__condition(x->job, "FailureTarget")) && cond_true(x->job, "FailureTarget")) {
		x->finished = kube__job_condition(x->jc->c, "Failed", "True", kube__jstr0(ft, "reason"),
						  kube__jstr0(ft, "message"));
		return;
	}
	if (x->failed > limit || past_backoff_on_failure(x, limit)) {
		x->finished = failure(x, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
		return;
	}
	if (!json_is_integer(ads) || suspended(x->job) || start_ms(x) < 0)
		return;
	left = json_integer_value(ads) * 1000 - (now - start_ms(x));
	if (left <= 0)
		x->finished = failure(x, "DeadlineExceeded", "Job was active longer than specified deadline");
	else
		kube__job_enqueue_after(x->jc, x->key, left);
}

/* ensureJobConditionStatus: true when the list changed. */
static bool ensure_condition(struct job_ctx *x, const char *type, const char *status,
			     const char *reason, const char *message)
{
	json_t *conds = json_object_get(x->status, "conditions"), *c;
	size_t i;

	json_array_foreach(conds, i, c) {
		if (strcmp(kube__jstr0(c, "type"), type))
			continue;
		if (!strcmp(kube__jstr0(c, "status"), status) && !strcmp(kube__jstr0(c, "reason"), reason) &&
		    !strcmp(kube__jstr0(c, "message"), message))
			return false;
		json_array_set_new(conds, i, kube__job_condition(x->jc->c, type, status, reason, message));
		return true;
	}
	if (!strcmp(status, "False"))
		return false;
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(x->status, "conditions", conds);
	}
	json_array_append_new(conds, kube__job_condition(x->jc->c, type, status, reason, message));
	return true;
}

static void suspend_condition(struct job_ctx *x)
{
	char ts[32];

	if (suspended(x->job)) {
		if (ensure_condition(x, "Suspended", "True", "JobSuspended", "Job suspended"))
			kube__event(x->jc->c, x->job, JOB_COMPONENT, NULL, "Normal", "Suspended",
				    "Job suspended");
	} else if (ensure_condition(x, "Suspended", "False", "JobResumed", "Job resumed")) {
		kube__event(x->jc->c, x->job, JOB_COMPONENT, NULL, "Normal", "Resumed", "Job resumed");
		/* activeDeadlineSeconds counts the time continuously active */
		json_object_set_new(x->status, "startTime",
				    json_string(kube__rfc3339(kube__now_ms(x->jc->c), ts, sizeof(ts))));
	}
}

/* Make or remove pods; returns the active count the status reports. */
static int64_t act(struct job_ctx *x)
{
	int64_t active = (int64_t)json_array_size(x->active), ready;
	bool complete;

	if (x->finished) {
		active -= kube__job_delete_pods(x, x->active, false, &ready);
		x->terminating += (int64_t)json_array_size(x->active);
		x->ready -= ready;
		return active;
	}
	if (json_object_get(json_object_get(x->job, "metadata"), "deletionTimestamp"))
		return active;
	active = kube__job_manage(x);
	complete = x->completions < 0 ? x->succeeded > 0 && active == 0
				      : x->succeeded >= x->completions && active == 0;
	if (complete)
		x->finished = kube__job_condition(x->jc->c, "SuccessCriteriaMet", "True",
						  "CompletionsReached",
						  "Reached expected number of succeeded pods");
	else
		suspend_condition(x);
	return active;
}

/* ---- tracking finished pods ------------------------------------------------------- */

/* cleanUncountedPodsWithoutFinalizers: uids whose pod lost the finalizer are counted. */
static void clean_uncounted(struct job_ctx *x, const json_t *with_finalizer)
{
	static const char *const lists[] = { "succeeded", "failed" };

	for (int l = 0; l < 2; l++) {
		json_t *list = json_object_get(x->uncounted, lists[l]), *kept = json_array(), *v;
		size_t i;

		json_array_foreach(list, i, v)
			if (json_object_get(with_finalizer, json_string_value(v) ?: ""))
				json_array_append(kept, v);
		set_count(x->status, lists[l], count_of(x->status, lists[l]) +
			  (int64_t)(json_array_size(list) - json_array_size(kept)));
		if (json_array_size(kept))
			json_object_set_new(x->uncounted, lists[l], kept);
		else {
			json_decref(kept);
			json_object_del(x->uncounted, lists[l]);
		}
	}
}

/* Record one finished pod in uncountedTerminatedPods (or, Indexed, its index). */
static void record_pod(struct job_ctx *x, const json_t *p, bool failed)
{
	const char *uid = kube__meta_str(p, "uid");
	bool terminal_failure = x->finished && strcmp(kube__jstr0(x->finished, "type"), "SuccessCriteriaMet");

	if (!strcmp(phase(p), "Succeeded") && !in_list(json_object_get(x->uncounted, "failed"), uid)) {
		if (!x->indexed && !in_list(json_object_get(x->uncounted, "succeeded"), uid))
			json_array_append_new(uncounted_list(x, "succeeded"), json_string(uid));
	} else if ((failed || terminal_failure) &&
		   !in_list(json_object_get(x->uncounted, "failed"), uid) && valid_index(x, p)) {
		json_array_append_new(uncounted_list(x, "failed"), json_string(uid));
	}
}

/* The interim condition goes on the Job now; the terminal one is prepared. */
static void interim_condition(struct job_ctx *x)
{
	const char *type = x->finished ? kube__jstr0(x->finished, "type") : "";
	json_t *conds = json_object_get(x->status, "conditions"), *final;

	if (strcmp(type, "FailureTarget") && strcmp(type, "SuccessCriteriaMet"))
		return;
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(x->status, "conditions", conds);
	}
	if (!kube__condition(x->job, type))
		json_array_append(conds, x->finished);
	final = kube__job_condition(x->jc->c, *type == 'F' ? "Failed" : "Complete", "True",
				    kube__jstr0(x->finished, "reason"), kube__jstr0(x->finished, "message"));
	json_decref(x->finished);
	x->finished = final;
}

/* Write the status when it differs from the stored one. */
static void flush(struct job_ctx *x)
{
	const json_t *cur = store_get(x->jc->c->store, x->key);
	struct kube_op_opts o = { .status = true };
	json_t *copy;

	if (!cur || json_equal(json_object_get(cur, "status"), x->status))
		return;
	copy = json_deep_copy(x->job);
	json_object_set(json_object_get(copy, "metadata"), "resourceVersion",
			json_object_get(json_object_get(cur, "metadata"), "resourceVersion"));
	kube__op_update(x->jc->c, x->jc->jobs, kube__meta_str(x->job, "namespace"), copy, &o,
			NULL, NULL);
}

/* enactJobFinished: the terminal condition once nothing is uncounted or terminating. */
static bool enact_finished(struct job_ctx *x)
{
	const char *type;

	if (!x->finished || json_object_size(x->uncounted) || x->terminating > 0)
		return false;
	type = kube__jstr0(x->finished, "type");
	ensure_condition(x, type, "True", kube__jstr0(x->finished, "reason"), kube__jstr0(x->finished, "message"));
	if (!strcmp(type, "Complete"))
		json_object_set(x->status, "completionTime",
				json_object_get(kube__condition(x->job, "Complete"), "lastTransitionTime"));
	return true;
}

static void record_finished(struct job_ctx *x)
{
	const char *type = kube__jstr0(x->finished, "type");

	if (strcmp(type, "Complete")) {
		kube__event(x->jc->c, x->job, JOB_COMPONENT, NULL, "Warning", kube__jstr0(x->finished, "reason"),
			    "%s", kube__jstr0(x->finished, "message"));
		return;
	}
	if (x->completions >= 0 && count_of(x->status, "succeeded") > x->completions)
		kube__event(x->jc->c, x->job, JOB_COMPONENT, NULL, "Warning", "TooManySucceededPods",
			    "Too many succeeded pods running after completion count reached");
	kube__event(x->jc->c, x->job, JOB_COMPONENT, NULL, "Normal", "Completed", "Job completed");
}

/* trackJobStatusAndRemoveFinalizers. */
static void track(struct job_ctx *x)
{
	json_t *with_fin = json_object(), *drop = json_array(), *p;
	bool deleting = json_object_get(json_object_get(x->job, "metadata"), "deletionTimestamp");
	size_t i;

	json_array_foreach(x->pods, i, p)
		if (kube__job_pod_has_finalizer(p))
			json_object_set_new(with_fin, kube__meta_str(p, "uid"), json_true());
	clean_uncounted(x, with_fin);
	json_array_foreach(x->pods, i, p) {
		bool failed = kube__job_pod_failed(x->job, p);

		if (!kube__job_pod_has_finalizer(p) ||
		    !(deleting || x->finished || !strcmp(phase(p), "Succeeded") || failed))
			continue;
		json_array_append(drop, p);
		record_pod(x, p, failed);
	}
	if (x->indexed) {
		char *s = kube__job_format_indexes(x->done_ix, x->completions);

		set_count(x->status, "succeeded", kube__job_count_indexes(x->done_ix, x->completions));
		if (s && *s)
			json_object_set_new(x->status, "completedIndexes", json_string(s));
		else
			json_object_del(x->status, "completedIndexes");
		free(s);
	}
	interim_condition(x);
	flush(x); /* uids are on record before their finalizers go */
	json_array_foreach(drop, i, p) {
		kube__job_remove_finalizer(x->jc, p);
		json_object_del(with_fin, kube__meta_str(p, "uid"));
	}
	clean_uncounted(x, with_fin);
	if (enact_finished(x)) {
		flush(x);
		record_finished(x);
	} else {
		flush(x);
	}
	json_decref(with_fin);
	json_decref(drop);
}

/* ---- syncJob ----------------------------------------------------------------------- */

static void save_backoff(struct job_ctx *x)
{
	if (x->bk_n)
		json_object_set_new(x->jc->backoff, x->key, json_pack("{s:I, s:I}", "n",
			(json_int_t)x->bk_n, "at", (json_int_t)x->bk_at));
	else
		json_object_del(x->jc->backoff, x->key);
}

/*
 * syncJob for the Job at store key @p key (declared in job.c, the work queue's
 * callback): count its pods, decide success or failure, create or delete pods
 * and write the status. Returns 0 when done (also for a gone or finished Job),
 * 1 when the sync could not start (allocation failure) so the queue retries.
 */
int kube__job_sync(struct jobc *jc, const char *key)
{
	const json_t *stored = store_get(jc->c->store, key);
	const char *mode;
	struct job_ctx x;
	int64_t active;
	char ts[32];

	if (!stored || cond_true(stored, "Complete") || cond_true(stored, "Failed")) {
		json_object_del(jc->backoff, key);
		return 0;
	}
	mode = kube__jstr0(stored, "spec.completionMode");
	if (*mode && strcmp(mode, "NonIndexed") && strcmp(mode, "Indexed")) {
		kube__event(jc->c, stored, JOB_COMPONENT, NULL, "Warning", "UnknownCompletionMode",
			    "Skipped Job sync because completion mode is unknown");
		return 0;
	}
	if (ctx_init(&x, jc, key, stored)) {
		ctx_free(&x);
		return 1;
	}
	count_pods(&x);
	if (!json_object_get(x.status, "startTime") && !suspended(x.job))
		json_object_set_new(x.status, "startTime",
				    json_string(kube__rfc3339(kube__now_ms(jc->c), ts, sizeof(ts))));
	decide_failure(&x);
	if (x.indexed)
		count_indexes(&x);
	active = act(&x);
	set_count(x.status, "active", active);
	json_object_set_new(x.status, "ready", json_integer(x.ready));
	json_object_set_new(x.status, "terminating", json_integer(x.terminating));
	save_backoff(&x);
	track(&x);
	ctx_free(&x);
	return 0;
}
