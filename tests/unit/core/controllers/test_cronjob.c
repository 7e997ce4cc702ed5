/*
 * The CronJob controller through the public API on a manual clock:
 * schedules (fields, macros, timeZone), Job names and annotations,
 * concurrencyPolicy Allow/Forbid/Replace, startingDeadlineSeconds,
 * suspend, history limits, status and events. Jobs finish by their pods
 * being finished by hand (bt_finish_pod), the node agent's job.
 */
#include "batch_test.h"

static const char *cj_yaml =
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: %s}\n"
	"spec:\n  schedule: \"%s\"\n  concurrencyPolicy: %s\n%s"
	"  jobTemplate:\n    spec:\n      template:\n        spec:\n"
	"          restartPolicy: Never\n"
	"          containers: [{name: c, image: busybox:1.36}]\n";

static void apply_cj(kube_cluster *c, const char *name, const char *sched, const char *policy,
		     const char *extra)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), cj_yaml, name, sched, policy, extra);
	bt_apply(c, buf);
}

static size_t njobs(kube_cluster *c)
{
	json_t *l = bt_list(c, "jobs", NULL);
	size_t n = json_array_size(l);

	json_decref(l);
	return n;
}

/* Finish the single pod of Job @p job with @p code. */
static void finish_job(kube_cluster *c, const char *job, int code)
{
	char sel[128];
	json_t *pods;

	snprintf(sel, sizeof(sel), "job-name=%s", job);
	bt_wait(c, "jobs", job, "jsonpath={.status.active}=1");
	pods = bt_list(c, "pods", sel);
	cr_assert_eq(json_array_size(pods), 1, "%s", job);
	bt_finish_pod(c, bt_name(json_array_get(pods, 0)), code);
	json_decref(pods);
	bt_wait(c, "jobs", job, code ? "condition=Failed" : "condition=Complete");
}

static char *job_name(const char *cj, int64_t sched_ms)
{
	char *s = NULL;

	cr_assert(asprintf(&s, "%s-%lld", cj, (long long)(sched_ms / 60000)) > 0);
	return s;
}

/* Let the controller settle after a clock move: its queue runs on the loop. */
static void settle(kube_cluster *c)
{
	kube_wait(c, "namespaces", "", "default", "create", 50);
}

/* Start 1 s past the minute: the controller wakes 100 ms after a schedule time. */
static void offset(kube_cluster *c)
{
	settle(c);
	bt_advance(c, 1000);
}

Test(cronjob, hourly_in_a_time_zone_with_history_limits)
{
	kube_cluster *c = bt_start(BT_START_MS + 30 * 60000); /* 10:30Z = 12:30 in Berlin */
	char *name, *ev;
	json_t *jobs;

	bt_apply_file(c, "cronjob-hourly.yaml");
	settle(c);
	cr_expect_eq(njobs(c), 0);
	/* 11:00Z is 13:00 in Berlin: the top of an hour either way; run four hours */
	for (int h = 1; h <= 4; h++) {
		int64_t sched = BT_START_MS + h * 3600000LL;

		bt_advance(c, sched + 1000 - bt_now); /* upstream syncs 100 ms after */
		name = job_name("report", sched);
		bt_wait(c, "jobs", name, "create");
		finish_job(c, name, h == 2);
		free(name);
	}
	/* hours 1, 3, 4 succeeded (keep 2: 3 and 4), hour 2 failed (keep 1) */
	name = job_name("report", BT_START_MS + 3600000LL);
	cr_expect_eq(kube_wait(c, "jobs", "default", name, "delete", BT_WAIT_MS), 0);
	free(name);
	bt_wait(c, "cronjobs", "report", "jsonpath={.status.lastSuccessfulTime}=2024-05-06T14:00:01Z");
	jobs = bt_list(c, "jobs", "app=report");
	cr_expect_eq(json_array_size(jobs), 3);
	json_decref(jobs);
	name = job_name("report", BT_START_MS + 7200000LL);
	bt_expect(c, "jobs", name, "metadata.ownerReferences.0.kind", "\"CronJob\"");
	{
		json_t *j = bt_get(c, "jobs", name);

		cr_expect_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(j, "metadata"),
			"annotations"), "batch.kubernetes.io/cronjob-scheduled-timestamp")),
			"2024-05-06T14:00:00+02:00");
		json_decref(j);
	}
	free(name);
	bt_expect(c, "cronjobs", "report", "status.lastScheduleTime", "\"2024-05-06T14:00:00Z\"");
	bt_expect(c, "cronjobs", "report", "status.lastSuccessfulTime", "\"2024-05-06T14:00:01Z\"");
	bt_expect(c, "cronjobs", "report", "status.active", "");
	ev = bt_events(c, "report");
	cr_expect(strstr(ev, "Normal SuccessfulCreate: Created job report-28583220\n"), "%s", ev);
	cr_expect(strstr(ev, "Normal SawCompletedJob: Saw completed job: report-28583220, status: Complete"), "%s", ev);
	cr_expect(strstr(ev, "Normal SawCompletedJob: Saw completed job: report-28583280, status: Failed"), "%s", ev);
	cr_expect(strstr(ev, "Normal SuccessfulDelete: Deleted job report-28583220\n"), "%s", ev);
	free(ev);
	kube_cluster_free(c);
}

Test(cronjob, allow_runs_overlapping_jobs)
{
	kube_cluster *c = bt_start(BT_START_MS);

	apply_cj(c, "allow", "*/5 * * * *", "Allow", "");
	offset(c);
	for (int i = 1; i <= 3; i++)
		bt_advance(c, 5 * 60000);
	settle(c);
	cr_expect_eq(njobs(c), 3);
	bt_wait(c, "cronjobs", "allow", "jsonpath={.status.active[2].kind}=Job");
	bt_expect(c, "cronjobs", "allow", "status.lastScheduleTime", "\"2024-05-06T10:15:00Z\"");
	kube_cluster_free(c);
}

Test(cronjob, forbid_skips_while_one_runs)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *ev, *first = job_name("forbid", BT_START_MS + 60000);

	apply_cj(c, "forbid", "* * * * *", "Forbid", "");
	offset(c);
	bt_advance(c, 60000);
	bt_wait(c, "jobs", first, "create");
	bt_advance(c, 60000);
	bt_advance(c, 60000);
	settle(c);
	cr_expect_eq(njobs(c), 1);
	ev = bt_events(c, "forbid");
	cr_expect(strstr(ev, "Normal JobAlreadyActive: Not starting job because prior execution is "
			 "running and concurrency policy is Forbid"), "%s", ev);
	free(ev);
	finish_job(c, first, 0);
	bt_advance(c, 60000);
	settle(c);
	cr_expect_eq(njobs(c), 2);
	free(first);
	kube_cluster_free(c);
}

Test(cronjob, replace_deletes_the_running_job)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *first = job_name("replace", BT_START_MS + 60000);
	char *second = job_name("replace", BT_START_MS + 120000), *ev;

	apply_cj(c, "replace", "* * * * *", "Replace", "");
	offset(c);
	bt_advance(c, 60000);
	settle(c);
	bt_wait(c, "jobs", first, "create");
	bt_advance(c, 60000);
	bt_wait(c, "jobs", first, "delete");
	bt_wait(c, "jobs", second, "create");
	bt_wait(c, "cronjobs", "replace", "jsonpath={.status.active[0].name}=replace-28583162");
	ev = bt_events(c, "replace");
	cr_expect(strstr(ev, "Normal SuccessfulDelete: Deleted job replace-28583161\n"), "%s", ev);
	free(ev);
	free(first);
	free(second);
	kube_cluster_free(c);
}

Test(cronjob, starting_deadline_and_missed_schedules)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *ev;

	/* suspended through 10:00..10:10, then resumed at 10:12: the 10:10 run is
	 * more than 60 s late and is missed; 10:15 runs */
	apply_cj(c, "late", "*/5 * * * *", "Allow", "  suspend: true\n  startingDeadlineSeconds: 60\n");
	offset(c);
	bt_advance(c, 12 * 60000);
	settle(c);
	cr_expect_eq(njobs(c), 0);
	apply_cj(c, "late", "*/5 * * * *", "Allow", "  suspend: false\n  startingDeadlineSeconds: 60\n");
	settle(c);
	cr_expect_eq(njobs(c), 0);
	bt_advance(c, 3 * 60000);
	settle(c);
	cr_expect_eq(njobs(c), 1);
	bt_expect(c, "cronjobs", "late", "status.lastScheduleTime", "\"2024-05-06T10:15:00Z\"");
	/* without a deadline, a late start still runs the most recent schedule */
	apply_cj(c, "eager", "0 * * * *", "Allow", "  suspend: true\n");
	bt_advance(c, 50 * 60000); /* 11:05 */
	apply_cj(c, "eager", "0 * * * *", "Allow", "  suspend: false\n");
	bt_wait(c, "jobs", "eager-28583220", "create");
	(void)ev;
	kube_cluster_free(c);
}

Test(cronjob, too_many_missed_and_macros)
{
	kube_cluster *c = bt_start(BT_START_MS);
	char *ev;

	apply_cj(c, "often", "* * * * *", "Allow", "  suspend: true\n");
	apply_cj(c, "weekly", "@weekly", "Forbid", "");
	offset(c);
	bt_advance(c, 200 * 60000); /* 13:20 */
	apply_cj(c, "often", "* * * * *", "Allow", "  suspend: false\n");
	bt_wait(c, "jobs", "often-28583360", "create");
	ev = bt_events(c, "often");
	cr_expect(strstr(ev, "Warning TooManyMissedTimes: too many missed start times. Set or decrease "
			 ".spec.startingDeadlineSeconds or check clock skew"), "%s", ev);
	free(ev);
	cr_assert_eq(kube_delete(c, "cronjobs", "default", "often", KUBE_PROPAGATION_DEFAULT), 0);
	/* @weekly: Sunday 2024-05-12T00:00Z */
	bt_advance(c, (int64_t)(5 * 24 + 10) * 3600000 + 40 * 60000 - 1000);
	settle(c);
	cr_expect_eq(kube_wait(c, "jobs", "default", "weekly-28591200", "create", 100), KUBE_ETIMEDOUT);
	bt_advance(c, 1000);
	bt_wait(c, "jobs", "weekly-28591200", "create");
	kube_cluster_free(c);
}
