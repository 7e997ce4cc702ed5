#include "kinds_test.h"

Test(namespace, defaults)
{
	json_t *ns = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"dev\"}}");

	kt_valid(ns, NULL);
	kt_field(ns, "spec.finalizers", "[\"kubernetes\"]");
	kt_field(ns, "status.phase", "\"Active\"");
	kt_field(ns, "metadata.labels", "{\"kubernetes.io/metadata.name\":\"dev\"}");
	json_decref(ns);
}

Test(storage, pvc_defaults_and_required)
{
	json_t *pvc = kt_parse("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n"
			       "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n");

	kt_valid(pvc, NULL);
	kt_field(pvc, "spec.volumeMode", "\"Filesystem\"");
	kt_field(pvc, "status.phase", "\"Pending\"");
	json_object_set_new(kube__jpath(pvc, "spec"), "accessModes", json_pack("[s]", "ReadWriteAll"));
	json_object_set_new(kube__jpath(pvc, "spec"), "resources", json_object());
	KT_CHECK(pvc, NULL, "spec.resources[storage]: Required value",
		 "spec.accessModes: Unsupported value: \"ReadWriteAll\": supported values: \"ReadOnlyMany\", "
		 "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
	json_decref(pvc);
}

Test(storage, pv_and_storageclass_defaults)
{
	json_t *pv = kt_parse("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n"
			      "  accessModes: [ReadWriteOnce]\n  capacity: {storage: 5Gi}\n  hostPath: {path: /srv}\n");
	json_t *sc = kt_parse("{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\","
			      "\"metadata\":{\"name\":\"local\"},\"provisioner\":\"rancher.io/local-path\"}");

	kt_valid(pv, NULL);
	kt_field(pv, "spec.persistentVolumeReclaimPolicy", "\"Retain\"");
	kt_field(pv, "spec.volumeMode", "\"Filesystem\"");
	kt_valid(sc, NULL);
	kt_field(sc, "reclaimPolicy", "\"Delete\"");
	kt_field(sc, "volumeBindingMode", "\"Immediate\"");
	json_decref(pv);
	json_decref(sc);
}

Test(networking, ingress_rules)
{
	json_t *ing = kt_parse("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n"
			       "  rules:\n  - host: 10.0.0.1\n    http:\n      paths:\n"
			       "      - {path: api, pathType: Prefix, backend: {service: {name: web}}}\n"
			       "      - {path: /, backend: {service: {name: web, port: {number: 80}}}}\n");

	KT_CHECK(ing, NULL,
		 "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
		 "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path",
		 "spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
		 "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified");
	json_decref(ing);
}

Test(networking, networkpolicy_defaults_and_ports)
{
	json_t *np = kt_parse("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\n"
			      "spec:\n  podSelector: {}\n  egress:\n  - ports: [{port: 53}]\n"
			      "  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]\n");

	KT_CHECK(np, NULL, "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": "
		 "must be a strict subset of `cidr`");
	kt_field(np, "spec.policyTypes", "[\"Ingress\",\"Egress\"]");
	kt_field(np, "spec.egress.0.ports.0.protocol", "\"TCP\"");
	json_decref(np);
}

Test(policy, priorityclass_and_pdb)
{
	json_t *pc = kt_parse("{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\","
			      "\"metadata\":{\"name\":\"high\"},\"value\":2000000000}");
	json_t *pdb = kt_parse("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
			       "spec: {maxUnavailable: 150%, selector: {matchLabels: {app: web}}}\n");

	KT_CHECK(pc, NULL, "value: Forbidden: maximum allowed value of a user defined priority is 1000000000");
	kt_field(pc, "preemptionPolicy", "\"PreemptLowerPriority\"");
	KT_CHECK(pdb, NULL, "spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%");
	json_decref(pc);
	json_decref(pdb);
}

Test(misc, endpoints_slices_and_limits)
{
	json_t *ep = kt_parse("apiVersion: v1\nkind: Endpoints\nmetadata: {name: e}\nsubsets:\n"
			      "- addresses: [{ip: 127.0.0.1}]\n  ports: [{port: 80}]\n");
	json_t *es = kt_parse("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\n"
			      "addressType: IPX\nendpoints: [{addresses: []}]\nports: [{port: 80}]\n");
	json_t *lr = kt_parse("apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n"
			      "  - type: Container\n    max: {cpu: 500m}\n    min: {cpu: '1'}\n");

	KT_CHECK(ep, NULL, "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the "
		 "loopback range (127.0.0.0/8, ::1/128)");
	kt_field(ep, "subsets.0.ports.0.protocol", "\"TCP\"");
	KT_CHECK(es, NULL, "endpoints[0].addresses: Required value: must contain at least 1 address",
		 "addressType: Unsupported value: \"IPX\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
	kt_field(es, "ports.0", "{\"port\":80,\"name\":\"\",\"protocol\":\"TCP\"}");
	KT_CHECK(lr, NULL,
		 "spec.limits[0].min[cpu]: Invalid value: 1: min value 1 is greater than max value 500m",
		 "spec.limits[0].defaultRequest[cpu]: Invalid value: 500m: min value 1 is greater than "
		 "default request value 500m",
		 "spec.limits[0].default[cpu]: Invalid value: 1: min value 1 is greater than default value 500m");
	kt_field(lr, "spec.limits.0.default", "{\"cpu\":\"500m\"}");
	json_decref(ep);
	json_decref(es);
	json_decref(lr);
}
