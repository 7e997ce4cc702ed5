/*
 * Table conversion. data/tables.json holds {"now", "cases": [{"name",
 * "resource", "include", "input", "want"}]}: the input (an object or a List)
 * converted for the resource's kind must equal want in kind, apiVersion,
 * metadata and rows (key order included); the column definitions are
 * checked against the kind's printer columns.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/printers/printers.h"

static void expect_same(const json_t *got, const json_t *want, const char *what)
{
	char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
	char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");

	cr_expect_str_eq(g, w, "%s:\n got  %s\n want %s", what, g, w);
	free(g);
	free(w);
}

/* Every column of the kind, in order, as a TableColumnDefinition. */
static void check_columns(const struct kube_kind *k, const json_t *defs, const char *what)
{
	cr_assert_eq((int)json_array_size(defs), k->ncolumns, "%s", what);
	for (int i = 0; i < k->ncolumns; i++) {
		json_t *want = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", k->columns[i].name, "type",
					 k->columns[i].type, "format", k->columns[i].format, "description",
					 k->columns[i].description, "priority", k->columns[i].priority);

		expect_same(json_array_get(defs, (size_t)i), want, what);
		json_decref(want);
	}
}

static void check_case(const json_t *c, int64_t now)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	const struct kube_kind *k = kube__registry_find(json_string_value(json_object_get(c, "resource")));
	const json_t *want = json_object_get(c, "want");
	json_t *t;
	const char *key;
	json_t *v;

	cr_assert_not_null(k, "%s: no kind", name);
	t = kube__table_from(k, json_object_get(c, "input"),
			     json_string_value(json_object_get(c, "include")), now);
	cr_assert_not_null(t, "%s: NULL", name);
	/* Field order on the wire: kind, apiVersion, metadata, columnDefinitions, rows. */
	static const char *const order[] = { "kind", "apiVersion", "metadata", "columnDefinitions", "rows" };
	int i = 0;
	json_object_foreach(t, key, v)
		cr_expect_str_eq(key, order[i++], "%s: key %d", name, i);
	cr_expect_eq(i, 5, "%s", name);
	expect_same(json_object_get(t, "kind"), json_object_get(want, "kind"), name);
	expect_same(json_object_get(t, "apiVersion"), json_object_get(want, "apiVersion"), name);
	expect_same(json_object_get(t, "metadata"), json_object_get(want, "metadata"), name);
	expect_same(json_object_get(t, "rows"), json_object_get(want, "rows"), name);
	check_columns(k, json_object_get(t, "columnDefinitions"), name);
	json_decref(t);
}

Test(table, cases)
{
	char path[512];
	json_error_t err;
	json_t *doc, *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/unit/core/api/data/tables.json", KUBE_SOURCE_DIR);
	doc = json_load_file(path, 0, &err);
	cr_assert_not_null(doc, "%s:%d: %s", path, err.line, err.text);
	int64_t now = kube__parse_time(json_string_value(json_object_get(doc, "now")));
	cr_assert(json_array_size(json_object_get(doc, "cases")) >= 5);
	json_array_foreach(json_object_get(doc, "cases"), i, c)
		check_case(c, now);
	json_decref(doc);
}

/* The Name column exactly as upstream sends it for pods. */
Test(table, pod_name_column)
{
	json_t *pod = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Pod", "metadata",
				"name", "p");
	json_t *t = kube__table_from(kube__registry_find("pods"), pod, "None", 0);
	json_t *want = json_pack(
		"{s:s, s:s, s:s, s:s, s:i}", "name", "Name", "type", "string", "format", "name",
		"description",
		"Name must be unique within a namespace. Is required when creating resources, although "
		"some resources may allow a client to request the generation of an appropriate name "
		"automatically. Name is primarily intended for creation idempotence and configuration "
		"definition. Cannot be updated. More info: "
		"https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
		"priority", 0);

	cr_assert_not_null(t);
	expect_same(json_array_get(json_object_get(t, "columnDefinitions"), 0), want, "Name column");
	cr_expect(json_is_null(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "object")));
	json_decref(want);
	json_decref(t);
	json_decref(pod);
}

Test(table, unrecognized_include_object)
{
	json_t *cm = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
			       "name", "c");

	cr_expect_null(kube__table_from(kube__registry_find("cm"), cm, "Everything", 0));
	cr_expect_null(kube__table_from(kube__registry_find("cm"), cm, "metadata", 0));
	json_decref(cm);
}

/* The input is only read: converting twice gives the same table. */
Test(table, input_untouched)
{
	json_t *cm = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}}", "apiVersion", "v1", "kind",
			       "ConfigMap", "metadata", "name", "c", "resourceVersion", "3", "data", "k",
			       "v");
	json_t *copy = json_deep_copy(cm);
	json_t *a = kube__table_from(kube__registry_find("cm"), cm, "Object", 0);
	json_t *b = kube__table_from(kube__registry_find("cm"), cm, "Metadata", 0);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_expect(json_equal(cm, copy));
	expect_same(json_object_get(json_array_get(json_object_get(a, "rows"), 0), "object"), cm, "Object");
	json_decref(a);
	json_decref(b);
	json_decref(copy);
	json_decref(cm);
}
