/*
 * The Deployment controller (upstream pkg/controller/deployment): watches
 * Deployments, their ReplicaSets and pods, claims ReplicaSets by selector
 * and controllerRef, and dispatches each sync as syncDeployment does:
 * deleting -> status only; paused or a scaling event -> scale; otherwise
 * the strategy's rollout (RollingUpdate or Recreate).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/events.h"
#include "core/ops.h"
#include "core/selector.h"
#include "core/controllers/podutil.h"
#include "core/controllers/deployment_internal.h"

static bool deleting(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") != NULL;
}

static struct kube_labelsel *selector_of(const json_t *d)
{
	json_t *sel = json_object_get(json_object_get(d, "spec"), "selector");
	char err[256];

	if (!json_is_object(sel) || !json_object_size(sel))
		return NULL;
	return kube__labelsel_from_json(sel, err, sizeof(err));
}

/* ---- writes --------------------------------------------------------------- */

/* A write issued during a sync: its failure is the sync's when known at once. */
struct dwrite {
	struct dctl *dc;
	char *dkey;     /* the Deployment to requeue on a late failure */
	bool in_sync;   /* the caller is still waiting */
	bool done;      /* answered while in_sync */
	int err;
	char *msg;      /* the failure's message, while in_sync */
};

static void dwrite_free(void *data)
{
	struct dwrite *w = data;

	free(w->dkey);
	free(w->msg);
	free(w);
}

static void dwrite_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct dwrite *w = data;
	const char *m = json_string_value(json_object_get(st, "message"));

	(void)obj;
	if (w->in_sync) {
		w->done = true;
		w->err = err;
		w->msg = err ? strdup(m ? m : kube_strerror(err)) : NULL;
		return;
	}
	if (err)
		kube__wq_add(w->dc->queue, w->dkey);
	dwrite_free(w);
}

char *kube__d_key(const struct dsync *s)
{
	return kube__key(s->dc->d_kind, kube__meta_str(s->d, "namespace"),
			 kube__meta_str(s->d, "name"));
}

int kube__d_write(struct dsync *s, const struct kube_kind *k, json_t *obj, bool create,
		  bool status, char **msg)
{
	struct dwrite *w = calloc(1, sizeof(*w));
	struct kube_op_opts o = { .status = status };
	const char *ns = kube__meta_str(obj, "namespace");
	struct kube_ticket *t;
	int err;

	if (!w || !(w->dkey = kube__d_key(s))) {
		free(w);
		json_decref(obj);
		return s->err = KUBE_ENOMEM;
	}
	w->dc = s->dc;
	w->in_sync = true;
	t = kube__ticket(&s->dc->tickets, dwrite_done, w, dwrite_free);
	if (!t) {
		json_decref(obj);
		return s->err = KUBE_ENOMEM;
	}
	if (create)
		kube__op_create(s->dc->c, k, ns, obj, &o, kube__ticket_cb, t);
	else
		kube__op_update(s->dc->c, k, ns, obj, &o, kube__ticket_cb, t);
	if (!w->done) {
		w->in_sync = false;
		return 0;
	}
	err = w->err;
	if (msg) {
		*msg = w->msg;
		w->msg = NULL;
	}
	dwrite_free(w);
	if (err)
		s->err = err;
	return err;
}

static const json_t *stored_d(struct dsync *s)
{
	char *key = kube__d_key(s);
	const json_t *d = key ? store_get(s->dc->c->store, key) : NULL;

	free(key);
	return d;
}

void kube__d_write_status(struct dsync *s)
{
	const json_t *cur = stored_d(s);
	json_t *copy;

	if (!cur || json_equal(json_object_get(cur, "status"), json_object_get(s->d, "status")))
		return;
	copy = json_deep_copy(cur);
	json_object_set(copy, "status", json_object_get(s->d, "status"));
	kube__d_write(s, s->dc->d_kind, copy, false, true, NULL);
}

void kube__d_write_annotations(struct dsync *s)
{
	const json_t *cur = stored_d(s);
	json_t *want = json_object_get(json_object_get(s->d, "metadata"), "annotations"), *copy;

	if (!cur || json_equal(json_object_get(json_object_get(cur, "metadata"), "annotations"), want))
		return;
	copy = json_deep_copy(cur);
	json_object_set(kube__meta(copy), "annotations", want);
	kube__d_write(s, s->dc->d_kind, copy, false, false, NULL);
}

void kube__d_event(struct dsync *s, const char *type, const char *reason, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kube__event(s->dc->c, s->d, DEPLOY_COMPONENT, NULL, type, reason, "%s", msg);
}

/*
 * scaleReplicaSetAndRecordEvent (@p op NULL: nothing to do at the same size)
 * and scaleReplicaSet (@p op "up"/"down": annotations refreshed even at the
 * same size). Returns true when the size changed.
 */
bool kube__d_scale_rs(struct dsync *s, json_t *rs, int64_t n, const char *op)
{
	int64_t old = kube__d_int(rs, "spec.replicas"), replicas = kube__d_int(s->d, "spec.replicas");
	int64_t max = replicas + kube__d_max_surge(s->d);
	char *key;
	const json_t *cur;
	json_t *copy;

	if (!op && old == n)
		return false;
	if (!op)
		op = old < n ? "up" : "down";
	if (old == n && !kube__d_replicas_annotations_need_update(rs, replicas, max))
		return false;
	key = kube__key(s->dc->rs_kind, kube__meta_str(rs, "namespace"), kube__meta_str(rs, "name"));
	cur = key ? store_get(s->dc->c->store, key) : NULL;
	free(key);
	if (!cur) {
		s->err = KUBE_ENOTFOUND;
		return false;
	}
	kube__d_set_int(rs, "spec.replicas", n);
	kube__d_set_replicas_annotations(rs, replicas, max);
	copy = json_deep_copy(cur);
	kube__d_set_int(copy, "spec.replicas", n);
	json_object_set(kube__meta(copy), "annotations",
			json_object_get(json_object_get(rs, "metadata"), "annotations"));
	if (kube__d_write(s, s->dc->rs_kind, copy, false, false, NULL))
		return false;
	if (old == n)
		return false;
	kube__d_event(s, "Normal", "ScalingReplicaSet", "Scaled %s replica set %s from %lld to %lld",
		      op, kube__meta_str(rs, "name"), (long long)old, (long long)n);
	return true;
}

/* ---- claiming ReplicaSets (ControllerRefManager) --------------------------- */

static void fire_and_forget(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

static void set_refs(struct dctl *dc, const json_t *rs, json_t *refs)
{
	json_t *copy = json_deep_copy(rs), *meta = kube__meta(copy);

	if (json_array_size(refs))
		json_object_set(meta, "ownerReferences", refs);
	else
		json_object_del(meta, "ownerReferences");
	kube__op_update(dc->c, dc->rs_kind, kube__meta_str(rs, "namespace"), copy, NULL,
			fire_and_forget, NULL);
}

static void release_rs(struct dctl *dc, const json_t *rs, const char *uid)
{
	json_t *refs = json_array(), *ref;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(rs, "metadata"), "ownerReferences"), i, ref)
		if (strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", uid))
			json_array_append(refs, ref);
	set_refs(dc, rs, refs);
	json_decref(refs);
}

static json_t *adopt_rs(struct dctl *dc, const json_t *d, const json_t *rs)
{
	json_t *refs = json_deep_copy(json_object_get(json_object_get(rs, "metadata"),
						      "ownerReferences"));
	json_t *copy = json_deep_copy(rs);

	if (!json_is_array(refs)) {
		json_decref(refs);
		refs = json_array();
	}
	json_array_append_new(refs, kube__new_controller_ref(d));
	set_refs(dc, rs, refs);
	json_object_set_new(kube__meta(copy), "ownerReferences", refs);
	return copy;
}

static void claim(struct dsync *s, struct kube_labelsel *sel)
{
	struct dctl *dc = s->dc;
	const char *uid = kube__meta_str(s->d, "uid"), *key;
	const json_t *set;
	json_t *v, *keys = json_array(), *k;
	size_t i;

	json_object_foreach((json_t *)kube__oidx_owned(&dc->rss, uid), key, v) {
		const json_t *rs = store_get(dc->c->store, key);

		if (!rs)
			continue;
		if (sel && kube__labelsel_match(sel, json_object_get(json_object_get(rs, "metadata"),
								     "labels")))
			json_array_append_new(s->rss, json_deep_copy(rs));
		else if (!deleting(s->d))
			release_rs(dc, rs, uid);
	}
	set = kube__oidx_orphans(&dc->rss, kube__meta_str(s->d, "namespace"));
	json_object_foreach((json_t *)set, key, v)
		json_array_append_new(keys, json_string(key));
	json_array_foreach(keys, i, k) {
		const json_t *rs = store_get(dc->c->store, json_string_value(k));

		if (rs && sel && !deleting(s->d) && !deleting(rs) && !kube__controller_ref(rs) &&
		    kube__labelsel_match(sel, json_object_get(json_object_get(rs, "metadata"), "labels")))
			json_array_append_new(s->rss, adopt_rs(dc, s->d, rs));
	}
	json_decref(keys);
	kube__d_sort_by_creation(s->rss, false);
}

/* ---- sync ------------------------------------------------------------------ */

/* requeueStuckDeployment: come back when the progress deadline passes. */
static void requeue_stuck(struct dsync *s, const char *key)
{
	const json_t *cond = kube__d_condition(json_object_get(s->d, "status"), "Progressing");
	const json_t *pds = json_object_get(json_object_get(s->d, "spec"), "progressDeadlineSeconds");
	const char *reason = json_string_value(json_object_get(cond, "reason"));
	int64_t since, after;

	if (!json_is_integer(pds) || json_integer_value(pds) == 2147483647 || !cond)
		return;
	if (kube__d_complete(s->d, json_object_get(s->d, "status")) ||
	    (reason && !strcmp(reason, "ProgressDeadlineExceeded")))
		return;
	since = kube__parse_rfc3339(json_string_value(json_object_get(cond, "lastUpdateTime")));
	after = since + json_integer_value(pds) * 1000 - kube__now_ms(s->dc->c);
	kube__delay_add(&s->dc->delay, key, after < 1000 ? 1000 : after + 1000);
}

static int rollout(struct dsync *s)
{
	kube__d_check_paused(s);
	if (json_is_true(json_object_get(json_object_get(s->d, "spec"), "paused")) ||
	    kube__d_is_scaling_event(s))
		return kube__d_sync_scale(s);
	if (kube__d_rolling(s->d))
		return kube__d_rollout_rolling(s);
	return kube__d_rollout_recreate(s);
}

static int d_sync(const char *key, void *data)
{
	struct dctl *dc = data;
	const json_t *stored = store_get(dc->c->store, key);
	struct dsync s = { .dc = dc };
	struct kube_labelsel *sel;

	if (!stored)
		return 0;
	s.d = json_deep_copy(stored);
	s.rss = json_array();
	s.old_rss = json_array();
	sel = selector_of(s.d);
	claim(&s, sel);
	kube__labelsel_free(sel);
	if (deleting(s.d)) {
		if (!kube__d_new_and_old(&s, false))
			kube__d_sync_status(&s);
	} else {
		rollout(&s);
	}
	requeue_stuck(&s, key);
	json_decref(s.d);
	json_decref(s.rss);
	json_decref(s.old_rss);
	return s.err != 0;
}

/* ---- events -> queue -------------------------------------------------------- */

/* The Deployment key an object's controllerRef names, if it exists. */
static char *owner_key(struct dctl *dc, const json_t *obj)
{
	const json_t *ref = kube__controller_ref(obj);
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	const json_t *d;
	char *key;

	if (!kind || !name || strcmp(kind, "Deployment"))
		return NULL;
	key = kube__key(dc->d_kind, kube__meta_str(obj, "namespace"), name);
	d = key ? store_get(dc->c->store, key) : NULL;
	if (!d || !kube__controlled_by(obj, kube__meta_str(d, "uid"))) {
		free(key);
		return NULL;
	}
	return key;
}

struct match_ctx {
	struct dctl *dc;
	const json_t *rs;
};

static int enqueue_if_selects(const char *key, const json_t *d, void *data)
{
	struct match_ctx *m = data;
	struct kube_labelsel *sel = selector_of(d);

	if (sel && kube__labelsel_match(sel, json_object_get(json_object_get(m->rs, "metadata"),
							     "labels")))
		kube__wq_add(m->dc->queue, key);
	kube__labelsel_free(sel);
	return 0;
}

static void on_rs_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
			const json_t *prev, void *data)
{
	struct dctl *dc = data;
	char *dkey;

	(void)rev;
	kube__oidx_update(&dc->rss, key, type == STORE_DELETED ? NULL : obj, prev);
	if (prev && (dkey = owner_key(dc, prev))) {
		kube__wq_add(dc->queue, dkey);
		free(dkey);
	}
	if ((dkey = owner_key(dc, obj))) {
		kube__wq_add(dc->queue, dkey);
		free(dkey);
	} else if (!kube__controller_ref(obj) && type != STORE_DELETED) {
		struct match_ctx m = { dc, obj };
		char *prefix = kube__key_prefix(dc->d_kind, kube__meta_str(obj, "namespace"));

		if (prefix)
			store_list(dc->c->store, prefix, enqueue_if_selects, &m);
		free(prefix);
	}
}

/* A pod went away: a Recreate rollout may be waiting for the last old pod. */
static void on_pod_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
			 const json_t *prev, void *data)
{
	struct dctl *dc = data;
	const json_t *ref, *rs;
	char *rskey, *dkey;

	(void)rev;
	kube__oidx_update(&dc->pods, key, type == STORE_DELETED ? NULL : obj, prev);
	if (type != STORE_DELETED && kube__pod_active(obj))
		return;
	ref = kube__controller_ref(obj);
	if (!ref || strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "ReplicaSet"))
		return;
	rskey = kube__key(dc->rs_kind, kube__meta_str(obj, "namespace"),
			  json_string_value(json_object_get(ref, "name")));
	rs = rskey ? store_get(dc->c->store, rskey) : NULL;
	free(rskey);
	if (rs && (dkey = owner_key(dc, rs))) {
		const json_t *d = store_get(dc->c->store, dkey);

		if (d && !kube__d_rolling(d))
			kube__wq_add(dc->queue, dkey);
		free(dkey);
	}
}

static void on_d_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		       const json_t *prev, void *data)
{
	(void)type, (void)rev, (void)obj, (void)prev;
	kube__wq_add(((struct dctl *)data)->queue, key);
}

/* ---- lifecycle ---------------------------------------------------------------- */

static int index_rs(const char *key, const json_t *obj, void *data)
{
	kube__oidx_update(&((struct dctl *)data)->rss, key, obj, NULL);
	return 0;
}

static int index_pod(const char *key, const json_t *obj, void *data)
{
	kube__oidx_update(&((struct dctl *)data)->pods, key, obj, NULL);
	return 0;
}

static int enqueue_d(const char *key, const json_t *obj, void *data)
{
	(void)obj;
	kube__wq_add(((struct dctl *)data)->queue, key);
	return 0;
}

static void d_free(struct dctl *dc)
{
	if (dc->d_watch)
		store_watch_cancel(dc->d_watch);
	if (dc->rs_watch)
		store_watch_cancel(dc->rs_watch);
	if (dc->pod_watch)
		store_watch_cancel(dc->pod_watch);
	kube__tickets_abandon(&dc->tickets);
	kube__delay_clear(&dc->delay);
	if (dc->queue)
		kube__wq_free(dc->queue);
	kube__oidx_free(&dc->rss);
	kube__oidx_free(&dc->pods);
	free(dc);
}

static void d_stop(void *state)
{
	d_free(state);
}

static int watch_kind(struct dctl *dc, const struct kube_kind *k, store_visit_fn scan,
		      store_watch_cb cb, struct store_watch **out)
{
	char *prefix = kube__key_prefix(k, NULL);
	int err;

	if (!prefix)
		return KUBE_ENOMEM;
	store_list(dc->c->store, prefix, scan, dc);
	err = store_watch(dc->c->store, prefix, store_revision(dc->c->store), cb, dc, out);
	free(prefix);
	return err;
}

static int d_start(kube_cluster *c, void **state)
{
	struct dctl *dc = calloc(1, sizeof(*dc));
	int err = KUBE_ENOMEM;

	if (!dc)
		return KUBE_ENOMEM;
	dc->c = c;
	dc->d_kind = kube__registry_by_gvk("apps/v1", "Deployment");
	dc->rs_kind = kube__registry_by_gvk("apps/v1", "ReplicaSet");
	dc->pod_kind = kube__registry_by_gvk("v1", "Pod");
	dc->queue = kube__wq_new(c->loop, d_sync, dc);
	if (!dc->d_kind || !dc->rs_kind || !dc->pod_kind || !dc->queue ||
	    kube__oidx_init(&dc->rss) || kube__oidx_init(&dc->pods))
		goto fail;
	kube__delay_init(&dc->delay, c, dc->queue);
	err = watch_kind(dc, dc->rs_kind, index_rs, on_rs_event, &dc->rs_watch);
	if (!err)
		err = watch_kind(dc, dc->pod_kind, index_pod, on_pod_event, &dc->pod_watch);
	if (!err)
		err = watch_kind(dc, dc->d_kind, enqueue_d, on_d_event, &dc->d_watch);
	if (err)
		goto fail;
	*state = dc;
	return 0;
fail:
	d_free(dc);
	return err;
}

const struct kube_controller_ops kube__deployment_controller = {
	.name = "deployment",
	.start = d_start,
	.stop = d_stop,
};
