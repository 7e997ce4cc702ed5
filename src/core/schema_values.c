/*
 * The scalar formats the API server's Go decoder rejects while unmarshaling,
 * with the error texts Go produces (time.Parse, encoding/base64,
 * resource.ParseQuantity).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/schema_values.h"

#define RFC3339 "2006-01-02T15:04:05Z07:00"

/* One element of the RFC 3339 layout: the literal before it, the layout text
 * it is named by in errors, its digit count and its range. */
static const struct {
	const char *prefix, *elem;
	int digits, min, max;
	const char *range; /* the word of "<range> out of range" */
} rfc3339[] = {
	{ "", "2006", 4, 0, 9999, "year" },
	{ "-", "01", 2, 1, 12, "month" },
	{ "-", "02", 2, 1, 31, "day" },
	{ "T", "15", 2, 0, 23, "hour" },
	{ ":", "04", 2, 0, 59, "minute" },
	{ ":", "05", 2, 0, 59, "second" },
};

static int days_in(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return month == 2 && leap ? 29 : days[month - 1];
}

/* `parsing time "<v>" as "<layout>": cannot parse "<rest>" as "<elem>"` */
static const char *cannot(char *buf, size_t len, const char *s, const char *rest, const char *elem)
{
	snprintf(buf, len, "parsing time \"%s\" as \"" RFC3339 "\": cannot parse \"%s\" as \"%s\"",
		 s, rest, elem);
	return buf;
}

static const char *out_of_range(char *buf, size_t len, const char *s, const char *what)
{
	snprintf(buf, len, "parsing time \"%s\": %s out of range", s, what);
	return buf;
}

/* The zone ("Z" or "+hh:mm") and what follows; p points after the seconds. */
static const char *rfc3339_zone(const char *s, const char *p, char *buf, size_t len)
{
	if (*p == '.' || *p == ',') {
		if (isdigit((unsigned char)p[1]))
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
	if (*p == 'Z')
		p++;
	else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
		 isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
		 isdigit((unsigned char)p[5]))
		p += 6;
	else
		return cannot(buf, len, s, p, "Z07:00");
	if (*p) {
		snprintf(buf, len, "parsing time \"%s\": extra text: \"%s\"", s, p);
		return buf;
	}
	return NULL;
}

const char *kube__check_rfc3339(const char *s, char *buf, size_t len)
{
	const char *p = s;
	int v[6];

	for (size_t i = 0; i < sizeof(rfc3339) / sizeof(rfc3339[0]); i++) {
		size_t pl = strlen(rfc3339[i].prefix);

		if (strncmp(p, rfc3339[i].prefix, pl) != 0)
			return cannot(buf, len, s, p, rfc3339[i].prefix);
		p += pl;
		v[i] = 0;
		for (int d = 0; d < rfc3339[i].digits; d++) {
			if (!isdigit((unsigned char)p[d]))
				return cannot(buf, len, s, p, rfc3339[i].elem);
			v[i] = v[i] * 10 + (p[d] - '0');
		}
		p += rfc3339[i].digits;
		if (v[i] < rfc3339[i].min || v[i] > rfc3339[i].max)
			return out_of_range(buf, len, s, rfc3339[i].range);
	}
	if (v[2] > days_in(v[0], v[1]))
		return out_of_range(buf, len, s, "day");
	return rfc3339_zone(s, p, buf, len);
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' || c == '/' ? (c == '+' ? 62 : 63) : -1;
}

static const char *b64_error(char *buf, size_t len, size_t at)
{
	snprintf(buf, len, "illegal base64 data at input byte %zu", at);
	return buf;
}

/* Go's decoder works in quanta of four symbols, skipping \r and \n; an
 * error names the offending byte, or the start of an incomplete quantum. */
const char *kube__check_base64(const char *s, char *buf, size_t len)
{
	size_t i = 0, start = 0;
	int j = 0;

	for (;; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (!s[i])
			return j == 0 ? NULL : b64_error(buf, len, start);
		if (j == 0)
			start = i;
		if (s[i] == '=') {
			size_t k = i + 1;

			if (j < 2)
				return b64_error(buf, len, i);
			while (s[k] == '\r' || s[k] == '\n')
				k++;
			if (j == 2 && s[k] != '=')
				return b64_error(buf, len, k);
			if (j == 2)
				k++;
			while (s[k] == '\r' || s[k] == '\n')
				k++;
			return s[k] ? b64_error(buf, len, k) : NULL;
		}
		if (b64_value(s[i]) < 0)
			return b64_error(buf, len, i);
		j = (j + 1) % 4;
	}
}

#define QTY_FORMAT "quantities must match the regular expression " \
	"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/* The suffixes upstream's quantitySuffixer interprets. */
static bool quantity_suffix_ok(const char *suf, size_t n)
{
	static const char *const known[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u",
					     "m", "k", "M", "G", "T", "P", "E" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && strncmp(known[i], suf, n) == 0)
			return true;
	if (n < 2 || (suf[0] != 'e' && suf[0] != 'E'))
		return false;
	suf++, n--;
	if (*suf == '+' || *suf == '-')
		suf++, n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)suf[i]))
			return false;
	return true;
}

const char *kube__check_quantity(const char *s)
{
	const char *p = s, *end = s + strlen(s), *suf;
	int digits = 0;

	/* the API server trims the text before parsing it */
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end)
		return QTY_FORMAT;
	if (*p == '+' || *p == '-')
		p++;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return QTY_FORMAT;
	suf = p;
	while (p < end && strchr("eEinumkKMGTP", *p))
		p++;
	if (p < end && (*p == '+' || *p == '-'))
		p++;
	while (p < end && isdigit((unsigned char)*p))
		p++;
	if (p != end)
		return QTY_FORMAT;
	return quantity_suffix_ok(suf, (size_t)(p - suf)) ? NULL : "unable to parse quantity's suffix";
}
