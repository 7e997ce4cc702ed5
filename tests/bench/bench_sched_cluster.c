/*
 * End-to-end scheduling through the cluster: pods created through the C API
 * until every one is bound (spec.nodeName written by the scheduler's
 * Binding), as a user of the library sees it. Unlike bench_sched (the
 * module alone), this includes admission, the store's group commits, the
 * watch that feeds the scheduler and the bind writes.
 *
 *   bench_sched_cluster [nodes] [pods] [agents] [creators]   (defaults 5000 10000 0 4)
 *
 * agents 0: the nodes are Node objects written here (Ready, 4 cpu, 32Gi,
 * 110 pods) with no agent, so nothing runs the pods and only scheduling is
 * measured. agents 1: simulated nodes through kube_node_add (node agents
 * with the simulated runtime: leases, pod status writes) — the whole path.
 * Pods are created from `creators` threads at once (blocking C API calls,
 * as several clients would), so the loop is never idle waiting for one.
 * Prints: pods created per second, pods bound per
 * second from the first create to the last bind, and the p50/p99 latency
 * from a pod's create call returning to its bind being observed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include "libkube/libkube.h"

struct run {
	int npods;
	double *created;        /* per pod: when its create returned */
	double *bound;          /* per pod: when the watch saw spec.nodeName (0: not yet) */
	int nbound;
	pthread_mutex_t lock;   /* created[] is written by the creating thread */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_sched_cluster: %s: %s %s\n", what, kube_strerror(err),
		kube_last_status() ? kube_last_status() : "");
	exit(1);
}

/* Watch callback on the loop: note the first time each pod has a node. */
static void on_pod(const char *type, const char *obj, void *data)
{
	struct run *r = data;
	const char *n = strstr(obj, "\"name\":\"p-");
	int i;

	if (strcmp(type, "MODIFIED") || !n || !strstr(obj, "\"nodeName\":"))
		return;
	i = atoi(n + 10);
	if (i < 0 || i >= r->npods || r->bound[i] != 0)
		return;
	r->bound[i] = now_s();
	pthread_mutex_lock(&r->lock);
	r->nbound++;
	pthread_mutex_unlock(&r->lock);
}

static void node_object(kube_cluster *c, int i)
{
	char buf[1024];
	int err;

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%d\","
		 "\"labels\":{\"kubernetes.io/hostname\":\"node-%d\"}}}", i, i);
	if ((err = kube_create(c, buf, NULL)))
		die("create node", err);
	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%d\"},"
		 "\"status\":{\"capacity\":{\"cpu\":\"4\",\"memory\":\"32Gi\",\"pods\":\"110\"},"
		 "\"allocatable\":{\"cpu\":\"4\",\"memory\":\"32Gi\",\"pods\":\"110\"},"
		 "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\"}]}}",
		 i);
	if ((err = kube_update_status(c, buf, NULL)))
		die("node status", err);
}

static void node_agent(kube_cluster *c, int i)
{
	kube_node_config nc;
	char name[32];
	int err;

	snprintf(name, sizeof(name), "node-%d", i);
	kube_node_config_init(&nc);
	nc.name = name;
	nc.cpu = "4";
	nc.role = KUBE_NODE_ROLE_WORKER;
	if ((err = kube_node_add(c, &nc)))
		die("kube_node_add", err);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct creator {
	kube_cluster *c;
	struct run *r;
	int from, to;           /* pod indexes [from, to) */
};

static void *create_pods(void *data)
{
	struct creator *cr = data;
	char buf[512];
	int err;

	for (int i = cr->from; i < cr->to; i++) {
		snprintf(buf, sizeof(buf),
			 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%d\","
			 "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\","
			 "\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"100m\","
			 "\"memory\":\"500Mi\"}}}]}}", i);
		if ((err = kube_create(cr->c, buf, NULL)))
			die("create pod", err);
		cr->r->created[i] = now_s();
	}
	return NULL;
}

static void report(const struct run *r, int nodes, bool agents, double t0, double t_created)
{
	double *lat = malloc(sizeof(double) * (size_t)r->npods), last = 0;

	for (int i = 0; i < r->npods; i++) {
		lat[i] = r->bound[i] - r->created[i];
		last = r->bound[i] > last ? r->bound[i] : last;
	}
	qsort(lat, (size_t)r->npods, sizeof(double), cmp_double);
	printf("ClusterScheduling %-7s nodes=%d pods=%d  created %6.0f pods/s  bound %6.0f pods/s"
	       "  create->bind p50 %.1f ms p99 %.1f ms\n", agents ? "agents" : "objects", nodes,
	       r->npods, r->npods / (t_created - t0), r->npods / (last - t0),
	       lat[r->npods / 2] * 1e3, lat[r->npods * 99 / 100] * 1e3);
	free(lat);
}

int main(int argc, char **argv)
{
	int nodes = argc > 1 ? atoi(argv[1]) : 5000, npods = argc > 2 ? atoi(argv[2]) : 10000;
	bool agents = argc > 3 && atoi(argv[3]);
	int ncreators = argc > 4 ? atoi(argv[4]) : 4;
	struct creator cr[64];
	pthread_t th[64];
	struct run r = { .npods = npods };
	kube_cluster *c;
	kube_watch *w;
	double t0, t_created;
	int err;

	ncreators = ncreators < 1 ? 1 : ncreators > 64 ? 64 : ncreators;
	r.created = calloc((size_t)npods, sizeof(double));
	r.bound = calloc((size_t)npods, sizeof(double));
	pthread_mutex_init(&r.lock, NULL);
	if ((err = kube_cluster_new(&c, NULL)) || (err = kube_cluster_start(c)))
		die("cluster", err);
	for (int i = 0; i < nodes; i++)
		agents ? node_agent(c, i) : node_object(c, i);
	if ((err = kube_watch_start(c, "pods", "default", NULL, NULL, NULL, on_pod, &r, &w)))
		die("watch", err);
	t0 = now_s();
	for (int k = 0; k < ncreators; k++) {
		cr[k] = (struct creator){ c, &r, npods * k / ncreators, npods * (k + 1) / ncreators };
		pthread_create(&th[k], NULL, create_pods, &cr[k]);
	}
	for (int k = 0; k < ncreators; k++)
		pthread_join(th[k], NULL);
	t_created = now_s();
	for (int waited = 0;; waited++) {
		pthread_mutex_lock(&r.lock);
		int n = r.nbound;
		pthread_mutex_unlock(&r.lock);
		if (n == npods)
			break;
		if (waited > 120000) {
			fprintf(stderr, "bench_sched_cluster: only %d/%d pods bound\n", n, npods);
			return 1;
		}
		usleep(1000);
	}
	kube_watch_stop(w);
	report(&r, nodes, agents, t0, t_created);
	kube_cluster_free(c);
	free(r.created);
	free(r.bound);
	return 0;
}
