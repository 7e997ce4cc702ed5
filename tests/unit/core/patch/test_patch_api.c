/*
 * kube_patch() and kube_server_side_apply() on an in-memory cluster: the
 * kubectl patch and `kubectl apply --server-side` scenarios, end to end
 * through the admission path.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/libkube.h"
#include "../../testutil.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/patch/data/"

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

TestSuite(patch, .init = setup, .fini = teardown);

static char *slurp(const char *file)
{
	FILE *f = fopen(file, "r");
	char *buf = calloc(1, 1 << 16);

	cr_assert_not_null(f, "%s", file);
	cr_assert_gt(fread(buf, 1, (1 << 16) - 1, f), 0);
	fclose(f);
	return buf;
}

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	cr_assert_not_null(v, "not JSON: %s", text);
	return v;
}

static json_t *last_status(void)
{
	return parse(kube_last_status());
}

static json_t *get_web(void)
{
	char *out = NULL;
	json_t *v;

	cr_assert_eq(kube_get(c, "deployments", "default", "web", &out), 0);
	v = parse(out);
	kube_free(out);
	return v;
}

static void create_web(void)
{
	char *m = slurp(DATA "web-deployment.yaml");

	cr_assert_eq(kube_create(c, m, NULL), 0, "%s", kube_last_status());
	free(m);
}

Test(patch, strategic_container_image_touches_only_that_container)
{
	char *out = NULL;
	json_t *d;

	create_web();
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_STRATEGIC,
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\","
		"\"image\":\"busybox:1.37\"}]}}}}", &out), 0, "%s", kube_last_status());
	d = parse(out);
	cr_expect_str_eq(json_string_value(tu_at(d, "spec.template.spec.containers.0.image")), "nginx:1.25");
	cr_expect_str_eq(json_string_value(tu_at(d, "spec.template.spec.containers.1.image")), "busybox:1.37");
	cr_expect_str_eq(json_string_value(tu_at(d, "spec.template.spec.containers.1.command.0")), "sleep");
	cr_expect_eq(json_integer_value(tu_at(d, "metadata.generation")), 2);
	cr_expect_str_eq(json_string_value(tu_at(d, "metadata.managedFields.0.manager")), "kubectl-patch");
	cr_expect_not_null(tu_at(d, "metadata.managedFields.0.fieldsV1.f:spec.f:template.f:spec.f:containers."
			      "k:{\"name\":\"sidecar\"}.f:image"));
	json_decref(d);
	kube_free(out);
}

Test(patch, scale_with_a_merge_patch_and_a_json_patch)
{
	char *out = NULL;
	json_t *d;

	create_web();
	cr_assert_eq(kube_patch(c, "deployments.apps", "default", "web", KUBE_PATCH_MERGE,
				"{\"spec\":{\"replicas\":5},\"metadata\":{\"labels\":{\"tier\":\"front\"}}}",
				NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_patch(c, "deployment", "default", "web", KUBE_PATCH_JSON,
				"[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":5},"
				"{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3},"
				"{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]", &out),
		     0, "%s", kube_last_status());
	d = parse(out);
	cr_expect_eq(json_integer_value(tu_at(d, "spec.replicas")), 3);
	cr_expect_str_eq(json_string_value(tu_at(d, "metadata.labels.tier")), "front");
	cr_expect_null(tu_at(d, "metadata.labels.app"));
	json_decref(d);
	kube_free(out);
}

Test(patch, failed_json_patch_is_a_generic_422)
{
	json_t *st;

	create_web();
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_JSON,
				"[{\"op\":\"remove\",\"path\":\"/spec/template/spec/affinity\"}]", NULL),
		     KUBE_EINVALID);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "the server rejected our request due to an error in our request");
	cr_expect_str_eq(json_string_value(json_object_get(st, "reason")), "Invalid");
	cr_expect_eq(json_integer_value(json_object_get(st, "code")), 422);
	json_decref(st);
	st = get_web();
	cr_expect_eq(json_integer_value(tu_at(st, "spec.replicas")), 2, "unchanged");
	json_decref(st);
}

Test(patch, missing_object_is_404)
{
	json_t *st;

	cr_assert_eq(kube_patch(c, "deploy", NULL, "nope", KUBE_PATCH_MERGE, "{}", NULL),
		     KUBE_ENOTFOUND);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "deployments.apps \"nope\" not found");
	json_decref(st);
}

Test(patch, renaming_is_refused)
{
	json_t *st;

	create_web();
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_MERGE,
				"{\"metadata\":{\"name\":\"other\"}}", NULL), KUBE_EINVAL);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "the name of the object (other) does not match the name on the URL (web)");
	json_decref(st);
}

Test(patch, patched_object_is_validated)
{
	json_t *st;

	create_web();
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_MERGE,
				"{\"spec\":{\"replicas\":-1}}", NULL), KUBE_EINVALID);
	st = last_status();
	cr_expect_eq(json_integer_value(json_object_get(st, "code")), 422);
	cr_expect(strstr(json_string_value(json_object_get(st, "message")), "spec.replicas") != NULL,
		  "%s", json_string_value(json_object_get(st, "message")));
	json_decref(st);
}

Test(patch, bad_smp_directive_is_a_400)
{
	json_t *st;

	create_web();
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_STRATEGIC,
				"{\"spec\":{\"strategy\":{\"$retainKeys\":\"type\"}}}", NULL), KUBE_EINVAL);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "invalid patch format of retainKeys");
	json_decref(st);
}

Test(patch, server_side_apply_creates_then_updates)
{
	char *m = slurp(DATA "web-deployment.yaml"), *m2 = slurp(DATA "web-deployment-v2.yaml");
	char *out = NULL;
	json_t *d;

	cr_assert_eq(kube_server_side_apply(c, m, "kubectl", 0, &out), 0, "%s", kube_last_status());
	d = parse(out);
	cr_expect_not_null(tu_at(d, "metadata.uid"));
	cr_expect_str_eq(json_string_value(tu_at(d, "metadata.managedFields.0.manager")), "kubectl");
	cr_expect_str_eq(json_string_value(tu_at(d, "metadata.managedFields.0.operation")), "Apply");
	cr_expect_str_eq(json_string_value(tu_at(d, "metadata.managedFields.0.fieldsType")), "FieldsV1");
	json_decref(d);
	kube_free(out);
	cr_assert_eq(kube_server_side_apply(c, m2, "kubectl", 0, &out), 0, "%s", kube_last_status());
	d = parse(out);
	cr_expect_str_eq(json_string_value(tu_at(d, "spec.template.spec.containers.0.image")), "nginx:1.26");
	/* replicas is no longer applied and nobody else owns it: removed, then defaulted */
	cr_expect_eq(json_integer_value(tu_at(d, "spec.replicas")), 1);
	cr_expect_eq(json_integer_value(tu_at(d, "metadata.generation")), 2);
	json_decref(d);
	kube_free(out);
	free(m);
	free(m2);
}

Test(patch, server_side_apply_conflict_and_force)
{
	char *m = slurp(DATA "web-deployment.yaml"), *out = NULL;
	json_t *st, *d;

	cr_assert_eq(kube_server_side_apply(c, m, "kubectl", 0, NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_patch(c, "deploy", NULL, "web", KUBE_PATCH_MERGE,
				"{\"spec\":{\"replicas\":7}}", NULL), 0, "%s", kube_last_status());
	/* the same manifest again: replicas now belongs to kubectl-patch with another value */
	cr_assert_eq(kube_server_side_apply(c, m, "kubectl", 0, NULL), KUBE_ECONFLICT);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using "
			 "apps/v1: .spec.replicas");
	cr_expect_str_eq(json_string_value(tu_at(st, "details.causes.0.reason")), "FieldManagerConflict");
	cr_expect_str_eq(json_string_value(tu_at(st, "details.causes.0.field")), ".spec.replicas");
	cr_expect_eq(json_integer_value(json_object_get(st, "code")), 409);
	json_decref(st);
	cr_assert_eq(kube_server_side_apply(c, m, "kubectl", 1, &out), 0, "%s", kube_last_status());
	d = parse(out);
	cr_expect_eq(json_integer_value(tu_at(d, "spec.replicas")), 2);
	cr_expect_eq(json_array_size(tu_at(d, "metadata.managedFields")), 1,
		     "kubectl-patch owned nothing else and is gone");
	json_decref(d);
	kube_free(out);
	free(m);
}

Test(patch, server_side_apply_needs_a_field_manager)
{
	char *m = slurp(DATA "web-deployment.yaml");
	json_t *st;

	cr_assert_eq(kube_server_side_apply(c, m, NULL, 0, NULL), KUBE_EINVALID);
	st = last_status();
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
			 "is required for apply patch");
	json_decref(st);
	free(m);
}

Test(patch, server_side_apply_several_documents)
{
	char *out = NULL;
	json_t *l;

	cr_assert_eq(kube_server_side_apply(c,
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: w\n",
		"mgr", 0, &out), 0, "%s", kube_last_status());
	l = parse(out);
	cr_expect_str_eq(json_string_value(json_object_get(l, "kind")), "List");
	cr_expect_eq(json_array_size(json_object_get(l, "items")), 2);
	cr_expect_str_eq(json_string_value(tu_at(l, "items.1.metadata.managedFields.0.manager")), "mgr");
	json_decref(l);
	kube_free(out);
}
