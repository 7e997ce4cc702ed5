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

static size_t count(kube_cluster *c, const char *sel)
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

Test(job, work_queue_completes_when_one_succeeds_and_the_rest_finish)
{
	kube_cluster *c = bt_start(BT_START_MS);
	json_t *pods;

	bt_apply_file(c, "job-queue.yaml");
	bt_wait(c, "jobs", "queue", "jsonpath={.status.active}=3");
	pods = bt_list(c, "pods", "job-name=queue");
	bt_finish_pod(c, bt_name(json_array_get(pods, 0)), 0);
	bt_wait(c, "jobs", "queue", "jsonpath={.status.succeeded}=1");
	/* after a success no pod is replaced: the others finish their share */
	bt_expect(c, "jobs", "queue", "status.active", "2");
	cr_expect_eq(count(c, "job-name=queue"), 3);
	bt_finish_pod(c, bt_name(json_array_get(pods, 1)), 0);
	bt_finish_pod(c, bt_name(json_array_get(pods, 2)), 0);
	bt_wait(c, "jobs", "queue", "condition=Complete");
	bt_expect(c, "jobs", "queue", "status.succeeded", "3");
	json_decref(pods);
	kube_cluster_free(c);
}

Test(job, indexed_completion_indexes)
{
	kube_cluster *c = bt_start(BT_START_MS);
	json_t *pods, *p, *env;
	char name[64];

	bt_apply_file(c, "job-indexed.yaml");
	bt_wait(c, "jobs", "idx", "jsonpath={.status.active}=2");
	pods = bt_list(c, "pods", "batch.kubernetes.io/job-completion-index=1");
	cr_assert_eq(json_array_size(pods), 1);
	p = json_array_get(pods, 0);
	cr_expect(!strncmp(bt_name(p), "idx-1-", 6), "%s", bt_name(p));
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(p, "metadata"),
		"annotations"), "batch.kubernetes.io/job-completion-index")), "1");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(p, "spec"), "hostname")), "idx-1");
	env = json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(p, "spec"),
		"containers"), 0), "env"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(env, "name")), "JOB_COMPLETION_INDEX");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(env,
		"valueFrom"), "fieldRef"), "fieldPath")),
		"metadata.labels['batch.kubernetes.io/job-completion-index']");
	snprintf(name, sizeof(name), "%s", bt_name(p));
	json_decref(pods);
	bt_finish_pod(c, name, 0);
	bt_wait(c, "jobs", "idx", "jsonpath={.status.completedIndexes}=1");
	/* index 2 replaces the finished one; index 0 still runs */
	bt_wait(c, "jobs", "idx", "jsonpath={.status.active}=2");
	cr_expect_eq(count(c, "batch.kubernetes.io/job-completion-index=2"), 1);
	pods = bt_list(c, "pods", "batch.kubernetes.io/job-completion-index=2");
	bt_finish_pod(c, bt_name(json_array_get(pods, 0)), 0);
	json_decref(pods);
	bt_wait(c, "jobs", "idx", "jsonpath={.status.completedIndexes}=1-2");
	pods = bt_list(c, "pods", "batch.kubernetes.io/job-completion-index=0");
	bt_finish_pod(c, bt_name(json_array_get(pods, 0)), 0);
	json_decref(pods);
	bt_wait(c, "jobs", "idx", "condition=Complete");
	bt_expect(c, "jobs", "idx", "status.completedIndexes", "\"0-2\"");
	bt_expect(c, "jobs", "idx", "status.succeeded", "3");
	kube_cluster_free(c);
}

Test(job, backoff_limit_with_failure_backoff)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *s;

	bt_apply_file(c, "job-backoff.yaml");
	bt_wait(c, "jobs", "flaky", "jsonpath={.status.active}=1");
	finish_first(c, "job-name=flaky", 1);
	bt_wait(c, "jobs", "flaky", "jsonpath={.status.failed}=1");
	/* the replacement waits 10 s of cluster time */
	bt_advance(c, 9000);
	cr_expect_eq(count(c, "job-name=flaky"), 1);
	bt_advance(c, 1000);
	bt_wait(c, "jobs", "flaky", "jsonpath={.status.active}=1");
	cr_expect_eq(count(c, "job-name=flaky"), 2);
	finish_first(c, "job-name=flaky", 1);
	bt_wait(c, "jobs", "flaky", "jsonpath={.status.failed}=2");
	/* then 20 s */
	bt_advance(c, 19000);
	cr_expect_eq(count(c, "job-name=flaky"), 2);
	bt_advance(c, 1000);
	bt_wait(c, "jobs", "flaky", "jsonpath={.status.active}=1");
	finish_first(c, "job-name=flaky", 1);
	bt_wait(c, "jobs", "flaky", "condition=Failed");
	bt_expect(c, "jobs", "flaky", "status.failed", "3");
	s = bt_condition(c, "jobs", "flaky", "Failed");
	cr_expect_str_eq(s, "True BackoffLimitExceeded: Job has reached the specified backoff limit");
	free(s);
	s = bt_condition(c, "jobs", "flaky", "FailureTarget");
	cr_expect_str_eq(s, "True BackoffLimitExceeded: Job has reached the specified backoff limit");
	free(s);
	bt_expect(c, "jobs", "flaky", "status.completionTime", "");
	s = bt_events(c, "flaky");
	cr_expect(strstr(s, "Warning BackoffLimitExceeded: Job has reached the specified backoff limit"), "%s", s);
	free(s);
	kube_cluster_free(c);
}

Test(job, active_deadline_deletes_pods_and_fails)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *s;

	bt_apply_file(c, "job-deadline.yaml");
	bt_wait(c, "jobs", "slow", "jsonpath={.status.active}=2");
	bt_advance(c, 29000);
	bt_expect(c, "jobs", "slow", "status.active", "2");
	bt_advance(c, 1000);
	bt_wait(c, "jobs", "slow", "condition=Failed");
	s = bt_condition(c, "jobs", "slow", "Failed");
	cr_expect_str_eq(s, "True DeadlineExceeded: Job was active longer than specified deadline");
	free(s);
	cr_expect_eq(count(c, "job-name=slow"), 0);
	bt_expect(c, "jobs", "slow", "status.failed", "2");
	bt_expect(c, "jobs", "slow", "status.active", "");
	bt_expect(c, "jobs", "slow", "status.terminating", "0");
	kube_cluster_free(c);
}

Test(job, ttl_after_finished_deletes_the_job_and_its_pods)
{
	kube_cluster *c = bt_start(BT_START_MS);

	bt_apply_file(c, "job-ttl.yaml");
	bt_wait(c, "jobs", "brief", "jsonpath={.status.active}=1");
	finish_first(c, "job-name=brief", 0);
	bt_wait(c, "jobs", "brief", "condition=Complete");
	bt_advance(c, 59000);
	cr_expect_eq(kube_wait(c, "jobs", "default", "brief", "delete", 200), KUBE_ETIMEDOUT);
	bt_advance(c, 1000);
	bt_wait(c, "jobs", "brief", "delete");
	for (int i = 0; i < 100 && count(c, "job-name=brief"); i++)
		kube_wait(c, "jobs", "default", "brief", "create", 10);
	cr_expect_eq(count(c, "job-name=brief"), 0);
	kube_cluster_free(c);
}

Test(job, suspend_and_resume)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *s;

	bt_apply_file(c, "job-suspended.yaml");
	bt_wait(c, "jobs", "later", "condition=Suspended");
	s = bt_condition(c, "jobs", "later", "Suspended");
	cr_expect_str_eq(s, "True JobSuspended: Job suspended");
	free(s);
	bt_expect(c, "jobs", "later", "status.startTime", "");
	cr_expect_eq(count(c, "job-name=later"), 0);
	bt_advance(c, 500000); /* no deadline while suspended */
	bt_apply_file(c, "job-resumed.yaml");
	bt_wait(c, "jobs", "later", "jsonpath={.status.active}=2");
	s = bt_condition(c, "jobs", "later", "Suspended");
	cr_expect_str_eq(s, "False JobResumed: Job resumed");
	free(s);
	bt_expect(c, "jobs", "later", "status.startTime", "\"2024-05-06T10:08:20Z\"");
	bt_apply_file(c, "job-suspended.yaml");
	bt_wait(c, "jobs", "later", "condition=Suspended");
	for (int i = 0; i < 100 && count(c, "job-name=later"); i++)
		kube_wait(c, "jobs", "default", "later", "create", 10);
	cr_expect_eq(count(c, "job-name=later"), 0);
	bt_expect(c, "jobs", "later", "status.failed", "");
	for (int i = 0; i < 100; i++) {
		s = bt_events(c, "later");
		if (strstr(s, "Deleted pod"))
			break;
		free(s);
		s = NULL;
		kube_wait(c, "jobs", "default", "later", "create", 10);
	}
	cr_assert(s);
	cr_expect(strstr(s, "Normal Suspended: Job suspended") && strstr(s, "Normal Resumed: Job resumed") &&
		  strstr(s, "Normal SuccessfulDelete: Deleted pod: later-"), "%s", s);
	free(s);
	kube_cluster_free(c);
}
