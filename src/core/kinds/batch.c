/*
 * batch/v1 Job and CronJob: pkg/apis/batch/v1/defaults.go, the Job
 * strategy's selector generation, and pkg/apis/batch/validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/kinds/kinds.h"
#include "core/status.h"

void kube__jobspec_defaults(json_t *spec)
{
	json_t *pfp;

	if (!json_is_object(spec))
		return;
	if (!json_object_get(spec, "completions") && !json_object_get(spec, "parallelism"))
		json_object_set_new(spec, "completions", json_integer(1));
	kube__jdefault(spec, "parallelism", json_integer(1));
	kube__jdefault(spec, "backoffLimit", json_integer(
		json_object_get(spec, "backoffLimitPerIndex") ? 2147483647 : 6));
	kube__jdefault_str(spec, "completionMode", "NonIndexed");
	kube__jdefault(spec, "suspend", json_false());
	pfp = kube__jobj(spec, "podFailurePolicy");
	kube__jdefault_str(spec, "podReplacementPolicy", pfp ? "Failed" : "TerminatingOrFailed");
	kube__podspec_defaults(kube__jpath(spec, "template.spec"));
}

/* generateSelector: the job-name and controller-uid labels on the template
 * and the controller-uid selector, unless the user manages the selector. */
static void generate_selector(json_t *obj, json_t *spec)
{
	static const char *const name_keys[] = { "job-name", "batch.kubernetes.io/job-name", NULL };
	static const char *const uid_keys[] = {
		"controller-uid", "batch.kubernetes.io/controller-uid", NULL,
	};
	json_t *meta = kube__jobj(obj, "metadata"), *labels, *ml;
	const char *name = kinds_str(meta, "name"), *uid = kinds_str(meta, "uid");

	if (json_is_true(json_object_get(spec, "manualSelector")))
		return;
	labels = kube__jensure_obj(kube__jensure_obj(kube__jensure_obj(spec, "template"),
						     "metadata"), "labels");
	for (int i = 0; name_keys[i]; i++)
		kube__jdefault(labels, name_keys[i], json_string(name));
	for (int i = 0; uid_keys[i]; i++)
		kube__jdefault(labels, uid_keys[i], json_string(uid));
	ml = kube__jensure_obj(kube__jensure_obj(spec, "selector"), "matchLabels");
	kube__jdefault(ml, "batch.kubernetes.io/controller-uid", json_string(uid));
}

void kube__job_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *meta, *labels;

	if (!spec)
		return;
	kube__jobspec_defaults(spec);
	generate_selector(obj, spec);
	/* upstream shares the template's label map with the job's when it has none */
	labels = kube__jpath(spec, "template.metadata.labels");
	meta = kube__jensure_obj(obj, "metadata");
	if (json_is_object(labels) && !kube__jnonempty(meta, "labels"))
		json_object_set_new(meta, "labels", json_deep_copy(labels));
}

/* The public ValidateJobSpec adds the selector rules to validateJobSpec. */
static void job_selector(const json_t *spec, const char *base, json_t *causes)
{
	json_t *sel = kube__jobj(spec, "selector");
	json_t *labels = kube__jpath(spec, "template.metadata.labels");
	char p[KUBE_PATH_MAX], *raw;

	kube__path_child(p, base, "selector");
	if (!sel)
		kube__err_required(causes, p, NULL);
	kube__validate_label_selector(causes, sel, p);
	if (sel && !kube__selector_matches(sel, labels) && (raw = kube__go_string_map(labels))) {
		snprintf(p, sizeof(p), "%s.template.metadata.labels", base);
		kube__err_invalid_raw(causes, p, raw, "`selector` does not match template `labels`");
		free(raw);
	}
}

/* validateJobSpec: counts, completion mode, the pod template and its restart policy. */
void kube__jobspec_validate(const json_t *spec, const char *base, json_t *causes)
{
	static const char *const modes[] = { "NonIndexed", "Indexed", NULL };
	static const char *const policies[] = { "OnFailure", "Never", NULL };
	static const char *const nonneg[] = {
		"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
		"ttlSecondsAfterFinished", NULL,
	};
	const char *mode = kinds_str(spec, "completionMode");
	const char *rp = kinds_str(kube__jpath(spec, "template.spec"), "restartPolicy");
	char p[KUBE_PATH_MAX];

	for (int i = 0; nonneg[i]; i++)
		kube__check_nonneg(causes, spec, nonneg[i], base);
	if (json_object_get(spec, "completionMode")) {
		kube__path_child(p, base, "completionMode");
		if (strcmp(mode, "NonIndexed") && strcmp(mode, "Indexed"))
			kube__err_unsupported(causes, p, mode, modes);
		if (!strcmp(mode, "Indexed") && !json_is_integer(json_object_get(spec, "completions")))
			kube__err_required(causes, kube__path_child(p, base, "completions"),
					   "when completion mode is Indexed");
	}
	kube__podtemplate_validate_spec(kube__jobj(spec, "template"),
					kube__path_child(p, base, "template"), causes);
	snprintf(p, sizeof(p), "%s.template.spec.restartPolicy", base);
	/* SetDefaults_PodSpec made an unset policy Always, so both mean "unset" */
	if (!*rp || !strcmp(rp, "Always"))
		kube__err_required(causes, p, "valid values: \"OnFailure\", \"Never\"");
	else if (strcmp(rp, "OnFailure") && strcmp(rp, "Never"))
		kube__err_unsupported(causes, p, rp, policies);
}

/* validateGeneratedSelector: the generated labels must be on the template. */
static void generated_labels(const json_t *obj, json_t *causes)
{
	const json_t *meta = kube__jobj(obj, "metadata");
	json_t *labels = kube__jpath(obj, "spec.template.metadata.labels");
	static const char *const keys[] = { "controller-uid", "batch.kubernetes.io/controller-uid",
					    "job-name", "batch.kubernetes.io/job-name", NULL };
	char p[KUBE_PATH_MAX], detail[300], *raw;

	if (json_is_true(kube__jpath(obj, "spec.manualSelector")))
		return;
	if (!*kinds_str(meta, "uid"))
		kube__err_required(causes, "metadata.uid", NULL);
	for (int i = 0; keys[i]; i++) {
		const char *want = kinds_str(meta, i < 2 ? "uid" : "name");
		json_t *have = json_object_get(labels, keys[i]);

		snprintf(p, sizeof(p), "spec.template.metadata.labels[%s]", keys[i]);
		snprintf(detail, sizeof(detail), "must be '%s'", want);
		if (!have)
			kube__err_required(causes, p, detail);
		else if (strcmp(json_string_value(have) ? json_string_value(have) : "", want) &&
			 (raw = kube__go_string_map(labels))) {
			kube__err_invalid_raw(causes, p, raw, detail);
			free(raw);
		}
	}
}

void kube__job_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec"), *old_spec = kube__jobj(old, "spec");
	char *raw;

	generated_labels(obj, causes);
	kube__jobspec_validate(spec, "spec", causes);
	job_selector(spec, "spec", causes);
	if (!old)
		return;
	if (kube__changed(json_object_get(spec, "completions"), json_object_get(old_spec, "completions")))
		kube__err_invalid_int(causes, "spec.completions",
				      json_integer_value(json_object_get(spec, "completions")),
				      "field is immutable");
	if (kube__changed(kube__jobj(spec, "selector"), kube__jobj(old_spec, "selector")) &&
	    (raw = kube__go_label_selector(kube__jobj(spec, "selector")))) {
		kube__err_invalid_raw(causes, "spec.selector", raw, "field is immutable");
		free(raw);
	}
	/* the template may change only while the job is suspended */
	if (!json_is_true(json_object_get(old_spec, "suspend")) &&
	    kube__changed(kube__jobj(spec, "template"), kube__jobj(old_spec, "template")))
		kube__cause_invalid(causes, "spec.template", kube__jobj(spec, "template"),
					 "field is immutable");
	if (kube__changed(json_object_get(spec, "completionMode"),
			  json_object_get(old_spec, "completionMode")))
		kube__err_invalid_str(causes, "spec.completionMode", kinds_str(spec, "completionMode"),
				      "field is immutable");
}

/* ---- CronJob ---------------------------------------------------------------- */

void kube__cronjob_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec");

	if (!spec)
		return;
	kube__jdefault_str(spec, "concurrencyPolicy", "Allow");
	kube__jdefault(spec, "suspend", json_false());
	kube__jdefault(spec, "successfulJobsHistoryLimit", json_integer(3));
	kube__jdefault(spec, "failedJobsHistoryLimit", json_integer(1));
	kube__jobspec_defaults(kube__jpath(spec, "jobTemplate.spec"));
}

/* time.LoadLocation: UTC, or a file under the zoneinfo database. */
static bool known_zone(const char *tz)
{
	char path[512];
	struct stat st;

	if (!strcmp(tz, "UTC"))
		return true;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool zone_part_ok(const char *s, size_t n)
{
	if (n == 0 || n > 14 || s[0] == '-' || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_+", s[i]))
			return false;
	return true;
}

static void validate_time_zone(const json_t *spec, json_t *causes)
{
	json_t *v = json_object_get(spec, "timeZone");
	const char *tz = json_string_value(v), *p, *slash;
	char msg[300];

	if (!tz)
		return;
	if (!*tz) {
		kube__err_invalid_str(causes, "spec.timeZone", tz, "timeZone must be nil or non-empty string");
		return;
	}
	snprintf(msg, sizeof(msg), "unknown time zone %s", tz);
	for (p = tz;; p = slash + 1) {
		slash = strchr(p, '/');
		if (!zone_part_ok(p, slash ? (size_t)(slash - p) : strlen(p))) {
			kube__err_invalid_str(causes, "spec.timeZone", tz, msg);
			return;
		}
		if (!slash)
			break;
	}
	if (!strcasecmp(tz, "Local"))
		kube__err_invalid_str(causes, "spec.timeZone", tz, "timeZone must be an explicit time "
				      "zone as defined in https://www.iana.org/time-zones");
	if (!known_zone(tz))
		kube__err_invalid_str(causes, "spec.timeZone", tz, msg);
}

static void validate_schedule(const json_t *spec, const json_t *old_spec, json_t *causes)
{
	const char *sched = kinds_str(spec, "schedule"), *err;
	bool allow_tz = old_spec && strstr(kinds_str(old_spec, "schedule"), "TZ");
	char buf[512];

	if (!*sched) {
		kube__err_required(causes, "spec.schedule", NULL);
		return;
	}
	if ((err = kube__cron_check(sched, buf, sizeof(buf))))
		kube__err_invalid_str(causes, "spec.schedule", sched, err);
	if (allow_tz && strstr(sched, "TZ") && json_object_get(spec, "timeZone"))
		kube__err_invalid_str(causes, "spec.schedule", sched,
				      "cannot use both timeZone field and TZ or CRON_TZ in schedule");
	else if (!allow_tz && strstr(sched, "TZ"))
		kube__err_invalid_str(causes, "spec.schedule", sched,
				      "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
}

void kube__cronjob_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const policies[] = { "Allow", "Forbid", "Replace", NULL };
	const json_t *spec = kube__jobj(obj, "spec"), *old_spec = kube__jobj(old, "spec");
	const char *cp = kinds_str(spec, "concurrencyPolicy");
	static const char *const manual[] = { "nil", "false", NULL };
	json_t *jt = kube__jobj(spec, "jobTemplate");
	char *raw;

	validate_schedule(spec, old_spec, causes);
	kube__check_nonneg(causes, spec, "startingDeadlineSeconds", "spec");
	if (!old_spec || kube__changed(json_object_get(spec, "timeZone"),
				       json_object_get(old_spec, "timeZone")))
		validate_time_zone(spec, causes);
	if (!*cp)
		kube__err_required(causes, "spec.concurrencyPolicy", NULL);
	else if (strcmp(cp, "Allow") && strcmp(cp, "Forbid") && strcmp(cp, "Replace"))
		kube__err_unsupported(causes, "spec.concurrencyPolicy", cp, policies);
	kube__validate_labels(causes, kube__jpath(jt, "metadata.labels"),
			      "spec.jobTemplate.metadata.labels");
	kube__jobspec_validate(kube__jobj(jt, "spec"), "spec.jobTemplate.spec", causes);
	if (kube__jpath(jt, "spec.selector") && (raw = kube__go_label_selector(kube__jpath(jt, "spec.selector")))) {
		kube__err_invalid_raw(causes, "spec.jobTemplate.spec.selector", raw,
				      "`selector` will be auto-generated");
		free(raw);
	}
	if (json_is_true(kube__jpath(jt, "spec.manualSelector")))
		kube__err_unsupported_raw(causes, "spec.jobTemplate.spec.manualSelector", "true", manual);
	kube__check_nonneg(causes, spec, "successfulJobsHistoryLimit", "spec");
	kube__check_nonneg(causes, spec, "failedJobsHistoryLimit", "spec");
}
