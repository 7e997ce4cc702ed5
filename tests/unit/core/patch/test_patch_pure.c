/*
 * The three patch types as pure functions, case by case from the data files
 * beside this test (shapes from upstream's strategicpatch and json-patch tests,
 * on the real Kubernetes schemas).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch.h"
#include "core/status.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/patch/data/"

static json_t *load(const char *file)
{
	json_error_t e;
	json_t *cases = json_load_file(file, 0, &e);

	cr_assert_not_null(cases, "%s:%d: %s", file, e.line, e.text);
	return cases;
}

static void assert_json_eq(const json_t *got, const json_t *want, const char *what)
{
	char *g = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *w = json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY);

	cr_expect(json_equal(got, want), "%s:\n got  %s\n want %s", what, g, w);
	free(g);
	free(w);
}

Test(json_patch, cases)
{
	json_t *cases = load(DATA "jsonpatch.json"), *c;
	size_t i;

	json_array_foreach(cases, i, c) {
		const char *what = json_string_value(json_object_get(c, "description"));
		json_t *doc = json_deep_copy(json_object_get(c, "doc"));
		char *why = NULL;
		int err = kube__json_patch(doc, json_object_get(c, "patch"), &why);

		if (json_object_get(c, "error")) {
			cr_expect_eq(err, KUBE_EINVALID, "%s: %d", what, err);
			cr_expect_str_eq(why ? why : "", json_string_value(json_object_get(c, "error")),
					 "%s", what);
		} else {
			cr_expect_eq(err, 0, "%s: %s", what, why ? why : "");
			assert_json_eq(doc, json_object_get(c, "result"), what);
		}
		free(why);
		json_decref(doc);
	}
	json_decref(cases);
}

Test(json_patch, not_a_list_of_operations)
{
	json_t *doc = json_object(), *ops = json_pack("{s:s}", "op", "add");

	cr_expect_eq(kube__json_patch(doc, ops, NULL), KUBE_EINVAL);
	json_decref(ops);
	ops = json_pack("[s]", "add");
	cr_expect_eq(kube__json_patch(doc, ops, NULL), KUBE_EINVAL);
	json_decref(ops);
	json_decref(doc);
}

Test(json_patch, failure_status_is_upstreams_generic_422)
{
	json_t *st = kube__patch_status_unprocessable();
	json_t *want = json_loads("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
				  "\"status\":\"Failure\",\"message\":\"the server rejected our request "
				  "due to an error in our request\",\"reason\":\"Invalid\",\"details\":{},"
				  "\"code\":422}", 0, NULL);

	assert_json_eq(st, want, "status");
	json_decref(st);
	json_decref(want);
}

Test(merge_patch, cases)
{
	json_t *cases = load(DATA "mergepatch.json"), *c;
	size_t i;

	json_array_foreach(cases, i, c) {
		const char *what = json_string_value(json_object_get(c, "description"));
		json_t *out = kube__merge_patch(json_object_get(c, "doc"), json_object_get(c, "patch"));

		cr_assert_not_null(out, "%s", what);
		assert_json_eq(out, json_object_get(c, "result"), what);
		json_decref(out);
	}
	json_decref(cases);
}

Test(merge_patch, not_an_object)
{
	json_t *doc = json_object(), *p = json_array();

	cr_expect_null(kube__merge_patch(doc, p));
	cr_expect_null(kube__merge_patch(doc, json_null()));
	json_decref(p);
	json_decref(doc);
}

Test(strategic_patch, cases)
{
	json_t *cases = load(DATA "strategic.json"), *c;
	size_t i;

	json_array_foreach(cases, i, c) {
		const char *what = json_string_value(json_object_get(c, "description"));
		const struct kube_schema *s =
			kube__schema_find(json_string_value(json_object_get(c, "schema")));
		json_t *orig = json_object_get(c, "original"), *copy = json_deep_copy(orig);
		json_t *out = NULL, *st = NULL;
		int err;

		cr_assert_not_null(s, "%s", what);
		err = kube__strategic_patch(orig, json_object_get(c, "patch"), s, &out, &st);
		assert_json_eq(orig, copy, "the original is left alone");
		if (json_object_get(c, "code")) {
			cr_expect_neq(err, 0, "%s", what);
			cr_expect_eq(json_integer_value(json_object_get(st, "code")),
				     json_integer_value(json_object_get(c, "code")), "%s", what);
			cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
					 json_string_value(json_object_get(c, "message")), "%s", what);
			if (json_object_get(c, "reason"))
				cr_expect_str_eq(json_string_value(json_object_get(st, "reason")),
						 json_string_value(json_object_get(c, "reason")), "%s", what);
			else
				cr_expect_null(json_object_get(st, "reason"), "%s: no reason", what);
		} else {
			cr_expect_eq(err, 0, "%s: %s", what,
				     json_string_value(json_object_get(st, "message")));
			assert_json_eq(out, json_object_get(c, "result"), what);
		}
		json_decref(out);
		json_decref(st);
		json_decref(copy);
	}
	json_decref(cases);
}
