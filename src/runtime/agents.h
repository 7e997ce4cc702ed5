/*
 * What the rest of libkube asks of the node agents.
 */
#ifndef KUBE_RUNTIME_AGENTS_H
#define KUBE_RUNTIME_AGENTS_H

#include <stdbool.h>
#include "core/cluster_internal.h"

/* True when a node agent of this cluster runs node @p name (stopped or
 * not): deleting its pods is graceful, the agent finishes it. */
bool kube__node_agent_exists(kube_cluster *c, const char *name);

#endif
