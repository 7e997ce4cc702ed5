/*
 * Scalar resolution as go-yaml v2 (resolve.go) does it, which is what
 * sigs.k8s.io/yaml and therefore kubectl and the API server use: YAML 1.1
 * booleans (yes/no/on/off), Go's strconv number syntaxes, and Go's float
 * formatting for the way numbers are printed back.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_int.h"

struct word {
	const char *text;
	enum codec_type type;
	int val; /* bool value, or the float: 1 +inf, -1 -inf, 0 nan */
};

/* go-yaml v2's resolveMapList. */
static const struct word words[] = {
	{"y", CODEC_BOOL, 1}, {"Y", CODEC_BOOL, 1}, {"yes", CODEC_BOOL, 1},
	{"Yes", CODEC_BOOL, 1}, {"YES", CODEC_BOOL, 1}, {"true", CODEC_BOOL, 1},
	{"True", CODEC_BOOL, 1}, {"TRUE", CODEC_BOOL, 1}, {"on", CODEC_BOOL, 1},
	{"On", CODEC_BOOL, 1}, {"ON", CODEC_BOOL, 1},
	{"n", CODEC_BOOL, 0}, {"N", CODEC_BOOL, 0}, {"no", CODEC_BOOL, 0},
	{"No", CODEC_BOOL, 0}, {"NO", CODEC_BOOL, 0}, {"false", CODEC_BOOL, 0},
	{"False", CODEC_BOOL, 0}, {"FALSE", CODEC_BOOL, 0}, {"off", CODEC_BOOL, 0},
	{"Off", CODEC_BOOL, 0}, {"OFF", CODEC_BOOL, 0},
	{"~", CODEC_NULL, 0}, {"null", CODEC_NULL, 0}, {"Null", CODEC_NULL, 0},
	{"NULL", CODEC_NULL, 0},
	{".nan", CODEC_FLOAT, 0}, {".NaN", CODEC_FLOAT, 0}, {".NAN", CODEC_FLOAT, 0},
	{".inf", CODEC_FLOAT, 1}, {".Inf", CODEC_FLOAT, 1}, {".INF", CODEC_FLOAT, 1},
	{"+.inf", CODEC_FLOAT, 1}, {"+.Inf", CODEC_FLOAT, 1}, {"+.INF", CODEC_FLOAT, 1},
	{"-.inf", CODEC_FLOAT, -1}, {"-.Inf", CODEC_FLOAT, -1}, {"-.INF", CODEC_FLOAT, -1},
};

static bool lookup_word(const char *s, size_t len, struct codec_scalar *r)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i].text) != len || memcmp(words[i].text, s, len) != 0)
			continue;
		r->type = words[i].type;
		r->b = words[i].val != 0;
		if (r->type == CODEC_FLOAT)
			r->f = words[i].val == 0 ? NAN : words[i].val * INFINITY;
		return true;
	}
	return false;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* strconv.ParseUint(s, 0, 64) on the magnitude: base prefixes 0x 0o 0b, a
 * leading 0 meaning octal. Returns false on syntax error or overflow. */
static bool parse_magnitude(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;

	if (n >= 2 && s[0] == '0') {
		char p = (char)tolower((unsigned char)s[1]);
		base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
		if (base != 8 || p == 'o') {
			s += 2;
			n -= 2;
		}
	}
	if (n == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)digit_value(s[i]);
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* ParseInt(s, 0, 64), then ParseUint(s, 0, 64), as go-yaml tries them. */
static bool resolve_integer(const char *s, size_t n, struct codec_scalar *r)
{
	bool neg = false, signed_ = false;
	uint64_t mag;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		signed_ = true;
		s++;
		n--;
	}
	if (!parse_magnitude(s, n, &mag))
		return false;
	if (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX) {
		r->type = CODEC_INT;
		r->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
		return true;
	}
	if (signed_)
		return false;
	r->type = CODEC_UINT;
	r->u = mag;
	return true;
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ (yamlStyleFloat) */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		j = skip_digits(s, i + 1, n);
		if (j == i + 1)
			return false;
		i = j;
	} else {
		j = skip_digits(s, i, n);
		if (j == i)
			return false;
		i = j;
		if (i < n && s[i] == '.')
			i = skip_digits(s, i + 1, n);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		j = skip_digits(s, i, n);
		if (j == i)
			return false;
		i = j;
	}
	return i == n;
}

/* strconv.ParseFloat on text already known to be decimal syntax; false on
 * overflow to infinity, as Go reports ErrRange there. */
static bool parse_float(const char *s, size_t n, double *out)
{
	char buf[128];

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, NULL);
	return !isinf(*out);
}

static void resolve_number(const char *s, size_t n, struct codec_scalar *r)
{
	char plain[128];
	size_t m = 0;

	/* go-yaml strips every underscore before trying the number forms */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (m + 1 >= sizeof(plain))
			return;
		plain[m++] = s[i];
	}
	plain[m] = '\0';
	if (resolve_integer(plain, m, r))
		return;
	if (yaml_style_float(plain, m) && parse_float(plain, m, &r->f))
		r->type = CODEC_FLOAT;
}

static bool take_num(const char *s, size_t n, size_t *i, int min, int max, int *v)
{
	int d = 0;

	*v = 0;
	while (*i < n && isdigit((unsigned char)s[*i]) && d < max) {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		d++;
	}
	return d >= min;
}

/* The time part of go-yaml's timestamp layouts: h:m:s(.frac)? and, after a
 * 'T', a zone Z or +hh:mm. */
static bool timestamp_time(const char *s, size_t n, size_t i, bool zone)
{
	int h, m, sec;

	if (!take_num(s, n, &i, 1, 2, &h) || h > 23 || i >= n || s[i++] != ':' ||
	    !take_num(s, n, &i, 1, 2, &m) || m > 59 || i >= n || s[i++] != ':' ||
	    !take_num(s, n, &i, 1, 2, &sec) || sec > 59)
		return false;
	if (i < n && s[i] == '.') {
		size_t j = skip_digits(s, i + 1, n);
		if (j == i + 1)
			return false;
		i = j;
	}
	if (!zone)
		return i == n;
	if (i < n && s[i] == 'Z')
		return i + 1 == n;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		int zh, zm;
		i++;
		return take_num(s, n, &i, 2, 2, &zh) && i < n && s[i++] == ':' &&
		       take_num(s, n, &i, 2, 2, &zm) && i == n;
	}
	return false;
}

/* go-yaml's parseTimestamp: YYYY-M-D, optionally with a time. */
static bool is_timestamp(const char *s, size_t n)
{
	size_t i = 0;
	int y, mo, d;

	if (!take_num(s, n, &i, 4, 4, &y) || i >= n || s[i++] != '-' ||
	    !take_num(s, n, &i, 1, 2, &mo) || mo < 1 || mo > 12 || i >= n ||
	    s[i++] != '-' || !take_num(s, n, &i, 1, 2, &d) || d < 1 || d > 31)
		return false;
	if (i == n)
		return true;
	if (s[i] == 'T' || s[i] == 't')
		return timestamp_time(s, n, i + 1, true);
	if (s[i] == ' ')
		return timestamp_time(s, n, i + 1, false);
	return false;
}

void codec_resolve_plain(const char *s, size_t len, struct codec_scalar *r)
{
	memset(r, 0, sizeof(*r));
	r->type = CODEC_STR;
	if (len == 0) {
		r->type = CODEC_NULL;
		return;
	}
	char c = s[0];
	bool hinted = isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.' ||
		      strchr("yYnNtTfFoO~", c) != NULL;
	if (!hinted)
		return;
	if (lookup_word(s, len, r))
		return;
	if (c == '.') {
		if (yaml_style_float(s, len) && parse_float(s, len, &r->f))
			r->type = CODEC_FLOAT;
		return;
	}
	if (!isdigit((unsigned char)c) && c != '+' && c != '-')
		return;
	if (is_timestamp(s, len)) {
		r->type = CODEC_TIMESTAMP;
		return;
	}
	resolve_number(s, len, r);
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s, size_t n)
{
	size_t i = 0;
	int groups = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return false;
	while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	while (i < n && s[i] == ':') {
		size_t j = skip_digits(s, i + 1, n);
		if (j == i + 1 || j > i + 3 || (j == i + 3 && s[i + 1] > '5'))
			return false;
		i = j;
		groups++;
	}
	if (groups == 0)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'))
			i++;
	}
	return i == n;
}

bool codec_plain_is_str(const char *s, size_t len)
{
	struct codec_scalar r;

	codec_resolve_plain(s, len, &r);
	return r.type == CODEC_STR && !is_base60_float(s, len);
}

/* Shortest decimal digits of @p f (positive, finite, non-zero) that read
 * back as the same value at @p bits; returns the count, *dp the position of
 * the decimal point relative to the first digit (value = 0.DIGITS * 10^dp). */
static int shortest_digits(double f, int bits, char *digits, int *dp)
{
	char buf[64];
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, f);
		double back = strtod(buf, NULL);
		if (bits == 32 ? (float)back == (float)f : back == f)
			break;
	}
	int n = 0;
	for (const char *c = buf; *c && *c != 'e'; c++)
		if (isdigit((unsigned char)*c))
			digits[n++] = *c;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*dp = atoi(strchr(buf, 'e') + 1) + 1;
	return n;
}

static void format_e(char *out, const char *digits, int nd, int dp)
{
	int exp = dp - 1;

	*out++ = digits[0];
	if (nd > 1) {
		*out++ = '.';
		memcpy(out, digits + 1, (size_t)nd - 1);
		out += nd - 1;
	}
	sprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void format_f(char *out, const char *digits, int nd, int dp)
{
	if (dp <= 0) {
		out += sprintf(out, "0.");
		for (int i = 0; i < -dp; i++)
			*out++ = '0';
		sprintf(out, "%s", digits);
	} else if (dp >= nd) {
		out += sprintf(out, "%s", digits);
		for (int i = nd; i < dp; i++)
			*out++ = '0';
		*out = '\0';
	} else {
		memcpy(out, digits, (size_t)dp);
		out[dp] = '.';
		sprintf(out + dp + 1, "%s", digits + dp);
	}
}

void codec_format_float(double f, char fmt, int bits, char *buf)
{
	char digits[24];
	int dp, nd;

	if (isnan(f)) {
		strcpy(buf, "NaN");
		return;
	}
	if (isinf(f)) {
		strcpy(buf, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (signbit(f))
		*buf++ = '-';
	f = fabs(f);
	if (f == 0) {
		strcpy(buf, fmt == 'e' ? "0e+00" : "0");
		return;
	}
	nd = shortest_digits(f, bits, digits, &dp);
	if (fmt == 'g')
		fmt = (dp - 1 < -4 || dp - 1 >= 6) ? 'e' : 'f';
	if (fmt == 'e')
		format_e(buf, digits, nd, dp);
	else
		format_f(buf, digits, nd, dp);
}
