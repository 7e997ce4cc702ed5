/*
 * The cluster as the rest of libkube sees it: the loop, the store, the
 * controllers, and the way blocking API calls reach the loop.
 * See docs/internals/threading.md.
 */
#ifndef KUBE_CORE_CLUSTER_INTERNAL_H
#define KUBE_CORE_CLUSTER_INTERNAL_H

#include <stdbool.h>
#include <pthread.h>
#include <uv.h>
#include <jansson.h>
#include "libkube/libkube.h"
#include "storage/store.h"

struct kube_call;
struct kube_controller;

struct kube_cluster {
	kube_config cfg;          /* options as given (data_dir copied below) */
	char *data_dir;           /* owned copy of cfg.data_dir, or NULL */
	char *api_address;        /* owned copy of cfg.api_address, or NULL */
	char *kubeconfig_path;    /* owned copy of cfg.kubeconfig_path, or NULL */
	char *scheduler_config;   /* owned copy of cfg.scheduler_config, or NULL */
	uv_loop_t *loop;          /* the loop everything runs on */
	uv_loop_t own_loop;       /* storage for a private loop */
	bool owns_loop;           /* loop == &own_loop */
	uv_thread_t thread;       /* the private loop thread */
	uv_thread_t loop_tid;     /* which thread runs the loop (for "on loop?") */
	uv_async_t wake;          /* posts calls from other threads */
	pthread_mutex_t lock;     /* guards calls_head/tail, running */
	struct kube_call *calls_head, *calls_tail; /* posted, not yet run */
	bool running;             /* between start and stop */
	bool stopping;            /* stop in progress: reject new calls */
	kube_store *store;        /* objects and revisions; NULL before start */
	struct kube_controller *controllers; /* started controllers, a list */
	struct kube_apiserver *apiserver; /* the REST API, or NULL when not serving */
	int64_t (*clock)(void *);  /* the one clock (ms since epoch); replaceable */
	void *clock_data;         /* clock's argument */
	bool manual_clock;        /* time moves only by kube_cluster_advance_clock */
	int64_t manual_now;       /* the manual clock's time (ms since epoch) */
	struct kube_timer *timers; /* manual clock: armed timers, by due time */
	json_t *events;           /* the event recorder's dedup and rate state */
};

/* ---- calls from any thread --------------------------------------------- */

/*
 * A blocking API call. `run` is called on the loop; it finishes the call
 * (now or from a later callback) with kube__call_finish().
 */
struct kube_call {
	void (*run)(struct kube_call *call); /* runs on the loop */
	kube_cluster *c;    /* the cluster it runs on */
	int err;            /* result code */
	json_t *status;     /* Status on failure (owned) */
	bool done;          /* finished; guarded by c->lock */
	pthread_cond_t cond; /* signalled when done */
	struct kube_call *next; /* posted-calls queue */
};

/* True when the calling thread is the one running the cluster loop. */
bool kube__on_loop(kube_cluster *c);

/*
 * Run @p call on the loop and wait until it finishes. On the loop thread the
 * call runs directly and pending commits are flushed synchronously until it
 * is finished. Returns call->err (KUBE_ESTOPPED if the cluster is not running).
 * Sets the thread's last Status from call->status.
 */
int kube__call(kube_cluster *c, struct kube_call *call);

/* Finish a call with @p err and @p status (stolen); wakes the waiter. */
void kube__call_finish(struct kube_call *call, int err, json_t *status);

/* ---- time and identity ------------------------------------------------- */

/* The cluster clock in milliseconds since the epoch. */
int64_t kube__now_ms(kube_cluster *c);

/* RFC 3339 UTC with seconds ("2026-11-25T10:00:00Z") of @p ms into buf (>= 32). */
const char *kube__rfc3339(int64_t ms, char *buf, size_t len);

/* Parse RFC 3339 into ms since the epoch; -1 when malformed. */
int64_t kube__parse_rfc3339(const char *s);

/* A random version-4 UUID into buf (>= 37). */
void kube__uuid(char *buf);

/* @p n random characters from upstream's generateName alphabet into buf (n+1). */
void kube__random_suffix(char *buf, int n);

/* ---- controllers ------------------------------------------------------- */

/* A controller: started after the store is loaded, stopped before it closes. */
struct kube_controller_ops {
	const char *name; /* for logs */
	int (*start)(kube_cluster *c, void **state); /* 0 and *state, or a negative KUBE_E* code */
	void (*stop)(void *state);                   /* stops and frees state */
};

struct kube_controller {
	const struct kube_controller_ops *ops; /* which controller */
	void *state;                           /* from ops->start */
	struct kube_controller *next;          /* the cluster's list */
};

/* The table of built-in controllers (controllers.c). */
extern const struct kube_controller_ops *const kube__controllers[];

/* A timestamped "libkube: " line on stderr when the cluster runs with
 * cfg.verbose; a no-op otherwise or when @p c is NULL. Never fails. */
void kube__log(kube_cluster *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
