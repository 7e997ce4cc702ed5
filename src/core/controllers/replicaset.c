/*
 * The ReplicaSet and ReplicationController controllers, one implementation
 * parameterised by kind as upstream's (pkg/controller/replicaset): pods are
 * claimed by selector and controllerRef (adopted when orphaned and matching,
 * released when owned and no longer matching), created or deleted to reach
 * spec.replicas, and counted into status.
 *
 * State: pods indexed by controller uid from the pod event stream, so a
 * sync touches only its own pods; expectations so a sync never acts on an
 * index that has not caught up with its own writes.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/selector.h"
#include "core/controllers/podutil.h"
#include "core/controllers/replicaset_internal.h"

static bool deleting(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") != NULL;
}

static const json_t *labels_of(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "metadata"), "labels");
}

static int64_t spec_int(const json_t *obj, const char *field)
{
	return json_integer_value(json_object_get(json_object_get(obj, "spec"), field));
}

struct kube_labelsel *kube__rs_selector(const struct rs_ctrl *r, const json_t *rs)
{
	json_t *sel = json_object_get(json_object_get(rs, "spec"), "selector"), *wrapped;
	struct kube_labelsel *out;
	char err[256];

	if (!json_is_object(sel) || !json_object_size(sel))
		return NULL; /* an empty selector selects nothing here, as upstream */
	if (!r->map_selector)
		return kube__labelsel_from_json(sel, err, sizeof(err));
	wrapped = json_pack("{s:O}", "matchLabels", sel);
	out = kube__labelsel_from_json(wrapped, err, sizeof(err));
	json_decref(wrapped);
	return out;
}

/* ---- events -> queue ----------------------------------------------------- */

/* The owner key an ownerReference names, if it is one of ours and alive. */
static char *resolve_ref(struct rs_ctrl *r, const json_t *ref, const char *ns)
{
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	const char *uid = json_string_value(json_object_get(ref, "uid"));
	const json_t *owner;
	char *key;

	if (!kind || !name || !uid || strcmp(kind, r->kind->kind))
		return NULL;
	key = kube__key(r->kind, ns, name);
	owner = key ? store_get(r->c->store, key) : NULL;
	if (!owner || strcmp(kube__meta_str(owner, "uid"), uid)) {
		free(key);
		return NULL;
	}
	return key;
}

struct match_ctx {
	struct rs_ctrl *r;
	const json_t *pod;
};

static int enqueue_if_matches(const char *key, const json_t *rs, void *data)
{
	struct match_ctx *m = data;
	struct kube_labelsel *sel = kube__rs_selector(m->r, rs);

	if (sel && kube__labelsel_match(sel, labels_of(m->pod)))
		kube__wq_add(m->r->queue, key);
	kube__labelsel_free(sel);
	return 0;
}

/* An orphan changed: every owner that may adopt it syncs (getPodReplicaSets). */
static void enqueue_matching(struct rs_ctrl *r, const json_t *pod)
{
	struct match_ctx m = { r, pod };
	char *prefix = kube__key_prefix(r->kind, kube__meta_str(pod, "namespace"));

	if (prefix && !deleting(pod))
		store_list(r->c->store, prefix, enqueue_if_matches, &m);
	free(prefix);
}

/* Enqueue the owner @p pod's controllerRef names; returns its key (caller frees) or NULL. */
static char *enqueue_owner(struct rs_ctrl *r, const json_t *pod)
{
	const json_t *ref = kube__controller_ref(pod);
	char *key = ref ? resolve_ref(r, ref, kube__meta_str(pod, "namespace")) : NULL;

	if (key)
		kube__wq_add(r->queue, key);
	return key;
}

static void pod_gone(struct rs_ctrl *r, const char *pod_key, const json_t *pod)
{
	char *key = enqueue_owner(r, pod);

	if (key)
		kube__exp_deletion_observed(&r->exp, key, pod_key);
	free(key);
}

static bool same_ref(const json_t *a, const json_t *b)
{
	const char *ua = json_string_value(json_object_get(a, "uid"));
	const char *ub = json_string_value(json_object_get(b, "uid"));

	return (!ua && !ub) || (ua && ub && !strcmp(ua, ub));
}

/* A pod turned Ready: with minReadySeconds it becomes available later. */
static void requeue_for_availability(struct rs_ctrl *r, const char *key, const json_t *pod,
				     const json_t *prev)
{
	const json_t *rs = store_get(r->c->store, key);
	int64_t mrs = spec_int(rs, "minReadySeconds");

	if (mrs > 0 && !kube__pod_ready(prev) && kube__pod_ready(pod))
		kube__delay_add(&r->delay, key, (mrs + 1) * 1000);
}

static void pod_updated(struct rs_ctrl *r, const json_t *pod, const json_t *prev)
{
	const json_t *cur_ref = kube__controller_ref(pod), *old_ref = kube__controller_ref(prev);
	bool labels_changed = !json_equal(labels_of(pod), labels_of(prev));
	char *key;

	if (!same_ref(cur_ref, old_ref) && old_ref)
		free(enqueue_owner(r, prev));
	if (cur_ref) {
		key = enqueue_owner(r, pod);
		if (key)
			requeue_for_availability(r, key, pod, prev);
		free(key);
	} else if (labels_changed || !same_ref(cur_ref, old_ref)) {
		enqueue_matching(r, pod);
	}
}

static void on_pod_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
			 const json_t *prev, void *data)
{
	struct rs_ctrl *r = data;
	char *owner;

	(void)rev;
	kube__oidx_update(&r->pods, key, type == STORE_DELETED ? NULL : obj, prev);
	if (type == STORE_DELETED || deleting(obj)) {
		pod_gone(r, key, obj);
		return;
	}
	if (type == STORE_MODIFIED) {
		pod_updated(r, obj, prev);
		return;
	}
	if (!kube__controller_ref(obj)) {
		enqueue_matching(r, obj);
		return;
	}
	owner = enqueue_owner(r, obj);
	if (owner)
		kube__exp_creation_observed(&r->exp, owner);
	free(owner);
}

static void on_rs_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
			const json_t *prev, void *data)
{
	struct rs_ctrl *r = data;

	(void)rev, (void)obj, (void)prev;
	if (type == STORE_DELETED) {
		kube__exp_delete(&r->exp, key);
		json_object_del(r->errors, key);
		kube__wq_add(r->queue, key);
		return;
	}
	kube__wq_add(r->queue, key);
}

/* ---- claiming (ControllerRefManager) ------------------------------------ */

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	/* a lost write is redone by the sync its event (or absence) triggers */
	(void)err, (void)obj, (void)st, (void)data;
}

/* Drop the ownerReference of @p uid from @p pod (releasePod). */
static void release_pod(struct rs_ctrl *r, const json_t *pod, const char *uid)
{
	json_t *copy = json_deep_copy(pod), *meta = kube__meta(copy);
	json_t *refs = json_object_get(meta, "ownerReferences"), *ref;
	size_t i;

	json_array_foreach(refs, i, ref) {
		const char *u = json_string_value(json_object_get(ref, "uid"));

		if (u && !strcmp(u, uid)) {
			json_array_remove(refs, i);
			break;
		}
	}
	if (!json_array_size(refs))
		json_object_del(meta, "ownerReferences");
	kube__op_update(r->c, r->pod_kind, kube__meta_str(pod, "namespace"), copy, NULL,
			write_done, NULL);
}

/* Make @p rs the controller of orphan @p pod (adoptPod); returns the pod as it will be. */
static json_t *adopt_pod(struct rs_ctrl *r, const json_t *rs, const json_t *pod)
{
	json_t *copy = json_deep_copy(pod), *meta = kube__meta(copy), *refs;

	refs = json_object_get(meta, "ownerReferences");
	if (!json_is_array(refs)) {
		refs = json_array();
		json_object_set_new(meta, "ownerReferences", refs);
	}
	json_array_append_new(refs, kube__new_controller_ref(rs));
	kube__op_update(r->c, r->pod_kind, kube__meta_str(pod, "namespace"), json_incref(copy),
			NULL, write_done, NULL);
	return copy;
}

struct claim {
	struct rs_ctrl *r;
	const json_t *rs;
	struct kube_labelsel *sel;
	json_t *pods;   /* claimed active pods (references) */
};

static void claim_owned(struct claim *cl)
{
	const json_t *set = kube__oidx_owned(&cl->r->pods, kube__meta_str(cl->rs, "uid"));
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)set, key, v) {
		const json_t *pod = store_get(cl->r->c->store, key);

		if (!pod || !kube__pod_active(pod))
			continue;
		if (cl->sel && kube__labelsel_match(cl->sel, labels_of(pod)))
			json_array_append(cl->pods, (json_t *)pod);
		else if (!deleting(cl->rs))
			release_pod(cl->r, pod, kube__meta_str(cl->rs, "uid"));
	}
}

static void claim_orphans(struct claim *cl)
{
	const json_t *set = kube__oidx_orphans(&cl->r->pods, kube__meta_str(cl->rs, "namespace"));
	json_t *keys = json_array(), *k;
	const char *key;
	json_t *v;
	size_t i;

	if (!cl->sel || deleting(cl->rs))
		goto done;
	/* adopting moves keys out of the orphan set: collect first */
	json_object_foreach((json_t *)set, key, v)
		json_array_append_new(keys, json_string(key));
	json_array_foreach(keys, i, k) {
		const json_t *pod = store_get(cl->r->c->store, json_string_value(k));

		if (pod && kube__pod_active(pod) && !kube__controller_ref(pod) &&
		    kube__labelsel_match(cl->sel, labels_of(pod)))
			json_array_append_new(cl->pods, adopt_pod(cl->r, cl->rs, pod));
	}
done:
	json_decref(keys);
}

/* ---- status -------------------------------------------------------------- */

static json_t *failure_condition(struct rs_ctrl *r, const json_t *rs, size_t n, const char *err)
{
	char ts[32];
	int64_t replicas = spec_int(rs, "replicas");
	const char *reason = (int64_t)n < replicas ? "FailedCreate" :
			     (int64_t)n > replicas ? "FailedDelete" : "";

	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "ReplicaFailure", "status", "True",
			 "lastTransitionTime", kube__rfc3339(kube__now_ms(r->c), ts, sizeof(ts)),
			 "reason", reason, "message", err);
}

/* Conditions as upstream's calculateStatus leaves them. */
static json_t *conditions(struct rs_ctrl *r, const json_t *rs, size_t n, const char *err)
{
	json_t *old = json_object_get(json_object_get(rs, "status"), "conditions");
	json_t *out = json_array(), *c;
	bool had = kube__condition(rs, "ReplicaFailure") != NULL;
	size_t i;

	json_array_foreach(old, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (!(t && !strcmp(t, "ReplicaFailure") && !err))
			json_array_append(out, c);
	}
	if (err && !had)
		json_array_append_new(out, failure_condition(r, rs, n, err));
	return out;
}

static void set_count(json_t *st, const char *field, int64_t v, bool always)
{
	if (v || always)
		json_object_set_new(st, field, json_integer(v));
}

static json_t *calculate_status(struct rs_ctrl *r, const json_t *rs, const json_t *pods,
				const char *err)
{
	const json_t *tlabels = json_object_get(json_object_get(json_object_get(rs, "spec"),
								"template"), "metadata");
	int64_t mrs = spec_int(rs, "minReadySeconds"), now = kube__now_ms(r->c);
	int64_t fully = 0, ready = 0, avail = 0;
	json_t *st = json_object(), *pod, *conds;
	size_t i;

	tlabels = json_object_get(tlabels, "labels");
	json_array_foreach(pods, i, pod) {
		const json_t *pl = labels_of(pod);
		const char *k;
		json_t *v;
		bool all = true;

		json_object_foreach((json_t *)tlabels, k, v)
			if (!json_equal(json_object_get(pl, k), v))
				all = false;
		fully += all;
		if (kube__pod_ready(pod)) {
			ready++;
			avail += kube__pod_available(pod, mrs, now);
		}
	}
	set_count(st, "replicas", (int64_t)json_array_size(pods), true);
	set_count(st, "fullyLabeledReplicas", fully, false);
	set_count(st, "readyReplicas", ready, false);
	set_count(st, "availableReplicas", avail, false);
	set_count(st, "observedGeneration", json_integer_value(json_object_get(
			  json_object_get(rs, "metadata"), "generation")), false);
	conds = conditions(r, rs, json_array_size(pods), err);
	if (json_array_size(conds))
		json_object_set(st, "conditions", conds);
	json_decref(conds);
	return st;
}

/* Write @p st (stolen) when it differs from the stored status. */
static void update_status(struct rs_ctrl *r, const json_t *rs, json_t *st)
{
	struct kube_op_opts o = { .status = true };
	json_t *copy;

	if (json_equal(st, json_object_get(rs, "status"))) {
		json_decref(st);
		return;
	}
	copy = json_deep_copy(rs);
	json_object_set_new(copy, "status", st);
	kube__op_update(r->c, r->kind, kube__meta_str(rs, "namespace"), copy, &o, write_done, NULL);
}

/* ---- sync ----------------------------------------------------------------- */

static char *take_error(struct rs_ctrl *r, const char *key)
{
	const char *msg = json_string_value(json_object_get(r->errors, key));
	char *out = msg ? strdup(msg) : NULL;

	json_object_del(r->errors, key);
	return out;
}

static void requeue_min_ready(struct rs_ctrl *r, const char *key, const json_t *rs,
			      const json_t *st)
{
	int64_t mrs = spec_int(rs, "minReadySeconds"), want = spec_int(rs, "replicas");

	if (mrs > 0 && json_integer_value(json_object_get(st, "readyReplicas")) == want &&
	    json_integer_value(json_object_get(st, "availableReplicas")) != want)
		kube__delay_add(&r->delay, key, mrs * 1000);
}

static int rs_sync(const char *key, void *data)
{
	struct rs_ctrl *r = data;
	const json_t *stored = store_get(r->c->store, key);
	struct claim cl = { .r = r };
	json_t *rs, *st;
	char *err;
	bool need_sync;
	int ret;

	if (!stored) {
		kube__exp_delete(&r->exp, key);
		return 0;
	}
	rs = json_incref((json_t *)stored);
	cl.rs = rs;
	cl.sel = kube__rs_selector(r, rs);
	cl.pods = json_array();
	need_sync = kube__exp_satisfied(&r->exp, key, kube__now_ms(r->c));
	claim_owned(&cl);
	claim_orphans(&cl);
	err = take_error(r, key);
	if (!err && need_sync && !deleting(rs) && cl.sel)
		err = kube__rs_manage(r, key, rs, cl.pods);
	st = calculate_status(r, rs, cl.pods, err);
	requeue_min_ready(r, key, rs, st);
	update_status(r, store_get(r->c->store, key) ?: rs, st);
	kube__labelsel_free(cl.sel);
	json_decref(cl.pods);
	json_decref(rs);
	ret = err != NULL;
	free(err);
	return ret;
}

/* ---- lifecycle ------------------------------------------------------------ */

static int index_pod(const char *key, const json_t *obj, void *data)
{
	kube__oidx_update(&((struct rs_ctrl *)data)->pods, key, obj, NULL);
	return 0;
}

static int enqueue_rs(const char *key, const json_t *obj, void *data)
{
	(void)obj;
	kube__wq_add(((struct rs_ctrl *)data)->queue, key);
	return 0;
}

static void rs_stop(void *state)
{
	struct rs_ctrl *r = state;

	store_watch_cancel(r->rs_watch);
	store_watch_cancel(r->pod_watch);
	kube__rs_batches_abandon(r);
	kube__tickets_abandon(&r->tickets);
	kube__delay_clear(&r->delay);
	kube__wq_free(r->queue);
	kube__oidx_free(&r->pods);
	kube__exp_free(&r->exp);
	json_decref(r->errors);
	free(r);
}

static int rs_start_kind(kube_cluster *c, void **state, const char *av, const char *kind,
			 const char *component)
{
	struct rs_ctrl *r = calloc(1, sizeof(*r));
	char *pods = NULL, *owners = NULL;
	int err = KUBE_ENOMEM;

	if (!r)
		return KUBE_ENOMEM;
	r->c = c;
	r->kind = kube__registry_by_gvk(av, kind);
	r->pod_kind = kube__registry_by_gvk("v1", "Pod");
	r->component = component;
	r->map_selector = !strcmp(kind, "ReplicationController");
	r->errors = json_object();
	r->queue = kube__wq_new(c->loop, rs_sync, r);
	if (!r->kind || !r->pod_kind || !r->errors || !r->queue || kube__oidx_init(&r->pods) ||
	    kube__exp_init(&r->exp))
		goto fail;
	kube__delay_init(&r->delay, c, r->queue);
	pods = kube__key_prefix(r->pod_kind, NULL);
	owners = kube__key_prefix(r->kind, NULL);
	if (!pods || !owners)
		goto fail;
	store_list(c->store, pods, index_pod, r);
	store_list(c->store, owners, enqueue_rs, r);
	err = store_watch(c->store, pods, store_revision(c->store), on_pod_event, r, &r->pod_watch);
	if (!err)
		err = store_watch(c->store, owners, store_revision(c->store), on_rs_event, r,
				  &r->rs_watch);
	if (err)
		goto fail;
	free(pods);
	free(owners);
	*state = r;
	return 0;
fail:
	free(pods);
	free(owners);
	if (r->pod_watch)
		store_watch_cancel(r->pod_watch);
	r->pod_watch = NULL;
	if (r->queue)
		kube__wq_free(r->queue);
	kube__oidx_free(&r->pods);
	kube__exp_free(&r->exp);
	json_decref(r->errors);
	free(r);
	return err;
}

static int rs_start(kube_cluster *c, void **state)
{
	return rs_start_kind(c, state, "apps/v1", "ReplicaSet", "replicaset-controller");
}

static int rc_start(kube_cluster *c, void **state)
{
	return rs_start_kind(c, state, "v1", "ReplicationController", "replication-controller");
}

const struct kube_controller_ops kube__replicaset_controller = {
	.name = "replicaset",
	.start = rs_start,
	.stop = rs_stop,
};

const struct kube_controller_ops kube__replicationcontroller_controller = {
	.name = "replicationcontroller",
	.start = rc_start,
	.stop = rs_stop,
};
