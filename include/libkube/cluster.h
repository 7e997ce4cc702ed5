/**
 * @file cluster.h
 * @brief Creating, starting and stopping an embedded cluster.
 *
 * Threading: every call is blocking and thread-safe. A call from a thread other
 * than the cluster loop's is posted to the loop and waits for its answer; a
 * call made on the loop itself (from a watch callback) runs directly.
 */
#ifndef LIBKUBE_CLUSTER_H
#define LIBKUBE_CLUSTER_H

#include <stdint.h>
#include "libkube/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An embedded cluster. Opaque; made by kube_cluster_new(), freed by kube_cluster_free(). */
typedef struct kube_cluster kube_cluster;

/** How a cluster is made. Fill with kube_config_init(), then set what differs. */
typedef struct kube_config {
	/** Directory for the SQLite database (and later PKI); NULL keeps all state in memory. */
	const char *data_dir;
	/** Host-owned libuv loop (a uv_loop_t *) to run on instead of a private thread; NULL for a private thread. */
	void *loop;
	/** How many store revisions watches can resume from (the history window). */
	uint32_t history_window;
	/** Log what the cluster does to stderr when non-zero. */
	int verbose;
	/** Serve the Kubernetes API over HTTPS on "HOST:PORT" (port 0 picks a free
	 *  one); NULL serves nothing. kubed uses "127.0.0.1:6443". */
	const char *api_address;
	/** Write an admin kubeconfig here (atomically, once the API answers); NULL: none. */
	const char *kubeconfig_path;
	/** The scheduler's configuration: a KubeSchedulerConfiguration
	 *  (apiVersion kubescheduler.config.k8s.io/v1) as YAML or JSON text, as
	 *  kube-scheduler's --config file holds it. NULL: upstream's defaults.
	 *  Read: percentageOfNodesToScore (global and per profile); profiles,
	 *  each with its schedulerName (one scheduler per profile);
	 *  plugins.score and plugins.multiPoint enabled (score weights; 0 means 1)
	 *  and disabled ("*" for all defaults); pluginConfig args of
	 *  NodeResourcesFit (scoringStrategy.type LeastAllocated or MostAllocated,
	 *  resources cpu/memory weights), InterPodAffinity (hardPodAffinityWeight)
	 *  and PodTopologySpread (defaultingType List without defaultConstraints:
	 *  no default spreading). Anything it cannot honour makes
	 *  kube_cluster_new() fail with KUBE_EINVAL, kube_last_status() saying why.
	 *  Example:
	 *  @code
	 *  apiVersion: kubescheduler.config.k8s.io/v1
	 *  kind: KubeSchedulerConfiguration
	 *  percentageOfNodesToScore: 20
	 *  profiles:
	 *  - schedulerName: default-scheduler
	 *    plugins:
	 *      score:
	 *        enabled: [{name: NodeResourcesBalancedAllocation, weight: 2}]
	 *        disabled: [{name: ImageLocality}]
	 *    pluginConfig:
	 *    - name: NodeResourcesFit
	 *      args: {scoringStrategy: {type: MostAllocated}}
	 *  @endcode */
	const char *scheduler_config;
} kube_config;

/** Fill @p cfg with the defaults: in memory, private thread, a 10000-revision window, quiet, no API server. */
KUBE_EXTERN void kube_config_init(kube_config *cfg);

/**
 * Make a cluster (not yet running).
 * @param[out] out the new cluster on success, to free with kube_cluster_free().
 * @param cfg options; NULL for the defaults. Strings are copied.
 * @return 0, or KUBE_EIO when the data directory cannot be opened or is corrupt,
 *         KUBE_ENOMEM.
 */
KUBE_EXTERN int kube_cluster_new(kube_cluster **out, const kube_config *cfg);

/**
 * Start the cluster: restore state from the store, create the built-in
 * namespaces, start the controllers and, without a host loop, the loop thread.
 * @return 0, or a negative code if the store cannot be loaded.
 */
KUBE_EXTERN int kube_cluster_start(kube_cluster *c);

/**
 * Stop the cluster: finish pending commits (every acknowledged write is on
 * disk), end all watches, stop the loop thread. Safe to call twice.
 * Must not be called from the cluster loop itself.
 */
KUBE_EXTERN int kube_cluster_stop(kube_cluster *c);

/** Stop if running and free everything. NULL is a no-op. */
KUBE_EXTERN void kube_cluster_free(kube_cluster *c);

/** The store's current global revision (the newest resourceVersion). */
KUBE_EXTERN int64_t kube_cluster_revision(kube_cluster *c);

/**
 * The port the API server listens on (useful with port 0).
 * @return the port, or -1 when the cluster serves no API or is not running.
 */
KUBE_EXTERN int kube_cluster_api_port(kube_cluster *c);

/**
 * An admin kubeconfig (YAML, credentials embedded) for this cluster's API.
 * @param c the cluster.
 * @param[out] out the text, freed with kube_free().
 * @return 0, or KUBE_ENOTFOUND when the cluster serves no API.
 */
KUBE_EXTERN int kube_cluster_kubeconfig(kube_cluster *c, char **out);

/**
 * Replace the cluster's clock with a manual one starting at @p start_ms
 * (milliseconds since the epoch; 0 for the current time). Every timeout,
 * backoff and schedule in the cluster then waits for kube_cluster_advance_clock().
 * Call before kube_cluster_start(). For tests of slow behaviours.
 */
KUBE_EXTERN void kube_cluster_use_manual_clock(kube_cluster *c, int64_t start_ms);

/**
 * Move the manual clock forward by @p ms, firing every timer that became due
 * in due order (each sees the clock at its due time) and committing the
 * writes they make before returning. What those writes trigger in turn
 * (controllers reacting to events) continues right after, on the loop.
 * @return 0, or KUBE_EINVAL when the cluster does not use a manual clock.
 */
KUBE_EXTERN int kube_cluster_advance_clock(kube_cluster *c, int64_t ms);

/** Free a string or buffer that libkube returned. NULL is a no-op. */
KUBE_EXTERN void kube_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
