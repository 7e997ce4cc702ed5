/*
 * Node lifecycle, as upstream's pkg/controller/nodelifecycle (1.32):
 *
 * - every nodeMonitorPeriod (5 s) each node's health signal is checked: a
 *   renewed Lease in kube-node-lease or a new Ready lastHeartbeatTime.
 *   Without one for nodeMonitorGracePeriod (50 s; 60 s for a node that never
 *   posted Ready) its Ready, MemoryPressure, DiskPressure and PIDPressure
 *   conditions turn Unknown ("Kubelet stopped posting node status.");
 * - a node turning not Ready gets a NodeNotReady event and its pods'
 *   Ready condition set False (MarkPodsNotReady);
 * - NoExecute taints node.kubernetes.io/not-ready (Ready False) and
 *   node.kubernetes.io/unreachable (Ready Unknown) are added through a
 *   per-zone rate limiter (0.1 nodes/s; stopped when every zone is fully
 *   disrupted, "master disruption mode"), removed when Ready again; the
 *   taint-eviction controller then evicts the pods (tainteviction.c);
 * - NoSchedule taints mirror the conditions (not-ready, unreachable,
 *   memory-/disk-/pid-pressure, network-unavailable) and spec.unschedulable
 *   (node.kubernetes.io/unschedulable), on every node change.
 *
 * All timing is the cluster clock (clock.h), so tests use the manual clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/cluster_internal.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/jsonutil.h"
#include "core/ops.h"
#include "core/ops_bind.h"
#include "core/workqueue.h"

#define MONITOR_PERIOD_MS 5000
#define GRACE_MS 50000
#define STARTUP_GRACE_MS 60000
#define TAINT_PASS_MS 100           /* scheduler.NodeEvictionPeriod */
#define EVICTION_QPS 0.1
#define SECONDARY_EVICTION_QPS 0.01
#define LARGE_CLUSTER 50
#define UNHEALTHY_ZONE 0.55
#define COMPONENT "node-controller"

#define TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"

struct nlc {
	kube_cluster *c;
	const struct kube_kind *node_kind, *pod_kind, *lease_kind;
	struct store_watch *node_watch, *pod_watch;
	struct kube_workqueue *queue;   /* node names for the NoSchedule pass */
	struct kube_timer monitor;      /* the health pass, every MONITOR_PERIOD_MS */
	struct kube_timer tainter;      /* the NoExecute pass while queues are non-empty */
	json_t *health;  /* {node: {"probe": ms, "hb": heartbeat, "lease": renewTime, "uid"}} */
	json_t *zones;   /* {zone: {"state", "qps", "tokens", "at", "queue": [node]}} */
};

static const char *cond_status(const json_t *cond)
{
	return cond ? kube__jstr(cond, "status") : NULL;
}

static bool str_is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* nodetopology.GetZoneKey: region and zone labels ("" for neither). */
static void zone_key(const json_t *node, char *buf, size_t len)
{
	const json_t *l = kube__jget(node, "metadata.labels");
	/* label keys hold dots: looked up whole, never as paths */
	const char *region =
		json_string_value(json_object_get(l, "topology.kubernetes.io/region")) ?:
		json_string_value(json_object_get(l, "failure-domain.beta.kubernetes.io/region"));
	const char *zone =
		json_string_value(json_object_get(l, "topology.kubernetes.io/zone")) ?:
		json_string_value(json_object_get(l, "failure-domain.beta.kubernetes.io/zone"));

	if (!region && !zone)
		buf[0] = 0;
	else
		snprintf(buf, len, "%s:%s", region ? region : "", zone ? zone : "");
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;  /* the next pass retries */
}

/* ---- taints ----------------------------------------------------------- */

static bool has_taint(const json_t *node, const char *key, const char *effect)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, t)
		if (str_is(kube__jstr(t, "key"), key) && str_is(kube__jstr(t, "effect"), effect))
			return true;
	return false;
}

/*
 * SwapNodeControllerTaint: add @p add (key:effect, may be NULL) with
 * timeAdded now and drop the taints in @p del (key/effect pairs), on a copy
 * of the stored node, written when anything changed.
 */
static void swap_taints(struct nlc *n, const char *name, const json_t *add, const json_t *del)
{
	const json_t *cur = kube__op_get(n->c, n->node_kind, NULL, name, NULL);
	json_t *node, *spec, *taints, *t, *d;
	bool changed = false;
	size_t i, j;
	char ts[32];

	if (!cur)
		return;
	node = json_deep_copy(cur);
	spec = json_object_get(node, "spec");
	taints = json_object_get(spec, "taints");
	for (i = 0; i < json_array_size(taints);) {
		bool drop = false;

		t = json_array_get(taints, i);
		json_array_foreach(del, j, d)
			drop |= str_is(kube__jstr(t, "key"), kube__jstr(d, "key")) &&
				str_is(kube__jstr(t, "effect"), kube__jstr(d, "effect"));
		if (drop) {
			json_array_remove(taints, i);
			changed = true;
		} else {
			i++;
		}
	}
	json_array_foreach(add, j, d) {
		if (has_taint(node, kube__jstr(d, "key"), kube__jstr(d, "effect")))
			continue;
		if (!json_is_array(taints)) {
			taints = json_array();
			json_object_set_new(spec, "taints", taints);
		}
		json_array_append_new(taints, json_pack("{s:s, s:s, s:s}", "key", kube__jstr(d, "key"),
			"effect", kube__jstr(d, "effect"), "timeAdded",
			kube__rfc3339(kube__now_ms(n->c), ts, sizeof(ts))));
		changed = true;
	}
	if (json_is_array(taints) && !json_array_size(taints))
		json_object_del(spec, "taints");
	if (changed)
		kube__op_update(n->c, n->node_kind, NULL, node, NULL, write_done, NULL);
	else
		json_decref(node);
}

/* The NoSchedule taints a node's conditions and cordon call for. */
static json_t *wanted_noschedule(const json_t *node)
{
	static const struct { const char *type, *status, *key; } map[] = {
		{ "Ready", "False", TAINT_NOT_READY },
		{ "Ready", "Unknown", TAINT_UNREACHABLE },
		{ "MemoryPressure", "True", "node.kubernetes.io/memory-pressure" },
		{ "DiskPressure", "True", "node.kubernetes.io/disk-pressure" },
		{ "NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable" },
		{ "PIDPressure", "True", "node.kubernetes.io/pid-pressure" },
	};
	json_t *want = json_array();

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (str_is(cond_status(kube__condition(node, map[i].type)), map[i].status))
			json_array_append_new(want, json_pack("{s:s, s:s}", "key", map[i].key,
							      "effect", "NoSchedule"));
	if (json_is_true(json_object_get(json_object_get(node, "spec"), "unschedulable")))
		json_array_append_new(want, json_pack("{s:s, s:s}", "key",
			"node.kubernetes.io/unschedulable", "effect", "NoSchedule"));
	return want;
}

static bool managed_noschedule_key(const char *key)
{
	static const char *const keys[] = {
		TAINT_NOT_READY, TAINT_UNREACHABLE, "node.kubernetes.io/memory-pressure",
		"node.kubernetes.io/disk-pressure", "node.kubernetes.io/network-unavailable",
		"node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable", NULL,
	};

	for (int i = 0; keys[i]; i++)
		if (str_is(key, keys[i]))
			return true;
	return false;
}

/* doNoScheduleTaintingPass for one node. */
static int noschedule_pass(const char *name, void *data)
{
	struct nlc *n = data;
	const json_t *node = kube__op_get(n->c, n->node_kind, NULL, name, NULL);
	json_t *want, *del = json_array(), *t;
	size_t i;

	if (!node) {
		json_decref(del);
		return 0;
	}
	want = wanted_noschedule(node);
	json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, t) {
		bool wanted = false;
		size_t j;
		json_t *w;

		if (!str_is(kube__jstr(t, "effect"), "NoSchedule") || !managed_noschedule_key(kube__jstr(t, "key")))
			continue;
		json_array_foreach(want, j, w)
			wanted |= str_is(kube__jstr(w, "key"), kube__jstr(t, "key"));
		if (!wanted)
			json_array_append(del, t);
	}
	swap_taints(n, name, want, del);
	json_decref(want);
	json_decref(del);
	return 0;
}

/* ---- NoExecute tainting, rate-limited per zone ------------------------ */

static json_t *zone_get(struct nlc *n, const char *zone)
{
	json_t *z = json_object_get(n->zones, zone);

	if (!z) {
		z = json_pack("{s:s, s:f, s:f, s:I, s:[]}", "state", "Initial", "qps", EVICTION_QPS,
			      "tokens", 1.0, "at", (json_int_t)kube__now_ms(n->c), "queue");
		json_object_set_new(n->zones, zone, z);
	}
	return z;
}

static void queue_remove(json_t *z, const char *name)
{
	json_t *q = json_object_get(z, "queue"), *v;
	size_t i;

	json_array_foreach(q, i, v) {
		if (str_is(json_string_value(v), name)) {
			json_array_remove(q, i);
			return;
		}
	}
}

/* A token bucket of burst 1 (flowcontrol.NewTokenBucketRateLimiter). */
static bool zone_take_token(struct nlc *n, json_t *z)
{
	double qps = json_real_value(json_object_get(z, "qps"));
	double tokens = json_real_value(json_object_get(z, "tokens"));
	int64_t now = kube__now_ms(n->c), at = json_integer_value(json_object_get(z, "at"));

	tokens += qps * (double)(now - at) / 1000.0;
	if (tokens > 1.0)
		tokens = 1.0;
	json_object_set_new(z, "at", json_integer(now));
	if (qps <= 0 || tokens < 1.0) {
		json_object_set_new(z, "tokens", json_real(qps > 0 ? tokens : 0));
		return false;
	}
	json_object_set_new(z, "tokens", json_real(tokens - 1.0));
	return true;
}

static json_t *taint_ref(const char *key)
{
	return json_pack("[{s:s, s:s}]", "key", key, "effect", "NoExecute");
}

/* Swap @p add in and @p del out (NoExecute keys). */
static void swap_noexecute(struct nlc *n, const char *name, const char *add, const char *del)
{
	json_t *a = add ? taint_ref(add) : json_array(), *d = taint_ref(del);

	swap_taints(n, name, a, d);
	json_decref(a);
	json_decref(d);
}

/* markNodeAsReachable: drop both NoExecute taints and any queued tainting. */
static void mark_reachable(struct nlc *n, const json_t *node)
{
	const char *name = kube__meta_str(node, "name");
	char zone[256];
	json_t *both;

	zone_key(node, zone, sizeof(zone));
	queue_remove(zone_get(n, zone), name);
	if (!has_taint(node, TAINT_UNREACHABLE, "NoExecute") &&
	    !has_taint(node, TAINT_NOT_READY, "NoExecute"))
		return;
	both = json_pack("[{s:s, s:s}, {s:s, s:s}]", "key", TAINT_UNREACHABLE, "effect", "NoExecute",
			 "key", TAINT_NOT_READY, "effect", "NoExecute");
	swap_taints(n, name, NULL, both);
	json_decref(both);
}

static void tainter_fire(struct kube_timer *t, void *data);

static void tainter_arm(struct nlc *n)
{
	const char *zone;
	json_t *z;

	if (n->tainter.armed)
		return;
	json_object_foreach(n->zones, zone, z) {
		if (json_array_size(json_object_get(z, "queue"))) {
			kube__timer_start(n->c, &n->tainter, TAINT_PASS_MS, tainter_fire, n);
			return;
		}
	}
}

/* doNoExecuteTaintingPass for one queued node; false to keep it queued. */
static bool taint_one(struct nlc *n, const char *name)
{
	const json_t *node = kube__op_get(n->c, n->node_kind, NULL, name, NULL);
	const char *ready = node ? cond_status(kube__condition(node, "Ready")) : NULL;

	if (!node)
		return true;
	if (!ready)
		return false;
	if (str_is(ready, "False"))
		swap_noexecute(n, name, TAINT_NOT_READY, TAINT_UNREACHABLE);
	else if (str_is(ready, "Unknown"))
		swap_noexecute(n, name, TAINT_UNREACHABLE, TAINT_NOT_READY);
	return true;
}

static void tainter_fire(struct kube_timer *t, void *data)
{
	struct nlc *n = data;
	const char *zone;
	json_t *z;

	(void)t;
	json_object_foreach(n->zones, zone, z) {
		json_t *q = json_object_get(z, "queue");

		while (json_array_size(q) && zone_take_token(n, z)) {
			char *name = strdup(json_string_value(json_array_get(q, 0)));

			json_array_remove(q, 0);
			if (name && !taint_one(n, name))
				json_array_append_new(q, json_string(name));
			free(name);
		}
	}
	tainter_arm(n);
}

/* markNodeForTainting: queue the node in its zone unless it is tainted already. */
static void mark_for_tainting(struct nlc *n, const json_t *node, const char *taint)
{
	const char *name = kube__meta_str(node, "name");
	char zone[256];
	json_t *z;

	zone_key(node, zone, sizeof(zone));
	z = zone_get(n, zone);
	if (has_taint(node, taint, "NoExecute"))
		return;
	queue_remove(z, name);
	json_array_append_new(json_object_get(z, "queue"), json_string(name));
}

/* processTaintBaseEviction, on the Ready status observed before this pass. */
static void taint_based_eviction(struct nlc *n, const json_t *node, const char *observed)
{
	const char *name = kube__meta_str(node, "name");

	if (str_is(observed, "False")) {
		if (has_taint(node, TAINT_UNREACHABLE, "NoExecute"))
			swap_noexecute(n, name, TAINT_NOT_READY, TAINT_UNREACHABLE);
		else
			mark_for_tainting(n, node, TAINT_NOT_READY);
	} else if (str_is(observed, "Unknown")) {
		if (has_taint(node, TAINT_NOT_READY, "NoExecute"))
			swap_noexecute(n, name, TAINT_UNREACHABLE, TAINT_NOT_READY);
		else
			mark_for_tainting(n, node, TAINT_UNREACHABLE);
	} else if (str_is(observed, "True")) {
		mark_reachable(n, node);
	}
}


/* ---- pods on a node that is not Ready --------------------------------- */

/* MarkPodsNotReady for one pod: Ready=False, event NodeNotReady. */
static void mark_pod_not_ready(struct nlc *n, const json_t *pod)
{
	struct kube_op_opts o = { .status = true };
	json_t *copy;

	if (!kube__condition(pod, "Ready"))
		return;
	copy = json_deep_copy(pod);
	if (!kube__pod_set_condition(copy, "Ready", "False",
				     kube__jstr(kube__condition(pod, "Ready"), "reason"),
				     kube__jstr(kube__condition(pod, "Ready"), "message"), kube__now_ms(n->c))) {
		json_decref(copy);
		return;
	}
	kube__op_update(n->c, n->pod_kind, kube__meta_str(pod, "namespace"), copy, &o, write_done,
			NULL);
	kube__event(n->c, pod, COMPONENT, NULL, "Warning", "NodeNotReady", "Node is not ready");
}

struct on_node {
	struct nlc *n;
	const char *node;
};

static int mark_if_on_node(const char *key, const json_t *pod, void *data)
{
	struct on_node *o = data;

	(void)key;
	if (str_is(kube__jstr(pod, "spec.nodeName"), o->node))
		mark_pod_not_ready(o->n, pod);
	return 0;
}

static void mark_pods_not_ready(struct nlc *n, const char *node)
{
	struct on_node o = { n, node };
	char *prefix = kube__key_prefix(n->pod_kind, NULL);

	if (prefix)
		store_list(n->c->store, prefix, mark_if_on_node, &o);
	free(prefix);
}

/* ---- health ----------------------------------------------------------- */

static const char *lease_renew(struct nlc *n, const char *node)
{
	const json_t *l = kube__op_get(n->c, n->lease_kind, "kube-node-lease", node, NULL);

	return l ? kube__jstr(l, "spec.renewTime") : NULL;
}

/* Conditions to Unknown, as tryUpdateNodeHealth does past the grace period. */
static void conditions_unknown(struct nlc *n, json_t *node)
{
	static const char *const types[] = { "Ready", "MemoryPressure", "DiskPressure",
					     "PIDPressure", NULL };
	json_t *st = json_object_get(node, "status"), *conds;
	char ts[32];

	kube__rfc3339(kube__now_ms(n->c), ts, sizeof(ts));
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(node, "status", st);
	}
	conds = json_object_get(st, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(st, "conditions", conds);
	}
	for (int i = 0; types[i]; i++) {
		json_t *cond = (json_t *)kube__condition(node, types[i]);

		if (!cond) {
			json_array_append_new(conds, json_pack("{s:s, s:s, s:s, s:s, s:O?, s:s}",
				"type", types[i], "status", "Unknown", "reason", "NodeStatusNeverUpdated",
				"message", "Kubelet never posted node status.", "lastHeartbeatTime",
				json_object_get(json_object_get(node, "metadata"), "creationTimestamp"),
				"lastTransitionTime", ts));
		} else if (!str_is(kube__jstr(cond, "status"), "Unknown")) {
			json_object_set_new(cond, "status", json_string("Unknown"));
			json_object_set_new(cond, "reason", json_string("NodeStatusUnknown"));
			json_object_set_new(cond, "message",
					    json_string("Kubelet stopped posting node status."));
			json_object_set_new(cond, "lastTransitionTime", json_string(ts));
		}
	}
}

/* The health record of a node, refreshed from its heartbeat and Lease. */
static json_t *observe(struct nlc *n, const json_t *node, const json_t *ready)
{
	const char *name = kube__meta_str(node, "name");
	json_t *h = json_object_get(n->health, name);
	const char *hb = ready ? kube__jstr(ready, "lastHeartbeatTime") : NULL;
	const char *renew = lease_renew(n, name);
	int64_t now = kube__now_ms(n->c);

	if (!h) {
		int64_t created = kube__parse_rfc3339(kube__meta_str(node, "creationTimestamp"));

		h = json_pack("{s:I, s:b}", "probe", (json_int_t)(ready || created < 0 ? now : created),
			      "ready", ready != NULL);
		json_object_set_new(n->health, name, h);
	} else if ((ready && !json_is_true(json_object_get(h, "ready"))) ||
		   (ready && hb && !str_is(hb, kube__jstr(h, "hb")))) {
		json_object_set_new(h, "probe", json_integer(now));
	}
	json_object_set_new(h, "ready", json_boolean(ready != NULL));
	if (hb)
		json_object_set_new(h, "hb", json_string(hb));
	if (renew && !str_is(renew, kube__jstr(h, "lease"))) {
		json_object_set_new(h, "lease", json_string(renew));
		json_object_set_new(h, "probe", json_integer(now));
	}
	return h;
}

/*
 * tryUpdateNodeHealth: *observed gets the Ready status before this pass
 * ("Unknown" when never posted); returns the Ready status now (NULL when
 * the node has no Ready condition).
 */
static const char *update_health(struct nlc *n, const json_t *node, const char **observed)
{
	const json_t *ready = kube__condition(node, "Ready");
	json_t *h = observe(n, node, ready), *copy;
	int64_t grace = ready ? GRACE_MS : STARTUP_GRACE_MS;
	struct kube_op_opts o = { .status = true };
	const json_t *after;

	*observed = ready ? kube__jstr(ready, "status") : "Unknown";
	if (kube__now_ms(n->c) <= json_integer_value(json_object_get(h, "probe")) + grace)
		return ready ? kube__jstr(ready, "status") : NULL;
	copy = json_deep_copy(node);
	conditions_unknown(n, copy);
	if (json_equal(copy, node)) {
		json_decref(copy);
		return ready ? kube__jstr(ready, "status") : NULL;
	}
	kube__op_update(n->c, n->node_kind, NULL, copy, &o, write_done, NULL);
	/* the store holds the new state at once; the heartbeat is unchanged */
	after = kube__op_get(n->c, n->node_kind, NULL, kube__meta_str(node, "name"), NULL);
	return cond_status(kube__condition(after, "Ready"));
}

/* ---- zones and disruption --------------------------------------------- */

/* ComputeZoneState over the Ready statuses of one zone ({"ready", "notready"}). */
static const char *zone_state(const json_t *counts)
{
	json_int_t ready = json_integer_value(json_object_get(counts, "ready"));
	json_int_t notready = json_integer_value(json_object_get(counts, "notready"));

	if (!ready && notready)
		return "FullDisruption";
	if (notready > 2 && (double)notready / (double)(notready + ready) >= UNHEALTHY_ZONE)
		return "PartialDisruption";
	return "Normal";
}

static void set_limiter(json_t *z, const char *state, json_int_t size)
{
	double qps = EVICTION_QPS;

	if (str_is(state, "PartialDisruption"))
		qps = size > LARGE_CLUSTER ? SECONDARY_EVICTION_QPS : 0;
	json_object_set_new(z, "qps", json_real(qps));
}

static int reachable_one(const char *key, const json_t *node, void *data)
{
	(void)key;
	mark_reachable(data, node);
	return 0;
}

/* handleDisruption: @p counts {zone: {"ready", "notready"}} of this pass. */
static void handle_disruption(struct nlc *n, const json_t *counts)
{
	bool all_full = json_object_size(counts) > 0, all_were_full = true;
	const char *zone;
	json_t *c, *z;
	void *tmp;

	json_object_foreach((json_t *)counts, zone, c)
		all_full &= str_is(zone_state(c), "FullDisruption");
	json_object_foreach_safe(n->zones, tmp, zone, z) {
		if (!json_object_get(counts, zone)) {
			json_object_del(n->zones, zone);
			continue;
		}
		all_were_full &= str_is(kube__jstr(z, "state"), "FullDisruption");
	}
	if (all_full && all_were_full)
		return;
	if (all_full) {
		char *prefix = kube__key_prefix(n->node_kind, NULL);

		kube__log(n->c, "node-controller: all nodes are not-Ready, entering master disruption mode");
		store_list(n->c->store, prefix, reachable_one, n);
		free(prefix);
		json_object_foreach(n->zones, zone, z) {
			json_object_set_new(z, "qps", json_real(0));
			json_object_set_new(z, "state", json_string("FullDisruption"));
		}
		return;
	}
	if (all_were_full && json_object_size(n->zones)) {
		json_t *h;
		const char *name;

		/* exiting disruption mode: every node gets a fresh grace period */
		json_object_foreach(n->health, name, h)
			json_object_set_new(h, "probe", json_integer(kube__now_ms(n->c)));
	}
	json_object_foreach(n->zones, zone, z) {
		const char *state = zone_state(json_object_get(counts, zone));

		if (str_is(state, kube__jstr(z, "state")))
			continue;
		set_limiter(z, state, json_integer_value(json_object_get(json_object_get(counts, zone),
									"ready")) +
				      json_integer_value(json_object_get(json_object_get(counts, zone),
									"notready")));
		json_object_set_new(z, "state", json_string(state));
	}
}

/* ---- the monitor pass ------------------------------------------------- */

struct pass {
	struct nlc *n;
	json_t *counts;   /* {zone: {"ready", "notready"}} */
	json_t *seen;     /* {node: true} */
};

static void count_zone(struct pass *p, const json_t *node, const char *ready)
{
	const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
	json_t *c;
	char zone[256];

	if (json_object_get(labels, "node.kubernetes.io/exclude-disruption"))
		return;
	zone_key(node, zone, sizeof(zone));
	zone_get(p->n, zone);
	c = json_object_get(p->counts, zone);
	if (!c) {
		c = json_pack("{s:i, s:i}", "ready", 0, "notready", 0);
		json_object_set_new(p->counts, zone, c);
	}
	c = json_object_get(c, "ready");
	if (str_is(ready, "True"))
		json_integer_set(c, json_integer_value(c) + 1);
	else {
		c = json_object_get(json_object_get(p->counts, zone), "notready");
		json_integer_set(c, json_integer_value(c) + 1);
	}
}

static int monitor_one(const char *key, const json_t *node, void *data)
{
	struct pass *p = data;
	struct nlc *n = p->n;
	const char *name = kube__meta_str(node, "name"), *observed, *current;
	json_t *snapshot;

	(void)key;
	if (!json_object_get(n->health, name))
		kube__event(n->c, node, COMPONENT, NULL, "Normal", "RegisteredNode",
			    "Node %s event: Registered Node %s in Controller", name, name);
	json_object_set_new(p->seen, name, json_true());
	/* the pass may rewrite the stored node: work on a snapshot */
	snapshot = json_deep_copy(node);
	current = update_health(n, snapshot, &observed);
	count_zone(p, snapshot, current);
	if (current) {
		const json_t *now = kube__op_get(n->c, n->node_kind, NULL, name, NULL);

		taint_based_eviction(n, now ? now : snapshot, observed);
		if (!str_is(current, "True") && str_is(observed, "True")) {
			kube__event(n->c, snapshot, COMPONENT, NULL, "Normal", "NodeNotReady",
				    "Node %s status is now: NodeNotReady", name);
			mark_pods_not_ready(n, name);
		}
	}
	json_decref(snapshot);
	return 0;
}

static void forget_deleted(struct nlc *n, const json_t *seen)
{
	const char *name;
	json_t *h;
	void *tmp;

	json_object_foreach_safe(n->health, tmp, name, h) {
		if (json_object_get(seen, name))
			continue;
		kube__log(n->c, "node-controller: removing node %s", name);
		json_object_del(n->health, name);
	}
}

static void monitor_fire(struct kube_timer *t, void *data)
{
	struct nlc *n = data;
	struct pass p = { n, json_object(), json_object() };
	char *prefix = kube__key_prefix(n->node_kind, NULL);

	(void)t;
	store_list(n->c->store, prefix, monitor_one, &p);
	free(prefix);
	forget_deleted(n, p.seen);
	handle_disruption(n, p.counts);
	json_decref(p.counts);
	json_decref(p.seen);
	tainter_fire(&n->tainter, n);
	kube__timer_start(n->c, &n->monitor, MONITOR_PERIOD_MS, monitor_fire, n);
}

/* ---- watches ---------------------------------------------------------- */

static void on_node(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		    const json_t *prev, void *data)
{
	struct nlc *n = data;

	(void)rev, (void)key, (void)prev;
	if (type != STORE_DELETED)
		kube__wq_add(n->queue, kube__meta_str(obj, "name"));
}

/* podUpdated: a pod newly bound to a node that is not Ready is marked not Ready. */
static void on_pod(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		   const json_t *prev, void *data)
{
	struct nlc *n = data;
	const char *node = kube__jstr(obj, "spec.nodeName");
	const json_t *no;

	(void)rev, (void)key;
	if (type == STORE_DELETED || !node || !*node ||
	    (prev && str_is(kube__jstr(prev, "spec.nodeName"), node)))
		return;
	no = kube__op_get(n->c, n->node_kind, NULL, node, NULL);
	if (no && json_object_get(n->health, node) &&
	    !str_is(cond_status(kube__condition(no, "Ready")), "True"))
		mark_pod_not_ready(n, obj);
}

static int queue_node(const char *key, const json_t *node, void *data)
{
	struct nlc *n = data;

	(void)key;
	kube__wq_add(n->queue, kube__meta_str(node, "name"));
	return 0;
}

static void nlc_stop(void *state)
{
	struct nlc *n = state;

	if (n->node_watch)
		store_watch_cancel(n->node_watch);
	if (n->pod_watch)
		store_watch_cancel(n->pod_watch);
	kube__timer_release(&n->monitor);
	kube__timer_release(&n->tainter);
	if (n->queue)
		kube__wq_free(n->queue);
	json_decref(n->health);
	json_decref(n->zones);
	free(n);
}

static int nlc_start(kube_cluster *c, void **state)
{
	struct nlc *n = calloc(1, sizeof(*n));
	char *nodes = NULL, *pods = NULL;
	int err = KUBE_ENOMEM;

	if (!n)
		return KUBE_ENOMEM;
	n->c = c;
	n->node_kind = kube__registry_by_gvk("v1", "Node");
	n->pod_kind = kube__registry_by_gvk("v1", "Pod");
	n->lease_kind = kube__registry_by_gvk("coordination.k8s.io/v1", "Lease");
	n->health = json_object();
	n->zones = json_object();
	n->queue = kube__wq_new(c->loop, noschedule_pass, n);
	nodes = kube__key_prefix(n->node_kind, NULL);
	pods = kube__key_prefix(n->pod_kind, NULL);
	if (n->queue && nodes && pods)
		err = store_watch(c->store, nodes, store_revision(c->store), on_node, n, &n->node_watch);
	if (!err)
		err = store_watch(c->store, pods, store_revision(c->store), on_pod, n, &n->pod_watch);
	if (!err)
		store_list(c->store, nodes, queue_node, n);
	free(nodes);
	free(pods);
	if (err) {
		nlc_stop(n);
		return err;
	}
	/* the first pass registers the nodes already stored */
	kube__timer_start(c, &n->monitor, 0, monitor_fire, n);
	*state = n;
	return 0;
}

const struct kube_controller_ops kube__nodelifecycle_controller = {
	.name = "node-lifecycle",
	.start = nlc_start,
	.stop = nlc_stop,
};
