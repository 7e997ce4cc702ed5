/*
 * InterPodAffinity and PodTopologySpread through the cluster on simulated
 * nodes: anti-affinity by zone, affinity across namespaces (namespaces and
 * namespaceSelector), maxSkew, minDomains, whenUnsatisfiable and the
 * nodeAffinityPolicy / nodeTaintsPolicy of spread constraints.
 */
#include "cluster_helpers.h"

static void zoned_nodes(kube_cluster *c)
{
	ch_node(c, "a1", "4", (const char *[]){"topology.kubernetes.io/zone=a", NULL}, NULL);
	ch_node(c, "a2", "4", (const char *[]){"topology.kubernetes.io/zone=a", NULL}, NULL);
	ch_node(c, "b1", "4", (const char *[]){"topology.kubernetes.io/zone=b", NULL}, NULL);
	ch_node(c, "c1", "4", (const char *[]){"topology.kubernetes.io/zone=c", NULL},
		(const char *[]){"t=v:NoSchedule", NULL});
}

static const char *zone_of(kube_cluster *c, const char *pod)
{
	static char node[64];

	ch_bound(c, NS, pod, node, sizeof(node));
	return node[0] == 'a' ? "a" : node[0] == 'b' ? "b" : node[0] == 'c' ? "c" : "?";
}

#define ANTI_ZONE \
	"  tolerations: [{operator: Exists}]\n" \
	"  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n" \
	"      - labelSelector: {matchLabels: {app: web}}\n" \
	"        topologyKey: topology.kubernetes.io/zone\n"

Test(cluster_topology, anti_affinity_one_per_zone)
{
	kube_cluster *c = ch_start(NULL);
	char zones[4] = "";

	zoned_nodes(c);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		ch_pod(c, NS, name, "web", "10m", ANTI_ZONE);
		zones[i] = zone_of(c, name)[0];
	}
	cr_assert(strchr(zones, 'a') && strchr(zones, 'b') && strchr(zones, 'c'), "%s", zones);
	ch_pod(c, NS, "web-3", "web", "10m", ANTI_ZONE);
	ASSERT_UNSCHED(c, NS, "web-3", "0/4 nodes are available: 4 node(s) didn't match pod "
		       "anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption "
		       "victims found for incoming pod.");
	/* deleting one of the pods frees its zone: the parked pod is retried */
	cr_assert_eq(kube_delete(c, "pods", NS, "web-1", 0), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "web-3", "condition=PodScheduled", 5000), 0);
	kube_cluster_free(c);
}

Test(cluster_topology, affinity_across_namespaces)
{
	kube_cluster *c = ch_start(NULL);

	zoned_nodes(c);
	sh_apply(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {team: x}}");
	sh_apply(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-b}");
	ch_pod(c, "team-a", "db", "db", "10m", "  nodeSelector: {kubernetes.io/hostname: b1}\n");
	ASSERT_ON(c, "team-a", "db", "b1");
	/* the term's own namespace (default) has no db pod */
	ch_pod(c, NS, "own-ns", NULL, "10m",
	       "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
	       "      - labelSelector: {matchLabels: {app: db}}\n"
	       "        topologyKey: kubernetes.io/hostname\n");
	ch_pod(c, NS, "by-list", NULL, "10m",
	       "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
	       "      - labelSelector: {matchLabels: {app: db}}\n        namespaces: [team-a]\n"
	       "        topologyKey: kubernetes.io/hostname\n");
	ch_pod(c, NS, "by-selector", NULL, "10m",
	       "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
	       "      - labelSelector: {matchLabels: {app: db}}\n"
	       "        namespaceSelector: {matchLabels: {team: x}}\n"
	       "        topologyKey: topology.kubernetes.io/zone\n");
	ch_pod(c, NS, "anti", NULL, "10m",
	       "  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
	       "      - labelSelector: {matchLabels: {app: db}}\n        namespaceSelector: {}\n"
	       "        topologyKey: topology.kubernetes.io/zone\n");
	ASSERT_ON(c, NS, "by-list", "b1");
	ASSERT_ON(c, NS, "by-selector", "b1");
	cr_assert_str_eq(zone_of(c, "anti"), "a");
	ASSERT_UNSCHED(c, NS, "own-ns", "0/4 nodes are available: 1 node(s) had untolerated taint "
		       "{t: v}, 3 node(s) didn't match pod affinity rules. preemption: 0/4 nodes are "
		       "available: 4 Preemption is not helpful for scheduling.");
	kube_cluster_free(c);
}

/* Three pods spread over zones with maxSkew 1; @p extra: more constraint fields. */
static void spread_pods(kube_cluster *c, const char *app, int n, const char *extra,
			const char *spec)
{
	char buf[2048], name[32];

	snprintf(buf, sizeof(buf),
		 "  topologySpreadConstraints:\n  - maxSkew: 1\n"
		 "    topologyKey: topology.kubernetes.io/zone\n"
		 "    labelSelector: {matchLabels: {app: %s}}\n%s%s", app, extra, spec ? spec : "");
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%d", app, i);
		ch_pod(c, NS, name, app, "10m", buf);
	}
}

Test(cluster_topology, spread_taints_policy)
{
	kube_cluster *c = ch_start(NULL);

	zoned_nodes(c);
	/* nodeTaintsPolicy Ignore (default): zone c counts with 0 pods though
	 * nothing can go there, so a third pod would exceed the skew */
	spread_pods(c, "ign", 3, "    whenUnsatisfiable: DoNotSchedule\n", NULL);
	cr_assert_str_neq(zone_of(c, "ign-0"), zone_of(c, "ign-1"));
	ASSERT_UNSCHED(c, NS, "ign-2", "0/4 nodes are available: 1 node(s) had untolerated taint "
		       "{t: v}, 3 node(s) didn't match pod topology spread constraints. preemption: "
		       "0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No "
		       "preemption victims found for incoming pod.");
	/* Honor: the tainted zone is not a domain */
	spread_pods(c, "hon", 4, "    whenUnsatisfiable: DoNotSchedule\n"
		    "    nodeTaintsPolicy: Honor\n", NULL);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "hon-%d", i);
		cr_assert_str_neq(zone_of(c, name), "c");
	}
	/* ScheduleAnyway: the skew is a preference */
	spread_pods(c, "soft", 3, "    whenUnsatisfiable: ScheduleAnyway\n", NULL);
	cr_assert_eq(kube_wait(c, "pods", NS, "soft-2", "condition=PodScheduled", 5000), 0);
	kube_cluster_free(c);
}

Test(cluster_topology, spread_affinity_policy_and_min_domains)
{
	kube_cluster *c = ch_start(NULL);
	const char *in_ab = "  nodeSelector: {disk: ssd}\n";

	ch_node(c, "a1", "4", (const char *[]){"topology.kubernetes.io/zone=a", "disk=ssd", NULL}, NULL);
	ch_node(c, "b1", "4", (const char *[]){"topology.kubernetes.io/zone=b", "disk=ssd", NULL}, NULL);
	ch_node(c, "c1", "4", (const char *[]){"topology.kubernetes.io/zone=c", NULL}, NULL);
	/* nodeAffinityPolicy Honor (default): only zones a and b are domains */
	spread_pods(c, "hon", 4, "    whenUnsatisfiable: DoNotSchedule\n", in_ab);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "hon-%d", i);
		cr_assert_str_neq(zone_of(c, name), "c");
	}
	/* Ignore: zone c counts (empty), so a pod per zone a and b, then none */
	spread_pods(c, "ign", 3, "    whenUnsatisfiable: DoNotSchedule\n"
		    "    nodeAffinityPolicy: Ignore\n", in_ab);
	cr_assert_str_neq(zone_of(c, "ign-0"), zone_of(c, "ign-1"));
	ASSERT_UNSCHED(c, NS, "ign-2", "0/3 nodes are available: 1 node(s) didn't match Pod's "
		       "node affinity/selector, 2 node(s) didn't match pod topology spread "
		       "constraints. preemption: 0/3 nodes are available: 1 Preemption is not "
		       "helpful for scheduling, 2 No preemption victims found for incoming pod.");
	/* minDomains 4 with 3 zones: the global minimum counts as 0, so one pod
	 * per zone and no more */
	spread_pods(c, "min", 4, "    whenUnsatisfiable: DoNotSchedule\n    minDomains: 4\n", NULL);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "min-%d", i);
		cr_assert_eq(kube_wait(c, "pods", NS, name, "condition=PodScheduled", 5000), 0);
	}
	cr_assert_str_eq(sh_str(c, "pods", NS, "min-3", "spec.nodeName", (char[64]){0}, 64), "");
	{
		char b[1024];
		ch_unsched(c, NS, "min-3", b, sizeof(b));
		cr_assert(strstr(b, "3 node(s) didn't match pod topology spread constraints."), "%s", b);
	}
	kube_cluster_free(c);
}
