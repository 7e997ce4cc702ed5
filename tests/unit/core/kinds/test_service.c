#include "kinds_test.h"

Test(service, course_multiport_defaults)
{
	json_t *svc = kt_load("manifests/service-clusterip-multiport.yaml");

	kt_valid(svc, NULL);
	kt_field(svc, "spec.sessionAffinity", "\"None\"");
	kt_field(svc, "spec.internalTrafficPolicy", "\"Cluster\"");
	kt_field(svc, "spec.ipFamilyPolicy", "\"SingleStack\"");
	kt_field(svc, "spec.ipFamilies", "[\"IPv4\"]");
	cr_assert_null(kube__jpath(svc, "spec.externalTrafficPolicy"));
	json_decref(svc);
}

Test(service, nodeport_defaults_and_target_port)
{
	json_t *svc = kt_load("manifests/service-nodeport.yaml");

	json_object_del(json_array_get(kube__jpath(svc, "spec.ports"), 0), "targetPort");
	kt_valid(svc, NULL);
	kt_field(svc, "spec.externalTrafficPolicy", "\"Cluster\"");
	kt_field(svc, "spec.ports.0.targetPort", "80");
	json_decref(svc);
}

Test(service, headless_fixed_typo_is_valid)
{
	json_t *svc = kt_load("manifests/service-headless-typo.yaml");
	json_t *spec = kube__jpath(svc, "spec");

	json_object_set(spec, "clusterIP", json_object_get(spec, "ClusterIP"));
	json_object_del(spec, "ClusterIP");
	kt_valid(svc, NULL);
	kt_field(svc, "spec.clusterIPs", "[\"None\"]");
	json_decref(svc);
}

Test(service, port_errors)
{
	json_t *svc = kt_parse("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n"
			       "  type: ClusterIP\n  clusterIP: 10.43.0.300\n  sessionAffinity: Sticky\n"
			       "  ports:\n  - {port: 0, protocol: HTTP}\n  - {name: a, port: 80, nodePort: 30080}\n"
			       "  - {name: a, port: 80, targetPort: Web_Port}\n");

	KT_CHECK(svc, NULL,
		 "spec.ports[0].name: Required value",
		 "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
		 "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
		 "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
		 "spec.ports[2].name: Duplicate value: \"a\"",
		 "spec.ports[2].targetPort: Invalid value: \"Web_Port\": must contain only alpha-numeric "
		 "characters (a-z, 0-9), and hyphens (-)",
		 "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"",
		 "spec.clusterIPs[0]: Invalid value: \"10.43.0.300\": must be a valid IP address, "
		 "(e.g. 10.9.8.7 or 2001:db8::ffff)",
		 "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
		 "spec.ports[2]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
		 "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
		 "StrVal:\"\"}, NodePort:0}");
	json_decref(svc);
}

Test(service, type_and_ports_required)
{
	json_t *svc = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},"
			       "\"spec\":{\"type\":\"Internal\"}}");

	KT_CHECK(svc, NULL, "spec.ports: Required value",
		 "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", "
		 "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
	json_decref(svc);
}
