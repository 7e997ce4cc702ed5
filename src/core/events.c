/*
 * The event recorder (events.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/events.h"
#include "core/ops.h"

#define DEDUP_WINDOW_MS (10 * 60 * 1000)
#define BURST 25
#define REFILL_MS (5 * 60 * 1000)

/* Per-cluster recorder state, kept in one JSON object:
 *   {"dedup": {key: {"name", "ns", "count", "at"}}, "bucket": {uid: {"tokens", "at"}}} */
static json_t *state_of(kube_cluster *c)
{
	if (!c->events)
		c->events = json_pack("{s:{}, s:{}}", "dedup", "bucket");
	return c->events;
}

/* Token bucket per involved object: false when the object spams. */
static bool take_token(kube_cluster *c, const char *uid, int64_t now)
{
	json_t *buckets = json_object_get(state_of(c), "bucket");
	json_t *b = json_object_get(buckets, uid);
	double tokens;
	int64_t at;

	if (!b) {
		b = json_pack("{s:f, s:I}", "tokens", (double)BURST, "at", (json_int_t)now);
		json_object_set_new(buckets, uid, b);
	}
	tokens = json_real_value(json_object_get(b, "tokens"));
	at = json_integer_value(json_object_get(b, "at"));
	tokens += (double)(now - at) / REFILL_MS;
	if (tokens > BURST)
		tokens = BURST;
	if (tokens < 1) {
		json_object_set_new(b, "tokens", json_real(tokens));
		json_object_set_new(b, "at", json_integer(now));
		return false;
	}
	json_object_set_new(b, "tokens", json_real(tokens - 1));
	json_object_set_new(b, "at", json_integer(now));
	return true;
}

static json_t *involved(const json_t *obj)
{
	const json_t *m = json_object_get(obj, "metadata");
	json_t *ref = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "kind", json_object_get(obj, "kind"),
				"namespace", json_object_get(m, "namespace"), "name",
				json_object_get(m, "name"), "uid", json_object_get(m, "uid"),
				"apiVersion", json_object_get(obj, "apiVersion"));
	json_t *rv = json_object_get(m, "resourceVersion");

	if (rv)
		json_object_set(ref, "resourceVersion", rv);
	return ref;
}

static void written(int err, const json_t *obj, const json_t *st, void *data)
{
	kube_cluster *c = data;

	(void)obj;
	if (err)
		kube__log(c, "event dropped: %s", json_string_value(json_object_get(st, "message")));
}

static json_t *new_event(kube_cluster *c, const json_t *obj, const char *component,
			 const char *host, const char *type, const char *reason,
			 const char *msg, int64_t now)
{
	const char *ns = kube__meta_str(obj, "namespace");
	char name[320], ts[32];
	json_t *ev;

	/* upstream: "<object name>.<unix nanoseconds in hex>" */
	snprintf(name, sizeof(name), "%s.%llx", kube__meta_str(obj, "name") ?: "unknown",
		 (unsigned long long)now * 1000000ULL + (unsigned long long)(rand() % 1000000));
	kube__rfc3339(now, ts, sizeof(ts));
	ev = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:{s:s}, s:s, s:s, s:i, s:s, s:n, s:s, s:s}",
		       "apiVersion", "v1", "kind", "Event", "metadata", "name", name, "namespace",
		       ns && *ns ? ns : "default", "involvedObject", involved(obj), "reason", reason,
		       "message", msg, "source", "component", component, "firstTimestamp", ts,
		       "lastTimestamp", ts, "count", 1, "type", type, "eventTime",
		       "reportingComponent", component, "reportingInstance", host ? host : "");
	if (host)
		json_object_set_new(json_object_get(ev, "source"), "host", json_string(host));
	return ev;
}

/* Forget what no longer matters, so a long-running cluster's recorder stays
 * small: series older than the dedup window, buckets that are full again. */
static void prune(json_t *state, int64_t now)
{
	json_t *dedup = json_object_get(state, "dedup"), *buckets = json_object_get(state, "bucket");
	const char *key;
	json_t *v;
	void *tmp;

	if (json_object_size(dedup) + json_object_size(buckets) < 4096)
		return;
	json_object_foreach_safe(dedup, tmp, key, v)
		if (now - json_integer_value(json_object_get(v, "at")) >= DEDUP_WINDOW_MS)
			json_object_del(dedup, key);
	json_object_foreach_safe(buckets, tmp, key, v)
		if (json_real_value(json_object_get(v, "tokens")) +
		    (double)(now - json_integer_value(json_object_get(v, "at"))) / REFILL_MS >= BURST)
			json_object_del(buckets, key);
}

void kube__event(kube_cluster *c, const json_t *obj, const char *component, const char *host,
		 const char *type, const char *reason, const char *fmt, ...)
{
	const struct kube_kind *evk = kube__registry_by_gvk("v1", "Event");
	json_t *dedup = json_object_get(state_of(c), "dedup"), *seen, *ev;
	int64_t now = kube__now_ms(c);
	char *msg = NULL, *key = NULL;
	const json_t *old;
	va_list ap;

	prune(state_of(c), now);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg || asprintf(&key, "%s|%s|%s|%s|%s|%s", component, host ? host : "",
			     kube__meta_str(obj, "uid") ?: "", type, reason, msg) < 0)
		goto out;
	if (!take_token(c, kube__meta_str(obj, "uid") ?: "", now))
		goto out;
	seen = json_object_get(dedup, key);
	old = seen && now - json_integer_value(json_object_get(seen, "at")) < DEDUP_WINDOW_MS
	      ? kube__op_get(c, evk, json_string_value(json_object_get(seen, "ns")),
			     json_string_value(json_object_get(seen, "name")), NULL) : NULL;
	if (old) {
		char ts[32];

		ev = json_deep_copy(old);
		json_object_set_new(ev, "count",
				    json_integer(json_integer_value(json_object_get(old, "count")) + 1));
		json_object_set_new(ev, "lastTimestamp", json_string(kube__rfc3339(now, ts, sizeof(ts))));
		json_object_set_new(seen, "at", json_integer(now));
		kube__op_update(c, evk, NULL, ev, NULL, written, c);
		goto out;
	}
	ev = new_event(c, obj, component, host, type, reason, msg, now);
	json_object_set_new(dedup, key, json_pack("{s:O, s:O, s:I}", "name",
		json_object_get(json_object_get(ev, "metadata"), "name"), "ns",
		json_object_get(json_object_get(ev, "metadata"), "namespace"), "at", (json_int_t)now));
	kube__op_create(c, evk, NULL, ev, NULL, written, c);
out:
	free(key);
	free(msg);
}

void kube__events_reset(kube_cluster *c)
{
	json_decref(c->events);
	c->events = NULL;
}
