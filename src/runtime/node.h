/*
 * Node agents inside libkube (see docs/internals/runtime.md):
 *   the manager   one per cluster (a controller): one pod watch, dispatching
 *                 each pod event by spec.nodeName to its agent in O(1);
 *   an agent      one per node: the Node, its Lease, its pods' workers;
 *   a pod worker  one per pod on a node: containers, restarts, status.
 * Everything here runs on the cluster loop.
 */
#ifndef KUBE_RUNTIME_NODE_H
#define KUBE_RUNTIME_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/clock.h"
#include "libkube/nodes.h"
#include "runtime/runtime.h"
#include "runtime/strmap.h"

#define NODE_LEASE_SECONDS 40          /* Lease spec.leaseDurationSeconds (kubelet default) */
#define NODE_LEASE_RENEW_MS 10000      /* renew interval: a quarter of the duration */
#define NODE_STATUS_REPORT_MS 300000   /* nodeStatusReportFrequency: 5 min */
#define BACKOFF_INITIAL_MS 10000       /* CrashLoopBackOff: 10 s ... */
#define BACKOFF_MAX_MS 300000          /* ... doubling to 5 min, forgotten after 10 min */
#define KUBELET_VERSION "v1.32.0"

struct node_agent;

/* One container of a pod across its restarts. */
struct pod_ctr {
	struct pod_worker *w;      /* its worker */
	const json_t *spec;        /* in w->pod's spec */
	const char *name;          /* spec.name */
	bool init;                 /* in spec.initContainers */
	bool sidecar;              /* an init container with restartPolicy Always */
	struct kube_rt_ctr *cur;   /* the current instance, NULL before the first start */
	struct kube_rt_ctr *prev;  /* the one before (lastState, `logs --previous`) */
	int restarts;              /* restartCount */
	int64_t bo_delay;          /* the back-off entry: current delay ... */
	int64_t bo_last;           /* ... and when it was last raised (0: none) */
	bool backing_off;          /* waiting in CrashLoopBackOff now */
	bool stopping;             /* asked to stop (Killing sent) */
	bool done;                 /* exited and will not run again */
	struct kube_timer bo_timer; /* the end of the back-off wait */
};

/* A pod running on a node. Freed when its pod is deleted and no write is
 * in flight (refs). */
struct pod_worker {
	struct node_agent *a;      /* the node it runs on */
	char *key;                 /* store key */
	char *uid;                 /* metadata.uid (owned) */
	json_t *pod;               /* the newest pod seen (a reference) */
	struct pod_ctr *ctrs;      /* init containers first, then containers */
	int nctrs, ninit;          /* entries in ctrs, init ones among them */
	struct kube_rt_sandbox sb; /* the sandbox (valid when sandbox) */
	bool sandbox;              /* created */
	char ip[64];               /* podIP, "" until the sandbox exists */
	bool own_ip;               /* ip comes from the node's range (release it) */
	int64_t start_ms;          /* startTime */
	bool terminating;          /* deletionTimestamp seen: stopping */
	bool terminal;             /* phase Succeeded or Failed reported or decided */
	bool deleting;             /* the final delete was sent */
	bool in_sync, again;       /* worker_sync re-entry */
	bool writing;              /* a status write is in flight */
	bool gone;                 /* removed from its agent */
	int refs;                  /* callbacks in flight */
	const char *phase;         /* the phase last computed (static string) */
};

struct node_agent {
	kube_cluster *c; /* the cluster */
	struct node_manager *m; /* its manager */
	char *name;             /* the Node name (owned) */
	const struct kube_runtime_ops *rt; /* its runtime backend */
	void *rt_state;            /* the backend's state */
	json_t *node;              /* the Node as registered: labels, spec, status (owned) */
	char *node_uid;            /* the registered Node's uid (owned) */
	int index;                 /* pod CIDR 10.42.<index>.0/24 */
	char address[64];          /* InternalIP */
	unsigned char ips[32];     /* allocated host numbers of the pod CIDR, a bitmap */
	bool running;              /* false while stopped */
	struct kube_timer lease_timer; /* Lease renewal */
	struct kube_timer status_timer; /* Node status heartbeat */
	struct strmap pods;        /* store key -> struct pod_worker */
	char *static_dir;          /* static pod manifests, or NULL */
	json_t *static_pods;       /* mirror pod name -> manifest (owned) */
};

/* The manager: the "nodes" controller's state. */
struct node_manager {
	kube_cluster *c;             /* the cluster */
	struct store_watch *watch;   /* every pod */
	struct strmap agents;        /* node name -> struct node_agent */
	unsigned char index_used[32];/* pod CIDR indexes taken, a bitmap */
};

/* The manager of @p c, or NULL before start / after stop. */
struct node_manager *kube__node_manager(kube_cluster *c);

/* ---- node_agent.c ---- */

/* Make and register an agent (the Node, its status, its Lease); @p done
 * runs once it is registered (err 0) or failed, with a Status. */
typedef void (*node_done_cb)(int err, json_t *status, void *data);
void kube__agent_add(struct node_manager *m, const kube_node_config *cfg, node_done_cb done,
		     void *data);
void kube__agent_remove(struct node_agent *a, node_done_cb done, void *data);
void kube__agent_stop(struct node_agent *a);
void kube__agent_start(struct node_agent *a);
/* Free an agent at cluster stop: containers removed, nothing written. */
void kube__agent_free(struct node_agent *a);
/* A pod bound to @p a changed (or was seen at start) / was deleted. */
void kube__agent_pod_changed(struct node_agent *a, const char *key, const json_t *pod);
void kube__agent_pod_deleted(struct node_agent *a, const char *key);
/* Take / give back a pod IP from the node's range; "" when full. */
void kube__agent_ip_take(struct node_agent *a, char *ip, size_t len);
void kube__agent_ip_release(struct node_agent *a, const char *ip);

/* ---- node_object.c ---- */

/* The Node object an agent registers (metadata, spec, status); NULL with
 * *st on a bad config. */
json_t *kube__node_object(struct node_agent *a, const kube_node_config *cfg, bool first,
			  json_t **st);
/* Refresh the heartbeat times of the node's conditions to now. */
void kube__node_heartbeat(struct node_agent *a, json_t *node);
/* A new Lease for the node (holder, duration, renewTime now, owner Node). */
json_t *kube__node_lease(struct node_agent *a);
/* MicroTime "2006-01-02T15:04:05.000000Z" of @p ms into buf (>= 40). */
const char *kube__microtime(int64_t ms, char *buf, size_t len);

/* ---- pod_worker.c ---- */

/* A worker for the pod at store key @p key (copied) on agent @p a, holding a
 * reference to @p pod; NULL on allocation failure. Freed by
 * kube__worker_teardown. */
struct pod_worker *kube__worker_new(struct node_agent *a, const char *key, const json_t *pod);
/* A newer version of the worker's pod. */
void kube__worker_update(struct pod_worker *w, const json_t *pod);
/* Decide and act: start, restart, stop containers; report status. */
void kube__worker_sync(struct pod_worker *w);
/* The pod is gone (or the node): remove its containers and free the worker
 * (later, when callbacks are in flight). */
void kube__worker_teardown(struct pod_worker *w);

/* ---- pod_status.c ---- */

/* The status the kubelet reports for the worker's pod now (new object),
 * merged onto @p old (the stored status, may be NULL). Sets w->phase. */
json_t *kube__pod_status(struct pod_worker *w, const json_t *old);
/* Upstream getPhase over the worker's containers. */
const char *kube__pod_phase(struct pod_worker *w, bool terminal);
/* "name_namespace(uid)", as the kubelet's format.Pod, into buf. */
const char *kube__pod_desc(const struct pod_worker *w, char *buf, size_t len);
/* The image as the runtime reports it ("docker.io/library/nginx:1.23"). */
void kube__image_ref(const char *image, char *buf, size_t len);

/* ---- static_pods.c ---- */

/* Read the agent's manifests directory and create the mirror pods. */
void kube__static_pods_start(struct node_agent *a);
/* A mirror pod was deleted: create it again while the manifest exists. */
void kube__static_pod_deleted(struct node_agent *a, const json_t *pod);

#endif
