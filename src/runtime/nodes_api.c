/*
 * The node calls of the public API (nodes.h): each is posted to the loop
 * with kube__call and answered from there.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/status.h"
#include "runtime/node.h"

void kube_node_config_init(kube_node_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->runtime = "simulated";
}

struct node_call {
	struct kube_call call;
	const kube_node_config *cfg;  /* add */
	const char *name;             /* the others */
	int what;                     /* NODE_REMOVE, NODE_STOP, NODE_START */
};

enum { NODE_REMOVE = 1, NODE_STOP, NODE_START };

static void call_done(int err, json_t *status, void *data)
{
	kube__call_finish(data, err, status);
}

static struct node_manager *manager(struct kube_call *call)
{
	struct node_manager *m = kube__node_manager(call->c);

	if (!m)
		kube__call_finish(call, KUBE_ESTOPPED,
				  kube__status_new(KUBE_ESTOPPED, "the cluster is not running", NULL));
	return m;
}

static void add_run(struct kube_call *call)
{
	struct node_call *nc = (struct node_call *)call;
	struct node_manager *m = manager(call);

	if (m)
		kube__agent_add(m, nc->cfg, call_done, call);
}

int kube_node_add(kube_cluster *c, const kube_node_config *cfg)
{
	struct node_call nc = { .call.run = add_run, .cfg = cfg };

	return kube__call(c, &nc.call);
}

static void node_run(struct kube_call *call)
{
	struct node_call *nc = (struct node_call *)call;
	struct node_manager *m = manager(call);
	struct node_agent *a;
	json_t *st = NULL;

	if (!m)
		return;
	a = nc->name ? strmap_get(&m->agents, nc->name) : NULL;
	if (!a) {
		kube__fail_notfound(&st, "", "nodes", nc->name ? nc->name : "");
		kube__call_finish(call, KUBE_ENOTFOUND, st);
		return;
	}
	if (nc->what == NODE_REMOVE) {
		kube__agent_remove(a, call_done, call);
		return;
	}
	if (nc->what == NODE_STOP)
		kube__agent_stop(a);
	else
		kube__agent_start(a);
	kube__call_finish(call, 0, NULL);
}

static int node_call(kube_cluster *c, const char *name, int what)
{
	struct node_call nc = { .call.run = node_run, .name = name, .what = what };

	return kube__call(c, &nc.call);
}

int kube_node_remove(kube_cluster *c, const char *name)
{
	return node_call(c, name, NODE_REMOVE);
}

int kube_node_stop(kube_cluster *c, const char *name)
{
	return node_call(c, name, NODE_STOP);
}

int kube_node_start(kube_cluster *c, const char *name)
{
	return node_call(c, name, NODE_START);
}

/* ------------------------------------------------------------------ logs -- */

struct logs_call {
	struct kube_call call;
	const char *ns, *pod;
	kube_log_options o;
	char *out;
};

static int no_container(json_t **st, const char *pod, const char *name)
{
	return kube__fail(st, KUBE_ENOTFOUND, NULL, NULL, NULL,
			  "container %s is not valid for pod %s", name, pod);
}

/* The pod's worker on whichever node runs it. */
static struct pod_worker *find_worker(kube_cluster *c, const char *ns, const char *name,
				      json_t **st)
{
	const struct kube_kind *pk = kube__registry_by_gvk("v1", "Pod");
	const json_t *pod = kube__op_get(c, pk, ns && *ns ? ns : "default", name, st);
	struct node_manager *m = kube__node_manager(c);
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
	struct node_agent *a = node && m ? strmap_get(&m->agents, node) : NULL;
	struct pod_worker *w = NULL;
	char *key;

	if (!pod)
		return NULL;
	key = kube__key(pk, kube__meta_str(pod, "namespace"), name);
	w = a && key ? strmap_get(&a->pods, key) : NULL;
	free(key);
	if (!w)
		kube__fail(st, KUBE_ENOTFOUND, NULL, NULL, NULL,
			   "pod %s is not running on a node of this cluster", name);
	return w;
}

static int pick_container(struct pod_worker *w, const char *name, struct pod_ctr **out, json_t **st)
{
	const char *pod = kube__meta_str(w->pod, "name");
	char list[1024];
	size_t at = 0;

	*out = NULL;
	for (int i = 0; i < w->nctrs; i++)
		if (name ? !strcmp(w->ctrs[i].name, name) : (i == w->ninit && w->nctrs - w->ninit == 1))
			*out = &w->ctrs[i];
	if (*out)
		return 0;
	if (name)
		return no_container(st, pod, name);
	for (int i = w->ninit; i < w->nctrs && at < sizeof(list); i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", i > w->ninit ? " " : "",
				       w->ctrs[i].name);
	return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			  "a container name must be specified for pod %s, choose one of: [%s]", pod, list);
}

int kube__pod_log_read(kube_cluster *c, const char *ns, const char *pod,
		       const kube_log_options *opts, char **out, json_t **st)
{
	struct kube_rt_log_opts o = { .tail_lines = opts->tail_lines, .timestamps = opts->timestamps };
	struct pod_worker *w = find_worker(c, ns, pod, st);
	struct pod_ctr *pc = NULL;
	struct kube_rt_ctr *r;
	int err = w ? pick_container(w, opts->container, &pc, st) : KUBE_ENOTFOUND;

	*out = NULL;
	if (err)
		return err;
	r = opts->previous ? pc->prev : pc->cur;
	if (!r)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  opts->previous ? "previous terminated container \"%s\" in pod \"%s\" not found"
				  : "container \"%s\" in pod \"%s\" is waiting to start: ContainerCreating",
				  pc->name, pod);
	return kube__rt_log_read(&r->log, &o, out);
}

static void logs_run(struct kube_call *call)
{
	struct logs_call *lc = (struct logs_call *)call;
	json_t *st = NULL;
	int err = kube__pod_log_read(call->c, lc->ns, lc->pod, &lc->o, &lc->out, &st);

	kube__call_finish(call, err, st);
}

int kube_pod_logs(kube_cluster *c, const char *ns, const char *pod, const kube_log_options *opts,
		  char **out)
{
	struct logs_call lc = { .call.run = logs_run, .ns = ns, .pod = pod };
	int err;

	if (opts)
		lc.o = *opts;
	else
		lc.o.tail_lines = -1;
	err = kube__call(c, &lc.call);
	*out = err ? NULL : lc.out;
	if (err)
		free(lc.out);
	return err;
}
