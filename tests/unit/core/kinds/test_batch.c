#include "kinds_test.h"

Test(job, defaults_generate_selector_and_labels)
{
	json_t *job = kt_load("data/job.yaml");

	kt_valid(job, NULL);
	kt_field(job, "spec.completions", "1");
	kt_field(job, "spec.parallelism", "1");
	kt_field(job, "spec.backoffLimit", "6");
	kt_field(job, "spec.completionMode", "\"NonIndexed\"");
	kt_field(job, "spec.suspend", "false");
	kt_field(job, "spec.podReplacementPolicy", "\"TerminatingOrFailed\"");
	kt_field(job, "spec.selector", "{\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":"
		 "\"8a1c3e52-1111-4c2e-9f5e-0123456789ab\"}}");
	kt_field(job, "spec.template.metadata.labels.job-name", "\"pi\"");
	kt_field(job, "spec.template.metadata.labels.controller-uid",
		 "\"8a1c3e52-1111-4c2e-9f5e-0123456789ab\"");
	kt_field(job, "metadata.labels.job-name", "\"pi\"");
	json_decref(job);
}

Test(job, restart_policy_and_counts)
{
	json_t *job = kt_load("data/job.yaml");
	json_t *spec = kube__jpath(job, "spec");

	json_object_del(kube__jpath(job, "spec.template.spec"), "restartPolicy");
	json_object_set_new(spec, "parallelism", json_integer(-2));
	json_object_set_new(spec, "completionMode", json_string("Sometimes"));
	KT_CHECK(job, NULL,
		 "spec.parallelism: Invalid value: -2: must be greater than or equal to 0",
		 "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\"",
		 "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
	json_decref(job);
}

Test(job, template_immutable_unless_suspended)
{
	json_t *old = kt_load("data/job.yaml"), *job = kt_load("data/job.yaml");
	json_t *causes;

	json_object_set_new(json_array_get(kube__jpath(job, "spec.template.spec.containers"), 0),
			    "image", json_string("perl:5.36"));
	causes = kt_run(job, old);
	cr_assert_eq(json_array_size(causes), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(causes, 0), "field")),
			 "spec.template");
	json_decref(causes);
	json_decref(old);
	json_decref(job);
}

Test(cronjob, defaults_and_schedule_messages)
{
	json_t *cj = kt_parse("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
			      "  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
			      "        spec:\n          restartPolicy: OnFailure\n"
			      "          containers: [{name: c, image: busybox}]\n");

	kt_valid(cj, NULL);
	kt_field(cj, "spec.concurrencyPolicy", "\"Allow\"");
	kt_field(cj, "spec.successfulJobsHistoryLimit", "3");
	kt_field(cj, "spec.failedJobsHistoryLimit", "1");
	kt_field(cj, "spec.suspend", "false");
	kt_field(cj, "spec.jobTemplate.spec.backoffLimit", "6");
	json_object_set_new(kube__jpath(cj, "spec"), "schedule", json_string("* * *"));
	KT_CHECK(cj, NULL, "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]");
	json_object_set_new(kube__jpath(cj, "spec"), "schedule", json_string("0 25 * * *"));
	KT_CHECK(cj, NULL, "spec.schedule: Invalid value: \"0 25 * * *\": end of range (25) above maximum (23): 25");
	json_object_set_new(kube__jpath(cj, "spec"), "schedule", json_string("@every 1x"));
	KT_CHECK(cj, NULL, "spec.schedule: Invalid value: \"@every 1x\": failed to parse duration "
		 "@every 1x: time: invalid duration \"1x\"");
	json_object_set_new(kube__jpath(cj, "spec"), "schedule", json_string("TZ=UTC 0 * * * *"));
	KT_CHECK(cj, NULL, "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or "
		 "CRON_TZ in schedule, use timeZone field instead");
	json_object_set_new(kube__jpath(cj, "spec"), "schedule", json_string(""));
	json_object_set_new(kube__jpath(cj, "spec"), "timeZone", json_string("Mars/Olympus"));
	json_object_set_new(kube__jpath(cj, "spec"), "concurrencyPolicy", json_string("Never"));
	KT_CHECK(cj, NULL, "spec.schedule: Required value",
		 "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus",
		 "spec.concurrencyPolicy: Unsupported value: \"Never\": supported values: \"Allow\", "
		 "\"Forbid\", \"Replace\"");
	json_decref(cj);
}

Test(cron, parser_accepts_upstream_forms)
{
	static const char *const ok[] = {
		"0 0 * * *", "*/15 9-17 * * mon-fri", "0 0 1 jan,jul ?", "5 4 * * SUN", "@hourly",
		"@every 1h30m", "0 0 1-31/2 * *", "59 23 31 12 6", NULL,
	};
	char buf[256];

	for (int i = 0; ok[i]; i++)
		cr_assert_null(kube__cron_check(ok[i], buf, sizeof(buf)), "%s: %s", ok[i], buf);
	cr_assert_str_eq(kube__cron_check("0 0 0 * *", buf, sizeof(buf)),
			 "beginning of range (0) below minimum (1): 0");
	cr_assert_str_eq(kube__cron_check("0 0 * * 7", buf, sizeof(buf)),
			 "end of range (7) above maximum (6): 7");
	cr_assert_str_eq(kube__cron_check("x * * * *", buf, sizeof(buf)),
			 "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
	cr_assert_str_eq(kube__cron_check("5-1 * * * *", buf, sizeof(buf)),
			 "beginning of range (5) beyond end of range (1): 5-1");
	cr_assert_str_eq(kube__cron_check("*/0 * * * *", buf, sizeof(buf)),
			 "step of range should be a positive number: */0");
	cr_assert_str_eq(kube__cron_check("@fortnightly", buf, sizeof(buf)),
			 "unrecognized descriptor: @fortnightly");
}
