/*
 * Helpers for the Job and CronJob controller tests: an in-memory cluster on
 * a manual clock, manifests from data/, pods finished by hand (the node
 * agent's job, which these tests stand in for with kube_update_status),
 * reads of object fields and recorded events.
 */
#ifndef KUBE_TEST_BATCH_H
#define KUBE_TEST_BATCH_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libkube/libkube.h"
#include "../../testutil.h"

/* 2024-05-06T10:00:00Z, a Monday. */
#define BT_START_MS 1714989600000LL
#define BT_WAIT_MS 5000

static int64_t bt_now = BT_START_MS;

static inline kube_cluster *bt_start(int64_t start_ms)
{
	kube_cluster *c;

	bt_now = start_ms;
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	kube_cluster_use_manual_clock(c, start_ms);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

static inline void bt_advance(kube_cluster *c, int64_t ms)
{
	cr_assert_eq(kube_cluster_advance_clock(c, ms), 0);
	bt_now += ms;
}

static inline void bt_rfc3339(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Apply data/<file> (relative to this directory). */
static inline void bt_apply_file(kube_cluster *c, const char *file)
{
	char path[1024], *text;

	snprintf(path, sizeof(path), "%s/tests/unit/core/controllers/data/%s", KUBE_SOURCE_DIR, file);
	text = tu_read_file(path, NULL);
	cr_assert_eq(kube_apply(c, text, NULL), 0, "apply %s: %s", file,
		     json_string_value(json_object_get(json_loads(kube_last_status() ?: "{}", 0, NULL),
						       "message")));
	free(text);
}

static inline void bt_apply(kube_cluster *c, const char *yaml)
{
	cr_assert_eq(kube_apply(c, yaml, NULL), 0, "apply: %s", kube_last_status());
}

static inline json_t *bt_get(kube_cluster *c, const char *res, const char *name)
{
	char *out = NULL;
	json_t *o;

	if (kube_get(c, res, "default", name, &out))
		return NULL;
	o = json_loads(out, 0, NULL);
	kube_free(out);
	return o;
}

/* A field of an object ("status.active"), as compact JSON ("" when absent). */
static inline char *bt_field(kube_cluster *c, const char *res, const char *name, const char *path)
{
	json_t *o = bt_get(c, res, name), *v = tu_at(o, path);
	char *out = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");

	json_decref(o);
	return out;
}

#define bt_expect(c, res, name, path, want) do { \
	char *got_ = bt_field(c, res, name, path); \
	cr_expect_str_eq(got_, want, "%s %s: %s", res, name, path); \
	free(got_); \
} while (0)

static inline void bt_wait(kube_cluster *c, const char *res, const char *name, const char *cond)
{
	cr_assert_eq(kube_wait(c, res, "default", name, cond, BT_WAIT_MS), 0, "%s %s: %s", res,
		     name, cond);
}

/* The condition of @p type of an object, as {status, reason, message}. */
static inline char *bt_condition(kube_cluster *c, const char *res, const char *name, const char *type)
{
	json_t *o = bt_get(c, res, name), *cond;
	size_t i;
	char *out = strdup("");

	json_array_foreach(json_object_get(json_object_get(o, "status"), "conditions"), i, cond)
		if (!strcmp(json_string_value(json_object_get(cond, "type")) ?: "", type)) {
			free(out);
			out = NULL;
			if (asprintf(&out, "%s %s: %s", json_string_value(json_object_get(cond, "status")),
				     json_string_value(json_object_get(cond, "reason")) ?: "",
				     json_string_value(json_object_get(cond, "message")) ?: "") < 0)
				out = NULL;
		}
	json_decref(o);
	return out;
}

/* Live (not deleting) objects of @p res with label selector @p sel, by name. */
static inline json_t *bt_list(kube_cluster *c, const char *res, const char *sel)
{
	char *out = NULL;
	json_t *l, *items, *live = json_array(), *o;
	size_t i;

	cr_assert_eq(kube_list(c, res, "default", sel, NULL, &out), 0);
	l = json_loads(out, 0, NULL);
	kube_free(out);
	items = json_object_get(l, "items");
	json_array_foreach(items, i, o)
		if (!json_object_get(json_object_get(o, "metadata"), "deletionTimestamp"))
			json_array_append(live, o);
	json_decref(l);
	return live;
}

static inline const char *bt_name(const json_t *o)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), "name"));
}

/* Finish a pod as the node agent would: phase, terminated container, Ready=False. */
static inline void bt_finish_pod(kube_cluster *c, const char *name, int exit_code)
{
	json_t *pod = bt_get(c, "pods", name), *containers, *status, *cs = json_array(), *ct;
	char ts[32], *text;
	size_t i;

	cr_assert(pod, "no pod %s", name);
	bt_rfc3339(bt_now, ts, sizeof(ts));
	containers = json_object_get(json_object_get(pod, "spec"), "containers");
	json_array_foreach(containers, i, ct)
		json_array_append_new(cs, json_pack("{s:O, s:b, s:i, s:O, s:s, s:{s:{s:i, s:s, s:s, s:s}}}",
			"name", json_object_get(ct, "name"), "ready", 0, "restartCount", 0,
			"image", json_object_get(ct, "image"), "imageID", "",
			"state", "terminated", "exitCode", exit_code,
			"reason", exit_code ? "Error" : "Completed", "startedAt", ts, "finishedAt", ts));
	status = json_pack("{s:s, s:o, s:[{s:s, s:s, s:s}]}", "phase",
			   exit_code ? "Failed" : "Succeeded", "containerStatuses", cs, "conditions",
			   "type", "Ready", "status", "False", "lastTransitionTime", ts);
	/* the scheduler may bind the pod meanwhile: retry on conflict with the newest */
	for (int tries = 0;; tries++) {
		int err;

		json_object_set(pod, "status", status);
		text = json_dumps(pod, 0);
		err = kube_update_status(c, text, NULL);
		free(text);
		json_decref(pod);
		if (err != KUBE_ECONFLICT || tries == 50) {
			cr_assert_eq(err, 0, "finish %s: %s", name, kube_last_status());
			break;
		}
		pod = bt_get(c, "pods", name);
		cr_assert(pod, "no pod %s", name);
	}
	json_decref(status);
}

/* Events about @p name, "Type Reason: message" lines joined by '\n'. */
static inline char *bt_events(kube_cluster *c, const char *name)
{
	char *out = NULL, sel[256];
	size_t len = 0, cap = 1;
	char *log = calloc(1, 1);
	json_t *l, *e;
	size_t i;

	snprintf(sel, sizeof(sel), "involvedObject.name=%s", name);
	cr_assert_eq(kube_list(c, "events", "default", NULL, sel, &out), 0);
	l = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(l, "items"), i, e) {
		char *line = NULL;
		int n = asprintf(&line, "%s %s: %s\n", json_string_value(json_object_get(e, "type")),
				 json_string_value(json_object_get(e, "reason")),
				 json_string_value(json_object_get(e, "message")));

		if (n < 0)
			continue;
		cap += (size_t)n;
		log = realloc(log, cap);
		memcpy(log + len, line, (size_t)n + 1);
		len += (size_t)n;
		free(line);
	}
	json_decref(l);
	return log;
}

#endif
