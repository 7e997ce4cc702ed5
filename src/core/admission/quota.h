/*
 * Quota evaluation shared by the ResourceQuota admission plugin and the
 * resourcequota controller, as upstream's quota evaluators
 * (pkg/quota/v1/evaluator/core): what one object adds to a namespace's
 * usage, which objects a quota's scopes select, and a namespace's usage of
 * the resources a quota limits, computed from the store (the in-memory
 * state is authoritative, so admission never waits for status.used).
 */
#ifndef KUBE_CORE_ADMISSION_QUOTA_H
#define KUBE_CORE_ADMISSION_QUOTA_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"

/*
 * The usage @p obj of kind @p k adds (a new resource list of quantity
 * strings): count/<resource>[.<group>] for every kind; pods, cpu, memory,
 * requests.*, limits.* for pods that are not finished; services,
 * services.nodeports, services.loadbalancers; persistentvolumeclaims and
 * requests.storage (also per storage class); and the legacy counts
 * configmaps, secrets, replicationcontrollers, resourcequotas.
 */
json_t *kube__quota_usage_of(const struct kube_kind *k, const json_t *obj);

/*
 * podComputeUsageHelper: into @p out, the compute usage of @p requests and
 * @p limits (cpu, memory, ephemeral-storage as plain, requests.* and
 * limits.* names; hugepages and extended resources as requests.*).
 */
void kube__quota_container_usage(json_t *out, const json_t *requests, const json_t *limits);

/* True when @p quota's scopes (spec.scopes and spec.scopeSelector) select @p obj. */
bool kube__quota_selects(const json_t *quota, const struct kube_kind *k, const json_t *obj);

/*
 * The usage in namespace @p ns of every resource in @p hard (a resource
 * list) by the objects @p quota selects: a new list with each key of
 * @p hard ("0" where nothing is used).
 */
json_t *kube__quota_used(kube_cluster *c, const char *ns, const json_t *quota, const json_t *hard);

#endif
