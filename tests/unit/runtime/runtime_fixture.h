/*
 * Helpers for the node agent tests: a cluster on the manual clock, nodes,
 * pods bound by spec.nodeName (as a user can bind them), and polling reads
 * of what the agents write.
 */
#ifndef KUBE_TEST_RUNTIME_FIXTURE_H
#define KUBE_TEST_RUNTIME_FIXTURE_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libkube/libkube.h"
#include "../testutil.h"

/* 2026-01-01T00:00:00Z: every test starts its manual clock here. */
#define T0 1767225600000LL

static inline kube_cluster *start_cluster(bool manual)
{
	kube_cluster *c;

	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	if (manual)
		kube_cluster_use_manual_clock(c, T0);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

static inline void add_node(kube_cluster *c, const char *name, const char *runtime)
{
	kube_node_config cfg;

	kube_node_config_init(&cfg);
	cfg.name = name;
	if (runtime)
		cfg.runtime = runtime;
	cr_assert_eq(kube_node_add(c, &cfg), 0, "add %s: %s", name, kube_last_status());
}

/* The object as JSON, or NULL when it does not exist. */
static inline json_t *get_obj(kube_cluster *c, const char *res, const char *ns, const char *name)
{
	char *out = NULL;
	json_t *j;

	if (kube_get(c, res, ns, name, &out))
		return NULL;
	j = json_loads(out, 0, NULL);
	kube_free(out);
	return j;
}

typedef bool (*obj_pred)(const json_t *obj, const void *arg);

/* Poll (real time, up to 10 s) until @p pred holds for the object; returns
 * it (the caller frees) or fails the test. NULL pred waits for deletion. */
static inline json_t *wait_obj(kube_cluster *c, const char *res, const char *ns, const char *name,
			       obj_pred pred, const void *arg)
{
	for (int i = 0; i < 5000; i++) {
		json_t *o = get_obj(c, res, ns, name);

		if (!pred && !o)
			return NULL;
		if (pred && o && pred(o, arg))
			return o;
		json_decref(o);
		usleep(2000);
	}
	json_t *o = get_obj(c, res, ns, name);
	char *text = o ? json_dumps(o, JSON_INDENT(1)) : NULL;

	cr_assert_fail("%s %s/%s never reached the state: %s", res, ns ? ns : "", name,
		       text ? text : "(absent)");
	return NULL;
}

static inline const char *str_at(const json_t *obj, const char *path)
{
	return json_string_value(tu_at(obj, path));
}

/* Predicate: the string at path=value ("status.phase=Running"). */
static inline bool has(const json_t *obj, const void *arg)
{
	const char *eq = strchr(arg, '=');
	char path[256];
	json_t *v;

	snprintf(path, sizeof(path), "%.*s", (int)(eq - (const char *)arg), (const char *)arg);
	v = tu_at(obj, path);
	if (json_is_integer(v))
		return json_integer_value(v) == strtoll(eq + 1, NULL, 10);
	if (json_is_boolean(v))
		return json_is_true(v) == !strcmp(eq + 1, "true");
	return json_string_value(v) && !strcmp(json_string_value(v), eq + 1);
}

/* The status of condition @p type ("True"...), or NULL. */
static inline const char *cond_status(const json_t *obj, const char *type)
{
	json_t *c;
	size_t i;

	json_array_foreach(tu_at(obj, "status.conditions"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "type")), type))
			return json_string_value(json_object_get(c, "status"));
	return NULL;
}

static inline bool pod_ready(const json_t *obj, const void *arg)
{
	(void)arg;
	return cond_status(obj, "Ready") && !strcmp(cond_status(obj, "Ready"), "True");
}

static inline void create(kube_cluster *c, const char *manifest)
{
	cr_assert_eq(kube_create(c, manifest, NULL), 0, "%s", kube_last_status());
}

/* Events with @p reason about object @p name, their messages joined by '|'. */
static inline char *events_of(kube_cluster *c, const char *name, const char *reason)
{
	char *out = NULL, *msgs = calloc(1, 1);
	json_t *list, *ev;
	size_t i, len = 0;

	cr_assert_eq(kube_list(c, "events", NULL, NULL, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(list, "items"), i, ev) {
		const char *m = str_at(ev, "message");

		if (strcmp(str_at(ev, "involvedObject.name"), name) || strcmp(str_at(ev, "reason"), reason))
			continue;
		msgs = realloc(msgs, len + strlen(m) + 2);
		len += (size_t)sprintf(msgs + len, "%s|", m);
	}
	json_decref(list);
	return msgs;
}

#endif
