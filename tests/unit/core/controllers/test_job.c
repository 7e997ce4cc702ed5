/*
 * The Job controller through the public API: completions and parallelism
 * (checked on every status the Job ever has), work queues, Indexed jobs,
 * backoffLimit with the pod failure backoff, activeDeadlineSeconds,
 * ttlSecondsAfterFinished, suspend, the tracking finalizer and events.
 * Pods are finished by a test stand-in for the node agent (bt_finish_pod).
 */
#include <pthread.h>
#include "batch_test.h"

/* Every status a Job takes must keep active <= parallelism and
 * active + succeeded <= completions. */
struct bounds {
	pthread_mutex_t lock;
	int64_t parallelism, completions;
	int seen, violations;
	char last[256];
};

static void check_bounds(const char *type, const char *object, void *data)
{
	struct bounds *b = data;
	json_t *o = json_loads(object, 0, NULL), *st = json_object_get(o, "status");
	int64_t active = json_integer_value(json_object_get(st, "active"));
	int64_t done = json_integer_value(json_object_get(st, "succeeded"));

	(void)type;
	pthread_mutex_lock(&b->lock);
	b->seen++;
	if (active > b->parallelism || active + done > b->completions) {
		b->violations++;
		snprintf(b->last, sizeof(b->last), "active %lld succeeded %lld", (long long)active,
			 (long long)done);
	}
	pthread_mutex_unlock(&b->lock);
	json_decref(o);
}

static void finish_first(kube_cluster *c, const char *sel, int code)
{
	json_t *pods = bt_list(c, "pods", sel), *p;
	size_t i;

	json_array_foreach(pods, i, p) {
		const char *phase = json_string_value(json_object_get(json_object_get(p, "status"), "phase"));

		if (!phase || (strcmp(phase, "Succeeded") && strcmp(phase, "Failed"))) {
			bt_finish_pod(c, bt_name(p), code);
			break;
		}
	}
	json_decref(pods);
}

static size_t __attribute__((unused)) count(kube_cluster *c, const char *sel)
{
	json_t *l = bt_list(c, "pods", sel);
	size_t n = json_array_size(l);

	json_decref(l);
	return n;
}

Test(job, completions_and_parallelism)
{
	kube_cluster *c = bt_start(BT_START_MS);
	struct bounds b = { .lock = PTHREAD_MUTEX_INITIALIZER, .parallelism = 2, .completions = 5 };
	kube_watch *w;
	json_t *pods, *p;
	char *ev, want[16], cond[64];

	cr_assert_eq(kube_watch_start(c, "jobs", "default", NULL, NULL, NULL, check_bounds, &b, &w), 0);
	bt_apply_file(c, "job-parallel.yaml");
	bt_wait(c, "jobs", "pi", "jsonpath={.status.active}=2");
	pods = bt_list(c, "pods", "job-name=pi");
	cr_assert_eq(json_array_size(pods), 2);
	p = json_array_get(pods, 0);
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(p, "metadata"),
				"finalizers"), 0)), "batch.kubernetes.io/job-tracking");
	cr_expect(!strncmp(bt_name(p), "pi-", 3) && strlen(bt_name(p)) == 8);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(p, "metadata"), "ownerReferences"), 0), "kind")), "Job");
	json_decref(pods);
	bt_expect(c, "jobs", "pi", "status.startTime", "\"2024-05-06T10:00:00Z\"");
	bt_expect(c, "jobs", "pi", "status.ready", "0");
	bt_expect(c, "jobs", "pi", "status.uncountedTerminatedPods", "{}");
	for (int done = 1; done <= 5; done++) {
		finish_first(c, "job-name=pi", 0);
		snprintf(want, sizeof(want), "%d", done);
		snprintf(cond, sizeof(cond), "jsonpath={.status.succeeded}=%s", want);
		bt_wait(c, "jobs", "pi", cond);
		if (done <= 3)
			bt_wait(c, "jobs", "pi", "jsonpath={.status.active}=2");
		bt_advance(c, 1000);
	}
	bt_wait(c, "jobs", "pi", "condition=Complete");
	bt_expect(c, "jobs", "pi", "status.active", "");
	bt_expect(c, "jobs", "pi", "status.failed", "");
	bt_expect(c, "jobs", "pi", "status.completionTime", "\"2024-05-06T10:00:04Z\"");
	ev = bt_condition(c, "jobs", "pi", "SuccessCriteriaMet");
	cr_expect_str_eq(ev, "True CompletionsReached: Reached expected number of succeeded pods");
	free(ev);
	ev = bt_condition(c, "jobs", "pi", "Complete");
	cr_expect_str_eq(ev, "True CompletionsReached: Reached expected number of succeeded pods");
	free(ev);
	/* counted pods lose the finalizer and stay as history */
	pods = bt_list(c, "pods", "job-name=pi");
	cr_expect_eq(json_array_size(pods), 5);
	for (size_t i = 0; i < json_array_size(pods) && (p = json_array_get(pods, i)); i++)
		cr_expect_null(json_object_get(json_object_get(p, "metadata"), "finalizers"), "%s", bt_name(p));
	json_decref(pods);
	ev = bt_events(c, "pi");
	cr_expect(strstr(ev, "Normal SuccessfulCreate: Created pod: pi-"), "%s", ev);
	cr_expect(strstr(ev, "Normal Completed: Job completed\n"), "%s", ev);
	free(ev);
	kube_watch_stop(w);
	cr_expect_gt(b.seen, 5);
	cr_expect_eq(b.violations, 0, "%s", b.last);
	kube_cluster_free(c);
}
