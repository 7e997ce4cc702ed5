/**
 * @file libkube.h
 * @brief libkube: a Kubernetes-style cluster as a C library. Include this one header.
 *
 * @code
 * kube_cluster *c;
 * kube_cluster_new(&c, NULL);             // in memory, private loop thread
 * kube_cluster_start(c);
 * kube_apply(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", NULL);
 * kube_cluster_free(c);
 * @endcode
 */
#ifndef LIBKUBE_H
#define LIBKUBE_H

#include "libkube/errors.h"
#include "libkube/cluster.h"
#include "libkube/objects.h"
#include "libkube/patch.h"
#include "libkube/nodes.h"

/** Major version: the API and ABI change incompatibly when it does. */
#define KUBE_VERSION_MAJOR 0
/** Minor version: additions. */
#define KUBE_VERSION_MINOR 1
/** Patch version: fixes. */
#define KUBE_VERSION_PATCH 0

#endif
