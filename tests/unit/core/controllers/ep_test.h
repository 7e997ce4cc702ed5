/*
 * Helpers shared by the Endpoints and EndpointSlice controller tests: an
 * in-memory cluster, pods made Running/Ready by hand (a test-local stand-in
 * for the node agent, which sets podIP and the Ready condition), and
 * reading objects back as JSON.
 */
#ifndef KUBE_TEST_EP_H
#define KUBE_TEST_EP_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/libkube.h"

static kube_cluster *c;

static void ep_setup(void)
{
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	cr_assert_eq(kube_cluster_start(c), 0);
}

static void ep_teardown(void)
{
	kube_cluster_free(c);
}

static inline void apply(const char *yaml)
{
	int err = kube_apply(c, yaml, NULL);

	cr_assert_eq(err, 0, "apply failed: %s", kube_last_status());
}

static inline json_t *get(const char *res, const char *name)
{
	char *out = NULL;
	json_t *v;

	if (kube_get(c, res, "default", name, &out))
		return NULL;
	v = json_loads(out, 0, NULL);
	kube_free(out);
	return v;
}

/* A pod labelled app=<app> on node-1, with one container port named "http". */
static inline void pod(const char *name, const char *app, int port)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {app: %s}}\n"
		 "spec:\n  nodeName: node-1\n  containers:\n  - name: c\n    image: nginx:1.27\n"
		 "    ports: [{name: http, containerPort: %d}]\n", name, app, port);
	apply(yaml);
}

/* The node agent's part: Running with @p ip, Ready or not. */
static inline void set_status(const char *name, const char *ip, bool ready)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},"
		 "\"status\":{\"phase\":\"Running\",\"podIP\":\"%s\",\"podIPs\":[{\"ip\":\"%s\"}],"
		 "\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\","
		 "\"lastTransitionTime\":\"2030-01-01T00:00:0%dZ\"}]}}",
		 name, ip, ip, ready ? "True" : "False", ready ? 5 : 3);
	cr_assert_eq(kube_update_status(c, yaml, NULL), 0, "%s", kube_last_status());
}

static inline const char *uid_of(const char *res, const char *name)
{
	static char buf[8][64];
	static int n;
	json_t *o = get(res, name);
	char *b = buf[n++ % 8];

	cr_assert_not_null(o, "%s %s missing", res, name);
	snprintf(b, 64, "%s", json_string_value(json_object_get(json_object_get(o, "metadata"), "uid")));
	json_decref(o);
	return b;
}

static inline void wait_for(const char *res, const char *name, const char *cond)
{
	int err = kube_wait(c, res, "default", name, cond, 5000);

	if (err) {
		json_t *o = get(res, name);
		char *s = o ? json_dumps(o, JSON_INDENT(1)) : NULL;

		cr_assert_fail("%s %s never met %s: %s", res, name, cond, s ? s : "(absent)");
	}
}

static inline void assert_json(const json_t *got, const char *want_text)
{
	json_error_t e;
	json_t *want = json_loads(want_text, 0, &e);
	char *g, *w;

	cr_assert_not_null(want, "bad expected JSON: %s", e.text);
	if (!json_equal(got, want)) {
		g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
		w = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
		cr_assert_fail("got\n%s\nwant\n%s", g, w);
	}
	json_decref(want);
}

#endif
