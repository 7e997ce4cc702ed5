/*
 * The API server of a cluster: HTTPS on the cluster loop, authentication,
 * authorization, and the REST handlers (rest.h).
 */
#ifndef KUBE_CORE_API_APISERVER_H
#define KUBE_CORE_API_APISERVER_H

#include "core/cluster_internal.h"

/* Start serving on c->cfg.api_address ("HOST:PORT"); runs on the loop.
 * Makes or loads the PKI. Returns 0, KUBE_EINVAL for a bad address, KUBE_EIO. */
int kube__apiserver_start(kube_cluster *c);

/* Stop: end watch streams, close every connection. Runs on the loop. */
void kube__apiserver_stop(kube_cluster *c);

/* The bound port, or -1 when not serving. */
int kube__apiserver_port(kube_cluster *c);

/* The admin kubeconfig (malloc'd) for this server, or NULL when not serving. */
char *kube__apiserver_kubeconfig(kube_cluster *c);

#endif
