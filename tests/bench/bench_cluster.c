/*
 * Issue 4's numbers, one line per figure:
 *   cluster.start_to_ready          ms=...  kube_cluster_new to one Ready node (in-memory store)
 *   pods.1000.running               s=...   1000 bare pods scheduled and Running on 100 nodes
 *   rss.1000pods                    MiB=... VmRSS with those pods
 *   deployment.1000.available       s=...   a Deployment of 1000 reaching 1000 available
 *   deployment.1000.rolling_update  s=...   a template change rolled out to all 1000
 *   deployment.1000.cascade_delete  s=...   foreground delete until the Deployment is gone
 * A scenario that needs a piece not built yet prints "not available" and why.
 *
 * STAND-IN NODES: until the node agent and the simulated runtime land, the
 * nodes here are Node objects this program makes (Ready, 110 pods, 32 CPUs)
 * and stand_in_kubelet() below marks every bound pod Running and Ready. Both
 * are to be replaced by real simulated nodes (the node C API).
 *
 *   bench_cluster
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "libkube/libkube.h"

#define NODES 100
#define REPLICAS 1000
#define TIMEOUT_MS 120000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

/* ---- STAND-IN for the node agent (replaced by simulated nodes) -------- */

static const char *ready_conditions =
	"[{\"type\":\"PodScheduled\",\"status\":\"True\"},{\"type\":\"Initialized\",\"status\":\"True\"},"
	"{\"type\":\"ContainersReady\",\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"True\"}]";

/* Watch callback: a bound pod not yet Running becomes Running and Ready. */
static void stand_in_kubelet(const char *type, const char *object, void *data)
{
	kube_cluster *c = data;
	json_t *pod, *spec, *status;
	char *text;

	if (strcmp(type, "ADDED") && strcmp(type, "MODIFIED"))
		return;
	pod = json_loads(object, 0, NULL);
	spec = json_object_get(pod, "spec");
	status = json_object_get(pod, "status");
	if (!json_string_value(json_object_get(spec, "nodeName")) ||
	    json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") ||
	    !strcmp(json_string_value(json_object_get(status, "phase")) ?: "", "Running")) {
		json_decref(pod);
		return;
	}
	json_object_del(json_object_get(pod, "metadata"), "resourceVersion");
	json_object_set_new(pod, "status", json_pack("{s:s, s:s, s:o}", "phase", "Running",
		"podIP", "10.42.0.10", "conditions", json_loads(ready_conditions, 0, NULL)));
	text = json_dumps(pod, JSON_COMPACT);
	kube_update_status(c, text, NULL);
	free(text);
	json_decref(pod);
}

/* A Ready Node made by hand (STAND-IN for a simulated node). */
static void stand_in_node(kube_cluster *c, int i)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":"
		 "\"node-%d\",\"labels\":{\"kubernetes.io/hostname\":\"node-%d\"}}}", i, i);
	kube_apply(c, buf, NULL);
	snprintf(buf, sizeof(buf), "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":"
		 "\"node-%d\"},\"status\":{\"capacity\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":"
		 "\"110\"},\"allocatable\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":\"110\"},"
		 "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\"}]}}",
		 i);
	kube_update_status(c, buf, NULL);
}

/* ---- helpers ---------------------------------------------------------- */

static kube_cluster *cluster_with_nodes(int nodes, kube_watch **kubelet)
{
	kube_cluster *c;

	if (kube_cluster_new(&c, NULL) || kube_cluster_start(c))
		return NULL;
	kube_watch_start(c, "pods", NULL, NULL, NULL, NULL, stand_in_kubelet, c, kubelet);
	for (int i = 1; i <= nodes; i++)
		stand_in_node(c, i);
	return c;
}

static int count_running(kube_cluster *c)
{
	char *out = NULL;
	json_t *list;
	int n;

	if (kube_list(c, "pods", NULL, NULL, "status.phase=Running", &out))
		return -1;
	list = json_loads(out, 0, NULL);
	kube_free(out);
	n = (int)json_array_size(json_object_get(list, "items"));
	json_decref(list);
	return n;
}

/* ---- scenarios -------------------------------------------------------- */

static void bench_start_to_ready(void)
{
	double t0 = now_s();
	kube_cluster *c;

	if (kube_cluster_new(&c, NULL) || kube_cluster_start(c)) {
		printf("cluster.start_to_ready not available (cluster failed to start)\n");
		return;
	}
	stand_in_node(c, 1);
	if (kube_wait(c, "nodes", NULL, "node-1", "condition=Ready", TIMEOUT_MS)) {
		printf("cluster.start_to_ready not available (node never Ready)\n");
	} else {
		printf("cluster.start_to_ready ms=%.1f (in-memory store, 1 stand-in node)\n",
		       (now_s() - t0) * 1000);
	}
	kube_cluster_free(c);
}

static void bench_bare_pods(void)
{
	kube_watch *w = NULL;
	kube_cluster *c = cluster_with_nodes(NODES, &w);
	char buf[512];
	double t0;
	int running = 0;

	if (!c) {
		printf("pods.%d.running not available (cluster failed to start)\n", REPLICAS);
		return;
	}
	t0 = now_s();
	for (int i = 0; i < REPLICAS; i++) {
		snprintf(buf, sizeof(buf), "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
			 "\"p-%d\",\"labels\":{\"app\":\"bare\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
			 "\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]}}", i);
		kube_create(c, buf, NULL);
	}
	while (now_s() - t0 < TIMEOUT_MS / 1000.0 && (running = count_running(c)) < REPLICAS)
		usleep(5000);
	if (running < REPLICAS)
		printf("pods.%d.running not available (%d Running after %d s)\n", REPLICAS, running,
		       TIMEOUT_MS / 1000);
	else
		printf("pods.%d.running s=%.3f (%d stand-in nodes)\n", REPLICAS, now_s() - t0, NODES);
	printf("rss.%dpods MiB=%.1f\n", REPLICAS, rss_kib() / 1024.0);
	kube_watch_stop(w);
	kube_cluster_free(c);
}

static const char *deployment =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
	"\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":"
	"{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
	"\"image\":\"%s\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]}}}}";

static bool deployment_controller_present(kube_cluster *c)
{
	char *out = NULL;
	json_t *list;
	bool present = false;

	for (int i = 0; i < 200 && !present; i++) {
		if (!kube_list(c, "replicasets", NULL, NULL, NULL, &out)) {
			list = json_loads(out, 0, NULL);
			present = json_array_size(json_object_get(list, "items")) > 0;
			json_decref(list);
			kube_free(out);
		}
		if (!present)
			usleep(10000);
	}
	return present;
}

static double timed_wait(kube_cluster *c, const char *cond)
{
	double t0 = now_s();

	return kube_wait(c, "deployments", "default", "web", cond, TIMEOUT_MS) ? -1 : now_s() - t0;
}

static void bench_deployment(void)
{
	kube_watch *w = NULL;
	kube_cluster *c = cluster_with_nodes(NODES, &w);
	char buf[1024], cond[64];
	double t0, t;

	if (!c) {
		printf("deployment.%d.available not available (cluster failed to start)\n", REPLICAS);
		return;
	}
	snprintf(cond, sizeof(cond), "jsonpath={.status.availableReplicas}=%d", REPLICAS);
	t0 = now_s();
	snprintf(buf, sizeof(buf), deployment, REPLICAS, "nginx:1.27");
	kube_apply(c, buf, NULL);
	if (!deployment_controller_present(c)) {
		printf("deployment.%d.available not available (no Deployment controller)\n", REPLICAS);
		printf("deployment.%d.rolling_update not available (no Deployment controller)\n", REPLICAS);
		printf("deployment.%d.cascade_delete not available (no Deployment controller)\n", REPLICAS);
		goto out;
	}
	t = timed_wait(c, cond);
	if (t < 0)
		printf("deployment.%d.available not available (timed out)\n", REPLICAS);
	else
		printf("deployment.%d.available s=%.3f (%d stand-in nodes)\n", REPLICAS,
		       now_s() - t0, NODES);
	snprintf(buf, sizeof(buf), deployment, REPLICAS, "nginx:1.28");
	t0 = now_s();
	kube_apply(c, buf, NULL);
	snprintf(cond, sizeof(cond), "jsonpath={.status.updatedReplicas}=%d", REPLICAS);
	t = timed_wait(c, cond);
	snprintf(cond, sizeof(cond), "jsonpath={.status.availableReplicas}=%d", REPLICAS);
	if (t >= 0)
		t = timed_wait(c, cond);
	if (t < 0)
		printf("deployment.%d.rolling_update not available (timed out)\n", REPLICAS);
	else
		printf("deployment.%d.rolling_update s=%.3f\n", REPLICAS, now_s() - t0);
	t0 = now_s();
	kube_delete(c, "deployments", "default", "web", KUBE_PROPAGATION_FOREGROUND);
	if (timed_wait(c, "delete") < 0)
		printf("deployment.%d.cascade_delete not available (timed out)\n", REPLICAS);
	else
		printf("deployment.%d.cascade_delete s=%.3f\n", REPLICAS, now_s() - t0);
out:
	kube_watch_stop(w);
	kube_cluster_free(c);
}

int main(void)
{
	bench_start_to_ready();
	bench_bare_pods();
	bench_deployment();
	return 0;
}
