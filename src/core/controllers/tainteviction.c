/*
 * Taint-based eviction, as upstream's pkg/controller/tainteviction: a pod
 * on a node with NoExecute taints it does not tolerate is deleted at once;
 * one that tolerates them all with tolerationSeconds is deleted after the
 * smallest of those (counted from when the taints were seen); tolerating
 * forever keeps it. Evictions are cancelled when the taints go away or the
 * pod's tolerations change to cover them. Deleted pods first get the
 * DisruptionTarget condition; events TaintManagerEviction as upstream's.
 *
 * The node lifecycle controller adds the not-ready / unreachable taints;
 * taints added by hand (`kubectl taint ... :NoExecute`) work the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/cluster_internal.h"
#include "core/events.h"
#include "core/jsonutil.h"
#include "core/ops.h"
#include "core/ops_bind.h"

#define COMPONENT "taint-eviction-controller"

struct tec;

/* A pod's scheduled deletion. */
struct eviction {
	struct tec *t;
	char *ns, *name;
	int64_t created;          /* cluster time the eviction was scheduled */
	struct kube_timer timer;  /* fires the deletion */
	struct eviction *next;
};

struct tec {
	kube_cluster *c;
	const struct kube_kind *pod_kind;
	struct store_watch *node_watch, *pod_watch;
	json_t *tainted;              /* {node: [NoExecute taints]} */
	json_t *by_node;              /* {node: {"ns/name": true}} pods bound there */
	struct eviction *evictions;   /* scheduled, unordered (few at a time) */
};

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static json_t *noexecute_taints(const json_t *node)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, t)
		if (str_eq(kube__jstr(t, "effect"), "NoExecute"))
			json_array_append(out, t);
	return out;
}

/* v1.Toleration.ToleratesTaint */
static bool tolerates(const json_t *tol, const json_t *taint)
{
	const char *op = kube__jstr(tol, "operator");

	if (kube__jstr(tol, "effect") && *kube__jstr(tol, "effect") &&
	    !str_eq(kube__jstr(tol, "effect"), kube__jstr(taint, "effect")))
		return false;
	if (kube__jstr(tol, "key") && *kube__jstr(tol, "key") && !str_eq(kube__jstr(tol, "key"), kube__jstr(taint, "key")))
		return false;
	if (str_eq(op, "Exists"))
		return true;
	if (!str_eq(op, "") && !str_eq(op, "Equal"))
		return false;
	return (kube__jstr(tol, "key") && *kube__jstr(tol, "key")) &&
	       str_eq(kube__jstr(tol, "value"), kube__jstr(taint, "value"));
}

/*
 * GetMatchingTolerations + getMinTolerationTime: -2 when a taint is not
 * tolerated, -1 when tolerated forever, else the delay in ms.
 */
static int64_t toleration_delay(const json_t *pod, const json_t *taints)
{
	const json_t *tols = json_object_get(json_object_get(pod, "spec"), "tolerations");
	int64_t min = -1;
	json_t *taint, *tol;
	size_t i, j;

	json_array_foreach(taints, i, taint) {
		const json_t *used = NULL;

		json_array_foreach(tols, j, tol) {
			if (tolerates(tol, taint)) {
				used = tol;
				break;
			}
		}
		if (!used)
			return -2;
		if (json_is_integer(json_object_get(used, "tolerationSeconds"))) {
			int64_t s = json_integer_value(json_object_get(used, "tolerationSeconds"));

			s = s <= 0 ? 0 : s * 1000;
			if (min < 0 || s < min)
				min = s;
		}
	}
	return min;
}

static struct eviction **find(struct tec *t, const char *ns, const char *name)
{
	struct eviction **p = &t->evictions;

	while (*p && !(str_eq((*p)->ns, ns) && str_eq((*p)->name, name)))
		p = &(*p)->next;
	return p;
}

static void eviction_free(struct eviction *e)
{
	kube__timer_release(&e->timer);
	free(e->ns);
	free(e->name);
	free(e);
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

/* deletePodHandler: event, DisruptionTarget, delete. */
static void evict_now(struct tec *t, const char *ns, const char *name)
{
	const json_t *cur = kube__op_get(t->c, t->pod_kind, ns, name, NULL);
	struct kube_op_opts o = { .status = true };
	json_t *pod;

	if (!cur)
		return;
	pod = json_deep_copy(cur);
	kube__event(t->c, pod, COMPONENT, NULL, "Normal", "TaintManagerEviction",
		    "Marking for deletion Pod %s/%s", ns, name);
	if (kube__pod_set_condition(pod, "DisruptionTarget", "True", "DeletionByTaintManager",
				    "Taint manager: deleting due to NoExecute taint",
				    kube__now_ms(t->c)))
		kube__op_update(t->c, t->pod_kind, ns, json_incref(pod), &o, write_done, NULL);
	json_decref(pod);
	kube__op_delete(t->c, t->pod_kind, ns, name, NULL, write_done, NULL);
}

static void eviction_fire(struct kube_timer *timer, void *data)
{
	struct eviction *e = data, **p = find(e->t, e->ns, e->name);

	(void)timer;
	if (*p == e)
		*p = e->next;
	evict_now(e->t, e->ns, e->name);
	eviction_free(e);
}

/* cancelWorkWithEvent */
static void cancel(struct tec *t, const char *ns, const char *name, const json_t *pod)
{
	struct eviction **p = find(t, ns, name), *e = *p;

	if (!e)
		return;
	*p = e->next;
	eviction_free(e);
	if (pod)
		kube__event(t->c, pod, COMPONENT, NULL, "Normal", "TaintManagerEviction",
			    "Cancelling deletion of Pod %s/%s", ns, name);
}

/* processPodOnNode */
static void process_pod(struct tec *t, const json_t *pod, const json_t *taints)
{
	const char *ns = kube__meta_str(pod, "namespace"), *name = kube__meta_str(pod, "name");
	int64_t delay = json_array_size(taints) ? toleration_delay(pod, taints) : -1;
	struct eviction *e;

	if (delay == -1) {
		cancel(t, ns, name, pod);
		return;
	}
	if (delay == -2 || delay == 0) {
		cancel(t, ns, name, pod);
		evict_now(t, ns, name);
		return;
	}
	if (*find(t, ns, name))
		return;    /* the eviction scheduled earlier fires first */
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	*e = (struct eviction){ .t = t, .ns = strdup(ns), .name = strdup(name),
				.created = kube__now_ms(t->c), .next = t->evictions };
	t->evictions = e;
	kube__timer_start(t->c, &e->timer, delay, eviction_fire, e);
}

/* ---- the pods-by-node index ------------------------------------------- */

static void index_pod(struct tec *t, const json_t *pod, bool add)
{
	const char *node = kube__jstr(pod, "spec.nodeName");
	json_t *set;
	char key[512];

	if (!node || !*node)
		return;
	snprintf(key, sizeof(key), "%s/%s", kube__meta_str(pod, "namespace"), kube__meta_str(pod, "name"));
	set = json_object_get(t->by_node, node);
	if (add) {
		if (!set) {
			set = json_object();
			json_object_set_new(t->by_node, node, set);
		}
		json_object_set_new(set, key, json_true());
	} else if (set) {
		json_object_del(set, key);
		if (!json_object_size(set))
			json_object_del(t->by_node, node);
	}
}

/* handleNodeUpdate */
static void node_changed(struct tec *t, const char *node, const json_t *taints)
{
	json_t *pods = json_deep_copy(json_object_get(t->by_node, node)), *v;
	const char *key;

	if (json_array_size(taints))
		json_object_set(t->tainted, node, (json_t *)taints);
	else
		json_object_del(t->tainted, node);
	json_object_foreach(pods, key, v) {
		const char *slash = strchr(key, '/');
		char ns[256];
		const json_t *pod;

		if (!slash || (size_t)(slash - key) >= sizeof(ns))
			continue;
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
		pod = kube__op_get(t->c, t->pod_kind, ns, slash + 1, NULL);
		if (pod)
			process_pod(t, pod, taints);
	}
	json_decref(pods);
}

static void on_node(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		    const json_t *prev, void *data)
{
	struct tec *t = data;
	const char *name = kube__meta_str(obj, "name");
	json_t *now, *before;

	(void)rev, (void)key;
	if (type == STORE_DELETED) {
		json_object_del(t->tainted, name);
		return;
	}
	now = noexecute_taints(obj);
	before = prev ? noexecute_taints(prev) : NULL;
	if (!before || !json_equal(now, before))
		node_changed(t, name, now);
	json_decref(now);
	json_decref(before);
}

static bool same_placement(const json_t *a, const json_t *b)
{
	const json_t *sa = json_object_get(a, "spec"), *sb = json_object_get(b, "spec");

	return str_eq(kube__jstr(sa, "nodeName"), kube__jstr(sb, "nodeName")) &&
	       json_equal(json_object_get(sa, "tolerations") ?: json_null(),
			  json_object_get(sb, "tolerations") ?: json_null());
}

/* PodUpdated + handlePodUpdate */
static void on_pod(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		   const json_t *prev, void *data)
{
	struct tec *t = data;
	const char *node;
	const json_t *taints;

	(void)rev, (void)key;
	if (prev)
		index_pod(t, prev, false);
	if (type == STORE_DELETED) {
		cancel(t, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"), obj);
		return;
	}
	index_pod(t, obj, true);
	if (prev && same_placement(prev, obj))
		return;
	node = kube__jstr(obj, "spec.nodeName");
	taints = node ? json_object_get(t->tainted, node) : NULL;
	if (taints)
		process_pod(t, obj, taints);
}

static int scan_pod(const char *key, const json_t *pod, void *data)
{
	(void)key;
	index_pod(data, pod, true);
	return 0;
}

static int scan_node(const char *key, const json_t *node, void *data)
{
	on_node(STORE_ADDED, 0, key, node, NULL, data);
	return 0;
}

static void tec_stop(void *state)
{
	struct tec *t = state;

	if (t->node_watch)
		store_watch_cancel(t->node_watch);
	if (t->pod_watch)
		store_watch_cancel(t->pod_watch);
	while (t->evictions) {
		struct eviction *e = t->evictions;

		t->evictions = e->next;
		eviction_free(e);
	}
	json_decref(t->tainted);
	json_decref(t->by_node);
	free(t);
}

static int tec_start(kube_cluster *c, void **state)
{
	struct tec *t = calloc(1, sizeof(*t));
	const struct kube_kind *nk = kube__registry_by_gvk("v1", "Node");
	char *nodes, *pods;
	int64_t rev = store_revision(c->store);
	int err = KUBE_ENOMEM;

	if (!t)
		return KUBE_ENOMEM;
	t->c = c;
	t->pod_kind = kube__registry_by_gvk("v1", "Pod");
	t->tainted = json_object();
	t->by_node = json_object();
	nodes = kube__key_prefix(nk, NULL);
	pods = kube__key_prefix(t->pod_kind, NULL);
	if (nodes && pods) {
		store_list(c->store, pods, scan_pod, t);
		store_list(c->store, nodes, scan_node, t);
		err = store_watch(c->store, nodes, rev, on_node, t, &t->node_watch);
	}
	if (!err)
		err = store_watch(c->store, pods, rev, on_pod, t, &t->pod_watch);
	free(nodes);
	free(pods);
	if (err) {
		tec_stop(t);
		return err;
	}
	*state = t;
	return 0;
}

const struct kube_controller_ops kube__tainteviction_controller = {
	.name = "taint-eviction-controller",
	.start = tec_start,
	.stop = tec_stop,
};
