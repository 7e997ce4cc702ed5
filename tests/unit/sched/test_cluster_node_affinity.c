/*
 * NodeAffinity and TaintToleration through the cluster on simulated nodes:
 * nodeSelector ANDed with required terms (ORed), every operator including
 * Gt/Lt and matchFields metadata.name; tolerations Equal/Exists, the empty
 * key, effects; the dedicated-node recipe end to end.
 */
#include "cluster_helpers.h"

#define NOT_HELPFUL(n) "preemption: 0/" #n " nodes are available: " #n \
	" Preemption is not helpful for scheduling."

static void four_nodes(kube_cluster *c)
{
	ch_node(c, "n1", "4", (const char *[]){"disk=ssd", "gen=3", "zone=a", NULL}, NULL);
	ch_node(c, "n2", "4", (const char *[]){"disk=hdd", "gen=5", "zone=b", NULL}, NULL);
	ch_node(c, "n3", "4", (const char *[]){"disk=ssd", "gen=7", "zone=c", NULL}, NULL);
	ch_node(c, "n4", "4", NULL, NULL);
}

#define REQUIRED(terms) \
	"  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n" \
	"        nodeSelectorTerms: " terms "\n"

Test(cluster_node_affinity, selector_and_every_operator)
{
	kube_cluster *c = ch_start(NULL);

	four_nodes(c);
	ch_pod(c, NS, "gt", NULL, "10m", "  nodeSelector: {disk: ssd}\n"
	       REQUIRED("[{matchExpressions: [{key: gen, operator: Gt, values: [\"4\"]}]}]"));
	ch_pod(c, NS, "lt", NULL, "10m", "  nodeSelector: {disk: ssd}\n"
	       REQUIRED("[{matchExpressions: [{key: gen, operator: Lt, values: [\"4\"]}]}]"));
	ch_pod(c, NS, "notin", NULL, "10m",
	       REQUIRED("[{matchExpressions: [{key: zone, operator: NotIn, values: [a, c]},"
			"{key: disk, operator: Exists}]}]"));
	ch_pod(c, NS, "absent", NULL, "10m",
	       REQUIRED("[{matchExpressions: [{key: disk, operator: DoesNotExist}]}]"));
	ch_pod(c, NS, "fields", NULL, "10m",
	       REQUIRED("[{matchFields: [{key: metadata.name, operator: In, values: [n2]}]}]"));
	ch_pod(c, NS, "ored", NULL, "10m",
	       REQUIRED("[{matchExpressions: [{key: zone, operator: In, values: [x]}]},"
			"{matchExpressions: [{key: gen, operator: Gt, values: [\"6\"]}]}]"));
	ch_pod(c, NS, "both", NULL, "10m", "  nodeSelector: {disk: ssd}\n"
	       REQUIRED("[{matchExpressions: [{key: zone, operator: In, values: [b]}]}]"));
	ASSERT_ON(c, NS, "gt", "n3");
	ASSERT_ON(c, NS, "lt", "n1");
	ASSERT_ON(c, NS, "notin", "n2");
	ASSERT_ON(c, NS, "absent", "n4");
	ASSERT_ON(c, NS, "fields", "n2");
	ASSERT_ON(c, NS, "ored", "n3");
	/* nodeSelector AND the terms: ssd nodes are in a and c, not b */
	ASSERT_UNSCHED(c, NS, "both", "0/4 nodes are available: 4 node(s) didn't match Pod's "
		       "node affinity/selector. " NOT_HELPFUL(4));
	/* a node that matches arrives: the parked pod is retried */
	ch_node(c, "n5", "4", (const char *[]){"disk=ssd", "zone=b", NULL}, NULL);
	ASSERT_ON(c, NS, "both", "n5");
	kube_cluster_free(c);
}

/* Pods pinned to n1 (tainted) by nodeSelector; n2 is clean but unselected. */
static void pinned(kube_cluster *c, const char *name, const char *tolerations)
{
	char spec[1024];

	snprintf(spec, sizeof(spec), "  nodeSelector: {kubernetes.io/hostname: n1}\n"
		 "  tolerations: %s\n", tolerations);
	ch_pod(c, NS, name, NULL, "10m", spec);
}

Test(cluster_node_affinity, tolerations_operators_and_effects)
{
	kube_cluster *c = ch_start(NULL);
	const char *untolerated = "0/2 nodes are available: 1 node(s) didn't match Pod's node "
				  "affinity/selector, 1 node(s) had untolerated taint {gpu: true}. "
				  NOT_HELPFUL(2);

	ch_node(c, "n1", "4", NULL, (const char *[]){"gpu=true:NoSchedule", NULL});
	ch_node(c, "n2", "4", NULL, NULL);
	pinned(c, "equal", "[{key: gpu, operator: Equal, value: \"true\", effect: NoSchedule}]");
	pinned(c, "equal-any-effect", "[{key: gpu, operator: Equal, value: \"true\"}]");
	pinned(c, "exists", "[{key: gpu, operator: Exists}]");
	pinned(c, "empty-key", "[{operator: Exists}]");
	pinned(c, "wrong-value", "[{key: gpu, operator: Equal, value: \"false\"}]");
	pinned(c, "wrong-effect", "[{key: gpu, operator: Exists, effect: NoExecute}]");
	pinned(c, "none", "[]");
	ASSERT_ON(c, NS, "equal", "n1");
	ASSERT_ON(c, NS, "equal-any-effect", "n1");
	ASSERT_ON(c, NS, "exists", "n1");
	ASSERT_ON(c, NS, "empty-key", "n1");
	ASSERT_UNSCHED(c, NS, "wrong-value", untolerated);
	ASSERT_UNSCHED(c, NS, "wrong-effect", untolerated);
	ASSERT_UNSCHED(c, NS, "none", untolerated);
	kube_cluster_free(c);
}

Test(cluster_node_affinity, no_execute_and_prefer_no_schedule)
{
	kube_cluster *c = ch_start(NULL);
	char buf[64];

	ch_node(c, "evict", "4", NULL, (const char *[]){"maint:NoExecute", NULL});
	ch_node(c, "soft", "4", NULL, (const char *[]){"cheap=yes:PreferNoSchedule", NULL});
	ch_node(c, "plain", "4", NULL, NULL);
	/* NoExecute filters like NoSchedule; PreferNoSchedule only scores */
	ch_pod(c, NS, "tolerant", NULL, "10m",
	       "  nodeSelector: {kubernetes.io/hostname: evict}\n"
	       "  tolerations: [{key: maint, operator: Exists, effect: NoExecute,"
	       " tolerationSeconds: 3600}]\n");
	ASSERT_ON(c, NS, "tolerant", "evict");
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		ch_pod(c, NS, name, NULL, "10m", NULL);
		cr_assert_str_eq(ch_bound(c, NS, name, buf, sizeof(buf)), "plain", "%s", name);
	}
	/* too big for "plain" now: the PreferNoSchedule node still admits it */
	ch_pod(c, NS, "big", NULL, "3950m", NULL);
	ASSERT_ON(c, NS, "big", "soft");
	kube_cluster_free(c);
}

/* The course's dedicated nodes: taint and label a node; pods tolerating the
 * taint and selecting the label run there and nowhere else, others never. */
Test(cluster_node_affinity, dedicated_node_recipe_end_to_end)
{
	kube_cluster *c = ch_start(NULL);
	const char *special = "  tolerations: [{key: dedicated, operator: Equal, value: special,"
			      " effect: NoSchedule}]\n  nodeSelector: {dedicated: special}\n";
	char name[32], buf[64];

	ch_node(c, "d1", "8", (const char *[]){"dedicated=special", NULL},
		(const char *[]){"dedicated=special:NoSchedule", NULL});
	ch_node(c, "w1", "8", NULL, NULL);
	ch_node(c, "w2", "8", NULL, NULL);
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "special-%d", i);
		ch_pod(c, NS, name, "special", "100m", special);
		snprintf(name, sizeof(name), "plain-%d", i);
		ch_pod(c, NS, name, "plain", "100m", NULL);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "special-%d", i);
		cr_assert_str_eq(ch_bound(c, NS, name, buf, sizeof(buf)), "d1");
		cr_assert_eq(kube_wait(c, "pods", NS, name, "condition=Ready", 5000), 0);
		snprintf(name, sizeof(name), "plain-%d", i);
		cr_assert_str_neq(ch_bound(c, NS, name, buf, sizeof(buf)), "d1");
	}
	/* the plain pods never go to d1, even with the other nodes full */
	ch_pod(c, NS, "plain-huge", "plain", "7", NULL);
	ch_pod(c, NS, "plain-huge-2", "plain", "7", NULL);
	ch_pod(c, NS, "plain-late", "plain", "7", NULL);
	cr_assert_str_neq(ch_bound(c, NS, "plain-huge", buf, sizeof(buf)), "d1");
	cr_assert_str_neq(ch_bound(c, NS, "plain-huge-2", buf, sizeof(buf)), "d1");
	ASSERT_UNSCHED(c, NS, "plain-late", "0/3 nodes are available: 1 node(s) had untolerated "
		       "taint {dedicated: special}, 2 Insufficient cpu. preemption: 0/3 nodes are "
		       "available: 1 Preemption is not helpful for scheduling, 2 No preemption "
		       "victims found for incoming pod.");
	kube_cluster_free(c);
}
