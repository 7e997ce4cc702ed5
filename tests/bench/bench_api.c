/*
 * Benchmark of the C API on both stores: durable creates per second of
 * 1 KiB ConfigMaps from one writer and from 8 concurrent writers, gets per
 * second, and watch latency from issuing a write to its event reaching a
 * watch callback (p50/p99). Prints one line per figure:
 *   api.create.1writer.memory  ops/s=...
 *
 *   bench_api [SECONDS_PER_FIGURE]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "libkube/libkube.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char payload[1025];
static double budget = 1.0;

struct writer {
	kube_cluster *c;
	int id;
	long done;
};

static void *create_loop(void *arg)
{
	struct writer *w = arg;
	char *m = malloc(2048);
	double end = now_s() + budget;

	while (now_s() < end) {
		snprintf(m, 2048, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
			 "{\"name\":\"w%d-%ld\"},\"data\":{\"blob\":\"%s\"}}", w->id, w->done, payload);
		if (kube_create(w->c, m, NULL) == 0)
			w->done++;
	}
	free(m);
	return NULL;
}

static void bench_creates(kube_cluster *c, int writers, const char *store, int round)
{
	struct writer w[8];
	pthread_t t[8];
	long total = 0;
	double t0 = now_s();

	for (int i = 0; i < writers; i++) {
		w[i] = (struct writer){ .c = c, .id = round * 100 + i };
		pthread_create(&t[i], NULL, create_loop, &w[i]);
	}
	for (int i = 0; i < writers; i++) {
		pthread_join(t[i], NULL);
		total += w[i].done;
	}
	printf("api.create.%dwriter%s.%s  ops/s=%.0f\n", writers, writers > 1 ? "s" : "", store,
	       (double)total / (now_s() - t0));
}

static void bench_gets(kube_cluster *c, const char *store)
{
	double t0 = now_s(), end = t0 + budget;
	long n = 0;
	char name[64], *out;

	while (now_s() < end) {
		snprintf(name, sizeof(name), "w0-%ld", n % 100);
		if (kube_get(c, "configmaps", "default", name, &out) == 0)
			kube_free(out);
		n++;
	}
	printf("api.get.%s  ops/s=%.0f\n", store, (double)n / (now_s() - t0));
}

#define SAMPLES 2000

struct lat {
	pthread_mutex_t lock;
	double sent, samples[SAMPLES];
	int n;
};

static void on_event(const char *type, const char *object, void *data)
{
	struct lat *l = data;
	double t = now_s();

	(void)type, (void)object;
	pthread_mutex_lock(&l->lock);
	if (l->n < SAMPLES && l->sent > 0)
		l->samples[l->n++] = t - l->sent;
	l->sent = 0;
	pthread_mutex_unlock(&l->lock);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench_watch(kube_cluster *c, const char *store)
{
	static struct lat l = { .lock = PTHREAD_MUTEX_INITIALIZER };
	kube_watch *w;
	char m[256];
	int target = 500;

	l.n = 0;
	kube_watch_start(c, "configmaps", "bench", NULL, NULL, NULL, on_event, &l, &w);
	kube_apply(c, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench\"}}", NULL);
	for (int i = 0; i < target; i++) {
		snprintf(m, sizeof(m), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
			 "{\"name\":\"l%d\",\"namespace\":\"bench\"}}", i);
		/* from the write being issued to its event reaching the callback:
		 * an upper bound of commit-to-callback (the store bench has that alone) */
		pthread_mutex_lock(&l.lock);
		l.sent = now_s();
		pthread_mutex_unlock(&l.lock);
		kube_create(c, m, NULL);
		for (int spin = 0; spin < 2000; spin++) {
			pthread_mutex_lock(&l.lock);
			int got = l.sent == 0;
			pthread_mutex_unlock(&l.lock);
			if (got)
				break;
			usleep(50);
		}
	}
	kube_watch_stop(w);
	qsort(l.samples, (size_t)l.n, sizeof(double), cmp);
	if (l.n)
		printf("api.watch.latency.%s  p50_us=%.0f p99_us=%.0f samples=%d\n", store,
		       l.samples[l.n / 2] * 1e6, l.samples[l.n * 99 / 100] * 1e6, l.n);
}

static void run(const char *dir, const char *store)
{
	kube_config cfg;
	kube_cluster *c;

	kube_config_init(&cfg);
	cfg.data_dir = dir;
	if (kube_cluster_new(&c, &cfg) || kube_cluster_start(c)) {
		fprintf(stderr, "cannot start: %s\n", kube_last_status());
		exit(1);
	}
	bench_creates(c, 1, store, 0);
	bench_creates(c, 8, store, 1);
	bench_gets(c, store);
	bench_watch(c, store);
	kube_cluster_free(c);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/libkube-bench-XXXXXX", cmd[64];

	if (argc > 1)
		budget = atof(argv[1]);
	memset(payload, 'x', 1024);
	run(NULL, "memory");
	if (!mkdtemp(dir))
		return 1;
	run(dir, "disk");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? 1 : 0;
}
