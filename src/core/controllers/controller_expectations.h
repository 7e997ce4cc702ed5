/*
 * Controller expectations, as upstream's UIDTrackingControllerExpectations:
 * after a controller issues creations and deletions for an owner, it does
 * not act for that owner again until its watch has seen them all (or five
 * minutes have passed), so a sync never double-creates from a stale index.
 * Deletions are tracked by the pod key, so a pod seen going away twice (a
 * deletionTimestamp, then the delete) counts once.
 */
#ifndef KUBE_CORE_CONTROLLERS_CONTROLLER_EXPECTATIONS_H
#define KUBE_CORE_CONTROLLERS_CONTROLLER_EXPECTATIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

/* Upstream's ExpectationsTimeout. */
#define KUBE_EXPECTATIONS_TIMEOUT_MS (5 * 60 * 1000)

/* Expectations of one controller: {owner key: {add, dels: {pod key: true}, at}}. */
struct kube_expectations {
	json_t *by_owner;  /* owned */
};

/* Returns 0 or KUBE_ENOMEM. */
int kube__exp_init(struct kube_expectations *e);
void kube__exp_free(struct kube_expectations *e);

/*
 * True when the controller may act for @p owner: nothing expected, all of
 * it observed, or the expectations older than the timeout at @p now_ms.
 */
bool kube__exp_satisfied(struct kube_expectations *e, const char *owner, int64_t now_ms);

/* Expect @p n creations for @p owner (replacing what was expected). */
void kube__exp_expect_creations(struct kube_expectations *e, const char *owner, int n,
				int64_t now_ms);

/* Expect the deletion of each key of @p pod_keys (an array of strings, borrowed). */
void kube__exp_expect_deletions(struct kube_expectations *e, const char *owner,
				const json_t *pod_keys, int64_t now_ms);

/* One creation for @p owner was observed (or will never happen). */
void kube__exp_creation_observed(struct kube_expectations *e, const char *owner);

/* The deletion of @p pod_key was observed (or will never happen). */
void kube__exp_deletion_observed(struct kube_expectations *e, const char *owner,
				 const char *pod_key);

/* Forget @p owner (it is gone). */
void kube__exp_delete(struct kube_expectations *e, const char *owner);

#endif
