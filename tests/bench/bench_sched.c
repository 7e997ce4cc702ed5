/*
 * Scheduler throughput, after kube-scheduler's scheduler_perf: nodes and
 * pods are fed as API JSON, then the queue is drained one decision at a
 * time, binds confirmed as the cluster would. Prints one line per scenario:
 * pods/s of the scheduling loop and the p99 latency of one decision.
 *
 *   bench_sched [nodes] [pods]      (defaults 5000 and 10000)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/sched.h"

struct scenario {
	const char *name;
	const char *node_labels;        /* extra label members; %d: node index */
	const char *pod_labels;         /* label members */
	const char *pod_spec;           /* extra spec members */
	int npods;                      /* 0: the default count */
	bool preemption;                /* nodes pre-filled with low-priority pods */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j) {
		fprintf(stderr, "bench: bad JSON %s: %s\n", e.text, text);
		exit(1);
	}
	return j;
}

static void feed_nodes(struct sched *s, const struct scenario *sc, int n)
{
	char buf[1024], labels[256];

	for (int i = 0; i < n; i++) {
		json_t *j;
		snprintf(labels, sizeof(labels), sc->node_labels, i % 10);
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"name\":\"node-%d\",\"labels\":{\"kubernetes.io/hostname\":"
			 "\"node-%d\"%s%s}},\"status\":{\"allocatable\":{\"cpu\":\"4\","
			 "\"memory\":\"32Gi\",\"pods\":\"110\"}}}", i, i, *labels ? "," : "", labels);
		j = load(buf);
		sched_node_upsert(s, j);
		json_decref(j);
	}
}

static json_t *pod_json(const char *name, const char *node, const char *cpu, int prio,
			const struct scenario *sc)
{
	char buf[2048], nn[64] = "";

	if (node)
		snprintf(nn, sizeof(nn), ",\"nodeName\":\"%s\"", node);
	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"bench\",\"labels\":{%s}},"
		 "\"spec\":{\"priority\":%d%s,\"containers\":[{\"name\":\"c\",\"image\":\"pause\","
		 "\"resources\":{\"requests\":{\"cpu\":\"%s\",\"memory\":\"500Mi\"}}}]%s%s}}",
		 name, sc->pod_labels, prio, nn, cpu, *sc->pod_spec ? "," : "", sc->pod_spec);
	return load(buf);
}

static void fill_low_priority(struct sched *s, int nodes)
{
	static const struct scenario plain = {"", "", "", "", 0, false};
	char name[64], node[32];

	for (int i = 0; i < nodes; i++) {
		for (int k = 0; k < 4; k++) {
			json_t *j;
			snprintf(name, sizeof(name), "low-%d-%d", i, k);
			snprintf(node, sizeof(node), "node-%d", i);
			j = pod_json(name, node, "900m", k, &plain);
			sched_pod_upsert(s, j);
			json_decref(j);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Drain the queue; victims are deleted as the cluster would. */
static int drain(struct sched *s, double *lat, int cap, int *bound)
{
	struct sched_decision d;
	int n = 0;

	for (;;) {
		double t0 = now();
		int rc = sched_schedule_next(s, &d);
		if (rc <= 0)
			return n;
		if (n < cap)
			lat[n] = now() - t0;
		n++;
		*bound += d.kind == SCHED_BIND;
		for (int i = 0; i < d.nvictims; i++)
			sched_pod_remove(s, d.victims[i].ns, d.victims[i].name);
		sched_decision_clear(&d);
	}
}

static void run(const struct scenario *sc, int nodes, int pods)
{
	struct sched *s = sched_new(NULL);
	int n = sc->npods ? sc->npods : pods, bound = 0, made;
	double *lat = calloc((size_t)n * 3 + 1, sizeof(double)), t0, el;
	char name[64];

	feed_nodes(s, sc, nodes);
	if (sc->preemption)
		fill_low_priority(s, nodes);
	for (int i = 0; i < n; i++) {
		json_t *j;
		snprintf(name, sizeof(name), "pod-%d", i);
		j = pod_json(name, NULL, sc->preemption ? "1" : "100m", sc->preemption ? 1000 : 0, sc);
		sched_pod_upsert(s, j);
		json_decref(j);
	}
	t0 = now();
	made = drain(s, lat, n * 3, &bound);
	el = now() - t0;
	qsort(lat, made < n * 3 ? made : n * 3, sizeof(double), cmp_double);
	printf("%-28s nodes=%d pods=%d bound=%d decisions=%d  %8.0f pods/s  p99 %.1f us\n",
	       sc->name, nodes, n, bound, made, bound / el,
	       lat[(int)((made < n * 3 ? made : n * 3) * 0.99)] * 1e6);
	free(lat);
	sched_free(s);
}

int main(int argc, char **argv)
{
	int nodes = argc > 1 ? atoi(argv[1]) : 5000, pods = argc > 2 ? atoi(argv[2]) : 10000;
	const char *anti = "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnored"
			   "DuringExecution\":[{\"labelSelector\":{\"matchLabels\":{\"color\":\"green\"}},"
			   "\"topologyKey\":\"kubernetes.io/hostname\"}]}}";
	const char *spread = "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
			     "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
			     "\"labelSelector\":{\"matchLabels\":{\"color\":\"blue\"}}},{\"maxSkew\":1,"
			     "\"topologyKey\":\"kubernetes.io/hostname\",\"whenUnsatisfiable\":"
			     "\"ScheduleAnyway\",\"labelSelector\":{\"matchLabels\":{\"color\":\"blue\"}}}]";
	const char *affinity = "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnored"
			       "DuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"
			       "\"perf\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}]}}}";
	struct scenario scenarios[] = {
		{"SchedulingBasic", "", "", "", 0, false},
		{"SchedulingNodeAffinity", "\"perf\":\"a\",\"rank\":\"%d\"", "", affinity, 0, false},
		{"SchedulingPodAntiAffinity", "", "\"color\":\"green\"", anti, nodes * 4 / 5, false},
		{"SchedulingTopologySpreading", "\"topology.kubernetes.io/zone\":\"zone-%d\"",
		 "\"color\":\"blue\"", spread, 0, false},
		{"SchedulingPreemption", "", "", "", nodes / 5, true},
	};

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(&scenarios[i], nodes, pods);
	return 0;
}
