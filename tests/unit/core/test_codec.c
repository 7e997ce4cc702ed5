#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "../testutil.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/data/codec/"
#define MANIFESTS KUBE_SHARED_DIR "/manifests"

static json_t *parse_str(const char *text, json_t **st)
{
	return kube__parse_docs(text, strlen(text), st);
}

/* The only document of @p text. */
static json_t *parse_one(const char *text)
{
	json_t *st = NULL, *docs = parse_str(text, &st);

	cr_assert_not_null(docs, "parse failed: %s",
			   st ? json_string_value(json_object_get(st, "message")) : "?");
	cr_assert_eq(json_array_size(docs), 1);
	json_t *doc = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return doc;
}

static void assert_parse_error(const char *text, const char *message)
{
	json_t *st = NULL, *docs = parse_str(text, &st);

	cr_assert_null(docs, "expected an error for %s", text);
	cr_assert_not_null(st);
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")), message);
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 400);
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "BadRequest");
	json_decref(st);
}

static void assert_file_parses_to(const char *yaml, const char *expected_json)
{
	char *text = tu_read_file(yaml, NULL);
	json_t *doc = parse_one(text), *want = json_load_file(expected_json, 0, NULL);
	char *got = kube__emit_json(doc);

	cr_assert_not_null(want);
	cr_assert(json_equal(doc, want), "%s parsed to %s", yaml, got);
	free(got);
	free(text);
	json_decref(doc);
	json_decref(want);
}

Test(codec, scalars_resolve_as_go_yaml_v2)
{
	assert_file_parses_to(DATA "scalars.yaml", DATA "scalars.json");
}

Test(codec, integral_floats_are_integers_and_fractions_reals)
{
	json_t *doc = parse_one("a: 1.0\nb: 1.5\nc: 1e3\n");

	cr_assert(json_is_integer(json_object_get(doc, "a")));
	cr_assert(json_is_real(json_object_get(doc, "b")));
	cr_assert_eq(json_integer_value(json_object_get(doc, "c")), 1000);
	json_decref(doc);
}

Test(codec, anchors_aliases_and_merge_keys)
{
	assert_file_parses_to(DATA "alias.yaml", DATA "alias.json");
}

Test(codec, multi_document_skips_empty_and_expands_lists)
{
	size_t len;
	char *text = tu_read_file(DATA "multi.yaml", &len);
	json_t *st = NULL, *docs = kube__parse_docs(text, len, &st);
	const char *names[] = {"first", "listed-pod", "nested-svc", "last"};

	cr_assert_not_null(docs);
	cr_assert_eq(json_array_size(docs), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *md = json_object_get(json_array_get(docs, i), "metadata");
		cr_assert_str_eq(json_string_value(json_object_get(md, "name")), names[i]);
	}
	json_decref(docs);
	free(text);
}

Test(codec, empty_and_comment_only_input_has_no_documents)
{
	const char *inputs[] = {"", "   \n", "# nothing\n", "---\n---\n", "null\n"};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		json_t *docs = parse_str(inputs[i], NULL);
		cr_assert_not_null(docs);
		cr_assert_eq(json_array_size(docs), 0, "input %zu", i);
		json_decref(docs);
	}
}

Test(codec, syntax_errors_name_line_and_column)
{
	assert_parse_error("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n    labels: b: c\n",
			   "error converting YAML to JSON: yaml: line 5, column 11: "
			   "mapping values are not allowed in this context");
	assert_parse_error("a: b\n  c: d\n",
			   "error converting YAML to JSON: yaml: line 2, column 4: "
			   "mapping values are not allowed in this context");
	/* a parser (not scanner) error: go-yaml prints the mark's 0-based line */
	assert_parse_error("a:\n  - b\n  c: d\n",
			   "error converting YAML to JSON: yaml: line 2, column 3: "
			   "did not find expected '-' indicator");
	assert_parse_error("a: [1, 2\n",
			   "error converting YAML to JSON: yaml: line 1, column 1: "
			   "did not find expected ',' or ']'");
	assert_parse_error("a:\n\t- b\n",
			   "error converting YAML to JSON: yaml: line 2, column 1: "
			   "found character that cannot start any token");
	assert_parse_error("a: \"open\n",
			   "error converting YAML to JSON: yaml: line 2, column 1: "
			   "found unexpected end of stream");
}

Test(codec, semantic_errors)
{
	assert_parse_error("a: 1\nb: 2\na: 3\n",
			   "error converting YAML to JSON: yaml: line 3, column 1: "
			   "key \"a\" already set in map");
	assert_parse_error("a: *nope\n",
			   "error converting YAML to JSON: yaml: line 1, column 4: "
			   "unknown anchor 'nope' referenced");
	assert_parse_error("a: &x [1, *x]\n",
			   "error converting YAML to JSON: yaml: line 1, column 11: "
			   "anchor 'x' value contains itself");
	assert_parse_error("a: !!int abc\n",
			   "error converting YAML to JSON: yaml: line 1, column 4: "
			   "cannot decode !!str `abc` as a !!int");
	assert_parse_error("a: .inf\n",
			   "error converting YAML to JSON: yaml: line 1, column 4: "
			   "json: unsupported value: +Inf");
	assert_parse_error("a:\n  <<: [1]\n",
			   "error converting YAML to JSON: yaml: line 2, column 7: "
			   "map merge requires map or sequence of maps as the value");
	assert_parse_error("? [a]\n: b\n",
			   "error converting YAML to JSON: yaml: line 1, column 3: "
			   "unsupported map key of type sequence");
}

Test(codec, non_string_keys_become_strings)
{
	json_t *doc = parse_one("true: a\n10: b\n1.5: c\nno: d\n");
	const char *keys[] = {"true", "10", "1.5", "false"};

	for (size_t i = 0; i < 4; i++)
		cr_assert_not_null(json_object_get(doc, keys[i]), "key %s", keys[i]);
	json_decref(doc);
}

Test(codec, alias_bomb_is_refused)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");

	for (int i = 1; i < 12; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	json_t *st = NULL;
	cr_assert_null(parse_str(text, &st));
	cr_assert(strstr(json_string_value(json_object_get(st, "message")),
			 "document contains excessive aliasing"));
	json_decref(st);
}

Test(codec, deep_nesting_is_refused)
{
	size_t n = 20000;
	char *text = malloc(2 * n + 1);

	memset(text, '[', n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	json_t *st = NULL;
	cr_assert_null(kube__parse_docs(text, 2 * n, &st));
	cr_assert_not_null(st);
	json_decref(st);
	free(text);
}

Test(codec, json_input_and_json_streams)
{
	json_t *docs = parse_str(" {\"kind\":\"A\",\"n\":1.0}\n{\"kind\":\"B\"}", NULL);

	cr_assert_eq(json_array_size(docs), 2);
	cr_assert(json_is_integer(json_object_get(json_array_get(docs, 0), "n")));
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(docs, 1), "kind")), "B");
	json_decref(docs);

	/* flow-style YAML that is not JSON still parses */
	json_t *doc = parse_one("{a: b}");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "a")), "b");
	json_decref(doc);

	json_t *st = NULL;
	cr_assert_null(parse_str("{\n  \"a\": 1,\n  \"a\": 2\n}", &st));
	cr_assert(strncmp(json_string_value(json_object_get(st, "message")),
			  "error parsing JSON: line 3, column ", 35) == 0,
		  "%s", json_string_value(json_object_get(st, "message")));
	json_decref(st);
}

Test(codec, emit_yaml_like_kubectl)
{
	json_t *v = json_load_file(DATA "emit.json", 0, NULL);
	char *want = tu_read_file(DATA "emit.yaml", NULL), *got = kube__emit_yaml(v);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	json_t *back = parse_one(got);
	cr_assert(json_equal(back, v));
	json_decref(back);
	json_decref(v);
	free(want);
	free(got);
}

Test(codec, emit_json_like_go)
{
	json_t *v = json_pack("{s:s, s:f, s:f, s:f, s:I, s:[b,n]}", "s", "<a&b>\n\"q\"\x01",
			      "half", 0.5, "tiny", 1e-7, "huge", 1e21, "i", (json_int_t)-3, "l", 1);
	char *got = kube__emit_json(v);

	cr_assert_str_eq(got, "{\"s\":\"\\u003ca\\u0026b\\u003e\\n\\\"q\\\"\\u0001\","
			      "\"half\":0.5,\"tiny\":1e-7,\"huge\":1e+21,\"i\":-3,\"l\":[true,null]}");
	free(got);
	json_decref(v);
}

static int yaml_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

/* Call @p fn on the text of every course manifest. */
static void each_manifest(void (*fn)(const char *name, const char *text, size_t len))
{
	struct dirent **list;
	int n = scandir(MANIFESTS, &list, yaml_file, alphasort);

	cr_assert_gt(n, 0, "no manifests in " MANIFESTS);
	for (int i = 0; i < n; i++) {
		char path[512];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", MANIFESTS, list[i]->d_name);
		char *text = tu_read_file(path, &len);
		fn(list[i]->d_name, text, len);
		free(text);
		free(list[i]);
	}
	free(list);
}

static void roundtrip(const char *name, const char *text, size_t len)
{
	json_t *st = NULL, *docs = kube__parse_docs(text, len, &st), *doc;
	size_t i;

	cr_assert_not_null(docs, "%s: %s", name, json_string_value(json_object_get(st, "message")));
	cr_assert_gt(json_array_size(docs), 0, "%s has no documents", name);
	json_array_foreach(docs, i, doc) {
		char *y = kube__emit_yaml(doc), *j = kube__emit_json(doc);
		json_t *again = parse_one(y), *fromjson = parse_one(j);
		cr_assert(json_equal(doc, again), "%s: YAML round trip differs:\n%s", name, y);
		cr_assert(json_equal(doc, fromjson), "%s: JSON round trip differs:\n%s", name, j);
		json_decref(again);
		json_decref(fromjson);
		free(y);
		free(j);
	}
	json_decref(docs);
}

Test(codec, manifests_round_trip)
{
	each_manifest(roundtrip);
}

static void prefixes(const char *name, const char *text, size_t len)
{
	for (size_t n = 0; n <= len; n++) {
		json_t *st = NULL, *docs = kube__parse_docs(text, n, &st);
		cr_assert(docs || st, "%s: prefix %zu gave neither documents nor a Status", name, n);
		json_decref(docs);
		json_decref(st);
	}
}

Test(codec, truncated_manifests_never_crash_or_leak)
{
	each_manifest(prefixes);
}
