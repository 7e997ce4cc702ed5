/*
 * The CronJob controller, as upstream's CronJob v2 controller
 * (cronjob_controllerv2.go): Jobs named <cronjob>-<scheduled minutes since
 * the epoch> at each schedule time (in spec.timeZone), concurrencyPolicy,
 * startingDeadlineSeconds, suspend, history limits, status.active,
 * lastScheduleTime and lastSuccessfulTime. A CronJob is synced again just
 * after its next schedule time by a cluster-clock timer; the timer syncs
 * at once rather than through the queue, so that a manual clock moved
 * across many schedule times sees each of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/controllers/cronjob.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/jsonutil.h"
#include "core/ops.h"
#include "core/tz.h"
#include "core/workqueue.h"

struct cj_timer {
	struct kube_timer t;
	struct cjc *cc;
	char *key;               /* the CronJob's store key */
	struct cj_timer *next;
};

struct cjc {
	kube_cluster *c;
	const struct kube_kind *cronjobs, *jobs;
	struct store_watch *watch;
	struct kube_workqueue *queue;
	struct cj_timer *timers;
};

/* One sync: the CronJob's working copy and its Jobs. */
struct cj_sync {
	struct cjc *cc;
	json_t *cj;              /* working copy (owned) */
	json_t *status;          /* its status (borrowed) */
	json_t *jobs;            /* Jobs it controls (references) */
	int64_t now;
	int64_t requeue;         /* ms until the next sync, or -1 */
};

static int sync_cronjob(struct cjc *cc, const char *key);

static void event(struct cj_sync *x, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void event(struct cj_sync *x, const char *type, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kube__event(x->cc->c, x->cj, CRONJOB_COMPONENT, NULL, type, reason, "%s", msg);
}

/* ---- timers ------------------------------------------------------------------ */

static void timer_fired(struct kube_timer *t, void *data)
{
	struct cj_timer *ct = data;

	(void)t;
	sync_cronjob(ct->cc, ct->key);
}

static void requeue_after(struct cjc *cc, const char *key, int64_t delay)
{
	struct cj_timer *ct;

	for (ct = cc->timers; ct && strcmp(ct->key, key); ct = ct->next)
		;
	if (!ct) {
		ct = calloc(1, sizeof(*ct));
		if (!ct || !(ct->key = strdup(key))) {
			free(ct);
			return;
		}
		ct->cc = cc;
		ct->next = cc->timers;
		cc->timers = ct;
	}
	kube__timer_start(cc->c, &ct->t, delay, timer_fired, ct);
}

/* ---- the CronJob's Jobs --------------------------------------------------------- */

static const char *finished_type(const json_t *job)
{
	static const char *const types[] = { "Complete", "Failed" };

	for (int i = 0; i < 2; i++)
		if (!strcmp(kube__jstr0(kube__condition(job, types[i]), "status"), "True"))
			return types[i];
	return NULL;
}

static json_t *active_list(struct cj_sync *x)
{
	json_t *a = json_object_get(x->status, "active");

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(x->status, "active", a);
	}
	return a;
}

static bool in_active(struct cj_sync *x, const char *field, const char *value)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(x->status, "active"), i, r)
		if (!strcmp(kube__jstr0(r, field), value))
			return true;
	return false;
}

static void drop_active(struct cj_sync *x, const char *uid)
{
	json_t *a = json_object_get(x->status, "active"), *r;
	size_t i;

	json_array_foreach(a, i, r)
		if (!strcmp(kube__jstr0(r, "uid"), uid)) {
			json_array_remove(a, i);
			break;
		}
	if (a && !json_array_size(a))
		json_object_del(x->status, "active");
}

static void ignore(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

/* deleteJob: the Job (its pods follow in the background) and its active entry. */
static void delete_job(struct cj_sync *x, const json_t *job)
{
	struct kube_op_opts o = { .propagation = KUBE_PROPAGATION_BACKGROUND };
	char *name = strdup(kube__meta_str(job, "name")), *uid = strdup(kube__meta_str(job, "uid"));

	kube__op_delete(x->cc->c, x->cc->jobs, kube__meta_str(job, "namespace"), name, &o, ignore, NULL);
	drop_active(x, uid);
	event(x, "Normal", "SuccessfulDelete", "Deleted job %s", name);
	free(name);
	free(uid);
}

static int scan_job(const char *key, const json_t *job, void *data)
{
	struct cj_sync *x = data;

	(void)key;
	if (kube__controlled_by(job, kube__meta_str(x->cj, "uid")))
		json_array_append(x->jobs, (json_t *)job);
	return 0;
}

/* byJobStartTime: jobs without a start time last, then by name. */
static int cmp_start(const void *a, const void *b)
{
	const json_t *p = *(json_t *const *)a, *q = *(json_t *const *)b;
	const char *ps = kube__jstr0(p, "status.startTime");
	const char *qs = kube__jstr0(q, "status.startTime");
	int d;

	if (!*ps || !*qs)
		return (!*ps) - (!*qs);
	d = strcmp(ps, qs);
	return d ? d : strcmp(kube__meta_str(p, "name"), kube__meta_str(q, "name"));
}

/* removeOldestJobs for the finished Jobs of one kind beyond @p limit. */
static void remove_oldest(struct cj_sync *x, const char *type, const char *limit_field)
{
	const json_t *limit = json_object_get(json_object_get(x->cj, "spec"), limit_field), *j;
	const json_t **list = calloc(json_array_size(x->jobs) + 1, sizeof(*list));
	size_t n = 0, i;

	if (!list || !json_is_integer(limit)) {
		free(list);
		return;
	}
	json_array_foreach(x->jobs, i, j)
		if (finished_type(j) && !strcmp(finished_type(j), type) &&
		    !json_object_get(json_object_get(j, "metadata"), "deletionTimestamp"))
			list[n++] = j;
	qsort(list, n, sizeof(*list), cmp_start);
	for (i = 0; (int64_t)(n - i) > json_integer_value(limit); i++)
		delete_job(x, list[i]);
	free(list);
}

/* Reconcile status.active and lastSuccessfulTime with the Jobs that exist. */
static void reconcile_jobs(struct cj_sync *x)
{
	const json_t *j, *r;
	size_t i;

	json_array_foreach(x->jobs, i, j) {
		const char *uid = kube__meta_str(j, "uid"), *fin = finished_type(j);
		const char *ct = kube__jstr0(j, "status.completionTime");
		const char *last = kube__jstr0(x->status, "lastSuccessfulTime");
		bool found = in_active(x, "uid", uid);

		if (!found && !fin) {
			event(x, "Warning", "UnexpectedJob",
			      "Saw a job that the controller did not create or forgot: %s",
			      kube__meta_str(j, "name"));
		} else if (found && fin) {
			drop_active(x, uid);
			event(x, "Normal", "SawCompletedJob", "Saw completed job: %s, status: %s",
			      kube__meta_str(j, "name"), fin);
		} else if (fin && !strcmp(fin, "Complete") && *ct &&
			   (!*last || kube__parse_rfc3339(ct) > kube__parse_rfc3339(last))) {
			json_object_set_new(x->status, "lastSuccessfulTime", json_string(ct));
		}
	}
	/* active entries whose Job is gone */
	for (i = 0; (r = json_array_get(json_object_get(x->status, "active"), i));) {
		char *key = kube__key(x->cc->jobs, kube__jstr0(r, "namespace"), kube__jstr0(r, "name"));
		const json_t *job = key ? store_get(x->cc->c->store, key) : NULL;

		free(key);
		if (job) {
			i++;
			continue;
		}
		event(x, "Normal", "MissingJob", "Active job went missing: %s", kube__jstr0(r, "name"));
		drop_active(x, kube__jstr0(r, "uid"));
	}
}

/* getJobFromTemplate2: labels, annotations and spec from the template. */
static json_t *job_from_template(struct cj_sync *x, const char *name, int64_t sched,
				 const struct kube_tz *tz)
{
	const json_t *tmpl = json_object_get(json_object_get(x->cj, "spec"), "jobTemplate");
	const json_t *tm = json_object_get(tmpl, "metadata");
	json_t *job = json_pack("{s:s, s:s, s:{s:s, s:O}, s:O}", "apiVersion", "batch/v1", "kind",
				"Job", "metadata", "name", name, "namespace",
				json_object_get(json_object_get(x->cj, "metadata"), "namespace"),
				"spec", json_object_get(tmpl, "spec"));
	json_t *meta = json_object_get(job, "metadata"), *ann;
	char ts[64];

	if (json_object_get(tm, "labels"))
		json_object_set_new(meta, "labels", json_deep_copy(json_object_get(tm, "labels")));
	ann = json_is_object(json_object_get(tm, "annotations"))
	      ? json_deep_copy(json_object_get(tm, "annotations")) : json_object();
	kube__cj_rfc3339_in(tz, sched, ts, sizeof(ts));
	json_object_set_new(ann, "batch.kubernetes.io/cronjob-scheduled-timestamp", json_string(ts));
	json_object_set_new(meta, "annotations", ann);
	json_object_set_new(meta, "ownerReferences", json_pack("[o]", kube__new_controller_ref(x->cj)));
	return job;
}

/* A create's outcome: failures found before the store are reported at once. */
struct create_res {
	bool called;       /* the callback ran inside kube__op_create */
	bool returned;     /* kube__op_create returned first: the callback frees */
	int err;
	char msg[512];
};

static void created(int err, const json_t *obj, const json_t *st, void *data)
{
	struct create_res *r = data;

	(void)obj;
	if (r->returned) {
		free(r);
		return;
	}
	r->called = true;
	r->err = err;
	snprintf(r->msg, sizeof(r->msg), "%s", kube__jstr0(st, "message"));
}

/* Create @p job; 0, or the error with its message in @p msg. */
static int create_job(struct cj_sync *x, json_t *job, char *msg, size_t len)
{
	struct create_res *r = calloc(1, sizeof(*r));
	int err;

	if (!r) {
		json_decref(job);
		snprintf(msg, len, "out of memory");
		return KUBE_ENOMEM;
	}
	kube__op_create(x->cc->c, x->cc->jobs, kube__meta_str(x->cj, "namespace"), job, NULL,
			created, r);
	if (!r->called) {
		r->returned = true;
		return 0;
	}
	err = r->err;
	snprintf(msg, len, "%s", r->msg);
	free(r);
	return err;
}

/* Create the Job for @p sched and put it on the active list. */
static void start_job(struct cj_sync *x, int64_t sched, const struct kube_tz *tz)
{
	const char *ns = kube__meta_str(x->cj, "namespace");
	char name[300], *key, ts[32];
	const json_t *job;
	char msg[600];

	snprintf(name, sizeof(name), "%s-%lld", kube__meta_str(x->cj, "name"),
		 (long long)(sched / 60000));
	key = kube__key(x->cc->jobs, ns, name);
	if (!key)
		return;
	if (!(job = store_get(x->cc->c->store, key))) {
		if (create_job(x, job_from_template(x, name, sched, tz), msg, sizeof(msg)) ||
		    !(job = store_get(x->cc->c->store, key))) {
			event(x, "Warning", "FailedCreate", "Error creating job: %s", msg);
			free(key);
			return;
		}
		event(x, "Normal", "SuccessfulCreate", "Created job %s", name);
	} else if (!kube__controlled_by(job, kube__meta_str(x->cj, "uid")) ||
		   in_active(x, "uid", kube__meta_str(job, "uid"))) {
		free(key);
		return; /* someone else's Job, or already on record */
	}
	json_array_append_new(active_list(x), json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "Job",
		"namespace", ns, "name", name, "uid", kube__meta_str(job, "uid"), "apiVersion",
		"batch/v1", "resourceVersion", kube__meta_str(job, "resourceVersion")));
	json_object_set_new(x->status, "lastScheduleTime",
			    json_string(kube__rfc3339(sched, ts, sizeof(ts))));
	free(key);
}

/* formatSchedule plus the parse: the schedule in spec.timeZone, or NULL. */
static bool load_schedule(struct cj_sync *x, struct kube_cron *s, struct kube_tz **tz)
{
	const json_t *spec = json_object_get(x->cj, "spec");
	const char *sched = kube__jstr0(spec, "schedule"), *zone = json_string_value(json_object_get(spec, "timeZone"));
	char err[512];

	*tz = NULL;
	if (zone && kube__tz_load(zone, tz)) {
		event(x, "Warning", "UnknownTimeZone", "invalid timeZone: \"%s\": unknown time zone %s",
		      zone, zone);
		return false;
	}
	if (json_is_true(json_object_get(spec, "suspend"))) {
		kube__tz_free(*tz);
		*tz = NULL;
		return false;
	}
	if (strstr(sched, "TZ"))
		event(x, "Warning", "UnsupportedSchedule", "CRON_TZ or TZ used in schedule \"%s\" is not "
		      "officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/"
		      "cron-jobs/ for more details", sched);
	if (kube__cron_parse(sched, s, err, sizeof(err))) {
		event(x, "Warning", "UnparseableSchedule", "unparseable schedule: \"%s\" : %s", sched, err);
		kube__tz_free(*tz);
		*tz = NULL;
		return false;
	}
	if (*tz && !strstr(sched, "TZ")) {
		struct kube_tz *copy;

		/* the schedule owns one zone, the annotation reads the other */
		if (!kube__tz_load(zone, &copy))
			kube__cron_set_zone(s, copy);
	}
	return true;
}

/* The scheduling half of syncCronJob. */
static void schedule(struct cj_sync *x)
{
	const json_t *spec = json_object_get(x->cj, "spec"), *sds, *r;
	const char *policy = kube__jstr0(spec, "concurrencyPolicy");
	int64_t earliest, sched;
	enum cj_missed missed;
	struct kube_cron s;
	struct kube_tz *tz;
	char when[64], name[300];
	size_t i;

	if (json_object_get(json_object_get(x->cj, "metadata"), "deletionTimestamp") ||
	    !load_schedule(x, &s, &tz))
		return;
	if (kube__cj_most_recent(x->cj, x->now, &s, true, &earliest, &sched, &missed)) {
		event(x, "Warning", "InvalidSchedule", "invalid schedule: %s : %s", kube__jstr0(spec, "schedule"),
		      "time difference between two schedules is less than 1 second");
		goto out;
	}
	x->requeue = kube__cj_next_delay(x->cj, x->now, &s);
	if (!sched)
		goto out;
	if (missed == CJ_MANY_MISSED)
		event(x, "Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease "
		      ".spec.startingDeadlineSeconds or check clock skew");
	sds = json_object_get(spec, "startingDeadlineSeconds");
	if (json_is_integer(sds) && sched + json_integer_value(sds) * 1000 < x->now) {
		kube__cj_rfc1123z(sched, when, sizeof(when));
		event(x, "Warning", "MissSchedule", "Missed scheduled time to start a job: %s", when);
		goto out;
	}
	snprintf(name, sizeof(name), "%s-%lld", kube__meta_str(x->cj, "name"), (long long)(sched / 60000));
	if (in_active(x, "name", name) ||
	    kube__parse_rfc3339(kube__jstr0(x->status, "lastScheduleTime")) == sched)
		goto out;
	if (!strcmp(policy, "Forbid") && json_array_size(json_object_get(x->status, "active"))) {
		event(x, "Normal", "JobAlreadyActive", "Not starting job because prior execution is "
		      "running and concurrency policy is Forbid");
		goto out;
	}
	if (!strcmp(policy, "Replace"))
		while ((r = json_array_get(json_object_get(x->status, "active"), 0))) {
			char *key = kube__key(x->cc->jobs, kube__jstr0(r, "namespace"), kube__jstr0(r, "name"));
			const json_t *job = key ? store_get(x->cc->c->store, key) : NULL;

			free(key);
			if (!job) {
				drop_active(x, kube__jstr0(r, "uid"));
				continue;
			}
			delete_job(x, job);
		}
	start_job(x, sched, tz);
	x->requeue = kube__cj_next_delay(x->cj, x->now, &s);
out:
	(void)i;
	kube__cron_release(&s);
	kube__tz_free(tz);
}

/* sync: history clean-up, then syncCronJob, then the status and the next wake-up. */
static int sync_cronjob(struct cjc *cc, const char *key)
{
	const json_t *stored = store_get(cc->c->store, key);
	struct cj_sync x = { .cc = cc, .requeue = -1 };
	struct kube_op_opts o = { .status = true };
	char *prefix;

	if (!stored)
		return 0;
	x.cj = json_deep_copy(stored);
	x.now = kube__now_ms(cc->c);
	if (!json_is_object(json_object_get(x.cj, "status")))
		json_object_set_new(x.cj, "status", json_object());
	x.status = json_object_get(x.cj, "status");
	x.jobs = json_array();
	prefix = kube__key_prefix(cc->jobs, kube__meta_str(stored, "namespace"));
	if (prefix)
		store_list(cc->c->store, prefix, scan_job, &x);
	free(prefix);
	remove_oldest(&x, "Complete", "successfulJobsHistoryLimit");
	remove_oldest(&x, "Failed", "failedJobsHistoryLimit");
	reconcile_jobs(&x);
	schedule(&x);
	if (!json_equal(x.status, json_object_get(stored, "status")))
		kube__op_update(cc->c, cc->cronjobs, kube__meta_str(stored, "namespace"),
				json_incref(x.cj), &o, ignore, NULL);
	if (x.requeue >= 0)
		requeue_after(cc, key, x.requeue);
	json_decref(x.jobs);
	json_decref(x.cj);
	return 0;
}

/* ---- plumbing ------------------------------------------------------------------ */

static int process(const char *key, void *data)
{
	return sync_cronjob(data, key);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct cjc *cc = data;
	const json_t *ref;
	char *ckey;

	(void)rev, (void)prev;
	if (!strncmp(key, "batch/cronjobs/", 15)) {
		if (type != STORE_DELETED)
			kube__wq_add(cc->queue, key);
		return;
	}
	ref = kube__controller_ref(obj);
	if (!ref || strcmp(kube__jstr0(ref, "kind"), "CronJob") || strcmp(kube__jstr0(ref, "apiVersion"), "batch/v1"))
		return;
	ckey = kube__key(cc->cronjobs, kube__meta_str(obj, "namespace"), kube__jstr0(ref, "name"));
	if (ckey)
		kube__wq_add(cc->queue, ckey);
	free(ckey);
}

static int scan_one(const char *key, const json_t *obj, void *data)
{
	on_event(STORE_ADDED, 0, key, obj, NULL, data);
	return 0;
}

static void cj_stop(void *state)
{
	struct cjc *cc = state;

	store_watch_cancel(cc->watch);
	kube__wq_free(cc->queue);
	while (cc->timers) {
		struct cj_timer *ct = cc->timers;

		cc->timers = ct->next;
		kube__timer_release(&ct->t);
		free(ct->key);
		free(ct);
	}
	free(cc);
}

static int cj_start(kube_cluster *c, void **state)
{
	struct cjc *cc = calloc(1, sizeof(*cc));
	int err;

	if (!cc)
		return KUBE_ENOMEM;
	cc->c = c;
	cc->cronjobs = kube__registry_by_gvk("batch/v1", "CronJob");
	cc->jobs = kube__registry_by_gvk("batch/v1", "Job");
	cc->queue = kube__wq_new(c->loop, process, cc);
	store_list(c->store, "batch/cronjobs/", scan_one, cc);
	err = store_watch(c->store, "batch/", store_revision(c->store), on_event, cc, &cc->watch);
	if (err) {
		cc->watch = NULL;
		cj_stop(cc);
		return err;
	}
	*state = cc;
	return 0;
}

const struct kube_controller_ops kube__cronjob_controller = {
	.name = "cronjob",
	.start = cj_start,
	.stop = cj_stop,
};
