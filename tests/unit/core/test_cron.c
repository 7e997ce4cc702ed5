/*
 * Cron schedules (core/cron.h) and zones (core/tz.h): robfig/cron v3's
 * Next in UTC and in IANA zones, across DST changes and past the last
 * transition a TZif file lists (its POSIX footer).
 */
#include <criterion/criterion.h>
#include "core/cluster_internal.h"
#include "core/cron.h"
#include "core/tz.h"

static int64_t at(const char *rfc3339)
{
	int64_t ms = kube__parse_rfc3339(rfc3339);

	cr_assert_geq(ms, 0, "bad time %s", rfc3339);
	return ms;
}

/* The next activation of @p spec after @p from, as RFC 3339 UTC. */
static const char *next(const char *spec, const char *from)
{
	static char buf[64];
	struct kube_cron s;
	char err[256];
	int64_t t;

	cr_assert_null(kube__cron_parse(spec, &s, err, sizeof(err)), "%s: %s", spec, err);
	t = kube__cron_next(&s, at(from));
	kube__cron_release(&s);
	if (!t)
		return "never";
	return kube__rfc3339(t, buf, sizeof(buf));
}

Test(cron, fields_in_utc)
{
	cr_assert_str_eq(next("*/15 * * * *", "2024-05-06T10:07:30Z"), "2024-05-06T10:15:00Z");
	cr_assert_str_eq(next("*/15 * * * *", "2024-05-06T10:15:00Z"), "2024-05-06T10:30:00Z");
	cr_assert_str_eq(next("0 9 * * mon-fri", "2024-05-10T10:00:00Z"), "2024-05-13T09:00:00Z");
	cr_assert_str_eq(next("30 23 * * *", "2024-12-31T23:45:00Z"), "2025-01-01T23:30:00Z");
	cr_assert_str_eq(next("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
	cr_assert_str_eq(next("0 0 31 2 *", "2024-03-01T00:00:00Z"), "never");
	cr_assert_str_eq(next("5/20 * * * *", "2024-05-06T10:30:00Z"), "2024-05-06T10:45:00Z");
}

Test(cron, day_of_month_or_day_of_week)
{
	/* both restricted: either matches (Friday May 10 before the 13th) */
	cr_assert_str_eq(next("0 0 13 * 5", "2024-05-08T00:00:00Z"), "2024-05-10T00:00:00Z");
	cr_assert_str_eq(next("0 0 13 * 5", "2024-05-11T00:00:00Z"), "2024-05-13T00:00:00Z");
	/* one is "*": both must match */
	cr_assert_str_eq(next("0 0 13 * *", "2024-05-08T00:00:00Z"), "2024-05-13T00:00:00Z");
	/* a stepped star is a restriction, so it ORs too */
	cr_assert_str_eq(next("0 0 */10 * 1", "2024-05-02T00:00:00Z"), "2024-05-06T00:00:00Z");
}

Test(cron, descriptors)
{
	cr_assert_str_eq(next("@hourly", "2024-05-06T10:07:30Z"), "2024-05-06T11:00:00Z");
	cr_assert_str_eq(next("@daily", "2024-05-06T10:07:30Z"), "2024-05-07T00:00:00Z");
	cr_assert_str_eq(next("@midnight", "2024-05-06T10:07:30Z"), "2024-05-07T00:00:00Z");
	cr_assert_str_eq(next("@weekly", "2024-05-06T10:07:30Z"), "2024-05-12T00:00:00Z");
	cr_assert_str_eq(next("@monthly", "2024-05-06T10:07:30Z"), "2024-06-01T00:00:00Z");
	cr_assert_str_eq(next("@yearly", "2024-05-06T10:07:30Z"), "2025-01-01T00:00:00Z");
	cr_assert_str_eq(next("@annually", "2024-05-06T10:07:30Z"), "2025-01-01T00:00:00Z");
	cr_assert_str_eq(next("@every 1h30m", "2024-05-06T10:07:30Z"), "2024-05-06T11:37:30Z");
	/* under a second rounds up to one, fractions of a second are dropped */
	cr_assert_str_eq(next("@every 10ms", "2024-05-06T10:07:30Z"), "2024-05-06T10:07:31Z");
	cr_assert_str_eq(next("@every 1.5s", "2024-05-06T10:07:30Z"), "2024-05-06T10:07:31Z");
}

Test(cron, time_zones_and_dst)
{
	/* 09:00 in New York: EST (UTC-5) in winter, EDT (UTC-4) in summer */
	cr_assert_str_eq(next("TZ=America/New_York 0 9 * * *", "2024-01-15T00:00:00Z"),
			 "2024-01-15T14:00:00Z");
	cr_assert_str_eq(next("TZ=America/New_York 0 9 * * *", "2024-07-15T00:00:00Z"),
			 "2024-07-15T13:00:00Z");
	/* 02:30 does not exist on 2024-03-10 in New York: that day is skipped */
	cr_assert_str_eq(next("TZ=America/New_York 30 2 * * *", "2024-03-10T05:00:00Z"),
			 "2024-03-11T06:30:00Z");
	/* midnight in Tokyo is the previous day in UTC */
	cr_assert_str_eq(next("CRON_TZ=Asia/Tokyo @daily", "2024-05-06T10:00:00Z"),
			 "2024-05-06T15:00:00Z");
	/* past the transitions listed in the file: the POSIX rule decides */
	cr_assert_str_eq(next("TZ=Europe/Berlin 0 12 * * *", "2045-07-01T00:00:00Z"),
			 "2045-07-01T10:00:00Z");
	cr_assert_str_eq(next("TZ=Europe/Berlin 0 12 * * *", "2045-12-01T00:00:00Z"),
			 "2045-12-01T11:00:00Z");
	cr_assert_str_eq(next("TZ=Australia/Sydney 0 12 * * *", "2045-01-15T00:00:00Z"),
			 "2045-01-15T01:00:00Z");
	cr_assert_str_eq(next("TZ=Australia/Sydney 0 12 * * *", "2045-07-15T00:00:00Z"),
			 "2045-07-15T02:00:00Z");
}

Test(cron, parse_errors)
{
	struct kube_cron s;
	char buf[256];

	cr_assert_str_eq(kube__cron_parse("TZ=Mars/Olympus 0 * * * *", &s, buf, sizeof(buf)),
			 "provided bad location Mars/Olympus: unknown time zone Mars/Olympus");
	cr_assert_str_eq(kube__cron_parse("0 * * *", &s, buf, sizeof(buf)),
			 "expected exactly 5 fields, found 4: [0 * * *]");
	cr_assert_str_eq(kube__cron_parse("@every 1x", &s, buf, sizeof(buf)),
			 "failed to parse duration @every 1x: time: invalid duration \"1x\"");
	cr_assert_str_eq(kube__cron_check("1-2-3 * * * *", buf, sizeof(buf)), "too many hyphens: 1-2-3");
}

Test(tz, offsets_and_dates)
{
	struct kube_tz *z;
	struct kube_civil c;

	cr_assert_eq(kube__tz_load("../etc/passwd", &z), KUBE_ENOTFOUND);
	cr_assert_eq(kube__tz_load("Local", &z), KUBE_ENOTFOUND);
	cr_assert_eq(kube__tz_load("Nowhere/Special", &z), KUBE_ENOTFOUND);
	cr_assert_eq(kube__tz_load("Asia/Kolkata", &z), 0);
	cr_assert_eq(kube__tz_offset(z, at("2024-05-06T00:00:00Z") / 1000, NULL, NULL), 19800);
	kube__tz_civil(z, at("2024-05-06T20:00:00Z") / 1000, &c);
	cr_assert(c.year == 2024 && c.month == 5 && c.day == 7 && c.hour == 1 && c.minute == 30 &&
		  c.wday == 2);
	/* Go's Date normalises month 13 and day 0 */
	cr_assert_eq(kube__tz_date(z, 2023, 13, 0, 5, 30, 0) * 1000, at("2023-12-31T00:00:00Z"));
	kube__tz_free(z);
	cr_assert_eq(kube__tz_load("UTC", &z), 0);
	cr_assert_eq(kube__tz_offset(z, 0, NULL, NULL), 0);
	kube__tz_free(z);
}
