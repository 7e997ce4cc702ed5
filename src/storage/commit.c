/*
 * Group commit. Writes of one loop turn collect in s->pending; a uv_check
 * at the end of the turn cuts them into a batch and commits it: inline for
 * a non-blocking backend, else on the uv threadpool with at most one batch
 * in flight (writes arriving meanwhile form the next batch, started as soon
 * as the flight lands). Completion, always on the loop and in revision
 * order, acknowledges the writes, appends their events to the history and
 * dispatches them. A failed commit stops the store (see store__fail).
 *
 * s->lock serializes backend transactions between the threadpool and
 * store_flush, which commits on the loop thread itself.
 */
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "storage/store_int.h"

#define BATCH_MIN_RECS 16

/* A slot for one more write in the pending batch (zeroed), or NULL. */
struct store_rec *store__rec_new(kube_store *s)
{
	struct store_batch *b = s->pending;
	struct store_rec *r;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->s = s;
		s->pending = b;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : BATCH_MIN_RECS;

		r = realloc(b->recs, cap * sizeof(*r));
		if (!r)
			return NULL;
		b->recs = r;
		b->cap = cap;
	}
	s->outstanding++;
	r = &b->recs[b->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Give back the slot the last store__rec_new returned. */
void store__rec_drop(kube_store *s)
{
	s->pending->n--;
	s->outstanding--;
}

static void batch_free(struct store_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->recs[i].ev.key);
		json_decref(b->recs[i].ev.obj);
		json_decref(b->recs[i].ev.prev);
	}
	free(b->recs);
	free(b);
}

/* Drop a reference; the last one frees what store_close left. */
void store__unref(kube_store *s)
{
	if (--s->refs)
		return;
	batch_free(s->pending);
	uv_mutex_destroy(&s->lock);
	free(s);
}

/* Run @p b's transaction; s->lock held. */
static int commit_locked(kube_store *s, struct store_batch *b)
{
	struct store_write *w = malloc(b->n * sizeof(*w));
	struct store_batch_desc d;
	size_t i;
	int err;

	if (!w)
		return KUBE_ENOMEM;
	for (i = 0; i < b->n; i++) {
		const struct store_event_rec *ev = &b->recs[i].ev;

		w[i] = (struct store_write){ ev->type, ev->rev, ev->key, ev->obj, ev->prev };
	}
	d.writes = w;
	d.n = b->n;
	d.rev = w[b->n - 1].rev;
	d.keep_after = d.rev > (int64_t)s->window ? d.rev - s->window : 0;
	err = s->backend->ops->commit(s->backend, &d);
	free(w);
	return err;
}

/* Commit @p b unless someone already did. Any thread. */
static void commit_once(kube_store *s, struct store_batch *b)
{
	uv_mutex_lock(&s->lock);
	if (!b->done) {
		b->err = commit_locked(s, b);
		b->done = true;
	}
	uv_mutex_unlock(&s->lock);
}

/* Put the index back as it was before @p b, newest write first. */
static void undo(kube_store *s, struct store_batch *b)
{
	size_t i = b->n;

	while (i--) {
		struct store_event_rec *ev = &b->recs[i].ev;

		if (ev->type == STORE_ADDED) {
			json_decref(store__index_take(&s->ix, ev->key));
		} else if (store__index_put(&s->ix, ev->key, json_incref(ev->prev))) {
			json_decref(ev->prev); /* out of memory: the key stays gone */
		}
	}
}

static void fail_writes(struct store_batch *b, int err)
{
	size_t i;

	b->completed = true;
	for (i = 0; i < b->n; i++)
		if (b->recs[i].cb)
			b->recs[i].cb(err, NULL, b->recs[i].data);
}

/*
 * @p b failed: the store stops taking writes (every later one fails with
 * the same error), memory goes back to the last durable state (dropping the
 * failed batch and every write queued after it, whose callbacks get the
 * error too) and no event of them is ever delivered.
 */
static void store_fail(kube_store *s, struct store_batch *b)
{
	struct store_batch *later = s->pending;

	s->pending = NULL;
	s->failed = b->err == KUBE_ENOMEM ? KUBE_ENOMEM : KUBE_EIO;
	if (later) {
		s->outstanding -= later->n;
		undo(s, later);
	}
	undo(s, b);
	s->rev = s->committed;
	fail_writes(b, s->failed);
	if (later)
		fail_writes(later, s->failed);
	batch_free(later);
}

/* Deliver @p b's outcome: acknowledgements, history, events. */
static void complete(kube_store *s, struct store_batch *b)
{
	size_t i;

	b->completed = true;
	s->outstanding -= b->n;
	if (b->err) {
		store_fail(s, b);
		return;
	}
	s->committed = b->recs[b->n - 1].ev.rev;
	s->stats.commits++;
	s->stats.writes += b->n;
	/* history first: a callback that flushes appends after these */
	for (i = 0; i < b->n; i++)
		store__ring_push(s, &b->recs[i].ev);
	for (i = 0; i < b->n; i++) {
		struct store_rec *r = &b->recs[i];

		if (r->cb)
			r->cb(0, r->ev.type == STORE_DELETED ? NULL : r->ev.obj, r->data);
	}
	store__dispatch(s);
}

static void commit_next(kube_store *s);

static void work_cb(uv_work_t *req)
{
	struct store_batch *b = req->data;

	commit_once(b->s, b);
}

static void after_work_cb(uv_work_t *req, int status)
{
	struct store_batch *b = req->data;
	kube_store *s = b->s;

	if (!b->completed) {
		s->inflight = NULL;
		complete(s, b);
	}
	batch_free(b);
	commit_next(s);
	store__unref(s);
}

/* Start committing the pending writes unless a commit is in flight. */
static void commit_next(kube_store *s)
{
	struct store_batch *b = s->pending;

	if (s->closed || s->inflight || !b || !b->n)
		return;
	s->pending = NULL;
	if (s->backend->ops->blocking) {
		b->req.data = b;
		s->inflight = b;
		s->refs++;
		if (uv_queue_work(s->loop, &b->req, work_cb, after_work_cb) == 0)
			return;
		s->inflight = NULL;
		s->refs--;
	}
	commit_once(s, b);
	complete(s, b);
	batch_free(b);
}

static void on_idle(uv_idle_t *h)
{
	(void)h; /* only there so the loop polls without blocking */
}

static void on_check(uv_check_t *h)
{
	kube_store *s = h->data;

	uv_check_stop(&s->check);
	uv_idle_stop(&s->idle);
	s->kicked = false;
	if (s->watch_starting)
		store__watches_start(s);
	commit_next(s);
}

/* Make sure the end of this loop turn looks at pending writes and watches. */
void store__kick(kube_store *s)
{
	if (s->kicked || s->closed)
		return;
	s->kicked = true;
	uv_idle_start(&s->idle, on_idle);
	uv_check_start(&s->check, on_check);
}

/* Commit everything pending now, on this thread; see store.h. Returns 0,
 * or the error that stopped the store. */
int store_flush(kube_store *s)
{
	struct store_batch *b = s->inflight;

	if (s->closed)
		return KUBE_ESTOPPED;
	if (b) {
		/* its after_work callback only frees it now */
		commit_once(s, b);
		s->inflight = NULL;
		complete(s, b);
		if (s->closed)
			return s->failed;
	}
	b = s->pending;
	if (b && b->n) {
		s->pending = NULL;
		commit_once(s, b);
		complete(s, b);
		batch_free(b);
	}
	return s->failed;
}
