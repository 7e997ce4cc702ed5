/*
 * Helpers for the admission plugin tests: an in-memory cluster, manifests
 * from data/ beside the tests, and the 403 a rejected write returns.
 */
#ifndef KUBE_TEST_ADMISSION_H
#define KUBE_TEST_ADMISSION_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/libkube.h"
#include "../../testutil.h"

static kube_cluster *c;

static void adm_setup(void)
{
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	cr_assert_eq(kube_cluster_start(c), 0);
}

static void adm_teardown(void)
{
	kube_cluster_free(c);
}

/* The text of data/<name>; free with free(). */
static inline char *data_file(const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/unit/core/admission/data/%s", KUBE_SOURCE_DIR, name);
	return tu_read_file(path, NULL);
}

/* Apply @p yaml and return the stored object (the last one for several). */
static inline json_t *apply(const char *yaml)
{
	char *out = NULL;
	json_t *v, *items;
	int err = kube_apply(c, yaml, &out);

	cr_assert_eq(err, 0, "apply failed: %s", kube_last_status());
	v = json_loads(out, 0, NULL);
	kube_free(out);
	items = json_object_get(v, "items");
	if (items) {
		json_t *last = json_incref(json_array_get(items, json_array_size(items) - 1));

		json_decref(v);
		return last;
	}
	return v;
}

static inline void apply_file(const char *name)
{
	char *text = data_file(name);

	json_decref(apply(text));
	free(text);
}

/* kube_create must fail with 403 Forbidden and exactly @p message. */
static inline void expect_forbidden(const char *yaml, const char *message)
{
	int err = kube_create(c, yaml, NULL);
	json_t *st;

	cr_assert_eq(err, KUBE_EFORBIDDEN, "expected 403, got %d: %s", err, kube_last_status());
	st = json_loads(kube_last_status(), 0, NULL);
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 403);
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "Forbidden");
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")), message);
	json_decref(st);
}

/* A JSON value at a dotted path with [i] indices. */
static inline const json_t *at(const json_t *v, const char *path)
{
	char buf[512], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
		char *br = strchr(part, '[');

		if (br)
			*br = '\0';
		if (*part)
			v = json_object_get(v, part);
		while (br && v) {
			v = json_array_get(v, strtoul(br + 1, NULL, 10));
			br = strchr(br + 1, '[');
		}
	}
	return v;
}

static inline const char *str_at(const json_t *v, const char *path)
{
	const char *s = json_string_value(at(v, path));

	return s ? s : "(none)";
}

#define NGINX_POD(name) "apiVersion: v1\nkind: Pod\nmetadata: {name: " name "}\n" \
	"spec:\n  containers: [{name: nginx, image: nginx:1.27}]\n"

#endif
