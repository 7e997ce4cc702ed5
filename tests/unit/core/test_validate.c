#include <criterion/criterion.h>
#include <string.h>
#include "core/status.h"
#include "core/validate.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/data/validate/"

/* Registry entries made by hand: the real registry is another module. */
static const struct kube_kind service = {
	.group = "", .version = "v1", .kind = "Service", .plural = "services",
	.namespaced = true, .schema = "io.k8s.api.core.v1.Service",
};
static const struct kube_kind pod = {
	.group = "", .version = "v1", .kind = "Pod", .plural = "pods",
	.namespaced = true, .schema = "io.k8s.api.core.v1.Pod",
};
static const struct kube_kind deployment = {
	.group = "apps", .version = "v1", .kind = "Deployment", .plural = "deployments",
	.namespaced = true, .schema = "io.k8s.api.apps.v1.Deployment",
};
static const struct kube_kind daemonset = {
	.group = "apps", .version = "v1", .kind = "DaemonSet", .plural = "daemonsets",
	.namespaced = true, .schema = "io.k8s.api.apps.v1.DaemonSet",
};
static const struct kube_kind clusterrole = {
	.group = "rbac.authorization.k8s.io", .version = "v1", .kind = "ClusterRole",
	.plural = "clusterroles", .namespaced = false, .schema = "io.k8s.api.rbac.v1.ClusterRole",
};

static json_t *load(const char *file)
{
	json_error_t err;
	json_t *v = json_load_file(file, 0, &err);

	cr_assert_not_null(v, "%s: %s", file, err.text);
	return v;
}

/* What the API layer does before validation: default the namespace. */
static json_t *load_in_default(const char *file, const struct kube_kind *k)
{
	json_t *obj = load(file), *md = json_object_get(obj, "metadata");

	if (k->namespaced && !json_object_get(md, "namespace"))
		json_object_set_new(md, "namespace", json_string("default"));
	return obj;
}

static const char *msg_of(const json_t *st)
{
	return json_string_value(json_object_get(st, "message"));
}

static void expect_valid(const char *file, const struct kube_kind *k)
{
	json_t *obj = load_in_default(file, k), *st = NULL;
	int rc = kube__validate_object(k, obj, NULL, KUBE_FIELD_STRICT, NULL, &st);

	cr_assert_eq(rc, 0, "%s: %s", file, st ? msg_of(st) : "");
	cr_assert_null(st);
	json_decref(obj);
}

Test(validate, course_manifests_are_valid)
{
	expect_valid(DATA "pod-volumes.json", &pod);
	expect_valid(DATA "pod-probes.json", &pod);
	expect_valid(DATA "deployment-webserver.json", &deployment);
	expect_valid(DATA "daemonset-webserver.json", &daemonset);
	expect_valid(DATA "service-clusterip-multiport.json", &service);
	expect_valid(DATA "service-nodeport.json", &service);
	expect_valid(DATA "clusterrole-createlist.json", &clusterrole);
	expect_valid(DATA "clusterrole-ingress.json", &clusterrole);
}

Test(validate, strict_rejects_the_headless_typo)
{
	json_t *obj = load_in_default(DATA "service-headless-typo.json", &service), *st = NULL;

	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_STRICT, NULL, &st),
		     KUBE_EINVAL);
	cr_assert_str_eq(msg_of(st), "Service in version \"v1\" cannot be handled as a Service: "
				     "strict decoding error: unknown field \"spec.ClusterIP\"");
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "BadRequest");
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 400);
	cr_assert_not_null(json_object_get(json_object_get(obj, "spec"), "ClusterIP"));
	json_decref(st);
	json_decref(obj);
}

Test(validate, strict_rejects_a_statefulset_written_as_deployment)
{
	json_t *obj = load_in_default(DATA "statefulset-webserver.json", &deployment), *st = NULL;

	json_object_set_new(json_object_get(obj, "spec"), "volumeClaimTemplates", json_array());
	cr_assert_eq(kube__validate_object(&deployment, obj, NULL, KUBE_FIELD_STRICT, NULL, &st),
		     KUBE_EINVAL);
	cr_assert_str_eq(msg_of(st), "Deployment in version \"v1\" cannot be handled as a Deployment: "
				     "strict decoding error: unknown field \"spec.serviceName\", "
				     "unknown field \"spec.volumeClaimTemplates\"");
	json_decref(st);
	json_decref(obj);
}

Test(validate, warn_drops_unknown_fields_with_warnings)
{
	json_t *obj = load_in_default(DATA "service-headless-typo.json", &service), *st = NULL;
	json_t *warnings = json_array();

	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_WARN, warnings, &st), 0);
	cr_assert_null(st);
	cr_assert_eq(json_array_size(warnings), 1);
	cr_assert_str_eq(json_string_value(json_array_get(warnings, 0)),
			 "unknown field \"spec.ClusterIP\"");
	cr_assert_null(json_object_get(json_object_get(obj, "spec"), "ClusterIP"));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(obj, "spec"), "type")),
			 "ClusterIP");
	json_decref(warnings);
	json_decref(obj);
}

Test(validate, ignore_drops_unknown_fields_silently)
{
	json_t *obj = load_in_default(DATA "statefulset-webserver.json", &deployment), *st = NULL;
	json_t *warnings = json_array();

	cr_assert_eq(kube__validate_object(&deployment, obj, NULL, KUBE_FIELD_IGNORE, warnings, &st), 0);
	cr_assert_eq(json_array_size(warnings), 0);
	cr_assert_null(json_object_get(json_object_get(obj, "spec"), "serviceName"));
	cr_assert_not_null(json_object_get(json_object_get(obj, "spec"), "template"));
	json_decref(warnings);
	json_decref(obj);
}

Test(validate, type_errors_are_bad_requests_even_when_ignoring)
{
	json_t *obj = load_in_default(DATA "deployment-webserver.json", &deployment), *st = NULL;

	json_object_set_new(json_object_get(obj, "spec"), "replicas", json_string("x"));
	json_object_set_new(json_object_get(obj, "spec"), "paused", json_string("no"));
	cr_assert_eq(kube__validate_object(&deployment, obj, NULL, KUBE_FIELD_IGNORE, NULL, &st),
		     KUBE_EINVAL);
	/* only the first, as Go's decoder reports */
	cr_assert_str_eq(msg_of(st), "Deployment in version \"v1\" cannot be handled as a Deployment: "
				     "json: cannot unmarshal string into Go struct field "
				     "DeploymentSpec.spec.replicas of type int32");
	json_decref(st);
	json_decref(obj);
}

Test(validate, type_errors_win_over_unknown_fields)
{
	json_t *obj = load_in_default(DATA "service-headless-typo.json", &service), *st = NULL;

	json_object_set_new(json_object_get(obj, "spec"), "selector", json_string("name=web"));
	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_STRICT, NULL, &st),
		     KUBE_EINVAL);
	cr_assert_str_eq(msg_of(st), "Service in version \"v1\" cannot be handled as a Service: "
				     "json: cannot unmarshal string into Go struct field "
				     "ServiceSpec.spec.selector of type map[string]string");
	json_decref(st);
	json_decref(obj);
}

Test(validate, metadata_errors_are_422_with_causes)
{
	json_t *obj = load_in_default(DATA "service-nodeport.json", &service), *st = NULL;
	json_t *md = json_object_get(obj, "metadata"), *d, *c;

	json_object_set_new(md, "name", json_string("Web_1"));
	json_object_set_new(json_object_get(md, "labels"), "bad key", json_string("x"));
	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_STRICT, NULL, &st),
		     KUBE_EINVALID);
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "Invalid");
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 422);
	cr_assert_str_eq(msg_of(st),
			 "Service \"Web_1\" is invalid: [metadata.name: Invalid value: \"Web_1\": "
			 "a DNS-1035 label must consist of lower case alphanumeric characters or "
			 "'-', start with an alphabetic character, and end with an alphanumeric "
			 "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
			 "'[a-z]([-a-z0-9]*[a-z0-9])?'), metadata.labels: Invalid value: \"bad key\": "
			 "name part must consist of alphanumeric characters, '-', '_' or '.', and "
			 "must start and end with an alphanumeric character (e.g. 'MyName',  or "
			 "'my.name',  or '123-abc', regex used for validation is "
			 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]");
	d = json_object_get(st, "details");
	cr_assert_str_eq(json_string_value(json_object_get(d, "name")), "Web_1");
	cr_assert_str_eq(json_string_value(json_object_get(d, "kind")), "Service");
	cr_assert_null(json_object_get(d, "group"));
	c = json_array_get(json_object_get(d, "causes"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "reason")), "FieldValueInvalid");
	cr_assert_str_eq(json_string_value(json_object_get(c, "field")), "metadata.name");
	json_decref(st);
	json_decref(obj);
}

static void spec_replicas_positive(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *r = json_object_get(json_object_get(obj, "spec"), "replicas");

	(void)old;
	if (json_integer_value(r) < 0)
		kube__cause_invalid(causes, "spec.replicas", r, "must be greater than or equal to 0");
}

Test(validate, kind_rules_join_metadata_rules_in_one_pass)
{
	struct kube_kind k = deployment;
	json_t *obj = load_in_default(DATA "deployment-webserver.json", &k), *st = NULL, *causes;

	k.validate = spec_replicas_positive;
	json_object_set_new(json_object_get(obj, "spec"), "replicas", json_integer(-1));
	json_object_del(json_object_get(obj, "metadata"), "namespace");
	cr_assert_eq(kube__validate_object(&k, obj, NULL, KUBE_FIELD_STRICT, NULL, &st), KUBE_EINVALID);
	/* the "Kind[.group]" prefix is status.c's; the causes are ours */
	cr_assert_not_null(strstr(msg_of(st), "\"websever\" is invalid: [metadata.namespace: "
					      "Required value, spec.replicas: Invalid value: -1: must "
					      "be greater than or equal to 0]"), "%s", msg_of(st));
	causes = json_object_get(json_object_get(st, "details"), "causes");
	cr_assert_eq(json_array_size(causes), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(causes, 0), "field")),
			 "metadata.namespace");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(causes, 1), "field")),
			 "spec.replicas");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(st, "details"), "group")),
			 "apps");
	json_decref(st);
	json_decref(obj);
}

Test(validate, cluster_scoped_kinds_forbid_a_namespace)
{
	json_t *obj = load(DATA "clusterrole-createlist.json"), *st = NULL;

	json_object_set_new(json_object_get(obj, "metadata"), "namespace", json_string("default"));
	cr_assert_eq(kube__validate_object(&clusterrole, obj, NULL, KUBE_FIELD_STRICT, NULL, &st),
		     KUBE_EINVALID);
	cr_assert_str_eq(msg_of(st), "ClusterRole.rbac.authorization.k8s.io \"createlist\" is invalid: metadata.namespace: "
				     "Forbidden: not allowed on this type");
	json_decref(st);
	json_decref(obj);
}

Test(validate, without_status_pointer)
{
	json_t *obj = load_in_default(DATA "service-headless-typo.json", &service);

	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_STRICT, NULL, NULL),
		     KUBE_EINVAL);
	json_object_set_new(json_object_get(obj, "metadata"), "name", json_string("1web"));
	cr_assert_eq(kube__validate_object(&service, obj, NULL, KUBE_FIELD_IGNORE, NULL, NULL),
		     KUBE_EINVALID);
	json_decref(obj);
}
