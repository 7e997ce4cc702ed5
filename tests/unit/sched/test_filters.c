/*
 * Filter plugins one by one, and the unschedulable message text.
 */
#include "sched_helpers.h"

static struct sched *s;
static struct sched_decision d;

static void setup(void) { s = new_sched(); cr_assert(s); }
static void teardown(void) { sched_decision_clear(&d); sched_free(s); }

TestSuite(filters, .init = setup, .fini = teardown);

Test(filters, binds_pod_that_fits)
{
	add_node(s, "n1", "4", "8Gi", "", "{}");
	add_pod(s, "p", "500m", "1Gi", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.node, "n1");
	cr_assert_str_eq(d.ns, "default");
	cr_assert_str_eq(d.name, "p");
	cr_assert_str_eq(sched_pod_node(s, "default", "p"), "n1");
	sched_decision_clear(&d);
	cr_assert_eq(sched_schedule_next(s, &d), 0);
}

Test(filters, message_taint_and_insufficient_cpu)
{
	add_node(s, "cp", "8", "8Gi", "",
		 "{\"taints\":[{\"key\":\"node-role.kubernetes.io/control-plane\",\"effect\":\"NoSchedule\"}]}");
	add_node(s, "w1", "1", "8Gi", "", "{}");
	add_node(s, "w2", "1", "8Gi", "", "{}");
	add_pod(s, "big", "2", "", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert_str_eq(d.message,
		"0/3 nodes are available: 1 node(s) had untolerated taint "
		"{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes "
		"are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims "
		"found for incoming pod.");
	cr_assert_eq(sched_queue_unschedulable(s), 1);
}

Test(filters, message_multiple_resources_per_node)
{
	add_node(s, "n1", "1", "1Gi", "", "{}");
	add_pod(s, "p", "2", "2Gi", "", "\"preemptionPolicy\":\"Never\"");
	next(s, &d);
	cr_assert_str_eq(d.message, "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
			 "preemption: not eligible due to preemptionPolicy=Never.");
}

Test(filters, too_many_pods)
{
	json_t *n = js("{\"metadata\":{\"name\":\"n\"},\"status\":{\"allocatable\":"
		       "{\"cpu\":\"4\",\"memory\":\"4Gi\",\"pods\":\"1\"}}}");
	cr_assert_eq(sched_node_upsert(s, n), 0);
	json_decref(n);
	add_bound(s, "a", "n", "", "", "", "");
	add_pod(s, "b", "", "", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "0/1 nodes are available: 1 Too many pods."), "%s", d.message);
}

Test(filters, cordoned_node_and_toleration)
{
	add_node(s, "n1", "4", "8Gi", "", "{\"unschedulable\":true}");
	add_pod(s, "p", "", "", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(!strncmp(d.message, "0/1 nodes are available: 1 node(s) were unschedulable.", 54),
		  "%s", d.message);
	sched_decision_clear(&d);
	add_pod(s, "q", "", "", "", "\"tolerations\":[{\"key\":\"node.kubernetes.io/unschedulable\","
		"\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.name, "q");
}

Test(filters, dedicated_node_recipe)
{
	const char *tol = "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
			  "\"value\":\"gpu\",\"effect\":\"NoSchedule\"}],"
			  "\"nodeSelector\":{\"dedicated\":\"gpu\"}";
	char name[32];

	add_node(s, "n1", "8", "8Gi", "", "{}");
	add_node(s, "n2", "8", "8Gi", "", "{}");
	add_node(s, "gpu", "8", "8Gi", "\"dedicated\":\"gpu\"",
		 "{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}");
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "ded%d", i);
		add_pod(s, name, "100m", "", "", tol);
		snprintf(name, sizeof(name), "other%d", i);
		add_pod(s, name, "100m", "", "", "");
	}
	for (int i = 0; i < 12; i++) {
		next(s, &d);
		cr_assert_eq(d.kind, SCHED_BIND);
		if (!strncmp(d.name, "ded", 3))
			cr_assert_str_eq(d.node, "gpu", "%s went to %s", d.name, d.node);
		else
			cr_assert_str_neq(d.node, "gpu", "%s went to the dedicated node", d.name);
		sched_decision_clear(&d);
	}
}

Test(filters, toleration_operators)
{
	add_node(s, "n1", "8", "8Gi", "",
		 "{\"taints\":[{\"key\":\"a\",\"value\":\"1\",\"effect\":\"NoExecute\"},"
		 "{\"key\":\"b\",\"value\":\"2\",\"effect\":\"NoSchedule\"}]}");
	add_pod(s, "wrong-value", "", "", "", "\"tolerations\":[{\"key\":\"a\",\"value\":\"2\"},"
		"{\"key\":\"b\",\"operator\":\"Exists\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "1 node(s) had untolerated taint {a: 1}."), "%s", d.message);
	sched_decision_clear(&d);
	add_pod(s, "wrong-effect", "", "", "", "\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\","
		"\"effect\":\"NoSchedule\"},{\"key\":\"b\",\"operator\":\"Exists\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	sched_decision_clear(&d);
	add_pod(s, "everything", "", "", "", "\"tolerations\":[{\"operator\":\"Exists\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.name, "everything");
}

static const char *affinity_pod(const char *expr)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
		 "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[%s]}}}", expr);
	return buf;
}

/* Which of n-small (cores=4, disk=ssd), n-big (cores=64) a term selects. */
static const char *place_with(const char *term)
{
	static char node[512];

	add_pod(s, "p", "", "", "", affinity_pod(term));
	next(s, &d);
	snprintf(node, sizeof(node), "%s", d.kind == SCHED_BIND ? d.node : d.message);
	sched_pod_remove(s, "default", "p");
	sched_decision_clear(&d);
	return node;
}

Test(filters, node_affinity_operators)
{
	add_node(s, "n-small", "8", "8Gi", "\"cores\":\"4\",\"disk\":\"ssd\"", "{}");
	add_node(s, "n-big", "8", "8Gi", "\"cores\":\"64\"", "{}");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\","
				    "\"values\":[\"ssd\",\"nvme\"]}]}"), "n-small");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"NotIn\","
				    "\"values\":[\"ssd\"]}]}"), "n-big");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"}]}"),
			 "n-small");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\","
				    "\"operator\":\"DoesNotExist\"}]}"), "n-big");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Gt\","
				    "\"values\":[\"8\"]}]}"), "n-big");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Lt\","
				    "\"values\":[\"8\"]}]}"), "n-small");
	cr_assert_str_eq(place_with("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-big\"]}]}"), "n-big");
	/* Terms are ORed, requirements within a term ANDed. */
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"},"
				    "{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"8\"]}]},"
				    "{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-big\"]}]}"), "n-big");
	cr_assert_str_eq(place_with("{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"},"
				    "{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"8\"]}]}"),
			 "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. "
			 "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
}

/* Upstream's NodeAffinity PreFilter: when every term names nodes, only
 * those are filtered; the others "didn't satisfy plugin(s) [NodeAffinity]";
 * names that exclude each other within every term reject the pod. */
Test(filters, match_fields_prefilter)
{
	add_node(s, "n-small", "8", "8Gi", "\"cores\":\"4\",\"disk\":\"ssd\"", "{}");
	add_node(s, "n-big", "8", "8Gi", "\"cores\":\"64\"", "{}");
	add_node(s, "n-other", "8", "8Gi", "", "{}");
	cr_assert_str_eq(place_with("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-big\",\"n-gone\"]}],\"matchExpressions\":"
				    "[{\"key\":\"disk\",\"operator\":\"Exists\"}]}"),
			 "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
			 "2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are "
			 "available: 3 Preemption is not helpful for scheduling.");
	cr_assert_str_eq(place_with("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-gone\"]}]}"),
			 "0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
			 "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
	cr_assert_str_eq(place_with("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-big\"]},{\"key\":\"metadata.name\",\"operator\":"
				    "\"In\",\"values\":[\"n-small\"]}]}"),
			 "0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes "
			 "are available: 3 Preemption is not helpful for scheduling.");
	/* a term without names lets every node through */
	cr_assert_str_eq(place_with("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
				    "\"values\":[\"n-gone\"]}]},{\"matchExpressions\":[{\"key\":"
				    "\"disk\",\"operator\":\"Exists\"}]}"), "n-small");
}

Test(filters, node_selector_and_affinity_both_apply)
{
	add_node(s, "a", "8", "8Gi", "\"zone\":\"z1\",\"disk\":\"ssd\"", "{}");
	add_node(s, "b", "8", "8Gi", "\"zone\":\"z1\"", "{}");
	add_pod(s, "p", "", "", "", "\"nodeSelector\":{\"zone\":\"z1\"},\"affinity\":{\"nodeAffinity\":"
		"{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{"
		"\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\"]}]}]}}}");
	next(s, &d);
	cr_assert_str_eq(d.node, "a");
}

Test(filters, host_ports)
{
	const char *port80 = "\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,"
			     "\"hostPort\":8080}]}]";
	char spec[512];

	add_node(s, "n1", "8", "8Gi", "", "{}");
	snprintf(spec, sizeof(spec), "\"nodeName\":\"n1\",%s", port80);
	add_pod(s, "bound", "", "", "", spec);
	add_pod(s, "p", "", "", "", port80);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "1 node(s) didn't have free ports for the requested pod ports."),
		  "%s", d.message);
	sched_decision_clear(&d);
	add_pod(s, "udp", "", "", "", "\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,"
		"\"hostPort\":8080,\"protocol\":\"UDP\"}]}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND, "%s", d.message);
	/* Deleting the holder frees the port and retries the parked pod. */
	sched_decision_clear(&d);
	cr_assert_eq(sched_pod_remove(s, "default", "bound"), 0);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.name, "p");
}

Test(filters, init_containers_and_sidecars)
{
	add_node(s, "n1", "4", "8Gi", "", "{}");
	/* containers 1 + sidecar 1 = 2; init 2 + the sidecar started before it = 3: max 3 */
	add_pod(s, "a", "", "", "", "\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\","
		"\"resources\":{\"requests\":{\"cpu\":\"1\"}}},{\"name\":\"init\",\"resources\":"
		"{\"requests\":{\"cpu\":\"2\"}}}],\"containers\":[{\"name\":\"c\",\"resources\":"
		"{\"requests\":{\"cpu\":\"1\"}}}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	sched_decision_clear(&d);
	/* total 100m, init peak 900m + 100m = 1: exactly what is left */
	add_pod(s, "b", "", "", "", "\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\","
		"\"resources\":{\"requests\":{\"cpu\":\"100m\"}}},{\"name\":\"init\",\"resources\":"
		"{\"requests\":{\"cpu\":\"900m\"}}}],\"containers\":[{\"name\":\"c\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND, "%s", d.message);
	sched_decision_clear(&d);
	add_pod(s, "c", "", "", "", "\"overhead\":{\"cpu\":\"10m\"},\"containers\":[{\"name\":\"c\"}]");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "1 Insufficient cpu."), "%s", d.message);
}

Test(filters, extended_resources)
{
	json_t *n = js("{\"metadata\":{\"name\":\"g\"},\"status\":{\"allocatable\":{\"cpu\":\"8\","
		       "\"memory\":\"8Gi\",\"pods\":\"10\",\"nvidia.com/gpu\":\"2\"}}}");
	cr_assert_eq(sched_node_upsert(s, n), 0);
	json_decref(n);
	add_node(s, "plain", "8", "8Gi", "", "{}");
	const char *gpu = "\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":"
			  "{\"nvidia.com/gpu\":\"2\"}}}]";
	add_pod(s, "a", "", "", "", gpu);
	next(s, &d);
	cr_assert_str_eq(d.node, "g");
	sched_decision_clear(&d);
	add_pod(s, "b", "", "", "", gpu);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "0/2 nodes are available: 2 Insufficient nvidia.com/gpu."),
		  "%s", d.message);
}

static const char *vol_hook(void *ud, const char *ns, const char *const *claims, int n,
			    const char *node)
{
	(void)ud;
	cr_assert_str_eq(ns, "default");
	cr_assert_eq(n, 1);
	cr_assert_str_eq(claims[0], "data");
	return strcmp(node, "local") ? "node(s) had volume node affinity conflict" : NULL;
}

Test(filters, volume_binding_hook)
{
	struct sched_config cfg;

	sched_free(s);
	sched_config_default(&cfg);
	cfg.volume_filter = vol_hook;
	s = sched_new(&cfg);
	add_node(s, "a", "8", "8Gi", "", "{}");
	add_node(s, "local", "8", "8Gi", "", "{}");
	add_node(s, "b", "8", "8Gi", "", "{}");
	add_pod(s, "p", "", "", "", "\"volumes\":[{\"name\":\"v\",\"persistentVolumeClaim\":"
		"{\"claimName\":\"data\"}}]");
	next(s, &d);
	cr_assert_str_eq(d.node, "local");
}

Test(filters, other_schedulers_are_left_alone)
{
	add_node(s, "n1", "4", "8Gi", "", "{}");
	add_pod(s, "mine", "", "", "", "\"schedulerName\":\"default-scheduler\"");
	add_pod(s, "theirs", "", "", "", "\"schedulerName\":\"my-scheduler\"");
	add_pod(s, "empty", "", "", "", "\"schedulerName\":\"\"");
	cr_assert_eq(sched_queue_active(s), 2, "%d", sched_queue_active(s));
	cr_assert_eq(sched_run(s, 0, NULL, NULL), 2);
	cr_assert_null(sched_pod_node(s, "default", "theirs"));

	struct sched_config cfg;
	struct sched *other;
	sched_config_default(&cfg);
	cfg.scheduler_name = "my-scheduler";
	other = sched_new(&cfg);
	add_node(other, "n1", "4", "8Gi", "", "{}");
	add_pod(other, "mine", "", "", "", "");
	add_pod(other, "theirs", "", "", "", "\"schedulerName\":\"my-scheduler\"");
	cr_assert_eq(sched_queue_active(other), 1);
	next(other, &d);
	cr_assert_str_eq(d.name, "theirs");
	sched_free(other);
}

Test(filters, no_nodes)
{
	add_pod(s, "p", "", "", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert_str_eq(d.message, "no nodes available to schedule pods");
	sched_decision_clear(&d);
	add_node(s, "n1", "4", "8Gi", "", "{}");   /* node added: the pod is retried */
	cr_assert_eq(sched_queue_active(s), 1);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
}
