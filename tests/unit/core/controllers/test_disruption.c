/*
 * PodDisruptionBudget status: minAvailable as a number and a percentage,
 * maxUnavailable against the controllers' scale (a Deployment through its
 * ReplicaSet), the DisruptionAllowed condition, and the fail-safe when a
 * pod has no controller. ReplicaSets and Deployments are made by hand (their
 * controllers are another slice) and pods are marked Ready by the test.
 */
#include "scheduling_helpers.h"

#define NS "default"

/* A pod labelled app=web, Ready or not, owned by @p owner_json (NULL: none). */
static void web_pod(kube_cluster *c, const char *name, bool ready, const char *owner_json)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":"
		 "{\"app\":\"web\"}%s%s%s},\"spec\":{\"schedulerName\":\"none\",\"containers\":"
		 "[{\"name\":\"c\",\"image\":\"nginx\"}]}}", name,
		 owner_json ? ",\"ownerReferences\":[" : "", owner_json ? owner_json : "",
		 owner_json ? "]" : "");
	sh_apply(c, buf);
	sh_set_status(c, "pods", NS, name,
		      json_pack("{s:s, s:[{s:s, s:s}]}", "phase", "Running", "conditions", "type",
				"Ready", "status", ready ? "True" : "False"));
}

static void pdb(kube_cluster *c, const char *field, const char *value)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":"
		 "{\"name\":\"web\"},\"spec\":{\"%s\":%s,\"selector\":{\"matchLabels\":"
		 "{\"app\":\"web\"}}}}", field, value);
	sh_apply(c, buf);
}

static json_int_t status_int(kube_cluster *c, const char *field)
{
	json_t *p = sh_get(c, "pdb", NS, "web");
	json_int_t v = json_integer_value(json_object_get(json_object_get(p, "status"), field));

	json_decref(p);
	return v;
}

static void wait_allowed(kube_cluster *c, const char *n)
{
	cr_assert_eq(sh_wait(c, "pdb", NS, "web", "status.disruptionsAllowed", n), 0,
		     "disruptionsAllowed never became %s", n);
}

Test(disruption, min_available_number)
{
	kube_cluster *c = sh_start(0);
	json_t *cond;

	web_pod(c, "a", true, NULL);
	web_pod(c, "b", true, NULL);
	web_pod(c, "c", true, NULL);
	pdb(c, "minAvailable", "2");
	wait_allowed(c, "1");
	cr_assert_eq(status_int(c, "expectedPods"), 3);
	cr_assert_eq(status_int(c, "desiredHealthy"), 2);
	cr_assert_eq(status_int(c, "currentHealthy"), 3);
	cr_assert_eq(status_int(c, "observedGeneration"), 1);
	cond = sh_condition(c, "pdb", NS, "web", "DisruptionAllowed");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "status")), "True");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "SufficientPods");
	json_decref(cond);

	sh_set_status(c, "pods", NS, "c", json_pack("{s:s, s:[{s:s, s:s}]}", "phase", "Running",
						    "conditions", "type", "Ready", "status", "False"));
	wait_allowed(c, "0");
	cr_assert_eq(status_int(c, "currentHealthy"), 2);
	cond = sh_condition(c, "pdb", NS, "web", "DisruptionAllowed");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "status")), "False");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "InsufficientPods");
	json_decref(cond);

	cr_assert_eq(kube_delete(c, "pods", NS, "b", 0), 0);
	cr_assert_eq(sh_wait(c, "pdb", NS, "web", "status.expectedPods", "2"), 0);
	cr_assert_eq(status_int(c, "currentHealthy"), 1);
	kube_cluster_free(c);
}

Test(disruption, max_unavailable_percent_scales_with_the_controller)
{
	kube_cluster *c = sh_start(0);
	char buf[1024];
	const char *tmpl = "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":"
			   "{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
			   "\"image\":\"nginx\"}]}}";

	/* four matching pods first: the ReplicaSet adopts them and creates none */
	web_pod(c, "a", true, NULL);
	web_pod(c, "b", true, NULL);
	web_pod(c, "c", true, NULL);
	web_pod(c, "d", false, NULL);
	snprintf(buf, sizeof(buf), "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":"
		 "{\"name\":\"web-1\"},\"spec\":{\"replicas\":4,%s}}", tmpl);
	sh_apply(c, buf);
	pdb(c, "maxUnavailable", "\"25%\"");
	/* the controller's 4 replicas: desired 4 - ceil(25% of 4) */
	cr_assert_eq(sh_wait(c, "pdb", NS, "web", "status.expectedPods", "4"), 0);
	cr_assert_eq(status_int(c, "desiredHealthy"), 3);
	cr_assert_eq(status_int(c, "currentHealthy"), 3);
	cr_assert_eq(status_int(c, "disruptionsAllowed"), 0);
	sh_set_status(c, "pods", NS, "d", json_pack("{s:s, s:[{s:s, s:s}]}", "phase", "Running",
						    "conditions", "type", "Ready", "status", "True"));
	wait_allowed(c, "1");
	kube_cluster_free(c);
}

Test(disruption, percent_without_controller_fails_safe)
{
	kube_cluster *c = sh_start(0);
	char buf[512];
	json_t *cond;

	web_pod(c, "orphan", true, NULL);
	pdb(c, "minAvailable", "\"50%\"");
	cr_assert_eq(kube_wait(c, "pdb", NS, "web", "condition=DisruptionAllowed=false", 5000), 0);
	cond = sh_condition(c, "pdb", NS, "web", "DisruptionAllowed");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "SyncFailed");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "message")),
			 "found no controller ref for pod \"orphan\"");
	json_decref(cond);
	cr_assert_eq(status_int(c, "disruptionsAllowed"), 0);
	cr_assert_str_eq(sh_wait_event(c, NS, "web", "CalculateExpectedPodCountFailed", buf,
				       sizeof(buf)),
			 "Failed to calculate the number of expected pods: found no controller "
			 "ref for pod \"orphan\"");
	kube_cluster_free(c);
}

Test(disruption, no_matching_pods)
{
	kube_cluster *c = sh_start(0);
	char buf[256];
	json_t *cond;

	pdb(c, "minAvailable", "1");
	cr_assert_eq(kube_wait(c, "pdb", NS, "web", "condition=DisruptionAllowed=false", 5000), 0);
	cond = sh_condition(c, "pdb", NS, "web", "DisruptionAllowed");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "InsufficientPods");
	json_decref(cond);
	cr_assert_eq(status_int(c, "expectedPods"), 0);
	cr_assert_eq(status_int(c, "desiredHealthy"), 1);
	cr_assert_str_eq(sh_wait_event(c, NS, "web", "NoPods", buf, sizeof(buf)),
			 "No matching pods found");
	kube_cluster_free(c);
}
