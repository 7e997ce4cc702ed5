/*
 * The TTL-after-finished controller, as upstream's ttlafterfinished: a
 * finished Job (condition Complete or Failed) with ttlSecondsAfterFinished
 * is deleted, with its pods (propagation Foreground, as upstream), that
 * many seconds after its terminal condition's lastTransitionTime, on the
 * cluster clock.
 */
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/controllers/podutil.h"
#include "core/ops.h"
#include "core/workqueue.h"

struct ttl_timer {
	struct kube_timer t;
	struct ttlc *tc;
	char *key;
	struct ttl_timer *next;
};

struct ttlc {
	kube_cluster *c;
	const struct kube_kind *jobs;
	struct store_watch *watch;
	struct kube_workqueue *queue;
	struct ttl_timer *timers;   /* one per Job waiting for its TTL */
};

/* The finish time (ms) of a finished Job, or -1. */
static int64_t finished_at(const json_t *job)
{
	static const char *const types[] = { "Complete", "Failed" };

	for (int i = 0; i < 2; i++) {
		const json_t *c = kube__condition(job, types[i]);
		const char *s = json_string_value(json_object_get(c, "status"));

		if (s && !strcmp(s, "True"))
			return kube__parse_rfc3339(json_string_value(json_object_get(c, "lastTransitionTime")));
	}
	return -1;
}

static void fired(struct kube_timer *t, void *data)
{
	struct ttl_timer *tt = data;

	(void)t;
	kube__wq_add(tt->tc->queue, tt->key);
}

static void arm(struct ttlc *tc, const char *key, int64_t delay)
{
	struct ttl_timer *tt;

	for (tt = tc->timers; tt && strcmp(tt->key, key); tt = tt->next)
		;
	if (!tt) {
		tt = calloc(1, sizeof(*tt));
		if (!tt || !(tt->key = strdup(key))) {
			free(tt);
			return;
		}
		tt->tc = tc;
		tt->next = tc->timers;
		tc->timers = tt;
	}
	kube__timer_start(tc->c, &tt->t, delay, fired, tt);
}

static void deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

static int process(const char *key, void *data)
{
	struct ttlc *tc = data;
	const json_t *job = store_get(tc->c->store, key);
	const json_t *ttl = json_object_get(json_object_get(job, "spec"), "ttlSecondsAfterFinished");
	int64_t fin = job ? finished_at(job) : -1, left;
	struct kube_op_opts o = { .propagation = KUBE_PROPAGATION_FOREGROUND };

	if (!json_is_integer(ttl) || fin < 0 ||
	    json_object_get(json_object_get(job, "metadata"), "deletionTimestamp"))
		return 0;
	left = fin + json_integer_value(ttl) * 1000 - kube__now_ms(tc->c);
	if (left > 0) {
		arm(tc, key, left);
		return 0;
	}
	o.precondition_uid = kube__meta_str(job, "uid");
	kube__op_delete(tc->c, tc->jobs, kube__meta_str(job, "namespace"), kube__meta_str(job, "name"),
			&o, deleted, NULL);
	return 0;
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	(void)rev, (void)prev;
	if (type != STORE_DELETED && finished_at(obj) >= 0)
		kube__wq_add(((struct ttlc *)data)->queue, key);
}

static int scan_one(const char *key, const json_t *obj, void *data)
{
	on_event(STORE_ADDED, 0, key, obj, NULL, data);
	return 0;
}

static void ttl_stop(void *state)
{
	struct ttlc *tc = state;

	store_watch_cancel(tc->watch);
	kube__wq_free(tc->queue);
	while (tc->timers) {
		struct ttl_timer *tt = tc->timers;

		tc->timers = tt->next;
		kube__timer_release(&tt->t);
		free(tt->key);
		free(tt);
	}
	free(tc);
}

static int ttl_start(kube_cluster *c, void **state)
{
	struct ttlc *tc = calloc(1, sizeof(*tc));
	int err;

	if (!tc)
		return KUBE_ENOMEM;
	tc->c = c;
	tc->jobs = kube__registry_by_gvk("batch/v1", "Job");
	tc->queue = kube__wq_new(c->loop, process, tc);
	store_list(c->store, "batch/jobs/", scan_one, tc);
	err = store_watch(c->store, "batch/jobs/", store_revision(c->store), on_event, tc, &tc->watch);
	if (err) {
		tc->watch = NULL;
		ttl_stop(tc);
		return err;
	}
	*state = tc;
	return 0;
}

const struct kube_controller_ops kube__job_ttl_controller = {
	.name = "ttl-after-finished",
	.start = ttl_start,
	.stop = ttl_stop,
};
