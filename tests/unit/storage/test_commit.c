/* Group commit through a probe backend: durability before acknowledgement,
 * one transaction in flight, and what a failed commit does. */
#include "store_fixture.h"

struct durable_check {
	struct probe *p;
	int calls;
};

static void durable_ack(int err, const json_t *obj, void *data)
{
	struct durable_check *d = data;

	cr_assert_eq(err, 0);
	cr_assert_geq(atomic_load(&d->p->durable), store_obj_rev(obj),
		      "acknowledged before its commit returned");
	d->calls++;
}

static void durable_watch(enum store_event type, int64_t rev, const char *key,
			  const json_t *obj, const json_t *prev, void *data)
{
	struct durable_check *d = data;

	cr_assert_geq(atomic_load(&d->p->durable), rev, "event before its commit returned");
}

static void open_probe(struct fx *f, struct probe **p, bool disk, bool blocking)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(uv_loop_init(&f->loop), 0);
	if (disk)
		fx_mkdir(f);
	*p = probe_new(disk ? f->dir : NULL, blocking);
	cr_assert_eq(store_open_backend(&f->s, &f->loop, &(*p)->base, 100), 0);
}

static void acks_after_durability(bool disk)
{
	struct fx f;
	struct durable_check d = { 0 };
	struct store_watch *w;
	char key[32];
	int i;

	open_probe(&f, &d.p, disk, true);
	d.p->sleep_us = 2000;
	cr_assert_eq(store_watch(f.s, "", 0, durable_watch, &d, &w), 0);
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "/cm/a/%d", i);
		cr_assert_eq(store_create(f.s, key, mkobj("x", i), durable_ack, &d), 0);
		if (i % 10 == 0)
			uv_run(&f.loop, UV_RUN_NOWAIT);
	}
	while (d.calls < 200)
		uv_run(&f.loop, UV_RUN_ONCE);
	cr_assert_eq(atomic_load(&d.p->max_running), 1, "one transaction at a time");
	cr_assert_lt(atomic_load(&d.p->commits), 200, "writes during a commit share the next");
	fx_close(&f);
}

STORE_TEST(commit, acks_after_durability)
{
	acks_after_durability(disk);
}

static void failure(bool disk, bool blocking)
{
	struct fx f;
	struct probe *p;
	struct ack a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, late = { 0 };
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;

	open_probe(&f, &p, disk, blocking);
	cr_assert_eq(store_watch(f.s, "", 0, evlog_cb, l, &w), 0);
	cr_assert_eq(store_create(f.s, "/cm/a/x", mkobj("x", 1), ack_cb, &a1), 0);
	fx_settle(&f);
	cr_assert_eq(a1.err, 0);
	atomic_store(&p->fail_from, 2);
	cr_assert_eq(store_update(f.s, "/cm/a/x", mkobj("x", 2), 0, ack_cb, &a2), 0);
	cr_assert_eq(store_create(f.s, "/cm/a/y", mkobj("y", 3), ack_cb, &a3), 0);
	if (blocking) /* in flight on the threadpool; the next write waits behind */
		uv_run(&f.loop, UV_RUN_NOWAIT);
	cr_assert_eq(store_delete(f.s, "/cm/a/x", 0, ack_cb, &late), 0);
	cr_assert_eq(store_flush(f.s), KUBE_EIO);
	cr_assert_eq(a2.calls, 1);
	cr_assert_eq(a2.err, KUBE_EIO);
	cr_assert_eq(a3.err, KUBE_EIO);
	cr_assert_eq(late.calls, 1, "writes queued behind the failed batch fail too");
	cr_assert_eq(late.err, KUBE_EIO);
	cr_assert_eq(obj_n(store_get(f.s, "/cm/a/x")), 1, "memory back to the durable state");
	cr_assert_null(store_get(f.s, "/cm/a/y"));
	cr_assert_eq(store_revision(f.s), 1);
	cr_assert_eq(store_create(f.s, "/cm/a/z", mkobj("z", 4), NULL, NULL), KUBE_EIO,
		     "the store takes no more writes");
	uv_run(&f.loop, UV_RUN_DEFAULT);
	cr_assert_eq(l->n, 1, "no event of a failed commit");
	cr_assert_eq(a2.calls, 1);
	fx_close(&f);
	free(l);
}

STORE_TEST(commit, failure_threadpool)
{
	failure(disk, true);
}

STORE_TEST(commit, failure_inline)
{
	failure(disk, false);
}

STORE_TEST(commit, failure_via_loop)
{
	struct fx f;
	struct probe *p;
	struct ack a = { 0 };

	open_probe(&f, &p, disk, true);
	atomic_store(&p->fail_from, 1);
	cr_assert_eq(store_create(f.s, "/cm/a/x", mkobj("x", 1), ack_cb, &a), 0);
	fx_run_until(&f, &a.calls);
	cr_assert_eq(a.err, KUBE_EIO);
	cr_assert_eq(store_count(f.s, ""), 0);
	fx_close(&f);
}

static int fail_load(struct store_backend *b, uint32_t window, int64_t *rev,
		     const struct store_loader *ld)
{
	return KUBE_EIO;
}

STORE_TEST(commit, open_failure_closes_backend)
{
	struct fx f;
	struct probe *p;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(uv_loop_init(&f.loop), 0);
	if (disk)
		fx_mkdir(&f);
	p = probe_new(disk ? f.dir : NULL, true);
	p->ops.load = fail_load;
	f.s = (kube_store *)&f;
	cr_assert_eq(store_open_backend(&f.s, &f.loop, &p->base, 10), KUBE_EIO);
	cr_assert_null(f.s, "nothing half-open; the backend was closed (ASan checks)");
	fx_close(&f);
}
