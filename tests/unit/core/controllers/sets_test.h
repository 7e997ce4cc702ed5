/*
 * Helpers the StatefulSet and DaemonSet tests share: a cluster on a manual
 * clock, fixtures, and test-local stand-ins for the node agent (marking pods
 * Running/Ready through the status subresource) until the nodes slice lands.
 */
#ifndef KUBE_TEST_SETS_H
#define KUBE_TEST_SETS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "libkube/libkube.h"
#include "../../testutil.h"

#define T0_MS 1767261600000LL /* 2026-01-01T10:00:00Z */
#define WAIT_MS 5000

static inline kube_cluster *sets_start(void)
{
	kube_cluster *c;

	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	kube_cluster_use_manual_clock(c, T0_MS);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

/* A fixture from tests/unit/core/controllers/data as JSON (owned). */
static inline json_t *fixture(const char *rel)
{
	char path[1024], *json = NULL;
	char *text;
	json_t *obj;

	snprintf(path, sizeof(path), "%s/tests/unit/core/controllers/data/%s", KUBE_SOURCE_DIR, rel);
	text = tu_read_file(path, NULL);
	cr_assert_eq(kube_to_json(text, &json), 0);
	obj = json_loads(json, 0, NULL);
	kube_free(json);
	free(text);
	cr_assert_not_null(obj);
	return obj;
}

static inline void apply_obj(kube_cluster *c, const json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	int err = kube_apply(c, text, NULL);

	cr_assert_eq(err, 0, "apply: %s: %s", kube_last_status(), text);
	free(text);
}

/* The object as JSON (owned), or NULL when it does not exist. */
static inline json_t *get_obj(kube_cluster *c, const char *res, const char *name)
{
	char *out = NULL;
	json_t *obj;

	if (kube_get(c, res, "default", name, &out))
		return NULL;
	obj = json_loads(out, 0, NULL);
	kube_free(out);
	return obj;
}

static inline bool exists(kube_cluster *c, const char *res, const char *name)
{
	json_t *obj = get_obj(c, res, name);

	json_decref(obj);
	return obj != NULL;
}

static inline json_t *list_objs(kube_cluster *c, const char *res, const char *sel)
{
	char *out = NULL;
	json_t *list;

	cr_assert_eq(kube_list(c, res, "default", sel, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	return list;
}

static inline size_t count_objs(kube_cluster *c, const char *res, const char *sel)
{
	json_t *l = list_objs(c, res, sel);
	size_t n = json_array_size(json_object_get(l, "items"));

	json_decref(l);
	return n;
}

static inline void wait_for(kube_cluster *c, const char *res, const char *name, const char *cond)
{
	int err = kube_wait(c, res, "default", name, cond, WAIT_MS);

	cr_assert_eq(err, 0, "wait %s %s %s: %s", res, name, cond, kube_strerror(err));
}

static inline const char *meta_s(const json_t *obj, const char *path1, const char *key)
{
	const json_t *m = json_object_get(obj, "metadata");

	if (path1)
		m = json_object_get(m, path1);
	return json_string_value(json_object_get(m, key));
}

/* Test stand-in for the node agent: set phase and the Ready condition. */
static inline void mark_pod(kube_cluster *c, const char *name, const char *phase, bool ready,
			    int64_t at_ms)
{
	char ts[32], *text;
	time_t secs = (time_t)(at_ms / 1000);
	struct tm tm;
	int err, tries = 0;

	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the scheduler may write the pod meanwhile (binding): retry on conflict */
	do {
		json_t *pod = get_obj(c, "pods", name);

		cr_assert_not_null(pod, "pod %s", name);
		json_object_set_new(pod, "status", json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "phase", phase,
							     "conditions", "type", "Ready", "status",
							     ready ? "True" : "False",
							     "lastTransitionTime", ts));
		text = json_dumps(pod, JSON_COMPACT);
		err = kube_update_status(c, text, NULL);
		free(text);
		json_decref(pod);
	} while (err == KUBE_ECONFLICT && ++tries < 50);
	cr_assert_eq(err, 0, "update_status %s: %s", name, kube_strerror(err));
}

static inline void ready_pod(kube_cluster *c, const char *name)
{
	mark_pod(c, name, "Running", true, T0_MS);
}

/* True when an Event with @p reason and exactly @p message exists. */
static inline bool has_event(kube_cluster *c, const char *reason, const char *message)
{
	json_t *l = list_objs(c, "events", NULL), *e;
	bool found = false;
	size_t i;

	json_array_foreach(json_object_get(l, "items"), i, e) {
		const char *r = json_string_value(json_object_get(e, "reason"));
		const char *m = json_string_value(json_object_get(e, "message"));

		found |= r && m && !strcmp(r, reason) && !strcmp(m, message);
	}
	json_decref(l);
	return found;
}

/* Events are written once the write they report is durable: poll briefly. */
static inline void wait_event(kube_cluster *c, const char *reason, const char *message)
{
	for (int i = 0; i < 500; i++) {
		if (has_event(c, reason, message))
			return;
		usleep(2000);
	}
	cr_assert_fail("no event %s \"%s\"", reason, message);
}

/* Add or remove a finalizer on an object (holds a pod in Terminating). */
static inline void set_finalizer(kube_cluster *c, const char *res, const char *name, bool on)
{
	json_t *obj = get_obj(c, res, name);
	char *text;
	int err;

	cr_assert_not_null(obj);
	if (on)
		json_object_set_new(json_object_get(obj, "metadata"), "finalizers",
				    json_pack("[s]", "example.com/hold"));
	else
		json_object_set_new(json_object_get(obj, "metadata"), "finalizers", json_array());
	text = json_dumps(obj, JSON_COMPACT);
	err = kube_update(c, text, NULL);
	cr_assert_eq(err, 0, "update %s: %s", name, kube_strerror(err));
	free(text);
	json_decref(obj);
}

#endif
