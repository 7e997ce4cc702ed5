#include "kinds_test.h"

Test(configmap, keys_and_size)
{
	json_t *cm = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
			      "\"data\":{\"good.key\":\"1\",\"bad/key\":\"2\",\"..x\":\"3\"},"
			      "\"binaryData\":{\"good.key\":\"AA==\"}}");

	KT_CHECK(cm, NULL,
		 "data[good.key]: Invalid value: \"good.key\": duplicate of key present in binaryData",
		 "data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of "
		 "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
		 "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
		 "data[..x]: Invalid value: \"..x\": must not start with '..'",
		 "binaryData[good.key]: Invalid value: \"good.key\": duplicate of key present in data");
	json_decref(cm);
}

Test(configmap, immutable)
{
	json_t *old = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
			       "\"immutable\":true,\"data\":{\"a\":\"1\"}}");
	json_t *cm = json_deep_copy(old);

	json_object_set_new(kube__jpath(cm, "data"), "a", json_string("2"));
	KT_CHECK(cm, old, "data: Forbidden: field is immutable when `immutable` is set");
	json_decref(old);
	json_decref(cm);
}

Test(secret, string_data_type_default_and_tls_keys)
{
	json_t *s = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			     "\"stringData\":{\"user\":\"admin\"}}");

	kt_valid(s, NULL);
	kt_field(s, "type", "\"Opaque\"");
	kt_field(s, "data", "{\"user\":\"YWRtaW4=\"}");
	cr_assert_null(json_object_get(s, "stringData"));
	json_object_set_new(s, "type", json_string("kubernetes.io/tls"));
	KT_CHECK(s, NULL, "data[tls.crt]: Required value", "data[tls.key]: Required value");
	json_decref(s);
}

Test(secret, dockerconfigjson_must_be_json)
{
	json_t *s = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			     "\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":\"e30=\"}}");

	kt_valid(s, NULL);
	json_object_set_new(s, "type", json_string("kubernetes.io/dockerconfigjson"));
	json_object_set_new(s, "data", json_object());
	KT_CHECK(s, NULL, "data[.dockerconfigjson]: Required value");
	json_decref(s);
}

Test(rbac, course_clusterroles_are_valid)
{
	json_t *a = kt_load("manifests/clusterrole-createlist.yaml");
	json_t *b = kt_load("manifests/clusterrole-ingress.yaml");

	kt_valid(a, NULL);
	kt_valid(b, NULL);
	json_decref(a);
	json_decref(b);
}

Test(rbac, rule_requirements)
{
	json_t *r = kt_parse("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
			     "rules:\n- resources: [pods]\n- verbs: [get]\n  nonResourceURLs: [/healthz]\n");

	KT_CHECK(r, NULL,
		 "rules[0].verbs: Required value: verbs must contain at least one value",
		 "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
		 "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot "
		 "apply to non-resource URLs");
	json_decref(r);
}

Test(rbac, binding_defaults_and_checks)
{
	json_t *old = kt_parse("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
			       "metadata: {name: b, namespace: default}\n"
			       "roleRef: {kind: ClusterRole, name: createlist}\n"
			       "subjects:\n- {kind: User, name: alice}\n- {kind: ServiceAccount, name: default}\n");
	json_t *b = json_deep_copy(old);

	kt_valid(b, NULL);
	kt_field(b, "roleRef.apiGroup", "\"rbac.authorization.k8s.io\"");
	kt_field(b, "subjects.0.apiGroup", "\"rbac.authorization.k8s.io\"");
	json_object_set_new(kube__jpath(b, "roleRef"), "name", json_string("other"));
	json_array_append_new(kube__jpath(b, "subjects"), json_pack("{s:s,s:s}", "kind", "Robot", "name", "r2"));
	KT_CHECK(b, old,
		 "subjects[2].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", "
		 "\"User\", \"Group\"",
		 "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
		 "Kind:\"ClusterRole\", Name:\"other\"}: cannot change roleRef");
	json_decref(old);
	json_decref(b);
}

Test(rbac, clusterrolebinding_service_account_needs_namespace)
{
	json_t *b = kt_parse("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
			     "metadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Secret, name: x}\n"
			     "subjects:\n- {kind: ServiceAccount, name: default}\n");

	KT_CHECK(b, NULL,
		 "roleRef.kind: Unsupported value: \"Secret\": supported values: \"Role\", \"ClusterRole\"",
		 "subjects[0].namespace: Required value");
	json_decref(b);
}
