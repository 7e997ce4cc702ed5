/*
 * Issue 4's numbers: a cluster with simulated nodes (the real node agents,
 * scheduler and Deployment/ReplicaSet controllers), timed through the C API.
 * Every wait is a watch (kube_wait or kube_watch_start), never a poll.
 *
 *   bench_cluster [-r RUNS] [-s memory|sqlite|all] [-d TMPDIR]
 *
 * Each run is a fresh child process (so RSS is that run's alone) and does, in
 * order: start a cluster with one simulated node; add 99 more; create a
 * Deployment of 1000 replicas; change its image; delete it with Background
 * propagation; create it again; delete it with Foreground propagation.
 * One line per figure and run, then one per figure with the median:
 *
 *   FIGURE store=STORE run=N|median UNIT=VALUE [cpu_UNIT=CPU]
 *
 * or "FIGURE store=STORE run=N failed: WHY". Figures (see tests/bench/README.md):
 *   cluster.start_to_ready          ms   kube_cluster_new + start + node-1 Ready
 *   nodes.100.ready                 ms   99 more simulated nodes added, all Ready
 *   rss.100nodes.vmrss              MiB  VmRSS before any pod
 *   deployment.1000.available       s    create to status.availableReplicas=1000
 *   rss.1000pods.vmrss|vmhwm        MiB  VmRSS and VmHWM right then
 *   deployment.1000.rolling_update  s    image change to updated=available=1000,
 *                                        replicas=1000 and the old ReplicaSet at 0
 *   deployment.1000.delete_background s  Background delete until no pod is left
 *   deployment.1000.available_again s    the same Deployment created again
 *   deployment.1000.delete_foreground s  Foreground delete until no pod is left
 *                                        and the Deployment is gone
 *   rss.end.vmrss|vmhwm             MiB  at the end of the run
 */
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "libkube/libkube.h"

#define NODES 100
#define REPLICAS 1000
#define TIMEOUT_MS 120000   /* KWOK's CI gate: 1000 pods Running within 120 s */
#define MAX_RUNS 64
#define MAX_FIGS 32

static int out_fd = 1;      /* the child's result pipe */
static const char *store_name;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in MiB ("VmRSS:", "VmHWM:"). */
static double proc_mib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			kib = atol(line + strlen(field));
	if (f)
		fclose(f);
	return kib / 1024.0;
}

/* CPU time of the whole process (every thread), in seconds. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One result line to the parent: "FIGURE UNIT VALUE CPU" (CPU < 0: none)
 * or "FIGURE ! WHY". */
static void figure(const char *name, const char *unit, double v)
{
	dprintf(out_fd, "%s %s %.6f -1\n", name, unit, v);
}

/* A phase that began at wall time @p t0 and process CPU time @p c0. */
static void timed(const char *name, const char *unit, double t0, double c0)
{
	double scale = strcmp(unit, "ms") ? 1 : 1000;

	dprintf(out_fd, "%s %s %.6f %.6f\n", name, unit, (now_s() - t0) * scale,
		(cpu_s() - c0) * scale);
}

static void failed(const char *name, const char *why)
{
	dprintf(out_fd, "%s ! %s: %s\n", name, why, kube_last_status() ?
		kube_last_status() : "");
}

/* ---- waiting on a watch ------------------------------------------------ */

/* A count of matching pods kept by a watch: ADDED +1, DELETED -1. */
struct pod_count {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long n;             /* pods that exist */
};

static void count_event(const char *type, const char *object, void *data)
{
	struct pod_count *pc = data;

	(void)object;
	pthread_mutex_lock(&pc->lock);
	if (!strcmp(type, "ADDED"))
		pc->n++;
	else if (!strcmp(type, "DELETED"))
		pc->n--;
	pthread_cond_broadcast(&pc->cond);
	pthread_mutex_unlock(&pc->lock);
}

/* Start counting the pods of label @p sel: a list, then a watch from its revision. */
static int pod_count_start(kube_cluster *c, const char *sel, struct pod_count *pc,
			   kube_watch **w)
{
	char *out = NULL;
	json_t *list;
	int err;

	pthread_mutex_init(&pc->lock, NULL);
	pthread_cond_init(&pc->cond, NULL);
	err = kube_list(c, "pods", "default", sel, NULL, &out);
	if (err)
		return err;
	list = json_loads(out, 0, NULL);
	kube_free(out);
	pc->n = (long)json_array_size(json_object_get(list, "items"));
	err = kube_watch_start(c, "pods", "default", sel, NULL,
			       json_string_value(json_object_get(json_object_get(list, "metadata"),
								 "resourceVersion")),
			       count_event, pc, w);
	json_decref(list);
	return err;
}

static int pod_count_wait_zero(struct pod_count *pc, double deadline)
{
	struct timespec ts;
	double left;
	int rc = 0;

	pthread_mutex_lock(&pc->lock);
	while (pc->n > 0 && (left = deadline - now_s()) > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)left;
		ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&pc->cond, &pc->lock, &ts);
	}
	rc = pc->n > 0 ? KUBE_ETIMEDOUT : 0;
	pthread_mutex_unlock(&pc->lock);
	return rc;
}

/* Each of @p conds on one object in turn, all within one deadline. */
static int wait_all(kube_cluster *c, const char *resource, const char *name,
		    const char *const *conds, double deadline)
{
	int err = 0;

	for (; *conds && !err; conds++) {
		int64_t left = (int64_t)((deadline - now_s()) * 1000);

		err = left > 0 ? kube_wait(c, resource, "default", name, *conds, left) :
			KUBE_ETIMEDOUT;
	}
	return err;
}

/* ---- the cluster ------------------------------------------------------- */

static int add_node(kube_cluster *c, int i)
{
	kube_node_config nc;
	char name[32];

	kube_node_config_init(&nc);
	snprintf(name, sizeof(name), "node-%d", i);
	nc.name = name;
	nc.runtime = "simulated";
	nc.cpu = "32";
	nc.memory = "128Gi";
	return kube_node_add(c, &nc);
}

static kube_cluster *start_to_ready(const char *data_dir)
{
	kube_config cfg;
	kube_cluster *c = NULL;
	double t0 = now_s(), c0 = cpu_s();

	kube_config_init(&cfg);
	cfg.data_dir = data_dir;
	if (kube_cluster_new(&c, &cfg) || kube_cluster_start(c) || add_node(c, 1) ||
	    kube_wait(c, "nodes", NULL, "node-1", "condition=Ready", TIMEOUT_MS)) {
		failed("cluster.start_to_ready", "cluster or node-1 failed");
		kube_cluster_free(c);
		return NULL;
	}
	timed("cluster.start_to_ready", "ms", t0, c0);
	return c;
}

static int add_nodes(kube_cluster *c)
{
	double t0 = now_s(), c0 = cpu_s();
	char name[32];

	for (int i = 2; i <= NODES; i++) {
		snprintf(name, sizeof(name), "node-%d", i);
		if (add_node(c, i) || kube_wait(c, "nodes", NULL, name, "condition=Ready", TIMEOUT_MS)) {
			failed("nodes.100.ready", name);
			return -1;
		}
	}
	timed("nodes.100.ready", "ms", t0, c0);
	figure("rss.100nodes.vmrss", "MiB", proc_mib("VmRSS:"));
	return 0;
}

/* ---- the Deployment ---------------------------------------------------- */

static const char *deployment =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
	"\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":"
	"{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
	"\"image\":\"%s\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]}}}}";

static const char *const available_conds[] = {
	"jsonpath={.status.availableReplicas}=1000", NULL,
};

static int create_available(kube_cluster *c, const char *fig)
{
	char buf[1024];
	double t0 = now_s(), c0 = cpu_s();

	snprintf(buf, sizeof(buf), deployment, REPLICAS, "nginx:1.27");
	if (kube_create(c, buf, NULL) ||
	    wait_all(c, "deployments", "web", available_conds, t0 + TIMEOUT_MS / 1000.0)) {
		failed(fig, "not 1000 available");
		return -1;
	}
	timed(fig, "s", t0, c0);
	return 0;
}

/* The name of the one ReplicaSet the Deployment has now. */
static char *current_rs(kube_cluster *c)
{
	char *out = NULL, *name = NULL;
	json_t *list;

	if (kube_list(c, "replicasets", "default", "app=web", NULL, &out))
		return NULL;
	list = json_loads(out, 0, NULL);
	kube_free(out);
	if (json_array_size(json_object_get(list, "items")) == 1)
		name = strdup(json_string_value(json_object_get(json_object_get(
			json_array_get(json_object_get(list, "items"), 0), "metadata"), "name")));
	json_decref(list);
	return name;
}

static int rolling_update(kube_cluster *c)
{
	static const char *const dep_conds[] = {
		"jsonpath={.status.updatedReplicas}=1000",
		"jsonpath={.status.availableReplicas}=1000",
		"jsonpath={.status.replicas}=1000", NULL,
	};
	static const char *const old_conds[] = {
		"jsonpath={.spec.replicas}=0", "jsonpath={.status.replicas}=0", NULL,
	};
	char buf[1024], *old = current_rs(c);
	double t0 = now_s(), c0 = cpu_s(), deadline = t0 + TIMEOUT_MS / 1000.0;
	int err;

	if (!old) {
		failed("deployment.1000.rolling_update", "not exactly one ReplicaSet before");
		return -1;
	}
	snprintf(buf, sizeof(buf), deployment, REPLICAS, "nginx:1.28");
	err = kube_apply(c, buf, NULL) ||
	      wait_all(c, "deployments", "web", dep_conds, deadline) ||
	      wait_all(c, "replicasets", old, old_conds, deadline);
	free(old);
	if (err) {
		failed("deployment.1000.rolling_update", "rollout did not finish");
		return -1;
	}
	timed("deployment.1000.rolling_update", "s", t0, c0);
	return 0;
}

static int cascade_delete(kube_cluster *c, kube_propagation how, const char *fig)
{
	struct pod_count pc;
	kube_watch *w = NULL;
	double t0, c0, deadline;
	int err;

	if (pod_count_start(c, "app=web", &pc, &w)) {
		failed(fig, "pod watch");
		return -1;
	}
	t0 = now_s();
	c0 = cpu_s();
	deadline = t0 + TIMEOUT_MS / 1000.0;
	err = kube_delete(c, "deployments", "default", "web", how) ||
	      pod_count_wait_zero(&pc, deadline);
	if (!err && how == KUBE_PROPAGATION_FOREGROUND)
		err = kube_wait(c, "deployments", "default", "web", "delete",
				(int64_t)((deadline - now_s()) * 1000));
	if (err)
		failed(fig, "pods left");
	else
		timed(fig, "s", t0, c0);
	kube_watch_stop(w);
	return err ? -1 : 0;
}

/* One run, in a child process: every figure to @p fd. */
static void run(const char *data_dir)
{
	kube_cluster *c = start_to_ready(data_dir);

	if (!c)
		return;
	if (add_nodes(c) || create_available(c, "deployment.1000.available"))
		goto out;
	figure("rss.1000pods.vmrss", "MiB", proc_mib("VmRSS:"));
	figure("rss.1000pods.vmhwm", "MiB", proc_mib("VmHWM:"));
	if (rolling_update(c) ||
	    cascade_delete(c, KUBE_PROPAGATION_BACKGROUND, "deployment.1000.delete_background") ||
	    create_available(c, "deployment.1000.available_again") ||
	    cascade_delete(c, KUBE_PROPAGATION_FOREGROUND, "deployment.1000.delete_foreground"))
		goto out;
	figure("rss.end.vmrss", "MiB", proc_mib("VmRSS:"));
	figure("rss.end.vmhwm", "MiB", proc_mib("VmHWM:"));
out:
	kube_cluster_free(c);
}

/* ---- the parent: one child per run, medians ---------------------------- */

struct fig {
	char name[64];
	char unit[8];
	double v[MAX_RUNS];
	double cpu[MAX_RUNS];   /* process CPU time in the same unit; < 0: none */
	int n;              /* runs that produced it */
};

static struct fig figs[MAX_FIGS];
static int nfigs;

static void record(const char *name, const char *unit, double v, double cpu)
{
	int i;

	for (i = 0; i < nfigs && strcmp(figs[i].name, name); i++)
		;
	if (i == nfigs) {
		if (nfigs == MAX_FIGS)
			return;
		nfigs++;
		snprintf(figs[i].name, sizeof(figs[i].name), "%s", name);
		snprintf(figs[i].unit, sizeof(figs[i].unit), "%s", unit);
	}
	figs[i].cpu[figs[i].n] = cpu;
	figs[i].v[figs[i].n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_value(const char *name, int run, const char *unit, double v, double cpu)
{
	int prec = !strcmp(unit, "s") ? 3 : 1;
	char r[16];

	snprintf(r, sizeof(r), run ? "%d" : "median", run);
	printf("%-34s store=%s run=%-6s %s=%.*f", name, store_name, r, unit, prec, v);
	if (cpu >= 0)
		printf(" cpu_%s=%.*f", unit, prec, cpu);
	printf("\n");
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Echo a child's lines as they come, and keep the values. */
static void collect(FILE *in, int runno)
{
	char line[1024], name[64], unit[8];
	double v, cpu;

	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%63s %7s %lf %lf", name, unit, &v, &cpu) == 4) {
			record(name, unit, v, cpu);
			print_value(name, runno, unit, v, cpu);
		} else if (sscanf(line, "%63s !", name) == 1) {
			printf("%-34s store=%s run=%-6d failed: %s\n", name, store_name, runno,
			       strchr(line, '!') + 2);
		}
		fflush(stdout);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void one_run(const char *tmpdir, int runno)
{
	char dir[4096] = "";
	int fds[2];
	pid_t pid;
	FILE *in;

	if (!strcmp(store_name, "sqlite")) {
		snprintf(dir, sizeof(dir), "%s/bench_cluster.XXXXXX", tmpdir);
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	if (pipe(fds) || (pid = fork()) < 0) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		close(fds[0]);
		out_fd = fds[1];
		run(*dir ? dir : NULL);
		_exit(0);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	collect(in, runno);
	fclose(in);
	waitpid(pid, NULL, 0);
	if (*dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void bench_store(const char *store, int runs, const char *tmpdir)
{
	store_name = store;
	nfigs = 0;
	memset(figs, 0, sizeof(figs));
	for (int r = 1; r <= runs; r++)
		one_run(tmpdir, r);
	for (int i = 0; i < nfigs; i++)
		print_value(figs[i].name, 0, figs[i].unit, median(figs[i].v, figs[i].n),
			    median(figs[i].cpu, figs[i].n));
}

int main(int argc, char **argv)
{
	const char *stores = "all", *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int runs = 1, opt;

	while ((opt = getopt(argc, argv, "r:s:d:")) != -1) {
		if (opt == 'r')
			runs = atoi(optarg);
		else if (opt == 's')
			stores = optarg;
		else if (opt == 'd')
			tmpdir = optarg;
		else
			goto usage;
	}
	if (runs < 1 || runs > MAX_RUNS)
		goto usage;
	if (!strcmp(stores, "memory") || !strcmp(stores, "all"))
		bench_store("memory", runs, tmpdir);
	if (!strcmp(stores, "sqlite") || !strcmp(stores, "all"))
		bench_store("sqlite", runs, tmpdir);
	return 0;
usage:
	fprintf(stderr, "usage: bench_cluster [-r RUNS (1-%d)] [-s memory|sqlite|all] [-d TMPDIR]\n",
		MAX_RUNS);
	return 2;
}
