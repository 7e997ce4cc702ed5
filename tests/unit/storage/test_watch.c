/* Watches: order, resume, expiry, prefixes, and re-entrant callbacks. */
#include "store_fixture.h"

static void put(kube_store *s, const char *key, int n)
{
	if (store_get(s, key))
		cr_assert_eq(store_update(s, key, mkobj("x", n), 0, NULL, NULL), 0);
	else
		cr_assert_eq(store_create(s, key, mkobj("x", n), NULL, NULL), 0);
}

STORE_TEST(watch, order_and_types)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;
	char key[32];
	int i;

	fx_open(&f, disk, 1000);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, evlog_cb, l, &w), 0);
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "/cm/a/%d", i % 13);
		if (i % 11 == 10 && store_get(f.s, key))
			cr_assert_eq(store_delete(f.s, key, 0, NULL, NULL), 0);
		else
			put(f.s, key, i);
		if (i % 17 == 0)
			uv_run(&f.loop, UV_RUN_NOWAIT);
	}
	fx_settle(&f);
	cr_assert_eq(l->n, 300, "every event once");
	for (i = 0; i < 300; i++) {
		cr_assert_eq(l->rev[i], i + 1, "revision order without gaps");
		cr_assert_eq(l->obj_rev[i], l->rev[i], "obj carries the event's revision");
		if (l->type[i] == STORE_ADDED)
			cr_assert_eq(l->prev_rev[i], -1);
		else
			cr_assert_lt(l->prev_rev[i], l->rev[i]);
	}
	store_watch_cancel(w);
	fx_close(&f);
	free(l);
}

STORE_TEST(watch, prefix_filter)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;

	fx_open(&f, disk, 1000);
	cr_assert_eq(store_watch(f.s, "/pods/a/", 0, evlog_cb, l, &w), 0);
	put(f.s, "/pods/a/x", 1);
	put(f.s, "/pods/ab/x", 2);
	put(f.s, "/services/a/x", 3);
	put(f.s, "/pods/a/y", 4);
	put(f.s, "/pods/b/x", 5);
	fx_settle(&f);
	cr_assert_eq(l->n, 2);
	cr_assert_str_eq(l->key[0], "/pods/a/x");
	cr_assert_str_eq(l->key[1], "/pods/a/y");
	cr_assert_eq(l->rev[1], 4);
	fx_close(&f);
	free(l);
}

STORE_TEST(watch, resume_from_history)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;
	int i;

	fx_open(&f, disk, 1000);
	for (i = 1; i <= 10; i++)
		put(f.s, "/cm/a/x", i);
	fx_settle(&f);
	cr_assert_eq(store_watch(f.s, "/cm/", 5, evlog_cb, l, &w), 0);
	cr_assert_eq(l->n, 0, "history comes on the next loop turn");
	uv_run(&f.loop, UV_RUN_NOWAIT);
	cr_assert_eq(l->n, 5);
	cr_assert_eq(l->rev[0], 6);
	cr_assert_eq(l->type[0], STORE_MODIFIED);
	put(f.s, "/cm/a/x", 11);
	fx_settle(&f);
	cr_assert_eq(l->n, 6);
	cr_assert_eq(l->rev[5], 11);
	fx_close(&f);
	free(l);
}

STORE_TEST(watch, expired)
{
	struct fx f;
	struct store_watch *w = (struct store_watch *)&f;
	struct evlog *l = calloc(1, sizeof(*l));
	int i;

	fx_open(&f, disk, 5);
	for (i = 1; i <= 20; i++) {
		put(f.s, "/cm/a/x", i);
		fx_settle(&f);
	}
	cr_assert_eq(store_oldest(f.s), 15);
	cr_assert_eq(store_watch(f.s, "/cm/", 14, evlog_cb, l, &w), KUBE_EGONE);
	cr_assert_null(w, "nothing half-started");
	cr_assert_eq(store_watch(f.s, "/cm/", 3, evlog_cb, l, &w), KUBE_EGONE);
	cr_assert_eq(store_watch(f.s, "/cm/", 15, evlog_cb, l, &w), 0);
	uv_run(&f.loop, UV_RUN_NOWAIT);
	cr_assert_eq(l->n, 5);
	cr_assert_eq(l->rev[0], 16);
	cr_assert_eq(l->rev[4], 20);
	fx_close(&f);
	free(l);
}

/* Cancels its own watch after @c self_after events and the watch in
 * @c other on its first. */
struct canceller {
	struct evlog log;
	struct store_watch *self, *other;
	int self_after;
};

static void cancel_cb(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		      const json_t *prev, void *data)
{
	struct canceller *c = data;

	evlog_cb(type, rev, key, obj, prev, &c->log);
	if (c->other) {
		store_watch_cancel(c->other);
		c->other = NULL;
	}
	if (c->log.n == c->self_after)
		store_watch_cancel(c->self);
}

STORE_TEST(watch, cancel_in_callback)
{
	struct fx f;
	struct canceller *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	int i;

	fx_open(&f, disk, 1000);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, cancel_cb, a, &a->self), 0);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, cancel_cb, b, &b->self), 0);
	a->self_after = 3;
	a->other = b->self; /* b is later in the list: cancelled before its turn */
	b->self_after = 1000;
	for (i = 0; i < 10; i++)
		put(f.s, "/cm/a/x", i);
	fx_settle(&f);
	cr_assert_eq(a->log.n, 3, "nothing after cancelling itself");
	cr_assert_eq(b->log.n, 0, "nothing after being cancelled by another");
	put(f.s, "/cm/a/x", 99);
	fx_settle(&f);
	cr_assert_eq(a->log.n + b->log.n, 3);
	fx_close(&f);
	free(a);
	free(b);
}

/* On every ADDED of /cm/a/<n> with n < 5, creates /cm/a/<n+1> and, with
 * @c flush, commits it at once as the blocking API does. */
struct chainer {
	struct evlog log;
	kube_store *s;
	bool flush;
	struct ack ack;
};

static void chain_cb(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct chainer *c = data;
	int n = obj_n(obj);
	char next[32];

	evlog_cb(type, rev, key, obj, prev, &c->log);
	if (type != STORE_ADDED || n >= 5)
		return;
	snprintf(next, sizeof(next), "/cm/a/%d", n + 1);
	cr_assert_eq(store_create(c->s, next, mkobj("x", n + 1), ack_cb, &c->ack), 0);
	if (c->flush) {
		int before = c->ack.calls;

		cr_assert_eq(store_flush(c->s), 0);
		cr_assert_eq(c->ack.calls, before + 1, "acknowledged inside the flush");
	}
}

static void write_in_callback(bool disk, bool flush)
{
	struct fx f;
	struct chainer *c = calloc(1, sizeof(*c));
	struct evlog *other = calloc(1, sizeof(*other));
	struct store_watch *w1, *w2;
	int i;

	fx_open(&f, disk, 1000);
	c->s = f.s;
	c->flush = flush;
	cr_assert_eq(store_watch(f.s, "/cm/", 0, chain_cb, c, &w1), 0);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, evlog_cb, other, &w2), 0);
	put(f.s, "/cm/a/1", 1);
	put(f.s, "/cm/b/1", 100);
	for (i = 0; i < 20 && c->log.n < 6; i++)
		fx_settle(&f);
	cr_assert_eq(c->log.n, 6);
	cr_assert_eq(other->n, 6, "the second watch sees the same events");
	for (i = 0; i < 6; i++) {
		cr_assert_eq(c->log.rev[i], i + 1);
		cr_assert_eq(other->rev[i], i + 1, "in order, though written during dispatch");
	}
	fx_close(&f);
	free(c);
	free(other);
}

STORE_TEST(watch, write_in_callback)
{
	write_in_callback(disk, false);
}

STORE_TEST(watch, flush_in_callback)
{
	write_in_callback(disk, true);
}

/* On the first event it sees, starts a watch from now and one from that
 * event's revision. */
struct starter {
	struct evlog log;
	kube_store *s;
	struct evlog *from_now, *from_rev;
	int64_t started_at;
};

static void start_cb(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct starter *st = data;
	struct store_watch *w;

	evlog_cb(type, rev, key, obj, prev, &st->log);
	if (st->log.n != 1)
		return;
	st->started_at = rev;
	cr_assert_eq(store_watch(st->s, "/cm/", 0, evlog_cb, st->from_now, &w), 0);
	cr_assert_eq(store_watch(st->s, "/cm/", rev, evlog_cb, st->from_rev, &w), 0);
}

STORE_TEST(watch, start_during_dispatch)
{
	struct fx f;
	struct starter *st = calloc(1, sizeof(*st));
	struct store_watch *w;
	int i;

	st->from_now = calloc(1, sizeof(struct evlog));
	st->from_rev = calloc(1, sizeof(struct evlog));
	fx_open(&f, disk, 1000);
	st->s = f.s;
	cr_assert_eq(store_watch(f.s, "/cm/", 0, start_cb, st, &w), 0);
	for (i = 1; i <= 10; i++) /* one batch */
		put(f.s, "/cm/a/x", i);
	put(f.s, "/cm/a/y", 0);
	fx_settle(&f);
	for (i = 11; i <= 15; i++)
		put(f.s, "/cm/a/x", i);
	fx_settle(&f);
	cr_assert_eq(st->started_at, 1);
	cr_assert_eq(st->from_now->n, 5, "only what was written after it started");
	cr_assert_eq(st->from_now->rev[0], 12);
	cr_assert_eq(st->from_rev->n, 15, "the rest of the batch, then live, once each");
	for (i = 0; i < 15; i++)
		cr_assert_eq(st->from_rev->rev[i], i + 2);
	fx_close(&f);
	free(st->from_now);
	free(st->from_rev);
	free(st);
}

STORE_TEST(watch, deleted_event)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;

	fx_open(&f, disk, 1000);
	put(f.s, "/cm/a/x", 1);
	put(f.s, "/cm/a/x", 2);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, evlog_cb, l, &w), 0);
	cr_assert_eq(store_delete(f.s, "/cm/a/x", 2, NULL, NULL), 0);
	fx_settle(&f);
	cr_assert_eq(l->n, 1);
	cr_assert_eq(l->type[0], STORE_DELETED);
	cr_assert_eq(l->rev[0], 3);
	cr_assert_eq(l->obj_rev[0], 3, "the deleted object carries the deletion's revision");
	cr_assert_eq(l->prev_rev[0], 2);
	fx_close(&f);
	free(l);
}

STORE_TEST(watch, window_zero)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;

	fx_open(&f, disk, 0);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, evlog_cb, l, &w), 0);
	put(f.s, "/cm/a/x", 1);
	put(f.s, "/cm/a/x", 2);
	fx_settle(&f);
	cr_assert_eq(l->n, 2, "live events need no window");
	cr_assert_eq(store_oldest(f.s), 2);
	cr_assert_eq(store_watch(f.s, "/cm/", 1, evlog_cb, l, &w), KUBE_EGONE);
	fx_close(&f);
	free(l);
}

struct closer {
	struct fx *f;
	int calls;
};

static void close_on_event(enum store_event type, int64_t rev, const char *key,
			   const json_t *obj, const json_t *prev, void *data)
{
	struct closer *c = data;

	c->calls++;
	store_close(c->f->s);
	c->f->s = NULL;
}

static void close_on_ack(int err, const json_t *obj, void *data)
{
	struct closer *c = data;

	c->calls++;
	if (c->f->s) {
		store_close(c->f->s);
		c->f->s = NULL;
	}
}

STORE_TEST(watch, close_in_callbacks)
{
	struct fx f;
	struct closer c = { &f, 0 }, a = { &f, 0 };
	struct store_watch *w1, *w2;

	fx_open(&f, disk, 100);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, close_on_event, &c, &w1), 0);
	cr_assert_eq(store_watch(f.s, "/cm/", 0, close_on_event, &c, &w2), 0);
	put(f.s, "/cm/a/x", 1);
	put(f.s, "/cm/a/y", 2);
	fx_run_until(&f, &c.calls);
	cr_assert_eq(c.calls, 1, "the watches ended with the store");
	cr_assert_eq(uv_run(&f.loop, UV_RUN_DEFAULT), 0);
	fx_close(&f);

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/cm/a/x", mkobj("x", 1), close_on_ack, &a), 0);
	cr_assert_eq(store_create(f.s, "/cm/a/y", mkobj("x", 1), close_on_ack, &a), 0);
	fx_run_until(&f, &a.calls);
	cr_assert_eq(a.calls, 2, "the batch's other write is still acknowledged");
	fx_close(&f);
}
