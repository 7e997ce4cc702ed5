/*
 * The Job controller's plumbing (job.h): the store watch that maps pod
 * events to their Job, the work queue, delayed re-syncs on the cluster
 * clock, and the clean-up of tracking finalizers on orphaned pods
 * (upstream's syncOrphanPod). The sync itself is in job_sync.c.
 */
#include <stdlib.h>
#include <string.h>
#include "core/controllers/job.h"
#include "core/controllers/podutil.h"
#include "core/ops.h"
#include "core/workqueue.h"

/* A delayed re-sync of one Job. */
struct job_timer {
	struct kube_timer t;     /* on the cluster clock */
	struct jobc *jc;
	char *key;               /* the Job's store key */
	struct job_timer *next;
};

int kube__job_sync(struct jobc *jc, const char *key);

static void timer_fired(struct kube_timer *t, void *data)
{
	struct job_timer *jt = data;

	(void)t;
	kube__wq_add(jt->jc->queue, jt->key);
}

void kube__job_enqueue_after(struct jobc *jc, const char *key, int64_t delay_ms)
{
	struct job_timer *jt;
	int64_t due = kube__now_ms(jc->c) + delay_ms;

	for (jt = jc->timers; jt && strcmp(jt->key, key); jt = jt->next)
		;
	if (!jt) {
		jt = calloc(1, sizeof(*jt));
		if (!jt || !(jt->key = strdup(key))) {
			free(jt);
			return;
		}
		jt->jc = jc;
		jt->next = jc->timers;
		jc->timers = jt;
	}
	/* keep an earlier pending re-sync: the sync re-arms what it still needs */
	if (!jt->t.armed || jt->t.due > due)
		kube__timer_start(jc->c, &jt->t, delay_ms, timer_fired, jt);
}

json_t *kube__job_condition(kube_cluster *c, const char *type, const char *status,
			    const char *reason, const char *message)
{
	char ts[32];
	json_t *cond;

	kube__rfc3339(kube__now_ms(c), ts, sizeof(ts));
	cond = json_pack("{s:s, s:s, s:s, s:s}", "type", type, "status", status,
			 "lastProbeTime", ts, "lastTransitionTime", ts);
	if (reason && *reason)
		json_object_set_new(cond, "reason", json_string(reason));
	if (message && *message)
		json_object_set_new(cond, "message", json_string(message));
	return cond;
}

/* The Job a pod's controller reference names, if it is that very Job. */
static const json_t *owning_job(struct jobc *jc, const json_t *pod, char **key)
{
	const json_t *ref = kube__controller_ref(pod), *job;
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *av = json_string_value(json_object_get(ref, "apiVersion"));

	*key = NULL;
	if (!kind || strcmp(kind, "Job") || !av || strcmp(av, "batch/v1"))
		return NULL;
	*key = kube__key(jc->jobs, kube__meta_str(pod, "namespace"),
			 json_string_value(json_object_get(ref, "name")) ?: "");
	job = *key ? store_get(jc->c->store, *key) : NULL;
	return job && kube__controlled_by(pod, kube__meta_str(job, "uid")) ? job : NULL;
}

static bool job_finished(const json_t *job)
{
	static const char *const types[] = { "Complete", "Failed" };

	for (int i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(kube__condition(job, types[i]), "status"));

		if (s && !strcmp(s, "True"))
			return true;
	}
	return false;
}

/* syncOrphanPod: a tracked pod whose Job is gone or finished loses the finalizer. */
static int sync_orphan(struct jobc *jc, const char *key)
{
	const json_t *pod = store_get(jc->c->store, key), *job;
	const json_t *ref = pod ? kube__controller_ref(pod) : NULL;
	char *jkey;

	if (!pod || !kube__job_pod_has_finalizer(pod))
		return 0;
	job = owning_job(jc, pod, &jkey);
	free(jkey);
	if (ref && (strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "Job") ||
		    strcmp(json_string_value(json_object_get(ref, "apiVersion")) ?: "", "batch/v1")))
		return 0; /* someone else's pod */
	if (!job || job_finished(job))
		kube__job_remove_finalizer(jc, pod);
	return 0;
}

static int process(const char *key, void *data)
{
	struct jobc *jc = data;

	if (!strncmp(key, "/pods/", 6))
		return sync_orphan(jc, key);
	return kube__job_sync(jc, key);
}

static void on_pod(struct jobc *jc, const char *key, const json_t *pod)
{
	char *jkey;
	const json_t *job = owning_job(jc, pod, &jkey);

	if (job)
		kube__wq_add(jc->queue, jkey);
	if ((!job || job_finished(job)) && kube__job_pod_has_finalizer(pod))
		kube__wq_add(jc->queue, key);
	free(jkey);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct jobc *jc = data;

	(void)rev, (void)prev;
	if (!strncmp(key, "batch/jobs/", 11))
		kube__wq_add(jc->queue, key);
	else if (!strncmp(key, "/pods/", 6))
		on_pod(jc, key, obj);
	(void)type;
}

static int scan_one(const char *key, const json_t *obj, void *data)
{
	on_event(STORE_ADDED, 0, key, obj, NULL, data);
	return 0;
}

static void job_stop(void *state)
{
	struct jobc *jc = state;

	store_watch_cancel(jc->watch);
	kube__wq_free(jc->queue);
	while (jc->timers) {
		struct job_timer *jt = jc->timers;

		jc->timers = jt->next;
		kube__timer_release(&jt->t);
		free(jt->key);
		free(jt);
	}
	json_decref(jc->backoff);
	free(jc);
}

static int job_start(kube_cluster *c, void **state)
{
	struct jobc *jc = calloc(1, sizeof(*jc));
	int err;

	if (!jc)
		return KUBE_ENOMEM;
	jc->c = c;
	jc->jobs = kube__registry_by_gvk("batch/v1", "Job");
	jc->pods = kube__registry_by_gvk("v1", "Pod");
	jc->backoff = json_object();
	jc->queue = kube__wq_new(c->loop, process, jc);
	store_list(c->store, "batch/jobs/", scan_one, jc);
	store_list(c->store, "/pods/", scan_one, jc);
	err = store_watch(c->store, "", store_revision(c->store), on_event, jc, &jc->watch);
	if (err) {
		jc->watch = NULL;
		job_stop(jc);
		return err;
	}
	*state = jc;
	return 0;
}

const struct kube_controller_ops kube__job_controller = {
	.name = "job",
	.start = job_start,
	.stop = job_stop,
};
