/*
 * A node agent: registers its Node, keeps its Lease renewed and its status
 * reported, hands the pods bound to it to pod workers, and stops, starts
 * and goes away on request (node.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/events.h"
#include "core/ops.h"
#include "core/status.h"
#include "runtime/node.h"

/* Registration in flight: create/update the Node, its status, the Lease. */
struct add_ctx {
	struct node_agent *a;
	node_done_cb done;
	void *data;
};

static const struct kube_kind *kind(const char *api_version, const char *k)
{
	return kube__registry_by_gvk(api_version, k);
}

static void log_write(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)obj;
	if (err)
		kube__log(data, "node agent: write failed: %s",
			  json_string_value(json_object_get(st, "message")));
}

/* --------------------------------------------------------------- IPs -- */

void kube__agent_ip_take(struct node_agent *a, char *ip, size_t len)
{
	for (int h = 2; h < 255; h++) {
		if (a->ips[h / 8] & (1u << (h % 8)))
			continue;
		a->ips[h / 8] |= (unsigned char)(1u << (h % 8));
		snprintf(ip, len, "10.42.%d.%d", a->index, h);
		return;
	}
	ip[0] = '\0';
}

void kube__agent_ip_release(struct node_agent *a, const char *ip)
{
	int idx, h;

	if (sscanf(ip, "10.42.%d.%d", &idx, &h) == 2 && idx == a->index && h > 0 && h < 256)
		a->ips[h / 8] &= (unsigned char)~(1u << (h % 8));
}

/* ------------------------------------------------------ Lease, status -- */

static void on_lease_timer(struct kube_timer *t, void *data);

static void renew_lease(struct node_agent *a)
{
	const struct kube_kind *lk = kind("coordination.k8s.io/v1", "Lease");
	char *key = kube__key(lk, "kube-node-lease", a->name), now[40];
	const json_t *cur = key ? store_get(a->c->store, key) : NULL;
	json_t *lease;

	free(key);
	if (!cur) {
		kube__op_create(a->c, lk, "kube-node-lease", kube__node_lease(a), NULL, log_write, a->c);
	} else {
		lease = json_deep_copy(cur);
		kube__microtime(kube__now_ms(a->c), now, sizeof(now));
		json_object_set_new(json_object_get(lease, "spec"), "renewTime", json_string(now));
		json_object_set_new(json_object_get(lease, "spec"), "holderIdentity",
				    json_string(a->name));
		json_object_del(json_object_get(lease, "metadata"), "resourceVersion");
		kube__op_update(a->c, lk, "kube-node-lease", lease, NULL, log_write, a->c);
	}
	kube__timer_start(a->c, &a->lease_timer, NODE_LEASE_RENEW_MS, on_lease_timer, a);
}

static void on_lease_timer(struct kube_timer *t, void *data)
{
	(void)t;
	renew_lease(data);
}

/*
 * Record an Event about the Node as the kubelet does: its object reference
 * carries the node's name as UID (kl.nodeRef), which `kubectl describe node`
 * searches for besides the real UID.
 */
static void node_event(struct node_agent *a, const char *reason, const char *fmt, const char *arg)
{
	json_t *ref = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "Node",
				"metadata", "name", a->name, "uid", a->name);

	kube__event(a->c, ref, "kubelet", a->name, "Normal", reason, fmt, arg);
	json_decref(ref);
}

/* The kubelet's node status setters record "Node X status is now: R" when a
 * condition takes a new status (on registration, and when the node comes
 * back after the node controller set it Unknown). */
static void condition_event(struct node_agent *a, const json_t *cond)
{
	static const char *const reasons[][3] = {
		{ "MemoryPressure", "NodeHasSufficientMemory", "NodeHasInsufficientMemory" },
		{ "DiskPressure", "NodeHasNoDiskPressure", "NodeHasDiskPressure" },
		{ "PIDPressure", "NodeHasSufficientPID", "NodeHasInsufficientPID" },
		{ "Ready", "NodeNotReady", "NodeReady" },
	};
	const char *type = json_string_value(json_object_get(cond, "type"));
	const char *status = json_string_value(json_object_get(cond, "status"));
	char msg[300];

	for (size_t i = 0; type && status && i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(reasons[i][0], type))
			continue;
		snprintf(msg, sizeof(msg), "Node %s status is now: %s", a->name,
			 reasons[i][!strcmp(status, "True") ? 2 : 1]);
		node_event(a, strchr(msg, ':') + 2, "%s", msg);
	}
}

/* Our conditions with a fresh heartbeat, keeping the stored transition
 * times of those whose status did not change (an event for each that did). */
static json_t *status_to_write(struct node_agent *a, const json_t *stored)
{
	json_t *st = stored && json_object_size(json_object_get(stored, "status"))
		     ? json_deep_copy(json_object_get(stored, "status"))
		     : json_deep_copy(json_object_get(a->node, "status"));
	json_t *ours = json_deep_copy(json_object_get(json_object_get(a->node, "status"), "conditions"));
	json_t *c, *old;
	size_t i, j;
	char now[32];

	kube__rfc3339(kube__now_ms(a->c), now, sizeof(now));
	json_array_foreach(ours, i, c) {
		bool same = false;

		json_object_set_new(c, "lastHeartbeatTime", json_string(now));
		json_object_set_new(c, "lastTransitionTime", json_string(now));
		json_array_foreach(json_object_get(st, "conditions"), j, old) {
			if (json_equal(json_object_get(old, "type"), json_object_get(c, "type")) &&
			    json_equal(json_object_get(old, "status"), json_object_get(c, "status")))
				json_object_set(c, "lastTransitionTime",
						json_object_get(old, "lastTransitionTime"));
		}
		json_array_foreach(json_object_get(json_object_get(stored, "status"), "conditions"), j, old)
			same |= json_equal(json_object_get(old, "type"), json_object_get(c, "type")) &&
				json_equal(json_object_get(old, "status"), json_object_get(c, "status"));
		if (!same)
			condition_event(a, c);
	}
	json_object_set_new(st, "conditions", ours);
	return st;
}

static void write_status(struct node_agent *a, kube_op_cb cb, void *data)
{
	const struct kube_kind *nk = kind("v1", "Node");
	char *key = kube__key(nk, NULL, a->name);
	const json_t *stored = key ? store_get(a->c->store, key) : NULL;
	json_t *body = json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "v1", "kind", "Node",
				 "metadata", "name", a->name, "status", status_to_write(a, stored));
	struct kube_op_opts o = { .status = true };

	free(key);
	kube__op_update(a->c, nk, NULL, body, &o, cb, data);
}

static void on_status_timer(struct kube_timer *t, void *data)
{
	struct node_agent *a = data;

	(void)t;
	write_status(a, log_write, a->c);
	kube__timer_start(a->c, &a->status_timer, NODE_STATUS_REPORT_MS, on_status_timer, a);
}

/* ---------------------------------------------------------------- pods -- */

void kube__agent_pod_changed(struct node_agent *a, const char *key, const json_t *pod)
{
	struct pod_worker *w = strmap_get(&a->pods, key);

	if (w && strcmp(w->uid, kube__meta_str(pod, "uid") ?: "")) {
		kube__worker_teardown(w);
		w = NULL;
	}
	if (!w) {
		w = kube__worker_new(a, key, pod);
		if (!w || strmap_put(&a->pods, key, w)) {
			if (w)
				kube__worker_teardown(w);
			kube__log(a->c, "node %s: out of memory for pod %s", a->name, key);
			return;
		}
	} else {
		kube__worker_update(w, pod);
	}
	kube__worker_sync(w);
}

void kube__agent_pod_deleted(struct node_agent *a, const char *key)
{
	struct pod_worker *w = strmap_get(&a->pods, key);

	if (w)
		kube__worker_teardown(w);
}

static int visit_pod(const char *key, const json_t *pod, void *data)
{
	struct node_agent *a = data;
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));

	if (node && !strcmp(node, a->name))
		kube__agent_pod_changed(a, key, pod);
	return 0;
}

static void sync_one(const char *key, void *value, void *data)
{
	(void)key, (void)data;
	kube__worker_sync(value);
}

/* -------------------------------------------------------- registration -- */

static void agent_release(struct node_agent *a)
{
	void **ws;
	size_t n = strmap_values(&a->pods, &ws);

	for (size_t i = 0; i < n; i++)
		kube__worker_teardown(ws[i]);
	free(ws);
	strmap_free(&a->pods);
	kube__timer_release(&a->lease_timer);
	kube__timer_release(&a->status_timer);
	if (a->rt_state)
		a->rt->close(a->rt_state);
	a->m->index_used[a->index / 8] &= (unsigned char)~(1u << (a->index % 8));
	json_decref(a->node);
	json_decref(a->static_pods);
	free(a->node_uid);
	free(a->static_dir);
	free(a->name);
	free(a);
}

void kube__agent_free(struct node_agent *a)
{
	strmap_del(&a->m->agents, a->name);
	agent_release(a);
}

static void add_fail(struct add_ctx *x, int err, json_t *st)
{
	kube__agent_free(x->a);
	x->done(err, st ? st : kube__status_new(err, kube_strerror(err), NULL), x->data);
	free(x);
}

static void add_finish(struct add_ctx *x)
{
	struct node_agent *a = x->a;

	a->running = true;
	node_event(a, "NodeAllocatableEnforced", "%s", "Updated Node Allocatable limit across pods");
	renew_lease(a);
	kube__timer_start(a->c, &a->status_timer, NODE_STATUS_REPORT_MS, on_status_timer, a);
	kube__static_pods_start(a);
	store_list(a->c->store, "/pods/", visit_pod, a);
	kube__log(a->c, "node %s registered (%s runtime)", a->name, a->rt->name);
	x->done(0, NULL, x->data);
	free(x);
}

static void status_written(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)obj;
	if (err)
		add_fail(data, err, json_deep_copy(st));
	else
		add_finish(data);
}

static void node_written(int err, const json_t *obj, const json_t *st, void *data)
{
	struct add_ctx *x = data;

	if (err) {
		add_fail(x, err, json_deep_copy(st));
		return;
	}
	x->a->node_uid = strdup(kube__meta_str(obj, "uid"));
	write_status(x->a, status_written, x);
}

/* Create the Node, or take over a stored one (labels merged, spec kept). */
static void register_node(struct add_ctx *x)
{
	struct node_agent *a = x->a;
	const struct kube_kind *nk = kind("v1", "Node");
	char *key = kube__key(nk, NULL, a->name);
	const json_t *stored = key ? store_get(a->c->store, key) : NULL;
	json_t *obj, *labels;

	free(key);
	node_event(a, "Starting", "%s", "Starting kubelet.");
	if (!stored) {
		obj = json_deep_copy(a->node);
		json_object_del(obj, "status");
		kube__op_create(a->c, nk, NULL, obj, NULL, node_written, x);
		return;
	}
	obj = json_deep_copy(stored);
	labels = json_object_get(kube__meta(obj), "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(kube__meta(obj), "labels", labels);
	}
	json_object_update(labels, json_object_get(json_object_get(a->node, "metadata"), "labels"));
	json_object_del(kube__meta(obj), "resourceVersion");
	kube__op_update(a->c, nk, NULL, obj, NULL, node_written, x);
}

static int take_index(struct node_manager *m)
{
	for (int i = 0; i < 256; i++) {
		if (!(m->index_used[i / 8] & (1u << (i % 8)))) {
			m->index_used[i / 8] |= (unsigned char)(1u << (i % 8));
			return i;
		}
	}
	return -1;
}

static int check_config(struct node_manager *m, const kube_node_config *cfg,
			const struct kube_runtime_ops **rt, json_t **st)
{
	const char *name = cfg->runtime ? cfg->runtime : "simulated";

	if (!cfg->name || !*cfg->name)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "a node needs a name");
	if (strmap_get(&m->agents, cfg->name))
		return kube__fail(st, KUBE_EEXIST, "", "nodes", cfg->name,
				  "a node agent for \"%s\" already runs", cfg->name);
	if (!strcmp(name, "native"))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "the native runtime is not available in this build");
	*rt = kube__runtime_find(name);
	if (!*rt)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "unknown runtime \"%s\": use \"simulated\" or \"process\"", name);
	return 0;
}

static struct node_agent *agent_new(struct node_manager *m, const kube_node_config *cfg,
				    const struct kube_runtime_ops *rt, json_t **st)
{
	struct node_agent *a = calloc(1, sizeof(*a));

	if (!a || !(a->name = strdup(cfg->name))) {
		free(a);
		kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
		return NULL;
	}
	a->c = m->c;
	a->m = m;
	a->rt = rt;
	a->index = take_index(m);
	a->static_pods = json_object();
	if (cfg->static_pod_dir)
		a->static_dir = strdup(cfg->static_pod_dir);
	if (cfg->address)
		snprintf(a->address, sizeof(a->address), "%s", cfg->address);
	else if (!strcmp(rt->name, "process"))
		snprintf(a->address, sizeof(a->address), "127.0.0.1");
	else
		snprintf(a->address, sizeof(a->address), "172.18.0.%d", a->index + 2);
	return a;
}

void kube__agent_add(struct node_manager *m, const kube_node_config *cfg, node_done_cb done,
		     void *data)
{
	const struct kube_runtime_ops *rt = NULL;
	struct add_ctx *x;
	json_t *st = NULL;
	struct node_agent *a;
	int err = check_config(m, cfg, &rt, &st);

	if (err)
		goto fail;
	a = agent_new(m, cfg, rt, &st);
	if (!a) {
		err = KUBE_ENOMEM;
		goto fail;
	}
	if (a->index < 0 || strmap_put(&m->agents, a->name, a)) {
		a->index = a->index < 0 ? 0 : a->index;
		err = kube__fail(&st, KUBE_EINVAL, NULL, NULL, NULL,
				 "no pod CIDR left in 10.42.0.0/16 for node %s", cfg->name);
		agent_release(a);
		goto fail;
	}
	a->node = kube__node_object(a, cfg, m->agents.count == 1, &st);
	err = a->node ? rt->open(m->c, a->name, &a->rt_state) : KUBE_EINVAL;
	if (err || !(x = calloc(1, sizeof(*x)))) {
		kube__agent_free(a);
		err = err ? err : KUBE_ENOMEM;
		goto fail;
	}
	*x = (struct add_ctx){ .a = a, .done = done, .data = data };
	register_node(x);
	return;
fail:
	done(err, st ? st : kube__status_new(err, kube_strerror(err), NULL), data);
}

/* ---------------------------------------------------- stop, start, remove -- */

void kube__agent_stop(struct node_agent *a)
{
	a->running = false;
	kube__timer_stop(&a->lease_timer);
	kube__timer_stop(&a->status_timer);
	kube__log(a->c, "node %s stopped", a->name);
}

void kube__agent_start(struct node_agent *a)
{
	if (a->running)
		return;
	a->running = true;
	renew_lease(a);
	write_status(a, log_write, a->c);
	kube__timer_start(a->c, &a->status_timer, NODE_STATUS_REPORT_MS, on_status_timer, a);
	strmap_each(&a->pods, sync_one, NULL);
	kube__log(a->c, "node %s started", a->name);
}

struct remove_ctx {
	node_done_cb done;
	void *data;
};

static void node_deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	struct remove_ctx *r = data;

	(void)obj;
	r->done(err == KUBE_ENOTFOUND ? 0 : err, err && err != KUBE_ENOTFOUND ? json_deep_copy(st) : NULL,
		r->data);
	free(r);
}

/* Pods of a node that is going away are deleted at once. */
static void force_delete_pod(kube_cluster *c, const json_t *pod)
{
	static const int64_t zero = 0;
	struct kube_op_opts o = { .grace_period = &zero, .precondition_uid = kube__meta_str(pod, "uid") };

	kube__op_delete(c, kind("v1", "Pod"), kube__meta_str(pod, "namespace"),
			kube__meta_str(pod, "name"), &o, log_write, c);
}

void kube__agent_remove(struct node_agent *a, node_done_cb done, void *data)
{
	struct remove_ctx *r = malloc(sizeof(*r));
	kube_cluster *c = a->c;
	char *name = strdup(a->name);
	json_t *pods = json_array(), *p;
	struct kube_op_opts o = { 0 };
	void **ws;
	size_t n, i;

	if (!r || !name) {
		free(r);
		free(name);
		json_decref(pods);
		done(KUBE_ENOMEM, NULL, data);
		return;
	}
	n = strmap_values(&a->pods, &ws);
	for (i = 0; i < n; i++)
		json_array_append(pods, ((struct pod_worker *)ws[i])->pod);
	free(ws);
	kube__agent_free(a);
	json_array_foreach(pods, i, p)
		force_delete_pod(c, p);
	json_decref(pods);
	*r = (struct remove_ctx){ .done = done, .data = data };
	kube__op_delete(c, kind("v1", "Node"), NULL, name, &o, node_deleted, r);
	free(name);
}
