#ifndef KUBE_CORE_BOOTSTRAP_H
#define KUBE_CORE_BOOTSTRAP_H

#include "core/cluster_internal.h"

/*
 * Create what every cluster has from the start and is missing from the
 * store: the namespaces default, kube-system, kube-public and
 * kube-node-lease, the `kubernetes` Service (10.43.0.1:443) and the default RBAC policy (core/auth). Runs on the
 * loop during start; returns 0 or the first error.
 */
int kube__bootstrap(kube_cluster *c);

#endif
