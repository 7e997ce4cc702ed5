/*
 * Namespace lifecycle, as upstream's namespace controller: a namespace with
 * a deletionTimestamp turns Terminating, everything in it is deleted, and
 * once nothing is left its "kubernetes" finalizer is removed so the
 * namespace itself goes away.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/workqueue.h"

struct nsc {
	kube_cluster *c;
	const struct kube_kind *ns_kind;
	struct store_watch *watch;
	struct kube_workqueue *queue;
};

static bool terminating(const json_t *ns)
{
	return ns && json_object_get(json_object_get(ns, "metadata"), "deletionTimestamp");
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct nsc *n = data;
	const char *ns;

	(void)rev, (void)prev;
	if (!strncmp(key, "/namespaces/", 12)) {
		if (type != STORE_DELETED && terminating(obj))
			kube__wq_add(n->queue, kube__meta_str(obj, "name"));
		return;
	}
	/* something in a namespace changed: a terminating one may now be empty */
	ns = kube__meta_str(obj, "namespace");
	if (ns && (type == STORE_DELETED || terminating(obj) ||
		   json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp"))) {
		const json_t *nso = kube__op_get(n->c, n->ns_kind, NULL, ns, NULL);

		if (terminating(nso))
			kube__wq_add(n->queue, ns);
	}
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

struct sweep {
	struct nsc *n;
	const struct kube_kind *k;
	size_t remaining;
};

static int delete_one(const char *key, const json_t *obj, void *data)
{
	struct sweep *s = data;

	(void)key;
	s->remaining++;
	if (!json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp"))
		kube__op_delete(s->n->c, s->k, kube__meta_str(obj, "namespace"),
				kube__meta_str(obj, "name"), NULL, write_done, NULL);
	return 0;
}

/* Mark Terminating (status.phase), as upstream does before the sweep. */
static void mark_terminating(struct nsc *n, const json_t *ns)
{
	json_t *copy;
	const char *phase = json_string_value(json_object_get(json_object_get(ns, "status"), "phase"));
	struct kube_op_opts o = { .status = true };

	if (phase && !strcmp(phase, "Terminating"))
		return;
	copy = json_deep_copy(ns);
	json_object_set_new(copy, "status", json_pack("{s:s}", "phase", "Terminating"));
	kube__op_update(n->c, n->ns_kind, NULL, copy, &o, write_done, NULL);
}

/* Everything gone: drop the "kubernetes" finalizer so deletion completes. */
static void finalize(struct nsc *n, const json_t *ns)
{
	json_t *copy = json_deep_copy(ns), *spec = json_object_get(copy, "spec");

	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(copy, "spec", spec);
	}
	json_object_set_new(spec, "finalizers", json_array());
	kube__op_update(n->c, n->ns_kind, NULL, copy, NULL, write_done, NULL);
}

static int process(const char *name, void *data)
{
	struct nsc *n = data;
	const json_t *ns = kube__op_get(n->c, n->ns_kind, NULL, name, NULL);
	struct sweep s = { .n = n };

	if (!terminating(ns))
		return 0;
	mark_terminating(n, ns);
	for (int i = 0; i < kube__registry_count(); i++) {
		char *prefix;

		s.k = kube__registry_at(i);
		if (!s.k->namespaced)
			continue;
		prefix = kube__key_prefix(s.k, name);
		if (prefix)
			store_list(n->c->store, prefix, delete_one, &s);
		free(prefix);
	}
	ns = kube__op_get(n->c, n->ns_kind, NULL, name, NULL);
	if (!s.remaining && ns)
		finalize(n, ns);
	return 0;
}

static int scan_one(const char *key, const json_t *obj, void *data)
{
	struct nsc *n = data;

	(void)key;
	if (terminating(obj))
		kube__wq_add(n->queue, kube__meta_str(obj, "name"));
	return 0;
}

static void nsc_stop(void *state)
{
	struct nsc *n = state;

	store_watch_cancel(n->watch);
	kube__wq_free(n->queue);
	free(n);
}

static int nsc_start(kube_cluster *c, void **state)
{
	struct nsc *n = calloc(1, sizeof(*n));
	int err;

	if (!n)
		return KUBE_ENOMEM;
	n->c = c;
	n->ns_kind = kube__registry_by_gvk("v1", "Namespace");
	n->queue = kube__wq_new(c->loop, process, n);
	store_list(c->store, "/namespaces/", scan_one, n);
	err = store_watch(c->store, "", store_revision(c->store), on_event, n, &n->watch);
	if (err) {
		kube__wq_free(n->queue);
		free(n);
		return err;
	}
	*state = n;
	return 0;
}

const struct kube_controller_ops kube__namespace_controller = {
	.name = "namespace",
	.start = nsc_start,
	.stop = nsc_stop,
};
