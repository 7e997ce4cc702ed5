/*
 * Cron schedules (cron.h): robfig/cron v3's parser (ParseStandard) and
 * its Next, on the zones of core/tz.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cron.h"
#include "core/tz.h"

#define STAR (1ULL << 63)

struct bounds {
	long min, max;
	const char *const *names; /* index + offset = value; NULL when none */
	long name_base;
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct bounds fields[5] = {
	{ 0, 59, NULL, 0 },
	{ 0, 23, NULL, 0 },
	{ 1, 31, NULL, 0 },
	{ 1, 12, month_names, 1 },
	{ 0, 6, dow_names, 0 },
};

/* getBits: the values min..max stepping by step. */
static uint64_t bits(long min, long max, long step)
{
	uint64_t b = 0;

	for (long i = min; i <= max; i += step)
		b |= 1ULL << i;
	return b;
}

/* mustParseInt: strconv.Atoi then a sign check; 0 or -1 with buf filled. */
static int parse_int(const char *s, long *out, char *buf, size_t len)
{
	const char *p = s;
	char *end;
	long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!*p || strspn(p, "0123456789") != strlen(p)) {
		snprintf(buf, len, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
			 "invalid syntax", s, s);
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE) {
		snprintf(buf, len, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
			 "value out of range", s, s);
		return -1;
	}
	if (v < 0) {
		snprintf(buf, len, "negative number (%ld) not allowed: %s", v, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_int_or_name(const char *s, const struct bounds *b, long *out, char *buf,
			     size_t len)
{
	for (int i = 0; b->names && b->names[i]; i++)
		if (!strcasecmp(s, b->names[i])) {
			*out = i + b->name_base;
			return 0;
		}
	return parse_int(s, out, buf, len);
}

/* getRange: "*", "a", "a-b", each optionally "/step", into *out. */
static int get_range(const char *expr, const struct bounds *b, uint64_t *out, char *buf, size_t len)
{
	char range[128], lo_s[128];
	const char *slash = strchr(expr, '/'), *dash;
	long start, end, step = 1;
	uint64_t extra = 0;
	bool star;

	snprintf(range, sizeof(range), "%.*s", (int)(slash ? slash - expr : (long)strlen(expr)), expr);
	if (slash && strchr(slash + 1, '/')) {
		snprintf(buf, len, "too many slashes: %s", expr);
		return -1;
	}
	dash = strchr(range, '-');
	star = !strcmp(range, "*") || !strcmp(range, "?");
	if (star) {
		start = b->min;
		end = b->max;
		extra = STAR;
	} else {
		snprintf(lo_s, sizeof(lo_s), "%.*s", (int)(dash ? dash - range : (long)strlen(range)), range);
		if (parse_int_or_name(lo_s, b, &start, buf, len))
			return -1;
		end = start;
		if (dash && strchr(dash + 1, '-')) {
			snprintf(buf, len, "too many hyphens: %s", expr);
			return -1;
		}
		if (dash && parse_int_or_name(dash + 1, b, &end, buf, len))
			return -1;
	}
	if (slash) {
		if (parse_int(slash + 1, &step, buf, len))
			return -1;
		if (!dash && !star)
			end = b->max; /* "N/step" means "N-max/step" */
		if (step > 1)
			extra = 0;
	}
	if (start < b->min)
		snprintf(buf, len, "beginning of range (%ld) below minimum (%ld): %s", start, b->min, expr);
	else if (end > b->max)
		snprintf(buf, len, "end of range (%ld) above maximum (%ld): %s", end, b->max, expr);
	else if (start > end)
		snprintf(buf, len, "beginning of range (%ld) beyond end of range (%ld): %s", start, end, expr);
	else if (step == 0)
		snprintf(buf, len, "step of range should be a positive number: %s", expr);
	else {
		*out |= bits(start, end, step) | extra;
		return 0;
	}
	return -1;
}

/* getField: comma-separated ranges. */
static int get_field(const char *field, const struct bounds *b, uint64_t *out, char *buf, size_t len)
{
	char *copy = strdup(field), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -1;
	*out = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = get_range(tok, b, out, buf, len);
	free(copy);
	return rc;
}

/* Go's time.ParseDuration into nanoseconds; false when malformed. */
static bool parse_duration(const char *s, double *ns)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h", NULL };
	static const double scale[] = { 1, 1e3, 1e3, 1e3, 1e6, 1e9, 60e9, 3600e9 };
	double sign = 1;

	*ns = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!strcmp(s, "0"))
		return true;
	if (!*s)
		return false;
	while (*s) {
		size_t digits = strspn(s, "0123456789"), frac = 0, u;
		double v = strtod(s, NULL);

		s += digits;
		if (*s == '.') {
			frac = strspn(s + 1, "0123456789");
			s += 1 + frac;
		}
		if (!digits && !frac)
			return false;
		for (u = 0; units[u]; u++)
			if (!strncmp(s, units[u], strlen(units[u])) &&
			    !isalpha((unsigned char)s[strlen(units[u])]))
				break;
		if (!units[u])
			return false;
		*ns += v * scale[u];
		s += strlen(units[u]);
	}
	*ns *= sign;
	return true;
}

static const char *parse_descriptor(const char *spec, struct kube_cron *s, char *buf, size_t len)
{
	uint64_t all_dom = bits(1, 31, 1) | STAR, all_month = bits(1, 12, 1) | STAR;
	uint64_t all_dow = bits(0, 6, 1) | STAR;
	double ns;

	*s = (struct kube_cron){ .second = 1, .minute = 1, .hour = 1, .dom = all_dom,
				 .month = all_month, .dow = all_dow, .tz = s->tz };
	if (!strcmp(spec, "@yearly") || !strcmp(spec, "@annually")) {
		s->dom = 1ULL << 1;
		s->month = 1ULL << 1;
	} else if (!strcmp(spec, "@monthly")) {
		s->dom = 1ULL << 1;
	} else if (!strcmp(spec, "@weekly")) {
		s->dow = 1;
	} else if (!strcmp(spec, "@hourly")) {
		s->hour = bits(0, 23, 1) | STAR;
	} else if (!strncmp(spec, "@every ", 7)) {
		if (!parse_duration(spec + 7, &ns)) {
			snprintf(buf, len, "failed to parse duration %s: time: invalid duration \"%s\"",
				 spec, spec + 7);
			return buf;
		}
		/* Every(): at least a second, rounded down to whole seconds */
		s->every_ms = ns < 1e9 ? 1000 : (int64_t)floor(ns / 1e9) * 1000;
	} else if (strcmp(spec, "@daily") && strcmp(spec, "@midnight")) {
		snprintf(buf, len, "unrecognized descriptor: %s", spec);
		return buf;
	}
	return NULL;
}

/* "TZ=<zone> rest" or "CRON_TZ=<zone> rest": load the zone, return rest. */
static const char *parse_zone(const char *spec, struct kube_cron *s, char *buf, size_t len)
{
	const char *sp = strchr(spec, ' '), *eq = strchr(spec, '=');
	char name[256];

	if (!sp)
		return spec + strlen(spec); /* Go panics here; validation rejects TZ anyway */
	snprintf(name, sizeof(name), "%.*s", (int)(sp - eq - 1), eq + 1);
	if (kube__tz_load(name, &s->tz)) {
		snprintf(buf, len, "provided bad location %s: unknown time zone %s", name, name);
		return NULL;
	}
	while (*sp == ' ')
		sp++;
	return sp;
}

static const char *parse_fields(const char *spec, struct kube_cron *s, char *buf, size_t len)
{
	char *copy = strdup(spec), *save = NULL, *tok, *f[64];
	uint64_t *out[5] = { &s->minute, &s->hour, &s->dom, &s->month, &s->dow };
	const char *err = NULL;
	int n = 0;

	for (tok = copy ? strtok_r(copy, " \t\n\r\v\f", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t\n\r\v\f", &save))
		if (n < 64)
			f[n++] = tok;
	if (n != 5) {
		size_t off = (size_t)snprintf(buf, len, "expected exactly 5 fields, found %d: [", n);

		for (int i = 0; i < n && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", f[i]);
		if (off < len)
			snprintf(buf + off, len - off, "]");
		err = buf;
	}
	s->second = 1;
	for (int i = 0; !err && i < 5; i++)
		if (get_field(f[i], &fields[i], out[i], buf, len))
			err = buf;
	free(copy);
	return err;
}

const char *kube__cron_parse(const char *spec, struct kube_cron *s, char *buf, size_t len)
{
	const char *err;

	memset(s, 0, sizeof(*s));
	if (!*spec) {
		snprintf(buf, len, "empty spec string");
		return buf;
	}
	if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
		if (!(spec = parse_zone(spec, s, buf, len)))
			return buf;
		if (!*spec)
			return NULL;
	}
	err = *spec == '@' ? parse_descriptor(spec, s, buf, len) : parse_fields(spec, s, buf, len);
	if (err)
		kube__cron_release(s);
	return err;
}

void kube__cron_release(struct kube_cron *s)
{
	kube__tz_free(s->tz);
	s->tz = NULL;
}

void kube__cron_set_zone(struct kube_cron *s, struct kube_tz *tz)
{
	kube__tz_free(s->tz);
	s->tz = tz;
}

const char *kube__cron_check(const char *spec, char *buf, size_t len)
{
	struct kube_cron s;
	const char *err = kube__cron_parse(spec, &s, buf, len);

	if (!err)
		kube__cron_release(&s);
	return err;
}

/* ---- SpecSchedule.Next ------------------------------------------------------ */

static bool day_matches(const struct kube_cron *s, const struct kube_civil *c)
{
	bool dom = s->dom & (1ULL << c->day), dow = s->dow & (1ULL << c->wday);

	if ((s->dom & STAR) || (s->dow & STAR))
		return dom && dow;
	return dom || dow;
}

/* Step to the first matching month, then day; false when the year wrapped. */
static bool next_date(const struct kube_cron *s, int64_t *t, struct kube_civil *c, bool *added)
{
	const struct kube_tz *z = s->tz;

	while (!(s->month & (1ULL << c->month))) {
		if (!*added) {
			*added = true;
			*t = kube__tz_date(z, c->year, c->month, 1, 0, 0, 0);
			kube__tz_civil(z, *t, c);
		}
		*t = kube__tz_date(z, c->year, c->month + 1, c->day, c->hour, c->minute, c->second);
		kube__tz_civil(z, *t, c);
		if (c->month == 1)
			return false;
	}
	while (!day_matches(s, c)) {
		if (!*added) {
			*added = true;
			*t = kube__tz_date(z, c->year, c->month, c->day, 0, 0, 0);
			kube__tz_civil(z, *t, c);
		}
		*t = kube__tz_date(z, c->year, c->month, c->day + 1, c->hour, c->minute, c->second);
		kube__tz_civil(z, *t, c);
		/* a DST change may have moved midnight: put it back */
		if (c->hour) {
			*t += c->hour > 12 ? (int64_t)(24 - c->hour) * 3600 : -(int64_t)c->hour * 3600;
			kube__tz_civil(z, *t, c);
		}
		if (c->day == 1)
			return false;
	}
	return true;
}

/* Step to the first matching hour, minute, second; false when a field wrapped. */
static bool next_time(const struct kube_cron *s, int64_t *t, struct kube_civil *c, bool *added)
{
	const struct kube_tz *z = s->tz;

	while (!(s->hour & (1ULL << c->hour))) {
		if (!*added) {
			*added = true;
			*t = kube__tz_date(z, c->year, c->month, c->day, c->hour, 0, 0);
		}
		*t += 3600;
		kube__tz_civil(z, *t, c);
		if (c->hour == 0)
			return false;
	}
	while (!(s->minute & (1ULL << c->minute))) {
		if (!*added) {
			*added = true;
			*t -= ((*t % 60) + 60) % 60;
		}
		*t += 60;
		kube__tz_civil(z, *t, c);
		if (c->minute == 0)
			return false;
	}
	while (!(s->second & (1ULL << c->second))) {
		*added = true;
		*t += 1;
		kube__tz_civil(z, *t, c);
		if (c->second == 0)
			return false;
	}
	return true;
}

int64_t kube__cron_next(const struct kube_cron *s, int64_t after_ms)
{
	int64_t t = after_ms / 1000 - (after_ms % 1000 < 0), limit;
	struct kube_civil c;
	bool added = false;

	if (s->every_ms)
		return t * 1000 + s->every_ms;
	t++; /* the upcoming second */
	kube__tz_civil(s->tz, t, &c);
	limit = c.year + 5;
	for (;;) {
		kube__tz_civil(s->tz, t, &c);
		if (c.year > limit)
			return 0;
		if (next_date(s, &t, &c, &added) && next_time(s, &t, &c, &added))
			return t * 1000;
	}
}
