/*
 * The Job controller's pods (job.h): creating them from the template with
 * the tracking finalizer, deleting surplus ones, removing the finalizer
 * once a pod is counted, and manageJob's arithmetic with the failure backoff.
 */
#include <stdlib.h>
#include <string.h>
#include "core/controllers/job.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/ops.h"

static const char *phase(const json_t *pod)
{
	const char *p = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	return p ? p : "";
}

bool kube__job_pod_has_finalizer(const json_t *pod)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(pod, "metadata"), "finalizers"), i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), JOB_TRACKING_FINALIZER))
			return true;
	return false;
}

/* onlyReplaceFailedPods: podReplacementPolicy Failed, or a podFailurePolicy. */
static bool only_replace_failed(const json_t *job)
{
	const json_t *spec = json_object_get(job, "spec");
	const char *prp = json_string_value(json_object_get(spec, "podReplacementPolicy"));

	return (prp && !strcmp(prp, "Failed")) || json_object_get(spec, "podFailurePolicy");
}

bool kube__job_pod_failed(const json_t *job, const json_t *pod)
{
	if (!strcmp(phase(pod), "Failed"))
		return true;
	if (only_replace_failed(job))
		return false;
	/* deleted pods count as failed: orphans never reach the Failed phase */
	return json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") &&
	       strcmp(phase(pod), "Succeeded");
}

/* getFinishedTime: the containers' last finishedAt, Ready=False, deletion, creation. */
int64_t kube__job_pod_finish_ms(const json_t *pod)
{
	const json_t *cs, *ready = kube__condition(pod, "Ready");
	int64_t latest = -1, t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, cs) {
		const char *fin = json_string_value(json_object_get(
			json_object_get(json_object_get(cs, "state"), "terminated"), "finishedAt"));

		t = fin ? kube__parse_rfc3339(fin) : -1;
		if (t < 0) {
			latest = -1;
			break;
		}
		latest = t > latest ? t : latest;
	}
	if (latest >= 0)
		return latest;
	if (ready && !strcmp(json_string_value(json_object_get(ready, "status")) ?: "", "False") &&
	    (t = kube__parse_rfc3339(json_string_value(json_object_get(ready, "lastTransitionTime")))) >= 0)
		return t;
	if ((t = kube__parse_rfc3339(kube__meta_str(pod, "deletionTimestamp"))) >= 0)
		return t;
	return kube__parse_rfc3339(kube__meta_str(pod, "creationTimestamp"));
}

/* ---- writes ---------------------------------------------------------------- */

struct pod_write {
	kube_cluster *c;     /* not the controller: writes may land after it stopped */
	char *job_key;       /* the Job to record an event on */
	const char *verb;    /* "Created" or "Deleted" */
};

static void pod_written(int err, const json_t *pod, const json_t *st, void *data)
{
	struct pod_write *w = data;
	const json_t *job = store_get(w->c->store, w->job_key);

	(void)st;
	if (job && !err && pod)
		kube__event(w->c, job, JOB_COMPONENT, NULL, "Normal",
			    *w->verb == 'C' ? "SuccessfulCreate" : "SuccessfulDelete", "%s pod: %s",
			    w->verb, kube__meta_str(pod, "name"));
	else if (job && err && err != KUBE_ENOTFOUND)
		kube__event(w->c, job, JOB_COMPONENT, NULL, "Warning",
			    *w->verb == 'C' ? "FailedCreate" : "FailedDelete", "Error %s: %s",
			    *w->verb == 'C' ? "creating" : "deleting",
			    json_string_value(json_object_get(st, "message")) ?: kube_strerror(err));
	free(w->job_key);
	free(w);
}

static struct pod_write *pod_write(struct job_ctx *x, const char *verb)
{
	struct pod_write *w = malloc(sizeof(*w));

	if (w && !(w->job_key = strdup(x->key))) {
		free(w);
		return NULL;
	}
	if (w) {
		w->c = x->jc->c;
		w->verb = verb;
	}
	return w;
}

static void ignore_write(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

void kube__job_remove_finalizer(struct jobc *jc, const json_t *pod)
{
	const char *ns = kube__meta_str(pod, "namespace");
	char *key = kube__key(jc->pods, ns, kube__meta_str(pod, "name"));
	const json_t *cur = key ? store_get(jc->c->store, key) : NULL;
	json_t *copy, *fin, *f;
	size_t i;

	free(key);
	/* the stored pod, not a snapshot: this sync may have marked it deleted since */
	if (!cur || strcmp(kube__meta_str(cur, "uid") ?: "", kube__meta_str(pod, "uid") ?: "") ||
	    !kube__job_pod_has_finalizer(cur))
		return;
	copy = json_deep_copy(cur);
	fin = json_object_get(json_object_get(copy, "metadata"), "finalizers");
	json_array_foreach(fin, i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), JOB_TRACKING_FINALIZER)) {
			json_array_remove(fin, i);
			break;
		}
	if (!json_array_size(fin))
		json_object_del(json_object_get(copy, "metadata"), "finalizers");
	kube__op_update(jc->c, jc->pods, ns, copy, NULL, ignore_write, NULL);
}

int64_t kube__job_delete_pods(struct job_ctx *x, const json_t *pods, bool drop_finalizer,
			      int64_t *ready_deleted)
{
	const json_t *p;
	size_t i;

	*ready_deleted = 0;
	json_array_foreach(pods, i, p) {
		char *name = strdup(kube__meta_str(p, "name"));
		const char *ns = kube__meta_str(x->job, "namespace");

		if (drop_finalizer && kube__job_pod_has_finalizer(p))
			kube__job_remove_finalizer(x->jc, p);
		*ready_deleted += kube__pod_ready(p);
		kube__op_delete(x->jc->c, x->jc->pods, ns, name, NULL, pod_written,
				pod_write(x, "Deleted"));
		free(name);
	}
	return (int64_t)json_array_size(pods);
}

/* GetPodFromTemplate plus the Job's additions: finalizer, owner, name prefix. */
static json_t *new_pod(struct job_ctx *x, const json_t *tmpl)
{
	const json_t *tm = json_object_get(tmpl, "metadata");
	json_t *pod = json_pack("{s:s, s:s, s:{}, s:O}", "apiVersion", "v1", "kind", "Pod",
				"metadata", "spec", json_object_get(tmpl, "spec"));
	json_t *meta = json_object_get(pod, "metadata"), *fin;
	const char *gen = json_string_value(json_object_get(tm, "generateName"));
	char *prefix = NULL;

	json_object_set(meta, "namespace", json_object_get(json_object_get(x->job, "metadata"),
							    "namespace"));
	if (json_object_get(tm, "labels"))
		json_object_set(meta, "labels", json_object_get(tm, "labels"));
	if (json_object_get(tm, "annotations"))
		json_object_set(meta, "annotations", json_object_get(tm, "annotations"));
	fin = json_is_array(json_object_get(tm, "finalizers"))
	      ? json_deep_copy(json_object_get(tm, "finalizers")) : json_array();
	json_array_append_new(fin, json_string(JOB_TRACKING_FINALIZER));
	json_object_set_new(meta, "finalizers", fin);
	if (!gen && asprintf(&prefix, "%s-", kube__meta_str(x->job, "name")) >= 0)
		gen = prefix;
	json_object_set_new(meta, "generateName", json_string(gen ? gen : ""));
	free(prefix);
	json_object_set_new(meta, "ownerReferences", json_pack("[o]", kube__new_controller_ref(x->job)));
	return pod;
}

static void create_pods(struct job_ctx *x, int64_t n, const json_t *indexes)
{
	json_t *tmpl = json_deep_copy(json_object_get(json_object_get(x->job, "spec"), "template"));

	if (x->indexed)
		kube__job_index_env(json_object_get(tmpl, "spec"));
	for (int64_t i = 0; i < n; i++) {
		json_t *t = tmpl;

		if (x->indexed) {
			t = json_deep_copy(tmpl);
			kube__job_index_template(t, kube__meta_str(x->job, "name"),
						 json_integer_value(json_array_get(indexes, (size_t)i)));
		}
		kube__op_create(x->jc->c, x->jc->pods, kube__meta_str(x->job, "namespace"),
				new_pod(x, t), NULL, pod_written, pod_write(x, "Created"));
		if (t != tmpl)
			json_decref(t);
	}
	json_decref(tmpl);
}

/* ---- manageJob --------------------------------------------------------------- */

static int phase_rank(const json_t *pod)
{
	const char *p = phase(pod);

	return !strcmp(p, "Pending") ? 0 : !strcmp(p, "Running") ? 2 : 1;
}

/* controller.ActivePods: the pods cheapest to lose first. */
static int cmp_active(const void *a, const void *b)
{
	const json_t *p = *(json_t *const *)a, *q = *(json_t *const *)b;
	const char *pn = json_string_value(json_object_get(json_object_get(p, "spec"), "nodeName"));
	const char *qn = json_string_value(json_object_get(json_object_get(q, "spec"), "nodeName"));
	int d;

	if ((d = (pn && *pn) - (qn && *qn)))
		return d;
	if ((d = phase_rank(p) - phase_rank(q)))
		return d;
	if ((d = kube__pod_ready(p) - kube__pod_ready(q)))
		return d;
	/* newer pods first */
	return -strcmp(kube__meta_str(p, "creationTimestamp") ?: "",
		       kube__meta_str(q, "creationTimestamp") ?: "");
}

/* activePodsForRemoval: bad indexes first, then the cheapest, at least @p n. */
static json_t *pods_for_removal(struct job_ctx *x, int64_t n)
{
	json_t *rm = x->indexed ? kube__job_bad_index_pods(x) : json_array(), *p;
	size_t len = json_array_size(x->active), k = 0, i;
	const json_t **left = calloc(len + 1, sizeof(*left));

	json_array_foreach(x->active, i, p) {
		bool listed = false;

		for (size_t j = 0; j < json_array_size(rm); j++)
			listed |= json_array_get(rm, j) == p;
		if (!listed && left)
			left[k++] = p;
	}
	if (left)
		qsort(left, k, sizeof(*left), cmp_active);
	for (i = 0; left && i < k && (int64_t)json_array_size(rm) < n; i++)
		json_array_append(rm, (json_t *)left[i]);
	free(left);
	while (json_array_size(rm) > JOB_MAX_PER_SYNC)
		json_array_remove(rm, json_array_size(rm) - 1);
	return rm;
}

/* getRemainingTime: 10 s doubling per consecutive failure, capped, since the last one. */
static int64_t backoff_remaining(const struct job_ctx *x)
{
	int64_t d = JOB_BACKOFF_MS, elapsed;

	if (!x->bk_n)
		return 0;
	for (int64_t i = 1; i < x->bk_n && d < JOB_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > JOB_BACKOFF_MAX_MS)
		d = JOB_BACKOFF_MAX_MS;
	elapsed = kube__now_ms(x->jc->c) - x->bk_at;
	return d < elapsed ? 0 : d - elapsed;
}

static int64_t want_active(const struct job_ctx *x, int64_t active)
{
	int64_t par = json_integer_value(json_object_get(json_object_get(x->job, "spec"), "parallelism"));
	int64_t want;

	if (x->completions < 0)
		return x->succeeded > 0 ? active : par;
	want = x->completions - x->succeeded;
	want = want > par ? par : want;
	return want < 0 ? 0 : want;
}

static int64_t remove_pods(struct job_ctx *x, int64_t active, const json_t *pods)
{
	int64_t ready, n = kube__job_delete_pods(x, pods, true, &ready);

	x->terminating += n;
	x->ready -= ready;
	return active - n;
}

int64_t kube__job_manage(struct job_ctx *x)
{
	int64_t active = (int64_t)json_array_size(x->active), want, diff, wait;
	json_t *rm, *ix = NULL;

	if (json_is_true(json_object_get(json_object_get(x->job, "spec"), "suspend")))
		return remove_pods(x, active, x->active);
	want = want_active(x, active);
	rm = pods_for_removal(x, active - want);
	if (json_array_size(rm)) {
		active = remove_pods(x, active, rm);
		json_decref(rm);
		return active;
	}
	json_decref(rm);
	diff = want - (only_replace_failed(x->job) ? x->terminating : 0) - active;
	if (diff <= 0)
		return active;
	if ((wait = backoff_remaining(x)) > 0) {
		kube__job_enqueue_after(x->jc, x->key, wait);
		return active;
	}
	diff = diff > JOB_MAX_PER_SYNC ? JOB_MAX_PER_SYNC : diff;
	if (x->indexed) {
		ix = kube__job_pending_indexes(x, diff);
		diff = (int64_t)json_array_size(ix);
	}
	create_pods(x, diff, ix);
	json_decref(ix);
	return active + diff;
}
