/*
 * The Job controller's parts (job.c: watch, queue, sync; job_pods.c: pods
 * made, deleted and counted; job_index.c: completion indexes), as upstream's
 * pkg/controller/job. See docs/internals/batch.md.
 */
#ifndef KUBE_CORE_CONTROLLERS_JOB_H
#define KUBE_CORE_CONTROLLERS_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/clock.h"

#define JOB_TRACKING_FINALIZER "batch.kubernetes.io/job-tracking"
#define JOB_INDEX_KEY "batch.kubernetes.io/job-completion-index"
#define JOB_COMPONENT "job-controller"
#define JOB_MAX_PER_SYNC 500        /* MaxPodCreateDeletePerSync */
#define JOB_BACKOFF_MS 10000        /* DefaultJobPodFailureBackOff */
#define JOB_BACKOFF_MAX_MS 600000   /* MaxJobPodFailureBackOff */

struct job_timer;

/* The controller. */
struct jobc {
	kube_cluster *c;               /* the cluster */
	const struct kube_kind *jobs, *pods; /* batch/v1 Job, v1 Pod */
	struct store_watch *watch;     /* Jobs and pods */
	struct kube_workqueue *queue;  /* job store keys, and pod keys of orphans */
	json_t *backoff;               /* {job key: {n: failures since success, at: ms}} */
	struct job_timer *timers;      /* delayed re-syncs, one per job key */
};

/* One sync's view of a Job and its pods (upstream's syncJobCtx). */
struct job_ctx {
	struct jobc *jc;        /* the controller */
	const char *key;        /* the Job's store key */
	json_t *job;            /* working copy (owned) */
	json_t *status;         /* job.status (borrowed from job) */
	json_t *pods;           /* pods controlled by the Job (borrowed store objects) */
	json_t *active;         /* the active ones among them */
	json_t *uncounted;      /* status.uncountedTerminatedPods (borrowed) */
	bool indexed;           /* completionMode Indexed */
	int64_t completions;    /* -1 when unset (work queue) */
	int64_t succeeded, failed, ready, terminating; /* pod counts for the status */
	uint8_t *done_ix;       /* Indexed: completed indexes (completions bytes) */
	uint8_t *prev_ix;       /* Indexed: indexes in status.completedIndexes */
	json_t *finished;       /* condition the Job is heading to, or NULL (owned) */
	int64_t bk_n, bk_at;    /* the new backoff record */
};

/* ---- job.c ---------------------------------------------------------------- */

/* Sync the Job at @p key again after @p delay_ms of cluster time. */
void kube__job_enqueue_after(struct jobc *jc, const char *key, int64_t delay_ms);

/* A condition {type, status, lastProbeTime, lastTransitionTime, reason?, message?}. */
json_t *kube__job_condition(kube_cluster *c, const char *type, const char *status,
			    const char *reason, const char *message);

/* ---- job_pods.c ----------------------------------------------------------- */

/* Whether @p pod carries the batch.kubernetes.io/job-tracking finalizer. */
bool kube__job_pod_has_finalizer(const json_t *pod);
/* Whether @p pod counts as failed for @p job: phase Failed, or (unless only
 * failed pods are replaced) being deleted without having succeeded. */
bool kube__job_pod_failed(const json_t *job, const json_t *pod);
int64_t kube__job_pod_finish_ms(const json_t *pod);

/* manageJob: create or delete pods toward the wanted count; returns the new active count. */
int64_t kube__job_manage(struct job_ctx *x);

/* Delete @p pods (array), first dropping the tracking finalizer when @p drop_finalizer. */
int64_t kube__job_delete_pods(struct job_ctx *x, const json_t *pods, bool drop_finalizer,
			      int64_t *ready_deleted);

/* Remove the tracking finalizer from @p pod. */
void kube__job_remove_finalizer(struct jobc *jc, const json_t *pod);

/* ---- job_index.c ---------------------------------------------------------- */

/* The completion index of @p pod, or -1. */
int64_t kube__job_pod_index(const json_t *pod);

/* Parse "1,3-5" into @p set (n entries); out-of-range entries are ignored. */
void kube__job_parse_indexes(const char *s, uint8_t *set, int64_t n);

/* "1,3-5" from @p set (malloc'd; "" when empty). */
char *kube__job_format_indexes(const uint8_t *set, int64_t n);

/* Number of set entries. */
int64_t kube__job_count_indexes(const uint8_t *set, int64_t n);

/* Pods for the given indexes go into a new pod template. */
void kube__job_index_template(json_t *tmpl, const char *job_name, int64_t ix);

/* Add JOB_COMPLETION_INDEX to every container of a template's spec. */
void kube__job_index_env(json_t *pod_spec);

/* Up to @p want lowest indexes that neither succeeded nor have an active pod. */
json_t *kube__job_pending_indexes(const struct job_ctx *x, int64_t want);

/* Active pods with an invalid, out-of-range, duplicated or completed index. */
json_t *kube__job_bad_index_pods(const struct job_ctx *x);

#endif
