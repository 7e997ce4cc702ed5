/*
 * Node lifecycle and taint-based eviction on the manual clock: Leases that
 * stop renewing turn a node Unknown and unreachable-tainted, its pods
 * NotReady and then evicted unless (or until) they tolerate the taint;
 * Ready=False gives the not-ready taint; recovery removes the taints; a
 * cluster whose every node is down evicts nothing; cordon mirrors into the
 * unschedulable taint; NoExecute taints added by hand evict at once.
 * Nodes and Leases are made by hand; the test renews the Leases itself.
 */
#include <time.h>
#include "scheduling_helpers.h"

#define T0 1790000000000LL
#define NS "default"

static int64_t now_ms = T0;

static const char *rfc3339(int64_t ms, char *buf, size_t len)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static kube_cluster *start(void)
{
	now_ms = T0;
	return sh_start(T0);
}

static void node(kube_cluster *c, const char *name)
{
	char ts[32];

	sh_node(c, name, "4", "8Gi", NULL, NULL, rfc3339(now_ms, ts, sizeof(ts)));
}

static void renew(kube_cluster *c, const char *name)
{
	char buf[512], ts[32];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":"
		 "\"%s\",\"namespace\":\"kube-node-lease\"},\"spec\":{\"holderIdentity\":\"%s\","
		 "\"leaseDurationSeconds\":40,\"renewTime\":\"%s\"}}", name, name,
		 rfc3339(now_ms, ts, sizeof(ts)));
	sh_apply(c, buf);
}

/* Advance @p ms in 10 s steps, renewing the Leases of @p alive (NULL-terminated). */
static void advance(kube_cluster *c, int64_t ms, const char *const *alive)
{
	for (int64_t done = 0; done < ms; done += 10000) {
		int64_t step = ms - done < 10000 ? ms - done : 10000;

		cr_assert_eq(kube_cluster_advance_clock(c, step), 0);
		now_ms += step;
		for (int i = 0; alive && alive[i]; i++)
			renew(c, alive[i]);
	}
	usleep(20000);   /* let the reactions to the last writes run */
}

/* A running, Ready pod bound to @p node by name, with extra spec members. */
static void running_pod(kube_cluster *c, const char *name, const char *node, const char *extra)
{
	char spec[1024];

	snprintf(spec, sizeof(spec), "\"nodeName\":\"%s\"%s%s", node, extra ? "," : "",
		 extra ? extra : "");
	sh_pod(c, NS, name, "100m", spec);
	sh_set_status(c, "pods", NS, name,
		      json_pack("{s:s, s:[{s:s, s:s}]}", "phase", "Running", "conditions", "type",
				"Ready", "status", "True"));
}

static bool has_taint(kube_cluster *c, const char *name, const char *key, const char *effect)
{
	json_t *n = sh_get(c, "nodes", NULL, name), *t;
	size_t i;
	bool found = false;

	json_array_foreach(json_object_get(json_object_get(n, "spec"), "taints"), i, t)
		found |= !strcmp(json_string_value(json_object_get(t, "key")), key) &&
			 !strcmp(json_string_value(json_object_get(t, "effect")), effect);
	json_decref(n);
	return found;
}

static bool exists(kube_cluster *c, const char *pod)
{
	json_t *p = sh_get(c, "pods", NS, pod);

	json_decref(p);
	return p != NULL;
}

static const char *const others[] = { "node-2", "node-3", NULL };

static const char *const unreachable_300 =
	"\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
	"\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]";
/* admission gives every pod 300 s for both taints (DefaultTolerationSeconds);
 * a pod asking for 0 s goes as soon as the taint lands */
static const char *const gone_at_once =
	"\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
	"\"effect\":\"NoExecute\",\"tolerationSeconds\":0},{\"key\":\"node.kubernetes.io/not-ready\","
	"\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":0}]";
static const char *const unreachable_forever =
	"\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
	"\"effect\":\"NoExecute\"}]";

Test(nodelifecycle, lease_expiry_unknown_taints_and_evictions)
{
	kube_cluster *c = start();
	char buf[256];
	json_t *ready;

	node(c, "node-1");
	node(c, "node-2");
	node(c, "node-3");
	running_pod(c, "plain", "node-1", gone_at_once);
	running_pod(c, "tolerant", "node-1", unreachable_300);
	running_pod(c, "forever", "node-1", unreachable_forever);

	/* within the grace period nothing happens */
	advance(c, 40000, others);
	ready = sh_condition(c, "nodes", NULL, "node-1", "Ready");
	cr_assert_str_eq(json_string_value(json_object_get(ready, "status")), "True");
	json_decref(ready);

	advance(c, 20000, others);
	cr_assert_eq(kube_wait(c, "nodes", NULL, "node-1", "condition=Ready=Unknown", 2000), 0);
	ready = sh_condition(c, "nodes", NULL, "node-1", "Ready");
	cr_assert_str_eq(json_string_value(json_object_get(ready, "reason")), "NodeStatusUnknown");
	cr_assert_str_eq(json_string_value(json_object_get(ready, "message")),
			 "Kubelet stopped posting node status.");
	json_decref(ready);
	ready = sh_condition(c, "nodes", NULL, "node-2", "Ready");
	cr_assert_str_eq(json_string_value(json_object_get(ready, "status")), "True");
	json_decref(ready);
	cr_assert_str_eq(sh_wait_event(c, "default", "node-1", "NodeNotReady", buf, sizeof(buf)),
			 "Node node-1 status is now: NodeNotReady");
	cr_assert_eq(kube_wait(c, "pods", NS, "forever", "condition=Ready=false", 2000), 0);
	cr_assert_str_eq(sh_wait_event(c, NS, "forever", "NodeNotReady", buf, sizeof(buf)),
			 "Node is not ready");

	/* the next pass taints it; the plain pod goes at once */
	advance(c, 10000, others);
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoExecute"));
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoSchedule"));
	cr_assert(!has_taint(c, "node-2", "node.kubernetes.io/unreachable", "NoExecute"));
	cr_assert_eq(kube_wait(c, "pods", NS, "plain", "delete", 2000), 0);
	cr_assert_str_eq(sh_wait_event(c, NS, "plain", "TaintManagerEviction", buf, sizeof(buf)),
			 "Marking for deletion Pod default/plain");
	cr_assert(exists(c, "tolerant"));

	/* tolerationSeconds 300 from the taint, added by the pass at +60 s */
	advance(c, 280000, others);
	cr_assert(exists(c, "tolerant"));
	advance(c, 20000, others);
	cr_assert_eq(kube_wait(c, "pods", NS, "tolerant", "delete", 2000), 0);
	cr_assert(exists(c, "forever"));
	kube_cluster_free(c);
}

Test(nodelifecycle, recovery_removes_taints_and_cancels)
{
	kube_cluster *c = start();
	const char *const all[] = { "node-1", "node-2", "node-3", NULL };
	char buf[256], ts[32];

	node(c, "node-1");
	node(c, "node-2");
	node(c, "node-3");
	running_pod(c, "tolerant", "node-1", unreachable_300);
	advance(c, 70000, others);
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoExecute"));
	/* the kubelet is back: Lease renewed and Ready posted */
	renew(c, "node-1");
	sh_set_status(c, "nodes", NULL, "node-1",
		      json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s, s:s}]}",
				"capacity", "cpu", "4", "memory", "8Gi", "pods", "110", "allocatable",
				"cpu", "4", "memory", "8Gi", "pods", "110", "conditions", "type",
				"Ready", "status", "True", "reason", "KubeletReady",
				"lastHeartbeatTime", rfc3339(now_ms, ts, sizeof(ts))));
	advance(c, 10000, all);
	cr_assert(!has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoExecute"));
	cr_assert(!has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoSchedule"));
	cr_assert_str_eq(sh_wait_event(c, NS, "tolerant", "TaintManagerEviction", buf, sizeof(buf)),
			 "Cancelling deletion of Pod default/tolerant");
	advance(c, 400000, all);
	cr_assert(exists(c, "tolerant"));
	kube_cluster_free(c);
}

Test(nodelifecycle, ready_false_gives_not_ready_taint)
{
	kube_cluster *c = start();
	const char *const all[] = { "node-1", "node-2", "node-3", NULL };
	char ts[32];

	node(c, "node-1");
	node(c, "node-2");
	node(c, "node-3");
	running_pod(c, "plain", "node-1", gone_at_once);
	advance(c, 5000, all);
	sh_set_status(c, "nodes", NULL, "node-1",
		      json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "conditions", "type", "Ready",
				"status", "False", "reason", "KubeletNotReady", "lastHeartbeatTime",
				rfc3339(now_ms, ts, sizeof(ts))));
	advance(c, 10000, all);
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/not-ready", "NoExecute"));
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/not-ready", "NoSchedule"));
	cr_assert(!has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoExecute"));
	cr_assert_eq(kube_wait(c, "pods", NS, "plain", "delete", 2000), 0);
	kube_cluster_free(c);
}

/* upstream's master disruption mode: with every node down, nothing is evicted */
Test(nodelifecycle, all_nodes_down_evicts_nothing)
{
	kube_cluster *c = start();

	node(c, "node-1");
	running_pod(c, "plain", "node-1", NULL);
	advance(c, 120000, NULL);
	cr_assert_eq(kube_wait(c, "nodes", NULL, "node-1", "condition=Ready=Unknown", 2000), 0);
	cr_assert(has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoSchedule"));
	cr_assert(!has_taint(c, "node-1", "node.kubernetes.io/unreachable", "NoExecute"));
	cr_assert(exists(c, "plain"));
	kube_cluster_free(c);
}

Test(nodelifecycle, cordon_mirrors_unschedulable_taint)
{
	kube_cluster *c = start();

	node(c, "node-1");
	sh_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
		    "\"spec\":{\"unschedulable\":true}}");
	cr_assert_eq(kube_wait(c, "nodes", NULL, "node-1",
			       "jsonpath={.spec.taints[0].key}=node.kubernetes.io/unschedulable", 2000), 0);
	sh_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
		    "\"spec\":{\"unschedulable\":false,\"taints\":[{\"key\":\"node.kubernetes.io/"
		    "unschedulable\",\"effect\":\"NoSchedule\"}]}}");
	for (int i = 0; i < 200 && has_taint(c, "node-1", "node.kubernetes.io/unschedulable",
					     "NoSchedule"); i++)
		usleep(5000);
	cr_assert(!has_taint(c, "node-1", "node.kubernetes.io/unschedulable", "NoSchedule"));
	kube_cluster_free(c);
}

Test(nodelifecycle, manual_noexecute_taint_evicts_untolerating_pods)
{
	kube_cluster *c = start();
	char buf[256];

	node(c, "node-1");
	running_pod(c, "plain", "node-1", NULL);
	running_pod(c, "brief", "node-1",
		    "\"tolerations\":[{\"key\":\"maintenance\",\"operator\":\"Equal\",\"value\":"
		    "\"yes\",\"effect\":\"NoExecute\",\"tolerationSeconds\":60}]");
	running_pod(c, "any", "node-1", "\"tolerations\":[{\"operator\":\"Exists\"}]");
	sh_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
		    "\"spec\":{\"taints\":[{\"key\":\"maintenance\",\"value\":\"yes\",\"effect\":"
		    "\"NoExecute\"}]}}");
	cr_assert_eq(kube_wait(c, "pods", NS, "plain", "delete", 2000), 0);
	cr_assert_str_eq(sh_wait_event(c, NS, "plain", "TaintManagerEviction", buf, sizeof(buf)),
			 "Marking for deletion Pod default/plain");
	cr_assert(exists(c, "brief"));
	cr_assert_eq(kube_cluster_advance_clock(c, 59000), 0);
	usleep(20000);
	cr_assert(exists(c, "brief"));
	cr_assert_eq(kube_cluster_advance_clock(c, 2000), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "brief", "delete", 2000), 0);
	cr_assert(exists(c, "any"));
	kube_cluster_free(c);
}
