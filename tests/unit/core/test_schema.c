#include <criterion/criterion.h>
#include <string.h>
#include "core/schema.h"
#include "core/schema_values.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/data/validate/"

static json_t *load(const char *file)
{
	json_error_t err;
	json_t *v = json_load_file(file, 0, &err);

	cr_assert_not_null(v, "%s: %s", file, err.text);
	return v;
}

/* The unknown fields and type errors of @p obj against @p def. */
static void check(const char *def, const json_t *obj, json_t **unknown, json_t **causes)
{
	const struct kube_schema *s = kube__schema_find(def);

	cr_assert_not_null(s, "%s", def);
	*unknown = json_array();
	*causes = json_array();
	kube__schema_check(s, obj, *unknown, *causes);
}

/* The one type error of @p text (JSON) against @p def: its field and message. */
static void expect_type_error(const char *def, const char *text, const char *field,
			      const char *message)
{
	json_t *obj = json_loads(text, 0, NULL), *unknown, *causes, *c;

	cr_assert_not_null(obj, "%s", text);
	check(def, obj, &unknown, &causes);
	cr_assert_eq(json_array_size(causes), 1, "%s: %zu causes", text, json_array_size(causes));
	c = json_array_get(causes, 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "reason")), "FieldValueTypeInvalid");
	cr_assert_str_eq(json_string_value(json_object_get(c, "field")), field);
	cr_assert_str_eq(json_string_value(json_object_get(c, "message")), message);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, find_definitions_by_name)
{
	const struct kube_schema *pod = kube__schema_find("io.k8s.api.core.v1.Pod");

	cr_assert_not_null(pod);
	cr_assert_eq(kube__schema_type(pod), KUBE_SCHEMA_OBJECT);
	cr_assert_str_eq(kube__schema_name(pod), "io.k8s.api.core.v1.Pod");
	cr_assert_not_null(kube__schema_find("io.k8s.api.apps.v1.Deployment"));
	cr_assert_not_null(kube__schema_find("io.k8s.api.rbac.v1.ClusterRole"));
	/* first and last in name order, so the binary search reaches both ends */
	cr_assert_not_null(kube__schema_find("io.k8s.api.apps.v1.ControllerRevision"));
	cr_assert_not_null(kube__schema_find("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
	cr_assert_null(kube__schema_find("io.k8s.api.apps.v1.Aaa"));
	cr_assert_null(kube__schema_find("zzz"));
	cr_assert_null(kube__schema_find("io.k8s.api.core.v1.Podd"));
	cr_assert_null(kube__schema_find(""));
	cr_assert_null(kube__schema_find(NULL));
}

Test(schema, property_types_follow_refs)
{
	const struct kube_schema *pod = kube__schema_find("io.k8s.api.core.v1.Pod");
	const struct kube_schema *spec = kube__schema_prop(pod, "spec");
	const struct kube_schema *md = kube__schema_prop(pod, "metadata");

	cr_assert_eq(kube__schema_type(spec), KUBE_SCHEMA_OBJECT);
	cr_assert_str_eq(kube__schema_name(spec), "io.k8s.api.core.v1.PodSpec");
	cr_assert_eq(kube__schema_type(kube__schema_prop(md, "labels")), KUBE_SCHEMA_MAP);
	cr_assert_eq(kube__schema_type(kube__schema_items(kube__schema_prop(md, "labels"))),
		     KUBE_SCHEMA_STRING);
	cr_assert_eq(kube__schema_type(kube__schema_prop(md, "creationTimestamp")), KUBE_SCHEMA_TIME);
	cr_assert_eq(kube__schema_type(kube__schema_prop(spec, "terminationGracePeriodSeconds")),
		     KUBE_SCHEMA_INTEGER);
	cr_assert_eq(kube__schema_type(kube__schema_prop(spec, "hostNetwork")), KUBE_SCHEMA_BOOLEAN);
	cr_assert_eq(kube__schema_type(kube__schema_prop(spec, "overhead")), KUBE_SCHEMA_MAP);
	cr_assert_eq(kube__schema_type(kube__schema_items(kube__schema_prop(spec, "overhead"))),
		     KUBE_SCHEMA_QUANTITY);
	cr_assert_null(kube__schema_prop(spec, "ClusterIP"));
	cr_assert_null(kube__schema_prop(kube__schema_prop(spec, "hostNetwork"), "x"));
}

Test(schema, special_definitions)
{
	const struct kube_schema *port = kube__schema_find("io.k8s.api.core.v1.ServicePort");
	const struct kube_schema *rev = kube__schema_find("io.k8s.api.apps.v1.ControllerRevision");

	cr_assert_eq(kube__schema_type(kube__schema_prop(port, "targetPort")), KUBE_SCHEMA_INT_OR_STRING);
	cr_assert_eq(kube__schema_type(kube__schema_prop(rev, "data")), KUBE_SCHEMA_ANY);
	cr_assert_eq(kube__schema_type(kube__schema_find("io.k8s.apimachinery.pkg.api.resource.Quantity")),
		     KUBE_SCHEMA_QUANTITY);
	cr_assert_eq(kube__schema_type(kube__schema_find("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")),
		     KUBE_SCHEMA_TIME);
}

Test(schema, patch_metadata)
{
	const struct kube_schema *spec = kube__schema_find("io.k8s.api.core.v1.PodSpec");
	const struct kube_schema *c = kube__schema_find("io.k8s.api.core.v1.Container");
	const struct kube_schema *ports = kube__schema_prop(c, "ports");
	const struct kube_schema *containers = kube__schema_prop(spec, "containers");
	const struct kube_schema *dspec = kube__schema_find("io.k8s.api.apps.v1.DeploymentSpec");
	const char *const *keys = kube__schema_list_map_keys(ports);

	cr_assert_eq(kube__schema_type(containers), KUBE_SCHEMA_ARRAY);
	cr_assert_str_eq(kube__schema_merge_key(containers), "name");
	cr_assert_str_eq(kube__schema_patch_strategy(containers), "merge");
	cr_assert_str_eq(kube__schema_name(kube__schema_items(containers)), "io.k8s.api.core.v1.Container");
	cr_assert_str_eq(kube__schema_merge_key(ports), "containerPort");
	cr_assert_str_eq(kube__schema_list_type(ports), "map");
	cr_assert_not_null(keys);
	cr_assert_str_eq(keys[0], "containerPort");
	cr_assert_str_eq(keys[1], "protocol");
	cr_assert_null(keys[2]);
	cr_assert_str_eq(kube__schema_list_type(kube__schema_prop(c, "args")), "atomic");
	cr_assert_null(kube__schema_list_map_keys(kube__schema_prop(c, "args")));
	cr_assert_str_eq(kube__schema_patch_strategy(kube__schema_prop(dspec, "strategy")), "retainKeys");
	cr_assert_str_eq(kube__schema_merge_key(kube__schema_prop(c, "image")), "");
}

static void expect_clean(const char *file, const char *def)
{
	json_t *obj = load(file), *unknown, *causes;

	check(def, obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 0, "%s: unknown %s", file,
		     json_string_value(json_array_get(unknown, 0)));
	cr_assert_eq(json_array_size(causes), 0, "%s: %s", file,
		     json_string_value(json_object_get(json_array_get(causes, 0), "message")));
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, course_manifests_pass)
{
	expect_clean(DATA "pod-volumes.json", "io.k8s.api.core.v1.Pod");
	expect_clean(DATA "pod-probes.json", "io.k8s.api.core.v1.Pod");
	expect_clean(DATA "deployment-webserver.json", "io.k8s.api.apps.v1.Deployment");
	expect_clean(DATA "daemonset-webserver.json", "io.k8s.api.apps.v1.DaemonSet");
	expect_clean(DATA "service-clusterip-multiport.json", "io.k8s.api.core.v1.Service");
	expect_clean(DATA "service-nodeport.json", "io.k8s.api.core.v1.Service");
	expect_clean(DATA "clusterrole-createlist.json", "io.k8s.api.rbac.v1.ClusterRole");
	expect_clean(DATA "clusterrole-ingress.json", "io.k8s.api.rbac.v1.ClusterRole");
	/* meant as a StatefulSet: valid as one */
	expect_clean(DATA "statefulset-webserver.json", "io.k8s.api.apps.v1.StatefulSet");
}

static void expect_unknown(const char *file, const char *def, const char *path)
{
	json_t *obj = load(file), *unknown, *causes;

	check(def, obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 1);
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 0)), path);
	cr_assert_eq(json_array_size(causes), 0);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, course_typos_are_unknown_fields)
{
	expect_unknown(DATA "service-headless-typo.json", "io.k8s.api.core.v1.Service", "spec.ClusterIP");
	expect_unknown(DATA "statefulset-webserver.json", "io.k8s.api.apps.v1.Deployment",
		       "spec.serviceName");
}

Test(schema, unknown_paths_as_the_strict_decoder_writes_them)
{
	json_t *obj = load(DATA "deployment-webserver.json"), *unknown, *causes, *c;
	json_t *spec = json_object_get(json_object_get(obj, "spec"), "template");

	c = json_array_get(json_object_get(json_object_get(spec, "spec"), "containers"), 1);
	json_object_set_new(c, "imagee", json_string("x"));
	json_object_set_new(json_array_get(json_object_get(c, "volumeMounts"), 0), "readonly",
			    json_true());
	json_object_set_new(obj, "extra", json_integer(1));
	json_object_set_new(json_object_get(json_object_get(obj, "spec"), "selector"), "MatchLabels",
			    json_object());
	check("io.k8s.api.apps.v1.Deployment", obj, &unknown, &causes);
	cr_assert_eq(json_array_size(causes), 0);
	cr_assert_eq(json_array_size(unknown), 4);
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 0)), "spec.selector.MatchLabels");
	/* document order: imagee was appended after volumeMounts */
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 1)),
			 "spec.template.spec.containers[1].volumeMounts[0].readonly");
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 2)),
			 "spec.template.spec.containers[1].imagee");
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 3)), "extra");
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, map_keys_are_path_segments)
{
	json_t *obj = json_loads("{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":"
				 "\"CustomResourceDefinition\",\"spec\":{\"versions\":[{\"name\":\"v1\","
				 "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":"
				 "{\"foo\":{\"type\":\"string\",\"bogus\":1}}}}}]}}", 0, NULL);
	json_t *unknown, *causes;

	check("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
	      obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 1);
	cr_assert_str_eq(json_string_value(json_array_get(unknown, 0)),
			 "spec.versions[0].schema.openAPIV3Schema.properties.foo.bogus");
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, any_accepts_everything_and_null_is_zero)
{
	json_t *obj = json_loads("{\"kind\":\"ControllerRevision\",\"revision\":1,\"data\":"
				 "{\"whatever\":[1,{\"x\":true}]},\"metadata\":{\"name\":null,"
				 "\"labels\":null}}", 0, NULL);
	json_t *unknown, *causes;

	check("io.k8s.api.apps.v1.ControllerRevision", obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 0);
	cr_assert_eq(json_array_size(causes), 0);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, unknown_fields_stop_at_100)
{
	json_t *obj = json_object(), *unknown, *causes;
	char key[16];

	for (int i = 0; i < 150; i++) {
		snprintf(key, sizeof(key), "f%d", i);
		json_object_set_new(obj, key, json_integer(i));
	}
	check("io.k8s.api.core.v1.ConfigMap", obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 100);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, type_errors_use_the_go_decoder_text)
{
	expect_type_error("io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":\"x\"}}",
			  "spec.replicas",
			  "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
	expect_type_error("io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":1.5}}",
			  "spec.replicas",
			  "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32");
	expect_type_error("io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":3000000000}}",
			  "spec.replicas",
			  "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32");
	expect_type_error("io.k8s.api.core.v1.Pod",
			  "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":\"80\"}]}]}}",
			  "spec.containers[0].ports[0].containerPort",
			  "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32");
	expect_type_error("io.k8s.api.apps.v1.Deployment",
			  "{\"spec\":{\"template\":{\"spec\":{\"containers\":\"nginx\"}}}}",
			  "spec.template.spec.containers",
			  "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container");
	expect_type_error("io.k8s.api.core.v1.Pod", "{\"metadata\":{\"labels\":{\"a\":1}}}",
			  "metadata.labels.a",
			  "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string");
	expect_type_error("io.k8s.api.core.v1.Pod", "{\"metadata\":\"x\"}", "metadata",
			  "json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta");
	expect_type_error("io.k8s.api.core.v1.Pod", "{\"spec\":{\"hostNetwork\":\"yes\"}}",
			  "spec.hostNetwork",
			  "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool");
	expect_type_error("io.k8s.api.core.v1.Pod", "{\"spec\":{\"nodeSelector\":[]}}",
			  "spec.nodeSelector",
			  "json: cannot unmarshal array into Go struct field PodSpec.spec.nodeSelector of type map[string]string");
	expect_type_error("io.k8s.api.core.v1.Service",
			  "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":true}]}}",
			  "spec.ports[0].targetPort",
			  "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32");
}

Test(schema, int_or_string_takes_both)
{
	json_t *obj = json_loads("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":\"http\"},"
				 "{\"port\":81,\"targetPort\":8080}]}}", 0, NULL);
	json_t *unknown, *causes;

	check("io.k8s.api.core.v1.Service", obj, &unknown, &causes);
	cr_assert_eq(json_array_size(causes), 0);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}

Test(schema, scalar_formats_fail_decoding)
{
	expect_type_error("io.k8s.api.core.v1.Pod",
			  "{\"spec\":{\"overhead\":{\"cpu\":\"1x\"}}}", "spec.overhead.cpu",
			  "quantities must match the regular expression "
			  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
	expect_type_error("io.k8s.api.core.v1.Pod",
			  "{\"metadata\":{\"creationTimestamp\":\"yesterday\"}}",
			  "metadata.creationTimestamp",
			  "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
			  "\"yesterday\" as \"2006\"");
	expect_type_error("io.k8s.api.core.v1.Pod", "{\"metadata\":{\"creationTimestamp\":5}}",
			  "metadata.creationTimestamp", "invalid syntax");
	expect_type_error("io.k8s.api.core.v1.Secret", "{\"data\":{\"k\":\"ab!d\"}}", "data.k",
			  "illegal base64 data at input byte 2");
}

Test(schema, scalar_format_checks)
{
	char buf[256];

	cr_assert_null(kube__check_rfc3339("2024-02-29T10:00:00Z", buf, sizeof(buf)));
	cr_assert_null(kube__check_rfc3339("2024-02-29T10:00:00.123+02:00", buf, sizeof(buf)));
	cr_assert_str_eq(kube__check_rfc3339("2023-02-29T10:00:00Z", buf, sizeof(buf)),
			 "parsing time \"2023-02-29T10:00:00Z\": day out of range");
	cr_assert_str_eq(kube__check_rfc3339("2023-13-01T10:00:00Z", buf, sizeof(buf)),
			 "parsing time \"2023-13-01T10:00:00Z\": month out of range");
	cr_assert_str_eq(kube__check_rfc3339("2023/01/01", buf, sizeof(buf)),
			 "parsing time \"2023/01/01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
			 "\"/01/01\" as \"-\"");
	cr_assert_str_eq(kube__check_rfc3339("2023-01-01T10:00:00", buf, sizeof(buf)),
			 "parsing time \"2023-01-01T10:00:00\" as \"2006-01-02T15:04:05Z07:00\": "
			 "cannot parse \"\" as \"Z07:00\"");
	cr_assert_str_eq(kube__check_rfc3339("2023-01-01T10:00:00Zx", buf, sizeof(buf)),
			 "parsing time \"2023-01-01T10:00:00Zx\": extra text: \"x\"");
	cr_assert_null(kube__check_base64("", buf, sizeof(buf)));
	cr_assert_null(kube__check_base64("aGVsbG8=", buf, sizeof(buf)));
	cr_assert_null(kube__check_base64("aGk=\n", buf, sizeof(buf)));
	cr_assert_str_eq(kube__check_base64("aGVsbG8", buf, sizeof(buf)),
			 "illegal base64 data at input byte 4");
	cr_assert_str_eq(kube__check_base64("a===", buf, sizeof(buf)),
			 "illegal base64 data at input byte 1");
	cr_assert_null(kube__check_quantity("32Mi"));
	cr_assert_null(kube__check_quantity(" 100m "));
	cr_assert_null(kube__check_quantity("1e3"));
	cr_assert_null(kube__check_quantity("-0.5"));
	cr_assert_str_eq(kube__check_quantity("32MM"), "unable to parse quantity's suffix");
	cr_assert_not_null(kube__check_quantity(""));
	cr_assert_not_null(kube__check_quantity("Mi"));
	cr_assert_not_null(kube__check_quantity("1.2.3"));
}

Test(schema, prune_removes_unknown_fields_only)
{
	json_t *obj = load(DATA "service-headless-typo.json"), *unknown, *causes;
	const struct kube_schema *s = kube__schema_find("io.k8s.api.core.v1.Service");

	json_object_set_new(json_array_get(json_object_get(json_object_get(obj, "spec"), "ports"), 2),
			    "nodeport", json_integer(1));
	kube__schema_prune(s, obj);
	cr_assert_null(json_object_get(json_object_get(obj, "spec"), "ClusterIP"));
	cr_assert_not_null(json_object_get(json_object_get(obj, "spec"), "selector"));
	cr_assert_eq(json_object_size(json_array_get(json_object_get(json_object_get(obj, "spec"),
								    "ports"), 2)), 4);
	check("io.k8s.api.core.v1.Service", obj, &unknown, &causes);
	cr_assert_eq(json_array_size(unknown), 0);
	json_decref(obj);
	json_decref(unknown);
	json_decref(causes);
}
