/*
 * Server-side apply and managedFields as pure functions: what
 * `kubectl apply --server-side` does to an object, applied twice, with two
 * managers in conflict, and forced.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch.h"
#include "core/status.h"
#include "../../testutil.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/patch/data/"
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

static json_t *load(const char *file)
{
	json_error_t e;
	json_t *v = json_load_file(file, 0, &e);

	cr_assert_not_null(v, "%s:%d: %s", file, e.line, e.text);
	return v;
}

static void expect_json(const json_t *got, const json_t *want, const char *what)
{
	char *g = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *w = json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY);

	cr_expect(json_equal(got, want), "%s:\n got  %s\n want %s", what, g, w);
	free(g);
	free(w);
}

static struct kube_ssa_ctx ctx(const char *manager, int64_t now)
{
	struct kube_ssa_ctx x = {
		.schema = kube__schema_find("io.k8s.api.apps.v1.Deployment"),
		.api_version = "apps/v1", .manager = manager, .ignore_status = true, .now_ms = now,
	};
	return x;
}

/* The object as stored after a create: the server's metadata added. */
static json_t *stored(json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");

	json_object_set_new(meta, "uid", json_string("u-1"));
	json_object_set_new(meta, "resourceVersion", json_string("5"));
	return obj;
}

Test(ssa, create_records_the_appliers_fields)
{
	json_t *config = load(DATA "ssa-deployment.json"), *fields = load(DATA "ssa-deployment-fields.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0);
	json_t *out = NULL, *st = NULL, *mf, *want;

	cr_assert_eq(kube__ssa_apply(NULL, config, &x, false, &out, &st), 0);
	mf = tu_at(out, "metadata.managedFields");
	cr_assert_eq(json_array_size(mf), 1);
	want = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "manager", "kubectl", "operation", "Apply",
			 "apiVersion", "apps/v1", "time", "2026-01-01T00:00:00Z", "fieldsType", "FieldsV1",
			 "fieldsV1", fields);
	expect_json(json_array_get(mf, 0), want, "entry");
	json_object_del(json_object_get(out, "metadata"), "managedFields");
	expect_json(out, config, "object is the config");
	json_decref(want);
	json_decref(out);
	json_decref(fields);
	json_decref(config);
}

Test(ssa, apply_twice_drops_what_is_no_longer_applied)
{
	json_t *config = load(DATA "ssa-deployment.json"), *out = NULL, *out2 = NULL, *st = NULL;
	struct kube_ssa_ctx x = ctx("kubectl", T0), y = ctx("kubectl", T0 + 60000);

	cr_assert_eq(kube__ssa_apply(NULL, config, &x, false, &out, &st), 0);
	stored(out);
	json_object_del(json_object_get(config, "spec"), "replicas");
	json_object_set_new(tu_at(config, "spec.template.spec.containers.0"), "image",
			    json_string("nginx:1.26"));
	cr_assert_eq(kube__ssa_apply(out, config, &y, false, &out2, &st), 0);
	cr_expect_null(tu_at(out2, "spec.replicas"), "replicas was only ours: removed");
	cr_expect_str_eq(json_string_value(tu_at(out2, "spec.template.spec.containers.0.image")),
			 "nginx:1.26");
	cr_expect_str_eq(json_string_value(tu_at(out2, "metadata.uid")), "u-1", "live fields kept");
	cr_expect_str_eq(json_string_value(tu_at(out2, "metadata.managedFields.0.time")),
			 "2026-01-01T00:01:00Z");
	cr_expect_null(tu_at(out2, "metadata.managedFields.0.fieldsV1.f:spec.f:replicas"));
	json_decref(out);
	json_decref(out2);
	json_decref(config);
}

Test(ssa, unchanged_apply_keeps_the_time)
{
	json_t *config = load(DATA "ssa-deployment.json"), *out = NULL, *out2 = NULL;
	struct kube_ssa_ctx x = ctx("kubectl", T0), y = ctx("kubectl", T0 + 60000);

	cr_assert_eq(kube__ssa_apply(NULL, config, &x, false, &out, NULL), 0);
	stored(out);
	cr_assert_eq(kube__ssa_apply(out, config, &y, false, &out2, NULL), 0);
	expect_json(out2, out, "nothing changes");
	json_decref(out);
	json_decref(out2);
	json_decref(config);
}

/* A Deployment created by `kubectl apply` (client-side): an Update manager. */
static json_t *client_side_applied(void)
{
	json_t *obj = stored(load(DATA "ssa-deployment.json"));
	struct kube_ssa_ctx x = ctx("kubectl-client-side-apply", T0);

	kube__managed_update(NULL, obj, &x);
	return obj;
}

Test(ssa, update_manager_entry)
{
	json_t *obj = client_side_applied(), *e = tu_at(obj, "metadata.managedFields.0");

	cr_expect_eq(json_array_size(tu_at(obj, "metadata.managedFields")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(e, "manager")), "kubectl-client-side-apply");
	cr_expect_str_eq(json_string_value(json_object_get(e, "operation")), "Update");
	cr_expect_str_eq(json_string_value(json_object_get(e, "apiVersion")), "apps/v1");
	cr_expect_str_eq(json_string_value(json_object_get(e, "time")), "2026-01-01T00:00:00Z");
	/* maps an update adds are members themselves, as upstream shows them */
	cr_expect_not_null(json_object_get(tu_at(e, "fieldsV1.f:metadata.f:labels"), "."));
	cr_expect_null(json_object_get(tu_at(e, "fieldsV1.f:spec"), "."), "struct fields are not");
	cr_expect_not_null(tu_at(e, "fieldsV1.f:spec.f:replicas"));
	cr_expect_null(tu_at(e, "fieldsV1.f:metadata.f:name"), "server-set metadata is nobody's");
	cr_expect_null(tu_at(e, "fieldsV1.f:metadata.f:uid"));
	cr_expect_null(tu_at(e, "fieldsV1.f:apiVersion"));
	json_decref(obj);
}

Test(ssa, conflict_with_another_manager)
{
	json_t *live = client_side_applied(), *config = load(DATA "ssa-deployment.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0 + 1000);
	json_t *out = NULL, *st = NULL, *want;

	json_object_set_new(json_object_get(config, "spec"), "replicas", json_integer(3));
	cr_assert_eq(kube__ssa_apply(live, config, &x, false, &out, &st), KUBE_ECONFLICT);
	cr_expect_null(out);
	want = json_loads("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
		"\"status\":\"Failure\",\"message\":\"Apply failed with 1 conflict: conflict with "
		"\\\"kubectl-client-side-apply\\\" using apps/v1: .spec.replicas\","
		"\"reason\":\"Conflict\",\"details\":{\"causes\":[{\"reason\":\"FieldManagerConflict\","
		"\"message\":\"conflict with \\\"kubectl-client-side-apply\\\" using apps/v1\","
		"\"field\":\".spec.replicas\"}]},\"code\":409}", 0, NULL);
	cr_assert_not_null(want);
	expect_json(st, want, "409");
	json_decref(want);
	json_decref(st);
	json_decref(config);
	json_decref(live);
}

Test(ssa, several_conflicts_are_listed_by_manager)
{
	json_t *live = client_side_applied(), *config = load(DATA "ssa-deployment.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0 + 1000);
	json_t *out = NULL, *st = NULL;

	json_object_set_new(json_object_get(config, "spec"), "replicas", json_integer(3));
	json_object_set_new(tu_at(config, "spec.template.spec.containers.0"), "image", json_string("x"));
	cr_assert_eq(kube__ssa_apply(live, config, &x, false, &out, &st), KUBE_ECONFLICT);
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
		"Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n"
		"- .spec.replicas\n"
		"- .spec.template.spec.containers[name=\"nginx\"].image");
	cr_expect_str_eq(json_string_value(tu_at(st, "details.causes.1.field")),
			 ".spec.template.spec.containers[name=\"nginx\"].image");
	json_decref(st);
	json_decref(config);
	json_decref(live);
}

Test(ssa, same_value_is_shared_not_a_conflict)
{
	json_t *live = client_side_applied(), *config = load(DATA "ssa-deployment.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0 + 1000);
	json_t *out = NULL, *st = NULL;

	cr_assert_eq(kube__ssa_apply(live, config, &x, false, &out, &st), 0);
	cr_expect_eq(json_array_size(tu_at(out, "metadata.managedFields")), 2);
	cr_expect_str_eq(json_string_value(tu_at(out, "metadata.managedFields.0.operation")), "Apply");
	cr_expect_not_null(tu_at(out, "metadata.managedFields.0.fieldsV1.f:spec.f:replicas"));
	cr_expect_not_null(tu_at(out, "metadata.managedFields.1.fieldsV1.f:spec.f:replicas"));
	json_decref(out);
	json_decref(config);
	json_decref(live);
}

Test(ssa, force_takes_ownership)
{
	json_t *live = client_side_applied(), *config = load(DATA "ssa-deployment.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0 + 1000);
	json_t *out = NULL, *st = NULL;

	json_object_set_new(json_object_get(config, "spec"), "replicas", json_integer(3));
	cr_assert_eq(kube__ssa_apply(live, config, &x, true, &out, &st), 0);
	cr_expect_eq(json_integer_value(tu_at(out, "spec.replicas")), 3);
	cr_expect_not_null(tu_at(out, "metadata.managedFields.0.fieldsV1.f:spec.f:replicas"));
	cr_expect_str_eq(json_string_value(tu_at(out, "metadata.managedFields.1.manager")),
			 "kubectl-client-side-apply");
	cr_expect_null(tu_at(out, "metadata.managedFields.1.fieldsV1.f:spec.f:replicas"),
		       "the other manager lost it");
	cr_expect_not_null(tu_at(out, "metadata.managedFields.1.fieldsV1.f:spec.f:template"));
	json_decref(out);
	json_decref(config);
	json_decref(live);
}

Test(ssa, a_field_another_manager_owns_survives_its_removal_from_the_config)
{
	json_t *config = load(DATA "ssa-deployment.json"), *out = NULL, *out2 = NULL, *out3 = NULL;
	struct kube_ssa_ctx a = ctx("a", T0), b = ctx("b", T0);

	cr_assert_eq(kube__ssa_apply(NULL, config, &a, false, &out, NULL), 0);
	stored(out);
	cr_assert_eq(kube__ssa_apply(out, config, &b, false, &out2, NULL), 0);
	json_object_del(json_object_get(config, "spec"), "replicas");
	cr_assert_eq(kube__ssa_apply(out2, config, &a, false, &out3, NULL), 0);
	cr_expect_eq(json_integer_value(tu_at(out3, "spec.replicas")), 2, "b still owns it");
	json_decref(out);
	json_decref(out2);
	json_decref(out3);
	json_decref(config);
}

Test(ssa, object_without_managed_fields_belongs_to_before_first_apply)
{
	json_t *live = stored(load(DATA "ssa-deployment.json")), *config = load(DATA "ssa-deployment.json");
	struct kube_ssa_ctx x = ctx("kubectl", T0);
	json_t *out = NULL, *st = NULL;

	json_object_set_new(json_object_get(config, "spec"), "replicas", json_integer(5));
	cr_assert_eq(kube__ssa_apply(live, config, &x, false, &out, &st), KUBE_ECONFLICT);
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "Apply failed with 1 conflict: conflict with \"before-first-apply\" using "
			 "apps/v1: .spec.replicas");
	json_decref(st);
	json_decref(config);
	json_decref(live);
}

Test(ssa, managed_fields_in_the_config_are_refused)
{
	json_t *config = load(DATA "ssa-deployment.json"), *out = NULL, *st = NULL;
	struct kube_ssa_ctx x = ctx("kubectl", T0);

	json_object_set_new(json_object_get(config, "metadata"), "managedFields", json_array());
	cr_expect_eq(kube__ssa_apply(NULL, config, &x, false, &out, &st), KUBE_EINVAL);
	cr_expect_str_eq(json_string_value(json_object_get(st, "message")),
			 "metadata.managedFields must be nil");
	json_decref(st);
	json_decref(config);
}

Test(managed_update, an_update_takes_the_fields_it_changes)
{
	json_t *live = client_side_applied(), *obj = json_deep_copy(live);
	struct kube_ssa_ctx x = ctx("kubectl-scale", T0 + 5000);

	json_object_set_new(json_object_get(obj, "spec"), "replicas", json_integer(4));
	kube__managed_update(live, obj, &x);
	cr_expect_eq(json_array_size(tu_at(obj, "metadata.managedFields")), 2);
	cr_expect_null(tu_at(obj, "metadata.managedFields.0.fieldsV1.f:spec.f:replicas"));
	cr_expect_str_eq(json_string_value(tu_at(obj, "metadata.managedFields.1.manager")), "kubectl-scale");
	cr_expect_not_null(tu_at(obj, "metadata.managedFields.1.fieldsV1.f:spec.f:replicas"));
	json_decref(obj);
	json_decref(live);
}

Test(managed_update, a_noop_update_changes_nothing)
{
	json_t *live = client_side_applied(), *obj = json_deep_copy(live);
	struct kube_ssa_ctx x = ctx("other", T0 + 5000);

	kube__managed_update(live, obj, &x);
	expect_json(obj, live, "same");
	json_decref(obj);
	json_decref(live);
}

Test(fieldset, paths_and_round_trip)
{
	json_t *v1 = load(DATA "ssa-deployment-fields.json"), *set = kube__fieldset_decode(v1);
	json_t *paths = json_array(), *back = kube__fieldset_encode(set);

	expect_json(back, v1, "round trip");
	kube__fieldset_paths(set, paths);
	cr_expect_str_eq(json_string_value(json_array_get(paths, 0)), ".metadata.labels.app");
	cr_expect_str_eq(json_string_value(json_array_get(paths, 1)), ".spec.replicas");
	cr_expect_str_eq(json_string_value(json_array_get(paths, json_array_size(paths) - 1)),
			 ".spec.template.spec.containers[name=\"nginx\"].ports[containerPort=80,protocol=\"TCP\"].containerPort");
	json_decref(paths);
	json_decref(back);
	json_decref(set);
	json_decref(v1);
}
