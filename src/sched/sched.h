/*
 * The scheduler: upstream kube-scheduler's default profile as a module the
 * cluster feeds with Node, Pod, Namespace and PodDisruptionBudget JSON and
 * asks for decisions. It never writes to the store: the caller binds, sets
 * conditions, nominatedNodeName and events, deletes victims, and tells the
 * scheduler what happened by feeding the changed objects back.
 *
 * Threading: a struct sched is owned by one thread (the cluster loop); no
 * call locks. Design note: docs/internals/scheduler.md.
 */
#ifndef KUBE_SCHED_SCHED_H
#define KUBE_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct sched;

/* Scoring strategy of NodeResourcesFit. */
enum sched_strategy {
	SCHED_LEAST_ALLOCATED = 0, /* upstream default */
	SCHED_MOST_ALLOCATED = 1,
};

/*
 * VolumeBinding as a hook: called for a pod that mounts PVCs, once per node
 * the filter reaches. Returns NULL when the claims can be used on @p node,
 * or one of upstream's reason strings, e.g. "node(s) had volume node
 * affinity conflict" or "node(s) didn't find available persistent volumes
 * to bind". The string must outlive the sched_run call (use literals).
 */
typedef const char *(*sched_volume_fn)(void *ud, const char *ns,
				       const char *const *claims, int nclaims,
				       const char *node);

/* Score plugin weights; a zero weight turns the plugin's score off. */
struct sched_weights {
	int taint_toleration;     /* 3 */
	int node_affinity;        /* 2 */
	int resources_fit;        /* 1 */
	int pod_topology_spread;  /* 2 */
	int inter_pod_affinity;   /* 2 */
	int balanced_allocation;  /* 1 */
	int image_locality;       /* 1 */
};

/* Configuration; sched_config_default() fills upstream's defaults. */
struct sched_config {
	const char *scheduler_name;     /* pods naming another scheduler are left alone */
	int percentage_of_nodes_to_score; /* 0: adaptive (50 - nodes/125, >= 5%, >= 100 nodes) */
	struct sched_weights weights;     /* score plugin weights */
	enum sched_strategy strategy;   /* NodeResourcesFit scoring strategy */
	int cpu_weight, memory_weight;  /* resource weights of the fit strategy (1, 1) */
	int hard_pod_affinity_weight;   /* existing pods' required affinity in scoring (1) */
	bool default_spreading;         /* system default topology spread (on) */
	uint64_t seed;                  /* tie-breaking random seed (0: fixed default) */
	sched_volume_fn volume_filter;  /* NULL: PVCs are not checked */
	void *volume_ud;                /* handed to volume_filter */
};

/* Fill @p cfg with upstream's defaults (default-scheduler, default plugin
 * weights, LeastAllocated, default spreading); every hook NULL. */
void sched_config_default(struct sched_config *cfg);

/*
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) text, YAML or
 * JSON, as kube_config.scheduler_config carries it. sched_config_parse
 * checks every profile and returns their number (1 without profiles) with
 * the document in *doc (caller decrefs), or KUBE_EINVAL with a message in
 * @p err, KUBE_ENOMEM. sched_config_from_json fills a defaulted @p cfg from
 * profile @p i; its strings point into @p doc. Read: percentageOfNodesToScore
 * (global and per profile), schedulerName, plugins.score / multiPoint
 * enabled (weights) and disabled, pluginConfig args of NodeResourcesFit
 * (scoringStrategy type and cpu/memory weights), InterPodAffinity
 * (hardPodAffinityWeight), PodTopologySpread (defaultingType List).
 */
int sched_config_parse(const char *text, json_t **doc, char *err, size_t len);
int sched_config_from_json(const json_t *doc, int i, struct sched_config *cfg, char *err,
			   size_t len);

/* A new scheduler; @p cfg NULL means defaults (copied, strings too). NULL when
 * out of memory. Free with sched_free. */
struct sched *sched_new(const struct sched_config *cfg);
void sched_free(struct sched *s);

/*
 * Cluster state feeds. Each takes the object as the API server stores it
 * (the scheduler keeps what it needs; the caller keeps ownership of the
 * JSON). They return 0, KUBE_EINVAL for an object without a name (or with an
 * unparsable quantity), KUBE_ENOMEM.
 *
 * sched_node_upsert: add or replace a node. A change that can make a pod fit
 * (added node, labels, taints, allocatable, cordon, images) moves the
 * unschedulable pods back to the active queue.
 */
int sched_node_upsert(struct sched *s, const json_t *node);
/* Remove a node; its pods stay accounted until they are removed. */
int sched_node_remove(struct sched *s, const char *name);

/*
 * sched_pod_upsert: a pod with spec.nodeName is accounted on that node (this
 * confirms a bind decision, or reports a pod bound by someone else); a
 * pending pod whose spec.schedulerName is this scheduler's (or empty) is
 * queued (or requeued with its new spec); any other pending pod is ignored.
 * Pods in phase Succeeded or Failed count as removed.
 */
int sched_pod_upsert(struct sched *s, const json_t *pod);
/* Forget a pod (deleted); frees its node's resources and retries the
 * unschedulable pods. KUBE_ENOTFOUND if unknown. */
int sched_pod_remove(struct sched *s, const char *ns, const char *name);

/* Namespaces, for namespaceSelector in pod (anti-)affinity terms. */
int sched_namespace_upsert(struct sched *s, const json_t *ns);
int sched_namespace_remove(struct sched *s, const char *name);

/* PodDisruptionBudgets (policy/v1), read: spec.selector and
 * status.disruptionsAllowed. Preemption avoids violating them if it can. */
int sched_pdb_upsert(struct sched *s, const json_t *pdb);
int sched_pdb_remove(struct sched *s, const char *ns, const char *name);

/*
 * PersistentVolumes and PersistentVolumeClaims, for the built-in
 * VolumeBinding (used when cfg.volume_filter is NULL): a pod whose claim is
 * missing is rejected with `persistentvolumeclaim "x" not found`; a claim
 * bound (spec.volumeName) to a PV with spec.nodeAffinity restricts the pod
 * to the nodes it selects; an unbound claim does not restrict placement.
 * Each upsert retries the parked pods that mount claims.
 */
int sched_pv_upsert(struct sched *s, const json_t *pv);
int sched_pv_remove(struct sched *s, const char *name);
int sched_pvc_upsert(struct sched *s, const json_t *pvc);
int sched_pvc_remove(struct sched *s, const char *ns, const char *name);

/* What the scheduler decided for one pod. */
enum sched_decision_kind {
	SCHED_BIND = 1,          /* bind pod to node */
	SCHED_UNSCHEDULABLE = 2, /* PodScheduled=False reason Unschedulable, message */
	SCHED_PREEMPT = 3,       /* delete victims, set status.nominatedNodeName = node */
};

/* One pod to evict. */
struct sched_victim {
	char *ns; /* namespace */
	char *name; /* pod name */
};

struct sched_decision {
	enum sched_decision_kind kind; /* what was decided */
	char *ns, *name;        /* the pod */
	char *node;             /* BIND: the node; PREEMPT: the nominated node */
	char *message;          /* UNSCHEDULABLE / PREEMPT: upstream's FitError text */
	int nvictims;           /* PREEMPT: victims, lowest-priority evictions that make it fit */
	struct sched_victim *victims; /* nvictims of them */
};

/* Free what a decision owns and zero it. */
void sched_decision_clear(struct sched_decision *d);

/*
 * Schedule the highest-priority pod of the active queue. Returns 1 with *out
 * filled (the caller clears it), 0 when the active queue is empty, or
 * KUBE_ENOMEM. A BIND decision assumes the pod on the node at once, so the
 * next decision sees it; confirm with sched_pod_upsert (spec.nodeName set)
 * or undo with sched_bind_failed. UNSCHEDULABLE and PREEMPT park the pod
 * until a relevant change (node added or changed, pod deleted, or for pods
 * with required pod affinity, a pod bound).
 */
int sched_schedule_next(struct sched *s, struct sched_decision *out);

/* Called by sched_run for each decision; the decision is cleared after. */
typedef void (*sched_decision_cb)(void *ud, const struct sched_decision *d);

/* Up to @p budget decisions (budget <= 0: until the queue is empty).
 * Returns the number made, or KUBE_ENOMEM. */
int sched_run(struct sched *s, int budget, sched_decision_cb cb, void *ud);

/* The bind of an assumed pod failed: drop the assumption and requeue it. */
int sched_bind_failed(struct sched *s, const char *ns, const char *name);

/* Introspection for the cluster and tests. */
int sched_queue_active(const struct sched *s);        /* pods waiting to be tried */
int sched_queue_unschedulable(const struct sched *s); /* pods parked until a change */
int sched_node_count(const struct sched *s);          /* nodes the scheduler knows */
/* The node name a pod is bound or assumed to, or NULL. */
const char *sched_pod_node(const struct sched *s, const char *ns, const char *name);

#endif
