/*
 * kubed: a small host program embedding a libkube cluster.
 *
 *   kubed [--data-dir DIR] [--listen ADDR:PORT] [--write-kubeconfig PATH]
 *         [--nodes N] [--runtime simulated|native|process] [--taint-control-plane]
 *         [--demo] [--apply FILE]... [--verbose]
 *
 * Starts the cluster (SQLite in DIR, or in memory) serving the Kubernetes
 * API on ADDR:PORT (default 127.0.0.1:6443), writes an admin kubeconfig once
 * the API answers, starts N nodes node-1..node-N (node-1 the control-plane
 * node), applies the demo workload and any given manifests, logs
 * what changes, and runs until SIGINT or SIGTERM, then stops cleanly (every
 * acknowledged write on disk).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libkube/libkube.h"

#ifndef KUBED_DEMO_FILE
#define KUBED_DEMO_FILE "examples/kubed/demo.yaml"
#endif

static void logf_(const char *fmt, const char *a, const char *b, const char *c)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s kubed: ", ts);
	fprintf(stderr, fmt, a, b, c);
	fputc('\n', stderr);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int apply_file(kube_cluster *c, const char *path)
{
	char *text = read_file(path), *out = NULL;
	int err;

	if (!text) {
		logf_("cannot read %s", path, NULL, NULL);
		return -1;
	}
	err = kube_apply(c, text, &out);
	if (err)
		logf_("apply %s failed: %s", path, kube_last_status(), NULL);
	else
		logf_("applied %s", path, NULL, NULL);
	kube_free(out);
	free(text);
	return err;
}

/* Log every change to the kinds a demo user looks at. */
static void on_change(const char *type, const char *object, void *data)
{
	const char *kind = data;
	const char *name = strstr(object, "\"name\":\"");
	char buf[256] = "";

	if (name)
		sscanf(name + 8, "%255[^\"]", buf);
	logf_("%s %s/%s", type, kind, buf);
}

static void usage(void)
{
	fputs("usage: kubed [--data-dir DIR] [--listen ADDR:PORT] [--write-kubeconfig PATH]\n"
	      "             [--nodes N] [--runtime simulated|native|process] [--taint-control-plane]\n"
	      "             [--demo] [--apply FILE]... [--verbose]\n"
	      "  --nodes N              start N nodes named node-1..node-N (default 1; node-1 is\n"
	      "                         the control-plane node)\n"
	      "  --runtime R            the nodes' runtime: simulated (nothing executes, no\n"
	      "                         privileges), process (each container's command as a\n"
	      "                         child process) or native (real containers; not available\n"
	      "                         in this build). Default: process.\n"
	      "  --taint-control-plane  give node-1 kubeadm's\n"
	      "                         node-role.kubernetes.io/control-plane:NoSchedule taint\n", stderr);
}

/* node-1..node-N on @p runtime; node-1 is the control-plane node. */
static int start_nodes(kube_cluster *c, long n, const char *runtime, int taint)
{
	for (long i = 1; i <= n; i++) {
		kube_node_config nc;
		char name[32];

		snprintf(name, sizeof(name), "node-%ld", i);
		kube_node_config_init(&nc);
		nc.name = name;
		nc.runtime = runtime;
		nc.role = i == 1 ? KUBE_NODE_ROLE_CONTROL_PLANE : KUBE_NODE_ROLE_WORKER;
		nc.taint_control_plane = taint;
		if (kube_node_add(c, &nc)) {
			logf_("cannot start node %s: %s", name, kube_last_status(), NULL);
			return -1;
		}
	}
	char count[32];

	snprintf(count, sizeof(count), "%ld", n);
	logf_("started %s node(s) with the %s runtime", count, runtime, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "demo", no_argument, NULL, 'D' },
		{ "apply", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "listen", required_argument, NULL, 'l' },
		{ "write-kubeconfig", required_argument, NULL, 'k' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "taint-control-plane", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const watched[] = { "namespaces", "deployments", "services",
					       "configmaps", "pods", NULL };
	kube_watch *watches[8] = { 0 };
	const char *applies[32];
	int napplies = 0, demo = 0, taint = 0, opt, sig, rc = 0;
	const char *runtime = "process";
	long nodes = 1;
	char *end;
	kube_config cfg;
	kube_cluster *c;
	sigset_t set;

	kube_config_init(&cfg);
	cfg.api_address = "127.0.0.1:6443";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': cfg.data_dir = optarg; break;
		case 'D': demo = 1; break;
		case 'a':
			if (napplies < 32)
				applies[napplies++] = optarg;
			break;
		case 'v': cfg.verbose = 1; break;
		case 'l': cfg.api_address = optarg; break;
		case 'k': cfg.kubeconfig_path = optarg; break;
		case 'n':
			nodes = strtol(optarg, &end, 10);
			if (*end || nodes < 0 || nodes > 256) {
				fprintf(stderr, "kubed: --nodes takes a number from 0 to 256\n");
				return 2;
			}
			break;
		case 'r': runtime = optarg; break;
		case 't': taint = 1; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	/* block the stop signals in every thread; main waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (kube_cluster_new(&c, &cfg) || kube_cluster_start(c)) {
		logf_("cannot start the cluster: %s", kube_last_status() ? kube_last_status() : "", NULL, NULL);
		return 1;
	}
	logf_("cluster started (%s), API on %s%s", cfg.data_dir ? cfg.data_dir : "in memory",
	      cfg.api_address, cfg.kubeconfig_path ? ", kubeconfig written" : "");
	if (start_nodes(c, nodes, runtime, taint)) {
		kube_cluster_free(c);
		return 1;
	}
	for (int i = 0; watched[i]; i++)
		kube_watch_start(c, watched[i], NULL, NULL, NULL, NULL, on_change,
				 (void *)watched[i], &watches[i]);
	if (demo && apply_file(c, KUBED_DEMO_FILE))
		rc = 1;
	for (int i = 0; i < napplies; i++)
		if (apply_file(c, applies[i]))
			rc = 1;
	logf_("running; stop with SIGINT or SIGTERM", NULL, NULL, NULL);
	sigwait(&set, &sig);
	logf_("signal %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL, NULL);
	for (int i = 0; watches[i]; i++)
		kube_watch_stop(watches[i]);
	kube_cluster_free(c);
	logf_("stopped", NULL, NULL, NULL);
	return rc;
}
