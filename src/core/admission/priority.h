/*
 * The Priority admission plugin's built-in classes.
 */
#ifndef KUBE_CORE_ADMISSION_PRIORITY_H
#define KUBE_CORE_ADMISSION_PRIORITY_H

#include "core/cluster_internal.h"

/*
 * Create the PriorityClasses every cluster has, as kube-apiserver's
 * scheduling/bootstrap-system-priority-classes hook does:
 * system-node-critical (2000001000) and system-cluster-critical
 * (2000000000), when they are missing. Runs on the loop; the creates are
 * flushed before it returns. Returns 0 or the first error.
 */
int kube__priority_bootstrap(kube_cluster *c);

#endif
