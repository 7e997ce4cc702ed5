/*
 * PodDisruptionBudget status, as upstream's pkg/controller/disruption:
 * expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed,
 * disruptedPods, observedGeneration and the DisruptionAllowed condition
 * (SufficientPods / InsufficientPods, SyncFailed on error). minAvailable as
 * a number counts the matching pods; minAvailable as a percentage and
 * maxUnavailable scale against the pods' controllers (ReplicaSet,
 * Deployment, ReplicationController, StatefulSet). The eviction API
 * (pods/eviction) reads disruptionsAllowed; the scheduler's preemption too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/cluster_internal.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/jsonutil.h"
#include "core/ops.h"
#include "core/selector.h"
#include "core/workqueue.h"

#define COMPONENT "controllermanager"
#define DELETION_TIMEOUT_MS (2 * 60 * 1000)

struct dc {
	kube_cluster *c;
	const struct kube_kind *pdb_kind, *pod_kind;
	struct store_watch *pdb_watch, *pod_watch;
	struct kube_workqueue *queue;   /* PDB store keys */
	struct kube_timer recheck;      /* the earliest disruptedPods expiry */
	json_t *due;                    /* {pdb key: true} waiting for the recheck */
};

static bool selects(const json_t *pdb, const json_t *pod)
{
	const json_t *sel = json_object_get(json_object_get(pdb, "spec"), "selector");
	struct kube_labelsel *ls;
	char err[128];
	bool hit;

	if (!json_is_object(sel))
		return false;   /* a nil selector selects nothing */
	ls = kube__labelsel_from_json(sel, err, sizeof(err));
	hit = ls && kube__labelsel_match(ls, json_object_get(json_object_get(pod, "metadata"), "labels"));
	kube__labelsel_free(ls);
	return hit;
}

/* ---- expected pods ---------------------------------------------------- */

static json_int_t replicas_of(const json_t *obj)
{
	const json_t *r = json_object_get(json_object_get(obj, "spec"), "replicas");

	return json_is_integer(r) ? json_integer_value(r) : 1;
}

/* The object @p ref points at in @p ns, if it is that very object. */
static const json_t *resolve(struct dc *d, const json_t *ref, const char *av, const char *kind,
			     const char *ns)
{
	const struct kube_kind *k = kube__registry_by_gvk(av, kind);
	const json_t *obj;

	if (!k || strcmp(kube__jstr(ref, "kind") ?: "", kind))
		return NULL;
	obj = kube__op_get(d->c, k, ns, kube__jstr(ref, "name"), NULL);
	return obj && !strcmp(kube__meta_str(obj, "uid") ?: "", kube__jstr(ref, "uid") ?: "") ? obj : NULL;
}

/* The finders, in upstream's order: the scaling controller of @p ref, or NULL. */
static const json_t *find_controller(struct dc *d, const json_t *ref, const char *ns)
{
	const json_t *rs = resolve(d, ref, "apps/v1", "ReplicaSet", ns), *owner;

	if (rs) {
		owner = kube__controller_ref(rs);
		if (!owner || strcmp(kube__jstr(owner, "kind") ?: "", "Deployment"))
			return rs;
		return resolve(d, owner, "apps/v1", "Deployment", ns);
	}
	return resolve(d, ref, "v1", "ReplicationController", ns) ?:
	       resolve(d, ref, "apps/v1", "StatefulSet", ns);
}

/* getExpectedScale; 0 or an error message in @p err. */
static int expected_scale(struct dc *d, const json_t *pods, const char *ns, json_int_t *out,
			  char *err, size_t len)
{
	json_t *seen = json_object(), *counted = json_object(), *pod;
	size_t i;

	*out = 0;
	json_array_foreach(pods, i, pod) {
		const json_t *ref = kube__controller_ref(pod), *ctl;

		if (!ref) {
			snprintf(err, len, "found no controller ref for pod \"%s\"", kube__meta_str(pod, "name"));
			goto fail;
		}
		if (json_object_get(seen, kube__jstr(ref, "uid") ?: ""))
			continue;
		ctl = find_controller(d, ref, ns);
		if (!ctl) {
			snprintf(err, len, "found no controllers for pod \"%s\"", kube__meta_str(pod, "name"));
			goto fail;
		}
		json_object_set_new(seen, kube__jstr(ref, "uid") ?: "", json_true());
		/* a controller counts once, however many of its ReplicaSets own pods */
		if (!json_object_get(counted, kube__meta_str(ctl, "uid"))) {
			json_object_set_new(counted, kube__meta_str(ctl, "uid"), json_true());
			*out += replicas_of(ctl);
		}
	}
	json_decref(seen);
	json_decref(counted);
	return 0;
fail:
	json_decref(seen);
	json_decref(counted);
	return -1;
}

/* intstr.GetScaledValueFromIntOrPercent with roundUp. */
static json_int_t scaled(const json_t *v, json_int_t total)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	return (json_int_t)ceil(atof(json_string_value(v) ?: "0") * (double)total / 100.0);
}

/* getExpectedPodCount; 0 or -1 with @p err. */
static int expected_count(struct dc *d, const json_t *pdb, const json_t *pods,
			  json_int_t *expected, json_int_t *desired, char *err, size_t len)
{
	const json_t *spec = json_object_get(pdb, "spec");
	const json_t *maxu = json_object_get(spec, "maxUnavailable");
	const json_t *mina = json_object_get(spec, "minAvailable");
	const char *ns = kube__meta_str(pdb, "namespace");

	*expected = *desired = 0;
	if (maxu && !json_is_null(maxu)) {
		if (expected_scale(d, pods, ns, expected, err, len))
			return -1;
		*desired = *expected - scaled(maxu, *expected);
		if (*desired < 0)
			*desired = 0;
	} else if (json_is_integer(mina)) {
		*desired = json_integer_value(mina);
		*expected = (json_int_t)json_array_size(pods);
	} else if (json_is_string(mina)) {
		if (expected_scale(d, pods, ns, expected, err, len))
			return -1;
		*desired = scaled(mina, *expected);
	}
	return 0;
}

/* ---- status ----------------------------------------------------------- */

/* apimeta.SetStatusCondition for DisruptionAllowed. */
static void set_condition(struct dc *d, json_t *status, const json_t *old_status, bool allowed,
			  const char *reason, const char *message)
{
	const json_t *old = NULL, *c;
	size_t i;
	char ts[32];
	json_t *cond;

	json_array_foreach(json_object_get(old_status, "conditions"), i, c)
		if (!strcmp(kube__jstr(c, "type") ?: "", "DisruptionAllowed"))
			old = c;
	cond = json_pack("{s:s, s:s, s:O?, s:s, s:s}", "type", "DisruptionAllowed", "status",
			 allowed ? "True" : "False", "observedGeneration",
			 json_object_get(status, "observedGeneration"), "reason", reason,
			 "message", message);
	if (old && !strcmp(kube__jstr(old, "status") ?: "", allowed ? "True" : "False"))
		json_object_set(cond, "lastTransitionTime", json_object_get(old, "lastTransitionTime"));
	else
		json_object_set_new(cond, "lastTransitionTime",
				    json_string(kube__rfc3339(kube__now_ms(d->c), ts, sizeof(ts))));
	json_object_set_new(status, "conditions", json_pack("[o]", cond));
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

static void write_status(struct dc *d, const json_t *pdb, json_t *status)
{
	struct kube_op_opts o = { .status = true };
	json_t *copy;

	if (json_equal(status, json_object_get(pdb, "status"))) {
		json_decref(status);
		return;
	}
	copy = json_deep_copy(pdb);
	json_object_set_new(copy, "status", status);
	kube__op_update(d->c, d->pdb_kind, kube__meta_str(pdb, "namespace"), copy, &o, write_done, NULL);
}

/* failSafe: no disruptions allowed, condition SyncFailed. */
static void fail_safe(struct dc *d, const json_t *pdb, const char *err)
{
	json_t *status = json_deep_copy(json_object_get(pdb, "status"));

	if (!json_is_object(status)) {
		json_decref(status);
		status = json_object();
	}
	json_object_set_new(status, "disruptionsAllowed", json_integer(0));
	set_condition(d, status, json_object_get(pdb, "status"), false, "SyncFailed", err);
	write_status(d, pdb, status);
}

static void recheck_fire(struct kube_timer *t, void *data)
{
	struct dc *d = data;
	const char *key;
	json_t *v;

	(void)t;
	json_object_foreach(d->due, key, v)
		kube__wq_add(d->queue, key);
	json_object_clear(d->due);
}

/* buildDisruptedPodMap; arms the recheck for the earliest expiry. */
static json_t *disrupted_pods(struct dc *d, const char *key, const json_t *pdb, const json_t *pods)
{
	const json_t *old = json_object_get(json_object_get(pdb, "status"), "disruptedPods");
	int64_t now = kube__now_ms(d->c), next = 0;
	json_t *out = json_object(), *pod;
	size_t i;

	json_array_foreach(pods, i, pod) {
		const char *name = kube__meta_str(pod, "name");
		const json_t *at = json_object_get(old, name);
		int64_t expires;

		if (!at || json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
			continue;
		expires = kube__parse_rfc3339(json_string_value(at)) + DELETION_TIMEOUT_MS;
		if (expires < now) {
			kube__event(d->c, pod, COMPONENT, NULL, "Warning", "NotDeleted",
				    "Pod was expected by PDB %s/%s to be deleted but it wasn't",
				    kube__meta_str(pdb, "namespace"), kube__meta_str(pdb, "name"));
			continue;
		}
		json_object_set(out, name, (json_t *)at);
		if (!next || expires < next)
			next = expires;
	}
	if (next) {
		json_object_set_new(d->due, key, json_true());
		if (!d->recheck.armed || d->recheck.due > next)
			kube__timer_start(d->c, &d->recheck, next - now, recheck_fire, d);
	}
	return out;
}

/* countHealthyPods */
static json_int_t healthy(const json_t *pods, const json_t *disrupted)
{
	json_int_t n = 0;
	json_t *pod;
	size_t i;

	json_array_foreach(pods, i, pod) {
		if (json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") ||
		    json_object_get(disrupted, kube__meta_str(pod, "name")))
			continue;
		n += kube__pod_ready(pod);
	}
	return n;
}

struct gather {
	const json_t *pdb;
	json_t *pods;
};

static int gather_one(const char *key, const json_t *pod, void *data)
{
	struct gather *g = data;

	(void)key;
	if (selects(g->pdb, pod))
		json_array_append(g->pods, (json_t *)pod);
	return 0;
}

static void sync_pdb(struct dc *d, const char *key, const json_t *pdb, const json_t *pods)
{
	json_int_t expected, desired, current, allowed;
	json_t *disrupted, *status;
	char err[512];

	if (!json_array_size(pods))
		kube__event(d->c, pdb, COMPONENT, NULL, "Normal", "NoPods", "No matching pods found");
	if (expected_count(d, pdb, pods, &expected, &desired, err, sizeof(err))) {
		kube__event(d->c, pdb, COMPONENT, NULL, "Warning", "CalculateExpectedPodCountFailed",
			    "Failed to calculate the number of expected pods: %s", err);
		fail_safe(d, pdb, err);
		return;
	}
	disrupted = disrupted_pods(d, key, pdb, pods);
	current = healthy(pods, disrupted);
	allowed = current - desired;
	if (expected <= 0 || allowed <= 0)
		allowed = 0;
	status = json_pack("{s:O?, s:I, s:I, s:I, s:I}", "observedGeneration",
			   json_object_get(json_object_get(pdb, "metadata"), "generation"),
			   "disruptionsAllowed", allowed, "currentHealthy", current,
			   "desiredHealthy", desired, "expectedPods", expected);
	if (json_object_size(disrupted))
		json_object_set(status, "disruptedPods", disrupted);
	json_decref(disrupted);
	set_condition(d, status, json_object_get(pdb, "status"), allowed > 0,
		      allowed > 0 ? "SufficientPods" : "InsufficientPods", "");
	write_status(d, pdb, status);
}

static int reconcile(const char *key, void *data)
{
	struct dc *d = data;
	const json_t *pdb = store_get(d->c->store, key);
	struct gather g = { pdb, json_array() };
	char *prefix;

	if (!pdb) {
		json_decref(g.pods);
		return 0;
	}
	prefix = kube__key_prefix(d->pod_kind, kube__meta_str(pdb, "namespace"));
	store_list(d->c->store, prefix, gather_one, &g);
	free(prefix);
	sync_pdb(d, key, pdb, g.pods);
	json_decref(g.pods);
	return 0;
}

/* ---- watches ---------------------------------------------------------- */

static void on_pdb(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		   const json_t *prev, void *data)
{
	struct dc *d = data;

	(void)rev, (void)obj, (void)prev;
	if (type != STORE_DELETED)
		kube__wq_add(d->queue, key);
}

struct enqueue {
	struct dc *d;
	const json_t *pod;
};

static int enqueue_if_selects(const char *key, const json_t *pdb, void *data)
{
	struct enqueue *e = data;

	if (selects(pdb, e->pod))
		kube__wq_add(e->d->queue, key);
	return 0;
}

static void enqueue_for(struct dc *d, const json_t *pod)
{
	struct enqueue e = { d, pod };
	char *prefix = kube__key_prefix(d->pdb_kind, kube__meta_str(pod, "namespace"));

	if (prefix)
		store_list(d->c->store, prefix, enqueue_if_selects, &e);
	free(prefix);
}

static void on_pod(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		   const json_t *prev, void *data)
{
	struct dc *d = data;

	(void)type, (void)rev, (void)key;
	enqueue_for(d, obj);
	if (prev && !json_equal(json_object_get(json_object_get(prev, "metadata"), "labels"),
				json_object_get(json_object_get(obj, "metadata"), "labels")))
		enqueue_for(d, prev);
}

static int scan_pdb(const char *key, const json_t *pdb, void *data)
{
	(void)pdb;
	kube__wq_add(((struct dc *)data)->queue, key);
	return 0;
}

static void dc_stop(void *state)
{
	struct dc *d = state;

	if (d->pdb_watch)
		store_watch_cancel(d->pdb_watch);
	if (d->pod_watch)
		store_watch_cancel(d->pod_watch);
	kube__timer_release(&d->recheck);
	if (d->queue)
		kube__wq_free(d->queue);
	json_decref(d->due);
	free(d);
}

static int dc_start(kube_cluster *c, void **state)
{
	struct dc *d = calloc(1, sizeof(*d));
	char *pdbs = NULL, *pods = NULL;
	int64_t rev = store_revision(c->store);
	int err = KUBE_ENOMEM;

	if (!d)
		return KUBE_ENOMEM;
	d->c = c;
	d->pdb_kind = kube__registry_by_gvk("policy/v1", "PodDisruptionBudget");
	d->pod_kind = kube__registry_by_gvk("v1", "Pod");
	d->due = json_object();
	d->queue = kube__wq_new(c->loop, reconcile, d);
	pdbs = kube__key_prefix(d->pdb_kind, NULL);
	pods = kube__key_prefix(d->pod_kind, NULL);
	if (d->queue && pdbs && pods) {
		store_list(c->store, pdbs, scan_pdb, d);
		err = store_watch(c->store, pdbs, rev, on_pdb, d, &d->pdb_watch);
	}
	if (!err)
		err = store_watch(c->store, pods, rev, on_pod, d, &d->pod_watch);
	free(pdbs);
	free(pods);
	if (err) {
		dc_stop(d);
		return err;
	}
	*state = d;
	return 0;
}

const struct kube_controller_ops kube__disruption_controller = {
	.name = "disruption",
	.start = dc_start,
	.stop = dc_stop,
};
