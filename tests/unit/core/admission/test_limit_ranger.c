/*
 * LimitRanger: defaults with the kubernetes.io/limit-ranger note, min, max
 * and ratio per container, pod and claim, upstream's messages.
 */
#include "admission_test.h"

TestSuite(limit_ranger, .init = adm_setup, .fini = adm_teardown);

Test(limit_ranger, defaults_and_annotation)
{
	json_t *pod;

	apply_file("limitrange.yaml");
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {name: nginx, image: nginx:1.27, resources: {requests: {memory: 64Mi}}}\n");
	cr_assert_str_eq(str_at(pod, "spec.containers[0].resources.requests.cpu"), "250m");
	cr_assert_str_eq(str_at(pod, "spec.containers[0].resources.requests.memory"), "64Mi");
	cr_assert_str_eq(str_at(pod, "spec.containers[0].resources.limits.cpu"), "500m");
	cr_assert_str_eq(str_at(pod, "spec.containers[0].resources.limits.memory"), "256Mi");
	cr_assert_str_eq(json_string_value(json_object_get(at(pod, "metadata.annotations"),
							   "kubernetes.io/limit-ranger")),
			 "LimitRanger plugin set: cpu request for container nginx; "
			 "cpu, memory limit for container nginx");
	cr_assert_str_eq(str_at(pod, "status.qosClass"), "Burstable");
	json_decref(pod);
	/* re-applying the manifest keeps the defaults */
	json_decref(apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
			  "  - {name: nginx, image: nginx:1.27, resources: {requests: {memory: 64Mi}}}\n"));
}

Test(limit_ranger, maximum_exceeded)
{
	apply_file("limitrange.yaml");
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n"
			 "  - {name: nginx, image: nginx:1.27, resources: {limits: {cpu: \"2\"}}}\n",
			 "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
}

Test(limit_ranger, several_violations)
{
	apply_file("limitrange.yaml");
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: odd}\nspec:\n  containers:\n"
			 "  - name: nginx\n    image: nginx:1.27\n    resources:\n"
			 "      requests: {cpu: 50m}\n      limits: {cpu: 800m, memory: 2Gi}\n",
			 "pods \"odd\" is forbidden: [minimum cpu usage per Container is 100m, but request "
			 "is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi, cpu max "
			 "limit to request ratio per Container is 4, but provided ratio is 16.000000]");
}

Test(limit_ranger, pod_and_claim_limits)
{
	json_decref(apply("apiVersion: v1\nkind: LimitRange\nmetadata: {name: pod-pvc}\nspec:\n  limits:\n"
			  "  - {type: Pod, max: {memory: 1Gi}}\n"
			  "  - {type: PersistentVolumeClaim, min: {storage: 1Gi}, max: {storage: 10Gi}}\n"));
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec:\n  containers:\n"
			 "  - {name: a, image: nginx:1.27, resources: {limits: {memory: 768Mi}}}\n"
			 "  - {name: b, image: nginx:1.27, resources: {limits: {memory: 512Mi}}}\n",
			 "pods \"two\" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1280Mi");
	expect_forbidden("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: small}\nspec:\n"
			 "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 500Mi}}\n",
			 "persistentvolumeclaims \"small\" is forbidden: minimum storage usage per "
			 "PersistentVolumeClaim is 1Gi, but request is 500Mi");
}
