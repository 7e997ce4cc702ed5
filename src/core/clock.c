/*
 * The cluster clock and timers (clock.h).
 */
#include <stdlib.h>
#include "core/clock.h"
#include "core/status.h"

static void on_uv_timer(uv_timer_t *h)
{
	struct kube_timer *t = h->data;

	t->armed = false;
	t->cb(t, t->data);
}

static void manual_insert(kube_cluster *c, struct kube_timer *t)
{
	struct kube_timer **p = &c->timers;

	while (*p && (*p)->due <= t->due)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

static void manual_remove(kube_cluster *c, struct kube_timer *t)
{
	struct kube_timer **p = &c->timers;

	while (*p && *p != t)
		p = &(*p)->next;
	if (*p)
		*p = t->next;
	t->next = NULL;
}

void kube__timer_start(kube_cluster *c, struct kube_timer *t, int64_t delay_ms,
		       kube_timer_cb cb, void *data)
{
	kube__timer_stop(t);
	t->c = c;
	t->cb = cb;
	t->data = data;
	t->due = kube__now_ms(c) + (delay_ms > 0 ? delay_ms : 0);
	t->armed = true;
	if (c->manual_clock) {
		manual_insert(c, t);
		return;
	}
	if (!t->uv) {
		t->uv = malloc(sizeof(*t->uv));
		uv_timer_init(c->loop, t->uv);
	}
	t->uv->data = t;
	uv_timer_start(t->uv, on_uv_timer, (uint64_t)(delay_ms > 0 ? delay_ms : 0), 0);
}

void kube__timer_stop(struct kube_timer *t)
{
	if (!t->armed)
		return;
	t->armed = false;
	if (t->uv)
		uv_timer_stop(t->uv);
	else
		manual_remove(t->c, t);
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

void kube__timer_release(struct kube_timer *t)
{
	kube__timer_stop(t);
	if (t->uv)
		uv_close((uv_handle_t *)t->uv, free_handle);
	t->uv = NULL;
}

void kube__timers_run_due(kube_cluster *c)
{
	while (c->timers && c->timers->due <= c->manual_now) {
		struct kube_timer *t = c->timers;

		c->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t, t->data);
	}
}

static int64_t manual_now(void *data)
{
	return ((kube_cluster *)data)->manual_now;
}

void kube_cluster_use_manual_clock(kube_cluster *c, int64_t start_ms)
{
	c->manual_clock = true;
	c->manual_now = start_ms ? start_ms : kube__now_ms(NULL);
	c->clock = manual_now;
	c->clock_data = c;
}

struct advance_call {
	struct kube_call call;
	int64_t ms;
};

/* Step through due times one by one so each timer sees its own time. */
static void advance_run(struct kube_call *call)
{
	struct advance_call *a = (struct advance_call *)call;
	kube_cluster *c = call->c;
	int64_t end = c->manual_now + a->ms;

	while (c->timers && c->timers->due <= end) {
		if (c->timers->due > c->manual_now)
			c->manual_now = c->timers->due;
		kube__timers_run_due(c);
		store_flush(c->store);
	}
	c->manual_now = end;
	store_flush(c->store);
	kube__call_finish(call, 0, NULL);
}

int kube_cluster_advance_clock(kube_cluster *c, int64_t ms)
{
	struct advance_call a = { .call.run = advance_run, .ms = ms };

	if (!c->manual_clock) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "the cluster uses the real clock", NULL));
		return KUBE_EINVAL;
	}
	return kube__call(c, &a.call);
}
