/*
 * Time zones from the IANA database (TZif files under /usr/share/zoneinfo),
 * read by hand so that schedules in several zones can be computed on the
 * loop without touching the process-wide TZ variable (setenv/tzset and
 * localtime_r with a changed TZ are not thread-safe). Follows Go's time
 * package: transitions from the 64-bit data, the POSIX TZ footer for
 * instants after the last transition. See docs/internals/batch.md.
 */
#ifndef KUBE_CORE_TZ_H
#define KUBE_CORE_TZ_H

#include <stdint.h>

struct kube_tz;

/*
 * Load zone @p name ("UTC", "Europe/Berlin", ...), as Go's time.LoadLocation.
 * Returns 0 with *out to free with kube__tz_free(), or KUBE_ENOTFOUND when
 * the name is unsafe, missing or not a valid TZif file.
 */
int kube__tz_load(const char *name, struct kube_tz **out);

/* Free a zone. NULL is a no-op. */
void kube__tz_free(struct kube_tz *z);

/*
 * The offset east of UTC (seconds) in force at @p unix_s in zone @p z
 * (NULL: UTC), and the instants [*start, *end) during which it stays in
 * force (either pointer may be NULL), as Go's Location.lookup.
 */
int32_t kube__tz_offset(const struct kube_tz *z, int64_t unix_s, int64_t *start, int64_t *end);

/* Broken-down civil time (proleptic Gregorian). */
struct kube_civil {
	int64_t year; /* proleptic Gregorian year */
	int month;   /* 1..12 */
	int day;     /* 1..31 */
	int hour, minute, second; /* 0..23, 0..59, 0..59 */
	int wday;    /* 0 = Sunday */
};

/* Civil time of @p unix_s in zone @p z (NULL: UTC). */
void kube__tz_civil(const struct kube_tz *z, int64_t unix_s, struct kube_civil *out);

/*
 * The instant of a civil time in zone @p z, normalising out-of-range fields
 * (month 13, day 32, ...) and resolving gaps and overlaps exactly as Go's
 * time.Date does.
 */
int64_t kube__tz_date(const struct kube_tz *z, int64_t year, int month, int day, int hour,
		      int minute, int second);

#endif
