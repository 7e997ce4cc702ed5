/*
 * kube_watch_start/stop: a store watch filtered by selectors, with the
 * transitions upstream's watch cache produces when an object starts or stops
 * matching (MODIFIED into the selection is ADDED, out of it DELETED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/objfilter.h"
#include "core/ops.h"
#include "core/status.h"

struct kube_watch {
	kube_cluster *c;
	struct store_watch *sw;
	struct kube_objfilter sel;  /* the selection watched */
	kube_watch_cb cb;
	void *data;
};

struct watch_call {
	struct kube_call call;
	const char *resource, *ns, *labels, *fields, *rv;
	kube_watch *w;
};

static void deliver(kube_watch *w, const char *type, const json_t *obj)
{
	char *text = kube__emit_json(obj);

	if (text)
		w->cb(type, text, w->data);
	free(text);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	kube_watch *w = data;
	const char *ev = kube__objfilter_event(&w->sel, type, obj, prev);

	(void)rev, (void)key;
	if (ev)
		deliver(w, ev, obj);
}

static int initial_one(const char *key, const json_t *obj, void *data)
{
	kube_watch *w = data;

	(void)key;
	if (kube__objfilter_match(&w->sel, obj))
		deliver(w, "ADDED", obj);
	return 0;
}

static void watch_free(kube_watch *w)
{
	kube__objfilter_free(&w->sel);
	free(w);
}

/* Where the watch starts: after this revision; -1 means "list first". */
static int parse_rv(const char *rv, int64_t now, int64_t *from, json_t **st)
{
	char *end;

	if (!rv || !*rv) {
		*from = now;
		return 0;
	}
	if (!strcmp(rv, "0")) {
		*from = -1;
		return 0;
	}
	*from = strtoll(rv, &end, 10);
	if (*end || *from < 0)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "invalid resource version: %s", rv);
	return 0;
}

static void watch_run(struct kube_call *call)
{
	struct watch_call *r = (struct watch_call *)call;
	kube_cluster *c = call->c;
	const struct kube_kind *k = kube__registry_find(r->resource ? r->resource : "");
	kube_watch *w = calloc(1, sizeof(*w));
	json_t *st = NULL;
	int64_t from;
	char *prefix = NULL;
	int err;

	if (!w)
		return kube__call_finish(call, KUBE_ENOMEM, NULL);
	w->c = c;
	w->cb = ((struct watch_call *)call)->w->cb;
	w->data = ((struct watch_call *)call)->w->data;
	if (!k) {
		err = kube__fail(&st, KUBE_ENOTFOUND, NULL, NULL, NULL,
				 "the server could not find the requested resource");
		goto fail;
	}
	err = kube__objfilter_parse(&w->sel, k, r->labels, r->fields, &st);
	if (!err)
		err = parse_rv(r->rv, store_revision(c->store), &from, &st);
	if (err)
		goto fail;
	prefix = kube__key_prefix(k, r->ns);
	if (from < 0) {
		store_list(c->store, prefix, initial_one, w);
		from = store_revision(c->store);
	}
	err = store_watch(c->store, prefix, from, on_event, w, &w->sw);
	if (err == KUBE_EGONE)
		kube__fail(&st, KUBE_EGONE, NULL, NULL, NULL, "too old resource version: %lld (%lld)",
			   (long long)from, (long long)store_oldest(c->store));
	free(prefix);
	if (err)
		goto fail;
	r->w = w;
	kube__call_finish(call, 0, NULL);
	return;
fail:
	watch_free(w);
	r->w = NULL;
	kube__call_finish(call, err, st);
}

int kube_watch_start(kube_cluster *c, const char *resource, const char *ns,
		     const char *label_selector, const char *field_selector,
		     const char *resource_version, kube_watch_cb cb, void *data, kube_watch **out)
{
	kube_watch proto = { .cb = cb, .data = data };
	struct watch_call r = { .call.run = watch_run, .resource = resource, .ns = ns,
				.labels = label_selector, .fields = field_selector,
				.rv = resource_version, .w = &proto };
	int err;

	*out = NULL;
	if (!cb) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "a watch needs a callback", NULL));
		return KUBE_EINVAL;
	}
	err = kube__call(c, &r.call);
	if (!err)
		*out = r.w;
	return err;
}

static void stop_run(struct kube_call *call)
{
	struct watch_call *r = (struct watch_call *)call;

	store_watch_cancel(r->w->sw);
	watch_free(r->w);
	kube__call_finish(call, 0, NULL);
}

void kube_watch_stop(kube_watch *w)
{
	struct watch_call r = { .call.run = stop_run, .w = w };

	if (!w)
		return;
	if (kube__call(w->c, &r.call) == KUBE_ESTOPPED)
		watch_free(w); /* the store closed and ended it already */
}
