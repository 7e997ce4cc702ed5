/*
 * The table of runtime backends and what they share: container ids, the
 * exit report and the per-container log (runtime.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/runtime.h"

extern const struct kube_runtime_ops kube__runtime_simulated;
extern const struct kube_runtime_ops kube__runtime_process;

static const struct kube_runtime_ops *const backends[] = {
	&kube__runtime_simulated,
	&kube__runtime_process,
	NULL,
};

const struct kube_runtime_ops *kube__runtime_find(const char *name)
{
	for (int i = 0; name && backends[i]; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

void kube__rt_new_id(char *id)
{
	char uuid[37];
	int n = 0;

	/* two v4 UUIDs without dashes: 64 hex digits, as containerd's ids */
	for (int k = 0; k < 2; k++) {
		kube__uuid(uuid);
		for (const char *p = uuid; *p && n < 64; p++)
			if (*p != '-')
				id[n++] = *p;
	}
	id[n] = '\0';
}

int kube__rt_sandbox_id_only(void *state, struct kube_rt_sandbox *sb, kube_rt_done_cb cb,
			     void *data)
{
	(void)state;
	kube__rt_new_id(sb->id);
	cb(0, data);
	return 0;
}

void kube__rt_sandbox_id_forget(void *state, struct kube_rt_sandbox *sb)
{
	(void)state, (void)sb;
}

void kube__rt_exited(struct kube_rt_ctr *ctr, int code, const char *reason)
{
	if (ctr->state == KUBE_RT_EXITED)
		return;
	ctr->state = KUBE_RT_EXITED;
	ctr->exit_code = code;
	ctr->reason = reason ? reason : code ? "Error" : "Completed";
	ctr->finished_ms = kube__now_ms(ctr->c);
	ctr->ready = false;
	kube__rt_log_flush(&ctr->log, ctr->finished_ms);
	if (ctr->on_exit)
		ctr->on_exit(ctr, ctr->exit_data);
}

/* ---------------------------------------------------------------- logs -- */

/* RFC 3339 with nanoseconds, as CRI log lines carry. */
static void log_time(int64_t ms, char *buf, size_t len)
{
	char sec[32];

	kube__rfc3339(ms - ms % 1000, sec, sizeof(sec));
	sec[strlen(sec) - 1] = '\0'; /* drop the Z */
	snprintf(buf, len, "%s.%03d000000Z", sec, (int)(ms % 1000));
}

/* Drop whole records from the front until @p need more bytes fit the cap. */
static void log_trim(struct kube_rt_log *l, size_t need)
{
	size_t cut = 0;

	while (l->len - cut + need > KUBE_RT_LOG_MAX && cut < l->len) {
		char *nl = memchr(l->buf + cut, '\n', l->len - cut);

		cut = nl ? (size_t)(nl - l->buf) + 1 : l->len;
	}
	if (cut) {
		memmove(l->buf, l->buf + cut, l->len - cut);
		l->len -= cut;
	}
}

static void log_record(struct kube_rt_log *l, int stream, const char *line, size_t n,
		       int64_t now_ms)
{
	char ts[48];
	size_t need;

	log_time(now_ms, ts, sizeof(ts));
	need = strlen(ts) + 8 + n + 2;
	if (need > KUBE_RT_LOG_MAX)
		return;
	log_trim(l, need);
	if (l->len + need > l->cap) {
		size_t cap = l->cap ? l->cap : 1024;
		char *b;

		while (cap < l->len + need)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b)
			return;
		l->buf = b;
		l->cap = cap;
	}
	l->len += (size_t)sprintf(l->buf + l->len, "%s %s F %.*s\n", ts,
				  stream ? "stderr" : "stdout", (int)n, line);
}

void kube__rt_log_append(struct kube_rt_log *l, int stream, const char *data, size_t len,
			 int64_t now_ms)
{
	char *acc = l->partial[stream];

	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		size_t room = sizeof(l->partial[stream]) - l->plen[stream];

		if (n >= room) {
			/* a line longer than the buffer is split, as the CRI splits them */
			memcpy(acc + l->plen[stream], data, room);
			log_record(l, stream, acc, sizeof(l->partial[stream]), now_ms);
			l->plen[stream] = 0;
			data += room;
			len -= room;
			continue;
		}
		memcpy(acc + l->plen[stream], data, n);
		l->plen[stream] += n;
		data += n;
		len -= n;
		if (nl) {
			log_record(l, stream, acc, l->plen[stream], now_ms);
			l->plen[stream] = 0;
			data++;
			len--;
		}
	}
}

void kube__rt_log_flush(struct kube_rt_log *l, int64_t now_ms)
{
	for (int s = 0; s < 2; s++) {
		if (l->plen[s])
			log_record(l, s, l->partial[s], l->plen[s], now_ms);
		l->plen[s] = 0;
	}
}

/* Start of the last @p n records of @p l (all of them when n < 0). */
static size_t tail_start(const struct kube_rt_log *l, int64_t n)
{
	size_t at = l->len;

	if (n < 0)
		return 0;
	while (at > 0 && n-- > 0) {
		at--;
		while (at > 0 && l->buf[at - 1] != '\n')
			at--;
	}
	return at;
}

int kube__rt_log_read(const struct kube_rt_log *l, const struct kube_rt_log_opts *o, char **out)
{
	size_t at = tail_start(l, o->tail_lines), n = 0;
	char *buf = malloc(l->len - at + 1);

	*out = NULL;
	if (!buf)
		return KUBE_ENOMEM;
	while (at < l->len) {
		const char *rec = l->buf + at, *end = memchr(rec, '\n', l->len - at);
		const char *sp1 = memchr(rec, ' ', (size_t)(end - rec));
		const char *line = sp1 + 1 + 7 + 2; /* "stdout F " or "stderr F " */

		if (o->timestamps) {
			memcpy(buf + n, rec, (size_t)(sp1 - rec) + 1);
			n += (size_t)(sp1 - rec) + 1;
		}
		memcpy(buf + n, line, (size_t)(end - line) + 1);
		n += (size_t)(end - line) + 1;
		at = (size_t)(end - l->buf) + 1;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

void kube__rt_log_free(struct kube_rt_log *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------ durations -- */

int64_t kube__rt_duration_ms(const char *s)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { NULL, 0 },
	};
	double total = 0;

	if (!s || !*s)
		return -1;
	if (!strcmp(s, "0"))
		return 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		int i;

		if (end == s || v < 0)
			return -1;
		for (i = 0; units[i].unit; i++) {
			size_t n = strlen(units[i].unit);

			/* "ms" before "m": a minute never starts "ms" */
			if (!strncmp(end, units[i].unit, n)) {
				total += v * units[i].ms;
				s = end + n;
				break;
			}
		}
		if (!units[i].unit)
			return -1;
	}
	return (int64_t)total;
}
