/*
 * TZif reader and civil-time arithmetic (tz.h), after Go's time package
 * (zoneinfo_read.go, zoneinfo.go's lookup and tzset, time.go's Date).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "core/tz.h"

#define TZ_ALPHA INT64_MIN
#define TZ_OMEGA INT64_MAX
#define DAY 86400

/* A POSIX TZ rule date: Jn, n or Mm.w.d, and the local time it applies at. */
struct tz_rule {
	char kind;      /* 'J' (1..365, no leap day), 'D' (0..365) or 'M' */
	int day, week, mon;
	int32_t time;   /* seconds after local midnight */
};

/* The POSIX TZ footer: in force after the last transition. */
struct tz_extend {
	bool present;
	bool has_dst;
	int32_t std_off, dst_off;   /* seconds east of UTC */
	struct tz_rule start, end;
};

struct kube_tz {
	int64_t *when;      /* transition instants, ascending */
	uint8_t *idx;       /* zone type in force from when[i] */
	size_t ntx;
	int32_t *off;       /* each type's offset east of UTC */
	size_t ntypes;
	int first;          /* type in force before the first transition */
	struct tz_extend ext;
};

/* ---- civil calendar (H. Hinnant's algorithms) ------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, int64_t y)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* ---- POSIX TZ strings (tzset) ------------------------------------------------ */

static const char *skip_name(const char *s)
{
	if (*s == '<') {
		s = strchr(s, '>');
		return s ? s + 1 : NULL;
	}
	while (*s && !strchr("0123456789,-+", *s))
		s++;
	return s;
}

/* [+-]hh[:mm[:ss]] into seconds; NULL when malformed. */
static const char *parse_hms(const char *s, int32_t *out)
{
	int sign = 1, part = 0;
	int32_t total = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (; part < 3; part++) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s)
			return part ? s : NULL;
		total += (int32_t)v * (part == 0 ? 3600 : part == 1 ? 60 : 1);
		s = end;
		if (*s != ':')
			break;
		s++;
	}
	*out = sign * total;
	return s;
}

static const char *parse_rule(const char *s, struct tz_rule *r)
{
	char *end;

	memset(r, 0, sizeof(*r));
	r->time = 2 * 3600;
	if (*s == 'M') {
		r->kind = 'M';
		if (sscanf(s + 1, "%d.%d.%d", &r->mon, &r->week, &r->day) != 3)
			return NULL;
		s = strpbrk(s, ",/") ? strpbrk(s, ",/") : s + strlen(s);
	} else {
		r->kind = *s == 'J' ? 'J' : 'D';
		s += *s == 'J';
		r->day = (int)strtol(s, &end, 10);
		if (end == s)
			return NULL;
		s = end;
	}
	if (*s == '/')
		s = parse_hms(s + 1, &r->time);
	return s;
}

static bool parse_extend(const char *s, struct tz_extend *e)
{
	int32_t off;

	memset(e, 0, sizeof(*e));
	if (!(s = skip_name(s)) || !(s = parse_hms(s, &off)))
		return false;
	e->std_off = -off;
	e->present = true;
	if (!*s)
		return true;
	if (!(s = skip_name(s)))
		return false;
	e->has_dst = true;
	e->dst_off = e->std_off + 3600;
	if (*s && *s != ',') {
		if (!(s = parse_hms(s, &off)))
			return false;
		e->dst_off = -off;
	}
	if (!*s)
		s = ",M3.2.0,M11.1.0"; /* Go's default rule */
	if (*s != ',' || !(s = parse_rule(s + 1, &e->start)) || *s != ',' ||
	    !(s = parse_rule(s + 1, &e->end)))
		return false;
	return true;
}

/* Seconds from the start of @p year (UTC) to rule @p r at local offset @p off. */
static int64_t rule_time(int64_t year, const struct tz_rule *r, int32_t off)
{
	int64_t d;

	if (r->kind == 'J')
		d = r->day - 1 + (is_leap(year) && r->day >= 60);
	else if (r->kind == 'D')
		d = r->day;
	else {
		int64_t first = days_from_civil(year, r->mon, 1);
		int dow = (int)(((first + 4) % 7 + 7) % 7), dom = r->day - dow;

		if (dom < 0)
			dom += 7;
		for (int i = 1; i < r->week && dom + 7 < days_in(r->mon, year); i++)
			dom += 7;
		d = first + dom - days_from_civil(year, 1, 1);
	}
	return d * DAY + r->time - off;
}

static int32_t extend_lookup(const struct tz_extend *e, int64_t sec, int64_t *start, int64_t *end)
{
	int64_t y, ybase, ysec, s, t;
	int m, d;
	int32_t std = e->std_off, dst = e->dst_off, tmp;

	if (!e->has_dst) {
		*end = TZ_OMEGA;
		return std;
	}
	civil_from_days(floor_div(sec, DAY), &y, &m, &d);
	ybase = days_from_civil(y, 1, 1) * DAY;
	ysec = sec - ybase;
	s = rule_time(y, &e->start, std);
	t = rule_time(y, &e->end, dst);
	if (t < s) { /* southern hemisphere: the "dst" rule ends the year's std time */
		int64_t x = s;

		s = t;
		t = x;
		tmp = std;
		std = dst;
		dst = tmp;
	}
	if (ysec < s) {
		*start = ybase;
		*end = ybase + s;
		return std;
	}
	if (ysec >= t) {
		*start = ybase + t;
		*end = ybase + 365 * DAY;
		return std;
	}
	*start = ybase + s;
	*end = ybase + t;
	return dst;
}

/* ---- TZif ------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The six counts of a header: isut, isstd, leap, time, type, char. */
static bool header(const unsigned char *p, size_t len, uint32_t n[6])
{
	if (len < 44 || memcmp(p, "TZif", 4))
		return false;
	for (int i = 0; i < 6; i++)
		n[i] = be32(p + 20 + 4 * i);
	return n[4] > 0 && n[4] < 256;
}

static size_t block_size(const uint32_t n[6], int tsize)
{
	return (size_t)n[3] * tsize + n[3] + (size_t)n[4] * 6 + n[5] +
	       (size_t)n[2] * (tsize + 4) + n[1] + n[0];
}

static int first_type(const struct kube_tz *z, const uint8_t *isdst)
{
	bool used = false;

	for (size_t i = 0; i < z->ntx; i++)
		used |= z->idx[i] == 0;
	if (!used)
		return 0;
	for (size_t t = 0; t < z->ntypes; t++)
		if (!isdst[t])
			return (int)t;
	return 0;
}

static int parse_tzif(const unsigned char *buf, size_t len, struct kube_tz *z)
{
	uint32_t n[6];
	const unsigned char *p = buf, *types, *data, *stop = buf + len;
	int tsize = 4;
	uint8_t isdst[256];

	if (!header(p, len, n))
		return KUBE_ENOTFOUND;
	if (p[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
		size_t skip = 44 + block_size(n, 4);

		if (skip > len || !header(p + skip, len - skip, n))
			return KUBE_ENOTFOUND;
		p += skip;
		len -= skip;
		tsize = 8;
	}
	if (44 + block_size(n, tsize) > len)
		return KUBE_ENOTFOUND;
	z->ntx = n[3];
	z->ntypes = n[4];
	z->when = calloc(z->ntx + 1, sizeof(*z->when));
	z->idx = calloc(z->ntx + 1, 1);
	z->off = calloc(z->ntypes, sizeof(*z->off));
	if (!z->when || !z->idx || !z->off)
		return KUBE_ENOMEM;
	data = p += 44;
	for (size_t i = 0; i < z->ntx; i++)
		z->when[i] = tsize == 8 ? be64(p + 8 * i) : (int32_t)be32(p + 4 * i);
	p += z->ntx * tsize;
	for (size_t i = 0; i < z->ntx; i++)
		z->idx[i] = p[i] < z->ntypes ? p[i] : 0;
	types = p + z->ntx;
	for (size_t t = 0; t < z->ntypes; t++) {
		z->off[t] = (int32_t)be32(types + 6 * t);
		isdst[t] = types[6 * t + 4];
	}
	z->first = first_type(z, isdst);
	p = data + block_size(n, tsize);
	if (tsize == 8 && p < stop && *p == '\n') {
		char footer[128];
		const unsigned char *nl = memchr(p + 1, '\n', (size_t)(stop - p - 1));

		if (nl && nl - p - 1 < (long)sizeof(footer)) {
			snprintf(footer, sizeof(footer), "%.*s", (int)(nl - p - 1), (const char *)p + 1);
			if (*footer && !parse_extend(footer, &z->ext))
				z->ext.present = false;
		}
	}
	return 0;
}

/* time.LoadLocation's checks: no absolute paths, no "..", and "Local" is not a file here. */
static bool name_ok(const char *name)
{
	return *name && *name != '/' && !strstr(name, "..") && strcmp(name, "Local") &&
	       strlen(name) < 256;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && size < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size)) &&
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)size : 0;
	fclose(f);
	return buf;
}

int kube__tz_load(const char *name, struct kube_tz **out)
{
	char path[512];
	unsigned char *buf;
	struct kube_tz *z;
	size_t len;
	int err;

	*out = NULL;
	if (!name_ok(name))
		return KUBE_ENOTFOUND;
	z = calloc(1, sizeof(*z));
	if (!z)
		return KUBE_ENOMEM;
	if (!strcmp(name, "UTC")) {
		*out = z; /* no types: UTC */
		return 0;
	}
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	buf = read_all(path, &len);
	err = buf ? parse_tzif(buf, len, z) : KUBE_ENOTFOUND;
	free(buf);
	if (err) {
		kube__tz_free(z);
		return err;
	}
	*out = z;
	return 0;
}

void kube__tz_free(struct kube_tz *z)
{
	if (!z)
		return;
	free(z->when);
	free(z->idx);
	free(z->off);
	free(z);
}

int32_t kube__tz_offset(const struct kube_tz *z, int64_t sec, int64_t *start, int64_t *end)
{
	int64_t s = TZ_ALPHA, e = TZ_OMEGA;
	int32_t off = 0;
	size_t lo = 0, hi;

	if (!z || !z->ntypes) {
		off = 0;
	} else if (!z->ntx || sec < z->when[0]) {
		off = z->off[z->first];
		e = z->ntx ? z->when[0] : TZ_OMEGA;
	} else {
		for (hi = z->ntx; hi - lo > 1;) {
			size_t m = (lo + hi) / 2;

			if (sec < z->when[m]) {
				e = z->when[m];
				hi = m;
			} else {
				lo = m;
			}
		}
		off = z->off[z->idx[lo]];
		s = z->when[lo];
		if (lo == z->ntx - 1 && z->ext.present) {
			int64_t es = s;

			off = extend_lookup(&z->ext, sec, &es, &e);
			s = es;
		}
	}
	if (start)
		*start = s;
	if (end)
		*end = e;
	return off;
}

void kube__tz_civil(const struct kube_tz *z, int64_t unix_s, struct kube_civil *out)
{
	int64_t local = unix_s + kube__tz_offset(z, unix_s, NULL, NULL);
	int64_t days = floor_div(local, DAY), rem = local - days * DAY;

	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem / 60 % 60);
	out->second = (int)(rem % 60);
	out->wday = (int)(((days + 4) % 7 + 7) % 7);
}

int64_t kube__tz_date(const struct kube_tz *z, int64_t year, int month, int day, int hour,
		      int minute, int second)
{
	int64_t m0 = (int64_t)month - 1, secs, start, end, utc;
	int32_t off;

	year += floor_div(m0, 12);
	m0 -= floor_div(m0, 12) * 12;
	secs = (days_from_civil(year, (int)m0 + 1, 1) + day - 1) * DAY +
	       (int64_t)hour * 3600 + (int64_t)minute * 60 + second;
	/* Go: guess with the local time as if UTC, then re-look-up near a transition */
	off = kube__tz_offset(z, secs, &start, &end);
	if (off) {
		utc = secs - off;
		if (utc < start || utc >= end)
			off = kube__tz_offset(z, utc, NULL, NULL);
		secs -= off;
	}
	return secs;
}
