/*
 * The node manager: the "nodes" controller. It holds the cluster's node
 * agents and the one pod watch they share, dispatching each event by
 * spec.nodeName, so a pod event costs one lookup however many nodes run.
 */
#include <stdlib.h>
#include <string.h>
#include "core/jsonutil.h"
#include "core/ops.h"
#include "runtime/agents.h"
#include "runtime/node.h"

extern const struct kube_controller_ops kube__nodes_controller;

struct node_manager *kube__node_manager(kube_cluster *c)
{
	for (struct kube_controller *k = c->controllers; k; k = k->next)
		if (k->ops == &kube__nodes_controller)
			return k->state;
	return NULL;
}

bool kube__node_agent_exists(kube_cluster *c, const char *name)
{
	struct node_manager *m = kube__node_manager(c);

	return m && name && strmap_get(&m->agents, name);
}

static void on_pod_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
			 const json_t *prev, void *data)
{
	struct node_manager *m = data;
	const char *node = kube__jstr(obj, "spec.nodeName");
	struct node_agent *a = node ? strmap_get(&m->agents, node) : NULL;

	(void)rev, (void)prev;
	if (!a)
		return;
	if (type == STORE_DELETED)
		kube__agent_pod_deleted(a, key);
	else
		kube__agent_pod_changed(a, key, obj);
	if (type == STORE_DELETED)
		kube__static_pod_deleted(a, obj);
}

static int nodes_start(kube_cluster *c, void **state)
{
	struct node_manager *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return KUBE_ENOMEM;
	m->c = c;
	err = store_watch(c->store, "/pods/", store_revision(c->store), on_pod_event, m, &m->watch);
	if (err) {
		free(m);
		return err;
	}
	*state = m;
	return 0;
}

static void nodes_stop(void *state)
{
	struct node_manager *m = state;
	void **agents;
	size_t n = strmap_values(&m->agents, &agents);

	store_watch_cancel(m->watch);
	for (size_t i = 0; i < n; i++)
		kube__agent_free(agents[i]);
	free(agents);
	strmap_free(&m->agents);
	free(m);
}

const struct kube_controller_ops kube__nodes_controller = {
	.name = "nodes",
	.start = nodes_start,
	.stop = nodes_stop,
};
