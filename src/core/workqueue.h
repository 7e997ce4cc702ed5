/*
 * A controller work queue, as client-go's: keys are deduplicated while
 * queued, processed one at a time on the loop, and a key whose processing
 * failed is retried after an exponential backoff (5 ms doubling to 1000 s,
 * upstream's default controller rate limiter), reset on success.
 */
#ifndef KUBE_CORE_WORKQUEUE_H
#define KUBE_CORE_WORKQUEUE_H

#include <uv.h>

struct kube_workqueue;

/* Process @p key; return 0 when done, non-zero to retry it later. */
typedef int (*kube_work_fn)(const char *key, void *data);

/* A queue on @p loop calling @p fn; NULL on allocation failure. */
struct kube_workqueue *kube__wq_new(uv_loop_t *loop, kube_work_fn fn, void *data);

/* Queue @p key (copied) unless it is already queued. */
void kube__wq_add(struct kube_workqueue *q, const char *key);

/* Number of keys waiting (not counting those waiting for a retry). */
unsigned kube__wq_len(const struct kube_workqueue *q);

/* Drop everything and free the queue once its handles have closed. */
void kube__wq_free(struct kube_workqueue *q);

#endif
