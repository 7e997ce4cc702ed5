/*
 * The ResourceQuota controller, as upstream's pkg/controller/resourcequota:
 * each quota's status.hard follows spec.hard and status.used is the usage
 * of the namespace's objects the quota selects (quota.h). A change to any
 * object in a namespace with quotas queues them; a quota is written only
 * when its status changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission/quota.h"
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/workqueue.h"

struct rqc {
	kube_cluster *c;
	const struct kube_kind *rq_kind;
	struct store_watch *watch;
	struct kube_workqueue *queue;
};

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	/* a conflict comes with the quota's own event, which queues it again */
	(void)err, (void)obj, (void)st, (void)data;
}

static int sync_quota(const char *key, void *data)
{
	struct rqc *r = data;
	const char *slash = strchr(key, '/');
	const json_t *q, *hard;
	json_t *status, *copy;
	char ns[256];
	struct kube_op_opts o = { .status = true };

	if (!slash)
		return 0;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	q = kube__op_get(r->c, r->rq_kind, ns, slash + 1, NULL);
	if (!q)
		return 0;
	hard = json_object_get(json_object_get(q, "spec"), "hard");
	status = json_pack("{s:O, s:o}", "hard", json_is_object(hard) ? hard : json_object(),
			   "used", kube__quota_used(r->c, ns, q, hard));
	if (json_equal(status, json_object_get(q, "status"))) {
		json_decref(status);
		return 0;
	}
	copy = json_deep_copy(q);
	json_object_set_new(copy, "status", status);
	kube__op_update(r->c, r->rq_kind, ns, copy, &o, write_done, NULL);
	return 0;
}

static int enqueue_one(const char *key, const json_t *q, void *data)
{
	struct rqc *r = data;
	char k[600];

	(void)key;
	snprintf(k, sizeof(k), "%s/%s", kube__meta_str(q, "namespace"), kube__meta_str(q, "name"));
	kube__wq_add(r->queue, k);
	return 0;
}

/* Every quota of @p ns. */
static void enqueue_ns(struct rqc *r, const char *ns)
{
	char *prefix = kube__key_prefix(r->rq_kind, ns);

	if (prefix)
		store_list(r->c->store, prefix, enqueue_one, r);
	free(prefix);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct rqc *r = data;
	const char *ns = kube__meta_str(obj, "namespace");

	(void)type, (void)rev, (void)prev;
	/* events and leases change all the time and are not worth a recount */
	if (!ns || !*ns || !strncmp(key, "/events/", 8) || !strncmp(key, "events.k8s.io/", 14) ||
	    !strncmp(key, "coordination.k8s.io/", 20))
		return;
	enqueue_ns(r, ns);
}

static void rqc_stop(void *state)
{
	struct rqc *r = state;

	store_watch_cancel(r->watch);
	kube__wq_free(r->queue);
	free(r);
}

static int rqc_start(kube_cluster *c, void **state)
{
	struct rqc *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return KUBE_ENOMEM;
	r->c = c;
	r->rq_kind = kube__registry_by_gvk("v1", "ResourceQuota");
	r->queue = kube__wq_new(c->loop, sync_quota, r);
	if (!r->queue) {
		free(r);
		return KUBE_ENOMEM;
	}
	err = store_watch(c->store, "", store_revision(c->store), on_event, r, &r->watch);
	if (err) {
		kube__wq_free(r->queue);
		free(r);
		return err;
	}
	store_list(c->store, "/resourcequotas/", enqueue_one, r);
	*state = r;
	return 0;
}

const struct kube_controller_ops kube__resourcequota_controller = {
	.name = "resourcequota",
	.start = rqc_start,
	.stop = rqc_stop,
};
