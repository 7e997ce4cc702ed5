/*
 * Printer rows for realistic objects. Each file in data/ holds
 * {"now": <timestamp>, "cases": [{"name", "object", "cells"}]}: the object
 * is printed through the registry kind its apiVersion and kind name, and
 * the row must equal cells exactly (types included).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/registry.h"
#include "core/printers/printers.h"

static void check_file(const char *file)
{
	char path[512];
	json_error_t err;
	json_t *doc, *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/unit/core/printers/data/%s", KUBE_SOURCE_DIR, file);
	doc = json_load_file(path, 0, &err);
	cr_assert_not_null(doc, "%s:%d: %s", path, err.line, err.text);
	int64_t now = kube__parse_time(json_string_value(json_object_get(doc, "now")));
	json_array_foreach(json_object_get(doc, "cases"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		json_t *obj = json_object_get(c, "object"), *cells = json_array();
		const struct kube_kind *k = kube__registry_by_gvk(
			json_string_value(json_object_get(obj, "apiVersion")),
			json_string_value(json_object_get(obj, "kind")));
		cr_assert_not_null(k, "%s: no kind", name);
		cr_assert_eq(k->row(obj, now, cells), 0, "%s", name);
		char *got = json_dumps(cells, JSON_COMPACT), *want = json_dumps(json_object_get(c, "cells"), JSON_COMPACT);
		cr_expect(json_equal(cells, json_object_get(c, "cells")), "%s:\n got  %s\n want %s", name, got, want);
		cr_expect_eq((int)json_array_size(cells), k->ncolumns, "%s: cell count", name);
		free(got);
		free(want);
		json_decref(cells);
	}
	json_decref(doc);
}

Test(printers, pods) { check_file("pods.json"); }
Test(printers, workloads) { check_file("workloads.json"); }
Test(printers, network) { check_file("network.json"); }
Test(printers, nodes) { check_file("nodes.json"); }
Test(printers, config_storage_rbac) { check_file("other.json"); }
Test(printers, events) { check_file("events.json"); }

/* The column definitions kubectl receives, spot-checked against upstream. */
Test(printers, columns)
{
	const struct kube_kind *pod = kube__registry_find("pods"), *role = kube__registry_find("roles");
	const struct kube_kind *deploy = kube__registry_find("deploy");

	cr_assert_eq(pod->ncolumns, 9);
	cr_assert_str_eq(pod->columns[0].name, "Name");
	cr_assert_str_eq(pod->columns[0].format, "name");
	cr_assert_str_eq(pod->columns[3].name, "Restarts");
	cr_assert_str_eq(pod->columns[3].type, "string");
	cr_assert_eq(pod->columns[4].priority, 0);
	cr_assert_eq(pod->columns[5].priority, 1);
	cr_assert_str_eq(pod->columns[8].name, "Readiness Gates");
	cr_assert_eq(role->ncolumns, 2);
	cr_assert_str_eq(role->columns[1].name, "Created At");
	cr_assert_str_eq(role->columns[1].type, "date");
	cr_assert_str_eq(deploy->columns[2].name, "Up-to-date");
	cr_assert_str_eq(deploy->columns[7].name, "Selector");
	cr_assert_eq(deploy->columns[7].priority, 1);
	cr_assert(!strncmp(deploy->columns[0].description, "Name must be unique within a namespace.", 39));
}
