/*
 * batch/v1 tables from upstream's printers.go: Job (STATUS, COMPLETIONS,
 * DURATION) and CronJob.
 */
#include <stdio.h>
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }
#define COL_CONTAINERS { "Containers", "string", "", "Names of each container in the template.", 1 }
#define COL_IMAGES { "Images", "string", "", "Images referenced by each container in the template.", 1 }

/* ---- Job ---- */

static const struct kube_column job_columns[] = {
	COL_NAME,
	{ "Status", "string", "", "Status of the job.", 0 },
	{ "Completions", "string", "", KUBE_DOC_JOB_SUCCEEDED, 0 },
	{ "Duration", "string", "", "Time required to complete the job.", 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
	{ "Selector", "string", "", KUBE_DOC_JOB_SELECTOR, 1 },
};

/* hasJobCondition: the first condition of @p type has status True. */
static bool job_condition(const json_t *job, const char *type)
{
	const json_t *c;
	size_t i;

	json_array_foreach(kube__jget(job, "status.conditions"), i, c)
		if (!strcmp(kube__jstr0(c, "type"), type))
			return !strcmp(kube__jstr0(c, "status"), "True");
	return false;
}

static const char *job_status(const json_t *job)
{
	if (job_condition(job, "Complete"))
		return "Complete";
	if (job_condition(job, "Failed"))
		return "Failed";
	if (kube__jget(job, "metadata.deletionTimestamp"))
		return "Terminating";
	if (job_condition(job, "Suspended"))
		return "Suspended";
	if (job_condition(job, "FailureTarget"))
		return "FailureTarget";
	return "Running";
}

/* "succeeded/completions", or "succeeded/1 of parallelism" for a work queue
 * job running more than one pod. */
static int job_completions_cell(json_t *cells, const json_t *job)
{
	json_int_t succeeded = kube__jint(job, "status.succeeded", 0);
	json_int_t parallelism = kube__jint(job, "spec.parallelism", 0);
	char buf[96];

	if (json_is_integer(kube__jget(job, "spec.completions")))
		snprintf(buf, sizeof(buf), "%lld/%lld", (long long)succeeded,
			 (long long)kube__jint(job, "spec.completions", 0));
	else if (parallelism > 1)
		snprintf(buf, sizeof(buf), "%lld/1 of %lld", (long long)succeeded, (long long)parallelism);
	else
		snprintf(buf, sizeof(buf), "%lld/1", (long long)succeeded);
	return kube__cell_str(cells, buf);
}

/* startTime to completionTime, or to now while running; "" before it starts. */
static int job_duration_cell(json_t *cells, const json_t *job, int64_t now_ms)
{
	int64_t start = kube__parse_time(kube__jstr(job, "status.startTime"));
	int64_t end = kube__parse_time(kube__jstr(job, "status.completionTime"));
	char buf[32];

	if (start == KUBE_TIME_ZERO)
		return kube__cell_str(cells, "");
	kube__human_duration((end == KUBE_TIME_ZERO ? now_ms : end) - start, buf, sizeof(buf));
	return kube__cell_str(cells, buf);
}

static int job_row(const json_t *job, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, job);

	failed |= kube__cell_str(cells, job_status(job));
	failed |= job_completions_cell(cells, job);
	failed |= job_duration_cell(cells, job, now_ms);
	failed |= kube__cell_age(cells, job, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(job, "spec.template.spec.containers"));
	failed |= kube__cell_selector(cells, kube__jget(job, "spec.selector"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_job = KUBE_PRINTER(job_columns, job_row);

/* ---- CronJob ---- */

static const struct kube_column cronjob_columns[] = {
	COL_NAME,
	{ "Schedule", "string", "", KUBE_DOC_CJ_SCHEDULE, 0 },
	{ "Timezone", "string", "", KUBE_DOC_CJ_TIMEZONE, 0 },
	{ "Suspend", "boolean", "", KUBE_DOC_CJ_SUSPEND, 0 },
	{ "Active", "integer", "", KUBE_DOC_CJ_ACTIVE, 0 },
	{ "Last Schedule", "string", "", KUBE_DOC_CJ_LAST, 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
	{ "Selector", "string", "", KUBE_DOC_JOB_SELECTOR, 1 },
};

/* printBoolPtr: the text "True"/"False" (upstream sends a string in this
 * boolean column), "<unset>" when absent. */
static const char *bool_ptr(const json_t *v)
{
	if (!json_is_boolean(v))
		return "<unset>";
	return json_is_true(v) ? "True" : "False";
}

static int cronjob_row(const json_t *cj, int64_t now_ms, json_t *cells)
{
	const json_t *tmpl = kube__jget(cj, "spec.jobTemplate.spec");
	const char *last = kube__jstr(cj, "status.lastScheduleTime");
	char age[32];
	int failed = kube__cell_name(cells, cj);

	failed |= kube__cell_str(cells, kube__jstr(cj, "spec.schedule"));
	failed |= kube__cell_str(cells, kube__jstr(cj, "spec.timeZone") ?: "<none>");
	failed |= kube__cell_str(cells, bool_ptr(kube__jget(cj, "spec.suspend")));
	failed |= kube__cell_int(cells, (json_int_t)kube__jlen(cj, "status.active"));
	failed |= kube__cell_str(cells, last ? kube__age(last, now_ms, age, sizeof(age)) : "<none>");
	failed |= kube__cell_age(cells, cj, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(tmpl, "template.spec.containers"));
	failed |= kube__cell_selector(cells, kube__jget(tmpl, "selector"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_cronjob = KUBE_PRINTER(cronjob_columns, cronjob_row);
