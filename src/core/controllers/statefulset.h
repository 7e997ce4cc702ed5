/*
 * The StatefulSet controller's internals, shared by its files:
 *   statefulset.c         watch, work queue, revisions, status (the sync)
 *   statefulset_control.c the replica algorithm (stateful_set_control.go)
 *   statefulset_pod.c     pod identity, storage and claims (stateful_set_utils.go,
 *                         stateful_pod_control.go)
 * See docs/internals/sets.md.
 */
#ifndef KUBE_CORE_CONTROLLERS_STATEFULSET_H
#define KUBE_CORE_CONTROLLERS_STATEFULSET_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/clock.h"
#include "core/ops.h"

#define STS_COMPONENT "statefulset-controller"
#define STS_POD_NAME_LABEL "statefulset.kubernetes.io/pod-name"
#define STS_POD_INDEX_LABEL "apps.kubernetes.io/pod-index"

struct sts_timer;

/* The controller. */
struct stsc {
	kube_cluster *c; /* the cluster */
	const struct kube_kind *set_kind, *pod_kind, *pvc_kind, *rev_kind; /* registry entries used */
	struct store_watch *watch;                                         /* sets, pods, PVCs, revisions */
	struct kube_workqueue *queue; /* set keys to sync */
	struct sts_timer *timers;   /* delayed resyncs (minReadySeconds), one per set */
	const char *syncing;        /* the set key being synced, or NULL */
	unsigned writes;            /* writes whose callbacks have not run yet */
	bool stopped;               /* stopped: freed once writes reaches 0 */
	bool sync_failed;           /* a write of this sync failed at once: retry with backoff */
};

/* One sync of one set: what stateful_set_control.go passes around. */
struct sts_sync {
	struct stsc *s;             /* the controller */
	const char *key;            /* "ns/name" */
	json_t *set;                /* the stored set (a reference) */
	json_t *current_set;        /* copy of set with the current revision's template */
	json_t *update_set;         /* copy of set with the update revision's template */
	const char *current_rev;    /* revision names */
	const char *update_rev;     /* (current and update) */
	int64_t collision;          /* status.collisionCount as used */
	int64_t min_ready;          /* spec.minReadySeconds */
	bool monotonic;             /* OrderedReady */
	int start;                  /* first ordinal (spec.ordinals.start) */
	int count;                  /* spec.replicas */
	json_t **replicas;          /* [count]: stored pods, or placeholders not yet created */
	json_t *condemned;          /* pods beyond the range, by descending ordinal */
	json_t *status;             /* the status being computed */
	int64_t resync_ms;          /* > 0: sync again after this (availability) */
};

/* ---- statefulset_pod.c ---- */

/* The ordinal in a pod name "<parent>-<n>", or -1; *parent_len the parent's length. */
int kube__sts_ordinal(const char *name, size_t *parent_len);

/* True when @p pod's name makes it a member of @p set (isMemberOf). */
bool kube__sts_member(const json_t *set, const json_t *pod);

/* The pod's controller-revision-hash label, or "". */
const char *kube__sts_pod_revision(const json_t *pod);

/* Phase tests (isCreated, isFailed, isSucceeded, isPending, isTerminating). */
bool kube__sts_created(const json_t *pod);
bool kube__sts_phase(const json_t *pod, const char *phase);
bool kube__sts_terminating(const json_t *pod);
bool kube__sts_running_ready(const json_t *pod);
bool kube__sts_available(struct sts_sync *y, const json_t *pod);

/* A new pod of @p set (a set copy carrying the revision's template) at @p ordinal
 * labelled with @p revision (newStatefulSetPod + setPodRevision). */
json_t *kube__sts_new_pod(const json_t *set, int ordinal, const char *revision);

/* Identity and storage match the set (identityMatches && storageMatches). */
bool kube__sts_identity_ok(const json_t *set, const json_t *pod);
bool kube__sts_storage_ok(const json_t *set, const json_t *pod);

/* Create the pod's missing claims, then (when @p create_pod) the pod itself
 * (a copy of @p pod). 0, or non-zero when a claim is being deleted or a write
 * failed at once (the pod is then not created). */
int kube__sts_create_pod(struct sts_sync *y, const json_t *pod, bool create_pod);

/* Bring a stored pod's identity and storage in line and its claims' owner
 * references in line with the retention policy (UpdateStatefulPod). */
void kube__sts_update_pod(struct sts_sync *y, const json_t *pod);

/* Fix the claims' owner references of a pod for the retention policy;
 * returns true when all already matched. */
bool kube__sts_fix_claims(struct sts_sync *y, const json_t *pod);

/* True when one of the pod's claims is being deleted (PodClaimIsStale). */
bool kube__sts_claim_stale(struct sts_sync *y, const json_t *pod);

/* Delete a pod, recording SuccessfulDelete / FailedDelete on completion. */
void kube__sts_delete_pod(struct sts_sync *y, const json_t *pod);

/* ---- statefulset_control.c ---- */

/* The replica algorithm: create, delete and update pods; fills y->status. */
void kube__sts_update_replicas(struct sts_sync *y);

/* Recount status replicas from the replicas and condemned pods. */
void kube__sts_count(struct sts_sync *y);

/* ---- statefulset.c ---- */

/* A write is issued: its callback will run, possibly after the controller
 * stopped (when the store flushes on close). */
void kube__sts_hold(struct stsc *s);

/* A write's callback ran: true when the controller still runs (else the
 * callback must do nothing more; the last one frees the stopped controller). */
bool kube__sts_release(struct stsc *s);

/* Completion of a controller write for set @p key: on an immediate failure
 * during the sync of that set, marks it failed (retry with backoff); a later
 * failure requeues the set. Events are recorded by the caller's context. */
void kube__sts_write_failed(struct stsc *s, const char *key, int err);

#endif
