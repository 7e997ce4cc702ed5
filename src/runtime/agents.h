/*
 * What the rest of libkube asks of the node agents.
 */
#ifndef KUBE_RUNTIME_AGENTS_H
#define KUBE_RUNTIME_AGENTS_H

#include <stdbool.h>
#include "core/cluster_internal.h"
#include "libkube/nodes.h"

/* True when a node agent of this cluster runs node @p name (stopped or
 * not): deleting its pods is graceful, the agent finishes it. */
bool kube__node_agent_exists(kube_cluster *c, const char *name);

/*
 * The log of a pod's container as pods/log serves it (on the loop): the
 * text in *out (malloc'd; "" when nothing was written), or a negative code
 * with a Status in *st: 404 for an unknown pod or one no agent runs, 400
 * naming the containers when the pod has several and none was chosen.
 */
int kube__pod_log_read(kube_cluster *c, const char *ns, const char *pod,
		       const kube_log_options *opts, char **out, json_t **st);

#endif
