/*
 * Helpers shared by the printers: timestamps and upstream's HumanDuration,
 * a growable string, and cell appends.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/printers/printers.h"
#include "libkube/errors.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly @p n digits at *s into *out, advancing *s. */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* The offset part: "Z" or "+hh:mm"/"-hh:mm", in seconds east of UTC. */
static bool parse_offset(const char *s, int64_t *off)
{
	int hh, mm, sign;

	if (s[0] == 'Z' && s[1] == '\0') {
		*off = 0;
		return true;
	}
	if (s[0] != '+' && s[0] != '-')
		return false;
	sign = s[0] == '-' ? -1 : 1;
	s++;
	if (!digits(&s, 2, &hh) || *s++ != ':' || !digits(&s, 2, &mm) || *s)
		return false;
	*off = sign * (hh * 3600 + mm * 60);
	return true;
}

int64_t kube__parse_time(const char *s)
{
	int y, mo, d, h, mi, sec, ms = 0;
	int64_t off, secs;

	if (!s || !digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d) || *s++ != 'T' || !digits(&s, 2, &h) ||
	    *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &sec))
		return KUBE_TIME_ZERO;
	if (*s == '.') {
		int scale = 100;
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ms += (*s - '0') * scale;
	}
	if (!parse_offset(s, &off) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return KUBE_TIME_ZERO;
	secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* Go's zero time, as a zero metav1.Time may be written out. */
	if (secs == days_from_civil(1, 1, 1) * 86400 && ms == 0)
		return KUBE_TIME_ZERO;
	return secs * 1000 + ms;
}

const char *kube__human_duration(int64_t ms, char *buf, size_t len)
{
	int64_t seconds = ms / 1000, minutes, hours;

	if (seconds < -1)
		snprintf(buf, len, "<invalid>");
	else if (seconds < 0)
		snprintf(buf, len, "0s");
	else if (seconds < 60 * 2)
		snprintf(buf, len, "%llds", (long long)seconds);
	else if ((minutes = ms / 60000) < 10 && seconds % 60)
		snprintf(buf, len, "%lldm%llds", (long long)minutes, (long long)(seconds % 60));
	else if (minutes < 60 * 3)
		snprintf(buf, len, "%lldm", (long long)minutes);
	else if ((hours = ms / 3600000) < 8 && minutes % 60)
		snprintf(buf, len, "%lldh%lldm", (long long)hours, (long long)(minutes % 60));
	else if (hours < 48)
		snprintf(buf, len, "%lldh", (long long)hours);
	else if (hours < 24 * 8 && hours % 24)
		snprintf(buf, len, "%lldd%lldh", (long long)(hours / 24), (long long)(hours % 24));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, len, "%lldd", (long long)(hours / 24));
	else if (hours < 24 * 365 * 8 && (hours / 24) % 365)
		snprintf(buf, len, "%lldy%lldd", (long long)(hours / 24 / 365),
			 (long long)((hours / 24) % 365));
	else
		snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
	return buf;
}

const char *kube__age(const char *ts, int64_t now_ms, char *buf, size_t len)
{
	int64_t t = kube__parse_time(ts);

	if (t == KUBE_TIME_ZERO) {
		snprintf(buf, len, "<unknown>");
		return buf;
	}
	return kube__human_duration(now_ms - t, buf, len);
}

/* Make room for @p more bytes plus the NUL; false once anything failed. */
static bool sb_reserve(struct kube_sb *sb, size_t more)
{
	size_t cap = sb->cap ? sb->cap : 64;
	char *s;

	if (sb->failed)
		return false;
	if (sb->len + more + 1 <= sb->cap)
		return true;
	while (cap < sb->len + more + 1)
		cap *= 2;
	if (!(s = realloc(sb->s, cap))) {
		sb->failed = true;
		return false;
	}
	sb->s = s;
	sb->cap = cap;
	return true;
}

void kube__sb_puts(struct kube_sb *sb, const char *s)
{
	size_t n = strlen(s);

	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n + 1);
	sb->len += n;
}

void kube__sb_printf(struct kube_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *kube__sb_str(const struct kube_sb *sb)
{
	return sb->s ? sb->s : "";
}

void kube__sb_free(struct kube_sb *sb)
{
	free(sb->s);
	*sb = (struct kube_sb){ 0 };
}

int kube__sb_cell(json_t *cells, struct kube_sb *sb)
{
	int rc = sb->failed ? -1 : kube__cell_str(cells, kube__sb_str(sb));

	kube__sb_free(sb);
	return rc;
}

int kube__cell_str(json_t *cells, const char *s)
{
	return json_array_append_new(cells, json_string(s ? s : ""));
}

int kube__cell_int(json_t *cells, json_int_t v)
{
	return json_array_append_new(cells, json_integer(v));
}

int kube__cell_bool(json_t *cells, bool v)
{
	return json_array_append_new(cells, json_boolean(v));
}

int kube__cell_name(json_t *cells, const json_t *obj)
{
	return kube__cell_str(cells, kube__jstr(obj, "metadata.name"));
}

int kube__cell_age(json_t *cells, const json_t *obj, int64_t now_ms)
{
	char buf[32];

	return kube__cell_str(cells, kube__age(kube__jstr(obj, "metadata.creationTimestamp"),
					       now_ms, buf, sizeof(buf)));
}

int kube__cells_done(int failed)
{
	return failed ? KUBE_ENOMEM : 0;
}
