/*
 * ResourceQuota admission and the resourcequota controller: counts and
 * compute resources per namespace, upstream's 403 messages, status.used.
 */
#include "admission_test.h"

TestSuite(resource_quota, .init = adm_setup, .fini = adm_teardown);

#define POD(name, cpu, mem) "apiVersion: v1\nkind: Pod\nmetadata: {name: " name "}\nspec:\n" \
	"  containers:\n  - name: nginx\n    image: nginx:1.27\n    resources:\n" \
	"      requests: {cpu: " cpu "}\n      limits: {memory: " mem "}\n"

Test(resource_quota, pod_count_exceeded)
{
	apply_file("quota.yaml");
	json_decref(apply(POD("a", "100m", "128Mi")));
	json_decref(apply(POD("b", "100m", "128Mi")));
	expect_forbidden(POD("c", "100m", "128Mi"),
			 "pods \"c\" is forbidden: exceeded quota: compute, requested: pods=1, "
			 "used: pods=2, limited: pods=2");
}

Test(resource_quota, compute_exceeded)
{
	apply_file("quota.yaml");
	json_decref(apply(POD("a", "800m", "512Mi")));
	expect_forbidden(POD("b", "300m", "768Mi"),
			 "pods \"b\" is forbidden: exceeded quota: compute, requested: "
			 "limits.memory=768Mi,requests.cpu=300m, used: limits.memory=512Mi,requests.cpu=800m, "
			 "limited: limits.memory=1Gi,requests.cpu=1");
}

Test(resource_quota, must_specify)
{
	apply_file("quota.yaml");
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec:\n"
			 "  containers: [{name: c, image: nginx:1.27}, {name: b, image: nginx:1.27}]\n",
			 "pods \"bare\" is forbidden: failed quota: compute: must specify "
			 "limits.memory for: b,c; requests.cpu for: b,c");
}

Test(resource_quota, counts_and_nodeports)
{
	apply_file("quota.yaml");
	json_decref(apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n"));
	json_decref(apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n"));
	expect_forbidden("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: three}\n",
			 "configmaps \"three\" is forbidden: exceeded quota: compute, requested: "
			 "count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2");
	expect_forbidden("apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec:\n  type: NodePort\n"
			 "  selector: {app: a}\n  ports: [{name: a, port: 80}, {name: b, port: 81}]\n",
			 "services \"np\" is forbidden: exceeded quota: compute, requested: "
			 "services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1");
}

Test(resource_quota, other_namespaces_and_deleted_pods_do_not_count)
{
	apply_file("quota.yaml");
	json_decref(apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: free}\n"));
	json_decref(apply("apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: free}\nspec:\n"
			  "  containers: [{name: c, image: nginx:1.27}]\n"));
	json_decref(apply(POD("a", "100m", "128Mi")));
	json_decref(apply(POD("b", "100m", "128Mi")));
	cr_assert_eq(kube_delete(c, "pods", "default", "b", KUBE_PROPAGATION_DEFAULT), 0);
	json_decref(apply(POD("c", "100m", "128Mi")));
}

Test(resource_quota, status_used)
{
	const char *hard = "{\"pods\":\"2\",\"requests.cpu\":\"1\",\"limits.memory\":\"1Gi\","
			   "\"count/configmaps\":\"2\",\"services.nodeports\":\"1\"}";
	json_t *want_hard = json_loads(hard, 0, NULL), *q;
	char *out = NULL;

	apply_file("quota.yaml");
	json_decref(apply(POD("a", "250m", "128Mi")));
	json_decref(apply(POD("b", "500m", "256Mi")));
	json_decref(apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n"));
	cr_assert_eq(kube_wait(c, "resourcequotas", "default", "compute",
			       "jsonpath={.status.used.pods}=2", 5000), 0);
	cr_assert_eq(kube_get(c, "resourcequotas", "default", "compute", &out), 0);
	q = json_loads(out, 0, NULL);
	kube_free(out);
	cr_assert(json_equal(at(q, "status.hard"), want_hard));
	cr_assert_str_eq(json_string_value(json_object_get(at(q, "status.used"), "requests.cpu")), "750m");
	cr_assert_str_eq(json_string_value(json_object_get(at(q, "status.used"), "limits.memory")), "384Mi");
	cr_assert_str_eq(json_string_value(json_object_get(at(q, "status.used"), "count/configmaps")), "1");
	cr_assert_str_eq(json_string_value(json_object_get(at(q, "status.used"), "services.nodeports")), "0");
	json_decref(q);
	json_decref(want_hard);
	cr_assert_eq(kube_delete(c, "pods", "default", "a", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_eq(kube_wait(c, "resourcequotas", "default", "compute",
			       "jsonpath={.status.used.pods}=1", 5000), 0);
}
