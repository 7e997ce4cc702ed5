/*
 * The scheduler wired into the cluster: binding with PodScheduled and the
 * Scheduled event, unschedulable pods (condition, FailedScheduling, retry on
 * a relevant change), cordon, the dedicated-node recipe, preemption, and
 * pods for another scheduler left alone. Nodes are Node objects made by
 * hand (the node agent is another slice).
 */
#include "scheduling_helpers.h"

#define NS "default"

Test(scheduler_wiring, binds_with_condition_and_event)
{
	kube_cluster *c = sh_start(0);
	char buf[512];
	json_t *cond;

	sh_node(c, "node-1", "4", "8Gi", NULL, NULL, NULL);
	sh_pod(c, NS, "web", "100m", NULL);
	cr_assert_eq(sh_wait(c, "pods", NS, "web", "spec.nodeName", "node-1"), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "web", "condition=PodScheduled", 5000), 0);
	cond = sh_condition(c, "pods", NS, "web", "PodScheduled");
	cr_assert(json_is_null(json_object_get(cond, "lastProbeTime")));
	cr_assert(json_is_string(json_object_get(cond, "lastTransitionTime")));
	json_decref(cond);
	cr_assert_str_eq(sh_wait_event(c, NS, "web", "Scheduled", buf, sizeof(buf)),
			 "Successfully assigned default/web to node-1");
	kube_cluster_free(c);
}

Test(scheduler_wiring, unschedulable_then_retried_when_a_node_fits)
{
	kube_cluster *c = sh_start(0);
	char buf[1024];
	const char *want = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
			   "available: 1 No preemption victims found for incoming pod.";
	json_t *cond;

	sh_node(c, "small", "1", "8Gi", NULL, NULL, NULL);
	sh_pod(c, NS, "big", "2", NULL);
	cr_assert_eq(kube_wait(c, "pods", NS, "big", "condition=PodScheduled=false", 5000), 0);
	cond = sh_condition(c, "pods", NS, "big", "PodScheduled");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "Unschedulable");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "message")), want);
	json_decref(cond);
	cr_assert_str_eq(sh_wait_event(c, NS, "big", "FailedScheduling", buf, sizeof(buf)), want);
	cr_assert_str_eq(sh_str(c, "pods", NS, "big", "spec.nodeName", buf, sizeof(buf)), "");

	sh_node(c, "large", "4", "8Gi", NULL, NULL, NULL);
	cr_assert_eq(sh_wait(c, "pods", NS, "big", "spec.nodeName", "large"), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "big", "condition=PodScheduled", 5000), 0);
	kube_cluster_free(c);
}

Test(scheduler_wiring, cordoned_node_is_skipped_until_uncordoned)
{
	kube_cluster *c = sh_start(0);
	char buf[512];
	json_t *cond;

	sh_node(c, "node-1", "4", "8Gi", NULL, NULL, NULL);
	sh_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
		    "\"spec\":{\"unschedulable\":true}}");
	sh_pod(c, NS, "p", "100m", NULL);
	cr_assert_eq(kube_wait(c, "pods", NS, "p", "condition=PodScheduled=false", 5000), 0);
	cond = sh_condition(c, "pods", NS, "p", "PodScheduled");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "message")),
			 "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 "
			 "nodes are available: 1 Preemption is not helpful for scheduling.");
	json_decref(cond);
	sh_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
		    "\"spec\":{\"unschedulable\":false}}");
	cr_assert_eq(sh_wait(c, "pods", NS, "p", "spec.nodeName", "node-1"), 0);
	(void)buf;
	kube_cluster_free(c);
}

/* The course's dedicated nodes: taint and label node-1; pods that tolerate
 * the taint and select the label land there and nowhere else, the others
 * never land there. */
Test(scheduler_wiring, dedicated_node_recipe)
{
	kube_cluster *c = sh_start(0);
	const char *special = "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
			      "\"value\":\"special\",\"effect\":\"NoSchedule\"}],"
			      "\"nodeSelector\":{\"dedicated\":\"special\"}";
	char name[32], buf[64];

	sh_node(c, "node-1", "8", "16Gi", "{\"dedicated\":\"special\"}",
		"[{\"key\":\"dedicated\",\"value\":\"special\",\"effect\":\"NoSchedule\"}]", NULL);
	sh_node(c, "node-2", "8", "16Gi", NULL, NULL, NULL);
	sh_node(c, "node-3", "8", "16Gi", NULL, NULL, NULL);
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "special-%d", i);
		sh_pod(c, NS, name, "100m", special);
		snprintf(name, sizeof(name), "plain-%d", i);
		sh_pod(c, NS, name, "100m", NULL);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "special-%d", i);
		cr_assert_eq(kube_wait(c, "pods", NS, name, "condition=PodScheduled", 5000), 0);
		cr_assert_str_eq(sh_str(c, "pods", NS, name, "spec.nodeName", buf, sizeof(buf)),
				 "node-1");
		snprintf(name, sizeof(name), "plain-%d", i);
		cr_assert_eq(kube_wait(c, "pods", NS, name, "condition=PodScheduled", 5000), 0);
		cr_assert_str_neq(sh_str(c, "pods", NS, name, "spec.nodeName", buf, sizeof(buf)),
				  "node-1");
	}
	/* with the other nodes gone, the plain pods never go to node-1 */
	cr_assert_eq(kube_delete(c, "nodes", NULL, "node-2", 0), 0);
	cr_assert_eq(kube_delete(c, "nodes", NULL, "node-3", 0), 0);
	sh_pod(c, NS, "plain-late", "100m", NULL);
	cr_assert_eq(kube_wait(c, "pods", NS, "plain-late", "condition=PodScheduled=false", 5000), 0);
	{
		json_t *cond = sh_condition(c, "pods", NS, "plain-late", "PodScheduled");

		cr_assert_str_eq(json_string_value(json_object_get(cond, "message")),
				 "0/1 nodes are available: 1 node(s) had untolerated taint "
				 "{dedicated: special}. preemption: 0/1 nodes are available: 1 "
				 "Preemption is not helpful for scheduling.");
		json_decref(cond);
	}
	kube_cluster_free(c);
}

Test(scheduler_wiring, preemption_evicts_lower_priority_and_nominates)
{
	kube_cluster *c = sh_start(0);
	char buf[512], want[256];
	json_t *hi;

	sh_node(c, "node-1", "1", "8Gi", NULL, NULL, NULL);
	/* priorities come from PriorityClasses (the Priority admission plugin) */
	sh_apply(c, "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\","
		    "\"metadata\":{\"name\":\"high\"},\"value\":1000}");
	sh_pod(c, NS, "low", "800m", NULL);
	cr_assert_eq(sh_wait(c, "pods", NS, "low", "spec.nodeName", "node-1"), 0);
	sh_pod(c, NS, "high", "800m", "\"priorityClassName\":\"high\"");
	cr_assert_eq(kube_wait(c, "pods", NS, "low", "delete", 5000), 0);
	hi = sh_get(c, "pods", NS, "high");
	snprintf(want, sizeof(want), "Preempted by pod %s on node node-1",
		 json_string_value(json_object_get(json_object_get(hi, "metadata"), "uid")));
	json_decref(hi);
	cr_assert_str_eq(sh_wait_event(c, NS, "low", "Preempted", buf, sizeof(buf)), want);
	cr_assert_str_eq(sh_wait_event(c, NS, "high", "FailedScheduling", buf, sizeof(buf)),
			 "0/1 nodes are available: 1 Insufficient cpu.");
	cr_assert_eq(sh_wait(c, "pods", NS, "high", "spec.nodeName", "node-1"), 0);
	cr_assert_str_eq(sh_str(c, "pods", NS, "high", "status.nominatedNodeName", buf, sizeof(buf)),
			 "node-1");
	kube_cluster_free(c);
}

Test(scheduler_wiring, other_schedulers_pods_are_left_alone)
{
	kube_cluster *c = sh_start(0);
	char buf[64];

	sh_node(c, "node-1", "4", "8Gi", NULL, NULL, NULL);
	sh_pod(c, NS, "mine", "100m", NULL);
	sh_pod(c, NS, "theirs", "100m", "\"schedulerName\":\"my-scheduler\"");
	cr_assert_eq(sh_wait(c, "pods", NS, "mine", "spec.nodeName", "node-1"), 0);
	cr_assert_null(sh_condition(c, "pods", NS, "theirs", "PodScheduled"));
	cr_assert_str_eq(sh_str(c, "pods", NS, "theirs", "spec.nodeName", buf, sizeof(buf)), "");
	kube_cluster_free(c);
}

Test(scheduler_wiring, many_pods_bind_in_batches)
{
	kube_cluster *c = sh_start(0);
	char name[32], *out = NULL;
	json_t *list, *p;
	size_t i;
	int bound = 0;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "node-%zu", i);
		sh_node(c, name, "4", "8Gi", NULL, NULL, NULL);
	}
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "p-%zu", i);
		sh_pod(c, NS, name, "10m", NULL);
	}
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "p-%zu", i);
		cr_assert_eq(kube_wait(c, "pods", NS, name, "condition=PodScheduled", 5000), 0);
	}
	cr_assert_eq(kube_list(c, "pods", NS, NULL, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(list, "items"), i, p)
		bound += json_is_string(json_object_get(json_object_get(p, "spec"), "nodeName"));
	json_decref(list);
	cr_assert_eq(bound, 600);
	kube_cluster_free(c);
}
