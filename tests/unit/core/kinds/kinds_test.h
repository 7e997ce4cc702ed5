/*
 * Helpers shared by the kinds' unit tests: load a YAML fixture (from data/
 * beside the tests or from the course manifests), run a kind's hooks, and
 * compare the causes with the expected "field: message" lines.
 */
#ifndef KUBE_TEST_KINDS_H
#define KUBE_TEST_KINDS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/registry.h"
#include "core/kinds/kinds.h"
#include "../../testutil.h"

static inline json_t *kt_parse(const char *text)
{
	json_t *docs = kube__parse_docs(text, strlen(text), NULL), *obj;

	cr_assert(docs, "fixture does not parse");
	obj = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return obj;
}

/* "data/x.yaml" beside the tests, or "manifests/x.yaml" in the shared dir. */
static inline json_t *kt_load(const char *rel)
{
	char path[1024], *text;
	json_t *obj;

	if (!strncmp(rel, "manifests/", 10))
		snprintf(path, sizeof(path), "%s/%s", KUBE_SHARED_DIR, rel);
	else
		snprintf(path, sizeof(path), "%s/tests/unit/core/kinds/%s", KUBE_SOURCE_DIR, rel);
	text = tu_read_file(path, NULL);
	obj = kt_parse(text);
	free(text);
	return obj;
}

static inline const struct kube_kind_hooks *kt_hooks(const json_t *obj)
{
	const char *av = json_string_value(json_object_get(obj, "apiVersion"));
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *slash = strchr(av, '/');
	char group[128] = "";

	if (slash)
		snprintf(group, sizeof(group), "%.*s", (int)(slash - av), av);
	for (const struct kube_kind_hooks *h = kube__kind_hooks; h->kind; h++)
		if (!strcmp(h->kind, kind) && !strcmp(h->group, group))
			return h;
	cr_assert_fail("no hooks for %s %s", av, kind);
	return NULL;
}

static inline void kt_default(json_t *obj)
{
	const struct kube_kind_hooks *h = kt_hooks(obj);

	if (h->defaults)
		h->defaults(obj);
}

/* Default @p obj (and @p old, when given) and validate; returns the causes. */
static inline json_t *kt_run(json_t *obj, json_t *old)
{
	json_t *causes = json_array();

	kt_default(obj);
	if (old)
		kt_default(old);
	kt_hooks(obj)->validate(obj, old, causes);
	return causes;
}

/* The causes, rendered "field: message", must be exactly @p want (NULL-terminated). */
static inline void kt_expect(json_t *causes, const char *const *want)
{
	size_t i, n = 0;
	json_t *c;
	char line[2048];

	while (want[n])
		n++;
	json_array_foreach(causes, i, c) {
		snprintf(line, sizeof(line), "%s: %s",
			 json_string_value(json_object_get(c, "field")),
			 json_string_value(json_object_get(c, "message")));
		cr_assert(i < n, "unexpected cause %zu: %s", i, line);
		cr_assert_str_eq(line, want[i], "cause %zu:\n got  %s\n want %s", i, line, want[i]);
	}
	cr_assert_eq(json_array_size(causes), n, "got %zu causes, want %zu",
		     json_array_size(causes), n);
}

static inline void kt_valid(json_t *obj, json_t *old)
{
	json_t *causes = kt_run(obj, old);
	char *dump = json_dumps(causes, JSON_COMPACT);

	cr_assert_eq(json_array_size(causes), 0, "unexpected causes: %s", dump);
	free(dump);
	json_decref(causes);
}

/* Dotted path where numeric steps index arrays ("spec.containers.0.name"). */
static inline json_t *kt_get(const json_t *obj, const char *path)
{
	char buf[512], *save = NULL, *tok;
	json_t *cur = (json_t *)obj;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(tok))
					 : json_object_get(cur, tok);
	return cur;
}

/* The JSON at dotted @p path, compared to JSON text @p want. */
static inline void kt_field(const json_t *obj, const char *path, const char *want)
{
	json_t *v = kt_get(obj, path), *w = json_loads(want, JSON_DECODE_ANY, NULL);
	char *got = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("(absent)");

	cr_assert(w, "bad expectation %s", want);
	cr_assert(v && json_equal(v, w), "%s: got %s, want %s", path, got, want);
	free(got);
	json_decref(w);
}

#define KT_CHECK(obj, old, ...) do { \
		json_t *kt_c_ = kt_run((obj), (old)); \
		kt_expect(kt_c_, (const char *const[]){ __VA_ARGS__, NULL }); \
		json_decref(kt_c_); \
	} while (0)

#endif
