/*
 * End to end through the public C API, with real node agents (simulated
 * runtime), the scheduler and every controller, on the manual clock:
 * - a node whose agent stops: its Lease expires, the node turns Unknown and
 *   gets the unreachable NoExecute taint, its pods stay for the 300 s that
 *   DefaultTolerationSeconds admission gave them, are then evicted, and the
 *   Deployment brings its replicas back on the other nodes;
 * - a DaemonSet runs a pod on a node added later;
 * - a StatefulSet keeps its claims when scaled down (and the pods that come
 *   back reuse them), unless its retention policy says whenScaled: Delete.
 */
#include "../runtime/runtime_fixture.h"

#define NS "default"

static int64_t now_ms;

/* Advance the cluster clock by @p ms in 5 s steps (the node lifecycle
 * controller's monitor period), letting the loop react after each, so the
 * running agents' Lease renewals are seen before the next health check. */
static void advance(kube_cluster *c, int64_t ms)
{
	for (int64_t done = 0; done < ms; done += 5000) {
		int64_t step = ms - done < 5000 ? ms - done : 5000;

		cr_assert_eq(kube_cluster_advance_clock(c, step), 0);
		now_ms += step;
		usleep(10000);
	}
}

static kube_cluster *cluster_with_nodes(int n)
{
	kube_cluster *c = start_cluster(true);
	char name[16];

	now_ms = T0;
	for (int i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "node-%d", i);
		add_node(c, name, NULL);
	}
	return c;
}

static json_t *list_pods(kube_cluster *c, const char *sel)
{
	char *out = NULL;
	json_t *l;

	cr_assert_eq(kube_list(c, "pods", NS, sel, NULL, &out), 0);
	l = json_loads(out, 0, NULL);
	kube_free(out);
	return l;
}

/* Pods matching @p sel that are not terminating, and how many of them run on
 * @p node (NULL: any) Ready. */
static void count_pods(kube_cluster *c, const char *sel, const char *node, int *live, int *ready_on)
{
	json_t *l = list_pods(c, sel), *p;
	size_t i;

	*live = *ready_on = 0;
	json_array_foreach(json_object_get(l, "items"), i, p) {
		if (tu_at(p, "metadata.deletionTimestamp"))
			continue;
		(*live)++;
		if (pod_ready(p, NULL) && (!node || !strcmp(str_at(p, "spec.nodeName") ?: "", node)))
			(*ready_on)++;
	}
	json_decref(l);
}

/* Predicate: the Node carries a taint with this key (arg). */
static bool tainted(const json_t *node, const void *key)
{
	json_t *t;
	size_t i;

	json_array_foreach(tu_at(node, "spec.taints"), i, t)
		if (!strcmp(str_at(t, "key"), key))
			return true;
	return false;
}

static const char *const web =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
	"spec:\n  replicas: 6\n  selector: {matchLabels: {app: web}}\n"
	"  template:\n    metadata: {labels: {app: web}}\n"
	"    spec: {containers: [{name: nginx, image: nginx:1.25}]}\n";

/* The admission default every pod gets: tolerate @p key for 300 s. */
static void assert_default_toleration(const json_t *pod, const char *key)
{
	json_t *t;
	size_t i;

	json_array_foreach(tu_at(pod, "spec.tolerations"), i, t)
		if (!strcmp(str_at(t, "key"), key)) {
			cr_assert_str_eq(str_at(t, "operator"), "Exists");
			cr_assert_str_eq(str_at(t, "effect"), "NoExecute");
			cr_assert_eq(json_integer_value(json_object_get(t, "tolerationSeconds")), 300);
			return;
		}
	cr_assert_fail("pod %s has no %s toleration", str_at(pod, "metadata.name"), key);
}

/* The names of the pods of @p sel bound to @p node, '|'-separated. */
static char *pods_on(kube_cluster *c, const char *sel, const char *node)
{
	json_t *l = list_pods(c, sel), *p;
	char *names = calloc(1, 1024);
	size_t i;

	json_array_foreach(json_object_get(l, "items"), i, p)
		if (!strcmp(str_at(p, "spec.nodeName") ?: "", node)) {
			assert_default_toleration(p, "node.kubernetes.io/unreachable");
			assert_default_toleration(p, "node.kubernetes.io/not-ready");
			strcat(strcat(names, str_at(p, "metadata.name")), "|");
		}
	json_decref(l);
	return names;
}

/* Every pod in @p names ('|'-separated) exists and is not being deleted. */
static bool all_kept(kube_cluster *c, const char *names)
{
	char buf[1024], *save = NULL;
	bool kept = true;

	snprintf(buf, sizeof(buf), "%s", names);
	for (char *n = strtok_r(buf, "|", &save); n; n = strtok_r(NULL, "|", &save)) {
		json_t *p = get_obj(c, "pods", NS, n);

		kept &= p && !tu_at(p, "metadata.deletionTimestamp");
		json_decref(p);
	}
	return kept;
}

/* Every pod in @p names is gone or terminating (its agent cannot finish the
 * deletion while stopped, as a kubelet that is down cannot). */
static bool all_evicted(kube_cluster *c, const char *names)
{
	char buf[1024], *save = NULL;
	bool gone = true;

	snprintf(buf, sizeof(buf), "%s", names);
	for (char *n = strtok_r(buf, "|", &save); n; n = strtok_r(NULL, "|", &save)) {
		json_t *p = get_obj(c, "pods", NS, n);

		gone &= !p || tu_at(p, "metadata.deletionTimestamp");
		json_decref(p);
	}
	return gone;
}

/* Poll (real time, up to 10 s) until the Deployment's pods are back: 6 live,
 * 6 Ready, none of them on @p lost. */
static void wait_replaced(kube_cluster *c, const char *lost)
{
	int live = 0, ready = 0, on_lost = 0, unused;

	for (int i = 0; i < 1000; i++) {
		count_pods(c, "app=web", NULL, &live, &ready);
		count_pods(c, "app=web", lost, &unused, &on_lost);
		if (live == 6 && ready == 6 && on_lost == 0)
			return;
		usleep(10000);
	}
	cr_assert_fail("replicas not replaced: %d live, %d ready, %d ready on %s", live, ready,
		       on_lost, lost);
}

Test(e2e_node_failure, stopped_node_pods_evicted_after_300s_and_replaced)
{
	kube_cluster *c = cluster_with_nodes(3);
	int live, ready;
	char *victims;
	int64_t tainted_at;
	char node[32], first[64], *ev;
	json_t *l;

	create(c, web);
	cr_assert_eq(kube_wait(c, "deployments", NS, "web", "jsonpath={.status.availableReplicas}=6",
			       10000), 0);
	/* the node of the first pod fails */
	l = list_pods(c, "app=web");
	snprintf(node, sizeof(node), "%s", str_at(l, "items.0.spec.nodeName"));
	json_decref(l);
	victims = pods_on(c, "app=web", node);
	cr_assert(strlen(victims) > 0);

	cr_assert_eq(kube_node_stop(c, node), 0);
	/* the Lease stops at its last renewal; 50 s later the node is Unknown and
	 * the node lifecycle controller taints it */
	for (tainted_at = 0; now_ms - T0 < 120000; ) {
		advance(c, 5000);
		json_t *n = get_obj(c, "nodes", NULL, node);

		if (tainted(n, "node.kubernetes.io/unreachable")) {
			cr_assert_str_eq(cond_status(n, "Ready"), "Unknown");
			tainted_at = now_ms;
			json_decref(n);
			break;
		}
		json_decref(n);
	}
	cr_assert(tainted_at, "the stopped node was never tainted unreachable");
	cr_assert_geq(tainted_at - T0, 50000, "tainted %lld ms after the stop", (long long)(tainted_at - T0));
	count_pods(c, "app=web", NULL, &live, &ready);
	cr_assert_eq(live, 6, "the pods stay while they tolerate the taint");

	/* the taint was added within the last step: 290 s on, the pods still tolerate it */
	advance(c, 290000);
	usleep(50000);
	cr_assert(all_kept(c, victims), "evicted before tolerationSeconds: %s", victims);

	advance(c, 15000);
	for (int i = 0; i < 1000 && !all_evicted(c, victims); i++)
		usleep(10000);
	cr_assert(all_evicted(c, victims), "not evicted after tolerationSeconds: %s", victims);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(victims, "|"), victims);
	ev = events_of(c, first, "TaintManagerEviction");

	cr_assert(strstr(ev, "Marking for deletion Pod default/"), "events: %s", ev);
	free(ev);
	wait_replaced(c, node);
	free(victims);
	kube_cluster_free(c);
}

/* Predicate: the pod runs on the node named by @p arg, Ready. */
static bool ready_on(const json_t *pod, const void *node)
{
	return pod_ready(pod, NULL) && !strcmp(str_at(pod, "spec.nodeName") ?: "", node);
}

/* The name of the pod of @p sel on @p node, or "" (copied into @p buf). */
static const char *pod_on(kube_cluster *c, const char *sel, const char *node, char *buf, size_t len)
{
	json_t *l = list_pods(c, sel), *p;
	size_t i;

	buf[0] = 0;
	json_array_foreach(json_object_get(l, "items"), i, p)
		if (!strcmp(str_at(p, "spec.nodeName") ?: "", node))
			snprintf(buf, len, "%s", str_at(p, "metadata.name"));
	json_decref(l);
	return buf;
}

Test(e2e_node_failure, daemonset_runs_on_a_node_added_later)
{
	kube_cluster *c = cluster_with_nodes(2);
	char name[64];
	json_t *p;

	create(c, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\n"
		  "spec:\n  selector: {matchLabels: {app: agent}}\n"
		  "  template:\n    metadata: {labels: {app: agent}}\n"
		  "    spec: {containers: [{name: agent, image: busybox:1.28}]}\n");
	cr_assert_eq(kube_wait(c, "daemonsets", NS, "agent", "jsonpath={.status.numberReady}=2",
			       10000), 0);
	cr_assert_str_eq(pod_on(c, "app=agent", "node-3", name, sizeof(name)), "");

	add_node(c, "node-3", NULL);
	cr_assert_eq(kube_wait(c, "daemonsets", NS, "agent", "jsonpath={.status.numberReady}=3",
			       10000), 0, "%s", kube_last_status());
	cr_assert_str_neq(pod_on(c, "app=agent", "node-3", name, sizeof(name)), "");
	p = wait_obj(c, "pods", NS, name, ready_on, "node-3");
	/* bound by the scheduler through the node affinity the controller sets */
	cr_assert_str_eq(str_at(p, "spec.affinity.nodeAffinity."
				"requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0."
				"matchFields.0.values.0"), "node-3");
	json_decref(p);
	p = get_obj(c, "daemonsets", NS, "agent");
	cr_assert_eq(json_integer_value(tu_at(p, "status.desiredNumberScheduled")), 3);
	cr_assert_eq(json_integer_value(tu_at(p, "status.currentNumberScheduled")), 3);
	cr_assert_eq(json_integer_value(tu_at(p, "status.numberAvailable")), 3);
	json_decref(p);

	/* and leaves with it */
	cr_assert_eq(kube_node_remove(c, "node-3"), 0);
	cr_assert_eq(kube_wait(c, "daemonsets", NS, "agent",
			       "jsonpath={.status.desiredNumberScheduled}=2", 10000), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, name, "delete", 10000), 0);
	kube_cluster_free(c);
}

static const char *const db =
	"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
	"spec:\n  serviceName: db\n  replicas: %d\n  selector: {matchLabels: {app: db}}\n"
	"  persistentVolumeClaimRetentionPolicy: {whenScaled: %s}\n"
	"  template:\n    metadata: {labels: {app: db}}\n"
	"    spec:\n      containers:\n      - name: mysql\n        image: mysql:8.0\n"
	"        volumeMounts: [{name: data, mountPath: /var/lib/mysql}]\n"
	"  volumeClaimTemplates:\n  - metadata: {name: data}\n"
	"    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";

static void apply_db(kube_cluster *c, int replicas, const char *when_scaled)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), db, replicas, when_scaled);
	cr_assert_eq(kube_apply(c, yaml, NULL), 0, "%s", kube_last_status());
}

static char *claim_uid(kube_cluster *c, const char *name)
{
	json_t *pvc = get_obj(c, "persistentvolumeclaims", NS, name);
	char *uid;

	cr_assert(pvc, "claim %s is gone", name);
	uid = strdup(str_at(pvc, "metadata.uid"));
	json_decref(pvc);
	return uid;
}

Test(e2e_node_failure, statefulset_keeps_claims_after_scale_down)
{
	kube_cluster *c = cluster_with_nodes(2);
	char *uid2, *again;
	json_t *p;

	apply_db(c, 3, "Retain");
	cr_assert_eq(kube_wait(c, "statefulsets", NS, "db", "jsonpath={.status.readyReplicas}=3",
			       10000), 0);
	p = get_obj(c, "pods", NS, "db-2");
	cr_assert_str_eq(str_at(p, "spec.volumes.0.name"), "data");
	cr_assert_str_eq(str_at(p, "spec.volumes.0.persistentVolumeClaim.claimName"), "data-db-2");
	json_decref(p);
	uid2 = claim_uid(c, "data-db-2");

	apply_db(c, 1, "Retain");
	cr_assert_eq(kube_wait(c, "pods", NS, "db-2", "delete", 10000), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "db-1", "delete", 10000), 0);
	cr_assert_eq(kube_wait(c, "statefulsets", NS, "db", "jsonpath={.status.replicas}=1",
			       10000), 0);
	/* the claims outlive the pods, and the pods that come back use them again */
	free(claim_uid(c, "data-db-1"));
	again = claim_uid(c, "data-db-2");
	cr_assert_str_eq(again, uid2);
	free(again);
	apply_db(c, 3, "Retain");
	cr_assert_eq(kube_wait(c, "statefulsets", NS, "db", "jsonpath={.status.readyReplicas}=3",
			       10000), 0);
	again = claim_uid(c, "data-db-2");
	cr_assert_str_eq(again, uid2);
	free(again);
	free(uid2);
	kube_cluster_free(c);
}

Test(e2e_node_failure, statefulset_when_scaled_delete_removes_claims)
{
	kube_cluster *c = cluster_with_nodes(2);

	apply_db(c, 3, "Delete");
	cr_assert_eq(kube_wait(c, "statefulsets", NS, "db", "jsonpath={.status.readyReplicas}=3",
			       10000), 0);
	apply_db(c, 1, "Delete");
	cr_assert_eq(kube_wait(c, "persistentvolumeclaims", NS, "data-db-2", "delete", 10000), 0,
		     "the claim of a scaled-away pod goes with it (garbage collector)");
	cr_assert_eq(kube_wait(c, "persistentvolumeclaims", NS, "data-db-1", "delete", 10000), 0);
	free(claim_uid(c, "data-db-0"));
	kube_cluster_free(c);
}
