/*
 * Work queue: a FIFO of unique keys drained by a uv_idle handle (so a burst
 * of events coalesces into one pass per key), plus a retry timer per key.
 */
#include <stdlib.h>
#include <string.h>
#include "core/workqueue.h"

struct wq_item {
	char *key;
	unsigned failures;       /* consecutive failed attempts */
	int queued;              /* in the FIFO */
	uv_timer_t *retry;       /* pending retry, or NULL */
	struct wq_item *next;    /* FIFO link */
	struct wq_item *hnext;   /* hash chain */
};

#define WQ_BUCKETS 1024

struct kube_workqueue {
	uv_loop_t *loop;
	uv_idle_t idle;           /* drains the FIFO while it is non-empty */
	kube_work_fn fn;
	void *data;
	struct wq_item *head, *tail;
	struct wq_item *buckets[WQ_BUCKETS];
	unsigned len;
	int closing;
};

static void on_idle(uv_idle_t *h);

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % WQ_BUCKETS;
}

static struct wq_item *item_get(struct kube_workqueue *q, const char *key)
{
	unsigned b = hash(key);
	struct wq_item *it;

	for (it = q->buckets[b]; it; it = it->hnext)
		if (!strcmp(it->key, key))
			return it;
	it = calloc(1, sizeof(*it));
	if (!it || !(it->key = strdup(key))) {
		free(it);
		return NULL;
	}
	it->hnext = q->buckets[b];
	q->buckets[b] = it;
	return it;
}

static void item_forget(struct kube_workqueue *q, struct wq_item *it)
{
	struct wq_item **p = &q->buckets[hash(it->key)];

	while (*p != it)
		p = &(*p)->hnext;
	*p = it->hnext;
	free(it->key);
	free(it);
}

static void enqueue(struct kube_workqueue *q, struct wq_item *it)
{
	if (it->queued)
		return;
	it->queued = 1;
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	if (!q->len++)
		uv_idle_start(&q->idle, on_idle);
}

static void on_retry_closed(uv_handle_t *h)
{
	free(h);
}

/* The retry timer carries its queue. */
struct retry_timer {
	uv_timer_t timer;          /* first, so the handle casts back */
	struct kube_workqueue *q;
};

static void on_retry(uv_timer_t *t)
{
	struct retry_timer *rt = (struct retry_timer *)t;
	struct wq_item *it = t->data;

	it->retry = NULL;
	uv_close((uv_handle_t *)t, on_retry_closed);
	enqueue(rt->q, it);
}

static void schedule_retry(struct kube_workqueue *q, struct wq_item *it)
{
	struct retry_timer *rt;
	uint64_t delay = 5;

	for (unsigned i = 1; i < it->failures && delay < 1000000; i++)
		delay *= 2;
	if (delay > 1000000)
		delay = 1000000;
	rt = malloc(sizeof(*rt));
	if (!rt)
		return;
	rt->q = q;
	uv_timer_init(q->loop, &rt->timer);
	rt->timer.data = it;
	it->retry = &rt->timer;
	uv_timer_start(&rt->timer, on_retry, delay, 0);
}

static void on_idle(uv_idle_t *h)
{
	struct kube_workqueue *q = h->data;
	struct wq_item *it = q->head;

	if (!it) {
		uv_idle_stop(h);
		return;
	}
	q->head = it->next;
	if (!q->head)
		q->tail = NULL;
	it->queued = 0;
	if (!--q->len)
		uv_idle_stop(h);
	if (q->fn(it->key, q->data)) {
		it->failures++;
		if (!it->retry && !it->queued)
			schedule_retry(q, it);
	} else if (!it->queued && !it->retry) {
		item_forget(q, it);
	} else {
		it->failures = 0;
	}
}

struct kube_workqueue *kube__wq_new(uv_loop_t *loop, kube_work_fn fn, void *data)
{
	struct kube_workqueue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->loop = loop;
	q->fn = fn;
	q->data = data;
	uv_idle_init(loop, &q->idle);
	q->idle.data = q;
	return q;
}

void kube__wq_add(struct kube_workqueue *q, const char *key)
{
	struct wq_item *it;

	if (q->closing)
		return;
	it = item_get(q, key);
	if (it && !it->retry)
		enqueue(q, it);
}

unsigned kube__wq_len(const struct kube_workqueue *q)
{
	return q->len;
}

static void on_idle_closed(uv_handle_t *h)
{
	free(h->data);
}

void kube__wq_free(struct kube_workqueue *q)
{
	q->closing = 1;
	for (int b = 0; b < WQ_BUCKETS; b++) {
		while (q->buckets[b]) {
			struct wq_item *it = q->buckets[b];

			if (it->retry) {
				uv_timer_stop(it->retry);
				uv_close((uv_handle_t *)it->retry, on_retry_closed);
			}
			q->buckets[b] = it->hnext;
			free(it->key);
			free(it);
		}
	}
	uv_close((uv_handle_t *)&q->idle, on_idle_closed);
}
