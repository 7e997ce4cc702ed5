/*
 * The scheduler controller: feeds the scheduler module (src/sched) from
 * store watches on nodes, pods, namespaces and PodDisruptionBudgets, and
 * carries out its decisions as kube-scheduler does: binds (pods/binding's
 * path, kube__bind_pod), PodScheduled=False with FailedScheduling events,
 * preemption (victims get DisruptionTarget, an event and are deleted; the
 * preemptor gets status.nominatedNodeName).
 *
 * One scheduler runs per profile of kube_config.scheduler_config, each
 * fed every object and deciding for the pods naming it (schedulerName);
 * events name the profile's scheduler as their component.
 *
 * Decisions are made in batches of BATCH per loop turn from a uv_idle
 * handle, so the loop keeps serving calls between batches while the binds
 * of one batch commit together (group commit).
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/events.h"
#include "core/ops.h"
#include "core/ops_bind.h"
#include "sched/sched.h"

#define BATCH 256

enum feed { FEED_NODE, FEED_NAMESPACE, FEED_PDB, FEED_PV, FEED_PVC, FEED_POD, FEED_COUNT };

struct schedctl;

/* One KubeSchedulerConfiguration profile: a scheduler of its own name. */
struct profile {
	struct schedctl *sc;
	struct sched *s;                        /* the module, fed from the watches */
	char *name;                             /* schedulerName, the events' component */
};

struct schedctl {
	kube_cluster *c;
	struct profile *prof;                   /* one per profile, all fed the same */
	int nprof;
	const struct kube_kind *pod_kind;
	struct store_watch *watch[FEED_COUNT];  /* one per fed kind */
	uv_idle_t idle;                         /* runs batches while pods wait */
	bool idle_on;                           /* idle is started */
	bool stopped;                           /* stop was called: callbacks only unref */
	int refs;                               /* controller + idle handle + writes in flight */
};

/* One bind in flight. */
struct bind_op {
	struct profile *pr;
	char *ns, *name, *node;
};

static void unref(struct schedctl *sc)
{
	if (--sc->refs)
		return;
	for (int i = 0; i < sc->nprof; i++) {
		sched_free(sc->prof[i].s);
		free(sc->prof[i].name);
	}
	free(sc->prof);
	free(sc);
}

static bool any_active(const struct schedctl *sc)
{
	for (int i = 0; i < sc->nprof; i++)
		if (sched_queue_active(sc->prof[i].s))
			return true;
	return false;
}

static void on_idle(uv_idle_t *h);

/* Run batches on the next turns while the active queue holds pods. */
static void kick(struct schedctl *sc)
{
	if (sc->idle_on || sc->stopped || !any_active(sc))
		return;
	sc->idle_on = true;
	uv_idle_start(&sc->idle, on_idle);
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;  /* the next event settles it */
}

static void bound(int err, const json_t *obj, const json_t *st, void *data)
{
	struct bind_op *op = data;
	struct profile *pr = op->pr;
	struct schedctl *sc = pr->sc;

	if (sc->stopped)
		goto out;
	if (err) {
		kube__log(sc->c, "scheduler: binding %s/%s to %s failed: %s", op->ns, op->name,
			  op->node, json_string_value(json_object_get(st, "message")) ?: "");
		sched_bind_failed(pr->s, op->ns, op->name);
		kick(sc);
		goto out;
	}
	kube__event(sc->c, obj, pr->name, NULL, "Normal", "Scheduled",
		    "Successfully assigned %s/%s to %s", op->ns, op->name, op->node);
out:
	free(op->ns);
	free(op->name);
	free(op->node);
	free(op);
	unref(sc);
}

static void bind_decision(struct profile *pr, const struct sched_decision *d)
{
	struct bind_op *op = malloc(sizeof(*op));

	if (!op) {
		sched_bind_failed(pr->s, d->ns, d->name);
		return;
	}
	*op = (struct bind_op){ pr, strdup(d->ns), strdup(d->name), strdup(d->node) };
	pr->sc->refs++;
	kube__bind_pod(pr->sc->c, d->ns, d->name, d->node, NULL, NULL, bound, op);
}

/* PodScheduled=False Unschedulable, nominatedNodeName, FailedScheduling. */
static void unschedulable(struct profile *pr, const struct sched_decision *d,
			  const char *nominate)
{
	struct schedctl *sc = pr->sc;
	const json_t *cur = kube__op_get(sc->c, sc->pod_kind, d->ns, d->name, NULL);
	struct kube_op_opts o = { .status = true };
	json_t *pod, *st;
	bool changed;

	if (!cur)
		return;
	pod = json_deep_copy(cur);
	changed = kube__pod_set_condition(pod, "PodScheduled", "False", "Unschedulable",
					  d->message, kube__now_ms(sc->c));
	st = json_object_get(pod, "status");
	if (nominate && strcmp(json_string_value(json_object_get(st, "nominatedNodeName")) ?: "",
			       nominate)) {
		json_object_set_new(st, "nominatedNodeName", json_string(nominate));
		changed = true;
	} else if (!nominate && json_object_get(st, "nominatedNodeName")) {
		json_object_del(st, "nominatedNodeName");
		changed = true;
	}
	kube__event(sc->c, cur, pr->name, NULL, "Warning", "FailedScheduling", "%s",
		    d->message ? d->message : "");
	if (changed)
		kube__op_update(sc->c, sc->pod_kind, d->ns, pod, &o, write_done, NULL);
	else
		json_decref(pod);
}

/* Upstream's preemption of one victim: DisruptionTarget, event, delete. */
static void evict_victim(struct profile *pr, const struct sched_victim *v, const char *uid,
			 const char *node)
{
	struct schedctl *sc = pr->sc;
	char msg[300];
	const json_t *cur = kube__op_get(sc->c, sc->pod_kind, v->ns, v->name, NULL);
	struct kube_op_opts o = { .status = true };
	json_t *pod;

	if (!cur)
		return;
	pod = json_deep_copy(cur);
	snprintf(msg, sizeof(msg), "%s: preempting to accommodate a higher priority pod", pr->name);
	if (kube__pod_set_condition(pod, "DisruptionTarget", "True", "PreemptionByScheduler",
				    msg, kube__now_ms(sc->c)))
		kube__op_update(sc->c, sc->pod_kind, v->ns, json_incref(pod), &o, write_done, NULL);
	kube__event(sc->c, pod, pr->name, NULL, "Normal", "Preempted",
		    "Preempted by pod %s on node %s", uid, node);
	json_decref(pod);
	kube__op_delete(sc->c, sc->pod_kind, v->ns, v->name, NULL, write_done, NULL);
}

static void preempt(struct profile *pr, const struct sched_decision *d)
{
	struct schedctl *sc = pr->sc;
	const json_t *pod = kube__op_get(sc->c, sc->pod_kind, d->ns, d->name, NULL);
	char *uid = strdup(pod ? kube__meta_str(pod, "uid") ?: "" : "");

	for (int i = 0; i < d->nvictims && uid; i++)
		evict_victim(pr, &d->victims[i], uid, d->node);
	free(uid);
	unschedulable(pr, d, d->node);
}

static void decide(void *ud, const struct sched_decision *d)
{
	struct profile *pr = ud;

	switch (d->kind) {
	case SCHED_BIND:
		bind_decision(pr, d);
		break;
	case SCHED_UNSCHEDULABLE:
		unschedulable(pr, d, NULL);
		break;
	case SCHED_PREEMPT:
		preempt(pr, d);
		break;
	}
}

static void on_idle(uv_idle_t *h)
{
	struct schedctl *sc = h->data;

	for (int i = 0; i < sc->nprof && !sc->stopped; i++)
		sched_run(sc->prof[i].s, BATCH, decide, &sc->prof[i]);
	if (sc->stopped || !any_active(sc)) {
		uv_idle_stop(&sc->idle);
		sc->idle_on = false;
	}
}

/* ---- feeds ------------------------------------------------------------ */

static void feed_one(struct sched *s, enum feed f, bool gone, const json_t *obj,
		     const char *ns, const char *name)
{
	switch (f) {
	case FEED_NODE:
		gone ? sched_node_remove(s, name) : sched_node_upsert(s, obj);
		break;
	case FEED_NAMESPACE:
		gone ? sched_namespace_remove(s, name) : sched_namespace_upsert(s, obj);
		break;
	case FEED_PDB:
		gone ? sched_pdb_remove(s, ns, name) : sched_pdb_upsert(s, obj);
		break;
	case FEED_PV:
		gone ? sched_pv_remove(s, name) : sched_pv_upsert(s, obj);
		break;
	case FEED_PVC:
		gone ? sched_pvc_remove(s, ns, name) : sched_pvc_upsert(s, obj);
		break;
	case FEED_POD:
		gone ? sched_pod_remove(s, ns, name) : sched_pod_upsert(s, obj);
		break;
	default:
		break;
	}
}

/* Every profile sees every object (each keeps its own cache). */
static void feed(struct schedctl *sc, enum feed f, bool gone, const json_t *obj)
{
	const char *ns = kube__meta_str(obj, "namespace"), *name = kube__meta_str(obj, "name");

	if (!name)
		return;
	for (int i = 0; i < sc->nprof; i++)
		feed_one(sc->prof[i].s, f, gone, obj, ns, name);
}

#define FEED_CB(fn, f)                                                                   \
	static void fn(enum store_event type, int64_t rev, const char *key, const json_t *obj, \
		       const json_t *prev, void *data)                                         \
	{                                                                                  \
		(void)rev, (void)key, (void)prev;                                          \
		feed(data, f, type == STORE_DELETED, obj);                                 \
		kick(data);                                                                \
	}

FEED_CB(on_node, FEED_NODE)
FEED_CB(on_namespace, FEED_NAMESPACE)
FEED_CB(on_pdb, FEED_PDB)
FEED_CB(on_pv, FEED_PV)
FEED_CB(on_pvc, FEED_PVC)
FEED_CB(on_pod, FEED_POD)

struct scan {
	struct schedctl *sc;
	enum feed f;
};

static int scan_one(const char *key, const json_t *obj, void *data)
{
	struct scan *s = data;

	(void)key;
	feed(s->sc, s->f, false, obj);
	return 0;
}

static const struct {
	const char *av, *kind;
	store_watch_cb cb;
} feeds[FEED_COUNT] = {
	[FEED_NODE] = { "v1", "Node", on_node },
	[FEED_NAMESPACE] = { "v1", "Namespace", on_namespace },
	[FEED_PDB] = { "policy/v1", "PodDisruptionBudget", on_pdb },
	[FEED_PV] = { "v1", "PersistentVolume", on_pv },
	[FEED_PVC] = { "v1", "PersistentVolumeClaim", on_pvc },
	[FEED_POD] = { "v1", "Pod", on_pod },
};

/* List then watch each kind, in the order of feeds[] (pods last). */
static int feeds_start(struct schedctl *sc)
{
	int64_t rev = store_revision(sc->c->store);

	for (int f = 0; f < FEED_COUNT; f++) {
		char *prefix = kube__key_prefix(kube__registry_by_gvk(feeds[f].av, feeds[f].kind), NULL);
		struct scan s = { sc, f };
		int err;

		if (!prefix)
			return KUBE_ENOMEM;
		store_list(sc->c->store, prefix, scan_one, &s);
		err = store_watch(sc->c->store, prefix, rev, feeds[f].cb, sc, &sc->watch[f]);
		free(prefix);
		if (err)
			return err;
	}
	return 0;
}

static void idle_closed(uv_handle_t *h)
{
	unref(h->data);
}

static void sched_ctl_stop(void *state)
{
	struct schedctl *sc = state;

	sc->stopped = true;
	for (int f = 0; f < FEED_COUNT; f++)
		if (sc->watch[f])
			store_watch_cancel(sc->watch[f]);
	uv_close((uv_handle_t *)&sc->idle, idle_closed);
	unref(sc);
}

/* One scheduler per profile of kube_config.scheduler_config (checked by
 * kube_cluster_new), or the default one. */
static int profiles_new(struct schedctl *sc, const char *text)
{
	struct sched_config cfg;
	json_t *doc = NULL;
	char err[512];
	int n = text ? sched_config_parse(text, &doc, err, sizeof(err)) : 1;

	if (n < 0)
		return n;
	if (!(sc->prof = calloc((size_t)n, sizeof(*sc->prof))))
		goto free_doc;
	for (sc->nprof = 0; sc->nprof < n; sc->nprof++) {
		struct profile *pr = &sc->prof[sc->nprof];
		sched_config_default(&cfg);
		if (doc && sched_config_from_json(doc, sc->nprof, &cfg, err, sizeof(err)))
			goto free_doc;
		pr->sc = sc;
		if (!(pr->s = sched_new(&cfg)) || !(pr->name = strdup(cfg.scheduler_name)))
			goto free_doc;
	}
	json_decref(doc);
	return 0;
free_doc:
	if (sc->prof && sc->nprof < n)
		sc->nprof++;          /* unref frees the partly made profile too */
	json_decref(doc);
	return KUBE_ENOMEM;
}

static int sched_ctl_start(kube_cluster *c, void **state)
{
	struct schedctl *sc = calloc(1, sizeof(*sc));
	int err;

	if (!sc)
		return KUBE_ENOMEM;
	sc->c = c;
	sc->refs = 1;
	sc->pod_kind = kube__registry_by_gvk("v1", "Pod");
	if ((err = profiles_new(sc, c->cfg.scheduler_config))) {
		unref(sc);
		return err;
	}
	sc->refs = 2;   /* the controller and its idle handle */
	uv_idle_init(c->loop, &sc->idle);
	sc->idle.data = sc;
	err = feeds_start(sc);
	if (err) {
		sched_ctl_stop(sc);
		return err;
	}
	*state = sc;
	kick(sc);
	return 0;
}

const struct kube_controller_ops kube__scheduler_controller = {
	.name = "scheduler",
	.start = sched_ctl_start,
	.stop = sched_ctl_stop,
};
