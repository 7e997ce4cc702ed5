/*
 * Watch streams: `?watch=true` answers with a chunked stream of
 * {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}} lines.
 * resourceVersion "" or "0" starts with the current state as ADDED events
 * (upstream's "Get State and Start at Most Recent"); a resourceVersion older
 * than the history window gets one ERROR event with a 410 Expired Status.
 * The stream ends after timeoutSeconds (default 30 minutes, upstream's
 * minimum request timeout) or when the client goes away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/rest.h"
#include "core/codec.h"
#include "core/objfilter.h"
#include "core/status.h"

#define BOOKMARK_MS 60000
#define DEFAULT_TIMEOUT_S 1800

struct kube_rest_watch {
	struct kube_api_call *a;
	struct store_watch *sw;
	struct kube_objfilter sel;  /* the selection watched */
	uv_timer_t timer;          /* bookmarks and the deadline */
	uint64_t deadline;         /* loop time (ms) at which the stream ends */
	int64_t last_rev;          /* newest revision sent (for bookmarks) */
	bool ended;
	struct kube_rest_watch *next, **prevp; /* the server's list */
};

static void send_event(struct kube_rest_watch *w, const char *type, const json_t *obj)
{
	json_t *shown = w->a->table && w->a->t.kind && strcmp(type, "ERROR") && strcmp(type, "BOOKMARK")
			? kube__table_from(w->a->t.kind, obj, w->a->table_include, kube__now_ms(w->a->c))
			: json_incref((json_t *)obj);
	json_t *ev = json_pack("{s:s, s:o}", "type", type, "object", shown);
	char *text = kube__emit_json(ev);
	size_t len = text ? strlen(text) : 0;

	if (text) {
		text[len] = '\n'; /* the NUL becomes the line end */
		kube__http_stream_write(w->a->req, text, len + 1);
	}
	free(text);
	json_decref(ev);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct kube_rest_watch *w = h->data;

	kube__rest_call_free(w->a);
	free(w);
}

/* End the stream (once): stop the store watch, unlink, close the timer. */
static void watch_end(struct kube_rest_watch *w)
{
	if (w->ended)
		return;
	w->ended = true;
	store_watch_cancel(w->sw);
	w->sw = NULL;
	kube__objfilter_free(&w->sel);
	if (w->next)
		w->next->prevp = w->prevp;
	*w->prevp = w->next;
	kube__http_stream_end(w->a->req);
	w->a->req = NULL;
	uv_close((uv_handle_t *)&w->timer, on_timer_closed);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct kube_rest_watch *w = data;
	const char *ev = kube__objfilter_event(&w->sel, type, obj, prev);

	(void)key;
	w->last_rev = rev;
	if (ev)
		send_event(w, ev, obj);
}

static void bookmark(struct kube_rest_watch *w)
{
	char rv[32], av[96];
	json_t *obj;

	snprintf(rv, sizeof(rv), "%lld", (long long)(w->last_rev ? w->last_rev : store_revision(w->a->c->store)));
	obj = json_pack("{s:s, s:s, s:{s:s}}", "kind", w->a->t.kind->kind, "apiVersion",
			kube__kind_api_version(w->a->t.kind, av, sizeof(av)), "metadata",
			"resourceVersion", rv);
	send_event(w, "BOOKMARK", obj);
	json_decref(obj);
}

static void on_timer(uv_timer_t *t)
{
	struct kube_rest_watch *w = t->data;
	uint64_t now = uv_now(t->loop);

	if (now >= w->deadline) {
		watch_end(w);
		return;
	}
	if (w->a->q.allow_bookmarks)
		bookmark(w);
	uv_timer_start(t, on_timer, w->deadline - now < BOOKMARK_MS ? w->deadline - now : BOOKMARK_MS, 0);
}

static void on_client_gone(kube_http_req *req, void *data)
{
	(void)req;
	watch_end(data);
}

static int initial_one(const char *key, const json_t *obj, void *data)
{
	struct kube_rest_watch *w = data;

	(void)key;
	if (kube__objfilter_match(&w->sel, obj))
		send_event(w, "ADDED", obj);
	return 0;
}

/* Where to start: -1 for "current state first", else after that revision. */
static int start_rev(struct kube_api_call *a, int64_t *from, json_t **st)
{
	const char *rv = a->q.resource_version;
	char *end;

	if (!rv || !*rv || !strcmp(rv, "0")) {
		*from = -1;
		return 0;
	}
	*from = strtoll(rv, &end, 10);
	if (*end || *from < 0)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "invalid resource version: %s", rv);
	return 0;
}

void kube__rest_serve_watch(struct kube_api_call *a)
{
	struct kube_rest_watch *w = calloc(1, sizeof(*w));
	json_t *st = NULL;
	int64_t from;
	char *prefix;
	int err;

	w->a = a;
	err = kube__objfilter_parse(&w->sel, a->t.kind, a->q.label_selector, a->q.field_selector, &st);
	if (!err)
		err = start_rev(a, &from, &st);
	if (err) {
		free(w);
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	kube__http_stream_start(a->req, 200, "application/json");
	a->watch = w;
	w->next = a->srv->watches;
	if (w->next)
		w->next->prevp = &w->next;
	a->srv->watches = w;
	w->prevp = &a->srv->watches;
	uv_timer_init(a->c->loop, &w->timer);
	w->timer.data = w;
	w->deadline = uv_now(a->c->loop) +
		      (uint64_t)(a->q.timeout_seconds >= 0 ? a->q.timeout_seconds : DEFAULT_TIMEOUT_S) * 1000;
	kube__http_req_on_close(a->req, on_client_gone, w);
	prefix = kube__key_prefix(a->t.kind, a->t.ns);
	if (from < 0) {
		store_list(a->c->store, prefix, initial_one, w);
		from = store_revision(a->c->store);
	}
	w->last_rev = from;
	err = store_watch(a->c->store, prefix, from, on_event, w, &w->sw);
	free(prefix);
	if (err) {
		kube__fail(&st, err, NULL, NULL, NULL, "too old resource version: %lld (%lld)",
			   (long long)from, (long long)store_oldest(a->c->store));
		send_event(w, "ERROR", st);
		json_decref(st);
		watch_end(w);
		return;
	}
	on_timer(&w->timer);
}

void kube__rest_watches_close(struct kube_apiserver *srv)
{
	while (srv->watches)
		watch_end(srv->watches);
}
