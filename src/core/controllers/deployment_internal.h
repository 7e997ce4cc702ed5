/*
 * The Deployment controller's internals (upstream pkg/controller/deployment),
 * split by mechanism:
 *   deployment.c          watches, queue, claiming ReplicaSets, the sync entry
 *   deployment_util.c     fenceposts, pod-template-hash, annotations, conditions
 *   deployment_history.c  new/old ReplicaSets, revisions, cleanup (sync.go)
 *   deployment_scale.c    scaling events and paused deployments (sync.go scale)
 *   deployment_rolling.c  RollingUpdate (rolling.go)
 *   deployment_recreate.c Recreate (recreate.go)
 *   deployment_status.c   status, Progressing/Available conditions (progress.go)
 *
 * A sync works on copies: the Deployment (status and annotations changed in
 * place, written when they differ from what is stored) and its ReplicaSets
 * (each write goes to the store at once and is mirrored in the copy, as
 * upstream continues with the object an Update returned).
 */
#ifndef KUBE_CORE_CONTROLLERS_DEPLOYMENT_INTERNAL_H
#define KUBE_CORE_CONTROLLERS_DEPLOYMENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"
#include "core/workqueue.h"
#include "core/controllers/controller_index.h"

#define DEPLOY_HASH_LABEL "pod-template-hash"
#define DEPLOY_REVISION "deployment.kubernetes.io/revision"
#define DEPLOY_REVISION_HISTORY "deployment.kubernetes.io/revision-history"
#define DEPLOY_DESIRED "deployment.kubernetes.io/desired-replicas"
#define DEPLOY_MAX "deployment.kubernetes.io/max-replicas"
#define DEPLOY_COMPONENT "deployment-controller"

/* The controller. */
struct dctl {
	kube_cluster *c;                /* the cluster */
	const struct kube_kind *d_kind, *rs_kind, *pod_kind; /* registry entries used */
	struct store_watch *d_watch, *rs_watch, *pod_watch; /* one watch per kind */
	struct kube_workqueue *queue;   /* deployment store keys */
	struct kube_owner_index rss;    /* ReplicaSets by controller uid */
	struct kube_owner_index pods;   /* pods by controller (ReplicaSet) uid */
	struct kube_delay_set delay;    /* progress deadline requeues */
	struct kube_ticket_set tickets; /* writes in flight */
};

/* One sync of one Deployment. */
struct dsync {
	struct dctl *dc;  /* the controller */
	json_t *d;        /* the Deployment (copy; status/annotations edited here) */
	json_t *rss;      /* its ReplicaSets (copies), by creation time */
	json_t *new_rs;   /* the one matching the template (element of rss), or NULL */
	json_t *old_rss;  /* the others (elements of rss) */
	int err;          /* a write failed during the sync: retry */
};

/* ---- deployment_util.c ---- */
int64_t kube__d_int(const json_t *obj, const char *path);
void kube__d_set_int(json_t *obj, const char *path, int64_t v);
const char *kube__d_annotation(const json_t *obj, const char *key);
void kube__d_set_annotation(json_t *obj, const char *key, const char *value);
bool kube__d_rolling(const json_t *d);
int64_t kube__d_scaled(const json_t *v, int64_t total, bool round_up);
void kube__d_fenceposts(const json_t *d, int64_t *surge, int64_t *unavailable);
int64_t kube__d_max_surge(const json_t *d);
int64_t kube__d_max_unavailable(const json_t *d);
void kube__d_template_hash(const json_t *tmpl, const json_t *collision, char out[16]);
bool kube__d_equal_ignore_hash(const json_t *a, const json_t *b);
int64_t kube__d_revision(const json_t *rs);
bool kube__d_set_replicas_annotations(json_t *rs, int64_t desired, int64_t max);
bool kube__d_replicas_annotations_need_update(const json_t *rs, int64_t desired, int64_t max);
bool kube__d_set_new_rs_annotations(const json_t *d, json_t *rs, int64_t revision, bool exists);
json_t *kube__d_condition(const json_t *status, const char *type);
json_t *kube__d_new_condition(kube_cluster *c, const char *type, const char *status,
			      const char *reason, const char *message);
void kube__d_set_condition(json_t *status, json_t *cond);
void kube__d_remove_condition(json_t *status, const char *type);
int64_t kube__d_sum(const json_t *rss, const char *path);
void kube__d_sort_by_creation(json_t *rss, bool newest_first);
void kube__d_sort_by_revision(json_t *rss);
void kube__d_sort_by_size(json_t *rss, bool newer_first);
json_t *kube__d_active(const json_t *rss, const json_t *extra);

/* ---- deployment.c ---- */
void kube__d_event(struct dsync *s, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool kube__d_scale_rs(struct dsync *s, json_t *rs, int64_t n, const char *op);
void kube__d_write_status(struct dsync *s);
void kube__d_write_annotations(struct dsync *s);
int kube__d_write(struct dsync *s, const struct kube_kind *k, json_t *obj, bool create,
		  bool status, char **msg);
char *kube__d_key(const struct dsync *s);

/* ---- deployment_history.c ---- */
int kube__d_new_and_old(struct dsync *s, bool create);
int64_t kube__d_new_rs_replicas(const json_t *d, const json_t *all, const json_t *new_rs);
bool kube__d_has_deadline(const json_t *d);
void kube__d_cleanup(struct dsync *s);

/* ---- deployment_scale.c ---- */
bool kube__d_is_scaling_event(struct dsync *s);
int kube__d_sync_scale(struct dsync *s);

/* ---- deployment_rolling.c / deployment_recreate.c ---- */
int kube__d_rollout_rolling(struct dsync *s);
int kube__d_rollout_recreate(struct dsync *s);

/* ---- deployment_status.c ---- */
json_t *kube__d_calculate_status(struct dsync *s);
bool kube__d_complete(const json_t *d, const json_t *status);
int kube__d_sync_rollout_status(struct dsync *s);
int kube__d_sync_status(struct dsync *s);
void kube__d_check_paused(struct dsync *s);

#endif
