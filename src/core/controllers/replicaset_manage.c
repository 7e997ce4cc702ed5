/*
 * Creating and deleting pods for a ReplicaSet or ReplicationController
 * (upstream's manageReplicas, slowStartBatch, getPodsToDelete).
 *
 * Creations go out in slow-start batches of 1, 2, 4, ... pods: a batch
 * starts when every create of the previous one has been answered, and the
 * first failure stops the rest (so a quota or admission error costs one
 * request, not five hundred). Writes are asynchronous here, so a batch is
 * a small state machine driven by the write callbacks.
 */
#include <stdlib.h>
#include <string.h>
#include "core/events.h"
#include "core/ops.h"
#include "core/controllers/podutil.h"
#include "core/controllers/replicaset_internal.h"

/* One slow-start run for one owner. */
struct rs_batch {
	struct rs_ctrl *r;
	char *key;               /* owner store key */
	json_t *rs;              /* the owner as it was at the sync (reference) */
	int remaining;           /* creations not yet issued */
	int size;                /* the current batch's size */
	int inflight;            /* creations issued and not answered */
	bool issuing;            /* inside issue(): answers must not advance */
	bool in_sync;            /* inside kube__rs_manage(): failures go to sync_err */
	bool abandoned;          /* controller stopped: answers only free */
	char *err;               /* the first failure's message */
	char **sync_err;         /* where a failure known during the sync goes */
	bool *finished;          /* set when freed, while kube__rs_manage() waits */
	struct rs_batch *next, **pprev;
};

static void batch_free(struct rs_batch *b)
{
	if (b->pprev) {
		*b->pprev = b->next;
		if (b->next)
			b->next->pprev = b->pprev;
	}
	if (b->finished)
		*b->finished = true;
	json_decref(b->rs);
	free(b->key);
	free(b->err);
	free(b);
}

/* The pod a template makes (GetPodFromTemplate). */
static json_t *pod_from_template(const json_t *rs)
{
	const json_t *tmpl = json_object_get(json_object_get(rs, "spec"), "template");
	const json_t *tm = json_object_get(tmpl, "metadata");
	const json_t *tspec = json_object_get(tmpl, "spec");
	json_t *pod = json_pack("{s:s, s:s, s:{}, s:o}", "apiVersion", "v1", "kind", "Pod",
				"metadata", "spec", tspec ? json_deep_copy(tspec) : json_object());
	json_t *meta = kube__meta(pod);
	const char *name = kube__meta_str(rs, "name");
	char *prefix = malloc(strlen(name) + 2);
	static const char *const copied[] = { "labels", "annotations", "finalizers", NULL };

	for (int i = 0; copied[i]; i++)
		if (json_object_get(tm, copied[i]))
			json_object_set_new(meta, copied[i], json_deep_copy(json_object_get(tm, copied[i])));
	if (prefix) {
		strcpy(prefix, name);
		strcat(prefix, "-");
		json_object_set_new(meta, "generateName", json_string(prefix));
		free(prefix);
	}
	json_object_set_new(meta, "namespace", json_string(kube__meta_str(rs, "namespace")));
	json_object_set_new(meta, "ownerReferences", json_pack("[o]", kube__new_controller_ref(rs)));
	return pod;
}

static void issue(struct rs_batch *b);

/* Every create of the current batch has been answered. */
static void batch_done(struct rs_batch *b)
{
	struct rs_ctrl *r = b->r;

	if (b->abandoned) {
		batch_free(b);
		return;
	}
	if (b->err) {
		/* the creations never issued will never be observed */
		for (; b->remaining > 0; b->remaining--)
			kube__exp_creation_observed(&r->exp, b->key);
		if (b->in_sync) {
			*b->sync_err = b->err;
			b->err = NULL;
		} else {
			json_object_set_new(r->errors, b->key, json_string(b->err));
			kube__wq_add(r->queue, b->key);
		}
	} else if (b->remaining > 0) {
		b->size *= 2;
		issue(b);
		return;
	}
	batch_free(b);
}

static void created(int err, const json_t *obj, const json_t *st, void *data)
{
	struct rs_batch *b = data;
	const char *msg = json_string_value(json_object_get(st, "message"));

	b->inflight--;
	if (!b->abandoned && err) {
		kube__exp_creation_observed(&b->r->exp, b->key);
		kube__event(b->r->c, b->rs, b->r->component, NULL, "Warning", "FailedCreate",
			    "Error creating: %s", msg ? msg : kube_strerror(err));
		if (!b->err)
			b->err = strdup(msg ? msg : kube_strerror(err));
	} else if (!b->abandoned) {
		kube__event(b->r->c, b->rs, b->r->component, NULL, "Normal", "SuccessfulCreate",
			    "Created pod: %s", kube__meta_str(obj, "name"));
	}
	if (!b->inflight && !b->issuing)
		batch_done(b);
}

static void issue(struct rs_batch *b)
{
	int n = b->size < b->remaining ? b->size : b->remaining;

	b->issuing = true;
	b->remaining -= n;
	for (int i = 0; i < n; i++) {
		b->inflight++;
		kube__op_create(b->r->c, b->r->pod_kind, kube__meta_str(b->rs, "namespace"),
				pod_from_template(b->rs), NULL, created, b);
	}
	b->issuing = false;
	if (!b->inflight)
		batch_done(b);
}

static char *create_pods(struct rs_ctrl *r, const char *key, const json_t *rs, int n)
{
	struct rs_batch *b = calloc(1, sizeof(*b));
	char *err = NULL;
	bool finished = false;

	if (!b || !(b->key = strdup(key))) {
		free(b);
		return strdup(kube_strerror(KUBE_ENOMEM));
	}
	kube__exp_expect_creations(&r->exp, key, n, kube__now_ms(r->c));
	b->r = r;
	b->rs = json_incref((json_t *)rs);
	b->remaining = n;
	b->size = RS_SLOW_START_INITIAL;
	b->in_sync = true;
	b->sync_err = &err;
	b->finished = &finished;
	b->next = r->batches;
	b->pprev = &r->batches;
	if (r->batches)
		r->batches->pprev = &b->next;
	r->batches = b;
	issue(b);
	if (!finished) {
		b->in_sync = false;
		b->finished = NULL;
	}
	return err;
}

void kube__rs_batches_abandon(struct rs_ctrl *r)
{
	struct rs_batch *b;

	/* in-flight answers still arrive (the store flushes on close): keep the
	 * batches alive for them, but detached from the controller */
	while ((b = r->batches)) {
		r->batches = b->next;
		if (b->next)
			b->next->pprev = &r->batches;
		b->pprev = NULL;
		b->next = NULL;
		b->abandoned = true;
		if (!b->inflight)
			batch_free(b);
	}
}

/* ---- deletions ------------------------------------------------------------ */

struct del_ctx {
	struct rs_ctrl *r;
	char *key;      /* owner */
	char *pod_key;  /* the pod's store key */
	json_t *rs;     /* for events */
};

static void del_free(void *data)
{
	struct del_ctx *d = data;

	json_decref(d->rs);
	free(d->key);
	free(d->pod_key);
	free(d);
}

static void deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	struct del_ctx *d = data;
	const char *msg = json_string_value(json_object_get(st, "message"));

	(void)obj;
	if (err) {
		kube__exp_deletion_observed(&d->r->exp, d->key, d->pod_key);
		if (err != KUBE_ENOTFOUND) {
			kube__event(d->r->c, d->rs, d->r->component, NULL, "Warning", "FailedDelete",
				    "Error deleting: %s", msg ? msg : kube_strerror(err));
			json_object_set_new(d->r->errors, d->key,
					    json_string(msg ? msg : kube_strerror(err)));
			kube__wq_add(d->r->queue, d->key);
		}
	} else {
		kube__event(d->r->c, d->rs, d->r->component, NULL, "Normal", "SuccessfulDelete",
			    "Deleted pod: %s", strrchr(d->pod_key, '/') + 1);
	}
	del_free(d);
}

/* The active pods of @p rs and of its siblings (same controller): getIndirectlyRelatedPods. */
struct related_ctx {
	struct rs_ctrl *r;
	const char *owner_uid;
	json_t *out;
};

static int add_related(const char *key, const json_t *obj, void *data)
{
	struct related_ctx *x = data;
	const json_t *ref = kube__controller_ref(obj);
	const char *uid = kube__meta_str(obj, "uid"), *k;
	json_t *v;

	(void)key;
	if (!ref || !kube__controlled_by(obj, x->owner_uid))
		return 0;
	json_object_foreach((json_t *)kube__oidx_owned(&x->r->pods, uid), k, v) {
		const json_t *pod = store_get(x->r->c->store, k);

		if (pod && kube__pod_active(pod))
			json_array_append(x->out, (json_t *)pod);
	}
	return 0;
}

static json_t *related_pods(struct rs_ctrl *r, const json_t *rs, const json_t *pods)
{
	const json_t *ref = kube__controller_ref(rs);
	struct related_ctx x = { r, json_string_value(json_object_get(ref, "uid")), NULL };
	char *prefix;

	if (!x.owner_uid)
		return json_incref((json_t *)pods);
	x.out = json_array();
	prefix = kube__key_prefix(r->kind, kube__meta_str(rs, "namespace"));
	if (prefix)
		store_list(r->c->store, prefix, add_related, &x);
	free(prefix);
	return x.out;
}

static void delete_pods(struct rs_ctrl *r, const char *key, const json_t *rs, const json_t *pods,
			int n)
{
	json_t *order = json_copy((json_t *)pods), *keys = json_array(), *related, *pod;
	size_t i;

	if ((size_t)n < json_array_size(order)) {
		related = related_pods(r, rs, pods);
		kube__rs_rank_pods(order, related, kube__now_ms(r->c));
		json_decref(related);
	}
	for (i = 0; i < (size_t)n && i < json_array_size(order); i++) {
		char *pk;

		pod = json_array_get(order, i);
		pk = kube__key(r->pod_kind, kube__meta_str(pod, "namespace"),
				     kube__meta_str(pod, "name"));

		json_array_append_new(keys, json_string(pk ? pk : ""));
		free(pk);
	}
	kube__exp_expect_deletions(&r->exp, key, keys, kube__now_ms(r->c));
	for (i = 0; i < json_array_size(keys); i++) {
		struct del_ctx *d = calloc(1, sizeof(*d));
		struct kube_op_opts o = { 0 };
		struct kube_ticket *t;

		pod = json_array_get(order, i);
		if (!d)
			break;
		d->r = r;
		d->key = strdup(key);
		d->pod_key = strdup(json_string_value(json_array_get(keys, i)));
		d->rs = json_incref((json_t *)rs);
		o.precondition_uid = kube__meta_str(pod, "uid");
		t = kube__ticket(&r->tickets, deleted, d, del_free);
		if (t)
			kube__op_delete(r->c, r->pod_kind, kube__meta_str(pod, "namespace"),
					kube__meta_str(pod, "name"), &o, kube__ticket_cb, t);
		else
			kube__exp_deletion_observed(&r->exp, key, json_string_value(json_array_get(keys, i)));
	}
	json_decref(keys);
	json_decref(order);
}

char *kube__rs_manage(struct rs_ctrl *r, const char *key, const json_t *rs, const json_t *pods)
{
	int64_t want = json_integer_value(json_object_get(json_object_get(rs, "spec"), "replicas"));
	int64_t diff = (int64_t)json_array_size(pods) - want;

	if (diff < 0)
		return create_pods(r, key, rs, -diff > RS_BURST_REPLICAS ? RS_BURST_REPLICAS : -diff);
	if (diff > 0)
		delete_pods(r, key, rs, pods, diff > RS_BURST_REPLICAS ? RS_BURST_REPLICAS : diff);
	return NULL;
}
