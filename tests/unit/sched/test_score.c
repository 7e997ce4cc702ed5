/*
 * Score plugins (which node wins among feasible ones) and the queue's
 * bind confirmation / failure paths.
 */
#include "sched_helpers.h"

static struct sched *s;
static struct sched_decision d;

static void setup(void) { s = new_sched(); cr_assert(s); }
static void teardown(void) { sched_decision_clear(&d); sched_free(s); }

TestSuite(score, .init = setup, .fini = teardown);

static const char *place(const char *name, const char *cpu, const char *labels, const char *spec)
{
	static char node[64];

	add_pod(s, name, cpu, "", labels, spec);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND, "%s", d.message);
	snprintf(node, sizeof(node), "%s", d.node);
	sched_decision_clear(&d);
	return node;
}

Test(score, least_allocated_prefers_the_emptier_node)
{
	add_node(s, "busy", "4", "8Gi", "", "{}");
	add_node(s, "idle", "4", "8Gi", "", "{}");
	add_bound(s, "load", "busy", "3", "4Gi", "", "");
	cr_assert_str_eq(place("p", "500m", "", ""), "idle");
}

Test(score, most_allocated_packs)
{
	struct sched_config cfg;

	sched_free(s);
	sched_config_default(&cfg);
	cfg.strategy = SCHED_MOST_ALLOCATED;
	cfg.weights.balanced_allocation = 0;
	s = sched_new(&cfg);
	add_node(s, "busy", "4", "8Gi", "", "{}");
	add_node(s, "idle", "4", "8Gi", "", "{}");
	add_bound(s, "load", "busy", "2", "4Gi", "", "");
	cr_assert_str_eq(place("p", "500m", "", ""), "busy");
}

Test(score, preferred_node_affinity_weights)
{
	add_node(s, "a", "4", "8Gi", "\"disk\":\"ssd\"", "{}");
	add_node(s, "b", "4", "8Gi", "\"gpu\":\"yes\"", "{}");
	cr_assert_str_eq(place("p", "", "", "\"affinity\":{\"nodeAffinity\":{\"preferredDuringScheduling"
			       "IgnoredDuringExecution\":[{\"weight\":10,\"preference\":{\"matchExpressions\":"
			       "[{\"key\":\"disk\",\"operator\":\"Exists\"}]}},{\"weight\":90,\"preference\":"
			       "{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"In\",\"values\":"
			       "[\"yes\"]}]}}]}}"), "b");
}

Test(score, prefer_no_schedule_taint_is_avoided)
{
	add_node(s, "tainted", "4", "8Gi", "",
		 "{\"taints\":[{\"key\":\"spot\",\"effect\":\"PreferNoSchedule\"}]}");
	add_node(s, "clean", "4", "8Gi", "", "{}");
	for (int i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%d", i);
		cr_assert_str_eq(place(name, "100m", "", ""), "clean");
	}
	cr_assert_str_eq(place("tol", "", "", "\"tolerations\":[{\"key\":\"spot\",\"operator\":"
			       "\"Exists\",\"effect\":\"PreferNoSchedule\"}]"), "tainted");
}

Test(score, image_locality)
{
	json_t *n = js("{\"metadata\":{\"name\":\"cached\"},\"status\":{\"allocatable\":{\"cpu\":\"4\","
		       "\"memory\":\"8Gi\",\"pods\":\"110\"},\"images\":[{\"names\":[\"docker.io/big/app:1\","
		       "\"big/app:1\"],\"sizeBytes\":900000000}]}}");

	cr_assert_eq(sched_node_upsert(s, n), 0);
	json_decref(n);
	add_node(s, "cold", "4", "8Gi", "", "{}");
	cr_assert_str_eq(place("p", "", "", "\"containers\":[{\"name\":\"c\",\"image\":\"big/app:1\"}]"),
			 "cached");
}

Test(score, preferred_pod_anti_affinity_spreads)
{
	const char *spec = "\"affinity\":{\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuring"
			   "Execution\":[{\"weight\":100,\"podAffinityTerm\":{\"labelSelector\":{\"match"
			   "Labels\":{\"app\":\"a\"}},\"topologyKey\":\"kubernetes.io/hostname\"}}]}}";
	char first[64];

	add_node(s, "n1", "4", "8Gi", "", "{}");
	add_node(s, "n2", "4", "8Gi", "", "{}");
	snprintf(first, sizeof(first), "%s", place("a0", "", "\"app\":\"a\"", spec));
	cr_assert_str_neq(place("a1", "", "\"app\":\"a\"", spec), first);
}

Test(score, default_spreading_of_an_owners_pods)
{
	const char *owned = "\"app\":\"r\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\","
			    "\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"u-1\",\"controller\":true}],"
			    "\"labels\":{\"app\":\"r\"";
	int on[3] = {0};

	add_node(s, "n0", "64", "64Gi", "", "{}");
	add_node(s, "n1", "64", "64Gi", "", "{}");
	add_node(s, "n2", "64", "64Gi", "", "{}");
	for (int i = 0; i < 9; i++) {
		char name[8];
		snprintf(name, sizeof(name), "r%d", i);
		/* requests differ by nothing: only spreading separates the nodes */
		on[place(name, "", owned, "")[1] - '0']++;
	}
	cr_assert(on[0] == 3 && on[1] == 3 && on[2] == 3, "%d %d %d", on[0], on[1], on[2]);
}

Test(score, confirm_and_bind_failure)
{
	json_t *p = mkpod("p", "1", "", "\"app\":\"x\"", "");

	add_node(s, "n1", "2", "8Gi", "", "{}");
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	/* The cluster binds and sends the pod back with nodeName: confirmed. */
	json_object_set_new(json_object_get(p, "spec"), "nodeName", json_string("n1"));
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	cr_assert_str_eq(sched_pod_node(s, "default", "p"), "n1");
	cr_assert_eq(sched_bind_failed(s, "default", "p"), -3, "only assumed pods can fail");
	json_decref(p);
	sched_decision_clear(&d);

	add_pod(s, "q", "1", "", "", "");
	next(s, &d);
	cr_assert_eq(sched_bind_failed(s, "default", "q"), 0);
	cr_assert_null(sched_pod_node(s, "default", "q"));
	cr_assert_eq(sched_queue_active(s), 1);
	sched_decision_clear(&d);
	add_pod(s, "r", "1", "", "", "");    /* takes q's room first? no: q was queued first */
	next(s, &d);
	cr_assert_str_eq(d.name, "q");
}

Test(score, priority_orders_the_queue)
{
	add_node(s, "n1", "4", "8Gi", "", "{}");
	add_pod(s, "low", "", "", "", "\"priority\":1");
	add_pod(s, "high", "", "", "", "\"priority\":100");
	add_pod(s, "low2", "", "", "", "\"priority\":1");
	next(s, &d);
	cr_assert_str_eq(d.name, "high");
	sched_decision_clear(&d);
	next(s, &d);
	cr_assert_str_eq(d.name, "low");
}

Test(score, terminal_pods_release_resources)
{
	json_t *p;

	add_node(s, "n1", "1", "8Gi", "", "{}");
	add_bound(s, "done", "n1", "1", "", "", "");
	add_pod(s, "wait", "1", "", "", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	sched_decision_clear(&d);
	p = js("{\"metadata\":{\"name\":\"done\",\"namespace\":\"default\"},\"spec\":{\"nodeName\":\"n1\"},"
	       "\"status\":{\"phase\":\"Succeeded\"}}");
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	json_decref(p);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.name, "wait");
}

Test(score, status_updates_do_not_requeue)
{
	json_t *p = mkpod("p", "8", "", "", "");

	add_node(s, "n1", "2", "8Gi", "", "{}");
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	/* The cluster writes the PodScheduled condition: still parked. */
	json_object_set_new(p, "status", js("{\"conditions\":[{\"type\":\"PodScheduled\","
					    "\"status\":\"False\",\"reason\":\"Unschedulable\"}]}"));
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	cr_assert_eq(sched_queue_active(s), 0);
	cr_assert_eq(sched_queue_unschedulable(s), 1);
	/* A spec change (smaller request) is retried at once, and fits. */
	json_decref(p);
	p = mkpod("p", "1", "", "", "");
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	cr_assert_eq(sched_queue_active(s), 1);
	sched_decision_clear(&d);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	/* An update while the bind is in flight keeps the assumption. */
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	cr_assert_str_eq(sched_pod_node(s, "default", "p"), "n1");
	cr_assert_eq(sched_queue_active(s), 0);
	json_decref(p);
}
