/*
 * The ReplicaSet / ReplicationController controller's internals, shared by
 * replicaset.c (watches, sync, status) and replicaset_manage.c (creating and
 * deleting pods, slow start, which pods go first).
 */
#ifndef KUBE_CORE_CONTROLLERS_REPLICASET_INTERNAL_H
#define KUBE_CORE_CONTROLLERS_REPLICASET_INTERNAL_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"
#include "core/workqueue.h"
#include "core/controllers/controller_expectations.h"
#include "core/controllers/controller_index.h"

/* Upstream's BurstReplicas: at most this many creations or deletions per sync. */
#define RS_BURST_REPLICAS 500

/* Upstream's SlowStartInitialBatchSize. */
#define RS_SLOW_START_INITIAL 1

struct rs_batch;

/* One controller instance: ReplicaSets or ReplicationControllers. */
struct rs_ctrl {
	kube_cluster *c;                   /* the cluster */
	const struct kube_kind *kind;      /* ReplicaSet or ReplicationController */
	const struct kube_kind *pod_kind;  /* v1 Pod */
	const char *component;             /* event source: replicaset-controller, ... */
	bool map_selector;                 /* RC: spec.selector is a plain label map */
	struct store_watch *rs_watch;      /* owners */
	struct store_watch *pod_watch;     /* pods */
	struct kube_workqueue *queue;      /* owner keys to sync */
	struct kube_owner_index pods;      /* pods by controller uid, orphans by namespace */
	struct kube_expectations exp;      /* creations/deletions not yet observed */
	struct kube_delay_set delay;       /* minReadySeconds requeues */
	json_t *errors;                    /* {owner key: message} of failures seen after the sync */
	struct rs_batch *batches;          /* slow-start creations in flight */
	struct kube_ticket_set tickets;    /* deletions in flight */
};

/* The owner's selector as a parsed selector (RC maps wrapped), or NULL. */
struct kube_labelsel *kube__rs_selector(const struct rs_ctrl *r, const json_t *rs);

/*
 * Create or delete pods so that @p pods (the owner's active pods, an array
 * of pod objects) reaches spec.replicas, at most RS_BURST_REPLICAS at a
 * time, creations in slow-start batches. @p key is the owner's store key.
 * Returns NULL, or the error message (malloc'd) of a failure known before
 * returning; later failures land in r->errors and requeue the key.
 */
char *kube__rs_manage(struct rs_ctrl *r, const char *key, const json_t *rs, const json_t *pods);

/* Stop following the slow-start batches in flight (controller stopping). */
void kube__rs_batches_abandon(struct rs_ctrl *r);

/*
 * Sort @p pods (array of pod objects) in place so that the ones to delete
 * first come first (upstream's ActivePodsWithRanks). @p related: the active
 * pods of the owner and its siblings, for the "doubled up" rank.
 */
void kube__rs_rank_pods(json_t *pods, const json_t *related, int64_t now_ms);

#endif
