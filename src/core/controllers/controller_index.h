/*
 * Indexes and delayed requeues the workload controllers share, standing in
 * for client-go's informer indexers and workqueue.AddAfter:
 *
 * - an owner index: objects of one resource by the uid of their controller
 *   (the ownerReference with controller: true), plus the objects with no
 *   controller per namespace (candidates for adoption). Kept from the
 *   store's event stream, so a sync reads only its own objects instead of
 *   listing the namespace (no O(n^2) rescans at 1000 pods);
 * - a delayed requeue: add a key to a work queue after some cluster time
 *   (minReadySeconds, progressDeadlineSeconds), on the cluster clock.
 */
#ifndef KUBE_CORE_CONTROLLERS_CONTROLLER_INDEX_H
#define KUBE_CORE_CONTROLLERS_CONTROLLER_INDEX_H

#include <jansson.h>
#include "core/clock.h"
#include "core/ops.h"
#include "core/workqueue.h"

/* Objects by controller uid; all fields owned. */
struct kube_owner_index {
	json_t *by_owner;  /* {controller uid: {store key: true}} */
	json_t *orphans;   /* {namespace: {store key: true}} for objects without a controller */
};

/* Initialise @p idx empty. Returns 0 or KUBE_ENOMEM. */
int kube__oidx_init(struct kube_owner_index *idx);

/* Release what @p idx holds. */
void kube__oidx_free(struct kube_owner_index *idx);

/*
 * Record a store event for @p key: @p prev the object before (NULL when
 * added), @p obj the object after (NULL when deleted). Both borrowed.
 */
void kube__oidx_update(struct kube_owner_index *idx, const char *key, const json_t *obj,
		       const json_t *prev);

/* The keys controlled by @p uid ({key: true}, borrowed), or NULL. */
const json_t *kube__oidx_owned(const struct kube_owner_index *idx, const char *uid);

/* The keys without a controller in namespace @p ns ({key: true}, borrowed), or NULL. */
const json_t *kube__oidx_orphans(const struct kube_owner_index *idx, const char *ns);

/* Keys waiting to be added to a queue; see kube__delay_add(). */
struct kube_delay_set {
	kube_cluster *c;               /* whose clock times the delays */
	struct kube_workqueue *queue;  /* where due keys go */
	struct kube_delayed *head;     /* pending requeues, unordered */
};

/* Prepare @p s to requeue into @p q. */
void kube__delay_init(struct kube_delay_set *s, kube_cluster *c, struct kube_workqueue *q);

/*
 * Add @p key (copied) to the queue after @p delay_ms of cluster time. A key
 * already waiting to be added no later than that is left as it is. On
 * allocation failure the key is added at once instead (never lost).
 */
void kube__delay_add(struct kube_delay_set *s, const char *key, int64_t delay_ms);

/* Cancel every pending requeue and free them. */
void kube__delay_clear(struct kube_delay_set *s);

/*
 * Write tickets: a controller's writes answer after it may have stopped
 * (the store flushes on close, after the controllers stop), so each write's
 * callback goes through a ticket that the controller abandons on stop.
 */
struct kube_ticket;

struct kube_ticket_set {
	struct kube_ticket *head;  /* writes not yet answered */
};

/*
 * A ticket for one write: pass kube__ticket_cb and the returned pointer to
 * kube__op_*(). @p cb gets @p data while the set lives; once abandoned,
 * @p free_data (may be NULL) releases @p data instead. NULL on allocation
 * failure (then @p data was freed with @p free_data and no write may be issued).
 */
struct kube_ticket *kube__ticket(struct kube_ticket_set *s, kube_op_cb cb, void *data,
				 void (*free_data)(void *));

/* The callback to give kube__op_*() with a ticket. */
void kube__ticket_cb(int err, const json_t *obj, const json_t *st, void *ticket);

/* Detach every ticket: their writes answer into nothing. */
void kube__tickets_abandon(struct kube_ticket_set *s);

#endif
