/**
 * @file nodes.h
 * @brief Nodes: node agents (the kubelet's job) with a runtime backend.
 *
 * A node agent registers its Node, renews its Lease in kube-node-lease every
 * 10 s and runs the pods bound to it (spec.nodeName) through its runtime:
 * "simulated" (nothing executes; pod annotations steer the containers, see
 * docs/internals/runtime.md) or "process" (each container's command as a
 * child process, no isolation). It reports pod and container status,
 * restarts containers by the restart policy with CrashLoopBackOff, and
 * finishes the graceful deletion of its pods.
 *
 * Threading: every call is blocking and thread-safe, as in cluster.h. The
 * cluster must be running; nodes end when it stops (their Node objects stay
 * in a persistent store and are taken over by a node of the same name).
 */
#ifndef LIBKUBE_NODES_H
#define LIBKUBE_NODES_H

#include <stdint.h>
#include "libkube/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Whether a node is a control-plane node (label node-role.kubernetes.io/control-plane). */
typedef enum kube_node_role {
	KUBE_NODE_ROLE_AUTO = 0,       /**< control plane when it is the cluster's first node */
	KUBE_NODE_ROLE_CONTROL_PLANE,  /**< always */
	KUBE_NODE_ROLE_WORKER,         /**< never */
} kube_node_role;

/** How a node is made. Fill with kube_node_config_init(), then set what differs.
 *  Every string is copied by kube_node_add(). */
typedef struct kube_node_config {
	/** The node's name (a DNS subdomain), required. */
	const char *name;
	/** "simulated" (the default) or "process". */
	const char *runtime;
	/** CPU capacity (and allocatable) as a quantity; NULL for the default:
	 *  "8" when simulated, this host's for process. */
	const char *cpu;
	/** Memory capacity (and allocatable) as a quantity; NULL for the
	 *  default: "32Gi" when simulated, this host's for process. */
	const char *memory;
	/** Pods the node takes; NULL for "110". */
	const char *pods;
	/** Ephemeral storage; NULL for "100Gi". */
	const char *ephemeral_storage;
	/** Extra labels as "key=value" strings, NULL-terminated; may be NULL. */
	const char *const *labels;
	/** Taints as "key=value:Effect" or "key:Effect", NULL-terminated; may be NULL. */
	const char *const *taints;
	/** Control-plane role; see kube_node_role. */
	kube_node_role role;
	/** Non-zero: a control-plane node also gets kubeadm's taint
	 *  node-role.kubernetes.io/control-plane:NoSchedule. */
	int taint_control_plane;
	/** The node's InternalIP; NULL for 172.18.0.<index+2> (simulated) or
	 *  127.0.0.1 (process). */
	const char *address;
	/** A directory of static pod manifests (YAML or JSON files) run on this
	 *  node and shown as mirror pods "<name>-<node>"; NULL for none. */
	const char *static_pod_dir;
} kube_node_config;

/** Fill @p cfg with the defaults (simulated runtime, automatic role). */
KUBE_EXTERN void kube_node_config_init(kube_node_config *cfg);

/**
 * Add a node and start its agent. Returns once the Node is registered with
 * a Ready condition and its Lease exists; pods already bound to it start.
 * @return 0; KUBE_EINVAL for a bad name, runtime, quantity, label or taint
 *         (the runtime "native" is not available in this build), KUBE_EEXIST
 *         when this cluster already runs a node of that name, KUBE_ESTOPPED
 *         when the cluster is not running. kube_last_status() says why.
 */
KUBE_EXTERN int kube_node_add(kube_cluster *c, const kube_node_config *cfg);

/**
 * Stop a node's agent, remove its containers, delete the pods bound to it
 * (at once, as the pod garbage collector does for pods of a deleted node)
 * and delete its Node.
 * @return 0, or KUBE_ENOTFOUND when no agent runs that node.
 */
KUBE_EXTERN int kube_node_remove(kube_cluster *c, const char *name);

/**
 * Simulate a node failure: the agent stops renewing its Lease and stops
 * reporting (no status writes, no new containers, no deletions finished);
 * its containers keep running. @return 0 or KUBE_ENOTFOUND.
 */
KUBE_EXTERN int kube_node_stop(kube_cluster *c, const char *name);

/** Resume a stopped agent: renew the Lease, report Ready, catch up with its
 *  pods. @return 0 or KUBE_ENOTFOUND. */
KUBE_EXTERN int kube_node_start(kube_cluster *c, const char *name);

/** How kube_pod_logs() reads (the pods/log query). */
typedef struct kube_log_options {
	/** The container; NULL for the pod's only (or first) container. */
	const char *container;
	/** Only the last N lines; negative for all. */
	int64_t tail_lines;
	/** The previous (terminated) instance of the container. */
	int previous;
	/** Prefix each line with its RFC 3339 timestamp. */
	int timestamps;
} kube_log_options;

/**
 * A container's log, as `kubectl logs` shows it.
 * @param c the cluster.
 * @param ns the pod's namespace; NULL or "" for "default".
 * @param pod the pod's name.
 * @param opts NULL for all lines of the first container.
 * @param[out] out the text, freed with kube_free().
 * @return 0; KUBE_ENOTFOUND when the pod, container or (previous) instance
 *         is not running on a node of this cluster; KUBE_EINVAL when the pod
 *         has several containers and none was named.
 */
KUBE_EXTERN int kube_pod_logs(kube_cluster *c, const char *ns, const char *pod,
			      const kube_log_options *opts, char **out);

#ifdef __cplusplus
}
#endif
#endif
