/*
 * The C object API end to end on an in-memory cluster: create, get, list,
 * update, conflicts, apply, delete, errors as Status documents.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/libkube.h"

static kube_cluster *c;

static void setup(void)
{
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	cr_assert_eq(kube_cluster_start(c), 0);
}

static void teardown(void)
{
	kube_cluster_free(c);
}

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	cr_assert_not_null(v, "not JSON: %s", text);
	return v;
}

static const char *status_reason(void)
{
	static char buf[64];
	json_t *st = parse(kube_last_status());

	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(st, "reason")));
	json_decref(st);
	return buf;
}

static const char *status_message(void)
{
	static char buf[1024];
	json_t *st = parse(kube_last_status());

	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(st, "message")));
	json_decref(st);
	return buf;
}

#define CM(name, value) \
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " name "\ndata:\n  k: \"" value "\"\n"

TestSuite(objects, .init = setup, .fini = teardown);

Test(objects, builtin_namespaces_exist)
{
	char *out;

	cr_assert_eq(kube_list(c, "namespaces", NULL, NULL, NULL, &out), 0);
	cr_assert(strstr(out, "\"kube-system\""));
	cr_assert(strstr(out, "\"kube-public\""));
	cr_assert(strstr(out, "\"kube-node-lease\""));
	cr_assert(strstr(out, "\"default\""));
	kube_free(out);
}

Test(objects, create_get_stamps_identity)
{
	char *out;
	json_t *o, *m;

	cr_assert_eq(kube_create(c, CM("one", "v"), &out), 0, "%s", kube_last_status());
	kube_free(out);
	cr_assert_eq(kube_get(c, "cm", "default", "one", &out), 0);
	o = parse(out);
	m = json_object_get(o, "metadata");
	cr_assert_str_eq(json_string_value(json_object_get(m, "namespace")), "default");
	cr_assert_eq(strlen(json_string_value(json_object_get(m, "uid"))), 36);
	cr_assert_not_null(json_object_get(m, "creationTimestamp"));
	cr_assert(atoll(json_string_value(json_object_get(m, "resourceVersion"))) > 0);
	json_decref(o);
	kube_free(out);
}

Test(objects, create_twice_is_already_exists)
{
	cr_assert_eq(kube_create(c, CM("dup", "v"), NULL), 0);
	cr_assert_eq(kube_create(c, CM("dup", "v"), NULL), KUBE_EEXIST);
	cr_assert_str_eq(status_reason(), "AlreadyExists");
	cr_assert_str_eq(status_message(), "configmaps \"dup\" already exists");
}

Test(objects, get_missing_is_not_found)
{
	char *out;

	cr_assert_eq(kube_get(c, "deployments.apps", "default", "nope", &out), KUBE_ENOTFOUND);
	cr_assert_null(out);
	cr_assert_str_eq(status_message(), "deployments.apps \"nope\" not found");
}

Test(objects, stale_update_conflicts)
{
	char *out, *stale;
	json_t *o;

	cr_assert_eq(kube_create(c, CM("cas", "1"), &out), 0);
	o = parse(out);
	kube_free(out);
	json_object_set_new(json_object_get(o, "data"), "k", json_string("2"));
	stale = json_dumps(o, 0);
	cr_assert_eq(kube_update(c, stale, NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_update(c, stale, NULL), KUBE_ECONFLICT);
	cr_assert_str_eq(status_reason(), "Conflict");
	cr_assert(strstr(status_message(), "Operation cannot be fulfilled on configmaps \"cas\": "
				      "the object has been modified"));
	free(stale);
	json_decref(o);
}

Test(objects, apply_creates_then_replaces)
{
	char *out;

	cr_assert_eq(kube_apply(c, CM("ap", "1"), NULL), 0);
	cr_assert_eq(kube_apply(c, CM("ap", "2"), NULL), 0);
	cr_assert_eq(kube_get(c, "configmap", NULL, "ap", &out), 0);
	cr_assert(strstr(out, "\"k\":\"2\""));
	kube_free(out);
}

Test(objects, missing_namespace_rejected)
{
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ghost}\n",
				 NULL), KUBE_ENOTFOUND);
	cr_assert_str_eq(status_message(), "namespaces \"ghost\" not found");
}

Test(objects, generate_name)
{
	char *out;
	json_t *o;
	const char *name;

	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n",
				 &out), 0, "%s", kube_last_status());
	o = parse(out);
	name = json_string_value(json_object_get(json_object_get(o, "metadata"), "name"));
	cr_assert_eq(strlen(name), 9);
	cr_assert_eq(strncmp(name, "gen-", 4), 0);
	json_decref(o);
	kube_free(out);
}

Test(objects, list_selectors)
{
	char *out;
	json_t *l;

	cr_assert_eq(kube_create(c,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {tier: web}}\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, labels: {tier: db}}\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_list(c, "configmaps", "default", "tier in (web,db)", NULL, &out), 0);
	l = parse(out);
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(l, "kind")), "ConfigMapList");
	json_decref(l);
	kube_free(out);
	cr_assert_eq(kube_list(c, "configmaps", "default", "!tier", "metadata.name=c", &out), 0);
	l = parse(out);
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 1);
	json_decref(l);
	kube_free(out);
	cr_assert_eq(kube_list(c, "configmaps", "default", "tier in (", NULL, &out), KUBE_EINVAL);
}

Test(objects, empty_list_has_items)
{
	char *out;

	cr_assert_eq(kube_list(c, "secrets", "kube-public", NULL, NULL, &out), 0);
	cr_assert(strstr(out, "\"items\":[]"));
	kube_free(out);
}

Test(objects, unknown_kind_and_resource)
{
	char *out;

	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: Gizmo\nmetadata: {name: g}\n", NULL),
		     KUBE_ENOTFOUND);
	cr_assert_str_eq(status_message(), "no matches for kind \"Gizmo\" in version \"v1\"");
	cr_assert_eq(kube_get(c, "gizmos", NULL, "g", &out), KUBE_ENOTFOUND);
}

Test(objects, yaml_syntax_error_names_line)
{
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bad: : :\n", NULL),
		     KUBE_EINVAL);
	cr_assert(strstr(status_message(), "line 5"), "%s", status_message());
}

Test(objects, strict_validation_course_typo)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifests/service-headless-typo.yaml", KUBE_SHARED_DIR);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	cr_assert_eq(kube_create(c, text, NULL), KUBE_EINVAL);
	cr_assert(strstr(status_message(), "unknown field \"spec.ClusterIP\""), "%s", status_message());
	free(text);
	cr_assert_eq(kube_get(c, "services", NULL, "webserver-01", &text), KUBE_ENOTFOUND);
}

Test(objects, invalid_name_is_422_with_causes)
{
	json_t *st;

	cr_assert_eq(kube_create(c, CM("Bad_Name", "v"), NULL), KUBE_EINVALID);
	st = parse(kube_last_status());
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 422);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(st, "details"), "causes"), 0), "field")), "metadata.name");
	json_decref(st);
}

Test(objects, generation_counts_spec_changes_only)
{
	char *out;
	json_t *o;
	const char *dep =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: g}\nspec:\n"
		"  selector: {matchLabels: {app: g}}\n  template:\n    metadata: {labels: {app: g}}\n"
		"    spec: {containers: [{name: c, image: busybox}]}\n";

	cr_assert_eq(kube_apply(c, dep, NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_apply(c,
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: g, labels: {x: z}}\nspec:\n"
		"  selector: {matchLabels: {app: g}}\n  template:\n    metadata: {labels: {app: g}}\n"
		"    spec: {containers: [{name: c, image: busybox}]}\n", NULL), 0);
	cr_assert_eq(kube_get(c, "deploy", NULL, "g", &out), 0);
	o = parse(out);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(o, "metadata"), "generation")), 1);
	json_decref(o);
	kube_free(out);
	cr_assert_eq(kube_apply(c,
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: g}\nspec:\n  replicas: 3\n"
		"  selector: {matchLabels: {app: g}}\n  template:\n    metadata: {labels: {app: g}}\n"
		"    spec: {containers: [{name: c, image: busybox}]}\n", NULL), 0);
	cr_assert_eq(kube_get(c, "deploy", NULL, "g", &out), 0);
	o = parse(out);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(o, "metadata"), "generation")), 2);
	json_decref(o);
	kube_free(out);
}

Test(objects, status_update_keeps_spec)
{
	char *out, *text;
	json_t *o;

	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: st}\n", &out), 0);
	o = parse(out);
	kube_free(out);
	json_object_set_new(o, "status", json_pack("{s:s}", "phase", "Active"));
	json_object_set_new(o, "spec", json_pack("{s:[]}", "finalizers"));
	text = json_dumps(o, 0);
	cr_assert_eq(kube_update_status(c, text, &out), 0, "%s", kube_last_status());
	cr_assert(strstr(out, "\"kubernetes\""), "spec must not change: %s", out);
	kube_free(out);
	free(text);
	json_decref(o);
}

Test(objects, to_yaml_and_back)
{
	char *y, *j;

	cr_assert_eq(kube_to_yaml("{\"a\":{\"b\":[1,\"2\"]}}", &y), 0);
	cr_assert_eq(kube_to_json(y, &j), 0);
	cr_assert_str_eq(j, "{\"a\":{\"b\":[1,\"2\"]}}");
	kube_free(y);
	kube_free(j);
}

Test(objects, field_selectors_restricted_per_kind)
{
	char *out;

	cr_assert_eq(kube_list(c, "pods", NULL, NULL, "spec.nodeName=node-1", &out), 0);
	kube_free(out);
	cr_assert_eq(kube_list(c, "configmaps", NULL, NULL, "spec.nodeName=node-1", &out), KUBE_EINVAL);
	cr_assert_str_eq(status_message(), "field label not supported: spec.nodeName");
	cr_assert_eq(kube_list(c, "events", NULL, NULL, "involvedObject.name=x", &out), 0);
	kube_free(out);
}
