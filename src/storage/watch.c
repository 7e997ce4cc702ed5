/*
 * History and watches. Committed events go into a ring of contiguous
 * revisions; every watch is a cursor into it (the last revision it has been
 * given or has skipped), so history replay and live delivery are the same
 * loop and an event can be neither repeated nor skipped. The ring keeps the
 * last `window` revisions, and longer while a watch still needs older ones.
 */
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "storage/store_int.h"

#define RING_MIN 16

static struct store_event_rec *ring_slot(const struct store_ring *r, size_t i)
{
	return &r->ev[(r->head + i) & (r->cap - 1)];
}

/* The event of revision @p rev, which the ring must hold. */
static struct store_event_rec *ring_at(const struct store_ring *r, int64_t rev)
{
	return ring_slot(r, (size_t)(rev - ring_slot(r, 0)->rev));
}

/* Room for the events of every outstanding write plus @p extra more, so
 * completing a commit never has to allocate. 0 or KUBE_ENOMEM. */
int store__ring_reserve(kube_store *s, size_t extra)
{
	struct store_ring *r = &s->ring;
	size_t need = r->n + s->outstanding + extra, cap = r->cap ? r->cap : RING_MIN, i;
	struct store_event_rec *ev;

	if (need <= r->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	ev = malloc(cap * sizeof(*ev));
	if (!ev)
		return KUBE_ENOMEM;
	for (i = 0; i < r->n; i++)
		ev[i] = *ring_slot(r, i);
	free(r->ev);
	r->ev = ev;
	r->cap = cap;
	r->head = 0;
	return 0;
}

/* Append a committed event (reserved before): takes @p ev's key, adds
 * references to its objects. */
void store__ring_push(kube_store *s, struct store_event_rec *ev)
{
	struct store_ring *r = &s->ring;
	struct store_event_rec *slot = ring_slot(r, r->n);

	*slot = *ev;
	json_incref(slot->obj);
	json_incref(slot->prev);
	ev->key = NULL;
	r->n++;
}

static void ring_pop(struct store_ring *r)
{
	struct store_event_rec *ev = ring_slot(r, 0);

	free(ev->key);
	json_decref(ev->obj);
	json_decref(ev->prev);
	r->head = (r->head + 1) & (r->cap - 1);
	r->n--;
}

/* Append an event read back from the backend at open (nothing borrowed is
 * kept). Keeps only the last window. 0, KUBE_EIO on a gap, KUBE_ENOMEM. */
int store__ring_load(kube_store *s, const struct store_event_rec *ev)
{
	struct store_event_rec copy = *ev;
	struct store_ring *r = &s->ring;

	if (r->n && ring_slot(r, r->n - 1)->rev + 1 != ev->rev)
		return KUBE_EIO;
	if (s->window == 0)
		return 0;
	if (r->n == s->window)
		ring_pop(r);
	if (store__ring_reserve(s, 1))
		return KUBE_ENOMEM;
	copy.key = strdup(ev->key);
	if (!copy.key)
		return KUBE_ENOMEM;
	store__ring_push(s, &copy);
	return 0;
}

/* Free the history. */
void store__ring_free(kube_store *s)
{
	while (s->ring.n)
		ring_pop(&s->ring);
	free(s->ring.ev);
	memset(&s->ring, 0, sizeof(s->ring));
}

/* Drop history older than the window that no watch still needs. */
static void ring_trim(kube_store *s)
{
	int64_t limit = s->committed - s->window;
	const struct store_watch *w;
	bool trimmed = false;

	for (w = s->watch_head; w; w = w->next)
		if (w->cursor < limit)
			limit = w->cursor;
	while (s->ring.n && ring_slot(&s->ring, 0)->rev <= limit) {
		ring_pop(&s->ring);
		trimmed = true;
	}
	s->stats.compactions += trimmed;
}

/* The oldest revision a watch may start after; see store.h. */
int64_t store_oldest(const kube_store *s)
{
	int64_t floor = s->committed > (int64_t)s->window ? s->committed - s->window : 0;
	int64_t first = s->ring.n ? ring_slot(&s->ring, 0)->rev - 1 : s->committed;

	return first > floor ? first : floor;
}

static void watch_unlink(kube_store *s, struct store_watch *w)
{
	*(w->prev ? &w->prev->next : &s->watch_head) = w->next;
	*(w->next ? &w->next->prev : &s->watch_tail) = w->prev;
	free(w->prefix);
	free(w);
}

/* Give @p w every committed event after its cursor. */
static void deliver(kube_store *s, struct store_watch *w)
{
	while (!w->cancelled && !w->starting && w->cursor < s->committed) {
		const struct store_event_rec *e = ring_at(&s->ring, w->cursor + 1);

		w->cursor = e->rev;
		if (strncmp(e->key, w->prefix, w->plen) == 0)
			w->cb(e->type, e->rev, e->key, e->obj, e->prev, w->data);
	}
}

/* Bring every watch up to the committed revision. Re-entrant: a nested call
 * (a callback that flushed) only asks the running one for another pass. */
void store__dispatch(kube_store *s)
{
	struct store_watch *w, *next;

	if (s->dispatching) {
		s->redispatch = true;
		return;
	}
	s->dispatching = true;
	do {
		s->redispatch = false;
		for (w = s->watch_head; w && !s->closed; w = w->next)
			deliver(s, w);
	} while (s->redispatch && !s->closed);
	s->dispatching = false;
	for (w = s->watch_head; w; w = next) {
		next = w->next;
		if (w->cancelled)
			watch_unlink(s, w);
	}
	if (!s->closed)
		ring_trim(s);
}

/* Let watches waiting for their history have it (next loop turn). */
void store__watches_start(kube_store *s)
{
	struct store_watch *w;

	s->watch_starting = false;
	for (w = s->watch_head; w; w = w->next)
		w->starting = false;
	store__dispatch(s);
}

/* End every watch (store_close). */
void store__watches_end(kube_store *s)
{
	struct store_watch *w, *next;

	for (w = s->watch_head; w; w = next) {
		next = w->next;
		w->cancelled = true;
		if (!s->dispatching)
			watch_unlink(s, w);
	}
}

/* Watch @p prefix after @p from_rev; see store.h. */
int store_watch(kube_store *s, const char *prefix, int64_t from_rev, store_watch_cb cb,
		void *data, struct store_watch **out)
{
	struct store_watch *w;

	*out = NULL;
	if (s->closed)
		return KUBE_ESTOPPED;
	if (from_rev < 0 || !cb || !prefix)
		return KUBE_EINVAL;
	if (from_rev && from_rev < store_oldest(s))
		return KUBE_EGONE;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->prefix = strdup(prefix))) {
		free(w);
		return KUBE_ENOMEM;
	}
	w->s = s;
	w->plen = strlen(prefix);
	w->cursor = from_rev ? from_rev : s->rev;
	w->cb = cb;
	w->data = data;
	w->starting = w->cursor < s->committed;
	w->prev = s->watch_tail;
	*(s->watch_tail ? &s->watch_tail->next : &s->watch_head) = w;
	s->watch_tail = w;
	if (w->starting) {
		s->watch_starting = true;
		store__kick(s);
	}
	*out = w;
	return 0;
}

/* End @p w; no callback after this returns. */
void store_watch_cancel(struct store_watch *w)
{
	if (!w || w->cancelled)
		return;
	w->cancelled = true;
	if (!w->s->dispatching)
		watch_unlink(w->s, w);
}
