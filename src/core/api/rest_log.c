/*
 * pods/log: the container's log as text/plain, from the node agent running
 * the pod. With follow=true the response streams: what exists first, then
 * what the container writes, until the client goes away or the pod does.
 */
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "runtime/agents.h"

#define FOLLOW_POLL_MS 250

struct log_follow {
	struct kube_api_call *a;
	kube_log_options o;
	uv_timer_t timer;
	size_t sent;          /* bytes of the log already sent */
	bool ended;
};

static void options(struct kube_api_call *a, kube_log_options *o)
{
	memset(o, 0, sizeof(*o));
	o->container = a->q.container;
	o->tail_lines = a->q.tail_lines;
	o->previous = a->q.previous;
	o->timestamps = a->q.timestamps;
}

static void follow_closed(uv_handle_t *h)
{
	struct log_follow *f = h->data;

	kube__rest_call_free(f->a);
	free(f);
}

static void follow_end(struct log_follow *f)
{
	if (f->ended)
		return;
	f->ended = true;
	kube__http_stream_end(f->a->req);
	uv_close((uv_handle_t *)&f->timer, follow_closed);
}

/* Send what was written since the last look; end when the pod is gone. */
static void follow_poll(uv_timer_t *t)
{
	struct log_follow *f = t->data;
	char *text = NULL;
	json_t *st = NULL;
	size_t len;

	if (kube__pod_log_read(f->a->c, f->a->t.ns, f->a->t.name, &f->o, &text, &st)) {
		json_decref(st);
		follow_end(f);
		return;
	}
	len = strlen(text);
	if (len > f->sent)
		kube__http_stream_write(f->a->req, text + f->sent, len - f->sent);
	f->sent = len > f->sent ? len : f->sent;
	free(text);
}

static void follow_gone(kube_http_req *req, void *data)
{
	(void)req;
	follow_end(data);
}

void kube__rest_serve_log(struct kube_api_call *a)
{
	kube_log_options o;
	char *text = NULL;
	json_t *st = NULL;
	struct log_follow *f;

	options(a, &o);
	if (kube__pod_log_read(a->c, a->t.ns, a->t.name, &o, &text, &st)) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	if (!a->q.follow) {
		kube__http_respond(a->req, 200, "text/plain", text, strlen(text));
		free(text);
		kube__rest_call_free(a);
		return;
	}
	f = calloc(1, sizeof(*f));
	f->a = a;
	f->o = o;
	f->o.tail_lines = -1; /* later reads look at the whole log, sent counts bytes */
	kube__http_stream_start(a->req, 200, "text/plain");
	kube__http_stream_write(a->req, text, strlen(text));
	free(text);
	/* the first full read tells how much of the whole log that was */
	if (!kube__pod_log_read(a->c, a->t.ns, a->t.name, &f->o, &text, &st))
		f->sent = strlen(text);
	free(text);
	json_decref(st);
	uv_timer_init(a->c->loop, &f->timer);
	f->timer.data = f;
	uv_timer_start(&f->timer, follow_poll, FOLLOW_POLL_MS, FOLLOW_POLL_MS);
	kube__http_req_on_close(a->req, follow_gone, f);
}
