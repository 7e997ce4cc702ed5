/*
 * Shared by the workload controller tests: a cluster, and a stand-in for
 * the node agent (being built in another slice) that marks pods Running and
 * Ready through the status subresource, as a kubelet would.
 */
#ifndef KUBE_TEST_WORKLOAD_TEST_H
#define KUBE_TEST_WORKLOAD_TEST_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "libkube/libkube.h"
#include "../../testutil.h"

#define MANUAL_START_MS 1764064800000LL /* 2025-11-25T10:00:00Z */

static inline kube_cluster *wl_start(bool manual)
{
	kube_cluster *c;

	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	if (manual)
		kube_cluster_use_manual_clock(c, MANUAL_START_MS);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

static inline json_t *wl_get(kube_cluster *c, const char *res, const char *name)
{
	char *out = NULL;
	json_t *j;

	if (kube_get(c, res, "default", name, &out))
		return NULL;
	j = json_loads(out, 0, NULL);
	kube_free(out);
	return j;
}

static inline json_t *wl_list(kube_cluster *c, const char *res, const char *sel)
{
	char *out = NULL;
	json_t *j;

	cr_assert_eq(kube_list(c, res, "default", sel, NULL, &out), 0);
	j = json_loads(out, 0, NULL);
	kube_free(out);
	return j;
}

static inline size_t wl_count(kube_cluster *c, const char *res, const char *sel)
{
	json_t *l = wl_list(c, res, sel);
	size_t n = json_array_size(json_object_get(l, "items"));

	json_decref(l);
	return n;
}

static inline void wl_apply(kube_cluster *c, const char *yaml)
{
	int err = kube_apply(c, yaml, NULL);

	cr_assert_eq(err, 0, "apply: %s", kube_strerror(err));
}

static inline void wl_apply_file(kube_cluster *c, const char *name)
{
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/tests/unit/core/controllers/data/%s", KUBE_SOURCE_DIR, name);
	text = tu_read_file(path, NULL);
	wl_apply(c, text);
	free(text);
}

static inline void wl_wait(kube_cluster *c, const char *res, const char *name, const char *cond)
{
	int err = kube_wait(c, res, "default", name, cond, 20000);

	cr_assert_eq(err, 0, "wait %s/%s %s: %s", res, name, cond, kube_strerror(err));
}

/* Wait until status.conditions[type=@p type].reason is @p reason (kube_wait has no filters). */
static inline void wl_wait_reason(kube_cluster *c, const char *res, const char *name,
				  const char *type, const char *reason)
{
	char *last = NULL;

	for (int i = 0; i < 4000; i++) {
		json_t *o = wl_get(c, res, name), *cond;
		size_t k;
		bool hit = false;

		json_array_foreach(json_object_get(json_object_get(o, "status"), "conditions"), k, cond)
			if (!strcmp(json_string_value(json_object_get(cond, "type")), type))
				hit = !strcmp(json_string_value(json_object_get(cond, "reason")), reason);
		free(last);
		last = json_dumps(json_object_get(o, "status"), 0);
		json_decref(o);
		if (hit) {
			free(last);
			return;
		}
		usleep(5000);
	}
	cr_assert_fail("%s/%s never had %s reason %s: %s", res, name, type, reason, last);
}

/* Wait until metadata.annotations[@p key] is @p value. */
static inline void wl_wait_annotation(kube_cluster *c, const char *res, const char *name,
				      const char *key, const char *value)
{
	for (int i = 0; i < 4000; i++) {
		json_t *o = wl_get(c, res, name);
		const char *v = json_string_value(json_object_get(json_object_get(json_object_get(o,
						"metadata"), "annotations"), key));
		bool hit = v && !strcmp(v, value);

		json_decref(o);
		if (hit)
			return;
		usleep(5000);
	}
	cr_assert_fail("%s/%s never had annotation %s=%s", res, name, key, value);
}

/* The kubelet stand-in. */
struct readier {
	kube_cluster *c;
	kube_watch *w;
	int64_t now_ms;    /* the time written as Ready's lastTransitionTime (0: real time) */
	bool paused;       /* leave new pods unready */
};

static inline void wl_mark_ready(kube_cluster *c, json_t *pod, int64_t now_ms)
{
	char ts[32], *text;
	time_t t = (time_t)((now_ms ? now_ms : (int64_t)time(NULL) * 1000) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(pod, "status", json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "phase", "Running",
						     "conditions", "type", "Ready", "status", "True",
						     "lastTransitionTime", ts));
	text = json_dumps(pod, 0);
	kube_update_status(c, text, NULL);
	free(text);
}

static inline bool wl_ready(const json_t *pod)
{
	json_t *cond;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, cond)
		if (!strcmp(json_string_value(json_object_get(cond, "type")), "Ready"))
			return !strcmp(json_string_value(json_object_get(cond, "status")), "True");
	return false;
}

static inline void wl_readier_cb(const char *type, const char *object, void *data)
{
	struct readier *r = data;
	json_t *pod = json_loads(object, 0, NULL);

	if (!r->paused && strcmp(type, "DELETED") &&
	    !json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") && !wl_ready(pod))
		wl_mark_ready(r->c, pod, r->now_ms);
	json_decref(pod);
}

static inline void wl_readier_start(struct readier *r, kube_cluster *c)
{
	r->c = c;
	cr_assert_eq(kube_watch_start(c, "pods", "default", NULL, NULL, NULL, wl_readier_cb, r, &r->w), 0);
}

/* Mark every unready pod matching @p sel Ready now (for a paused readier). */
static inline void wl_ready_all(kube_cluster *c, const char *sel, int64_t now_ms)
{
	json_t *l = wl_list(c, "pods", sel), *pod;
	size_t i;

	json_array_foreach(json_object_get(l, "items"), i, pod)
		if (!wl_ready(pod))
			wl_mark_ready(c, pod, now_ms);
	json_decref(l);
}

/* The messages of the Events about @p name, joined by '\n'. */
static inline char *wl_events(kube_cluster *c, const char *name)
{
	json_t *l = wl_list(c, "events", NULL), *e;
	size_t i, len = 1;
	char *out = calloc(1, 1);

	json_array_foreach(json_object_get(l, "items"), i, e) {
		const char *on = json_string_value(json_object_get(json_object_get(e, "involvedObject"),
								   "name"));
		const char *reason = json_string_value(json_object_get(e, "reason"));
		const char *msg = json_string_value(json_object_get(e, "message"));

		if (!on || strcmp(on, name))
			continue;
		len += strlen(reason) + strlen(msg) + 3;
		out = realloc(out, len);
		strcat(out, reason);
		strcat(out, ": ");
		strcat(out, msg);
		strcat(out, "\n");
	}
	json_decref(l);
	return out;
}

#endif
