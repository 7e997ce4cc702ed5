/*
 * InterPodAffinity and PodTopologySpread filters, and how they combine.
 */
#include "sched_helpers.h"

static struct sched *s;
static struct sched_decision d;

static void setup(void) { s = new_sched(); cr_assert(s); }
static void teardown(void) { sched_decision_clear(&d); sched_free(s); }

TestSuite(topology, .init = setup, .fini = teardown);

#define ANTI_HOST "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":" \
	"[{\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}"
#define AFF_ZONE "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":" \
	"[{\"labelSelector\":{\"matchLabels\":{\"app\":\"db\"}},\"topologyKey\":\"zone\"}]}}"

static void three_nodes_two_zones(void)
{
	add_node(s, "a", "8", "8Gi", "\"zone\":\"z1\"", "{}");
	add_node(s, "b", "8", "8Gi", "\"zone\":\"z1\"", "{}");
	add_node(s, "c", "8", "8Gi", "\"zone\":\"z2\"", "{}");
}

Test(topology, anti_affinity_one_per_node)
{
	char name[16];
	const char *seen[3] = {0};

	three_nodes_two_zones();
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "web%d", i);
		add_pod(s, name, "", "", "\"app\":\"web\"", ANTI_HOST);
	}
	for (int i = 0; i < 3; i++) {
		next(s, &d);
		cr_assert_eq(d.kind, SCHED_BIND);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(seen[j], d.node);
		seen[i] = sched_pod_node(s, d.ns, d.name);
		sched_decision_clear(&d);
	}
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert_str_eq(d.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity "
			 "rules. preemption: 0/3 nodes are available: 3 No preemption victims found for "
			 "incoming pod.");
	/* Removing one retries it, and it takes the freed node. */
	sched_decision_clear(&d);
	cr_assert_eq(sched_pod_remove(s, "default", "web1"), 0);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.name, "web3");
}

Test(topology, existing_pods_anti_affinity)
{
	three_nodes_two_zones();
	add_bound(s, "guard", "a", "", "", "\"role\":\"guard\"",
		  "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		  "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"noisy\"}},\"topologyKey\":\"zone\"}]}}");
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "noisy%d", i);
		add_pod(s, name, "", "", "\"app\":\"noisy\"", "");
		next(s, &d);
		cr_assert_str_eq(d.node, "c", "zone z1 is closed to app=noisy");
		sched_decision_clear(&d);
	}
	cr_assert_eq(sched_pod_remove(s, "default", "noisy0"), 0);
	cr_assert_eq(sched_node_remove(s, "c"), 0);
	add_pod(s, "late", "", "", "\"app\":\"noisy\"", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "2 node(s) didn't satisfy existing pods anti-affinity rules."),
		  "%s", d.message);
}

Test(topology, affinity_first_pod_then_follow)
{
	three_nodes_two_zones();
	/* No db pod anywhere and the pod is no db: nothing satisfies it. */
	add_pod(s, "client", "", "", "\"app\":\"client\"", AFF_ZONE);
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(strstr(d.message, "3 node(s) didn't match pod affinity rules."), "%s", d.message);
	sched_decision_clear(&d);
	/* A db bound in z2 satisfies it (bound pods retry affinity pods). */
	add_bound(s, "db0", "c", "", "", "\"app\":\"db\"", "");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.node, "c");
	sched_decision_clear(&d);
	/* The first of a self-affine group goes anywhere. */
	add_pod(s, "cache0", "", "", "\"app\":\"cache\"", "\"affinity\":{\"podAffinity\":{"
		"\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
		"{\"app\":\"cache\"}},\"topologyKey\":\"zone\"}]}}");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
}

Test(topology, namespaces_scope_terms)
{
	json_t *ns = js("{\"metadata\":{\"name\":\"other\",\"labels\":{\"team\":\"x\"}}}");

	three_nodes_two_zones();
	cr_assert_eq(sched_namespace_upsert(s, ns), 0);
	json_decref(ns);
	add_bound(s, "web-other", "a", "", "", "\"app\":\"web\"", "");
	/* move it to namespace "other" */
	sched_pod_remove(s, "default", "web-other");
	json_t *p = js("{\"metadata\":{\"name\":\"w\",\"namespace\":\"other\",\"labels\":{\"app\":\"web\"}},"
		       "\"spec\":{\"nodeName\":\"a\",\"containers\":[{\"name\":\"c\"}]}}");
	cr_assert_eq(sched_pod_upsert(s, p), 0);
	json_decref(p);
	/* Same namespace only (default): the pod in "other" does not count. */
	add_pod(s, "x", "", "", "\"app\":\"x\"", "\"affinity\":{\"podAffinity\":{\"required"
		"DuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
		"{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	sched_decision_clear(&d);
	/* namespaceSelector team=x reaches it. */
	add_pod(s, "y", "", "", "\"app\":\"y\"", "\"affinity\":{\"podAffinity\":{\"required"
		"DuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
		"{\"app\":\"web\"}},\"namespaceSelector\":{\"matchLabels\":{\"team\":\"x\"}},"
		"\"topologyKey\":\"kubernetes.io/hostname\"}]}}");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.node, "a");
}

#define SPREAD(key, skew, extra) "\"topologySpreadConstraints\":[{\"maxSkew\":" #skew \
	",\"topologyKey\":\"" key "\",\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":" \
	"{\"matchLabels\":{\"app\":\"s\"}}" extra "}]"

Test(topology, spread_across_zones)
{
	int per_zone[2] = {0};

	three_nodes_two_zones();
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		add_pod(s, name, "", "", "\"app\":\"s\"", SPREAD("zone", 1, ""));
		next(s, &d);
		cr_assert_eq(d.kind, SCHED_BIND);
		per_zone[strcmp(d.node, "c") == 0]++;
		cr_assert(abs(per_zone[0] - per_zone[1]) <= 1, "skew after %s", name);
		sched_decision_clear(&d);
	}
	cr_assert_eq(per_zone[0], 3);
}

Test(topology, spread_message_and_missing_label)
{
	three_nodes_two_zones();
	add_node(s, "nolabel", "8", "8Gi", "", "{}");
	add_bound(s, "s0", "a", "", "", "\"app\":\"s\"", "");
	/* Only z2 can take it; cordon c to see the messages. */
	add_node(s, "c", "8", "8Gi", "\"zone\":\"z2\"", "{\"unschedulable\":true}");
	add_pod(s, "s1", "", "", "\"app\":\"s\"", SPREAD("zone", 1, ""));
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert(!strncmp(d.message, "0/4 nodes are available: 1 node(s) didn't match pod topology "
			   "spread constraints (missing required label), 1 node(s) were unschedulable, "
			   "2 node(s) didn't match pod topology spread constraints.", 180), "%s", d.message);
}

Test(topology, spread_min_domains)
{
	three_nodes_two_zones();
	add_bound(s, "s0", "a", "", "", "\"app\":\"s\"", "");
	add_bound(s, "s1", "c", "", "", "\"app\":\"s\"", "");
	/* Three domains wanted, two exist: the global minimum counts as 0. */
	add_pod(s, "s2", "", "", "\"app\":\"s\"", SPREAD("zone", 1, ",\"minDomains\":3"));
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE, "%s", d.node);
}

Test(topology, spread_node_affinity_policy)
{
	three_nodes_two_zones();
	add_bound(s, "s0", "a", "", "", "\"app\":\"s\"", "");
	add_bound(s, "s1", "b", "", "", "\"app\":\"s\"", "");
	/* Honor (default): z2 is outside the selector, so z1 is the only domain. */
	add_pod(s, "s2", "", "", "\"app\":\"s\"", "\"nodeSelector\":{\"zone\":\"z1\"}," SPREAD("zone", 1, ""));
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_BIND);
	sched_decision_clear(&d);
	add_pod(s, "s3", "", "", "\"app\":\"s\"", "\"nodeSelector\":{\"zone\":\"z1\"},"
		SPREAD("zone", 1, ",\"nodeAffinityPolicy\":\"Ignore\""));
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
}

Test(topology, spread_and_anti_affinity_combined)
{
	char name[16];

	for (int i = 0; i < 6; i++) {
		char nn[8], zl[32];
		snprintf(nn, sizeof(nn), "n%d", i);
		snprintf(zl, sizeof(zl), "\"zone\":\"z%d\"", i % 3);
		add_node(s, nn, "8", "8Gi", zl, "{}");
	}
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		add_pod(s, name, "", "", "\"app\":\"s\"", SPREAD("zone", 1, "") ","
			"\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
			"Execution\":[{\"labelSelector\":{\"matchLabels\":{\"app\":\"s\"}},"
			"\"topologyKey\":\"kubernetes.io/hostname\"}]}}");
	}
	for (int i = 0; i < 6; i++) {
		next(s, &d);
		cr_assert_eq(d.kind, SCHED_BIND, "%s", d.message);
		sched_decision_clear(&d);
	}
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
}
