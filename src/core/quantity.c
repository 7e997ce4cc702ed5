/*
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource) in C.
 *
 * Upstream keeps an int64 mantissa with a decimal scale, falling back to
 * arbitrary precision, and rounds every value up to nano precision. Here a
 * value is one __int128 count of nano units, which holds everything
 * upstream's parser produces (up to ~1.7e29) exactly; the parser does its
 * arithmetic on decimal digit strings so long inputs round exactly as
 * upstream's inf.Dec does.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/quantity.h"

#define NANO_PER_UNIT ((__int128)1000000000)
/* Saturation bound: 10^36 nano (10^27 units), far beyond any real quantity. */
#define NANO_LIMIT ((__int128)1000000000000000000LL * 1000000000000000000LL)
/* upstream's maxAllowed, 2^63-1 units, in nano */
#define NANO_MAX_ALLOWED ((__int128)INT64_MAX * NANO_PER_UNIT)
/* longer numbers are refused rather than given a large buffer */
#define MAX_DIGITS 1024

struct parts {
	bool positive;         /* no leading '-' */
	const char *num;       /* integer digits, leading zeros stripped ("0" if none) */
	size_t nnum;
	const char *denom;     /* fraction digits after '.' */
	size_t ndenom;
	const char *suffix;    /* everything after the number */
	size_t nsuffix;
};

/* parseQuantityString: split sign, digits, fraction and suffix. */
static int split(const char *s, struct parts *p)
{
	size_t pos = 0, end = strlen(s), i;

	memset(p, 0, sizeof(*p));
	p->positive = true;
	if (end > 0 && (s[0] == '-' || s[0] == '+'))
		p->positive = s[pos++] != '-';
	while (pos < end && s[pos] == '0')
		pos++;
	for (i = pos; i < end && isdigit((unsigned char)s[i]); i++)
		;
	p->num = s + pos;
	p->nnum = i - pos;
	if (p->nnum == 0) {
		p->num = "0";
		p->nnum = 1;
	}
	pos = i;
	if (pos < end && s[pos] == '.') {
		for (i = ++pos; i < end && isdigit((unsigned char)s[i]); i++)
			;
		p->denom = s + pos;
		p->ndenom = i - pos;
		pos = i;
	}
	p->suffix = s + pos;
	p->nsuffix = end - pos;
	while (pos < end && strchr("eEinumkKMGTP", s[pos]))
		pos++;
	if (pos < end && (s[pos] == '-' || s[pos] == '+'))
		pos++;
	while (pos < end && isdigit((unsigned char)s[pos]))
		pos++;
	return pos == end ? 0 : -1;
}

/* quantitySuffixer.interpret: base, exponent and format of a suffix. */
static int interpret(const char *s, size_t n, int *base, int *exp, char *format)
{
	static const char *bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	static const struct { const char *s; int exp; } dec[] = {
		{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3},
		{"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18},
	};

	for (int i = 0; i < 6; i++)
		if (n == 2 && memcmp(s, bin[i], 2) == 0) {
			*base = 2, *exp = 10 * (i + 1), *format = 'B';
			return 0;
		}
	for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		if (strlen(dec[i].s) == n && memcmp(s, dec[i].s, n) == 0) {
			*base = 10, *exp = dec[i].exp, *format = 'D';
			return 0;
		}
	if (n < 2 || (s[0] != 'e' && s[0] != 'E'))
		return -1;
	/* strconv.ParseInt(s[1:], 10, 64), bounded: larger exponents saturate anyway */
	size_t i = 1;
	bool neg = s[i] == '-';
	long v = 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v < 100000)
			v = v * 10 + (s[i] - '0');
	}
	*base = 10, *exp = (int)(neg ? -v : v), *format = 'E';
	return 0;
}

/* A decimal number as a digit string (most significant first). */
struct digits {
	char d[MAX_DIGITS + 64];
	size_t n;
};

static void digits_double(struct digits *x)
{
	int carry = 0;

	for (size_t i = x->n; i-- > 0;) {
		int v = (x->d[i] - '0') * 2 + carry;
		x->d[i] = (char)('0' + v % 10);
		carry = v / 10;
	}
	if (carry) {
		memmove(x->d + 1, x->d, x->n++);
		x->d[0] = (char)('0' + carry);
	}
}

/* |x| * 10^shift rounded up (away from zero), saturated at NANO_LIMIT. */
static __int128 digits_scale(const struct digits *x, long shift)
{
	long keep = (long)x->n + shift;
	__int128 v = 0;
	bool dropped = false;

	for (long i = 0; i < keep; i++) {
		int d = i < (long)x->n ? x->d[i] - '0' : 0;
		if (v > (NANO_LIMIT - d) / 10)
			return NANO_LIMIT;
		v = v * 10 + d;
	}
	for (long i = keep < 0 ? 0 : keep; i < (long)x->n; i++)
		dropped |= x->d[i] != '0';
	return dropped ? v + 1 : v;
}

static void set_milli(struct kube_quantity *q)
{
	q->milli = kube__quantity_milli(q);
}

/* The exact (inf.Dec) path: round up to nano, cap BinarySI at 2^63-1. */
static int parse_exact(const struct parts *p, int base, int exp, char format,
		       struct kube_quantity *q)
{
	struct digits x;
	long shift = 9 - (long)p->ndenom + (base == 10 ? exp : 0);

	if (p->nnum + p->ndenom > MAX_DIGITS)
		return -1;
	memcpy(x.d, p->num, p->nnum);
	if (p->ndenom)
		memcpy(x.d + p->nnum, p->denom, p->ndenom);
	x.n = p->nnum + p->ndenom;
	for (int i = 0; base == 2 && i < exp; i++)
		digits_double(&x);
	__int128 nano = digits_scale(&x, shift);
	if (format == 'B' && nano > NANO_MAX_ALLOWED)
		nano = NANO_MAX_ALLOWED;
	if (format == 'B' && nano > 0 && nano < NANO_PER_UNIT)
		format = 'D';
	q->num = p->positive ? nano : -nano;
	q->format = format;
	return 0;
}

int kube__quantity_parse(const char *s, struct kube_quantity *q)
{
	struct parts p;
	int base, exp;
	char format;

	if (!s || !*s || split(s, &p) != 0 ||
	    interpret(p.suffix, p.nsuffix, &base, &exp, &format) != 0)
		return -1;
	q->scale = -9;
	if (parse_exact(&p, base, exp, format, q) != 0)
		return -1;
	set_milli(q);
	return 0;
}

int kube__quantity_cmp(const struct kube_quantity *a, const struct kube_quantity *b)
{
	return a->num < b->num ? -1 : a->num > b->num;
}

/* @p nano / @p unit rounded away from zero, saturated to int64. */
static int64_t scaled(__int128 nano, __int128 unit)
{
	__int128 v = nano / unit;

	if (nano % unit != 0)
		v += nano < 0 ? -1 : 1;
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

int64_t kube__quantity_value(const struct kube_quantity *q)
{
	return scaled(q->num, NANO_PER_UNIT);
}

int64_t kube__quantity_milli(const struct kube_quantity *q)
{
	return scaled(q->num, 1000000);
}

static __int128 saturate(__int128 v)
{
	return v > NANO_LIMIT ? NANO_LIMIT : v < -NANO_LIMIT ? -NANO_LIMIT : v;
}

void kube__quantity_add(struct kube_quantity *a, const struct kube_quantity *b)
{
	if (a->num == 0)
		a->format = b->format;
	a->num = saturate(a->num + b->num);
	set_milli(a);
}

void kube__quantity_sub(struct kube_quantity *a, const struct kube_quantity *b)
{
	if (a->num == 0)
		a->format = b->format;
	a->num = saturate(a->num - b->num);
	set_milli(a);
}

static void print_i128(char *buf, size_t len, __int128 v)
{
	char tmp[48];
	size_t n = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	size_t o = 0;
	if (neg && o + 1 < len)
		buf[o++] = '-';
	while (n > 0 && o + 1 < len)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
}

static const char *decimal_suffix(int exp)
{
	static const char *s[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};

	return exp >= -9 && exp <= 18 && exp % 3 == 0 ? s[(exp + 9) / 3] : NULL;
}

/* AsCanonicalBytes: mantissa with no trailing zeros, the exponent then
 * lowered to a multiple of 3; printed with an SI or e-notation suffix. */
static void format_decimal(__int128 nano, char format, char *buf, size_t len)
{
	int exp = -9;
	char num[48];

	while (nano % 10 == 0) {
		nano /= 10;
		exp++;
	}
	while (((exp % 3) + 3) % 3 != 0) {
		nano *= 10;
		exp--;
	}
	print_i128(num, sizeof(num), nano);
	const char *suffix = format == 'D' ? decimal_suffix(exp) : NULL;
	if (suffix)
		snprintf(buf, len, "%s%s", num, suffix);
	else if (exp == 0)
		snprintf(buf, len, "%s", num);
	else
		/* DecimalExponent, or DecimalSI past "E" where upstream has no suffix */
		snprintf(buf, len, "%se%d", num, exp);
}

const char *kube__quantity_format(const struct kube_quantity *q, char *buf, size_t len)
{
	static const char *bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	char format = q->format;
	__int128 v = q->num;

	if (v == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	/* BinarySI only for whole numbers of at least 1024 in magnitude */
	if (format == 'B' && (v % NANO_PER_UNIT != 0 ||
			      (v > -1024 * NANO_PER_UNIT && v < 1024 * NANO_PER_UNIT)))
		format = 'D';
	if (format != 'B') {
		format_decimal(v, format == 'E' ? 'E' : 'D', buf, len);
		return buf;
	}
	char num[48];
	int exp = 0;
	v /= NANO_PER_UNIT;
	while (exp < 6 && v % 1024 == 0) {
		v /= 1024;
		exp++;
	}
	print_i128(num, sizeof(num), v);
	snprintf(buf, len, "%s%s", num, bin[exp]);
	return buf;
}
