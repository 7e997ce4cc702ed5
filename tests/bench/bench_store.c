/*
 * Store benchmark. For the in-memory and the on-disk (SQLite) store, prints
 *   store.create.1writer.<b>   ops/s=N   one write at a time, each waits for its ack
 *   store.create.8writers.<b>  ops/s=N   8 writes outstanding at any time
 *   store.get.<b>              ops/s=N   gets of existing keys
 *   store.commit.batch.8writers.<b>  writes/commit=N   group commit at work
 *   store.watch.latency.<b>    p50_us=N p99_us=N   commit returned -> watch callback
 * with 1 KiB objects. Usage: bench_store [data-dir-parent] (default /tmp).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include "libkube/errors.h"
#include "storage/store.h"
#include "storage/backend.h"

#define RUN_NS (2ull * 1000 * 1000 * 1000) /* each write figure runs ~2 s */
#define STAMPS 65536                       /* commit times by revision */

/* ---- a backend wrapper that stamps when each revision's commit returned ---- */

struct stamper {
	struct store_backend base;
	struct store_backend_ops ops;
	struct store_backend *inner;
	_Atomic uint64_t at[STAMPS]; /* uv_hrtime() by rev % STAMPS */
};

static int stamp_load(struct store_backend *b, uint32_t window, int64_t *rev,
		      const struct store_loader *ld)
{
	struct stamper *st = (struct stamper *)b;

	return st->inner->ops->load(st->inner, window, rev, ld);
}

static int stamp_commit(struct store_backend *b, const struct store_batch_desc *d)
{
	struct stamper *st = (struct stamper *)b;
	int err = st->inner->ops->commit(st->inner, d);
	uint64_t now = uv_hrtime();
	size_t i;

	for (i = 0; i < d->n; i++)
		atomic_store(&st->at[d->writes[i].rev % STAMPS], now);
	return err;
}

static void stamp_close(struct store_backend *b)
{
	struct stamper *st = (struct stamper *)b;

	st->inner->ops->close(st->inner);
	free(st);
}

static struct stamper *stamper_open(const char *dir)
{
	struct stamper *st = calloc(1, sizeof(*st));

	if (!st || (dir ? store_backend_sqlite_open(&st->inner, dir)
			: store_backend_memory_open(&st->inner))) {
		fprintf(stderr, "cannot open the %s backend\n", dir ? "sqlite" : "memory");
		exit(1);
	}
	st->ops = *st->inner->ops;
	st->ops.load = stamp_load;
	st->ops.commit = stamp_commit;
	st->ops.close = stamp_close;
	st->base.ops = &st->ops;
	return st;
}

/* ---- writers ---- */

struct writers {
	kube_store *s;
	json_t *tmpl;      /* the 1 KiB object each write copies */
	uint64_t issued;   /* writes started */
	uint64_t acked;    /* writes acknowledged */
	uint64_t deadline; /* stop issuing after this uv_hrtime() */
	uint64_t limit;    /* or after this many */
	int outstanding;   /* in flight now */
	int failed;        /* first error */
	const char *tag;   /* key prefix part */
};

static void on_ack(int err, const json_t *obj, void *data);

static void issue(struct writers *w)
{
	char key[64];
	int err;

	snprintf(key, sizeof(key), "/configmaps/%s/cm-%08llu", w->tag,
		 (unsigned long long)w->issued++);
	err = store_create(w->s, key, json_deep_copy(w->tmpl), on_ack, w);
	if (err)
		w->failed = err;
	else
		w->outstanding++;
}

static void on_ack(int err, const json_t *obj, void *data)
{
	struct writers *w = data;

	w->outstanding--;
	w->acked++;
	if (err && !w->failed)
		w->failed = err;
	if (!w->failed && uv_hrtime() < w->deadline && w->issued < w->limit)
		issue(w);
}

static double run_writers(uv_loop_t *loop, kube_store *s, json_t *tmpl, int n,
			  const char *tag, uint64_t limit, uint64_t *acked)
{
	struct writers w = { s, tmpl, 0, 0, 0, limit, 0, 0, tag };
	uint64_t t0 = uv_hrtime();
	int i;

	w.deadline = t0 + RUN_NS;
	for (i = 0; i < n; i++)
		issue(&w);
	while (w.outstanding)
		uv_run(loop, UV_RUN_ONCE);
	if (w.failed) {
		fprintf(stderr, "write failed: %s\n", kube_strerror(w.failed));
		exit(1);
	}
	if (acked)
		*acked = w.acked;
	return w.acked / ((uv_hrtime() - t0) / 1e9);
}

static double run_gets(kube_store *s, const char *tag, uint64_t keys)
{
	uint64_t t0 = uv_hrtime(), i, found = 0, n = 2000000;
	char key[64];

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "/configmaps/%s/cm-%08llu", tag,
			 (unsigned long long)((i * 7919) % keys));
		found += store_get(s, key) != NULL;
	}
	if (found != n) {
		fprintf(stderr, "gets missed %llu keys\n", (unsigned long long)(n - found));
		exit(1);
	}
	return n / ((uv_hrtime() - t0) / 1e9);
}

/* ---- watch latency ---- */

struct latency {
	struct stamper *st;
	uint64_t *us; /* samples */
	size_t n, cap;
};

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct latency *l = data;
	uint64_t at = atomic_load(&l->st->at[rev % STAMPS]);

	if (l->n < l->cap)
		l->us[l->n++] = (uv_hrtime() - at) / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void run_latency(uv_loop_t *loop, kube_store *s, struct stamper *st, json_t *tmpl,
			const char *name)
{
	struct latency l = { st, NULL, 0, 20000 };
	struct store_watch *w;

	l.us = malloc(l.cap * sizeof(*l.us));
	if (!l.us || store_watch(s, "/configmaps/lat/", 0, on_event, &l, &w)) {
		fprintf(stderr, "cannot watch\n");
		exit(1);
	}
	run_writers(loop, s, tmpl, 8, "lat", l.cap, NULL);
	store_watch_cancel(w);
	qsort(l.us, l.n, sizeof(*l.us), cmp_u64);
	printf("store.watch.latency.%s  p50_us=%llu p99_us=%llu n=%zu\n", name,
	       (unsigned long long)l.us[l.n / 2], (unsigned long long)l.us[l.n * 99 / 100], l.n);
	free(l.us);
}

/* ---- main ---- */

static json_t *template_1k(void)
{
	char data[901];

	memset(data, 'x', 900);
	data[900] = '\0';
	return json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s}},s:{s:s}}", "apiVersion", "v1",
			 "kind", "ConfigMap", "metadata", "name", "bench", "namespace",
			 "default", "labels", "app", "bench", "tier", "storage", "data",
			 "payload", data);
}

struct bench {
	uv_loop_t loop;
	struct stamper *st;
	kube_store *s;
};

/* A fresh store for each figure, so one figure's objects do not weigh on
 * the next (on disk the database carries over). */
static void bench_open(struct bench *b, const char *dir)
{
	uv_loop_init(&b->loop);
	b->st = stamper_open(dir);
	if (store_open_backend(&b->s, &b->loop, &b->st->base, 1000)) {
		fprintf(stderr, "cannot open the store\n");
		exit(1);
	}
}

/* Close; returns the writes per commit of the store's life. */
static double bench_close(struct bench *b)
{
	struct store_stats stats;

	store_get_stats(b->s, &stats);
	store_close(b->s);
	uv_run(&b->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&b->loop))
		fprintf(stderr, "loop did not close\n");
	return stats.commits ? (double)stats.writes / (double)stats.commits : 0;
}

static void bench(const char *name, const char *dir)
{
	json_t *tmpl = template_1k();
	uint64_t limit = 100000, keys; /* bounds memory: every write is a new key */
	struct bench b;
	double ops;

	bench_open(&b, dir);
	ops = run_writers(&b.loop, b.s, tmpl, 1, "one", limit, &keys);
	printf("store.create.1writer.%s  ops/s=%.0f\n", name, ops);
	printf("store.get.%s  ops/s=%.0f\n", name, run_gets(b.s, "one", keys));
	bench_close(&b);

	bench_open(&b, dir);
	ops = run_writers(&b.loop, b.s, tmpl, 8, "eight", limit, NULL);
	printf("store.create.8writers.%s  ops/s=%.0f\n", name, ops);
	printf("store.commit.batch.8writers.%s  writes/commit=%.2f\n", name, bench_close(&b));

	bench_open(&b, dir);
	run_latency(&b.loop, b.s, b.st, tmpl, name);
	bench_close(&b);
	json_decref(tmpl);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096 + 256];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/bench-store-XXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench("memory", NULL);
	bench("disk", dir);
	remove_dir(dir);
	return 0;
}
