/*
 * Cron schedules as CronJob validation parses them: robfig/cron v3's
 * ParseStandard (five fields, or a @descriptor), with its error texts.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"

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

/* One comma-separated element: "*", "a", "a-b", each optionally "/step". */
static int check_range(const char *expr, const struct bounds *b, char *buf, size_t len)
{
	char range[128], lo_s[128];
	const char *slash = strchr(expr, '/'), *dash;
	long start, end, step = 1;

	snprintf(range, sizeof(range), "%.*s", (int)(slash ? slash - expr : (long)strlen(expr)), expr);
	if (slash && strchr(slash + 1, '/')) {
		snprintf(buf, len, "too many slashes: %s", expr);
		return -1;
	}
	dash = strchr(range, '-');
	if (!strcmp(range, "*") || !strcmp(range, "?")) {
		start = b->min;
		end = b->max;
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
		if (!dash && strcmp(range, "*") && strcmp(range, "?"))
			end = b->max;
	}
	if (start < b->min)
		snprintf(buf, len, "beginning of range (%ld) below minimum (%ld): %s", start, b->min, expr);
	else if (end > b->max)
		snprintf(buf, len, "end of range (%ld) above maximum (%ld): %s", end, b->max, expr);
	else if (start > end)
		snprintf(buf, len, "beginning of range (%ld) beyond end of range (%ld): %s", start, end, expr);
	else if (step == 0)
		snprintf(buf, len, "step of range should be a positive number: %s", expr);
	else
		return 0;
	return -1;
}

static int check_field(const char *field, const struct bounds *b, char *buf, size_t len)
{
	char *copy = strdup(field), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return 0;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = check_range(tok, b, buf, len);
	free(copy);
	return rc;
}

/* Go's time.ParseDuration grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0". */
static bool valid_duration(const char *s)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h", NULL };

	if (*s == '+' || *s == '-')
		s++;
	if (!strcmp(s, "0"))
		return true;
	if (!*s)
		return false;
	while (*s) {
		size_t digits = strspn(s, "0123456789"), frac = 0, u;

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
		s += strlen(units[u]);
	}
	return true;
}

static const char *check_descriptor(const char *spec, char *buf, size_t len)
{
	static const char *const named[] = {
		"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", NULL,
	};

	for (int i = 0; named[i]; i++)
		if (!strcmp(spec, named[i]))
			return NULL;
	if (!strncmp(spec, "@every ", 7)) {
		if (valid_duration(spec + 7))
			return NULL;
		snprintf(buf, len, "failed to parse duration %s: time: invalid duration \"%s\"",
			 spec, spec + 7);
		return buf;
	}
	snprintf(buf, len, "unrecognized descriptor: %s", spec);
	return buf;
}

const char *kube__cron_check(const char *spec, char *buf, size_t len)
{
	char *copy, *save = NULL, *tok, *f[64];
	int n = 0;
	const char *err = NULL;

	if (!*spec) {
		snprintf(buf, len, "empty spec string");
		return buf;
	}
	if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
		const char *sp = strchr(spec, ' ');

		if (!sp)
			return NULL; /* Go panics here; the TZ check reports the schedule */
		spec = sp;
		while (*spec == ' ')
			spec++;
	}
	if (*spec == '@')
		return check_descriptor(spec, buf, len);
	copy = strdup(spec);
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
	for (int i = 0; !err && i < 5; i++)
		if (check_field(f[i], &fields[i], buf, len))
			err = buf;
	free(copy);
	return err;
}
