/*
 * Schedule arithmetic of the CronJob controller (cronjob.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/controllers/cronjob.h"
#include "core/ops.h"
#include "core/tz.h"

static int64_t time_field(const json_t *obj, const char *section, const char *field)
{
	const char *s = json_string_value(json_object_get(json_object_get(obj, section), field));

	return s ? kube__parse_rfc3339(s) : -1;
}

int kube__cj_most_recent(const json_t *cj, int64_t now, const struct kube_cron *s,
			 bool with_deadline, int64_t *earliest, int64_t *most_recent,
			 enum cj_missed *missed)
{
	const json_t *sds = json_object_get(json_object_get(cj, "spec"), "startingDeadlineSeconds");
	int64_t e = time_field(cj, "metadata", "creationTimestamp"), t1, t2, interval, n, t, most = 0;

	if (time_field(cj, "status", "lastScheduleTime") >= 0)
		e = time_field(cj, "status", "lastScheduleTime");
	if (with_deadline && json_is_integer(sds) && now - json_integer_value(sds) * 1000 > e)
		e = now - json_integer_value(sds) * 1000;
	*earliest = e;
	*most_recent = 0;
	*missed = CJ_NONE_MISSED;
	t1 = kube__cron_next(s, e);
	t2 = t1 ? kube__cron_next(s, t1) : 0;
	if (!t1 || now < t1)
		return 0;
	if (!t2 || now < t2) {
		*most_recent = t1;
		return 0;
	}
	/* "59 23 31 2 *"-like schedules parse but never fire twice a second apart */
	interval = (t2 - t1 + 500) / 1000;
	if (interval < 1)
		return -1;
	/* a rough count of what was missed, then the exact latest one near now */
	n = (now - t1) / 1000 / interval + 1;
	for (t = kube__cron_next(s, t1 + (n - 2) * interval * 1000); t && t <= now; t = kube__cron_next(s, t))
		most = t;
	*missed = n > 100 ? CJ_MANY_MISSED : CJ_FEW_MISSED;
	*most_recent = most;
	return 0;
}

int64_t kube__cj_next_delay(const json_t *cj, int64_t now, const struct kube_cron *s)
{
	int64_t earliest, most, next;
	enum cj_missed missed;

	if (kube__cj_most_recent(cj, now, s, false, &earliest, &most, &missed))
		most = now;
	else if (!most)
		most = missed == CJ_NONE_MISSED ? earliest : now;
	next = kube__cron_next(s, most);
	if (!next) /* never again: look once a day in case the spec changes */
		return 86400000;
	return next + CRONJOB_NEXT_DELTA_MS - now;
}

void kube__cj_rfc3339_in(const struct kube_tz *tz, int64_t ms, char *buf, size_t len)
{
	struct kube_civil c;
	int32_t off = kube__tz_offset(tz, ms / 1000, NULL, NULL);
	int a = off < 0 ? -off : off;

	kube__tz_civil(tz, ms / 1000, &c);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)c.year, c.month, c.day,
		 c.hour, c.minute, c.second);
	if (off)
		snprintf(buf + strlen(buf), len - strlen(buf), "%c%02d:%02d", off < 0 ? '-' : '+',
			 a / 3600, a / 60 % 60);
	else
		snprintf(buf + strlen(buf), len - strlen(buf), "Z");
}

void kube__cj_rfc1123z(int64_t ms, char *buf, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct kube_civil c;

	kube__tz_civil(NULL, ms / 1000, &c);
	snprintf(buf, len, "%s, %02d %s %04lld %02d:%02d:%02d +0000", days[c.wday], c.day,
		 months[c.month - 1], (long long)c.year, c.hour, c.minute, c.second);
}
