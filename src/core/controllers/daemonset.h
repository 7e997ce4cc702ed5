/*
 * The DaemonSet controller's internals, shared by its files:
 *   daemonset.c        watch, work queue, history and the sync
 *   daemonset_manage.c one pod per eligible node (manage) and the status
 *   daemonset_node.c   which nodes run a daemon pod (nodeSelector, required
 *                      node affinity, taints and tolerations) and the pod template
 *   daemonset_update.c the RollingUpdate strategy (update.go)
 * See docs/internals/sets.md.
 */
#ifndef KUBE_CORE_CONTROLLERS_DAEMONSET_H
#define KUBE_CORE_CONTROLLERS_DAEMONSET_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/clock.h"
#include "core/ops.h"

#define DS_COMPONENT "daemonset-controller"
#define DS_GENERATION_LABEL "pod-template-generation"
#define DS_GENERATION_ANNOTATION "deprecated.daemonset.template.generation"

struct ds_timer;

/* The controller. */
struct dsc {
	kube_cluster *c; /* the cluster */
	const struct kube_kind *ds_kind, *pod_kind, *rev_kind, *node_kind; /* registry entries used */
	struct store_watch *watch;                                         /* DaemonSets, pods, revisions, nodes */
	struct kube_workqueue *queue; /* DaemonSet keys to sync */
	struct ds_timer *timers;    /* delayed resyncs, one per DaemonSet */
	json_t *backoff;            /* failed-pod backoff {"ns/ds/node": {"delay", "at"}} (ms) */
	const char *syncing;        /* the key being synced, or NULL */
	bool sync_failed;           /* a write of this sync failed at once: retry with backoff */
	unsigned writes;            /* writes whose callbacks have not run yet */
	bool stopped;               /* stopped: freed once writes reaches 0 */
};

/* One sync of one DaemonSet. */
struct ds_sync {
	struct dsc *d;              /* the controller */
	const char *key;            /* "ns/name" */
	json_t *ds;                 /* the stored DaemonSet (a reference) */
	char hash[32];              /* the current revision's hash */
	json_t *nodes;              /* every Node (references) */
	json_t *node_pods;          /* {node name: [daemon pods]} */
	int64_t resync_ms;          /* > 0: sync again after this */
};

/* ---- daemonset_node.c ---- */

/*
 * NodeShouldRunDaemonPod: *should_run when a new daemon pod may be placed on
 * @p node; *should_continue when an existing one may stay (it tolerates the
 * node's NoExecute taints).
 */
void kube__ds_node_should_run(const json_t *ds, const json_t *node, bool *should_run,
			      bool *should_continue);

/* The node a daemon pod is for: spec.nodeName, else its matchFields
 * metadata.name node affinity (GetTargetNodeName); NULL if neither. */
const char *kube__ds_target_node(const json_t *pod);

/* A new pod for @p node from the DaemonSet's template: the automatic
 * tolerations, the hash and generation labels, and node affinity to the node. */
json_t *kube__ds_new_pod(const json_t *ds, const char *node, const char *hash);

/* IsPodUpdated: the pod carries the current hash (or template generation). */
bool kube__ds_pod_updated(const json_t *ds, const json_t *pod, const char *hash);

/* ---- daemonset_update.c ---- */

/* Pick old pods to delete and nodes to surge onto for a rolling update, then
 * apply them with kube__ds_sync_nodes. */
void kube__ds_rolling_update(struct ds_sync *y);

/* maxSurge and maxUnavailable scaled to @p desired (rounding up, at least
 * one unavailable when both are zero). */
void kube__ds_update_bounds(const json_t *ds, int64_t desired, int64_t *surge,
			    int64_t *unavailable);

/* ---- daemonset_manage.c ---- */

/* manage: one pod on every node that should run one, none elsewhere;
 * failed pods deleted (with backoff). */
void kube__ds_manage(struct ds_sync *y);

/* Compute and (when changed) write the status. */
void kube__ds_status(struct ds_sync *y);

/* Pods by creation (bound first, then oldest, then by name): a new array. */
json_t *kube__ds_sorted(const json_t *pods);

/* ---- daemonset.c ---- */

/* Delete the named pods (an array of pod objects) and create a pod on each
 * of the named nodes (an array of strings), recording events. */
void kube__ds_sync_nodes(struct ds_sync *y, const json_t *del, const json_t *create);

/* Available at the cluster's now for the DaemonSet's minReadySeconds; asks
 * for a resync when the pod will become available later. */
bool kube__ds_available(struct ds_sync *y, const json_t *pod);

/* True when the Node named @p name should run the DaemonSet's pod. */
bool kube__ds_should_run_on(struct ds_sync *y, const char *name);

#endif
