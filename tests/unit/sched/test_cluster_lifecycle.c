/*
 * The scheduler's life in the cluster on simulated nodes: preemption with
 * PriorityClasses and a PodDisruptionBudget, the unschedulable condition
 * and FailedScheduling event, retries on relevant changes only (attempts
 * counted through the events), several schedulers as profiles of a
 * KubeSchedulerConfiguration, and configurations it refuses.
 */
#include "cluster_helpers.h"

/* Scheduling attempts that failed for a pod: the FailedScheduling events'
 * counts (the recorder folds repeats of one message into count). */
static int failed_attempts(kube_cluster *c, const char *name)
{
	char *out = NULL;
	json_t *list, *ev;
	size_t i;
	int n = 0;

	cr_assert_eq(kube_list(c, "events", NS, NULL, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(list, "items"), i, ev)
		if (!strcmp(json_string_value(json_object_get(json_object_get(ev, "involvedObject"),
							      "name")) ?: "", name) &&
		    !strcmp(json_string_value(json_object_get(ev, "reason")) ?: "", "FailedScheduling"))
			n += (int)json_integer_value(json_object_get(ev, "count"));
	json_decref(list);
	return n;
}

/* The source.component of the newest event @p reason about @p name. */
static const char *event_source_now(kube_cluster *c, const char *name, const char *reason,
				char *buf, size_t len)
{
	char *out = NULL;
	json_t *list, *ev;
	size_t i;

	buf[0] = 0;
	cr_assert_eq(kube_list(c, "events", NS, NULL, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(list, "items"), i, ev)
		if (!strcmp(json_string_value(json_object_get(json_object_get(ev, "involvedObject"),
							      "name")) ?: "", name) &&
		    !strcmp(json_string_value(json_object_get(ev, "reason")) ?: "", reason))
			snprintf(buf, len, "%s", json_string_value(json_object_get(
				json_object_get(ev, "source"), "component")) ?: "");
	json_decref(list);
	return buf;
}

/* event_source_now once the event exists (events are written after the bind). */
static const char *event_source(kube_cluster *c, const char *name, const char *reason,
				char *buf, size_t len)
{
	for (int i = 0; i < 500 && !*event_source_now(c, name, reason, buf, len); i++)
		usleep(2000);
	return buf;
}

Test(cluster_lifecycle, retried_on_relevant_changes_only)
{
	kube_cluster *c = ch_start(NULL);
	int attempts;

	ch_node(c, "n1", "1", NULL, NULL);
	ch_pod(c, NS, "big", NULL, "2", NULL);
	ASSERT_UNSCHED(c, NS, "big", "0/1 nodes are available: 1 Insufficient cpu. preemption: "
		       "0/1 nodes are available: 1 No preemption victims found for incoming pod.");
	char buf[1024];
	cr_assert_str_eq(sh_wait_event(c, NS, "big", "FailedScheduling", buf, sizeof(buf)),
			 "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
			 "available: 1 No preemption victims found for incoming pod.");
	/* time passing and unrelated writes do not retry it */
	sh_apply(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\n"
		    "data: {a: b}");
	usleep(300 * 1000);
	cr_assert_eq(failed_attempts(c, "big"), 1);
	/* a node added is relevant: one more attempt, still too small */
	ch_node(c, "n2", "1", NULL, NULL);
	ASSERT_UNSCHED(c, NS, "big", "0/2 nodes are available: 2 Insufficient cpu. preemption: "
		       "0/2 nodes are available: 2 No preemption victims found for incoming pod.");
	/* (the agent registers the Node, then writes its status: two relevant
	 * events, the first seeing a node without allocatable) then nothing */
	usleep(300 * 1000);
	attempts = failed_attempts(c, "big");
	cr_assert(attempts >= 2 && attempts <= 4, "%d", attempts);
	usleep(500 * 1000);
	cr_assert_eq(failed_attempts(c, "big"), attempts);
	ch_node(c, "n3", "4", NULL, NULL);
	ASSERT_ON(c, NS, "big", "n3");
	cr_assert_leq(failed_attempts(c, "big"), attempts + 1);

	/* a pod deleted frees room: the waiting pod is retried and bound */
	ch_pod(c, NS, "filler", NULL, "1500m", NULL);
	ASSERT_ON(c, NS, "filler", "n3");
	ch_pod(c, NS, "waiting", NULL, "1500m", NULL);
	ch_unsched(c, NS, "waiting", buf, sizeof(buf));
	usleep(200 * 1000);
	cr_assert_eq(failed_attempts(c, "waiting"), 1);
	cr_assert_eq(kube_delete(c, "pods", NS, "filler", 0), 0);
	ASSERT_ON(c, NS, "waiting", "n3");
	cr_assert_eq(failed_attempts(c, "waiting"), 1);
	kube_cluster_free(c);
}

static void prio_pod(kube_cluster *c, const char *name, const char *app, const char *cls)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "  priorityClassName: %s\n", cls);
	ch_pod(c, NS, name, app, "900m", spec);
}

Test(cluster_lifecycle, preemption_respects_a_pdb_where_it_can)
{
	kube_cluster *c = ch_start(NULL);
	char buf[64];

	ch_node(c, "r1", "2", NULL, NULL);
	sh_apply(c, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
		    "metadata: {name: low}\nvalue: 10");
	sh_apply(c, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
		    "metadata: {name: high}\nvalue: 1000");
	prio_pod(c, "guarded", "guarded", "low");
	prio_pod(c, "free", "free", "low");
	ASSERT_ON(c, NS, "guarded", "r1");
	ASSERT_ON(c, NS, "free", "r1");
	cr_assert_eq(kube_wait(c, "pods", NS, "guarded", "condition=Ready", 5000), 0);
	sh_apply(c, "apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
		    "metadata: {name: keep, namespace: default}\n"
		    "spec: {minAvailable: 1, selector: {matchLabels: {app: guarded}}}");
	cr_assert_eq(kube_wait(c, "poddisruptionbudgets", NS, "keep",
			       "jsonpath={.status.currentHealthy}=1", 5000), 0);

	/* the unprotected pod is the victim */
	prio_pod(c, "high-1", "high", "high");
	cr_assert_eq(kube_wait(c, "pods", NS, "free", "delete", 5000), 0);
	ASSERT_ON(c, NS, "high-1", "r1");
	cr_assert_str_eq(sh_str(c, "pods", NS, "high-1", "status.nominatedNodeName", buf,
				sizeof(buf)), "r1");
	cr_assert_str_eq(sh_str(c, "pods", NS, "guarded", "spec.nodeName", buf, sizeof(buf)), "r1");
	/* only the protected pod is left to evict: the budget yields */
	prio_pod(c, "high-2", "high", "high");
	cr_assert_eq(kube_wait(c, "pods", NS, "guarded", "delete", 5000), 0);
	ASSERT_ON(c, NS, "high-2", "r1");
	kube_cluster_free(c);
}

static const char *two_profiles =
	"apiVersion: kubescheduler.config.k8s.io/v1\n"
	"kind: KubeSchedulerConfiguration\n"
	"profiles:\n"
	"- schedulerName: default-scheduler\n"
	"- schedulerName: packer\n"
	"  plugins:\n"
	"    score:\n"
	"      disabled: [{name: NodeResourcesBalancedAllocation}, {name: ImageLocality}]\n"
	"  pluginConfig:\n"
	"  - name: NodeResourcesFit\n"
	"    args: {scoringStrategy: {type: MostAllocated}}\n";

Test(cluster_lifecycle, profiles_are_schedulers_of_their_own)
{
	kube_cluster *c = ch_start(two_profiles);
	char first[64], buf[64], name[16];

	for (int i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ch_node(c, name, "4", NULL, NULL);
	}
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "packed-%d", i);
		ch_pod(c, NS, name, "packed", "500m", "  schedulerName: packer\n");
		ch_bound(c, NS, name, i ? buf : first, sizeof(buf));
		if (i)
			cr_assert_str_eq(buf, first, "MostAllocated packs %s", name);
	}
	cr_assert_str_eq(event_source(c, "packed-0", "Scheduled", buf, sizeof(buf)), "packer");
	/* the default profile spreads (LeastAllocated) */
	ch_pod(c, NS, "spread-0", "spread", "500m", NULL);
	cr_assert_str_neq(ch_bound(c, NS, "spread-0", buf, sizeof(buf)), first);
	cr_assert_str_eq(event_source(c, "spread-0", "Scheduled", buf, sizeof(buf)),
			 "default-scheduler");
	/* a scheduler nobody runs: left alone */
	ch_pod(c, NS, "orphan", NULL, "500m", "  schedulerName: nobody\n");
	usleep(200 * 1000);
	cr_assert_null(sh_condition(c, "pods", NS, "orphan", "PodScheduled"));
	cr_assert_str_eq(sh_str(c, "pods", NS, "orphan", "spec.nodeName", buf, sizeof(buf)), "");
	kube_cluster_free(c);
}

static void refused(const char *text, const char *why)
{
	kube_config cfg;
	kube_cluster *c = NULL;

	kube_config_init(&cfg);
	cfg.scheduler_config = text;
	cr_assert_eq(kube_cluster_new(&c, &cfg), KUBE_EINVAL, "%s", text);
	cr_assert_null(c);
	cr_assert(kube_last_status() && strstr(kube_last_status(), why), "%s: %s", why,
		  kube_last_status() ?: "(none)");
}

#define KSC "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"

Test(cluster_lifecycle, configurations_it_cannot_honour_are_refused)
{
	refused("apiVersion: v1\nkind: KubeSchedulerConfiguration\n", "apiVersion must be");
	refused(KSC "percentageOfNodesToScore: 101\n", "percentageOfNodesToScore");
	refused(KSC "profiles:\n- plugins: {score: {enabled: [{name: Foo, weight: 1}]}}\n",
		"\\\"Foo\\\" is not a score plugin");
	refused(KSC "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n"
		"    args: {scoringStrategy: {type: RequestedToCapacityRatio}}\n",
		"RequestedToCapacityRatio");
	refused(KSC "profiles:\n- schedulerName: a\n- schedulerName: a\n", "Duplicate value");
	refused("{", "want one YAML or JSON document");
}
