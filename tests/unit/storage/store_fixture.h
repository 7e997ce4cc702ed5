/*
 * Shared fixture for the store tests: a loop, a store on either backend (a
 * temp dir under /tmp for SQLite, removed after), helpers to run the loop
 * and record acknowledgements and events, and a probe backend that wraps a
 * real one to observe and break commits. STORE_TEST defines a test once per
 * backend so both run the same suite.
 */
#ifndef TEST_STORE_FIXTURE_H
#define TEST_STORE_FIXTURE_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libkube/errors.h"
#include "storage/store.h"
#include "storage/backend.h"

struct fx {
	uv_loop_t loop;
	kube_store *s;
	char dir[64]; /* "" for the in-memory backend */
};

static inline void fx_mkdir(struct fx *f)
{
	strcpy(f->dir, "/tmp/kube-store-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
}

static inline void fx_rmdir(struct fx *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(f->dir);
}

/* Open on a fresh temp dir (@p disk) or in memory. */
static inline void fx_open(struct fx *f, bool disk, uint32_t window)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(uv_loop_init(&f->loop), 0);
	if (disk)
		fx_mkdir(f);
	cr_assert_eq(store_open(&f->s, &f->loop, disk ? f->dir : NULL, window), 0);
}

/* Close the store, drain the loop, and require that it closes cleanly. */
static inline void fx_close_store(struct fx *f)
{
	store_close(f->s);
	f->s = NULL;
	cr_assert_eq(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
}

static inline void fx_close(struct fx *f)
{
	if (f->s)
		fx_close_store(f);
	cr_assert_eq(uv_loop_close(&f->loop), 0, "a handle or request leaked");
	if (f->dir[0])
		fx_rmdir(f);
}

/* Reopen the store on the same directory (the loop stays). */
static inline void fx_reopen(struct fx *f, uint32_t window)
{
	fx_close_store(f);
	cr_assert_eq(store_open(&f->s, &f->loop, f->dir, window), 0);
}

/* Run loop turns until *@p flag is non-zero (a bounded number of them). */
static inline void fx_run_until(struct fx *f, const int *flag)
{
	int i;

	for (i = 0; i < 100000 && !*flag; i++)
		uv_run(&f->loop, UV_RUN_ONCE);
	cr_assert(*flag, "condition not reached");
}

/* Run the loop until everything pending has been delivered. */
static inline void fx_settle(struct fx *f)
{
	cr_assert_eq(store_flush(f->s), 0);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* {"metadata": {"name": name}, "spec": {"n": n}} */
static inline json_t *mkobj(const char *name, int n)
{
	return json_pack("{s:{s:s},s:{s:i}}", "metadata", "name", name, "spec", "n", n);
}

static inline int obj_n(const json_t *obj)
{
	return (int)json_integer_value(json_object_get(json_object_get(obj, "spec"), "n"));
}

/* Acknowledgements. */
struct ack {
	int calls;   /* how many */
	int err;     /* last err */
	int64_t rev; /* last object's revision (0 for none) */
};

static inline void ack_cb(int err, const json_t *obj, void *data)
{
	struct ack *a = data;

	a->calls++;
	a->err = err;
	a->rev = obj ? store_obj_rev(obj) : 0;
}

/* Recorded events. */
struct evlog {
	int n;
	enum store_event type[4096];
	int64_t rev[4096];
	char key[4096][64];
	int64_t obj_rev[4096];
	int64_t prev_rev[4096]; /* -1 for no prev */
};

static inline void evlog_cb(enum store_event type, int64_t rev, const char *key,
			    const json_t *obj, const json_t *prev, void *data)
{
	struct evlog *l = data;

	cr_assert_lt(l->n, 4096);
	l->type[l->n] = type;
	l->rev[l->n] = rev;
	snprintf(l->key[l->n], sizeof(l->key[0]), "%s", key);
	l->obj_rev[l->n] = store_obj_rev(obj);
	l->prev_rev[l->n] = prev ? store_obj_rev(prev) : -1;
	l->n++;
}

/* One test body run on both backends. */
#define STORE_TEST(suite, name)                                               \
	static void suite##_##name(bool disk);                                \
	Test(suite##_memory, name) { suite##_##name(false); }                 \
	Test(suite##_sqlite, name) { suite##_##name(true); }                  \
	static void suite##_##name(bool disk)

/* ---- the probe backend: wraps a real one ---- */

struct probe {
	struct store_backend base;    /* ops points at .ops */
	struct store_backend_ops ops; /* inner's, with our functions */
	struct store_backend *inner;  /* the real backend */
	atomic_llong durable;         /* revision of the last successful commit */
	atomic_int running;           /* commits running now */
	atomic_int max_running;       /* most ever at once */
	atomic_int commits;           /* commits attempted */
	atomic_llong fail_from;       /* fail batches reaching this revision (0: never) */
	int sleep_us;                 /* make each commit this slow */
};

static inline int probe_load(struct store_backend *b, uint32_t window, int64_t *rev,
			     const struct store_loader *ld)
{
	struct probe *p = (struct probe *)b;

	return p->inner->ops->load(p->inner, window, rev, ld);
}

static inline int probe_commit(struct store_backend *b, const struct store_batch_desc *d)
{
	struct probe *p = (struct probe *)b;
	int running = atomic_fetch_add(&p->running, 1) + 1, err;

	if (running > atomic_load(&p->max_running))
		atomic_store(&p->max_running, running);
	atomic_fetch_add(&p->commits, 1);
	if (p->sleep_us)
		usleep(p->sleep_us);
	if (atomic_load(&p->fail_from) && d->rev >= atomic_load(&p->fail_from))
		err = KUBE_EIO;
	else
		err = p->inner->ops->commit(p->inner, d);
	if (!err)
		atomic_store(&p->durable, d->rev);
	atomic_fetch_sub(&p->running, 1);
	return err;
}

static inline void probe_close(struct store_backend *b)
{
	struct probe *p = (struct probe *)b;

	p->inner->ops->close(p->inner);
	free(p);
}

/* A probe over the backend for @p dir (NULL: memory); @p blocking chooses
 * whether its commits go to the threadpool. The store owns it. */
static inline struct probe *probe_new(const char *dir, bool blocking)
{
	struct probe *p = calloc(1, sizeof(*p));

	cr_assert_not_null(p);
	cr_assert_eq(dir ? store_backend_sqlite_open(&p->inner, dir)
			 : store_backend_memory_open(&p->inner), 0);
	p->ops = *p->inner->ops;
	p->ops.blocking = blocking;
	p->ops.load = probe_load;
	p->ops.commit = probe_commit;
	p->ops.close = probe_close;
	p->base.ops = &p->ops;
	return p;
}

#endif
