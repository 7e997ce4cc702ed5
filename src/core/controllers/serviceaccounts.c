/*
 * ServiceAccounts, as upstream's serviceaccounts controller: every active
 * namespace has a ServiceAccount "default", created when the namespace
 * appears and re-created when it is deleted. Terminating namespaces are
 * left alone.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/workqueue.h"

struct sac {
	kube_cluster *c;
	const struct kube_kind *ns_kind, *sa_kind;
	struct store_watch *ns_watch, *sa_watch;
	struct kube_workqueue *queue; /* namespace names */
};

static void on_namespace(enum store_event type, int64_t rev, const char *key,
			 const json_t *obj, const json_t *prev, void *data)
{
	struct sac *s = data;

	(void)rev, (void)key, (void)prev;
	if (type != STORE_DELETED)
		kube__wq_add(s->queue, kube__meta_str(obj, "name"));
}

static void on_serviceaccount(enum store_event type, int64_t rev, const char *key,
			      const json_t *obj, const json_t *prev, void *data)
{
	struct sac *s = data;

	(void)rev, (void)key, (void)prev;
	if (type == STORE_DELETED && !strcmp(kube__meta_str(obj, "name"), "default"))
		kube__wq_add(s->queue, kube__meta_str(obj, "namespace"));
}

/* upstream checks status.phase == Active; a namespace being deleted is not. */
static bool active(const json_t *ns)
{
	const char *phase = json_string_value(json_object_get(json_object_get(ns, "status"), "phase"));

	return !kube__meta_str(ns, "deletionTimestamp") && (!phase || !strcmp(phase, "Active"));
}

static void created(int err, const json_t *obj, const json_t *st, void *data)
{
	struct sac *s = data;

	(void)obj;
	if (err && err != KUBE_EEXIST)
		kube__log(s->c, "serviceaccounts: %s",
			  json_string_value(json_object_get(st, "message")));
}

static int process(const char *name, void *data)
{
	struct sac *s = data;
	const json_t *ns = kube__op_get(s->c, s->ns_kind, NULL, name, NULL);

	if (!ns || !active(ns) || kube__op_get(s->c, s->sa_kind, name, "default", NULL))
		return 0;
	kube__op_create(s->c, s->sa_kind, name,
			json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
				  "ServiceAccount", "metadata", "name", "default", "namespace", name),
			NULL, created, s);
	return 0;
}

static int enqueue(const char *key, const json_t *obj, void *data)
{
	struct sac *s = data;

	(void)key;
	kube__wq_add(s->queue, kube__meta_str(obj, "name"));
	return 0;
}

static void sac_stop(void *state)
{
	struct sac *s = state;

	if (s->ns_watch)
		store_watch_cancel(s->ns_watch);
	if (s->sa_watch)
		store_watch_cancel(s->sa_watch);
	if (s->queue)
		kube__wq_free(s->queue);
	free(s);
}

static int sac_start(kube_cluster *c, void **state)
{
	struct sac *s = calloc(1, sizeof(*s));
	int64_t rev = store_revision(c->store);
	int err;

	if (!s)
		return KUBE_ENOMEM;
	s->c = c;
	s->ns_kind = kube__registry_by_gvk("v1", "Namespace");
	s->sa_kind = kube__registry_by_gvk("v1", "ServiceAccount");
	s->queue = kube__wq_new(c->loop, process, s);
	err = !s->ns_kind || !s->sa_kind ? KUBE_EINTERNAL : !s->queue ? KUBE_ENOMEM : 0;
	if (!err)
		err = store_watch(c->store, "/namespaces/", rev, on_namespace, s, &s->ns_watch);
	if (!err)
		err = store_watch(c->store, "/serviceaccounts/", rev, on_serviceaccount, s,
				  &s->sa_watch);
	if (err) {
		sac_stop(s);
		return err;
	}
	store_list(c->store, "/namespaces/", enqueue, s);
	*state = s;
	return 0;
}

const struct kube_controller_ops kube__serviceaccounts_controller = {
	.name = "serviceaccounts",
	.start = sac_start,
	.stop = sac_stop,
};
