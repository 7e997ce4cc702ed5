/*
 * Time, identity and logging helpers shared by the core.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "core/cluster_internal.h"

int64_t kube__now_ms(kube_cluster *c)
{
	struct timespec ts;

	if (c && c->clock)
		return c->clock(c->clock_data);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *kube__rfc3339(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int64_t kube__parse_rfc3339(const char *s)
{
	struct tm tm;
	const char *end;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.')
		while (*++end >= '0' && *end <= '9')
			;
	if (*end != 'Z' || end[1])
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

static void random_bytes(unsigned char *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);

		if (r > 0)
			got += (size_t)r;
	}
}

void kube__uuid(char *buf)
{
	unsigned char b[16];

	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}

void kube__random_suffix(char *buf, int n)
{
	/* upstream's utilrand alphabet: no vowels, no confusable characters */
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char b[64];

	if (n > 63)
		n = 63;
	random_bytes(b, (size_t)n);
	for (int i = 0; i < n; i++)
		buf[i] = alphabet[b[i] % (sizeof(alphabet) - 1)];
	buf[n] = '\0';
}

void kube__log(kube_cluster *c, const char *fmt, ...)
{
	va_list ap;
	char ts[32];

	if (!c || !c->cfg.verbose)
		return;
	kube__rfc3339(kube__now_ms(NULL), ts, sizeof(ts));
	fprintf(stderr, "%s libkube: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void kube_free(void *p)
{
	free(p);
}
