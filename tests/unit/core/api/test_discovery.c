/*
 * Discovery documents: exact upstream JSON (key order included) for the
 * documents in data/discovery/, and every registry kind listed with its
 * scope, verbs and subresources in both the legacy and aggregated forms.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"

static json_t *load(const char *name)
{
	char path[512];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/unit/core/api/data/discovery/%s", KUBE_SOURCE_DIR, name);
	j = json_load_file(path, 0, &err);
	cr_assert_not_null(j, "%s:%d: %s", path, err.line, err.text);
	return j;
}

/* Equal text, so key order and value types both count. */
static void expect_same(const json_t *got, const json_t *want, const char *what)
{
	char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
	char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");

	cr_expect_str_eq(g, w, "%s:\n got  %s\n want %s", what, g, w);
	free(g);
	free(w);
}

static void expect_file(json_t *got, const char *file)
{
	json_t *want = load(file);

	cr_assert_not_null(got, "%s: NULL", file);
	expect_same(got, want, file);
	json_decref(want);
	json_decref(got);
}

static json_t *find_by(const json_t *array, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(array, i, e)
		if (!strcmp(json_string_value(json_object_get(e, key)) ?: "", value))
			return e;
	return NULL;
}

Test(discovery, legacy_documents)
{
	expect_file(kube__discovery_api_versions(), "api.json");
	expect_file(kube__discovery_resource_list("apps", "v1"), "apps_v1.json");
	expect_file(kube__discovery_resource_list("authorization.k8s.io", "v1"), "authorization_v1.json");
	expect_file(kube__discovery_resource_list("authentication.k8s.io", "v1"), "authentication_v1.json");
	expect_file(kube__discovery_group("apps"), "group_apps.json");
}

Test(discovery, core_resource_list)
{
	json_t *doc = kube__discovery_resource_list("", "v1"), *want = load("core_v1_pods.json");
	json_t *res = json_object_get(doc, "resources"), *e;
	size_t i, at = 0;

	cr_assert_not_null(doc);
	/* The core list carries no apiVersion, as upstream's /api/v1. */
	cr_expect_null(json_object_get(doc, "apiVersion"));
	cr_expect_str_eq(json_string_value(json_object_get(doc, "kind")), "APIResourceList");
	cr_expect_str_eq(json_string_value(json_object_get(doc, "groupVersion")), "v1");
	while (at < json_array_size(res) &&
	       strcmp(json_string_value(json_object_get(json_array_get(res, at), "name")), "pods"))
		at++;
	json_array_foreach(want, i, e)
		expect_same(json_array_get(res, at + i), e, json_string_value(json_object_get(e, "name")));
	/* Sorted by name as the installer registers paths: "pods/status" < "podtemplates". */
	for (i = 1; i < json_array_size(res); i++)
		cr_expect(strcmp(json_string_value(json_object_get(json_array_get(res, i - 1), "name")),
				 json_string_value(json_object_get(json_array_get(res, i), "name"))) < 0);
	e = find_by(res, "name", "serviceaccounts/token");
	cr_assert_not_null(e);
	cr_expect_str_eq(json_string_value(json_object_get(e, "group")), "authentication.k8s.io");
	cr_expect_str_eq(json_string_value(json_object_get(e, "kind")), "TokenRequest");
	e = find_by(res, "name", "namespaces");
	cr_expect_eq(json_array_size(json_object_get(e, "verbs")), 7, "namespaces have no deletecollection");
	cr_expect_str_eq(json_string_value(json_object_get(find_by(res, "name", "services/proxy"), "kind")),
			 "ServiceProxyOptions");
	cr_expect_str_eq(json_string_value(json_object_get(find_by(res, "name", "nodes/proxy"), "kind")),
			 "NodeProxyOptions");
	json_decref(want);
	json_decref(doc);
}

Test(discovery, unknown_group_versions)
{
	cr_expect_null(kube__discovery_resource_list("apps", "v2"));
	cr_expect_null(kube__discovery_resource_list("widgets.example.com", "v1"));
	cr_expect_null(kube__discovery_resource_list("", "v2"));
	/* autoscaling has no resource of its own here (no HPA): not served. */
	cr_expect_null(kube__discovery_resource_list("autoscaling", "v1"));
	cr_expect_null(kube__discovery_group("autoscaling"));
	cr_expect_null(kube__discovery_group(""));
	cr_expect_null(kube__discovery_group("widgets.example.com"));
}

Test(discovery, group_list_in_priority_order)
{
	json_t *doc = kube__discovery_group_list(), *order = load("apis_order.json");
	json_t *groups = json_object_get(doc, "groups"), *g;
	size_t i;

	cr_assert_not_null(doc);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "kind")), "APIGroupList");
	cr_expect_str_eq(json_string_value(json_object_get(doc, "apiVersion")), "v1");
	cr_assert_eq(json_array_size(groups), json_array_size(order));
	json_array_foreach(groups, i, g) {
		json_t *one = kube__discovery_group(json_string_value(json_object_get(g, "name")));

		cr_expect_str_eq(json_string_value(json_object_get(g, "name")),
				 json_string_value(json_array_get(order, i)));
		/* The list's entries are the APIGroup documents without kind/apiVersion. */
		json_object_del(one, "kind");
		json_object_del(one, "apiVersion");
		expect_same(g, one, "group entry");
		json_decref(one);
	}
	json_decref(order);
	json_decref(doc);
}

Test(discovery, aggregated_core)
{
	json_t *doc = kube__discovery_aggregated(true), *want = load("aggregated_pods.json");
	json_t *item, *ver, *meta = json_pack("{s:n}", "creationTimestamp");

	cr_assert_not_null(doc);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "kind")), "APIGroupDiscoveryList");
	cr_expect_str_eq(json_string_value(json_object_get(doc, "apiVersion")), "apidiscovery.k8s.io/v2");
	cr_expect(json_is_object(json_object_get(doc, "metadata")));
	cr_assert_eq(json_array_size(json_object_get(doc, "items")), 1);
	item = json_array_get(json_object_get(doc, "items"), 0);
	expect_same(json_object_get(item, "metadata"), meta, "core metadata");
	ver = json_array_get(json_object_get(item, "versions"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(ver, "version")), "v1");
	cr_expect_str_eq(json_string_value(json_object_get(ver, "freshness")), "Current");
	expect_same(find_by(json_object_get(ver, "resources"), "resource", "pods"), want, "pods");
	json_decref(meta);
	json_decref(want);
	json_decref(doc);
}

Test(discovery, aggregated_groups)
{
	json_t *doc = kube__discovery_aggregated(false), *order = load("apis_order.json");
	json_t *items = json_object_get(doc, "items"), *item, *apps = NULL;
	size_t i;

	cr_assert_not_null(doc);
	cr_assert_eq(json_array_size(items), json_array_size(order));
	json_array_foreach(items, i, item) {
		const char *name = json_string_value(json_object_get(json_object_get(item, "metadata"), "name"));

		cr_expect_str_eq(name, json_string_value(json_array_get(order, i)));
		cr_expect(json_is_null(json_object_get(json_object_get(item, "metadata"), "creationTimestamp")));
		if (!strcmp(name, "apps"))
			apps = item;
	}
	cr_assert_not_null(apps);
	json_incref(apps);
	expect_file(apps, "aggregated_apps.json");
	json_decref(order);
	json_decref(doc);
}

/* The aggregated resource of kind @p k, from the /api or /apis document. */
static json_t *aggregated_resource(const json_t *doc, const struct kube_kind *k)
{
	size_t i, j;
	json_t *item, *ver;

	json_array_foreach(json_object_get(doc, "items"), i, item) {
		const char *name = json_string_value(json_object_get(json_object_get(item, "metadata"), "name"));

		if (strcmp(name ?: "", k->group))
			continue;
		json_array_foreach(json_object_get(item, "versions"), j, ver)
			if (!strcmp(json_string_value(json_object_get(ver, "version")), k->version))
				return find_by(json_object_get(ver, "resources"), "resource", k->plural);
	}
	return NULL;
}

static size_t bits(unsigned v)
{
	return (size_t)__builtin_popcount(v);
}

static void check_kind(const struct kube_kind *k, const json_t *legacy, const json_t *agg)
{
	json_t *e = find_by(json_object_get(legacy, "resources"), "name", k->plural);
	const char *scope = k->namespaced ? "Namespaced" : "Cluster";
	size_t i, nsubs = 0;
	json_t *r;

	cr_assert_not_null(e, "%s missing from its APIResourceList", k->plural);
	cr_expect_str_eq(json_string_value(json_object_get(e, "kind")), k->kind);
	cr_expect_str_eq(json_string_value(json_object_get(e, "singularName")), k->singular);
	cr_expect_eq(json_is_true(json_object_get(e, "namespaced")), k->namespaced, "%s", k->plural);
	cr_expect_eq(json_array_size(json_object_get(e, "verbs")), bits(k->verbs), "%s", k->plural);
	cr_expect_eq(strlen(json_string_value(json_object_get(e, "storageVersionHash"))), 12, "%s", k->plural);
	json_array_foreach(json_object_get(legacy, "resources"), i, r) {
		const char *name = json_string_value(json_object_get(r, "name"));

		if (!strncmp(name, k->plural, strlen(k->plural)) && name[strlen(k->plural)] == '/') {
			nsubs++;
			cr_expect_eq(json_is_true(json_object_get(r, "namespaced")), k->namespaced, "%s", name);
		}
	}
	cr_expect_eq(nsubs, bits(k->subresources), "%s subresources", k->plural);
	r = aggregated_resource(agg, k);
	cr_assert_not_null(r, "%s missing from aggregated discovery", k->plural);
	cr_expect_str_eq(json_string_value(json_object_get(r, "scope")), scope);
	cr_expect_str_eq(json_string_value(json_object_get(r, "singularResource")), k->singular);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r, "responseKind"), "kind")), k->kind);
	expect_same(json_object_get(r, "verbs"), json_object_get(e, "verbs"), k->plural);
	expect_same(json_object_get(r, "shortNames"), json_object_get(e, "shortNames"), k->plural);
	expect_same(json_object_get(r, "categories"), json_object_get(e, "categories"), k->plural);
	cr_expect_eq(json_array_size(json_object_get(r, "subresources")), nsubs, "%s", k->plural);
}

Test(discovery, every_registry_kind)
{
	json_t *core = kube__discovery_aggregated(true), *groups = kube__discovery_aggregated(false);

	cr_assert(kube__registry_count() > 30);
	for (int i = 0; i < kube__registry_count(); i++) {
		const struct kube_kind *k = kube__registry_at(i);
		json_t *legacy = kube__discovery_resource_list(k->group, k->version);

		cr_assert_not_null(legacy, "%s/%s not served", k->group, k->version);
		check_kind(k, legacy, *k->group ? groups : core);
		json_decref(legacy);
	}
	json_decref(core);
	json_decref(groups);
}

Test(discovery, events_share_core_storage_hash)
{
	json_t *core = kube__discovery_resource_list("", "v1");
	json_t *ev = kube__discovery_resource_list("events.k8s.io", "v1");
	json_t *a = find_by(json_object_get(core, "resources"), "name", "events");
	json_t *b = find_by(json_object_get(ev, "resources"), "name", "events");

	cr_expect_str_eq(json_string_value(json_object_get(a, "storageVersionHash")), "r2yiGXH7wu8=");
	cr_expect_str_eq(json_string_value(json_object_get(b, "storageVersionHash")), "r2yiGXH7wu8=");
	json_decref(core);
	json_decref(ev);
}

Test(discovery, version_info)
{
	json_t *got = kube__api_version_info(), *want = load("version.json");

	cr_assert_not_null(got);
	cr_expect(!strncmp(json_string_value(json_object_get(got, "platform")), "linux/", 6));
	json_object_set(want, "platform", json_object_get(got, "platform"));
	expect_same(got, want, "version");
	json_decref(got);
	json_decref(want);
}
